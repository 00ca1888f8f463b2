#include "navigator.h"

#include <QAction>
#include <QBrush>
#include <QColor>
#include <QFont>
#include <QIcon>
#include <QMap>
#include <QMenu>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

namespace {

constexpr int PluralRole = Qt::UserRole;
constexpr int ClusterRole = Qt::UserRole + 1;
constexpr int NamespaceRole = Qt::UserRole + 2; // a cluster of another namespace, or its group

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
        if (!item)
            return;
        const QString plural = item->data(0, PluralRole).toString();
        const QString ns = item->data(0, NamespaceRole).toString();
        if (plural == u"cluster" && !ns.isEmpty())
            emit clusterElsewhereRequested(ns, item->data(0, ClusterRole).toString());
        else if (!plural.isEmpty() && plural != u"namespace")
            emit viewRequested(plural, item->data(0, ClusterRole).toString());
    });
}

QStringList Navigator::setClusters(const QString &ns, const QList<QJsonObject> &here,
                                   const QList<QJsonObject> &elsewhere, const QString &elsewhereNote)
{
    QHash<QString, QJsonObject> wanted;
    for (const QJsonObject &set : here)
        wanted.insert(set.value(u"metadata").toObject().value(u"name").toString(), set);
    QStringList gone;
    for (int i = m_clustersRoot->childCount() - 1; i >= 0; --i) {
        QTreeWidgetItem *item = m_clustersRoot->child(i);
        if (item->data(0, PluralRole).toString() != u"cluster")
            continue;
        const QString name = item->data(0, ClusterRole).toString();
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
        showReadiness(item, name, wanted.value(name));
    }
    // The open namespace's clusters first (its emptiness said where they would be), then the other
    // namespaces, then why they are not listed.
    setNote(&m_noneHere, names.isEmpty() && !ns.isEmpty() ? tr("none in namespace %1").arg(ns) : QString(),
            tr("Namespace %1 has no TDengine cluster. Pick one of another namespace below, choose another "
               "namespace above, or deploy one with \"Deploy cluster…\".")
                .arg(ns));
    moveNote(m_noneHere, 0);
    setElsewhere(elsewhere);
    m_elsewhereNoteText = elsewhereNote;
    setNote(&m_elsewhereNote, elsewhereNote.isEmpty() ? QString() : tr("Other namespaces not listed"),
            elsewhereNote);
    moveNote(m_elsewhereNote, m_clustersRoot->childCount() - 1);
    const bool anywhere = !names.isEmpty() || !clustersElsewhere().isEmpty();
    m_clustersRoot->setText(0, anywhere ? tr("TDengine clusters") : tr("TDengine clusters (none here)"));
    return gone;
}

void Navigator::showReadiness(QTreeWidgetItem *item, const QString &name, const QJsonObject &set)
{
    const int replicas = set.value(u"spec").toObject().value(u"replicas").toInt(1);
    const int ready = set.value(u"status").toObject().value(u"readyReplicas").toInt();
    item->setText(0, tr("%1 (%2/%3 ready)").arg(name).arg(ready).arg(replicas));
    item->setForeground(0, ready < replicas ? QBrush(QColor(u"#ef6c00"_s)) : QBrush());
}

// One group per other namespace, sorted, each with its clusters; updated in place, because
// deleting the current item would make Qt choose another and open its view.
void Navigator::setElsewhere(const QList<QJsonObject> &elsewhere)
{
    QMap<QString, QMap<QString, QJsonObject>> byNamespace;
    for (const QJsonObject &set : elsewhere) {
        const QJsonObject metadata = set.value(u"metadata").toObject();
        byNamespace[metadata.value(u"namespace").toString()].insert(metadata.value(u"name").toString(), set);
    }
    for (int i = m_clustersRoot->childCount() - 1; i >= 0; --i) {
        QTreeWidgetItem *group = m_clustersRoot->child(i);
        const QString ns = group->data(0, NamespaceRole).toString();
        if (group->data(0, PluralRole).toString() != u"namespace")
            continue;
        if (!byNamespace.contains(ns)) {
            delete m_clustersRoot->takeChild(i);
            continue;
        }
        for (int j = group->childCount() - 1; j >= 0; --j) {
            if (!byNamespace.value(ns).contains(group->child(j)->data(0, ClusterRole).toString()))
                delete group->takeChild(j);
        }
    }
    for (auto ns = byNamespace.cbegin(); ns != byNamespace.cend(); ++ns) {
        QTreeWidgetItem *group = nullptr;
        int position = 0;
        for (int i = 0; i < m_clustersRoot->childCount(); ++i) {
            QTreeWidgetItem *child = m_clustersRoot->child(i);
            if (child->data(0, PluralRole).toString() == u"namespace") {
                if (child->data(0, NamespaceRole).toString() == ns.key()) {
                    group = child;
                    break;
                }
                if (child->data(0, NamespaceRole).toString() > ns.key())
                    break;
            }
            position = i + 1;
        }
        if (!group) {
            group = new QTreeWidgetItem({tr("in namespace %1").arg(ns.key())});
            group->setData(0, PluralRole, u"namespace"_s);
            group->setData(0, NamespaceRole, ns.key());
            group->setFlags(Qt::ItemIsEnabled);
            group->setForeground(0, QBrush(QColor(u"#616161"_s)));
            m_clustersRoot->insertChild(position, group);
            group->setExpanded(true);
        }
        int row = 0;
        for (auto set = ns->cbegin(); set != ns->cend(); ++set, ++row) {
            QTreeWidgetItem *item = row < group->childCount() ? group->child(row) : nullptr;
            if (!item || item->data(0, ClusterRole).toString() != set.key()) {
                item = new QTreeWidgetItem({set.key()});
                item->setData(0, PluralRole, u"cluster"_s);
                item->setData(0, ClusterRole, set.key());
                item->setData(0, NamespaceRole, ns.key());
                item->setToolTip(0, tr("TDengine cluster %1 in namespace %2: opens its dashboard there")
                                        .arg(set.key(), ns.key()));
                group->insertChild(row, item);
            }
            showReadiness(item, set.key(), set.value());
        }
    }
}

