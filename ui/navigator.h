#pragma once

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QStringList>
#include <QTreeWidget>

class QAction;

namespace tdkube::ui {

// The main window's left-hand tree: the TDengine clusters of the namespace (each with its pods and
// volume claims) and of the other namespaces, then the Kubernetes kinds, then the tools. Selecting an entry
// asks for its view; the tree itself holds no cluster state beyond the names and readiness it was last given.
class Navigator final : public QTreeWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Navigator)

public:
    // `kinds`: (plural, title) of the kinds listed under "Kubernetes". `deployAction` is offered in the
    // context menu.
    Navigator(const QList<QPair<QString, QString>> &kinds, QAction *deployAction, QWidget *parent = nullptr);

    // Shows the TDengine StatefulSets of namespace `ns` (empty: all namespaces are open) first, each
    // with its pods and claims, then those of other namespaces grouped by namespace. `elsewhereNote`
    // says why the other namespaces are not listed (empty when they are). Updated in place so that
    // the selection survives a watch event. Returns the names of the clusters of `ns` that are gone.
    QStringList setClusters(const QString &ns, const QList<QJsonObject> &here,
                            const QList<QJsonObject> &elsewhere, const QString &elsewhereNote = {});
    // The clusters of the open namespace; of the others, as "namespace/name".
    QStringList clusters() const;
    QStringList clustersElsewhere() const;
    // What the list says in place of the other namespaces' clusters (empty when they are listed).
    QString elsewhereNote() const;
    // Selects the dashboard entry of `name` in the open namespace; false when it is not listed.
    bool selectCluster(const QString &name);

signals:
    // "cluster" with a name: that cluster's dashboard; a kind, optionally scoped to a cluster.
    void viewRequested(const QString &plural, const QString &cluster);
    // A cluster of another namespace was chosen: its dashboard is shown in its namespace.
    void clusterElsewhereRequested(const QString &ns, const QString &name);
    void deleteClusterRequested(const QString &name);

private:
    QTreeWidgetItem *clusterItem(const QString &name) const;
    QTreeWidgetItem *addCluster(const QString &name);
    void showReadiness(QTreeWidgetItem *item, const QString &name, const QJsonObject &set);
    void setElsewhere(const QList<QJsonObject> &elsewhere);
    void moveNote(QTreeWidgetItem *note, int position);
    void setNote(QTreeWidgetItem **item, const QString &text, const QString &toolTip);
    void showMenu(const QPoint &position);

    QTreeWidgetItem *m_clustersRoot = nullptr;
    QTreeWidgetItem *m_noneHere = nullptr;
    QTreeWidgetItem *m_elsewhereNote = nullptr;
    QString m_elsewhereNoteText;
    QAction *m_deployAction = nullptr;
};

} // namespace tdkube::ui
