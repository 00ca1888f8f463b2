// The mnode transactions that take time: `drop dnode` (moves every vnode off the dnode, then removes
// it; the client waits until the end) and `balance vgroup`. Rules follow mndProcessDropDnodeReq /
// mndSetMoveVgroupsInfoToTrans (source/dnode/mnode/impl/src/mndDnode.c, mndVgroup.c).
#include "engine.h"
#include "errors.h"
#include "lexer.h"

#include <QTimer>

using namespace Qt::StringLiterals;

namespace tdkube::sandbox::tdengine {

namespace {

constexpr int kIdleTransactionMs = 300;
// How long a leader that took over from a moved vnode stays `leader**` ("for a moment" in FACTS.md
// section 3; the length is this simulator's choice).
constexpr int kLeaderRestoreMs = 1000;

Result ok()
{
    return Result();
}

Result syntaxError(const Cursor &c)
{
    return failure(kSyntaxError, u"syntax error near \""_s + c.rest() + u'"');
}

QString vg(int id)
{
    return u"vgId:"_s + QString::number(id);
}

} // namespace

void Engine::dropDnode(Cursor &c, Done done)
{
    Dnode *dnode = nullptr;
    if (c.peek().kind == Token::Kind::Number)
        dnode = dnodeById(c.take().text.toInt());
    else if (c.peek().kind == Token::Kind::String)
        dnode = dnodeByEndpoint(c.take().text);
    else
        return done(syntaxError(c));
    // `force_opt` or `unsafe_opt` in sql.y: one of the two words, never both.
    bool force = c.acceptWord("force"_L1);
    const bool unsafe = !force && c.acceptWord("unsafe"_L1);
    if (!c.atEnd())
        return done(syntaxError(c));
    if (!dnode)
        return done(failure(kDnodeNotExist));
    force = force || unsafe; // "unsafe" implies "force"
    if (const std::optional<Result> error = checkDropDnode(*dnode, force, unsafe))
        return done(*error);
    QList<Move> moves;
    if (const std::optional<Result> error = planMoves(dnode->id, force, unsafe, &moves))
        return done(*error);
    if (force) {
        forceDrop(*dnode, moves, unsafe);
        return done(ok());
    }
    dnode->dropping = true;
    if (m_mnodes.remove(dnode->id) > 0) {
        log(dnode->endpoint, u"MND  mnode:"_s + QString::number(dnode->id) + u" dropped with its dnode"_s);
        electMnodeLeader();
    }
    Transaction &trans = startTransaction(u"drop-dnode"_s, moves, std::move(done));
    trans.dnodeId = dnode->id;
    log(leaderEndpoint(), u"MND  trans:"_s + QString::number(trans.id) + u", used to drop dnode:"_s +
                              QString::number(dnode->id) + u", "_s + QString::number(moves.size()) +
                              u" vnodes will be moved"_s);
    statusChanged(dnode->endpoint);
}

// The refusals of mndProcessDropDnodeReq, in its order; the transaction conflict comes from
// mndDropDnode, before the vnodes are planned.
std::optional<Result> Engine::checkDropDnode(const Dnode &dnode, bool force, bool unsafe) const
{
    Q_UNUSED(unsafe);
    if (m_mnodes.contains(dnode.id)) {
        if (m_mnodes.size() <= 1)
            return failure(kTooFewMnodes);
        if (dnode.id == m_mnodeLeader)
            return failure(kCantDropLeader);
    }
    if (dnode.online && force)
        return failure(kOnlyWhenOffline);
    const bool empty = !m_mnodes.contains(dnode.id) && vnodesOn(dnode.id) == 0;
    if (!dnode.online && !force && !empty)
        return failure(kDnodeOffline);
    return checkConflict();
}

std::optional<Result> Engine::planMoves(int dnodeId, bool force, bool unsafe, QList<Move> *moves) const
{
    QMap<int, int> load;
    for (const Dnode &dnode : m_dnodes)
        load[dnode.id] = vnodesOn(dnode.id);
    for (const Vgroup &vgroup : m_vgroups) {
        if (!vgroup.dnodes.contains(dnodeId))
            continue;
        const int target = pickTarget(vgroup, dnodeId, load);
        // The best candidate full is a refusal: TDengine does not try the next one.
        if (target == 0 || load.value(target) >= m_dnodes.value(target).supportVnodes)
            return failure(kOutOfDnodes);
        if (force && vgroup.dnodes.size() == 1 && !unsafe)
            return failure(kUnsafeDelete);
        load[target] += 1;
        moves->append(Move{vgroup.id, dnodeId, target});
    }
    return std::nullopt;
}

// mndAddVnodeToVgroup (mndVgroup.c): the online dnodes other than `excluded`, with support_vnodes
// above 0, sorted by (vnodes + 0.9 if it holds an mnode) / support_vnodes; the first that does not
// hold this vgroup yet, full or not (the caller refuses a full one). 0 when every one holds it.
int Engine::pickTarget(const Vgroup &vgroup, int excluded, const QMap<int, int> &load) const
{
    int best = 0;
    double bestScore = 0;
    for (const Dnode &dnode : m_dnodes) {
        if (dnode.id == excluded || !dnode.online || dnode.dropping || dnode.supportVnodes <= 0 ||
            vgroup.dnodes.contains(dnode.id))
            continue;
        const double score =
            (load.value(dnode.id) + (m_mnodes.contains(dnode.id) ? 0.9 : 0.0)) / dnode.supportVnodes;
        if (best == 0 || score < bestScore) {
            best = dnode.id;
            bestScore = score;
        }
    }
    return best;
}

// `drop dnode N force` on an offline dnode: its vnodes are recreated elsewhere at once; a
// single-replica vgroup has no peer to copy from, so its tables and rows are gone.
void Engine::forceDrop(Dnode &dnode, const QList<Move> &moves, bool unsafe)
{
    for (const Move &move : moves) {
        Vgroup &vgroup = m_vgroups[move.vgroupId];
        vgroup.dnodes[vgroup.dnodes.indexOf(move.from)] = move.to;
        vgroup.lostOn.removeAll(move.from); // the new vnode is synced from the leader
        if (vgroup.dnodes.size() == 1 && unsafe) {
            vgroup.rows.clear();
            Database &db = m_databases[vgroup.db];
            db.tables.removeIf([&](const auto &it) { return it.value().vgroupId == vgroup.id; });
            log(leaderEndpoint(), u"MND  "_s + vg(vgroup.id) + u", all data is dropped since replica=1"_s);
        }
        log(endpointOf(move.to), u"VND  "_s + vg(vgroup.id) + u", vnode created by force drop of dnode:"_s +
                                     QString::number(dnode.id));
    }
    m_mnodes.remove(dnode.id);
    dropDnodeNow(dnode.id);
}

void Engine::balanceVgroup(Cursor &c, Done done)
{
    if (!c.acceptWord("vgroup"_L1))
        return done(syntaxError(c));
    const bool leadersOnly = c.acceptWord("leader"_L1);
    if (!c.atEnd())
        return done(syntaxError(c));
    if (const std::optional<Result> conflict = checkConflict())
        return done(*conflict);
    for (const Dnode &dnode : std::as_const(m_dnodes)) {
        if (!dnode.online)
            return done(failure(kHasOfflineDnode));
    }
    if (leadersOnly) {
        balanceLeaders();
        return done(ok());
    }
    const QList<Move> moves = planBalance();
    if (moves.isEmpty()) {
        balanceLeaders();
        return done(ok());
    }
    const Transaction &trans = startTransaction(u"balance-vgroup"_s, moves, std::move(done));
    log(leaderEndpoint(), u"MND  trans:"_s + QString::number(trans.id) + u", used to balance vgroups, "_s +
                              QString::number(moves.size()) + u" vnodes will be moved"_s);
}

// Moves vnodes from the fullest dnode to the emptiest until they differ by at most one.
QList<Move> Engine::planBalance() const
{
    QMap<int, QList<int>> placement; // vgroup -> dnodes, as the plan goes
    QMap<int, int> load;
    for (const Dnode &dnode : m_dnodes) {
        if (!dnode.dropping)
            load[dnode.id] = vnodesOn(dnode.id);
    }
    for (const Vgroup &vgroup : m_vgroups)
        placement[vgroup.id] = vgroup.dnodes;
    QList<Move> moves;
    while (load.size() > 1) {
        QList<int> ids = load.keys();
        std::stable_sort(ids.begin(), ids.end(),
                         [&load](int a, int b) { return load.value(a) < load.value(b); });
        const int to = ids.first();
        const int from = ids.last();
        if (load.value(from) - load.value(to) <= 1)
            break;
        int chosen = 0;
        for (auto it = placement.cbegin(); it != placement.cend() && chosen == 0; ++it) {
            if (it.value().contains(from) && !it.value().contains(to))
                chosen = it.key();
        }
        if (chosen == 0)
            break;
        placement[chosen][placement[chosen].indexOf(from)] = to;
        load[from] -= 1;
        load[to] += 1;
        moves << Move{chosen, from, to};
    }
    return moves;
}

Transaction &Engine::startTransaction(const QString &oper, QList<Move> moves, Done done)
{
    Transaction trans;
    trans.id = m_nextTransId++;
    trans.oper = oper;
    trans.createTime = now();
    trans.lastExecTime = trans.createTime;
    trans.moves = std::move(moves);
    trans.done = std::move(done);
    const int id = trans.id;
    m_transactions.insert(id, trans);
    scheduleNextMove(id);
    changed();
    return m_transactions[id];
}

// last_action_info as mndRetrieveTrans writes it (3.0: an action in flight says 0x111).
QString Engine::actionInfo(const Transaction &trans, int code, int dnodeId) const
{
    return u"action:%1 code:0x%2(%3) msgType:create-vnode numOfEps:1 inUse:0 ep:0-%4 "_s.arg(trans.action)
        .arg(QString::number(code, 16), code == kActionInProgress ? u"Action in progress"_s : errorText(code),
             endpointOf(dnodeId));
}

void Engine::scheduleNextMove(int transId)
{
    Transaction &trans = m_transactions[transId];
    int delay = kIdleTransactionMs;
    if (!trans.moves.isEmpty()) {
        if (trans.failedTimes == 0)
            trans.lastActionInfo = actionInfo(trans, kActionInProgress, trans.moves.first().to);
        // Syncing a vnode takes longer the more rows it holds.
        qint64 rows = 0;
        for (const TableRows &table : m_vgroups.value(trans.moves.first().vgroupId).rows)
            rows += table.size();
        delay = m_vnodeMoveMs + int(qMin<qint64>(rows / 100, 5000));
    }
    const DelayLedger::Kind kind =
        trans.oper == u"drop-dnode" ? DelayLedger::Kind::DropDnode : DelayLedger::Kind::BalanceVgroup;
    const DelayLedger::Id step = m_delays ? m_delays->open(kind, now()) : 0;
    QTimer::singleShot(scaled(delay), m_cluster, [this, transId, step] {
        if (m_delays)
            m_delays->close(step, now());
        runMove(transId);
    });
}

void Engine::runMove(int transId)
{
    const auto it = m_transactions.find(transId);
    if (it == m_transactions.end())
        return;
    it->lastExecTime = now();
    if (!it->moves.isEmpty()) {
        if (!applyMove(*it)) {
            it->failedTimes += 1;
            answerEarly(*it);
            changed();
            scheduleNextMove(transId);
            return;
        }
        it->moves.removeFirst();
        it->failedTimes = 0; // as mndTrans.c: an action that succeeds starts the count again
        it->action += 1;
        it->lastActionInfo.clear();
        changed();
    }
    if (it->moves.isEmpty())
        finishTransaction(transId);
    else
        scheduleNextMove(transId);
}

// One vnode: create it on the target, let it catch up, drop the old one. Stalls (and is retried)
// while the data cannot be copied: no quorum, or a single replica whose dnode is offline.
bool Engine::applyMove(Transaction &trans)
{
    Move &move = trans.moves.first();
    const auto it = m_vgroups.find(move.vgroupId);
    if (it == m_vgroups.end() || !it->dnodes.contains(move.from))
        return true;
    Vgroup &vgroup = *it;
    if (vgroup.leader == 0) {
        // No replica to copy from: with every replica's dnode away the message cannot be sent at all.
        const bool allAway = std::none_of(vgroup.dnodes.cbegin(), vgroup.dnodes.cend(),
                                          [this](int dnode) { return isOnline(dnode); });
        trans.code = allAway ? kNetworkUnavailable : kSyncLeaderUnreachable;
        trans.lastActionInfo = actionInfo(trans, trans.code, allAway ? vgroup.dnodes.first() : move.to);
        return false;
    }
    if (!isOnline(move.to) || vgroup.dnodes.contains(move.to)) {
        QMap<int, int> load;
        for (const Dnode &dnode : std::as_const(m_dnodes))
            load[dnode.id] = vnodesOn(dnode.id);
        move.to = pickTarget(vgroup, move.from, load);
        if (move.to == 0) {
            trans.code = kOutOfDnodes;
            trans.lastActionInfo = actionInfo(trans, kOutOfDnodes, move.from);
            return false;
        }
    }
    vgroup.dnodes[vgroup.dnodes.indexOf(move.from)] = move.to;
    vgroup.lostOn.removeAll(move.from); // the new vnode is synced from the leader
    if (vgroup.leader == move.from) {
        vgroup.leader = pickLeader(vgroup);
        vgroup.leaderRestoredAt = now() + scaled(kLeaderRestoreMs);
    }
    log(endpointOf(move.to), u"VND  "_s + vg(vgroup.id) + u", vnode created, synced from leader dnode:"_s +
                                 QString::number(vgroup.leader));
    log(endpointOf(move.from), u"VND  "_s + vg(vgroup.id) + u", vnode dropped"_s);
    log(leaderEndpoint(), u"MND  "_s + vg(vgroup.id) + u", vnode moved from dnode:"_s +
                              QString::number(move.from) + u" to dnode:"_s + QString::number(move.to));
    electVgroupLeaders();
    return true;
}

// A transaction whose actions keep failing answers its client with the last action's code and goes on
// in the background (FACTS.md section 3; mndTransSendRpcRsp in mndTrans.c, 3.0.5.2: in redoAction,
// once it failed more than 6 times, more than 60 while the failure is "not leader").
void Engine::answerEarly(Transaction &trans)
{
    const int limit = trans.code == kSyncLeaderUnreachable ? 60 : 6;
    if (!trans.done || trans.failedTimes <= limit)
        return;
    const Done done = std::move(trans.done);
    trans.done = nullptr;
    log(leaderEndpoint(),
        u"MND  trans:"_s + QString::number(trans.id) + u", send rsp, stage:redoAction failedTimes:"_s +
            QString::number(trans.failedTimes) + u" code:0x"_s + QString::number(trans.code, 16));
    // As mndTransSendRpcRsp words it for the client: a network error becomes "... and will continue in
    // the background", no code at all "Unknown transaction error".
    const int code = trans.code == kNetworkUnavailable ? kTransNetworkUnavailable
                     : trans.code == 0                 ? kTransUnknownError
                                                       : trans.code;
    done(failure(code));
}

void Engine::finishTransaction(int transId)
{
    Transaction trans = m_transactions.take(transId);
    if (trans.oper == u"drop-dnode")
        dropDnodeNow(trans.dnodeId);
    else
        balanceLeaders();
    log(leaderEndpoint(),
        u"MND  trans:"_s + QString::number(transId) + u", "_s + trans.oper + u" finished"_s);
    changed();
    if (trans.done)
        trans.done(ok());
}

void Engine::dropDnodeNow(int dnodeId)
{
    const Dnode dnode = m_dnodes.take(dnodeId);
    if (!dnode.dataId.isEmpty())
        m_droppedData.insert(dnode.dataId);
    m_mnodes.remove(dnodeId);
    log(dnode.endpoint,
        u"DND  dnode:"_s + QString::number(dnodeId) + u", is dropped from the cluster and stops"_s);
    log(leaderEndpoint(), u"MND  dnode:"_s + QString::number(dnodeId) + u", dropped"_s);
    reconcile();
    statusChanged(dnode.endpoint);
    changed();
}

// Spreads vgroup leaders evenly: every vgroup with a quorum takes the dnode with the fewest leaders.
void Engine::balanceLeaders()
{
    for (Vgroup &vgroup : m_vgroups)
        vgroup.leader = 0;
    for (Vgroup &vgroup : m_vgroups)
        vgroup.leader = hasQuorum(vgroup) ? pickLeader(vgroup) : 0;
    changed();
}

} // namespace tdkube::sandbox::tdengine
