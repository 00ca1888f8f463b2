#pragma once

#include "kube/kubeclient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

class QTcpServer;

namespace tdkube::kube {

class ResourceWatch;
class ForwardConnection;

// What a forward points at. A pod is used as is; a StatefulSet (its pods by owner reference) or a
// Service (the pods its selector matches) is served by one of its Ready pods, lowest ordinal first.
struct ForwardTarget
{
    enum class Kind { Pod, StatefulSet, Service };
    Kind kind = Kind::Pod;
    QString ns;
    QString name;

    QString describe() const; // "pod tdengine-0", "statefulset tdengine", "service tdengine"
};

// `kubectl port-forward` for one remote port: a QTcpServer on 127.0.0.1 (never another interface)
// and, per accepted local connection, one WebSocket GET .../pods/POD/portforward?ports=P with the
// v4.channel.k8s.io subprotocol (channel 0 data, channel 1 error, each opened by the server with the
// 2-byte little-endian port). Connections are independent: one failing does not stop the others.
//
// The serving pod is watched. A pod target stops when its pod is deleted or stops being Ready (its
// Ready condition, or one of its containers, e.g. after a crash). A StatefulSet or Service target
// closes the connections to that pod and moves at once to another Ready pod if there is one (the
// reason says which pod was lost); with none it goes Reconnecting and comes back Active on the
// first pod to be Ready again. Local connections accepted while no pod is ready wait (their bytes
// stay in the kernel) until one is, or until the queue timeout (15 s by default) passes; then they
// are closed and connectionFailed() says why. Waiting rather than refusing at once lets a client's
// connection survive a pod restart that takes a few seconds.
//
// A WebSocket refused with 401 (a credential that expired meanwhile) is tried once more after the
// client fetched a fresh one.
//
// QWebSocket does not take tls-server-name: a host name mismatch that the certificate explains by
// that name is accepted (KubeClient::acceptsForTlsServerName), nothing else.
//
// Not yet: flow control (a slow local reader buffers in memory).
class PortForward final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PortForward)

public:
    enum class State { Starting, Active, Reconnecting, Stopped };
    Q_ENUM(State)

    // `localPort` 0: a free port is chosen; localPort() reports it once listening (right after
    // start()). `client` must outlive the forward.
    PortForward(KubeClient *client, ForwardTarget target, quint16 remotePort, quint16 localPort = 0,
                QObject *parent = nullptr);
    ~PortForward() override;

    // Listens and starts watching the target. Fails at once (Stopped, with the reason) if the
    // local port cannot be bound.
    void start();
    // Closes the listener and every connection.
    void stop(const QString &reason = {});

    const ForwardTarget &target() const { return m_target; }
    // The port asked for: the pod's, or for a Service target the Service's port.
    quint16 remotePort() const { return m_remotePort; }
    // The port on `pod` the forward reaches: remotePort(), or for a Service target the port its
    // targetPort names (a number, or a container port's name), as kubectl port-forward svc/... does.
    quint16 podPort(const QString &pod) const;
    quint16 localPort() const { return m_localPort; }
    State state() const { return m_state; }
    QString stateReason() const { return m_stateReason; }
    QString pod() const { return m_pod; }          // the pod serving now; empty while none is
    qint64 bytesIn() const { return m_bytesIn; }   // from the pod to local clients
    qint64 bytesOut() const { return m_bytesOut; } // from local clients to the pod
    int connectionCount() const;

    void setQueueTimeout(int ms) { m_queueTimeoutMs = ms; }
    void setBytesInterval(int ms) { m_bytesTimer.setInterval(ms); }

signals:
    void stateChanged(tdkube::kube::PortForward::State state, const QString &reason);
    // At most once per interval (250 ms by default) while bytes flow.
    void bytesChanged(qint64 bytesIn, qint64 bytesOut);
    // One local connection failed: the server's words (Forbidden, pod not found, nothing listening
    // on the port) or why it could not wait any longer.
    void connectionFailed(const QString &message);

private:
    friend class ForwardConnection;
    void setState(State state, const QString &reason = {});
    void watchPods(const QString &labelSelector);
    void resolveOwner();
    bool mapServicePort(const QJsonArray &ports);
    void reevaluate();
    QString choosePod(QString *why) const;
    bool ownsPod(const QJsonObject &pod) const;
    void accept();
    void openWaiting();
    void dropConnectionsTo(const QString &pod);
    void countIn(qint64 bytes);
    void countOut(qint64 bytes);
    void reportFailure(const QString &message);

    KubeClient *m_client;
    ForwardTarget m_target;
    quint16 m_remotePort;
    quint16 m_targetPort = 0; // a Service's numeric targetPort for m_remotePort (0: the same)
    QString m_targetPortName; // a Service's named targetPort, resolved per pod
    quint16 m_localPort;
    QTcpServer *m_server = nullptr;
    QPointer<ResourceWatch> m_watch;
    bool m_listed = false;
    QList<ForwardConnection *> m_connections;
    State m_state = State::Stopped;
    QString m_stateReason;
    QString m_pod;
    QString m_ownerUid; // the StatefulSet's uid, for owner references
    qint64 m_bytesIn = 0;
    qint64 m_bytesOut = 0;
    bool m_bytesDirty = false;
    QTimer m_bytesTimer;
    int m_queueTimeoutMs = 15000;
    int m_generation = 0; // bumped by stop(), so that answers for an earlier start are dropped
};

} // namespace tdkube::kube
