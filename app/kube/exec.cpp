#include "kube/exec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

using namespace Qt::StringLiterals;

namespace tdkube::kube {

namespace {

Q_LOGGING_CATEGORY(lcExec, "tdkube.kube.exec", QtWarningMsg)

constexpr quint8 kStdin = 0;
constexpr quint8 kStdout = 1;
constexpr quint8 kStderr = 2;
constexpr quint8 kStatus = 3;
constexpr quint8 kClose = 255; // v5: [255, channel] half-closes that channel

const QString kV5 = u"v5.channel.k8s.io"_s;
const QString kV4 = u"v4.channel.k8s.io"_s;

// The exit code in a NonZeroExitCode Status: details.causes[{reason: ExitCode, message: "N"}].
int exitCodeOf(const QJsonObject &status)
{
    const QJsonArray causes = status.value(u"details").toObject().value(u"causes").toArray();
    for (const QJsonValue &cause : causes) {
        if (cause[u"reason"].toString() != u"ExitCode")
            continue;
        bool ok = false;
        const int code = cause[u"message"].toString().toInt(&ok);
        if (ok)
            return code;
    }
    return -1;
}

} // namespace

ExecSession::ExecSession(KubeClient *client, QString ns, QString pod, QString container, QStringList command,
                         bool withStdin, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_ns(std::move(ns))
    , m_pod(std::move(pod))
    , m_container(std::move(container))
    , m_command(std::move(command))
    , m_withStdin(withStdin)
{
}

ExecSession::~ExecSession()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

ExecSession *ExecSession::run(KubeClient *client, const QString &ns, const QString &pod,
                              const QStringList &command, QObject *parent)
{
    auto *session = new ExecSession(client, ns, pod, {}, command, false, parent);
    connect(session, &ExecSession::finished, session, &QObject::deleteLater);
    session->start();
    return session;
}

QString ExecSession::protocol() const
{
    return m_socket ? m_socket->subprotocol() : QString();
}

QString ExecSession::describe() const
{
    const QString command = m_command.join(u' ');
    if (m_container.isEmpty())
        return tr("`%1` in pod %2").arg(command, m_pod);
    return tr("`%1` in container %2 of pod %3").arg(command, m_container, m_pod);
}

QUrlQuery ExecSession::query() const
{
    QUrlQuery query;
    // QUrlQuery takes "%41" as already encoded; a command's '%' is a character of its own.
    for (const QString &word : m_command)
        query.addQueryItem(u"command"_s, QString(word).replace(u'%', u"%25"_s));
    if (!m_container.isEmpty())
        query.addQueryItem(u"container"_s, QString(m_container).replace(u'%', u"%25"_s));
    if (m_withStdin)
        query.addQueryItem(u"stdin"_s, u"true"_s);
    query.addQueryItem(u"stdout"_s, u"true"_s);
    query.addQueryItem(u"stderr"_s, u"true"_s);
    return query;
}

QString ExecSession::path() const
{
    return ResourceKind::pods().path(m_ns, m_pod, u"exec"_s);
}

void ExecSession::start()
{
    if (m_requested)
        return;
    m_requested = true;
    if (m_command.isEmpty()) {
        finish(-1, tr("Nothing to run in pod %1: the command is empty. Enter a command such as "
                      "taos -s \"show dnodes\".")
                       .arg(m_pod));
        return;
    }
    m_client->webSocketRequest(path(), query(), this,
                               [this](const QNetworkRequest &request, const QString &error) {
                                   if (m_done)
                                       return;
                                   if (!error.isEmpty())
                                       finish(-1, tr("Could not run %1: %2").arg(describe(), error));
                                   else
                                       connectSocket(request);
                               });
}

void ExecSession::connectSocket(const QNetworkRequest &request)
{
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket->setSslConfiguration(request.sslConfiguration());
    m_socket->setProxy(m_client->proxy());
    connect(m_socket, &QWebSocket::connected, this, [this] {
        m_started = true;
        qCDebug(lcExec) << describe() << "speaks" << m_socket->subprotocol();
        emit started();
        flushStdin();
    });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &ExecSession::onMessage);
    connect(m_socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &text) { onMessage(text.toUtf8()); });
    connect(m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        if (m_client->acceptsForTlsServerName(errors)) {
            m_socket->ignoreSslErrors(errors);
            return;
        }
        QStringList texts;
        for (const QSslError &error : errors)
            texts.append(error.errorString());
        m_tlsError = texts.join(u"; "_s);
    });
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            &ExecSession::socketError);
    connect(m_socket, &QWebSocket::disconnected, this, &ExecSession::onDisconnected);
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({kV5, kV4});
    m_socket->open(request, options);
}

void ExecSession::onMessage(const QByteArray &message)
{
    if (message.isEmpty() || m_done)
        return;
    const quint8 channel = quint8(message.at(0));
    const QByteArray payload = message.mid(1);
    // The server's first, empty frame only says that the stream is established.
    if (payload.isEmpty())
        return;
    switch (channel) {
    case kStdout:
        emit output(payload, false);
        break;
    case kStderr:
        emit output(payload, true);
        break;
    case kStatus:
        m_status += payload;
        break;
    default:
        break;
    }
}

