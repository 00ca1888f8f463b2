// tdkube in Chinese (zh_CN), offscreen against an in-process sandbox with a 3-dnode TDengine cluster: the
// welcome page, the main window's views, the cluster's dashboard, console and operations, every page of the
// scale, repair, configure, upgrade and deploy wizards, the delete dialog and the object editor. Every
// visible label, button, group box, tab, placeholder and window title must be in Chinese (technical terms and
// names aside) and must fit its widget: a text wider than its label or button, or taller than its
// word-wrapped label, is clipped. With TDKUBE_SCREENSHOT_DIR each screen is saved as zh_CN-<name>.png to be
// looked at.
#include "clusterdashboard.h"
#include "clusteroperations.h"
#include "clusterview.h"
#include "configurewizard.h"
#include "deleteclusterdialog.h"
#include "deploy/deploymonitor.h"
#include "deployprogresspage.h"
#include "deployreviewpage.h"
#include "deploywizard.h"
#include "i18n/translations.h"
#include "kube/kubeconfig.h"
#include "languagebutton.h"
#include "mainwindow.h"
#include "objecteditordialog.h"
#include "operationview.h"
#include "ops/journal.h"
#include "sandboxfixture.h"
#include "scalewizard.h"
#include "sqlconsole.h"
#include "taos/passwordstore.h"
#include "upgradeimagepage.h"
#include "welcomepage.h"

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QGroupBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>
#include <QTextDocumentFragment>
#include <QTimer>
#include <QToolButton>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::kube::test;
using tdkube::ui::MainWindow;
using tdkube::ui::ScaleWizard;

namespace {

constexpr int kRunMs = 240000; // a safety net for a hung test, not a measure
const QString kContext = u"sandbox-admin"_s;
const QString kNs = u"ops"_s;
const QString kSet = u"tdengine"_s;

// Words a Chinese DBA reads in English too: TDengine's and Kubernetes' terms, names of programs and
// formats, and the values TDengine and Kubernetes show (a dnode's status, a pod's phase), which tdkube
// shows as they are.
const QSet<QString> &untranslatedTerms()
{
    static const QSet<QString> terms = [] {
        QSet<QString> set;
        for (const QString &term :
             u"tdengine tdkube taos taosd taosadapter taosx dnode dnodes mnode mnodes vgroup vgroups vnode "
             u"vnodes "
             "qnode snode kubernetes kubectl kubeconfig statefulset statefulsets configmap configmaps pod "
             "pods "
             "pvc pvcs persistentvolumeclaim persistentvolumeclaims namespace namespaces service services "
             "yaml json sql rest api https http tls url cpu ha id ok gib mib kib ms utc fqdn qt posix "
             "leader follower candidate learner offline ready running pending succeeded failed unknown "
             "error true false null none root admin sandbox ops default demo drop create alter show dnode "
             "force unsafe replica vgroups keep buffer pages wal"_s.split(u' ', Qt::SkipEmptyParts))
            set.insert(term);
        return set;
    }();
    return terms;
}

bool hasChinese(const QString &text)
{
    static const QRegularExpression han(u"\\p{Han}"_s);
    return han.match(text).hasMatch();
}

// The English words of `text` no Chinese sentence should keep: not inside `quotes` or <tags>, not parts
// of names (tdengine-0, ops/tdengine, 3.3.6.6, taos.cfg), not in the terms above.
QStringList englishWords(const QString &text)
{
    QString plain = text;
    plain.remove(QRegularExpression(u"`[^`]*`"_s));
    plain.remove(QRegularExpression(u"\\b(https?://|/)\\S*"_s));
    static const QRegularExpression word(u"(?<![\\w./:@=-])[A-Za-z]{2,}(?![\\w./:@=-])"_s);
    QStringList words;
    for (auto it = word.globalMatch(plain); it.hasNext();) {
        const QString found = it.next().captured();
        if (!untranslatedTerms().contains(found.toLower()))
            words.append(found);
    }
    return words;
}

// Left in English: a text with no Chinese and one word that should have been translated, or a Chinese
// text with a run of four such words (an English sentence glued in).
bool leftInEnglish(const QString &text)
{
    // SQL (the console's example statement) is what it is.
    static const QRegularExpression sql(
        u"^\\s*(show|select|create|drop|alter|insert|describe)\\b[^\\n]*;?\\s*$"_s,
        QRegularExpression::CaseInsensitiveOption);
    if (sql.match(text).hasMatch())
        return false;
    const QStringList words = englishWords(text);
    if (!hasChinese(text))
        return !words.isEmpty();
    static const QRegularExpression run(u"([A-Za-z]{2,}[ ,]+){3}[A-Za-z]{2,}"_s);
    QString stripped = text;
    stripped.remove(QRegularExpression(u"`[^`]*`"_s));
    for (auto it = run.globalMatch(stripped); it.hasNext();) {
        const QString found = it.next().captured();
        if (englishWords(found).size() >= 4)
            return true;
    }
    return false;
}

QString plainText(const QString &text)
{
    return Qt::mightBeRichText(text) ? QTextDocumentFragment::fromHtml(text).toPlainText() : text;
}

} // namespace

