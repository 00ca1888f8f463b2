// No secret leaves memory. A whole run of tdkube with known, distinctive secrets: bearer tokens (in the
// kubeconfig, in a token file, from the sandbox's exec plugin), a client key (in the kubeconfig and from
// an exec plugin), a basic-auth password, a proxy password, a password in the server's URL, an oidc
// id-token, and a TDengine root password that is not the default and reaches tdkube through the system
// keychain, through TDKUBE_TDENGINE_PASSWORD and through --password-stdin (and wrong ones through each).
// Afterwards every place a secret could have gone is searched for each of them, as it is and encoded
// (hex, base64 at any alignment, a line of its PEM): every tdkube process's stdout and stderr (every
// tdkube.* debug category on, `-v`, runs killed by TDKUBE_TEST_CRASH_AT and their resumes, the refusals
// of bad credentials, the window's --smoke run), every file under its XDG folders, HOME and TMPDIR
// (settings, SQL history, journals, the environment an exec plugin was run with), the objects it wrote in
// the cluster, this process's own Qt messages (the deploy monitor, the SQL console and the login change
// run here), and the sandbox's output and access log. A failure names the secret's kind and the place,
// never the secret.
//
// The keychain is a KWallet on a private D-Bus session bus (FakeWallet): QtKeychain's own KWallet
// backend reads and writes it, so the commands and the window get the TDengine password as they do on
// a KDE desktop, and the login entered in tdkube (ClusterConnection::setLogin) is stored there.
#include "deploy/deploymonitor.h"
#include "kube/kubeconfig.h"
#include "ops/executor.h"
#include "sandboxfixture.h"
#include "sqlconsole.h"
#include "taos/clusterconnection.h"
#include "taos/passwordstore.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusVirtualObject>
#include <QDateTime>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::kube::test;

namespace {

constexpr int kProcessMs = 180000; // a safety net for a hung process, not a measure
constexpr int kCrashExitCode = ops::Executor::kCrashExitCode;
const QString kNs = u"secrets"_s;
const QString kSet = u"tdengine"_s;

// The secrets of the run. The two tokens are the sandbox's (it reads them from tokens.json in its data
// folder); the admin key is the one it issues; the others are refused by the API server or TDengine.
const QByteArray kAdminToken = "exec-Ex4PmQ8wZt2RkV7nLc3YsB9hDf6JgU1oW"; // system:masters
const QByteArray kViewerToken = "viewer-Vw7TqZ2sKp9LmX4cRb8NfJ3dYh6GtE1aU";
const QByteArray kTaosPassword = "Tdp4ssQ9mZx2Lw7KsRv";
const QByteArray kWrongTaosPassword = "Wr0ngPw8Hs3Nq6Yt1Bc";
const QByteArray kWrongEnvironmentPassword = "EnvWr0ngPw5Kd8Qz2Tx";
const QByteArray kWrongStdinPassword = "StdinWr0ngPw3Lm7Vb9";
const QByteArray kBasicPassword = "BasicPw5Gk2Jx9Vm4Qs7";
const QByteArray kProxyPassword = "ProxyPw3Zc8Vb1Nm6Lk";
const QByteArray kServerPassword = "SrvUrlPw6Dx1Cv8Bn4Mq";
const QByteArray kOidcSignature = "OidcSig7Qw2Er9Ty4Ui6OpAsDf";

struct Secret
{
    QString kind; // what a failure calls it
    QByteArray value;
    bool inKubeconfig = false; // held by the kubeconfig: the search must find it there
};

struct Encoded
{
    QString encoding;
    QByteArray bytes;
};

// What `secret` looks like wherever it could end up: as it is, in hex, and in base64 (standard and
// URL-safe) at each of the three alignments it can have inside a longer encoded text (the part that
// does not depend on the bytes around it); a PEM also by each of its base64 lines.
QList<Encoded> encodingsOf(const QByteArray &secret)
{
    QList<Encoded> result{{u"as it is"_s, secret}, {u"hex"_s, secret.toHex()}};
    for (const auto alphabet : {QByteArray::Base64Encoding, QByteArray::Base64UrlEncoding}) {
        for (int offset = 0; offset < 3; ++offset) {
            const QByteArray encoded = QByteArray(QByteArray(offset, '\0') + secret).toBase64(alphabet);
            const qsizetype skip = offset == 0 ? 0 : 4; // the first 4 characters mix in what came before
            const QByteArray middle = encoded.mid(skip, encoded.size() - skip - 4);
            if (middle.size() >= 12)
                result.append({u"base64"_s, middle});
        }
    }
    if (secret.startsWith("-----BEGIN")) {
        for (const QByteArray &line : secret.split('\n')) {
            if (line.size() >= 40 && !line.startsWith("-----"))
                result.append({u"a line of its PEM"_s, line});
        }
    }
    return result;
}

QByteArray redacted(QByteArray text, const QList<QByteArray> &forms)
{
    for (const QByteArray &form : forms)
        text.replace(form, "<secret>");
    return text;
}

// This process's Qt messages, every one (the tdkube.* debug categories are on), as they were written.
// What goes on to Qt Test (not the debug lines) has every secret replaced: the test's own output must
// not show one either.
struct MessageLog
{
    QMutex mutex;
    QByteArray text;
    QList<QByteArray> forms; // of every secret
    QtMessageHandler next = nullptr;
};

MessageLog &messageLog()
{
    static MessageLog log;
    return log;
}

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    MessageLog &log = messageLog();
    QByteArray shown;
    {
        QMutexLocker locker(&log.mutex);
        log.text += QByteArray(context.category ? context.category : "") + ": " + message.toUtf8() + '\n';
        shown = redacted(message.toUtf8(), log.forms);
    }
    if (type != QtDebugMsg && log.next)
        log.next(type, context, QString::fromUtf8(shown));
}

