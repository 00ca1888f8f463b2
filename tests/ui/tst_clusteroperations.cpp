// The cluster page's Operations tab against an in-process sandbox with a 3-dnode TDengine cluster: records
// written as another workstation writes them appear, change and go without a refresh; the selected one's
// steps; a take-over that waits out another workstation's lease, then runs the operation to its end; a
// watch the API server refuses says why; the history setting; and resume offers that learn from the
// cluster that another workstation finished or moved on an operation.
#include "clusteroperations.h"
#include "deploy/deploymonitor.h"
#include "kube/objects.h"
#include "operationview.h"
#include "ops/clusterrecord.h"
#include "ops/journal.h"
#include "ops/lease.h"
#include "resumeoffer.h"
#include "sandboxfixture.h"
#include "taos/passwordstore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFont>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTableView>
#include <QTableWidget>
#include <QTest>

#include <functional>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::kube::test;
using tdkube::ops::Journal;
using tdkube::ops::Plan;
using tdkube::ops::Step;
using tdkube::ui::ClusterOperations;
using tdkube::ui::OperationRecordModel;

namespace {

constexpr int kRunMs = 240000; // a safety net for a hung test, not a measure
const QString kContext = u"sandbox-admin"_s;
const QString kNs = u"opsui"_s;
const QString kSet = u"tdengine"_s;
const QString kColleague = u"colleague@elsewhere"_s;

Step step(Step::Kind kind, const QString &title, int replicas = 0)
{
    Step s;
    s.kind = kind;
    s.title = title;
    s.replicas = replicas;
    return s;
}

Plan scaleOutPlan(int from, int to)
{
    Plan plan;
    plan.kind = ops::OperationKind::ScaleOut;
    plan.context = u"colleagues-context"_s; // another kubeconfig's name of the same cluster
    plan.ns = kNs;
    plan.statefulSet = kSet;
    plan.fromReplicas = from;
    plan.toReplicas = to;
    plan.steps = {step(Step::Kind::ScaleStatefulSet, u"scale tdengine to %1 replicas"_s.arg(to), to),
                  step(Step::Kind::WaitPodsReady, u"wait for %1 pods Ready"_s.arg(to), to),
                  step(Step::Kind::WaitDnodesReady, u"wait for %1 dnodes ready"_s.arg(to), to)};
    return plan;
}

// An operation as another workstation's journal holds it (nothing of it is left on this one): `advance`
// moves it on from a new journal.
Journal journalElsewhere(const Plan &plan, const std::function<void(Journal &)> &advance)
{
    Journal journal = Journal::create(plan);
    if (advance)
        advance(journal);
    const Journal copy = Journal::fromJson(journal.toJson());
    QFile::remove(journal.path());
    return copy;
}

QJsonObject recordOf(const Journal &journal, const QString &startedBy, const QString &runBy)
{
    const QJsonObject labels{{ops::ClusterRecord::kManagedByLabel, u"tdkube"_s},
                             {ops::ClusterRecord::kClusterLabel, journal.plan().statefulSet},
                             {ops::ClusterRecord::kOperationLabel, ops::operationName(journal.plan().kind)},
                             {ops::ClusterRecord::kPhaseLabel, ops::operationPhase(journal)}};
    const QJsonObject annotations{{ops::ClusterRecord::kStartedByAnnotation, startedBy},
                                  {ops::ClusterRecord::kRunByAnnotation, runBy}};
    return {
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"ConfigMap"_s},
        {u"metadata"_s, QJsonObject{{u"name"_s, ops::recordName(journal.id())},
                                    {u"labels"_s, labels},
                                    {u"annotations"_s, annotations}}},
        {u"data"_s,
         QJsonObject{{ops::ClusterRecord::kJournalKey,
                      QString::fromUtf8(QJsonDocument(journal.toJson()).toJson(QJsonDocument::Compact))}}}};
}

QString localPath(const QString &id)
{
    return Journal::directory() + u'/' + id + u".json"_s;
}

} // namespace

class TestClusterOperations final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void recordWritten_appearsChangesPhaseLiveDeletedDisappears();
    void selectedOperation_stepsPaneShowsItsLog();
    void takeOver_cancelledWhileWaiting_nothingTaken();
    void takeOver_leaseHeldElsewhere_waitsThenRunsToTheEnd();
    void watchForbidden_tabSaysWhyAndWhatToAskFor();
    void historyBox_setsTheLimitKeptInTheCluster();
    void resumeOffers_recordFinishedElsewhere_noticeInsteadAndJournalFinished();
    void resumeOffers_recordAheadUnfinished_offerSaysWhereAbandonWritesRecord();
    void screenshot_fewRecordsOneUnfinished();

