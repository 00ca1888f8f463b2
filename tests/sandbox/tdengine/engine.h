#pragma once

#include "delayledger.h"
#include "model.h"
#include "query.h"

#include <QHash>
#include <QSet>

#include <optional>

namespace tdkube::sandbox::tdengine {

class Cursor;

// The state and behaviour behind Cluster (which only forwards to it). Split over several files:
// engine.cpp (membership, elections, quorum), statements.cpp (SQL dispatch, DDL), dml.cpp (insert,
// select), systables.cpp (information_schema and SHOW), configure.cpp (alter dnode, dnode variables),
// transactions.cpp (drop dnode, balance vgroup), persistence.cpp (save/load).
class Engine final
{
public:
    // How long a new mnode is a learner, and `create mnode` takes (observed 2.0 s, 4.5 s for a third
    // one; FACTS.md section 3), before the time scale.
    static constexpr int kMnodeSyncMs = 2000;

    Engine(Cluster *cluster, const QString &firstEndpoint, double timeScale);

    Cluster::Start dnodeStarted(const QString &endpoint, const QString &dataId, int supportVnodes,
                                const QMap<QString, QString> &taosCfg, const QString &version);
    void dnodeStopped(const QString &endpoint);
    bool isServing(const QString &endpoint) const;
    int dnodeIdOf(const QString &endpoint) const;
    void execute(const QString &sql, const QString &database, Done done);
    bool checkPassword(const QString &user, const QString &password) const;
    void setDelayLedger(DelayLedger *ledger) { m_delays = ledger; }
    void setVnodeMoveMs(int ms) { m_vnodeMoveMs = ms; }
    QJsonObject save() const;
    bool load(const QJsonObject &state, QString *error);

private:
    struct Session
    {
        QString db; // the default database (`use`, REST /rest/sql/{db})
    };

    // engine.cpp: membership and elections
    int scaled(int ms) const;
    static qint64 now();
    Dnode *dnodeById(int id);
    const Dnode *dnodeById(int id) const;
    Dnode *dnodeByEndpoint(const QString &endpoint);
    const Dnode *dnodeByEndpoint(const QString &endpoint) const;
    Dnode *dnodeByData(const QString &dataId);
    QString endpointOf(int dnodeId) const;
    void found(const QString &endpoint, const QString &dataId, const DnodeConfig &config);
    Dnode &registerDnode(const QString &endpoint, const QString &dataId, const DnodeConfig &config);
    void rejoin(Dnode &dnode, const QString &dataId, const DnodeConfig &config);
    void adoptFreshData(Dnode &dnode, const QString &dataId, const DnodeConfig &config);
    void markOffline(int dnodeId, int generation);
    void reconcile();
    void electMnodeLeader();
    void electVgroupLeaders();
    void joinWaiting();
    bool hasMnodeLeader() const;
    QString leaderEndpoint() const;
    int vnodesOn(int dnodeId) const;
    int leadersOn(int dnodeId) const;
    bool isOnline(int dnodeId) const;
    int onlineVnodes(const Vgroup &vgroup) const;
    bool hasQuorum(const Vgroup &vgroup) const;
    std::optional<Result> vgroupError(int vgroupId) const;
    std::optional<Result> insTablesError(const Select &select) const;
    // Its dnode is online and the vnode's files are there (Vgroup::lostOn).
    bool vnodeServes(const Vgroup &vgroup, int dnodeId) const;
    int pickLeader(const Vgroup &vgroup) const;
    void log(const QString &endpoint, const QString &text);
    void changed();
    void statusChanged(const QString &endpoint);

    // statements.cpp: dispatch and DDL
    void runScript(const QStringList &statements, qsizetype index, Session session, Done done);
    void runStatement(const QString &sql, Session &session, Done done);
    Result runSync(Cursor &c, Session &session);
    Result create(Cursor &c, Session &session);
    Result drop(Cursor &c, Session &session);
    Result createDatabase(Cursor &c);
    Result dropDatabase(Cursor &c);
    Result createMnode(Cursor &c);
    Result dropMnode(Cursor &c);
    Result createDnode(Cursor &c);
    Result createStable(Cursor &c, const Session &session);
    Result createTable(Cursor &c, const Session &session);
    Result createNormalTable(Cursor &c, Database &db, const QString &name, bool ifNotExists);
    Result dropTable(Cursor &c, const Session &session, bool stable);
    Result use(Cursor &c, Session &session);
    Result alterUser(Cursor &c);
    Result describe(Cursor &c, const Session &session);
    std::optional<Result> checkConflict() const;
    std::optional<Result> resolveDb(const QString &given, const Session &session, Database **db);
    QList<int> placeVgroup(int replica, QMap<int, int> *load) const;
    int vgroupForTable(const Database &db, const QString &table) const;
    Result insertChild(Database &db, const QString &name, const Stable &stable, const Row &tags,
                       bool ifNotExists);

