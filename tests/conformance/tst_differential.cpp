// The simulator against real TDengine: one script of the statements tdkube sends and the refusals it
// must understand (FACTS.md sections 1, 2 and 5), run through taosAdapter's REST API as tdkube runs
// it (a port-forward to 6041 of a pod of the StatefulSet of manifests/), once on the sandbox's
// simulator and once on each real taosd there is: 3.3.6.6 from $TDKUBE_REAL_TAOSD and 3.0.5.2 from
// $TDKUBE_REAL_TAOSD_3_0 (packaging/test.sh builds both from ../shared/tdengine). What each answer
// says is reduced to observations (HTTP status, code and words, column names and types, the
// vocabulary of status columns, the shape of timestamps); every observation of the simulator that
// differs from a real version's fails the test unless differential-allowlist.txt names it and why.
#include "../kube/sandboxfixture.h"
#include "kube/portforward.h"
#include "resources.h"
#include "sandboxruntime.h"
#include "store.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tdkube::kube;
using namespace tdkube::kube::test;

namespace {

const QString kNs = u"diff"_s;
constexpr int kClusterMs = 240000;

// One statement of the script. `vocabulary`: columns whose set of values is compared (statuses and
// roles); `probe` false: run for its effect only (set-up), nothing compared.
struct Statement
{
    QString id;
    QString sql;
    QStringList vocabulary;
    bool probe = true;
    QByteArray authorization = "Basic cm9vdDp0YW9zZGF0YQ=="; // root:taosdata, the image's default
};

QString endpoint(int ordinal)
{
    return u"tdengine-%1.taosd.%2.svc.cluster.local:6030"_s.arg(ordinal).arg(kNs);
}

// What tdkube sends (app/taos/systables.h, the executor's statements) and the refusals its
// decisions rest on, in an order every version can follow: three dnodes, three mnodes, a replica-3
// and a replica-1 database with rows.
QList<Statement> script()
{
    const QStringList status{u"status"_s};
    return {
        {u"ins_dnodes"_s, u"select * from information_schema.ins_dnodes"_s, status},
        {u"count_dnodes"_s, u"select count(*) from information_schema.ins_dnodes"_s, {}},
        {u"create_mnode_2"_s, u"create mnode on dnode 2"_s, {}},
        {u"create_mnode_3"_s, u"create mnode on dnode 3"_s, {}, false},
        {u"ins_mnodes"_s, u"select * from information_schema.ins_mnodes"_s, {u"role"_s, u"status"_s}},
        {u"create_db_r3"_s, u"create database r3 replica 3 vgroups 2"_s, {}},
        {u"create_db_r1"_s, u"create database r1 replica 1 vgroups 2"_s, {}, false},
        {u"create_table"_s, u"create table r3.t (ts timestamp, v int, s varchar(8))"_s, {}},
        {u"insert"_s, u"insert into r3.t values (1700000000123, 1, 'a') (1700000001000, null, null)"_s, {}},
        {u"select_rows"_s, u"select * from r3.t order by ts"_s, {}},
        {u"count_rows"_s, u"select count(*) from r3.t"_s, {}},
        {u"ins_databases"_s, u"select * from information_schema.ins_databases"_s, {}},
        {u"ins_vgroups"_s,
         u"select * from information_schema.ins_vgroups"_s,
         {u"v1_status"_s, u"v2_status"_s, u"v3_status"_s}},
        {u"perf_trans"_s, u"select * from performance_schema.perf_trans"_s, {}},
        {u"show_transactions"_s, u"show transactions"_s, {}},
        {u"ins_cluster"_s, u"select * from information_schema.ins_cluster"_s, {}},
        {u"server_version"_s, u"select server_version()"_s, {}},
        {u"reset_query_cache"_s, u"reset query cache"_s, {}}, // the client's own statement (Verify sends it)
        {u"ins_transactions"_s, u"select * from information_schema.ins_transactions"_s, {}},
        {u"replica_2"_s, u"create database r2 replica 2"_s, {}},
        {u"drop_dnode_99"_s, u"drop dnode 99"_s, {}},
        {u"create_mnode_99"_s, u"create mnode on dnode 99"_s, {}},
        {u"create_dnode_exists"_s, u"create dnode \"%1\""_s.arg(endpoint(0)), {}},
        {u"create_mnode_exists"_s, u"create mnode on dnode 1"_s, {}},
        {u"drop_force_online"_s, u"drop dnode 3 force"_s, {}},
        {u"drop_below_replica"_s, u"drop dnode 3"_s, {}},
        {u"wrong_password"_s, u"show dnodes"_s, {}, true, "Basic " + QByteArray("root:wrong").toBase64()},
        {u"no_authorization"_s, u"show dnodes"_s, {}, true, {}},
    };
}

// "2023-11-14T22:13:20.123Z" -> "9999-99-99T99:99:99.999Z": the shape, not the instant.
QString shapeOf(const QString &text)
{
    QString shape = text;
    shape.replace(QRegularExpression(u"[0-9]"_s), u"9"_s);
    return shape;
}

// What one answer says, one observation per line keyed by what it is about: "http", "code",
// "columns", "values of X", "timestamps".
QMap<QString, QString> observe(const Statement &statement, int httpStatus, const QJsonObject &json)
{
    QMap<QString, QString> seen;
    seen.insert(u"http"_s, QString::number(httpStatus));
    const int code = json.value(u"code").toInt(-1);
    seen.insert(u"code"_s,
                code == 0 ? u"0"_s
                          : u"0x%1 %2"_s.arg(code, 4, 16, QChar(u'0')).arg(json.value(u"desc").toString()));
    if (code != 0)
        return seen;
    QStringList columns;
    QList<int> timestampColumns;
    const QJsonArray meta = json.value(u"column_meta").toArray();
    for (qsizetype i = 0; i < meta.size(); ++i) {
        const QJsonArray column = meta.at(i).toArray();
        columns.append(column.at(0).toString() + u' ' + column.at(1).toString());
        if (column.at(1).toString() == u"TIMESTAMP")
            timestampColumns.append(int(i));
    }
    seen.insert(u"columns"_s, columns.join(u", "));
    const QJsonArray rows = json.value(u"data").toArray();
    for (const QString &name : statement.vocabulary) {
        const qsizetype index = columns.indexOf(QRegularExpression(u"^"_s + name + u" "_s));
        if (index < 0) {
            seen.insert(u"values of "_s + name, u"(no such column)"_s);
            continue;
        }
        QStringList values;
        for (const QJsonValue &row : rows) {
            const QString value = row.toArray().at(index).toString().trimmed();
            if (!values.contains(value))
                values.append(value);
        }
        values.sort();
        seen.insert(u"values of "_s + name, values.join(u", "));
    }
    QStringList shapes;
    for (const QJsonValue &row : rows) {
        for (int index : std::as_const(timestampColumns)) {
            const QJsonValue value = row.toArray().at(index);
            const QString shape = value.isNull() ? u"null"_s : shapeOf(value.toString());
            if (!shapes.contains(shape))
                shapes.append(shape);
        }
    }
    if (!shapes.isEmpty())
        seen.insert(u"timestamps"_s, shapes.join(u", "));
    return seen;
}

// differential-allowlist.txt: VERSION <tab> STATEMENT <tab> OBSERVATION <tab> why. VERSION "*" is every
// real version.
struct Allowance
{
    QString version;
    QString statement;
    QString observation;
    QString why;
};

QList<Allowance> allowlist(QString *error)
{
    QFile file(QStringLiteral(TDKUBE_DIFFERENTIAL_ALLOWLIST));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = file.errorString();
        return {};
    }
    QList<Allowance> list;
    int number = 0;
    while (!file.atEnd()) {
        ++number;
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const QStringList fields = line.split(u'\t');
        if (fields.size() != 4 || fields.at(3).trimmed().isEmpty()) {
            *error = u"line %1: want VERSION, STATEMENT, OBSERVATION and why, tab-separated"_s.arg(number);
            return {};
        }
        list.append({fields.at(0), fields.at(1), fields.at(2), fields.at(3)});
    }
    return list;
}

