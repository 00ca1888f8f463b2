#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace tdkube::sandbox {

struct ResourceType;

// An API error as the real API server words it; becomes a `Status` object on the wire.
struct ApiError
{
    int code = 0;
    QString reason;
    QString message;
    QJsonObject details;

    bool isError() const { return code != 0; }
    QJsonObject toStatus() const;

    static ApiError notFound(const ResourceType &type, const QString &name);
    static ApiError alreadyExists(const ResourceType &type, const QString &name);
    static ApiError conflict(const ResourceType &type, const QString &name, const QString &why);
    // causes: [{reason, message, field}]; message lists them as the API server does.
    static ApiError invalid(const ResourceType &type, const QString &name, const QJsonArray &causes);
    static ApiError forbidden(const QString &user, const QString &verb, const ResourceType &type,
                              const QString &subresource, const QString &ns, const QString &name);
    static ApiError unauthorized();
    static ApiError badRequest(const QString &message);
    static ApiError methodNotAllowed();
    static ApiError unsupportedMediaType(const QString &contentType);
    static ApiError notAcceptable();
    static ApiError expired(const QString &message);
    static ApiError internal(const QString &message);
    static ApiError tooManyRequests();
    static ApiError pathNotFound();
};

// A cause for ApiError::invalid.
QJsonObject invalidCause(const QString &reason, const QString &field, const QString &message);

} // namespace tdkube::sandbox
