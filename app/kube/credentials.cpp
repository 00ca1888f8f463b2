#include "kube/credentials.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QStandardPaths>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tdkube::kube {

namespace {

constexpr int kExpiryMarginSeconds = 10; // refresh a little early: the clocks of host and server drift
constexpr int kLoginShellTimeoutMs = 3000;
constexpr int kMaxStderrLines = 20;

// The login shell's PATH, asked once per process. A desktop launch inherits a PATH without what the
// shell profiles add (~/.local/bin, Homebrew, gcloud), which is where credential plugins live.
struct LoginShellPath
{
    enum class State { Idle, Running, Done };
    State state = State::Idle;
    QStringList dirs;
    QList<std::function<void(const QStringList &)>> waiting;
};

LoginShellPath &loginShellPath()
{
    static LoginShellPath instance;
    return instance;
}

void loginShellPathDone(const QStringList &dirs)
{
    LoginShellPath &state = loginShellPath();
    if (state.state != LoginShellPath::State::Running)
        return; // the timeout and the exit can both arrive
    state.dirs = dirs;
    state.state = LoginShellPath::State::Done;
    const auto waiting = std::exchange(state.waiting, {});
    for (const auto &then : waiting)
        then(state.dirs);
}

QStringList loginShellOutputDirs(QProcess *shell)
{
    // Profiles may print banners before our output; the PATH is what comes last.
    const QString output = QString::fromLocal8Bit(shell->readAllStandardOutput());
    return output.section(u'\n', -1).split(QDir::listSeparator(), Qt::SkipEmptyParts);
}

// Calls `then` with the login shell's PATH directories (empty when there is no $SHELL or it fails).
// Never blocks: the shell runs asynchronously and is killed after 3 s.
void withLoginShellPath(std::function<void(const QStringList &)> then)
{
    LoginShellPath &state = loginShellPath();
    if (state.state == LoginShellPath::State::Done) {
        then(state.dirs);
        return;
    }
    state.waiting.append(std::move(then));
    if (state.state == LoginShellPath::State::Running)
        return;
    state.state = LoginShellPath::State::Running;
    const QString shellProgram = qEnvironmentVariable("SHELL");
    if (shellProgram.isEmpty()) {
        loginShellPathDone({});
        return;
    }
    // Parented to the application so that a shell still running at exit is cleaned up.
    auto *shell = new QProcess(QCoreApplication::instance());
    shell->setProgram(shellProgram);
    shell->setArguments({u"-lc"_s, u"printf %s \"$PATH\""_s});
    shell->setStandardInputFile(QProcess::nullDevice());
    QObject::connect(shell, &QProcess::finished, shell, [shell](int code, QProcess::ExitStatus status) {
        loginShellPathDone(code == 0 && status == QProcess::NormalExit ? loginShellOutputDirs(shell)
                                                                       : QStringList());
        shell->deleteLater();
    });
    QObject::connect(shell, &QProcess::errorOccurred, shell, [shell](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        loginShellPathDone({});
        shell->deleteLater();
    });
    QTimer::singleShot(kLoginShellTimeoutMs, shell, [shell] {
        shell->kill(); // finished() follows and deletes it
        loginShellPathDone({});
    });
    shell->start();
}

QStringList pathDirectories()
{
    return qEnvironmentVariable("PATH").split(QDir::listSeparator(), Qt::SkipEmptyParts);
}

QStringList unique(const QStringList &list)
{
    QStringList result;
    for (const QString &item : list) {
        if (!result.contains(item))
            result.append(item);
    }
    return result;
}

QDateTime parseRfc3339(const QString &text)
{
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        time = QDateTime::fromString(text, Qt::ISODate);
    return time;
}

QDateTime systemNow()
{
    return QDateTime::currentDateTimeUtc();
}

} // namespace

ExecCredentialSource::ExecCredentialSource(const ExecConfig &exec, const QString &userName,
                                           const ExecClusterInfo &cluster, QObject *parent)
    : CredentialSource(parent)
    , m_exec(exec)
    , m_userName(userName)
    , m_cluster(cluster)
    , m_now(systemNow)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        if (!m_process)
            return;
        m_timedOut = true;
        m_process->kill(); // finished() follows and reports the timeout
    });
}

ExecCredentialSource::~ExecCredentialSource()
{
    if (m_process)
        m_process->disconnect(this);
}

QStringList ExecCredentialSource::wellKnownDirectories()
{
    const QString home = QDir::homePath();
    return {home + u"/.local/bin",           home + u"/bin", u"/usr/local/bin"_s,  u"/opt/homebrew/bin"_s,
            home + u"/google-cloud-sdk/bin", u"/snap/bin"_s, home + u"/.krew/bin", home + u"/go/bin"};
}

QString ExecCredentialSource::pluginName() const
{
    return u"exec plugin "_s + m_exec.command + u" (user " + m_userName + u')';
}

QString ExecCredentialSource::describe() const
{
    return u"exec plugin "_s + QFileInfo(m_exec.command).fileName();
}

bool ExecCredentialSource::cacheValid() const
{
    if (!m_cached)
        return false;
    return !m_cached->expiry.isValid() || m_now().addSecs(kExpiryMarginSeconds) < m_cached->expiry;
}

