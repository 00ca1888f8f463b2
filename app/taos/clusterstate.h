#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace tdkube::taos {

// What TDengine says about itself (information_schema.ins_dnodes, ins_mnodes, ins_databases,
// ins_vgroups, show transactions), in types a person's questions are asked in.

// A dnode's status word, read by its prefix: TDengine marks a dnode that is dropping or being created
// and offline besides with a `*` (`dropping*`, `creating*`; FACTS.md section 1, mndDnode.c).
enum class DnodeState {
    Ready,
    Offline,
    Dropping,
    Creating,
    Unknown,
};

struct Dnode
{
    int id = 0;
    QString endpoint; // "tdengine-0.taosd.db.svc.cluster.local:6030"
    int vnodes = 0;
    int supportVnodes = 0;
    QString status; // "ready", "offline", "dropping", "dropping*", "creating", "creating*"
    QDateTime createTime;
    QDateTime rebootTime;
    QString note;

    DnodeState state() const;
    // Sends its status: ready, or dropping/creating without the `*`.
    bool isOnline() const;
};

struct Mnode
{
    int id = 0;
    QString endpoint;
    QString role;       // "leader", "follower", "candidate", "learner", "offline", "error"
    QString status;     // "ready", "offline", "creating", "dropping"
    QDateTime roleTime; // its last role change (reboot_time in 3.0, role_time later: taos/versions.h)

    // Takes part in the mnode group: status `ready` says only that its dnode is online, whatever the
    // role (candidate, error; 3.3 shows `offline` with `ready` right after `create mnode`), so both count
    // (FACTS.md sections 1 and 7).
    bool isServing() const;
};

struct Database
{
    QString name;
    int replica = 1;
    int vgroups = 0;
    qint64 tables = 0;
    QString keep;
    QString precision;
};

// TDengine's own databases: no user data, no replica to keep, no rows to count.
inline bool isSystemDatabase(const QString &name)
{
    return name == u"information_schema" || name == u"performance_schema";
}

// A replica's v*_status, read by its prefix where TDengine decorates it (FACTS.md sections 1 and 7):
// `leader*`/`leader**` is a leader not yet restored, 3.3 pads `assigned `.
enum class VnodeRole {
    Leader,
    LeaderNotRestored,
    Follower,
    Candidate,
    Learner,
    Offline,
    Dropping,
    Error,
    Assigned,
    Unknown,
};
VnodeRole vnodeRole(const QString &status);

struct Vnode
{
    int dnodeId = 0;
    QString role; // as TDengine says it: "leader", "leader*", "follower", "offline", "dropping", ...
    // Its raft log indexes (3.3's vN_applied/committed; -1 where TDengine does not say, as 3.0): a
    // replica that has applied less than it committed is still catching up.
    qint64 applied = -1;
    qint64 committed = -1;

    VnodeRole state() const { return vnodeRole(role); }
    bool isCatchingUp() const { return applied >= 0 && committed >= 0 && applied < committed; }
    // Leader or follower, nothing in between: what a vgroup needs of every replica to be whole.
    bool isHealthy() const;
};

struct Vgroup
{
    int id = 0;
    QString database;
    qint64 tables = 0;
    QList<Vnode> vnodes;
};

// A row of performance_schema.perf_trans (= `show transactions`; FACTS.md sections 1 and 3). Its
// last_action_info reads "action:N code:0xC(TEXT) msgType:T numOfEps:K inUse:I ep:0-FQDN:PORT ..."
// (mndRetrieveTrans in mndTrans.c). While an action is in flight the code is 0x111 "Action in progress"
// (3.0) or 0x3d8 "Wrong transaction execution context" (3.3): progress, not an error.
// As many failures in a row as make TDengine answer the waiting client with an error (mndTransSendRpcRsp).
constexpr int kStuckTransactionFailures = 6;
struct Transaction
{
    int id = 0;
    QString stage;
    QString operation; // e.g. "drop-dnode", "redistribute-vgroup"
    QString database;
    QDateTime createTime;
    int failedTimes = 0; // since its last action that succeeded
    QString lastAction;  // last_action_info, as TDengine wrote it

    int lastActionCode() const; // the code in lastAction (errno & 0xffff); 0 when there is none
    // Its last action failed with an error, not one of those TDengine waits through (in progress,
    // not leader, restoring, a replica catching up).
    bool isFailing() const;
    // Failing again and again: it will not end until what it needs comes back (often an offline dnode).
    bool isStuck() const { return isFailing() && failedTimes >= kStuckTransactionFailures; }
    // "transaction 12 (drop-dnode, stage redoAction): action 4 (alter-confirm to EP) under way", or
    // "... failed 9 times: Unable to establish connection (0x000B)".
    QString describe() const;
    // For a stuck one: what to look at, and what `kill transaction ID` would do.
    QString advice() const;
    // describe(), and for a stuck one its advice after it.
    QString report() const { return isStuck() ? describe() + QStringLiteral(". ") + advice() : describe(); }
};

