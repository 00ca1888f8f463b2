#include "ops/lease.h"

#include "kube/kubeclient.h"
#include "kube/objects.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QSysInfo>
#include <QTimer>

namespace tdkube::ops {

using namespace Qt::StringLiterals;

namespace {

constexpr int kMaxAttempts = 4;

QString rfc3339(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODate);
}

} // namespace

QString LeaseRecord::operationId() const
{
    return holder.section(u'/', -1);
}

QString LeaseRecord::workstation() const
{
    return holder.section(u'/', 0, 0);
}

bool LeaseRecord::blocks(const QString &operationId, const QDateTime &now) const
{
    if (!isValid() || isExpired(now))
        return false;
    LeaseRecord mine;
    mine.holder = Lease::localHolder(operationId);
    return operationId != this->operationId() || workstation() != mine.workstation();
}

QJsonObject LeaseRecord::toJson() const
{
    return {{u"holder"_s, holder},
            {u"expires"_s, rfc3339(expires)},
            {u"operation"_s, operation},
            {u"since"_s, rfc3339(since)}};
}

LeaseRecord LeaseRecord::fromJson(const QJsonObject &json)
{
    LeaseRecord record;
    record.holder = json.value(u"holder").toString();
    record.expires = QDateTime::fromString(json.value(u"expires").toString(), Qt::ISODate);
    record.operation = json.value(u"operation").toString();
    record.since = QDateTime::fromString(json.value(u"since").toString(), Qt::ISODate);
    return record;
}

Lease::Lease(kube::KubeClient *client, QString ns, QString statefulSet, QString operationId,
             QString operation, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_ns(std::move(ns))
    , m_statefulSet(std::move(statefulSet))
    , m_operationId(std::move(operationId))
    , m_operation(std::move(operation))
    , m_holder(localHolder(m_operationId))
{
    m_renewTimer.setInterval(kDefaultRenewIntervalMs);
    connect(&m_renewTimer, &QTimer::timeout, this, [this] { read(Action::Renew, 0); });
}

Lease::~Lease() = default;

QString Lease::localHolder(const QString &operationId)
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("LOGNAME", u"unknown"_s);
    return u"%1@%2/%3/%4"_s.arg(user, QSysInfo::machineHostName())
        .arg(QCoreApplication::applicationPid())
        .arg(operationId);
}

namespace {

LeaseRecord leaseOf(const QJsonObject &statefulSet)
{
    const QString text =
        kube::metadataOf(statefulSet).value(u"annotations").toObject().value(Lease::kAnnotation).toString();
    return LeaseRecord::fromJson(QJsonDocument::fromJson(text.toUtf8()).object());
}

} // namespace

void Lease::inspect(kube::KubeClient *client, const QString &ns, const QString &statefulSet, QObject *context,
                    Inspected done)
{
    client->get(kube::ResourceKind::statefulSets(), ns, statefulSet, context,
                [done = std::move(done)](const kube::KubeResponse &response) {
                    if (!response.ok())
                        done({}, response.error);
                    else
                        done(leaseOf(response.json()), {});
                });
}

void Lease::acquire()
{
    m_transientRetries = 0;
    m_refused = false;
    read(Action::Acquire, 0);
}

void Lease::release()
{
    m_renewTimer.stop();
    m_transientRetries = 0;
    read(Action::Release, 0);
}

bool Lease::retryLater(Action action, const kube::KubeResponse &response)
{
    const int status = response.httpStatus;
    const bool transient = (status == 0 && !response.cancelled) || status == 429 || status == 500 ||
                           status == 502 || status == 503 || status == 504;
    if (!transient || action == Action::Renew || m_transientRetries >= kTransientRetries)
        return false;
    const int delayMs = kFirstRetryMs << m_transientRetries;
    ++m_transientRetries;
    // From the top: what was read before the failure may be stale by now.
    QTimer::singleShot(delayMs, this, [this, action] { read(action, 0); });
    return true;
}

void Lease::read(Action action, int attempt)
{
    if (!m_client) {
        answer(action, false,
               action == Action::Release
                   ? tr("There is no connection to the Kubernetes cluster, so the operation "
                        "lease on %1 could not be released. Connect, then try again.")
                         .arg(statefulSetText())
                   : tr("There is no connection to the Kubernetes cluster, so the operation "
                        "lease on %1 could not be taken. Connect, then try again.")
                         .arg(statefulSetText()));
        return;
    }
    m_client->get(
        kube::ResourceKind::statefulSets(), m_ns, m_statefulSet, this,
        [this, action, attempt](const kube::KubeResponse &response) { decide(action, attempt, response); });
}

