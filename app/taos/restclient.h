#pragma once

#include "taos/result.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace tdkube::kube {
class KubeClient;
}

namespace tdkube::taos {

// Where taosAdapter's /rest/sql is reached.
//
// Direct: a local URL, normally a tdkube port-forward to port 6041 (http://127.0.0.1:PORT), with
// Basic auth. This is the transport that works.
//
// ServiceProxy / PodProxy: the API server's proxy (/api/v1/namespaces/NS/services/SVC:6041/proxy/
// rest/sql). It cannot carry TDengine credentials: the API server deletes the Authorization header
// once it has authenticated the caller, and taosAdapter takes credentials only from that header
// (controller/rest/auth.go CheckAuth in taosdata/taosadapter: "Basic", "Taosd" (a token from
// /rest/login, still in the Authorization header) or "Bearer"; no query parameter). Queries through
// it fail at once with an error that says so and names the fix (a port-forward).
struct RestTarget
{
    enum class Kind { Direct, ServiceProxy, PodProxy };

    Kind kind = Kind::Direct;
    QUrl baseUrl; // Direct: http://127.0.0.1:PORT
    QString user;
    QString password; // in memory only; never logged
    QPointer<kube::KubeClient> client;
    QString ns;
    QString name; // service or pod
    int port = 6041;
    // Direct through a port-forward: why its last connection failed (the API server's words, e.g.
    // Forbidden), said with a "Could not reach taosAdapter" error; empty when nothing failed lately.
    std::function<QString()> transportProblem;

    static RestTarget direct(const QUrl &baseUrl, const QString &user, const QString &password);
    static RestTarget serviceProxy(kube::KubeClient *client, const QString &ns, const QString &service);
    static RestTarget podProxy(kube::KubeClient *client, const QString &ns, const QString &pod);

    // The API server path of /rest/sql for the proxy kinds ("/api/v1/namespaces/NS/services/SVC:6041/
    // proxy/rest/sql"); empty for Direct.
    QString proxyPath() const;
    // For people and logs: the URL or proxy path, never the password.
    QString describe() const;
};

struct QueryOptions
{
    QString database; // POST /rest/sql/DB: statements run with DB as the current database
    // -1: the default for the statement (defaultTimeoutMs()); 0: none.
    int timeoutMs = -1;
    // Called once, on the client's thread, with the columns and the first `firstRowCount` rows of a
    // large result while the rest is still being decoded (never for results that fit in it).
    std::function<void(const Result &head)> firstRows;
    qsizetype firstRowCount = 1000;
};

struct QueryOutcome
{
    Result result;
    TaosError error; // valid when the statement failed, timed out or could not be sent
    bool cancelled = false;
    bool timedOut = false;
    // The connection closed after the statement was sent and before any answer: it may have run, or not.
    // A statement that may change something is not sent again (it would run twice); one that only
    // reads is, and then ends like any other.
    bool mayHaveRun = false;
    int httpStatus = 0;
    qint64 elapsedMs = 0; // from sending to the last row decoded

    bool ok() const { return !cancelled && !error.isValid(); }
};

class RestClient;
struct PendingQuery;

// A query in flight. Copyable; harmless once the query finished or the client is gone.
class QueryHandle
{
public:
    QueryHandle() = default;
    // Aborts the request; `done` is called at once with `cancelled` set. The server may still finish
    // the statement (TDengine has no way to kill one over REST).
    void cancel();
    bool isRunning() const;

private:
    friend class RestClient;
    QPointer<RestClient> m_client;
    std::weak_ptr<PendingQuery> m_pending;
};

// SQL over taosAdapter's REST API. `code`/`desc` are read on every answer (HTTP 200 is not success);
// the body is decoded as it arrives on a worker thread (ResultDecoder). `done` runs on the client's
// thread, exactly once, and never if `context` was destroyed first. Deleting the client aborts
// everything in flight without calling back.
class RestClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RestClient)

public:
    // `outcome` is the callback's to keep: it may move the result out (a million rows are not copied).
    using Done = std::function<void(QueryOutcome &outcome)>;
    static constexpr int kDefaultTimeoutMs = 60000;

    explicit RestClient(RestTarget target, QObject *parent = nullptr);
    ~RestClient() override;

    const RestTarget &target() const { return m_target; }
    QueryHandle query(const QString &sql, QObject *context, Done done, const QueryOptions &options = {});
    void cancelAll();

    // 60 s, or 0 (none) for statements that wait for data to move: drop dnode, balance vgroup,
    // redistribute vgroup.
    static int defaultTimeoutMs(const QString &sql);

private:
    friend class QueryHandle;
    void send(const std::shared_ptr<PendingQuery> &pending, const QString &sql, const QueryOptions &options);
    void onFinished(const std::shared_ptr<PendingQuery> &pending);
    void pull(const std::shared_ptr<PendingQuery> &pending);
    void schedule(const std::shared_ptr<PendingQuery> &pending);
    void decoded(const std::shared_ptr<PendingQuery> &pending, bool ok, const std::shared_ptr<Result> &result,
                 const TaosError &error);
    void cancel(const std::shared_ptr<PendingQuery> &pending);
    void timeOut(const std::shared_ptr<PendingQuery> &pending);
    void complete(const std::shared_ptr<PendingQuery> &pending, QueryOutcome outcome);

    RestTarget m_target;
    QNetworkAccessManager *m_network = nullptr;
    QList<std::shared_ptr<PendingQuery>> m_inFlight;
};

} // namespace tdkube::taos
