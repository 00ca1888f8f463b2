// Result::toRest() (taosAdapter's JSON) and Result::toCli() (what the 3.0.7 taos shell prints,
// following tools/shell/src/shellEngine.c: column widths from shellCalcColWidth, centred headers,
// right-aligned numbers, left-aligned strings cut with "..." at the width).
#include "tdengine/cluster.h"

#include <QDateTime>
#include <QJsonValue>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace tdkube::sandbox::tdengine {

namespace {

// The shell's default max_binary_display_width.
constexpr int kDisplayWidth = 30;

QJsonArray columnMeta(const QList<Column> &columns)
{
    QJsonArray meta;
    for (const Column &column : columns)
        meta.append(QJsonArray{column.name, column.type, column.length});
    return meta;
}

bool isInteger(const QString &type)
{
    return type.startsWith(u"TINYINT") || type.startsWith(u"SMALLINT") || type.startsWith(u"INT") ||
           type.startsWith(u"BIGINT");
}

int columnWidth(const Column &column)
{
    const int name = int(column.name.size());
    const QString &type = column.type;
    if (type == u"TIMESTAMP")
        return qMax(23, name);
    if (type == u"BOOL")
        return qMax(5, name);
    if (type.startsWith(u"TINYINT"))
        return qMax(4, name);
    if (type.startsWith(u"SMALLINT"))
        return qMax(6, name);
    if (type.startsWith(u"INT"))
        return qMax(11, name);
    if (type.startsWith(u"BIGINT"))
        return qMax(21, name);
    if (type == u"FLOAT")
        return qMax(20, name);
    if (type == u"DOUBLE")
        return qMax(25, name);
    const int bytes = (type == u"NCHAR" || type == u"JSON") ? column.length * 4 : column.length;
    return bytes > kDisplayWidth ? qMax(kDisplayWidth, name) : qMax(bytes, name);
}

QString formatTimestamp(const QJsonValue &value)
{
    QDateTime time = value.isString() ? QDateTime::fromString(value.toString(), Qt::ISODateWithMs)
                                      : QDateTime::fromMSecsSinceEpoch(value.toInteger(), Qt::UTC);
    return time.toUTC().toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s);
}

// A string cut to `width` with "..." as shellPrintNChar does, padded; width 0 prints it whole.
QString fitString(const QString &text, int width)
{
    if (width <= 0)
        return text;
    if (text.size() > width)
        return text.left(qMax(0, width - 3)) + QString(qMin(3, width), u'.');
    return text.leftJustified(width);
}

bool isNumeric(const QString &type)
{
    return isInteger(type) || type == u"FLOAT" || type == u"DOUBLE";
}

QString formatNumber(const Column &column, const QJsonValue &value)
{
    if (isInteger(column.type))
        return QString::number(value.toInteger(qint64(value.toDouble())));
    const int decimals = column.type == u"FLOAT" ? 5 : 9;
    return QString::number(value.toDouble(), 'f', decimals);
}

QString formatField(const Column &column, const QJsonValue &value, int width)
{
    if (value.isNull() || value.isUndefined())
        return fitString(u"NULL"_s, width);
    if (column.type == u"TIMESTAMP")
        return formatTimestamp(value);
    if (column.type == u"BOOL")
        return fitString(value.toBool() ? u"true"_s : u"false"_s, width);
    if (isNumeric(column.type))
        return formatNumber(column, value).rightJustified(width);
    return fitString(value.isDouble() ? QString::number(value.toDouble()) : value.toString(), width);
}

QString horizontal(const QList<Column> &columns, const QList<QJsonArray> &rows)
{
    QList<int> widths;
    QString header;
    int rowWidth = 0;
    for (const Column &column : columns) {
        const int width = columnWidth(column);
        const int padding = width - int(column.name.size());
        const int left = padding / 2;
        header += u' ' + QString(left, u' ') + column.name + QString(padding - left, u' ') + u" |";
        widths << width;
        rowWidth += width + 3;
    }
    QString text = header + u'\n' + QString(rowWidth, u'=') + u'\n';
    for (const QJsonArray &row : rows) {
        for (qsizetype i = 0; i < columns.size(); ++i)
            text += u' ' + formatField(columns.at(i), row.at(i), widths.at(i)) + u" |";
        text += u'\n';
    }
    return text;
}

