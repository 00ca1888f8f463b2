#include "kube/apistatus.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace tdkube::kube {

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ApiStatus)
};

QString reasonForHttpCode(int code)
{
    switch (code) {
    case 400:
        return QStringLiteral("BadRequest");
    case 401:
        return QStringLiteral("Unauthorized");
    case 403:
        return QStringLiteral("Forbidden");
    case 404:
        return QStringLiteral("NotFound");
    case 405:
        return QStringLiteral("MethodNotAllowed");
    case 409:
        return QStringLiteral("Conflict");
    case 410:
        return QStringLiteral("Expired");
    case 415:
        return QStringLiteral("UnsupportedMediaType");
    case 422:
        return QStringLiteral("Invalid");
    case 429:
        return QStringLiteral("TooManyRequests");
    case 500:
        return QStringLiteral("InternalError");
    case 503:
        return QStringLiteral("ServiceUnavailable");
    case 504:
        return QStringLiteral("Timeout");
    default:
        return QString();
    }
}

QString adviceFor(const QString &reason)
{
    if (reason == u"Unauthorized")
        return Text::tr("Check the credentials of this context in your kubeconfig (token, client certificate "
                        "or exec plugin); they may have expired.");
    if (reason == u"Forbidden")
        return Text::tr("Your user lacks the permission; ask the cluster administrator for a role that "
                        "allows it, or switch to a context that has it.");
    if (reason == u"NotFound")
        return Text::tr("It may have been deleted meanwhile; refresh and check the namespace.");
    if (reason == u"AlreadyExists")
        return Text::tr("Choose another name, or update the existing object instead.");
    if (reason == u"Conflict")
        return Text::tr("Someone else changed it meanwhile; reload the live object and try again.");
    if (reason == u"Invalid")
        return Text::tr("Correct the fields named above and try again.");
    if (reason == u"TooManyRequests" || reason == u"ServiceUnavailable" || reason == u"InternalError" ||
        reason == u"Timeout")
        return Text::tr("The API server is busy or failing; tdkube retries watches by itself, other "
                        "actions can be retried in a moment.");
    return QString();
}

} // namespace

ApiStatus ApiStatus::fromJson(const QByteArray &json)
{
    const QJsonObject obj = QJsonDocument::fromJson(json).object();
    if (obj.value(u"kind").toString() != u"Status")
        return {};
    ApiStatus status;
    status.code = obj.value(u"code").toInt();
    status.reason = obj.value(u"reason").toString();
    status.message = obj.value(u"message").toString();
    const QJsonObject details = obj.value(u"details").toObject();
    status.detailsName = details.value(u"name").toString();
    status.detailsKind = details.value(u"kind").toString();
    const QJsonArray causes = details.value(u"causes").toArray();
    for (const QJsonValue &c : causes) {
        const QJsonObject cause = c.toObject();
        status.causes.append({cause.value(u"reason").toString(), cause.value(u"message").toString(),
                              cause.value(u"field").toString()});
    }
    return status;
}

ApiStatus ApiStatus::fromHttp(int httpCode, const QByteArray &body)
{
    ApiStatus status = fromJson(body);
    if (status.isValid())
        return status;
    status.code = httpCode;
    status.reason = reasonForHttpCode(httpCode);
    const QByteArray trimmed = body.trimmed().left(200);
    status.message = trimmed.isEmpty() || trimmed.startsWith('<')
                         ? Text::tr("the server answered HTTP %1 without an explanation").arg(httpCode)
                         : QString::fromUtf8(trimmed);
    return status;
}

QString ApiStatus::describe() const
{
    QString text = message.isEmpty() ? Text::tr("The API server refused the request") : message;
    if (!reason.isEmpty())
        text += QStringLiteral(" (%1)").arg(reason);
    text += u'.';
    for (const Cause &cause : causes) {
        text += u'\n';
        text += cause.field.isEmpty() ? cause.message : cause.field + QStringLiteral(": ") + cause.message;
    }
    const QString advice = adviceFor(reason);
    if (!advice.isEmpty())
        text += u'\n' + advice;
    return text;
}

} // namespace tdkube::kube