class TestChinese : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void languages_resolveSystemNames();
    void install_zhCN_translatesTdkubeAndQtsOwnButtons();
    void languageButton_choiceSavedRestartOffered();
    void welcomePage_noKubeconfig_chineseNotClipped();
    void views_podsClaimsStatefulSetsEventsForwards_chineseNotClipped();
    void clusterPage_dashboardAndConsole_chineseNotClipped();
    void scaleWizard_everyPageToTheEnd_chineseNotClipped();
    void operationsTab_scaleOutRecorded_chineseNotClipped();
    void repairWizard_healthyCluster_chineseNotClipped();
    void configureWizard_refusedThenRunToTheEnd_chineseNotClipped();
    void upgradeWizard_refusedJumpThenRunToTheEnd_chineseNotClipped();
    void deployWizard_everyPageToTheEnd_chineseNotClipped();
    void deleteDialogAndObjectEditor_chineseNotClipped();

private:
    // Every visible text of `top`: problems appended to m_problems as "where: what".
    void inspect(QWidget *top, const QString &where);
    void runToTheEnd(ui::ConfigureWizard *wizard, const QString &kind);
    void inspectText(QWidget *widget, const QString &where, const QString &text);
    void grab(QWidget *widget, const QString &name);
    void report();
    // Answers "Later" to the next modal message box, keeping its text.
    void dismissNextBox(QString *text);
    bool next(QWizard *wizard);
    QJsonObject statefulSet();

    SandboxFixture m_fixture;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
    std::unique_ptr<MainWindow> m_window;
    QStringList m_problems;
};

void TestChinese::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_settingsDir.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QDir(ops::Journal::directory()).removeRecursively();
    QString error;
    QVERIFY2(i18n::install(u"zh_CN"_s, &error), qPrintable(error));

    QVERIFY(m_fixture.start({}, 0.02));
    kube::ConnectionSettings admin = m_fixture.admin();
    admin.contextName = kContext;
    m_client = std::make_unique<kube::KubeClient>(admin);
    m_passwords = std::make_unique<taos::PasswordStore>();
    m_passwords->setKeychainEnabled(false);
    QVERIFY(createNamespace(m_client.get(), kNs));
    QVERIFY2(applyManifests(m_client.get(), kNs, &error), qPrintable(error));
    deploy::DeployTarget target{kContext, kNs, kSet, 3, true};
    deploy::DeployMonitor monitor(m_client.get(), m_passwords.get(), target);
    monitor.setPollInterval(50);
    std::optional<bool> deployed;
    connect(&monitor, &deploy::DeployMonitor::finished, this,
            [&](bool ok, const QString &) { deployed = ok; });
    monitor.start();
    QVERIFY(QTest::qWaitFor([&] { return deployed.has_value(); }, kRunMs));
    QVERIFY(*deployed);

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

void TestChinese::cleanupTestCase()
{
    m_window.reset();
    i18n::install(u"en"_s);
}