// The KWallet daemon (org.kde.kwalletd5) reduced to what QtKeychain asks of it (qtkeychain's
// keychain_unix.cpp): one wallet, always open, passwords by folder and key.
class FakeWallet final : public QDBusVirtualObject
{
public:
    QString introspect(const QString &) const override { return {}; }

    bool handleMessage(const QDBusMessage &message, const QDBusConnection &connection) override
    {
        const QList<QVariant> arguments = message.arguments();
        // entryType, readPassword, writePassword and removeEntry: (handle, folder, key, ...).
        const QString entry = arguments.value(1).toString() + u'/' + arguments.value(2).toString();
        const QString member = message.member();
        QVariant answer;
        QMutexLocker locker(&m_mutex);
        if (member == u"networkWallet" || member == u"localWallet") {
            answer = u"kdewallet"_s;
        } else if (member == u"open") {
            answer = 1; // the wallet's handle
        } else if (member == u"entryType") {
            answer = m_passwords.contains(entry) ? 1 : 0; // KWallet's Password, Unknown
        } else if (member == u"readPassword") {
            answer = m_passwords.value(entry);
        } else if (member == u"writePassword") {
            m_passwords.insert(entry, arguments.value(3).toString());
            ++m_writes;
            answer = 0;
        } else if (member == u"removeEntry") {
            m_passwords.remove(entry);
            answer = 0;
        } else {
            return false; // QtDBus answers UnknownMethod
        }
        connection.send(message.createReply(answer));
        return true;
    }

    int writes() const
    {
        QMutexLocker locker(&m_mutex);
        return m_writes;
    }

private:
    mutable QMutex m_mutex;
    QHash<QString, QString> m_passwords; // "folder/key"
    int m_writes = 0;
};

// A D-Bus session bus of the test's own (dbus-daemon) with the FakeWallet on it. The wallet answers
// from a thread of its own, so that it also answers while this thread waits for a tdkube process.
class PrivateBus
{
    Q_DISABLE_COPY_MOVE(PrivateBus)

public:
    PrivateBus() = default;
    ~PrivateBus()
    {
        QDBusConnection::disconnectFromBus(kConnection);
        if (m_wallet)
            m_wallet->deleteLater(); // a finishing thread deletes what is left to delete
        m_thread.quit();
        m_thread.wait();
        m_daemon.terminate();
        if (!m_daemon.waitForFinished(5000))
            m_daemon.kill();
        m_daemon.waitForFinished();
    }

    bool start(const QString &address, const QProcessEnvironment &environment, QString *error)
    {
        m_daemon.setProcessEnvironment(environment);
        m_daemon.start(u"dbus-daemon"_s, {u"--session"_s, u"--nofork"_s, u"--nopidfile"_s,
                                          u"--address="_s + address, u"--print-address"_s});
        if (!m_daemon.waitForStarted() || !m_daemon.waitForReadyRead(10000)) {
            *error = u"dbus-daemon did not start: "_s + m_daemon.errorString();
            return false;
        }
        QDBusConnection connection = QDBusConnection::connectToBus(address, kConnection);
        m_wallet = new FakeWallet;
        m_wallet->moveToThread(&m_thread);
        m_thread.start();
        if (!connection.isConnected() ||
            !connection.registerVirtualObject(u"/modules/kwalletd5"_s, m_wallet,
                                              QDBusConnection::SingleNode) ||
            !connection.registerService(u"org.kde.kwalletd5"_s)) {
            *error = u"the fake KWallet could not be registered on the private bus: "_s +
                     connection.lastError().message();
            return false;
        }
        return true;
    }

    FakeWallet *wallet() const { return m_wallet; }

private:
    static constexpr QLatin1StringView kConnection{"tdkube-test-wallet"};
    QProcess m_daemon;
    QThread m_thread;
    FakeWallet *m_wallet = nullptr;
};

struct Run
{
    QString command; // "tdkube scale ..." as typed, for the messages
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// A TDengine password given to a run the ways the commands take one.
struct Given
{
    QByteArray environment; // TDKUBE_TDENGINE_PASSWORD, unless empty
    QByteArray input;       // the line written to stdin (for --password-stdin), unless empty
};

// How a given password is shown in a run's command: which one, never what it is.
QString nameOf(const QByteArray &password)
{
    return password == kTaosPassword ? u"<the root password>"_s : u"<a wrong password>"_s;
}

struct Place
{
    QString name;
    QByteArray content;
};

QJsonObject named(const QString &name, const QString &field, const QJsonObject &body)
{
    return {{u"name"_s, name}, {field, body}};
}

QJsonObject context(const QString &name, const QString &cluster, const QString &user)
{
    return named(name, u"context"_s, {{u"cluster"_s, cluster}, {u"user"_s, user}, {u"namespace"_s, kNs}});
}

QJsonObject execUser(const QString &command)
{
    return {{u"exec"_s, QJsonObject{{u"apiVersion"_s, u"client.authentication.k8s.io/v1"_s},
                                    {u"command"_s, command},
                                    {u"interactiveMode"_s, u"Never"_s}}}};
}

QString base64(const QByteArray &data)
{
    return QString::fromLatin1(data.toBase64());
}

bool writeFile(const QString &path, const QByteArray &content, QFileDevice::Permissions permissions = {})
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size() &&
           (permissions == QFileDevice::Permissions() || file.setPermissions(permissions));
}

