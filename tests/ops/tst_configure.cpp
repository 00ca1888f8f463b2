// A configuration change and an upgrade run by the journaled executor against the in-process sandbox (a
// simulated 3-dnode cluster deployed from manifests/, with a replica-3 database): the ConfigMap or the
// image changes, the pods restart one at a time from the highest ordinal and never two at once, each dnode
// comes back with the new value or version, and the rows are all there. Cancelled between two pods, the
// StatefulSet stays split and consistent (partition), and a resume finishes it.
#include "deploy/deploymonitor.h"
#include "kube/objects.h"
#include "kube/portforward.h"
#include "kube/resourcewatch.h"
#include "ops/executor.h"
#include "ops/facts.h"
#include "ops/journal.h"
#include "ops/planner.h"
#include "sandboxfixture.h"
#include "taos/clusterconnection.h"
#include "taos/passwordstore.h"
#include "taos/restclient.h"
#include "taos/snapshotpoller.h"

#include <QDir>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::kube::test;
using tdkube::ops::Executor;
using tdkube::ops::Journal;
using tdkube::ops::Plan;
using tdkube::ops::Step;

namespace {

constexpr int kRunMs = 240000; // a safety net for a hung test, not a measure
const QString kNs = u"cfg"_s;
const QString kSet = u"tdengine"_s;
const QString kConfigMap = u"tdengine-taoscfg"_s;

} // namespace

class TestConfigure final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void restartSetting_podsRollOneAtATimeHighestFirst_eachDnodeBackWithTheValue();
    void cancelledBetweenPods_statefulSetHeldSplit_resumeFinishes();
    void runtimeSetting_alteredOnEveryDnode_noPodRestarted();
    void upgrade_podsRollOntoTheNewImage_eachDnodeRunsTheNewVersion();
    void upgrade_downgradeAndJumpRefused_nothingChanged();

private:
    std::optional<ops::ClusterFacts> facts();
    Plan plan(const QMap<QString, QString> &settings);
    // Runs `planned` to its end (the journal finished), recording the order the pods went down in and the
    // most down at once.
    bool runWatchingPods(const Plan &planned, QStringList *restarted, int *mostDown, QString *message);
    taos::QueryOutcome sql(const QString &statement);
    QJsonObject statefulSet();
    QMap<QString, QString> podRevisions();
    QString configValue(const QString &variable);

    SandboxFixture m_fixture;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
};

void TestConfigure::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QDir(Journal::directory()).removeRecursively();
    QVERIFY(m_settingsDir.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QVERIFY(m_fixture.start());
    m_client = std::make_unique<kube::KubeClient>(m_fixture.admin());
    m_passwords = std::make_unique<taos::PasswordStore>();
    m_passwords->setKeychainEnabled(false);
    QVERIFY(createNamespace(m_client.get(), kNs));
    QString error;
    QVERIFY2(applyManifests(m_client.get(), kNs, &error), qPrintable(error));
    deploy::DeployMonitor monitor(m_client.get(), m_passwords.get(),
                                  deploy::DeployTarget{m_fixture.admin().contextName, kNs, kSet, 3, true});
    monitor.setPollInterval(50);
    std::optional<bool> deployed;
    connect(&monitor, &deploy::DeployMonitor::finished, this, [&deployed](bool ok) { deployed = ok; });
    monitor.start();
    QVERIFY(QTest::qWaitFor([&] { return deployed.has_value(); }, kRunMs));
    QVERIFY(*deployed);
    for (const QString &statement :
         {u"create database r3 replica 3 vgroups 4"_s, u"create table r3.plain (ts timestamp, v int)"_s,
          u"insert into r3.plain values (now, 1) (now+1s, 2) (now+2s, 3)"_s}) {
        const taos::QueryOutcome outcome = sql(statement);
        QVERIFY2(outcome.ok(), qPrintable(statement + u": "_s + outcome.error.describe()));
    }
}

// What the cluster holds now, as the command line and the wizards plan from.
std::optional<ops::ClusterFacts> TestConfigure::facts()
{
    taos::ClusterConnection connection(m_client.get(), kNs, kSet, u"sandbox/cfg/tdengine"_s,
                                       m_passwords.get());
    std::optional<ops::ClusterFacts> facts;
    QString error;
    QObject context;
    ops::gatherFacts(m_client.get(), &connection, kNs, kSet, &context,
                     [&facts, &error](const ops::ClusterFacts &gathered, const QString &why) {
                         facts = gathered;
                         error = why;
                     });
    if (!QTest::qWaitFor([&facts] { return facts.has_value(); }, kRunMs) || !error.isEmpty()) {
        qWarning("facts: %s", qPrintable(error));
        return std::nullopt;
    }
    return facts;
}

