#pragma once

#include "operationenvironment.h"
#include "ops/executor.h"
#include "ops/plan.h"

#include <QMap>
#include <QPointer>
#include <QWizard>
#include <QWizardPage>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;
class QTextBrowser;

namespace tdkube::ui {

class ConfigurePlanPage;
class ConfigureRunPage;
class ConfigureSettingsPage;
class OperationView;
class UpgradeImagePage;

// Changing taos.cfg entries of one TDengine cluster (ops::planConfigure): the entries its ConfigMap
// gives the pods through envFrom, with a new value typed where a change is wanted; or, in its upgrade form,
// its image (ops::planUpgrade: UpgradeImagePage). Then the plan built
// from a fresh look at the cluster (which entries TDengine applies at once, which restart every pod one
// at a time, what refuses the change and how to fix it, every step); then, after "Start", the steps
// running. Nothing in the cluster changes before Start. Closing the wizard while the operation runs
// stops it where it is, as a crash would; the journal keeps it, and the main window offers to resume it.
class ConfigureWizard final : public QWizard
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigureWizard)

public:
    enum Page { SettingsPage, PlanPage, RunPage };

    struct Environment : OperationEnvironment
    {
        bool upgrade = false; // the image changes (UpgradeImagePage), not taos.cfg entries
    };

    explicit ConfigureWizard(Environment environment, QWidget *parent = nullptr);
    ~ConfigureWizard() override;

    const Environment &environment() const { return m_environment; }

    // Reads the cluster again (gatherFacts()); `gathered` follows. A newer call supersedes an older
    // one still running.
    void gather();
    bool isGathering() const { return m_gathering; }
    bool hasFacts() const { return m_hasFacts; }
    const ops::ClusterFacts &facts() const { return m_facts; }
    QString factsError() const { return m_factsError; }

    // planConfigure() of the first page's changes (planUpgrade() of its image), from the last facts.
    ops::Plan makePlan() const;

    ConfigureSettingsPage *settingsPage() const { return m_settingsPage; } // null in the upgrade form
    UpgradeImagePage *imagePage() const { return m_imagePage; }            // only in the upgrade form
    ConfigurePlanPage *planPage() const { return m_planPage; }
    ConfigureRunPage *runPage() const { return m_runPage; }

signals:
    void gathered();
    void operationFinished(bool ok);

protected:
    void reject() override;

private:
    Environment m_environment;
    ops::ClusterFacts m_facts;
    QString m_factsError;
    bool m_hasFacts = false;
    bool m_gathering = false;
    int m_gatherRun = 0;
    ConfigureSettingsPage *m_settingsPage = nullptr;
    UpgradeImagePage *m_imagePage = nullptr;
    ConfigurePlanPage *m_planPage = nullptr;
    ConfigureRunPage *m_runPage = nullptr;
};

// Page 1: the TAOS_* entries of the ConfigMap the pods read, by their taos.cfg names, with their value
// now and a new value to type; an entry the ConfigMap does not set yet is added below the table. What
// each change would take (applied at once, a restart of every pod, nothing, or a refusal) shows as it is
// typed. Next stays disabled until the cluster was read, its ConfigMap can be changed, and a new value
// was typed.
class ConfigureSettingsPage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigureSettingsPage)

public:
    enum Column { NameColumn, CurrentColumn, NewColumn, EffectColumn };

    explicit ConfigureSettingsPage(ConfigureWizard *wizard);
    ~ConfigureSettingsPage() override;

    void initializePage() override;
    bool isComplete() const override;

    // The entries given a new value: the ConfigMap's variable (TAOS_SUPPORT_VNODES) for the entries it
    // has, the name as typed for the ones added, -> the new value.
    QMap<QString, QString> changes() const;
    // Types `value` as the new value of `name` (a taos.cfg name or its TAOS_* variable), in its row, or
    // in a new row when the ConfigMap does not set it: what "Add" does.
    void setNewValue(const QString &name, const QString &value);
    // The row of taos.cfg name or variable `name`, -1 when there is none.
    int rowOf(const QString &name) const;
    QString text(int row, Column column) const;
    QString summaryText() const;
    QTableWidget *table() const { return m_table; }
    QLineEdit *addNameEdit() const { return m_addName; }
    QLineEdit *addValueEdit() const { return m_addValue; }
    QPushButton *addButton() const { return m_add; }

private:
    void showFacts();
    void showEffect(int row);
    void addRow(const QString &name, const QString &variable, const QString &current, bool added);
    void addTyped();

    ConfigureWizard *m_wizard;
    QLabel *m_summary = nullptr;
    QTableWidget *m_table = nullptr;
    QLineEdit *m_addName = nullptr;
    QLineEdit *m_addValue = nullptr;
    QPushButton *m_add = nullptr;
    bool m_usable = false;  // the ConfigMap was read and can be changed
    bool m_changed = false; // a new value was typed: reading the cluster again keeps the table
};

// Page 2: the plan, read before anything runs. Next ("Start") stays disabled while the plan is blocked,
// has no steps, or the plan was not marked as read.
class ConfigurePlanPage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigurePlanPage)

public:
    explicit ConfigurePlanPage(ConfigureWizard *wizard);
    ~ConfigurePlanPage() override;

    void initializePage() override;
    bool isComplete() const override;

    bool isReady() const { return m_ready; } // the plan was built from the cluster just read
    const ops::Plan &plan() const { return m_plan; }
    QString planText() const; // the findings and steps, as plain text
    QString statusText() const;
    QString restartText() const; // how the pods restart, or that none does
    QCheckBox *readBox() const { return m_read; }
    QPushButton *refreshButton() const { return m_refresh; }

private:
    void showPlan();
    QString restartNote() const;

    ConfigureWizard *m_wizard;
    QLabel *m_status = nullptr;
    QLabel *m_restart = nullptr;
    QTextBrowser *m_view = nullptr;
    QCheckBox *m_read = nullptr;
    QPushButton *m_refresh = nullptr;
    ops::Plan m_plan;
    bool m_ready = false;
};

// Page 3: the operation running (OperationView over an Executor it owns), and what Cancel means here.
class ConfigureRunPage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigureRunPage)

public:
    explicit ConfigureRunPage(ConfigureWizard *wizard);
    ~ConfigureRunPage() override;

    void initializePage() override;
    bool isComplete() const override;

    OperationView *view() const { return m_view; }
    ops::Executor *executor() const { return m_executor; }
    bool isRunning() const;
    QString cancelText() const; // what Cancel does, above the steps

private:
    void finished(bool ok);

    ConfigureWizard *m_wizard;
    QLabel *m_cancelNote = nullptr;
    OperationView *m_view = nullptr;
    QPointer<ops::Executor> m_executor;
    bool m_rolls = false; // the plan restarts pods
};

} // namespace tdkube::ui
