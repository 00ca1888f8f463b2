// KubeClient against the in-process sandbox over real HTTPS: verbs, Status errors a person reads,
// TLS verification, the ways of authenticating, timeouts and cancellation.
#include "certs.h"
#include "sandboxfixture.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtEndian>

using namespace Qt::StringLiterals;
using namespace tdkube::kube;
using namespace tdkube::kube::test;

namespace {

// Hands out a wrong token first; after invalidate() the right one, counting how often it was asked.
class FakeCredentials final : public CredentialSource
{
public:
    FakeCredentials(QString wrong, QString right)
        : m_wrong(std::move(wrong))
        , m_right(std::move(right))
    {
    }
    void request(Done done) override
    {
        ++requests;
        Credential credential{m_invalidated ? m_right : m_wrong, {}, {}, {}};
        if (credential.token.isEmpty()) {
            credential.clientCertificatePem = certificatePem;
            credential.clientKeyPem = keyPem;
        }
        QMetaObject::invokeMethod(
            this, [done, credential] { done(credential, {}); }, Qt::QueuedConnection);
    }
    void invalidate() override
    {
        ++invalidations;
        m_invalidated = true;
    }
    QString describe() const override { return u"fake credentials"_s; }

    int requests = 0;
    int invalidations = 0;
    QByteArray certificatePem; // handed out instead of an empty token
    QByteArray keyPem;

private:
    QString m_wrong;
    QString m_right;
    bool m_invalidated = false;
};

// An HTTP proxy as corporate networks have them: CONNECT host:port, then bytes both ways. With
// `credentials` set ("user:password") it answers 407 to a CONNECT without them; given a certificate
// and key it speaks TLS (an https:// proxy-url).
class ConnectProxy final : public QObject
{
public:
    explicit ConnectProxy(const QByteArray &certificatePem = {}, const QByteArray &keyPem = {})
    {
        if (certificatePem.isEmpty()) {
            m_server = std::make_unique<QTcpServer>();
        } else {
            auto tlsServer = std::make_unique<QSslServer>();
            QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
            tls.setLocalCertificate(QSslCertificate(certificatePem, QSsl::Pem));
            tls.setPrivateKey(QSslKey(keyPem, QSsl::Ec, QSsl::Pem));
            tls.setPeerVerifyMode(QSslSocket::VerifyNone);
            tlsServer->setSslConfiguration(tls);
            m_server = std::move(tlsServer);
        }
        m_server->listen(QHostAddress::LocalHost);
        // After the TLS handshake, for the TLS server.
        connect(m_server.get(), &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *client = m_server->nextPendingConnection())
                accept(client);
        });
    }
    quint16 port() const { return m_server->serverPort(); }

    QByteArray credentials;
    QList<QByteArray> requestLines;
    QList<QByteArray> authorizations;
    int tunnels = 0;

private:
    void accept(QTcpSocket *client)
    {
        auto head = std::make_shared<QByteArray>();
        connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        connect(client, &QTcpSocket::readyRead, this, [this, client, head] {
            if (client->property("tunnel").toBool())
                return;
            *head += client->readAll();
            const qsizetype end = head->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QList<QByteArray> lines = head->left(end).split('\n');
            const QByteArray rest = head->mid(end + 4);
            requestLines.append(lines.first().trimmed());
            QByteArray authorization;
            for (const QByteArray &line : lines) {
                if (line.toLower().startsWith("proxy-authorization:"))
                    authorization = line.mid(20).trimmed();
            }
            authorizations.append(authorization);
            const QList<QByteArray> words = lines.first().split(' ');
            if (words.size() < 2 || words.at(0) != "CONNECT") {
                client->write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
                client->disconnectFromHost();
                return;
            }
            if (!credentials.isEmpty() && authorization != "Basic " + credentials.toBase64()) {
                head->clear();
                client->write("HTTP/1.1 407 Proxy Authentication Required\r\n"
                              "Proxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n");
                return;
            }
            tunnel(client, words.at(1), rest);
        });
    }
    void tunnel(QTcpSocket *client, const QByteArray &target, const QByteArray &early)
    {
        client->setProperty("tunnel", true);
        ++tunnels;
        auto *upstream = new QTcpSocket(client);
        const qsizetype colon = target.lastIndexOf(':');
        connect(upstream, &QTcpSocket::connected, client, [client, upstream, early] {
            client->write("HTTP/1.1 200 Connection established\r\n\r\n");
            if (!early.isEmpty())
                upstream->write(early);
            if (client->bytesAvailable() > 0)
                upstream->write(client->readAll());
            connect(client, &QTcpSocket::readyRead, upstream,
                    [client, upstream] { upstream->write(client->readAll()); });
        });
        connect(upstream, &QTcpSocket::readyRead, client,
                [client, upstream] { client->write(upstream->readAll()); });
        connect(upstream, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
        connect(client, &QTcpSocket::disconnected, upstream, &QTcpSocket::disconnectFromHost);
        upstream->connectToHost(QString::fromLatin1(target.left(colon)),
                                quint16(target.mid(colon + 1).toUInt()));
    }

    std::unique_ptr<QTcpServer> m_server;
};