Plan TestConfigure::plan(const QMap<QString, QString> &settings)
{
    const std::optional<ops::ClusterFacts> gathered = facts();
    if (!gathered)
        return {};
    Plan planned = ops::planConfigure(*gathered, settings);
    planned.context = m_fixture.admin().contextName;
    return planned;
}

bool TestConfigure::runWatchingPods(const Plan &planned, QStringList *restarted, int *mostDown,
                                    QString *message)
{
    kube::ResourceWatch pods(m_client.get(), kube::ResourceKind::pods(), kNs);
    QMap<QString, bool> ready;
    const auto seen = [&](const QJsonObject &pod, bool gone) {
        const QString name = kube::nameOf(pod);
        const bool up = !gone && kube::isPodReady(pod) &&
                        kube::valueAt(pod, u"metadata.deletionTimestamp"_s).toString().isEmpty();
        if (ready.value(name, true) && !up && !restarted->contains(name))
            restarted->append(name);
        ready.insert(name, up);
        *mostDown = std::max(*mostDown, int(std::count(ready.cbegin(), ready.cend(), false)));
    };
    connect(&pods, &kube::ResourceWatch::reset, this, [&](const QList<QJsonObject> &objects) {
        for (const QJsonObject &pod : objects)
            seen(pod, false);
    });
    connect(&pods, &kube::ResourceWatch::modified, this, [&](const QJsonObject &pod) { seen(pod, false); });
    connect(&pods, &kube::ResourceWatch::added, this, [&](const QJsonObject &pod) { seen(pod, false); });
    connect(&pods, &kube::ResourceWatch::deleted, this, [&](const QJsonObject &pod) { seen(pod, true); });
    pods.start();
    if (!QTest::qWaitFor([&] { return pods.state() == kube::ResourceWatch::State::Live; }, kWaitMs)) {
        *message = u"the pod watch did not start"_s;
        return false;
    }
    if (*mostDown != 0) {
        *message = u"a pod was not Ready before the operation started"_s;
        return false;
    }
    Executor run(m_client.get(), m_passwords.get());
    run.setPollInterval(50);
    std::optional<bool> ok;
    connect(&run, &Executor::finished, this, [&](bool success, const QString &text) {
        ok = success;
        *message = text;
    });
    run.start(planned);
    if (!QTest::qWaitFor([&] { return ok.has_value(); }, kRunMs)) {
        *message = u"the operation did not finish"_s;
        return false;
    }
    return *ok && Journal::load(run.journal().path()).status() == Journal::Status::Finished;
}

taos::QueryOutcome TestConfigure::sql(const QString &statement)
{
    return sqlThroughForward(m_client.get(), kNs, kSet, statement);
}

QJsonObject TestConfigure::statefulSet()
{
    return await([&](QObject *context, kube::KubeClient::Done done) {
               m_client->get(kube::ResourceKind::statefulSets(), kNs, kSet, context, done);
           })
        .json();
}

// pod name -> its controller-revision-hash
QMap<QString, QString> TestConfigure::podRevisions()
{
    const kube::KubeResponse listed = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->list(kube::ResourceKind::pods(), kNs, {}, context, done);
    });
    QMap<QString, QString> revisions;
    for (const QJsonValue &item : listed.json().value(u"items").toArray()) {
        const QJsonObject pod = item.toObject();
        revisions.insert(kube::nameOf(pod), kube::valueAt(pod, u"metadata.labels"_s)
                                                .toObject()
                                                .value(u"controller-revision-hash")
                                                .toString());
    }
    return revisions;
}

QString TestConfigure::configValue(const QString &variable)
{
    return await([&](QObject *context, kube::KubeClient::Done done) {
               m_client->get(kube::ResourceKind::configMaps(), kNs, kConfigMap, context, done);
           })
        .json()
        .value(u"data")
        .toObject()
        .value(variable)
        .toString();
}

