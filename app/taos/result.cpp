// Result storage and the TDengine type table. The scanner that fills it is in resultdecoder.cpp.
#include "taos/result.h"

#include "taos/result_p.h"

#include <QCoreApplication>
#include <QTimeZone>
#include <QtNumeric>

#include <cstring>

using namespace Qt::StringLiterals;

namespace tdkube::taos {

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(TaosError)
};

struct TypeEntry
{
    const char16_t *name;
    ColumnType type;
};

constexpr TypeEntry kTypes[] = {
    {u"TIMESTAMP", ColumnType::Timestamp},
    {u"BOOL", ColumnType::Bool},
    {u"TINYINT", ColumnType::TinyInt},
    {u"SMALLINT", ColumnType::SmallInt},
    {u"INT", ColumnType::Int},
    {u"BIGINT", ColumnType::BigInt},
    {u"TINYINT UNSIGNED", ColumnType::UTinyInt},
    {u"SMALLINT UNSIGNED", ColumnType::USmallInt},
    {u"INT UNSIGNED", ColumnType::UInt},
    {u"BIGINT UNSIGNED", ColumnType::UBigInt},
    {u"FLOAT", ColumnType::Float},
    {u"DOUBLE", ColumnType::Double},
    {u"VARCHAR", ColumnType::VarChar},
    {u"BINARY", ColumnType::VarChar},
    {u"NCHAR", ColumnType::NChar},
    {u"JSON", ColumnType::Json},
    {u"VARBINARY", ColumnType::VarBinary},
    {u"GEOMETRY", ColumnType::Geometry},
    {u"DECIMAL", ColumnType::Decimal},
};

QString hintFor(int code)
{
    switch (code) {
    case 0x0357: // "Authentication failure"
        return Text::tr("Check the TDengine user name and password.");
    case 0x1105: // taosAdapter HTTP_NO_AUTH_INFO
        return Text::tr(
            "Send the user and password (Basic auth); a path that strips the Authorization header, "
            "such as the API server proxy, cannot be used.");
    case 0x000B:
    case 0x0015:
    case 0x0408:
        return Text::tr("A dnode is unreachable: check that all TDengine pods are Running and Ready.");
    case 0x0388:
    case 0x2616:
        return Text::tr(
            "Create the database first, or name an existing one (information_schema.ins_databases).");
    case 0x2603:
    case 0x0362:
        return Text::tr("Check the table name, or create the table first.");
    case 0x2600:
    case 0x2602:
    case 0x2619:
    case 0x263F:
    case 0x2641:
        return Text::tr("Fix the statement and run it again.");
    case 0x03D3:
        return Text::tr("Another transaction is running (show transactions): wait for it and try again.");
    case 0x0334:
    case 0x03BA:
        return Text::tr("Add dnodes (scale the StatefulSet) or lower the replica.");
    default:
        return Text::tr("Check the statement and the cluster's state, then try again.");
    }
}

} // namespace

QString TaosError::describe() const
{
    QString text = code == kClientError ? desc
                                        : Text::tr("TDengine error 0x%1: %2")
                                              .arg(QString::number(code, 16).rightJustified(4, u'0'), desc);
    // A sentence's end: TDengine's own desc has none; a translated text may end in a full stop of its own.
    if (!text.endsWith(u'.') && !text.endsWith(u'\u3002'))
        text += u'.';
    return hint.isEmpty() ? text : text + u' ' + hint;
}

TaosError TaosError::fromCode(int code, const QString &desc)
{
    return TaosError{code, desc, hintFor(code), true};
}

TaosError TaosError::client(const QString &desc, const QString &hint)
{
    return TaosError{kClientError, desc, hint, true};
}

ColumnType Column::typeFromName(const QString &typeName)
{
    for (const TypeEntry &entry : kTypes) {
        if (typeName.compare(QStringView(entry.name), Qt::CaseInsensitive) == 0)
            return entry.type;
    }
    return ColumnType::Unknown;
}

