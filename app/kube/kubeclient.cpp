#include "kube/kubeclient.h"

#include "kube/proxyrelay.h"

#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QScopedPointer>
#include <QSslCertificate>
#include <QSslKey>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace tdkube::kube {

namespace {

Q_LOGGING_CATEGORY(lcClient, "tdkube.kube", QtWarningMsg)

ResourceKind makeKind(const QString &group, const QString &plural, const QString &kind, bool namespaced)
{
    return ResourceKind{group, u"v1"_s, plural, kind, namespaced};
}

// QUrlQuery leaves '+' alone, and an API server written in Go decodes it as a space.
QString encodeQuery(const QUrlQuery &query)
{
    QStringList parts;
    const auto items = query.queryItems(QUrl::FullyDecoded);
    for (const auto &[key, value] : items)
        parts << QString::fromLatin1(QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value));
    return parts.join(u'&');
}

QSslKey readKey(const QByteArray &pem)
{
    QSslKey key(pem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Ec, QSsl::Pem);
    return key;
}

QString describeCertificate(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return KubeClient::tr("the server's certificate");
    const QString subject = certificate.subjectInfo(QSslCertificate::CommonName).join(u", "_s);
    const QString issuer = certificate.issuerInfo(QSslCertificate::CommonName).join(u", "_s);
    return KubeClient::tr("the certificate \"CN=%1\" issued by \"CN=%2\"").arg(subject, issuer);
}

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

// ResourceKind

ResourceKind ResourceKind::pods()
{
    return makeKind({}, u"pods"_s, u"Pod"_s, true);
}
ResourceKind ResourceKind::persistentVolumeClaims()
{
    return makeKind({}, u"persistentvolumeclaims"_s, u"PersistentVolumeClaim"_s, true);
}
ResourceKind ResourceKind::persistentVolumes()
{
    return makeKind({}, u"persistentvolumes"_s, u"PersistentVolume"_s, false);
}
ResourceKind ResourceKind::statefulSets()
{
    return makeKind(u"apps"_s, u"statefulsets"_s, u"StatefulSet"_s, true);
}
ResourceKind ResourceKind::services()
{
    return makeKind({}, u"services"_s, u"Service"_s, true);
}
ResourceKind ResourceKind::configMaps()
{
    return makeKind({}, u"configmaps"_s, u"ConfigMap"_s, true);
}
ResourceKind ResourceKind::events()
{
    return makeKind({}, u"events"_s, u"Event"_s, true);
}
ResourceKind ResourceKind::namespaces()
{
    return makeKind({}, u"namespaces"_s, u"Namespace"_s, false);
}
ResourceKind ResourceKind::nodes()
{
    return makeKind({}, u"nodes"_s, u"Node"_s, false);
}
ResourceKind ResourceKind::storageClasses()
{
    return makeKind(u"storage.k8s.io"_s, u"storageclasses"_s, u"StorageClass"_s, false);
}

ResourceKind ResourceKind::fromApiVersionKind(const QString &apiVersion, const QString &kind)
{
    const ResourceKind all[] = {pods(),
                                persistentVolumeClaims(),
                                persistentVolumes(),
                                statefulSets(),
                                services(),
                                configMaps(),
                                events(),
                                namespaces(),
                                nodes(),
                                storageClasses()};
    for (const ResourceKind &candidate : all) {
        if (candidate.kind == kind && candidate.apiVersion() == apiVersion)
            return candidate;
    }
    return {};
}

QString ResourceKind::apiVersion() const
{
    return group.isEmpty() ? version : QString(group + u'/' + version);
}

QString ResourceKind::path(const QString &ns, const QString &name, const QString &subresource) const
{
    QString result = group.isEmpty() ? QString(u"/api/"_s + version) : QString(u"/apis/"_s + apiVersion());
    if (namespaced && !ns.isEmpty())
        result += u"/namespaces/"_s + ns;
    result += u'/' + plural;
    if (!name.isEmpty())
        result += u'/' + name;
    if (!name.isEmpty() && !subresource.isEmpty())
        result += u'/' + subresource;
    return result;
}

QJsonObject KubeResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

// KubeStream

KubeStream::KubeStream(QObject *parent)
    : QObject(parent)
{
}