// An exec plugin that answers with `admin`'s client certificate and key, and appends the environment it
// was run with to `environmentFile`: a password tdkube was given must not reach it.
QByteArray certificatePlugin(const kube::UserEntry &admin, const QString &environmentFile)
{
    const QJsonObject credential{
        {u"apiVersion"_s, u"client.authentication.k8s.io/v1"_s},
        {u"kind"_s, u"ExecCredential"_s},
        {u"status"_s,
         QJsonObject{{u"clientCertificateData"_s, QString::fromLatin1(admin.clientCertificateData)},
                     {u"clientKeyData"_s, QString::fromLatin1(admin.clientKeyData)}}}};
    return "#!/bin/sh\nenv >> '" + environmentFile.toUtf8() + "'\ncat <<'EOF'\n" +
           QJsonDocument(credential).toJson(QJsonDocument::Compact) + "\nEOF\n";
}

// An oidc id-token that has not expired: sent as it is, and refused by the API server.
QByteArray oidcIdToken()
{
    const QByteArray claims =
        QJsonDocument(QJsonObject{{u"iss"_s, u"https://idp.example"_s},
                                  {u"sub"_s, u"alice"_s},
                                  {u"exp"_s, QDateTime::currentSecsSinceEpoch() + 3600}})
            .toJson(QJsonDocument::Compact);
    const auto url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
    return QByteArray(R"({"alg":"RS256","typ":"JWT"})").toBase64(url) + '.' + claims.toBase64(url) + '.' +
           kOidcSignature;
}

// A proxy with a password that is not there: the error names it.
QString closedProxyUrl()
{
    QTcpServer closed;
    closed.listen(QHostAddress::LocalHost);
    return u"http://tdkube:%1@127.0.0.1:%2"_s.arg(QString::fromLatin1(kProxyPassword))
        .arg(closed.serverPort());
}

} // namespace

class TestSecrets final : public QObject
{
    Q_OBJECT

public:
    TestSecrets(QString dir, QProcessEnvironment original)
        : m_dir(std::move(dir))
        , m_original(std::move(original))
    {
    }

private slots:
    void initTestCase();
    void cleanupTestCase();
    void commands_everyKindOfCredential_asAPersonRunsThem();
    void commands_passwordFromTheEnvironmentOrStdin_runAndRefused();
    void secrets_afterTheWholeRun_foundNowhere();

private:
    QString path(const QString &name) const { return m_dir + u'/' + name; }
    bool startSandbox(QString *error);
    bool writeKubeconfig(QString *error);
    QJsonObject kubeconfig(const kube::ClusterEntry &cluster, const kube::UserEntry &admin,
                           const QString &execPlugin, const QByteArray &idToken) const;
    void deploy();
    void changeTaosPassword();
    void storeLogin(const QString &context, const QByteArray &password);
    void storeLogins();
    Run tdkube(const QStringList &arguments, const QString &crashAt = {}, const Given &given = {});
    // The id `tdkube operations` lists for the unfinished scale of `where` (context/namespace/name).
    QString unfinishedOperation(const QString &where);
    QStringList scale(const QString &context, int replicas, const QStringList &more = {}) const;
    QString story(const Run &run) const;
    QList<Place> everyPlace();
    QList<Place> filesUnder(const QString &name) const;

    QString m_dir;
    QProcessEnvironment m_original; // for the sandbox and dbus-daemon: they are not tdkube
    PrivateBus m_bus;
    QProcess m_sandbox;
    QByteArray m_sandboxOutput;
    QString m_kubeconfig;
    QList<Secret> m_secrets;
    QList<QByteArray> m_forms;
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
    QList<Run> m_runs;
};

