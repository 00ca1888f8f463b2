#include "sandboxruntime.h"

#include "realtaosd.h"
#include "resources.h"
#include "store.h"
#include "taos/versions.h"
#include "tdengine/cluster.h"
#include "tdengine/lexer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

const QString kTdengineImage = u"tdengine/tdengine"_s;
const QString kDataPath = u"/var/lib/taos"_s;

QString podKey(const QJsonObject &pod)
{
    return namespaceOf(pod) + u'/' + nameOf(pod);
}

QJsonObject containerOf(const QJsonObject &pod, const QString &name)
{
    const QJsonArray containers = valueAt(pod, u"spec.containers"_s).toArray();
    for (const QJsonValue &c : containers) {
        if (name.isEmpty() || c.toObject().value(u"name").toString() == name)
            return c.toObject();
    }
    return {};
}

// $(VAR) references to variables defined before, as the kubelet expands them; $$ escapes.
QString expandReferences(const QString &value, const QHash<QString, QString> &env)
{
    static const QRegularExpression reference(u"\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)"_s);
    QString result;
    qsizetype last = 0;
    auto it = reference.globalMatch(value);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        result += value.mid(last, match.capturedStart() - last);
        if (match.captured(0) == u"$$")
            result += u'$';
        else
            result += env.contains(match.captured(1)) ? env.value(match.captured(1)) : match.captured(0);
        last = match.capturedEnd();
    }
    return result + value.mid(last);
}

QString fieldRefValue(const QJsonObject &pod, const QString &path)
{
    static const QRegularExpression mapKey(u"^metadata\\.(labels|annotations)\\['(.+)'\\]$"_s);
    const QRegularExpressionMatch match = mapKey.match(path);
    if (match.hasMatch())
        return metadataOf(pod).value(match.captured(1)).toObject().value(match.captured(2)).toString();
    const QJsonValue value = valueAt(pod, path);
    return value.isDouble() ? QString::number(value.toInteger()) : value.toString();
}

