#pragma once

#include "taos/result.h"

#include <QAbstractTableModel>

#include <memory>
#include <vector>

namespace tdkube::ui {

// A TDengine result as a table. Rows reach the view in batches through canFetchMore()/fetchMore(),
// so a 1,000,000-row result costs the view only what it shows; cells are formatted when painted.
// Sorting reorders a row permutation (the result itself is never copied).
class ResultModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResultModel)

public:
    static constexpr int BatchSize = 1000;

    explicit ResultModel(QObject *parent = nullptr);
    ~ResultModel() override;

    void setResult(std::shared_ptr<const taos::Result> result);
    // The whole result of which the rows shown so far were the first ones (QueryOptions::firstRows):
    // the view keeps its rows, scroll position and selection, and a sort the user chose is applied
    // to all the rows.
    void completeResult(std::shared_ptr<const taos::Result> complete);
    void clear();
    const taos::Result *result() const { return m_result.get(); }
    qsizetype totalRows() const { return m_result ? m_result->rowCount() : 0; }
    // The result row shown at `row` (after sorting).
    qsizetype sourceRow(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // The rows (all of them, not only the fetched ones) as CSV, RFC 4180 quoting.
    QString toCsv(const QList<int> &onlyRows = {}) const;

private:
    std::shared_ptr<const taos::Result> m_result;
    std::vector<qsizetype> m_order; // empty: natural order
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    int m_fetched = 0;
};

} // namespace tdkube::ui
