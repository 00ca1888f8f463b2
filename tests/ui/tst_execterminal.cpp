// The exec terminal: how a command line becomes argv, and the widget running the taos CLI in a pod
// of an in-process sandbox running TDengine from manifests/.
#include "execterminal.h"
#include "sandboxfixture.h"

#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>

#include <memory>

using namespace Qt::StringLiterals;
using namespace tdkube::kube;
using namespace tdkube::kube::test;
using tdkube::ui::ExecTerminal;

namespace {

constexpr int kReadyMs = 120000;
constexpr int kRunMs = 30000;
const QString kNs = u"term"_s;

} // namespace

class TestExecTerminal final : public QObject
{
    Q_OBJECT

private slots:
    void splitCommandLine_data();
    void splitCommandLine();
    void noClient_runDisabled();
    void badQuoting_statusSaysWhy();
    void showDnodes_outputAndExitStatusZero();
    void failingCommand_stderrRedAndExitStatus();
    void missingPod_serversMessageInStatus();
    void cancel_statusSaysCancelled();

private:
    bool startCluster();
    bool allReady();
    std::unique_ptr<ExecTerminal> terminal();

    SandboxFixture m_fixture;
    std::unique_ptr<KubeClient> m_client;
    bool m_clusterReady = false;
};

void TestExecTerminal::splitCommandLine_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QStringList>("argv");
    QTest::addColumn<QString>("error");

    QTest::newRow("plain") << u"ls -l /etc"_s << QStringList{u"ls"_s, u"-l"_s, u"/etc"_s} << QString();
    QTest::newRow("blanks around") << u"  a \t b  "_s << QStringList{u"a"_s, u"b"_s} << QString();
    QTest::newRow("empty") << QString() << QStringList() << QString();
    QTest::newRow("taos default") << u"taos -s \"show dnodes\""_s
                                  << QStringList{u"taos"_s, u"-s"_s, u"show dnodes"_s} << QString();
    QTest::newRow("single quotes literal")
        << u"echo 'a \\ \"b\" $x'"_s << QStringList{u"echo"_s, u"a \\ \"b\" $x"_s} << QString();
    QTest::newRow("double quotes escapes") << u"echo \"a \\\"q\\\" \\\\ \\$x \\n\""_s
                                           << QStringList{u"echo"_s, u"a \"q\" \\ $x \\n"_s} << QString();
    QTest::newRow("backslash outside")
        << u"echo a\\ b \\'c"_s << QStringList{u"echo"_s, u"a b"_s, u"'c"_s} << QString();
    QTest::newRow("joined parts") << u"sh -c 'echo '\"$HOME\"x"_s
                                  << QStringList{u"sh"_s, u"-c"_s, u"echo $HOMEx"_s} << QString();
    QTest::newRow("empty quoted words")
        << u"a '' \"\" b"_s << QStringList{u"a"_s, QString(), QString(), u"b"_s} << QString();
    QTest::newRow("sql with quotes") << u"taos -s \"select * from power.meters where loc = 'x'\""_s
                                     << QStringList{u"taos"_s, u"-s"_s,
                                                    u"select * from power.meters where loc = 'x'"_s}
                                     << QString();
    QTest::newRow("unterminated single") << u"echo 'abc"_s << QStringList() << u"unterminated '"_s;
    QTest::newRow("unterminated double") << u"echo \"abc"_s << QStringList() << u"unterminated \""_s;
    QTest::newRow("trailing backslash") << u"echo abc\\"_s << QStringList() << u"ends with a backslash"_s;
}

void TestExecTerminal::splitCommandLine()
{
    QFETCH(QString, line);
    QFETCH(QStringList, argv);
    QFETCH(QString, error);
    QString actualError = u"not cleared"_s;
    QCOMPARE(tdkube::ui::splitCommandLine(line, &actualError), argv);
    if (error.isEmpty())
        QVERIFY2(actualError.isEmpty(), qPrintable(actualError));
    else
        QVERIFY2(actualError.contains(error), qPrintable(actualError));
}

void TestExecTerminal::noClient_runDisabled()
{
    ExecTerminal widget;
    QCOMPARE(widget.command(), u"taos -s \"show dnodes\""_s);
    QVERIFY(!widget.findChild<QPushButton *>(u"execRun"_s)->isEnabled());
    QVERIFY(!widget.findChild<QPushButton *>(u"execCancel"_s)->isEnabled());
    widget.run(u"hostname"_s);
    QVERIFY(!widget.isRunning());
    QVERIFY(widget.outputText().isEmpty());
}

bool TestExecTerminal::allReady()
{
    const KubeResponse response = await([&](QObject *context, KubeClient::Done done) {
        m_client->list(ResourceKind::pods(), kNs, {}, context, done);
    });
    int ready = 0;
    const QJsonArray items = response.json().value(u"items").toArray();
    for (const QJsonValue &item : items) {
        const QJsonArray conditions = item[u"status"][u"conditions"].toArray();
        for (const QJsonValue &condition : conditions) {
            if (condition[u"type"].toString() == u"Ready" && condition[u"status"].toString() == u"True")
                ++ready;
        }
    }
    return ready == 3 && items.size() == 3;
}

