// The SQL surface of the simulated TDengine: REST JSON shapes, the taos shell's text, statements and
// their errors.
#include "testsupport.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tdkube::sandbox::tdengine;
using namespace tdkube::sandbox::tdengine::test;

namespace {

QString golden(const QString &name)
{
    QFile file(QStringLiteral(TDENGINE_TEST_DATA) + u'/' + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing golden file %s", qPrintable(name));
    return QString::fromUtf8(file.readAll());
}

QString rfc(const QString &utc)
{
    QDateTime time = QDateTime::fromString(utc, u"yyyy-MM-dd HH:mm:ss.zzz"_s);
    time.setTimeSpec(Qt::UTC);
    return time.toString(u"yyyy-MM-ddTHH:mm:ss.zzzZ"_s);
}

Column column(const QString &name, const QString &type, int length)
{
    Column c;
    c.name = name;
    c.type = type;
    c.length = length;
    return c;
}

// The seed's `show dnodes` (tdengine 3.0.7.1, three fresh dnodes) as a Result.
Result seedDnodes()
{
    Result result;
    result.hasResultSet = true;
    result.elapsedMicroseconds = 1853;
    result.columns = {column(u"id"_s, u"INT"_s, 4),
                      column(u"endpoint"_s, u"VARCHAR"_s, 134),
                      column(u"vnodes"_s, u"SMALLINT"_s, 2),
                      column(u"support_vnodes"_s, u"SMALLINT"_s, 2),
                      column(u"status"_s, u"VARCHAR"_s, 10),
                      column(u"create_time"_s, u"TIMESTAMP"_s, 8),
                      column(u"reboot_time"_s, u"TIMESTAMP"_s, 8),
                      column(u"note"_s, u"VARCHAR"_s, 256),
                      column(u"active_code"_s, u"VARCHAR"_s, 4096),
                      column(u"c_active_code"_s, u"VARCHAR"_s, 4096)};
    const QList<std::pair<QString, QString>> times{
        {u"2023-07-19 17:54:18.552"_s, u"2023-07-19 17:54:18.469"_s},
        {u"2023-07-19 17:54:37.828"_s, u"2023-07-19 17:54:38.698"_s},
        {u"2023-07-19 17:55:01.141"_s, u"2023-07-19 17:55:02.039"_s}};
    for (int i = 0; i < 3; ++i) {
        result.rows << QJsonArray{
            i + 1,     endpoint(i), 0,        16, u"ready"_s, rfc(times.at(i).first), rfc(times.at(i).second),
            QString(), QString(),   QString()};
    }
    return result;
}

Result seedMnodes()
{
    Result result;
    result.hasResultSet = true;
    result.elapsedMicroseconds = 3108;
    result.columns = {column(u"id"_s, u"INT"_s, 4),
                      column(u"endpoint"_s, u"VARCHAR"_s, 134),
                      column(u"role"_s, u"VARCHAR"_s, 12),
                      column(u"status"_s, u"VARCHAR"_s, 9),
                      column(u"create_time"_s, u"TIMESTAMP"_s, 8),
                      column(u"reboot_time"_s, u"TIMESTAMP"_s, 8)};
    result.rows << QJsonArray{1,
                              endpoint(0),
                              u"leader"_s,
                              u"ready"_s,
                              rfc(u"2023-07-19 17:54:18.559"_s),
                              rfc(u"2023-07-20 09:19:36.060"_s)}
                << QJsonArray{2,
                              endpoint(1),
                              u"follower"_s,
                              u"ready"_s,
                              rfc(u"2023-07-20 09:22:05.600"_s),
                              rfc(u"2023-07-20 09:22:12.838"_s)}
                << QJsonArray{3,
                              endpoint(2),
                              u"follower"_s,
                              u"ready"_s,
                              rfc(u"2023-07-20 09:22:20.042"_s),
                              rfc(u"2023-07-20 09:22:23.271"_s)};
    return result;
}

QStringList keys(const QJsonObject &object)
{
    QStringList list = object.keys();
    list.sort();
    return list;
}

} // namespace

class TestTdengineSql final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Cluster> m_cluster;

    Cluster &cluster() { return *m_cluster; }

private slots:
    void init()
    {
        m_cluster = std::make_unique<Cluster>(endpoint(0), kScale);
        QVERIFY(startDnodes(cluster(), 3));
        QVERIFY(run(cluster(), u"create database test replica 3 vgroups 2"_s).ok());
        QVERIFY(run(cluster(), u"create stable test.meters (ts timestamp, current float, voltage int) tags "
                               u"(location binary(64), "
                               u"groupid int)"_s)
                    .ok());
    }

