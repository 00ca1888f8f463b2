#pragma once

#include "ops/journal.h"
#include "ops/plan.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QTimer>

#include <functional>
#include <utility>

namespace tdkube::kube {
class KubeClient;
class ResourceWatch;
struct KubeResponse;
} // namespace tdkube::kube

namespace tdkube::taos {
class ClusterConnection;
class PasswordStore;
class Result;
struct Dnode;
struct TaosError;
struct Vgroup;
} // namespace tdkube::taos

namespace tdkube::ops {

class ClusterRecord;
class Lease;

// Runs a plan's steps in order against the cluster, recording each in a Journal before it starts
// and after it ends, so that an operation cut short (tdkube killed, the machine rebooted) is resumed
// where it stopped. The step that was running is run again on resume, so every step first looks at
// the cluster: an mnode that exists is not created again, a dnode already gone is not dropped again
// (one `dropping` is waited for), a StatefulSet already at its replicas is not scaled, a claim
// already gone is not deleted.
//
// Safety does not rest on the planner alone: right before deleting each claim, the executor checks
// that the dnode of its ordinal is gone from ins_dnodes and that its pod does not exist, and
// otherwise fails the step having deleted nothing; before scaling a StatefulSet in, that no dnode of a
// leaving pod is left. Every decision that rests on a row being absent (a dnode or an mnode gone, a
// claim's dnode gone) reads the table complete first (taos::incompleteRead: an answer can be cut short
// and still say code 0), and waits while it is not.
//
// Before the first step, the row count of every user table and super table is recorded in the
// journal; Verify compares against it. The databases a plan gives up (Plan::lostDatabases) are
// neither counted nor compared. A count that gets no answer (a vgroup without a leader) is tried
// again for setCountPatience(), then the operation fails naming the table and TDengine's error. A lease on
// the StatefulSet (Lease) keeps a second tdkube off the cluster while the operation runs; it is taken before
// anything else and released at the end. A deletion holds it until its StatefulSet goes (the lease is one of
// its annotations), and asks nothing of TDengine.
//
// Every wait polls the cluster and fails once it made no progress for setStepTimeout() (the timer
// starts again whenever what it waits for changes, so that a long `drop dnode` that keeps moving
// vnodes goes on); its message says what did not happen and where to look. A wait also looks again
// at once when what it waits for may have happened (`drop dnode` answered, a pod of the namespace
// changed: pod waits watch the pods, the SQL connection came up), so a step ends when the cluster is
// done with it, not up to a poll interval later. finished() is emitted exactly once per
// start()/resume(), after the lease was released. Destroying a running Executor stops it where it is
// (as a crash would): the journal still says which step was running, and its lease expires. `client`
// and `passwords` must outlive it.
//
// Test hook: TDKUBE_TEST_CRASH_AT="<step index>:before|after" (0-based) makes the process _exit(86)
// right after the journal recorded that step as running (before) or as ended (after).
class Executor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Executor)

public:
    static constexpr int kDefaultStepTimeoutMs = 10 * 60 * 1000; // without progress
    static constexpr int kDefaultCountPatienceMs = 60 * 1000;
    static constexpr int kDefaultPollIntervalMs = 1000;
    static constexpr int kCrashExitCode = 86;

    Executor(kube::KubeClient *client, taos::PasswordStore *passwords, QObject *parent = nullptr);
    ~Executor() override;

    // A new operation: a new journal, then the steps from the first. Refused (finished(false, ..))
    // when the plan is blocked or empty.
    void start(const Plan &plan);
    // Continues an unfinished operation (Journal::unfinished()) at its first step not done.
    void resume(const Journal &journal);
    // Stops at the next safe point: between steps. Never during `drop dnode`, which TDengine
    // finishes regardless; the log says so.
    void requestCancel();
    // Ends a step that waits for pods (WaitPodsReady, WaitPodsGone) as failed, with `reason`: what the
    // caller found will not fix itself (a pod that cannot be scheduled). The operation stops there, the
    // lease is released, and a resume once the cause is fixed waits again. False (nothing changes) when
    // no such step is running.
    bool failWaitingStep(const QString &reason);

    void setStepTimeout(int ms) { m_stepTimeoutMs = ms; }
    void setCountPatience(int ms) { m_countPatienceMs = ms; }
    void setPollInterval(int ms) { m_pollTimer.setInterval(ms); }
    void setLeaseTimes(int durationMs, int renewIntervalMs);
    // Tests stand in for another tdkube instance (Lease::setHolder()).
    void setLeaseHolder(const QString &holder) { m_leaseHolder = holder; }

    bool isRunning() const { return m_running; }
    const Journal &journal() const { return m_journal; }
    // The copy of the journal kept in the cluster (written from when the lease is taken): its
    // unavailable() is also said in the log.
    ClusterRecord *clusterRecord() const { return m_record; }
    int currentStep() const { return m_step; }