// Qt reads the XDG folders, the D-Bus address, the logging rules and HOME once, so they are set before
// the application exists. tdkube and this process share them, as the window and the commands do on a
// person's machine; the sandbox and dbus-daemon get the environment the test was started with.
static void prepareEnvironment(const QString &dir)
{
    for (const char *folder :
         {"data", "config", "cache", "state", "runtime", "home", "tmp", "kube", "sandbox"})
        QDir().mkpath(dir + u'/' + QLatin1StringView(folder));
    QFile::setPermissions(dir + u"/runtime"_s,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    qputenv("XDG_DATA_HOME", (dir + u"/data"_s).toUtf8());
    qputenv("XDG_CONFIG_HOME", (dir + u"/config"_s).toUtf8());
    qputenv("XDG_CACHE_HOME", (dir + u"/cache"_s).toUtf8());
    qputenv("XDG_STATE_HOME", (dir + u"/state"_s).toUtf8());
    qputenv("XDG_RUNTIME_DIR", (dir + u"/runtime"_s).toUtf8());
    qputenv("HOME", (dir + u"/home"_s).toUtf8());
    qputenv("TMPDIR", (dir + u"/tmp"_s).toUtf8());
    qputenv("DBUS_SESSION_BUS_ADDRESS", (u"unix:path="_s + dir + u"/bus"_s).toUtf8());
    // QtKeychain picks KWallet on a KDE Plasma 5 desktop.
    qputenv("XDG_CURRENT_DESKTOP", "KDE");
    qputenv("KDE_SESSION_VERSION", "5");
    qputenv("QT_LOGGING_RULES", "tdkube.*.debug=true");
    qunsetenv("KUBECONFIG");
    qunsetenv("TDKUBE_TEST_CRASH_AT");
}

void TestSecrets::initTestCase()
{
    messageLog().next = qInstallMessageHandler(captureMessage);
    QString error;
    QVERIFY2(m_bus.start(qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS"), m_original, &error),
             qPrintable(error));
    QVERIFY2(startSandbox(&error), qPrintable(error));
    QVERIFY2(writeKubeconfig(&error), qPrintable(error));
    for (const Secret &secret : std::as_const(m_secrets)) {
        for (const Encoded &encoded : encodingsOf(secret.value))
            m_forms.append(encoded.bytes);
    }
    {
        QMutexLocker locker(&messageLog().mutex);
        messageLog().forms = m_forms;
    }

    const auto config = kube::Kubeconfig::load({m_kubeconfig});
    const auto resolved = config.resolve(u"token"_s, &error);
    kube::ConnectionSettings settings;
    QVERIFY2(resolved && kube::makeConnectionSettings(*resolved, &settings, &error), qPrintable(error));
    m_client = std::make_unique<kube::KubeClient>(settings);
    m_passwords = std::make_unique<taos::PasswordStore>(); // the keychain: the FakeWallet

    deploy();
    if (QTest::currentTestFailed())
        return;
    changeTaosPassword();
    if (QTest::currentTestFailed())
        return;
    storeLogins();
}

void TestSecrets::cleanupTestCase()
{
    m_client.reset();
    m_sandbox.terminate();
    if (!m_sandbox.waitForFinished(10000))
        m_sandbox.kill();
    m_sandbox.waitForFinished(2000);
    qInstallMessageHandler(messageLog().next);
}

// The sandbox out of process, with tokens of the test's choosing (its data folder's tokens.json) and
// its output and access log kept for the search.
bool TestSecrets::startSandbox(QString *error)
{
    const QJsonObject tokens{{u"viewer"_s, QString::fromLatin1(kViewerToken)},
                             {u"exec"_s, QString::fromLatin1(kAdminToken)}};
    if (!writeFile(path(u"sandbox/tokens.json"_s), QJsonDocument(tokens).toJson())) {
        *error = u"cannot write the sandbox's tokens"_s;
        return false;
    }
    m_sandbox.setProcessEnvironment(m_original);
    m_sandbox.setProcessChannelMode(QProcess::MergedChannels);
    endWithTheTest(&m_sandbox);
    m_sandbox.start(QStringLiteral(TDKUBE_SANDBOX_PATH),
                    {u"--port"_s, u"0"_s, u"--kubeconfig-out"_s, path(u"kube/sandbox.kubeconfig"_s),
                     u"--data-dir"_s, path(u"sandbox"_s), u"--time-scale"_s, u"0.02"_s, u"--access-log"_s,
                     path(u"sandbox-access.log"_s)});
    // It prints "kubeconfig: FILE" once the file is written.
    while (!m_sandboxOutput.contains("kubeconfig:")) {
        if (!m_sandbox.waitForReadyRead(30000)) {
            *error = u"the sandbox did not start: "_s + QString::fromUtf8(m_sandboxOutput);
            return false;
        }
        m_sandboxOutput += m_sandbox.readAll();
    }
    QObject::connect(&m_sandbox, &QProcess::readyRead, this,
                     [this] { m_sandboxOutput += m_sandbox.readAll(); });
    return true;
}

// A kubeconfig with a context for each kind of credential, all on the sandbox, namespace `secrets`,
// and the files some of them name.
bool TestSecrets::writeKubeconfig(QString *error)
{
    const auto sandbox = kube::Kubeconfig::load({path(u"kube/sandbox.kubeconfig"_s)});
    const auto cluster = sandbox.cluster(u"sandbox"_s);
    const auto admin = sandbox.user(u"sandbox-admin"_s);
    const auto exec = sandbox.user(u"sandbox-exec"_s);
    if (!cluster || !admin || !exec || !exec->exec || admin->clientKeyData.isEmpty()) {
        *error = u"the sandbox's kubeconfig lacks its cluster, admin or exec plugin"_s;
        return false;
    }
    const auto executable = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;
    const QByteArray idToken = oidcIdToken();
    m_kubeconfig = path(u"kube/secrets.kubeconfig"_s);
    if (!writeFile(path(u"kube/certificate-plugin.sh"_s),
                   certificatePlugin(*admin, path(u"tmp/exec-plugin-environment"_s)), executable) ||
        !writeFile(path(u"kube/token"_s), kAdminToken + '\n') ||
        !writeFile(m_kubeconfig,
                   QJsonDocument(kubeconfig(*cluster, *admin, exec->exec->command, idToken)).toJson())) {
        *error = u"cannot write the kubeconfig and its credential files in "_s + path(u"kube"_s);
        return false;
    }
    m_secrets = {
        {u"the system:masters bearer token (token, tokenFile, the sandbox's exec plugin)"_s, kAdminToken,
         true},
        {u"the read-only bearer token"_s, kViewerToken, true},
        {u"the admin's client key (client-key-data, an exec plugin's clientKeyData)"_s, admin->clientKeyData,
         true},
        {u"the basic-auth password"_s, kBasicPassword, true},
        {u"the proxy password"_s, kProxyPassword, true},
        {u"the password in the server's URL"_s, kServerPassword, true},
        {u"the oidc id-token"_s, idToken, true},
        {u"the oidc id-token's signature"_s, kOidcSignature, true},
        {u"the TDengine root password"_s, kTaosPassword, false},
        {u"a wrong TDengine password from the keychain"_s, kWrongTaosPassword, false},
        {u"a wrong TDengine password from TDKUBE_TDENGINE_PASSWORD"_s, kWrongEnvironmentPassword, false},
        {u"a wrong TDengine password from stdin"_s, kWrongStdinPassword, false},
    };
    return true;
}

QJsonObject TestSecrets::kubeconfig(const kube::ClusterEntry &cluster, const kube::UserEntry &admin,
                                    const QString &execPlugin, const QByteArray &idToken) const
{
    const QJsonObject sandbox{{u"server"_s, cluster.server},
                              {u"certificate-authority-data"_s, base64(cluster.certificateAuthorityData)}};
    QJsonObject proxied = sandbox;
    proxied.insert(u"proxy-url"_s, closedProxyUrl());
    // User information in the server's URL: shown wherever the server is named, without the password.
    QUrl withUserInfo(cluster.server);
    withUserInfo.setUserName(u"alice"_s);
    withUserInfo.setPassword(QString::fromLatin1(kServerPassword));
    QJsonObject userInfo = sandbox;
    userInfo.insert(u"server"_s, withUserInfo.toString());
    const QJsonObject oidc{{u"name"_s, u"oidc"_s},
                           {u"config"_s, QJsonObject{{u"id-token"_s, QString::fromLatin1(idToken)},
                                                     {u"idp-issuer-url"_s, u"https://idp.example"_s}}}};
    const QJsonArray users{
        named(u"admin"_s, u"user"_s,
              {{u"client-certificate-data"_s, base64(admin.clientCertificateData)},
               {u"client-key-data"_s, base64(admin.clientKeyData)}}),
        named(u"token"_s, u"user"_s, {{u"token"_s, QString::fromLatin1(kAdminToken)}}),
        named(u"token-file"_s, u"user"_s, {{u"tokenFile"_s, path(u"kube/token"_s)}}),
        named(u"viewer"_s, u"user"_s, {{u"token"_s, QString::fromLatin1(kViewerToken)}}),
        named(u"exec"_s, u"user"_s, execUser(execPlugin)),
        named(u"exec-certificate"_s, u"user"_s, execUser(path(u"kube/certificate-plugin.sh"_s))),
        named(u"basic"_s, u"user"_s,
              {{u"username"_s, u"alice"_s}, {u"password"_s, QString::fromLatin1(kBasicPassword)}}),
        named(u"oidc"_s, u"user"_s, {{u"auth-provider"_s, oidc}}),
    };
    QJsonArray contexts;
    for (const QString &user : {u"admin"_s, u"token"_s, u"token-file"_s, u"viewer"_s, u"exec"_s,
                                u"exec-certificate"_s, u"basic"_s, u"oidc"_s})
        contexts.append(context(user, u"sandbox"_s, user));
    contexts.append(context(u"proxy"_s, u"sandbox-via-proxy"_s, u"admin"_s));
    contexts.append(context(u"wrong-password"_s, u"sandbox"_s, u"token"_s));
    contexts.append(context(u"user-info"_s, u"sandbox-with-user-info"_s, u"token"_s));
    return {{u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"Config"_s},
            {u"clusters"_s, QJsonArray{named(u"sandbox"_s, u"cluster"_s, sandbox),
                                       named(u"sandbox-via-proxy"_s, u"cluster"_s, proxied),
                                       named(u"sandbox-with-user-info"_s, u"cluster"_s, userInfo)}},
            {u"users"_s, users},
            {u"contexts"_s, contexts},
            {u"current-context"_s, u"token"_s}};
}

// The cluster of manifests/, followed by the DeployMonitor until its 3 mnodes are there, with the
// default TDengine login (a new cluster's; the keychain has none for it).
void TestSecrets::deploy()
{
    QVERIFY(createNamespace(m_client.get(), kNs));
    QString error;
    QVERIFY2(applyManifests(m_client.get(), kNs, &error), qPrintable(error));
    deploy::DeployMonitor monitor(m_client.get(), m_passwords.get(),
                                  deploy::DeployTarget{u"token"_s, kNs, kSet, 3, true});
    monitor.setPollInterval(50);
    std::optional<bool> deployed;
    QString message;
    connect(&monitor, &deploy::DeployMonitor::logLine, this,
            [](const QString &line) { qDebug("deploy: %s", qPrintable(line)); });
    connect(&monitor, &deploy::DeployMonitor::finished, this, [&](bool ok, const QString &text) {
        deployed = ok;
        message = text;
    });
    monitor.start();
    QVERIFY(QTest::qWaitFor([&] { return deployed.has_value(); }, kProcessMs));
    QVERIFY2(*deployed, qPrintable(message));
}

// As a person does after deploying: ALTER USER in the SQL console, then the new password in the
// login dialog (ClusterView::askLogin calls ClusterConnection::setLogin), which stores it in the keychain.
void TestSecrets::changeTaosPassword()
{
    taos::ClusterConnection connection(m_client.get(), kNs, kSet, u"token/"_s + kNs + u'/' + kSet,
                                       m_passwords.get());
    connection.start();
    QVERIFY2(QTest::qWaitFor([&connection] { return connection.rest() != nullptr; }, kWaitMs),
             qPrintable(connection.describe()));
    QVERIFY(connection.login().isDefault);
    ui::SqlConsole console;
    console.setClient(connection.rest(), connection.key());
    const auto run = [&console](const QString &sql) {
        console.run(sql);
        QVERIFY(QTest::qWaitFor([&console] { return !console.isRunning(); }, kWaitMs));
        QVERIFY2(console.statusText().contains(u"in "_s) && console.statusText().contains(u" ms"_s),
                 qPrintable(console.statusText()));
    };
    run(u"select * from information_schema.ins_dnodes"_s);
    run(u"alter user root pass '%1'"_s.arg(QString::fromLatin1(kTaosPassword)));
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(console.history(), QStringList{u"select * from information_schema.ins_dnodes"_s});

    const int writes = m_bus.wallet()->writes();
    connection.setLogin(u"root"_s, QString::fromLatin1(kTaosPassword));
    QVERIFY(QTest::qWaitFor([&] { return m_bus.wallet()->writes() > writes; }, kWaitMs));
    QVERIFY2(QTest::qWaitFor([&connection] { return connection.rest() != nullptr; }, kWaitMs),
             qPrintable(connection.describe()));
    std::optional<taos::QueryOutcome> outcome;
    connection.rest()->query(u"show databases"_s, this,
                             [&outcome](taos::QueryOutcome &o) { outcome = std::move(o); });
    QVERIFY(QTest::qWaitFor([&outcome] { return outcome.has_value(); }, kWaitMs));
    QVERIFY2(outcome->ok(), qPrintable(outcome->error.describe()));
    QVERIFY2(connection.login().note.isEmpty(), qPrintable(connection.login().note));
}

// The login of `context`'s view of the cluster, in the keychain.
void TestSecrets::storeLogin(const QString &context, const QByteArray &password)
{
    std::optional<QString> error;
    m_passwords->save(context + u'/' + kNs + u'/' + kSet, u"root"_s, QString::fromLatin1(password), this,
                      [&error](const QString &e) { error = e; });
    QVERIFY(QTest::qWaitFor([&error] { return error.has_value(); }, kWaitMs));
    QVERIFY2(error->isEmpty(), qPrintable(*error));
}

// The login of every context the commands use, in the keychain, as the login dialog leaves it; one
// context's is wrong. A new store (nothing in memory) reads the right one back: the commands will too.
void TestSecrets::storeLogins()
{
    for (const QString &context :
         {u"admin"_s, u"exec"_s, u"exec-certificate"_s, u"token-file"_s, u"viewer"_s, u"user-info"_s})
        storeLogin(context, kTaosPassword);
    storeLogin(u"wrong-password"_s, kWrongTaosPassword);
    if (QTest::currentTestFailed())
        return;
    taos::PasswordStore fresh;
    std::optional<taos::PasswordStore::Login> login;
    fresh.load(u"exec/"_s + kNs + u'/' + kSet, this,
               [&login](const taos::PasswordStore::Login &l) { login = l; });
    QVERIFY(QTest::qWaitFor([&login] { return login.has_value(); }, kWaitMs));
    QVERIFY2(!login->isDefault && login->password.toUtf8() == kTaosPassword,
             qPrintable(u"the keychain gave the default login: "_s + login->note));
}

// The tdkube binary as a person runs it. The event loop turns meanwhile (nothing here blocks).
Run TestSecrets::tdkube(const QStringList &arguments, const QString &crashAt, const Given &given)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(u"TDKUBE_TDENGINE_PASSWORD"_s);
    if (!crashAt.isEmpty())
        environment.insert(u"TDKUBE_TEST_CRASH_AT"_s, crashAt);
    if (!given.environment.isEmpty())
        environment.insert(u"TDKUBE_TDENGINE_PASSWORD"_s, QString::fromLatin1(given.environment));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(TDKUBE_PATH), arguments);
    if (!given.input.isEmpty())
        process.write(given.input + '\n');
    process.closeWriteChannel();
    Run run;
    run.command =
        (crashAt.isEmpty() ? QString() : u"TDKUBE_TEST_CRASH_AT=%1 "_s.arg(crashAt)) +
        (given.environment.isEmpty() ? QString()
                                     : u"TDKUBE_TDENGINE_PASSWORD=%1 "_s.arg(nameOf(given.environment))) +
        u"tdkube "_s + QStringList(arguments).replaceInStrings(m_dir, u"DIR"_s).join(u' ') +
        (given.input.isEmpty() ? QString() : u" <<< %1"_s.arg(nameOf(given.input)));
    const bool ended =
        process.waitForStarted() &&
        QTest::qWaitFor([&process] { return process.state() == QProcess::NotRunning; }, kProcessMs);
    if (!ended) {
        process.kill();
        process.waitForFinished();
    } else if (process.exitStatus() == QProcess::NormalExit) {
        run.exitCode = process.exitCode();
    }
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    m_runs.append(run);
    return run;
}

