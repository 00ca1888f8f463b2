#include "kube/portforward.h"

#include "kube/resourcewatch.h"
#include "kube/selectors.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <algorithm>
#include <climits>

using namespace Qt::StringLiterals;

namespace tdkube::kube {

namespace {

Q_LOGGING_CATEGORY(lcForward, "tdkube.kube.portforward", QtWarningMsg)

// Why `pod` cannot serve; empty if it is Ready and not terminating.
QString notReadyReason(const QJsonObject &pod)
{
    if (pod.value(u"metadata").toObject().contains(u"deletionTimestamp"))
        return PortForward::tr("it is terminating");
    const QJsonObject status = pod.value(u"status").toObject();
    const QString phase = status.value(u"phase").toString();
    if (phase != u"Running") {
        //: a pod's phase when it has none
        const QString shown = phase.isEmpty() ? PortForward::tr("unknown") : phase;
        return PortForward::tr("its phase is %1").arg(shown);
    }
    // A restarted container is not ready before the Ready condition says so.
    const QJsonArray containers = status.value(u"containerStatuses").toArray();
    for (const QJsonValue &container : containers) {
        if (!container[u"ready"].toBool())
            return PortForward::tr("container %1 is not ready").arg(container[u"name"].toString());
    }
    const QJsonArray conditions = status.value(u"conditions").toArray();
    for (const QJsonValue &value : conditions) {
        const QJsonObject condition = value.toObject();
        if (condition.value(u"type").toString() != u"Ready")
            continue;
        if (condition.value(u"status").toString() == u"True")
            return {};
        const QString message = condition.value(u"message").toString();
        return message.isEmpty()
                   ? PortForward::tr("its Ready condition is %1").arg(condition.value(u"status").toString())
                   : PortForward::tr("not Ready: %1").arg(message);
    }
    return PortForward::tr("it has no Ready condition yet");
}

int ordinal(const QString &name)
{
    bool ok = false;
    const int value = name.mid(name.lastIndexOf(u'-') + 1).toInt(&ok);
    return ok ? value : INT_MAX;
}

QString podName(const QJsonObject &pod)
{
    return pod.value(u"metadata").toObject().value(u"name").toString();
}

QByteArray v4Subprotocol()
{
    return QByteArrayLiteral("v4.channel.k8s.io");
}

} // namespace

QString ForwardTarget::describe() const
{
    switch (kind) {
    case Kind::Pod:
        return PortForward::tr("pod %1").arg(name);
    case Kind::StatefulSet:
        return PortForward::tr("statefulset %1").arg(name);
    case Kind::Service:
        return PortForward::tr("service %1").arg(name);
    }
    return name;
}

// One accepted local connection and its WebSocket. It waits (not reading the local socket, so the
// client's bytes stay in the kernel) until the forward has a pod, then relays both ways.
class ForwardConnection final : public QObject
{
public:
    ForwardConnection(PortForward *forward, QTcpSocket *local)
        : QObject(forward)
        , m_forward(forward)
        , m_local(local)
    {
        m_local->setParent(this);
        connect(m_local, &QTcpSocket::readyRead, this, &ForwardConnection::relayLocal);
        connect(m_local, &QTcpSocket::disconnected, this, &ForwardConnection::localClosed);
        m_waitTimer.setSingleShot(true);
        connect(&m_waitTimer, &QTimer::timeout, this, [this] {
            fail(PortForward::tr("No ready pod of %1 within %2 s (%3); the local connection was closed. Try "
                                 "again when the forward is Active.")
                     .arg(m_forward->m_target.describe(), u"%1"_s.arg(m_waitTimer.interval() / 1000.0),
                          m_forward->m_stateReason));
        });
        m_forward->m_connections.append(this);
    }

    ~ForwardConnection() override
    {
        m_forward->m_connections.removeOne(this);
        if (m_socket)
            m_socket->disconnect(this);
        m_local->disconnect(this);
    }

    QString pod() const { return m_pod; }
    bool waiting() const { return m_pod.isEmpty() && !m_done; }

    void wait(int timeoutMs) { m_waitTimer.start(timeoutMs); }

    void open(const QString &pod)
    {
        m_waitTimer.stop();
        m_pod = pod;
        QUrlQuery query;
        query.addQueryItem(u"ports"_s, QString::number(m_forward->podPort(pod)));
        m_forward->m_client->webSocketRequest(path(), query, this,
                                              [this](const QNetworkRequest &request, const QString &error) {
                                                  if (!error.isEmpty())
                                                      fail(error);
                                                  else
                                                      connectSocket(request);
                                              });
    }

