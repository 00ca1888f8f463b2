#include "clusteroperations.h"

#include "kube/kubeclient.h"
#include "kube/objects.h"
#include "operationview.h"
#include "ops/journal.h"
#include "resumeoffer.h"
#include "taos/passwordstore.h"

#include <QFile>
#include <QFont>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace tdkube::ui {

using namespace Qt::StringLiterals;
using ops::Journal;
using ops::RecordedOperation;

namespace {

QString stepStateText(Journal::StepState state)
{
    switch (state) {
    case Journal::StepState::Pending:
        return OperationView::tr("pending");
    case Journal::StepState::Running:
        return OperationView::tr("running");
    case Journal::StepState::Done:
        return OperationView::tr("done");
    case Journal::StepState::Failed:
        return OperationView::tr("failed");
    }
    return {};
}

QColor stepStateColor(Journal::StepState state)
{
    switch (state) {
    case Journal::StepState::Pending:
        return QColor(u"#757575"_s);
    case Journal::StepState::Running:
        return QColor(u"#1565c0"_s);
    case Journal::StepState::Done:
        return QColor(u"#2e7d32"_s);
    case Journal::StepState::Failed:
        return QColor(u"#c62828"_s);
    }
    return {};
}

enum StepColumn { NumberColumn, TitleColumn, StateColumn, StartedColumn, EndedColumn, MessageColumn };

} // namespace

// --- ClusterOperations -------------------------------------------------------------------------

ClusterOperations::ClusterOperations(QWidget *parent)
    : QWidget(parent)
    , m_model(new OperationRecordModel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buildSummaryRow());
    m_problem = new QLabel(this);
    m_problem->setObjectName(u"operationsProblem"_s);
    m_problem->setWordWrap(true);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->hide();
    layout->addWidget(m_problem);
    layout->addWidget(buildTables(), 1);
    layout->addLayout(buildActions());

    m_countdown.setInterval(1000);
    connect(&m_countdown, &QTimer::timeout, this, &ClusterOperations::tick);
    connect(m_history, &QSpinBox::valueChanged, this,
            [](int limit) { ops::ClusterRecord::setHistoryLimit(limit); });
    connect(m_takeOver, &QPushButton::clicked, this, [this] { takeOver(selectedId()); });
    connect(m_cancelTakeOver, &QPushButton::clicked, this, &ClusterOperations::cancelTakeOver);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        showSteps();
        updateButtons();
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this, &ClusterOperations::recordsChanged);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &ClusterOperations::recordsChanged);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &ClusterOperations::recordsChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ClusterOperations::recordsChanged);
    recordsChanged();
}

// The summary line, and the history setting to its right.
QHBoxLayout *ClusterOperations::buildSummaryRow()
{
    auto *row = new QHBoxLayout;
    m_summary = new QLabel(this);
    m_summary->setObjectName(u"operationsSummary"_s);
    m_summary->setWordWrap(true);
    row->addWidget(m_summary, 1);
    // One sentence around the spin box, so that a translation may put the number where its language does.
    const QString sentence = tr("Keep the last %1 finished operations in the cluster");
    const qsizetype at = sentence.indexOf(u"%1"_s);
    auto *before = new QLabel(at < 0 ? sentence : sentence.left(at).trimmed(), this);
    auto *after = new QLabel(at < 0 ? QString() : sentence.mid(at + 2).trimmed(), this);
    m_history = new QSpinBox(this);
    m_history->setObjectName(u"historyLimit"_s);
    m_history->setRange(1, ops::ClusterRecord::kMaxHistoryLimit);
    m_history->setValue(ops::ClusterRecord::historyLimit());
    const QString tip =
        tr("When an operation ends, the finished and abandoned operations of its cluster beyond this number "
           "are deleted from the cluster, oldest first. A setting of this workstation.");
    row->addSpacing(12);
    for (QWidget *widget : std::initializer_list<QWidget *>{before, m_history, after}) {
        widget->setToolTip(tip);
        row->addWidget(widget);
    }
    before->setVisible(!before->text().isEmpty());
    after->setVisible(!after->text().isEmpty());
    return row;
}

