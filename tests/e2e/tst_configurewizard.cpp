// The Configure wizard of the cluster page through the real widgets, offscreen, against an in-process
// sandbox (a simulated 3-dnode cluster deployed from manifests/, with a replica-3 database): the settings
// the ConfigMap gives the pods, a change typed into them, the plan (findings and steps), the run, and what
// the cluster holds afterwards (the ConfigMap, every pod on the StatefulSet's new revision, the value each
// dnode runs with). A refused setting cannot be started; a cancel stops between two pods, the StatefulSet
// holding the rest on the old configuration, and a resume finishes it.
#include "clusterview.h"
#include "configurewizard.h"
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
#include "taos/passwordstore.h"
#include "taos/restclient.h"
#include "taos/snapshotpoller.h"
#include "upgradeimagepage.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QLineEdit>
#include <QPushButton>
#include <QScopeGuard>
#include <QSettings>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::kube::test;
using tdkube::ops::Journal;
using tdkube::ops::Step;
using tdkube::ui::ConfigureSettingsPage;
using tdkube::ui::ConfigureWizard;
using tdkube::ui::MainWindow;
using tdkube::ui::UpgradeImagePage;

namespace {

constexpr int kRunMs = 240000; // a safety net for a hung test, not a measure
const QString kContext = u"sandbox-admin"_s;
const QString kNs = u"cfgui"_s;
const QString kSet = u"tdengine"_s;
const QString kConfigMap = u"tdengine-taoscfg"_s;
const QStringList kPods{u"tdengine-2"_s, u"tdengine-1"_s, u"tdengine-0"_s}; // the order they restart in

// What a test leaves unfinished is not offered to the ones after it, even when it fails.
auto abandonUnfinishedOnExit()
{
    return qScopeGuard([] {
        for (Journal journal : Journal::unfinished())
            journal.abandon();
    });
}

QList<Step::Kind> kindsOf(const ops::Plan &plan)
{
    QList<Step::Kind> kinds;
    for (const Step &step : plan.steps)
        kinds.append(step.kind);
    return kinds;
}

} // namespace

class TestConfigureWizard final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void timezone_refusedOnThePlan_startDisabled();
    void supportVnodesAndDebugFlag_run_everyPodOnTheNewRevisionEveryDnodeWithTheValues();
    void cancelledDuringTheFirstPod_othersHeldOnTheOldRevision_resumeFinishes();
    void configMapMissing_settingsPageSaysWhyNextDisabled();
    void upgrade_jumpRefusedAsTyped_thenRolledOntoTheNewImage();

private:
    ConfigureWizard *openWizard(bool upgrade = false);
    bool showPlan(ConfigureWizard *wizard);
    bool start(ConfigureWizard *wizard);
    void close(ConfigureWizard *wizard);
    void grab(QWidget *widget, const QString &name);
    taos::QueryOutcome sql(const QString &statement);
    QJsonObject statefulSet();
    QMap<QString, QString> podRevisions(); // pod -> its controller-revision-hash
    QString configValue(const QString &variable);
    QList<taos::Dnode> dnodes();
    QMap<int, QString> dnodeVariable(const QString &name); // dnode id -> the value it runs with
    qint64 rows();

    SandboxFixture m_fixture;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
    std::unique_ptr<MainWindow> m_window;
};