void TestChinese::languages_resolveSystemNames()
{
    QCOMPARE(i18n::resolve(u"zh_CN.UTF-8"_s), u"zh_CN"_s);
    QCOMPARE(i18n::resolve(u"zh-Hans-CN"_s), u"zh_CN"_s);
    QCOMPARE(i18n::resolve(u"zh"_s), u"zh_CN"_s);
    QCOMPARE(i18n::resolve(u"en_GB"_s), u"en"_s);
    QCOMPARE(i18n::resolve(u"C"_s), u"en"_s);
    QCOMPARE(i18n::resolve(u"fr_FR"_s), QString());
    QStringList arguments{u"tdkube"_s, u"--lang"_s, u"zh_CN"_s, u"--cluster"_s, u"x"_s};
    QCOMPARE(i18n::takeLanguageArgument(&arguments), u"zh_CN"_s);
    QCOMPARE(arguments, (QStringList{u"tdkube"_s, u"--cluster"_s, u"x"_s}));
    arguments = {u"tdkube"_s, u"--lang=en"_s};
    QCOMPARE(i18n::takeLanguageArgument(&arguments), u"en"_s);
    QCOMPARE(arguments, QStringList{u"tdkube"_s});
    // The saved choice wins over the system's, and --lang over both.
    i18n::saveLanguage(u"zh_CN"_s);
    QCOMPARE(i18n::chosenLanguage(), u"zh_CN"_s);
    QCOMPARE(i18n::chosenLanguage(u"en"_s), u"en"_s);
    i18n::saveLanguage({});
    QCOMPARE(i18n::chosenLanguage(), i18n::systemLanguage());
}

void TestChinese::install_zhCN_translatesTdkubeAndQtsOwnButtons()
{
    QCOMPARE(i18n::installedLanguage(), u"zh_CN"_s);
    // Qt's own: a standard button.
    QDialogButtonBox box(QDialogButtonBox::Cancel);
    QCOMPARE(box.button(QDialogButtonBox::Cancel)->text(), u"取消"_s);
    // tdkube's own, and its plural forms: "%n pod(s)" has one form in Chinese and two in English.
    QCOMPARE(QCoreApplication::translate("tdkube::ui::LanguageButton", "Follow the system"), u"跟随系统"_s);
    QCOMPARE(m_window->findChild<ui::LanguageButton *>(u"languageButton"_s)->text(), u"简体中文"_s);
}

// The toolbar's language menu: the choice is saved at once and a restart offered ("Later" keeps the
// window as it is); choosing what is spoken already asks nothing.
void TestChinese::languageButton_choiceSavedRestartOffered()
{
    auto *button = m_window->findChild<ui::LanguageButton *>(u"languageButton"_s);
    QVERIFY(button && button->isVisible());
    QAction *english = button->menu()->findChild<QAction *>(u"language-en"_s);
    QVERIFY(english);
    QString offered;
    dismissNextBox(&offered);
    QSignalSpy restart(button, &ui::LanguageButton::restartRequested);
    english->trigger();
    QCOMPARE(i18n::savedLanguage(), u"en"_s);
    QVERIFY2(offered.contains(u"English"_s) && hasChinese(offered), qPrintable(offered));
    QCOMPARE(restart.size(), 0);
    QVERIFY(m_window->isVisible());
    // 简体中文 is spoken now: saved, nothing to restart for.
    button->menu()->findChild<QAction *>(u"language-zh_CN"_s)->trigger();
    QCOMPARE(i18n::savedLanguage(), u"zh_CN"_s);
    // Following the system (English here) offers the restart again.
    offered.clear();
    dismissNextBox(&offered);
    button->menu()->findChild<QAction *>(u"language-system"_s)->trigger();
    QCOMPARE(i18n::savedLanguage(), QString());
    QVERIFY2(!offered.isEmpty(), "no restart offered");
}

void TestChinese::welcomePage_noKubeconfig_chineseNotClipped()
{
    MainWindow window;
    window.resize(1100, 750);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.openKubeconfig(kube::Kubeconfig::load({m_settingsDir.filePath(u"no-such-kubeconfig"_s)}));
    QTRY_VERIFY_WITH_TIMEOUT(window.welcomePage()->isVisible(), kWaitMs);
    inspect(&window, u"welcome page"_s);
    grab(&window, u"welcome"_s);
    report();
}

void TestChinese::views_podsClaimsStatefulSetsEventsForwards_chineseNotClipped()
{
    for (const QString &view :
         {u"pods"_s, u"persistentvolumeclaims"_s, u"statefulsets"_s, u"events"_s, u"portforwards"_s}) {
        m_window->showView(view);
        QTest::qWait(500);
        inspect(m_window.get(), view);
        grab(m_window.get(), view);
    }
    report();
}

