#include "kube/printcolumns_p.h"

// Column definitions of the printers (metav1.TableColumnDefinition): names, types and the API
// documentation. Priority 1 columns are the ones `kubectl get -o wide` adds.

namespace tdkube::kube::columns {

using namespace Qt::StringLiterals;

const QString &nameDescription()
{
    static const QString text =
        u"Name must be unique within a namespace. Is required when creating resources, although some "
        "resources may allow a client to request the generation of an appropriate name automatically. "
        "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
        "updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"_s;
    return text;
}

const QString &creationTimestampDescription()
{
    static const QString text =
        u"CreationTimestamp is a timestamp representing the server time when this object was created. It "
        "is not guaranteed to be set in happens-before order across separate operations. Clients may not "
        "set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. "
        "Read-only. Null for lists. More info: "
        "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"_s;
    return text;
}

PrintColumn nameColumn(int priority = 0)
{
    return {u"Name"_s, u"string"_s, nameDescription(), priority, u"name"_s};
}

PrintColumn ageColumn()
{
    return {u"Age"_s, u"string"_s, creationTimestampDescription()};
}

PrintColumn containersColumn()
{
    return {u"Containers"_s, u"string"_s, u"Names of each container in the template."_s, 1};
}

PrintColumn imagesColumn()
{
    return {u"Images"_s, u"string"_s, u"Images referenced by each container in the template."_s, 1};
}

QList<PrintColumn> podColumns()
{
    return {
        nameColumn(),
        {u"Ready"_s, u"string"_s, u"The aggregate readiness state of this pod for accepting traffic."_s},
        {u"Status"_s, u"string"_s, u"The aggregate status of the containers in this pod."_s},
        {u"Restarts"_s, u"string"_s,
         u"The number of times the containers in this pod have been restarted and when the last "
         "container in this pod has restarted."_s},
        ageColumn(),
        {u"IP"_s, u"string"_s,
         u"podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet "
         "allocated."_s,
         1},
        {u"Node"_s, u"string"_s,
         u"NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate "
         "for scheduling by the scheduler defined in schedulerName."_s,
         1},
        {u"Nominated Node"_s, u"string"_s,
         u"nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot "
         "be scheduled right away as preemption victims receive their graceful termination periods."_s,
         1},
        {u"Readiness Gates"_s, u"string"_s,
         u"If specified, all readiness gates will be evaluated for pod readiness."_s, 1},
    };
}

QList<PrintColumn> persistentVolumeClaimColumns()
{
    return {
        nameColumn(),
        {u"Status"_s, u"string"_s, u"phase represents the current phase of PersistentVolumeClaim."_s},
        {u"Volume"_s, u"string"_s,
         u"volumeName is the binding reference to the PersistentVolume backing this claim."_s},
        {u"Capacity"_s, u"string"_s, u"capacity represents the actual resources of the underlying volume."_s},
        {u"Access Modes"_s, u"string"_s,
         u"accessModes contains the actual access modes the volume backing the PVC has."_s},
        {u"StorageClass"_s, u"string"_s, u"StorageClass of the pvc"_s},
        {u"VolumeAttributesClass"_s, u"string"_s, u"VolumeAttributesClass of the pvc"_s},
        ageColumn(),
        {u"VolumeMode"_s, u"string"_s, u"volumeMode defines what type of volume is required by the claim."_s,
         1},
    };
}

QList<PrintColumn> persistentVolumeColumns()
{
    return {
        nameColumn(),
        {u"Capacity"_s, u"string"_s, u"capacity is the description of the persistent volume's resources."_s},
        {u"Access Modes"_s, u"string"_s, u"accessModes contains all ways the volume can be mounted."_s},
        {u"Reclaim Policy"_s, u"string"_s,
         u"persistentVolumeReclaimPolicy defines what happens to a persistent volume when released "
         "from its claim."_s},
        {u"Status"_s, u"string"_s,
         u"phase indicates if a volume is available, bound to a claim, or released."_s},
        {u"Claim"_s, u"string"_s,
         u"claimRef is part of a bi-directional binding between PersistentVolume "
         "and PersistentVolumeClaim."_s},
        {u"StorageClass"_s, u"string"_s, u"StorageClass of the pv"_s},
        {u"VolumeAttributesClass"_s, u"string"_s, u"VolumeAttributesClass of the pv"_s},
        {u"Reason"_s, u"string"_s,
         u"reason is a brief CamelCase string that describes any failure and is meant for machine "
         "parsing and tidy display in the CLI."_s},
        ageColumn(),
        {u"VolumeMode"_s, u"string"_s,
         u"volumeMode defines if a volume is intended to be used with a formatted filesystem or to "
         "remain in raw block state."_s,
         1},
    };
}

QList<PrintColumn> statefulSetColumns()
{
    return {
        nameColumn(),   {u"Ready"_s, u"string"_s, u"Number of the pod with ready state"_s},
        ageColumn(),    containersColumn(),
        imagesColumn(),
    };
}

QList<PrintColumn> serviceColumns()
{
    return {
        nameColumn(),
        {u"Type"_s, u"string"_s, u"type determines how the Service is exposed."_s},
        {u"Cluster-IP"_s, u"string"_s,
         u"clusterIP is the IP address of the service and is usually assigned randomly."_s},
        {u"External-IP"_s, u"string"_s,
         u"externalIPs is a list of IP addresses for which nodes in the cluster will also accept "
         "traffic for this service."_s},
        {u"Port(s)"_s, u"string"_s, u"The list of ports that are exposed by this service."_s},
        ageColumn(),
        {u"Selector"_s, u"string"_s,
         u"Route service traffic to pods with label keys and values matching this selector."_s, 1},
    };
}

QList<PrintColumn> configMapColumns()
{
    return {
        nameColumn(),
        {u"Data"_s, u"string"_s, u"Data contains the configuration data."_s},
        ageColumn(),
    };
}

QList<PrintColumn> namespaceColumns()
{
    return {
        nameColumn(),
        {u"Status"_s, u"string"_s, u"The status of the namespace"_s},
        ageColumn(),
    };
}

QList<PrintColumn> nodeColumns()
{
    const QString addresses = u"List of addresses reachable to the node."_s;
    return {
        nameColumn(),
        {u"Status"_s, u"string"_s, u"The status of the node"_s},
        {u"Roles"_s, u"string"_s, u"The roles of the node"_s},
        ageColumn(),
        {u"Version"_s, u"string"_s, u"Kubelet Version reported by the node."_s},
        {u"Internal-IP"_s, u"string"_s, addresses, 1},
        {u"External-IP"_s, u"string"_s, addresses, 1},
        {u"OS-Image"_s, u"string"_s, u"OS Image reported by the node from /etc/os-release."_s, 1},
        {u"Kernel-Version"_s, u"string"_s, u"Kernel Version reported by the node from 'uname -r'."_s, 1},
        {u"Container-Runtime"_s, u"string"_s,
         u"ContainerRuntime Version reported by the node through runtime remote API."_s, 1},
    };
}

QList<PrintColumn> storageClassColumns()
{
    return {
        nameColumn(),
        {u"Provisioner"_s, u"string"_s, u"provisioner indicates the type of the provisioner."_s},
        {u"ReclaimPolicy"_s, u"string"_s,
         u"reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes."_s},
        {u"VolumeBindingMode"_s, u"string"_s,
         u"volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."_s},
        {u"AllowVolumeExpansion"_s, u"string"_s,
         u"allowVolumeExpansion shows whether the storage class "
         "allow volume expand."_s},
        ageColumn(),
    };
}

QList<PrintColumn> eventColumns()
{
    return {
        {u"Last Seen"_s, u"string"_s,
         u"The time at which the most recent occurrence of this event was recorded."_s},
        {u"Type"_s, u"string"_s,
         u"Type of this event (Normal, Warning), new types could be added in the future"_s},
        {u"Reason"_s, u"string"_s,
         u"This should be a short, machine understandable string that gives the reason for the "
         "transition into the object's current status."_s},
        {u"Object"_s, u"string"_s, u"The object that this event is about."_s},
        {u"Subobject"_s, u"string"_s,
         u"If referring to a piece of an object instead of an entire object, this string should "
         "contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]."_s,
         1},
        {u"Source"_s, u"string"_s,
         u"The component reporting this event. Should be a short machine understandable string."_s, 1},
        {u"Message"_s, u"string"_s, u"A human-readable description of the status of this operation."_s},
        {u"First Seen"_s, u"string"_s,
         u"The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"_s, 1},
        {u"Count"_s, u"string"_s, u"The number of times this event has occurred."_s, 1},
        nameColumn(1),
    };
}

QList<PrintColumn> genericColumns()
{
    return {
        nameColumn(),
        {u"Created At"_s, u"date"_s, creationTimestampDescription()},
    };
}

} // namespace tdkube::kube::columns
