#include "discovery.h"

#include "resources.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

QJsonArray strings(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QStringList verbsFor(const ResourceType &type)
{
    QStringList verbs{u"create"_s, u"delete"_s, u"deletecollection"_s, u"get"_s,
                      u"list"_s,   u"patch"_s,  u"update"_s,           u"watch"_s};
    if (!type.namespaced && type.plural == u"namespaces")
        verbs.removeAll(u"deletecollection"_s);
    return verbs;
}

QJsonObject subresourceEntry(const ResourceType &type, const QString &sub)
{
    QJsonObject entry{{u"name"_s, QString(type.plural + u'/' + sub)},
                      {u"singularName"_s, QString()},
                      {u"namespaced"_s, type.namespaced}};
    if (sub == u"scale") {
        entry.insert(u"group"_s, u"autoscaling"_s);
        entry.insert(u"version"_s, u"v1"_s);
        entry.insert(u"kind"_s, u"Scale"_s);
        entry.insert(u"verbs"_s, strings({u"get"_s, u"patch"_s, u"update"_s}));
    } else if (sub == u"status") {
        entry.insert(u"kind"_s, type.kind);
        entry.insert(u"verbs"_s, strings({u"get"_s, u"patch"_s, u"update"_s}));
    } else if (sub == u"log") {
        entry.insert(u"kind"_s, type.kind);
        entry.insert(u"verbs"_s, strings({u"get"_s}));
    } else if (sub == u"exec") {
        entry.insert(u"kind"_s, u"PodExecOptions"_s);
        entry.insert(u"verbs"_s, strings({u"create"_s, u"get"_s}));
    } else if (sub == u"portforward") {
        entry.insert(u"kind"_s, u"PodPortForwardOptions"_s);
        entry.insert(u"verbs"_s, strings({u"create"_s, u"get"_s}));
    } else if (sub == u"proxy") {
        entry.insert(u"kind"_s, type.kind == u"Pod" ? u"PodProxyOptions"_s : u"ServiceProxyOptions"_s);
        entry.insert(u"verbs"_s, strings({u"create"_s, u"delete"_s, u"get"_s, u"patch"_s, u"update"_s}));
    }
    return entry;
}

QString storageVersionHash(const ResourceType &type)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(type.groupResource().toUtf8(), QCryptographicHash::Sha256)
            .left(8)
            .toBase64());
}

QStringList servedGroups()
{
    QStringList groups;
    for (const ResourceType &type : servedResources()) {
        if (!type.group.isEmpty() && !groups.contains(type.group))
            groups << type.group;
    }
    return groups;
}

QJsonObject groupVersionEntry(const QString &group)
{
    return QJsonObject{{u"groupVersion"_s, QString(group + u"/v1"_s)}, {u"version"_s, u"v1"_s}};
}

} // namespace

QJsonObject versionInfo()
{
    return QJsonObject{{u"major"_s, u"1"_s},
                       {u"minor"_s, u"32"_s},
                       {u"gitVersion"_s, u"v1.32.0-tdkube-sandbox"_s},
                       {u"gitCommit"_s, u"0000000000000000000000000000000000000000"_s},
                       {u"gitTreeState"_s, u"clean"_s},
                       {u"buildDate"_s, u"2026-11-01T00:00:00Z"_s},
                       {u"goVersion"_s, u"go1.23.0"_s},
                       {u"compiler"_s, u"gc"_s},
                       {u"platform"_s, u"linux/amd64"_s}};
}

QJsonObject coreApiVersions(const QString &serverAddress)
{
    return QJsonObject{
        {u"kind"_s, u"APIVersions"_s},
        {u"versions"_s, strings({u"v1"_s})},
        {u"serverAddressByClientCIDRs"_s,
         QJsonArray{QJsonObject{{u"clientCIDR"_s, u"0.0.0.0/0"_s}, {u"serverAddress"_s, serverAddress}}}}};
}

