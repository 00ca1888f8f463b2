#pragma once

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QStringList>
#include <QTreeWidget>

class QAction;

namespace tdkube::ui {

// The main window's left-hand tree: the TDengine clusters of the namespace (each with its pods and
// volume claims), then the Kubernetes kinds, then the tools. Selecting an entry asks for its view;
// the tree itself holds no cluster state beyond the names and readiness it was last given.
class Navigator final : public QTreeWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Navigator)

public:
    // `kinds`: (plural, title) of the kinds listed under "Kubernetes". `deployAction` is offered in the
    // context menu.
    Navigator(const QList<QPair<QString, QString>> &kinds, QAction *deployAction, QWidget *parent = nullptr);

    // Shows these TDengine StatefulSets, updated in place so that the selection survives a watch
    // event. Returns the names of the clusters that are gone.
    QStringList setClusters(const QList<QJsonObject> &statefulSets);
    QStringList clusters() const;
    // Selects the dashboard entry of `name`; false when it is not listed.
    bool selectCluster(const QString &name);

signals:
    // "cluster" with a name: that cluster's dashboard; a kind, optionally scoped to a cluster.
    void viewRequested(const QString &plural, const QString &cluster);
    void deleteClusterRequested(const QString &name);

private:
    QTreeWidgetItem *clusterItem(const QString &name) const;
    QTreeWidgetItem *addCluster(const QString &name);
    void showMenu(const QPoint &position);

    QTreeWidgetItem *m_clustersRoot = nullptr;
    QAction *m_deployAction = nullptr;
};

} // namespace tdkube::ui
