#include "deploy/clusterdeletion.h"

#include "kube/kubeclient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QPointer>
#include <QRegularExpression>

#include <algorithm>
#include <memory>

namespace tdkube::deploy {

using namespace Qt::StringLiterals;
using kube::KubeResponse;
using kube::ResourceKind;

namespace {

// The translation context keeps the name of the class that ran deletions before ops::Executor did.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ClusterDeleter)
};

QJsonValue valueAt(const QJsonObject &object, const QString &dotted)
{
    QJsonValue current = object;
    for (const QString &part : dotted.split(u'.'))
        current = current.toObject().value(part);
    return current;
}

QString nameOf(const QJsonObject &object)
{
    return valueAt(object, u"metadata.name"_s).toString();
}

// The ordinal N of `<prefix>-N`, or -1.
int ordinalOf(const QString &name, const QString &prefix)
{
    if (!name.startsWith(prefix + u'-'))
        return -1;
    bool ok = false;
    const int ordinal = name.mid(prefix.size() + 1).toInt(&ok);
    return ok && ordinal >= 0 && QString::number(ordinal) == name.mid(prefix.size() + 1) ? ordinal : -1;
}

bool selectorMatches(const QJsonObject &selector, const QJsonObject &labels)
{
    if (selector.isEmpty())
        return false; // a Service without a selector selects nothing by labels
    for (auto it = selector.begin(); it != selector.end(); ++it) {
        if (labels.value(it.key()) != it.value())
            return false;
    }
    return true;
}

QStringList configMapsReferenced(const QJsonObject &podSpec)
{
    QStringList names;
    const auto add = [&names](const QString &name) {
        if (!name.isEmpty() && !names.contains(name))
            names << name;
    };
    QJsonArray containers = podSpec.value(u"containers").toArray();
    for (const QJsonValue &c : podSpec.value(u"initContainers").toArray())
        containers.append(c);
    for (const QJsonValue &c : std::as_const(containers)) {
        for (const QJsonValue &from : c.toObject().value(u"envFrom").toArray())
            add(valueAt(from.toObject(), u"configMapRef.name"_s).toString());
        for (const QJsonValue &env : c.toObject().value(u"env").toArray())
            add(valueAt(env.toObject(), u"valueFrom.configMapKeyRef.name"_s).toString());
    }
    for (const QJsonValue &volume : podSpec.value(u"volumes").toArray()) {
        add(valueAt(volume.toObject(), u"configMap.name"_s).toString());
        for (const QJsonValue &source : valueAt(volume.toObject(), u"projected.sources"_s).toArray())
            add(valueAt(source.toObject(), u"configMap.name"_s).toString());
    }
    return names;
}

QString serviceConsequence(const QJsonObject &service, bool governing)
{
    if (governing)
        return Text::tr("the governing Service: the pods' DNS names (<pod>.%1) stop resolving")
            .arg(nameOf(service));
    QStringList ports;
    for (const QJsonValue &port : valueAt(service, u"spec.ports"_s).toArray())
        ports << QString::number(port.toObject().value(u"port").toInt());
    //: %1 is one port or a list of ports ("6041, 6030")
    return Text::tr("clients that reach TDengine through this Service (port %1) lose access")
        .arg(ports.join(u", "_s));
}

// What deleting the claim does to its data; `destroysData` is set when the data goes with it.
QString claimConsequence(const QJsonObject &claim, const QList<QJsonObject> &volumes, bool *destroysData)
{
    *destroysData = false;
    const QString volumeName = valueAt(claim, u"spec.volumeName"_s).toString();
    if (volumeName.isEmpty())
        return Text::tr("not bound to a volume: no data is stored in it");
    const auto pv = std::find_if(volumes.begin(), volumes.end(),
                                 [&](const QJsonObject &v) { return nameOf(v) == volumeName; });
    if (pv == volumes.end())
        return Text::tr("PV %1 was not found (it may be gone already, or you may not be allowed to "
                        "read PersistentVolumes): what happens to its data depends on its reclaim "
                        "policy")
            .arg(volumeName);
    const QString policy = valueAt(*pv, u"spec.persistentVolumeReclaimPolicy"_s).toString();
    *destroysData = policy == u"Delete" || policy == u"Recycle";
    if (policy == u"Delete")
        return Text::tr("PV %1 (reclaim policy Delete): the volume and its data are destroyed")
            .arg(volumeName);
    if (policy == u"Retain")
        return Text::tr("PV %1 (reclaim policy Retain): the volume stays, Released, with the data; "
                        "delete it by hand to free the space")
            .arg(volumeName);
    if (policy == u"Recycle")
        return Text::tr("PV %1 (reclaim policy Recycle): the volume is wiped and offered to new "
                        "claims; its data is destroyed")
            .arg(volumeName);
    return Text::tr("PV %1 (reclaim policy %2): what happens to the data depends on the storage "
                    "provider")
        .arg(volumeName, policy);
}

struct Claim
{
    int templateIndex;
    int ordinal;
    QJsonObject object;
};

QList<Claim> claimsOf(const QJsonObject &statefulSet, const QList<QJsonObject> &claims)
{
    const QString name = nameOf(statefulSet);
    const QJsonArray templates = valueAt(statefulSet, u"spec.volumeClaimTemplates"_s).toArray();
    QList<Claim> found;
    for (int t = 0; t < templates.size(); ++t) {
        const QString prefix = nameOf(templates.at(t).toObject()) + u'-' + name;
        for (const QJsonObject &claim : claims) {
            const int ordinal = ordinalOf(nameOf(claim), prefix);
            if (ordinal >= 0)
                found.append({t, ordinal, claim});
        }
    }
    std::sort(found.begin(), found.end(), [](const Claim &a, const Claim &b) {
        return std::tie(a.templateIndex, a.ordinal) < std::tie(b.templateIndex, b.ordinal);
    });
    return found;
}

// `destroyed`: how many of the claims' volumes lose their data when the claims are deleted.
void addClaimWarnings(DeletionPlan *plan, const QJsonObject &statefulSet, int destroyed)
{
    if (plan->claims.isEmpty())
        return;
    QStringList names;
    for (const DeletionItem &claim : std::as_const(plan->claims))
        names << claim.name;
    const bool retentionDeletes =
        valueAt(statefulSet, u"spec.persistentVolumeClaimRetentionPolicy.whenDeleted"_s).toString() ==
        u"Delete";
    if (!plan->deleteClaims && retentionDeletes) {
        plan->warnings << Text::tr("The StatefulSet's persistentVolumeClaimRetentionPolicy.whenDeleted "
                                   "is Delete: Kubernetes deletes its claims (%1) with it even though "
                                   "you keep them here.")
                              .arg(names.join(u", "_s));
    } else if (!plan->deleteClaims) {
        plan->warnings << Text::tr("The claims %1 are kept with their data. A new cluster named %2 in "
                                   "namespace %3 would start on this old data; delete them when you no "
                                   "longer need it.")
                              .arg(names.join(u", "_s), plan->statefulSet, plan->ns);
    } else if (destroyed > 0) {
        plan->warnings << Text::tr("Deleting the claims destroys the data of %n volume(s) for good; "
                                   "this cannot be undone. Back up the databases first if you may "
                                   "need them.",
                                   nullptr, destroyed);
    }
}

} // namespace

