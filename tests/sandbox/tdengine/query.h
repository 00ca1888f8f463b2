#pragma once

#include "model.h"

#include <optional>

namespace tdkube::sandbox::tdengine {

class Cursor;

// A table's rows as a query sees them. Columns past `visible` (tags of a child table, tbname) can be
// named but are not part of `*`. TIMESTAMP values are milliseconds until toResult().
struct RowSet
{
    QList<Column> columns;
    QList<Row> rows;
    qsizetype visible = -1; // -1: all columns are visible

    qsizetype visibleCount() const { return visible < 0 ? columns.size() : visible; }
    qsizetype indexOf(const QString &name) const;
};

struct Operand
{
    bool isColumn = false;
    QString column;
    QJsonValue value;
};

// A WHERE clause: comparisons joined with AND/OR/NOT.
struct Condition
{
    enum class Kind { And, Or, Not, Compare, Like, In, IsNull, IsNotNull };
    Kind kind = Kind::Compare;
    QString op; // = != <> < > <= >=
    Operand left;
    Operand right;
    QList<QJsonValue> list;
    QList<Condition> children;
};

struct SelectItem
{
    enum class Kind { Star, Column, Aggregate, Function, Literal };
    Kind kind = Kind::Column;
    QString column;   // Column; the argument of an Aggregate ("*" for count(*))
    QString function; // lower case: count, sum, avg, min, max, first, last, server_version, ...
    QJsonValue literal;
    QString title; // the column name in the result: the alias or the expression as written
};

struct Select
{
    QList<SelectItem> items;
    bool hasFrom = false;
    QString db;
    QString table;
    std::optional<Condition> where;
    QString orderBy;
    bool descending = false;
    qint64 limit = -1;
    qint64 offset = 0;
};

// Literals of INSERT values and WHERE clauses: numbers, strings, true/false/null, now [+|- duration]
// (as milliseconds).
bool parseLiteral(Cursor &c, QJsonValue *value);
// Milliseconds since the epoch of '2023-07-19 18:04:58.104' (UTC) or an RFC 3339 time.
std::optional<qint64> parseTime(const QString &text);
// A TDengine duration such as 10s, 5m, 1h, 3d, 100a (ms); a bare number is milliseconds.
std::optional<qint64> parseDuration(const QString &text);

// The simulator's own TDengine version: client_version(), and a taosd's `version` variable when its image
// names none.
QString serverVersion();
// SELECT ... (after the SELECT keyword); nullopt on success.
std::optional<Result> parseSelect(Cursor &c, const QString &sql, Select *select);
// Filters, projects or aggregates, orders and limits `source`; `database` answers database().
// `version` is what server_version() answers: the version of the dnode the client's session went through
// (the mnode leader's, as the connect response carries it).
Result evaluate(const Select &select, const RowSet &source, const QString &database,
                const QString &version = serverVersion());
// A result set from `set` with TIMESTAMP values as RFC 3339 strings.
Result toResult(const RowSet &set);
// Converts `value` to the type of `column` for storage; nullopt when it does not fit.
std::optional<QJsonValue> convertValue(const Column &column, const QJsonValue &value);

Column makeColumn(const QString &name, const QString &type, int length);
QString rfc3339(qint64 ms);

} // namespace tdkube::sandbox::tdengine
