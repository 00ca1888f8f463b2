#pragma once

#include "apiserver.h"
#include "delayledger.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QObject>
#include <QString>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>

namespace tdkube::sandbox {

class CertificateAuthority;
class Controller;
class HttpServer;
class SandboxRuntime;
class Store;
struct StoreEvent;

struct SandboxOptions
{
    quint16 port = 0;
    QString kubeconfigPath;
    QString dataDir;
    double timeScale = 1.0;
    QString accessLogPath;
    bool demo = false;
    QString manifestsDir;
    // A TDengine build (bin/taosd, bin/taos, lib/libtaos.so): TDengine pods run a real taosd.
    QString taosdDir;
};

// The whole sandbox: certificates, the store (persisted in the data dir), the controller, the API
// server on 127.0.0.1, the kubeconfig and exec plugin it writes, and the demo cluster.
class Sandbox final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Sandbox)

public:
    explicit Sandbox(SandboxOptions options, QObject *parent = nullptr);
    ~Sandbox() override;

    bool start(QString *error);
    QString serverUrl() const;
    Store *store() const { return m_store.get(); }
    Controller *controller() const { return m_controller.get(); }
    SandboxRuntime *runtime() const { return m_runtime.get(); }
    // The simulated delays since the last reset (GET and POST {"reset":true} /sandbox/v1/delays).
    DelayLedger *delays() { return &m_delays; }
    // Writes the state to the data dir now (also done shortly after every change and on exit).
    void save();

private:
    bool setUpCertificates(QString *error);
    bool loadState(QString *error);
    bool setUpTokens(QString *error);
    bool deployDemo(QString *error);
    void seedDemoData();
    void preload(int pods, const QString &ns);
    bool startChurn(const QString &ns, int eventsPerSecond, int seconds);
    void churnTick();
    bool serveSubresource(HttpExchange *exchange, const ApiServer::SubresourceRequest &request);
    bool serveControl(HttpExchange *exchange, const QStringList &path, const QJsonObject &body);
    void serveDelays(HttpExchange *exchange, const QJsonObject &body);
    void recordAudit(const StoreEvent &event);
    void serveAudit(HttpExchange *exchange, const QJsonObject &body);
    void logRequest(const HttpExchange &exchange);

    SandboxOptions m_options;
    DelayLedger m_delays; // before the runtime and controller that record into it
    // Real taosd's volumes and config when there is no data dir; outlives the runtime that uses it.
    std::unique_ptr<QTemporaryDir> m_taosdWorkDir;
    std::unique_ptr<CertificateAuthority> m_ca;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<SandboxRuntime> m_runtime;
    std::unique_ptr<Controller> m_controller;
    std::unique_ptr<ApiServer> m_api;
    std::unique_ptr<HttpServer> m_http;
    QByteArray m_serverCertificatePem;
    QByteArray m_serverKeyPem;
    QByteArray m_adminCertificatePem;
    QByteArray m_adminKeyPem;
    QString m_viewerToken;
    QString m_execToken;
    QString m_operatorToken;
    QFile m_accessLog;
    QTimer m_saveTimer;
    // POST /sandbox/v1/churn: pods of one namespace modified round-robin at a steady rate.
    struct Churn
    {
        QString ns;
        QStringList names;
        qint64 eventsPerSecond = 0;
        qint64 durationMs = 0;
        qint64 done = 0;
        QElapsedTimer clock;
    };
    Churn m_churn;
    QTimer m_churnTimer;
    // GET /sandbox/v1/audit: every pod and claim created, marked for deletion and deleted, in
    // resourceVersion order with the wall-clock time (for the fault campaign's invariants).
    QJsonArray m_audit;
};

} // namespace tdkube::sandbox
