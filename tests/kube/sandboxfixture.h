// A sandbox API server started in-process for the kube tests, and ConnectionSettings built from the
// kubeconfig it writes (there is no kubeconfig loader here: the few lines are read directly).
#pragma once

#include "kube/connection.h"
#include "kube/kubeclient.h"
#include "kube/kubeconfig.h"
#include "kube/portforward.h"
#include "kube/yamljson.h"
#include "sandbox.h"
#include "taos/restclient.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>
#include <signal.h>
#include <sys/prctl.h>

namespace tdkube::kube::test {

using namespace Qt::StringLiterals;

constexpr int kWaitMs = 10000;

// The TDengine build that tests run real taosd from: $TDKUBE_REAL_TAOSD (packaging/test.sh builds it
// from ../shared/tdengine), else $TDKUBE_TAOSD (the sandbox's own variable); empty when neither is set.
// A run on the older TDengine (CTest's NAME_realtaosd_3_0, TDKUBE_TEST_ON_TAOSD_3_0=1) takes
// $TDKUBE_REAL_TAOSD_3_0 instead.
inline QString realTaosdDir()
{
    if (qEnvironmentVariableIntValue("TDKUBE_TEST_ON_TAOSD_3_0") == 1)
        return qEnvironmentVariable("TDKUBE_REAL_TAOSD_3_0");
    const QString dir = qEnvironmentVariable("TDKUBE_REAL_TAOSD");
    return dir.isEmpty() ? qEnvironmentVariable("TDKUBE_TAOSD") : dir;
}

// The test programs run twice by CTest, on the simulator and on real taosd: true in the second run
// (CTest sets TDKUBE_TEST_ON_REAL_TAOSD=1; tests/CMakeLists.txt, tdkube_add_real_taosd_run).
inline bool onRealTaosd()
{
    return qEnvironmentVariableIntValue("TDKUBE_TEST_ON_REAL_TAOSD") == 1;
}

// A process a test starts (a sandbox, a tdkube) is killed when the test program ends, whichever way: a
// sandbox left behind would keep its ports and data, and CTest's output pipe, so that CTest waited for
// it until its timeout after a test that had already failed.
inline void endWithTheTest(QProcess *process)
{
    process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
}

// Starts the tdkube-sandbox binary `program` in `process` for tests that run the real tdkube binary:
// its state in `dir`/sandbox, its kubeconfig at `dir`/kubeconfig, time scaled by 0.02, and real taosd
// from `taosdDir` behind the TDengine pods when that is set. Returns a client of `context` once the
// kubeconfig is written, or null with `error` set.
inline std::unique_ptr<KubeClient> startSandboxProcess(QProcess *process, const QString &program,
                                                       const QString &dir, const QString &taosdDir,
                                                       const QString &context, QString *error)
{
    QStringList arguments{u"--port"_s,           u"0"_s,
                          u"--kubeconfig-out"_s, dir + u"/kubeconfig"_s,
                          u"--data-dir"_s,       dir + u"/sandbox"_s,
                          u"--time-scale"_s,     u"0.02"_s};
    if (!taosdDir.isEmpty())
        arguments << u"--taosd"_s << taosdDir;
    process->setProgram(program);
    process->setArguments(arguments);
    endWithTheTest(process);
    process->start();
    if (!process->waitForStarted()) {
        *error = u"the sandbox did not start: "_s + process->errorString();
        return nullptr;
    }
    // It prints "tdkube-sandbox listening on URL" then "kubeconfig: FILE" once the file is written.
    QByteArray output;
    while (!output.contains("kubeconfig:")) {
        if (!process->waitForReadyRead(60000)) {
            *error = u"the sandbox did not start: "_s + QString::fromUtf8(output);
            return nullptr;
        }
        output += process->readAllStandardOutput();
    }
    const auto config = Kubeconfig::load({dir + u"/kubeconfig"_s});
    const auto resolved = config.resolve(context, error);
    ConnectionSettings settings;
    if (!resolved || !makeConnectionSettings(*resolved, &settings, error)) {
        *error = u"the sandbox's kubeconfig is not usable: "_s + *error;
        return nullptr;
    }
    return std::make_unique<KubeClient>(settings);
}

// The environment of the tdkube processes a test runs: their journals and settings under `dir`, no
// keychain (no session bus), so that they use TDengine's default login at once, as on a machine
// without one, and English, whatever the machine's language (the tests read what tdkube says).
inline QProcessEnvironment tdkubeEnvironment(const QString &dir)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"XDG_DATA_HOME"_s, dir + u"/data"_s);
    environment.insert(u"XDG_CONFIG_HOME"_s, dir + u"/config"_s);
    environment.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path="_s + dir + u"/no-bus"_s);
    environment.remove(u"TDKUBE_TEST_CRASH_AT"_s);
    environment.insert(u"LC_ALL"_s, u"C.UTF-8"_s);
    environment.remove(u"LANGUAGE"_s);
    return environment;
}

