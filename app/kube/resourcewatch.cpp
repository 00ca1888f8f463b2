#include "kube/resourcewatch.h"

#include "kube/objects.h"

#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <utility>

using namespace Qt::StringLiterals;

namespace tdkube::kube {

namespace {

// One page of a list, parsed on a worker thread.
struct Page
{
    QList<QJsonObject> items;
    QStringList keys; // "namespace/name" of each item, computed here rather than on the GUI thread
    QString resourceVersion;
    QString continueToken;
    QString error;
};

Page parsePageJson(const QByteArray &body, const QString &kind, const QString &apiVersion)
{
    Page page;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (!document.isObject()) {
        page.error =
            ResourceWatch::tr("The API server sent a list of %1 objects that is not valid JSON (%2).")
                .arg(kind, error.errorString());
        return page;
    }
    const QJsonObject list = document.object();
    const QJsonObject metadata = list.value(u"metadata").toObject();
    page.resourceVersion = metadata.value(u"resourceVersion").toString();
    page.continueToken = metadata.value(u"continue").toString();
    const QJsonArray items = list.value(u"items").toArray();
    page.items.reserve(items.size());
    for (const QJsonValue &value : items) {
        // Items of a list carry no kind or apiVersion; the watch's objects do.
        QJsonObject item = value.toObject();
        item.insert(u"kind"_s, kind);
        item.insert(u"apiVersion"_s, apiVersion);
        const QJsonObject itemMetadata = item.value(u"metadata").toObject();
        page.keys.append(itemMetadata.value(u"namespace").toString() + u'/' +
                         itemMetadata.value(u"name").toString());
        page.items.append(item);
    }
    return page;
}

QString keyOf(const QJsonObject &object)
{
    const QJsonObject metadata = metadataOf(object);
    return metadata.value(u"namespace").toString() + u'/' + metadata.value(u"name").toString();
}

QString versionOf(const QJsonObject &object)
{
    return metadataOf(object).value(u"resourceVersion").toString();
}

} // namespace

ResourceWatch::ResourceWatch(KubeClient *client, ResourceKind kind, QString ns, ListOptions selectors,
                             QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_kind(std::move(kind))
    , m_ns(std::move(ns))
    , m_selectors(std::move(selectors))
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        if (m_retryList || m_resourceVersion.isEmpty())
            list({});
        else
            watch();
    });
}

ResourceWatch::~ResourceWatch()
{
    dropStream();
}

void ResourceWatch::setBackoff(int initialMs, int maxMs)
{
    m_backoffInitialMs = std::max(1, initialMs);
    m_backoffMaxMs = std::max(m_backoffInitialMs, maxMs);
}

void ResourceWatch::setState(State state, const QString &reason)
{
    if (m_state == state && m_stateReason == reason)
        return;
    m_state = state;
    m_stateReason = reason;
    emit stateChanged(state, reason);
}

void ResourceWatch::start()
{
    if (m_state == State::Listing || m_state == State::Live || m_state == State::Reconnecting)
        return;
    m_backoffMs = 0;
    m_unauthorizedRetried = false;
    setState(State::Listing);
    list({});
}

void ResourceWatch::stop()
{
    ++m_generation;
    m_retryTimer.stop();
    dropStream();
    m_pageItems.clear();
    m_pageKeys.clear();
    //: the state of a watch that was stopped
    setState(State::Stopped, tr("stopped"));
}

void ResourceWatch::list(const QString &continueToken)
{
    if (continueToken.isEmpty()) {
        ++m_generation;
        m_pageItems.clear();
        m_pageKeys.clear();
    }
    ListOptions options = m_selectors;
    options.limit = m_pageSize;
    options.continueToken = continueToken;
    options.resourceVersion.clear();
    const int generation = m_generation;
    m_client->list(m_kind, m_ns, options, this,
                   [this, generation, continueToken](const KubeResponse &response) {
                       if (generation != m_generation)
                           return;
                       if (response.httpStatus == 410 && !continueToken.isEmpty()) {
                           list({}); // the continue token expired while paging: start over, as kubectl does
                           return;
                       }
                       if (!response.ok()) {
                           handleFailure(response, true);
                           return;
                       }
                       parsePage(response.body);
                   });
}

