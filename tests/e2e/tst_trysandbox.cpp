// Someone who installed tdkube and has no kubeconfig at all: the window says so and offers the
// sandbox cluster that comes with tdkube; one click on "Try the built-in sandbox cluster" starts the
// real tdkube-sandbox (--demo, its state in the user's data folder) and lands on the demo TDengine
// cluster's dashboard with data; closing the window stops the sandbox. A sandbox that cannot be
// found or does not start is said, with what to do. Home, XDG folders and KUBECONFIG are the test's.
#include "clusterdashboard.h"
#include "clusterview.h"
#include "kube/kubeconfig.h"
#include "kube/sandboxlauncher.h"
#include "mainwindow.h"
#include "welcomepage.h"

#include <QDir>
#include <QFileInfo>
#include <QPushButton>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <signal.h>

using namespace Qt::StringLiterals;
using tdkube::kube::Kubeconfig;
using tdkube::kube::SandboxLauncher;
using tdkube::ui::MainWindow;

namespace {

// The simulated pods start in seconds; a sanitizer build on a loaded machine needs more.
constexpr int kDashboardMs = 180000;

// Where screenshots go for a person to look at: $TDKUBE_SCREENSHOT_DIR, else the test's folder.
void saveScreenshot(QWidget *window, const QString &name)
{
    const QString dir = qEnvironmentVariable("TDKUBE_SCREENSHOT_DIR", QDir::currentPath());
    const QString file = dir + u"/tst_trysandbox-"_s + name + u".png"_s;
    QVERIFY2(window->grab().save(file), qPrintable(u"cannot write "_s + file));
    qInfo("screenshot: %s", qPrintable(file));
}

std::unique_ptr<MainWindow> openWithoutKubeconfig()
{
    auto window = std::make_unique<MainWindow>();
    window->openKubeconfig(Kubeconfig::load(Kubeconfig::defaultFiles()));
    window->resize(1280, 800);
    window->show();
    return window;
}

bool dashboardShowsData(const MainWindow &window)
{
    const tdkube::ui::ClusterView *view = window.clusterView();
    return view->isVisible() && view->connection() && view->dashboard()->dnodeTable()->rowCount() > 0 &&
           !view->dashboard()->summaryText().isEmpty();
}

} // namespace

class TestTrySandbox final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        // The build's sandbox, unless the caller names another (packaging/test-deb.sh: the installed one).
        m_sandbox = qEnvironmentVariable("TDKUBE_SANDBOX", QStringLiteral(TDKUBE_SANDBOX_PATH));
        // A person with nothing configured: no KUBECONFIG, an empty home.
        qunsetenv("KUBECONFIG");
        qputenv("HOME", m_home.path().toLocal8Bit());
        qputenv("XDG_CONFIG_HOME", (m_home.path() + u"/.config"_s).toLocal8Bit());
        qputenv("XDG_DATA_HOME", (m_home.path() + u"/.local/share"_s).toLocal8Bit());
        qputenv("XDG_CACHE_HOME", (m_home.path() + u"/.cache"_s).toLocal8Bit());
        QCoreApplication::setOrganizationName(u"tdkube"_s);
        QCoreApplication::setApplicationName(u"tdkube"_s);
        QVERIFY(!QFileInfo::exists(QDir::homePath() + u"/.kube/config"_s));
        QVERIFY2(SandboxLauncher::stateDir().startsWith(m_home.path()),
                 qPrintable(SandboxLauncher::stateDir()));
    }

    void sandboxMissingOrFailing_saysWhatToDo_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not there") << u"/nonexistent/tdkube-sandbox"_s << u"not an executable file"_s;
        QTest::newRow("ends at once") << u"/bin/false"_s << u"ended before it was ready (exit code 1)"_s;
    }

    void sandboxMissingOrFailing_saysWhatToDo()
    {
        QFETCH(QString, program);
        QFETCH(QString, expected);
        qputenv("TDKUBE_SANDBOX", program.toLocal8Bit());
        const auto window = openWithoutKubeconfig();
        QPushButton *button = window->welcomePage()->trySandboxButton();
        QTRY_VERIFY(button->isVisible());
        QTest::mouseClick(button, Qt::LeftButton);
        QTRY_VERIFY2(window->welcomePage()->statusText().contains(expected),
                     qPrintable(window->welcomePage()->statusText()));
        QVERIFY(button->isEnabled()); // a second try is possible once the cause is fixed
        QVERIFY(window->session()->context().isEmpty());
    }

    void noKubeconfig_trySandbox_showsDemoClusterAndStopsItOnClose()
    {
        qputenv("TDKUBE_SANDBOX", m_sandbox.toLocal8Bit());
        auto window = openWithoutKubeconfig();
        window->setClusterPollInterval(1000);
        tdkube::ui::WelcomePage *welcome = window->welcomePage();
        QPushButton *button = welcome->trySandboxButton();
        QTRY_VERIFY(welcome->isVisible());
        QCOMPARE(button->text(), u"Try the built-in sandbox cluster"_s);
        QVERIFY(button->isVisible() && button->isEnabled());
        QVERIFY(window->connectionText().startsWith(u"No context"_s));
        saveScreenshot(window.get(), u"welcome"_s);

        QTest::mouseClick(button, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dashboardShowsData(*window), kDashboardMs);
        QCOMPARE(window->session()->context(), u"sandbox-admin"_s);
        QCOMPARE(window->session()->ns(), u"tdengine-test"_s);
        QVERIFY(!welcome->isVisible());
        QVERIFY(window->tdengineClusters().contains(u"tdengine"_s));
        // The demo's three dnodes and mnodes, once its pods have all started.
        const tdkube::ui::ClusterDashboard *dashboard = window->clusterView()->dashboard();
        QTRY_COMPARE_WITH_TIMEOUT(dashboard->dnodeTable()->rowCount(), 3, kDashboardMs);
        QTRY_VERIFY2_WITH_TIMEOUT(dashboard->summaryText().contains(u"mnodes 3/3 ready"_s),
                                  qPrintable(dashboard->summaryText()), kDashboardMs);
        // Its state is the user's, in the data folder, for the next start.
        QVERIFY(QFileInfo::exists(SandboxLauncher::stateDir() + u"/kubeconfig"_s));
        saveScreenshot(window.get(), u"demo-cluster"_s);

        const qint64 pid = window->sandbox()->processId();
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), 0), 0);
        window->close();
        window.reset();
        QCOMPARE(::kill(pid_t(pid), 0), -1); // ended and reaped
    }

private:
    QTemporaryDir m_home;
    QString m_sandbox;
};

QTEST_MAIN(TestTrySandbox)
#include "tst_trysandbox.moc"