QString Column::typeNameFromId(int id)
{
    switch (id) {
    case 1:
        return u"BOOL"_s;
    case 2:
        return u"TINYINT"_s;
    case 3:
        return u"SMALLINT"_s;
    case 4:
        return u"INT"_s;
    case 5:
        return u"BIGINT"_s;
    case 6:
        return u"FLOAT"_s;
    case 7:
        return u"DOUBLE"_s;
    case 8:
        return u"VARCHAR"_s;
    case 9:
        return u"TIMESTAMP"_s;
    case 10:
        return u"NCHAR"_s;
    case 11:
        return u"TINYINT UNSIGNED"_s;
    case 12:
        return u"SMALLINT UNSIGNED"_s;
    case 13:
        return u"INT UNSIGNED"_s;
    case 14:
        return u"BIGINT UNSIGNED"_s;
    case 15:
        return u"JSON"_s;
    case 16:
        return u"VARBINARY"_s;
    case 17:
        return u"DECIMAL"_s;
    case 20:
        return u"GEOMETRY"_s;
    default:
        return {};
    }
}

Result::Result() = default;
Result::~Result() = default;
Result::Result(Result &&other) noexcept = default;
Result &Result::operator=(Result &&other) noexcept = default;

Result::Result(const Result &other)
    : m_columns(other.m_columns)
    , m_rowCount(other.m_rowCount)
    , m_reportedRows(other.m_reportedRows)
    , m_timingNs(other.m_timingNs)
{
    for (const auto &data : other.m_data)
        m_data.push_back(std::make_unique<ColumnData>(*data));
}

Result &Result::operator=(const Result &other)
{
    if (this != &other) {
        Result copy(other);
        *this = std::move(copy);
    }
    return *this;
}

qint64 Result::affectedRows() const
{
    if (m_columns.size() == 1 && m_columns.first().name == u"affected_rows" && m_rowCount == 1)
        return int64(0, 0);
    return -1;
}

bool Result::isNull(qsizetype row, qsizetype column) const
{
    return m_data[size_t(column)]->isNull(size_t(row));
}

qint64 Result::int64(qsizetype row, qsizetype column) const
{
    return qint64(m_data[size_t(column)]->values[size_t(row)]);
}

quint64 Result::uint64(qsizetype row, qsizetype column) const
{
    return m_data[size_t(column)]->values[size_t(row)];
}

