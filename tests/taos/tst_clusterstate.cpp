// The dashboard's warnings, one condition at a time, from snapshots shaped like the seed documents'
// `show dnodes` / `show mnodes` output.
#include "taos/clusterstate.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
namespace taos = tdkube::taos;
using Severity = taos::HealthWarning::Severity;

namespace {

QString endpoint(int ordinal)
{
    return u"tdengine-%1.taosd.db.svc.cluster.local:6030"_s.arg(ordinal);
}

QJsonObject pod(int ordinal, bool ready = true)
{
    return QJsonObject{
        {u"metadata"_s, QJsonObject{{u"name"_s, u"tdengine-%1"_s.arg(ordinal)}, {u"namespace"_s, u"db"_s}}},
        {u"status"_s, QJsonObject{{u"phase"_s, u"Running"_s},
                                  {u"conditions"_s,
                                   QJsonArray{QJsonObject{{u"type"_s, u"Ready"_s},
                                                          {u"status"_s, ready ? u"True"_s : u"False"_s}}}}}}};
}

const QJsonObject statefulSet{
    {u"metadata"_s, QJsonObject{{u"name"_s, u"tdengine"_s}, {u"namespace"_s, u"db"_s}}}};

// Three ready dnodes, three mnodes with a leader, one database with replica 3: nothing to say.
taos::ClusterSnapshot healthy()
{
    taos::ClusterSnapshot snapshot;
    for (int i = 0; i < 3; ++i) {
        snapshot.dnodes.append({i + 1, endpoint(i), 8, 16, u"ready"_s, {}, {}, {}});
        snapshot.mnodes.append({i + 1, endpoint(i), i == 0 ? u"leader"_s : u"follower"_s, u"ready"_s, {}});
    }
    snapshot.databases.append({u"power"_s, 3, 4, 100, u"3650d"_s, u"ms"_s});
    snapshot.databases.append({u"information_schema"_s, 1, 0, 0, {}, {}});
    return snapshot;
}

QStringList titles(const QList<taos::HealthWarning> &warnings)
{
    QStringList result;
    for (const taos::HealthWarning &warning : warnings)
        result.append(warning.title);
    return result;
}

} // namespace

class TestClusterState final : public QObject
{
    Q_OBJECT

private slots:
    void podOfEndpoint_firstLabel()
    {
        QCOMPARE(taos::podOfEndpoint(endpoint(2)), u"tdengine-2"_s);
        QCOMPARE(taos::podOfEndpoint(u"tdengine-0.taosd:6030"_s), u"tdengine-0"_s);
        QCOMPARE(taos::podOfEndpoint(u"host"_s), u"host"_s);
    }

    void healthy_noWarnings()
    {
        QCOMPARE(titles(taos::assessHealth(healthy(), statefulSet, {pod(0), pod(1), pod(2)}, {})),
                 QStringList());
    }

    void offlineDnode_isCritical_andNamesItsPod()
    {
        taos::ClusterSnapshot snapshot = healthy();
        snapshot.dnodes[2].status = u"offline"_s;
        const auto warnings = taos::assessHealth(snapshot, statefulSet, {pod(0), pod(1), pod(2, false)}, {});
        QCOMPARE(titles(warnings).first(), u"dnode 3 is offline"_s);
        QCOMPARE(warnings.first().severity, Severity::Critical);
        QVERIFY2(warnings.first().text.contains(u"pod tdengine-2 is Running and not Ready"_s),
                 qPrintable(warnings.first().text));
    }

    void scaledInWithoutDrop_dnodeWithoutPod()
    {
        taos::ClusterSnapshot snapshot = healthy();
        snapshot.dnodes[2].status = u"offline"_s;
        const auto warnings = taos::assessHealth(snapshot, statefulSet, {pod(0), pod(1)}, {});
        QVERIFY(titles(warnings).contains(u"dnode 3 has no pod"_s));
        QVERIFY(warnings.first().text.contains(u"scaled in without `drop dnode 3`"_s));
        QVERIFY(!titles(warnings).contains(u"dnode 3 is offline"_s)); // one warning for one cause
    }