    void cleanup() { m_cluster.reset(); }

    void rest_resultSet_hasCodeColumnMetaDataRows()
    {
        const QJsonObject json = run(cluster(), u"show databases"_s).toRest();
        QCOMPARE(keys(json), (QStringList{u"code"_s, u"column_meta"_s, u"data"_s, u"rows"_s}));
        QCOMPARE(json.value(u"code").toInt(), 0);
        QCOMPARE(json.value(u"column_meta").toArray(), (QJsonArray{QJsonArray{u"name"_s, u"VARCHAR"_s, 64}}));
        QCOMPARE(json.value(u"data").toArray(),
                 (QJsonArray{QJsonArray{u"information_schema"_s}, QJsonArray{u"performance_schema"_s},
                             QJsonArray{u"test"_s}}));
        QCOMPARE(json.value(u"rows").toInt(), 3);
    }

    void rest_statementWithoutResultSet_reportsAffectedRows()
    {
        const QJsonObject create =
            run(cluster(), u"create table test.d1 using test.meters tags ('x', 1)"_s).toRest();
        QCOMPARE(
            QJsonDocument(create).toJson(QJsonDocument::Compact),
            QByteArray(
                "{\"code\":0,\"column_meta\":[[\"affected_rows\",\"INT\",4]],\"data\":[[0]],\"rows\":1}"));
        const QJsonObject insert =
            run(cluster(), u"insert into test.d1 values (now, 1.5, 220) (now+1s, 1.6, 221)"_s).toRest();
        QCOMPARE(insert.value(u"data").toArray(), (QJsonArray{QJsonArray{2}}));
    }

    void rest_error_hasOnlyCodeAndDesc()
    {
        const QJsonObject json = run(cluster(), u"select * from nodb.t"_s).toRest();
        QCOMPARE(keys(json), (QStringList{u"code"_s, u"desc"_s}));
        QCOMPARE(json.value(u"code").toInt(), 0x0388);
        QCOMPARE(json.value(u"desc").toString(), u"Database not exist"_s);
    }

    void syntaxError_unknownStatement_code9728()
    {
        const Result result = run(cluster(), u"selec * from test.meters"_s);
        QCOMPARE(result.code, 9728);
        QCOMPARE(result.desc, u"syntax error near \"selec * from test.meters\""_s);
        QCOMPARE(run(cluster(), u"show dnodes extra"_s).code, 0x2600);
        QCOMPARE(run(cluster(), u"create database 'x"_s).code, 0x2600);
    }

    void cli_showDnodes_matchesSeedGolden()
    {
        QCOMPARE(seedDnodes().toCli(u"show dnodes"_s, false), golden(u"show_dnodes.txt"_s));
    }

    void cli_showMnodesVertical_matchesSeedGolden()
    {
        QCOMPARE(seedMnodes().toCli(u"show mnodes\\G"_s, true), golden(u"show_mnodes_vertical.txt"_s));
    }

    void cli_liveShowDnodes_hasSeedLayout()
    {
        Cluster fresh(endpoint(0), kScale);
        QVERIFY(startDnodes(fresh, 3));
        const QString text = run(fresh, u"show dnodes"_s).toCli(u"show dnodes"_s, false);
        const QStringList lines = text.split(u'\n');
        const QStringList expected = golden(u"show_dnodes.txt"_s).split(u'\n');
        QCOMPARE(lines.mid(0, 3), expected.mid(0, 3));
        static const QRegularExpression time(u"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}"_s);
        for (int i = 3; i < 6; ++i) {
            QString line = lines.at(i);
            QString want = expected.at(i);
            QCOMPARE(line.replace(time, u"<time>"_s), want.replace(time, u"<time>"_s));
        }
        QVERIFY(lines.at(6).startsWith(u"Query OK, 3 row(s) in set ("_s));
    }

