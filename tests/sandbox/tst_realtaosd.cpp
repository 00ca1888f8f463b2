// The sandbox with real TDengine (tdkube-sandbox --taosd): the StatefulSet of manifests/ becomes a
// real three-dnode cluster. taosAdapter's REST API is reached as tdkube reaches it (a port-forward to
// 6041), `taos -s` through a pods/exec WebSocket runs the real CLI, and a deleted pod's dnode goes
// offline and comes back on the same claim, with the same dnode id and no second `create dnode`.
//
// The TDengine build: $TDKUBE_REAL_TAOSD (packaging/test.sh), $TDKUBE_TAOSD, else
// ~/.cache/tdkube-tdengine/3.0.5.2/install (what
// ../shared/tdengine/build.sh makes); skipped when there is none.
#include "../kube/sandboxfixture.h"
#include "kube/exec.h"
#include "kube/portforward.h"
#include "realtaosd.h"
#include "resources.h"
#include "sandboxruntime.h"
#include "store.h"
#include "taos/clusterstate.h"
#include "taos/restclient.h"
#include "taos/snapshotpoller.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace tdkube::kube;
using namespace tdkube::kube::test;

namespace {

const QString kNs = u"real"_s;
constexpr int kClusterMs = 180000;

QString taosdDir()
{
    const QString fromEnv = realTaosdDir();
    return fromEnv.isEmpty() ? QDir::homePath() + u"/.cache/tdkube-tdengine/3.0.5.2/install"_s : fromEnv;
}

QString fqdn(int ordinal)
{
    return u"tdengine-%1.taosd.%2.svc.cluster.local"_s.arg(ordinal).arg(kNs);
}

struct RestAnswer
{
    int httpStatus = 0;
    QJsonObject json;
    QByteArray body;
    QString error; // the network's, when there was no HTTP answer
};

// processes whose command line mentions `path` (what the sandbox started under its directory).
QStringList processesUnder(const QString &path)
{
    QStringList found;
    QDirIterator it(u"/proc"_s, QDir::Dirs | QDir::NoDotAndDotDot);
    while (it.hasNext()) {
        const QString dir = it.next();
        QFile cmdline(dir + u"/cmdline"_s);
        if (!cmdline.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = cmdline.readAll().replace('\0', ' ');
        if (text.contains(path.toUtf8()))
            found << QString::fromUtf8(text);
    }
    return found;
}

} // namespace

class TestRealTaosd final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void rest_insDnodes_threeReadyDnodesAtPodNames();
    void exec_taosShowDnodes_realCliAnswers();
    void exec_taosCheck_imageScriptSucceeds();
    void rest_answersAsTaosAdapter();
    void portForward6030_realTaosdAnswersTheCli();
    void podDeleted_dnodeOfflineThenBackOnSameClaim();
    void claimDeleted_podBackEmpty_joinRefusedSameDnode();
    void nodeNotReady_taosdKilledDnodeOfflineThenBack();
    void sandboxKilled_nothingItStartedOutlivesIt();

private:
    bool ensureForward();
    // POST /rest/sql[/database][?query] through the forward to tdengine-0:6041.
    RestAnswer sql(const QByteArray &statement,
                   const QByteArray &authorization = "Basic cm9vdDp0YW9zZGF0YQ==", const QString &query = {},
                   const QString &database = {});
    QJsonArray dnodes(QString *error);
    QString dnodeStatus(const QString &endpoint, int *id);

    SandboxFixture m_fixture;
    std::unique_ptr<KubeClient> m_client;
    std::unique_ptr<PortForward> m_forward;
    QNetworkAccessManager m_network;
};

void TestRealTaosd::initTestCase()
{
    if (!QFileInfo::exists(taosdDir() + u"/bin/taosd"_s))
        QSKIP(qPrintable(u"no TDengine build in "_s + taosdDir() +
                         u": build one with ../shared/tdengine/build.sh or point TDKUBE_TAOSD at one"_s));
    // Time scale 4: a deleted pod stays away about 7 s (termination, then container creation), longer
    // than the 5 s after which the mnode calls a silent dnode offline (FACTS.md section 3).
    QVERIFY(m_fixture.start({}, 4.0, taosdDir()));
    m_client = std::make_unique<KubeClient>(m_fixture.admin());
    QVERIFY(createNamespace(m_client.get(), kNs));
    QString error;
    QVERIFY2(applyManifests(m_client.get(), kNs, &error), qPrintable(error));
}

