// PortForward against an in-process sandbox running TDengine from manifests/: taosAdapter's REST API
// reached through the local port, many connections at once, a StatefulSet forward following a ready
// pod, a pod forward stopping when its pod goes, and the server's words for every failure.
#include "kube/portforward.h"
#include "kube/yamljson.h"
#include "sandboxfixture.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace tdkube::kube;
using namespace tdkube::kube::test;

namespace {

constexpr int kReadyMs = 120000;
const QString kNs = u"pf"_s;

QNetworkReply *postSql(QNetworkAccessManager *network, quint16 port, const QByteArray &sql)
{
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(u"127.0.0.1"_s);
    url.setPort(port);
    url.setPath(u"/rest/sql"_s);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Basic " + QByteArrayLiteral("root:taosdata").toBase64());
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("text/plain"));
    request.setTransferTimeout(20000);
    return network->post(request, sql);
}

// The `code` of taosAdapter's answer, or -1 with the reason in `error`.
int sqlCode(QNetworkReply *reply, QString *error)
{
    if (reply->error() != QNetworkReply::NoError) {
        *error = reply->errorString();
        return -1;
    }
    const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
    if (!answer.contains(u"code")) {
        *error = u"no code in the answer"_s;
        return -1;
    }
    *error = answer.value(u"desc").toString();
    return answer.value(u"code").toInt();
}

int showDatabases(quint16 port, QString *error)
{
    QNetworkAccessManager network;
    std::unique_ptr<QNetworkReply> reply(postSql(&network, port, "show databases"));
    if (!QTest::qWaitFor([&reply] { return reply->isFinished(); }, 30000)) {
        *error = u"no answer"_s;
        return -1;
    }
    return sqlCode(reply.get(), error);
}

} // namespace

class TestPortForward final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void podTarget_restSql_codeZeroAndBytesCounted();
    void podTarget_twentyConcurrentRequests_allSucceed();
    void curl_throughForward_codeZero();
    void podTarget_portNotListening_serversErrorReported();
    void podTarget_missingPod_stopsWithReason();
    void badToken_stopsWithServersMessage();
    void localPortInUse_stopsWithReason();
    void statefulSet_servingPodDeleted_followsReadyPod();
    void statefulSet_noPodReady_reconnectsThenActive();
    void service_forwardsToLowestReadyOrdinal();
    void serviceWithoutPods_connectionWaitsThenFails();
    void service_portMappedToItsTargetPort_numberOrName();
    void service_nativePort6030_reachesTaosdsPort();
    void podTarget_podDeleted_stopsWithReason();
    void credentialExpiredMeanwhile_freshOneFetched_connectionServed();
    void tlsServerName_serverReachedByAnotherAddress_verifiedAgainstThatName();

private:
    void applyManifests();
    bool allReady();
    void waitAllReady();
    std::unique_ptr<PortForward> forward(ForwardTarget::Kind kind, const QString &name, quint16 port,
                                         KubeClient *client = nullptr);
    bool waitForState(PortForward *forward, PortForward::State state, int timeoutMs = 30000);

    SandboxFixture m_fixture;
    std::unique_ptr<KubeClient> m_client;
};

void TestPortForward::initTestCase()
{
    QVERIFY(m_fixture.start({}, 0.1));
    m_client = std::make_unique<KubeClient>(m_fixture.admin());
    QVERIFY(createNamespace(m_client.get(), kNs));
    applyManifests();
    waitAllReady();
}

void TestPortForward::cleanupTestCase()
{
    m_client.reset();
}

void TestPortForward::applyManifests()
{
    QString error;
    QVERIFY2(tdkube::kube::test::applyManifests(m_client.get(), kNs, &error), qPrintable(error));
}