    // dml.cpp: insert and select
    Result insert(Cursor &c, const Session &session);
    Result insertInto(Cursor &c, const Session &session, qint64 *rows);
    Result writeRows(Cursor &c, Database &db, const Table &table, qint64 *rows);
    std::optional<Result> buildRowTags(const Stable &stable, const QStringList &names,
                                       const QList<QJsonValue> &values, Row *tags) const;
    Result select(Cursor &c, const Session &session);
    Result selectFromTable(const Select &select, const Session &session);
    RowSet tableRows(const Database &db, const Table &table) const;
    RowSet stableRows(const Database &db, const Stable &stable) const;

    // systables.cpp: information_schema, performance_schema and SHOW
    Result show(Cursor &c, const Session &session);
    std::optional<RowSet> systemTable(const QString &db, const QString &table) const;
    RowSet insDnodes() const;
    RowSet insMnodes() const;
    RowSet insDatabases() const;
    RowSet insVgroups(const QString &db) const;
    RowSet insCluster() const;
    RowSet perfTrans() const;
    RowSet insTables() const;
    RowSet insStables() const;
    QString dnodeStatus(const Dnode &dnode) const;
    QString vnodeStatus(const Vgroup &vgroup, int dnodeId) const;
    QString mnodeRole(const Mnode &mnode) const;

    // configure.cpp: alter dnode, dnode variables
    DnodeConfig readTaosCfg(const QString &endpoint, int supportVnodes, const QMap<QString, QString> &taosCfg,
                            const QString &version);
    // What server_version() answers: the version the leader mnode's dnode runs (the connect response
    // carries it), or the simulator's own without a leader.
    QString runningVersion() const;
    Result alterDnode(Cursor &c);
    Result showVariables(Cursor &c, const Session &session);
    RowSet insDnodeVariables() const;
    std::optional<Result> dnodeVariablesError() const;
    RowSet insConfigs() const;

    // transactions.cpp: drop dnode and balance vgroup
    void dropDnode(Cursor &c, Done done);
    std::optional<Result> checkDropDnode(const Dnode &dnode, bool force, bool unsafe) const;
    std::optional<Result> planMoves(int dnodeId, bool force, bool unsafe, QList<Move> *moves) const;
    int pickTarget(const Vgroup &vgroup, int excluded, const QMap<int, int> &load) const;
    void forceDrop(Dnode &dnode, const QList<Move> &moves, bool unsafe);
    void balanceVgroup(Cursor &c, Done done);
    QList<Move> planBalance() const;
    Transaction &startTransaction(const QString &oper, QList<Move> moves, Done done);
    void scheduleNextMove(int transId);
    QString actionInfo(const Transaction &trans, int code, int dnodeId) const;
    void runMove(int transId);
    bool applyMove(Transaction &trans);
    void answerEarly(Transaction &trans);
    void finishTransaction(int transId);
    void dropDnodeNow(int dnodeId);
    void balanceLeaders();

    // persistence.cpp
    QJsonObject saveDatabase(const Database &db) const;
    bool loadDatabase(const QJsonObject &object, QString *error);
    QJsonObject saveVgroup(const Vgroup &vgroup) const;
    void resumeTransactions();

    Cluster *m_cluster;
    QString m_firstEndpoint;
    double m_timeScale;
    QMap<int, Dnode> m_dnodes;
    QSet<QString> m_droppedData; // data directories of dropped dnodes: they never join
    struct Waiting
    {
        QString endpoint;
        QString dataId;
        DnodeConfig config;
    };
    QList<Waiting> m_waiting;  // taosds waiting to join
    QMap<int, Mnode> m_mnodes; // by dnode id
    int m_mnodeLeader = 0;     // dnode id, 0: no quorum
    QMap<QString, Database> m_databases;
    QMap<int, Vgroup> m_vgroups;
    QMap<int, Transaction> m_transactions;
    int m_nextDnodeId = 1;
    int m_nextVgroupId = 2; // vgId 1 is the mnode group
    int m_nextTransId = 1;
    qint64 m_nextUid = 1;
    qint64 m_clusterId = 0;
    qint64 m_clusterCreateTime = 0;
    QString m_password;
    DelayLedger *m_delays = nullptr;
    int m_vnodeMoveMs = Cluster::kVnodeMoveMs;
    QHash<int, DelayLedger::Id> m_statusTimeouts; // dnode id -> its status timeout in progress
};

} // namespace tdkube::sandbox::tdengine