using Observations = QMap<QString, QMap<QString, QString>>; // statement id -> observation -> text

} // namespace

class TestDifferential final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void simulatorMatchesRealTdengine_data();
    void simulatorMatchesRealTdengine();

private:
    Observations run(const QString &taosdDir, QString *error);

    Observations m_simulator;
};

void TestDifferential::initTestCase()
{
    QString error;
    m_simulator = run({}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(u"simulator: "_s + error));
}

void TestDifferential::simulatorMatchesRealTdengine_data()
{
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("taosdDir");
    QTest::newRow("3.3.6.6") << u"3.3.6.6"_s << qEnvironmentVariable("TDKUBE_REAL_TAOSD");
    QTest::newRow("3.0.5.2") << u"3.0.5.2"_s << qEnvironmentVariable("TDKUBE_REAL_TAOSD_3_0");
}

void TestDifferential::simulatorMatchesRealTdengine()
{
    QFETCH(QString, version);
    QFETCH(QString, taosdDir);
    if (taosdDir.isEmpty())
        QSKIP(qPrintable(
            u"no real TDengine %1: packaging/test.sh builds it from ../shared/tdengine, or set "
            u"TDKUBE_REAL_TAOSD (3.3) / TDKUBE_REAL_TAOSD_3_0 to a build's folder"_s.arg(version)));
    QString error;
    const QList<Allowance> allowed = allowlist(&error);
    QVERIFY2(error.isEmpty(), qPrintable(u"differential-allowlist.txt: "_s + error));
    const Observations real = run(taosdDir, &error);
    QVERIFY2(error.isEmpty(), qPrintable(version + u": "_s + error));
    // The server says which version it is: the rows compare what they claim to.
    QVERIFY2(real.value(u"server_version"_s).value(u"code"_s) == u"0",
             qPrintable(real.value(u"server_version"_s).value(u"code"_s)));

    QStringList differences;
    QStringList known;
    for (const Statement &statement : script()) {
        if (!statement.probe)
            continue;
        const QMap<QString, QString> simulated = m_simulator.value(statement.id);
        const QMap<QString, QString> actual = real.value(statement.id);
        QStringList keys = simulated.keys() + actual.keys();
        keys.removeDuplicates();
        for (const QString &key : std::as_const(keys)) {
            if (simulated.value(key) == actual.value(key))
                continue;
            const auto allowance = std::find_if(allowed.cbegin(), allowed.cend(), [&](const Allowance &a) {
                return (a.version == version || a.version == u"*") && a.statement == statement.id &&
                       a.observation == key;
            });
            const QString line = u"%1 (%2) %3:\n    simulator: %4\n    TDengine:  %5"_s.arg(
                statement.id, statement.sql, key, simulated.value(key, u"(none)"_s),
                actual.value(key, u"(none)"_s));
            if (allowance == allowed.cend())
                differences.append(line);
            else
                known.append(line + u"\n    allowed: "_s + allowance->why);
        }
    }
    // One line each: QTest cuts long messages.
    for (const QString &line : std::as_const(known))
        qInfo("known difference from TDengine %s: %s", qPrintable(version), qPrintable(line));
    for (const QString &line : std::as_const(differences))
        qWarning("difference from TDengine %s: %s", qPrintable(version), qPrintable(line));
    QVERIFY2(differences.isEmpty(),
             qPrintable(u"the simulator differs from TDengine %1 in %2 place(s), each above"_s.arg(
                 version, QString::number(differences.size()))));
}

