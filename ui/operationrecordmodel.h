#pragma once

#include "ops/clusterrecord.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace tdkube::ui {

// The operations recorded in one cluster (ops::ClusterRecord's ConfigMaps), newest first: one row each,
// fed by a watch of them. One event is one row inserted, changed or removed; only a new list resets.
class OperationRecordModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OperationRecordModel)

public:
    enum Column { StartedColumn, OperationColumn, PhaseColumn, StartedByColumn, RunByColumn, WhereColumn };
    static constexpr int kColumnCount = WhereColumn + 1;
    static constexpr int IdRole = Qt::UserRole;

    explicit OperationRecordModel(QObject *parent = nullptr);
    ~OperationRecordModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const ops::RecordedOperation &operationAt(int row) const { return m_rows.at(row).operation; }
    int rowOf(const QString &operationId) const;
    // The records neither finished nor abandoned.
    QList<ops::RecordedOperation> unfinished() const;

    // A time as the tables show it: local, to the second.
    static QString timeText(const QDateTime &time);
    // "running", "stopped", "finished", "abandoned" in the person's words.
    static QString phaseText(const QString &phase);
    static bool isUnfinished(const QString &phase);

    void reset(const QList<QJsonObject> &configMaps);
    void added(const QJsonObject &configMap);
    void modified(const QJsonObject &configMap);
    void deleted(const QJsonObject &configMap);
    void clear();

private:
    struct Row
    {
        QString name; // the ConfigMap's
        ops::RecordedOperation operation;
    };
    int indexOfName(const QString &name) const;
    int insertionRow(const QDateTime &created) const;
    QString whereItIs(const ops::RecordedOperation &operation) const;

    QList<Row> m_rows;
};

} // namespace tdkube::ui