void TestConfigureWizard::initTestCase()
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
            QSKIP("the run on real taosd needs a TDengine build: TDKUBE_REAL_TAOSD=DIR");
    }
    QVERIFY(m_fixture.start({}, 0.02, taosd));
    kube::ConnectionSettings admin = m_fixture.admin();
    admin.contextName = kContext; // the kubeconfig's name: journals name the context they ran on
    m_client = std::make_unique<kube::KubeClient>(admin);
    m_passwords = std::make_unique<taos::PasswordStore>();
    m_passwords->setKeychainEnabled(false);

    QVERIFY(createNamespace(m_client.get(), kNs));
    QString error;
    QVERIFY2(applyManifests(m_client.get(), kNs, &error), qPrintable(error));
    deploy::DeployMonitor monitor(m_client.get(), m_passwords.get(),
                                  deploy::DeployTarget{kContext, kNs, kSet, 3, true});
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
    for (const QString &statement :
         {u"create database r3 replica 3 vgroups 4"_s, u"create table r3.plain (ts timestamp, v int)"_s,
          u"insert into r3.plain values (now, 1) (now+1s, 2) (now+2s, 3)"_s}) {
        const taos::QueryOutcome outcome = sql(statement);
        QVERIFY2(outcome.ok(), qPrintable(statement + u": "_s + outcome.error.describe()));
    }

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

void TestConfigureWizard::cleanupTestCase()
{
    m_window.reset();
}

// "Configure…" (or "Upgrade…") on the cluster page, as a person clicks it; waits until the cluster was read.
ConfigureWizard *TestConfigureWizard::openWizard(bool upgrade)
{
    m_window->showView(u"cluster"_s, kSet);
    (upgrade ? m_window->clusterView()->upgradeButton() : m_window->clusterView()->configureButton())
        ->click();
    const QList<ConfigureWizard *> wizards = m_window->findChildren<ConfigureWizard *>();
    if (wizards.isEmpty())
        return nullptr;
    ConfigureWizard *wizard = wizards.last();
    if (!QTest::qWaitFor([wizard] { return wizard->hasFacts(); }, kWaitMs * 3))
        return nullptr;
    return wizard;
}

// Next, and the plan of the cluster read again.
bool TestConfigureWizard::showPlan(ConfigureWizard *wizard)
{
    QAbstractButton *next = wizard->button(QWizard::NextButton);
    if (!next->isEnabled())
        return false;
    next->click();
    return QTest::qWaitFor(
        [wizard] {
            return wizard->currentId() == ConfigureWizard::PlanPage && wizard->planPage()->isReady();
        },
        kWaitMs * 3);
}

// "I have read the plan" and Start: the run page.
bool TestConfigureWizard::start(ConfigureWizard *wizard)
{
    wizard->planPage()->readBox()->setChecked(true);
    QAbstractButton *commit = wizard->button(QWizard::CommitButton);
    if (!commit->isVisible() || !commit->isEnabled() || commit->text() != u"Start")
        return false;
    commit->click();
    return wizard->currentId() == ConfigureWizard::RunPage;
}

void TestConfigureWizard::close(ConfigureWizard *wizard)
{
    QPointer<ConfigureWizard> gone = wizard;
    wizard->close();
    QVERIFY(QTest::qWaitFor([&gone] { return !gone; }, kWaitMs));
}

