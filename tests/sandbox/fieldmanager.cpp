#include "fieldmanager.h"

#include "patch.h"

#include <QJsonDocument>

#include <algorithm>
#include <map>
#include <set>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

// A field as a sequence of FieldsV1 keys from the object root: {"f:spec", "f:replicas"},
// {"f:spec", ..., "f:containers", "k:{\"name\":\"tdengine\"}"}, {"f:metadata", "f:finalizers", "v:\"x\""}.
using FieldPath = QStringList;
// Ordered, so that a field's descendants follow it directly and FieldsV1 encodes deterministically.
using FieldSet = std::set<FieldPath>;

// A member of an object's field set with its value. `leaf` members (scalars, atomic lists, empty
// maps, set items) carry a comparable value; the others (keyed list items, maps of values such as
// labels) are members only because they exist.
struct FieldValue
{
    QJsonValue value;
    bool leaf = true;
};
using FieldValues = std::map<FieldPath, FieldValue>;

struct ManagerEntry
{
    QString manager;
    QString operation;
    QString apiVersion;
    QString time;
    QString subresource;
    FieldSet fields;
};

FieldPath childPath(FieldPath path, const QString &element)
{
    path.append(element);
    return path;
}

const QString applyOperation = u"Apply"_s;
const QString updateOperation = u"Update"_s;

QString joinPath(const QString &path, const QString &field)
{
    return path.isEmpty() ? field : path + u'.' + field;
}

// Whether `dotPath` is `field` or ends with ".<field>".
bool endsWithField(const QString &dotPath, const QString &field)
{
    if (dotPath == field)
        return true;
    const qsizetype dot = dotPath.size() - field.size() - 1;
    return dot > 0 && dotPath.endsWith(field) && dotPath.at(dot) == u'.';
}

QString compactJson(const QJsonValue &value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    // QJsonDocument only holds containers: wrap the value in an array and unwrap the text.
    const QString wrapped =
        QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact));
    return wrapped.mid(1, wrapped.size() - 2);
}

// ---------------------------------------------------------------------------------------------
// What is tracked

// The API server strips these before computing field sets (they are the server's, not a manager's).
bool isUntracked(const QString &dotPath, const QString &key, bool includeStatus)
{
    if (dotPath.isEmpty())
        return key == u"apiVersion" || key == u"kind" || (key == u"status" && !includeStatus);
    static const QStringList serverMetadata{u"name"_s,
                                            u"namespace"_s,
                                            u"uid"_s,
                                            u"resourceVersion"_s,
                                            u"creationTimestamp"_s,
                                            u"generation"_s,
                                            u"selfLink"_s,
                                            u"managedFields"_s,
                                            u"deletionTimestamp"_s,
                                            u"deletionGracePeriodSeconds"_s};
    return dotPath == u"metadata" && serverMetadata.contains(key);
}

// Maps whose keys are data (map[string]string in Go), not struct fields: the map itself is a
// member (`".":{}`) besides its entries, as the API server records labels.
bool isMapOfValues(const QString &dotPath)
{
    if (dotPath == u"data" || dotPath == u"stringData" || dotPath == u"binaryData")
        return true;
    static const QStringList fields{u"metadata.labels"_s, u"metadata.annotations"_s, u"resources.limits"_s,
                                    u"resources.requests"_s};
    return std::any_of(fields.begin(), fields.end(),
                       [&dotPath](const QString &field) { return endsWithField(dotPath, field); });
}

// Maps owned and replaced as a whole, like atomic lists: the Go types mark selectors
// `+structType=atomic` (LabelSelector) or `+mapType=atomic` (Service selector, nodeSelector),
// so the API server records `"f:selector":{}` and apply replaces the map instead of merging it.
bool isAtomicMap(const QString &dotPath)
{
    static const QStringList fields{u"selector"_s, u"labelSelector"_s, u"namespaceSelector"_s,
                                    u"nodeSelector"_s};
    return std::any_of(fields.begin(), fields.end(),
                       [&dotPath](const QString &field) { return endsWithField(dotPath, field); });
}

// The FieldsV1 key of a keyed list item, e.g. k:{"containerPort":6030,"protocol":"TCP"}.
bool itemKey(const ListSchema &schema, const QJsonObject &item, QString *key, QString *missing)
{
    QJsonObject fields;
    for (const QString &name : schema.keys) {
        QJsonValue value = item.value(name);
        if (value.isUndefined() || value.isNull())
            value = schema.keyDefaults.value(name);
        if (value.isUndefined()) {
            *missing = name;
            return false;
        }
        fields.insert(name, value);
    }
    *key = u"k:"_s + compactJson(fields);
    return true;
}