struct ClusterSnapshot
{
    QString serverVersion; // `select server_version()`, e.g. "3.0.5.2.alpha"
    QString clusterId;     // information_schema.ins_cluster
    QString clusterName;
    qint64 uptimeSeconds = -1;
    QList<Dnode> dnodes;
    QList<Mnode> mnodes;
    QList<Database> databases;
    QList<Vgroup> vgroups;
    QList<Transaction> transactions;
    QDateTime takenAt;
};

// The pod name a dnode endpoint belongs to ("tdengine-2.taosd.db.svc.cluster.local:6030" -> "tdengine-2").
QString podOfEndpoint(const QString &endpoint);
// Vnodes per dnode id, counted from the vgroups, split by role.
struct VnodeCount
{
    int leaders = 0;
    int followers = 0;
    int others = 0;
    int total() const { return leaders + followers + others; }
};
QHash<int, VnodeCount> vnodesPerDnode(const QList<Vgroup> &vgroups);

// The mnodes at a glance: how many are ready, which leads (empty: none), and whether they have the
// majority TDengine needs (a leader and more than half of them ready).
struct MnodeHealth
{
    qsizetype ready = 0; // serving: status ready and role leader or follower (Mnode::isServing())
    QString leaderEndpoint;
    bool quorum = false;
};
MnodeHealth mnodeHealth(const QList<Mnode> &mnodes);

// Vnodes TDengine still places on a dnode that does not have them: a taosd back on an empty data
// directory (a pod on a new claim) gets its old dnode id from the mnode, and TDengine community never
// rebuilds its vnodes (`restore dnode` is enterprise-only; FACTS.md section 4). Two signs:
// - its vnodes `offline` for longer than kLostVnodeGraceSeconds after the dnode (re)started, while no
//   transaction runs (observed on 3.3.6.6, applied/committed 0/0, when the pod stayed away long enough
//   for the mnode to see the dnode offline);
// - its pod's data claim created after the dnode joined (by more than kClaimClockSkewSeconds, as the
//   API server's clock and taosd's may differ; a first claim always comes seconds before its dnode,
//   since the pod and its taosd start only once it exists): when the pod comes back within seconds the mnode
//   never sees it offline and keeps showing the roles its vnodes had (leader, follower) while they are gone:
//   reads of a replica-1 vgroup fail with 0x0503, a stale leader sends clients to the empty dnode
//   (observed on 3.0.5.2 and 3.3.6.6; mndProcessStatusReq, mndCheckDnodeOffline). Only Kubernetes shows it.
constexpr int kLostVnodeGraceSeconds = 30;
constexpr int kClaimClockSkewSeconds = 5;
struct LostVnodes
{
    Dnode dnode;
    QList<int> vgroups;        // whose replica on it is gone
    QStringList databases;     // theirs, sorted
    QStringList lostDatabases; // those of them with replica 1: that data is gone
    QDateTime claimCreated;    // valid when found by the pod's newer claim
    QString describe() const;  // "dnode 3 (ENDPOINT) is ready, but …": what, why, and the fix
};
// `dataClaimCreated`: pod name -> creation time of its data claim (dataClaimsCreated()); empty: the
// second sign is not looked for.
QList<LostVnodes> lostVnodes(const ClusterSnapshot &snapshot, const QDateTime &now,
                             const QHash<QString, QDateTime> &dataClaimCreated = {});
// For each pod of `statefulSet`, the creation time of its claim of the template mounted at
// /var/lib/taos (TDengine's data directory; the first template when none is), from `claims`.
QHash<QString, QDateTime> dataClaimsCreated(const QJsonObject &statefulSet, const QList<QJsonObject> &claims);

struct HealthWarning
{
    enum class Severity {
        Info,
        Warning,
        Critical,
    };
    Severity severity = Severity::Warning;
    QString title; // one line: "dnode 3 is offline"
    QString text;  // why it matters and what to do
};

// The conditions a DBA must not miss, in plain words with the next step: an offline dnode, a
// dnode without a pod (scaled in without `drop dnode`), a pod without a dnode (it did not join),
// fewer than 3 mnodes with 3 or more dnodes, no mnode leader or a lost quorum, a database whose
// replica exceeds the ready dnodes, a ready dnode without its vnodes (lostVnodes(), at the snapshot's
// takenAt), stale volume claims, running transactions.
// `pods` are the cluster's pods (by StatefulSet ownership); `staleClaims` as kube::staleClaims().
QList<HealthWarning> assessHealth(const ClusterSnapshot &snapshot, const QJsonObject &statefulSet,
                                  const QList<QJsonObject> &pods, const QHash<QString, QString> &staleClaims,
                                  const QHash<QString, QDateTime> &dataClaimCreated = {});

} // namespace tdkube::taos