KubeStream::~KubeStream()
{
    // Clearing m_reply first tells the client that nobody listens any more.
    if (QNetworkReply *reply = m_reply.data()) {
        m_reply = nullptr;
        reply->abort();
    }
}

int KubeStream::httpStatus() const
{
    return m_reply ? m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() : 0;
}

// KubeClient

struct KubeClient::Pending
{
    KubeRequest request;
    QPointer<QObject> context;
    bool hasContext = false;
    Done done;
    bool isStream = false;
    QPointer<KubeStream> stream;
    QPointer<QNetworkReply> reply;
    bool retried = false;
    int transientRetries = 0; // answers 429/5xx sent again (KubeRequest::idempotent)
    bool cancelled = false;
    QString tlsError;
};

KubeClient::KubeClient(ConnectionSettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_network(new QNetworkAccessManager(this))
{
    configureTls();
}

KubeClient::~KubeClient()
{
    // Abort without callbacks: the objects they would call into may be half destroyed.
    const auto inFlight = m_inFlight;
    m_inFlight.clear();
    for (const auto &pending : inFlight) {
        if (QNetworkReply *reply = pending->reply.data()) {
            QObject::disconnect(reply, nullptr, this, nullptr);
            reply->abort();
        }
    }
}

QByteArray KubeClient::userAgent()
{
    return QByteArrayLiteral("tdkube/" TDKUBE_VERSION " (linux; amd64)");
}

void KubeClient::configureTls()
{
    m_tls = QSslConfiguration::defaultConfiguration();
    m_tls.setProtocol(QSsl::TlsV1_2OrLater);
    if (!m_settings.certificateAuthorityPem.isEmpty()) {
        const QList<QSslCertificate> authorities =
            QSslCertificate::fromData(m_settings.certificateAuthorityPem, QSsl::Pem);
        if (authorities.isEmpty())
            m_configError =
                tr("The certificate authority (%1) holds no PEM certificate. Check the kubeconfig's "
                   "certificate-authority entry for this cluster.")
                    .arg(m_settings.certificateAuthorityOrigin);
        // Like client-go: a kubeconfig CA replaces the system's, it does not add to them.
        m_tls.setCaCertificates(authorities);
    }
    if (!m_settings.clientCertificatePem.isEmpty()) {
        const QList<QSslCertificate> chain =
            QSslCertificate::fromData(m_settings.clientCertificatePem, QSsl::Pem);
        const QSslKey key = readKey(m_settings.clientKeyPem);
        if (chain.isEmpty() || key.isNull())
            m_configError = tr("The client certificate or key of user %1 could not be read (PEM RSA or EC "
                               "expected). Check client-certificate and client-key in the kubeconfig.")
                                .arg(m_settings.userName);
        if (!chain.isEmpty())
            m_tls.setLocalCertificateChain(chain);
        m_tls.setPrivateKey(key);
    }
    m_tls.setPeerVerifyMode(m_settings.insecureSkipTlsVerify ? QSslSocket::VerifyNone
                                                             : QSslSocket::VerifyPeer);

    QNetworkProxy proxy(QNetworkProxy::NoProxy);
    const QUrl &proxyUrl = m_settings.proxyUrl;
    if (!proxyUrl.isEmpty()) {
        const QString scheme = proxyUrl.scheme();
        // Without a port, the scheme's, as kubectl (Go's net/http) does.
        if (scheme == u"http") {
            proxy = QNetworkProxy(QNetworkProxy::HttpProxy, proxyUrl.host(), quint16(proxyUrl.port(80)));
        } else if (scheme == u"https") {
            // Qt speaks only plain HTTP to a proxy: a local relay adds the TLS to it.
            m_relay = new ProxyRelay(proxyUrl, m_tls, this);
            if (m_relay->listen())
                proxy = QNetworkProxy(QNetworkProxy::HttpProxy, u"127.0.0.1"_s, m_relay->port());
            else
                m_configError = tr("The proxy-url %1 cannot be used: %2.")
                                    .arg(proxyUrl.toDisplayString(), m_relay->lastError());
        } else if (scheme == u"socks5") {
            proxy = QNetworkProxy(QNetworkProxy::Socks5Proxy, proxyUrl.host(), quint16(proxyUrl.port(1080)));
        } else {
            m_configError = tr("The proxy-url %1 has an unsupported scheme: use http, https or socks5.")
                                .arg(proxyUrl.toDisplayString());
        }
        proxy.setUser(proxyUrl.userName());
        proxy.setPassword(proxyUrl.password());
    }
    m_network->setProxy(proxy);
}

QNetworkRequest KubeClient::makeRequest(const KubeRequest &request) const
{
    QUrl url = m_settings.server;
    QString base = url.path();
    while (base.endsWith(u'/'))
        base.chop(1);
    url.setPath(base + request.path);
    url.setQuery(encodeQuery(request.query));
    QNetworkRequest result(url);
    result.setSslConfiguration(m_tls);
    if (!m_settings.tlsServerName.isEmpty())
        result.setPeerVerifyName(m_settings.tlsServerName);
    result.setHeader(QNetworkRequest::UserAgentHeader, userAgent());
    result.setRawHeader("Accept", request.accept);
    if (!request.body.isEmpty() || !request.contentType.isEmpty())
        result.setHeader(QNetworkRequest::ContentTypeHeader, request.contentType.isEmpty()
                                                                 ? QByteArrayLiteral("application/json")
                                                                 : request.contentType);
    result.setTransferTimeout(request.timeoutMs);
    result.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    return result;
}

void KubeClient::send(const KubeRequest &request, QObject *context, Done done)
{
    auto pending = std::make_shared<Pending>();
    pending->request = request;
    pending->context = context;
    pending->hasContext = context != nullptr;
    pending->done = std::move(done);
    m_inFlight.append(pending);
    // Always later: a callback never runs inside the call that asked for it.
    QMetaObject::invokeMethod(
        this, [this, pending] { start(pending); }, Qt::QueuedConnection);
}

KubeStream *KubeClient::openStream(const KubeRequest &request, QObject *parent)
{
    auto *stream = new KubeStream(parent);
    auto pending = std::make_shared<Pending>();
    pending->request = request;
    pending->isStream = true;
    pending->stream = stream;
    m_inFlight.append(pending);
    QMetaObject::invokeMethod(
        this, [this, pending] { start(pending); }, Qt::QueuedConnection);
    return stream;
}

void KubeClient::cancelAll()
{
    const auto inFlight = m_inFlight;
    for (const auto &pending : inFlight) {
        pending->cancelled = true;
        if (pending->reply) {
            pending->reply->abort(); // finish() reports it
        } else {
            m_inFlight.removeOne(pending);
            KubeResponse response;
            response.cancelled = true;
            response.error = tr("The request was cancelled.");
            complete(pending, response);
        }
    }
}

void KubeClient::start(const std::shared_ptr<Pending> &pending)
{
    if (!m_inFlight.contains(pending))
        return; // cancelled before it started
    if (pending->isStream && !pending->stream) {
        m_inFlight.removeOne(pending);
        return;
    }
    const auto fail = [this, pending](const QString &error) {
        m_inFlight.removeOne(pending);
        KubeResponse response;
        response.error = error;
        complete(pending, response);
    };
    if (!m_configError.isEmpty()) {
        fail(m_configError);
        return;
    }
    QPointer<KubeClient> guard(this);
    authorize(makeRequest(pending->request),
              [guard, pending, fail](const QNetworkRequest &request, const QString &error) {
                  if (!guard || !guard->m_inFlight.contains(pending))
                      return;
                  if (!error.isEmpty())
                      fail(error);
                  else
                      guard->issue(pending, request);
              });
}

void KubeClient::authorize(QNetworkRequest request, const Ready &ready)
{
    const auto bearer = [&request](const QString &token) {
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    };
    if (m_settings.credentials) {
        QPointer<KubeClient> guard(this);
        m_settings.credentials->request(
            [guard, request, ready](const Credential &credential, const QString &error) mutable {
                if (!guard)
                    return;
                if (!error.isEmpty()) {
                    ready(request, error);
                    return;
                }
                if (!credential.token.isEmpty()) {
                    guard->m_runtimeToken = credential.token;
                    request.setRawHeader("Authorization", "Bearer " + credential.token.toUtf8());
                } else if (!credential.clientCertificatePem.isEmpty()) {
                    // A retry after a 401 must not carry the token that failed.
                    request.setRawHeader("Authorization", QByteArray());
                    QSslConfiguration tls = request.sslConfiguration();
                    tls.setLocalCertificateChain(
                        QSslCertificate::fromData(credential.clientCertificatePem, QSsl::Pem));
                    tls.setPrivateKey(readKey(credential.clientKeyPem));
                    request.setSslConfiguration(tls);
                } else {
                    ready(request, tr("%1 returned neither a token nor a client certificate.")
                                       .arg(guard->m_settings.credentials->describe()));
                    return;
                }
                ready(request, {});
            });
        return;
    }
    if (!m_settings.token.isEmpty()) {
        bearer(m_settings.token);
    } else if (!m_settings.tokenFile.isEmpty()) {
        // Re-read every time: projected service-account tokens rotate.
        QFile file(m_settings.tokenFile);
        if (!file.open(QIODevice::ReadOnly)) {
            ready(request,
                  tr("Cannot read the token file %1 of user %2: %3. Check the tokenFile entry in the "
                     "kubeconfig and the file's permissions.")
                      .arg(m_settings.tokenFile, m_settings.userName, file.errorString()));
            return;
        }
        bearer(QString::fromUtf8(file.readAll().trimmed()));
    } else if (!m_settings.username.isEmpty()) {
        const QByteArray pair = (m_settings.username + u':' + m_settings.password).toUtf8();
        request.setRawHeader("Authorization", "Basic " + pair.toBase64());
    }
    ready(request, {});
}

void KubeClient::issue(const std::shared_ptr<Pending> &pending, const QNetworkRequest &request)
{
    if (pending->isStream && !pending->stream) {
        m_inFlight.removeOne(pending);
        return; // deleted while its credential was fetched
    }
    const KubeRequest &kube = pending->request;
    qCDebug(lcClient) << kube.verb << kube.path;
    // A stream holds its HTTP/1.1 connection for minutes, and Qt opens at most six per host and
    // manager: give each stream a manager of its own, so that watches never starve requests.
    QNetworkAccessManager *network = m_network;
    if (pending->isStream) {
        network = new QNetworkAccessManager(this);
        network->setProxy(m_network->proxy());
    }
    QNetworkReply *reply = kube.body.isEmpty() && kube.verb == "GET"
                               ? network->get(request)
                               : network->sendCustomRequest(request, kube.verb, kube.body);
    if (network != m_network)
        connect(reply, &QObject::destroyed, network, &QObject::deleteLater);
    pending->reply = reply;
    if (pending->isStream)
        pending->stream->m_reply = reply;
    connect(reply, &QNetworkReply::sslErrors, this, [this, pending, reply](const QList<QSslError> &errors) {
        if (m_settings.insecureSkipTlsVerify) {
            reply->ignoreSslErrors(); // the kubeconfig asked for it, and the UI shows it
            return;
        }
        pending->tlsError = sslError(errors);
    });
    if (pending->isStream) {
        connect(reply, &QNetworkReply::metaDataChanged, this, [this, pending] { feedStream(pending); });
        connect(reply, &QIODevice::readyRead, this, [this, pending] { feedStream(pending); });
    }
    connect(reply, &QNetworkReply::finished, this, [this, pending] { finish(pending); });
}

void KubeClient::feedStream(const std::shared_ptr<Pending> &pending)
{
    KubeStream *stream = pending->stream;
    QNetworkReply *reply = pending->reply;
    if (!stream || !stream->m_reply || !reply)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status < 200 || status >= 300)
        return; // finish() reads the Status
    if (!stream->m_opened) {
        stream->m_opened = true;
        emit stream->opened();
    }
    const QByteArray chunk = reply->readAll();
    if (!chunk.isEmpty() && pending->stream)
        emit stream->data(chunk);
}

