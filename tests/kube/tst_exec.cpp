// ExecSession against an in-process sandbox running TDengine from manifests/: the taos CLI's
// output and exit status, a failing command's exit code and stderr, the server's words when the
// command cannot run, stdin, and cancelling.
#include "kube/exec.h"
#include "sandboxfixture.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace tdkube::kube;
using namespace tdkube::kube::test;

namespace {

constexpr int kReadyMs = 120000;
constexpr int kRunMs = 30000;
const QString kNs = u"exec"_s;

// What one session said, gathered until it finished.
struct Outcome
{
    QByteArray out;
    QByteArray err;
    int exitCode = -2;
    QString error;
    bool finished = false;
    int finishedCount = 0;
    bool started = false;
};

void collect(ExecSession *session, Outcome *outcome)
{
    QObject::connect(session, &ExecSession::started, session, [outcome] { outcome->started = true; });
    QObject::connect(session, &ExecSession::output, session,
                     [outcome](const QByteArray &data, bool isStderr) {
                         (isStderr ? outcome->err : outcome->out) += data;
                     });
    QObject::connect(session, &ExecSession::finished, session, [outcome](int exitCode, const QString &error) {
        outcome->exitCode = exitCode;
        outcome->error = error;
        outcome->finished = true;
        ++outcome->finishedCount;
    });
}

} // namespace

class TestExec final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void query_eachWordSeparateAndPlusEncoded();
    void taosShowDnodes_printsDnodesAndExitsZero();
    void shellExitThree_exitCodeAndStderr();
    void specialCharacters_reachTheCommandUnchanged();
    void unknownContainer_serversMessage();
    void missingPod_serversMessage();
    void viewerToken_forbiddenInServersWords();
    void catWithStdin_roundTrip();
    void runHelper_deletesItselfWhenFinished();
    void sleeping_cancel_finishesOnceWithCancelled();
    void credentialExpiredMeanwhile_freshOneFetched_commandRuns();
    void tlsServerName_serverReachedByAnotherAddress_commandRuns();

private:
    bool allReady();
    Outcome execute(const QStringList &command, const QString &pod = u"tdengine-0"_s,
                    const QString &container = {}, KubeClient *client = nullptr);

    SandboxFixture m_fixture;
    std::unique_ptr<KubeClient> m_client;
};

void TestExec::initTestCase()
{
    QVERIFY(m_fixture.start({}, 0.1));
    m_client = std::make_unique<KubeClient>(m_fixture.admin());
    QVERIFY(createNamespace(m_client.get(), kNs));
    QString error;
    QVERIFY2(applyManifests(m_client.get(), kNs, &error), qPrintable(error));
    QVERIFY2(QTest::qWaitFor([this] { return allReady(); }, kReadyMs),
             "the three TDengine pods are not ready");
}

void TestExec::cleanupTestCase()
{
    m_client.reset();
}

bool TestExec::allReady()
{
    const KubeResponse response = await([&](QObject *context, KubeClient::Done done) {
        m_client->list(ResourceKind::pods(), kNs, {}, context, done);
    });
    int ready = 0;
    const QJsonArray items = response.json().value(u"items").toArray();
    for (const QJsonValue &item : items) {
        const QJsonArray conditions = item[u"status"][u"conditions"].toArray();
        for (const QJsonValue &condition : conditions) {
            if (condition[u"type"].toString() == u"Ready" && condition[u"status"].toString() == u"True")
                ++ready;
        }
    }
    return ready == 3 && items.size() == 3;
}

Outcome TestExec::execute(const QStringList &command, const QString &pod, const QString &container,
                          KubeClient *client)
{
    Outcome outcome;
    ExecSession session(client ? client : m_client.get(), kNs, pod, container, command);
    collect(&session, &outcome);
    session.start();
    if (!QTest::qWaitFor([&outcome] { return outcome.finished; }, kRunMs))
        outcome.error = u"the test gave up waiting"_s;
    return outcome;
}

void TestExec::query_eachWordSeparateAndPlusEncoded()
{
    ExecSession session(m_client.get(), kNs, u"tdengine-0"_s, u"tdengine"_s, {u"echo"_s, u"1+1 = 2"_s}, true);
    const QUrlQuery query = session.query();
    QCOMPARE(query.allQueryItemValues(u"command"_s), (QStringList{u"echo"_s, u"1+1 = 2"_s}));
    QCOMPARE(query.queryItemValue(u"container"_s), u"tdengine"_s);
    QCOMPARE(query.queryItemValue(u"stdin"_s), u"true"_s);
    QCOMPARE(query.queryItemValue(u"stdout"_s), u"true"_s);
    QCOMPARE(query.queryItemValue(u"stderr"_s), u"true"_s);
}

void TestExec::taosShowDnodes_printsDnodesAndExitsZero()
{
    const Outcome outcome = execute({u"taos"_s, u"-s"_s, u"show dnodes"_s});
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    QVERIFY(outcome.started);
    QCOMPARE(outcome.exitCode, 0);
    const QString out = QString::fromUtf8(outcome.out);
    for (const QString &endpoint : {u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s})
        QVERIFY2(out.contains(endpoint), qPrintable(out));
    QVERIFY2(out.contains(u"ready"_s), qPrintable(out));
    QCOMPARE(outcome.finishedCount, 1);
}

void TestExec::shellExitThree_exitCodeAndStderr()
{
    const Outcome outcome = execute({u"sh"_s, u"-c"_s, u"cat /no/such/file; exit 3"_s});
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    QCOMPARE(outcome.exitCode, 3);
    QVERIFY2(outcome.err.contains("/no/such/file: No such file or directory"), outcome.err.constData());
    QVERIFY(outcome.out.isEmpty());

    const Outcome missing = execute({u"no-such-program"_s});
    QCOMPARE(missing.exitCode, 127);
    QVERIFY2(missing.err.contains("executable file not found"), missing.err.constData());
}

