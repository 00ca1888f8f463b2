#include "kube/explain.h"

#include "kube/objects.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QStringList>

#include <algorithm>

namespace tdkube::kube {

namespace {

using namespace Qt::StringLiterals;

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Explain)
};

QJsonObject conditionOf(const QJsonObject &status, QStringView type)
{
    for (const QJsonValue &value : status.value(u"conditions").toArray()) {
        if (value.toObject().value(u"type").toString() == type)
            return value.toObject();
    }
    return {};
}

// When an event last happened: lastTimestamp, else eventTime (events.k8s.io), else creation.
QDateTime eventTime(const QJsonObject &event)
{
    for (const auto key : {u"lastTimestamp", u"eventTime", u"firstTimestamp"}) {
        const QString text = event.value(key).toString();
        if (!text.isEmpty())
            return QDateTime::fromString(text, Qt::ISODateWithMs);
    }
    return QDateTime::fromString(metadataOf(event).value(u"creationTimestamp").toString(), Qt::ISODate);
}

QString lastWarning(const QJsonObject &object, const QList<QJsonObject> &events, QStringView reason = {})
{
    for (const QJsonObject &event : eventsFor(object, events)) {
        if (event.value(u"type").toString() != u"Warning")
            continue;
        if (reason.isEmpty() || event.value(u"reason").toString() == reason)
            return event.value(u"message").toString();
    }
    return {};
}

QString defaultStorageClass(const QHash<QString, QJsonObject> &classes)
{
    for (const QJsonObject &storageClass : classes) {
        const QJsonObject annotations = metadataOf(storageClass).value(u"annotations").toObject();
        if (annotations.value(u"storageclass.kubernetes.io/is-default-class").toString() == u"true")
            return nameOf(storageClass);
    }
    return {};
}

QString explainUnboundClaim(const QString &claimName, const QJsonObject &claim, const PodSurroundings &around)
{
    const QJsonObject spec = claim.value(u"spec").toObject();
    const QString className = spec.value(u"storageClassName").toString();
    if (around.storageClassesKnown && className.isEmpty() && !spec.contains(u"storageClassName") &&
        defaultStorageClass(around.storageClasses).isEmpty()) {
        return Text::tr("Its volume claim %1 names no storage class, and the cluster has no default storage "
                        "class. Mark a class as the default (annotation "
                        "storageclass.kubernetes.io/is-default-class: \"true\"), or set storageClassName in "
                        "the StatefulSet's volumeClaimTemplates.")
            .arg(claimName);
    }
    if (around.storageClassesKnown && !className.isEmpty() && !around.storageClasses.contains(className)) {
        QStringList known = around.storageClasses.keys();
        known.sort();
        //: the storage classes a cluster has, when it has none
        const QString classes = known.isEmpty() ? Text::tr("none") : known.join(u", ");
        return Text::tr("Its volume claim %1 asks for the storage class \"%2\", which this cluster does not "
                        "have (it has: %3). Create that class, or delete the claim and set an existing class "
                        "in the StatefulSet's volumeClaimTemplates (a claim's class cannot be changed).")
            .arg(claimName, className, classes);
    }
    const QString failure = lastWarning(claim, around.events);
    if (!failure.isEmpty())
        return Text::tr("Its volume claim %1 is not bound yet: %2").arg(claimName, failure);
    return Text::tr("Its volume claim %1 is waiting for a volume (storage class \"%2\"); the provisioner has "
                    "not reported a failure yet.")
        .arg(claimName, className.isEmpty() ? defaultStorageClass(around.storageClasses) : className);
}

QString explainUnscheduled(const QJsonObject &pod, const PodSurroundings &around)
{
    const QString ns = namespaceOf(pod);
    for (const QJsonValue &volume : pod.value(u"spec").toObject().value(u"volumes").toArray()) {
        const QString claimName =
            volume.toObject().value(u"persistentVolumeClaim").toObject().value(u"claimName").toString();
        if (claimName.isEmpty())
            continue;
        const auto claim = around.claims.constFind(ns + u'/' + claimName);
        if (claim == around.claims.cend())
            return Text::tr("It waits for its volume claim %1, which does not exist. A StatefulSet's "
                            "controller creates it from volumeClaimTemplates; a claim made by hand must be "
                            "created before the pod.")
                .arg(claimName);
        if (claim->value(u"status").toObject().value(u"phase").toString() != u"Bound")
            return explainUnboundClaim(claimName, *claim, around);
    }
    const QJsonObject scheduled = conditionOf(pod.value(u"status").toObject(), u"PodScheduled");
    const QString message = scheduled.value(u"message").toString();
    if (message.isEmpty())
        return Text::tr("It waits for the scheduler to pick a node.");
    return Text::tr("No node can take it. The scheduler says: %1 Free resources or add a node, or relax the "
                    "pod's requirements (resource requests, affinity, node selector, tolerations).")
        .arg(message);
}