void KubeClient::finish(const std::shared_ptr<Pending> &pending)
{
    QScopedPointer<QNetworkReply, QScopedPointerDeleteLater> reply(pending->reply.data());
    if (!reply)
        return;
    pending->reply = nullptr;
    if (pending->isStream && (!pending->stream || !pending->stream->m_reply)) {
        m_inFlight.removeOne(pending);
        return; // the stream was deleted: nobody to tell
    }
    if (pending->isStream && !pending->cancelled)
        feedStream(pending);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 401 && m_settings.credentials && !pending->retried && !pending->cancelled) {
        // The credential expired or was revoked: fetch a fresh one and try once more.
        pending->retried = true;
        m_settings.credentials->invalidate();
        start(pending);
        return;
    }
    // An API server restarting or overloaded, or a load balancer failing over, answers for a moment
    // only with these: a request that may be repeated waits that out (found by tests/faults).
    constexpr int kTransientRetries = 3;
    constexpr int kFirstRetryMs = 250;
    const bool transient = KubeResponse::isTransientStatus(status);
    if (transient && !pending->isStream && !pending->cancelled && pending->request.retriesTransientErrors() &&
        pending->transientRetries < kTransientRetries) {
        const int delayMs = kFirstRetryMs << pending->transientRetries;
        ++pending->transientRetries;
        qCDebug(lcClient).noquote() << pending->request.verb << pending->request.path << "answered" << status
                                    << "; sent again in" << delayMs << "ms";
        QTimer::singleShot(delayMs, this, [this, pending] {
            if (!pending->cancelled)
                start(pending);
        });
        return;
    }
    m_inFlight.removeOne(pending);
    if (pending->isStream)
        pending->stream->m_reply = nullptr;
    complete(pending, failure(pending, reply.data()));
}