    // The pod went away: close both sides, without a report (the forward's state says why).
    void close()
    {
        m_done = true;
        if (m_socket)
            m_socket->abort();
        m_local->abort();
        deleteLater();
    }

private:
    QString path() const
    {
        return ResourceKind::pods().path(m_forward->m_target.ns, m_pod, u"portforward"_s);
    }

    void connectSocket(const QNetworkRequest &request)
    {
        m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
        m_socket->setSslConfiguration(request.sslConfiguration());
        m_socket->setProxy(m_forward->m_client->proxy());
        connect(m_socket, &QWebSocket::connected, this, [this] {
            m_connected = true;
            relayLocal();
        });
        connect(m_socket, &QWebSocket::binaryMessageReceived, this, &ForwardConnection::onMessage);
        connect(m_socket, &QWebSocket::textMessageReceived, this,
                [this](const QString &text) { onMessage(text.toUtf8()); });
        connect(m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            if (m_forward->m_client->acceptsForTlsServerName(errors)) {
                m_socket->ignoreSslErrors(errors);
                return;
            }
            QStringList texts;
            for (const QSslError &error : errors)
                texts.append(error.errorString());
            m_tlsError = texts.join(u"; "_s);
        });
        connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
                &ForwardConnection::socketError);
        connect(m_socket, &QWebSocket::disconnected, this, &ForwardConnection::remoteClosed);
        QWebSocketHandshakeOptions options;
        options.setSubprotocols({QString::fromLatin1(v4Subprotocol())});
        m_socket->open(request, options);
    }

    void relayLocal()
    {
        if (!m_connected || m_done)
            return;
        const QByteArray data = m_local->readAll();
        if (data.isEmpty())
            return;
        m_socket->sendBinaryMessage(QByteArray(1, '\0') + data);
        m_forward->countOut(data.size());
    }

    void onMessage(const QByteArray &message)
    {
        if (message.isEmpty() || m_done)
            return;
        const int channel = quint8(message.at(0));
        if (channel > 1)
            return;
        QByteArray payload = message.mid(1);
        // The server opens each channel with the port, 2 bytes little-endian: not the client's data.
        const qsizetype header = std::min<qsizetype>(payload.size(), m_headerLeft[channel]);
        payload.remove(0, header);
        m_headerLeft[channel] -= int(header);
        if (payload.isEmpty())
            return;
        if (channel == 0) {
            m_local->write(payload);
            m_forward->countIn(payload.size());
            return;
        }
        fail(PortForward::tr("Port-forward to pod %1 port %2 failed: %3")
                 .arg(m_pod, QString::number(m_forward->podPort(m_pod)),
                      QString::fromUtf8(payload).trimmed()));
    }

    void socketError(QAbstractSocket::SocketError error)
    {
        if (m_done)
            return;
        if (m_connected) {
            if (error != QAbstractSocket::RemoteHostClosedError)
                qCDebug(lcForward) << "port-forward WebSocket error" << m_socket->errorString();
            remoteClosed();
            return;
        }
        diagnose();
    }

    // The handshake failed. QWebSocket keeps only the HTTP code, so ask again without upgrading:
    // the API server answers with the Status that says why (Forbidden, pod not found).
    void diagnose()
    {
        if (m_diagnosing)
            return;
        m_diagnosing = true;
        const QString socketError = m_tlsError.isEmpty() ? m_socket->errorString() : m_tlsError;
        KubeRequest request;
        request.path = path();
        request.query.addQueryItem(u"ports"_s, QString::number(m_forward->podPort(m_pod)));
        request.timeoutMs = 10000;
        m_forward->m_client->send(request, this, [this, socketError](const KubeResponse &response) {
            // "Upgrade request required" means the plain request got as far as the pod: the server
            // had nothing against it, so the socket's own error is the better clue.
            const bool told = !response.ok() && !response.error.isEmpty() &&
                              !response.status.message.startsWith(u"Upgrade request required");
            // The credential had expired: the plain request got a fresh one (a 401 makes the client
            // ask its CredentialSource again, once), so the WebSocket gets one more try with it.
            if (!told && socketError.contains(u"code: 401") && !m_retriedAuthorization) {
                m_retriedAuthorization = true;
                m_diagnosing = false;
                m_tlsError.clear();
                m_socket->disconnect(this);
                m_socket->deleteLater();
                m_socket = nullptr;
                open(m_pod);
                return;
            }
            fail(told ? response.error
                      : PortForward::tr("Could not open a port-forward to pod %1 port %2: %3")
                            .arg(m_pod, QString::number(m_forward->podPort(m_pod)), socketError));
        });
    }

    void remoteClosed()
    {
        if (m_done)
            return;
        if (!m_connected) {
            diagnose();
            return;
        }
        // The pod's end hung up: let the client read what was sent, then hang up too.
        m_done = true;
        if (m_local->state() == QAbstractSocket::UnconnectedState)
            deleteLater();
        else
            m_local->disconnectFromHost();
    }

    void localClosed()
    {
        m_done = true;
        if (m_socket && m_socket->state() != QAbstractSocket::UnconnectedState)
            m_socket->close();
        deleteLater();
    }

    void fail(const QString &message)
    {
        if (m_done)
            return;
        m_done = true;
        m_forward->reportFailure(message);
        if (m_socket)
            m_socket->abort();
        // What the pod sent before the error still reaches the local program, as with kubectl (an
        // abort would drop what is not yet written): close gracefully, then go (localClosed()).
        if (m_local->state() == QAbstractSocket::UnconnectedState)
            deleteLater();
        else
            m_local->disconnectFromHost();
    }

    PortForward *m_forward;
    QTcpSocket *m_local;
    QWebSocket *m_socket = nullptr;
    QString m_pod;
    QString m_tlsError;
    QTimer m_waitTimer;
    int m_headerLeft[2] = {2, 2};
    bool m_connected = false;
    bool m_diagnosing = false;
    bool m_retriedAuthorization = false;
    bool m_done = false;
};

