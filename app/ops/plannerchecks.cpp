#include "ops/plannerchecks.h"

#include "kube/objects.h"
#include "ops/planner_p.h"
#include "taos/clusterstate.h"

#include <QCoreApplication>

#include <algorithm>
#include <optional>

namespace tdkube::ops::detail {

using namespace Qt::StringLiterals;
using Severity = Finding::Severity;

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Planner)
};

// "1 dnode", "2 dnodes": for a sentence that already counts something else with %n.
QString dnodeCount(int count)
{
    return Text::tr("%n dnode(s)", nullptr, count);
}

QString podState(const QJsonObject &pod)
{
    const QString phase = kube::valueAt(pod, u"status.phase"_s).toString();
    const bool ready = isPodReady(pod);
    if (phase.isEmpty())
        return ready ? Text::tr("in an unknown phase and Ready")
                     : Text::tr("in an unknown phase and not Ready");
    if (ready) {
        //: A pod's state; %1: its phase as Kubernetes names it (Pending, Running, ...)
        return Text::tr("%1 and Ready").arg(phase);
    }
    //: A pod's state; %1: its phase as Kubernetes names it (Pending, Running, ...)
    return Text::tr("%1 and not Ready").arg(phase);
}

} // namespace

void block(Plan *plan, const QString &code, const QString &reason, const QString &fix)
{
    plan->findings.append({Severity::Blocking, code, reason, fix});
}

void warn(Plan *plan, const QString &code, const QString &reason, const QString &fix)
{
    plan->findings.append({Severity::Warning, code, reason, fix});
}

// --- every resize -----------------------------------------------------------------------------

