#include "operationrecordmodel.h"

#include "kube/objects.h"
#include "ops/journal.h"

#include <QBrush>
#include <QColor>
#include <QFont>

#include <algorithm>

namespace tdkube::ui {

using namespace Qt::StringLiterals;
using ops::Journal;
using ops::RecordedOperation;

QString OperationRecordModel::timeText(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s) : QString();
}

OperationRecordModel::OperationRecordModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

OperationRecordModel::~OperationRecordModel() = default;

int OperationRecordModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int OperationRecordModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : kColumnCount;
}

QString OperationRecordModel::phaseText(const QString &phase)
{
    if (phase == u"running")
        return tr("running");
    if (phase == u"stopped")
        return tr("stopped");
    if (phase == u"finished")
        return tr("finished");
    if (phase == u"abandoned")
        return tr("abandoned");
    return phase;
}

bool OperationRecordModel::isUnfinished(const QString &phase)
{
    return phase == u"running" || phase == u"stopped";
}

// whereStopped() speaks of an operation that stopped; one the cluster says is running may be under way
// on another workstation right now.
QString OperationRecordModel::whereItIs(const RecordedOperation &operation) const
{
    const Journal &journal = operation.journal;
    const int index = journal.resumeIndex();
    const int total = int(journal.steps().size());
    if (operation.phase != u"running" || index >= total)
        return journal.whereStopped();
    return tr("at step %1 of %2: %3")
        .arg(QString::number(index + 1), QString::number(total), journal.plan().steps.value(index).title);
}

QVariant OperationRecordModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const RecordedOperation &operation = m_rows.at(index.row()).operation;
    const bool unfinished = isUnfinished(operation.phase);
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (Column(index.column())) {
        case StartedColumn:
            return timeText(operation.journal.created());
        case OperationColumn:
            return role == Qt::ToolTipRole
                       ? tr("Operation %1: %2")
                             .arg(operation.journal.id(), operation.journal.plan().summary())
                       : operation.journal.plan().summary();
        case PhaseColumn:
            return phaseText(operation.phase);
        case StartedByColumn:
            return operation.startedBy;
        case RunByColumn:
            return operation.runBy;
        case WhereColumn:
            return whereItIs(operation);
        }
        return {};
    case Qt::FontRole: {
        QFont font;
        font.setBold(unfinished);
        return font;
    }
    case Qt::BackgroundRole:
        return unfinished ? QVariant(QColor(u"#fff8e1"_s)) : QVariant();
    case Qt::ForegroundRole:
        if (index.column() != PhaseColumn)
            return {};
        if (operation.phase == u"stopped")
            return QColor(u"#b71c1c"_s);
        if (operation.phase == u"running")
            return QColor(u"#0d47a1"_s);
        return {};
    case IdRole:
        return operation.journal.id();
    default:
        return {};
    }
}

QVariant OperationRecordModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case StartedByColumn:
            return tr("The workstation that started the operation: its kubeconfig user and host (user@host)");
        case RunByColumn:
            return tr(
                "The workstation that ran it last: another one than the one that started it when it was "
                "taken over");
        case WhereColumn:
            return tr("Where the operation is, as the cluster's record says");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case StartedColumn:
        return tr("Started");
    case OperationColumn:
        return tr("Operation");
    case PhaseColumn:
        return tr("Phase");
    case StartedByColumn:
        return tr("Started by");
    case RunByColumn:
        return tr("Last run by");
    case WhereColumn:
        return tr("Where it is");
    }
    return {};
}

int OperationRecordModel::rowOf(const QString &operationId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).operation.journal.id() == operationId)
            return i;
    }
    return -1;
}

QList<RecordedOperation> OperationRecordModel::unfinished() const
{
    QList<RecordedOperation> operations;
    for (const Row &row : m_rows) {
        if (isUnfinished(row.operation.phase))
            operations.append(row.operation);
    }
    return operations;
}

int OperationRecordModel::indexOfName(const QString &name) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).name == name)
            return i;
    }
    return -1;
}

// Newest first; of two started at the same moment, the one that came first stays above.
int OperationRecordModel::insertionRow(const QDateTime &created) const
{
    const auto it = std::find_if(m_rows.cbegin(), m_rows.cend(), [&created](const Row &row) {
        return row.operation.journal.created() < created;
    });
    return int(it - m_rows.cbegin());
}

void OperationRecordModel::reset(const QList<QJsonObject> &configMaps)
{
    beginResetModel();
    m_rows.clear();
    for (const QJsonObject &configMap : configMaps) {
        RecordedOperation operation = RecordedOperation::fromConfigMap(configMap);
        if (operation.isValid())
            m_rows.append({kube::nameOf(configMap), std::move(operation)});
    }
    std::stable_sort(m_rows.begin(), m_rows.end(), [](const Row &a, const Row &b) {
        return a.operation.journal.created() > b.operation.journal.created();
    });
    endResetModel();
}

void OperationRecordModel::added(const QJsonObject &configMap)
{
    if (indexOfName(kube::nameOf(configMap)) >= 0) {
        modified(configMap);
        return;
    }
    RecordedOperation operation = RecordedOperation::fromConfigMap(configMap);
    if (!operation.isValid())
        return;
    const int row = insertionRow(operation.journal.created());
    beginInsertRows({}, row, row);
    m_rows.insert(row, {kube::nameOf(configMap), std::move(operation)});
    endInsertRows();
}

void OperationRecordModel::modified(const QJsonObject &configMap)
{
    const int row = indexOfName(kube::nameOf(configMap));
    if (row < 0) {
        added(configMap);
        return;
    }
    RecordedOperation operation = RecordedOperation::fromConfigMap(configMap);
    if (!operation.isValid() || operation.journal.created() != m_rows.at(row).operation.journal.created()) {
        deleted(configMap); // no longer a record, or it moved in the order
        added(configMap);
        return;
    }
    m_rows[row].operation = std::move(operation);
    emit dataChanged(index(row, 0), index(row, kColumnCount - 1));
}

void OperationRecordModel::deleted(const QJsonObject &configMap)
{
    const int row = indexOfName(kube::nameOf(configMap));
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
}

void OperationRecordModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

} // namespace tdkube::ui
