// Tests of the sandbox's certificate authority (certs.cpp) and kubeconfig/exec plugin writer
// (kubeconfigwriter.cpp): both live in sandbox_certs. Certificates are checked with Qt's TLS stack
// (a real local handshake), with OpenSSL's CLI when present and with kubectl when present, because
// what matters is that the clients the sandbox serves accept them.
#include "certs.h"
#include "kubeconfigwriter.h"

#include <QDateTime>
#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslCertificateExtension>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using tdkube::sandbox::CertificateAuthority;
using tdkube::sandbox::KubeconfigSpec;

namespace {

CertificateAuthority makeCa(const QString &name = u"tdkube-sandbox-ca"_s)
{
    QString error;
    CertificateAuthority ca = CertificateAuthority::create(name, &error);
    if (!ca.isValid())
        qWarning("CA creation failed: %s", qPrintable(error));
    return ca;
}

QSslCertificate pemCertificate(const QByteArray &pem)
{
    return QSslCertificate(pem, QSsl::Pem);
}

QSslCertificateExtension extensionNamed(const QSslCertificate &cert, const QString &name)
{
    const QList<QSslCertificateExtension> extensions = cert.extensions();
    for (const QSslCertificateExtension &extension : extensions) {
        if (extension.name() == name)
            return extension;
    }
    return {};
}

// An extension's value as text: Qt gives some as a string, some (extendedKeyUsage) as a list.
QString extensionText(const QSslCertificate &cert, const QString &name)
{
    const QVariant value = extensionNamed(cert, name).value();
    return value.canConvert<QStringList>() ? value.toStringList().join(u',') : value.toString();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

// The permission bits as `ls -l` shows them (0600, 0700...).
int unixMode(const QString &path)
{
    struct stat info
    {
    };
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 07777) : -1;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Runs a program to completion; its stdout, or a null array when it could not run or failed.
QByteArray runProgram(const QString &program, const QStringList &arguments, QString *stderrText = nullptr)
{
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    if (stderrText)
        *stderrText = QString::fromLocal8Bit(process.readAllStandardError());
    if (process.exitCode() != 0)
        return {};
    const QByteArray out = process.readAllStandardOutput();
    return out.isNull() ? QByteArray("") : out;
}

// The outcome of one TLS handshake of a QSslSocket against a QSslServer presenting `server`.
struct Handshake
{
    bool encrypted = false;
    QList<QSslError::SslError> errors;
};

Handshake handshake(const CertificateAuthority::Issued &server, const QByteArray &caPem,
                    const QString &peerName)
{
    QSslConfiguration serverConfig = QSslConfiguration::defaultConfiguration();
    serverConfig.setLocalCertificate(pemCertificate(server.certificatePem));
    serverConfig.setPrivateKey(QSslKey(server.keyPem, QSsl::Ec, QSsl::Pem));
    serverConfig.setPeerVerifyMode(QSslSocket::VerifyNone);
    QSslServer sslServer;
    sslServer.setSslConfiguration(serverConfig);
    if (!sslServer.listen(QHostAddress::LocalHost, 0))
        return {};

    QSslConfiguration clientConfig = QSslConfiguration::defaultConfiguration();
    // Only the sandbox CA is trusted, as in the kubeconfig's certificate-authority-data.
    clientConfig.setCaCertificates({pemCertificate(caPem)});
    QSslSocket client;
    client.setSslConfiguration(clientConfig);
    Handshake result;
    QObject::connect(&client, &QSslSocket::sslErrors, &client, [&result](const QList<QSslError> &errors) {
        for (const QSslError &error : errors)
            result.errors.append(error.error());
    });
    QSignalSpy encrypted(&client, &QSslSocket::encrypted);
    QSignalSpy failed(&client, &QAbstractSocket::errorOccurred);
    client.connectToHostEncrypted(u"127.0.0.1"_s, sslServer.serverPort(), peerName);
    const bool settled = QTest::qWaitFor([&] { return !encrypted.isEmpty() || !failed.isEmpty(); }, 10000);
    result.encrypted = settled && !encrypted.isEmpty();
    client.abort();
    return result;
}

KubeconfigSpec sampleSpec(const CertificateAuthority &ca, const QString &pluginPath)
{
    QString error;
    const CertificateAuthority::Issued admin =
        ca.issueClient(u"sandbox-admin"_s, {u"system:masters"_s}, &error);
    KubeconfigSpec spec;
    spec.server = u"https://127.0.0.1:6443"_s;
    spec.caPem = ca.certificatePem();
    spec.adminCertPem = admin.certificatePem;
    spec.adminKeyPem = admin.keyPem;
    // Characters that would break naive YAML: the writer must quote them.
    spec.viewerToken = u"viewer-token: #1 \"quoted\" \\ end"_s;
    spec.execPluginPath = pluginPath;
    spec.defaultNamespace = u"tdengine-test"_s;
    return spec;
}

// The value of the first `key: value` line (indentation ignored) of a YAML text.
QString yamlValue(const QString &yaml, const QString &key)
{
    const QString prefix = key + u": "_s;
    const QStringList lines = yaml.split(u'\n');
    for (const QString &line : lines) {
        const QString trimmed = line.trimmed();
        if (trimmed.startsWith(prefix))
            return trimmed.mid(prefix.size());
    }
    return {};
}

// A one-route HTTPS server (GET anything -> a /version body) that records what each client sent:
// enough to prove that real kubectl accepts the serving certificate and presents the credentials
// of the kubeconfig.
struct RecordedRequest
{
    QByteArray head;
    QSslCertificate clientCertificate;
};

class RecordingServer
{
public:
    bool listen(const CertificateAuthority &ca, const CertificateAuthority::Issued &serving)
    {
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificate(pemCertificate(serving.certificatePem));
        config.setPrivateKey(QSslKey(serving.keyPem, QSsl::Ec, QSsl::Pem));
        config.setCaCertificates({pemCertificate(ca.certificatePem())});
        // Ask for a client certificate but let token users in without one, like kube-apiserver.
        config.setPeerVerifyMode(QSslSocket::QueryPeer);
        m_server.setSslConfiguration(config);
        QObject::connect(&m_server, &QSslServer::pendingConnectionAvailable, &m_server, [this] { accept(); });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url() const { return u"https://127.0.0.1:"_s + QString::number(m_server.serverPort()); }
    QList<RecordedRequest> requests;

private:
    void accept()
    {
        while (m_server.hasPendingConnections()) {
            auto *socket = qobject_cast<QSslSocket *>(m_server.nextPendingConnection());
            QObject::connect(socket, &QIODevice::readyRead, socket, [this, socket] { serve(socket); });
            QObject::connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
        }
    }
    void serve(QSslSocket *socket)
    {
        QByteArray head = socket->property("head").toByteArray() + socket->readAll();
        socket->setProperty("head", head);
        if (!head.contains("\r\n\r\n"))
            return;
        requests.append({head, socket->peerCertificate()});
        const QByteArray body =
            R"({"major":"1","minor":"30","gitVersion":"v1.30.0","platform":"linux/amd64"})";
        socket->write(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
            QByteArray::number(body.size()) + "\r\n\r\n" + body);
        socket->disconnectFromHost();
    }
    QSslServer m_server;
};

QByteArray bearerHeader(const QString &token)
{
    return QByteArray("\r\nAuthorization: Bearer " + token.toUtf8() + "\r\n");
}

// Runs kubectl without blocking the event loop (the server above lives in this thread).
bool runKubectlAsync(const QString &kubectl, const QStringList &arguments, QString *stderrText)
{
    QProcess process;
    process.start(kubectl, arguments);
    const bool finished = QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, 30000);
    *stderrText = QString::fromLocal8Bit(process.readAllStandardError());
    if (!finished) {
        process.kill();
        process.waitForFinished();
    }
    return finished && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

} // namespace

class TestCerts : public QObject
{
    Q_OBJECT

private slots:
    void caIsSelfSignedCa();
    void serverCertificateFields();
    void serverKeyLoadsInQt();
    void tlsHandshake_data();
    void tlsHandshake();
    void clientSubjectRoundTrip();
    void clientCertificateFields();
    void serialsAreRandom();
    void verifyOwnCertificates();
    void verifyRejectsForeignCertificates();
    void loadSavedCa();
    void loadRejectsBadInput();
    void issueServerRejectsBadNames();
    void opensslCliAccepts();

    void kubeconfigShape();
    void kubeconfigFailsForMissingDirectory();
    void execPluginPrintsCredential();
    void kubectlReadsKubeconfig();
    void kubectlAuthenticatesWithEachContext();
};

void TestCerts::caIsSelfSignedCa()
{
    const CertificateAuthority ca = makeCa();
    QVERIFY(ca.isValid());
    QVERIFY(ca.certificatePem().startsWith("-----BEGIN CERTIFICATE-----"));
    const QSslCertificate cert = pemCertificate(ca.certificatePem());
    QVERIFY(!cert.isNull());
    QVERIFY(cert.isSelfSigned());
    QCOMPARE(cert.subjectInfo(QSslCertificate::CommonName), QStringList{u"tdkube-sandbox-ca"_s});
    QCOMPARE(cert.version(), QByteArray("3"));
    const QSslCertificateExtension basic = extensionNamed(cert, u"basicConstraints"_s);
    QVERIFY(basic.isCritical());
    QCOMPARE(basic.value().toMap().value(u"ca"_s).toBool(), true);
    QVERIFY(extensionNamed(cert, u"keyUsage"_s).isCritical());
    QVERIFY(extensionNamed(cert, u"subjectKeyIdentifier"_s).isSupported());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(cert.effectiveDate() <= now.addSecs(-3500));
    QVERIFY(cert.expiryDate() > now.addYears(9));
}

void TestCerts::serverCertificateFields()
{
    const CertificateAuthority ca = makeCa();
    QString error;
    const auto issued = ca.issueServer(u"sandbox-apiserver"_s, {u"localhost"_s}, {u"127.0.0.1"_s}, &error);
    QVERIFY2(!issued.certificatePem.isEmpty(), qPrintable(error));
    const QSslCertificate cert = pemCertificate(issued.certificatePem);
    QVERIFY(!cert.isNull());
    QVERIFY(!cert.isSelfSigned());
    QCOMPARE(cert.issuerInfo(QSslCertificate::CommonName), QStringList{u"tdkube-sandbox-ca"_s});
    QCOMPARE(cert.subjectInfo(QSslCertificate::CommonName), QStringList{u"sandbox-apiserver"_s});
    const auto sans = cert.subjectAlternativeNames();
    QCOMPARE(sans.values(QSsl::AlternativeNameEntryType::DnsEntry), QStringList{u"localhost"_s});
    QCOMPARE(sans.values(QSsl::AlternativeNameEntryType::IpAddressEntry), QStringList{u"127.0.0.1"_s});
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(cert.effectiveDate() < now);
    QVERIFY(cert.effectiveDate() > now.addSecs(-3 * 3600));
    QVERIFY(cert.expiryDate() > now.addDays(300));
    QCOMPARE(extensionNamed(cert, u"basicConstraints"_s).value().toMap().value(u"ca"_s).toBool(), false);
    QVERIFY2(extensionText(cert, u"extendedKeyUsage"_s).contains(u"TLS Web Server"_s),
             qPrintable(extensionText(cert, u"extendedKeyUsage"_s)));
    QVERIFY(extensionNamed(cert, u"authorityKeyIdentifier"_s).isSupported());
}

void TestCerts::serverKeyLoadsInQt()
{
    const CertificateAuthority ca = makeCa();
    QString error;
    const auto issued = ca.issueServer(u"s"_s, {u"localhost"_s}, {}, &error);
    QVERIFY2(!issued.keyPem.isEmpty(), qPrintable(error));
    const QSslKey key(issued.keyPem, QSsl::Ec, QSsl::Pem);
    QVERIFY(!key.isNull());
    QCOMPARE(key.length(), 256);
    QCOMPARE(key.type(), QSsl::PrivateKey);
    // The CA key too: a restarted sandbox reloads it.
    QVERIFY(!QSslKey(ca.keyPem(), QSsl::Ec, QSsl::Pem).isNull());
}

void TestCerts::tlsHandshake_data()
{
    QTest::addColumn<QString>("peerName");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("ip") << u"127.0.0.1"_s << true;
    QTest::newRow("dns") << u"localhost"_s << true;
    QTest::newRow("other name") << u"kubernetes.example.com"_s << false;
    QTest::newRow("other ip") << u"10.0.0.1"_s << false;
}

void TestCerts::tlsHandshake()
{
    QFETCH(QString, peerName);
    QFETCH(bool, accepted);
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend");
    const CertificateAuthority ca = makeCa();
    QString error;
    const auto issued = ca.issueServer(u"sandbox-apiserver"_s, {u"localhost"_s}, {u"127.0.0.1"_s}, &error);
    QVERIFY2(!issued.certificatePem.isEmpty(), qPrintable(error));
    const Handshake result = handshake(issued, ca.certificatePem(), peerName);
    QCOMPARE(result.encrypted, accepted);
    if (accepted)
        QVERIFY(result.errors.isEmpty());
    else
        QVERIFY(result.errors.contains(QSslError::HostNameMismatch));
    // Trusting another CA must fail the chain even for the right name.
    if (accepted) {
        const Handshake foreign = handshake(issued, makeCa(u"other"_s).certificatePem(), peerName);
        QVERIFY(!foreign.encrypted);
        QVERIFY(!foreign.errors.isEmpty());
    }
}

void TestCerts::clientSubjectRoundTrip()
{
    const CertificateAuthority ca = makeCa();
    QString error;
    const QStringList groups{u"system:masters"_s, u"tdkube:operators"_s};
    const auto issued = ca.issueClient(u"dba-ünïcode"_s, groups, &error);
    QVERIFY2(!issued.certificatePem.isEmpty(), qPrintable(error));
    const QSslCertificate cert = pemCertificate(issued.certificatePem);
    const tdkube::sandbox::CertificateSubject subject = tdkube::sandbox::subjectOf(cert.toDer());
    QCOMPARE(subject.commonName, u"dba-ünïcode"_s);
    QCOMPARE(subject.organizations, groups);
    // Qt keeps the entries in a multi-map, so only the set is comparable.
    QStringList qtGroups = cert.subjectInfo(QSslCertificate::Organization);
    qtGroups.sort();
    QCOMPARE(qtGroups, groups);

    const auto noGroups = ca.issueClient(u"viewer"_s, {}, &error);
    const auto plain = tdkube::sandbox::subjectOf(pemCertificate(noGroups.certificatePem).toDer());
    QCOMPARE(plain.commonName, u"viewer"_s);
    QVERIFY(plain.organizations.isEmpty());

    const auto garbage = tdkube::sandbox::subjectOf("not a certificate");
    QVERIFY(garbage.commonName.isEmpty());
    QVERIFY(garbage.organizations.isEmpty());
}

void TestCerts::clientCertificateFields()
{
    const CertificateAuthority ca = makeCa();
    QString error;
    const auto issued = ca.issueClient(u"admin"_s, {u"system:masters"_s}, &error);
    QVERIFY2(!issued.certificatePem.isEmpty(), qPrintable(error));
    const QSslCertificate cert = pemCertificate(issued.certificatePem);
    QVERIFY2(extensionText(cert, u"extendedKeyUsage"_s).contains(u"TLS Web Client"_s),
             qPrintable(extensionText(cert, u"extendedKeyUsage"_s)));
    QVERIFY(cert.subjectAlternativeNames().isEmpty());
    QVERIFY(!QSslKey(issued.keyPem, QSsl::Ec, QSsl::Pem).isNull());
}

void TestCerts::serialsAreRandom()
{
    const CertificateAuthority ca = makeCa();
    QString error;
    const QByteArray a = pemCertificate(ca.issueClient(u"a"_s, {}, &error).certificatePem).serialNumber();
    const QByteArray b = pemCertificate(ca.issueClient(u"a"_s, {}, &error).certificatePem).serialNumber();
    QVERIFY(!a.isEmpty());
    QVERIFY(a != b);
    QVERIFY(a != pemCertificate(ca.certificatePem()).serialNumber());
}

void TestCerts::verifyOwnCertificates()
{
    const CertificateAuthority ca = makeCa();
    QString error;
    const auto server = ca.issueServer(u"s"_s, {u"localhost"_s}, {u"127.0.0.1"_s}, &error);
    const auto client = ca.issueClient(u"c"_s, {u"g"_s}, &error);
    QVERIFY(ca.verify(pemCertificate(server.certificatePem).toDer()));
    QVERIFY(ca.verify(pemCertificate(client.certificatePem).toDer()));
    QVERIFY(ca.verify(pemCertificate(ca.certificatePem()).toDer()));
}

void TestCerts::verifyRejectsForeignCertificates()
{
    const CertificateAuthority ca = makeCa();
    // Same name, different key: only the signature tells them apart.
    const CertificateAuthority twin = makeCa();
    QString error;
    const auto foreign = twin.issueClient(u"c"_s, {}, &error);
    QVERIFY(!foreign.certificatePem.isEmpty());
    QVERIFY(!ca.verify(pemCertificate(foreign.certificatePem).toDer()));
    QVERIFY(!ca.verify(pemCertificate(twin.certificatePem()).toDer()));
    const auto other = makeCa(u"other"_s).issueServer(u"s"_s, {u"localhost"_s}, {}, &error);
    QVERIFY(!ca.verify(pemCertificate(other.certificatePem).toDer()));
    QVERIFY(!ca.verify(QByteArray()));
    QVERIFY(!ca.verify("\x30\x03garbage"));
    QVERIFY(!CertificateAuthority().verify(pemCertificate(foreign.certificatePem).toDer()));
}

void TestCerts::loadSavedCa()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const CertificateAuthority original = makeCa();
    QVERIFY(writeFile(dir.filePath(u"ca.crt"_s), original.certificatePem()));
    QVERIFY(writeFile(dir.filePath(u"ca.key"_s), original.keyPem()));

    QString error;
    const CertificateAuthority loaded = CertificateAuthority::load(
        readFile(dir.filePath(u"ca.crt"_s)), readFile(dir.filePath(u"ca.key"_s)), &error);
    QVERIFY2(loaded.isValid(), qPrintable(error));
    QCOMPARE(loaded.certificatePem(), original.certificatePem());
    const auto server = loaded.issueServer(u"s"_s, {u"localhost"_s}, {u"127.0.0.1"_s}, &error);
    const auto client = loaded.issueClient(u"c"_s, {u"g"_s}, &error);
    QVERIFY2(!server.certificatePem.isEmpty() && !client.certificatePem.isEmpty(), qPrintable(error));
    QVERIFY(original.verify(pemCertificate(server.certificatePem).toDer()));
    QVERIFY(original.verify(pemCertificate(client.certificatePem).toDer()));
}

void TestCerts::loadRejectsBadInput()
{
    const CertificateAuthority a = makeCa();
    const CertificateAuthority b = makeCa();
    QString error;
    QVERIFY(!CertificateAuthority::load(a.certificatePem(), b.keyPem(), &error).isValid());
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(!CertificateAuthority::load("junk", a.keyPem(), &error).isValid());
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(!CertificateAuthority::load(a.certificatePem(), {}, &error).isValid());
    QVERIFY(!error.isEmpty());
    // A leaf certificate with its own key is not a CA.
    const auto leaf = a.issueClient(u"c"_s, {}, &error);
    error.clear();
    QVERIFY(!CertificateAuthority::load(leaf.certificatePem, leaf.keyPem, &error).isValid());
    QVERIFY(!error.isEmpty());
    // No error pointer is fine too.
    QVERIFY(!CertificateAuthority::load("junk", "junk", nullptr).isValid());
}

void TestCerts::issueServerRejectsBadNames()
{
    const CertificateAuthority ca = makeCa();
    QString error;
    QVERIFY(ca.issueServer(u"s"_s, {}, {}, &error).certificatePem.isEmpty());
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(ca.issueServer(u"s"_s, {u"a,b"_s}, {}, &error).certificatePem.isEmpty());
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(ca.issueServer(u"s"_s, {}, {u"not-an-ip"_s}, &error).certificatePem.isEmpty());
    QVERIFY(!error.isEmpty());
    QVERIFY(CertificateAuthority().issueClient(u"c"_s, {}, &error).certificatePem.isEmpty());
    // IPv6 SANs work too.
    error.clear();
    const auto v6 = ca.issueServer(u"s"_s, {u"localhost"_s}, {u"::1"_s, u"127.0.0.1"_s}, &error);
    QVERIFY2(!v6.certificatePem.isEmpty(), qPrintable(error));
    QCOMPARE(pemCertificate(v6.certificatePem)
                 .subjectAlternativeNames()
                 .values(QSsl::AlternativeNameEntryType::IpAddressEntry)
                 .size(),
             2);
}

void TestCerts::opensslCliAccepts()
{
    const QString openssl = QStandardPaths::findExecutable(u"openssl"_s);
    if (openssl.isEmpty())
        QSKIP("openssl CLI not installed");
    QTemporaryDir dir;
    const CertificateAuthority ca = makeCa();
    QString error;
    const auto server = ca.issueServer(u"s"_s, {u"localhost"_s}, {u"127.0.0.1"_s}, &error);
    const auto client = ca.issueClient(u"c"_s, {u"g"_s}, &error);
    const QString caFile = dir.filePath(u"ca.crt"_s);
    const QString serverFile = dir.filePath(u"server.crt"_s);
    const QString clientFile = dir.filePath(u"client.crt"_s);
    QVERIFY(writeFile(caFile, ca.certificatePem()) && writeFile(serverFile, server.certificatePem) &&
            writeFile(clientFile, client.certificatePem));
    const QStringList base{u"verify"_s, u"-CAfile"_s, caFile};
    QVERIFY(!runProgram(openssl, base + QStringList{u"-purpose"_s, u"sslserver"_s, u"-verify_ip"_s,
                                                    u"127.0.0.1"_s, serverFile})
                 .isNull());
    QVERIFY(!runProgram(openssl, base + QStringList{u"-purpose"_s, u"sslclient"_s, clientFile}).isNull());
    // The server certificate is not for clients, nor for another IP.
    QVERIFY(runProgram(openssl, base + QStringList{u"-purpose"_s, u"sslclient"_s, serverFile}).isNull());
    QVERIFY(runProgram(openssl, base + QStringList{u"-verify_ip"_s, u"10.1.1.1"_s, serverFile}).isNull());
}

void TestCerts::kubeconfigShape()
{
    QTemporaryDir dir;
    const CertificateAuthority ca = makeCa();
    const KubeconfigSpec spec = sampleSpec(ca, dir.filePath(u"exec-plugin.sh"_s));
    const QString path = dir.filePath(u"kubeconfig"_s);
    QString error;
    QVERIFY2(tdkube::sandbox::writeKubeconfig(path, spec, &error), qPrintable(error));
    QCOMPARE(unixMode(path), 0600);

    const QString yaml = QString::fromUtf8(readFile(path));
    QVERIFY(yaml.contains(u"\napiVersion: v1\n"_s));
    QVERIFY(yaml.contains(u"\nkind: Config\n"_s));
    QVERIFY(yaml.contains(u"\ncurrent-context: sandbox-admin\n"_s));
    for (const QString &name : {u"sandbox-admin"_s, u"sandbox-viewer"_s, u"sandbox-exec"_s})
        QVERIFY(yaml.contains(u"  - name: "_s + name + u"\n    context:\n"_s));
    QCOMPARE(yaml.count(u"namespace: \"tdengine-test\""_s), 3);
    QCOMPARE(yamlValue(yaml, u"server"_s), u"\"https://127.0.0.1:6443\""_s);
    QCOMPARE(QByteArray::fromBase64(yamlValue(yaml, u"certificate-authority-data"_s).toLatin1()),
             ca.certificatePem());
    QCOMPARE(QByteArray::fromBase64(yamlValue(yaml, u"client-certificate-data"_s).toLatin1()),
             spec.adminCertPem);
    QVERIFY(QByteArray::fromBase64(yamlValue(yaml, u"client-key-data"_s).toLatin1()) == spec.adminKeyPem);
    QCOMPARE(yamlValue(yaml, u"apiVersion"_s), u"v1"_s);
    QVERIFY(yaml.contains(u"apiVersion: client.authentication.k8s.io/v1\n"_s));
    QCOMPARE(yamlValue(yaml, u"interactiveMode"_s), u"Never"_s);
    QVERIFY(!yamlValue(yaml, u"installHint"_s).isEmpty());
    QCOMPARE(yamlValue(yaml, u"command"_s), u'"' + spec.execPluginPath + u'"');
    // Each value stays on its own line despite the quotes and backslash in the token.
    QVERIFY(yamlValue(yaml, u"token"_s) == u"\"viewer-token: #1 \\\"quoted\\\" \\\\ end\""_s);
}

void TestCerts::kubeconfigFailsForMissingDirectory()
{
    QTemporaryDir dir;
    QString error;
    const QString path = dir.filePath(u"missing/sub/kubeconfig"_s);
    QVERIFY(!tdkube::sandbox::writeKubeconfig(path, KubeconfigSpec{}, &error));
    QVERIFY(error.contains(path));
    error.clear();
    QVERIFY(!tdkube::sandbox::writeExecPlugin(path, u"t"_s, 60, &error));
    QVERIFY(!error.isEmpty());
}

void TestCerts::execPluginPrintsCredential()
{
    QTemporaryDir dir;
    const QString plugin = dir.filePath(u"exec-plugin.sh"_s);
    const QString token = u"exec-token-'quote'-%s-\"dq\"-\\"_s;
    QString error;
    QVERIFY2(tdkube::sandbox::writeExecPlugin(plugin, token, 600, &error), qPrintable(error));
    QCOMPARE(unixMode(plugin), 0700);

    for (int run = 1; run <= 2; ++run) {
        QString stderrText;
        const QByteArray out = runProgram(plugin, {}, &stderrText);
        QVERIFY2(!out.isNull(), qPrintable(stderrText));
        QJsonParseError parseError;
        const QJsonObject credential = QJsonDocument::fromJson(out, &parseError).object();
        QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(parseError.errorString()));
        QCOMPARE(credential.value(u"apiVersion"_s).toString(), u"client.authentication.k8s.io/v1"_s);
        QCOMPARE(credential.value(u"kind"_s).toString(), u"ExecCredential"_s);
        const QJsonObject status = credential.value(u"status"_s).toObject();
        QVERIFY(status.value(u"token"_s).toString() == token);
        const QString expiry = status.value(u"expirationTimestamp"_s).toString();
        QVERIFY(expiry.endsWith(u'Z'));
        const QDateTime expires = QDateTime::fromString(expiry, Qt::ISODate);
        QVERIFY(expires.isValid());
        const qint64 remaining = QDateTime::currentDateTimeUtc().secsTo(expires);
        QVERIFY2(remaining > 590 && remaining <= 601, qPrintable(QString::number(remaining)));
        const QByteArray calls = readFile(plugin + u".calls"_s);
        QCOMPARE(calls.count('\n'), run);
    }
}

