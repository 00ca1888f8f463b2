#include "apierror.h"

#include "resources.h"

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

ApiError make(int code, const QString &reason, const QString &message, const QJsonObject &details = {})
{
    return ApiError{code, reason, message, details};
}

QJsonObject detailsFor(const ResourceType &type, const QString &name)
{
    QJsonObject details{{u"kind"_s, type.plural}};
    if (!name.isEmpty())
        details.insert(u"name"_s, name);
    if (!type.group.isEmpty())
        details.insert(u"group"_s, type.group);
    return details;
}

QString quotedObject(const ResourceType &type, const QString &name)
{
    return type.groupResource() + u" \""_s + name + u'"';
}

} // namespace

QJsonObject ApiError::toStatus() const
{
    QJsonObject status{{u"kind"_s, u"Status"_s},
                       {u"apiVersion"_s, u"v1"_s},
                       {u"metadata"_s, QJsonObject()},
                       {u"status"_s, u"Failure"_s},
                       {u"message"_s, message},
                       {u"reason"_s, reason},
                       {u"code"_s, code}};
    if (!details.isEmpty())
        status.insert(u"details"_s, details);
    return status;
}

ApiError ApiError::notFound(const ResourceType &type, const QString &name)
{
    return make(404, u"NotFound"_s, quotedObject(type, name) + u" not found"_s, detailsFor(type, name));
}

ApiError ApiError::alreadyExists(const ResourceType &type, const QString &name)
{
    return make(409, u"AlreadyExists"_s, quotedObject(type, name) + u" already exists"_s,
                detailsFor(type, name));
}

ApiError ApiError::conflict(const ResourceType &type, const QString &name, const QString &why)
{
    return make(409, u"Conflict"_s,
                u"Operation cannot be fulfilled on "_s + quotedObject(type, name) + u": "_s + why,
                detailsFor(type, name));
}

ApiError ApiError::invalid(const ResourceType &type, const QString &name, const QJsonArray &causes)
{
    QStringList parts;
    for (const QJsonValue &cause : causes) {
        const QJsonObject c = cause.toObject();
        parts << c.value(u"field").toString() + u": "_s + c.value(u"message").toString();
    }
    const QString list = parts.size() == 1 ? parts.first() : u'[' + parts.join(u", "_s) + u']';
    QJsonObject details{{u"name"_s, name}, {u"kind"_s, type.kind}, {u"causes"_s, causes}};
    if (!type.group.isEmpty())
        details.insert(u"group"_s, type.group);
    return make(422, u"Invalid"_s, type.groupKind() + u" \""_s + name + u"\" is invalid: "_s + list, details);
}

ApiError ApiError::forbidden(const QString &user, const QString &verb, const ResourceType &type,
                             const QString &subresource, const QString &ns, const QString &name)
{
    const QString resource = subresource.isEmpty() ? type.plural : type.plural + u'/' + subresource;
    QString subject = type.groupResource();
    if (!name.isEmpty())
        subject += u" \""_s + name + u'"';
    QString message = subject + u" is forbidden: User \""_s + user + u"\" cannot "_s + verb +
                      u" resource \""_s + resource + u"\" in API group \""_s + type.group + u'"';
    message += ns.isEmpty() ? u" at the cluster scope"_s : u" in the namespace \""_s + ns + u'"';
    return make(403, u"Forbidden"_s, message, detailsFor(type, name));
}

ApiError ApiError::unauthorized()
{
    return make(401, u"Unauthorized"_s, u"Unauthorized"_s);
}

ApiError ApiError::badRequest(const QString &message)
{
    return make(400, u"BadRequest"_s, message);
}

ApiError ApiError::methodNotAllowed()
{
    return make(405, u"MethodNotAllowed"_s,
                u"the server does not allow this method on the requested resource"_s);
}

ApiError ApiError::unsupportedMediaType(const QString &contentType)
{
    return make(415, u"UnsupportedMediaType"_s,
                u"the body of the request was in an unknown format - accepted media types include: "
                u"application/json-patch+json, application/merge-patch+json, "
                u"application/apply-patch+yaml, application/strategic-merge-patch+json"_s +
                    (contentType.isEmpty() ? QString() : u" (got "_s + contentType + u')'));
}

ApiError ApiError::notAcceptable()
{
    return make(406, u"NotAcceptable"_s, u"only the following media types are accepted: application/json"_s);
}

ApiError ApiError::expired(const QString &message)
{
    return make(410, u"Expired"_s, message);
}

ApiError ApiError::internal(const QString &message)
{
    return make(500, u"InternalError"_s, u"Internal error occurred: "_s + message);
}

ApiError ApiError::tooManyRequests()
{
    return make(429, u"TooManyRequests"_s,
                u"the server has received too many requests and has asked us to try "
                u"again later"_s);
}

ApiError ApiError::pathNotFound()
{
    return make(404, u"NotFound"_s, u"the server could not find the requested resource"_s);
}

QJsonObject invalidCause(const QString &reason, const QString &field, const QString &message)
{
    return QJsonObject{{u"reason"_s, reason}, {u"message"_s, message}, {u"field"_s, field}};
}

} // namespace tdkube::sandbox
