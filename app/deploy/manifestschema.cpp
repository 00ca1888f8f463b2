#include "deploy/manifestschema.h"

#include <QtGlobal>

#include <map>

namespace tdkube::deploy::schema {

namespace {

// The fields of the Kubernetes objects a TDengine deployment uses, and the common rest, with the
// real API field names (kubectl explain). One row per type: name, description for messages, then
// `field:kind` words. The kind is s (string, the default), i (integer), n (number), b (boolean),
// ios (int-or-string), q (quantity), smap (string map), qmap (quantity map), any, or a type name;
// a leading [] makes it a list. Fields tdkube never looks into are `any`, so a manifest using
// them is not flagged, only not checked deeper.
// The descriptions are tdkube's words, translated where a message uses them (context
// kTranslationContext); those that are a kind or a field name stay as they are.
struct Row
{
    const char *name;
    const char *description;
    const char *fields;
};

constexpr Row kRows[] = {
    // Top-level kinds. `status` is allowed and ignored.
    {"ConfigMap", "ConfigMap", "apiVersion kind metadata:ObjectMeta data:smap binaryData:smap immutable:b"},
    {"Service", "Service", "apiVersion kind metadata:ObjectMeta spec:ServiceSpec status:any"},
    {"Namespace", "Namespace", "apiVersion kind metadata:ObjectMeta spec:NamespaceSpec status:any"},
    {"PersistentVolumeClaim", "PersistentVolumeClaim",
     "apiVersion kind metadata:ObjectMeta spec:PersistentVolumeClaimSpec status:any"},
    {"Pod", "Pod", "apiVersion kind metadata:ObjectMeta spec:PodSpec status:any"},
    {"StatefulSet", "StatefulSet", "apiVersion kind metadata:ObjectMeta spec:StatefulSetSpec status:any"},

    {"ObjectMeta", "metadata",
     "name namespace generateName uid resourceVersion generation:i creationTimestamp:any "
     "deletionTimestamp:any deletionGracePeriodSeconds:i labels:smap annotations:smap "
     "ownerReferences:[]OwnerReference finalizers:[]s managedFields:[]any selfLink"},
    {"OwnerReference", QT_TRANSLATE_NOOP("ManifestSchema", "owner reference"),
     "apiVersion kind name uid controller:b blockOwnerDeletion:b"},
    {"LabelSelector", QT_TRANSLATE_NOOP("ManifestSchema", "label selector"),
     "matchLabels:smap matchExpressions:[]LabelSelectorRequirement"},
    {"LabelSelectorRequirement", QT_TRANSLATE_NOOP("ManifestSchema", "selector expression"),
     "key operator values:[]s"},

    {"ServiceSpec", QT_TRANSLATE_NOOP("ManifestSchema", "Service spec"),
     "type clusterIP clusterIPs:[]s externalIPs:[]s externalName externalTrafficPolicy "
     "internalTrafficPolicy healthCheckNodePort:i ipFamilies:[]s ipFamilyPolicy loadBalancerClass "
     "loadBalancerIP loadBalancerSourceRanges:[]s allocateLoadBalancerNodePorts:b ports:[]ServicePort "
     "publishNotReadyAddresses:b selector:smap sessionAffinity sessionAffinityConfig:SessionAffinityConfig "
     "trafficDistribution"},
    {"ServicePort", QT_TRANSLATE_NOOP("ManifestSchema", "Service port"),
     "name protocol port:i targetPort:ios nodePort:i appProtocol"},
    {"SessionAffinityConfig", QT_TRANSLATE_NOOP("ManifestSchema", "session affinity config"),
     "clientIP:ClientIPConfig"},
    {"ClientIPConfig", QT_TRANSLATE_NOOP("ManifestSchema", "client IP config"), "timeoutSeconds:i"},
    {"NamespaceSpec", QT_TRANSLATE_NOOP("ManifestSchema", "Namespace spec"), "finalizers:[]s"},

    {"StatefulSetSpec", QT_TRANSLATE_NOOP("ManifestSchema", "StatefulSet spec"),
     "replicas:i selector:LabelSelector template:PodTemplateSpec serviceName "
     "volumeClaimTemplates:[]PersistentVolumeClaimTemplate podManagementPolicy "
     "updateStrategy:StatefulSetUpdateStrategy revisionHistoryLimit:i minReadySeconds:i "
     "persistentVolumeClaimRetentionPolicy:StatefulSetPersistentVolumeClaimRetentionPolicy "
     "ordinals:StatefulSetOrdinals"},
    {"StatefulSetUpdateStrategy", QT_TRANSLATE_NOOP("ManifestSchema", "update strategy"),
     "type rollingUpdate:RollingUpdateStatefulSetStrategy"},
    {"RollingUpdateStatefulSetStrategy", QT_TRANSLATE_NOOP("ManifestSchema", "rolling update"),
     "partition:i maxUnavailable:ios"},
    {"StatefulSetPersistentVolumeClaimRetentionPolicy",
     QT_TRANSLATE_NOOP("ManifestSchema", "PVC retention policy"), "whenDeleted whenScaled"},
    {"StatefulSetOrdinals", "ordinals", "start:i"},
    {"PersistentVolumeClaimTemplate", QT_TRANSLATE_NOOP("ManifestSchema", "volume claim template"),
     "apiVersion kind metadata:ObjectMeta spec:PersistentVolumeClaimSpec status:any"},
    {"PersistentVolumeClaimSpec", QT_TRANSLATE_NOOP("ManifestSchema", "PersistentVolumeClaim spec"),
     "accessModes:[]s selector:LabelSelector resources:VolumeResourceRequirements volumeName "
     "storageClassName volumeMode dataSource:TypedLocalObjectReference dataSourceRef:any "
     "volumeAttributesClassName"},
    {"VolumeResourceRequirements", QT_TRANSLATE_NOOP("ManifestSchema", "volume resources"),
     "requests:qmap limits:qmap"},
    {"TypedLocalObjectReference", QT_TRANSLATE_NOOP("ManifestSchema", "object reference"),
     "apiGroup kind name namespace"},

    {"PodTemplateSpec", QT_TRANSLATE_NOOP("ManifestSchema", "Pod template"),
     "metadata:ObjectMeta spec:PodSpec"},
    {"PodSpec", QT_TRANSLATE_NOOP("ManifestSchema", "Pod spec"),
     "activeDeadlineSeconds:i affinity:Affinity automountServiceAccountToken:b containers:[]Container "
     "dnsConfig:PodDNSConfig dnsPolicy enableServiceLinks:b ephemeralContainers:[]any "
     "hostAliases:[]HostAlias hostIPC:b hostNetwork:b hostPID:b hostUsers:b hostname "
     "imagePullSecrets:[]LocalObjectReference initContainers:[]Container nodeName nodeSelector:smap "
     "os:PodOS overhead:qmap preemptionPolicy priority:i priorityClassName "
     "readinessGates:[]PodReadinessGate resourceClaims:[]any resources:ResourceRequirements "
     "restartPolicy runtimeClassName schedulerName schedulingGates:[]any "
     "securityContext:PodSecurityContext serviceAccount serviceAccountName setHostnameAsFQDN:b "
     "shareProcessNamespace:b subdomain terminationGracePeriodSeconds:i tolerations:[]Toleration "
     "topologySpreadConstraints:[]TopologySpreadConstraint volumes:[]Volume"},
    {"Container", QT_TRANSLATE_NOOP("ManifestSchema", "container"),
     "name image imagePullPolicy command:[]s args:[]s workingDir ports:[]ContainerPort env:[]EnvVar "
     "envFrom:[]EnvFromSource resources:ResourceRequirements resizePolicy:[]any restartPolicy "
     "volumeMounts:[]VolumeMount volumeDevices:[]VolumeDevice livenessProbe:Probe readinessProbe:Probe "
     "startupProbe:Probe lifecycle:Lifecycle terminationMessagePath terminationMessagePolicy "
     "securityContext:SecurityContext stdin:b stdinOnce:b tty:b"},
    {"ContainerPort", QT_TRANSLATE_NOOP("ManifestSchema", "container port"),
     "name containerPort:i hostPort:i hostIP protocol"},
    {"EnvVar", QT_TRANSLATE_NOOP("ManifestSchema", "env entry"), "name value valueFrom:EnvVarSource"},
    {"EnvVarSource", "valueFrom",
     "fieldRef:ObjectFieldSelector resourceFieldRef:ResourceFieldSelector configMapKeyRef:KeySelector "
     "secretKeyRef:KeySelector"},
    {"ObjectFieldSelector", "fieldRef", "apiVersion fieldPath"},
    {"ResourceFieldSelector", "resourceFieldRef", "containerName resource divisor:q"},
    {"KeySelector", QT_TRANSLATE_NOOP("ManifestSchema", "key reference"), "name key optional:b"},
    {"EnvFromSource", QT_TRANSLATE_NOOP("ManifestSchema", "envFrom entry"),
     "prefix configMapRef:EnvSourceRef secretRef:EnvSourceRef"},
    {"EnvSourceRef", QT_TRANSLATE_NOOP("ManifestSchema", "envFrom reference"), "name optional:b"},
    {"ResourceRequirements", "resources", "requests:qmap limits:qmap claims:[]any"},
    {"VolumeMount", QT_TRANSLATE_NOOP("ManifestSchema", "volume mount"),
     "name mountPath subPath subPathExpr readOnly:b mountPropagation recursiveReadOnly"},
    {"VolumeDevice", QT_TRANSLATE_NOOP("ManifestSchema", "volume device"), "name devicePath"},
    {"Probe", QT_TRANSLATE_NOOP("ManifestSchema", "probe"),
     "exec:ExecAction httpGet:HTTPGetAction tcpSocket:TCPSocketAction grpc:GRPCAction "
     "initialDelaySeconds:i periodSeconds:i timeoutSeconds:i successThreshold:i failureThreshold:i "
     "terminationGracePeriodSeconds:i"},
    {"ExecAction", QT_TRANSLATE_NOOP("ManifestSchema", "exec action"), "command:[]s"},
    {"HTTPGetAction", QT_TRANSLATE_NOOP("ManifestSchema", "httpGet action"),
     "path port:ios host scheme httpHeaders:[]HTTPHeader"},
    {"HTTPHeader", QT_TRANSLATE_NOOP("ManifestSchema", "HTTP header"), "name value"},
    {"TCPSocketAction", QT_TRANSLATE_NOOP("ManifestSchema", "tcpSocket action"), "port:ios host"},
    {"GRPCAction", QT_TRANSLATE_NOOP("ManifestSchema", "grpc action"), "port:i service"},
    {"Lifecycle", "lifecycle", "postStart:LifecycleHandler preStop:LifecycleHandler stopSignal"},
    {"LifecycleHandler", QT_TRANSLATE_NOOP("ManifestSchema", "lifecycle handler"),
     "exec:ExecAction httpGet:HTTPGetAction tcpSocket:TCPSocketAction sleep:SleepAction"},
    {"SleepAction", QT_TRANSLATE_NOOP("ManifestSchema", "sleep action"), "seconds:i"},
    {"SecurityContext", QT_TRANSLATE_NOOP("ManifestSchema", "container securityContext"),
     "allowPrivilegeEscalation:b capabilities:Capabilities privileged:b procMount "
     "readOnlyRootFilesystem:b runAsGroup:i runAsNonRoot:b runAsUser:i seLinuxOptions:SELinuxOptions "
     "seccompProfile:SeccompProfile appArmorProfile:SeccompProfile windowsOptions:any"},
    {"PodSecurityContext", QT_TRANSLATE_NOOP("ManifestSchema", "Pod securityContext"),
     "fsGroup:i fsGroupChangePolicy runAsGroup:i runAsNonRoot:b runAsUser:i seLinuxOptions:SELinuxOptions "
     "seccompProfile:SeccompProfile appArmorProfile:SeccompProfile supplementalGroups:[]i "
     "supplementalGroupsPolicy sysctls:[]Sysctl windowsOptions:any seLinuxChangePolicy"},
    {"Capabilities", "capabilities", "add:[]s drop:[]s"},
    {"SELinuxOptions", "seLinuxOptions", "level role type user"},
    {"SeccompProfile", QT_TRANSLATE_NOOP("ManifestSchema", "profile"), "type localhostProfile"},
    {"Sysctl", QT_TRANSLATE_NOOP("ManifestSchema", "sysctl"), "name value"},
    {"Affinity", "affinity", "nodeAffinity:NodeAffinity podAffinity:PodAffinity podAntiAffinity:PodAffinity"},
    {"NodeAffinity", QT_TRANSLATE_NOOP("ManifestSchema", "node affinity"),
     "requiredDuringSchedulingIgnoredDuringExecution:NodeSelector "
     "preferredDuringSchedulingIgnoredDuringExecution:[]PreferredSchedulingTerm"},
    {"NodeSelector", QT_TRANSLATE_NOOP("ManifestSchema", "node selector"),
     "nodeSelectorTerms:[]NodeSelectorTerm"},
    {"NodeSelectorTerm", QT_TRANSLATE_NOOP("ManifestSchema", "node selector term"),
     "matchExpressions:[]NodeSelectorRequirement matchFields:[]NodeSelectorRequirement"},
    {"NodeSelectorRequirement", QT_TRANSLATE_NOOP("ManifestSchema", "node selector expression"),
     "key operator values:[]s"},
    {"PreferredSchedulingTerm", QT_TRANSLATE_NOOP("ManifestSchema", "preferred scheduling term"),
     "weight:i preference:NodeSelectorTerm"},
    {"PodAffinity", QT_TRANSLATE_NOOP("ManifestSchema", "pod (anti-)affinity"),
     "requiredDuringSchedulingIgnoredDuringExecution:[]PodAffinityTerm "
     "preferredDuringSchedulingIgnoredDuringExecution:[]WeightedPodAffinityTerm"},
    {"PodAffinityTerm", QT_TRANSLATE_NOOP("ManifestSchema", "pod affinity term"),
     "labelSelector:LabelSelector namespaceSelector:LabelSelector namespaces:[]s topologyKey "
     "matchLabelKeys:[]s mismatchLabelKeys:[]s"},
    {"WeightedPodAffinityTerm", QT_TRANSLATE_NOOP("ManifestSchema", "weighted pod affinity term"),
     "weight:i podAffinityTerm:PodAffinityTerm"},
    {"Toleration", QT_TRANSLATE_NOOP("ManifestSchema", "toleration"),
     "key operator value effect tolerationSeconds:i"},
    {"TopologySpreadConstraint", QT_TRANSLATE_NOOP("ManifestSchema", "topology spread constraint"),
     "maxSkew:i topologyKey whenUnsatisfiable labelSelector:LabelSelector minDomains:i "
     "nodeAffinityPolicy nodeTaintsPolicy matchLabelKeys:[]s"},
    {"Volume", QT_TRANSLATE_NOOP("ManifestSchema", "volume"),
     "name configMap:ConfigMapVolumeSource secret:SecretVolumeSource emptyDir:EmptyDirVolumeSource "
     "persistentVolumeClaim:PersistentVolumeClaimVolumeSource hostPath:HostPathVolumeSource "
     "projected:any downwardAPI:any csi:any nfs:any ephemeral:any image:any"},
    {"ConfigMapVolumeSource", QT_TRANSLATE_NOOP("ManifestSchema", "configMap volume"),
     "name items:[]KeyToPath defaultMode:i optional:b"},
    {"SecretVolumeSource", QT_TRANSLATE_NOOP("ManifestSchema", "secret volume"),
     "secretName items:[]KeyToPath defaultMode:i optional:b"},
    {"KeyToPath", QT_TRANSLATE_NOOP("ManifestSchema", "item"), "key path mode:i"},
    {"EmptyDirVolumeSource", QT_TRANSLATE_NOOP("ManifestSchema", "emptyDir volume"), "medium sizeLimit:q"},
    {"PersistentVolumeClaimVolumeSource", QT_TRANSLATE_NOOP("ManifestSchema", "persistentVolumeClaim volume"),
     "claimName readOnly:b"},
    {"HostPathVolumeSource", QT_TRANSLATE_NOOP("ManifestSchema", "hostPath volume"), "path type"},
    {"LocalObjectReference", QT_TRANSLATE_NOOP("ManifestSchema", "reference"), "name"},
    {"HostAlias", QT_TRANSLATE_NOOP("ManifestSchema", "host alias"), "ip hostnames:[]s"},
    {"PodDNSConfig", "dnsConfig", "nameservers:[]s searches:[]s options:[]PodDNSConfigOption"},
    {"PodDNSConfigOption", QT_TRANSLATE_NOOP("ManifestSchema", "dnsConfig option"), "name value"},
    {"PodOS", "os", "name"},
    {"PodReadinessGate", QT_TRANSLATE_NOOP("ManifestSchema", "readiness gate"), "conditionType"},
};

struct Registry
{
    std::map<std::string_view, Type> types;

