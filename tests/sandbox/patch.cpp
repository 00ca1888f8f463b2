#include "patch.h"

#include <QSet>

#include <algorithm>
#include <functional>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

QString joinPath(const QString &path, const QString &field)
{
    return path.isEmpty() ? field : path + u'.' + field;
}

// ---------------------------------------------------------------------------------------------
// The list table. Kubernetes declares these with `patchStrategy`/`patchMergeKey` (strategic merge
// patch) and `listType=map`/`listMapKey` (server-side apply) on the Go types; the sandbox has no
// OpenAPI schema, so the few lists its clients touch are spelled out here, once.

ListSchema keyedList(const QString &mergeKey, const QStringList &keys, const QJsonObject &defaults = {})
{
    return ListSchema{ListType::Map, mergeKey, keys, defaults};
}

// Ports are keyed by (port, protocol) for apply, and the API server defaults protocol to TCP.
QJsonObject tcpDefault()
{
    return QJsonObject{{u"protocol"_s, u"TCP"_s}};
}

// Lists of a PodSpec, by their path relative to the PodSpec.
ListSchema podSpecList(const QString &path)
{
    static const QStringList containerLists{u"containers"_s, u"initContainers"_s, u"ephemeralContainers"_s};
    const QString head = path.section(u'.', 0, 0);
    const QString rest = path.section(u'.', 1);
    if (containerLists.contains(head)) {
        if (rest.isEmpty())
            return keyedList(u"name"_s, {u"name"_s});
        if (rest == u"ports")
            return keyedList(u"containerPort"_s, {u"containerPort"_s, u"protocol"_s}, tcpDefault());
        if (rest == u"env")
            return keyedList(u"name"_s, {u"name"_s});
        if (rest == u"volumeMounts")
            return keyedList(u"mountPath"_s, {u"mountPath"_s});
        if (rest == u"volumeDevices")
            return keyedList(u"devicePath"_s, {u"devicePath"_s});
        return {};
    }
    if (path == u"volumes" || path == u"imagePullSecrets")
        return keyedList(u"name"_s, {u"name"_s});
    if (path == u"hostAliases")
        return keyedList(u"ip"_s, {u"ip"_s});
    if (path == u"topologySpreadConstraints")
        return keyedList(u"topologyKey"_s, {u"topologyKey"_s, u"whenUnsatisfiable"_s});
    return {};
}

// Where the PodSpec sits in each kind that embeds one.
QString podSpecPrefix(const QString &kind)
{
    if (kind == u"Pod")
        return u"spec."_s;
    static const QStringList templated{u"StatefulSet"_s, u"Deployment"_s, u"DaemonSet"_s,
                                       u"ReplicaSet"_s,  u"Job"_s,        u"ReplicationController"_s};
    if (templated.contains(kind))
        return u"spec.template.spec."_s;
    if (kind == u"CronJob")
        return u"spec.jobTemplate.spec.template.spec."_s;
    if (kind == u"PodTemplate")
        return u"template.spec."_s;
    return {};
}

bool hasStatusConditions(const QString &kind)
{
    static const QStringList kinds{u"Pod"_s,        u"StatefulSet"_s, u"Deployment"_s, u"DaemonSet"_s,
                                   u"ReplicaSet"_s, u"Node"_s,        u"Job"_s};
    return kinds.contains(kind);
}

// ---------------------------------------------------------------------------------------------
// JSON merge patch

QJsonValue mergeObject(QJsonObject target, const QJsonObject &patch)
{
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (it.value().isNull())
            target.remove(it.key());
        else
            target.insert(it.key(), mergePatch(target.value(it.key()), it.value()));
    }
    return target;
}

// ---------------------------------------------------------------------------------------------
// JSON patch

bool parsePointer(const QString &pointer, QStringList *tokens, QString *reason)
{
    tokens->clear();
    if (pointer.isEmpty())
        return true;
    if (!pointer.startsWith(u'/')) {
        *reason = u"a JSON pointer must be empty or start with '/'"_s;
        return false;
    }
    const QStringList raw = pointer.mid(1).split(u'/');
    for (const QString &token : raw) {
        for (qsizetype i = 0; i < token.size(); ++i) {
            if (token.at(i) == u'~' &&
                (i + 1 == token.size() || (token.at(i + 1) != u'0' && token.at(i + 1) != u'1'))) {
                *reason = u"invalid escape in JSON pointer token \"%1\""_s.arg(token);
                return false;
            }
        }
        // RFC 6901 §4: "~1" first, so that "~01" becomes "~1" and not "/".
        QString decoded = token;
        decoded.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
        tokens->append(decoded);
    }
    return true;
}

