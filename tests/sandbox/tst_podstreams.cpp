// pods/exec and pods/portforward over WebSocket against a real HttpServer with TLS, driven by Qt's
// WebSocket client, plus the HTTP request parser they share with the server.

#include "certs.h"
#include "httpserver.h"
#include "podruntime.h"
#include "podstreams.h"
#include "websocket.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSslKey>
#include <QSslSocket>
#include <QTest>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <memory>

using namespace tdkube::sandbox;
using namespace Qt::StringLiterals;

namespace {

// Commands and servers that behave like the ones the tests need, answering asynchronously as the
// real runtime may.
class FakeRuntime final : public PodRuntime
{
public:
    void exec(const QJsonObject &pod, const QString &container, const QStringList &argv,
              const QByteArray &stdinData, ExecDone done) override
    {
        Q_UNUSED(pod);
        lastContainer = container;
        lastArgv = argv;
        ExecResult result;
        const QString program = argv.value(0);
        if (program == u"echo") {
            result.stdoutData = argv.mid(1).join(u' ').toUtf8() + '\n';
        } else if (program == u"cat") {
            result.stdoutData = stdinData;
        } else if (program == u"warn") {
            result.stdoutData = "out\n";
            result.stderrData = "err\n";
        } else if (argv == QStringList{u"sh"_s, u"-c"_s, u"exit 3"_s}) {
            result.exitCode = 3;
        } else {
            result.exitCode = 127;
            result.stderrData = "sh: " + program.toUtf8() + ": not found\n";
        }
        QTimer::singleShot(0, this, [done, result] { done(result); });
    }

    bool listens(const QJsonObject &pod, int port) const override
    {
        Q_UNUSED(pod);
        return port == 6041;
    }

    void http(const QJsonObject &pod, int port, const HttpRequest &request, HttpDone done) override
    {
        Q_UNUSED(pod);
        Q_UNUSED(port);
        requests.append(request);
        HttpReply reply;
        reply.headers = {{"Content-Type", "application/json"}, {"Content-Length", "999"}};
        const QJsonObject body{{u"code"_s, 0},
                               {u"method"_s, QString::fromLatin1(request.method)},
                               {u"path"_s, request.path},
                               {u"body"_s, QString::fromUtf8(request.body)}};
        reply.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        QTimer::singleShot(0, this, [done, reply] { done(reply); });
    }

    QList<LogLine> log(const QJsonObject &pod, const QString &container, bool previous) const override
    {
        Q_UNUSED(pod);
        Q_UNUSED(container);
        Q_UNUSED(previous);
        return {};
    }

    QString lastContainer;
    QStringList lastArgv;
    QList<HttpRequest> requests;
};

QJsonObject makePod(const QString &name, const QStringList &containers, bool scheduled, bool running)
{
    QJsonArray specContainers;
    QJsonArray statuses;
    for (const QString &container : containers) {
        specContainers.append(QJsonObject{{u"name"_s, container}, {u"image"_s, u"tdengine/tdengine:3.3"_s}});
        const QJsonObject state =
            running ? QJsonObject{{u"running"_s, QJsonObject{}}}
                    : QJsonObject{{u"waiting"_s, QJsonObject{{u"reason"_s, u"ContainerCreating"_s}}}};
        statuses.append(QJsonObject{{u"name"_s, container}, {u"state"_s, state}});
    }
    QJsonObject spec{{u"containers"_s, specContainers}};
    if (scheduled)
        spec.insert(u"nodeName"_s, u"sandbox-node-1"_s);
    return QJsonObject{{u"metadata"_s, QJsonObject{{u"name"_s, name},
                                                   {u"namespace"_s, u"tdengine-test"_s},
                                                   {u"uid"_s, QString(u"uid-"_s + name)}}},
                       {u"spec"_s, spec},
                       {u"status"_s, QJsonObject{{u"phase"_s, running ? u"Running"_s : u"Pending"_s},
                                                 {u"containerStatuses"_s, statuses}}}};
}

// A WebSocket client that records everything it receives.
struct Client
{
    std::unique_ptr<QWebSocket> socket = std::make_unique<QWebSocket>();
    QList<QByteArray> messages; // binary messages, whole
    bool connected = false;
    bool disconnected = false;

    // The messages on one channel, joined, without the channel byte.
    QByteArray channel(quint8 number) const
    {
        QByteArray data;
        for (const QByteArray &message : messages) {
            if (!message.isEmpty() && quint8(message.at(0)) == number)
                data += message.mid(1);
        }
        return data;
    }
};

QByteArray frame(quint8 channel, const QByteArray &payload)
{
    return char(channel) + payload;
}

} // namespace

