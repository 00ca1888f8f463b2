#include <QTest>
class TestExecutor final : public QObject
{
    Q_OBJECT
};
QTEST_GUILESS_MAIN(TestExecutor)
#include "tst_executor.moc"
