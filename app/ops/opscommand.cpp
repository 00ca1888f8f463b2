#include "ops/opscommand.h"

#include "kube/kubeclient.h"
#include "kube/kubeconfig.h"
#include "kube/objects.h"
#include "kube/portforward.h"
#include "ops/clusterrecord.h"
#include "ops/executor.h"
#include "ops/facts.h"
#include "ops/journal.h"
#include "ops/planner.h"
#include "taos/clusterconnection.h"
#include "taos/passwordstore.h"
#include "taos/restclient.h"
#include "taos/systables.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <termios.h>
#include <unistd.h>

namespace tdkube::ops::opscommand {

using namespace Qt::StringLiterals;

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(OpsCommand)
};

const QStringList kCommands{u"scale"_s, u"repair"_s, u"operations"_s, u"resume"_s, u"abandon"_s};

// The TDengine password of scale, repair and resume when --password-stdin does not give one.
constexpr char kPasswordVariable[] = "TDKUBE_TDENGINE_PASSWORD";
// TDengine's answer to a wrong user or password: HTTP 200 with code 0x0357 "Authentication failure"
// (../shared/tdengine/FACTS.md sections 2 and 5).
constexpr int kAuthenticationFailure = 0x0357;
// How long resume waits for a connection to check the login with before it leaves that to the executor.
constexpr int kLoginCheckMs = 30000;
constexpr int kLoginQueryMs = 10000;
constexpr int kRecordFlushMs = 5000;

// Where the TDengine password of a command came from, for the refusal of a wrong one.
enum class PasswordFrom { Environment, Stdin, Keychain, Default };

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
    const QString login = u"[--user NAME] [--password-stdin]"_s;
    if (command == u"scale")
        return u"tdkube scale --cluster NAME --replicas N [--yes] [--delete-stale-claims] [--balance] "_s +
               login + u' ' + connection;
    if (command == u"repair")
        return u"tdkube repair --cluster NAME [--yes] [--confirm TEXT] "_s + login + u' ' + connection;
    if (command == u"operations")
        return u"tdkube operations "_s + connection;
    if (command == u"resume")
        return u"tdkube resume ID "_s + login + u" [--kubeconfig FILE] [--context NAME]"_s;
    return u"tdkube abandon ID"_s;
}

// "Usage: tdkube scale ...": the command lines themselves are not translated.
QString usageLine(const QString &command)
{
    return Text::tr("Usage: %1").arg(usage(command));
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

// A password among the arguments is seen by every user of the machine (ps, /proc) and stays in the
// shell's history: there is no --password, and what follows it is never repeated.
bool passwordArgument(const QStringList &arguments)
{
    return std::any_of(arguments.cbegin(), arguments.cend(), [](const QString &argument) {
        return argument == u"--password" || argument.startsWith(u"--password=");
    });
}

// One line from stdin without its line end; nothing when stdin ends first. A terminal is asked
// for it on stderr and does not echo it.
std::optional<QString> readPasswordLine(const QString &user)
{
    const bool terminal = ::isatty(STDIN_FILENO) == 1;
    termios echoing{};
    if (terminal && ::tcgetattr(STDIN_FILENO, &echoing) == 0) {
        termios silent = echoing;
        silent.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
        std::fputs(Text::tr("Password of TDengine user %1: ").arg(user).toUtf8().constData(), stderr);
        std::fflush(stderr);
    }
    std::string line;
    int c = 0;
    while ((c = std::getchar()) != EOF && c != '\n')
        line.push_back(char(c));
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &echoing);
        std::fputs("\n", stderr);
    }
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    if (line.empty())
        return std::nullopt;
    return QString::fromStdString(line);
}

