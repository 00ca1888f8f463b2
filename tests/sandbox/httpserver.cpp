#include "httpserver.h"

#include <QSslServer>
#include <QSslSocket>
#include <QUrl>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

constexpr qsizetype kMaxHeaderBytes = 1 << 20;

} // namespace

HttpRequestParser::Result HttpRequestParser::next(HttpRequest *request)
{
    const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return m_buffer.size() > kMaxHeaderBytes ? Result::Bad : Result::Incomplete;
    HttpRequest parsed;
    const QList<QByteArray> lines = m_buffer.left(headerEnd).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1."))
        return Result::Bad;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines.at(i).indexOf(':');
        if (colon <= 0)
            return Result::Bad;
        parsed.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                              lines.at(i).mid(colon + 1).trimmed());
    }
    qsizetype consumed = headerEnd + 4;
    if (parsed.header("transfer-encoding").toLower().contains("chunked")) {
        const Result body = parseChunkedBody(&consumed, &parsed.body);
        if (body != Result::Complete)
            return body;
    } else {
        bool ok = true;
        const qsizetype length =
            parsed.headers.contains("content-length") ? parsed.header("content-length").toLongLong(&ok) : 0;
        if (!ok || length < 0)
            return Result::Bad;
        if (m_buffer.size() - consumed < length)
            return Result::Incomplete;
        parsed.body = m_buffer.mid(consumed, length);
        consumed += length;
    }
    parsed.method = requestLine.at(0);
    parsed.target = requestLine.at(1);
    parsed.version = requestLine.at(2);
    const QUrl url = QUrl::fromEncoded(parsed.target);
    parsed.path = url.path(QUrl::FullyDecoded);
    // Go's url.ParseQuery, which every Kubernetes server uses, reads '+' as a space, and Go
    // clients write spaces so (kubectl sends command=exit+3); a literal plus arrives as %2B.
    parsed.query = QUrlQuery(url.query(QUrl::FullyEncoded).replace(u'+', u"%20"_s));
    m_buffer.remove(0, consumed);
    *request = std::move(parsed);
    return Result::Complete;
}

HttpRequestParser::Result HttpRequestParser::parseChunkedBody(qsizetype *offset, QByteArray *body) const
{
    qsizetype pos = *offset;
    QByteArray result;
    for (;;) {
        const qsizetype lineEnd = m_buffer.indexOf("\r\n", pos);
        if (lineEnd < 0)
            return Result::Incomplete;
        bool ok = false;
        const qsizetype size =
            m_buffer.mid(pos, lineEnd - pos).split(';').first().trimmed().toLongLong(&ok, 16);
        if (!ok || size < 0) // a negative size would walk the stream backwards forever
            return Result::Bad;
        pos = lineEnd + 2;
        if (m_buffer.size() < pos + size + 2)
            return Result::Incomplete;
        if (size == 0) {
            // No trailers are sent by our clients; the final CRLF ends the body.
            *offset = pos + 2;
            *body = result;
            return Result::Complete;
        }
        result += m_buffer.mid(pos, size);
        pos += size + 2;
    }
}

QByteArray serializeHttpResponse(int status, const QList<std::pair<QByteArray, QByteArray>> &headers,
                                 const QByteArray &body)
{
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const auto &[name, value] : headers)
        response += name + ": " + value + "\r\n";
    return response + "\r\n" + body;
}

QByteArray httpDate()
{
    return QLocale::c()
        .toString(QDateTime::currentDateTimeUtc(), u"ddd, dd MMM yyyy hh:mm:ss 'GMT'"_s)
        .toLatin1();
}

// Parses requests off one socket and runs them one after the other.
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    HttpConnection(QTcpSocket *socket, HttpServer *server)
        : QObject(server)
        , m_socket(socket)
        , m_server(server)
    {
        m_socket->setParent(this);
        connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
        connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
        if (auto *ssl = qobject_cast<QSslSocket *>(m_socket)) {
            const QSslCertificate peer = ssl->peerCertificate();
            if (!peer.isNull())
                m_peerCertificateDer = peer.toDer();
        }
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
    }

    ~HttpConnection() override
    {
        if (m_current)
            emit m_current->clientGone();
    }

    QTcpSocket *socket() const { return m_socket; }

    void write(const QByteArray &data)
    {
        if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
            m_socket->write(data);
    }

    void exchangeDone(bool closeAfter)
    {
        if (m_current) {
            m_current->deleteLater();
            m_current = nullptr;
        }
        if (closeAfter || m_closeAfterResponse) {
            close();
            return;
        }
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
    }

    QByteArray takeBuffered() { return m_parser.takeBuffered(); }

    QTcpSocket *detachSocket()
    {
        QTcpSocket *socket = m_socket;
        disconnect(socket, nullptr, this, nullptr);
        socket->setParent(nullptr);
        m_socket = nullptr;
        m_current = nullptr;
        deleteLater();
        return socket;
    }

    void close()
    {
        if (m_socket) {
            m_socket->disconnectFromHost();
            if (m_socket && m_socket->state() != QAbstractSocket::UnconnectedState)
                m_socket->abort();
        }
        deleteLater();
    }

