// The journaled executor against the in-process sandbox: a 3-dnode HA cluster with a replica-3
// database is scaled out to 5 and safely back in to 3 by hand-written plans, and what the cluster
// holds afterwards (pods, dnodes, claims, rows) is read back as a DBA would check it.
#include "deploy/deploymonitor.h"
#include "kube/objects.h"
#include "kube/portforward.h"
#include "ops/clusterrecord.h"
#include "ops/executor.h"
#include "ops/facts.h"
#include "ops/journal.h"
#include "ops/lease.h"
#include "ops/planner.h"
#include "sandboxfixture.h"
#include "sandboxruntime.h"
#include "taos/clusterconnection.h"
#include "taos/passwordstore.h"
#include "taos/restclient.h"
#include "taos/snapshotpoller.h"
#include "tdengine/cluster.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSettings>
#include <QStandardPaths>
#include <QSysInfo>

#include <algorithm>
#include <functional>
#include <memory>
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
const QString kNs = u"ops"_s;
const QString kSet = u"tdengine"_s;
constexpr qint64 kRows = 4 * 5 + 3; // 4 child tables of 5 rows, a normal table of 3

// What a run showed, as the progress view would have shown it.
struct Recording
{
    QList<int> started;
    QList<std::pair<int, bool>> ended;
    QStringList stepMessages;
    QStringList progress;
    QStringList log;
    std::optional<bool> ok;
    QString message;

    void follow(Executor *executor)
    {
        QObject::connect(executor, &Executor::stepStarted, executor,
                         [this](int index) { started.append(index); });
        QObject::connect(executor, &Executor::stepFinished, executor,
                         [this](int index, bool success, const QString &text) {
                             ended.append({index, success});
                             stepMessages.append(text);
                         });
        QObject::connect(executor, &Executor::stepProgress, executor,
                         [this](int, const QString &text) { progress.append(text); });
        QObject::connect(executor, &Executor::logLine, executor,
                         [this](const QString &line) { log.append(line); });
        QObject::connect(executor, &Executor::finished, executor, [this](bool success, const QString &text) {
            QVERIFY2(!ok.has_value(), "finished() came twice");
            ok = success;
            message = text;
        });
    }
    bool waitForFinish()
    {
        return QTest::qWaitFor([this] { return ok.has_value(); }, kRunMs);
    }
    QString story() const { return message + u"\n"_s + log.join(u'\n'); }
};

// While it lives, taosAdapter's answers to statements containing `matching` keep only their first
// `keepRows` rows and still say code 0 (the sandbox's cutShortResults fault; FACTS.md section 5).
class CutShort
{
public:
    CutShort(kube::KubeClient *client, const QString &matching, int keepRows)
        : m_client(client)
    {
        m_ok =
            control(client, u"faults"_s,
                    {{u"cutShortResults"_s, 1000000}, {u"keepRows"_s, keepRows}, {u"matching"_s, matching}})
                .ok();
    }
    ~CutShort() { control(m_client, u"faults"_s, {{u"cutShortResults"_s, 0}}); }
    bool ok() const { return m_ok; }

private:
    Q_DISABLE_COPY_MOVE(CutShort)
    kube::KubeClient *m_client;
    bool m_ok = false;
};

Step step(Step::Kind kind, const QString &title)
{
    Step s;
    s.kind = kind;
    s.title = title;
    return s;
}

// The child process of the crash tests: runs one operation on the parent's sandbox and exits with
// the executor's verdict, unless TDKUBE_TEST_CRASH_AT kills it first (exit code 86).
constexpr char kChildVariable[] = "TDKUBE_TEST_EXECUTOR_CHILD";

int runChild(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QFile file(qEnvironmentVariable(kChildVariable));
    if (!file.open(QIODevice::ReadOnly))
        return 2;
    const QJsonObject job = QJsonDocument::fromJson(file.readAll()).object();
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, job.value(u"settings").toString());
    kube::ConnectionSettings settings;
    settings.contextName = job.value(u"context").toString();
    settings.clusterName = settings.contextName;
    settings.userName = u"sandbox-admin"_s;
    settings.server = QUrl(job.value(u"server").toString());
    settings.certificateAuthorityPem = job.value(u"ca").toString().toUtf8();
    settings.certificateAuthorityOrigin = u"the parent test"_s;
    settings.clientCertificatePem = job.value(u"certificate").toString().toUtf8();
    settings.clientKeyPem = job.value(u"key").toString().toUtf8();
    kube::KubeClient client(settings);
    taos::PasswordStore passwords;
    passwords.setKeychainEnabled(false);
    Executor executor(&client, &passwords);
    executor.setPollInterval(50);
    QObject::connect(&executor, &Executor::finished, &app,
                     [](bool ok) { QCoreApplication::exit(ok ? 0 : 1); });
    executor.start(Plan::fromJson(job.value(u"plan").toObject()));
    return app.exec();
}

} // namespace

class TestExecutor final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void scaleOut_3to5_fivePodsAndDnodesReadyRowsUnchanged();
    void scaleOut_apiServerFailsForAWhile_stepAsksAgainAndFinishes();
    void deleteClaimsBeforeDropDnode_refusedAtThatStep_nothingDeleted();
    void scaleIn_5to3_threeDnodesClaimsGoneRowsUnchanged();
    void noRightToWriteConfigMaps_operationRunsToTheEnd_toldOnceOthersWillNotSee();
    void clusterRecord_historyKeptToTheLimit_unfinishedNeverTrimmed();
    void scaleIn_pollsNeverDue_everyWaitEndsWhenTheClusterIsDone();
    void scaleIn_dnodesCutShort_noDropDoneNothingScaledIn_data();
    void scaleIn_dnodesCutShort_noDropDoneNothingScaledIn();
    void deleteClaims_dnodesCutShort_claimOfALiveDnodeKept();
    void rowCount_cutShort_anErrorNotZero();
    void scaleIn_aVgroupReplicaOffline_waitsNothingScaledIn();
    void dropDnode_errorWhileItGoesOn_stepWaitsForTheDrop();
    void balance_longerThanTheStepTimeout_waitedWhileVnodesMove();
    void resume_afterExecutorDestroyedAtStepStart_endsInSameState_data();
    void resume_afterExecutorDestroyedAtStepStart_endsInSameState();
    void cancel_duringStep_stopsAtNextStepSaysSo();
    void leaseHeldByAnother_refusesToStart_runsNothing();
    void resume_journalOfAnotherContext_refusedNamingBoth();
    void crashAtBoundary_processKilled_resumeEndsInSameState_data();
    void crashAtBoundary_processKilled_resumeEndsInSameState();
    void plannedScaleOut_oneMnode_mnodesCreatedOnNewDnodesFoundByEndpoint();

private:
    std::unique_ptr<Executor> executor();
    Plan scaleOutPlan() const;
    Plan scaleInPlan();
    taos::QueryOutcome sql(const QString &statement);
    QList<taos::Dnode> dnodes();
    int dnodeOfPod(const QString &pod);
    qint64 rowTotal();
    QStringList podNames();
    bool claimExists(const QString &claim);
    QString volumeOf(const QString &claim);
    QJsonObject volume(const QString &name);
    void runToEnd(const Plan &plan, const std::function<void(Executor *)> &tune = {});
    void verifyScaledIn();
    // The ConfigMap that records operation `id` in the cluster; empty when there is none.
    QJsonObject record(const QString &id);
    // Until the cluster's record of `journal` holds the same steps, status and phase (kWaitMs at most).
    void checkRecordMatches(const Journal &journal, const QString &phase, bool waited = true);
    bool scaleTo(int replicas);
    // Until exactly `count` dnodes are all ready (kRunMs at most).
    bool waitForReadyDnodes(int count);

    SandboxFixture m_fixture;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
};

