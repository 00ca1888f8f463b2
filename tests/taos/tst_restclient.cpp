// RestClient against the sandbox's TDengine (three pods from manifests/), reached the way tdkube
// reaches it: through a local port to taosAdapter (here a stand-in for a port-forward that hands each
// HTTP request to the pod's simulated taosAdapter), and through the API server's proxy, which cannot
// carry the TDengine password.
#include "resources.h"
#include "sandboxfixture.h"
#include "sandboxruntime.h"
#include "store.h"
#include "taos/restclient.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimeZone>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::taos;
using namespace tdkube::kube::test;

namespace {

constexpr int kSlowMs = 30000;
const QString kNamespace = u"tdengine-test"_s;

// A local HTTP port whose requests go to port 6041 of one sandbox pod, as a port-forward's would.
// With `replay` set it answers every request with that body instead (a server replaying a golden file).
class FakeForward final : public QObject
{
public:
    FakeForward(sandbox::Sandbox *sandbox, QString pod)
        : m_sandbox(sandbox)
        , m_pod(std::move(pod))
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                serve(socket);
        });
    }
    QUrl url() const { return QUrl(u"http://127.0.0.1:%1"_s.arg(m_server.serverPort())); }
    QByteArray replay;
    QByteArray lastAuthorization;

private:
    void serve(QTcpSocket *socket)
    {
        auto parser = std::make_shared<sandbox::HttpRequestParser>();
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, parser] {
            parser->feed(socket->readAll());
            sandbox::HttpRequest request;
            while (parser->next(&request) == sandbox::HttpRequestParser::Result::Complete)
                answer(socket, request);
        });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }
    void answer(QTcpSocket *socket, const sandbox::HttpRequest &request)
    {
        lastAuthorization = request.header("authorization");
        const QPointer<QTcpSocket> guard = socket;
        auto send = [guard](const sandbox::PodRuntime::HttpReply &reply) {
            // serializeHttpResponse writes the headers as given: the length is ours to add.
            auto headers = reply.headers;
            headers.append({"Content-Length", QByteArray::number(reply.body.size())});
            if (guard)
                guard->write(sandbox::serializeHttpResponse(reply.status, headers, reply.body));
        };
        if (!replay.isEmpty()) {
            send({200, {{"Content-Type", "application/json"}}, replay});
            return;
        }
        const auto pod = m_sandbox->store()->get(sandbox::podsType(), kNamespace, m_pod);
        if (!pod) {
            send({502, {}, "no pod"});
            return;
        }
        m_sandbox->runtime()->http(*pod, 6041, request, send);
    }

    sandbox::Sandbox *m_sandbox;
    QString m_pod;
    QTcpServer m_server;
};

// A taosAdapter answer of `rows` rows (ts, n) with n = 0, 1, ...
QByteArray generatedBody(int rows)
{
    QByteArray body = R"({"code":0,"column_meta":[["ts","TIMESTAMP",8],["n","INT",4]],"data":[)";
    for (int i = 0; i < rows; ++i) {
        body += (i ? ",[\"" : "[\"") +
                QDateTime::fromMSecsSinceEpoch(1700000000000LL + i, QTimeZone::utc())
                    .toString(Qt::ISODateWithMs)
                    .toLatin1() +
                "\"," + QByteArray::number(i) + ']';
    }
    body += "],\"rows\":" + QByteArray::number(rows) + '}';
    return body;
}

// A taosAdapter whose first connection reads a request whole and closes without answering, as a pod
// that restarts does through a port-forward; the next ones answer `answer`. It counts the requests it
// read, that is the statements TDengine would have run.
class ClosingServer final : public QObject
{
public:
    explicit ClosingServer(QByteArray answer)
        : m_answer(std::move(answer))
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                serve(socket, m_connections++ == 0);
        });
    }
    QUrl url() const { return QUrl(u"http://127.0.0.1:%1"_s.arg(m_server.serverPort())); }
    QStringList requests; // their bodies

