#pragma once

#include "kube/apistatus.h"
#include "kube/connection.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkProxy>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslError>
#include <QString>
#include <QUrlQuery>

#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace tdkube::kube {

// One kind of object as the API serves it: /api/v1/... for the core group, /apis/GROUP/VERSION/...
struct ResourceKind
{
    QString group; // empty: core
    QString version;
    QString plural;
    QString kind;
    bool namespaced = true;

    static ResourceKind pods();
    static ResourceKind persistentVolumeClaims();
    static ResourceKind persistentVolumes();
    static ResourceKind statefulSets();
    static ResourceKind services();
    static ResourceKind configMaps();
    static ResourceKind events();
    static ResourceKind namespaces();
    static ResourceKind nodes();
    static ResourceKind storageClasses();
    // The kind named by a manifest's apiVersion + kind, among the ones above; invalid if unknown.
    static ResourceKind fromApiVersionKind(const QString &apiVersion, const QString &kind);

    bool isValid() const { return !plural.isEmpty(); }
    QString apiVersion() const; // "v1", "apps/v1"
    // /api/v1/namespaces/NS/pods/NAME/SUB. An empty `ns` for a namespaced kind means all namespaces.
    QString path(const QString &ns = {}, const QString &name = {}, const QString &subresource = {}) const;
};

struct ListOptions
{
    QString labelSelector;
    QString fieldSelector;
    int limit = 0; // 0: no limit
    QString continueToken;
    QString resourceVersion;
};

struct LogOptions
{
    QString container;
    bool follow = false;
    int tailLines = -1; // -1: all
    bool timestamps = false;
    bool previous = false;
    int sinceSeconds = 0; // 0: from the start
};

// What came back. `ok()` is a 2xx. Otherwise `status` holds the API server's Status (or one made
// from the HTTP code), and `error` one paragraph for a person: what failed, why, what to do.
struct KubeResponse
{
    int httpStatus = 0; // 0: no HTTP answer (network, TLS, timeout, cancelled)
    QByteArray body;
    ApiStatus status;
    QString error;
    bool cancelled = false;

    bool ok() const { return httpStatus >= 200 && httpStatus < 300; }
    QJsonObject json() const; // the body parsed as an object (empty if it is not one)
    // An answer that may well be different a little later: too many requests (429), the API server or
    // what is in front of it failing or overloaded (500, 502, 503, 504), or no answer at all.
    static bool isTransientStatus(int status)
    {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }
    bool isTransient() const { return !cancelled && (httpStatus == 0 || isTransientStatus(httpStatus)); }
};

struct KubeRequest
{
    QByteArray verb = "GET";
    QString path; // starting with "/", e.g. from ResourceKind::path()
    QUrlQuery query;
    QByteArray body;
    QByteArray contentType; // defaults to application/json when there is a body
    QByteArray accept = "application/json";
    int timeoutMs = 30000; // 0: no timeout (watches, followed logs)
    // Sending it twice has the effect of sending it once: when the API server answers 429, 500, 502,
    // 503 or 504 it is sent again after 0.25, 0.5 and 1 s before the failure is reported. GETs are;
    // writes say so themselves (setting replicas through the scale subresource).
    bool idempotent = false;
    bool retriesTransientErrors() const { return idempotent || verb == "GET"; }
};

// A long-running response read as it arrives (a watch, followed logs). Delete it to cancel.
class KubeStream final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KubeStream)

public:
    ~KubeStream() override;
    int httpStatus() const;

signals:
    // The response headers arrived with a 2xx status; data follows.
    void opened();
    void data(const QByteArray &chunk);
    // The stream ended. On failure `response` carries the Status and error text as for a request.
    void finished(const tdkube::kube::KubeResponse &response);

private:
    friend class KubeClient;
    explicit KubeStream(QObject *parent);
    QPointer<QNetworkReply> m_reply;
    QByteArray m_errorBody;
    bool m_opened = false;
};

// The one gateway to one context's API server: base URL, TLS, authentication and User-Agent
// ("tdkube/VERSION"). Every call is asynchronous; `done` runs on the client's thread, and never if
// `context` was destroyed first. Deleting the client aborts everything in flight (switching
// context does exactly that). A 401 with a CredentialSource invalidates it and retries once.
// TLS is verified against the kubeconfig's CA (or the system's); a certificate error is reported
// with the certificate's subject and the reason, and never retried insecurely.
class KubeClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KubeClient)

