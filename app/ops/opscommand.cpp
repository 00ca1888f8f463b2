#include "ops/opscommand.h"

#include "kube/kubeclient.h"
#include "kube/kubeconfig.h"
#include "kube/objects.h"
#include "kube/portforward.h"
#include "ops/executor.h"
#include "ops/facts.h"
#include "ops/journal.h"
#include "ops/planner.h"
#include "taos/clusterconnection.h"
#include "taos/passwordstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <optional>

namespace tdkube::ops::opscommand {

using namespace Qt::StringLiterals;

namespace {

const QStringList kCommands{u"scale"_s, u"repair"_s, u"operations"_s, u"resume"_s, u"abandon"_s};

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

QString usage(const QString &command)
{
    const QString connection = u"[--kubeconfig FILE] [--context NAME] [-n NAMESPACE]"_s;
    if (command == u"scale")
        return u"tdkube scale --cluster NAME --replicas N [--yes] [--delete-stale-claims] [--balance] "_s +
               connection;
    if (command == u"repair")
        return u"tdkube repair --cluster NAME [--yes] [--confirm TEXT] "_s + connection;
    if (command == u"operations")
        return u"tdkube operations"_s;
    if (command == u"resume")
        return u"tdkube resume ID [--kubeconfig FILE] [--context NAME]"_s;
    return u"tdkube abandon ID"_s;
}

QString severityTag(Finding::Severity severity)
{
    return u"["_s + severityName(severity) + u"]"_s;
}

// One command line: parses, connects, plans or resumes, runs, and ends the event loop with the
// exit code.
class Command final : public QObject
{
    Q_DISABLE_COPY_MOVE(Command)

public:
    explicit Command(QStringList arguments)
        : m_arguments(std::move(arguments))
    {
    }
    ~Command() override
    {
        // The executor first: it hands its connection and lease back to the event loop, which
        // does not run again; then what they refer to.
        delete m_executor.data();
        m_connection.reset();
        // What was just aborted reaches Qt's HTTP thread through the event loop. A resumed
        // operation that ended at once, with requests in flight, was seen (ASan, tst_crashresume)
        // to double-free in that thread when the client's QNetworkAccessManager went first.
        const QDeadlineTimer settle(200);
        while (!settle.hasExpired())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        m_client.reset();
    }

    // Returns the exit code when the command is over before any event loop is needed.
    std::optional<int> start();

private:
    bool parse(QString *error);
    bool checkOptions(const QStringList &allowed, QString *error) const;
    std::optional<int> listOperations() const;
    std::optional<int> abandon() const;
    std::optional<int> resume();
    std::optional<int> plan();
    bool openClient(const QString &context);
    void planned(const ClusterFacts &facts, const QString &error);
    void printPlan(const Plan &plan) const;
    void runPlan(const Plan &plan);
    void follow(Executor *executor, int steps);
    void done(int code);