// A SOCKS5 proxy (RFC 1928), no authentication, CONNECT only: what `ssh -D` gives.
class Socks5Proxy final : public QObject
{
public:
    Socks5Proxy()
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *client = m_server.nextPendingConnection())
                accept(client);
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    QStringList targets; // "host:port" of each CONNECT

private:
    void accept(QTcpSocket *client)
    {
        auto buffer = std::make_shared<QByteArray>();
        auto *upstream = new QTcpSocket(client);
        connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        connect(client, &QTcpSocket::readyRead, this, [this, client, upstream, buffer] {
            if (upstream->state() == QAbstractSocket::ConnectedState) {
                upstream->write(client->readAll());
                return;
            }
            *buffer += client->readAll();
            // Greeting: VER 5, NMETHODS, METHODS; we choose "no authentication".
            if (!client->property("greeted").toBool()) {
                if (buffer->size() < 2 || buffer->size() < 2 + quint8(buffer->at(1)))
                    return;
                buffer->remove(0, 2 + quint8(buffer->at(1)));
                client->setProperty("greeted", true);
                client->write(QByteArray("\x05\x00", 2));
            }
            // Request: VER 5, CMD 1 (CONNECT), RSV, ATYP (1 IPv4, 3 name), address, port.
            if (buffer->size() < 5)
                return;
            const quint8 type = quint8(buffer->at(3));
            const qsizetype addressLength = type == 1 ? 4 : type == 3 ? 1 + quint8(buffer->at(4)) : 16;
            if (buffer->size() < 4 + addressLength + 2)
                return;
            const QString host =
                type == 1   ? QHostAddress(qFromBigEndian<quint32>(buffer->constData() + 4)).toString()
                : type == 3 ? QString::fromLatin1(buffer->mid(5, addressLength - 1))
                            : QString();
            const quint16 port = qFromBigEndian<quint16>(buffer->constData() + 4 + addressLength);
            buffer->remove(0, 4 + addressLength + 2);
            targets.append(host + u':' + QString::number(port));
            connect(upstream, &QTcpSocket::connected, client, [client, upstream, buffer] {
                client->write(QByteArray("\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10));
                if (!buffer->isEmpty())
                    upstream->write(*buffer);
            });
            connect(upstream, &QTcpSocket::readyRead, client,
                    [client, upstream] { client->write(upstream->readAll()); });
            connect(upstream, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
            upstream->connectToHost(host, port);
        });
    }

    QTcpServer m_server;
};

QJsonObject statefulSet(const QString &name)
{
    const QJsonObject labels{{u"app"_s, name}};
    const QJsonObject container{{u"name"_s, u"app"_s}, {u"image"_s, u"busybox:1.36"_s}};
    return {{u"apiVersion"_s, u"apps/v1"_s},
            {u"kind"_s, u"StatefulSet"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, name}}},
            {u"spec"_s,
             QJsonObject{{u"replicas"_s, 1},
                         {u"serviceName"_s, name},
                         {u"selector"_s, QJsonObject{{u"matchLabels"_s, labels}}},
                         {u"template"_s,
                          QJsonObject{{u"metadata"_s, QJsonObject{{u"labels"_s, labels}}},
                                      {u"spec"_s, QJsonObject{{u"containers"_s, QJsonArray{container}}}}}}}}};
}

QByteArray applyYaml(const QString &name, const QString &value)
{
    return u"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %1\ndata:\n  key: \"%2\"\n"_s
        .arg(name, value)
        .toUtf8();
}

QString fieldOf(const KubeResponse &response, const QString &dottedPath)
{
    QJsonValue current = response.json();
    for (const QString &part : dottedPath.split(u'.'))
        current = current.toObject().value(part);
    return current.isDouble() ? QString::number(current.toInt()) : current.toString();
}

} // namespace

class tst_KubeClient : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void verbs_createGetListPatchRemove_clusterHoldsTheChanges();
    void apply_dryRunThenConflictThenForce_conflictNamesTheCauses();
    void scale_statefulSet_specReplicasChanges();
    void errors_notFoundAndViewerWrites_serverMessageInError();
    void tls_wrongCertificateAuthority_errorNamesCertificateAndReason();
    void tokenFile_changedBetweenRequests_reReadEveryTime();
    void credentialSource_unauthorized_invalidatedAndRetriedOnce();
    void headers_userAgentAndPlusInQuery_seenByServer();
    void network_connectionRefused_clearError();
    void network_silentServer_timeoutError();
    void streams_manyOpenWatches_requestsStillAnswered();
    void podLogs_followedPodDeletedOrMissing_streamEnds();
    void tls_insecureSkipVerifyWithoutCa_connects();
    void tls_serverName_verifiedAgainstThatName();
    void tls_serverNameForWebSockets_onlyAHostNameMismatchTheCertificateExplains_data();
    void tls_serverNameForWebSockets_onlyAHostNameMismatchTheCertificateExplains();
    void proxy_httpConnect_tunnelsTlsToTheServer();
    void proxy_wantsCredentials_sentFromTheProxyUrl();
    void proxy_https_tlsToTheProxyVerifiedAsKubectlDoes();
    void proxy_socks5_tunnelsTheRequests();
    void cancelAll_inFlight_callbacksSeeCancelled();
    void destroyed_clientOrContext_noCallback();
    void transient_5xxBurst_readsAndScaleSentAgain_otherWritesFailAtOnce();

