// The column storage behind Result, shared by result.cpp and resultdecoder.cpp.
#pragma once

#include "taos/result.h"

#include <QByteArray>

#include <vector>

namespace tdkube::taos {

// One column: a 64-bit slot per row (the value, or for string and binary types the end offset of the
// row's bytes in `arena`), and a NULL bitmap.
struct Result::ColumnData
{
    std::vector<quint64> values;
    QByteArray arena;
    std::vector<quint64> nullBits;
    int digits = 3; // TIMESTAMP: fraction digits seen

    bool isNull(size_t row) const { return (nullBits[row / 64] >> (row % 64)) & 1u; }
    void push(quint64 slot, bool null)
    {
        const size_t row = values.size();
        if (row % 64 == 0)
            nullBits.push_back(0);
        if (null)
            nullBits.back() |= quint64(1) << (row % 64);
        values.push_back(slot);
    }
    ColumnData prefix(size_t rows, bool hasArena) const
    {
        ColumnData copy;
        copy.digits = digits;
        copy.values.assign(values.begin(), values.begin() + qsizetype(rows));
        copy.nullBits.assign(nullBits.begin(), nullBits.begin() + qsizetype((rows + 63) / 64));
        if (hasArena && rows > 0)
            copy.arena = arena.left(qsizetype(values[rows - 1]));
        return copy;
    }
};

inline bool storesBytes(ColumnType type)
{
    switch (type) {
    case ColumnType::Unknown:
    case ColumnType::VarChar:
    case ColumnType::NChar:
    case ColumnType::Json:
    case ColumnType::VarBinary:
    case ColumnType::Geometry:
    case ColumnType::Decimal:
        return true;
    default:
        return false;
    }
}

} // namespace tdkube::taos
