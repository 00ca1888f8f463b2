#include "ops/planner.h"

#include "kube/objects.h"
#include "ops/planner_p.h"
#include "taos/clusterstate.h"

#include <QSet>

#include <algorithm>
#include <optional>

namespace tdkube::ops {

namespace {

using namespace Qt::StringLiterals;
using namespace detail;
using Severity = Finding::Severity;

Step makeStep(Step::Kind kind, const QString &title, const QString &detail, int dnodeId = 0)
{
    Step step;
    step.kind = kind;
    step.title = title;
    step.detail = detail;
    step.dnodeId = dnodeId;
    return step;
}

Plan emptyPlan(const Cluster &cluster, OperationKind kind, int target)
{
    Plan plan;
    plan.kind = kind;
    plan.ns = cluster.ns();
    plan.statefulSet = cluster.name();
    plan.fromReplicas = cluster.replicas();
    plan.toReplicas = target;
    return plan;
}

void block(Plan *plan, const QString &code, const QString &reason, const QString &fix)
{
    plan->findings.append({Severity::Blocking, code, reason, fix});
}

void warn(Plan *plan, const QString &code, const QString &reason, const QString &fix)
{
    plan->findings.append({Severity::Warning, code, reason, fix});
}

QString podState(const QJsonObject &pod)
{
    const QString phase = kube::valueAt(pod, u"status.phase"_s).toString();
    return (phase.isEmpty() ? u"in an unknown phase"_s : phase) +
           (isPodReady(pod) ? u" and Ready"_s : u" and not Ready"_s);
}

// Pods not Ready, offline dnodes and dnodes without a pod: nothing may be resized while the
// cluster is already missing a member, because TDengine cannot move vnodes to or from it.
// `returning`: ordinals a scale-out brings back, whose offline dnodes are not a problem but the point.
void checkHealth(const Cluster &cluster, Plan *plan, const QSet<int> &returning = {})
{
    for (int ordinal = 0; ordinal < cluster.replicas(); ++ordinal) {
        const QString pod = cluster.pod(ordinal);
        if (!cluster.hasPod(pod)) {
            block(
                plan, u"pod-not-ready"_s,
                u"Pod %1 does not exist, although StatefulSet %2 has %3 replicas."_s.arg(pod, cluster.name())
                    .arg(cluster.replicas()),
                u"Wait until the StatefulSet has created it and it is Ready; if it is not created, look at "
                "the StatefulSet's events (kubectl describe statefulset %1)."_s.arg(cluster.name()));
        } else if (!isPodReady(cluster.podObject(pod))) {
            block(
                plan, u"pod-not-ready"_s,
                u"Pod %1 is %2: its dnode cannot take part in moving data."_s.arg(
                    pod, podState(cluster.podObject(pod))),
                u"Look at the pod's events and logs (kubectl describe pod %1; kubectl logs %1) and try again "
                "once it is Ready."_s.arg(pod));
        }
    }
    for (const taos::Dnode &dnode : cluster.snapshot().dnodes) {
        const QString pod = cluster.podOfDnode(dnode);
        const int ordinal = cluster.ordinalOf(dnode.endpoint);
        if ((!cluster.hasPod(pod) && ordinal >= 0 && ordinal < cluster.replicas()) ||
            returning.contains(ordinal))
            continue; // the StatefulSet recreates the pod: "pod-not-ready" says so
        if (!cluster.hasPod(pod)) {
            block(
                plan, u"dnode-without-pod"_s,
                u"dnode %1 (%2) is still a member of the cluster, but its pod %3 does not exist: the "
                "StatefulSet was scaled in without `drop dnode`. Its vnodes are unavailable."_s.arg(dnode.id)
                    .arg(dnode.endpoint, pod),
                u"Repair the cluster first (tdkube's Repair drops the dnode with `drop dnode %1 force` and "
                "says what that costs), or scale the StatefulSet back out so that %2 returns with its data."_s
                    .arg(dnode.id)
                    .arg(pod));
        } else if (dnode.state() == taos::DnodeState::Offline) {
            block(plan, u"offline-dnode"_s,
                  u"dnode %1 (%2) is offline; its pod %3 is %4."_s.arg(dnode.id).arg(
                      dnode.endpoint, pod, podState(cluster.podObject(pod))),
                  u"Bring it back first: look at the pod's events and logs (kubectl describe pod %1; kubectl "
                  "logs %1), then try again."_s.arg(pod));
        } else if (dnode.state() == taos::DnodeState::Dropping) {
            block(
                plan, u"dnode-dropping"_s,
                u"dnode %1 (%2) is being dropped: its vnodes are still moving."_s.arg(dnode.id).arg(
                    dnode.endpoint),
                u"Wait until it has left `show dnodes` (its transaction is in `show transactions`), then try "
                "again."_s);
        }
    }
}

void checkTransactions(const Cluster &cluster, Plan *plan)
{
    const QList<taos::Transaction> &transactions = cluster.snapshot().transactions;
    if (transactions.isEmpty())
        return;
    QStringList names;
    QStringList stuck;
    for (const taos::Transaction &transaction : transactions) {
        names.append(transaction.describe());
        if (transaction.isStuck())
            stuck.append(transaction.advice());
    }
    block(plan, u"transaction-running"_s,
          u"TDengine is running %1: %2. Dropping a dnode or creating an mnode conflicts with a running "
          "transaction, and TDengine would refuse it half-way."_s.arg(
              counted(transactions.size(), u"transaction"_s), names.join(u"; "_s)),
          u"Wait until `show transactions` is empty, then plan again."_s +
              (stuck.isEmpty() ? u" A transaction that never ends names its error in `show transactions`."_s
                               : u' ' + stuck.join(u' ')));
}

// --- scale-in ---------------------------------------------------------------------------------

struct Leaving
{
    int ordinal = 0;
    int dnodeId = -1;
};

QList<Leaving> leavingOrdinals(const Cluster &cluster, int target, Plan *plan)
{
    QList<Leaving> leaving;
    for (int ordinal = cluster.replicas() - 1; ordinal >= target; --ordinal) {
        const int dnodeId = cluster.dnodeOf(ordinal);
        if (dnodeId < 0) {
            block(
                plan, u"dnode-not-found"_s,
                u"No dnode has the endpoint of pod %1 (%2): tdkube cannot tell which dnode to drop."_s.arg(
                    cluster.pod(ordinal), cluster.host(ordinal)),
                u"Check `show dnodes`: the pod may not have joined (see its logs), or its TAOS_FQDN differs "
                "from the StatefulSet's serviceName. Repair that before scaling in."_s);
        }
        leaving.append({ordinal, dnodeId});
    }
    return leaving;
}

void checkReplicas(const Cluster &cluster, int target, Plan *plan)
{
    for (const taos::Database &database : cluster.snapshot().databases) {
        if (taos::isSystemDatabase(database.name) || database.replica <= target)
            continue;
        block(plan, u"below-replica"_s,
              u"Database %1 has replica %2: it needs %2 dnodes, and the scale-in would leave %3. Its vgroups "
              "could not keep a majority and every query on it would fail."_s.arg(database.name)
                  .arg(database.replica)
                  .arg(counted(target, u"dnode"_s)),
              u"Choose a target of %1 or more dnodes."_s.arg(database.replica));
    }
}

void checkVnodeSlots(const Cluster &cluster, const QList<Leaving> &leaving, Plan *plan)
{
    QSet<int> leavingIds;
    int moving = 0;
    for (const Leaving &entry : leaving) {
        leavingIds.insert(entry.dnodeId);
        moving += cluster.vnodesOn(entry.dnodeId);
    }
    int free = 0;
    for (const taos::Dnode &dnode : cluster.snapshot().dnodes) {
        if (!leavingIds.contains(dnode.id))
            free += std::max(0, dnode.supportVnodes - cluster.vnodesOn(dnode.id));
    }
    if (moving <= free)
        return;
    block(plan, u"too-few-vnode-slots"_s,
          u"The leaving dnodes hold %1, but the dnodes that stay have room for only %2 more (support_vnodes "
          "minus the vnodes they hold)."_s.arg(counted(moving, u"vnode"_s))
              .arg(free),
          u"Keep more dnodes, raise supportVnodes in taos.cfg, or drop databases you no longer need."_s);
}

struct MnodeMove
{
    int from = 0;
    int to = 0;
};

QList<MnodeMove> mnodeMoves(const Cluster &cluster, const QList<Leaving> &leaving, int target, Plan *plan)
{
    QSet<int> leavingIds;
    for (const Leaving &entry : leaving)
        leavingIds.insert(entry.dnodeId);
    QList<int> free; // staying dnodes without an mnode, lowest id first
    for (const taos::Dnode &dnode : cluster.snapshot().dnodes) {
        if (!leavingIds.contains(dnode.id) && !cluster.hasMnode(dnode.id) && dnode.status == u"ready")
            free.append(dnode.id);
    }
    QList<MnodeMove> moves;
    for (const Leaving &entry : leaving) {
        if (entry.dnodeId < 0 || !cluster.hasMnode(entry.dnodeId))
            continue;
        if (cluster.isLeaderMnode(entry.dnodeId)) {
            // mndProcessDropMnodeReq and mndProcessDropDnodeReq both refuse the leader's dnode, and
            // TDengine has no statement that hands mnode leadership over.
            block(plan, u"mnode-leader-leaving"_s,
                  u"dnode %1 (pod %2) holds the leader mnode: TDengine refuses to drop the leader mnode, and "
                  "to drop its dnode."_s.arg(entry.dnodeId)
                      .arg(cluster.pod(entry.ordinal)),
                  u"Move the leadership first: restart pod %1 (kubectl delete pod %1); while it restarts the "
                  "other mnodes elect a new leader, and it comes back as a follower. Then plan again."_s.arg(
                      cluster.pod(entry.ordinal)));
            continue;
        }
        if (free.isEmpty()) {
            const QString which =
                cluster.isLeaderMnode(entry.dnodeId) ? u"the leader mnode"_s : u"an mnode"_s;
            block(
                plan, u"mnode-cannot-move"_s,
                u"dnode %1 (pod %2) holds %3, and no dnode that stays is free to take it: TDengine keeps at "
                "most one mnode per dnode, and the cluster has %4 for %5 staying."_s.arg(entry.dnodeId)
                    .arg(cluster.pod(entry.ordinal), which, counted(cluster.mnodeCount(), u"mnode"_s),
                         counted(target, u"dnode"_s)),
                u"Keep at least %1 dnodes, so that every mnode has a dnode of its own, or drop an mnode by "
                "hand first if you accept fewer mnodes (fewer than 3 cannot survive losing one)."_s.arg(
                    cluster.mnodeCount()));
            continue;
        }
        moves.append({entry.dnodeId, free.takeFirst()});
    }
    return moves;
}

void warnScaleIn(const Cluster &cluster, const QList<Leaving> &leaving, Plan *plan)
{
    QStringList retained;
    for (const Leaving &entry : leaving) {
        for (const QString &claim : cluster.claimsOf(entry.ordinal)) {
            if (cluster.reclaimPolicyOf(claim) == u"Retain")
                retained.append(u"%1 (claim %2)"_s.arg(cluster.volumeOf(claim), claim));
        }
    }
    if (!retained.isEmpty()) {
        warn(
            plan, u"volumes-retained"_s,
            u"The reclaim policy of %1 is Retain: deleting their claims leaves the volumes Released, with "
            "the old data, and the disk space stays in use."_s.arg(retained.join(u", "_s)),
            u"Delete those PersistentVolumes (and their disks) yourself once you no longer need the data."_s);
    }
    QSet<int> leavingIds;
    for (const Leaving &entry : leaving)
        leavingIds.insert(entry.dnodeId);
    QStringList slow;
    for (const taos::Vgroup &vgroup : cluster.snapshot().vgroups) {
        if (cluster.replicaOf(vgroup.database) != 1 || slow.contains(vgroup.database))
            continue;
        for (const taos::Vnode &vnode : vgroup.vnodes) {
            if (leavingIds.contains(vnode.dnodeId)) {
                slow.append(vgroup.database);
                break;
            }
        }
    }
    if (!slow.isEmpty()) {
        warn(
            plan, u"replica1-vgroups-move"_s,
            u"Database(s) %1 keep a single replica, and some of their vgroups are on leaving dnodes: "
            "`drop dnode` copies them to the dnodes that stay. That is safe, but it takes as long as copying "
            "the data, and writes to those vgroups wait meanwhile."_s.arg(slow.join(u", "_s)),
            u"Run the scale-in at a quiet time."_s);
    }
}

QString dropDetail(const Cluster &cluster, int dnodeId)
{
    const int vnodes = cluster.vnodesOn(dnodeId);
    if (vnodes == 0)
        return u"dnode %1 holds no vnode, so `drop dnode %1` moves no data; tdkube waits until the dnode has "
               "left `show dnodes`."_s.arg(dnodeId);
    return u"`drop dnode %1` moves its %2 to the dnodes that stay; tdkube waits until the dnode has left "
           "`show dnodes`, showing progress from `show transactions`."_s.arg(dnodeId)
               .arg(counted(vnodes, u"vnode"_s));
}

QString claimsDetail(const Cluster &cluster, const QStringList &claims)
{
    QStringList lines;
    for (const QString &claim : claims) {
        const QString policy = cluster.reclaimPolicyOf(claim);
        const QString volume = cluster.volumeOf(claim);
        if (policy == u"Delete")
            lines.append(
                u"%1: its volume %2 is deleted with it (reclaim policy Delete), and the data is gone."_s.arg(
                    claim, volume));
        else if (policy == u"Retain")
            lines.append(
                u"%1: its volume %2 is kept, Released, with the data (reclaim policy Retain); delete it "
                "yourself when you no longer need it."_s.arg(claim, volume));
        else
            lines.append(u"%1: what happens to its volume depends on the PersistentVolume's reclaim policy, "
                         "which tdkube could not read."_s.arg(claim));
    }
    return u"Only once each dnode was dropped and its pod is gone. "_s + lines.join(u' ');
}

void addScaleInSteps(const Cluster &cluster, const QList<Leaving> &leaving, const QList<MnodeMove> &moves,
                     int target, Plan *plan)
{
    // TDengine keeps at most 3 mnodes: with 3, the leaving one (a follower) goes first and the
    // cluster runs on 2 until its replacement is ready; with fewer, the new one comes first.
    const int mnodes = cluster.mnodeCount();
    for (const MnodeMove &move : moves) {
        const Step create = makeStep(
            Step::Kind::CreateMnode, u"create mnode on dnode %1"_s.arg(move.to),
            u"Replaces the mnode of dnode %1, which leaves, on dnode %2, which stays; tdkube waits until it "
            "is a ready follower."_s.arg(move.from)
                .arg(move.to),
            move.to);
        const Step drop = makeStep(
            Step::Kind::DropMnode, u"drop mnode on dnode %1"_s.arg(move.from),
            mnodes >= 3
                ? u"dnode %1 leaves and holds an mnode (a follower). TDengine keeps at most 3 mnodes, "
                  "so it goes before its replacement on dnode %2 is created; until then the "
                  "cluster runs on 2."_s.arg(move.from)
                      .arg(move.to)
                : u"dnode %1 leaves and holds an mnode (a follower): it goes once its replacement on "
                  "dnode %2 is ready."_s.arg(move.from)
                      .arg(move.to),
            move.from);
        plan->steps.append(mnodes >= 3 ? drop : create);
        plan->steps.append(mnodes >= 3 ? create : drop);
    }
    QStringList pods;
    QStringList claims;
    for (const Leaving &entry : leaving) {
        const QString pod = cluster.pod(entry.ordinal);
        Step drop = makeStep(Step::Kind::DropDnode, u"drop dnode %1 (pod %2)"_s.arg(entry.dnodeId).arg(pod),
                             dropDetail(cluster, entry.dnodeId), entry.dnodeId);
        drop.pods = {pod};
        plan->steps.append(drop);
        pods.append(pod);
        claims += cluster.claimsOf(entry.ordinal);
    }
    Step scale = makeStep(Step::Kind::ScaleStatefulSet,
                          u"scale StatefulSet %1 to %2 replicas"_s.arg(cluster.name()).arg(target),
                          u"The dnodes of the leaving pods are gone, so their pods may stop."_s);
    scale.replicas = target;
    plan->steps.append(scale);
    Step gone = makeStep(Step::Kind::WaitPodsGone, u"wait for pods %1 to terminate"_s.arg(pods.join(u", "_s)),
                         u"Their claims are deleted only once no pod uses them."_s);
    gone.pods = pods;
    plan->steps.append(gone);
    if (!claims.isEmpty()) {
        Step remove = makeStep(Step::Kind::DeleteClaims, u"delete claims %1"_s.arg(claims.join(u", "_s)),
                               claimsDetail(cluster, claims));
        remove.claims = claims;
        plan->steps.append(remove);
    }
    Step verify = makeStep(Step::Kind::Verify, u"verify the cluster"_s,
                           u"%1 ready, mnodes healthy, and every database's row count as before."_s.arg(
                               counted(target, u"dnode"_s)));
    verify.replicas = target;
    plan->steps.append(verify);
}

// --- scale-out --------------------------------------------------------------------------------

// Ordinals of the scale-out whose dnode is still a member, offline, with its claim: a scale-in done by
// hand (seed 000, "error one"). Their pods return with their data and the dnodes come back online.
QSet<int> returningOrdinals(const Cluster &cluster, int target, Plan *plan)
{
    QSet<int> returning;
    for (const taos::Dnode &dnode : cluster.snapshot().dnodes) {
        const int ordinal = cluster.ordinalOf(dnode.endpoint);
        if (ordinal < cluster.replicas() || ordinal >= target || cluster.hasPod(cluster.pod(ordinal)) ||
            dnode.state() != taos::DnodeState::Offline || cluster.claimsOf(ordinal).isEmpty())
            continue;
        returning.insert(ordinal);
        plan->findings.append(
            {Severity::Info, u"dnode-returns"_s,
             u"dnode %1 (%2) is offline since pod %3 went without `drop dnode`; pod %3 returns with claim %4 "
             u"and "
             "the data in it, and the dnode comes back online."_s.arg(dnode.id)
                 .arg(dnode.endpoint, cluster.pod(ordinal), cluster.claimsOf(ordinal).join(u", "_s)),
             u"Nothing: its claim is kept. Scale in with tdkube later if you want fewer dnodes."_s});
    }
    return returning;
}

void checkStaleClaims(const Cluster &cluster, int target, const ScaleOutOptions &options,
                      const QSet<int> &returning, Plan *plan, QStringList *stale)
{
    for (int ordinal = cluster.replicas(); ordinal < target; ++ordinal) {
        if (!returning.contains(ordinal))
            *stale += cluster.claimsOf(ordinal);
    }
    if (stale->isEmpty())
        return;
    const QString reason =
        u"Claim(s) %1 exist for the new pods: an earlier scale-in left them. A pod that gets one back starts "
        "with the old dnode's data and identity and cannot join the cluster."_s.arg(stale->join(u", "_s));
    if (options.deleteStaleClaims) {
        warn(plan, u"stale-claim"_s, reason + u" They are deleted first, as you asked."_s,
             u"Nothing: the plan deletes them before it scales."_s);
    } else {
        block(plan, u"stale-claim"_s, reason,
              u"Let tdkube delete them first (the option \"delete stale claims\"), or delete them yourself "
              "(kubectl delete pvc %1) if you are sure their dnodes were dropped."_s.arg(stale->join(u' ')));
    }
}

void checkStorageClasses(const Cluster &cluster, Plan *plan)
{
    for (const QString &storageClass : cluster.storageClassesOfTemplates()) {
        if (cluster.hasStorageClass(storageClass))
            continue;
        block(plan, u"unknown-storage-class"_s,
              u"The StatefulSet's claims ask for storage class %1, which the cluster does not have: the new "
              "pods would stay Pending."_s.arg(storageClass),
              u"Create storage class %1, or change the StatefulSet's volumeClaimTemplates (kubectl get "
              "storageclass lists the ones there are)."_s.arg(storageClass));
    }
}

void addMnodeTopUp(const Cluster &cluster, int target, const QSet<int> &returning, Plan *plan)
{
    int missing = std::min(3, target) - cluster.mnodeCount();
    QList<taos::Dnode> dnodes = cluster.snapshot().dnodes;
    std::sort(dnodes.begin(), dnodes.end(),
              [](const taos::Dnode &a, const taos::Dnode &b) { return a.id < b.id; });
    for (const taos::Dnode &dnode : std::as_const(dnodes)) {
        if (missing <= 0)
            return;
        const bool willBeReady =
            dnode.status == u"ready" || returning.contains(cluster.ordinalOf(dnode.endpoint));
        if (cluster.hasMnode(dnode.id) || !willBeReady)
            continue;
        plan->steps.append(makeStep(Step::Kind::CreateMnode, u"create mnode on dnode %1"_s.arg(dnode.id),
                                    u"Up to 3 mnodes, so that the cluster survives losing one."_s, dnode.id));
        --missing;
    }
    // The new dnodes have no id yet: the executor finds each by its endpoint.
    for (int ordinal = cluster.replicas(); ordinal < target && missing > 0; ++ordinal) {
        if (returning.contains(ordinal))
            continue;
        --missing;
        Step create = makeStep(Step::Kind::CreateMnode,
                               u"create mnode on the dnode of pod %1"_s.arg(cluster.pod(ordinal)),
                               u"Up to 3 mnodes, so that the cluster survives losing one."_s);
        create.endpoints = {cluster.host(ordinal) + u':' + cluster.port()};
        plan->steps.append(create);
    }
}

void addScaleOutSteps(const Cluster &cluster, int target, const ScaleOutOptions &options,
                      const QSet<int> &returning, const QStringList &stale, Plan *plan)
{
    if (!stale.isEmpty()) {
        Step remove = makeStep(Step::Kind::DeleteClaims, u"delete stale claims %1"_s.arg(stale.join(u", "_s)),
                               claimsDetail(cluster, stale));
        remove.claims = stale;
        plan->steps.append(remove);
    }
    Step scale = makeStep(Step::Kind::ScaleStatefulSet,
                          u"scale StatefulSet %1 to %2 replicas"_s.arg(cluster.name()).arg(target),
                          u"The StatefulSet creates the new pods one at a time, each with a new claim."_s);
    scale.replicas = target;
    plan->steps.append(scale);
    QStringList pods;
    QStringList endpoints;
    for (int ordinal = cluster.replicas(); ordinal < target; ++ordinal) {
        pods.append(cluster.pod(ordinal));
        endpoints.append(cluster.host(ordinal) + u':' + cluster.port());
    }
    Step ready = makeStep(Step::Kind::WaitPodsReady, u"wait for %1 pods Ready"_s.arg(target),
                          u"New pods: %1."_s.arg(pods.join(u", "_s)));
    ready.replicas = target;
    ready.pods = pods;
    plan->steps.append(ready);
    Step joined =
        makeStep(Step::Kind::WaitDnodesReady, u"wait for %1 dnodes ready"_s.arg(target),
                 u"Each new pod registers its dnode; tdkube waits until `show dnodes` lists it ready."_s);
    joined.replicas = target;
    joined.endpoints = endpoints;
    plan->steps.append(joined);
    if (options.topUpMnodes && cluster.mnodeCount() < 3)
        addMnodeTopUp(cluster, target, returning, plan);
    if (options.balanceVgroups) {
        plan->steps.append(
            makeStep(Step::Kind::BalanceVgroup, u"balance vgroup"_s,
                     u"Moves vnodes onto the new dnodes; until then they hold none and serve no data."_s));
    }
    Step verify = makeStep(Step::Kind::Verify, u"verify the cluster"_s,
                           u"%1 ready, mnodes healthy, and every database's row count as before."_s.arg(
                               counted(target, u"dnode"_s)));
    verify.replicas = target;
    plan->steps.append(verify);
}

// --- repair -----------------------------------------------------------------------------------

// Databases whose data on `dnodeId` exists nowhere else: vgroups with a single vnode, there.
QStringList onlyCopiesOn(const Cluster &cluster, int dnodeId)
{
    QStringList databases;
    for (const taos::Vgroup &vgroup : cluster.snapshot().vgroups) {
        if (vgroup.vnodes.size() == 1 && vgroup.vnodes.first().dnodeId == dnodeId &&
            !databases.contains(vgroup.database))
            databases.append(vgroup.database);
    }
    return databases;
}

QStringList replicatedOn(const Cluster &cluster, int dnodeId)
{
    QStringList databases;
    for (const taos::Vgroup &vgroup : cluster.snapshot().vgroups) {
        if (vgroup.vnodes.size() < 2 || databases.contains(vgroup.database))
            continue;
        for (const taos::Vnode &vnode : vgroup.vnodes) {
            if (vnode.dnodeId == dnodeId) {
                databases.append(vgroup.database);
                break;
            }
        }
    }
    return databases;
}

void repairDnodeWithoutPod(const Cluster &cluster, const taos::Dnode &dnode, Plan *plan)
{
    const QString pod = cluster.podOfDnode(dnode);
    const QStringList lost = onlyCopiesOn(cluster, dnode.id);
    // TDengine takes `force` or `unsafe` (which implies force), never both: `unsafe` is the only
    // way it drops a dnode holding the last copy of a vgroup.
    const QString statement =
        u"drop dnode %1 %2"_s.arg(dnode.id).arg(lost.isEmpty() ? u"force"_s : u"unsafe"_s);
    warn(plan, u"dnode-without-pod"_s,
         u"dnode %1 (%2) is offline and its pod %3 does not exist: the StatefulSet was scaled in without "
         "`drop dnode`. TDengine keeps waiting for it, and a later scale-out cannot reuse the ordinal."_s
             .arg(dnode.id)
             .arg(dnode.endpoint, pod),
         cluster.claimsOf(cluster.ordinalOf(dnode.endpoint)).isEmpty()
             ? u"Drop it with `%1` (this plan)."_s.arg(statement)
             : u"Either scale the StatefulSet back out, so that %1 returns with its claim and the dnode "
               u"comes back "
               "online (nothing is lost), or drop it with `%2` (this plan)."_s.arg(pod, statement));
    QStringList consequences;
    const QStringList replicated = replicatedOn(cluster, dnode.id);
    if (!replicated.isEmpty())
        consequences.append(
            u"The vnodes of %1 are rebuilt from their other replicas."_s.arg(replicated.join(u", "_s)));
    Step drop = makeStep(Step::Kind::DropDnode, u"%1 (pod %2 is gone)"_s.arg(statement, pod), {}, dnode.id);
    drop.force = true;
    drop.pods = {pod};
    if (!lost.isEmpty()) {
        drop.unsafe = true;
        consequences.append(
            u"Database(s) %1 keep a single replica, and this dnode holds the only copy of some "
            "of their vgroups: that data is lost (`%2`)."_s.arg(lost.join(u", "_s), statement));
        for (const QString &database : lost) {
            if (!plan->lostDatabases.contains(database))
                plan->lostDatabases.append(database);
        }
        plan->confirmation = cluster.name();
        block(
            plan, u"replica1-data-lost"_s,
            u"dnode %1 holds the only copy of data of %2 (replica 1). Dropping it loses that data for "
            "good."_s.arg(dnode.id)
                .arg(lost.join(u", "_s)),
            u"If claim(s) of pod %1 still exist, scale the StatefulSet back out so that %1 returns with the "
            "data, then scale in with tdkube. To drop it anyway, type the cluster name %2 to confirm."_s.arg(
                pod, cluster.name()));
    }
    if (consequences.isEmpty())
        consequences.append(u"It holds no vnodes: nothing is moved or lost."_s);
    drop.detail = consequences.join(u' ');
    plan->steps.append(drop);
}

void explainDropping(const Cluster &cluster, const taos::Dnode &dnode, Plan *plan)
{
    QStringList transactions;
    QStringList stuck;
    for (const taos::Transaction &transaction : cluster.snapshot().transactions) {
        transactions.append(transaction.describe());
        if (transaction.isStuck())
            stuck.append(transaction.advice());
    }
    warn(plan, u"dnode-dropping"_s,
         u"dnode %1 (%2) is dropping: a drop-dnode transaction is moving its %3 to the other dnodes. %4"_s
             .arg(dnode.id)
             .arg(dnode.endpoint, counted(cluster.vnodesOn(dnode.id), u"vnode"_s),
                  transactions.isEmpty() ? u"No transaction is running now."_s
                                         : u"Running: "_s + transactions.join(u"; "_s) + u'.'),
         u"Leave its pod and its claim alone until the dnode has left `show dnodes`. "_s +
             (stuck.isEmpty()
                  ? u"`show transactions` shows the progress and, if it is stuck, the error (often a "
                    "dnode it needs is offline: bring that one back)."_s
                  : stuck.join(u' ')));
}

} // namespace

QString endpointHostOf(const ClusterFacts &facts, int ordinal)
{
    return Cluster(facts).host(ordinal);
}

QMap<int, int> dnodeByOrdinal(const ClusterFacts &facts)
{
    const Cluster cluster(facts);
    QMap<int, int> result;
    for (int ordinal = 0; ordinal < cluster.replicas(); ++ordinal)
        result.insert(ordinal, -1);
    for (const taos::Dnode &dnode : facts.snapshot.dnodes) {
        const int ordinal = cluster.ordinalOf(dnode.endpoint);
        if (ordinal >= 0)
            result.insert(ordinal, dnode.id);
    }
    return result;
}

// TDengine's placement of a dropped dnode's vnodes, replayed drop by drop in the plan's order
// (mndSetMoveVgroupsInfoToTrans and mndAddVnodeToVgroup in mndVgroup.c, 3.0.5.2 and 3.3.6.6): the
// candidates are the online dnodes other than the one dropped, with support_vnodes above 0; for each
// vgroup with a replica there, they are sorted by (vnodes + 0.9 if it holds an mnode) / support_vnodes
// and the first one without a replica of that vgroup takes it. When that one is full, the drop fails
// with no second choice (3.0: 0x0334 "Out of dnodes"; 3.3: 0x03BA "Vnodes exhausted"), and with no such
// dnode at all it fails with "Out of dnodes". Memory (0x03B1) is not known here and not replayed.
// Returns the first refusal, empty when every drop would place all its vnodes.
struct PlacementRefusal
{
    int droppedId = 0;
    taos::Vgroup vgroup;
    int fullId = 0; // the best candidate, full; 0 when no dnode is free of the vgroup
    int fullVnodes = 0;
};

std::optional<PlacementRefusal> replayPlacement(const Cluster &cluster, const QList<Leaving> &leaving,
                                                const QList<MnodeMove> &moves)
{
    struct Candidate
    {
        int id = 0;
        int vnodes = 0;
        int support = 0;
        bool mnode = false;
        double score() const { return (vnodes + (mnode ? 0.9 : 0.0)) / support; }
    };
    QSet<int> mnodes;
    for (const taos::Dnode &dnode : cluster.snapshot().dnodes) {
        if (cluster.hasMnode(dnode.id))
            mnodes.insert(dnode.id);
    }
    for (const MnodeMove &move : moves) { // the plan moves them before the first drop
        mnodes.remove(move.from);
        mnodes.insert(move.to);
    }
    QList<Candidate> dnodes;
    for (const taos::Dnode &dnode : cluster.snapshot().dnodes) {
        if (dnode.status == u"ready" && dnode.supportVnodes > 0) // mndIsDnodeOnline
            dnodes.append(
                {dnode.id, cluster.vnodesOn(dnode.id), dnode.supportVnodes, mnodes.contains(dnode.id)});
    }
    QList<taos::Vgroup> vgroups = cluster.snapshot().vgroups;
    std::sort(vgroups.begin(), vgroups.end(),
              [](const taos::Vgroup &a, const taos::Vgroup &b) { return a.id < b.id; });
    for (const Leaving &entry : leaving) {
        dnodes.removeIf([&entry](const Candidate &candidate) { return candidate.id == entry.dnodeId; });
        for (taos::Vgroup &vgroup : vgroups) {
            const auto replica =
                std::find_if(vgroup.vnodes.begin(), vgroup.vnodes.end(),
                             [&entry](const taos::Vnode &v) { return v.dnodeId == entry.dnodeId; });
            if (replica == vgroup.vnodes.end())
                continue;
            std::stable_sort(dnodes.begin(), dnodes.end(),
                             [](const Candidate &a, const Candidate &b) { return a.score() < b.score(); });
            const auto chosen =
                std::find_if(dnodes.begin(), dnodes.end(), [&vgroup](const Candidate &candidate) {
                    return std::none_of(
                        vgroup.vnodes.cbegin(), vgroup.vnodes.cend(),
                        [&candidate](const taos::Vnode &v) { return v.dnodeId == candidate.id; });
                });
            if (chosen == dnodes.end())
                return PlacementRefusal{entry.dnodeId, vgroup, 0, 0};
            if (chosen->vnodes >= chosen->support)
                return PlacementRefusal{entry.dnodeId, vgroup, chosen->id, chosen->vnodes};
            ++chosen->vnodes;
            replica->dnodeId = chosen->id;
        }
    }
    return std::nullopt;
}

void checkPlacement(const Cluster &cluster, const QList<Leaving> &leaving, const QList<MnodeMove> &moves,
                    Plan *plan)
{
    const std::optional<PlacementRefusal> refusal = replayPlacement(cluster, leaving, moves);
    if (!refusal)
        return;
    const taos::Vgroup &vgroup = refusal->vgroup;
    if (refusal->fullId == 0) {
        block(plan, u"vgroup-cannot-move"_s,
              u"`drop dnode %1` would be refused with \"Out of dnodes\" (0x0334): vgroup %2 of database %3 "
              "needs a dnode that holds none of its replicas, and every online dnode that stays holds one."_s
                  .arg(refusal->droppedId)
                  .arg(vgroup.id)
                  .arg(vgroup.database),
              u"Keep more dnodes, or bring the offline ones back online, then plan again."_s);
        return;
    }
    const taos::Dnode *full = cluster.dnode(refusal->fullId);
    block(plan, u"vgroup-placement-refused"_s,
          u"`drop dnode %1` would be refused: TDengine moves each of its vnodes to the least loaded dnode "
          "that holds no replica of that vgroup, and for vgroup %2 of database %3 that is dnode %4, which is "
          "full (%5 of %6 vnodes). TDengine does not try another dnode: it answers \"Out of dnodes\" "
          "(0x0334; \"Vnodes exhausted\", 0x03BA, from 3.3)."_s.arg(refusal->droppedId)
              .arg(vgroup.id)
              .arg(vgroup.database)
              .arg(refusal->fullId)
              .arg(refusal->fullVnodes)
              .arg(full ? full->supportVnodes : 0),
          u"Raise supportVnodes (TAOS_SUPPORT_VNODES) so that dnode %1 has room, keep more dnodes, or move "
          "vgroup %2 off the leaving dnodes first with `redistribute vgroup`."_s.arg(refusal->fullId)
              .arg(vgroup.id));
}

// A dnode whose vnodes are gone while TDengine still places them there (taos::lostVnodes: offline
// ones, or a pod on a claim newer than its dnode): each drop moves vnodes by their other replicas, so
// one replica short may become none. It is rebuilt first.
void checkLostVnodes(const ClusterFacts &facts, Plan *plan)
{
    const QDateTime now =
        facts.snapshot.takenAt.isValid() ? facts.snapshot.takenAt : QDateTime::currentDateTimeUtc();
    for (const taos::LostVnodes &lost :
         taos::lostVnodes(facts.snapshot, now, taos::dataClaimsCreated(facts.statefulSet, facts.claims)))
        block(plan, u"vnodes-lost"_s, lost.describe(),
              u"Rebuild dnode %1's vnodes as said, then plan the scale-in again."_s.arg(lost.dnode.id));
}

Plan planScaleIn(const ClusterFacts &facts, int target)
{
    const Cluster cluster(facts);
    Plan plan = emptyPlan(cluster, OperationKind::ScaleIn, target);
    if (target < 1 || target >= cluster.replicas()) {
        block(&plan, u"invalid-target"_s,
              u"Scaling %1 in to %2 is not possible: it has %3 now, and a scale-in goes to at least 1 and to "
              "fewer than it has."_s.arg(cluster.name())
                  .arg(target)
                  .arg(counted(cluster.replicas(), u"dnode"_s)),
              u"Choose a target between 1 and %1."_s.arg(cluster.replicas() - 1));
        return plan;
    }
    checkReplicas(cluster, target, &plan);
    checkHealth(cluster, &plan);
    checkLostVnodes(facts, &plan);
    checkTransactions(cluster, &plan);
    const QList<Leaving> leaving = leavingOrdinals(cluster, target, &plan);
    checkVnodeSlots(cluster, leaving, &plan);
    const QList<MnodeMove> moves = mnodeMoves(cluster, leaving, target, &plan);
    if (!plan.blocked())
        checkPlacement(cluster, leaving, moves, &plan);
    warnScaleIn(cluster, leaving, &plan);
    if (!plan.blocked())
        addScaleInSteps(cluster, leaving, moves, target, &plan);
    return plan;
}

Plan planScaleOut(const ClusterFacts &facts, int target, const ScaleOutOptions &options)
{
    const Cluster cluster(facts);
    Plan plan = emptyPlan(cluster, OperationKind::ScaleOut, target);
    if (target <= cluster.replicas()) {
        block(&plan, u"invalid-target"_s,
              u"Scaling %1 out to %2 is not possible: it has %3 already."_s.arg(cluster.name())
                  .arg(target)
                  .arg(counted(cluster.replicas(), u"dnode"_s)),
              u"Choose a target above %1, or scale in instead."_s.arg(cluster.replicas()));
        return plan;
    }
    QStringList stale;
    const QSet<int> returning = returningOrdinals(cluster, target, &plan);
    checkStaleClaims(cluster, target, options, returning, &plan, &stale);
    checkStorageClasses(cluster, &plan);
    checkHealth(cluster, &plan, returning);
    if (!plan.blocked())
        addScaleOutSteps(cluster, target, options, returning, stale, &plan);
    return plan;
}

Plan planRepair(const ClusterFacts &facts)
{
    const Cluster cluster(facts);
    Plan plan = emptyPlan(cluster, OperationKind::Repair, cluster.replicas());
    int remaining = 0;
    for (const taos::Dnode &dnode : facts.snapshot.dnodes) {
        const QString pod = cluster.podOfDnode(dnode);
        const int ordinal = cluster.ordinalOf(dnode.endpoint);
        // A missing pod of an ordinal below replicas is being recreated by the StatefulSet: dropping
        // its dnode would lock the returning pod out of the cluster.
        const bool gone = !cluster.hasPod(pod) && (ordinal < 0 || ordinal >= cluster.replicas());
        if (dnode.state() == taos::DnodeState::Offline && gone) {
            repairDnodeWithoutPod(cluster, dnode, &plan);
            continue;
        }
        ++remaining;
        if (dnode.state() == taos::DnodeState::Dropping) {
            explainDropping(cluster, dnode, &plan);
        } else if (dnode.state() == taos::DnodeState::Offline) {
            warn(
                &plan, u"offline-dnode"_s,
                cluster.hasPod(pod)
                    ? u"dnode %1 (%2) is offline, but its pod %3 exists: it is %4."_s.arg(dnode.id).arg(
                          dnode.endpoint, pod, podState(cluster.podObject(pod)))
                    : u"dnode %1 (%2) is offline and its pod %3 is missing; StatefulSet %4 should recreate it."_s
                          .arg(dnode.id)
                          .arg(dnode.endpoint, pod, cluster.name()),
                u"This is not repaired by dropping the dnode: its pod is (or will be) there. Look at the "
                u"pod's "
                "events and logs (kubectl describe pod %1; kubectl logs %1); once the pod is Ready the dnode "
                "comes back online by itself."_s.arg(pod));
        }
    }
    if (plan.steps.isEmpty()) {
        plan.findings.append({Severity::Info,
                              u"nothing-to-repair"_s,
                              u"No dnode is offline without a pod: there is nothing to drop."_s,
                              {}});
        return plan;
    }
    bool tooFew = false;
    for (const taos::Database &database : facts.snapshot.databases) {
        if (!taos::isSystemDatabase(database.name) && database.replica > remaining) {
            tooFew = true;
            block(&plan, u"below-replica"_s,
                  u"Database %1 has replica %2, and only %3 would remain."_s.arg(database.name)
                      .arg(database.replica)
                      .arg(counted(remaining, u"dnode"_s)),
                  u"Scale the StatefulSet out first so that %1 dnodes remain, then repair."_s.arg(
                      database.replica));
        }
    }
    if (tooFew) {
        plan.steps.clear();
        plan.confirmation.clear();
        plan.lostDatabases.clear();
        return plan;
    }
    const QStringList &lost = plan.lostDatabases;
    Step verify = makeStep(
        Step::Kind::Verify, u"verify the cluster"_s,
        lost.isEmpty()
            ? u"Every dnode in `show dnodes` ready, mnodes healthy, and every database's row count as before."_s
            : u"Every dnode in `show dnodes` ready, mnodes healthy, and every other database's row count as "
              "before. %1 %2 not counted before nor compared after: %3 cannot be read now and will have "
              "fewer rows."_s.arg(lost.join(u", "_s), lost.size() == 1 ? u"is"_s : u"are"_s,
                                  lost.size() == 1 ? u"it"_s : u"they"_s));
    verify.replicas = cluster.replicas();
    plan.steps.append(verify);
    return plan;
}

} // namespace tdkube::ops