void TestChinese::clusterPage_dashboardAndConsole_chineseNotClipped()
{
    m_window->showView(u"cluster"_s, kSet);
    ui::ClusterView *view = m_window->clusterView();
    QTRY_VERIFY_WITH_TIMEOUT(view->dashboard()->dnodeTable()->rowCount() == 3, kRunMs);
    QTabWidget *tabs = view->tabs();
    for (int i = 0; i < tabs->count(); ++i) {
        tabs->setCurrentIndex(i);
        QTest::qWait(300);
        inspect(m_window.get(), u"cluster page, tab %1"_s.arg(i));
        grab(m_window.get(), u"cluster-tab%1"_s.arg(i));
    }
    tabs->setCurrentWidget(view->console());
    report();
}

bool TestChinese::next(QWizard *wizard)
{
    QAbstractButton *button = wizard->button(QWizard::NextButton);
    if (!QTest::qWaitFor([button] { return button->isEnabled(); }, kWaitMs))
        return false;
    button->click();
    return true;
}

void TestChinese::scaleWizard_everyPageToTheEnd_chineseNotClipped()
{
    ScaleWizard *wizard = m_window->openScaleWizard(kSet);
    QVERIFY(wizard);
    QVERIFY(QTest::qWaitFor([wizard] { return wizard->hasFacts(); }, kRunMs));
    inspect(wizard, u"scale wizard, target"_s);
    grab(wizard, u"scale-target"_s);
    wizard->targetPage()->setTarget(4);
    QVERIFY(next(wizard));
    QVERIFY(QTest::qWaitFor(
        [wizard] { return wizard->currentId() == ScaleWizard::PlanPage && wizard->planPage()->isReady(); },
        kRunMs));
    inspect(wizard, u"scale wizard, plan"_s);
    grab(wizard, u"scale-plan"_s);
    wizard->planPage()->readBox()->setChecked(true);
    QAbstractButton *commit = wizard->button(QWizard::CommitButton);
    QVERIFY(commit->isEnabled());
    commit->click();
    QCOMPARE(wizard->currentId(), int(ScaleWizard::RunPage));
    QTest::qWait(300);
    inspect(wizard, u"scale wizard, running"_s);
    grab(wizard, u"scale-running"_s);
    QVERIFY(QTest::qWaitFor([wizard] { return wizard->runPage()->view()->isFinished(); }, kRunMs));
    inspect(wizard, u"scale wizard, finished"_s);
    grab(wizard, u"scale-finished"_s);
    QPointer<ScaleWizard> gone = wizard;
    wizard->button(QWizard::FinishButton)->click();
    QVERIFY(QTest::qWaitFor([&gone] { return !gone; }, kWaitMs));
    report();
}

// The scale-out above, as the cluster records it: its row, its steps and the history setting.
void TestChinese::operationsTab_scaleOutRecorded_chineseNotClipped()
{
    m_window->showView(u"cluster"_s, kSet);
    ui::ClusterView *view = m_window->clusterView();
    ui::ClusterOperations *operations = view->operations();
    view->tabs()->setCurrentWidget(operations);
    QTRY_VERIFY_WITH_TIMEOUT(operations->model()->rowCount() >= 1, kWaitMs);
    QTest::qWait(300);
    inspect(m_window.get(), u"cluster page, operations"_s);
    QAbstractItemModel *model = operations->table()->model();
    for (int column = 0; column < model->columnCount(); ++column) {
        inspectText(operations, u"operations table header"_s,
                    model->headerData(column, Qt::Horizontal).toString());
        if (column == ui::OperationRecordModel::OperationColumn ||
            column == ui::OperationRecordModel::PhaseColumn ||
            column == ui::OperationRecordModel::WhereColumn)
            inspectText(operations, u"operations table"_s, model->index(0, column).data().toString());
    }
    QTableWidget *steps = operations->steps();
    for (int column = 0; column < steps->columnCount(); ++column)
        inspectText(steps, u"operation steps header"_s, steps->horizontalHeaderItem(column)->text());
    for (int row = 0; row < steps->rowCount(); ++row)
        inspectText(steps, u"operation steps"_s, steps->item(row, 2)->text());
    grab(m_window.get(), u"cluster-operations"_s);
    report();
}

