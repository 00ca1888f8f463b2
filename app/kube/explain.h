#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace tdkube::kube {

// Plain-words readings of objects that a DBA should not have to decode from conditions and events.

// What the cluster knows around a pod, keyed "namespace/name" (storage classes and nodes by name).
struct PodSurroundings
{
    QHash<QString, QJsonObject> claims;
    QHash<QString, QJsonObject> storageClasses;
    QList<QJsonObject> events; // events of the pod's namespace (any order)
    bool storageClassesKnown =
        false; // false when they could not be listed (no "missing class" verdicts then)
};

// Why a pod is not running, or an empty string when it is (or is done). For a Pending pod: a
// missing or unbound volume claim (and why: no such storage class, no default class, the
// provisioner's last failure), no node that fits (the scheduler's words), a node that is gone;
// for a started pod: an image that cannot be pulled, a container that keeps crashing, a pod being
// deleted. Each answer says what to do next.
QString explainPod(const QJsonObject &pod, const PodSurroundings &around);

// The events that concern an object (involvedObject uid, or kind + namespace + name), newest first.
QList<QJsonObject> eventsFor(const QJsonObject &object, const QList<QJsonObject> &events);

// A StatefulSet that runs TDengine: a container image tdengine/tdengine[:tag] (any registry) or
// the label app.kubernetes.io/name: tdengine.
bool isTdengineStatefulSet(const QJsonObject &statefulSet);

// Whether a pod or claim belongs to a StatefulSet: pods by owner reference, claims by the name
// the StatefulSet controller gives them (<template>-<set>-<ordinal>). Returns the ordinal, or -1.
int ordinalInStatefulSet(const QJsonObject &object, const QJsonObject &statefulSet);

// Claims made for an ordinal at or above the StatefulSet's replicas: left behind by a scale-in
// (whenScaled: Retain), and reused with their old data by the next scale-out. Keyed
// "namespace/name", valued with the explanation shown to the user.
QHash<QString, QString> staleClaims(const QList<QJsonObject> &statefulSets, const QList<QJsonObject> &claims);

} // namespace tdkube::kube