// What a run printed, for a failure message: with every secret replaced.
QString TestSecrets::story(const Run &run) const
{
    return u"%1: exit %2\n--- stdout\n%3--- stderr\n%4"_s.arg(run.command)
        .arg(run.exitCode)
        .arg(QString::fromUtf8(redacted(run.out, m_forms)), QString::fromUtf8(redacted(run.err, m_forms)));
}

// A scale-out with the exec plugin's token, a scale-in with an exec plugin's client key killed half-way
// and resumed, a scale-out with a static token and a scale-in with the kubeconfig's client key, plans
// read with a token file and with a password in the server's URL, the refusals of a read-only token, of
// basic auth, of an oidc id-token, of a proxy that is not there and of a wrong TDengine password, and
// the window's first minute. Everything verbose, every debug category on.
QStringList TestSecrets::scale(const QString &context, int replicas, const QStringList &more) const
{
    const QStringList command{
        u"scale"_s,     u"--cluster"_s, kSet, u"--replicas"_s, QString::number(replicas),
        u"--context"_s, context};
    return command + QStringList{u"--kubeconfig"_s, m_kubeconfig, u"-n"_s, kNs} + more;
}

QString TestSecrets::unfinishedOperation(const QString &where)
{
    const Run run = tdkube({u"operations"_s});
    const QRegularExpressionMatch operation =
        QRegularExpression(u"^(\\S+)  "_s + QRegularExpression::escape(where) + u"  Scale"_s,
                           QRegularExpression::MultilineOption)
            .match(QString::fromUtf8(run.out));
    if (!operation.hasMatch())
        qWarning("no unfinished operation on %s: %s", qPrintable(where), qPrintable(story(run)));
    return operation.captured(1);
}