bool TestPortForward::allReady()
{
    const KubeResponse response = await([&](QObject *context, KubeClient::Done done) {
        m_client->list(ResourceKind::pods(), kNs, {}, context, done);
    });
    int ready = 0;
    const QJsonArray items = response.json().value(u"items").toArray();
    for (const QJsonValue &item : items) {
        const QJsonObject pod = item.toObject();
        if (pod.value(u"metadata").toObject().contains(u"deletionTimestamp"))
            return false;
        const QJsonArray conditions = pod.value(u"status").toObject().value(u"conditions").toArray();
        for (const QJsonValue &condition : conditions) {
            if (condition[u"type"].toString() == u"Ready" && condition[u"status"].toString() == u"True")
                ++ready;
        }
    }
    return ready == 3 && items.size() == 3;
}

void TestPortForward::waitAllReady()
{
    QVERIFY2(QTest::qWaitFor([this] { return allReady(); }, kReadyMs),
             "the three TDengine pods are not ready");
}

std::unique_ptr<PortForward> TestPortForward::forward(ForwardTarget::Kind kind, const QString &name,
                                                      quint16 port, KubeClient *client)
{
    ForwardTarget target;
    target.kind = kind;
    target.ns = kNs;
    target.name = name;
    auto result = std::make_unique<PortForward>(client ? client : m_client.get(), target, port);
    result->setQueueTimeout(60000);
    result->start();
    return result;
}

bool TestPortForward::waitForState(PortForward *forward, PortForward::State state, int timeoutMs)
{
    const bool reached = QTest::qWaitFor([&] { return forward->state() == state; }, timeoutMs);
    if (!reached)
        qWarning() << "state" << forward->state() << forward->stateReason() << "wanted" << state;
    return reached;
}

void TestPortForward::podTarget_restSql_codeZeroAndBytesCounted()
{
    auto pf = forward(ForwardTarget::Kind::Pod, u"tdengine-0"_s, 6041);
    QSignalSpy bytes(pf.get(), &PortForward::bytesChanged);
    QVERIFY(pf->localPort() != 0);
    QVERIFY(waitForState(pf.get(), PortForward::State::Active));
    QCOMPARE(pf->pod(), u"tdengine-0"_s);
    QVERIFY2(pf->stateReason().contains(u"tdengine-0"), qPrintable(pf->stateReason()));

    QString error;
    QCOMPARE(showDatabases(pf->localPort(), &error), 0);
    QVERIFY(bytes.wait(2000) || !bytes.isEmpty());
    const qint64 in = pf->bytesIn();
    const qint64 out = pf->bytesOut();
    QVERIFY(in > 100); // an HTTP response with a JSON body
    QVERIFY(out > 50); // the POST with its headers
    QCOMPARE(bytes.last().at(0).toLongLong(), in);
    QCOMPARE(bytes.last().at(1).toLongLong(), out);

    QCOMPARE(showDatabases(pf->localPort(), &error), 0);
    QVERIFY(pf->bytesIn() > in);
    QVERIFY(pf->bytesOut() > out);
}

void TestPortForward::podTarget_twentyConcurrentRequests_allSucceed()
{
    auto pf = forward(ForwardTarget::Kind::Pod, u"tdengine-0"_s, 6041);
    QVERIFY(waitForState(pf.get(), PortForward::State::Active));
    // One manager per request, so that each gets a TCP connection (and a WebSocket) of its own.
    std::vector<std::unique_ptr<QNetworkAccessManager>> networks;
    std::vector<std::unique_ptr<QNetworkReply>> replies;
    int peak = 0;
    for (int i = 0; i < 20; ++i) {
        networks.push_back(std::make_unique<QNetworkAccessManager>());
        replies.emplace_back(postSql(networks.back().get(), pf->localPort(), "show databases"));
    }
    QVERIFY(QTest::qWaitFor(
        [&] {
            peak = std::max(peak, pf->connectionCount());
            return std::all_of(replies.begin(), replies.end(), [](const auto &r) { return r->isFinished(); });
        },
        60000));
    for (const auto &reply : replies) {
        QString error;
        QCOMPARE(sqlCode(reply.get(), &error), 0);
    }
    QVERIFY2(peak > 1, qPrintable(QString::number(peak)));
    QCOMPARE(pf->state(), PortForward::State::Active);
}