    Registry()
    {
        for (const Row &row : kRows)
            types[row.name] = Type{row.name, row.description, {}};
        for (const Row &row : kRows)
            parseFields(row, &types[row.name]);
    }

    void parseFields(const Row &row, Type *type)
    {
        const std::string_view text(row.fields);
        size_t pos = 0;
        while (pos < text.size()) {
            const size_t end = std::min(text.find(' ', pos), text.size());
            if (end > pos)
                type->fields.push_back(parseField(text.substr(pos, end - pos)));
            pos = end + 1;
        }
    }

    Field parseField(std::string_view word)
    {
        Field field;
        const size_t colon = word.find(':');
        field.name = word.substr(0, colon);
        std::string_view kind =
            colon == std::string_view::npos ? std::string_view("s") : word.substr(colon + 1);
        if (kind.starts_with("[]")) {
            field.list = true;
            kind.remove_prefix(2);
        }
        static const std::map<std::string_view, Kind> kinds{
            {"s", Kind::String},       {"i", Kind::Integer},        {"n", Kind::Number},
            {"b", Kind::Boolean},      {"ios", Kind::IntOrString},  {"q", Kind::Quantity},
            {"smap", Kind::StringMap}, {"qmap", Kind::QuantityMap}, {"any", Kind::Any}};
        if (const auto it = kinds.find(kind); it != kinds.end()) {
            field.kind = it->second;
            return field;
        }
        const auto type = types.find(kind);
        Q_ASSERT_X(type != types.end(), "manifestschema", "a field names a type that has no row");
        field.kind = type != types.end() ? Kind::Object : Kind::Any;
        field.object = type != types.end() ? &type->second : nullptr;
        return field;
    }
};

const Registry &registry()
{
    static const Registry instance;
    return instance;
}

struct KnownKind
{
    std::string_view kind;
    std::string_view apiVersion;
};

constexpr KnownKind kKnownKinds[] = {{"ConfigMap", "v1"}, {"Service", "v1"},
                                     {"Namespace", "v1"}, {"PersistentVolumeClaim", "v1"},
                                     {"Pod", "v1"},       {"StatefulSet", "apps/v1"}};

} // namespace

const Field *Type::field(std::string_view fieldName) const
{
    for (const Field &candidate : fields) {
        if (candidate.name == fieldName)
            return &candidate;
    }
    return nullptr;
}

std::string_view apiVersionOf(std::string_view kind)
{
    for (const KnownKind &known : kKnownKinds) {
        if (known.kind == kind)
            return known.apiVersion;
    }
    return {};
}

const Type *topLevelType(std::string_view apiVersion, std::string_view kind)
{
    if (apiVersionOf(kind) != apiVersion || apiVersion.empty())
        return nullptr;
    return typeNamed(kind);
}

const Type *typeNamed(std::string_view name)
{
    const auto &types = registry().types;
    const auto it = types.find(name);
    return it == types.end() ? nullptr : &it->second;
}

} // namespace tdkube::deploy::schema