void TestExecutor::initTestCase()
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

    // 3 dnodes with mnodes on all three, as the deploy wizard leaves a cluster.
    QVERIFY(createNamespace(m_client.get(), kNs));
    QString error;
    QVERIFY2(applyManifests(m_client.get(), kNs, &error), qPrintable(error));
    deploy::DeployTarget target{m_fixture.admin().contextName, kNs, kSet, 3, true};
    deploy::DeployMonitor monitor(m_client.get(), m_passwords.get(), target);
    monitor.setPollInterval(50);
    std::optional<bool> deployed;
    QString deployMessage;
    connect(&monitor, &deploy::DeployMonitor::finished, this, [&](bool ok, const QString &message) {
        deployed = ok;
        deployMessage = message;
    });
    monitor.start();
    QVERIFY(QTest::qWaitFor([&] { return deployed.has_value(); }, kRunMs));
    QVERIFY2(*deployed, qPrintable(deployMessage));

    for (const QString &statement : {u"create database r3 replica 3 vgroups 4"_s,
                                     u"create stable r3.meters (ts timestamp, v int) tags (loc int)"_s,
                                     u"create table r3.plain (ts timestamp, v int)"_s,
                                     u"insert into r3.plain values (now, 1) (now+1s, 2) (now+2s, 3)"_s}) {
        const taos::QueryOutcome outcome = sql(statement);
        QVERIFY2(outcome.ok(), qPrintable(statement + u": "_s + outcome.error.describe()));
    }
    for (int t = 0; t < 4; ++t) {
        const QString statement = u"insert into r3.d%1 using r3.meters tags (%1) values (now, 1) (now+1s, 2) "
                                  u"(now+2s, 3) (now+3s, 4) (now+4s, 5)"_s.arg(t);
        const taos::QueryOutcome outcome = sql(statement);
        QVERIFY2(outcome.ok(), qPrintable(statement + u": "_s + outcome.error.describe()));
    }
    QCOMPARE(rowTotal(), kRows);
}

void TestExecutor::init()
{
    // Each test starts with no operation to resume (the journals of earlier tests are finished).
    for (Journal journal : Journal::unfinished())
        QVERIFY(journal.abandon());
}

std::unique_ptr<Executor> TestExecutor::executor()
{
    auto result = std::make_unique<Executor>(m_client.get(), m_passwords.get());
    result->setPollInterval(50);
    result->setStepTimeout(kRunMs / 2);
    return result;
}

Plan TestExecutor::scaleOutPlan() const
{
    Plan plan;
    plan.kind = ops::OperationKind::ScaleOut;
    plan.context = m_fixture.admin().contextName;
    plan.ns = kNs;
    plan.statefulSet = kSet;
    plan.fromReplicas = 3;
    plan.toReplicas = 5;
    plan.steps.append(step(Step::Kind::ScaleStatefulSet, u"scale tdengine to 5 replicas"_s));
    plan.steps.last().replicas = 5;
    plan.steps.append(step(Step::Kind::WaitPodsReady, u"wait for 5 pods Ready"_s));
    plan.steps.last().replicas = 5;
    plan.steps.append(step(Step::Kind::WaitDnodesReady, u"wait for 5 dnodes ready"_s));
    plan.steps.last().replicas = 5;
    plan.steps.append(step(Step::Kind::BalanceVgroup, u"balance vgroup"_s));
    plan.steps.append(step(Step::Kind::Verify, u"verify"_s));
    return plan;
}

// 5 -> 3 by hand, from the dnodes the cluster has now (their ids change with every scale-out).
Plan TestExecutor::scaleInPlan()
{
    Plan plan;
    plan.kind = ops::OperationKind::ScaleIn;
    plan.context = m_fixture.admin().contextName;
    plan.ns = kNs;
    plan.statefulSet = kSet;
    plan.fromReplicas = 5;
    plan.toReplicas = 3;
    for (const int ordinal : {4, 3}) {
        const QString pod = kSet + u'-' + QString::number(ordinal);
        const int id = dnodeOfPod(pod);
        plan.steps.append(step(Step::Kind::DropDnode, u"drop dnode %1 (pod %2)"_s.arg(id).arg(pod)));
        plan.steps.last().dnodeId = id;
    }
    plan.steps.append(step(Step::Kind::ScaleStatefulSet, u"scale tdengine to 3 replicas"_s));
    plan.steps.last().replicas = 3;
    plan.steps.append(step(Step::Kind::WaitPodsGone, u"wait for pods tdengine-4 and tdengine-3 to go"_s));
    plan.steps.last().pods = {u"tdengine-4"_s, u"tdengine-3"_s};
    plan.steps.append(step(Step::Kind::DeleteClaims, u"delete claims of tdengine-4 and tdengine-3"_s));
    plan.steps.last().claims = {u"taosdata-tdengine-4"_s, u"taosdata-tdengine-3"_s};
    plan.steps.append(step(Step::Kind::Verify, u"verify"_s));
    return plan;
}

// One statement through a port-forward and REST client of the test's own, not the executor's.
taos::QueryOutcome TestExecutor::sql(const QString &statement)
{
    return sqlThroughForward(m_client.get(), kNs, kSet, statement);
}

QList<taos::Dnode> TestExecutor::dnodes()
{
    const taos::QueryOutcome outcome = sql(u"select * from information_schema.ins_dnodes"_s);
    return outcome.ok() ? taos::dnodesFrom(outcome.result) : QList<taos::Dnode>{};
}

int TestExecutor::dnodeOfPod(const QString &pod)
{
    for (const taos::Dnode &dnode : dnodes()) {
        if (taos::podOfEndpoint(dnode.endpoint) == pod)
            return dnode.id;
    }
    return 0;
}

qint64 TestExecutor::rowTotal()
{
    qint64 total = 0;
    for (const QString &table : {u"r3.meters"_s, u"r3.plain"_s}) {
        const taos::QueryOutcome outcome = sql(u"select count(*) from "_s + table);
        if (!outcome.ok() || outcome.result.rowCount() != 1)
            return -1;
        total += outcome.result.int64(0, 0);
    }
    return total;
}

QStringList TestExecutor::podNames()
{
    const kube::KubeResponse response = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->list(kube::ResourceKind::pods(), kNs, {}, context, done);
    });
    QStringList names;
    for (const QJsonValue &pod : response.json().value(u"items").toArray())
        names.append(kube::nameOf(pod.toObject()));
    names.sort();
    return names;
}

bool TestExecutor::claimExists(const QString &claim)
{
    return await([&](QObject *context, kube::KubeClient::Done done) {
               m_client->get(kube::ResourceKind::persistentVolumeClaims(), kNs, claim, context, done);
           }).httpStatus == 200;
}

QString TestExecutor::volumeOf(const QString &claim)
{
    const kube::KubeResponse response = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->get(kube::ResourceKind::persistentVolumeClaims(), kNs, claim, context, done);
    });
    return kube::valueAt(response.json(), u"spec.volumeName"_s).toString();
}

QJsonObject TestExecutor::volume(const QString &name)
{
    const kube::KubeResponse response = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->get(kube::ResourceKind::persistentVolumes(), {}, name, context, done);
    });
    return response.httpStatus == 200 ? response.json() : QJsonObject{};
}

void TestExecutor::runToEnd(const Plan &plan, const std::function<void(Executor *)> &tune)
{
    auto run = executor();
    if (tune)
        tune(run.get());
    Recording seen;
    seen.follow(run.get());
    run->start(plan);
    QVERIFY(seen.waitForFinish());
    QVERIFY2(*seen.ok, qPrintable(seen.story()));
    QCOMPARE(seen.started.size(), plan.steps.size());
    QCOMPARE(Journal::load(run->journal().path()).status(), Journal::Status::Finished);
}

bool TestExecutor::waitForReadyDnodes(int count)
{
    return QTest::qWaitFor(
        [this, count] {
            const QList<taos::Dnode> now = dnodes();
            return now.size() == count && std::all_of(now.begin(), now.end(), [](const taos::Dnode &d) {
                       return d.status == u"ready";
                   });
        },
        kRunMs);
}

