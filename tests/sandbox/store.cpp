#include "store.h"

#include "resources.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>
#include <QUuid>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

qint64 resourceVersionOf(const QJsonObject &object)
{
    return metadataOf(object).value(u"resourceVersion").toString().toLongLong();
}

namespace {

// Whether `object` names the object with uid `ownerUid` among its ownerReferences.
bool ownedBy(const QJsonObject &object, const QString &ownerUid)
{
    const QJsonArray owners = metadataOf(object).value(u"ownerReferences").toArray();
    return std::any_of(owners.begin(), owners.end(), [&](const QJsonValue &owner) {
        return owner.toObject().value(u"uid").toString() == ownerUid;
    });
}

void setIn(QJsonObject &object, const QStringList &parts, int index, const QJsonValue &value, bool remove)
{
    const QString &part = parts.at(index);
    if (index == parts.size() - 1) {
        if (remove)
            object.remove(part);
        else
            object.insert(part, value);
        return;
    }
    QJsonObject child = object.value(part).toObject();
    setIn(child, parts, index + 1, value, remove);
    object.insert(part, child);
}

} // namespace

void setValueAt(QJsonObject &object, const QString &path, const QJsonValue &value)
{
    setIn(object, path.split(u'.'), 0, value, false);
}

void removeValueAt(QJsonObject &object, const QString &path)
{
    if (valueAt(object, path).isUndefined())
        return;
    setIn(object, path.split(u'.'), 0, QJsonValue(), true);
}

Store::Store(QObject *parent)
    : QObject(parent)
{
}

Store::~Store() = default;

QString Store::now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
}

std::optional<QJsonObject> Store::get(const ResourceType &type, const QString &ns, const QString &name) const
{
    const auto objects = m_objects.constFind(type.groupResource());
    if (objects == m_objects.cend())
        return std::nullopt;
    const auto it = objects->constFind(key(ns, name));
    if (it == objects->cend())
        return std::nullopt;
    return *it;
}

QList<QJsonObject> Store::list(const ResourceType &type, const QString &ns) const
{
    const auto objects = m_objects.constFind(type.groupResource());
    if (objects == m_objects.cend())
        return {};
    if (ns.isEmpty())
        return objects->values();
    QList<QJsonObject> result;
    const QString prefix = ns + u'/';
    for (auto it = objects->lowerBound(prefix); it != objects->cend() && it.key().startsWith(prefix); ++it)
        result.append(*it);
    return result;
}

int Store::count(const ResourceType &type) const
{
    return m_objects.value(type.groupResource()).size();
}

QJsonObject Store::stamp(QJsonObject object)
{
    QJsonObject metadata = metadataOf(object);
    metadata.insert(u"resourceVersion"_s, QString::number(++m_resourceVersion));
    object.insert(u"metadata"_s, metadata);
    return object;
}

void Store::record(EventType type, const ResourceType &resource, const QJsonObject &object,
                   const QJsonObject &previous)
{
    StoreEvent event{m_resourceVersion, type, &resource, object, previous};
    m_history.push_back(event);
    while (static_cast<int>(m_history.size()) > m_historyLimit) {
        m_compactedBefore = m_history.front().resourceVersion;
        m_history.pop_front();
    }
    emit changed(event);
    if (type == EventType::Deleted && m_foregroundOwners > 0)
        QTimer::singleShot(0, this, &Store::finishForegroundDeletions);
}

Store::Result Store::create(const ResourceType &type, QJsonObject object, bool dryRun)
{
    QJsonObject metadata = metadataOf(object);
    const QString ns = type.namespaced ? metadata.value(u"namespace").toString() : QString();
    const QString name = metadata.value(u"name").toString();
    if (get(type, ns, name))
        return {{}, ApiError::alreadyExists(type, name)};
    metadata.insert(u"uid"_s, QUuid::createUuid().toString(QUuid::WithoutBraces));
    metadata.insert(u"creationTimestamp"_s, now());
    metadata.remove(u"deletionTimestamp"_s);
    metadata.remove(u"resourceVersion"_s);
    if (object.contains(u"spec"))
        metadata.insert(u"generation"_s, 1);
    if (!type.namespaced)
        metadata.remove(u"namespace"_s);
    object.insert(u"kind"_s, type.kind);
    object.insert(u"apiVersion"_s, type.apiVersion());
    object.insert(u"metadata"_s, metadata);
    if (dryRun)
        return {object, {}};
    object = stamp(object);
    m_objects[type.groupResource()].insert(key(ns, name), object);
    record(EventType::Added, type, object, {});
    return {object, {}};
}

bool Store::finishesDeletion(const ResourceType &type, const QJsonObject &object) const
{
    const QJsonObject metadata = metadataOf(object);
    if (!metadata.contains(u"deletionTimestamp") || !metadata.value(u"finalizers").toArray().isEmpty())
        return false;
    // Pods and namespaces are finished by the controller (grace period, emptying the namespace).
    return &type != &podsType() && &type != &namespacesType();
}

