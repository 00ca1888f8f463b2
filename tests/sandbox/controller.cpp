#include "controller.h"

#include "podruntime.h"
#include "resources.h"
#include "selectors.h"
#include "store.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

#include <algorithm>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

const QString kPvcProtection = u"kubernetes.io/pvc-protection"_s;
const QString kRevisionLabel = u"controller-revision-hash"_s;
const QString kPodNameLabel = u"statefulset.kubernetes.io/pod-name"_s;
const QString kPodIndexLabel = u"apps.kubernetes.io/pod-index"_s;
const QString kStartedAtKey = u"sandbox.tdkube.io/phase-since"_s;

QStringList nodeNames()
{
    return {u"sandbox-node-1"_s, u"sandbox-node-2"_s, u"sandbox-node-3"_s};
}

QJsonObject condition(const QString &type, bool status, const QString &reason = {},
                      const QString &message = {})
{
    QJsonObject c{{u"type"_s, type},
                  {u"status"_s, status ? u"True"_s : u"False"_s},
                  {u"lastProbeTime"_s, QJsonValue::Null},
                  {u"lastTransitionTime"_s, Store::now()}};
    if (!reason.isEmpty())
        c.insert(u"reason"_s, reason);
    if (!message.isEmpty())
        c.insert(u"message"_s, message);
    return c;
}

// Keeps lastTransitionTime when a condition did not change, as kubelets do.
QJsonArray mergeConditions(const QJsonArray &old, const QJsonArray &fresh)
{
    QJsonArray result;
    for (const QJsonValue &value : fresh) {
        QJsonObject c = value.toObject();
        for (const QJsonValue &previous : old) {
            const QJsonObject p = previous.toObject();
            if (p.value(u"type") == c.value(u"type") && p.value(u"status") == c.value(u"status"))
                c.insert(u"lastTransitionTime"_s, p.value(u"lastTransitionTime"));
        }
        result.append(c);
    }
    return result;
}

QString revisionOf(const QJsonObject &set)
{
    const QByteArray templ =
        QJsonDocument(valueAt(set, u"spec.template"_s).toObject()).toJson(QJsonDocument::Compact);
    return nameOf(set) + u'-' +
           QString::fromLatin1(QCryptographicHash::hash(templ, QCryptographicHash::Sha256).toHex().left(10));
}

bool isReady(const QJsonObject &pod)
{
    for (const QJsonValue &c : valueAt(pod, u"status.conditions"_s).toArray()) {
        if (c.toObject().value(u"type").toString() == u"Ready")
            return c.toObject().value(u"status").toString() == u"True";
    }
    return false;
}

bool isTerminating(const QJsonObject &object)
{
    return metadataOf(object).contains(u"deletionTimestamp");
}

QJsonObject ownerReference(const QJsonObject &owner, bool controller)
{
    return QJsonObject{{u"apiVersion"_s, owner.value(u"apiVersion")},
                       {u"kind"_s, owner.value(u"kind")},
                       {u"name"_s, nameOf(owner)},
                       {u"uid"_s, uidOf(owner)},
                       {u"controller"_s, controller},
                       {u"blockOwnerDeletion"_s, true}};
}

bool isOwnedBy(const QJsonObject &object, const QString &uid)
{
    for (const QJsonValue &owner : metadataOf(object).value(u"ownerReferences").toArray()) {
        if (owner.toObject().value(u"uid").toString() == uid)
            return true;
    }
    return false;
}

QStringList claimNamesOf(const QJsonObject &pod)
{
    QStringList claims;
    for (const QJsonValue &volume : valueAt(pod, u"spec.volumes"_s).toArray()) {
        const QString claim =
            volume.toObject().value(u"persistentVolumeClaim").toObject().value(u"claimName").toString();
        if (!claim.isEmpty())
            claims << claim;
    }
    return claims;
}

} // namespace

int ordinalOf(const QString &name, const QString &setName)
{
    if (!name.startsWith(setName + u'-'))
        return -1;
    bool ok = false;
    const int ordinal = name.mid(setName.size() + 1).toInt(&ok);
    return ok && ordinal >= 0 ? ordinal : -1;
}