// `tdkube scale` of `cluster` to `replicas` as a person types it (without --yes: the plan only).
inline QStringList scaleCommand(const QString &kubeconfig, const QString &context, const QString &ns,
                                const QString &cluster, int replicas)
{
    return {u"scale"_s,
            u"--cluster"_s,
            cluster,
            u"--replicas"_s,
            QString::number(replicas),
            u"--kubeconfig"_s,
            kubeconfig,
            u"--context"_s,
            context,
            u"-n"_s,
            ns};
}

// A token that expires when the test says so: from then on a stale one is handed out, until
// invalidate() (what KubeClient does after a 401) brings a valid one back.
class ExpiringToken final : public CredentialSource
{
public:
    explicit ExpiringToken(QString valid)
        : m_valid(std::move(valid))
    {
    }
    void request(Done done) override
    {
        const Credential credential{expired ? u"expired-token"_s : m_valid, {}, {}, {}};
        QMetaObject::invokeMethod(
            this, [done, credential] { done(credential, {}); }, Qt::QueuedConnection);
    }
    void invalidate() override
    {
        ++invalidations;
        expired = false;
    }
    QString describe() const override { return u"expiring token"_s; }

    bool expired = false;
    int invalidations = 0;

private:
    QString m_valid;
};

// A TCP port (on `address`) in front of the API server that can be cut (each connection closed at once, as
// when the network or the server is gone) and restored; it counts the connections tried while cut.
class Cable final : public QObject
{
public:
    explicit Cable(quint16 serverPort, const QHostAddress &address = QHostAddress::LocalHost)
        : m_serverPort(serverPort)
    {
        m_listener.listen(address);
        connect(&m_listener, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *client = m_listener.nextPendingConnection())
                plug(client);
        });
    }
    quint16 port() const { return m_listener.serverPort(); }
    QHostAddress address() const { return m_listener.serverAddress(); }
    void cut()
    {
        connected = false;
        for (const QPointer<QTcpSocket> &client : std::as_const(m_clients)) {
            if (client)
                client->abort();
        }
        m_clients.clear();
    }
    bool connected = true;
    int refused = 0;

private:
    void plug(QTcpSocket *client)
    {
        connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        if (!connected) {
            ++refused;
            client->abort();
            return;
        }
        m_clients.append(client);
        auto *server = new QTcpSocket(client);
        connect(client, &QTcpSocket::readyRead, server,
                [client, server] { server->write(client->readAll()); });
        connect(server, &QTcpSocket::readyRead, client,
                [client, server] { client->write(server->readAll()); });
        connect(server, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
        connect(server, &QTcpSocket::connected, client, [client, server] {
            if (client->bytesAvailable() > 0)
                server->write(client->readAll());
        });
        server->connectToHost(QHostAddress::LocalHost, m_serverPort);
    }

    quint16 m_serverPort;
    QTcpServer m_listener;
    QList<QPointer<QTcpSocket>> m_clients;
};

class SandboxFixture
{
public:
    // `taosdDir`: a TDengine build; TDengine pods then run a real taosd (tdkube-sandbox --taosd).
    bool start(const QString &accessLogName = {}, double timeScale = 0.02, const QString &taosdDir = {})
    {
        if (!m_dir.isValid())
            return false;
        sandbox::SandboxOptions options;
        options.kubeconfigPath = m_dir.filePath(u"kubeconfig"_s);
        options.dataDir = m_dir.filePath(u"data"_s);
        options.timeScale = timeScale;
        options.taosdDir = taosdDir;
        if (!accessLogName.isEmpty())
            options.accessLogPath = m_dir.filePath(accessLogName);
        m_sandbox = std::make_unique<sandbox::Sandbox>(options);
        QString error;
        if (!m_sandbox->start(&error)) {
            qWarning("the sandbox did not start: %s", qPrintable(error));
            return false;
        }
        QFile file(options.kubeconfigPath);
        if (!file.open(QIODevice::ReadOnly))
            return false;
        const QString text = QString::fromUtf8(file.readAll());
        m_caPem = base64Value(text, u"certificate-authority-data"_s);
        m_certificatePem = base64Value(text, u"client-certificate-data"_s);
        m_keyPem = base64Value(text, u"client-key-data"_s);
        m_viewerToken = QRegularExpression(u"token: \"([^\"]+)\""_s).match(text).captured(1);
        // The exec plugin's token (group system:masters), from the script it prints it with.
        QFile plugin(options.kubeconfigPath + u".exec-plugin.sh"_s);
        if (plugin.open(QIODevice::ReadOnly))
            m_execToken = QRegularExpression(u"'\"(exec-[^\"]+)\"'"_s)
                              .match(QString::fromUtf8(plugin.readAll()))
                              .captured(1);
        QFile tokens(options.dataDir + u"/tokens.json"_s);
        if (tokens.open(QIODevice::ReadOnly))
            m_operatorToken =
                QJsonDocument::fromJson(tokens.readAll()).object().value(u"operator").toString();
        return !m_caPem.isEmpty() && !m_certificatePem.isEmpty() && !m_keyPem.isEmpty() &&
               !m_viewerToken.isEmpty() && !m_execToken.isEmpty() && !m_operatorToken.isEmpty();
    }

