#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

class QTcpSocket;

namespace tdkube::sandbox {

class HttpExchange;
struct HttpRequest;

// The server side of one WebSocket connection (RFC 6455) over the socket of an upgraded
// HttpExchange: client frames are masked, ours are not; messages may come fragmented; pings are
// answered; close() runs the closing handshake. Messages reach the owner whole, as signals.
class WebSocket final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebSocket)

public:
    // What an upgrade request asks for, and whether it is a valid WebSocket handshake.
    struct Handshake
    {
        bool isUpgrade = false;   // it carries Upgrade and Connection: upgrade (any protocol)
        bool isWebSocket = false; // ... and the upgrade is to websocket
        QString error;            // why the WebSocket handshake is invalid (empty: valid)
        bool protocolMatched = false;
        QByteArray protocol; // the subprotocol chosen; empty when the client offered none
    };
    // Checks `request` and picks the subprotocol: the first one the client offered that is in
    // `supported`, in the client's order, as the API server's wsstream does. An empty entry in
    // `supported` accepts a client that offers no subprotocol at all.
    static Handshake inspect(const HttpRequest &request, const QList<QByteArray> &supported);

    // Answers 101 with the chosen subprotocol and takes the exchange's socket over (the exchange
    // is gone afterwards). Null when the exchange cannot be upgraded any more.
    static WebSocket *accept(HttpExchange *exchange, const Handshake &handshake, QObject *parent);

    ~WebSocket() override;

    QByteArray protocol() const { return m_protocol; }
    bool isOpen() const { return m_socket && !m_closeSent && !m_gone; }
    void sendBinary(const QByteArray &payload);
    void sendText(const QByteArray &payload);
    // Starts the closing handshake: a close frame now, the TCP connection closed when the client
    // answers (or after a grace period).
    void close(quint16 code = 1000, const QByteArray &reason = {});

    // Frame codes and limits, for tests and callers.
    enum Opcode : quint8 {
        Continuation = 0x0,
        Text = 0x1,
        Binary = 0x2,
        Close = 0x8,
        Ping = 0x9,
        Pong = 0xA
    };
    static QByteArray encodeFrame(quint8 opcode, const QByteArray &payload, bool fin = true);
    static constexpr qsizetype kMaxMessageBytes = 64 << 20;

signals:
    void binaryReceived(const QByteArray &message);
    void textReceived(const QByteArray &message);
    // The connection is gone (after the closing handshake, or the client vanished). Once.
    void closed();

private:
    WebSocket(QTcpSocket *socket, const QByteArray &protocol, const QByteArray &pending, QObject *parent);
    void onReadyRead();
    bool takeFrame();
    void handleFrame(bool fin, quint8 opcode, const QByteArray &payload);
    void handleClose(const QByteArray &payload);
    void fail(quint16 code);
    void write(const QByteArray &data);
    void disconnectSocket();
    void onDisconnected();

    QTcpSocket *m_socket;
    QByteArray m_protocol;
    QByteArray m_buffer;
    QByteArray m_message; // a fragmented message so far
    quint8 m_messageOpcode = 0;
    bool m_inMessage = false;
    bool m_closeSent = false;
    bool m_gone = false;
    QTimer m_closeTimer;
};

} // namespace tdkube::sandbox