private:
    void onDisconnected()
    {
        if (m_current) {
            HttpExchange *exchange = m_current;
            m_current = nullptr;
            exchange->m_done = true;
            emit exchange->clientGone();
            exchange->deleteLater();
        }
        deleteLater();
    }

    void onReadyRead()
    {
        if (!m_socket)
            return;
        m_parser.feed(m_socket->readAll());
        if (m_current)
            return; // one request at a time; the rest waits in the buffer
        HttpRequest request;
        switch (m_parser.next(&request)) {
        case HttpRequestParser::Result::Incomplete:
            return;
        case HttpRequestParser::Result::Bad:
            write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            close();
            return;
        case HttpRequestParser::Result::Complete:
            break;
        }
        request.peerCertificateDer = m_peerCertificateDer;
        m_closeAfterResponse = request.header("connection").toLower() == "close";
        m_current = new HttpExchange(std::move(request), this);
        if (m_server->m_handler)
            m_server->m_handler(m_current);
    }

    QTcpSocket *m_socket;
    HttpServer *m_server;
    HttpRequestParser m_parser;
    QByteArray m_peerCertificateDer;
    HttpExchange *m_current = nullptr;
    bool m_closeAfterResponse = false;
};

HttpExchange::HttpExchange(HttpRequest request, HttpConnection *connection)
    : QObject(connection)
    , m_request(std::move(request))
    , m_connection(connection)
{
}

HttpExchange::~HttpExchange() = default;

void HttpExchange::writeHead(int status, const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    m_status = status;
    QList<std::pair<QByteArray, QByteArray>> all = headers;
    all.append(std::pair<QByteArray, QByteArray>("Date", httpDate()));
    const QByteArray head = serializeHttpResponse(status, all, {});
    if (m_connection) {
        m_connection->write(head);
        if (auto *server = qobject_cast<HttpServer *>(m_connection->parent()); server && server->m_logger)
            server->m_logger(*this);
    }
}

void HttpExchange::respond(int status, const QByteArray &contentType, const QByteArray &body,
                           const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    if (m_done || m_streaming)
        return;
    QList<std::pair<QByteArray, QByteArray>> all = headers;
    if (!contentType.isEmpty())
        all.append(std::pair<QByteArray, QByteArray>("Content-Type", contentType));
    all.append(std::pair<QByteArray, QByteArray>("Content-Length", QByteArray::number(body.size())));
    all.append(std::pair<QByteArray, QByteArray>("Cache-Control", "no-cache, private"));
    writeHead(status, all);
    if (m_connection)
        m_connection->write(body);
    markDone();
}

void HttpExchange::startStream(int status, const QByteArray &contentType)
{
    if (m_done || m_streaming)
        return;
    m_streaming = true;
    writeHead(status, {{"Content-Type", contentType},
                       {"Transfer-Encoding", "chunked"},
                       {"Cache-Control", "no-cache, private"}});
}

void HttpExchange::writeChunk(const QByteArray &data)
{
    if (m_done || !m_streaming || data.isEmpty() || !m_connection)
        return;
    m_connection->write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
}

void HttpExchange::finishStream()
{
    if (m_done || !m_streaming)
        return;
    if (m_connection)
        m_connection->write("0\r\n\r\n");
    markDone();
}

void HttpExchange::markDone()
{
    m_done = true;
    emit finished();
    if (m_connection)
        m_connection->exchangeDone(false);
}

QTcpSocket *HttpExchange::switchProtocols(const QList<std::pair<QByteArray, QByteArray>> &headers,
                                          QByteArray *pending)
{
    if (m_done || m_streaming || !m_connection)
        return nullptr;
    writeHead(101, headers);
    *pending = m_connection->takeBuffered();
    return takeSocket();
}

QTcpSocket *HttpExchange::takeSocket()
{
    if (!m_connection)
        return nullptr;
    m_done = true;
    QTcpSocket *socket = m_connection->detachSocket();
    setParent(nullptr);
    deleteLater();
    return socket;
}

HttpServer::HttpServer(QObject *parent)
    : QObject(parent)
    , m_server(std::make_unique<QSslServer>())
{
    connect(m_server.get(), &QTcpServer::pendingConnectionAvailable, this, &HttpServer::onNewConnection);
}

HttpServer::~HttpServer()
{
    dropConnections();
}

bool HttpServer::listen(const QHostAddress &address, quint16 port, const QSslConfiguration &tls,
                        QString *error)
{
    m_server->setSslConfiguration(tls);
    if (!m_server->listen(address, port)) {
        *error = m_server->errorString();
        return false;
    }
    return true;
}

quint16 HttpServer::port() const
{
    return m_server->serverPort();
}

void HttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        auto *connection = new HttpConnection(socket, this);
        m_connections.removeAll(nullptr);
        m_connections.append(connection);
    }
}

void HttpServer::dropConnections()
{
    const auto connections = m_connections;
    m_connections.clear();
    for (const QPointer<HttpConnection> &connection : connections) {
        if (connection && connection->socket())
            connection->socket()->abort();
    }
}

} // namespace tdkube::sandbox

#include "httpserver.moc"
