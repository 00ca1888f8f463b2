// The steps of an Executor that act on Kubernetes objects: the StatefulSet, its pods and its claims
// (executorsteps.cpp has those on TDengine). Each first looks at the cluster, so that running it again
// (a resume re-runs the step that was running when tdkube stopped) does nothing twice.
#include "deploy/applyset.h"
#include "kube/kubeclient.h"
#include "kube/objects.h"
#include "ops/clusterrecord.h"
#include "ops/executor.h"
#include "ops/lease.h"
#include "taos/snapshotpoller.h"
#include "taos/systables.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <utility>

namespace tdkube::ops {

using namespace Qt::StringLiterals;

// ApplyObjects -----------------------------------------------------------------------------------------

// Server-side apply is idempotent: a resume applies the same objects again, changing nothing that is
// already as they say. The StatefulSet goes with the operation's lease in its annotations, so that the
// lease exists from the moment the StatefulSet does.
void Executor::applyObjects(const Step &step)
{
    QList<QJsonObject> objects = step.objects;
    for (QJsonObject &object : objects) {
        if (object.value(u"kind").toString() == u"StatefulSet" &&
            kube::nameOf(object) == m_journal.plan().statefulSet)
            object = withLease(object);
    }
    waiting(tr("the API server to apply %n object(s)", nullptr, int(objects.size())));
    auto *apply = new deploy::ApplySet(m_client.data(), objects, m_journal.plan().ns, this);
    const int run = m_run;
    const int index = m_step;
    connect(apply, &deploy::ApplySet::objectDone, this,
            [this, run, index](int, const deploy::ObjectResult &result) {
                if (run != m_run || index != m_step)
                    return;
                const QString object = result.kind + u' ' + result.name;
                if (!result.ok())
                    log(tr("%1: %2").arg(object, result.error));
                else if (result.unchanged)
                    log(tr("%1 is as the manifests say: unchanged.").arg(object));
                else
                    log(result.existed ? tr("%1 configured.").arg(object) : tr("%1 created.").arg(object));
            });
    connect(apply, &deploy::ApplySet::finished, this, [this, run, index, apply](bool ok) {
        apply->deleteLater();
        if (run != m_run || index != m_step)
            return;
        QString message;
        for (const deploy::ObjectResult &result : apply->results()) {
            if (result.ok())
                continue;
            QStringList fields;
            for (const deploy::FieldConflict &conflict : result.conflicts)
                fields.append(tr("%1 (owned by %2)").arg(conflict.field, conflict.manager));
            message = fields.isEmpty()
                          ? tr("%1 %2 could not be applied: %3").arg(result.kind, result.name, result.error)
                          : tr("%1 %2 could not be applied: other field managers own %3. Apply it with "
                               "tdkube's editor, taking the fields over if the manifests are right, then "
                               "resume.")
                                .arg(result.kind, result.name, fields.join(u", "_s));
        }
        if (!ok && message.isEmpty())
            message = tr("The objects could not be applied.");
        applied(ok, ok ? tr("%n object(s) applied.", nullptr, int(apply->results().size())) : message);
    });
    apply->apply(false);
}

// The StatefulSet exists now: the lease it was created with is taken as any lease is (another tdkube
// that applied the same name meanwhile holds it instead, and this deploy stops), and the cluster's record
// of the operation begins.
void Executor::applied(bool ok, const QString &message)
{
    if (!ok || !m_leaseDeferred) {
        completeStep(ok, message);
        return;
    }
    waiting(tr("the operation lease on StatefulSet %1").arg(m_journal.plan().statefulSet));
    const int index = m_step;
    makeLease([this, index, message](bool held, const QString &leaseMessage) {
        if (index != m_step)
            return;
        log(leaseMessage);
        if (!held) {
            completeStep(false, leaseMessage);
            return;
        }
        m_leaseDeferred = false;
        m_record->follow(m_journal);
        connectSql();
        completeStep(true, message);
    });
    m_lease->acquire();
}

// DeleteObjects ----------------------------------------------------------------------------------------

namespace {

// The kinds a deletion removes (deploy::planDeletion), and nothing else.
kube::ResourceKind deletableKind(const QString &kind)
{
    if (kind == u"StatefulSet")
        return kube::ResourceKind::statefulSets();
    if (kind == u"Service")
        return kube::ResourceKind::services();
    if (kind == u"ConfigMap")
        return kube::ResourceKind::configMaps();
    return {};
}

} // namespace

// Each look walks the objects from the first: one that is gone counts as done (a resume, or a deletion
// that went on while tdkube was away), one that is going (deletionTimestamp) is waited for, and the first
// one still there is deleted, then looked at again.
void Executor::deleteObjects(const Step &step)
{
    const QList<QJsonObject> objects = step.objects;
    poll([this, objects] { deleteNext(objects, 0); });
}

void Executor::deleteNext(const QList<QJsonObject> &objects, int index)
{
    if (index >= objects.size()) {
        QStringList names;
        for (const QJsonObject &object : objects)
            names.append(object.value(u"kind").toString() + u' ' + kube::nameOf(object));
        completeStep(true, tr("%1: gone.").arg(names.join(u", ")));
        return;
    }
    const QString kind = objects.at(index).value(u"kind").toString();
    const QString name = kube::nameOf(objects.at(index));
    const kube::ResourceKind resource = deletableKind(kind);
    if (!resource.isValid()) {
        completeStep(false, tr("tdkube does not delete a %1 (%2): it is not part of a TDengine cluster it "
                               "manages. Nothing else was deleted by this step.")
                                .arg(kind, name));
        return;
    }
    const QString object = kind + u' ' + name;
    const QString ns = m_journal.plan().ns;
    const int run = m_run;
    const int step = m_step;
    m_client->get(resource, ns, name, this, [=, this](const kube::KubeResponse &response) {
        if (run != m_run || step != m_step)
            return;
        if (response.httpStatus == 404) {
            deleteNext(objects, index + 1);
            return;
        }
        if (!response.ok()) {
            if (!retryApi(response, tr("%1 to be read").arg(object)))
                completeStep(false, tr("Could not read %1: %2").arg(object, response.error));
            return;
        }
        const QJsonObject metadata = kube::metadataOf(response.json());
        if (metadata.contains(u"deletionTimestamp")) {
            QStringList finalizers;
            for (const QJsonValue &finalizer : metadata.value(u"finalizers").toArray())
                finalizers.append(finalizer.toString());
            waiting(finalizers.isEmpty()
                        ? tr("%1 to go").arg(object)
                        : tr("%1 to go (its finalizers: %2)").arg(object, finalizers.join(u", ")));
            again();
            return;
        }
        waiting(tr("%1 to be deleted").arg(object));
        log(tr("Deleting %1.").arg(object));
        // A StatefulSet's pods go after it, by garbage collection: the next step waits for them.
        const QString policy = kind == u"StatefulSet" ? u"Background"_s : QString();
        m_client->remove(resource, ns, name, policy, this, [=, this](const kube::KubeResponse &removed) {
            if (run != m_run || step != m_step)
                return;
            if (!removed.ok() && removed.httpStatus != 404) {
                if (!retryApi(removed, tr("%1 to be deleted").arg(object)))
                    completeStep(false, tr("Could not delete %1: %2").arg(object, removed.error));
                return;
            }
            if (kind == u"StatefulSet" && name == m_journal.plan().statefulSet)
                leaseGoneWithStatefulSet();
            log(tr("Deleted %1.").arg(object));
            again();
        });
    });
}

// The lease is an annotation of the StatefulSet just deleted: it went with it, and nothing is left to renew
// or release. The steps after it delete what is left, and look before each deletion.
void Executor::leaseGoneWithStatefulSet()
{
    if (Lease *lease = m_lease.data()) {
        m_lease = nullptr;
        lease->disconnect(this);
        lease->setParent(nullptr);
        lease->deleteLater();
        log(tr("The operation lease went with StatefulSet %1.").arg(m_journal.plan().statefulSet));
    }
}

// A deletion's Verify: every object, pod and claim its steps deleted is gone (looked at one by one), and
// nothing came back after it went (a GitOps tool or an operator would recreate it).
void Executor::verifyDeleted()
{
    QList<std::pair<QString, QString>> items; // kind, name
    for (const Step &step : m_journal.plan().steps) {
        for (const QJsonObject &object : step.objects)
            items.append({object.value(u"kind").toString(), kube::nameOf(object)});
        if (step.kind == Step::Kind::WaitPodsGone) {
            for (const QString &pod : step.pods)
                items.append({u"Pod"_s, pod});
        }
        for (const QString &claim : step.claims)
            items.append({u"PersistentVolumeClaim"_s, claim});
    }
    poll([this, items] { verifyGone(items, 0, {}); });
}

void Executor::verifyGone(const QList<std::pair<QString, QString>> &items, int index, const QStringList &left)
{
    if (index >= items.size()) {
        const bool claimsKept =
            std::none_of(m_journal.plan().steps.cbegin(), m_journal.plan().steps.cend(),
                         [](const Step &step) { return step.kind == Step::Kind::DeleteClaims; });
        if (!left.isEmpty())
            completeStep(false, tr("%1 came back after it was deleted: something recreates it (a GitOps tool "
                                   "or an operator; its managedFields name it). Stop that, then delete it "
                                   "again (resume this operation).")
                                    .arg(left.join(u", ")));
        else
            completeStep(true, claimsKept
                                   ? tr("Nothing of cluster %1 is left but its claims, with the data.")
                                         .arg(m_journal.plan().statefulSet)
                                   : tr("Nothing of cluster %1 is left.").arg(m_journal.plan().statefulSet));
        return;
    }
    const auto &[kind, name] = items.at(index);
    const kube::ResourceKind resource = kind == u"Pod" ? kube::ResourceKind::pods()
                                        : kind == u"PersistentVolumeClaim"
                                            ? kube::ResourceKind::persistentVolumeClaims()
                                            : deletableKind(kind);
    const int run = m_run;
    const int step = m_step;
    waiting(tr("%1 %2 to be looked at").arg(kind, name));
    m_client->get(resource, m_journal.plan().ns, name, this, [=, this](const kube::KubeResponse &response) {
        if (run != m_run || step != m_step)
            return;
        if (!response.ok() && response.httpStatus != 404) {
            if (!retryApi(response, tr("%1 %2 to be read").arg(kind, name)))
                completeStep(false, tr("Could not read %1 %2: %3").arg(kind, name, response.error));
            return;
        }
        QStringList still = left;
        if (response.ok())
            still.append(kind + u' ' + name);
        verifyGone(items, index + 1, still);
    });
}

QJsonObject Executor::withLease(QJsonObject statefulSet) const
{
    LeaseRecord lease;
    lease.holder = m_lease                   ? m_lease->holder()
                   : m_leaseHolder.isEmpty() ? Lease::localHolder(m_journal.id())
                                             : m_leaseHolder;
    lease.operation = operationName(m_journal.plan().kind);
    lease.since = QDateTime::currentDateTimeUtc();
    lease.expires =
        lease.since.addMSecs(m_leaseDurationMs > 0 ? m_leaseDurationMs : Lease::kDefaultDurationMs);
    QJsonObject metadata = statefulSet.value(u"metadata").toObject();
    QJsonObject annotations = metadata.value(u"annotations").toObject();
    annotations.insert(Lease::kAnnotation,
                       QString::fromUtf8(QJsonDocument(lease.toJson()).toJson(QJsonDocument::Compact)));
    metadata.insert(u"annotations"_s, annotations);
    statefulSet.insert(u"metadata"_s, metadata);
    return statefulSet;
}

// StatefulSet and pods -----------------------------------------------------------------------------

void Executor::scaleStatefulSet(const Step &step)
{
    const int replicas = step.replicas;
    // Said once: a later look that waits for the vgroups keeps saying what it waits for.
    waiting(tr("StatefulSet %1 to be read").arg(m_journal.plan().statefulSet));
    poll([this, replicas] {
        const Plan &plan = m_journal.plan();
        const int run = m_run;
        m_client->get(
            kube::ResourceKind::statefulSets(), plan.ns, plan.statefulSet, this,
            [this, run, replicas](const kube::KubeResponse &response) {
                if (run != m_run)
                    return;
                if (!response.ok()) {
                    if (!retryApi(response,
                                  tr("StatefulSet %1 to be read").arg(m_journal.plan().statefulSet)))
                        completeStep(false, tr("Could not read the StatefulSet: %1").arg(response.error));
                    return;
                }
                const int current = kube::valueAt(response.json(), u"spec.replicas"_s).toInt(1);
                if (current == replicas) {
                    completeStep(
                        true, tr("The StatefulSet already has %1 replicas: not scaled again.").arg(replicas));
                    return;
                }
                if (current < replicas) {
                    scaleTo(current, replicas);
                    return;
                }
                scaleInChecked(current, replicas);
            });
    });
}

// A pod that goes takes its dnode's data with it unless the dnode was dropped first: the drops are
// steps before this one, and this looks again, on a complete read of ins_dnodes, that no dnode of a
// leaving pod is left, and waits until every vgroup's replicas are leader or follower.
void Executor::scaleInChecked(int current, int replicas)
{
    readComplete(taos::kSelectDnodes, [this, current, replicas](const taos::Result &result) {
        const QString set = m_journal.plan().statefulSet;
        for (const taos::Dnode &dnode : taos::dnodesFrom(result)) {
            const QString pod = taos::podOfEndpoint(dnode.endpoint);
            if (kube::podOrdinal(pod, set) < replicas)
                continue;
            completeStep(false,
                         tr("Refused to scale StatefulSet %1 in to %2 replicas: dnode %3 (%4) of pod %5 "
                            "is still in the cluster (%6), so the pod may hold the only copy of its data. "
                            "Drop the dnode first (`drop dnode %3`).")
                             .arg(set)
                             .arg(replicas)
                             .arg(dnode.id)
                             .arg(dnode.endpoint, pod, dnode.status));
            return;
        }
        whenVgroupsHealthy([this, current, replicas] { scaleTo(current, replicas); });
    });
}

void Executor::scaleTo(int current, int replicas)
{
    const Plan &plan = m_journal.plan();
    const int run = m_run;
    log(tr("Scaling StatefulSet %1 from %2 to %3 replicas").arg(plan.statefulSet).arg(current).arg(replicas));
    m_client->scale(
        plan.ns, plan.statefulSet, replicas, this,
        [this, run, current, replicas](const kube::KubeResponse &scaled) {
            if (run != m_run)
                return;
            // The next look reads the StatefulSet again and scales it only if it must.
            if (!scaled.ok() && retryApi(scaled, tr("StatefulSet %1 to be scaled from %2 to %3 replicas")
                                                     .arg(m_journal.plan().statefulSet)
                                                     .arg(current)
                                                     .arg(replicas)))
                return;
            completeStep(scaled.ok(),
                         scaled.ok()
                             ? tr("StatefulSet scaled from %1 to %2 replicas.").arg(current).arg(replicas)
                             : tr("Could not scale the StatefulSet: %1").arg(scaled.error));
        });
}

void Executor::waitPodsGone(const Step &step)
{
    const QStringList pods = step.pods;
    watchPods();
    poll([this, pods] {
        listPods([this, pods](const QList<QJsonObject> &present) {
            QStringList left;
            for (const QJsonObject &pod : present) {
                if (pods.contains(kube::nameOf(pod)))
                    left.append(kube::nameOf(pod));
            }
            if (left.isEmpty()) {
                completeStep(true, tr("Pods %1 are gone.").arg(pods.join(u", ")));
                return;
            }
            left.sort();
            waiting(tr("pods %1 to terminate").arg(left.join(u", ")));
            again();
        });
    });
}

void Executor::waitPodsReady(const Step &step)
{
    const int replicas = step.replicas;
    watchPods();
    poll([this, replicas] {
        listPods([this, replicas](const QList<QJsonObject> &pods) {
            int ready = 0;
            QStringList notReady;
            for (const QJsonObject &pod : pods) {
                if (kube::podOrdinal(kube::nameOf(pod), m_journal.plan().statefulSet) >= replicas)
                    continue;
                if (kube::isPodReady(pod))
                    ++ready;
                else
                    notReady.append(kube::nameOf(pod));
            }
            if (ready >= replicas) {
                completeStep(true, tr("%1 pods are Ready.").arg(ready));
                return;
            }
            notReady.sort();
            waiting(notReady.isEmpty() ? tr("%1 pods Ready (%2 are)").arg(replicas).arg(ready)
                                       : tr("%1 pods Ready (%2 are); not yet: %3")
                                             .arg(replicas)
                                             .arg(ready)
                                             .arg(notReady.join(u", ")));
            again();
        });
    });
}

// DeleteClaims ---------------------------------------------------------------------------------------

// Every claim is checked before any is deleted, and each again right before it is: a claim holds
// the only copy of a dnode's data until the dnode has been dropped.
void Executor::deleteClaims(const Step &step)
{
    const QStringList claims = step.claims;
    poll([this, claims] { checkClaims(claims, 0); });
}

void Executor::checkClaims(const QStringList &claims, int index)
{
    if (index >= claims.size()) {
        deleteClaim(claims, 0);
        return;
    }
    checkClaim(claims.at(index), [this, claims, index](const QString &refusal) {
        if (!refusal.isEmpty()) {
            //: %1: why the claim may not be deleted, ending with a full stop
            completeStep(false, tr("%1 No claim was deleted.").arg(refusal));
            return;
        }
        checkClaims(claims, index + 1);
    });
}

QString Executor::claimPod(const QString &claim) const
{
    const QString set = m_journal.plan().statefulSet;
    const qsizetype at = claim.lastIndexOf(u'-' + set + u'-');
    if (at < 0)
        return {};
    const QString pod = claim.mid(at + 1);
    return kube::podOrdinal(pod, set) >= 0 ? pod : QString();
}

// `then` gets an empty refusal when the claim may go (or is gone already).
void Executor::checkClaim(const QString &claim, const std::function<void(const QString &refusal)> &then)
{
    const QString pod = claimPod(claim);
    if (pod.isEmpty()) {
        then(tr("Claim %1 does not belong to a pod of StatefulSet %2, so tdkube does not delete it.")
                 .arg(claim, m_journal.plan().statefulSet));
        return;
    }
    waiting(tr("claim %1 to be checked: its pod %2 gone and its dnode dropped").arg(claim, pod));
    const int run = m_run;
    const QString ns = m_journal.plan().ns;
    m_client->get(kube::ResourceKind::pods(), ns, pod, this,
                  [this, run, claim, pod, then](const kube::KubeResponse &response) {
                      if (run != m_run)
                          return;
                      // The next look checks every claim again, from the first.
                      if (!response.ok() && response.httpStatus != 404 &&
                          retryApi(response, tr("pod %1 to be read, to check claim %2").arg(pod, claim)))
                          return;
                      if (response.httpStatus != 404) {
                          then(response.ok()
                                   ? tr("Refused to delete claim %1: pod %2 still exists, so its data may "
                                        "still be in use. "
                                        "Scale the StatefulSet in and wait for the pod to terminate first.")
                                         .arg(claim, pod)
                                   : tr("Could not check pod %1 before deleting claim %2: %3")
                                         .arg(pod, claim, response.error));
                          return;
                      }
                      if (m_journal.plan().kind == OperationKind::Delete) {
                          checkClusterGone(claim, then);
                          return;
                      }
                      readComplete(taos::kSelectDnodes, [this, claim, pod, then](const taos::Result &result) {
                          for (const taos::Dnode &dnode : taos::dnodesFrom(result)) {
                              if (taos::podOfEndpoint(dnode.endpoint) == pod) {
                                  then(tr("Refused to delete claim %1: dnode %2 (%3) of pod %4 is still in "
                                          "the cluster (%5), so the "
                                          "claim may hold the only copy of its data. Drop the dnode first "
                                          "(`drop dnode %2`).")
                                           .arg(claim)
                                           .arg(dnode.id)
                                           .arg(dnode.endpoint, pod, dnode.status));
                                  return;
                              }
                          }
                          then({});
                      });
                  });
}

// A deletion has no TDengine left to ask whether a dnode was dropped: the whole cluster goes. A claim may
// go once its pod is gone (checkClaim) and its StatefulSet too, which would otherwise start the pod again
// on it.
void Executor::checkClusterGone(const QString &claim, const std::function<void(const QString &refusal)> &then)
{
    const QString set = m_journal.plan().statefulSet;
    const int run = m_run;
    m_client->get(
        kube::ResourceKind::statefulSets(), m_journal.plan().ns, set, this,
        [this, run, claim, set, then](const kube::KubeResponse &response) {
            if (run != m_run)
                return;
            if (response.httpStatus == 404) {
                then({});
                return;
            }
            if (!response.ok() &&
                retryApi(response, tr("StatefulSet %1 to be read, to check claim %2").arg(set, claim)))
                return;
            then(response.ok() ? tr("Refused to delete claim %1: StatefulSet %2 still exists and would start "
                                    "its pod again on it. Delete the StatefulSet first.")
                                     .arg(claim, set)
                               : tr("Could not check StatefulSet %1 before deleting claim %2: %3")
                                     .arg(set, claim, response.error));
        });
}

void Executor::deleteClaim(const QStringList &claims, int index)
{
    if (index >= claims.size()) {
        completeStep(true, tr("Claims %1 are gone.").arg(claims.join(u", ")));
        return;
    }
    const QString claim = claims.at(index);
    const QString ns = m_journal.plan().ns;
    const int run = m_run;
    checkClaim(claim, [this, run, claims, index, claim, ns](const QString &refusal) {
        if (!refusal.isEmpty()) {
            completeStep(false, refusal);
            return;
        }
        describeClaim(claim, [this, run, claims, index, claim, ns](const QString &consequence) {
            waiting(tr("claim %1 to be deleted: %2").arg(claim, consequence));
            log(tr("Deleting claim %1: %2").arg(claim, consequence));
            m_client->remove(
                kube::ResourceKind::persistentVolumeClaims(), ns, claim, {}, this,
                [this, run, claims, index, claim](const kube::KubeResponse &response) {
                    if (run != m_run)
                        return;
                    if (response.httpStatus == 404) {
                        log(tr("Claim %1 is gone already.").arg(claim));
                    } else if (!response.ok() &&
                               retryApi(response, tr("claim %1 to be deleted").arg(claim))) {
                        return;
                    } else if (!response.ok()) {
                        completeStep(false, tr("Could not delete claim %1: %2").arg(claim, response.error));
                        return;
                    } else {
                        log(tr("Deleted claim %1.").arg(claim));
                    }
                    deleteClaim(claims, index + 1);
                });
        });
    });
}

// What deleting `claim` does to its data, from the reclaim policy its bound volume has now (not the
// one the plan saw: someone may have patched it meanwhile). Reading fails soft: the deletion is safe
// anyway (checkClaim), only the sentence is vaguer.
void Executor::describeClaim(const QString &claim,
                             const std::function<void(const QString &consequence)> &then)
{
    const int run = m_run;
    const QString ns = m_journal.plan().ns;
    m_client->get(
        kube::ResourceKind::persistentVolumeClaims(), ns, claim, this,
        [this, run, claim, then](const kube::KubeResponse &response) {
            if (run != m_run)
                return;
            if (response.httpStatus == 404) {
                then(tr("it is gone already."));
                return;
            }
            const QString volume = kube::valueAt(response.json(), u"spec.volumeName"_s).toString();
            if (!response.ok() || volume.isEmpty()) {
                then(response.ok()
                         ? tr("it is bound to no volume, so no data goes with it.")
                         : tr("its volume could not be read (%1); what happens to the data depends on "
                              "the volume's reclaim policy.")
                               .arg(response.error));
                return;
            }
            m_client->get(
                kube::ResourceKind::persistentVolumes(), {}, volume, this,
                [this, run, volume, then](const kube::KubeResponse &pv) {
                    if (run != m_run)
                        return;
                    const QString policy =
                        kube::valueAt(pv.json(), u"spec.persistentVolumeReclaimPolicy"_s).toString();
                    if (!pv.ok() || policy.isEmpty())
                        then(tr("volume %1 could not be read (%2); what happens to its data depends on its "
                                "reclaim policy.")
                                 .arg(volume, pv.ok() ? tr("no reclaim policy") : pv.error));
                    else if (policy == u"Delete")
                        then(tr("its volume %1 has reclaim policy Delete: the volume and its data are "
                                "destroyed.")
                                 .arg(volume));
                    else if (policy == u"Retain")
                        then(tr("its volume %1 has reclaim policy Retain: the volume stays, Released, with "
                                "the data (delete it by hand once it is no longer needed).")
                                 .arg(volume));
                    else
                        then(tr("its volume %1 has reclaim policy %2: the volume is recycled and its data "
                                "erased.")
                                 .arg(volume, policy));
                });
        });
}

} // namespace tdkube::ops