// An independent HTTP client, as a DBA would use the forward.
void TestPortForward::curl_throughForward_codeZero()
{
    const QString curl = QStandardPaths::findExecutable(u"curl"_s);
    if (curl.isEmpty())
        QSKIP("curl is not installed");
    auto pf = forward(ForwardTarget::Kind::Pod, u"tdengine-0"_s, 6041);
    QVERIFY(waitForState(pf.get(), PortForward::State::Active));
    QProcess process;
    process.start(curl,
                  {u"-sS"_s, u"--max-time"_s, u"20"_s, u"-u"_s, u"root:taosdata"_s, u"-d"_s,
                   u"select server_version()"_s, u"http://127.0.0.1:%1/rest/sql"_s.arg(pf->localPort())});
    // Not waitForFinished(): the forward runs on this thread's event loop.
    QVERIFY(QTest::qWaitFor([&process] { return process.state() == QProcess::NotRunning; }, 30000));
    const QByteArray output = process.readAllStandardOutput();
    QCOMPARE(process.exitCode(), 0);
    const QJsonObject answer = QJsonDocument::fromJson(output).object();
    QVERIFY2(answer.contains(u"code") && answer.value(u"code").toInt() == 0, output.constData());
}

void TestPortForward::podTarget_portNotListening_serversErrorReported()
{
    auto pf = forward(ForwardTarget::Kind::Pod, u"tdengine-0"_s, 6999);
    QSignalSpy failed(pf.get(), &PortForward::connectionFailed);
    QVERIFY(waitForState(pf.get(), PortForward::State::Active));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, pf->localPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(failed.wait(10000));
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(u"6999") && message.contains(u"connection refused"), qPrintable(message));
    QVERIFY(QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; }, 5000));
    // One connection failing does not stop the forward.
    QCOMPARE(pf->state(), PortForward::State::Active);
}

void TestPortForward::podTarget_missingPod_stopsWithReason()
{
    auto pf = forward(ForwardTarget::Kind::Pod, u"tdengine-9"_s, 6041);
    QVERIFY(waitForState(pf.get(), PortForward::State::Stopped));
    QVERIFY2(pf->stateReason().contains(u"tdengine-9") && pf->stateReason().contains(u"not found"),
             qPrintable(pf->stateReason()));
}

// The sandbox's viewer may open pods/portforward (a WebSocket is a GET), so a refusal is made with
// a token the server does not know: the watch of the pod is refused, and the forward says so.
void TestPortForward::badToken_stopsWithServersMessage()
{
    ConnectionSettings settings = m_fixture.anonymous();
    settings.userName = u"stranger"_s;
    settings.token = u"not-a-token"_s;
    KubeClient stranger(settings);
    auto pf = forward(ForwardTarget::Kind::Pod, u"tdengine-0"_s, 6041, &stranger);
    QVERIFY(waitForState(pf.get(), PortForward::State::Stopped));
    QVERIFY2(pf->stateReason().contains(u"Unauthorized", Qt::CaseInsensitive), qPrintable(pf->stateReason()));
}

void TestPortForward::localPortInUse_stopsWithReason()
{
    auto first = forward(ForwardTarget::Kind::Pod, u"tdengine-0"_s, 6041);
    ForwardTarget target{ForwardTarget::Kind::Pod, kNs, u"tdengine-0"_s};
    PortForward second(m_client.get(), target, 6041, first->localPort());
    second.start();
    QCOMPARE(second.state(), PortForward::State::Stopped);
    QVERIFY2(second.stateReason().contains(QString::number(first->localPort())),
             qPrintable(second.stateReason()));
}

