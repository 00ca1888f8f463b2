// The plan of a deploy (planDeploy): the objects applied, then the cluster followed until it is whole,
// as a recorded operation like any other (journal, record in the cluster, lease, resume).
#include "kube/objects.h"
#include "ops/planner.h"
#include "ops/planner_p.h"
#include "ops/plannerchecks.h"

#include <QCoreApplication>

namespace tdkube::ops {

namespace {

using namespace Qt::StringLiterals;
using namespace detail;

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Planner)
};

QString kindOf(const QJsonObject &object)
{
    return object.value(u"kind").toString();
}

// "ConfigMap tdengine-taoscfg, Service tdengine, StatefulSet tdengine"
QString objectList(const QList<QJsonObject> &objects)
{
    QStringList names;
    for (const QJsonObject &object : objects)
        names.append(kindOf(object) + u' ' + kube::nameOf(object));
    return names.join(u", "_s);
}

// TAOS_SERVER_PORT of the TDengine container, else TDengine's default.
QString serverPort(const QJsonObject &statefulSet)
{
    const QJsonObject container = taosContainerOf(statefulSet);
    for (const QJsonValue &value : container.value(u"env").toArray()) {
        const QJsonObject variable = value.toObject();
        if (variable.value(u"name").toString() == u"TAOS_SERVER_PORT" && variable.contains(u"value"))
            return variable.value(u"value").toString();
    }
    return u"6030"_s;
}

// The StatefulSet among the objects; blocks the plan unless there is exactly one.
QJsonObject theStatefulSet(const QList<QJsonObject> &objects, Plan *plan)
{
    QList<QJsonObject> sets;
    for (const QJsonObject &object : objects) {
        if (kindOf(object) == u"StatefulSet")
            sets.append(object);
    }
    if (sets.size() == 1)
        return sets.first();
    if (sets.isEmpty())
        block(plan, u"no-statefulset"_s,
              Text::tr("The manifests hold no StatefulSet: there is no TDengine cluster to deploy."),
              Text::tr("Add the cluster's StatefulSet (see manifests/40-statefulset.yaml)."));
    else
        block(plan, u"several-statefulsets"_s,
              Text::tr("The manifests hold %1 StatefulSets (%2): one deploy makes one TDengine cluster.")
                  .arg(sets.size())
                  .arg(objectList(sets)),
              Text::tr("Deploy each cluster on its own, with its own manifests."));
    return {};
}

void checkObjects(const DeployFacts &facts, Plan *plan)
{
    for (const QJsonObject &object : facts.objects) {
        const QString name = kindOf(object) + u' ' + kube::nameOf(object);
        if (kindOf(object) == u"Secret")
            block(plan, u"secret-in-plan"_s,
                  Text::tr("%1 is a Secret. A plan is kept in the journal and in the cluster's record of "
                           "the operation, where no secret may be.")
                      .arg(name),
                  Text::tr("Apply the Secret on its own first (kubectl apply, or tdkube's editor), then "
                           "deploy the other objects."));
        const QString ns = kube::namespaceOf(object);
        if (!ns.isEmpty() && ns != facts.ns)
            block(plan, u"other-namespace"_s,
                  Text::tr("%1 is for namespace %2, but the cluster is deployed in %3.")
                      .arg(name, ns, facts.ns),
                  Text::tr("Deploy in namespace %1 (-n %1), or remove metadata.namespace from the "
                           "manifests.")
                      .arg(ns));
    }
}

// Claims left by an earlier cluster of the same name: the new pods start on them, with that cluster's
// dnodes and data, not empty.
void checkEarlierClaims(const Cluster &cluster, Plan *plan)
{
    QStringList found;
    for (int ordinal = 0; ordinal < cluster.replicas(); ++ordinal)
        found.append(cluster.claimsOf(ordinal));
    if (found.isEmpty())
        return;
    warn(plan, u"earlier-claims"_s,
         Text::tr("Claims %1 exist already, from an earlier cluster named %2. Its pods start on them: on "
                  "the dnodes, mnodes and data that cluster left, not on empty disks.")
             .arg(found.join(u", "_s), cluster.name()),
         Text::tr("To bring that cluster back, deploy it with the replicas and settings it had. To start "
                  "empty, delete the claims first (`kubectl delete pvc %1 -n %2`), once you are sure "
                  "nobody needs their data.")
             .arg(found.join(u' '), cluster.ns()));
}

