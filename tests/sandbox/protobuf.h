#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace tdkube::sandbox {

// kubectl's typed commands (`kubectl create namespace`, `kubectl create configmap`) send their body
// in Kubernetes' protobuf encoding (Content-Type application/vnd.kubernetes.protobuf): the magic
// "k8s\0", then a runtime.Unknown envelope {typeMeta, raw} whose raw bytes are the object's message.
// This decodes that encoding into the object's JSON form for the kinds those commands create
// (Namespace, ConfigMap). Other kinds, or a malformed body, fail with an error that names the
// problem.
bool decodeKubernetesProtobuf(const QByteArray &body, QJsonObject *object, QString *error);

} // namespace tdkube::sandbox