void TestPortForward::statefulSet_servingPodDeleted_followsReadyPod()
{
    auto pf = forward(ForwardTarget::Kind::StatefulSet, u"tdengine"_s, 6041);
    QVERIFY(waitForState(pf.get(), PortForward::State::Active));
    QCOMPARE(pf->pod(), u"tdengine-0"_s);
    QString error;
    QCOMPARE(showDatabases(pf->localPort(), &error), 0);

    const KubeResponse removed = await([&](QObject *context, KubeClient::Done done) {
        m_client->remove(ResourceKind::pods(), kNs, u"tdengine-0"_s, {}, context, done);
    });
    QVERIFY2(removed.ok(), qPrintable(removed.error));
    // Another pod is Ready at once, so the forward moves there without a gap.
    QVERIFY(QTest::qWaitFor([&] { return pf->pod() == u"tdengine-1"; }, 30000));
    QCOMPARE(pf->state(), PortForward::State::Active);
    QVERIFY2(pf->stateReason().contains(u"tdengine-0"), qPrintable(pf->stateReason()));
    QCOMPARE(showDatabases(pf->localPort(), &error), 0);
    waitAllReady();
}

void TestPortForward::statefulSet_noPodReady_reconnectsThenActive()
{
    auto pf = forward(ForwardTarget::Kind::StatefulSet, u"tdengine"_s, 6041);
    QVERIFY(waitForState(pf.get(), PortForward::State::Active));
    QList<PortForward::State> states;
    QStringList reasons;
    connect(pf.get(), &PortForward::stateChanged, this,
            [&states, &reasons](PortForward::State state, const QString &reason) {
                states.append(state);
                reasons.append(reason);
            });

    // No pod Ready until the test says so: their nodes stop (the sandbox stops the containers and keeps the
    // pods not Ready while a node is down). Crashed pods came back Ready within a few hundred ms at this time
    // scale, and on a busy machine one was back before the last went: no moment was without a Ready pod.
    const QStringList nodes{u"sandbox-node-1"_s, u"sandbox-node-2"_s, u"sandbox-node-3"_s};
    for (const QString &node : nodes)
        QVERIFY(control(m_client.get(), u"nodes/%1/ready"_s.arg(node), {{u"ready"_s, false}}).ok());
    QVERIFY(QTest::qWaitFor([&states] { return states.contains(PortForward::State::Reconnecting); }, 30000));
    // A client that connects meanwhile waits for the pod and is then served.
    QNetworkAccessManager network;
    std::unique_ptr<QNetworkReply> reply(postSql(&network, pf->localPort(), "show databases"));
    QTest::qWait(200);
    QVERIFY(!reply->isFinished());
    for (const QString &node : nodes)
        QVERIFY(control(m_client.get(), u"nodes/%1/ready"_s.arg(node), {{u"ready"_s, true}}).ok());
    QVERIFY(waitForState(pf.get(), PortForward::State::Active, kReadyMs));
    const QString reconnecting = reasons.at(states.indexOf(PortForward::State::Reconnecting));
    QVERIFY2(reconnecting.contains(u"not ready"), qPrintable(reconnecting));
    QVERIFY(QTest::qWaitFor([&reply] { return reply->isFinished(); }, 30000));
    QString error;
    QCOMPARE(sqlCode(reply.get(), &error), 0);
    QCOMPARE(showDatabases(pf->localPort(), &error), 0);
    waitAllReady();
}

void TestPortForward::service_forwardsToLowestReadyOrdinal()
{
    auto pf = forward(ForwardTarget::Kind::Service, u"taosadapter"_s, 6041);
    QVERIFY(waitForState(pf.get(), PortForward::State::Active));
    QCOMPARE(pf->pod(), u"tdengine-0"_s);
    QString error;
    QCOMPARE(showDatabases(pf->localPort(), &error), 0);
}