void Navigator::moveNote(QTreeWidgetItem *note, int position)
{
    // Notes are never selectable, so moving one cannot change the current item.
    if (!note || m_clustersRoot->indexOfChild(note) == position)
        return;
    m_clustersRoot->removeChild(note);
    m_clustersRoot->insertChild(position, note);
}

void Navigator::setNote(QTreeWidgetItem **item, const QString &text, const QString &toolTip)
{
    if (text.isEmpty()) {
        delete std::exchange(*item, nullptr);
        return;
    }
    if (!*item) {
        *item = new QTreeWidgetItem(m_clustersRoot, {text});
        (*item)->setFlags(Qt::ItemIsEnabled);
        (*item)->setForeground(0, QBrush(QColor(u"#757575"_s)));
        QFont font = (*item)->font(0);
        font.setItalic(true);
        (*item)->setFont(0, font);
    }
    (*item)->setText(0, text);
    (*item)->setToolTip(0, toolTip);
}

QStringList Navigator::clusters() const
{
    QStringList names;
    for (int i = 0; i < m_clustersRoot->childCount(); ++i) {
        if (m_clustersRoot->child(i)->data(0, PluralRole).toString() == u"cluster")
            names.append(m_clustersRoot->child(i)->data(0, ClusterRole).toString());
    }
    return names;
}

QStringList Navigator::clustersElsewhere() const
{
    QStringList names;
    for (int i = 0; i < m_clustersRoot->childCount(); ++i) {
        const QTreeWidgetItem *group = m_clustersRoot->child(i);
        if (group->data(0, PluralRole).toString() != u"namespace")
            continue;
        for (int j = 0; j < group->childCount(); ++j)
            names.append(group->data(0, NamespaceRole).toString() + u'/' +
                         group->child(j)->data(0, ClusterRole).toString());
    }
    return names;
}

QString Navigator::elsewhereNote() const
{
    return m_elsewhereNoteText;
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
        QTreeWidgetItem *item = m_clustersRoot->child(i);
        if (item->data(0, PluralRole).toString() == u"cluster" &&
            item->data(0, ClusterRole).toString() == name)
            return item;
    }
    return nullptr;
}

QTreeWidgetItem *Navigator::addCluster(const QString &name)
{
    // After the clusters already listed, before the notes and the other namespaces.
    QTreeWidgetItem *item = new QTreeWidgetItem({name});
    item->setData(0, PluralRole, u"cluster"_s);
    item->setData(0, ClusterRole, name);
    int position = 0;
    while (position < m_clustersRoot->childCount() &&
           m_clustersRoot->child(position)->data(0, PluralRole).toString() == u"cluster" &&
           m_clustersRoot->child(position)->data(0, ClusterRole).toString() < name)
        ++position;
    m_clustersRoot->insertChild(position, item);
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
    // Deleting goes through the open namespace: a cluster of another one is opened first.
    if (item && item->data(0, PluralRole).toString() == u"cluster" && item->data(0, NamespaceRole).isNull()) {
        const QString name = item->data(0, ClusterRole).toString();
        menu.addSeparator();
        menu.addAction(tr("Delete cluster %1…").arg(name), this,
                       [this, name] { emit deleteClusterRequested(name); });
    }
    menu.exec(viewport()->mapToGlobal(position));
}

} // namespace tdkube::ui