// The records above, the selected one's steps below.
QSplitter *ClusterOperations::buildTables()
{
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(u"operationsTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    // Sized to the contents at each change (ResizeToContents alone does not follow inserted rows), the
    // last column taking the rest; cut texts are whole in their tooltips.
    m_table->horizontalHeader()->setStretchLastSection(true);
    auto *stepsPane = new QWidget(splitter);
    auto *stepsLayout = new QVBoxLayout(stepsPane);
    stepsLayout->setContentsMargins(0, 4, 0, 0);
    m_stepsTitle = new QLabel(stepsPane);
    m_stepsTitle->setObjectName(u"operationStepsTitle"_s);
    m_stepsTitle->setWordWrap(true);
    stepsLayout->addWidget(m_stepsTitle);
    m_steps = new QTableWidget(0, MessageColumn + 1, stepsPane);
    m_steps->setObjectName(u"operationSteps"_s);
    m_steps->setHorizontalHeaderLabels(
        {u"#"_s, tr("Step"), tr("State"), tr("Started"), tr("Ended"), tr("Message")});
    m_steps->verticalHeader()->hide();
    m_steps->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_steps->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_steps->setShowGrid(false);
    // A failed step's message says what to do: all of it is shown, wrapped in the last column.
    m_steps->setWordWrap(true);
    m_steps->horizontalHeader()->setStretchLastSection(true);
    connect(m_steps->horizontalHeader(), &QHeaderView::sectionResized, m_steps, [this](int column) {
        if (column == MessageColumn)
            m_steps->resizeRowsToContents();
    });
    stepsLayout->addWidget(m_steps, 1);
    splitter->addWidget(m_table);
    splitter->addWidget(stepsPane);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    return splitter;
}

QHBoxLayout *ClusterOperations::buildActions()
{
    auto *row = new QHBoxLayout;
    m_takeOver = new QPushButton(tr("Take over…"), this);
    m_takeOver->setObjectName(u"takeOverOperation"_s);
    m_takeOver->setToolTip(tr("Continue the selected unfinished operation on this workstation, once no "
                              "other workstation holds it"));
    m_takeOverStatus = new QLabel(this);
    m_takeOverStatus->setObjectName(u"takeOverStatus"_s);
    m_takeOverStatus->setWordWrap(true);
    m_cancelTakeOver = new QPushButton(tr("Cancel"), this);
    m_cancelTakeOver->setObjectName(u"cancelTakeOver"_s);
    m_cancelTakeOver->hide();
    row->addWidget(m_takeOver);
    row->addWidget(m_takeOverStatus, 1);
    row->addWidget(m_cancelTakeOver);
    return row;
}

void ClusterOperations::recordsChanged()
{
    // After a new list, the operation shown before; else the newest: the steps pane is never empty while
    // there is one.
    if (m_table->selectionModel()->selectedRows().isEmpty() && m_model->rowCount() > 0)
        m_table->selectRow(std::max(0, m_model->rowOf(m_shownId)));
    for (int column = 0; column < OperationRecordModel::WhereColumn; ++column)
        m_table->resizeColumnToContents(column);
    showSummary();
    showSteps();
    updateButtons();
}

ClusterOperations::~ClusterOperations()
{
    stopWatch();
}

void ClusterOperations::setCluster(kube::KubeClient *client, taos::PasswordStore *passwords,
                                   const QString &context, const QString &ns, const QString &statefulSet)
{
    m_passwords = passwords;
    m_context = context;
    // Opening the same cluster's page again keeps its watch and what it shows (one that gave up tries again).
    const bool watching = m_watch && m_watch->state() != kube::ResourceWatch::State::Stopped;
    if (client == m_client && ns == m_ns && statefulSet == m_statefulSet && (watching || !m_live))
        return;
    if (!m_takingOver.isEmpty()) {
        ++m_takeOverGeneration;
        endTakeOver({}, false);
    }
    m_takeOverStatus->clear();
    stopWatch();
    m_model->clear();
    m_client = client;
    m_ns = ns;
    m_statefulSet = statefulSet;
    m_problem->hide();
    if (m_live)
        startWatch();
    showSummary();
    updateButtons();
}

void ClusterOperations::setLive(bool live)
{
    m_live = live;
    if (!live)
        stopWatch();
    else if (!m_watch)
        startWatch();
}

void ClusterOperations::startWatch()
{
    if (!m_client || m_statefulSet.isEmpty())
        return;
    kube::ListOptions options;
    options.labelSelector = ops::ClusterRecord::selector(m_statefulSet);
    m_watch = new kube::ResourceWatch(m_client, kube::ResourceKind::configMaps(), m_ns, options, this);
    connect(m_watch, &kube::ResourceWatch::reset, m_model, &OperationRecordModel::reset);
    connect(m_watch, &kube::ResourceWatch::added, m_model, &OperationRecordModel::added);
    connect(m_watch, &kube::ResourceWatch::modified, m_model, &OperationRecordModel::modified);
    connect(m_watch, &kube::ResourceWatch::deleted, m_model, &OperationRecordModel::deleted);
    connect(m_watch, &kube::ResourceWatch::stateChanged, this, &ClusterOperations::showWatchState);
    m_watch->start();
    showSummary();
}

void ClusterOperations::stopWatch()
{
    if (!m_watch)
        return;
    disconnect(m_watch, nullptr, this, nullptr);
    disconnect(m_watch, nullptr, m_model, nullptr);
    delete std::exchange(m_watch, nullptr);
}

void ClusterOperations::showWatchState(kube::ResourceWatch::State state, const QString &reason)
{
    using State = kube::ResourceWatch::State;
    if (state == State::Stopped) {
        m_problem->setText(
            tr("The operations recorded in the cluster cannot be shown: %1\ntdkube reads them from the "
               "ConfigMaps labelled %2 in namespace %3: the user of this context needs the right to list and "
               "watch ConfigMaps there.")
                .arg(reason, ops::ClusterRecord::selector(m_statefulSet), m_ns));
        m_problem->setStyleSheet(
            u"QLabel { background:#ffebee; color:#b71c1c; padding:6px; border:1px solid #ef9a9a; }"_s);
    } else if (state == State::Reconnecting) {
        m_problem->setText(
            tr("The operations shown may be out of date: %1. tdkube keeps trying.").arg(reason));
        m_problem->setStyleSheet(u"QLabel { background:#fff8e1; color:#5d4037; padding:6px; }"_s);
    }
    m_problem->setVisible(state == State::Stopped || state == State::Reconnecting);
    showSummary();
}

QString ClusterOperations::summaryText() const
{
    return m_summary->text();
}

QString ClusterOperations::problemText() const
{
    return m_problem->isVisible() ? m_problem->text() : QString();
}

QString ClusterOperations::takeOverText() const
{
    return m_takeOverStatus->text();
}

void ClusterOperations::showSummary()
{
    const QList<RecordedOperation> unfinished = m_model->unfinished();
    const int total = m_model->rowCount();
    QString text;
    if (m_statefulSet.isEmpty())
        text = tr("No cluster is open.");
    else if (total == 0 && m_watch && m_watch->state() == kube::ResourceWatch::State::Listing)
        text = tr("Reading the operations recorded in the cluster…");
    else if (total == 0 && m_watch && m_watch->state() == kube::ResourceWatch::State::Stopped)
        text.clear(); // not known: the problem above the table says why
    else if (total == 0)
        text = tr("No operation on %1 is recorded in the cluster yet. Scale-outs, scale-ins and repairs "
                  "started from any workstation appear here while they run.")
                   .arg(m_statefulSet);
    else if (unfinished.isEmpty())
        text = tr("Operations on %1 recorded in the cluster: %2. None is unfinished.")
                   .arg(m_statefulSet, QString::number(total));
    else {
        QStringList who;
        for (const RecordedOperation &operation : unfinished) {
            if (!who.contains(operation.runBy))
                who.append(operation.runBy);
        }
        text = tr("Operations on %1 recorded in the cluster: %2. Unfinished: %3, last run by %4.")
                   .arg(m_statefulSet, QString::number(total), QString::number(unfinished.size()),
                        who.join(u", "_s));
    }
    m_summary->setText(text);
    m_summary->setStyleSheet(unfinished.isEmpty() ? QString() : u"QLabel { font-weight: bold; }"_s);
    emit unfinishedChanged(int(unfinished.size()));
}

QString ClusterOperations::selectedId() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(OperationRecordModel::IdRole).toString();
}