// tdkube reaches taosAdapter through a port-forward (the API server's proxy drops the Authorization
// header): to tdengine-0, once it is Ready (a pod forward stops while its pod is not).
bool TestRealTaosd::ensureForward()
{
    if (m_forward && m_forward->state() == PortForward::State::Active)
        return true;
    const bool podReady = QTest::qWaitFor(
        [this] {
            const auto pod =
                m_fixture.sandbox()->store()->get(tdkube::sandbox::podsType(), kNs, u"tdengine-0"_s);
            if (!pod)
                return false;
            const QJsonArray conditions = pod->value(u"status").toObject().value(u"conditions").toArray();
            for (const QJsonValue &condition : conditions) {
                if (condition[u"type"].toString() == u"Ready")
                    return condition[u"status"].toString() == u"True";
            }
            return false;
        },
        kClusterMs);
    if (!podReady) {
        const auto pod = m_fixture.sandbox()->store()->get(tdkube::sandbox::podsType(), kNs, u"tdengine-0"_s);
        QStringList log;
        if (pod) {
            for (const auto &line : m_fixture.sandbox()->runtime()->log(*pod, {}, false))
                log << line.text;
        }
        qWarning("tdengine-0 is not ready: %s\n%s",
                 pod ? QJsonDocument(pod->value(u"status").toObject()).toJson().constData() : "no pod",
                 qPrintable(log.mid(0, 30).join(u'\n')));
        return false;
    }
    m_forward = std::make_unique<PortForward>(
        m_client.get(), ForwardTarget{ForwardTarget::Kind::Pod, kNs, u"tdengine-0"_s}, 6041);
    m_forward->start();
    return QTest::qWaitFor([this] { return m_forward->state() == PortForward::State::Active; }, 30000);
}

void TestRealTaosd::cleanupTestCase()
{
    if (!m_client)
        return;
    m_forward.reset();
    m_client.reset();
    const QString dir = m_fixture.path(u"data"_s);
    m_fixture.stop();
    // Nothing the sandbox started outlives it.
    QVERIFY2(processesUnder(dir).isEmpty(), qPrintable(processesUnder(dir).join(u'\n')));
}

RestAnswer TestRealTaosd::sql(const QByteArray &statement, const QByteArray &authorization,
                              const QString &query, const QString &database)
{
    RestAnswer answer;
    if (!ensureForward()) {
        answer.error =
            u"no port-forward to tdengine-0:6041: "_s + (m_forward ? m_forward->stateReason() : QString());
        return answer;
    }
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(u"127.0.0.1"_s);
    url.setPort(m_forward->localPort());
    url.setPath(database.isEmpty() ? u"/rest/sql"_s : u"/rest/sql/"_s + database);
    if (!query.isEmpty())
        url.setQuery(query);
    QNetworkRequest request(url);
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("text/plain"));
    request.setTransferTimeout(60000);
    std::unique_ptr<QNetworkReply> reply(m_network.post(request, statement));
    if (!QTest::qWaitFor([&reply] { return reply->isFinished(); }, 90000)) {
        answer.error = u"no answer"_s;
        return answer;
    }
    answer.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.body = reply->readAll();
    answer.json = QJsonDocument::fromJson(answer.body).object();
    if (answer.httpStatus == 0)
        answer.error = reply->errorString();
    return answer;
}

QJsonArray TestRealTaosd::dnodes(QString *error)
{
    const RestAnswer answer = sql("select * from information_schema.ins_dnodes");
    if (answer.httpStatus != 200 || answer.json.value(u"code").toInt(-1) != 0) {
        *error = answer.error + QString::fromUtf8(answer.body);
        return {};
    }
    return answer.json.value(u"data").toArray();
}