QJsonObject apiGroup(const QString &group)
{
    if (!servedGroups().contains(group))
        return {};
    return QJsonObject{{u"kind"_s, u"APIGroup"_s},
                       {u"apiVersion"_s, u"v1"_s},
                       {u"name"_s, group},
                       {u"versions"_s, QJsonArray{groupVersionEntry(group)}},
                       {u"preferredVersion"_s, groupVersionEntry(group)}};
}

QJsonObject apiGroupList()
{
    QJsonArray groups;
    for (const QString &group : servedGroups()) {
        QJsonObject entry = apiGroup(group);
        entry.remove(u"kind"_s);
        entry.remove(u"apiVersion"_s);
        groups.append(entry);
    }
    return QJsonObject{{u"kind"_s, u"APIGroupList"_s}, {u"apiVersion"_s, u"v1"_s}, {u"groups"_s, groups}};
}

QJsonObject apiResourceList(const QString &group, const QString &version)
{
    QJsonArray resources;
    for (const ResourceType &type : servedResources()) {
        if (type.group != group || type.version != version)
            continue;
        QJsonObject entry{{u"name"_s, type.plural},
                          {u"singularName"_s, type.singular},
                          {u"namespaced"_s, type.namespaced},
                          {u"kind"_s, type.kind},
                          {u"verbs"_s, strings(verbsFor(type))},
                          {u"storageVersionHash"_s, storageVersionHash(type)}};
        if (!type.shortNames.isEmpty())
            entry.insert(u"shortNames"_s, strings(type.shortNames));
        if (!type.categories.isEmpty())
            entry.insert(u"categories"_s, strings(type.categories));
        resources.append(entry);
        for (const QString &sub : type.subresources)
            resources.append(subresourceEntry(type, sub));
    }
    if (resources.isEmpty())
        return {};
    return QJsonObject{{u"kind"_s, u"APIResourceList"_s},
                       {u"apiVersion"_s, u"v1"_s},
                       {u"groupVersion"_s, QString(group.isEmpty() ? version : group + u'/' + version)},
                       {u"resources"_s, resources}};
}

namespace {

QString groupVersionPath(const QString &group)
{
    return group.isEmpty() ? u"api/v1"_s : u"apis/"_s + group + u"/v1"_s;
}

QString schemaName(const ResourceType &type)
{
    const QString package = type.group.isEmpty() ? u"core"_s : type.group.section(u'.', 0, 0);
    return u"io.k8s.api."_s + package + u".v1."_s + type.kind;
}

QJsonObject gvk(const ResourceType &type)
{
    return QJsonObject{{u"group"_s, type.group}, {u"version"_s, type.version}, {u"kind"_s, type.kind}};
}

QJsonObject queryParameter(const QString &name, const QString &type)
{
    return QJsonObject{{u"name"_s, name},
                       {u"in"_s, u"query"_s},
                       {u"schema"_s, QJsonObject{{u"type"_s, type}, {u"uniqueItems"_s, true}}}};
}

QJsonObject refContent(const QString &ref)
{
    return QJsonObject{{u"schema"_s, QJsonObject{{u"$ref"_s, ref}}}};
}

QJsonObject operation(const ResourceType &type, const QString &action, bool withBody)
{
    const QString ref = u"#/components/schemas/"_s + schemaName(type);
    QJsonArray parameters;
    for (const QString &name : {u"dryRun"_s, u"fieldManager"_s, u"fieldValidation"_s})
        parameters.append(queryParameter(name, u"string"_s));
    if (action == u"patch")
        parameters.append(queryParameter(u"force"_s, u"boolean"_s));
    QJsonObject op{
        {u"operationId"_s, QString(action + type.kind)},
        {u"parameters"_s, parameters},
        {u"x-kubernetes-action"_s, action},
        {u"x-kubernetes-group-version-kind"_s, gvk(type)},
        {u"responses"_s,
         QJsonObject{{u"200"_s,
                      QJsonObject{{u"description"_s, u"OK"_s},
                                  {u"content"_s, QJsonObject{{u"application/json"_s, refContent(ref)}}}}}}}};
    if (withBody) {
        // Deliberately no strategic-merge-patch+json here: kubectl then builds client-side apply
        // patches from its compiled-in types, which know every patch strategy exactly.
        const QString patchRef = u"#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch"_s;
        const QJsonObject content =
            action == u"patch" ? QJsonObject{{u"application/apply-patch+yaml"_s, refContent(patchRef)},
                                             {u"application/json-patch+json"_s, refContent(patchRef)},
                                             {u"application/merge-patch+json"_s, refContent(patchRef)}}
                               : QJsonObject{{u"*/*"_s, refContent(ref)}};
        op.insert(u"requestBody"_s, QJsonObject{{u"content"_s, content}, {u"required"_s, true}});
    }
    return op;
}

QJsonObject kindSchema(const ResourceType &type)
{
    const QJsonObject stringType{{u"type"_s, u"string"_s}};
    const QJsonObject objectType{{u"type"_s, u"object"_s}};
    return QJsonObject{{u"description"_s, QString(type.kind + u" as the tdkube sandbox serves it."_s)},
                       {u"type"_s, u"object"_s},
                       {u"properties"_s, QJsonObject{{u"apiVersion"_s, stringType},
                                                     {u"kind"_s, stringType},
                                                     {u"metadata"_s, objectType},
                                                     {u"spec"_s, objectType},
                                                     {u"status"_s, objectType},
                                                     {u"data"_s, objectType}}},
                       {u"x-kubernetes-group-version-kind"_s, QJsonArray{gvk(type)}}};
}

} // namespace

