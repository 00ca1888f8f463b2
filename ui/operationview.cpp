#include "operationview.h"

#include "ops/executor.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;
using StepState = ops::Journal::StepState;

namespace {

enum Column { NumberColumn, StepColumn, StateColumn, DetailColumn };

QString stateLabel(StepState state)
{
    switch (state) {
    case StepState::Pending:
        return OperationView::tr("pending");
    case StepState::Running:
        return OperationView::tr("running");
    case StepState::Done:
        return OperationView::tr("done");
    case StepState::Failed:
        return OperationView::tr("failed");
    }
    return {};
}

QColor stateColor(StepState state)
{
    switch (state) {
    case StepState::Pending:
        return QColor(u"#757575"_s);
    case StepState::Running:
        return QColor(u"#1565c0"_s);
    case StepState::Done:
        return QColor(u"#2e7d32"_s);
    case StepState::Failed:
        return QColor(u"#c62828"_s);
    }
    return {};
}

} // namespace

OperationView::OperationView(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *top = new QHBoxLayout;
    m_result = new QLabel(tr("Not started."), this);
    m_result->setObjectName(u"operationResult"_s);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_cancel = new QPushButton(tr("Cancel at the next safe point"), this);
    m_cancel->setObjectName(u"cancelOperation"_s);
    m_cancel->setEnabled(false);
    top->addWidget(m_result, 1);
    top->addWidget(m_cancel, 0, Qt::AlignTop);
    layout->addLayout(top);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_steps = new QTreeWidget(splitter);
    m_steps->setObjectName(u"operationSteps"_s);
    m_steps->setHeaderLabels({u"#"_s, tr("Step"), tr("State"), tr("Progress / result")});
    m_steps->setRootIsDecorated(false);
    m_steps->setWordWrap(true);
    m_steps->setUniformRowHeights(false);
    m_steps->header()->setSectionResizeMode(NumberColumn, QHeaderView::ResizeToContents);
    m_steps->header()->setSectionResizeMode(StepColumn, QHeaderView::ResizeToContents);
    m_steps->header()->setSectionResizeMode(StateColumn, QHeaderView::ResizeToContents);
    m_steps->header()->setStretchLastSection(true);
    m_log = new QPlainTextEdit(splitter);
    m_log->setObjectName(u"operationLog"_s);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    // Wrapped: a long SQL statement or error must be readable without scrolling sideways.
    m_log->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    splitter->addWidget(m_steps);
    splitter->addWidget(m_log);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (!m_executor)
            return;
        m_cancelRequested = true;
        m_executor->requestCancel();
        showCancel();
    });
}

OperationView::~OperationView() = default;

void OperationView::follow(ops::Executor *executor, const ops::Plan &plan,
                           const QList<ops::Journal::StepRecord> &records)
{
    if (m_executor)
        disconnect(m_executor, nullptr, this, nullptr);
    m_executor = executor;
    m_plan = plan;
    m_running = -1;
    m_cancelRequested = m_finished = m_succeeded = false;
    m_steps->clear();
    m_states.clear();
    m_log->clear();
    for (int i = 0; i < plan.steps.size(); ++i) {
        const ops::Step &step = plan.steps.at(i);
        auto *item = new QTreeWidgetItem(m_steps, {QString::number(i + 1), step.title});
        item->setToolTip(StepColumn, step.detail);
        item->setToolTip(DetailColumn, step.detail);
        m_states.append(StepState::Pending);
        // A resumed operation: what was done before the crash stays done; the rest runs now.
        const bool done = i < records.size() && records.at(i).state == StepState::Done;
        setState(i, done ? StepState::Done : StepState::Pending, done ? records.at(i).message : QString());
    }
    m_result->setText(tr("%1: starting…").arg(plan.summary()));
    m_result->setStyleSheet({});
    if (!executor)
        return;
    connect(executor, &ops::Executor::stepStarted, this, &OperationView::stepStarted);
    connect(executor, &ops::Executor::stepProgress, this,
            [this](int index, const QString &text) { setState(index, StepState::Running, text); });
    connect(executor, &ops::Executor::stepFinished, this, &OperationView::stepFinished);
    connect(executor, &ops::Executor::logLine, this, &OperationView::appendLog);
    connect(executor, &ops::Executor::finished, this, &OperationView::finish);
    showCancel();
}

QString OperationView::resultText() const
{
    return m_result->text();
}

QString OperationView::logText() const
{
    return m_log->toPlainText();
}