// The status of the dnode at `endpoint` ("" when absent), and its id.
QString TestRealTaosd::dnodeStatus(const QString &endpoint, int *id)
{
    QString error;
    for (const QJsonValue &row : dnodes(&error)) {
        if (row[1].toString() == endpoint) {
            *id = row[0].toInt();
            return row[4].toString();
        }
    }
    return {};
}

void TestRealTaosd::rest_insDnodes_threeReadyDnodesAtPodNames()
{
    QJsonArray rows;
    QString error;
    const bool ready = QTest::qWaitFor(
        [&] {
            rows = dnodes(&error);
            int count = 0;
            for (const QJsonValue &row : std::as_const(rows))
                count += row[4].toString() == u"ready" ? 1 : 0;
            return count == 3;
        },
        kClusterMs);
    QVERIFY2(ready, qPrintable(u"dnodes: "_s + QString::fromUtf8(QJsonDocument(rows).toJson()) + error));
    QStringList endpoints;
    for (const QJsonValue &row : std::as_const(rows))
        endpoints << row[1].toString();
    endpoints.sort();
    QCOMPARE(endpoints, (QStringList{fqdn(0) + u":6030"_s, fqdn(1) + u":6030"_s, fqdn(2) + u":6030"_s}));
    // The columns as libtaos describes them, as taosAdapter passes them on (FACTS.md section 1).
    const QJsonArray meta =
        sql("select * from information_schema.ins_dnodes").json.value(u"column_meta").toArray();
    QCOMPARE(meta.at(0).toArray(), (QJsonArray{u"id"_s, u"INT"_s, 4}));
    QCOMPARE(meta.at(1).toArray(), (QJsonArray{u"endpoint"_s, u"VARCHAR"_s, 134}));
    QCOMPARE(meta.at(4).toArray(), (QJsonArray{u"status"_s, u"VARCHAR"_s, 10}));
    QCOMPARE(meta.at(5).toArray().at(1).toString(), u"TIMESTAMP"_s);
    // support_vnodes from TAOS_SUPPORT_VNODES of the ConfigMap, through taos.cfg.
    QCOMPARE(rows.at(0)[3].toInt(), 16);
}

void TestRealTaosd::exec_taosShowDnodes_realCliAnswers()
{
    auto *session =
        ExecSession::run(m_client.get(), kNs, u"tdengine-1"_s, {u"taos"_s, u"-s"_s, u"show dnodes"_s});
    QByteArray out;
    int exitCode = -2;
    connect(session, &ExecSession::output, this, [&out](const QByteArray &data, bool) { out += data; });
    connect(session, &ExecSession::finished, this,
            [&exitCode](int code, const QString &) { exitCode = code; });
    QVERIFY(QTest::qWaitFor([&exitCode] { return exitCode != -2; }, 60000));
    QCOMPARE(exitCode, 0);
    const QString text = QString::fromUtf8(out);
    // The real shell's banner and its summary line; endpoints cut at its display width (30).
    // (3.0.5.2: "Client Version:3.0.5.2.alpha", 3.3.6.6: "Native Client Version:3.3.6.6.alpha")
    static const QRegularExpression banner(
        u"TDengine Command Line Interface, (Native )?Client Version:3\\.\\d"_s);
    QVERIFY2(banner.match(text).hasMatch(), qPrintable(text));
    QVERIFY2(text.contains(u"Query OK, 3 row(s) in set"_s), qPrintable(text));
    QVERIFY2(text.contains(u"tdengine-2.taosd.real.svc.c..."_s), qPrintable(text));
}

void TestRealTaosd::exec_taosCheck_imageScriptSucceeds()
{
    auto *session = ExecSession::run(m_client.get(), kNs, u"tdengine-2"_s, {u"taos-check"_s});
    int exitCode = -2;
    connect(session, &ExecSession::finished, this,
            [&exitCode](int code, const QString &) { exitCode = code; });
    QVERIFY(QTest::qWaitFor([&exitCode] { return exitCode != -2; }, 60000));
    QCOMPARE(exitCode, 0);
}