void ClusterOperations::selectOperation(const QString &operationId)
{
    const int row = m_model->rowOf(operationId);
    if (row >= 0)
        m_table->selectRow(row);
}

void ClusterOperations::showSteps()
{
    const int row = m_model->rowOf(selectedId());
    if (row < 0) {
        m_shownId.clear();
        m_steps->setRowCount(0);
        m_stepsTitle->setText(tr("Select an operation to see its steps."));
        return;
    }
    const Journal &journal = m_model->operationAt(row).journal;
    // Other records' events leave the pane (and where it is scrolled to) alone.
    if (journal.id() == m_shownId && journal.steps() == m_shownRecords)
        return;
    m_shownId = journal.id();
    m_shownRecords = journal.steps();
    m_stepsTitle->setText(tr("Steps of operation %1: %2").arg(journal.id(), journal.plan().summary()));
    const QList<ops::Step> &steps = journal.plan().steps;
    m_steps->setRowCount(int(steps.size()));
    for (int i = 0; i < steps.size(); ++i) {
        const Journal::StepRecord record = journal.steps().value(i);
        const QStringList texts{QString::number(i + 1),
                                steps.at(i).title,
                                stepStateText(record.state),
                                OperationRecordModel::timeText(record.started),
                                OperationRecordModel::timeText(record.ended),
                                record.message};
        for (int column = 0; column < texts.size(); ++column) {
            auto *item = new QTableWidgetItem(texts.at(column));
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
            m_steps->setItem(i, column, item);
        }
        m_steps->item(i, StateColumn)->setForeground(stepStateColor(record.state));
        m_steps->item(i, TitleColumn)->setToolTip(steps.at(i).detail);
    }
    for (int column = 0; column < MessageColumn; ++column)
        m_steps->resizeColumnToContents(column);
    m_steps->resizeRowsToContents();
}

