#include "kube/printers.h"

#include "kube/humanduration.h"
#include "kube/printcolumns_p.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QSet>
#include <QStringList>

#include <algorithm>
#include <optional>
#include <utility>

// Ports of the Kubernetes 1.32 API server printers (pkg/printers/internalversion/printers.go) and
// of the generic table convertor (apiserver/pkg/registry/rest/table.go). The API server always
// prints "wide" (priority-1 columns included); kubectl hides those unless `-o wide`.

namespace tdkube::kube {

namespace {

using namespace Qt::StringLiterals;

// ---------------------------------------------------------------------------------------------
// JSON and time helpers

QJsonObject objectAt(const QJsonObject &object, QLatin1StringView key)
{
    return object.value(key).toObject();
}

QJsonArray arrayAt(const QJsonObject &object, QLatin1StringView key)
{
    return object.value(key).toArray();
}

QString stringAt(const QJsonObject &object, QLatin1StringView key)
{
    return object.value(key).toString();
}

qint64 integerAt(const QJsonObject &object, QLatin1StringView key, qint64 fallback = 0)
{
    const QJsonValue value = object.value(key);
    return value.isDouble() ? value.toInteger() : fallback;
}

// Go's `x != nil` for pointer fields: the key is present and holds an object.
bool hasObject(const QJsonObject &object, QLatin1StringView key)
{
    return object.value(key).isObject();
}

QString orNone(const QString &value)
{
    return value.isEmpty() ? u"<none>"_s : value;
}

std::optional<qint64> parseTime(const QJsonValue &value)
{
    const QString text = value.toString();
    if (text.isEmpty())
        return std::nullopt;
    const QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        return std::nullopt;
    return time.toMSecsSinceEpoch();
}

// translateTimestampSince: a missing (zero) timestamp prints "<unknown>".
QString since(const QJsonValue &timestamp, qint64 nowMs)
{
    const std::optional<qint64> time = parseTime(timestamp);
    return time ? kube::humanDuration(nowMs - *time) : u"<unknown>"_s;
}

QString ageOf(const QJsonObject &object, qint64 nowMs)
{
    return since(objectAt(object, "metadata"_L1).value("creationTimestamp"_L1), nowMs);
}

QString nameOf(const QJsonObject &object)
{
    return stringAt(objectAt(object, "metadata"_L1), "name"_L1);
}

bool isDeleting(const QJsonObject &object)
{
    return !objectAt(object, "metadata"_L1).value("deletionTimestamp"_L1).toString().isEmpty();
}

QString annotation(const QJsonObject &object, QLatin1StringView key)
{
    return objectAt(objectAt(object, "metadata"_L1), "annotations"_L1).value(key).toString();
}

bool hasAnnotation(const QJsonObject &object, QLatin1StringView key)
{
    return objectAt(objectAt(object, "metadata"_L1), "annotations"_L1).contains(key);
}

// labels.FormatLabels: "k=v" pairs sorted, "<none>" when empty.
QString formatLabels(const QJsonObject &labels)
{
    QStringList pairs;
    for (auto it = labels.begin(); it != labels.end(); ++it)
        pairs.append(it.key() + u'=' + it.value().toString());
    pairs.sort();
    return pairs.isEmpty() ? u"<none>"_s : pairs.join(u',');
}

// resource.Quantity.String() of a missing quantity is "0"; present ones are already canonical
// strings in the stored JSON.
QString quantity(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble())
        return QString::number(value.toInteger());
    return u"0"_s;
}

// layoutContainerCells: container names and images, comma-separated.
QJsonArray containerCells(const QJsonObject &podSpec)
{
    QStringList names;
    QStringList images;
    const QJsonArray containers = arrayAt(podSpec, "containers"_L1);
    for (const QJsonValue &value : containers) {
        names.append(stringAt(value.toObject(), "name"_L1));
        images.append(stringAt(value.toObject(), "image"_L1));
    }
    return {names.join(u','), images.join(u',')};
}

// storage helper GetAccessModesAsString: fixed order, duplicates collapsed.
QString accessModes(const QJsonArray &modes)
{
    static const std::pair<QLatin1StringView, QLatin1StringView> abbreviations[] = {
        {"ReadWriteOnce"_L1, "RWO"_L1},
        {"ReadOnlyMany"_L1, "ROX"_L1},
        {"ReadWriteMany"_L1, "RWX"_L1},
        {"ReadWriteOncePod"_L1, "RWOP"_L1},
    };
    QStringList out;
    for (const auto &[mode, abbreviation] : abbreviations) {
        if (modes.contains(QJsonValue(QString(mode))))
            out.append(QString(abbreviation));
    }
    return out.join(u',');
}

// ---------------------------------------------------------------------------------------------
// Rows

// --- pods ---------------------------------------------------------------------------------------

// Running tally of printPod: restart counts and dates are tracked separately for restartable
// (sidecar) init containers because they survive into the "initialized" view of the pod.
struct PodTally
{
    QString reason;
    int ready = 0;
    int total = 0;
    qint64 restarts = 0;
    qint64 sidecarRestarts = 0;
    std::optional<qint64> lastRestart;
    std::optional<qint64> lastSidecarRestart;
};

void noteLastTermination(std::optional<qint64> &latest, const QJsonObject &containerStatus)
{
    const QJsonObject lastState = objectAt(containerStatus, "lastState"_L1);
    if (!hasObject(lastState, "terminated"_L1))
        return;
    const std::optional<qint64> finished =
        parseTime(objectAt(lastState, "terminated"_L1).value("finishedAt"_L1));
    if (finished && (!latest || *finished > *latest))
        latest = finished;
}

// A terminated container's reason, or Signal:/ExitCode: when the runtime gave none.
QString terminatedReason(const QJsonObject &terminated, const QString &prefix)
{
    const QString reason = stringAt(terminated, "reason"_L1);
    if (!reason.isEmpty())
        return prefix + reason;
    const qint64 signal = integerAt(terminated, "signal"_L1);
    if (signal != 0)
        return prefix + u"Signal:"_s + QString::number(signal);
    return prefix + u"ExitCode:"_s + QString::number(integerAt(terminated, "exitCode"_L1));
}

// Init containers with restartPolicy Always are sidecars: they keep running and count as containers.
QSet<QString> sidecarNames(const QJsonObject &spec)
{
    QSet<QString> names;
    const QJsonArray initContainers = arrayAt(spec, "initContainers"_L1);
    for (const QJsonValue &value : initContainers) {
        if (stringAt(value.toObject(), "restartPolicy"_L1) == u"Always")
            names.insert(stringAt(value.toObject(), "name"_L1));
    }
    return names;
}

bool hasTrueCondition(const QJsonObject &status, QStringView type)
{
    const QJsonArray conditions = arrayAt(status, "conditions"_L1);
    return std::any_of(conditions.begin(), conditions.end(), [type](const QJsonValue &value) {
        const QJsonObject condition = value.toObject();
        return stringAt(condition, "type"_L1) == type && stringAt(condition, "status"_L1) == u"True";
    });
}

// Walks the init containers in order until the first one that has not finished; returns whether
// the pod is still initializing (and sets the Init:... reason).
bool tallyInitContainers(const QJsonObject &pod, PodTally &tally)
{
    const QJsonObject spec = objectAt(pod, "spec"_L1);
    const QSet<QString> sidecars = sidecarNames(spec);
    const qsizetype initCount = arrayAt(spec, "initContainers"_L1).size();
    const QJsonArray statuses = arrayAt(objectAt(pod, "status"_L1), "initContainerStatuses"_L1);
    for (qsizetype i = 0; i < statuses.size(); ++i) {
        const QJsonObject container = statuses.at(i).toObject();
        const bool sidecar = sidecars.contains(stringAt(container, "name"_L1));
        const qint64 restartCount = integerAt(container, "restartCount"_L1);
        tally.restarts += restartCount;
        noteLastTermination(tally.lastRestart, container);
        if (sidecar) {
            tally.sidecarRestarts += restartCount;
            noteLastTermination(tally.lastSidecarRestart, container);
        }
        const QJsonObject state = objectAt(container, "state"_L1);
        const QJsonObject terminated = objectAt(state, "terminated"_L1);
        const QString waitingReason = stringAt(objectAt(state, "waiting"_L1), "reason"_L1);
        if (hasObject(state, "terminated"_L1) && integerAt(terminated, "exitCode"_L1) == 0)
            continue;
        if (sidecar && container.value("started"_L1).toBool()) {
            if (container.value("ready"_L1).toBool())
                ++tally.ready;
            continue;
        }
        if (hasObject(state, "terminated"_L1))
            tally.reason = terminatedReason(terminated, u"Init:"_s);
        else if (!waitingReason.isEmpty() && waitingReason != u"PodInitializing")
            tally.reason = u"Init:"_s + waitingReason;
        else
            tally.reason = u"Init:%1/%2"_s.arg(i).arg(initCount);
        return true;
    }
    return false;
}

// Walks the app containers last to first (so the first container's state wins the reason).
void tallyContainers(const QJsonObject &pod, PodTally &tally)
{
    tally.restarts = tally.sidecarRestarts;
    tally.lastRestart = tally.lastSidecarRestart;
    bool hasRunning = false;
    const QJsonArray statuses = arrayAt(objectAt(pod, "status"_L1), "containerStatuses"_L1);
    for (qsizetype i = statuses.size() - 1; i >= 0; --i) {
        const QJsonObject container = statuses.at(i).toObject();
        tally.restarts += integerAt(container, "restartCount"_L1);
        noteLastTermination(tally.lastRestart, container);
        const QJsonObject state = objectAt(container, "state"_L1);
        const QString waitingReason = stringAt(objectAt(state, "waiting"_L1), "reason"_L1);
        if (!waitingReason.isEmpty()) {
            tally.reason = waitingReason;
        } else if (hasObject(state, "terminated"_L1)) {
            tally.reason = terminatedReason(objectAt(state, "terminated"_L1), QString());
        } else if (container.value("ready"_L1).toBool() && hasObject(state, "running"_L1)) {
            hasRunning = true;
            ++tally.ready;
        }
    }
    // A pod whose first container completed while another still runs is not "Completed".
    if (tally.reason == u"Completed" && hasRunning)
        tally.reason = hasTrueCondition(objectAt(pod, "status"_L1), u"Ready") ? u"Running"_s : u"NotReady"_s;
}

QString initialPodReason(const QJsonObject &status)
{
    QString reason = stringAt(status, "reason"_L1);
    if (reason.isEmpty())
        reason = stringAt(status, "phase"_L1);
    const QJsonArray conditions = arrayAt(status, "conditions"_L1);
    for (const QJsonValue &value : conditions) {
        const QJsonObject condition = value.toObject();
        if (stringAt(condition, "type"_L1) == u"PodScheduled" &&
            stringAt(condition, "reason"_L1) == u"SchedulingGated")
            reason = u"SchedulingGated"_s;
    }
    return reason;
}

PodTally tallyPod(const QJsonObject &pod)
{
    const QJsonObject spec = objectAt(pod, "spec"_L1);
    const QJsonObject status = objectAt(pod, "status"_L1);
    PodTally tally;
    tally.reason = initialPodReason(status);
    tally.total = int(arrayAt(spec, "containers"_L1).size() + sidecarNames(spec).size());
    const bool initializing = tallyInitContainers(pod, tally);
    if (!initializing || hasTrueCondition(status, u"Initialized"))
        tallyContainers(pod, tally);

    const QString phase = stringAt(status, "phase"_L1);
    const bool terminal = phase == u"Succeeded" || phase == u"Failed";
    // node.NodeUnreachablePodReason: the node controller marked the pod while its node was gone.
    if (isDeleting(pod) && stringAt(status, "reason"_L1) == u"NodeLost")
        tally.reason = u"Unknown"_s;
    else if (isDeleting(pod) && !terminal)
        tally.reason = u"Terminating"_s;
    return tally;
}

QString restartsCell(const PodTally &tally, qint64 nowMs)
{
    if (tally.restarts != 0 && tally.lastRestart)
        return u"%1 (%2 ago)"_s.arg(tally.restarts).arg(kube::humanDuration(nowMs - *tally.lastRestart));
    return QString::number(tally.restarts);
}

QString readinessGatesCell(const QJsonObject &pod)
{
    const QJsonArray gates = arrayAt(objectAt(pod, "spec"_L1), "readinessGates"_L1);
    if (gates.isEmpty())
        return u"<none>"_s;
    const QJsonArray conditions = arrayAt(objectAt(pod, "status"_L1), "conditions"_L1);
    int trueConditions = 0;
    for (const QJsonValue &gate : gates) {
        const QString type = stringAt(gate.toObject(), "conditionType"_L1);
        // Like the printer, only the first condition of that type counts.
        const auto match =
            std::find_if(conditions.begin(), conditions.end(), [&type](const QJsonValue &value) {
                return stringAt(value.toObject(), "type"_L1) == type;
            });
        if (match != conditions.end() && stringAt((*match).toObject(), "status"_L1) == u"True")
            ++trueConditions;
    }
    return u"%1/%2"_s.arg(trueConditions).arg(gates.size());
}

// status.podIPs is what the printer reads; status.podIP covers objects written without the list.
QString podIpCell(const QJsonObject &status)
{
    const QJsonArray podIps = arrayAt(status, "podIPs"_L1);
    if (!podIps.isEmpty())
        return orNone(stringAt(podIps.first().toObject(), "ip"_L1));
    return orNone(stringAt(status, "podIP"_L1));
}

QJsonArray podConditions(const QString &phase)
{
    QString message;
    if (phase == u"Succeeded")
        message = u"The pod has completed successfully."_s;
    else if (phase == u"Failed")
        message = u"The pod failed."_s;
    else
        return {};
    return {QJsonObject{{u"type"_s, u"Completed"_s},
                        {u"status"_s, u"True"_s},
                        {u"reason"_s, phase},
                        {u"message"_s, message}}};
}

PrintedRow printPod(const QJsonObject &pod, qint64 nowMs)
{
    const QJsonObject status = objectAt(pod, "status"_L1);
    const PodTally tally = tallyPod(pod);
    PrintedRow row;
    row.cells = {nameOf(pod),
                 u"%1/%2"_s.arg(tally.ready).arg(tally.total),
                 tally.reason,
                 restartsCell(tally, nowMs),
                 ageOf(pod, nowMs),
                 podIpCell(status),
                 orNone(stringAt(objectAt(pod, "spec"_L1), "nodeName"_L1)),
                 orNone(stringAt(status, "nominatedNodeName"_L1)),
                 readinessGatesCell(pod)};
    row.conditions = podConditions(stringAt(status, "phase"_L1));
    return row;
}

// --- persistent volumes and claims --------------------------------------------------------------

// storageutil.GetPersistentVolume(Claim)Class: the beta annotation wins over the spec field.
QString storageClassOf(const QJsonObject &object)
{
    static constexpr QLatin1StringView betaAnnotation("volume.beta.kubernetes.io/storage-class");
    if (hasAnnotation(object, betaAnnotation))
        return annotation(object, betaAnnotation);
    return stringAt(objectAt(object, "spec"_L1), "storageClassName"_L1);
}

QString stringOr(const QJsonObject &object, QLatin1StringView key, const QString &fallback)
{
    const QString value = stringAt(object, key);
    return value.isEmpty() ? fallback : value;
}

PrintedRow printPersistentVolumeClaim(const QJsonObject &claim, qint64 nowMs)
{
    const QJsonObject spec = objectAt(claim, "spec"_L1);
    const QJsonObject status = objectAt(claim, "status"_L1);
    // The API server defaults phase to Pending and volumeMode to Filesystem; the sandbox store
    // may hold undefaulted objects, so apply the same defaults here.
    const QString phase = isDeleting(claim) ? u"Terminating"_s : stringOr(status, "phase"_L1, u"Pending"_s);
    const QString volumeName = stringAt(spec, "volumeName"_L1);
    QString capacity;
    QString modes;
    if (!volumeName.isEmpty()) {
        modes = accessModes(arrayAt(status, "accessModes"_L1));
        capacity = quantity(objectAt(status, "capacity"_L1).value("storage"_L1));
    }
    PrintedRow row;
    row.cells = {nameOf(claim),
                 phase,
                 volumeName,
                 capacity,
                 modes,
                 storageClassOf(claim),
                 stringOr(spec, "volumeAttributesClassName"_L1, u"<unset>"_s),
                 ageOf(claim, nowMs),
                 stringOr(spec, "volumeMode"_L1, u"Filesystem"_s)};
    return row;
}

PrintedRow printPersistentVolume(const QJsonObject &volume, qint64 nowMs)
{
    const QJsonObject spec = objectAt(volume, "spec"_L1);
    const QJsonObject status = objectAt(volume, "status"_L1);
    QString claim;
    if (hasObject(spec, "claimRef"_L1)) {
        const QJsonObject claimRef = objectAt(spec, "claimRef"_L1);
        claim = stringAt(claimRef, "namespace"_L1) + u'/' + stringAt(claimRef, "name"_L1);
    }
    // Defaults as the API server applies them (phase Pending, Retain, Filesystem).
    const QString phase = isDeleting(volume) ? u"Terminating"_s : stringOr(status, "phase"_L1, u"Pending"_s);
    PrintedRow row;
    row.cells = {nameOf(volume),
                 quantity(objectAt(spec, "capacity"_L1).value("storage"_L1)),
                 accessModes(arrayAt(spec, "accessModes"_L1)),
                 stringOr(spec, "persistentVolumeReclaimPolicy"_L1, u"Retain"_s),
                 phase,
                 claim,
                 storageClassOf(volume),
                 stringOr(spec, "volumeAttributesClassName"_L1, u"<unset>"_s),
                 stringAt(status, "reason"_L1),
                 ageOf(volume, nowMs),
                 stringOr(spec, "volumeMode"_L1, u"Filesystem"_s)};
    return row;
}

// --- workloads and services -----------------------------------------------------------------------

PrintedRow printStatefulSet(const QJsonObject &set, qint64 nowMs)
{
    const QJsonObject spec = objectAt(set, "spec"_L1);
    // spec.replicas defaults to 1 in the API server.
    const qint64 desired = integerAt(spec, "replicas"_L1, 1);
    const qint64 ready = integerAt(objectAt(set, "status"_L1), "readyReplicas"_L1);
    const QJsonArray containers = containerCells(objectAt(objectAt(spec, "template"_L1), "spec"_L1));
    PrintedRow row;
    row.cells = {nameOf(set), u"%1/%2"_s.arg(ready).arg(desired), ageOf(set, nowMs), containers.at(0),
                 containers.at(1)};
    return row;
}

QString joinStrings(const QJsonArray &values)
{
    QStringList out;
    for (const QJsonValue &value : values)
        out.append(value.toString());
    return out.join(u',');
}

// loadBalancerStatusStringer (wide): ingress IPs or hostnames, deduplicated.
QString loadBalancerIngress(const QJsonObject &status)
{
    QStringList out;
    const QJsonArray ingress = arrayAt(objectAt(status, "loadBalancer"_L1), "ingress"_L1);
    for (const QJsonValue &value : ingress) {
        const QString ip = stringAt(value.toObject(), "ip"_L1);
        const QString address = ip.isEmpty() ? stringAt(value.toObject(), "hostname"_L1) : ip;
        if (!address.isEmpty() && !out.contains(address))
            out.append(address);
    }
    return out.join(u',');
}

QString serviceExternalIp(const QJsonObject &service, const QString &type)
{
    const QJsonObject spec = objectAt(service, "spec"_L1);
    const QString externalIps = joinStrings(arrayAt(spec, "externalIPs"_L1));
    if (type == u"ClusterIP" || type == u"NodePort")
        return orNone(externalIps);
    if (type == u"ExternalName")
        return stringAt(spec, "externalName"_L1);
    if (type != u"LoadBalancer")
        return u"<unknown>"_s;
    const QString ingress = loadBalancerIngress(objectAt(service, "status"_L1));
    if (!externalIps.isEmpty())
        return ingress.isEmpty() ? externalIps : ingress + u',' + externalIps;
    return ingress.isEmpty() ? u"<pending>"_s : ingress;
}

// makePortString: "port[:nodePort]/protocol" joined by commas; protocol defaults to TCP.
QString servicePorts(const QJsonObject &spec)
{
    QStringList pieces;
    const QJsonArray ports = arrayAt(spec, "ports"_L1);
    for (const QJsonValue &value : ports) {
        const QJsonObject port = value.toObject();
        const QString protocol = stringOr(port, "protocol"_L1, u"TCP"_s);
        const qint64 nodePort = integerAt(port, "nodePort"_L1);
        QString piece = QString::number(integerAt(port, "port"_L1));
        if (nodePort > 0)
            piece += u':' + QString::number(nodePort);
        pieces.append(piece + u'/' + protocol);
    }
    return orNone(pieces.join(u','));
}

PrintedRow printService(const QJsonObject &service, qint64 nowMs)
{
    const QJsonObject spec = objectAt(service, "spec"_L1);
    // spec.type defaults to ClusterIP; spec.clusterIPs mirrors spec.clusterIP once defaulted.
    const QString type = stringOr(spec, "type"_L1, u"ClusterIP"_s);
    const QJsonArray clusterIps = arrayAt(spec, "clusterIPs"_L1);
    const QString clusterIp =
        clusterIps.isEmpty() ? orNone(stringAt(spec, "clusterIP"_L1)) : clusterIps.first().toString();
    PrintedRow row;
    row.cells = {nameOf(service),
                 type,
                 clusterIp,
                 serviceExternalIp(service, type),
                 servicePorts(spec),
                 ageOf(service, nowMs),
                 formatLabels(objectAt(spec, "selector"_L1))};
    return row;
}

PrintedRow printConfigMap(const QJsonObject &configMap, qint64 nowMs)
{
    const qint64 keys = objectAt(configMap, "data"_L1).size() + objectAt(configMap, "binaryData"_L1).size();
    PrintedRow row;
    row.cells = {nameOf(configMap), keys, ageOf(configMap, nowMs)};
    return row;
}

PrintedRow printNamespace(const QJsonObject &ns, qint64 nowMs)
{
    // status.phase defaults to Active; an undefaulted namespace being deleted is Terminating.
    const QString fallback = isDeleting(ns) ? u"Terminating"_s : u"Active"_s;
    PrintedRow row;
    row.cells = {nameOf(ns), stringOr(objectAt(ns, "status"_L1), "phase"_L1, fallback), ageOf(ns, nowMs)};
    return row;
}

// --- nodes ----------------------------------------------------------------------------------------

QString nodeStatus(const QJsonObject &node)
{
    QString ready;
    const QJsonArray conditions = arrayAt(objectAt(node, "status"_L1), "conditions"_L1);
    for (const QJsonValue &value : conditions) {
        const QJsonObject condition = value.toObject();
        // The printer keeps the last Ready condition it sees (a map keyed by type).
        if (stringAt(condition, "type"_L1) == u"Ready")
            ready = stringAt(condition, "status"_L1) == u"True" ? u"Ready"_s : u"NotReady"_s;
    }
    QStringList status{ready.isEmpty() ? u"Unknown"_s : ready};
    if (objectAt(node, "spec"_L1).value("unschedulable"_L1).toBool())
        status.append(u"SchedulingDisabled"_s);
    return status.join(u',');
}

// findNodeRoles: node-role.kubernetes.io/<role> keys and kubernetes.io/role values, sorted.
QString nodeRoles(const QJsonObject &node)
{
    static constexpr QLatin1StringView rolePrefix("node-role.kubernetes.io/");
    QSet<QString> roles;
    const QJsonObject labels = objectAt(objectAt(node, "metadata"_L1), "labels"_L1);
    for (auto it = labels.begin(); it != labels.end(); ++it) {
        if (it.key().startsWith(rolePrefix) && it.key().size() > rolePrefix.size())
            roles.insert(it.key().mid(rolePrefix.size()));
        else if (it.key() == u"kubernetes.io/role" && !it.value().toString().isEmpty())
            roles.insert(it.value().toString());
    }
    QStringList sorted(roles.begin(), roles.end());
    sorted.sort();
    return orNone(sorted.join(u','));
}

QString nodeAddress(const QJsonObject &node, QStringView type)
{
    const QJsonArray addresses = arrayAt(objectAt(node, "status"_L1), "addresses"_L1);
    for (const QJsonValue &value : addresses) {
        if (stringAt(value.toObject(), "type"_L1) == type)
            return stringAt(value.toObject(), "address"_L1);
    }
    return u"<none>"_s;
}

PrintedRow printNode(const QJsonObject &node, qint64 nowMs)
{
    const QJsonObject info = objectAt(objectAt(node, "status"_L1), "nodeInfo"_L1);
    PrintedRow row;
    row.cells = {nameOf(node),
                 nodeStatus(node),
                 nodeRoles(node),
                 ageOf(node, nowMs),
                 stringAt(info, "kubeletVersion"_L1),
                 nodeAddress(node, u"InternalIP"),
                 nodeAddress(node, u"ExternalIP"),
                 stringOr(info, "osImage"_L1, u"<unknown>"_s),
                 stringOr(info, "kernelVersion"_L1, u"<unknown>"_s),
                 stringOr(info, "containerRuntimeVersion"_L1, u"<unknown>"_s)};
    return row;
}

// --- storage classes ------------------------------------------------------------------------------

bool isDefaultStorageClass(const QJsonObject &storageClass)
{
    return annotation(storageClass, "storageclass.kubernetes.io/is-default-class"_L1) == u"true" ||
           annotation(storageClass, "storageclass.beta.kubernetes.io/is-default-class"_L1) == u"true";
}

PrintedRow printStorageClass(const QJsonObject &storageClass, qint64 nowMs)
{
    QString name = nameOf(storageClass);
    if (isDefaultStorageClass(storageClass))
        name += u" (default)"_s;
    PrintedRow row;
    row.cells = {name,
                 stringAt(storageClass, "provisioner"_L1),
                 stringOr(storageClass, "reclaimPolicy"_L1, u"Delete"_s),
                 stringOr(storageClass, "volumeBindingMode"_L1, u"Immediate"_s),
                 storageClass.value("allowVolumeExpansion"_L1).toBool(),
                 ageOf(storageClass, nowMs)};
    return row;
}

// --- events ---------------------------------------------------------------------------------------

// core/v1 field names, falling back to the events.k8s.io/v1 names for the same data.
QJsonValue eventField(const QJsonObject &event, QLatin1StringView coreKey, QLatin1StringView eventsKey)
{
    const QJsonValue value = event.value(coreKey);
    return value.isUndefined() || value.isNull() ? event.value(eventsKey) : value;
}

QString eventSource(const QJsonObject &event)
{
    const QJsonObject source = objectAt(event, "source"_L1);
    const QString component = stringOr(source, "component"_L1, stringAt(event, "reportingController"_L1));
    const QString host = stringOr(source, "host"_L1, stringAt(event, "reportingInstance"_L1));
    return host.isEmpty() ? component : component + u", "_s + host;
}

PrintedRow printEvent(const QJsonObject &event, qint64 nowMs)
{
    const QJsonValue firstTime = eventField(event, "firstTimestamp"_L1, "deprecatedFirstTimestamp"_L1);
    const QString firstSeen =
        parseTime(firstTime) ? since(firstTime, nowMs) : since(event.value("eventTime"_L1), nowMs);
    const QJsonValue lastTime = eventField(event, "lastTimestamp"_L1, "deprecatedLastTimestamp"_L1);
    QString lastSeen = parseTime(lastTime) ? since(lastTime, nowMs) : firstSeen;
    qint64 count = integerAt(event, "count"_L1, integerAt(event, "deprecatedCount"_L1));
    if (hasObject(event, "series"_L1)) {
        const QJsonObject series = objectAt(event, "series"_L1);
        lastSeen = since(series.value("lastObservedTime"_L1), nowMs);
        count = integerAt(series, "count"_L1);
    } else if (count == 0) {
        count = 1; // singleton events carry no count in the new API
    }
    const QJsonObject involved = eventField(event, "involvedObject"_L1, "regarding"_L1).toObject();
    const QString kind = stringAt(involved, "kind"_L1).toLower();
    const QString involvedName = stringAt(involved, "name"_L1);
    const QString target = involvedName.isEmpty() ? kind : kind + u'/' + involvedName;
    PrintedRow row;
    row.cells = {lastSeen,
                 stringAt(event, "type"_L1),
                 stringAt(event, "reason"_L1),
                 target,
                 stringAt(involved, "fieldPath"_L1),
                 eventSource(event),
                 eventField(event, "message"_L1, "note"_L1).toString().trimmed(),
                 firstSeen,
                 count,
                 nameOf(event)};
    return row;
}

// --- anything else ---------------------------------------------------------------------------------

// The generic convertor prints creationTimestamp as RFC 3339 UTC; a missing one is Go's zero time.
PrintedRow printGeneric(const QJsonObject &object, qint64 /*nowMs*/)
{
    const std::optional<qint64> created =
        parseTime(objectAt(object, "metadata"_L1).value("creationTimestamp"_L1));
    const QString createdAt = created
                                  ? QDateTime::fromMSecsSinceEpoch(*created, Qt::UTC).toString(Qt::ISODate)
                                  : u"0001-01-01T00:00:00Z"_s;
    PrintedRow row;
    row.cells = {nameOf(object), createdAt};
    return row;
}

// ---------------------------------------------------------------------------------------------
// Table assembly

struct Printer
{
    QList<PrintColumn> (*columns)();
    PrintedRow (*print)(const QJsonObject &object, qint64 nowMs);
};

Printer printerFor(const QString &resource)
{
    static const QHash<QString, Printer> printers{
        {u"pods"_s, {columns::podColumns, printPod}},
        {u"persistentvolumeclaims"_s, {columns::persistentVolumeClaimColumns, printPersistentVolumeClaim}},
        {u"persistentvolumes"_s, {columns::persistentVolumeColumns, printPersistentVolume}},
        {u"statefulsets"_s, {columns::statefulSetColumns, printStatefulSet}},
        {u"services"_s, {columns::serviceColumns, printService}},
        {u"configmaps"_s, {columns::configMapColumns, printConfigMap}},
        {u"namespaces"_s, {columns::namespaceColumns, printNamespace}},
        {u"nodes"_s, {columns::nodeColumns, printNode}},
        {u"storageclasses"_s, {columns::storageClassColumns, printStorageClass}},
        {u"events"_s, {columns::eventColumns, printEvent}},
    };
    return printers.value(resource, Printer{columns::genericColumns, printGeneric});
}

} // namespace

QList<PrintColumn> printColumns(const QString &resource)
{
    return printerFor(resource).columns();
}

PrintedRow printRow(const QString &resource, const QJsonObject &object, qint64 nowMs)
{
    return printerFor(resource).print(object, nowMs);
}

} // namespace tdkube::kube