KubeResponse KubeClient::failure(const std::shared_ptr<Pending> &pending, QNetworkReply *reply) const
{
    KubeResponse response;
    if (pending->cancelled) {
        response.cancelled = true;
        response.error = tr("The request was cancelled.");
        return response;
    }
    response.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->isOpen())
        response.body = reply->readAll();
    if (pending->isStream && pending->stream)
        pending->stream->m_errorBody = response.body;
    if (response.httpStatus == 0) {
        response.error = networkError(pending, reply);
        return response;
    }
    if (!response.ok()) {
        response.status = ApiStatus::fromJson(response.body);
        if (!response.status.isValid())
            response.status = ApiStatus::fromHttp(response.httpStatus, response.body);
        response.error = response.status.describe();
        return response;
    }
    if (reply->error() != QNetworkReply::NoError) // a stream cut off after it opened
        response.error = networkError(pending, reply);
    return response;
}

QString KubeClient::networkError(const std::shared_ptr<Pending> &pending, QNetworkReply *reply) const
{
    const QString server = m_settings.server.toDisplayString();
    switch (reply->error()) {
    case QNetworkReply::ConnectionRefusedError:
        return tr("Cannot connect to the API server at %1: the connection was refused. Check that the "
                  "cluster "
                  "is running and that the kubeconfig's server address and port are right.")
            .arg(server);
    case QNetworkReply::HostNotFoundError:
        return tr("Cannot connect to the API server at %1: the host name %2 was not found. Check the server "
                  "address in the kubeconfig, your network and your VPN.")
            .arg(server, m_settings.server.host());
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError: // what Qt reports when the transfer timeout expires
        return tr("The API server at %1 did not answer within %2 seconds. Check your network or VPN; the "
                  "server may be overloaded or unreachable.")
            .arg(server, u"%1"_s.arg(pending->request.timeoutMs / 1000.0));
    case QNetworkReply::SslHandshakeFailedError:
        if (!pending->tlsError.isEmpty())
            return pending->tlsError;
        break;
    case QNetworkReply::UnknownNetworkError: // how Qt 6.4 reports a proxy that refuses the connection
        if (m_settings.proxyUrl.isEmpty())
            break;
        [[fallthrough]];
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::UnknownProxyError:
        return tr("Cannot reach the API server at %1 through the proxy %2: %3. Check the kubeconfig's "
                  "proxy-url.")
            .arg(server, m_settings.proxyUrl.toDisplayString(),
                 m_relay && !m_relay->lastError().isEmpty() ? m_relay->lastError() : reply->errorString());
    case QNetworkReply::ProxyAuthenticationRequiredError:
        return (m_settings.proxyUrl.userName().isEmpty()
                    ? tr("The proxy %2 refused to carry the request to the API server at %1: it wants a user "
                         "name and password. Put them in the kubeconfig's proxy-url "
                         "(http://USER:PASSWORD@host:port).")
                    : tr("The proxy %2 refused to carry the request to the API server at %1: it wants a user "
                         "name and password, and not the ones given. Put them in the kubeconfig's proxy-url "
                         "(http://USER:PASSWORD@host:port)."))
            .arg(server, m_settings.proxyUrl.toDisplayString());
    default:
        break;
    }
    return tr("The request to the API server at %1 failed: %2. Check your network and that the cluster is "
              "running.")
        .arg(server, reply->errorString());
}