// The words of one shell command: '...' literal, "..." with $VAR and \ escapes, bare words with $VAR.
QStringList shellWords(const QString &command, const QHash<QString, QString> &env, bool *ok)
{
    QStringList words;
    QString word;
    bool inWord = false;
    auto expandVariable = [&](qsizetype *i) {
        static const QRegularExpression name(
            u"^(\\{([A-Za-z_][A-Za-z0-9_]*)\\}|[A-Za-z_][A-Za-z0-9_]*|\\?)"_s);
        const QRegularExpressionMatch m = name.match(command.mid(*i + 1));
        if (!m.hasMatch()) {
            word += u'$';
            return;
        }
        const QString key = m.captured(2).isEmpty() ? m.captured(1) : m.captured(2);
        word += env.value(key);
        *i += m.capturedLength();
    };
    for (qsizetype i = 0; i < command.size(); ++i) {
        const QChar c = command.at(i);
        if (c == u'\'') {
            const qsizetype end = command.indexOf(u'\'', i + 1);
            if (end < 0)
                return *ok = false, QStringList();
            word += command.mid(i + 1, end - i - 1);
            i = end;
            inWord = true;
        } else if (c == u'"') {
            for (++i; i < command.size() && command.at(i) != u'"'; ++i) {
                if (command.at(i) == u'\\' && i + 1 < command.size() &&
                    QStringView(u"\"\\$`").contains(command.at(i + 1)))
                    word += command.at(++i);
                else if (command.at(i) == u'$')
                    expandVariable(&i);
                else
                    word += command.at(i);
            }
            if (i >= command.size())
                return *ok = false, QStringList();
            inWord = true;
        } else if (c == u'\\' && i + 1 < command.size()) {
            word += command.at(++i);
            inWord = true;
        } else if (c == u'$') {
            expandVariable(&i);
            inWord = true;
        } else if (c.isSpace()) {
            if (inWord)
                words << word;
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        words << word;
    *ok = true;
    return words;
}

// Splits a script into commands and the operator that joins each to the next (";", "&&", "||").
QList<std::pair<QString, QString>> splitScript(const QString &script)
{
    QList<std::pair<QString, QString>> commands;
    QString current;
    QChar quote;
    for (qsizetype i = 0; i < script.size(); ++i) {
        const QChar c = script.at(i);
        if (!quote.isNull()) {
            current += c;
            if (c == u'\\' && quote == u'"' && i + 1 < script.size())
                current += script.at(++i);
            else if (c == quote)
                quote = QChar();
            continue;
        }
        if (c == u'\'' || c == u'"') {
            quote = c;
            current += c;
        } else if (c == u';' || c == u'\n') {
            commands.append({current, u";"_s});
            current.clear();
        } else if ((c == u'&' || c == u'|') && i + 1 < script.size() && script.at(i + 1) == c) {
            commands.append({current, QString(c) + c});
            current.clear();
            ++i;
        } else {
            current += c;
        }
    }
    commands.append({current, u";"_s});
    commands.erase(std::remove_if(commands.begin(), commands.end(),
                                  [](const auto &command) { return command.first.trimmed().isEmpty(); }),
                   commands.end());
    return commands;
}

QByteArray lines(const QStringList &list)
{
    return list.isEmpty() ? QByteArray() : (list.join(u'\n') + u'\n').toUtf8();
}

// taos.cfg as taosd reads it from the container's TAOS_* variables (FACTS.md section 6): what the
// simulated dnode runs with and `show dnode N variables` lists.
QMap<QString, QString> taosCfgOf(const QHash<QString, QString> &env)
{
    QMap<QString, QString> cfg;
    for (auto it = env.cbegin(); it != env.cend(); ++it) {
        if (it.key().startsWith(u"TAOS_"))
            cfg.insert(SandboxRuntime::configKey(it.key()), it.value());
    }
    return cfg;
}

} // namespace

SandboxRuntime::SandboxRuntime(Store *store, double timeScale, QObject *parent)
    : PodRuntime(parent)
    , m_store(store)
    , m_timeScale(timeScale)
{
}

SandboxRuntime::~SandboxRuntime() = default;

bool SandboxRuntime::useRealTaosd(const QString &installDir, const QString &workDir, QString *error)
{
    if (!RealTaosdRuntime::checkInstall(installDir, error))
        return false;
    m_real = std::make_unique<RealTaosdRuntime>(m_store, installDir, workDir,
                                                [this](const QJsonObject &pod) { return environment(pod); });
    connect(m_real.get(), &PodRuntime::readinessChanged, this, &PodRuntime::readinessChanged);
    connect(m_real.get(), &PodRuntime::logAppended, this, &PodRuntime::logAppended);
    return true;
}

bool SandboxRuntime::isRealTaosd(const QJsonObject &pod) const
{
    return m_real && isTdengine(pod);
}

QString SandboxRuntime::configKey(const QString &envName)
{
    const QStringList parts = envName.mid(5).toLower().split(u'_', Qt::SkipEmptyParts);
    QString key;
    for (const QString &part : parts)
        key += key.isEmpty() ? part : part.left(1).toUpper() + part.mid(1);
    return key;
}

// tdengine/tdengine from any registry or mirror (docker.io/tdengine/tdengine:3.3.6.6,
// mirror.local/tdengine/tdengine:3.0.7.3), with any tag or digest.
bool SandboxRuntime::isTdengine(const QJsonObject &pod)
{
    QString repository = containerOf(pod, {}).value(u"image").toString().section(u'@', 0, 0);
    const qsizetype slash = repository.lastIndexOf(u'/');
    const qsizetype colon = repository.lastIndexOf(u':');
    if (colon > slash)
        repository.truncate(colon);
    return repository == kTdengineImage || repository.endsWith(u'/' + kTdengineImage);
}

QHash<QString, QString> SandboxRuntime::environment(const QJsonObject &pod) const
{
    QHash<QString, QString> env{
        {u"PATH"_s, u"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"_s},
        {u"HOSTNAME"_s, nameOf(pod)},
        {u"HOME"_s, u"/root"_s},
        {u"KUBERNETES_SERVICE_HOST"_s, u"10.96.0.1"_s},
        {u"KUBERNETES_SERVICE_PORT"_s, u"443"_s}};
    const QJsonObject container = containerOf(pod, {});
    for (const QJsonValue &value : container.value(u"envFrom").toArray()) {
        const QJsonObject from = value.toObject();
        const QString configMap = from.value(u"configMapRef").toObject().value(u"name").toString();
        const std::optional<QJsonObject> cm =
            m_store->get(*findResource({}, u"v1"_s, u"configmaps"_s), namespaceOf(pod), configMap);
        const QJsonObject data = cm ? cm->value(u"data").toObject() : QJsonObject();
        for (auto it = data.begin(); it != data.end(); ++it)
            env.insert(from.value(u"prefix").toString() + it.key(), it.value().toString());
    }
    for (const QJsonValue &value : container.value(u"env").toArray()) {
        const QJsonObject var = value.toObject();
        const QJsonObject from = var.value(u"valueFrom").toObject();
        QString resolved;
        if (from.contains(u"fieldRef")) {
            resolved = fieldRefValue(pod, from.value(u"fieldRef").toObject().value(u"fieldPath").toString());
        } else if (from.contains(u"configMapKeyRef")) {
            const QJsonObject ref = from.value(u"configMapKeyRef").toObject();
            const std::optional<QJsonObject> cm = m_store->get(
                *findResource({}, u"v1"_s, u"configmaps"_s), namespaceOf(pod), ref.value(u"name").toString());
            resolved = cm ? valueAt(*cm, u"data"_s).toObject().value(ref.value(u"key").toString()).toString()
                          : QString();
        } else {
            resolved = expandReferences(var.value(u"value").toString(), env);
        }
        env.insert(var.value(u"name").toString(), resolved);
    }
    return env;
}

QString SandboxRuntime::endpointOf(const QJsonObject &pod) const
{
    const QHash<QString, QString> env = environment(pod);
    const QString fqdn = env.value(u"TAOS_FQDN"_s, nameOf(pod));
    return fqdn + u':' + env.value(u"TAOS_SERVER_PORT"_s, u"6030"_s);
}

QString SandboxRuntime::dataIdOf(const QJsonObject &pod) const
{
    QString volume;
    for (const QJsonValue &mount : containerOf(pod, {}).value(u"volumeMounts").toArray()) {
        if (mount.toObject().value(u"mountPath").toString() == kDataPath)
            volume = mount.toObject().value(u"name").toString();
    }
    for (const QJsonValue &v : valueAt(pod, u"spec.volumes"_s).toArray()) {
        const QJsonObject object = v.toObject();
        if (object.value(u"name").toString() != volume)
            continue;
        const QString claim = valueAt(object, u"persistentVolumeClaim.claimName"_s).toString();
        if (const std::optional<QJsonObject> pvc = m_store->get(pvcsType(), namespaceOf(pod), claim))
            return uidOf(*pvc);
    }
    return uidOf(pod); // no persistent volume: the data lives and dies with the pod
}

// One TDengine cluster per StatefulSet: "ns/statefulset".
QString SandboxRuntime::clusterKey(const QJsonObject &pod)
{
    QString owner;
    for (const QJsonValue &ref : metadataOf(pod).value(u"ownerReferences").toArray()) {
        if (ref.toObject().value(u"kind").toString() == u"StatefulSet")
            owner = ref.toObject().value(u"name").toString();
    }
    if (owner.isEmpty())
        owner = nameOf(pod).section(u'-', 0, -2);
    return namespaceOf(pod) + u'/' + owner;
}

void SandboxRuntime::setDelayLedger(DelayLedger *ledger)
{
    m_delays = ledger;
    for (const ClusterEntry &entry : std::as_const(m_clusters))
        entry.cluster->setDelayLedger(ledger);
}

void SandboxRuntime::attach(tdengine::Cluster *cluster)
{
    cluster->setDelayLedger(m_delays);
    connect(cluster, &tdengine::Cluster::changed, this, &SandboxRuntime::changed);
    connect(cluster, &tdengine::Cluster::dnodeStatusChanged, this, [this](const QString &endpoint) {
        const QString pod = m_podOfEndpoint.value(endpoint);
        if (!pod.isEmpty())
            emit readinessChanged(pod.section(u'/', 0, 0), pod.section(u'/', 1));
    });
    connect(cluster, &tdengine::Cluster::logLine, this, [this](const QString &endpoint, const QString &text) {
        const QString pod = m_podOfEndpoint.value(endpoint);
        if (!pod.isEmpty())
            appendLog(pod.section(u'/', 0, 0), pod.section(u'/', 1), QString(), text);
    });
}

tdengine::Cluster *SandboxRuntime::clusterFor(const QJsonObject &pod, bool create)
{
    const QString key = clusterKey(pod);
    auto it = m_clusters.find(key);
    if (it != m_clusters.end() || !create)
        return it == m_clusters.end() ? nullptr : it->cluster.get();
    const QHash<QString, QString> env = environment(pod);
    ClusterEntry entry;
    entry.cluster =
        std::make_shared<tdengine::Cluster>(env.value(u"TAOS_FIRST_EP"_s, endpointOf(pod)), m_timeScale);
    tdengine::Cluster *cluster = entry.cluster.get();
    attach(cluster);
    m_clusters.insert(key, std::move(entry));
    return cluster;
}

tdengine::Cluster *SandboxRuntime::cluster(const QString &ns, const QString &statefulSet) const
{
    const auto it = m_clusters.constFind(ns + u'/' + statefulSet);
    return it == m_clusters.cend() ? nullptr : it->cluster.get();
}

void SandboxRuntime::appendLog(const QString &ns, const QString &pod, const QString &container,
                               const QString &text)
{
    QString name = container;
    if (name.isEmpty()) {
        if (const std::optional<QJsonObject> object = m_store->get(podsType(), ns, pod))
            name = containerOf(*object, {}).value(u"name").toString();
    }
    const LogLine line{QDateTime::currentDateTimeUtc(), text};
    m_logs[ns + u'/' + pod + u'/' + name].append(line);
    emit logAppended(ns, pod, name, line);
}

void SandboxRuntime::containerStarted(const QJsonObject &pod)
{
    const QString ns = namespaceOf(pod);
    if (isRealTaosd(pod)) {
        m_running.insert(podKey(pod));
        m_real->containerStarted(pod);
        return;
    }
    const QString container = containerOf(pod, {}).value(u"name").toString();
    const QString logKey = ns + u'/' + nameOf(pod) + u'/' + container;
    if (m_logs.contains(logKey))
        m_previousLogs.insert(logKey, m_logs.take(logKey));
    m_running.insert(podKey(pod));
    if (!isTdengine(pod)) {
        appendLog(ns, nameOf(pod), container, u"container started"_s);
        return;
    }
    const QString endpoint = endpointOf(pod);
    const QString dataId = dataIdOf(pod);
    const QString image = containerOf(pod, {}).value(u"image").toString();
    appendLog(ns, nameOf(pod), container,
              u"TDengine image "_s + image + u", starting taosd and taosAdapter"_s);
    appendLog(ns, nameOf(pod), container, u"fqdn: "_s + endpoint + u", data dir: "_s + kDataPath);
    const QString key = clusterKey(pod);
    if (const auto it = m_clusters.find(key); it != m_clusters.end() && !it->dataIds.contains(dataId)) {
        // A cluster whose every data directory is gone (all its PVCs deleted) does not exist any
        // more: a new deployment on new volumes founds a new cluster.
        bool anyAlive = false;
        for (const QJsonObject &pvc : m_store->list(pvcsType(), ns))
            anyAlive = anyAlive || it->dataIds.contains(uidOf(pvc));
        if (!anyAlive)
            m_clusters.erase(it);
    }
    tdengine::Cluster *cluster = clusterFor(pod, true);
    m_clusters[key].dataIds.insert(dataId);
    m_podOfEndpoint.insert(endpoint, podKey(pod));
    // taos.cfg's supportVnodes, as the entrypoint writes it from TAOS_SUPPORT_VNODES (0 to 4096).
    int supportVnodes = tdengine::Cluster::kDefaultSupportVnodes;
    if (const QString value = environment(pod).value(u"TAOS_SUPPORT_VNODES"_s); !value.isEmpty()) {
        bool ok = false;
        const int parsed = value.toInt(&ok);
        if (ok && parsed >= 0 && parsed <= 4096)
            supportVnodes = parsed;
        else
            appendLog(ns, nameOf(pod), container,
                      u"WARN  invalid supportVnodes "_s + value + u" in taos.cfg (0 to 4096), using "_s +
                          QString::number(supportVnodes));
    }
    appendLog(ns, nameOf(pod), container, u"supportVnodes: "_s + QString::number(supportVnodes));
    // The TDengine version the image's tag names (tdengine/tdengine:3.3.6.6), as that image's taosd runs.
    const QString version = taos::imageVersion(containerOf(pod, {}).value(u"image").toString());
    switch (cluster->dnodeStarted(endpoint, dataId, supportVnodes, taosCfgOf(environment(pod)), version)) {
    case tdengine::Cluster::Start::Joined:
        appendLog(ns, nameOf(pod), container,
                  u"taosd is serving as dnode "_s + QString::number(cluster->dnodeIdOf(endpoint)));
        break;
    case tdengine::Cluster::Start::Waiting:
        appendLog(ns, nameOf(pod), container,
                  u"waiting to join the cluster through "_s + environment(pod).value(u"TAOS_FIRST_EP"_s));
        break;
    case tdengine::Cluster::Start::Refused:
        appendLog(ns, nameOf(pod), container,
                  u"ERROR: the data in "_s + kDataPath +
                      u" belongs to a dnode that was dropped from the cluster; "
                      u"taosd cannot join. Delete this pod's PVC and its data before scaling out again."_s);
        break;
    }
    emit readinessChanged(ns, nameOf(pod));
    emit changed();
}

void SandboxRuntime::containerStopped(const QJsonObject &pod)
{
    m_running.remove(podKey(pod));
    if (isRealTaosd(pod)) {
        m_real->containerStopped(pod);
        return;
    }
    if (!isTdengine(pod))
        return;
    if (tdengine::Cluster *cluster = clusterFor(pod, false))
        cluster->dnodeStopped(endpointOf(pod));
    appendLog(namespaceOf(pod), nameOf(pod), {}, u"taosd received SIGTERM, shutting down"_s);
}

bool SandboxRuntime::probeReady(const QJsonObject &pod) const
{
    if (isRealTaosd(pod))
        return m_real->probeReady(pod);
    if (!isTdengine(pod))
        return true;
    if (!m_running.contains(podKey(pod)))
        return false;
    const tdengine::Cluster *c = const_cast<SandboxRuntime *>(this)->clusterFor(pod, false);
    return c && c->isServing(endpointOf(pod));
}

QList<PodRuntime::LogLine> SandboxRuntime::log(const QJsonObject &pod, const QString &container,
                                               bool previous) const
{
    if (isRealTaosd(pod))
        return m_real->log(pod, container, previous);
    const QString name = container.isEmpty() ? containerOf(pod, {}).value(u"name").toString() : container;
    const QString key = podKey(pod) + u'/' + name;
    return previous ? m_previousLogs.value(key) : m_logs.value(key);
}

bool SandboxRuntime::listens(const QJsonObject &pod, int port) const
{
    if (isRealTaosd(pod))
        return m_real->listens(pod, port);
    return (port == 6041 || port == 6030) && isTdengine(pod) && m_running.contains(podKey(pod));
}

bool SandboxRuntime::speaksHttp(const QJsonObject &pod, int port) const
{
    if (isRealTaosd(pod))
        return m_real->speaksHttp(pod, port);
    return port != 6030;
}

QString SandboxRuntime::tcpEndpoint(const QJsonObject &pod, int port) const
{
    return isRealTaosd(pod) ? m_real->tcpEndpoint(pod, port) : QString();
}

void SandboxRuntime::http(const QJsonObject &pod, int port, const HttpRequest &request, HttpDone done)
{
    if (isRealTaosd(pod)) {
        m_real->http(pod, port, request, std::move(done));
        return;
    }
    if (!listens(pod, port)) {
        done({502, {{"Content-Type", "text/plain"}}, "connection refused\n"});
        return;
    }
    if (!speaksHttp(pod, port)) { // taosd hangs up on what is not its protocol
        done({502, {{"Content-Type", "text/plain"}}, "EOF\n"});
        return;
    }
    taosAdapter(pod, request, std::move(done));
}

void SandboxRuntime::taosAdapter(const QJsonObject &pod, const HttpRequest &request, HttpDone done)
{
    const QList<std::pair<QByteArray, QByteArray>> json{{"Content-Type", "application/json; charset=utf-8"}};
    auto reply = [&](int status, int code, const QString &desc) {
        done({status, json,
              QJsonDocument(QJsonObject{{u"code"_s, code}, {u"desc"_s, desc}})
                  .toJson(QJsonDocument::Compact)});
    };
    if (request.path == u"/-/ping") {
        done({200, {}, {}});
        return;
    }
    if (!request.path.startsWith(u"/rest/sql")) {
        done({404, {{"Content-Type", "text/plain"}}, "404 page not found"});
        return;
    }
    if (request.method != "POST") {
        done({405, {{"Content-Type", "text/plain"}}, "405 method not allowed"});
        return;
    }
    const QByteArray authorization = request.header("authorization");
    if (!authorization.startsWith("Basic ")) {
        reply(401, 4357, u"no auth info input"_s);
        return;
    }
    const QString credentials = QString::fromUtf8(QByteArray::fromBase64(authorization.mid(6).trimmed()));
    tdengine::Cluster *cluster = clusterFor(pod, false);
    if (!cluster || !cluster->checkPassword(credentials.section(u':', 0, 0), credentials.section(u':', 1))) {
        // TDengine's own refusal, passed on as taosAdapter passes every error: HTTP 200 (FACTS.md
        // section 5); 401 is only for a missing or malformed header.
        reply(200, 855, u"Authentication failure"_s);
        return;
    }
    const QString database = request.path.mid(QStringLiteral("/rest/sql").size()).section(u'/', 1, 1);
    const QString sql = QString::fromUtf8(request.body).trimmed();
    if (sql.isEmpty()) {
        reply(400, 0xFFFF, u"sql is empty"_s);
        return;
    }
    cluster->execute(sql, database, endpointOf(pod), [this, sql, done, json](tdengine::Result result) {
        cutShort(sql, &result);
        done({200, json, QJsonDocument(result.toRest()).toJson(QJsonDocument::Compact)});
    });
}

void SandboxRuntime::cutShortResults(int count, int keepRows, const QString &matching)
{
    m_cutShort = {std::max(count, 0), std::max(keepRows, 0), matching};
}

// taosAdapter writes the header and `"data":[` before it fetches; a fetch error ends the rows there and
// the answer still says code 0 with "rows" = the rows so far (FACTS.md section 5).
void SandboxRuntime::cutShort(const QString &sql, tdengine::Result *result)
{
    if (m_cutShort.count <= 0 || !result->ok() || !result->hasResultSet ||
        !sql.contains(m_cutShort.matching, Qt::CaseInsensitive))
        return;
    --m_cutShort.count;
    if (result->rows.size() > m_cutShort.keepRows)
        result->rows.resize(m_cutShort.keepRows);
}

void SandboxRuntime::exec(const QJsonObject &pod, const QString &container, const QStringList &argv,
                          const QByteArray &stdinData, ExecDone done)
{
    Q_UNUSED(container);
    if (!m_running.contains(podKey(pod))) {
        done({{}, "error: the container is not running\n", 126});
        return;
    }
    runShell(pod, argv, stdinData, std::move(done));
}

QString SandboxRuntime::catFile(const QJsonObject &pod, const QString &path, bool *found) const
{
    *found = true;
    if (path == u"/etc/hostname")
        return nameOf(pod) + u'\n';
    if (path == u"/etc/hosts") {
        return u"127.0.0.1\tlocalhost\n"_s + valueAt(pod, u"status.podIP"_s).toString() + u'\t' +
               endpointOf(pod).section(u':', 0, 0) + u'\t' + nameOf(pod) + u'\n';
    }
    if (path == u"/etc/taos/taos.cfg" && isRealTaosd(pod)) {
        const QByteArray cfg = m_real->taosCfg(pod);
        *found = !cfg.isEmpty();
        return QString::fromUtf8(cfg);
    }
    if (path == u"/etc/taos/taos.cfg" && isTdengine(pod)) {
        const QHash<QString, QString> env = environment(pod);
        QStringList keys = env.keys();
        keys.sort();
        QString cfg = u"# generated from TAOS_* environment variables by the image's entrypoint\n"_s;
        for (const QString &key : std::as_const(keys)) {
            if (key.startsWith(u"TAOS_"))
                cfg += configKey(key).leftJustified(24) + env.value(key) + u'\n';
        }
        return cfg;
    }
    if (path == u"/var/log/taos/taosdlog.0" && isTdengine(pod)) {
        QString text;
        for (const LogLine &line : log(pod, {}, false))
            text += line.time.toString(u"MM/dd hh:mm:ss.zzz"_s) + u' ' + line.text + u'\n';
        return text;
    }
    *found = false;
    return {};
}

void SandboxRuntime::runShell(const QJsonObject &pod, const QStringList &argv, const QByteArray &stdinData,
                              ExecDone done)
{
    const QString program = argv.value(0).section(u'/', -1);
    const QStringList args = argv.mid(1);
    if (program == u"sh" || program == u"bash" || program == u"ash") {
        if (args.value(0) == u"-c")
            runScript(pod, args.value(1), std::move(done));
        else
            runScript(pod, QString::fromUtf8(stdinData), std::move(done));
        return;
    }
    if ((program == u"taos" || program == u"taos-check") && isRealTaosd(pod)) {
        m_real->exec(pod, {}, argv, stdinData, std::move(done));
        return;
    }
    if (program == u"taos") {
        QStringList withStdin = argv;
        if (!args.contains(u"-s"_s) && !stdinData.trimmed().isEmpty())
            withStdin << u"-s"_s << QString::fromUtf8(stdinData);
        runTaos(pod, withStdin, std::move(done));
        return;
    }
    if (program == u"taos-check") {
        const bool serving = probeReady(pod);
        done({{}, serving ? QByteArray() : QByteArray("taosd is not serving\n"), serving ? 0 : 1});
        return;
    }
    if (program == u"env" || program == u"printenv") {
        const QHash<QString, QString> env = environment(pod);
        QStringList out;
        for (auto it = env.begin(); it != env.end(); ++it)
            out << it.key() + u'=' + it.value();
        out.sort();
        done({lines(out), {}, 0});
        return;
    }
    if (program == u"cat") {
        if (args.isEmpty()) {
            done({stdinData, {}, 0});
            return;
        }
        ExecResult result;
        for (const QString &path : args) {
            bool found = false;
            const QString text = catFile(pod, path, &found);
            if (found)
                result.stdoutData += text.toUtf8();
            else {
                result.stderrData += QString(u"cat: "_s + path + u": No such file or directory\n"_s).toUtf8();
                result.exitCode = 1;
            }
        }
        done(result);
        return;
    }
    if (program == u"echo") {
        const bool noNewline = args.value(0) == u"-n";
        const QString text = (noNewline ? args.mid(1) : args).join(u' ');
        done({(noNewline ? text : text + u'\n').toUtf8(), {}, 0});
        return;
    }
    if (program == u"hostname") {
        done({(nameOf(pod) + u'\n').toUtf8(), {}, 0});
        return;
    }
    if (program == u"true" || program == u"false") {
        done({{}, {}, program == u"true" ? 0 : 1});
        return;
    }
    if (program == u"exit") {
        done({{}, {}, args.value(0).toInt()});
        return;
    }
    if (program == u"sleep") {
        const int ms = int(args.value(0).toDouble() * 1000 * m_timeScale);
        QTimer::singleShot(ms, this, [done] { done({{}, {}, 0}); });
        return;
    }
    done({{},
          QString(u"exec: \""_s + argv.value(0) + u"\": executable file not found in $PATH\n"_s).toUtf8(),
          127});
}

void SandboxRuntime::runScript(const QJsonObject &pod, const QString &script, ExecDone done)
{
    struct ScriptState
    {
        QList<std::pair<QString, QString>> commands;
        qsizetype next = 0;
        ExecResult total;
        QHash<QString, QString> env;
        ExecDone done;
    };
    auto state = std::make_shared<ScriptState>();
    state->commands = splitScript(script);
    state->env = environment(pod);
    state->done = std::move(done);
    auto step = std::make_shared<std::function<void()>>();
    *step = [this, pod, state, step] {
        // Skip commands the previous operator rules out (a && b after a failure, a || b after success).
        while (state->next > 0 && state->next < state->commands.size()) {
            const QString &op = state->commands.at(state->next - 1).second;
            const bool failed = state->total.exitCode != 0;
            if ((op == u"&&" && failed) || (op == u"||" && !failed))
                ++state->next;
            else
                break;
        }
        if (state->next >= state->commands.size()) {
            state->done(state->total);
            *step = nullptr; // break the self-reference
            return;
        }
        bool ok = false;
        state->env.insert(u"?"_s, QString::number(state->total.exitCode));
        QStringList words = shellWords(state->commands.at(state->next++).first, state->env, &ok);
        if (!ok) {
            state->total.stderrData += "sh: 1: Syntax error: Unterminated quoted string\n";
            state->total.exitCode = 2;
            state->done(state->total);
            *step = nullptr;
            return;
        }
        const bool mergeStderr = words.removeAll(u"2>&1"_s) > 0;
        const bool dropStdout = words.removeAll(u">/dev/null"_s) + words.removeAll(u"1>/dev/null"_s) > 0;
        const bool dropStderr = words.removeAll(u"2>/dev/null"_s) > 0;
        const bool stdoutToStderr = words.removeAll(u">&2"_s) + words.removeAll(u"1>&2"_s) > 0;
        if (words.value(0) == u"exit") {
            state->total.exitCode = words.value(1).toInt();
            state->done(state->total);
            *step = nullptr;
            return;
        }
        runShell(pod, words, {}, [=](const ExecResult &result) {
            QByteArray out = result.stdoutData;
            QByteArray err = dropStderr ? QByteArray() : result.stderrData;
            if (mergeStderr)
                out += err, err.clear();
            if (stdoutToStderr)
                err += out, out.clear();
            state->total.stderrData += err;
            if (!dropStdout)
                state->total.stdoutData += out;
            state->total.exitCode = result.exitCode;
            if (*step)
                (*step)();
        });
    };
    (*step)();
}

void SandboxRuntime::runTaos(const QJsonObject &pod, const QStringList &argv, ExecDone done)
{
    QString sql;
    QString user = u"root"_s;
    QString password = u"taosdata"_s;
    QString database;
    for (qsizetype i = 1; i < argv.size(); ++i) {
        const QString &arg = argv.at(i);
        if (arg == u"-s" || arg == u"-h" || arg == u"-P" || arg == u"-u" || arg == u"-d" || arg == u"-c") {
            const QString value = argv.value(++i);
            if (arg == u"-s")
                sql = value;
            else if (arg == u"-u")
                user = value;
            else if (arg == u"-d")
                database = value;
        } else if (arg.startsWith(u"-p") && arg.size() > 2) {
            password = arg.mid(2);
        } else if (arg.startsWith(u"-s") && arg.size() > 2) {
            sql = arg.mid(2);
        } else if (arg == u"-V" || arg == u"--version") {
            done({"version: 3.0.7.1\n", {}, 0});
            return;
        } else if (arg == u"-k") {
            const bool serving = probeReady(pod);
            done({serving ? "2: service ok\n" : "0: unavailable\n", {}, 0});
            return;
        }
    }
    tdengine::Cluster *cluster = clusterFor(pod, false);
    if (!isTdengine(pod) || !cluster) {
        done({{}, "failed to connect to server, reason: Unable to establish connection\n", 1});
        return;
    }
    if (!cluster->checkPassword(user, password)) {
        done({{}, "failed to connect to server, reason: Authentication failure\n", 1});
        return;
    }
    if (sql.trimmed().isEmpty()) {
        done({{}, "taos: interactive mode needs a terminal; use taos -s \"SQL\"\n", 1});
        return;
    }
    // Each statement prints its own block, as the shell runs them one by one.
    const QStringList statements = tdengine::splitStatements(sql);
    auto output = std::make_shared<QByteArray>();
    auto next = std::make_shared<std::function<void(qsizetype)>>();
    const QString via = endpointOf(pod);
    auto currentDatabase = std::make_shared<QString>(database);
    *next = [cluster, statements, output, next, done, currentDatabase, via](qsizetype index) {
        if (index >= statements.size()) {
            done({*output, {}, 0});
            *next = nullptr;
            return;
        }
        QString statement = statements.at(index);
        const bool vertical = statement.endsWith(u"\\G");
        if (vertical)
            statement.chop(2);
        cluster->execute(statement, *currentDatabase, via, [=](const tdengine::Result &result) {
            // The shell keeps `use X` for the statements after it.
            static const QRegularExpression use(u"^\\s*use\\s+`?([A-Za-z0-9_]+)`?\\s*$"_s,
                                                QRegularExpression::CaseInsensitiveOption);
            const QRegularExpressionMatch match = use.match(statement);
            if (result.ok() && match.hasMatch())
                *currentDatabase = match.captured(1);
            *output += result.toCli(statements.at(index), vertical).toUtf8();
            if (*next)
                (*next)(index + 1);
        });
    };
    (*next)(0);
}

QJsonObject SandboxRuntime::save() const
{
    QJsonObject clusters;
    for (auto it = m_clusters.cbegin(); it != m_clusters.cend(); ++it) {
        QStringList ids = it->dataIds.values();
        ids.sort();
        clusters.insert(it.key(), QJsonObject{{u"cluster"_s, it->cluster->save()},
                                              {u"dataIds"_s, QJsonArray::fromStringList(ids)}});
    }
    return QJsonObject{{u"clusters"_s, clusters}};
}

bool SandboxRuntime::load(const QJsonObject &state, QString *error)
{
    const QJsonObject clusters = state.value(u"clusters").toObject();
    for (auto it = clusters.begin(); it != clusters.end(); ++it) {
        const QJsonObject saved = it.value().toObject();
        ClusterEntry entry;
        entry.cluster = std::make_shared<tdengine::Cluster>(QString(), m_timeScale);
        if (!entry.cluster->load(saved.value(u"cluster").toObject(), error)) {
            *error = u"TDengine cluster "_s + it.key() + u": "_s + *error;
            return false;
        }
        for (const QJsonValue &id : saved.value(u"dataIds").toArray())
            entry.dataIds.insert(id.toString());
        attach(entry.cluster.get());
        m_clusters.insert(it.key(), std::move(entry));
    }
    return true;
}

} // namespace tdkube::sandbox
