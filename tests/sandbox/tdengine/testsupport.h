#pragma once

// Helpers shared by the tdengine simulator's tests (not part of the library).

#include "tdengine/cluster.h"

#include <QJsonArray>
#include <QTest>

#include <memory>
#include <optional>

namespace tdkube::sandbox::tdengine::test {

// Delays at 1% of real time: the status timeout is 40 ms, a vnode move 15 ms.
inline constexpr double kScale = 0.01;

inline QString endpoint(int ordinal)
{
    return QStringLiteral("tdengine-%1.taosd.tdengine-test.svc.cluster.local:6030").arg(ordinal);
}

inline QString dataOf(int ordinal)
{
    return QStringLiteral("pvc-uid-%1").arg(ordinal);
}

// Runs `sql` and waits for its answer, also for statements that take simulated time.
inline Result run(Cluster &cluster, const QString &sql, const QString &db = QString(), int timeoutMs = 10000)
{
    auto answer = std::make_shared<std::optional<Result>>();
    cluster.execute(sql, db, QString(), [answer](const Result &result) { *answer = result; });
    if (!QTest::qWaitFor([&] { return answer->has_value(); }, timeoutMs)) {
        Result timeout;
        timeout.code = -1;
        timeout.desc = QStringLiteral("no answer within the timeout");
        return timeout;
    }
    return **answer;
}

inline qsizetype columnIndex(const Result &result, const QString &column)
{
    for (qsizetype i = 0; i < result.columns.size(); ++i) {
        if (result.columns.at(i).name == column)
            return i;
    }
    return -1;
}

// Every value of one column.
inline QJsonArray columnValues(const Result &result, const QString &column)
{
    QJsonArray values;
    const qsizetype index = columnIndex(result, column);
    for (const QJsonArray &row : result.rows)
        values.append(index < 0 ? QJsonValue(QJsonValue::Undefined) : row.at(index));
    return values;
}

// The row whose `key` column equals `value`, or an empty array.
inline QJsonArray rowWhere(const Result &result, const QString &key, const QJsonValue &value)
{
    const qsizetype index = columnIndex(result, key);
    for (const QJsonArray &row : result.rows) {
        if (index >= 0 && row.at(index) == value)
            return row;
    }
    return QJsonArray();
}

inline QJsonValue cell(const Result &result, const QString &key, const QJsonValue &value,
                       const QString &column)
{
    const QJsonArray row = rowWhere(result, key, value);
    const qsizetype index = columnIndex(result, column);
    return row.isEmpty() || index < 0 ? QJsonValue(QJsonValue::Undefined) : row.at(index);
}

// The value dnode `id` runs with for the configuration item `name`, as `show dnode N variables like
// 'name'` lists it; a null string when the statement fails or has no such row.
inline QString dnodeVariable(Cluster &cluster, int id, const QString &name)
{
    const Result result =
        run(cluster, QStringLiteral("show dnode %1 variables like '%2'").arg(QString::number(id), name));
    return result.ok() && !result.rows.isEmpty() ? result.rows.first().at(2).toString() : QString();
}

inline qint64 count(Cluster &cluster, const QString &table)
{
    const Result result = run(cluster, QStringLiteral("select count(*) from ") + table);
    return result.ok() && result.rows.size() == 1 ? result.rows.first().at(0).toInteger() : -1;
}

// Starts the taosd of pods 0 .. count-1 in order, each on its own data.
inline bool startDnodes(Cluster &cluster, int count)
{
    for (int i = 0; i < count; ++i) {
        if (cluster.dnodeStarted(endpoint(i), dataOf(i)) != Cluster::Start::Joined)
            return false;
    }
    return true;
}

} // namespace tdkube::sandbox::tdengine::test
