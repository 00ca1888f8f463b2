// Port-forward's WebSocket frames (v4.channel.k8s.io: PortForward offers no other subprotocol, so
// there is no older framing to tell apart): the input is an options byte, then the messages
// the API server sends once the connection is up, each one length byte (0 meaning 256) then that many
// bytes (the channel byte, then the payload), followed by the server closing the connection. The
// server opens channel 0 (data) and channel 1 (error) with the 2-byte port; anything on channel 1
// after it is an error. Options: bit 0 runs the event loop after each message until the local client
// has read what was relayed (otherwise every message comes in one batch, as from one read of the
// socket); bit 1 has the local client hang up after the last message, before the server closes.
//
// The local side is real: ForwardConnection relays to a QTcpSocket connected to the one the local
// program would read (see connectPair()). Checks that the client reads the data channel's
// payloads after the port and nothing else (all of them, those before an error too, as kubectl
// relays them; a prefix when the client hung up), that bytesIn() counts what was relayed, that an error is
// reported once, as a sentence naming the pod and port with the server's words, and ends the connection, that
// nothing is reported without one, and that the client sees its connection closed and the ForwardConnection
// is deleted exactly once.
//
// ForwardConnection is declared in portforward.cpp, not in a header, and the messages reach it
// through private members a QWebSocket calls: the target includes that file with its private part
// opened, rather than serving each input over a WebSocket. The library's own portforward.o is then
// not linked in (this file defines all it does).

// Before privatebegin.h: fuzzing.h, and everything portforward.cpp includes, so that only the
// latter's own code has its private parts opened.
#include "fuzzing.h"
#include "kube/kubeclient.h"
#include "kube/resourcewatch.h"
#include "kube/selectors.h"

#include <QAbstractSocket>
#include <QByteArray>
#include <QCoreApplication>
#include <QEvent>
#include <QEventLoop>
#include <QJsonArray>
#include <QList>
#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <algorithm>
#include <climits>
#include <sys/socket.h>

// What is under test is private (see above); the order of these includes matters.
// clang-format off
#include "privatebegin.h"
#include "kube/portforward.h"
#include "kube/portforward.cpp" // NOLINT(bugprone-suspicious-include)
#include "privateend.h"
// clang-format on

using namespace tdkube;
using namespace Qt::StringLiterals;

