// TLS is verified unless the kubeconfig's own insecure-skip-tls-verify says otherwise for the cluster in
// use. An API server whose certificate the kubeconfig's CA did not issue (or that the certificate does
// not name) is refused, saying so, on every way tdkube talks to it: requests, watch streams, the exec and
// port-forward WebSockets, through a proxy too; only the flag on that cluster's own entry makes it
// connect. Nothing else turns verification off: not the flag on another cluster, on the same name in a
// later kubeconfig file of the list, or under the user or the context; not tls-server-name with an
// untrusted chain; not OpenSSL's or Qt's environment (SSL_CERT_FILE, SSL_CERT_DIR, OPENSSL_CONF, ...), a
// setting or a command-line option. The kubeconfig rows run in this process against an in-process
// sandbox, from kubeconfig files as a person writes them; the environment, settings and option rows run
// the real tdkube binary against the same sandbox.
#include "certs.h"
#include "kube/exec.h"
#include "kube/kubeconfig.h"
#include "kube/objects.h"
#include "kube/portforward.h"
#include "sandboxfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::kube;
using namespace tdkube::kube::test;

namespace {

constexpr int kProcessMs = 120000; // a safety net for a hung process, not a measure
const QString kNs = u"tls"_s;
const QString kRefused = u"could not be verified"_s; // KubeClient::sslError

// An HTTP proxy as corporate networks have them: CONNECT host:port, then bytes both ways. It tunnels to
// whatever port is asked, on this machine.
class ConnectProxy final : public QObject
{
public:
    ConnectProxy()
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *client = m_server.nextPendingConnection())
                accept(client);
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    int tunnels = 0;

private:
    void accept(QTcpSocket *client)
    {
        connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        connect(client, &QTcpSocket::readyRead, this, [this, client] {
            auto *upstream = client->findChild<QTcpSocket *>();
            if (upstream) {
                upstream->write(client->readAll());
                return;
            }
            const QByteArray head = client->peek(client->bytesAvailable());
            const qsizetype end = head.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            client->read(end + 4);
            const QList<QByteArray> words = head.left(head.indexOf("\r\n")).split(' ');
            if (words.value(0) != "CONNECT") {
                client->abort();
                return;
            }
            ++tunnels;
            upstream = new QTcpSocket(client);
            connect(upstream, &QTcpSocket::connected, client, [client, upstream] {
                client->write("HTTP/1.1 200 Connection established\r\n\r\n");
                upstream->write(client->readAll());
            });
            connect(upstream, &QTcpSocket::readyRead, client,
                    [client, upstream] { client->write(upstream->readAll()); });
            connect(upstream, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
            upstream->connectToHost(QHostAddress::LocalHost, words.value(1).split(':').value(1).toUShort());
        });
    }

    QTcpServer m_server;
};

// What each way of talking to the API server gave.
struct Reach
{
    KubeResponse request;  // a list
    KubeResponse watch;    // a watch stream's end
    int execExitCode = -1; // `true` in a pod
    QString execError;
    bool forwarded = false; // bytes came back through a port-forward to taosAdapter
    QString forwardReason;  // the port-forward's state reason
};

QJsonObject named(const QString &name, const QString &field, const QJsonObject &body)
{
    return {{u"name"_s, name}, {field, body}};
}

QJsonObject contextEntry(const QString &name, const QString &cluster, const QJsonObject &more = {})
{
    QJsonObject body{{u"cluster"_s, cluster}, {u"user"_s, u"admin"_s}, {u"namespace"_s, kNs}};
    for (auto it = more.begin(); it != more.end(); ++it)
        body.insert(it.key(), it.value());
    return named(name, u"context"_s, body);
}

} // namespace

class TestTlsVerification final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void kubeconfig_onlyTheClustersOwnFlagSkipsVerification_data();
    void kubeconfig_onlyTheClustersOwnFlagSkipsVerification();
    void tdkube_environmentSettingsAndOptions_neverSkipVerification();

private:
    QJsonObject cluster(const QString &name, const QJsonObject &fields, const QString &server = {}) const;
    QByteArray kubeconfig(const QJsonArray &clusters, const QJsonArray &contexts,
                          const QJsonObject &adminMore = {}) const;
    QString writeFile(const QString &name, const QByteArray &content) const;
    Reach reach(KubeClient *client);
    bool allReady();

    SandboxFixture m_fixture;
    QTemporaryDir m_dir;
    std::unique_ptr<KubeClient> m_admin;
    QByteArray m_impostorCaPem; // a CA that did not issue the sandbox's certificate
    // The sandbox at 127.0.0.2, an address its certificate does not name.
    std::unique_ptr<Cable> m_otherAddress;
    std::unique_ptr<ConnectProxy> m_proxy;
};

