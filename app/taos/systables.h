#pragma once

#include <QString>

namespace tdkube::taos {

// The statements tdkube reads TDengine's own state with, in one place; FACTS.md section 1 lists the
// columns each answers with. Transactions are performance_schema.perf_trans (= `show transactions`):
// there is no information_schema.ins_transactions, and asking for it fails (0x2662 on 3.0, 0x2603 on
// 3.3; FACTS.md sections 1 and 7).
inline const QString kSelectCluster = QStringLiteral("select * from information_schema.ins_cluster");
inline const QString kSelectDnodes = QStringLiteral("select * from information_schema.ins_dnodes");
inline const QString kSelectMnodes = QStringLiteral("select * from information_schema.ins_mnodes");
inline const QString kSelectDatabases = QStringLiteral("select * from information_schema.ins_databases");
inline const QString kSelectVgroups = QStringLiteral("select * from information_schema.ins_vgroups");
inline const QString kSelectTables = QStringLiteral("select * from information_schema.ins_tables");
inline const QString kSelectStables = QStringLiteral("select * from information_schema.ins_stables");
inline const QString kSelectTransactions = QStringLiteral("select * from performance_schema.perf_trans");

} // namespace tdkube::taos