class TestPodStreams final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void parserTakesPipelinedAndChunkedRequests();
    void parserRejectsGarbage();
    void parserKeepsBytesAfterUpgrade();

    void execV5Success();
    void execV5NonZeroExit();
    void execV5StdinUntilClosed();
    void execV5StdinClosedRightAfterUpgrade();
    void execLargeAndFragmentedStdin();
    void execV4Fallback();
    void execV4StdinAfterQuiet();
    void execLegacyProtocolReportsPlainText();
    void execStderrAndTty();
    void execNeedsUpgrade();
    void execRejectsBadHandshakes();
    void execRejectsBadContainers();
    void execNotRunning();
    void pingIsAnswered();
    void clientCloseEndsSession();

    void portForwardPrefixesAndHttp();
    void portForwardKeepAliveAndPipelining();
    void portForwardConnectionClose();
    void portForwardRefusedPort();
    void portForwardMixedPorts();
    void portForwardBadRequests();

private:
    std::unique_ptr<Client> open(const QString &path, const QStringList &protocols);
    QByteArray rawRequest(const QByteArray &request);
    QJsonObject podNamed(const QString &name) const;

    std::unique_ptr<CertificateAuthority> m_ca;
    std::unique_ptr<FakeRuntime> m_runtime;
    std::unique_ptr<HttpServer> m_server;
    QSslConfiguration m_clientTls;
};

void TestPodStreams::initTestCase()
{
    QString error;
    m_ca = std::make_unique<CertificateAuthority>(CertificateAuthority::create(u"test-ca"_s, &error));
    QVERIFY2(m_ca->isValid(), qPrintable(error));
    const CertificateAuthority::Issued server =
        m_ca->issueServer(u"tdkube-sandbox"_s, {u"localhost"_s}, {u"127.0.0.1"_s}, &error);
    QVERIFY2(!server.certificatePem.isEmpty(), qPrintable(error));
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificate(QSslCertificate(server.certificatePem, QSsl::Pem));
    tls.setPrivateKey(QSslKey(server.keyPem, QSsl::Ec, QSsl::Pem));
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    tls.setProtocol(QSsl::TlsV1_2OrLater);

    m_runtime = std::make_unique<FakeRuntime>();
    m_server = std::make_unique<HttpServer>();
    m_server->setHandler([this](HttpExchange *exchange) {
        // /pods/{name}/exec and /pods/{name}/portforward, the pod looked up as the glue would
        const QStringList parts = exchange->request().path.split(u'/', Qt::SkipEmptyParts);
        const QJsonObject pod = podNamed(parts.value(1));
        if (parts.value(2) == u"exec")
            serveExec(exchange, pod, m_runtime.get());
        else if (parts.value(2) == u"portforward")
            servePortForward(exchange, pod, m_runtime.get());
        else
            exchange->respond(404, "text/plain", "no such path");
    });
    QVERIFY2(m_server->listen(QHostAddress::LocalHost, 0, tls, &error), qPrintable(error));

    m_clientTls = QSslConfiguration::defaultConfiguration();
    m_clientTls.setCaCertificates({QSslCertificate(m_ca->certificatePem(), QSsl::Pem)});
}

void TestPodStreams::cleanupTestCase()
{
    m_server.reset();
    m_runtime.reset(); // and the sessions it owns
}

QJsonObject TestPodStreams::podNamed(const QString &name) const
{
    if (name == u"pending-0")
        return makePod(name, {u"tdengine"_s}, true, false);
    if (name == u"unscheduled-0")
        return makePod(name, {u"tdengine"_s}, false, false);
    if (name == u"multi-0")
        return makePod(name, {u"tdengine"_s, u"sidecar"_s}, true, true);
    return makePod(name, {u"tdengine"_s}, true, true);
}

std::unique_ptr<Client> TestPodStreams::open(const QString &path, const QStringList &protocols)
{
    auto client = std::make_unique<Client>();
    Client *c = client.get();
    QObject::connect(c->socket.get(), &QWebSocket::binaryMessageReceived,
                     [c](const QByteArray &message) { c->messages.append(message); });
    QObject::connect(c->socket.get(), &QWebSocket::connected, [c] { c->connected = true; });
    QObject::connect(c->socket.get(), &QWebSocket::disconnected, [c] { c->disconnected = true; });
    c->socket->setSslConfiguration(m_clientTls);
    QWebSocketHandshakeOptions options;
    options.setSubprotocols(protocols);
    c->socket->open(QNetworkRequest(QUrl(u"wss://127.0.0.1:"_s + QString::number(m_server->port()) + path)),
                    options);
    return client;
}

