// The steps of an Executor that act on TDengine: mnodes, dnodes, `balance vgroup` and Verify
// (executorkubesteps.cpp has those on the StatefulSet, its pods and its claims). Each first looks at the
// cluster, so that running it again (a resume re-runs the step that was running when tdkube stopped)
// does nothing twice.
#include "kube/humanduration.h"
#include "kube/kubeclient.h"
#include "kube/objects.h"
#include "ops/executor.h"
#include "taos/clusterconnection.h"
#include "taos/restclient.h"
#include "taos/snapshotpoller.h"
#include "taos/systables.h"
#include "taos/versions.h"

#include <QJsonArray>

#include <algorithm>

namespace tdkube::ops {

using namespace Qt::StringLiterals;

namespace {

// TDengine's codes for "already as asked" (the low 16 bits, as taosAdapter reports them).
constexpr int kDnodeNotExist = 0x0331;
constexpr int kMnodeAlreadyExists = 0x03A0;
constexpr int kMnodeNotExist = 0x03A1;

const taos::Dnode *findDnode(const QList<taos::Dnode> &dnodes, int id)
{
    const auto it =
        std::find_if(dnodes.cbegin(), dnodes.cend(), [id](const taos::Dnode &d) { return d.id == id; });
    return it == dnodes.cend() ? nullptr : &*it;
}

const taos::Mnode *findMnode(const QList<taos::Mnode> &mnodes, int id)
{
    const auto it =
        std::find_if(mnodes.cbegin(), mnodes.cend(), [id](const taos::Mnode &m) { return m.id == id; });
    return it == mnodes.cend() ? nullptr : &*it;
}

QString hostOf(const QString &endpoint)
{
    const qsizetype colon = endpoint.lastIndexOf(u':');
    return colon < 0 ? endpoint : endpoint.left(colon);
}

} // namespace

// CreateMnode / DropMnode ---------------------------------------------------------------------------

// A scale-out creates mnodes on dnodes that did not exist when it was planned (dnodeId 0): each is
// found by the host of its endpoint, as the planner maps ordinals to dnodes (the port may differ).
void Executor::createMnode(const Step &step)
{
    const int planned = step.dnodeId;
    const QString endpoint = step.endpoints.value(0);
    if (planned > 0 || endpoint.isEmpty()) {
        poll([this, planned] { createMnodeOn(planned, {}); });
        return;
    }
    poll([this, endpoint] {
        if (m_resolvedDnode > 0) {
            createMnodeOn(m_resolvedDnode, endpoint);
            return;
        }
        sql(taos::kSelectDnodes, [this, endpoint](const taos::Result &result) {
            const QList<taos::Dnode> dnodes = taos::dnodesFrom(result);
            const auto it = std::find_if(dnodes.cbegin(), dnodes.cend(), [&endpoint](const taos::Dnode &d) {
                return hostOf(d.endpoint) == hostOf(endpoint);
            });
            if (it == dnodes.cend()) {
                waiting(
                    tr("the dnode of %1 to appear in ins_dnodes, to create an mnode on it").arg(endpoint));
                again();
                return;
            }
            m_resolvedDnode = it->id;
            log(tr("The dnode of %1 is dnode %2: the mnode goes there.").arg(endpoint).arg(it->id));
            createMnodeOn(it->id, endpoint);
        });
    });
}

// `endpoint` (empty for a dnode the plan named) says how the dnode was found, for the journal's message.
void Executor::createMnodeOn(int id, const QString &endpoint)
{
    sql(taos::kSelectMnodes, [this, id, endpoint](const taos::Result &result) {
        const QList<taos::Mnode> mnodes = taos::mnodesFrom(result);
        const taos::Mnode *mnode = findMnode(mnodes, id);
        if (mnode && mnode->isServing()) {
            QString message;
            if (endpoint.isEmpty())
                message = m_issued ? tr("The mnode on dnode %1 is ready (%2).").arg(id).arg(mnode->role)
                                   : tr("The mnode on dnode %1 already exists (%2): not created again.")
                                         .arg(id)
                                         .arg(mnode->role);
            else
                message = m_issued ? tr("The mnode on dnode %1 is ready (%2). (the dnode of %3)")
                                         .arg(id)
                                         .arg(mnode->role, endpoint)
                                   : tr("The mnode on dnode %1 already exists (%2): not created again. (the "
                                        "dnode of %3)")
                                         .arg(id)
                                         .arg(mnode->role, endpoint);
            completeStep(true, message);
            return;
        }
        if (mnode || m_issued) {
            waiting(mnode ? tr("the mnode on dnode %1 to be ready (it is %2, %3)")
                                .arg(id)
                                .arg(mnode->status, mnode->role)
                          : tr("the mnode created on dnode %1 to appear in ins_mnodes").arg(id));
            again();
            return;
        }
        sql(
            u"create mnode on dnode %1"_s.arg(id),
            [this](const taos::Result &) {
                m_issued = true;
                again();
            },
            [this, id](const taos::TaosError &error) {
                if (error.code == kMnodeAlreadyExists) {
                    m_issued = true;
                    again();
                    return;
                }
                const QString failed =
                    tr("`create mnode on dnode %1` failed: %2").arg(id).arg(error.describe());
                unlessItGoesOn(
                    u"create-mnode"_s, error,
                    [this] {
                        m_issued = true;
                        again();
                    },
                    [this, failed] { completeStep(false, failed); });
            });
    });
}

void Executor::dropMnode(const Step &step)
{
    const int id = step.dnodeId;
    poll([this, id] {
        readComplete(taos::kSelectMnodes, [this, id](const taos::Result &result) {
            const taos::Mnode *mnode = findMnode(taos::mnodesFrom(result), id);
            if (!mnode) {
                completeStep(true, m_issued ? tr("The mnode on dnode %1 was dropped.").arg(id)
                                            : tr("There is no mnode on dnode %1: nothing to drop.").arg(id));
                return;
            }
            if (m_issued) {
                waiting(tr("the mnode on dnode %1 to leave ins_mnodes").arg(id));
                again();
                return;
            }
            sql(
                u"drop mnode on dnode %1"_s.arg(id),
                [this](const taos::Result &) {
                    m_issued = true;
                    again();
                },
                [this, id](const taos::TaosError &error) {
                    if (error.code == kMnodeNotExist) {
                        m_issued = true;
                        again();
                        return;
                    }
                    const QString failed =
                        tr("`drop mnode on dnode %1` failed: %2").arg(id).arg(error.describe());
                    unlessItGoesOn(
                        u"drop-mnode"_s, error,
                        [this] {
                            m_issued = true;
                            again();
                        },
                        [this, failed] { completeStep(false, failed); });
                });
        });
    });
}

// DropDnode ------------------------------------------------------------------------------------------

// `drop dnode` answers only once TDengine has moved every vnode off the dnode, which takes as long
// as the data takes; it is sent once, with no timeout, while ins_dnodes, the transactions and the
// vgroups are polled beside it for progress. The step is done when the dnode has left ins_dnodes, by a
// complete read (readComplete()): a cut-short answer that lacks its row proves nothing.
void Executor::dropDnode(const Step &step)
{
    const int id = step.dnodeId;
    // `force` or `unsafe`, never both: TDengine's grammar takes one (unsafe implies force).
    QString statement = u"drop dnode %1"_s.arg(id);
    if (step.unsafe)
        statement += u" unsafe"_s;
    else if (step.force)
        statement += u" force"_s;
    poll([this, id, statement] {
        readComplete(taos::kSelectDnodes, [this, id, statement](const taos::Result &result) {
            const taos::Dnode *dnode = findDnode(taos::dnodesFrom(result), id);
            if (!dnode) {
                // The next drop, or the scale-in, waits until what this one moved has settled.
                whenVgroupsHealthy([this, id] {
                    completeStep(
                        true, m_issued ? tr("dnode %1 was dropped: it has left the cluster. Every vgroup's "
                                            "replicas are leader or follower.")
                                             .arg(id)
                                       : tr("dnode %1 is not in the cluster: nothing to drop. Every vgroup's "
                                            "replicas are leader or follower.")
                                             .arg(id));
                });
                return;
            }
            if (m_issued || dnode->state() == taos::DnodeState::Dropping) {
                dropDnodeProgress(id);
                return;
            }
            m_issued = true;
            const int run = m_run;
            sql(
                statement,
                [this, run, id](const taos::Result &) {
                    if (run != m_run)
                        return;
                    log(tr("`drop dnode %1` answered: its vnodes have moved.").arg(id));
                    pollNow(); // the dnode has left ins_dnodes by now (sql() drops this once the step ended)
                },
                [this, id, statement](const taos::TaosError &error) {
                    if (error.code == kDnodeNotExist) // gone meanwhile: the next poll says so
                        return;
                    // The progress polls go on meanwhile; they end the step once the dnode has left.
                    unlessItGoesOn(
                        u"drop-dnode"_s, error, [] {},
                        [this, id, statement, error] {
                            // No drop-dnode transaction (any more): gone (the next look says so), or refused.
                            readComplete(taos::kSelectDnodes, [this, id, statement,
                                                               error](const taos::Result &result) {
                                const taos::Dnode *dnode = findDnode(taos::dnodesFrom(result), id);
                                if (!dnode || dnode->state() == taos::DnodeState::Dropping) {
                                    pollNow();
                                    return;
                                }
                                completeStep(false,
                                             tr("`%1` was refused: %2").arg(statement, error.describe()));
                            });
                        });
                });
            dropDnodeProgress(id);
        });
    });
}

void Executor::dropDnodeProgress(int dnodeId)
{
    sql(taos::kSelectTransactions, [this, dnodeId](const taos::Result &result) {
        QStringList transactions;
        for (const taos::Transaction &t : taos::transactionsFrom(result))
            transactions.append(t.report());
        sql(taos::kSelectVgroups, [this, dnodeId, transactions](const taos::Result &vgroups) {
            const int left = taos::vnodesPerDnode(taos::vgroupsFrom(vgroups)).value(dnodeId).total();
            QStringList parts = transactions;
            parts.append(tr("%n vnode(s) left on dnode %1", nullptr, left).arg(dnodeId));
            waiting(tr("dnode %1 to be dropped: %2").arg(dnodeId).arg(parts.join(u"; ")));
            again();
        });
    });
}

// WaitDnodesReady ------------------------------------------------------------------------------------

void Executor::waitDnodesReady(const Step &step)
{
    const int replicas = step.replicas;
    const QStringList endpoints = step.endpoints;
    poll([this, replicas, endpoints] {
        sql(taos::kSelectDnodes, [this, replicas, endpoints](const taos::Result &result) {
            int ready = 0;
            QStringList readyEndpoints;
            QStringList problems;
            for (const taos::Dnode &dnode : taos::dnodesFrom(result)) {
                if (dnode.status == u"ready") {
                    ++ready;
                    readyEndpoints.append(dnode.endpoint);
                } else {
                    problems.append(
                        tr("dnode %1 (%2) is %3").arg(dnode.id).arg(dnode.endpoint, dnode.status));
                }
            }
            for (const QString &endpoint : endpoints) {
                if (!readyEndpoints.contains(endpoint))
                    problems.append(tr("%1 is not a ready dnode yet").arg(endpoint));
            }
            if (ready >= replicas && problems.isEmpty()) {
                completeStep(true, tr("%1 dnodes are ready.").arg(ready));
                return;
            }
            waiting(
                problems.isEmpty()
                    ? tr("%1 dnodes ready (%2 are)").arg(replicas).arg(ready)
                    //: %3: what is not ready yet, separated by semicolons
                    : tr("%1 dnodes ready (%2 are); %3").arg(replicas).arg(ready).arg(problems.join(u"; ")));
            again();
        });
    });
}

// BalanceVgroup --------------------------------------------------------------------------------------

// `balance vgroup` answers once every vnode it moves has caught up, which takes as long as the data
// takes (FACTS.md section 3). As a drop: sent once, with no timeout, while the transactions and the
// vnodes per dnode are polled beside it; each vnode that moves is progress, so only a balance that
// stops moving meets the step's timeout. An error that leaves its transaction running is waited out
// the same way (unlessItGoesOn), and a second try after a resume that meets the first one's
// transaction waits for it.
void Executor::balanceVgroup(const Step &)
{
    m_balanceInBackground = false;
    waiting(tr("`balance vgroup` to finish moving vnodes"));
    poll([this] { balanceProgress(); });
}

// Sends `balance vgroup` once a first read has answered (a resumed step starts before the SQL
// connection is up, and a statement sent without one is not kept), then tells the progress.
void Executor::balanceProgress()
{
    sql(taos::kSelectTransactions, [this](const taos::Result &result) {
        if (!m_issued) {
            m_issued = true;
            sql(
                u"balance vgroup"_s,
                [this](const taos::Result &) { completeStep(true, tr("The vgroups are balanced.")); },
                [this](const taos::TaosError &error) {
                    const QString failed = tr("`balance vgroup` failed: %1").arg(error.describe());
                    unlessItGoesOn(
                        u"balance-vgroup"_s, error,
                        [this] {
                            m_balanceInBackground = true;
                            pollNow();
                        },
                        [this, failed] { completeStep(false, failed); });
                });
        }
        QStringList transactions;
        for (const taos::Transaction &t : taos::transactionsFrom(result)) {
            if (t.operation == u"balance-vgroup")
                transactions.append(t.report());
        }
        if (transactions.isEmpty() && m_balanceInBackground) {
            whenVgroupsHealthy([this] {
                completeStep(true, tr("The vgroups are balanced (it finished in the background)."));
            });
            return;
        }
        sql(taos::kSelectVgroups, [this, transactions](const taos::Result &vgroups) {
            const QHash<int, taos::VnodeCount> perDnode = taos::vnodesPerDnode(taos::vgroupsFrom(vgroups));
            QList<int> ids = perDnode.keys();
            std::sort(ids.begin(), ids.end());
            QStringList counts;
            for (const int id : ids)
                counts.append(tr("dnode %1: %2").arg(id).arg(perDnode.value(id).total()));
            QStringList parts = transactions;
            parts.append(tr("vnodes per dnode: %1").arg(counts.join(u", ")));
            waiting(tr("`balance vgroup` to finish moving vnodes: %1").arg(parts.join(u"; ")));
            again();
        });
    });
}

// An error from a statement TDengine runs as a transaction that retries (drop dnode, create/drop mnode,
// balance vgroup) does not mean nothing happened: after a few failed attempts it answers with the last
// action's error and goes on in the background (FACTS.md section 3; mndTransSendRpcRsp in mndTrans.c).
// So perf_trans is read first: while a transaction `oper` runs, `goesOn`, otherwise `settled`.
void Executor::unlessItGoesOn(const QString &oper, const taos::TaosError &error,
                              const std::function<void()> &goesOn, const std::function<void()> &settled)
{
    const QString answer = error.describe();
    sql(taos::kSelectTransactions, [this, oper, answer, goesOn, settled](const taos::Result &result) {
        for (const taos::Transaction &t : taos::transactionsFrom(result)) {
            if (t.operation != oper)
                continue;
            log(tr("TDengine answered %1, but its %2 transaction goes on in the background (%3): tdkube "
                   "waits for it. %4")
                    .arg(answer, oper, t.describe(), t.advice()));
            goesOn();
            return;
        }
        settled();
    });
}

// Verify ---------------------------------------------------------------------------------------------

void Executor::verify(const Step &step)
{
    if (m_journal.plan().kind == OperationKind::Delete) {
        verifyDeleted();
        return;
    }
    const QString version = step.version;
    poll([this, version] {
        readComplete(taos::kSelectDnodes, [this, version](const taos::Result &dnodeResult) {
            const QList<taos::Dnode> dnodes = taos::dnodesFrom(dnodeResult);
            readComplete(taos::kSelectMnodes, [this, dnodes, version](const taos::Result &mnodeResult) {
                QStringList problems;
                int ready = 0;
                for (const taos::Dnode &dnode : dnodes) {
                    if (dnode.status == u"ready")
                        ++ready;
                    else
                        problems.append(
                            tr("dnode %1 (%2) is %3").arg(dnode.id).arg(dnode.endpoint, dnode.status));
                }
                const int expected = m_journal.plan().toReplicas;
                if (expected > 0 && ready != expected)
                    problems.append(tr("%1 dnodes are ready instead of %2").arg(ready).arg(expected));
                int leaders = 0;
                for (const taos::Mnode &mnode : taos::mnodesFrom(mnodeResult)) {
                    leaders += mnode.role == u"leader" && mnode.isServing() ? 1 : 0;
                    if (!mnode.isServing())
                        problems.append(tr("the mnode on dnode %1 is %2, %3")
                                            .arg(mnode.id)
                                            .arg(mnode.status, mnode.role));
                }
                if (leaders != 1)
                    problems.append(tr("%1 mnode leaders instead of 1").arg(leaders));
                if (!problems.isEmpty()) {
                    waiting(tr("a healthy cluster: %1").arg(problems.join(u"; ")));
                    again();
                    return;
                }
                const auto claimsAndRows = [this, dnodes, ready] {
                    checkDataClaims(dnodes, [this, ready] { verifyRows(ready); });
                };
                whenVgroupsHealthy([this, version, claimsAndRows] {
                    if (version.isEmpty()) {
                        claimsAndRows();
                        return;
                    }
                    // An upgrade: the cluster answers with the new version (the leader mnode's).
                    sql(taos::kSelectServerVersion, [this, version,
                                                     claimsAndRows](const taos::Result &result) {
                        const QString running = result.rowCount() > 0 ? result.text(0, 0) : QString();
                        if (taos::compareVersions(running, version) != 0) {
                            waiting(
                                tr("the cluster to answer with TDengine %1 (`select server_version()` says "
                                   "%2)")
                                    .arg(version, running));
                            again();
                            return;
                        }
                        log(tr("The cluster runs TDengine %1.").arg(running));
                        claimsAndRows();
                    });
                });
            });
        });
    });
}

// A pod back on a new claim within seconds looks healthy to TDengine (its vnodes keep the roles they
// had) while its data directory is empty: only its claim, newer than its dnode, says so
// (taos::lostVnodes). Verify reads the claims before it counts the rows.
void Executor::checkDataClaims(const QList<taos::Dnode> &dnodes, const std::function<void()> &then)
{
    const Plan &plan = m_journal.plan();
    const int run = m_run;
    const int step = m_step;
    m_client->get(
        kube::ResourceKind::statefulSets(), plan.ns, plan.statefulSet, this,
        [this, run, step, dnodes, then](const kube::KubeResponse &set) {
            if (run != m_run || step != m_step)
                return;
            if (!set.ok()) {
                m_waitingFor = tr("the StatefulSet to be read (last: %1)").arg(set.error);
                again();
                return;
            }
            m_client->list(
                kube::ResourceKind::persistentVolumeClaims(), m_journal.plan().ns, {}, this,
                [this, run, step, dnodes, then, statefulSet = set.json()](const kube::KubeResponse &claims) {
                    if (run != m_run || step != m_step)
                        return;
                    if (!claims.ok()) {
                        m_waitingFor = tr("the volume claims to be listed (last: %1)").arg(claims.error);
                        again();
                        return;
                    }
                    QList<QJsonObject> items;
                    for (const QJsonValue &item : claims.json().value(u"items").toArray())
                        items.append(item.toObject());
                    readComplete(taos::kSelectVgroups,
                                 [this, dnodes, then, statefulSet, items](const taos::Result &vgroups) {
                                     taos::ClusterSnapshot snapshot;
                                     snapshot.dnodes = dnodes;
                                     snapshot.vgroups = taos::vgroupsFrom(vgroups);
                                     QStringList texts;
                                     for (const taos::LostVnodes &one :
                                          taos::lostVnodes(snapshot, QDateTime::currentDateTimeUtc(),
                                                           taos::dataClaimsCreated(statefulSet, items))) {
                                         if (one.claimCreated.isValid())
                                             texts.append(one.describe());
                                     }
                                     if (!texts.isEmpty()) {
                                         completeStep(false, tr("Data at risk: %1").arg(texts.join(u" ")));
                                         return;
                                     }
                                     then();
                                 });
                });
        });
}

// The client library keeps a map of each vgroup's dnodes: after drops it still names dnodes that are
// gone, and a count routed there waits out libtaos' connection timeout (about 10 s on 3.3.6.6) before
// it asks again. `reset query cache` (run by the client library itself) drops that map first; where it
// is refused the counts still end, only later.
void Executor::verifyRows(int ready)
{
    if (m_journal.plan().kind == OperationKind::Deploy) { // a new cluster: no rows before to compare with
        completeStep(true, tr("%1 dnodes ready, 1 mnode leader.").arg(ready));
        return;
    }
    const auto count = [this, ready] { verifyCounts(ready); };
    sql(
        u"reset query cache"_s, [count](const taos::Result &) { count(); },
        [count](const taos::TaosError &) { count(); });
}

void Executor::verifyCounts(int ready)
{
    const auto unreadable = [this](const QString &table, const QString &error) {
        completeStep(
            false, tr("Could not count the rows of %1 to compare them with before: %2 (tried for "
                      "%3). Look at `show %4.vgroups`: a vgroup without a leader cannot be read "
                      "until enough of its dnodes are back.")
                       .arg(table, error, kube::humanDuration(m_countPatienceMs), table.section(u'.', 0, 0)));
    };
    countRows(
        m_journal.rowCounts().keys(),
        [this, ready](const QMap<QString, qint64> &now) {
            // Fewer rows than before may be lost data; more are rows written meanwhile: a live cluster
            // keeps being written to while it is resized or rolled.
            QStringList fewer;
            QStringList grown;
            qint64 total = 0;
            const QMap<QString, qint64> &before = m_journal.rowCounts();
            for (auto it = before.cbegin(); it != before.cend(); ++it) {
                const qint64 count = now.value(it.key());
                total += count;
                if (count < it.value())
                    fewer.append(tr("%1 has %2 rows, %3 before").arg(it.key()).arg(count).arg(it.value()));
                else if (count > it.value())
                    grown.append(tr("%1 +%2").arg(it.key()).arg(count - it.value()));
            }
            if (!fewer.isEmpty()) {
                completeStep(false,
                             tr("Fewer rows than before the operation: %1. If nothing deleted from these "
                                "tables meanwhile (and no data expired by the database's keep), data was "
                                "lost: look at `show vgroups` of the databases before changing anything "
                                "else.")
                                 .arg(fewer.join(u"; ")));
                return;
            }
            if (!grown.isEmpty()) {
                completeStep(true, tr("%1 dnodes ready, 1 mnode leader; %2 rows in %3 table(s): none fewer "
                                      "than before, rows written meanwhile in %4.")
                                       .arg(ready)
                                       .arg(total)
                                       .arg(before.size())
                                       .arg(grown.join(u", ")));
                return;
            }
            completeStep(true, tr("%1 dnodes ready, 1 mnode leader; %2 rows in %3 table(s), as before.")
                                   .arg(ready)
                                   .arg(total)
                                   .arg(before.size()));
        },
        unreadable);
}

// Every vgroup's replicas leader or follower, nothing in between: a drop moves vnodes without waiting
// for the new replica to catch up (mndSetMoveVgroupInfoToTrans; FACTS.md section 4), so two drops in a
// row, or a drop and a scale-in, could leave a vgroup with one good replica. `then` runs once they are,
// on a complete read; meanwhile the step says which replicas are not.
void Executor::whenVgroupsHealthy(const std::function<void()> &then)
{
    readComplete(taos::kSelectVgroups, [this, then](const taos::Result &result) {
        const QList<taos::Vgroup> vgroups = taos::vgroupsFrom(result);
        QStringList unsettled;
        for (const taos::Vgroup &vgroup : vgroups) {
            QStringList replicas;
            for (const taos::Vnode &vnode : vgroup.vnodes) {
                if (!vnode.isHealthy()) {
                    replicas.append(tr("dnode %1 %2").arg(vnode.dnodeId).arg(vnode.role.trimmed()));
                    continue;
                }
                if (!vnode.isCatchingUp())
                    continue;
                // Writes may go on meanwhile: caught up once it has applied what it lagged behind when
                // first seen, not when it has no lag at all.
                const QString key = u"%1/%2"_s.arg(vgroup.id).arg(vnode.dnodeId);
                const qint64 target = m_catchUpTargets.contains(key)
                                          ? m_catchUpTargets.value(key)
                                          : m_catchUpTargets.insert(key, vnode.committed).value();
                if (vnode.applied < target)
                    replicas.append(tr("dnode %1 %2 catching up (applied %3 of %4)")
                                        .arg(vnode.dnodeId)
                                        .arg(vnode.role.trimmed())
                                        .arg(vnode.applied)
                                        .arg(target));
            }
            if (!replicas.isEmpty())
                unsettled.append(
                    tr("vgroup %1 (%2): %3").arg(vgroup.id).arg(vgroup.database, replicas.join(u", ")));
        }
        if (!unsettled.isEmpty()) {
            waiting(tr("every vgroup's replicas to be leader or follower; not yet: %1")
                        .arg(unsettled.join(u"; ")));
            const bool offline = std::any_of(vgroups.begin(), vgroups.end(), [](const taos::Vgroup &vgroup) {
                return std::any_of(vgroup.vnodes.begin(), vgroup.vnodes.end(), [](const taos::Vnode &vnode) {
                    return vnode.state() == taos::VnodeRole::Offline;
                });
            });
            if (offline)
                failIfVnodesLost(vgroups);
            else
                again();
            return;
        }
        then();
    });
}

// An offline replica on a dnode that is ready never comes back by itself (taos::lostVnodes): the step
// stops with what was lost and the fix, instead of waiting for its timeout. Otherwise it waits on.
void Executor::failIfVnodesLost(const QList<taos::Vgroup> &vgroups)
{
    readComplete(taos::kSelectDnodes, [this, vgroups](const taos::Result &dnodes) {
        sql(taos::kSelectTransactions, [this, vgroups, dnodes](const taos::Result &transactions) {
            taos::ClusterSnapshot snapshot;
            snapshot.dnodes = taos::dnodesFrom(dnodes);
            snapshot.vgroups = vgroups;
            snapshot.transactions = taos::transactionsFrom(transactions);
            const QList<taos::LostVnodes> lost = taos::lostVnodes(snapshot, QDateTime::currentDateTimeUtc());
            if (lost.isEmpty()) {
                again();
                return;
            }
            QStringList texts;
            for (const taos::LostVnodes &one : lost)
                texts.append(one.describe());
            completeStep(false, tr("Data at risk: %1").arg(texts.join(u" ")));
        });
    });
}

} // namespace tdkube::ops
