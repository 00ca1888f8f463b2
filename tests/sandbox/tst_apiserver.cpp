// The sandbox's Kubernetes API as a client sees it: a Sandbox runs in-process and the test talks
// to it over real HTTPS (QNetworkAccessManager with the kubeconfig's admin certificate, its viewer
// token, or nothing), asserting status codes, Status objects, lists, watch streams and what the
// controller does with StatefulSets, namespaces and volumes.
#include "controller.h"
#include "delayledger.h"
#include "resources.h"
#include "sandbox.h"
#include "store.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;
using tdkube::sandbox::Controller;
using tdkube::sandbox::DelayLedger;
using tdkube::sandbox::EventType;
using tdkube::sandbox::Sandbox;
using tdkube::sandbox::SandboxOptions;
using tdkube::sandbox::Store;
using tdkube::sandbox::StoreEvent;

namespace {

constexpr int kRequestTimeoutMs = 10000;
constexpr int kControllerTimeoutMs = 15000;

// What the test needs from the kubeconfig the sandbox writes.
struct Credentials
{
    QByteArray caPem;
    QByteArray certificatePem;
    QByteArray keyPem;
    QString viewerToken;
};

// A line-based reader for the few `key: value` lines of interest (the kubeconfig has one of each).
Credentials readKubeconfig(const QString &path)
{
    Credentials credentials;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return credentials;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const QByteArray trimmed = line.trimmed();
        const qsizetype colon = trimmed.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray key = trimmed.left(colon);
        QByteArray value = trimmed.mid(colon + 1).trimmed();
        if (key == "certificate-authority-data")
            credentials.caPem = QByteArray::fromBase64(value);
        else if (key == "client-certificate-data")
            credentials.certificatePem = QByteArray::fromBase64(value);
        else if (key == "client-key-data")
            credentials.keyPem = QByteArray::fromBase64(value);
        else if (key == "token" && value.size() >= 2 && value.startsWith('"') && value.endsWith('"'))
            credentials.viewerToken = QString::fromUtf8(value.mid(1, value.size() - 2));
    }
    return credentials;
}

// The body of a DELETE that asks for `propagationPolicy`, as kubectl sends it.
QJsonObject deleteOptions(const QString &propagationPolicy)
{
    return QJsonObject{{u"kind"_s, u"DeleteOptions"_s},
                       {u"apiVersion"_s, u"v1"_s},
                       {u"propagationPolicy"_s, propagationPolicy}};
}

QJsonValue field(const QJsonObject &object, const QString &dottedPath)
{
    QJsonValue current = object;
    for (const QString &part : dottedPath.split(u'.'))
        current = current.toObject().value(part);
    return current;
}

QString nameOf(const QJsonObject &object)
{
    return field(object, u"metadata.name"_s).toString();
}

QString encoded(const QString &queryValue)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(queryValue));
}

struct Response
{
    int status = 0;
    QByteArray body;

    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString value(const QString &path) const { return field(json(), path).toString(); }
    // "HTTP kind reason code": one string to compare, so a failure shows everything at once.
    QString statusSummary() const
    {
        const QJsonObject object = json();
        return u"%1 %2 %3 %4"_s.arg(status)
            .arg(object.value(u"kind").toString(), object.value(u"reason").toString())
            .arg(object.value(u"code").toInt());
    }
    QStringList itemNames() const
    {
        QStringList names;
        for (const QJsonValue &item : json().value(u"items").toArray())
            names << nameOf(item.toObject());
        return names;
    }
};

// One streamed watch response: collects the newline-delimited events as chunks arrive.
class Watch
{
public:
    using Predicate = std::function<bool(const QJsonObject &object)>;

    explicit Watch(QNetworkReply *reply)
        : m_reply(reply)
    {
        QObject::connect(reply, &QIODevice::readyRead, &m_context, [this] { read(); });
        QObject::connect(reply, &QNetworkReply::finished, &m_context, [this] {
            read();
            m_finished = true;
        });
    }
    ~Watch()
    {
        QObject::disconnect(m_reply, nullptr, &m_context, nullptr);
        m_reply->abort();
        delete m_reply;
    }
    Q_DISABLE_COPY_MOVE(Watch)

    int status() const { return m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(); }
    bool isFinished() const { return m_finished; }
    QNetworkReply::NetworkError error() const { return m_reply->error(); }
    const QList<QJsonObject> &events() const { return m_events; }

    // The index of the first event of `type` about `name` (any object when empty) that satisfies
    // `predicate`, or -1.
    qsizetype indexOf(const QString &type, const QString &name, const Predicate &predicate = {}) const
    {
        for (qsizetype i = 0; i < m_events.size(); ++i) {
            const QJsonObject object = m_events.at(i).value(u"object").toObject();
            if (m_events.at(i).value(u"type").toString() == type &&
                (name.isEmpty() || nameOf(object) == name) && (!predicate || predicate(object)))
                return i;
        }
        return -1;
    }
    bool has(const QString &type, const QString &name, const Predicate &predicate = {}) const
    {
        return indexOf(type, name, predicate) >= 0;
    }
    // The event types seen for one object, in order.
    QStringList typesFor(const QString &name) const
    {
        QStringList types;
        for (const QJsonObject &event : m_events) {
            if (nameOf(event.value(u"object").toObject()) == name)
                types << event.value(u"type").toString();
        }
        return types;
    }

private:
    void read()
    {
        m_buffer += m_reply->readAll();
        for (qsizetype end = m_buffer.indexOf('\n'); end >= 0; end = m_buffer.indexOf('\n')) {
            const QByteArray line = m_buffer.left(end).trimmed();
            m_buffer.remove(0, end + 1);
            if (!line.isEmpty())
                m_events.append(QJsonDocument::fromJson(line).object());
        }
    }

    QNetworkReply *m_reply;
    QObject m_context;
    QByteArray m_buffer;
    QList<QJsonObject> m_events;
    bool m_finished = false;
};

enum class Auth { Admin, Viewer, None };

// Synchronous requests (a local event loop per request) and watches against one sandbox.
class Client
{
public:
    Client(const QString &server, const Credentials &credentials)
        : m_server(server)
        , m_viewerToken(credentials.viewerToken)
    {
        m_anonymousTls = QSslConfiguration::defaultConfiguration();
        m_anonymousTls.setCaCertificates({QSslCertificate(credentials.caPem, QSsl::Pem)});
        m_anonymousTls.setPeerVerifyMode(QSslSocket::VerifyPeer);
        m_adminTls = m_anonymousTls;
        m_adminTls.setLocalCertificate(QSslCertificate(credentials.certificatePem, QSsl::Pem));
        m_adminTls.setPrivateKey(QSslKey(credentials.keyPem, QSsl::Ec, QSsl::Pem));
    }