void checkHealth(const Cluster &cluster, Plan *plan, const QSet<int> &returning)
{
    for (int ordinal = 0; ordinal < cluster.replicas(); ++ordinal) {
        const QString pod = cluster.pod(ordinal);
        if (!cluster.hasPod(pod)) {
            block(plan, u"pod-not-ready"_s,
                  Text::tr("Pod %1 does not exist, although StatefulSet %2 has %3 replicas.")
                      .arg(pod, cluster.name())
                      .arg(cluster.replicas()),
                  Text::tr(
                      "Wait until the StatefulSet has created it and it is Ready; if it is not created, look "
                      "at the StatefulSet's events (kubectl describe statefulset %1).")
                      .arg(cluster.name()));
        } else if (!isPodReady(cluster.podObject(pod))) {
            block(plan, u"pod-not-ready"_s,
                  //: %2: the pod's state, e.g. "Running and not Ready"
                  Text::tr("Pod %1 is %2: its dnode cannot take part in moving data.")
                      .arg(pod, podState(cluster.podObject(pod))),
                  Text::tr(
                      "Look at the pod's events and logs (kubectl describe pod %1; kubectl logs %1) and try "
                      "again once it is Ready.")
                      .arg(pod));
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
                Text::tr("dnode %1 (%2) is still a member of the cluster, but its pod %3 does not exist: the "
                         "StatefulSet was scaled in without `drop dnode`. Its vnodes are unavailable.")
                    .arg(dnode.id)
                    .arg(dnode.endpoint, pod),
                Text::tr(
                    "Repair the cluster first (tdkube's Repair drops the dnode with `drop dnode %1 force` "
                    "and says what that costs), or scale the StatefulSet back out so that %2 returns with "
                    "its data.")
                    .arg(dnode.id)
                    .arg(pod));
        } else if (dnode.state() == taos::DnodeState::Offline) {
            block(plan, u"offline-dnode"_s,
                  Text::tr("dnode %1 (%2) is offline; its pod %3 is %4.")
                      .arg(dnode.id)
                      .arg(dnode.endpoint, pod, podState(cluster.podObject(pod))),
                  Text::tr("Bring it back first: look at the pod's events and logs (kubectl describe pod %1; "
                           "kubectl logs %1), then try again.")
                      .arg(pod));
        } else if (dnode.state() == taos::DnodeState::Dropping) {
            block(
                plan, u"dnode-dropping"_s,
                Text::tr("dnode %1 (%2) is being dropped: its vnodes are still moving.")
                    .arg(dnode.id)
                    .arg(dnode.endpoint),
                Text::tr("Wait until it has left `show dnodes` (its transaction is in `show transactions`), "
                         "then try again."));
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
    block(
        plan, u"transaction-running"_s,
        Text::tr("TDengine is running %n transaction(s): %1. Dropping a dnode or creating an mnode "
                 "conflicts with a running transaction, and TDengine would refuse it half-way.",
                 nullptr, int(transactions.size()))
            .arg(names.join(u"; "_s)),
        stuck.isEmpty()
            ? Text::tr("Wait until `show transactions` is empty, then plan again. A transaction "
                       "that never ends names its error in `show transactions`.")
            : Text::tr("Wait until `show transactions` is empty, then plan again. %1").arg(stuck.join(u' ')));
}

// --- scale-in ---------------------------------------------------------------------------------

QList<Leaving> leavingOrdinals(const Cluster &cluster, int target, Plan *plan)
{
    QList<Leaving> leaving;
    for (int ordinal = cluster.replicas() - 1; ordinal >= target; --ordinal) {
        const int dnodeId = cluster.dnodeOf(ordinal);
        if (dnodeId < 0) {
            block(
                plan, u"dnode-not-found"_s,
                Text::tr("No dnode has the endpoint of pod %1 (%2): tdkube cannot tell which dnode to drop.")
                    .arg(cluster.pod(ordinal), cluster.host(ordinal)),
                Text::tr("Check `show dnodes`: the pod may not have joined (see its logs), or its TAOS_FQDN "
                         "differs from the StatefulSet's serviceName. Repair that before scaling in."));
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
              Text::tr("Database %1 has replica %2: it needs %2 dnodes, and the scale-in would leave %n "
                       "dnode(s). Its vgroups could not keep a majority and every query on it would fail.",
                       nullptr, target)
                  .arg(database.name)
                  .arg(database.replica),
              Text::tr("Choose a target of %1 or more dnodes.").arg(database.replica));
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
    block(
        plan, u"too-few-vnode-slots"_s,
        Text::tr("The leaving dnodes hold %n vnode(s), but the dnodes that stay have room for only %1 more "
                 "(support_vnodes minus the vnodes they hold).",
                 nullptr, moving)
            .arg(free),
        Text::tr("Keep more dnodes, raise supportVnodes in taos.cfg, or drop databases you no longer need."));
}

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
                  Text::tr("dnode %1 (pod %2) holds the leader mnode: TDengine refuses to drop the leader "
                           "mnode, and to drop its dnode.")
                      .arg(entry.dnodeId)
                      .arg(cluster.pod(entry.ordinal)),
                  Text::tr(
                      "Move the leadership first: restart pod %1 (kubectl delete pod %1); while it restarts "
                      "the other mnodes elect a new leader, and it comes back as a follower. Then plan "
                      "again.")
                      .arg(cluster.pod(entry.ordinal)));
            continue;
        }
        if (free.isEmpty()) {
            // The leader's dnode was refused above: this one holds a follower.
            block(
                plan, u"mnode-cannot-move"_s,
                //: %3: a number of dnodes, "%n dnode(s)"
                Text::tr("dnode %1 (pod %2) holds an mnode, and no dnode that stays is free to take it: "
                         "TDengine keeps at most one mnode per dnode, and the cluster has %n mnode(s) for %3 "
                         "staying.",
                         nullptr, cluster.mnodeCount())
                    .arg(entry.dnodeId)
                    .arg(cluster.pod(entry.ordinal), dnodeCount(target)),
                Text::tr(
                    "Keep at least %1 dnodes, so that every mnode has a dnode of its own, or drop an mnode "
                    "by hand first if you accept fewer mnodes (fewer than 3 cannot survive losing one).")
                    .arg(cluster.mnodeCount()));
            continue;
        }
        moves.append({entry.dnodeId, free.takeFirst()});
    }
    return moves;
}

namespace {

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

} // namespace