// Why TDengine refused `user`, by where the password came from, and what to do.
QString refusedLogin(PasswordFrom from, const QString &user)
{
    switch (from) {
    case PasswordFrom::Environment:
        return Text::tr("TDengine refused user %1 with the password from the environment variable "
                        "TDKUBE_TDENGINE_PASSWORD: set it to that user's password, or name the user it "
                        "belongs to with --user.")
            .arg(user);
    case PasswordFrom::Stdin:
        return Text::tr("TDengine refused user %1 with the password read from stdin (--password-stdin): "
                        "give that user's password, or name the user it belongs to with --user.")
            .arg(user);
    case PasswordFrom::Keychain:
        return Text::tr("TDengine refused user %1 with the password stored in the system keychain for this "
                        "cluster: give the right one in TDKUBE_TDENGINE_PASSWORD or with --password-stdin, "
                        "or log in again in tdkube's window (Log in as… on the cluster's page), which "
                        "stores it in the keychain.")
            .arg(user);
    case PasswordFrom::Default:
        break;
    }
    return Text::tr("TDengine refused user %1 with TDengine's default password (no password was given, and "
                    "none came from the keychain): give the password in TDKUBE_TDENGINE_PASSWORD or with "
                    "--password-stdin.")
        .arg(user);
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
    bool takeLogin(QString *error);
    void watchLogin();
    PasswordFrom passwordFrom() const;
    void askTdengine(std::function<void(const taos::TaosError &refusal)> answered);
    void checkLogin(std::function<void()> accepted);
    std::optional<int> listOperations();
    void listRecorded(const QSet<QString> &local);
    std::optional<int> abandon() const;
    std::optional<int> resume();
    std::optional<int> plan();
    // Complains of what is wrong unless `error` takes it.
    bool openClient(const QString &context, QString *error = nullptr);
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
    std::optional<PasswordFrom> m_given; // the password came from the command's terms
    bool m_warnedDefault = false;
    QTimer m_loginWait;
    QPointer<Executor> m_executor;
};

