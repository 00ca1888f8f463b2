#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace tdkube::sandbox {

// A resource type the sandbox serves, with what discovery and the API paths need to know.
struct ResourceType
{
    QString group;   // "" for the core group
    QString version; // "v1"
    QString kind;    // "StatefulSet"
    QString plural;  // "statefulsets"
    QString singular;
    bool namespaced = true;
    QStringList shortNames;
    QStringList subresources; // "status", "scale", "log", "exec", "portforward", "proxy"
    QStringList categories;   // "all" for the kinds `kubectl get all` lists

    QString apiVersion() const { return group.isEmpty() ? version : group + u'/' + version; }
    // "pods", "statefulsets.apps": how Status messages and RBAC name the resource.
    QString groupResource() const { return group.isEmpty() ? plural : plural + u'.' + group; }
    // "Pod", "StatefulSet.apps": how Invalid messages name the kind.
    QString groupKind() const { return group.isEmpty() ? kind : kind + u'.' + group; }
};

const QList<ResourceType> &servedResources();
const ResourceType *findResource(const QString &group, const QString &version, const QString &plural);
const ResourceType *findResourceByKind(const QString &apiVersion, const QString &kind);

// Well-known types, for the code that makes objects of its own (the controller).
const ResourceType &podsType();
const ResourceType &pvcsType();
const ResourceType &pvsType();
const ResourceType &eventsType();
const ResourceType &namespacesType();
const ResourceType &nodesType();
const ResourceType &statefulSetsType();
const ResourceType &storageClassesType();
const ResourceType &servicesType();

} // namespace tdkube::sandbox
