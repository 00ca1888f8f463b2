#include "taos/snapshotpoller.h"

#include "taos/systables.h"

#include <QHash>

namespace tdkube::taos {

namespace {

using namespace Qt::StringLiterals;

// What plans and warnings are made from: a dnode, an mnode, a database or a vgroup missing from a
// cut-short answer would be planned around as if it did not exist.
const QStringList kCheckedTables{kSelectDnodes, kSelectMnodes, kSelectDatabases, kSelectVgroups};

// Reads a result's cells by column name.
class Rows
{
public:
    explicit Rows(const Result &result)
        : m_result(result)
    {
        for (qsizetype column = 0; column < result.columnCount(); ++column)
            m_columns.insert(result.columns().at(column).name, column);
    }

    qsizetype count() const { return m_result.rowCount(); }
    QString text(qsizetype row, const QString &name) const
    {
        const qsizetype column = m_columns.value(name, -1);
        return column < 0 || m_result.isNull(row, column) ? QString()
                                                          : m_result.value(row, column).toString();
    }
    qint64 number(qsizetype row, const QString &name) const
    {
        const qsizetype column = m_columns.value(name, -1);
        return column < 0 || m_result.isNull(row, column) ? 0 : m_result.value(row, column).toLongLong();
    }
    QDateTime time(qsizetype row, const QString &name) const
    {
        const qsizetype column = m_columns.value(name, -1);
        return column < 0 || m_result.isNull(row, column) ? QDateTime() : m_result.dateTime(row, column);
    }

private:
    const Result &m_result;
    QHash<QString, qsizetype> m_columns;
};

} // namespace

QList<Dnode> dnodesFrom(const Result &insDnodes)
{
    const Rows rows(insDnodes);
    QList<Dnode> dnodes;
    for (qsizetype row = 0; row < rows.count(); ++row) {
        dnodes.append({int(rows.number(row, u"id"_s)), rows.text(row, u"endpoint"_s),
                       int(rows.number(row, u"vnodes"_s)), int(rows.number(row, u"support_vnodes"_s)),
                       rows.text(row, u"status"_s), rows.time(row, u"create_time"_s),
                       rows.time(row, u"reboot_time"_s), rows.text(row, u"note"_s)});
    }
    std::sort(dnodes.begin(), dnodes.end(), [](const Dnode &a, const Dnode &b) { return a.id < b.id; });
    return dnodes;
}

QList<Mnode> mnodesFrom(const Result &insMnodes, const VersionFacts &version)
{
    const Rows rows(insMnodes);
    QList<Mnode> mnodes;
    for (qsizetype row = 0; row < rows.count(); ++row) {
        mnodes.append({int(rows.number(row, u"id"_s)), rows.text(row, u"endpoint"_s),
                       rows.text(row, u"role"_s), rows.text(row, u"status"_s),
                       rows.time(row, version.mnodeRoleTimeColumn)});
    }
    std::sort(mnodes.begin(), mnodes.end(), [](const Mnode &a, const Mnode &b) { return a.id < b.id; });
    return mnodes;
}

QList<Database> databasesFrom(const Result &insDatabases)
{
    const Rows rows(insDatabases);
    QList<Database> databases;
    for (qsizetype row = 0; row < rows.count(); ++row) {
        databases.append({rows.text(row, u"name"_s), int(rows.number(row, u"replica"_s)),
                          int(rows.number(row, u"vgroups"_s)), rows.number(row, u"ntables"_s),
                          rows.text(row, u"keep"_s), rows.text(row, u"precision"_s)});
    }
    return databases;
}

QList<Vgroup> vgroupsFrom(const Result &insVgroups)
{
    const Rows rows(insVgroups);
    QList<Vgroup> vgroups;
    for (qsizetype row = 0; row < rows.count(); ++row) {
        Vgroup vgroup{int(rows.number(row, u"vgroup_id"_s)),
                      rows.text(row, u"db_name"_s),
                      rows.number(row, u"tables"_s),
                      {}};
        // v1_dnode/v1_status .. v4_*: a replica's dnode and its role; dnode 0 or NULL is no replica.
        for (int i = 1; i <= 4; ++i) {
            const int dnode = int(rows.number(row, u"v%1_dnode"_s.arg(i)));
            if (dnode <= 0)
                continue;
            Vnode vnode{dnode, rows.text(row, u"v%1_status"_s.arg(i))};
            // 3.3: "applied/committed" raft indexes as "120/135" (mndRetrieveVgroups); absent in 3.0.
            const QStringList indexes = rows.text(row, u"v%1_applied/committed"_s.arg(i)).split(u'/');
            bool appliedOk = false;
            bool committedOk = false;
            if (indexes.size() == 2) {
                vnode.applied = indexes.at(0).trimmed().toLongLong(&appliedOk);
                vnode.committed = indexes.at(1).trimmed().toLongLong(&committedOk);
            }
            if (!appliedOk || !committedOk)
                vnode.applied = vnode.committed = -1;
            vgroup.vnodes.append(vnode);
        }
        vgroups.append(vgroup);
    }
    std::sort(vgroups.begin(), vgroups.end(), [](const Vgroup &a, const Vgroup &b) {
        return std::pair(a.database, a.id) < std::pair(b.database, b.id);
    });
    return vgroups;
}

QList<Transaction> transactionsFrom(const Result &perfTrans)
{
    const Rows rows(perfTrans);
    QList<Transaction> transactions;
    for (qsizetype row = 0; row < rows.count(); ++row) {
        transactions.append({int(rows.number(row, u"id"_s)), rows.text(row, u"stage"_s),
                             rows.text(row, u"oper"_s), rows.text(row, u"db"_s),
                             rows.time(row, u"create_time"_s), int(rows.number(row, u"failed_times"_s)),
                             rows.text(row, u"last_action_info"_s)});
    }
    return transactions;
}

void clusterFrom(const Result &insCluster, ClusterSnapshot *snapshot)
{
    const Rows rows(insCluster);
    if (rows.count() == 0)
        return;
    snapshot->clusterId = rows.text(0, u"id"_s);
    snapshot->clusterName = rows.text(0, u"name"_s);
    snapshot->uptimeSeconds = rows.number(0, u"uptime"_s);
}

void takeSnapshot(RestClient *client, QObject *context,
                  std::function<void(const ClusterSnapshot &snapshot, const QString &error)> done)
{
    if (!client) {
        QTimer::singleShot(
            0, context, [done] { done({}, SnapshotPoller::tr("There is no connection to taosAdapter.")); });
        return;
    }
    // A poller of its own, so that a dashboard's poller is neither disturbed nor waited for.
    auto *poller = new SnapshotPoller(client, context);
    QObject::connect(poller, &SnapshotPoller::snapshotTaken, poller,
                     [poller, done](const ClusterSnapshot &snapshot) {
                         poller->deleteLater();
                         done(snapshot, {});
                     });
    QObject::connect(poller, &SnapshotPoller::failed, poller, [poller, done](const QString &error) {
        poller->deleteLater();
        done({}, error);
    });
    poller->pollNow();
}

SnapshotPoller::SnapshotPoller(RestClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
    m_timer.setInterval(5000);
    connect(&m_timer, &QTimer::timeout, this, &SnapshotPoller::pollNow);
}

SnapshotPoller::~SnapshotPoller()
{
    stop();
}

void SnapshotPoller::start()
{
    m_timer.start();
    pollNow();
}

void SnapshotPoller::stop()
{
    m_timer.stop();
    for (QueryHandle &handle : m_handles)
        handle.cancel();
    m_handles.clear();
    m_pending = 0;
}

void SnapshotPoller::pollNow()
{
    if (!m_client || m_pending > 0)
        return;
    m_building = {};
    m_error.clear();
    m_handles.clear();
    m_rows.clear();
    m_counts.clear();
    using Store = std::function<void(const Result &)>;
    // The tables plans are made from are read complete (taos/systables.h): their rows are kept to be
    // checked against their count(*), read beside them.
    const auto checked = [this](const QString &select, const Store &store) {
        return Store([this, select, store](const Result &result) {
            m_rows.insert(select, result);
            store(result);
        });
    };
    // Each part: a statement and where its rows go.
    QList<std::pair<QString, Store>> parts{
        {kSelectCluster, [this](const Result &result) { clusterFrom(result, &m_building); }},
        {kSelectDnodes,
         checked(kSelectDnodes, [this](const Result &r) { m_building.dnodes = dnodesFrom(r); })},
        // Parsed once every part has answered: which column holds the role time depends on the version.
        {kSelectMnodes, checked(kSelectMnodes, [](const Result &) {})},
        {kSelectDatabases,
         checked(kSelectDatabases, [this](const Result &r) { m_building.databases = databasesFrom(r); })},
        {kSelectVgroups,
         checked(kSelectVgroups, [this](const Result &r) { m_building.vgroups = vgroupsFrom(r); })},
        {kSelectTransactions, [this](const Result &r) { m_building.transactions = transactionsFrom(r); }},
    };
    if (m_serverVersion.isEmpty()) {
        parts.append({kSelectServerVersion, [this](const Result &r) {
                          m_serverVersion = r.rowCount() > 0 ? r.text(0, 0) : QString();
                      }});
    }
    for (const QString &select : kCheckedTables)
        parts.append(
            {countStatement(select), [this, select](const Result &r) { m_counts.insert(select, r); }});
    m_pending = int(parts.size());
    for (const auto &[sql, store] : parts) {
        m_handles.append(m_client->query(sql, this, [this, store](const QueryOutcome &outcome) {
            if (outcome.cancelled)
                return;
            if (outcome.ok())
                store(outcome.result);
            finishPart(outcome.ok() ? QString() : outcome.error.describe());
        }));
    }
}

void SnapshotPoller::finishPart(const QString &error)
{
    if (m_error.isEmpty())
        m_error = error;
    if (--m_pending > 0)
        return;
    m_handles.clear();
    for (const QString &select : kCheckedTables) {
        if (!m_error.isEmpty())
            break;
        const QString incomplete = incompleteRead(select, m_rows.value(select), m_counts.value(select));
        if (!incomplete.isEmpty())
            m_error =
                tr("TDengine's answer was incomplete: %1. The next look reads it again.").arg(incomplete);
    }
    m_building.serverVersion = m_serverVersion;
    m_building.mnodes = mnodesFrom(m_rows.value(kSelectMnodes), versionFacts(m_serverVersion));
    m_rows.clear();
    m_counts.clear();
    if (!m_error.isEmpty()) {
        emit failed(m_error);
        return;
    }
    m_building.takenAt = QDateTime::currentDateTimeUtc();
    m_last = m_building;
    emit snapshotTaken(m_last);
}

} // namespace tdkube::taos
