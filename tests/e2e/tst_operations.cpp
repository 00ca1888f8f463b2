// Scale-out, safe scale-in, repair and resume through the real widgets, offscreen, against an
// in-process sandbox, once on its simulated TDengine and once on real taosd (tst_operations_realtaosd): a
// 3-dnode HA cluster with a replica-3 database is resized with the Scale wizard of the cluster page, repaired
// after a scale-in done by hand, refused below its replica, and an operation cut short is offered and resumed
// by a main window started again. Each test checks what the person sees (findings, steps, results) and what
// the cluster holds (pods, dnodes, claims, rows).
#include "clusterdashboard.h"
#include "clusterview.h"
#include "deploy/deploymonitor.h"
#include "kube/kubeconfig.h"
#include "kube/objects.h"
#include "kube/portforward.h"
#include "mainwindow.h"
#include "operationview.h"
#include "ops/executor.h"
#include "ops/journal.h"
#include "resumeoffer.h"
#include "sandboxfixture.h"
#include "scalewizard.h"
#include "taos/passwordstore.h"
#include "taos/restclient.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScopeGuard>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>

#include <algorithm>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::kube::test;
using tdkube::ops::Journal;
using tdkube::ops::Step;
using tdkube::ui::MainWindow;
using tdkube::ui::ScaleWizard;

namespace {

constexpr int kRunMs = 240000; // a safety net for a hung test, not a measure
const QString kContext = u"sandbox-admin"_s;
const QString kNs = u"ops"_s;
const QString kSet = u"tdengine"_s;
constexpr qint64 kRows = 4 * 5 + 3; // 4 child tables of 5 rows, a normal table of 3
// Database k1 (replica 1), from the 5 -> 3 scale-in on: 10 child tables of 2 rows over 5 vgroups.
constexpr qint64 kK1Rows = 10 * 2;

int indexOfKind(const ops::Plan &plan, Step::Kind kind, int from = 0)
{
    for (int i = from; i < plan.steps.size(); ++i) {
        if (plan.steps.at(i).kind == kind)
            return i;
    }
    return -1;
}

// A one-step plan written by hand, on the test's cluster.
ops::Plan oneStepPlan(ops::OperationKind kind, Step::Kind stepKind, const QString &title)
{
    ops::Plan plan;
    plan.kind = kind;
    plan.context = kContext;
    plan.ns = kNs;
    plan.statefulSet = kSet;
    Step step;
    step.kind = stepKind;
    step.title = title;
    plan.steps.append(step);
    return plan;
}

// How an executor ended, from its `finished` signal.
struct Ending
{
    std::optional<bool> ok;
    QString message;
};

void watchEnding(ops::Executor *executor, Ending *ending)
{
    QObject::connect(executor, &ops::Executor::finished, executor, [ending](bool ok, const QString &message) {
        ending->ok = ok;
        ending->message = message;
    });
}

// What a test leaves unfinished is not offered to the ones after it, even when it fails.
auto abandonUnfinishedOnExit()
{
    return qScopeGuard([] {
        for (Journal journal : Journal::unfinished())
            journal.abandon();
    });
}

// A replica-1 database DB over `vgroups` vgroups: super table DB.samples, `tables` child tables of 2 rows.
QStringList replicaOneDatabase(const QString &db, int vgroups, int tables)
{
    QStringList statements{u"create database %1 replica 1 vgroups %2"_s.arg(db).arg(vgroups),
                           u"create stable %1.samples (ts timestamp, v int) tags (src int)"_s.arg(db)};
    for (int t = 0; t < tables; ++t)
        statements.append(
            u"insert into %1.s%2 using %1.samples tags (%2) values (now, 1) (now+1s, 2)"_s.arg(db).arg(t));
    return statements;
}

} // namespace

class TestOperations final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void scaleOut_3to5_fiveDnodesReadyRowsUnchanged();
    void scaledInByHand_repairDropsTheDnodeForce_dnodesHealthy();
    void scaleOut_staleClaim_blockedUntilDeleteOptionTicked();
    void scaleIn_5to3_dropsDnodesThenScalesThenDeletesClaims();
    void scaleIn_belowReplica_startDisabledFindingNamesDatabase();
    void unfinishedOperation_offeredAtStart_resumeFinishesIt();
    void scaleIn_mnodeOnLeavingDnode_movedToStayingDnodeBeforeDropDnode();
    void scaledInByHandWithReplica1Data_repairStatesLossNeedsTypedNameDropsUnsafe();
    void stalledWait_timesOutSayingWhatDidNotHappenAndWhereToLook();
    void unfinishedOperation_abandoned_noLongerOffered();
    void scaleOut_cancelledInTheWizard_stopsAtASafePoint_resumeFinishesIt();
    void podBackOnEmptyClaim_dashboardSaysDataAtRisk_verifyStopsSayingSo();

private:
    ScaleWizard *openWizard(bool repair = false);
    bool showPlan(ScaleWizard *wizard, int target);
    bool start(ScaleWizard *wizard);
    void close(ScaleWizard *wizard);
    void grab(QWidget *widget, const QString &name);
    taos::QueryOutcome sql(const QString &statement);
    QString runAll(const QStringList &statements); // the first failure, empty when all succeeded
    QList<taos::Dnode> dnodes();
    QList<taos::Mnode> mnodes();
    int dnodeOfPod(const QString &pod);
    QString dnodeStatus(int id);
    QString dnodeStates();
    bool allReady(int count);
    qint64 rowTotal();
    qint64 count(const QString &table);
    QStringList podNames();
    bool claimExists(const QString &claim);

    SandboxFixture m_fixture;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
    std::unique_ptr<MainWindow> m_window;
    bool m_k1 = false; // database k1 was created
};

