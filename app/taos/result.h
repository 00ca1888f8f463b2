#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QVariant>

#include <memory>
#include <vector>

namespace tdkube::taos {

// A TDengine error as taosAdapter reports it (`{"code":N,"desc":"..."}`; `code` is the low 16 bits
// of TDengine's error code), or one made on this side (code kClientError) when no answer could be
// read. `hint` says what to do next.
struct TaosError
{
    static constexpr int kClientError = -1;

    int code = 0;
    QString desc;
    QString hint;
    bool valid = false;

    bool isValid() const { return valid; }
    // "TDengine error 0x2600: syntax error near ... Fix the statement ..."
    QString describe() const;
    // An error with the hint for `code` filled in.
    static TaosError fromCode(int code, const QString &desc);
    static TaosError client(const QString &desc, const QString &hint);
};

// The type of a result column, as column_meta names it.
enum class ColumnType {
    Unknown,
    Timestamp,
    Bool,
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    UTinyInt,
    USmallInt,
    UInt,
    UBigInt,
    Float,
    Double,
    VarChar, // also BINARY
    NChar,
    Json,
    VarBinary,
    Geometry,
    Decimal,
};

struct Column
{
    QString name;
    QString typeName; // as column_meta gave it: "TIMESTAMP", "INT UNSIGNED", "VARCHAR", ...
    ColumnType type = ColumnType::Unknown;
    int length = 0;

    static ColumnType typeFromName(const QString &typeName);
    // TDengine's numeric type ids (column_meta of taosAdapter 2.x).
    static QString typeNameFromId(int id);
};

// A decoded result set, stored column by column: every fixed-size value in one 64-bit slot (integers,
// unsigned integers, doubles, timestamps as nanoseconds since the epoch), every string in one byte
// arena per column, NULLs in a bitmap. A 1,000,000-row result of (ts, int, double, varchar(16)) takes
// about 60 MB. Timestamps keep the precision the server sent (3, 6 or 9 fraction digits).
class Result
{
public:
    Result();
    ~Result();
    Result(const Result &other);
    Result &operator=(const Result &other);
    Result(Result &&other) noexcept;
    Result &operator=(Result &&other) noexcept;

    const QList<Column> &columns() const { return m_columns; }
    qsizetype columnCount() const { return m_columns.size(); }
    qsizetype rowCount() const { return m_rowCount; }
    // taosAdapter's `rows`: the row count of a select, the affected rows of an insert (whose result is
    // one row with one INT column `affected_rows`).
    qint64 reportedRows() const { return m_reportedRows; }
    // `affected_rows` of an insert, delete or create; -1 when the result is a result set.
    qint64 affectedRows() const;
    // `timing` (server time in ns) when asked for with ?timing=true; -1 otherwise.
    qint64 timingNs() const { return m_timingNs; }

    bool isNull(qsizetype row, qsizetype column) const;
    // Integers as qlonglong, UNSIGNED as qulonglong, FLOAT/DOUBLE as double, BOOL as bool,
    // TIMESTAMP as QDateTime (UTC, ms), VARCHAR/NCHAR/JSON/DECIMAL as QString, VARBINARY/GEOMETRY
    // as QByteArray (the bytes, decoded from hex). NULL: an invalid QVariant.
    QVariant value(qsizetype row, qsizetype column) const;
    // What a grid shows: RFC 3339 for timestamps with the column's precision, "NULL" for NULL,
    // hex for binary types.
    QString text(qsizetype row, qsizetype column) const;
    qint64 int64(qsizetype row, qsizetype column) const;
    quint64 uint64(qsizetype row, qsizetype column) const;
    double real(qsizetype row, qsizetype column) const;
    QByteArray bytes(qsizetype row, qsizetype column) const; // strings as UTF-8, binary types raw
    qint64 timestampNs(qsizetype row, qsizetype column) const;
    QDateTime dateTime(qsizetype row, qsizetype column) const;
    // Fraction digits of a TIMESTAMP column as sent: 3 (ms), 6 (us) or 9 (ns).
    int timestampDigits(qsizetype column) const;

    // RFC 3339 with `digits` fraction digits, UTC ("2024-01-02T03:04:05.123456Z").
    static QString formatTimestamp(qint64 ns, int digits);
    // Parses "2024-01-02T03:04:05.123456789+08:00" (or "Z"); false if it is not RFC 3339.
    static bool parseTimestamp(const char *begin, const char *end, qint64 *ns, int *digits);

private:
    friend class ResultDecoder;
    struct ColumnData;
    QList<Column> m_columns;
    std::vector<std::unique_ptr<ColumnData>> m_data;
    qsizetype m_rowCount = 0;
    qint64 m_reportedRows = 0;
    qint64 m_timingNs = -1;
};

// Decodes a taosAdapter response fed in chunks, as it arrives: a hand-written scanner that takes
// rows off the `data` array as soon as they are complete, without building a JSON document. Not
// thread-safe; feed it from one thread at a time (the REST client runs it on a worker thread).
class ResultDecoder
{
public:
    ResultDecoder();
    ~ResultDecoder();
    Q_DISABLE_COPY_MOVE(ResultDecoder)

    // False once the body is known to be malformed (error() says why).
    bool feed(const QByteArray &chunk);
    // The body ended. Returns false with error() set when it is malformed, incomplete or a TDengine
    // error.
    bool finish();

    bool failed() const { return m_failed; }
    const TaosError &error() const { return m_error; }
    bool hasColumns() const { return m_columnsKnown; }
    qsizetype rowCount() const { return m_result.rowCount(); }
    // The columns and the first `rows` rows decoded so far, as a Result of their own.
    Result head(qsizetype rows) const;
    // The decoded result; valid after a successful finish().
    Result takeResult() { return std::move(m_result); }

    // The body's size when known (Content-Length): once a few thousand rows are in, the columns are
    // sized for the whole result, so that they do not grow by doubling (which briefly holds about
    // twice a large result).
    void setExpectedSize(qint64 bytes) { m_expectedBytes = bytes; }

    // Decodes a whole body at once.
    static bool decode(const QByteArray &body, Result *result, TaosError *error);

private:
    enum class Step { Ok, More, Bad };
    enum class State { Start, Object, Data, Done };
    struct Cell;
    Step parse();
    Step parseMember();
    Step parseRow();
    Step parseColumnMeta();
    Step parseHead();
    void commitRow(const std::vector<Cell> &cells);
    void reserveForExpectedSize();
    Step fail(const QString &why);
    void setColumns(const QList<Column> &columns);

    QByteArray m_buffer;
    qsizetype m_pos = 0;
    State m_state = State::Start;
    Result m_result;
    TaosError m_error;
    bool m_failed = false;
    bool m_columnsKnown = false;
    bool m_sawCode = false;
    int m_code = 0;
    QString m_desc;
    QString m_status; // taosAdapter 2.x: "succ" or "error"
    std::vector<Cell> m_cells;
    qint64 m_expectedBytes = 0;
    qint64 m_discardedBytes = 0; // dropped from the front of m_buffer
    bool m_reserved = false;
};

} // namespace tdkube::taos
