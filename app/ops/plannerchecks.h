#pragma once

// The planner's preflight checks: what it finds in ClusterFacts before it builds a plan's steps, as
// Findings appended to the plan (a Blocking one keeps the plan from having steps). No I/O. Private to
// app/ops; planner.cpp builds the steps.

#include "ops/plan.h"
#include "ops/planner.h"

#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>

namespace tdkube::taos {
struct Dnode;
} // namespace tdkube::taos

namespace tdkube::ops::detail {

class Cluster;

void block(Plan *plan, const QString &code, const QString &reason, const QString &fix);
void warn(Plan *plan, const QString &code, const QString &reason, const QString &fix);

// --- every resize ---

// Pods not Ready, offline dnodes and dnodes without a pod: nothing may be resized while the
// cluster is already missing a member, because TDengine cannot move vnodes to or from it.
// `returning`: ordinals a scale-out brings back, whose offline dnodes are not a problem but the point.
void checkHealth(const Cluster &cluster, Plan *plan, const QSet<int> &returning = {});
// A running transaction: dropping a dnode or creating an mnode would conflict with it.
void checkTransactions(const Cluster &cluster, Plan *plan);

// --- scale-in ---

struct Leaving
{
    int ordinal = 0;
    int dnodeId = -1;
};

struct MnodeMove
{
    int from = 0;
    int to = 0;
};

// The ordinals from the highest down to `target`, each with its dnode (-1, and a finding, when none).
QList<Leaving> leavingOrdinals(const Cluster &cluster, int target, Plan *plan);
// Databases whose replica needs more dnodes than `target`.
void checkReplicas(const Cluster &cluster, int target, Plan *plan);
// Room on the staying dnodes for the leaving dnodes' vnodes.
void checkVnodeSlots(const Cluster &cluster, const QList<Leaving> &leaving, Plan *plan);
// Where each leaving dnode's mnode goes; the leader's, or one with nowhere to go, is a finding.
QList<MnodeMove> mnodeMoves(const Cluster &cluster, const QList<Leaving> &leaving, int target, Plan *plan);
// Whether TDengine would place every leaving dnode's vnodes, replayed drop by drop.
void checkPlacement(const Cluster &cluster, const QList<Leaving> &leaving, const QList<MnodeMove> &moves,
                    Plan *plan);
// Dnodes whose vnodes are gone while TDengine still places them there.
void checkLostVnodes(const ClusterFacts &facts, Plan *plan);
// Volumes a scale-in keeps (reclaim policy Retain) and single-replica vgroups it copies.
void warnScaleIn(const Cluster &cluster, const QList<Leaving> &leaving, Plan *plan);

// --- scale-out ---

// Ordinals of the scale-out whose dnode is still a member, offline, with its claim: they return.
QSet<int> returningOrdinals(const Cluster &cluster, int target, Plan *plan);
// Claims of the new ordinals left by an earlier scale-in, into `stale`.
void checkStaleClaims(const Cluster &cluster, int target, const ScaleOutOptions &options,
                      const QSet<int> &returning, Plan *plan, QStringList *stale);
// Storage classes the StatefulSet's claims ask for that the cluster does not have.
void checkStorageClasses(const Cluster &cluster, Plan *plan);

// --- repair ---

// An offline dnode whose pod is there, or is being recreated: nothing to drop, only to explain.
void warnOfflineDnode(const Cluster &cluster, const taos::Dnode &dnode, Plan *plan);
// A dnode that is dropping: what it waits for.
void explainDropping(const Cluster &cluster, const taos::Dnode &dnode, Plan *plan);
// Databases whose replica needs more than the `remaining` dnodes; true when there is one.
bool checkRemainingReplicas(const Cluster &cluster, int remaining, Plan *plan);

// --- rolling restarts (configuration changes, upgrades): plannerroll.cpp ---

// Vgroups and mnodes whole before a restart: a pod restarted while another replica is down takes a
// vgroup below its quorum.
void checkWhole(const Cluster &cluster, Plan *plan);
// The StatefulSet rolls through rollingUpdate.partition: not OnDelete, and no rollout under way.
void checkRollout(const Cluster &cluster, Plan *plan);
// Replica-1 databases cannot be read or written while the pod holding a vgroup restarts.
void warnReplica1Restart(const Cluster &cluster, Plan *plan);
// The RollPod step of `ordinal`; `version`, when given, is the TDengine version its dnode must run after.
Step rollStep(const Cluster &cluster, int ordinal, const QString &title, const QString &version = {});

} // namespace tdkube::ops::detail
