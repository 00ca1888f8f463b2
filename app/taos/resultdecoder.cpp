// ResultDecoder: a scanner for taosAdapter's response that never builds a JSON document for `data`.
// Small members (code, desc, column_meta, head, rows, timing) are cut out whole and read with
// QJsonDocument; rows are scanned in place and stored column by column. A row (or member) that is
// not complete yet is scanned again from its start once more bytes arrived.
#include "taos/result.h"
#include "taos/result_p.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtNumeric>

#include <charconv>
#include <cstring>

using namespace Qt::StringLiterals;

namespace tdkube::taos {

struct ResultDecoder::Cell
{
    enum Kind { Null, False, True, Number, String, Raw };
    Kind kind = Null;
    const char *begin = nullptr;
    const char *end = nullptr;
    bool escaped = false;
};

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ResultDecoder)
};

constexpr qsizetype kCompactAt = 1 << 20;

const char *skipSpace(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        ++p;
    return p;
}

// `p` at the opening quote. On success `*next` is past the closing quote.
int scanString(const char *p, const char *end, const char **next, bool *escaped)
{
    *escaped = false;
    for (++p; p < end; ++p) {
        if (*p == '"') {
            *next = p + 1;
            return 0;
        }
        if (*p == '\\') {
            *escaped = true;
            ++p;
        }
    }
    return 1; // more
}

// Any JSON value; 0 ok, 1 more, 2 bad.
int skipValue(const char *p, const char *end, const char **next)
{
    int depth = 0;
    bool escaped = false;
    while (p < end) {
        const char c = *p;
        if (c == '"') {
            if (scanString(p, end, &p, &escaped))
                return 1;
        } else if (c == '{' || c == '[') {
            ++depth;
            ++p;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                break;
            --depth;
            ++p;
        } else if (c == ',' && depth == 0) {
            break;
        } else {
            ++p;
        }
        if (depth == 0) {
            const char *q = skipSpace(p, end);
            if (q == end)
                return 1;
            if (*q == ',' || *q == '}' || *q == ']') {
                *next = p;
                return 0;
            }
            if (c == '"' || c == '}' || c == ']')
                return 2;
        }
    }
    if (p == end)
        return 1;
    *next = p;
    return 0;
}

void appendUtf8(QByteArray &out, uint code)
{
    if (code < 0x80) {
        out.append(char(code));
    } else if (code < 0x800) {
        out.append(char(0xC0 | (code >> 6)));
        out.append(char(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
        out.append(char(0xE0 | (code >> 12)));
        out.append(char(0x80 | ((code >> 6) & 0x3F)));
        out.append(char(0x80 | (code & 0x3F)));
    } else {
        out.append(char(0xF0 | (code >> 18)));
        out.append(char(0x80 | ((code >> 12) & 0x3F)));
        out.append(char(0x80 | ((code >> 6) & 0x3F)));
        out.append(char(0x80 | (code & 0x3F)));
    }
}

uint hex4(const char *p, const char *end)
{
    if (end - p < 4)
        return 0xFFFD;
    uint value = 0;
    std::from_chars(p, p + 4, value, 16);
    return value;
}

void appendUnescaped(QByteArray &out, const char *p, const char *end)
{
    while (p < end) {
        const char *backslash = static_cast<const char *>(std::memchr(p, '\\', size_t(end - p)));
        if (!backslash) {
            out.append(p, end - p);
            return;
        }
        out.append(p, backslash - p);
        p = backslash + 1;
        if (p == end)
            return;
        const char c = *p++;
        switch (c) {
        case 'n':
            out.append('\n');
            break;
        case 't':
            out.append('\t');
            break;
        case 'r':
            out.append('\r');
            break;
        case 'b':
            out.append('\b');
            break;
        case 'f':
            out.append('\f');
            break;
        case 'u': {
            uint code = hex4(p, end);
            p += qMin<qsizetype>(4, end - p);
            if (code >= 0xD800 && code < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                const uint low = hex4(p + 2, end);
                if (low >= 0xDC00 && low < 0xE000) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    p += 6;
                }
            }
            appendUtf8(out, code);
            break;
        }
        default:
            out.append(c);
            break; // \" \\ \/
        }
    }
}

QByteArray unescaped(const char *begin, const char *end)
{
    QByteArray out;
    appendUnescaped(out, begin, end);
    return out;
}

bool toInt64(const char *begin, const char *end, qint64 *value)
{
    const auto [ptr, ec] = std::from_chars(begin, end, *value);
    if (ec == std::errc() && ptr == end)
        return true;
    double real = 0;
    const auto [ptr2, ec2] = std::from_chars(begin, end, real);
    // Outside these bounds (or NaN) the conversion is undefined.
    if (ec2 != std::errc() || ptr2 != end || !(real >= -0x1p63 && real < 0x1p63))
        return false;
    *value = qint64(real);
    return true;
}

bool toUInt64(const char *begin, const char *end, quint64 *value)
{
    const auto [ptr, ec] = std::from_chars(begin, end, *value);
    return ec == std::errc() && ptr == end;
}

bool toDouble(const char *begin, const char *end, double *value)
{
    const auto [ptr, ec] = std::from_chars(begin, end, *value);
    return ec == std::errc() && ptr == end;
}

} // namespace