void TestOperations::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QDir(Journal::directory()).removeRecursively();
    QVERIFY(m_settingsDir.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QString taosd;
    if (onRealTaosd()) {
        taosd = realTaosdDir();
        if (!QFileInfo::exists(taosd + u"/bin/taosd"_s))
            QSKIP("the run on real taosd needs a TDengine build: TDKUBE_REAL_TAOSD=DIR (packaging/test.sh "
                  "builds one from ../shared/tdengine)");
        qInfo("on real taosd from %s", qPrintable(taosd));
    }
    QVERIFY(m_fixture.start({}, 0.02, taosd));
    kube::ConnectionSettings admin = m_fixture.admin();
    admin.contextName = kContext; // the kubeconfig's name: journals name the context they ran on
    m_client = std::make_unique<kube::KubeClient>(admin);
    m_passwords = std::make_unique<taos::PasswordStore>();
    m_passwords->setKeychainEnabled(false);

    // 3 dnodes with mnodes on all three, as the deploy wizard leaves a cluster.
    QVERIFY(createNamespace(m_client.get(), kNs));
    QString error;
    QVERIFY2(applyManifests(m_client.get(), kNs, &error), qPrintable(error));
    deploy::DeployTarget target{kContext, kNs, kSet, 3, true};
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

    QStringList statements{u"create database r3 replica 3 vgroups 4"_s,
                           u"create stable r3.meters (ts timestamp, v int) tags (loc int)"_s,
                           u"create table r3.plain (ts timestamp, v int)"_s,
                           u"insert into r3.plain values (now, 1) (now+1s, 2) (now+2s, 3)"_s};
    for (int t = 0; t < 4; ++t)
        statements.append(u"insert into r3.d%1 using r3.meters tags (%1) values (now, 1) (now+1s, 2) "
                          u"(now+2s, 3) (now+3s, 4) (now+4s, 5)"_s.arg(t));
    const QString failed = runAll(statements);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    QCOMPARE(rowTotal(), kRows);

    m_window = std::make_unique<MainWindow>();
    m_window->passwords()->setKeychainEnabled(false);
    m_window->setClusterPollInterval(300);
    m_window->setOperationPollInterval(50);
    m_window->resize(1400, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->openKubeconfig(kube::Kubeconfig::load({m_fixture.path(u"kubeconfig"_s)}), kContext, kNs, kSet);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->clusterView()->isVisible(), kWaitMs);
}

void TestOperations::cleanupTestCase()
{
    m_window.reset();
}

// "Scale…" on the cluster page, as a person clicks it.
ScaleWizard *TestOperations::openWizard(bool repair)
{
    m_window->showView(u"cluster"_s, kSet);
    ui::ClusterView *view = m_window->clusterView();
    (repair ? view->repairButton() : view->scaleButton())->click();
    const QList<ScaleWizard *> wizards = m_window->findChildren<ScaleWizard *>();
    return wizards.isEmpty() ? nullptr : wizards.last();
}

// Sets the target on page 1 once the cluster was read, then waits for the plan of page 2.
bool TestOperations::showPlan(ScaleWizard *wizard, int target)
{
    if (!QTest::qWaitFor([wizard] { return wizard->hasFacts(); }, kWaitMs * 3))
        return false;
    wizard->targetPage()->setTarget(target);
    QAbstractButton *next = wizard->button(QWizard::NextButton);
    if (!next->isEnabled())
        return false;
    next->click();
    return QTest::qWaitFor(
        [wizard] { return wizard->currentId() == ScaleWizard::PlanPage && wizard->planPage()->isReady(); },
        kWaitMs * 3);
}

// "I have read the plan", Start, and the operation to its end.
bool TestOperations::start(ScaleWizard *wizard)
{
    wizard->planPage()->readBox()->setChecked(true);
    QAbstractButton *commit = wizard->button(QWizard::CommitButton);
    if (!commit->isVisible() || !commit->isEnabled() || commit->text() != u"Start")
        return false;
    commit->click();
    return wizard->currentId() == ScaleWizard::RunPage &&
           QTest::qWaitFor([wizard] { return wizard->runPage()->view()->isFinished(); }, kRunMs);
}

void TestOperations::close(ScaleWizard *wizard)
{
    QPointer<ScaleWizard> gone = wizard;
    wizard->close();
    QVERIFY(QTest::qWaitFor([&gone] { return !gone; }, kWaitMs));
}

