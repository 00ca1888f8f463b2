#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <functional>

namespace tdkube::kube {
class KubeClient;
struct KubeResponse;
} // namespace tdkube::kube

namespace tdkube::ops {

// What the lease annotation says: {"holder": "<user>@<host>/<pid>/<operation id>", "expires":
// RFC 3339, "operation": "scale-in"}.
struct LeaseRecord
{
    QString holder;
    QDateTime expires;
    QString operation;
    QDateTime since; // when the holder took it (not renewed)

    bool isValid() const { return !holder.isEmpty(); }
    // The last part of `holder`: a resumed operation is the same operation in another process.
    QString operationId() const;
    // The first part of `holder`, "<user>@<host>": the workstation (and person) that holds it.
    QString workstation() const;
    bool isExpired(const QDateTime &now) const { return !expires.isValid() || expires <= now; }
    // Whether this lease keeps this workstation from running operation `operationId` now: held, not
    // expired, and not this workstation's own lease of that operation (which a resume takes back).
    bool blocks(const QString &operationId, const QDateTime &now) const;
    QJsonObject toJson() const;
    static LeaseRecord fromJson(const QJsonObject &json);
};

// Keeps two tdkube instances from running operations on the same cluster at once: an annotation
// `tdkube.io/operation-lease` on the StatefulSet, written with a merge patch that carries the
// resourceVersion it was read at, so that of two writers racing exactly one wins (the other gets a
// 409, reads again and retries, a few times at most). An unexpired lease of another operation refuses, naming
// its holder; an expired one is taken over; the same operation id resumed on the same workstation (after a
// crash, in a new process) takes its own lease back at once. The same operation taken over by another
// workstation (from its record in the cluster) waits for the lease to expire like any other: its first holder
// may still be running it. While held it is renewed every renewInterval(); release() removes it (only if it
// is still ours). Destroying a Lease does not release it: a crash cannot either, and the expiry covers both.
class Lease final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Lease)

public:
    static inline const QString kAnnotation = QStringLiteral("tdkube.io/operation-lease");
    static constexpr int kDefaultDurationMs = 2 * 60 * 1000;
    static constexpr int kDefaultRenewIntervalMs = 30 * 1000;
    // A failing API server is asked again after 0.5, 1, 2, 4 and 8 s before an acquire or release
    // gives up (a renewal waits for its next tick instead).
    static constexpr int kTransientRetries = 5;
    static constexpr int kFirstRetryMs = 500;

    Lease(kube::KubeClient *client, QString ns, QString statefulSet, QString operationId, QString operation,
          QObject *parent = nullptr);
    ~Lease() override;

    // "<user>@<host>/<pid>/<operation id>" of this process.
    static QString localHolder(const QString &operationId);
    // The lease on `ns`/`statefulSet` as the API server holds it now (invalid: none), or why it could not
    // be read. For showing who holds it and until when; acquire() decides on its own reading.
    using Inspected = std::function<void(const LeaseRecord &lease, const QString &error)>;
    static void inspect(kube::KubeClient *client, const QString &ns, const QString &statefulSet,
                        QObject *context, Inspected done);
    // Tests stand in for another tdkube instance with another holder.
    void setHolder(const QString &holder) { m_holder = holder; }
    QString holder() const { return m_holder; }
    void setDuration(int ms) { m_durationMs = ms; }
    void setRenewInterval(int ms) { m_renewTimer.setInterval(ms); }

    // acquired(ok, message) answers exactly once per call.
    void acquire();
    // released(ok, message) answers; a lease that is no longer ours is left alone.
    void release();
    bool isHeld() const { return m_held; }
    // The last acquire() was refused because another operation holds the lease (the message says that
    // nothing was changed), not because the lease could not be read or written.
    bool refused() const { return m_refused; }

signals:
    // ok: the lease is ours until renewed. Otherwise who holds it, or why it could not be written.
    void acquired(bool ok, const QString &message);
    // A renewal found the lease taken by someone else (after it expired): stop at the next safe point.
    void lost(const QString &message);
    void released(bool ok, const QString &message);

private:
    enum class Action { Acquire, Renew, Release };
    void read(Action action, int attempt);
    void decide(Action action, int attempt, const kube::KubeResponse &response);
    void write(Action action, int attempt, const QString &resourceVersion, const LeaseRecord &record);
    void answer(Action action, bool ok, const QString &message);
    // A failure the API server or the network may get over (no answer, 429, 500, 502, 503, 504):
    // true when the action is tried again in a moment, false once kTransientRetries were spent.
    bool retryLater(Action action, const kube::KubeResponse &response);
    QString refusal(const LeaseRecord &record) const;
    QString statefulSetText() const;

    QPointer<kube::KubeClient> m_client;
    QString m_ns;
    QString m_statefulSet;
    QString m_operationId;
    QString m_operation;
    QString m_holder;
    int m_durationMs = kDefaultDurationMs;
    QDateTime m_since;
    bool m_held = false;
    bool m_refused = false;
    QTimer m_renewTimer;
    int m_transientRetries = 0; // spent by the acquire or release under way
};

} // namespace tdkube::ops
