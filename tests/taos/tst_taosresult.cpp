// Decoding taosAdapter answers: golden bodies in responses/ for every type, NULLs, errors, an empty
// result, affected rows, old (2.x) bodies; the same answer fed in small chunks; a 100,000-row body.
#include "taos/result.h"

#include <QDir>
#include <QFile>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace tdkube::taos;

namespace {

QByteArray response(const QString &name)
{
    QFile file(QDir(QStringLiteral(TDKUBE_RESPONSES)).filePath(name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing golden file %s", qPrintable(name));
    return file.readAll();
}

Result decoded(const QString &name)
{
    Result result;
    TaosError error;
    if (!ResultDecoder::decode(response(name), &result, &error))
        qWarning("%s: %s", qPrintable(name), qPrintable(error.describe()));
    return result;
}

// Every cell as a grid shows it, row by row.
QStringList texts(const Result &result)
{
    QStringList cells;
    for (qsizetype r = 0; r < result.rowCount(); ++r) {
        for (qsizetype c = 0; c < result.columnCount(); ++c)
            cells << result.text(r, c);
    }
    return cells;
}

QByteArray generatedBody(int rows)
{
    QByteArray body = R"({"code":0,"column_meta":[["ts","TIMESTAMP",8],["n","INT",4],["x","DOUBLE",8],)"
                      R"(["s","VARCHAR",16]],"data":[)";
    for (int i = 0; i < rows; ++i) {
        if (i)
            body += ',';
        const QByteArray ts = QDateTime::fromMSecsSinceEpoch(1700000000000LL + i, QTimeZone::utc())
                                  .toString(Qt::ISODateWithMs)
                                  .toLatin1();
        body += "[\"" + ts + "\"," + QByteArray::number(i) + ',' + QByteArray::number(i * 0.5) + ",\"row " +
                QByteArray::number(i) + "\"]";
    }
    return body + "],\"rows\":" + QByteArray::number(rows) + '}';
}

} // namespace

class TestTaosResult final : public QObject
{
    Q_OBJECT

private slots:
    void decode_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("code"); // 0: decodes
        QTest::addColumn<qsizetype>("rows");
        QTest::addColumn<QStringList>("types");
        QTest::newRow("every type") << u"all_types.json"_s << 0 << qsizetype(2)
                                    << QStringList{u"TIMESTAMP"_s,
                                                   u"BOOL"_s,
                                                   u"TINYINT"_s,
                                                   u"SMALLINT"_s,
                                                   u"INT"_s,
                                                   u"BIGINT"_s,
                                                   u"TINYINT UNSIGNED"_s,
                                                   u"SMALLINT UNSIGNED"_s,
                                                   u"INT UNSIGNED"_s,
                                                   u"BIGINT UNSIGNED"_s,
                                                   u"FLOAT"_s,
                                                   u"DOUBLE"_s,
                                                   u"VARCHAR"_s,
                                                   u"BINARY"_s,
                                                   u"NCHAR"_s,
                                                   u"JSON"_s,
                                                   u"VARBINARY"_s,
                                                   u"GEOMETRY"_s,
                                                   u"DECIMAL"_s};
        QTest::newRow("empty result")
            << u"empty.json"_s << 0 << qsizetype(0) << QStringList{u"TIMESTAMP"_s, u"INT"_s};
        QTest::newRow("insert") << u"insert.json"_s << 0 << qsizetype(1) << QStringList{u"INT"_s};
        QTest::newRow("2.x head") << u"legacy_head.json"_s << 0 << qsizetype(1)
                                  << QStringList{u"TIMESTAMP"_s, u"INT"_s};
        QTest::newRow("syntax error") << u"error_syntax.json"_s << 0x2600 << qsizetype(0) << QStringList();
        QTest::newRow("no auth") << u"error_auth.json"_s << 4357 << qsizetype(0) << QStringList();
        QTest::newRow("2.x error") << u"legacy_error.json"_s << 534 << qsizetype(0) << QStringList();
        QTest::newRow("truncated") << u"truncated.json"_s << TaosError::kClientError << qsizetype(0)
                                   << QStringList();
        QTest::newRow("not json") << u"not_json.json"_s << TaosError::kClientError << qsizetype(0)
                                  << QStringList();
    }

    void decode()
    {
        QFETCH(QString, file);
        QFETCH(int, code);
        QFETCH(qsizetype, rows);
        QFETCH(QStringList, types);
        Result result;
        TaosError error;
        const bool ok = ResultDecoder::decode(response(file), &result, &error);
        QCOMPARE(ok, code == 0);
        if (!ok) {
            QCOMPARE(error.code, code);
            QVERIFY(error.isValid());
            QVERIFY(!error.desc.isEmpty());
            QVERIFY(!error.hint.isEmpty());
            return;
        }
        QCOMPARE(result.rowCount(), rows);
        QStringList names;
        for (const Column &column : result.columns())
            names << column.typeName;
        QCOMPARE(names, types);
        for (const Column &column : result.columns())
            QVERIFY2(column.type != ColumnType::Unknown, qPrintable(column.typeName));
    }

    void decode_everyTypeHasItsValue()
    {
        const Result r = decoded(u"all_types.json"_s);
        QCOMPARE(r.rowCount(), 2);
        QCOMPARE(r.reportedRows(), 2);
        QCOMPARE(r.timingNs(), 1234567);
        QCOMPARE(r.affectedRows(), -1);
        QCOMPARE(r.text(0, 0), u"2024-03-01T00:15:30.123456789Z"_s);
        QCOMPARE(r.timestampNs(0, 0), 1709252130123456789LL);
        QCOMPARE(r.timestampDigits(0), 9);
        QCOMPARE(r.value(0, 0).toDateTime(),
                 QDateTime(QDate(2024, 3, 1), QTime(0, 15, 30, 123), QTimeZone::utc()));
        QCOMPARE(r.value(0, 1), QVariant(true));
        QCOMPARE(r.value(0, 2).toLongLong(), -128);
        QCOMPARE(r.value(0, 3).toLongLong(), -32768);
        QCOMPARE(r.value(0, 4).toLongLong(), -2147483648LL);
        QCOMPARE(r.value(0, 5).toLongLong(), std::numeric_limits<qint64>::min());
        QCOMPARE(r.value(0, 6).toULongLong(), 255u);
        QCOMPARE(r.value(0, 7).toULongLong(), 65535u);
        QCOMPARE(r.value(0, 8).toULongLong(), 4294967295u);
        QCOMPARE(r.value(0, 9).toULongLong(), std::numeric_limits<quint64>::max());
        QCOMPARE(r.text(0, 9), u"18446744073709551615"_s);
        QCOMPARE(r.real(0, 10), 3.14);
        QCOMPARE(r.real(0, 11), 2.718281828459045);
        QCOMPARE(r.value(0, 12).toString(), u"hello, \"world\"\n"_s);
        QCOMPARE(r.value(0, 13).toString(), u"abc"_s);
        QCOMPARE(r.value(0, 14).toString(), u"温度 é😀"_s);
        QCOMPARE(r.value(0, 15).toString(), uR"({"k":"v","n":[1,2]})"_s);
        QCOMPARE(r.value(0, 16).toByteArray(), QByteArray("Hello"));
        QCOMPARE(r.text(0, 16), u"\\x48656C6C6F"_s);
        QCOMPARE(r.value(0, 17).toByteArray().size(), 21);
        QCOMPARE(r.value(0, 18).toString(), u"123.4500"_s);
        for (qsizetype c = 0; c < r.columnCount(); ++c) {
            QVERIFY(!r.isNull(0, c));
            QVERIFY2(r.isNull(1, c), qPrintable(r.columns().at(c).name));
            QVERIFY(!r.value(1, c).isValid());
            QCOMPARE(r.text(1, c), u"NULL"_s);
        }
    }

    void decode_timestampsKeepTheirPrecision()
    {
        const Result r = decoded(u"timestamps.json"_s);
        QCOMPARE(texts(r), QStringList({u"1969-12-31T23:59:59.999Z"_s, u"2024-01-02T03:04:05.000006Z"_s,
                                        u"2262-04-11T23:47:16.854775807Z"_s}));
        QCOMPARE(r.timestampNs(0, 0), -1000000);
        QCOMPARE(r.timestampDigits(0), 3);
        QCOMPARE(r.timestampDigits(1), 6);
        QCOMPARE(r.timestampNs(0, 2), std::numeric_limits<qint64>::max());
    }

    void decode_insertReportsAffectedRows()
    {
        const Result r = decoded(u"insert.json"_s);
        QCOMPARE(r.affectedRows(), 3);
        QCOMPARE(decoded(u"empty.json"_s).affectedRows(), -1);
    }

    void decode_legacyHead()
    {
        const Result r = decoded(u"legacy_head.json"_s);
        QCOMPARE(r.columns().at(0).name, u"ts"_s);
        QCOMPARE(texts(r), QStringList({u"2021-01-01T00:00:00.000Z"_s, u"7"_s}));
    }

    void decode_errorSaysWhatToDo()
    {
        Result result;
        TaosError error;
        QVERIFY(!ResultDecoder::decode(response(u"error_syntax.json"_s), &result, &error));
        QCOMPARE(error.desc, u"syntax error near \"selec * from t\""_s);
        QVERIFY2(error.describe().startsWith(u"TDengine error 0x2600: syntax error"_s),
                 qPrintable(error.describe()));
        QVERIFY2(error.describe().contains(u"Fix the statement"_s), qPrintable(error.describe()));
    }

    void feed_smallChunks_sameAsWhole_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("chunk");
        for (const QString &file : {u"all_types.json"_s, u"timestamps.json"_s, u"legacy_head.json"_s}) {
            for (int chunk : {1, 2, 7, 64})
                QTest::addRow("%s/%d", qPrintable(file), chunk) << file << chunk;
        }
    }