    Response send(const QByteArray &method, const QString &path, const QByteArray &body = {},
                  const QByteArray &contentType = {}, Auth auth = Auth::Admin)
    {
        // Connections are cached per host, not per TLS configuration: identities without the
        // client certificate use a manager of their own.
        QNetworkAccessManager &manager = auth == Auth::Admin ? m_admin : m_anonymous;
        const QNetworkRequest request = makeRequest(path, auth, contentType);
        const std::unique_ptr<QNetworkReply> reply(
            method == "GET" ? manager.get(request) : manager.sendCustomRequest(request, method, body));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        if (!finished.wait(kRequestTimeoutMs)) {
            qWarning("%s %s: no response", method.constData(), qPrintable(path));
            return {};
        }
        return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
    }
    Response get(const QString &path, Auth auth = Auth::Admin) { return send("GET", path, {}, {}, auth); }
    Response post(const QString &path, const QJsonObject &object, Auth auth = Auth::Admin)
    {
        return send("POST", path, QJsonDocument(object).toJson(), "application/json", auth);
    }
    Response put(const QString &path, const QJsonObject &object)
    {
        return send("PUT", path, QJsonDocument(object).toJson(), "application/json");
    }
    Response mergePatch(const QString &path, const QJsonObject &patch)
    {
        return send("PATCH", path, QJsonDocument(patch).toJson(), "application/merge-patch+json");
    }
    Response remove(const QString &path, const QJsonObject &options = {})
    {
        return send("DELETE", path, options.isEmpty() ? QByteArray() : QJsonDocument(options).toJson(),
                    options.isEmpty() ? QByteArray() : QByteArray("application/json"));
    }
    std::unique_ptr<Watch> watch(const QString &path)
    {
        return std::make_unique<Watch>(m_admin.get(makeRequest(path, Auth::Admin, {})));
    }

private:
    QNetworkRequest makeRequest(const QString &path, Auth auth, const QByteArray &contentType) const
    {
        QNetworkRequest request(QUrl(QString(m_server + path)));
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        request.setSslConfiguration(auth == Auth::Admin ? m_adminTls : m_anonymousTls);
        request.setRawHeader("Accept", "application/json");
        request.setRawHeader("User-Agent", "tst_apiserver/1.0");
        if (!contentType.isEmpty())
            request.setRawHeader("Content-Type", contentType);
        if (auth == Auth::Viewer)
            request.setRawHeader("Authorization", "Bearer " + m_viewerToken.toUtf8());
        return request;
    }

    QString m_server;
    QString m_viewerToken;
    QSslConfiguration m_adminTls;
    QSslConfiguration m_anonymousTls;
    QNetworkAccessManager m_admin;
    QNetworkAccessManager m_anonymous;
};

QJsonObject metadata(const QString &name, const QJsonObject &labels = {})
{
    QJsonObject object{{u"name"_s, name}};
    if (!labels.isEmpty())
        object.insert(u"labels"_s, labels);
    return object;
}

QJsonObject configMap(const QString &name, const QJsonObject &labels = {}, const QString &value = u"v"_s)
{
    return {{u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"ConfigMap"_s},
            {u"metadata"_s, metadata(name, labels)},
            {u"data"_s, QJsonObject{{u"key"_s, value}}}};
}

QJsonObject pod(const QString &name)
{
    const QJsonObject container{{u"name"_s, u"main"_s}, {u"image"_s, u"busybox:1.36"_s}};
    return {{u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"Pod"_s},
            {u"metadata"_s, metadata(name)},
            {u"spec"_s, QJsonObject{{u"containers"_s, QJsonArray{container}}}}};
}

// A StatefulSet `name` with one volumeClaimTemplate `data`; no selector when `withSelector` is false.
QJsonObject statefulSet(const QString &name, int replicas, const QString &whenScaled = {},
                        bool withSelector = true)
{
    const QJsonObject labels{{u"app"_s, name}};
    const QJsonObject container{{u"name"_s, u"main"_s}, {u"image"_s, u"busybox:1.36"_s}};
    const QJsonObject claimSpec{
        {u"accessModes"_s, QJsonArray{u"ReadWriteOnce"_s}},
        {u"resources"_s, QJsonObject{{u"requests"_s, QJsonObject{{u"storage"_s, u"1Gi"_s}}}}}};
    QJsonObject spec{
        {u"replicas"_s, replicas},
        {u"serviceName"_s, name},
        {u"template"_s, QJsonObject{{u"metadata"_s, QJsonObject{{u"labels"_s, labels}}},
                                    {u"spec"_s, QJsonObject{{u"containers"_s, QJsonArray{container}}}}}},
        {u"volumeClaimTemplates"_s,
         QJsonArray{QJsonObject{{u"metadata"_s, metadata(u"data"_s)}, {u"spec"_s, claimSpec}}}}};
    if (withSelector)
        spec.insert(u"selector"_s, QJsonObject{{u"matchLabels"_s, labels}});
    if (!whenScaled.isEmpty()) {
        spec.insert(u"persistentVolumeClaimRetentionPolicy"_s,
                    QJsonObject{{u"whenDeleted"_s, u"Retain"_s}, {u"whenScaled"_s, whenScaled}});
    }
    return {{u"apiVersion"_s, u"apps/v1"_s},
            {u"kind"_s, u"StatefulSet"_s},
            {u"metadata"_s, metadata(name)},
            {u"spec"_s, spec}};
}

QString configMaps(const QString &ns)
{
    return u"/api/v1/namespaces/"_s + ns + u"/configmaps"_s;
}

QString pods(const QString &ns)
{
    return u"/api/v1/namespaces/"_s + ns + u"/pods"_s;
}

QString claims(const QString &ns)
{
    return u"/api/v1/namespaces/"_s + ns + u"/persistentvolumeclaims"_s;
}

QString statefulSets(const QString &ns)
{
    return u"/apis/apps/v1/namespaces/"_s + ns + u"/statefulsets"_s;
}

QByteArray applyYaml(const QString &name, const QString &value)
{
    const QStringList lines{u"apiVersion: v1"_s,  u"kind: ConfigMap"_s, u"metadata:"_s,
                            u"  name: "_s + name, u"data:"_s,           u"  key: "_s + value};
    return lines.join(u'\n').toUtf8() + '\n';
}

} // namespace

class tst_ApiServer final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void watch_podCreatedPatchedDeleted_addedModifiedThenDeleted();
    void watch_labelSelector_objectLeavingIsDeletedAndReturningIsAdded();
    void watch_expiredResourceVersion_singleErrorEventWith410();
    void watch_dropWatchStreamsFault_endsOpenStreams();
    void watch_quietWithBookmarks_bookmarksUntilTimeout();
    void watch_churnControl_modifiedEventsAtTheRateThenStops();
    void list_limitAndContinue_pagesThroughEveryNameInOrder();
    void list_garbageContinueToken_badRequest();
    void list_fieldAndLabelSelectors_onlyMatchingItems();
    void errors_missingOrDuplicate_notFoundAndAlreadyExists();
    void errors_staleResourceVersion_conflict();
    void errors_wrongMethodOrPatchType_methodNotAllowedAndUnsupportedMediaType();
    void errors_statefulSetWithoutSelector_invalidNamingTheField();
    void errors_viewerWritesOrNoCredentials_forbiddenAndUnauthorized();
    void create_dryRunAll_returnsObjectWithoutStoringIt();
    void deleteCollection_labelSelector_removesOnlyMatching();
    void statefulSet_createScaleDelete_podsClaimsAndVolumesFollow();
    void statefulSet_whenScaledDelete_claimRemovedAfterScaleIn();
    void statefulSet_scaleIn_highestOrdinalGoesFirst();
    void statefulSet_foregroundDelete_waitsForItsPods();
    void statefulSet_orphanDelete_podsStayWithoutTheOwner();
    void namespace_delete_terminatesContentsThenGoes();
    void serverSideApply_secondManager_conflictsUntilForced();
    void delays_knownSequence_sumsPerKindAndOverlapsCountedOnce();
    void delays_podStartedAndDeleted_startupAndTerminationRecorded();
    void restart_sameDataDir_keepsObjectsAndVersionsGrow();