void TestTlsVerification::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(m_fixture.start());
    m_admin = std::make_unique<KubeClient>(m_fixture.admin());
    QVERIFY(createNamespace(m_admin.get(), kNs));
    QString error;
    QVERIFY2(applyManifests(m_admin.get(), kNs, &error), qPrintable(error));
    QVERIFY2(QTest::qWaitFor([this] { return allReady(); }, 60000), "the three TDengine pods are not ready");
    // The sandbox CA's name, but another key: only the signature tells them apart.
    const auto impostor = sandbox::CertificateAuthority::create(u"tdkube-sandbox-ca"_s, &error);
    QVERIFY2(impostor.isValid(), qPrintable(error));
    m_impostorCaPem = impostor.certificatePem();
    m_otherAddress = std::make_unique<Cable>(quint16(QUrl(m_fixture.sandbox()->serverUrl()).port()),
                                             QHostAddress(u"127.0.0.2"_s));
    QVERIFY(m_otherAddress->port() != 0);
    m_proxy = std::make_unique<ConnectProxy>();
}

void TestTlsVerification::cleanupTestCase()
{
    m_admin.reset();
}

bool TestTlsVerification::allReady()
{
    const KubeResponse response = await([&](QObject *context, KubeClient::Done done) {
        m_admin->list(ResourceKind::pods(), kNs, {}, context, done);
    });
    const QJsonArray items = response.json().value(u"items").toArray();
    return items.size() == 3 && std::all_of(items.begin(), items.end(),
                                            [](const QJsonValue &pod) { return isPodReady(pod.toObject()); });
}

// A cluster entry on the sandbox (or `server`) with `fields` (the CA and TLS settings of the row).
QJsonObject TestTlsVerification::cluster(const QString &name, const QJsonObject &fields,
                                         const QString &server) const
{
    QJsonObject body{{u"server"_s, server.isEmpty() ? m_fixture.sandbox()->serverUrl() : server}};
    for (auto it = fields.begin(); it != fields.end(); ++it)
        body.insert(it.key(), it.value());
    return named(name, u"cluster"_s, body);
}

// A kubeconfig file (JSON is YAML) whose one user is the sandbox's admin (a client certificate).
QByteArray TestTlsVerification::kubeconfig(const QJsonArray &clusters, const QJsonArray &contexts,
                                           const QJsonObject &adminMore) const
{
    QJsonObject admin{
        {u"client-certificate-data"_s, QString::fromLatin1(m_fixture.adminCertificatePem().toBase64())},
        {u"client-key-data"_s, QString::fromLatin1(m_fixture.adminKeyPem().toBase64())}};
    for (auto it = adminMore.begin(); it != adminMore.end(); ++it)
        admin.insert(it.key(), it.value());
    return QJsonDocument(QJsonObject{{u"apiVersion"_s, u"v1"_s},
                                     {u"kind"_s, u"Config"_s},
                                     {u"clusters"_s, clusters},
                                     {u"users"_s, QJsonArray{named(u"admin"_s, u"user"_s, admin)}},
                                     {u"contexts"_s, contexts},
                                     {u"current-context"_s, u"c"_s}})
        .toJson();
}

QString TestTlsVerification::writeFile(const QString &name, const QByteArray &content) const
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(content) != content.size())
        qWarning("cannot write %s", qPrintable(path));
    return path;
}