    void cli_statementsWithoutResultSet_printShellPrefixes()
    {
        Result result = run(cluster(), u"create table test.d1 using test.meters tags ('x', 1)"_s);
        result.elapsedMicroseconds = 2098;
        QCOMPARE(
            result.toCli(u"create table test.d1 using test.meters tags ('x', 1)"_s, false),
            u"taos> create table test.d1 using test.meters tags ('x', 1)\nCreate OK, 0 row(s) affected (0.002098s)\n\n"_s);
        result = run(cluster(), u"insert into test.d1 values(now, 1, 2)(now+1s, 2, 3)"_s);
        result.elapsedMicroseconds = 2098;
        QCOMPARE(
            result.toCli(u"insert into test.d1 values(now, 1, 2)(now+1s, 2, 3)"_s, false),
            u"taos> insert into test.d1 values(now, 1, 2)(now+1s, 2, 3)\nInsert OK, 2 row(s) affected (0.002098s)\n\n"_s);
        QCOMPARE(run(cluster(), u"use test"_s).toCli(u"use test"_s, false),
                 u"taos> use test\nDatabase changed.\n\n"_s);
        result = run(cluster(), u"use nodb"_s);
        result.elapsedMicroseconds = 13874;
        QCOMPARE(result.toCli(u"use nodb"_s, false),
                 u"taos> use nodb\n\nDB error: Database not exist (0.013874s)\n"_s);
    }

    void timestamps_restIsRfc3339_cliIsShellFormat()
    {
        QVERIFY(run(cluster(), u"create table test.t1 (ts timestamp, n int)"_s).ok());
        QVERIFY(
            run(cluster(), u"insert into test.t1 values ('2023-07-19 18:04:58.104', 1) (1689790000000, 2)"_s)
                .ok());
        Result result = run(cluster(), u"select * from test.t1"_s);
        QCOMPARE(result.toRest().value(u"data").toArray(),
                 (QJsonArray{QJsonArray{u"2023-07-19T18:04:58.104Z"_s, 1},
                             QJsonArray{u"2023-07-19T18:06:40.000Z"_s, 2}}));
        result.elapsedMicroseconds = 1994;
        QCOMPARE(result.toCli(u"select * from test.t1"_s, false),
                 u"taos> select * from test.t1\n"
                 u"           ts            |      n      |\n"
                 u"========================================\n"
                 u" 2023-07-19 18:04:58.104 |           1 |\n"
                 u" 2023-07-19 18:06:40.000 |           2 |\n"
                 u"Query OK, 2 row(s) in set (0.001994s)\n\n"_s);
    }

    void insert_usingStable_createsChildTableOnTheFly()
    {
        QVERIFY(
            run(cluster(), u"insert into test.d7 using test.meters tags ('room', 7) values (now, 1.0, 220)"_s)
                .ok());
        QCOMPARE(count(cluster(), u"test.d7"_s), 1);
        const Result tags = run(cluster(), u"select location, groupid, tbname from test.meters"_s);
        QCOMPARE(tags.rows, (QList<QJsonArray>{QJsonArray{u"room"_s, 7, u"d7"_s}}));
    }

    void insert_multipleTablesAndColumnList()
    {
        QVERIFY(
            run(cluster(),
                u"create table test.a using test.meters tags ('a', 1) test.b using test.meters tags ('b', 2)"_s)
                .ok());
        const Result result = run(
            cluster(),
            u"insert into test.a (ts, voltage) values (now, 1) test.b values (now, 2.5, 3) (now+1s, 1, 1)"_s);
        QVERIFY2(result.ok(), qPrintable(result.desc));
        QCOMPARE(result.affectedRows, 3);
        QCOMPARE(run(cluster(), u"select current from test.a"_s).rows.first().at(0), QJsonValue());
        QCOMPARE(count(cluster(), u"test.meters"_s), 3);
    }

    void insert_errors()
    {
        QCOMPARE(run(cluster(), u"insert into test.nope values (now, 1, 1)"_s).code, 0x2603);
        QCOMPARE(run(cluster(), u"insert into test.x using test.meters tags ('a') values (now, 1, 1)"_s).code,
                 0x260D);
        QVERIFY(run(cluster(), u"create table test.d1 using test.meters tags ('x', 1)"_s).ok());
        QCOMPARE(run(cluster(), u"insert into test.d1 values (now, 1)"_s).code, 0x263F);
        QCOMPARE(run(cluster(), u"insert into test.d1 values (now, 1, 'high')"_s).code, 0x2600);
    }

