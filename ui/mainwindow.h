#pragma once

#include "connectionbar.h"
#include "kube/explain.h"
#include "kube/kubeconfig.h"
#include "kube/session.h"
#include "ops/journal.h"
#include "taos/clusterconnection.h"
#include "taos/passwordstore.h"

#include <QHash>
#include <QJsonObject>
#include <QMainWindow>
#include <QTimer>

#include <optional>

class QComboBox;
class QLabel;
class QStackedWidget;
class QTreeWidget;
class QWizard;

namespace tdkube::kube {
class SandboxLauncher;
}

namespace tdkube::ui {

class ClusterView;
class ConfigureWizard;
class DeleteClusterDialog;
class DeployWizard;
class DetailsPane;
class Navigator;
class ObjectEditorDialog;
struct OperationEnvironment;
class PortForwardPanel;
class ResourceTableModel;
class ResourceView;
class ResumeOffers;
class ScaleWizard;
class WelcomePage;

// The main window: the connection toolbar (ConnectionBar), a navigator (the TDengine clusters found in
// the namespace, then Pods, PVCs, StatefulSets, Events), the selected table, and the details of
// the selected object. Everything shown comes from the Session's watches; nothing here waits for
// the network.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens `context` (else the one used last, else the kubeconfig's current-context, else the
    // first) in `ns` (else the one used last in that context, else the context's own).
    // `cluster` (NAME or NAMESPACE/NAME) opens that TDengine cluster's dashboard once it is seen;
    // a NAME found only in another namespace is opened there.
    void openKubeconfig(const kube::Kubeconfig &config, const QString &context = {},
                        const std::optional<QString> &ns = std::nullopt, const QString &cluster = {});
    void openContext(const QString &context, const std::optional<QString> &ns = std::nullopt);
    void setNamespace(const QString &ns);
    // Shows the dashboard of TDengine cluster `name` of namespace `ns`, switching namespace first.
    void openCluster(const QString &ns, const QString &name);
    // Shows the view of a kind (pods, persistentvolumeclaims, statefulsets, events), optionally
    // scoped to one TDengine cluster (a StatefulSet name); "cluster" shows that cluster's dashboard.
    void showView(const QString &plural, const QString &cluster = {});
    ClusterView *clusterView() const { return m_clusterView; }
    PortForwardPanel *portForwards() const { return m_forwards; }
    taos::PasswordStore *passwords() const { return m_passwords; }
    // For tests: how often a cluster's dashboard polls TDengine.
    void setClusterPollInterval(int ms) { m_pollIntervalMs = ms; }

    // Deletes a pod (its controller starts a new one), after asking when `confirm`. A refusal
    // (Forbidden for a read-only user) shows the server's message in the banner.
    void deletePod(const QJsonObject &pod, bool confirm = true);
    // The deploy wizard for the current context (null without one); deleted when closed.
    DeployWizard *openDeployWizard();
    // The plan and progress of deleting the TDengine cluster `name` of the current namespace.
    DeleteClusterDialog *openDeleteCluster(const QString &name);
    // "Edit…" of the details pane: the object as YAML, dry-run and diff, then apply.
    ObjectEditorDialog *openObjectEditor(const QJsonObject &object);
    // "Scale…" / "Repair…" of the cluster page: the wizard for TDengine cluster `name` of the current
    // namespace (repair mode starts at the plan). Null without a context. Deleted when closed.
    ScaleWizard *openScaleWizard(const QString &name, bool repair = false);
    // "Configure…" of the cluster page: the wizard that changes taos.cfg entries of TDengine cluster
    // `name` of the current namespace; "Upgrade…" (`upgrade`): the same wizard changing its image. Null
    // without a context. Deleted when closed.
    ConfigureWizard *openConfigureWizard(const QString &name, bool upgrade = false);
    // Operations of the current context that did not finish, offered at the top of the window when
    // the context is opened (Resume / Abandon): see ResumeOffers.
    ResumeOffers *resumeOffers() const { return m_resumeOffers; }
    QList<ops::Journal> unfinishedOperations() const;
    // For tests: how often operations (wizards, resumes) poll the cluster while they wait.
    void setOperationPollInterval(int ms);
    // A message across the top of the window that stays until dismissed or replaced.
    void showBanner(const QString &text, bool error = true);
    QString bannerText() const;

    kube::Session *session() const { return m_session; }
    ResourceView *view(const QString &plural) const { return m_views.value(plural); }
    ResourceView *currentView() const;
    DetailsPane *details() const { return m_details; }
    QTreeWidget *navigator() const;
    QComboBox *contextBox() const { return m_connectionBar->contextBox(); }
    QComboBox *namespaceBox() const { return m_connectionBar->namespaceBox(); }
    QString connectionText() const;
    bool insecureBadgeShown() const { return m_connectionBar->insecureBadgeShown(); }
    // Shown instead of the tables while there is no context; offers the sandbox cluster.
    WelcomePage *welcomePage() const { return m_welcome; }
    // The sandbox cluster started from the welcome page (stopped with the window); null before.
    kube::SandboxLauncher *sandbox() const { return m_sandbox; }
    void startSandbox();
    // The TDengine clusters of the open namespace; of the others, as "namespace/name".
    QStringList tdengineClusters() const;
    QStringList tdengineClustersElsewhere() const;

protected:
    void closeEvent(QCloseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void buildToolbar();
    bool prepareOperation(const QString &name, OperationEnvironment *environment);
    void showOperationWizard(QWizard *wizard, const OperationEnvironment &environment);
    void showWelcome(const QString &reason);
    void bindWatches();
    void fillNamespaces();
    void showReachability();
    void scheduleRefresh();
    void refreshDerived();
    void refreshClusters();
    void openPendingClusterElsewhere(const QList<QJsonObject> &elsewhere);
    void refreshDetails();
    void selectObject(const QJsonObject &object);
    kube::PodSurroundings surroundings() const;
    QList<QJsonObject> watched(const QString &plural) const;
    QJsonObject statefulSet(const QString &name) const;
    void showCluster(const QString &name);
    void dropClusterConnections();
    QList<taos::HealthWarning> assessCluster(const QString &name,
                                             const taos::ClusterSnapshot &snapshot) const;

    kube::Session *m_session = nullptr;
    ConnectionBar *m_connectionBar = nullptr;
    QLabel *m_connection = nullptr;
    Navigator *m_navigator = nullptr;
    QLabel *m_banner = nullptr;
    QStackedWidget *m_stack = nullptr;
    DetailsPane *m_details = nullptr;
    ClusterView *m_clusterView = nullptr;
    WelcomePage *m_welcome = nullptr;
    kube::SandboxLauncher *m_sandbox = nullptr;
    PortForwardPanel *m_forwards = nullptr;
    taos::PasswordStore *m_passwords = nullptr;
    ResumeOffers *m_resumeOffers = nullptr;
    int m_operationPollMs = 1000;
    QHash<QString, taos::ClusterConnection *> m_clusterConnections;
    int m_pollIntervalMs = 5000;
    QHash<QString, ResourceTableModel *> m_models;
    QHash<QString, ResourceView *> m_views;
    QString m_currentPlural = QStringLiteral("pods");
    QString m_currentCluster;
    QString m_pendingCluster;
    QString m_selectedKey; // plural + "|" + namespace/name of the object in the details pane
    QTimer m_refresh;      // coalesces watch events into one refresh of derived state per turn
};

} // namespace tdkube::ui
