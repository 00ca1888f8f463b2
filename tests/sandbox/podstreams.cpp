#include "podstreams.h"

#include "apierror.h"
#include "httpserver.h"
#include "podruntime.h"
#include "websocket.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

constexpr char kV5Protocol[] = "v5.channel.k8s.io";
constexpr char kV4Protocol[] = "v4.channel.k8s.io";
constexpr char kV1Protocol[] = "channel.k8s.io";

constexpr quint8 kStdinChannel = 0;
constexpr quint8 kStdoutChannel = 1;
constexpr quint8 kStderrChannel = 2;
constexpr quint8 kErrorChannel = 3;
constexpr quint8 kCloseSignal = 255; // v5: [255, channel] half-closes that channel

// The kubelet writes output in pieces of about this size; clients read frames of any size.
constexpr qsizetype kFrameChunk = qsizetype(32) * 1024;
// Before v5 a client cannot say that stdin ended: the command runs once stdin was quiet this long.
constexpr int kStdinQuietMs = 250;
constexpr int kExecStartMs = 100;

// ----- shared helpers ---------------------------------------------------------------------------

void sendStatus(HttpExchange *exchange, const ApiError &error)
{
    exchange->respond(error.code, "application/json",
                      QJsonDocument(error.toStatus()).toJson(QJsonDocument::Compact) + '\n');
}

// What the kubelet answers itself (plain text), passed through by the API server's proxy.
void sendKubeletError(HttpExchange *exchange, int code, const QString &message)
{
    exchange->respond(code, "text/plain; charset=utf-8", message.toUtf8());
}

QStringList queryValues(const HttpRequest &request, const QByteArray &name)
{
    return request.query.allQueryItemValues(QString::fromLatin1(name), QUrl::FullyDecoded);
}

QString queryValue(const HttpRequest &request, const QByteArray &name)
{
    return queryValues(request, name).value(0);
}

// strconv.ParseBool, which the API server's parameter codec uses ("true", "1", "True", ...).
bool queryBool(const HttpRequest &request, const QByteArray &name)
{
    const QString value = queryValue(request, name);
    return value == u"1" || value == u"t" || value == u"T" || value == u"true" || value == u"TRUE" ||
           value == u"True";
}

QString podName(const QJsonObject &pod)
{
    return pod.value(u"metadata").toObject().value(u"name").toString();
}

QStringList containerNames(const QJsonObject &pod, const QString &field)
{
    QStringList names;
    const QJsonArray containers = pod.value(u"spec").toObject().value(field).toArray();
    for (const auto &container : containers)
        names.append(container.toObject().value(u"name").toString());
    return names;
}

bool containerRunning(const QJsonObject &pod, const QString &container)
{
    const QJsonObject status = pod.value(u"status").toObject();
    for (const QString &field : {u"containerStatuses"_s, u"initContainerStatuses"_s}) {
        const QJsonArray statuses = status.value(field).toArray();
        for (const auto &value : statuses) {
            const QJsonObject containerStatus = value.toObject();
            if (containerStatus.value(u"name").toString() == container)
                return containerStatus.value(u"state").toObject().contains(u"running");
        }
    }
    return false;
}

bool anyContainerRunning(const QJsonObject &pod)
{
    for (const QString &container : containerNames(pod, u"containers"_s)) {
        if (containerRunning(pod, container))
            return true;
    }
    return false;
}

// The API server's check before it proxies exec or port-forward to the node.
bool hasHost(HttpExchange *exchange, const QJsonObject &pod)
{
    if (!pod.value(u"spec").toObject().value(u"nodeName").toString().isEmpty())
        return true;
    sendStatus(exchange,
               ApiError::badRequest(u"pod "_s + podName(pod) + u" does not have a host assigned"_s));
    return false;
}