// One HTTP request over TLS, its whole response back (headers and Content-Length body).
QByteArray TestPodStreams::rawRequest(const QByteArray &request)
{
    QSslSocket socket;
    socket.setSslConfiguration(m_clientTls);
    QByteArray response;
    QObject::connect(&socket, &QSslSocket::readyRead, [&] { response += socket.readAll(); });
    socket.connectToHostEncrypted(u"127.0.0.1"_s, m_server->port(), u"localhost"_s);
    if (!QTest::qWaitFor([&] { return socket.isEncrypted(); }, 5000))
        return "not encrypted: " + socket.errorString().toUtf8();
    socket.write(request);
    const auto complete = [&] {
        const qsizetype end = response.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const qsizetype at = response.toLower().indexOf("content-length:");
        const qsizetype length =
            at < 0 ? 0 : response.mid(at + 15, response.indexOf("\r\n", at) - at - 15).trimmed().toLongLong();
        return response.size() >= end + 4 + length;
    };
    if (!QTest::qWaitFor(complete, 5000))
        return "incomplete: " + response;
    return response;
}

// ----- HttpRequestParser ------------------------------------------------------------------------

void TestPodStreams::parserTakesPipelinedAndChunkedRequests()
{
    HttpRequestParser parser;
    HttpRequest request;
    parser.feed("POST /rest/sql?db=x%20y HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nsh");
    QCOMPARE(parser.next(&request), HttpRequestParser::Result::Incomplete);
    parser.feed("owGET /b%2Fc HTTP/1.0\r\n\r\nPUT /d HTTP/1.1\r\nTransfer-Encoding: "
                "chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n");
    QCOMPARE(parser.next(&request), HttpRequestParser::Result::Complete);
    QCOMPARE(request.method, "POST");
    QCOMPARE(request.version, "HTTP/1.1");
    QCOMPARE(request.path, u"/rest/sql"_s);
    QCOMPARE(request.queryValue(u"db"_s), u"x y"_s);
    QCOMPARE(request.header("host"), "a");
    QCOMPARE(request.body, "show");
    QCOMPARE(parser.next(&request), HttpRequestParser::Result::Complete);
    QCOMPARE(request.method, "GET");
    QCOMPARE(request.version, "HTTP/1.0");
    QCOMPARE(request.path, u"/b/c"_s);
    QVERIFY(request.body.isEmpty());
    QVERIFY(request.headers.isEmpty());
    QCOMPARE(parser.next(&request), HttpRequestParser::Result::Complete);
    QCOMPARE(request.body, "abcde");
    QCOMPARE(parser.next(&request), HttpRequestParser::Result::Incomplete);
}