void TestExecutor::verifyScaledIn()
{
    QCOMPARE(podNames(), (QStringList{u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}));
    const QList<taos::Dnode> now = dnodes();
    QCOMPARE(now.size(), 3);
    for (const taos::Dnode &dnode : now)
        QCOMPARE(dnode.status, u"ready"_s);
    QVERIFY(!claimExists(u"taosdata-tdengine-4"_s));
    QVERIFY(!claimExists(u"taosdata-tdengine-3"_s));
    QVERIFY(claimExists(u"taosdata-tdengine-2"_s));
    QCOMPARE(rowTotal(), kRows);
    QVERIFY(Journal::unfinished().isEmpty());
}

QJsonObject TestExecutor::record(const QString &id)
{
    const kube::KubeResponse response = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->get(kube::ResourceKind::configMaps(), kNs, ops::recordName(id), context, done);
    });
    return response.httpStatus == 200 ? response.json() : QJsonObject{};
}

// The record is written after the journal, without the executor waiting: `waited` gives it time to catch
// up; otherwise it must match at once (after a crash, which lets it catch up first).
void TestExecutor::checkRecordMatches(const Journal &journal, const QString &phase, bool waited)
{
    const auto recorded = [&] { return ops::RecordedOperation::fromConfigMap(record(journal.id())); };
    const auto matches = [&] {
        const ops::RecordedOperation now = recorded();
        return now.phase == phase && now.journal.toJson() == journal.toJson();
    };
    if (waited && !QTest::qWaitFor(matches, kWaitMs))
        qWarning("the record did not catch up with the journal within %d ms", kWaitMs);
    const QJsonObject configMap = record(journal.id());
    const ops::RecordedOperation operation = recorded();
    QVERIFY2(operation.isValid(), QJsonDocument(configMap).toJson().constData());
    QCOMPARE(operation.phase, phase);
    QCOMPARE(operation.journal.steps(), journal.steps());
    QCOMPARE(operation.journal.status(), journal.status());
    QCOMPARE(operation.journal.toJson(), journal.toJson());
    QCOMPARE(operation.startedBy, u"sandbox-admin@"_s + QSysInfo::machineHostName());
    const QJsonObject labels = kube::valueAt(configMap, u"metadata.labels"_s).toObject();
    QCOMPARE(labels.value(u"app.kubernetes.io/managed-by"_s).toString(), u"tdkube"_s);
    QCOMPARE(labels.value(u"tdkube.io/cluster"_s).toString(), kSet);
    QCOMPARE(labels.value(u"tdkube.io/operation"_s).toString(), ops::operationName(journal.plan().kind));
    QCOMPARE(labels.value(u"tdkube.io/phase"_s).toString(), phase);
    // Owned by the StatefulSet: deleting the cluster deletes its records.
    const kube::KubeResponse set = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->get(kube::ResourceKind::statefulSets(), kNs, kSet, context, done);
    });
    const QJsonArray owners = kube::valueAt(configMap, u"metadata.ownerReferences"_s).toArray();
    QCOMPARE(owners.size(), 1);
    QCOMPARE(owners.first().toObject().value(u"kind"_s).toString(), u"StatefulSet"_s);
    QCOMPARE(owners.first().toObject().value(u"name"_s).toString(), kSet);
    QCOMPARE(owners.first().toObject().value(u"uid"_s).toString(), kube::uidOf(set.json()));
    // No secret: neither TDengine's login (root:taosdata, also as Basic auth sends it; "taosdata" alone
    // is the claims' name too), nor a token or key.
    const QByteArray body = QJsonDocument(configMap).toJson();
    for (const QByteArray &secret :
         {QByteArray("root:taosdata"), QByteArray("cm9vdDp0YW9zZGF0YQ"), m_fixture.viewerToken().toUtf8(),
          m_fixture.execToken().toUtf8(), m_fixture.adminKeyPem().mid(40, 40)})
        QVERIFY2(!body.contains(secret), body.constData());
}

void TestExecutor::scaleOut_3to5_fivePodsAndDnodesReadyRowsUnchanged()
{
    const Plan plan = scaleOutPlan();
    auto run = executor();
    Recording seen;
    seen.follow(run.get());
    run->start(plan);
    QVERIFY(seen.waitForFinish());

    QVERIFY2(*seen.ok, qPrintable(seen.story()));
    QCOMPARE(seen.started, (QList<int>{0, 1, 2, 3, 4}));
    QVERIFY2(seen.stepMessages.last().contains(u"23 rows in 2 table(s), as before"_s),
             qPrintable(seen.stepMessages.join(u'\n')));
    QCOMPARE(podNames().size(), 5);
    const QList<taos::Dnode> now = dnodes();
    QCOMPARE(now.size(), 5);
    for (const taos::Dnode &dnode : now)
        QCOMPARE(dnode.status, u"ready"_s);
    QCOMPARE(rowTotal(), kRows);

    const Journal journal = Journal::load(run->journal().path());
    QCOMPARE(journal.status(), Journal::Status::Finished);
    QCOMPARE(journal.rowCounts().value(u"r3.meters"_s), 20);
    QCOMPARE(journal.rowCounts().value(u"r3.plain"_s), 3);
    for (const Journal::StepRecord &record : journal.steps())
        QCOMPARE(record.state, Journal::StepState::Done);
    QVERIFY(Journal::unfinished().isEmpty());
    // The lease is gone with the operation.
    const kube::KubeResponse set = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->get(kube::ResourceKind::statefulSets(), kNs, kSet, context, done);
    });
    QVERIFY(
        !kube::valueAt(set.json(), u"metadata.annotations"_s).toObject().contains(ops::Lease::kAnnotation));
    // No secret in the journal.
    QFile file(journal.path());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains("cm9vdDp0YW9zZGF0YQ"));
    // Other workstations see it in the cluster: every step done, finished.
    checkRecordMatches(journal, u"finished"_s);
}

// An API server that answers 503 for longer than KubeClient's own retries (a restart, a load balancer
// failing over) as the StatefulSet is scaled: the step asks again at its next looks, says so once in the
// log, and the operation finishes. Before, the step ended with "Could not read the StatefulSet".
void TestExecutor::scaleOut_apiServerFailsForAWhile_stepAsksAgainAndFinishes()
{
    const Plan plan = scaleOutPlan();
    QCOMPARE(plan.steps.first().kind, Step::Kind::ScaleStatefulSet);
    auto run = executor();
    Recording seen;
    seen.follow(run.get());
    bool injected = false;
    connect(run.get(), &Executor::stepStarted, this, [this, &injected](int index) {
        // Before the step's first request: 12 failures outlast KubeClient's 4 tries of one request.
        if (index == 0)
            injected =
                control(m_client.get(), u"faults"_s, {{u"failRequests"_s, 12}, {u"failCode"_s, 503}}).ok();
    });
    run->start(plan);
    QVERIFY(seen.waitForFinish());
    control(m_client.get(), u"faults"_s, {{u"failRequests"_s, 0}});
    QVERIFY(injected);
    QVERIFY2(*seen.ok, qPrintable(seen.story()));
    const QStringList said = seen.log.filter(u"The API server failed"_s);
    QVERIFY2(!said.isEmpty() && said.first().contains(u"503"_s), qPrintable(seen.story()));
    QCOMPARE(podNames().size(), 5);
    QCOMPARE(rowTotal(), kRows);
}