// The upgrade checks shared by exec and port-forward; answers 400 and returns false when the
// request cannot become one of our WebSocket streams. kubectl falls back to SPDY after any failed
// upgrade, and we do not speak SPDY: say so rather than leave it guessing.
bool acceptable(HttpExchange *exchange, const WebSocket::Handshake &handshake,
                const QList<QByteArray> &supported)
{
    QString message;
    if (!handshake.isUpgrade) {
        message = u"Upgrade request required"_s;
    } else if (!handshake.isWebSocket) {
        message =
            u"Upgrade request required: tdkube-sandbox serves exec and port-forward over WebSocket only, "
            u"not "_s +
            QString::fromLatin1(exchange->request().header("upgrade"));
    } else if (!handshake.error.isEmpty()) {
        message = handshake.error;
    } else if (!handshake.protocolMatched) {
        QStringList names;
        for (const QByteArray &protocol : supported)
            names.append(QString::fromLatin1(protocol));
        message = u"requested protocol(s) are not supported: ["_s +
                  QString::fromLatin1(exchange->request().header("sec-websocket-protocol")) +
                  u"]; supports ["_s + names.join(u' ') + u']';
    }
    if (message.isEmpty())
        return true;
    sendStatus(exchange, ApiError::badRequest(message));
    return false;
}

void sendOnChannel(WebSocket *socket, quint8 channel, const QByteArray &data)
{
    for (qsizetype at = 0; at < data.size(); at += kFrameChunk)
        socket->sendBinary(char(channel) + data.mid(at, kFrameChunk));
}

// A JSON string literal (quotes and escapes included).
QByteArray jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

// A metav1.Status as json.Marshal writes it on the error channel: Go's field order, empty
// fields left out, no kind or apiVersion.
QByteArray statusJson(bool success, const QString &message = {}, const QString &reason = {},
                      const QByteArray &causes = {}, int code = 0)
{
    QByteArray json = "{\"metadata\":{},\"status\":" + jsonString(success ? u"Success"_s : u"Failure"_s);
    if (!message.isEmpty())
        json += ",\"message\":" + jsonString(message);
    if (!reason.isEmpty())
        json += ",\"reason\":" + jsonString(reason);
    if (!causes.isEmpty())
        json += ",\"details\":{\"causes\":[" + causes + "]}";
    if (code != 0)
        json += ",\"code\":" + QByteArray::number(code);
    return json + '}';
}

// ----- exec -------------------------------------------------------------------------------------

enum class ExecProtocol { V1, V4, V5 };

struct ExecOptions
{
    QStringList command;
    QString container;
    bool stdinWanted = false;
    bool stdoutWanted = false;
    bool stderrWanted = false;
    bool tty = false;
};

// The container the request names or, when it names none, the pod's only one (the API server's
// streamLocation). Answers 400 and returns an empty string when there is no such container.
QString resolveContainer(HttpExchange *exchange, const QJsonObject &pod, const QString &requested)
{
    const QStringList containers = containerNames(pod, u"containers"_s);
    const QStringList initContainers = containerNames(pod, u"initContainers"_s);
    QString message;
    if (!requested.isEmpty()) {
        if (containers.contains(requested) || initContainers.contains(requested))
            return requested;
        message = u"container "_s + requested + u" is not valid for pod "_s + podName(pod);
    } else if (containers.size() == 1) {
        return containers.first();
    } else if (containers.isEmpty()) {
        message = u"a container name must be specified for pod "_s + podName(pod);
    } else {
        message = u"a container name must be specified for pod "_s + podName(pod) + u", choose one of: ["_s +
                  containers.join(u' ') + u']';
        if (!initContainers.isEmpty())
            message += u" or one of the init containers: ["_s + initContainers.join(u' ') + u']';
    }
    sendStatus(exchange, ApiError::badRequest(message));
    return {};
}

ExecOptions execOptions(const HttpRequest &request)
{
    ExecOptions options;
    options.command = queryValues(request, "command");
    options.container = queryValue(request, "container");
    options.stdinWanted = queryBool(request, "stdin");
    options.stdoutWanted = queryBool(request, "stdout");
    options.tty = queryBool(request, "tty");
    // The kubelet drops stderr with a TTY: the terminal carries both.
    options.stderrWanted = queryBool(request, "stderr") && !options.tty;
    return options;
}

