#include "deploy/deploymonitor.h"

#include "kube/explain.h"
#include "kube/humanduration.h"
#include "kube/kubeclient.h"
#include "kube/objects.h"
#include "kube/portforward.h"
#include "kube/printers.h"
#include "kube/resourcewatch.h"
#include "kube/selectors.h"
#include "taos/clusterconnection.h"
#include "taos/passwordstore.h"
#include "taos/restclient.h"
#include "taos/snapshotpoller.h"
#include "taos/systables.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QStringList>

#include <algorithm>

Q_LOGGING_CATEGORY(lcDeployMonitor, "tdkube.deploy.monitor", QtWarningMsg)

namespace tdkube::deploy {

using namespace Qt::StringLiterals;

namespace {

enum WatchIndex { PodsWatch, EventsWatch, ClaimsWatch, ClassesWatch, WatchCount };

// TSDB_CODE_MND_MNODE_ALREADY_EXIST: someone (or an earlier run) created it meanwhile.
constexpr int kMnodeAlreadyExists = 0x03A0;

int columnIndex(const QString &resource, const QString &name)
{
    const QList<kube::PrintColumn> columns = kube::printColumns(resource);
    for (qsizetype i = 0; i < columns.size(); ++i) {
        if (columns.at(i).name == name)
            return int(i);
    }
    return -1;
}

// A list comes in no particular order; the log tells the events as they happened.
std::pair<QString, qlonglong> eventOrder(const QJsonObject &event)
{
    QString time = event.value(u"lastTimestamp").toString();
    if (time.isEmpty())
        time = event.value(u"eventTime").toString();
    if (time.isEmpty())
        time = kube::metadataOf(event).value(u"creationTimestamp").toString();
    return {time, kube::metadataOf(event).value(u"resourceVersion").toString().toLongLong()};
}

// "3 rows: 1 tdengine-0.taosd.db.svc.cluster.local:6030 ready; ..." from the columns a person
// follows a deploy by, so that a poll's log line changes exactly when its answer does.
QString summarize(const taos::Result &result)
{
    if (result.affectedRows() >= 0)
        //: the answer to a statement that returns no rows (create mnode), in the deploy log
        return DeployMonitor::tr("OK");
    static const QStringList interesting{u"id"_s, u"endpoint"_s, u"role"_s, u"status"_s};
    QList<qsizetype> columns;
    for (qsizetype c = 0; c < result.columnCount(); ++c) {
        if (interesting.contains(result.columns().at(c).name))
            columns.append(c);
    }
    QStringList rows;
    for (qsizetype r = 0; r < result.rowCount(); ++r) {
        QStringList cells;
        for (const qsizetype c : std::as_const(columns))
            cells.append(result.text(r, c));
        rows.append(cells.join(u' '));
    }
    const QString count = DeployMonitor::tr("%n row(s)", nullptr, int(result.rowCount()));
    return rows.isEmpty() ? count : count + u": "_s + rows.join(u"; ");
}

} // namespace

DeployMonitor::DeployMonitor(kube::KubeClient *client, taos::PasswordStore *passwords, DeployTarget target,
                             QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_passwords(passwords)
    , m_target(std::move(target))
{
    m_stageTimer.setSingleShot(true);
    connect(&m_stageTimer, &QTimer::timeout, this, &DeployMonitor::stageTimedOut);
    m_pollTimer.setSingleShot(true);
    m_pollTimer.setInterval(kDefaultPollIntervalMs);
    connect(&m_pollTimer, &QTimer::timeout, this, [this] {
        switch (m_stage) {
        case Stage::Dnodes:
            pollDnodes();
            break;
        case Stage::Mnodes:
            pollMnodes();
            break;
        case Stage::Verify:
            pollVerify();
            break;
        default:
            break;
        }
    });
}

DeployMonitor::~DeployMonitor()
{
    m_running = false;
    teardown();
}

void DeployMonitor::start()
{
    if (m_running)
        return;
    ++m_run;
    m_running = true;
    m_pods.clear();
    m_loggedEvents.clear();
    m_listed.clear();
    m_readyPods = -1;
    m_dnodes.clear();
    m_joined.clear();
    m_mnodeTodo.clear();
    m_mnodeCreated.clear();
    m_mnodeSeenReady.clear();
    m_lastPollAnswer.clear();
    m_lastConnectionText.clear();
    m_waitingFor.clear();
    m_stageTimer.stop();
    setStage(Stage::Pods, tr("Reading StatefulSet %1").arg(m_target.statefulSet));
    m_waitingFor = tr("StatefulSet %1 to be read").arg(m_target.statefulSet);
    fetchStatefulSet();
}

void DeployMonitor::cancel()
{
    if (!m_running)
        return;
    finish(false, tr("Cancelled while: %1. Nothing was undone: what was applied stays in the cluster. "
                     "Follow the deploy again to continue, or delete the cluster.")
                      .arg(m_stageText));
}

void DeployMonitor::setTimeouts(int podsMs, int dnodesMs, int mnodesMs)
{
    m_timeoutsMs[0] = podsMs;
    m_timeoutsMs[1] = dnodesMs;
    m_timeoutsMs[2] = mnodesMs;
}

void DeployMonitor::setPollInterval(int ms)
{
    m_pollTimer.setInterval(ms);
}

taos::ClusterConnection *DeployMonitor::connection() const
{
    return m_connection.data();
}

QList<PodProgress> DeployMonitor::pods() const
{
    QList<PodProgress> pods = m_pods.values();
    const QString set = m_target.statefulSet;
    std::sort(pods.begin(), pods.end(), [&set](const PodProgress &a, const PodProgress &b) {
        return kube::podOrdinal(a.name, set) < kube::podOrdinal(b.name, set);
    });
    return pods;
}

// Stage 1: pods ------------------------------------------------------------------------------------

void DeployMonitor::fetchStatefulSet()
{
    if (!m_client) {
        finish(
            false,
            tr("There is no connection to the Kubernetes cluster. Connect, then follow the deploy again."));
        return;
    }
    const int run = m_run;
    m_client->get(
        kube::ResourceKind::statefulSets(), m_target.ns, m_target.statefulSet, this,
        [this, run](const kube::KubeResponse &response) {
            if (run != m_run)
                return;
            if (response.httpStatus == 404) {
                finish(false, tr("StatefulSet %1 does not exist in namespace %2, so there is "
                                 "nothing to follow. Apply the cluster's manifests first, then "
                                 "follow the deploy again.")
                                  .arg(m_target.statefulSet, m_target.ns));
                return;
            }
            if (!response.ok()) {
                finish(false,
                       tr("Could not read StatefulSet %1: %2").arg(m_target.statefulSet, response.error));
                return;
            }
            watchPods(response.json());
        });
}

void DeployMonitor::watchPods(const QJsonObject &statefulSet)
{
    m_statefulSet = statefulSet;
    QString selector =
        kube::LabelSelector::fromObject(statefulSet.value(u"spec").toObject().value(u"selector").toObject())
            .toString();
    if (selector.isEmpty())
        selector = u"app.kubernetes.io/instance="_s + m_target.statefulSet;
    log(tr("Following StatefulSet %1 in namespace %2 (pods %3), %4 replica(s)")
            .arg(m_target.statefulSet, m_target.ns, selector)
            .arg(m_target.replicas));
    setStage(Stage::Pods, tr("Waiting for pods (0 of %1 ready)").arg(m_target.replicas));
    m_waitingFor = tr("the first list of pods, events, volume claims and storage classes");
    m_watches = {makeWatch(PodsWatch, m_target.ns, selector), makeWatch(EventsWatch, m_target.ns, {}),
                 makeWatch(ClaimsWatch, m_target.ns, {}), makeWatch(ClassesWatch, {}, {})};
    for (const QPointer<kube::ResourceWatch> &watch : std::as_const(m_watches))
        watch->start();
}

kube::ResourceWatch *DeployMonitor::makeWatch(int index, const QString &ns, const QString &labelSelector)
{
    static const kube::ResourceKind kinds[WatchCount] = {
        kube::ResourceKind::pods(), kube::ResourceKind::events(),
        kube::ResourceKind::persistentVolumeClaims(), kube::ResourceKind::storageClasses()};
    kube::ListOptions options;
    options.labelSelector = labelSelector;
    auto *watch = new kube::ResourceWatch(m_client.data(), kinds[index], ns, options, this);
    const int run = m_run;
    connect(watch, &kube::ResourceWatch::reset, this, [this, run, index](const QList<QJsonObject> &objects) {
        if (run != m_run)
            return;
        m_listed.insert(index);
        if (index == EventsWatch) {
            QList<QJsonObject> events = objects;
            std::sort(events.begin(), events.end(), [](const QJsonObject &a, const QJsonObject &b) {
                return eventOrder(a) < eventOrder(b);
            });
            for (const QJsonObject &event : std::as_const(events))
                logEvent(event);
        }
        podsChanged();
    });
    auto changed = [this, run, index](const QJsonObject &object) {
        if (run != m_run)
            return;
        if (index == EventsWatch)
            logEvent(object);
        podsChanged();
    };
    connect(watch, &kube::ResourceWatch::added, this, changed);
    connect(watch, &kube::ResourceWatch::modified, this, changed);
    connect(watch, &kube::ResourceWatch::deleted, this, changed);
    connect(watch, &kube::ResourceWatch::stateChanged, this,
            [this, run, index](kube::ResourceWatch::State state, const QString &reason) {
                if (run != m_run || state != kube::ResourceWatch::State::Stopped)
                    return;
                if (index == PodsWatch) {
                    finish(false, tr("Could not watch the pods of %1: %2").arg(m_target.statefulSet, reason));
                    return;
                }
                // Events, claims and classes only explain; without them the pods are still followed.
                log(tr("Not watching %1: %2").arg(kinds[index].plural, reason));
                m_listed.insert(index);
                podsChanged();
            });
    return watch;
}

void DeployMonitor::podsChanged()
{
    // Pods are reported through every stage; only the Pods stage waits on them.
    if (!m_running || m_listed.size() < WatchCount || m_watches.size() < WatchCount)
        return;
    QSet<QString> present;
    int ready = 0;
    for (const QJsonObject &pod : m_watches.at(PodsWatch)->objects()) {
        if (kube::ordinalInStatefulSet(pod, m_statefulSet) < 0)
            continue;
        present.insert(kube::nameOf(pod));
        updatePod(pod);
        if (kube::isPodReady(pod) &&
            kube::podOrdinal(kube::nameOf(pod), m_target.statefulSet) < m_target.replicas)
            ++ready;
    }
    for (auto it = m_pods.begin(); it != m_pods.end();) {
        it = present.contains(it.key()) ? std::next(it) : m_pods.erase(it);
    }
    if (m_stage != Stage::Pods)
        return;
    for (const QJsonObject &pod : m_watches.at(PodsWatch)->objects()) {
        if (!present.contains(kube::nameOf(pod)))
            continue;
        const QString reason = unschedulableReason(pod);
        if (!reason.isEmpty()) {
            finish(false, reason);
            return;
        }
    }
    if (ready != m_readyPods) {
        m_readyPods = ready;
        setStage(Stage::Pods, tr("Waiting for pods (%1 of %2 ready)").arg(ready).arg(m_target.replicas));
    }
    QStringList waiting;
    for (const PodProgress &pod : pods()) {
        if (!pod.ready)
            waiting.append(pod.name + u": "_s + pod.status +
                           (pod.detail.isEmpty() ? QString() : u" ("_s + pod.detail + u')'));
    }
    m_waitingFor = tr("%1 of %2 pods ready").arg(ready).arg(m_target.replicas) +
                   (waiting.isEmpty() ? QString() : u"; "_s + waiting.join(u"; "));
    if (ready >= m_target.replicas && m_podsOnly)
        finish(true, tr("%n pod(s) Ready", nullptr, ready));
    else if (ready >= m_target.replicas)
        startDnodes();
}

void DeployMonitor::updatePod(const QJsonObject &pod)
{
    static const int statusColumn = columnIndex(u"pods"_s, u"Status"_s);
    const QString name = kube::nameOf(pod);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    kube::PodSurroundings around;
    for (const QJsonObject &claim : m_watches.at(ClaimsWatch)->objects())
        around.claims.insert(kube::namespaceOf(claim) + u'/' + kube::nameOf(claim), claim);
    for (const QJsonObject &storageClass : m_watches.at(ClassesWatch)->objects())
        around.storageClasses.insert(kube::nameOf(storageClass), storageClass);
    around.storageClassesKnown = m_watches.at(ClassesWatch)->state() == kube::ResourceWatch::State::Live;
    around.events = m_watches.at(EventsWatch)->objects().values();

    PodProgress progress;
    progress.name = name;
    progress.status = kube::printRow(u"pods"_s, pod, now).cells.at(statusColumn).toString();
    progress.ready = kube::isPodReady(pod);
    progress.detail = kube::explainPod(pod, around);
    if (progress.ready) {
        // Its past events (a claim not bound yet at first) would read as trouble next to "Ready".
        const QJsonObject spec = pod.value(u"spec"_s).toObject();
        const QJsonObject status = pod.value(u"status"_s).toObject();
        progress.detail = tr("on node %1, IP %2")
                              .arg(spec.value(u"nodeName"_s).toString(), status.value(u"podIP"_s).toString());
    } else if (progress.detail.isEmpty()) {
        const QList<QJsonObject> events = kube::eventsFor(pod, around.events);
        if (!events.isEmpty())
            progress.detail = events.first().value(u"reason").toString() + u": "_s +
                              events.first().value(u"message").toString();
    }
    const auto known = m_pods.constFind(name);
    if (known != m_pods.cend() && known->status == progress.status && known->ready == progress.ready &&
        known->detail == progress.detail)
        return;
    m_pods.insert(name, progress);
    emit podChanged(progress);
}

// A claim that asks for a storage class the cluster does not have stays Pending forever: the
// provisioner will not invent the class, and a claim's class cannot be changed.
QString DeployMonitor::unschedulableReason(const QJsonObject &pod) const
{
    if (m_watches.at(ClassesWatch)->state() != kube::ResourceWatch::State::Live)
        return {};
    const auto &claims = m_watches.at(ClaimsWatch)->objects();
    const auto &classes = m_watches.at(ClassesWatch)->objects();
    for (const QJsonValue &volume : pod.value(u"spec").toObject().value(u"volumes").toArray()) {
        const QString claimName =
            volume.toObject().value(u"persistentVolumeClaim").toObject().value(u"claimName").toString();
        const auto claim = claims.constFind(m_target.ns + u'/' + claimName);
        if (claimName.isEmpty() || claim == claims.cend() ||
            kube::valueAt(*claim, u"status.phase"_s).toString() == u"Bound")
            continue;
        const QString className = kube::valueAt(*claim, u"spec.storageClassName"_s).toString();
        if (className.isEmpty() || classes.contains(u'/' + className) || classes.contains(className))
            continue;
        QStringList known;
        for (const QJsonObject &storageClass : classes)
            known.append(kube::nameOf(storageClass));
        known.sort();
        return tr("Pod %1 cannot start: StorageClass \"%3\" does not exist (its volume claim %2 asks for "
                  "it). Pick one of: %4. Delete the StatefulSet and its claims, then deploy again (a claim's "
                  "storage class cannot be changed).")
            .arg(kube::nameOf(pod), claimName, className,
                 known.isEmpty() ? tr("none (create a StorageClass first)") : known.join(u", "));
    }
    return {};
}

void DeployMonitor::logEvent(const QJsonObject &event)
{
    const QJsonObject involved = event.value(u"involvedObject").toObject();
    const QString kind = involved.value(u"kind").toString();
    const QString name = involved.value(u"name").toString();
    const QString set = QRegularExpression::escape(m_target.statefulSet);
    const bool ours =
        (kind == u"StatefulSet" && name == m_target.statefulSet) ||
        (kind == u"Pod" && QRegularExpression(u"^"_s + set + u"-\\d+$"_s).match(name).hasMatch()) ||
        (kind == u"PersistentVolumeClaim" &&
         QRegularExpression(u"^.+-"_s + set + u"-\\d+$"_s).match(name).hasMatch());
    if (!ours)
        return;
    const QString version = kube::metadataOf(event).value(u"resourceVersion").toString();
    QString &logged = m_loggedEvents[kube::uidOf(event)];
    if (logged == version)
        return;
    logged = version;
    log(u"%1 %2 %3/%4: %5"_s.arg(event.value(u"type").toString(), event.value(u"reason").toString(),
                                 kind.toLower(), name, event.value(u"message").toString()));
}

// Stage 2: dnodes ----------------------------------------------------------------------------------

void DeployMonitor::startDnodes()
{
    setStage(Stage::Dnodes, tr("Waiting for %1 dnodes to join (0 ready)").arg(m_target.replicas));
    m_waitingFor = tr("the port-forward to taosAdapter");
    const QString key = m_target.context + u'/' + m_target.ns + u'/' + m_target.statefulSet;
    m_connection = new taos::ClusterConnection(m_client.data(), m_target.ns, m_target.statefulSet, key,
                                               m_passwords.data(), this);
    const int run = m_run;
    connect(m_connection.data(), &taos::ClusterConnection::changed, this, [this, run] {
        if (run != m_run || !m_connection || m_connection->describe() == m_lastConnectionText)
            return;
        m_lastConnectionText = m_connection->describe();
        log(m_lastConnectionText);
    });
    m_connection->start();
    schedulePoll();
}

void DeployMonitor::pollDnodes()
{
    runSql(taos::kSelectDnodes, true, [this](const taos::Result &result) { dnodesAnswered(result); });
}

void DeployMonitor::dnodesAnswered(const taos::Result &result)
{
    m_dnodes = taos::dnodesFrom(result);
    int ready = 0;
    QStringList notReady;
    for (const taos::Dnode &dnode : std::as_const(m_dnodes)) {
        if (dnode.status != u"ready") {
            notReady.append(tr("dnode %1 (%2) is %3").arg(dnode.id).arg(dnode.endpoint, dnode.status));
            continue;
        }
        ++ready;
        if (m_joined.contains(dnode.id))
            continue;
        m_joined.insert(dnode.id);
        const QString pod = taos::podOfEndpoint(dnode.endpoint);
        log(tr("dnode %1 joined: %2 (pod %3)").arg(dnode.id).arg(dnode.endpoint, pod));
        emit dnodeJoined(dnode.id, dnode.endpoint, pod);
    }
    if (ready >= m_target.replicas) {
        startMnodes();
        return;
    }
    setStage(Stage::Dnodes, tr("Waiting for %1 dnodes to join (%2 ready)").arg(m_target.replicas).arg(ready));
    m_waitingFor = tr("%1 of %2 dnodes ready").arg(ready).arg(m_target.replicas) +
                   (notReady.isEmpty() ? QString() : u"; "_s + notReady.join(u"; "));
    schedulePoll();
}

// Stage 3: mnodes ----------------------------------------------------------------------------------

void DeployMonitor::startMnodes()
{
    if (!m_target.haMnodes || m_target.replicas < 3) {
        log(m_target.replicas < 3
                ? tr("No more mnodes: they need 3 dnodes, and this cluster has %1.").arg(m_target.replicas)
                : tr("No more mnodes: high-availability mnodes were not asked for."));
        startVerify();
        return;
    }
    for (const int ordinal : {1, 2}) {
        const QString pod = m_target.statefulSet + u'-' + QString::number(ordinal);
        const int id = dnodeIdOfPod(pod);
        if (id == 0) {
            finish(false, tr("No dnode has the endpoint of pod %1, so its mnode cannot be placed. Look at "
                             "`show dnodes` in the SQL console and at the pod's TAOS_FQDN, then follow the "
                             "deploy again.")
                              .arg(pod));
            return;
        }
        m_mnodeTodo.append(id);
    }
    setStage(Stage::Mnodes,
             tr("Creating mnodes on dnodes %1 and %2").arg(m_mnodeTodo.at(0)).arg(m_mnodeTodo.at(1)));
    pollMnodes();
}

void DeployMonitor::pollMnodes()
{
    runSql(taos::kSelectMnodes, true, [this](const taos::Result &result) { mnodesAnswered(result); });
}

void DeployMonitor::mnodesAnswered(const taos::Result &result)
{
    const QList<taos::Mnode> mnodes = taos::mnodesFrom(result);
    for (const int id : std::as_const(m_mnodeTodo)) {
        const auto mnode =
            std::find_if(mnodes.cbegin(), mnodes.cend(), [id](const taos::Mnode &m) { return m.id == id; });
        if (mnode == mnodes.cend() && !m_mnodeCreated.contains(id)) {
            createMnode(id);
            return;
        }
        if (mnode == mnodes.cend() || !mnode->isServing()) {
            m_waitingFor = mnode == mnodes.cend()
                               ? tr("the mnode created on dnode %1 to appear in ins_mnodes").arg(id)
                               : tr("the mnode on dnode %1 to be ready (it is %2, %3)")
                                     .arg(id)
                                     .arg(mnode->status, mnode->role);
            schedulePoll();
            return;
        }
        if (!m_mnodeSeenReady.contains(id)) {
            m_mnodeSeenReady.insert(id);
            log(m_mnodeCreated.contains(id) ? tr("mnode on dnode %1 is ready (%2)").arg(id).arg(mnode->role)
                                            : tr("mnode on dnode %1 already exists (%2): not created again")
                                                  .arg(id)
                                                  .arg(mnode->role));
        }
    }
    startVerify();
}

void DeployMonitor::createMnode(int dnodeId)
{
    const QString pod = m_target.statefulSet + u'-' + QString::number(m_mnodeTodo.indexOf(dnodeId) + 1);
    setStage(Stage::Mnodes, tr("Creating an mnode on dnode %1 (pod %2)").arg(dnodeId).arg(pod));
    m_waitingFor = tr("`create mnode on dnode %1` to answer").arg(dnodeId);
    const int run = m_run;
    const QString sql = u"create mnode on dnode %1"_s.arg(dnodeId);
    runSql(sql, false, [this, run, dnodeId](const taos::Result &) {
        if (run != m_run)
            return;
        m_mnodeCreated.insert(dnodeId);
        pollMnodes();
    });
}

// Stage 4: verify ----------------------------------------------------------------------------------

void DeployMonitor::startVerify()
{
    setStage(Stage::Verify, tr("Verifying the mnodes and dnodes"));
    pollVerify();
}

void DeployMonitor::pollVerify()
{
    runSql(taos::kSelectMnodes, true, [this](const taos::Result &mnodeResult) {
        const QList<taos::Mnode> mnodes = taos::mnodesFrom(mnodeResult);
        runSql(taos::kSelectDnodes, true, [this, mnodes](const taos::Result &dnodeResult) {
            m_dnodes = taos::dnodesFrom(dnodeResult);
            const int expectedFollowers = m_target.haMnodes && m_target.replicas >= 3 ? 2 : 0;
            int leaders = 0;
            int followers = 0;
            QStringList problems;
            for (const taos::Mnode &mnode : mnodes) {
                leaders += mnode.role == u"leader" ? 1 : 0;
                followers += mnode.role == u"follower" ? 1 : 0;
                if (!mnode.isServing())
                    problems.append(
                        tr("the mnode on dnode %1 is %2, %3").arg(mnode.id).arg(mnode.status, mnode.role));
            }
            if (leaders != 1)
                problems.append(tr("%1 mnode leaders instead of 1").arg(leaders));
            // Without HA mnodes nothing is created, but mnodes made earlier (by hand, or by a
            // deploy that chose HA) are fine as long as they follow the leader.
            const bool followersOk =
                m_target.haMnodes && m_target.replicas >= 3 ? followers == expectedFollowers : followers <= 2;
            if (!followersOk)
                problems.append(tr("%1 mnode followers instead of %2").arg(followers).arg(expectedFollowers));
            int ready = 0;
            for (const taos::Dnode &dnode : std::as_const(m_dnodes)) {
                if (dnode.status == u"ready")
                    ++ready;
                else
                    problems.append(
                        tr("dnode %1 (%2) is %3").arg(dnode.id).arg(dnode.endpoint, dnode.status));
            }
            if (ready < m_target.replicas)
                problems.append(tr("%1 of %2 dnodes ready").arg(ready).arg(m_target.replicas));
            if (!problems.isEmpty()) {
                m_waitingFor = problems.join(u"; ");
                schedulePoll();
                return;
            }
            finish(true, tr("%1 dnodes ready; mnodes: 1 leader, %2 followers").arg(ready).arg(followers));
        });
    });
}

// Shared -------------------------------------------------------------------------------------------

// Polls are logged only when their answer changes, so that the log reads as a story rather than
// one line a second. A failed poll is not the end: the forward may be moving, a dnode joining.
// A failed statement (create mnode) ends the run with TDengine's code and desc.
void DeployMonitor::runSql(const QString &sql, bool isPoll, Answered answered)
{
    taos::RestClient *rest = m_connection ? m_connection->rest() : nullptr;
    if (!rest) {
        if (m_connection)
            m_waitingFor = m_connection->describe();
        schedulePoll();
        return;
    }
    if (!isPoll)
        log(u"SQL> "_s + sql);
    const int run = m_run;
    rest->query(sql, this, [this, run, sql, isPoll, answered](taos::QueryOutcome &outcome) {
        if (run != m_run || outcome.cancelled)
            return;
        const QString summary = outcome.ok() ? summarize(outcome.result) : outcome.error.describe();
        if (!isPoll)
            log(u"  → "_s + summary);
        else if (m_lastPollAnswer.value(sql) != summary)
            log(u"SQL> "_s + sql + u"  → "_s + summary);
        if (isPoll)
            m_lastPollAnswer.insert(sql, summary);
        if (outcome.ok()) {
            answered(outcome.result);
            return;
        }
        if (isPoll) {
            m_waitingFor = tr("an answer to `%1` (last: %2)").arg(sql, summary);
            schedulePoll();
            return;
        }
        if (outcome.error.code == kMnodeAlreadyExists) {
            answered(outcome.result);
            return;
        }
        finish(false, tr("`%1` failed: %2 The cluster runs, with fewer mnodes than asked for: fix the cause, "
                         "then follow the deploy again (mnodes already there are kept).")
                          .arg(sql, outcome.error.describe()));
    });
}

void DeployMonitor::schedulePoll()
{
    if (m_running)
        m_pollTimer.start();
}

void DeployMonitor::setStage(Stage stage, const QString &text)
{
    const bool changed = stage != m_stage || !m_stageTimer.isActive();
    if (!changed && text == m_stageText)
        return;
    m_stage = stage;
    m_stageText = text;
    if (stage == Stage::Done || stage == Stage::Failed) {
        m_stageTimer.stop();
    } else {
        if (changed) {
            const int index = stage == Stage::Pods ? 0 : stage == Stage::Dnodes ? 1 : 2;
            m_stageTimer.start(m_timeoutsMs[index]);
        }
        log(text);
    }
    emit stageChanged(stage, text);
}

void DeployMonitor::stageTimedOut()
{
    const QString budget = kube::humanDuration(m_stageTimer.interval());
    QString message;
    switch (m_stage) {
    case Stage::Pods:
        message =
            tr("The pods of %1 were not all Ready within %2: %3. Look at the pods' events and logs, fix "
               "the cause, then follow the deploy again (or give TDengine a longer startup budget).")
                .arg(m_target.statefulSet, budget, m_waitingFor);
        break;
    case Stage::Dnodes:
        message =
            tr("TDengine did not report %1 ready dnodes within %2: waiting for %3. Look at the logs of "
               "the pods whose dnode is missing (each joins through %4-0), then follow the deploy again.")
                .arg(m_target.replicas)
                .arg(budget, m_waitingFor, m_target.statefulSet);
        break;
    case Stage::Mnodes:
        message = tr("The mnodes were not ready within %1: waiting for %2. Look at `show mnodes` in the SQL "
                     "console, then follow the deploy again.")
                      .arg(budget, m_waitingFor);
        break;
    case Stage::Verify:
        message = tr("The cluster did not pass its checks within %1: %2. Look at its dashboard, then follow "
                     "the deploy again.")
                      .arg(budget, m_waitingFor);
        break;
    case Stage::Done:
    case Stage::Failed:
        return;
    }
    finish(false, message);
}

void DeployMonitor::log(const QString &line)
{
    qCDebug(lcDeployMonitor).noquote() << line;
    emit logLine(QDateTime::currentDateTime().toString(u"HH:mm:ss"_s) + u' ' + line);
}

void DeployMonitor::finish(bool ok, const QString &message)
{
    if (!m_running)
        return;
    m_running = false;
    ++m_run;
    teardown();
    setStage(ok ? Stage::Done : Stage::Failed, message);
    log(message);
    emit finished(ok, message);
}

// Called from inside watch and query callbacks: what is deleted goes with deleteLater(). The
// forward is stopped now, so that its local port is closed when finished() is emitted.
void DeployMonitor::teardown()
{
    m_stageTimer.stop();
    m_pollTimer.stop();
    const QList<QPointer<kube::ResourceWatch>> watches = std::exchange(m_watches, {});
    for (const QPointer<kube::ResourceWatch> &watch : watches) {
        if (!watch)
            continue;
        watch->stop();
        watch->deleteLater();
    }
    if (taos::ClusterConnection *connection = m_connection.data()) {
        m_connection = nullptr;
        connection->setPolling(false);
        if (connection->forward())
            connection->forward()->stop(tr("The deploy monitor finished."));
        connection->disconnect(this);
        connection->deleteLater();
    }
}

int DeployMonitor::dnodeIdOfPod(const QString &pod) const
{
    for (const taos::Dnode &dnode : m_dnodes) {
        if (taos::podOfEndpoint(dnode.endpoint) == pod)
            return dnode.id;
    }
    return 0;
}

} // namespace tdkube::deploy