void TestPortForward::serviceWithoutPods_connectionWaitsThenFails()
{
    const QJsonObject service{
        {u"metadata"_s, QJsonObject{{u"name"_s, u"nobody"_s}}},
        {u"spec"_s, QJsonObject{{u"selector"_s, QJsonObject{{u"app"_s, u"nobody"_s}}},
                                {u"ports"_s, QJsonArray{QJsonObject{{u"port"_s, 6041}}}}}}};
    const KubeResponse created = await([&](QObject *context, KubeClient::Done done) {
        m_client->create(ResourceKind::services(), kNs, service, context, done);
    });
    QVERIFY2(created.ok(), qPrintable(created.error));
    auto pf = forward(ForwardTarget::Kind::Service, u"nobody"_s, 6041);
    pf->setQueueTimeout(500);
    QSignalSpy failed(pf.get(), &PortForward::connectionFailed);
    QVERIFY(QTest::qWaitFor([&] { return pf->stateReason().contains(u"has no pods"); }, 10000));
    QCOMPARE(pf->state(), PortForward::State::Starting);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, pf->localPort());
    QVERIFY(socket.waitForConnected(5000));
    QVERIFY(QTest::qWaitFor([&] { return pf->connectionCount() == 1; }, 5000));
    QVERIFY(failed.wait(5000));
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(u"No ready pod of service nobody within 0.5 s"), qPrintable(message));
    QVERIFY(QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; }, 5000));
}

// As kubectl port-forward svc/NAME PORT: the Service's port, reached on the pods' targetPort.
void TestPortForward::service_portMappedToItsTargetPort_numberOrName()
{
    const QJsonObject selector{{u"app.kubernetes.io/name"_s, u"tdengine"_s},
                               {u"app.kubernetes.io/instance"_s, u"tdengine"_s}};
    const QJsonObject service{
        {u"metadata"_s, QJsonObject{{u"name"_s, u"rest-alias"_s}}},
        {u"spec"_s, QJsonObject{{u"selector"_s, selector},
                                {u"ports"_s, QJsonArray{QJsonObject{{u"name"_s, u"by-number"_s},
                                                                    {u"port"_s, 80},
                                                                    {u"targetPort"_s, 6041}},
                                                        QJsonObject{{u"name"_s, u"by-name"_s},
                                                                    {u"port"_s, 8080},
                                                                    {u"targetPort"_s, u"tcp6041"_s}}}}}}};
    const KubeResponse created = await([&](QObject *context, KubeClient::Done done) {
        m_client->create(ResourceKind::services(), kNs, service, context, done);
    });
    QVERIFY2(created.ok(), qPrintable(created.error));
    for (const quint16 port : {quint16(80), quint16(8080)}) {
        auto pf = forward(ForwardTarget::Kind::Service, u"rest-alias"_s, port);
        QVERIFY(waitForState(pf.get(), PortForward::State::Active));
        QCOMPARE(pf->podPort(pf->pod()), quint16(6041));
        QVERIFY2(pf->stateReason().endsWith(u"port 6041"_s), qPrintable(pf->stateReason()));
        QString error;
        QCOMPARE(showDatabases(pf->localPort(), &error), 0);
    }
    // A port the Service does not have: said, with the ones it has.
    auto missing = forward(ForwardTarget::Kind::Service, u"rest-alias"_s, 6041);
    QVERIFY(waitForState(missing.get(), PortForward::State::Stopped));
    QVERIFY2(missing->stateReason().contains(u"has no port 6041 (its ports: 80, 8080)"_s),
             qPrintable(missing->stateReason()));
}

// taosd's native port through the client Service: the forward reaches port 6030 of a pod, which
// takes the bytes (the sandbox does not speak TDengine's native protocol, so nothing answers).
void TestPortForward::service_nativePort6030_reachesTaosdsPort()
{
    auto pf = forward(ForwardTarget::Kind::Service, u"taosadapter"_s, 6030);
    QVERIFY(waitForState(pf.get(), PortForward::State::Active));
    QVERIFY2(pf->stateReason().endsWith(u"to pod tdengine-0 port 6030"_s), qPrintable(pf->stateReason()));
    QSignalSpy failed(pf.get(), &PortForward::connectionFailed);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, pf->localPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.write(QByteArray(64, '\x01'));
    QVERIFY(QTest::qWaitFor([&] { return pf->bytesOut() >= 64; }, 10000));
    QTest::qWait(300);
    QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(pf->bytesIn(), 0);
}

