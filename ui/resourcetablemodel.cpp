#include "resourcetablemodel.h"

#include "kube/humanduration.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QIcon>
#include <QSet>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

ResourceTableModel::ResourceTableModel(const QString &resource, bool wide, QObject *parent)
    : QAbstractTableModel(parent)
    , m_resource(resource)
    , m_columns(kube::printColumns(resource))
{
    for (int i = 0; i < m_columns.size(); ++i) {
        if (wide || m_columns.at(i).priority == 0)
            m_visible.append(i);
        if (m_columns.at(i).name == u"Age" && (wide || m_columns.at(i).priority == 0))
            m_ageColumn = int(m_visible.size()) - 1;
    }
    m_fillTimer.setSingleShot(true);
    connect(&m_fillTimer, &QTimer::timeout, this, &ResourceTableModel::fillSome);
    m_ageTimer.setInterval(1000);
    connect(&m_ageTimer, &QTimer::timeout, this, &ResourceTableModel::refreshAges);
    if (m_ageColumn >= 0)
        m_ageTimer.start();
}

ResourceTableModel::~ResourceTableModel() = default;

int ResourceTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ResourceTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_visible.size()) + (m_extraCell ? 1 : 0);
}

QVariant ResourceTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &row = m_rows.at(index.row());
    if (role == ObjectRole)
        return row.object;
    if (index.column() == m_visible.size()) // the extra column
        return role == Qt::DisplayRole || role == SortRole ? QVariant(m_extraCell(row.object)) : QVariant();
    if (index.column() == 0 && !m_notes.isEmpty()) {
        const auto note = m_notes.constFind(row.key);
        if (note != m_notes.cend() && role == Qt::DecorationRole)
            return QIcon::fromTheme(u"dialog-warning"_s, QIcon(u":/icons/warning.svg"_s));
        if (note != m_notes.cend() && role == Qt::ToolTipRole)
            return *note;
    }
    const bool age = index.column() == m_ageColumn;
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        if (age)
            return row.createdMs ? kube::humanDuration(QDateTime::currentMSecsSinceEpoch() - row.createdMs)
                                 : u"<unknown>"_s;
        return row.cells.at(m_visible.at(index.column())).toVariant();
    }
    if (role == SortRole) {
        // Oldest first when sorting AGE ascending means the largest age: sort on -creation.
        if (age)
            return -row.createdMs;
        return row.cells.at(m_visible.at(index.column())).toVariant();
    }
    if (role == Qt::TextAlignmentRole && row.cells.at(m_visible.at(index.column())).isDouble())
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ResourceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    if (section == m_visible.size())
        return role == Qt::DisplayRole   ? QVariant(m_extraHeader)
               : role == Qt::ToolTipRole ? QVariant(m_extraTooltip)
                                         : QVariant();
    const kube::PrintColumn &column = m_columns.at(m_visible.at(section));
    if (role == Qt::DisplayRole)
        return column.name.toUpper(); // kubectl prints headers upper-case
    if (role == Qt::ToolTipRole)
        return column.description;
    return {};
}

void ResourceTableModel::setExtraColumn(const QString &header, const QString &tooltip,
                                        std::function<QString(const QJsonObject &)> cell)
{
    beginResetModel();
    m_extraHeader = header;
    m_extraTooltip = tooltip;
    m_extraCell = std::move(cell);
    endResetModel();
}

void ResourceTableModel::refreshExtraColumn()
{
    if (m_extraCell && !m_rows.isEmpty())
        emit dataChanged(index(0, int(m_visible.size())),
                         index(int(m_rows.size()) - 1, int(m_visible.size())));
}

void ResourceTableModel::setRowNotes(const QHash<QString, QString> &notes)
{
    QSet<QString> changed;
    for (auto it = notes.begin(); it != notes.end(); ++it) {
        if (m_notes.value(it.key()) != it.value())
            changed.insert(it.key());
    }
    for (auto it = m_notes.begin(); it != m_notes.end(); ++it) {
        if (!notes.contains(it.key()))
            changed.insert(it.key());
    }
    m_notes = notes;
    for (const QString &key : std::as_const(changed)) {
        const int row = m_index.value(key, -1);
        if (row >= 0)
            emit dataChanged(index(row, 0), index(row, columnCount() - 1));
    }
}

QString ResourceTableModel::rowNote(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_notes.value(m_rows.at(row).key) : QString();
}

QJsonObject ResourceTableModel::objectAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).object : QJsonObject();
}

int ResourceTableModel::rowOf(const QString &ns, const QString &name) const
{
    return m_index.value(ns + u'/' + name, -1);
}

