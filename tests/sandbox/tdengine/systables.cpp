// information_schema / performance_schema tables and the SHOW statements built on them, with the
// columns of TDengine 3.0.7 (as `show dnodes`, `show mnodes\G` and `show test.vgroups` print them in
// the seeds; column lengths from source/common/src/systable.c).
#include "engine.h"
#include "errors.h"
#include "lexer.h"

#include <QDateTime>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace tdkube::sandbox::tdengine {

namespace {

const QStringList kSystemDatabases{u"information_schema"_s, u"performance_schema"_s};

Column col(const QString &name, const QString &type, int length)
{
    return makeColumn(name, type, length);
}

QList<Column> dnodeColumns()
{
    return {col(u"id"_s, u"INT"_s, 4),
            col(u"endpoint"_s, u"VARCHAR"_s, 134),
            col(u"vnodes"_s, u"SMALLINT"_s, 2),
            col(u"support_vnodes"_s, u"SMALLINT"_s, 2),
            col(u"status"_s, u"VARCHAR"_s, 10),
            col(u"create_time"_s, u"TIMESTAMP"_s, 8),
            col(u"reboot_time"_s, u"TIMESTAMP"_s, 8),
            col(u"note"_s, u"VARCHAR"_s, 256),
            col(u"active_code"_s, u"VARCHAR"_s, 4096),
            col(u"c_active_code"_s, u"VARCHAR"_s, 4096)};
}

QList<Column> mnodeColumns()
{
    return {col(u"id"_s, u"INT"_s, 4),
            col(u"endpoint"_s, u"VARCHAR"_s, 134),
            col(u"role"_s, u"VARCHAR"_s, 12),
            col(u"status"_s, u"VARCHAR"_s, 9),
            col(u"create_time"_s, u"TIMESTAMP"_s, 8),
            col(u"reboot_time"_s, u"TIMESTAMP"_s, 8)};
}

QList<Column> databaseColumns()
{
    QList<Column> columns{col(u"name"_s, u"VARCHAR"_s, 64),
                          col(u"create_time"_s, u"TIMESTAMP"_s, 8),
                          col(u"vgroups"_s, u"INT"_s, 4),
                          col(u"ntables"_s, u"BIGINT"_s, 8),
                          col(u"replica"_s, u"TINYINT"_s, 1),
                          col(u"strict"_s, u"VARCHAR"_s, 4),
                          col(u"duration"_s, u"VARCHAR"_s, 10),
                          col(u"keep"_s, u"VARCHAR"_s, 32),
                          col(u"buffer"_s, u"INT"_s, 4),
                          col(u"pagesize"_s, u"INT"_s, 4),
                          col(u"pages"_s, u"INT"_s, 4),
                          col(u"minrows"_s, u"INT"_s, 4),
                          col(u"maxrows"_s, u"INT"_s, 4),
                          col(u"comp"_s, u"TINYINT"_s, 1),
                          col(u"precision"_s, u"VARCHAR"_s, 2),
                          col(u"status"_s, u"VARCHAR"_s, 10),
                          col(u"retentions"_s, u"VARCHAR"_s, 60),
                          col(u"single_stable"_s, u"BOOL"_s, 1),
                          col(u"cachemodel"_s, u"VARCHAR"_s, 11),
                          col(u"cachesize"_s, u"INT"_s, 4),
                          col(u"wal_level"_s, u"TINYINT"_s, 1),
                          col(u"wal_fsync_period"_s, u"INT"_s, 4),
                          col(u"wal_retention_period"_s, u"INT"_s, 4),
                          col(u"wal_retention_size"_s, u"BIGINT"_s, 8),
                          col(u"wal_roll_period"_s, u"INT"_s, 4),
                          col(u"wal_segment_size"_s, u"BIGINT"_s, 8),
                          col(u"stt_trigger"_s, u"SMALLINT"_s, 2),
                          col(u"table_prefix"_s, u"SMALLINT"_s, 2),
                          col(u"table_suffix"_s, u"SMALLINT"_s, 2),
                          col(u"tsdb_pagesize"_s, u"INT"_s, 4)};
    return columns;
}

QList<Column> vgroupColumns()
{
    QList<Column> columns{col(u"vgroup_id"_s, u"INT"_s, 4), col(u"db_name"_s, u"VARCHAR"_s, 64),
                          col(u"tables"_s, u"INT"_s, 4)};
    for (int i = 1; i <= 4; ++i) {
        columns << col(u'v' + QString::number(i) + u"_dnode"_s, u"SMALLINT"_s, 2)
                << col(u'v' + QString::number(i) + u"_status"_s, u"VARCHAR"_s, 9);
    }
    columns << col(u"cacheload"_s, u"INT"_s, 4) << col(u"cacheelements"_s, u"INT"_s, 4)
            << col(u"tsma"_s, u"TINYINT"_s, 1);
    return columns;
}

// performance_schema.perf_trans = `show transactions` (FACTS.md section 1; transSchema in systable.c:
// oper's 16 bytes include the length header, so taosAdapter says 14).
QList<Column> transactionColumns()
{
    return {col(u"id"_s, u"INT"_s, 4),
            col(u"create_time"_s, u"TIMESTAMP"_s, 8),
            col(u"stage"_s, u"VARCHAR"_s, 12),
            col(u"oper"_s, u"VARCHAR"_s, 14),
            col(u"db"_s, u"VARCHAR"_s, 64),
            col(u"stable"_s, u"VARCHAR"_s, 192),
            col(u"failed_times"_s, u"INT"_s, 4),
            col(u"last_exec_time"_s, u"TIMESTAMP"_s, 8),
            col(u"last_action_info"_s, u"VARCHAR"_s, 511)};
}

// An option given at CREATE DATABASE, else TDengine 3.0's default.
QJsonValue option(const Database &db, const QString &name, const QJsonValue &fallback)
{
    const QString given = db.options.value(name).toString();
    if (given.isEmpty())
        return fallback;
    if (fallback.isDouble())
        return QJsonValue(given.toLongLong());
    return QJsonValue(given);
}

Row databaseRow(const Database &db)
{
    return Row{db.name,
               db.createTime,
               qint64(db.vgroups.size()),
               qint64(db.tables.size()),
               db.replica,
               option(db, u"strict"_s, u"off"_s),
               option(db, u"duration"_s, u"14400m"_s),
               option(db, u"keep"_s, u"5256000m,5256000m,5256000m"_s),
               option(db, u"buffer"_s, 96),
               option(db, u"pagesize"_s, 4),
               option(db, u"pages"_s, 256),
               option(db, u"minrows"_s, 100),
               option(db, u"maxrows"_s, 4096),
               option(db, u"comp"_s, 2),
               option(db, u"precision"_s, u"ms"_s),
               u"ready"_s,
               QJsonValue(),
               false,
               option(db, u"cachemodel"_s, u"none"_s),
               option(db, u"cachesize"_s, 1),
               option(db, u"wal_level"_s, 1),
               option(db, u"wal_fsync_period"_s, 3000),
               option(db, u"wal_retention_period"_s, 0),
               option(db, u"wal_retention_size"_s, 0),
               option(db, u"wal_roll_period"_s, 0),
               option(db, u"wal_segment_size"_s, 0),
               option(db, u"stt_trigger"_s, 1),
               option(db, u"table_prefix"_s, 0),
               option(db, u"table_suffix"_s, 0),
               option(db, u"tsdb_pagesize"_s, 4)};
}

Row systemDatabaseRow(const QString &name, qsizetype columns)
{
    Row row{name};
    for (qsizetype i = 1; i < columns; ++i)
        row.append(QJsonValue());
    row[15] = u"ready"_s;
    return row;
}

Result syntaxError(const Cursor &c)
{
    return failure(kSyntaxError, u"syntax error near \""_s + c.rest() + u'"');
}

RowSet single(const QString &name, const QStringList &values)
{
    RowSet set;
    set.columns << makeColumn(name, u"VARCHAR"_s, name == u"name" ? 64 : 192);
    for (const QString &value : values)
        set.rows << Row{value};
    return set;
}

} // namespace

