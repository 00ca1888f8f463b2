#pragma once

#include "ops/journal.h"
#include "ops/plan.h"

#include <QList>
#include <QPointer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace tdkube::ops {
class Executor;
}

namespace tdkube::ui {

// The progress of one operation (scale-out, scale-in, repair), new or resumed: the plan's steps
// with their state (pending, running, done, failed) and what each waits for or ended with, the
// executor's log, a result line, and "Cancel at the next safe point". It only observes the
// Executor (which it does not own) and asks it to cancel; it never changes the cluster itself.
class OperationView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OperationView)

public:
    explicit OperationView(QWidget *parent = nullptr);
    ~OperationView() override;

    // Shows `plan`'s steps and follows `executor` from now on. `records` (a resumed journal's steps)
    // shows the steps already done as done, with their message. Call before start()/resume().
    void follow(ops::Executor *executor, const ops::Plan &plan,
                const QList<ops::Journal::StepRecord> &records = {});

    bool isFinished() const { return m_finished; }
    bool succeeded() const { return m_succeeded; }
    // Whether the person asked to cancel (the operation then stops before its next step).
    bool wasCancelled() const { return m_cancelRequested; }
    QString resultText() const;
    QString logText() const;
    // "pending", "running", "done" or "failed" (stepStateName()), and what the row says.
    QString stepState(int index) const;
    QString stepDetail(int index) const;
    QTreeWidget *steps() const { return m_steps; }
    QPushButton *cancelButton() const { return m_cancel; }

signals:
    void finished(bool ok, const QString &message);

private:
    void setState(int index, ops::Journal::StepState state, const QString &detail);
    void stepStarted(int index);
    void stepFinished(int index, bool ok, const QString &message);
    void appendLog(const QString &line);
    void finish(bool ok, const QString &message);
    void showCancel();

    QPointer<ops::Executor> m_executor;
    ops::Plan m_plan;
    QList<ops::Journal::StepState> m_states;
    QTreeWidget *m_steps = nullptr;
    QPlainTextEdit *m_log = nullptr;
    QLabel *m_result = nullptr;
    QPushButton *m_cancel = nullptr;
    int m_running = -1;
    bool m_cancelRequested = false;
    bool m_finished = false;
    bool m_succeeded = false;
};

// A plan's steps as the wizards' plan pages show them, before anything runs: `heading`, then the numbered
// titles, each with its detail below. Empty for a plan without steps.
QString planStepsHtml(const ops::Plan &plan, const QString &heading);

} // namespace tdkube::ui
