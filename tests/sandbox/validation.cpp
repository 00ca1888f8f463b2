#include "validation.h"

#include "resources.h"
#include "selectors.h"
#include "store.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

void insertDefault(QJsonObject &object, const QString &key, const QJsonValue &value)
{
    if (!object.contains(key))
        object.insert(key, value);
}

QJsonObject defaultContainer(QJsonObject container)
{
    const QString image = container.value(u"image").toString();
    const bool latest = !image.contains(u':') || image.endsWith(u":latest");
    insertDefault(container, u"imagePullPolicy"_s, latest ? u"Always"_s : u"IfNotPresent"_s);
    insertDefault(container, u"terminationMessagePath"_s, u"/dev/termination-log"_s);
    insertDefault(container, u"terminationMessagePolicy"_s, u"File"_s);
    insertDefault(container, u"resources"_s, QJsonObject());
    QJsonArray ports = container.value(u"ports").toArray();
    for (qsizetype i = 0; i < ports.size(); ++i) {
        QJsonObject port = ports.at(i).toObject();
        insertDefault(port, u"protocol"_s, u"TCP"_s);
        ports.replace(i, port);
    }
    if (!ports.isEmpty())
        container.insert(u"ports"_s, ports);
    return container;
}

QJsonObject defaultPodSpec(QJsonObject spec)
{
    insertDefault(spec, u"restartPolicy"_s, u"Always"_s);
    insertDefault(spec, u"terminationGracePeriodSeconds"_s, 30);
    insertDefault(spec, u"dnsPolicy"_s, u"ClusterFirst"_s);
    insertDefault(spec, u"securityContext"_s, QJsonObject());
    insertDefault(spec, u"schedulerName"_s, u"default-scheduler"_s);
    QJsonArray containers = spec.value(u"containers").toArray();
    for (qsizetype i = 0; i < containers.size(); ++i)
        containers.replace(i, defaultContainer(containers.at(i).toObject()));
    spec.insert(u"containers"_s, containers);
    return spec;
}

void defaultPod(QJsonObject &pod)
{
    pod.insert(u"spec"_s, defaultPodSpec(pod.value(u"spec").toObject()));
    QJsonObject status = pod.value(u"status").toObject();
    insertDefault(status, u"phase"_s, u"Pending"_s);
    insertDefault(status, u"qosClass"_s, u"BestEffort"_s);
    pod.insert(u"status"_s, status);
}

void defaultService(QJsonObject &service)
{
    QJsonObject spec = service.value(u"spec").toObject();
    insertDefault(spec, u"type"_s, u"ClusterIP"_s);
    insertDefault(spec, u"sessionAffinity"_s, u"None"_s);
    insertDefault(spec, u"internalTrafficPolicy"_s, u"Cluster"_s);
    insertDefault(spec, u"ipFamilies"_s, QJsonArray{u"IPv4"_s});
    insertDefault(spec, u"ipFamilyPolicy"_s, u"SingleStack"_s);
    QJsonArray ports = spec.value(u"ports").toArray();
    for (qsizetype i = 0; i < ports.size(); ++i) {
        QJsonObject port = ports.at(i).toObject();
        insertDefault(port, u"protocol"_s, u"TCP"_s);
        insertDefault(port, u"targetPort"_s, port.value(u"port"));
        ports.replace(i, port);
    }
    spec.insert(u"ports"_s, ports);
    service.insert(u"spec"_s, spec);
    insertDefault(service, u"status"_s, QJsonObject{{u"loadBalancer"_s, QJsonObject()}});
}

QJsonObject defaultClaim(QJsonObject claim, const QString &defaultStorageClass)
{
    QJsonObject spec = claim.value(u"spec").toObject();
    insertDefault(spec, u"volumeMode"_s, u"Filesystem"_s);
    if (!spec.contains(u"storageClassName") && !defaultStorageClass.isEmpty())
        spec.insert(u"storageClassName"_s, defaultStorageClass);
    claim.insert(u"spec"_s, spec);
    QJsonObject status = claim.value(u"status").toObject();
    insertDefault(status, u"phase"_s, u"Pending"_s);
    claim.insert(u"status"_s, status);
    return claim;
}