// The element of `list` that FieldsV1 key `element` (k:... or v:...) names, or -1.
qsizetype findItem(const QJsonArray &list, const QString &element, const ListSchema &schema)
{
    for (qsizetype i = 0; i < list.size(); ++i) {
        QString key;
        QString missing;
        if (element.startsWith(u"v:") && u"v:"_s + compactJson(list.at(i)) == element)
            return i;
        if (element.startsWith(u"k:") && itemKey(schema, list.at(i).toObject(), &key, &missing) &&
            key == element)
            return i;
    }
    return -1;
}

// How the API server prints a field in conflict messages: .spec.containers[name="x"].image
QString printPath(const FieldPath &path)
{
    QString out;
    for (const QString &element : path) {
        if (element.startsWith(u"f:")) {
            out += u'.' + element.mid(2);
        } else if (element.startsWith(u"k:")) {
            const QJsonObject key = QJsonDocument::fromJson(element.mid(2).toUtf8()).object();
            QStringList parts;
            for (auto it = key.begin(); it != key.end(); ++it)
                parts.append(it.key() + u'=' + compactJson(it.value()));
            out += u'[' + parts.join(u',') + u']';
        } else if (element.startsWith(u"v:")) {
            out += u"[=" + element.mid(2) + u']';
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Field sets of objects

struct Walker
{
    QString kind;
    bool includeStatus = false;
    FieldValues values;
    QString error; // the first malformed list item, for apply to reject

    void object(const QJsonObject &object, const QString &dotPath, const FieldPath &path);
    void field(const QJsonValue &value, const QString &dotPath, const FieldPath &path);
    void list(const QJsonArray &list, const QString &dotPath, const FieldPath &path);
    void fail(const QString &message)
    {
        if (error.isEmpty())
            error = message;
    }
};

void Walker::object(const QJsonObject &object, const QString &dotPath, const FieldPath &path)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!isUntracked(dotPath, it.key(), includeStatus))
            field(it.value(), joinPath(dotPath, it.key()), childPath(path, u"f:"_s + it.key()));
    }
}

void Walker::field(const QJsonValue &value, const QString &dotPath, const FieldPath &path)
{
    // A null means "not set" for the sandbox; the API server would drop it when decoding anyway.
    if (value.isNull() || value.isUndefined())
        return;
    if (value.isArray()) {
        list(value.toArray(), dotPath, path);
        return;
    }
    const QJsonObject object = value.toObject();
    if (!value.isObject() || object.isEmpty() || isAtomicMap(dotPath)) {
        values[path] = FieldValue{value, true};
        return;
    }
    if (isMapOfValues(dotPath))
        values[path] = FieldValue{value, false};
    this->object(object, dotPath, path);
}

void Walker::list(const QJsonArray &list, const QString &dotPath, const FieldPath &path)
{
    const ListSchema schema = listSchema(kind, dotPath);
    if (schema.type == ListType::Atomic) {
        values[path] = FieldValue{list, true};
        return;
    }
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonValue item = list.at(i);
        if (schema.type == ListType::Set) {
            values[childPath(path, u"v:"_s + compactJson(item))] = FieldValue{item, true};
            continue;
        }
        QString key;
        QString missing;
        if (!item.isObject() || !itemKey(schema, item.toObject(), &key, &missing)) {
            fail(u".%1: element %2: associative list with keys has an element that omits key field \"%3\" "
                 u"(and doesn't have default value)"_s.arg(dotPath)
                     .arg(i)
                     .arg(missing.isEmpty() ? schema.keys.value(0) : missing));
            continue;
        }
        const FieldPath itemPath = childPath(path, key);
        if (values.count(itemPath) != 0)
            fail(u".%1: duplicate entries for key %2"_s.arg(dotPath, printPath({key})));
        values[itemPath] = FieldValue{item, false};
        object(item.toObject(), dotPath, itemPath);
    }
}

FieldValues fieldValues(const QJsonObject &object, const QString &kind, bool includeStatus, QString *error)
{
    Walker walker{kind, includeStatus, {}, {}};
    walker.object(object, QString(), FieldPath());
    if (error)
        *error = walker.error;
    return walker.values;
}

FieldSet pathsOf(const FieldValues &values)
{
    FieldSet paths;
    for (const auto &[path, value] : values)
        paths.insert(path);
    return paths;
}

