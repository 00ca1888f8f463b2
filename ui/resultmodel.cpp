#include "resultmodel.h"

#include <QColor>
#include <QStringBuilder>

#include <algorithm>
#include <numeric>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

namespace {

bool isNumeric(taos::ColumnType type)
{
    using T = taos::ColumnType;
    switch (type) {
    case T::TinyInt:
    case T::SmallInt:
    case T::Int:
    case T::BigInt:
    case T::UTinyInt:
    case T::USmallInt:
    case T::UInt:
    case T::UBigInt:
    case T::Float:
    case T::Double:
        return true;
    default:
        return false;
    }
}

QString csvField(const QString &text)
{
    if (!text.contains(u',') && !text.contains(u'"') && !text.contains(u'\n') && !text.contains(u'\r'))
        return text;
    QString quoted = text;
    quoted.replace(u'"', u"\"\""_s);
    return u'"' + quoted + u'"';
}

} // namespace

ResultModel::ResultModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

ResultModel::~ResultModel() = default;

void ResultModel::setResult(std::shared_ptr<const taos::Result> result)
{
    beginResetModel();
    m_result = std::move(result);
    m_order.clear();
    m_sortColumn = -1;
    m_fetched = int(std::min<qsizetype>(totalRows(), BatchSize));
    endResetModel();
}

void ResultModel::completeResult(std::shared_ptr<const taos::Result> complete)
{
    if (!m_result || !complete || complete->columnCount() != m_result->columnCount() ||
        complete->rowCount() < m_fetched) {
        setResult(std::move(complete));
        return;
    }
    // The rows fetched so far are the same in both: only what canFetchMore() offers grows.
    m_result = std::move(complete);
    if (m_sortColumn >= 0)
        sort(m_sortColumn, m_sortOrder);
}

void ResultModel::clear()
{
    setResult(nullptr);
}

qsizetype ResultModel::sourceRow(int row) const
{
    return m_order.empty() ? row : m_order.at(size_t(row));
}

int ResultModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_fetched;
}

int ResultModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_result ? 0 : int(m_result->columnCount());
}

QVariant ResultModel::data(const QModelIndex &index, int role) const
{
    if (!m_result || !index.isValid() || index.row() >= m_fetched)
        return {};
    const qsizetype row = sourceRow(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return m_result->text(row, column);
    case Qt::ForegroundRole:
        return m_result->isNull(row, column) ? QVariant(QColor(u"#9e9e9e"_s)) : QVariant();
    case Qt::TextAlignmentRole:
        return isNumeric(m_result->columns().at(column).type) ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                              : QVariant();
    default:
        return {};
    }
}

QVariant ResultModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (!m_result)
        return {};
    if (orientation == Qt::Vertical)
        return role == Qt::DisplayRole ? QVariant(section + 1) : QVariant();
    if (section < 0 || section >= m_result->columnCount())
        return {};
    const taos::Column &column = m_result->columns().at(section);
    if (role == Qt::DisplayRole)
        return column.name;
    if (role == Qt::ToolTipRole)
        return u"%1 %2(%3)"_s.arg(column.name, column.typeName).arg(column.length);
    return {};
}

bool ResultModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_fetched < totalRows();
}

void ResultModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid())
        return;
    const int more = int(std::min<qsizetype>(BatchSize, totalRows() - m_fetched));
    if (more <= 0)
        return;
    beginInsertRows({}, m_fetched, m_fetched + more - 1);
    m_fetched += more;
    endInsertRows();
}

void ResultModel::sort(int column, Qt::SortOrder order)
{
    if (!m_result || column < 0 || column >= m_result->columnCount())
        return;
    emit layoutAboutToBeChanged();
    std::vector<qsizetype> rows(static_cast<size_t>(totalRows()));
    std::iota(rows.begin(), rows.end(), qsizetype(0));
    const taos::Result &result = *m_result;
    const taos::ColumnType type = result.columns().at(column).type;
    const auto less = [&](qsizetype a, qsizetype b) {
        // NULLs first, as TDengine's ORDER BY ... ASC puts them.
        const bool nullA = result.isNull(a, column);
        const bool nullB = result.isNull(b, column);
        if (nullA || nullB)
            return nullA && !nullB;
        if (type == taos::ColumnType::Timestamp)
            return result.timestampNs(a, column) < result.timestampNs(b, column);
        if (type == taos::ColumnType::UBigInt || type == taos::ColumnType::UInt ||
            type == taos::ColumnType::USmallInt || type == taos::ColumnType::UTinyInt)
            return result.uint64(a, column) < result.uint64(b, column);
        if (type == taos::ColumnType::Float || type == taos::ColumnType::Double)
            return result.real(a, column) < result.real(b, column);
        if (isNumeric(type) || type == taos::ColumnType::Bool)
            return result.int64(a, column) < result.int64(b, column);
        return result.bytes(a, column) < result.bytes(b, column);
    };
    if (order == Qt::AscendingOrder)
        std::stable_sort(rows.begin(), rows.end(), less);
    else
        std::stable_sort(rows.begin(), rows.end(), [&](qsizetype a, qsizetype b) { return less(b, a); });
    m_order = std::move(rows);
    m_sortColumn = column;
    m_sortOrder = order;
    // Persistent indexes (the selection) are not carried across: the rows they named moved.
    const QModelIndexList persistent = persistentIndexList();
    changePersistentIndexList(persistent, QModelIndexList(persistent.size()));
    emit layoutChanged();
}

QString ResultModel::toCsv(const QList<int> &onlyRows) const
{
    if (!m_result)
        return {};
    QString csv;
    QStringList header;
    for (const taos::Column &column : m_result->columns())
        header.append(csvField(column.name));
    csv += header.join(u',') + u"\r\n"_s;
    const auto appendRow = [&](qsizetype row) {
        for (qsizetype column = 0; column < m_result->columnCount(); ++column) {
            if (column > 0)
                csv += u',';
            if (!m_result->isNull(row, column))
                csv += csvField(m_result->text(row, column));
        }
        csv += u"\r\n"_s;
    };
    if (!onlyRows.isEmpty()) {
        for (int row : onlyRows)
            appendRow(sourceRow(row));
    } else {
        for (qsizetype row = 0; row < totalRows(); ++row)
            appendRow(sourceRow(int(row)));
    }
    return csv;
}

} // namespace tdkube::ui