// An array index: digits without leading zeros, below `limit` (size, or size + 1 to insert at the end).
bool parseIndex(const QString &token, qsizetype limit, qsizetype *index, QString *reason)
{
    bool digits = !token.isEmpty() && (token == u"0" || !token.startsWith(u'0'));
    for (const QChar c : token)
        digits = digits && c.isDigit();
    if (!digits) {
        *reason = u"\"%1\" is not an array index"_s.arg(token);
        return false;
    }
    const qlonglong value = token.toLongLong(&digits);
    if (!digits || value >= limit) {
        *reason = u"index %1 is out of range"_s.arg(token);
        return false;
    }
    *index = qsizetype(value);
    return true;
}

bool readPointer(QJsonValue node, const QStringList &tokens, QJsonValue *out, QString *reason)
{
    for (const QString &token : tokens) {
        if (node.isObject()) {
            const QJsonObject object = node.toObject();
            if (!object.contains(token)) {
                *reason = u"no member \"%1\""_s.arg(token);
                return false;
            }
            node = object.value(token);
        } else if (node.isArray()) {
            const QJsonArray array = node.toArray();
            qsizetype index = 0;
            if (!parseIndex(token, array.size(), &index, reason))
                return false;
            node = array.at(index);
        } else {
            *reason = u"cannot descend into a scalar at \"%1\""_s.arg(token);
            return false;
        }
    }
    *out = node;
    return true;
}

// Changes the container that holds the last token; every level on the way is copied out and
// written back because QJsonValue containers are values, not references.
using ParentEdit = std::function<bool(QJsonValue &parent, const QString &token, QString *reason)>;

bool editParent(QJsonValue &node, const QStringList &tokens, qsizetype depth, const ParentEdit &edit,
                QString *reason)
{
    const QString &token = tokens.at(depth);
    if (depth == tokens.size() - 1)
        return edit(node, token, reason);
    if (node.isObject()) {
        QJsonObject object = node.toObject();
        if (!object.contains(token)) {
            *reason = u"no member \"%1\""_s.arg(token);
            return false;
        }
        QJsonValue child = object.value(token);
        if (!editParent(child, tokens, depth + 1, edit, reason))
            return false;
        object.insert(token, child);
        node = object;
        return true;
    }
    if (node.isArray()) {
        QJsonArray array = node.toArray();
        qsizetype index = 0;
        if (!parseIndex(token, array.size(), &index, reason))
            return false;
        QJsonValue child = array.at(index);
        if (!editParent(child, tokens, depth + 1, edit, reason))
            return false;
        array.replace(index, child);
        node = array;
        return true;
    }
    *reason = u"cannot descend into a scalar at \"%1\""_s.arg(token);
    return false;
}

bool addValue(QJsonValue &doc, const QStringList &tokens, const QJsonValue &value, QString *reason)
{
    if (tokens.isEmpty()) {
        doc = value;
        return true;
    }
    return editParent(
        doc, tokens, 0,
        [&value](QJsonValue &parent, const QString &token, QString *why) {
            if (parent.isObject()) {
                QJsonObject object = parent.toObject();
                object.insert(token, value);
                parent = object;
                return true;
            }
            if (!parent.isArray()) {
                *why = u"cannot add a member to a scalar"_s;
                return false;
            }
            QJsonArray array = parent.toArray();
            qsizetype index = array.size();
            if (token != u"-" && !parseIndex(token, array.size() + 1, &index, why))
                return false;
            array.insert(index, value);
            parent = array;
            return true;
        },
        reason);
}

bool removeValue(QJsonValue &doc, const QStringList &tokens, QString *reason)
{
    if (tokens.isEmpty()) {
        *reason = u"cannot remove the whole document"_s;
        return false;
    }
    return editParent(
        doc, tokens, 0,
        [](QJsonValue &parent, const QString &token, QString *why) {
            if (parent.isObject()) {
                QJsonObject object = parent.toObject();
                if (!object.contains(token)) {
                    *why = u"no member \"%1\""_s.arg(token);
                    return false;
                }
                object.remove(token);
                parent = object;
                return true;
            }
            if (!parent.isArray()) {
                *why = u"cannot remove a member of a scalar"_s;
                return false;
            }
            QJsonArray array = parent.toArray();
            qsizetype index = 0;
            if (!parseIndex(token, array.size(), &index, why))
                return false;
            array.removeAt(index);
            parent = array;
            return true;
        },
        reason);
}