private:
    void serve(QTcpSocket *socket, bool close)
    {
        auto parser = std::make_shared<sandbox::HttpRequestParser>();
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, parser, close] {
            parser->feed(socket->readAll());
            sandbox::HttpRequest request;
            while (parser->next(&request) == sandbox::HttpRequestParser::Result::Complete) {
                requests.append(QString::fromUtf8(request.body));
                if (close) {
                    socket->disconnectFromHost();
                    return;
                }
                socket->write(
                    sandbox::serializeHttpResponse(200,
                                                   {{"Content-Type", "application/json"},
                                                    {"Content-Length", QByteArray::number(m_answer.size())}},
                                                   m_answer));
            }
        });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

    QByteArray m_answer;
    QTcpServer m_server;
    int m_connections = 0;
};

} // namespace

class TestRestClient final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void defaultTimeout_data();
    void defaultTimeout();
    void createInsertSelect_valuesComeBackTyped();
    void badSql_reportsCodeAndDesc();
    void wrongPassword_reportsAuthenticationFailure();
    void cancel_callsBackCancelledAndAborts();
    void silentServer_timesOut();
    void closedBeforeTheAnswer_aChangeIsNotSentTwice_aReadIsAskedAgain();
    void largeResult_firstRowsBeforeTheEnd();
    void largeResult_decodedOffTheGuiThread();
    void serviceProxy_explainsThatItCannotAuthenticate();
    void proxy_stripsAuthorization_asARealApiServerDoes();

private:
    QueryOutcome run(RestClient *client, const QString &sql, const QueryOptions &options = {});

    SandboxFixture m_fixture;
    std::unique_ptr<kube::KubeClient> m_kube;
    std::unique_ptr<FakeForward> m_forward;
    std::unique_ptr<RestClient> m_client;
};

QueryOutcome TestRestClient::run(RestClient *client, const QString &sql, const QueryOptions &options)
{
    std::optional<QueryOutcome> outcome;
    QObject context;
    client->query(
        sql, &context, [&outcome](const QueryOutcome &o) { outcome = o; }, options);
    if (!QTest::qWaitFor([&outcome] { return outcome.has_value(); }, kSlowMs))
        qWarning("%s did not finish", qPrintable(sql));
    return outcome.value_or(QueryOutcome{});
}