// What a terminal does to output: LF becomes CRLF.
QByteArray throughTerminal(QByteArray data)
{
    data.replace("\r\n", "\n");
    return data.replace("\n", "\r\n");
}

// One exec session: collects stdin, runs the command, reports, closes. Owned by the runtime so it
// never outlives it; deletes itself when the connection is gone.
class ExecSession final : public QObject
{
public:
    ExecSession(WebSocket *socket, ExecOptions options, const QJsonObject &pod, PodRuntime *runtime)
        : QObject(runtime)
        , m_socket(socket)
        , m_options(std::move(options))
        , m_pod(pod)
        , m_runtime(runtime)
    {
        m_socket->setParent(this);
        const QByteArray protocol = m_socket->protocol();
        m_protocol = protocol == kV5Protocol   ? ExecProtocol::V5
                     : protocol == kV4Protocol ? ExecProtocol::V4
                                               : ExecProtocol::V1;
        connect(m_socket, &WebSocket::binaryReceived, this, &ExecSession::onMessage);
        connect(m_socket, &WebSocket::textReceived, this, &ExecSession::onMessage);
        connect(m_socket, &WebSocket::closed, this, &QObject::deleteLater);
        m_stdinQuiet.setSingleShot(true);
        m_stdinQuiet.setInterval(kStdinQuietMs);
        connect(&m_stdinQuiet, &QTimer::timeout, this, &ExecSession::run);
    }

    void start()
    {
        // A real exec takes the runtime some milliseconds to start, and client-go relies on that:
        // it registers its stdout/stderr/error streams only after the upgrade, so a message that
        // arrives sooner is discarded ("Unknown stream id") and the output is lost.
        QTimer::singleShot(kExecStartMs, this, &ExecSession::begin);
    }

private:
    void begin()
    {
        m_begun = true;
        announce();
        if (!containerRunning(m_pod, m_options.container)) {
            // What the API server's stream translator reports when the kubelet refuses the exec.
            const QString cause =
                u"unable to upgrade connection: container not found (\""_s + m_options.container + u"\")"_s;
            end(statusJson(false, u"Internal error occurred: "_s + cause, u"InternalError"_s,
                           "{\"message\":" + jsonString(cause) + '}', 500),
                cause);
            return;
        }
        // A v5 client may have sent all its stdin and the close signal right after the upgrade.
        if (!m_options.stdinWanted || m_stdinClosed)
            run();
        else if (m_protocol != ExecProtocol::V5)
            m_stdinQuiet.start();
    }

    // The kubelet's "connection established": an empty message on the lowest writable channel.
    void announce()
    {
        const quint8 channel = m_options.stdoutWanted   ? kStdoutChannel
                               : m_options.stderrWanted ? kStderrChannel
                                                        : kErrorChannel;
        m_socket->sendBinary(QByteArray(1, char(channel)));
    }

    void onMessage(const QByteArray &message)
    {
        if (message.isEmpty() || m_running || !m_options.stdinWanted)
            return;
        const quint8 channel = quint8(message.at(0));
        // Stdin that comes before begin() is kept for the command, which runs only once begin()
        // has announced the stream and checked the container (the quiet period starts there too).
        if (channel == kStdinChannel) {
            m_stdin += message.mid(1);
            if (m_begun && m_protocol != ExecProtocol::V5)
                m_stdinQuiet.start();
        } else if (channel == kCloseSignal && m_protocol == ExecProtocol::V5 && message.size() >= 2 &&
                   quint8(message.at(1)) == kStdinChannel) {
            m_stdinClosed = true;
            if (m_begun)
                run();
        }
        // Resize messages (channel 4) change nothing for a command that has not run yet.
    }

