// gatherFacts against the in-process sandbox: manifests/ deployed as the deploy wizard does, then
// the facts a plan is built from read back, and the planner refusing on that real cluster.
#include "deploy/deploymonitor.h"
#include "kube/objects.h"
#include "ops/facts.h"
#include "ops/planner.h"
#include "sandboxfixture.h"
#include "taos/clusterconnection.h"
#include "taos/passwordstore.h"
#include "taos/restclient.h"

#include <QSettings>
#include <QStandardPaths>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::kube::test;

namespace {

constexpr int kDeployMs = 120000;
const QString kSet = u"tdengine"_s;

struct Gathered
{
    ops::ClusterFacts facts;
    QString error;
};

QStringList namesOf(const QList<QJsonObject> &objects)
{
    QStringList names;
    for (const QJsonObject &object : objects)
        names.append(kube::nameOf(object));
    names.sort();
    return names;
}

} // namespace

class TestFacts final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void deployedCluster_gather_podsClaimsDnodesAndDatabases();
    void replica3Database_scaleInToTwo_refusedBelowReplica();
    void dnodesCutShort_gather_errorNotFactsWithoutTheDnode();
    void missingStatefulSet_gather_errorNamesIt();

private:
    void deploy(const QString &ns);
    std::unique_ptr<taos::ClusterConnection> connect(const QString &ns);
    std::optional<Gathered> gather(const QString &ns, taos::ClusterConnection *connection);
    taos::QueryOutcome sql(taos::ClusterConnection *connection, const QString &statement);

    SandboxFixture m_fixture;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
    QString m_deployed; // the namespace of the cluster the first test deployed
};

void TestFacts::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_settingsDir.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QVERIFY(m_fixture.start());
    m_client = std::make_unique<kube::KubeClient>(m_fixture.admin());
    m_passwords = std::make_unique<taos::PasswordStore>();
    m_passwords->setKeychainEnabled(false);
}

// manifests/ applied into `ns`, then followed by the deploy wizard's monitor until the cluster is
// verified (3 dnodes ready, 3 mnodes).
void TestFacts::deploy(const QString &ns)
{
    QVERIFY(createNamespace(m_client.get(), ns));
    QString error;
    QVERIFY2(applyManifests(m_client.get(), ns, &error), qPrintable(error));
    deploy::DeployTarget target;
    target.context = m_fixture.admin().contextName;
    target.ns = ns;
    target.statefulSet = kSet;
    target.replicas = 3;
    deploy::DeployMonitor monitor(m_client.get(), m_passwords.get(), target);
    monitor.setPollInterval(50);
    std::optional<bool> ok;
    QString message;
    QObject::connect(&monitor, &deploy::DeployMonitor::finished, &monitor,
                     [&](bool success, const QString &text) {
                         ok = success;
                         message = text;
                     });
    monitor.start();
    QVERIFY(QTest::qWaitFor([&ok] { return ok.has_value(); }, kDeployMs));
    QVERIFY2(*ok, qPrintable(message));
}

std::unique_ptr<taos::ClusterConnection> TestFacts::connect(const QString &ns)
{
    return std::make_unique<taos::ClusterConnection>(m_client.get(), ns, kSet,
                                                     u"sandbox/"_s + ns + u'/' + kSet, m_passwords.get());
}

std::optional<Gathered> TestFacts::gather(const QString &ns, taos::ClusterConnection *connection)
{
    std::optional<Gathered> result;
    QObject context;
    int calls = 0;
    ops::gatherFacts(m_client.get(), connection, ns, kSet, &context,
                     [&](const ops::ClusterFacts &facts, const QString &error) {
                         ++calls;
                         result = Gathered{facts, error};
                     });
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, 60000))
        return std::nullopt;
    QTest::qWait(50); // a second call would come now
    if (calls != 1)
        qWarning("done was called %d times", calls);
    return calls == 1 ? result : std::nullopt;
}

taos::QueryOutcome TestFacts::sql(taos::ClusterConnection *connection, const QString &statement)
{
    std::optional<taos::QueryOutcome> outcome;
    connection->rest()->query(statement, connection,
                              [&outcome](taos::QueryOutcome &answer) { outcome = std::move(answer); });
    if (!QTest::qWaitFor([&outcome] { return outcome.has_value(); }, kWaitMs))
        qWarning("%s did not answer", qPrintable(statement));
    return outcome.value_or(taos::QueryOutcome{});
}