void TestExecutor::deleteClaimsBeforeDropDnode_refusedAtThatStep_nothingDeleted()
{
    const Plan good = scaleInPlan();
    Plan plan = good;
    plan.steps.move(4, 0); // DeleteClaims first: the planner's mistake the executor must catch
    auto run = executor();
    Recording seen;
    seen.follow(run.get());
    run->start(plan);
    QVERIFY(seen.waitForFinish());

    QVERIFY(!*seen.ok);
    QCOMPARE(seen.started, QList<int>{0});
    QCOMPARE(seen.ended, (QList<std::pair<int, bool>>{{0, false}}));
    QVERIFY2(seen.stepMessages.at(0).contains(u"Refused to delete claim taosdata-tdengine-4"_s) &&
                 seen.stepMessages.at(0).contains(u"No claim was deleted."_s),
             qPrintable(seen.stepMessages.at(0)));
    QVERIFY2(seen.message.contains(u"Nothing after it was run"_s), qPrintable(seen.message));
    QVERIFY(claimExists(u"taosdata-tdengine-4"_s));
    QVERIFY(claimExists(u"taosdata-tdengine-3"_s));
    QCOMPARE(dnodes().size(), 5);
    QCOMPARE(podNames().size(), 5);

    const QList<Journal> unfinished = Journal::unfinished();
    QCOMPARE(unfinished.size(), 1);
    QVERIFY2(unfinished.at(0).whereStopped().startsWith(
                 u"failed at step 1 of 6: delete claims of tdengine-4 and tdengine-3: Refused"_s),
             qPrintable(unfinished.at(0).whereStopped()));
}

void TestExecutor::scaleIn_5to3_threeDnodesClaimsGoneRowsUnchanged()
{
    const Plan plan = scaleInPlan();
    // The leaving dnodes hold vnodes (balance vgroup put them there): dropping them moves data.
    const taos::QueryOutcome vgroups = sql(u"select * from information_schema.ins_vgroups"_s);
    QVERIFY2(vgroups.ok(), qPrintable(vgroups.error.describe()));
    const auto perDnode = taos::vnodesPerDnode(taos::vgroupsFrom(vgroups.result));
    QVERIFY(perDnode.value(plan.steps.at(0).dnodeId).total() +
                perDnode.value(plan.steps.at(1).dnodeId).total() >
            0);

    // One volume kept (Retain), one with the default (Delete): the step says which is which.
    const QString kept = volumeOf(u"taosdata-tdengine-3"_s);
    const QString destroyed = volumeOf(u"taosdata-tdengine-4"_s);
    QVERIFY(!kept.isEmpty() && !destroyed.isEmpty());
    QCOMPARE(kube::valueAt(volume(destroyed), u"spec.persistentVolumeReclaimPolicy"_s).toString(),
             u"Delete"_s);
    const kube::KubeResponse retained = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->patch(kube::ResourceKind::persistentVolumes(), {}, kept,
                        R"({"spec":{"persistentVolumeReclaimPolicy":"Retain"}})",
                        "application/merge-patch+json", context, done);
    });
    QVERIFY2(retained.ok(), qPrintable(retained.error));

    auto run = executor();
    Recording seen;
    seen.follow(run.get());
    run->start(plan);
    QVERIFY(seen.waitForFinish());

    QVERIFY2(*seen.ok, qPrintable(seen.story()));
    QCOMPARE(seen.started, (QList<int>{0, 1, 2, 3, 4, 5}));
    QVERIFY2(
        !seen.progress
             .filter(u"claim taosdata-tdengine-4 to be deleted: its volume %1 has reclaim policy Delete: "
                     "the volume and its data are destroyed"_s.arg(destroyed))
             .isEmpty(),
        qPrintable(seen.progress.join(u'\n')));
    QVERIFY2(!seen.log
                  .filter(u"Deleting claim taosdata-tdengine-3: its volume %1 has reclaim policy Retain: the "
                          "volume stays, Released, with the data"_s.arg(kept))
                  .isEmpty(),
             qPrintable(seen.story()));
    QVERIFY(volume(destroyed).isEmpty());
    QCOMPARE(kube::valueAt(volume(kept), u"status.phase"_s).toString(), u"Released"_s);
    QVERIFY2(!seen.progress.filter(u"vnodes left on dnode"_s).isEmpty(),
             qPrintable(seen.progress.join(u'\n')));
    // The drop's progress names its transaction, read from performance_schema.perf_trans.
    QVERIFY2(!seen.progress.filter(u"(drop-dnode, stage redoAction"_s).isEmpty(),
             qPrintable(seen.progress.join(u'\n')));
    QVERIFY2(!seen.log.filter(u"SQL> drop dnode %1"_s.arg(plan.steps.at(0).dnodeId)).isEmpty(),
             qPrintable(seen.story()));
    verifyScaledIn();
}

// Polls are only the fallback: with none due before the step timeout, every wait still ends, because
// it looks again when what it waits for happens (the connection up, `drop dnode` answered, pods gone).
// A user who may do everything an operation does but not write ConfigMaps (the sandbox's
// sandbox-operator) scales out: the operation runs to its end on the local journal alone, the log says
// once that other workstations will not see it, with the API server's words, and the cluster holds no
// record of it. The admin then scales back in.
void TestExecutor::noRightToWriteConfigMaps_operationRunsToTheEnd_toldOnceOthersWillNotSee()
{
    kube::KubeClient operatorClient(m_fixture.operatorUser());
    Executor run(&operatorClient, m_passwords.get());
    run.setPollInterval(50);
    run.setStepTimeout(kRunMs / 2);
    Plan plan = scaleOutPlan();
    plan.context = m_fixture.operatorUser().contextName;
    Recording seen;
    seen.follow(&run);
    run.start(plan);
    QVERIFY(seen.waitForFinish());
    QVERIFY2(*seen.ok, qPrintable(seen.story()));
    QCOMPARE(podNames().size(), 5);
    QCOMPARE(Journal::load(run.journal().path()).status(), Journal::Status::Finished);

    const QStringList told = seen.log.filter(u"Other workstations will not see this operation"_s);
    QVERIFY2(told.size() == 1, qPrintable(seen.story()));
    QVERIFY2(told.first().contains(u"Forbidden: configmaps is forbidden: User \"sandbox-operator\" cannot "
                                   u"create resource \"configmaps\" in API group \"\" in the namespace "
                                   u"\"ops\""_s) &&
                 told.first().contains(ops::recordName(run.journal().id())),
             qPrintable(told.first()));
    QVERIFY(record(run.journal().id()).isEmpty());

    runToEnd(scaleInPlan());
    verifyScaledIn();
}

// Ended operations stay in the cluster as history, the newest ClusterRecord::historyLimit() of the
// cluster: ending one trims the older ones. A running or stopped one is never trimmed, however old.
void TestExecutor::clusterRecord_historyKeptToTheLimit_unfinishedNeverTrimmed()
{
    const int limitBefore = ops::ClusterRecord::historyLimit();
    ops::ClusterRecord::setHistoryLimit(2);
    const auto restore = qScopeGuard([limitBefore] { ops::ClusterRecord::setHistoryLimit(limitBefore); });
    QCOMPARE(ops::ClusterRecord::historyLimit(), 2);

    // Earlier tests' records of this cluster go first: this one counts its own.
    kube::ListOptions options;
    options.labelSelector = ops::ClusterRecord::selector(kSet);
    const auto records = [&] {
        const kube::KubeResponse listed = await([&](QObject *context, kube::KubeClient::Done done) {
            m_client->list(kube::ResourceKind::configMaps(), kNs, options, context, done);
        });
        QStringList names;
        for (const QJsonValue &item : listed.json().value(u"items").toArray())
            names.append(kube::nameOf(item.toObject()));
        names.sort();
        return names;
    };
    for (const QString &name : records()) {
        QVERIFY(await([&](QObject *context, kube::KubeClient::Done done) {
                    m_client->remove(kube::ResourceKind::configMaps(), kNs, name, {}, context, done);
                }).ok());
    }

    // Journals of five days, oldest first: day 1 stopped half-way, days 2 to 5 finished.
    ops::ClusterRecord writer(m_client.get());
    QStringList ids;
    for (int day = 1; day <= 5; ++day) {
        QJsonObject json = Journal::fromJson({}).toJson();
        json.insert(u"id"_s, u"2026010%1T000000Z-0000000%1"_s.arg(day));
        json.insert(u"created"_s, u"2026-01-0%1T00:00:00.000Z"_s.arg(day));
        json.insert(u"status"_s, day == 1 ? u"running"_s : u"finished"_s);
        json.insert(u"plan"_s, scaleOutPlan().toJson());
        const Journal journal = Journal::fromJson(json);
        QVERIFY(journal.isValid());
        ids.append(journal.id());
        writer.save(journal);
        QVERIFY(QTest::qWaitFor([&] { return writer.isIdle(); }, kWaitMs));
    }
    QCOMPARE(records(), (QStringList{ops::recordName(ids.at(0)), ops::recordName(ids.at(3)),
                                     ops::recordName(ids.at(4))}));
    // Who wrote it last is recorded (here: who started it).
    const ops::RecordedOperation last = ops::RecordedOperation::fromConfigMap(record(ids.at(4)));
    QCOMPARE(last.runBy, u"sandbox-admin@"_s + QSysInfo::machineHostName());
    QCOMPARE(last.phase, u"finished"_s);
}

