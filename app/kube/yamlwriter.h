#pragma once

#include <QJsonValue>
#include <QString>

namespace tdkube::kube {

// An object as `kubectl get -o yaml` prints it: keys in order (QJsonObject keeps them sorted, as
// kubectl does for unstructured objects), sequences at their key's indentation, strings quoted
// only where YAML would read them as something else, multi-line strings as `|` blocks.
QString toYaml(const QJsonValue &value);

} // namespace tdkube::kube
