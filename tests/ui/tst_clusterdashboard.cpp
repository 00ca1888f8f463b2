// The cluster dashboard fed snapshots: what the summary, warnings, tables and charts show.
#include "clusterdashboard.h"
#include "taos/clusterstate.h"

#include <QDir>
#include <QLabel>
#include <QTableWidget>
#include <QTest>

using namespace Qt::StringLiterals;
namespace taos = tdkube::taos;
using tdkube::ui::ClusterDashboard;

namespace {

taos::ClusterSnapshot snapshot(const QString &thirdStatus)
{
    taos::ClusterSnapshot snapshot;
    snapshot.takenAt = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < 3; ++i) {
        const QString endpoint = u"tdengine-%1.taosd.db.svc.cluster.local:6030"_s.arg(i);
        snapshot.dnodes.append({i + 1,
                                endpoint,
                                2,
                                16,
                                i == 2 ? thirdStatus : u"ready"_s,
                                QDateTime::currentDateTimeUtc(),
                                QDateTime::currentDateTimeUtc(),
                                {}});
        snapshot.mnodes.append({i + 1, endpoint, i == 0 ? u"leader"_s : u"follower"_s, u"ready"_s, {}});
    }
    snapshot.databases.append({u"power"_s, 3, 2, 40, u"3650d"_s, u"ms"_s});
    snapshot.vgroups.append({2, u"power"_s, 20, {{1, u"leader"_s}, {2, u"follower"_s}, {3, u"follower"_s}}});
    snapshot.vgroups.append({3, u"power"_s, 20, {{2, u"leader"_s}, {3, u"follower"_s}, {1, u"follower"_s}}});
    return snapshot;
}

} // namespace

