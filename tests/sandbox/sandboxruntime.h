#pragma once

#include "podruntime.h"

#include <QHash>
#include <QSet>

#include <memory>

namespace tdkube::sandbox {

class DelayLedger;
class RealTaosdRuntime;
class Store;
namespace tdengine {
class Cluster;
struct Result;
} // namespace tdengine

// The containers of the sandbox's pods. Every container has a small shell (`sh -c`, `env`, `cat`,
// `echo`, `hostname`, `exit`); a container running a TDengine image (`tdengine/tdengine:*`) also
// runs taosd and taosAdapter: its dnode belongs to the simulated TDengine cluster of its
// StatefulSet (one tdengine::Cluster per StatefulSet), `taos -s "SQL"` and `taos-check` work, port
// 6041 answers taosAdapter's REST API, and the readiness probe is taos-check.
class SandboxRuntime final : public PodRuntime
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxRuntime)

public:
    SandboxRuntime(Store *store, double timeScale, QObject *parent = nullptr);
    ~SandboxRuntime() override;

    void exec(const QJsonObject &pod, const QString &container, const QStringList &argv,
              const QByteArray &stdinData, ExecDone done) override;
    // taosAdapter (HTTP) on 6041; taosd's native port 6030, whose protocol is not simulated: it takes
    // connections and what is sent, and answers nothing.
    bool listens(const QJsonObject &pod, int port) const override;
    bool speaksHttp(const QJsonObject &pod, int port) const override;
    QString tcpEndpoint(const QJsonObject &pod, int port) const override;
    void http(const QJsonObject &pod, int port, const HttpRequest &request, HttpDone done) override;
    QList<LogLine> log(const QJsonObject &pod, const QString &container, bool previous) const override;
    void containerStarted(const QJsonObject &pod) override;
    void containerStopped(const QJsonObject &pod) override;
    bool probeReady(const QJsonObject &pod) const override;

    // From now on, pods running a TDengine image run a real taosd from `installDir` (realtaosd.h),
    // with their volumes and config under `workDir`, instead of the simulator.
    bool useRealTaosd(const QString &installDir, const QString &workDir, QString *error);
    RealTaosdRuntime *realTaosd() const { return m_real.get(); }

    // Where the TDengine clusters record their simulated delays (GET /sandbox/v1/delays).
    void setDelayLedger(DelayLedger *ledger);

    // A fault tests inject (POST /sandbox/v1/faults {"cutShortResults":N,"keepRows":K,"matching":"..."}):
    // the next N answers of taosAdapter whose statement contains `matching` (any statement when empty,
    // case-insensitive) keep only their first K rows and still say code 0, as taosAdapter closes a
    // result whose fetch failed half-way (FACTS.md section 5). N = 0 clears it.
    void cutShortResults(int count, int keepRows, const QString &matching);

    // The TDengine cluster of a StatefulSet, or null when none ran yet.
    tdengine::Cluster *cluster(const QString &ns, const QString &statefulSet) const;

    // Persistence of the TDengine clusters (dnodes, databases, rows) next to the store's state.
    QJsonObject save() const;
    bool load(const QJsonObject &state, QString *error);

    // The container's environment as the kubelet builds it: fieldRefs, configMap envFrom, $(VAR).
    QHash<QString, QString> environment(const QJsonObject &pod) const;
    static bool isTdengine(const QJsonObject &pod);
    // TAOS_SUPPORT_VNODES -> supportVnodes: the taos.cfg key the image's env-to-cfg makes of a variable.
    static QString configKey(const QString &envName);
    // A TDengine pod that runs a real taosd (useRealTaosd()).
    bool isRealTaosd(const QJsonObject &pod) const;

signals:
    // Something persistent changed (TDengine data).
    void changed();

private:
    struct Command;
    void runShell(const QJsonObject &pod, const QStringList &argv, const QByteArray &stdinData,
                  ExecDone done);
    void runTaos(const QJsonObject &pod, const QStringList &argv, ExecDone done);
    void runScript(const QJsonObject &pod, const QString &script, ExecDone done);
    void taosAdapter(const QJsonObject &pod, const HttpRequest &request, HttpDone done);
    void cutShort(const QString &sql, tdengine::Result *result);
    tdengine::Cluster *clusterFor(const QJsonObject &pod, bool create);
    static QString clusterKey(const QJsonObject &pod);
    void attach(tdengine::Cluster *cluster);
    QString endpointOf(const QJsonObject &pod) const;
    QString dataIdOf(const QJsonObject &pod) const;
    QString catFile(const QJsonObject &pod, const QString &path, bool *found) const;
    void appendLog(const QString &ns, const QString &pod, const QString &container, const QString &text);

    struct ClusterEntry
    {
        std::shared_ptr<tdengine::Cluster> cluster;
        QSet<QString> dataIds; // every data directory (PVC uid) a dnode of this cluster started on
    };

    Store *m_store;
    double m_timeScale;
    DelayLedger *m_delays = nullptr;
    QHash<QString, ClusterEntry> m_clusters;       // "ns/statefulset"
    QHash<QString, QString> m_podOfEndpoint;       // endpoint -> "ns/pod"
    QHash<QString, QList<LogLine>> m_logs;         // "ns/pod/container" -> current run
    QHash<QString, QList<LogLine>> m_previousLogs; // the run before (after a restart)
    QSet<QString> m_running;                       // "ns/pod" whose container runs
    struct CutShort
    {
        int count = 0;
        int keepRows = 0;
        QString matching;
    } m_cutShort;
    std::unique_ptr<RealTaosdRuntime> m_real; // with --taosd: the TDengine pods' real taosd
};

} // namespace tdkube::sandbox