bool replaceValue(QJsonValue &doc, const QStringList &tokens, const QJsonValue &value, QString *reason)
{
    QJsonValue existing;
    if (!readPointer(doc, tokens, &existing, reason))
        return false;
    if (tokens.isEmpty()) {
        doc = value;
        return true;
    }
    // The target exists, so removing it first and adding at the same place is a replace.
    return removeValue(doc, tokens, reason) && addValue(doc, tokens, value, reason);
}

bool isProperPrefix(const QStringList &prefix, const QStringList &tokens)
{
    return prefix.size() < tokens.size() && std::equal(prefix.begin(), prefix.end(), tokens.begin());
}

// Applies one operation to `doc`; `*reason` says why it could not.
bool applyOperation(QJsonValue &doc, const QString &op, const QJsonObject &operation, QString *reason)
{
    QStringList path;
    if (!parsePointer(operation.value(u"path").toString(), &path, reason))
        return false;
    const bool needsValue = op == u"add" || op == u"replace" || op == u"test";
    if (needsValue && !operation.contains(u"value")) {
        *reason = u"missing \"value\""_s;
        return false;
    }
    const QJsonValue value = operation.value(u"value");
    if (op == u"add")
        return addValue(doc, path, value, reason);
    if (op == u"remove")
        return removeValue(doc, path, reason);
    if (op == u"replace")
        return replaceValue(doc, path, value, reason);
    if (op == u"test") {
        QJsonValue actual;
        if (!readPointer(doc, path, &actual, reason))
            return false;
        if (actual != value)
            *reason = u"value differs"_s;
        return actual == value;
    }
    if (!operation.value(u"from").isString()) {
        *reason = u"missing \"from\""_s;
        return false;
    }
    QStringList from;
    QJsonValue moved;
    if (!parsePointer(operation.value(u"from").toString(), &from, reason) ||
        !readPointer(doc, from, &moved, reason))
        return false;
    if (op == u"copy")
        return addValue(doc, path, moved, reason);
    if (isProperPrefix(from, path)) {
        *reason = u"cannot move a value into one of its own children"_s;
        return false;
    }
    return from == path || (removeValue(doc, from, reason) && addValue(doc, path, moved, reason));
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

constexpr QStringView patchDirective = u"$patch";
constexpr QStringView retainKeysDirective = u"$retainKeys";
constexpr QStringView deleteFromPrefix = u"$deleteFromPrimitiveList/";
constexpr QStringView setOrderPrefix = u"$setElementOrder/";

struct Smp
{
    QString kind;
    QString error;

    bool fail(const QString &message)
    {
        error = message;
        return false;
    }

    bool mergeMap(QJsonObject &original, const QJsonObject &patch, const QString &path);
    bool mergeField(QJsonObject &original, const QString &key, const QJsonValue &value, const QString &path);
    bool mergeList(QJsonArray &original, const QJsonArray &patch, const QString &path);
    bool mergeKeyedItems(QJsonArray &original, const QJsonArray &patch, const ListSchema &schema,
                         const QString &path);
    bool clean(const QJsonValue &value, const QString &path, QJsonValue *out);
    bool applyMapDirectives(QJsonObject &original, const QJsonObject &patch, const QString &path);
    bool reorder(QJsonArray &list, const QJsonValue &order, const QString &path);
};

QString directiveOf(const QJsonValue &value)
{
    return value.isObject() ? value.toObject().value(patchDirective).toString() : QString();
}

// A value from the patch without any directive keys, for places where there is nothing to merge
// into (new list items, atomic lists): directives must never reach the stored object.
bool Smp::clean(const QJsonValue &value, const QString &path, QJsonValue *out)
{
    if (value.isObject()) {
        QJsonObject object;
        if (!mergeMap(object, value.toObject(), path))
            return false;
        *out = object;
        return true;
    }
    if (value.isArray()) {
        QJsonArray array;
        if (!mergeList(array, value.toArray(), path))
            return false;
        *out = array;
        return true;
    }
    *out = value;
    return true;
}

// $retainKeys and $deleteFromPrimitiveList/<field> act on the original before the patch merges in.
bool Smp::applyMapDirectives(QJsonObject &original, const QJsonObject &patch, const QString &path)
{
    if (patch.contains(retainKeysDirective)) {
        const QJsonValue retain = patch.value(retainKeysDirective);
        if (!retain.isArray())
            return fail(u"%1 in %2 must be a list of field names"_s.arg(retainKeysDirective, path));
        QSet<QString> keep;
        for (const QJsonValue key : retain.toArray())
            keep.insert(key.toString());
        for (const QString &key : original.keys()) {
            if (!keep.contains(key))
                original.remove(key);
        }
    }
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (!it.key().startsWith(deleteFromPrefix))
            continue;
        const QString field = it.key().mid(deleteFromPrefix.size());
        if (!it.value().isArray())
            return fail(u"%1 in %2 must be a list"_s.arg(it.key(), path));
        const QJsonArray doomed = it.value().toArray();
        QJsonArray kept;
        for (const QJsonValue item : original.value(field).toArray()) {
            if (!doomed.contains(item))
                kept.append(item);
        }
        if (original.contains(field))
            original.insert(field, kept);
    }
    return true;
}

