// save()/load(): what the mnode's sdb and the vnodes' data directories would keep across a restart.
// Processes are not state: after load() every dnode is offline until its taosd starts again.
#include "engine.h"

using namespace Qt::StringLiterals;

namespace tdkube::sandbox::tdengine {

namespace {

constexpr int kFormatVersion = 1;

QJsonArray saveColumns(const QList<Column> &columns)
{
    QJsonArray array;
    for (const Column &column : columns)
        array.append(QJsonArray{column.name, column.type, column.length});
    return array;
}

QList<Column> loadColumns(const QJsonArray &array)
{
    QList<Column> columns;
    for (const QJsonValue &value : array) {
        const QJsonArray column = value.toArray();
        columns << makeColumn(column.at(0).toString(), column.at(1).toString(), column.at(2).toInt());
    }
    return columns;
}

QJsonArray saveInts(const QList<int> &values)
{
    QJsonArray array;
    for (const int value : values)
        array.append(value);
    return array;
}

QList<int> loadInts(const QJsonArray &array)
{
    QList<int> values;
    for (const QJsonValue &value : array)
        values << value.toInt();
    return values;
}

QJsonObject saveDnode(const Dnode &dnode)
{
    return QJsonObject{{u"id"_s, dnode.id},
                       {u"endpoint"_s, dnode.endpoint},
                       {u"dataId"_s, dnode.dataId},
                       {u"supportVnodes"_s, dnode.supportVnodes},
                       {u"createTime"_s, dnode.createTime},
                       {u"rebootTime"_s, dnode.rebootTime},
                       {u"dropping"_s, dnode.dropping}};
}

Dnode loadDnode(const QJsonObject &object)
{
    Dnode dnode;
    dnode.id = object.value(u"id").toInt();
    dnode.endpoint = object.value(u"endpoint").toString();
    dnode.dataId = object.value(u"dataId").toString();
    dnode.supportVnodes = object.value(u"supportVnodes").toInt(16);
    dnode.createTime = object.value(u"createTime").toInteger();
    dnode.rebootTime = object.value(u"rebootTime").toInteger();
    dnode.dropping = object.value(u"dropping").toBool();
    dnode.note = u"status not received"_s;
    return dnode;
}

QJsonObject saveTable(const Table &table)
{
    return QJsonObject{{u"name"_s, table.name},
                       {u"stable"_s, table.stable},
                       {u"tags"_s, table.tags},
                       {u"columns"_s, saveColumns(table.columns)},
                       {u"vgroupId"_s, table.vgroupId},
                       {u"createTime"_s, table.createTime},
                       {u"uid"_s, QString::number(table.uid)}};
}

Table loadTable(const QJsonObject &object)
{
    Table table;
    table.name = object.value(u"name").toString();
    table.stable = object.value(u"stable").toString();
    table.tags = object.value(u"tags").toArray();
    table.columns = loadColumns(object.value(u"columns").toArray());
    table.vgroupId = object.value(u"vgroupId").toInt();
    table.createTime = object.value(u"createTime").toInteger();
    table.uid = object.value(u"uid").toString().toLongLong();
    return table;
}

QJsonObject saveStable(const Stable &stable)
{
    return QJsonObject{{u"name"_s, stable.name},
                       {u"columns"_s, saveColumns(stable.columns)},
                       {u"tags"_s, saveColumns(stable.tags)},
                       {u"createTime"_s, stable.createTime}};
}

Stable loadStable(const QJsonObject &object)
{
    Stable stable;
    stable.name = object.value(u"name").toString();
    stable.columns = loadColumns(object.value(u"columns").toArray());
    stable.tags = loadColumns(object.value(u"tags").toArray());
    stable.createTime = object.value(u"createTime").toInteger();
    return stable;
}

QJsonObject saveTransaction(const Transaction &trans)
{
    QJsonArray moves;
    for (const Move &move : trans.moves)
        moves.append(QJsonArray{move.vgroupId, move.from, move.to});
    return QJsonObject{{u"id"_s, trans.id},
                       {u"oper"_s, trans.oper},
                       {u"createTime"_s, trans.createTime},
                       {u"failedTimes"_s, trans.failedTimes},
                       {u"action"_s, trans.action},
                       {u"dnodeId"_s, trans.dnodeId},
                       {u"moves"_s, moves}};
}

Transaction loadTransaction(const QJsonObject &object)
{
    Transaction trans;
    trans.id = object.value(u"id").toInt();
    trans.oper = object.value(u"oper").toString();
    trans.createTime = object.value(u"createTime").toInteger();
    trans.lastExecTime = trans.createTime;
    trans.failedTimes = object.value(u"failedTimes").toInt();
    trans.action = object.value(u"action").toInt();
    trans.dnodeId = object.value(u"dnodeId").toInt();
    for (const QJsonValue &value : object.value(u"moves").toArray()) {
        const QJsonArray move = value.toArray();
        trans.moves << Move{move.at(0).toInt(), move.at(1).toInt(), move.at(2).toInt()};
    }
    return trans;
}

} // namespace

QJsonObject Engine::saveDatabase(const Database &db) const
{
    QJsonArray stables;
    for (const Stable &stable : db.stables)
        stables.append(saveStable(stable));
    QJsonArray tables;
    for (const Table &table : db.tables)
        tables.append(saveTable(table));
    return QJsonObject{{u"name"_s, db.name},
                       {u"replica"_s, db.replica},
                       {u"createTime"_s, db.createTime},
                       {u"vgroups"_s, saveInts(db.vgroups)},
                       {u"options"_s, db.options},
                       {u"stables"_s, stables},
                       {u"tables"_s, tables}};
}

QJsonObject Engine::saveVgroup(const Vgroup &vgroup) const
{
    QJsonObject rows;
    for (auto it = vgroup.rows.cbegin(); it != vgroup.rows.cend(); ++it) {
        QJsonArray tableRows;
        for (const Row &row : it.value())
            tableRows.append(row);
        rows.insert(it.key(), tableRows);
    }
    return QJsonObject{{u"id"_s, vgroup.id},
                       {u"db"_s, vgroup.db},
                       {u"dnodes"_s, saveInts(vgroup.dnodes)},
                       {u"lostOn"_s, saveInts(vgroup.lostOn)},
                       {u"rows"_s, rows}};
}

QJsonObject Engine::save() const
{
    QJsonArray dnodes;
    for (const Dnode &dnode : m_dnodes)
        dnodes.append(saveDnode(dnode));
    QJsonArray mnodes;
    for (const Mnode &mnode : m_mnodes)
        mnodes.append(QJsonObject{{u"dnodeId"_s, mnode.dnodeId}, {u"createTime"_s, mnode.createTime}});
    QJsonArray databases;
    for (const Database &db : m_databases)
        databases.append(saveDatabase(db));
    QJsonArray vgroups;
    for (const Vgroup &vgroup : m_vgroups)
        vgroups.append(saveVgroup(vgroup));
    QJsonArray transactions;
    for (const Transaction &trans : m_transactions)
        transactions.append(saveTransaction(trans));
    QStringList dropped = m_droppedData.values();
    dropped.sort();
    return QJsonObject{{u"version"_s, kFormatVersion},
                       {u"firstEndpoint"_s, m_firstEndpoint},
                       {u"clusterId"_s, QString::number(m_clusterId)},
                       {u"clusterCreateTime"_s, m_clusterCreateTime},
                       {u"password"_s, m_password},
                       {u"nextDnodeId"_s, m_nextDnodeId},
                       {u"nextVgroupId"_s, m_nextVgroupId},
                       {u"nextTransId"_s, m_nextTransId},
                       {u"nextUid"_s, QString::number(m_nextUid)},
                       {u"droppedData"_s, QJsonArray::fromStringList(dropped)},
                       {u"dnodes"_s, dnodes},
                       {u"mnodes"_s, mnodes},
                       {u"databases"_s, databases},
                       {u"vgroups"_s, vgroups},
                       {u"transactions"_s, transactions}};
}

bool Engine::loadDatabase(const QJsonObject &object, QString *error)
{
    Database db;
    db.name = object.value(u"name").toString();
    if (db.name.isEmpty()) {
        *error = u"a database without a name"_s;
        return false;
    }
    db.replica = object.value(u"replica").toInt(1);
    db.createTime = object.value(u"createTime").toInteger();
    db.vgroups = loadInts(object.value(u"vgroups").toArray());
    db.options = object.value(u"options").toObject();
    for (const QJsonValue &value : object.value(u"stables").toArray()) {
        const Stable stable = loadStable(value.toObject());
        db.stables.insert(stable.name, stable);
    }
    for (const QJsonValue &value : object.value(u"tables").toArray()) {
        const Table table = loadTable(value.toObject());
        db.tables.insert(table.name, table);
    }
    m_databases.insert(db.name, db);
    return true;
}

bool Engine::load(const QJsonObject &state, QString *error)
{
    if (state.value(u"version").toInt() != kFormatVersion) {
        *error = u"unsupported TDengine simulator state version "_s +
                 QString::number(state.value(u"version").toInt());
        return false;
    }
    m_firstEndpoint = state.value(u"firstEndpoint").toString();
    m_clusterId = state.value(u"clusterId").toString().toLongLong();
    m_clusterCreateTime = state.value(u"clusterCreateTime").toInteger();
    m_password = state.value(u"password").toString(u"taosdata"_s);
    m_nextDnodeId = state.value(u"nextDnodeId").toInt(1);
    m_nextVgroupId = state.value(u"nextVgroupId").toInt(2);
    m_nextTransId = state.value(u"nextTransId").toInt(1);
    m_nextUid = state.value(u"nextUid").toString().toLongLong();
    for (const QJsonValue &value : state.value(u"droppedData").toArray())
        m_droppedData.insert(value.toString());
    for (const QJsonValue &value : state.value(u"dnodes").toArray()) {
        const Dnode dnode = loadDnode(value.toObject());
        m_dnodes.insert(dnode.id, dnode);
    }
    for (const QJsonValue &value : state.value(u"mnodes").toArray()) {
        const QJsonObject object = value.toObject();
        const int id = object.value(u"dnodeId").toInt();
        m_mnodes.insert(id, Mnode{id, object.value(u"createTime").toInteger(), 0});
    }
    for (const QJsonValue &value : state.value(u"databases").toArray()) {
        if (!loadDatabase(value.toObject(), error))
            return false;
    }
    for (const QJsonValue &value : state.value(u"vgroups").toArray()) {
        const QJsonObject object = value.toObject();
        Vgroup vgroup;
        vgroup.id = object.value(u"id").toInt();
        vgroup.db = object.value(u"db").toString();
        vgroup.dnodes = loadInts(object.value(u"dnodes").toArray());
        vgroup.lostOn = loadInts(object.value(u"lostOn").toArray());
        const QJsonObject rows = object.value(u"rows").toObject();
        for (auto it = rows.begin(); it != rows.end(); ++it) {
            TableRows &table = vgroup.rows[it.key()];
            for (const QJsonValue &row : it.value().toArray())
                table.insert(row.toArray().at(0).toInteger(), row.toArray());
        }
        m_vgroups.insert(vgroup.id, vgroup);
    }
    for (const QJsonValue &value : state.value(u"transactions").toArray()) {
        const Transaction trans = loadTransaction(value.toObject());
        m_transactions.insert(trans.id, trans);
    }
    resumeTransactions();
    return true;
}

// A transaction survives an mnode restart and continues once its vgroups have leaders again; the
// client that waited for it is gone.
void Engine::resumeTransactions()
{
    for (const int id : m_transactions.keys())
        scheduleNextMove(id);
}

} // namespace tdkube::sandbox::tdengine
