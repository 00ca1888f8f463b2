// The SELECT pipeline shared by user tables and system tables: WHERE, projection or aggregation,
// ORDER BY, LIMIT/OFFSET. Small on purpose: it covers what tdkube and the tests send.
#include "query.h"

#include "errors.h"
#include "lexer.h"

#include <QDateTime>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tdkube::sandbox::tdengine {

namespace {

const QString kVersion = u"3.0.7.1"_s;

bool isAggregate(const QString &function)
{
    static const QStringList aggregates{u"count"_s, u"sum"_s,   u"avg"_s,  u"min"_s,
                                        u"max"_s,   u"first"_s, u"last"_s, u"last_row"_s};
    return aggregates.contains(function);
}

bool isScalar(const QString &function)
{
    static const QStringList scalars{u"server_version"_s, u"client_version"_s, u"database"_s, u"now"_s,
                                     u"server_status"_s};
    return scalars.contains(function);
}

Result invalidColumn(const QString &name)
{
    return failure(kInvalidColumn, u"Invalid column name: "_s + name);
}

Result syntaxError(const Cursor &c)
{
    return failure(kSyntaxError, u"syntax error near \""_s + c.rest() + u'"');
}

std::optional<qint64> parseNowExpression(Cursor &c)
{
    qint64 ms = QDateTime::currentMSecsSinceEpoch();
    if (c.acceptSymbol("("_L1) && !c.acceptSymbol(")"_L1))
        return std::nullopt;
    while (c.isSymbol("+"_L1) || c.isSymbol("-"_L1)) {
        const bool plus = c.take().text == u"+";
        if (c.peek().kind != Token::Kind::Number)
            return std::nullopt;
        const std::optional<qint64> duration = parseDuration(c.take().text);
        if (!duration)
            return std::nullopt;
        ms += plus ? *duration : -*duration;
    }
    return ms;
}

QJsonValue numberValue(const QString &text, bool negative)
{
    bool isInt = false;
    const qint64 integer = text.toLongLong(&isInt);
    if (isInt)
        return QJsonValue(negative ? -integer : integer);
    const double real = text.toDouble();
    return QJsonValue(negative ? -real : real);
}

// --- WHERE ---

std::optional<Operand> parseOperand(Cursor &c)
{
    Operand operand;
    if (c.peek().kind == Token::Kind::Quoted ||
        (c.peek().kind == Token::Kind::Word && !c.isWord("now"_L1) && !c.isWord("true"_L1) &&
         !c.isWord("false"_L1) && !c.isWord("null"_L1))) {
        operand.isColumn = true;
        c.takeName(&operand.column);
        return operand;
    }
    if (!parseLiteral(c, &operand.value))
        return std::nullopt;
    return operand;
}

std::optional<Condition> parseOr(Cursor &c);

std::optional<Condition> parsePredicate(Cursor &c)
{
    if (c.acceptWord("not"_L1)) {
        std::optional<Condition> inner = parsePredicate(c);
        if (!inner)
            return std::nullopt;
        Condition condition;
        condition.kind = Condition::Kind::Not;
        condition.children << *inner;
        return condition;
    }
    if (c.acceptSymbol("("_L1)) {
        std::optional<Condition> inner = parseOr(c);
        if (!inner || !c.acceptSymbol(")"_L1))
            return std::nullopt;
        return inner;
    }
    Condition condition;
    std::optional<Operand> left = parseOperand(c);
    if (!left)
        return std::nullopt;
    condition.left = *left;
    if (c.acceptWord("is"_L1)) {
        const bool negated = c.acceptWord("not"_L1);
        if (!c.acceptWord("null"_L1))
            return std::nullopt;
        condition.kind = negated ? Condition::Kind::IsNotNull : Condition::Kind::IsNull;
        return condition;
    }
    if (c.acceptWord("in"_L1)) {
        condition.kind = Condition::Kind::In;
        if (!c.acceptSymbol("("_L1))
            return std::nullopt;
        do {
            QJsonValue value;
            if (!parseLiteral(c, &value))
                return std::nullopt;
            condition.list << value;
        } while (c.acceptSymbol(","_L1));
        return c.acceptSymbol(")"_L1) ? std::optional<Condition>(condition) : std::nullopt;
    }
    if (c.acceptWord("like"_L1)) {
        condition.kind = Condition::Kind::Like;
    } else {
        static const QStringList ops{u"="_s, u"!="_s, u"<>"_s, u"<"_s, u">"_s, u"<="_s, u">="_s};
        if (c.peek().kind != Token::Kind::Symbol || !ops.contains(c.peek().text))
            return std::nullopt;
        condition.op = c.take().text;
    }
    std::optional<Operand> right = parseOperand(c);
    if (!right)
        return std::nullopt;
    condition.right = *right;
    return condition;
}

std::optional<Condition> parseJoined(Cursor &c, QLatin1StringView keyword, Condition::Kind kind,
                                     std::optional<Condition> (*parseChild)(Cursor &))
{
    std::optional<Condition> first = parseChild(c);
    if (!first || !c.isWord(keyword))
        return first;
    Condition joined;
    joined.kind = kind;
    joined.children << *first;
    while (c.acceptWord(keyword)) {
        std::optional<Condition> next = parseChild(c);
        if (!next)
            return std::nullopt;
        joined.children << *next;
    }
    return joined;
}

std::optional<Condition> parseAnd(Cursor &c)
{
    return parseJoined(c, "and"_L1, Condition::Kind::And, parsePredicate);
}

std::optional<Condition> parseOr(Cursor &c)
{
    return parseJoined(c, "or"_L1, Condition::Kind::Or, parseAnd);
}

// Every column a condition names, to report unknown ones before evaluating.
void conditionColumns(const Condition &condition, QStringList *names)
{
    for (const Operand *operand : {&condition.left, &condition.right}) {
        if (operand->isColumn)
            names->append(operand->column);
    }
    for (const Condition &child : condition.children)
        conditionColumns(child, names);
}

QJsonValue operandValue(const Operand &operand, const RowSet &set, const Row &row)
{
    return operand.isColumn ? row.at(set.indexOf(operand.column)) : operand.value;
}

bool isTimestampOperand(const Operand &operand, const RowSet &set)
{
    return operand.isColumn && set.columns.at(set.indexOf(operand.column)).type == u"TIMESTAMP";
}

// A string compared with a TIMESTAMP column is a time literal.
QJsonValue coerce(const QJsonValue &value, bool timestamp)
{
    if (timestamp && value.isString()) {
        if (const std::optional<qint64> ms = parseTime(value.toString()))
            return QJsonValue(*ms);
    }
    if (value.isBool())
        return QJsonValue(value.toBool() ? 1 : 0);
    return value;
}

int compareValues(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isDouble() && b.isDouble()) {
        const double x = a.toDouble();
        const double y = b.toDouble();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    const QString x = a.isDouble() ? QString::number(a.toDouble()) : a.toString();
    const QString y = b.isDouble() ? QString::number(b.toDouble()) : b.toString();
    return x.compare(y);
}

bool compareMatches(const QString &op, int order)
{
    if (op == u"=")
        return order == 0;
    if (op == u"!=" || op == u"<>")
        return order != 0;
    if (op == u"<")
        return order < 0;
    if (op == u">")
        return order > 0;
    if (op == u"<=")
        return order <= 0;
    return order >= 0;
}

bool likeMatches(const QString &text, const QString &pattern)
{
    QString regex;
    for (const QChar c : pattern) {
        if (c == u'%')
            regex += u".*"_s;
        else if (c == u'_')
            regex += u'.';
        else
            regex += QRegularExpression::escape(QString(c));
    }
    return QRegularExpression(u'^' + regex + u'$', QRegularExpression::CaseInsensitiveOption)
        .match(text)
        .hasMatch();
}

bool matches(const Condition &condition, const RowSet &set, const Row &row)
{
    switch (condition.kind) {
    case Condition::Kind::And:
        return std::all_of(condition.children.cbegin(), condition.children.cend(),
                           [&](const Condition &child) { return matches(child, set, row); });
    case Condition::Kind::Or:
        return std::any_of(condition.children.cbegin(), condition.children.cend(),
                           [&](const Condition &child) { return matches(child, set, row); });
    case Condition::Kind::Not:
        return !matches(condition.children.first(), set, row);
    default:
        break;
    }
    const bool timestamp =
        isTimestampOperand(condition.left, set) || isTimestampOperand(condition.right, set);
    const QJsonValue left = coerce(operandValue(condition.left, set, row), timestamp);
    switch (condition.kind) {
    case Condition::Kind::IsNull:
        return left.isNull();
    case Condition::Kind::IsNotNull:
        return !left.isNull();
    case Condition::Kind::In:
        return std::any_of(condition.list.cbegin(), condition.list.cend(), [&](const QJsonValue &value) {
            return compareValues(left, coerce(value, timestamp)) == 0;
        });
    case Condition::Kind::Like:
        return likeMatches(left.toString(), operandValue(condition.right, set, row).toString());
    default:
        break;
    }
    const QJsonValue right = coerce(operandValue(condition.right, set, row), timestamp);
    if (left.isNull() || right.isNull())
        return false;
    return compareMatches(condition.op, compareValues(left, right));
}

// --- SELECT items ---

bool parseItemExpression(Cursor &c, SelectItem *item)
{
    if (c.acceptSymbol("*"_L1)) {
        item->kind = SelectItem::Kind::Star;
        return true;
    }
    if (c.peek().kind == Token::Kind::Word && c.isSymbol("("_L1, 1)) {
        item->function = c.take().text.toLower();
        c.take();
        if (c.acceptSymbol("*"_L1))
            item->column = u"*"_s;
        else if (!c.isSymbol(")"_L1) && !c.takeName(&item->column))
            return false;
        item->kind = isAggregate(item->function) ? SelectItem::Kind::Aggregate : SelectItem::Kind::Function;
        return c.acceptSymbol(")"_L1) && (isAggregate(item->function) || isScalar(item->function));
    }
    if (c.peek().kind == Token::Kind::Word || c.peek().kind == Token::Kind::Quoted) {
        if (!c.isWord("now"_L1) && !c.isWord("true"_L1) && !c.isWord("false"_L1) && !c.isWord("null"_L1)) {
            item->kind = SelectItem::Kind::Column;
            return c.takeName(&item->column);
        }
    }
    item->kind = SelectItem::Kind::Literal;
    return parseLiteral(c, &item->literal);
}

bool parseItem(Cursor &c, const QString &sql, SelectItem *item)
{
    const qsizetype start = c.peek().pos;
    if (!parseItemExpression(c, item))
        return false;
    item->title = sql.mid(start, c.peek().pos - start).trimmed();
    if (item->kind == SelectItem::Kind::Column)
        item->title = item->column;
    if (c.acceptWord("as"_L1))
        return c.takeName(&item->title);
    if (c.peek().kind == Token::Kind::Quoted || (c.peek().kind == Token::Kind::Word && !c.isWord("from"_L1)))
        return c.takeName(&item->title);
    return true;
}

bool parseTail(Cursor &c, Select *select)
{
    if (c.acceptWord("where"_L1)) {
        select->where = parseOr(c);
        if (!select->where)
            return false;
    }
    if (c.acceptWord("order"_L1)) {
        if (!c.acceptWord("by"_L1) || !c.takeName(&select->orderBy))
            return false;
        select->descending = c.acceptWord("desc"_L1);
        if (!select->descending)
            c.acceptWord("asc"_L1);
    }
    if (c.acceptWord("limit"_L1)) {
        if (c.peek().kind != Token::Kind::Number)
            return false;
        select->limit = c.take().text.toLongLong();
        if (c.acceptSymbol(","_L1) || c.acceptWord("offset"_L1)) {
            if (c.peek().kind != Token::Kind::Number)
                return false;
            select->offset = c.take().text.toLongLong();
        }
    }
    return c.atEnd();
}

// --- evaluation ---

QJsonValue scalarValue(const SelectItem &item, const QString &database, const QString &version)
{
    if (item.kind == SelectItem::Kind::Literal)
        return item.literal;
    if (item.function == u"server_version")
        return version;
    if (item.function == u"client_version")
        return serverVersion();
    if (item.function == u"database")
        return database.isEmpty() ? QJsonValue() : QJsonValue(database);
    if (item.function == u"server_status")
        return 1;
    return QDateTime::currentMSecsSinceEpoch();
}

Column scalarColumn(const SelectItem &item)
{
    if (item.kind == SelectItem::Kind::Literal) {
        if (item.literal.isString())
            return makeColumn(item.title, u"VARCHAR"_s, int(item.literal.toString().size()));
        if (item.literal.isBool())
            return makeColumn(item.title, u"BOOL"_s, 1);
        const bool integer = item.literal.toDouble() == double(item.literal.toInteger());
        return makeColumn(item.title, integer ? u"BIGINT"_s : u"DOUBLE"_s, 8);
    }
    if (item.function == u"now")
        return makeColumn(item.title, u"TIMESTAMP"_s, 8);
    if (item.function == u"server_status")
        return makeColumn(item.title, u"INT"_s, 4);
    return makeColumn(item.title, u"VARCHAR"_s, 64);
}

Column aggregateColumn(const SelectItem &item, const RowSet &set)
{
    if (item.function == u"count")
        return makeColumn(item.title, u"BIGINT"_s, 8);
    if (item.function == u"avg")
        return makeColumn(item.title, u"DOUBLE"_s, 8);
    Column column = set.columns.at(set.indexOf(item.column));
    column.name = item.title;
    if (item.function == u"sum") {
        const bool integer = column.type.startsWith(u"INT") || column.type.startsWith(u"BIGINT") ||
                             column.type.startsWith(u"SMALLINT") || column.type.startsWith(u"TINYINT");
        return makeColumn(item.title, integer ? u"BIGINT"_s : u"DOUBLE"_s, 8);
    }
    return column;
}

QJsonValue aggregateValue(const SelectItem &item, const RowSet &set, const QList<Row> &rows)
{
    const qsizetype index = item.column == u"*" ? -1 : set.indexOf(item.column);
    QList<QJsonValue> values;
    for (const Row &row : rows) {
        if (index < 0 || !row.at(index).isNull())
            values << (index < 0 ? QJsonValue(1) : row.at(index));
    }
    if (item.function == u"count")
        return qint64(values.size());
    if (values.isEmpty())
        return QJsonValue();
    if (item.function == u"first")
        return values.first();
    if (item.function == u"last" || item.function == u"last_row")
        return values.last();
    if (item.function == u"min" || item.function == u"max") {
        const bool min = item.function == u"min";
        return *std::min_element(values.cbegin(), values.cend(),
                                 [min](const QJsonValue &a, const QJsonValue &b) {
                                     return min ? compareValues(a, b) < 0 : compareValues(a, b) > 0;
                                 });
    }
    double sum = 0;
    for (const QJsonValue &value : values)
        sum += value.toDouble();
    if (item.function == u"avg")
        return sum / double(values.size());
    return aggregateColumn(item, set).type == u"BIGINT" ? QJsonValue(qint64(sum)) : QJsonValue(sum);
}

std::optional<Result> checkColumns(const Select &select, const RowSet &source)
{
    QStringList names;
    for (const SelectItem &item : select.items) {
        if (item.kind == SelectItem::Kind::Column ||
            (item.kind == SelectItem::Kind::Aggregate && item.column != u"*"))
            names << item.column;
    }
    if (select.where)
        conditionColumns(*select.where, &names);
    for (const QString &name : std::as_const(names)) {
        if (source.indexOf(name) < 0)
            return invalidColumn(name);
    }
    return std::nullopt;
}

RowSet aggregate(const Select &select, const RowSet &source, const QList<Row> &rows, const QString &database,
                 const QString &version)
{
    RowSet out;
    Row row;
    for (const SelectItem &item : select.items) {
        if (item.kind == SelectItem::Kind::Aggregate) {
            out.columns << aggregateColumn(item, source);
            row.append(aggregateValue(item, source, rows));
        } else {
            out.columns << scalarColumn(item);
            row.append(scalarValue(item, database, version));
        }
    }
    out.rows << row;
    return out;
}

RowSet project(const Select &select, const RowSet &source, const QList<Row> &rows, const QString &database,
               const QString &version)
{
    RowSet out;
    QList<qsizetype> indexes; // -1: a scalar item
    QList<const SelectItem *> scalars;
    for (const SelectItem &item : select.items) {
        if (item.kind == SelectItem::Kind::Star) {
            for (qsizetype i = 0; i < source.visibleCount(); ++i) {
                out.columns << source.columns.at(i);
                indexes << i;
                scalars << nullptr;
            }
        } else if (item.kind == SelectItem::Kind::Column) {
            Column column = source.columns.at(source.indexOf(item.column));
            column.name = item.title;
            out.columns << column;
            indexes << source.indexOf(item.column);
            scalars << nullptr;
        } else {
            out.columns << scalarColumn(item);
            indexes << -1;
            scalars << &item;
        }
    }
    for (const Row &row : rows) {
        Row projected;
        for (qsizetype i = 0; i < indexes.size(); ++i)
            projected.append(indexes.at(i) >= 0 ? row.at(indexes.at(i))
                                                : scalarValue(*scalars.at(i), database, version));
        out.rows << projected;
    }
    return out;
}

void sortRows(QList<Row> *rows, qsizetype index, bool descending)
{
    std::stable_sort(rows->begin(), rows->end(), [index, descending](const Row &a, const Row &b) {
        const int order = compareValues(a.at(index), b.at(index));
        return descending ? order > 0 : order < 0;
    });
}

} // namespace