void addDeploySteps(const Cluster &cluster, const DeployFacts &facts, Plan *plan)
{
    const int count = int(facts.objects.size());
    Step apply =
        makeStep(Step::Kind::ApplyObjects, Text::tr("apply %n object(s)", nullptr, count),
                 //: %1: "ConfigMap a, Service b, StatefulSet c"
                 Text::tr("%1: server-side apply, in this order (field manager tdkube). The StatefulSet "
                          "carries this operation's lease from its creation: no other tdkube runs an "
                          "operation on the cluster meanwhile.")
                     .arg(objectList(facts.objects)));
    apply.objects = facts.objects;
    plan->steps.append(apply);
    const int replicas = cluster.replicas();
    QStringList pods;
    QStringList endpoints;
    const QString port = serverPort(cluster.facts().statefulSet);
    for (int ordinal = 0; ordinal < replicas; ++ordinal) {
        pods.append(cluster.pod(ordinal));
        endpoints.append(cluster.host(ordinal) + u':' + port);
    }
    Step ready =
        makeStep(Step::Kind::WaitPodsReady, Text::tr("wait for %n pod(s) Ready", nullptr, replicas),
                 Text::tr("The StatefulSet creates the pods one at a time, each with a new claim: %1.")
                     .arg(pods.join(u", "_s)));
    ready.replicas = replicas;
    ready.pods = pods;
    plan->steps.append(ready);
    Step joined =
        makeStep(Step::Kind::WaitDnodesReady, Text::tr("wait for %n dnode(s) ready", nullptr, replicas),
                 Text::tr("Each pod registers its dnode through %1; tdkube waits until `show dnodes` "
                          "lists every one ready.")
                     .arg(endpoints.first()));
    joined.replicas = replicas;
    joined.endpoints = endpoints;
    plan->steps.append(joined);
    if (facts.haMnodes && replicas >= 3) {
        for (int ordinal : {1, 2}) {
            Step mnode = makeStep(
                Step::Kind::CreateMnode,
                //: A step's title; %1: a pod
                Text::tr("create an mnode on the dnode of pod %1").arg(cluster.pod(ordinal)),
                Text::tr("Three mnodes keep the cluster's metadata available when one dnode is down."));
            mnode.endpoints = {endpoints.at(ordinal)};
            mnode.pods = {cluster.pod(ordinal)};
            plan->steps.append(mnode);
        }
    }
    Step verify = makeStep(Step::Kind::Verify, Text::tr("verify the cluster"),
                           Text::tr("%n dnode(s) ready and the mnodes healthy.", nullptr, replicas));
    verify.replicas = replicas;
    plan->steps.append(verify);
}

} // namespace

Plan planDeploy(const DeployFacts &facts)
{
    Plan plan;
    plan.kind = OperationKind::Deploy;
    plan.context = facts.context;
    plan.ns = facts.ns;
    QJsonObject statefulSet = theStatefulSet(facts.objects, &plan);
    if (statefulSet.isEmpty())
        return plan;
    // The planner's view: the StatefulSet in the namespace it goes to, with what is there already.
    QJsonObject metadata = statefulSet.value(u"metadata").toObject();
    metadata.insert(u"namespace"_s, facts.ns);
    statefulSet.insert(u"metadata"_s, metadata);
    ClusterFacts clusterFacts;
    clusterFacts.statefulSet = statefulSet;
    clusterFacts.claims = facts.claims;
    const Cluster cluster(clusterFacts);
    plan.statefulSet = cluster.name();
    plan.toReplicas = cluster.replicas();
    checkObjects(facts, &plan);
    if (!facts.existing.isEmpty())
        block(
            &plan, u"cluster-exists"_s,
            Text::tr("StatefulSet %1 exists already in namespace %2: a deploy makes a new cluster.")
                .arg(cluster.name(), facts.ns),
            Text::tr("Change it with tdkube's scale, configure or upgrade, or with the editor; or delete it "
                     "first, or deploy under another name."));
    if (cluster.replicas() < 1)
        block(&plan, u"invalid-target"_s,
              Text::tr("StatefulSet %1 asks for %2 replicas: a cluster needs at least one dnode.")
                  .arg(cluster.name())
                  .arg(cluster.replicas()),
              Text::tr("Set spec.replicas to 1 or more (3 for a cluster that survives a dnode down)."));
    checkEarlierClaims(cluster, &plan);
    if (!plan.blocked())
        addDeploySteps(cluster, facts, &plan);
    return plan;
}

} // namespace tdkube::ops