bool pathExists(const QJsonObject &object, const FieldPath &path, const QString &kind)
{
    QJsonValue node = object;
    QString dotPath;
    for (const QString &element : path) {
        if (element.startsWith(u"f:")) {
            const QString name = element.mid(2);
            const QJsonValue child = node.toObject().value(name);
            if (child.isUndefined() || child.isNull())
                return false;
            node = child;
            dotPath = joinPath(dotPath, name);
            continue;
        }
        const qsizetype index = findItem(node.toArray(), element, listSchema(kind, dotPath));
        if (index < 0)
            return false;
        node = node.toArray().at(index);
    }
    return true;
}

bool hasDescendant(const FieldSet &set, const FieldPath &path)
{
    const auto next = set.upper_bound(path);
    return next != set.end() && next->size() > path.size() &&
           std::equal(path.begin(), path.end(), next->begin());
}

// ---------------------------------------------------------------------------------------------
// FieldsV1

// The set is sorted, so the fields below one key form one contiguous run of [begin, end).
QJsonObject encodeFields(FieldSet::const_iterator begin, FieldSet::const_iterator end, qsizetype depth)
{
    QJsonObject out;
    while (begin != end) {
        const QString key = begin->at(depth);
        bool member = false;
        auto runEnd = begin;
        while (runEnd != end && runEnd->at(depth) == key) {
            member = member || runEnd->size() == depth + 1;
            ++runEnd;
        }
        // The member itself sorts first in its run; its children follow.
        QJsonObject child = encodeFields(member ? std::next(begin) : begin, runEnd, depth + 1);
        if (member && !child.isEmpty())
            child.insert(u"."_s, QJsonObject());
        out.insert(key, child);
        begin = runEnd;
    }
    return out;
}

void decodeFields(const QJsonObject &encoded, const FieldPath &prefix, FieldSet *set)
{
    for (auto it = encoded.begin(); it != encoded.end(); ++it) {
        if (it.key() == u".") {
            if (!prefix.isEmpty())
                set->insert(prefix);
            continue;
        }
        const QJsonObject child = it.value().toObject();
        if (child.isEmpty())
            set->insert(childPath(prefix, it.key()));
        else
            decodeFields(child, childPath(prefix, it.key()), set);
    }
}

QList<ManagerEntry> readEntries(const QJsonObject &object)
{
    QList<ManagerEntry> entries;
    const QJsonArray managed = object.value(u"metadata").toObject().value(u"managedFields").toArray();
    for (const QJsonValue value : managed) {
        const QJsonObject entry = value.toObject();
        ManagerEntry parsed{entry.value(u"manager").toString(),     entry.value(u"operation").toString(),
                            entry.value(u"apiVersion").toString(),  entry.value(u"time").toString(),
                            entry.value(u"subresource").toString(), {}};
        decodeFields(entry.value(u"fieldsV1").toObject(), FieldPath(), &parsed.fields);
        entries.append(parsed);
    }
    return entries;
}

QJsonObject encodeEntry(const ManagerEntry &entry)
{
    QJsonObject out{{u"manager"_s, entry.manager},
                    {u"operation"_s, entry.operation},
                    {u"apiVersion"_s, entry.apiVersion},
                    {u"fieldsType"_s, u"FieldsV1"_s},
                    {u"fieldsV1"_s, encodeFields(entry.fields.begin(), entry.fields.end(), 0)}};
    if (!entry.time.isEmpty())
        out.insert(u"time"_s, entry.time);
    if (!entry.subresource.isEmpty())
        out.insert(u"subresource"_s, entry.subresource);
    return out;
}

// Drops fields that no longer exist (nobody owns them) and entries left empty, then stores the
// entries in the API server's order: Apply before Update, then by time, manager, subresource.
void writeEntries(QJsonObject &object, QList<ManagerEntry> entries, const QString &kind)
{
    for (ManagerEntry &entry : entries) {
        std::erase_if(entry.fields, [&](const FieldPath &path) { return !pathExists(object, path, kind); });
    }
    entries.removeIf([](const ManagerEntry &entry) { return entry.fields.empty(); });
    std::stable_sort(entries.begin(), entries.end(), [](const ManagerEntry &a, const ManagerEntry &b) {
        return std::tie(a.operation, a.time, a.manager, a.apiVersion, a.subresource) <
               std::tie(b.operation, b.time, b.manager, b.apiVersion, b.subresource);
    });
    QJsonArray encoded;
    for (const ManagerEntry &entry : std::as_const(entries))
        encoded.append(encodeEntry(entry));
    QJsonObject metadata = object.value(u"metadata").toObject();
    if (encoded.isEmpty())
        metadata.remove(u"managedFields");
    else
        metadata.insert(u"managedFields", encoded);
    object.insert(u"metadata", metadata);
}