private:
    KubeResponse get(KubeClient *client, const ResourceKind &kind, const QString &ns, const QString &name)
    {
        return await(
            [&](QObject *context, KubeClient::Done done) { client->get(kind, ns, name, context, done); });
    }

    SandboxFixture m_fixture;
    std::unique_ptr<KubeClient> m_admin;
};

void tst_KubeClient::initTestCase()
{
    QVERIFY(m_fixture.start(u"access.log"_s));
    m_admin = std::make_unique<KubeClient>(m_fixture.admin());
    QVERIFY(createNamespace(m_admin.get(), u"kc"_s));
}

void tst_KubeClient::verbs_createGetListPatchRemove_clusterHoldsTheChanges()
{
    KubeClient *client = m_admin.get();
    const ResourceKind cm = ResourceKind::configMaps();
    for (const QString &name : {u"one"_s, u"two"_s}) {
        const KubeResponse created = await([&](QObject *context, KubeClient::Done done) {
            client->create(cm, u"kc"_s, configMap(name, u"v"_s), context, done);
        });
        QCOMPARE(created.httpStatus, 201);
    }
    QCOMPARE(fieldOf(get(client, cm, u"kc"_s, u"one"_s), u"data.key"_s), u"v"_s);

    ListOptions options;
    options.limit = 1;
    const KubeResponse page = await(
        [&](QObject *context, KubeClient::Done done) { client->list(cm, u"kc"_s, options, context, done); });
    QCOMPARE(page.json().value(u"items").toArray().size(), 1);
    QVERIFY(!fieldOf(page, u"metadata.continue"_s).isEmpty());

    const KubeResponse patched = await([&](QObject *context, KubeClient::Done done) {
        client->patch(cm, u"kc"_s, u"one"_s, R"({"data":{"key":"patched"}})", "application/merge-patch+json",
                      context, done);
    });
    QCOMPARE(patched.httpStatus, 200);
    QCOMPARE(fieldOf(get(client, cm, u"kc"_s, u"one"_s), u"data.key"_s), u"patched"_s);

    const KubeResponse removed = await([&](QObject *context, KubeClient::Done done) {
        client->remove(cm, u"kc"_s, u"two"_s, u"Background"_s, context, done);
    });
    QCOMPARE(removed.httpStatus, 200);
    QCOMPARE(get(client, cm, u"kc"_s, u"two"_s).httpStatus, 404);
}

void tst_KubeClient::apply_dryRunThenConflictThenForce_conflictNamesTheCauses()
{
    KubeClient *client = m_admin.get();
    const ResourceKind cm = ResourceKind::configMaps();
    const auto apply = [&](const QString &value, bool dryRun, bool force) {
        return await([&](QObject *context, KubeClient::Done done) {
            client->apply(cm, u"kc"_s, u"applied"_s, applyYaml(u"applied"_s, value), dryRun, force, context,
                          done);
        });
    };
    QCOMPARE(apply(u"preview"_s, true, false).httpStatus, 201);
    QCOMPARE(get(client, cm, u"kc"_s, u"applied"_s).httpStatus, 404); // a dry run stores nothing

    QCOMPARE(apply(u"mine"_s, false, false).httpStatus, 201);
    KubeRequest other;
    other.verb = "PATCH";
    other.path = cm.path(u"kc"_s, u"applied"_s);
    other.contentType = "application/apply-patch+yaml";
    other.body = applyYaml(u"applied"_s, u"theirs"_s);
    other.query.addQueryItem(u"fieldManager"_s, u"someone-else"_s);
    other.query.addQueryItem(u"force"_s, u"true"_s);
    QCOMPARE(await([&](QObject *context, KubeClient::Done done) {
                 client->send(other, context, done);
             }).httpStatus,
             200);

    const KubeResponse conflict = apply(u"mine again"_s, false, false);
    QCOMPARE(conflict.httpStatus, 409);
    QCOMPARE(conflict.status.reason, u"Conflict"_s);
    QVERIFY(!conflict.status.causes.isEmpty());
    QVERIFY2(conflict.error.contains(u"someone-else"_s) && conflict.error.contains(u"key"_s),
             qPrintable(conflict.error));

    QCOMPARE(apply(u"mine again"_s, false, true).httpStatus, 200);
    QCOMPARE(fieldOf(get(client, cm, u"kc"_s, u"applied"_s), u"data.key"_s), u"mine again"_s);
}