void ExecCredentialSource::invalidate()
{
    m_cached.reset();
}

void ExecCredentialSource::request(Done done)
{
    if (cacheValid()) {
        QTimer::singleShot(0, this,
                           [done = std::move(done), credential = *m_cached] { done(credential, {}); });
        return;
    }
    m_waiting.append(std::move(done));
    if (m_running)
        return;
    m_running = true;
    // Deferred, so that every outcome (even "not found") reaches `done` from the event loop.
    QTimer::singleShot(0, this, [this] {
        const QString command = m_exec.command;
        if (m_exec.interactiveMode == u"Always") {
            // client-go refuses too: tdkube has no terminal to give the plugin.
            finish({}, pluginName() +
                           u" needs a terminal (interactiveMode: Always); run a kubectl command for "
                           u"this context in a terminal first, or set interactiveMode to IfAvailable");
            return;
        }
        if (command.contains(u'/')) {
            if (QFileInfo(command).isExecutable())
                start(command, {});
            else
                finish({}, notFoundError(u" was not found: "_s + command +
                                         u" does not exist or is not executable"));
            return;
        }
        const QString onPath = QStandardPaths::findExecutable(command);
        if (!onPath.isEmpty()) {
            start(onPath, {});
            return;
        }
        withLoginShellPath([self = QPointer(this), command](const QStringList &loginPath) {
            if (!self)
                return;
            QString found = QStandardPaths::findExecutable(command, loginPath);
            if (found.isEmpty())
                found = QStandardPaths::findExecutable(command, wellKnownDirectories());
            if (!found.isEmpty()) {
                self->start(found, loginPath);
                return;
            }
            const QStringList searched = unique(pathDirectories() + loginPath + wellKnownDirectories());
            self->finish({}, self->notFoundError(u" was not found on PATH ("_s + searched.join(u':') + u')'));
        });
    });
}

QString ExecCredentialSource::notFoundError(const QString &why) const
{
    const QString hint = m_exec.installHint.trimmed();
    return pluginName() + why + (hint.isEmpty() ? QString() : u". "_s + hint);
}

QByteArray ExecCredentialSource::execInfo() const
{
    QJsonObject spec{{u"interactive"_s, false}};
    if (m_exec.provideClusterInfo) {
        QJsonObject cluster{{u"server"_s, m_cluster.server}};
        if (!m_cluster.certificateAuthorityData.isEmpty())
            cluster.insert(u"certificate-authority-data"_s,
                           QString::fromLatin1(m_cluster.certificateAuthorityData.toBase64()));
        if (!m_cluster.tlsServerName.isEmpty())
            cluster.insert(u"tls-server-name"_s, m_cluster.tlsServerName);
        if (m_cluster.insecureSkipTlsVerify)
            cluster.insert(u"insecure-skip-tls-verify"_s, true);
        spec.insert(u"cluster"_s, cluster);
    }
    const QJsonObject info{
        {u"apiVersion"_s, m_exec.apiVersion}, {u"kind"_s, u"ExecCredential"_s}, {u"spec"_s, spec}};
    return QJsonDocument(info).toJson(QJsonDocument::Compact);
}

void ExecCredentialSource::start(const QString &program, const QStringList &loginPath)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const auto &[name, value] : m_exec.env)
        env.insert(name, value);
    env.insert(u"KUBERNETES_EXEC_INFO"_s, QString::fromUtf8(execInfo()));
    // Plugins call other tools (gke-gcloud-auth-plugin runs gcloud); give them the login PATH too.
    if (!loginPath.isEmpty())
        env.insert(u"PATH"_s, unique(pathDirectories() + loginPath).join(QDir::listSeparator()));

    m_timedOut = false;
    m_process = new QProcess(this);
    m_process->setProgram(program);
    m_process->setArguments(m_exec.args);
    m_process->setProcessEnvironment(env);
    m_process->setStandardInputFile(QProcess::nullDevice());
    connect(m_process, &QProcess::finished, this, &ExecCredentialSource::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart || !m_process)
            return;
        const QString reason = m_process->errorString();
        m_process->deleteLater();
        m_process = nullptr;
        m_timeout.stop();
        finish({}, pluginName() + u" could not be started: " + reason);
    });
    m_timeout.start(m_timeoutMs);
    m_process->start();
}

QString ExecCredentialSource::stderrExcerpt() const
{
    const QString text = QString::fromLocal8Bit(m_process->readAllStandardError()).trimmed();
    if (text.isEmpty())
        return {};
    QStringList lines = text.split(u'\n');
    if (lines.size() > kMaxStderrLines) {
        const qsizetype more = lines.size() - kMaxStderrLines;
        lines.resize(kMaxStderrLines);
        lines.append(u"(%1 more lines)"_s.arg(more));
    }
    return lines.join(u'\n');
}

