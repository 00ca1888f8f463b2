// taosAdapter REST results: the body decoded whole (ResultDecoder::decode, as a short query is) and
// streamed in chunks (as RestClient feeds a large result). The input is the body; after its last
// NUL byte, if it has one, come the chunk lengths (one byte each, 0 meaning 256, used in turn), so
// that the fuzzer chooses where the chunks split. Both paths must agree: same outcome, same error
// code, same cells.

#include "fuzzing.h"
#include "taos/result.h"

using namespace tdkube;

namespace {

struct Input
{
    QByteArray body;
    QByteArray chunkLengths;
};

Input split(const QByteArray &input)
{
    const qsizetype nul = input.lastIndexOf('\0');
    if (nul < 0)
        return {input, QByteArray("\x01\x07\x40", 3)}; // a seed without lengths: 1, 7, 64, 1, 7, ...
    QByteArray lengths = input.mid(nul + 1);
    if (lengths.isEmpty())
        lengths = QByteArray(1, '\x01');
    return {input.left(nul), lengths};
}

// Reads the rows from `firstRow` on.
size_t readCells(const taos::Result &result, qsizetype firstRow = 0)
{
    size_t sum = size_t(result.affectedRows() + result.timingNs());
    for (const taos::Column &column : result.columns())
        sum += fuzz::consume(column.name) + fuzz::consume(column.typeName);
    for (qsizetype row = firstRow; row < result.rowCount(); ++row) {
        for (qsizetype column = 0; column < result.columnCount(); ++column) {
            sum += fuzz::consume(result.text(row, column));
            sum += size_t(result.value(row, column).isValid());
        }
    }
    return sum;
}

bool sameCells(const taos::Result &a, const taos::Result &b)
{
    if (a.rowCount() != b.rowCount() || a.columnCount() != b.columnCount())
        return false;
    for (qsizetype row = 0; row < a.rowCount(); ++row) {
        for (qsizetype column = 0; column < a.columnCount(); ++column) {
            if (a.text(row, column) != b.text(row, column))
                return false;
        }
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const Input input = split(fuzz::bytes(data, size));

    taos::Result whole;
    taos::TaosError wholeError;
    const bool wholeOk = taos::ResultDecoder::decode(input.body, &whole, &wholeError);
    size_t sum = fuzz::consume(wholeError.describe());

    taos::ResultDecoder decoder;
    decoder.setExpectedSize(input.body.size());
    qsizetype pos = 0;
    qsizetype rowsShown = 0;
    for (qsizetype i = 0; pos < input.body.size(); ++i) {
        const int length = quint8(input.chunkLengths.at(i % input.chunkLengths.size()));
        const QByteArray chunk = input.body.mid(pos, length == 0 ? 256 : length);
        pos += chunk.size();
        if (!decoder.feed(chunk))
            break;
        // What the grid shows while a result streams in: the rows that came with this chunk.
        if (decoder.rowCount() > rowsShown) {
            sum += readCells(decoder.head(decoder.rowCount()), rowsShown);
            rowsShown = decoder.rowCount();
        }
    }
    const bool streamedOk = !decoder.failed() && decoder.finish();
    sum += fuzz::consume(decoder.error().describe());

    fuzz::require(wholeOk == streamedOk, "whole and streamed decoding agree on success");
    if (wholeOk) {
        const taos::Result streamed = decoder.takeResult();
        sum += readCells(whole);
        fuzz::require(sameCells(whole, streamed), "whole and streamed decoding give the same cells");
        fuzz::require(whole.reportedRows() == streamed.reportedRows(), "same reported rows");
    } else {
        fuzz::require(wholeError.code == decoder.error().code, "same error code");
    }
    fuzz::sink(sum);
    return 0;
}
