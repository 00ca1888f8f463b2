#pragma once

#include "dnodeconfig.h"
#include "tdengine/cluster.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include <functional>

namespace tdkube::sandbox::tdengine {

// One row of a table: values in column order; a TIMESTAMP is milliseconds since the epoch.
using Row = QJsonArray;
using Done = std::function<void(const Result &)>;

// A dnode as the mnode sees it.
struct Dnode
{
    int id = 0;
    QString endpoint;
    QString dataId; // the data directory it runs on (empty: created by SQL, never started)
    int supportVnodes = 16;
    qint64 createTime = 0;
    qint64 rebootTime = 0;
    bool running = false;  // its taosd process is up
    bool online = false;   // status messages arrive (turns false only after the status timeout)
    bool dropping = false; // a drop-dnode transaction is moving its vnodes away
    QString note;          // the offline reason
    int generation = 0;    // bumped on every start/stop so that stale timers do nothing
    DnodeConfig config;    // what its taosd runs with: taos.cfg at its last start, then `alter dnode`
};

struct Mnode
{
    int dnodeId = 0;
    qint64 createTime = 0;
    qint64 roleTime = 0;
};

// Rows of one table inside one vgroup, ordered and keyed by timestamp (a second insert with the same
// timestamp overwrites the row, as TDengine does).
using TableRows = QMap<qint64, Row>;

struct Vgroup
{
    int id = 0;
    QString db;
    QList<int> dnodes; // one dnode per vnode
    int leader = 0;    // dnode id of the leader vnode, 0 when the vgroup has no quorum
    // Until then (ms since the epoch) a leader that took over from a moved vnode is not restored yet
    // and shows `leader**` (FACTS.md section 3). Not persisted: a restart restores it.
    qint64 leaderRestoredAt = 0;
    QMap<QString, TableRows> rows;
    // Dnodes (of `dnodes`) whose vnode of this vgroup lost its files: a taosd back on an empty data
    // directory. TDengine community never rebuilds them (`restore dnode` is enterprise-only): they stay
    // `offline` while their dnode is ready, until the vnode moves elsewhere (FACTS.md section 4).
    QList<int> lostOn;
};

struct Stable
{
    QString name;
    QList<Column> columns;
    QList<Column> tags;
    qint64 createTime = 0;
};

struct Table
{
    QString name;
    QString stable; // empty: a normal table with its own columns
    Row tags;
    QList<Column> columns;
    int vgroupId = 0;
    qint64 createTime = 0;
    qint64 uid = 0;
};

struct Database
{
    QString name;
    int replica = 1;
    qint64 createTime = 0;
    QList<int> vgroups;
    QMap<QString, Stable> stables;
    QMap<QString, Table> tables;
    QJsonObject options; // options given at creation (keep, duration, precision, buffer, ...)
};

// One vnode moving between dnodes inside a transaction.
struct Move
{
    int vgroupId = 0;
    int from = 0;
    int to = 0;
};

struct Transaction
{
    int id = 0;
    QString oper; // "drop-dnode", "balance-vgroup"
    qint64 createTime = 0;
    qint64 lastExecTime = 0;
    int failedTimes = 0;
    int code = 0;   // the last failed action's code
    int action = 0; // the action under way: mndTrans.c counts each message and write; here one per vnode move
    QString lastActionInfo; // as mndRetrieveTrans writes it: "action:N code:0xC(TEXT) msgType:T ...
                            // ep:0-FQDN:PORT"
    int dnodeId = 0;        // drop-dnode: the dnode being dropped
    QList<Move> moves;
    Done done; // the client waiting for it (not persisted)
};

} // namespace tdkube::sandbox::tdengine
