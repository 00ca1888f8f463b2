#include "taos/versions.h"

#include <QCoreApplication>
#include <QList>
#include <QRegularExpression>
#include <QVersionNumber>

#include <algorithm>

namespace tdkube::taos {

using namespace Qt::StringLiterals;

const VersionFacts &versionFacts(const QString &serverVersion)
{
    // Oldest first.
    static const QList<VersionFacts> table{
        {u"3.0"_s, u"reboot_time"_s, false},
        {u"3.3"_s, u"role_time"_s, true},
    };
    // "3.0.5.2.alpha": the numbers before the first part that is not one.
    const QVersionNumber version = QVersionNumber::fromString(serverVersion);
    const VersionFacts *found = &table.first();
    for (const VersionFacts &row : table) {
        if (!version.isNull() && version >= QVersionNumber::fromString(row.since))
            found = &row;
    }
    return *found;
}

QString imageVersion(const QString &image)
{
    QString reference = image.section(u'@', 0, 0); // a digest says nothing of the version
    const QString last = reference.section(u'/', -1);
    const qsizetype colon = last.lastIndexOf(u':');
    if (colon < 0)
        return {};
    const QString tag = last.mid(colon + 1);
    static const QRegularExpression kVersion(u"^v?(?:ver-)?(\\d+\\.\\d+\\.\\d+(?:\\.\\d+)?)"_s);
    const QRegularExpressionMatch match = kVersion.match(tag);
    return match.hasMatch() ? match.captured(1) : QString();
}

QList<int> versionNumbers(const QString &version)
{
    static const QRegularExpression kNumbers(u"(\\d+(?:\\.\\d+)*)"_s);
    const QRegularExpressionMatch match = kNumbers.match(version);
    QList<int> numbers;
    if (!match.hasMatch())
        return numbers;
    for (const QString &part : match.captured(1).split(u'.'))
        numbers.append(part.toInt());
    return numbers;
}

int compareVersions(const QString &a, const QString &b)
{
    const QList<int> left = versionNumbers(a);
    const QList<int> right = versionNumbers(b);
    for (qsizetype i = 0; i < std::max(left.size(), right.size()); ++i) {
        const int x = left.value(i);
        const int y = right.value(i);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

bool isRollingUpgrade(const QString &from, const QString &to, QString *why)
{
    const QList<int> a = versionNumbers(from);
    const QList<int> b = versionNumbers(to);
    if (a.mid(0, 3) == b.mid(0, 3) && a.size() >= 3)
        return true;
    if (why)
        *why = QCoreApplication::translate(
                   "tdkube::taos::Versions",
                   "TDengine upgrades one dnode at a time only between versions whose first three numbers "
                   "are the same (%1.x to %1.y); %2 to %3 changes them. Dnodes of the two versions do not "
                   "understand each other (seen with 3.0.5.2 and 3.3.6.6: \"read invalid packet\"): the "
                   "first pod restarted would stay offline, and writes would stop when the second went.")
                   .arg(QStringList{QString::number(a.value(0)), QString::number(a.value(1)),
                                    QString::number(a.value(2))}
                            .join(u'.'),
                        from, to);
    return false;
}

} // namespace tdkube::taos
