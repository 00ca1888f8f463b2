#include "ops/planner.h"

#include "ops/planner_p.h"
#include "ops/plannerchecks.h"
#include "taos/clusterstate.h"

#include <QCoreApplication>
#include <QSet>

#include <algorithm>

namespace tdkube::ops {

namespace {

using namespace Qt::StringLiterals;
using namespace detail;
using Severity = Finding::Severity;

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Planner)
};

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

// --- scale-in ---------------------------------------------------------------------------------

QString dropDetail(const Cluster &cluster, int dnodeId)
{
    const int vnodes = cluster.vnodesOn(dnodeId);
    if (vnodes == 0)
        return Text::tr("dnode %1 holds no vnode, so `drop dnode %1` moves no data; tdkube waits until the "
                        "dnode has left `show dnodes`.")
            .arg(dnodeId);
    return Text::tr(
               "`drop dnode %1` moves its %n vnode(s) to the dnodes that stay; tdkube waits until the dnode "
               "has left `show dnodes`, showing progress from `show transactions`.",
               nullptr, vnodes)
        .arg(dnodeId);
}

QString claimsDetail(const Cluster &cluster, const QStringList &claims)
{
    QStringList lines;
    for (const QString &claim : claims) {
        const QString policy = cluster.reclaimPolicyOf(claim);
        const QString volume = cluster.volumeOf(claim);
        if (policy == u"Delete")
            lines.append(
                Text::tr(
                    "%1: its volume %2 is deleted with it (reclaim policy Delete), and the data is gone.")
                    .arg(claim, volume));
        else if (policy == u"Retain")
            lines.append(
                Text::tr("%1: its volume %2 is kept, Released, with the data (reclaim policy Retain); "
                         "delete it yourself when you no longer need it.")
                    .arg(claim, volume));
        else
            lines.append(Text::tr("%1: what happens to its volume depends on the PersistentVolume's reclaim "
                                  "policy, which tdkube could not read.")
                             .arg(claim));
    }
    //: %1: one sentence per claim
    return Text::tr("Only once each dnode was dropped and its pod is gone. %1").arg(lines.join(u' '));
}

void addScaleInSteps(const Cluster &cluster, const QList<Leaving> &leaving, const QList<MnodeMove> &moves,
                     int target, Plan *plan)
{
    // TDengine keeps at most 3 mnodes: with 3, the leaving one (a follower) goes first and the
    // cluster runs on 2 until its replacement is ready; with fewer, the new one comes first.
    const int mnodes = cluster.mnodeCount();
    for (const MnodeMove &move : moves) {
        const Step create = makeStep(
            Step::Kind::CreateMnode,
            //: A step's title, worded as the statement it sends
            Text::tr("create mnode on dnode %1").arg(move.to),
            Text::tr(
                "Replaces the mnode of dnode %1, which leaves, on dnode %2, which stays; tdkube waits until "
                "it is a ready follower.")
                .arg(move.from)
                .arg(move.to),
            move.to);
        const Step drop = makeStep(
            Step::Kind::DropMnode,
            //: A step's title, worded as the statement it sends
            Text::tr("drop mnode on dnode %1").arg(move.from),
            mnodes >= 3
                ? Text::tr("dnode %1 leaves and holds an mnode (a follower). TDengine keeps at most 3 "
                           "mnodes, so it goes before its replacement on dnode %2 is created; until "
                           "then the cluster runs on 2.")
                      .arg(move.from)
                      .arg(move.to)
                : Text::tr("dnode %1 leaves and holds an mnode (a follower): it goes once its "
                           "replacement on dnode %2 is ready.")
                      .arg(move.from)
                      .arg(move.to),
            move.from);
        plan->steps.append(mnodes >= 3 ? drop : create);
        plan->steps.append(mnodes >= 3 ? create : drop);
    }
    QStringList pods;
    QStringList claims;
    for (const Leaving &entry : leaving) {
        const QString pod = cluster.pod(entry.ordinal);
        //: A step's title, worded as the statement it sends
        Step drop =
            makeStep(Step::Kind::DropDnode, Text::tr("drop dnode %1 (pod %2)").arg(entry.dnodeId).arg(pod),
                     dropDetail(cluster, entry.dnodeId), entry.dnodeId);
        drop.pods = {pod};
        plan->steps.append(drop);
        pods.append(pod);
        claims += cluster.claimsOf(entry.ordinal);
    }
    Step scale = makeStep(Step::Kind::ScaleStatefulSet,
                          Text::tr("scale StatefulSet %1 to %2 replicas").arg(cluster.name()).arg(target),
                          Text::tr("The dnodes of the leaving pods are gone, so their pods may stop."));
    scale.replicas = target;
    plan->steps.append(scale);
    Step gone =
        makeStep(Step::Kind::WaitPodsGone, Text::tr("wait for pods %1 to terminate").arg(pods.join(u", "_s)),
                 Text::tr("Their claims are deleted only once no pod uses them."));
    gone.pods = pods;
    plan->steps.append(gone);
    if (!claims.isEmpty()) {
        Step remove =
            makeStep(Step::Kind::DeleteClaims, Text::tr("delete claims %1").arg(claims.join(u", "_s)),
                     claimsDetail(cluster, claims));
        remove.claims = claims;
        plan->steps.append(remove);
    }
    Step verify =
        makeStep(Step::Kind::Verify, Text::tr("verify the cluster"),
                 Text::tr("%n dnode(s) ready, mnodes healthy, and no table with fewer rows than before.",
                          nullptr, target));
    verify.replicas = target;
    plan->steps.append(verify);
}