    sandbox::Sandbox *sandbox() const { return m_sandbox.get(); }
    // Shuts the sandbox down (and whatever it runs).
    void stop() { m_sandbox.reset(); }
    QString path(const QString &name) const { return m_dir.filePath(name); }
    // The admin's settings, but reaching the API server through `cable` (its address and port).
    ConnectionSettings adminThrough(const Cable &cable) const
    {
        ConnectionSettings settings = admin();
        settings.server.setHost(cable.address().toString());
        settings.server.setPort(cable.port());
        return settings;
    }
    QString viewerToken() const { return m_viewerToken; }
    QString execToken() const { return m_execToken; } // may do anything (system:masters)

    // Only the server and its CA: no credentials.
    ConnectionSettings anonymous() const
    {
        ConnectionSettings settings;
        settings.contextName = u"sandbox"_s;
        settings.clusterName = u"sandbox"_s;
        settings.server = QUrl(m_sandbox->serverUrl());
        settings.certificateAuthorityPem = m_caPem;
        settings.certificateAuthorityOrigin = u"certificate-authority-data of cluster sandbox"_s;
        return settings;
    }
    ConnectionSettings admin() const
    {
        ConnectionSettings settings = anonymous();
        settings.userName = u"sandbox-admin"_s;
        settings.clientCertificatePem = m_certificatePem;
        settings.clientKeyPem = m_keyPem;
        return settings;
    }
    ConnectionSettings viewer() const
    {
        ConnectionSettings settings = anonymous();
        settings.userName = u"sandbox-viewer"_s;
        settings.token = m_viewerToken;
        return settings;
    }
    // sandbox-operator: may do everything an operation does, but not write ConfigMaps.
    ConnectionSettings operatorUser() const
    {
        ConnectionSettings settings = anonymous();
        settings.contextName = u"sandbox-operator"_s;
        settings.userName = u"sandbox-operator"_s;
        settings.token = m_operatorToken;
        return settings;
    }
    QByteArray adminCertificatePem() const { return m_certificatePem; }
    QByteArray adminKeyPem() const { return m_keyPem; }

private:
    static QByteArray base64Value(const QString &text, const QString &key)
    {
        const QRegularExpression pattern(key + u": *(\\S+)"_s);
        return QByteArray::fromBase64(pattern.match(text).captured(1).toLatin1());
    }

    QTemporaryDir m_dir;
    std::unique_ptr<sandbox::Sandbox> m_sandbox;
    QByteArray m_caPem;
    QByteArray m_certificatePem;
    QByteArray m_keyPem;
    QString m_execToken;
    QString m_viewerToken;
    QString m_operatorToken;
};

// Runs one asynchronous client call and waits for its answer.
template<typename Call> KubeResponse await(Call call)
{
    std::optional<KubeResponse> result;
    QObject context;
    call(&context, [&result](const KubeResponse &response) { result = response; });
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, kWaitMs)) {
        KubeResponse timedOut;
        timedOut.error = u"the test gave up waiting"_s;
        return timedOut;
    }
    return *result;
}

inline KubeResponse control(KubeClient *client, const QString &what, const QJsonObject &body)
{
    KubeRequest request;
    request.verb = "POST";
    request.path = u"/sandbox/v1/"_s + what;
    request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return await([&](QObject *context, KubeClient::Done done) { client->send(request, context, done); });
}

