#include "delayledger.h"

#include <algorithm>
#include <limits>
#include <utility>

using namespace Qt::StringLiterals;

namespace tdkube::sandbox {

namespace {

struct KindName
{
    DelayLedger::Kind kind;
    QStringView name;
};

// The names GET /sandbox/v1/delays reports them by.
constexpr KindName kKindNames[] = {{DelayLedger::Kind::PodStartup, u"podStartup"},
                                   {DelayLedger::Kind::PodTermination, u"podTermination"},
                                   {DelayLedger::Kind::StatusTimeout, u"statusTimeout"},
                                   {DelayLedger::Kind::DropDnode, u"dropDnode"},
                                   {DelayLedger::Kind::BalanceVgroup, u"balanceVgroup"}};

// Total length of the union of [start, end) intervals.
qint64 unionLength(QList<std::pair<qint64, qint64>> intervals)
{
    std::sort(intervals.begin(), intervals.end());
    qint64 total = 0;
    qint64 coveredUntil = std::numeric_limits<qint64>::min();
    for (const auto &[start, end] : std::as_const(intervals)) {
        const qint64 from = std::max(start, coveredUntil);
        if (end > from)
            total += end - from;
        coveredUntil = std::max(coveredUntil, end);
    }
    return total;
}

} // namespace

DelayLedger::Id DelayLedger::open(Kind kind, qint64 startMs)
{
    const Id id = m_nextId++;
    m_intervals.insert(id, Interval{kind, startMs, -1});
    return id;
}

void DelayLedger::close(Id id, qint64 endMs)
{
    const auto it = m_intervals.find(id);
    if (it != m_intervals.end() && it->endMs < 0)
        it->endMs = std::max(endMs, it->startMs);
}

bool DelayLedger::isOpen(Id id) const
{
    const auto it = m_intervals.constFind(id);
    return it != m_intervals.cend() && it->endMs < 0;
}

void DelayLedger::reset(qint64 atMs)
{
    m_sinceMs = atMs;
    m_intervals.removeIf([](const auto &it) { return it.value().endMs >= 0; });
    for (Interval &interval : m_intervals)
        interval.startMs = std::max(interval.startMs, atMs);
}

QJsonObject DelayLedger::report(qint64 nowMs) const
{
    QHash<Kind, std::pair<qint64, int>> sums; // kind -> (ms, count)
    QList<std::pair<qint64, qint64>> spans;
    int inProgress = 0;
    for (const Interval &interval : m_intervals) {
        const qint64 end = interval.endMs >= 0 ? interval.endMs : std::max(nowMs, interval.startMs);
        inProgress += interval.endMs < 0 ? 1 : 0;
        sums[interval.kind].first += end - interval.startMs;
        sums[interval.kind].second += 1;
        spans.append({interval.startMs, end});
    }
    QJsonObject kinds;
    for (const KindName &kind : kKindNames) {
        const auto [ms, count] = sums.value(kind.kind);
        kinds.insert(kind.name.toString(), QJsonObject{{u"ms"_s, ms}, {u"count"_s, count}});
    }
    return {{u"sinceMs"_s, m_sinceMs},
            {u"nowMs"_s, nowMs},
            {u"busyMs"_s, unionLength(std::move(spans))},
            {u"inProgress"_s, inProgress},
            {u"kinds"_s, kinds}};
}

QString DelayLedger::kindName(Kind kind)
{
    for (const KindName &entry : kKindNames) {
        if (entry.kind == kind)
            return entry.name.toString();
    }
    return {};
}

} // namespace tdkube::sandbox