// --- scale-out --------------------------------------------------------------------------------

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
        plan->steps.append(makeStep(Step::Kind::CreateMnode,
                                    //: A step's title, worded as the statement it sends
                                    Text::tr("create mnode on dnode %1").arg(dnode.id),
                                    Text::tr("Up to 3 mnodes, so that the cluster survives losing one."),
                                    dnode.id));
        --missing;
    }
    // The new dnodes have no id yet: the executor finds each by its endpoint.
    for (int ordinal = cluster.replicas(); ordinal < target && missing > 0; ++ordinal) {
        if (returning.contains(ordinal))
            continue;
        --missing;
        Step create = makeStep(Step::Kind::CreateMnode,
                               Text::tr("create mnode on the dnode of pod %1").arg(cluster.pod(ordinal)),
                               Text::tr("Up to 3 mnodes, so that the cluster survives losing one."));
        create.endpoints = {cluster.host(ordinal) + u':' + cluster.port()};
        plan->steps.append(create);
    }
}

void addScaleOutSteps(const Cluster &cluster, int target, const ScaleOutOptions &options,
                      const QSet<int> &returning, const QStringList &stale, Plan *plan)
{
    if (!stale.isEmpty()) {
        Step remove =
            makeStep(Step::Kind::DeleteClaims, Text::tr("delete stale claims %1").arg(stale.join(u", "_s)),
                     claimsDetail(cluster, stale));
        remove.claims = stale;
        plan->steps.append(remove);
    }
    Step scale =
        makeStep(Step::Kind::ScaleStatefulSet,
                 Text::tr("scale StatefulSet %1 to %2 replicas").arg(cluster.name()).arg(target),
                 Text::tr("The StatefulSet creates the new pods one at a time, each with a new claim."));
    scale.replicas = target;
    plan->steps.append(scale);
    QStringList pods;
    QStringList endpoints;
    for (int ordinal = cluster.replicas(); ordinal < target; ++ordinal) {
        pods.append(cluster.pod(ordinal));
        endpoints.append(cluster.host(ordinal) + u':' + cluster.port());
    }
    Step ready = makeStep(Step::Kind::WaitPodsReady, Text::tr("wait for %1 pods Ready").arg(target),
                          Text::tr("New pods: %1.").arg(pods.join(u", "_s)));
    ready.replicas = target;
    ready.pods = pods;
    plan->steps.append(ready);
    Step joined = makeStep(
        Step::Kind::WaitDnodesReady, Text::tr("wait for %1 dnodes ready").arg(target),
        Text::tr("Each new pod registers its dnode; tdkube waits until `show dnodes` lists it ready."));
    joined.replicas = target;
    joined.endpoints = endpoints;
    plan->steps.append(joined);
    if (options.topUpMnodes && cluster.mnodeCount() < 3)
        addMnodeTopUp(cluster, target, returning, plan);
    if (options.balanceVgroups) {
        plan->steps.append(makeStep(
            Step::Kind::BalanceVgroup,
            //: A step's title: the statement it sends
            Text::tr("balance vgroup"),
            Text::tr("Moves vnodes onto the new dnodes; until then they hold none and serve no data.")));
    }
    Step verify =
        makeStep(Step::Kind::Verify, Text::tr("verify the cluster"),
                 Text::tr("%n dnode(s) ready, mnodes healthy, and no table with fewer rows than before.",
                          nullptr, target));
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
         Text::tr(
             "dnode %1 (%2) is offline and its pod %3 does not exist: the StatefulSet was scaled in "
             "without `drop dnode`. TDengine keeps waiting for it, and a later scale-out cannot reuse the "
             "ordinal.")
             .arg(dnode.id)
             .arg(dnode.endpoint, pod),
         cluster.claimsOf(cluster.ordinalOf(dnode.endpoint)).isEmpty()
             ? Text::tr("Drop it with `%1` (this plan).").arg(statement)
             : Text::tr(
                   "Either scale the StatefulSet back out, so that %1 returns with its claim and the dnode "
                   "comes back online (nothing is lost), or drop it with `%2` (this plan).")
                   .arg(pod, statement));
    QStringList consequences;
    const QStringList replicated = replicatedOn(cluster, dnode.id);
    if (!replicated.isEmpty())
        consequences.append(Text::tr("The vnodes of %1 are rebuilt from their other replicas.")
                                .arg(replicated.join(u", "_s)));
    //: A step's title; %1: the statement it sends (drop dnode N force)
    Step drop =
        makeStep(Step::Kind::DropDnode, Text::tr("%1 (pod %2 is gone)").arg(statement, pod), {}, dnode.id);
    drop.force = true;
    drop.pods = {pod};
    if (!lost.isEmpty()) {
        drop.unsafe = true;
        consequences.append(
            Text::tr(
                "Database(s) %1 keep a single replica, and this dnode holds the only copy of some of their "
                "vgroups: that data is lost (`%2`).")
                .arg(lost.join(u", "_s), statement));
        for (const QString &database : lost) {
            if (!plan->lostDatabases.contains(database))
                plan->lostDatabases.append(database);
        }
        plan->confirmation = cluster.name();
        block(plan, u"replica1-data-lost"_s,
              Text::tr(
                  "dnode %1 holds the only copy of data of %2 (replica 1). Dropping it loses that data for "
                  "good.")
                  .arg(dnode.id)
                  .arg(lost.join(u", "_s)),
              Text::tr(
                  "If claim(s) of pod %1 still exist, scale the StatefulSet back out so that %1 returns with "
                  "the data, then scale in with tdkube. To drop it anyway, type the cluster name %2 to "
                  "confirm.")
                  .arg(pod, cluster.name()));
    }
    if (consequences.isEmpty())
        consequences.append(Text::tr("It holds no vnodes: nothing is moved or lost."));
    drop.detail = consequences.join(u' ');
    plan->steps.append(drop);
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

