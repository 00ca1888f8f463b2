#include "kube/objects.h"

#include <QJsonArray>
#include <QStringList>

namespace tdkube::kube {

QJsonObject metadataOf(const QJsonObject &object)
{
    return object.value(u"metadata").toObject();
}

QString nameOf(const QJsonObject &object)
{
    return metadataOf(object).value(u"name").toString();
}

QString namespaceOf(const QJsonObject &object)
{
    return metadataOf(object).value(u"namespace").toString();
}

QString uidOf(const QJsonObject &object)
{
    return metadataOf(object).value(u"uid").toString();
}

QJsonValue valueAt(const QJsonObject &object, const QString &path)
{
    QJsonValue current = object;
    for (const QString &part : path.split(u'.')) {
        if (!current.isObject())
            return QJsonValue::Undefined;
        current = current.toObject().value(part);
    }
    return current;
}

bool isPodReady(const QJsonObject &pod)
{
    for (const QJsonValue &value : pod.value(u"status").toObject().value(u"conditions").toArray()) {
        const QJsonObject condition = value.toObject();
        if (condition.value(u"type").toString() == u"Ready")
            return condition.value(u"status").toString() == u"True";
    }
    return false;
}

int podOrdinal(const QString &pod, const QString &statefulSet)
{
    if (!pod.startsWith(statefulSet + u'-'))
        return -1;
    bool ok = false;
    const int ordinal = pod.mid(statefulSet.size() + 1).toInt(&ok);
    return ok && ordinal >= 0 ? ordinal : -1;
}

} // namespace tdkube::kube
