#include "podendpoints.h"

#include "apierror.h"
#include "httpserver.h"
#include "podruntime.h"
#include "resources.h"
#include "selectors.h"
#include "store.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

void sendStatus(HttpExchange *exchange, const ApiError &error)
{
    exchange->respond(error.code, "application/json",
                      QJsonDocument(error.toStatus()).toJson(QJsonDocument::Compact));
}

QString containerNameOf(const QJsonObject &pod, const QString &requested, QString *error)
{
    const QJsonArray containers = valueAt(pod, u"spec.containers"_s).toArray();
    if (requested.isEmpty()) {
        if (containers.size() == 1)
            return containers.first().toObject().value(u"name").toString();
        QStringList names;
        for (const QJsonValue &c : containers)
            names << c.toObject().value(u"name").toString();
        *error = u"a container name must be specified for pod "_s + nameOf(pod) + u", choose one of: ["_s +
                 names.join(u' ') + u']';
        return {};
    }
    for (const QJsonValue &c : containers) {
        if (c.toObject().value(u"name").toString() == requested)
            return requested;
    }
    *error = u"container "_s + requested + u" is not valid for pod "_s + nameOf(pod);
    return {};
}

QString waitingReason(const QJsonObject &pod, const QString &container)
{
    for (const QJsonValue &value : valueAt(pod, u"status.containerStatuses"_s).toArray()) {
        const QJsonObject status = value.toObject();
        if (status.value(u"name").toString() == container)
            return valueAt(status, u"state.waiting.reason"_s).toString();
    }
    return u"ContainerCreating"_s;
}

QByteArray formatLine(const PodRuntime::LogLine &line, bool timestamps)
{
    QByteArray text = line.text.toUtf8() + '\n';
    if (timestamps)
        text.prepend(line.time.toUTC().toString(u"yyyy-MM-ddThh:mm:ss.zzz000000Z "_s).toLatin1());
    return text;
}

} // namespace

void serveLog(HttpExchange *exchange, Store *store, PodRuntime *runtime, const QJsonObject &pod)
{
    const HttpRequest &request = exchange->request();
    QString error;
    const QString container = containerNameOf(pod, request.queryValue(u"container"_s), &error);
    if (container.isEmpty()) {
        sendStatus(exchange, ApiError::badRequest(error));
        return;
    }
    const bool previous = request.queryValue(u"previous"_s) == u"true";
    const QString reason = waitingReason(pod, container);
    if (valueAt(pod, u"status.phase"_s).toString() == u"Pending" && !previous) {
        sendStatus(exchange, ApiError::badRequest(u"container \""_s + container + u"\" in pod \""_s +
                                                  nameOf(pod) + u"\" is waiting to start: "_s +
                                                  (reason.isEmpty() ? u"ContainerCreating"_s : reason)));
        return;
    }
    const bool timestamps = request.queryValue(u"timestamps"_s) == u"true";
    QList<PodRuntime::LogLine> lines = runtime->log(pod, container, previous);
    if (previous && lines.isEmpty()) {
        sendStatus(exchange, ApiError::badRequest(u"previous terminated container \""_s + container +
                                                  u"\" in pod \""_s + nameOf(pod) + u"\" not found"_s));
        return;
    }
    bool hasTail = false;
    const int tail = request.queryValue(u"tailLines"_s).toInt(&hasTail);
    if (hasTail && tail >= 0 && tail < lines.size())
        lines = lines.mid(lines.size() - tail);
    QByteArray text;
    for (const PodRuntime::LogLine &line : std::as_const(lines))
        text += formatLine(line, timestamps);
    bool hasLimit = false;
    const int limit = request.queryValue(u"limitBytes"_s).toInt(&hasLimit);
    if (hasLimit && limit >= 0)
        text.truncate(limit);
    if (request.queryValue(u"follow"_s) != u"true" || previous) {
        exchange->respond(200, "text/plain", text);
        return;
    }
    exchange->startStream(200, "text/plain");
    exchange->writeChunk(text);
    const QString ns = namespaceOf(pod);
    const QString name = nameOf(pod);
    const QString uid = uidOf(pod);
    QPointer<HttpExchange> guard(exchange);
    QObject::connect(runtime, &PodRuntime::logAppended, exchange,
                     [guard, ns, name, container, timestamps](const QString &lineNs, const QString &linePod,
                                                              const QString &lineContainer,
                                                              const PodRuntime::LogLine &line) {
                         if (guard && lineNs == ns && linePod == name && lineContainer == container)
                             guard->writeChunk(formatLine(line, timestamps));
                     });
    // The stream ends with the container: when the pod is deleted, or a new pod took its name.
    QObject::connect(store, &Store::changed, exchange, [guard, uid](const StoreEvent &event) {
        if (guard && event.resource == &podsType() && uidOf(event.object) == uid &&
            (event.type == EventType::Deleted || metadataOf(event.object).contains(u"deletionTimestamp")))
            guard->finishStream();
    });
}