void TestSecrets::commands_everyKindOfCredential_asAPersonRunsThem()
{
    Run run = tdkube(scale(u"exec"_s, 4, {u"--yes"_s, u"-v"_s}));
    QVERIFY2(run.exitCode == 0 && run.out.contains("SQL> "), qPrintable(story(run)));

    run = tdkube(scale(u"exec-certificate"_s, 3, {u"--yes"_s, u"-v"_s}), u"1:after"_s);
    QVERIFY2(run.exitCode == kCrashExitCode, qPrintable(story(run)));
    const QString operation = unfinishedOperation(u"exec-certificate/secrets/tdengine"_s);
    QVERIFY(!operation.isEmpty());
    run = tdkube({u"resume"_s, operation, u"-v"_s, u"--kubeconfig"_s, m_kubeconfig});
    QVERIFY2(run.exitCode == 0 && run.out.contains("Resuming operation"), qPrintable(story(run)));

    run = tdkube(scale(u"token"_s, 4, {u"--yes"_s, u"-v"_s}));
    QVERIFY2(run.exitCode == 0, qPrintable(story(run)));
    run = tdkube(scale(u"admin"_s, 3, {u"--yes"_s, u"-v"_s}));
    QVERIFY2(run.exitCode == 0, qPrintable(story(run)));
    run = tdkube(scale(u"admin"_s, 3));
    QVERIFY2(run.exitCode == 0 && run.out.contains("already has 3 replicas"), qPrintable(story(run)));
    run = tdkube(scale(u"token-file"_s, 4));
    QVERIFY2(run.exitCode == 0 && run.out.contains("Nothing was changed."), qPrintable(story(run)));

    // Refused, each for its own reason; the reason is said, the secret is not.
    run = tdkube(scale(u"viewer"_s, 4, {u"--yes"_s}));
    QVERIFY2(run.exitCode == 1 && run.err.contains("Could not read cluster"), qPrintable(story(run)));
    // What the API server refused is said, not only that the local connection closed.
    QVERIFY2(run.err.contains("Forbidden") && run.err.contains("portforward"), qPrintable(story(run)));
    for (const QString &refused : {u"basic"_s, u"oidc"_s}) {
        run = tdkube(scale(refused, 4));
        QVERIFY2(run.exitCode == 1 && run.err.contains("Unauthorized"), qPrintable(story(run)));
    }
    run = tdkube(scale(u"proxy"_s, 4));
    QVERIFY2(run.exitCode == 1 && run.err.contains("through the proxy http://tdkube@127.0.0.1:"),
             qPrintable(story(run)));
    run = tdkube(scale(u"wrong-password"_s, 4));
    QVERIFY2(
        run.exitCode == 1 && run.err.contains("0x0357: Authentication failure") &&
            run.err.contains("TDengine refused user root with the password stored in the system keychain"),
        qPrintable(story(run)));

    run = tdkube({u"operations"_s});
    QVERIFY2(run.out.startsWith("No unfinished operations"), qPrintable(story(run)));
    run = tdkube(scale(u"user-info"_s, 4));
    QVERIFY2(run.exitCode == 0 && run.out.contains("Nothing was changed."), qPrintable(story(run)));
    // The window, offscreen, until the dashboard shows TDengine's answer: it got the password from
    // the keychain.
    run = tdkube({u"--kubeconfig"_s, m_kubeconfig, u"--context"_s, u"user-info"_s, u"--cluster"_s,
                  kNs + u'/' + kSet, u"--smoke"_s});
    QVERIFY2(run.exitCode == 0 && run.out.contains("smoke check passed"), qPrintable(story(run)));
}