QJsonObject openApiV3Index()
{
    QJsonObject paths;
    QSet<QString> done;
    for (const ResourceType &type : servedResources()) {
        const QString path = groupVersionPath(type.group);
        if (done.contains(path))
            continue;
        done.insert(path);
        const QByteArray hash = QCryptographicHash::hash(QJsonDocument(openApiV3Document(path)).toJson(),
                                                         QCryptographicHash::Sha512)
                                    .toHex()
                                    .toUpper()
                                    .left(128);
        paths.insert(
            path, QJsonObject{{u"serverRelativeURL"_s,
                               QString(u"/openapi/v3/"_s + path + u"?hash="_s + QString::fromLatin1(hash))}});
    }
    return QJsonObject{{u"paths"_s, paths}};
}

QJsonObject openApiV3Document(const QString &path)
{
    QJsonObject paths;
    QJsonObject schemas{
        {u"io.k8s.apimachinery.pkg.apis.meta.v1.Patch"_s,
         QJsonObject{{u"description"_s, u"Patch is provided to give a concrete name and type to "
                                        u"the Kubernetes PATCH request body."_s},
                     {u"type"_s, u"object"_s}}}};
    bool any = false;
    for (const ResourceType &type : servedResources()) {
        if (groupVersionPath(type.group) != path)
            continue;
        any = true;
        const QString prefix =
            u'/' + path + (type.namespaced ? u"/namespaces/{namespace}/"_s : u"/"_s) + type.plural;
        paths.insert(prefix, QJsonObject{{u"get"_s, operation(type, u"list"_s, false)},
                                         {u"post"_s, operation(type, u"post"_s, true)}});
        paths.insert(prefix + u"/{name}"_s, QJsonObject{{u"get"_s, operation(type, u"get"_s, false)},
                                                        {u"put"_s, operation(type, u"put"_s, true)},
                                                        {u"patch"_s, operation(type, u"patch"_s, true)},
                                                        {u"delete"_s, operation(type, u"delete"_s, false)}});
        schemas.insert(schemaName(type), kindSchema(type));
    }
    if (!any)
        return {};
    return QJsonObject{{u"openapi"_s, u"3.0.0"_s},
                       {u"info"_s, QJsonObject{{u"title"_s, u"Kubernetes"_s}, {u"version"_s, u"v1.32.0"_s}}},
                       {u"paths"_s, paths},
                       {u"components"_s, QJsonObject{{u"schemas"_s, schemas}}}};
}

} // namespace tdkube::sandbox