    void run()
    {
        if (m_running)
            return;
        m_running = true;
        m_stdinQuiet.stop();
        if (!m_runtime) {
            end(statusJson(false, u"Internal error occurred: the pod runtime is gone"_s, u"InternalError"_s,
                           {}, 500),
                u"the pod runtime is gone"_s);
            return;
        }
        QPointer<ExecSession> self(this);
        m_runtime->exec(m_pod, m_options.container, m_options.command, m_stdin,
                        [self](const PodRuntime::ExecResult &result) {
                            if (self)
                                self->finish(result);
                        });
    }

    void finish(const PodRuntime::ExecResult &result)
    {
        QByteArray out = result.stdoutData;
        if (m_options.tty)
            out = throughTerminal(out + result.stderrData);
        if (m_options.stdoutWanted)
            sendOnChannel(m_socket, kStdoutChannel, out);
        if (m_options.stderrWanted)
            sendOnChannel(m_socket, kStderrChannel, result.stderrData);
        if (result.exitCode == 0) {
            end(statusJson(true), {});
            return;
        }
        const QString message =
            u"command terminated with non-zero exit code: "_s + exitError(result.exitCode);
        end(statusJson(false, message, u"NonZeroExitCode"_s,
                       "{\"reason\":\"ExitCode\",\"message\":\"" + QByteArray::number(result.exitCode) +
                           "\"}"),
            message);
    }

    // The exit error inside the message: v5 goes through the API server's stream translator, which
    // words what client-go's SPDY side made of the kubelet's status; older protocols reach the
    // kubelet directly and carry containerd's words.
    QString exitError(int exitCode) const
    {
        if (m_protocol == ExecProtocol::V5)
            return u"command terminated with exit code "_s + QString::number(exitCode);
        return u"error executing command ["_s + m_options.command.join(u' ') + u"], exit code "_s +
               QString::number(exitCode);
    }

    // The last word: v4 and v5 send a Status; the first protocol sends only a failure's message.
    void end(const QByteArray &status, const QString &failure)
    {
        if (m_protocol != ExecProtocol::V1)
            sendOnChannel(m_socket, kErrorChannel, status);
        else if (!failure.isEmpty())
            sendOnChannel(m_socket, kErrorChannel, failure.toUtf8());
        m_socket->close(1000);
    }

    WebSocket *m_socket;
    ExecOptions m_options;
    QJsonObject m_pod;
    QPointer<PodRuntime> m_runtime;
    ExecProtocol m_protocol = ExecProtocol::V1;
    QByteArray m_stdin;
    QTimer m_stdinQuiet;
    bool m_begun = false;       // announced, container checked: the command may run
    bool m_stdinClosed = false; // v5 close signal for stdin
    bool m_running = false;
};

// ----- port-forward -----------------------------------------------------------------------------

// The ports query as the kubelet parses it: repeated and/or comma-separated, 1..65535.
QList<int> parsePorts(const HttpRequest &request, QString *error)
{
    const QStringList values = queryValues(request, "ports");
    if (values.isEmpty()) {
        *error = u"query parameter \"ports\" is required"_s;
        return {};
    }
    QList<int> ports;
    for (const QString &value : values) {
        if (value.isEmpty()) {
            *error = u"query parameter \"ports\" cannot be empty"_s;
            return {};
        }
        for (const QString &part : value.split(u',')) {
            bool ok = false;
            const uint port = part.toUInt(&ok);
            if (!ok || port > 65535) {
                *error = u"unable to parse \""_s + value + u"\" as a port: strconv.ParseUint: parsing \""_s +
                         part + (ok ? u"\": value out of range"_s : u"\": invalid syntax"_s);
                return {};
            }
            if (port < 1) {
                *error = u"port \""_s + value + u"\" must be > 0"_s;
                return {};
            }
            ports.append(int(port));
        }
    }
    return ports;
}