void TestPodStreams::parserRejectsGarbage()
{
    for (const QByteArray &bad :
         {QByteArray("hello\r\n\r\n"), QByteArray("GET / SPDY/3\r\n\r\n"),
          QByteArray("GET / HTTP/1.1\r\nno colon\r\n\r\n"),
          QByteArray("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
          QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nxx\r\n")}) {
        HttpRequestParser parser;
        parser.feed(bad);
        HttpRequest request;
        QCOMPARE(parser.next(&request), HttpRequestParser::Result::Bad);
    }
    HttpRequestParser parser;
    parser.feed(QByteArray(2 << 20, 'x'));
    HttpRequest request;
    QCOMPARE(parser.next(&request), HttpRequestParser::Result::Bad);
}

void TestPodStreams::parserKeepsBytesAfterUpgrade()
{
    HttpRequestParser parser;
    parser.feed("GET /x HTTP/1.1\r\nUpgrade: websocket\r\n\r\n\x82\x80");
    HttpRequest request;
    QCOMPARE(parser.next(&request), HttpRequestParser::Result::Complete);
    QCOMPARE(parser.takeBuffered(), "\x82\x80");
    QCOMPARE(parser.next(&request), HttpRequestParser::Result::Incomplete);
}

// ----- exec -------------------------------------------------------------------------------------

void TestPodStreams::execV5Success()
{
    auto client =
        open(u"/pods/tdengine-0/exec?command=echo&command=hello&command=1%2B1%3D2&container=tdengine"
             u"&stdout=true&stderr=true"_s,
             {u"v5.channel.k8s.io"_s, u"v4.channel.k8s.io"_s});
    QTRY_VERIFY(client->disconnected);
    QVERIFY(client->connected);
    QCOMPARE(client->socket->subprotocol(), u"v5.channel.k8s.io"_s);
    QCOMPARE(m_runtime->lastArgv, (QStringList{u"echo"_s, u"hello"_s, u"1+1=2"_s}));
    QCOMPARE(m_runtime->lastContainer, u"tdengine"_s);
    // The kubelet's empty "connection established" message first, the status last.
    QCOMPARE(client->messages.first(), QByteArray(1, '\x01'));
    QCOMPARE(client->channel(1), "hello 1+1=2\n");
    QVERIFY(client->channel(2).isEmpty());
    QCOMPARE(client->messages.last(), frame(3, R"({"metadata":{},"status":"Success"})"));
    QCOMPARE(client->socket->closeCode(), QWebSocketProtocol::CloseCodeNormal);
}

void TestPodStreams::execV5NonZeroExit()
{
    // kubectl writes the space as '+', the way Go encodes queries
    auto client =
        open(u"/pods/tdengine-0/exec?command=sh&command=-c&command=exit+3&stdout=true&stderr=true"_s,
             {u"v5.channel.k8s.io"_s, u"v4.channel.k8s.io"_s});
    QTRY_VERIFY(client->disconnected);
    QCOMPARE(m_runtime->lastContainer, u"tdengine"_s); // the only container, when none is named
    QCOMPARE(m_runtime->lastArgv, (QStringList{u"sh"_s, u"-c"_s, u"exit 3"_s}));
    QCOMPARE(
        client->channel(3),
        R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: command )"
        R"(terminated with exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode",)"
        R"("message":"3"}]}})");
    const QJsonObject status = QJsonDocument::fromJson(client->channel(3)).object();
    QCOMPARE(status.value(u"details"_s)
                 .toObject()
                 .value(u"causes"_s)
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(u"message"_s),
             u"3"_s);
}

void TestPodStreams::execV5StdinUntilClosed()
{
    auto client = open(u"/pods/tdengine-0/exec?command=cat&stdin=true&stdout=true&stderr=true"_s,
                       {u"v5.channel.k8s.io"_s});
    QTRY_VERIFY(client->connected);
    client->socket->sendBinaryMessage(frame(0, "abc"));
    client->socket->sendBinaryMessage(frame(0, "def\n"));
    client->socket->sendBinaryMessage(frame(4, R"({"Width":80,"Height":24})"));
    QTest::qWait(400); // longer than the pre-v5 quiet period: v5 waits for the close signal
    QVERIFY(!client->disconnected);
    QVERIFY(client->channel(1).isEmpty());
    client->socket->sendBinaryMessage(QByteArray("\xff\x00", 2));
    QTRY_VERIFY(client->disconnected);
    QCOMPARE(client->channel(1), "abcdef\n");
    QCOMPARE(client->channel(3), R"({"metadata":{},"status":"Success"})");
}

// kubectl and our ExecSession may send stdin and its close signal the moment the upgrade is
// answered, before the command has started: kept for the command, which still runs only after the
// "connection established" message and only in a running container.
void TestPodStreams::execV5StdinClosedRightAfterUpgrade()
{
    const auto sendAtOnce = [](Client *client) {
        QObject::connect(client->socket.get(), &QWebSocket::connected, client->socket.get(), [client] {
            client->socket->sendBinaryMessage(frame(0, "early\n"));
            client->socket->sendBinaryMessage(QByteArray("\xff\x00", 2));
        });
    };
    auto client =
        open(u"/pods/tdengine-0/exec?command=cat&stdin=true&stdout=true"_s, {u"v5.channel.k8s.io"_s});
    sendAtOnce(client.get());
    QTRY_VERIFY(client->disconnected);
    QCOMPARE(client->messages.first(), QByteArray(1, '\x01'));
    QCOMPARE(client->channel(1), "early\n");
    QCOMPARE(client->messages.last(), frame(3, R"({"metadata":{},"status":"Success"})"));

    m_runtime->lastArgv.clear();
    auto pending =
        open(u"/pods/pending-0/exec?command=cat&stdin=true&stdout=true"_s, {u"v5.channel.k8s.io"_s});
    sendAtOnce(pending.get());
    QTRY_VERIFY(pending->disconnected);
    QVERIFY(pending->channel(1).isEmpty());
    QVERIFY2(pending->channel(3).contains("container not found"), pending->channel(3).constData());
    QVERIFY(m_runtime->lastArgv.isEmpty());
}

