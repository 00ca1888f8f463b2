#pragma once

#include "deploy/applyset.h"
#include "deploy/deploymonitor.h"

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

// After Apply: the namespace created if asked, each object applied in order, then the cluster
// followed until it is verified: each pod Pending -> Running -> Ready with its latest event, each
// dnode joining, the mnodes created, `show mnodes` checked. A failure stops with the reason and
// what to do; a conflict with another field manager can be taken over from here.
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

signals:
    void done(bool ok);

private:
    void addStep(const QString &key, const QString &title);
    void setStep(const QString &key, const QString &state, const QString &detail = {});
    void log(const QString &line);
    void createNamespace();
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
    bool m_finished = false;
    bool m_succeeded = false;
};

} // namespace tdkube::ui
