// The tdkube binary's command line, as a person types it: help and version without a display, a
// wrong option said plainly, and --kubeconfig / --context / -n (or $KUBECONFIG) reaching the window,
// seen in what it remembers for the next start.
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

constexpr int kProcessMs = 60000;

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
    QString story() const { return u"exit %1\n--- stdout\n%2--- stderr\n%3"_s.arg(exitCode).arg(out, err); }
};

// Two contexts on one unreachable cluster: what the window opens needs no API server to be seen.
constexpr char kKubeconfig[] = "apiVersion: v1\n"
                               "kind: Config\n"
                               "clusters:\n"
                               "- name: nowhere\n"
                               "  cluster: {server: \"https://127.0.0.1:9\"}\n"
                               "users:\n"
                               "- name: someone\n"
                               "  user: {token: not-a-secret}\n"
                               "contexts:\n"
                               "- name: first\n"
                               "  context: {cluster: nowhere, user: someone, namespace: from-context}\n"
                               "- name: second\n"
                               "  context: {cluster: nowhere, user: someone}\n"
                               "current-context: first\n";

// Where the window keeps the namespace last opened in `context` (ui/preferences.h).
QString namespaceKey(const QString &context)
{
    return u"connection/namespaces/"_s +
           QString::fromLatin1(context.toUtf8().toBase64(QByteArray::Base64UrlEncoding));
}

} // namespace

class TestCli final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QFile file(m_dir.filePath(u"kubeconfig"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(kKubeconfig);
    }

    void help_listsTheOptionsAndCommands_withoutADisplay()
    {
        const Run run = tdkube({u"--help"_s}, {{u"QT_QPA_PLATFORM"_s, u"no-such-platform"_s}});
        QVERIFY2(run.exitCode == 0, qPrintable(run.story()));
        for (const QString &part :
             {u"--kubeconfig <file>"_s, u"--context <name>"_s, u"-n, --namespace <ns>"_s,
              u"--cluster <name>"_s, u"tdkube scale"_s, u"tdkube resume"_s})
            QVERIFY2(run.out.contains(part), qPrintable(part + u" missing:\n"_s + run.story()));
    }

    void version_namesTheVersion()
    {
        const Run run = tdkube({u"--version"_s}, {{u"QT_QPA_PLATFORM"_s, u"no-such-platform"_s}});
        QVERIFY2(run.exitCode == 0, qPrintable(run.story()));
        QCOMPARE(run.out.trimmed(), u"tdkube " TDKUBE_VERSION ""_s);
    }

    void wrongOption_saidWithTheOptionsName()
    {
        Run run = tdkube({u"--contxt"_s, u"first"_s});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"Unknown option 'contxt'."_s), qPrintable(run.story()));
        run = tdkube({u"--context"_s});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"Missing value after '--context'."_s), qPrintable(run.story()));
    }

    void kubeconfigContextAndNamespace_openedAndRemembered()
    {
        const QString config = m_dir.filePath(u"remember"_s);
        QVERIFY(window({u"--kubeconfig"_s, m_dir.filePath(u"kubeconfig"_s), u"--context"_s, u"second"_s,
                        u"-n"_s, u"typed-ns"_s},
                       config, {}, u"second"_s, u"typed-ns"_s));
        QSettings settings(config + u"/tdkube/tdkube.conf"_s, QSettings::IniFormat);
        QCOMPARE(settings.value(u"connection/context"_s).toString(), u"second"_s);
        QCOMPARE(settings.value(namespaceKey(u"second"_s)).toString(), u"typed-ns"_s);
    }

    void kubeconfigFromTheEnvironment_currentContextAndItsNamespace()
    {
        const QString config = m_dir.filePath(u"environment"_s);
        QVERIFY(
            window({}, config,
                   {{u"KUBECONFIG"_s, m_dir.filePath(u"missing"_s) + u':' + m_dir.filePath(u"kubeconfig"_s)}},
                   u"first"_s, u"from-context"_s));
        QSettings settings(config + u"/tdkube/tdkube.conf"_s, QSettings::IniFormat);
        QCOMPARE(settings.value(u"connection/context"_s).toString(), u"first"_s);
        QCOMPARE(settings.value(namespaceKey(u"first"_s)).toString(), u"from-context"_s);
    }

private:
    Run tdkube(const QStringList &arguments, const QList<std::pair<QString, QString>> &environment = {})
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"XDG_CONFIG_HOME"_s, m_dir.filePath(u"config"_s));
        for (const auto &[name, value] : environment)
            env.insert(name, value);
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(TDKUBE_PATH), arguments);
        Run run;
        if (process.waitForFinished(kProcessMs) && process.exitStatus() == QProcess::NormalExit)
            run.exitCode = process.exitCode();
        else
            process.kill();
        process.waitForFinished();
        run.out = QString::fromUtf8(process.readAllStandardOutput());
        run.err = QString::fromUtf8(process.readAllStandardError());
        return run;
    }

    // Starts the window offscreen with its settings in `configHome`, waits until it remembers
    // `context` and `ns` as what it opened, and closes it.
    bool window(const QStringList &arguments, const QString &configHome,
                const QList<std::pair<QString, QString>> &environment, const QString &context,
                const QString &ns)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        env.insert(u"XDG_CONFIG_HOME"_s, configHome);
        env.insert(u"XDG_DATA_HOME"_s, configHome + u"/data"_s);
        env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path="_s + configHome + u"/no-bus"_s);
        env.remove(u"KUBECONFIG"_s);
        for (const auto &[name, value] : environment)
            env.insert(name, value);
        process.setProcessEnvironment(env);
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process.start(QStringLiteral(TDKUBE_PATH), arguments);
        const bool remembered = QTest::qWaitFor(
            [&] {
                QSettings settings(configHome + u"/tdkube/tdkube.conf"_s, QSettings::IniFormat);
                return (settings.value(u"connection/context"_s).toString() == context &&
                        settings.value(namespaceKey(context)).toString() == ns) ||
                       process.state() == QProcess::NotRunning;
            },
            kProcessMs);
        const bool running = process.state() == QProcess::Running;
        process.terminate();
        if (!process.waitForFinished(10000)) {
            process.kill();
            process.waitForFinished();
        }
        if (!remembered || !running)
            qWarning("the window %s", running ? "never opened the context" : "ended by itself");
        return remembered && running;
    }

    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