void checkPlacement(const Cluster &cluster, const QList<Leaving> &leaving, const QList<MnodeMove> &moves,
                    Plan *plan)
{
    const std::optional<PlacementRefusal> refusal = replayPlacement(cluster, leaving, moves);
    if (!refusal)
        return;
    const taos::Vgroup &vgroup = refusal->vgroup;
    if (refusal->fullId == 0) {
        block(plan, u"vgroup-cannot-move"_s,
              Text::tr(
                  "`drop dnode %1` would be refused with \"Out of dnodes\" (0x0334): vgroup %2 of database "
                  "%3 needs a dnode that holds none of its replicas, and every online dnode that stays "
                  "holds one.")
                  .arg(refusal->droppedId)
                  .arg(vgroup.id)
                  .arg(vgroup.database),
              Text::tr("Keep more dnodes, or bring the offline ones back online, then plan again."));
        return;
    }
    const taos::Dnode *full = cluster.dnode(refusal->fullId);
    block(
        plan, u"vgroup-placement-refused"_s,
        Text::tr("`drop dnode %1` would be refused: TDengine moves each of its vnodes to the least loaded "
                 "dnode that holds no replica of that vgroup, and for vgroup %2 of database %3 that is dnode "
                 "%4, which is full (%5 of %6 vnodes). TDengine does not try another dnode: it answers \"Out "
                 "of dnodes\" (0x0334; \"Vnodes exhausted\", 0x03BA, from 3.3).")
            .arg(refusal->droppedId)
            .arg(vgroup.id)
            .arg(vgroup.database)
            .arg(refusal->fullId)
            .arg(refusal->fullVnodes)
            .arg(full ? full->supportVnodes : 0),
        Text::tr("Raise supportVnodes (TAOS_SUPPORT_VNODES) so that dnode %1 has room, keep more dnodes, or "
                 "move vgroup %2 off the leaving dnodes first with `redistribute vgroup`.")
            .arg(refusal->fullId)
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
        block(
            plan, u"vnodes-lost"_s, lost.describe(),
            Text::tr("Rebuild dnode %1's vnodes as said, then plan the scale-in again.").arg(lost.dnode.id));
}

void warnScaleIn(const Cluster &cluster, const QList<Leaving> &leaving, Plan *plan)
{
    QStringList retained;
    for (const Leaving &entry : leaving) {
        for (const QString &claim : cluster.claimsOf(entry.ordinal)) {
            if (cluster.reclaimPolicyOf(claim) == u"Retain")
                retained.append(Text::tr("%1 (claim %2)").arg(cluster.volumeOf(claim), claim));
        }
    }
    if (!retained.isEmpty()) {
        warn(
            plan, u"volumes-retained"_s,
            Text::tr("The reclaim policy of %1 is Retain: deleting their claims leaves the volumes Released, "
                     "with the old data, and the disk space stays in use.")
                .arg(retained.join(u", "_s)),
            Text::tr("Delete those PersistentVolumes (and their disks) yourself once you no longer need the "
                     "data."));
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
        warn(plan, u"replica1-vgroups-move"_s,
             Text::tr(
                 "Database(s) %1 keep a single replica, and some of their vgroups are on leaving dnodes: "
                 "`drop dnode` copies them to the dnodes that stay. That is safe, but it takes as long as "
                 "copying the data, and writes to those vgroups wait meanwhile.")
                 .arg(slow.join(u", "_s)),
             Text::tr("Run the scale-in at a quiet time."));
    }
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
             Text::tr(
                 "dnode %1 (%2) is offline since pod %3 went without `drop dnode`; pod %3 returns with claim "
                 "%4 and the data in it, and the dnode comes back online.")
                 .arg(dnode.id)
                 .arg(dnode.endpoint, cluster.pod(ordinal), cluster.claimsOf(ordinal).join(u", "_s)),
             Text::tr("Nothing: its claim is kept. Scale in with tdkube later if you want fewer dnodes.")});
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
        Text::tr("Claim(s) %1 exist for the new pods: an earlier scale-in left them. A pod that "
                 "gets one back starts with the old dnode's data and identity and cannot join "
                 "the cluster.")
            .arg(stale->join(u", "_s));
    if (options.deleteStaleClaims) {
        warn(plan, u"stale-claim"_s,
             //: %1: the sentences above, about the stale claims
             Text::tr("%1 They are deleted first, as you asked.").arg(reason),
             Text::tr("Nothing: the plan deletes them before it scales."));
    } else {
        block(plan, u"stale-claim"_s, reason,
              Text::tr("Let tdkube delete them first (the option \"delete stale claims\"), or delete them "
                       "yourself (kubectl delete pvc %1) if you are sure their dnodes were dropped.")
                  .arg(stale->join(u' ')));
    }
}