void TestExec::specialCharacters_reachTheCommandUnchanged()
{
    const QString text = u"1+1=2 & 50%41 ?x #y \"q\" 'z' \u00e9"_s;
    const Outcome outcome = execute({u"echo"_s, text});
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    QCOMPARE(outcome.exitCode, 0);
    QCOMPARE(QString::fromUtf8(outcome.out), text + u'\n');
}

void TestExec::unknownContainer_serversMessage()
{
    const Outcome outcome = execute({u"true"_s}, u"tdengine-0"_s, u"sidecar"_s);
    QCOMPARE(outcome.exitCode, -1);
    QVERIFY2(outcome.error.contains(u"container sidecar is not valid for pod tdengine-0"_s),
             qPrintable(outcome.error));
    QVERIFY(!outcome.started);
}

void TestExec::missingPod_serversMessage()
{
    const Outcome outcome = execute({u"true"_s}, u"tdengine-9"_s);
    QCOMPARE(outcome.exitCode, -1);
    QVERIFY2(outcome.error.contains(u"pods \"tdengine-9\" not found"_s), qPrintable(outcome.error));
}

void TestExec::viewerToken_forbiddenInServersWords()
{
    KubeClient viewer(m_fixture.viewer());
    const Outcome outcome = execute({u"true"_s}, u"tdengine-0"_s, {}, &viewer);
    QCOMPARE(outcome.exitCode, -1);
    QVERIFY2(outcome.error.contains(u"forbidden"_s, Qt::CaseInsensitive), qPrintable(outcome.error));
    QVERIFY2(outcome.error.contains(u"pods/exec"_s), qPrintable(outcome.error));
}

void TestExec::catWithStdin_roundTrip()
{
    Outcome outcome;
    ExecSession session(m_client.get(), kNs, u"tdengine-0"_s, {}, {u"cat"_s}, true);
    collect(&session, &outcome);
    // Written before the connection is up: kept until it is.
    session.writeStdin("hello from stdin\n");
    session.start();
    session.writeStdin("second line\n");
    session.closeStdin();
    QVERIFY(QTest::qWaitFor([&outcome] { return outcome.finished; }, kRunMs));
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    QCOMPARE(session.protocol(), u"v5.channel.k8s.io"_s);
    QCOMPARE(outcome.exitCode, 0);
    QCOMPARE(outcome.out, QByteArray("hello from stdin\nsecond line\n"));
}

void TestExec::runHelper_deletesItselfWhenFinished()
{
    QObject owner;
    Outcome outcome;
    QPointer<ExecSession> session =
        ExecSession::run(m_client.get(), kNs, u"tdengine-1"_s, {u"hostname"_s}, &owner);
    collect(session, &outcome);
    QVERIFY(QTest::qWaitFor([&outcome] { return outcome.finished; }, kRunMs));
    QCOMPARE(outcome.exitCode, 0);
    QCOMPARE(outcome.out, QByteArray("tdengine-1\n"));
    QVERIFY(QTest::qWaitFor([&session] { return session.isNull(); }, 2000));
}

void TestExec::sleeping_cancel_finishesOnceWithCancelled()
{
    Outcome outcome;
    ExecSession session(m_client.get(), kNs, u"tdengine-0"_s, {},
                        {u"sh"_s, u"-c"_s, u"sleep 600; echo late"_s});
    collect(&session, &outcome);
    session.start();
    QVERIFY(QTest::qWaitFor([&outcome] { return outcome.started; }, kRunMs));
    QVERIFY(session.isRunning());
    session.cancel();
    QVERIFY(outcome.finished);
    QCOMPARE(outcome.exitCode, -1);
    QVERIFY2(outcome.error.startsWith(u"Cancelled"_s), qPrintable(outcome.error));
    QTest::qWait(300);
    QCOMPARE(outcome.finishedCount, 1);
    QVERIFY(outcome.out.isEmpty());
    QVERIFY(!session.isRunning());
}

void TestExec::credentialExpiredMeanwhile_freshOneFetched_commandRuns()
{
    ConnectionSettings settings = m_fixture.anonymous();
    auto credential = std::make_shared<ExpiringToken>(m_fixture.execToken());
    settings.credentials = credential;
    KubeClient client(settings);
    credential->expired = true; // the WebSocket goes with a stale token and gets 401
    const Outcome outcome = execute({u"sh"_s, u"-c"_s, u"echo ran once"_s}, u"tdengine-0"_s, {}, &client);
    QVERIFY2(outcome.error.isEmpty(),
             qPrintable(outcome.error + u" invalidations %1"_s.arg(credential->invalidations)));
    QCOMPARE(outcome.exitCode, 0);
    QCOMPARE(outcome.out, QByteArray("ran once\n"));
    QCOMPARE(outcome.finishedCount, 1);
    QCOMPARE(credential->invalidations, 1);
}

// The API server at an address its certificate does not name, with tls-server-name set to one it
// does: the exec WebSocket verifies against that name.
void TestExec::tlsServerName_serverReachedByAnotherAddress_commandRuns()
{
    Cable relay(quint16(m_fixture.admin().server.port()), QHostAddress(u"127.0.0.2"_s));
    ConnectionSettings settings = m_fixture.adminThrough(relay);
    settings.tlsServerName = u"kubernetes.default.svc"_s;
    KubeClient client(settings);
    const Outcome outcome = execute({u"sh"_s, u"-c"_s, u"echo named"_s}, u"tdengine-0"_s, {}, &client);
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    QCOMPARE(outcome.out, QByteArray("named\n"));
}

QTEST_GUILESS_MAIN(TestExec)
#include "tst_exec.moc"