// FACTS.md section 5 on real TDengine: 401 only for a missing header, a wrong password 200/0x0357,
// DDL as affected_rows, errors as 200 with TDengine's code, timestamps RFC 3339 by precision.
void TestRealTaosd::rest_answersAsTaosAdapter()
{
    // Three dnodes for a replica-3 database (this function may run alone).
    QVERIFY(QTest::qWaitFor(
        [this] {
            QString error;
            int ready = 0;
            for (const QJsonValue &row : dnodes(&error))
                ready += row[4].toString() == u"ready" ? 1 : 0;
            return ready == 3;
        },
        kClusterMs));
    RestAnswer answer = sql("show dnodes", {});
    QCOMPARE(answer.httpStatus, 401);
    QCOMPARE(answer.json.value(u"code").toInt(), 0x1105);

    answer = sql("show dnodes", "Basic " + QByteArrayLiteral("root:wrong").toBase64());
    QCOMPARE(answer.httpStatus, 200);
    QCOMPARE(answer.json.value(u"code").toInt(), 0x0357);
    QCOMPARE(answer.json.value(u"desc").toString(), u"Authentication failure"_s);

    answer = sql("create database if not exists realtest replica 3 precision 'us'");
    QCOMPARE(answer.httpStatus, 200);
    QCOMPARE(answer.body,
             QByteArray(R"({"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[0]],"rows":1})"));
    answer =
        sql("create table if not exists realtest.t (ts timestamp, v int, f float, b bool, s varchar(8))");
    QCOMPARE(answer.json.value(u"code").toInt(), 0);
    answer = sql("insert into realtest.t values (1700000000123456, 1, 1.5, true, 'a\"b') "
                 "(1700000001000000, null, null, null, null)");
    QCOMPARE(answer.body,
             QByteArray(R"({"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[2]],"rows":1})"));

    answer = sql("select * from realtest.t order by ts");
    QCOMPARE(answer.json.value(u"rows").toInt(), 2);
    QCOMPARE(answer.json.value(u"data").toArray().at(0).toArray(),
             (QJsonArray{u"2023-11-14T22:13:20.123456Z"_s, 1, 1.5, true, u"a\"b"_s}));
    QCOMPARE(answer.json.value(u"data").toArray().at(1).toArray(),
             (QJsonArray{u"2023-11-14T22:13:21.000000Z"_s, QJsonValue(), QJsonValue(), QJsonValue(),
                         QJsonValue()}));
    answer = sql("select ts from realtest.t order by ts limit 1",
                 "Basic cm9vdDp0YW9zZGF0YQ==", u"tz=Asia/Shanghai"_s);
    QCOMPARE(answer.json.value(u"data").toArray().at(0).toArray().at(0).toString(),
             u"2023-11-15T06:13:20.123456+08:00"_s);

    // /rest/sql/DB: the statement runs in that database (taosAdapter's `use DB` first).
    answer = sql("select count(*) from t", "Basic cm9vdDp0YW9zZGF0YQ==", {}, u"realtest"_s);
    QCOMPARE(answer.json.value(u"column_meta").toArray().at(0).toArray().at(1).toString(), u"BIGINT"_s);
    QCOMPARE(answer.json.value(u"data").toArray().at(0).toArray().at(0).toInt(), 2);

    // The pod's TZ (Asia/Shanghai in manifests/) is taosd's zone, as the image's entrypoint makes it.
    answer = sql("select timezone()");
    QVERIFY2(
        answer.json.value(u"data").toArray().at(0).toArray().at(0).toString().contains(u"Asia/Shanghai"_s),
        answer.body.constData());

    // A table that does not exist: TDengine's code and words, HTTP 200.
    answer = sql("select * from information_schema.ins_transactions");
    QCOMPARE(answer.httpStatus, 200);
    QVERIFY2(answer.json.value(u"code").toInt() != 0, answer.body.constData());
    QVERIFY2(!answer.json.value(u"desc").toString().isEmpty(), answer.body.constData());
    QVERIFY(!answer.json.contains(u"column_meta"));
}

