#include "watchstream.h"

#include "httpserver.h"
#include "resources.h"
#include "store.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTimer>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

// One watch stream: replays history from the requested resourceVersion, then follows the store,
// filtered by namespace and selectors, with bookmarks and a timeout. Lives as long as the exchange.
class WatchStream final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WatchStream)

public:
    WatchStream(HttpExchange *exchange, Store *store, const ResourceType *type, QString ns,
                LabelSelector labels, FieldSelector fields, double timeScale, bool table,
                TableOptions tableOptions)
        : QObject(exchange)
        , m_exchange(exchange)
        , m_store(store)
        , m_type(type)
        , m_ns(std::move(ns))
        , m_labels(std::move(labels))
        , m_fields(std::move(fields))
        , m_table(table)
        , m_tableOptions(std::move(tableOptions))
    {
        connect(exchange, &HttpExchange::clientGone, this, &QObject::deleteLater);
        const HttpRequest &request = exchange->request();
        m_bookmarks = request.queryValue(u"allowWatchBookmarks"_s) == u"true";
        bool hasTimeout = false;
        const int timeout = request.queryValue(u"timeoutSeconds"_s).toInt(&hasTimeout);
        QTimer::singleShot(hasTimeout ? timeout * 1000 : 1800 * 1000, this, &WatchStream::end);
        if (m_bookmarks) {
            auto *timer = new QTimer(this);
            connect(timer, &QTimer::timeout, this, &WatchStream::sendBookmark);
            timer->start(std::max(1000, int(30000 * timeScale)));
        }
    }

    void start(const QString &resourceVersion)
    {
        m_exchange->startStream(200, m_table ? "application/json;as=Table;v=v1;g=meta.k8s.io"
                                             : "application/json");
        const qint64 from = resourceVersion.toLongLong();
        if (resourceVersion.isEmpty() || from == 0) {
            for (const QJsonObject &object : m_store->list(*m_type, m_ns)) {
                if (matches(object))
                    send(u"ADDED"_s, object);
            }
        } else {
            QList<StoreEvent> events;
            if (!m_store->eventsSince(from, &events)) {
                const ApiError expired = ApiError::expired(
                    u"too old resource version: %1 (%2)"_s.arg(from).arg(m_store->resourceVersion()));
                write(QJsonObject{{u"type"_s, u"ERROR"_s}, {u"object"_s, expired.toStatus()}});
                end();
                return;
            }
            for (const StoreEvent &event : events)
                onChanged(event);
        }
        connect(m_store, &Store::changed, this, &WatchStream::onChanged);
    }

    void end()
    {
        if (m_exchange)
            m_exchange->finishStream();
        deleteLater();
    }

private:
    bool matches(const QJsonObject &object) const
    {
        if (!m_ns.isEmpty() && namespaceOf(object) != m_ns)
            return false;
        return m_labels.matches(metadataOf(object).value(u"labels").toObject()) && m_fields.matches(object);
    }

    void onChanged(const StoreEvent &event)
    {
        if (event.resource != m_type)
            return;
        const bool now = matches(event.object);
        const bool before = !event.previous.isEmpty() && matches(event.previous);
        switch (event.type) {
        case EventType::Added:
            if (now)
                send(u"ADDED"_s, event.object);
            break;
        case EventType::Modified:
            if (now && before)
                send(u"MODIFIED"_s, event.object);
            else if (now)
                send(u"ADDED"_s, event.object);
            else if (before)
                send(u"DELETED"_s, event.object);
            break;
        case EventType::Deleted:
            if (now || before)
                send(u"DELETED"_s, event.object);
            break;
        }
    }

    void send(const QString &type, const QJsonObject &object)
    {
        if (!m_table) {
            write(QJsonObject{{u"type"_s, type}, {u"object"_s, object}});
            return;
        }
        TableOptions options = m_tableOptions;
        options.nowMs = QDateTime::currentMSecsSinceEpoch();
        options.includeColumnDefinitions = !m_sentColumns;
        options.resourceVersion = metadataOf(object).value(u"resourceVersion").toString();
        m_sentColumns = true;
        write(QJsonObject{{u"type"_s, type}, {u"object"_s, makeTable(m_type->plural, {object}, options)}});
    }

    void sendBookmark()
    {
        const QJsonObject object{{u"kind"_s, m_type->kind},
                                 {u"apiVersion"_s, m_type->apiVersion()},
                                 {u"metadata"_s, QJsonObject{{u"resourceVersion"_s,
                                                              QString::number(m_store->resourceVersion())}}}};
        write(QJsonObject{{u"type"_s, u"BOOKMARK"_s}, {u"object"_s, object}});
    }

    void write(const QJsonObject &event)
    {
        if (m_exchange)
            m_exchange->writeChunk(QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n');
    }

    QPointer<HttpExchange> m_exchange;
    Store *m_store;
    const ResourceType *m_type;
    QString m_ns;
    LabelSelector m_labels;
    FieldSelector m_fields;
    bool m_table = false;
    TableOptions m_tableOptions;
    bool m_sentColumns = false;
    bool m_bookmarks = false;
};

QObject *startWatch(HttpExchange *exchange, Store *store, const ResourceType *type, const QString &ns,
                    LabelSelector labels, FieldSelector fields, double timeScale, bool table,
                    const TableOptions &tableOptions, const QString &resourceVersion)
{
    auto *stream = new WatchStream(exchange, store, type, ns, std::move(labels), std::move(fields), timeScale,
                                   table, tableOptions);
    stream->start(resourceVersion);
    return stream;
}

void endWatch(QObject *stream)
{
    if (auto *watch = qobject_cast<WatchStream *>(stream))
        watch->end();
}

} // namespace tdkube::sandbox

#include "watchstream.moc"