void TestPodStreams::execLargeAndFragmentedStdin()
{
    auto client =
        open(u"/pods/tdengine-0/exec?command=cat&stdin=true&stdout=true"_s, {u"v5.channel.k8s.io"_s});
    QTRY_VERIFY(client->connected);
    QByteArray big(70000, Qt::Uninitialized); // a 64-bit length frame
    for (qsizetype i = 0; i < big.size(); ++i)
        big[i] = char('a' + i % 26);
    client->socket->sendBinaryMessage(frame(0, big));
    client->socket->setOutgoingFrameSize(1000); // continuation frames with 16-bit lengths
    QByteArray fragmented(5000, 'z');
    client->socket->sendBinaryMessage(frame(0, fragmented));
    client->socket->sendTextMessage(
        QString::fromLatin1(frame(0, "text\n"))); // the Python client sends str as text
    client->socket->sendBinaryMessage(QByteArray("\xff\x00", 2));
    QTRY_VERIFY(client->disconnected);
    QCOMPARE(client->channel(1), big + fragmented + "text\n");
    for (const QByteArray &message : std::as_const(client->messages))
        QVERIFY(message.size() <= 32 * 1024 + 1); // output goes out in the kubelet's piece size
}

void TestPodStreams::execV4Fallback()
{
    auto client =
        open(u"/pods/tdengine-0/exec?command=sh&command=-c&command=exit%203&stdout=true&stderr=true"_s,
             {u"v4.channel.k8s.io"_s});
    QTRY_VERIFY(client->disconnected);
    QCOMPARE(client->socket->subprotocol(), u"v4.channel.k8s.io"_s);
    // Straight from the kubelet: containerd's words for the exit error.
    const QJsonObject status = QJsonDocument::fromJson(client->channel(3)).object();
    QCOMPARE(status.value(u"status"_s), u"Failure"_s);
    QCOMPARE(status.value(u"reason"_s), u"NonZeroExitCode"_s);
    QCOMPARE(
        status.value(u"message"_s),
        u"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3"_s);
}

void TestPodStreams::execV4StdinAfterQuiet()
{
    auto client =
        open(u"/pods/tdengine-0/exec?command=cat&stdin=true&stdout=true"_s, {u"v4.channel.k8s.io"_s});
    QTRY_VERIFY(client->connected);
    client->socket->sendBinaryMessage(frame(0, "one "));
    client->socket->sendBinaryMessage(frame(0, "two"));
    QTRY_VERIFY(client->disconnected);
    QCOMPARE(client->channel(1), "one two");
    QCOMPARE(client->channel(3), R"({"metadata":{},"status":"Success"})");
}

void TestPodStreams::execLegacyProtocolReportsPlainText()
{
    auto ok = open(u"/pods/tdengine-0/exec?command=echo&command=hi&stdout=1"_s, {u"channel.k8s.io"_s});
    auto failing = open(u"/pods/tdengine-0/exec?command=sh&command=-c&command=exit%203&stdout=1"_s, {});
    QTRY_VERIFY(ok->disconnected && failing->disconnected);
    QCOMPARE(ok->socket->subprotocol(), u"channel.k8s.io"_s);
    QCOMPARE(ok->channel(1), "hi\n");
    QVERIFY(ok->channel(3).isEmpty()); // success says nothing
    QCOMPARE(failing->socket->subprotocol(), QString());
    QCOMPARE(
        failing->channel(3),
        "command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3");
}

void TestPodStreams::execStderrAndTty()
{
    auto split =
        open(u"/pods/tdengine-0/exec?command=warn&stdout=true&stderr=true"_s, {u"v5.channel.k8s.io"_s});
    auto quiet = open(u"/pods/tdengine-0/exec?command=warn&stdout=true"_s, {u"v5.channel.k8s.io"_s});
    auto tty = open(u"/pods/tdengine-0/exec?command=warn&stdout=true&stderr=true&tty=true"_s,
                    {u"v5.channel.k8s.io"_s});
    QTRY_VERIFY(split->disconnected && quiet->disconnected && tty->disconnected);
    QCOMPARE(split->channel(1), "out\n");
    QCOMPARE(split->channel(2), "err\n");
    QCOMPARE(quiet->channel(1), "out\n");
    for (const QByteArray &message : std::as_const(quiet->messages))
        QVERIFY(message.at(0) != 2);
    QCOMPARE(tty->channel(1), "out\r\nerr\r\n");
    QVERIFY(tty->channel(2).isEmpty());
}