void ResourceWatch::parsePage(const QByteArray &body)
{
    // A page of 500 pods is megabytes of JSON: parse it off the GUI thread.
    const int generation = m_generation;
    auto *watcher = new QFutureWatcher<Page>(this);
    connect(watcher, &QFutureWatcher<Page>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        const Page page = watcher->result();
        if (!page.error.isEmpty()) {
            m_retryList = true;
            retryLater(page.error);
            return;
        }
        m_pageItems += page.items;
        m_pageKeys += page.keys;
        if (!page.continueToken.isEmpty())
            list(page.continueToken);
        else
            finishList(page.resourceVersion);
    });
    watcher->setFuture(QtConcurrent::run(parsePageJson, body, m_kind.kind, m_kind.apiVersion()));
}

void ResourceWatch::finishList(const QString &resourceVersion)
{
    const QList<QJsonObject> items = std::exchange(m_pageItems, {});
    const QStringList keys = std::exchange(m_pageKeys, {});
    QHash<QString, QJsonObject> fresh;
    fresh.reserve(items.size());
    for (qsizetype i = 0; i < items.size(); ++i)
        fresh.insert(keys.at(i), items.at(i));
    const QHash<QString, QJsonObject> previous = std::exchange(m_objects, fresh);
    m_resourceVersion = resourceVersion;
    m_backoffMs = 0;
    m_unauthorizedRetried = false;
    setState(State::Live);
    if (!m_listedOnce) {
        m_listedOnce = true;
        emit reset(items);
    } else {
        // A re-list after 410 or an outage: report only what changed, so that no row is lost or kept.
        for (auto it = previous.cbegin(); it != previous.cend(); ++it) {
            if (!fresh.contains(it.key()))
                emit deleted(it.value());
        }
        for (const QJsonObject &item : items) {
            const auto old = previous.constFind(keyOf(item));
            if (old == previous.cend())
                emit added(item);
            else if (versionOf(*old) != versionOf(item))
                emit modified(item);
        }
    }
    watch();
}

void ResourceWatch::watch()
{
    dropStream();
    const int timeoutSeconds = m_watchTimeoutSeconds > 0
                                   ? m_watchTimeoutSeconds
                                   : 300 + int(QRandomGenerator::global()->bounded(301));
    KubeRequest request;
    request.path = m_kind.path(m_ns);
    request.query.addQueryItem(u"watch"_s, u"1"_s);
    request.query.addQueryItem(u"resourceVersion"_s, m_resourceVersion);
    request.query.addQueryItem(u"allowWatchBookmarks"_s, u"true"_s);
    request.query.addQueryItem(u"timeoutSeconds"_s, QString::number(timeoutSeconds));
    if (!m_selectors.labelSelector.isEmpty())
        request.query.addQueryItem(u"labelSelector"_s, m_selectors.labelSelector);
    if (!m_selectors.fieldSelector.isEmpty())
        request.query.addQueryItem(u"fieldSelector"_s, m_selectors.fieldSelector);
    // The server ends the stream after timeoutSeconds and sends bookmarks meanwhile: silence well past
    // that is a dead connection (a laptop that slept, a VPN that dropped).
    request.timeoutMs = (timeoutSeconds + 30) * 1000;
    m_lineBuffer.clear();
    m_streamAge.start();
    m_stream = m_client->openStream(request, this);
    connect(m_stream, &KubeStream::opened, this, [this] {
        m_backoffMs = 0;
        m_unauthorizedRetried = false;
        setState(State::Live);
    });
    connect(m_stream, &KubeStream::data, this, &ResourceWatch::readStream);
    connect(m_stream, &KubeStream::finished, this, &ResourceWatch::streamFinished);
}

void ResourceWatch::dropStream()
{
    if (!m_stream)
        return;
    KubeStream *stream = m_stream;
    m_stream = nullptr;
    stream->disconnect(this);
    stream->deleteLater();
}