void ClusterOperations::updateButtons()
{
    const int row = m_model->rowOf(selectedId());
    const bool unfinished = row >= 0 && OperationRecordModel::isUnfinished(m_model->operationAt(row).phase);
    m_takeOver->setEnabled(m_client && m_passwords && unfinished && m_takingOver.isEmpty());
    m_cancelTakeOver->setVisible(!m_takingOver.isEmpty());
}

void ClusterOperations::takeOver(const QString &operationId)
{
    const int row = m_model->rowOf(operationId);
    if (row < 0 || !m_client || !m_takingOver.isEmpty() ||
        !OperationRecordModel::isUnfinished(m_model->operationAt(row).phase))
        return;
    ++m_takeOverGeneration;
    m_takingOver = operationId;
    m_takeOverStatus->setStyleSheet({});
    m_takeOverStatus->setText(tr("Reading the lease on StatefulSet %1…").arg(m_statefulSet));
    updateButtons();
    readLease();
}

// The record of the operation being taken over; null (and the takeover ended, saying why) when it is gone.
const RecordedOperation *ClusterOperations::takeOverRecord()
{
    const int row = m_model->rowOf(m_takingOver);
    if (row < 0) {
        endTakeOver(tr("Operation %1 is no longer recorded in the cluster; nothing was taken over.")
                        .arg(m_takingOver),
                    true);
        return nullptr;
    }
    return &m_model->operationAt(row);
}

void ClusterOperations::readLease()
{
    const RecordedOperation *record = takeOverRecord();
    if (!record)
        return;
    // The record's plan names where it runs (this page may show all namespaces).
    const ops::Plan &plan = record->journal.plan();
    const int generation = m_takeOverGeneration;
    ops::Lease::inspect(m_client, plan.ns, plan.statefulSet, this,
                        [this, generation](const ops::LeaseRecord &lease, const QString &error) {
                            if (generation == m_takeOverGeneration)
                                leaseRead(lease, error);
                        });
}

void ClusterOperations::leaseRead(const ops::LeaseRecord &lease, const QString &error)
{
    if (!error.isEmpty()) {
        endTakeOver(tr("Could not read the lease on StatefulSet %1: %2. Nothing was changed; try again.")
                        .arg(m_statefulSet, error),
                    true);
        return;
    }
    if (lease.blocks(m_takingOver, QDateTime::currentDateTimeUtc())) {
        m_blockingLease = lease;
        tick();
        m_countdown.start();
        return;
    }
    m_countdown.stop();
    confirmTakeOver();
}