void TestOperations::grab(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("TDKUBE_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(QDir(dir).filePath(name + u".png"_s));
}

// One statement through a port-forward and REST client of the test's own.
taos::QueryOutcome TestOperations::sql(const QString &statement)
{
    return sqlThroughForward(m_client.get(), kNs, kSet, statement, kWaitMs * 6);
}

QString TestOperations::runAll(const QStringList &statements)
{
    for (const QString &statement : statements) {
        const taos::QueryOutcome outcome = sql(statement);
        if (!outcome.ok())
            return statement + u": "_s + outcome.error.describe();
    }
    return {};
}

QList<taos::Dnode> TestOperations::dnodes()
{
    const taos::QueryOutcome outcome = sql(u"select * from information_schema.ins_dnodes"_s);
    return outcome.ok() ? taos::dnodesFrom(outcome.result) : QList<taos::Dnode>{};
}

QList<taos::Mnode> TestOperations::mnodes()
{
    const taos::QueryOutcome outcome = sql(u"select * from information_schema.ins_mnodes"_s);
    return outcome.ok() ? taos::mnodesFrom(outcome.result) : QList<taos::Mnode>{};
}

int TestOperations::dnodeOfPod(const QString &pod)
{
    for (const taos::Dnode &dnode : dnodes()) {
        if (taos::podOfEndpoint(dnode.endpoint) == pod)
            return dnode.id;
    }
    return 0;
}

// "1 ready since 2026-12-06T09:10:00Z, ..." for failure messages.
QString TestOperations::dnodeStates()
{
    QStringList states;
    for (const taos::Dnode &dnode : dnodes())
        states.append(
            u"%1 %2 since %3"_s.arg(dnode.id).arg(dnode.status, dnode.rebootTime.toString(Qt::ISODate)));
    return states.join(u", "_s);
}

QString TestOperations::dnodeStatus(int id)
{
    for (const taos::Dnode &dnode : dnodes()) {
        if (dnode.id == id)
            return dnode.status;
    }
    return {};
}

bool TestOperations::allReady(int count)
{
    const QList<taos::Dnode> now = dnodes();
    return now.size() == count && std::all_of(now.begin(), now.end(), [](const taos::Dnode &dnode) {
               return dnode.status == u"ready";
           });
}

// The rows of r3 and, once it exists, of k1 (kRows, then kRows + kK1Rows).
qint64 TestOperations::rowTotal()
{
    const qint64 meters = count(u"r3.meters"_s);
    const qint64 plain = count(u"r3.plain"_s);
    const qint64 samples = m_k1 ? count(u"k1.samples"_s) : 0;
    return meters < 0 || plain < 0 || samples < 0 ? -1 : meters + plain + samples;
}

// -1 when the table cannot be read.
qint64 TestOperations::count(const QString &table)
{
    const taos::QueryOutcome outcome = sql(u"select count(*) from "_s + table);
    return outcome.ok() && outcome.result.rowCount() == 1 ? outcome.result.int64(0, 0) : -1;
}

QStringList TestOperations::podNames()
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

bool TestOperations::claimExists(const QString &claim)
{
    return await([&](QObject *context, kube::KubeClient::Done done) {
               m_client->get(kube::ResourceKind::persistentVolumeClaims(), kNs, claim, context, done);
           }).httpStatus == 200;
}

void TestOperations::scaleOut_3to5_fiveDnodesReadyRowsUnchanged()
{
    ScaleWizard *wizard = openWizard();
    QVERIFY(wizard);
    QCOMPARE(wizard->currentId(), int(ScaleWizard::TargetPage));
    QVERIFY(QTest::qWaitFor([wizard] { return wizard->hasFacts(); }, kWaitMs * 3));
    const QString summary = wizard->targetPage()->summaryText();
    QVERIFY2(summary.contains(u"has 3 replicas now"_s) && summary.contains(u"r3 (replica 3)"_s) &&
                 summary.contains(u"The largest replica is 3"_s),
             qPrintable(summary));
    wizard->targetPage()->balanceBox()->setChecked(true); // so that the scale-in later moves data
    QVERIFY(showPlan(wizard, 5));

    const ops::Plan plan = wizard->planPage()->plan();
    QCOMPARE(plan.kind, ops::OperationKind::ScaleOut);
    QVERIFY(plan.findings.isEmpty());
    const QString text = wizard->planPage()->planText();
    QVERIFY2(text.contains(u"Preflight found no problem."_s), qPrintable(text));
    for (const Step &step : plan.steps)
        QVERIFY2(text.contains(step.title), qPrintable(step.title + u" not in\n"_s + text));
    QVERIFY(indexOfKind(plan, Step::Kind::BalanceVgroup) > indexOfKind(plan, Step::Kind::WaitDnodesReady));
    // Nothing runs before the plan was read.
    QVERIFY(!wizard->button(QWizard::CommitButton)->isEnabled());
    QCOMPARE(podNames().size(), 3);
    grab(wizard, u"scale-plan"_s);

    QVERIFY(start(wizard));
    ui::OperationView *view = wizard->runPage()->view();
    grab(wizard, u"scale-progress"_s);
    QVERIFY2(view->succeeded(), qPrintable(view->resultText() + u"\n"_s + view->logText()));
    for (int i = 0; i < plan.steps.size(); ++i)
        QCOMPARE(view->stepState(i), u"done"_s);
    QVERIFY2(view->stepDetail(plan.steps.size() - 1).contains(u"23 rows in 2 table(s), as before"_s),
             qPrintable(view->stepDetail(plan.steps.size() - 1)));
    QVERIFY(view->logText().contains(u"balance vgroup"_s));
    QVERIFY(wizard->button(QWizard::FinishButton)->isEnabled());
    QVERIFY(!view->cancelButton()->isEnabled());

    QCOMPARE(podNames().size(), 5);
    QVERIFY(allReady(5));
    QCOMPARE(rowTotal(), kRows);
    QVERIFY(Journal::unfinished().isEmpty());
    wizard->button(QWizard::FinishButton)->click();
}

// The seed's "error one": the StatefulSet scaled in by hand, without `drop dnode`.
void TestOperations::scaledInByHand_repairDropsTheDnodeForce_dnodesHealthy()
{
    const int orphan = dnodeOfPod(u"tdengine-4"_s);
    QVERIFY(orphan > 0);
    QVERIFY(await([&](QObject *context, kube::KubeClient::Done done) {
                m_client->scale(kNs, kSet, 4, context, done);
            }).ok());
    QTRY_VERIFY_WITH_TIMEOUT(!podNames().contains(u"tdengine-4"_s), kRunMs);

    m_window->showView(u"cluster"_s, kSet);
    ui::ClusterDashboard *dashboard = m_window->clusterView()->dashboard();
    const QString warning = u"dnode %1 has no pod"_s.arg(orphan);
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->warningTitles().contains(warning), kRunMs);
    QTRY_COMPARE_WITH_TIMEOUT(dnodeStatus(orphan), u"offline"_s, kRunMs);

    // Scale… refuses any resize now (the seed's "error one"), naming the dnode and Repair as the fix.
    ScaleWizard *scale = openWizard();
    QVERIFY(scale);
    QVERIFY(showPlan(scale, 3));
    QVERIFY(scale->planPage()->plan().blocked());
    const QString refusal = scale->planPage()->planText();
    QVERIFY2(
        refusal.contains(u"dnode %1 (tdengine-4.taosd.%2.svc.cluster.local:6030) is still a member of the "
                         u"cluster, but its pod tdengine-4 does not exist"_s.arg(orphan)
                             .arg(kNs)),
        qPrintable(refusal));
    QVERIFY2(refusal.contains(u"Repair the cluster first"_s), qPrintable(refusal));
    QVERIFY(!scale->button(QWizard::CommitButton)->isEnabled());
    grab(scale, u"scale-refused-after-hand-scale-in"_s);
    close(scale);
    QCOMPARE(podNames().size(), 4);

    ScaleWizard *wizard = openWizard(true);
    QVERIFY(wizard);
    QCOMPARE(wizard->currentId(), int(ScaleWizard::PlanPage));
    QVERIFY(QTest::qWaitFor([wizard] { return wizard->planPage()->isReady(); }, kWaitMs * 3));
    const ops::Plan plan = wizard->planPage()->plan();
    QCOMPARE(plan.kind, ops::OperationKind::Repair);
    QCOMPARE(plan.steps.first().kind, Step::Kind::DropDnode);
    QCOMPARE(plan.steps.first().dnodeId, orphan);
    QVERIFY(plan.steps.first().force);
    QVERIFY(plan.confirmation.isEmpty()); // replica 3: nothing is lost, nothing to type
    const QString text = wizard->planPage()->planText();
    QVERIFY2(text.contains(u"drop dnode %1 force"_s.arg(orphan)), qPrintable(text));
    QVERIFY2(text.contains(u"its pod tdengine-4 does not exist"_s), qPrintable(text));
    QVERIFY2(text.contains(u"rebuilt from their other replicas"_s), qPrintable(text));
    QVERIFY(!wizard->planPage()->confirmationEdit()->isVisible());
    grab(wizard, u"repair"_s);

    QVERIFY(start(wizard));
    ui::OperationView *view = wizard->runPage()->view();
    QVERIFY2(view->succeeded(), qPrintable(view->resultText() + u"\n"_s + view->logText()));
    QVERIFY(view->logText().contains(u"drop dnode %1 force"_s.arg(orphan)));
    wizard->button(QWizard::FinishButton)->click();

    QVERIFY(allReady(4));
    QCOMPARE(dnodeOfPod(u"tdengine-4"_s), 0);
    QCOMPARE(rowTotal(), kRows);
    QTRY_VERIFY_WITH_TIMEOUT(!dashboard->warningTitles().contains(warning), kRunMs);
}