void TestRestClient::initTestCase()
{
    QVERIFY(m_fixture.start());
    m_kube = std::make_unique<kube::KubeClient>(m_fixture.admin());
    QVERIFY(createNamespace(m_kube.get(), kNamespace));
    QString error;
    QVERIFY2(applyManifests(m_kube.get(), kNamespace, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(
        m_fixture.sandbox()->store()->get(sandbox::podsType(), kNamespace, u"tdengine-0"_s) &&
            m_fixture.sandbox()->runtime()->probeReady(
                *m_fixture.sandbox()->store()->get(sandbox::podsType(), kNamespace, u"tdengine-0"_s)),
        kSlowMs);
    m_forward = std::make_unique<FakeForward>(m_fixture.sandbox(), u"tdengine-0"_s);
    m_client = std::make_unique<RestClient>(RestTarget::direct(m_forward->url(), u"root"_s, u"taosdata"_s));
}

void TestRestClient::defaultTimeout_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<int>("timeoutMs");
    QTest::newRow("select") << u"select * from t"_s << RestClient::kDefaultTimeoutMs;
    QTest::newRow("drop dnode") << u"  DROP   DNODE 3"_s << 0;
    QTest::newRow("balance vgroup") << u"balance vgroup"_s << 0;
    QTest::newRow("redistribute") << u"redistribute vgroup 2 dnode 1 dnode 3"_s << 0;
    QTest::newRow("drop database") << u"drop database d"_s << RestClient::kDefaultTimeoutMs;
}

void TestRestClient::defaultTimeout()
{
    QFETCH(QString, sql);
    QFETCH(int, timeoutMs);
    QCOMPARE(RestClient::defaultTimeoutMs(sql), timeoutMs);
}

void TestRestClient::createInsertSelect_valuesComeBackTyped()
{
    QueryOutcome o = run(m_client.get(), u"create database if not exists tdkube_rest"_s);
    QVERIFY2(o.ok(), qPrintable(o.error.describe()));
    QVERIFY(m_forward->lastAuthorization.startsWith("Basic "));
    QueryOptions inDatabase;
    inDatabase.database = u"tdkube_rest"_s;
    o = run(
        m_client.get(),
        u"create table m (ts timestamp, n int, big bigint, x double, ok bool, s binary(16), u nchar(8))"_s,
        inDatabase);
    QVERIFY2(o.ok(), qPrintable(o.error.describe()));
    o = run(m_client.get(),
            u"insert into m values ('2024-05-06 07:08:09.123', 42, -9000000000, 2.5, true, 'hello', '温度') "
            "('2024-05-06 07:08:10.000', null, null, null, null, null, null)"_s,
            inDatabase);
    QVERIFY2(o.ok(), qPrintable(o.error.describe()));
    QCOMPARE(o.result.affectedRows(), 2);

    o = run(m_client.get(), u"select * from tdkube_rest.m order by ts"_s);
    QVERIFY2(o.ok(), qPrintable(o.error.describe()));
    const Result &r = o.result;
    QCOMPARE(r.rowCount(), 2);
    QStringList types;
    for (const Column &column : r.columns())
        types << column.typeName;
    QCOMPARE(types, QStringList({u"TIMESTAMP"_s, u"INT"_s, u"BIGINT"_s, u"DOUBLE"_s, u"BOOL"_s, u"VARCHAR"_s,
                                 u"NCHAR"_s}));
    QCOMPARE(r.value(0, 1), QVariant(qlonglong(42)));
    QCOMPARE(r.value(0, 2), QVariant(qlonglong(-9000000000LL)));
    QCOMPARE(r.value(0, 3), QVariant(2.5));
    QCOMPARE(r.value(0, 4), QVariant(true));
    QCOMPARE(r.value(0, 5), QVariant(u"hello"_s));
    QCOMPARE(r.value(0, 6), QVariant(u"温度"_s));
    QCOMPARE(r.dateTime(0, 0).toMSecsSinceEpoch() % 1000, 123);
    for (qsizetype c = 1; c < r.columnCount(); ++c)
        QVERIFY(r.isNull(1, c));
    QVERIFY(!r.isNull(1, 0));
    QVERIFY(o.elapsedMs >= 0);
}

void TestRestClient::badSql_reportsCodeAndDesc()
{
    const QueryOutcome o = run(m_client.get(), u"selec * from nowhere"_s);
    QVERIFY(!o.ok());
    QCOMPARE(o.httpStatus, 200); // HTTP 200 is not success
    QCOMPARE(o.error.code, 0x2600);
    QVERIFY2(o.error.desc.contains(u"syntax error"_s, Qt::CaseInsensitive), qPrintable(o.error.desc));
    QVERIFY(o.error.describe().startsWith(u"TDengine error 0x2600"_s));

    const QueryOutcome missing = run(m_client.get(), u"select * from nosuchdb.t"_s);
    QVERIFY(!missing.ok());
    QVERIFY(missing.error.code > 0);
}

void TestRestClient::wrongPassword_reportsAuthenticationFailure()
{
    RestClient client(RestTarget::direct(m_forward->url(), u"root"_s, u"wrong"_s));
    const QueryOutcome o = run(&client, u"select server_version()"_s);
    QVERIFY(!o.ok());
    QCOMPARE(o.httpStatus, 200); // taosAdapter passes TDengine's refusal on with 200 (FACTS.md section 5)
    QCOMPARE(o.error.code, 0x0357);
    QCOMPARE(o.error.desc, u"Authentication failure"_s);
    QVERIFY2(o.error.describe().contains(u"password"_s), qPrintable(o.error.describe()));
    QVERIFY(!client.target().describe().contains(u"wrong"_s));
}

void TestRestClient::cancel_callsBackCancelledAndAborts()
{
    std::optional<QueryOutcome> outcome;
    int calls = 0;
    QObject context;
    QueryHandle handle = m_client->query(u"show databases"_s, &context, [&](const QueryOutcome &o) {
        outcome = o;
        ++calls;
    });
    QVERIFY(handle.isRunning());
    handle.cancel();
    QVERIFY(outcome.has_value());
    QVERIFY(outcome->cancelled);
    QVERIFY(!outcome->ok());
    QVERIFY(!handle.isRunning());
    handle.cancel(); // harmless twice
    QTest::qWait(300);
    QCOMPARE(calls, 1);
    // The client still works after a cancellation.
    QVERIFY(run(m_client.get(), u"show databases"_s).ok());
}

void TestRestClient::silentServer_timesOut()
{
    QTcpServer silent; // accepts and never answers
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    RestClient client(RestTarget::direct(QUrl(u"http://127.0.0.1:%1"_s.arg(silent.serverPort())), u"root"_s,
                                         u"taosdata"_s));
    QueryOptions options;
    options.timeoutMs = 300;
    QElapsedTimer clock;
    clock.start();
    const QueryOutcome o = run(&client, u"select 1"_s, options);
    QVERIFY(o.timedOut);
    QVERIFY(!o.ok());
    QVERIFY2(o.error.describe().contains(u"did not finish within 0.3 s"_s), qPrintable(o.error.describe()));
    QVERIFY(clock.elapsed() < 5000);
}

// HTTP clients send a request again on a new connection when the one they used closed before any answer.
// A read may be asked again; a change must not run twice (an insert with `now` would add its rows twice):
// it ends with an error that says the statement may have run.
void TestRestClient::closedBeforeTheAnswer_aChangeIsNotSentTwice_aReadIsAskedAgain()
{
    const QByteArray inserted =
        R"({"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[1]],"rows":1})";
    ClosingServer insertServer(inserted);
    RestClient insertClient(RestTarget::direct(insertServer.url(), u"root"_s, u"taosdata"_s));
    const QString insert = u"insert into d.t values (now, 1)"_s;
    const QueryOutcome changed = run(&insertClient, insert);
    QCOMPARE(insertServer.requests, QStringList{insert});
    QVERIFY(!changed.ok() && changed.mayHaveRun);
    QVERIFY2(changed.error.describe().contains(u"may have run"_s), qPrintable(changed.error.describe()));

    const QByteArray one = R"({"code":0,"column_meta":[["1","BIGINT",8]],"data":[[1]],"rows":1})";
    ClosingServer selectServer(one);
    RestClient selectClient(RestTarget::direct(selectServer.url(), u"root"_s, u"taosdata"_s));
    const QueryOutcome read = run(&selectClient, u"select 1"_s);
    QVERIFY2(read.ok(), qPrintable(read.error.describe()));
    QCOMPARE(selectServer.requests, (QStringList{u"select 1"_s, u"select 1"_s}));
}