void TestExecutor::scaleIn_pollsNeverDue_everyWaitEndsWhenTheClusterIsDone()
{
    runToEnd(scaleOutPlan());
    if (QTest::currentTestFailed())
        return;
    runToEnd(scaleInPlan(), [](Executor *run) {
        run->setStepTimeout(30000);
        run->setPollInterval(kRunMs);
    });
    if (QTest::currentTestFailed())
        return;
    verifyScaledIn();
}

bool TestExecutor::scaleTo(int replicas)
{
    return await([&](QObject *context, kube::KubeClient::Done done) {
               m_client->scale(kNs, kSet, replicas, context, done);
           })
        .ok();
}

void TestExecutor::scaleIn_dnodesCutShort_noDropDoneNothingScaledIn_data()
{
    QTest::addColumn<int>("keepRows");
    QTest::addColumn<QString>("said");
    QTest::newRow("ins_dnodes without rows") << 0 << u"ins_dnodes answered without rows"_s;
    // The leaving dnode has the highest id: the last row, the one a cut-short answer loses.
    QTest::newRow("ins_dnodes without the leaving dnode")
        << 4 << u"ins_dnodes answered 4 rows where count(*) says 5"_s;
}

// An answer cut short (code 0, fewer rows) never makes a dnode "gone": the drop is not marked done,
// nothing after it runs, and once the answers are whole again a resume finishes the scale-in.
void TestExecutor::scaleIn_dnodesCutShort_noDropDoneNothingScaledIn()
{
    QFETCH(int, keepRows);
    QFETCH(QString, said);
    runToEnd(scaleOutPlan());
    if (QTest::currentTestFailed())
        return;
    const Plan plan = scaleInPlan();
    const int leaving = plan.steps.at(0).dnodeId;
    Recording seen;
    {
        CutShort cut(m_client.get(), u"select * from information_schema.ins_dnodes"_s, keepRows);
        QVERIFY(cut.ok());
        auto run = executor();
        run->setStepTimeout(3000);
        seen.follow(run.get());
        run->start(plan);
        QVERIFY(seen.waitForFinish());
    }
    QVERIFY(!*seen.ok);
    QCOMPARE(seen.ended, (QList<std::pair<int, bool>>{{0, false}}));
    QVERIFY2(seen.stepMessages.at(0).contains(u"a complete answer from TDengine: "_s + said),
             qPrintable(seen.story()));
    QVERIFY2(seen.log.filter(u"SQL> drop dnode"_s).isEmpty(), qPrintable(seen.story()));
    QCOMPARE(podNames().size(), 5);
    QVERIFY(claimExists(u"taosdata-tdengine-4"_s));
    const QList<taos::Dnode> now = dnodes();
    QCOMPARE(now.size(), 5);
    QCOMPARE(now.last().id, leaving);
    QCOMPARE(now.last().status, u"ready"_s);

    const QList<Journal> unfinished = Journal::unfinished();
    QCOMPARE(unfinished.size(), 1);
    auto second = executor();
    Recording after;
    after.follow(second.get());
    second->resume(unfinished.at(0));
    QVERIFY(after.waitForFinish());
    QVERIFY2(*after.ok, qPrintable(after.story()));
    verifyScaledIn();
}

// A claim is deleted only when its dnode is gone by a complete read: here tdengine-4 was scaled away by
// hand without `drop dnode`, its dnode is still in the cluster (offline) and its claim holds the only
// copy of its vnodes; an ins_dnodes cut short before that dnode's row must not let the claim go.
void TestExecutor::deleteClaims_dnodesCutShort_claimOfALiveDnodeKept()
{
    runToEnd(scaleOutPlan());
    if (QTest::currentTestFailed())
        return;
    QVERIFY(scaleTo(4));
    QVERIFY(QTest::qWaitFor([this] { return podNames().size() == 4; }, kRunMs));

    Plan plan = scaleInPlan();
    plan.fromReplicas = 5;
    plan.toReplicas = 4;
    plan.steps = {step(Step::Kind::DeleteClaims, u"delete claim of tdengine-4"_s)};
    plan.steps.last().claims = {u"taosdata-tdengine-4"_s};
    Recording seen;
    {
        CutShort cut(m_client.get(), u"select * from information_schema.ins_dnodes"_s, 4);
        QVERIFY(cut.ok());
        auto run = executor();
        run->setStepTimeout(3000);
        seen.follow(run.get());
        run->start(plan);
        QVERIFY(seen.waitForFinish());
    }
    QVERIFY(!*seen.ok);
    QVERIFY2(seen.stepMessages.value(0).contains(u"a complete answer from TDengine"_s),
             qPrintable(seen.story()));
    QVERIFY(claimExists(u"taosdata-tdengine-4"_s));
    for (Journal journal : Journal::unfinished())
        QVERIFY(journal.abandon());

    // Back to 5 on the kept claim (the same dnode returns), then safely in to 3.
    QVERIFY(scaleTo(5));
    QVERIFY(waitForReadyDnodes(5));
    runToEnd(scaleInPlan());
    if (QTest::currentTestFailed())
        return;
    verifyScaledIn();
}

// A row count that comes back without its row is an error, not 0: a baseline of 0 would make any
// later count look like no loss.
void TestExecutor::rowCount_cutShort_anErrorNotZero()
{
    Plan plan = scaleOutPlan();
    plan.kind = ops::OperationKind::Repair;
    plan.toReplicas = 3;
    plan.steps = {step(Step::Kind::Verify, u"verify"_s)};
    Recording seen;
    {
        CutShort cut(m_client.get(), u"count(*) from r3.plain"_s, 0);
        QVERIFY(cut.ok());
        auto run = executor();
        run->setCountPatience(500);
        seen.follow(run.get());
        run->start(plan);
        QVERIFY(seen.waitForFinish());
    }
    QVERIFY(!*seen.ok);
    QVERIFY2(seen.message.contains(u"Could not count the rows of r3.plain: it answered without its row"_s),
             qPrintable(seen.story()));
    QVERIFY(seen.started.isEmpty());
    QVERIFY(Journal::unfinished().isEmpty());
}