Plan planScaleIn(const ClusterFacts &facts, int target)
{
    const Cluster cluster(facts);
    Plan plan = emptyPlan(cluster, OperationKind::ScaleIn, target);
    if (target < 1 || target >= cluster.replicas()) {
        block(
            &plan, u"invalid-target"_s,
            Text::tr("Scaling %1 in to %2 is not possible: it has %n dnode(s) now, and a scale-in goes to at "
                     "least 1 and to fewer than it has.",
                     nullptr, cluster.replicas())
                .arg(cluster.name())
                .arg(target),
            Text::tr("Choose a target between 1 and %1.").arg(cluster.replicas() - 1));
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
              Text::tr("Scaling %1 out to %2 is not possible: it has %n dnode(s) already.", nullptr,
                       cluster.replicas())
                  .arg(cluster.name())
                  .arg(target),
              Text::tr("Choose a target above %1, or scale in instead.").arg(cluster.replicas()));
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
        if (dnode.state() == taos::DnodeState::Dropping)
            explainDropping(cluster, dnode, &plan);
        else if (dnode.state() == taos::DnodeState::Offline)
            warnOfflineDnode(cluster, dnode, &plan);
    }
    if (plan.steps.isEmpty()) {
        plan.findings.append({Severity::Info,
                              u"nothing-to-repair"_s,
                              Text::tr("No dnode is offline without a pod: there is nothing to drop."),
                              {}});
        return plan;
    }
    if (checkRemainingReplicas(cluster, remaining, &plan)) {
        plan.steps.clear();
        plan.confirmation.clear();
        plan.lostDatabases.clear();
        return plan;
    }
    const QStringList &lost = plan.lostDatabases;
    QString verifyDetail;
    if (lost.isEmpty())
        verifyDetail = Text::tr(
            "Every dnode in `show dnodes` ready, mnodes healthy, and no table with fewer rows than before.");
    else if (lost.size() == 1)
        //: %1: one database
        verifyDetail =
            Text::tr("Every dnode in `show dnodes` ready, mnodes healthy, and no table of the other "
                     "databases with fewer rows than before. %1 is not counted before nor compared after: it "
                     "cannot "
                     "be read now and will have fewer rows.")
                .arg(lost.first());
    else
        //: %1: several databases
        verifyDetail =
            Text::tr(
                "Every dnode in `show dnodes` ready, mnodes healthy, and no table of the other "
                "databases with fewer rows than before. %1 are not counted before nor compared after: they "
                "cannot be read now and will have fewer rows.")
                .arg(lost.join(u", "_s));
    Step verify = makeStep(Step::Kind::Verify, Text::tr("verify the cluster"), verifyDetail);
    verify.replicas = cluster.replicas();
    plan.steps.append(verify);
    return plan;
}

} // namespace tdkube::ops
