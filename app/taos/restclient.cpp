#include "taos/restclient.h"

#include "kube/kubeclient.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QIODevice>
#include <QLoggingCategory>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QScopedPointer>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cstring>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTaos, "tdkube.taos", QtWarningMsg)

namespace tdkube::taos {

namespace {

// The decoder and the chunks waiting for it, shared with the worker thread. Only one worker drains
// it at a time, so chunks are decoded in order.
// Back-pressure: a fast network must not pile a whole response up in memory while the decoder
// works through it. The reply buffers at most kReadBuffer; chunks waiting for the worker at most
// about kMaxQueued, after which reading pauses until the worker has caught up.
constexpr qint64 kReadBuffer = 4 << 20;
constexpr qint64 kMaxQueued = 8 << 20;
constexpr qint64 kSlice = 1 << 20;

struct DecodeJob
{
    QMutex mutex;
    QList<QByteArray> chunks;
    qint64 queuedBytes = 0;
    qint64 expectedBytes = 0; // Content-Length, when the server sent one
    bool endQueued = false;
    bool ended = false;
    bool running = false;
    bool abandoned = false;
    ResultDecoder decoder; // touched by the worker only
    bool headSent = false;
};

// The body of a statement that may change something. Qt's HTTP client sends a request again, on a new
// connection, when the one it used closed before any answer (it does for a POST too: a pod that restarts
// closes it through the port-forward), and the statement would run twice: an insert with `now` would add
// its rows twice. To send it again Qt rewinds the body; this one cannot be rewound once read, so the
// request ends with ContentReSendError instead, and the caller is told the statement may have run.
class ReadOnceBody final : public QIODevice
{
public:
    explicit ReadOnceBody(QByteArray data)
        : m_data(std::move(data))
    {
        open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    }
    bool isSequential() const override { return false; }
    qint64 size() const override { return m_data.size(); }
    bool seek(qint64 position) override
    {
        if ((m_read && position != m_offset) || position < 0 || position > m_data.size())
            return false;
        m_offset = position;
        return QIODevice::seek(position);
    }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 count = std::min(maxSize, m_data.size() - m_offset);
        if (count <= 0)
            return 0;
        std::memcpy(data, m_data.constData() + m_offset, size_t(count));
        m_offset += count;
        m_read = true;
        return count;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    qint64 m_offset = 0;
    bool m_read = false;
};

// Statements that only read: asked again when an answer was lost, as any HTTP client does.
bool onlyReads(const QString &sql)
{
    static const QRegularExpression reads(u"^\\s*(select|show|describe|desc|explain)\\b"_s,
                                          QRegularExpression::CaseInsensitiveOption);
    return reads.match(sql).hasMatch();
}

} // namespace

struct PendingQuery
{
    QPointer<QObject> context;
    RestClient::Done done;
    std::function<void(const Result &)> firstRows;
    qsizetype firstRowCount = 0;
    QPointer<QNetworkReply> reply;
    QTimer timer;
    QElapsedTimer clock;
    int timeoutMs = 0;
    int httpStatus = 0;
    QString networkError;
    QByteArray errorBody; // the first bytes, for an answer that is not JSON
    std::shared_ptr<DecodeJob> job = std::make_shared<DecodeJob>();
    bool completed = false;
    bool replyFinished = false;
    bool sentOnce = false; // a statement that may change something: never sent twice (ReadOnceBody)
};

RestTarget RestTarget::direct(const QUrl &baseUrl, const QString &user, const QString &password)
{
    RestTarget target;
    target.kind = Kind::Direct;
    target.baseUrl = baseUrl;
    target.user = user;
    target.password = password;
    return target;
}

RestTarget RestTarget::serviceProxy(kube::KubeClient *client, const QString &ns, const QString &service)
{
    RestTarget target;
    target.kind = Kind::ServiceProxy;
    target.client = client;
    target.ns = ns;
    target.name = service;
    return target;
}

RestTarget RestTarget::podProxy(kube::KubeClient *client, const QString &ns, const QString &pod)
{
    RestTarget target = serviceProxy(client, ns, pod);
    target.kind = Kind::PodProxy;
    return target;
}

QString RestTarget::proxyPath() const
{
    if (kind == Kind::Direct)
        return {};
    const QString resource = kind == Kind::ServiceProxy ? u"services"_s : u"pods"_s;
    return u"/api/v1/namespaces/%1/%2/%3:%4/proxy/rest/sql"_s.arg(ns, resource, name).arg(port);
}

QString RestTarget::describe() const
{
    if (kind == Kind::Direct)
        return baseUrl.toString(QUrl::RemoveUserInfo);
    return proxyPath();
}

int RestClient::defaultTimeoutMs(const QString &sql)
{
    static const QRegularExpression longRunning(u"^\\s*(drop\\s+dnode|balance\\s+vgroup|redistribute)\\b"_s,
                                                QRegularExpression::CaseInsensitiveOption);
    return longRunning.match(sql).hasMatch() ? 0 : kDefaultTimeoutMs;
}

void QueryHandle::cancel()
{
    const std::shared_ptr<PendingQuery> pending = m_pending.lock();
    if (m_client && pending)
        m_client->cancel(pending);
}

bool QueryHandle::isRunning() const
{
    const std::shared_ptr<PendingQuery> pending = m_pending.lock();
    return m_client && pending && !pending->completed;
}

RestClient::RestClient(RestTarget target, QObject *parent)
    : QObject(parent)
    , m_target(std::move(target))
    , m_network(new QNetworkAccessManager(this))
{
}

RestClient::~RestClient()
{
    const auto inFlight = std::exchange(m_inFlight, {});
    for (const auto &pending : inFlight) {
        pending->completed = true;
        pending->job->abandoned = true;
        if (pending->reply)
            pending->reply->abort();
    }
}

void RestClient::cancelAll()
{
    const auto inFlight = m_inFlight;
    for (const auto &pending : inFlight)
        cancel(pending);
}

QueryHandle RestClient::query(const QString &sql, QObject *context, Done done, const QueryOptions &options)
{
    auto pending = std::make_shared<PendingQuery>();
    pending->context = context;
    pending->done = std::move(done);
    pending->firstRows = options.firstRows;
    pending->firstRowCount = options.firstRowCount;
    pending->timeoutMs = options.timeoutMs < 0 ? defaultTimeoutMs(sql) : options.timeoutMs;
    pending->clock.start();
    m_inFlight.append(pending);
    QueryHandle handle;
    handle.m_client = this;
    handle.m_pending = pending;
    if (m_target.kind != RestTarget::Kind::Direct) {
        const std::weak_ptr<PendingQuery> weak = pending;
        QTimer::singleShot(0, this, [this, weak] {
            if (const auto p = weak.lock()) {
                QueryOutcome outcome;
                outcome.error = TaosError::client(
                    tr("Cannot send SQL through the API server proxy (%1): taosAdapter needs Basic auth, "
                       "which "
                       "the API server proxy strips")
                        .arg(m_target.describe()),
                    tr("Use a port-forward to port 6041 of a TDengine pod or of the taosAdapter service, and "
                       "connect through its local port."));
                complete(p, outcome);
            }
        });
        return handle;
    }
    send(pending, sql, options);
    return handle;
}

void RestClient::send(const std::shared_ptr<PendingQuery> &pending, const QString &sql,
                      const QueryOptions &options)
{
    QUrl url = m_target.baseUrl;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    path += u"/rest/sql"_s;
    if (!options.database.isEmpty())
        path += u'/' + options.database;
    url.setPath(path);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("text/plain; charset=utf-8"));
    request.setRawHeader("Authorization",
                         "Basic " + (m_target.user + u':' + m_target.password).toUtf8().toBase64());
    qCDebug(lcTaos, "POST %s (%lld bytes of SQL)", qPrintable(m_target.describe()), qlonglong(sql.size()));
    QNetworkReply *reply = nullptr;
    if (onlyReads(sql)) {
        reply = m_network->post(request, sql.toUtf8());
    } else {
        auto *body = new ReadOnceBody(sql.toUtf8());
        reply = m_network->post(request, body);
        body->setParent(reply);
        pending->sentOnce = true;
    }
    reply->setReadBufferSize(kReadBuffer);
    pending->reply = reply;
    const std::weak_ptr<PendingQuery> weak = pending;
    connect(reply, &QNetworkReply::metaDataChanged, this, [weak] {
        const auto p = weak.lock();
        if (!p || !p->reply)
            return;
        const qint64 length = p->reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
        QMutexLocker lock(&p->job->mutex);
        p->job->expectedBytes = length;
    });
    connect(reply, &QNetworkReply::readyRead, this, [this, weak] {
        if (const auto p = weak.lock())
            pull(p);
    });
    connect(reply, &QNetworkReply::finished, this, [this, weak] {
        if (const auto p = weak.lock())
            onFinished(p);
    });
    if (pending->timeoutMs > 0) {
        pending->timer.setSingleShot(true);
        connect(&pending->timer, &QTimer::timeout, this, [this, weak] {
            if (const auto p = weak.lock())
                timeOut(p);
        });
        pending->timer.start(pending->timeoutMs);
    }
}