bool hasToken(const QByteArray &value, const QByteArray &token)
{
    for (const QByteArray &part : value.split(',')) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool closesConnection(const HttpRequest &request)
{
    const QByteArray connection = request.header("connection");
    if (request.version == "HTTP/1.0")
        return !hasToken(connection, "keep-alive");
    return hasToken(connection, "close");
}

QByteArray responseBytes(const PodRuntime::HttpReply &reply, bool headRequest, bool close)
{
    QList<std::pair<QByteArray, QByteArray>> headers;
    bool hasDate = false;
    for (const auto &[name, value] : reply.headers) {
        const QByteArray lower = name.toLower();
        if (lower == "content-length" || lower == "transfer-encoding" || lower == "connection")
            continue; // framing is ours: the body is whole
        hasDate = hasDate || lower == "date";
        headers.append(std::pair<QByteArray, QByteArray>(name, value));
    }
    if (!hasDate)
        headers.append(std::pair<QByteArray, QByteArray>("Date", httpDate()));
    headers.append(
        std::pair<QByteArray, QByteArray>("Content-Length", QByteArray::number(reply.body.size())));
    headers.append(std::pair<QByteArray, QByteArray>("Connection", close ? "close" : "keep-alive"));
    return serializeHttpResponse(reply.status, headers, headRequest ? QByteArray() : reply.body);
}

// A container runtime's sandbox id and network namespace for the pod: stable, made up.
QByteArray sandboxId(const QJsonObject &pod)
{
    const QJsonObject metadata = pod.value(u"metadata").toObject();
    const QString key =
        metadata.value(u"uid").toString() + metadata.value(u"namespace").toString() + podName(pod);
    return QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex();
}

QByteArray networkNamespace(const QByteArray &id)
{
    const QByteArray h = QCryptographicHash::hash(id, QCryptographicHash::Md5).toHex();
    return "/var/run/netns/cni-" + h.left(8) + '-' + h.mid(8, 4) + '-' + h.mid(12, 4) + '-' + h.mid(16, 4) +
           '-' + h.mid(20, 12);
}

// containerd's words (through the kubelet) when nothing listens on the port in the pod.
QByteArray refusedMessage(const QJsonObject &pod, int port)
{
    const QByteArray id = sandboxId(pod);
    const QByteArray number = QByteArray::number(port);
    return "error forwarding port " + number + " to pod " + id +
           ", uid : failed to execute portforward in network "
           "namespace \"" +
           networkNamespace(id) + "\": failed to connect to localhost:" + number + " inside namespace \"" +
           id + "\", IPv4: dial tcp4 127.0.0.1:" + number +
           ": connect: connection refused IPv6 dial tcp6 [::1]:" + number + ": connect: connection refused ";
}

// One port-forward connection: per port, the HTTP requests on its data channel go to the pod's
// server one at a time and their responses come back in order. The connection closes when every
// port is done (refused, or its HTTP connection closed), as the kubelet does.
class PortForwardSession final : public QObject
{
public:
    PortForwardSession(WebSocket *socket, const QList<int> &ports, const QJsonObject &pod,
                       PodRuntime *runtime)
        : QObject(runtime)
        , m_socket(socket)
        , m_pod(pod)
        , m_runtime(runtime)
    {
        m_socket->setParent(this);
        for (int number : ports) {
            auto port = std::make_shared<Port>();
            port->number = number;
            m_ports.append(port);
        }
        connect(m_socket, &WebSocket::binaryReceived, this, &PortForwardSession::onMessage);
        connect(m_socket, &WebSocket::textReceived, this, &PortForwardSession::onMessage);
        connect(m_socket, &WebSocket::closed, this, &QObject::deleteLater);
    }

    void start()
    {
        for (qsizetype i = 0; i < m_ports.size(); ++i) {
            QByteArray port; // little-endian, as the kubelet writes it
            port.append(char(m_ports.at(i)->number & 0xff)).append(char(m_ports.at(i)->number >> 8));
            m_socket->sendBinary(char(2 * i) + port);
            m_socket->sendBinary(char(2 * i + 1) + port);
        }
        for (qsizetype i = 0; i < m_ports.size(); ++i) {
            if (!m_runtime || !m_runtime->listens(m_pod, m_ports.at(i)->number)) {
                sendOnChannel(m_socket, quint8(2 * i + 1), refusedMessage(m_pod, m_ports.at(i)->number));
                m_ports.at(i)->done = true;
            } else if (const QString endpoint = m_runtime->tcpEndpoint(m_pod, m_ports.at(i)->number);
                       !endpoint.isEmpty()) {
                relay(i, endpoint);
            }
        }
        closeWhenAllDone();
    }

private:
    struct Port
    {
        int number = 0;
        bool done = false;
        bool busy = false; // a request is with the pod's server
        HttpRequestParser parser;
        QTcpSocket *tcp = nullptr; // a real server's port (PodRuntime::tcpEndpoint): bytes both ways
    };

    // The bytes of a port that a real process serves, carried as the kubelet carries them: the
    // data channel to its socket and back; its hang-up (or a refused connection) ends the port.
    void relay(qsizetype index, const QString &endpoint)
    {
        auto *tcp = new QTcpSocket(this);
        m_ports.at(index)->tcp = tcp;
        const int number = m_ports.at(index)->number;
        connect(tcp, &QTcpSocket::readyRead, this,
                [this, tcp, index] { sendOnChannel(m_socket, quint8(2 * index), tcp->readAll()); });
        connect(tcp, &QTcpSocket::disconnected, this, [this, index] {
            if (!m_ports.at(index)->done)
                finishPort(index);
        });
        connect(tcp, &QTcpSocket::errorOccurred, this,
                [this, tcp, index, number](QAbstractSocket::SocketError error) {
                    if (error == QAbstractSocket::RemoteHostClosedError || m_ports.at(index)->done)
                        return;
                    if (tcp->state() != QAbstractSocket::ConnectedState)
                        sendOnChannel(m_socket, quint8(2 * index + 1), refusedMessage(m_pod, number));
                    finishPort(index);
                });
        tcp->connectToHost(endpoint.section(u':', 0, 0), quint16(endpoint.section(u':', 1).toUInt()));
    }

    void onMessage(const QByteArray &message)
    {
        if (message.isEmpty())
            return;
        const quint8 channel = quint8(message.at(0));
        const qsizetype index = channel / 2;
        if (channel % 2 != 0 || index >= m_ports.size() || m_ports.at(index)->done)
            return; // error channels are ours to write; a finished port takes nothing more
        if (QTcpSocket *tcp = m_ports.at(index)->tcp) {
            tcp->write(message.mid(1)); // kept until connected
            return;
        }
        if (m_runtime && !m_runtime->speaksHttp(m_pod, m_ports.at(index)->number))
            return; // taken, never answered
        m_ports.at(index)->parser.feed(message.mid(1));
        serveNext(index);
    }

    void serveNext(qsizetype index)
    {
        const std::shared_ptr<Port> port = m_ports.at(index);
        if (port->busy || port->done)
            return;
        HttpRequest request;
        switch (port->parser.next(&request)) {
        case HttpRequestParser::Result::Incomplete:
            return;
        case HttpRequestParser::Result::Bad:
            // Go's net/http answer to garbage, then it hangs up.
            sendOnChannel(
                m_socket, quint8(2 * index),
                "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: "
                "close\r\n\r\n400 Bad Request");
            finishPort(index);
            return;
        case HttpRequestParser::Result::Complete:
            break;
        }
        if (!m_runtime) {
            finishPort(index);
            return;
        }
        port->busy = true;
        const bool close = closesConnection(request);
        const bool headRequest = request.method == "HEAD";
        QPointer<PortForwardSession> self(this);
        m_runtime->http(m_pod, port->number, request,
                        [self, index, close, headRequest](const PodRuntime::HttpReply &reply) {
                            if (self)
                                self->answer(index, reply, headRequest, close);
                        });
    }

    void answer(qsizetype index, const PodRuntime::HttpReply &reply, bool headRequest, bool close)
    {
        m_ports.at(index)->busy = false;
        sendOnChannel(m_socket, quint8(2 * index), responseBytes(reply, headRequest, close));
        if (close)
            finishPort(index);
        else
            serveNext(index); // a pipelined request may be waiting
    }

    void finishPort(qsizetype index)
    {
        m_ports.at(index)->done = true;
        closeWhenAllDone();
    }

    void closeWhenAllDone()
    {
        for (const std::shared_ptr<Port> &port : std::as_const(m_ports)) {
            if (!port->done)
                return;
        }
        m_socket->close(1000);
    }

    WebSocket *m_socket;
    QJsonObject m_pod;
    QPointer<PodRuntime> m_runtime;
    QList<std::shared_ptr<Port>> m_ports;
};

} // namespace