// Before a StatefulSet is scaled in, every vgroup's replicas are leader or follower (FACTS.md section 4:
// a drop does not wait for the new replicas to catch up). Here the leaving pod's dnode is gone, but a
// staying dnode is offline (its node not Ready), so some vgroups run on fewer replicas: nothing is
// scaled in, and the step says which replicas it waits for.
void TestExecutor::scaleIn_aVgroupReplicaOffline_waitsNothingScaledIn()
{
    runToEnd(scaleOutPlan());
    if (QTest::currentTestFailed())
        return;
    const taos::QueryOutcome dropped = sql(u"drop dnode %1"_s.arg(dnodeOfPod(u"tdengine-4"_s)));
    QVERIFY2(dropped.ok(), qPrintable(dropped.error.describe()));
    // A node that runs exactly one of the mnodes' pods (0, 1, 2), not pod 0: the mnodes keep a quorum.
    QHash<QString, QStringList> podsOfNode;
    const kube::KubeResponse listed = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->list(kube::ResourceKind::pods(), kNs, {}, context, done);
    });
    for (const QJsonValue &item : listed.json().value(u"items").toArray()) {
        const QJsonObject pod = item.toObject();
        podsOfNode[kube::valueAt(pod, u"spec.nodeName"_s).toString()].append(kube::nameOf(pod));
    }
    QString node;
    QString lost;
    for (auto it = podsOfNode.cbegin(); it != podsOfNode.cend(); ++it) {
        const QStringList mnodePods = it.value().filter(QRegularExpression(u"^tdengine-[012]$"_s));
        if (mnodePods.size() == 1 && mnodePods.first() != u"tdengine-0") {
            node = it.key();
            lost = mnodePods.first();
        }
    }
    if (node.isEmpty())
        QSKIP("no node runs exactly one of tdengine-1 and tdengine-2 without another mnode's pod");
    QVERIFY(control(m_client.get(), u"nodes/%1/ready"_s.arg(node), {{u"ready"_s, false}}).ok());
    const int lostId = dnodeOfPod(lost);
    QVERIFY(QTest::qWaitFor(
        [&] {
            const QList<taos::Dnode> now = dnodes();
            return std::any_of(now.begin(), now.end(), [lostId](const taos::Dnode &d) {
                return d.id == lostId && d.status == u"offline";
            });
        },
        kRunMs));

    Plan plan = scaleInPlan();
    plan.fromReplicas = 5;
    plan.toReplicas = 4;
    plan.steps = {step(Step::Kind::ScaleStatefulSet, u"scale tdengine to 4 replicas"_s)};
    plan.steps.last().replicas = 4;
    auto run = executor();
    run->setStepTimeout(3000);
    Recording seen;
    seen.follow(run.get());
    run->start(plan);
    QVERIFY(seen.waitForFinish());
    const bool nodeBack = control(m_client.get(), u"nodes/%1/ready"_s.arg(node), {{u"ready"_s, true}}).ok();
    QVERIFY(!*seen.ok);
    QVERIFY2(seen.stepMessages.value(0).contains(
                 u"every vgroup's replicas to be leader or follower; not yet: vgroup "_s) &&
                 seen.stepMessages.value(0).contains(u"dnode %1 offline"_s.arg(lostId)),
             qPrintable(seen.story()));
    QCOMPARE(podNames().size(), 5);
    for (Journal journal : Journal::unfinished())
        QVERIFY(journal.abandon());

    // The node back, its dnode ready again: the scale-in goes on to 3 (tdengine-4's dnode is gone already).
    QVERIFY(nodeBack);
    QVERIFY(waitForReadyDnodes(4));
    runToEnd(scaleInPlan());
    if (QTest::currentTestFailed())
        return;
    verifyScaledIn();
}

// `drop dnode` can answer with an error while its transaction goes on (FACTS.md section 3): here the
// taosd of pods 1 to 3 stop right after the drop's transaction started, so no vnode of the leaving dnode
// can move (no quorum, or nowhere to go) and TDengine answers the drop with the last action's error. The
// step is not failed on that answer: once the taosds are back, the drop finishes and the step is done.
void TestExecutor::dropDnode_errorWhileItGoesOn_stepWaitsForTheDrop()
{
    runToEnd(scaleOutPlan());
    if (QTest::currentTestFailed())
        return;
    // More vnodes on every dnode, so that the drop still has moves to make once the taosds are offline.
    const taos::QueryOutcome created = sql(u"create database more replica 3 vgroups 8"_s);
    QVERIFY2(created.ok(), qPrintable(created.error.describe()));
    sandbox::tdengine::Cluster *cluster = m_fixture.sandbox()->runtime()->cluster(kNs, kSet);
    QVERIFY(cluster);
    const int leaving = dnodeOfPod(u"tdengine-4"_s);
    struct Taosd
    {
        QString endpoint;
        QString dataId; // the uid of the pod's claim: its data directory
        int supportVnodes = 0;
    };
    QList<Taosd> stopping;
    for (const taos::Dnode &dnode : dnodes()) {
        const QString pod = taos::podOfEndpoint(dnode.endpoint);
        const int ordinal = kube::podOrdinal(pod, kSet);
        if (ordinal < 1 || ordinal > 3)
            continue;
        const kube::KubeResponse claim = await([&](QObject *context, kube::KubeClient::Done done) {
            m_client->get(kube::ResourceKind::persistentVolumeClaims(), kNs, u"taosdata-"_s + pod, context,
                          done);
        });
        stopping.append(
            {dnode.endpoint, kube::valueAt(claim.json(), u"metadata.uid"_s).toString(), dnode.supportVnodes});
    }
    QCOMPARE(stopping.size(), 3);
    bool stopped = false;
    QObject watching; // the connection ends with this test, as the locals it uses do
    connect(cluster, &sandbox::tdengine::Cluster::logLine, &watching,
            [&](const QString &, const QString &text) {
                if (stopped || !text.contains(u"used to drop dnode:%1,"_s.arg(leaving)))
                    return;
                stopped = true;
                for (const Taosd &taosd : std::as_const(stopping))
                    cluster->dnodeStopped(taosd.endpoint);
            });

    Plan plan = scaleInPlan();
    plan.toReplicas = 4;
    plan.steps = {step(Step::Kind::DropDnode, u"drop dnode %1 (pod tdengine-4)"_s.arg(leaving))};
    plan.steps.last().dnodeId = leaving;
    auto run = executor();
    Recording seen;
    seen.follow(run.get());
    run->start(plan);
    QVERIFY(QTest::qWaitFor(
        [&seen, leaving] {
            return !seen.log.filter(u"SQL> drop dnode %1"_s.arg(leaving)).isEmpty() &&
                   !seen.log.filter(u"  → TDengine error"_s).isEmpty();
        },
        kRunMs));
    QVERIFY(stopped);
    QVERIFY2(!seen.ok.has_value(), qPrintable(seen.story()));
    for (const Taosd &taosd : std::as_const(stopping))
        QCOMPARE(cluster->dnodeStarted(taosd.endpoint, taosd.dataId, taosd.supportVnodes),
                 sandbox::tdengine::Cluster::Start::Joined);
    QVERIFY(seen.waitForFinish());
    QVERIFY2(*seen.ok, qPrintable(seen.story()));
    QVERIFY2(seen.stepMessages.value(0).startsWith(u"dnode %1 was dropped"_s.arg(leaving)),
             qPrintable(seen.story()));
    // The answer was logged with the transaction it left running and the way out, should it never end.
    const QStringList goesOn =
        seen.log.filter(u"drop-dnode transaction goes on in the background (transaction "_s);
    QVERIFY2(goesOn.size() == 1, qPrintable(seen.story()));
    for (const QString &part : {u"tdkube waits for it. TDengine retries it until what it needs is back"_s,
                                u"`kill transaction "_s, u"counts its remaining actions as done"_s})
        QVERIFY2(goesOn.first().contains(part), qPrintable(goesOn.first()));
    QCOMPARE(dnodes().size(), 4);
    const taos::QueryOutcome gone = sql(u"drop database more"_s);
    QVERIFY2(gone.ok(), qPrintable(gone.error.describe()));

    // Back to 3 the usual way (tdengine-4's dnode is gone already).
    runToEnd(scaleInPlan());
    if (QTest::currentTestFailed())
        return;
    verifyScaledIn();
}

