// The simulated TDengine cluster's behaviour: dnodes joining and leaving, mnode rules and elections,
// quorum loss, `drop dnode` with its refusals and its transaction, and persistence. The walk-through
// follows ../shared/seeds/001 (TDengine 3.x on Kubernetes); the failure stories follow seed 000.
#include "delayledger.h"
#include "testsupport.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tdkube::sandbox::tdengine;
using namespace tdkube::sandbox::tdengine::test;
using tdkube::sandbox::DelayLedger;

namespace {

QJsonValue dnodeField(Cluster &cluster, int id, const QString &column)
{
    return cell(run(cluster, u"show dnodes"_s), u"id"_s, id, column);
}

QJsonValue mnodeField(Cluster &cluster, int id, const QString &column)
{
    return cell(run(cluster, u"show mnodes"_s), u"id"_s, id, column);
}

qint64 vnodeTotal(Cluster &cluster)
{
    qint64 total = 0;
    for (const QJsonValue &value : columnValues(run(cluster, u"show dnodes"_s), u"vnodes"_s))
        total += value.toInteger();
    return total;
}

// Child tables d0..d9 of test.meters with five rows each.
bool fillMeters(Cluster &cluster)
{
    if (!run(cluster, u"create stable test.meters (ts timestamp, current float, voltage int) tags (location "
                      u"binary(64), groupid int)"_s)
             .ok())
        return false;
    for (int t = 0; t < 10; ++t) {
        const QString sql = u"insert into test.d"_s + QString::number(t) +
                            u" using test.meters tags ('room', "_s + QString::number(t) +
                            u") values (now, 1, 220) (now+1s, 2, 221) (now+2s, 3, 222) (now+3s, "
                            u"4, 223) (now+4s, 5, 224)"_s;
        if (!run(cluster, sql).ok())
            return false;
    }
    return true;
}

} // namespace

