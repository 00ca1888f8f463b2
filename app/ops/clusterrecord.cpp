#include "ops/clusterrecord.h"

#include "kube/kubeclient.h"
#include "kube/objects.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
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

// Only the records: the cluster's taos.cfg ConfigMap is labelled managed-by=tdkube too.
QString recordSelector()
{
    return ClusterRecord::kManagedByLabel + u"=tdkube,"_s + ClusterRecord::kOperationLabel;
}

} // namespace

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
    operation.startedBy =
        metadata.value(u"annotations").toObject().value(ClusterRecord::kStartedByAnnotation).toString();
    return operation;
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

// The StatefulSet's uid, read once per cluster: the ownerReference needs it.
void ClusterRecord::withOwner(const Work &work, const std::function<void(const QString &uid)> &then)
{
    const Plan &plan = work.journal.plan();
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
                             written(response);
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
            written(response);
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

void ClusterRecord::written(const kube::KubeResponse &response)
{
    m_resourceVersion = resourceVersionOf(response.json());
    m_lastFailure.clear();
    next();
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
    const QJsonObject metadata{{u"name"_s, recordName(journal.id())},
                               {u"namespace"_s, plan.ns},
                               {u"labels"_s, labels},
                               {u"annotations"_s, QJsonObject{{kStartedByAnnotation, startedBy()}}},
                               {u"ownerReferences"_s, QJsonArray{owner}}};
    return {
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"ConfigMap"_s},
        {u"metadata"_s, metadata},
        {u"data"_s,
         QJsonObject{{kJournalKey,
                      QString::fromUtf8(QJsonDocument(journal.toJson()).toJson(QJsonDocument::Compact))}}}};
}

// The phase and the journal; who started it and the owner stay as the first write set them. The
// resourceVersion makes the API server refuse (409) a write over one this workstation has not seen.
QByteArray ClusterRecord::patch(const Journal &journal) const
{
    const QJsonObject metadata{{u"resourceVersion"_s, m_resourceVersion},
                               {u"labels"_s, QJsonObject{{kPhaseLabel, operationPhase(journal)}}}};
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
    options.labelSelector = recordSelector();
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

} // namespace tdkube::ops