// The claim tdengine-4 left behind holds the dropped dnode's data: a pod started on it would not join.
void TestOperations::scaleOut_staleClaim_blockedUntilDeleteOptionTicked()
{
    QVERIFY(claimExists(u"taosdata-tdengine-4"_s));
    ScaleWizard *wizard = openWizard();
    QVERIFY(wizard);
    QVERIFY(showPlan(wizard, 5));
    ops::Plan plan = wizard->planPage()->plan();
    QVERIFY(plan.blocked());
    QVERIFY(plan.steps.isEmpty());
    QString text = wizard->planPage()->planText();
    QVERIFY2(text.contains(u"taosdata-tdengine-4"_s) && text.contains(u"Blocking"_s), qPrintable(text));
    QVERIFY(!wizard->planPage()->readBox()->isEnabled());
    QVERIFY(!wizard->button(QWizard::CommitButton)->isEnabled());

    wizard->back();
    QCOMPARE(wizard->currentId(), int(ScaleWizard::TargetPage));
    wizard->targetPage()->deleteStaleClaimsBox()->setChecked(true);
    QVERIFY(showPlan(wizard, 5));
    plan = wizard->planPage()->plan();
    QVERIFY(!plan.blocked());
    QCOMPARE(plan.steps.first().kind, Step::Kind::DeleteClaims);
    QCOMPARE(plan.steps.first().claims, QStringList{u"taosdata-tdengine-4"_s});
    text = wizard->planPage()->planText();
    QVERIFY2(text.contains(u"Warning"_s) && !text.contains(u"Blocking"_s), qPrintable(text));

    QVERIFY(start(wizard));
    ui::OperationView *view = wizard->runPage()->view();
    QVERIFY2(view->succeeded(), qPrintable(view->resultText() + u"\n"_s + view->logText()));
    wizard->button(QWizard::FinishButton)->click();
    QCOMPARE(podNames().size(), 5);
    QVERIFY(allReady(5));
    QCOMPARE(rowTotal(), kRows);
}

// With a replica-1 database beside r3: `drop dnode` moves its only copies too, and no row is lost.
void TestOperations::scaleIn_5to3_dropsDnodesThenScalesThenDeletesClaims()
{
    const int dnode4 = dnodeOfPod(u"tdengine-4"_s);
    const int dnode3 = dnodeOfPod(u"tdengine-3"_s);
    QVERIFY(dnode4 > 0 && dnode3 > 0);
    const QString failed = runAll(replicaOneDatabase(u"k1"_s, 5, 10));
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    m_k1 = true;
    QCOMPARE(rowTotal(), kRows + kK1Rows);
    const taos::QueryOutcome vgroups = sql(u"select * from information_schema.ins_vgroups"_s);
    QVERIFY(vgroups.ok());
    int leaving = 0;
    for (const taos::Vgroup &vgroup : taos::vgroupsFrom(vgroups.result)) {
        const int on = vgroup.vnodes.first().dnodeId;
        leaving += vgroup.database == u"k1" && (on == dnode3 || on == dnode4) ? 1 : 0;
    }
    QVERIFY2(leaving > 0, "no vgroup of k1 is on a leaving dnode: the test would not move replica-1 data");
    ScaleWizard *wizard = openWizard();
    QVERIFY(wizard);
    QVERIFY(showPlan(wizard, 3));
    QVERIFY2(wizard->targetPage()->directionText().contains(u"tdengine-3, tdengine-4"_s),
             qPrintable(wizard->targetPage()->directionText()));
    const ops::Plan plan = wizard->planPage()->plan();
    QCOMPARE(plan.kind, ops::OperationKind::ScaleIn);
    QVERIFY(!plan.blocked());
    const int drop4 = indexOfKind(plan, Step::Kind::DropDnode);
    const int drop3 = indexOfKind(plan, Step::Kind::DropDnode, drop4 + 1);
    const int scale = indexOfKind(plan, Step::Kind::ScaleStatefulSet);
    const int claims = indexOfKind(plan, Step::Kind::DeleteClaims);
    QVERIFY(drop4 >= 0 && drop3 > drop4 && scale > drop3 && claims > scale);
    QCOMPARE(plan.steps.at(drop4).dnodeId, dnode4);
    QCOMPARE(plan.steps.at(drop3).dnodeId, dnode3);
    const QString text = wizard->planPage()->planText();
    QVERIFY2(text.contains(u"drop dnode %1 (pod tdengine-4)"_s.arg(dnode4)), qPrintable(text));
    QVERIFY2(text.contains(u"drop dnode %1 (pod tdengine-3)"_s.arg(dnode3)), qPrintable(text));
    QVERIFY2(text.contains(u"Delete"_s) || text.contains(u"delete"_s), qPrintable(text));
    grab(wizard, u"scale-in-plan"_s);

    QVERIFY(start(wizard));
    ui::OperationView *view = wizard->runPage()->view();
    QVERIFY2(view->succeeded(), qPrintable(view->resultText() + u"\n"_s + view->logText()));
    grab(wizard, u"scale-in-progress"_s);
    QVERIFY2(view->stepDetail(plan.steps.size() - 1).contains(u"43 rows in 3 table(s), as before"_s),
             qPrintable(view->stepDetail(plan.steps.size() - 1)));
    wizard->button(QWizard::FinishButton)->click();

    QCOMPARE(podNames(), (QStringList{u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}));
    QVERIFY(allReady(3));
    QVERIFY(!claimExists(u"taosdata-tdengine-4"_s));
    QVERIFY(!claimExists(u"taosdata-tdengine-3"_s));
    QVERIFY(claimExists(u"taosdata-tdengine-2"_s));
    QCOMPARE(rowTotal(), kRows + kK1Rows);
}

void TestOperations::scaleIn_belowReplica_startDisabledFindingNamesDatabase()
{
    ScaleWizard *wizard = openWizard();
    QVERIFY(wizard);
    QVERIFY(showPlan(wizard, 2));
    const ops::Plan plan = wizard->planPage()->plan();
    QVERIFY(plan.blocked());
    const QString text = wizard->planPage()->planText();
    QVERIFY2(text.contains(u"Database r3 has replica 3"_s), qPrintable(text));
    QVERIFY2(text.contains(u"Choose a target of 3 or more dnodes."_s), qPrintable(text));
    QVERIFY(!wizard->planPage()->readBox()->isEnabled());
    wizard->planPage()->readBox()->setChecked(true); // even so, Start stays off
    QVERIFY(!wizard->button(QWizard::CommitButton)->isEnabled());
    close(wizard);
    QCOMPARE(podNames().size(), 3);
    QVERIFY(Journal::unfinished().isEmpty());
}