void TestPodStreams::execNeedsUpgrade()
{
    const QByteArray response =
        rawRequest("GET /pods/tdengine-0/exec?command=ls&stdout=true HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY2(response.startsWith("HTTP/1.1 400 Bad Request\r\n"), response.constData());
    const QJsonObject status =
        QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
    QCOMPARE(status.value(u"kind"_s), u"Status"_s);
    QCOMPARE(status.value(u"reason"_s), u"BadRequest"_s);
    QCOMPARE(status.value(u"message"_s), u"Upgrade request required"_s);
    QCOMPARE(status.value(u"code"_s), 400);

    // kubectl's SPDY fallback is told plainly that only WebSocket is served.
    const QByteArray spdy =
        rawRequest("POST /pods/tdengine-0/exec?command=ls&stdout=true HTTP/1.1\r\nHost: x\r\n"
                   "Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\nContent-Length: 0\r\n\r\n");
    QVERIFY2(spdy.startsWith("HTTP/1.1 400 "), spdy.constData());
    QVERIFY(spdy.contains("WebSocket only, not SPDY/3.1"));
}

void TestPodStreams::execRejectsBadHandshakes()
{
    const QByteArray head = "GET /pods/tdengine-0/exec?command=ls&stdout=true HTTP/1.1\r\nHost: x\r\n"
                            "Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n";
    const QByteArray key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    QByteArray response = rawRequest(head + "Sec-WebSocket-Version: 13\r\n\r\n");
    QVERIFY2(response.startsWith("HTTP/1.1 400 "), response.constData());
    QVERIFY(response.contains("Sec-WebSocket-Key"));
    response = rawRequest(head + key + "Sec-WebSocket-Version: 8\r\n\r\n");
    QVERIFY2(response.startsWith("HTTP/1.1 400 "), response.constData());
    QVERIFY(response.contains("unsupported version"));
    response = rawRequest(
        head + key +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io\r\n\r\n");
    QVERIFY2(response.startsWith("HTTP/1.1 400 "), response.constData());
    QVERIFY(response.contains("requested protocol(s) are not supported"));
    // The RFC 6455 sample key, answered with its sample accept value.
    response = rawRequest(head + key +
                          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n");
    QVERIFY2(response.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), response.constData());
    QVERIFY(response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    QVERIFY(response.contains("Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n"));
}

void TestPodStreams::execRejectsBadContainers()
{
    const auto statusOf = [this](const QByteArray &path) {
        const QByteArray response = rawRequest("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        return QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
    };
    QCOMPARE(statusOf("/pods/tdengine-0/exec?command=ls&stdout=true&container=nope").value(u"message"_s),
             u"container nope is not valid for pod tdengine-0"_s);
    QCOMPARE(statusOf("/pods/multi-0/exec?command=ls&stdout=true").value(u"message"_s),
             u"a container name must be specified for pod multi-0, choose one of: [tdengine sidecar]"_s);
    QCOMPARE(statusOf("/pods/unscheduled-0/exec?command=ls&stdout=true").value(u"message"_s),
             u"pod unscheduled-0 does not have a host assigned"_s);

    auto sidecar = open(u"/pods/multi-0/exec?command=echo&command=x&container=sidecar&stdout=true"_s,
                        {u"v5.channel.k8s.io"_s});
    QTRY_VERIFY(sidecar->disconnected);
    QCOMPARE(m_runtime->lastContainer, u"sidecar"_s);
}

void TestPodStreams::execNotRunning()
{
    // v5 goes through the API server's stream translator: upgraded, then the error on channel 3.
    auto v5 = open(u"/pods/pending-0/exec?command=ls&stdout=true"_s,
                   {u"v5.channel.k8s.io"_s, u"v4.channel.k8s.io"_s});
    QTRY_VERIFY(v5->disconnected);
    QCOMPARE(
        v5->channel(3),
        "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"Internal error occurred: unable to upgrade "
        "connection: container not found (\\\"tdengine\\\")\",\"reason\":\"InternalError\",\"details\":"
        "{\"causes\":[{\"message\":\"unable to upgrade connection: container not found "
        "(\\\"tdengine\\\")\"}]},"
        "\"code\":500}");
    // v4 reaches the kubelet, whose refusal comes back as it is.
    const QByteArray response = rawRequest(
        "GET /pods/pending-0/exec?command=ls&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
        "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n");
    QVERIFY2(response.startsWith("HTTP/1.1 500 "), response.constData());
    QVERIFY(response.endsWith("\r\n\r\ncontainer not found (\"tdengine\")"));
}

void TestPodStreams::pingIsAnswered()
{
    auto client =
        open(u"/pods/tdengine-0/exec?command=cat&stdin=true&stdout=true"_s, {u"v5.channel.k8s.io"_s});
    QTRY_VERIFY(client->connected);
    QByteArray pong;
    QObject::connect(client->socket.get(), &QWebSocket::pong,
                     [&pong](quint64, const QByteArray &payload) { pong = payload; });
    client->socket->ping("heartbeat");
    QTRY_COMPARE(pong, "heartbeat");
    client->socket->sendBinaryMessage(QByteArray("\xff\x00", 2));
    QTRY_VERIFY(client->disconnected);
}

void TestPodStreams::clientCloseEndsSession()
{
    auto client =
        open(u"/pods/tdengine-0/exec?command=cat&stdin=true&stdout=true"_s, {u"v5.channel.k8s.io"_s});
    QTRY_VERIFY(client->connected);
    client->socket->close(QWebSocketProtocol::CloseCodeGoingAway);
    QTRY_VERIFY(client->disconnected);
    QVERIFY(client->channel(3).isEmpty());
}

// ----- port-forward -----------------------------------------------------------------------------

void TestPodStreams::portForwardPrefixesAndHttp()
{
    auto client = open(u"/pods/tdengine-0/portforward?ports=6041"_s,
                       {u"v5.channel.k8s.io"_s, u"v4.channel.k8s.io"_s}); // the Python client's offer
    QTRY_VERIFY(client->messages.size() >= 2);
    QCOMPARE(client->socket->subprotocol(), u"v4.channel.k8s.io"_s);
    QCOMPARE(client->messages.at(0), QByteArray("\x00\x99\x17", 3)); // 6041 = 0x1799, little-endian
    QCOMPARE(client->messages.at(1), QByteArray("\x01\x99\x17", 3));
    m_runtime->requests.clear();
    client->socket->sendBinaryMessage(
        frame(0, "POST /rest/sql HTTP/1.1\r\nHost: localhost:6041\r\n"
                 "Authorization: Basic cm9vdDp0YW9zZGF0YQ==\r\nContent-Length: 12\r\n\r\n"
                 "show dnodes;"));
    QTRY_VERIFY(client->channel(0).size() > 4);
    const QByteArray response = client->channel(0).mid(2); // after the port prefix
    QVERIFY2(response.startsWith("HTTP/1.1 200 OK\r\n"), response.constData());
    QVERIFY(response.contains("\r\nContent-Type: application/json\r\n"));
    QVERIFY(response.contains("\r\nConnection: keep-alive\r\n"));
    QVERIFY(!response.contains("999")); // the length is ours, not what the reply headers said
    const QByteArray body = response.mid(response.indexOf("\r\n\r\n") + 4);
    QVERIFY(response.contains(QByteArray("\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n")));
    const QJsonObject json = QJsonDocument::fromJson(body).object();
    QCOMPARE(json.value(u"path"_s), u"/rest/sql"_s);
    QCOMPARE(json.value(u"body"_s), u"show dnodes;"_s);
    QCOMPARE(m_runtime->requests.size(), 1);
    QCOMPARE(m_runtime->requests.at(0).header("authorization"), "Basic cm9vdDp0YW9zZGF0YQ==");
    QVERIFY(!client->disconnected);
    client->socket->close();
    QTRY_VERIFY(client->disconnected);
}

void TestPodStreams::portForwardKeepAliveAndPipelining()
{
    auto client = open(u"/pods/tdengine-0/portforward?ports=6041"_s, {u"v4.channel.k8s.io"_s});
    QTRY_VERIFY(client->messages.size() >= 2);
    m_runtime->requests.clear();
    client->socket->sendBinaryMessage(frame(0, "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"));
    QTRY_COMPARE(client->channel(0).count("HTTP/1.1 200 OK"), 1);
    // Two more, the second split across frames and chunked.
    client->socket->sendBinaryMessage(
        frame(0, "POST /two HTTP/1.1\r\nContent-Length: 1\r\n\r\nxPOST /three HTTP/1.1\r\n"));
    client->socket->sendBinaryMessage(frame(0, "Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"));
    QTRY_COMPARE(client->channel(0).count("HTTP/1.1 200 OK"), 3);
    QCOMPARE(m_runtime->requests.size(), 3);
    QCOMPARE(m_runtime->requests.at(1).body, "x");
    QCOMPARE(m_runtime->requests.at(2).path, u"/three"_s);
    QCOMPARE(m_runtime->requests.at(2).body, "hi");
    const QByteArray stream = client->channel(0);
    QVERIFY(stream.indexOf("\"/one\"") < stream.indexOf("\"/two\""));
    QVERIFY(stream.indexOf("\"/two\"") < stream.indexOf("\"/three\""));
    QVERIFY(!client->disconnected);
    client->socket->close();
    QTRY_VERIFY(client->disconnected);
}

void TestPodStreams::portForwardConnectionClose()
{
    auto client = open(u"/pods/tdengine-0/portforward?ports=6041"_s, {u"v4.channel.k8s.io"_s});
    QTRY_VERIFY(client->messages.size() >= 2);
    client->socket->sendBinaryMessage(frame(0, "HEAD /rest/sql HTTP/1.1\r\nConnection: close\r\n\r\n"));
    QTRY_VERIFY(client->disconnected); // the pod's server hung up, and with it the only port
    const QByteArray response = client->channel(0).mid(2);
    QVERIFY2(response.contains("\r\nConnection: close\r\n"), response.constData());
    QVERIFY(response.endsWith("\r\n\r\n")); // HEAD: no body, but the length it would have
    QVERIFY(!response.contains("Content-Length: 0\r\n"));
    QCOMPARE(client->socket->closeCode(), QWebSocketProtocol::CloseCodeNormal);
}

void TestPodStreams::portForwardRefusedPort()
{
    auto client = open(u"/pods/tdengine-0/portforward?ports=6030"_s, {u"v4.channel.k8s.io"_s});
    QTRY_VERIFY(client->disconnected);
    QCOMPARE(client->messages.at(0), QByteArray("\x00\x8e\x17", 3));
    QCOMPARE(client->messages.at(1), QByteArray("\x01\x8e\x17", 3));
    const QByteArray error = client->channel(1).mid(2);
    QVERIFY2(error.startsWith("error forwarding port 6030 to pod "), error.constData());
    QVERIFY(
        error.contains(", uid : failed to execute portforward in network namespace \"/var/run/netns/cni-"));
    QVERIFY(error.contains("failed to connect to localhost:6030 inside namespace"));
    QVERIFY(error.endsWith(
        "IPv4: dial tcp4 127.0.0.1:6030: connect: connection refused IPv6 dial tcp6 [::1]:6030: "
        "connect: connection refused "));
}

void TestPodStreams::portForwardMixedPorts()
{
    auto client = open(u"/pods/tdengine-0/portforward?ports=6030,6041"_s, {u"v4.channel.k8s.io"_s});
    QTRY_VERIFY(client->channel(1).size() > 2); // 6030 refused at once
    QCOMPARE(client->messages.at(2), QByteArray("\x02\x99\x17", 3));
    client->socket->sendBinaryMessage(frame(2, "GET /rest/sql HTTP/1.1\r\n\r\n"));
    QTRY_VERIFY(client->channel(2).contains("HTTP/1.1 200 OK"));
    QVERIFY(!client->disconnected);                                         // 6041 is still open
    client->socket->sendBinaryMessage(frame(2, "GET /x HTTP/1.0\r\n\r\n")); // HTTP/1.0 closes by default
    QTRY_VERIFY(client->disconnected);
    QCOMPARE(client->channel(2).count("HTTP/1.1 200 OK"), 2);
}

void TestPodStreams::portForwardBadRequests()
{
    const auto responseTo = [this](const QByteArray &path) {
        return rawRequest("GET " + path +
                          " HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                          "Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n");
    };
    QVERIFY(responseTo("/pods/tdengine-0/portforward").contains("query parameter \\\"ports\\\" is required"));
    QVERIFY(responseTo("/pods/tdengine-0/portforward?ports=http").contains("invalid syntax"));
    QVERIFY(responseTo("/pods/tdengine-0/portforward?ports=0").contains("must be > 0"));
    QVERIFY(
        responseTo("/pods/unscheduled-0/portforward?ports=6041").contains("does not have a host assigned"));
    const QByteArray pending = responseTo("/pods/pending-0/portforward?ports=6041");
    QVERIFY2(pending.startsWith("HTTP/1.1 500 "), pending.constData());
    QVERIFY(pending.endsWith("pod not found (\"pending-0_tdengine-test\")"));

    // Garbage on a data channel: Go's 400 and the port closes.
    auto client = open(u"/pods/tdengine-0/portforward?ports=6041"_s, {u"v4.channel.k8s.io"_s});
    QTRY_VERIFY(client->messages.size() >= 2);
    client->socket->sendBinaryMessage(frame(0, "\x16\x03\x01 not http\r\n\r\n"));
    QTRY_VERIFY(client->disconnected);
    QVERIFY(client->channel(0).mid(2).startsWith("HTTP/1.1 400 Bad Request\r\n"));
}

QTEST_GUILESS_MAIN(TestPodStreams)

#include "tst_podstreams.moc"