// `balance vgroup` blocks until every vnode it moves has caught up, as long as the data takes. The step
// timeout measures time without progress, and each vnode moved is progress: a balance that takes far
// longer than the timeout ends as balanced, with the vnodes per dnode shown while it runs.
void TestExecutor::balance_longerThanTheStepTimeout_waitedWhileVnodesMove()
{
    // Every vnode slot of the 3 dnodes taken (16 each: r3's 12 vnodes and 36 of `wide`), then 3 -> 5
    // without the balance: balancing moves about 18 vnodes, one at a time (several seconds here).
    const taos::QueryOutcome created = sql(u"create database wide replica 3 vgroups 12"_s);
    QVERIFY2(created.ok(), qPrintable(created.error.describe()));
    Plan out = scaleOutPlan();
    out.steps.removeIf([](const Step &one) { return one.kind == Step::Kind::BalanceVgroup; });
    runToEnd(out);
    if (QTest::currentTestFailed())
        return;

    // Each move takes 200 ms (10 s before the time scale), the timeout 4 moves.
    sandbox::tdengine::Cluster *cluster = m_fixture.sandbox()->runtime()->cluster(kNs, kSet);
    QVERIFY(cluster);
    cluster->setVnodeMoveMs(10000);
    const auto restore =
        qScopeGuard([cluster] { cluster->setVnodeMoveMs(sandbox::tdengine::Cluster::kVnodeMoveMs); });
    Plan balance = scaleOutPlan();
    balance.fromReplicas = 5;
    balance.steps = {step(Step::Kind::BalanceVgroup, u"balance vgroup"_s)};
    constexpr int kTimeoutMs = 800;
    auto run = executor();
    Recording seen;
    seen.follow(run.get());
    QElapsedTimer clock; // the step's own time, and its timeout (not the connection's and the counts' before)
    Executor *running = run.get();
    connect(running, &Executor::stepStarted, running, [&clock, running] {
        clock.start();
        running->setStepTimeout(kTimeoutMs);
    });
    run->start(balance);
    QVERIFY(seen.waitForFinish());
    const qint64 took = clock.elapsed();
    QVERIFY2(*seen.ok, qPrintable(seen.story()));
    QCOMPARE(seen.stepMessages.value(0), u"The vgroups are balanced."_s);
    QVERIFY2(took > 2 * kTimeoutMs, qPrintable(u"the balance step took %1 ms"_s.arg(took)));
    QVERIFY2(!seen.progress.filter(u"`balance vgroup` to finish moving vnodes: transaction "_s).isEmpty(),
             qPrintable(seen.story()));
    QVERIFY2(seen.progress.filter(u"vnodes per dnode: dnode "_s).size() > 2, qPrintable(seen.story()));
    QList<int> vnodes;
    for (const taos::Dnode &dnode : dnodes())
        vnodes.append(dnode.vnodes);
    QCOMPARE(vnodes.size(), 5);
    QVERIFY2(*std::max_element(vnodes.begin(), vnodes.end()) -
                     *std::min_element(vnodes.begin(), vnodes.end()) <=
                 1,
             qPrintable(seen.story()));

    const taos::QueryOutcome gone = sql(u"drop database wide"_s);
    QVERIFY2(gone.ok(), qPrintable(gone.error.describe()));
    runToEnd(scaleInPlan());
    if (QTest::currentTestFailed())
        return;
    verifyScaledIn();
}

void TestExecutor::resume_afterExecutorDestroyedAtStepStart_endsInSameState_data()
{
    QTest::addColumn<int>("stopAt");
    QTest::newRow("during the second drop dnode") << 1;
    QTest::newRow("during delete claims") << 4;
}

void TestExecutor::resume_afterExecutorDestroyedAtStepStart_endsInSameState()
{
    QFETCH(int, stopAt);
    runToEnd(scaleOutPlan());
    const Plan plan = scaleInPlan();

    auto first = executor();
    Recording before;
    before.follow(first.get());
    connect(first.get(), &Executor::stepStarted, this, [&first, stopAt](int index) {
        if (index == stopAt)
            first.reset(); // as if tdkube was killed right after the journal said "running"
    });
    first->start(plan);
    QVERIFY(QTest::qWaitFor([&first] { return !first; }, kRunMs));
    QVERIFY(!before.ok.has_value());

    const QList<Journal> unfinished = Journal::unfinished();
    QCOMPARE(unfinished.size(), 1);
    QCOMPARE(unfinished.at(0).whereStopped(),
             u"stopped during step %1 of 6: %2"_s.arg(stopAt + 1).arg(plan.steps.at(stopAt).title));

    auto second = executor();
    Recording after;
    after.follow(second.get());
    second->resume(unfinished.at(0));
    QVERIFY(after.waitForFinish());
    QVERIFY2(*after.ok, qPrintable(after.story()));
    QCOMPARE(after.started.first(), stopAt);
    QCOMPARE(after.started.last(), 5);
    QCOMPARE(second->journal().id(), unfinished.at(0).id());
    verifyScaledIn();
}

void TestExecutor::cancel_duringStep_stopsAtNextStepSaysSo()
{
    Plan plan = scaleOutPlan();
    plan.kind = ops::OperationKind::Repair;
    plan.toReplicas = 3;
    plan.steps = {step(Step::Kind::Verify, u"verify once"_s), step(Step::Kind::Verify, u"verify twice"_s)};
    auto run = executor();
    Recording seen;
    seen.follow(run.get());
    connect(run.get(), &Executor::stepStarted, run.get(), [&run](int index) {
        if (index == 0)
            run->requestCancel();
    });
    run->start(plan);
    QVERIFY(seen.waitForFinish());

    QVERIFY(!*seen.ok);
    QCOMPARE(seen.ended, (QList<std::pair<int, bool>>{{0, true}}));
    QVERIFY2(seen.message.startsWith(u"Cancelled before step 2 of 2 (verify twice)"_s),
             qPrintable(seen.message));
    QVERIFY(!seen.log.filter(u"stops at the next safe point"_s).isEmpty());
    QCOMPARE(Journal::unfinished().size(), 1);
    QCOMPARE(Journal::unfinished().at(0).whereStopped(), u"stopped before step 2 of 2: verify twice"_s);
}

void TestExecutor::leaseHeldByAnother_refusesToStart_runsNothing()
{
    ops::Lease other(m_client.get(), kNs, kSet, u"op-alice"_s, u"scale-out"_s);
    other.setHolder(u"alice@laptop/4242/op-alice"_s);
    std::optional<bool> held;
    connect(&other, &ops::Lease::acquired, this, [&held](bool ok) { held = ok; });
    other.acquire();
    QVERIFY(QTest::qWaitFor([&held] { return held.has_value(); }, kWaitMs));
    QVERIFY(*held);

    auto run = executor();
    Recording seen;
    seen.follow(run.get());
    run->start(scaleInPlan());
    QVERIFY(seen.waitForFinish());

    QVERIFY(!*seen.ok);
    QVERIFY2(seen.message.contains(
                 u"Another tdkube (alice@laptop/4242/op-alice) has been running scale-out on this cluster"_s),
             qPrintable(seen.message));
    QVERIFY(seen.started.isEmpty());
    QVERIFY(Journal::unfinished().isEmpty()); // nothing ran: nothing to resume
    QCOMPARE(podNames().size(), 3);

    std::optional<bool> released;
    connect(&other, &ops::Lease::released, this, [&released](bool ok) { released = ok; });
    other.release();
    QVERIFY(QTest::qWaitFor([&released] { return released.has_value(); }, kWaitMs));
}

void TestExecutor::resume_journalOfAnotherContext_refusedNamingBoth()
{
    Plan plan = scaleInPlan();
    plan.context = u"production"_s;
    Journal journal = Journal::create(plan);
    QVERIFY(journal.isValid());

    auto run = executor();
    Recording seen;
    seen.follow(run.get());
    run->resume(journal);
    QVERIFY(seen.waitForFinish());
    QVERIFY(!*seen.ok);
    QVERIFY2(
        seen.message.contains(u"runs on context production, but tdkube is connected to context sandbox"_s),
        qPrintable(seen.message));
    QVERIFY(seen.started.isEmpty());
    QCOMPARE(podNames().size(), 3);
    // Still there to resume from the right context.
    QCOMPARE(Journal::unfinished().size(), 1);
}