void tst_KubeClient::scale_statefulSet_specReplicasChanges()
{
    KubeClient *client = m_admin.get();
    const ResourceKind sts = ResourceKind::statefulSets();
    const KubeResponse created = await([&](QObject *context, KubeClient::Done done) {
        client->create(sts, u"kc"_s, statefulSet(u"db"_s), context, done);
    });
    QVERIFY2(created.httpStatus == 201, qPrintable(created.error));
    const KubeResponse scaled = await(
        [&](QObject *context, KubeClient::Done done) { client->scale(u"kc"_s, u"db"_s, 3, context, done); });
    QVERIFY2(scaled.ok(), qPrintable(scaled.error));
    QCOMPARE(fieldOf(get(client, sts, u"kc"_s, u"db"_s), u"spec.replicas"_s), u"3"_s);
}

void tst_KubeClient::errors_notFoundAndViewerWrites_serverMessageInError()
{
    const KubeResponse missing = get(m_admin.get(), ResourceKind::configMaps(), u"kc"_s, u"nothing-here"_s);
    QCOMPARE(missing.httpStatus, 404);
    QCOMPARE(missing.status.reason, u"NotFound"_s);
    QVERIFY2(missing.error.contains(u"\"nothing-here\" not found"_s), qPrintable(missing.error));

    KubeClient viewer(m_fixture.viewer());
    QCOMPARE(get(&viewer, ResourceKind::namespaces(), {}, u"kc"_s).httpStatus, 200);
    const KubeResponse forbidden = await([&](QObject *context, KubeClient::Done done) {
        viewer.create(ResourceKind::configMaps(), u"kc"_s, configMap(u"nope"_s, u"v"_s), context, done);
    });
    QCOMPARE(forbidden.httpStatus, 403);
    QVERIFY2(forbidden.error.contains(u"sandbox-viewer"_s) && forbidden.error.contains(u"forbidden"_s),
             qPrintable(forbidden.error));
}

void tst_KubeClient::tls_wrongCertificateAuthority_errorNamesCertificateAndReason()
{
    ConnectionSettings settings = m_fixture.admin();
    settings.certificateAuthorityPem = m_fixture.adminCertificatePem(); // a certificate, but not the CA
    KubeClient client(settings);
    const KubeResponse response = get(&client, ResourceKind::namespaces(), {}, u"kc"_s);
    QCOMPARE(response.httpStatus, 0);
    QVERIFY2(response.error.contains(u"CN="_s) && response.error.contains(u"issued by"_s),
             qPrintable(response.error));
    QVERIFY2(response.error.contains(u"certificate-authority-data of cluster sandbox"_s),
             qPrintable(response.error));
    QVERIFY2(response.error.contains(u"insecure-skip-tls-verify"_s), qPrintable(response.error));
}

// An API server answering 503 for a moment (restarting, overloaded, a load balancer failing over):
// a read and a scale are sent again after 0.25, 0.5 and 1 s and succeed; a create, which could have
// been done before the answer was lost, fails at once; a server that keeps failing is reported after
// the third retry, with its own words.
void tst_KubeClient::transient_5xxBurst_readsAndScaleSentAgain_otherWritesFailAtOnce()
{
    const auto fail = [this](int requests) {
        return control(m_admin.get(), u"faults"_s, {{u"failRequests"_s, requests}, {u"failCode"_s, 503}})
            .ok();
    };
    QVERIFY(fail(3));
    QCOMPARE(get(m_admin.get(), ResourceKind::namespaces(), {}, u"kc"_s).httpStatus, 200);
    const KubeResponse created0 = await([&](QObject *context, KubeClient::Done done) {
        m_admin->create(ResourceKind::statefulSets(), u"kc"_s, statefulSet(u"transient"_s), context, done);
    });
    QVERIFY2(created0.httpStatus == 201, qPrintable(created0.error));
    QVERIFY(fail(2));
    const KubeResponse scaled = await([&](QObject *context, KubeClient::Done done) {
        m_admin->scale(u"kc"_s, u"transient"_s, 2, context, done);
    });
    QVERIFY2(scaled.ok(), qPrintable(scaled.error));
    QCOMPARE(fieldOf(get(m_admin.get(), ResourceKind::statefulSets(), u"kc"_s, u"transient"_s),
                     u"spec.replicas"_s),
             u"2"_s);

    QVERIFY(fail(1));
    const QJsonObject map = configMap(u"transient"_s, u"v"_s);
    const KubeResponse created = await([&](QObject *context, KubeClient::Done done) {
        m_admin->create(ResourceKind::configMaps(), u"kc"_s, map, context, done);
    });
    QVERIFY2(created.httpStatus == 503, qPrintable(created.error));

    QVERIFY(fail(4));
    QElapsedTimer clock;
    clock.start();
    const KubeResponse down = get(m_admin.get(), ResourceKind::namespaces(), {}, u"kc"_s);
    QCOMPARE(down.httpStatus, 503);
    QVERIFY2(clock.elapsed() >= 1750, qPrintable(QString::number(clock.elapsed())));
    QVERIFY2(down.error.contains(u"injected fault"_s), qPrintable(down.error));
    QVERIFY(fail(0));
}