void checkStorageClasses(const Cluster &cluster, Plan *plan)
{
    for (const QString &storageClass : cluster.storageClassesOfTemplates()) {
        if (cluster.hasStorageClass(storageClass))
            continue;
        block(
            plan, u"unknown-storage-class"_s,
            Text::tr(
                "The StatefulSet's claims ask for storage class %1, which the cluster does not have: the "
                "new pods would stay Pending.")
                .arg(storageClass),
            Text::tr("Create storage class %1, or change the StatefulSet's volumeClaimTemplates (kubectl get "
                     "storageclass lists the ones there are).")
                .arg(storageClass));
    }
}

// --- repair -----------------------------------------------------------------------------------

void warnOfflineDnode(const Cluster &cluster, const taos::Dnode &dnode, Plan *plan)
{
    const QString pod = cluster.podOfDnode(dnode);
    warn(plan, u"offline-dnode"_s,
         cluster.hasPod(pod)
             ? Text::tr("dnode %1 (%2) is offline, but its pod %3 exists: it is %4.")
                   .arg(dnode.id)
                   .arg(dnode.endpoint, pod, podState(cluster.podObject(pod)))
             : Text::tr("dnode %1 (%2) is offline and its pod %3 is missing; StatefulSet %4 should "
                        "recreate it.")
                   .arg(dnode.id)
                   .arg(dnode.endpoint, pod, cluster.name()),
         Text::tr("This is not repaired by dropping the dnode: its pod is (or will be) there. Look at the "
                  "pod's events and logs (kubectl describe pod %1; kubectl logs %1); once the pod is "
                  "Ready the dnode comes back online by itself.")
             .arg(pod));
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
    const int vnodes = cluster.vnodesOn(dnode.id);
    warn(
        plan, u"dnode-dropping"_s,
        transactions.isEmpty()
            ? Text::tr("dnode %1 (%2) is dropping: a drop-dnode transaction is moving its %n vnode(s) to the "
                       "other dnodes. No transaction is running now.",
                       nullptr, vnodes)
                  .arg(dnode.id)
                  .arg(dnode.endpoint)
            : Text::tr("dnode %1 (%2) is dropping: a drop-dnode transaction is moving its %n vnode(s) to the "
                       "other dnodes. Running: %3.",
                       nullptr, vnodes)
                  .arg(dnode.id)
                  .arg(dnode.endpoint, transactions.join(u"; "_s)),
        stuck.isEmpty()
            ? Text::tr("Leave its pod and its claim alone until the dnode has left `show dnodes`. "
                       "`show transactions` shows the progress and, if it is stuck, the error "
                       "(often a dnode it needs is offline: bring that one back).")
            : Text::tr("Leave its pod and its claim alone until the dnode has left `show dnodes`. "
                       "%1")
                  .arg(stuck.join(u' ')));
}

bool checkRemainingReplicas(const Cluster &cluster, int remaining, Plan *plan)
{
    bool tooFew = false;
    for (const taos::Database &database : cluster.snapshot().databases) {
        if (!taos::isSystemDatabase(database.name) && database.replica > remaining) {
            tooFew = true;
            block(
                plan, u"below-replica"_s,
                Text::tr("Database %1 has replica %2, and only %n dnode(s) would remain.", nullptr, remaining)
                    .arg(database.name)
                    .arg(database.replica),
                Text::tr("Scale the StatefulSet out first so that %1 dnodes remain, then repair.")
                    .arg(database.replica));
        }
    }
    return tooFew;
}

} // namespace tdkube::ops::detail