// The commands without a keychain: the password in TDKUBE_TDENGINE_PASSWORD or on stdin wins over the
// keychain's (the context `wrong-password`'s is wrong), --password-stdin over the variable; a scale-in
// killed half-way and its resume, refused at once with a wrong password from stdin, then finished; a
// wrong password from the environment and a user TDengine does not know, each refused with where the
// password came from. The exec plugin of `exec-certificate` writes down the environment it got.
void TestSecrets::commands_passwordFromTheEnvironmentOrStdin_runAndRefused()
{
    Run run = tdkube(scale(u"wrong-password"_s, 4, {u"--yes"_s, u"-v"_s}), {}, {kTaosPassword, {}});
    QVERIFY2(run.exitCode == 0 && run.out.contains("SQL> ") && !run.err.contains("Warning"),
             qPrintable(story(run)));

    run = tdkube(scale(u"exec-certificate"_s, 3, {u"--yes"_s, u"-v"_s}), u"1:after"_s, {kTaosPassword, {}});
    QVERIFY2(run.exitCode == kCrashExitCode, qPrintable(story(run)));
    const QString operation = unfinishedOperation(u"exec-certificate/secrets/tdengine"_s);
    QVERIFY(!operation.isEmpty());
    const QStringList resume{u"resume"_s,       operation,    u"-v"_s,
                             u"--kubeconfig"_s, m_kubeconfig, u"--password-stdin"_s};
    run = tdkube(resume, {}, {{}, kWrongStdinPassword});
    QVERIFY2(run.exitCode == 1 && run.err.contains("was not resumed (it stays unfinished)") &&
                 run.err.contains("0x0357: Authentication failure") &&
                 run.err.contains("TDengine refused user root with the password read from stdin "
                                  "(--password-stdin)") &&
                 !run.out.contains("SQL> "),
             qPrintable(story(run)));
    run = tdkube({u"operations"_s});
    QVERIFY2(run.out.contains(operation.toUtf8()), qPrintable(story(run)));
    run = tdkube(resume, {}, {kWrongEnvironmentPassword, kTaosPassword});
    QVERIFY2(run.exitCode == 0 && run.out.contains("Resuming operation") && run.out.contains("SQL> "),
             qPrintable(story(run)));
    run = tdkube({u"operations"_s});
    QVERIFY2(run.out.startsWith("No unfinished operations"), qPrintable(story(run)));

    run = tdkube(scale(u"token"_s, 4), {}, {kWrongEnvironmentPassword, {}});
    QVERIFY2(run.exitCode == 1 && run.err.contains("0x0357: Authentication failure") &&
                 run.err.contains("TDengine refused user root with the password from the environment "
                                  "variable TDKUBE_TDENGINE_PASSWORD"),
             qPrintable(story(run)));
    run = tdkube(scale(u"token"_s, 4, {u"--user"_s, u"nobody"_s}), {}, {kTaosPassword, {}});
    QVERIFY2(run.exitCode == 1 && run.err.contains("TDengine refused user nobody with the password from the "
                                                   "environment variable TDKUBE_TDENGINE_PASSWORD"),
             qPrintable(story(run)));
}

