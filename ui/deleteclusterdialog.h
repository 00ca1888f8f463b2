#pragma once

#include "deploy/clusterdeletion.h"

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

namespace tdkube::kube {
class KubeClient;
}

namespace tdkube::ops {
class Executor;
}

namespace tdkube::ui {

// Deleting a TDengine cluster: the plan first (the StatefulSet, its Services and ConfigMap, and
// what each claim's volume reclaim policy will do to the data), the claims only after the
// cluster's name is typed, then progress until everything is gone: a recorded operation (ops::planDelete),
// seen by other workstations and resumable like any other.
class DeleteClusterDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeleteClusterDialog)

public:
    DeleteClusterDialog(kube::KubeClient *client, QString ns, QString statefulSet, QWidget *parent = nullptr);
    ~DeleteClusterDialog() override;

    QTreeWidget *planView() const { return m_plan; }
    QCheckBox *claimsBox() const { return m_claims; }
    QLineEdit *confirmation() const { return m_confirm; }
    QPushButton *deleteButton() const { return m_delete; }
    bool planLoaded() const { return m_loaded; }
    bool finished() const { return m_finished; }
    bool succeeded() const { return m_succeeded; }
    QString statusText() const;
    QString logText() const;

private:
    void loadPlan();
    void showPlan();
    void updateButton();
    void start();

    QPointer<kube::KubeClient> m_client;
    QString m_ns;
    QString m_statefulSet;
    deploy::DeletionPlan m_planWithClaims;
    QTreeWidget *m_plan = nullptr;
    QCheckBox *m_claims = nullptr;
    QLabel *m_confirmLabel = nullptr;
    QLineEdit *m_confirm = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_log = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_delete = nullptr;
    QPointer<ops::Executor> m_executor;
    bool m_loaded = false;
    bool m_running = false;
    bool m_finished = false;
    bool m_succeeded = false;
};

} // namespace tdkube::ui