void TestCerts::kubectlReadsKubeconfig()
{
    const QString kubectl = QStandardPaths::findExecutable(u"kubectl"_s);
    if (kubectl.isEmpty())
        QSKIP("kubectl not on PATH");
    QTemporaryDir dir;
    const CertificateAuthority ca = makeCa();
    const KubeconfigSpec spec = sampleSpec(ca, dir.filePath(u"exec-plugin.sh"_s));
    const QString path = dir.filePath(u"kubeconfig"_s);
    QString error;
    QVERIFY2(tdkube::sandbox::writeKubeconfig(path, spec, &error), qPrintable(error));

    const QStringList config{u"config"_s, u"--kubeconfig"_s, path};
    QString stderrText;
    const QByteArray names = runProgram(
        kubectl, config + QStringList{u"view"_s, u"-o"_s, u"jsonpath={.contexts[*].name}"_s}, &stderrText);
    QVERIFY2(!names.isNull(), qPrintable(stderrText));
    // kubectl sorts by name.
    QCOMPARE(names.trimmed(), QByteArray("sandbox-admin sandbox-exec sandbox-viewer"));

    const QByteArray contexts = runProgram(kubectl, config + QStringList{u"get-contexts"_s}, &stderrText);
    QVERIFY2(!contexts.isNull(), qPrintable(stderrText));
    for (const char *name : {"sandbox-admin", "sandbox-viewer", "sandbox-exec"})
        QVERIFY(contexts.contains(name));
    QVERIFY(contexts.contains("tdengine-test"));

    QCOMPARE(runProgram(kubectl, config + QStringList{u"current-context"_s}).trimmed(),
             QByteArray("sandbox-admin"));
    const QByteArray exec = runProgram(
        kubectl, config + QStringList{u"view"_s, u"-o"_s,
                                      u"jsonpath={.users[?(@.name==\"sandbox-exec\")].user.exec.command}"_s});
    QCOMPARE(QString::fromUtf8(exec.trimmed()), spec.execPluginPath);
    // --raw so the token is not redacted; compared, never printed.
    const QByteArray token = runProgram(
        kubectl, config + QStringList{u"view"_s, u"--raw"_s, u"-o"_s,
                                      u"jsonpath={.users[?(@.name==\"sandbox-viewer\")].user.token}"_s});
    QVERIFY(QString::fromUtf8(token) == spec.viewerToken);
    const QByteArray caData = runProgram(
        kubectl, config + QStringList{u"view"_s, u"--raw"_s, u"-o"_s,
                                      u"jsonpath={.clusters[0].cluster.certificate-authority-data}"_s});
    QCOMPARE(QByteArray::fromBase64(caData.trimmed()), ca.certificatePem());
}