private:
    std::unique_ptr<ClusterOperations> tab();
    bool writeRecord(const Journal &journal, const QString &startedBy, const QString &runBy);
    bool deleteRecord(const QString &id);
    QJsonObject readRecord(const QString &id);
    QString cell(ClusterOperations *operations, const QString &id, int column);
    int readyPods();
    void grab(QWidget *widget, const QString &name);

    SandboxFixture m_fixture;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
};

void TestClusterOperations::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QDir(Journal::directory()).removeRecursively();
    QVERIFY(m_settingsDir.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QVERIFY(m_fixture.start({}, 0.02));
    kube::ConnectionSettings admin = m_fixture.admin();
    admin.contextName = kContext;
    m_client = std::make_unique<kube::KubeClient>(admin);
    m_passwords = std::make_unique<taos::PasswordStore>();
    m_passwords->setKeychainEnabled(false);

    QVERIFY(createNamespace(m_client.get(), kNs));
    QString error;
    QVERIFY2(applyManifests(m_client.get(), kNs, &error), qPrintable(error));
    deploy::DeployTarget target{kContext, kNs, kSet, 3, true};
    deploy::DeployMonitor monitor(m_client.get(), m_passwords.get(), target);
    monitor.setPollInterval(50);
    std::optional<bool> deployed;
    QString message;
    connect(&monitor, &deploy::DeployMonitor::finished, this, [&](bool ok, const QString &text) {
        deployed = ok;
        message = text;
    });
    monitor.start();
    QVERIFY(QTest::qWaitFor([&] { return deployed.has_value(); }, kRunMs));
    QVERIFY2(*deployed, qPrintable(message));
}

void TestClusterOperations::init()
{
    for (Journal journal : Journal::unfinished())
        QVERIFY(journal.abandon());
}

std::unique_ptr<ClusterOperations> TestClusterOperations::tab()
{
    auto operations = std::make_unique<ClusterOperations>();
    operations->setPollInterval(50);
    operations->resize(1300, 700);
    operations->setCluster(m_client.get(), m_passwords.get(), kContext, kNs, kSet);
    operations->show();
    return operations;
}

// Created as ClusterRecord creates it, or merge-patched over the one there.
bool TestClusterOperations::writeRecord(const Journal &journal, const QString &startedBy,
                                        const QString &runBy)
{
    const QJsonObject record = recordOf(journal, startedBy, runBy);
    const kube::KubeResponse created = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->create(kube::ResourceKind::configMaps(), kNs, record, context, done);
    });
    if (created.httpStatus != 409)
        return created.ok();
    return await([&](QObject *context, kube::KubeClient::Done done) {
               m_client->patch(kube::ResourceKind::configMaps(), kNs, ops::recordName(journal.id()),
                               QJsonDocument(record).toJson(QJsonDocument::Compact),
                               "application/merge-patch+json", context, done);
           })
        .ok();
}

bool TestClusterOperations::deleteRecord(const QString &id)
{
    return await([&](QObject *context, kube::KubeClient::Done done) {
               m_client->remove(kube::ResourceKind::configMaps(), kNs, ops::recordName(id), {}, context,
                                done);
           })
        .ok();
}

QJsonObject TestClusterOperations::readRecord(const QString &id)
{
    const kube::KubeResponse response = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->get(kube::ResourceKind::configMaps(), kNs, ops::recordName(id), context, done);
    });
    return response.ok() ? response.json() : QJsonObject();
}

// What the table shows in `column` of operation `id`'s row; empty when there is no such row.
QString TestClusterOperations::cell(ClusterOperations *operations, const QString &id, int column)
{
    const int row = operations->model()->rowOf(id);
    return row < 0 ? QString() : operations->table()->model()->index(row, column).data().toString();
}

int TestClusterOperations::readyPods()
{
    const kube::KubeResponse response = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->list(kube::ResourceKind::pods(), kNs, {}, context, done);
    });
    int ready = 0;
    for (const QJsonValue &pod : response.json().value(u"items").toArray())
        ready += kube::isPodReady(pod.toObject()) ? 1 : 0;
    return ready;
}