ResultDecoder::ResultDecoder() = default;
ResultDecoder::~ResultDecoder() = default;

bool ResultDecoder::feed(const QByteArray &chunk)
{
    if (m_failed)
        return false;
    m_buffer += chunk;
    const Step step = parse();
    if (m_pos > kCompactAt && m_pos > m_buffer.size() / 2) {
        m_buffer.remove(0, m_pos);
        m_discardedBytes += m_pos;
        m_pos = 0;
    }
    if (!m_reserved && m_expectedBytes > 0 && m_result.rowCount() >= 4096)
        reserveForExpectedSize();
    return step != Step::Bad;
}

bool ResultDecoder::finish()
{
    if (!m_failed && parse() == Step::Bad)
        return false;
    if (m_failed)
        return false;
    if (m_sawCode && m_code != 0) {
        m_error = TaosError::fromCode(m_code, m_desc);
        m_failed = true;
        return false;
    }
    if (m_status == u"error") {
        m_error = TaosError::fromCode(m_code, m_desc);
        m_failed = true;
        return false;
    }
    if (m_state != State::Done) {
        fail(m_state == State::Start ? Text::tr("the response is empty")
                                     : Text::tr("the response ended early"));
        return false;
    }
    if (!m_sawCode && !m_columnsKnown) {
        fail(Text::tr("the response is not a taosAdapter result"));
        return false;
    }
    return true;
}

ResultDecoder::Step ResultDecoder::fail(const QString &why)
{
    if (!m_failed) {
        m_failed = true;
        m_error = TaosError::client(Text::tr("Could not read taosAdapter's answer: %1").arg(why),
                                    Text::tr("Check that port 6041 of the target is taosAdapter."));
    }
    return Step::Bad;
}

ResultDecoder::Step ResultDecoder::parse()
{
    const char *data = m_buffer.constData();
    const char *end = data + m_buffer.size();
    for (;;) {
        Step step = Step::Ok;
        switch (m_state) {
        case State::Start: {
            const char *p = skipSpace(data + m_pos, end);
            if (p == end)
                return Step::More;
            if (*p != '{')
                return fail(
                    Text::tr("it is not JSON: %1").arg(QString::fromUtf8(p, qMin<qsizetype>(80, end - p))));
            m_pos = p + 1 - data;
            m_state = State::Object;
            break;
        }
        case State::Object:
            step = parseMember();
            break;
        case State::Data:
            step = parseRow();
            break;
        case State::Done: {
            const char *p = skipSpace(data + m_pos, end);
            m_pos = p - data;
            return p == end ? Step::Ok : fail(Text::tr("text after the end of the response"));
        }
        }
        if (step != Step::Ok)
            return step;
    }
}