// tdkube killed during step 2 of a scale-out, then started again: the new window offers the
// operation with where it stopped, and Resume finishes it.
void TestOperations::unfinishedOperation_offeredAtStart_resumeFinishesIt()
{
    ScaleWizard *wizard = openWizard();
    QVERIFY(wizard);
    QVERIFY(showPlan(wizard, 4));
    const ops::Plan plan = wizard->planPage()->plan();
    QVERIFY(!plan.blocked());
    QVERIFY(plan.steps.size() > 2);
    close(wizard);

    auto first = std::make_unique<ops::Executor>(m_client.get(), m_passwords.get());
    first->setPollInterval(50);
    connect(first.get(), &ops::Executor::stepStarted, this, [&first](int index) {
        if (index == 1)
            first.reset(); // as if tdkube was killed right after the journal said "running"
    });
    first->start(plan);
    QVERIFY(QTest::qWaitFor([&first] { return !first; }, kRunMs));
    QCOMPARE(Journal::unfinished().size(), 1);

    MainWindow again;
    again.passwords()->setKeychainEnabled(false);
    again.setOperationPollInterval(50);
    again.resize(1200, 800);
    again.show();
    again.openKubeconfig(kube::Kubeconfig::load({m_fixture.path(u"kubeconfig"_s)}), kContext, kNs);
    const QList<Journal> offered = again.unfinishedOperations();
    QCOMPARE(offered.size(), 1);
    const QString id = offered.at(0).id();
    const QString offer = again.resumeOffers()->offerText(id);
    QVERIFY2(offer.startsWith(u"An operation did not finish: "_s + plan.summary()) &&
                 offer.contains(
                     u"stopped during step 2 of %1: %2"_s.arg(plan.steps.size()).arg(plan.steps.at(1).title)),
             qPrintable(offer));
    QVERIFY(again.resumeOffers()->isVisible());

    auto *resume = again.resumeOffers()->findChild<QPushButton *>(u"resumeOperation"_s);
    QVERIFY(resume);
    resume->click();
    auto *dialog = again.findChild<ui::OperationDialog *>();
    QVERIFY(dialog);
    QPointer<ui::OperationDialog> alive = dialog;
    ui::OperationView *view = dialog->view();
    QCOMPARE(view->stepState(0), u"done"_s); // done before the crash, shown done
    QVERIFY(QTest::qWaitFor([view] { return view->isFinished(); }, kRunMs));
    QVERIFY2(view->succeeded(), qPrintable(view->resultText() + u"\n"_s + view->logText()));
    for (int i = 0; i < plan.steps.size(); ++i)
        QCOMPARE(view->stepState(i), u"done"_s);
    QVERIFY(again.unfinishedOperations().isEmpty());
    QVERIFY(Journal::unfinished().isEmpty());
    QCOMPARE(podNames().size(), 4);
    QVERIFY(allReady(4));
    QCOMPARE(rowTotal(), kRows + kK1Rows);
    dialog->close();
    QVERIFY(QTest::qWaitFor([&alive] { return !alive; }, kWaitMs));
}

// The "mnode on a leaving dnode": the mnode of tdengine-2 moved by hand onto tdengine-3, which
// a scale-in 4 -> 3 removes. The plan moves it back onto a staying dnode before `drop dnode`.
void TestOperations::scaleIn_mnodeOnLeavingDnode_movedToStayingDnodeBeforeDropDnode()
{
    QCOMPARE(podNames().size(), 4);
    const int staying = dnodeOfPod(u"tdengine-2"_s);
    const int leaving = dnodeOfPod(u"tdengine-3"_s);
    QVERIFY(staying > 0 && leaving > 0);
    // TDengine keeps at most 3 mnodes and never drops the leader: drop a follower first, then create.
    const QString failed =
        runAll({u"drop mnode on dnode %1"_s.arg(staying), u"create mnode on dnode %1"_s.arg(leaving)});
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    const auto movedThere = [this, leaving] {
        const QList<taos::Mnode> now = mnodes();
        return now.size() == 3 && std::any_of(now.begin(), now.end(), [leaving](const taos::Mnode &m) {
                   return m.id == leaving && m.status == u"ready";
               });
    };
    QTRY_VERIFY_WITH_TIMEOUT(movedThere(), kRunMs);

    ScaleWizard *wizard = openWizard();
    QVERIFY(wizard);
    QVERIFY(showPlan(wizard, 3));
    const ops::Plan plan = wizard->planPage()->plan();
    QCOMPARE(plan.kind, ops::OperationKind::ScaleIn);
    QVERIFY(!plan.blocked());
    // TDengine refuses a fourth mnode: with 3, the leaving one goes first, then its replacement.
    const int dropMnode = indexOfKind(plan, Step::Kind::DropMnode);
    const int create = indexOfKind(plan, Step::Kind::CreateMnode);
    const int dropDnode = indexOfKind(plan, Step::Kind::DropDnode);
    QVERIFY(dropMnode >= 0 && create > dropMnode && dropDnode > create);
    QCOMPARE(plan.steps.at(dropMnode).dnodeId, leaving);
    QCOMPARE(plan.steps.at(create).dnodeId, staying);
    QCOMPARE(plan.steps.at(dropDnode).dnodeId, leaving);
    // What the person reads, in the order it runs.
    const QString text = wizard->planPage()->planText();
    const qsizetype dropMnodeAt = text.indexOf(u"drop mnode on dnode %1"_s.arg(leaving));
    const qsizetype createAt = text.indexOf(u"create mnode on dnode %1"_s.arg(staying));
    const qsizetype dropDnodeAt = text.indexOf(u"drop dnode %1 (pod tdengine-3)"_s.arg(leaving));
    QVERIFY2(dropMnodeAt >= 0 && createAt > dropMnodeAt && dropDnodeAt > createAt, qPrintable(text));
    QVERIFY2(text.contains(
                 u"dnode %1 leaves and holds an mnode (a follower). TDengine keeps at most 3 mnodes"_s.arg(
                     leaving)),
             qPrintable(text));

    QVERIFY(start(wizard));
    ui::OperationView *view = wizard->runPage()->view();
    QVERIFY2(view->succeeded(), qPrintable(view->resultText() + u"\n"_s + view->logText()));
    QVERIFY(view->logText().contains(u"SQL> create mnode on dnode %1"_s.arg(staying)));
    QVERIFY(view->logText().contains(u"SQL> drop mnode on dnode %1"_s.arg(leaving)));
    wizard->button(QWizard::FinishButton)->click();

    // 3 mnodes, all on the dnodes that stay, one leader.
    QCOMPARE(podNames(), (QStringList{u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}));
    QVERIFY(allReady(3));
    const QList<taos::Mnode> after = mnodes();
    QList<int> on;
    int leaders = 0;
    for (const taos::Mnode &mnode : after) {
        on.append(mnode.id);
        leaders += mnode.role == u"leader" ? 1 : 0;
        QCOMPARE(mnode.status, u"ready"_s);
    }
    std::sort(on.begin(), on.end());
    QList<int> staysOn{dnodeOfPod(u"tdengine-0"_s), dnodeOfPod(u"tdengine-1"_s), staying};
    std::sort(staysOn.begin(), staysOn.end());
    QCOMPARE(on, staysOn);
    QCOMPARE(leaders, 1);
    QCOMPARE(rowTotal(), kRows + kK1Rows);
}