Store::Result Store::update(const ResourceType &type, QJsonObject object, bool dryRun)
{
    QJsonObject metadata = metadataOf(object);
    const QString ns = type.namespaced ? metadata.value(u"namespace").toString() : QString();
    const QString name = metadata.value(u"name").toString();
    const std::optional<QJsonObject> current = get(type, ns, name);
    if (!current)
        return {{}, ApiError::notFound(type, name)};
    const QJsonObject oldMetadata = metadataOf(*current);
    const QString expectedVersion = metadata.value(u"resourceVersion").toString();
    if (!expectedVersion.isEmpty() && expectedVersion != oldMetadata.value(u"resourceVersion").toString()) {
        return {{},
                ApiError::conflict(type, name,
                                   u"the object has been modified; please apply your changes to the "
                                   u"latest version and try again"_s)};
    }
    for (const QString &field : {u"uid"_s, u"creationTimestamp"_s, u"resourceVersion"_s})
        metadata.insert(field, oldMetadata.value(field));
    // deletionTimestamp can be set only by deleting.
    if (oldMetadata.contains(u"deletionTimestamp"))
        metadata.insert(u"deletionTimestamp"_s, oldMetadata.value(u"deletionTimestamp"));
    else
        metadata.remove(u"deletionTimestamp"_s);
    const qint64 generation = oldMetadata.value(u"generation").toInteger();
    if (generation > 0) {
        const bool specChanged = object.value(u"spec") != current->value(u"spec");
        metadata.insert(u"generation"_s, specChanged ? generation + 1 : generation);
    }
    object.insert(u"kind"_s, type.kind);
    object.insert(u"apiVersion"_s, type.apiVersion());
    object.insert(u"metadata"_s, metadata);
    if (object == *current)
        return {object, {}}; // a no-op write does not bump the resourceVersion, as on a real server
    if (dryRun)
        return {object, {}};
    object = stamp(object);
    if (finishesDeletion(type, object)) {
        m_objects[type.groupResource()].remove(key(ns, name));
        record(EventType::Deleted, type, object, *current);
        collectGarbage(uidOf(object), {});
        return {object, {}};
    }
    m_objects[type.groupResource()].insert(key(ns, name), object);
    record(EventType::Modified, type, object, *current);
    return {object, {}};
}

Store::Result Store::remove(const ResourceType &type, const QString &ns, const QString &name,
                            const DeleteOptions &options, bool dryRun)
{
    const std::optional<QJsonObject> current = get(type, type.namespaced ? ns : QString(), name);
    if (!current)
        return {{}, ApiError::notFound(type, name)};
    QJsonObject metadata = metadataOf(*current);
    if (!options.preconditionUid.isEmpty() && options.preconditionUid != metadata.value(u"uid").toString()) {
        return {{},
                ApiError::conflict(type, name,
                                   u"Precondition failed: UID in precondition: "_s + options.preconditionUid +
                                       u", UID in object meta: "_s + metadata.value(u"uid").toString())};
    }
    if (!options.preconditionResourceVersion.isEmpty() &&
        options.preconditionResourceVersion != metadata.value(u"resourceVersion").toString()) {
        return {{},
                ApiError::conflict(type, name,
                                   u"the object has been modified; please apply your changes to the "
                                   u"latest version and try again"_s)};
    }
    const bool isPod = &type == &podsType();
    const qint64 grace = options.gracePeriodSeconds.value_or(
        metadataOf(*current)
            .value(u"deletionGracePeriodSeconds")
            .toInteger(
                current->value(u"spec").toObject().value(u"terminationGracePeriodSeconds").toInteger(30)));
    const bool graceful = isPod && grace > 0 && !valueAt(*current, u"spec.nodeName"_s).toString().isEmpty();
    // Foreground: the owner stays, marked, until the garbage collector has removed its dependents.
    const bool foreground = options.propagationPolicy == u"Foreground" && hasDependents(uidOf(*current));
    if (foreground) {
        QJsonArray finalizers = metadata.value(u"finalizers").toArray();
        if (!finalizers.contains(u"foregroundDeletion"_s))
            finalizers.append(u"foregroundDeletion"_s);
        metadata.insert(u"finalizers"_s, finalizers);
    }
    const bool marked = graceful || foreground || &type == &namespacesType() ||
                        !metadata.value(u"finalizers").toArray().isEmpty();
    if (marked) {
        QJsonObject object = *current;
        if (!metadata.contains(u"deletionTimestamp")) {
            metadata.insert(
                u"deletionTimestamp"_s,
                QDateTime::currentDateTimeUtc().addSecs(graceful ? grace : 0).toString(Qt::ISODate));
            if (isPod)
                metadata.insert(u"deletionGracePeriodSeconds"_s, grace);
            if (&type == &namespacesType())
                setValueAt(object, u"status.phase"_s, u"Terminating"_s);
        }
        object.insert(u"metadata"_s, metadata);
        if (dryRun || object == *current)
            return {object, {}};
        object = stamp(object);
        m_objects[type.groupResource()].insert(key(type.namespaced ? ns : QString(), name), object);
        const bool waitsForDependents =
            foreground &&
            !metadataOf(*current).value(u"finalizers").toArray().contains(u"foregroundDeletion"_s);
        if (waitsForDependents)
            ++m_foregroundOwners;
        record(EventType::Modified, type, object, *current);
        if (foreground)
            collectGarbage(uidOf(object), options.propagationPolicy);
        return {object, {}};
    }
    if (dryRun)
        return {*current, {}};
    const QJsonObject object = stamp(*current);
    m_objects[type.groupResource()].remove(key(type.namespaced ? ns : QString(), name));
    record(EventType::Deleted, type, object, *current);
    collectGarbage(uidOf(object), options.propagationPolicy);
    return {object, {}};
}