void TestFacts::deployedCluster_gather_podsClaimsDnodesAndDatabases()
{
    const QString ns = u"facts"_s;
    deploy(ns);
    m_deployed = ns;
    auto connection = connect(ns);
    const std::optional<Gathered> gathered = gather(ns, connection.get());
    QVERIFY(gathered);
    QVERIFY2(gathered->error.isEmpty(), qPrintable(gathered->error));
    const ops::ClusterFacts &facts = gathered->facts;

    QCOMPARE(kube::nameOf(facts.statefulSet), kSet);
    QCOMPARE(namesOf(facts.pods), (QStringList{u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}));
    QCOMPARE(namesOf(facts.claims),
             (QStringList{u"taosdata-tdengine-0"_s, u"taosdata-tdengine-1"_s, u"taosdata-tdengine-2"_s}));
    QVERIFY(namesOf(facts.storageClasses).contains(u"standard"_s));
    QCOMPARE(facts.snapshot.dnodes.size(), 3);
    for (const taos::Dnode &dnode : facts.snapshot.dnodes)
        QCOMPARE(dnode.status, u"ready"_s);
    QCOMPARE(facts.snapshot.mnodes.size(), 3);
    QCOMPARE(facts.snapshot.serverVersion, u"3.0.7.1"_s); // what the seeds' cluster runs
    for (const taos::Mnode &mnode : facts.snapshot.mnodes)
        QVERIFY(mnode.roleTime.isValid()); // reboot_time, the 3.0 column (taos/versions.h)

    // Each ordinal maps to the dnode whose endpoint is its pod's FQDN.
    const QMap<int, int> dnodes = ops::dnodeByOrdinal(facts);
    QCOMPARE(dnodes.keys(), (QList<int>{0, 1, 2}));
    for (auto it = dnodes.begin(); it != dnodes.end(); ++it) {
        const auto dnode = std::find_if(facts.snapshot.dnodes.begin(), facts.snapshot.dnodes.end(),
                                        [&it](const taos::Dnode &d) { return d.id == it.value(); });
        QVERIFY(dnode != facts.snapshot.dnodes.end());
        QCOMPARE(dnode->endpoint.section(u':', 0, 0),
                 u"tdengine-%1.taosd.%2.svc.cluster.local"_s.arg(it.key()).arg(ns));
    }
    QStringList databases;
    for (const taos::Database &database : facts.snapshot.databases)
        databases.append(database.name);
    QVERIFY2(databases.contains(u"information_schema"_s), qPrintable(databases.join(u", "_s)));

    // The healthy cluster may grow: nothing blocks a scale-out.
    const ops::Plan out = ops::planScaleOut(facts, 5);
    QVERIFY2(!out.blocked(), qPrintable(out.findings.isEmpty() ? QString() : out.findings.first().reason));
}

void TestFacts::replica3Database_scaleInToTwo_refusedBelowReplica()
{
    if (m_deployed.isEmpty())
        QSKIP("needs the cluster of the previous test");
    auto connection = connect(m_deployed);
    connection->start();
    QVERIFY(QTest::qWaitFor([&connection] { return connection->rest() != nullptr; }, kWaitMs));
    const taos::QueryOutcome created =
        sql(connection.get(), u"create database if not exists test replica 3"_s);
    QVERIFY2(created.ok(), qPrintable(created.error.describe()));

    const std::optional<Gathered> gathered = gather(m_deployed, connection.get());
    QVERIFY(gathered);
    QVERIFY2(gathered->error.isEmpty(), qPrintable(gathered->error));
    const auto test =
        std::find_if(gathered->facts.snapshot.databases.begin(), gathered->facts.snapshot.databases.end(),
                     [](const taos::Database &database) { return database.name == u"test"; });
    QVERIFY(test != gathered->facts.snapshot.databases.end());
    QCOMPARE(test->replica, 3);

    const ops::Plan plan = ops::planScaleIn(gathered->facts, 2);
    QVERIFY(plan.blocked());
    QVERIFY(plan.steps.isEmpty());
    const auto finding = std::find_if(plan.findings.begin(), plan.findings.end(),
                                      [](const ops::Finding &f) { return f.code == u"below-replica"; });
    QVERIFY(finding != plan.findings.end());
    QVERIFY2(finding->reason.startsWith(u"Database test has replica 3: it needs 3 dnodes"_s),
             qPrintable(finding->reason));
}

// A plan made from an ins_dnodes answer cut short (code 0, a row missing: FACTS.md section 5) would
// treat the missing dnode's pod as having none, and scale it away without dropping it: such an answer
// is an error, not facts.
void TestFacts::dnodesCutShort_gather_errorNotFactsWithoutTheDnode()
{
    if (m_deployed.isEmpty())
        QSKIP("needs the cluster of the first test");
    auto connection = connect(m_deployed);
    QVERIFY(control(m_client.get(), u"faults"_s,
                    {{u"cutShortResults"_s, 1000000},
                     {u"keepRows"_s, 2},
                     {u"matching"_s, u"select * from information_schema.ins_dnodes"_s}})
                .ok());
    const std::optional<Gathered> gathered = gather(m_deployed, connection.get());
    QVERIFY(control(m_client.get(), u"faults"_s, {{u"cutShortResults"_s, 0}}).ok());
    QVERIFY(gathered);
    QVERIFY2(gathered->error.contains(u"ins_dnodes answered 2 rows where count(*) says 3"_s),
             qPrintable(gathered->error));

    const std::optional<Gathered> whole = gather(m_deployed, connection.get());
    QVERIFY(whole);
    QVERIFY2(whole->error.isEmpty(), qPrintable(whole->error));
    QCOMPARE(whole->facts.snapshot.dnodes.size(), 3);
}

void TestFacts::missingStatefulSet_gather_errorNamesIt()
{
    const QString ns = u"facts-empty"_s;
    QVERIFY(createNamespace(m_client.get(), ns));
    auto connection = connect(ns);
    std::optional<Gathered> result;
    QObject context;
    ops::gatherFacts(
        m_client.get(), connection.get(), ns, kSet, &context,
        [&result](const ops::ClusterFacts &facts, const QString &error) {
            result = Gathered{facts, error};
        },
        2000);
    QVERIFY(QTest::qWaitFor([&result] { return result.has_value(); }, kWaitMs));
    QVERIFY2(result->error.contains(u"Could not read StatefulSet tdengine in namespace facts-empty"_s),
             qPrintable(result->error));
    QVERIFY2(result->error.contains(u"taosAdapter of tdengine"_s), qPrintable(result->error));
}

QTEST_GUILESS_MAIN(TestFacts)
#include "tst_facts.moc"
