#pragma once

#include "deploy/applyset.h"
#include "deploy/deploymonitor.h"
#include "ops/executor.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QWizardPage>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace tdkube::ui {

class DeployWizard;

// After Apply: the namespace created if asked, then
// - a new cluster (its StatefulSet does not exist yet) is deployed as a recorded operation: the plan of
//   ops::planDeploy run by the Executor (journal, record in the cluster, lease; resumable from the
//   cluster's page like any operation), each of its steps shown as it runs, the pods beside them
//   (DeployMonitor, pods only: a pod that cannot be scheduled stops the operation with the reason);
// - an existing one (the objects change it) has each object applied in order, then is followed until it
//   is verified: each pod Pending -> Running -> Ready with its latest event, each dnode joining, the
//   mnodes created, `show mnodes` checked.
// A failure stops with the reason and what to do; a conflict with another field manager can be taken
// over from here.
class DeployProgressPage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeployProgressPage)

public:
    explicit DeployProgressPage(DeployWizard *wizard);
    ~DeployProgressPage() override;

    void initializePage() override;
    bool isComplete() const override;

    bool finished() const { return m_finished; }
    bool succeeded() const { return m_succeeded; }
    QString resultText() const;
    QTreeWidget *steps() const { return m_steps; }
    QTableWidget *pods() const { return m_pods; }
    QString logText() const;
    QPushButton *takeOverButton() const { return m_takeOver; }
    // The recorded operation of a new cluster's deploy; null for a change of an existing one.
    ops::Executor *executor() const { return m_executor; }

signals:
    void done(bool ok);

private:
    void addStep(const QString &key, const QString &title);
    void setStep(const QString &key, const QString &state, const QString &detail = {});
    void log(const QString &line);
    void createNamespace();
    void chooseRun(bool force);
    void startOperation(const QList<QJsonObject> &claims);
    void startPodsMonitor();
    void applyObjects(bool force);
    void startMonitor();
    void showPod(const deploy::PodProgress &pod);
    void finish(bool ok, const QString &message, bool logIt = true);
    QString doneText(const QString &stage) const;

    DeployWizard *m_wizard;
    QTreeWidget *m_steps = nullptr;
    QTableWidget *m_pods = nullptr;
    QPlainTextEdit *m_log = nullptr;
    QLabel *m_result = nullptr;
    QPushButton *m_takeOver = nullptr;
    QHash<QString, QTreeWidgetItem *> m_stepItems;
    QList<QJsonObject> m_objects;
    QString m_statefulSet;
    int m_replicas = 0;
    QPointer<deploy::ApplySet> m_apply;
    QPointer<deploy::DeployMonitor> m_monitor;
    QPointer<ops::Executor> m_executor; // a new cluster's deploy
    QString m_cannotRun;                // why its pods cannot start (then it is abandoned)
    bool m_finished = false;
    bool m_succeeded = false;
};

} // namespace tdkube::ui
