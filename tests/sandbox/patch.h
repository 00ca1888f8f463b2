#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace tdkube::sandbox {

// JSON merge patch (RFC 7386), `application/merge-patch+json`: objects merge recursively,
// null deletes a key, anything else (arrays included) replaces.
QJsonValue mergePatch(const QJsonValue &target, const QJsonValue &patch);

// JSON patch (RFC 6902), `application/json-patch+json`: add, remove, replace, move, copy, test,
// with JSON Pointer paths (~0, ~1, "-" for append). On failure `doc` is left unchanged and
// `*error` says which operation failed and why (e.g. "test failed at /metadata/labels/app").
bool jsonPatch(QJsonValue &doc, const QJsonArray &operations, QString *error);

// Kubernetes strategic merge patch, `application/strategic-merge-patch+json`, for the built-in
// kinds the sandbox serves (`kind` is e.g. "StatefulSet", "Pod", "Service"). Lists with a merge
// key (containers/name, env/name, ports/containerPort, volumeMounts/mountPath, volumes/name,
// Service ports/port, tolerations? no: atomic, ...) merge element-wise; other lists replace.
// Honours `$patch: replace|delete|merge`, `$retainKeys`, `$deleteFromPrimitiveList/<field>`,
// `$setElementOrder/<field>` (orders the merged list). On failure returns false and sets `*error`.
bool strategicMergePatch(QJsonObject &target, const QJsonObject &patch, const QString &kind, QString *error);

// How the items of a list are identified when two versions of it are merged.
enum class ListType {
    Atomic, // replaced as a whole (args, tolerations, volumeClaimTemplates, ...)
    Set,    // primitive items merged as a set (metadata.finalizers)
    Map,    // object items identified by key fields (containers by name, ...)
};

struct ListSchema
{
    ListType type = ListType::Atomic;
    QString mergeKey;        // the strategic merge patch key (Map only), e.g. "containerPort"
    QStringList keys;        // the server-side apply keys (Map only), e.g. {"containerPort", "protocol"}
    QJsonObject keyDefaults; // values for keys an item omits, e.g. {"protocol": "TCP"}
};

// The schema of list `fieldPath` (as for listMergeKey) in `kind`: the single table that both the
// strategic merge patch and server-side apply (fieldmanager.h) read. Lists not in it are atomic.
// `metadata.finalizers` and `metadata.ownerReferences` are known for every kind.
ListSchema listSchema(const QString &kind, const QString &fieldPath);

// The merge key of list `fieldPath` (dot path from the object root, list indices omitted, e.g.
// "spec.template.spec.containers") in `kind`, or an empty string when that list is atomic (or,
// like metadata.finalizers, a set of primitives that has no key).
// Shared by the strategic merge patch and server-side apply, so both agree on list identity.
QString listMergeKey(const QString &kind, const QString &fieldPath);

} // namespace tdkube::sandbox
