#include "kube/humanduration.h"

#include <QTest>

using tdkube::kube::humanDuration;

class TestHumanDuration final : public QObject
{
    Q_OBJECT

private slots:
    void format_data()
    {
        QTest::addColumn<qint64>("seconds");
        QTest::addColumn<QString>("expected");
        QTest::newRow("skew") << qint64(-1) << QStringLiteral("0s");
        QTest::newRow("future") << qint64(-5) << QStringLiteral("<invalid>");
        QTest::newRow("zero") << qint64(0) << QStringLiteral("0s");
        QTest::newRow("119s") << qint64(119) << QStringLiteral("119s");
        QTest::newRow("2m") << qint64(120) << QStringLiteral("2m");
        QTest::newRow("5m3s") << qint64(303) << QStringLiteral("5m3s");
        QTest::newRow("10m") << qint64(600 + 59) << QStringLiteral("10m");
        QTest::newRow("179m") << qint64(179 * 60 + 30) << QStringLiteral("179m");
        QTest::newRow("3h") << qint64(3 * 3600) << QStringLiteral("3h");
        QTest::newRow("6h26m") << qint64(6 * 3600 + 26 * 60 + 12) << QStringLiteral("6h26m");
        QTest::newRow("47h") << qint64(47 * 3600 + 59 * 60) << QStringLiteral("47h");
        QTest::newRow("3d4h") << qint64((3 * 24 + 4) * 3600) << QStringLiteral("3d4h");
        QTest::newRow("8d") << qint64(8 * 24 * 3600) << QStringLiteral("8d");
        QTest::newRow("729d") << qint64(729LL * 24 * 3600) << QStringLiteral("729d");
        QTest::newRow("2y10d") << qint64((730LL + 10) * 24 * 3600) << QStringLiteral("2y10d");
        QTest::newRow("9y") << qint64(9LL * 365 * 24 * 3600) << QStringLiteral("9y");
    }

    void format()
    {
        QFETCH(qint64, seconds);
        QFETCH(QString, expected);
        QCOMPARE(humanDuration(seconds * 1000), expected);
    }
};

QTEST_APPLESS_MAIN(TestHumanDuration)
#include "tst_humanduration.moc"
