#include "deploy/clusterdeletion.h"

#include "kube/kubeclient.h"

#include <QJsonArray>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <memory>

namespace tdkube::deploy {

using namespace Qt::StringLiterals;
using kube::KubeResponse;
using kube::ResourceKind;

namespace {

constexpr int kPollMs = 500;

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
        return ClusterDeleter::tr("the governing Service: the pods' DNS names (<pod>.%1) stop resolving")
            .arg(nameOf(service));
    QStringList ports;
    for (const QJsonValue &port : valueAt(service, u"spec.ports"_s).toArray())
        ports << QString::number(port.toObject().value(u"port").toInt());
    //: %1 is one port or a list of ports ("6041, 6030")
    return ClusterDeleter::tr("clients that reach TDengine through this Service (port %1) lose access")
        .arg(ports.join(u", "_s));
}

// What deleting the claim does to its data; `destroysData` is set when the data goes with it.
QString claimConsequence(const QJsonObject &claim, const QList<QJsonObject> &volumes, bool *destroysData)
{
    *destroysData = false;
    const QString volumeName = valueAt(claim, u"spec.volumeName"_s).toString();
    if (volumeName.isEmpty())
        return ClusterDeleter::tr("not bound to a volume: no data is stored in it");
    const auto pv = std::find_if(volumes.begin(), volumes.end(),
                                 [&](const QJsonObject &v) { return nameOf(v) == volumeName; });
    if (pv == volumes.end())
        return ClusterDeleter::tr("PV %1 was not found (it may be gone already, or you may not be allowed to "
                                  "read PersistentVolumes): what happens to its data depends on its reclaim "
                                  "policy")
            .arg(volumeName);
    const QString policy = valueAt(*pv, u"spec.persistentVolumeReclaimPolicy"_s).toString();
    *destroysData = policy == u"Delete" || policy == u"Recycle";
    if (policy == u"Delete")
        return ClusterDeleter::tr("PV %1 (reclaim policy Delete): the volume and its data are destroyed")
            .arg(volumeName);
    if (policy == u"Retain")
        return ClusterDeleter::tr("PV %1 (reclaim policy Retain): the volume stays, Released, with the data; "
                                  "delete it by hand to free the space")
            .arg(volumeName);
    if (policy == u"Recycle")
        return ClusterDeleter::tr("PV %1 (reclaim policy Recycle): the volume is wiped and offered to new "
                                  "claims; its data is destroyed")
            .arg(volumeName);
    return ClusterDeleter::tr("PV %1 (reclaim policy %2): what happens to the data depends on the storage "
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
        plan->warnings << ClusterDeleter::tr(
                              "The StatefulSet's persistentVolumeClaimRetentionPolicy.whenDeleted "
                              "is Delete: Kubernetes deletes its claims (%1) with it even though "
                              "you keep them here.")
                              .arg(names.join(u", "_s));
    } else if (!plan->deleteClaims) {
        plan->warnings << ClusterDeleter::tr(
                              "The claims %1 are kept with their data. A new cluster named %2 in "
                              "namespace %3 would start on this old data; delete them when you no "
                              "longer need it.")
                              .arg(names.join(u", "_s), plan->statefulSet, plan->ns);
    } else if (destroyed > 0) {
        plan->warnings << ClusterDeleter::tr(
            "Deleting the claims destroys the data of %n volume(s) for good; "
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
    plan.objects.append(
        {u"StatefulSet"_s, plan.statefulSet,
         ClusterDeleter::tr("its %1 pod(s) stop and TDengine on them shuts down").arg(replicas)});

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
            plan.objects.append(
                {u"ConfigMap"_s, name,
                 ClusterDeleter::tr("the TDengine settings in it are lost; keep a copy (kubectl "
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
        client->list(
            kind, kind.namespaced ? ns : QString(), {}, context, [self, kind](const KubeResponse &r) {
                if (!r.ok()) {
                    //: %1 is a resource as the API names it: services, configmaps, pods, ...
                    const QString error = ClusterDeleter::tr("Listing the %1 of namespace %2 failed: %3")
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
            gathering->done({}, ClusterDeleter::tr("Reading StatefulSet %1 in namespace %2 failed: %3")
                                    .arg(gathering->statefulSetName, gathering->ns, r.error));
            return;
        }
        gathering->statefulSet = r.json();
        gathering->listNext(gathering);
    });
}

ClusterDeleter::ClusterDeleter(kube::KubeClient *client, DeletionPlan plan, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_plan(std::move(plan))
{
    for (const DeletionItem &item : std::as_const(m_plan.objects)) {
        m_steps.append({Step::Delete, item});
        if (item.kind == u"StatefulSet")
            m_steps.append({Step::WaitForPods, item});
    }
    // The claims only when the plan says so, and after the pods: a pod still running would keep using
    // its claim (pvc-protection) and write to a volume about to be destroyed.
    if (m_plan.deleteClaims) {
        for (const DeletionItem &claim : std::as_const(m_plan.claims))
            m_steps.append({Step::Delete, claim});
    }
}

ClusterDeleter::~ClusterDeleter() = default;

void ClusterDeleter::start()
{
    if (m_running)
        return;
    m_running = true;
    m_step = 0;
    QTimer::singleShot(0, this, &ClusterDeleter::runStep);
}

void ClusterDeleter::runStep()
{
    if (m_step == m_steps.size()) {
        m_running = false;
        emit finished(true, {});
        return;
    }
    m_stepTimer.start();
    const Step &step = m_steps.at(m_step);
    if (step.action == Step::WaitForPods) {
        // The pods the plan found: one that went before the first look is reported gone too.
        m_podsLeft = QSet<QString>(m_plan.pods.cbegin(), m_plan.pods.cend());
        m_podsShown = !m_podsLeft.isEmpty();
        // Said before the first look: the pods may all be gone by then, and the step is still this one.
        if (m_podsShown) {
            QStringList pods = m_plan.pods;
            pods.sort();
            emit progress(tr("Waiting for pods %1 to go").arg(pods.join(u", "_s)),
                          tr("they stop within their termination grace period"));
        }
        pollPods();
    } else {
        deleteItem(step.item);
    }
}

namespace {

ResourceKind kindNamed(const QString &kind)
{
    if (kind == u"StatefulSet")
        return ResourceKind::statefulSets();
    if (kind == u"Service")
        return ResourceKind::services();
    if (kind == u"ConfigMap")
        return ResourceKind::configMaps();
    if (kind == u"PersistentVolumeClaim")
        return ResourceKind::persistentVolumeClaims();
    return {};
}

} // namespace

void ClusterDeleter::deleteItem(const DeletionItem &item)
{
    const ResourceKind kind = kindNamed(item.kind);
    if (!kind.isValid()) {
        fail(tr("tdkube cannot delete a %1 (%2): it is not part of a TDengine cluster it manages.")
                 .arg(item.kind, item.name));
        return;
    }
    //: %1 is a kind (StatefulSet, Service, ...), %2 the object's name
    emit progress(tr("Deleting %1 %2").arg(item.kind, item.name), item.consequence);
    const QString policy = item.kind == u"StatefulSet" ? u"Background"_s : QString();
    m_client->remove(kind, m_plan.ns, item.name, policy, this, [this, item](const KubeResponse &r) {
        if (!r.ok() && r.httpStatus != 404) { // gone already: a restarted run
            fail(tr("Deleting %1 %2 in namespace %3 failed: %4")
                     .arg(item.kind, item.name, m_plan.ns, r.error));
            return;
        }
        waitGone(item);
    });
}

void ClusterDeleter::waitGone(const DeletionItem &item)
{
    m_client->get(kindNamed(item.kind), m_plan.ns, item.name, this, [this, item](const KubeResponse &r) {
        if (r.httpStatus == 404) {
            emit itemGone(item.kind, item.name);
            stepDone();
            return;
        }
        if (!r.ok()) {
            fail(tr("Checking whether %1 %2 is gone failed: %3").arg(item.kind, item.name, r.error));
            return;
        }
        if (m_stepTimer.hasExpired(m_timeoutMs)) {
            const QJsonArray finalizers =
                r.json().value(u"metadata").toObject().value(u"finalizers").toArray();
            QStringList names;
            for (const QJsonValue &f : finalizers)
                names << f.toString();
            const QString seconds = QString::number(m_timeoutMs / 1000);
            //: %1 is a kind, %2 the object's name, %3 seconds, %4 the finalizers; "kubectl -n %5
            //: describe %6 %2" is a command
            const QString stuck =
                tr("%1 %2 is still there %3 s after it was deleted (finalizers: %4). Check it "
                   "with kubectl -n %5 describe %6 %2 and its events, then start the deletion "
                   "again: it continues where it stopped.");
            //: %1 is a kind, %2 the object's name, %3 seconds; "kubectl -n %4 describe %5 %2" is a command
            const QString stuckNoFinalizers =
                tr("%1 %2 is still there %3 s after it was deleted. Check it with "
                   "kubectl -n %4 describe %5 %2 and its events, then start the "
                   "deletion again: it continues where it stopped.");
            fail(names.isEmpty()
                     ? stuckNoFinalizers.arg(item.kind, item.name, seconds, m_plan.ns, item.kind.toLower())
                     : stuck.arg(item.kind, item.name, seconds, names.join(u", "_s), m_plan.ns,
                                 item.kind.toLower()));
            return;
        }
        if (m_stepTimer.elapsed() < kPollMs)
            emit progress(tr("Waiting for %1 %2 to go").arg(item.kind, item.name), {});
        QTimer::singleShot(kPollMs, this, [this, item] { waitGone(item); });
    });
}

void ClusterDeleter::pollPods()
{
    m_client->list(ResourceKind::pods(), m_plan.ns, {}, this, [this](const KubeResponse &r) {
        if (!r.ok()) {
            fail(tr("Listing the pods of namespace %1 failed: %2").arg(m_plan.ns, r.error));
            return;
        }
        QStringList left;
        for (const QJsonObject &pod : itemsOf(r)) {
            if (ordinalOf(nameOf(pod), m_plan.statefulSet) >= 0)
                left << nameOf(pod);
        }
        left.sort();
        const QSet<QString> now(left.begin(), left.end());
        for (const QString &gone : std::as_const(m_podsLeft)) {
            if (!now.contains(gone))
                emit itemGone(u"Pod"_s, gone);
        }
        const bool changed = !m_podsShown || now != m_podsLeft;
        m_podsShown = true;
        m_podsLeft = now;
        if (left.isEmpty()) {
            stepDone();
            return;
        }
        if (m_stepTimer.hasExpired(m_timeoutMs)) {
            fail(tr("Pods %1 are still there %2 s after StatefulSet %3 was deleted. Check them with kubectl "
                    "-n "
                    "%4 get pods and their events (a finalizer or an unreachable node can hold a pod), then "
                    "start "
                    "the deletion again: it continues where it stopped.")
                     .arg(left.join(u", "_s), QString::number(m_timeoutMs / 1000), m_plan.statefulSet,
                          m_plan.ns));
            return;
        }
        if (changed)
            emit progress(tr("Waiting for pods %1 to go").arg(left.join(u", "_s)),
                          tr("they stop within their termination grace period"));
        QTimer::singleShot(kPollMs, this, &ClusterDeleter::pollPods);
    });
}

void ClusterDeleter::stepDone()
{
    ++m_step;
    runStep();
}

void ClusterDeleter::fail(const QString &error)
{
    m_running = false;
    emit finished(false, error);
}

} // namespace tdkube::deploy