void TestClusterOperations::grab(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("TDKUBE_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(QDir(dir).filePath(name + u".png"_s));
}

void TestClusterOperations::recordWritten_appearsChangesPhaseLiveDeletedDisappears()
{
    auto operations = tab();
    QTRY_VERIFY_WITH_TIMEOUT(operations->summaryText().startsWith(u"No operation on tdengine is recorded"_s),
                             kWaitMs);
    QVERIFY(!operations->takeOverButton()->isEnabled());

    const Plan plan = scaleOutPlan(3, 7);
    const Journal journal = journalElsewhere(plan, [](Journal &j) { j.markRunning(0); });
    const QString id = journal.id();
    QVERIFY(writeRecord(journal, kColleague, kColleague));
    QTRY_COMPARE_WITH_TIMEOUT(operations->model()->rowCount(), 1, kWaitMs);
    using Model = OperationRecordModel;
    QCOMPARE(cell(operations.get(), id, Model::OperationColumn), plan.summary());
    QCOMPARE(cell(operations.get(), id, Model::PhaseColumn), u"running"_s);
    QCOMPARE(cell(operations.get(), id, Model::StartedByColumn), kColleague);
    QCOMPARE(cell(operations.get(), id, Model::RunByColumn), kColleague);
    QCOMPARE(cell(operations.get(), id, Model::WhereColumn),
             u"at step 1 of 3: scale tdengine to 7 replicas"_s);
    QCOMPARE(cell(operations.get(), id, Model::StartedColumn),
             journal.created().toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s));
    const QModelIndex first = operations->table()->model()->index(0, 0);
    QVERIFY(first.data(Qt::FontRole).value<QFont>().bold()); // unfinished stands out
    QCOMPARE(operations->summaryText(), u"Operations on tdengine recorded in the cluster: 1. Unfinished: 1, "
                                        u"last run by colleague@elsewhere."_s);
    QCOMPARE(operations->selectedId(), id); // the newest is selected
    QVERIFY(operations->takeOverButton()->isEnabled());

    // A newer one goes on top.
    const Journal newer = journalElsewhere(scaleOutPlan(3, 8), {});
    QVERIFY(writeRecord(newer, kColleague, kColleague));
    QTRY_COMPARE_WITH_TIMEOUT(operations->model()->rowCount(), 2, kWaitMs);
    QCOMPARE(operations->model()->rowOf(newer.id()), 0);
    QCOMPARE(operations->model()->rowOf(id), 1);
    QVERIFY(deleteRecord(newer.id()));
    QTRY_COMPARE_WITH_TIMEOUT(operations->model()->rowCount(), 1, kWaitMs);

    // Its step failed there: stopped, saying where and why.
    QJsonObject json = journal.toJson();
    QJsonArray steps = json.value(u"steps").toArray();
    QJsonObject failedStep = steps.at(0).toObject();
    failedStep.insert(u"state"_s, u"failed"_s);
    failedStep.insert(u"message"_s, u"quota exceeded"_s);
    steps.replace(0, failedStep);
    json.insert(u"steps"_s, steps);
    QVERIFY(writeRecord(Journal::fromJson(json), kColleague, kColleague));
    QTRY_COMPARE_WITH_TIMEOUT(cell(operations.get(), id, Model::PhaseColumn), u"stopped"_s, kWaitMs);
    QCOMPARE(cell(operations.get(), id, Model::WhereColumn),
             u"failed at step 1 of 3: scale tdengine to 7 replicas: quota exceeded"_s);

    // Abandoned there: no longer unfinished, nothing to take over.
    json.insert(u"status"_s, u"abandoned"_s);
    QVERIFY(writeRecord(Journal::fromJson(json), kColleague, u"boss@office"_s));
    QTRY_COMPARE_WITH_TIMEOUT(cell(operations.get(), id, Model::PhaseColumn), u"abandoned"_s, kWaitMs);
    QCOMPARE(cell(operations.get(), id, Model::RunByColumn), u"boss@office"_s);
    QCOMPARE(operations->summaryText(),
             u"Operations on tdengine recorded in the cluster: 1. None is unfinished."_s);
    QVERIFY(!operations->table()->model()->index(0, 0).data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(!operations->takeOverButton()->isEnabled());

    QVERIFY(deleteRecord(id));
    QTRY_COMPARE_WITH_TIMEOUT(operations->model()->rowCount(), 0, kWaitMs);
    QVERIFY(operations->summaryText().startsWith(u"No operation on tdengine is recorded"_s));
    QVERIFY(operations->problemText().isEmpty());
}

void TestClusterOperations::selectedOperation_stepsPaneShowsItsLog()
{
    auto operations = tab();
    const Journal older = journalElsewhere(scaleOutPlan(3, 5), [](Journal &j) {
        j.markRunning(0);
        j.markDone(0, u"scaled"_s);
        j.markRunning(1);
        j.markFailed(1, u"pod tdengine-4 stays Pending"_s);
    });
    const Journal newer = journalElsewhere(scaleOutPlan(3, 6), {});
    QVERIFY(writeRecord(older, kColleague, kColleague));
    QVERIFY(writeRecord(newer, kColleague, kColleague));
    QTRY_COMPARE_WITH_TIMEOUT(operations->model()->rowCount(), 2, kWaitMs);
    QTableWidget *steps = operations->steps();

    operations->selectOperation(older.id());
    QCOMPARE(steps->rowCount(), 3);
    QCOMPARE(steps->item(0, 0)->text(), u"1"_s);
    QCOMPARE(steps->item(0, 1)->text(), u"scale tdengine to 5 replicas"_s);
    QCOMPARE(steps->item(0, 2)->text(), u"done"_s);
    QCOMPARE(steps->item(0, 3)->text(),
             older.steps().at(0).started.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s));
    QVERIFY(!steps->item(0, 4)->text().isEmpty());
    QCOMPARE(steps->item(0, 5)->text(), u"scaled"_s);
    QCOMPARE(steps->item(1, 2)->text(), u"failed"_s);
    QCOMPARE(steps->item(1, 5)->text(), u"pod tdengine-4 stays Pending"_s);
    QCOMPARE(steps->item(2, 2)->text(), u"pending"_s);
    QVERIFY(steps->item(2, 3)->text().isEmpty());

    operations->selectOperation(newer.id());
    QCOMPARE(steps->rowCount(), 3);
    QCOMPARE(steps->item(0, 1)->text(), u"scale tdengine to 6 replicas"_s);
    QCOMPARE(steps->item(0, 2)->text(), u"pending"_s);

    // The selected one's log follows its record.
    QJsonObject json = newer.toJson();
    QJsonArray records = json.value(u"steps").toArray();
    records.replace(0, QJsonObject{{u"state"_s, u"running"_s}, {u"message"_s, u"scaling"_s}});
    json.insert(u"steps"_s, records);
    QVERIFY(writeRecord(Journal::fromJson(json), kColleague, kColleague));
    QTRY_COMPARE_WITH_TIMEOUT(steps->item(0, 2)->text(), u"running"_s, kWaitMs);
    QCOMPARE(steps->item(0, 5)->text(), u"scaling"_s);

    QVERIFY(deleteRecord(older.id()));
    QVERIFY(deleteRecord(newer.id()));
    QTRY_COMPARE_WITH_TIMEOUT(operations->model()->rowCount(), 0, kWaitMs);
}