void tst_KubeClient::tokenFile_changedBetweenRequests_reReadEveryTime()
{
    ConnectionSettings settings = m_fixture.anonymous();
    settings.tokenFile = m_fixture.path(u"token"_s);
    KubeClient client(settings);
    const auto writeToken = [&](const QString &token) {
        QFile file(settings.tokenFile);
        return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(token.toUtf8() + '\n') > 0;
    };

    const KubeResponse unreadable = get(&client, ResourceKind::namespaces(), {}, u"kc"_s);
    QCOMPARE(unreadable.httpStatus, 0);
    QVERIFY2(unreadable.error.contains(settings.tokenFile), qPrintable(unreadable.error));

    QVERIFY(writeToken(u"not-the-token"_s));
    const KubeResponse wrong = get(&client, ResourceKind::namespaces(), {}, u"kc"_s);
    QCOMPARE(wrong.httpStatus, 401);
    QVERIFY(!wrong.error.isEmpty());

    QVERIFY(writeToken(m_fixture.viewerToken()));
    QCOMPARE(get(&client, ResourceKind::namespaces(), {}, u"kc"_s).httpStatus, 200);
}

void tst_KubeClient::credentialSource_unauthorized_invalidatedAndRetriedOnce()
{
    ConnectionSettings settings = m_fixture.anonymous();
    auto credentials = std::make_shared<FakeCredentials>(u"expired-token"_s, m_fixture.viewerToken());
    settings.credentials = credentials;
    KubeClient client(settings);
    const KubeResponse response = get(&client, ResourceKind::namespaces(), {}, u"kc"_s);
    QVERIFY2(response.ok(), qPrintable(response.error));
    QCOMPARE(credentials->invalidations, 1);
    QCOMPARE(credentials->requests, 2);

    // Still wrong after the retry: the 401 comes back, and no third attempt.
    auto alwaysWrong = std::make_shared<FakeCredentials>(u"wrong"_s, u"still-wrong"_s);
    settings.credentials = alwaysWrong;
    KubeClient stubborn(settings);
    QCOMPARE(get(&stubborn, ResourceKind::namespaces(), {}, u"kc"_s).httpStatus, 401);
    QCOMPARE(alwaysWrong->requests, 2);

    // An exec plugin may answer with a client certificate instead of a token.
    auto certificate = std::make_shared<FakeCredentials>(QString(), QString());
    certificate->certificatePem = m_fixture.adminCertificatePem();
    certificate->keyPem = m_fixture.adminKeyPem();
    settings.credentials = certificate;
    KubeClient withCertificate(settings);
    const KubeResponse created = await([&](QObject *context, KubeClient::Done done) {
        withCertificate.create(ResourceKind::configMaps(), u"kc"_s, configMap(u"by-plugin"_s, u"v"_s),
                               context, done);
    });
    QVERIFY2(created.httpStatus == 201, qPrintable(created.error));
    QCOMPARE(certificate->invalidations, 0);
}

void tst_KubeClient::headers_userAgentAndPlusInQuery_seenByServer()
{
    KubeRequest request;
    request.path = u"/version"_s;
    request.query.addQueryItem(u"probe"_s, u"a+b c"_s);
    QVERIFY(
        await([&](QObject *context, KubeClient::Done done) { m_admin->send(request, context, done); }).ok());
    QFile log(m_fixture.path(u"access.log"_s));
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QByteArray lines = log.readAll();
    QVERIFY2(lines.contains("GET /version?probe=a%2Bb%20c 200"), lines.right(400).constData());
    QVERIFY(KubeClient::userAgent().startsWith("tdkube/" TDKUBE_VERSION " ("));
    QVERIFY2(lines.contains(QByteArray("\"" + KubeClient::userAgent() + "\"")), lines.right(400).constData());
}

void tst_KubeClient::network_connectionRefused_clearError()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 port = closed.serverPort();
    closed.close();
    ConnectionSettings settings = m_fixture.admin();
    settings.server = QUrl(u"https://127.0.0.1:%1"_s.arg(port));
    KubeClient client(settings);
    const KubeResponse response = get(&client, ResourceKind::namespaces(), {}, u"kc"_s);
    QCOMPARE(response.httpStatus, 0);
    QVERIFY2(response.error.contains(u"refused"_s) &&
                 response.error.contains(settings.server.toDisplayString()),
             qPrintable(response.error));
}

void tst_KubeClient::network_silentServer_timeoutError()
{
    QTcpServer blackhole; // accepts and never answers, not even the TLS handshake
    QVERIFY(blackhole.listen(QHostAddress::LocalHost));
    ConnectionSettings settings = m_fixture.admin();
    settings.server = QUrl(u"https://127.0.0.1:%1"_s.arg(blackhole.serverPort()));
    KubeClient client(settings);
    KubeRequest request;
    request.path = u"/version"_s;
    request.timeoutMs = 300;
    const KubeResponse response =
        await([&](QObject *context, KubeClient::Done done) { client.send(request, context, done); });
    QCOMPARE(response.httpStatus, 0);
    QVERIFY(!response.cancelled);
    QVERIFY2(response.error.contains(u"did not answer within 0.3 seconds"_s), qPrintable(response.error));

    // The sandbox itself slowed down by a fault: same story.
    QVERIFY(control(m_admin.get(), u"faults"_s, {{u"delayMs"_s, 1500}}).ok());
    const KubeResponse slow =
        await([&](QObject *context, KubeClient::Done done) { m_admin->send(request, context, done); });
    QVERIFY(control(m_admin.get(), u"faults"_s, {{u"delayMs"_s, 0}}).ok());
    QCOMPARE(slow.httpStatus, 0);
    QVERIFY2(slow.error.contains(u"did not answer"_s), qPrintable(slow.error));
}

