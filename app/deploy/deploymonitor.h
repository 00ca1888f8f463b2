#pragma once

#include "taos/clusterstate.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QTimer>

#include <functional>

namespace tdkube::kube {
class KubeClient;
class ResourceWatch;
} // namespace tdkube::kube

namespace tdkube::taos {
class ClusterConnection;
class PasswordStore;
class Result;
struct QueryOutcome;
} // namespace tdkube::taos

namespace tdkube::deploy {

// The TDengine cluster a deploy has just applied: StatefulSet `statefulSet` in namespace `ns` of
// kubeconfig context `context` (which only names the cluster's login in the PasswordStore).
struct DeployTarget
{
    QString context;
    QString ns;
    QString statefulSet;
    int replicas = 3;
    bool haMnodes = true; // with 3 or more replicas: mnodes on the dnodes of pods -1 and -2 too
};

// One pod as `kubectl get pods` shows it, and why it is where it is.
struct PodProgress
{
    QString name;
    QString status; // kubectl's STATUS column: Pending, ContainerCreating, Running, ...
    bool ready = false;
    QString detail; // why it is not running yet (in plain words), else its latest event
};

// Follows a freshly applied TDengine cluster until it is verified, and performs the last TDengine
// steps of a deploy. It is what the deploy wizard's progress page shows. The stages:
//
// 1. Pods: the StatefulSet's pods (its spec.selector, owned by it), the namespace's events, claims
//    and the storage classes are watched; each pod's change is reported as kubectl prints it. A pod
//    that cannot be scheduled for a reason that will not fix itself (its claim asks for a storage
//    class the cluster does not have) fails the run at once, saying what to do.
// 2. Dnodes: once `replicas` pods are Ready, a taos::ClusterConnection (port-forward to taosAdapter
//    + REST, login from the PasswordStore: root/taosdata for a fresh cluster) polls ins_dnodes until
//    `replicas` dnodes are ready; each is reported once as it joins.
// 3. Mnodes: with haMnodes and 3+ replicas, `create mnode on dnode N` for the dnodes of pods
//    <sts>-1 and <sts>-2 (found by endpoint), one at a time, each awaited until ins_mnodes shows it
//    ready. An mnode already there is left alone: running the monitor again is harmless.
// 4. Verify: one mnode leader, 2 followers (or none without HA mnodes), all ready; all dnodes ready.
//
// Each stage that does not finish within its timeout fails, saying what it was waiting for.
// finished() is emitted exactly once per start(); afterwards every watch, query and the
// port-forward are gone. Nothing in the cluster is deleted or rolled back by a failure or cancel().
// `client` and `passwords` must outlive the monitor.
class DeployMonitor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeployMonitor)

public:
    enum class Stage { Pods, Dnodes, Mnodes, Verify, Done, Failed };
    Q_ENUM(Stage)

    static constexpr int kDefaultPodsTimeoutMs = 15 * 60 * 1000; // TDengine's startup budget is long
    static constexpr int kDefaultDnodesTimeoutMs = 5 * 60 * 1000;
    static constexpr int kDefaultMnodesTimeoutMs = 5 * 60 * 1000;
    static constexpr int kDefaultPollIntervalMs = 1000;

    DeployMonitor(kube::KubeClient *client, taos::PasswordStore *passwords, DeployTarget target,
                  QObject *parent = nullptr);
    ~DeployMonitor() override;

    // Starts following (again, after a finish). Does nothing while running.
    void start();
    // Stops everything; finished(false, "Cancelled ...") unless already finished.
    void cancel();
    // Each stage's budget, from the moment it begins; Verify shares the mnodes' budget.
    void setTimeouts(int podsMs, int dnodesMs, int mnodesMs);
    // How often ins_dnodes / ins_mnodes are asked while waiting.
    void setPollInterval(int ms);
    // Stage 1 only: finished(true, ..) once the pods are Ready, nothing asked of TDengine. For a deploy
    // that the Executor runs (its steps do the rest), whose progress page shows the pods as they come.
    void setPodsOnly(bool podsOnly) { m_podsOnly = podsOnly; }

    const DeployTarget &target() const { return m_target; }
    Stage stage() const { return m_stage; }
    bool isRunning() const { return m_running; }
    // Pods by ordinal.
    QList<PodProgress> pods() const;
    // The SQL connection of stages 2-4; null before and after them.
    taos::ClusterConnection *connection() const;