// The repair with replica-1 data: tdengine-3 scaled away by hand while it held the only copy
// of vgroups of database r1. The repair says that data is lost, runs only after the cluster's name
// was typed, and gives that data up with `drop dnode N unsafe`; r3 keeps every row.
void TestOperations::scaledInByHandWithReplica1Data_repairStatesLossNeedsTypedNameDropsUnsafe()
{
    QVERIFY(await([&](QObject *context, kube::KubeClient::Done done) {
                m_client->scale(kNs, kSet, 4, context, done);
            }).ok());
    QTRY_VERIFY_WITH_TIMEOUT(allReady(4), kRunMs);
    const int gone = dnodeOfPod(u"tdengine-3"_s);
    QVERIFY(gone > 0);
    // The new dnode holds no vnode yet: TDengine puts the first vgroups of r1 there.
    const QString failed = runAll(replicaOneDatabase(u"r1"_s, 6, 12));
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    const taos::QueryOutcome vgroups = sql(u"select * from information_schema.ins_vgroups"_s);
    QVERIFY(vgroups.ok());
    int onGone = 0;
    for (const taos::Vgroup &vgroup : taos::vgroupsFrom(vgroups.result))
        onGone += vgroup.database == u"r1" && vgroup.vnodes.first().dnodeId == gone ? 1 : 0;
    QVERIFY2(onGone > 0, "no vgroup of r1 is on the dnode that goes: the test would not test anything");
    const qint64 r1Before = count(u"r1.samples"_s);
    QCOMPARE(r1Before, 24);

    QVERIFY(await([&](QObject *context, kube::KubeClient::Done done) {
                m_client->scale(kNs, kSet, 3, context, done);
            }).ok());
    QTRY_VERIFY_WITH_TIMEOUT(!podNames().contains(u"tdengine-3"_s), kRunMs);
    QTRY_COMPARE_WITH_TIMEOUT(dnodeStatus(gone), u"offline"_s, kRunMs);
    QCOMPARE(count(u"r1.samples"_s), -1); // what the person sees: r1 cannot be read any more

    // An operation that does not give r1 up cannot count its rows: it says so, instead of waiting.
    {
        const ops::Plan verifyOnly =
            oneStepPlan(ops::OperationKind::Repair, Step::Kind::Verify, u"verify the cluster"_s);
        ops::Executor executor(m_client.get(), m_passwords.get());
        executor.setPollInterval(50);
        executor.setCountPatience(1000);
        Ending ending;
        watchEnding(&executor, &ending);
        bool started = false;
        connect(&executor, &ops::Executor::stepStarted, this, [&started] { started = true; });
        executor.start(verifyOnly);
        QVERIFY(QTest::qWaitFor([&ending] { return ending.ok.has_value(); }, kWaitMs * 3));
        QVERIFY(!*ending.ok);
        const QString &message = ending.message;
        QVERIFY(!started);
        // Real TDengine cannot even list r1's tables (0x000B); the simulator says so too.
        QVERIFY2(message.startsWith(u"Could not count the rows of r1 (listing its tables failed): "_s) &&
                     message.contains(u"nothing was changed"_s) && message.contains(u"show r1.vgroups"_s),
                 qPrintable(message));
        QVERIFY(Journal::unfinished().isEmpty()); // nothing ran: nothing to resume
    }

    ScaleWizard *wizard = openWizard(true);
    QVERIFY(wizard);
    QVERIFY(QTest::qWaitFor([wizard] { return wizard->planPage()->isReady(); }, kWaitMs * 3));
    ui::ScalePlanPage *page = wizard->planPage();
    QCOMPARE(page->plan().steps.first().kind, Step::Kind::DropDnode);
    QCOMPARE(page->plan().steps.first().dnodeId, gone);
    QVERIFY(page->plan().steps.first().unsafe);
    QCOMPARE(page->plan().lostDatabases, QStringList{u"r1"_s});
    const QString text = page->planText();
    QVERIFY2(text.contains(u"dnode %1 holds the only copy of data of r1 (replica 1). Dropping it loses that "
                           "data for good."_s.arg(gone)),
             qPrintable(text));
    QVERIFY2(text.contains(u"drop dnode %1 unsafe (pod tdengine-3 is gone)"_s.arg(gone)), qPrintable(text));
    QVERIFY2(text.contains(u"r1 is not counted before nor compared after"_s), qPrintable(text));
    QVERIFY2(text.contains(u"Blocking"_s), qPrintable(text));
    QVERIFY(page->confirmationEdit()->isVisible());
    QVERIFY2(
        page->confirmationText().startsWith(u"This plan loses, for good, the data of r1 that exists only "
                                            "on the dropped dnode. To run it anyway, type the cluster "
                                            "name tdengine:"_s),
        qPrintable(page->confirmationText()));
    auto *status = page->findChild<QLabel *>(u"planStatus"_s);
    QVERIFY(status);
    QVERIFY2(status->text().startsWith(u"tdkube runs this only once you have typed the cluster name below"_s),
             qPrintable(status->text()));
    grab(wizard, u"repair-replica1-unconfirmed"_s);

    // Reading the plan is not enough, nor a name almost right.
    page->readBox()->setChecked(true);
    QAbstractButton *commit = wizard->button(QWizard::CommitButton);
    QVERIFY(!commit->isEnabled());
    QTest::keyClicks(page->confirmationEdit(), u"tdengin"_s);
    QVERIFY(!commit->isEnabled());
    QTest::keyClicks(page->confirmationEdit(), u"e"_s);
    QVERIFY(!page->plan().blocked());
    page->readBox()->setChecked(true); // a changed plan is read anew
    QVERIFY(commit->isEnabled());
    QVERIFY2(!page->planText().contains(u"Blocking"_s), qPrintable(page->planText()));
    grab(wizard, u"repair-replica1-confirmed"_s);

    QVERIFY(start(wizard));
    ui::OperationView *view = wizard->runPage()->view();
    QVERIFY2(view->succeeded(), qPrintable(view->resultText() + u"\n"_s + view->logText()));
    const QString log = view->logText();
    QVERIFY2(log.contains(u"SQL> drop dnode %1 unsafe"_s.arg(gone)), qPrintable(log));
    QVERIFY2(log.contains(u"Not counted: database(s) r1, whose only copy"_s), qPrintable(log));
    QVERIFY2(
        view->stepDetail(int(page->plan().steps.size()) - 1).contains(u"43 rows in 3 table(s), as before"_s),
        qPrintable(view->stepDetail(int(page->plan().steps.size()) - 1)));
    wizard->button(QWizard::FinishButton)->click();

    QVERIFY(allReady(3));
    QCOMPARE(dnodeOfPod(u"tdengine-3"_s), 0);
    QCOMPARE(rowTotal(), kRows + kK1Rows);
    // r1 answers again, without the rows whose only copy was on the dropped dnode (on real taosd once
    // the empty vnodes that replace the lost ones have elected their leaders, seconds later).
    qint64 r1After = -1;
    QVERIFY(QTest::qWaitFor([&] { return (r1After = count(u"r1.samples"_s)) >= 0; }, kRunMs));
    QVERIFY2(r1After < r1Before, qPrintable(QString::number(r1After)));
    QVERIFY(Journal::unfinished().isEmpty());
}