namespace {

// The pod and port behind a Service port: a ready endpoint matching the selector.
bool resolveService(Store *store, PodRuntime *runtime, const QString &ns, const QString &name,
                    const QString &port, QJsonObject *pod, int *targetPort, ApiError *error)
{
    const std::optional<QJsonObject> service = store->get(servicesType(), ns, name);
    if (!service) {
        *error = ApiError::notFound(servicesType(), name);
        return false;
    }
    QJsonObject chosen;
    for (const QJsonValue &value : valueAt(*service, u"spec.ports"_s).toArray()) {
        const QJsonObject p = value.toObject();
        if (port.isEmpty() || p.value(u"name").toString() == port ||
            QString::number(p.value(u"port").toInt()) == port) {
            chosen = p;
            break;
        }
    }
    if (chosen.isEmpty()) {
        *error = ApiError{503,
                          u"ServiceUnavailable"_s,
                          u"no endpoints available for service \""_s + name + u':' + port + u"\""_s,
                          {}};
        return false;
    }
    const LabelSelector selector =
        LabelSelector::fromObject(QJsonObject{{u"matchLabels"_s, valueAt(*service, u"spec.selector"_s)}});
    for (const QJsonObject &candidate : store->list(podsType(), ns)) {
        if (!selector.matches(metadataOf(candidate).value(u"labels").toObject()) ||
            metadataOf(candidate).contains(u"deletionTimestamp") || !runtime->probeReady(candidate))
            continue;
        bool ready = false;
        for (const QJsonValue &c : valueAt(candidate, u"status.conditions"_s).toArray())
            ready = ready || (c.toObject().value(u"type").toString() == u"Ready" &&
                              c.toObject().value(u"status").toString() == u"True");
        if (!ready)
            continue;
        *pod = candidate;
        const QJsonValue target = chosen.value(u"targetPort");
        *targetPort = target.isDouble() ? target.toInt() : chosen.value(u"port").toInt();
        if (target.isString()) {
            for (const QJsonValue &c : valueAt(candidate, u"spec.containers"_s).toArray()) {
                for (const QJsonValue &cp : c.toObject().value(u"ports").toArray()) {
                    if (cp.toObject().value(u"name").toString() == target.toString())
                        *targetPort = cp.toObject().value(u"containerPort").toInt();
                }
            }
        }
        return true;
    }
    *error = ApiError{
        503, u"ServiceUnavailable"_s, u"no endpoints available for service \""_s + name + u"\""_s, {}};
    return false;
}

} // namespace

void serveProxy(HttpExchange *exchange, Store *store, PodRuntime *runtime, bool service, const QString &ns,
                const QString &nameAndPort)
{
    // name, name:port or scheme:name:port
    QStringList parts = nameAndPort.split(u':');
    if (parts.size() == 3)
        parts.removeFirst();
    const QString name = parts.value(0);
    const QString port = parts.value(1);
    QJsonObject pod;
    int targetPort = port.toInt();
    ApiError error;
    if (service) {
        if (!resolveService(store, runtime, ns, name, port, &pod, &targetPort, &error)) {
            sendStatus(exchange, error);
            return;
        }
    } else {
        const std::optional<QJsonObject> found = store->get(podsType(), ns, name);
        if (!found) {
            sendStatus(exchange, ApiError::notFound(podsType(), name));
            return;
        }
        pod = *found;
        if (targetPort == 0)
            targetPort = valueAt(pod, u"spec.containers"_s)
                             .toArray()
                             .first()
                             .toObject()
                             .value(u"ports")
                             .toArray()
                             .first()
                             .toObject()
                             .value(u"containerPort")
                             .toInt();
    }
    if (!runtime->listens(pod, targetPort)) {
        const QString ip = valueAt(pod, u"status.podIP"_s).toString();
        sendStatus(exchange, ApiError{503,
                                      u"ServiceUnavailable"_s,
                                      u"error trying to reach service: dial tcp "_s + ip + u':' +
                                          QString::number(targetPort) + u": connect: connection refused"_s,
                                      {}});
        return;
    }
    if (!runtime->speaksHttp(pod, targetPort)) {
        // What the API server says when the pod's server hangs up on an HTTP request.
        sendStatus(exchange,
                   ApiError{503, u"ServiceUnavailable"_s, u"error trying to reach service: EOF"_s, {}});
        return;
    }
    HttpRequest forwarded = exchange->request();
    // The API server drops the Authorization header once it has authenticated the request, so
    // credentials meant for the API server never reach the pod (nor do any others sent there).
    forwarded.headers.remove("authorization");
    const QString path = forwarded.path;
    const qsizetype proxyAt = path.indexOf(u"/proxy"_s);
    forwarded.path = proxyAt < 0 ? u"/"_s : path.mid(proxyAt + 6);
    if (forwarded.path.isEmpty())
        forwarded.path = u"/"_s;
    QPointer<HttpExchange> guard(exchange);
    runtime->http(pod, targetPort, forwarded, [guard](const PodRuntime::HttpReply &reply) {
        if (!guard)
            return;
        QByteArray contentType;
        QList<std::pair<QByteArray, QByteArray>> headers;
        for (const auto &[header, value] : reply.headers) {
            if (header.toLower() == "content-type")
                contentType = value;
            else if (header.toLower() != "content-length")
                headers.append({header, value});
        }
        guard->respond(reply.status, contentType, reply.body, headers);
    });
}

} // namespace tdkube::sandbox