ResultDecoder::Step ResultDecoder::parseMember()
{
    const char *data = m_buffer.constData();
    const char *end = data + m_buffer.size();
    const char *p = skipSpace(data + m_pos, end);
    if (p == end)
        return Step::More;
    if (*p == '}') {
        m_pos = p + 1 - data;
        m_state = State::Done;
        return Step::Ok;
    }
    if (*p == ',') {
        // m_pos stays before the comma until the member is read: a chunk that ends after a comma
        // must not let the next chunk start with another one.
        p = skipSpace(p + 1, end);
        if (p == end)
            return Step::More;
    }
    if (*p != '"')
        return fail(Text::tr("a member name was expected"));
    const char *keyEnd = nullptr;
    bool escaped = false;
    if (scanString(p, end, &keyEnd, &escaped))
        return Step::More;
    const QByteArray key(p + 1, keyEnd - p - 2);
    p = skipSpace(keyEnd, end);
    if (p == end)
        return Step::More;
    if (*p != ':')
        return fail(Text::tr("':' was expected after \"%1\"").arg(QString::fromUtf8(key)));
    p = skipSpace(p + 1, end);
    if (p == end)
        return Step::More;
    if (key == "data") {
        if (*p != '[')
            return fail(Text::tr("data is not an array"));
        if (!m_columnsKnown)
            return fail(Text::tr("data came before column_meta"));
        m_pos = p + 1 - data;
        m_state = State::Data;
        return Step::Ok;
    }
    const char *valueEnd = nullptr;
    const int skipped = skipValue(p, end, &valueEnd);
    if (skipped == 1)
        return Step::More;
    if (skipped == 2)
        return fail(Text::tr("a malformed value for \"%1\"").arg(QString::fromUtf8(key)));
    const QJsonValue value =
        QJsonDocument::fromJson("[" + QByteArray(p, valueEnd - p) + "]").array().at(0); // small members only
    m_pos = valueEnd - data;
    if (key == "code") {
        m_sawCode = true;
        m_code = value.toInt();
    } else if (key == "desc") {
        m_desc = value.toString();
    } else if (key == "status") {
        m_status = value.toString();
    } else if (key == "rows") {
        m_result.m_reportedRows = value.toInteger();
    } else if (key == "timing") {
        m_result.m_timingNs = value.toInteger();
    } else if (key == "column_meta" || (key == "head" && !m_columnsKnown)) {
        QList<Column> columns;
        const QJsonArray array = value.toArray();
        for (const QJsonValue &entry : array) {
            Column column;
            if (entry.isArray()) {
                const QJsonArray meta = entry.toArray();
                column.name = meta.at(0).toString();
                const QJsonValue type = meta.at(1);
                column.typeName = type.isString() ? type.toString() : Column::typeNameFromId(type.toInt());
                column.length = meta.at(2).toInt();
            } else {
                column.name = entry.toString();
            }
            column.type = Column::typeFromName(column.typeName);
            columns.append(column);
        }
        if (m_result.m_rowCount > 0)
            return fail(Text::tr("column_meta came after data"));
        setColumns(columns);
    }
    return Step::Ok;
}

void ResultDecoder::setColumns(const QList<Column> &columns)
{
    m_result.m_columns = columns;
    m_result.m_data.clear();
    for (qsizetype i = 0; i < columns.size(); ++i)
        m_result.m_data.push_back(std::make_unique<Result::ColumnData>());
    m_cells.resize(size_t(columns.size()));
    m_columnsKnown = true;
}

ResultDecoder::Step ResultDecoder::parseRow()
{
    const char *data = m_buffer.constData();
    const char *end = data + m_buffer.size();
    const char *p = skipSpace(data + m_pos, end);
    if (p == end)
        return Step::More;
    if (*p == ']') {
        m_pos = p + 1 - data;
        m_state = State::Object;
        return Step::Ok;
    }
    if (*p == ',')
        p = skipSpace(p + 1, end);
    if (p == end)
        return Step::More;
    if (*p != '[')
        return fail(Text::tr("a row is not an array"));
    p = skipSpace(p + 1, end);
    const size_t columns = m_cells.size();
    size_t count = 0;
    while (p < end && *p != ']') {
        if (count >= columns)
            return fail(Text::tr("a row has more values than there are columns"));
        Cell &cell = m_cells[count++];
        cell.escaped = false;
        const char c = *p;
        if (c == '"') {
            const char *next = nullptr;
            if (scanString(p, end, &next, &cell.escaped))
                return Step::More;
            cell = {Cell::String, p + 1, next - 1, cell.escaped};
            p = next;
        } else {
            const char *next = nullptr;
            const int skipped = skipValue(p, end, &next);
            if (skipped == 1)
                return Step::More;
            if (skipped == 2 || next == p)
                return fail(Text::tr("a malformed value in row %1").arg(m_result.m_rowCount + 1));
            const qsizetype length = next - p;
            Cell::Kind kind = Cell::Number;
            if (c == 'n' && length == 4 && std::memcmp(p, "null", 4) == 0)
                kind = Cell::Null;
            else if (c == 't' && length == 4)
                kind = Cell::True;
            else if (c == 'f' && length == 5)
                kind = Cell::False;
            else if (c == '{' || c == '[')
                kind = Cell::Raw;
            cell = {kind, p, next, false};
            p = next;
        }
        p = skipSpace(p, end);
        if (p < end && *p == ',')
            p = skipSpace(p + 1, end);
    }
    if (p == end)
        return Step::More;
    if (count != columns)
        return fail(Text::tr("row %1 has %2 values for %3 columns")
                        .arg(QString::number(m_result.m_rowCount + 1), QString::number(count),
                             QString::number(columns)));
    m_pos = p + 1 - data;
    commitRow(m_cells);
    return m_failed ? Step::Bad : Step::Ok;
}