QString Engine::dnodeStatus(const Dnode &dnode) const
{
    if (dnode.dropping)
        return dnode.online ? u"dropping"_s : u"dropping*"_s;
    return dnode.online ? u"ready"_s : u"offline"_s;
}

// FACTS.md sections 1 and 3: every replica on a dnode being dropped shows `dropping`; a leader that
// took over from a moved vnode shows `leader**` for a moment, until it is restored.
QString Engine::vnodeStatus(const Vgroup &vgroup, int dnodeId) const
{
    if (!vnodeServes(vgroup, dnodeId))
        return u"offline"_s;
    const Dnode *dnode = dnodeById(dnodeId);
    if (dnode && dnode->dropping)
        return u"dropping"_s;
    if (vgroup.leader == dnodeId)
        return now() < vgroup.leaderRestoredAt ? u"leader**"_s : u"leader"_s;
    return vgroup.leader == 0 ? u"candidate"_s : u"follower"_s;
}

QString Engine::mnodeRole(const Mnode &mnode) const
{
    if (!isOnline(mnode.dnodeId))
        return u"offline"_s;
    if (mnode.dnodeId == m_mnodeLeader)
        return u"leader"_s;
    if (now() < mnode.createTime + scaled(kMnodeSyncMs))
        return u"learner"_s; // created a moment ago, still catching up (FACTS.md section 1)
    return m_mnodeLeader == 0 ? u"candidate"_s : u"follower"_s;
}

