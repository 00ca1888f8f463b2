#include "resourcetablemodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

using tdkube::ui::ResourceTableModel;
using namespace Qt::StringLiterals;

namespace {

QJsonObject pod(const QString &name, bool ready, int restarts = 0)
{
    const QJsonObject containerStatus{
        {u"name"_s, u"tdengine"_s},
        {u"ready"_s, ready},
        {u"restartCount"_s, restarts},
        {u"started"_s, true},
        {u"state"_s, QJsonObject{{u"running"_s, QJsonObject{{u"startedAt"_s, u"2026-11-21T10:00:00Z"_s}}}}}};
    return QJsonObject{
        {u"metadata"_s, QJsonObject{{u"name"_s, name},
                                    {u"namespace"_s, u"td"_s},
                                    {u"creationTimestamp"_s,
                                     QDateTime::currentDateTimeUtc().addSecs(-303).toString(Qt::ISODate)}}},
        {u"spec"_s, QJsonObject{{u"nodeName"_s, u"node-1"_s},
                                {u"containers"_s, QJsonArray{QJsonObject{{u"name"_s, u"tdengine"_s}}}}}},
        {u"status"_s, QJsonObject{{u"phase"_s, u"Running"_s},
                                  {u"podIP"_s, u"10.244.1.5"_s},
                                  {u"conditions"_s,
                                   QJsonArray{QJsonObject{{u"type"_s, u"Ready"_s},
                                                          {u"status"_s, ready ? u"True"_s : u"False"_s}}}},
                                  {u"containerStatuses"_s, QJsonArray{containerStatus}}}}};
}

QString cell(const ResourceTableModel &model, int row, int column)
{
    return model.data(model.index(row, column)).toString();
}

} // namespace

class TestResourceTableModel final : public QObject
{
    Q_OBJECT

private slots:
    void columns_areKubectlsPodColumns()
    {
        ResourceTableModel model(u"pods"_s, false);
        QStringList headers;
        for (int c = 0; c < model.columnCount(); ++c)
            headers << model.headerData(c, Qt::Horizontal).toString();
        QCOMPARE(headers, (QStringList{u"NAME"_s, u"READY"_s, u"STATUS"_s, u"RESTARTS"_s, u"AGE"_s}));
        ResourceTableModel wide(u"pods"_s, true);
        QCOMPARE(wide.headerData(5, Qt::Horizontal).toString(), u"IP"_s);
        QCOMPARE(wide.headerData(6, Qt::Horizontal).toString(), u"NODE"_s);
    }

    void reset_thenCells_showWhatKubectlShows()
    {
        ResourceTableModel model(u"pods"_s, false);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reset({pod(u"tdengine-0"_s, true), pod(u"tdengine-1"_s, false)});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(cell(model, 0, 0), u"tdengine-0"_s);
        QCOMPARE(cell(model, 0, 1), u"1/1"_s);
        QCOMPARE(cell(model, 1, 1), u"0/1"_s);
        QCOMPARE(cell(model, 0, 2), u"Running"_s);
        // Created 303 s ago at second precision: 5m3s, or 5m4s when a second boundary passed meanwhile.
        QVERIFY2(cell(model, 0, 4) == u"5m3s"_s || cell(model, 0, 4) == u"5m4s"_s,
                 qPrintable(cell(model, 0, 4)));
    }

    void events_emitFineGrainedSignals_notResets()
    {
        ResourceTableModel model(u"pods"_s, false);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reset({pod(u"a"_s, true), pod(u"b"_s, true), pod(u"c"_s, true)});
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        model.added(pod(u"d"_s, false));
        QCOMPARE(inserted.size(), 1);
        model.modified(pod(u"b"_s, false, 4));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().row(), model.rowOf(u"td"_s, u"b"_s));
        QCOMPARE(cell(model, model.rowOf(u"td"_s, u"b"_s), 1), u"0/1"_s);
        model.deleted(pod(u"a"_s, true));
        QCOMPARE(removed.size(), 1);
        QCOMPARE(resets.size(), 0);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOf(u"td"_s, u"a"_s), -1);
        // Every remaining object is where the index says it is.
        for (const QString &name : {u"b"_s, u"c"_s, u"d"_s})
            QCOMPARE(cell(model, model.rowOf(u"td"_s, name), 0), name);
    }

    void addedTwice_isAnUpdate_deletedUnknown_isIgnored()
    {
        ResourceTableModel model(u"pods"_s, false);
        model.added(pod(u"a"_s, false));
        model.added(pod(u"a"_s, true));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(cell(model, 0, 1), u"1/1"_s);
        model.deleted(pod(u"zzz"_s, true));
        QCOMPARE(model.rowCount(), 1);
    }

    void bigReset_fillsInSlices_eventsMeanwhileAppliedInOrder()
    {
        ResourceTableModel model(u"pods"_s, false);
        QList<QJsonObject> pods;
        for (int i = 0; i < 20000; ++i)
            pods.append(pod(u"pod-%1"_s.arg(i), false));
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QElapsedTimer timer;
        timer.start();
        model.reset(pods);
        // The call returns after one slice: the event loop turns while the table fills.
        QVERIFY2(timer.elapsed() < 200, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(model.isFilling());
        QVERIFY(model.rowCount() < 20000);
        model.modified(pod(u"pod-19999"_s, true)); // not a row yet
        model.deleted(pod(u"pod-19998"_s, false));
        model.added(pod(u"late"_s, true));
        QTRY_VERIFY_WITH_TIMEOUT(!model.isFilling(), 60000);
        QCOMPARE(model.rowCount(), 20000); // 20,000 - 1 deleted + 1 added
        QCOMPARE(resets.size(), 1);
        QVERIFY(inserted.size() > 2);
        QCOMPARE(cell(model, model.rowOf(u"td"_s, u"pod-19999"_s), 1), u"1/1"_s);
        QCOMPARE(model.rowOf(u"td"_s, u"pod-19998"_s), -1);
        QVERIFY(model.rowOf(u"td"_s, u"late"_s) >= 0);
        // A new list replaces a fill in progress.
        model.reset(pods);
        model.reset({pod(u"only"_s, true)});
        QTRY_VERIFY(!model.isFilling());
        QCOMPARE(model.rowCount(), 1);
    }

    void proxy_sortsAgeByCreation()
    {
        ResourceTableModel model(u"pods"_s, false);
        QJsonObject older = pod(u"older"_s, true);
        QJsonObject metadata = older.value(u"metadata").toObject();
        metadata.insert(u"creationTimestamp"_s,
                        QDateTime::currentDateTimeUtc().addDays(-3).toString(Qt::ISODate));
        older.insert(u"metadata"_s, metadata);
        model.reset({pod(u"newer"_s, true), older});
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(ResourceTableModel::SortRole);
        proxy.sort(4, Qt::DescendingOrder); // AGE descending: the oldest first, as a person expects
        QCOMPARE(proxy.data(proxy.index(0, 0)).toString(), u"older"_s);
    }
};

QTEST_GUILESS_MAIN(TestResourceTableModel)
#include "tst_resourcetablemodel.moc"