void tst_KubeClient::streams_manyOpenWatches_requestsStillAnswered()
{
    // An HTTP/1.1 server gets one connection per request; a stream holds its own for minutes.
    QObject owner;
    QList<KubeStream *> streams;
    for (int i = 0; i < 10; ++i) {
        KubeRequest watch;
        watch.path = ResourceKind::namespaces().path();
        watch.query.addQueryItem(u"watch"_s, u"1"_s);
        watch.timeoutMs = 0;
        streams << m_admin->openStream(watch, &owner);
    }
    QSignalSpy lastOpened(streams.last(), &KubeStream::opened);
    QVERIFY(lastOpened.wait(kWaitMs));
    QElapsedTimer timer;
    timer.start();
    QVERIFY(get(m_admin.get(), ResourceKind::namespaces(), {}, u"kc"_s).ok());
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
}

void tst_KubeClient::podLogs_followedPodDeletedOrMissing_streamEnds()
{
    QVERIFY(control(m_admin.get(), u"preload"_s, {{u"pods"_s, 1}, {u"namespace"_s, u"logs"_s}}).ok());
    const KubeResponse pods = await([&](QObject *context, KubeClient::Done done) {
        m_admin->list(ResourceKind::pods(), u"logs"_s, {}, context, done);
    });
    const QString pod = pods.json()
                            .value(u"items")
                            .toArray()
                            .first()
                            .toObject()
                            .value(u"metadata")
                            .toObject()
                            .value(u"name")
                            .toString();
    QVERIFY(!pod.isEmpty());

    QObject owner;
    LogOptions options;
    options.follow = true;
    options.timestamps = true;
    options.tailLines = 10;
    KubeStream *logs = m_admin->podLogs(u"logs"_s, pod, options, &owner);
    QSignalSpy opened(logs, &KubeStream::opened);
    QSignalSpy finished(logs, &KubeStream::finished);
    QVERIFY(opened.wait(kWaitMs));
    QCOMPARE(logs->httpStatus(), 200);
    QVERIFY(await([&](QObject *context, KubeClient::Done done) {
                m_admin->remove(ResourceKind::pods(), u"logs"_s, pod, {}, context, done);
            }).ok());
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kWaitMs);
    QVERIFY(finished.first().first().value<KubeResponse>().ok());

    KubeStream *missing = m_admin->podLogs(u"logs"_s, u"no-such-pod"_s, {}, &owner);
    QSignalSpy missingFinished(missing, &KubeStream::finished);
    QVERIFY(missingFinished.wait(kWaitMs));
    const auto response = missingFinished.first().first().value<KubeResponse>();
    QCOMPARE(response.httpStatus, 404);
    QVERIFY2(response.error.contains(u"\"no-such-pod\" not found"_s), qPrintable(response.error));
}

void tst_KubeClient::tls_insecureSkipVerifyWithoutCa_connects()
{
    ConnectionSettings settings = m_fixture.admin();
    settings.certificateAuthorityPem.clear();
    settings.insecureSkipTlsVerify = true;
    KubeClient client(settings);
    QVERIFY(get(&client, ResourceKind::namespaces(), {}, u"kc"_s).ok());

    settings.insecureSkipTlsVerify = false; // the system's CAs do not know the sandbox
    KubeClient verifying(settings);
    const KubeResponse refused = get(&verifying, ResourceKind::namespaces(), {}, u"kc"_s);
    QCOMPARE(refused.httpStatus, 0);
    QVERIFY2(refused.error.contains(u"the system's certificate authorities"_s), qPrintable(refused.error));
}

void tst_KubeClient::tls_serverName_verifiedAgainstThatName()
{
    ConnectionSettings settings = m_fixture.admin();
    settings.tlsServerName = u"kubernetes.default.svc"_s; // one of the certificate's names
    KubeClient named(settings);
    QVERIFY(get(&named, ResourceKind::namespaces(), {}, u"kc"_s).ok());

    settings.tlsServerName = u"elsewhere.example"_s;
    KubeClient misnamed(settings);
    const KubeResponse refused = get(&misnamed, ResourceKind::namespaces(), {}, u"kc"_s);
    QCOMPARE(refused.httpStatus, 0);
    QVERIFY2(refused.error.contains(u"CN=tdkube-sandbox"_s), qPrintable(refused.error));
}