void TestClusterOperations::takeOver_cancelledWhileWaiting_nothingTaken()
{
    const Journal journal = journalElsewhere(scaleOutPlan(3, 4), [](Journal &j) { j.markRunning(0); });
    const QString id = journal.id();
    QVERIFY(writeRecord(journal, kColleague, kColleague));
    ops::Lease lease(m_client.get(), kNs, kSet, id, u"scale-out"_s);
    lease.setHolder(kColleague + u"/42/"_s + id);
    std::optional<bool> held;
    connect(&lease, &ops::Lease::acquired, this, [&held](bool ok) { held = ok; });
    lease.acquire();
    QVERIFY(QTest::qWaitFor([&held] { return held.has_value(); }, kWaitMs));
    QVERIFY(*held);

    auto operations = tab();
    QTRY_VERIFY_WITH_TIMEOUT(operations->model()->rowOf(id) >= 0, kWaitMs);
    operations->selectOperation(id);
    operations->takeOverButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(operations->takeOverText().contains(u"is held by colleague@elsewhere until "_s),
                             kWaitMs);
    operations->cancelTakeOverButton()->click();
    QCOMPARE(operations->takeOverText(), u"Take-over cancelled; nothing was changed."_s);
    QVERIFY(!operations->cancelTakeOverButton()->isVisible());
    QVERIFY(operations->takeOverButton()->isEnabled());
    QTest::qWait(1200); // a countdown tick or a lease answer after the cancel changes nothing
    QCOMPARE(operations->takeOverText(), u"Take-over cancelled; nothing was changed."_s);
    QVERIFY(!operations->findChild<QMessageBox *>());
    QVERIFY(!QFile::exists(localPath(id)));

    std::optional<bool> released;
    connect(&lease, &ops::Lease::released, this, [&released](bool ok) { released = ok; });
    lease.release();
    QVERIFY(QTest::qWaitFor([&released] { return released.has_value(); }, kWaitMs));
    QVERIFY(deleteRecord(id));
}