public:
    using Done = std::function<void(const KubeResponse &response)>;

    explicit KubeClient(ConnectionSettings settings, QObject *parent = nullptr);
    ~KubeClient() override;

    const ConnectionSettings &settings() const { return m_settings; }
    static QByteArray userAgent(); // "tdkube/0.1.0 (linux; amd64)"

    void send(const KubeRequest &request, QObject *context, Done done);
    // A response read as it arrives; owned by `parent`.
    KubeStream *openStream(const KubeRequest &request, QObject *parent);
    // Aborts every request and stream in flight; their callbacks see `cancelled`.
    void cancelAll();

    // GET /version with a short timeout: reachability and the server's gitVersion.
    void probe(QObject *context, Done done, int timeoutMs = 8000);

    void list(const ResourceKind &kind, const QString &ns, const ListOptions &options, QObject *context,
              Done done);
    void get(const ResourceKind &kind, const QString &ns, const QString &name, QObject *context, Done done);
    void create(const ResourceKind &kind, const QString &ns, const QJsonObject &object, QObject *context,
                Done done);
    // `contentType`: application/merge-patch+json, application/strategic-merge-patch+json,
    // application/json-patch+json.
    void patch(const ResourceKind &kind, const QString &ns, const QString &name, const QByteArray &patch,
               const QByteArray &contentType, QObject *context, Done done);
    // Server-side apply of one object (YAML or JSON), fieldManager=tdkube, fieldValidation=Strict.
    void apply(const ResourceKind &kind, const QString &ns, const QString &name, const QByteArray &manifest,
               bool dryRun, bool force, QObject *context, Done done);
    // `propagationPolicy`: Foreground, Background, Orphan or empty (the server's default).
    void remove(const ResourceKind &kind, const QString &ns, const QString &name,
                const QString &propagationPolicy, QObject *context, Done done);
    // PATCH .../statefulsets/NAME/scale with {"spec":{"replicas":N}}.
    void scale(const QString &ns, const QString &statefulSet, int replicas, QObject *context, Done done);
    KubeStream *podLogs(const QString &ns, const QString &pod, const LogOptions &options, QObject *parent);

    // What a WebSocket to `path` (pods/exec, pods/portforward) needs, built as send() builds a
    // request: the wss:// URL, TLS (with a CredentialSource's client certificate, if it gives one),
    // User-Agent and Authorization. A CredentialSource may be asked first, so the answer comes
    // later, never inside this call, and not at all if `context` was destroyed. Open the socket
    // with request.sslConfiguration() and proxy().
    using WebSocketReady = std::function<void(const QNetworkRequest &request, const QString &error)>;
    void webSocketRequest(const QString &path, const QUrlQuery &query, QObject *context,
                          WebSocketReady ready);
    QSslConfiguration sslConfiguration() const { return m_tls; }
    QNetworkProxy proxy() const;
    // For WebSockets, which do not take tls-server-name: true when `errors` are only a host name
    // mismatch and the certificate names the kubeconfig's tls-server-name, so that they may be
    // ignored (the chain was verified as usual: any other error is not accepted).
    bool acceptsForTlsServerName(const QList<QSslError> &errors) const;

private:
    struct Pending;
    using Ready = std::function<void(const QNetworkRequest &request, const QString &error)>;
    void start(const std::shared_ptr<Pending> &pending);
    void authorize(QNetworkRequest request, const Ready &ready);
    void issue(const std::shared_ptr<Pending> &pending, const QNetworkRequest &request);
    void finish(const std::shared_ptr<Pending> &pending);
    void complete(const std::shared_ptr<Pending> &pending, const KubeResponse &response);
    void feedStream(const std::shared_ptr<Pending> &pending);
    KubeResponse failure(const std::shared_ptr<Pending> &pending, QNetworkReply *reply) const;
    QString networkError(const std::shared_ptr<Pending> &pending, QNetworkReply *reply) const;
    QString sslError(const QList<QSslError> &errors) const;
    QNetworkRequest makeRequest(const KubeRequest &request) const;
    void configureTls();

    ConnectionSettings m_settings;
    QNetworkAccessManager *m_network = nullptr;
    QSslConfiguration m_tls;
    class ProxyRelay *m_relay = nullptr; // for an https:// proxy-url
    QString m_configError; // a CA or client key that could not be read: every request fails with it
    QList<std::shared_ptr<Pending>> m_inFlight;
    QString m_runtimeToken; // from the CredentialSource, in memory only
};

} // namespace tdkube::kube
