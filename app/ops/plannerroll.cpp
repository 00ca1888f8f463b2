// What a rolling restart of a TDengine StatefulSet (a configuration change, an upgrade) needs before it
// starts and the steps it is made of: shared by plannerconfigure.cpp and plannerupgrade.cpp.
#include "ops/planner_p.h"
#include "ops/plannerchecks.h"
#include "taos/clusterstate.h"

#include <QCoreApplication>

namespace tdkube::ops::detail {

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Planner)
};

} // namespace

// Vgroups and mnodes whole before a restart: a pod restarted while another replica is down takes a
// vgroup below its quorum.
void checkWhole(const Cluster &cluster, Plan *plan)
{
    QStringList unhealthy;
    for (const taos::Vgroup &vgroup : cluster.snapshot().vgroups) {
        for (const taos::Vnode &vnode : vgroup.vnodes) {
            if (!vnode.isHealthy()) {
                unhealthy.append(Text::tr("vgroup %1 of %2 (dnode %3 %4)")
                                     .arg(vgroup.id)
                                     .arg(vgroup.database)
                                     .arg(vnode.dnodeId)
                                     .arg(vnode.role.trimmed()));
                break;
            }
        }
    }
    if (!unhealthy.isEmpty())
        block(plan, u"vgroup-not-healthy"_s,
              Text::tr("Not every vgroup's replicas are leader or follower: %1. Restarting a pod now could "
                       "leave a vgroup without a leader, and its database unwritable.")
                  .arg(unhealthy.join(u"; ")),
              Text::tr("Wait until `show <db>.vgroups` shows only leaders and followers (a dnode that was "
                       "restarted catches up by itself), then plan again."));
    const taos::MnodeHealth mnodes = taos::mnodeHealth(cluster.snapshot().mnodes);
    if (!mnodes.quorum || mnodes.leaderEndpoint.isEmpty())
        block(plan, u"mnode-no-quorum"_s,
              Text::tr("The mnodes have no leader or no quorum (%1 of %2 serving): restarting a pod could "
                       "stop the cluster's management.")
                  .arg(mnodes.ready)
                  .arg(cluster.snapshot().mnodes.size()),
              Text::tr("Look at `show mnodes` and bring the offline ones back first."));
}

// How the StatefulSet rolls: tdkube holds it with rollingUpdate.partition, which OnDelete ignores, and
// a rollout already under way would be finished by the controller on its own terms.
void checkRollout(const Cluster &cluster, Plan *plan)
{
    const QJsonObject set = cluster.facts().statefulSet;
    const QString strategy = kube::valueAt(set, u"spec.updateStrategy.type"_s).toString();
    if (strategy == u"OnDelete") {
        block(
            plan, u"on-delete-strategy"_s,
            Text::tr("StatefulSet %1 updates its pods OnDelete: tdkube restarts pods one at a time through "
                     "the RollingUpdate strategy's partition, which OnDelete does not have.")
                .arg(cluster.name()),
            Text::tr("Set spec.updateStrategy.type to RollingUpdate (kubectl edit statefulset %1), then plan "
                     "again.")
                .arg(cluster.name()));
        return;
    }
    const int partition = kube::valueAt(set, u"spec.updateStrategy.rollingUpdate.partition"_s).toInt();
    const QString current = kube::valueAt(set, u"status.currentRevision"_s).toString();
    const QString update = kube::valueAt(set, u"status.updateRevision"_s).toString();
    if (partition > 0 || (!current.isEmpty() && !update.isEmpty() && current != update))
        block(plan, u"rollout-in-progress"_s,
              Text::tr("StatefulSet %1 is in the middle of a rollout (partition %2, revision %3 → %4): some "
                       "pods run another template than the others.")
                  .arg(cluster.name())
                  .arg(partition)
                  .arg(current, update),
              Text::tr("Finish or undo it first: an unfinished tdkube operation is resumed from its offer or "
                       "with `tdkube resume`; a rollout started by hand, with kubectl rollout status / undo "
                       "statefulset %1.")
                  .arg(cluster.name()));
}

void warnReplica1Restart(const Cluster &cluster, Plan *plan)
{
    QStringList single;
    for (const taos::Database &database : cluster.snapshot().databases) {
        if (database.replica == 1 && !database.name.isEmpty() && database.name != u"information_schema" &&
            database.name != u"performance_schema")
            single.append(database.name);
    }
    if (!single.isEmpty())
        warn(plan, u"replica1-restart"_s,
             Text::tr("%1 have one replica: each of their vgroups cannot be read or written while the pod "
                      "that holds it restarts (about as long as a taosd start).")
                 .arg(single.join(u", "_s)),
             Text::tr("Choose a quiet moment, or keep the data in replica-3 databases."));
}

Step rollStep(const Cluster &cluster, int ordinal, const QString &title, const QString &version)
{
    const int dnodeId = cluster.dnodeOf(ordinal);
    Step roll = makeStep(Step::Kind::RollPod, title, {}, dnodeId);
    roll.detail =
        version.isEmpty()
            ? Text::tr("Lowers rollingUpdate.partition to %1; waits until the pod is Ready on the new "
                       "template, dnode %2 is ready, every vgroup's replicas are leader or "
                       "follower and the mnodes have their quorum.")
                  .arg(ordinal)
                  .arg(dnodeId)
            : Text::tr("Lowers rollingUpdate.partition to %1; waits until the pod is Ready on the new "
                       "template, dnode %2 is ready and runs TDengine %3, every vgroup's replicas "
                       "are leader or follower and the mnodes have their quorum.")
                  .arg(ordinal)
                  .arg(dnodeId)
                  .arg(version);
    roll.replicas = ordinal;
    roll.pods = {cluster.pod(ordinal)};
    roll.version = version;
    return roll;
}

} // namespace tdkube::ops::detail