qsizetype RowSet::indexOf(const QString &name) const
{
    for (qsizetype i = 0; i < columns.size(); ++i) {
        if (columns.at(i).name.compare(name, Qt::CaseInsensitive) == 0)
            return i;
    }
    return -1;
}

QString serverVersion()
{
    return kVersion;
}

Column makeColumn(const QString &name, const QString &type, int length)
{
    Column column;
    column.name = name;
    column.type = type;
    column.length = length;
    return column;
}

QString rfc3339(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(u"yyyy-MM-ddTHH:mm:ss.zzzZ"_s);
}

std::optional<qint64> parseDuration(const QString &text)
{
    static const QRegularExpression pattern(u"^(\\d+)([a-zA-Z]?)$"_s);
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const qint64 amount = match.captured(1).toLongLong();
    static const QHash<QString, qint64> units{
        {QString(), 1},       {u"a"_s, 1},           {u"s"_s, 1000}, {u"m"_s, 60'000}, {u"h"_s, 3'600'000},
        {u"d"_s, 86'400'000}, {u"w"_s, 604'800'000}, {u"b"_s, 0},    {u"u"_s, 0}};
    const QString unit = match.captured(2).toLower();
    if (!units.contains(unit))
        return std::nullopt;
    return amount * units.value(unit);
}

std::optional<qint64> parseTime(const QString &text)
{
    static const QStringList formats{u"yyyy-MM-dd HH:mm:ss.zzz"_s, u"yyyy-MM-dd HH:mm:ss"_s, u"yyyy-MM-dd"_s};
    for (const QString &format : formats) {
        QDateTime time = QDateTime::fromString(text.trimmed(), format);
        if (time.isValid()) {
            time.setTimeSpec(Qt::UTC);
            return time.toMSecsSinceEpoch();
        }
    }
    const QDateTime iso = QDateTime::fromString(text.trimmed(), Qt::ISODateWithMs);
    if (iso.isValid())
        return iso.toMSecsSinceEpoch();
    return std::nullopt;
}

bool parseLiteral(Cursor &c, QJsonValue *value)
{
    const Token token = c.peek();
    if (token.kind == Token::Kind::String) {
        *value = c.take().text;
        return true;
    }
    if (c.acceptWord("now"_L1)) {
        const std::optional<qint64> ms = parseNowExpression(c);
        *value = ms ? QJsonValue(*ms) : QJsonValue();
        return ms.has_value();
    }
    if (c.acceptWord("true"_L1) || c.acceptWord("false"_L1)) {
        *value = token.text.compare(u"true", Qt::CaseInsensitive) == 0;
        return true;
    }
    if (c.acceptWord("null"_L1)) {
        *value = QJsonValue();
        return true;
    }
    const bool negative = c.isSymbol("-"_L1);
    if (negative || c.isSymbol("+"_L1))
        c.take();
    if (c.peek().kind != Token::Kind::Number)
        return false;
    const QString text = c.take().text;
    static const QRegularExpression plain(u"^[0-9.]+([eE][-+]?[0-9]+)?$"_s);
    if (!plain.match(text).hasMatch())
        return false;
    *value = numberValue(text, negative);
    return true;
}

std::optional<Result> parseSelect(Cursor &c, const QString &sql, Select *select)
{
    do {
        SelectItem item;
        if (!parseItem(c, sql, &item))
            return syntaxError(c);
        select->items << item;
    } while (c.acceptSymbol(","_L1));
    if (c.acceptWord("from"_L1)) {
        select->hasFrom = true;
        if (!c.takeQualifiedName(&select->db, &select->table))
            return syntaxError(c);
    }
    if (!parseTail(c, select))
        return syntaxError(c);
    return std::nullopt;
}

Result evaluate(const Select &select, const RowSet &source, const QString &database, const QString &version)
{
    if (const std::optional<Result> error = checkColumns(select, source))
        return *error;
    QList<Row> rows;
    for (const Row &row : source.rows) {
        if (!select.where || matches(*select.where, source, row))
            rows << row;
    }
    const qsizetype sourceOrder = select.orderBy.isEmpty() ? -1 : source.indexOf(select.orderBy);
    if (sourceOrder >= 0)
        sortRows(&rows, sourceOrder, select.descending);
    const bool aggregated =
        std::any_of(select.items.cbegin(), select.items.cend(),
                    [](const SelectItem &item) { return item.kind == SelectItem::Kind::Aggregate; });
    RowSet out = aggregated ? aggregate(select, source, rows, database, version)
                            : project(select, source, rows, database, version);
    if (!select.orderBy.isEmpty() && sourceOrder < 0) {
        const qsizetype outOrder = out.indexOf(select.orderBy);
        if (outOrder < 0)
            return invalidColumn(select.orderBy);
        sortRows(&out.rows, outOrder, select.descending);
    }
    out.rows = out.rows.mid(qMin(select.offset, qint64(out.rows.size())));
    if (select.limit >= 0)
        out.rows = out.rows.mid(0, select.limit);
    return toResult(out);
}

Result toResult(const RowSet &set)
{
    Result result;
    result.hasResultSet = true;
    result.columns = set.columns;
    for (const Row &row : set.rows) {
        QJsonArray converted;
        for (qsizetype i = 0; i < set.columns.size(); ++i) {
            const QJsonValue value = row.at(i);
            const bool timestamp = set.columns.at(i).type == u"TIMESTAMP" && value.isDouble();
            converted.append(timestamp ? QJsonValue(rfc3339(value.toInteger())) : value);
        }
        result.rows << converted;
    }
    return result;
}

std::optional<QJsonValue> convertValue(const Column &column, const QJsonValue &value)
{
    if (value.isNull())
        return QJsonValue();
    const QString &type = column.type;
    if (type == u"TIMESTAMP") {
        if (value.isDouble())
            return QJsonValue(value.toInteger());
        const std::optional<qint64> ms = parseTime(value.toString());
        return ms ? std::optional<QJsonValue>(QJsonValue(*ms)) : std::nullopt;
    }
    if (type == u"BOOL") {
        if (value.isBool() || value.isDouble())
            return QJsonValue(value.isBool() ? value.toBool() : value.toDouble() != 0);
        const QString text = value.toString().toLower();
        if (text != u"true" && text != u"false")
            return std::nullopt;
        return QJsonValue(text == u"true");
    }
    if (type == u"VARCHAR" || type == u"NCHAR" || type == u"JSON")
        return QJsonValue(value.isDouble() ? QString::number(value.toDouble()) : value.toString());
    bool ok = value.isDouble() || value.isBool();
    const double number = value.isString() ? value.toString().toDouble(&ok) : value.toDouble();
    if (!ok)
        return std::nullopt;
    if (type == u"FLOAT" || type == u"DOUBLE")
        return QJsonValue(number);
    return QJsonValue(value.isDouble() ? value.toInteger(qint64(number)) : qint64(number));
}

} // namespace tdkube::sandbox::tdengine
