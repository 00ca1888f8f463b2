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
    return tr("exec plugin %1 (user %2)").arg(m_exec.command, m_userName);
}

QString ExecCredentialSource::describe() const
{
    return tr("exec plugin %1").arg(QFileInfo(m_exec.command).fileName());
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
            finish({}, tr("%1 needs a terminal (interactiveMode: Always); run a kubectl command for this "
                          "context in a terminal first, or set interactiveMode to IfAvailable")
                           .arg(pluginName()));
            return;
        }
        if (command.contains(u'/')) {
            if (QFileInfo(command).isExecutable())
                start(command, {});
            else
                finish({}, notFoundError(tr("%1 was not found: %2 does not exist or is not executable")
                                             .arg(pluginName(), command)));
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
            self->finish(
                {}, self->notFoundError(
                        tr("%1 was not found on PATH (%2)").arg(self->pluginName(), searched.join(u':'))));
        });
    });
}

QString ExecCredentialSource::notFoundError(const QString &message) const
{
    const QString hint = m_exec.installHint.trimmed();
    //: %1 says that a credential plugin was not found, %2 is the installHint its kubeconfig gives
    return hint.isEmpty() ? message : tr("%1. %2").arg(message, hint);
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
        finish({}, tr("%1 could not be started: %2").arg(pluginName(), reason));
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
        lines.append(tr("(%n more lines)", nullptr, int(more)));
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
    // What the plugin wrote to stderr, after the error.
    const auto withErrors = [&errors](const QString &error) {
        //: %1 is an error of a credential plugin, %2 the lines the plugin wrote to stderr
        return errors.isEmpty() ? error : tr("%1:\n%2").arg(error, errors);
    };
    if (m_timedOut) {
        finish({}, withErrors(tr("%1 did not finish within %2 s; it may be waiting for a login in a terminal")
                                  .arg(pluginName(), u"%1"_s.arg(m_timeoutMs / 1000.0))));
        return;
    }
    if (status != QProcess::NormalExit) {
        finish({}, withErrors(tr("%1 crashed").arg(pluginName())));
        return;
    }
    if (exitCode != 0) {
        finish({},
               withErrors(tr("%1 failed with exit code %2").arg(pluginName(), QString::number(exitCode))));
        return;
    }
    Credential credential;
    const QString error = parse(output, &credential);
    if (!error.isEmpty()) {
        finish({}, withErrors(error));
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
        return tr("%1 did not print an ExecCredential as JSON (%2)")
            .arg(pluginName(), jsonError.error == QJsonParseError::NoError ? tr("not a JSON object")
                                                                           : jsonError.errorString());
    const QJsonObject object = document.object();
    const QString kind = object.value(u"kind").toString();
    const QString apiVersion = object.value(u"apiVersion").toString();
    if (kind != u"ExecCredential")
        return tr("%1 printed kind \"%2\" instead of ExecCredential").arg(pluginName(), kind);
    if (apiVersion != m_exec.apiVersion)
        return tr("%1 printed an ExecCredential of apiVersion \"%2\", but the kubeconfig asks for %3")
            .arg(pluginName(), apiVersion, m_exec.apiVersion);
    const QJsonObject status = object.value(u"status").toObject();
    credential->token = status.value(u"token").toString();
    credential->clientCertificatePem = status.value(u"clientCertificateData").toString().toUtf8();
    credential->clientKeyPem = status.value(u"clientKeyData").toString().toUtf8();
    if (credential->clientCertificatePem.isEmpty() != credential->clientKeyPem.isEmpty())
        return tr("%1 printed a client certificate without its key, or a key without its certificate")
            .arg(pluginName());
    if (credential->token.isEmpty() && credential->clientCertificatePem.isEmpty())
        return tr("%1 printed an ExecCredential with neither a token nor a client certificate")
            .arg(pluginName());
    const QString expiry = status.value(u"expirationTimestamp").toString();
    if (!expiry.isEmpty()) {
        credential->expiry = parseRfc3339(expiry);
        if (!credential->expiry.isValid())
            return tr("%1 printed an expirationTimestamp that is not RFC 3339: %2").arg(pluginName(), expiry);
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
    return issuer.isEmpty() ? tr("oidc id-token") : tr("oidc id-token from %1").arg(issuer);
}

void OidcCredentialSource::request(Done done)
{
    Credential credential;
    QString error;
    credential.token = m_config.value(u"id-token"_s);
    if (credential.token.isEmpty()) {
        error = tr("user %1 has an oidc auth-provider without an id-token; log in again with your identity "
                   "provider's tool (for example kubectl oidc-login or your company's login command), which "
                   "writes a fresh id-token into the kubeconfig")
                    .arg(m_userName);
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
            error =
                tr("the oidc id-token of user %1 expired at %2; log in again with your identity provider's "
                   "tool (for example kubectl oidc-login or your company's login command), which writes a "
                   "fresh id-token into the kubeconfig")
                    .arg(m_userName, credential.expiry.toString(Qt::ISODate));
            credential = {};
        }
    }
    QTimer::singleShot(0, this, [done = std::move(done), credential, error] { done(credential, error); });
}

} // namespace tdkube::kube