QList<Place> TestSecrets::filesUnder(const QString &name) const
{
    QList<Place> files;
    QDirIterator it(path(name), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly))
            files.append(
                {u"the file "_s + QString(file.fileName()).replace(m_dir, u"DIR"_s), file.readAll()});
    }
    return files;
}

// Everywhere tdkube writes, or could have: what the search looks through.
QList<Place> TestSecrets::everyPlace()
{
    QList<Place> places;
    for (const Run &run : std::as_const(m_runs)) {
        places.append({u"the stdout of `%1`"_s.arg(run.command), run.out});
        places.append({u"the stderr of `%1`"_s.arg(run.command), run.err});
    }
    for (const char *folder : {"data", "config", "cache", "state", "runtime", "home", "tmp"})
        places += filesUnder(QLatin1StringView(folder));
    {
        QMutexLocker locker(&messageLog().mutex);
        places.append({u"this process's Qt messages"_s, messageLog().text});
    }
    m_sandboxOutput += m_sandbox.readAll();
    places.append({u"the sandbox's output"_s, m_sandboxOutput});
    QFile accessLog(path(u"sandbox-access.log"_s));
    if (accessLog.open(QIODevice::ReadOnly))
        places.append({u"the sandbox's access log"_s, accessLog.readAll()});
    for (const kube::ResourceKind &kind :
         {kube::ResourceKind::configMaps(), kube::ResourceKind::statefulSets(),
          kube::ResourceKind::services(), kube::ResourceKind::events(), kube::ResourceKind::pods(),
          kube::ResourceKind::persistentVolumeClaims()}) {
        const kube::KubeResponse response = await([&](QObject *context, kube::KubeClient::Done done) {
            m_client->list(kind, kNs, {}, context, done);
        });
        places.append({u"the cluster's %1 in %2"_s.arg(kind.plural, kNs), response.body});
    }
    return places;
}

void TestSecrets::secrets_afterTheWholeRun_foundNowhere()
{
    const QList<Place> places = everyPlace();
    // The search is not blind: it finds the secrets where they are meant to be, in the kubeconfig (the
    // client key there only as base64 of its PEM), and the places hold what was done.
    QFile kubeconfig(m_kubeconfig);
    QVERIFY(kubeconfig.open(QIODevice::ReadOnly));
    const QByteArray held = kubeconfig.readAll();
    for (const Secret &secret : std::as_const(m_secrets)) {
        const QList<Encoded> encodings = encodingsOf(secret.value);
        const bool found = std::any_of(encodings.cbegin(), encodings.cend(),
                                       [&held](const Encoded &e) { return held.contains(e.bytes); });
        QVERIFY2(found == secret.inKubeconfig, qPrintable(secret.kind));
    }
    const auto holds = [&places](const QString &name, const QByteArray &what) {
        return std::any_of(places.cbegin(), places.cend(), [&](const Place &place) {
            return place.name.contains(name) && place.content.contains(what);
        });
    };
    QVERIFY(holds(u"tdkube.conf"_s, "information_schema.ins_dnodes")); // the SQL console's history
    QVERIFY(holds(u"/operations/"_s, "\"steps\""));                    // the journals
    QVERIFY(holds(u"the cluster's configmaps"_s, "tdkube-op-"));       // the operations' records
    QVERIFY(holds(u"this process's Qt messages"_s, "tdkube.kube: "));
    QVERIFY(holds(u"the stdout of `tdkube resume"_s, "SQL> "));
    QVERIFY(holds(u"the stderr of `TDKUBE_TEST_CRASH_AT"_s, "exiting as a crash would"));
    QVERIFY(holds(u"the stderr of `TDKUBE_TDENGINE_PASSWORD="_s, "0x0357: Authentication failure"));
    QVERIFY(holds(u"--password-stdin <<< "_s, "Resuming operation"));
    // The exec plugin ran under tdkube with the password in its environment; not with it in its own.
    QVERIFY(holds(u"exec-plugin-environment"_s, "XDG_CONFIG_HOME="));
    QVERIFY(!holds(u"exec-plugin-environment"_s, "TDKUBE_TDENGINE_PASSWORD"));

    QStringList found;
    for (const Secret &secret : std::as_const(m_secrets)) {
        for (const Encoded &encoded : encodingsOf(secret.value)) {
            for (const Place &place : places) {
                if (!place.content.contains(encoded.bytes))
                    continue;
                // A place's name (a command line) is shown with any secret in it replaced, too.
                const QString where = QString::fromUtf8(redacted(place.name.toUtf8(), m_forms));
                found.append(u"%1 (%2) in %3"_s.arg(secret.kind, encoded.encoding, where));
            }
        }
    }
    found.removeDuplicates();
    QVERIFY2(found.isEmpty(), qPrintable(u"Secrets were found:\n"_s + found.join(u'\n')));
    qInfo("%lld secrets, each in %lld encodings, searched for in %lld places", qlonglong(m_secrets.size()),
          qlonglong(encodingsOf(kTaosPassword).size()), qlonglong(places.size()));
}

int main(int argc, char *argv[])
{
    const QProcessEnvironment original = QProcessEnvironment::systemEnvironment();
    QTemporaryDir dir;
    if (!dir.isValid())
        return 1;
    prepareEnvironment(dir.path());
    QApplication app(argc, argv);
    // tdkube's names: this process shares the window's settings (the SQL history, the TDengine user).
    QCoreApplication::setOrganizationName(u"tdkube"_s);
    QCoreApplication::setApplicationName(u"tdkube"_s);
    TestSecrets test(dir.path(), original);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_secrets.moc"