void TestCerts::kubectlAuthenticatesWithEachContext()
{
    const QString kubectl = QStandardPaths::findExecutable(u"kubectl"_s);
    if (kubectl.isEmpty())
        QSKIP("kubectl not on PATH");
    QTemporaryDir dir;
    const CertificateAuthority ca = makeCa();
    QString error;
    const auto serving = ca.issueServer(u"sandbox-apiserver"_s, {u"localhost"_s}, {u"127.0.0.1"_s}, &error);
    RecordingServer server;
    QVERIFY(server.listen(ca, serving));
    KubeconfigSpec spec = sampleSpec(ca, dir.filePath(u"exec-plugin.sh"_s));
    spec.server = server.url();
    const QString path = dir.filePath(u"kubeconfig"_s);
    const QString execToken = u"exec-token-value"_s;
    QVERIFY2(tdkube::sandbox::writeKubeconfig(path, spec, &error), qPrintable(error));
    QVERIFY2(tdkube::sandbox::writeExecPlugin(spec.execPluginPath, execToken, 600, &error),
             qPrintable(error));

    // kubectl may first probe /version?timeout=5s, so every request of a run is checked.
    const auto run = [&](const QString &context) {
        const qsizetype before = server.requests.size();
        QString stderrText;
        const QStringList arguments{u"--kubeconfig"_s, path,       u"--context"_s, context,
                                    u"get"_s,          u"--raw"_s, u"/version"_s};
        if (!runKubectlAsync(kubectl, arguments, &stderrText))
            qWarning("kubectl failed: %s", qPrintable(stderrText));
        return server.requests.mid(before);
    };
    // sandbox-admin: the client certificate, no token.
    const QList<RecordedRequest> admin = run(u"sandbox-admin"_s);
    QVERIFY(!admin.isEmpty());
    QVERIFY(admin.last().head.startsWith("GET /version HTTP/1.1\r\n"));
    for (const RecordedRequest &request : admin) {
        QCOMPARE(request.clientCertificate.subjectInfo(QSslCertificate::CommonName),
                 QStringList{u"sandbox-admin"_s});
        QVERIFY(!request.head.contains("Authorization:"));
    }
    // sandbox-viewer: the bearer token, exactly (compared, never printed).
    const QList<RecordedRequest> viewer = run(u"sandbox-viewer"_s);
    QVERIFY(!viewer.isEmpty());
    for (const RecordedRequest &request : viewer)
        QVERIFY(request.head.contains(bearerHeader(spec.viewerToken)));
    // sandbox-exec: kubectl runs the plugin (once per REST client it builds; the version probe has its
    // own) and sends its token.
    const QList<RecordedRequest> exec = run(u"sandbox-exec"_s);
    QVERIFY(!exec.isEmpty());
    for (const RecordedRequest &request : exec)
        QVERIFY(request.head.contains(bearerHeader(execToken)));
    const qsizetype calls = readFile(spec.execPluginPath + u".calls"_s).count('\n');
    QVERIFY(calls >= 1 && calls <= exec.size());
}

QTEST_GUILESS_MAIN(TestCerts)
#include "tst_certs.moc"
