#pragma once

#include "apierror.h"
#include "kube/objects.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>

#include <deque>
#include <optional>

namespace tdkube::sandbox {

struct ResourceType;

enum class EventType { Added, Modified, Deleted };

// One change to the store, as watches stream it.
struct StoreEvent
{
    qint64 resourceVersion = 0;
    EventType type = EventType::Added;
    const ResourceType *resource = nullptr;
    QJsonObject object;   // the object after the change (for Deleted: as it was, with the deletion's RV)
    QJsonObject previous; // the object before the change (empty for Added); watches use it for selectors
};

struct DeleteOptions
{
    QString propagationPolicy; // Orphan | Background | Foreground; empty = Background
    std::optional<qint64> gracePeriodSeconds;
    QString preconditionUid;
    QString preconditionResourceVersion;
};

// The sandbox's etcd: every object by resource, namespace and name, one monotonic resourceVersion
// counter, and a bounded history of changes from which watches resume. Deletion follows the API
// server: objects with finalizers, scheduled pods and namespaces are marked (deletionTimestamp) and
// removed later by the controller; dependents (ownerReferences) are garbage-collected after their
// owner (Background), before it (Foreground: the owner waits with the foregroundDeletion finalizer)
// or left without the reference (Orphan).
class Store final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Store)

public:
    struct Result
    {
        QJsonObject object;
        ApiError error;
        bool ok() const { return !error.isError(); }
    };

    explicit Store(QObject *parent = nullptr);
    ~Store() override;

    std::optional<QJsonObject> get(const ResourceType &type, const QString &ns, const QString &name) const;
    // All objects of a type, in a namespace (empty: every namespace), ordered by namespace and name.
    QList<QJsonObject> list(const ResourceType &type, const QString &ns = {}) const;
    int count(const ResourceType &type) const;
    qint64 resourceVersion() const { return m_resourceVersion; }

    // Sets uid, creationTimestamp, resourceVersion (and generation 1), stores, emits Added.
    Result create(const ResourceType &type, QJsonObject object, bool dryRun = false);
    // Replaces the stored object. When object.metadata.resourceVersion is set it must match (409
    // Conflict otherwise). Keeps uid and creationTimestamp; bumps generation when spec changed.
    Result update(const ResourceType &type, QJsonObject object, bool dryRun = false);
    Result remove(const ResourceType &type, const QString &ns, const QString &name,
                  const DeleteOptions &options, bool dryRun = false);
    // Removes the object now, whatever its finalizers: what the controller does when a pod's grace
    // period is over or a namespace is empty.
    void erase(const ResourceType &type, const QString &ns, const QString &name);

    // The changes after `resourceVersion`, oldest first. False when that version is older than
    // the history kept (the watch must get 410 Expired).
    bool eventsSince(qint64 resourceVersion, QList<StoreEvent> *events) const;
    // Forget the history: every older resourceVersion is now expired (a fault tests inject).
    void compactHistory();
    void setHistoryLimit(int limit) { m_historyLimit = limit; }

    // Persistence as one JSON document. load() replaces the content; the history starts empty
    // (older resourceVersions are expired) and the counter continues from the saved one.
    QByteArray serialize() const;
    bool deserialize(const QByteArray &data, QString *error);

    static QString now();
    static QString key(const QString &ns, const QString &name) { return ns + u'/' + name; }

signals:
    void changed(const tdkube::sandbox::StoreEvent &event);

private:
    void record(EventType type, const ResourceType &resource, const QJsonObject &object,
                const QJsonObject &previous);
    QJsonObject stamp(QJsonObject object);
    void collectGarbage(const QString &ownerUid, const QString &propagationPolicy);
    bool finishesDeletion(const ResourceType &type, const QJsonObject &object) const;
    bool hasDependents(const QString &ownerUid) const;
    // Foreground deletion: an owner whose dependents are all gone loses its foregroundDeletion
    // finalizer, and with it goes.
    void finishForegroundDeletions();

    QHash<QString, QMap<QString, QJsonObject>> m_objects; // groupResource -> "ns/name" -> object
    qint64 m_resourceVersion = 1;
    qint64 m_compactedBefore = 1; // versions below this are expired
    std::deque<StoreEvent> m_history;
    int m_historyLimit = 20000;
    int m_foregroundOwners = 0; // owners waiting for their dependents (foregroundDeletion finalizer)
};

// Small accessors for the JSON shapes everything here deals with.
using kube::metadataOf;
using kube::nameOf;
using kube::namespaceOf;
using kube::uidOf;
qint64 resourceVersionOf(const QJsonObject &object);
// Reads/writes a value at a dotted path ("spec.template.metadata.labels").
using kube::valueAt;
void setValueAt(QJsonObject &object, const QString &path, const QJsonValue &value);
void removeValueAt(QJsonObject &object, const QString &path);

} // namespace tdkube::sandbox