bool Smp::mergeMap(QJsonObject &original, const QJsonObject &patch, const QString &path)
{
    if (patch.contains(patchDirective)) {
        const QString directive = patch.value(patchDirective).toString();
        if (directive == u"replace") {
            QJsonObject rest = patch;
            rest.remove(patchDirective);
            QJsonObject replacement;
            if (!mergeMap(replacement, rest, path))
                return false;
            original = replacement;
            return true;
        }
        if (directive == u"delete") {
            original = QJsonObject();
            return true;
        }
        if (directive != u"merge")
            return fail(
                u"unknown patch type \"%1\" in %2"_s.arg(directive, path.isEmpty() ? u"the patch"_s : path));
    }
    if (!applyMapDirectives(original, patch, path))
        return false;
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        const QString &key = it.key();
        if (key == patchDirective || key == retainKeysDirective || key.startsWith(deleteFromPrefix) ||
            key.startsWith(setOrderPrefix))
            continue;
        if (key.startsWith(u'$'))
            return fail(u"unknown directive \"%1\" in %2"_s.arg(key, path.isEmpty() ? u"the patch"_s : path));
        if (!mergeField(original, key, it.value(), joinPath(path, key)))
            return false;
    }
    // Ordering comes last: it applies to the list as merged.
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (!it.key().startsWith(setOrderPrefix))
            continue;
        const QString field = it.key().mid(setOrderPrefix.size());
        if (!original.value(field).isArray())
            continue;
        QJsonArray list = original.value(field).toArray();
        if (!reorder(list, it.value(), joinPath(path, field)))
            return false;
        original.insert(field, list);
    }
    return true;
}

bool Smp::mergeField(QJsonObject &original, const QString &key, const QJsonValue &value, const QString &path)
{
    if (value.isNull() || (value.isObject() && directiveOf(value) == u"delete")) {
        original.remove(key);
        return true;
    }
    if (value.isObject()) {
        QJsonObject child = original.value(key).toObject();
        if (!mergeMap(child, value.toObject(), path))
            return false;
        original.insert(key, child);
        return true;
    }
    if (value.isArray()) {
        QJsonArray child = original.value(key).toArray();
        if (!mergeList(child, value.toArray(), path))
            return false;
        original.insert(key, child);
        return true;
    }
    original.insert(key, value);
    return true;
}

bool Smp::mergeList(QJsonArray &original, const QJsonArray &patch, const QString &path)
{
    const ListSchema schema = listSchema(kind, path);
    // A `{"$patch": "replace"}` item replaces the whole list with the patch's other items.
    bool replace = schema.type == ListType::Atomic;
    QJsonArray items;
    for (const QJsonValue item : patch) {
        if (directiveOf(item) == u"replace")
            replace = true;
        else
            items.append(item);
    }
    if (replace) {
        QJsonArray replacement;
        for (const QJsonValue item : std::as_const(items)) {
            QJsonValue cleaned;
            if (!clean(item, path, &cleaned))
                return false;
            replacement.append(cleaned);
        }
        original = replacement;
        return true;
    }
    if (schema.type == ListType::Set) {
        for (const QJsonValue item : std::as_const(items)) {
            if (item.isObject())
                return fail(u"%1 is a list of values, not of maps"_s.arg(path));
            if (!original.contains(item))
                original.append(item);
        }
        return true;
    }
    return mergeKeyedItems(original, items, schema, path);
}

qsizetype indexOfKey(const QJsonArray &list, const QString &mergeKey, const QJsonValue &key)
{
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (list.at(i).toObject().value(mergeKey) == key)
            return i;
    }
    return -1;
}