// The issue's take-over: a colleague's scale-out stopped during its first step, its lease not yet expired.
void TestClusterOperations::takeOver_leaseHeldElsewhere_waitsThenRunsToTheEnd()
{
    const Plan plan = scaleOutPlan(3, 4);
    const Journal journal = journalElsewhere(plan, [](Journal &j) { j.markRunning(0); });
    const QString id = journal.id();
    QVERIFY(writeRecord(journal, kColleague, kColleague));
    auto operations = tab();
    QTRY_VERIFY_WITH_TIMEOUT(operations->model()->rowOf(id) >= 0, kWaitMs);
    operations->selectOperation(id);
    QVERIFY(operations->takeOverButton()->isEnabled());

    QElapsedTimer clock;
    clock.start();
    {
        ops::Lease lease(m_client.get(), kNs, kSet, id, u"scale-out"_s);
        lease.setHolder(kColleague + u"/42/"_s + id);
        lease.setDuration(3000); // written in whole seconds: it expires 2 to 3 s from now
        std::optional<bool> held;
        connect(&lease, &ops::Lease::acquired, this, [&held](bool ok) { held = ok; });
        lease.acquire();
        QVERIFY(QTest::qWaitFor([&held] { return held.has_value(); }, kWaitMs));
        QVERIFY(*held);
    } // gone without a release, as when the colleague's tdkube was killed
    operations->takeOverButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(operations->takeOverText().contains(u"is held by colleague@elsewhere until "_s),
                             kWaitMs);
    const QString waiting = operations->takeOverText();
    QVERIFY2(waiting.contains(u"it may still be running there"_s), qPrintable(waiting));
    QVERIFY(operations->cancelTakeOverButton()->isVisible());
    QVERIFY(!operations->takeOverButton()->isEnabled());
    QVERIFY(!QFile::exists(localPath(id)));
    grab(operations.get(), u"operations-takeover-waiting"_s);

    QMessageBox *confirmation = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (confirmation = operations->findChild<QMessageBox *>(u"takeOverConfirmation"_s)) != nullptr, kWaitMs);
    QVERIFY2(clock.elapsed() >= 1800, "asked before the colleague's lease expired");
    QVERIFY2(confirmation->text().contains(plan.summary()) &&
                 confirmation->text().contains(u"last run by colleague@elsewhere"_s),
             qPrintable(confirmation->text()));
    QVERIFY(!QFile::exists(localPath(id))); // nothing is taken before the person agrees
    confirmation->button(QMessageBox::Yes)->click();

    const Journal adopted = Journal::load(localPath(id));
    QVERIFY(adopted.isValid());
    QCOMPARE(adopted.plan().context, kContext); // this kubeconfig's name of the cluster
    auto *dialog = operations->findChild<ui::OperationDialog *>();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    ui::OperationView *view = dialog->view();
    QVERIFY(QTest::qWaitFor([view] { return view->isFinished(); }, kRunMs));
    QVERIFY2(view->succeeded(), qPrintable(view->resultText() + u"\n"_s + view->logText()));
    QCOMPARE(Journal::load(localPath(id)).status(), Journal::Status::Finished);
    QCOMPARE(readyPods(), 4);
    const kube::KubeResponse set = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->get(kube::ResourceKind::statefulSets(), kNs, kSet, context, done);
    });
    QCOMPARE(set.json().value(u"spec").toObject().value(u"replicas").toInt(), 4);

    // The tab follows the record this workstation now writes.
    using Model = OperationRecordModel;
    QTRY_COMPARE_WITH_TIMEOUT(cell(operations.get(), id, Model::PhaseColumn), u"finished"_s, kWaitMs);
    QCOMPARE(cell(operations.get(), id, Model::StartedByColumn), kColleague);
    QCOMPARE(cell(operations.get(), id, Model::RunByColumn),
             u"sandbox-admin@"_s + QSysInfo::machineHostName());
    QVERIFY(operations->takeOverText().contains(u"was taken over"_s));
    QPointer<ui::OperationDialog> alive = dialog;
    dialog->close();
    QVERIFY(QTest::qWaitFor([&alive] { return !alive; }, kWaitMs));
}