// Each way tdkube talks to the API server, once.
Reach TestTlsVerification::reach(KubeClient *client)
{
    Reach result;
    result.request = await([&](QObject *context, KubeClient::Done done) {
        client->list(ResourceKind::pods(), kNs, {}, context, done);
    });

    KubeRequest watch;
    watch.path = ResourceKind::pods().path(kNs);
    watch.query.addQueryItem(u"watch"_s, u"true"_s);
    watch.query.addQueryItem(u"timeoutSeconds"_s, u"1"_s);
    QObject owner;
    KubeStream *stream = client->openStream(watch, &owner);
    QSignalSpy ended(stream, &KubeStream::finished);
    if (ended.wait(kWaitMs))
        result.watch = ended.first().first().value<KubeResponse>();

    ExecSession exec(client, kNs, u"tdengine-0"_s, {}, {u"true"_s});
    QSignalSpy finished(&exec, &ExecSession::finished);
    exec.start();
    if (finished.wait(kWaitMs)) {
        result.execExitCode = finished.first().at(0).toInt();
        result.execError = finished.first().at(1).toString();
    }

    PortForward forward(client, {ForwardTarget::Kind::Pod, kNs, u"tdengine-0"_s}, 6041);
    forward.start();
    // Active, or saying why not: the port-forward tells the person what a request would.
    const bool settled = QTest::qWaitFor(
        [&forward] {
            return forward.state() == PortForward::State::Active ||
                   forward.state() == PortForward::State::Stopped || forward.stateReason().contains(kRefused);
        },
        kWaitMs);
    result.forwardReason = (settled ? QString() : u"(still starting) "_s) + forward.stateReason();
    if (forward.state() == PortForward::State::Active) {
        QTcpSocket local;
        local.connectToHost(QHostAddress::LocalHost, forward.localPort());
        local.write("GET /rest/sql HTTP/1.0\r\n\r\n");
        result.forwarded = QTest::qWaitFor([&local] { return local.bytesAvailable() > 0; }, kWaitMs);
    }
    return result;
}

void TestTlsVerification::kubeconfig_onlyTheClustersOwnFlagSkipsVerification_data()
{
    QTest::addColumn<QList<QByteArray>>("files"); // the $KUBECONFIG list, in order
    QTest::addColumn<bool>("connects");
    const QJsonObject impostor{
        {u"certificate-authority-data"_s, QString::fromLatin1(m_impostorCaPem.toBase64())}};
    const QJsonObject sandboxCa{
        {u"certificate-authority-data"_s,
         QString::fromLatin1(QByteArray(m_fixture.anonymous().certificateAuthorityPem).toBase64())}};
    const auto with = [](QJsonObject fields, const QString &key, const QJsonValue &value) {
        fields.insert(key, value);
        return fields;
    };
    const QString flag = u"insecure-skip-tls-verify"_s;
    const QJsonObject flagged = with(impostor, flag, true);
    const QJsonArray onX{contextEntry(u"c"_s, u"x"_s)};
    const QString otherAddress = u"https://127.0.0.2:%1"_s.arg(m_otherAddress->port());
    const QString proxy = u"http://127.0.0.1:%1"_s.arg(m_proxy->port());

    QTest::newRow("another CA") << QList{kubeconfig({cluster(u"x"_s, impostor)}, onX)} << false;
    QTest::newRow("another CA, the cluster's flag")
        << QList{kubeconfig({cluster(u"x"_s, flagged)}, onX)} << true;
    QTest::newRow("another CA, the flag false")
        << QList{kubeconfig({cluster(u"x"_s, with(impostor, flag, false))}, onX)} << false;
    QTest::newRow("another CA, the flag on another cluster of the file")
        << QList{kubeconfig({cluster(u"x"_s, impostor), cluster(u"y"_s, flagged)},
                            {contextEntry(u"c"_s, u"x"_s), contextEntry(u"d"_s, u"y"_s)})}
        << false;
    QTest::newRow("another CA, the same cluster flagged in a later file")
        << QList{kubeconfig({cluster(u"x"_s, impostor)}, onX), kubeconfig({cluster(u"x"_s, flagged)}, onX)}
        << false;
    QTest::newRow("another CA, the same context on a flagged cluster in a later file")
        << QList{kubeconfig({cluster(u"x"_s, impostor)}, onX),
                 kubeconfig({cluster(u"y"_s, flagged)}, {contextEntry(u"c"_s, u"y"_s)})}
        << false;
    QTest::newRow("another CA, the flag under the user and the context")
        << QList{kubeconfig({cluster(u"x"_s, impostor)}, {contextEntry(u"c"_s, u"x"_s, {{flag, true}})},
                            {{flag, true}})}
        << false;
    QTest::newRow("no CA: the system's") << QList{kubeconfig({cluster(u"x"_s, {})}, onX)} << false;
    QTest::newRow("no CA, the cluster's flag")
        << QList{kubeconfig({cluster(u"x"_s, {{flag, true}})}, onX)} << true;
    QTest::newRow("another CA, a tls-server-name the certificate names")
        << QList{kubeconfig(
               {cluster(u"x"_s, with(impostor, u"tls-server-name"_s, u"kubernetes.default.svc"_s))}, onX)}
        << false;
    QTest::newRow("another CA, through a proxy")
        << QList{kubeconfig({cluster(u"x"_s, with(impostor, u"proxy-url"_s, proxy))}, onX)} << false;
    QTest::newRow("another CA, through a proxy, the cluster's flag")
        << QList{kubeconfig({cluster(u"x"_s, with(flagged, u"proxy-url"_s, proxy))}, onX)} << true;
    QTest::newRow("the sandbox's CA, an address the certificate does not name")
        << QList{kubeconfig({cluster(u"x"_s, sandboxCa, otherAddress)}, onX)} << false;
    QTest::newRow("the sandbox's CA, another address, a tls-server-name the certificate names")
        << QList{kubeconfig(
               {cluster(u"x"_s, with(sandboxCa, u"tls-server-name"_s, u"localhost"_s), otherAddress)}, onX)}
        << true;
}