// Options every command may be given, and the ones specific to each.
const QList<QCommandLineOption> &options()
{
    static const QList<QCommandLineOption> all{
        {u"kubeconfig"_s, Text::tr("The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)."),
         u"file"_s},
        {u"context"_s, Text::tr("The kubeconfig context (default: its current-context)."), u"name"_s},
        {{u"n"_s, u"namespace"_s}, Text::tr("The namespace (default: the context's)."), u"ns"_s},
        {u"cluster"_s, Text::tr("The TDengine cluster: its StatefulSet's name."), u"name"_s},
        {u"replicas"_s, Text::tr("The number of dnodes (pods) to scale to."), u"n"_s},
        {u"yes"_s, Text::tr("Run the plan (without it, only print it).")},
        {u"delete-stale-claims"_s,
         Text::tr("Scale-out: delete the new pods' claims left by an earlier scale-in.")},
        {u"balance"_s, Text::tr("Scale-out: `balance vgroup` once the new dnodes are ready.")},
        {u"confirm"_s, Text::tr("Repair: the text the plan asks to be typed (the StatefulSet's name)."),
         u"text"_s},
        {u"user"_s,
         Text::tr(
             "The TDengine user (default: root; with the keychain's password, the user stored with it)."),
         u"name"_s},
        {u"password-stdin"_s,
         Text::tr("Read the TDengine password from the first line of stdin (it wins over "
                  "TDKUBE_TDENGINE_PASSWORD).")},
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
        const QString canonical = name == u"n" ? u"namespace"_s : name == u"v" ? u"verbose"_s : name;
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
    if (m_command == u"scale")
        allowed = connection + login +
                  QStringList{u"cluster"_s, u"replicas"_s, u"yes"_s, u"delete-stale-claims"_s, u"balance"_s};
    else if (m_command == u"repair")
        allowed = connection + login + QStringList{u"cluster"_s, u"yes"_s, u"confirm"_s};
    else if (m_command == u"resume")
        allowed = login + QStringList{u"kubeconfig"_s, u"context"_s};
    else if (m_command == u"operations")
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
    return plan();
}

// --user, and the password from --password-stdin, else from TDKUBE_TDENGINE_PASSWORD, else left to
// the PasswordStore (the keychain, else the default).
bool Command::takeLogin(QString *error)
{
    const QString user = m_parser.value(u"user"_s);
    if (m_parser.isSet(u"user"_s) && user.isEmpty()) {
        *error = Text::tr("--user needs the name of a TDengine user.");
        return false;
    }
    // Read once, then taken out of the environment: the exec plugins that kubeconfig users name, which
    // tdkube runs, do not inherit it.
    const QString variable = qEnvironmentVariable(kPasswordVariable);
    qunsetenv(kPasswordVariable);
    std::optional<QString> password;
    if (m_parser.isSet(u"password-stdin"_s)) {
        password = readPasswordLine(user.isEmpty() ? taos::PasswordStore::defaultUser() : user);
        if (!password) {
            *error = Text::tr("--password-stdin read no password: stdin ended before a line with one. Pipe "
                              "the password in, for example `tdkube %1 ... --password-stdin < FILE`.")
                         .arg(m_command);
            return false;
        }
        m_given = PasswordFrom::Stdin;
    } else if (!variable.isEmpty()) {
        password = variable;
        m_given = PasswordFrom::Environment;
    }
    m_passwords = std::make_unique<taos::PasswordStore>();
    m_passwords->setGiven(user, password);
    return true;
}

// The default password is said once, when the command's connection has read the login.
void Command::watchLogin()
{
    connect(m_connection.get(), &taos::ClusterConnection::loginChanged, this, [this] {
        const taos::PasswordStore::Login &login = m_connection->login();
        if (!login.isDefault || m_warnedDefault)
            return;
        m_warnedDefault = true;
        const QString keychain = m_passwords->keychainError();
        complain(
            keychain.isEmpty()
                ? Text::tr("Warning: no TDengine password was given (TDKUBE_TDENGINE_PASSWORD or "
                           "--password-stdin) and the keychain holds none for this cluster, so TDengine's "
                           "default password is tried for user %1. If the cluster still has it, change it: "
                           "ALTER USER %1 PASS '...'.")
                      .arg(login.user)
                : Text::tr("Warning: no TDengine password was given (TDKUBE_TDENGINE_PASSWORD or "
                           "--password-stdin) and the system keychain could not be read (%2), so "
                           "TDengine's default password is tried for user %1.")
                      .arg(login.user, keychain));
    });
}

PasswordFrom Command::passwordFrom() const
{
    if (m_given)
        return *m_given;
    return m_connection->login().isDefault ? PasswordFrom::Default : PasswordFrom::Keychain;
}

// Asks TDengine once whether it takes the login of the command's connection, which must have a REST
// client. `answered` gets TDengine's refusal of the user or password, else an invalid error: any other
// failure is left to what follows, which says it in its own words.
void Command::askTdengine(std::function<void(const taos::TaosError &refusal)> answered)
{
    taos::QueryOptions options;
    options.timeoutMs = kLoginQueryMs;
    m_connection->rest()->query(
        taos::kSelectServerVersion, this,
        [answered = std::move(answered)](taos::QueryOutcome &outcome) {
            answered(outcome.error.code == kAuthenticationFailure ? outcome.error : taos::TaosError());
        },
        options);
}

// Before a resume: runs `accepted` once TDengine took the command's login, or could not be asked within
// kLoginCheckMs (the executor then waits and says why); a refusal ends the command with the operation
// left unfinished. The connection is stopped before `accepted` runs.
void Command::checkLogin(std::function<void()> accepted)
{
    auto proceed = [this, accepted](const taos::TaosError &refusal) {
        m_loginWait.stop();
        m_connection->disconnect(this);
        if (refusal.isValid()) {
            complain(Text::tr("Operation %1 was not resumed (it stays unfinished): TDengine refused the "
                              "login. %2")
                         .arg(m_parser.positionalArguments().value(1), refusal.describe()));
            complain(refusedLogin(passwordFrom(), m_connection->login().user));
            done(kExitFailed);
            return;
        }
        if (m_connection->forward())
            m_connection->forward()->stop(Text::tr("The TDengine login was checked."));
        accepted();
    };
    m_loginWait.setSingleShot(true);
    connect(&m_loginWait, &QTimer::timeout, this, [proceed] { proceed({}); });
    connect(m_connection.get(), &taos::ClusterConnection::changed, this, [this, proceed] {
        if (!m_loginWait.isActive())
            return;
        if (m_connection->rest()) {
            m_loginWait.stop();
            askTdengine(proceed);
        } else if (m_connection->forward() &&
                   m_connection->forward()->state() == kube::PortForward::State::Stopped) {
            proceed({});
        }
    });
    m_loginWait.start(kLoginCheckMs);
    m_connection->start();
}

QString startedText(const Journal &journal)
{
    return journal.created().toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s);
}