void TestConfigure::restartSetting_podsRollOneAtATimeHighestFirst_eachDnodeBackWithTheValue()
{
    const Plan planned = plan({{u"supportVnodes"_s, u"24"_s}});
    QVERIFY2(!planned.blocked() && planned.steps.size() == 6, qPrintable(planned.summary()));

    QStringList restarted;
    int mostDown = 0;
    QString message;
    QVERIFY2(runWatchingPods(planned, &restarted, &mostDown, &message), qPrintable(message));
    QCOMPARE(restarted, (QStringList{u"tdengine-2"_s, u"tdengine-1"_s, u"tdengine-0"_s}));
    QCOMPARE(mostDown, 1);
    QCOMPARE(configValue(u"TAOS_SUPPORT_VNODES"_s), u"24"_s);
    const QJsonObject set = statefulSet();
    QCOMPARE(kube::valueAt(set, u"spec.updateStrategy.rollingUpdate.partition"_s).toInt(-1), 0);
    const QString revision = kube::valueAt(set, u"status.updateRevision"_s).toString();
    for (const QString &revisionOfPod : podRevisions())
        QCOMPARE(revisionOfPod, revision);
    const taos::QueryOutcome shown = sql(u"select * from information_schema.ins_dnodes"_s);
    QVERIFY(shown.ok());
    const QList<taos::Dnode> dnodes = taos::dnodesFrom(shown.result);
    QCOMPARE(dnodes.size(), 3);
    for (const taos::Dnode &dnode : dnodes) {
        QCOMPARE(dnode.status, u"ready"_s);
        QCOMPARE(dnode.supportVnodes, 24);
    }
    const taos::QueryOutcome rows = sql(u"select count(*) from r3.plain"_s);
    QVERIFY(rows.ok());
    QCOMPARE(rows.result.int64(0, 0), 3);
}

// Cancel is honoured between steps: after the first pod, the StatefulSet holds the others on the old
// template (partition 2) and every pod is Ready; the journal offers a resume, which finishes the roll.
void TestConfigure::cancelledBetweenPods_statefulSetHeldSplit_resumeFinishes()
{
    const Plan planned = plan({{u"TAOS_SUPPORT_VNODES"_s, u"32"_s}});
    QVERIFY2(!planned.blocked() && planned.steps.size() == 6, qPrintable(planned.summary()));
    const QString oldRevision = kube::valueAt(statefulSet(), u"status.updateRevision"_s).toString();

    auto run = std::make_unique<Executor>(m_client.get(), m_passwords.get());
    run->setPollInterval(50);
    std::optional<bool> ok;
    QString message;
    connect(run.get(), &Executor::stepFinished, this, [&run](int index) {
        if (index == 2) // tdengine-2 restarted
            run->requestCancel();
    });
    connect(run.get(), &Executor::finished, this, [&](bool success, const QString &text) {
        ok = success;
        message = text;
    });
    run->start(planned);
    QVERIFY(QTest::qWaitFor([&] { return ok.has_value(); }, kRunMs));
    QVERIFY2(!*ok, qPrintable(message));
    const Journal stopped = Journal::load(run->journal().path());
    QCOMPARE(stopped.status(), Journal::Status::Running);
    QCOMPARE(stopped.resumeIndex(), 3);

    const QJsonObject set = statefulSet();
    QCOMPARE(kube::valueAt(set, u"spec.updateStrategy.rollingUpdate.partition"_s).toInt(), 2);
    const QString newRevision = kube::valueAt(set, u"status.updateRevision"_s).toString();
    QVERIFY(newRevision != oldRevision);
    const QMap<QString, QString> split = podRevisions();
    QCOMPARE(split.value(u"tdengine-2"_s), newRevision);
    QCOMPARE(split.value(u"tdengine-1"_s), oldRevision);
    QCOMPARE(split.value(u"tdengine-0"_s), oldRevision);
    QTest::qWait(500); // the controller would have rolled on by now if the partition did not hold it
    QCOMPARE(podRevisions(), split);

    run.reset();
    Executor resumed(m_client.get(), m_passwords.get());
    resumed.setPollInterval(50);
    ok.reset();
    connect(&resumed, &Executor::finished, this, [&](bool success, const QString &text) {
        ok = success;
        message = text;
    });
    resumed.resume(stopped);
    QVERIFY(QTest::qWaitFor([&] { return ok.has_value(); }, kRunMs));
    QVERIFY2(*ok, qPrintable(message));
    for (const QString &revisionOfPod : podRevisions())
        QCOMPARE(revisionOfPod, newRevision);
    QCOMPARE(kube::valueAt(statefulSet(), u"spec.updateStrategy.rollingUpdate.partition"_s).toInt(-1), 0);
    QCOMPARE(configValue(u"TAOS_SUPPORT_VNODES"_s), u"32"_s);
}