QString OperationView::stepState(int index) const
{
    return index >= 0 && index < m_states.size() ? ops::stepStateName(m_states.at(index)) : QString();
}

QString OperationView::stepDetail(int index) const
{
    const QTreeWidgetItem *item = m_steps->topLevelItem(index);
    return item ? item->text(DetailColumn) : QString();
}

void OperationView::setState(int index, StepState state, const QString &detail)
{
    QTreeWidgetItem *item = m_steps->topLevelItem(index);
    if (!item)
        return;
    m_states[index] = state;
    item->setText(StateColumn, stateLabel(state));
    item->setForeground(StateColumn, stateColor(state));
    QFont font = item->font(StepColumn);
    font.setBold(state == StepState::Running);
    item->setFont(StepColumn, font);
    item->setText(DetailColumn, detail);
}

void OperationView::stepStarted(int index)
{
    m_running = index;
    setState(index, StepState::Running, tr("started"));
    m_steps->scrollToItem(m_steps->topLevelItem(index));
    m_result->setText(
        tr("Step %1 of %2: %3").arg(index + 1).arg(m_plan.steps.size()).arg(m_plan.steps.value(index).title));
    showCancel();
}

void OperationView::stepFinished(int index, bool ok, const QString &message)
{
    setState(index, ok ? StepState::Done : StepState::Failed, message);
    if (index == m_running)
        m_running = -1;
    showCancel();
}

void OperationView::appendLog(const QString &line)
{
    QScrollBar *bar = m_log->verticalScrollBar();
    const bool atEnd = bar->value() == bar->maximum();
    m_log->appendPlainText(line);
    if (atEnd)
        bar->setValue(bar->maximum()); // follow the log unless the person scrolled up to read
}

void OperationView::finish(bool ok, const QString &message)
{
    m_finished = true;
    m_succeeded = ok;
    m_running = -1;
    m_result->setText((ok ? u"✔ "_s : u"✘ "_s) + message);
    m_result->setStyleSheet(ok ? u"QLabel { color: #2e7d32; font-weight: bold; }"_s
                               : u"QLabel { color: #c62828; font-weight: bold; }"_s);
    showCancel();
    emit finished(ok, message);
}

// What cancelling means now. `drop dnode` cannot be interrupted (TDengine finishes moving the
// vnodes whatever tdkube does), so during it the button says that it stops after the step.
void OperationView::showCancel()
{
    const bool running = m_executor && m_executor->isRunning() && !m_finished;
    m_cancel->setEnabled(running && !m_cancelRequested);
    if (m_cancelRequested && !m_finished) {
        m_cancel->setText(tr("Cancelling at the next safe point…"));
        m_cancel->setToolTip(tr("The operation stops before its next step; the journal keeps it so that it "
                                "can be resumed."));
        return;
    }
    const ops::Step *step =
        m_running >= 0 && m_running < m_plan.steps.size() ? &m_plan.steps.at(m_running) : nullptr;
    if (running && step && step->kind == ops::Step::Kind::DropDnode) {
        m_cancel->setText(tr("Cancel after this drop dnode (it cannot be interrupted)"));
        m_cancel->setToolTip(tr("TDengine finishes `drop dnode` once it started, moving the dnode's vnodes "
                                "to the others; tdkube can only stop after it."));
        return;
    }
    if (running && step && step->kind == ops::Step::Kind::RollPod) {
        m_cancel->setText(tr("Cancel after this pod"));
        m_cancel->setToolTip(tr("The pod restarting now comes back on the new configuration first; the pods "
                                "not restarted yet stay on the old one, held there by the StatefulSet."));
        return;
    }
    m_cancel->setText(tr("Cancel at the next safe point"));
    m_cancel->setToolTip(running ? tr("Stops between two steps; nothing is undone, and the operation can be "
                                      "resumed later.")
                                 : tr("Nothing is running."));
}

QString planStepsHtml(const ops::Plan &plan, const QString &heading)
{
    if (plan.steps.isEmpty())
        return {};
    QString html = u"<h3>"_s + heading.toHtmlEscaped() + u"</h3><ol>"_s;
    for (const ops::Step &step : plan.steps) {
        html += u"<li style='margin-bottom:6px'><b>"_s + step.title.toHtmlEscaped() + u"</b>"_s;
        if (!step.detail.isEmpty())
            html += u"<br><span style='color:#424242'>"_s + step.detail.toHtmlEscaped() + u"</span>"_s;
        html += u"</li>"_s;
    }
    return html + u"</ol>"_s;
}

} // namespace tdkube::ui