private:
    bool startSandbox();
    bool createNamespace(const QString &name);
    bool createConfigMap(const QString &ns, const QString &name, const QJsonObject &labels = {});
    int readyReplicas(const QString &ns, const QString &name);
    Response deleteReadyStatefulSet(const QString &ns, const QString &name, const QString &propagationPolicy);
    QJsonObject resetDelays();

    QTemporaryDir m_dir;
    std::unique_ptr<Sandbox> m_sandbox;
    std::unique_ptr<Client> m_client;
};

bool tst_ApiServer::startSandbox()
{
    SandboxOptions options;
    options.port = 0;
    options.kubeconfigPath = m_dir.filePath(u"kubeconfig"_s);
    options.dataDir = m_dir.filePath(u"data"_s);
    options.timeScale = 0.02;
    m_sandbox = std::make_unique<Sandbox>(options);
    QString error;
    if (!m_sandbox->start(&error)) {
        qWarning("the sandbox did not start: %s", qPrintable(error));
        return false;
    }
    const Credentials credentials = readKubeconfig(options.kubeconfigPath);
    if (credentials.caPem.isEmpty() || credentials.certificatePem.isEmpty() || credentials.keyPem.isEmpty() ||
        credentials.viewerToken.isEmpty()) {
        qWarning("the kubeconfig lacks the CA, the admin certificate or the viewer token");
        return false;
    }
    m_client = std::make_unique<Client>(m_sandbox->serverUrl(), credentials);
    return true;
}

bool tst_ApiServer::createNamespace(const QString &name)
{
    const Response response =
        m_client->post(u"/api/v1/namespaces"_s, QJsonObject{{u"metadata"_s, metadata(name)}});
    if (response.status != 201)
        qWarning("namespace %s: %d %s", qPrintable(name), response.status, response.body.constData());
    return response.status == 201;
}

bool tst_ApiServer::createConfigMap(const QString &ns, const QString &name, const QJsonObject &labels)
{
    const Response response = m_client->post(configMaps(ns), configMap(name, labels));
    if (response.status != 201)
        qWarning("configmap %s: %d %s", qPrintable(name), response.status, response.body.constData());
    return response.status == 201;
}

int tst_ApiServer::readyReplicas(const QString &ns, const QString &name)
{
    return field(m_client->get(statefulSets(ns) + u'/' + name).json(), u"status.readyReplicas"_s).toInt();
}

// Creates namespace `ns` with a StatefulSet of two pods, waits until both are ready and deletes it
// with `propagationPolicy`: the DELETE's answer.
Response tst_ApiServer::deleteReadyStatefulSet(const QString &ns, const QString &name,
                                               const QString &propagationPolicy)
{
    if (!createNamespace(ns) || m_client->post(statefulSets(ns), statefulSet(name, 2)).status != 201)
        return {};
    if (!QTest::qWaitFor([&] { return readyReplicas(ns, name) == 2; }, kControllerTimeoutMs))
        qWarning("StatefulSet %s/%s did not become ready", qPrintable(ns), qPrintable(name));
    return m_client->remove(statefulSets(ns) + u'/' + name, deleteOptions(propagationPolicy));
}

// Resets the delay counters once nothing the earlier tests started is still in progress (their pods
// would add to the figures); the report the reset answers with, or an empty object.
QJsonObject tst_ApiServer::resetDelays()
{
    QElapsedTimer clock;
    clock.start();
    while (m_client->get(u"/sandbox/v1/delays"_s).json().value(u"inProgress"_s).toInt() != 0) {
        if (clock.elapsed() > kControllerTimeoutMs)
            return {};
        QTest::qWait(20);
    }
    const Response reset = m_client->post(u"/sandbox/v1/delays"_s, QJsonObject{{u"reset"_s, true}});
    return reset.status == 200 ? reset.json() : QJsonObject();
}

void tst_ApiServer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(startSandbox());
    QCOMPARE(m_client->get(u"/version"_s).status, 200);
}

void tst_ApiServer::cleanupTestCase()
{
    m_client.reset();
    m_sandbox.reset();
}

void tst_ApiServer::watch_podCreatedPatchedDeleted_addedModifiedThenDeleted()
{
    QVERIFY(createNamespace(u"watch"_s));
    const Response list = m_client->get(pods(u"watch"_s));
    QCOMPARE(list.status, 200);
    QCOMPARE(list.value(u"kind"_s), u"PodList"_s);
    const QString version = list.value(u"metadata.resourceVersion"_s);
    QVERIFY(!version.isEmpty());
    const auto watch = m_client->watch(pods(u"watch"_s) +
                                       u"?watch=true&allowWatchBookmarks=true&resourceVersion="_s + version);
    QTRY_COMPARE(watch->status(), 200);

    QCOMPARE(m_client->post(pods(u"watch"_s), pod(u"w1"_s)).status, 201);
    QTRY_VERIFY(watch->has(u"ADDED"_s, u"w1"_s));
    // Deleting a scheduled pod is graceful: wait for the scheduler before patching and deleting.
    QTRY_VERIFY(watch->has(u"MODIFIED"_s, u"w1"_s, [](const QJsonObject &object) {
        return !field(object, u"spec.nodeName"_s).toString().isEmpty();
    }));
    const Response patched = m_client->mergePatch(
        pods(u"watch"_s) + u"/w1"_s,
        QJsonObject{{u"metadata"_s, QJsonObject{{u"labels"_s, QJsonObject{{u"color"_s, u"blue"_s}}}}}});
    QCOMPARE(patched.status, 200);
    QCOMPARE(patched.value(u"metadata.labels.color"_s), u"blue"_s);
    QTRY_VERIFY(watch->has(u"MODIFIED"_s, u"w1"_s, [](const QJsonObject &object) {
        return field(object, u"metadata.labels.color"_s).toString() == u"blue";
    }));

    const Response deleted = m_client->remove(pods(u"watch"_s) + u"/w1"_s);
    QCOMPARE(deleted.status, 200);
    QVERIFY(!deleted.value(u"metadata.deletionTimestamp"_s).isEmpty());
    QTRY_VERIFY(watch->has(u"DELETED"_s, u"w1"_s));
    const qsizetype marked = watch->indexOf(u"MODIFIED"_s, u"w1"_s, [](const QJsonObject &object) {
        return !field(object, u"metadata.deletionTimestamp"_s).toString().isEmpty();
    });
    QVERIFY(marked >= 0);
    QVERIFY(marked < watch->indexOf(u"DELETED"_s, u"w1"_s));
    QCOMPARE(watch->typesFor(u"w1"_s).first(), u"ADDED"_s);
    QCOMPARE(watch->typesFor(u"w1"_s).last(), u"DELETED"_s);
    QVERIFY(!watch->isFinished());
}

void tst_ApiServer::watch_labelSelector_objectLeavingIsDeletedAndReturningIsAdded()
{
    QVERIFY(createNamespace(u"selwatch"_s));
    const auto watch =
        m_client->watch(configMaps(u"selwatch"_s) + u"?watch=true&labelSelector="_s + encoded(u"app=x"_s));
    QTRY_COMPARE(watch->status(), 200);
    QVERIFY(createConfigMap(u"selwatch"_s, u"moving"_s, {{u"app"_s, u"x"_s}}));
    QVERIFY(createConfigMap(u"selwatch"_s, u"other"_s, {{u"app"_s, u"y"_s}}));
    QTRY_VERIFY(watch->has(u"ADDED"_s, u"moving"_s));

    const QString path = configMaps(u"selwatch"_s) + u"/moving"_s;
    const auto relabel = [&](const QString &app) {
        return m_client
            ->mergePatch(
                path, QJsonObject{{u"metadata"_s, QJsonObject{{u"labels"_s, QJsonObject{{u"app"_s, app}}}}}})
            .status;
    };
    QCOMPARE(relabel(u"y"_s), 200);
    QTRY_VERIFY(watch->has(u"DELETED"_s, u"moving"_s));
    QCOMPARE(relabel(u"x"_s), 200);
    QTRY_COMPARE(watch->typesFor(u"moving"_s), QStringList({u"ADDED"_s, u"DELETED"_s, u"ADDED"_s}));
    QVERIFY(watch->typesFor(u"other"_s).isEmpty());
}

