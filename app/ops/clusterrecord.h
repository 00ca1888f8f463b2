#pragma once

#include "ops/journal.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <optional>

namespace tdkube::kube {
class KubeClient;
struct KubeResponse;
} // namespace tdkube::kube

namespace tdkube::ops {

// An operation as the cluster holds it, for the workstations that do not have its journal.
struct RecordedOperation
{
    Journal journal;   // the plan and the step records, as the journal that wrote them held them
    QString phase;     // operationPhase() when it was written
    QString startedBy; // "<kubeconfig user>@<host>" of the workstation that started it
    QString runBy; // the same of the workstation that wrote it last (one that took it over, or finished it)

    bool isValid() const { return journal.isValid(); }
    // Invalid when `configMap` is not one of tdkube's records (or its journal cannot be read).
    static RecordedOperation fromConfigMap(const QJsonObject &configMap);
};

// Whether `recorded` (the cluster's record of an operation) has gone further than `local` (this
// workstation's journal of it): another workstation took it over and ran steps since, or ended it. Then
// the local journal is replaced by the record (Journal::adopt) before anything is resumed or listed.
bool isAhead(const Journal &recorded, const Journal &local);

// "finished", "abandoned", "stopped" (a step failed: it waits for a resume once the cause is fixed),
// else "running" (under way, or cut short by a crash: the lease on the StatefulSet tells which).
QString operationPhase(const Journal &journal);
// "tdkube-op-<id in lower case>": the id is letters, digits and '-', so this is a valid DNS subdomain
// name (what a ConfigMap's name must be), 35 characters.
QString recordName(const QString &operationId);

// Keeps a copy of an operation's journal in the cluster, so that other workstations see it: one
// ConfigMap per operation in the StatefulSet's namespace (recordName()), labelled
// app.kubernetes.io/managed-by=tdkube, tdkube.io/cluster=<StatefulSet>, tdkube.io/operation=<kind> and
// tdkube.io/phase=<operationPhase()>, owned by the StatefulSet (an ownerReference with its uid: deleting
// the cluster deletes its records; a deletion's own record has no owner and stays, the cluster's last word,
// until a later cluster of that name trims it with its history), annotated tdkube.io/started-by=<kubeconfig
// user>@<host>, with the journal's JSON (Journal::toJson(): the plan, the step records and row counts; no
// password, token or key, which plans never hold) under data["journal.json"], and
// tdkube.io/run-by=<user>@<host> of the workstation that wrote it last (another one than started-by when it
// took the operation over).
//
// Finished and abandoned operations stay as the cluster's history, the newest historyLimit() of each
// cluster: once an operation ends, older ones beyond that are deleted.
//
// The local journal stays the source of truth: nothing here is waited for, and a write that fails
// changes nothing but this copy. Writes are asynchronous and coalesced (while one is under way, only the
// newest journal waits), so the record can be a write or two behind the journal; a failed one is logged
// (tdkube.ops) and tried again at the next save. The first write creates the ConfigMap, the next ones
// merge-patch it with the resourceVersion they last saw; a 409 reads it again and retries, kConflictRetries
// times at most. When the API server forbids the write, unavailable() says so once per operation.
class ClusterRecord final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterRecord)

public:
    static inline const QString kManagedByLabel = QStringLiteral("app.kubernetes.io/managed-by");
    static inline const QString kClusterLabel = QStringLiteral("tdkube.io/cluster");
    static inline const QString kOperationLabel = QStringLiteral("tdkube.io/operation");
    static inline const QString kPhaseLabel = QStringLiteral("tdkube.io/phase");
    static inline const QString kStartedByAnnotation = QStringLiteral("tdkube.io/started-by");
    static inline const QString kRunByAnnotation = QStringLiteral("tdkube.io/run-by");
    static inline const QString kJournalKey = QStringLiteral("journal.json");
    static constexpr int kConflictRetries = 3;
    static constexpr int kDefaultHistoryLimit = 20;
    static constexpr int kMaxHistoryLimit = 500;

    // How many finished and abandoned operations each cluster keeps (the setting operations/historyLimit,
    // kDefaultHistoryLimit unless changed; 1..kMaxHistoryLimit).
    static int historyLimit();
    static void setHistoryLimit(int limit);

    explicit ClusterRecord(kube::KubeClient *client, QObject *parent = nullptr);
    ~ClusterRecord() override;

    // Writes the record of `journal` now and after each of its writes from now on (Journal::setObserver);
    // a discarded journal's record is deleted.
    void follow(Journal &journal);
    void save(const Journal &journal);
    void remove(const Journal &journal);
    bool isIdle() const { return !m_busy && !m_next; }
    // Turns the event loop until everything saved is written, or for `ms` at most: only for a test hook
    // that ends the process as a crash would, right after a boundary was recorded.
    void flush(int ms);
    // "<kubeconfig user>@<host>" of this workstation, as records name who started an operation.
    QString startedBy() const;

    // Every operation recorded in `ns`, oldest first, or why they could not be read.
    using Listed = std::function<void(const QList<RecordedOperation> &operations, const QString &error)>;
    static void list(kube::KubeClient *client, const QString &ns, QObject *context, Listed done);
    // The record of operation `id` in `ns`. `httpStatus` 404: there is none; `error` says why else.
    using Fetched =
        std::function<void(const RecordedOperation &operation, int httpStatus, const QString &error)>;
    static void fetch(kube::KubeClient *client, const QString &ns, const QString &id, QObject *context,
                      Fetched done);
    // The label selector of the records of one cluster (all clusters when `statefulSet` is empty).
    static QString selector(const QString &statefulSet = {});

signals:
    // The API server refused the record (no right to write ConfigMaps): other workstations will not see
    // the operation. With what it said. Once per operation.
    void unavailable(const QString &message);
    // Nothing is left to write.
    void idle();

private:
    struct Work
    {
        Journal journal;
        bool remove = false;
    };
    void enqueue(Work work);
    void next();
    void withOwner(const Work &work, const std::function<void(const QString &uid)> &then);
    void write(const Work &work, const QString &ownerUid, int attempt);
    void reread(const Work &work, const QString &ownerUid, int attempt);
    void erase(const Work &work);
    void failed(const Work &work, const QString &what, const kube::KubeResponse &response);
    void written(const Work &work, const kube::KubeResponse &response);
    void prune(const Work &work);
    QJsonObject configMap(const Journal &journal, const QString &ownerUid) const;
    QByteArray patch(const Journal &journal) const;

    QPointer<kube::KubeClient> m_client;
    bool m_busy = false;
    std::optional<Work> m_next;
    QString m_operationId;     // of the record below
    QString m_resourceVersion; // the record's, as last seen; empty: not known to exist
    QString m_ownerKey;        // "ns/statefulset" whose uid is m_ownerUid
    QString m_ownerUid;
    QString m_warned;      // the operation unavailable() was emitted for
    QString m_lastFailure; // the last failure logged, until a write succeeds
    int m_pruning = 0;     // deletions of old history under way
};

} // namespace tdkube::ops