QString vertical(const QList<Column> &columns, const QList<QJsonArray> &rows)
{
    qsizetype nameWidth = 0;
    for (const Column &column : columns)
        nameWidth = qMax(nameWidth, column.name.size());
    QString text;
    for (qsizetype r = 0; r < rows.size(); ++r) {
        text += u"*************************** "_s + QString::number(r + 1) +
                u".row ***************************\n"_s;
        for (qsizetype i = 0; i < columns.size(); ++i) {
            text += columns.at(i).name.rightJustified(nameWidth) + u": "_s +
                    formatField(columns.at(i), rows.at(r).at(i), 0) + u'\n';
        }
    }
    return text;
}

QString seconds(qint64 microseconds)
{
    return u'(' + QString::number(double(microseconds) / 1e6, 'f', 6) + u"s)"_s;
}

// The shell's prefix for statements without a result set.
QString affectedPrefix(const QString &sql)
{
    static const QList<std::pair<QRegularExpression, QString>> prefixes{
        {QRegularExpression(u"^\\s*delete\\s*from\\s*"_s, QRegularExpression::CaseInsensitiveOption),
         u"Delete OK"_s},
        {QRegularExpression(u"^\\s*insert\\s*into\\s*"_s, QRegularExpression::CaseInsensitiveOption),
         u"Insert OK"_s},
        {QRegularExpression(u"^\\s*create\\s*"_s, QRegularExpression::CaseInsensitiveOption), u"Create OK"_s},
        {QRegularExpression(u"^\\s*drop\\s*"_s, QRegularExpression::CaseInsensitiveOption), u"Drop OK"_s},
    };
    for (const auto &[pattern, prefix] : prefixes) {
        if (pattern.match(sql).hasMatch())
            return prefix;
    }
    return u"Query OK"_s;
}

} // namespace

QJsonObject Result::toRest() const
{
    if (!ok())
        return QJsonObject{{u"code"_s, code}, {u"desc"_s, desc}};
    if (!hasResultSet) {
        return QJsonObject{{u"code"_s, 0},
                           {u"column_meta"_s, QJsonArray{QJsonArray{u"affected_rows"_s, u"INT"_s, 4}}},
                           {u"data"_s, QJsonArray{QJsonArray{affectedRows}}},
                           {u"rows"_s, 1}};
    }
    QJsonArray data;
    for (const QJsonArray &row : rows)
        data.append(row);
    return QJsonObject{
        {u"code"_s, 0}, {u"column_meta"_s, columnMeta(columns)}, {u"data"_s, data}, {u"rows"_s, rows.size()}};
}

QString Result::toCli(const QString &sql, bool verticalRows) const
{
    QString text = u"taos> "_s + sql + u'\n';
    if (!ok())
        return text + u"\nDB error: "_s + desc + u' ' + seconds(elapsedMicroseconds) + u'\n';
    if (!hasResultSet) {
        static const QRegularExpression use(u"^\\s*use\\s+[a-zA-Z0-9_]+\\s*;?\\s*$"_s,
                                            QRegularExpression::CaseInsensitiveOption);
        if (use.match(sql).hasMatch())
            return text + u"Database changed.\n\n"_s;
        return text + affectedPrefix(sql) + u", "_s + QString::number(affectedRows) + u" row(s) affected "_s +
               seconds(elapsedMicroseconds) + u"\n\n"_s;
    }
    if (!rows.isEmpty())
        text += verticalRows ? vertical(columns, rows) : horizontal(columns, rows);
    return text + u"Query OK, "_s + QString::number(rows.size()) + u" row(s) in set "_s +
           seconds(elapsedMicroseconds) + u"\n\n"_s;
}

} // namespace tdkube::sandbox::tdengine
