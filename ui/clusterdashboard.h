#pragma once

#include "taos/clusterstate.h"

#include <QWidget>

class QLabel;
class QTabWidget;
class QTableWidget;
class QVBoxLayout;

class QChartView;
class QBarSeries;
class QLineSeries;
class QStackedBarSeries;

namespace tdkube::ui {

// One TDengine cluster at a glance: a health summary, the warnings that need the DBA, tables of
// dnodes (joined to their pods), mnodes, databases and vgroups, and charts of the vnode and leader
// distribution and of dnode and vnode totals over the session. Fed a snapshot at a time; tables
// are updated in place (cells that did not change are not touched), so a poll does not reset the
// user's selection or scroll position.
class ClusterDashboard final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterDashboard)

public:
    explicit ClusterDashboard(QWidget *parent = nullptr);
    ~ClusterDashboard() override;

    void setClusterName(const QString &name);
    // The StatefulSet's volumeClaimTemplates names: a dnode's claims are <template>-<pod>.
    void setClaimTemplates(const QStringList &templates) { m_claimTemplates = templates; }
    void setSnapshot(const taos::ClusterSnapshot &snapshot, const QList<taos::HealthWarning> &warnings);
    // The snapshot could not be taken (TDengine unreachable, wrong password): said in the summary.
    void setError(const QString &error);

    QString summaryText() const;
    QStringList warningTitles() const;
    QTableWidget *dnodeTable() const { return m_dnodes; }
    QTableWidget *mnodeTable() const { return m_mnodes; }
    QTableWidget *databaseTable() const { return m_databases; }
    QTableWidget *vgroupTable() const { return m_vgroups; }
    QTabWidget *tabs() const { return m_tabs; }
    // Bar values of the vnode chart, for tests: per dnode id, leaders and followers.
    QList<std::pair<int, int>> chartedVnodes() const;
    // The bars of the leader chart (per dnode, in the dnode table's order) and its title, as shown.
    QList<int> chartedLeaders() const;
    QString leaderChartTitle() const;

private:
    void showWarnings(const QList<taos::HealthWarning> &warnings);
    void fillDnodes(const taos::ClusterSnapshot &snapshot);
    void fillMnodes(const taos::ClusterSnapshot &snapshot);
    void fillDatabases(const taos::ClusterSnapshot &snapshot);
    void fillVgroups(const taos::ClusterSnapshot &snapshot);
    void fillCharts(const taos::ClusterSnapshot &snapshot);
    void fillLeaderChart(const QStringList &categories);

    QString m_name;
    QStringList m_claimTemplates;
    QLabel *m_title = nullptr;
    QLabel *m_summary = nullptr;
    QWidget *m_warningBox = nullptr;
    QVBoxLayout *m_warningLayout = nullptr;
    QStringList m_warningTitles;
    QTabWidget *m_tabs = nullptr;
    QTableWidget *m_dnodes = nullptr;
    QTableWidget *m_mnodes = nullptr;
    QTableWidget *m_databases = nullptr;
    QTableWidget *m_vgroups = nullptr;
    QChartView *m_vnodeChart = nullptr;
    QChartView *m_leaderChart = nullptr;
    QChartView *m_historyChart = nullptr;
    QList<std::pair<int, int>> m_charted;
    QLineSeries *m_dnodeHistory = nullptr;
    QLineSeries *m_vnodeHistory = nullptr;
    qint64 m_historyStartMs = 0;
};

} // namespace tdkube::ui
