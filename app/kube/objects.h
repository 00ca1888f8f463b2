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
// A pod whose Ready condition is True.
bool isPodReady(const QJsonObject &pod);
// N of pod `<statefulSet>-N`; -1 when the pod is not named as one of the StatefulSet's.
int podOrdinal(const QString &pod, const QString &statefulSet);

} // namespace tdkube::kube
