// The main window without a cluster: what a person sees with no kubeconfig, a broken one, or a
// context whose files are missing. (With a cluster: tests/e2e/tst_observe.)
#include "kube/kubeconfig.h"
#include "mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

using namespace Qt::StringLiterals;
using tdkube::kube::Kubeconfig;
using tdkube::ui::MainWindow;

class TestMainWindow final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(u"settings"_s));
    }

    void shown_withoutKubeconfig_saysHowToConnect()
    {
        MainWindow window;
        window.openKubeconfig(Kubeconfig::load({m_dir.filePath(u"missing"_s)}));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY2(window.connectionText().contains(u"No context"_s), qPrintable(window.connectionText()));
        QVERIFY(window.connectionText().contains(u"--kubeconfig"_s));
        QVERIFY(window.windowTitle().startsWith(u"tdkube"_s));
        // The icon comes from the resources compiled into tdkube_ui and needs the SVG image plugin.
        QVERIFY(!window.windowIcon().pixmap(32, 32).isNull());
    }

    void shown_withoutKubeconfig_offersTheSandbox()
    {
        MainWindow window;
        window.openKubeconfig(Kubeconfig::load({m_dir.filePath(u"missing"_s)}));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const auto *offer = window.findChild<QPushButton *>(u"trySandboxButton"_s);
        QVERIFY(offer && offer->isVisible());
        QCOMPARE(offer->text(), u"Try the built-in sandbox cluster"_s);
        const auto *reason = window.findChild<QLabel *>(u"welcomeReason"_s);
        QVERIFY(reason && reason->text().contains(u"There is no kubeconfig"_s));
    }

    void about_namesTheVersion()
    {
        MainWindow window;
        window.show();
        auto *about = window.findChild<QAction *>(u"aboutAction"_s);
        QVERIFY(about);
        QString shown;
        // The dialog is modal: read and close it from inside its own event loop.
        QTimer::singleShot(0, &window, [&shown] {
            QTRY_VERIFY(qobject_cast<QMessageBox *>(QApplication::activeModalWidget()));
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            shown = box->text();
            box->accept();
        });
        about->trigger();
        QVERIFY2(shown.contains(u"tdkube " TDKUBE_VERSION ""_s), qPrintable(shown));
    }

    void brokenContext_isNamedWithItsReason_andOthersStayListed()
    {
        const QString path = m_dir.filePath(u"config"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("apiVersion: v1\nkind: Config\ncurrent-context: broken\n"
                   "clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
                   "users:\n- name: u\n  user:\n    client-certificate: /nonexistent/cert.pem\n"
                   "    client-key: /nonexistent/key.pem\n"
                   "contexts:\n- name: broken\n  context: {cluster: c, user: u}\n"
                   "- name: dangling\n  context: {cluster: nowhere, user: u}\n");
        file.close();
        QFile broken(m_dir.filePath(u"broken"_s));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("contexts:\n- name: x\n  context: [\n");
        broken.close();
        MainWindow window;
        window.openKubeconfig(Kubeconfig::load({path, broken.fileName()}));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY2(window.connectionText().contains(u"Context broken cannot be used"_s),
                 qPrintable(window.connectionText()));
        QVERIFY2(window.connectionText().contains(u"/nonexistent/cert.pem"_s),
                 qPrintable(window.connectionText()));
        auto *problems = window.findChild<QToolButton *>(u"kubeconfigProblems"_s);
        QVERIFY(problems);
        QVERIFY(problems->isVisible());
        QVERIFY2(problems->text().contains(u"problem"_s), qPrintable(problems->text()));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