void Lease::decide(Action action, int attempt, const kube::KubeResponse &response)
{
    if (!response.ok() && retryLater(action, response))
        return;
    if (!response.ok()) {
        answer(action, false,
               tr("Could not read %1 for its operation lease: %2").arg(statefulSetText(), response.error));
        return;
    }
    const QJsonObject metadata = kube::metadataOf(response.json());
    const QString version = metadata.value(u"resourceVersion").toString();
    const LeaseRecord current = leaseOf(response.json());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    LeaseRecord me;
    me.holder = m_holder;
    // Another workstation's holder of this very operation is someone else until its lease expires.
    const bool ours = current.isValid() && current.operationId() == m_operationId &&
                      (current.workstation() == me.workstation() || current.isExpired(now));
    if (action == Action::Release) {
        if (!ours) {
            m_held = false;
            answer(action, true,
                   tr("The operation lease on %1 was no longer ours: left alone.").arg(statefulSetText()));
            return;
        }
        write(action, attempt, version, {});
        return;
    }
    // An unreadable expiry counts as expired: a lease nobody can renew must not block forever.
    if (current.isValid() && !ours && current.expires.isValid() && current.expires > now) {
        if (action == Action::Renew) {
            m_held = false;
            m_renewTimer.stop();
            emit lost(refusal(current));
            return;
        }
        m_refused = true;
        answer(action, false, refusal(current));
        return;
    }
    LeaseRecord record;
    record.holder = m_holder;
    record.operation = m_operation;
    record.expires = now.addMSecs(m_durationMs);
    record.since = ours && current.since.isValid() ? current.since : now;
    write(action, attempt, version, record);
}

// A merge patch carrying metadata.resourceVersion is refused with 409 when the object changed
// since it was read: then read again (someone may have taken the lease) and try again. The
// StatefulSet controller's status updates change the resourceVersion too, often while pods come
// and go, so a few attempts are allowed before giving up.
void Lease::write(Action action, int attempt, const QString &resourceVersion, const LeaseRecord &record)
{
    const QJsonValue value =
        record.isValid()
            ? QJsonValue(QString::fromUtf8(QJsonDocument(record.toJson()).toJson(QJsonDocument::Compact)))
            : QJsonValue(QJsonValue::Null);
    const QJsonObject patch{
        {u"metadata"_s, QJsonObject{{u"resourceVersion"_s, resourceVersion},
                                    {u"annotations"_s, QJsonObject{{kAnnotation, value}}}}}};
    m_client->patch(kube::ResourceKind::statefulSets(), m_ns, m_statefulSet,
                    QJsonDocument(patch).toJson(QJsonDocument::Compact), "application/merge-patch+json", this,
                    [this, action, attempt, record](const kube::KubeResponse &response) {
                        if (response.httpStatus == 409 && attempt + 1 < kMaxAttempts) {
                            read(action, attempt + 1);
                            return;
                        }
                        if (!response.ok() && retryLater(action, response))
                            return;
                        if (!response.ok()) {
                            answer(action, false,
                                   tr("Could not write the operation lease on %1: %2")
                                       .arg(statefulSetText(), response.error));
                            return;
                        }
                        if (record.isValid())
                            m_since = record.since;
                        answer(action, true,
                               record.isValid()
                                   ? tr("Lease on %1 held by %2 until %3")
                                         .arg(statefulSetText(), m_holder, rfc3339(record.expires))
                                   : tr("Lease on %1 released").arg(statefulSetText()));
                    });
}

void Lease::answer(Action action, bool ok, const QString &message)
{
    switch (action) {
    case Action::Acquire:
        m_held = ok;
        if (ok)
            m_renewTimer.start();
        emit acquired(ok, message);
        return;
    case Action::Renew:
        // A renewal that could not be written is tried again at the next tick, while the lease
        // has not expired; one that found the lease taken is final (decide()).
        return;
    case Action::Release:
        if (ok)
            m_held = false;
        emit released(ok, message);
        return;
    }
}

QString Lease::refusal(const LeaseRecord &record) const
{
    return tr("Another tdkube (%1) has been running %2 on this cluster since %3, so nothing was changed. "
              "Wait until it finishes (its lease on %4 expires at %5 unless it is renewed), then try again.")
        .arg(record.holder, record.operation.isEmpty() ? tr("an operation") : record.operation,
             rfc3339(record.since.isValid() ? record.since : record.expires), statefulSetText(),
             rfc3339(record.expires));
}

QString Lease::statefulSetText() const
{
    return tr("StatefulSet %1 in namespace %2").arg(m_statefulSet, m_ns);
}

} // namespace tdkube::ops