void TestExecutor::crashAtBoundary_processKilled_resumeEndsInSameState_data()
{
    QTest::addColumn<int>("stepIndex");
    QTest::addColumn<QString>("boundary");
    for (int index = 0; index < 6; ++index) {
        for (const QString &boundary : {u"before"_s, u"after"_s})
            QTest::addRow("%d:%s", index, qPrintable(boundary)) << index << boundary;
    }
}

// The tdkube process is killed (by the hook, with _exit: no destructor, no cleanup) at a step
// boundary of a scale-in; this process then resumes what the journal says and must end with the
// same cluster and rows, never a claim deleted before its dnode was dropped and its pod gone.
void TestExecutor::crashAtBoundary_processKilled_resumeEndsInSameState()
{
    QFETCH(int, stepIndex);
    QFETCH(QString, boundary);
    runToEnd(scaleOutPlan());
    const Plan plan = scaleInPlan();

    const kube::ConnectionSettings admin = m_fixture.admin();
    const QJsonObject job{{u"context"_s, admin.contextName},
                          {u"server"_s, admin.server.toString()},
                          {u"ca"_s, QString::fromUtf8(admin.certificateAuthorityPem)},
                          {u"certificate"_s, QString::fromUtf8(admin.clientCertificatePem)},
                          {u"key"_s, QString::fromUtf8(admin.clientKeyPem)},
                          {u"settings"_s, m_settingsDir.path()},
                          {u"plan"_s, plan.toJson()}};
    QFile jobFile(m_fixture.path(u"child-job.json"_s));
    QVERIFY(jobFile.open(QIODevice::WriteOnly));
    jobFile.write(QJsonDocument(job).toJson());
    jobFile.close();

    QProcess child;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QString::fromLatin1(kChildVariable), jobFile.fileName());
    environment.insert(u"TDKUBE_TEST_CRASH_AT"_s, u"%1:%2"_s.arg(stepIndex).arg(boundary));
    child.setProcessEnvironment(environment);
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), {});
    QVERIFY(child.waitForStarted());
    // The sandbox lives in this process: its event loop must run while the child works.
    QVERIFY(QTest::qWaitFor([&child] { return child.state() == QProcess::NotRunning; }, kRunMs));
    QCOMPARE(child.exitStatus(), QProcess::NormalExit);
    QCOMPARE(child.exitCode(), Executor::kCrashExitCode);

    const QList<Journal> unfinished = Journal::unfinished();
    QCOMPARE(unfinished.size(), 1);
    const Journal &journal = unfinished.at(0);
    QCOMPARE(journal.steps().at(stepIndex).state,
             boundary == u"before" ? Journal::StepState::Running : Journal::StepState::Done);
    QCOMPARE(journal.resumeIndex(), boundary == u"before" ? stepIndex : stepIndex + 1);
    // The cluster's record stopped where the journal did.
    checkRecordMatches(journal, u"running"_s, false);
    if (QTest::currentTestFailed())
        return;
    // Never a claim gone while the dnodes are there (the claims step is index 4).
    if (journal.resumeIndex() <= 4) {
        QVERIFY(claimExists(u"taosdata-tdengine-4"_s));
        QVERIFY(claimExists(u"taosdata-tdengine-3"_s));
    }

    auto resumed = executor();
    Recording after;
    after.follow(resumed.get());
    resumed->resume(journal);
    QVERIFY(after.waitForFinish());
    QVERIFY2(*after.ok, qPrintable(after.story()));
    if (journal.resumeIndex() < 6)
        QCOMPARE(after.started.first(), journal.resumeIndex());
    else
        QVERIFY(after.started.isEmpty());
    verifyScaledIn();
}

// A cluster of one dnode (so one mnode) scaled out to 3 by the planner's own plan: the new dnodes
// have no id when it is planned, so its CreateMnode steps name them by endpoint, and the executor
// finds each id in ins_dnodes.
void TestExecutor::plannedScaleOut_oneMnode_mnodesCreatedOnNewDnodesFoundByEndpoint()
{
    const QString ns = u"single"_s;
    QVERIFY(createNamespace(m_client.get(), ns));
    QString error;
    QVERIFY2(applyManifests(m_client.get(), ns, &error, 1), qPrintable(error));
    deploy::DeployMonitor monitor(m_client.get(), m_passwords.get(),
                                  deploy::DeployTarget{m_fixture.admin().contextName, ns, kSet, 1, false});
    monitor.setPollInterval(50);
    std::optional<bool> deployed;
    connect(&monitor, &deploy::DeployMonitor::finished, this, [&deployed](bool ok) { deployed = ok; });
    monitor.start();
    QVERIFY(QTest::qWaitFor([&] { return deployed.has_value(); }, kRunMs));
    QVERIFY(*deployed);

    taos::ClusterConnection connection(m_client.get(), ns, kSet, u"sandbox/single/tdengine"_s,
                                       m_passwords.get());
    std::optional<ops::ClusterFacts> facts;
    QObject context;
    ops::gatherFacts(m_client.get(), &connection, ns, kSet, &context,
                     [&facts, &error](const ops::ClusterFacts &gathered, const QString &why) {
                         facts = gathered;
                         error = why;
                     });
    QVERIFY(QTest::qWaitFor([&facts] { return facts.has_value(); }, kRunMs));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(facts->snapshot.mnodes.size(), 1);
    const Plan plan = ops::planScaleOut(*facts, 3);
    QVERIFY2(!plan.blocked(), QJsonDocument(plan.toJson()).toJson().constData());
    QList<Step> creates;
    for (const Step &s : plan.steps) {
        if (s.kind == Step::Kind::CreateMnode)
            creates.append(s);
    }
    QCOMPARE(creates.size(), 2);
    for (const Step &s : std::as_const(creates)) {
        QCOMPARE(s.dnodeId, 0);
        QCOMPARE(s.endpoints.size(), 1);
    }

    auto run = executor();
    Recording seen;
    seen.follow(run.get());
    run->start(plan);
    QVERIFY(seen.waitForFinish());
    QVERIFY2(*seen.ok, qPrintable(seen.story()));

    // Each mnode is on the dnode of the pod the step named, and the journal says which id that was.
    QPointer<taos::RestClient> rest = connection.rest();
    QVERIFY(rest);
    std::optional<taos::QueryOutcome> mnodes;
    rest->query(u"select * from information_schema.ins_mnodes"_s, &context,
                [&mnodes](taos::QueryOutcome &o) { mnodes = std::move(o); });
    QVERIFY(QTest::qWaitFor([&mnodes] { return mnodes.has_value(); }, kWaitMs));
    QVERIFY2(mnodes->ok(), qPrintable(mnodes->error.describe()));
    QStringList mnodePods;
    for (const taos::Mnode &mnode : taos::mnodesFrom(mnodes->result)) {
        QCOMPARE(mnode.status, u"ready"_s);
        mnodePods.append(taos::podOfEndpoint(mnode.endpoint));
    }
    mnodePods.sort();
    QCOMPARE(mnodePods, (QStringList{u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}));
    const Journal journal = Journal::load(run->journal().path());
    for (int i = 0; i < plan.steps.size(); ++i) {
        if (plan.steps.at(i).kind != Step::Kind::CreateMnode)
            continue;
        QVERIFY2(
            journal.steps().at(i).message.contains(u"(the dnode of "_s + plan.steps.at(i).endpoints.at(0)),
            qPrintable(journal.steps().at(i).message));
        QVERIFY2(journal.steps().at(i).message.startsWith(u"The mnode on dnode "_s),
                 qPrintable(journal.steps().at(i).message));
    }
    QVERIFY2(!seen.log.filter(u"is dnode "_s).isEmpty(), qPrintable(seen.story()));
}

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsSet(kChildVariable))
        return runChild(argc, argv);
    QCoreApplication app(argc, argv);
    TestExecutor test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_executor.moc"