QString KubeClient::sslError(const QList<QSslError> &errors) const
{
    QStringList reasons;
    for (const QSslError &error : errors)
        reasons << describeCertificate(error.certificate()) + u": "_s + error.errorString();
    const QString origin =
        m_settings.certificateAuthorityPem.isEmpty()      ? tr("the system's certificate authorities")
        : m_settings.certificateAuthorityOrigin.isEmpty() ? tr("the kubeconfig's certificate authority")
                                                          : m_settings.certificateAuthorityOrigin;
    return tr("The API server at %1 could not be verified: %2. It was verified against %3. Check that this "
              "certificate authority belongs to the cluster (a re-created cluster has a new one) and that "
              "the "
              "server address is the one its certificate names; tdkube only skips verification when the "
              "kubeconfig sets insecure-skip-tls-verify.")
        .arg(m_settings.server.toDisplayString(), reasons.join(u"; "_s), origin);
}

void KubeClient::complete(const std::shared_ptr<Pending> &pending, const KubeResponse &response)
{
    if (pending->isStream) {
        if (pending->stream)
            emit pending->stream->finished(response);
        return;
    }
    if (pending->hasContext && !pending->context)
        return;
    if (pending->done)
        pending->done(response);
}

// The verbs

void KubeClient::webSocketRequest(const QString &path, const QUrlQuery &query, QObject *context,
                                  WebSocketReady ready)
{
    KubeRequest kube;
    kube.path = path;
    kube.query = query;
    kube.timeoutMs = 0;
    QNetworkRequest request = makeRequest(kube);
    QUrl url = request.url();
    url.setScheme(url.scheme() == u"http" ? u"ws"_s : u"wss"_s);
    request.setUrl(url);
    QPointer<QObject> guard(context);
    const auto answer = [guard, ready](const QNetworkRequest &authorized, const QString &error) {
        if (guard)
            ready(authorized, error);
    };
    QMetaObject::invokeMethod(
        this,
        [this, request, answer] {
            if (!m_configError.isEmpty())
                answer(request, m_configError);
            else
                authorize(request, answer);
        },
        Qt::QueuedConnection);
}