Controller::Controller(Store *store, double timeScale, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_timeScale(timeScale)
{
    connect(m_store, &Store::changed, this, [this](const StoreEvent &event) {
        // A pod removed without a grace period never passes through Terminating.
        if (event.resource == &podsType() && event.type == EventType::Deleted) {
            stopContainer(event.previous);
            const qint64 now = nowMs();
            endDelay(uidOf(event.previous), DelayLedger::Kind::PodStartup, now);
            endDelay(uidOf(event.previous), DelayLedger::Kind::PodTermination, now);
        }
        if (event.resource != &eventsType())
            scheduleReconcile();
    });
}

Controller::~Controller() = default;

void Controller::setRuntime(PodRuntime *runtime)
{
    m_runtime = runtime;
    connect(runtime, &PodRuntime::readinessChanged, this, [this] { scheduleReconcile(); });
}

void Controller::stopContainer(const QJsonObject &pod)
{
    if (m_startedContainers.remove(uidOf(pod)) && m_runtime)
        m_runtime->containerStopped(pod);
}

void Controller::beginDelay(const QString &uid, DelayLedger::Kind kind, qint64 now)
{
    if (m_delays && !m_openDelays.contains({uid, kind}))
        m_openDelays.insert({uid, kind}, m_delays->open(kind, now));
}

void Controller::endDelay(const QString &uid, DelayLedger::Kind kind, qint64 now)
{
    if (m_delays)
        m_delays->close(m_openDelays.take({uid, kind}), now);
}

int Controller::scaled(int ms) const
{
    return std::max(1, int(ms * m_timeScale));
}

qint64 Controller::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

void Controller::bootstrap()
{
    for (const QString &ns : {u"default"_s, u"kube-system"_s, u"kube-public"_s, u"kube-node-lease"_s}) {
        if (!m_store->get(namespacesType(), {}, ns)) {
            QJsonObject object{
                {u"metadata"_s,
                 QJsonObject{{u"name"_s, ns},
                             {u"labels"_s, QJsonObject{{u"kubernetes.io/metadata.name"_s, ns}}}}},
                {u"spec"_s, QJsonObject{{u"finalizers"_s, QJsonArray{u"kubernetes"_s}}}},
                {u"status"_s, QJsonObject{{u"phase"_s, u"Active"_s}}}};
            m_store->create(namespacesType(), object);
        }
    }
    int index = 0;
    for (const QString &node : nodeNames()) {
        ++index;
        if (m_store->get(nodesType(), {}, node))
            continue;
        const QJsonObject resources{{u"cpu"_s, u"8"_s},
                                    {u"memory"_s, u"32Gi"_s},
                                    {u"pods"_s, u"110"_s},
                                    {u"ephemeral-storage"_s, u"100Gi"_s}};
        const QJsonObject object{
            {u"metadata"_s,
             QJsonObject{{u"name"_s, node},
                         {u"labels"_s, QJsonObject{{u"kubernetes.io/hostname"_s, node},
                                                   {u"kubernetes.io/os"_s, u"linux"_s},
                                                   {u"kubernetes.io/arch"_s, u"amd64"_s},
                                                   {u"topology.kubernetes.io/zone"_s,
                                                    QString(u"sandbox-zone-"_s + QString::number(index))}}}}},
            {u"spec"_s, QJsonObject{{u"podCIDR"_s, u"10.244.%1.0/24"_s.arg(index)}}},
            {u"status"_s,
             QJsonObject{{u"capacity"_s, resources},
                         {u"allocatable"_s, resources},
                         {u"conditions"_s, QJsonArray{condition(u"Ready"_s, true, u"KubeletReady"_s,
                                                                u"kubelet is posting ready status"_s)}},
                         {u"addresses"_s,
                          QJsonArray{QJsonObject{{u"type"_s, u"InternalIP"_s},
                                                 {u"address"_s, QString(u"172.18.0.%1"_s.arg(index + 1))}},
                                     QJsonObject{{u"type"_s, u"Hostname"_s}, {u"address"_s, node}}}},
                         {u"nodeInfo"_s, QJsonObject{{u"kubeletVersion"_s, u"v1.32.0"_s},
                                                     {u"kubeProxyVersion"_s, u"v1.32.0"_s},
                                                     {u"osImage"_s, u"tdkube sandbox"_s},
                                                     {u"kernelVersion"_s, u"6.1.0"_s},
                                                     {u"containerRuntimeVersion"_s, u"sandbox://1.0"_s},
                                                     {u"operatingSystem"_s, u"linux"_s},
                                                     {u"architecture"_s, u"amd64"_s}}}}}};
        m_store->create(nodesType(), object);
    }
    if (!m_store->get(storageClassesType(), {}, u"standard"_s)) {
        const QJsonObject sc{
            {u"metadata"_s,
             QJsonObject{{u"name"_s, u"standard"_s},
                         {u"annotations"_s,
                          QJsonObject{{u"storageclass.kubernetes.io/is-default-class"_s, u"true"_s}}}}},
            {u"provisioner"_s, u"sandbox.tdkube.io/hostpath"_s},
            {u"reclaimPolicy"_s, u"Delete"_s},
            {u"volumeBindingMode"_s, u"Immediate"_s},
            {u"allowVolumeExpansion"_s, true}};
        m_store->create(storageClassesType(), sc);
    }
    scheduleReconcile();
}

void Controller::scheduleReconcile(int delayMs)
{
    if (delayMs <= 0) {
        if (m_reconcileQueued)
            return;
        m_reconcileQueued = true;
        QTimer::singleShot(0, this, [this] {
            m_reconcileQueued = false;
            reconcile();
        });
        return;
    }
    const qint64 wake = nowMs() + delayMs;
    if (m_nextWakeMs > nowMs() && m_nextWakeMs <= wake)
        return;
    m_nextWakeMs = wake;
    // Precise: a coarse timer may fire up to 5% early, and the wake it then asks for (the few ms
    // left) would be taken as already scheduled, leaving pods stuck (seen with --time-scale 4).
    QTimer::singleShot(delayMs, Qt::PreciseTimer, this, [this] {
        m_nextWakeMs = 0;
        scheduleReconcile();
    });
}

void Controller::reconcile()
{
    for (const QJsonObject &ns : m_store->list(namespacesType()))
        reconcileNamespace(ns);
    for (const QJsonObject &claim : m_store->list(pvcsType()))
        reconcileClaim(claim);
    for (const QJsonObject &volume : m_store->list(pvsType()))
        reconcileVolume(volume);
    for (const QJsonObject &set : m_store->list(statefulSetsType()))
        reconcileStatefulSet(set);
    for (const QJsonObject &pod : m_store->list(podsType()))
        reconcilePod(pod);
}

void Controller::reconcileNamespace(const QJsonObject &ns)
{
    if (!isTerminating(ns))
        return;
    const QString name = nameOf(ns);
    bool empty = true;
    for (const ResourceType &type : servedResources()) {
        if (!type.namespaced)
            continue;
        for (const QJsonObject &object : m_store->list(type, name)) {
            empty = false;
            if (!isTerminating(object))
                m_store->remove(type, name, nameOf(object), {});
        }
    }
    if (empty)
        m_store->erase(namespacesType(), {}, name);
}

void Controller::reconcileClaim(const QJsonObject &claim)
{
    const QString ns = namespaceOf(claim);
    if (isTerminating(claim)) {
        // PVC protection: the claim goes only when no pod uses it any more.
        for (const QJsonObject &pod : m_store->list(podsType(), ns)) {
            if (claimNamesOf(pod).contains(nameOf(claim)))
                return;
        }
        QJsonObject updated = claim;
        QJsonArray finalizers = metadataOf(claim).value(u"finalizers").toArray();
        for (qsizetype i = finalizers.size() - 1; i >= 0; --i) {
            if (finalizers.at(i).toString() == kPvcProtection)
                finalizers.removeAt(i);
        }
        setValueAt(updated, u"metadata.finalizers"_s, finalizers);
        m_store->update(pvcsType(), updated);
        const QString volume = valueAt(claim, u"spec.volumeName"_s).toString();
        if (const std::optional<QJsonObject> pv = m_store->get(pvsType(), {}, volume)) {
            if (valueAt(*pv, u"spec.persistentVolumeReclaimPolicy"_s).toString() == u"Delete") {
                m_store->remove(pvsType(), {}, volume, {});
            } else {
                QJsonObject released = *pv;
                setValueAt(released, u"status.phase"_s, u"Released"_s);
                m_store->update(pvsType(), released);
            }
        }
        return;
    }
    if (valueAt(claim, u"status.phase"_s).toString() != u"Pending")
        return;
    const QString className = valueAt(claim, u"spec.storageClassName"_s).toString();
    const std::optional<QJsonObject> sc = m_store->get(storageClassesType(), {}, className);
    if (!sc) {
        recordEvent(claim, u"Warning"_s, u"ProvisioningFailed"_s,
                    u"storageclass.storage.k8s.io \""_s + className + u"\" not found"_s,
                    u"persistentvolume-controller"_s);
        return;
    }
    const QString pvName = u"pvc-"_s + uidOf(claim);
    const QJsonObject storage = valueAt(claim, u"spec.resources.requests"_s).toObject();
    const QJsonObject pv{
        {u"metadata"_s, QJsonObject{{u"name"_s, pvName},
                                    {u"annotations"_s, QJsonObject{{u"pv.kubernetes.io/provisioned-by"_s,
                                                                    sc->value(u"provisioner")}}},
                                    {u"finalizers"_s, QJsonArray{u"kubernetes.io/pv-protection"_s}}}},
        {u"spec"_s,
         QJsonObject{
             {u"capacity"_s, QJsonObject{{u"storage"_s, storage.value(u"storage")}}},
             {u"accessModes"_s, valueAt(claim, u"spec.accessModes"_s)},
             {u"persistentVolumeReclaimPolicy"_s, sc->value(u"reclaimPolicy").toString(u"Delete"_s)},
             {u"storageClassName"_s, className},
             {u"volumeMode"_s, u"Filesystem"_s},
             {u"hostPath"_s, QJsonObject{{u"path"_s, QString(u"/var/lib/sandbox-volumes/"_s + pvName)},
                                         {u"type"_s, u"DirectoryOrCreate"_s}}},
             {u"claimRef"_s, QJsonObject{{u"apiVersion"_s, u"v1"_s},
                                         {u"kind"_s, u"PersistentVolumeClaim"_s},
                                         {u"namespace"_s, ns},
                                         {u"name"_s, nameOf(claim)},
                                         {u"uid"_s, uidOf(claim)}}}}},
        {u"status"_s, QJsonObject{{u"phase"_s, u"Bound"_s}}}};
    m_store->create(pvsType(), pv);
    QJsonObject bound = claim;
    setValueAt(bound, u"spec.volumeName"_s, pvName);
    QJsonObject annotations = metadataOf(claim).value(u"annotations").toObject();
    annotations.insert(u"pv.kubernetes.io/bind-completed"_s, u"yes"_s);
    annotations.insert(u"pv.kubernetes.io/bound-by-controller"_s, u"yes"_s);
    annotations.insert(u"volume.kubernetes.io/storage-provisioner"_s, sc->value(u"provisioner"));
    setValueAt(bound, u"metadata.annotations"_s, annotations);
    setValueAt(bound, u"status"_s,
               QJsonObject{{u"phase"_s, u"Bound"_s},
                           {u"accessModes"_s, valueAt(claim, u"spec.accessModes"_s)},
                           {u"capacity"_s, QJsonObject{{u"storage"_s, storage.value(u"storage")}}}});
    m_store->update(pvcsType(), bound);
    recordEvent(claim, u"Normal"_s, u"ProvisioningSucceeded"_s,
                u"Successfully provisioned volume "_s + pvName, sc->value(u"provisioner").toString());
}

void Controller::reconcileVolume(const QJsonObject &volume)
{
    // PV protection: a volume goes only when no claim is bound to it any more.
    if (!isTerminating(volume))
        return;
    const QString ns = valueAt(volume, u"spec.claimRef.namespace"_s).toString();
    const QString claim = valueAt(volume, u"spec.claimRef.name"_s).toString();
    if (!claim.isEmpty() && m_store->get(pvcsType(), ns, claim))
        return;
    QJsonObject updated = volume;
    removeValueAt(updated, u"metadata.finalizers"_s);
    m_store->update(pvsType(), updated);
}

void Controller::ensureClaims(const QJsonObject &set, int ordinal)
{
    const QString ns = namespaceOf(set);
    const bool deleteWithSet =
        valueAt(set, u"spec.persistentVolumeClaimRetentionPolicy.whenDeleted"_s).toString() == u"Delete";
    for (const QJsonValue &value : valueAt(set, u"spec.volumeClaimTemplates"_s).toArray()) {
        const QJsonObject templ = value.toObject();
        const QString name = nameOf(templ) + u'-' + nameOf(set) + u'-' + QString::number(ordinal);
        if (m_store->get(pvcsType(), ns, name))
            continue;
        QJsonObject labels = metadataOf(templ).value(u"labels").toObject();
        const QJsonObject matchLabels = valueAt(set, u"spec.selector.matchLabels"_s).toObject();
        for (auto it = matchLabels.begin(); it != matchLabels.end(); ++it)
            labels.insert(it.key(), it.value());
        QJsonObject metadata{{u"name"_s, name},
                             {u"namespace"_s, ns},
                             {u"labels"_s, labels},
                             {u"finalizers"_s, QJsonArray{kPvcProtection}}};
        if (deleteWithSet)
            metadata.insert(u"ownerReferences"_s, QJsonArray{ownerReference(set, true)});
        QJsonObject spec = templ.value(u"spec").toObject();
        if (!spec.contains(u"storageClassName")) {
            for (const QJsonObject &sc : m_store->list(storageClassesType())) {
                if (metadataOf(sc)
                        .value(u"annotations")
                        .toObject()
                        .value(u"storageclass.kubernetes.io/is-default-class")
                        .toString() == u"true")
                    spec.insert(u"storageClassName"_s, nameOf(sc));
            }
        }
        spec.insert(u"volumeMode"_s, spec.value(u"volumeMode").toString(u"Filesystem"_s));
        const QJsonObject claim{{u"metadata"_s, metadata},
                                {u"spec"_s, spec},
                                {u"status"_s, QJsonObject{{u"phase"_s, u"Pending"_s}}}};
        const Store::Result result = m_store->create(pvcsType(), claim);
        if (result.ok()) {
            recordEvent(set, u"Normal"_s, u"SuccessfulCreate"_s,
                        u"create Claim "_s + name + u" Pod "_s + nameOf(set) + u'-' +
                            QString::number(ordinal) + u" in StatefulSet "_s + nameOf(set) + u" success"_s,
                        u"statefulset-controller"_s);
        }
    }
}

void Controller::createPod(const QJsonObject &set, int ordinal, const QString &revision)
{
    ensureClaims(set, ordinal);
    const QString name = nameOf(set) + u'-' + QString::number(ordinal);
    const QJsonObject templ = valueAt(set, u"spec.template"_s).toObject();
    QJsonObject labels = metadataOf(templ).value(u"labels").toObject();
    labels.insert(kPodNameLabel, name);
    labels.insert(kPodIndexLabel, QString::number(ordinal));
    labels.insert(kRevisionLabel, revision);
    QJsonObject metadata = metadataOf(templ);
    metadata.remove(u"name"_s);
    metadata.insert(u"name"_s, name);
    metadata.insert(u"namespace"_s, namespaceOf(set));
    metadata.insert(u"labels"_s, labels);
    metadata.insert(u"generateName"_s, QString(nameOf(set) + u'-'));
    metadata.insert(u"ownerReferences"_s, QJsonArray{ownerReference(set, true)});
    QJsonObject spec = templ.value(u"spec").toObject();
    spec.insert(u"hostname"_s, name);
    const QString serviceName = valueAt(set, u"spec.serviceName"_s).toString();
    if (!serviceName.isEmpty())
        spec.insert(u"subdomain"_s, serviceName);
    QJsonArray volumes = spec.value(u"volumes").toArray();
    for (const QJsonValue &value : valueAt(set, u"spec.volumeClaimTemplates"_s).toArray()) {
        const QString claimTemplate = nameOf(value.toObject());
        volumes.append(QJsonObject{
            {u"name"_s, claimTemplate},
            {u"persistentVolumeClaim"_s,
             QJsonObject{{u"claimName"_s,
                          QString(claimTemplate + u'-' + nameOf(set) + u'-' + QString::number(ordinal))}}}});
    }
    spec.insert(u"volumes"_s, volumes);
    const QJsonObject pod{
        {u"metadata"_s, metadata},
        {u"spec"_s, spec},
        {u"status"_s, QJsonObject{{u"phase"_s, u"Pending"_s}, {u"qosClass"_s, u"BestEffort"_s}}}};
    const Store::Result result = m_store->create(podsType(), pod);
    if (result.ok()) {
        recordEvent(set, u"Normal"_s, u"SuccessfulCreate"_s,
                    u"create Pod "_s + name + u" in StatefulSet "_s + nameOf(set) + u" successful"_s,
                    u"statefulset-controller"_s);
    }
}

void Controller::reconcileStatefulSet(const QJsonObject &set)
{
    if (isTerminating(set))
        return;
    const QString ns = namespaceOf(set);
    const QString setName = nameOf(set);
    const int replicas = valueAt(set, u"spec.replicas"_s).toInt(1);
    const bool parallel = valueAt(set, u"spec.podManagementPolicy"_s).toString() == u"Parallel";
    const QString revision = revisionOf(set);
    QMap<int, QJsonObject> pods;
    for (const QJsonObject &pod : m_store->list(podsType(), ns)) {
        const int ordinal = ordinalOf(nameOf(pod), setName);
        if (ordinal >= 0 && isOwnedBy(pod, uidOf(set)))
            pods.insert(ordinal, pod);
    }
    updateStatefulSetStatus(set, pods.values(), revision);

    // Scale up: OrderedReady creates one pod at a time, waiting for every lower ordinal to be Ready.
    for (int ordinal = 0; ordinal < replicas; ++ordinal) {
        const auto it = pods.constFind(ordinal);
        if (it == pods.cend()) {
            createPod(set, ordinal, revision);
            if (!parallel)
                return;
            continue;
        }
        // A pending pod whose claim went (deleted while the pod still used it) gets a new, empty one,
        // as the StatefulSet controller does for pending pods (createMissingPersistentVolumeClaims).
        if (valueAt(*it, u"status.phase"_s).toString() == u"Pending" && !isTerminating(*it))
            ensureClaims(set, ordinal);
        if (!parallel && (!isReady(*it) || isTerminating(*it)))
            return;
    }
    // Scale down: the highest ordinal first, one at a time (all at once when Parallel).
    const bool deleteClaims =
        valueAt(set, u"spec.persistentVolumeClaimRetentionPolicy.whenScaled"_s).toString() == u"Delete";
    for (auto it = pods.end(); it != pods.begin();) {
        --it;
        if (it.key() < replicas)
            break;
        if (isTerminating(*it)) {
            if (!parallel)
                return;
            continue;
        }
        m_store->remove(podsType(), ns, nameOf(*it), {});
        recordEvent(set, u"Normal"_s, u"SuccessfulDelete"_s,
                    u"delete Pod "_s + nameOf(*it) + u" in StatefulSet "_s + setName + u" successful"_s,
                    u"statefulset-controller"_s);
        if (!parallel)
            return;
    }
    if (deleteClaims) {
        for (const QJsonObject &claim : m_store->list(pvcsType(), ns)) {
            for (const QJsonValue &templ : valueAt(set, u"spec.volumeClaimTemplates"_s).toArray()) {
                const int ordinal = ordinalOf(nameOf(claim), nameOf(templ.toObject()) + u'-' + setName);
                if (ordinal >= replicas && !pods.contains(ordinal) && !isTerminating(claim))
                    m_store->remove(pvcsType(), ns, nameOf(claim), {});
            }
        }
    }
    // Rolling update: replace the highest-ordinal pod of an old revision once all are Ready.
    const bool rolling = valueAt(set, u"spec.updateStrategy.type"_s).toString() != u"OnDelete";
    const int partition = valueAt(set, u"spec.updateStrategy.rollingUpdate.partition"_s).toInt();
    if (!rolling)
        return;
    for (const QJsonObject &pod : std::as_const(pods)) {
        if (!isReady(pod) || isTerminating(pod))
            return;
    }
    for (auto it = pods.end(); it != pods.begin();) {
        --it;
        if (it.key() < partition)
            break;
        if (metadataOf(*it).value(u"labels").toObject().value(kRevisionLabel).toString() != revision) {
            m_store->remove(podsType(), ns, nameOf(*it), {});
            return;
        }
    }
}

void Controller::updateStatefulSetStatus(const QJsonObject &set, const QList<QJsonObject> &pods,
                                         const QString &revision)
{
    int ready = 0;
    int updated = 0;
    for (const QJsonObject &pod : pods) {
        if (isReady(pod) && !isTerminating(pod))
            ++ready;
        if (metadataOf(pod).value(u"labels").toObject().value(kRevisionLabel).toString() == revision)
            ++updated;
    }
    QJsonObject status = set.value(u"status").toObject();
    const QJsonObject before = status;
    const bool complete = updated == pods.size();
    QString current = status.value(u"currentRevision").toString();
    if (current.isEmpty() || complete)
        current = revision;
    status.insert(u"observedGeneration"_s, metadataOf(set).value(u"generation").toInteger(1));
    status.insert(u"replicas"_s, int(pods.size()));
    status.insert(u"readyReplicas"_s, ready);
    status.insert(u"availableReplicas"_s, ready);
    status.insert(u"currentReplicas"_s, complete ? int(pods.size()) : int(pods.size()) - updated);
    status.insert(u"updatedReplicas"_s, updated);
    status.insert(u"currentRevision"_s, current);
    status.insert(u"updateRevision"_s, revision);
    status.insert(u"collisionCount"_s, 0);
    if (ready == 0)
        status.remove(u"readyReplicas"_s);
    if (status == before)
        return;
    QJsonObject updatedSet = set;
    updatedSet.insert(u"status"_s, status);
    m_store->update(statefulSetsType(), updatedSet);
}

bool Controller::schedulePod(QJsonObject &pod)
{
    const QString ns = namespaceOf(pod);
    for (const QString &claimName : claimNamesOf(pod)) {
        const std::optional<QJsonObject> claim = m_store->get(pvcsType(), ns, claimName);
        const bool bound = claim && valueAt(*claim, u"status.phase"_s).toString() == u"Bound";
        // A claim being deleted (pvc-protection holds it while a pod uses it) takes no new pod: the
        // pod waits for a new claim of that name, on a new volume.
        if (bound && !isTerminating(*claim))
            continue;
        const QString why = !claim ? u"persistentvolumeclaim \""_s + claimName + u"\" not found"_s
                            : isTerminating(*claim)
                                ? u"persistentvolumeclaim \""_s + claimName + u"\" is being deleted"_s
                                : u"pod has unbound immediate PersistentVolumeClaims"_s;
        const QString message =
            u"0/3 nodes are available: "_s + why +
            u". preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."_s;
        QJsonObject status = pod.value(u"status").toObject();
        const QJsonArray conditions{condition(u"PodScheduled"_s, false, u"Unschedulable"_s, message)};
        if (valueAt(pod, u"status.conditions"_s).toArray().isEmpty() ||
            valueAt(pod, u"status.conditions"_s).toArray().first().toObject().value(u"message") != message) {
            status.insert(u"conditions"_s, conditions);
            pod.insert(u"status"_s, status);
            m_store->update(podsType(), pod);
            recordEvent(pod, u"Warning"_s, u"FailedScheduling"_s, message, u"default-scheduler"_s);
        }
        return false;
    }
    // Spread: the node with the fewest pods of the same owner, then the fewest pods.
    QHash<QString, int> sameOwner;
    QHash<QString, int> total;
    const QString owner =
        metadataOf(pod).value(u"ownerReferences").toArray().first().toObject().value(u"uid").toString();
    for (const QJsonObject &other : m_store->list(podsType())) {
        const QString node = valueAt(other, u"spec.nodeName"_s).toString();
        if (node.isEmpty())
            continue;
        total[node]++;
        if (!owner.isEmpty() && isOwnedBy(other, owner))
            sameOwner[node]++;
    }
    QStringList nodes;
    for (const QString &node : nodeNames()) {
        if (!m_notReadyNodes.value(node))
            nodes << node;
    }
    if (nodes.isEmpty())
        return false;
    std::stable_sort(nodes.begin(), nodes.end(), [&](const QString &a, const QString &b) {
        return std::pair(sameOwner.value(a), total.value(a)) < std::pair(sameOwner.value(b), total.value(b));
    });
    const QString node = nodes.first();
    setValueAt(pod, u"spec.nodeName"_s, node);
    recordEvent(pod, u"Normal"_s, u"Scheduled"_s,
                u"Successfully assigned "_s + ns + u'/' + nameOf(pod) + u" to "_s + node,
                u"default-scheduler"_s);
    return true;
}

void Controller::reconcilePod(QJsonObject pod)
{
    if (metadataOf(pod).value(u"annotations").toObject().value(kStaticAnnotation).toString() == u"true")
        return;
    const QString uid = uidOf(pod);
    const qint64 now = nowMs();
    if (isTerminating(pod)) {
        const qint64 since = m_phaseSince.value(uid + u"/delete"_s, 0);
        if (since == 0) {
            stopContainer(pod);
            m_phaseSince.insert(uid + u"/delete"_s, now);
            endDelay(uid, DelayLedger::Kind::PodStartup, now);
            beginDelay(uid, DelayLedger::Kind::PodTermination, now);
            recordEvent(
                pod, u"Normal"_s, u"Killing"_s,
                u"Stopping container "_s +
                    valueAt(pod, u"spec.containers"_s).toArray().first().toObject().value(u"name").toString(),
                u"kubelet"_s);
            scheduleReconcile(scaled(kTerminationMs));
            return;
        }
        if (now - since >= scaled(kTerminationMs)) {
            m_phaseSince.remove(uid + u"/delete"_s);
            m_phaseSince.remove(uid);
            m_store->erase(podsType(), namespaceOf(pod), nameOf(pod));
        } else {
            scheduleReconcile(scaled(kTerminationMs) - int(now - since));
        }
        return;
    }
    const bool scheduledNow = valueAt(pod, u"spec.nodeName"_s).toString().isEmpty();
    if (scheduledNow) {
        if (!schedulePod(pod))
            return;
        m_phaseSince.insert(uid, now);
    }
    const QString node = valueAt(pod, u"spec.nodeName"_s).toString();
    if (!m_phaseSince.contains(uid))
        m_phaseSince.insert(uid, isReady(pod) ? now - scaled(kStartupMs) : now);
    const qint64 elapsed = now - m_phaseSince.value(uid);
    const bool nodeDown = m_notReadyNodes.value(valueAt(pod, u"spec.nodeName"_s).toString());
    QJsonObject status = pod.value(u"status").toObject();
    const QJsonObject before = status;
    const QJsonArray containers = valueAt(pod, u"spec.containers"_s).toArray();
    const bool running = elapsed >= scaled(kContainerCreatingMs);
    if (running && !nodeDown && !m_startedContainers.contains(uid)) {
        m_startedContainers.insert(uid);
        if (m_runtime)
            m_runtime->containerStarted(pod);
    }
    const bool probed = !m_runtime || m_runtime->probeReady(pod);
    const bool ready = elapsed >= scaled(kStartupMs) && !nodeDown && probed;
    // The start-up delay itself, from when it was (re)started to when it is over; a readiness probe
    // that fails after it is the runtime's doing, not a delay.
    if (elapsed < scaled(kStartupMs))
        beginDelay(uid, DelayLedger::Kind::PodStartup, now);
    else
        endDelay(uid, DelayLedger::Kind::PodStartup, now);
    const QJsonArray oldStatuses = status.value(u"containerStatuses").toArray();
    QJsonArray statuses;
    for (qsizetype i = 0; i < containers.size(); ++i) {
        const QJsonObject container = containers.at(i).toObject();
        const QJsonObject old = oldStatuses.at(i).toObject();
        QJsonObject cs{{u"name"_s, container.value(u"name")},
                       {u"image"_s, container.value(u"image")},
                       {u"imageID"_s, QString(u"docker.io/"_s + container.value(u"image").toString())},
                       {u"restartCount"_s, old.value(u"restartCount").toInt()},
                       {u"ready"_s, ready},
                       {u"started"_s, running}};
        if (old.contains(u"lastState"))
            cs.insert(u"lastState"_s, old.value(u"lastState"));
        else
            cs.insert(u"lastState"_s, QJsonObject());
        if (running) {
            const QString startedAt = valueAt(old, u"state.running.startedAt"_s).toString();
            cs.insert(
                u"state"_s,
                QJsonObject{{u"running"_s,
                             QJsonObject{{u"startedAt"_s, startedAt.isEmpty() ? Store::now() : startedAt}}}});
            cs.insert(u"containerID"_s, QString(u"sandbox://"_s + uid.left(8) + QString::number(i)));
        } else {
            cs.insert(u"state"_s,
                      QJsonObject{{u"waiting"_s, QJsonObject{{u"reason"_s, u"ContainerCreating"_s}}}});
        }
        statuses.append(cs);
    }
    const int nodeIndex = nodeNames().indexOf(node) + 1;
    status.insert(u"phase"_s, running ? u"Running"_s : u"Pending"_s);
    status.insert(u"hostIP"_s, QString(u"172.18.0.%1"_s.arg(nodeIndex + 1)));
    status.insert(u"hostIPs"_s,
                  QJsonArray{QJsonObject{{u"ip"_s, QString(u"172.18.0.%1"_s.arg(nodeIndex + 1))}}});
    if (running) {
        const QString ip = u"10.244.%1.%2"_s.arg(nodeIndex).arg(qHash(uid) % 250 + 2);
        status.insert(u"podIP"_s, ip);
        status.insert(u"podIPs"_s, QJsonArray{QJsonObject{{u"ip"_s, ip}}});
    }
    if (!status.contains(u"startTime"))
        status.insert(u"startTime"_s, Store::now());
    status.insert(u"containerStatuses"_s, statuses);
    QJsonArray conditions{condition(u"PodReadyToStartContainers"_s, running),
                          condition(u"Initialized"_s, true),
                          condition(u"Ready"_s, ready, ready ? QString() : u"ContainersNotReady"_s),
                          condition(u"ContainersReady"_s, ready, ready ? QString() : u"ContainersNotReady"_s),
                          condition(u"PodScheduled"_s, true)};
    if (nodeDown) {
        QJsonObject readyCondition = conditions.at(2).toObject();
        readyCondition.insert(u"status"_s, u"Unknown"_s);
        readyCondition.insert(u"reason"_s, u"NodeNotReady"_s);
        conditions.replace(2, readyCondition);
    }
    status.insert(u"conditions"_s, mergeConditions(before.value(u"conditions").toArray(), conditions));
    // Before the start-up delay is over, look again when it is; after it, a failing probe is
    // looked at again when the runtime says readiness changed.
    const int startupLeft = scaled(running ? kStartupMs : kContainerCreatingMs) - int(elapsed) + 1;
    if (!ready && !nodeDown && startupLeft > 0)
        scheduleReconcile(startupLeft);
    if (status == before && !scheduledNow)
        return;
    const bool becameRunning = running && before.value(u"phase").toString() != u"Running";
    pod.insert(u"status"_s, status);
    m_store->update(podsType(), pod);
    if (becameRunning) {
        const QString containerName = containers.first().toObject().value(u"name").toString();
        const QString image = containers.first().toObject().value(u"image").toString();
        recordEvent(pod, u"Normal"_s, u"Pulled"_s,
                    u"Container image \""_s + image + u"\" already present on machine"_s, u"kubelet"_s);
        recordEvent(pod, u"Normal"_s, u"Created"_s, u"Created container "_s + containerName, u"kubelet"_s);
        recordEvent(pod, u"Normal"_s, u"Started"_s, u"Started container "_s + containerName, u"kubelet"_s);
    }
}

bool Controller::crashContainer(const QString &ns, const QString &podName)
{
    std::optional<QJsonObject> pod = m_store->get(podsType(), ns, podName);
    if (!pod || valueAt(*pod, u"spec.nodeName"_s).toString().isEmpty())
        return false;
    QJsonObject status = pod->value(u"status").toObject();
    QJsonArray statuses = status.value(u"containerStatuses").toArray();
    for (qsizetype i = 0; i < statuses.size(); ++i) {
        QJsonObject cs = statuses.at(i).toObject();
        cs.insert(u"restartCount"_s, cs.value(u"restartCount").toInt() + 1);
        cs.insert(u"lastState"_s,
                  QJsonObject{{u"terminated"_s,
                               QJsonObject{{u"exitCode"_s, 137},
                                           {u"reason"_s, u"Error"_s},
                                           {u"startedAt"_s, valueAt(cs, u"state.running.startedAt"_s)},
                                           {u"finishedAt"_s, Store::now()},
                                           {u"containerID"_s, cs.value(u"containerID")}}}});
        cs.insert(u"state"_s, QJsonObject{{u"running"_s, QJsonObject{{u"startedAt"_s, Store::now()}}}});
        cs.insert(u"ready"_s, false);
        statuses.replace(i, cs);
    }
    status.insert(u"containerStatuses"_s, statuses);
    pod->insert(u"status"_s, status);
    stopContainer(*pod);
    m_store->update(podsType(), *pod);
    // Restarted in place: running again at once, ready after the startup delay.
    m_phaseSince.insert(uidOf(*pod), nowMs() - scaled(kContainerCreatingMs));
    recordEvent(*pod, u"Warning"_s, u"BackOff"_s, u"Back-off restarting failed container"_s, u"kubelet"_s);
    scheduleReconcile();
    return true;
}

bool Controller::setNodeReady(const QString &node, bool ready)
{
    if (!nodeNames().contains(node))
        return false;
    m_notReadyNodes.insert(node, !ready);
    if (!ready) {
        for (const QJsonObject &pod : m_store->list(podsType())) {
            if (valueAt(pod, u"spec.nodeName"_s).toString() == node)
                stopContainer(pod);
        }
    }
    if (std::optional<QJsonObject> object = m_store->get(nodesType(), {}, node)) {
        QJsonObject status = object->value(u"status").toObject();
        QJsonArray conditions{
            ready ? condition(u"Ready"_s, true, u"KubeletReady"_s, u"kubelet is posting ready status"_s)
                  : QJsonObject{{u"type"_s, u"Ready"_s},
                                {u"status"_s, u"Unknown"_s},
                                {u"reason"_s, u"NodeStatusUnknown"_s},
                                {u"message"_s, u"Kubelet stopped posting node status."_s},
                                {u"lastTransitionTime"_s, Store::now()}}};
        status.insert(u"conditions"_s, conditions);
        object->insert(u"status"_s, status);
        m_store->update(nodesType(), *object);
    }
    scheduleReconcile();
    return true;
}

void Controller::recordEvent(const QJsonObject &involved, const QString &type, const QString &reason,
                             const QString &message, const QString &component)
{
    const QString ns = namespaceOf(involved).isEmpty() ? u"default"_s : namespaceOf(involved);
    const QString uid = uidOf(involved);
    for (const QJsonObject &existing : m_store->list(eventsType(), ns)) {
        if (valueAt(existing, u"involvedObject.uid"_s).toString() == uid &&
            existing.value(u"reason").toString() == reason &&
            existing.value(u"message").toString() == message) {
            QJsonObject updated = existing;
            updated.insert(u"count"_s, existing.value(u"count").toInt(1) + 1);
            updated.insert(u"lastTimestamp"_s, Store::now());
            m_store->update(eventsType(), updated);
            return;
        }
    }
    const QString name =
        nameOf(involved) + u'.' +
        QString::number(QDateTime::currentMSecsSinceEpoch() * 1000 + m_store->resourceVersion() % 1000, 16);
    const QJsonObject event{
        {u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"namespace"_s, ns}}},
        {u"involvedObject"_s,
         QJsonObject{{u"kind"_s, involved.value(u"kind")},
                     {u"namespace"_s, namespaceOf(involved)},
                     {u"name"_s, nameOf(involved)},
                     {u"uid"_s, uid},
                     {u"apiVersion"_s, involved.value(u"apiVersion")},
                     {u"resourceVersion"_s, metadataOf(involved).value(u"resourceVersion")}}},
        {u"reason"_s, reason},
        {u"message"_s, message},
        {u"source"_s, QJsonObject{{u"component"_s, component}}},
        {u"firstTimestamp"_s, Store::now()},
        {u"lastTimestamp"_s, Store::now()},
        {u"count"_s, 1},
        {u"type"_s, type},
        {u"eventTime"_s, QJsonValue::Null},
        {u"reportingComponent"_s, component},
        {u"reportingInstance"_s, QString()}};
    m_store->create(eventsType(), event);
}

} // namespace tdkube::sandbox
