#include "deploy/diff.h"

#include <QHash>
#include <QJsonArray>
#include <QStringList>

#include <vector>

namespace tdkube::deploy {

using namespace Qt::StringLiterals;

QJsonObject comparable(const QJsonObject &object)
{
    QJsonObject result = object;
    result.remove(u"status"_s);
    QJsonObject metadata = result.value(u"metadata").toObject();
    for (const QString &key : {u"managedFields"_s, u"resourceVersion"_s, u"uid"_s, u"creationTimestamp"_s,
                               u"generation"_s, u"selfLink"_s})
        metadata.remove(key);
    QJsonObject annotations = metadata.value(u"annotations").toObject();
    annotations.remove(u"kubectl.kubernetes.io/last-applied-configuration"_s);
    if (annotations.isEmpty())
        metadata.remove(u"annotations"_s);
    else
        metadata.insert(u"annotations"_s, annotations);
    if (result.contains(u"metadata"))
        result.insert(u"metadata"_s, metadata);
    return result;
}

namespace {

struct Lines
{
    QStringList texts;
    bool lastMissingNewline = false;
};

Lines splitLines(const QString &text)
{
    Lines lines;
    if (text.isEmpty())
        return lines;
    lines.texts = text.split(u'\n');
    if (text.endsWith(u'\n'))
        lines.texts.removeLast();
    else
        lines.lastMissingNewline = true;
    return lines;
}

// Myers' linear-space algorithm over line ids: marks which lines of `a` are removed and which of
// `b` are added. The bisection follows diff-match-patch's diff_bisect; each half is trimmed of its
// common prefix and suffix first, which is also what keeps the recursion finite.
class Myers
{
    std::vector<int> m_a;
    std::vector<int> m_b;

public:
    // A line whose text the other side does not have at all is certainly removed (or added), and
    // can be no part of a longest common subsequence: leaving those out before the search keeps the
    // result minimal and makes texts that differ wholly, or in unique lines, cost O(N).
    Myers(const std::vector<int> &a, const std::vector<int> &b, int idCount)
        : removed(a.size(), false)
        , added(b.size(), false)
    {
        std::vector<char> inA(size_t(idCount), 0), inB(size_t(idCount), 0);
        for (int id : a)
            inA[size_t(id)] = 1;
        for (int id : b)
            inB[size_t(id)] = 1;
        std::vector<int> aIndex, bIndex;
        for (size_t i = 0; i < a.size(); ++i) {
            if (inB[size_t(a[i])]) {
                m_a.push_back(a[i]);
                aIndex.push_back(int(i));
            } else {
                removed[i] = true;
            }
        }
        for (size_t j = 0; j < b.size(); ++j) {
            if (inA[size_t(b[j])]) {
                m_b.push_back(b[j]);
                bIndex.push_back(int(j));
            } else {
                added[j] = true;
            }
        }
        m_removed.assign(m_a.size(), false);
        m_added.assign(m_b.size(), false);
        compare(0, int(m_a.size()), 0, int(m_b.size()));
        for (size_t i = 0; i < m_removed.size(); ++i)
            removed[size_t(aIndex[i])] = m_removed[i];
        for (size_t j = 0; j < m_added.size(); ++j)
            added[size_t(bIndex[j])] = m_added[j];
    }

    std::vector<bool> removed;
    std::vector<bool> added;

private:
    void compare(int aLo, int aHi, int bLo, int bHi)
    {
        while (aLo < aHi && bLo < bHi && m_a[aLo] == m_b[bLo]) {
            ++aLo;
            ++bLo;
        }
        while (aLo < aHi && bLo < bHi && m_a[aHi - 1] == m_b[bHi - 1]) {
            --aHi;
            --bHi;
        }
        if (aLo == aHi || bLo == bHi) {
            markAll(aLo, aHi, bLo, bHi);
            return;
        }
        int x = 0;
        int y = 0;
        if (!bisect(aLo, aHi, bLo, bHi, &x, &y) || (x == 0 && y == 0) || (x == aHi - aLo && y == bHi - bLo)) {
            markAll(aLo, aHi, bLo, bHi);
            return;
        }
        compare(aLo, aLo + x, bLo, bLo + y);
        compare(aLo + x, aHi, bLo + y, bHi);
    }

