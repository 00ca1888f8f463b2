#pragma once

#include "taos/clusterconnection.h"

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

#include <functional>

class QLabel;
class QPushButton;
class QTabWidget;
class QTextBrowser;

namespace tdkube::ui {

class ClusterDashboard;
class ClusterOperations;
class SqlConsole;

// A TDengine cluster's page: how tdkube reaches it (the port-forward and its state), who it logs in
// as (with a warning while that is TDengine's default password), and the dashboard, the SQL console,
// the configuration and the operations recorded in the cluster (whose tab says how many did not
// finish). Polls and watches only while shown.
class ClusterView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterView)

public:
    using Assess = std::function<QList<taos::HealthWarning>(const taos::ClusterSnapshot &snapshot)>;

    explicit ClusterView(QWidget *parent = nullptr);
    ~ClusterView() override;

    // `assess` turns a snapshot into warnings with what the window knows of pods and claims.
    void setConnection(taos::ClusterConnection *connection, Assess assess);
    taos::ClusterConnection *connection() const { return m_connection; }
    // The cluster's StatefulSet read back as tdkube's deploy settings (also for clusters deployed
    // by hand from a guide), with what did not map; shown in the Configuration tab.
    void setStatefulSet(const QJsonObject &statefulSet);
    QString configurationText() const;
    ClusterDashboard *dashboard() const { return m_dashboard; }
    SqlConsole *console() const { return m_console; }
    ClusterOperations *operations() const { return m_operations; }
    QTabWidget *tabs() const { return m_tabs; }
    QString connectionText() const;
    QString loginText() const;
    QPushButton *scaleButton() const { return m_scaleButton; }
    QPushButton *repairButton() const { return m_repairButton; }
    QPushButton *configureButton() const { return m_configureButton; }
    QPushButton *upgradeButton() const { return m_upgradeButton; }

signals:
    // "Scale…", "Repair…", "Configure…" and "Upgrade…": the main window opens the wizard for this cluster.
    void scaleRequested();
    void repairRequested();
    void configureRequested();
    void upgradeRequested();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void showConnection();
    void showLogin();
    void askLogin();
    void showUnfinished(int count);

    QPointer<taos::ClusterConnection> m_connection;
    Assess m_assess;
    QLabel *m_connectionLabel = nullptr;
    QLabel *m_loginLabel = nullptr;
    QPushButton *m_loginButton = nullptr;
    QPushButton *m_scaleButton = nullptr;
    QPushButton *m_repairButton = nullptr;
    QPushButton *m_configureButton = nullptr;
    QPushButton *m_upgradeButton = nullptr;
    ClusterDashboard *m_dashboard = nullptr;
    SqlConsole *m_console = nullptr;
    QTextBrowser *m_configuration = nullptr;
    ClusterOperations *m_operations = nullptr;
    QTabWidget *m_tabs = nullptr;
};

} // namespace tdkube::ui
