#pragma once

#include <QJsonObject>
#include <QString>

namespace tdkube::sandbox {

class HttpExchange;
class PodRuntime;
class Store;

// GET pods/{pod}/log: container, follow, tailLines, timestamps, previous, limitBytes, as the kubelet
// serves it (plain text; a followed log streams until the pod goes or the client leaves).
void serveLog(HttpExchange *exchange, Store *store, PodRuntime *runtime, const QJsonObject &pod);

// pods/{name}[:port]/proxy/... and services/{name}[:port]/proxy/...: the API server's proxy to an
// HTTP server in a pod (a Service picks one of its ready endpoints). Any method; the path after
// /proxy, the query, headers and body reach the pod, its answer comes back as it is.
void serveProxy(HttpExchange *exchange, Store *store, PodRuntime *runtime, bool service, const QString &ns,
                const QString &nameAndPort);

} // namespace tdkube::sandbox