// Pods that never come (the StatefulSet is not scaled): the wait ends after the step timeout without
// progress, naming what it waited for and where to look.
void TestOperations::stalledWait_timesOutSayingWhatDidNotHappenAndWhereToLook()
{
    ops::Plan plan =
        oneStepPlan(ops::OperationKind::ScaleOut, Step::Kind::WaitPodsReady, u"wait for 9 pods Ready"_s);
    plan.steps.first().replicas = 9;
    plan.steps.first().pods = {u"tdengine-8"_s};
    ops::Executor executor(m_client.get(), m_passwords.get());
    executor.setPollInterval(50);
    executor.setStepTimeout(6000); // the row counts before it take a few seconds on real taosd
    QString stepMessage;
    connect(&executor, &ops::Executor::stepFinished, this,
            [&stepMessage](int, bool, const QString &text) { stepMessage = text; });
    Ending ending;
    watchEnding(&executor, &ending);
    const auto abandon = abandonUnfinishedOnExit();
    executor.start(plan);
    QVERIFY(QTest::qWaitFor([&ending] { return ending.ok.has_value(); }, kWaitMs * 3));
    QVERIFY(!*ending.ok);
    const QString &message = ending.message;
    QVERIFY2(stepMessage.startsWith(u"No progress for "_s) &&
                 stepMessage.contains(u"still waiting for 9 pods Ready (3 are)"_s) &&
                 stepMessage.contains(u"kubectl describe pod tdengine-8"_s),
             qPrintable(stepMessage + u" / "_s + message));
    QCOMPARE(podNames().size(), 3);
}

void TestOperations::unfinishedOperation_abandoned_noLongerOffered()
{
    const ops::Plan plan =
        oneStepPlan(ops::OperationKind::Repair, Step::Kind::Verify, u"verify the cluster"_s);
    const Journal journal = Journal::create(plan);
    QVERIFY(journal.isValid());

    MainWindow again;
    again.passwords()->setKeychainEnabled(false);
    again.openKubeconfig(kube::Kubeconfig::load({m_fixture.path(u"kubeconfig"_s)}), kContext, kNs);
    QCOMPARE(again.unfinishedOperations().size(), 1);
    QVERIFY2(again.resumeOffers()->offerText(journal.id()).contains(u"stopped before step 1 of 1"_s),
             qPrintable(again.resumeOffers()->offerText(journal.id())));
    QVERIFY(again.resumeOffers()->abandon(journal.id(), false));
    QVERIFY(again.unfinishedOperations().isEmpty());
    QVERIFY(Journal::unfinished().isEmpty());
    QCOMPARE(Journal::load(journal.path()).status(), Journal::Status::Abandoned);
}

// Cancel while a scale-out runs: the step under way finishes, the operation stops before the next
// one, says where, and stays in the journal; resumed, it ends where it would have.
void TestOperations::scaleOut_cancelledInTheWizard_stopsAtASafePoint_resumeFinishesIt()
{
    QCOMPARE(podNames().size(), 3);
    ScaleWizard *wizard = openWizard();
    QVERIFY(wizard);
    // The unsafe repair above left tdengine-3's claim: the scale-out deletes it first.
    wizard->targetPage()->deleteStaleClaimsBox()->setChecked(claimExists(u"taosdata-tdengine-3"_s));
    QVERIFY(showPlan(wizard, 4));
    const ops::Plan plan = wizard->planPage()->plan();
    QVERIFY2(!plan.blocked(), qPrintable(wizard->planPage()->planText()));
    wizard->planPage()->readBox()->setChecked(true);
    wizard->button(QWizard::CommitButton)->click();
    QCOMPARE(wizard->currentId(), int(ScaleWizard::RunPage));
    ui::OperationView *view = wizard->runPage()->view();
    QVERIFY(
        QTest::qWaitFor([view] { return view->cancelButton()->isEnabled() || view->isFinished(); }, kWaitMs));
    QVERIFY2(!view->isFinished(), qPrintable(view->resultText()));
    view->cancelButton()->click();
    QCOMPARE(view->cancelButton()->text(), u"Cancelling at the next safe point…"_s);
    QVERIFY(!view->cancelButton()->isEnabled());
    QVERIFY(QTest::qWaitFor([view] { return view->isFinished(); }, kRunMs));
    QVERIFY(!view->succeeded());
    QVERIFY2(view->resultText().contains(u"Cancelled before step "_s), qPrintable(view->resultText()));
    int done = 0;
    while (done < plan.steps.size() && view->stepState(done) == u"done")
        ++done;
    QVERIFY2(done >= 1 && done < plan.steps.size(), qPrintable(view->logText()));
    QVERIFY2(view->resultText().contains(u"step %1 of %2"_s.arg(done + 1).arg(plan.steps.size())),
             qPrintable(view->resultText()));
    QCOMPARE(wizard->currentPage()->title(), u"Cancelled"_s);
    grab(wizard, u"scale-cancelled"_s);
    wizard->button(QWizard::FinishButton)->click();
    QCOMPARE(Journal::unfinished().size(), 1);

    MainWindow again;
    again.passwords()->setKeychainEnabled(false);
    again.setOperationPollInterval(50);
    again.openKubeconfig(kube::Kubeconfig::load({m_fixture.path(u"kubeconfig"_s)}), kContext, kNs);
    QCOMPARE(again.unfinishedOperations().size(), 1);
    const QString id = again.unfinishedOperations().first().id();
    QVERIFY2(again.resumeOffers()->offerText(id).contains(u"stopped before step %1 of"_s.arg(done + 1)),
             qPrintable(again.resumeOffers()->offerText(id)));
    again.resumeOffers()->findChild<QPushButton *>(u"resumeOperation"_s)->click();
    auto *dialog = again.findChild<ui::OperationDialog *>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitFor([dialog] { return dialog->view()->isFinished(); }, kRunMs));
    QVERIFY2(dialog->view()->succeeded(), qPrintable(dialog->view()->logText()));
    QVERIFY(Journal::unfinished().isEmpty());
    QVERIFY(allReady(4));
    QCOMPARE(rowTotal(), kRows + kK1Rows);
}