void tst_KubeClient::tls_serverNameForWebSockets_onlyAHostNameMismatchTheCertificateExplains_data()
{
    QTest::addColumn<QString>("serverName");
    QTest::addColumn<bool>("otherErrorToo");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("named") << u"kubernetes.default.svc"_s << false << true;
    QTest::newRow("named, case") << u"Kubernetes.Default.SVC"_s << false << true;
    QTest::newRow("wildcard, one label") << u"api.svc.example"_s << false << true;
    QTest::newRow("wildcard, two labels") << u"a.api.svc.example"_s << false << false;
    QTest::newRow("not named") << u"elsewhere.example"_s << false << false;
    QTest::newRow("not set") << QString() << false << false;
    QTest::newRow("named, but an untrusted chain") << u"kubernetes.default.svc"_s << true << false;
}

void tst_KubeClient::tls_serverNameForWebSockets_onlyAHostNameMismatchTheCertificateExplains()
{
    QFETCH(QString, serverName);
    QFETCH(bool, otherErrorToo);
    QFETCH(bool, accepted);
    QString error;
    const auto ca = tdkube::sandbox::CertificateAuthority::create(u"test CA"_s, &error);
    const auto issued = ca.issueServer(u"apiserver"_s, {u"kubernetes.default.svc"_s, u"*.svc.example"_s},
                                       {u"10.0.0.1"_s}, &error);
    QVERIFY2(!issued.certificatePem.isEmpty(), qPrintable(error));
    const QSslCertificate certificate(issued.certificatePem, QSsl::Pem);
    ConnectionSettings settings = m_fixture.admin();
    settings.tlsServerName = serverName;
    KubeClient client(settings);
    QList<QSslError> errors{QSslError(QSslError::HostNameMismatch, certificate)};
    if (otherErrorToo)
        errors.append(QSslError(QSslError::UnableToGetLocalIssuerCertificate, certificate));
    QCOMPARE(client.acceptsForTlsServerName(errors), accepted);
}

void tst_KubeClient::proxy_httpConnect_tunnelsTlsToTheServer()
{
    ConnectProxy proxy;
    ConnectionSettings settings = m_fixture.admin();
    settings.proxyUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(proxy.port()));
    KubeClient client(settings);
    const KubeResponse response = get(&client, ResourceKind::namespaces(), {}, u"kc"_s);
    QVERIFY2(response.ok(), qPrintable(response.error));
    QCOMPARE(proxy.tunnels, 1);
    QCOMPARE(proxy.requestLines.first(),
             "CONNECT 127.0.0.1:" + QByteArray::number(settings.server.port()) + " HTTP/1.1");
    QCOMPARE(proxy.authorizations.first(), QByteArray()); // none given, none sent

    // A proxy that is not there: said as such, with the kubeconfig field to check.
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    settings.proxyUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(closed.serverPort()));
    closed.close();
    KubeClient unreachable(settings);
    const KubeResponse refused = get(&unreachable, ResourceKind::namespaces(), {}, u"kc"_s);
    QCOMPARE(refused.httpStatus, 0);
    QVERIFY2(refused.error.contains(u"through the proxy http://127.0.0.1:"_s) &&
                 refused.error.contains(u"Check the kubeconfig's proxy-url."_s),
             qPrintable(refused.error));
}

void tst_KubeClient::proxy_wantsCredentials_sentFromTheProxyUrl()
{
    ConnectProxy proxy;
    proxy.credentials = "alice:s3cret";
    ConnectionSettings settings = m_fixture.admin();
    settings.proxyUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(proxy.port()));
    {
        KubeClient client(settings);
        const KubeResponse refused = get(&client, ResourceKind::namespaces(), {}, u"kc"_s);
        QCOMPARE(refused.httpStatus, 0);
        QVERIFY2(refused.error.contains(u"it wants a user name and password. Put them in the kubeconfig's "
                                        u"proxy-url"_s),
                 qPrintable(refused.error));
    }
    settings.proxyUrl = QUrl(u"http://alice:s3cret@127.0.0.1:%1"_s.arg(proxy.port()));
    KubeClient client(settings);
    const KubeResponse response = get(&client, ResourceKind::namespaces(), {}, u"kc"_s);
    QVERIFY2(response.ok(), qPrintable(response.error));
    QCOMPARE(proxy.authorizations.last(), "Basic " + QByteArray("alice:s3cret").toBase64());
    QVERIFY(!response.error.contains(u"s3cret"_s));
    settings.proxyUrl = QUrl(u"http://alice:wrong@127.0.0.1:%1"_s.arg(proxy.port()));
    KubeClient wrong(settings);
    const KubeResponse denied = get(&wrong, ResourceKind::namespaces(), {}, u"kc"_s);
    QVERIFY2(denied.error.contains(u"and not the ones given"_s) && !denied.error.contains(u"wrong"_s),
             qPrintable(denied.error));
}

