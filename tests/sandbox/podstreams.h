#pragma once

#include <QJsonObject>

namespace tdkube::sandbox {

class HttpExchange;
class PodRuntime;

// pods/{pod}/exec over WebSocket, as kubectl 1.30+ and the Python client speak it to a real
// cluster: subprotocols v5.channel.k8s.io (preferred by clients), v4.channel.k8s.io and the
// legacy channel.k8s.io. Query: command (repeated), container, stdin, stdout, stderr, tty. Output
// goes out on channels 1 and 2 once the command is done, then a Status on channel 3, then a close.
// Called after authentication and authorization, with the pod as the store holds it. The session
// lives on as a child of `runtime`.
void serveExec(HttpExchange *exchange, const QJsonObject &pod, PodRuntime *runtime);

// pods/{pod}/portforward over WebSocket (the legacy v4.channel.k8s.io protocol the Python client
// uses): ports=P[,Q]; per port a data channel 2i and an error channel 2i+1, each opened by a frame
// carrying the port (little-endian). The bytes on a data channel are parsed as HTTP/1.1 and
// answered by the pod's HTTP server through the runtime; a port nobody listens on reports the
// container runtime's "connection refused" on its error channel.
void servePortForward(HttpExchange *exchange, const QJsonObject &pod, PodRuntime *runtime);

} // namespace tdkube::sandbox