void TestChinese::repairWizard_healthyCluster_chineseNotClipped()
{
    ScaleWizard *wizard = m_window->openScaleWizard(kSet, true);
    QVERIFY(wizard);
    QVERIFY(QTest::qWaitFor(
        [wizard] { return wizard->currentId() == ScaleWizard::PlanPage && wizard->planPage()->isReady(); },
        kRunMs));
    inspect(wizard, u"repair wizard, plan"_s);
    grab(wizard, u"repair-plan"_s);
    QPointer<ScaleWizard> gone = wizard;
    wizard->close();
    QVERIFY(QTest::qWaitFor([&gone] { return !gone; }, kWaitMs));
    report();
}

// A refused entry first (timezone), back, then supportVnodes and debugFlag run through a rolling restart.
void TestChinese::configureWizard_refusedThenRunToTheEnd_chineseNotClipped()
{
    ui::ConfigureWizard *wizard = m_window->openConfigureWizard(kSet);
    QVERIFY(wizard);
    QVERIFY(QTest::qWaitFor([wizard] { return wizard->hasFacts(); }, kRunMs));
    ui::ConfigureSettingsPage *settings = wizard->settingsPage();
    QVERIFY(settings->rowOf(u"supportVnodes"_s) >= 0);
    settings->setNewValue(u"timezone"_s, u"UTC"_s);
    settings->setNewValue(u"supportVnodes"_s, u"24"_s);
    settings->setNewValue(u"debugFlag"_s, u"135"_s);
    QTableWidget *table = settings->table();
    for (int column = 0; column < table->columnCount(); ++column)
        inspectText(table, u"configure settings header"_s, table->horizontalHeaderItem(column)->text());
    for (int row = 0; row < table->rowCount(); ++row) {
        for (int column : {ui::ConfigureSettingsPage::CurrentColumn, ui::ConfigureSettingsPage::EffectColumn})
            inspectText(table, u"configure settings"_s, table->item(row, column)->text());
    }
    inspect(wizard, u"configure wizard, settings"_s);
    grab(wizard, u"configure-settings"_s);
    QVERIFY(next(wizard));
    QVERIFY(QTest::qWaitFor(
        [wizard] {
            return wizard->currentId() == ui::ConfigureWizard::PlanPage && wizard->planPage()->isReady();
        },
        kRunMs));
    QVERIFY(wizard->planPage()->plan().blocked());
    inspect(wizard, u"configure wizard, refused plan"_s);
    grab(wizard, u"configure-plan-refused"_s);

    wizard->back();
    settings->setNewValue(u"timezone"_s, {});
    QVERIFY(next(wizard));
    QVERIFY(QTest::qWaitFor(
        [wizard] {
            return wizard->currentId() == ui::ConfigureWizard::PlanPage && wizard->planPage()->isReady();
        },
        kRunMs));
    QVERIFY2(!wizard->planPage()->plan().blocked(), qPrintable(wizard->planPage()->planText()));
    inspect(wizard, u"configure wizard, plan"_s);
    grab(wizard, u"configure-plan"_s);
    runToTheEnd(wizard, u"configure"_s);
    report();
}

// Start on the plan page, then the run page while it runs and once it finished, then Finish.
void TestChinese::runToTheEnd(ui::ConfigureWizard *wizard, const QString &kind)
{
    wizard->planPage()->readBox()->setChecked(true);
    QAbstractButton *commit = wizard->button(QWizard::CommitButton);
    QVERIFY(commit->isEnabled());
    commit->click();
    QCOMPARE(wizard->currentId(), int(ui::ConfigureWizard::RunPage));
    QTest::qWait(300);
    inspect(wizard, kind + u" wizard, running"_s);
    grab(wizard, kind + u"-running"_s);
    QVERIFY(QTest::qWaitFor([wizard] { return wizard->runPage()->view()->isFinished(); }, kRunMs));
    QVERIFY2(wizard->runPage()->view()->succeeded(), qPrintable(wizard->runPage()->view()->logText()));
    inspect(wizard, kind + u" wizard, finished"_s);
    grab(wizard, kind + u"-finished"_s);
    QPointer<ui::ConfigureWizard> gone = wizard;
    wizard->button(QWizard::FinishButton)->click();
    QVERIFY(QTest::qWaitFor([&gone] { return !gone; }, kWaitMs));
}