// Every way of talking to the API server either works (the row's flag, or a tls-server-name that a
// trusted certificate names) or is refused with the certificate's problem said.
void TestTlsVerification::kubeconfig_onlyTheClustersOwnFlagSkipsVerification()
{
    QFETCH(QList<QByteArray>, files);
    QFETCH(bool, connects);
    QStringList paths;
    for (const QByteArray &file : files)
        paths.append(writeFile(u"kubeconfig-%1"_s.arg(paths.size()), file));
    const Kubeconfig config = Kubeconfig::load(paths);
    QString error;
    const auto resolved = config.resolve(u"c"_s, &error);
    ConnectionSettings settings;
    QVERIFY2(resolved && makeConnectionSettings(*resolved, &settings, &error), qPrintable(error));
    // The flag read is the one on the entry in use: every row that connects has it, but the one that
    // a trusted certificate's name (tls-server-name) lets through.
    QCOMPARE(settings.insecureSkipTlsVerify, connects && settings.tlsServerName.isEmpty());
    KubeClient client(settings);
    const int tunnels = m_proxy->tunnels;
    const Reach result = reach(&client);

    if (connects) {
        QVERIFY2(result.request.ok(), qPrintable(result.request.error));
        QVERIFY2(result.watch.ok(), qPrintable(result.watch.error));
        QVERIFY2(result.execExitCode == 0, qPrintable(result.execError));
        QVERIFY2(result.forwarded, qPrintable(result.forwardReason));
    } else {
        QCOMPARE(result.request.httpStatus, 0);
        QVERIFY2(result.request.error.contains(kRefused), qPrintable(result.request.error));
        QCOMPARE(result.watch.httpStatus, 0);
        QVERIFY2(result.watch.error.contains(kRefused), qPrintable(result.watch.error));
        QVERIFY2(result.execExitCode == -1 &&
                     result.execError.contains(u"certificate"_s, Qt::CaseInsensitive),
                 qPrintable(result.execError));
        QVERIFY2(!result.forwarded && result.forwardReason.contains(kRefused),
                 qPrintable(result.forwardReason));
    }
    if (!settings.proxyUrl.isEmpty())
        QVERIFY(m_proxy->tunnels > tunnels); // the proxy was used: the row tests what it says
}

