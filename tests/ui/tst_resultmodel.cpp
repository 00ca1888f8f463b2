// A 1,000,000-row result in the console's grid: the view gets rows in batches as it scrolls, never
// all at once; sorting reorders without copying; CSV quotes what needs quoting.
#include "resultmodel.h"

#include <QElapsedTimer>
#include <QHeaderView>
#include <QScrollBar>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using tdkube::ui::ResultModel;

namespace {

// A taosAdapter body of `rows` rows of (ts, int, double, varchar).
QByteArray body(int rows)
{
    QByteArray out =
        R"({"code":0,"column_meta":[["ts","TIMESTAMP",8],["v","INT",4],["d","DOUBLE",8],["s","VARCHAR",16]],"data":[)";
    out.reserve(rows * 60);
    for (int i = 0; i < rows; ++i) {
        if (i > 0)
            out += ',';
        out += "[\"2024-01-01T00:00:00.000Z\",";
        out += QByteArray::number(rows - i);
        out += ",1.5,";
        out += i % 10 == 0 ? QByteArray("null") : "\"row " + QByteArray::number(i) + '"';
        out += ']';
    }
    out += "],\"rows\":" + QByteArray::number(rows) + '}';
    return out;
}

} // namespace

class TestResultModel final : public QObject
{
    Q_OBJECT

private slots:
    void millionRows_fetchedInBatches_sortable()
    {
        tdkube::taos::Result result;
        tdkube::taos::TaosError error;
        QVERIFY2(tdkube::taos::ResultDecoder::decode(body(1000000), &result, &error),
                 qPrintable(error.describe()));
        ResultModel model;
        model.setResult(std::make_shared<const tdkube::taos::Result>(std::move(result)));
        QCOMPARE(model.totalRows(), 1000000);
        QCOMPARE(model.rowCount(), ResultModel::BatchSize);

        QTableView view;
        view.resize(800, 600);
        view.setModel(&model);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        // Scrolling to the end of what is there asks for the next batch, not for everything.
        view.verticalScrollBar()->setValue(view.verticalScrollBar()->maximum());
        QTRY_COMPARE(model.rowCount(), 2 * ResultModel::BatchSize);
        QCOMPARE(model.data(model.index(0, 1)).toString(), u"1000000"_s);
        QCOMPARE(model.data(model.index(0, 3)).toString(), u"NULL"_s);

        model.sort(1, Qt::AscendingOrder);
        QCOMPARE(model.data(model.index(0, 1)).toString(), u"1"_s);
        QCOMPARE(model.rowCount(), 2 * ResultModel::BatchSize);
    }

    void csv_quotesAndNulls()
    {
        tdkube::taos::Result result;
        tdkube::taos::TaosError error;
        QVERIFY(tdkube::taos::ResultDecoder::decode(
            "{\"code\":0,\"column_meta\":[[\"a\",\"VARCHAR\",16],[\"b\",\"INT\",4]],"
            "\"data\":[[\"x,y\",1],[\"say \\\"hi\\\"\",null]],\"rows\":2}",
            &result, &error));
        ResultModel model;
        model.setResult(std::make_shared<const tdkube::taos::Result>(std::move(result)));
        QCOMPARE(model.toCsv(), u"a,b\r\n\"x,y\",1\r\n\"say \"\"hi\"\"\",\r\n"_s);
        QCOMPARE(model.toCsv({1}), u"a,b\r\n\"say \"\"hi\"\"\",\r\n"_s);
    }
};

QTEST_MAIN(TestResultModel)
#include "tst_resultmodel.moc"
