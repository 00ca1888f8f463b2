#pragma once

#include <QString>

namespace tdkube::taos {

// What differs between the TDengine versions tdkube meets, in one table keyed by version (FACTS.md
// section 7: observed on 3.0.5.2 and 3.3.6.6), so that no other code asks which version it talks to.
struct VersionFacts
{
    QString since; // the first version the row is known to hold for
    // ins_mnodes' last column, when the mnode's role last changed: `reboot_time` in 3.0, `role_time`
    // later (FACTS.md sections 1 and 7).
    QString mnodeRoleTimeColumn;
    // taosd keeps its local settings in <dataDir>/dnode/config/local.json from its first start and reads
    // them from there, not from taos.cfg, unless forceReadConfig is 1: a changed TAOS_* variable then
    // changes nothing at a restart (observed on 3.3.6.6 with supportVnodes; tryLoadCfgFromDataDir in
    // tglobal.c). 3.0 has no such file.
    bool keepsLocalConfig = false;
};

// The row for `serverVersion` as `select server_version()` answers it ("3.0.5.2.alpha", "3.3.6.6"): the
// newest row whose `since` it has reached. Where between 3.0.5.2 and 3.3.6.6 a change came is not known,
// so 3.1 and 3.2 take the 3.0 row; an empty or unreadable version takes it too.
const VersionFacts &versionFacts(const QString &serverVersion);

} // namespace tdkube::taos
