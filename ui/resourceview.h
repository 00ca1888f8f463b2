#pragma once

#include "kube/resourcewatch.h"
#include "kube/selectors.h"

#include <QJsonObject>
#include <QSortFilterProxyModel>
#include <QWidget>

#include <functional>

class QLabel;
class QLineEdit;
class QTableView;

namespace tdkube::ui {

class ResourceTableModel;

// Sorting on the model's SortRole and filtering by free text (any cell), by a label selector
// (`app=x,tier!=db`), and by a scope (the objects of one TDengine cluster).
class ResourceFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResourceFilterProxy)

public:
    explicit ResourceFilterProxy(QObject *parent = nullptr);
    ~ResourceFilterProxy() override;

    void setText(const QString &text);
    // False with `error` when the selector does not parse; the filter is unchanged then.
    bool setLabelSelector(const QString &selector, QString *error);
    void setScope(std::function<bool(const QJsonObject &)> scope);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    kube::LabelSelector m_selector;
    std::function<bool(const QJsonObject &)> m_scope;
};

// One resource table: a title, text and label filters, the watch's state (Live / Reconnecting /
// Stopped, with the reason), the row count, and the table itself. Selecting a row reports its object.
class ResourceView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResourceView)

public:
    ResourceView(ResourceTableModel *model, QWidget *parent = nullptr);
    ~ResourceView() override;

    void setTitle(const QString &title);
    void setScope(std::function<bool(const QJsonObject &)> scope);
    // Shows the watch's state; null shows "not connected".
    void setWatchState(kube::ResourceWatch::State state, const QString &reason);
    QString stateText() const;
    QJsonObject currentObject() const;
    QTableView *table() const { return m_table; }
    ResourceFilterProxy *proxy() const { return m_proxy; }
    ResourceTableModel *model() const { return m_model; }
    QLineEdit *textFilter() const { return m_textFilter; }
    QLineEdit *labelFilter() const { return m_labelFilter; }

signals:
    void currentObjectChanged(const QJsonObject &object);

private:
    void updateCount();

    ResourceTableModel *m_model;
    ResourceFilterProxy *m_proxy;
    QLabel *m_title = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_stateReason = nullptr; // shown while Reconnecting or Stopped
    QLabel *m_count = nullptr;
    QLineEdit *m_textFilter = nullptr;
    QLineEdit *m_labelFilter = nullptr;
    QTableView *m_table = nullptr;
};

} // namespace tdkube::ui
