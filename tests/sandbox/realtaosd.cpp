#include "realtaosd.h"

#include "resources.h"
#include "sandboxruntime.h"
#include "store.h"
#include "taosadapter.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMap>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTcpServer>
#include <QTimer>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTaosd, "tdkube.sandbox.taosd", QtWarningMsg)

namespace {

const QString kTdengineImage = u"tdengine/tdengine"_s;
const QString kDataPath = u"/var/lib/taos"_s;
const QString kLogPath = u"/var/log/taos"_s;
// How often the kubelet's readiness probe (taos-check) runs here; the manifests ask for 10 s, a
// shorter period only makes Ready follow taosd sooner.
constexpr int kProbeMs = 1000;
// How long the entrypoint's `taos --check` of firstEp may take.
constexpr int kCheckTimeoutMs = 5000;
// What a pod deletion gives taosd between SIGTERM and SIGKILL (terminationGracePeriodSeconds is
// 60 in the manifests; the sandbox's own termination delay is scaled down in tests).
constexpr int kGraceMs = 5000;
// Pod names of a StatefulSet that resolve from the start (see writeHostsFile()).
constexpr int kNamesPerStatefulSet = 16;

QString podKey(const QJsonObject &pod)
{
    return namespaceOf(pod) + u'/' + nameOf(pod);
}

QJsonObject firstContainer(const QJsonObject &pod)
{
    return valueAt(pod, u"spec.containers"_s).toArray().first().toObject();
}

QString nssWrapperLibrary()
{
    for (const QString &path :
         {u"/usr/lib/x86_64-linux-gnu/libnss_wrapper.so"_s, u"/usr/lib/aarch64-linux-gnu/libnss_wrapper.so"_s,
          u"/usr/lib/libnss_wrapper.so"_s, u"/usr/lib64/libnss_wrapper.so"_s}) {
        if (QFileInfo::exists(path))
            return path;
    }
    return {};
}

bool writeAtomically(const QString &path, const QByteArray &data)
{
    QSaveFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size() && file.commit();
}

// "host:port" -> host, port (6030 when absent), as the entrypoint splits TAOS_FIRST_EP.
std::pair<QString, int> splitEndpoint(const QString &endpoint)
{
    const qsizetype colon = endpoint.lastIndexOf(u':');
    if (colon < 0)
        return {endpoint, 6030};
    return {endpoint.left(colon), endpoint.mid(colon + 1).toInt()};
}

} // namespace

// One pod's container: its taosd, its taosAdapter, and the processes run in it (exec, probes).
struct RealTaosdRuntime::Dnode
{
    QString key; // "ns/pod"
    QString ns;
    QString name;
    QString container;
    QString fqdn;
    int port = 6030;
    QString firstEp;
    QString address;
    QString configDir;
    QString dataDir;
    QString logDir;
    QHash<QString, QString> env;
    QProcess *taosd = nullptr;
    TaosAdapter *adapter = nullptr; // port 6041
    bool ready = false;
    bool probing = false;
    int probeFailures = 0;
    int probeTimeoutMs = 1000;
    int probeFailureThreshold = 3;
    QTimer timer; // the readiness probe, and the entrypoint's wait for firstEp
    QList<QPointer<QProcess>> execs;
};

RealTaosdRuntime::RealTaosdRuntime(Store *store, QString installDir, QString workDir, Environment environment,
                                   QObject *parent)
    : PodRuntime(parent)
    , m_store(store)
    , m_installDir(std::move(installDir))
    , m_workDir(std::move(workDir))
    , m_environment(std::move(environment))
{
    QDir().mkpath(m_workDir);
    QFile saved(m_workDir + u"/addresses.json"_s);
    if (saved.open(QIODevice::ReadOnly)) {
        const QJsonObject addresses = QJsonDocument::fromJson(saved.readAll()).object();
        m_addressBase = addresses.value(u"base").toString();
        const QJsonObject pods = addresses.value(u"pods").toObject();
        for (auto it = pods.begin(); it != pods.end(); ++it)
            m_addresses.insert(it.key(), it.value().toString());
    }
    connect(m_store, &Store::changed, this, &RealTaosdRuntime::onStoreChanged);
    writeHostsFile();
}