void tst_ApiServer::watch_expiredResourceVersion_singleErrorEventWith410()
{
    QVERIFY(createNamespace(u"expire"_s));
    const QString oldVersion = m_client->get(configMaps(u"expire"_s)).value(u"metadata.resourceVersion"_s);
    QVERIFY(createConfigMap(u"expire"_s, u"newer"_s));
    const Response fault =
        m_client->post(u"/sandbox/v1/faults"_s, QJsonObject{{u"expireResourceVersions"_s, true}});
    QCOMPARE(fault.status, 200);

    const auto watch =
        m_client->watch(configMaps(u"expire"_s) + u"?watch=true&resourceVersion="_s + oldVersion);
    QTRY_VERIFY(watch->isFinished());
    QCOMPARE(watch->status(), 200);
    QCOMPARE(watch->error(), QNetworkReply::NoError);
    QCOMPARE(watch->events().size(), 1);
    const QJsonObject event = watch->events().first();
    QCOMPARE(event.value(u"type"_s).toString(), u"ERROR"_s);
    const QJsonObject status = event.value(u"object"_s).toObject();
    QCOMPARE(status.value(u"kind"_s).toString(), u"Status"_s);
    QCOMPARE(status.value(u"code"_s).toInt(), 410);
    QCOMPARE(status.value(u"reason"_s).toString(), u"Expired"_s);
    QVERIFY(status.value(u"message"_s).toString().startsWith(u"too old resource version: "_s + oldVersion));
}

void tst_ApiServer::watch_dropWatchStreamsFault_endsOpenStreams()
{
    QVERIFY(createNamespace(u"dropped"_s));
    const auto first = m_client->watch(configMaps(u"dropped"_s) + u"?watch=true"_s);
    const auto second = m_client->watch(pods(u"dropped"_s) + u"?watch=1"_s);
    QTRY_COMPARE(first->status(), 200);
    QTRY_COMPARE(second->status(), 200);
    QVERIFY(!first->isFinished());

    QCOMPARE(m_client->post(u"/sandbox/v1/faults"_s, QJsonObject{{u"dropWatchStreams"_s, true}}).status, 200);
    QTRY_VERIFY(first->isFinished());
    QTRY_VERIFY(second->isFinished());
    QCOMPARE(first->error(), QNetworkReply::NoError);
    QVERIFY(first->events().isEmpty());
}

