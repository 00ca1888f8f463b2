#include "mainwindow.h"

#include "clusterdashboard.h"
#include "clusteroperations.h"
#include "clusterview.h"
#include "detailspane.h"
#include "kube/explain.h"
#include "kube/sandboxlauncher.h"
#include "languagebutton.h"
#include "navigator.h"
#include "portforwardpanel.h"
#include "preferences.h"
#include "resourcetablemodel.h"
#include "resourceview.h"
#include "resumeoffer.h"
#include "welcomepage.h"

#include <QCloseEvent>
#include <QFileInfo>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QMessageBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

namespace {

const QStringList &shownKinds()
{
    static const QStringList kinds{u"pods"_s, u"persistentvolumeclaims"_s, u"statefulsets"_s, u"events"_s};
    return kinds;
}

QString titleOf(const QString &plural)
{
    if (plural == u"pods")
        return MainWindow::tr("Pods");
    if (plural == u"persistentvolumeclaims")
        return MainWindow::tr("Persistent volume claims");
    if (plural == u"statefulsets")
        return MainWindow::tr("StatefulSets");
    return MainWindow::tr("Events");
}

QString keyOf(const QJsonObject &object)
{
    const QJsonObject metadata = object.value(u"metadata").toObject();
    return metadata.value(u"namespace").toString() + u'/' + metadata.value(u"name").toString();
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_session(new kube::Session(this))
    , m_passwords(new taos::PasswordStore(this))
{
    setWindowTitle(u"tdkube"_s);
    setWindowIcon(QIcon(u":/icons/tdkube.svg"_s));
    resize(1280, 800);

    for (const QString &plural : shownKinds())
        m_models.insert(plural, new ResourceTableModel(plural, true, this));
    // The PVC table adds what a DBA must know before deleting a claim: what happens to its volume.
    m_models.value(u"persistentvolumeclaims"_s)
        ->setExtraColumn(tr("RECLAIM POLICY"), tr("The bound volume's persistentVolumeReclaimPolicy"),
                         [this](const QJsonObject &claim) {
                             const QString volume =
                                 claim.value(u"spec").toObject().value(u"volumeName").toString();
                             const kube::ResourceWatch *volumes = m_session->watch(u"persistentvolumes"_s);
                             if (volume.isEmpty() || !volumes)
                                 return QString();
                             return volumes->objects()
                                 .value(u'/' + volume)
                                 .value(u"spec")
                                 .toObject()
                                 .value(u"persistentVolumeReclaimPolicy")
                                 .toString();
                         });

    buildToolbar();
    auto *horizontal = new QSplitter(Qt::Horizontal, this);
    QList<QPair<QString, QString>> kinds;
    for (const QString &plural : shownKinds())
        kinds.append({plural, titleOf(plural)});
    m_navigator = new Navigator(kinds, m_connectionBar->deployAction(), horizontal);
    connect(m_navigator, &Navigator::viewRequested, this,
            [this](const QString &plural, const QString &cluster) { showView(plural, cluster); });
    // Queued: switching namespace rebuilds the tree whose signal this is.
    connect(m_navigator, &Navigator::clusterElsewhereRequested, this, &MainWindow::openCluster,
            Qt::QueuedConnection);
    connect(m_navigator, &Navigator::deleteClusterRequested, this,
            [this](const QString &name) { openDeleteCluster(name); });
    auto *right = new QWidget(horizontal);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    m_banner = new QLabel(right);
    m_banner->setObjectName(u"banner"_s);
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->hide();
    m_banner->installEventFilter(this);
    rightLayout->addWidget(m_banner);
    m_resumeOffers = new ResumeOffers(right);
    m_resumeOffers->setObjectName(u"resumeOffers"_s);
    rightLayout->addWidget(m_resumeOffers);
    auto *vertical = new QSplitter(Qt::Vertical, right);
    rightLayout->addWidget(vertical, 1);
    m_stack = new QStackedWidget(vertical);
    for (const QString &plural : shownKinds()) {
        auto *view = new ResourceView(m_models.value(plural), m_stack);
        view->setObjectName(plural + u"View"_s);
        view->setTitle(titleOf(plural));
        m_views.insert(plural, view);
        m_stack->addWidget(view);
        connect(view, &ResourceView::currentObjectChanged, this, &MainWindow::selectObject);
    }
    // kubectl -o wide's columns that rarely matter to a DBA; the header's menu shows them again.
    const QStringList hidden{u"NOMINATED NODE"_s, u"READINESS GATES"_s, u"VOLUMEATTRIBUTESCLASS"_s,
                             u"VOLUMEMODE"_s,     u"CONTAINERS"_s,      u"SELECTOR"_s};
    for (const QString &plural : shownKinds()) {
        const ResourceTableModel *model = m_models.value(plural);
        for (int column = 0; column < model->columnCount(); ++column) {
            if (hidden.contains(model->headerData(column, Qt::Horizontal).toString()))
                m_views.value(plural)->table()->setColumnHidden(column, true);
        }
    }
    QTableView *podTable = m_views.value(u"pods"_s)->table();
    podTable->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *deleteAction = new QAction(tr("Delete pod (its StatefulSet starts it again)…"), podTable);
    deleteAction->setObjectName(u"deletePodAction"_s);
    podTable->addAction(deleteAction);
    connect(deleteAction, &QAction::triggered, this,
            [this] { deletePod(m_views.value(u"pods"_s)->currentObject()); });
    m_clusterView = new ClusterView(m_stack);
    m_clusterView->setObjectName(u"clusterView"_s);
    connect(m_clusterView, &ClusterView::scaleRequested, this, [this] { openScaleWizard(m_currentCluster); });
    connect(m_clusterView, &ClusterView::repairRequested, this,
            [this] { openScaleWizard(m_currentCluster, true); });
    connect(m_clusterView, &ClusterView::configureRequested, this,
            [this] { openConfigureWizard(m_currentCluster); });
    connect(m_clusterView, &ClusterView::upgradeRequested, this,
            [this] { openConfigureWizard(m_currentCluster, true); });
    m_stack->addWidget(m_clusterView);
    m_forwards = new PortForwardPanel(m_stack);
    m_forwards->setObjectName(u"portForwards"_s);
    m_stack->addWidget(m_forwards);
    m_welcome = new WelcomePage(m_stack);
    m_welcome->setObjectName(u"welcomePage"_s);
    connect(m_welcome, &WelcomePage::trySandboxRequested, this, &MainWindow::startSandbox);
    m_stack->addWidget(m_welcome);
    m_details = new DetailsPane(vertical);
    vertical->addWidget(m_stack);
    vertical->addWidget(m_details);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);
    horizontal->addWidget(m_navigator);
    horizontal->addWidget(right);
    horizontal->setStretchFactor(1, 1);
    horizontal->setSizes({230, 1050});
    setCentralWidget(horizontal);

    m_connection = new QLabel(tr("No context"), this);
    m_connection->setObjectName(u"connection"_s);
    statusBar()->addPermanentWidget(m_connection, 1);

    m_refresh.setSingleShot(true);
    m_refresh.setInterval(100);
    connect(&m_refresh, &QTimer::timeout, this, &MainWindow::refreshDerived);
    connect(m_details, &DetailsPane::editRequested, this,
            [this](const QJsonObject &object) { openObjectEditor(object); });
    connect(m_session, &kube::Session::watchesReplaced, this, &MainWindow::bindWatches);
    connect(m_session, &kube::Session::reachabilityChanged, this, &MainWindow::showReachability);
    connect(m_session, &kube::Session::namespacesChanged, this, &MainWindow::fillNamespaces);

    restoreGeometry(preferences::windowGeometry().get());
    showView(u"pods"_s);
}

MainWindow::~MainWindow()
{
    // Port-forwards and SQL clients hold the session's KubeClient: they go first.
    dropClusterConnections();
    // Stopping a watch says so to this window's slots: while it is still a MainWindow.
    m_session->close();
}

void MainWindow::dropClusterConnections()
{
    m_forwards->setScope(nullptr, {}, {});
    m_clusterView->setConnection(nullptr, {});
    m_clusterView->operations()->setCluster(nullptr, nullptr, {}, {}, {});
    qDeleteAll(std::exchange(m_clusterConnections, {}));
}

void MainWindow::buildToolbar()
{
    m_connectionBar = new ConnectionBar(this);
    addToolBar(m_connectionBar);
    connect(m_connectionBar->deployAction(), &QAction::triggered, this, [this] { openDeployWizard(); });
    connect(m_connectionBar, &ConnectionBar::restartRequested, this, [this] {
        // Only once the window agreed to close (an operation running asks first).
        if (close())
            LanguageButton::restart();
    });
    connect(m_connectionBar, &ConnectionBar::contextRequested, this,
            [this](const QString &context) { openContext(context); });
    connect(m_connectionBar, &ConnectionBar::namespaceRequested, this, &MainWindow::setNamespace);
}

void MainWindow::openKubeconfig(const kube::Kubeconfig &config, const QString &context,
                                const std::optional<QString> &ns, const QString &cluster)
{
    m_session->setKubeconfig(config);
    // --cluster NAMESPACE/NAME opens that namespace unless -n says otherwise.
    std::optional<QString> chosenNs = ns;
    m_pendingCluster = cluster;
    if (cluster.contains(u'/')) {
        m_pendingCluster = cluster.section(u'/', 1);
        if (!chosenNs)
            chosenNs = cluster.section(u'/', 0, 0);
    }
    m_connectionBar->setKubeconfig(config);
    const QStringList names = config.contextNames();
    const QString remembered = preferences::lastContext().get();
    QString chosen = context;
    if (chosen.isEmpty())
        chosen = names.contains(remembered) ? remembered : config.currentContext();
    if (chosen.isEmpty() && !names.isEmpty())
        chosen = names.first();
    if (chosen.isEmpty()) {
        const QString files = config.files().join(u", ");
        const bool found = std::any_of(config.files().cbegin(), config.files().cend(),
                                       [](const QString &file) { return QFileInfo::exists(file); });
        const QString reason =
            !found ? tr("There is no kubeconfig: tdkube looked for %1.").arg(files)
            : config.problems().isEmpty()
                ? tr("The kubeconfig (%1) defines no context.").arg(files)
                : tr("The kubeconfig (%1) could not be used: see its problems above.").arg(files);
        m_connection->setText(
            tr("No context. %1 Start tdkube with --kubeconfig FILE, or set KUBECONFIG.").arg(reason));
        showWelcome(reason);
        return;
    }
    openContext(chosen, chosenNs);
}

void MainWindow::showWelcome(const QString &reason)
{
    m_welcome->setReason(reason);
    m_welcome->setSandboxStateDir(kube::SandboxLauncher::stateDir());
    m_stack->setCurrentWidget(m_welcome);
    m_details->hide();
}

void MainWindow::startSandbox()
{
    if (!m_sandbox) {
        m_sandbox = new kube::SandboxLauncher(this);
        connect(m_sandbox, &kube::SandboxLauncher::failed, m_welcome, &WelcomePage::showError);
        connect(m_sandbox, &kube::SandboxLauncher::started, this, [this](const QString &kubeconfig) {
            openKubeconfig(kube::Kubeconfig::load({kubeconfig}), {}, std::nullopt,
                           kube::SandboxLauncher::demoCluster());
        });
    }
    m_welcome->showStarting();
    m_sandbox->start();
}

void MainWindow::openContext(const QString &context, const std::optional<QString> &ns)
{
    std::optional<QString> chosen = ns;
    const auto remembered = preferences::lastNamespace(context);
    if (!chosen && remembered.isSet())
        chosen = remembered.get();
    m_details->clear();
    m_selectedKey.clear();
    showBanner({});
    dropClusterConnections();
    if (m_stack->currentWidget() == m_welcome)
        showView(m_currentPlural);
    m_session->open(context, chosen);
    m_forwards->setScope(m_session->client(), context, m_session->ns());
    preferences::lastContext().set(context);
    preferences::lastNamespace(context).set(m_session->ns());
    m_connectionBar->setContext(context, m_session->insecure());
    fillNamespaces();
    showReachability();
    // An operation cut short on this context (tdkube killed half-way) is offered first.
    m_resumeOffers->setPollInterval(m_operationPollMs);
    m_resumeOffers->setScope(m_session->client(), m_passwords, context);
}

void MainWindow::setNamespace(const QString &ns)
{
    if (m_session->context().isEmpty())
        return;
    m_details->clear();
    m_selectedKey.clear();
    dropClusterConnections();
    m_session->setNamespace(ns);
    m_forwards->setScope(m_session->client(), m_session->context(), ns);
    preferences::lastNamespace(m_session->context()).set(ns);
    fillNamespaces();
}

void MainWindow::fillNamespaces()
{
    const QString ns = m_session->ns();
    const QString error = m_session->namespacesError();
    m_connectionBar->setNamespaces(m_session->namespaces(), ns, error);
    if (!error.isEmpty())
        statusBar()->showMessage(
            tr("The namespaces could not be listed (%1). Type one in the Namespace box.").arg(error), 15000);
    setWindowTitle(
        tr("tdkube — %1 / %2").arg(m_session->context(), ns.isEmpty() ? tr("all namespaces") : ns));
}

void MainWindow::showReachability()
{
    using R = kube::Session::Reachability;
    const QString detail = m_session->reachabilityDetail();
    QString text;
    QString color = u"#616161"_s;
    switch (m_session->reachability()) {
    case R::Unknown:
        text = detail.isEmpty() ? tr("Not connected") : detail;
        break;
    case R::Reachable:
        text = u"● "_s + detail;
        color = u"#2e7d32"_s;
        break;
    case R::Unreachable:
        text = tr("● Context %1 is unreachable: %2").arg(m_session->context(), detail);
        color = u"#c62828"_s;
        break;
    case R::Unusable:
        text = tr("● Context %1 cannot be used: %2").arg(m_session->context(), detail);
        color = u"#c62828"_s;
        break;
    }
    m_connection->setText(text);
    m_connection->setToolTip(text);
    m_connection->setStyleSheet(u"QLabel { color: %1; }"_s.arg(color));
    if (m_session->reachability() == R::Unusable || m_session->reachability() == R::Unreachable) {
        for (const QString &plural : shownKinds()) {
            if (!m_session->watch(plural))
                m_views.value(plural)->setWatchState(kube::ResourceWatch::State::Stopped, detail);
        }
    }
}

void MainWindow::bindWatches()
{
    for (const QString &plural : shownKinds()) {
        ResourceTableModel *model = m_models.value(plural);
        ResourceView *view = m_views.value(plural);
        model->clear();
        kube::ResourceWatch *watch = m_session->watch(plural);
        if (!watch) {
            view->setWatchState(kube::ResourceWatch::State::Stopped, m_session->reachabilityDetail());
            continue;
        }
        view->setWatchState(watch->state(), watch->stateReason());
        connect(watch, &kube::ResourceWatch::reset, model, &ResourceTableModel::reset);
        connect(watch, &kube::ResourceWatch::added, model, &ResourceTableModel::added);
        connect(watch, &kube::ResourceWatch::modified, model, &ResourceTableModel::modified);
        connect(watch, &kube::ResourceWatch::deleted, model, &ResourceTableModel::deleted);
        connect(watch, &kube::ResourceWatch::stateChanged, view, &ResourceView::setWatchState);
    }
    // Derived state (clusters, stale claims, reclaim policies, the details pane) follows every kind.
    for (const QString &plural :
         {u"pods"_s, u"persistentvolumeclaims"_s, u"statefulsets"_s, u"events"_s, u"persistentvolumes"_s,
          u"storageclasses"_s, kube::Session::allStatefulSets()}) {
        kube::ResourceWatch *watch = m_session->watch(plural);
        if (!watch)
            continue;
        connect(watch, &kube::ResourceWatch::stateChanged, this, &MainWindow::scheduleRefresh);
        connect(watch, &kube::ResourceWatch::reset, this, &MainWindow::scheduleRefresh);
        connect(watch, &kube::ResourceWatch::added, this, &MainWindow::scheduleRefresh);
        connect(watch, &kube::ResourceWatch::modified, this, &MainWindow::scheduleRefresh);
        connect(watch, &kube::ResourceWatch::deleted, this, &MainWindow::scheduleRefresh);
    }
    refreshClusters();
}

void MainWindow::scheduleRefresh()
{
    if (!m_refresh.isActive())
        m_refresh.start();
}

void MainWindow::refreshDerived()
{
    m_models.value(u"persistentvolumeclaims"_s)
        ->setRowNotes(kube::staleClaims(watched(u"statefulsets"_s), watched(u"persistentvolumeclaims"_s)));
    m_models.value(u"persistentvolumeclaims"_s)->refreshExtraColumn();
    refreshClusters();
    refreshDetails();
    if (!m_forwards->isVisible())
        return; // the forward targets are offered only while someone looks at them
    const auto names = [this](const QString &plural) {
        QStringList result;
        for (const QJsonObject &object : watched(plural))
            result.append(object.value(u"metadata").toObject().value(u"name").toString());
        result.sort();
        return result;
    };
    m_forwards->setTargets(names(u"pods"_s), names(u"statefulsets"_s), {u"taosadapter"_s, u"taosd"_s});
}

QList<QJsonObject> MainWindow::watched(const QString &plural) const
{
    const kube::ResourceWatch *watch = m_session->watch(plural);
    return watch ? watch->objects().values() : QList<QJsonObject>();
}

QJsonObject MainWindow::statefulSet(const QString &name) const
{
    const kube::ResourceWatch *watch = m_session->watch(u"statefulsets"_s);
    if (!watch)
        return {};
    for (const QJsonObject &set : watch->objects()) {
        if (set.value(u"metadata").toObject().value(u"name").toString() == name)
            return set;
    }
    return {};
}

QTreeWidget *MainWindow::navigator() const
{
    return m_navigator;
}

QStringList MainWindow::tdengineClusters() const
{
    return m_navigator->clusters();
}

QStringList MainWindow::tdengineClustersElsewhere() const
{
    return m_navigator->clustersElsewhere();
}

void MainWindow::refreshClusters()
{
    const QString ns = m_session->ns();
    QList<QJsonObject> here;
    QList<QJsonObject> elsewhere;
    if (!ns.isEmpty()) {
        for (const QJsonObject &set : watched(u"statefulsets"_s)) {
            if (kube::isTdengineStatefulSet(set))
                here.append(set);
        }
    }
    const QString everywhere = ns.isEmpty() ? u"statefulsets"_s : kube::Session::allStatefulSets();
    for (const QJsonObject &set : watched(everywhere)) {
        if (kube::isTdengineStatefulSet(set) &&
            set.value(u"metadata").toObject().value(u"namespace").toString() != ns)
            elsewhere.append(set);
    }
    QString note;
    const kube::ResourceWatch *others = m_session->watch(everywhere);
    if (!ns.isEmpty() && others && others->state() == kube::ResourceWatch::State::Stopped)
        note =
            tr("The TDengine clusters of other namespaces cannot be listed: %1\nOnly namespace %2 is shown; "
               "type another namespace in the Namespace box to look there.")
                .arg(others->stateReason(), ns);
    for (const QString &gone : m_navigator->setClusters(ns, here, elsewhere, note)) {
        if (!m_clusterConnections.contains(gone))
            continue;
        if (m_clusterView->connection() == m_clusterConnections.value(gone))
            m_clusterView->setConnection(nullptr, {});
        delete m_clusterConnections.take(gone);
    }
    if (m_pendingCluster.isEmpty() || m_navigator->selectCluster(m_pendingCluster))
        m_pendingCluster.clear();
    else
        openPendingClusterElsewhere(elsewhere);
}

// --cluster NAME without a namespace, when NAME is not in the open one: the only cluster of that
// name in another namespace is opened there, once the open namespace's list is complete.
void MainWindow::openPendingClusterElsewhere(const QList<QJsonObject> &elsewhere)
{
    const kube::ResourceWatch *local = m_session->watch(u"statefulsets"_s);
    if (m_session->ns().isEmpty() || !local || local->state() != kube::ResourceWatch::State::Live)
        return;
    QStringList namespaces;
    for (const QJsonObject &set : elsewhere) {
        const QJsonObject metadata = set.value(u"metadata").toObject();
        if (metadata.value(u"name").toString() == m_pendingCluster)
            namespaces.append(metadata.value(u"namespace").toString());
    }
    if (namespaces.size() == 1)
        openCluster(namespaces.first(), m_pendingCluster);
}

void MainWindow::openCluster(const QString &ns, const QString &name)
{
    m_pendingCluster = name;
    if (ns == m_session->ns())
        refreshClusters();
    else
        setNamespace(ns);
}

void MainWindow::showView(const QString &plural, const QString &cluster)
{
    if (plural == u"cluster") {
        showCluster(cluster);
        return;
    }
    if (plural == u"portforwards") {
        m_currentPlural = plural;
        m_stack->setCurrentWidget(m_forwards);
        m_details->hide();
        refreshDerived();
        return;
    }
    ResourceView *view = m_views.value(plural);
    if (!view)
        return;
    m_currentPlural = plural;
    m_currentCluster = cluster;
    if (cluster.isEmpty()) {
        view->setTitle(titleOf(plural));
        view->setScope({});
    } else {
        view->setTitle(tr("TDengine cluster %1 — %2").arg(cluster, titleOf(plural).toLower()));
        view->setScope([this, cluster](const QJsonObject &object) {
            return kube::ordinalInStatefulSet(object, statefulSet(cluster)) >= 0;
        });
    }
    m_stack->setCurrentWidget(view);
    m_details->show();
    selectObject(view->currentObject());
}

ResourceView *MainWindow::currentView() const
{
    return m_views.value(m_currentPlural);
}

void MainWindow::showCluster(const QString &name)
{
    m_currentPlural = u"cluster"_s;
    m_currentCluster = name;
    taos::ClusterConnection *connection = m_clusterConnections.value(name);
    if (!connection && m_session->client()) {
        const QString key = m_session->context() + u'/' + m_session->ns() + u'/' + name;
        connection =
            new taos::ClusterConnection(m_session->client(), m_session->ns(), name, key, m_passwords, this);
        connection->setPollInterval(m_pollIntervalMs);
        m_clusterConnections.insert(name, connection);
        connection->start();
    }
    m_clusterView->setConnection(connection, [this, name](const taos::ClusterSnapshot &snapshot) {
        return assessCluster(name, snapshot);
    });
    QStringList templates;
    for (const QJsonValue &value :
         statefulSet(name).value(u"spec").toObject().value(u"volumeClaimTemplates").toArray())
        templates.append(value.toObject().value(u"metadata").toObject().value(u"name").toString());
    m_clusterView->dashboard()->setClaimTemplates(templates);
    m_clusterView->setStatefulSet(statefulSet(name));
    m_clusterView->operations()->setPollInterval(m_operationPollMs);
    m_clusterView->operations()->setCluster(m_session->client(), m_passwords, m_session->context(),
                                            m_session->ns(), name);
    m_stack->setCurrentWidget(m_clusterView);
    m_details->hide(); // the dashboard needs the room; tables bring the details back
    m_details->clear();
    m_selectedKey.clear();
}

QList<taos::HealthWarning> MainWindow::assessCluster(const QString &name,
                                                     const taos::ClusterSnapshot &snapshot) const
{
    const QJsonObject set = statefulSet(name);
    QList<QJsonObject> pods;
    for (const QJsonObject &pod : watched(u"pods"_s)) {
        if (kube::ordinalInStatefulSet(pod, set) >= 0)
            pods.append(pod);
    }
    const QList<QJsonObject> claims = watched(u"persistentvolumeclaims"_s);
    return taos::assessHealth(snapshot, set, pods, kube::staleClaims({set}, claims),
                              taos::dataClaimsCreated(set, claims));
}

kube::PodSurroundings MainWindow::surroundings() const
{
    kube::PodSurroundings around;
    if (const kube::ResourceWatch *claims = m_session->watch(u"persistentvolumeclaims"_s))
        around.claims = claims->objects();
    if (const kube::ResourceWatch *classes = m_session->watch(u"storageclasses"_s)) {
        for (const QJsonObject &storageClass : classes->objects())
            around.storageClasses.insert(storageClass.value(u"metadata").toObject().value(u"name").toString(),
                                         storageClass);
        around.storageClassesKnown = classes->state() == kube::ResourceWatch::State::Live;
    }
    around.events = watched(u"events"_s);
    return around;
}

void MainWindow::selectObject(const QJsonObject &object)
{
    if (object.isEmpty()) {
        m_selectedKey.clear();
        m_details->clear();
        return;
    }
    m_selectedKey = m_currentPlural + u'|' + keyOf(object);
    refreshDetails();
}

void MainWindow::refreshDetails()
{
    if (m_selectedKey.isEmpty())
        return;
    const QString plural = m_selectedKey.section(u'|', 0, 0);
    const QString key = m_selectedKey.section(u'|', 1);
    const kube::ResourceWatch *watch = m_session->watch(plural);
    if (!watch || !watch->objects().contains(key)) {
        m_details->clear();
        return;
    }
    QString note;
    if (plural == u"persistentvolumeclaims") {
        const ResourceTableModel *claims = m_models.value(plural);
        note = claims->rowNote(claims->rowOf(key.section(u'/', 0, 0), key.section(u'/', 1)));
    }
    m_details->showObject(m_session->client(), watch->objects().value(key), surroundings(), note);
}

void MainWindow::deletePod(const QJsonObject &pod, bool confirm)
{
    const QJsonObject metadata = pod.value(u"metadata").toObject();
    const QString ns = metadata.value(u"namespace").toString();
    const QString name = metadata.value(u"name").toString();
    if (name.isEmpty() || !m_session->client())
        return;
    if (confirm &&
        QMessageBox::question(this, tr("Delete pod %1?").arg(name),
                              tr("Pod %1 in namespace %2 will be stopped (its containers get their "
                                 "grace period) and its controller will start it again. Its volumes "
                                 "are kept.")
                                  .arg(name, ns)) != QMessageBox::Yes)
        return;
    m_session->client()->remove(
        kube::ResourceKind::pods(), ns, name, {}, this, [this, name](const kube::KubeResponse &response) {
            if (response.cancelled)
                return;
            if (!response.ok()) {
                showBanner(tr("Could not delete pod %1. %2").arg(name, response.error));
                return;
            }
            statusBar()->showMessage(tr("Pod %1 is being deleted.").arg(name), 8000);
        });
}

QList<ops::Journal> MainWindow::unfinishedOperations() const
{
    return m_resumeOffers->operations();
}

void MainWindow::setOperationPollInterval(int ms)
{
    m_operationPollMs = ms;
    m_resumeOffers->setPollInterval(ms);
    m_clusterView->operations()->setPollInterval(ms);
}

void MainWindow::showBanner(const QString &text, bool error)
{
    m_banner->setText(text);
    m_banner->setToolTip(tr("Click to dismiss"));
    m_banner->setStyleSheet(
        error ? u"QLabel { background:#ffebee; color:#b71c1c; padding:8px; border:1px solid #ef9a9a; }"_s
              : u"QLabel { background:#e3f2fd; color:#0d47a1; padding:8px; }"_s);
    m_banner->setVisible(!text.isEmpty());
}

QString MainWindow::bannerText() const
{
    return m_banner->isVisible() ? m_banner->text() : QString();
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_banner && event->type() == QEvent::MouseButtonRelease)
        m_banner->hide();
    return QMainWindow::eventFilter(watched, event);
}

QString MainWindow::connectionText() const
{
    return m_connection->text();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    preferences::windowGeometry().set(saveGeometry());
    QMainWindow::closeEvent(event);
}

} // namespace tdkube::ui
