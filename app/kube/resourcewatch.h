#pragma once

#include "kube/kubeclient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

namespace tdkube::kube {

// A live copy of one kind of object in one namespace (or all), kept the way client-go's reflector
// keeps it: list in pages (limit/continue, parsed off the GUI thread), then watch from the list's
// resourceVersion with bookmarks; when a stream ends, watch again from the last resourceVersion
// seen; on 410 Gone / Expired, list again and report the difference as added/modified/deleted
// (so a table never keeps a ghost row or misses one); on 429, 5xx and network errors, back off
// (exponential with jitter, capped) and try again. 401 once, 403 and 404 stop with the
// server's message: retrying cannot help.
//
// The first successful list emits reset(); every later change is one added/modified/deleted.
// Watch events that arrive together are delivered together, within one event-loop turn.
class ResourceWatch final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResourceWatch)

public:
    enum class State {
        Idle,         // not started
        Listing,      // the first list is in flight
        Live,         // watching; the copy is current
        Reconnecting, // lost the stream or the list failed; retrying (stateReason() says why)
        Stopped,      // gave up (Forbidden, NotFound, stop()); stateReason() says why
    };
    Q_ENUM(State)

    // `ns` empty: all namespaces. `client` must outlive the watch.
    ResourceWatch(KubeClient *client, ResourceKind kind, QString ns, ListOptions selectors = {},
                  QObject *parent = nullptr);
    ~ResourceWatch() override;

    void start();
    void stop();

    State state() const { return m_state; }
    QString stateReason() const { return m_stateReason; }
    const ResourceKind &kind() const { return m_kind; }
    QString ns() const { return m_ns; }
    QString resourceVersion() const { return m_resourceVersion; }
    // The current copy, keyed "namespace/name".
    const QHash<QString, QJsonObject> &objects() const { return m_objects; }

    // Tuning, mostly for tests and benchmarks.
    void setPageSize(int limit) { m_pageSize = limit; }
    void setBackoff(int initialMs, int maxMs);
    void setWatchTimeoutSeconds(int seconds) { m_watchTimeoutSeconds = seconds; }

signals:
    void stateChanged(tdkube::kube::ResourceWatch::State state, const QString &reason);
    void reset(const QList<QJsonObject> &objects);
    void added(const QJsonObject &object);
    void modified(const QJsonObject &object);
    void deleted(const QJsonObject &object);

private:
    void setState(State state, const QString &reason = {});
    void list(const QString &continueToken);
    void parsePage(const QByteArray &body);
    void finishList(const QString &resourceVersion);
    void watch();
    void readStream(const QByteArray &chunk);
    bool handleEvent(const QJsonObject &event);
    void apply(const QString &type, QJsonObject object);
    void streamFinished(const KubeResponse &response);
    void dropStream();
    void handleFailure(const KubeResponse &response, bool relist);
    void relist(const QString &reason);
    void retryLater(const QString &reason);

    KubeClient *m_client;
    ResourceKind m_kind;
    QString m_ns;
    ListOptions m_selectors;
    State m_state = State::Idle;
    QString m_stateReason;
    QString m_resourceVersion;
    QHash<QString, QJsonObject> m_objects;
    bool m_listedOnce = false;
    int m_pageSize = 500;
    int m_backoffInitialMs = 500;
    int m_backoffMaxMs = 30000;
    int m_backoffMs = 0;
    int m_watchTimeoutSeconds = 0; // 0: 5 to 10 minutes, chosen at random per stream, like client-go
    QPointer<KubeStream> m_stream;
    QByteArray m_lineBuffer;
    QElapsedTimer m_streamAge;
    QTimer m_retryTimer;
    bool m_retryList = true; // what the retry timer does: list again, or watch from m_resourceVersion
    bool m_unauthorizedRetried = false;
    int m_generation = 0;           // bumped by stop() and every new list, so that stale answers are dropped
    QList<QJsonObject> m_pageItems; // the pages of the list in flight
    QStringList m_pageKeys;
};

} // namespace tdkube::kube