// The native port through a port-forward: the real CLI's `--check` (one RPC to the endpoint it is
// given) gets taosd's own answer through the WebSocket.
void TestRealTaosd::portForward6030_realTaosdAnswersTheCli()
{
    PortForward forward(m_client.get(), ForwardTarget{ForwardTarget::Kind::Pod, kNs, u"tdengine-0"_s}, 6030);
    forward.start();
    QVERIFY(QTest::qWaitFor([&forward] { return forward.state() == PortForward::State::Active; }, 30000));
    const QString config = m_fixture.path(u"client"_s);
    QVERIFY(QDir().mkpath(config));
    QFile cfg(config + u"/taos.cfg"_s);
    QVERIFY(cfg.open(QIODevice::WriteOnly));
    cfg.write((u"logDir "_s + config + u'\n').toUtf8());
    cfg.close();
    QProcess taos;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"LD_LIBRARY_PATH"_s, taosdDir() + u"/lib"_s);
    env.remove(u"LD_PRELOAD"_s);
    taos.setProcessEnvironment(env);
    taos.start(taosdDir() + u"/bin/taos"_s, {u"-c"_s, config, u"-h"_s, u"127.0.0.1"_s, u"-P"_s,
                                             QString::number(forward.localPort()), u"--check"_s});
    QVERIFY(QTest::qWaitFor([&taos] { return taos.state() == QProcess::NotRunning; }, 30000));
    const QString out = QString::fromUtf8(taos.readAllStandardOutput());
    QVERIFY2(out.contains(u"2: service ok"_s),
             qPrintable(out + QString::fromUtf8(taos.readAllStandardError())));
    QVERIFY(forward.bytesIn() > 0);
}

void TestRealTaosd::podDeleted_dnodeOfflineThenBackOnSameClaim()
{
    const QString endpoint = fqdn(2) + u":6030"_s;
    int idBefore = 0;
    QCOMPARE(dnodeStatus(endpoint, &idBefore), u"ready"_s);
    tdkube::sandbox::Sandbox *sandbox = m_fixture.sandbox();
    const auto claim = [sandbox] {
        return sandbox->store()->get(tdkube::sandbox::pvcsType(), kNs, u"taosdata-tdengine-2"_s);
    };
    QVERIFY(claim());
    const QString claimUid = tdkube::sandbox::uidOf(*claim());

    const KubeResponse deleted = await([&](QObject *context, KubeClient::Done done) {
        m_client->remove(ResourceKind::pods(), kNs, u"tdengine-2"_s, {}, context, done);
    });
    QVERIFY2(deleted.ok(), qPrintable(deleted.error));
    int id = 0;
    QVERIFY2(QTest::qWaitFor([&] { return dnodeStatus(endpoint, &id) == u"offline"; }, 60000),
             qPrintable(dnodeStatus(endpoint, &id)));
    QCOMPARE(id, idBefore);

    // The controller makes tdengine-2 again on the same claim: its taosd finds its dnode.json and
    // runs as the same dnode, without a new `create dnode`.
    QVERIFY2(QTest::qWaitFor([&] { return dnodeStatus(endpoint, &id) == u"ready"; }, kClusterMs),
             qPrintable(dnodeStatus(endpoint, &id)));
    QCOMPARE(id, idBefore);
    QVERIFY(claim());
    QCOMPARE(tdkube::sandbox::uidOf(*claim()), claimUid);
    QString error;
    QCOMPARE(dnodes(&error).size(), 3);
    const std::optional<QJsonObject> pod =
        sandbox->store()->get(tdkube::sandbox::podsType(), kNs, u"tdengine-2"_s);
    QVERIFY(pod);
    QStringList log;
    for (const auto &line : sandbox->runtime()->log(*pod, {}, false))
        log << line.text;
    QVERIFY(!log.isEmpty());
    QVERIFY2(!log.join(u'\n').contains(u"execute create dnode"_s), qPrintable(log.mid(0, 10).join(u'\n')));
}

