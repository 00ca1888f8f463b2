// Runtime configuration of dnodes as TDengine 3.0.5.2 does it: `alter dnode N` / `alter all dnodes`,
// `show dnode N variables` (information_schema.ins_dnode_variables) and `show variables`
// (information_schema.ins_configs). What each dnode runs with is Dnode::config (dnodeconfig.h).
#include "engine.h"
#include "errors.h"
#include "lexer.h"

using namespace Qt::StringLiterals;

namespace tdkube::sandbox::tdengine {

namespace {

Result syntaxError(const Cursor &c)
{
    return failure(kSyntaxError, u"syntax error near \""_s + c.rest() + u'"');
}

bool takeInt(Cursor &c, int *value)
{
    bool ok = false;
    *value = c.peek().text.toInt(&ok);
    if (c.peek().kind != Token::Kind::Number || !ok)
        return false;
    c.take();
    return true;
}

// systable.c: name is TSDB_CONFIG_OPTION_LEN (32) and value TSDB_CONFIG_VALUE_LEN (64) characters
// after the VARCHAR length header, which is what taosAdapter reports.
Column nameColumn()
{
    return makeColumn(u"name"_s, u"VARCHAR"_s, 32);
}

Column valueColumn()
{
    return makeColumn(u"value"_s, u"VARCHAR"_s, 64);
}

// cfgDumpItemValue writes into a buffer of TSDB_CONFIG_VALUE_LEN bytes, the last for its NUL.
QString shown(const QString &value)
{
    return value.left(63);
}

Condition columnEquals(const QString &column, const QJsonValue &value)
{
    Condition condition;
    condition.kind = Condition::Kind::Compare;
    condition.op = u"="_s;
    condition.left.isColumn = true;
    condition.left.column = column;
    condition.right.value = value;
    return condition;
}

Condition columnLike(const QString &column, const QString &pattern)
{
    Condition condition = columnEquals(column, pattern);
    condition.kind = Condition::Kind::Like;
    return condition;
}

} // namespace

// What the taosd starting at `endpoint` runs with; supportVnodes comes checked as its own argument.
DnodeConfig Engine::readTaosCfg(const QString &endpoint, int supportVnodes,
                                const QMap<QString, QString> &taosCfg, const QString &version)
{
    QMap<QString, QString> entries = taosCfg;
    entries.removeIf(
        [](const auto &entry) { return entry.key().compare(u"supportVnodes"_s, Qt::CaseInsensitive) == 0; });
    QStringList errors;
    DnodeConfig config = DnodeConfig::load(entries, endpoint, &errors);
    for (const QString &error : std::as_const(errors))
        log(endpoint, u"UTL  ERROR "_s + error);
    config.set(u"supportVnodes"_s, QString::number(supportVnodes));
    if (!version.isEmpty())
        config.set(u"version"_s, version);
    return config;
}

QString Engine::runningVersion() const
{
    const Dnode *leader = dnodeById(m_mnodeLeader);
    const QString version = leader ? leader->config.value(u"version"_s) : QString();
    return version.isEmpty() ? serverVersion() : version;
}

// ALTER DNODE N 'config' ['value'] and ALTER ALL DNODES 'config' ['value'] (sql.y; the parser sends
// dnode id -1 for all). mndProcessConfigDnodeReq (mndDnode.c) checks the config first, then sends it to
// every dnode concerned (0 and -1: all) with tmsgSendReq and answers at once: a dnode whose taosd is
// down never gets it and the statement still succeeds; only when no dnode has the id does it fail.
Result Engine::alterDnode(Cursor &c)
{
    int dnodeId = -1;
    if (c.acceptWord("all"_L1)) {
        if (!c.acceptWord("dnodes"_L1))
            return syntaxError(c);
    } else if (!c.acceptWord("dnode"_L1) || !takeInt(c, &dnodeId)) {
        return syntaxError(c);
    }
    if (c.peek().kind != Token::Kind::String)
        return syntaxError(c);
    const QString config = c.take().text;
    const QString value = c.peek().kind == Token::Kind::String ? c.take().text : QString();
    if (!c.atEnd())
        return syntaxError(c);
    const std::optional<ConfigRequest> request = checkConfigRequest(config, value);
    if (!request)
        return failure(kInvalidConfig);
    bool found = false;
    for (Dnode &dnode : m_dnodes) {
        if (dnodeId > 0 && dnode.id != dnodeId)
            continue;
        found = true;
        log(leaderEndpoint(), u"MND  dnode:"_s + QString::number(dnode.id) +
                                  u", send config req to dnode, config:"_s + request->config + u" value:"_s +
                                  request->value);
        if (!dnode.running)
            continue;
        dnode.config.applyDynamic(request->config, request->value);
        log(dnode.endpoint,
            u"DND  start to config, option:"_s + request->config + u", value:"_s + request->value);
    }
    if (!found)
        return failure(kDnodeNotExist);
    return Result();
}

// Every row comes from the dnode itself (dmAppendVariablesToBlock, dmHandle.c): the query asks every
// dnode the mnode lists, whatever its status, and filters afterwards (setDnodeSysTableVgroupList in
// parTranslater.c, one scan per dnode), so `show dnode 1 variables` fails too while another dnode's
// taosd is down: the request to it cannot connect. Not observed, read from the source; the code is the
// one a query to a dead dnode's vnode answers (0x000B, FACTS.md section 7), without its 10 s wait.
RowSet Engine::insDnodeVariables() const
{
    RowSet set;
    set.columns = {makeColumn(u"dnode_id"_s, u"INT"_s, 4), nameColumn(), valueColumn()};
    for (const Dnode &dnode : m_dnodes) {
        for (const DnodeConfig::Variable &variable : dnode.config.variables())
            set.rows << Row{dnode.id, variable.name, shown(variable.value)};
    }
    return set;
}

std::optional<Result> Engine::dnodeVariablesError() const
{
    for (const Dnode &dnode : m_dnodes) {
        if (!dnode.running)
            return failure(kNetworkUnavailable);
    }
    return std::nullopt;
}

// mndRetrieveConfigs (mndDnode.c): four settings of the mnode leader's own process.
RowSet Engine::insConfigs() const
{
    RowSet set;
    set.columns = {nameColumn(), valueColumn()};
    const Dnode *leader = dnodeById(m_mnodeLeader);
    for (const QString &name : {u"statusInterval"_s, u"timezone"_s, u"locale"_s, u"charset"_s})
        set.rows << Row{name, leader ? shown(leader->config.value(name)) : QString()};
    return set;
}

// SHOW DNODE N VARIABLES [LIKE 'pattern'] is rewritten to a select on ins_dnode_variables with
// dnode_id = N [AND name LIKE 'pattern'] (rewriteShowDnodeVariables, parTranslater.c); SHOW [CLUSTER]
// VARIABLES reads ins_configs. SHOW LOCAL VARIABLES, the client library's own settings, is not here.
Result Engine::showVariables(Cursor &c, const Session &session)
{
    if (c.acceptWord("cluster"_L1) || c.isWord("variables"_L1)) {
        if (!c.acceptWord("variables"_L1) || !c.atEnd())
            return syntaxError(c);
        return toResult(insConfigs());
    }
    int dnodeId = 0;
    if (!c.acceptWord("dnode"_L1) || !takeInt(c, &dnodeId) || !c.acceptWord("variables"_L1))
        return syntaxError(c);
    Select select;
    SelectItem star;
    star.kind = SelectItem::Kind::Star;
    select.items << star;
    select.hasFrom = true;
    select.db = u"information_schema"_s;
    select.table = u"ins_dnode_variables"_s;
    select.where = columnEquals(u"dnode_id"_s, dnodeId);
    if (c.acceptWord("like"_L1)) {
        if (c.peek().kind != Token::Kind::String)
            return syntaxError(c);
        Condition both;
        both.kind = Condition::Kind::And;
        both.children = {*select.where, columnLike(u"name"_s, c.take().text)};
        select.where = both;
    }
    if (!c.atEnd())
        return syntaxError(c);
    if (const std::optional<Result> error = dnodeVariablesError())
        return *error;
    return evaluate(select, insDnodeVariables(), session.db, runningVersion());
}

} // namespace tdkube::sandbox::tdengine