void RestClient::pull(const std::shared_ptr<PendingQuery> &pending)
{
    if (pending->completed || !pending->reply)
        return;
    QNetworkReply *reply = pending->reply.data();
    const std::shared_ptr<DecodeJob> job = pending->job;
    bool added = false;
    for (;;) {
        {
            QMutexLocker lock(&job->mutex);
            if (job->queuedBytes >= kMaxQueued)
                break; // the worker calls again when it has caught up
        }
        // Slices, not readAll(): a response that arrived whole must not be copied whole.
        const QByteArray chunk = reply->bytesAvailable() > 0 ? reply->read(kSlice) : QByteArray();
        if (chunk.isEmpty())
            break;
        if (pending->errorBody.size() < 512)
            pending->errorBody += chunk.left(512);
        QMutexLocker lock(&job->mutex);
        job->chunks.append(chunk);
        job->queuedBytes += chunk.size();
        added = true;
    }
    if (pending->replyFinished && reply->bytesAvailable() <= 0) {
        QMutexLocker lock(&job->mutex);
        if (!job->endQueued) {
            job->endQueued = true;
            job->ended = true;
            added = true;
        }
    }
    if (added)
        schedule(pending);
}

void RestClient::onFinished(const std::shared_ptr<PendingQuery> &pending)
{
    QNetworkReply *reply = pending->reply.data();
    if (!reply || pending->completed)
        return;
    pending->httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (pending->httpStatus == 0 && pending->sentOnce &&
        reply->error() == QNetworkReply::ContentReSendError) {
        QueryOutcome outcome;
        outcome.error = TaosError::client(
            tr("The connection to taosAdapter at %1 closed after the statement was sent and before "
               "any answer (a restarting pod closes it): the statement may have run, or not. tdkube "
               "does not send it again, so that it never runs twice.")
                .arg(m_target.describe()),
            tr("Look whether it took effect (select the rows it writes, show what it creates) "
               "before running it again."));
        outcome.mayHaveRun = true;
        complete(pending, outcome);
        return;
    }
    if (pending->httpStatus == 0) {
        QueryOutcome outcome;
        const QString transport = m_target.transportProblem ? m_target.transportProblem() : QString();
        outcome.error = TaosError::client(
            transport.isEmpty()
                ? tr("Could not reach taosAdapter at %1: %2").arg(m_target.describe(), reply->errorString())
                : tr("Could not reach taosAdapter at %1: %2. The port-forward said: %3")
                      .arg(m_target.describe(), reply->errorString(), transport),
            tr("Check that the port-forward is active and that the TDengine pod is Running."));
        complete(pending, outcome);
        return;
    }
    // The reply stays until complete(): what it still holds is read as the decoder catches up.
    pending->replyFinished = true;
    pull(pending);
}

