// The steps of an Executor that change a running cluster's configuration: the ConfigMap its pods read
// their taos.cfg entries from, `alter all dnodes` for the entries TDengine changes at run time, and a
// rolling restart one pod at a time through the StatefulSet's rollingUpdate.partition, each pod waited
// for until its dnode has rejoined, every vgroup is leader/follower again and the mnodes have their
// quorum. Each step first looks at the cluster, so that running it again does nothing twice.
#include "kube/kubeclient.h"
#include "kube/objects.h"
#include "ops/executor.h"
#include "taos/clusterstate.h"
#include "taos/restclient.h"
#include "taos/snapshotpoller.h"
#include "taos/systables.h"
#include "taos/versions.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <functional>

namespace tdkube::ops {

using namespace Qt::StringLiterals;

namespace {

const QString kRevisionLabel = u"controller-revision-hash"_s;

QString quoted(const QString &text)
{
    return u'\'' + QString(text).replace(u'\'', u"\\'"_s) + u'\'';
}

} // namespace

// UpdateConfigMap ------------------------------------------------------------------------------------

void Executor::updateConfigMap(const Step &step)
{
    const QString name = step.name;
    const QMap<QString, QString> settings = step.settings;
    waiting(tr("ConfigMap %1 to be read").arg(name));
    poll([this, name, settings] {
        const int run = m_run;
        m_client->get(
            kube::ResourceKind::configMaps(), m_journal.plan().ns, name, this,
            [this, run, name, settings](const kube::KubeResponse &response) {
                if (run != m_run)
                    return;
                if (!response.ok()) {
                    if (!retryApi(response, tr("ConfigMap %1 to be read").arg(name)))
                        completeStep(false, tr("Could not read ConfigMap %1: %2").arg(name, response.error));
                    return;
                }
                const QJsonObject data = response.json().value(u"data").toObject();
                QJsonObject changes;
                QStringList said;
                for (auto it = settings.cbegin(); it != settings.cend(); ++it) {
                    if (data.value(it.key()).toString() == it.value() && data.contains(it.key()))
                        continue;
                    changes.insert(it.key(), it.value());
                    said.append(
                        data.contains(it.key())
                            ? tr("%1 %2 → %3").arg(it.key(), data.value(it.key()).toString(), it.value())
                            : tr("%1 (not set) → %2").arg(it.key(), it.value()));
                }
                if (changes.isEmpty()) {
                    completeStep(true, tr("ConfigMap %1 already holds the new values.").arg(name));
                    return;
                }
                log(tr("Changing ConfigMap %1: %2").arg(name, said.join(u", ")));
                const QJsonObject patch{{u"data"_s, changes}};
                m_client->patch(
                    kube::ResourceKind::configMaps(), m_journal.plan().ns, name,
                    QJsonDocument(patch).toJson(QJsonDocument::Compact), "application/merge-patch+json", this,
                    [this, run, name, said](const kube::KubeResponse &patched) {
                        if (run != m_run)
                            return;
                        if (!patched.ok() && retryApi(patched, tr("ConfigMap %1 to be changed").arg(name)))
                            return;
                        completeStep(patched.ok(),
                                     patched.ok()
                                         ? tr("ConfigMap %1: %2.").arg(name, said.join(u", "))
                                         : tr("Could not change ConfigMap %1: %2").arg(name, patched.error));
                    });
            });
    });
}

// AlterDnodes ----------------------------------------------------------------------------------------

// Every entry in turn; TDengine refusing one ends the step with its words (the ConfigMap already holds
// the value, so pods restarted later take it anyway).
void Executor::alterDnodes(const Step &step)
{
    QStringList statements;
    for (auto it = step.settings.cbegin(); it != step.settings.cend(); ++it)
        statements.append(u"alter all dnodes %1 %2"_s.arg(quoted(it.key()), quoted(it.value())));
    poll([this, statements] { alterNext(statements, 0); });
}

void Executor::alterNext(const QStringList &statements, int index)
{
    if (index >= statements.size()) {
        completeStep(true, tr("Applied on every dnode without a restart: %1.").arg(statements.join(u"; ")));
        return;
    }
    const QString statement = statements.at(index);
    waiting(tr("`%1` to be answered").arg(statement));
    sql(
        statement, [this, statements, index](const taos::Result &) { alterNext(statements, index + 1); },
        [this, statement](const taos::TaosError &error) {
            completeStep(false, tr("TDengine refused `%1`: %2").arg(statement, error.describe()));
        });
}

// HoldRollout ----------------------------------------------------------------------------------------

// The partition first, in the same patch as the template: with partition = replicas, the StatefulSet
// controller makes the new revision but restarts no pod until RollPod lowers it.
void Executor::holdRollout(const Step &step)
{
    const int partition = step.replicas;
    const QMap<QString, QString> annotations = step.settings;
    const QString container = step.name;
    const QString image = step.image;
    poll([this, partition, annotations, container, image] {
        QJsonObject marks;
        for (auto it = annotations.cbegin(); it != annotations.cend(); ++it)
            marks.insert(it.key(), it.value());
        QJsonObject podTemplate;
        if (!marks.isEmpty())
            podTemplate.insert(u"metadata"_s, QJsonObject{{u"annotations"_s, marks}});
        // A strategic merge patch: the containers list merges by name, so the other containers stay.
        if (!image.isEmpty())
            podTemplate.insert(u"spec"_s,
                               QJsonObject{{u"containers"_s, QJsonArray{QJsonObject{{u"name"_s, container},
                                                                                    {u"image"_s, image}}}}});
        const QJsonObject patch{
            {u"spec"_s,
             QJsonObject{{u"updateStrategy"_s,
                          QJsonObject{{u"type"_s, u"RollingUpdate"_s},
                                      {u"rollingUpdate"_s, QJsonObject{{u"partition"_s, partition}}}}},
                         {u"template"_s, podTemplate}}}};
        const Plan &plan = m_journal.plan();
        const int run = m_run;
        waiting(tr("StatefulSet %1 to take the new pod template, holding every pod on the old one")
                    .arg(plan.statefulSet));
        m_client->patch(
            kube::ResourceKind::statefulSets(), plan.ns, plan.statefulSet,
            QJsonDocument(patch).toJson(QJsonDocument::Compact), "application/strategic-merge-patch+json",
            this, [this, run, partition](const kube::KubeResponse &patched) {
                if (run != m_run)
                    return;
                if (!patched.ok() &&
                    retryApi(patched, tr("StatefulSet %1 to be changed").arg(m_journal.plan().statefulSet)))
                    return;
                completeStep(patched.ok(),
                             patched.ok()
                                 ? tr("The pod template is changed; rollingUpdate.partition is %1, so "
                                      "no pod restarts until tdkube lets it.")
                                       .arg(partition)
                                 : tr("Could not change StatefulSet %1: %2")
                                       .arg(m_journal.plan().statefulSet, patched.error));
            });
    });
}

// RollPod --------------------------------------------------------------------------------------------

// Lowers the partition to the pod's ordinal (never raises it: a resume after a later pod went finds it
// lower already), then waits for that pod on the StatefulSet's update revision, Ready, its dnode ready,
// and the cluster whole again before the next pod may go.
void Executor::rollPod(const Step &step)
{
    const int ordinal = step.replicas;
    const QString pod = step.pods.value(0);
    const int dnodeId = step.dnodeId;
    const QString version = step.version;
    watchPods();
    poll([this, ordinal, pod, dnodeId, version] {
        const Plan &plan = m_journal.plan();
        const int run = m_run;
        m_client->get(
            kube::ResourceKind::statefulSets(), plan.ns, plan.statefulSet, this,
            [this, run, ordinal, pod, dnodeId, version](const kube::KubeResponse &response) {
                if (run != m_run)
                    return;
                if (!response.ok()) {
                    if (!retryApi(response,
                                  tr("StatefulSet %1 to be read").arg(m_journal.plan().statefulSet)))
                        completeStep(false, tr("Could not read the StatefulSet: %1").arg(response.error));
                    return;
                }
                const QJsonObject set = response.json();
                const int partition =
                    kube::valueAt(set, u"spec.updateStrategy.rollingUpdate.partition"_s).toInt();
                if (partition > ordinal) {
                    // When the dnode last started, to know its restart when it comes (a restart faster
                    // than TDengine's status timeout never shows the dnode offline).
                    sql(taos::kSelectDnodes, [this, partition, ordinal, dnodeId](const taos::Result &result) {
                        for (const taos::Dnode &dnode : taos::dnodesFrom(result)) {
                            if (dnode.id == dnodeId)
                                m_rollBaseline = dnode.rebootTime;
                        }
                        lowerPartition(partition, ordinal);
                    });
                    return;
                }
                // The controller has not seen the template change yet: its updateRevision is the old one.
                const qint64 generation = kube::valueAt(set, u"metadata.generation"_s).toInteger();
                const qint64 observed = kube::valueAt(set, u"status.observedGeneration"_s).toInteger();
                const QString revision = kube::valueAt(set, u"status.updateRevision"_s).toString();
                if (observed < generation || revision.isEmpty()) {
                    waiting(tr("the StatefulSet controller to take the new pod template"));
                    again();
                    return;
                }
                checkRolled(pod, revision, dnodeId, version);
            });
    });
}

void Executor::lowerPartition(int from, int to)
{
    const Plan &plan = m_journal.plan();
    const int run = m_run;
    log(tr("Letting pod %1-%2 restart: rollingUpdate.partition %3 → %2")
            .arg(plan.statefulSet)
            .arg(to)
            .arg(from));
    const QJsonObject patch{
        {u"spec"_s, QJsonObject{{u"updateStrategy"_s,
                                 QJsonObject{{u"rollingUpdate"_s, QJsonObject{{u"partition"_s, to}}}}}}}};
    m_client->patch(
        kube::ResourceKind::statefulSets(), plan.ns, plan.statefulSet,
        QJsonDocument(patch).toJson(QJsonDocument::Compact), "application/merge-patch+json", this,
        [this, run](const kube::KubeResponse &patched) {
            if (run != m_run)
                return;
            if (!patched.ok() &&
                retryApi(patched, tr("StatefulSet %1 to be changed").arg(m_journal.plan().statefulSet)))
                return;
            if (!patched.ok()) {
                completeStep(false, tr("Could not change StatefulSet %1: %2")
                                        .arg(m_journal.plan().statefulSet, patched.error));
                return;
            }
            pollNow();
        });
}

// The pod on the new revision and Ready, then its dnode ready, then the vgroups and the mnodes.
void Executor::checkRolled(const QString &pod, const QString &revision, int dnodeId, const QString &version)
{
    const int run = m_run;
    m_client->get(
        kube::ResourceKind::pods(), m_journal.plan().ns, pod, this,
        [this, run, pod, revision, dnodeId, version](const kube::KubeResponse &response) {
            if (run != m_run)
                return;
            if (!response.ok() && response.httpStatus != 404) {
                if (!retryApi(response, tr("pod %1 to be read").arg(pod)))
                    completeStep(false, tr("Could not read pod %1: %2").arg(pod, response.error));
                return;
            }
            const QJsonObject object = response.json();
            const bool terminating =
                !kube::valueAt(object, u"metadata.deletionTimestamp"_s).toString().isEmpty();
            const QString podRevision =
                kube::valueAt(object, u"metadata.labels"_s).toObject().value(kRevisionLabel).toString();
            if (response.httpStatus == 404 || terminating) {
                waiting(tr("pod %1 to restart on the new pod template (it is stopping)").arg(pod));
                again();
                return;
            }
            if (podRevision != revision) {
                waiting(tr("pod %1 to restart on the new pod template").arg(pod));
                again();
                return;
            }
            if (!kube::isPodReady(object)) {
                waiting(tr("pod %1 (restarted) to be Ready").arg(pod));
                again();
                return;
            }
            checkRejoined(pod, dnodeId, version);
        });
}

void Executor::checkRejoined(const QString &pod, int dnodeId, const QString &version)
{
    sql(taos::kSelectDnodes, [this, pod, dnodeId, version](const taos::Result &result) {
        const QList<taos::Dnode> dnodes = taos::dnodesFrom(result);
        const auto dnode = std::find_if(dnodes.begin(), dnodes.end(),
                                        [dnodeId](const taos::Dnode &d) { return d.id == dnodeId; });
        // Restarted since the partition let the pod go: its reboot time moved. Unknown after a resume
        // that found the partition lowered already; then ready is all that is known.
        const bool restarted =
            dnode != dnodes.end() && (!m_rollBaseline.isValid() || dnode->rebootTime != m_rollBaseline);
        if (dnode != dnodes.end() && dnode->state() == taos::DnodeState::Ready && !restarted) {
            waiting(tr("dnode %1 of pod %2 to report its restart (its reboot time is still %3)")
                        .arg(dnodeId)
                        .arg(pod, m_rollBaseline.toUTC().toString(Qt::ISODate)));
            again();
            return;
        }
        if (dnode == dnodes.end() || dnode->state() != taos::DnodeState::Ready) {
            waiting(dnode == dnodes.end()
                        ? tr("dnode %1 of pod %2 to be back in `show dnodes`").arg(dnodeId).arg(pod)
                        : tr("dnode %1 of pod %2 to be ready (it is %3%4)")
                              .arg(dnodeId)
                              .arg(pod, dnode->status,
                                   dnode->note.isEmpty() ? QString() : u": "_s + dnode->note));
            again();
            return;
        }
        if (version.isEmpty())
            checkClusterWhole(pod, dnodeId, version);
        else
            checkDnodeVersion(dnodeId, version,
                              [this, pod, dnodeId, version] { checkClusterWhole(pod, dnodeId, version); });
    });
}

// The version the dnode's taosd runs, from its own `version` variable (`show dnode N variables`): the
// pod's image is what Kubernetes started, this is what TDengine says it runs.
void Executor::checkDnodeVersion(int dnodeId, const QString &version, const std::function<void()> &then)
{
    sql(u"show dnode %1 variables"_s.arg(dnodeId),
        [this, dnodeId, version, then](const taos::Result &result) {
            qsizetype nameColumn = -1;
            qsizetype valueColumn = -1;
            for (qsizetype column = 0; column < result.columnCount(); ++column) {
                if (result.columns().at(column).name == u"name")
                    nameColumn = column;
                else if (result.columns().at(column).name == u"value")
                    valueColumn = column;
            }
            QString running;
            for (qsizetype row = 0; nameColumn >= 0 && valueColumn >= 0 && row < result.rowCount(); ++row) {
                if (result.text(row, nameColumn) == u"version")
                    running = result.text(row, valueColumn);
            }
            if (running.isEmpty()) {
                waiting(tr("dnode %1 to say which TDengine version it runs (`show dnode %1 variables` has no "
                           "version yet)")
                            .arg(dnodeId));
                again();
                return;
            }
            if (taos::compareVersions(running, version) != 0) {
                waiting(tr("dnode %1 to run TDengine %2 (it runs %3)").arg(dnodeId).arg(version, running));
                again();
                return;
            }
            then(); // the step's result says the version, once
        });
}

void Executor::checkClusterWhole(const QString &pod, int dnodeId, const QString &version)
{
    sql(taos::kSelectMnodes, [this, pod, dnodeId, version](const taos::Result &mnodeResult) {
        const taos::MnodeHealth health = taos::mnodeHealth(taos::mnodesFrom(mnodeResult));
        QStringList unserving;
        const QList<taos::Mnode> mnodes = taos::mnodesFrom(mnodeResult);
        for (const taos::Mnode &mnode : mnodes) {
            if (!mnode.isServing() || (mnode.role != u"leader" && mnode.role != u"follower"))
                unserving.append(tr("mnode %1 %2").arg(mnode.id).arg(mnode.role));
        }
        if (!health.quorum || health.leaderEndpoint.isEmpty() || !unserving.isEmpty()) {
            waiting(unserving.isEmpty()
                        ? tr("the mnodes to have a leader and their quorum")
                        : tr("every mnode to be leader or follower; not yet: %1").arg(unserving.join(u", ")));
            again();
            return;
        }
        whenVgroupsHealthy([this, pod, dnodeId, version] {
            completeStep(true,
                         version.isEmpty()
                             ? tr("Pod %1 restarted on the new template; dnode %2 is ready, every vgroup's "
                                  "replicas are leader or follower and the mnodes have their quorum.")
                                   .arg(pod)
                                   .arg(dnodeId)
                             : tr("Pod %1 restarted on the new template; dnode %2 is ready and runs "
                                  "TDengine %3, every vgroup's replicas are leader or follower and the "
                                  "mnodes have their quorum.")
                                   .arg(pod)
                                   .arg(dnodeId)
                                   .arg(version));
        });
    });
}

} // namespace tdkube::ops