void ResultDecoder::reserveForExpectedSize()
{
    m_reserved = true;
    const qint64 seen = m_discardedBytes + m_pos;
    const qsizetype rows = m_result.rowCount();
    if (seen <= 0 || rows <= 0)
        return;
    // Rows so far tell the bytes per row; 3% more leaves room for longer rows further on.
    const double scale = double(m_expectedBytes) / double(seen) * 1.03;
    const size_t expectedRows = size_t(double(rows) * scale) + 64;
    for (const auto &data : m_result.m_data) {
        data->values.reserve(expectedRows);
        data->nullBits.reserve(expectedRows / 64 + 1);
        if (!data->arena.isEmpty())
            data->arena.reserve(qsizetype(double(data->arena.size()) * scale) + 1024);
    }
}

void ResultDecoder::commitRow(const std::vector<Cell> &cells)
{
    for (size_t i = 0; i < cells.size(); ++i) {
        const Cell &cell = cells[i];
        const Column &column = m_result.m_columns.at(qsizetype(i));
        Result::ColumnData &data = *m_result.m_data[i];
        const bool bytes = storesBytes(column.type);
        if (cell.kind == Cell::Null) {
            data.push(bytes ? quint64(data.arena.size()) : 0, true);
            continue;
        }
        bool ok = true;
        quint64 slot = 0;
        switch (column.type) {
        case ColumnType::Timestamp: {
            qint64 ns = 0;
            int digits = 3;
            if (cell.kind == Cell::String) {
                ok = Result::parseTimestamp(cell.begin, cell.end, &ns, &digits);
                data.digits = qMax(data.digits, digits);
            } else {
                // taosAdapter 2.x: epoch milliseconds
                ok = toInt64(cell.begin, cell.end, &ns) && !qMulOverflow(ns, qint64(1000000), &ns);
            }
            slot = quint64(ns);
            break;
        }
        case ColumnType::Bool:
            slot = cell.kind == Cell::True || (cell.kind == Cell::Number && *cell.begin != '0');
            break;
        case ColumnType::TinyInt:
        case ColumnType::SmallInt:
        case ColumnType::Int:
        case ColumnType::BigInt: {
            qint64 value = 0;
            ok = toInt64(cell.begin, cell.end, &value);
            slot = quint64(value);
            break;
        }
        case ColumnType::UTinyInt:
        case ColumnType::USmallInt:
        case ColumnType::UInt:
        case ColumnType::UBigInt:
            ok = toUInt64(cell.begin, cell.end, &slot);
            break;
        case ColumnType::Float:
        case ColumnType::Double: {
            double value = 0;
            ok = toDouble(cell.begin, cell.end, &value);
            std::memcpy(&slot, &value, sizeof slot);
            break;
        }
        case ColumnType::VarBinary:
        case ColumnType::Geometry: {
            QByteArray hex = cell.escaped ? unescaped(cell.begin, cell.end)
                                          : QByteArray(cell.begin, cell.end - cell.begin);
            if (hex.startsWith("\\x") || hex.startsWith("0x"))
                hex.remove(0, 2);
            data.arena += QByteArray::fromHex(hex);
            slot = quint64(data.arena.size());
            break;
        }
        default:
            if (cell.escaped)
                appendUnescaped(data.arena, cell.begin, cell.end);
            else
                data.arena.append(cell.begin, cell.end - cell.begin);
            slot = quint64(data.arena.size());
            break;
        }
        if (!ok) {
            fail(Text::tr("row %1: \"%2\" is not a %3")
                     .arg(QString::number(m_result.m_rowCount + 1),
                          QString::fromUtf8(cell.begin, cell.end - cell.begin), column.typeName));
            return;
        }
        data.push(slot, false);
    }
    ++m_result.m_rowCount;
}

Result ResultDecoder::head(qsizetype rows) const
{
    Result result;
    rows = qMin(rows, m_result.m_rowCount);
    result.m_columns = m_result.m_columns;
    result.m_rowCount = rows;
    result.m_reportedRows = rows;
    for (qsizetype i = 0; i < m_result.m_columns.size(); ++i) {
        const bool bytes = storesBytes(m_result.m_columns.at(i).type);
        result.m_data.push_back(
            std::make_unique<Result::ColumnData>(m_result.m_data[size_t(i)]->prefix(size_t(rows), bytes)));
    }
    return result;
}

bool ResultDecoder::decode(const QByteArray &body, Result *result, TaosError *error)
{
    ResultDecoder decoder;
    decoder.feed(body);
    if (!decoder.finish()) {
        *error = decoder.error();
        return false;
    }
    *result = decoder.takeResult();
    return true;
}

} // namespace tdkube::taos