RealTaosdRuntime::~RealTaosdRuntime()
{
    // Leave nothing running: SIGKILL every process and wait for it (taosd, bridges, execs), and
    // answer no one any more (the API server that asked is gone).
    for (QProcess *process : findChildren<QProcess *>())
        process->disconnect(this);
    for (const std::shared_ptr<Dnode> &dnode : std::as_const(m_dnodes)) {
        if (dnode->adapter)
            dnode->adapter->stop(true);
    }
    const QStringList keys = m_dnodes.keys();
    for (const QString &key : keys)
        stopDnode(key, false);
    const QList<QProcess *> stopping = findChildren<QProcess *>();
    for (QProcess *process : stopping) {
        killProcessGroup(process);
        process->waitForFinished(2000);
    }
}

bool RealTaosdRuntime::checkInstall(const QString &dir, QString *error)
{
    for (const QString &file :
         {u"bin/taosd"_s, u"bin/taos"_s, u"lib/libtaos.so"_s, u"image-bin/taos-check"_s}) {
        if (!QFileInfo::exists(dir + u'/' + file)) {
            *error = u"--taosd "_s + dir + u": no "_s + file +
                     u" there (give the folder ../shared/tdengine/build.sh prints)"_s;
            return false;
        }
    }
    if (nssWrapperLibrary().isEmpty()) {
        *error = u"--taosd needs libnss_wrapper.so (Debian package libnss-wrapper) to resolve pod names"_s;
        return false;
    }
    if (!QFileInfo(TaosAdapter::program()).isExecutable()) {
        *error =
            u"--taosd needs tdkube-taosbridge next to tdkube-sandbox ("_s + TaosAdapter::program() + u')';
        return false;
    }
    return true;
}

RealTaosdRuntime::Dnode *RealTaosdRuntime::dnodeOf(const QJsonObject &pod) const
{
    return m_dnodes.value(podKey(pod)).get();
}

QString RealTaosdRuntime::volumePath(const QString &pv)
{
    return u"v/"_s + QString::fromLatin1(
                         QCryptographicHash::hash(pv.toUtf8(), QCryptographicHash::Sha1).toHex().left(12));
}

// The directory behind `mountPath` in the pod: the claim's volume directory (volumePath(), which
// lives as long as its PersistentVolume) when a claim is mounted there, else the pod's own
// (pods/<uid>, which goes with the pod).
QString RealTaosdRuntime::claimDirectory(const QJsonObject &pod, const QString &mountPath) const
{
    QString volume;
    QString rest;
    for (const QJsonValue &value : firstContainer(pod).value(u"volumeMounts").toArray()) {
        const QString path = value.toObject().value(u"mountPath").toString();
        if ((mountPath == path || mountPath.startsWith(path + u'/')) && path.size() > rest.size()) {
            volume = value.toObject().value(u"name").toString();
            rest = path;
        }
    }
    rest = mountPath.mid(rest.size());
    for (const QJsonValue &value : valueAt(pod, u"spec.volumes"_s).toArray()) {
        const QJsonObject object = value.toObject();
        if (volume.isEmpty() || object.value(u"name").toString() != volume)
            continue;
        const QString claim = valueAt(object, u"persistentVolumeClaim.claimName"_s).toString();
        const std::optional<QJsonObject> pvc = m_store->get(pvcsType(), namespaceOf(pod), claim);
        const QString pv = pvc ? valueAt(*pvc, u"spec.volumeName"_s).toString() : QString();
        if (!pv.isEmpty())
            return m_workDir + u'/' + volumePath(pv) + rest;
    }
    return m_workDir + u"/pods/"_s + uidOf(pod) + mountPath;
}

// Addresses 127.A.B.N, A.B chosen at random once per work dir (kept in addresses.json): sandboxes
// run side by side on one machine (parallel tests, other clones) then rarely meet, and an address
// whose 6030 is taken already (someone else's taosd) is passed over. 127.0.0.1 stays the API
// server's.
QString RealTaosdRuntime::allocateAddress(const QString &key, bool save)
{
    if (m_addresses.contains(key))
        return m_addresses.value(key);
    if (m_addressBase.isEmpty()) {
        m_addressBase = u"127.%1.%2"_s.arg(QRandomGenerator::global()->bounded(16, 250))
                            .arg(QRandomGenerator::global()->bounded(0, 256));
    }
    QSet<QString> used;
    for (const QString &address : std::as_const(m_addresses))
        used.insert(address);
    for (int n = 2; n < 255; ++n) {
        const QString address = m_addressBase + u'.' + QString::number(n);
        if (used.contains(address))
            continue;
        QTcpServer probe;
        if (!probe.listen(QHostAddress(address), 6030))
            continue;
        m_addresses.insert(key, address);
        if (save)
            saveAddresses();
        return address;
    }
    return {};
}

