#pragma once

#include <QList>
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

// The TDengine version an image runs, from its tag: "tdengine/tdengine:3.3.6.6" -> "3.3.6.6",
// "registry:5000/td/tdengine:3.0.5.2-arm64" -> "3.0.5.2". Empty when the tag names no version ("latest",
// no tag, a digest only): then nothing can be said about the change.
QString imageVersion(const QString &image);
// The version numbers of "3.0.5.2.alpha", "3.3.6.6", "ver-3.3.6.6": the four numbers TDengine's
// versions have, or fewer when fewer are given; empty when none.
QList<int> versionNumbers(const QString &version);
// -1, 0 or 1 as `a` is older than, the same as or newer than `b` (missing numbers count as 0).
int compareVersions(const QString &a, const QString &b);

// Whether TDengine can be upgraded from `from` to `to` one dnode at a time, with the cluster running a
// mix of both meanwhile: only between versions whose first three numbers are the same (3.3.6.0 ->
// 3.3.6.6); any other change needs every dnode stopped and started on the new version. Observed on real
// taosd (tests/sandbox/real-tdengine-upgrade.md): 3.0.5.2 and 3.3.6.6 drop each other's every packet
// ("read invalid packet"), so the first dnode upgraded stays offline for as long as the others run 3.0,
// and writes stop when the second goes; stopping all and starting all on 3.3.6.6 works. When it cannot,
// `why` says so for the user.
bool isRollingUpgrade(const QString &from, const QString &to, QString *why = nullptr);

} // namespace tdkube::taos
