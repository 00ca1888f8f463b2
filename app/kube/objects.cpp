#include "kube/objects.h"

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

} // namespace tdkube::kube