// A log flag: `alter all dnodes`, every dnode runs with it at once, no pod restarts, and the ConfigMap
// keeps it for the next start.
void TestConfigure::runtimeSetting_alteredOnEveryDnode_noPodRestarted()
{
    const Plan planned = plan({{u"debugFlag"_s, u"135"_s}});
    QVERIFY2(!planned.blocked() && planned.steps.size() == 3, qPrintable(planned.summary()));
    const auto uids = [this] {
        const kube::KubeResponse listed = await([&](QObject *context, kube::KubeClient::Done done) {
            m_client->list(kube::ResourceKind::pods(), kNs, {}, context, done);
        });
        QStringList found;
        for (const QJsonValue &item : listed.json().value(u"items").toArray())
            found.append(kube::uidOf(item.toObject()));
        found.sort();
        return found;
    };
    const QStringList before = uids();

    Executor run(m_client.get(), m_passwords.get());
    run.setPollInterval(50);
    std::optional<bool> ok;
    QString message;
    connect(&run, &Executor::finished, this, [&](bool success, const QString &text) {
        ok = success;
        message = text;
    });
    run.start(planned);
    QVERIFY(QTest::qWaitFor([&] { return ok.has_value(); }, kRunMs));
    QVERIFY2(*ok, qPrintable(message));

    QCOMPARE(uids(), before);
    QCOMPARE(configValue(u"TAOS_DEBUG_FLAG"_s), u"135"_s);
    for (int dnode = 1; dnode <= 3; ++dnode) {
        const taos::QueryOutcome shown = sql(u"show dnode %1 variables like 'debugFlag'"_s.arg(dnode));
        QVERIFY2(shown.ok() && shown.result.rowCount() >= 1, qPrintable(shown.error.describe()));
        QCOMPARE(shown.result.text(0, 2), u"135"_s); // dnode_id, name, value
    }
}

// An image of the same 3.0.7 line: the pods roll onto it one at a time, highest first, each dnode
// checked to run 3.0.7.3 before the next goes; then TDengine answers with 3.0.7.3 and every row is there.
void TestConfigure::upgrade_podsRollOntoTheNewImage_eachDnodeRunsTheNewVersion()
{
    const std::optional<ops::ClusterFacts> gathered = facts();
    QVERIFY(gathered);
    QCOMPARE(gathered->snapshot.serverVersion, u"3.0.7.1"_s);
    Plan planned = ops::planUpgrade(*gathered, u"tdengine/tdengine:3.0.7.3"_s);
    planned.context = m_fixture.admin().contextName;
    QVERIFY2(!planned.blocked() && planned.steps.size() == 5, qPrintable(planned.summary()));

    QStringList restarted;
    int mostDown = 0;
    QString message;
    QVERIFY2(runWatchingPods(planned, &restarted, &mostDown, &message), qPrintable(message));
    QCOMPARE(restarted, (QStringList{u"tdengine-2"_s, u"tdengine-1"_s, u"tdengine-0"_s}));
    QCOMPARE(mostDown, 1);

    const QJsonObject set = statefulSet();
    const QJsonArray containers = kube::valueAt(set, u"spec.template.spec.containers"_s).toArray();
    QCOMPARE(containers.size(), 1);
    QCOMPARE(containers.at(0).toObject().value(u"image").toString(), u"tdengine/tdengine:3.0.7.3"_s);
    QVERIFY(!containers.at(0).toObject().value(u"envFrom").toArray().isEmpty()); // merged, not replaced
    const QString revision = kube::valueAt(set, u"status.updateRevision"_s).toString();
    for (const QString &revisionOfPod : podRevisions())
        QCOMPARE(revisionOfPod, revision);
    for (int dnode = 1; dnode <= 3; ++dnode) {
        const taos::QueryOutcome shown = sql(u"show dnode %1 variables like 'version'"_s.arg(dnode));
        QVERIFY2(shown.ok() && shown.result.rowCount() == 1, qPrintable(shown.error.describe()));
        QCOMPARE(shown.result.text(0, 2), u"3.0.7.3"_s);
    }
    const taos::QueryOutcome version = sql(u"select server_version()"_s);
    QVERIFY(version.ok());
    QCOMPARE(version.result.text(0, 0), u"3.0.7.3"_s);
    const taos::QueryOutcome rows = sql(u"select count(*) from r3.plain"_s);
    QVERIFY(rows.ok());
    QCOMPARE(rows.result.int64(0, 0), 3);
}

// Back to the old version, or on to 3.3: refused from what the cluster says, and nothing changes.
void TestConfigure::upgrade_downgradeAndJumpRefused_nothingChanged()
{
    const std::optional<ops::ClusterFacts> gathered = facts();
    QVERIFY(gathered);
    const QString revision = kube::valueAt(statefulSet(), u"status.updateRevision"_s).toString();
    const Plan back = ops::planUpgrade(*gathered, u"tdengine/tdengine:3.0.7.1"_s);
    QVERIFY(back.blocked() && back.steps.isEmpty());
    QCOMPARE(back.findings.first().code, u"downgrade"_s);
    const Plan jump = ops::planUpgrade(*gathered, u"tdengine/tdengine:3.3.6.6"_s);
    QVERIFY(jump.blocked() && jump.steps.isEmpty());
    QCOMPARE(jump.findings.first().code, u"not-rollable"_s);
    QCOMPARE(kube::valueAt(statefulSet(), u"status.updateRevision"_s).toString(), revision);
}

QTEST_GUILESS_MAIN(TestConfigure)
#include "tst_configure.moc"