void RealTaosdRuntime::saveAddresses() const
{
    QJsonObject pods;
    for (auto it = m_addresses.cbegin(); it != m_addresses.cend(); ++it)
        pods.insert(it.key(), it.value());
    writeAtomically(m_workDir + u"/addresses.json"_s,
                    QJsonDocument(QJsonObject{{u"base"_s, m_addressBase}, {u"pods"_s, pods}}).toJson());
}

// The pod DNS names of every TDengine pod that ran (headless Service with publishNotReadyAddresses,
// as manifests/ has it), one hosts file per pod as nss_wrapper reads it, with the pod's own host
// name as the kubelet's /etc/hosts has it (taos_init resolves it).
//
// nss_wrapper reloads a hosts file that was replaced, but its reload is not thread-safe: taosd
// resolving in several threads at that moment crashed (glibc "corrupted double-linked list" in
// hdestroy_r under taosGetIpv4FromFqdn). So the file is written once for a StatefulSet: the names
// of its first kNamesPerStatefulSet ordinals (or of all its replicas) get their addresses at once,
// and it changes again only when a new StatefulSet (or a larger one) runs TDengine. Unlike cluster
// DNS, the name of an ordinal that has no pod resolves too (taosd finds nothing listening there).
void RealTaosdRuntime::writeHostsFile()
{
    QMap<QString, QString> names; // name -> address
    bool allocated = false;
    for (const QJsonObject &pod : m_store->list(podsType())) {
        if (!m_addresses.contains(podKey(pod)) || !SandboxRuntime::isTdengine(pod))
            continue;
        const QString subdomain = valueAt(pod, u"spec.subdomain"_s).toString();
        const QString ns = namespaceOf(pod);
        QString statefulSet;
        for (const QJsonValue &ref : metadataOf(pod).value(u"ownerReferences").toArray()) {
            if (ref[u"kind"].toString() == u"StatefulSet")
                statefulSet = ref[u"name"].toString();
        }
        const std::optional<QJsonObject> set =
            statefulSet.isEmpty() ? std::nullopt : m_store->get(statefulSetsType(), ns, statefulSet);
        if (set && !subdomain.isEmpty()) {
            const int ordinals = std::max(kNamesPerStatefulSet, valueAt(*set, u"spec.replicas"_s).toInt());
            for (int i = 0; i < ordinals; ++i) {
                const QString member = statefulSet + u'-' + QString::number(i);
                allocated = allocated || !m_addresses.contains(ns + u'/' + member);
                names.insert(member + u'.' + subdomain + u'.' + ns + u".svc.cluster.local"_s,
                             allocateAddress(ns + u'/' + member, false));
            }
        } else if (!subdomain.isEmpty()) {
            const QString hostname = valueAt(pod, u"spec.hostname"_s).toString();
            names.insert((hostname.isEmpty() ? nameOf(pod) : hostname) + u'.' + subdomain + u'.' + ns +
                             u".svc.cluster.local"_s,
                         m_addresses.value(podKey(pod)));
        }
        if (const Dnode *dnode = dnodeOf(pod))
            names.insert(dnode->fqdn, dnode->address);
    }
    if (allocated)
        saveAddresses();
    QByteArray hosts = "127.0.0.1 localhost\n";
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        hosts += (it.value() + u' ' + it.key() + u'\n').toUtf8();
    const bool changed = hosts != m_hosts;
    m_hosts = hosts;
    for (const std::shared_ptr<Dnode> &dnode : std::as_const(m_dnodes)) {
        const QString path = dnode->configDir + u"/hosts"_s;
        if (changed || !QFileInfo::exists(path))
            writeAtomically(path, hosts + (dnode->address + u' ' + dnode->name + u'\n').toUtf8());
    }
}

