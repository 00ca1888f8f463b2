#pragma once

#include "tdengine/cluster.h"

#include <QString>

namespace tdkube::sandbox::tdengine {

// TDengine 3.x error codes (the low 16 bits of TAOS_DEF_ERROR_CODE(0, x), which is what taosAdapter
// reports in "code") with the texts of source/util/src/terror.c. Unless a comment says otherwise,
// number and text were checked against include/util/taoserror.h and terror.c.
enum ErrorCode : int {
    kNetworkUnavailable = 0x000B,      // TSDB_CODE_RPC_NETWORK_UNAVAIL
    kActionInProgress = 0x0111,        // TSDB_CODE_ACTION_IN_PROGRESS (a transaction's action in flight)
    kInvalidConfig = 0x0119,           // TSDB_CODE_INVALID_CFG (`alter dnode` of a key it cannot change)
    kFqdnError = 0x0015,               // TSDB_CODE_RPC_FQDN_ERROR
    kDnodeAlreadyExists = 0x0330,      // TSDB_CODE_MND_DNODE_ALREADY_EXIST
    kDnodeNotExist = 0x0331,           // TSDB_CODE_MND_DNODE_NOT_EXIST
    kCantDropLeader = 0x0333,          // TSDB_CODE_MND_CANT_DROP_LEADER
    kOutOfDnodes = 0x0334,             // TSDB_CODE_MND_NO_ENOUGH_DNODES
    kUserNotExist = 0x0351,            // TSDB_CODE_MND_USER_NOT_EXIST
    kStableAlreadyExists = 0x0360,     // TSDB_CODE_MND_STB_ALREADY_EXIST
    kStableNotExist = 0x0362,          // TSDB_CODE_MND_STB_NOT_EXIST
    kDbAlreadyExists = 0x0381,         // TSDB_CODE_MND_DB_ALREADY_EXIST
    kDbNotExist = 0x0388,              // TSDB_CODE_MND_DB_NOT_EXIST
    kMnodeAlreadyExists = 0x03A0,      // TSDB_CODE_MND_MNODE_ALREADY_EXIST
    kMnodeNotExist = 0x03A1,           // TSDB_CODE_MND_MNODE_NOT_EXIST
    kTooFewMnodes = 0x03A8,            // TSDB_CODE_MND_TOO_FEW_MNODES
    kTooManyMnodes = 0x03A9,           // TSDB_CODE_MND_TOO_MANY_MNODES
    kHasOfflineDnode = 0x03B6,         // TSDB_CODE_MND_HAS_OFFLINE_DNODE
    kVnodesExhausted = 0x03BA,         // TSDB_CODE_MND_NO_ENOUGH_VNODES
    kTransConflict = 0x03D3,           // TSDB_CODE_MND_TRANS_CONFLICT
    kTransNetworkUnavailable = 0x03D5, // TSDB_CODE_MND_TRANS_NETWORK_UNAVAILL (goes on in the background)
    kTransUnknownError = 0x03DF,       // TSDB_CODE_MND_TRANS_UNKNOW_ERROR
    kDnodeOffline = 0x0408,            // TSDB_CODE_DNODE_OFFLINE
    kOnlyWhenOffline = 0x0416,         // TSDB_CODE_DNODE_ONLY_USE_WHEN_OFFLINE
    kUnsafeDelete = 0x0535,            // TSDB_CODE_VND_META_DATA_UNSAFE_DELETE
    kTableAlreadyExists = 0x0603,      // TSDB_CODE_TDB_TABLE_ALREADY_EXIST
    kSyncLeaderUnreachable = 0x090C,   // TSDB_CODE_SYN_NOT_LEADER
    kSyntaxError = 0x2600,             // TSDB_CODE_PAR_SYNTAX_ERROR
    kInvalidColumn = 0x2602,           // TSDB_CODE_PAR_INVALID_COLUMN
    kTableNotExist = 0x2603,           // TSDB_CODE_PAR_TABLE_NOT_EXIST
    kTagsNotMatched = 0x260D,          // TSDB_CODE_PAR_TAGS_NOT_MATCHED
    kDbNotSpecified = 0x2616,          // TSDB_CODE_PAR_DB_NOT_SPECIFIED
    kInvalidDbOption = 0x2619,         // TSDB_CODE_PAR_INVALID_DB_OPTION
    kInvalidColumnsNum = 0x263F,       // TSDB_CODE_PAR_INVALID_COLUMNS_NUM
    kInvalidFirstColumn = 0x2641,      // TSDB_CODE_PAR_INVALID_FIRST_COLUMN
    kGetMetaError = 0x2662,            // TSDB_CODE_PAR_GET_META_ERROR
};

// What TDengine 3.0 answers for a table of information_schema or performance_schema it does not
// have, e.g. ins_transactions (FACTS.md section 1, observed on 3.0.5.2): the mnode refuses the meta
// request with TSDB_CODE_MND_INVALID_SYS_TABLENAME (mndInfoSchema.c, mndPerfSchema.c) and the
// parser wraps its text in TSDB_CODE_PAR_GET_META_ERROR (parTranslater.c). 3.3 says 0x2603 instead.
Result unknownSystemTable();

// terror.c's text for `code`.
QString errorText(int code);

// A failed Result: TDengine's text, or `detail` where the parser formats its own message
// (TDengine's parser errors carry the offending name or token, e.g. `syntax error near "..."`).
Result failure(int code, const QString &detail = QString());

} // namespace tdkube::sandbox::tdengine