signals:
    // `text` for a person: "Waiting for pods (2 of 3 ready)".
    void stageChanged(tdkube::deploy::DeployMonitor::Stage stage, const QString &text);
    void podChanged(const tdkube::deploy::PodProgress &pod);
    void dnodeJoined(int id, const QString &endpoint, const QString &pod);
    // A timestamped line: every event that concerns the cluster, every SQL statement sent and its
    // answer (polls only when their answer changes). Never a password.
    void logLine(const QString &line);
    // ok: "3 dnodes ready; mnodes: 1 leader, 2 followers". Otherwise what failed, why and what to do.
    void finished(bool ok, const QString &message);

private:
    // Stage 1
    void fetchStatefulSet();
    void watchPods(const QJsonObject &statefulSet);
    kube::ResourceWatch *makeWatch(int kindIndex, const QString &ns, const QString &labelSelector);
    void podsChanged();
    void updatePod(const QJsonObject &pod);
    QString unschedulableReason(const QJsonObject &pod) const;
    void logEvent(const QJsonObject &event);
    // Stage 2
    void startDnodes();
    void pollDnodes();
    void dnodesAnswered(const taos::Result &result);
    // Stage 3
    void startMnodes();
    void pollMnodes();
    void mnodesAnswered(const taos::Result &result);
    void createMnode(int dnodeId);
    // Stage 4
    void startVerify();
    void pollVerify();
    // Shared
    using Answered = std::function<void(const taos::Result &result)>;
    void runSql(const QString &sql, bool isPoll, Answered answered);
    void schedulePoll();
    void setStage(Stage stage, const QString &text);
    void stageTimedOut();
    void log(const QString &line);
    void finish(bool ok, const QString &message);
    void teardown();
    int dnodeIdOfPod(const QString &pod) const;

    QPointer<kube::KubeClient> m_client;
    QPointer<taos::PasswordStore> m_passwords;
    DeployTarget m_target;
    Stage m_stage = Stage::Pods;
    bool m_running = false;
    bool m_podsOnly = false;
    int m_run = 0; // bumped by every start() and finish(), so that stale answers are dropped
    int m_timeoutsMs[3] = {kDefaultPodsTimeoutMs, kDefaultDnodesTimeoutMs, kDefaultMnodesTimeoutMs};
    QTimer m_stageTimer;
    QTimer m_pollTimer;
    QString m_stageText;
    QString m_waitingFor; // the last reason the stage is not done yet, for a timeout's message

    // Stage 1
    QJsonObject m_statefulSet;
    QList<QPointer<kube::ResourceWatch>> m_watches; // pods, events, claims, storage classes
    QSet<int> m_listed;                             // indices of m_watches that have listed once
    QHash<QString, PodProgress> m_pods;
    QHash<QString, QString> m_loggedEvents; // uid -> resourceVersion, so that a re-list does not repeat
    int m_readyPods = -1;

    // Stages 2-4
    QPointer<taos::ClusterConnection> m_connection;
    QList<taos::Dnode> m_dnodes;
    QSet<int> m_joined;
    QList<int> m_mnodeTodo; // dnode ids that must carry an mnode, in order
    QSet<int> m_mnodeCreated;
    QSet<int> m_mnodeSeenReady;               // logged once each
    QHash<QString, QString> m_lastPollAnswer; // sql -> summary of its last answer
    QString m_lastConnectionText;
};

} // namespace tdkube::deploy