DeletionPlan planDeletion(const QJsonObject &statefulSet, const QList<QJsonObject> &services,
                          const QList<QJsonObject> &configMaps, const QList<QJsonObject> &claims,
                          const QList<QJsonObject> &volumes, bool deleteClaims,
                          const QList<QJsonObject> &pods)
{
    DeletionPlan plan;
    plan.ns = valueAt(statefulSet, u"metadata.namespace"_s).toString();
    plan.statefulSet = nameOf(statefulSet);
    plan.deleteClaims = deleteClaims;
    for (const QJsonObject &pod : pods) {
        if (ordinalOf(nameOf(pod), plan.statefulSet) >= 0)
            plan.pods << nameOf(pod);
    }
    plan.pods.sort();
    const int replicas = valueAt(statefulSet, u"spec.replicas"_s).toInt(1);
    plan.objects.append({u"StatefulSet"_s, plan.statefulSet,
                         Text::tr("its %1 pod(s) stop and TDengine on them shuts down").arg(replicas)});

    const QString governing = valueAt(statefulSet, u"spec.serviceName"_s).toString();
    const QJsonObject podLabels = valueAt(statefulSet, u"spec.template.metadata.labels"_s).toObject();
    for (const QJsonObject &service : services) {
        const bool isGoverning = nameOf(service) == governing;
        if (isGoverning || selectorMatches(valueAt(service, u"spec.selector"_s).toObject(), podLabels))
            plan.objects.append({u"Service"_s, nameOf(service), serviceConsequence(service, isGoverning)});
    }
    const QStringList referenced =
        configMapsReferenced(valueAt(statefulSet, u"spec.template.spec"_s).toObject());
    for (const QString &name : referenced) {
        const bool exists = std::any_of(configMaps.begin(), configMaps.end(),
                                        [&](const QJsonObject &cm) { return nameOf(cm) == name; });
        if (exists)
            plan.objects.append({u"ConfigMap"_s, name,
                                 Text::tr("the TDengine settings in it are lost; keep a copy (kubectl "
                                          "get configmap %1 -o yaml) if you may recreate the cluster")
                                     .arg(name)});
    }
    int destroyed = 0;
    for (const Claim &claim : claimsOf(statefulSet, claims)) {
        bool destroysData = false;
        plan.claims.append({u"PersistentVolumeClaim"_s, nameOf(claim.object),
                            claimConsequence(claim.object, volumes, &destroysData)});
        destroyed += destroysData ? 1 : 0;
    }
    addClaimWarnings(&plan, statefulSet, destroyed);
    return plan;
}

