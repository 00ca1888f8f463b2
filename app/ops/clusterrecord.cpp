#include "ops/clusterrecord.h"

#include "kube/kubeclient.h"
#include "kube/objects.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSettings>
#include <QSysInfo>
#include <QTimer>

#include <algorithm>
#include <utility>

Q_LOGGING_CATEGORY(lcClusterRecord, "tdkube.ops", QtWarningMsg)

namespace tdkube::ops {

using namespace Qt::StringLiterals;

namespace {

// What a record's name starts with, and the prefix that keeps it apart from the cluster's own ConfigMaps.
const QString kNamePrefix = u"tdkube-op-"_s;

QString resourceVersionOf(const QJsonObject &object)
{
    return object.value(u"metadata").toObject().value(u"resourceVersion").toString();
}

bool isHistory(const QString &phase)
{
    return phase == u"finished" || phase == u"abandoned";
}

} // namespace

// Only the records: the cluster's taos.cfg ConfigMap is labelled managed-by=tdkube too.
QString ClusterRecord::selector(const QString &statefulSet)
{
    QString selector = kManagedByLabel + u"=tdkube,"_s + kOperationLabel;
    if (!statefulSet.isEmpty())
        selector += u',' + kClusterLabel + u'=' + statefulSet;
    return selector;
}

int ClusterRecord::historyLimit()
{
    const int limit = QSettings().value(u"operations/historyLimit"_s, kDefaultHistoryLimit).toInt();
    return std::clamp(limit, 1, kMaxHistoryLimit);
}

void ClusterRecord::setHistoryLimit(int limit)
{
    QSettings().setValue(u"operations/historyLimit"_s, std::clamp(limit, 1, kMaxHistoryLimit));
}

RecordedOperation RecordedOperation::fromConfigMap(const QJsonObject &configMap)
{
    const QJsonObject metadata = configMap.value(u"metadata").toObject();
    const QJsonObject labels = metadata.value(u"labels").toObject();
    if (!kube::nameOf(configMap).startsWith(kNamePrefix) ||
        labels.value(ClusterRecord::kManagedByLabel).toString() != u"tdkube")
        return {};
    const QByteArray journal =
        configMap.value(u"data").toObject().value(ClusterRecord::kJournalKey).toString().toUtf8();
    RecordedOperation operation;
    operation.journal = Journal::fromJson(QJsonDocument::fromJson(journal).object());
    operation.phase = labels.value(ClusterRecord::kPhaseLabel).toString();
    const QJsonObject annotations = metadata.value(u"annotations").toObject();
    operation.startedBy = annotations.value(ClusterRecord::kStartedByAnnotation).toString();
    operation.runBy = annotations.value(ClusterRecord::kRunByAnnotation).toString(operation.startedBy);
    // The name is the id's: a record whose journal claims another operation is not one tdkube wrote.
    if (recordName(operation.journal.id()) != kube::nameOf(configMap))
        return {};
    return operation;
}

bool isAhead(const Journal &recorded, const Journal &local)
{
    if (!recorded.isValid() || recorded.id() != local.id())
        return false;
    if (local.status() != Journal::Status::Running)
        return false; // ended here: nothing recorded elsewhere changes that
    if (recorded.status() != Journal::Status::Running)
        return true;
    return recorded.resumeIndex() > local.resumeIndex();
}

QString operationPhase(const Journal &journal)
{
    switch (journal.status()) {
    case Journal::Status::Finished:
        return u"finished"_s;
    case Journal::Status::Abandoned:
        return u"abandoned"_s;
    case Journal::Status::Running:
        break;
    }
    const int index = journal.resumeIndex();
    const bool failed =
        index < journal.steps().size() && journal.steps().at(index).state == Journal::StepState::Failed;
    return failed ? u"stopped"_s : u"running"_s;
}

QString recordName(const QString &operationId)
{
    return kNamePrefix + operationId.toLower();
}

ClusterRecord::ClusterRecord(kube::KubeClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
}

ClusterRecord::~ClusterRecord() = default;

void ClusterRecord::follow(Journal &journal)
{
    const QPointer<ClusterRecord> self(this);
    journal.setObserver([self](const Journal &saved, bool removed) {
        if (!self)
            return;
        if (removed)
            self->remove(saved);
        else
            self->save(saved);
    });
    save(journal);
}

void ClusterRecord::save(const Journal &journal)
{
    enqueue({journal, false});
}

void ClusterRecord::remove(const Journal &journal)
{
    enqueue({journal, true});
}

QString ClusterRecord::startedBy() const
{
    const QString user = m_client ? m_client->settings().userName : QString();
    return (user.isEmpty() ? u"unknown"_s : user) + u'@' + QSysInfo::machineHostName();
}

void ClusterRecord::flush(int ms)
{
    if (isIdle())
        return;
    QEventLoop loop;
    connect(this, &ClusterRecord::idle, &loop, &QEventLoop::quit);
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

void ClusterRecord::enqueue(Work work)
{
    m_next = std::move(work);
    if (!m_busy)
        next();
}

void ClusterRecord::next()
{
    if (!m_next || !m_client) {
        m_busy = false;
        m_next.reset();
        emit idle();
        return;
    }
    const Work work = *m_next;
    m_next.reset();
    m_busy = true;
    if (work.journal.id() != m_operationId) {
        m_operationId = work.journal.id();
        m_resourceVersion.clear();
    }
    if (work.remove) {
        erase(work);
        return;
    }
    withOwner(work, [this, work](const QString &uid) { write(work, uid, 0); });
}

// The StatefulSet's uid, read once per cluster: the ownerReference needs it. A deletion's record has no
// owner: it would go with the StatefulSet it deletes, and it is the cluster's last word (its label keeps it
// in the cluster's history, trimmed with it).
void ClusterRecord::withOwner(const Work &work, const std::function<void(const QString &uid)> &then)
{
    const Plan &plan = work.journal.plan();
    if (plan.kind == OperationKind::Delete) {
        then({});
        return;
    }
    const QString key = plan.ns + u'/' + plan.statefulSet;
    if (key == m_ownerKey && !m_ownerUid.isEmpty()) {
        then(m_ownerUid);
        return;
    }
    m_client->get(kube::ResourceKind::statefulSets(), plan.ns, plan.statefulSet, this,
                  [this, work, key, then](const kube::KubeResponse &response) {
                      const QString uid = kube::uidOf(response.json());
                      if (!response.ok() || uid.isEmpty()) {
                          failed(work, u"read StatefulSet %1 (the record's owner)"_s.arg(key), response);
                          return;
                      }
                      m_ownerKey = key;
                      m_ownerUid = uid;
                      then(uid);
                  });
}

void ClusterRecord::write(const Work &work, const QString &ownerUid, int attempt)
{
    const Plan &plan = work.journal.plan();
    const QString name = recordName(work.journal.id());
    if (m_resourceVersion.isEmpty()) {
        m_client->create(kube::ResourceKind::configMaps(), plan.ns, configMap(work.journal, ownerUid), this,
                         [this, work, ownerUid, attempt, name](const kube::KubeResponse &response) {
                             if (response.httpStatus == 409 && attempt < kConflictRetries) {
                                 reread(work, ownerUid, attempt + 1); // a resume: it is there already
                                 return;
                             }
                             if (!response.ok()) {
                                 failed(work, u"create ConfigMap "_s + name, response);
                                 return;
                             }
                             written(work, response);
                         });
        return;
    }
    m_client->patch(
        kube::ResourceKind::configMaps(), plan.ns, name, patch(work.journal), "application/merge-patch+json",
        this, [this, work, ownerUid, attempt, name](const kube::KubeResponse &response) {
            if ((response.httpStatus == 409 || response.httpStatus == 404) && attempt < kConflictRetries) {
                reread(work, ownerUid, attempt + 1);
                return;
            }
            if (!response.ok()) {
                failed(work, u"update ConfigMap "_s + name, response);
                return;
            }
            written(work, response);
        });
}

// Someone else wrote it since (or it was deleted): its resourceVersion now, then the write again.
void ClusterRecord::reread(const Work &work, const QString &ownerUid, int attempt)
{
    const QString name = recordName(work.journal.id());
    m_client->get(kube::ResourceKind::configMaps(), work.journal.plan().ns, name, this,
                  [this, work, ownerUid, attempt, name](const kube::KubeResponse &response) {
                      if (!response.ok() && response.httpStatus != 404) {
                          failed(work, u"read ConfigMap "_s + name, response);
                          return;
                      }
                      m_resourceVersion = response.ok() ? resourceVersionOf(response.json()) : QString();
                      write(work, ownerUid, attempt);
                  });
}

void ClusterRecord::erase(const Work &work)
{
    const QString name = recordName(work.journal.id());
    m_client->remove(kube::ResourceKind::configMaps(), work.journal.plan().ns, name, {}, this,
                     [this, work, name](const kube::KubeResponse &response) {
                         if (!response.ok() && response.httpStatus != 404) {
                             failed(work, u"delete ConfigMap "_s + name, response);
                             return;
                         }
                         m_resourceVersion.clear();
                         next();
                     });
}

void ClusterRecord::written(const Work &work, const kube::KubeResponse &response)
{
    m_resourceVersion = resourceVersionOf(response.json());
    m_lastFailure.clear();
    if (isHistory(operationPhase(work.journal)))
        prune(work);
    else
        next();
}

// The cluster's history beyond historyLimit(), oldest first, deleted; a failure only leaves it longer.
void ClusterRecord::prune(const Work &work)
{
    const Plan &plan = work.journal.plan();
    kube::ListOptions options;
    options.labelSelector = selector(plan.statefulSet);
    m_client->list(kube::ResourceKind::configMaps(), plan.ns, options, this,
                   [this, ns = plan.ns](const kube::KubeResponse &response) {
                       if (!response.ok()) {
                           qCDebug(lcClusterRecord).noquote()
                               << "could not list the history to trim:" << response.error;
                           next();
                           return;
                       }
                       QList<RecordedOperation> history;
                       for (const QJsonValue &item : response.json().value(u"items").toArray()) {
                           RecordedOperation operation = RecordedOperation::fromConfigMap(item.toObject());
                           if (operation.isValid() && isHistory(operation.phase))
                               history.append(std::move(operation));
                       }
                       std::stable_sort(history.begin(), history.end(),
                                        [](const RecordedOperation &a, const RecordedOperation &b) {
                                            return a.journal.created() > b.journal.created();
                                        });
                       const qsizetype keep = historyLimit();
                       if (history.size() <= keep) {
                           next();
                           return;
                       }
                       m_pruning = int(history.size() - keep);
                       for (qsizetype i = keep; i < history.size(); ++i) {
                           const QString name = recordName(history.at(i).journal.id());
                           m_client->remove(kube::ResourceKind::configMaps(), ns, name, {}, this,
                                            [this, name](const kube::KubeResponse &removed) {
                                                if (!removed.ok() && removed.httpStatus != 404)
                                                    qCDebug(lcClusterRecord).noquote()
                                                        << "could not delete old record" << name
                                                        << removed.error;
                                                if (--m_pruning == 0)
                                                    next();
                                            });
                       }
                   });
}

void ClusterRecord::failed(const Work &work, const QString &what, const kube::KubeResponse &response)
{
    const QString id = work.journal.id();
    const QString line =
        u"The record of operation %1 in the cluster is behind its journal: could not %2: %3"_s.arg(
            id, what, response.error);
    // Said once while it keeps failing the same way (each save tries again).
    if (line != std::exchange(m_lastFailure, line))
        qCWarning(lcClusterRecord).noquote() << line;
    else
        qCDebug(lcClusterRecord).noquote() << line;
    if (response.httpStatus == 403 && m_warned != id) {
        m_warned = id;
        const QString words = response.status.message.isEmpty()
                                  ? response.error
                                  : response.status.reason + u": "_s + response.status.message;
        emit unavailable(
            tr("Other workstations will not see this operation: the API server refused to record it in "
               "namespace %1 (ConfigMap %2): %3. It runs anyway, recorded in this workstation's journal "
               "only. To share operations, ask for the right to create and update ConfigMaps there.")
                .arg(work.journal.plan().ns, recordName(id), words));
    }
    next();
}

QJsonObject ClusterRecord::configMap(const Journal &journal, const QString &ownerUid) const
{
    const Plan &plan = journal.plan();
    const QJsonObject labels{{kManagedByLabel, u"tdkube"_s},
                             {kClusterLabel, plan.statefulSet},
                             {kOperationLabel, operationName(plan.kind)},
                             {kPhaseLabel, operationPhase(journal)}};
    const QJsonObject owner{{u"apiVersion"_s, u"apps/v1"_s},
                            {u"kind"_s, u"StatefulSet"_s},
                            {u"name"_s, plan.statefulSet},
                            {u"uid"_s, ownerUid}};
    QJsonObject metadata{{u"name"_s, recordName(journal.id())},
                         {u"namespace"_s, plan.ns},
                         {u"labels"_s, labels},
                         {u"annotations"_s,
                          QJsonObject{{kStartedByAnnotation, startedBy()}, {kRunByAnnotation, startedBy()}}}};
    if (!ownerUid.isEmpty())
        metadata.insert(u"ownerReferences"_s, QJsonArray{owner});
    return {
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"ConfigMap"_s},
        {u"metadata"_s, metadata},
        {u"data"_s,
         QJsonObject{{kJournalKey,
                      QString::fromUtf8(QJsonDocument(journal.toJson()).toJson(QJsonDocument::Compact))}}}};
}

// The phase, the journal and who wrote it; who started it and the owner stay as the first write set them. The
// resourceVersion makes the API server refuse (409) a write over one this workstation has not seen.
QByteArray ClusterRecord::patch(const Journal &journal) const
{
    const QJsonObject metadata{{u"resourceVersion"_s, m_resourceVersion},
                               {u"labels"_s, QJsonObject{{kPhaseLabel, operationPhase(journal)}}},
                               {u"annotations"_s, QJsonObject{{kRunByAnnotation, startedBy()}}}};
    const QJsonObject body{
        {u"metadata"_s, metadata},
        {u"data"_s,
         QJsonObject{{kJournalKey,
                      QString::fromUtf8(QJsonDocument(journal.toJson()).toJson(QJsonDocument::Compact))}}}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

void ClusterRecord::list(kube::KubeClient *client, const QString &ns, QObject *context, Listed done)
{
    kube::ListOptions options;
    options.labelSelector = selector();
    client->list(kube::ResourceKind::configMaps(), ns, options, context,
                 [done = std::move(done)](const kube::KubeResponse &response) {
                     if (!response.ok()) {
                         done({}, response.error);
                         return;
                     }
                     QList<RecordedOperation> operations;
                     for (const QJsonValue &item : response.json().value(u"items").toArray()) {
                         RecordedOperation operation = RecordedOperation::fromConfigMap(item.toObject());
                         if (operation.isValid())
                             operations.append(std::move(operation));
                     }
                     std::stable_sort(operations.begin(), operations.end(),
                                      [](const RecordedOperation &a, const RecordedOperation &b) {
                                          return a.journal.created() < b.journal.created();
                                      });
                     done(operations, {});
                 });
}

void ClusterRecord::fetch(kube::KubeClient *client, const QString &ns, const QString &id, QObject *context,
                          Fetched done)
{
    client->get(kube::ResourceKind::configMaps(), ns, recordName(id), context,
                [done = std::move(done), id](const kube::KubeResponse &response) {
                    if (!response.ok()) {
                        done({}, response.httpStatus, response.error);
                        return;
                    }
                    const RecordedOperation operation = RecordedOperation::fromConfigMap(response.json());
                    if (!operation.isValid() || operation.journal.id() != id) {
                        done({}, response.httpStatus,
                             tr("ConfigMap %1 is not a record of operation %2 that tdkube can read.")
                                 .arg(recordName(id), id));
                        return;
                    }
                    done(operation, response.httpStatus, {});
                });
}

} // namespace tdkube::ops