void TestConfigureWizard::grab(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("TDKUBE_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(QDir(dir).filePath(name + u".png"_s));
}

// One statement through a port-forward and REST client of the test's own.
taos::QueryOutcome TestConfigureWizard::sql(const QString &statement)
{
    return sqlThroughForward(m_client.get(), kNs, kSet, statement, kWaitMs * 6);
}

QJsonObject TestConfigureWizard::statefulSet()
{
    return await([&](QObject *context, kube::KubeClient::Done done) {
               m_client->get(kube::ResourceKind::statefulSets(), kNs, kSet, context, done);
           })
        .json();
}

QMap<QString, QString> TestConfigureWizard::podRevisions()
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

QString TestConfigureWizard::configValue(const QString &variable)
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

QList<taos::Dnode> TestConfigureWizard::dnodes()
{
    const taos::QueryOutcome outcome = sql(u"select * from information_schema.ins_dnodes"_s);
    return outcome.ok() ? taos::dnodesFrom(outcome.result) : QList<taos::Dnode>{};
}

QMap<int, QString> TestConfigureWizard::dnodeVariable(const QString &name)
{
    const taos::QueryOutcome outcome =
        sql(u"select * from information_schema.ins_dnode_variables where name = '%1'"_s.arg(name));
    QMap<int, QString> values;
    if (!outcome.ok())
        return values;
    qsizetype id = -1;
    qsizetype value = -1;
    for (qsizetype column = 0; column < outcome.result.columnCount(); ++column) {
        if (outcome.result.columns().at(column).name == u"dnode_id")
            id = column;
        else if (outcome.result.columns().at(column).name == u"value")
            value = column;
    }
    for (qsizetype row = 0; id >= 0 && value >= 0 && row < outcome.result.rowCount(); ++row)
        values.insert(int(outcome.result.int64(row, id)), outcome.result.text(row, value));
    return values;
}

qint64 TestConfigureWizard::rows()
{
    const taos::QueryOutcome outcome = sql(u"select count(*) from r3.plain"_s);
    return outcome.ok() && outcome.result.rowCount() == 1 ? outcome.result.int64(0, 0) : -1;
}

// timezone must match on every dnode: a change one pod at a time would stall half-way, so the plan
// refuses it, the page says why, and Start cannot be pressed.
void TestConfigureWizard::timezone_refusedOnThePlan_startDisabled()
{
    ConfigureWizard *wizard = openWizard();
    QVERIFY(wizard);
    grab(m_window.get(), u"configure-cluster-page"_s);
    ConfigureSettingsPage *settings = wizard->settingsPage();
    QVERIFY(!wizard->button(QWizard::NextButton)->isEnabled()); // nothing typed yet
    const int rowsBefore = settings->table()->rowCount();
    QCOMPARE(settings->rowOf(u"timezone"_s), -1);
    settings->addNameEdit()->setText(u"timezone"_s);
    settings->addValueEdit()->setText(u"UTC"_s);
    settings->addButton()->click();
    QCOMPARE(settings->table()->rowCount(), rowsBefore + 1);
    const int row = settings->rowOf(u"timezone"_s);
    QCOMPARE(row, rowsBefore);
    QCOMPARE(settings->text(row, ConfigureSettingsPage::CurrentColumn), u"not set"_s);
    QCOMPARE(settings->text(row, ConfigureSettingsPage::NewColumn), u"UTC"_s);
    const QString effect = settings->text(row, ConfigureSettingsPage::EffectColumn);
    QVERIFY2(effect.startsWith(u"refused: timezone must be the same on every dnode"_s), qPrintable(effect));
    QVERIFY(settings->addNameEdit()->text().isEmpty());
    grab(wizard, u"configure-settings-refused"_s);

    QVERIFY(showPlan(wizard));
    const ops::Plan plan = wizard->planPage()->plan();
    QVERIFY(plan.blocked());
    QVERIFY(plan.steps.isEmpty());
    const QString text = wizard->planPage()->planText();
    QVERIFY2(
        text.contains(u"Blocking: timezone must be the same on every dnode: the mnode keeps a dnode whose "
                      u"timezone differs offline"_s),
        qPrintable(text));
    QVERIFY2(text.contains(u"Fix: Change it in a maintenance window, with every pod restarted at once"_s),
             qPrintable(text));
    QVERIFY2(wizard->planPage()->statusText().startsWith(u"tdkube will not run this"_s),
             qPrintable(wizard->planPage()->statusText()));
    QVERIFY(wizard->planPage()->restartText().isEmpty());
    QVERIFY(!wizard->planPage()->readBox()->isEnabled());
    wizard->planPage()->readBox()->setChecked(true); // even so
    QAbstractButton *commit = wizard->button(QWizard::CommitButton);
    QVERIFY(commit->isVisible());
    QVERIFY(!commit->isEnabled());
    grab(wizard, u"configure-plan-refused"_s);
    close(wizard);
    QVERIFY(configValue(u"TAOS_TIMEZONE"_s).isEmpty());
    QVERIFY(Journal::unfinished().isEmpty());
}

void TestConfigureWizard::supportVnodesAndDebugFlag_run_everyPodOnTheNewRevisionEveryDnodeWithTheValues()
{
    const auto cleanup = abandonUnfinishedOnExit();
    const QString supportVnodes = configValue(u"TAOS_SUPPORT_VNODES"_s);
    const QString debugFlag = configValue(u"TAOS_DEBUG_FLAG"_s);
    QVERIFY(!supportVnodes.isEmpty() && supportVnodes != u"24");
    QVERIFY(!debugFlag.isEmpty() && debugFlag != u"135");
    const QString oldRevision = kube::valueAt(statefulSet(), u"status.updateRevision"_s).toString();
    QVERIFY(!oldRevision.isEmpty());

    ConfigureWizard *wizard = openWizard();
    QVERIFY(wizard);
    QCOMPARE(wizard->currentId(), int(ConfigureWizard::SettingsPage));
    ConfigureSettingsPage *settings = wizard->settingsPage();
    QVERIFY2(settings->summaryText().contains(u"ConfigMap tdengine-taoscfg gives the pods of tdengine"_s),
             qPrintable(settings->summaryText()));
    // The ConfigMap's TAOS_SUPPORT_VNODES, by its taos.cfg name.
    const int row = settings->rowOf(u"TAOS_SUPPORT_VNODES"_s);
    QVERIFY(row >= 0);
    QTableWidget *table = settings->table();
    QCOMPARE(table->item(row, ConfigureSettingsPage::NameColumn)->text(), u"supportVnodes"_s);
    QCOMPARE(table->item(row, ConfigureSettingsPage::CurrentColumn)->text(), supportVnodes);
    QVERIFY(table->item(row, ConfigureSettingsPage::NewColumn)->flags() & Qt::ItemIsEditable);
    QVERIFY(!(table->item(row, ConfigureSettingsPage::CurrentColumn)->flags() & Qt::ItemIsEditable));
    QCOMPARE(settings->text(settings->rowOf(u"debugFlag"_s), ConfigureSettingsPage::CurrentColumn),
             debugFlag);
    QVERIFY(settings->rowOf(u"fqdn"_s) < 0); // per pod, in the StatefulSet's env: not the ConfigMap's
    grab(wizard, u"configure-settings"_s);

    // Typed into the table, and debugFlag through "Add": it is in the ConfigMap, so its row takes it.
    table->item(row, ConfigureSettingsPage::NewColumn)->setText(u"24"_s);
    const int rowCount = table->rowCount();
    settings->addNameEdit()->setText(u"debugFlag"_s);
    settings->addValueEdit()->setText(u"135"_s);
    settings->addButton()->click();
    QCOMPARE(table->rowCount(), rowCount);
    const int debugRow = settings->rowOf(u"debugFlag"_s);
    QCOMPARE(settings->text(debugRow, ConfigureSettingsPage::NewColumn), u"135"_s);
    QCOMPARE(settings->text(row, ConfigureSettingsPage::EffectColumn),
             u"restarts every pod, one at a time"_s);
    QCOMPARE(settings->text(debugRow, ConfigureSettingsPage::EffectColumn), u"at once, without a restart"_s);
    QCOMPARE(settings->changes(),
             (QMap<QString, QString>{{u"TAOS_SUPPORT_VNODES"_s, u"24"_s}, {u"TAOS_DEBUG_FLAG"_s, u"135"_s}}));
    grab(wizard, u"configure-settings-typed"_s);

    QVERIFY(showPlan(wizard));
    const ops::Plan plan = wizard->planPage()->plan();
    QVERIFY2(!plan.blocked(), qPrintable(wizard->planPage()->planText()));
    QCOMPARE(plan.kind, ops::OperationKind::Configure);
    QCOMPARE(kindsOf(plan),
             (QList<Step::Kind>{Step::Kind::UpdateConfigMap, Step::Kind::AlterDnodes, Step::Kind::HoldRollout,
                                Step::Kind::RollPod, Step::Kind::RollPod, Step::Kind::RollPod,
                                Step::Kind::Verify}));
    const QString text = wizard->planPage()->planText();
    QVERIFY2(text.contains(u"Needs a restart: supportVnodes → 24: taosd reads it only when it starts"_s),
             qPrintable(text));
    QVERIFY2(
        text.contains(
            u"Applied at once: debugFlag → 135: applied at once on every dnode with `alter all dnodes`"_s),
        qPrintable(text));
    QStringList titles;
    for (const Step &step : plan.steps) {
        QVERIFY2(text.contains(step.title), qPrintable(step.title + u" not in\n"_s + text));
        QVERIFY2(text.contains(step.detail), qPrintable(step.detail + u" not in\n"_s + text));
        titles.append(step.title);
    }
    QCOMPARE(titles.at(0),
             u"set TAOS_DEBUG_FLAG=135, TAOS_SUPPORT_VNODES=24 in ConfigMap tdengine-taoscfg"_s);
    QCOMPARE(titles.at(2), u"give StatefulSet tdengine the new configuration, restarting no pod yet"_s);
    for (int i = 0; i < kPods.size(); ++i)
        QVERIFY2(titles.at(3 + i).startsWith(u"restart pod "_s + kPods.at(i) + u" (dnode "_s),
                 qPrintable(titles.at(3 + i)));
    QCOMPARE(titles.last(), u"verify the cluster"_s);
    const QString restart = wizard->planPage()->restartText();
    QVERIFY2(
        restart.startsWith(u"The pods restart one at a time, never two at once, in this order: tdengine-2, "
                           u"tdengine-1, tdengine-0. Before the next pod, tdkube waits until the restarted "
                           u"pod is Ready on the new configuration, its dnode is ready again"_s),
        qPrintable(restart));
    // Nothing runs before the plan was read, and nothing changed yet.
    QVERIFY(!wizard->button(QWizard::CommitButton)->isEnabled());
    QCOMPARE(configValue(u"TAOS_SUPPORT_VNODES"_s), supportVnodes);
    grab(wizard, u"configure-plan"_s);

    QVERIFY(start(wizard));
    ui::OperationView *view = wizard->runPage()->view();
    QVERIFY2(wizard->runPage()->cancelText().startsWith(u"Cancel stops after the pod restarting now"_s),
             qPrintable(wizard->runPage()->cancelText()));
    QVERIFY(
        QTest::qWaitFor([view] { return view->stepState(4) == u"running"_s || view->isFinished(); }, kRunMs));
    grab(wizard, u"configure-running"_s);
    QVERIFY(QTest::qWaitFor([view] { return view->isFinished(); }, kRunMs));
    QVERIFY2(view->succeeded(), qPrintable(view->resultText() + u"\n"_s + view->logText()));
    for (int i = 0; i < plan.steps.size(); ++i)
        QCOMPARE(view->stepState(i), u"done"_s);
    QCOMPARE(wizard->currentPage()->title(), u"Done"_s);
    QVERIFY2(
        wizard->currentPage()->subTitle().startsWith(u"Every pod was restarted on the new configuration"_s),
        qPrintable(wizard->currentPage()->subTitle()));
    QVERIFY(wizard->button(QWizard::FinishButton)->isEnabled());
    QVERIFY(!view->cancelButton()->isEnabled());
    grab(wizard, u"configure-finished"_s);

    // What the cluster holds: the ConfigMap, every pod on the new revision, every dnode with the values.
    QCOMPARE(configValue(u"TAOS_SUPPORT_VNODES"_s), u"24"_s);
    QCOMPARE(configValue(u"TAOS_DEBUG_FLAG"_s), u"135"_s);
    const QJsonObject set = statefulSet();
    const QString revision = kube::valueAt(set, u"status.updateRevision"_s).toString();
    QVERIFY(revision != oldRevision);
    QCOMPARE(kube::valueAt(set, u"spec.updateStrategy.rollingUpdate.partition"_s).toInt(-1), 0);
    const QMap<QString, QString> revisions = podRevisions();
    QCOMPARE(revisions.keys(), (QStringList{u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}));
    for (auto it = revisions.cbegin(); it != revisions.cend(); ++it)
        QVERIFY2(it.value() == revision, qPrintable(it.key() + u" is on "_s + it.value()));
    const QList<taos::Dnode> now = dnodes();
    QCOMPARE(now.size(), 3);
    for (const taos::Dnode &dnode : now) {
        QCOMPARE(dnode.status, u"ready"_s);
        QCOMPARE(dnode.supportVnodes, 24);
    }
    const QMap<int, QString> flags = dnodeVariable(u"debugFlag"_s);
    QCOMPARE(flags.size(), 3);
    for (auto it = flags.cbegin(); it != flags.cend(); ++it)
        QVERIFY2(it.value() == u"135",
                 qPrintable(u"dnode %1 runs with debugFlag %2"_s.arg(it.key()).arg(it.value())));
    QCOMPARE(rows(), 3);
    QVERIFY(Journal::unfinished().isEmpty());
    wizard->button(QWizard::FinishButton)->click();
}

// Cancel asked while tdengine-2 restarts: it comes back on the new configuration, tdengine-1 and -0 stay on
// the old one (the partition holds them), the page says so, and the main window's resume finishes the roll.
void TestConfigureWizard::cancelledDuringTheFirstPod_othersHeldOnTheOldRevision_resumeFinishes()
{
    const auto cleanup = abandonUnfinishedOnExit();
    const QString oldRevision = kube::valueAt(statefulSet(), u"status.updateRevision"_s).toString();
    ConfigureWizard *wizard = openWizard();
    QVERIFY(wizard);
    wizard->settingsPage()->setNewValue(u"supportVnodes"_s, u"32"_s);
    QVERIFY(showPlan(wizard));
    const ops::Plan plan = wizard->planPage()->plan();
    QVERIFY2(!plan.blocked() && plan.steps.size() == 6, qPrintable(wizard->planPage()->planText()));
    QCOMPARE(plan.steps.at(2).kind, Step::Kind::RollPod);
    QVERIFY(start(wizard));
    ui::OperationView *view = wizard->runPage()->view();
    QVERIFY(
        QTest::qWaitFor([view] { return view->stepState(2) == u"running"_s || view->isFinished(); }, kRunMs));
    QVERIFY2(!view->isFinished(), qPrintable(view->resultText()));
    QVERIFY(view->cancelButton()->isEnabled());
    view->cancelButton()->click();
    QVERIFY(QTest::qWaitFor([view] { return view->isFinished(); }, kRunMs));
    QVERIFY(!view->succeeded());
    QCOMPARE(view->stepState(2), u"done"_s);
    QCOMPARE(view->stepState(3), u"pending"_s);
    QCOMPARE(wizard->currentPage()->title(), u"Cancelled"_s);
    const QString said = wizard->currentPage()->subTitle();
    QVERIFY2(said.contains(u"The pods not restarted yet still run the old configuration, held there by the "
                           u"StatefulSet's partition: the cluster is consistent."_s),
             qPrintable(said));
    grab(wizard, u"configure-cancelled"_s);

    const QJsonObject set = statefulSet();
    QCOMPARE(kube::valueAt(set, u"spec.updateStrategy.rollingUpdate.partition"_s).toInt(), 2);
    const QString newRevision = kube::valueAt(set, u"status.updateRevision"_s).toString();
    QVERIFY(newRevision != oldRevision);
    const QMap<QString, QString> split = podRevisions();
    QCOMPARE(split.value(u"tdengine-2"_s), newRevision);
    QCOMPARE(split.value(u"tdengine-1"_s), oldRevision);
    QCOMPARE(split.value(u"tdengine-0"_s), oldRevision);
    wizard->button(QWizard::FinishButton)->click();
    QCOMPARE(Journal::unfinished().size(), 1);

    MainWindow again;
    again.passwords()->setKeychainEnabled(false);
    again.setOperationPollInterval(50);
    again.openKubeconfig(kube::Kubeconfig::load({m_fixture.path(u"kubeconfig"_s)}), kContext, kNs);
    QCOMPARE(again.unfinishedOperations().size(), 1);
    again.resumeOffers()->findChild<QPushButton *>(u"resumeOperation"_s)->click();
    auto *dialog = again.findChild<ui::OperationDialog *>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitFor([dialog] { return dialog->view()->isFinished(); }, kRunMs));
    QVERIFY2(dialog->view()->succeeded(), qPrintable(dialog->view()->logText()));
    QVERIFY(Journal::unfinished().isEmpty());
    for (const QString &revisionOfPod : podRevisions())
        QCOMPARE(revisionOfPod, newRevision);
    for (const taos::Dnode &dnode : dnodes())
        QCOMPARE(dnode.supportVnodes, 32);
    QCOMPARE(rows(), 3);
}

