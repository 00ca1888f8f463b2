#include "apiserver.h"

#include "discovery.h"
#include "fieldmanager.h"
#include "httpserver.h"
#include "kube/yamljson.h"
#include "patch.h"
#include "protobuf.h"
#include "resources.h"
#include "selectors.h"
#include "store.h"
#include "tables.h"
#include "validation.h"
#include "watchstream.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTimer>

#include <map>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

struct ApiServer::Route
{
    const ResourceType *type = nullptr;
    QString ns;
    QString name;
    QString subresource;
    QStringList rest; // what follows the subresource (proxy paths)
};

namespace {

const QByteArray kJson = "application/json";

void sendJson(HttpExchange *exchange, int status, const QJsonObject &object)
{
    exchange->respond(status, kJson, QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n');
}

void sendError(HttpExchange *exchange, const ApiError &error)
{
    sendJson(exchange, error.code, error.toStatus());
}

bool wantsTable(const HttpExchange *exchange)
{
    return exchange->request().header("accept").contains("as=Table");
}

TableOptions tableOptions(const HttpExchange *exchange)
{
    TableOptions options;
    options.nowMs = QDateTime::currentMSecsSinceEpoch();
    const QString include = exchange->request().queryValue(u"includeObject"_s);
    if (!include.isEmpty())
        options.includeObject = include;
    return options;
}

bool isDryRun(const HttpExchange *exchange)
{
    return exchange->request().queryValue(u"dryRun"_s) == u"All";
}

QString fieldManagerOf(const HttpExchange *exchange)
{
    const QString manager = exchange->request().queryValue(u"fieldManager"_s);
    return manager.isEmpty()
               ? defaultFieldManager(QString::fromUtf8(exchange->request().header("user-agent")))
               : manager;
}

QJsonObject stripForList(QJsonObject object)
{
    object.remove(u"kind"_s);
    object.remove(u"apiVersion"_s);
    return object;
}

QString verbFor(const QByteArray &method, bool collection, bool watch)
{
    if (method == "GET")
        return watch ? u"watch"_s : collection ? u"list"_s : u"get"_s;
    if (method == "POST")
        return u"create"_s;
    if (method == "PUT")
        return u"update"_s;
    if (method == "PATCH")
        return u"patch"_s;
    if (method == "DELETE")
        return collection ? u"deletecollection"_s : u"delete"_s;
    return QString::fromLatin1(method).toLower();
}

bool isWatchRequest(const HttpExchange *exchange)
{
    const QString watch = exchange->request().queryValue(u"watch"_s);
    return watch == u"1" || watch == u"true";
}

// Continue tokens carry the list's resourceVersion and the key to start after.
QString encodeContinue(qint64 resourceVersion, const QString &afterKey)
{
    const QJsonObject token{{u"rv"_s, QString::number(resourceVersion)}, {u"start"_s, afterKey}};
    return QString::fromLatin1(QJsonDocument(token)
                                   .toJson(QJsonDocument::Compact)
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

bool decodeContinue(const QString &text, qint64 *resourceVersion, QString *afterKey)
{
    const QJsonObject token =
        QJsonDocument::fromJson(QByteArray::fromBase64(text.toLatin1(), QByteArray::Base64UrlEncoding))
            .object();
    if (!token.contains(u"start"))
        return false;
    *resourceVersion = token.value(u"rv").toString().toLongLong();
    *afterKey = token.value(u"start").toString();
    return true;
}

QJsonObject scaleOf(const QJsonObject &set)
{
    const QJsonObject metadata = metadataOf(set);
    QJsonObject scaleMetadata;
    for (const QString &field :
         {u"name"_s, u"namespace"_s, u"uid"_s, u"resourceVersion"_s, u"creationTimestamp"_s})
        scaleMetadata.insert(field, metadata.value(field));
    const LabelSelector selector = LabelSelector::fromObject(valueAt(set, u"spec.selector"_s).toObject());
    return QJsonObject{{u"kind"_s, u"Scale"_s},
                       {u"apiVersion"_s, u"autoscaling/v1"_s},
                       {u"metadata"_s, scaleMetadata},
                       {u"spec"_s, QJsonObject{{u"replicas"_s, valueAt(set, u"spec.replicas"_s).toInt()}}},
                       {u"status"_s, QJsonObject{{u"replicas"_s, valueAt(set, u"status.replicas"_s).toInt()},
                                                 {u"selector"_s, selector.toString()}}}};
}

} // namespace

ApiServer::ApiServer(Store *store, const CertificateAuthority *ca, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_ca(ca)
{
}

ApiServer::~ApiServer() = default;

bool ApiServer::authenticate(HttpExchange *exchange, User *user) const
{
    const HttpRequest &request = exchange->request();
    const QByteArray authorization = request.header("authorization");
    if (authorization.startsWith("Bearer ")) {
        const auto it = m_tokens.constFind(QString::fromUtf8(authorization.mid(7).trimmed()));
        if (it == m_tokens.cend())
            return false;
        *user = *it;
        return true;
    }
    if (!request.peerCertificateDer.isEmpty() && m_ca && m_ca->verify(request.peerCertificateDer)) {
        const CertificateSubject subject = subjectOf(request.peerCertificateDer);
        *user = User{subject.commonName, subject.organizations, false, {}};
        return !user->name.isEmpty();
    }
    return false;
}

void ApiServer::handle(HttpExchange *exchange)
{
    User user;
    if (!authenticate(exchange, &user)) {
        exchange->setUser(u"-"_s);
        sendError(exchange, ApiError::unauthorized());
        return;
    }
    exchange->setUser(user.name);
    if (m_failCount > 0 && !exchange->request().path.startsWith(u"/sandbox/")) {
        --m_failCount;
        if (m_failCode == 403)
            sendError(exchange, ApiError{403, u"Forbidden"_s, u"injected fault: access denied"_s, {}});
        else if (m_failCode == 429)
            sendError(exchange, ApiError::tooManyRequests());
        else if (m_failCode == 500)
            sendError(exchange, ApiError::internal(u"injected fault"_s));
        else // 502, 503, 504: what a load balancer or an API server starting up answers
            sendError(exchange, ApiError{m_failCode,
                                         m_failCode == 503   ? u"ServiceUnavailable"_s
                                         : m_failCode == 504 ? u"Timeout"_s
                                                             : u"InternalError"_s,
                                         u"injected fault (HTTP %1)"_s.arg(m_failCode),
                                         {}});
        return;
    }
    if (m_delayMs > 0 && !exchange->request().path.startsWith(u"/sandbox/")) {
        QPointer<HttpExchange> guard(exchange);
        QTimer::singleShot(m_delayMs, this, [this, guard, user] {
            if (guard)
                dispatch(guard, user);
        });
        return;
    }
    dispatch(exchange, user);
}

void ApiServer::dispatch(HttpExchange *exchange, const User &user)
{
    const QStringList parts = exchange->request().path.split(u'/', Qt::SkipEmptyParts);
    if (parts.value(0) == u"sandbox") {
        if (user.readOnly || !user.groups.contains(u"system:masters"_s)) {
            sendError(exchange,
                      ApiError{403, u"Forbidden"_s, u"the sandbox control endpoint is for admins"_s, {}});
            return;
        }
        serveControl(exchange, parts);
        return;
    }
    // Resource paths: /api/v1/... and /apis/{group}/{version}/...
    const bool core = parts.value(0) == u"api" && parts.value(1) == u"v1" && parts.size() > 2;
    const bool grouped = parts.value(0) == u"apis" && parts.size() > 3;
    if (!core && !grouped) {
        serveDiscovery(exchange, parts);
        return;
    }
    const QString group = core ? QString() : parts.at(1);
    const QString version = core ? parts.at(1) : parts.at(2);
    QStringList rest = parts.mid(core ? 2 : 3);
    Route route;
    if (rest.value(0) == u"namespaces" && rest.size() >= 3 && findResource(group, version, rest.at(2)) &&
        !(group.isEmpty() && (rest.at(2) == u"status" || rest.at(2) == u"finalize"))) {
        route.ns = rest.at(1);
        rest = rest.mid(2);
    }
    route.type = findResource(group, version, rest.value(0));
    if (!route.type || (route.type->namespaced == false && !route.ns.isEmpty())) {
        sendError(exchange, ApiError::pathNotFound());
        return;
    }
    route.name = rest.value(1);
    route.subresource = rest.value(2);
    route.rest = rest.mid(3);
    if (!route.subresource.isEmpty() && !route.type->subresources.contains(route.subresource)) {
        sendError(exchange, ApiError::pathNotFound());
        return;
    }
    const bool collection = route.name.isEmpty();
    // Exec and port-forward arrive as WebSocket upgrades (GET), but the API server authorizes them
    // as "create" on pods/exec and pods/portforward: a read-only user must not run commands.
    const bool streaming =
        route.subresource == u"exec" || route.subresource == u"portforward" || route.subresource == u"attach";
    const QString verb =
        streaming ? u"create"_s : verbFor(exchange->request().method, collection, isWatchRequest(exchange));
    const bool write = verb != u"get" && verb != u"list" && verb != u"watch";
    // The viewer is what a namespace-scoped Role gives: read everything inside namespaces (and the
    // storage kinds), but neither list the namespaces nor read across all of them at once.
    const bool clusterWideRead = (verb == u"list" || verb == u"watch") && route.ns.isEmpty() &&
                                 (route.type->namespaced || route.type->plural == u"namespaces");
    if ((user.readOnly && (write || clusterWideRead)) ||
        (write && user.readOnlyResources.contains(route.type->plural))) {
        sendError(exchange,
                  ApiError::forbidden(user.name, verb, *route.type, route.subresource, route.ns, route.name));
        return;
    }
    serveResource(exchange, user, route);
}

void ApiServer::serveDiscovery(HttpExchange *exchange, const QStringList &parts)
{
    if (exchange->request().method != "GET") {
        sendError(exchange, ApiError::methodNotAllowed());
        return;
    }
    const QString path = parts.join(u'/');
    QJsonObject document;
    if (path == u"version")
        document = versionInfo();
    else if (path == u"healthz" || path == u"livez" || path == u"readyz") {
        exchange->respond(200, "text/plain; charset=utf-8", "ok");
        return;
    } else if (path == u"api")
        document = coreApiVersions(m_serverAddress);
    else if (path == u"api/v1")
        document = apiResourceList(QString(), u"v1"_s);
    else if (path == u"apis")
        document = apiGroupList();
    else if (parts.value(0) == u"apis" && parts.size() == 2)
        document = apiGroup(parts.at(1));
    else if (parts.value(0) == u"apis" && parts.size() == 3)
        document = apiResourceList(parts.at(1), parts.at(2));
    else if (path == u"openapi/v3")
        document = openApiV3Index();
    else if (parts.value(0) == u"openapi" && parts.value(1) == u"v3")
        document = openApiV3Document(parts.mid(2).join(u'/'));
    if (document.isEmpty()) {
        sendError(exchange, ApiError::pathNotFound());
        return;
    }
    sendJson(exchange, 200, document);
}

void ApiServer::serveResource(HttpExchange *exchange, const User &user, const Route &route)
{
    const QByteArray &method = exchange->request().method;
    const bool isHookedSubresource = route.subresource == u"log" || route.subresource == u"exec" ||
                                     route.subresource == u"portforward" || route.subresource == u"proxy";
    if (isHookedSubresource) {
        const SubresourceRequest request{route.type, route.ns, route.name, route.subresource, route.rest};
        if (!m_extraHandler || !m_extraHandler(exchange, user, request))
            sendError(exchange, ApiError::pathNotFound());
        return;
    }
    if (route.name.isEmpty()) {
        if (method == "GET")
            isWatchRequest(exchange) ? watch(exchange, route) : list(exchange, route);
        else if (method == "POST")
            create(exchange, user, route);
        else if (method == "DELETE")
            removeCollection(exchange, route);
        else
            sendError(exchange, ApiError::methodNotAllowed());
        return;
    }
    if (method == "GET")
        getOne(exchange, route);
    else if (method == "PUT")
        replace(exchange, user, route);
    else if (method == "PATCH")
        patch(exchange, user, route);
    else if (method == "DELETE" && route.subresource.isEmpty())
        removeOne(exchange, route);
    else
        sendError(exchange, ApiError::methodNotAllowed());
}

void ApiServer::list(HttpExchange *exchange, const Route &route)
{
    const HttpRequest &request = exchange->request();
    QString error;
    const LabelSelector labels = LabelSelector::parse(request.queryValue(u"labelSelector"_s), &error);
    const FieldSelector fields = FieldSelector::parse(request.queryValue(u"fieldSelector"_s), &error);
    if (!error.isEmpty()) {
        sendError(exchange, ApiError::badRequest(error));
        return;
    }
    qint64 listVersion = m_store->resourceVersion();
    QString afterKey;
    const QString continueToken = request.queryValue(u"continue"_s);
    if (!continueToken.isEmpty() && !decodeContinue(continueToken, &listVersion, &afterKey)) {
        sendError(exchange, ApiError::badRequest(u"continue key is not valid: illegal base64 data"_s));
        return;
    }
    const int limit = request.queryValue(u"limit"_s).toInt();
    QList<QJsonObject> items;
    QString nextContinue;
    for (const QJsonObject &object : m_store->list(*route.type, route.ns)) {
        const QString key = Store::key(namespaceOf(object), nameOf(object));
        if (!afterKey.isEmpty() && key <= afterKey)
            continue;
        if (!labels.matches(metadataOf(object).value(u"labels").toObject()) || !fields.matches(object))
            continue;
        if (limit > 0 && items.size() == limit) {
            nextContinue =
                encodeContinue(listVersion, Store::key(namespaceOf(items.last()), nameOf(items.last())));
            break;
        }
        items.append(object);
    }
    if (wantsTable(exchange)) {
        TableOptions options = tableOptions(exchange);
        options.resourceVersion = QString::number(listVersion);
        options.continueToken = nextContinue;
        sendJson(exchange, 200, makeTable(route.type->plural, items, options));
        return;
    }
    QJsonArray array;
    for (const QJsonObject &object : std::as_const(items))
        array.append(stripForList(object));
    QJsonObject metadata{{u"resourceVersion"_s, QString::number(listVersion)}};
    if (!nextContinue.isEmpty())
        metadata.insert(u"continue"_s, nextContinue);
    sendJson(exchange, 200,
             QJsonObject{{u"kind"_s, QString(route.type->kind + u"List"_s)},
                         {u"apiVersion"_s, route.type->apiVersion()},
                         {u"metadata"_s, metadata},
                         {u"items"_s, array}});
}

void ApiServer::watch(HttpExchange *exchange, const Route &route)
{
    const HttpRequest &request = exchange->request();
    QString error;
    LabelSelector labels = LabelSelector::parse(request.queryValue(u"labelSelector"_s), &error);
    FieldSelector fields = FieldSelector::parse(request.queryValue(u"fieldSelector"_s), &error);
    if (!error.isEmpty()) {
        sendError(exchange, ApiError::badRequest(error));
        return;
    }
    QObject *stream =
        startWatch(exchange, m_store, route.type, route.ns, std::move(labels), std::move(fields), m_timeScale,
                   wantsTable(exchange), tableOptions(exchange), request.queryValue(u"resourceVersion"_s));
    connect(this, &ApiServer::dropWatchStreams, stream, [stream] { endWatch(stream); });
}

void ApiServer::getOne(HttpExchange *exchange, const Route &route)
{
    const std::optional<QJsonObject> object = m_store->get(*route.type, route.ns, route.name);
    if (!object) {
        sendError(exchange, ApiError::notFound(*route.type, route.name));
        return;
    }
    if (route.subresource == u"scale") {
        sendJson(exchange, 200, scaleOf(*object));
        return;
    }
    if (wantsTable(exchange)) {
        TableOptions options = tableOptions(exchange);
        options.resourceVersion = metadataOf(*object).value(u"resourceVersion").toString();
        sendJson(exchange, 200, makeTable(route.type->plural, {*object}, options));
        return;
    }
    sendJson(exchange, 200, *object);
}

namespace {

// How the API server names the other manager in a conflict message (printManager in
// k8s.io/apiserver's fieldmanager): an applier by name only, an updater with its apiVersion.
QString conflictManager(const FieldConflict &conflict)
{
    QString text = u'"' + conflict.manager + u'"';
    if (!conflict.subresource.isEmpty())
        text += u" with subresource \""_s + conflict.subresource + u'"';
    if (conflict.operation == u"Apply")
        return text;
    return text + u" using "_s + conflict.apiVersion;
}

// The Status message of a 409 from apply (getConflictMessage): one conflict on one line; several
// grouped under each manager, managers in sorted order.
QString conflictMessage(const QList<FieldConflict> &conflicts)
{
    if (conflicts.size() == 1) {
        return u"Apply failed with 1 conflict: conflict with "_s + conflictManager(conflicts.first()) +
               u": "_s + conflicts.first().field;
    }
    std::map<QString, QStringList> fieldsByManager;
    for (const FieldConflict &c : conflicts)
        fieldsByManager[conflictManager(c)].append(c.field);
    QStringList lines;
    for (const auto &[manager, fields] : fieldsByManager) {
        lines << u"conflicts with "_s + manager + u':';
        for (const QString &field : fields)
            lines << u"- "_s + field;
    }
    return u"Apply failed with %1 conflicts: "_s.arg(conflicts.size()) + lines.join(u'\n');
}

bool parseBody(HttpExchange *exchange, QJsonObject *object)
{
    if (exchange->request().header("content-type").startsWith("application/vnd.kubernetes.protobuf")) {
        QString protobufError;
        if (decodeKubernetesProtobuf(exchange->request().body, object, &protobufError))
            return true;
        sendError(exchange, ApiError::unsupportedMediaType(protobufError));
        return false;
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(exchange->request().body, &error);
    if (!document.isObject()) {
        QJsonValue value;
        QString yamlError;
        // Some clients send YAML to create/update; the API server accepts it too.
        if (kube::yamlToJson(exchange->request().body, &value, &yamlError) && value.isObject()) {
            *object = value.toObject();
            return true;
        }
        sendError(exchange,
                  ApiError::badRequest(u"the request body is not a JSON object: "_s + error.errorString()));
        return false;
    }
    *object = document.object();
    return true;
}

QString randomSuffix()
{
    static const QString alphabet = u"bcdfghjklmnpqrstvwxz2456789"_s;
    QString suffix;
    for (int i = 0; i < 5; ++i)
        suffix += alphabet.at(QRandomGenerator::global()->bounded(alphabet.size()));
    return suffix;
}

QString defaultStorageClassName(const Store *store)
{
    for (const QJsonObject &sc : store->list(storageClassesType())) {
        if (metadataOf(sc)
                .value(u"annotations")
                .toObject()
                .value(u"storageclass.kubernetes.io/is-default-class")
                .toString() == u"true")
            return nameOf(sc);
    }
    return {};
}

} // namespace

void ApiServer::create(HttpExchange *exchange, const User &user, const Route &route)
{
    QJsonObject object;
    if (!parseBody(exchange, &object))
        return;
    QJsonObject metadata = metadataOf(object);
    if (route.type->namespaced) {
        const QString bodyNs = metadata.value(u"namespace").toString();
        if (!bodyNs.isEmpty() && bodyNs != route.ns) {
            sendError(exchange,
                      ApiError::badRequest(u"the namespace of the provided object does not match the "
                                           u"namespace sent on the request"_s));
            return;
        }
        metadata.insert(u"namespace"_s, route.ns);
        const std::optional<QJsonObject> ns = m_store->get(namespacesType(), QString(), route.ns);
        if (!ns) {
            sendError(exchange, ApiError::notFound(namespacesType(), route.ns));
            return;
        }
        if (metadataOf(*ns).contains(u"deletionTimestamp")) {
            sendError(exchange,
                      ApiError{403,
                               u"Forbidden"_s,
                               route.type->groupResource() + u" \""_s + metadata.value(u"name").toString() +
                                   u"\" is forbidden: unable to create new content in namespace "_s +
                                   route.ns + u" because it is being terminated"_s,
                               {}});
            return;
        }
    }
    if (metadata.value(u"name").toString().isEmpty() && !metadata.value(u"generateName").toString().isEmpty())
        metadata.insert(u"name"_s, QString(metadata.value(u"generateName").toString() + randomSuffix()));
    object.insert(u"metadata"_s, metadata);
    commit(exchange, user, route, nullptr, object, false);
}

void ApiServer::replace(HttpExchange *exchange, const User &user, const Route &route)
{
    QJsonObject object;
    if (!parseBody(exchange, &object))
        return;
    const std::optional<QJsonObject> current = m_store->get(*route.type, route.ns, route.name);
    if (!current) {
        sendError(exchange, ApiError::notFound(*route.type, route.name));
        return;
    }
    if (route.subresource == u"scale") {
        QJsonObject set = *current;
        setValueAt(set, u"spec.replicas"_s, valueAt(object, u"spec.replicas"_s));
        const QString version = metadataOf(object).value(u"resourceVersion").toString();
        setValueAt(set, u"metadata.resourceVersion"_s,
                   version.isEmpty() ? metadataOf(*current).value(u"resourceVersion").toString() : version);
        commit(exchange, user, route, &*current, set, false);
        return;
    }
    if (nameOf(object) != route.name) {
        sendError(exchange,
                  ApiError::badRequest(u"the name of the object ("_s + nameOf(object) +
                                       u") does not match the name on the URL ("_s + route.name + u')'));
        return;
    }
    commit(exchange, user, route, &*current, object, false);
}

void ApiServer::patch(HttpExchange *exchange, const User &user, const Route &route)
{
    const QByteArray contentType = exchange->request().header("content-type").split(';').first().trimmed();
    const std::optional<QJsonObject> current = m_store->get(*route.type, route.ns, route.name);
    const bool apply = contentType == "application/apply-patch+yaml";
    if (!current && (!apply || !route.subresource.isEmpty())) {
        sendError(exchange, ApiError::notFound(*route.type, route.name));
        return;
    }
    const bool scale = route.subresource == u"scale";
    const QJsonObject base = !current ? QJsonObject() : scale ? scaleOf(*current) : *current;
    const QByteArray &body = exchange->request().body;
    QJsonObject patched = base;
    QString error;
    if (contentType == "application/merge-patch+json") {
        patched = mergePatch(base, QJsonDocument::fromJson(body).object()).toObject();
    } else if (contentType == "application/json-patch+json") {
        QJsonValue document = base;
        if (!jsonPatch(document, QJsonDocument::fromJson(body).array(), &error)) {
            sendError(exchange, ApiError{422, u"Invalid"_s, error, {}});
            return;
        }
        patched = document.toObject();
    } else if (contentType == "application/strategic-merge-patch+json") {
        if (!strategicMergePatch(patched, QJsonDocument::fromJson(body).object(),
                                 scale ? u"Scale"_s : route.type->kind, &error)) {
            sendError(exchange, ApiError::badRequest(error));
            return;
        }
    } else if (apply) {
        const QString manager = exchange->request().queryValue(u"fieldManager"_s);
        if (manager.isEmpty()) {
            sendError(exchange, ApiError::badRequest(u"PATCH "_s + exchange->request().path +
                                                     u": fieldManager is required for apply requests"_s));
            return;
        }
        QJsonValue config;
        if (!kube::yamlToJson(body, &config, &error) || !config.isObject()) {
            sendError(exchange, ApiError::badRequest(
                                    error.isEmpty() ? u"the apply configuration is not an object"_s : error));
            return;
        }
        if (scale) {
            // Apply on the scale subresource: a Scale document whose spec.replicas is all that matters.
            patched = base;
            setValueAt(patched, u"spec.replicas"_s, valueAt(config.toObject(), u"spec.replicas"_s));
        } else {
            const QJsonObject applied = config.toObject();
            if (!nameOf(applied).isEmpty() && nameOf(applied) != route.name) {
                sendError(exchange, ApiError::badRequest(u"the name of the object ("_s + nameOf(applied) +
                                                         u") does not match the name on the URL ("_s +
                                                         route.name + u')'));
                return;
            }
            const bool force = exchange->request().queryValue(u"force"_s) == u"true";
            const ApplyOutcome outcome =
                serverSideApply(base, applied, route.type->kind, manager, force, Store::now());
            if (!outcome.ok) {
                if (outcome.conflicts.isEmpty()) {
                    sendError(exchange, ApiError::badRequest(outcome.error));
                    return;
                }
                QJsonArray causes;
                for (const FieldConflict &c : outcome.conflicts) {
                    causes.append(
                        QJsonObject{{u"reason"_s, u"FieldManagerConflict"_s},
                                    {u"message"_s, QString(u"conflict with "_s + conflictManager(c))},
                                    {u"field"_s, c.field}});
                }
                sendError(exchange, ApiError{409, u"Conflict"_s, conflictMessage(outcome.conflicts),
                                             QJsonObject{{u"causes"_s, causes}}});
                return;
            }
            QJsonObject object = outcome.object;
            if (route.type->namespaced)
                setValueAt(object, u"metadata.namespace"_s, route.ns);
            setValueAt(object, u"metadata.name"_s, route.name);
            commit(exchange, user, route, current ? &*current : nullptr, object, true);
            return;
        }
    } else {
        sendError(exchange, ApiError::unsupportedMediaType(QString::fromLatin1(contentType)));
        return;
    }
    if (scale) {
        QJsonObject set = *current;
        setValueAt(set, u"spec.replicas"_s, valueAt(patched, u"spec.replicas"_s));
        patched = set;
    }
    commit(exchange, user, route, &*current, patched, false);
}

void ApiServer::commit(HttpExchange *exchange, const User &user, const Route &route,
                       const QJsonObject *current, QJsonObject object, bool applied)
{
    Q_UNUSED(user);
    const ResourceType &type = *route.type;
    const bool statusOnly = route.subresource == u"status";
    if (current) {
        // The main resource never changes status, the status subresource changes nothing else.
        QJsonObject merged = statusOnly ? *current : object;
        merged.insert(u"status"_s, statusOnly ? object.value(u"status") : current->value(u"status"));
        if (merged.value(u"status").isUndefined())
            merged.remove(u"status"_s);
        if (statusOnly)
            setValueAt(merged, u"metadata.resourceVersion"_s, metadataOf(object).value(u"resourceVersion"));
        object = merged;
    } else {
        object.remove(u"status"_s);
    }
    if (type.namespaced)
        setValueAt(object, u"metadata.namespace"_s, route.ns);
    else
        removeValueAt(object, u"metadata.namespace"_s);
    if (!current && &type == &servicesType() && valueAt(object, u"spec.clusterIP"_s).toString().isEmpty()) {
        const QString ip = u"10.96.%1.%2"_s.arg(m_nextClusterIp / 250).arg(m_nextClusterIp % 250 + 1);
        ++m_nextClusterIp;
        setValueAt(object, u"spec.clusterIP"_s, ip);
        setValueAt(object, u"spec.clusterIPs"_s, QJsonArray{ip});
    } else if (!current && &type == &servicesType() &&
               valueAt(object, u"spec.clusterIP"_s).toString() == u"None") {
        setValueAt(object, u"spec.clusterIPs"_s, QJsonArray{u"None"_s});
    }
    applyDefaults(type, object, defaultStorageClassName(m_store));
    const ApiError invalid = validateObject(type, object, current);
    if (invalid.isError()) {
        sendError(exchange, invalid);
        return;
    }
    if (!applied) {
        object = recordUpdate(current ? *current : QJsonObject(), object, type.kind, fieldManagerOf(exchange),
                              route.subresource, Store::now());
    }
    const bool dryRun = isDryRun(exchange);
    const Store::Result result =
        current ? m_store->update(type, object, dryRun) : m_store->create(type, object, dryRun);
    if (!result.ok()) {
        sendError(exchange, result.error);
        return;
    }
    sendJson(exchange, current ? 200 : 201,
             route.subresource == u"scale" ? scaleOf(result.object) : result.object);
}

namespace {

DeleteOptions deleteOptionsOf(const HttpExchange *exchange)
{
    const HttpRequest &request = exchange->request();
    const QJsonObject body = QJsonDocument::fromJson(request.body).object();
    DeleteOptions options;
    options.propagationPolicy =
        body.value(u"propagationPolicy").toString(request.queryValue(u"propagationPolicy"_s));
    if (body.contains(u"gracePeriodSeconds"))
        options.gracePeriodSeconds = body.value(u"gracePeriodSeconds").toInteger();
    else if (!request.queryValue(u"gracePeriodSeconds"_s).isEmpty())
        options.gracePeriodSeconds = request.queryValue(u"gracePeriodSeconds"_s).toLongLong();
    const QJsonObject preconditions = body.value(u"preconditions").toObject();
    options.preconditionUid = preconditions.value(u"uid").toString();
    options.preconditionResourceVersion = preconditions.value(u"resourceVersion").toString();
    return options;
}

} // namespace

void ApiServer::removeOne(HttpExchange *exchange, const Route &route)
{
    const Store::Result result =
        m_store->remove(*route.type, route.ns, route.name, deleteOptionsOf(exchange), isDryRun(exchange));
    if (!result.ok()) {
        sendError(exchange, result.error);
        return;
    }
    sendJson(exchange, 200, result.object);
}

void ApiServer::removeCollection(HttpExchange *exchange, const Route &route)
{
    QString error;
    const LabelSelector labels =
        LabelSelector::parse(exchange->request().queryValue(u"labelSelector"_s), &error);
    const FieldSelector fields =
        FieldSelector::parse(exchange->request().queryValue(u"fieldSelector"_s), &error);
    if (!error.isEmpty()) {
        sendError(exchange, ApiError::badRequest(error));
        return;
    }
    const DeleteOptions options = deleteOptionsOf(exchange);
    QJsonArray deleted;
    for (const QJsonObject &object : m_store->list(*route.type, route.ns)) {
        if (!labels.matches(metadataOf(object).value(u"labels").toObject()) || !fields.matches(object))
            continue;
        const Store::Result result =
            m_store->remove(*route.type, namespaceOf(object), nameOf(object), options, isDryRun(exchange));
        if (result.ok())
            deleted.append(stripForList(result.object));
    }
    sendJson(exchange, 200,
             QJsonObject{{u"kind"_s, QString(route.type->kind + u"List"_s)},
                         {u"apiVersion"_s, route.type->apiVersion()},
                         {u"metadata"_s,
                          QJsonObject{{u"resourceVersion"_s, QString::number(m_store->resourceVersion())}}},
                         {u"items"_s, deleted}});
}

void ApiServer::serveControl(HttpExchange *exchange, const QStringList &parts)
{
    const QJsonObject body = QJsonDocument::fromJson(exchange->request().body).object();
    const QString action = parts.value(2);
    if (action == u"faults") {
        if (body.value(u"dropWatchStreams").toBool())
            emit dropWatchStreams();
        if (body.value(u"expireResourceVersions").toBool())
            m_store->compactHistory();
        if (body.contains(u"failRequests"))
            failNextRequests(body.value(u"failRequests").toInt(), body.value(u"failCode").toInt(500));
        if (body.contains(u"delayMs"))
            setResponseDelay(body.value(u"delayMs").toInt());
        emit podFaults(body);
        sendJson(exchange, 200,
                 QJsonObject{{u"ok"_s, true},
                             {u"resourceVersion"_s, QString::number(m_store->resourceVersion())}});
        return;
    }
    if (m_controlHandler && m_controlHandler(exchange, parts.mid(2), body))
        return;
    sendError(exchange, ApiError::pathNotFound());
}

} // namespace tdkube::sandbox
