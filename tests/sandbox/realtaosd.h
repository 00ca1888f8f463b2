#pragma once

#include "podruntime.h"

#include <QHash>
#include <QProcessEnvironment>
#include <QString>

#include <functional>
#include <memory>

class QProcess;

namespace tdkube::sandbox {

class Store;
struct StoreEvent;

// Real TDengine behind the pods that run a `tdengine/tdengine` image (tdkube-sandbox --taosd DIR,
// DIR as ../shared/tdengine/build.sh prints it: bin/taosd, bin/taos, lib/libtaos.so, image-bin/).
// Each pod runs what the image's entrypoint.sh runs (FACTS.md sections 6 and 8):
// - taos.cfg from the pod's TAOS_* variables as env-to-cfg writes it, with dataDir and logDir in
//   the directory of the claim mounted there (volumePath(), gone with the PV) or the pod's own,
//   monitor, udf and telemetry off, and the pod's TZ as its timezone;
// - its own loopback address 127.A.B.N (kept per pod name) on which taosd binds (TAOS_BIND_ADDR,
//   a change of the build in shared/), and pod DNS names (`<pod>.<service>.<ns>.svc.cluster.local`)
//   that resolve through nss_wrapper from a hosts file per pod (see writeHostsFile());
// - on a first start (no dnode.json), `create dnode` for itself through firstEp once firstEp
//   answers, with the real CLI, then `taosd -c CONFIG_DIR`; its stdout and stderr are the log.
// The container stops with SIGKILL (a crash, a lost node) or SIGTERM then SIGKILL (pod deletion).
// The readiness probe is `taos --check` as taos-check runs it; `taos` and `taos-check` in exec run
// the real CLI and the image's script with the pod's taos.cfg; taosAdapter's REST API on 6041 is a
// TaosAdapter (taosadapter.h) over a libtaos child; a port-forward to 6030 reaches taosd itself.
// Every process started here dies with the sandbox (SIGKILL of its process group on destruction,
// PR_SET_PDEATHSIG for a crash).
class RealTaosdRuntime final : public PodRuntime
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RealTaosdRuntime)

public:
    using Environment = std::function<QHash<QString, QString>(const QJsonObject &pod)>;
    // `workDir` holds the claims' directories (see volumePath()), the pods' config dirs (pods/NS/POD with
    // taos.cfg, hosts, bin/taos) and addresses.json; `environment` is the container environment as
    // the kubelet builds it.
    RealTaosdRuntime(Store *store, QString installDir, QString workDir, Environment environment,
                     QObject *parent = nullptr);
    ~RealTaosdRuntime() override;

    // The directory, relative to the work dir, that holds the data of PersistentVolume `pv`: "v/" and
    // 12 hex digits of its name's SHA-1. Short on purpose: a pod's taosd sees /var/lib/taos, and
    // TDengine 3.0.5.2 overflows a 128-byte buffer (TDB_FILENAME_LEN, sprintf in tdbPager.c) and
    // crashes creating a vnode when dataDir is longer than about 80 characters; volumes/pvc-<uuid>
    // under a test's temporary folder crossed that.
    static QString volumePath(const QString &pv);

    // Whether `dir` holds a TDengine build this runtime can run, and the bridge is there; else why not.
    static bool checkInstall(const QString &dir, QString *error);

    void exec(const QJsonObject &pod, const QString &container, const QStringList &argv,
              const QByteArray &stdinData, ExecDone done) override;
    bool listens(const QJsonObject &pod, int port) const override;
    bool speaksHttp(const QJsonObject &pod, int port) const override;
    // taosd's own port (6030): its address, for a port-forward to reach the real taosd.
    QString tcpEndpoint(const QJsonObject &pod, int port) const override;
    void http(const QJsonObject &pod, int port, const HttpRequest &request, HttpDone done) override;
    QList<LogLine> log(const QJsonObject &pod, const QString &container, bool previous) const override;
    void containerStarted(const QJsonObject &pod) override;
    void containerStopped(const QJsonObject &pod) override;
    bool probeReady(const QJsonObject &pod) const override;

    // The taos.cfg the pod's taosd runs with (empty when it never started).
    QByteArray taosCfg(const QJsonObject &pod) const;
    // The loopback address of a pod ("ns/pod"), given when it or its StatefulSet first started.
    QString addressOf(const QString &podKey) const { return m_addresses.value(podKey); }

private:
    struct Dnode;

    Dnode *dnodeOf(const QJsonObject &pod) const;
    QString claimDirectory(const QJsonObject &pod, const QString &mountPath) const;
    QString allocateAddress(const QString &podKey, bool save = true);
    void saveAddresses() const;
    void writeHostsFile();
    QProcessEnvironment processEnvironment(const Dnode &dnode, bool withPodEnvironment) const;
    void configureProcess(QProcess *process, const Dnode &dnode, bool withPodEnvironment) const;
    void startAdapter(Dnode *dnode);
    void joinThroughFirstEp(const QString &key);
    void runInPod(Dnode *dnode, const QString &program, const QStringList &arguments, int timeoutMs,
                  std::function<void(int, const QByteArray &)> done);
    void startTaosd(const QString &key);
    void probe(const QString &key);
    void stopDnode(const QString &key, bool graceful);
    void appendLog(Dnode *dnode, const QString &text);
    void onStoreChanged(const StoreEvent &event);

    Store *m_store;
    QString m_installDir;
    QString m_workDir;
    Environment m_environment;
    QString m_addressBase;                           // "127.A.B"
    QHash<QString, QString> m_addresses;             // "ns/pod" -> 127.A.B.N
    QHash<QString, std::shared_ptr<Dnode>> m_dnodes; // "ns/pod" -> the running container
    QHash<QString, QList<LogLine>> m_logs;           // "ns/pod" -> current run
    QHash<QString, QList<LogLine>> m_previousLogs;   // the run before
    QByteArray m_hosts;                              // the hosts file as last written
};

} // namespace tdkube::sandbox