inline bool createNamespace(KubeClient *client, const QString &name)
{
    const QJsonObject object{{u"metadata"_s, QJsonObject{{u"name"_s, name}}}};
    return await([&](QObject *context, KubeClient::Done done) {
               client->create(ResourceKind::namespaces(), {}, object, context, done);
           }).httpStatus == 201;
}

// Server-side applies every manifest of manifests/ (the TDengine cluster) in `ns`, as
// `kubectl apply -n NS -f manifests/` does. False with `error` set on the first failure.
// `replicas` >= 0: the StatefulSet is applied with that many (a cluster born that size: scaling it down
// after the apply would race the controller, which may have made a pod and its claim meanwhile).
inline bool applyManifests(KubeClient *client, const QString &ns, QString *error, int replicas = -1)
{
    const QDir manifests(QStringLiteral(TDKUBE_MANIFESTS_DIR));
    for (const QString &file : manifests.entryList({u"*.yaml"_s}, QDir::Files, QDir::Name)) {
        QFile yaml(manifests.filePath(file));
        QList<QJsonValue> documents;
        if (!yaml.open(QIODevice::ReadOnly) || !yamlDocumentsToJson(yaml.readAll(), &documents, error)) {
            *error = file + u": "_s + (error->isEmpty() ? yaml.errorString() : *error);
            return false;
        }
        for (const QJsonValue &document : std::as_const(documents)) {
            QJsonObject object = document.toObject();
            if (replicas >= 0 && object.value(u"kind").toString() == u"StatefulSet") {
                QJsonObject spec = object.value(u"spec").toObject();
                spec.insert(u"replicas"_s, replicas);
                object.insert(u"spec"_s, spec);
            }
            const auto kind = ResourceKind::fromApiVersionKind(object.value(u"apiVersion").toString(),
                                                               object.value(u"kind").toString());
            const QString name = object.value(u"metadata").toObject().value(u"name").toString();
            const KubeResponse response = await([&](QObject *context, KubeClient::Done done) {
                client->apply(kind, ns, name, QJsonDocument(object).toJson(), false, false, context, done);
            });
            if (!response.ok()) {
                *error = file + u": "_s + response.error;
                return false;
            }
        }
    }
    return true;
}

// `statement` sent to taosAdapter of StatefulSet `statefulSet` in `ns` through a new port-forward, as root
// with TDengine's default password. Not ok() when the forward or the answer did not come (`answerMs`: real
// TDengine takes seconds for `create mnode` or `create database`).
inline taos::QueryOutcome sqlThroughForward(KubeClient *client, const QString &ns, const QString &statefulSet,
                                            const QString &statement, int answerMs = kWaitMs)
{
    PortForward forward(client, {ForwardTarget::Kind::StatefulSet, ns, statefulSet}, 6041);
    forward.start();
    taos::QueryOutcome none;
    none.cancelled = true; // not ok()
    if (!QTest::qWaitFor([&forward] { return forward.state() == PortForward::State::Active; }, kWaitMs)) {
        qWarning("the forward did not become active: %s", qPrintable(forward.stateReason()));
        return none;
    }
    QUrl base(QStringLiteral("http://127.0.0.1"));
    base.setPort(forward.localPort());
    taos::RestClient rest(taos::RestTarget::direct(base, QStringLiteral("root"), QStringLiteral("taosdata")));
    std::optional<taos::QueryOutcome> outcome;
    rest.query(statement, &rest, [&outcome](taos::QueryOutcome &o) { outcome = std::move(o); });
    if (!QTest::qWaitFor([&outcome] { return outcome.has_value(); }, answerMs)) {
        qWarning("%s did not answer", qPrintable(statement));
        return none;
    }
    return std::move(*outcome);
}

inline QJsonObject configMap(const QString &name, const QString &value)
{
    return {{u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"ConfigMap"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, name}}},
            {u"data"_s, QJsonObject{{u"key"_s, value}}}};
}

// "namespace/name" -> resourceVersion of every object the server lists now.
inline QMap<QString, QString> serverVersions(KubeClient *client, const ResourceKind &kind, const QString &ns)
{
    const KubeResponse response =
        await([&](QObject *context, KubeClient::Done done) { client->list(kind, ns, {}, context, done); });
    QMap<QString, QString> versions;
    const auto items = response.json().value(u"items").toArray();
    for (const QJsonValue &item : items) {
        const QJsonObject metadata = item.toObject().value(u"metadata").toObject();
        versions.insert(metadata.value(u"namespace").toString() + u'/' + metadata.value(u"name").toString(),
                        metadata.value(u"resourceVersion").toString());
    }
    return versions;
}

} // namespace tdkube::kube::test