    void select_whereOrderLimitAndAggregates()
    {
        QVERIFY(run(cluster(), u"create table test.t (ts timestamp, v int, s binary(8))"_s).ok());
        QVERIFY(
            run(cluster(), u"insert into test.t values (now-3s, 1, 'a') (now-2s, 2, 'b') (now-1s, 3, 'c')"_s)
                .ok());
        QCOMPARE(columnValues(run(cluster(), u"select v from test.t order by v desc limit 2"_s), u"v"_s),
                 (QJsonArray{3, 2}));
        QCOMPARE(columnValues(run(cluster(), u"select s from test.t where v >= 2 and s != 'c'"_s), u"s"_s),
                 (QJsonArray{u"b"_s}));
        QCOMPARE(columnValues(run(cluster(), u"select * from test.t where ts > now-1500a"_s), u"v"_s),
                 (QJsonArray{3}));
        const Result aggregates =
            run(cluster(), u"select count(*), sum(v), max(v), avg(v) as mean from test.t"_s);
        QCOMPARE(aggregates.rows.first(), (QJsonArray{3, 6, 3, 2.0}));
        QCOMPARE(aggregates.columns.at(0).name, u"count(*)"_s);
        QCOMPARE(aggregates.columns.at(0).type, u"BIGINT"_s);
        QCOMPARE(aggregates.columns.at(3).name, u"mean"_s);
        QCOMPARE(run(cluster(), u"select nope from test.t"_s).code, 0x2602);
        QCOMPARE(run(cluster(), u"select * from test.nope"_s).code, 0x2603);
    }

    void select_stableStar_includesTags()
    {
        QVERIFY(
            run(cluster(), u"insert into test.d1 using test.meters tags ('x', 1) values (now, 1.5, 220)"_s)
                .ok());
        const Result result = run(cluster(), u"select * from test.meters"_s);
        QStringList names;
        for (const Column &column : result.columns)
            names << column.name;
        QCOMPARE(names, (QStringList{u"ts"_s, u"current"_s, u"voltage"_s, u"location"_s, u"groupid"_s}));
        QCOMPARE(columnValues(run(cluster(), u"select * from test.d1"_s), u"location"_s).size(), 1);
        QCOMPARE(run(cluster(), u"select * from test.d1"_s).columns.size(), 3);
    }

    void sql_caseQuotingSemicolonsAndVerticalMarker()
    {
        QCOMPARE(run(cluster(), u"SHOW DATABASES;"_s).rows.size(), 3);
        QVERIFY(
            run(cluster(), u"INSERT INTO `test`.`d1` USING test.meters TAGS ('x', 1) VALUES (NOW, 1, 1);"_s)
                .ok());
        QCOMPARE(count(cluster(), u"`test`.`meters`"_s), 1);
        QCOMPARE(run(cluster(), u"show mnodes\\G"_s).rows.size(), 1);
        const Result script =
            run(cluster(),
                u"create database if not exists test1 replica 3; use test1; create table if not exists t1(ts "
                u"timestamp, n int); insert into t1 values(now, 1)(now+1s, 2);"_s);
        QVERIFY2(script.ok(), qPrintable(script.desc));
        QCOMPARE(count(cluster(), u"test1.t1"_s), 2);
        QCOMPARE(run(cluster(), u"select count(*) from t1"_s, u"test1"_s).rows.first().at(0).toInteger(), 2);
    }

    void select_withoutFrom()
    {
        QCOMPARE(run(cluster(), u"select server_version()"_s).rows.first().at(0).toString(), u"3.0.7.1"_s);
        QCOMPARE(run(cluster(), u"select client_version()"_s).columns.first().name, u"client_version()"_s);
        QCOMPARE(run(cluster(), u"select 1"_s).rows, (QList<QJsonArray>{QJsonArray{1}}));
        QCOMPARE(run(cluster(), u"select database()"_s, u"test"_s).rows.first().at(0).toString(), u"test"_s);
    }

    void informationSchema_tablesAnswerWithFilters()
    {
        const Result db =
            run(cluster(),
                u"select name, replica, vgroups from information_schema.ins_databases where name='test'"_s);
        QCOMPARE(db.rows, (QList<QJsonArray>{QJsonArray{u"test"_s, 3, 2}}));
        const Result dnodes =
            run(cluster(), u"select id, status from information_schema.ins_dnodes where id = 2"_s);
        QCOMPARE(dnodes.rows, (QList<QJsonArray>{QJsonArray{2, u"ready"_s}}));
        const Result sorted =
            run(cluster(), u"select id from information_schema.ins_dnodes order by id desc"_s);
        QCOMPARE(columnValues(sorted, u"id"_s), (QJsonArray{3, 2, 1}));
        QCOMPARE(run(cluster(), u"select count(*) from information_schema.ins_vgroups"_s)
                     .rows.first()
                     .at(0)
                     .toInteger(),
                 2);
        // TDengine 3.0's words for a system table it lacks (FACTS.md section 1).
        const Result nothing = run(cluster(), u"select * from information_schema.ins_nothing"_s);
        QCOMPARE(nothing.code, 0x2662);
        QCOMPARE(nothing.desc, u"Fail to get table info, error: Invalid system table name"_s);
        QCOMPARE(run(cluster(), u"select * from information_schema.ins_cluster"_s).rows.size(), 1);
        QVERIFY(run(cluster(), u"use information_schema"_s).ok());
    }