namespace {

QList<QJsonObject> itemsOf(const KubeResponse &response)
{
    QList<QJsonObject> items;
    for (const QJsonValue &item : response.json().value(u"items").toArray())
        items.append(item.toObject());
    return items;
}

// The lists gatherDeletionPlan reads, one after another; the first failure ends it.
struct Gathering
{
    kube::KubeClient *client;
    QString ns;
    QString statefulSetName;
    bool deleteClaims;
    QPointer<QObject> context;
    std::function<void(const DeletionPlan &, const QString &)> done;
    QJsonObject statefulSet;
    QList<QList<QJsonObject>> lists; // services, configMaps, claims, volumes, pods

    void listNext(const std::shared_ptr<Gathering> &self)
    {
        const ResourceKind kinds[] = {ResourceKind::services(), ResourceKind::configMaps(),
                                      ResourceKind::persistentVolumeClaims(),
                                      ResourceKind::persistentVolumes(), ResourceKind::pods()};
        if (lists.size() == qsizetype(std::size(kinds))) {
            done(planDeletion(statefulSet, lists.at(0), lists.at(1), lists.at(2), lists.at(3), deleteClaims,
                              lists.at(4)),
                 {});
            return;
        }
        const ResourceKind kind = kinds[lists.size()];
        client->list(kind, kind.namespaced ? ns : QString(), {}, context,
                     [self, kind](const KubeResponse &r) {
                         if (!r.ok()) {
                             //: %1 is a resource as the API names it: services, configmaps, pods, ...
                             const QString error = Text::tr("Listing the %1 of namespace %2 failed: %3")
                                                       .arg(kind.plural, self->ns, r.error);
                             self->done({}, error);
                             return;
                         }
                         self->lists.append(itemsOf(r));
                         self->listNext(self);
                     });
    }
};

} // namespace

void gatherDeletionPlan(kube::KubeClient *client, const QString &ns, const QString &statefulSet,
                        bool deleteClaims, QObject *context,
                        std::function<void(const DeletionPlan &plan, const QString &error)> done)
{
    auto gathering = std::make_shared<Gathering>(
        Gathering{client, ns, statefulSet, deleteClaims, context, std::move(done), {}, {}});
    client->get(ResourceKind::statefulSets(), ns, statefulSet, context, [gathering](const KubeResponse &r) {
        if (!r.ok()) {
            gathering->done({}, Text::tr("Reading StatefulSet %1 in namespace %2 failed: %3")
                                    .arg(gathering->statefulSetName, gathering->ns, r.error));
            return;
        }
        gathering->statefulSet = r.json();
        gathering->listNext(gathering);
    });
}

} // namespace tdkube::deploy