void RealTaosdRuntime::onStoreChanged(const StoreEvent &event)
{
    // A new pod may be the first of a StatefulSet, or beyond the names given so far.
    if (event.resource == &podsType() && event.type == EventType::Added)
        writeHostsFile();
    // A deleted volume takes its data with it (reclaim policy Delete removes the PV).
    if (event.resource == &pvsType() && event.type == EventType::Deleted) {
        const QString name = nameOf(event.object);
        if (!name.isEmpty())
            QDir(m_workDir + u'/' + volumePath(name)).removeRecursively();
    }
    // A deleted pod's own directories (what no claim holds: the log dir of manifests/) go with it,
    // once its taosd is surely gone (SIGKILL at the end of the grace period).
    if (event.resource == &podsType() && event.type == EventType::Deleted && !uidOf(event.object).isEmpty()) {
        const QString dir = m_workDir + u"/pods/"_s + uidOf(event.object);
        QTimer::singleShot(kGraceMs + 1000, this, [dir] { QDir(dir).removeRecursively(); });
    }
}

QProcessEnvironment RealTaosdRuntime::processEnvironment(const Dnode &dnode, bool withPodEnvironment) const
{
    QProcessEnvironment env;
    env.insert(u"PATH"_s, dnode.configDir + u"/bin:/usr/local/bin:/usr/bin:/bin"_s);
    env.insert(u"HOME"_s, dnode.configDir);
    if (withPodEnvironment) {
        // The container's variables, but not TAOS_*: taosd would take them over taos.cfg, and
        // their paths are the container's (taos.cfg holds them with the claim's paths).
        for (auto it = dnode.env.cbegin(); it != dnode.env.cend(); ++it) {
            if (!it.key().startsWith(u"TAOS_"_s) && it.key() != u"PATH"_s && it.key() != u"HOME"_s)
                env.insert(it.key(), it.value());
        }
    }
    env.insert(u"TAOS_BIND_ADDR"_s, dnode.address);
    env.insert(u"LD_LIBRARY_PATH"_s, m_installDir + u"/lib"_s);
    env.insert(u"LD_PRELOAD"_s, nssWrapperLibrary());
    env.insert(u"NSS_WRAPPER_HOSTS"_s, dnode.configDir + u"/hosts"_s);
    env.insert(u"NSS_WRAPPER_PASSWD"_s, u"/etc/passwd"_s);
    env.insert(u"NSS_WRAPPER_GROUP"_s, u"/etc/group"_s);
    env.insert(u"NSS_WRAPPER_HOSTNAME"_s, dnode.name);
    return env;
}

void RealTaosdRuntime::configureProcess(QProcess *process, const Dnode &dnode, bool withPodEnvironment) const
{
    process->setProcessEnvironment(processEnvironment(dnode, withPodEnvironment));
    process->setWorkingDirectory(dnode.configDir);
    // A child dies with the sandbox even when the sandbox is killed or crashes; its own process
    // group, so that what it starts (the taos-check script's taos) can be killed with it.
    process->setChildProcessModifier([] {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    });
}

void RealTaosdRuntime::appendLog(Dnode *dnode, const QString &text)
{
    const LogLine line{QDateTime::currentDateTimeUtc(), text};
    m_logs[dnode->key].append(line);
    // A long-running taosd logs a lot; keep the last lines only.
    if (m_logs[dnode->key].size() > 20000)
        m_logs[dnode->key].remove(0, 5000);
    emit logAppended(dnode->ns, dnode->name, dnode->container, line);
}

