// The snapshot's parts read from information_schema results, by column name, as taosAdapter sends them.
#include "taos/snapshotpoller.h"
#include "taos/systables.h"

#include <QTest>

using namespace Qt::StringLiterals;
namespace taos = tdkube::taos;

namespace {

taos::Result decode(const char *body)
{
    taos::Result result;
    taos::TaosError error;
    if (!taos::ResultDecoder::decode(QByteArray(body), &result, &error))
        qFatal("bad test body: %s", qPrintable(error.describe()));
    return result;
}

} // namespace

class TestSnapshotParts final : public QObject
{
    Q_OBJECT

private slots:
    void dnodes_sortedById_withTimes()
    {
        const auto dnodes = taos::dnodesFrom(decode(R"({"code":0,"column_meta":[["id","INT",4],
            ["endpoint","VARCHAR",134],["vnodes","SMALLINT",2],["support_vnodes","SMALLINT",2],["status","VARCHAR",10],
            ["create_time","TIMESTAMP",8],["reboot_time","TIMESTAMP",8],["note","VARCHAR",256],["extra","INT",4]],
            "data":[[2,"tdengine-1.taosd.db.svc.cluster.local:6030",8,16,"offline","2023-07-19T17:54:37.828Z",
            "2023-07-19T17:54:38.698Z","",1],[1,"tdengine-0.taosd.db.svc.cluster.local:6030",8,16,"ready",
            "2023-07-19T17:54:18.552Z","2023-07-19T17:54:18.469Z",null,1]],"rows":2})"));
        QCOMPARE(dnodes.size(), 2);
        QCOMPARE(dnodes.at(0).id, 1);
        QCOMPARE(dnodes.at(1).status, u"offline"_s);
        QCOMPARE(dnodes.at(1).vnodes, 8);
        QCOMPARE(dnodes.at(1).supportVnodes, 16);
        QCOMPARE(dnodes.at(0).createTime,
                 QDateTime::fromString(u"2023-07-19T17:54:18.552Z"_s, Qt::ISODateWithMs));
        QCOMPARE(dnodes.at(0).note, QString());
    }

    void vgroups_replicasFromNumberedColumns()
    {
        const auto vgroups = taos::vgroupsFrom(decode(R"({"code":0,"column_meta":[["vgroup_id","INT",4],
            ["db_name","VARCHAR",64],["tables","INT",4],["v1_dnode","SMALLINT",2],["v1_status","VARCHAR",9],
            ["v2_dnode","SMALLINT",2],["v2_status","VARCHAR",9],["v3_dnode","SMALLINT",2],["v3_status","VARCHAR",9],
            ["v4_dnode","SMALLINT",2],["v4_status","VARCHAR",9]],
            "data":[[3,"power",5,2,"leader",3,"follower",1,"offline",null,null],[2,"power",7,1,"leader",null,null,null,null,null,null]],
            "rows":2})"));
        QCOMPARE(vgroups.size(), 2);
        QCOMPARE(vgroups.at(0).id, 2);
        QCOMPARE(vgroups.at(0).vnodes.size(), 1);
        QCOMPARE(vgroups.at(1).tables, 5);
        QCOMPARE(vgroups.at(1).vnodes.size(), 3);
        QCOMPARE(vgroups.at(1).vnodes.at(2).dnodeId, 1);
        QCOMPARE(vgroups.at(1).vnodes.at(2).role, u"offline"_s);
        QCOMPARE(vgroups.at(1).vnodes.at(2).applied, -1); // 3.0 does not say
        QVERIFY(!vgroups.at(1).vnodes.at(2).isCatchingUp());
    }

    // 3.3.6.6 adds "vN_applied/committed" after each vN_status (systable.c vgroupsSchema), "120/135".
    void vgroups_appliedCommittedOf33()
    {
        const auto vgroups = taos::vgroupsFrom(decode(R"({"code":0,"column_meta":[["vgroup_id","INT",4],
            ["db_name","VARCHAR",64],["tables","INT",4],["v1_dnode","SMALLINT",2],["v1_status","VARCHAR",9],
            ["v1_applied/committed","VARCHAR",44],["v2_dnode","SMALLINT",2],["v2_status","VARCHAR",9],
            ["v2_applied/committed","VARCHAR",44],["v3_dnode","SMALLINT",2],["v3_status","VARCHAR",9],
            ["v3_applied/committed","VARCHAR",44],["v4_dnode","SMALLINT",2],["v4_status","VARCHAR",9],
            ["v4_applied/committed","VARCHAR",44]],
            "data":[[2,"r3",4,1,"leader","135/135",2,"follower","120/135",4,"follower","0/0",null,null,null]],
            "rows":1})"));
        QCOMPARE(vgroups.size(), 1);
        const QList<taos::Vnode> &vnodes = vgroups.at(0).vnodes;
        QCOMPARE(vnodes.size(), 3);
        QCOMPARE(vnodes.at(0).applied, 135);
        QCOMPARE(vnodes.at(0).committed, 135);
        QVERIFY(!vnodes.at(0).isCatchingUp());
        QCOMPARE(vnodes.at(1).applied, 120);
        QVERIFY(vnodes.at(1).isCatchingUp());
        QVERIFY(!vnodes.at(2).isCatchingUp());
    }

    void databasesMnodesTransactions()
    {
        const auto databases = taos::databasesFrom(decode(R"({"code":0,"column_meta":[["name","VARCHAR",64],
            ["vgroups","INT",4],["ntables","BIGINT",8],["replica","TINYINT",1],["keep","VARCHAR",32],
            ["precision","VARCHAR",2]],"data":[["power",4,1000,3,"3650d,3650d,3650d","ms"]],"rows":1})"));
        QCOMPARE(databases.size(), 1);
        QCOMPARE(databases.at(0).replica, 3);
        QCOMPARE(databases.at(0).tables, 1000);
        const auto mnodes = taos::mnodesFrom(decode(R"({"code":0,"column_meta":[["id","INT",4],
            ["endpoint","VARCHAR",134],["role","VARCHAR",12],["status","VARCHAR",9]],
            "data":[[1,"tdengine-0.taosd:6030","leader","ready"]],"rows":1})"));
        QCOMPARE(mnodes.at(0).role, u"leader"_s);
        // performance_schema.perf_trans as 3.0.5.2 answers it (FACTS.md section 1).
        const auto transactions = taos::transactionsFrom(decode(R"({"code":0,"column_meta":[["id","INT",4],
            ["create_time","TIMESTAMP",8],["stage","VARCHAR",12],["oper","VARCHAR",14],["db","VARCHAR",64],
            ["stable","VARCHAR",192],["failed_times","INT",4],["last_exec_time","TIMESTAMP",8],
            ["last_action_info","VARCHAR",511]],"data":[[12,"2024-01-01T00:00:00.000Z","redoAction","drop-dnode",
            "","",0,"2024-01-01T00:00:01.000Z","action:4 code:0x111(Action in progress) msgType:alter-confirm"]],
            "rows":1})"));
        QCOMPARE(transactions.at(0).operation, u"drop-dnode"_s);
        QCOMPARE(transactions.at(0).id, 12);
        QCOMPARE(transactions.at(0).stage, u"redoAction"_s);
        QCOMPARE(transactions.at(0).lastAction,
                 u"action:4 code:0x111(Action in progress) msgType:alter-confirm"_s);
        QCOMPARE(transactions.at(0).failedTimes, 0);
        taos::ClusterSnapshot snapshot;
        taos::clusterFrom(decode(R"({"code":0,"column_meta":[["id","BIGINT",8],["name","VARCHAR",40],
            ["uptime","INT",4],["create_time","TIMESTAMP",8]],"data":[[4242,"tdengine",3600,"2024-01-01T00:00:00.000Z"]],
            "rows":1})"),
                          &snapshot);
        QCOMPARE(snapshot.clusterId, u"4242"_s);
        QCOMPARE(snapshot.clusterName, u"tdengine"_s);
        QCOMPARE(snapshot.uptimeSeconds, 3600);
    }

    // The column of an mnode's last role change, by version (FACTS.md section 7).
    void mnodes_roleTimeColumnByVersion_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("column");
        QTest::newRow("3.0.5.2") << u"3.0.5.2.alpha"_s << u"reboot_time"_s;
        QTest::newRow("3.0.7.1") << u"3.0.7.1"_s << u"reboot_time"_s;
        QTest::newRow("3.3.6.6") << u"3.3.6.6"_s << u"role_time"_s;
        QTest::newRow("unknown") << QString() << u"reboot_time"_s;
    }

    void mnodes_roleTimeColumnByVersion()
    {
        QFETCH(QString, version);
        QFETCH(QString, column);
        const taos::VersionFacts &facts = taos::versionFacts(version);
        QCOMPARE(facts.mnodeRoleTimeColumn, column);
        const QByteArray body =
            QByteArray(R"({"code":0,"column_meta":[["id","INT",4],["endpoint","VARCHAR",134],
            ["role","VARCHAR",12],["status","VARCHAR",9],["create_time","TIMESTAMP",8],["COLUMN","TIMESTAMP",8]],
            "data":[[1,"tdengine-0.taosd:6030","leader","ready","2024-01-01T00:00:00.000Z",
            "2024-01-02T03:04:05.000Z"]],"rows":1})")
                .replace("COLUMN", column.toUtf8());
        const auto mnodes = taos::mnodesFrom(decode(body.constData()), facts);
        QCOMPARE(mnodes.size(), 1);
        QCOMPARE(mnodes.at(0).roleTime,
                 QDateTime::fromString(u"2024-01-02T03:04:05.000Z"_s, Qt::ISODateWithMs));
    }

    // An answer can be cut short with code 0 (FACTS.md section 5): rows are complete only when their
    // count(*), read beside them, agrees, and ins_dnodes/ins_mnodes are never empty.
    void incompleteRead_data()
    {
        QTest::addColumn<QString>("select");
        QTest::addColumn<QByteArray>("rows");
        QTest::addColumn<QByteArray>("count");
        QTest::addColumn<QString>("said");
        const QByteArray two = R"({"code":0,"column_meta":[["id","INT",4]],"data":[[1],[2]],"rows":2})";
        const QByteArray none = R"({"code":0,"column_meta":[["id","INT",4]],"data":[],"rows":0})";
        const auto count = [](const char *n) -> QByteArray {
            return R"j({"code":0,"column_meta":[["count(*)","BIGINT",8]],"data":[[)j" + QByteArray(n) +
                   R"j(]],"rows":1})j";
        };
        const QByteArray noCount =
            R"j({"code":0,"column_meta":[["count(*)","BIGINT",8]],"data":[],"rows":0})j";
        QTest::newRow("complete") << taos::kSelectDnodes << two << count("2") << QString();
        QTest::newRow("a row short") << taos::kSelectDnodes << two << count("3")
                                     << u"ins_dnodes answered 2 rows where count(*) says 3"_s;
        QTest::newRow("no dnodes") << taos::kSelectDnodes << none << count("0")
                                   << u"ins_dnodes answered without rows"_s;
        QTest::newRow("no mnodes") << taos::kSelectMnodes << none << count("0")
                                   << u"ins_mnodes answered without rows"_s;
        QTest::newRow("no vgroups: no databases") << taos::kSelectVgroups << none << count("0") << QString();
        QTest::newRow("count without its row") << taos::kSelectVgroups << none << noCount
                                               << u"count(*) of ins_vgroups answered without its row"_s;
    }

    void incompleteRead()
    {
        QFETCH(QString, select);
        QFETCH(QByteArray, rows);
        QFETCH(QByteArray, count);
        QFETCH(QString, said);
        QCOMPARE(taos::countStatement(select), u"select count(*) from "_s + select.section(u' ', -1));
        const QString why = taos::incompleteRead(select, decode(rows.constData()), decode(count.constData()));
        if (said.isEmpty())
            QCOMPARE(why, QString());
        else
            QVERIFY2(why.startsWith(said), qPrintable(why));
    }
};

QTEST_GUILESS_MAIN(TestSnapshotParts)
#include "tst_snapshotparts.moc"