// "Upgrade…": a jump refused as typed, then an upgrade of the same line run to the end.
void TestChinese::upgradeWizard_refusedJumpThenRunToTheEnd_chineseNotClipped()
{
    ui::ConfigureWizard *wizard = m_window->openConfigureWizard(kSet, true);
    QVERIFY(wizard);
    QVERIFY(QTest::qWaitFor([wizard] { return wizard->hasFacts(); }, kRunMs));
    ui::UpgradeImagePage *page = wizard->imagePage();
    QVERIFY(page);
    page->imageEdit()->setText(u"tdengine/tdengine:3.3.6.6"_s);
    QVERIFY2(page->assessmentText().startsWith(u"已拒绝"_s), qPrintable(page->assessmentText()));
    inspect(wizard, u"upgrade wizard, refused image"_s);
    grab(wizard, u"upgrade-image-refused"_s);
    page->imageEdit()->setText(u"tdengine/tdengine:3.0.7.2"_s);
    inspect(wizard, u"upgrade wizard, image"_s);
    grab(wizard, u"upgrade-image"_s);
    QVERIFY(next(wizard));
    QVERIFY(QTest::qWaitFor(
        [wizard] {
            return wizard->currentId() == ui::ConfigureWizard::PlanPage && wizard->planPage()->isReady();
        },
        kRunMs));
    QVERIFY2(!wizard->planPage()->plan().blocked(), qPrintable(wizard->planPage()->planText()));
    inspect(wizard, u"upgrade wizard, plan"_s);
    grab(wizard, u"upgrade-plan"_s);
    runToTheEnd(wizard, u"upgrade"_s);
    report();
}

void TestChinese::deployWizard_everyPageToTheEnd_chineseNotClipped()
{
    ui::DeployWizard *wizard = m_window->openDeployWizard();
    QVERIFY(wizard);
    QPointer<ui::DeployWizard> alive = wizard;
    const QStringList names{u"target"_s, u"topology"_s, u"storage"_s, u"image"_s, u"review"_s};
    auto *name = wizard->currentPage()->findChild<QLineEdit *>(u"name"_s);
    QVERIFY(name);
    name->setText(u"tdengine2"_s);
    for (const QString &page : names) {
        QTest::qWait(500);
        if (page == u"review"_s)
            QVERIFY(QTest::qWaitFor([wizard] { return wizard->reviewPage()->isComplete(); }, kRunMs));
        inspect(wizard, u"deploy wizard, "_s + page);
        grab(wizard, u"deploy-"_s + page);
        QVERIFY2(next(wizard), qPrintable(page));
    }
    QCOMPARE(wizard->currentId(), int(ui::DeployWizard::ProgressPage));
    QVERIFY(QTest::qWaitFor([wizard] { return wizard->progressPage()->finished(); }, kRunMs));
    inspect(wizard, u"deploy wizard, progress"_s);
    grab(wizard, u"deploy-progress"_s);
    wizard->close();
    QVERIFY(QTest::qWaitFor([&alive] { return !alive; }, kWaitMs));
    report();
}

QJsonObject TestChinese::statefulSet()
{
    const kube::KubeResponse response = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->get(kube::ResourceKind::statefulSets(), kNs, kSet, context, done);
    });
    return response.json();
}

void TestChinese::deleteDialogAndObjectEditor_chineseNotClipped()
{
    ui::DeleteClusterDialog *deletion = m_window->openDeleteCluster(kSet);
    QVERIFY(deletion);
    QTest::qWait(1500);
    inspect(deletion, u"delete dialog"_s);
    grab(deletion, u"delete"_s);
    deletion->close();

    const QJsonObject object = statefulSet();
    QVERIFY(!object.isEmpty());
    ui::ObjectEditorDialog *editor = m_window->openObjectEditor(object);
    QVERIFY(editor);
    QTest::qWait(1000);
    inspect(editor, u"object editor"_s);
    grab(editor, u"editor"_s);
    editor->close();

    // The deletion run to its end (the claims kept): its steps and log in Chinese. The last test here.
    deletion = m_window->openDeleteCluster(kSet);
    QVERIFY(deletion);
    QVERIFY(QTest::qWaitFor([deletion] { return deletion->planLoaded(); }, kWaitMs));
    deletion->deleteButton()->click();
    QVERIFY2(QTest::qWaitFor([deletion] { return deletion->finished(); }, 120000),
             qPrintable(deletion->logText()));
    QVERIFY2(deletion->succeeded(), qPrintable(deletion->statusText() + u'\n' + deletion->logText()));
    inspect(deletion, u"delete dialog, done"_s);
    grab(deletion, u"delete-done"_s);
    deletion->close();
    report();
}