// FACTS.md section 4: a pod back on a fresh claim starts a taosd without dnode.json; the entrypoint's
// `create dnode` is refused (it exists), and the mnode hands it its old id by endpoint: the same
// dnode, ready, its old data gone with the deleted claim's directory.
void TestRealTaosd::claimDeleted_podBackEmpty_joinRefusedSameDnode()
{
    const QString endpoint = fqdn(2) + u":6030"_s;
    int idBefore = 0;
    QVERIFY(QTest::qWaitFor([&] { return dnodeStatus(endpoint, &idBefore) == u"ready"; }, kClusterMs));
    tdkube::sandbox::Sandbox *sandbox = m_fixture.sandbox();
    const auto claim = [sandbox] {
        return sandbox->store()->get(tdkube::sandbox::pvcsType(), kNs, u"taosdata-tdengine-2"_s);
    };
    QVERIFY(claim());
    const QString oldUid = tdkube::sandbox::uidOf(*claim());
    const QString oldVolume = tdkube::sandbox::valueAt(*claim(), u"spec.volumeName"_s).toString();
    const QString oldData =
        m_fixture.path(u"data/taosd/"_s) + tdkube::sandbox::RealTaosdRuntime::volumePath(oldVolume);
    QVERIFY2(QFileInfo::exists(oldData + u"/dnode/dnode.json"_s), qPrintable(oldData));
    const QString oldPodUid =
        tdkube::sandbox::uidOf(*sandbox->store()->get(tdkube::sandbox::podsType(), kNs, u"tdengine-2"_s));
    // Data that lives on tdengine-2's claim: a replica-3 database has a vnode of each vgroup there.
    for (const QByteArray &statement :
         {QByteArrayLiteral("create database lossy replica 3 vgroups 2"),
          QByteArrayLiteral("create table lossy.t (ts timestamp, v int)"),
          QByteArrayLiteral("insert into lossy.t values (now, 1) (now+1s, 2)")}) {
        const RestAnswer answer = sql(statement);
        QVERIFY2(answer.json.value(u"code").toInt(-1) == 0, answer.body.constData());
    }

    for (const auto &[kind, name] :
         {std::pair{ResourceKind::persistentVolumeClaims(), u"taosdata-tdengine-2"_s},
          std::pair{ResourceKind::pods(), u"tdengine-2"_s}}) {
        const KubeResponse deleted = await([&](QObject *context, KubeClient::Done done) {
            m_client->remove(kind, kNs, name, {}, context, done);
        });
        QVERIFY2(deleted.ok(), qPrintable(deleted.error));
    }
    QVERIFY2(QTest::qWaitFor([&] { return claim() && tdkube::sandbox::uidOf(*claim()) != oldUid; }, 60000),
             "no new claim for tdengine-2");
    QVERIFY2(QTest::qWaitFor([&] { return !QFileInfo::exists(oldData); }, 60000),
             "the deleted claim's data is still there");
    // The new pod's container, Ready: taos-check passed on the new taosd (the mnode's word on the
    // dnode may still be the old taosd's for a few seconds).
    const auto pod = [sandbox] {
        return sandbox->store()->get(tdkube::sandbox::podsType(), kNs, u"tdengine-2"_s);
    };
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     const auto now = pod();
                     if (!now || tdkube::sandbox::uidOf(*now) == oldPodUid)
                         return false;
                     for (const QJsonValue &c :
                          now->value(u"status").toObject().value(u"conditions").toArray()) {
                         if (c[u"type"].toString() == u"Ready")
                             return c[u"status"].toString() == u"True";
                     }
                     return false;
                 },
                 kClusterMs),
             "the new tdengine-2 is not ready");
    int id = 0;
    QVERIFY2(QTest::qWaitFor([&] { return dnodeStatus(endpoint, &id) == u"ready"; }, kClusterMs),
             qPrintable(dnodeStatus(endpoint, &id)));
    QCOMPARE(id, idBefore);
    // Ready, but its vnodes stay offline: tdkube says the data is at risk once the grace is over.
    ensureForward();
    QUrl base(u"http://127.0.0.1"_s);
    base.setPort(m_forward->localPort());
    tdkube::taos::RestClient rest(tdkube::taos::RestTarget::direct(base, u"root"_s, u"taosdata"_s));
    QList<tdkube::taos::LostVnodes> lost;
    QString snapshotError;
    QString lastSeen; // what the last look saw, for a failure to say
    const auto lookedAt = [&] {
        std::optional<tdkube::taos::ClusterSnapshot> taken;
        tdkube::taos::takeSnapshot(&rest, &rest,
                                   [&](const tdkube::taos::ClusterSnapshot &snapshot, const QString &error) {
                                       snapshotError = error;
                                       taken = snapshot;
                                   });
        if (!QTest::qWaitFor([&] { return taken.has_value(); }, 60000) || !snapshotError.isEmpty())
            return false;
        QStringList seen;
        for (const tdkube::taos::Dnode &dnode : taken->dnodes)
            seen.append(u"dnode %1 %2 rebooted %3"_s.arg(dnode.id).arg(
                dnode.status, dnode.rebootTime.toString(Qt::ISODate)));
        for (const tdkube::taos::Vgroup &vgroup : taken->vgroups) {
            QStringList roles;
            for (const tdkube::taos::Vnode &vnode : vgroup.vnodes)
                roles.append(u"%1:%2"_s.arg(vnode.dnodeId).arg(vnode.role.trimmed()));
            seen.append(u"vgroup %1 (%2) %3"_s.arg(vgroup.id).arg(vgroup.database, roles.join(u' ')));
        }
        seen.append(u"%1 transaction(s)"_s.arg(taken->transactions.size()));
        lastSeen = seen.join(u"; "_s);
        lost = tdkube::taos::lostVnodes(*taken, QDateTime::currentDateTimeUtc());
        return !lost.isEmpty();
    };
    QVERIFY2(QTest::qWaitFor(lookedAt, (tdkube::taos::kLostVnodeGraceSeconds + 60) * 1000),
             qPrintable(snapshotError + u" last seen: "_s + lastSeen));
    QCOMPARE(lost.size(), 1);
    QCOMPARE(lost.first().dnode.id, idBefore);
    // lossy's 2 vgroups, and those of the replica-3 databases of the tests before
    QVERIFY2(lost.first().vgroups.size() >= 2 && lost.first().databases.contains(u"lossy"_s),
             qPrintable(lost.first().describe()));
    QVERIFY2(lost.first().describe().contains(u"pod tdengine-2 on a new volume claim"_s),
             qPrintable(lost.first().describe()));
    // The rows are still there, from the other two replicas.
    QCOMPARE(
        sql("select count(*) from lossy.t").json.value(u"data").toArray().first().toArray().first().toInt(),
        2);
    // With no dnode to take its vnodes, TDengine refuses to drop it: hence "scale out by one first".
    const RestAnswer drop = sql("drop dnode %1"_ba.replace("%1", QByteArray::number(idBefore)));
    QCOMPARE(drop.json.value(u"code").toInt(), 0x0334);
    QString error;
    QCOMPARE(dnodes(&error).size(), 3);
    QVERIFY(pod());
    QStringList log;
    for (const auto &line : sandbox->runtime()->log(*pod(), {}, false))
        log << line.text;
    const QString text =
        log.filter(QRegularExpression(u"create dnode|^[0-9]+:|OK|error"_s)).mid(0, 60).join(u'\n');
    QVERIFY2(text.contains(u"execute create dnode"_s), qPrintable(text));
    QVERIFY2(text.contains(u"Dnode already exists"_s), qPrintable(text));
    QVERIFY2(text.contains(u"Dnode already exists"_s), qPrintable(text));
}