void ExecSession::writeStdin(const QByteArray &data)
{
    if (!m_withStdin || m_stdinClosed || m_done || data.isEmpty())
        return;
    m_pendingStdin += data;
    flushStdin();
}

void ExecSession::closeStdin()
{
    if (!m_withStdin || m_stdinClosed)
        return;
    m_stdinClosed = true;
    flushStdin();
}

void ExecSession::flushStdin()
{
    if (!m_started || m_done || !m_socket)
        return;
    // Frames of at most 32 KiB, as kubectl writes them.
    constexpr qsizetype kChunk = 32 * 1024;
    for (qsizetype at = 0; at < m_pendingStdin.size(); at += kChunk)
        m_socket->sendBinaryMessage(char(kStdin) + m_pendingStdin.mid(at, kChunk));
    m_pendingStdin.clear();
    if (m_stdinClosed && !m_stdinCloseSent && m_socket->subprotocol() == kV5) {
        m_stdinCloseSent = true;
        // Byte by byte: QByteArray{char(kClose), char(kStdin)} is QByteArray(qsizetype size, char),
        // and a size of char(255) == -1 is an empty message, which the server skips: stdin would
        // never end and the command never run.
        QByteArray close;
        close.append(char(kClose)).append(char(kStdin));
        m_socket->sendBinaryMessage(close);
    }
}

void ExecSession::cancel()
{
    if (m_done)
        return;
    finish(-1, tr("Cancelled: %1 was stopped before it finished.").arg(describe()));
}

void ExecSession::socketError()
{
    if (m_done)
        return;
    if (m_started) {
        qCDebug(lcExec) << "exec WebSocket error" << m_socket->errorString();
        onDisconnected();
        return;
    }
    diagnose();
}

void ExecSession::onDisconnected()
{
    if (m_done)
        return;
    if (!m_started) {
        diagnose();
        return;
    }
    reportStatus();
}

void ExecSession::reportStatus()
{
    if (m_status.isEmpty()) {
        //: why the connection closed, when the socket does not say
        const QString why = m_socket ? m_socket->errorString() : tr("closed");
        finish(-1, tr("%1 ended without an exit status: the connection to the API server closed (%2). "
                      "Run it again; if it keeps happening, check the pod's events.")
                       .arg(describe(), why));
        return;
    }
    const QJsonObject status = QJsonDocument::fromJson(m_status).object();
    if (status.isEmpty()) {
        // Not a Status: the oldest protocol's plain message.
        finish(-1, tr("%1 failed: %2").arg(describe(), QString::fromUtf8(m_status).trimmed()));
        return;
    }
    if (status.value(u"status").toString() == u"Success") {
        finish(0, {});
        return;
    }
    const QString message = status.value(u"message").toString();
    if (status.value(u"reason").toString() == u"NonZeroExitCode") {
        const int code = exitCodeOf(status);
        if (code >= 0) {
            finish(code, {});
            return;
        }
    }
    finish(-1, tr("Could not run %1: %2")
                   .arg(describe(), message.isEmpty() ? QString::fromUtf8(m_status) : message));
}

// The handshake failed. QWebSocket keeps only the HTTP code, so ask again without upgrading:
// the API server answers with the Status that says why (Forbidden, no such pod or container).
void ExecSession::diagnose()
{
    if (m_diagnosing || m_done)
        return;
    m_diagnosing = true;
    const QString socketError = m_tlsError.isEmpty() ? m_socket->errorString() : m_tlsError;
    KubeRequest request;
    request.path = path();
    request.query = query();
    request.timeoutMs = 10000;
    m_client->send(request, this, [this, socketError](const KubeResponse &response) {
        // "Upgrade request required" means the plain request passed every check the server makes
        // before upgrading, so the socket's own error is the better clue.
        const bool told = !response.ok() && !response.error.isEmpty() &&
                          !response.status.message.startsWith(u"Upgrade request required");
        // The credential had expired: the plain request got a fresh one (a 401 makes the client ask
        // its CredentialSource again, once). Nothing ran, so the command gets one more try.
        if (!told && socketError.contains(u"code: 401") && !m_retriedAuthorization) {
            m_retriedAuthorization = true;
            m_diagnosing = false;
            m_requested = false;
            m_tlsError.clear();
            if (m_socket) {
                m_socket->disconnect(this);
                m_socket->deleteLater();
            }
            start();
            return;
        }
        finish(-1, tr("Could not run %1: %2").arg(describe(), told ? response.error : socketError));
    });
}

void ExecSession::finish(int exitCode, const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    if (m_socket) {
        m_socket->disconnect(this);
        if (m_socket->state() != QAbstractSocket::UnconnectedState)
            m_socket->abort();
    }
    qCDebug(lcExec) << describe() << "finished" << exitCode << error;
    emit finished(exitCode, error);
}

} // namespace tdkube::kube