// The real tdkube binary with a kubeconfig whose CA is another's: refused whatever the environment
// (OpenSSL's trust variables pointing at the sandbox's CA, Qt's, names a person may guess), whatever
// the settings hold and whatever option is given; in the same environment the cluster's own flag
// connects. A kubeconfig without a CA (the system's) is not helped by OpenSSL's variables either.
void TestTlsVerification::tdkube_environmentSettingsAndOptions_neverSkipVerification()
{
    const QJsonObject impostor{
        {u"certificate-authority-data"_s, QString::fromLatin1(m_impostorCaPem.toBase64())}};
    QJsonObject flagged = impostor;
    flagged.insert(u"insecure-skip-tls-verify"_s, true);
    const QString kubeconfigPath =
        writeFile(u"binary.kubeconfig"_s,
                  kubeconfig({cluster(u"x"_s, impostor), cluster(u"y"_s, flagged), cluster(u"z"_s, {})},
                             {contextEntry(u"impostor"_s, u"x"_s), contextEntry(u"flagged"_s, u"y"_s),
                              contextEntry(u"system"_s, u"z"_s)}));

    const QByteArray sandboxCa = m_fixture.anonymous().certificateAuthorityPem;
    const QString caFile = writeFile(u"sandbox-ca.pem"_s, sandboxCa);
    QDir().mkpath(m_dir.filePath(u"certs"_s));
    writeFile(u"certs/sandbox-ca.pem"_s, sandboxCa);
    QProcess::execute(u"openssl"_s, {u"rehash"_s, m_dir.filePath(u"certs"_s)}); // best effort: the hash links
    const QString opensslConf = writeFile(u"openssl.cnf"_s, "openssl_conf = tdkube_test\n"
                                                            "[tdkube_test]\nssl_conf = ssl_section\n"
                                                            "[ssl_section]\nsystem_default = system_default\n"
                                                            "[system_default]\nVerifyCAFile = " +
                                                                caFile.toUtf8() + '\n');
    QDir().mkpath(m_dir.filePath(u"config/tdkube"_s));
    writeFile(u"config/tdkube/tdkube.conf"_s,
              "[connection]\ninsecureSkipTlsVerify=true\n"
              "insecure-skip-tls-verify=true\nverify=false\n"
              "[tls]\ninsecureSkipTlsVerify=true\nverify=false\npeerVerifyMode=0\n");

    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"XDG_CONFIG_HOME"_s, m_dir.filePath(u"config"_s));
    environment.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(u"data"_s));
    environment.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path="_s + m_dir.filePath(u"no-bus"_s));
    for (const auto &[name, value] :
         QList<std::pair<QString, QString>>{{u"SSL_CERT_FILE"_s, caFile},
                                            {u"SSL_CERT_DIR"_s, m_dir.filePath(u"certs"_s)},
                                            {u"OPENSSL_CONF"_s, opensslConf},
                                            {u"QT_SSL_USE_TEMPORARY_KEYCHAIN"_s, u"1"_s},
                                            {u"KUBE_INSECURE_SKIP_TLS_VERIFY"_s, u"true"_s},
                                            {u"KUBECTL_INSECURE_SKIP_TLS_VERIFY"_s, u"true"_s},
                                            {u"TDKUBE_INSECURE_SKIP_TLS_VERIFY"_s, u"1"_s},
                                            {u"TDKUBE_INSECURE"_s, u"1"_s}})
        environment.insert(name, value);

    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
        QString story() const
        {
            return u"exit %1\n--- stdout\n%2--- stderr\n%3"_s.arg(exitCode).arg(out, err);
        }
    };
    const auto tdkube = [&](const QString &context, const QStringList &more = {}) {
        QProcess process;
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(TDKUBE_PATH),
                      QStringList{u"scale"_s, u"--cluster"_s, u"tdengine"_s, u"--replicas"_s, u"3"_s,
                                  u"--kubeconfig"_s, kubeconfigPath, u"--context"_s, context} +
                          more);
        Run run;
        // The sandbox answers from this thread: wait with the event loop turning.
        if (process.waitForStarted() &&
            QTest::qWaitFor([&process] { return process.state() == QProcess::NotRunning; }, kProcessMs) &&
            process.exitStatus() == QProcess::NormalExit)
            run.exitCode = process.exitCode();
        process.kill();
        process.waitForFinished();
        run.out = QString::fromUtf8(process.readAllStandardOutput());
        run.err = QString::fromUtf8(process.readAllStandardError());
        return run;
    };

    Run run = tdkube(u"impostor"_s);
    QVERIFY2(run.exitCode == 1 && run.err.contains(kRefused), qPrintable(run.story()));
    run = tdkube(u"system"_s);
    QVERIFY2(run.exitCode == 1 && run.err.contains(kRefused) &&
                 run.err.contains(u"the system's certificate authorities"_s),
             qPrintable(run.story()));
    run = tdkube(u"impostor"_s, {u"--insecure-skip-tls-verify"_s});
    QVERIFY2(run.exitCode == 2 && run.err.contains(u"Unknown option 'insecure-skip-tls-verify'"_s),
             qPrintable(run.story()));
    run = tdkube(u"flagged"_s);
    QVERIFY2(run.exitCode == 0 && run.out.contains(u"already has 3 replicas"_s), qPrintable(run.story()));
}

QTEST_GUILESS_MAIN(TestTlsVerification)
#include "tst_tlsverification.moc"
