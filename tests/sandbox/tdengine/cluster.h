#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace tdkube::sandbox {
class DelayLedger;
}

namespace tdkube::sandbox::tdengine {

// One column of a result set, as taosAdapter's column_meta describes it: [name, TYPE, length].
struct Column
{
    QString name;
    QString type; // TIMESTAMP, BOOL, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, VARCHAR, NCHAR, ...
    int length = 0;
};

// The outcome of one SQL statement.
struct Result
{
    int code = 0; // 0 = success, otherwise TDengine's error code (e.g. 0x2600 = 9728 syntax error)
    QString desc; // TDengine's message for `code`
    QList<Column> columns;
    QList<QJsonArray> rows; // JSON values per column: numbers, strings, bools, null; TIMESTAMP as RFC 3339
    // Statements without a result set (create, drop, insert, use ...) report affected rows; over REST
    // that is column_meta [["affected_rows","INT",4]] and data [[N]].
    bool hasResultSet = false;
    qint64 affectedRows = 0;
    qint64 elapsedMicroseconds = 0;

    bool ok() const { return code == 0; }
    // taosAdapter's JSON (TDengine 3.x REST): {"code":0,"column_meta":[...],"data":[...],"rows":N}
    // or {"code":N,"desc":"..."}.
    QJsonObject toRest() const;
    // What `taos -s "SQL"` prints: the `taos> SQL` echo, the table (or `\G` vertical rows), then
    // `Query OK, N row(s) in set (0.001234s)` / `Query OK, N row(s) affected (..s)` / `DB error: desc (..s)`.
    QString toCli(const QString &sql, bool vertical) const;
};

// A simulated TDengine 3.x cluster: dnodes that follow the pods of one StatefulSet, mnodes with
// leader election, databases with vgroups whose vnodes are placed on distinct dnodes, tables and rows
// per vgroup, and the transactions behind `drop dnode` and `balance vgroup`. Delays are real time
// multiplied by the time scale. Not thread-safe; lives on the sandbox's thread.
class Cluster final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Cluster)

public:
    // `firstEndpoint` is TAOS_FIRST_EP ("tdengine-0.taosd.ns.svc.cluster.local:6030"): the dnode that
    // founds the cluster (dnode 1, first mnode); every other dnode joins through it.
    Cluster(const QString &firstEndpoint, double timeScale, QObject *parent = nullptr);

    // One vnode move of a `drop dnode` or `balance vgroup` transaction (creating the vnode on the new
    // dnode, syncing it, dropping the old one) takes this long, plus 1 ms per 100 rows of its vgroup
    // (at most 5 s more), times the time scale.
    static constexpr int kVnodeMoveMs = 1500;
    ~Cluster() override;

    // The taosd of a pod started with `endpoint` (TAOS_FQDN:port) on data `dataId` (the uid of the
    // pod's PVC; identifies the data directory across pod restarts).
    enum class Start {
        Joined,  // registered (new dnode id) or rejoined (same data: same dnode id)
        Waiting, // cannot join yet (first endpoint not up, no mnode quorum); retried by the cluster
        Refused, // the data belongs to a dnode that was dropped: it never joins (as the seeds warn)
    };
    // `supportVnodes` is taos.cfg's supportVnodes (TAOS_SUPPORT_VNODES): the most vnodes the dnode
    // takes, read again at every start; 0 keeps vnodes off it. `taosCfg` is the rest of its taos.cfg
    // (key -> value, as the image makes them of the pod's TAOS_* variables): the values the taosd runs
    // with and `show dnode N variables` lists, until `alter dnode` changes them; a restart reads taos.cfg
    // again and forgets what `alter` did. `version` is the TDengine version the pod's image runs (its
    // `version` variable, and server_version() while its dnode holds the leader mnode); empty: the
    // simulator's own.
    static constexpr int kDefaultSupportVnodes = 16;
    Start dnodeStarted(const QString &endpoint, const QString &dataId,
                       int supportVnodes = kDefaultSupportVnodes, const QMap<QString, QString> &taosCfg = {},
                       const QString &version = {});
    // The taosd of that endpoint stopped (pod gone, container crashed, node lost): its dnode turns
    // `offline` with note "status msg timeout" after the (scaled) status timeout.
    void dnodeStopped(const QString &endpoint);
    // taos-check: whether the taosd at `endpoint` is serving (started and registered as ready).
    bool isServing(const QString &endpoint) const;
    // The dnode id an endpoint is registered as, or 0.
    int dnodeIdOf(const QString &endpoint) const;

    // Runs one statement (or several separated by ';') as the taos shell or taosAdapter would.
    // `database` is the default database (REST /rest/sql/{db}); `via` is the endpoint of the taosd the
    // client is connected to (empty: any serving one). `done` is called exactly once, later for
    // statements that take simulated time (drop dnode waits until its vnodes have moved).
    void execute(const QString &sql, const QString &database, const QString &via,
                 std::function<void(const Result &)> done);

    // Where the simulated delays (transaction steps, status timeouts) are recorded; none by default.
    void setDelayLedger(DelayLedger *ledger);
    // The time one vnode move takes before its rows and the time scale (kVnodeMoveMs unless set): a
    // test's stand-in for a database whose vnodes take minutes each to copy.
    void setVnodeMoveMs(int ms);

    // root/taosdata unless changed with `alter user root pass '...'`.
    bool checkPassword(const QString &user, const QString &password) const;

    // Persistence of everything (dnodes, mnodes, databases, tables, rows, password).
    QJsonObject save() const;
    bool load(const QJsonObject &state, QString *error);

signals:
    // A dnode's status changed (ready, offline, dropping, dropped): taos-check answers may differ now.
    void dnodeStatusChanged(const QString &endpoint);
    // Anything persistent changed.
    void changed();
    // A taosd log line of the dnode at `endpoint` (start-up, joins, elections, vnode moves).
    void logLine(const QString &endpoint, const QString &text);

private:
    struct State;
    std::unique_ptr<State> d;
};

} // namespace tdkube::sandbox::tdengine