RowSet Engine::insDnodes() const
{
    RowSet set;
    set.columns = dnodeColumns();
    for (const Dnode &dnode : m_dnodes) {
        set.rows << Row{
            dnode.id,           dnode.endpoint,   vnodesOn(dnode.id), dnode.supportVnodes,
            dnodeStatus(dnode), dnode.createTime, dnode.rebootTime,   dnode.online ? QString() : dnode.note,
            QString(),          QString()};
    }
    return set;
}

RowSet Engine::insMnodes() const
{
    RowSet set;
    set.columns = mnodeColumns();
    for (const Mnode &mnode : m_mnodes) {
        const bool online = isOnline(mnode.dnodeId);
        set.rows << Row{mnode.dnodeId,    endpointOf(mnode.dnodeId),
                        mnodeRole(mnode), online ? u"ready"_s : u"offline"_s,
                        mnode.createTime, online ? mnode.roleTime : 0};
    }
    return set;
}

RowSet Engine::insDatabases() const
{
    RowSet set;
    set.columns = databaseColumns();
    for (const QString &name : kSystemDatabases)
        set.rows << systemDatabaseRow(name, set.columns.size());
    for (const Database &db : m_databases)
        set.rows << databaseRow(db);
    return set;
}

RowSet Engine::insVgroups(const QString &db) const
{
    RowSet set;
    set.columns = vgroupColumns();
    for (const Vgroup &vgroup : m_vgroups) {
        if (!db.isEmpty() && vgroup.db != db)
            continue;
        qint64 tables = 0;
        for (const Table &table : m_databases.value(vgroup.db).tables)
            tables += table.vgroupId == vgroup.id ? 1 : 0;
        Row row{vgroup.id, vgroup.db, tables};
        for (qsizetype i = 0; i < 4; ++i) {
            const bool present = i < vgroup.dnodes.size();
            row.append(present ? QJsonValue(vgroup.dnodes.at(i)) : QJsonValue());
            row.append(present ? QJsonValue(vnodeStatus(vgroup, vgroup.dnodes.at(i))) : QJsonValue());
        }
        row.append(0);
        row.append(0);
        row.append(0);
        set.rows << row;
    }
    return set;
}

RowSet Engine::insCluster() const
{
    RowSet set;
    // FACTS.md section 1: version says "community", expire_time is NULL there.
    set.columns = {col(u"id"_s, u"BIGINT"_s, 8),        col(u"name"_s, u"VARCHAR"_s, 40),
                   col(u"uptime"_s, u"INT"_s, 4),       col(u"create_time"_s, u"TIMESTAMP"_s, 8),
                   col(u"version"_s, u"VARCHAR"_s, 10), col(u"expire_time"_s, u"TIMESTAMP"_s, 8)};
    const QString name =
        QUuid::createUuidV5(QUuid(), QString::number(m_clusterId)).toString(QUuid::WithoutBraces);
    set.rows << Row{m_clusterId,         name,           qint64((now() - m_clusterCreateTime) / 1000),
                    m_clusterCreateTime, u"community"_s, QJsonValue()};
    return set;
}

RowSet Engine::perfTrans() const
{
    RowSet set;
    set.columns = transactionColumns();
    for (const Transaction &trans : m_transactions) {
        set.rows << Row{trans.id,  trans.createTime,  u"redoAction"_s,    trans.oper,          QString(),
                        QString(), trans.failedTimes, trans.lastExecTime, trans.lastActionInfo};
    }
    return set;
}

