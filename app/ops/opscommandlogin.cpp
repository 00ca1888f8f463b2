#include "ops/opscommand_p.h"
#include "taos/systables.h"

#include <cstdio>
#include <string>
#include <termios.h>
#include <unistd.h>

namespace tdkube::ops::opscommand::detail {

using namespace Qt::StringLiterals;

namespace {

// The TDengine password of scale, repair and resume when --password-stdin does not give one.
constexpr char kPasswordVariable[] = "TDKUBE_TDENGINE_PASSWORD";
// TDengine's answer to a wrong user or password: HTTP 200 with code 0x0357 "Authentication failure"
// (../shared/tdengine/FACTS.md sections 2 and 5).
constexpr int kAuthenticationFailure = 0x0357;

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

} // namespace

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

// A password among the arguments is seen by every user of the machine (ps, /proc) and stays in the
// shell's history: there is no --password, and what follows it is never repeated.
bool passwordArgument(const QStringList &arguments)
{
    return std::any_of(arguments.cbegin(), arguments.cend(), [](const QString &argument) {
        return argument == u"--password" || argument.startsWith(u"--password=");
    });
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

} // namespace tdkube::ops::opscommand::detail