void TestRestClient::largeResult_firstRowsBeforeTheEnd()
{
    const int rows = 20000;
    FakeForward replay(m_fixture.sandbox(), {});
    replay.replay = generatedBody(rows);
    RestClient client(RestTarget::direct(replay.url(), u"root"_s, u"taosdata"_s));
    QueryOptions options;
    options.firstRowCount = 100;
    std::optional<Result> head;
    bool headBeforeDone = false;
    std::optional<QueryOutcome> outcome;
    options.firstRows = [&](const Result &r) {
        head = r;
        headBeforeDone = !outcome.has_value();
    };
    QObject context;
    client.query(
        u"select * from big"_s, &context, [&](const QueryOutcome &o) { outcome = o; }, options);
    QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), kSlowMs);
    QVERIFY2(outcome->ok(), qPrintable(outcome->error.describe()));
    QCOMPARE(outcome->result.rowCount(), rows);
    QCOMPARE(outcome->result.int64(rows - 1, 1), rows - 1);
    QVERIFY(head.has_value());
    QVERIFY(headBeforeDone);
    QCOMPARE(head->rowCount(), 100);
    QCOMPARE(head->int64(99, 1), 99);
}

// A large answer is decoded on a worker thread: the client's thread keeps turning meanwhile.
void TestRestClient::largeResult_decodedOffTheGuiThread()
{
    const int rows = 200000;
    FakeForward replay(m_fixture.sandbox(), {});
    replay.replay = generatedBody(rows);
    RestClient client(RestTarget::direct(replay.url(), u"root"_s, u"taosdata"_s));
    std::optional<QueryOutcome> outcome;
    QObject context;
    QElapsedTimer clock;
    qint64 last = 0;
    qint64 longestGap = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, &context, [&] {
        longestGap = qMax(longestGap, clock.elapsed() - last);
        last = clock.elapsed();
    });
    ticker.start(5);
    clock.start();
    client.query(u"select * from big"_s, &context, [&](const QueryOutcome &o) { outcome = o; });
    QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), kSlowMs);
    const qint64 total = clock.elapsed();
    QVERIFY2(outcome->ok(), qPrintable(outcome->error.describe()));
    QCOMPARE(outcome->result.rowCount(), rows);
    QCOMPARE(outcome->result.int64(rows - 1, 1), rows - 1);
    QVERIFY2(longestGap < qMax<qint64>(300, total / 3),
             qPrintable(u"the event loop stalled %1 ms of %2 ms"_s.arg(longestGap).arg(total)));
}