void defaultStatefulSet(QJsonObject &set)
{
    QJsonObject spec = set.value(u"spec").toObject();
    insertDefault(spec, u"replicas"_s, 1);
    insertDefault(spec, u"podManagementPolicy"_s, u"OrderedReady"_s);
    insertDefault(spec, u"revisionHistoryLimit"_s, 10);
    insertDefault(
        spec, u"updateStrategy"_s,
        QJsonObject{{u"type"_s, u"RollingUpdate"_s}, {u"rollingUpdate"_s, QJsonObject{{u"partition"_s, 0}}}});
    insertDefault(spec, u"persistentVolumeClaimRetentionPolicy"_s,
                  QJsonObject{{u"whenDeleted"_s, u"Retain"_s}, {u"whenScaled"_s, u"Retain"_s}});
    QJsonObject templ = spec.value(u"template").toObject();
    templ.insert(u"spec"_s, defaultPodSpec(templ.value(u"spec").toObject()));
    spec.insert(u"template"_s, templ);
    QJsonArray claims = spec.value(u"volumeClaimTemplates").toArray();
    for (qsizetype i = 0; i < claims.size(); ++i) {
        // The API server does not apply the default storage class inside templates; the PVC
        // made from it gets it when created.
        QJsonObject claim = defaultClaim(claims.at(i).toObject(), {});
        insertDefault(claim, u"apiVersion"_s, u"v1"_s);
        insertDefault(claim, u"kind"_s, u"PersistentVolumeClaim"_s);
        claims.replace(i, claim);
    }
    if (!claims.isEmpty())
        spec.insert(u"volumeClaimTemplates"_s, claims);
    set.insert(u"spec"_s, spec);
    QJsonObject status = set.value(u"status").toObject();
    insertDefault(status, u"replicas"_s, 0);
    insertDefault(status, u"availableReplicas"_s, 0);
    set.insert(u"status"_s, status);
}

void defaultNamespace(QJsonObject &ns)
{
    // valueAt/setValueAt split on dots; a label key with dots needs a direct insert.
    QJsonObject metadata = metadataOf(ns);
    QJsonObject labels = metadata.value(u"labels").toObject();
    labels.insert(u"kubernetes.io/metadata.name"_s, nameOf(ns));
    metadata.insert(u"labels"_s, labels);
    ns.insert(u"metadata"_s, metadata);
    insertDefault(ns, u"spec"_s, QJsonObject{{u"finalizers"_s, QJsonArray{u"kubernetes"_s}}});
    QJsonObject status = ns.value(u"status").toObject();
    insertDefault(status, u"phase"_s, u"Active"_s);
    ns.insert(u"status"_s, status);
}

} // namespace

void applyDefaults(const ResourceType &type, QJsonObject &object, const QString &defaultStorageClass)
{
    if (&type == &podsType())
        defaultPod(object);
    else if (&type == &servicesType())
        defaultService(object);
    else if (&type == &statefulSetsType())
        defaultStatefulSet(object);
    else if (&type == &pvcsType())
        object = defaultClaim(object, defaultStorageClass);
    else if (&type == &namespacesType())
        defaultNamespace(object);
}

bool isDnsSubdomain(const QString &name)
{
    static const QRegularExpression pattern(
        u"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"_s);
    return name.size() <= 253 && pattern.match(name).hasMatch();
}

bool isDnsLabel(const QString &name)
{
    static const QRegularExpression pattern(u"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"_s);
    return name.size() <= 63 && pattern.match(name).hasMatch();
}