void serveExec(HttpExchange *exchange, const QJsonObject &pod, PodRuntime *runtime)
{
    const QList<QByteArray> supported{kV5Protocol, kV4Protocol, kV1Protocol, QByteArray()};
    const HttpRequest &request = exchange->request();
    ExecOptions options = execOptions(request);
    options.container = resolveContainer(exchange, pod, options.container);
    if (options.container.isEmpty() || !hasHost(exchange, pod))
        return;
    const WebSocket::Handshake handshake = WebSocket::inspect(request, supported);
    if (!acceptable(exchange, handshake, supported))
        return;
    if (options.command.isEmpty()) {
        sendStatus(exchange,
                   ApiError::badRequest(u"you must specify at least one command for the container"_s));
        return;
    }
    if (!options.stdinWanted && !options.stdoutWanted && !options.stderrWanted) {
        sendStatus(exchange, ApiError::badRequest(u"you must specify at least 1 of stdin, stdout, stderr"_s));
        return;
    }
    // Only v5 goes through the API server's stream translator, which upgrades first and reports
    // the kubelet's refusal on the error channel; older protocols get the kubelet's answer as is.
    if (handshake.protocol != kV5Protocol && !containerRunning(pod, options.container)) {
        sendKubeletError(exchange, 500, u"container not found (\""_s + options.container + u"\")"_s);
        return;
    }
    if (!runtime) {
        sendStatus(exchange, ApiError::internal(u"no pod runtime"_s));
        return;
    }
    WebSocket *socket = WebSocket::accept(exchange, handshake, nullptr);
    if (!socket)
        return;
    auto *session = new ExecSession(socket, std::move(options), pod, runtime);
    session->start();
}

void servePortForward(HttpExchange *exchange, const QJsonObject &pod, PodRuntime *runtime)
{
    const QList<QByteArray> supported{kV4Protocol, QByteArray()};
    const HttpRequest &request = exchange->request();
    if (!hasHost(exchange, pod))
        return;
    const WebSocket::Handshake handshake = WebSocket::inspect(request, supported);
    if (!acceptable(exchange, handshake, supported))
        return;
    QString error;
    const QList<int> ports = parsePorts(request, &error);
    if (!error.isEmpty()) {
        sendStatus(exchange, ApiError::badRequest(error));
        return;
    }
    if (!anyContainerRunning(pod)) {
        const QString ns = pod.value(u"metadata").toObject().value(u"namespace").toString();
        sendKubeletError(exchange, 500, u"pod not found (\""_s + podName(pod) + u'_' + ns + u"\")"_s);
        return;
    }
    if (!runtime) {
        sendStatus(exchange, ApiError::internal(u"no pod runtime"_s));
        return;
    }
    WebSocket *socket = WebSocket::accept(exchange, handshake, nullptr);
    if (!socket)
        return;
    auto *session = new PortForwardSession(socket, ports, pod, runtime);
    session->start();
}

} // namespace tdkube::sandbox