double Result::real(qsizetype row, qsizetype column) const
{
    double value = 0;
    const quint64 bits = m_data[size_t(column)]->values[size_t(row)];
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

QByteArray Result::bytes(qsizetype row, qsizetype column) const
{
    const ColumnData &data = *m_data[size_t(column)];
    const quint64 begin = row == 0 ? 0 : data.values[size_t(row) - 1];
    const quint64 end = data.values[size_t(row)];
    return data.arena.mid(qsizetype(begin), qsizetype(end - begin));
}

qint64 Result::timestampNs(qsizetype row, qsizetype column) const
{
    return int64(row, column);
}

QDateTime Result::dateTime(qsizetype row, qsizetype column) const
{
    const qint64 ns = timestampNs(row, column);
    const qint64 ms = ns >= 0 ? ns / 1000000 : -((-ns + 999999) / 1000000);
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
}

int Result::timestampDigits(qsizetype column) const
{
    return m_data[size_t(column)]->digits;
}

QVariant Result::value(qsizetype row, qsizetype column) const
{
    if (isNull(row, column))
        return {};
    switch (m_columns.at(column).type) {
    case ColumnType::Timestamp:
        return dateTime(row, column);
    case ColumnType::Bool:
        return int64(row, column) != 0;
    case ColumnType::TinyInt:
    case ColumnType::SmallInt:
    case ColumnType::Int:
    case ColumnType::BigInt:
        return qlonglong(int64(row, column));
    case ColumnType::UTinyInt:
    case ColumnType::USmallInt:
    case ColumnType::UInt:
    case ColumnType::UBigInt:
        return qulonglong(uint64(row, column));
    case ColumnType::Float:
    case ColumnType::Double:
        return real(row, column);
    case ColumnType::VarBinary:
    case ColumnType::Geometry:
        return bytes(row, column);
    default:
        return QString::fromUtf8(bytes(row, column));
    }
}

QString Result::text(qsizetype row, qsizetype column) const
{
    if (isNull(row, column))
        return u"NULL"_s;
    switch (m_columns.at(column).type) {
    case ColumnType::Timestamp:
        return formatTimestamp(timestampNs(row, column), timestampDigits(column));
    case ColumnType::Bool:
        return int64(row, column) ? u"true"_s : u"false"_s;
    case ColumnType::Float:
        return QString::number(real(row, column), 'g', 7);
    case ColumnType::Double:
        return QString::number(real(row, column), 'g', 16);
    case ColumnType::VarBinary:
    case ColumnType::Geometry:
        return u"\\x"_s + QString::fromLatin1(bytes(row, column).toHex().toUpper());
    default:
        return value(row, column).toString();
    }
}

namespace {

// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
qint64 daysFromCivil(qint64 y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + qint64(doe) - 719468;
}

bool digitsAt(const char *p, int count, int *value)
{
    int v = 0;
    for (int i = 0; i < count; ++i) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *value = v;
    return true;
}

} // namespace

bool Result::parseTimestamp(const char *begin, const char *end, qint64 *ns, int *digits)
{
    if (end - begin < 19)
        return false;
    int year, month, day, hour, minute, second;
    if (!digitsAt(begin, 4, &year) || begin[4] != '-' || !digitsAt(begin + 5, 2, &month) || begin[7] != '-' ||
        !digitsAt(begin + 8, 2, &day) || (begin[10] != 'T' && begin[10] != ' ') ||
        !digitsAt(begin + 11, 2, &hour) || begin[13] != ':' || !digitsAt(begin + 14, 2, &minute) ||
        begin[16] != ':' || !digitsAt(begin + 17, 2, &second) || month < 1 || month > 12 || day < 1 ||
        day > 31)
        return false;
    const char *p = begin + 19;
    qint64 fraction = 0;
    int fractionDigits = 0;
    if (p < end && *p == '.') {
        for (++p; p < end && *p >= '0' && *p <= '9'; ++p) {
            if (fractionDigits < 9) {
                fraction = fraction * 10 + (*p - '0');
                ++fractionDigits;
            }
        }
    }
    for (int i = fractionDigits; i < 9; ++i)
        fraction *= 10;
    int offsetSeconds = 0;
    if (p < end && (*p == 'Z' || *p == 'z')) {
        ++p;
    } else if (p < end && (*p == '+' || *p == '-')) {
        int oh, om;
        if (end - p < 6 || !digitsAt(p + 1, 2, &oh) || p[3] != ':' || !digitsAt(p + 4, 2, &om))
            return false;
        offsetSeconds = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    }
    if (p != end)
        return false;
    const qint64 seconds =
        daysFromCivil(year, unsigned(month), unsigned(day)) * 86400 + hour * 3600 + minute * 60 + second;
    // Nanoseconds in 64 bits reach only 1677 to 2262: a time outside is refused rather than wrapped.
    if (qMulOverflow(seconds - offsetSeconds, 1000000000LL, ns) || qAddOverflow(*ns, fraction, ns))
        return false;
    *digits = fractionDigits;
    return true;
}

QString Result::formatTimestamp(qint64 ns, int digits)
{
    qint64 seconds = ns / 1000000000LL;
    qint64 fraction = ns % 1000000000LL;
    if (fraction < 0) {
        fraction += 1000000000LL;
        --seconds;
    }
    QString text =
        QDateTime::fromSecsSinceEpoch(seconds, QTimeZone::utc()).toString(u"yyyy-MM-ddTHH:mm:ss"_s);
    if (digits > 0)
        text += u'.' + QString::number(fraction).rightJustified(9, u'0').left(digits);
    return text + u'Z';
}

} // namespace tdkube::taos