    // Transactions are in performance_schema.perf_trans (= `show transactions`) with TDengine's columns;
    // information_schema has no transactions table under either name (FACTS.md section 1).
    void perfTrans_realColumns_insTransactionsRefused()
    {
        const QList<Column> expected{column(u"id"_s, u"INT"_s, 4),
                                     column(u"create_time"_s, u"TIMESTAMP"_s, 8),
                                     column(u"stage"_s, u"VARCHAR"_s, 12),
                                     column(u"oper"_s, u"VARCHAR"_s, 14),
                                     column(u"db"_s, u"VARCHAR"_s, 64),
                                     column(u"stable"_s, u"VARCHAR"_s, 192),
                                     column(u"failed_times"_s, u"INT"_s, 4),
                                     column(u"last_exec_time"_s, u"TIMESTAMP"_s, 8),
                                     column(u"last_action_info"_s, u"VARCHAR"_s, 511)};
        for (const QString &statement :
             {u"select * from performance_schema.perf_trans"_s, u"show transactions"_s}) {
            const Result result = run(cluster(), statement);
            QVERIFY2(result.ok(), qPrintable(statement + u": "_s + result.desc));
            QCOMPARE(result.columns.size(), expected.size());
            for (qsizetype i = 0; i < expected.size(); ++i) {
                QCOMPARE(result.columns.at(i).name, expected.at(i).name);
                QCOMPARE(result.columns.at(i).type, expected.at(i).type);
                QCOMPARE(result.columns.at(i).length, expected.at(i).length);
            }
        }
        for (const QString &table : {u"ins_transactions"_s, u"ins_trans"_s}) {
            const Result refused = run(cluster(), u"select * from information_schema."_s + table);
            QCOMPARE(refused.code, 0x2662);
            QCOMPARE(refused.desc, u"Fail to get table info, error: Invalid system table name"_s);
            QCOMPARE(refused.toRest(), (QJsonObject{{u"code"_s, 0x2662}, {u"desc"_s, refused.desc}}));
        }
    }

    void show_vgroups_hasSeedColumnsAndDistinctDnodes()
    {
        const Result result = run(cluster(), u"show test.vgroups"_s);
        QStringList names;
        for (const Column &column : result.columns)
            names << column.name;
        QCOMPARE(names,
                 (QStringList{u"vgroup_id"_s, u"db_name"_s, u"tables"_s, u"v1_dnode"_s, u"v1_status"_s,
                              u"v2_dnode"_s, u"v2_status"_s, u"v3_dnode"_s, u"v3_status"_s, u"v4_dnode"_s,
                              u"v4_status"_s, u"cacheload"_s, u"cacheelements"_s, u"tsma"_s}));
        QCOMPARE(result.rows.size(), 2);
        for (const QJsonArray &row : result.rows) {
            QVERIFY(row.at(3) != row.at(5) && row.at(5) != row.at(7) && row.at(3) != row.at(7));
            QCOMPARE(row.at(9), QJsonValue());
            const QStringList roles{row.at(4).toString(), row.at(6).toString(), row.at(8).toString()};
            QCOMPARE(roles.count(u"leader"_s), 1);
            QCOMPARE(roles.count(u"follower"_s), 2);
        }
        QCOMPARE(run(cluster(), u"show vgroups"_s).code, 0x2616);
        QCOMPARE(run(cluster(), u"show vgroups"_s, u"test"_s).rows.size(), 2);
        QCOMPARE(run(cluster(), u"show stables"_s, u"test"_s).rows,
                 (QList<QJsonArray>{QJsonArray{u"meters"_s}}));
    }

