#include "websocket.h"

#include "httpserver.h"

#include <QCryptographicHash>
#include <QTcpSocket>
#include <QtEndian>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

constexpr char kAcceptGuid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr int kCloseGraceMs = 2000;
constexpr quint16 kProtocolError = 1002;
constexpr quint16 kTooBig = 1009;

// The comma-separated tokens of a header value, trimmed (Connection, Upgrade, Sec-WebSocket-Protocol).
QList<QByteArray> tokens(const QByteArray &value)
{
    QList<QByteArray> result;
    for (const QByteArray &part : value.split(',')) {
        const QByteArray token = part.trimmed();
        if (!token.isEmpty())
            result.append(token);
    }
    return result;
}

bool hasToken(const QByteArray &value, const QByteArray &token)
{
    for (const QByteArray &part : tokens(value)) {
        if (part.compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// Gorilla's wording (the library the API server and kubectl use) for a handshake it refuses.
QString handshakeError(const HttpRequest &request)
{
    if (request.method != "GET")
        return u"websocket: the client is not using the websocket protocol: request method is not GET"_s;
    if (request.header("sec-websocket-version") != "13")
        return u"websocket: unsupported version: 13 not found in 'Sec-Websocket-Version' header"_s;
    if (QByteArray::fromBase64(request.header("sec-websocket-key")).size() != 16)
        return u"websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded "
               u"value "
               u"of 16-byte in length"_s;
    return {};
}

QByteArray acceptKey(const QByteArray &key)
{
    return QCryptographicHash::hash(QByteArray(key.trimmed() + kAcceptGuid), QCryptographicHash::Sha1)
        .toBase64();
}

} // namespace

WebSocket::Handshake WebSocket::inspect(const HttpRequest &request, const QList<QByteArray> &supported)
{
    Handshake handshake;
    handshake.isUpgrade =
        hasToken(request.header("connection"), "upgrade") && request.headers.contains("upgrade");
    handshake.isWebSocket = handshake.isUpgrade && hasToken(request.header("upgrade"), "websocket");
    if (!handshake.isWebSocket)
        return handshake;
    handshake.error = handshakeError(request);
    const QList<QByteArray> offered = tokens(request.header("sec-websocket-protocol"));
    if (offered.isEmpty()) {
        handshake.protocolMatched = supported.contains(QByteArray());
        return handshake;
    }
    for (const QByteArray &protocol : offered) {
        if (supported.contains(protocol)) {
            handshake.protocolMatched = true;
            handshake.protocol = protocol;
            break;
        }
    }
    return handshake;
}

WebSocket *WebSocket::accept(HttpExchange *exchange, const Handshake &handshake, QObject *parent)
{
    QList<std::pair<QByteArray, QByteArray>> headers{
        {"Upgrade", "websocket"},
        {"Connection", "Upgrade"},
        {"Sec-WebSocket-Accept", acceptKey(exchange->request().header("sec-websocket-key"))}};
    if (!handshake.protocol.isEmpty())
        headers.append(std::pair<QByteArray, QByteArray>("Sec-WebSocket-Protocol", handshake.protocol));
    QByteArray pending;
    QTcpSocket *socket = exchange->switchProtocols(headers, &pending);
    if (!socket)
        return nullptr;
    return new WebSocket(socket, handshake.protocol, pending, parent);
}

WebSocket::WebSocket(QTcpSocket *socket, const QByteArray &protocol, const QByteArray &pending,
                     QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_protocol(protocol)
    , m_buffer(pending)
{
    m_socket->setParent(this);
    connect(m_socket, &QTcpSocket::readyRead, this, &WebSocket::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &WebSocket::onDisconnected);
    m_closeTimer.setSingleShot(true);
    m_closeTimer.setInterval(kCloseGraceMs);
    connect(&m_closeTimer, &QTimer::timeout, this, &WebSocket::disconnectSocket);
    // Bytes may already wait (sent with the upgrade request, or buffered by the socket).
    QMetaObject::invokeMethod(this, &WebSocket::onReadyRead, Qt::QueuedConnection);
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        QMetaObject::invokeMethod(this, &WebSocket::onDisconnected, Qt::QueuedConnection);
}

WebSocket::~WebSocket()
{
    if (m_socket) {
        disconnect(m_socket, nullptr, this, nullptr);
        m_socket->abort();
    }
}

QByteArray WebSocket::encodeFrame(quint8 opcode, const QByteArray &payload, bool fin)
{
    QByteArray frame;
    frame.append(char((fin ? 0x80 : 0x00) | (opcode & 0x0f)));
    const qsizetype size = payload.size();
    if (size < 126) {
        frame.append(char(size));
    } else if (size <= 0xffff) {
        frame.append(char(126));
        char length[2];
        qToBigEndian(quint16(size), length);
        frame.append(length, 2);
    } else {
        frame.append(char(127));
        char length[8];
        qToBigEndian(quint64(size), length);
        frame.append(length, 8);
    }
    return frame + payload;
}

void WebSocket::sendBinary(const QByteArray &payload)
{
    if (isOpen())
        write(encodeFrame(Binary, payload));
}

void WebSocket::sendText(const QByteArray &payload)
{
    if (isOpen())
        write(encodeFrame(Text, payload));
}

void WebSocket::close(quint16 code, const QByteArray &reason)
{
    if (!m_socket || m_closeSent || m_gone)
        return;
    char codeBytes[2];
    qToBigEndian(code, codeBytes);
    write(encodeFrame(Close, QByteArray(codeBytes, 2) + reason.left(123)));
    m_closeSent = true;
    // Closing TCP at once could reset the connection while the client still writes, and a reset
    // can make it drop our last frames unread: wait for its close frame instead.
    m_closeTimer.start();
}

void WebSocket::write(const QByteArray &data)
{
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->write(data);
}

void WebSocket::onReadyRead()
{
    if (!m_socket || m_gone)
        return;
    m_buffer += m_socket->readAll();
    while (!m_gone && takeFrame()) {
    }
}

// Takes one whole frame off the buffer and handles it; false when more bytes are needed.
bool WebSocket::takeFrame()
{
    if (m_buffer.size() < 2)
        return false;
    const auto *bytes = reinterpret_cast<const uchar *>(m_buffer.constData());
    const bool fin = bytes[0] & 0x80;
    const bool reserved = bytes[0] & 0x70;
    const quint8 opcode = bytes[0] & 0x0f;
    const bool masked = bytes[1] & 0x80;
    quint64 length = bytes[1] & 0x7f;
    qsizetype header = 2;
    if (length == 126) {
        if (m_buffer.size() < 4)
            return false;
        length = qFromBigEndian<quint16>(bytes + 2);
        header = 4;
    } else if (length == 127) {
        if (m_buffer.size() < 10)
            return false;
        length = qFromBigEndian<quint64>(bytes + 2);
        header = 10;
    }
    if (reserved || !masked) { // no extensions were negotiated; RFC 6455 5.1: clients must mask
        fail(kProtocolError);
        return false;
    }
    if (length > quint64(kMaxMessageBytes)) {
        fail(kTooBig);
        return false;
    }
    if (quint64(m_buffer.size()) < quint64(header) + 4 + length)
        return false;
    const uchar *mask = bytes + header;
    QByteArray payload(qsizetype(length), Qt::Uninitialized);
    char *out = payload.data();
    for (qsizetype i = 0; i < payload.size(); ++i)
        out[i] = char(bytes[header + 4 + i] ^ mask[i % 4]);
    m_buffer.remove(0, header + 4 + qsizetype(length));
    handleFrame(fin, opcode, payload);
    return true;
}

void WebSocket::handleFrame(bool fin, quint8 opcode, const QByteArray &payload)
{
    if (opcode >= Close) {
        if (!fin || payload.size() > 125) { // control frames are whole and short
            fail(kProtocolError);
            return;
        }
        if (opcode == Close)
            handleClose(payload);
        else if (opcode == Ping)
            write(encodeFrame(Pong, payload));
        else if (opcode != Pong)
            fail(kProtocolError);
        return;
    }
    if (opcode == Continuation ? !m_inMessage : (m_inMessage || (opcode != Text && opcode != Binary))) {
        fail(kProtocolError);
        return;
    }
    if (opcode != Continuation) {
        m_inMessage = true;
        m_messageOpcode = opcode;
        m_message.clear();
    }
    if (m_message.size() + payload.size() > kMaxMessageBytes) {
        fail(kTooBig);
        return;
    }
    m_message += payload;
    if (!fin)
        return;
    m_inMessage = false;
    const QByteArray message = std::exchange(m_message, QByteArray());
    if (m_closeSent)
        return; // we are closing: late data has nowhere to go
    if (m_messageOpcode == Text)
        emit textReceived(message);
    else
        emit binaryReceived(message);
}

void WebSocket::handleClose(const QByteArray &payload)
{
    if (!m_closeSent) {
        // Echo the client's code (RFC 6455 5.5.1); a close without one is answered with none.
        write(encodeFrame(Close, payload.left(2)));
        m_closeSent = true;
    }
    disconnectSocket();
}

void WebSocket::fail(quint16 code)
{
    m_buffer.clear();
    if (!m_closeSent)
        close(code);
    disconnectSocket();
}

void WebSocket::disconnectSocket()
{
    m_closeTimer.stop();
    if (m_socket && m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->disconnectFromHost(); // writes what is pending first
    if (m_socket && m_socket->state() == QAbstractSocket::UnconnectedState)
        onDisconnected();
}

void WebSocket::onDisconnected()
{
    if (m_gone)
        return;
    m_gone = true;
    m_closeTimer.stop();
    emit closed();
}

} // namespace tdkube::sandbox