// The cluster is started by the first test that needs it, so that the splitter's rows run alone.
bool TestExecTerminal::startCluster()
{
    if (m_clusterReady)
        return true;
    if (!m_fixture.start({}, 0.1))
        return false;
    m_client = std::make_unique<KubeClient>(m_fixture.admin());
    QString error;
    if (!createNamespace(m_client.get(), kNs) || !applyManifests(m_client.get(), kNs, &error)) {
        qWarning("could not deploy TDengine: %s", qPrintable(error));
        return false;
    }
    m_clusterReady = QTest::qWaitFor([this] { return allReady(); }, kReadyMs);
    return m_clusterReady;
}

std::unique_ptr<ExecTerminal> TestExecTerminal::terminal()
{
    auto widget = std::make_unique<ExecTerminal>();
    widget->resize(900, 360);
    widget->setPods(m_client.get(), kNs, {u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s});
    widget->show();
    return widget;
}

void TestExecTerminal::badQuoting_statusSaysWhy()
{
    QVERIFY(startCluster());
    auto widget = terminal();
    widget->run(u"taos -s \"show dnodes"_s);
    QVERIFY(!widget->isRunning());
    QVERIFY2(widget->statusText().contains(u"unterminated \""_s), qPrintable(widget->statusText()));
}

void TestExecTerminal::showDnodes_outputAndExitStatusZero()
{
    QVERIFY(startCluster());
    auto widget = terminal();
    QCOMPARE(widget->currentPod(), u"tdengine-0"_s);
    QSignalSpy finished(widget.get(), &ExecTerminal::finished);
    // The default command, as a person would run it: press Run.
    QTest::mouseClick(widget->findChild<QPushButton *>(u"execRun"_s), Qt::LeftButton);
    QVERIFY(widget->isRunning());
    QVERIFY(widget->findChild<QPushButton *>(u"execCancel"_s)->isEnabled());
    QVERIFY(finished.wait(kRunMs));
    QCOMPARE(widget->statusText(), u"exit status 0"_s);
    const QString output = widget->outputText();
    for (const QString &endpoint : {u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s})
        QVERIFY2(output.contains(endpoint), qPrintable(output));
    QVERIFY(!widget->findChild<QPushButton *>(u"execCancel"_s)->isEnabled());
    QVERIFY(widget->findChild<QPushButton *>(u"execRun"_s)->isEnabled());

    const QString dir = qEnvironmentVariable("TDKUBE_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        QVERIFY(widget->grab().save(QDir(dir).filePath(u"exec-terminal.png"_s)));
}

void TestExecTerminal::failingCommand_stderrRedAndExitStatus()
{
    QVERIFY(startCluster());
    auto widget = terminal();
    widget->setCurrentPod(u"tdengine-1"_s);
    QSignalSpy finished(widget.get(), &ExecTerminal::finished);
    widget->run(u"sh -c 'hostname; cat /no/such/file; exit 3'"_s);
    QVERIFY(finished.wait(kRunMs));
    QCOMPARE(widget->statusText(), u"exit status 3"_s);
    QVERIFY2(widget->outputText().contains(u"tdengine-1\n"_s), qPrintable(widget->outputText()));
    QVERIFY2(widget->outputText().contains(u"cat: /no/such/file: No such file or directory"_s),
             qPrintable(widget->outputText()));

    // stderr is red, stdout is not.
    const auto *output = widget->findChild<QPlainTextEdit *>(u"execOutput"_s);
    bool redStderr = false;
    bool plainStdout = false;
    for (QTextBlock block = output->document()->begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            const bool red = fragment.charFormat().foreground().color() == QColor(0xc0, 0x1c, 0x28);
            if (fragment.text().contains(u"No such file"_s))
                redStderr = red;
            if (fragment.text().contains(u"tdengine-1"_s))
                plainStdout = !red;
        }
    }
    QVERIFY(redStderr);
    QVERIFY(plainStdout);
}

void TestExecTerminal::missingPod_serversMessageInStatus()
{
    QVERIFY(startCluster());
    auto widget = std::make_unique<ExecTerminal>();
    widget->setPods(m_client.get(), kNs, {u"tdengine-7"_s});
    QSignalSpy finished(widget.get(), &ExecTerminal::finished);
    widget->run(u"hostname"_s);
    QVERIFY(finished.wait(kRunMs));
    QVERIFY2(widget->statusText().contains(u"pods \"tdengine-7\" not found"_s),
             qPrintable(widget->statusText()));
}

void TestExecTerminal::cancel_statusSaysCancelled()
{
    QVERIFY(startCluster());
    auto widget = terminal();
    QSignalSpy finished(widget.get(), &ExecTerminal::finished);
    widget->run(u"sleep 600"_s);
    QVERIFY(widget->isRunning());
    QTest::qWait(300);
    QTest::mouseClick(widget->findChild<QPushButton *>(u"execCancel"_s), Qt::LeftButton);
    QCOMPARE(finished.size(), 1);
    QVERIFY2(widget->statusText().startsWith(u"Cancelled"_s), qPrintable(widget->statusText()));
    QVERIFY(!widget->isRunning());
    QVERIFY(widget->findChild<QPushButton *>(u"execRun"_s)->isEnabled());
}

QTEST_MAIN(TestExecTerminal)
#include "tst_execterminal.moc"