namespace {

constexpr quint16 kPort = 6041;
constexpr int kTurns = 100; // of the event loop, to settle; a few are needed (see settle())

// What the server's messages should do, worked out apart from the code under test.
struct Expected
{
    QByteArray data;    // the data channel's payloads after the port, up to an error
    QByteArray error;   // the first error channel payload after the port
    bool ended = false; // an error ended the connection
};

// Takes one message from the server into `expected`.
void expect(Expected &expected, int headerLeft[2], const QByteArray &message)
{
    if (expected.ended || message.isEmpty() || quint8(message.at(0)) > 1)
        return;
    const int channel = quint8(message.at(0));
    QByteArray payload = message.mid(1);
    const int port = int(std::min<qsizetype>(payload.size(), headerLeft[channel]));
    payload.remove(0, port);
    headerLeft[channel] -= port;
    if (payload.isEmpty())
        return;
    if (channel == 1) {
        expected.error = payload;
        expected.ended = true;
        return;
    }
    expected.data += payload;
}

// A connected pair of QTcpSockets: `local` for ForwardConnection, `client` for what the local
// program reads. A socketpair rather than a connection to a QTcpServer on 127.0.0.1: the socket engine
// reads and writes it the same way, and a TCP connection per input would leave one socket in
// TIME_WAIT per input (over 100,000 a minute, on a machine that other work shares).
void connectPair(QTcpSocket *local, QTcpSocket *client)
{
    int fds[2];
    fuzz::require(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0, "a socket pair");
    fuzz::require(local->setSocketDescriptor(fds[0]) && client->setSocketDescriptor(fds[1]),
                  "QTcpSocket takes a connected stream socket");
}

// Runs the event loop until `done()`. Each step the connection takes (a write flushed, a close seen
// by the other end, a deferred delete) takes one turn on a socket pair, whose writes reach the other
// end before they return: the bound counts turns rather than time, which a busy machine stretches
// (a stalled process is not a finding; a connection that never closes is, and libFuzzer's -timeout
// catches one that loops forever).
template<typename Done> void settle(Done done, const char *what)
{
    for (int turns = 0; !done(); ++turns) {
        fuzz::require(turns < kTurns, what);
        QCoreApplication::processEvents(QEventLoop::AllEvents);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::ensureApplication();
    const QByteArray input = fuzz::bytes(data, size);
    const quint8 options = input.isEmpty() ? 0 : quint8(input.at(0));
    const bool live = options & 0x01;
    const bool clientHangsUp = options & 0x02;

    QTcpSocket client;
    QByteArray received;
    QObject::connect(&client, &QTcpSocket::readyRead, &client, [&] { received += client.readAll(); });
    auto *local = new QTcpSocket; // ForwardConnection takes it as its child
    connectPair(local, &client);

    // Declared before the forward, whose destructor would delete a connection still there.
    QStringList failures;
    int destroyed = 0;
    kube::PortForward forward(
        &fuzz::unreachableClient(),
        kube::ForwardTarget{kube::ForwardTarget::Kind::Pod, u"tdengine"_s, u"tdengine-0"_s}, kPort);
    QObject::connect(&forward, &kube::PortForward::connectionFailed, &forward,
                     [&](const QString &message) { failures.append(message); });

    // As ForwardConnection::open() and connectSocket() leave it once the WebSocket is up; the
    // socket is never opened, so nothing but the input reaches the connection.
    QPointer<kube::ForwardConnection> connection = new kube::ForwardConnection(&forward, local);
    QObject::connect(connection, &QObject::destroyed, &client, [&destroyed] { ++destroyed; });
    connection->m_pod = u"tdengine-0"_s;
    connection->m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, connection);
    connection->m_connected = true;

    Expected expected;
    int headerLeft[2] = {2, 2};
    for (qsizetype pos = 1; pos < input.size();) {
        const int length = quint8(input.at(pos)) == 0 ? 256 : quint8(input.at(pos));
        const QByteArray message = input.mid(pos + 1, length);
        pos += 1 + length;
        expect(expected, headerLeft, message);
        // A deleted connection's socket is gone with it, and with it the signals that call it.
        if (connection)
            connection->onMessage(message);
        if (live) {
            settle([&] { return received.size() >= expected.data.size() || !connection; },
                   "live: what is relayed reaches the local client");
        }
    }
    if (clientHangsUp) {
        client.abort();
        settle([&] { return !connection; }, "a local hang-up deletes the connection");
    }
    // QWebSocket reports a dropped connection as an error, then as disconnected(); a clean close only
    // as the latter. Each must be harmless after the other.
    if (connection)
        connection->socketError(QAbstractSocket::RemoteHostClosedError);
    if (connection)
        connection->remoteClosed();
    if (connection)
        connection->remoteClosed();
    settle([&] { return !connection && client.state() == QAbstractSocket::UnconnectedState; },
           "the local connection is closed and the ForwardConnection deleted");
    if (client.isOpen()) // not after its own hang-up (abort() closes it)
        received += client.readAll();

    fuzz::require(destroyed == 1, "the ForwardConnection is deleted exactly once");
    fuzz::require(forward.connectionCount() == 0, "the forward holds no connection");
    fuzz::require(expected.data.startsWith(received),
                  "the client reads the data channel's payloads, in order");
    if (!clientHangsUp)
        fuzz::require(received == expected.data, "all of them, an error's too, unless the client hung up");
    if (live)
        fuzz::require(received == expected.data, "all of them when each was read before the next message");
    fuzz::require(forward.bytesIn() == expected.data.size(), "bytesIn() counts the data relayed");
    fuzz::require(forward.bytesOut() == 0, "nothing counted as sent: the client sent nothing");
    if (expected.ended) {
        fuzz::require(failures.size() == 1, "an error is reported once");
        const QString words = QString::fromUtf8(expected.error).trimmed();
        fuzz::require(failures.constFirst() ==
                          u"Port-forward to pod tdengine-0 port %1 failed: %2"_s.arg(kPort).arg(words),
                      "the report names the pod and the port, and gives the server's words");
    } else {
        fuzz::require(failures.isEmpty(), "nothing reported without an error");
    }
    fuzz::sink(size_t(received.size()) + fuzz::consume(failures.join(u'\n')));
    return 0;
}
