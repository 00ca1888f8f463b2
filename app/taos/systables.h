#pragma once

#include <QString>

namespace tdkube::taos {

class Result;

// The statements tdkube reads TDengine's own state with, in one place; FACTS.md section 1 lists the
// columns each answers with. Transactions are performance_schema.perf_trans (= `show transactions`):
// there is no information_schema.ins_transactions, and asking for it fails (0x2662 on 3.0, 0x2603 on
// 3.3; FACTS.md sections 1 and 7).
inline const QString kSelectCluster = QStringLiteral("select * from information_schema.ins_cluster");
inline const QString kSelectDnodes = QStringLiteral("select * from information_schema.ins_dnodes");
inline const QString kSelectMnodes = QStringLiteral("select * from information_schema.ins_mnodes");
inline const QString kSelectDatabases = QStringLiteral("select * from information_schema.ins_databases");
inline const QString kSelectVgroups = QStringLiteral("select * from information_schema.ins_vgroups");
inline const QString kSelectStables = QStringLiteral("select * from information_schema.ins_stables");
inline const QString kSelectTransactions = QStringLiteral("select * from performance_schema.perf_trans");
// The normal tables of `database` (child tables are counted through their super table). ins_tables is
// read from the vnodes: with `db_name = 'X' AND ...` from X's only, else from every vgroup, so that
// one dnode away fails the whole read (0x000B after about 10 s on 3.3.6.6, even with a lone
// `db_name = 'X'`), and a database elsewhere could not be listed.
QString selectNormalTables(const QString &database);
// e.g. "3.0.5.2.alpha" (FACTS.md section 1): what taos/versions.h is looked up by.
inline const QString kSelectServerVersion = QStringLiteral("select server_version()");

// An answer can be cut short and still say code 0 (FACTS.md section 5: taosAdapter writes the header
// before it fetches and closes the rows it has when a fetch fails), so an absent row proves nothing by
// itself. What removes something (a step marked done, a StatefulSet scaled in, a claim deleted) decides
// on a complete read: the rows of one of the statements above and, beside them, their count(*).
// "select count(*) from T" for "select * from T".
QString countStatement(const QString &select);
// Empty when `rows` (the answer to `select`) is complete by `count` (the answer to
// countStatement(select)); otherwise why not, in words for a progress line. ins_dnodes and ins_mnodes
// without rows are never complete: a cluster always has a dnode and an mnode.
QString incompleteRead(const QString &select, const Result &rows, const Result &count);

} // namespace tdkube::taos