// A node that goes not-ready stops its pods' containers: taosd is killed (SIGKILL, no shutdown), its
// dnode goes offline with the mnode's "status msg timeout"; the node back, the same taosd data runs again.
void TestRealTaosd::nodeNotReady_taosdKilledDnodeOfflineThenBack()
{
    const QString endpoint = fqdn(1) + u":6030"_s;
    int idBefore = 0;
    QVERIFY(QTest::qWaitFor([&] { return dnodeStatus(endpoint, &idBefore) == u"ready"; }, kClusterMs));
    tdkube::sandbox::Store *store = m_fixture.sandbox()->store();
    const auto nodeOf = [store](const QString &pod) {
        return tdkube::sandbox::valueAt(*store->get(tdkube::sandbox::podsType(), kNs, pod),
                                        u"spec.nodeName"_s)
            .toString();
    };
    const QString node = nodeOf(u"tdengine-1"_s);
    if (node == nodeOf(u"tdengine-0"_s))
        QSKIP("tdengine-0 shares the node of tdengine-1 (the REST forward goes to tdengine-0)");
    const QString configDir = m_fixture.path(u"data/taosd/pods/"_s) + kNs + u"/tdengine-1 "_s;
    const auto taosdRunning = [configDir] {
        return !processesUnder(configDir).filter(u"bin/taosd "_s).isEmpty();
    };
    QVERIFY(taosdRunning());

    QVERIFY(control(m_client.get(), u"nodes/"_s + node + u"/ready"_s, QJsonObject{{u"ready"_s, false}}).ok());
    QVERIFY2(QTest::qWaitFor([&] { return !taosdRunning(); }, 10000), "taosd still runs on the lost node");
    QJsonArray rows;
    QString error;
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     rows = dnodes(&error);
                     for (const QJsonValue &row : std::as_const(rows)) {
                         if (row[1].toString() == endpoint)
                             return row[4].toString() == u"offline";
                     }
                     return false;
                 },
                 60000),
             qPrintable(QString::fromUtf8(QJsonDocument(rows).toJson()) + error));
    for (const QJsonValue &row : std::as_const(rows)) {
        if (row[1].toString() == endpoint)
            QCOMPARE(row[7].toString(), u"status msg timeout"_s);
    }

    QVERIFY(control(m_client.get(), u"nodes/"_s + node + u"/ready"_s, QJsonObject{{u"ready"_s, true}}).ok());
    int id = 0;
    QVERIFY2(QTest::qWaitFor([&] { return dnodeStatus(endpoint, &id) == u"ready"; }, kClusterMs),
             qPrintable(dnodeStatus(endpoint, &id)));
    QCOMPARE(id, idBefore);
    QVERIFY(taosdRunning());
}