void TestRestClient::serviceProxy_explainsThatItCannotAuthenticate()
{
    RestClient client(RestTarget::serviceProxy(m_kube.get(), kNamespace, u"taosadapter"_s));
    QCOMPARE(client.target().proxyPath(),
             u"/api/v1/namespaces/tdengine-test/services/taosadapter:6041/proxy/rest/sql"_s);
    QCOMPARE(RestTarget::podProxy(m_kube.get(), kNamespace, u"tdengine-0"_s).proxyPath(),
             u"/api/v1/namespaces/tdengine-test/pods/tdengine-0:6041/proxy/rest/sql"_s);
    const QueryOutcome o = run(&client, u"show databases"_s);
    QVERIFY(!o.ok());
    const QString text = o.error.describe();
    QVERIFY2(text.contains(u"taosAdapter needs Basic auth, which the API server proxy strips"_s),
             qPrintable(text));
    QVERIFY2(text.contains(u"port-forward"_s), qPrintable(text));
}

// Why the proxy transport refuses: the API server (and the sandbox, like it) drops the Authorization
// header, so taosAdapter sees no credentials even when the client sent them.
void TestRestClient::proxy_stripsAuthorization_asARealApiServerDoes()
{
    kube::KubeRequest request;
    request.verb = "POST";
    request.path = RestTarget::serviceProxy(m_kube.get(), kNamespace, u"taosadapter"_s).proxyPath();
    request.body = "show databases";
    request.contentType = "text/plain";
    const kube::KubeResponse response =
        await([&](QObject *context, kube::KubeClient::Done done) { m_kube->send(request, context, done); });
    Result result;
    TaosError error;
    QVERIFY(!ResultDecoder::decode(response.body, &result, &error));
    QCOMPARE(error.code, 4357);
    QCOMPARE(error.desc, u"no auth info input"_s);
}

QTEST_GUILESS_MAIN(TestRestClient)
#include "tst_restclient.moc"
