// SQL dispatch and the DDL statements: databases, super/child/normal tables, mnodes, dnodes, users.
#include "engine.h"
#include "errors.h"
#include "lexer.h"

#include <QElapsedTimer>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

namespace tdkube::sandbox::tdengine {

namespace {

Result ok(qint64 affected = 0)
{
    Result result;
    result.affectedRows = affected;
    return result;
}

Result syntaxError(const Cursor &c)
{
    return failure(kSyntaxError, u"syntax error near \""_s + c.rest() + u'"');
}

bool acceptIfNotExists(Cursor &c)
{
    if (!c.isWord("if"_L1) || !c.isWord("not"_L1, 1) || !c.isWord("exists"_L1, 2))
        return false;
    c.take();
    c.take();
    c.take();
    return true;
}

bool acceptIfExists(Cursor &c)
{
    if (!c.isWord("if"_L1) || !c.isWord("exists"_L1, 1))
        return false;
    c.take();
    c.take();
    return true;
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

// A column type as TDengine 3 reports it (BINARY is VARCHAR), with its byte length.
std::optional<Column> columnType(Cursor &c, const QString &name)
{
    static const QHash<QString, std::pair<QString, int>> fixed{
        {u"timestamp"_s, {u"TIMESTAMP"_s, 8}}, {u"int"_s, {u"INT"_s, 4}},
        {u"integer"_s, {u"INT"_s, 4}},         {u"bigint"_s, {u"BIGINT"_s, 8}},
        {u"smallint"_s, {u"SMALLINT"_s, 2}},   {u"tinyint"_s, {u"TINYINT"_s, 1}},
        {u"bool"_s, {u"BOOL"_s, 1}},           {u"float"_s, {u"FLOAT"_s, 4}},
        {u"double"_s, {u"DOUBLE"_s, 8}},       {u"json"_s, {u"JSON"_s, 4095}}};
    static const QHash<QString, QString> sized{
        {u"binary"_s, u"VARCHAR"_s}, {u"varchar"_s, u"VARCHAR"_s}, {u"nchar"_s, u"NCHAR"_s}};
    if (c.peek().kind != Token::Kind::Word)
        return std::nullopt;
    const QString word = c.take().text.toLower();
    if (fixed.contains(word)) {
        auto [type, length] = fixed.value(word);
        if (c.acceptWord("unsigned"_L1))
            type += u" UNSIGNED"_s;
        return makeColumn(name, type, length);
    }
    int length = 0;
    if (!sized.contains(word) || !c.acceptSymbol("("_L1) || !takeInt(c, &length) || !c.acceptSymbol(")"_L1))
        return std::nullopt;
    return makeColumn(name, sized.value(word), length);
}

bool parseColumnDefs(Cursor &c, QList<Column> *columns)
{
    if (!c.acceptSymbol("("_L1))
        return false;
    do {
        QString name;
        if (!c.takeName(&name))
            return false;
        const std::optional<Column> column = columnType(c, name);
        if (!column)
            return false;
        columns->append(*column);
    } while (c.acceptSymbol(","_L1));
    return c.acceptSymbol(")"_L1);
}

bool parseValueList(Cursor &c, QList<QJsonValue> *values)
{
    if (!c.acceptSymbol("("_L1))
        return false;
    do {
        QJsonValue value;
        if (!parseLiteral(c, &value))
            return false;
        values->append(value);
    } while (c.acceptSymbol(","_L1));
    return c.acceptSymbol(")"_L1);
}

// 32-bit FNV-1a: tables hash to vgroups the same way in every run.
quint32 hashName(const QString &name)
{
    quint32 hash = 2166136261u;
    for (const char byte : name.toUtf8()) {
        hash ^= quint8(byte);
        hash *= 16777619u;
    }
    return hash;
}

// Database options: `name value` pairs; those the simulator does not model are kept for display.
bool parseDbOptions(Cursor &c, QJsonObject *options)
{
    while (!c.atEnd()) {
        if (c.peek().kind != Token::Kind::Word)
            return false;
        const QString option = c.take().text.toLower();
        c.acceptSymbol("="_L1);
        QString value;
        do {
            const Token token = c.take();
            if (token.kind == Token::Kind::End)
                return false;
            value += (value.isEmpty() ? QString() : u","_s) + token.text;
        } while (c.acceptSymbol(","_L1));
        options->insert(option, value);
    }
    return true;
}

} // namespace

void Engine::execute(const QString &sql, const QString &database, Done done)
{
    QStringList statements = splitStatements(sql);
    // `\G` asks the shell for vertical rows; the caller formats, the server never sees it.
    for (QString &statement : statements) {
        if (statement.endsWith(u"\\G"))
            statement = statement.chopped(2).trimmed();
    }
    statements.removeAll(QString());
    if (statements.isEmpty()) {
        done(failure(kSyntaxError, u"syntax error near \"\""_s));
        return;
    }
    runScript(statements, 0, Session{database.toLower()}, std::move(done));
}

void Engine::runScript(const QStringList &statements, qsizetype index, Session session, Done done)
{
    auto shared = std::make_shared<Session>(session);
    runStatement(statements.at(index), *shared,
                 [this, statements, index, shared, done](const Result &result) {
                     if (!result.ok() || index + 1 == statements.size())
                         done(result);
                     else
                         runScript(statements, index + 1, *shared, done);
                 });
}

void Engine::runStatement(const QString &sql, Session &session, Done done)
{
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    const Done timed = [timer, done](const Result &result) {
        Result copy = result;
        copy.elapsedMicroseconds = qMax<qint64>(1, timer->nsecsElapsed() / 1000);
        done(copy);
    };
    QList<Token> tokens;
    qsizetype errorPos = 0;
    if (!tokenize(sql, &tokens, &errorPos)) {
        timed(failure(kSyntaxError, u"syntax error near \""_s + sql.mid(errorPos) + u'"'));
        return;
    }
    Cursor c(sql, tokens);
    // Run by the client library alone (it drops its cached metadata: catalogClearCache), so it
    // answers whatever the cluster's state.
    if (c.isWord("reset"_L1) && c.isWord("query"_L1, 1) && c.isWord("cache"_L1, 2) &&
        c.peek(3).kind == Token::Kind::End) {
        timed(ok());
        return;
    }
    if (m_dnodes.isEmpty()) {
        timed(failure(kNetworkUnavailable));
        return;
    }
    if (!hasMnodeLeader()) {
        timed(failure(kSyncLeaderUnreachable));
        return;
    }
    if (c.isWord("drop"_L1) && c.isWord("dnode"_L1, 1)) {
        c.take();
        c.take();
        dropDnode(c, timed);
    } else if (c.acceptWord("balance"_L1)) {
        balanceVgroup(c, timed);
    } else if (c.isWord("create"_L1) && c.isWord("mnode"_L1, 1)) {
        // Answered once the new mnode has caught up, a learner until then (2.0 to 4.5 s observed).
        const Result result = runSync(c, session);
        if (!result.ok()) {
            timed(result);
            return;
        }
        QTimer::singleShot(scaled(kMnodeSyncMs), m_cluster, [timed, result] { timed(result); });
    } else {
        timed(runSync(c, session));
    }
}

Result Engine::runSync(Cursor &c, Session &session)
{
    if (c.acceptWord("create"_L1))
        return create(c, session);
    if (c.acceptWord("drop"_L1))
        return drop(c, session);
    if (c.acceptWord("use"_L1))
        return use(c, session);
    if (c.acceptWord("insert"_L1))
        return insert(c, session);
    if (c.acceptWord("select"_L1))
        return select(c, session);
    if (c.acceptWord("show"_L1))
        return show(c, session);
    if (c.acceptWord("alter"_L1))
        return c.acceptWord("user"_L1) ? alterUser(c) : alterDnode(c);
    if (c.acceptWord("describe"_L1) || c.acceptWord("desc"_L1))
        return describe(c, session);
    return syntaxError(c);
}

Result Engine::create(Cursor &c, Session &session)
{
    if (c.acceptWord("database"_L1))
        return createDatabase(c);
    if (c.acceptWord("stable"_L1))
        return createStable(c, session);
    if (c.acceptWord("table"_L1))
        return createTable(c, session);
    if (c.acceptWord("mnode"_L1))
        return createMnode(c);
    if (c.acceptWord("dnode"_L1))
        return createDnode(c);
    return syntaxError(c);
}

Result Engine::drop(Cursor &c, Session &session)
{
    if (c.acceptWord("database"_L1))
        return dropDatabase(c);
    if (c.acceptWord("stable"_L1))
        return dropTable(c, session, true);
    if (c.acceptWord("table"_L1))
        return dropTable(c, session, false);
    if (c.acceptWord("mnode"_L1))
        return dropMnode(c);
    return syntaxError(c);
}

std::optional<Result> Engine::checkConflict() const
{
    if (!m_transactions.isEmpty())
        return failure(kTransConflict);
    return std::nullopt;
}

std::optional<Result> Engine::resolveDb(const QString &given, const Session &session, Database **db)
{
    const QString name = given.isEmpty() ? session.db : given;
    if (name.isEmpty())
        return failure(kDbNotSpecified);
    const auto it = m_databases.find(name);
    if (it == m_databases.end())
        return failure(kDbNotExist);
    *db = &*it;
    return std::nullopt;
}

// Vnodes of one vgroup go to distinct dnodes that are ready and not being dropped, the least loaded
// first (mndGetAvailableDnode sorts by vnode count).
QList<int> Engine::placeVgroup(int replica, QMap<int, int> *load) const
{
    QList<int> candidates;
    for (const Dnode &dnode : m_dnodes) {
        if (dnode.online && !dnode.dropping && load->value(dnode.id) < dnode.supportVnodes)
            candidates << dnode.id;
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [load](int a, int b) { return load->value(a) < load->value(b); });
    if (candidates.size() < replica)
        return {};
    candidates.resize(replica);
    for (const int id : std::as_const(candidates))
        (*load)[id] += 1;
    return candidates;
}

Result Engine::createDatabase(Cursor &c)
{
    const bool ifNotExists = acceptIfNotExists(c);
    QString name;
    QJsonObject options;
    if (!c.takeName(&name) || !parseDbOptions(c, &options))
        return syntaxError(c);
    const int replica = options.value(u"replica").toString(u"1"_s).toInt();
    const int vgroups = options.value(u"vgroups").toString(u"2"_s).toInt();
    if (replica != 1 && replica != 3) {
        return failure(kInvalidDbOption, u"Invalid option replications: "_s +
                                             options.value(u"replica").toString() + u", only 1, 3 allowed"_s);
    }
    if (vgroups < 1 || vgroups > 1024) {
        return failure(kInvalidDbOption, u"Invalid option vgroups: "_s +
                                             options.value(u"vgroups").toString() +
                                             u", valid range: [1, 1024]"_s);
    }
    if (m_databases.contains(name) || name == u"information_schema" || name == u"performance_schema")
        return ifNotExists ? ok() : failure(kDbAlreadyExists);
    if (const std::optional<Result> conflict = checkConflict())
        return *conflict;
    QMap<int, int> load;
    for (const Dnode &dnode : std::as_const(m_dnodes))
        load[dnode.id] = vnodesOn(dnode.id);
    QList<QList<int>> placements;
    for (int i = 0; i < vgroups; ++i) {
        placements << placeVgroup(replica, &load);
        if (placements.last().isEmpty())
            return failure(kOutOfDnodes);
    }
    Database db;
    db.name = name;
    db.replica = replica;
    db.createTime = now();
    db.options = options;
    for (const QList<int> &dnodes : std::as_const(placements)) {
        Vgroup vgroup;
        vgroup.id = m_nextVgroupId++;
        vgroup.db = name;
        vgroup.dnodes = dnodes;
        vgroup.leader = pickLeader(vgroup);
        db.vgroups << vgroup.id;
        m_vgroups.insert(vgroup.id, vgroup);
        for (const int dnodeId : dnodes) {
            log(endpointOf(dnodeId), u"VND  vgId:"_s + QString::number(vgroup.id) + u", vnode of db:"_s +
                                         name + u" created, replica:"_s + QString::number(replica));
        }
    }
    m_databases.insert(name, db);
    changed();
    return ok();
}

Result Engine::dropDatabase(Cursor &c)
{
    const bool ifExists = acceptIfExists(c);
    QString name;
    if (!c.takeName(&name) || !c.atEnd())
        return syntaxError(c);
    if (!m_databases.contains(name))
        return ifExists ? ok() : failure(kDbNotExist);
    if (const std::optional<Result> conflict = checkConflict())
        return *conflict;
    for (const int vgroupId : m_databases.value(name).vgroups)
        m_vgroups.remove(vgroupId);
    m_databases.remove(name);
    changed();
    return ok();
}

// mndProcessCreateMnodeReq: already there, dnode missing, three already, dnode offline.
Result Engine::createMnode(Cursor &c)
{
    int dnodeId = 0;
    if (!c.acceptWord("on"_L1) || !c.acceptWord("dnode"_L1) || !takeInt(c, &dnodeId) || !c.atEnd())
        return syntaxError(c);
    if (m_mnodes.contains(dnodeId))
        return failure(kMnodeAlreadyExists);
    const Dnode *dnode = dnodeById(dnodeId);
    if (!dnode)
        return failure(kDnodeNotExist);
    if (m_mnodes.size() >= 3)
        return failure(kTooManyMnodes);
    if (!dnode->online)
        return failure(kDnodeOffline);
    if (const std::optional<Result> conflict = checkConflict())
        return *conflict;
    m_mnodes.insert(dnodeId, Mnode{dnodeId, now(), now()});
    log(dnode->endpoint, u"MND  mnode:"_s + QString::number(dnodeId) + u" deployed, role:follower"_s);
    log(leaderEndpoint(), u"SYN  vgId:1, mnode replicas:"_s + QString::number(m_mnodes.size()));
    electMnodeLeader();
    changed();
    return ok();
}

// mndProcessDropMnodeReq: not there, the leader, the last one, dnode offline.
Result Engine::dropMnode(Cursor &c)
{
    int dnodeId = 0;
    if (!c.acceptWord("on"_L1) || !c.acceptWord("dnode"_L1) || !takeInt(c, &dnodeId) || !c.atEnd())
        return syntaxError(c);
    if (!m_mnodes.contains(dnodeId))
        return failure(kMnodeNotExist);
    if (dnodeId == m_mnodeLeader)
        return failure(kCantDropLeader);
    if (m_mnodes.size() <= 1)
        return failure(kTooFewMnodes);
    if (!isOnline(dnodeId))
        return failure(kDnodeOffline);
    if (const std::optional<Result> conflict = checkConflict())
        return *conflict;
    m_mnodes.remove(dnodeId);
    log(endpointOf(dnodeId), u"MND  mnode:"_s + QString::number(dnodeId) + u" dropped"_s);
    electMnodeLeader();
    changed();
    return ok();
}

// `create dnode 'fqdn:port'`: the dnode exists (offline) until a taosd with that endpoint starts.
Result Engine::createDnode(Cursor &c)
{
    if (c.peek().kind != Token::Kind::String && c.peek().kind != Token::Kind::Word)
        return syntaxError(c);
    QString endpoint = c.take().text;
    if (c.acceptWord("port"_L1)) {
        int port = 0;
        if (!takeInt(c, &port))
            return syntaxError(c);
        endpoint += u':' + QString::number(port);
    }
    if (!c.atEnd())
        return syntaxError(c);
    if (dnodeByEndpoint(endpoint))
        return failure(kDnodeAlreadyExists);
    Dnode dnode;
    dnode.id = m_nextDnodeId++;
    dnode.endpoint = endpoint;
    dnode.createTime = now();
    dnode.note = u"status not received"_s;
    m_dnodes.insert(dnode.id, dnode);
    changed();
    return ok();
}

Result Engine::createStable(Cursor &c, const Session &session)
{
    const bool ifNotExists = acceptIfNotExists(c);
    QString dbName;
    Stable stable;
    if (!c.takeQualifiedName(&dbName, &stable.name) || !parseColumnDefs(c, &stable.columns) ||
        !c.acceptWord("tags"_L1) || !parseColumnDefs(c, &stable.tags) || !c.atEnd())
        return syntaxError(c);
    Database *db = nullptr;
    if (const std::optional<Result> error = resolveDb(dbName, session, &db))
        return *error;
    if (db->stables.contains(stable.name) || db->tables.contains(stable.name))
        return ifNotExists ? ok() : failure(kStableAlreadyExists);
    if (stable.columns.first().type != u"TIMESTAMP")
        return failure(kInvalidFirstColumn);
    for (const int vgroupId : std::as_const(db->vgroups)) {
        if (const std::optional<Result> error = vgroupError(vgroupId))
            return *error;
    }
    stable.createTime = now();
    db->stables.insert(stable.name, stable);
    changed();
    return ok();
}

Result Engine::createTable(Cursor &c, const Session &session)
{
    do {
        const bool ifNotExists = acceptIfNotExists(c);
        QString dbName;
        QString name;
        if (!c.takeQualifiedName(&dbName, &name))
            return syntaxError(c);
        Database *db = nullptr;
        if (const std::optional<Result> error = resolveDb(dbName, session, &db))
            return *error;
        if (!c.acceptWord("using"_L1))
            return createNormalTable(c, *db, name, ifNotExists);
        QString stableDb;
        QString stableName;
        QList<QJsonValue> tags;
        if (!c.takeQualifiedName(&stableDb, &stableName) || !c.acceptWord("tags"_L1) ||
            !parseValueList(c, &tags))
            return syntaxError(c);
        if (!db->stables.contains(stableName))
            return failure(kTableNotExist);
        const Stable stable = db->stables.value(stableName);
        Row converted;
        if (const std::optional<Result> error = buildRowTags(stable, {}, tags, &converted))
            return *error;
        const Result result = insertChild(*db, name, stable, converted, ifNotExists);
        if (!result.ok())
            return result;
    } while (!c.atEnd());
    return ok();
}

Result Engine::createNormalTable(Cursor &c, Database &db, const QString &name, bool ifNotExists)
{
    Table table;
    table.name = name;
    if (!parseColumnDefs(c, &table.columns) || !c.atEnd())
        return syntaxError(c);
    if (db.tables.contains(name) || db.stables.contains(name))
        return ifNotExists ? ok() : failure(kTableAlreadyExists);
    if (table.columns.first().type != u"TIMESTAMP")
        return failure(kInvalidFirstColumn);
    table.vgroupId = vgroupForTable(db, name);
    if (const std::optional<Result> error = vgroupError(table.vgroupId))
        return *error;
    table.createTime = now();
    table.uid = m_nextUid++;
    db.tables.insert(name, table);
    changed();
    return ok();
}

Result Engine::insertChild(Database &db, const QString &name, const Stable &stable, const Row &tags,
                           bool ifNotExists)
{
    if (db.tables.contains(name) || db.stables.contains(name))
        return ifNotExists ? ok() : failure(kTableAlreadyExists);
    Table table;
    table.name = name;
    table.stable = stable.name;
    table.tags = tags;
    table.vgroupId = vgroupForTable(db, name);
    if (const std::optional<Result> error = vgroupError(table.vgroupId))
        return *error;
    table.createTime = now();
    table.uid = m_nextUid++;
    db.tables.insert(name, table);
    changed();
    return ok();
}

int Engine::vgroupForTable(const Database &db, const QString &table) const
{
    return db.vgroups.at(qsizetype(hashName(table) % quint32(db.vgroups.size())));
}

Result Engine::dropTable(Cursor &c, const Session &session, bool stable)
{
    do {
        const bool ifExists = acceptIfExists(c);
        QString dbName;
        QString name;
        if (!c.takeQualifiedName(&dbName, &name))
            return syntaxError(c);
        Database *db = nullptr;
        if (const std::optional<Result> error = resolveDb(dbName, session, &db))
            return *error;
        const bool exists = stable ? db->stables.contains(name) : db->tables.contains(name);
        if (!exists) {
            if (ifExists)
                continue;
            return failure(stable ? kStableNotExist : kTableNotExist);
        }
        QStringList doomed{name};
        if (stable) {
            db->stables.remove(name);
            doomed.clear();
            for (const Table &table : std::as_const(db->tables)) {
                if (table.stable == name)
                    doomed << table.name;
            }
        }
        for (const QString &table : std::as_const(doomed)) {
            m_vgroups[db->tables.value(table).vgroupId].rows.remove(table);
            db->tables.remove(table);
        }
    } while (c.acceptSymbol(","_L1));
    if (!c.atEnd())
        return syntaxError(c);
    changed();
    return ok();
}

Result Engine::use(Cursor &c, Session &session)
{
    QString name;
    if (!c.takeName(&name) || !c.atEnd())
        return syntaxError(c);
    if (!m_databases.contains(name) && name != u"information_schema" && name != u"performance_schema")
        return failure(kDbNotExist);
    session.db = name;
    return ok();
}

Result Engine::alterUser(Cursor &c)
{
    QString user;
    if (!c.takeName(&user) || !c.acceptWord("pass"_L1) || c.peek().kind != Token::Kind::String)
        return syntaxError(c);
    const QString password = c.take().text;
    if (!c.atEnd() || password.isEmpty())
        return syntaxError(c);
    if (user != u"root")
        return failure(kUserNotExist);
    m_password = password;
    changed();
    return ok();
}

Result Engine::describe(Cursor &c, const Session &session)
{
    QString dbName;
    QString name;
    if (!c.takeQualifiedName(&dbName, &name) || !c.atEnd())
        return syntaxError(c);
    Database *db = nullptr;
    if (const std::optional<Result> error = resolveDb(dbName, session, &db))
        return *error;
    QList<Column> columns;
    QList<Column> tags;
    if (db->stables.contains(name)) {
        columns = db->stables.value(name).columns;
        tags = db->stables.value(name).tags;
    } else if (db->tables.contains(name)) {
        const Table table = db->tables.value(name);
        columns = table.stable.isEmpty() ? table.columns : db->stables.value(table.stable).columns;
        tags = table.stable.isEmpty() ? QList<Column>() : db->stables.value(table.stable).tags;
    } else {
        return failure(kTableNotExist);
    }
    RowSet set;
    set.columns = {makeColumn(u"field"_s, u"VARCHAR"_s, 64), makeColumn(u"type"_s, u"VARCHAR"_s, 32),
                   makeColumn(u"length"_s, u"INT"_s, 4), makeColumn(u"note"_s, u"VARCHAR"_s, 8)};
    for (const Column &column : std::as_const(columns))
        set.rows << Row{column.name, column.type, column.length, QString()};
    for (const Column &tag : std::as_const(tags))
        set.rows << Row{tag.name, tag.type, tag.length, u"TAG"_s};
    return toResult(set);
}

} // namespace tdkube::sandbox::tdengine