    void feed_smallChunks_sameAsWhole()
    {
        QFETCH(QString, file);
        QFETCH(int, chunk);
        const QByteArray body = response(file);
        ResultDecoder decoder;
        for (qsizetype i = 0; i < body.size(); i += chunk)
            QVERIFY(decoder.feed(body.mid(i, chunk)));
        QVERIFY2(decoder.finish(), qPrintable(decoder.error().describe()));
        QCOMPARE(texts(decoder.takeResult()), texts(decoded(file)));
    }

    void feed_rowsAvailableBeforeTheEnd()
    {
        const QByteArray body = generatedBody(1000);
        ResultDecoder decoder;
        QVERIFY(decoder.feed(body.left(body.size() / 2)));
        QVERIFY(decoder.rowCount() > 400);
        const Result head = decoder.head(10);
        QCOMPARE(head.rowCount(), 10);
        QCOMPARE(head.text(9, 3), u"row 9"_s);
        QVERIFY(decoder.feed(body.mid(body.size() / 2)));
        QVERIFY(decoder.finish());
        QCOMPARE(decoder.rowCount(), 1000);
    }

    void decode_100000Rows()
    {
        const int rows = 100000;
        const QByteArray body = generatedBody(rows);
        ResultDecoder decoder;
        for (qsizetype i = 0; i < body.size(); i += 16384) // as a network reply hands it over
            QVERIFY(decoder.feed(body.mid(i, 16384)));
        QVERIFY2(decoder.finish(), qPrintable(decoder.error().describe()));
        const Result r = decoder.takeResult();
        QCOMPARE(r.rowCount(), rows);
        QCOMPARE(r.reportedRows(), rows);
        for (int i : {0, 1, 4095, 65536, rows - 1}) {
            QCOMPARE(r.timestampNs(i, 0), (1700000000000LL + i) * 1000000);
            QCOMPARE(r.int64(i, 1), i);
            QCOMPARE(r.real(i, 2), i * 0.5);
            QCOMPARE(r.text(i, 3), u"row "_s + QString::number(i));
        }
    }

    void parseTimestamp_rejectsWhatIsNotRfc3339()
    {
        qint64 ns = 0;
        int digits = 0;
        for (const QByteArray &text :
             {QByteArray("yesterday"), QByteArray("2024-13-01T00:00:00Z"),
              QByteArray("2024-01-01T00:00:00+0800"), QByteArray("2024-01-01T00:00:00Zx")})
            QVERIFY2(!Result::parseTimestamp(text.cbegin(), text.cend(), &ns, &digits), text.constData());
        const QByteArray offset("2024-01-01T08:00:00-01:30");
        QVERIFY(Result::parseTimestamp(offset.cbegin(), offset.cend(), &ns, &digits));
        QCOMPARE(Result::formatTimestamp(ns, 0), u"2024-01-01T09:30:00Z"_s);
    }
};

QTEST_GUILESS_MAIN(TestTaosResult)
#include "tst_taosresult.moc"