// This workstation's unfinished operations, then the ones the cluster of the context and namespace
// records that it has no journal of (any phase: finished ones are another workstation's history).
std::optional<int> Command::listOperations()
{
    const QList<Journal> unfinished = Journal::unfinished();
    if (unfinished.isEmpty()) {
        say(Text::tr("No unfinished operations (journals in %1).")
                .arg(QDir::toNativeSeparators(Journal::directory())));
    } else {
        say(Text::tr("%1 unfinished operation(s); `tdkube resume ID` continues one, `tdkube abandon ID` "
                     "forgets it:")
                .arg(unfinished.size()));
    }
    for (const Journal &journal : unfinished) {
        const Plan &plan = journal.plan();
        say(u"%1  %2/%3/%4  %5"_s.arg(journal.id(), plan.context, plan.ns, plan.statefulSet, plan.summary()));
        //: %1: when the operation started; %2: where it stopped ("stopped during step 4 of 8: ...")
        say(u"    "_s + Text::tr("started %1; %2").arg(startedText(journal), journal.whereStopped()));
    }
    QSet<QString> local;
    const QDir journals(Journal::directory());
    for (const QString &name : journals.entryList({u"*.json"_s}, QDir::Files))
        local.insert(QFileInfo(name).completeBaseName());
    QString error;
    if (!openClient(m_parser.value(u"context"_s), &error)) {
        //: %1: why (no context, a kubeconfig that cannot be used)
        complain(Text::tr("The operations recorded in the cluster could not be read: %1").arg(error));
        return kExitOk;
    }
    listRecorded(local);
    return std::nullopt;
}

void Command::listRecorded(const QSet<QString> &local)
{
    ClusterRecord::list(
        m_client.get(), m_ns, this,
        [this, local](const QList<RecordedOperation> &recorded, const QString &error) {
            if (!error.isEmpty()) {
                //: %1: the context, %2: the namespace, %3: the API server's answer
                complain(
                    Text::tr("The operations recorded in the cluster (context %1, namespace %2) could not "
                             "be read: %3")
                        .arg(m_context, m_ns, QString(error).replace(u'\n', u' ')));
                done(kExitOk);
                return;
            }
            QList<RecordedOperation> others;
            for (const RecordedOperation &operation : recorded) {
                if (!local.contains(operation.journal.id()))
                    others.append(operation);
            }
            if (!others.isEmpty())
                say(Text::tr("%n operation(s) recorded in the cluster (context %1, namespace %2) that this "
                             "workstation has no journal of; read-only here:",
                             nullptr, int(others.size()))
                        .arg(m_context, m_ns));
            for (const RecordedOperation &operation : std::as_const(others)) {
                const Journal &journal = operation.journal;
                const Plan &plan = journal.plan();
                //: %1: the operation's ID; %2/%3/%4: its context/namespace/StatefulSet; %5: what it does
                say(Text::tr("%1  %2/%3/%4  %5  (from the cluster)")
                        .arg(journal.id(), plan.context, plan.ns, plan.statefulSet, plan.summary()));
                //: %1: when, %2: who (kubeconfig user@host), %3: where it stopped ("finished", "stopped
                //: during step 4 of 8: ...")
                say(u"    "_s + Text::tr("started %1 by %2; %3")
                                    .arg(startedText(journal), operation.startedBy, journal.whereStopped()));
            }
            done(kExitOk);
        });
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
        //: %2: where it stopped ("finished", "abandoned")
        complain((command == u"resume" ? Text::tr("Operation %1 is %2: there is nothing to resume.")
                                       : Text::tr("Operation %1 is %2: there is nothing to abandon."))
                     .arg(id, journal.whereStopped()));
    else if (error.isEmpty())
        complain(
            Text::tr("There is no operation %1. `tdkube operations` lists the unfinished ones.").arg(id));
    else
        complain(Text::tr("There is no operation %1 (%2). `tdkube operations` lists the unfinished ones.")
                     .arg(id, error));
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
        complain(Text::tr("Could not abandon operation %1: %2").arg(id, error));
        return kExitFailed;
    }
    //: %3: where it stopped ("stopped during step 4 of 8: ...")
    say(Text::tr(
            "Abandoned operation %1 (%2), which %3. tdkube will not offer to resume it; the cluster stays as "
            "that step left it: look at it (tdkube, or `show dnodes`) before planning anything else.")
            .arg(id, journal->plan().summary(), where));
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
    //: %3: where it stopped ("stopped during step 4 of 8: ...")
    say(Text::tr("Resuming operation %1: %2; it %3.").arg(id, plan.summary(), journal->whereStopped()));
    // A login TDengine refuses is said now, not after the executor's step timeout.
    m_connection = std::make_unique<taos::ClusterConnection>(
        m_client.get(), plan.ns, plan.statefulSet, plan.context + u'/' + plan.ns + u'/' + plan.statefulSet,
        m_passwords.get());
    watchLogin();
    checkLogin([this, resumed = *journal] {
        m_executor = new Executor(m_client.get(), m_passwords.get(), this);
        follow(m_executor, int(resumed.plan().steps.size()));
        m_executor->resume(resumed);
    });
    return std::nullopt;
}