// tdkube-sandbox killed with SIGKILL (as a crash, or a test runner giving up): its taosd, bridges and
// probes die with it (PR_SET_PDEATHSIG), none left holding an address or a data directory.
void TestRealTaosd::sandboxKilled_nothingItStartedOutlivesIt()
{
    const QString dir = m_fixture.path(u"killed"_s);
    QProcess sandbox;
    sandbox.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    sandbox.start(QStringLiteral(TDKUBE_SANDBOX_PATH),
                  {u"--kubeconfig-out"_s, dir + u"/kubeconfig"_s, u"--data-dir"_s, dir + u"/data"_s,
                   u"--time-scale"_s, u"0.05"_s, u"--demo"_s, u"--taosd"_s, taosdDir()});
    QVERIFY(sandbox.waitForStarted());
    const auto taosds = [&dir] { return processesUnder(dir).filter(u"bin/taosd "_s).size(); };
    QVERIFY2(QTest::qWaitFor([&] { return taosds() == 3; }, 60000),
             qPrintable(processesUnder(dir).join(u'\n')));
    QVERIFY(!processesUnder(dir).filter(u"tdkube-taosbridge"_s).isEmpty());
    ::kill(pid_t(sandbox.processId()), SIGKILL);
    QVERIFY(sandbox.waitForFinished(10000));
    QVERIFY2(QTest::qWaitFor([&dir] { return processesUnder(dir).isEmpty(); }, 10000),
             qPrintable(processesUnder(dir).join(u'\n')));
}

QTEST_GUILESS_MAIN(TestRealTaosd)
#include "tst_realtaosd.moc"
