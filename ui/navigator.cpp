#include "navigator.h"

#include <QAction>
#include <QBrush>
#include <QColor>
#include <QIcon>
#include <QMenu>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

namespace {

constexpr int PluralRole = Qt::UserRole;
constexpr int ClusterRole = Qt::UserRole + 1;

QTreeWidgetItem *addEntry(QTreeWidgetItem *parent, const QString &text, const QString &plural,
                          const QString &cluster = {})
{
    auto *item = new QTreeWidgetItem(parent, {text});
    item->setData(0, PluralRole, plural);
    if (!cluster.isEmpty())
        item->setData(0, ClusterRole, cluster);
    return item;
}

} // namespace

Navigator::Navigator(const QList<QPair<QString, QString>> &kinds, QAction *deployAction, QWidget *parent)
    : QTreeWidget(parent)
    , m_deployAction(deployAction)
{
    setObjectName(u"navigator"_s);
    setHeaderHidden(true);
    setRootIsDecorated(true);
    m_clustersRoot = new QTreeWidgetItem(this, {tr("TDengine clusters")});
    m_clustersRoot->setIcon(0, QIcon(u":/icons/tdengine.svg"_s));
    m_clustersRoot->setFlags(Qt::ItemIsEnabled);
    auto *kubernetes = new QTreeWidgetItem(this, {tr("Kubernetes")});
    kubernetes->setFlags(Qt::ItemIsEnabled);
    for (const auto &[plural, title] : kinds)
        addEntry(kubernetes, title, plural);
    auto *tools = new QTreeWidgetItem(this, {tr("Tools")});
    tools->setFlags(Qt::ItemIsEnabled);
    addEntry(tools, tr("Port-forwards"), u"portforwards"_s);
    expandAll();
    setContextMenuPolicy(Qt::CustomContextMenu);
    connect(this, &QTreeWidget::customContextMenuRequested, this, &Navigator::showMenu);
    connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (item && !item->data(0, PluralRole).toString().isEmpty())
            emit viewRequested(item->data(0, PluralRole).toString(), item->data(0, ClusterRole).toString());
    });
}

QStringList Navigator::setClusters(const QList<QJsonObject> &statefulSets)
{
    QHash<QString, QJsonObject> wanted;
    for (const QJsonObject &set : statefulSets)
        wanted.insert(set.value(u"metadata").toObject().value(u"name").toString(), set);
    QStringList gone;
    for (int i = m_clustersRoot->childCount() - 1; i >= 0; --i) {
        const QString name = m_clustersRoot->child(i)->data(0, ClusterRole).toString();
        if (wanted.contains(name))
            continue;
        delete m_clustersRoot->takeChild(i);
        gone.append(name);
    }
    QStringList names = wanted.keys();
    names.sort();
    for (const QString &name : names) {
        QTreeWidgetItem *item = clusterItem(name);
        if (!item)
            item = addCluster(name);
        const QJsonObject set = wanted.value(name);
        const int replicas = set.value(u"spec").toObject().value(u"replicas").toInt(1);
        const int ready = set.value(u"status").toObject().value(u"readyReplicas").toInt();
        item->setText(0, tr("%1 (%2/%3 ready)").arg(name).arg(ready).arg(replicas));
        item->setForeground(0, ready < replicas ? QBrush(QColor(u"#ef6c00"_s)) : QBrush());
    }
    m_clustersRoot->setText(0,
                            names.isEmpty() ? tr("TDengine clusters (none here)") : tr("TDengine clusters"));
    return gone;
}

QStringList Navigator::clusters() const
{
    QStringList names;
    for (int i = 0; i < m_clustersRoot->childCount(); ++i)
        names.append(m_clustersRoot->child(i)->data(0, ClusterRole).toString());
    return names;
}

bool Navigator::selectCluster(const QString &name)
{
    QTreeWidgetItem *item = clusterItem(name);
    if (item)
        setCurrentItem(item);
    return item;
}

QTreeWidgetItem *Navigator::clusterItem(const QString &name) const
{
    for (int i = 0; i < m_clustersRoot->childCount(); ++i) {
        if (m_clustersRoot->child(i)->data(0, ClusterRole).toString() == name)
            return m_clustersRoot->child(i);
    }
    return nullptr;
}

QTreeWidgetItem *Navigator::addCluster(const QString &name)
{
    QTreeWidgetItem *item = addEntry(m_clustersRoot, name, u"cluster"_s, name);
    addEntry(item, tr("Pods"), u"pods"_s, name);
    addEntry(item, tr("Volume claims"), u"persistentvolumeclaims"_s, name);
    item->setExpanded(true);
    return item;
}

void Navigator::showMenu(const QPoint &position)
{
    const QTreeWidgetItem *item = itemAt(position);
    QMenu menu(this);
    menu.addAction(m_deployAction);
    if (item && item->data(0, PluralRole).toString() == u"cluster") {
        const QString name = item->data(0, ClusterRole).toString();
        menu.addSeparator();
        menu.addAction(tr("Delete cluster %1…").arg(name), this,
                       [this, name] { emit deleteClusterRequested(name); });
    }
    menu.exec(viewport()->mapToGlobal(position));
}

} // namespace tdkube::ui