bool Command::openClient(const QString &requested, QString *failure)
{
    const auto complain = [failure](const QString &line) {
        if (failure)
            *failure = line;
        else
            opscommand::complain(line);
    };
    const QStringList files = m_parser.isSet(u"kubeconfig"_s) ? QStringList{m_parser.value(u"kubeconfig"_s)}
                                                              : kube::Kubeconfig::defaultFiles();
    const kube::Kubeconfig config = kube::Kubeconfig::load(files);
    QString context = requested.isEmpty() ? config.currentContext() : requested;
    if (context.isEmpty() && config.contextNames().size() == 1)
        context = config.contextNames().first();
    if (context.isEmpty()) {
        if (config.contextNames().isEmpty())
            complain(
                Text::tr("No context: the kubeconfig (%1) sets no current-context. Give one with --context "
                         "NAME.")
                    .arg(files.join(u':')));
        else
            complain(
                Text::tr("No context: the kubeconfig (%1) sets no current-context. Give one with --context "
                         "NAME (one of %2).")
                    .arg(files.join(u':'), config.contextNames().join(u", "_s)));
        return false;
    }
    QString error;
    const std::optional<kube::Kubeconfig::Resolved> resolved = config.resolve(context, &error);
    kube::ConnectionSettings settings;
    if (!resolved || !kube::makeConnectionSettings(*resolved, &settings, &error)) {
        complain(Text::tr("Cannot use context %1: %2. Fix the kubeconfig (%3) or choose another context with "
                          "--context.")
                     .arg(context, error, files.join(u':')));
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
    return Text::tr(
               "Commands (no window; for scripts and terminals):\n"
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
               "  usage.") +
           u'\n' +
           Text::tr(
               "The TDengine login of scale, repair and resume (never a password argument: the command\n"
               "line is seen by every user of the machine):\n"
               "  --user NAME       The TDengine user (default: root; with the keychain's password, the\n"
               "                    user stored with it).\n"
               "  TDKUBE_TDENGINE_PASSWORD=...  The password, from this environment variable.\n"
               "  --password-stdin  The password, the first line read from stdin (it wins over\n"
               "                    TDKUBE_TDENGINE_PASSWORD).\n"
               "  Without either: the password stored in the system keychain by the window, else\n"
               "  TDengine's default, with a warning.");
}

} // namespace tdkube::ops::opscommand