// The last lines each TDengine pod logged (its taosd's, or the simulator's).
QString podLogs(SandboxFixture &fixture)
{
    QStringList lines;
    for (int ordinal = 0; ordinal < 3; ++ordinal) {
        const QString name = u"tdengine-%1"_s.arg(ordinal);
        const std::optional<QJsonObject> pod =
            fixture.sandbox()->store()->get(tdkube::sandbox::podsType(), kNs, name);
        if (!pod)
            continue;
        const auto log = fixture.sandbox()->runtime()->log(*pod, {}, false);
        for (qsizetype i = std::max<qsizetype>(0, log.size() - 60); i < log.size(); ++i)
            lines.append(name + u": "_s + log.at(i).text);
    }
    return lines.join(u'\n');
}

// A sandbox (simulated TDengine, or real taosd from `taosdDir`), the StatefulSet of manifests/ in
// namespace diff, and the script through a port-forward to tdengine-0's taosAdapter.
Observations TestDifferential::run(const QString &taosdDir, QString *error)
{
    SandboxFixture fixture;
    if (!fixture.start({}, taosdDir.isEmpty() ? 0.05 : 4.0, taosdDir)) {
        *error = u"the sandbox did not start"_s;
        return {};
    }
    KubeClient client(fixture.admin());
    if (!createNamespace(&client, kNs) || !applyManifests(&client, kNs, error)) {
        *error = u"could not deploy: "_s + *error;
        return {};
    }
    PortForward forward(&client, ForwardTarget{ForwardTarget::Kind::StatefulSet, kNs, u"tdengine"_s}, 6041);
    forward.start();
    QNetworkAccessManager network;
    QObject::connect(&forward, &PortForward::connectionFailed, &forward, [](const QString &message) {
        qInfo("port-forward connection failed: %s", qPrintable(message));
    });
    const auto sql = [&](const Statement &statement, int *httpStatus) {
        QUrl url(u"http://127.0.0.1/rest/sql"_s);
        url.setPort(forward.localPort());
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("text/plain"));
        if (!statement.authorization.isEmpty())
            request.setRawHeader("Authorization", statement.authorization);
        request.setTransferTimeout(120000);
        std::unique_ptr<QNetworkReply> reply(network.post(request, statement.sql.toUtf8()));
        if (!QTest::qWaitFor([&reply] { return reply->isFinished(); }, 150000)) {
            *httpStatus = 0;
            return QJsonObject{{u"code"_s, -1}, {u"desc"_s, u"no answer within 150 s"_s}};
        }
        *httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        return QJsonDocument::fromJson(reply->readAll()).object();
    };
    // Three ready dnodes first: the script's refusals depend on them.
    int httpStatus = 0;
    const Statement dnodes{u"-"_s, u"select * from information_schema.ins_dnodes"_s, {}};
    const bool ready = QTest::qWaitFor(
        [&] {
            if (forward.state() != PortForward::State::Active)
                return false;
            int count = 0;
            for (const QJsonValue &row : sql(dnodes, &httpStatus).value(u"data").toArray())
                count += row.toArray().at(4).toString() == u"ready" ? 1 : 0;
            return count == 3;
        },
        kClusterMs);
    if (!ready) {
        *error = u"three dnodes never became ready (port-forward: %1)"_s.arg(forward.stateReason());
        return {};
    }
    Observations observations;
    for (const Statement &statement : script()) {
        QElapsedTimer timer;
        timer.start();
        const QJsonObject json = sql(statement, &httpStatus);
        qInfo("%s: %s -> %d %s (%lld ms)", qPrintable(taosdDir.isEmpty() ? u"simulator"_s : taosdDir),
              qPrintable(statement.sql), httpStatus, qPrintable(json.value(u"desc").toString()),
              timer.elapsed());
        if (httpStatus == 0) {
            // No answer at all is not TDengine's: say what the pods said, and stop.
            *error = u"no answer to `%1` (port-forward: %2); the pods' last log lines:\n%3"_s.arg(
                statement.sql, forward.stateReason(), podLogs(fixture));
            return {};
        }
        if (statement.probe)
            observations.insert(statement.id, observe(statement, httpStatus, json));
    }
    return observations;
}

QTEST_GUILESS_MAIN(TestDifferential)
#include "tst_differential.moc"
