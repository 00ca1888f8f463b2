// The tdkube binary's command line, as a person types it: help and version without a display, a
// wrong option said plainly, and --kubeconfig / --context / -n (or $KUBECONFIG) reaching the window,
// seen in what it remembers for the next start; the commands' TDengine login (--user, the password in
// TDKUBE_TDENGINE_PASSWORD or on stdin, never an argument; a refusal says where it came from); and the
// first minute as the README's run command gives it: the sandbox's demo cluster's dashboard, with data,
// without a click (--smoke).
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <optional>
#include <signal.h>
#include <sys/prctl.h>

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
              u"--cluster <name>"_s, u"tdkube scale"_s, u"tdkube resume"_s, u"--user NAME"_s,
              u"TDKUBE_TDENGINE_PASSWORD="_s, u"--password-stdin"_s, u"it wins over"_s})
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

    // There is no --password: a password among the arguments is seen by every user of the machine. The
    // refusal names the ways that are, and never repeats what followed it.
    void passwordArgument_refusedWithoutRepeatingIt()
    {
        const QString password = u"Cli9Pw4Xq7Zr2Mv"_s;
        for (const QStringList &arguments :
             {QStringList{u"scale"_s, u"--cluster"_s, u"tdengine"_s, u"--replicas"_s, u"3"_s, u"--password"_s,
                          password},
              QStringList{u"repair"_s, u"--cluster"_s, u"tdengine"_s, u"--password="_s + password},
              QStringList{u"resume"_s, u"some-id"_s, u"--password"_s, password, u"--password-stdin"_s}}) {
            const Run run = tdkube(arguments);
            QVERIFY2(run.exitCode == 2, qPrintable(run.story()));
            QVERIFY2(run.err.contains(u"tdkube %1 takes no --password"_s.arg(arguments.first())) &&
                         run.err.contains(u"TDKUBE_TDENGINE_PASSWORD"_s) &&
                         run.err.contains(u"--password-stdin"_s),
                     qPrintable(run.story()));
            QVERIFY2(!run.out.contains(password) && !run.err.contains(password),
                     qPrintable(arguments.first()));
        }
    }

    // --user and --password-stdin only where TDengine is logged in to; an empty user or stdin is bad usage.
    void loginOptions_whereALoginIsUsed_badValuesSaid()
    {
        Run run = tdkube({u"operations"_s, u"--user"_s, u"root"_s});
        QVERIFY2(run.exitCode == 2 && run.err.contains(u"tdkube operations takes no --user."_s),
                 qPrintable(run.story()));
        run = tdkube({u"abandon"_s, u"some-id"_s, u"--password-stdin"_s});
        QVERIFY2(run.exitCode == 2 && run.err.contains(u"tdkube abandon takes no --password-stdin."_s),
                 qPrintable(run.story()));
        const QStringList scale{u"scale"_s, u"--cluster"_s, u"tdengine"_s, u"--replicas"_s, u"3"_s};
        run = tdkube(scale + QStringList{u"--user"_s, u""_s});
        QVERIFY2(run.exitCode == 2 && run.err.contains(u"--user needs the name of a TDengine user."_s),
                 qPrintable(run.story()));
        run = tdkube(scale + QStringList{u"--password-stdin"_s}, {}, QByteArray());
        QVERIFY2(run.exitCode == 2 && run.err.contains(u"--password-stdin read no password"_s) &&
                     run.err.contains(u"Usage: tdkube scale "_s) && run.err.contains(u"[--password-stdin]"_s),
                 qPrintable(run.story()));
    }

    // `configure` needs a cluster and at least one --set KEY=VALUE; --help names it.
    void configure_usage_saidWithTheCommandLine()
    {
        Run run = tdkube({u"configure"_s, u"--cluster"_s, u"tdengine"_s});
        QVERIFY2(run.exitCode == 2 &&
                     run.err.contains(u"tdkube configure needs at least one --set KEY=VALUE."_s) &&
                     run.err.contains(u"Usage: tdkube configure --cluster NAME --set KEY=VALUE"_s),
                 qPrintable(run.story()));
        run = tdkube({u"configure"_s, u"--cluster"_s, u"tdengine"_s, u"--set"_s, u"debugFlag"_s});
        QVERIFY2(run.exitCode == 2 && run.err.contains(u"--set needs KEY=VALUE (got \"debugFlag\")."_s),
                 qPrintable(run.story()));
        run = tdkube({u"configure"_s, u"--set"_s, u"debugFlag=135"_s});
        QVERIFY2(run.exitCode == 2 && run.err.contains(u"tdkube configure needs --cluster NAME"_s),
                 qPrintable(run.story()));
        run = tdkube({u"configure"_s, u"--cluster"_s, u"tdengine"_s, u"--set"_s, u"debugFlag=135"_s,
                      u"--replicas"_s, u"3"_s});
        QVERIFY2(run.exitCode == 2 && run.err.contains(u"tdkube configure takes no --replicas."_s),
                 qPrintable(run.story()));
        run = tdkube({u"--help"_s});
        QVERIFY2(run.out.contains(u"tdkube configure --cluster NAME --set KEY=VALUE"_s),
                 qPrintable(run.story()));
    }

    // `upgrade` needs a cluster and --image; --help names it.
    void upgrade_usage_saidWithTheCommandLine()
    {
        Run run = tdkube({u"upgrade"_s, u"--cluster"_s, u"tdengine"_s});
        QVERIFY2(run.exitCode == 2 &&
                     run.err.contains(
                         u"tdkube upgrade needs --image IMAGE, the new image with its version tag."_s) &&
                     run.err.contains(u"Usage: tdkube upgrade --cluster NAME --image IMAGE [--yes]"_s),
                 qPrintable(run.story()));
        run = tdkube({u"upgrade"_s, u"--image"_s, u"tdengine/tdengine:3.3.6.6"_s});
        QVERIFY2(run.exitCode == 2 && run.err.contains(u"tdkube upgrade needs --cluster NAME"_s),
                 qPrintable(run.story()));
        run = tdkube({u"upgrade"_s, u"--cluster"_s, u"tdengine"_s, u"--image"_s,
                      u"tdengine/tdengine:3.3.6.6"_s, u"--set"_s, u"debugFlag=135"_s});
        QVERIFY2(run.exitCode == 2 && run.err.contains(u"tdkube upgrade takes no --set."_s),
                 qPrintable(run.story()));
        run = tdkube({u"--help"_s});
        QVERIFY2(run.out.contains(u"tdkube upgrade --cluster NAME --image IMAGE [--yes]"_s),
                 qPrintable(run.story()));
    }

    // `resume` of an operation this workstation has no journal of looks for its record in the cluster (of
    // the context and namespace given); --wait takes whole seconds; abandon takes a context and namespace.
    void resumeAndAbandon_noJournalHere_askTheClusterSayingWhere()
    {
        Run run = tdkube({u"resume"_s, u"some-id"_s, u"--wait"_s, u"soon"_s});
        QVERIFY2(run.exitCode == 2 &&
                     run.err.contains(u"--wait needs a whole number of seconds (got \"soon\")."_s) &&
                     run.err.contains(u"Usage: tdkube resume ID [--wait SECONDS] "_s),
                 qPrintable(run.story()));
        const QStringList where{u"--kubeconfig"_s, m_dir.filePath(u"kubeconfig"_s), u"-n"_s, u"tsdb"_s};
        run = tdkube(QStringList{u"resume"_s, u"20261206T000000Z-00000000"_s} + where, noKeychain());
        QVERIFY2(
            run.exitCode == 1 &&
                run.out.contains(u"Operation 20261206T000000Z-00000000 has no journal on this workstation: "
                                 u"reading its record in the cluster (context first, namespace tsdb)."_s) &&
                run.err.contains(
                    u"Could not read the record of operation 20261206T000000Z-00000000 in the "
                    u"cluster (context first, namespace tsdb): Cannot connect to the API server"_s) &&
                run.err.contains(u"Nothing was changed."_s),
            qPrintable(run.story()));
        run = tdkube(QStringList{u"abandon"_s, u"20261206T000000Z-00000000"_s} + where, noKeychain());
        QVERIFY2(
            run.exitCode == 1 &&
                run.err.contains(u"Could not read the record of operation 20261206T000000Z-00000000 in the "
                                 u"cluster (context first, namespace tsdb)"_s),
            qPrintable(run.story()));
    }

    // `tdkube operations` lists this workstation's operations, then the cluster's; a cluster that cannot
    // be reached is said in one line, with the reason, and the local list is still there.
    void operations_clusterUnreachable_localListAndOneLineWhy()
    {
        const Run run =
            tdkube({u"operations"_s, u"--kubeconfig"_s, m_dir.filePath(u"kubeconfig"_s)}, noKeychain());
        QVERIFY2(run.exitCode == 0 && run.out.startsWith(u"No unfinished operations ("_s),
                 qPrintable(run.story()));
        QVERIFY2(run.err.count(u'\n') == 1 &&
                     run.err.startsWith(u"tdkube: The operations recorded in the cluster (context first, "
                                        u"namespace from-context) could not be read: Cannot connect to the "
                                        u"API server at https://127.0.0.1:9"_s),
                 qPrintable(run.story()));
    }

    // The demo cluster has TDengine's default password, and no keychain is there: each source of the
    // password reaches TDengine; --password-stdin wins over the variable; a wrong one is refused by
    // TDengine, and the refusal says which user and where the password came from, never what it is.
    void login_eachSource_wrongPasswordSaidWithItsSource()
    {
        const QString kubeconfig = startSandbox();
        QVERIFY(!kubeconfig.isEmpty());
        const QStringList plan{u"scale"_s, u"--cluster"_s,     u"tdengine"_s,
                               u"-n"_s,    u"tdengine-test"_s, u"--replicas"_s,
                               u"4"_s,     u"--kubeconfig"_s,  kubeconfig};
        const QString wrong = u"CliWr0ng5Tq8Ls"_s;
        const auto planned = [](const Run &run) {
            return run.exitCode == 0 &&
                   run.out.contains(u"Nothing was changed. Run the same command with --yes"_s);
        };
        // Once the demo cluster's pods are Ready, the password from the environment plans.
        Run run;
        const bool ready = QTest::qWaitFor(
            [&] {
                run = tdkube(plan, noKeychain({{u"TDKUBE_TDENGINE_PASSWORD"_s, u"taosdata"_s}}));
                return planned(run);
            },
            kProcessMs);
        QVERIFY2(ready && !run.err.contains(u"Warning"_s), qPrintable(run.story()));
        // Nothing given: the keychain (none here), then the default, with a warning.
        run = tdkube(plan, noKeychain());
        QVERIFY2(planned(run) && run.err.contains(u"Warning: no TDengine password was given"_s) &&
                     run.err.contains(u"TDengine's default password is tried for user root"_s),
                 qPrintable(run.story()));
        run = tdkube(plan + QStringList{u"--password-stdin"_s},
                     noKeychain({{u"TDKUBE_TDENGINE_PASSWORD"_s, wrong}}), "taosdata\n");
        QVERIFY2(planned(run) && !run.err.contains(u"Warning"_s), qPrintable(run.story()));

        run = tdkube(plan, noKeychain({{u"TDKUBE_TDENGINE_PASSWORD"_s, wrong}}));
        QVERIFY2(run.exitCode == 1 && run.err.contains(u"0x0357: Authentication failure"_s) &&
                     run.err.contains(u"TDengine refused user root with the password from the environment "
                                      u"variable TDKUBE_TDENGINE_PASSWORD"_s),
                 qPrintable(run.story()));
        QVERIFY(!run.out.contains(wrong) && !run.err.contains(wrong));
        run = tdkube(plan + QStringList{u"--password-stdin"_s, u"--user"_s, u"ops"_s}, noKeychain(),
                     wrong.toUtf8() + "\r\n");
        QVERIFY2(run.exitCode == 1 && run.err.contains(u"0x0357: Authentication failure"_s) &&
                     run.err.contains(u"TDengine refused user ops with the password read from stdin "
                                      u"(--password-stdin)"_s),
                 qPrintable(run.story()));
        QVERIFY(!run.out.contains(wrong) && !run.err.contains(wrong));
        run = tdkube(plan + QStringList{u"--user"_s, u"ops"_s}, noKeychain());
        QVERIFY2(run.exitCode == 1 && run.err.contains(u"TDengine refused user ops with TDengine's default "
                                                       u"password"_s),
                 qPrintable(run.story()));
    }

    // --lang, else the system's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG); Qt's own words too.
    void lang_zhCN_helpAndCommandsInChinese_unknownLanguageSaid()
    {
        Run run = tdkube({u"--lang"_s, u"zh_CN"_s, u"--help"_s});
        QVERIFY2(run.exitCode == 0, qPrintable(run.story()));
        QVERIFY2(run.out.contains(u"用法"_s) && run.out.contains(u"--kubeconfig <file>"_s) &&
                     run.out.contains(u"kubeconfig 文件"_s),
                 qPrintable(run.story()));
        run = tdkube({u"--help"_s}, {{u"LC_ALL"_s, u"zh_CN.UTF-8"_s}, {u"LANGUAGE"_s, u""_s}});
        QVERIFY2(run.out.contains(u"用法"_s), qPrintable(run.story()));
        // A command, with --lang before it: its refusal in Chinese.
        run = tdkube({u"--lang=zh_CN"_s, u"scale"_s, u"--kubeconfig"_s, m_dir.filePath(u"kubeconfig"_s),
                      u"--context"_s, u"nowhere-context"_s, u"--cluster"_s, u"tdengine"_s, u"--replicas"_s,
                      u"4"_s});
        QVERIFY2(run.exitCode != 0, qPrintable(run.story()));
        QVERIFY2(run.err.contains(u"nowhere-context"_s) &&
                     QRegularExpression(u"\\p{Han}"_s).match(run.err).hasMatch(),
                 qPrintable(run.story()));
        run = tdkube({u"--lang"_s, u"xx"_s, u"--help"_s});
        QVERIFY2(run.exitCode == 0, qPrintable(run.story()));
        QVERIFY2(run.err.contains(u"unknown language 'xx'"_s), qPrintable(run.story()));
        QVERIFY2(run.out.contains(u"Usage:"_s), qPrintable(run.story()));
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

    // packaging/run.sh starts the sandbox with --demo and then tdkube with --cluster
    // tdengine-test/tdengine; --smoke ends tdkube once the window shows that dashboard with data.
    void runCommand_opensTheDemoClustersDashboard_withoutAClick()
    {
        const QString kubeconfig = startSandbox();
        QVERIFY(!kubeconfig.isEmpty());
        const QString screenshot = m_dir.filePath(u"first-minute.png"_s);
        const Run run = window({u"--kubeconfig"_s, kubeconfig, u"--cluster"_s, u"tdengine-test/tdengine"_s,
                                u"--smoke"_s, u"--screenshot"_s, screenshot},
                               m_dir.filePath(u"smoke"_s));
        QVERIFY2(run.exitCode == 0, qPrintable(run.story()));
        QVERIFY2(run.out.contains(u"tdkube: smoke check passed: the dashboard of TDengine cluster "
                                  u"tdengine-test/tdengine shows its first snapshot: dnodes "_s),
                 qPrintable(run.story()));
        QFile png(screenshot);
        QVERIFY(png.open(QIODevice::ReadOnly));
        QVERIFY(png.read(8) == "\x89PNG\r\n\x1a\n");
    }

    // A cluster that is not there: --smoke fails and says what the window showed instead.
    void smoke_noSuchCluster_failsWithWhatTheWindowShows()
    {
        const QString kubeconfig = startSandbox();
        QVERIFY(!kubeconfig.isEmpty());
        const Run run = window({u"--kubeconfig"_s, kubeconfig, u"--cluster"_s, u"tdengine-test/nothing"_s,
                                u"--smoke"_s, u"--smoke-timeout"_s, u"5"_s},
                               m_dir.filePath(u"smoke-fails"_s));
        QVERIFY2(run.exitCode == 1, qPrintable(run.story()));
        QVERIFY2(run.err.contains(
                     u"tdkube: smoke check failed: no TDengine cluster's dashboard with data after 5 s. "
                     u"The window shows: connection: ● "_s),
                 qPrintable(run.story()));
        QVERIFY2(run.err.contains(u"TDengine clusters in namespace tdengine-test: tdengine; elsewhere: none; "
                                  u"no cluster page open"_s),
                 qPrintable(run.story()));
    }

    // `tdkube deploy -f`: the files are checked first (file, line and column), a cluster that exists is
    // refused, the plan is printed, and with --yes it runs to a verified cluster, recorded like any
    // operation. The namespace is made with the real kubectl. Last: the other tests expect the demo cluster
    // alone in the sandbox.
    void deploy_manifestFiles_checkedRefusedPlannedThenRun()
    {
        const QString kubeconfig = startSandbox();
        QVERIFY(!kubeconfig.isEmpty());
        QStringList files;
        const QDir manifests(QStringLiteral(TDKUBE_MANIFESTS_DIR));
        for (const QString &name : manifests.entryList({u"*.yaml"_s}, QDir::Files, QDir::Name))
            files << u"-f"_s << manifests.filePath(name);
        const QString bad = m_dir.filePath(u"bad.yaml"_s);
        QFile badFile(bad);
        QVERIFY(badFile.open(QIODevice::WriteOnly));
        badFile.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata: [unclosed\n");
        badFile.close();
        const QStringList where{u"--kubeconfig"_s, kubeconfig};
        Run run =
            tdkube(QStringList{u"deploy"_s, u"-f"_s, bad, u"-n"_s, u"tdengine-test"_s} + where, noKeychain());
        QVERIFY2(run.exitCode == 1 && run.err.contains(u"tdkube: "_s + bad + u":"_s) &&
                     run.err.contains(u": error: "_s) &&
                     run.err.contains(u"Nothing was deployed: fix the files first."_s),
                 qPrintable(run.story()));

        // The demo cluster is there already.
        run = tdkube(QStringList{u"deploy"_s, u"-n"_s, u"tdengine-test"_s} + files + where, noKeychain());
        QVERIFY2(run.exitCode == 1 &&
                     run.out.contains(u"[blocking] cluster-exists: StatefulSet tdengine "
                                      u"exists already in namespace tdengine-test"_s) &&
                     run.err.contains(u"Refused: the blocking findings above must be resolved first; nothing "
                                      u"was changed."_s),
                 qPrintable(run.story()));

        QProcess kubectl;
        kubectl.start(u"kubectl"_s,
                      {u"--kubeconfig"_s, kubeconfig, u"create"_s, u"namespace"_s, u"clideploy"_s});
        QVERIFY(kubectl.waitForFinished(kProcessMs));
        QVERIFY2(kubectl.exitCode() == 0, kubectl.readAllStandardError().constData());
        const QStringList deploy = QStringList{u"deploy"_s, u"-n"_s, u"clideploy"_s} + files + where;
        run = tdkube(deploy, noKeychain());
        QVERIFY2(run.exitCode == 0 && run.out.startsWith(u"Reading namespace clideploy"_s) &&
                     run.out.contains(
                         u"Deploy tdengine with 3 dnodes (6 steps)\nSteps:\n  1. apply 4 objects\n     "
                         u"ConfigMap tdengine-taoscfg, Service taosd, Service taosadapter, StatefulSet "
                         u"tdengine: server-side apply"_s) &&
                     run.out.contains(u"  5. create an mnode on the dnode of pod tdengine-2\n"_s) &&
                     run.out.contains(u"Nothing was changed. Run the same command with --yes"_s),
                 qPrintable(run.story()));

        run = tdkube(deploy + QStringList{u"--yes"_s},
                     noKeychain({{u"TDKUBE_TDENGINE_PASSWORD"_s, u"taosdata"_s}}));
        QVERIFY2(run.exitCode == 0 && run.out.contains(u"[1/6] apply 4 objects\n"_s) &&
                     run.out.contains(u"      done: 4 objects applied.\n"_s) &&
                     run.out.contains(u"[6/6] verify the cluster\n"_s) &&
                     run.out.contains(u"      done: 3 dnodes ready, 1 mnode leader.\n"_s) &&
                     run.out.contains(u"Deploy tdengine with 3 dnodes (6 steps): done."_s),
                 qPrintable(run.story()));
        // Recorded in the cluster: a colleague's `tdkube operations` would list it as history.
        kubectl.start(u"kubectl"_s, {u"--kubeconfig"_s, kubeconfig, u"get"_s, u"configmaps"_s, u"-n"_s,
                                     u"clideploy"_s, u"-l"_s, u"tdkube.io/operation=deploy"_s, u"-o"_s,
                                     u"jsonpath={.items[*].metadata.labels.tdkube\\.io/phase}"_s});
        QVERIFY(kubectl.waitForFinished(kProcessMs));
        QCOMPARE(QString::fromUtf8(kubectl.readAllStandardOutput()).trimmed(), u"finished"_s);
    }

    void cleanupTestCase()
    {
        if (m_sandbox.state() == QProcess::NotRunning)
            return;
        m_sandbox.terminate();
        if (!m_sandbox.waitForFinished(10000))
            m_sandbox.kill();
        m_sandbox.waitForFinished();
    }

private:
    // The real tdkube-sandbox as run.sh starts it (--demo); its kubeconfig's path, empty when it
    // did not start. One for the whole test case.
    QString startSandbox()
    {
        const QString kubeconfig = m_dir.filePath(u"sandbox/kubeconfig"_s);
        if (m_sandbox.state() == QProcess::Running)
            return kubeconfig;
        QDir().mkpath(m_dir.filePath(u"sandbox"_s));
        m_sandbox.setProcessChannelMode(QProcess::ForwardedChannels);
        // It dies with this program, whichever way that ends (tests/kube/sandboxfixture.h, endWithTheTest).
        m_sandbox.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        m_sandbox.start(QStringLiteral(TDKUBE_SANDBOX_PATH),
                        {u"--port"_s, u"0"_s, u"--demo"_s, u"--data-dir"_s, m_dir.filePath(u"sandbox"_s),
                         u"--kubeconfig-out"_s, kubeconfig});
        const bool written = QTest::qWaitFor(
            [&] { return QFileInfo(kubeconfig).size() > 0 || m_sandbox.state() == QProcess::NotRunning; },
            kProcessMs);
        return written && m_sandbox.state() == QProcess::Running ? kubeconfig : QString();
    }

    // Runs the window offscreen to its end, with its settings in `configHome`.
    Run window(const QStringList &arguments, const QString &configHome)
    {
        QProcess process;
        process.setProcessEnvironment(windowEnvironment(configHome, {}));
        return runToEnd(process, arguments, 3 * kProcessMs);
    }

    // `input`, when given, is what stdin holds.
    Run tdkube(const QStringList &arguments, const QList<std::pair<QString, QString>> &environment = {},
               const std::optional<QByteArray> &input = {})
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"XDG_CONFIG_HOME"_s, m_dir.filePath(u"config"_s));
        env.remove(u"TDKUBE_TDENGINE_PASSWORD"_s);
        for (const auto &[name, value] : environment)
            env.insert(name, value);
        process.setProcessEnvironment(env);
        return runToEnd(process, arguments, kProcessMs, input);
    }

    // A command's environment without a keychain to ask (as over ssh), its journals in the test's folder.
    QList<std::pair<QString, QString>> noKeychain(const QList<std::pair<QString, QString>> &more = {}) const
    {
        return QList<std::pair<QString, QString>>{
                   {u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path="_s + m_dir.filePath(u"no-bus"_s)},
                   {u"XDG_DATA_HOME"_s, m_dir.filePath(u"data"_s)}} +
               more;
    }

    static Run runToEnd(QProcess &process, const QStringList &arguments, int timeoutMs,
                        const std::optional<QByteArray> &input = {})
    {
        process.start(QStringLiteral(TDKUBE_PATH), arguments);
        if (input) {
            process.write(*input);
            process.closeWriteChannel();
        }
        Run run;
        if (process.waitForFinished(timeoutMs) && process.exitStatus() == QProcess::NormalExit)
            run.exitCode = process.exitCode();
        else
            process.kill();
        process.waitForFinished();
        run.out = QString::fromUtf8(process.readAllStandardOutput());
        run.err = QString::fromUtf8(process.readAllStandardError());
        return run;
    }

    // The window's environment: offscreen, its settings in `configHome`, no keychain to wait for.
    static QProcessEnvironment windowEnvironment(const QString &configHome,
                                                 const QList<std::pair<QString, QString>> &environment)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        env.insert(u"XDG_CONFIG_HOME"_s, configHome);
        env.insert(u"XDG_DATA_HOME"_s, configHome + u"/data"_s);
        env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path="_s + configHome + u"/no-bus"_s);
        env.remove(u"KUBECONFIG"_s);
        for (const auto &[name, value] : environment)
            env.insert(name, value);
        return env;
    }

    // Starts the window offscreen with its settings in `configHome`, waits until it remembers
    // `context` and `ns` as what it opened, and closes it.
    bool window(const QStringList &arguments, const QString &configHome,
                const QList<std::pair<QString, QString>> &environment, const QString &context,
                const QString &ns)
    {
        QProcess process;
        process.setProcessEnvironment(windowEnvironment(configHome, environment));
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
    QProcess m_sandbox;
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
