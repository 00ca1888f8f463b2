#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace tdkube::kube {

// Small accessors for the JSON shape of every Kubernetes object.
QJsonObject metadataOf(const QJsonObject &object);
QString nameOf(const QJsonObject &object);
QString namespaceOf(const QJsonObject &object);
QString uidOf(const QJsonObject &object);
// The value at a dotted path ("spec.template.metadata.labels"); Undefined when absent.
QJsonValue valueAt(const QJsonObject &object, const QString &path);

} // namespace tdkube::kube