void ResourceWatch::readStream(const QByteArray &chunk)
{
    const KubeStream *stream = m_stream;
    m_lineBuffer += chunk;
    qsizetype start = 0;
    for (qsizetype end = m_lineBuffer.indexOf('\n'); end >= 0; end = m_lineBuffer.indexOf('\n', start)) {
        const QByteArray line = m_lineBuffer.mid(start, end - start).trimmed();
        start = end + 1;
        if (line.isEmpty())
            continue;
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        if (!handleEvent(event) || m_stream != stream)
            return; // the stream was replaced (410, stop()): the rest of this chunk is stale
    }
    m_lineBuffer.remove(0, start);
}

bool ResourceWatch::handleEvent(const QJsonObject &event)
{
    const QString type = event.value(u"type").toString();
    const QJsonObject object = event.value(u"object").toObject();
    if (type == u"ERROR") {
        const ApiStatus status = ApiStatus::fromJson(QJsonDocument(object).toJson(QJsonDocument::Compact));
        if (status.code == 410 || status.reason == u"Expired" || status.reason == u"Gone") {
            relist(status.describe());
        } else {
            dropStream();
            m_retryList = false;
            retryLater(status.describe());
        }
        return false;
    }
    const QString version = versionOf(object);
    if (!version.isEmpty())
        m_resourceVersion = version;
    if (type != u"BOOKMARK")
        apply(type, object);
    return true;
}

void ResourceWatch::apply(const QString &type, QJsonObject object)
{
    if (!object.contains(u"kind"))
        object.insert(u"kind"_s, m_kind.kind);
    if (!object.contains(u"apiVersion"))
        object.insert(u"apiVersion"_s, m_kind.apiVersion());
    const QString key = keyOf(object);
    if (type == u"DELETED") {
        if (m_objects.remove(key) > 0)
            emit deleted(object);
        return;
    }
    // ADDED for a known key (a watch replaying what a paged list already saw) is a modification.
    const bool known = m_objects.contains(key);
    m_objects.insert(key, object);
    if (known)
        emit modified(object);
    else
        emit added(object);
}

void ResourceWatch::streamFinished(const KubeResponse &response)
{
    dropStream();
    if (response.ok() && response.error.isEmpty()) {
        // The server's timeout ended it: carry on from the last resourceVersion. A server (or proxy)
        // that ends every stream at once must not make this a busy loop.
        if (m_streamAge.elapsed() < 1000) {
            m_retryList = false;
            m_retryTimer.start(m_backoffInitialMs);
        } else {
            watch();
        }
        return;
    }
    handleFailure(response, false);
}

void ResourceWatch::handleFailure(const KubeResponse &response, bool relisting)
{
    const QString reason = response.error.isEmpty() ? response.status.describe() : response.error;
    if (response.cancelled) {
        setState(State::Stopped, reason);
        return;
    }
    switch (response.httpStatus) {
    case 401:
        // The client already retried with fresh credentials; one more try covers a rotation race.
        if (!m_unauthorizedRetried) {
            m_unauthorizedRetried = true;
            relisting ? list({}) : watch();
            return;
        }
        setState(State::Stopped, reason);
        return;
    case 403:
    case 404:
        setState(State::Stopped, reason); // retrying cannot help
        return;
    case 410:
        if (!relisting) {
            relist(reason);
            return;
        }
        [[fallthrough]]; // a list that says Gone again: back off rather than spin
    default:
        m_retryList = relisting;
        retryLater(reason);
    }
}

void ResourceWatch::relist(const QString &reason)
{
    dropStream();
    setState(State::Reconnecting, reason);
    list({});
}

void ResourceWatch::retryLater(const QString &reason)
{
    m_backoffMs = m_backoffMs == 0 ? m_backoffInitialMs : std::min(2 * m_backoffMs, m_backoffMaxMs);
    // Jitter, so that many watches that lost the same server do not come back all at once.
    const int delay = m_backoffMs - int(QRandomGenerator::global()->bounded(m_backoffMs / 4 + 1));
    setState(State::Reconnecting, reason);
    m_retryTimer.start(std::max(1, delay));
}

} // namespace tdkube::kube