QNetworkProxy KubeClient::proxy() const
{
    return m_network->proxy();
}

bool KubeClient::acceptsForTlsServerName(const QList<QSslError> &errors) const
{
    const QString wanted = m_settings.tlsServerName.toLower();
    if (wanted.isEmpty() || errors.isEmpty())
        return false;
    for (const QSslError &error : errors) {
        if (error.error() != QSslError::HostNameMismatch)
            return false;
    }
    const QSslCertificate certificate = errors.first().certificate();
    QStringList names;
    const auto alternatives = certificate.subjectAlternativeNames();
    for (auto it = alternatives.cbegin(); it != alternatives.cend(); ++it) {
        if (it.key() == QSsl::DnsEntry || it.key() == QSsl::IpAddressEntry)
            names.append(it.value().toLower());
    }
    if (names.isEmpty()) // only without subjectAltNames does the common name count (RFC 6125)
        names = certificate.subjectInfo(QSslCertificate::CommonName);
    for (const QString &name : std::as_const(names)) {
        const QString lower = name.toLower();
        if (lower == wanted)
            return true;
        // "*.example.com" stands for exactly one label.
        if (lower.startsWith(u"*."_s) && wanted.endsWith(lower.mid(1)) &&
            !wanted.left(wanted.size() - lower.size() + 1).contains(u'.'))
            return true;
    }
    return false;
}

void KubeClient::probe(QObject *context, Done done, int timeoutMs)
{
    KubeRequest request;
    request.path = u"/version"_s;
    request.timeoutMs = timeoutMs;
    send(request, context, std::move(done));
}