// The ConfigMap the pods read from is gone: the first page says so with the planner's reason and fix, and
// nothing can be typed or planned. The ConfigMap is put back afterwards.
void TestConfigureWizard::configMapMissing_settingsPageSaysWhyNextDisabled()
{
    const QJsonObject saved =
        await([&](QObject *context, kube::KubeClient::Done done) {
            m_client->get(kube::ResourceKind::configMaps(), kNs, kConfigMap, context, done);
        }).json();
    QVERIFY(!saved.isEmpty());
    QVERIFY(await([&](QObject *context, kube::KubeClient::Done done) {
                m_client->remove(kube::ResourceKind::configMaps(), kNs, kConfigMap, {}, context, done);
            }).ok());
    const auto restore = qScopeGuard([&] {
        const QJsonObject metadata{{u"name"_s, kConfigMap},
                                   {u"labels"_s, kube::valueAt(saved, u"metadata.labels"_s).toObject()}};
        const QJsonObject object{{u"apiVersion"_s, u"v1"_s},
                                 {u"kind"_s, u"ConfigMap"_s},
                                 {u"metadata"_s, metadata},
                                 {u"data"_s, saved.value(u"data")}};
        await([&](QObject *context, kube::KubeClient::Done done) {
            m_client->create(kube::ResourceKind::configMaps(), kNs, object, context, done);
        });
    });

    ConfigureWizard *wizard = openWizard();
    QVERIFY(wizard);
    ConfigureSettingsPage *settings = wizard->settingsPage();
    QCOMPARE(
        settings->summaryText(),
        u"tdkube cannot change the configuration of tdengine:\nConfigMap tdengine-taoscfg, which the pods of "
        u"tdengine read their settings from, does not exist.\nFix: Create it (kubectl create configmap "
        u"tdengine-taoscfg) or fix the StatefulSet's envFrom."_s);
    QVERIFY(!settings->table()->isEnabled());
    QVERIFY(!settings->addNameEdit()->isEnabled());
    settings->addNameEdit()->setText(u"debugFlag"_s);
    settings->addValueEdit()->setText(u"135"_s);
    QVERIFY(!settings->addButton()->isEnabled());
    QVERIFY(!wizard->button(QWizard::NextButton)->isEnabled());
    grab(wizard, u"configure-settings-no-configmap"_s);
    close(wizard);
}