QString ResourceTableModel::keyOf(const QJsonObject &object)
{
    const QJsonObject metadata = object.value(u"metadata").toObject();
    return metadata.value(u"namespace").toString() + u'/' + metadata.value(u"name").toString();
}

ResourceTableModel::Row ResourceTableModel::makeRow(const QJsonObject &object) const
{
    Row row;
    row.key = keyOf(object);
    row.object = object;
    row.cells = kube::printRow(m_resource, object, QDateTime::currentMSecsSinceEpoch()).cells;
    const QString created = object.value(u"metadata").toObject().value(u"creationTimestamp").toString();
    const QDateTime time = QDateTime::fromString(created, Qt::ISODate);
    row.createdMs = time.isValid() ? time.toMSecsSinceEpoch() : 0;
    return row;
}

namespace {
enum DeferredEvent { Added, Modified, Deleted };
// How long one slice of a fill may take: well under a 60 Hz frame.
constexpr qint64 FillSliceMs = 6;
} // namespace

void ResourceTableModel::reset(const QList<QJsonObject> &objects)
{
    m_fillTimer.stop();
    m_deferred.clear();
    beginResetModel();
    m_rows.clear();
    m_index.clear();
    m_rows.reserve(objects.size());
    endResetModel();
    m_filling = objects;
    m_fillPosition = 0;
    fillSome();
}

void ResourceTableModel::fillSome()
{
    QElapsedTimer slice;
    slice.start();
    QList<Row> batch;
    QSet<QString> batchKeys;
    while (m_fillPosition < m_filling.size() && (batch.size() < 32 || slice.elapsed() < FillSliceMs)) {
        Row row = makeRow(m_filling.at(m_fillPosition++));
        if (m_index.contains(row.key) || batchKeys.contains(row.key))
            continue;
        batchKeys.insert(row.key);
        batch.append(std::move(row));
    }
    if (!batch.isEmpty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(batch.size()) - 1);
        for (Row &row : batch) {
            m_index.insert(row.key, int(m_rows.size()));
            m_rows.append(std::move(row));
        }
        endInsertRows();
    }
    if (m_fillPosition < m_filling.size()) {
        m_fillTimer.start(0);
        return;
    }
    m_filling.clear();
    m_fillPosition = -1;
    applyDeferred();
}

bool ResourceTableModel::defer(int type, const QJsonObject &object)
{
    if (!isFilling())
        return false;
    m_deferred.append({type, object});
    return true;
}

void ResourceTableModel::applyDeferred()
{
    const QList<std::pair<int, QJsonObject>> deferred = std::exchange(m_deferred, {});
    for (const auto &[type, object] : deferred) {
        if (type == Added)
            added(object);
        else if (type == Modified)
            modified(object);
        else
            deleted(object);
    }
}

void ResourceTableModel::added(const QJsonObject &object)
{
    if (defer(Added, object))
        return;
    const QString key = keyOf(object);
    if (m_index.contains(key)) {
        modified(object); // a re-list after a reconnect may repeat what we have
        return;
    }
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_index.insert(key, row);
    m_rows.append(makeRow(object));
    endInsertRows();
}

void ResourceTableModel::modified(const QJsonObject &object)
{
    if (defer(Modified, object))
        return;
    const auto it = m_index.constFind(keyOf(object));
    if (it == m_index.cend()) {
        added(object);
        return;
    }
    m_rows[*it] = makeRow(object);
    emit dataChanged(index(*it, 0), index(*it, columnCount() - 1));
}

void ResourceTableModel::deleted(const QJsonObject &object)
{
    if (defer(Deleted, object))
        return;
    const auto it = m_index.constFind(keyOf(object));
    if (it == m_index.cend())
        return;
    const int row = *it;
    const int last = int(m_rows.size()) - 1;
    m_index.remove(keyOf(object));
    if (row != last) {
        // The last row takes the removed one's place: O(1), and views sort through a proxy anyway.
        m_rows[row] = m_rows.at(last); // a copy: the last row stays valid until it is removed
        m_index.insert(m_rows.at(row).key, row);
        emit dataChanged(index(row, 0), index(row, columnCount() - 1));
    }
    beginRemoveRows({}, last, last);
    m_rows.removeLast();
    endRemoveRows();
}

void ResourceTableModel::clear()
{
    reset({});
}

void ResourceTableModel::refreshAges()
{
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, m_ageColumn), index(int(m_rows.size()) - 1, m_ageColumn),
                         {Qt::DisplayRole});
}

} // namespace tdkube::ui