// Starts a worker unless one is draining the job already. The worker posts its findings to the
// application object (which outlives every client) and they are matched to the query there.
void RestClient::schedule(const std::shared_ptr<PendingQuery> &pending)
{
    const std::shared_ptr<DecodeJob> job = pending->job;
    {
        QMutexLocker lock(&job->mutex);
        if (job->running)
            return;
        job->running = true;
    }
    const std::weak_ptr<PendingQuery> weak = pending;
    const QPointer<RestClient> client = this;
    const qsizetype headRows = pending->firstRows ? pending->firstRowCount : 0;
    auto post = [weak, client](std::function<void(RestClient *, const std::shared_ptr<PendingQuery> &)> f) {
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [weak, client, f] {
                const auto p = weak.lock();
                if (client && p && !p->completed)
                    f(client, p);
            },
            Qt::QueuedConnection);
    };
    (void)QtConcurrent::run([job, headRows, post] {
        for (;;) {
            QList<QByteArray> chunks;
            bool ended = false;
            {
                QMutexLocker lock(&job->mutex);
                if (job->abandoned || (job->chunks.isEmpty() && !job->ended)) {
                    job->running = false;
                    return;
                }
                chunks.swap(job->chunks);
                ended = job->ended;
                if (job->expectedBytes > 0)
                    job->decoder.setExpectedSize(job->expectedBytes);
                job->ended = false; // finished once
            }
            qint64 consumed = 0;
            for (const QByteArray &chunk : std::as_const(chunks)) {
                job->decoder.feed(chunk);
                consumed += chunk.size();
            }
            chunks.clear();
            if (consumed > 0) {
                bool wasFull = false;
                {
                    QMutexLocker lock(&job->mutex);
                    wasFull = job->queuedBytes >= kMaxQueued;
                    job->queuedBytes -= consumed;
                }
                if (wasFull)
                    post([](RestClient *c, const std::shared_ptr<PendingQuery> &p) { c->pull(p); });
            }
            if (headRows > 0 && !job->headSent && job->decoder.rowCount() >= headRows &&
                !job->decoder.failed()) {
                job->headSent = true;
                auto head = std::make_shared<Result>(job->decoder.head(headRows));
                post([head](RestClient *, const std::shared_ptr<PendingQuery> &p) {
                    if (p->context && p->firstRows)
                        p->firstRows(*head);
                });
            }
            if (ended) {
                const bool ok = job->decoder.finish();
                auto result = std::make_shared<Result>(ok ? job->decoder.takeResult() : Result());
                const TaosError error = job->decoder.error();
                post([ok, result, error](RestClient *c, const std::shared_ptr<PendingQuery> &p) {
                    c->decoded(p, ok, result, error);
                });
            }
        }
    });
}