    QStringList m_arguments;
    QCommandLineParser m_parser;
    QString m_command;
    QString m_context;
    QString m_ns;
    QString m_cluster;
    int m_replicas = 0;
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
    std::unique_ptr<taos::ClusterConnection> m_connection;
    QPointer<Executor> m_executor;
};

// Options every command may be given, and the ones specific to each.
const QList<QCommandLineOption> &options()
{
    static const QList<QCommandLineOption> all{
        {u"kubeconfig"_s, u"The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)."_s, u"file"_s},
        {u"context"_s, u"The kubeconfig context (default: its current-context)."_s, u"name"_s},
        {{u"n"_s, u"namespace"_s}, u"The namespace (default: the context's)."_s, u"ns"_s},
        {u"cluster"_s, u"The TDengine cluster: its StatefulSet's name."_s, u"name"_s},
        {u"replicas"_s, u"The number of dnodes (pods) to scale to."_s, u"n"_s},
        {u"yes"_s, u"Run the plan (without it, only print it)."_s},
        {u"delete-stale-claims"_s, u"Scale-out: delete the new pods' claims left by an earlier scale-in."_s},
        {u"balance"_s, u"Scale-out: `balance vgroup` once the new dnodes are ready."_s},
        {u"confirm"_s, u"Repair: the text the plan asks to be typed (the StatefulSet's name)."_s, u"text"_s},
        {{u"v"_s, u"verbose"_s}, u"Print the executor's log too (every statement and change)."_s},
        {{u"h"_s, u"help"_s}, u"Show this help."_s},
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
        const QString canonical = name == u"n" ? u"namespace"_s : name == u"v" ? u"verbose"_s : name;
        if (canonical != u"verbose" && !allowed.contains(canonical)) {
            *error = u"tdkube %1 takes no --%2."_s.arg(m_command, canonical);
            return false;
        }
    }
    return true;
}

std::optional<int> Command::start()
{
    QString error;
    if (!parse(&error)) {
        complain(error + u"\nUsage: "_s + usage(m_command));
        return kExitUsage;
    }
    if (m_parser.isSet(u"help"_s)) {
        say(u"Usage: "_s + usage(m_command) + u"\n\n"_s + helpText());
        return kExitOk;
    }
    const QStringList positional = m_parser.positionalArguments();
    const QStringList connection{u"kubeconfig"_s, u"context"_s, u"namespace"_s};
    QStringList allowed;
    int positionals = 1;
    if (m_command == u"scale")
        allowed = connection +
                  QStringList{u"cluster"_s, u"replicas"_s, u"yes"_s, u"delete-stale-claims"_s, u"balance"_s};
    else if (m_command == u"repair")
        allowed = connection + QStringList{u"cluster"_s, u"yes"_s, u"confirm"_s};
    else if (m_command == u"resume")
        allowed = {u"kubeconfig"_s, u"context"_s};
    if (m_command == u"resume" || m_command == u"abandon")
        positionals = 2;
    if (!checkOptions(allowed, &error) || positional.size() != positionals) {
        if (error.isEmpty())
            error =
                positionals == 2
                    ? u"tdkube %1 needs one operation ID (`tdkube operations` lists them)."_s.arg(m_command)
                    : u"Unexpected argument %1."_s.arg(positional.value(1));
        complain(error + u"\nUsage: "_s + usage(m_command));
        return kExitUsage;
    }
    if (m_command == u"operations")
        return listOperations();
    if (m_command == u"abandon")
        return abandon();
    if (m_command == u"resume")
        return resume();

    m_cluster = m_parser.value(u"cluster"_s);
    if (m_cluster.isEmpty()) {
        complain(u"tdkube %1 needs --cluster NAME, the StatefulSet of the TDengine cluster.\nUsage: "_s.arg(
                     m_command) +
                 usage(m_command));
        return kExitUsage;
    }
    if (m_command == u"scale") {
        bool number = false;
        m_replicas = m_parser.value(u"replicas"_s).toInt(&number);
        if (!number || m_replicas < 1) {
            complain(u"tdkube scale needs --replicas N, a whole number of dnodes of at least 1 (got \"%1\")."
                     "\nUsage: "_s.arg(m_parser.value(u"replicas"_s)) +
                     usage(m_command));
            return kExitUsage;
        }
    }
    return plan();
}

std::optional<int> Command::listOperations() const
{
    const QList<Journal> unfinished = Journal::unfinished();
    if (unfinished.isEmpty()) {
        say(u"No unfinished operations (journals in %1)."_s.arg(
            QDir::toNativeSeparators(Journal::directory())));
        return kExitOk;
    }
    say(u"%1 unfinished operation(s); `tdkube resume ID` continues one, `tdkube abandon ID` forgets it:"_s
            .arg(unfinished.size()));
    for (const Journal &journal : unfinished) {
        const Plan &plan = journal.plan();
        say(u"%1  %2/%3/%4  %5"_s.arg(journal.id(), plan.context, plan.ns, plan.statefulSet, plan.summary()));
        say(u"    started %1; %2"_s.arg(journal.created().toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s),
                                        journal.whereStopped()));
    }
    return kExitOk;
}

// The journal of `id`, or why there is none to act on.
std::optional<Journal> unfinishedJournal(const QString &id, const QString &command)
{
    for (const Journal &journal : Journal::unfinished()) {
        if (journal.id() == id)
            return journal;
    }
    const QString path = QDir(Journal::directory()).filePath(id + u".json"_s);
    QString error;
    const Journal journal = QFileInfo::exists(path) ? Journal::load(path, &error) : Journal();
    if (journal.isValid())
        complain(u"Operation %1 is %2: there is nothing to %3."_s.arg(id, journal.whereStopped(), command));
    else
        complain(u"There is no operation %1%2. `tdkube operations` lists the unfinished ones."_s.arg(
            id, error.isEmpty() ? QString() : u" ("_s + error + u')'));
    return std::nullopt;
}

std::optional<int> Command::abandon() const
{
    const QString id = m_parser.positionalArguments().at(1);
    std::optional<Journal> journal = unfinishedJournal(id, u"abandon"_s);
    if (!journal)
        return kExitFailed;
    const QString where = journal->whereStopped();
    QString error;
    if (!journal->abandon(&error)) {
        complain(u"Could not abandon operation %1: %2"_s.arg(id, error));
        return kExitFailed;
    }
    say(u"Abandoned operation %1 (%2), which %3. tdkube will not offer to resume it; the cluster stays "
        "as that step left it: look at it (tdkube, or `show dnodes`) before planning anything else."_s.arg(
            id, journal->plan().summary(), where));
    return kExitOk;
}

std::optional<int> Command::resume()
{
    const QString id = m_parser.positionalArguments().at(1);
    const std::optional<Journal> journal = unfinishedJournal(id, u"resume"_s);
    if (!journal)
        return kExitFailed;
    const Plan &plan = journal->plan();
    // The journal names its cluster: by default resume there, not in the kubeconfig's current context.
    const QString context = m_parser.isSet(u"context"_s) ? m_parser.value(u"context"_s) : plan.context;
    if (!openClient(context))
        return kExitFailed;
    say(u"Resuming operation %1: %2; it %3."_s.arg(id, plan.summary(), journal->whereStopped()));
    m_passwords = std::make_unique<taos::PasswordStore>();
    m_executor = new Executor(m_client.get(), m_passwords.get(), this);
    follow(m_executor, int(plan.steps.size()));
    m_executor->resume(*journal);
    return std::nullopt;
}

bool Command::openClient(const QString &requested)
{
    const QStringList files = m_parser.isSet(u"kubeconfig"_s) ? QStringList{m_parser.value(u"kubeconfig"_s)}
                                                              : kube::Kubeconfig::defaultFiles();
    const kube::Kubeconfig config = kube::Kubeconfig::load(files);
    QString context = requested.isEmpty() ? config.currentContext() : requested;
    if (context.isEmpty() && config.contextNames().size() == 1)
        context = config.contextNames().first();
    if (context.isEmpty()) {
        complain(
            u"No context: the kubeconfig (%1) sets no current-context. Give one with --context NAME%2."_s.arg(
                files.join(u':'), config.contextNames().isEmpty()
                                      ? QString()
                                      : u" (one of %1)"_s.arg(config.contextNames().join(u", "_s))));
        return false;
    }
    QString error;
    const std::optional<kube::Kubeconfig::Resolved> resolved = config.resolve(context, &error);
    kube::ConnectionSettings settings;
    if (!resolved || !kube::makeConnectionSettings(*resolved, &settings, &error)) {
        complain(u"Cannot use context %1: %2. Fix the kubeconfig (%3) or choose another context with "
                 "--context."_s.arg(context, error, files.join(u':')));
        return false;
    }
    m_context = context;
    m_ns = m_parser.isSet(u"namespace"_s) ? m_parser.value(u"namespace"_s) : settings.defaultNamespace;
    m_client = std::make_unique<kube::KubeClient>(std::move(settings));
    return true;
}

std::optional<int> Command::plan()
{
    if (!openClient(m_parser.value(u"context"_s)))
        return kExitFailed;
    say(u"Reading TDengine cluster %1 in namespace %2 (context %3)…"_s.arg(m_cluster, m_ns, m_context));
    m_passwords = std::make_unique<taos::PasswordStore>();
    m_connection = std::make_unique<taos::ClusterConnection>(
        m_client.get(), m_ns, m_cluster, m_context + u'/' + m_ns + u'/' + m_cluster, m_passwords.get());
    m_connection->start();
    gatherFacts(m_client.get(), m_connection.get(), m_ns, m_cluster, this,
                [this](const ClusterFacts &facts, const QString &error) { planned(facts, error); });
    return std::nullopt;
}

void Command::planned(const ClusterFacts &facts, const QString &error)
{
    // The executor makes its own connection; this one is no longer needed.
    if (m_connection->forward())
        m_connection->forward()->stop(u"The cluster was read."_s);
    if (!error.isEmpty()) {
        // Nothing is planned from a partial reading; a person needs to know nothing happened.
        complain(u"Could not read cluster %1: %2 Nothing was changed."_s.arg(
            m_cluster, error.endsWith(u'.') ? error : error + u'.'));
        done(kExitFailed);
        return;
    }
    Plan plan;
    if (m_command == u"scale") {
        const int current = kube::valueAt(facts.statefulSet, u"spec.replicas"_s).toInt(1);
        if (current == m_replicas) {
            say(u"StatefulSet %1 already has %2 replicas: nothing to do."_s.arg(m_cluster).arg(current));
            done(kExitOk);
            return;
        }
        ScaleOutOptions options;
        options.deleteStaleClaims = m_parser.isSet(u"delete-stale-claims"_s);
        options.balanceVgroups = m_parser.isSet(u"balance"_s);
        plan =
            m_replicas > current ? planScaleOut(facts, m_replicas, options) : planScaleIn(facts, m_replicas);
    } else {
        plan = planRepair(facts);
        const QString typed = m_parser.value(u"confirm"_s);
        if (!typed.isEmpty() && !plan.confirmation.isEmpty() && !plan.confirm(typed)) {
            printPlan(plan);
            complain(u"The confirmation \"%1\" does not match: type the StatefulSet's name exactly, "
                     "--confirm %2."_s.arg(typed, plan.confirmation));
            done(kExitFailed);
            return;
        }
    }
    plan.context = m_context;
    printPlan(plan);
    if (plan.blocked()) {
        complain(
            plan.confirmation.isEmpty() || !plan.steps.isEmpty()
                ? u"Refused: the blocking findings above must be resolved first; nothing was changed."_s
                : u"Refused until confirmed: this repair destroys data (above). If that is accepted, run it "
                  "again with --confirm %1; nothing was changed."_s.arg(plan.confirmation));
        done(kExitFailed);
        return;
    }
    if (plan.steps.isEmpty()) {
        say(u"Nothing to do."_s);
        done(kExitOk);
        return;
    }
    if (!m_parser.isSet(u"yes"_s)) {
        say(u"Nothing was changed. Run the same command with --yes to run these steps."_s);
        done(kExitOk);
        return;
    }
    runPlan(plan);
}

void Command::printPlan(const Plan &plan) const
{
    say(plan.summary());
    if (!plan.findings.isEmpty()) {
        say(u"Findings:"_s);
        for (const Finding &finding : plan.findings) {
            say(u"  %1 %2: %3"_s.arg(severityTag(finding.severity), finding.code, finding.reason));
            if (!finding.fix.isEmpty())
                say(u"      fix: "_s + finding.fix);
        }
    }
    if (!plan.confirmation.isEmpty())
        say(u"Confirmation: this plan may destroy data; it runs only with --confirm %1."_s.arg(
            plan.confirmation));
    if (plan.steps.isEmpty())
        return;
    say(u"Steps:"_s);
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
        say(u"Operation %1 started. If it stops half-way, `tdkube resume %1` continues it."_s.arg(
            m_executor->journal().id()));
}

void Command::follow(Executor *executor, int steps)
{
    connect(executor, &Executor::stepStarted, this, [executor, steps](int index) {
        say(u"[%1/%2] %3"_s.arg(index + 1).arg(steps).arg(executor->journal().plan().steps.at(index).title));
    });
    connect(executor, &Executor::stepProgress, this,
            [](int, const QString &text) { say(u"      waiting for "_s + text); });
    connect(executor, &Executor::stepFinished, this, [](int, bool ok, const QString &message) {
        say((ok ? u"      done: "_s : u"      FAILED: "_s) + message);
    });
    if (m_parser.isSet(u"verbose"_s))
        connect(executor, &Executor::logLine, this, [](const QString &line) { say(u"  log "_s + line); });
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
            complain(u"Operation %1 is unfinished: `tdkube resume %1` continues it once the cause is fixed; "
                     "`tdkube abandon %1` forgets it."_s.arg(journal.id()));
        done(kExitFailed);
    });
}

void Command::done(int code)
{
    QCoreApplication::exit(code);
}

} // namespace

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
    return u"Commands (no window; for scripts and terminals):\n"
           "  tdkube scale --cluster NAME --replicas N [--yes] [--delete-stale-claims] [--balance]\n"
           "      Plan a scale-out or a safe scale-in: print the findings (with reason and fix) and the\n"
           "      steps; with --yes and no blocking finding, run them, printing each step's progress.\n"
           "  tdkube repair --cluster NAME [--yes] [--confirm TEXT]\n"
           "      Plan the repair of offline dnodes with no pod behind them (drop dnode N force);\n"
           "      one that destroys data runs only with --confirm and the StatefulSet's name.\n"
           "  tdkube operations          List the unfinished operations: where each stopped.\n"
           "  tdkube resume ID           Continue an unfinished operation where it stopped.\n"
           "  tdkube abandon ID          Forget an unfinished operation (the cluster is left as it is).\n"
           "  Each takes [--kubeconfig FILE] [--context NAME] [-n NAMESPACE] like the window, and -v\n"
           "  for the executor's log. Exit codes: 0 done (or only planned), 1 refused or failed, 2 bad\n"
           "  usage."_s;
}

} // namespace tdkube::ops::opscommand