qsizetype indexOfEntry(const QList<ManagerEntry> &entries, const QString &manager, const QString &operation,
                       const QString &subresource)
{
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const ManagerEntry &entry = entries.at(i);
        if (entry.manager == manager && entry.operation == operation && entry.subresource == subresource)
            return i;
    }
    return -1;
}

// ---------------------------------------------------------------------------------------------
// Apply

// The applied configuration without what the server owns.
QJsonObject stripServerFields(QJsonObject config)
{
    config.remove(u"status");
    QJsonObject metadata = config.value(u"metadata").toObject();
    for (const auto key : {u"uid", u"resourceVersion", u"creationTimestamp", u"generation", u"selfLink",
                           u"managedFields", u"deletionTimestamp", u"deletionGracePeriodSeconds"})
        metadata.remove(QStringView(key));
    if (config.contains(u"metadata"))
        config.insert(u"metadata", metadata);
    return config;
}

// Live merged with applied: maps recursively, keyed lists by key, sets by value, the rest replaced.
QJsonValue mergeApplied(const QJsonValue &live, const QJsonValue &applied, const QString &dotPath,
                        const QString &kind)
{
    if (applied.isObject() && !isAtomicMap(dotPath)) {
        QJsonObject out = live.toObject();
        const QJsonObject config = applied.toObject();
        for (auto it = config.begin(); it != config.end(); ++it) {
            if (!it.value().isNull())
                out.insert(it.key(),
                           mergeApplied(out.value(it.key()), it.value(), joinPath(dotPath, it.key()), kind));
        }
        return out;
    }
    const ListSchema schema = listSchema(kind, dotPath);
    if (!applied.isArray() || schema.type == ListType::Atomic)
        return applied;
    QJsonArray out = live.toArray();
    for (const QJsonValue item : applied.toArray()) {
        QString key;
        QString missing;
        if (schema.type == ListType::Set) {
            if (!out.contains(item))
                out.append(item);
        } else if (itemKey(schema, item.toObject(), &key, &missing)) {
            const qsizetype index = findItem(out, key, schema);
            if (index >= 0)
                out.replace(index, mergeApplied(out.at(index), item, dotPath, kind));
            else
                out.append(mergeApplied(QJsonValue(), item, dotPath, kind));
        }
    }
    return out;
}

bool removePath(QJsonValue &node, const FieldPath &path, qsizetype depth, const QString &dotPath,
                const QString &kind)
{
    const QString &element = path.at(depth);
    const bool last = depth + 1 == path.size();
    if (element.startsWith(u"f:")) {
        QJsonObject object = node.toObject();
        const QString name = element.mid(2);
        if (!object.contains(name))
            return false;
        QJsonValue child = object.value(name);
        if (last)
            object.remove(name);
        else if (removePath(child, path, depth + 1, joinPath(dotPath, name), kind))
            object.insert(name, child);
        node = object;
        return true;
    }
    QJsonArray list = node.toArray();
    const qsizetype index = findItem(list, element, listSchema(kind, dotPath));
    if (index < 0)
        return false;
    QJsonValue child = list.at(index);
    if (last)
        list.removeAt(index);
    else if (removePath(child, path, depth + 1, dotPath, kind))
        list.replace(index, child);
    node = list;
    return true;
}

// Removes what the manager applied before and applies no more, unless someone else still owns it
// (or something below it).
void removeDropped(QJsonObject &object, const FieldSet &previous, const FieldSet &applied,
                   const FieldSet &others, const QString &kind)
{
    QJsonValue root = object;
    for (const FieldPath &path : previous) {
        if (applied.count(path) != 0 || others.count(path) != 0 || hasDescendant(applied, path) ||
            hasDescendant(others, path))
            continue;
        removePath(root, path, 0, QString(), kind);
    }
    object = root.toObject();
}

struct ConflictCheck
{
    QList<FieldConflict> conflicts;
    std::map<qsizetype, FieldSet> taken; // per entry index, the fields a forced apply takes away
};

// Fields that the config sets to a value other than the live one and that another manager owns.
ConflictCheck findConflicts(const QList<ManagerEntry> &entries, qsizetype self, const FieldValues &applied,
                            const FieldValues &live)
{
    ConflictCheck check;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (i == self)
            continue;
        const ManagerEntry &entry = entries.at(i);
        for (const FieldPath &path : entry.fields) {
            const auto wanted = applied.find(path);
            if (wanted == applied.end() || !wanted->second.leaf)
                continue;
            const auto current = live.find(path);
            if (current != live.end() && current->second.leaf &&
                current->second.value == wanted->second.value)
                continue;
            check.conflicts.append(FieldConflict{entry.manager, entry.apiVersion, printPath(path),
                                                 entry.subresource, entry.operation});
            check.taken[i].insert(path);
        }
    }
    return check;
}