signals:
    void stepStarted(int index);
    // What the step waits for now: "transaction 7 (drop-dnode, stage action); 2 vnodes left on dnode 5".
    void stepProgress(int index, const QString &text);
    void stepFinished(int index, bool ok, const QString &message);
    // A timestamped line for the log view: every statement and change sent, every answer. No secret.
    void logLine(const QString &line);
    void finished(bool ok, const QString &message);

private:
    using Answered = std::function<void(const taos::Result &result)>;
    using Failed = std::function<void(const taos::TaosError &error)>;
    using Counted = std::function<void(const QMap<QString, qint64> &counts)>;
    using CountFailed = std::function<void(const QString &table, const QString &error)>;

    void begin();
    // Takes the lease on the StatefulSet, then prepares (leaseAcquired()).
    void takeLease();
    // A new Lease with this executor's holder and times, `acquired` answering to `onAcquired`.
    void makeLease(const std::function<void(bool ok, const QString &message)> &onAcquired);
    void leaseAcquired(bool ok, const QString &message);
    void prepare();
    // The SQL connection (port-forward to taosAdapter, login) the steps on TDengine use.
    void connectSql();
    void recordRowCounts();
    void rowsRecorded(const QMap<QString, qint64> &counts);
    void listNormalTables(QStringList databases, QStringList tables, const QDeadlineTimer &patience);
    // `what`: "the rows of DB.TABLE" or "the rows of DB (listing its tables failed)".
    void cannotCountBefore(const QString &what, const QString &database, const QString &error);
    void countRows(const QStringList &tables, const Counted &done, const CountFailed &failed);
    void countNext(QStringList tables, QMap<QString, qint64> counts, const Counted &done,
                   const CountFailed &failed, const QDeadlineTimer &patience);
    // A read that failed with `error` is tried again (`again`) at the next poll interval, saying
    // `waitingFor` meanwhile, until `patience` expires: then `expired(error)`.
    void retryWithin(const QDeadlineTimer &patience, const QString &waitingFor, const QString &error,
                     const std::function<void()> &again,
                     const std::function<void(const QString &error)> &expired);
    int tryTimeout(const QDeadlineTimer &patience) const; // ms for one try of a bounded read
    void runStep(int index);
    void dispatch(const Step &step);
    void completeStep(bool ok, const QString &message);
    bool crashHook(int index, const char *boundary);

    // Steps on TDengine (executorsteps.cpp)
    void createMnode(const Step &step);
    void createMnodeOn(int id, const QString &endpoint);
    void dropMnode(const Step &step);
    void dropDnode(const Step &step);
    void dropDnodeProgress(int dnodeId);
    void waitDnodesReady(const Step &step);
    void balanceVgroup(const Step &step);
    void balanceProgress();
    void unlessItGoesOn(const QString &oper, const taos::TaosError &error,
                        const std::function<void()> &goesOn, const std::function<void()> &settled);
    void verify(const Step &step);
    void checkDataClaims(const QList<taos::Dnode> &dnodes, const std::function<void()> &then);
    void verifyRows(int ready);
    void verifyCounts(int ready);
    void whenVgroupsHealthy(const std::function<void()> &then);
    void failIfVnodesLost(const QList<taos::Vgroup> &vgroups);

    // Steps that change the configuration and roll the pods (executorrollsteps.cpp)
    void updateConfigMap(const Step &step);
    void alterDnodes(const Step &step);
    void alterNext(const QStringList &statements, int index);
    void holdRollout(const Step &step);
    void rollPod(const Step &step);
    void lowerPartition(int from, int to);
    void checkRolled(const QString &pod, const QString &revision, int dnodeId, const QString &version);
    void checkRejoined(const QString &pod, int dnodeId, const QString &version);
    void checkDnodeVersion(int dnodeId, const QString &version, const std::function<void()> &then);
    void checkClusterWhole(const QString &pod, int dnodeId, const QString &version);
    // Steps on the StatefulSet, its pods and its claims (executorkubesteps.cpp)
    void applyObjects(const Step &step);
    void applied(bool ok, const QString &message);
    void deleteObjects(const Step &step);
    void deleteNext(const QList<QJsonObject> &objects, int index);
    void leaseGoneWithStatefulSet();
    void checkClusterGone(const QString &claim, const std::function<void(const QString &refusal)> &then);
    void verifyDeleted();
    void verifyGone(const QList<std::pair<QString, QString>> &items, int index, const QStringList &left);
    QJsonObject withLease(QJsonObject statefulSet) const;
    void scaleStatefulSet(const Step &step);
    void scaleInChecked(int current, int replicas);
    void scaleTo(int current, int replicas);
    void waitPodsGone(const Step &step);
    void waitPodsReady(const Step &step);
    void deleteClaims(const Step &step);
    void checkClaims(const QStringList &claims, int index);
    void checkClaim(const QString &claim, const std::function<void(const QString &refusal)> &then);
    void deleteClaim(const QStringList &claims, int index);
    void describeClaim(const QString &claim, const std::function<void(const QString &consequence)> &then);
    QString claimPod(const QString &claim) const;

    // Shared
    void poll(std::function<void()> tick);
    void again();
    void pollNow();
    void watchPods();
    void stopWatchingPods();
    void waiting(const QString &what);
    void sql(const QString &sql, Answered answered, Failed failed = {});
    void readComplete(const QString &select, Answered answered);
    // `timeoutMs`: as QueryOptions::timeoutMs (-1, the statement's default).
    void send(const QString &statement, Answered answered, Failed failed, bool logged, int timeoutMs = -1);
    void listPods(const std::function<void(const QList<QJsonObject> &pods)> &done);
    // Inside a poll()ed tick: a transient API answer waits for the next look (true), else false.
    bool retryApi(const kube::KubeResponse &response, const QString &waitingFor);
    void stepTimedOut();
    QString timeoutAdvice(const Step &step) const;
    void log(const QString &line);
    void fail(const QString &message);
    void finish(bool ok, const QString &message);
    void teardown();

    QPointer<kube::KubeClient> m_client;
    QPointer<taos::PasswordStore> m_passwords;
    Journal m_journal;
    QString m_leaseHolder;
    QDateTime m_rollBaseline; // RollPod: the dnode's reboot time before its pod was let restart
    int m_leaseDurationMs = 0;
    int m_leaseRenewMs = 0;
    QPointer<Lease> m_lease;
    // A deploy of a StatefulSet that does not exist yet: the lease comes with it (ApplyObjects), and the
    // cluster's record from then on.
    bool m_leaseDeferred = false;
    ClusterRecord *m_record = nullptr; // a child
    QPointer<taos::ClusterConnection> m_connection;
    bool m_running = false;
    bool m_cancelRequested = false;
    QString m_leaseLost;
    int m_run = 0; // bumped by every begin() and finish(), so that stale answers are dropped
    int m_step = -1;
    int m_stepTimeoutMs = kDefaultStepTimeoutMs;
    int m_countPatienceMs = kDefaultCountPatienceMs;
    QTimer m_stepTimer;
    QTimer m_pollTimer;
    std::function<void()> m_tick;
    bool m_pollNow = false;                   // a look at once is queued (pollNow())
    bool m_awaitingConnection = false;        // a statement waits for the SQL connection to come up
    QPointer<kube::ResourceWatch> m_podWatch; // during pod waits
    QString m_waitingFor;
    QString m_lastProgress;
    QSet<QString> m_seenProgress;            // every state the step was in: a new one is progress
    QString m_incomplete;                    // why the step's last complete read was not: an answer cut short
    bool m_issued = false;                   // the step's statement or change was sent
    bool m_balanceInBackground = false;      // `balance vgroup` answered an error, its transaction goes on
    QHash<QString, qint64> m_catchUpTargets; // "vgroup/dnode": the commit index a lagging replica is to reach
    int m_resolvedDnode = 0; // CreateMnode on a dnode known by its endpoint: its id, once found
    bool m_finishing = false;
    bool m_newOperation = false; // start(), not resume()
};

} // namespace tdkube::ops
