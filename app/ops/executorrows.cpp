// The row counts of an Executor: every user table and super table counted before the first step (the
// journal keeps them), so that Verify can say the data is all there. A count that gets no answer is asked
// again within its patience; listings are read complete (taos::incompleteRead).
#include "kube/humanduration.h"
#include "ops/executor.h"
#include "taos/clusterconnection.h"
#include "taos/restclient.h"
#include "taos/systables.h"

#include <algorithm>

namespace tdkube::ops {

using namespace Qt::StringLiterals;

namespace {

int column(const taos::Result &result, const QString &name)
{
    for (qsizetype c = 0; c < result.columnCount(); ++c) {
        if (result.columns().at(c).name == name)
            return int(c);
    }
    return -1;
}

} // namespace

void Executor::recordRowCounts()
{
    waiting(tr("the tables of every database to be listed, to count their rows"));
    // A table missing from a cut-short listing would go uncounted, and unchecked by Verify.
    poll([this] {
        readComplete(taos::kSelectDatabases, [this](const taos::Result &databases) {
            QStringList names;
            const int name = column(databases, u"name"_s);
            const QStringList &lost = m_journal.plan().lostDatabases;
            for (qsizetype r = 0; r < databases.rowCount(); ++r) {
                const QString database = databases.text(r, name);
                if (!taos::isSystemDatabase(database) && !lost.contains(database))
                    names.append(database);
            }
            if (!lost.isEmpty())
                log(tr("Not counted: database(s) %1, whose only copy on the dropped dnode this operation "
                       "gives "
                       "up; they cannot be read now and will have fewer rows.")
                        .arg(lost.join(u", ")));
            readComplete(taos::kSelectStables, [this, names](const taos::Result &stables) {
                QStringList tables;
                const int db = column(stables, u"db_name"_s);
                const int stable = column(stables, u"stable_name"_s);
                for (qsizetype r = 0; r < stables.rowCount(); ++r) {
                    if (names.contains(stables.text(r, db)))
                        tables.append(stables.text(r, db) + u'.' + stables.text(r, stable));
                }
                listNormalTables(names, tables, QDeadlineTimer(m_countPatienceMs));
            });
        });
    });
}

// Database by database (taos::selectNormalTables), so that a database given up, or one elsewhere
// without a leader, does not keep the others from being listed; each listing complete by its
// count(*), tried again until `patience` expires as a count is.
void Executor::listNormalTables(QStringList databases, QStringList tables, const QDeadlineTimer &patience)
{
    if (databases.isEmpty()) {
        countRows(
            tables, [this](const QMap<QString, qint64> &counts) { rowsRecorded(counts); },
            [this](const QString &table, const QString &error) {
                cannotCountBefore(tr("the rows of %1").arg(table), table.section(u'.', 0, 0), error);
            });
        return;
    }
    const QString database = databases.first();
    const QString select = taos::selectNormalTables(database);
    const auto retry = [this, database, databases, tables, patience](const QString &error) {
        retryWithin(
            patience, tr("the tables of %1 to be listed (last: %2)").arg(database, error), error,
            [this, databases, tables, patience] { listNormalTables(databases, tables, patience); },
            [this, database](const QString &last) {
                cannotCountBefore(tr("the rows of %1 (listing its tables failed)").arg(database), database,
                                  last);
            });
    };
    const auto failed = [retry](const taos::TaosError &error) { retry(error.describe()); };
    const int timeoutMs = tryTimeout(patience);
    send(
        select,
        [this, select, database, databases, tables, retry, failed, timeoutMs](const taos::Result &rows) {
            send(
                taos::countStatement(select),
                [this, select, database, databases, tables, retry, rows](const taos::Result &count) mutable {
                    const QString incomplete = taos::incompleteRead(select, rows, count);
                    if (!incomplete.isEmpty()) {
                        retry(incomplete);
                        return;
                    }
                    const int name = column(rows, u"table_name"_s);
                    for (qsizetype r = 0; r < rows.rowCount(); ++r)
                        tables.append(database + u'.' + rows.text(r, name));
                    databases.removeFirst();
                    listNormalTables(databases, tables, QDeadlineTimer(m_countPatienceMs));
                },
                failed, false, timeoutMs);
        },
        failed, false, timeoutMs);
}

void Executor::rowsRecorded(const QMap<QString, qint64> &counts)
{
    QString error;
    if (!m_journal.setRowCounts(counts, &error)) {
        fail(error);
        return;
    }
    qint64 total = 0;
    for (const qint64 rows : counts)
        total += rows;
    log(tr("Recorded the row counts of %1 table(s): %2 rows in all").arg(counts.size()).arg(total));
    runStep(m_journal.resumeIndex());
}

// Nothing ran: a new operation leaves no journal to resume, as when the lease is refused.
void Executor::cannotCountBefore(const QString &what, const QString &database, const QString &error)
{
    if (m_newOperation)
        m_journal.discard();
    fail(tr("Could not count %1: %2 (tried for %3). tdkube counts every table's rows before it changes "
            "anything, to show afterwards that no data was lost; nothing was changed. If a vgroup of "
            "database %4 has no leader (`show %4.vgroups`), bring its dnodes back first; if its only copy is "
            "on a dnode whose pod is gone, Repair gives that data up knowingly and does not count it.")
             .arg(what, error, kube::humanDuration(m_countPatienceMs), database));
}

void Executor::countRows(const QStringList &tables, const Counted &done, const CountFailed &failed)
{
    countNext(tables, {}, done, failed, QDeadlineTimer(m_countPatienceMs));
}

// A count that fails is tried again at each poll interval (a leader election, the forward moving)
// until `patience` expires: a vgroup nobody can read must end in a message, not in a wait as long
// as the step timeout. A count without its row is such a failure, never 0: taosAdapter can cut an
// answer short and still say code 0 (FACTS.md section 5), and a baseline of 0 would hide a loss.
void Executor::countNext(QStringList tables, QMap<QString, qint64> counts, const Counted &done,
                         const CountFailed &failed, const QDeadlineTimer &patience)
{
    if (tables.isEmpty()) {
        done(counts);
        return;
    }
    const QString table = tables.first();
    const QString statement = u"select count(*) from "_s + table;
    const auto retry = [this, statement, table, tables, counts, done, failed,
                        patience](const QString &error) {
        retryWithin(
            patience, tr("an answer to `%1` (last: %2)").arg(statement, error), error,
            [this, tables, counts, done, failed, patience] {
                countNext(tables, counts, done, failed, patience);
            },
            [failed, table](const QString &last) { failed(table, last); });
    };
    send(
        statement,
        [this, table, tables, counts, done, failed, retry](const taos::Result &result) mutable {
            if (result.rowCount() != 1 || result.columnCount() < 1 || result.isNull(0, 0)) {
                retry(
                    tr("it answered without its row, so the answer was cut short (taosAdapter ends a result "
                       "early when a fetch fails, and still says code 0)"));
                return;
            }
            counts.insert(table, result.int64(0, 0));
            tables.removeFirst();
            countNext(tables, counts, done, failed, QDeadlineTimer(m_countPatienceMs));
        },
        [retry](const taos::TaosError &error) { retry(error.describe()); }, false, tryTimeout(patience));
}

void Executor::retryWithin(const QDeadlineTimer &patience, const QString &waitingFor, const QString &error,
                           const std::function<void()> &again,
                           const std::function<void(const QString &error)> &expired)
{
    if (patience.hasExpired()) {
        expired(error);
        return;
    }
    m_waitingFor = waitingFor;
    const int run = m_run;
    const int step = m_step;
    QTimer::singleShot(m_pollTimer.interval(), this, [this, run, step, again] {
        if (run == m_run && step == m_step)
            again();
    });
}

// Real TDengine holds a read of a vgroup without a leader for about 10 s: the patience bounds each
// try, not only the time between them.
int Executor::tryTimeout(const QDeadlineTimer &patience) const
{
    return int(std::clamp<qint64>(patience.remainingTime(), 1000, m_countPatienceMs));
}

} // namespace tdkube::ops
