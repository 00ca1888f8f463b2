#pragma once

#include <QHash>
#include <QHashFunctions>
#include <QJsonObject>
#include <QList>

namespace tdkube::sandbox {

// The simulated delays the sandbox imposes (a pod starting up or terminating, a dnode's status
// timeout, the steps of the mnode transactions behind `drop dnode` and `balance vgroup`), each
// recorded as an interval from when it was scheduled to when it completed. A benchmark compares a
// client's wall time with `busyMs`: the length of the union of these intervals, the time the cluster
// itself needed, with overlapping delays counted once. Served as GET /sandbox/v1/delays.
//
// Times are milliseconds since the epoch, as the controller and the TDengine engine keep them;
// callers pass them so that the accounting is exact and testable. Cost: one entry per delay since
// the last reset, and a sort of them per report.
class DelayLedger final
{
public:
    enum class Kind { PodStartup, PodTermination, StatusTimeout, DropDnode, BalanceVgroup };
    using Id = quint64;

    DelayLedger() = default;
    Q_DISABLE_COPY_MOVE(DelayLedger)

    // A delay of `kind` began at `startMs`; returns what close() takes.
    Id open(Kind kind, qint64 startMs);
    // The delay completed at `endMs`. Closing one that is closed already, or was reset, does nothing.
    void close(Id id, qint64 endMs);
    bool isOpen(Id id) const;
    // Forgets completed delays; those in progress count from `atMs` on.
    void reset(qint64 atMs);

    // {"sinceMs":..., "nowMs":..., "busyMs":..., "inProgress":N,
    //  "kinds":{"podStartup":{"ms":..,"count":..}, ...}}; delays in progress count up to `nowMs`.
    QJsonObject report(qint64 nowMs) const;
    static QString kindName(Kind kind);

private:
    struct Interval
    {
        Kind kind = Kind::PodStartup;
        qint64 startMs = 0;
        qint64 endMs = -1; // -1: in progress
    };

    QHash<Id, Interval> m_intervals;
    Id m_nextId = 1;
    qint64 m_sinceMs = 0;
};

inline size_t qHash(DelayLedger::Kind kind, size_t seed = 0)
{
    return ::qHash(int(kind), seed);
}

} // namespace tdkube::sandbox