// sandbox-operator may list and watch ConfigMaps (only not write them), so the refusal is the API
// server's injected 403, as a user without the right to list them gets it.
void TestClusterOperations::watchForbidden_tabSaysWhyAndWhatToAskFor()
{
    QVERIFY(control(m_client.get(), u"faults"_s, {{u"failRequests"_s, 1}, {u"failCode"_s, 403}}).ok());
    auto operations = tab();
    QTRY_VERIFY_WITH_TIMEOUT(!operations->problemText().isEmpty(), kWaitMs);
    const QString problem = operations->problemText();
    QVERIFY2(problem.startsWith(u"The operations recorded in the cluster cannot be shown: "_s) &&
                 problem.contains(u"access denied"_s) &&
                 problem.contains(u"the right to list and watch ConfigMaps there"_s) &&
                 problem.contains(u"namespace opsui"_s),
             qPrintable(problem));
    QVERIFY(operations->findChild<QLabel *>(u"operationsProblem"_s)->isVisible());
    grab(operations.get(), u"operations-forbidden"_s);
}

void TestClusterOperations::historyBox_setsTheLimitKeptInTheCluster()
{
    QCOMPARE(ops::ClusterRecord::historyLimit(), ops::ClusterRecord::kDefaultHistoryLimit);
    auto operations = tab();
    QCOMPARE(operations->historyBox()->value(), ops::ClusterRecord::kDefaultHistoryLimit);
    operations->historyBox()->setValue(7);
    QCOMPARE(ops::ClusterRecord::historyLimit(), 7);
    auto again = tab();
    QCOMPARE(again->historyBox()->value(), 7);
    again->historyBox()->setValue(ops::ClusterRecord::kDefaultHistoryLimit);
    QCOMPARE(ops::ClusterRecord::historyLimit(), ops::ClusterRecord::kDefaultHistoryLimit);
}

// This workstation's journal stopped before step 1; the colleague took it over and finished it.
void TestClusterOperations::resumeOffers_recordFinishedElsewhere_noticeInsteadAndJournalFinished()
{
    Plan plan = scaleOutPlan(3, 9);
    plan.context = kContext;
    Journal journal = Journal::create(plan);
    const QJsonObject local = journal.toJson();
    for (int i = 0; i < plan.steps.size(); ++i) {
        journal.markRunning(i);
        journal.markDone(i, u"done there"_s);
    }
    journal.finish();
    const Journal finished = Journal::fromJson(journal.toJson());
    QVERIFY(Journal::adopt(Journal::fromJson(local), kContext).isValid()); // this workstation's, as it was
    QCOMPARE(Journal::unfinished().size(), 1);
    QVERIFY(writeRecord(finished, u"sandbox-admin@"_s + QSysInfo::machineHostName(), kColleague));

    ui::ResumeOffers offers;
    offers.setScope(m_client.get(), m_passwords.get(), kContext);
    const QString id = journal.id();
    QVERIFY(!offers.offerText(id).isEmpty()); // offered from the journal at once
    QTRY_VERIFY_WITH_TIMEOUT(!offers.noticeText(id).isEmpty(), kWaitMs);
    QCOMPARE(offers.noticeText(id),
             u"Operation %1 (%2) was finished on another workstation by "
             u"colleague@elsewhere (recorded in the cluster)."_s.arg(id, plan.summary()));
    QVERIFY(offers.offerText(id).isEmpty());
    QVERIFY(offers.operations().isEmpty());
    QVERIFY(offers.findChild<QPushButton *>(u"resumeOperation"_s) == nullptr ||
            !offers.findChild<QPushButton *>(u"resumeOperation"_s)->isVisibleTo(&offers));
    QCOMPARE(Journal::load(localPath(id)).status(), Journal::Status::Finished);
    QVERIFY(Journal::unfinished().isEmpty());

    offers.show();
    auto *dismiss = offers.findChild<QPushButton *>(u"dismissNotice"_s);
    QVERIFY(dismiss);
    dismiss->click();
    QVERIFY(offers.noticeText(id).isEmpty());
    QVERIFY(!offers.isVisible());
    QVERIFY(deleteRecord(id));
}