QString explainContainer(const QJsonObject &containerStatus, const QJsonObject &pod,
                         const PodSurroundings &around)
{
    const QString name = containerStatus.value(u"name").toString();
    const QJsonObject state = containerStatus.value(u"state").toObject();
    const QJsonObject waiting = state.value(u"waiting").toObject();
    const QString reason = waiting.value(u"reason").toString();
    const QString message = waiting.value(u"message").toString();
    const QString image = containerStatus.value(u"image").toString();
    if (reason == u"ImagePullBackOff" || reason == u"ErrImagePull" || reason == u"InvalidImageName")
        return message.isEmpty()
                   ? Text::tr(
                         "The image %1 of container %2 cannot be pulled (%3). Check the image name and "
                         "tag, and that the nodes can reach the registry (imagePullSecrets for a private "
                         "one).")
                         .arg(image, name, reason)
                   : Text::tr("The image %1 of container %2 cannot be pulled (%3: %4). Check the image name "
                              "and tag, and that the nodes can reach the registry (imagePullSecrets for a "
                              "private one).")
                         .arg(image, name, reason, message);
    if (reason == u"CrashLoopBackOff") {
        const QJsonObject last =
            containerStatus.value(u"lastState").toObject().value(u"terminated").toObject();
        return Text::tr("Container %1 keeps crashing: %2 restarts, last exit code %3 (%4). Its previous logs "
                        "say why.")
            .arg(name, QString::number(containerStatus.value(u"restartCount").toInt()),
                 QString::number(last.value(u"exitCode").toInt()),
                 last.value(u"reason").toString(u"Error"_s));
    }
    if (reason == u"CreateContainerConfigError" || reason == u"CreateContainerError")
        return Text::tr(
                   "Container %1 cannot be created: %2 A ConfigMap or Secret it refers to may be missing.")
            .arg(name, message);
    if (reason == u"ContainerCreating" || reason == u"PodInitializing") {
        const QString mount = lastWarning(pod, around.events, u"FailedMount");
        if (!mount.isEmpty())
            return Text::tr("Container %1 waits for its volumes: %2").arg(name, mount);
        return {};
    }
    if (!reason.isEmpty())
        return message.isEmpty() ? Text::tr("Container %1 is waiting: %2").arg(name, reason)
                                 : Text::tr("Container %1 is waiting: %2: %3").arg(name, reason, message);
    if (state.contains(u"running") && !containerStatus.value(u"ready").toBool()) {
        const QString probe = lastWarning(pod, around.events, u"Unhealthy");
        return probe.isEmpty() ? Text::tr("Container %1 runs but is not ready yet.").arg(name)
                               : Text::tr("Container %1 runs but is not ready yet: %2").arg(name, probe);
    }
    return {};
}

} // namespace

QString explainPod(const QJsonObject &pod, const PodSurroundings &around)
{
    const QJsonObject metadata = metadataOf(pod);
    const QJsonObject status = pod.value(u"status").toObject();
    if (metadata.contains(u"deletionTimestamp"))
        return Text::tr(
                   "The pod is being deleted; its containers get %1 s to shut down before they are killed.")
            .arg(metadata.value(u"deletionGracePeriodSeconds").toInt(30));
    const QString phase = status.value(u"phase").toString();
    if (phase == u"Succeeded")
        return {};
    if (phase == u"Failed")
        return Text::tr("The pod failed: %1 %2")
            .arg(status.value(u"reason").toString(), status.value(u"message").toString())
            .trimmed();
    if (pod.value(u"spec").toObject().value(u"nodeName").toString().isEmpty())
        return explainUnscheduled(pod, around);
    for (const auto key : {u"initContainerStatuses", u"containerStatuses"}) {
        for (const QJsonValue &value : status.value(key).toArray()) {
            const QString why = explainContainer(value.toObject(), pod, around);
            if (!why.isEmpty())
                return why;
        }
    }
    return {};
}