void RestClient::decoded(const std::shared_ptr<PendingQuery> &pending, bool ok,
                         const std::shared_ptr<Result> &result, const TaosError &error)
{
    QueryOutcome outcome;
    outcome.httpStatus = pending->httpStatus;
    if (ok) {
        outcome.result = std::move(*result);
    } else if (error.code == TaosError::kClientError && pending->httpStatus != 200) {
        // Not taosAdapter's JSON: a proxy's or another server's page.
        outcome.error = TaosError::client(tr("taosAdapter at %1 answered HTTP %2: %3")
                                              .arg(m_target.describe(), QString::number(pending->httpStatus),
                                                   QString::fromUtf8(pending->errorBody.left(200)).trimmed()),
                                          tr("Check that the target is taosAdapter's port 6041."));
    } else {
        outcome.error = error;
    }
    complete(pending, std::move(outcome));
}

void RestClient::cancel(const std::shared_ptr<PendingQuery> &pending)
{
    if (pending->completed)
        return;
    QueryOutcome outcome;
    outcome.cancelled = true;
    complete(pending, std::move(outcome));
}

void RestClient::timeOut(const std::shared_ptr<PendingQuery> &pending)
{
    if (pending->completed)
        return;
    QueryOutcome outcome;
    outcome.timedOut = true;
    outcome.error =
        TaosError::client(tr("The statement did not finish within %1 s").arg(pending->timeoutMs / 1000.0),
                          tr("The server may still be running it: check show transactions, then run it with "
                             "a longer timeout."));
    complete(pending, std::move(outcome));
}

void RestClient::complete(const std::shared_ptr<PendingQuery> &pending, QueryOutcome outcome)
{
    if (pending->completed)
        return;
    pending->completed = true;
    pending->timer.stop();
    {
        QMutexLocker lock(&pending->job->mutex);
        pending->job->abandoned = true;
    }
    m_inFlight.removeOne(pending);
    if (QNetworkReply *reply = pending->reply.data()) {
        pending->reply.clear();
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    outcome.elapsedMs = pending->clock.elapsed();
    if (outcome.error.isValid())
        qCDebug(lcTaos, "query to %s failed: %s", qPrintable(m_target.describe()),
                qPrintable(outcome.error.desc));
    if (pending->context && pending->done)
        pending->done(outcome);
}

} // namespace tdkube::taos
