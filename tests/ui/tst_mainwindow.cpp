#include "mainwindow.h"

#include <QLabel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>

using tdkube::ui::MainWindow;

class TestMainWindow final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void shown_withoutCluster_saysNoClusterConnected()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const auto *placeholder = window.findChild<QLabel *>(QStringLiteral("placeholder"));
        QVERIFY(placeholder);
        QVERIFY(placeholder->isVisible());
        QVERIFY(placeholder->text().contains(u"No cluster connected"));
        QCOMPARE(window.windowTitle(), QStringLiteral("tdkube"));
        // The icon comes from the resources compiled into tdkube_ui and needs the SVG image plugin.
        QVERIFY(!window.windowIcon().pixmap(32, 32).isNull());
    }

    void connectionHint_isShownInStatusBar()
    {
        MainWindow window;
        window.setConnectionHint(QStringLiteral("kubeconfig: /tmp/k"));
        const auto *hint = window.statusBar()->findChild<QLabel *>(QStringLiteral("connectionHint"));
        QVERIFY(hint);
        QCOMPARE(hint->text(), QStringLiteral("kubeconfig: /tmp/k"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
