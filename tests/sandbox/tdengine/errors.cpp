#include "errors.h"

#include <QHash>

using namespace Qt::StringLiterals;

namespace tdkube::sandbox::tdengine {

QString errorText(int code)
{
    static const QHash<int, QString> texts{
        {kNetworkUnavailable, u"Unable to establish connection"_s},
        {kFqdnError, u"Unable to resolve FQDN"_s},
        {kInvalidConfig, u"Invalid config option"_s},
        {kDnodeAlreadyExists, u"Dnode already exists"_s},
        {kDnodeNotExist, u"Dnode does not exist"_s},
        {kCantDropLeader, u"Cannot drop mnode which is leader"_s},
        {kOutOfDnodes, u"Out of dnodes"_s},
        {kUserNotExist, u"Invalid user"_s},
        {kStableAlreadyExists, u"STable already exists"_s},
        {kStableNotExist, u"STable not exist"_s},
        {kDbAlreadyExists, u"Database already exists"_s},
        {kDbNotExist, u"Database not exist"_s},
        {kMnodeAlreadyExists, u"Mnode already exists"_s},
        {kMnodeNotExist, u"Mnode not there"_s},
        {kTooFewMnodes, u"The replica of mnode cannot less than 1"_s},
        {kTooManyMnodes, u"The replica of mnode cannot exceed 3"_s},
        {kHasOfflineDnode, u"Offline dnode exists"_s},
        {kVnodesExhausted, u"Vnodes exhausted"_s},
        {kTransConflict, u"Conflict transaction not completed"_s},
        {kTransNetworkUnavailable,
         u"Unable to establish connection While execute transaction and will continue in the background"_s},
        {kTransUnknownError, u"Unknown transaction error"_s},
        {kDnodeOffline, u"Dnode is offline"_s},
        {kOnlyWhenOffline, u"Please use this command when the dnode is offline"_s},
        {kUnsafeDelete,
         u"Single replica vnode data will lost permanently after this operation, if you make sure "
         u"this, please use drop dnode <id> unsafe to execute"_s},
        {kTableAlreadyExists, u"Table already exists"_s},
        {kSyncLeaderUnreachable, u"Sync leader is unreachable"_s},
        {kSyntaxError, u"syntax error near"_s},
        {kInvalidColumn, u"Invalid column name"_s},
        {kTableNotExist, u"Table does not exist"_s},
        {kTagsNotMatched, u"Tags number not matched"_s},
        {kDbNotSpecified, u"Database not specified"_s},
        {kInvalidDbOption, u"Invalid database option"_s},
        {kInvalidColumnsNum, u"Illegal number of columns"_s},
        {kInvalidFirstColumn, u"First column must be timestamp"_s},
        {kGetMetaError, u"Fail to get table info"_s},
    };
    return texts.value(code, u"Unknown error"_s);
}

Result failure(int code, const QString &detail)
{
    Result result;
    result.code = code;
    result.desc = detail.isEmpty() ? errorText(code) : detail;
    return result;
}

Result unknownSystemTable()
{
    return failure(kGetMetaError, errorText(kGetMetaError) + u", error: Invalid system table name"_s);
}

} // namespace tdkube::sandbox::tdengine
