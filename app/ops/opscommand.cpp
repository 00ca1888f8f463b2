#include "ops/opscommand.h"

#include "kube/kubeclient.h"
#include "kube/kubeconfig.h"
#include "kube/objects.h"
#include "kube/portforward.h"
#include "ops/clusterrecord.h"
#include "ops/executor.h"
#include "ops/facts.h"
#include "ops/journal.h"
#include "ops/opscommand_p.h"
#include "ops/planner.h"
#include "taos/clusterconnection.h"
#include "taos/passwordstore.h"
#include "taos/restclient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QPointer>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

namespace tdkube::ops::opscommand {

using namespace Qt::StringLiterals;

namespace detail {

namespace {

const QStringList kCommands{u"deploy"_s,  u"scale"_s,  u"repair"_s,  u"configure"_s,
                            u"upgrade"_s, u"resume"_s, u"abandon"_s, u"operations"_s};

QString usage(const QString &command)
{
    const QString connection = u"[--kubeconfig FILE] [--context NAME] [-n NAMESPACE]"_s;
    const QString login = u"[--user NAME] [--password-stdin]"_s;
    if (command == u"deploy")
        return u"tdkube deploy -f FILE [-f FILE...] [--yes] [--no-ha-mnodes] "_s + login + u' ' + connection;
    if (command == u"scale")
        return u"tdkube scale --cluster NAME --replicas N [--yes] [--delete-stale-claims] [--balance] "_s +
               login + u' ' + connection;
    if (command == u"repair")
        return u"tdkube repair --cluster NAME [--yes] [--confirm TEXT] "_s + login + u' ' + connection;
    if (command == u"configure")
        return u"tdkube configure --cluster NAME --set KEY=VALUE [--set KEY=VALUE...] [--yes] "_s + login +
               u' ' + connection;
    if (command == u"upgrade")
        return u"tdkube upgrade --cluster NAME --image IMAGE [--yes] "_s + login + u' ' + connection;
    if (command == u"operations")
        return u"tdkube operations "_s + connection;
    if (command == u"resume")
        return u"tdkube resume ID [--wait SECONDS] "_s + login + u' ' + connection;
    return u"tdkube abandon ID "_s + connection;
}

QString severityTag(Finding::Severity severity)
{
    switch (severity) {
    case Finding::Severity::Blocking:
        //: A finding's severity, before its code: "[blocking] below-replica: ..."
        return Text::tr("[blocking]");
    case Finding::Severity::Warning:
        //: A finding's severity, before its code: "[warning] volumes-retained: ..."
        return Text::tr("[warning]");
    case Finding::Severity::Info:
        //: A finding's severity, before its code: "[info] dnode-returns: ..."
        return Text::tr("[info]");
    }
    return u"["_s + severityName(severity) + u"]"_s;
}

} // namespace

// Each line is flushed at once: a crash (or TDKUBE_TEST_CRASH_AT's _exit) must not swallow what the
// person already read as done.
void say(const QString &line)
{
    std::fputs((line + u'\n').toUtf8().constData(), stdout);
    std::fflush(stdout);
}

void complain(const QString &line)
{
    std::fputs((u"tdkube: "_s + line + u'\n').toUtf8().constData(), stderr);
    std::fflush(stderr);
}

// "Usage: tdkube scale ...": the command lines themselves are not translated.
QString usageLine(const QString &command)
{
    return Text::tr("Usage: %1").arg(usage(command));
}

// Options every command may be given, and the ones specific to each.
const QList<QCommandLineOption> &options()
{
    static const QList<QCommandLineOption> all{
        {u"kubeconfig"_s, Text::tr("The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)."),
         u"file"_s},
        {u"context"_s, Text::tr("The kubeconfig context (default: its current-context)."), u"name"_s},
        {{u"n"_s, u"namespace"_s}, Text::tr("The namespace (default: the context's)."), u"ns"_s},
        {u"cluster"_s, Text::tr("The TDengine cluster: its StatefulSet's name."), u"name"_s},
        {{u"f"_s, u"file"_s},
         Text::tr("Deploy: a file of manifests (YAML, several documents allowed); repeat for more."),
         u"file"_s},
        {u"no-ha-mnodes"_s,
         Text::tr("Deploy: one mnode only (without it, a cluster of 3 or more dnodes gets three).")},
        {u"replicas"_s, Text::tr("The number of dnodes (pods) to scale to."), u"n"_s},
        {u"yes"_s, Text::tr("Run the plan (without it, only print it).")},
        {u"delete-stale-claims"_s,
         Text::tr("Scale-out: delete the new pods' claims left by an earlier scale-in.")},
        {u"balance"_s, Text::tr("Scale-out: `balance vgroup` once the new dnodes are ready.")},
        {u"confirm"_s, Text::tr("Repair: the text the plan asks to be typed (the StatefulSet's name)."),
         u"text"_s},
        {u"set"_s,
         Text::tr(
             "Configure: a taos.cfg entry and its new value, KEY=VALUE (KEY as taos.cfg spells it, or its "
             "TAOS_* variable); repeat for more."),
         u"key=value"_s},
        {u"image"_s,
         Text::tr("Upgrade: the new image of the TDengine container, with its version tag "
                  "(tdengine/tdengine:3.3.6.6)."),
         u"image"_s},
        {u"user"_s,
         Text::tr(
             "The TDengine user (default: root; with the keychain's password, the user stored with it)."),
         u"name"_s},
        {u"password-stdin"_s,
         Text::tr("Read the TDengine password from the first line of stdin (it wins over "
                  "TDKUBE_TDENGINE_PASSWORD).")},
        {u"wait"_s,
         Text::tr("Resume of another workstation's operation: how long to wait for its lease on the cluster "
                  "to expire (default: %1).")
             .arg(kDefaultLeaseWaitS),
         u"seconds"_s},
        {{u"v"_s, u"verbose"_s}, Text::tr("Print the executor's log too (every statement and change).")},
        {{u"h"_s, u"help"_s}, Text::tr("Show this help.")},
    };
    return all;
}

bool Command::parse(QString *error)
{
    m_command = m_arguments.value(1); // run() is only called for one of kCommands
    m_parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    m_parser.addOptions(options());
    if (!m_parser.parse(m_arguments)) {
        *error = m_parser.errorText();
        return false;
    }
    return true;
}

bool Command::checkOptions(const QStringList &allowed, QString *error) const
{
    for (const QString &name : m_parser.optionNames()) {
        const QString canonical = name == u"n"   ? u"namespace"_s
                                  : name == u"v" ? u"verbose"_s
                                  : name == u"f" ? u"file"_s
                                                 : name;
        if (canonical != u"verbose" && !allowed.contains(canonical)) {
            *error = Text::tr("tdkube %1 takes no --%2.").arg(m_command, canonical);
            return false;
        }
    }
    return true;
}

std::optional<int> Command::start()
{
    QString error;
    if (passwordArgument(m_arguments.mid(2))) {
        complain(
            Text::tr("tdkube %1 takes no --password: a password among the arguments is seen by every user "
                     "of this machine (ps) and kept in the shell's history. Give it in the environment "
                     "variable TDKUBE_TDENGINE_PASSWORD, or on stdin with --password-stdin.")
                .arg(m_arguments.value(1)) +
            u'\n' + usageLine(m_arguments.value(1)));
        return kExitUsage;
    }
    if (!parse(&error)) {
        complain(error + u'\n' + usageLine(m_command));
        return kExitUsage;
    }
    if (m_parser.isSet(u"help"_s)) {
        say(usageLine(m_command) + u"\n\n"_s + helpText());
        return kExitOk;
    }
    const QStringList positional = m_parser.positionalArguments();
    const QStringList connection{u"kubeconfig"_s, u"context"_s, u"namespace"_s};
    const QStringList login{u"user"_s, u"password-stdin"_s};
    QStringList allowed;
    int positionals = 1;
    if (m_command == u"deploy")
        allowed = connection + login + QStringList{u"file"_s, u"yes"_s, u"no-ha-mnodes"_s};
    else if (m_command == u"scale")
        allowed = connection + login +
                  QStringList{u"cluster"_s, u"replicas"_s, u"yes"_s, u"delete-stale-claims"_s, u"balance"_s};
    else if (m_command == u"repair")
        allowed = connection + login + QStringList{u"cluster"_s, u"yes"_s, u"confirm"_s};
    else if (m_command == u"configure")
        allowed = connection + login + QStringList{u"cluster"_s, u"yes"_s, u"set"_s};
    else if (m_command == u"upgrade")
        allowed = connection + login + QStringList{u"cluster"_s, u"yes"_s, u"image"_s};
    else if (m_command == u"resume")
        allowed = login + connection + QStringList{u"wait"_s};
    else if (m_command == u"operations" || m_command == u"abandon")
        allowed = connection;
    if (m_command == u"resume" || m_command == u"abandon")
        positionals = 2;
    if (!checkOptions(allowed, &error) || positional.size() != positionals) {
        if (error.isEmpty())
            error = positionals == 2
                        ? Text::tr("tdkube %1 needs one operation ID (`tdkube operations` lists them).")
                              .arg(m_command)
                        : Text::tr("Unexpected argument %1.").arg(positional.value(1));
        complain(error + u'\n' + usageLine(m_command));
        return kExitUsage;
    }
    if (m_command == u"operations")
        return listOperations();
    if (m_command == u"abandon")
        return abandon();
    if (!takeLogin(&error)) {
        complain(error + u'\n' + usageLine(m_command));
        return kExitUsage;
    }
    if (m_command == u"resume")
        return resume();
    if (m_command == u"deploy")
        return deploy();

    m_cluster = m_parser.value(u"cluster"_s);
    if (m_cluster.isEmpty()) {
        complain(Text::tr("tdkube %1 needs --cluster NAME, the StatefulSet of the TDengine cluster.")
                     .arg(m_command) +
                 u'\n' + usageLine(m_command));
        return kExitUsage;
    }
    if (m_command == u"scale") {
        bool number = false;
        m_replicas = m_parser.value(u"replicas"_s).toInt(&number);
        if (!number || m_replicas < 1) {
            complain(Text::tr("tdkube scale needs --replicas N, a whole number of dnodes of at least 1 (got "
                              "\"%1\").")
                         .arg(m_parser.value(u"replicas"_s)) +
                     u'\n' + usageLine(m_command));
            return kExitUsage;
        }
    }
    if (m_command == u"configure") {
        for (const QString &setting : m_parser.values(u"set"_s)) {
            const qsizetype equals = setting.indexOf(u'=');
            if (equals <= 0) {
                complain(Text::tr("--set needs KEY=VALUE (got \"%1\").").arg(setting) + u'\n' +
                         usageLine(m_command));
                return kExitUsage;
            }
            m_settings.insert(setting.left(equals).trimmed(), setting.mid(equals + 1).trimmed());
        }
        if (m_settings.isEmpty()) {
            complain(Text::tr("tdkube configure needs at least one --set KEY=VALUE.") + u'\n' +
                     usageLine(m_command));
            return kExitUsage;
        }
    }
    if (m_command == u"upgrade" && m_parser.value(u"image"_s).trimmed().isEmpty()) {
        complain(Text::tr("tdkube upgrade needs --image IMAGE, the new image with its version tag.") + u'\n' +
                 usageLine(m_command));
        return kExitUsage;
    }
    return plan();
}

std::optional<int> Command::plan()
{
    if (!openClient(m_parser.value(u"context"_s)))
        return kExitFailed;
    say(Text::tr("Reading TDengine cluster %1 in namespace %2 (context %3)…")
            .arg(m_cluster, m_ns, m_context));
    m_connection = std::make_unique<taos::ClusterConnection>(
        m_client.get(), m_ns, m_cluster, m_context + u'/' + m_ns + u'/' + m_cluster, m_passwords.get());
    watchLogin();
    m_connection->start();
    gatherFacts(m_client.get(), m_connection.get(), m_ns, m_cluster, this,
                [this](const ClusterFacts &facts, const QString &error) { planned(facts, error); });
    return std::nullopt;
}

void Command::planned(const ClusterFacts &facts, const QString &error)
{
    if (!error.isEmpty()) {
        // Nothing is planned from a partial reading; a person needs to know nothing happened.
        complain(Text::tr("Could not read cluster %1: %2 Nothing was changed.")
                     .arg(m_cluster, error.endsWith(u'.') ? error : error + u'.'));
        if (!m_connection->rest()) {
            done(kExitFailed);
            return;
        }
        // Whether that was TDengine refusing the login: then which password it was is said too.
        askTdengine([this](const taos::TaosError &refusal) {
            if (refusal.isValid())
                complain(refusedLogin(passwordFrom(), m_connection->login().user));
            done(kExitFailed);
        });
        return;
    }
    // The executor makes its own connection; this one is no longer needed.
    if (m_connection->forward())
        m_connection->forward()->stop(Text::tr("The cluster was read."));
    Plan plan;
    if (m_command == u"scale") {
        const int current = kube::valueAt(facts.statefulSet, u"spec.replicas"_s).toInt(1);
        if (current == m_replicas) {
            say(Text::tr("StatefulSet %1 already has %2 replicas: nothing to do.")
                    .arg(m_cluster)
                    .arg(current));
            done(kExitOk);
            return;
        }
        ScaleOutOptions options;
        options.deleteStaleClaims = m_parser.isSet(u"delete-stale-claims"_s);
        options.balanceVgroups = m_parser.isSet(u"balance"_s);
        plan =
            m_replicas > current ? planScaleOut(facts, m_replicas, options) : planScaleIn(facts, m_replicas);
    } else if (m_command == u"configure") {
        plan = planConfigure(facts, m_settings);
    } else if (m_command == u"upgrade") {
        plan = planUpgrade(facts, m_parser.value(u"image"_s));
    } else {
        plan = planRepair(facts);
        const QString typed = m_parser.value(u"confirm"_s);
        if (!typed.isEmpty() && !plan.confirmation.isEmpty() && !plan.confirm(typed)) {
            printPlan(plan);
            complain(Text::tr("The confirmation \"%1\" does not match: type the StatefulSet's name exactly, "
                              "--confirm %2.")
                         .arg(typed, plan.confirmation));
            done(kExitFailed);
            return;
        }
    }
    plan.context = m_context;
    decide(plan);
}

void Command::decide(const Plan &plan)
{
    printPlan(plan);
    if (plan.blocked()) {
        complain(
            plan.confirmation.isEmpty() || !plan.steps.isEmpty()
                ? Text::tr(
                      "Refused: the blocking findings above must be resolved first; nothing was changed.")
                : Text::tr(
                      "Refused until confirmed: this repair destroys data (above). If that is accepted, run "
                      "it again with --confirm %1; nothing was changed.")
                      .arg(plan.confirmation));
        done(kExitFailed);
        return;
    }
    if (plan.steps.isEmpty()) {
        say(Text::tr("Nothing to do."));
        done(kExitOk);
        return;
    }
    if (!m_parser.isSet(u"yes"_s)) {
        say(Text::tr("Nothing was changed. Run the same command with --yes to run these steps."));
        done(kExitOk);
        return;
    }
    runPlan(plan);
}

void Command::printPlan(const Plan &plan) const
{
    say(plan.summary());
    if (!plan.findings.isEmpty()) {
        say(Text::tr("Findings:"));
        for (const Finding &finding : plan.findings) {
            say(u"  %1 %2: %3"_s.arg(severityTag(finding.severity), finding.code, finding.reason));
            if (!finding.fix.isEmpty())
                say(u"      "_s + Text::tr("fix: %1").arg(finding.fix));
        }
    }
    if (!plan.confirmation.isEmpty())
        say(Text::tr("Confirmation: this plan may destroy data; it runs only with --confirm %1.")
                .arg(plan.confirmation));
    if (plan.steps.isEmpty())
        return;
    say(Text::tr("Steps:"));
    for (qsizetype i = 0; i < plan.steps.size(); ++i) {
        const Step &step = plan.steps.at(i);
        say(u"  %1. %2"_s.arg(i + 1).arg(step.title));
        if (!step.detail.isEmpty())
            say(u"     "_s + QString(step.detail).replace(u'\n', u"\n     "_s));
    }
}

void Command::runPlan(const Plan &plan)
{
    m_executor = new Executor(m_client.get(), m_passwords.get(), this);
    follow(m_executor, int(plan.steps.size()));
    m_executor->start(plan);
    if (m_executor && m_executor->isRunning())
        say(Text::tr("Operation %1 started. If it stops half-way, `tdkube resume %1` continues it.")
                .arg(m_executor->journal().id()));
}

void Command::follow(Executor *executor, int steps)
{
    connect(executor, &Executor::stepStarted, this, [executor, steps](int index) {
        say(u"[%1/%2] %3"_s.arg(index + 1).arg(steps).arg(executor->journal().plan().steps.at(index).title));
    });
    connect(executor, &Executor::stepProgress, this,
            //: %1: what the step waits for ("dnode 5 to be dropped: ...")
            [](int, const QString &text) { say(u"      "_s + Text::tr("waiting for %1").arg(text)); });
    connect(executor, &Executor::stepFinished, this, [](int, bool ok, const QString &message) {
        say(u"      "_s + (ok ? Text::tr("done: %1").arg(message) : Text::tr("FAILED: %1").arg(message)));
    });
    // Said in the log too, which only -v prints: a person must know that colleagues will not see it.
    connect(executor->clusterRecord(), &ClusterRecord::unavailable, this,
            [](const QString &message) { complain(message); });
    if (m_parser.isSet(u"verbose"_s))
        connect(executor, &Executor::logLine, this,
                //: A line of the executor's log, printed with --verbose
                [](const QString &line) { say(u"  "_s + Text::tr("log %1").arg(line)); });
    connect(executor, &Executor::finished, this, [this, executor](bool ok, const QString &message) {
        if (ok) {
            say(message);
            done(kExitOk);
            return;
        }
        complain(message);
        const Journal &journal = executor->journal();
        QString error;
        if (journal.isValid() && QFileInfo::exists(journal.path()) &&
            Journal::load(journal.path(), &error).status() == Journal::Status::Running)
            complain(Text::tr("Operation %1 is unfinished: `tdkube resume %1` continues it once the cause is "
                              "fixed; `tdkube abandon %1` forgets it.")
                         .arg(journal.id()));
        done(kExitFailed);
    });
}

// The operation's record in the cluster is let catch up with its journal before the process ends (the
// executor never waits for it), for a few seconds at most: the journal is what counts.
void Command::done(int code)
{
    if (m_executor)
        m_executor->clusterRecord()->flush(kRecordFlushMs);
    QCoreApplication::exit(code);
}

} // namespace detail

using namespace detail;

bool isCommand(const QStringList &arguments)
{
    return arguments.size() > 1 && kCommands.contains(arguments.at(1));
}

int run(const QStringList &arguments)
{
    int code = kExitOk;
    {
        Command command(arguments);
        // Started from the event loop, so that the exit() of a command that is over at once is not lost.
        QTimer::singleShot(0, &command, [&command] {
            if (const std::optional<int> result = command.start())
                QCoreApplication::exit(*result);
        });
        code = QCoreApplication::exec();
        // What the executor handed to deleteLater() while the loop ran, then what the command's end did.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return code;
}

QString helpText()
{
    return Text::tr(
               "Commands (no window; for scripts and terminals):\n"
               "  tdkube deploy -f FILE [-f FILE...] [--yes] [--no-ha-mnodes]\n"
               "      Plan a new cluster from manifest files (checked first, with file, line and column):\n"
               "      apply them, wait for the pods and the dnodes, create the mnodes of pods -1 and -2,\n"
               "      verify. Recorded and resumable as every operation; no Secret in the files.\n"
               "  tdkube scale --cluster NAME --replicas N [--yes] [--delete-stale-claims] [--balance]\n"
               "      Plan a scale-out or a safe scale-in: print the findings (with reason and fix) and the\n"
               "      steps; with --yes and no blocking finding, run them, printing each step's progress.\n"
               "  tdkube repair --cluster NAME [--yes] [--confirm TEXT]\n"
               "      Plan the repair of offline dnodes with no pod behind them (drop dnode N force);\n"
               "      one that destroys data runs only with --confirm and the StatefulSet's name.\n"
               "  tdkube configure --cluster NAME --set KEY=VALUE [--set KEY=VALUE...] [--yes]\n"
               "      Plan a change of taos.cfg entries: log flags at once with `alter all dnodes`, the\n"
               "      others by restarting the pods one at a time, each waited for until its dnode is\n"
               "      back and every vgroup has its leader.\n"
               "  tdkube upgrade --cluster NAME --image IMAGE [--yes]\n"
               "      Plan an upgrade to a new TDengine image: refused for a downgrade or a version jump\n"
               "      TDengine cannot make one dnode at a time; the pods restart one at a time, each\n"
               "      waited for until its dnode runs the new version and every vgroup has its leader.\n"
               "  tdkube operations          List the unfinished operations: where each stopped; then the\n"
               "                             operations the cluster records (in the namespace) that this\n"
               "                             workstation has no journal of, other workstations' included.\n"
               "  tdkube resume ID [--wait SECONDS]\n"
               "      Continue an unfinished operation where it stopped. Another workstation's operation\n"
               "      (recorded in the cluster, -n its namespace) is taken over once its lease on the\n"
               "      cluster has expired, waiting for that SECONDS at most (default: %1).\n"
               "  tdkube abandon ID          Forget an unfinished operation (the cluster is left as it is);\n"
               "                             its record in the cluster says so too.\n"
               "  Each takes [--kubeconfig FILE] [--context NAME] [-n NAMESPACE] like the window, and -v\n"
               "  for the executor's log. Finished operations stay recorded in the cluster, the last %2 of\n"
               "  each (the window's Operations tab changes that). Exit codes: 0 done (or only planned),\n"
               "  1 refused or failed, 2 bad usage.")
               .arg(kDefaultLeaseWaitS)
               .arg(ClusterRecord::historyLimit()) +
           u'\n' +
           Text::tr(
               "The TDengine login of scale, repair, configure, upgrade and resume (never a password\n"
               "argument: the command line is seen by every user of the machine):\n"
               "  --user NAME       The TDengine user (default: root; with the keychain's password, the\n"
               "                    user stored with it).\n"
               "  TDKUBE_TDENGINE_PASSWORD=...  The password, from this environment variable.\n"
               "  --password-stdin  The password, the first line read from stdin (it wins over\n"
               "                    TDKUBE_TDENGINE_PASSWORD).\n"
               "  Without either: the password stored in the system keychain by the window, else\n"
               "  TDengine's default, with a warning.");
}

} // namespace tdkube::ops::opscommand