FieldSet ownedByOthers(const QList<ManagerEntry> &entries, qsizetype self)
{
    FieldSet owned;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (i != self)
            owned.insert(entries.at(i).fields.begin(), entries.at(i).fields.end());
    }
    return owned;
}

// Which managedFields a write starts from: those sent with the new object when it carries any
// (a client may edit them), otherwise the stored ones.
QList<ManagerEntry> startingEntries(const QJsonObject &before, const QJsonObject &after)
{
    const bool sent = !after.value(u"metadata").toObject().value(u"managedFields").toArray().isEmpty();
    return readEntries(sent ? after : before);
}

} // namespace

ApplyOutcome serverSideApply(const QJsonObject &live, const QJsonObject &config, const QString &kind,
                             const QString &manager, bool force, const QString &timestamp)
{
    ApplyOutcome outcome;
    const QJsonObject applied = stripServerFields(config);
    const FieldValues appliedValues = fieldValues(applied, kind, false, &outcome.error);
    if (!outcome.error.isEmpty())
        return outcome;
    const FieldValues liveValues = fieldValues(live, kind, false, nullptr);

    QList<ManagerEntry> entries = readEntries(live);
    qsizetype self = indexOfEntry(entries, manager, applyOperation, QString());
    ConflictCheck check = findConflicts(entries, self, appliedValues, liveValues);
    if (!check.conflicts.isEmpty() && !force) {
        outcome.conflicts = check.conflicts;
        return outcome;
    }
    for (const auto &[index, fields] : check.taken) {
        for (const FieldPath &path : fields)
            entries[index].fields.erase(path);
    }

    const FieldSet appliedSet = pathsOf(appliedValues);
    QJsonObject merged = mergeApplied(live, applied, QString(), kind).toObject();
    if (self >= 0) {
        removeDropped(merged, entries.at(self).fields, appliedSet, ownedByOthers(entries, self), kind);
    } else {
        entries.append(ManagerEntry{manager, applyOperation, {}, {}, {}, {}});
        self = entries.size() - 1;
    }
    ManagerEntry &mine = entries[self];
    mine.fields = appliedSet;
    mine.apiVersion = merged.value(u"apiVersion").toString();
    mine.time = timestamp;
    writeEntries(merged, entries, kind);
    outcome.ok = true;
    outcome.object = merged;
    return outcome;
}

QJsonObject recordUpdate(const QJsonObject &before, const QJsonObject &after, const QString &kind,
                         const QString &manager, const QString &subresource, const QString &timestamp)
{
    const bool includeStatus = subresource == u"status";
    const FieldValues old = fieldValues(before, kind, includeStatus, nullptr);
    FieldSet changed;
    for (const auto &[path, now] : fieldValues(after, kind, includeStatus, nullptr)) {
        const auto was = old.find(path);
        const bool added = was == old.end();
        if (added || (now.leaf && (!was->second.leaf || was->second.value != now.value)))
            changed.insert(path);
    }

    QList<ManagerEntry> entries = startingEntries(before, after);
    qsizetype self = indexOfEntry(entries, manager, updateOperation, subresource);
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (i != self)
            std::erase_if(entries[i].fields,
                          [&changed](const FieldPath &path) { return changed.count(path) != 0; });
    }
    // The entry's time says when the manager last changed something, so a no-op write keeps it.
    if (!changed.empty()) {
        if (self < 0) {
            entries.append(ManagerEntry{manager, updateOperation, {}, {}, subresource, {}});
            self = entries.size() - 1;
        }
        ManagerEntry &mine = entries[self];
        mine.fields.insert(changed.begin(), changed.end());
        mine.apiVersion = after.value(u"apiVersion").toString();
        mine.time = timestamp;
    }
    QJsonObject result = after;
    writeEntries(result, entries, kind);
    return result;
}

QString defaultFieldManager(const QString &userAgent)
{
    // The API server truncates managers derived from the User-Agent to 128 characters.
    const QString prefix = userAgent.section(u'/', 0, 0).trimmed().left(128);
    return prefix.isEmpty() ? u"unknown"_s : prefix;
}

} // namespace tdkube::sandbox
