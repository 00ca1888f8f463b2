#include "sandbox.h"

#include "apiserver.h"
#include "certs.h"
#include "controller.h"
#include "fieldmanager.h"
#include "httpserver.h"
#include "kube/yamljson.h"
#include "kubeconfigwriter.h"
#include "podendpoints.h"
#include "podstreams.h"
#include "realtaosd.h"
#include "resources.h"
#include "sandboxruntime.h"
#include "store.h"
#include "tdengine/cluster.h"
#include "validation.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QSocketNotifier>
#include <QSslCertificate>
#include <QSslKey>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_signalPipe[1], &byte, 1);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        *error = u"cannot write "_s + path + u": "_s + file.errorString();
        return false;
    }
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

QString randomToken(const QString &prefix)
{
    QByteArray bytes(24, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    return prefix + QString::fromLatin1(
                        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

Sandbox::Sandbox(SandboxOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_store(std::make_unique<Store>())
    , m_runtime(std::make_unique<SandboxRuntime>(m_store.get(), m_options.timeScale))
{
    m_saveTimer.setSingleShot(true);
    m_saveTimer.setInterval(200);
    connect(&m_saveTimer, &QTimer::timeout, this, &Sandbox::save);
    m_churnTimer.setTimerType(Qt::PreciseTimer);
    m_churnTimer.setInterval(10);
    connect(&m_churnTimer, &QTimer::timeout, this, &Sandbox::churnTick);
    m_runtime->setDelayLedger(&m_delays);
}

Sandbox::~Sandbox()
{
    save();
}

QString Sandbox::serverUrl() const
{
    return u"https://127.0.0.1:"_s + QString::number(m_http ? m_http->port() : 0);
}

bool Sandbox::setUpCertificates(QString *error)
{
    const QString caCert = m_options.dataDir.isEmpty() ? QString() : m_options.dataDir + u"/ca.crt"_s;
    const QString caKey = m_options.dataDir.isEmpty() ? QString() : m_options.dataDir + u"/ca.key"_s;
    if (!caCert.isEmpty() && QFile::exists(caCert)) {
        m_ca = std::make_unique<CertificateAuthority>(
            CertificateAuthority::load(readFile(caCert), readFile(caKey), error));
        if (!m_ca->isValid()) {
            *error = u"cannot load the sandbox CA from "_s + m_options.dataDir + u": "_s + *error +
                     u" (delete ca.crt and ca.key there to make a new one)"_s;
            return false;
        }
    } else {
        m_ca = std::make_unique<CertificateAuthority>(
            CertificateAuthority::create(u"tdkube-sandbox-ca"_s, error));
        if (!m_ca->isValid())
            return false;
        if (!caCert.isEmpty() &&
            (!writeFile(caCert, m_ca->certificatePem(), error) || !writeFile(caKey, m_ca->keyPem(), error)))
            return false;
    }
    const CertificateAuthority::Issued server =
        m_ca->issueServer(u"tdkube-sandbox"_s, {u"localhost"_s, u"kubernetes"_s, u"kubernetes.default.svc"_s},
                          {u"127.0.0.1"_s}, error);
    const CertificateAuthority::Issued admin =
        m_ca->issueClient(u"sandbox-admin"_s, {u"system:masters"_s}, error);
    if (server.certificatePem.isEmpty() || admin.certificatePem.isEmpty())
        return false;
    m_serverCertificatePem = server.certificatePem;
    m_serverKeyPem = server.keyPem;
    m_adminCertificatePem = admin.certificatePem;
    m_adminKeyPem = admin.keyPem;
    return true;
}

bool Sandbox::setUpTokens(QString *error)
{
    const QString path = m_options.dataDir.isEmpty() ? QString() : m_options.dataDir + u"/tokens.json"_s;
    const QJsonObject saved =
        path.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(readFile(path)).object();
    m_viewerToken = saved.value(u"viewer").toString(randomToken(u"viewer-"_s));
    m_execToken = saved.value(u"exec").toString(randomToken(u"exec-"_s));
    m_operatorToken = saved.value(u"operator").toString(randomToken(u"operator-"_s));
    if (!path.isEmpty()) {
        const QJsonObject tokens{
            {u"viewer"_s, m_viewerToken}, {u"exec"_s, m_execToken}, {u"operator"_s, m_operatorToken}};
        if (!writeFile(path, QJsonDocument(tokens).toJson(), error))
            return false;
    }
    return true;
}

bool Sandbox::loadState(QString *error)
{
    if (m_options.dataDir.isEmpty())
        return true;
    const QString path = m_options.dataDir + u"/state.json"_s;
    if (QFile::exists(path) && !m_store->deserialize(readFile(path), error)) {
        *error = path + u": "_s + *error;
        return false;
    }
    const QString tdengine = m_options.dataDir + u"/tdengine.json"_s;
    if (QFile::exists(tdengine) &&
        !m_runtime->load(QJsonDocument::fromJson(readFile(tdengine)).object(), error)) {
        *error = tdengine + u": "_s + *error;
        return false;
    }
    return true;
}

void Sandbox::save()
{
    if (m_options.dataDir.isEmpty())
        return;
    QString error;
    if (!writeFile(m_options.dataDir + u"/state.json"_s, m_store->serialize(), &error) ||
        !writeFile(m_options.dataDir + u"/tdengine.json"_s,
                   QJsonDocument(m_runtime->save()).toJson(QJsonDocument::Compact), &error))
        qWarning("tdkube-sandbox: %s", qPrintable(error));
}

void Sandbox::logRequest(const HttpExchange &exchange)
{
    if (!m_accessLog.isOpen())
        return;
    const HttpRequest &request = exchange.request();
    const QByteArray line = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toLatin1() + ' ' +
                            request.method + ' ' + request.target + ' ' +
                            QByteArray::number(exchange.status()) + ' ' + exchange.user().toUtf8() + " \"" +
                            request.header("user-agent") + "\"\n";
    m_accessLog.write(line);
    m_accessLog.flush();
}

bool Sandbox::deployDemo(QString *error)
{
    const QString ns = u"tdengine-test"_s;
    if (m_store->get(namespacesType(), {}, ns))
        return true;
    QJsonObject namespaceObject{{u"metadata"_s, QJsonObject{{u"name"_s, ns}}}};
    applyDefaults(namespacesType(), namespaceObject, {});
    m_store->create(namespacesType(), namespaceObject);
    QDir dir(m_options.manifestsDir);
    const QStringList files = dir.entryList({u"*.yaml"_s, u"*.yml"_s}, QDir::Files, QDir::Name);
    if (files.isEmpty()) {
        *error = u"--demo: no manifests found in "_s + dir.absolutePath() + u" (use --manifests DIR)"_s;
        return false;
    }
    for (const QString &file : files) {
        QList<QJsonValue> documents;
        if (!kube::yamlDocumentsToJson(readFile(dir.filePath(file)), &documents, error)) {
            *error = dir.filePath(file) + u": "_s + *error;
            return false;
        }
        for (const QJsonValue &value : std::as_const(documents)) {
            QJsonObject object = value.toObject();
            const ResourceType *type =
                findResourceByKind(object.value(u"apiVersion").toString(), object.value(u"kind").toString());
            if (!type)
                continue;
            setValueAt(object, u"metadata.namespace"_s, ns);
            applyDefaults(*type, object, u"standard"_s);
            object = recordUpdate({}, object, type->kind, u"tdkube-sandbox"_s, {}, Store::now());
            m_store->create(*type, object);
        }
    }
    if (!m_runtime->realTaosd()) // the simulator's data; a real taosd starts empty
        seedDemoData();
    return true;
}

void Sandbox::seedDemoData()
{
    // Once the three dnodes serve, do what the seed document does by hand: mnodes on dnodes 2
    // and 3, a replica-3 database with rows.
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, [this, timer] {
        tdengine::Cluster *cluster = m_runtime->cluster(u"tdengine-test"_s, u"tdengine"_s);
        if (!cluster)
            return;
        for (int i = 0; i < 3; ++i) {
            if (!cluster->isServing(u"tdengine-%1.taosd.tdengine-test.svc.cluster.local:6030"_s.arg(i)))
                return;
        }
        timer->deleteLater();
        const QStringList statements{
            u"create mnode on dnode 2"_s,
            u"create mnode on dnode 3"_s,
            u"create database if not exists test replica 3 vgroups 4"_s,
            u"create stable if not exists test.meters (ts timestamp, current float, voltage int, phase "
            u"float) "
            u"tags (groupid int, location varchar(24))"_s,
            u"insert into test.d1001 using test.meters tags (2, 'California.SanFrancisco') values "
            u"(now - 3s, 10.3, 219, 0.31) (now - 2s, 12.6, 218, 0.33) (now - 1s, 12.3, 221, 0.31)"_s,
            u"insert into test.d1002 using test.meters tags (3, 'California.LosAngeles') values "
            u"(now - 3s, 10.8, 223, 0.29) (now - 2s, 11.2, 220, 0.30)"_s,
            u"insert into test.d1003 using test.meters tags (2, 'California.SanDiego') values "
            u"(now - 3s, 9.9, 222, 0.28) (now - 2s, 10.1, 219, 0.32) (now - 1s, 10.4, 220, 0.30)"_s,
        };
        for (const QString &sql : statements) {
            cluster->execute(sql, {}, {}, [sql](const tdengine::Result &result) {
                if (!result.ok())
                    qWarning("tdkube-sandbox: demo: %s: %s", qPrintable(sql), qPrintable(result.desc));
            });
        }
    });
    timer->start(int(std::max(20.0, 200 * m_options.timeScale)));
}

bool Sandbox::serveSubresource(HttpExchange *exchange, const ApiServer::SubresourceRequest &request)
{
    if (request.subresource == u"proxy") {
        serveProxy(exchange, m_store.get(), m_runtime.get(), request.type == &servicesType(), request.ns,
                   request.name);
        return true;
    }
    const std::optional<QJsonObject> pod = m_store->get(podsType(), request.ns, request.name);
    if (!pod) {
        exchange->respond(404, "application/json",
                          QJsonDocument(ApiError::notFound(podsType(), request.name).toStatus()).toJson());
        return true;
    }
    if (request.subresource == u"log")
        serveLog(exchange, m_store.get(), m_runtime.get(), *pod);
    else if (request.subresource == u"exec")
        serveExec(exchange, *pod, m_runtime.get());
    else if (request.subresource == u"portforward")
        servePortForward(exchange, *pod, m_runtime.get());
    else
        return false;
    return true;
}

bool Sandbox::serveControl(HttpExchange *exchange, const QStringList &path, const QJsonObject &body)
{
    // /sandbox/v1/pods/{ns}/{name}/crash, /sandbox/v1/nodes/{name}/ready {"ready":false},
    // /sandbox/v1/preload {"pods":5000,"namespace":"bench"},
    // /sandbox/v1/churn {"namespace":"bench","eventsPerSecond":2000,"seconds":10} (0 events stops it)
    // /sandbox/v1/delays: GET reports the simulated delays, POST {"reset":true} starts counting anew
    // /sandbox/v1/audit: GET the pods' and claims' lifecycle, POST {"reset":true} forgets it
    if (path.size() == 1 && path.at(0) == u"delays") {
        serveDelays(exchange, body);
        return true;
    }
    if (path.size() == 1 && path.at(0) == u"audit") {
        serveAudit(exchange, body);
        return true;
    }
    bool done = false;
    if (path.size() == 4 && path.at(0) == u"pods" && path.at(3) == u"crash") {
        done = m_controller->crashContainer(path.at(1), path.at(2));
    } else if (path.size() == 3 && path.at(0) == u"nodes" && path.at(2) == u"ready") {
        done = m_controller->setNodeReady(path.at(1), body.value(u"ready").toBool(true));
    } else if (path.size() == 1 && path.at(0) == u"preload") {
        preload(body.value(u"pods").toInt(), body.value(u"namespace").toString(u"bench"_s));
        done = true;
    } else if (path.size() == 1 && path.at(0) == u"churn") {
        done = startChurn(body.value(u"namespace").toString(u"bench"_s),
                          body.value(u"eventsPerSecond").toInt(), body.value(u"seconds").toInt(10));
    } else {
        return false;
    }
    exchange->respond(done ? 200 : 404, "application/json",
                      done ? "{\"ok\":true}\n"
                           : "{\"ok\":false,\"message\":\"no such pod, node or pods in that namespace\"}\n");
    return true;
}

void Sandbox::serveDelays(HttpExchange *exchange, const QJsonObject &body)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (exchange->request().method == "POST" && body.value(u"reset").toBool())
        m_delays.reset(now);
    exchange->respond(200, "application/json", QJsonDocument(m_delays.report(now)).toJson());
}

void Sandbox::recordAudit(const StoreEvent &event)
{
    const bool pod = event.resource == &podsType();
    if (!pod && event.resource != &pvcsType())
        return;
    QString what;
    if (event.type == EventType::Added) {
        what = u"ADDED"_s;
    } else if (event.type == EventType::Deleted) {
        what = u"DELETED"_s;
    } else {
        // Only the moment it is marked for deletion: a pod that is terminating still runs.
        const bool marked = metadataOf(event.object).contains(u"deletionTimestamp");
        if (!marked || metadataOf(event.previous).contains(u"deletionTimestamp"))
            return;
        what = u"TERMINATING"_s;
    }
    constexpr qsizetype kAuditLimit = 200000;
    if (m_audit.size() >= kAuditLimit)
        m_audit.removeFirst();
    m_audit.append(QJsonObject{{u"resourceVersion"_s, QString::number(event.resourceVersion)},
                               {u"ms"_s, QDateTime::currentMSecsSinceEpoch()},
                               {u"type"_s, what},
                               {u"kind"_s, pod ? u"Pod"_s : u"PersistentVolumeClaim"_s},
                               {u"namespace"_s, namespaceOf(event.object)},
                               {u"name"_s, nameOf(event.object)},
                               {u"uid"_s, uidOf(event.object)}});
}

void Sandbox::serveAudit(HttpExchange *exchange, const QJsonObject &body)
{
    if (exchange->request().method == "POST" && body.value(u"reset"_s).toBool())
        m_audit = {};
    const QString ns = exchange->request().queryValue(u"namespace"_s);
    QJsonArray events;
    for (const QJsonValue &event : std::as_const(m_audit)) {
        if (ns.isEmpty() || event.toObject().value(u"namespace"_s).toString() == ns)
            events.append(event);
    }
    exchange->respond(200, "application/json", QJsonDocument(QJsonObject{{u"events"_s, events}}).toJson());
}

void Sandbox::preload(int pods, const QString &ns)
{
    // Plain pods and claims with no controller, for benchmarks: many objects, little churn.
    if (!m_store->get(namespacesType(), {}, ns)) {
        QJsonObject object{{u"metadata"_s, QJsonObject{{u"name"_s, ns}}}};
        applyDefaults(namespacesType(), object, {});
        m_store->create(namespacesType(), object);
    }
    const int start = m_store->count(podsType());
    for (int i = start; i < start + pods; ++i) {
        const QString name = u"bench-%1"_s.arg(i, 6, 10, QLatin1Char('0'));
        QJsonObject pvc{
            {u"metadata"_s, QJsonObject{{u"name"_s, name},
                                        {u"namespace"_s, ns},
                                        {u"labels"_s, QJsonObject{{u"app"_s, u"bench"_s}}}}},
            {u"spec"_s, QJsonObject{{u"accessModes"_s, QJsonArray{u"ReadWriteOnce"_s}},
                                    {u"storageClassName"_s, u"standard"_s},
                                    {u"resources"_s,
                                     QJsonObject{{u"requests"_s, QJsonObject{{u"storage"_s, u"1Gi"_s}}}}}}},
            {u"status"_s, QJsonObject{{u"phase"_s, u"Bound"_s}}}};
        m_store->create(pvcsType(), pvc);
        QJsonObject pod{
            {u"metadata"_s,
             QJsonObject{{u"name"_s, name},
                         {u"namespace"_s, ns},
                         {u"labels"_s, QJsonObject{{u"app"_s, u"bench"_s}}},
                         {u"annotations"_s, QJsonObject{{Controller::kStaticAnnotation, u"true"_s}}}}},
            {u"spec"_s,
             QJsonObject{{u"nodeName"_s, u"sandbox-node-%1"_s.arg(i % 3 + 1)},
                         {u"containers"_s,
                          QJsonArray{QJsonObject{{u"name"_s, u"app"_s}, {u"image"_s, u"busybox:1.36"_s}}}}}},
            {u"status"_s, QJsonObject{{u"phase"_s, u"Running"_s}}}};
        applyDefaults(podsType(), pod, {});
        m_store->create(podsType(), pod);
    }
}

bool Sandbox::startChurn(const QString &ns, int eventsPerSecond, int seconds)
{
    m_churnTimer.stop();
    m_churn = {};
    if (eventsPerSecond <= 0)
        return true;
    for (const QJsonObject &pod : m_store->list(podsType(), ns))
        m_churn.names.append(pod.value(u"metadata").toObject().value(u"name").toString());
    if (m_churn.names.isEmpty())
        return false;
    m_churn.ns = ns;
    m_churn.eventsPerSecond = eventsPerSecond;
    m_churn.durationMs = qint64(std::max(1, seconds)) * 1000;
    m_churn.clock.start();
    m_churnTimer.start();
    return true;
}

void Sandbox::churnTick()
{
    // Catch up with the clock rather than count ticks: a late tick must not lower the rate.
    const qint64 elapsed = std::min(m_churn.clock.elapsed(), m_churn.durationMs);
    const qint64 due = m_churn.eventsPerSecond * elapsed / 1000;
    for (; m_churn.done < due; ++m_churn.done) {
        const QString &name = m_churn.names.at(m_churn.done % m_churn.names.size());
        std::optional<QJsonObject> pod = m_store->get(podsType(), m_churn.ns, name);
        if (!pod)
            continue;
        QJsonObject metadata = pod->value(u"metadata").toObject();
        QJsonObject annotations = metadata.value(u"annotations").toObject();
        annotations.insert(u"sandbox.tdkube.io/churn"_s, QString::number(m_churn.done));
        metadata.insert(u"annotations"_s, annotations);
        pod->insert(u"metadata"_s, metadata);
        m_store->update(podsType(), *pod);
    }
    if (elapsed >= m_churn.durationMs)
        m_churnTimer.stop();
}

bool Sandbox::start(QString *error)
{
    if (!m_options.dataDir.isEmpty() && !QDir().mkpath(m_options.dataDir)) {
        *error = u"cannot create the data directory "_s + m_options.dataDir;
        return false;
    }
    if (!setUpCertificates(error) || !setUpTokens(error) || !loadState(error))
        return false;
    if (!m_options.taosdDir.isEmpty()) {
        QString workDir = m_options.dataDir + u"/taosd"_s;
        if (m_options.dataDir.isEmpty()) {
            m_taosdWorkDir = std::make_unique<QTemporaryDir>();
            workDir = m_taosdWorkDir->path();
        }
        if (!m_runtime->useRealTaosd(QDir(m_options.taosdDir).absolutePath(), workDir, error))
            return false;
    }
    if (!m_options.accessLogPath.isEmpty()) {
        m_accessLog.setFileName(m_options.accessLogPath);
        if (!m_accessLog.open(QIODevice::WriteOnly | QIODevice::Append)) {
            *error = u"cannot open the access log "_s + m_options.accessLogPath + u": "_s +
                     m_accessLog.errorString();
            return false;
        }
    }
    m_controller = std::make_unique<Controller>(m_store.get(), m_options.timeScale);
    m_controller->setRuntime(m_runtime.get());
    m_controller->setDelayLedger(&m_delays);
    m_controller->bootstrap();
    if (m_options.demo && !deployDemo(error))
        return false;

    m_api = std::make_unique<ApiServer>(m_store.get(), m_ca.get());
    m_api->setTimeScale(m_options.timeScale);
    m_api->addToken(m_viewerToken, User{u"sandbox-viewer"_s, {u"system:authenticated"_s}, true, {}});
    m_api->addToken(m_execToken,
                    User{u"sandbox-exec"_s, {u"system:masters"_s, u"system:authenticated"_s}, false, {}});
    // Runs operations on TDengine clusters but may not write ConfigMaps (so not tdkube's records of
    // them). Not in the kubeconfig: tests build its settings from tokens.json.
    m_api->addToken(m_operatorToken,
                    User{u"sandbox-operator"_s, {u"system:authenticated"_s}, false, {u"configmaps"_s}});
    m_api->setExtraHandler(
        [this](HttpExchange *exchange, const User &, const ApiServer::SubresourceRequest &request) {
            return serveSubresource(exchange, request);
        });
    m_api->setControlHandler([this](HttpExchange *exchange, const QStringList &path,
                                    const QJsonObject &body) { return serveControl(exchange, path, body); });
    connect(m_api.get(), &ApiServer::podFaults, this, [this](const QJsonObject &body) {
        if (body.contains(u"cutShortResults"))
            m_runtime->cutShortResults(body.value(u"cutShortResults").toInt(),
                                       body.value(u"keepRows").toInt(), body.value(u"matching").toString());
        // Every connection cut (port-forwards, execs, watches, idle keep-alives), as a network
        // outage or an API server restart does; after the answer to this request has gone out.
        if (body.value(u"dropConnections").toBool())
            QTimer::singleShot(50, m_http.get(), [this] { m_http->dropConnections(); });
    });

    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificate(QSslCertificate(m_serverCertificatePem, QSsl::Pem));
    tls.setPrivateKey(QSslKey(m_serverKeyPem, QSsl::Ec, QSsl::Pem));
    tls.setCaCertificates({QSslCertificate(m_ca->certificatePem(), QSsl::Pem)});
    tls.setPeerVerifyMode(QSslSocket::QueryPeer);
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    m_http = std::make_unique<HttpServer>();
    m_http->setHandler([this](HttpExchange *exchange) { m_api->handle(exchange); });
    m_http->setLogger([this](const HttpExchange &exchange) { logRequest(exchange); });
    if (!m_http->listen(QHostAddress::LocalHost, m_options.port, tls, error)) {
        *error = u"cannot listen on 127.0.0.1:"_s + QString::number(m_options.port) + u": "_s + *error;
        return false;
    }
    m_api->setServerAddress(u"127.0.0.1:"_s + QString::number(m_http->port()));

    const QString kubeconfigDir = QFileInfo(m_options.kubeconfigPath).absolutePath();
    QDir().mkpath(kubeconfigDir);
    const QString plugin = QFileInfo(m_options.kubeconfigPath).absoluteFilePath() + u".exec-plugin.sh"_s;
    if (!writeExecPlugin(plugin, m_execToken, 3600, error))
        return false;
    KubeconfigSpec spec;
    spec.server = serverUrl();
    spec.caPem = m_ca->certificatePem();
    spec.adminCertPem = m_adminCertificatePem;
    spec.adminKeyPem = m_adminKeyPem;
    spec.viewerToken = m_viewerToken;
    spec.execPluginPath = plugin;
    if (!writeKubeconfig(m_options.kubeconfigPath, spec, error))
        return false;

    const auto scheduleSave = [this] {
        if (!m_options.dataDir.isEmpty() && !m_saveTimer.isActive())
            m_saveTimer.start();
    };
    connect(m_store.get(), &Store::changed, this, scheduleSave);
    connect(m_store.get(), &Store::changed, this, &Sandbox::recordAudit);
    connect(m_runtime.get(), &SandboxRuntime::changed, this, scheduleSave);
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) == 0) {
        auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, this);
        connect(notifier, &QSocketNotifier::activated, this, [this] {
            save();
            QCoreApplication::quit();
        });
        std::signal(SIGTERM, onSignal);
        std::signal(SIGINT, onSignal);
    }
    save();
    return true;
}

} // namespace tdkube::sandbox