class TestTdengineCluster final : public QObject
{
    Q_OBJECT

private slots:
    void join_inOrder_getsIdsAndFirstMnode()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 3));
        QCOMPARE(cluster.dnodeIdOf(endpoint(2)), 3);
        QVERIFY(cluster.isServing(endpoint(1)));
        const Result dnodes = run(cluster, u"show dnodes"_s);
        QCOMPARE(columnValues(dnodes, u"id"_s), (QJsonArray{1, 2, 3}));
        QCOMPARE(columnValues(dnodes, u"status"_s), (QJsonArray{u"ready"_s, u"ready"_s, u"ready"_s}));
        QCOMPARE(columnValues(dnodes, u"support_vnodes"_s), (QJsonArray{16, 16, 16}));
        QCOMPARE(columnValues(dnodes, u"endpoint"_s).first().toString(), endpoint(0));
        const Result mnodes = run(cluster, u"show mnodes"_s);
        QCOMPARE(mnodes.rows.size(), 1);
        QCOMPARE(cell(mnodes, u"id"_s, 1, u"role"_s).toString(), u"leader"_s);
    }

    void join_beforeFirstEndpoint_waitsThenJoinsWhenItFounds()
    {
        Cluster cluster(endpoint(0), kScale);
        QSignalSpy status(&cluster, &Cluster::dnodeStatusChanged);
        QCOMPARE(cluster.dnodeStarted(endpoint(1), dataOf(1)), Cluster::Start::Waiting);
        QVERIFY(!cluster.isServing(endpoint(1)));
        QCOMPARE(cluster.dnodeIdOf(endpoint(1)), 0);
        QCOMPARE(run(cluster, u"show dnodes"_s).code, 0x000B);
        QCOMPARE(cluster.dnodeStarted(endpoint(0), dataOf(0)), Cluster::Start::Joined);
        QVERIFY(cluster.isServing(endpoint(1)));
        QCOMPARE(cluster.dnodeIdOf(endpoint(0)), 1);
        QCOMPARE(cluster.dnodeIdOf(endpoint(1)), 2);
        QVERIFY(status.contains(QList<QVariant>{endpoint(1)}));
    }

    // taos.cfg's supportVnodes caps the vnodes a dnode takes; a restart reads it again.
    void supportVnodes_capsPlacement_andIsReadAtEveryStart()
    {
        Cluster cluster(endpoint(0), kScale);
        QCOMPARE(cluster.dnodeStarted(endpoint(0), dataOf(0), 3), Cluster::Start::Joined);
        QCOMPARE(cluster.dnodeStarted(endpoint(1), dataOf(1), 1), Cluster::Start::Joined);
        QCOMPARE(columnValues(run(cluster, u"show dnodes"_s), u"support_vnodes"_s), (QJsonArray{3, 1}));
        const Result full = run(cluster, u"create database big vgroups 5"_s);
        QCOMPARE(full.code, 0x0334);
        QVERIFY2(full.desc.contains(u"Out of dnodes"_s), qPrintable(full.desc));
        QCOMPARE(run(cluster, u"create database fits vgroups 4"_s).code, 0);
        QCOMPARE(columnValues(run(cluster, u"show dnodes"_s), u"vnodes"_s), (QJsonArray{3, 1}));

        cluster.dnodeStopped(endpoint(1));
        QCOMPARE(cluster.dnodeStarted(endpoint(1), dataOf(1), 8), Cluster::Start::Joined);
        QCOMPARE(dnodeField(cluster, 2, u"support_vnodes"_s).toInt(), 8);
        QCOMPARE(run(cluster, u"create database more vgroups 7"_s).code, 0);
        QCOMPARE(columnValues(run(cluster, u"show dnodes"_s), u"vnodes"_s), (QJsonArray{3, 8}));
    }

    // A dropped dnode's vnode goes where mndAddVnodeToVgroup puts it: the lowest (vnodes + 0.9 for an
    // mnode) / support_vnodes, not the fewest vnodes: dnode 2 (1/16), not dnode 1 (1.9/16) nor 4 (1/2).
    void dropDnode_movesVnodesByLoadPerSlot()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 3));
        QVERIFY(run(cluster, u"create database a replica 1 vgroups 3"_s).ok());
        QCOMPARE(columnValues(run(cluster, u"show dnodes"_s), u"vnodes"_s), (QJsonArray{1, 1, 1}));
        QCOMPARE(cluster.dnodeStarted(endpoint(3), dataOf(3), 2), Cluster::Start::Joined);
        QVERIFY(run(cluster, u"create database b replica 1 vgroups 1"_s).ok());
        QCOMPARE(columnValues(run(cluster, u"show dnodes"_s), u"vnodes"_s), (QJsonArray{1, 1, 1, 1}));
        QVERIFY(run(cluster, u"drop dnode 3"_s).ok());
        QCOMPARE(columnValues(run(cluster, u"show dnodes"_s), u"vnodes"_s), (QJsonArray{1, 2, 1}));
    }

    void restart_sameData_rejoinsWithSameId()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 2));
        const QString before = dnodeField(cluster, 2, u"reboot_time"_s).toString();
        cluster.dnodeStopped(endpoint(1));
        QVERIFY(!cluster.isServing(endpoint(1)));
        QTRY_COMPARE(dnodeField(cluster, 2, u"status"_s).toString(), u"offline"_s);
        QTest::qWait(5);
        QCOMPARE(cluster.dnodeStarted(endpoint(1), dataOf(1)), Cluster::Start::Joined);
        QCOMPARE(cluster.dnodeIdOf(endpoint(1)), 2);
        QCOMPARE(dnodeField(cluster, 2, u"status"_s).toString(), u"ready"_s);
        QVERIFY(dnodeField(cluster, 2, u"reboot_time"_s).toString() > before);
        QCOMPARE(run(cluster, u"show dnodes"_s).rows.size(), 2);
    }

    // Seed 001 end to end: deploy, mnodes, replica-3 data, scale-out, safe scale-in, scale-out again.
    void seedWalkthrough_scaleOutAndSafeScaleInKeepRows()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 3));
        QVERIFY(run(cluster, u"create mnode on dnode 2"_s).ok());
        QVERIFY(run(cluster, u"create mnode on dnode 3"_s).ok());
        const Result mnodes = run(cluster, u"show mnodes"_s);
        QCOMPARE(columnValues(mnodes, u"role"_s), (QJsonArray{u"leader"_s, u"follower"_s, u"follower"_s}));
        QVERIFY(run(cluster, u"create database test replica 3 vgroups 4"_s).ok());
        QVERIFY(fillMeters(cluster));
        QVERIFY(run(cluster,
                    u"create database if not exists test1 replica 3; use test1; create table if not exists "
                    u"t1(ts timestamp, n int); insert into t1 values(now, 1)(now+1s, 2);"_s)
                    .ok());
        QCOMPARE(columnValues(run(cluster, u"show dnodes"_s), u"vnodes"_s), (QJsonArray{6, 6, 6}));

        // Scale-out: tdengine-3 joins as dnode 4 with no vnodes; balance gives it some.
        QCOMPARE(cluster.dnodeStarted(endpoint(3), dataOf(3)), Cluster::Start::Joined);
        QCOMPARE(cluster.dnodeIdOf(endpoint(3)), 4);
        QCOMPARE(dnodeField(cluster, 4, u"vnodes"_s).toInt(), 0);
        QVERIFY(run(cluster, u"balance vgroup"_s).ok());
        QVERIFY(dnodeField(cluster, 4, u"vnodes"_s).toInt() >= 4);
        QCOMPARE(vnodeTotal(cluster), 18);

        // Safe scale-in: drop dnode 4 answers only after its vnodes have moved.
        std::optional<Result> dropped;
        cluster.execute(u"drop dnode 4"_s, QString(), QString(),
                        [&dropped](const Result &r) { dropped = r; });
        QVERIFY(!dropped);
        // While it runs, dnode 4's replicas say `dropping`; a leader that takes over from a moved vnode
        // says `leader**` for a moment (FACTS.md sections 1 and 3).
        QSet<QString> seen;
        const auto look = [&cluster, &seen] {
            const Result vgroups = run(cluster, u"select * from information_schema.ins_vgroups"_s);
            for (const QString &column : {u"v1_status"_s, u"v2_status"_s, u"v3_status"_s}) {
                for (const QJsonValue &status : columnValues(vgroups, column))
                    seen.insert(status.toString());
            }
        };
        look();
        QVERIFY2(seen.contains(u"dropping"_s), qPrintable(QStringList(seen.begin(), seen.end()).join(u", ")));
        const Result transactions = run(cluster, u"show transactions"_s);
        QCOMPARE(columnValues(transactions, u"oper"_s), (QJsonArray{u"drop-dnode"_s}));
        QCOMPARE(columnValues(transactions, u"stage"_s), (QJsonArray{u"redoAction"_s}));
        QCOMPARE(run(cluster, u"select oper from performance_schema.perf_trans"_s).rows,
                 (QList<QJsonArray>{QJsonArray{u"drop-dnode"_s}}));
        QCOMPARE(dnodeField(cluster, 4, u"status"_s).toString(), u"dropping"_s);
        QCOMPARE(run(cluster, u"create database other"_s).code, 0x03D3);
        while (!dropped) {
            look();
            QTest::qWait(1);
        }
        QVERIFY2(seen.contains(u"leader**"_s), qPrintable(QStringList(seen.begin(), seen.end()).join(u", ")));
        // Restored soon after: every replica leader or follower again.
        QTRY_VERIFY([&cluster] {
            const Result vgroups = run(cluster, u"select * from information_schema.ins_vgroups"_s);
            for (const QString &column : {u"v1_status"_s, u"v2_status"_s, u"v3_status"_s}) {
                for (const QJsonValue &status : columnValues(vgroups, column)) {
                    if (status.toString() != u"leader" && status.toString() != u"follower")
                        return false;
                }
            }
            return true;
        }());
        QVERIFY(dropped->ok());
        QCOMPARE(dropped->affectedRows, 0);
        QCOMPARE(columnValues(run(cluster, u"show dnodes"_s), u"id"_s), (QJsonArray{1, 2, 3}));
        QCOMPARE(columnValues(run(cluster, u"show dnodes"_s), u"vnodes"_s), (QJsonArray{6, 6, 6}));
        QCOMPARE(run(cluster, u"show transactions"_s).rows.size(), 0);
        QVERIFY(!cluster.isServing(endpoint(3)));

        // The pod goes; its PVC is kept by mistake: the old data never joins again.
        cluster.dnodeStopped(endpoint(3));
        QCOMPARE(cluster.dnodeStarted(endpoint(3), dataOf(3)), Cluster::Start::Refused);
        QVERIFY(!cluster.isServing(endpoint(3)));
        cluster.dnodeStopped(endpoint(3));
        // With the PVC deleted, the next scale-out gets a new id.
        QCOMPARE(cluster.dnodeStarted(endpoint(3), u"pvc-uid-3-new"_s), Cluster::Start::Joined);
        QCOMPARE(cluster.dnodeIdOf(endpoint(3)), 5);
        QCOMPARE(columnValues(run(cluster, u"show dnodes"_s), u"id"_s), (QJsonArray{1, 2, 3, 5}));
        QCOMPARE(count(cluster, u"test.meters"_s), 50);
        QCOMPARE(count(cluster, u"test1.t1"_s), 2);
    }

    // A drop whose vnode moves keep failing answers with the last action's error after a few attempts
    // and goes on in the background (FACTS.md section 3; mndTransSendRpcRsp): the dnode stays
    // `dropping`, the transaction stays in perf_trans, and the drop finishes once the moves can.
    void dropDnode_movesKeepFailing_errorAnsweredWhileItGoesOn()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 4));
        QVERIFY(run(cluster, u"create database test replica 3 vgroups 6"_s).ok());
        QVERIFY(dnodeField(cluster, 4, u"vnodes"_s).toInt() > 0);
        std::optional<Result> dropped;
        cluster.execute(u"drop dnode 4"_s, QString(), QString(),
                        [&dropped](const Result &r) { dropped = r; });
        // dnodes 2 and 3 stop: with only dnode 1 (the mnode) and 4 left, no vgroup of dnode 4 has both a
        // quorum and a dnode to move to.
        cluster.dnodeStopped(endpoint(1));
        cluster.dnodeStopped(endpoint(2));
        QTRY_VERIFY_WITH_TIMEOUT(dropped.has_value(), 10000);
        QVERIFY2(dropped->code == 0x0334 || dropped->code == 0x090C, qPrintable(dropped->desc));
        QCOMPARE(columnValues(run(cluster, u"select oper from performance_schema.perf_trans"_s), u"oper"_s),
                 (QJsonArray{u"drop-dnode"_s}));
        // last_action_info as mndRetrieveTrans writes it, with the failing action's code.
        const Result trans =
            run(cluster, u"select failed_times, last_action_info from performance_schema.perf_trans"_s);
        QCOMPARE(trans.rows.size(), 1);
        QVERIFY(trans.rows.first().at(0).toInt() > 6);
        const QString info = trans.rows.first().at(1).toString();
        QVERIFY2(QRegularExpression(
                     u"^action:\\d+ code:0x(334|90c)\\((Out of dnodes|Sync leader is unreachable)\\) "
                     "msgType:create-vnode numOfEps:1 inUse:0 ep:0-\\S+:6030 $"_s)
                     .match(info)
                     .hasMatch(),
                 qPrintable(info));
        QCOMPARE(dnodeField(cluster, 4, u"status"_s).toString(), u"dropping"_s);

        QCOMPARE(cluster.dnodeStarted(endpoint(1), dataOf(1)), Cluster::Start::Joined);
        QCOMPARE(cluster.dnodeStarted(endpoint(2), dataOf(2)), Cluster::Start::Joined);
        QTRY_COMPARE_WITH_TIMEOUT(columnValues(run(cluster, u"show dnodes"_s), u"id"_s),
                                  (QJsonArray{1, 2, 3}), 10000);
        QCOMPARE(run(cluster, u"show transactions"_s).rows.size(), 0);
    }

    // A taosd back on an empty data directory (a pod on a new claim): the same dnode, ready, but its
    // vnodes stay offline (nothing rebuilds them in TDengine community; observed on 3.3.6.6); a
    // replica-1 vgroup there cannot be read. `drop dnode` moves them, rebuilt from the other replicas.
    void freshDataDirectory_readyDnodeWithOfflineVnodes_untilDropped()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 4));
        QVERIFY(run(cluster, u"create database test replica 3 vgroups 4"_s).ok());
        QVERIFY(run(cluster, u"create database one replica 1 vgroups 4"_s).ok());
        for (int t = 0; t < 8; ++t)
            QVERIFY(run(cluster, u"create table one.t%1 (ts timestamp, v int)"_s.arg(t)).ok());
        const auto statusesOn = [&cluster](int dnode) {
            QStringList found;
            const Result vgroups = run(cluster, u"select * from information_schema.ins_vgroups"_s);
            for (const QJsonArray &row : vgroups.rows) {
                for (int i = 0; i < 4; ++i) {
                    if (row.at(3 + 2 * i).toInt() == dnode)
                        found.append(row.at(1).toString() + u':' + row.at(4 + 2 * i).toString());
                }
            }
            found.sort();
            return found;
        };
        const QStringList before = statusesOn(3);
        QVERIFY(before.filter(u"test:"_s).size() >= 2 && !before.filter(u"one:"_s).isEmpty());

        cluster.dnodeStopped(endpoint(2));
        QCOMPARE(cluster.dnodeStarted(endpoint(2), u"fresh"_s), Cluster::Start::Joined);
        QCOMPARE(cluster.dnodeIdOf(endpoint(2)), 3);
        QCOMPARE(dnodeField(cluster, 3, u"status"_s).toString(), u"ready"_s);
        const QStringList after = statusesOn(3);
        QCOMPARE(after.size(), before.size());
        QVERIFY2(after.filter(u":offline"_s).size() == after.size(), qPrintable(after.join(u' ')));
        int unreadable = 0; // the tables of `one` in its vgroups on dnode 3
        for (int t = 0; t < 8; ++t)
            unreadable += run(cluster, u"select count(*) from one.t%1"_s.arg(t)).ok() ? 0 : 1;
        QVERIFY(unreadable > 0);

        // Its replica-1 data is gone; the replicated vnodes are rebuilt on dnode 4 by a plain drop.
        QVERIFY(run(cluster, u"drop database one"_s).ok());
        const Result dropped = run(cluster, u"drop dnode 3"_s);
        QVERIFY2(dropped.ok(), qPrintable(dropped.desc));
        const Result vgroups = run(cluster, u"select * from information_schema.ins_vgroups"_s);
        for (const QJsonArray &row : vgroups.rows) {
            for (int i = 0; i < 4; ++i) {
                const QString status = row.at(4 + 2 * i).toString();
                QVERIFY2(row.at(3 + 2 * i).isNull() || status == u"leader" || status == u"follower",
                         QJsonDocument(row).toJson().constData());
            }
        }
    }

    // Each vnode move of `drop dnode` is one delay of at least the move time; a stopped taosd's
    // status timeout is one more, over once the dnode is offline.
    void delays_dropDnodeMovesAndStatusTimeout_recordedInTheLedger()
    {
        DelayLedger ledger;
        Cluster cluster(endpoint(0), kScale);
        cluster.setDelayLedger(&ledger);
        QVERIFY(startDnodes(cluster, 3));
        QVERIFY(run(cluster, u"create database test replica 3 vgroups 4"_s).ok());
        QCOMPARE(cluster.dnodeStarted(endpoint(3), dataOf(3)), Cluster::Start::Joined);
        QVERIFY(run(cluster, u"balance vgroup"_s).ok());
        const QJsonObject balanced = ledger.report(QDateTime::currentMSecsSinceEpoch());
        QVERIFY(balanced.value(u"kinds"_s)[u"balanceVgroup"_s][u"count"_s].toInt() >= 1);
        const int moves = dnodeField(cluster, 4, u"vnodes"_s).toInt();
        QVERIFY(moves >= 2);

        ledger.reset(QDateTime::currentMSecsSinceEpoch());
        QVERIFY(run(cluster, u"drop dnode 4"_s).ok());
        const QJsonObject dropped = ledger.report(QDateTime::currentMSecsSinceEpoch());
        const QJsonValue drop = dropped.value(u"kinds"_s)[u"dropDnode"_s];
        QCOMPARE(drop[u"count"_s].toInt(), moves);
        QVERIFY(drop[u"ms"_s].toInteger() >= moves * qint64(Cluster::kVnodeMoveMs * kScale));
        QCOMPARE(dropped.value(u"busyMs"_s).toInteger(), drop[u"ms"_s].toInteger()); // one move at a time
        QCOMPARE(dropped.value(u"inProgress"_s).toInt(), 0);

        cluster.dnodeStopped(endpoint(2));
        QCOMPARE(ledger.report(QDateTime::currentMSecsSinceEpoch()).value(u"inProgress"_s).toInt(), 1);
        QTRY_COMPARE(dnodeField(cluster, 3, u"status"_s).toString(), u"offline"_s);
        const QJsonObject stopped = ledger.report(QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(stopped.value(u"kinds"_s)[u"statusTimeout"_s][u"count"_s].toInt(), 1);
        QCOMPARE(stopped.value(u"inProgress"_s).toInt(), 0);
    }

    // Seed 000, error one: scaling in without `drop dnode` leaves an offline dnode behind.
    void stopWithoutDrop_dnodeOfflineAfterStatusTimeout()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 4));
        QSignalSpy status(&cluster, &Cluster::dnodeStatusChanged);
        cluster.dnodeStopped(endpoint(3));
        QVERIFY(!cluster.isServing(endpoint(3)));
        QCOMPARE(dnodeField(cluster, 4, u"status"_s).toString(), u"ready"_s);
        QTRY_COMPARE(dnodeField(cluster, 4, u"status"_s).toString(), u"offline"_s);
        QCOMPARE(dnodeField(cluster, 4, u"note"_s).toString(), u"status msg timeout"_s);
        QCOMPARE(dnodeField(cluster, 1, u"note"_s).toString(), QString());
        QVERIFY(status.count() >= 2);
        QCOMPARE(run(cluster, u"show dnodes"_s).rows.size(), 4);
    }

    // Seed 000, error two: below a database's replica count the database stops answering.
    void replicaThreeLosesQuorum_readsAndWritesFailUntilBack()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 3));
        QVERIFY(run(cluster, u"create database test replica 3 vgroups 2"_s).ok());
        QVERIFY(fillMeters(cluster));
        cluster.dnodeStopped(endpoint(2));
        QTRY_COMPARE(dnodeField(cluster, 3, u"status"_s).toString(), u"offline"_s);
        QCOMPARE(count(cluster, u"test.meters"_s), 50);
        cluster.dnodeStopped(endpoint(1));
        QTRY_COMPARE(dnodeField(cluster, 2, u"status"_s).toString(), u"offline"_s);
        const Result read = run(cluster, u"select count(*) from test.meters"_s);
        QCOMPARE(read.code, 0x090C);
        QCOMPARE(read.desc, u"Sync leader is unreachable"_s);
        QVERIFY(read.toCli(u"select count(*) from test.meters"_s, false)
                    .contains(u"\nDB error: Sync leader is unreachable ("_s));
        QCOMPARE(run(cluster, u"insert into test.d1 values (now, 1, 1)"_s).code, 0x090C);
        QCOMPARE(
            columnValues(run(cluster, u"show test.vgroups"_s), u"v1_status"_s).first().toString().isEmpty(),
            false);
        QVERIFY(cluster.dnodeStarted(endpoint(1), dataOf(1)) == Cluster::Start::Joined);
        QCOMPARE(count(cluster, u"test.meters"_s), 50);
    }

    void replicaOneDnodeGone_tablesOnItFail()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 2));
        QVERIFY(run(cluster, u"create database one replica 1 vgroups 2"_s).ok());
        for (int i = 0; i < 10; ++i) {
            const QString table = u"one.t"_s + QString::number(i);
            QVERIFY(run(cluster, u"create table "_s + table + u" (ts timestamp, v int)"_s).ok());
            QVERIFY(run(cluster, u"insert into "_s + table + u" values (now, 1)"_s).ok());
        }
        const Result vgroups = run(cluster, u"show one.vgroups"_s);
        const Result tables =
            run(cluster, u"select table_name, vgroup_id from information_schema.ins_tables"_s);
        QCOMPARE(tables.rows.size(), 10);
        cluster.dnodeStopped(endpoint(1));
        QTRY_COMPARE(dnodeField(cluster, 2, u"status"_s).toString(), u"offline"_s);
        // ins_tables is read from every vnode: one without a leader fails the listing (real 3.3.6.6).
        QCOMPARE(run(cluster, u"select * from information_schema.ins_tables"_s).code, 0x000B);
        QCOMPARE(run(cluster, u"select * from information_schema.ins_tables where db_name = 'one' and type = "
                              u"'NORMAL_TABLE'"_s)
                     .code,
                 0x000B);
        int failed = 0;
        int answered = 0;
        for (const QJsonArray &row : tables.rows) {
            const int host = cell(vgroups, u"vgroup_id"_s, row.at(1), u"v1_dnode"_s).toInt();
            const Result read = run(cluster, u"select * from one."_s + row.at(0).toString());
            if (host == 2) {
                QCOMPARE(read.code, 0x0015);
                QCOMPARE(read.desc, u"Unable to resolve FQDN"_s);
                ++failed;
            } else {
                QVERIFY(read.ok());
                ++answered;
            }
        }
        QVERIFY(failed > 0 && answered > 0);
    }

    void createDnode_thenItsTaosdStarts_takesThatId()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 1));
        QVERIFY(run(cluster, u"create dnode '"_s + endpoint(1) + u"'"_s).ok());
        QCOMPARE(run(cluster, u"create dnode '"_s + endpoint(1) + u"'"_s).code, 0x0330);
        QCOMPARE(dnodeField(cluster, 2, u"status"_s).toString(), u"offline"_s);
        QCOMPARE(dnodeField(cluster, 2, u"note"_s).toString(), u"status not received"_s);
        QVERIFY(!cluster.isServing(endpoint(1)));
        QCOMPARE(cluster.dnodeStarted(endpoint(1), dataOf(1)), Cluster::Start::Joined);
        QCOMPARE(cluster.dnodeIdOf(endpoint(1)), 2);
        QCOMPARE(dnodeField(cluster, 2, u"status"_s).toString(), u"ready"_s);
    }

    void dropDnode_refusals()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 4));
        QCOMPARE(run(cluster, u"drop dnode 99"_s).code, 0x0331);
        QCOMPARE(run(cluster, u"drop dnode 'nowhere:6030'"_s).code, 0x0331);
        QCOMPARE(run(cluster, u"drop dnode"_s).code, 0x2600);
        QCOMPARE(run(cluster, u"drop dnode 1"_s).code, 0x03A8); // the only mnode
        QVERIFY(run(cluster, u"create mnode on dnode 2"_s).ok());
        QCOMPARE(run(cluster, u"drop dnode 1"_s).code, 0x0333); // the mnode leader
        QCOMPARE(run(cluster, u"drop dnode 4 force"_s).code, 0x0416);
        QVERIFY(run(cluster, u"create database test replica 3 vgroups 4"_s).ok());
        cluster.dnodeStopped(endpoint(3));
        QTRY_COMPARE(dnodeField(cluster, 4, u"status"_s).toString(), u"offline"_s);
        QCOMPARE(dnodeField(cluster, 4, u"vnodes"_s).toInt(), 3);
        QCOMPARE(run(cluster, u"drop dnode 4"_s).code, 0x0408);
        QCOMPARE(run(cluster, u"drop dnode 3"_s).code, 0x0334); // replica 3 needs a third ready dnode
        const Result outOfDnodes = run(cluster, u"drop dnode 3"_s);
        QCOMPARE(outOfDnodes.desc, u"Out of dnodes"_s);
    }

    void dropDnode_mnodeFollowerGoesWithIt()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 4));
        QVERIFY(run(cluster, u"create mnode on dnode 2"_s).ok());
        QVERIFY(run(cluster, u"create mnode on dnode 4"_s).ok());
        QVERIFY(run(cluster, u"drop dnode 4"_s).ok());
        QCOMPARE(columnValues(run(cluster, u"show mnodes"_s), u"id"_s), (QJsonArray{1, 2}));
        QCOMPARE(run(cluster, u"show dnodes"_s).rows.size(), 3);
    }

    void dropDnode_offlineEmptyDnode_needsNoForce()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 2));
        cluster.dnodeStopped(endpoint(1));
        QTRY_COMPARE(dnodeField(cluster, 2, u"status"_s).toString(), u"offline"_s);
        QVERIFY(run(cluster, u"drop dnode 2"_s).ok());
        QCOMPARE(run(cluster, u"show dnodes"_s).rows.size(), 1);
    }

    void dropDnode_forceRebuildsReplicaThree_unsafeLosesReplicaOne()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 4));
        QVERIFY(run(cluster, u"create database r3 replica 3 vgroups 4"_s).ok());
        QVERIFY(run(cluster, u"create database r1 replica 1 vgroups 4"_s).ok());
        QVERIFY(run(cluster, u"create table r3.t (ts timestamp, v int)"_s).ok());
        QVERIFY(run(cluster, u"insert into r3.t values (now, 1) (now+1s, 2)"_s).ok());
        for (int i = 0; i < 8; ++i) {
            QVERIFY(
                run(cluster, u"create table r1.t"_s + QString::number(i) + u" (ts timestamp, v int)"_s).ok());
            QVERIFY(run(cluster, u"insert into r1.t"_s + QString::number(i) + u" values (now, 1)"_s).ok());
        }
        QCOMPARE(dnodeField(cluster, 4, u"vnodes"_s).toInt(), 4); // 3 of r3 on four dnodes, 1 of r1
        cluster.dnodeStopped(endpoint(3));
        QTRY_COMPARE(dnodeField(cluster, 4, u"status"_s).toString(), u"offline"_s);
        const Result needsUnsafe = run(cluster, u"drop dnode 4 force"_s);
        QCOMPARE(needsUnsafe.code, 0x0535);
        QVERIFY(needsUnsafe.desc.contains(u"drop dnode <id> unsafe"_s));
        // sql.y takes `force` or `unsafe`, not both.
        QCOMPARE(run(cluster, u"drop dnode 4 force unsafe"_s).code, 0x2600);
        QVERIFY(run(cluster, u"drop dnode 4 unsafe"_s).ok());
        QCOMPARE(columnValues(run(cluster, u"show dnodes"_s), u"id"_s), (QJsonArray{1, 2, 3}));
        QCOMPARE(vnodeTotal(cluster), 16);
        QCOMPARE(count(cluster, u"r3.t"_s), 2);
        QCOMPARE(
            run(cluster, u"select * from information_schema.ins_tables where db_name = 'r1'"_s).rows.size(),
            6);
        QCOMPARE(cluster.dnodeStarted(endpoint(3), dataOf(3)), Cluster::Start::Refused);
    }

    void mnode_createAndDropRules()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 5));
        QVERIFY(run(cluster, u"create mnode on dnode 2"_s).ok());
        QCOMPARE(run(cluster, u"create mnode on dnode 2"_s).code, 0x03A0);
        QCOMPARE(run(cluster, u"create mnode on dnode 9"_s).code, 0x0331);
        cluster.dnodeStopped(endpoint(4));
        QTRY_COMPARE(dnodeField(cluster, 5, u"status"_s).toString(), u"offline"_s);
        QCOMPARE(run(cluster, u"create mnode on dnode 5"_s).code, 0x0408);
        QVERIFY(run(cluster, u"create mnode on dnode 3"_s).ok());
        const Result tooMany = run(cluster, u"create mnode on dnode 4"_s);
        QCOMPARE(tooMany.code, 0x03A9);
        QCOMPARE(tooMany.desc, u"The replica of mnode cannot exceed 3"_s);
        QCOMPARE(run(cluster, u"drop mnode on dnode 1"_s).code, 0x0333);
        QCOMPARE(run(cluster, u"drop mnode on dnode 4"_s).code, 0x03A1);
        QVERIFY(run(cluster, u"drop mnode on dnode 3"_s).ok());
        QCOMPARE(columnValues(run(cluster, u"show mnodes"_s), u"id"_s), (QJsonArray{1, 2}));
        QCOMPARE(run(cluster, u"create mnode on dnode"_s).code, 0x2600);
    }

    // A new mnode is a learner until it has caught up; `create mnode` answers then (FACTS.md sections 1
    // and 3).
    void mnode_createdAsLearner_answeredOnceCaughtUp()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 3));
        std::optional<Result> created;
        cluster.execute(u"create mnode on dnode 2"_s, QString(), QString(),
                        [&created](const Result &r) { created = r; });
        QVERIFY(!created.has_value());
        QCOMPARE(mnodeField(cluster, 2, u"role"_s).toString(), u"learner"_s);
        QCOMPARE(mnodeField(cluster, 2, u"status"_s).toString(), u"ready"_s);
        QTRY_VERIFY(created.has_value());
        QVERIFY(created->ok());
        QCOMPARE(mnodeField(cluster, 2, u"role"_s).toString(), u"follower"_s);
    }

    // Run by the client library alone: answered whatever the cluster's state, even with no mnode.
    void resetQueryCache_answeredByTheClient()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 1));
        QVERIFY(run(cluster, u"reset query cache"_s).ok());
        QCOMPARE(run(cluster, u"reset query"_s).code, 0x2600);
        cluster.dnodeStopped(endpoint(0));
        QTRY_COMPARE(run(cluster, u"show dnodes"_s).code, 0x090C);
        QVERIFY(run(cluster, u"RESET QUERY CACHE"_s).ok());
    }

    void mnode_dropOnOfflineDnode_refused()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 3));
        QVERIFY(run(cluster, u"create mnode on dnode 2"_s).ok());
        QVERIFY(run(cluster, u"create mnode on dnode 3"_s).ok());
        cluster.dnodeStopped(endpoint(2));
        QTRY_COMPARE(mnodeField(cluster, 3, u"status"_s).toString(), u"offline"_s);
        QCOMPARE(run(cluster, u"drop mnode on dnode 3"_s).code, 0x0408);
    }

    void mnodeLeader_reElectedWhenItsDnodeGoesOffline()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 3));
        QVERIFY(run(cluster, u"create mnode on dnode 2"_s).ok());
        QVERIFY(run(cluster, u"create mnode on dnode 3"_s).ok());
        QVERIFY(run(cluster, u"create database test replica 3"_s).ok());
        QVERIFY(fillMeters(cluster));
        cluster.dnodeStopped(endpoint(0));
        QTRY_COMPARE(mnodeField(cluster, 2, u"role"_s).toString(), u"leader"_s);
        QCOMPARE(mnodeField(cluster, 1, u"role"_s).toString(), u"offline"_s);
        QCOMPARE(mnodeField(cluster, 1, u"status"_s).toString(), u"offline"_s);
        QCOMPARE(mnodeField(cluster, 3, u"role"_s).toString(), u"follower"_s);
        QVERIFY(run(cluster, u"insert into test.d1 values (now+10s, 1, 1)"_s).ok());
        QCOMPARE(count(cluster, u"test.meters"_s), 51);
        QCOMPARE(cluster.dnodeStarted(endpoint(0), dataOf(0)), Cluster::Start::Joined);
        QCOMPARE(mnodeField(cluster, 1, u"role"_s).toString(), u"follower"_s);
        QCOMPARE(mnodeField(cluster, 2, u"role"_s).toString(), u"leader"_s);
    }

    void mnodeQuorumLost_statementsFail()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 3));
        QVERIFY(run(cluster, u"create mnode on dnode 2"_s).ok());
        QVERIFY(run(cluster, u"create mnode on dnode 3"_s).ok());
        cluster.dnodeStopped(endpoint(1));
        cluster.dnodeStopped(endpoint(2));
        QTRY_COMPARE(run(cluster, u"show dnodes"_s).code, 0x090C);
        QCOMPARE(run(cluster, u"show databases"_s).desc, u"Sync leader is unreachable"_s);
        // A new pod cannot register without a leader: it waits, then joins when the quorum is back.
        QCOMPARE(cluster.dnodeStarted(endpoint(3), dataOf(3)), Cluster::Start::Waiting);
        QCOMPARE(cluster.dnodeStarted(endpoint(1), dataOf(1)), Cluster::Start::Joined);
        QVERIFY(run(cluster, u"show dnodes"_s).ok());
        QCOMPARE(cluster.dnodeIdOf(endpoint(3)), 4);
        QVERIFY(cluster.isServing(endpoint(3)));
    }

    void balanceVgroup_spreadsVnodesAndRefusesWithOfflineDnode()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 2));
        QVERIFY(run(cluster, u"create database test vgroups 6"_s).ok());
        QCOMPARE(cluster.dnodeStarted(endpoint(2), dataOf(2)), Cluster::Start::Joined);
        QVERIFY(run(cluster, u"balance vgroup"_s).ok());
        QCOMPARE(columnValues(run(cluster, u"show dnodes"_s), u"vnodes"_s), (QJsonArray{2, 2, 2}));
        cluster.dnodeStopped(endpoint(2));
        QTRY_COMPARE(dnodeField(cluster, 3, u"status"_s).toString(), u"offline"_s);
        QCOMPARE(run(cluster, u"balance vgroup"_s).code, 0x03B6);
    }

    void saveLoad_roundTripKeepsMembershipRowsAndDroppedData()
    {
        QJsonObject saved;
        {
            Cluster cluster(endpoint(0), kScale);
            QVERIFY(startDnodes(cluster, 4));
            QVERIFY(run(cluster, u"create mnode on dnode 2"_s).ok());
            QVERIFY(run(cluster, u"create mnode on dnode 3"_s).ok());
            QVERIFY(run(cluster, u"create database test replica 3 vgroups 3"_s).ok());
            QVERIFY(fillMeters(cluster));
            QVERIFY(run(cluster, u"drop dnode 4"_s).ok());
            QVERIFY(run(cluster, u"alter user root pass 'secret'"_s).ok());
            saved = cluster.save();
        }
        Cluster restored(QString(), kScale);
        QString error;
        QVERIFY2(restored.load(saved, &error), qPrintable(error));
        QVERIFY(!restored.isServing(endpoint(0)));
        QVERIFY(restored.checkPassword(u"root"_s, u"secret"_s));
        QCOMPARE(restored.dnodeStarted(endpoint(0), dataOf(0)), Cluster::Start::Joined);
        QCOMPARE(run(restored, u"show dnodes"_s).code, 0x090C); // one mnode of three is no quorum
        QCOMPARE(restored.dnodeStarted(endpoint(1), dataOf(1)), Cluster::Start::Joined);
        QCOMPARE(restored.dnodeStarted(endpoint(2), dataOf(2)), Cluster::Start::Joined);
        QCOMPARE(restored.dnodeStarted(endpoint(3), dataOf(3)), Cluster::Start::Refused);
        QCOMPARE(columnValues(run(restored, u"show dnodes"_s), u"id"_s), (QJsonArray{1, 2, 3}));
        QCOMPARE(count(restored, u"test.meters"_s), 50);
        QCOMPARE(restored.dnodeStarted(endpoint(3), u"fresh"_s), Cluster::Start::Joined);
        QCOMPARE(restored.dnodeIdOf(endpoint(3)), 5);
        QCOMPARE(restored.save().value(u"databases"), saved.value(u"databases"));
        QString bad;
        Cluster broken(QString(), kScale);
        QVERIFY(!broken.load(QJsonObject{{u"version"_s, 99}}, &bad));
        QVERIFY(!bad.isEmpty());
    }

    // A taosd runs with its taos.cfg (the pod's TAOS_* variables): debugFlag also sets the module flags
    // taos.cfg does not name, but not tmrDebugFlag nor simDebugFlag (taosCreateLog, tglobal.c).
    void dnodeConfig_fromTaosCfgAtStart()
    {
        Cluster cluster(endpoint(0), kScale);
        const QMap<QString, QString> cfg{
            {u"debugFlag"_s, u"135"_s},    {u"vDebugFlag"_s, u"143"_s},         {u"monitor"_s, u"0"_s},
            {u"statusInterval"_s, u"5"_s}, {u"timezone"_s, u"Asia/Shanghai"_s}, {u"noSuchKey"_s, u"1"_s}};
        QCOMPARE(cluster.dnodeStarted(endpoint(0), dataOf(0), 8, cfg), Cluster::Start::Joined);
        QCOMPARE(dnodeVariable(cluster, 1, u"debugFlag"_s), u"135"_s);
        QCOMPARE(dnodeVariable(cluster, 1, u"dDebugFlag"_s), u"135"_s);
        QCOMPARE(dnodeVariable(cluster, 1, u"vDebugFlag"_s), u"143"_s);
        QCOMPARE(dnodeVariable(cluster, 1, u"tmrDebugFlag"_s), u"131"_s);
        QCOMPARE(dnodeVariable(cluster, 1, u"simDebugFlag"_s), u"143"_s);
        QCOMPARE(dnodeVariable(cluster, 1, u"monitor"_s), u"0"_s);
        QCOMPARE(dnodeVariable(cluster, 1, u"supportVnodes"_s), u"8"_s);
        QCOMPARE(dnodeVariable(cluster, 1, u"noSuchKey"_s), QString());
        const Result settings = run(cluster, u"show variables"_s);
        QCOMPARE(cell(settings, u"name"_s, u"statusInterval"_s, u"value"_s).toString(), u"5"_s);
        QCOMPARE(cell(settings, u"name"_s, u"timezone"_s, u"value"_s).toString(),
                 u"Asia/Shanghai (CST, +0800)"_s);
    }

    // A value out of range keeps the default and taosd says so in its log (cfgSetInt32, tconfig.c).
    void dnodeConfig_outOfRangeValue_keepsDefaultAndLogs()
    {
        Cluster cluster(endpoint(0), kScale);
        QSignalSpy logs(&cluster, &Cluster::logLine);
        const QMap<QString, QString> cfg{{u"debugFlag"_s, u"999"_s}, {u"dDebugFlag"_s, u"135"_s}};
        QCOMPARE(cluster.dnodeStarted(endpoint(0), dataOf(0), 16, cfg), Cluster::Start::Joined);
        QCOMPARE(dnodeVariable(cluster, 1, u"debugFlag"_s), u"0"_s);
        QCOMPARE(dnodeVariable(cluster, 1, u"dDebugFlag"_s), u"135"_s);
        QCOMPARE(dnodeVariable(cluster, 1, u"vDebugFlag"_s), u"131"_s);
        QStringList lines;
        for (const QList<QVariant> &line : std::as_const(logs))
            lines << line.at(1).toString();
        QVERIFY2(lines.contains(
                     u"UTL  ERROR cfg:debugFlag, type:int32 src:env_var value:999 out of range[0, 255]"_s),
                 qPrintable(lines.join(u'\n')));
    }

    // `alter` changes what the running taosd uses, not taos.cfg: a restart takes taos.cfg's value
    // again, a changed one if the ConfigMap changed meanwhile.
    void alterDnode_lostAtRestart_taosCfgWins()
    {
        Cluster cluster(endpoint(0), kScale);
        const QMap<QString, QString> cfg{{u"debugFlag"_s, u"135"_s}};
        for (int i = 0; i < 3; ++i)
            QCOMPARE(cluster.dnodeStarted(endpoint(i), dataOf(i), 16, cfg), Cluster::Start::Joined);
        QVERIFY(run(cluster, u"alter all dnodes 'mDebugFlag' '143'"_s).ok());
        for (int id = 1; id <= 3; ++id)
            QCOMPARE(dnodeVariable(cluster, id, u"mDebugFlag"_s), u"143"_s);

        cluster.dnodeStopped(endpoint(1));
        QCOMPARE(cluster.dnodeStarted(endpoint(1), dataOf(1), 16, cfg), Cluster::Start::Joined);
        QCOMPARE(dnodeVariable(cluster, 2, u"mDebugFlag"_s), u"135"_s);
        QCOMPARE(dnodeVariable(cluster, 1, u"mDebugFlag"_s), u"143"_s);

        cluster.dnodeStopped(endpoint(2));
        QCOMPARE(cluster.dnodeStarted(endpoint(2), dataOf(2), 16, {{u"mDebugFlag"_s, u"199"_s}}),
                 Cluster::Start::Joined);
        QCOMPARE(dnodeVariable(cluster, 3, u"mDebugFlag"_s), u"199"_s);
        QCOMPARE(dnodeVariable(cluster, 3, u"debugFlag"_s), u"0"_s);
        QCOMPARE(dnodeVariable(cluster, 3, u"dDebugFlag"_s), u"131"_s);
    }

    // 3.0.5.2's mnode sends the request to a dnode whether it is up or not and does not wait for an
    // answer (tmsgSendReq in mndProcessConfigDnodeReq): the statement succeeds and a dnode whose taosd
    // is down never gets it. Reading dnode variables asks every dnode, so it fails while one is down.
    void alterDnode_taosdDown_succeedsButThatDnodeMissesIt()
    {
        Cluster cluster(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster, 3));
        cluster.dnodeStopped(endpoint(2));
        QVERIFY(run(cluster, u"alter all dnodes 'sDebugFlag' '143'"_s).ok());
        QVERIFY(run(cluster, u"alter dnode 3 'tqDebugFlag' '143'"_s).ok());
        const Result unreachable = run(cluster, u"show dnode 1 variables"_s);
        QCOMPARE(unreachable.code, 0x000B);
        QCOMPARE(unreachable.desc, u"Unable to establish connection"_s);
        QCOMPARE(run(cluster, u"select * from information_schema.ins_dnode_variables"_s).code, 0x000B);
        QTRY_COMPARE(dnodeField(cluster, 3, u"status"_s).toString(), u"offline"_s);
        QVERIFY(run(cluster, u"alter all dnodes 'sDebugFlag' '135'"_s).ok());

        QCOMPARE(cluster.dnodeStarted(endpoint(2), dataOf(2)), Cluster::Start::Joined);
        QCOMPARE(dnodeVariable(cluster, 1, u"sDebugFlag"_s), u"135"_s);
        QCOMPARE(dnodeVariable(cluster, 3, u"sDebugFlag"_s), u"131"_s);
        QCOMPARE(dnodeVariable(cluster, 3, u"tqDebugFlag"_s), u"131"_s);
    }

    void signals_changedAndLogLines()
    {
        Cluster cluster(endpoint(0), kScale);
        QSignalSpy changed(&cluster, &Cluster::changed);
        QSignalSpy logs(&cluster, &Cluster::logLine);
        QVERIFY(startDnodes(cluster, 2));
        QVERIFY(changed.count() >= 2);
        const int before = int(changed.count());
        QVERIFY(run(cluster, u"create database test"_s).ok());
        QVERIFY(changed.count() > before);
        const int quiet = int(changed.count());
        QVERIFY(run(cluster, u"show dnodes"_s).ok());
        QCOMPARE(changed.count(), quiet);
        bool sawJoin = false;
        for (const QList<QVariant> &line : std::as_const(logs))
            sawJoin = sawJoin ||
                      (line.at(0).toString() == endpoint(1) && line.at(1).toString().contains(u"dnode:2"_s));
        QVERIFY(sawJoin);
    }
};

QTEST_GUILESS_MAIN(TestTdengineCluster)
#include "tst_tdengine_cluster.moc"