class TestClusterDashboard final : public QObject
{
    Q_OBJECT

private slots:
    void snapshot_summaryTablesAndCharts()
    {
        ClusterDashboard dashboard;
        dashboard.resize(1100, 700);
        dashboard.setClusterName(u"tdengine"_s);
        dashboard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dashboard));
        const taos::ClusterSnapshot healthy = snapshot(u"ready"_s);
        dashboard.setSnapshot(healthy, {});
        QVERIFY2(dashboard.summaryText().startsWith(
                     u"dnodes 3/3 ready · mnodes 3/3 ready, leader tdengine-0, quorum · databases power "
                     u"(replica 3) · 0 transaction(s) running · as of "_s),
                 qPrintable(dashboard.summaryText()));
        // Two mnodes lost and no leader: no quorum (the candidate's `ready` is only its dnode online:
        // it does not count); many databases: the first four and a count.
        taos::ClusterSnapshot lost = healthy;
        for (int i : {1, 2})
            lost.mnodes[i].status = u"offline"_s;
        lost.mnodes[0].role = u"candidate"_s;
        for (const QString &name : {u"a"_s, u"b"_s, u"c"_s, u"d"_s, u"e"_s})
            lost.databases.append({name, 1, 1, 0, u"3650d"_s, u"ms"_s});
        lost.databases.append({u"information_schema"_s, 1, 0, 0, {}, {}});
        dashboard.setSnapshot(lost, {});
        QVERIFY2(
            dashboard.summaryText().contains(
                u" · mnodes 0/3 ready, no leader, no quorum · databases power (replica 3), a (replica 1), "
                u"b (replica 1), c (replica 1) and 2 more · "_s),
            qPrintable(dashboard.summaryText()));
        QCOMPARE(dashboard.dnodeTable()->rowCount(), 3);
        QCOMPARE(dashboard.dnodeTable()->item(1, 2)->text(), u"tdengine-1"_s);
        QCOMPARE(dashboard.dnodeTable()->item(1, 3)->text(), u"2/16"_s);
        QCOMPARE(dashboard.vgroupTable()->item(0, 3)->text(), u"1: leader, 2: follower, 3: follower"_s);
        QCOMPARE(dashboard.chartedVnodes(), (QList<std::pair<int, int>>{{1, 1}, {1, 1}, {0, 2}}));
        QCOMPARE(dashboard.chartedLeaders(), (QList<int>{1, 1, 0}));
        QCOMPARE(dashboard.leaderChartTitle(), u"Vgroup leaders per dnode"_s);
        // Leaders piling up on dnode 1: the chart says so and what evens them out.
        taos::ClusterSnapshot piled = healthy;
        for (int id : {4, 5})
            piled.vgroups.append(
                {id, u"power"_s, 20, {{1, u"leader"_s}, {2, u"follower"_s}, {3, u"follower"_s}}});
        dashboard.setSnapshot(piled, {});
        QCOMPARE(dashboard.chartedLeaders(), (QList<int>{3, 1, 0}));
        QVERIFY2(dashboard.leaderChartTitle().contains(u"uneven (0 to 3)"_s) &&
                     dashboard.leaderChartTitle().contains(u"balance vgroup leader"_s),
                 qPrintable(dashboard.leaderChartTitle()));
        dashboard.setSnapshot(healthy, {});
        QCOMPARE(dashboard.chartedLeaders(), (QList<int>{1, 1, 0}));

        // dnode 3 goes offline: its row stands out and the warning shows.
        const QTableWidgetItem *before = dashboard.dnodeTable()->item(2, 0);
        taos::ClusterSnapshot offline = snapshot(u"offline"_s);
        const QList<taos::HealthWarning> warnings{
            {taos::HealthWarning::Severity::Critical, u"dnode 3 is offline"_s, u"Look at its pod."_s}};
        dashboard.setSnapshot(offline, warnings);
        QCOMPARE(dashboard.dnodeTable()->item(2, 0), before); // updated in place, not rebuilt
        offline.vgroups.removeLast(); // the chart changes: its series and axes are replaced, not leaked
        dashboard.setSnapshot(offline, warnings);
        QCOMPARE(dashboard.chartedVnodes(), (QList<std::pair<int, int>>{{1, 0}, {0, 1}, {0, 1}}));
        QCOMPARE(dashboard.dnodeTable()->item(2, 4)->text(), u"offline"_s);
        QVERIFY(dashboard.dnodeTable()->item(2, 4)->background() != QBrush());
        QCOMPARE(dashboard.dnodeTable()->item(1, 4)->background(), QBrush());
        QCOMPARE(dashboard.warningTitles(), QStringList{u"dnode 3 is offline"_s});
        const auto labels = dashboard.findChildren<QLabel *>(u"healthWarning"_s);
        QCOMPARE(labels.size(), 1);
        QVERIFY(labels.first()->text().contains(u"Look at its pod."_s));
        QVERIFY(dashboard.summaryText().startsWith(u"dnodes 2/3 ready"_s));
        const QString dir = qEnvironmentVariable("TDKUBE_SCREENSHOT_DIR");
        QTRY_VERIFY(labels.first()->isVisible()); // shown from the event loop, like every new child
        if (!dir.isEmpty()) {
            dashboard.grab().save(QDir(dir).filePath(u"dashboard.png"_s));
            dashboard.tabs()->setCurrentIndex(4);
            dashboard.grab().save(QDir(dir).filePath(u"dashboard-charts.png"_s));
        }

        // The version TDengine says it runs (`select server_version()`), in the title.
        taos::ClusterSnapshot named = healthy;
        named.clusterName = u"c1"_s;
        named.clusterId = u"42"_s;
        named.uptimeSeconds = 60;
        named.serverVersion = u"3.0.5.2.alpha"_s;
        dashboard.setSnapshot(named, {});
        const QString title = dashboard.findChild<QLabel *>(u"dashboardTitle"_s)->text();
        QVERIFY2(title.startsWith(u"TDengine cluster tdengine — c1 (id 42)"_s) &&
                     title.endsWith(u", TDengine 3.0.5.2.alpha"_s),
                 qPrintable(title));

        dashboard.setError(u"taosAdapter answered 401"_s);
        QVERIFY(dashboard.summaryText().contains(u"could not be read: taosAdapter answered 401"_s));
    }

    // A drop-dnode transaction whose action keeps failing (its target's dnode is offline): the dashboard
    // says it is stuck, what it fails at, and what `kill transaction` would do, as taos::assessHealth
    // words it.
    void stuckTransaction_warningSaysWhatFailsAndTheWayOut()
    {
        ClusterDashboard dashboard;
        dashboard.resize(1100, 700);
        dashboard.setClusterName(u"tdengine"_s);
        dashboard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dashboard));
        taos::ClusterSnapshot stuck = snapshot(u"offline"_s);
        stuck.dnodes[1].status = u"dropping"_s;
        stuck.transactions.append(
            {12,
             u"redoAction"_s,
             u"drop-dnode"_s,
             {},
             QDateTime::currentDateTimeUtc(),
             14,
             u"action:5 code:0xb(Unable to establish connection) msgType:create-vnode numOfEps:1 inUse:0 "
             "ep:0-tdengine-2.taosd.db.svc.cluster.local:6030 "_s});
        QList<taos::HealthWarning> warnings;
        for (const taos::HealthWarning &warning : taos::assessHealth(stuck, {}, {}, {})) {
            if (warning.title.startsWith(u"transaction"_s))
                warnings.append(warning);
        }
        dashboard.setSnapshot(stuck, warnings);
        QCOMPARE(dashboard.warningTitles(), QStringList{u"transaction 12 (drop-dnode) is stuck"_s});
        const auto labels = dashboard.findChildren<QLabel *>(u"healthWarning"_s);
        QCOMPARE(labels.size(), 1);
        for (const QString &part : {u"action 5 (create-vnode to tdengine-2.taosd.db.svc.cluster.local:6030) "
                                    u"failed 14 times: Unable "
                                    "to establish connection (0x000B)"_s,
                                    u"`kill transaction 12` ends it"_s})
            QVERIFY2(labels.first()->text().contains(part), qPrintable(labels.first()->text()));
        QVERIFY(dashboard.summaryText().contains(u"1 transaction(s) running"_s));
        QTRY_VERIFY(labels.first()->isVisible());
        if (const QString dir = qEnvironmentVariable("TDKUBE_SCREENSHOT_DIR"); !dir.isEmpty())
            dashboard.grab().save(QDir(dir).filePath(u"dashboard-stuck-transaction.png"_s));
    }
};

QTEST_MAIN(TestClusterDashboard)
#include "tst_clusterdashboard.moc"