    // A pod back on a new claim: its dnode is ready under its old id, its vnodes stay offline.
    void readyDnodeWithOfflineVnodes_lostItsVnodes_afterTheGraceOnly()
    {
        taos::ClusterSnapshot snapshot = healthy();
        snapshot.databases.append({u"logs"_s, 1, 1, 10, u"3650d"_s, u"ms"_s});
        const QDateTime started = QDateTime::fromString(u"2026-12-06T08:00:00Z"_s, Qt::ISODate);
        snapshot.dnodes[2].rebootTime = started;
        snapshot.vgroups.append(
            {2, u"power"_s, 1, {{1, u"leader"_s}, {2, u"follower"_s}, {3, u"offline"_s}}});
        snapshot.vgroups.append(
            {3, u"power"_s, 0, {{1, u"follower"_s}, {2, u"leader"_s}, {3, u"offline"_s}}});
        snapshot.vgroups.append({4, u"logs"_s, 5, {{3, u"offline"_s}}});
        snapshot.vgroups.append({5, u"logs"_s, 5, {{1, u"leader"_s}}});
        snapshot.takenAt = started.addSecs(taos::kLostVnodeGraceSeconds - 1); // may still be opening them
        QCOMPARE(titles(taos::assessHealth(snapshot, statefulSet, {pod(0), pod(1), pod(2)}, {})),
                 QStringList());

        snapshot.takenAt = started.addSecs(taos::kLostVnodeGraceSeconds + 1);
        const auto warnings = taos::assessHealth(snapshot, statefulSet, {pod(0), pod(1), pod(2)}, {});
        QCOMPARE(titles(warnings), QStringList{u"dnode 3 lost its vnodes and data of logs"_s});
        QCOMPARE(warnings.first().severity, Severity::Critical);
        const QString text = warnings.first().text;
        for (
            const QString &part :
            {u"dnode 3 (%1) is ready, but its vnodes of vgroup(s) 2, 3, 4 (database logs, power) are offline"_s
                 .arg(endpoint(2)),
             u"pod tdengine-2 on a new volume claim"_s,
             u"The data of logs (replica 1) that was on it is gone"_s, u"`drop dnode 3`"_s,
             u"scale out by one first"_s})
            QVERIFY2(text.contains(part), qPrintable(part + u" not in: "_s + text));

        // A transaction may be creating or moving a vnode: not a loss (yet).
        snapshot.transactions.append({7, u"redoAction"_s, u"balance-vgroup"_s, {}, {}, 0, {}});
        QVERIFY(taos::lostVnodes(snapshot, snapshot.takenAt).isEmpty());
    }

