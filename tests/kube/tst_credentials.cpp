#include "kube/credentials.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using tdkube::kube::Credential;
using tdkube::kube::CredentialSource;
using tdkube::kube::ExecClusterInfo;
using tdkube::kube::ExecConfig;
using tdkube::kube::ExecCredentialSource;
using tdkube::kube::OidcCredentialSource;

namespace {

const QString kV1 = u"client.authentication.k8s.io/v1"_s;
const QString kV1beta1 = u"client.authentication.k8s.io/v1beta1"_s;

struct Outcome
{
    bool done = false;
    int calls = 0;
    Credential credential;
    QString error;
};

// Starts a request and returns its outcome, filled in when `done` runs.
std::shared_ptr<Outcome> startRequest(CredentialSource &source)
{
    auto outcome = std::make_shared<Outcome>();
    source.request([outcome](const Credential &credential, const QString &error) {
        outcome->done = true;
        ++outcome->calls;
        outcome->credential = credential;
        outcome->error = error;
    });
    return outcome;
}

Outcome requestAndWait(CredentialSource &source)
{
    const auto outcome = startRequest(source);
    if (!QTest::qWaitFor([&] { return outcome->done; }, 20000))
        outcome->error = u"request did not finish"_s;
    return *outcome;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

int runCount(const QString &path)
{
    return int(readAll(path).count('\n'));
}

QDateTime utc(const char *iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate);
}

} // namespace