// "Upgrade…": the page shows the image and the version TDengine answers; 3.3.6.6 is refused as typed (a
// jump TDengine cannot roll, with the stop-all way), 3.0.7.3 is an upgrade; the plan, Start, and every pod
// restarted onto it, each dnode running 3.0.7.3, the rows all there.
void TestConfigureWizard::upgrade_jumpRefusedAsTyped_thenRolledOntoTheNewImage()
{
    const auto cleanup = abandonUnfinishedOnExit();
    ConfigureWizard *wizard = openWizard(true);
    QVERIFY(wizard);
    QCOMPARE(wizard->windowTitle(), u"Upgrade TDengine cluster tdengine"_s);
    UpgradeImagePage *page = wizard->imagePage();
    QVERIFY(page);
    QCOMPARE(page->currentText(),
             u"The pods of tdengine run tdengine/tdengine:3.0.7.1; TDengine answers version 3.0.7.1."_s);
    QCOMPARE(page->imageEdit()->text(), u"tdengine/tdengine:3.0.7.1"_s);
    QVERIFY(!wizard->button(QWizard::NextButton)->isEnabled()); // the same image: nothing to do

    page->imageEdit()->setText(u"tdengine/tdengine:3.3.6.6"_s);
    QVERIFY2(page->assessmentText().startsWith(u"Refused: TDengine upgrades one dnode at a time only between "
                                               u"versions whose first three numbers are the same"_s),
             qPrintable(page->assessmentText()));
    QVERIFY2(page->assessmentText().contains(u"kubectl scale statefulset tdengine --replicas=0"_s),
             qPrintable(page->assessmentText()));
    grab(wizard, u"upgrade-image-refused"_s);

    page->imageEdit()->setText(u"tdengine/tdengine:3.0.7.3"_s);
    QVERIFY2(page->assessmentText().startsWith(u"TDengine 3.0.7.1 → 3.0.7.3"_s),
             qPrintable(page->assessmentText()));
    grab(wizard, u"upgrade-image"_s);
    QVERIFY(showPlan(wizard));
    const ops::Plan plan = wizard->planPage()->plan();
    QVERIFY2(!plan.blocked(), qPrintable(wizard->planPage()->planText()));
    QCOMPARE(plan.kind, ops::OperationKind::Upgrade);
    QCOMPARE(kindsOf(plan),
             (QList<Step::Kind>{Step::Kind::HoldRollout, Step::Kind::RollPod, Step::Kind::RollPod,
                                Step::Kind::RollPod, Step::Kind::Verify}));
    QVERIFY2(wizard->planPage()->restartText().startsWith(
                 u"The pods restart one at a time, never two at once, in this order: tdengine-2, tdengine-1, "
                 u"tdengine-0."_s),
             qPrintable(wizard->planPage()->restartText()));
    QVERIFY2(wizard->planPage()->restartText().contains(u"runs the new version"_s),
             qPrintable(wizard->planPage()->restartText()));
    QVERIFY2(wizard->planPage()->planText().contains(u"upgrade pod tdengine-2 (dnode 3) to 3.0.7.3"_s),
             qPrintable(wizard->planPage()->planText()));
    grab(wizard, u"upgrade-plan"_s);
    QVERIFY(start(wizard));
    QVERIFY2(wizard->runPage()->cancelText().contains(u"stay on the old image"_s),
             qPrintable(wizard->runPage()->cancelText()));
    std::optional<bool> finished;
    connect(wizard, &ConfigureWizard::operationFinished, this, [&finished](bool ok) { finished = ok; });
    QVERIFY(QTest::qWaitFor([&] { return finished.has_value(); }, kRunMs));
    QVERIFY(*finished);
    QCOMPARE(wizard->runPage()->title(), u"Done"_s);
    QVERIFY2(wizard->runPage()->subTitle().startsWith(u"Every pod was restarted on the new image"_s),
             qPrintable(wizard->runPage()->subTitle()));
    grab(wizard, u"upgrade-done"_s);
    close(wizard);

    const QString revision = kube::valueAt(statefulSet(), u"status.updateRevision"_s).toString();
    for (const QString &revisionOfPod : podRevisions())
        QCOMPARE(revisionOfPod, revision);
    QCOMPARE(kube::valueAt(statefulSet(), u"spec.template.spec.containers"_s)
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(u"image")
                 .toString(),
             u"tdengine/tdengine:3.0.7.3"_s);
    const QMap<int, QString> versions = dnodeVariable(u"version"_s);
    QCOMPARE(versions.size(), 3);
    for (const QString &version : versions)
        QCOMPARE(version, u"3.0.7.3"_s);
    QCOMPARE(rows(), 3);
}

QTEST_MAIN(TestConfigureWizard)
#include "tst_configurewizard.moc"