    // A pod back on a new claim within seconds: TDengine never saw its dnode offline and keeps the roles
    // its vnodes had (leader, follower), while they are gone (observed on 3.0.5.2 and 3.3.6.6). Its claim,
    // newer than the dnode, says so; a claim from before the dnode joined says nothing.
    void podOnAClaimNewerThanItsDnode_lostItsVnodes_whateverTheirRoles()
    {
        taos::ClusterSnapshot snapshot = healthy();
        snapshot.databases.append({u"logs"_s, 1, 1, 10, u"3650d"_s, u"ms"_s});
        const QDateTime joined = QDateTime::fromString(u"2026-12-06T08:00:00Z"_s, Qt::ISODate);
        for (taos::Dnode &dnode : snapshot.dnodes) {
            dnode.createTime = joined;
            dnode.rebootTime = joined.addSecs(600);
        }
        snapshot.vgroups.append(
            {2, u"power"_s, 1, {{1, u"leader"_s}, {2, u"follower"_s}, {3, u"follower"_s}}});
        snapshot.vgroups.append({4, u"logs"_s, 5, {{3, u"leader"_s}}});
        snapshot.vgroups.append({5, u"logs"_s, 5, {{1, u"leader"_s}}});
        snapshot.takenAt = joined.addSecs(601);

        // The StatefulSet mounts template `taosdata` at /var/lib/taos (and `taoslog` elsewhere).
        QJsonObject set = statefulSet;
        set.insert(
            u"spec"_s,
            QJsonObject{
                {u"volumeClaimTemplates"_s,
                 QJsonArray{QJsonObject{{u"metadata"_s, QJsonObject{{u"name"_s, u"taoslog"_s}}}},
                            QJsonObject{{u"metadata"_s, QJsonObject{{u"name"_s, u"taosdata"_s}}}}}},
                {u"template"_s,
                 QJsonObject{{u"spec"_s,
                              QJsonObject{{u"containers"_s,
                                           QJsonArray{QJsonObject{
                                               {u"volumeMounts"_s,
                                                QJsonArray{QJsonObject{{u"name"_s, u"taoslog"_s},
                                                                       {u"mountPath"_s, u"/var/log/taos"_s}},
                                                           QJsonObject{{u"name"_s, u"taosdata"_s},
                                                                       {u"mountPath"_s,
                                                                        u"/var/lib/taos"_s}}}}}}}}}}}});
        const auto claim = [](const QString &name, const QDateTime &created) {
            return QJsonObject{
                {u"metadata"_s, QJsonObject{{u"name"_s, name},
                                            {u"namespace"_s, u"db"_s},
                                            {u"creationTimestamp"_s, created.toString(Qt::ISODate)}}}};
        };
        QList<QJsonObject> claims;
        for (int i = 0; i < 3; ++i) {
            claims.append(claim(u"taosdata-tdengine-%1"_s.arg(i), joined.addSecs(-20)));
            claims.append(claim(u"taoslog-tdengine-%1"_s.arg(i), joined.addSecs(i == 1 ? 500 : -20)));
        }
        claims.append(claim(u"taosdata-other-2"_s, joined.addSecs(500))); // not this StatefulSet's
        const auto created = taos::dataClaimsCreated(set, claims);
        QCOMPARE(created.size(), 3);
        QCOMPARE(created.value(u"tdengine-1"_s), joined.addSecs(-20)); // its log claim does not count
        QCOMPARE(titles(taos::assessHealth(snapshot, set, {pod(0), pod(1), pod(2)}, {}, created)),
                 QStringList());
        // Within the clock skew allowed: not yet a sign.
        claims[4] = claim(u"taosdata-tdengine-2"_s, joined.addSecs(taos::kClaimClockSkewSeconds));
        QVERIFY(taos::lostVnodes(snapshot, snapshot.takenAt, taos::dataClaimsCreated(set, claims)).isEmpty());

        // tdengine-2's data claim was replaced 9 minutes after its dnode joined.
        claims[4] = claim(u"taosdata-tdengine-2"_s, joined.addSecs(540));
        const auto warnings = taos::assessHealth(snapshot, set, {pod(0), pod(1), pod(2)}, {},
                                                 taos::dataClaimsCreated(set, claims));
        QCOMPARE(titles(warnings), QStringList{u"dnode 3 lost its vnodes and data of logs"_s});
        QCOMPARE(warnings.first().severity, Severity::Critical);
        for (const QString &part :
             {u"dnode 3 (%1) joined the cluster on 2026-12-06T08:00:00Z, but pod tdengine-2 now runs on a "
              u"volume "
              "claim created on 2026-12-06T08:09:00Z"_s.arg(endpoint(2)),
              u"its vnodes of vgroup(s) 2, 4 (database logs, power) are gone, whatever `show vgroups` says"_s,
              u"The data of logs (replica 1) that was on it is gone for good"_s, u"`drop dnode 3`"_s})
            QVERIFY2(warnings.first().text.contains(part),
                     qPrintable(part + u" not in: "_s + warnings.first().text));
        // A transaction running does not hide it (it does hide offline vnodes: one may be moving).
        snapshot.transactions.append({7, u"redoAction"_s, u"balance-vgroup"_s, {}, {}, 0, {}});
        QCOMPARE(taos::lostVnodes(snapshot, snapshot.takenAt, taos::dataClaimsCreated(set, claims)).size(),
                 1);
    }

