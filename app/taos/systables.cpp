#include "taos/systables.h"

#include "taos/result.h"

#include <QCoreApplication>

namespace tdkube::taos {

using namespace Qt::StringLiterals;

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(SystemTables)
};

// "select * from information_schema.ins_dnodes [where ...]" -> "ins_dnodes".
QString tableOf(const QString &select)
{
    const QStringList words = select.split(u' ', Qt::SkipEmptyParts);
    const qsizetype from = words.indexOf(u"from"_s);
    return from >= 0 && from + 1 < words.size() ? words.at(from + 1).section(u'.', -1) : select;
}

} // namespace

QString selectNormalTables(const QString &database)
{
    return u"select * from information_schema.ins_tables where db_name = '%1' and type = 'NORMAL_TABLE'"_s
        .arg(database);
}

QString countStatement(const QString &select)
{
    QString count = select;
    return count.replace(u"select * from"_s, u"select count(*) from"_s);
}

QString incompleteRead(const QString &select, const Result &rows, const Result &count)
{
    const QString table = tableOf(select);
    if (count.rowCount() != 1 || count.columnCount() < 1 || count.isNull(0, 0))
        return Text::tr(
                   "count(*) of %1 answered without its row (taosAdapter ends a result early when a fetch "
                   "fails, and still says code 0)")
            .arg(table);
    // A cluster always has a dnode and an mnode: none listed is never the truth (FACTS.md section 5).
    if (rows.rowCount() == 0 && (select == kSelectDnodes || select == kSelectMnodes))
        return Text::tr("%1 answered without rows (taosAdapter ends a result early when a fetch fails, and "
                        "still says code 0)")
            .arg(table);
    const qint64 counted = count.int64(0, 0);
    if (rows.rowCount() != counted) {
        return Text::tr(
                   "%1 answered %2 rows where count(*) says %3: cut short (taosAdapter ends a result early "
                   "when a fetch fails, and still says code 0), or the table changed between the two reads")
            .arg(table, QString::number(rows.rowCount()), QString::number(counted));
    }
    return {};
}

} // namespace tdkube::taos