void TestChinese::inspect(QWidget *top, const QString &where)
{
    // As a person sees the screen: once the layouts have taken the texts just set (a button's new text is
    // laid out at the next turn of the event loop).
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    if (leftInEnglish(top->windowTitle()))
        m_problems.append(u"%1: window title left in English: \"%2\""_s.arg(where, top->windowTitle()));
    for (QWidget *widget : top->findChildren<QWidget *>()) {
        if (!widget->isVisible() || widget->window() != top->window())
            continue;
        const QString name = where + u" / "_s + QString::fromLatin1(widget->metaObject()->className()) +
                             (widget->objectName().isEmpty() ? QString() : u" "_s + widget->objectName());
        if (auto *label = qobject_cast<QLabel *>(widget)) {
            if (label->text().isEmpty())
                continue;
            inspectText(label, name, plainText(label->text()));
            const bool clipped = label->wordWrap()
                                     ? label->heightForWidth(label->width()) > label->height() + 1
                                     : label->minimumSizeHint().width() > label->width() + 1;
            if (clipped)
                m_problems.append(u"%1: clipped (%2x%3, needs %4): \"%5\""_s.arg(name)
                                      .arg(label->width())
                                      .arg(label->height())
                                      .arg(label->wordWrap() ? label->heightForWidth(label->width())
                                                             : label->minimumSizeHint().width())
                                      .arg(plainText(label->text())));
        } else if (auto *button = qobject_cast<QAbstractButton *>(widget)) {
            if (button->text().isEmpty() || qobject_cast<ui::LanguageButton *>(button))
                continue;
            inspectText(button, name, QString(button->text()).remove(u'&'));
            if (!qobject_cast<QToolButton *>(button) && button->sizeHint().width() > button->width() + 1)
                m_problems.append(u"%1: clipped (%2 wide, needs %3): \"%4\""_s.arg(name)
                                      .arg(button->width())
                                      .arg(button->sizeHint().width())
                                      .arg(button->text()));
        } else if (auto *group = qobject_cast<QGroupBox *>(widget)) {
            inspectText(group, name, group->title());
            if (group->minimumSizeHint().width() > group->width() + 1)
                m_problems.append(u"%1: clipped group \"%2\""_s.arg(name, group->title()));
        } else if (auto *bar = qobject_cast<QTabBar *>(widget)) {
            for (int i = 0; i < bar->count(); ++i) {
                inspectText(bar, name, bar->tabText(i));
                // The tab's text and a few pixels of its frame (tabSizeHint() is protected).
                if (bar->fontMetrics().horizontalAdvance(bar->tabText(i)) + 8 > bar->tabRect(i).width())
                    m_problems.append(u"%1: clipped tab \"%2\""_s.arg(name, bar->tabText(i)));
            }
        } else if (auto *line = qobject_cast<QLineEdit *>(widget)) {
            inspectText(line, name, line->placeholderText());
        } else if (auto *edit = qobject_cast<QPlainTextEdit *>(widget)) {
            inspectText(edit, name, edit->placeholderText());
        }
    }
}

void TestChinese::inspectText(QWidget *, const QString &where, const QString &text)
{
    if (leftInEnglish(text))
        m_problems.append(u"%1: left in English: \"%2\""_s.arg(where, text));
}

void TestChinese::grab(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("TDKUBE_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(QDir(dir).filePath(u"zh_CN-"_s + name + u".png"_s));
}

void TestChinese::dismissNextBox(QString *text)
{
    QTimer::singleShot(0, this, [text] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        *text = box->text();
        const QList<QAbstractButton *> buttons = box->buttons();
        for (QAbstractButton *choice : buttons) {
            if (box->buttonRole(choice) == QMessageBox::RejectRole)
                choice->click();
        }
    });
}

// All the problems of one test at once, so that a person fixes them in one go.
void TestChinese::report()
{
    const QStringList problems = std::exchange(m_problems, {});
    QVERIFY2(problems.isEmpty(), qPrintable(u"\n"_s + problems.join(u'\n')));
}

QTEST_MAIN(TestChinese)
#include "tst_chinese.moc"