PortForward::PortForward(KubeClient *client, ForwardTarget target, quint16 remotePort, quint16 localPort,
                         QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_target(std::move(target))
    , m_remotePort(remotePort)
    , m_localPort(localPort)
{
    m_bytesTimer.setInterval(250);
    m_bytesTimer.setSingleShot(true);
    connect(&m_bytesTimer, &QTimer::timeout, this, [this] {
        if (!m_bytesDirty)
            return;
        m_bytesDirty = false;
        emit bytesChanged(m_bytesIn, m_bytesOut);
    });
}

PortForward::~PortForward()
{
    // Connections reach back into this object: delete them while it is still whole.
    const QList<ForwardConnection *> connections = m_connections;
    qDeleteAll(connections);
    delete m_watch;
}

int PortForward::connectionCount() const
{
    return int(m_connections.size());
}

void PortForward::start()
{
    ++m_generation;
    m_listed = false;
    setState(State::Starting, tr("waiting for %1").arg(m_target.describe()));
    m_server = new QTcpServer(this);
    connect(m_server, &QTcpServer::newConnection, this, &PortForward::accept);
    // Loopback only: a forward must not open the cluster to the local network.
    if (!m_server->listen(QHostAddress::LocalHost, m_localPort)) {
        stop(tr("Cannot listen on 127.0.0.1:%1: %2. Choose another local port, or 0 for a free one.")
                 .arg(QString::number(m_localPort), m_server->errorString()));
        return;
    }
    m_localPort = m_server->serverPort();
    if (m_target.kind == ForwardTarget::Kind::Pod)
        watchPods({});
    else
        resolveOwner();
}

void PortForward::stop(const QString &reason)
{
    ++m_generation;
    const QList<ForwardConnection *> connections = m_connections;
    for (ForwardConnection *connection : connections)
        connection->close();
    if (m_watch) {
        m_watch->disconnect(this);
        m_watch->deleteLater();
    }
    if (m_server) {
        m_server->close();
        m_server->deleteLater();
        m_server = nullptr;
    }
    m_pod.clear();
    //: the state of a port-forward that was stopped
    setState(State::Stopped, reason.isEmpty() ? tr("stopped") : reason);
}

void PortForward::setState(State state, const QString &reason)
{
    if (state == m_state && reason == m_stateReason)
        return;
    m_state = state;
    m_stateReason = reason;
    qCDebug(lcForward) << m_target.describe() << state << reason;
    emit stateChanged(state, reason);
}

// A StatefulSet's or Service's selector names the pods to watch.
void PortForward::resolveOwner()
{
    const bool statefulSet = m_target.kind == ForwardTarget::Kind::StatefulSet;
    const ResourceKind kind = statefulSet ? ResourceKind::statefulSets() : ResourceKind::services();
    const int generation = m_generation;
    m_client->get(kind, m_target.ns, m_target.name, this,
                  [this, generation, statefulSet](const KubeResponse &response) {
                      if (generation != m_generation)
                          return;
                      if (!response.ok()) {
                          stop(response.error);
                          return;
                      }
                      const QJsonObject object = response.json();
                      const QJsonObject spec = object.value(u"spec").toObject();
                      LabelSelector selector;
                      if (statefulSet) {
                          m_ownerUid = object.value(u"metadata").toObject().value(u"uid").toString();
                          selector = LabelSelector::fromObject(spec.value(u"selector").toObject());
                      } else {
                          selector = LabelSelector::fromObject(
                              QJsonObject{{u"matchLabels"_s, spec.value(u"selector").toObject()}});
                          if (!mapServicePort(spec.value(u"ports").toArray()))
                              return;
                      }
                      if (selector.isEmpty()) {
                          stop(tr("%1 has no pod selector, so there is no pod to forward to. Forward to a "
                                  "pod instead.")
                                   .arg(m_target.describe()));
                          return;
                      }
                      watchPods(selector.toString());
                  });
}

// kubectl port-forward svc/NAME PORT: PORT is the Service's port; the pods are reached on its
// targetPort (the same number when not given; a name is a container port's name).
bool PortForward::mapServicePort(const QJsonArray &ports)
{
    QStringList known;
    for (const QJsonValue &value : ports) {
        const QJsonObject port = value.toObject();
        known.append(QString::number(port.value(u"port").toInt()));
        if (port.value(u"port").toInt() != m_remotePort)
            continue;
        const QJsonValue target = port.value(u"targetPort");
        m_targetPort = target.isDouble() ? quint16(target.toInt()) : 0;
        m_targetPortName = target.isString() ? target.toString() : QString();
        if (target.isString() && target.toString().toUInt() > 0) {
            m_targetPort = quint16(target.toString().toUInt());
            m_targetPortName.clear();
        }
        return true;
    }
    //: the ports of a Service that has none
    const QString portList = known.isEmpty() ? tr("none") : known.join(u", ");
    stop(tr("%1 has no port %2 (its ports: %3). Forward one of those.")
             .arg(m_target.describe(), QString::number(m_remotePort), portList));
    return false;
}

quint16 PortForward::podPort(const QString &pod) const
{
    if (!m_targetPortName.isEmpty() && m_watch) {
        const QJsonObject object = m_watch->objects().value(m_target.ns + u'/' + pod);
        for (const QJsonValue &container : object.value(u"spec").toObject().value(u"containers").toArray()) {
            for (const QJsonValue &port : container.toObject().value(u"ports").toArray()) {
                if (port.toObject().value(u"name").toString() == m_targetPortName)
                    return quint16(port.toObject().value(u"containerPort").toInt());
            }
        }
    }
    return m_targetPort != 0 ? m_targetPort : m_remotePort;
}

void PortForward::watchPods(const QString &labelSelector)
{
    ListOptions options;
    if (labelSelector.isEmpty())
        options.fieldSelector = u"metadata.name="_s + m_target.name;
    else
        options.labelSelector = labelSelector;
    m_watch = new ResourceWatch(m_client, ResourceKind::pods(), m_target.ns, options, this);
    connect(m_watch, &ResourceWatch::reset, this, [this] {
        m_listed = true;
        reevaluate();
    });
    connect(m_watch, &ResourceWatch::added, this, &PortForward::reevaluate);
    connect(m_watch, &ResourceWatch::modified, this, &PortForward::reevaluate);
    connect(m_watch, &ResourceWatch::deleted, this, &PortForward::reevaluate);
    connect(m_watch, &ResourceWatch::stateChanged, this,
            [this](ResourceWatch::State state, const QString &reason) {
                if (state == ResourceWatch::State::Stopped) {
                    stop(tr("Cannot watch the pods of %1: %2").arg(m_target.describe(), reason));
                } else if (state == ResourceWatch::State::Reconnecting && !m_listed) {
                    // Before the first list nothing else says why no pod is found (an API server
                    // that cannot be verified, or not reached): the watch's reason does.
                    setState(m_state, tr("waiting for %1: %2").arg(m_target.describe(), reason));
                }
            });
    m_watch->start();
}

bool PortForward::ownsPod(const QJsonObject &pod) const
{
    if (m_target.kind != ForwardTarget::Kind::StatefulSet)
        return true; // the watch's selector already chose
    const QJsonArray owners = pod.value(u"metadata").toObject().value(u"ownerReferences").toArray();
    return std::any_of(owners.begin(), owners.end(), [this](const QJsonValue &value) {
        const QJsonObject owner = value.toObject();
        return owner.value(u"kind").toString() == u"StatefulSet" &&
               owner.value(u"name").toString() == m_target.name &&
               (m_ownerUid.isEmpty() || owner.value(u"uid").toString() == m_ownerUid);
    });
}

QString PortForward::choosePod(QString *why) const
{
    QList<QJsonObject> ready;
    int owned = 0;
    for (const QJsonObject &pod : m_watch->objects()) {
        if (!ownsPod(pod))
            continue;
        ++owned;
        if (notReadyReason(pod).isEmpty())
            ready.append(pod);
    }
    if (ready.isEmpty()) {
        *why =
            owned == 0
                ? tr("%1 has no pods").arg(m_target.describe())
                : tr("none of the %1 pods of %2 is ready").arg(QString::number(owned), m_target.describe());
        return {};
    }
    const auto lower = [](const QJsonObject &a, const QJsonObject &b) {
        const QString left = podName(a);
        const QString right = podName(b);
        return std::make_pair(ordinal(left), left) < std::make_pair(ordinal(right), right);
    };
    return podName(*std::min_element(ready.begin(), ready.end(), lower));
}

// The watched pods changed: keep the serving pod while it is Ready, or stop or re-target.
void PortForward::reevaluate()
{
    if (m_state == State::Stopped || !m_listed || !m_watch)
        return;
    const bool podTarget = m_target.kind == ForwardTarget::Kind::Pod;
    const QString current = m_pod.isEmpty() && podTarget ? m_target.name : m_pod;
    QString lost;
    if (!current.isEmpty()) {
        const auto found = m_watch->objects().constFind(m_target.ns + u'/' + current);
        if (found == m_watch->objects().constEnd()) {
            lost = m_pod.isEmpty() ? tr("pod %1 was not found in namespace %2").arg(current, m_target.ns)
                                   : tr("pod %1 was deleted").arg(current);
        } else if (const QString why = notReadyReason(*found); !why.isEmpty()) {
            lost = tr("pod %1 is not ready: %2").arg(current, why);
        }
        if (lost.isEmpty()) {
            m_pod = current;
            setState(State::Active,
                     tr("forwarding 127.0.0.1:%1 to pod %2 port %3")
                         .arg(QString::number(m_localPort), m_pod, QString::number(podPort(m_pod))));
            openWaiting();
            return;
        }
        m_pod.clear();
        dropConnectionsTo(current);
        if (podTarget) {
            stop(lost);
            return;
        }
    }
    QString none;
    const QString next = choosePod(&none);
    if (next.isEmpty()) {
        QString reason;
        if (lost.isEmpty()) {
            //: %1 says why no pod can serve
            reason = tr("%1; waiting for a ready pod").arg(none);
        } else {
            //: %1 says why the pod served last is gone, %2 why no other pod can serve
            reason = tr("%1; %2; waiting for a ready pod").arg(lost, none);
        }
        setState(m_state == State::Starting ? State::Starting : State::Reconnecting, reason);
        return;
    }
    m_pod = next;
    const QString localPort = QString::number(m_localPort);
    const QString remotePort = QString::number(podPort(m_pod));
    if (lost.isEmpty()) {
        setState(State::Active,
                 tr("forwarding 127.0.0.1:%1 to pod %2 port %3").arg(localPort, m_pod, remotePort));
    } else {
        //: %4 says why the pod served before is gone
        setState(
            State::Active,
            tr("forwarding 127.0.0.1:%1 to pod %2 port %3 (%4)").arg(localPort, m_pod, remotePort, lost));
    }
    openWaiting();
}

void PortForward::accept()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        auto *connection = new ForwardConnection(this, socket);
        if (m_state == State::Active)
            connection->open(m_pod);
        else
            connection->wait(m_queueTimeoutMs);
    }
}

void PortForward::openWaiting()
{
    const QList<ForwardConnection *> connections = m_connections;
    for (ForwardConnection *connection : connections) {
        if (connection->waiting())
            connection->open(m_pod);
    }
}

void PortForward::dropConnectionsTo(const QString &pod)
{
    const QList<ForwardConnection *> connections = m_connections;
    for (ForwardConnection *connection : connections) {
        if (connection->pod() == pod)
            connection->close();
    }
}

void PortForward::countIn(qint64 bytes)
{
    m_bytesIn += bytes;
    m_bytesDirty = true;
    if (!m_bytesTimer.isActive())
        m_bytesTimer.start();
}

void PortForward::countOut(qint64 bytes)
{
    m_bytesOut += bytes;
    m_bytesDirty = true;
    if (!m_bytesTimer.isActive())
        m_bytesTimer.start();
}

void PortForward::reportFailure(const QString &message)
{
    qCDebug(lcForward) << m_target.describe() << message;
    emit connectionFailed(message);
}

} // namespace tdkube::kube
