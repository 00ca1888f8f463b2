#include "resources.h"

namespace tdkube::sandbox {

namespace {

ResourceType make(const char *group, const char *kind, const char *plural, bool namespaced,
                  QStringList shortNames = {}, QStringList subresources = {}, QStringList categories = {})
{
    ResourceType type;
    type.group = QString::fromLatin1(group);
    type.version = QStringLiteral("v1");
    type.kind = QString::fromLatin1(kind);
    type.plural = QString::fromLatin1(plural);
    type.singular = type.kind.toLower();
    type.namespaced = namespaced;
    type.shortNames = std::move(shortNames);
    type.subresources = std::move(subresources);
    type.categories = std::move(categories);
    return type;
}

const QString kAll = QStringLiteral("all");

} // namespace

const QList<ResourceType> &servedResources()
{
    static const QList<ResourceType> types = {
        make("", "Namespace", "namespaces", false, {QStringLiteral("ns")}, {QStringLiteral("status")}),
        make("", "Node", "nodes", false, {QStringLiteral("no")}, {QStringLiteral("status")}),
        make("", "Pod", "pods", true, {QStringLiteral("po")},
             {QStringLiteral("status"), QStringLiteral("log"), QStringLiteral("exec"),
              QStringLiteral("portforward"), QStringLiteral("proxy")},
             {kAll}),
        make("", "PersistentVolumeClaim", "persistentvolumeclaims", true, {QStringLiteral("pvc")},
             {QStringLiteral("status")}),
        make("", "PersistentVolume", "persistentvolumes", false, {QStringLiteral("pv")},
             {QStringLiteral("status")}),
        make("", "Service", "services", true, {QStringLiteral("svc")},
             {QStringLiteral("status"), QStringLiteral("proxy")}, {kAll}),
        make("", "ConfigMap", "configmaps", true, {QStringLiteral("cm")}),
        make("", "Event", "events", true, {QStringLiteral("ev")}),
        make("apps", "StatefulSet", "statefulsets", true, {QStringLiteral("sts")},
             {QStringLiteral("status"), QStringLiteral("scale")}, {kAll}),
        make("storage.k8s.io", "StorageClass", "storageclasses", false, {QStringLiteral("sc")}),
    };
    return types;
}

const ResourceType *findResource(const QString &group, const QString &version, const QString &plural)
{
    for (const ResourceType &type : servedResources()) {
        if (type.group == group && type.version == version && type.plural == plural)
            return &type;
    }
    return nullptr;
}

const ResourceType *findResourceByKind(const QString &apiVersion, const QString &kind)
{
    for (const ResourceType &type : servedResources()) {
        if (type.apiVersion() == apiVersion && type.kind == kind)
            return &type;
    }
    return nullptr;
}

namespace {
const ResourceType &byPlural(const char *group, const char *plural)
{
    return *findResource(QString::fromLatin1(group), QStringLiteral("v1"), QString::fromLatin1(plural));
}
} // namespace

const ResourceType &podsType()
{
    return byPlural("", "pods");
}
const ResourceType &pvcsType()
{
    return byPlural("", "persistentvolumeclaims");
}
const ResourceType &pvsType()
{
    return byPlural("", "persistentvolumes");
}
const ResourceType &eventsType()
{
    return byPlural("", "events");
}
const ResourceType &namespacesType()
{
    return byPlural("", "namespaces");
}
const ResourceType &nodesType()
{
    return byPlural("", "nodes");
}
const ResourceType &servicesType()
{
    return byPlural("", "services");
}
const ResourceType &statefulSetsType()
{
    return byPlural("apps", "statefulsets");
}
const ResourceType &storageClassesType()
{
    return byPlural("storage.k8s.io", "storageclasses");
}

} // namespace tdkube::sandbox
