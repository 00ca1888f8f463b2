#include "resourceview.h"

#include "resourcetablemodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QTableView>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

ResourceFilterProxy::ResourceFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ResourceTableModel::SortRole);
    setDynamicSortFilter(true);
}

ResourceFilterProxy::~ResourceFilterProxy() = default;

void ResourceFilterProxy::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

bool ResourceFilterProxy::setLabelSelector(const QString &selector, QString *error)
{
    QString parseError;
    kube::LabelSelector parsed = kube::LabelSelector::parse(selector.trimmed(), &parseError);
    if (!parseError.isEmpty()) {
        *error = parseError;
        return false;
    }
    m_selector = parsed;
    invalidateFilter();
    return true;
}

void ResourceFilterProxy::setScope(std::function<bool(const QJsonObject &)> scope)
{
    m_scope = std::move(scope);
    invalidateFilter();
}

bool ResourceFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *model = sourceModel();
    if (m_scope || !m_selector.isEmpty()) {
        const QJsonObject object =
            model->index(sourceRow, 0, sourceParent).data(ResourceTableModel::ObjectRole).toJsonObject();
        if (m_scope && !m_scope(object))
            return false;
        if (!m_selector.isEmpty() &&
            !m_selector.matches(object.value(u"metadata").toObject().value(u"labels").toObject()))
            return false;
    }
    if (m_text.isEmpty())
        return true;
    for (int column = 0; column < model->columnCount(sourceParent); ++column) {
        if (model->index(sourceRow, column, sourceParent)
                .data()
                .toString()
                .contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

ResourceView::ResourceView(ResourceTableModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new ResourceFilterProxy(this))
{
    m_proxy->setSourceModel(model);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    m_title = new QLabel(this);
    m_title->setObjectName(u"viewTitle"_s);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_title->setFont(titleFont);
    m_textFilter = new QLineEdit(this);
    m_textFilter->setObjectName(u"textFilter"_s);
    m_textFilter->setPlaceholderText(tr("Filter by text"));
    m_textFilter->setClearButtonEnabled(true);
    m_labelFilter = new QLineEdit(this);
    m_labelFilter->setObjectName(u"labelFilter"_s);
    m_labelFilter->setPlaceholderText(tr("Label selector, e.g. app.kubernetes.io/name=tdengine"));
    m_labelFilter->setClearButtonEnabled(true);
    m_count = new QLabel(this);
    m_count->setObjectName(u"rowCount"_s);
    m_state = new QLabel(this);
    m_state->setObjectName(u"watchState"_s);
    bar->addWidget(m_title);
    bar->addStretch(1);
    bar->addWidget(m_textFilter, 2);
    bar->addWidget(m_labelFilter, 3);
    bar->addWidget(m_count);
    bar->addWidget(m_state);
    layout->addLayout(bar);
    m_stateReason = new QLabel(this);
    m_stateReason->setObjectName(u"watchStateReason"_s);
    m_stateReason->setWordWrap(true);
    m_stateReason->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stateReason->hide();
    layout->addWidget(m_stateReason);

    m_table = new QTableView(this);
    m_table->setObjectName(u"resourceTable"_s);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(0, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setDefaultSectionSize(110);
    m_table->horizontalHeader()->resizeSection(0, 260);
    layout->addWidget(m_table, 1);
    // The header's menu shows and hides columns, as in every file manager.
    m_table->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table->horizontalHeader(), &QWidget::customContextMenuRequested, this,
            [this](const QPoint &at) {
                QMenu menu(this);
                for (int column = 0; column < m_proxy->columnCount(); ++column) {
                    QAction *action = menu.addAction(m_proxy->headerData(column, Qt::Horizontal).toString());
                    action->setCheckable(true);
                    action->setChecked(!m_table->isColumnHidden(column));
                    action->setEnabled(column != 0);
                    connect(action, &QAction::toggled, this,
                            [this, column](bool shown) { m_table->setColumnHidden(column, !shown); });
                }
                menu.exec(m_table->horizontalHeader()->mapToGlobal(at));
            });

    connect(m_textFilter, &QLineEdit::textChanged, m_proxy, &ResourceFilterProxy::setText);
    connect(m_labelFilter, &QLineEdit::textChanged, this, [this](const QString &text) {
        QString error;
        const bool ok = m_proxy->setLabelSelector(text, &error);
        m_labelFilter->setStyleSheet(ok ? QString() : u"QLineEdit { border: 1px solid #c62828; }"_s);
        m_labelFilter->setToolTip(ok ? tr("Shows only objects whose labels match") : error);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { emit currentObjectChanged(currentObject()); });
    for (const auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_proxy, signal, this, &ResourceView::updateCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &ResourceView::updateCount);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &ResourceView::updateCount);
    updateCount();
    setWatchState(kube::ResourceWatch::State::Idle, tr("not connected"));
}

ResourceView::~ResourceView() = default;

void ResourceView::setTitle(const QString &title)
{
    m_title->setText(title);
}

void ResourceView::setScope(std::function<bool(const QJsonObject &)> scope)
{
    m_proxy->setScope(std::move(scope));
    updateCount();
}

void ResourceView::setWatchState(kube::ResourceWatch::State state, const QString &reason)
{
    using State = kube::ResourceWatch::State;
    QString text;
    QString color;
    switch (state) {
    case State::Idle:
        text = tr("● Not connected");
        color = u"#757575"_s;
        break;
    case State::Listing:
        text = tr("● Loading…");
        color = u"#1565c0"_s;
        break;
    case State::Live:
        text = tr("● Live");
        color = u"#2e7d32"_s;
        break;
    case State::Reconnecting:
        //: Keep the leading "● ": the reason line under the bar shows this text without it.
        text = tr("● Reconnecting");
        color = u"#ef6c00"_s;
        break;
    case State::Stopped:
        //: Keep the leading "● ": the reason line under the bar shows this text without it.
        text = tr("● Stopped");
        color = u"#c62828"_s;
        break;
    }
    m_state->setText(text);
    m_state->setStyleSheet(u"QLabel { color: %1; font-weight: bold; }"_s.arg(color));
    m_state->setToolTip(reason);
    // Why it is not live, in a line under the bar: seen without hovering.
    const bool troubled = (state == State::Reconnecting || state == State::Stopped) && !reason.isEmpty();
    m_stateReason->setText(troubled ? text.mid(2) + u": "_s + reason : QString());
    m_stateReason->setStyleSheet(u"QLabel { color: %1; background: %2; padding: 3px 6px; }"_s.arg(
        color, state == State::Stopped ? u"#ffebee"_s : u"#fff3e0"_s));
    m_stateReason->setVisible(troubled);
}

QString ResourceView::stateText() const
{
    return m_state->text() + (m_state->toolTip().isEmpty() ? QString() : u": "_s + m_state->toolTip());
}

QJsonObject ResourceView::currentObject() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? current.data(ResourceTableModel::ObjectRole).toJsonObject() : QJsonObject();
}

void ResourceView::updateCount()
{
    const int shown = m_proxy->rowCount();
    const int all = m_model->rowCount();
    m_count->setText(shown == all ? tr("%n object(s)", nullptr, all) : tr("%1 of %2").arg(shown).arg(all));
}

} // namespace tdkube::ui