    void podWithoutDnode_didNotJoin()
    {
        const auto warnings =
            taos::assessHealth(healthy(), statefulSet, {pod(0), pod(1), pod(2), pod(3)}, {});
        QCOMPARE(titles(warnings), QStringList{u"pod tdengine-3 is not a dnode"_s});
    }

    void oneMnodeWithThreeDnodes_saysCreateMnode()
    {
        taos::ClusterSnapshot snapshot = healthy();
        snapshot.mnodes.resize(1);
        const auto warnings = taos::assessHealth(snapshot, statefulSet, {pod(0), pod(1), pod(2)}, {});
        QCOMPARE(titles(warnings), QStringList{u"only 1 mnode"_s});
        QVERIFY(warnings.first().text.contains(u"create mnode on dnode 2"_s));
    }

    void mnodeQuorumLost_isCritical()
    {
        taos::ClusterSnapshot snapshot = healthy();
        snapshot.mnodes[0].status = u"offline"_s;
        snapshot.mnodes[0].role = u"offline"_s;
        snapshot.mnodes[1].status = u"offline"_s;
        const auto warnings = taos::assessHealth(snapshot, statefulSet, {pod(0), pod(1), pod(2)}, {});
        QCOMPARE(titles(warnings), QStringList{u"the mnodes have no quorum"_s});
        QVERIFY(warnings.first().text.startsWith(u"1 of 3 mnode(s) are ready and none is the leader"_s));
    }

    void replicaAboveReadyDnodes_isCritical()
    {
        taos::ClusterSnapshot snapshot = healthy();
        snapshot.dnodes[1].status = u"offline"_s;
        snapshot.dnodes[2].status = u"offline"_s;
        const auto warnings = taos::assessHealth(snapshot, statefulSet, {pod(0), pod(1), pod(2)}, {});
        QVERIFY(titles(warnings).contains(u"database power needs 3 dnodes"_s));
        QVERIFY(!titles(warnings).contains(u"database information_schema needs 1 dnodes"_s));
    }

    void staleClaims_andTransactions_areListed()
    {
        taos::ClusterSnapshot snapshot = healthy();
        snapshot.transactions.append({7, u"redoAction"_s, u"drop-dnode"_s, {}, {}, 0, {}});
        const QHash<QString, QString> stale{{u"db/taosdata-tdengine-3"_s, u"stale"_s},
                                            {u"other/taosdata-x-9"_s, u"stale"_s}};
        const auto warnings = taos::assessHealth(snapshot, statefulSet, {pod(0), pod(1), pod(2)}, stale);
        QCOMPARE(titles(warnings),
                 QStringList({u"1 stale volume claim"_s, u"transaction 7 is running: drop-dnode"_s}));
        QVERIFY(warnings.first().text.startsWith(u"taosdata-tdengine-3: left behind by a scale-in"_s));
    }

