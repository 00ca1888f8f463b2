#pragma once

#include "taos/clusterstate.h"
#include "taos/restclient.h"
#include "taos/result.h"
#include "taos/versions.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

namespace tdkube::taos {

// The snapshot's parts from the system tables (taos/systables.h), by column name (so that a server that
// adds columns does not break them). Rows with missing columns get defaults.
QList<Dnode> dnodesFrom(const Result &insDnodes);
// `version` names the column of an mnode's last role change (taos/versions.h); without it, 3.0's.
QList<Mnode> mnodesFrom(const Result &insMnodes, const VersionFacts &version = versionFacts({}));
QList<Database> databasesFrom(const Result &insDatabases);
QList<Vgroup> vgroupsFrom(const Result &insVgroups);
QList<Transaction> transactionsFrom(const Result &perfTrans);
// id, name and uptime from ins_cluster.
void clusterFrom(const Result &insCluster, ClusterSnapshot *snapshot);

// One snapshot, taken as a poll takes it: done(snapshot, error) once, `error` empty on success, never
// after `context` was destroyed.
void takeSnapshot(RestClient *client, QObject *context,
                  std::function<void(const ClusterSnapshot &snapshot, const QString &error)> done);

// Takes a ClusterSnapshot every few seconds while started: ins_cluster, ins_dnodes, ins_mnodes,
// ins_databases, ins_vgroups and perf_trans, sent together; one snapshot when all have answered. A poll
// never overlaps the previous one; when one query fails the poll reports that error instead, and so it
// does when ins_dnodes, ins_mnodes, ins_databases or ins_vgroups disagrees with its count(*), read beside
// it (an answer cut short: taos::incompleteRead). The server's version is read once, with the first poll
// that gets an answer to it, and goes with every snapshot.
class SnapshotPoller final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SnapshotPoller)

public:
    explicit SnapshotPoller(RestClient *client, QObject *parent = nullptr);
    ~SnapshotPoller() override;

    void setInterval(int ms) { m_timer.setInterval(ms); }
    void start();
    void stop();
    void pollNow();
    bool isPolling() const { return m_pending > 0; }
    const ClusterSnapshot &last() const { return m_last; }

signals:
    void snapshotTaken(const tdkube::taos::ClusterSnapshot &snapshot);
    void failed(const QString &error);

private:
    void finishPart(const QString &error);

    QPointer<RestClient> m_client;
    QTimer m_timer;
    int m_pending = 0;
    ClusterSnapshot m_building;
    QHash<QString, Result> m_rows;   // by statement, for the tables read complete
    QHash<QString, Result> m_counts; // their count(*), by the statement of the rows
    QString m_serverVersion;         // read once, at the first poll that gets it
    QString m_error;
    ClusterSnapshot m_last;
    QList<QueryHandle> m_handles;
};

} // namespace tdkube::taos
