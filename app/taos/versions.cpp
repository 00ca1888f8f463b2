#include "taos/versions.h"

#include <QList>
#include <QVersionNumber>

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

} // namespace tdkube::taos