    // last_action_info as TDengine writes it (mndRetrieveTrans): an action in flight is progress (0x111 on
    // 3.0, 0x3d8 on 3.3), a replica catching up a wait; an error repeated kStuckTransactionFailures times
    // makes the transaction stuck.
    void transaction_lastActionInfo_progressWaitFailureStuck_data()
    {
        QTest::addColumn<int>("failedTimes");
        QTest::addColumn<QString>("info");
        QTest::addColumn<QString>("described");
        QTest::addColumn<bool>("failing");
        QTest::addColumn<bool>("stuck");
        const QString head = u"transaction 12 (drop-dnode, stage redoAction)"_s;
        const QString ep = u"msgType:alter-confirm numOfEps:1 inUse:0 ep:0-tdengine-1.taosd:6030 "_s;
        QTest::newRow("3.0 in flight")
            << 0 << u"action:4 code:0x111(Action in progress) "_s + ep
            << head + u": action 4 (alter-confirm to tdengine-1.taosd:6030) under way"_s << false << false;
        QTest::newRow("3.3 in flight, retried")
            << 3 << u"action:4 code:0x3d8(Wrong transaction execution context) "_s + ep
            << head + u": action 4 (alter-confirm to tdengine-1.taosd:6030) under way"_s << false << false;
        QTest::newRow("replica catching up")
            << 8
            << u"action:6 code:0x532(Vnode didn't catch up its leader) msgType:alter-replica numOfEps:2 "
               u"inUse:1 "
               "ep:0-tdengine-0.taosd:6030 ep:1-tdengine-2.taosd:6030 "_s
            << head +
                   u": action 6 (alter-replica to tdengine-2.taosd:6030) waiting: Vnode didn't catch up its "
                   "leader (0x0532)"_s
            << false << false;
        QTest::newRow("failed twice")
            << 2 << u"action:3 code:0xb(Unable to establish connection) "_s + ep
            << head + u": action 3 (alter-confirm to tdengine-1.taosd:6030) failed 2 "
                      "times: Unable to establish connection (0x000B)"_s
            << true << false;
        QTest::newRow("stuck") << 12 << u"action:3 code:0xb(Unable to establish connection) "_s + ep
                               << head +
                                      u": action 3 (alter-confirm to tdengine-1.taosd:6030) failed 12 times: "
                                      "Unable to establish connection (0x000B)"_s
                               << true << true;
        QTest::newRow("last action done")
            << 0 << u"action:2 code:0x0(success) "_s + ep
            << head + u": action 2 (alter-confirm to tdengine-1.taosd:6030) done"_s << false << false;
        QTest::newRow("no action yet") << 0 << u"action:0 code:0x0(success) "_s << head << false << false;
        QTest::newRow("empty") << 0 << QString() << head << false << false;
    }

    void transaction_lastActionInfo_progressWaitFailureStuck()
    {
        QFETCH(int, failedTimes);
        QFETCH(QString, info);
        QFETCH(QString, described);
        QFETCH(bool, failing);
        QFETCH(bool, stuck);
        const taos::Transaction transaction{12, u"redoAction"_s, u"drop-dnode"_s, {}, {}, failedTimes, info};
        QCOMPARE(transaction.describe(), described);
        QCOMPARE(transaction.isFailing(), failing);
        QCOMPARE(transaction.isStuck(), stuck);

        // The dashboard: a running transaction is information, a stuck one a warning with the way out.
        taos::ClusterSnapshot snapshot = healthy();
        snapshot.transactions.append(transaction);
        const auto warnings = taos::assessHealth(snapshot, statefulSet, {pod(0), pod(1), pod(2)}, {});
        QCOMPARE(warnings.size(), 1);
        if (!stuck) {
            QCOMPARE(warnings.first().title, u"transaction 12 is running: drop-dnode"_s);
            QCOMPARE(warnings.first().severity, Severity::Info);
            QCOMPARE(warnings.first().text, described + u'.');
            return;
        }
        QCOMPARE(warnings.first().title, u"transaction 12 (drop-dnode) is stuck"_s);
        QCOMPARE(warnings.first().severity, Severity::Warning);
        const QString retries = described + u". TDengine retries it until what it needs is back"_s;
        for (const QString &part : {retries, u"`kill transaction 12` ends it"_s,
                                    u"counts its remaining actions as done without doing them"_s})
            QVERIFY2(warnings.first().text.contains(part), qPrintable(warnings.first().text));
    }

