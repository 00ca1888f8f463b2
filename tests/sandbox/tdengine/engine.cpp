// Membership: dnodes joining through the first endpoint, status timeouts, mnode and vnode leader
// elections, and the quorum rules that decide what still answers.
#include "engine.h"

#include "errors.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QTimer>
#include <QtEndian>

using namespace Qt::StringLiterals;

namespace tdkube::sandbox::tdengine {

namespace {

// taosd's status timeout: a dnode whose status messages stop is offline after about 5 s.
constexpr int kStatusTimeoutMs = 4000;

QString dnodeTag(int id)
{
    return u"dnode:"_s + QString::number(id);
}

} // namespace

Engine::Engine(Cluster *cluster, const QString &firstEndpoint, double timeScale)
    : m_cluster(cluster)
    , m_firstEndpoint(firstEndpoint)
    , m_timeScale(timeScale)
    , m_password(u"taosdata"_s)
{
}

int Engine::scaled(int ms) const
{
    return qMax(0, int(ms * m_timeScale));
}

qint64 Engine::now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

Dnode *Engine::dnodeById(int id)
{
    const auto it = m_dnodes.find(id);
    return it == m_dnodes.end() ? nullptr : &*it;
}

const Dnode *Engine::dnodeById(int id) const
{
    const auto it = m_dnodes.constFind(id);
    return it == m_dnodes.cend() ? nullptr : &*it;
}

Dnode *Engine::dnodeByEndpoint(const QString &endpoint)
{
    for (Dnode &dnode : m_dnodes) {
        if (dnode.endpoint == endpoint)
            return &dnode;
    }
    return nullptr;
}

const Dnode *Engine::dnodeByEndpoint(const QString &endpoint) const
{
    for (const Dnode &dnode : m_dnodes) {
        if (dnode.endpoint == endpoint)
            return &dnode;
    }
    return nullptr;
}

Dnode *Engine::dnodeByData(const QString &dataId)
{
    for (Dnode &dnode : m_dnodes) {
        if (!dataId.isEmpty() && dnode.dataId == dataId)
            return &dnode;
    }
    return nullptr;
}

QString Engine::endpointOf(int dnodeId) const
{
    const Dnode *dnode = dnodeById(dnodeId);
    return dnode ? dnode->endpoint : QString();
}

Cluster::Start Engine::dnodeStarted(const QString &endpoint, const QString &dataId, int supportVnodes,
                                    const QMap<QString, QString> &taosCfg, const QString &version)
{
    log(endpoint, u"DND  taosd starting, fqdn:"_s + endpoint + u", firstEp:"_s + m_firstEndpoint);
    const DnodeConfig config = readTaosCfg(endpoint, supportVnodes, taosCfg, version);
    m_waiting.removeIf([&](const Waiting &entry) { return entry.endpoint == endpoint; });
    if (m_droppedData.contains(dataId)) {
        log(endpoint, u"DND  ERROR failed to send status req since Dnode does not exist: the data directory "
                      u"belongs to a dropped dnode"_s);
        return Cluster::Start::Refused;
    }
    if (Dnode *dnode = dnodeByData(dataId)) {
        rejoin(*dnode, dataId, config);
        return Cluster::Start::Joined;
    }
    if (m_dnodes.isEmpty() && m_nextDnodeId == 1 && endpoint == m_firstEndpoint) {
        found(endpoint, dataId, config);
        return Cluster::Start::Joined;
    }
    if (Dnode *dnode = dnodeByEndpoint(endpoint)) {
        adoptFreshData(*dnode, dataId, config);
        return Cluster::Start::Joined;
    }
    if (!hasMnodeLeader()) {
        m_waiting.append({endpoint, dataId, config});
        log(endpoint, u"DND  failed to connect to firstEp "_s + m_firstEndpoint + u", will retry"_s);
        return Cluster::Start::Waiting;
    }
    registerDnode(endpoint, dataId, config);
    reconcile();
    changed();
    return Cluster::Start::Joined;
}

// The first dnode of a cluster deploys the first mnode and becomes its leader.
void Engine::found(const QString &endpoint, const QString &dataId, const DnodeConfig &config)
{
    m_clusterCreateTime = now();
    const QByteArray digest = QCryptographicHash::hash(
        (endpoint + QString::number(m_clusterCreateTime)).toUtf8(), QCryptographicHash::Sha1);
    m_clusterId = qAbs(qFromBigEndian<qint64>(digest.constData()));
    Dnode &dnode = registerDnode(endpoint, dataId, config);
    m_mnodes.insert(dnode.id, Mnode{dnode.id, now(), now()});
    m_mnodeLeader = dnode.id;
    log(endpoint,
        u"MND  mnode:1 deployed on dnode:1, cluster:"_s + QString::number(m_clusterId) + u" created"_s);
    log(endpoint, u"SYN  vgId:1, mnode became leader, term:1"_s);
    reconcile();
    changed();
}

// What the image's entrypoint does for a new data directory: `create dnode` through the first
// endpoint; the new taosd then reports its status and is ready.
Dnode &Engine::registerDnode(const QString &endpoint, const QString &dataId, const DnodeConfig &config)
{
    Dnode dnode;
    dnode.id = m_nextDnodeId++;
    dnode.endpoint = endpoint;
    dnode.dataId = dataId;
    dnode.config = config;
    dnode.supportVnodes = config.value(u"supportVnodes"_s).toInt();
    dnode.createTime = now();
    dnode.rebootTime = dnode.createTime;
    dnode.running = true;
    dnode.online = true;
    m_dnodes.insert(dnode.id, dnode);
    log(endpoint, u"DND  "_s + dnodeTag(dnode.id) + u", joined the cluster through "_s + m_firstEndpoint +
                      u", status:ready"_s);
    if (!leaderEndpoint().isEmpty() && leaderEndpoint() != endpoint)
        log(leaderEndpoint(), u"MND  "_s + dnodeTag(dnode.id) + u", ep:"_s + endpoint + u" created"_s);
    statusChanged(endpoint);
    return m_dnodes[dnode.id];
}

void Engine::rejoin(Dnode &dnode, const QString &dataId, const DnodeConfig &config)
{
    dnode.dataId = dataId;
    // A restart reads taos.cfg again: what `alter dnode` changed is gone.
    dnode.config = config;
    dnode.supportVnodes = config.value(u"supportVnodes"_s).toInt();
    dnode.running = true;
    ++dnode.generation;
    // Back before its status timed out: nothing waits for that timeout any more.
    if (m_delays)
        m_delays->close(m_statusTimeouts.take(dnode.id), now());
    dnode.rebootTime = now();
    const bool wasOnline = dnode.online;
    dnode.online = true;
    dnode.note.clear();
    log(dnode.endpoint,
        u"DND  "_s + dnodeTag(dnode.id) + u", restarted on its data, status msg sent to mnode"_s);
    if (!wasOnline && !leaderEndpoint().isEmpty())
        log(leaderEndpoint(), u"MND  "_s + dnodeTag(dnode.id) + u", is online again"_s);
    statusChanged(dnode.endpoint);
    reconcile();
    changed();
}

// A taosd with an empty data directory at the endpoint of a known dnode: the mnode hands it that
// dnode's id, and it is ready, but its vnodes are gone and nothing rebuilds them (observed on 3.3.6.6:
// `offline`, applied/committed 0/0, for as long as the dnode stays): a replica-1 vgroup there has lost
// its data, a replicated one runs a replica short.
void Engine::adoptFreshData(Dnode &dnode, const QString &dataId, const DnodeConfig &config)
{
    for (Vgroup &vgroup : m_vgroups) {
        if (!vgroup.dnodes.contains(dnode.id) || vgroup.lostOn.contains(dnode.id))
            continue;
        vgroup.lostOn.append(dnode.id);
        if (vgroup.dnodes.size() == 1)
            vgroup.rows.clear();
    }
    log(dnode.endpoint,
        u"DND  "_s + dnodeTag(dnode.id) + u", started on an empty data directory, taking over"_s);
    rejoin(dnode, dataId, config);
}

void Engine::dnodeStopped(const QString &endpoint)
{
    m_waiting.removeIf([&](const Waiting &entry) { return entry.endpoint == endpoint; });
    Dnode *dnode = dnodeByEndpoint(endpoint);
    if (!dnode || !dnode->running)
        return;
    dnode->running = false;
    const int generation = ++dnode->generation;
    const int id = dnode->id;
    log(endpoint, u"DND  taosd is stopping"_s);
    statusChanged(endpoint);
    const DelayLedger::Id delay = m_delays ? m_delays->open(DelayLedger::Kind::StatusTimeout, now()) : 0;
    if (delay != 0)
        m_statusTimeouts.insert(id, delay);
    QTimer::singleShot(scaled(kStatusTimeoutMs), m_cluster, [this, id, generation, delay] {
        if (m_delays)
            m_delays->close(delay, now());
        if (m_statusTimeouts.value(id) == delay)
            m_statusTimeouts.remove(id);
        markOffline(id, generation);
    });
}

void Engine::markOffline(int dnodeId, int generation)
{
    Dnode *dnode = dnodeById(dnodeId);
    if (!dnode || dnode->generation != generation || dnode->running)
        return;
    dnode->online = false;
    dnode->note = u"status msg timeout"_s;
    const QString leader = leaderEndpoint();
    if (!leader.isEmpty() && leader != dnode->endpoint)
        log(leader, u"MND  "_s + dnodeTag(dnodeId) + u", status msg timeout, set it offline"_s);
    const QString endpoint = dnode->endpoint;
    reconcile();
    statusChanged(endpoint);
    changed();
}

bool Engine::isServing(const QString &endpoint) const
{
    const Dnode *dnode = dnodeByEndpoint(endpoint);
    return dnode && dnode->running && dnode->online;
}

int Engine::dnodeIdOf(const QString &endpoint) const
{
    const Dnode *dnode = dnodeByEndpoint(endpoint);
    return dnode ? dnode->id : 0;
}

bool Engine::checkPassword(const QString &user, const QString &password) const
{
    return user == u"root" && password == m_password;
}

// After every membership change: leaders follow the online dnodes and waiting taosds join.
void Engine::reconcile()
{
    electMnodeLeader();
    electVgroupLeaders();
    joinWaiting();
}

// Raft: the leader stays while its dnode is online and a majority of mnodes is; otherwise the
// lowest online mnode wins, if a majority is online.
void Engine::electMnodeLeader()
{
    int online = 0;
    for (const Mnode &mnode : std::as_const(m_mnodes))
        online += isOnline(mnode.dnodeId) ? 1 : 0;
    const bool quorum = online * 2 > m_mnodes.size();
    if (quorum && m_mnodeLeader != 0 && isOnline(m_mnodeLeader))
        return;
    const int before = m_mnodeLeader;
    m_mnodeLeader = 0;
    if (quorum) {
        for (const Mnode &mnode : std::as_const(m_mnodes)) {
            if (isOnline(mnode.dnodeId)) {
                m_mnodeLeader = mnode.dnodeId;
                break;
            }
        }
    }
    if (before == m_mnodeLeader)
        return;
    for (Mnode &mnode : m_mnodes)
        mnode.roleTime = now();
    if (m_mnodeLeader != 0) {
        log(leaderEndpoint(), u"SYN  vgId:1, mnode:"_s + QString::number(m_mnodeLeader) +
                                  u" became leader, "_s + QString::number(online) + u" of "_s +
                                  QString::number(m_mnodes.size()) + u" mnodes online"_s);
    } else if (const Dnode *old = dnodeById(before)) {
        log(old->endpoint, u"SYN  vgId:1, mnode lost its quorum, no leader"_s);
    }
}

void Engine::electVgroupLeaders()
{
    for (Vgroup &vgroup : m_vgroups) {
        if (vgroup.leader != 0 && vnodeServes(vgroup, vgroup.leader) && hasQuorum(vgroup) &&
            vgroup.dnodes.contains(vgroup.leader))
            continue;
        const int before = vgroup.leader;
        vgroup.leader = hasQuorum(vgroup) ? pickLeader(vgroup) : 0;
        if (vgroup.leader != before && vgroup.leader != 0 && vgroup.dnodes.size() > 1) {
            log(endpointOf(vgroup.leader),
                u"SYN  vgId:"_s + QString::number(vgroup.id) + u", vnode became leader"_s);
        }
    }
}

// The online vnode on the dnode with the fewest leaders (ties: the lowest dnode id).
int Engine::pickLeader(const Vgroup &vgroup) const
{
    int best = 0;
    for (const int dnodeId : vgroup.dnodes) {
        if (vnodeServes(vgroup, dnodeId) && (best == 0 || leadersOn(dnodeId) < leadersOn(best)))
            best = dnodeId;
    }
    return best;
}

void Engine::joinWaiting()
{
    if (!hasMnodeLeader() || m_waiting.isEmpty())
        return;
    const QList<Waiting> waiting = std::exchange(m_waiting, {});
    for (const Waiting &entry : waiting) {
        if (m_droppedData.contains(entry.dataId))
            continue;
        if (Dnode *dnode = dnodeByData(entry.dataId))
            rejoin(*dnode, entry.dataId, entry.config);
        else if (Dnode *known = dnodeByEndpoint(entry.endpoint))
            adoptFreshData(*known, entry.dataId, entry.config);
        else
            registerDnode(entry.endpoint, entry.dataId, entry.config);
    }
    changed();
}

bool Engine::hasMnodeLeader() const
{
    return m_mnodeLeader != 0;
}

QString Engine::leaderEndpoint() const
{
    return endpointOf(m_mnodeLeader);
}

int Engine::vnodesOn(int dnodeId) const
{
    int count = 0;
    for (const Vgroup &vgroup : m_vgroups)
        count += int(vgroup.dnodes.count(dnodeId));
    return count;
}

int Engine::leadersOn(int dnodeId) const
{
    int count = 0;
    for (const Vgroup &vgroup : m_vgroups)
        count += vgroup.leader == dnodeId ? 1 : 0;
    return count;
}

bool Engine::isOnline(int dnodeId) const
{
    const Dnode *dnode = dnodeById(dnodeId);
    return dnode && dnode->online;
}

bool Engine::vnodeServes(const Vgroup &vgroup, int dnodeId) const
{
    return isOnline(dnodeId) && !vgroup.lostOn.contains(dnodeId);
}

int Engine::onlineVnodes(const Vgroup &vgroup) const
{
    int online = 0;
    for (const int dnodeId : vgroup.dnodes)
        online += vnodeServes(vgroup, dnodeId) ? 1 : 0;
    return online;
}

bool Engine::hasQuorum(const Vgroup &vgroup) const
{
    return onlineVnodes(vgroup) * 2 > vgroup.dnodes.size();
}

// What a client gets from a vgroup without a leader. A single-replica vgroup has one endpoint only:
// with its pod gone the client cannot even resolve it (the message of the 2.x seed story); a raft
// group without a majority keeps answering "not leader" (what 3.x users report).
std::optional<Result> Engine::vgroupError(int vgroupId) const
{
    const Vgroup &vgroup = m_vgroups[vgroupId];
    if (vgroup.leader != 0)
        return std::nullopt;
    return failure(vgroup.dnodes.size() == 1 ? kFqdnError : kSyncLeaderUnreachable);
}

void Engine::log(const QString &endpoint, const QString &text)
{
    if (!endpoint.isEmpty())
        emit m_cluster->logLine(endpoint, text);
}

void Engine::changed()
{
    emit m_cluster->changed();
}

void Engine::statusChanged(const QString &endpoint)
{
    emit m_cluster->dnodeStatusChanged(endpoint);
}

} // namespace tdkube::sandbox::tdengine