void tst_KubeClient::proxy_https_tlsToTheProxyVerifiedAsKubectlDoes()
{
    QString error;
    const auto proxyCa = tdkube::sandbox::CertificateAuthority::create(u"corporate proxy CA"_s, &error);
    QVERIFY2(proxyCa.isValid(), qPrintable(error));
    const auto issued = proxyCa.issueServer(u"proxy.corp"_s, {u"proxy.corp"_s}, {u"127.0.0.1"_s}, &error);
    QVERIFY2(!issued.certificatePem.isEmpty(), qPrintable(error));
    ConnectProxy proxy(issued.certificatePem, issued.keyPem);
    ConnectionSettings settings = m_fixture.admin();
    settings.proxyUrl = QUrl(u"https://127.0.0.1:%1"_s.arg(proxy.port()));

    // As with kubectl, the proxy is verified with the cluster's TLS settings: the kubeconfig's CA,
    // which does not know the proxy's.
    {
        KubeClient client(settings);
        const KubeResponse refused = get(&client, ResourceKind::namespaces(), {}, u"kc"_s);
        QCOMPARE(refused.httpStatus, 0);
        QVERIFY2(refused.error.contains(u"through the proxy https://127.0.0.1:"_s) &&
                     refused.error.contains(u"the proxy's certificate was refused"_s),
                 qPrintable(refused.error));
        QCOMPARE(proxy.tunnels, 0);
    }
    settings.certificateAuthorityPem += proxyCa.certificatePem();
    KubeClient client(settings);
    const KubeResponse response = get(&client, ResourceKind::namespaces(), {}, u"kc"_s);
    QVERIFY2(response.ok(), qPrintable(response.error));
    QCOMPARE(proxy.tunnels, 1);
    QCOMPARE(proxy.requestLines.last(),
             "CONNECT 127.0.0.1:" + QByteArray::number(settings.server.port()) + " HTTP/1.1");
    // Streams (a watch) take the same way.
    KubeRequest request;
    request.path = u"/api/v1/namespaces/kc/configmaps"_s;
    request.query.addQueryItem(u"watch"_s, u"true"_s);
    request.query.addQueryItem(u"timeoutSeconds"_s, u"1"_s);
    QObject owner;
    KubeStream *stream = client.openStream(request, &owner);
    QSignalSpy finished(stream, &KubeStream::finished);
    QVERIFY(finished.wait(kWaitMs));
    QVERIFY2(finished.first().first().value<KubeResponse>().ok(),
             qPrintable(finished.first().first().value<KubeResponse>().error));
}

void tst_KubeClient::proxy_socks5_tunnelsTheRequests()
{
    Socks5Proxy proxy;
    ConnectionSettings settings = m_fixture.admin();
    settings.proxyUrl = QUrl(u"socks5://127.0.0.1:%1"_s.arg(proxy.port()));
    KubeClient client(settings);
    const KubeResponse response = get(&client, ResourceKind::namespaces(), {}, u"kc"_s);
    QVERIFY2(response.ok(), qPrintable(response.error));
    QVERIFY(!proxy.targets.isEmpty());
    QCOMPARE(proxy.targets.first(), u"127.0.0.1:%1"_s.arg(settings.server.port()));
}

void tst_KubeClient::cancelAll_inFlight_callbacksSeeCancelled()
{
    QVERIFY(control(m_admin.get(), u"faults"_s, {{u"delayMs"_s, 2000}}).ok());
    KubeClient client(m_fixture.admin());
    QList<KubeResponse> answers;
    QObject context;
    const auto collect = [&answers](const KubeResponse &response) { answers << response; };
    client.get(ResourceKind::namespaces(), {}, u"kc"_s, &context, collect); // not started yet
    client.probe(&context, collect);
    QTest::qWait(100); // the second one is on the wire by now
    client.get(ResourceKind::namespaces(), {}, u"kc"_s, &context, collect);
    client.cancelAll();
    QTRY_COMPARE(answers.size(), 3);
    QVERIFY(control(m_admin.get(), u"faults"_s, {{u"delayMs"_s, 0}}).ok());
    for (const KubeResponse &answer : std::as_const(answers)) {
        QVERIFY(answer.cancelled);
        QCOMPARE(answer.httpStatus, 0);
    }
    QTest::qWait(100);
    QCOMPARE(answers.size(), 3);
}

void tst_KubeClient::destroyed_clientOrContext_noCallback()
{
    QVERIFY(control(m_admin.get(), u"faults"_s, {{u"delayMs"_s, 300}}).ok());
    int calls = 0;
    const auto count = [&calls](const KubeResponse &) { ++calls; };
    QObject survivor;
    {
        auto client = std::make_unique<KubeClient>(m_fixture.admin());
        client->probe(&survivor, count);
        KubeRequest watch;
        watch.path = ResourceKind::namespaces().path();
        watch.query.addQueryItem(u"watch"_s, u"1"_s);
        watch.timeoutMs = 0;
        KubeStream *stream = client->openStream(watch, &survivor);
        connect(stream, &KubeStream::finished, &survivor, [&calls] { ++calls; });
        QTest::qWait(50);
        client.reset(); // aborts both
        delete stream;
    }
    {
        auto context = std::make_unique<QObject>();
        m_admin->probe(context.get(), count);
        QTest::qWait(50);
        context.reset();
    }
    QTest::qWait(600);
    QVERIFY(control(m_admin.get(), u"faults"_s, {{u"delayMs"_s, 0}}).ok());
    QCOMPARE(calls, 0);
}

QTEST_GUILESS_MAIN(tst_KubeClient)
#include "tst_kubeclient.moc"