    // TDengine decorates some words (FACTS.md section 1): read by prefix, never compared whole.
    void statusWords_readByPrefix()
    {
        const auto dnode = [](const QString &status) {
            return taos::Dnode{1, endpoint(0), 0, 16, status, {}, {}, {}};
        };
        QCOMPARE(dnode(u"ready"_s).state(), taos::DnodeState::Ready);
        QVERIFY(dnode(u"ready"_s).isOnline());
        QCOMPARE(dnode(u"dropping"_s).state(), taos::DnodeState::Dropping);
        QVERIFY(dnode(u"dropping"_s).isOnline());
        QCOMPARE(dnode(u"dropping*"_s).state(), taos::DnodeState::Dropping);
        QVERIFY(!dnode(u"dropping*"_s).isOnline());
        QCOMPARE(dnode(u"creating*"_s).state(), taos::DnodeState::Creating);
        QVERIFY(!dnode(u"creating*"_s).isOnline());
        QCOMPARE(dnode(u"offline"_s).state(), taos::DnodeState::Offline);
        QVERIFY(!dnode(u"offline"_s).isOnline());
        QCOMPARE(taos::vnodeRole(u"leader"_s), taos::VnodeRole::Leader);
        QCOMPARE(taos::vnodeRole(u"leader*"_s), taos::VnodeRole::LeaderNotRestored);
        QCOMPARE(taos::vnodeRole(u"leader**"_s), taos::VnodeRole::LeaderNotRestored);
        QCOMPARE(taos::vnodeRole(u"assigned "_s), taos::VnodeRole::Assigned);
        QCOMPARE(taos::vnodeRole(u"dropping"_s), taos::VnodeRole::Dropping);
        QCOMPARE(taos::vnodeRole(u"learner"_s), taos::VnodeRole::Learner);
        QVERIFY((taos::Vnode{1, u"follower"_s}.isHealthy()));
        QVERIFY(!(taos::Vnode{1, u"leader*"_s}.isHealthy()));
    }

    // A dnode being dropped that went offline shows `dropping*`: still warned about, as offline.
    void droppingAndOfflineDnode_warned()
    {
        taos::ClusterSnapshot snapshot = healthy();
        snapshot.dnodes[2].status = u"dropping*"_s;
        const QList<taos::HealthWarning> warnings =
            taos::assessHealth(snapshot, statefulSet, {pod(0), pod(1), pod(2, false)}, {});
        const qsizetype at = titles(warnings).indexOf(u"dnode 3 is being dropped and is offline"_s);
        QVERIFY2(at >= 0, qPrintable(titles(warnings).join(u"; ")));
        QCOMPARE(warnings.at(at).severity, Severity::Warning);
        QVERIFY2(warnings.at(at).text.contains(u"from their other replicas"_s),
                 qPrintable(warnings.at(at).text));
    }

    // `ready` is the mnode's dnode being online, whatever its role (FACTS.md sections 1 and 7): a
    // candidate or an `error` mnode, or 3.3's `offline` role right after `create mnode`, is not serving.
    void mnodeHealth_roleAndStatusTogether()
    {
        QList<taos::Mnode> mnodes{{1, endpoint(0), u"leader"_s, u"ready"_s, {}},
                                  {2, endpoint(1), u"candidate"_s, u"ready"_s, {}},
                                  {3, endpoint(2), u"error"_s, u"ready"_s, {}}};
        taos::MnodeHealth health = taos::mnodeHealth(mnodes);
        QCOMPARE(health.ready, 1);
        QVERIFY(!health.quorum);
        mnodes[1].role = u"follower"_s;
        mnodes[2].role = u"offline"_s;
        health = taos::mnodeHealth(mnodes);
        QCOMPARE(health.ready, 2);
        QVERIFY(health.quorum);
        QVERIFY(!mnodes[2].isServing());
    }

    void vnodesPerDnode_byRole()
    {
        const QList<taos::Vgroup> vgroups{
            {2, u"power"_s, 10, {{1, u"leader"_s}, {2, u"follower"_s}, {3, u"follower"_s}}},
            {3, u"power"_s, 10, {{2, u"leader"_s}, {3, u"follower"_s}, {1, u"offline"_s}}},
        };
        const auto counts = taos::vnodesPerDnode(vgroups);
        QCOMPARE(counts.value(1).leaders, 1);
        QCOMPARE(counts.value(1).others, 1);
        QCOMPARE(counts.value(2).total(), 2);
        QCOMPARE(counts.value(3).followers, 2);
    }
};

QTEST_GUILESS_MAIN(TestClusterState)
#include "tst_clusterstate.moc"