void Store::erase(const ResourceType &type, const QString &ns, const QString &name)
{
    const std::optional<QJsonObject> current = get(type, ns, name);
    if (!current)
        return;
    const QJsonObject object = stamp(*current);
    m_objects[type.groupResource()].remove(key(ns, name));
    record(EventType::Deleted, type, object, *current);
    collectGarbage(uidOf(object), {});
}

void Store::collectGarbage(const QString &ownerUid, const QString &propagationPolicy)
{
    // The garbage collector runs after the owner is gone, as on a real cluster (asynchronously).
    QTimer::singleShot(0, this, [this, ownerUid, propagationPolicy] {
        for (const ResourceType &type : servedResources()) {
            for (const QJsonObject &object : list(type)) {
                if (!ownedBy(object, ownerUid))
                    continue;
                if (propagationPolicy == u"Orphan") {
                    QJsonObject orphan = object;
                    removeValueAt(orphan, u"metadata.ownerReferences"_s);
                    update(type, orphan);
                } else {
                    remove(type, namespaceOf(object), nameOf(object), {});
                }
            }
        }
    });
}

bool Store::hasDependents(const QString &ownerUid) const
{
    for (const auto &objects : m_objects) {
        for (const QJsonObject &object : objects) {
            if (ownedBy(object, ownerUid))
                return true;
        }
    }
    return false;
}

void Store::finishForegroundDeletions()
{
    for (const ResourceType &type : servedResources()) {
        if (m_foregroundOwners == 0)
            return;
        for (QJsonObject owner : list(type)) {
            QJsonObject metadata = metadataOf(owner);
            QJsonArray finalizers = metadata.value(u"finalizers").toArray();
            qsizetype at = -1;
            for (qsizetype i = 0; i < finalizers.size() && at < 0; ++i)
                at = finalizers.at(i).toString() == u"foregroundDeletion" ? i : -1;
            if (at < 0 || !metadata.contains(u"deletionTimestamp") || hasDependents(uidOf(owner)))
                continue;
            --m_foregroundOwners;
            finalizers.removeAt(at);
            if (finalizers.isEmpty())
                metadata.remove(u"finalizers"_s);
            else
                metadata.insert(u"finalizers"_s, finalizers);
            owner.insert(u"metadata"_s, metadata);
            update(type, owner);
        }
    }
}

bool Store::eventsSince(qint64 resourceVersion, QList<StoreEvent> *events) const
{
    if (resourceVersion < m_compactedBefore && resourceVersion != m_resourceVersion)
        return false;
    for (auto it = m_history.crbegin(); it != m_history.crend() && it->resourceVersion > resourceVersion;
         ++it)
        events->prepend(*it);
    return true;
}

void Store::compactHistory()
{
    m_history.clear();
    m_compactedBefore = m_resourceVersion;
}

QByteArray Store::serialize() const
{
    QJsonArray objects;
    for (auto type = m_objects.cbegin(); type != m_objects.cend(); ++type) {
        for (const QJsonObject &object : *type)
            objects.append(QJsonObject{{u"resource"_s, type.key()}, {u"object"_s, object}});
    }
    const QJsonObject root{{u"resourceVersion"_s, QString::number(m_resourceVersion)},
                           {u"objects"_s, objects}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

bool Store::deserialize(const QByteArray &data, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);
    if (!document.isObject()) {
        *error = u"the saved state is not valid JSON (%1 at offset %2)"_s.arg(parseError.errorString())
                     .arg(parseError.offset);
        return false;
    }
    const QJsonObject root = document.object();
    m_objects.clear();
    for (const QJsonValue &entry : root.value(u"objects").toArray()) {
        const QJsonObject object = entry.toObject().value(u"object").toObject();
        m_objects[entry.toObject().value(u"resource").toString()].insert(
            key(namespaceOf(object), nameOf(object)), object);
    }
    m_resourceVersion = root.value(u"resourceVersion").toString().toLongLong();
    m_history.clear();
    m_compactedBefore = m_resourceVersion;
    // Owners that were waiting for their dependents when the sandbox stopped wait again.
    m_foregroundOwners = 0;
    for (const auto &objects : std::as_const(m_objects)) {
        for (const QJsonObject &object : objects) {
            m_foregroundOwners +=
                metadataOf(object).value(u"finalizers").toArray().contains(u"foregroundDeletion"_s) ? 1 : 0;
        }
    }
    if (m_foregroundOwners > 0)
        QTimer::singleShot(0, this, &Store::finishForegroundDeletions);
    return true;
}

} // namespace tdkube::sandbox