void ExecCredentialSource::onFinished(int exitCode, QProcess::ExitStatus status)
{
    m_timeout.stop();
    const QString errors = stderrExcerpt();
    const QByteArray output = m_process->readAllStandardOutput();
    m_process->deleteLater();
    m_process = nullptr;
    const QString stderrSuffix = errors.isEmpty() ? QString() : u":\n"_s + errors;
    if (m_timedOut) {
        finish({}, pluginName() +
                       u" did not finish within %1 s; it may be waiting for a login in a terminal"_s.arg(
                           m_timeoutMs / 1000.0) +
                       stderrSuffix);
        return;
    }
    if (status != QProcess::NormalExit) {
        finish({}, pluginName() + u" crashed" + stderrSuffix);
        return;
    }
    if (exitCode != 0) {
        finish({}, pluginName() + u" failed with exit code %1"_s.arg(exitCode) + stderrSuffix);
        return;
    }
    Credential credential;
    const QString error = parse(output, &credential);
    if (!error.isEmpty()) {
        finish({}, error + stderrSuffix);
        return;
    }
    m_cached = credential;
    finish(credential, {});
}

QString ExecCredentialSource::parse(const QByteArray &stdoutData, Credential *credential) const
{
    // Never quote stdout in an error: it holds the token.
    QJsonParseError jsonError;
    const QJsonDocument document = QJsonDocument::fromJson(stdoutData, &jsonError);
    if (!document.isObject())
        return pluginName() + u" did not print an ExecCredential as JSON (" +
               (jsonError.error == QJsonParseError::NoError ? u"not a JSON object"_s
                                                            : jsonError.errorString()) +
               u')';
    const QJsonObject object = document.object();
    const QString kind = object.value(u"kind").toString();
    const QString apiVersion = object.value(u"apiVersion").toString();
    if (kind != u"ExecCredential")
        return pluginName() + u" printed kind \"" + kind + u"\" instead of ExecCredential";
    if (apiVersion != m_exec.apiVersion)
        return pluginName() + u" printed an ExecCredential of apiVersion \"" + apiVersion +
               u"\", but the kubeconfig asks for " + m_exec.apiVersion;
    const QJsonObject status = object.value(u"status").toObject();
    credential->token = status.value(u"token").toString();
    credential->clientCertificatePem = status.value(u"clientCertificateData").toString().toUtf8();
    credential->clientKeyPem = status.value(u"clientKeyData").toString().toUtf8();
    if (credential->clientCertificatePem.isEmpty() != credential->clientKeyPem.isEmpty())
        return pluginName() +
               u" printed a client certificate without its key, or a key without its certificate";
    if (credential->token.isEmpty() && credential->clientCertificatePem.isEmpty())
        return pluginName() + u" printed an ExecCredential with neither a token nor a client certificate";
    const QString expiry = status.value(u"expirationTimestamp").toString();
    if (!expiry.isEmpty()) {
        credential->expiry = parseRfc3339(expiry);
        if (!credential->expiry.isValid())
            return pluginName() + u" printed an expirationTimestamp that is not RFC 3339: " + expiry;
    }
    return {};
}

void ExecCredentialSource::finish(const Credential &credential, const QString &error)
{
    m_running = false;
    // Taken first: a callback may request again, which must start a new run.
    const QList<Done> waiting = std::exchange(m_waiting, {});
    for (const Done &done : waiting)
        done(credential, error);
}

OidcCredentialSource::OidcCredentialSource(const QMap<QString, QString> &config, const QString &userName,
                                           QObject *parent)
    : CredentialSource(parent)
    , m_config(config)
    , m_userName(userName)
    , m_now(systemNow)
{
}

QString OidcCredentialSource::describe() const
{
    const QString issuer = m_config.value(u"idp-issuer-url"_s);
    return issuer.isEmpty() ? u"oidc id-token"_s : u"oidc id-token from "_s + issuer;
}

void OidcCredentialSource::request(Done done)
{
    Credential credential;
    QString error;
    credential.token = m_config.value(u"id-token"_s);
    const QString relogin =
        u"; log in again with your identity provider's tool (for example kubectl oidc-login or your "_s
        u"company's login command), which writes a fresh id-token into the kubeconfig";
    if (credential.token.isEmpty()) {
        error = u"user "_s + m_userName + u" has an oidc auth-provider without an id-token" + relogin;
    } else {
        const QList<QStringView> parts = QStringView(credential.token).split(u'.');
        const QByteArray payload =
            parts.size() == 3
                ? QByteArray::fromBase64(parts.at(1).toLatin1(),
                                         QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)
                : QByteArray();
        const QJsonValue exp = QJsonDocument::fromJson(payload).object().value(u"exp");
        // Seconds beyond what a qint64 of milliseconds holds cannot be converted (undefined behaviour).
        if (exp.isDouble() && std::abs(exp.toDouble()) < 9.2e15)
            credential.expiry = QDateTime::fromSecsSinceEpoch(qint64(exp.toDouble()), Qt::UTC);
        if (credential.expiry.isValid() && credential.expiry <= m_now()) {
            error = u"the oidc id-token of user "_s + m_userName + u" expired at " +
                    credential.expiry.toString(Qt::ISODate) + relogin;
            credential = {};
        }
    }
    QTimer::singleShot(0, this, [done = std::move(done), credential, error] { done(credential, error); });
}

} // namespace tdkube::kube