void KubeClient::list(const ResourceKind &kind, const QString &ns, const ListOptions &options,
                      QObject *context, Done done)
{
    KubeRequest request;
    request.path = kind.path(ns);
    if (!options.labelSelector.isEmpty())
        request.query.addQueryItem(u"labelSelector"_s, options.labelSelector);
    if (!options.fieldSelector.isEmpty())
        request.query.addQueryItem(u"fieldSelector"_s, options.fieldSelector);
    if (options.limit > 0)
        request.query.addQueryItem(u"limit"_s, QString::number(options.limit));
    if (!options.continueToken.isEmpty())
        request.query.addQueryItem(u"continue"_s, options.continueToken);
    if (!options.resourceVersion.isEmpty())
        request.query.addQueryItem(u"resourceVersion"_s, options.resourceVersion);
    send(request, context, std::move(done));
}

void KubeClient::get(const ResourceKind &kind, const QString &ns, const QString &name, QObject *context,
                     Done done)
{
    KubeRequest request;
    request.path = kind.path(ns, name);
    send(request, context, std::move(done));
}

void KubeClient::create(const ResourceKind &kind, const QString &ns, const QJsonObject &object,
                        QObject *context, Done done)
{
    KubeRequest request;
    request.verb = "POST";
    request.path = kind.path(ns);
    request.body = toJson(object);
    send(request, context, std::move(done));
}

void KubeClient::patch(const ResourceKind &kind, const QString &ns, const QString &name,
                       const QByteArray &patch, const QByteArray &contentType, QObject *context, Done done)
{
    KubeRequest request;
    request.verb = "PATCH";
    request.path = kind.path(ns, name);
    request.body = patch;
    request.contentType = contentType;
    send(request, context, std::move(done));
}

void KubeClient::apply(const ResourceKind &kind, const QString &ns, const QString &name,
                       const QByteArray &manifest, bool dryRun, bool force, QObject *context, Done done)
{
    KubeRequest request;
    request.verb = "PATCH";
    request.path = kind.path(ns, name);
    request.body = manifest;
    request.contentType = "application/apply-patch+yaml";
    request.query.addQueryItem(u"fieldManager"_s, u"tdkube"_s);
    request.query.addQueryItem(u"fieldValidation"_s, u"Strict"_s);
    if (force)
        request.query.addQueryItem(u"force"_s, u"true"_s);
    if (dryRun)
        request.query.addQueryItem(u"dryRun"_s, u"All"_s);
    send(request, context, std::move(done));
}

void KubeClient::remove(const ResourceKind &kind, const QString &ns, const QString &name,
                        const QString &propagationPolicy, QObject *context, Done done)
{
    KubeRequest request;
    request.verb = "DELETE";
    request.path = kind.path(ns, name);
    if (!propagationPolicy.isEmpty())
        request.body = toJson({{u"kind"_s, u"DeleteOptions"_s},
                               {u"apiVersion"_s, u"v1"_s},
                               {u"propagationPolicy"_s, propagationPolicy}});
    send(request, context, std::move(done));
}

void KubeClient::scale(const QString &ns, const QString &statefulSet, int replicas, QObject *context,
                       Done done)
{
    KubeRequest request;
    request.verb = "PATCH";
    request.path = ResourceKind::statefulSets().path(ns, statefulSet, u"scale"_s);
    request.body = toJson({{u"spec"_s, QJsonObject{{u"replicas"_s, replicas}}}});
    request.contentType = "application/merge-patch+json";
    request.idempotent = true; // the same replicas, however often
    send(request, context, std::move(done));
}

KubeStream *KubeClient::podLogs(const QString &ns, const QString &pod, const LogOptions &options,
                                QObject *parent)
{
    KubeRequest request;
    request.path = ResourceKind::pods().path(ns, pod, u"log"_s);
    request.accept = "*/*";
    request.timeoutMs = options.follow ? 0 : 30000;
    if (!options.container.isEmpty())
        request.query.addQueryItem(u"container"_s, options.container);
    if (options.follow)
        request.query.addQueryItem(u"follow"_s, u"true"_s);
    if (options.tailLines >= 0)
        request.query.addQueryItem(u"tailLines"_s, QString::number(options.tailLines));
    if (options.timestamps)
        request.query.addQueryItem(u"timestamps"_s, u"true"_s);
    if (options.previous)
        request.query.addQueryItem(u"previous"_s, u"true"_s);
    if (options.sinceSeconds > 0)
        request.query.addQueryItem(u"sinceSeconds"_s, QString::number(options.sinceSeconds));
    return openStream(request, parent);
}

} // namespace tdkube::kube