void TestPortForward::credentialExpiredMeanwhile_freshOneFetched_connectionServed()
{
    waitAllReady();
    ConnectionSettings settings = m_fixture.anonymous();
    auto token = std::make_shared<ExpiringToken>(m_fixture.execToken());
    settings.credentials = token;
    KubeClient client(settings);
    auto pf = forward(ForwardTarget::Kind::Pod, u"tdengine-1"_s, 6041, &client);
    QVERIFY2(waitForState(pf.get(), PortForward::State::Active), qPrintable(pf->stateReason()));
    token->expired = true; // the next WebSocket goes with a stale token and gets 401
    QSignalSpy failed(pf.get(), &PortForward::connectionFailed);
    QString error;
    const int code = showDatabases(pf->localPort(), &error);
    QVERIFY2(code == 0, qPrintable(error + u" / "_s +
                                   (failed.isEmpty() ? QString() : failed.first().first().toString())));
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.first().first().toString()));
    QCOMPARE(token->invalidations, 1);
}

// The API server reached at an address its certificate does not name (127.0.0.2, through a relay):
// with tls-server-name set to a name it does carry, the forward's WebSockets verify against that.
void TestPortForward::tlsServerName_serverReachedByAnotherAddress_verifiedAgainstThatName()
{
    Cable relay(quint16(m_fixture.admin().server.port()), QHostAddress(u"127.0.0.2"_s));
    ConnectionSettings settings = m_fixture.adminThrough(relay);
    {
        KubeClient unnamed(settings); // the certificate does not name 127.0.0.2
        const KubeResponse refused = await([&](QObject *context, KubeClient::Done done) {
            unnamed.get(ResourceKind::pods(), kNs, u"tdengine-2"_s, context, done);
        });
        QCOMPARE(refused.httpStatus, 0);
        QVERIFY2(refused.error.contains(u"127.0.0.2"_s), qPrintable(refused.error));
    }
    settings.tlsServerName = u"kubernetes.default.svc"_s;
    KubeClient named(settings);
    auto pf = forward(ForwardTarget::Kind::Pod, u"tdengine-2"_s, 6041, &named);
    QVERIFY2(waitForState(pf.get(), PortForward::State::Active), qPrintable(pf->stateReason()));
    QSignalSpy failed(pf.get(), &PortForward::connectionFailed);
    QString error;
    const int code = showDatabases(pf->localPort(), &error);
    QVERIFY2(code == 0, qPrintable(error + u" / "_s +
                                   (failed.isEmpty() ? QString() : failed.first().first().toString())));
}

void TestPortForward::podTarget_podDeleted_stopsWithReason()
{
    auto pf = forward(ForwardTarget::Kind::Pod, u"tdengine-1"_s, 6041);
    QVERIFY(waitForState(pf.get(), PortForward::State::Active));
    QTcpSocket idle; // an open connection is closed with the forward
    idle.connectToHost(QHostAddress::LocalHost, pf->localPort());
    QVERIFY(idle.waitForConnected(5000));
    const KubeResponse removed = await([&](QObject *context, KubeClient::Done done) {
        m_client->remove(ResourceKind::pods(), kNs, u"tdengine-1"_s, {}, context, done);
    });
    QVERIFY2(removed.ok(), qPrintable(removed.error));
    QVERIFY(waitForState(pf.get(), PortForward::State::Stopped));
    const QString reason = pf->stateReason();
    QVERIFY2(reason.contains(u"pod tdengine-1") &&
                 (reason.contains(u"was deleted") || reason.contains(u"terminating")),
             qPrintable(reason));
    QVERIFY(QTest::qWaitFor([&] { return idle.state() == QAbstractSocket::UnconnectedState; }, 5000));
    QTcpSocket late;
    late.connectToHost(QHostAddress::LocalHost, pf->localPort());
    QVERIFY(!late.waitForConnected(2000));
}

QTEST_GUILESS_MAIN(TestPortForward)
#include "tst_portforward.moc"