QList<QJsonObject> eventsFor(const QJsonObject &object, const QList<QJsonObject> &events)
{
    const QJsonObject metadata = metadataOf(object);
    const QString uid = metadata.value(u"uid").toString();
    const QString kind = object.value(u"kind").toString();
    QList<QJsonObject> result;
    for (const QJsonObject &event : events) {
        const QJsonObject involved = event.value(u"involvedObject").toObject();
        const QString involvedUid = involved.value(u"uid").toString();
        const bool same =
            !uid.isEmpty() && !involvedUid.isEmpty()
                ? involvedUid == uid
                : involved.value(u"name").toString() == metadata.value(u"name").toString() &&
                      involved.value(u"namespace").toString() == metadata.value(u"namespace").toString() &&
                      (kind.isEmpty() || involved.value(u"kind").toString() == kind);
        if (same)
            result.append(event);
    }
    std::stable_sort(result.begin(), result.end(),
                     [](const QJsonObject &a, const QJsonObject &b) { return eventTime(a) > eventTime(b); });
    return result;
}

bool isTdengineStatefulSet(const QJsonObject &statefulSet)
{
    const QJsonObject labels = metadataOf(statefulSet).value(u"labels").toObject();
    if (labels.value(u"app.kubernetes.io/name").toString() == u"tdengine")
        return true;
    const QJsonObject podSpec =
        statefulSet.value(u"spec").toObject().value(u"template").toObject().value(u"spec").toObject();
    for (const QJsonValue &container : podSpec.value(u"containers").toArray()) {
        QString image = container.toObject().value(u"image").toString();
        image = image.left(image.indexOf(u'@') < 0 ? image.size() : image.indexOf(u'@'));
        // The tag follows the last ':' after the last '/' (a registry may have a port).
        const qsizetype slash = image.lastIndexOf(u'/');
        const qsizetype colon = image.lastIndexOf(u':');
        if (colon > slash)
            image.truncate(colon);
        if (image == u"tdengine/tdengine" || image.endsWith(u"/tdengine/tdengine"))
            return true;
    }
    return false;
}

int ordinalInStatefulSet(const QJsonObject &object, const QJsonObject &statefulSet)
{
    if (namespaceOf(object) != namespaceOf(statefulSet))
        return -1;
    const QString setName = nameOf(statefulSet);
    const QString name = nameOf(object);
    const auto ordinalAfter = [&name](const QString &prefix) {
        if (!name.startsWith(prefix))
            return -1;
        bool ok = false;
        const int ordinal = QStringView(name).mid(prefix.size()).toInt(&ok);
        return ok && ordinal >= 0 ? ordinal : -1;
    };
    if (object.value(u"kind").toString() == u"Pod" ||
        object.value(u"spec").toObject().contains(u"containers")) {
        for (const QJsonValue &owner : metadataOf(object).value(u"ownerReferences").toArray()) {
            const QJsonObject reference = owner.toObject();
            if (reference.value(u"kind").toString() == u"StatefulSet" &&
                reference.value(u"name").toString() == setName)
                return ordinalAfter(setName + u'-');
        }
        return -1;
    }
    for (const QJsonValue &value :
         statefulSet.value(u"spec").toObject().value(u"volumeClaimTemplates").toArray()) {
        const int ordinal = ordinalAfter(nameOf(value.toObject()) + u'-' + setName + u'-');
        if (ordinal >= 0)
            return ordinal;
    }
    return -1;
}

QHash<QString, QString> staleClaims(const QList<QJsonObject> &statefulSets, const QList<QJsonObject> &claims)
{
    QHash<QString, QString> stale;
    for (const QJsonObject &set : statefulSets) {
        const int replicas = set.value(u"spec").toObject().value(u"replicas").toInt(1);
        for (const QJsonObject &claim : claims) {
            const int ordinal = ordinalInStatefulSet(claim, set);
            if (ordinal < replicas)
                continue;
            stale.insert(
                namespaceOf(claim) + u'/' + nameOf(claim),
                Text::tr(
                    "Stale: left behind by a scale-in. StatefulSet %1 has %2 replicas, and this claim "
                    "belongs to ordinal %3 (pod %1-%3), which no longer exists. A later scale-out to %4 or "
                    "more would give the new pod %1-%3 this claim back, with the old data and the old "
                    "dnode's identity in it. Delete the claim once that dnode has been dropped.")
                    .arg(nameOf(set), QString::number(replicas), QString::number(ordinal),
                         QString::number(ordinal + 1)));
        }
    }
    return stale;
}

} // namespace tdkube::kube