void tst_ApiServer::watch_quietWithBookmarks_bookmarksUntilTimeout()
{
    QVERIFY(createNamespace(u"quiet"_s));
    const QString version = m_client->get(configMaps(u"quiet"_s)).value(u"metadata.resourceVersion"_s);
    QElapsedTimer elapsed;
    elapsed.start();
    // Bookmarks every max(1 s, 30 s * 0.02); the stream itself ends after timeoutSeconds.
    const auto bookmarked = m_client->watch(
        configMaps(u"quiet"_s) + u"?watch=true&allowWatchBookmarks=true&timeoutSeconds=2&resourceVersion="_s +
        version);
    const auto plain = m_client->watch(configMaps(u"quiet"_s) + u"?watch=true&timeoutSeconds=1"_s);

    QTRY_VERIFY(plain->isFinished());
    QVERIFY2(elapsed.elapsed() >= 900, qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(plain->status(), 200);
    QCOMPARE(plain->error(), QNetworkReply::NoError);
    QVERIFY(plain->events().isEmpty());

    QTRY_VERIFY(bookmarked->has(u"BOOKMARK"_s, {}));
    const QJsonObject bookmark = bookmarked->events().first().value(u"object"_s).toObject();
    QCOMPARE(bookmark.value(u"kind"_s).toString(), u"ConfigMap"_s);
    QVERIFY(field(bookmark, u"metadata.resourceVersion"_s).toString().toLongLong() >= version.toLongLong());
    QTRY_VERIFY(bookmarked->isFinished());
    QVERIFY2(elapsed.elapsed() >= 1900, qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(bookmarked->error(), QNetworkReply::NoError);
    for (const QJsonObject &event : bookmarked->events())
        QCOMPARE(event.value(u"type"_s).toString(), u"BOOKMARK"_s);
}

void tst_ApiServer::watch_churnControl_modifiedEventsAtTheRateThenStops()
{
    QCOMPARE(
        m_client->post(u"/sandbox/v1/preload"_s, QJsonObject{{u"pods"_s, 5}, {u"namespace"_s, u"churn"_s}})
            .status,
        200);
    const Response list = m_client->get(pods(u"churn"_s));
    const QStringList names = list.itemNames();
    QCOMPARE(names.size(), 5);
    const QString version = list.value(u"metadata.resourceVersion"_s);
    const auto watch = m_client->watch(pods(u"churn"_s) + u"?watch=true&resourceVersion="_s + version);
    QTRY_COMPARE(watch->status(), 200);

    const auto churned = [](const QJsonObject &object) {
        return field(object, u"metadata.annotations"_s).toObject().contains(u"sandbox.tdkube.io/churn"_s);
    };
    QCOMPARE(
        m_client
            ->post(u"/sandbox/v1/churn"_s,
                   QJsonObject{{u"namespace"_s, u"churn"_s}, {u"eventsPerSecond"_s, 200}, {u"seconds"_s, 60}})
            .status,
        200);
    // Round-robin: at 200 events/s every one of the five pods is modified within a second.
    QTRY_VERIFY(watch->events().size() >= 20);
    for (const QJsonObject &event : watch->events()) {
        QCOMPARE(event.value(u"type"_s).toString(), u"MODIFIED"_s);
        QVERIFY(churned(event.value(u"object"_s).toObject()));
    }
    for (const QString &name : names)
        QVERIFY2(watch->has(u"MODIFIED"_s, name, churned), qPrintable(name));

    QCOMPARE(m_client->post(u"/sandbox/v1/churn"_s, QJsonObject{{u"eventsPerSecond"_s, 0}}).status, 200);
    QTest::qWait(100); // events already sent may still arrive
    const qsizetype stopped = watch->events().size();
    QTest::qWait(300);
    QCOMPARE(watch->events().size(), stopped);
    QCOMPARE(m_client
                 ->post(u"/sandbox/v1/churn"_s,
                        QJsonObject{{u"namespace"_s, u"nothing-here"_s}, {u"eventsPerSecond"_s, 10}})
                 .status,
             404);
}

void tst_ApiServer::list_limitAndContinue_pagesThroughEveryNameInOrder()
{
    QVERIFY(createNamespace(u"pages"_s));
    QStringList expected;
    for (int i = 0; i < 25; ++i) {
        expected << u"cm-%1"_s.arg(i, 2, 10, QChar(u'0'));
        QVERIFY(createConfigMap(u"pages"_s, expected.last()));
    }
    QStringList names;
    QStringList versions;
    QString token;
    int pages = 0;
    do {
        const Response page = m_client->get(configMaps(u"pages"_s) + u"?limit=10"_s +
                                            (token.isEmpty() ? QString() : u"&continue="_s + encoded(token)));
        QCOMPARE(page.status, 200);
        QVERIFY(page.itemNames().size() <= 10);
        names += page.itemNames();
        versions << page.value(u"metadata.resourceVersion"_s);
        token = page.value(u"metadata.continue"_s);
        QVERIFY(++pages <= 3);
    } while (!token.isEmpty());
    QCOMPARE(pages, 3);
    QCOMPARE(names, expected);
    QCOMPARE(versions.size(), 3);
    QVERIFY(!versions.first().isEmpty());
    QCOMPARE(versions.count(versions.first()), 3);
}

void tst_ApiServer::list_garbageContinueToken_badRequest()
{
    const Response response = m_client->get(configMaps(u"default"_s) + u"?limit=10&continue=garbage!!"_s);
    QCOMPARE(response.statusSummary(), u"400 Status BadRequest 400"_s);
    QVERIFY(response.value(u"message"_s).contains(u"continue"_s));
}

void tst_ApiServer::list_fieldAndLabelSelectors_onlyMatchingItems()
{
    QVERIFY(createNamespace(u"selectors"_s));
    QVERIFY(createConfigMap(u"selectors"_s, u"alpha"_s, {{u"a"_s, u"b"_s}}));
    QVERIFY(createConfigMap(u"selectors"_s, u"beta"_s, {{u"a"_s, u"c"_s}}));
    QVERIFY(createConfigMap(u"selectors"_s, u"gamma"_s, {{u"a"_s, u"x"_s}}));
    QVERIFY(createConfigMap(u"selectors"_s, u"delta"_s));
    const auto names = [&](const QString &parameter, const QString &selector) {
        const Response response =
            m_client->get(configMaps(u"selectors"_s) + u'?' + parameter + u'=' + encoded(selector));
        return response.status == 200 ? response.itemNames() : QStringList{QString::number(response.status)};
    };
    QCOMPARE(names(u"fieldSelector"_s, u"metadata.name=beta"_s), QStringList{u"beta"_s});
    QCOMPARE(names(u"labelSelector"_s, u"a=b"_s), QStringList{u"alpha"_s});
    QCOMPARE(names(u"labelSelector"_s, u"a!=b"_s), QStringList({u"beta"_s, u"delta"_s, u"gamma"_s}));
    QCOMPARE(names(u"labelSelector"_s, u"a in (x,y)"_s), QStringList{u"gamma"_s});
    QCOMPARE(names(u"labelSelector"_s, u"!a"_s), QStringList{u"delta"_s});
}

void tst_ApiServer::errors_missingOrDuplicate_notFoundAndAlreadyExists()
{
    QVERIFY(createNamespace(u"errors"_s));
    const Response missing = m_client->get(configMaps(u"errors"_s) + u"/nope"_s);
    QCOMPARE(missing.statusSummary(), u"404 Status NotFound 404"_s);
    QCOMPARE(missing.value(u"message"_s), u"configmaps \"nope\" not found"_s);

    QVERIFY(createConfigMap(u"errors"_s, u"dup"_s));
    const Response duplicate = m_client->post(configMaps(u"errors"_s), configMap(u"dup"_s));
    QCOMPARE(duplicate.statusSummary(), u"409 Status AlreadyExists 409"_s);
    QCOMPARE(duplicate.value(u"message"_s), u"configmaps \"dup\" already exists"_s);

    const Response noNamespace = m_client->post(configMaps(u"x"_s), configMap(u"orphan"_s));
    QCOMPARE(noNamespace.statusSummary(), u"404 Status NotFound 404"_s);
    QCOMPARE(noNamespace.value(u"message"_s), u"namespaces \"x\" not found"_s);
}

void tst_ApiServer::errors_staleResourceVersion_conflict()
{
    QVERIFY(createNamespace(u"stale"_s));
    const Response created = m_client->post(configMaps(u"stale"_s), configMap(u"cm"_s));
    QCOMPARE(created.status, 201);
    const QJsonObject original = created.json();
    QJsonObject first = original;
    first.insert(u"data"_s, QJsonObject{{u"key"_s, u"first"_s}});
    const Response updated = m_client->put(configMaps(u"stale"_s) + u"/cm"_s, first);
    QCOMPARE(updated.status, 200);
    QVERIFY(updated.value(u"metadata.resourceVersion"_s) != created.value(u"metadata.resourceVersion"_s));

    QJsonObject second = original; // still carries the old resourceVersion
    second.insert(u"data"_s, QJsonObject{{u"key"_s, u"second"_s}});
    const Response conflict = m_client->put(configMaps(u"stale"_s) + u"/cm"_s, second);
    QCOMPARE(conflict.statusSummary(), u"409 Status Conflict 409"_s);
    QVERIFY(conflict.value(u"message"_s).contains(u"the object has been modified"_s));
    QCOMPARE(m_client->get(configMaps(u"stale"_s) + u"/cm"_s).value(u"data.key"_s), u"first"_s);
}

void tst_ApiServer::errors_wrongMethodOrPatchType_methodNotAllowedAndUnsupportedMediaType()
{
    const Response onCollection = m_client->send(
        "PUT", configMaps(u"default"_s), QJsonDocument(configMap(u"c"_s)).toJson(), "application/json");
    QCOMPARE(onCollection.statusSummary(), u"405 Status MethodNotAllowed 405"_s);

    QVERIFY(createConfigMap(u"default"_s, u"patch-me"_s));
    const Response patch =
        m_client->send("PATCH", configMaps(u"default"_s) + u"/patch-me"_s, "data: {}", "text/plain");
    QCOMPARE(patch.statusSummary(), u"415 Status UnsupportedMediaType 415"_s);
}

void tst_ApiServer::errors_statefulSetWithoutSelector_invalidNamingTheField()
{
    const Response response =
        m_client->post(statefulSets(u"default"_s), statefulSet(u"broken"_s, 1, {}, /*withSelector=*/false));
    QCOMPARE(response.statusSummary(), u"422 Status Invalid 422"_s);
    const QJsonObject cause = field(response.json(), u"details.causes"_s).toArray().first().toObject();
    QCOMPARE(cause.value(u"field"_s).toString(), u"spec.selector"_s);
    QCOMPARE(cause.value(u"reason"_s).toString(), u"FieldValueRequired"_s);
    QVERIFY(response.value(u"message"_s).contains(u"is invalid: spec.selector: Required value"_s));
    QCOMPARE(m_client->get(statefulSets(u"default"_s) + u"/broken"_s).status, 404);
}

void tst_ApiServer::errors_viewerWritesOrNoCredentials_forbiddenAndUnauthorized()
{
    QCOMPARE(m_client->get(configMaps(u"default"_s), Auth::Viewer).status, 200);
    const Response forbidden = m_client->post(configMaps(u"default"_s), configMap(u"viewer"_s), Auth::Viewer);
    QCOMPARE(forbidden.statusSummary(), u"403 Status Forbidden 403"_s);
    QVERIFY2(
        forbidden.value(u"message"_s)
            .contains(u"User \"sandbox-viewer\" cannot create resource \"configmaps\" in API group \"\""_s),
        qPrintable(forbidden.value(u"message"_s)));
    QCOMPARE(m_client->get(configMaps(u"default"_s) + u"/viewer"_s).status, 404);
    // Namespace-scoped: no list of namespaces, no reads across all namespaces.
    const Response namespaces = m_client->get(u"/api/v1/namespaces"_s, Auth::Viewer);
    QCOMPARE(namespaces.statusSummary(), u"403 Status Forbidden 403"_s);
    QCOMPARE(
        namespaces.value(u"message"_s),
        u"namespaces is forbidden: User \"sandbox-viewer\" cannot list resource \"namespaces\" in API group "
        "\"\" at the cluster scope"_s);
    QCOMPARE(m_client->get(u"/api/v1/configmaps"_s, Auth::Viewer).status, 403);
    QCOMPARE(m_client->get(u"/api/v1/namespaces/default"_s, Auth::Viewer).status, 200);

    const Response anonymous = m_client->get(configMaps(u"default"_s), Auth::None);
    QCOMPARE(anonymous.statusSummary(), u"401 Status Unauthorized 401"_s);
}

void tst_ApiServer::create_dryRunAll_returnsObjectWithoutStoringIt()
{
    QVERIFY(createNamespace(u"dryrun"_s));
    const Response response =
        m_client->post(configMaps(u"dryrun"_s) + u"?dryRun=All"_s, configMap(u"ghost"_s));
    QCOMPARE(response.status, 201);
    QCOMPARE(response.value(u"kind"_s), u"ConfigMap"_s);
    QCOMPARE(response.value(u"metadata.name"_s), u"ghost"_s);
    QCOMPARE(response.value(u"data.key"_s), u"v"_s);
    QCOMPARE(m_client->get(configMaps(u"dryrun"_s) + u"/ghost"_s).status, 404);
    QVERIFY(m_client->get(configMaps(u"dryrun"_s)).itemNames().isEmpty());
}

void tst_ApiServer::deleteCollection_labelSelector_removesOnlyMatching()
{
    QVERIFY(createNamespace(u"collection"_s));
    QVERIFY(createConfigMap(u"collection"_s, u"keep"_s, {{u"tier"_s, u"web"_s}}));
    QVERIFY(createConfigMap(u"collection"_s, u"drop-1"_s, {{u"tier"_s, u"cache"_s}}));
    QVERIFY(createConfigMap(u"collection"_s, u"drop-2"_s, {{u"tier"_s, u"cache"_s}}));
    const Response response =
        m_client->remove(configMaps(u"collection"_s) + u"?labelSelector="_s + encoded(u"tier=cache"_s));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.itemNames(), QStringList({u"drop-1"_s, u"drop-2"_s}));
    QCOMPARE(m_client->get(configMaps(u"collection"_s)).itemNames(), QStringList{u"keep"_s});
}

void tst_ApiServer::statefulSet_createScaleDelete_podsClaimsAndVolumesFollow()
{
    QVERIFY(createNamespace(u"sts"_s));
    const Response created = m_client->post(statefulSets(u"sts"_s), statefulSet(u"web"_s, 2));
    QCOMPARE(created.status, 201);
    QTRY_COMPARE_WITH_TIMEOUT(readyReplicas(u"sts"_s, u"web"_s), 2, kControllerTimeoutMs);

    const QString reclaimPolicy =
        m_client->get(u"/apis/storage.k8s.io/v1/storageclasses/standard"_s).value(u"reclaimPolicy"_s);
    QVERIFY(!reclaimPolicy.isEmpty());
    for (const QString &ordinal : {u"0"_s, u"1"_s}) {
        const QJsonObject pod = m_client->get(pods(u"sts"_s) + u"/web-"_s + ordinal).json();
        const QJsonObject owner = field(pod, u"metadata.ownerReferences"_s).toArray().first().toObject();
        QCOMPARE(owner.value(u"kind"_s).toString(), u"StatefulSet"_s);
        QCOMPARE(owner.value(u"name"_s).toString(), u"web"_s);
        QCOMPARE(owner.value(u"uid"_s).toString(), created.value(u"metadata.uid"_s));
        QVERIFY(owner.value(u"controller"_s).toBool());
        const Response claim = m_client->get(claims(u"sts"_s) + u"/data-web-"_s + ordinal);
        QCOMPARE(claim.value(u"status.phase"_s), u"Bound"_s);
        const Response volume =
            m_client->get(u"/api/v1/persistentvolumes/"_s + claim.value(u"spec.volumeName"_s));
        QCOMPARE(volume.status, 200);
        QCOMPARE(volume.value(u"spec.persistentVolumeReclaimPolicy"_s), reclaimPolicy);
        QCOMPARE(volume.value(u"spec.claimRef.name"_s), u"data-web-"_s + ordinal);
    }

    const Response scale = m_client->mergePatch(statefulSets(u"sts"_s) + u"/web/scale"_s,
                                                QJsonObject{{u"spec"_s, QJsonObject{{u"replicas"_s, 1}}}});
    QCOMPARE(scale.status, 200);
    QCOMPARE(scale.value(u"kind"_s), u"Scale"_s);
    QCOMPARE(scale.value(u"apiVersion"_s), u"autoscaling/v1"_s);
    QCOMPARE(field(scale.json(), u"spec.replicas"_s).toInt(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_client->get(pods(u"sts"_s) + u"/web-1"_s).status, 404, kControllerTimeoutMs);
    QCOMPARE(m_client->get(claims(u"sts"_s) + u"/data-web-1"_s).value(u"status.phase"_s), u"Bound"_s);
    QCOMPARE(m_client->get(pods(u"sts"_s) + u"/web-0"_s).status, 200);

    const Response deleted =
        m_client->remove(statefulSets(u"sts"_s) + u"/web"_s, deleteOptions(u"Background"_s));
    QCOMPARE(deleted.status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(m_client->get(pods(u"sts"_s) + u"/web-0"_s).status, 404, kControllerTimeoutMs);
    QCOMPARE(m_client->get(statefulSets(u"sts"_s) + u"/web"_s).status, 404);
}

void tst_ApiServer::statefulSet_whenScaledDelete_claimRemovedAfterScaleIn()
{
    QVERIFY(createNamespace(u"sts-delete"_s));
    QCOMPARE(m_client->post(statefulSets(u"sts-delete"_s), statefulSet(u"tmp"_s, 2, u"Delete"_s)).status,
             201);
    QTRY_COMPARE_WITH_TIMEOUT(readyReplicas(u"sts-delete"_s, u"tmp"_s), 2, kControllerTimeoutMs);
    QCOMPARE(m_client->get(claims(u"sts-delete"_s) + u"/data-tmp-1"_s).value(u"status.phase"_s), u"Bound"_s);

    const Response scale = m_client->mergePatch(statefulSets(u"sts-delete"_s) + u"/tmp/scale"_s,
                                                QJsonObject{{u"spec"_s, QJsonObject{{u"replicas"_s, 1}}}});
    QCOMPARE(scale.status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(m_client->get(pods(u"sts-delete"_s) + u"/tmp-1"_s).status, 404,
                              kControllerTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_client->get(claims(u"sts-delete"_s) + u"/data-tmp-1"_s).status, 404,
                              kControllerTimeoutMs);
    QCOMPARE(m_client->get(claims(u"sts-delete"_s) + u"/data-tmp-0"_s).value(u"status.phase"_s), u"Bound"_s);
}

void tst_ApiServer::statefulSet_scaleIn_highestOrdinalGoesFirst()
{
    QVERIFY(createNamespace(u"sts-order"_s));
    QCOMPARE(m_client->post(statefulSets(u"sts-order"_s), statefulSet(u"rev"_s, 3)).status, 201);
    QTRY_COMPARE_WITH_TIMEOUT(readyReplicas(u"sts-order"_s, u"rev"_s), 3, kControllerTimeoutMs);
    QStringList deleted;
    QStringList presentWhenDeleted; // the pods still there when each one went
    const QMetaObject::Connection watching =
        connect(m_sandbox->store(), &Store::changed, this, [&](const StoreEvent &event) {
            if (event.type != EventType::Deleted || event.resource != &tdkube::sandbox::podsType() ||
                tdkube::sandbox::namespaceOf(event.object) != u"sts-order")
                return;
            deleted.append(tdkube::sandbox::nameOf(event.object));
            QStringList present;
            for (const QJsonObject &pod :
                 m_sandbox->store()->list(tdkube::sandbox::podsType(), u"sts-order"_s))
                present.append(tdkube::sandbox::nameOf(pod));
            presentWhenDeleted.append(present.join(u','));
        });
    const Response scale = m_client->mergePatch(statefulSets(u"sts-order"_s) + u"/rev/scale"_s,
                                                QJsonObject{{u"spec"_s, QJsonObject{{u"replicas"_s, 1}}}});
    QCOMPARE(scale.status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(deleted.size(), 2, kControllerTimeoutMs);
    disconnect(watching);
    QCOMPARE(deleted, (QStringList{u"rev-2"_s, u"rev-1"_s}));
    // One at a time: rev-1 was still there, untouched, when rev-2 went.
    QCOMPARE(presentWhenDeleted.first(), u"rev-0,rev-1"_s);
    QCOMPARE(m_client->get(pods(u"sts-order"_s) + u"/rev-0"_s).status, 200);
}

void tst_ApiServer::statefulSet_foregroundDelete_waitsForItsPods()
{
    const Response deleted = deleteReadyStatefulSet(u"sts-fg"_s, u"fg"_s, u"Foreground"_s);
    QCOMPARE(deleted.status, 200);
    // The owner is still there, marked, with the finalizer that waits for its dependents.
    QVERIFY(!deleted.value(u"metadata.deletionTimestamp"_s).isEmpty());
    QCOMPARE(field(deleted.json(), u"metadata.finalizers"_s).toArray(), QJsonArray{u"foregroundDeletion"_s});
    QCOMPARE(m_client->get(statefulSets(u"sts-fg"_s) + u"/fg"_s).status, 200);
    // It goes only once its pods are gone.
    QTRY_COMPARE_WITH_TIMEOUT(m_client->get(statefulSets(u"sts-fg"_s) + u"/fg"_s).status, 404,
                              kControllerTimeoutMs);
    QCOMPARE(m_client->get(pods(u"sts-fg"_s) + u"/fg-0"_s).status, 404);
    QCOMPARE(m_client->get(pods(u"sts-fg"_s) + u"/fg-1"_s).status, 404);
    // A foreground delete of an object without dependents is immediate.
    QVERIFY(createConfigMap(u"sts-fg"_s, u"alone"_s));
    QCOMPARE(m_client->remove(configMaps(u"sts-fg"_s) + u"/alone"_s, deleteOptions(u"Foreground"_s)).status,
             200);
    QCOMPARE(m_client->get(configMaps(u"sts-fg"_s) + u"/alone"_s).status, 404);
}

void tst_ApiServer::statefulSet_orphanDelete_podsStayWithoutTheOwner()
{
    const Response deleted = deleteReadyStatefulSet(u"sts-orphan"_s, u"keep"_s, u"Orphan"_s);
    QCOMPARE(deleted.status, 200);
    QCOMPARE(m_client->get(statefulSets(u"sts-orphan"_s) + u"/keep"_s).status, 404);
    for (const QString &pod : {u"keep-0"_s, u"keep-1"_s}) {
        QTRY_VERIFY_WITH_TIMEOUT(
            !field(m_client->get(pods(u"sts-orphan"_s) + u'/' + pod).json(), u"metadata"_s)
                 .toObject()
                 .contains(u"ownerReferences"_s),
            kControllerTimeoutMs);
        QCOMPARE(m_client->get(pods(u"sts-orphan"_s) + u'/' + pod).value(u"status.phase"_s), u"Running"_s);
    }
    QTest::qWait(200); // the controller leaves them alone: nothing owns them now
    QCOMPARE(m_client->get(pods(u"sts-orphan"_s) + u"/keep-0"_s).status, 200);
}

void tst_ApiServer::namespace_delete_terminatesContentsThenGoes()
{
    QVERIFY(createNamespace(u"doomed"_s));
    QVERIFY(createConfigMap(u"doomed"_s, u"content"_s));
    QCOMPARE(m_client->post(pods(u"doomed"_s), pod(u"runner"_s)).status, 201);
    QTRY_VERIFY(!m_client->get(pods(u"doomed"_s) + u"/runner"_s).value(u"spec.nodeName"_s).isEmpty());

    const Response deleted = m_client->remove(u"/api/v1/namespaces/doomed"_s);
    QCOMPARE(deleted.status, 200);
    QCOMPARE(deleted.value(u"status.phase"_s), u"Terminating"_s);
    QVERIFY(!deleted.value(u"metadata.deletionTimestamp"_s).isEmpty());
    const Response refused = m_client->post(configMaps(u"doomed"_s), configMap(u"late"_s));
    QVERIFY(refused.status == 403 || refused.status == 404);

    QTRY_COMPARE_WITH_TIMEOUT(m_client->get(u"/api/v1/namespaces/doomed"_s).status, 404,
                              kControllerTimeoutMs);
    QCOMPARE(m_client->get(configMaps(u"doomed"_s) + u"/content"_s).status, 404);
    QCOMPARE(m_client->get(pods(u"doomed"_s) + u"/runner"_s).status, 404);
}

void tst_ApiServer::serverSideApply_secondManager_conflictsUntilForced()
{
    QVERIFY(createNamespace(u"ssa"_s));
    const QString path = configMaps(u"ssa"_s) + u"/applied"_s;
    const QByteArray apply = "application/apply-patch+yaml";
    const Response created =
        m_client->send("PATCH", path + u"?fieldManager=a"_s, applyYaml(u"applied"_s, u"one"_s), apply);
    QCOMPARE(created.status, 201);
    QCOMPARE(created.value(u"data.key"_s), u"one"_s);
    const QJsonObject managed =
        field(created.json(), u"metadata.managedFields"_s).toArray().first().toObject();
    QCOMPARE(managed.value(u"manager"_s).toString(), u"a"_s);
    QCOMPARE(managed.value(u"operation"_s).toString(), u"Apply"_s);

    const Response conflict =
        m_client->send("PATCH", path + u"?fieldManager=b"_s, applyYaml(u"applied"_s, u"two"_s), apply);
    QCOMPARE(conflict.statusSummary(), u"409 Status Conflict 409"_s);
    const QJsonObject cause = field(conflict.json(), u"details.causes"_s).toArray().first().toObject();
    QCOMPARE(cause.value(u"reason"_s).toString(), u"FieldManagerConflict"_s);
    QVERIFY2(cause.value(u"field"_s).toString().contains(u"key"_s),
             qPrintable(cause.value(u"field"_s).toString()));
    QCOMPARE(m_client->get(path).value(u"data.key"_s), u"one"_s);

    const Response forced = m_client->send("PATCH", path + u"?fieldManager=b&force=true"_s,
                                           applyYaml(u"applied"_s, u"two"_s), apply);
    QCOMPARE(forced.status, 200);
    QCOMPARE(forced.value(u"data.key"_s), u"two"_s);

    const Response noManager = m_client->send("PATCH", path, applyYaml(u"applied"_s, u"three"_s), apply);
    QCOMPARE(noManager.statusSummary(), u"400 Status BadRequest 400"_s);
    QVERIFY(noManager.value(u"message"_s).contains(u"fieldManager is required"_s));
}

void tst_ApiServer::delays_knownSequence_sumsPerKindAndOverlapsCountedOnce()
{
    const QJsonObject reset = resetDelays();
    QCOMPARE(reset.value(u"busyMs"_s).toInteger(-1), 0);
    const qint64 t = reset.value(u"sinceMs"_s).toInteger();
    QVERIFY(t > 0);
    DelayLedger *ledger = m_sandbox->delays();
    using Kind = DelayLedger::Kind;
    const auto record = [&](Kind kind, qint64 fromMs, qint64 toMs) {
        ledger->close(ledger->open(kind, t + fromMs), t + toMs);
    };
    // A pod starting [0, 2500) while a drop dnode moves vnodes [1000, 2500) and [2500, 4000); a pod
    // terminating [3000, 4000) inside the second move; after a gap, one balance step [6000, 6300).
    record(Kind::PodStartup, 0, 2500);
    record(Kind::DropDnode, 1000, 2500);
    record(Kind::DropDnode, 2500, 4000);
    record(Kind::PodTermination, 3000, 4000);
    record(Kind::BalanceVgroup, 6000, 6300);

    const Response response = m_client->get(u"/sandbox/v1/delays"_s);
    QCOMPARE(response.status, 200);
    const QJsonObject report = response.json();
    QCOMPARE(report.value(u"busyMs"_s).toInteger(), 4300); // [0, 4000) and [6000, 6300)
    QCOMPARE(report.value(u"inProgress"_s).toInt(), 0);
    const QJsonObject kinds = report.value(u"kinds"_s).toObject();
    const auto sum = [&kinds](const QString &kind) {
        const QJsonObject entry = kinds.value(kind).toObject();
        return u"%1 ms in %2"_s.arg(entry.value(u"ms"_s).toInteger()).arg(entry.value(u"count"_s).toInt());
    };
    QCOMPARE(sum(u"podStartup"_s), u"2500 ms in 1"_s);
    QCOMPARE(sum(u"dropDnode"_s), u"3000 ms in 2"_s);
    QCOMPARE(sum(u"podTermination"_s), u"1000 ms in 1"_s);
    QCOMPARE(sum(u"balanceVgroup"_s), u"300 ms in 1"_s);
    QCOMPARE(sum(u"statusTimeout"_s), u"0 ms in 0"_s);

    // A reset forgets what completed; a delay in progress counts from the reset to now, then to its end.
    const DelayLedger::Id running = ledger->open(Kind::PodTermination, t);
    const QJsonObject again = m_client->post(u"/sandbox/v1/delays"_s, QJsonObject{{u"reset"_s, true}}).json();
    const qint64 since = again.value(u"sinceMs"_s).toInteger();
    QCOMPARE(again.value(u"inProgress"_s).toInt(), 1);
    QCOMPARE(again.value(u"busyMs"_s).toInteger(), again.value(u"nowMs"_s).toInteger() - since);
    QCOMPARE(again.value(u"kinds"_s).toObject().value(u"dropDnode"_s).toObject().value(u"count"_s).toInt(),
             0);
    ledger->close(running, since + 700);
    const QJsonObject closed = m_client->get(u"/sandbox/v1/delays"_s).json();
    QCOMPARE(closed.value(u"busyMs"_s).toInteger(), 700);
    QCOMPARE(closed.value(u"inProgress"_s).toInt(), 0);
}

void tst_ApiServer::delays_podStartedAndDeleted_startupAndTerminationRecorded()
{
    QVERIFY(createNamespace(u"delays"_s));
    QVERIFY(!resetDelays().isEmpty());
    QCOMPARE(m_client->post(pods(u"delays"_s), pod(u"timed"_s)).status, 201);
    const auto isReady = [this] {
        const QJsonArray statuses =
            field(m_client->get(pods(u"delays"_s) + u"/timed"_s).json(), u"status.containerStatuses"_s)
                .toArray();
        return !statuses.isEmpty() && statuses.first().toObject().value(u"ready"_s).toBool();
    };
    QTRY_VERIFY_WITH_TIMEOUT(isReady(), kControllerTimeoutMs);
    QCOMPARE(m_client->remove(pods(u"delays"_s) + u"/timed"_s).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(m_client->get(pods(u"delays"_s) + u"/timed"_s).status, 404,
                              kControllerTimeoutMs);

    const QJsonObject report = m_client->get(u"/sandbox/v1/delays"_s).json();
    const QJsonObject kinds = report.value(u"kinds"_s).toObject();
    const QJsonObject startup = kinds.value(u"podStartup"_s).toObject();
    const QJsonObject termination = kinds.value(u"podTermination"_s).toObject();
    QCOMPARE(startup.value(u"count"_s).toInt(), 1);
    QCOMPARE(termination.value(u"count"_s).toInt(), 1);
    // At the test's time scale of 0.02: start-up 2500 ms -> 50 ms, termination 1000 ms -> 20 ms.
    const qint64 startupMs = startup.value(u"ms"_s).toInteger();
    const qint64 terminationMs = termination.value(u"ms"_s).toInteger();
    QVERIFY2(startupMs >= Controller::kStartupMs / 50, qPrintable(QString::number(startupMs)));
    QVERIFY2(terminationMs >= Controller::kTerminationMs / 50, qPrintable(QString::number(terminationMs)));
    // The pod was Ready before it was deleted: the two do not overlap.
    QCOMPARE(report.value(u"busyMs"_s).toInteger(), startupMs + terminationMs);
    QCOMPARE(report.value(u"inProgress"_s).toInt(), 0);
}

void tst_ApiServer::restart_sameDataDir_keepsObjectsAndVersionsGrow()
{
    QVERIFY(createNamespace(u"persist"_s));
    const Response created = m_client->post(configMaps(u"persist"_s), configMap(u"kept"_s));
    QCOMPARE(created.status, 201);
    const qint64 versionBefore =
        m_client->get(configMaps(u"persist"_s)).value(u"metadata.resourceVersion"_s).toLongLong();
    QVERIFY(versionBefore > 0);

    m_client.reset();
    m_sandbox.reset();
    QVERIFY(startSandbox());

    const Response kept = m_client->get(configMaps(u"persist"_s) + u"/kept"_s);
    QCOMPARE(kept.status, 200);
    QCOMPARE(kept.value(u"metadata.uid"_s), created.value(u"metadata.uid"_s));
    QCOMPARE(kept.value(u"data.key"_s), u"v"_s);
    const Response patched = m_client->mergePatch(configMaps(u"persist"_s) + u"/kept"_s,
                                                  QJsonObject{{u"data"_s, QJsonObject{{u"key"_s, u"w"_s}}}});
    QCOMPARE(patched.status, 200);
    QVERIFY2(patched.value(u"metadata.resourceVersion"_s).toLongLong() > versionBefore,
             qPrintable(patched.value(u"metadata.resourceVersion"_s)));
}

QTEST_GUILESS_MAIN(tst_ApiServer)

#include "tst_apiserver.moc"