class TestCredentials final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    // Writes an executable /bin/sh script that counts its runs in `runs`.
    QString writeScript(const QString &name, const QByteArray &body)
    {
        const QString file = path(name);
        QDir().mkpath(QFileInfo(file).absolutePath());
        QFile script(file);
        if (!script.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        script.write("#!/bin/sh\necho run >> '" + path(u"runs"_s).toUtf8() + "'\n" + body);
        script.close();
        script.setPermissions(script.permissions() | QFile::ExeOwner);
        return file;
    }

    // A plugin printing an ExecCredential whose token numbers the run ("token-1", "token-2").
    QString writeTokenPlugin(const QString &name, const QString &apiVersion, const QByteArray &expiry)
    {
        const QByteArray expiryField =
            expiry.isEmpty() ? QByteArray() : ",\"expirationTimestamp\":\"" + expiry + '"';
        return writeScript(name, "printf '%s' \"$KUBERNETES_EXEC_INFO\" > '" + path(u"info"_s).toUtf8() +
                                     "'\nprintf '%s' \"$AWS_PROFILE\" > '" + path(u"env"_s).toUtf8() +
                                     "'\nn=$(wc -l < '" + path(u"runs"_s).toUtf8() + "' | tr -d ' ')\n" +
                                     "printf '{\"apiVersion\":\"" + apiVersion.toUtf8() +
                                     "\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"token-%s\"" +
                                     expiryField + "}}' \"$n\"\n");
    }

    ExecConfig execFor(const QString &command, const QString &apiVersion = kV1)
    {
        ExecConfig exec;
        exec.apiVersion = apiVersion;
        exec.command = command;
        exec.interactiveMode = u"Never"_s;
        return exec;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        qputenv("HOME", m_dir.filePath(u"home"_s).toLocal8Bit());
        // The login shell's PATH is asked once per process: the fake shell must be in place first.
        QFile shell(path(u"fake-shell"_s));
        QVERIFY(shell.open(QIODevice::WriteOnly));
        shell.write("#!/bin/sh\necho 'Welcome to the login banner'\nprintf '%s' '/nonexistent/bin:" +
                    path(u"loginbin"_s).toUtf8() + "'\n");
        shell.close();
        shell.setPermissions(shell.permissions() | QFile::ExeOwner);
        qputenv("SHELL", shell.fileName().toLocal8Bit());
        QVERIFY(!qEnvironmentVariable("PATH").contains(path(u"loginbin"_s)));
    }

    void init() { QFile::remove(path(u"runs"_s)); }

    void request_v1TokenWithExpiry_cachedUntilShortlyBeforeExpiry()
    {
        ExecCredentialSource source(execFor(writeTokenPlugin(u"v1"_s, kV1, "2030-01-01T00:00:00Z")), u"u"_s,
                                    {});
        source.setClock([] { return utc("2029-12-31T00:00:00Z"); });
        Outcome first = requestAndWait(source);
        QVERIFY2(first.error.isEmpty(), qPrintable(first.error));
        QCOMPARE(first.credential.token, u"token-1"_s);
        QCOMPARE(first.credential.expiry, utc("2030-01-01T00:00:00Z"));

        QCOMPARE(requestAndWait(source).credential.token, u"token-1"_s);
        QCOMPARE(runCount(path(u"runs"_s)), 1);

        // Five seconds before expiry is too close: the token could expire on its way to the server.
        source.setClock([] { return utc("2029-12-31T23:59:55Z"); });
        QCOMPARE(requestAndWait(source).credential.token, u"token-2"_s);
        QCOMPARE(runCount(path(u"runs"_s)), 2);
    }

    void request_afterInvalidate_reruns()
    {
        ExecCredentialSource source(execFor(writeTokenPlugin(u"v1"_s, kV1, "2030-01-01T00:00:00Z")), u"u"_s,
                                    {});
        source.setClock([] { return utc("2029-12-31T00:00:00Z"); });
        QCOMPARE(requestAndWait(source).credential.token, u"token-1"_s);
        source.invalidate();
        QCOMPARE(requestAndWait(source).credential.token, u"token-2"_s);
        QCOMPARE(runCount(path(u"runs"_s)), 2);
    }

    void request_cached_callsDoneLaterNotReentrantly()
    {
        ExecCredentialSource source(execFor(writeTokenPlugin(u"v1"_s, kV1, QByteArray())), u"u"_s, {});
        QVERIFY(requestAndWait(source).error.isEmpty());
        const auto outcome = startRequest(source);
        QVERIFY(!outcome->done);
        QTRY_VERIFY(outcome->done);
        QCOMPARE(outcome->credential.token, u"token-1"_s);
    }

    void request_execInfo_data()
    {
        QTest::addColumn<bool>("provideClusterInfo");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("without cluster info")
            << false
            << QByteArray(
                   "{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
                   "\"spec\":{\"interactive\":false}}");
        QTest::newRow("with cluster info")
            << true
            << QByteArray(
                   "{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
                   "\"spec\":{\"cluster\":{\"certificate-authority-data\":\"" +
                   QByteArray("-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n").toBase64() +
                   "\",\"insecure-skip-tls-verify\":true,\"server\":\"https:/"
                   "/34.118.20.7\","
                   "\"tls-server-name\":\"api.example\"},\"interactive\":false}}");
    }

    void request_execInfo()
    {
        QFETCH(bool, provideClusterInfo);
        QFETCH(QByteArray, expected);
        ExecConfig exec = execFor(writeTokenPlugin(u"gke"_s, kV1beta1, QByteArray()), kV1beta1);
        exec.provideClusterInfo = provideClusterInfo;
        exec.env = {{u"AWS_PROFILE"_s, u"prod-admin"_s}};
        const ExecClusterInfo cluster{u"https://34.118.20.7"_s,
                                      "-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n",
                                      u"api.example"_s, true};
        ExecCredentialSource source(exec, u"gke-user"_s, cluster);
        const Outcome outcome = requestAndWait(source);
        QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
        QCOMPARE(outcome.credential.token, u"token-1"_s);
        QVERIFY(!outcome.credential.expiry.isValid());
        QCOMPARE(readAll(path(u"info"_s)), expected);
        QCOMPARE(readAll(path(u"env"_s)), QByteArray("prod-admin"));
    }

    void request_pluginFails_errorHasStderr()
    {
        QByteArray body = "echo 'error: SSO session expired; run aws sso login --profile prod' >&2\n";
        for (int i = 1; i <= 25; ++i)
            body += "echo 'detail " + QByteArray::number(i) + "' >&2\n";
        body += "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
                "\"status\":{\"token\":\"secret-token\"}}'\nexit 1\n";
        const QString plugin = writeScript(u"aws"_s, body);
        ExecCredentialSource source(execFor(plugin), u"eks-admin"_s, {});
        const Outcome outcome = requestAndWait(source);
        QVERIFY(outcome.done);
        QVERIFY(outcome.credential.token.isEmpty());
        QVERIFY2(outcome.error.startsWith(u"exec plugin "_s + plugin +
                                          u" (user eks-admin) failed with exit code 1:\n"
                                          u"error: SSO session expired; run aws sso login --profile prod\n"),
                 qPrintable(outcome.error));
        QVERIFY(outcome.error.contains(u"detail 19\n(6 more lines)"));
        QVERIFY(!outcome.error.contains(u"detail 20"));
        QVERIFY(!outcome.error.contains(u"secret-token"));
    }

    void request_badOutput_clearError_data()
    {
        QTest::addColumn<QByteArray>("output");
        QTest::addColumn<QString>("expected");
        QTest::newRow("garbage") << QByteArray("hello, not json")
                                 << u"did not print an ExecCredential as JSON (illegal value)"_s;
        QTest::newRow("wrong kind")
            << QByteArray("{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"Pod\"}")
            << u"printed kind \"Pod\" instead of ExecCredential"_s;
        QTest::newRow("wrong apiVersion")
            << QByteArray(
                   "{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
                   "\"status\":{\"token\":\"t\"}}")
            << u"printed an ExecCredential of apiVersion \"client.authentication.k8s.io/v1beta1\", but the "
               u"kubeconfig asks for client.authentication.k8s.io/v1"_s;
        QTest::newRow("no token")
            << QByteArray("{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                          "\"kind\":\"ExecCredential\",\"status\":{}}")
            << u"printed an ExecCredential with neither a token nor a client certificate"_s;
        QTest::newRow("bad expiry") << QByteArray(
                                           "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                                           "\"ExecCredential\",\"status\":{\"token\":\"t\","
                                           "\"expirationTimestamp\":\"tomorrow\"}}")
                                    << u"printed an expirationTimestamp that is not RFC 3339: tomorrow"_s;
    }

    void request_badOutput_clearError()
    {
        QFETCH(QByteArray, output);
        QFETCH(QString, expected);
        QFile::remove(path(u"out.json"_s));
        QFile out(path(u"out.json"_s));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(output);
        out.close();
        const QString plugin = writeScript(u"bad"_s, "cat '" + out.fileName().toUtf8() + "'\n");
        ExecCredentialSource source(execFor(plugin), u"u"_s, {});
        const Outcome outcome = requestAndWait(source);
        QCOMPARE(outcome.error, u"exec plugin "_s + plugin + u" (user u) " + expected);
    }

    void request_missingCommand_errorNamesSearchedDirsAndInstallHint()
    {
        ExecConfig exec = execFor(u"tdkube-no-such-plugin"_s, kV1beta1);
        exec.installHint = u"Install it with: brew install tdkube-no-such-plugin"_s;
        ExecCredentialSource source(exec, u"gke-user"_s, {});
        const Outcome outcome = requestAndWait(source);
        QVERIFY(outcome.done);
        QVERIFY2(outcome.error.startsWith(
                     u"exec plugin tdkube-no-such-plugin (user gke-user) was not found on PATH ("_s),
                 qPrintable(outcome.error));
        QVERIFY(outcome.error.contains(path(u"loginbin"_s)));
        QVERIFY(outcome.error.contains(u"/snap/bin"));
        QVERIFY(outcome.error.endsWith(u"). Install it with: brew install tdkube-no-such-plugin"));
    }

    void request_missingAbsoluteCommand_errorWithInstallHint()
    {
        ExecConfig exec = execFor(path(u"bin/missing-plugin"_s));
        exec.installHint = u"Run make plugins."_s;
        ExecCredentialSource source(exec, u"u"_s, {});
        QCOMPARE(requestAndWait(source).error, u"exec plugin "_s + exec.command +
                                                   u" (user u) was not found: " + exec.command +
                                                   u" does not exist or is not executable. "
                                                   u"Run make plugins.");
    }

    void request_interactiveModeAlways_needsTerminal()
    {
        ExecConfig exec = execFor(writeTokenPlugin(u"v1"_s, kV1, QByteArray()));
        exec.interactiveMode = u"Always"_s;
        ExecCredentialSource source(exec, u"u"_s, {});
        QVERIFY(requestAndWait(source).error.contains(u"needs a terminal (interactiveMode: Always)"));
        QCOMPARE(runCount(path(u"runs"_s)), 0);
    }

    void request_concurrent_shareOneRun()
    {
        const QString plugin =
            writeScript(u"slow"_s, "sleep 0.3\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                                   "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"shared\"}}'\n");
        ExecCredentialSource source(execFor(plugin), u"u"_s, {});
        const auto a = startRequest(source);
        const auto b = startRequest(source);
        const auto c = startRequest(source);
        QTRY_VERIFY_WITH_TIMEOUT(a->done && b->done && c->done, 20000);
        for (const auto &outcome : {a, b, c}) {
            QCOMPARE(outcome->calls, 1);
            QCOMPARE(outcome->credential.token, u"shared"_s);
        }
        QCOMPARE(runCount(path(u"runs"_s)), 1);
    }

    void request_clientCertificate_returnsPem()
    {
        const QString plugin = writeScript(
            u"cert"_s,
            "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
            "\"status\":{\"clientCertificateData\":\"-----BEGIN CERTIFICATE-----\\\\nc\\\\n-----END "
            "CERTIFICATE-----\\\\n\",\"clientKeyData\":\"-----BEGIN EC PRIVATE KEY-----\\\\nk\\\\n-----END "
            "EC PRIVATE KEY-----\\\\n\",\"expirationTimestamp\":\"2030-01-01T00:00:00.250Z\"}}'\n");
        ExecCredentialSource source(execFor(plugin), u"u"_s, {});
        const Outcome outcome = requestAndWait(source);
        QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
        QVERIFY(outcome.credential.token.isEmpty());
        QCOMPARE(outcome.credential.clientCertificatePem,
                 "-----BEGIN CERTIFICATE-----\nc\n-----END CERTIFICATE-----\n");
        QCOMPARE(outcome.credential.clientKeyPem,
                 "-----BEGIN EC PRIVATE KEY-----\nk\n-----END EC PRIVATE KEY-----\n");
        QCOMPARE(outcome.credential.expiry, utc("2030-01-01T00:00:00Z").addMSecs(250));
    }

    void request_v1beta1_accepted()
    {
        ExecCredentialSource source(
            execFor(writeTokenPlugin(u"beta"_s, kV1beta1, "2030-01-01T00:00:00+01:00"), kV1beta1), u"u"_s,
            {});
        const Outcome outcome = requestAndWait(source);
        QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
        QCOMPARE(outcome.credential.token, u"token-1"_s);
        QCOMPARE(outcome.credential.expiry, utc("2029-12-31T23:00:00Z"));
    }

    void request_commandOnlyOnLoginShellPath_found()
    {
        writeTokenPlugin(u"loginbin/tdkube-login-plugin"_s, kV1, QByteArray());
        QFile::remove(path(u"childpath"_s));
        QFile::rename(path(u"loginbin/tdkube-login-plugin"_s), path(u"loginbin/real-plugin"_s));
        // A wrapper that records the PATH the plugin sees, then runs the real plugin.
        writeScript(u"loginbin/tdkube-login-plugin"_s, "printf '%s' \"$PATH\" > '" +
                                                           path(u"childpath"_s).toUtf8() + "'\nexec '" +
                                                           path(u"loginbin/real-plugin"_s).toUtf8() + "'\n");
        ExecCredentialSource source(execFor(u"tdkube-login-plugin"_s), u"u"_s, {});
        const Outcome outcome = requestAndWait(source);
        QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
        QVERIFY(outcome.credential.token.startsWith(u"token-"));
        // The plugin may run other tools from the login PATH (gcloud, aws).
        QVERIFY(QString::fromLocal8Bit(readAll(path(u"childpath"_s))).contains(path(u"loginbin"_s)));
    }

    void request_pluginHangs_timesOut()
    {
        const QString plugin = writeScript(u"hang"_s, "exec sleep 30\n");
        ExecCredentialSource source(execFor(plugin), u"u"_s, {});
        source.setTimeout(300);
        const Outcome outcome = requestAndWait(source);
        QCOMPARE(outcome.error,
                 u"exec plugin "_s + plugin +
                     u" (user u) did not finish within 0.3 s; it may be waiting for a login in a "
                     u"terminal");
    }

    void oidc_validIdToken_returnsItWithExpiry()
    {
        // Payload {"iss":"https://dex.corp.example","exp":4102444800}: 2100-01-01.
        const QString token =
            u"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2RleC5jb3JwLmV4YW1wbGUiLCJleHAiOjQxMDI0NDQ4MDB9.c2ln"_s;
        OidcCredentialSource source(
            {{u"id-token"_s, token}, {u"idp-issuer-url"_s, u"https://dex.corp.example"_s}}, u"alice"_s);
        const auto outcome = startRequest(source);
        QVERIFY(!outcome->done);
        QTRY_VERIFY(outcome->done);
        QVERIFY(outcome->error.isEmpty());
        QCOMPARE(outcome->credential.token, token);
        QCOMPARE(outcome->credential.expiry, utc("2100-01-01T00:00:00Z"));

        source.setClock([] { return utc("2100-01-02T00:00:00Z"); });
        const Outcome expired = requestAndWait(source);
        QVERIFY(expired.credential.token.isEmpty());
        QVERIFY2(expired.error.startsWith(
                     u"the oidc id-token of user alice expired at 2100-01-01T00:00:00Z; log in "
                     u"again with your identity provider's tool"),
                 qPrintable(expired.error));
        QVERIFY(!expired.error.contains(token));
    }

    void oidc_noIdToken_asksToLogIn()
    {
        OidcCredentialSource source({{u"client-id"_s, u"kubernetes"_s}}, u"bob"_s);
        const Outcome outcome = requestAndWait(source);
        QVERIFY(outcome.error.startsWith(
            u"user bob has an oidc auth-provider without an id-token; log in again"));
    }
};

QTEST_GUILESS_MAIN(TestCredentials)
#include "tst_credentials.moc"
