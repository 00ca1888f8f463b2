#pragma once

#include "operationenvironment.h"
#include "ops/executor.h"
#include "ops/plan.h"
#include "ops/planner.h"

#include <QPointer>
#include <QWizard>
#include <QWizardPage>

class QCheckBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTextBrowser;

namespace tdkube::ui {

class OperationView;
class ScalePlanPage;
class ScaleRunPage;
class ScaleTargetPage;

// Resizing (scale-out or safe scale-in) or repairing one TDengine cluster: the target, then the
// plan built from a fresh look at the cluster (every finding with its reason and fix, every step
// with what it does), then, after "Start", the steps running with their progress and log. Nothing
// in the cluster changes before Start: the first two pages only read. Repair mode starts at the
// plan (planRepair()). Closing the wizard while the operation runs stops it where it is, as a
// crash would; the journal keeps it, and the main window offers to resume it.
class ScaleWizard final : public QWizard
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScaleWizard)

public:
    enum Page { TargetPage, PlanPage, RunPage };
    enum class Mode { Scale, Repair };

    using Environment = OperationEnvironment;

    ScaleWizard(Environment environment, Mode mode, QWidget *parent = nullptr);
    ~ScaleWizard() override;

    Mode mode() const { return m_mode; }
    const Environment &environment() const { return m_environment; }

    // Reads the cluster again (gatherFacts()); `gathered` follows. A newer call supersedes an
    // older one still running.
    void gather();
    bool isGathering() const { return m_gathering; }
    bool hasFacts() const { return m_hasFacts; }
    const ops::ClusterFacts &facts() const { return m_facts; }
    QString factsError() const { return m_factsError; }
    int currentReplicas() const;

    // The plan for the target and options of the first page (or the repair), from the last facts.
    ops::Plan makePlan() const;

    ScaleTargetPage *targetPage() const { return m_targetPage; }
    ScalePlanPage *planPage() const { return m_planPage; }
    ScaleRunPage *runPage() const { return m_runPage; }

signals:
    void gathered();
    void operationFinished(bool ok);

protected:
    void reject() override;

private:
    Environment m_environment;
    Mode m_mode;
    ops::ClusterFacts m_facts;
    QString m_factsError;
    bool m_hasFacts = false;
    bool m_gathering = false;
    int m_gatherRun = 0;
    ScaleTargetPage *m_targetPage = nullptr;
    ScalePlanPage *m_planPage = nullptr;
    ScaleRunPage *m_runPage = nullptr;
};

// Page 1: what the cluster has now, and the target (its direction says scale-out or scale-in).
class ScaleTargetPage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScaleTargetPage)

public:
    explicit ScaleTargetPage(ScaleWizard *wizard);
    ~ScaleTargetPage() override;

    void initializePage() override;
    bool isComplete() const override;

    int target() const;
    void setTarget(int target);
    ops::ScaleOutOptions scaleOutOptions() const;
    QString summaryText() const;
    QString directionText() const;
    QSpinBox *targetBox() const { return m_target; }
    QCheckBox *deleteStaleClaimsBox() const { return m_deleteStale; }
    QCheckBox *balanceBox() const { return m_balance; }
    QCheckBox *topUpMnodesBox() const { return m_topUp; }

private:
    void showFacts();
    void showDirection();

    ScaleWizard *m_wizard;
    QLabel *m_summary = nullptr;
    QSpinBox *m_target = nullptr;
    QLabel *m_direction = nullptr;
    QGroupBox *m_options = nullptr;
    QCheckBox *m_deleteStale = nullptr;
    QCheckBox *m_balance = nullptr;
    QCheckBox *m_topUp = nullptr;
    bool m_targetChosen = false;
};

// Page 2: the plan, read before anything runs. Next ("Start") stays disabled while the plan is
// blocked, has no steps, or was not confirmed (the check box, or the typed name when the plan may
// lose data).
class ScalePlanPage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScalePlanPage)

public:
    explicit ScalePlanPage(ScaleWizard *wizard);
    ~ScalePlanPage() override;

    void initializePage() override;
    bool isComplete() const override;

    bool isReady() const { return m_ready; } // the plan was built from the cluster just read
    // The plan as it will run (confirmed when the typed confirmation matched).
    const ops::Plan &plan() const { return m_confirmed; }
    QString planText() const; // what the page shows, as plain text
    QCheckBox *readBox() const { return m_read; }
    QLineEdit *confirmationEdit() const { return m_typed; }
    QString confirmationText() const; // what the line above the typed name asks
    QPushButton *refreshButton() const { return m_refresh; }

private:
    void showPlan();
    void applyConfirmation();

    ScaleWizard *m_wizard;
    QLabel *m_status = nullptr;
    QTextBrowser *m_view = nullptr;
    QLabel *m_typedLabel = nullptr;
    QLineEdit *m_typed = nullptr;
    QCheckBox *m_read = nullptr;
    QPushButton *m_refresh = nullptr;
    ops::Plan m_plan;
    ops::Plan m_confirmed;
    bool m_ready = false;
};

// Page 3: the operation running (OperationView over an Executor it owns).
class ScaleRunPage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScaleRunPage)

public:
    explicit ScaleRunPage(ScaleWizard *wizard);
    ~ScaleRunPage() override;

    void initializePage() override;
    bool isComplete() const override;

    OperationView *view() const { return m_view; }
    ops::Executor *executor() const { return m_executor; }
    bool isRunning() const;

private:
    ScaleWizard *m_wizard;
    OperationView *m_view = nullptr;
    QPointer<ops::Executor> m_executor;
};

// "Database r3 (replica 3), log (replica 1)": the user databases and their replica, largest first.
QString databaseSummary(const taos::ClusterSnapshot &snapshot, int *largestReplica = nullptr);

} // namespace tdkube::ui