RowSet Engine::insTables() const
{
    RowSet set;
    set.columns = {col(u"table_name"_s, u"VARCHAR"_s, 192),
                   col(u"db_name"_s, u"VARCHAR"_s, 64),
                   col(u"create_time"_s, u"TIMESTAMP"_s, 8),
                   col(u"columns"_s, u"INT"_s, 4),
                   col(u"stable_name"_s, u"VARCHAR"_s, 192),
                   col(u"uid"_s, u"BIGINT"_s, 8),
                   col(u"vgroup_id"_s, u"INT"_s, 4),
                   col(u"ttl"_s, u"INT"_s, 4),
                   col(u"table_comment"_s, u"VARCHAR"_s, 1024),
                   col(u"type"_s, u"VARCHAR"_s, 21)};
    for (const Database &db : m_databases) {
        for (const Table &table : db.tables) {
            const bool child = !table.stable.isEmpty();
            const qsizetype columns =
                child ? db.stables.value(table.stable).columns.size() : table.columns.size();
            set.rows << Row{table.name,
                            db.name,
                            table.createTime,
                            qint64(columns),
                            child ? QJsonValue(table.stable) : QJsonValue(),
                            table.uid,
                            table.vgroupId,
                            0,
                            QJsonValue(),
                            child ? u"CHILD_TABLE"_s : u"NORMAL_TABLE"_s};
        }
    }
    return set;
}

RowSet Engine::insStables() const
{
    RowSet set;
    set.columns = {col(u"stable_name"_s, u"VARCHAR"_s, 192),
                   col(u"db_name"_s, u"VARCHAR"_s, 64),
                   col(u"create_time"_s, u"TIMESTAMP"_s, 8),
                   col(u"columns"_s, u"INT"_s, 4),
                   col(u"tags"_s, u"INT"_s, 4),
                   col(u"last_update"_s, u"TIMESTAMP"_s, 8),
                   col(u"table_comment"_s, u"VARCHAR"_s, 1024)};
    for (const Database &db : m_databases) {
        for (const Stable &stable : db.stables) {
            set.rows << Row{stable.name,
                            db.name,
                            stable.createTime,
                            qint64(stable.columns.size()),
                            qint64(stable.tags.size()),
                            stable.createTime,
                            QJsonValue()};
        }
    }
    return set;
}

std::optional<RowSet> Engine::systemTable(const QString &db, const QString &table) const
{
    if (db == u"performance_schema")
        return table == u"perf_trans" ? std::optional<RowSet>(perfTrans()) : std::nullopt;
    if (table == u"ins_dnodes")
        return insDnodes();
    if (table == u"ins_mnodes")
        return insMnodes();
    if (table == u"ins_databases")
        return insDatabases();
    if (table == u"ins_vgroups")
        return insVgroups(QString());
    if (table == u"ins_cluster")
        return insCluster();
    if (table == u"ins_tables")
        return insTables();
    if (table == u"ins_stables")
        return insStables();
    if (table == u"ins_dnode_variables")
        return insDnodeVariables();
    if (table == u"ins_configs")
        return insConfigs();
    // No ins_transactions (nor ins_trans): transactions live in performance_schema only (FACTS.md
    // section 1).
    return std::nullopt;
}

Result Engine::show(Cursor &c, const Session &session)
{
    if (c.isWord("variables"_L1) || (c.isWord("cluster"_L1) && c.isWord("variables"_L1, 1)) ||
        c.isWord("dnode"_L1))
        return showVariables(c, session);
    QString dbName;
    if ((c.peek().kind == Token::Kind::Word || c.peek().kind == Token::Kind::Quoted) &&
        c.isSymbol("."_L1, 1)) {
        c.takeName(&dbName);
        c.take();
    }
    QString what;
    if (!c.takeName(&what) || !c.atEnd())
        return syntaxError(c);
    if (dbName.isEmpty()) {
        if (what == u"dnodes")
            return toResult(insDnodes());
        if (what == u"mnodes")
            return toResult(insMnodes());
        if (what == u"cluster")
            return toResult(insCluster());
        if (what == u"transactions")
            return toResult(perfTrans());
        if (what == u"databases") {
            QStringList names = kSystemDatabases;
            names << m_databases.keys();
            return toResult(single(u"name"_s, names));
        }
    }
    if (what != u"vgroups" && what != u"tables" && what != u"stables")
        return failure(kSyntaxError, u"syntax error near \""_s + what + u'"');
    Database *db = nullptr;
    if (const std::optional<Result> error = resolveDb(dbName, session, &db))
        return *error;
    if (what == u"vgroups")
        return toResult(insVgroups(db->name));
    return toResult(single(what == u"tables" ? u"table_name"_s : u"stable_name"_s,
                           what == u"tables" ? db->tables.keys() : db->stables.keys()));
}

} // namespace tdkube::sandbox::tdengine
