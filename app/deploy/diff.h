#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace tdkube::deploy {

// What a person compares: the object without what the server alone writes (metadata.managedFields,
// resourceVersion, uid, creationTimestamp, generation, selfLink, the kubectl last-applied annotation,
// and status).
QJsonObject comparable(const QJsonObject &object);

// One line of a line-by-line comparison, for a side-by-side or coloured view. Line numbers are
// 1-based, 0 on the side the line is not in. `missingNewline`: the line ends its text without '\n'.
struct DiffLine
{
    enum Kind { Same, Added, Removed };
    Kind kind = Same;
    QString text; // without the line break
    int beforeLine = 0;
    int afterLine = 0;
    bool missingNewline = false;
};

// The shortest edit from `before` to `after` by lines (Myers' O(ND) algorithm in linear space, so
// 10,000-line texts with few changes take milliseconds, and even wholly different ones well under a
// second). Within a change, removed lines come before added ones. A last line without '\n' differs
// from the same text with one, as in diff(1).
QList<DiffLine> diffLines(const QString &before, const QString &after);

// A unified diff (---/+++ headers, @@ -a,b +c,d @@ hunks with `context` lines around changes, hunks
// closer than 2 * context merged), "\ No newline at end of file" as diff(1) writes it. Empty when
// the texts are equal.
QString unifiedDiff(const QString &before, const QString &after, const QString &beforeName,
                    const QString &afterName, int context = 3);

} // namespace tdkube::deploy