namespace {

class Causes
{
public:
    void required(const QString &field) { add(u"FieldValueRequired"_s, field, u"Required value"_s); }
    void invalid(const QString &field, const QString &value, const QString &why)
    {
        add(u"FieldValueInvalid"_s, field, u"Invalid value: \""_s + value + u"\": "_s + why);
    }
    void forbidden(const QString &field, const QString &why)
    {
        add(u"FieldValueForbidden"_s, field, u"Forbidden: "_s + why);
    }
    void add(const QString &reason, const QString &field, const QString &message)
    {
        m_causes.append(invalidCause(reason, field, message));
    }
    const QJsonArray &list() const { return m_causes; }

private:
    QJsonArray m_causes;
};

const QString kSubdomainHelp =
    u"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
    u"must "
    u"start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    u"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"_s;
const QString kLabelHelp =
    u"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    u"and "
    u"end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    u"'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"_s;

void validateName(const ResourceType &type, const QJsonObject &object, Causes &causes)
{
    const QString name = nameOf(object);
    if (name.isEmpty()) {
        causes.add(u"FieldValueRequired"_s, u"metadata.name"_s,
                   u"Required value: name or generateName is required"_s);
        return;
    }
    const bool label = &type == &namespacesType() || &type == &servicesType();
    if (label ? !isDnsLabel(name) : !isDnsSubdomain(name))
        causes.invalid(u"metadata.name"_s, name, label ? kLabelHelp : kSubdomainHelp);
}

void validateContainers(const QJsonObject &podSpec, const QString &path, Causes &causes)
{
    const QJsonArray containers = podSpec.value(u"containers").toArray();
    if (containers.isEmpty()) {
        causes.required(path + u".containers"_s);
        return;
    }
    for (qsizetype i = 0; i < containers.size(); ++i) {
        const QJsonObject container = containers.at(i).toObject();
        const QString at = path + u".containers["_s + QString::number(i) + u']';
        if (container.value(u"name").toString().isEmpty())
            causes.required(at + u".name"_s);
        if (container.value(u"image").toString().isEmpty())
            causes.required(at + u".image"_s);
    }
}

void validateStatefulSet(const QJsonObject &set, const QJsonObject *old, Causes &causes)
{
    const QJsonObject spec = set.value(u"spec").toObject();
    const QJsonObject selector = spec.value(u"selector").toObject();
    if (selector.isEmpty())
        causes.required(u"spec.selector"_s);
    if (spec.value(u"replicas").toInteger() < 0)
        causes.invalid(u"spec.replicas"_s, QString::number(spec.value(u"replicas").toInteger()),
                       u"must be greater than or equal to 0"_s);
    const QJsonObject labels = valueAt(spec, u"template.metadata.labels"_s).toObject();
    if (!selector.isEmpty() && !LabelSelector::fromObject(selector).matches(labels)) {
        causes.add(u"FieldValueInvalid"_s, u"spec.template.metadata.labels"_s,
                   u"Invalid value: map[string]string{...}: `selector` does not match template `labels`"_s);
    }
    validateContainers(valueAt(spec, u"template.spec"_s).toObject(), u"spec.template.spec"_s, causes);
    if (!old)
        return;
    // Only these fields of a StatefulSet's spec may change after creation.
    QJsonObject mutableRemoved = spec;
    QJsonObject oldRemoved = old->value(u"spec").toObject();
    for (const QString &field : {u"replicas"_s, u"ordinals"_s, u"template"_s, u"updateStrategy"_s,
                                 u"persistentVolumeClaimRetentionPolicy"_s, u"minReadySeconds"_s}) {
        mutableRemoved.remove(field);
        oldRemoved.remove(field);
    }
    if (mutableRemoved != oldRemoved) {
        causes.forbidden(u"spec"_s,
                         u"updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                         u"'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                         u"'minReadySeconds' are forbidden"_s);
    }
}

void validateService(const QJsonObject &service, const QJsonObject *old, Causes &causes)
{
    const QJsonObject spec = service.value(u"spec").toObject();
    const QJsonArray ports = spec.value(u"ports").toArray();
    if (ports.isEmpty() && spec.value(u"clusterIP").toString() != u"None")
        causes.required(u"spec.ports"_s);
    for (qsizetype i = 0; i < ports.size(); ++i) {
        const qint64 port = ports.at(i).toObject().value(u"port").toInteger();
        if (port < 1 || port > 65535) {
            causes.invalid(u"spec.ports["_s + QString::number(i) + u"].port"_s, QString::number(port),
                           u"must be between 1 and 65535, inclusive"_s);
        }
    }
    if (old && !spec.value(u"clusterIP").toString().isEmpty() &&
        spec.value(u"clusterIP") != valueAt(*old, u"spec.clusterIP"_s)) {
        causes.invalid(u"spec.clusterIP"_s, spec.value(u"clusterIP").toString(), u"field is immutable"_s);
    }
}

void validateClaim(const QJsonObject &claim, const QJsonObject *old, Causes &causes)
{
    const QJsonObject spec = claim.value(u"spec").toObject();
    if (spec.value(u"accessModes").toArray().isEmpty())
        causes.required(u"spec.accessModes"_s);
    if (valueAt(spec, u"resources.requests"_s).toObject().value(u"storage").toString().isEmpty())
        causes.required(u"spec.resources[storage]"_s);
    if (!old)
        return;
    QJsonObject now = spec;
    QJsonObject before = old->value(u"spec").toObject();
    // The binder fills volumeName; requests may grow.
    for (QJsonObject *s : {&now, &before}) {
        s->remove(u"resources"_s);
        s->remove(u"volumeName"_s);
        s->remove(u"volumeAttributesClassName"_s);
    }
    if (now != before)
        causes.forbidden(u"spec"_s, u"spec is immutable after creation except resources.requests and "
                                    u"volumeAttributesClassName for bound claims"_s);
}

} // namespace

ApiError validateObject(const ResourceType &type, const QJsonObject &object, const QJsonObject *old)
{
    Causes causes;
    validateName(type, object, causes);
    if (&type == &statefulSetsType())
        validateStatefulSet(object, old, causes);
    else if (&type == &podsType())
        validateContainers(object.value(u"spec").toObject(), u"spec"_s, causes);
    else if (&type == &servicesType())
        validateService(object, old, causes);
    else if (&type == &pvcsType())
        validateClaim(object, old, causes);
    if (causes.list().isEmpty())
        return {};
    return ApiError::invalid(type, nameOf(object), causes.list());
}

} // namespace tdkube::sandbox
