#pragma once

#include "kube/printers.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QTimer>

#include <functional>

namespace tdkube::ui {

// The rows of one resource type (pods, persistentvolumeclaims, statefulsets, ...) as kubectl shows
// them: columns and cells from kube::printers. Fed by a watch: reset() with a full list, then one
// added/modified/deleted per event, each turned into the smallest model signal (rows inserted, one
// row's dataChanged, rows removed) — never a model reset for one event. AGE cells are computed when
// shown and refreshed once a second, so no work is done per row while nothing changes.
//
// A big list (20,000 pods) is turned into rows a slice at a time, a few milliseconds per event-loop
// turn, so the window never freezes while a table fills; events that arrive meanwhile wait and are
// applied in order once the list is in. isFilling() tells whether that is still going on.
//
// Row order is arrival order (a removed row takes the last row's place); views sort through a
// proxy (Qt::UserRole gives a sortable value per cell). Qt::UserRole + 1 gives the object itself.
class ResourceTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResourceTableModel)

public:
    static constexpr int SortRole = Qt::UserRole;
    static constexpr int ObjectRole = Qt::UserRole + 1;

    // `resource` is the plural name (pods, persistentvolumeclaims, statefulsets). `wide` shows the
    // priority-1 columns too (IP, NODE for pods).
    explicit ResourceTableModel(const QString &resource, bool wide = true, QObject *parent = nullptr);
    ~ResourceTableModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // One more column after kubectl's, computed from the row's object by `cell` (the PVC table's
    // RECLAIM POLICY, read from the bound volume). refreshExtraColumn() recomputes it.
    void setExtraColumn(const QString &header, const QString &tooltip,
                        std::function<QString(const QJsonObject &)> cell);
    void refreshExtraColumn();
    // Rows that need the user's attention, keyed "namespace/name": a warning icon and the note as
    // the tooltip of the row (stale claims). Only rows whose note changed are updated.
    void setRowNotes(const QHash<QString, QString> &notes);
    QString rowNote(int row) const;

    bool isFilling() const { return m_fillPosition >= 0; }

    QJsonObject objectAt(int row) const;
    int rowOf(const QString &ns, const QString &name) const;

public slots:
    void reset(const QList<QJsonObject> &objects);
    void added(const QJsonObject &object);
    void modified(const QJsonObject &object);
    void deleted(const QJsonObject &object);
    void clear();

private:
    struct Row
    {
        QString key; // namespace/name
        QJsonObject object;
        QJsonArray cells;
        qint64 createdMs = 0;
    };
    Row makeRow(const QJsonObject &object) const;
    static QString keyOf(const QJsonObject &object);
    void refreshAges();
    void fillSome();
    void applyDeferred();
    bool defer(int type, const QJsonObject &object);

    QString m_resource;
    QList<kube::PrintColumn> m_columns;
    QList<int> m_visible; // indexes into m_columns
    int m_ageColumn = -1; // visible index of the Age column
    QList<Row> m_rows;
    QHash<QString, int> m_index; // key -> row
    QTimer m_ageTimer;
    QList<QJsonObject> m_filling;                  // the list being turned into rows
    qsizetype m_fillPosition = -1;                 // next index into m_filling; -1 when not filling
    QList<std::pair<int, QJsonObject>> m_deferred; // events that came while filling
    QTimer m_fillTimer;
    QString m_extraHeader;
    QString m_extraTooltip;
    std::function<QString(const QJsonObject &)> m_extraCell;
    QHash<QString, QString> m_notes;
};

} // namespace tdkube::ui