    void ddl_errorsAndIfClauses()
    {
        QCOMPARE(run(cluster(), u"create database test"_s).code, 0x0381);
        QVERIFY(run(cluster(), u"create database if not exists test"_s).ok());
        QCOMPARE(run(cluster(), u"drop database nodb"_s).code, 0x0388);
        QVERIFY(run(cluster(), u"drop database if exists nodb"_s).ok());
        QCOMPARE(run(cluster(), u"create stable test.meters (ts timestamp, v int) tags (t int)"_s).code,
                 0x0360);
        QCOMPARE(run(cluster(), u"create stable test.s2 (v int, ts timestamp) tags (t int)"_s).code, 0x2641);
        QCOMPARE(run(cluster(), u"create database r2 replica 2"_s).code, 0x2619);
        QCOMPARE(run(cluster(), u"create table t9 (ts timestamp, v int)"_s).code, 0x2616);
        QVERIFY(run(cluster(),
                    u"create database opts keep 3650 duration 10 buffer 32 precision 'ms' wal_level 1"_s)
                    .ok());
        QCOMPARE(cell(run(cluster(), u"select * from information_schema.ins_databases"_s), u"name"_s,
                      u"opts"_s, u"buffer"_s),
                 QJsonValue(32));
        QVERIFY(run(cluster(), u"drop database test"_s).ok());
        QCOMPARE(run(cluster(), u"show test.vgroups"_s).code, 0x0388);
        QCOMPARE(run(cluster(), u"select count(*) from information_schema.ins_vgroups"_s)
                     .rows.first()
                     .at(0)
                     .toInteger(),
                 2);
    }

    void alterUser_changesPassword()
    {
        QVERIFY(cluster().checkPassword(u"root"_s, u"taosdata"_s));
        QVERIFY(run(cluster(), u"alter user root pass 'n3w'"_s).ok());
        QVERIFY(!cluster().checkPassword(u"root"_s, u"taosdata"_s));
        QVERIFY(cluster().checkPassword(u"root"_s, u"n3w"_s));
        QCOMPARE(run(cluster(), u"alter user bob pass 'x'"_s).code, 0x0351);
    }

    // ALTER ALL DNODES reaches every running dnode (mndProcessConfigDnodeReq sends it to each); what
    // `show dnode N variables` lists then is what that dnode runs with.
    void alterAllDnodes_moduleFlag_everyDnodeShowsIt()
    {
        for (int id = 1; id <= 3; ++id)
            QCOMPARE(dnodeVariable(cluster(), id, u"dDebugFlag"_s), u"131"_s);
        const QJsonObject rest = run(cluster(), u"alter all dnodes 'dDebugFlag' '135'"_s).toRest();
        QCOMPARE(rest.value(u"code").toInt(), 0);
        QCOMPARE(rest.value(u"column_meta").toArray(),
                 (QJsonArray{QJsonArray{u"affected_rows"_s, u"INT"_s, 4}}));
        for (int id = 1; id <= 3; ++id) {
            const Result shown = run(cluster(), u"show dnode %1 variables like 'dDebugFlag'"_s.arg(id));
            QCOMPARE(shown.rows, (QList<QJsonArray>{QJsonArray{id, u"dDebugFlag"_s, u"135"_s}}));
            QCOMPARE(dnodeVariable(cluster(), id, u"vDebugFlag"_s), u"131"_s);
        }
    }

    // debugFlag N sets all 21 debug flags of the dnode (taosSetAllDebugFlag); 0 changes nothing.
    void alterAllDnodes_debugFlag_setsEveryFlag()
    {
        QVERIFY(run(cluster(), u"alter all dnodes 'debugFlag' '143'"_s).ok());
        const Result flags = run(cluster(), u"select dnode_id, name, value from "
                                            u"information_schema.ins_dnode_variables where name like "
                                            u"'%DebugFlag' and dnode_id = 2"_s);
        QCOMPARE(flags.rows.size(), 21);
        for (const QJsonArray &row : flags.rows)
            QCOMPARE(row.at(2).toString(), u"143"_s);
        QVERIFY(run(cluster(), u"alter all dnodes 'debugFlag' '0'"_s).ok());
        QCOMPARE(dnodeVariable(cluster(), 2, u"debugFlag"_s), u"143"_s);
    }