    void markAll(int aLo, int aHi, int bLo, int bHi)
    {
        for (int i = aLo; i < aHi; ++i)
            m_removed[size_t(i)] = true;
        for (int j = bLo; j < bHi; ++j)
            m_added[size_t(j)] = true;
    }

    // Finds a point (x, y), relative to aLo/bLo, where a forward and a reverse furthest-reaching
    // path meet: it lies on a shortest edit script. False when the ranges share nothing.
    bool bisect(int aLo, int aHi, int bLo, int bHi, int *splitX, int *splitY) const
    {
        const int n = aHi - aLo;
        const int m = bHi - bLo;
        const int maxD = (n + m + 1) / 2;
        const int offset = maxD;
        const int length = 2 * maxD + 2;
        std::vector<int> forward(size_t(length), -1);
        std::vector<int> reverse(size_t(length), -1);
        forward[size_t(offset + 1)] = 0;
        reverse[size_t(offset + 1)] = 0;
        const int delta = n - m;
        const bool front = delta % 2 != 0;
        int k1start = 0, k1end = 0, k2start = 0, k2end = 0;
        const auto at = [](std::vector<int> &v, int index) -> int & { return v[size_t(index)]; };
        for (int d = 0; d < maxD; ++d) {
            for (int k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
                const int k1Offset = offset + k1;
                int x1 = (k1 == -d || (k1 != d && at(forward, k1Offset - 1) < at(forward, k1Offset + 1)))
                             ? at(forward, k1Offset + 1)
                             : at(forward, k1Offset - 1) + 1;
                int y1 = x1 - k1;
                while (x1 < n && y1 < m && m_a[size_t(aLo + x1)] == m_b[size_t(bLo + y1)]) {
                    ++x1;
                    ++y1;
                }
                at(forward, k1Offset) = x1;
                if (x1 > n) {
                    k1end += 2;
                } else if (y1 > m) {
                    k1start += 2;
                } else if (front) {
                    const int k2Offset = offset + delta - k1;
                    if (k2Offset >= 0 && k2Offset < length && at(reverse, k2Offset) != -1 &&
                        x1 >= n - at(reverse, k2Offset)) {
                        *splitX = x1;
                        *splitY = y1;
                        return true;
                    }
                }
            }
            for (int k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
                const int k2Offset = offset + k2;
                int x2 = (k2 == -d || (k2 != d && at(reverse, k2Offset - 1) < at(reverse, k2Offset + 1)))
                             ? at(reverse, k2Offset + 1)
                             : at(reverse, k2Offset - 1) + 1;
                int y2 = x2 - k2;
                while (x2 < n && y2 < m && m_a[size_t(aLo + n - x2 - 1)] == m_b[size_t(bLo + m - y2 - 1)]) {
                    ++x2;
                    ++y2;
                }
                at(reverse, k2Offset) = x2;
                if (x2 > n) {
                    k2end += 2;
                } else if (y2 > m) {
                    k2start += 2;
                } else if (!front) {
                    const int k1Offset = offset + delta - k2;
                    if (k1Offset >= 0 && k1Offset < length && at(forward, k1Offset) != -1) {
                        const int x1 = at(forward, k1Offset);
                        const int y1 = offset + x1 - k1Offset;
                        if (x1 >= n - x2) {
                            *splitX = x1;
                            *splitY = y1;
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    std::vector<bool> m_removed; // of m_a, m_b: the lines both sides have
    std::vector<bool> m_added;
};

// The text a line is compared by: a last line without '\n' differs from one with it.
QString keyOf(const Lines &lines, qsizetype index)
{
    const bool last = index == lines.texts.size() - 1;
    return last && lines.lastMissingNewline ? lines.texts.at(index) + u"\n\\"_s : lines.texts.at(index);
}

QString hunkRange(int start, int count)
{
    // As diff(1): "-5" for one line, "-4,0" (the line before) for none.
    if (count == 1)
        return QString::number(start);
    return u"%1,%2"_s.arg(count == 0 ? start - 1 : start).arg(count);
}

// The number of the last line on one side before `index`, 0 at the start.
int lineBefore(const QList<DiffLine> &lines, qsizetype index, int DiffLine::*side)
{
    for (qsizetype i = index - 1; i >= 0; --i) {
        if (lines.at(i).*side > 0)
            return lines.at(i).*side;
    }
    return 0;
}

void appendHunk(QString *out, const QList<DiffLine> &lines, qsizetype first, qsizetype last)
{
    int beforeStart = 0, afterStart = 0, beforeCount = 0, afterCount = 0;
    QString body;
    for (qsizetype i = first; i <= last; ++i) {
        const DiffLine &line = lines.at(i);
        const QChar sign = line.kind == DiffLine::Same ? u' ' : line.kind == DiffLine::Added ? u'+' : u'-';
        if (line.kind != DiffLine::Added) {
            if (beforeCount++ == 0)
                beforeStart = line.beforeLine;
        }
        if (line.kind != DiffLine::Removed) {
            if (afterCount++ == 0)
                afterStart = line.afterLine;
        }
        body += sign + line.text + u'\n';
        if (line.missingNewline)
            body += u"\\ No newline at end of file\n"_s;
    }
    // An empty side is named by the line before it (diff(1) prints "-4,0").
    if (beforeCount == 0)
        beforeStart = lineBefore(lines, first, &DiffLine::beforeLine) + 1;
    if (afterCount == 0)
        afterStart = lineBefore(lines, first, &DiffLine::afterLine) + 1;
    *out += u"@@ -"_s + hunkRange(beforeStart, beforeCount) + u" +"_s + hunkRange(afterStart, afterCount) +
            u" @@\n"_s + body;
}

} // namespace

QList<DiffLine> diffLines(const QString &before, const QString &after)
{
    const Lines a = splitLines(before);
    const Lines b = splitLines(after);
    QHash<QString, int> ids;
    const auto idsOf = [&ids](const Lines &lines) {
        std::vector<int> out;
        out.reserve(size_t(lines.texts.size()));
        for (qsizetype i = 0; i < lines.texts.size(); ++i) {
            const QString key = keyOf(lines, i);
            auto it = ids.constFind(key);
            if (it == ids.constEnd())
                it = ids.insert(key, int(ids.size()));
            out.push_back(it.value());
        }
        return out;
    };
    const std::vector<int> aIds = idsOf(a);
    const std::vector<int> bIds = idsOf(b);
    const Myers myers(aIds, bIds, int(ids.size()));

    QList<DiffLine> result;
    result.reserve(qsizetype(std::max(aIds.size(), bIds.size())));
    int i = 0, j = 0;
    const int n = int(aIds.size()), m = int(bIds.size());
    const auto missing = [](const Lines &lines, int index) {
        return lines.lastMissingNewline && index == lines.texts.size() - 1;
    };
    while (i < n || j < m) {
        if (i < n && myers.removed[size_t(i)]) {
            result.append({DiffLine::Removed, a.texts.at(i), i + 1, 0, missing(a, i)});
            ++i;
        } else if (j < m && myers.added[size_t(j)]) {
            result.append({DiffLine::Added, b.texts.at(j), 0, j + 1, missing(b, j)});
            ++j;
        } else {
            result.append({DiffLine::Same, a.texts.at(i), i + 1, j + 1, missing(a, i)});
            ++i;
            ++j;
        }
    }
    return result;
}

QString unifiedDiff(const QString &before, const QString &after, const QString &beforeName,
                    const QString &afterName, int context)
{
    if (before == after)
        return {};
    const QList<DiffLine> lines = diffLines(before, after);
    QString out = u"--- "_s + beforeName + u"\n+++ "_s + afterName + u'\n';
    const qsizetype count = lines.size();
    qsizetype i = 0;
    while (i < count) {
        if (lines.at(i).kind == DiffLine::Same) {
            ++i;
            continue;
        }
        const qsizetype first = std::max<qsizetype>(0, i - context);
        qsizetype lastChange = i;
        // Extend while the next change is within 2 * context unchanged lines.
        for (qsizetype j = i + 1; j < count && j - lastChange <= 2 * context + 1; ++j) {
            if (lines.at(j).kind != DiffLine::Same)
                lastChange = j;
        }
        const qsizetype last = std::min(count - 1, lastChange + context);
        appendHunk(&out, lines, first, last);
        i = last + 1;
    }
    return out;
}

} // namespace tdkube::deploy
