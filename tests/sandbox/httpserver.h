#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QUrlQuery>

#include <functional>
#include <memory>
#include <utility>

class QSslServer;
class QTcpSocket;

namespace tdkube::sandbox {

struct HttpRequest
{
    QByteArray method;
    QByteArray version; // "HTTP/1.1"
    QString path;       // percent-decoded path
    QByteArray target;  // the request target as sent (path?query)
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    QByteArray peerCertificateDer; // the client certificate, when one was presented

    QByteArray header(const QByteArray &name) const { return headers.value(name); }
    QString queryValue(const QString &name) const { return query.queryItemValue(name, QUrl::FullyDecoded); }
};

// Parses HTTP/1.x requests off a byte stream (a client connection, or the bytes a port-forward
// carries to a pod): Content-Length and chunked bodies, several requests back to back.
class HttpRequestParser
{
public:
    enum class Result { Incomplete, Bad, Complete };

    void feed(const QByteArray &data) { m_buffer += data; }
    // Takes the next complete request off the stream. Bad: not HTTP (answer 400 and close).
    Result next(HttpRequest *request);
    // The bytes after the last request taken (what a client sent right after an upgrade request).
    QByteArray takeBuffered() { return std::exchange(m_buffer, QByteArray()); }

private:
    Result parseChunkedBody(qsizetype *offset, QByteArray *body) const;

    QByteArray m_buffer;
};

// A whole HTTP/1.1 response: status line, the headers as given, an empty line, the body.
QByteArray serializeHttpResponse(int status, const QList<std::pair<QByteArray, QByteArray>> &headers,
                                 const QByteArray &body);
// "Mon, 02 Jan 2006 15:04:05 GMT", for Date headers.
QByteArray httpDate();

class HttpConnection;

// One request and its response. A handler answers at once (respond) or streams a chunked
// response (startStream/writeChunk/finishStream) for watches and followed logs. When the client goes
// away mid-stream, clientGone() is emitted and later writes are ignored.
class HttpExchange final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpExchange)

public:
    HttpExchange(HttpRequest request, HttpConnection *connection);
    ~HttpExchange() override;

    const HttpRequest &request() const { return m_request; }
    // Identity the handler attached (for the access log).
    void setUser(const QString &user) { m_user = user; }
    QString user() const { return m_user; }
    int status() const { return m_status; }

    void respond(int status, const QByteArray &contentType, const QByteArray &body,
                 const QList<std::pair<QByteArray, QByteArray>> &headers = {});
    void startStream(int status, const QByteArray &contentType);
    void writeChunk(const QByteArray &data);
    void finishStream();
    bool isStreaming() const { return m_streaming; }
    bool isDone() const { return m_done; }
    // Hands the raw socket over (protocol upgrades); the connection forgets it.
    QTcpSocket *takeSocket();
    // Answers 101 Switching Protocols with `headers` and hands the socket over, with the bytes the
    // client already sent after the request (`pending`). Null when the response has started.
    QTcpSocket *switchProtocols(const QList<std::pair<QByteArray, QByteArray>> &headers, QByteArray *pending);

signals:
    void clientGone();
    void finished();

private:
    friend class HttpConnection;
    void writeHead(int status, const QList<std::pair<QByteArray, QByteArray>> &headers);
    void markDone();

    HttpRequest m_request;
    QPointer<HttpConnection> m_connection;
    QString m_user;
    int m_status = 0;
    bool m_streaming = false;
    bool m_done = false;
};

// A small HTTP/1.1 server over TLS (QSslServer): keep-alive, Content-Length and chunked request
// bodies, one request at a time per connection. Client certificates are requested but optional
// (QueryPeer): the handler decides what a certificate or a token is worth.
class HttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    using Handler = std::function<void(HttpExchange *exchange)>;

    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    void setHandler(Handler handler) { m_handler = std::move(handler); }
    // Called once per request when its response starts (status known).
    void setLogger(std::function<void(const HttpExchange &)> logger) { m_logger = std::move(logger); }
    bool listen(const QHostAddress &address, quint16 port, const QSslConfiguration &tls, QString *error);
    quint16 port() const;
    // Closes every open connection (a fault tests inject: cut all streams).
    void dropConnections();

private:
    friend class HttpConnection;
    friend class HttpExchange;
    void onNewConnection();

    std::unique_ptr<QSslServer> m_server;
    Handler m_handler;
    std::function<void(const HttpExchange &)> m_logger;
    QList<QPointer<HttpConnection>> m_connections;
};

} // namespace tdkube::sandbox