bool Smp::mergeKeyedItems(QJsonArray &original, const QJsonArray &patch, const ListSchema &schema,
                          const QString &path)
{
    for (const QJsonValue item : patch) {
        if (!item.isObject())
            return fail(u"%1: list items must be maps with merge key \"%2\""_s.arg(path, schema.mergeKey));
        const QJsonObject patchItem = item.toObject();
        const QJsonValue key = patchItem.value(schema.mergeKey);
        if (key.isUndefined() || key.isNull())
            return fail(u"%1: map does not contain declared merge key: %2"_s.arg(path, schema.mergeKey));
        const QString directive = patchItem.value(patchDirective).toString();
        qsizetype index = indexOfKey(original, schema.mergeKey, key);
        if (directive == u"delete") {
            for (; index >= 0; index = indexOfKey(original, schema.mergeKey, key))
                original.removeAt(index);
            continue;
        }
        QJsonObject merged = index >= 0 ? original.at(index).toObject() : QJsonObject();
        if (!mergeMap(merged, patchItem, path))
            return false;
        if (index >= 0)
            original.replace(index, merged);
        else
            original.append(merged);
    }
    return true;
}

// $setElementOrder/<field>: the listed items first, in that order, then the rest as they were.
bool Smp::reorder(QJsonArray &list, const QJsonValue &order, const QString &path)
{
    if (!order.isArray())
        return fail(u"%1%2 must be a list"_s.arg(setOrderPrefix, path));
    const QString mergeKey = listSchema(kind, path).mergeKey;
    const auto identity = [&mergeKey](const QJsonValue &item) {
        return mergeKey.isEmpty() || !item.isObject() ? item : item.toObject().value(mergeKey);
    };
    QJsonArray remaining = list;
    QJsonArray ordered;
    for (const QJsonValue wanted : order.toArray()) {
        for (qsizetype i = 0; i < remaining.size(); ++i) {
            if (identity(remaining.at(i)) == identity(wanted)) {
                ordered.append(remaining.takeAt(i));
                break;
            }
        }
    }
    for (const QJsonValue item : std::as_const(remaining))
        ordered.append(item);
    list = ordered;
    return true;
}

} // namespace

ListSchema listSchema(const QString &kind, const QString &fieldPath)
{
    if (fieldPath == u"metadata.finalizers")
        return ListSchema{ListType::Set, {}, {}, {}};
    if (fieldPath == u"metadata.ownerReferences")
        return keyedList(u"uid"_s, {u"uid"_s});
    if (fieldPath == u"status.conditions" && hasStatusConditions(kind))
        return keyedList(u"type"_s, {u"type"_s});
    if (kind == u"Service" && fieldPath == u"spec.ports")
        return keyedList(u"port"_s, {u"port"_s, u"protocol"_s}, tcpDefault());
    const QString prefix = podSpecPrefix(kind);
    if (!prefix.isEmpty() && fieldPath.startsWith(prefix))
        return podSpecList(fieldPath.mid(prefix.size()));
    return {};
}

QString listMergeKey(const QString &kind, const QString &fieldPath)
{
    return listSchema(kind, fieldPath).mergeKey;
}

QJsonValue mergePatch(const QJsonValue &target, const QJsonValue &patch)
{
    if (!patch.isObject())
        return patch;
    return mergeObject(target.isObject() ? target.toObject() : QJsonObject(), patch.toObject());
}

bool jsonPatch(QJsonValue &doc, const QJsonArray &operations, QString *error)
{
    // Work on a copy so that a failing operation leaves `doc` as it was (the patch is atomic).
    QJsonValue result = doc;
    for (qsizetype i = 0; i < operations.size(); ++i) {
        const QJsonObject operation = operations.at(i).toObject();
        const QString op = operation.value(u"op").toString();
        static const QStringList known{u"add"_s, u"remove"_s, u"replace"_s, u"move"_s, u"copy"_s, u"test"_s};
        QString reason;
        if (!known.contains(op))
            reason = u"operation %1: unknown op \"%2\""_s.arg(i).arg(op);
        else if (!operation.value(u"path").isString())
            reason = u"operation %1: %2 has no \"path\""_s.arg(i).arg(op);
        else if (!applyOperation(result, op, operation, &reason))
            reason = u"%1 failed at %2: %3"_s.arg(op, operation.value(u"path").toString(), reason);
        if (!reason.isEmpty()) {
            if (error)
                *error = reason;
            return false;
        }
    }
    doc = result;
    return true;
}

bool strategicMergePatch(QJsonObject &target, const QJsonObject &patch, const QString &kind, QString *error)
{
    Smp smp{kind, {}};
    QJsonObject result = target;
    if (!smp.mergeMap(result, patch, QString())) {
        if (error)
            *error = smp.error;
        return false;
    }
    target = result;
    return true;
}

} // namespace tdkube::sandbox