// The colleague ran two more steps and stopped: the offer says where the record says it is; abandoning it
// here tells the cluster.
void TestClusterOperations::resumeOffers_recordAheadUnfinished_offerSaysWhereAbandonWritesRecord()
{
    Plan plan = scaleOutPlan(3, 9);
    plan.context = kContext;
    Journal journal = Journal::create(plan);
    const QJsonObject local = journal.toJson();
    journal.markRunning(0);
    journal.markDone(0, u"scaled there"_s);
    journal.markRunning(1);
    const Journal ahead = Journal::fromJson(journal.toJson());
    QVERIFY(Journal::adopt(Journal::fromJson(local), kContext).isValid());
    QVERIFY(writeRecord(ahead, kColleague, kColleague));

    ui::ResumeOffers offers;
    offers.setScope(m_client.get(), m_passwords.get(), kContext);
    const QString id = journal.id();
    QVERIFY2(offers.offerText(id).contains(u"stopped before step 1 of 3"_s),
             qPrintable(offers.offerText(id)));
    QTRY_VERIFY_WITH_TIMEOUT(offers.offerText(id).contains(u"stopped during step 2 of 3"_s), kWaitMs);
    QVERIFY2(
        offers.offerText(id).contains(u"Another workstation (colleague@elsewhere) ran it further since"_s),
        qPrintable(offers.offerText(id)));
    QCOMPARE(Journal::load(localPath(id)).resumeIndex(), 1);
    QCOMPARE(offers.operations().size(), 1);

    QVERIFY(offers.abandon(id, false));
    QCOMPARE(Journal::load(localPath(id)).status(), Journal::Status::Abandoned);
    QTRY_COMPARE_WITH_TIMEOUT(kube::metadataOf(readRecord(id))
                                  .value(u"labels")
                                  .toObject()
                                  .value(ops::ClusterRecord::kPhaseLabel)
                                  .toString(),
                              u"abandoned"_s, kWaitMs);
    QCOMPARE(kube::metadataOf(readRecord(id))
                 .value(u"annotations")
                 .toObject()
                 .value(ops::ClusterRecord::kRunByAnnotation)
                 .toString(),
             u"sandbox-admin@"_s + QSysInfo::machineHostName());
    QVERIFY(deleteRecord(id));
}

// TDKUBE_SCREENSHOT_DIR=DIR saves the tab with a few records, one of them unfinished, to be looked at.
void TestClusterOperations::screenshot_fewRecordsOneUnfinished()
{
    auto operations = tab();
    const Journal done = journalElsewhere(scaleOutPlan(3, 5), [](Journal &j) {
        for (int i = 0; i < 3; ++i) {
            j.markRunning(i);
            j.markDone(i, u"ok"_s);
        }
        j.finish();
    });
    const Journal abandoned = journalElsewhere(scaleOutPlan(5, 6), [](Journal &j) { j.abandon(); });
    const Journal stopped = journalElsewhere(scaleOutPlan(4, 6), [](Journal &j) {
        j.markRunning(0);
        j.markDone(0, u"spec.replicas is 6"_s);
        j.markRunning(1);
        j.markFailed(1, u"no progress for 10 min: 5 of 6 pods Ready; pod tdengine-5 is Pending (Insufficient "
                        u"memory): kubectl describe pod tdengine-5 -n opsui"_s);
    });
    QVERIFY(writeRecord(done, kColleague, kColleague));
    QVERIFY(writeRecord(abandoned, u"sandbox-admin@"_s + QSysInfo::machineHostName(), u"boss@office"_s));
    QVERIFY(writeRecord(stopped, kColleague, kColleague));
    QTRY_VERIFY_WITH_TIMEOUT(operations->model()->rowCount() >= 3, kWaitMs);
    operations->selectOperation(stopped.id());
    QTest::qWait(200);
    grab(operations.get(), u"operations-tab"_s);
}

QTEST_MAIN(TestClusterOperations)
#include "tst_clusteroperations.moc"
