#pragma once

#include "delayledger.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>

namespace tdkube::sandbox {

class PodRuntime;
class Store;
struct StoreEvent;

// The cluster's moving parts, simulated: the StatefulSet controller (OrderedReady and Parallel pods
// `<sts>-N`, PVCs `<claim>-<sts>-N`, reverse-ordinal scale-in, rolling updates, PVC retention
// policies), a scheduler that spreads pods over the nodes, kubelets that start containers
// (Pending -> ContainerCreating -> Running -> Ready after the startup delay) and end them after
// deletion, a volume binder that provisions a PV per PVC from its StorageClass, the PVC-protection
// finalizer, namespace termination, and the Events all of these record.
//
// Delays are real milliseconds multiplied by the time scale, so tests run with a small scale.
class Controller final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Controller)

public:
    explicit Controller(Store *store, double timeScale = 1.0, QObject *parent = nullptr);
    ~Controller() override;

    // What runs in the containers: told when a container starts and stops, and asked for readiness
    // (a TDengine pod is Ready only once its dnode serves). Without one, pods are Ready after the
    // start-up delay.
    void setRuntime(PodRuntime *runtime);
    // Where pod start-ups and terminations are recorded as they are scheduled and complete.
    void setDelayLedger(DelayLedger *ledger) { m_delays = ledger; }

    // Creates what every cluster has when it is missing: the default namespaces, three Ready nodes
    // and the default StorageClass `standard`.
    void bootstrap();

    // Faults: the container of a pod crashes and restarts in place (restartCount + 1).
    bool crashContainer(const QString &ns, const QString &pod);
    // A node stops (or resumes) reporting: its pods' Ready condition turns Unknown.
    bool setNodeReady(const QString &node, bool ready);

    // Pods with this annotation are left alone (no kubelet simulation): the benchmark preload.
    static inline const QString kStaticAnnotation = QStringLiteral("sandbox.tdkube.io/static");
    static constexpr int kContainerCreatingMs = 800;
    static constexpr int kStartupMs = 2500;
    static constexpr int kTerminationMs = 1000;

private:
    void scheduleReconcile(int delayMs = 0);
    void reconcile();
    void reconcileStatefulSet(const QJsonObject &set);
    void reconcilePod(QJsonObject pod);
    void reconcileClaim(const QJsonObject &claim);
    void reconcileVolume(const QJsonObject &volume);
    void reconcileNamespace(const QJsonObject &ns);
    void createPod(const QJsonObject &set, int ordinal, const QString &revision);
    void ensureClaims(const QJsonObject &set, int ordinal);
    bool schedulePod(QJsonObject &pod);
    void updateStatefulSetStatus(const QJsonObject &set, const QList<QJsonObject> &pods,
                                 const QString &revision);
    void recordEvent(const QJsonObject &involved, const QString &type, const QString &reason,
                     const QString &message, const QString &component);
    int scaled(int ms) const;
    qint64 nowMs() const;

    Store *m_store;
    double m_timeScale;
    bool m_reconcileQueued = false;
    qint64 m_nextWakeMs = 0;
    QHash<QString, qint64> m_phaseSince; // pod uid -> when its current start-up phase began
    void stopContainer(const QJsonObject &pod);
    void beginDelay(const QString &uid, DelayLedger::Kind kind, qint64 now);
    void endDelay(const QString &uid, DelayLedger::Kind kind, qint64 now);

    QHash<QString, bool> m_notReadyNodes;
    QSet<QString> m_startedContainers; // pod uids whose container the runtime was told about
    PodRuntime *m_runtime = nullptr;
    DelayLedger *m_delays = nullptr;
    QHash<std::pair<QString, DelayLedger::Kind>, DelayLedger::Id> m_openDelays; // (pod uid, kind)
};

// The ordinal of a StatefulSet pod or PVC name (`tdengine-3` -> 3), or -1.
int ordinalOf(const QString &name, const QString &setName);

} // namespace tdkube::sandbox