// tdengine-2's claim deleted and its pod with it: the StatefulSet brings the pod back on a new, empty
// claim. Its dnode is ready again under its old id, but its vnodes are gone and TDengine does not
// rebuild them: the dashboard says so as data at risk, and Verify stops saying so instead of waiting.
void TestOperations::podBackOnEmptyClaim_dashboardSaysDataAtRisk_verifyStopsSayingSo()
{
    // On real taosd, at this test's time scale the pod is back within a second: the mnode, whose offline
    // check runs every 5 s (mndCheckDnodeOffline), never sees the dnode offline, and keeps the roles its
    // vnodes had (leader, follower) while they are gone; only the claim, newer than the dnode, tells.
    // When the pod stays away longer its vnodes turn `offline` (tst_realtaosd's claim test). The
    // simulator shows the second; tdkube reads both.
    // tdengine-3 holds no mnode (those stay on tdengine-0..2 since the mnode test) and, once r3b exists
    // over 4 dnodes, vnodes of it.
    if (podNames().size() != 4) {
        QVERIFY(await([&](QObject *context, kube::KubeClient::Done done) {
                    m_client->scale(kNs, kSet, 4, context, done);
                }).ok());
    }
    QTRY_VERIFY_WITH_TIMEOUT(allReady(4), kRunMs);
    const int dnode = dnodeOfPod(u"tdengine-3"_s);
    QVERIFY(dnode > 0);
    const QString failed = runAll({u"create database r3b replica 3 vgroups 4"_s,
                                   u"create table r3b.plain (ts timestamp, v int)"_s,
                                   u"insert into r3b.plain values (now, 1) (now+1s, 2)"_s});
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    const auto claimUid = [this] {
        const kube::KubeResponse response = await([&](QObject *context, kube::KubeClient::Done done) {
            m_client->get(kube::ResourceKind::persistentVolumeClaims(), kNs, u"taosdata-tdengine-3"_s,
                          context, done);
        });
        return response.httpStatus == 200 ? kube::uidOf(response.json()) : QString();
    };
    const QString oldClaim = claimUid();
    QVERIFY(!oldClaim.isEmpty());
    QDateTime started;
    for (const taos::Dnode &now : dnodes())
        started = now.id == dnode ? now.rebootTime : started;
    QVERIFY(started.isValid());
    for (const auto &[kind, name] :
         {std::pair{kube::ResourceKind::persistentVolumeClaims(), u"taosdata-tdengine-3"_s},
          std::pair{kube::ResourceKind::pods(), u"tdengine-3"_s}}) {
        const kube::KubeResponse deleted = await([&](QObject *context, kube::KubeClient::Done done) {
            m_client->remove(kind, kNs, name, {}, context, done);
        });
        QVERIFY2(deleted.ok(), qPrintable(deleted.error));
    }
    QTRY_VERIFY_WITH_TIMEOUT(!claimUid().isEmpty() && claimUid() != oldClaim, kRunMs);
    // A taosd started anew, on the new claim: the dnode's reboot time moves on.
    const auto restarted = [&] {
        for (const taos::Dnode &now : dnodes()) {
            if (now.id == dnode)
                return now.status == u"ready" && now.rebootTime > started;
        }
        return false;
    };
    QVERIFY2(QTest::qWaitFor(restarted, kRunMs), qPrintable(dnodeStates()));
    QTRY_VERIFY_WITH_TIMEOUT(allReady(4), kRunMs);
    QCOMPARE(dnodeOfPod(u"tdengine-3"_s), dnode); // the same dnode, back without its data

    m_window->showView(u"cluster"_s, kSet);
    ui::ClusterDashboard *dashboard = m_window->clusterView()->dashboard();
    const auto atRisk = [dashboard, dnode] {
        return !dashboard->warningTitles().filter(u"dnode %1 lost its vnodes"_s.arg(dnode)).isEmpty();
    };
    const bool warned = QTest::qWaitFor(atRisk, (taos::kLostVnodeGraceSeconds + 60) * 1000);
    const taos::QueryOutcome vgroups = sql(u"select * from information_schema.ins_vgroups"_s);
    QStringList onIt;
    for (const taos::Vgroup &vgroup : taos::vgroupsFrom(vgroups.result)) {
        for (const taos::Vnode &vnode : vgroup.vnodes) {
            if (vnode.dnodeId == dnode)
                onIt.append(u"vgroup %1 (%2) %3"_s.arg(vgroup.id).arg(vgroup.database, vnode.role));
        }
    }
    QVERIFY2(warned, qPrintable(u"warnings: "_s + dashboard->warningTitles().join(u"; "_s) +
                                u"; on dnode %1: "_s.arg(dnode) + onIt.join(u", "_s) + u"; dnodes: "_s +
                                dnodeStates()));
    grab(m_window.get(), u"dashboard-vnodes-lost"_s);

    const ops::Plan verifyOnly =
        oneStepPlan(ops::OperationKind::Repair, Step::Kind::Verify, u"verify the cluster"_s);
    ops::Executor executor(m_client.get(), m_passwords.get());
    executor.setPollInterval(50);
    Ending ending;
    watchEnding(&executor, &ending);
    const auto abandon = abandonUnfinishedOnExit();
    executor.start(verifyOnly);
    QVERIFY(QTest::qWaitFor([&ending] { return ending.ok.has_value(); }, kRunMs));
    QVERIFY(!*ending.ok);
    const QString &message = ending.message;
    // On real taosd the row count taken before any step may meet the empty dnode as a stale leader
    // first: then nothing is done, and the count's error says why.
    if (onRealTaosd() && message.startsWith(u"Could not count the rows of r3b"_s)) {
        QVERIFY2(message.contains(u"0x0503: Vnode is closed or removed"_s) &&
                     message.contains(u"nothing was changed"_s),
                 qPrintable(message));
        return;
    }
    QVERIFY2(message.contains(u"Data at risk: dnode %1 ("_s.arg(dnode)) &&
                 message.contains(u"(database r3b)"_s) && message.contains(u"`drop dnode %1`"_s.arg(dnode)),
             qPrintable(message));
    if (!onRealTaosd()) {
        QCOMPARE(count(u"r3b.plain"_s), 2); // still read from its other replicas
        return;
    }
    // Real TDengine may still send the read to the empty dnode, if it was the vgroup's leader: then it
    // fails with "Vnode is closed or removed" rather than answer from the other replicas.
    const taos::QueryOutcome rows = sql(u"select count(*) from r3b.plain"_s);
    QVERIFY2(rows.ok() ? rows.result.rowCount() == 1 && rows.result.int64(0, 0) == 2
                       : rows.error.code == 0x0503,
             qPrintable(rows.ok() ? u"%1 rows"_s.arg(rows.result.int64(0, 0)) : rows.error.describe()));
}

QTEST_MAIN(TestOperations)
#include "tst_operations.moc"