    // ALTER DNODE N changes that dnode only; the value may also follow the name in one string.
    void alterDnode_oneDnode_othersKeepTheirValue()
    {
        QVERIFY(run(cluster(), u"alter dnode 2 'monitor' '0'"_s).ok());
        QCOMPARE(dnodeVariable(cluster(), 1, u"monitor"_s), u"1"_s);
        QCOMPARE(dnodeVariable(cluster(), 2, u"monitor"_s), u"0"_s);
        QCOMPARE(dnodeVariable(cluster(), 3, u"monitor"_s), u"1"_s);
        QVERIFY(run(cluster(), u"ALTER DNODE 3 'QDEBUGFLAG 135'"_s).ok());
        QCOMPARE(dnodeVariable(cluster(), 3, u"qDebugFlag"_s), u"135"_s);
        QCOMPARE(dnodeVariable(cluster(), 1, u"qDebugFlag"_s), u"131"_s);
    }

    // Only resetlog, monitor and 18 debug flags can change at run time in 3.0.5.2; every other key,
    // including real ones that need a restart, is TSDB_CODE_INVALID_CFG and changes nothing.
    void alterDnode_keyNotDynamic_refusedInvalidConfig_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::newRow("supportVnodes") << u"alter all dnodes 'supportVnodes' '32'"_s;
        QTest::newRow("statusInterval on one dnode") << u"alter dnode 1 'statusInterval' '3'"_s;
        QTest::newRow("monitorInterval: monitor then more") << u"alter all dnodes 'monitorInterval' '10'"_s;
        QTest::newRow("debugFlag then more") << u"alter all dnodes 'debugFlagX' '135'"_s;
        QTest::newRow("jniDebugFlag: not in the mnode's list") << u"alter all dnodes 'jniDebugFlag' '135'"_s;
        QTest::newRow("activeCode: enterprise only") << u"alter all dnodes 'activeCode' 'x'"_s;
        QTest::newRow("unknown dnode, bad key first") << u"alter dnode 99 'nosuchKey' '1'"_s;
    }

    void alterDnode_keyNotDynamic_refusedInvalidConfig()
    {
        QFETCH(QString, sql);
        const QJsonObject rest = run(cluster(), sql).toRest();
        QCOMPARE(rest, (QJsonObject{{u"code"_s, 0x0119}, {u"desc"_s, u"Invalid config option"_s}}));
        QCOMPARE(dnodeVariable(cluster(), 1, u"supportVnodes"_s), u"16"_s);
        QCOMPARE(dnodeVariable(cluster(), 1, u"statusInterval"_s), u"1"_s);
    }

    // The mnode reads the value with atoi: out of range (debug flags 0..255, monitor 0..2) is refused,
    // but what is not a number is 0 and accepted.
    void alterDnode_value_checkedAsTheMnodeReadsIt_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("shown");
        QTest::newRow("256") << u"alter all dnodes 'uDebugFlag' '256'"_s << 0x0119 << u"131"_s;
        QTest::newRow("255") << u"alter all dnodes 'uDebugFlag' '255'"_s << 0 << u"255"_s;
        QTest::newRow("not a number is 0") << u"alter all dnodes 'uDebugFlag' 'high'"_s << 0 << u"0"_s;
        QTest::newRow("digits then text") << u"alter all dnodes 'uDebugFlag' '135abc'"_s << 0 << u"135"_s;
    }

    void alterDnode_value_checkedAsTheMnodeReadsIt()
    {
        QFETCH(QString, sql);
        QFETCH(int, code);
        QFETCH(QString, shown);
        const Result result = run(cluster(), sql);
        QCOMPARE(result.code, code);
        QCOMPARE(dnodeVariable(cluster(), 3, u"uDebugFlag"_s), shown);
    }

    void alterDnode_monitorOutOfRange_refused()
    {
        const Result result = run(cluster(), u"alter all dnodes 'monitor' '3'"_s);
        QCOMPARE(result.code, 0x0119);
        QCOMPARE(result.desc, u"Invalid config option"_s);
        QCOMPARE(dnodeVariable(cluster(), 1, u"monitor"_s), u"1"_s);
    }

    void alterDnode_unknownDnode_refusedDnodeNotExist()
    {
        const QJsonObject rest = run(cluster(), u"alter dnode 99 'debugFlag' '135'"_s).toRest();
        QCOMPARE(rest, (QJsonObject{{u"code"_s, 0x0331}, {u"desc"_s, u"Dnode does not exist"_s}}));
        // Dnode 0 means all of them, as -1 does (mndProcessConfigDnodeReq).
        QVERIFY(run(cluster(), u"alter dnode 0 'wDebugFlag' '135'"_s).ok());
        QCOMPARE(dnodeVariable(cluster(), 3, u"wDebugFlag"_s), u"135"_s);
    }

    void alterDnode_syntaxErrors()
    {
        QCOMPARE(run(cluster(), u"alter dnode 1 debugFlag 135"_s).code, 0x2600);
        QCOMPARE(run(cluster(), u"alter all dnodes"_s).code, 0x2600);
        QCOMPARE(run(cluster(), u"alter all dnode 'debugFlag' '135'"_s).code, 0x2600);
        QCOMPARE(run(cluster(), u"alter dnode 'debugFlag' '135'"_s).code, 0x2600);
        QCOMPARE(run(cluster(), u"alter dnode 1 'debugFlag' '135' '1'"_s).code, 0x2600);
        QCOMPARE(run(cluster(), u"show dnode 1 variables extra"_s).code, 0x2600);
        QCOMPARE(run(cluster(), u"show dnode x variables"_s).code, 0x2600);
    }

    // ins_dnode_variables (dnode_id INT, name VARCHAR(32), value VARCHAR(64): systable.c) holds every
    // item of each dnode's tsCfg in the order tglobal.c adds them, duplicates included.
    void showDnodeVariables_everyItemOfTheDnode()
    {
        const QJsonObject rest = run(cluster(), u"show dnode 2 variables"_s).toRest();
        QCOMPARE(rest.value(u"column_meta").toArray(),
                 (QJsonArray{QJsonArray{u"dnode_id"_s, u"INT"_s, 4}, QJsonArray{u"name"_s, u"VARCHAR"_s, 32},
                             QJsonArray{u"value"_s, u"VARCHAR"_s, 64}}));
        const Result shown = run(cluster(), u"show dnode 2 variables"_s);
        QCOMPARE(shown.rows.size(), 142);
        QCOMPARE(shown.rows.first(), (QJsonArray{2, u"firstEp"_s, QString()}));
        QCOMPARE(shown.rows.last().at(1).toString(), u"buildinfo"_s);
        QCOMPARE(cell(shown, u"name"_s, u"fqdn"_s, u"value"_s).toString(), endpoint(1).section(u':', 0, 0));
        QCOMPARE(cell(shown, u"name"_s, u"serverPort"_s, u"value"_s).toString(), u"6030"_s);
        QCOMPARE(cell(shown, u"name"_s, u"minimalDataDirGB"_s, u"value"_s).toString(), u"2.000000"_s);
        QCOMPARE(cell(shown, u"name"_s, u"version"_s, u"value"_s).toString(), u"3.0.7.1"_s);
        QCOMPARE(run(cluster(), u"show dnode 2 variables like 'numOfRpc%'"_s).rows.size(), 4);
        const Result none = run(cluster(), u"show dnode 99 variables"_s);
        QVERIFY(none.ok());
        QCOMPARE(none.rows.size(), 0);
        QCOMPARE(run(cluster(), u"select count(*) from information_schema.ins_dnode_variables"_s)
                     .rows.first()
                     .at(0)
                     .toInteger(),
                 3 * 142);
    }

    // SHOW VARIABLES = ins_configs: four settings of the mnode leader (mndRetrieveConfigs).
    void showVariables_mnodeLeaderSettings()
    {
        const Result shown = run(cluster(), u"show variables"_s);
        QCOMPARE(shown.rows, (QList<QJsonArray>{QJsonArray{u"statusInterval"_s, u"1"_s},
                                                QJsonArray{u"timezone"_s, u"Etc/UTC (UTC, +0000)"_s},
                                                QJsonArray{u"locale"_s, u"en_US.UTF-8"_s},
                                                QJsonArray{u"charset"_s, u"UTF-8"_s}}));
        QCOMPARE(run(cluster(), u"show cluster variables"_s).rows, shown.rows);
        QCOMPARE(run(cluster(), u"select * from information_schema.ins_configs"_s).rows, shown.rows);
        QVERIFY(run(cluster(), u"show cluster"_s).ok());
    }

    void describe_listsColumnsAndTags()
    {
        const Result result = run(cluster(), u"describe test.meters"_s);
        QCOMPARE(columnValues(result, u"field"_s),
                 (QJsonArray{u"ts"_s, u"current"_s, u"voltage"_s, u"location"_s, u"groupid"_s}));
        QCOMPARE(columnValues(result, u"note"_s).last().toString(), u"TAG"_s);
    }
};

QTEST_GUILESS_MAIN(TestTdengineSql)
#include "tst_tdengine_sql.moc"