void RealTaosdRuntime::containerStarted(const QJsonObject &pod)
{
    if (!SandboxRuntime::isTdengine(pod))
        return;
    const QString key = podKey(pod);
    if (m_dnodes.contains(key))
        stopDnode(key, false);
    // A taosd of the pod's previous container still shutting down must be gone before the new one
    // binds the same address and opens the same data.
    for (QProcess *old : findChildren<QProcess *>(key, Qt::FindDirectChildrenOnly)) {
        killProcessGroup(old);
        old->waitForFinished(5000);
        delete old;
    }
    auto dnode = std::make_shared<Dnode>();
    dnode->key = key;
    dnode->ns = namespaceOf(pod);
    dnode->name = nameOf(pod);
    dnode->container = firstContainer(pod).value(u"name").toString();
    dnode->env = m_environment(pod);
    const QHash<QString, QString> &env = dnode->env;
    dnode->fqdn = env.value(u"TAOS_FQDN"_s, nameOf(pod));
    dnode->port = env.value(u"TAOS_SERVER_PORT"_s, u"6030"_s).toInt();
    dnode->firstEp = env.value(u"TAOS_FIRST_EP"_s);
    const QJsonObject readiness = firstContainer(pod).value(u"readinessProbe").toObject();
    dnode->probeTimeoutMs = readiness.value(u"timeoutSeconds").toInt(1) * 1000;
    dnode->probeFailureThreshold = readiness.value(u"failureThreshold").toInt(3);
    dnode->address = allocateAddress(key);
    dnode->configDir = m_workDir + u"/pods/"_s + dnode->ns + u'/' + dnode->name;
    dnode->dataDir = claimDirectory(pod, env.value(u"TAOS_DATA_DIR"_s, kDataPath));
    dnode->logDir = claimDirectory(pod, env.value(u"TAOS_LOG_DIR"_s, kLogPath));
    QDir().mkpath(dnode->configDir + u"/bin"_s);
    QDir().mkpath(dnode->dataDir);
    QDir().mkpath(dnode->logDir);

    // taos.cfg as env-to-cfg writes it (every TAOS_* variable, camelCased), then what a pod on this
    // machine needs: the claim's paths, and no monitor, udf or telemetry (no taosKeeper, no udfd,
    // no internet here).
    QStringList names = env.keys();
    names.sort();
    QByteArray cfg = "# from the pod's TAOS_* variables, as the image's env-to-cfg writes them\n";
    const QSet<QString> overridden{u"dataDir"_s, u"logDir"_s, u"monitor"_s, u"udf"_s,
                                   u"telemetryReporting"_s};
    for (const QString &name : std::as_const(names)) {
        if (name.startsWith(u"TAOS_"_s) && !overridden.contains(SandboxRuntime::configKey(name)))
            cfg += (SandboxRuntime::configKey(name) + u' ' + env.value(name) + u'\n').toUtf8();
    }
    cfg += "# tdkube-sandbox: the pod's volumes on this machine\n";
    cfg += (u"dataDir "_s + dnode->dataDir + u'\n' + u"logDir "_s + dnode->logDir + u'\n').toUtf8();
    cfg += "monitor 0\nudf 0\ntelemetryReporting 0\n";
    // The image's entrypoint links /etc/localtime to $TZ, which is where taosd 3.0 takes its zone
    // from (it ignores TZ itself); the pods here share the machine's /etc/localtime, so the zone is
    // said in taos.cfg instead, unless TAOS_TIMEZONE says it already.
    if (const QString tz = env.value(u"TZ"_s); !tz.isEmpty() && !env.contains(u"TAOS_TIMEZONE"_s))
        cfg += (u"timezone "_s + tz + u'\n').toUtf8();
    writeAtomically(dnode->configDir + u"/taos.cfg"_s, cfg);
    // `taos` in the pod reads /etc/taos/taos.cfg; here the pod's own.
    const QString wrapper = dnode->configDir + u"/bin/taos"_s;
    writeAtomically(wrapper, (u"#!/bin/sh\nexec '"_s + m_installDir + u"/bin/taos' -c '"_s +
                              dnode->configDir + u"' \"$@\"\n"_s)
                                 .toUtf8());
    QFile::setPermissions(wrapper, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    m_previousLogs.insert(key, m_logs.take(key));
    m_dnodes.insert(key, dnode);
    writeHostsFile();
    startAdapter(dnode.get());

    dnode->timer.setInterval(kProbeMs);
    const bool joined = QFileInfo::exists(dnode->dataDir + u"/dnode/dnode.json"_s) ||
                        QFileInfo::exists(dnode->dataDir + u"/dnode/mnodeEpSet.json"_s);
    const QString firstEpHost = splitEndpoint(dnode->firstEp).first;
    if (joined || dnode->fqdn == firstEpHost) {
        startTaosd(key);
    } else if (dnode->firstEp.isEmpty()) {
        appendLog(dnode.get(), u"run TDengine with single node."_s);
        startTaosd(key);
    } else {
        connect(&dnode->timer, &QTimer::timeout, this, [this, key] { joinThroughFirstEp(key); });
        joinThroughFirstEp(key);
        dnode->timer.start();
    }
}

// entrypoint.sh on a first start: `taos -h FIRST_EP_HOST -P PORT --check` every second until it
// says "2: service ok", then `taos ... -s 'create dnode "<fqdn>:<port>";'` (its outcome only logged,
// as the script does), then taosd.
void RealTaosdRuntime::joinThroughFirstEp(const QString &key)
{
    Dnode *dnode = m_dnodes.value(key).get();
    if (!dnode || dnode->probing)
        return;
    dnode->probing = true;
    const auto [host, port] = splitEndpoint(dnode->firstEp);
    const QStringList to{u"-h"_s, host, u"-P"_s, QString::number(port)};
    runInPod(dnode, dnode->configDir + u"/bin/taos"_s, to + QStringList{u"--check"_s}, kCheckTimeoutMs,
             [this, key, to](int, const QByteArray &out) {
                 Dnode *dnode = m_dnodes.value(key).get();
                 if (!dnode)
                     return;
                 static const QRegularExpression status(u"^([0-9]+):.*$"_s,
                                                        QRegularExpression::MultilineOption);
                 const QRegularExpressionMatch match = status.match(QString::fromUtf8(out).remove(u'\r'));
                 appendLog(dnode, match.hasMatch() ? match.captured(0) : QString::fromUtf8(out).trimmed());
                 if (!match.hasMatch() || match.captured(1) != u"2") {
                     dnode->probing = false;
                     return;
                 }
                 dnode->timer.stop();
                 dnode->timer.disconnect();
                 appendLog(dnode, u"execute create dnode"_s);
                 const QString sql =
                     u"create dnode \""_s + dnode->fqdn + u':' + QString::number(dnode->port) + u"\";"_s;
                 runInPod(dnode, dnode->configDir + u"/bin/taos"_s, to + QStringList{u"-s"_s, sql}, -1,
                          [this, key](int, const QByteArray &out) {
                              Dnode *dnode = m_dnodes.value(key).get();
                              if (!dnode)
                                  return;
                              for (const QString &line : QString::fromUtf8(out).split(u'\n')) {
                                  if (!line.trimmed().isEmpty())
                                      appendLog(dnode, line.trimmed());
                              }
                              dnode->probing = false;
                              startTaosd(key);
                          });
             });
}

// One program in the pod's environment (the image's tools, the kubelet's probe), killed with the
// container or after `timeoutMs` (-1: none); `done` gets its exit code (-1 when killed or not
// started) and its output, stdout and stderr together.
void RealTaosdRuntime::runInPod(Dnode *dnode, const QString &program, const QStringList &arguments,
                                int timeoutMs, std::function<void(int, const QByteArray &)> done)
{
    auto *process = new QProcess(this);
    configureProcess(process, *dnode, true);
    process->setProcessChannelMode(QProcess::MergedChannels);
    dnode->execs.append(process);
    connect(process, &QProcess::finished, this, [process, done](int code, QProcess::ExitStatus status) {
        done(status == QProcess::CrashExit ? -1 : code, process->readAll());
        process->deleteLater();
    });
    connect(process, &QProcess::errorOccurred, this, [process, done](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        done(-1, process->errorString().toUtf8());
        process->deleteLater();
    });
    if (timeoutMs > 0)
        QTimer::singleShot(timeoutMs, process, [process] { killProcessGroup(process); });
    process->start(program, arguments);
    process->closeWriteChannel();
}

void RealTaosdRuntime::startTaosd(const QString &key)
{
    Dnode *dnode = m_dnodes.value(key).get();
    if (!dnode)
        return;
    auto *taosd = new QProcess(this);
    taosd->setObjectName(key);
    configureProcess(taosd, *dnode, true);
    taosd->setProcessChannelMode(QProcess::MergedChannels);
    connect(taosd, &QProcess::readyRead, this, [this, taosd, key] {
        Dnode *dnode = m_dnodes.value(key).get();
        while (taosd->canReadLine()) {
            const QString line = QString::fromUtf8(taosd->readLine()).trimmed();
            if (dnode && dnode->taosd == taosd && !line.isEmpty())
                appendLog(dnode, line);
        }
    });
    connect(taosd, &QProcess::finished, this, [this, taosd, key](int code, QProcess::ExitStatus status) {
        Dnode *dnode = m_dnodes.value(key).get();
        if (dnode && dnode->taosd == taosd) {
            // taosd exits by itself when its dnode was dropped (3.0, FACTS.md section 3): the
            // container has ended; the pod shows not ready (no restart is simulated).
            appendLog(dnode, status == QProcess::CrashExit
                                 ? u"taosd was killed"_s
                                 : u"taosd exited with code "_s + QString::number(code));
            dnode->taosd = nullptr;
            probe(key);
        }
        taosd->deleteLater();
    });
    dnode->taosd = taosd;
    taosd->start(m_installDir + u"/bin/taosd"_s, {u"-c"_s, dnode->configDir});
    dnode->timer.disconnect();
    connect(&dnode->timer, &QTimer::timeout, this, [this, key] { probe(key); });
    dnode->timer.start();
}

void RealTaosdRuntime::startAdapter(Dnode *dnode)
{
    auto *process = new QProcess;
    configureProcess(process, *dnode, true);
    dnode->adapter = new TaosAdapter(process, this);
    const QString key = dnode->key;
    connect(dnode->adapter, &TaosAdapter::logLine, this, [this, key](const QString &text) {
        if (Dnode *dnode = m_dnodes.value(key).get())
            appendLog(dnode, text);
    });
    dnode->adapter->start(m_installDir + u"/lib/libtaos.so"_s, dnode->configDir);
}

// The readiness probe: what the image's taos-check script does (`taos --check` against the local
// dnode; a pass unless it says 0 unavailable or 4 exiting, or says nothing: not a sign that the
// dnode joined, FACTS.md section 6), run as the kubelet runs an exec probe: the pod's
// readinessProbe timeoutSeconds and failureThreshold (Kubernetes' defaults 1 s and 3), one success
// to be ready. Every second rather than every periodSeconds, so that Ready follows taosd sooner.
// `taos --check` itself, not the script through sh: a process of our own to kill on timeout.
void RealTaosdRuntime::probe(const QString &key)
{
    Dnode *dnode = m_dnodes.value(key).get();
    if (!dnode)
        return;
    auto setReady = [this, key](bool ready) {
        Dnode *dnode = m_dnodes.value(key).get();
        if (!dnode || dnode->ready == ready)
            return;
        qCDebug(lcTaosd, "%s: taos-check says %s", qPrintable(key), ready ? "ready" : "not ready");
        dnode->ready = ready;
        emit readinessChanged(dnode->ns, dnode->name);
    };
    if (!dnode->taosd) {
        dnode->probeFailures = 0;
        setReady(false);
        return;
    }
    if (dnode->probing)
        return;
    dnode->probing = true;
    runInPod(dnode, dnode->configDir + u"/bin/taos"_s, {u"--check"_s}, dnode->probeTimeoutMs,
             [this, key, setReady](int, const QByteArray &out) {
                 Dnode *dnode = m_dnodes.value(key).get();
                 if (!dnode)
                     return;
                 dnode->probing = false;
                 static const QRegularExpression status(u"^([0-9]+):"_s, QRegularExpression::MultilineOption);
                 const QRegularExpressionMatch match = status.match(QString::fromUtf8(out));
                 const bool pass = match.hasMatch() && match.captured(1) != u"0" && match.captured(1) != u"4";
                 dnode->probeFailures = pass ? 0 : dnode->probeFailures + 1;
                 if (pass)
                     setReady(true);
                 else if (dnode->probeFailures >= dnode->probeFailureThreshold)
                     setReady(false);
             });
}

void RealTaosdRuntime::stopDnode(const QString &key, bool graceful)
{
    const std::shared_ptr<Dnode> dnode = m_dnodes.take(key);
    if (!dnode)
        return;
    dnode->timer.stop();
    for (const QPointer<QProcess> &process : std::as_const(dnode->execs)) {
        if (process)
            killProcessGroup(process);
    }
    if (TaosAdapter *adapter = std::exchange(dnode->adapter, nullptr)) {
        adapter->stop();
        adapter->deleteLater();
    }
    QProcess *taosd = std::exchange(dnode->taosd, nullptr);
    if (!taosd)
        return;
    m_logs[key].append({QDateTime::currentDateTimeUtc(),
                        graceful ? u"taosd received SIGTERM, shutting down"_s : u"taosd killed (SIGKILL)"_s});
    if (!graceful) {
        killProcessGroup(taosd);
        taosd->waitForFinished(5000);
        return;
    }
    // A pod deletion: SIGTERM, SIGKILL after the grace period. The process keeps its object name
    // ("ns/pod") until it is gone, so that a new container of the pod can wait for it.
    taosd->terminate();
    QTimer::singleShot(kGraceMs, taosd, [taosd] { killProcessGroup(taosd); });
}

void RealTaosdRuntime::containerStopped(const QJsonObject &pod)
{
    if (!SandboxRuntime::isTdengine(pod))
        return;
    stopDnode(podKey(pod), metadataOf(pod).contains(u"deletionTimestamp"));
}

bool RealTaosdRuntime::probeReady(const QJsonObject &pod) const
{
    const Dnode *dnode = dnodeOf(pod);
    return dnode && dnode->ready;
}

QList<PodRuntime::LogLine> RealTaosdRuntime::log(const QJsonObject &pod, const QString &container,
                                                 bool previous) const
{
    Q_UNUSED(container);
    return previous ? m_previousLogs.value(podKey(pod)) : m_logs.value(podKey(pod));
}

QByteArray RealTaosdRuntime::taosCfg(const QJsonObject &pod) const
{
    QFile file(m_workDir + u"/pods/"_s + namespaceOf(pod) + u'/' + nameOf(pod) + u"/taos.cfg"_s);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool RealTaosdRuntime::listens(const QJsonObject &pod, int port) const
{
    const Dnode *dnode = dnodeOf(pod);
    if (!dnode)
        return false;
    return (port == 6041 && dnode->adapter && dnode->adapter->isRunning()) ||
           (port == dnode->port && dnode->taosd);
}

QString RealTaosdRuntime::tcpEndpoint(const QJsonObject &pod, int port) const
{
    const Dnode *dnode = dnodeOf(pod);
    if (!dnode || !dnode->taosd || port != dnode->port)
        return {};
    return dnode->address + u':' + QString::number(port);
}

bool RealTaosdRuntime::speaksHttp(const QJsonObject &pod, int port) const
{
    Q_UNUSED(pod);
    return port == 6041;
}

// `taos ...` runs the real CLI with the pod's taos.cfg (its firstEp, then its own fqdn as
// secondEp, as in the image), `taos-check` the image's own script; both see pod names.
void RealTaosdRuntime::exec(const QJsonObject &pod, const QString &container, const QStringList &argv,
                            const QByteArray &stdinData, ExecDone done)
{
    Q_UNUSED(container);
    Dnode *dnode = dnodeOf(pod);
    if (!dnode) {
        done({{}, "error: the container is not running\n", 126});
        return;
    }
    const QString program = argv.value(0).section(u'/', -1);
    auto *process = new QProcess(this);
    configureProcess(process, *dnode, true);
    dnode->execs.append(process);
    connect(process, &QProcess::finished, this, [process, done](int code, QProcess::ExitStatus status) {
        done({process->readAllStandardOutput(), process->readAllStandardError(),
              status == QProcess::CrashExit ? 137 : code});
        process->deleteLater();
    });
    if (program == u"taos-check")
        process->start(u"/bin/sh"_s, QStringList{m_installDir + u"/image-bin/taos-check"_s} + argv.mid(1));
    else
        process->start(dnode->configDir + u"/bin/taos"_s, argv.mid(1));
    process->write(stdinData);
    process->closeWriteChannel();
}

// taosAdapter's REST API on 6041 (taosadapter.h).
void RealTaosdRuntime::http(const QJsonObject &pod, int port, const HttpRequest &request, HttpDone done)
{
    if (!listens(pod, port)) {
        done({502, {{"Content-Type", "text/plain"}}, "connection refused\n"});
        return;
    }
    if (!speaksHttp(pod, port)) { // taosd hangs up on what is not its protocol
        done({502, {{"Content-Type", "text/plain"}}, "EOF\n"});
        return;
    }
    dnodeOf(pod)->adapter->serve(request, std::move(done));
}

} // namespace tdkube::sandbox