// Once a second while another workstation's lease blocks; at its expiry, the lease is read again (it may
// have been renewed: that workstation still runs the operation).
void ClusterOperations::tick()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 leftMs = now.msecsTo(m_blockingLease.expires);
    if (leftMs <= 0) {
        m_countdown.stop();
        m_takeOverStatus->setText(
            tr("The lease on StatefulSet %1 has expired; reading it again…").arg(m_statefulSet));
        readLease();
        return;
    }
    m_takeOverStatus->setStyleSheet(u"QLabel { color:#5d4037; }"_s);
    m_takeOverStatus->setText(tr("Operation %1 is held by %2 until %3; it may still be running there. tdkube "
                                 "takes it over when the "
                                 "lease expires, in %4 s, unless it is renewed.")
                                  .arg(m_takingOver, m_blockingLease.workstation(),
                                       m_blockingLease.expires.toLocalTime().toString(u"HH:mm:ss"_s),
                                       QString::number((leftMs + 999) / 1000)));
}

void ClusterOperations::confirmTakeOver()
{
    const RecordedOperation *record = takeOverRecord();
    if (!record)
        return;
    const RecordedOperation &operation = *record;
    if (!OperationRecordModel::isUnfinished(operation.phase)) {
        endTakeOver(tr("Operation %1 is %2 now: there is nothing to take over.")
                        .arg(m_takingOver, OperationRecordModel::phaseText(operation.phase)),
                    false);
        return;
    }
    m_takeOverStatus->setStyleSheet({});
    m_takeOverStatus->setText(tr("No other workstation holds operation %1 now.").arg(m_takingOver));
    auto *box = new QMessageBox(
        QMessageBox::Question, tr("Take over the operation?"),
        tr("%1\n\nThe cluster's record says it is %2 (last run by %3): %4.\n\nTaking it over makes it this "
           "workstation's operation: tdkube continues from where the record says, and every step first "
           "checks the cluster, so what was done already is not done again.\n\nTake it over?")
            .arg(operation.journal.plan().summary(), OperationRecordModel::phaseText(operation.phase),
                 operation.runBy, operation.journal.whereStopped()),
        QMessageBox::Yes | QMessageBox::No, this);
    box->setObjectName(u"takeOverConfirmation"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    const int generation = m_takeOverGeneration;
    connect(box, &QMessageBox::finished, this, [this, box, generation] {
        if (generation != m_takeOverGeneration)
            return;
        if (box->clickedButton() == box->button(QMessageBox::Yes))
            proceed();
        else
            endTakeOver(tr("Not taken over; nothing was changed."), false);
    });
    box->open();
}

// The local journal of the same operation, if this workstation has one, is resumed as it is unless the
// cluster's record went further (isAhead): then the record replaces it, as for one never run here.
void ClusterOperations::proceed()
{
    const int row = m_model->rowOf(m_takingOver);
    if (row < 0 || !m_client) {
        endTakeOver(tr("Operation %1 is no longer recorded in the cluster; nothing was taken over.")
                        .arg(m_takingOver),
                    true);
        return;
    }
    const RecordedOperation operation = m_model->operationAt(row);
    const QString path = Journal::directory() + u'/' + operation.journal.id() + u".json"_s;
    Journal journal;
    if (QFile::exists(path)) {
        const Journal local = Journal::load(path);
        if (local.isValid() && local.status() != Journal::Status::Running) {
            endTakeOver(tr("This workstation's journal says operation %1 is %2; the cluster's record has not "
                           "caught up yet. Nothing was taken over.")
                            .arg(m_takingOver, local.whereStopped()),
                        false);
            return;
        }
        if (local.isValid() && !ops::isAhead(operation.journal, local))
            journal = local;
    }
    if (!journal.isValid()) {
        QString error;
        journal = Journal::adopt(operation.journal, m_context, &error);
        if (!journal.isValid()) {
            endTakeOver(tr("Operation %1 could not be taken over: %2").arg(m_takingOver, error), true);
            return;
        }
    }
    auto *dialog = new OperationDialog(m_client, m_passwords, journal, m_pollIntervalMs, window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    dialog->resume();
    endTakeOver(tr("Operation %1 was taken over: it continues in its own window.").arg(m_takingOver), false);
    emit operationOpened(dialog);
}

void ClusterOperations::cancelTakeOver()
{
    if (m_takingOver.isEmpty())
        return;
    ++m_takeOverGeneration;
    endTakeOver(tr("Take-over cancelled; nothing was changed."), false);
}

void ClusterOperations::endTakeOver(const QString &text, bool error)
{
    m_takingOver.clear();
    m_countdown.stop();
    m_blockingLease = {};
    m_takeOverStatus->setText(text);
    m_takeOverStatus->setStyleSheet(error ? u"QLabel { color:#b71c1c; }"_s : QString());
    updateButtons();
}

} // namespace tdkube::ui
