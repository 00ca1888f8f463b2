// INSERT and SELECT on user tables. Rows live in the vgroup their table hashes to, so they travel
// with the vgroup's vnodes and become unreachable when the vgroup loses its quorum.
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

Result invalidValue(const QJsonValue &value)
{
    return failure(kSyntaxError, u"syntax error near \""_s + value.toVariant().toString() +
                                     u"\" (invalid data or symbol)"_s);
}

bool parseNames(Cursor &c, QStringList *names)
{
    if (!c.acceptSymbol("("_L1))
        return false;
    do {
        QString name;
        if (!c.takeName(&name))
            return false;
        names->append(name);
    } while (c.acceptSymbol(","_L1));
    return c.acceptSymbol(")"_L1);
}

bool parseValues(Cursor &c, QList<QJsonValue> *values)
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

qsizetype indexOfColumn(const QList<Column> &columns, const QString &name)
{
    for (qsizetype i = 0; i < columns.size(); ++i) {
        if (columns.at(i).name.compare(name, Qt::CaseInsensitive) == 0)
            return i;
    }
    return -1;
}

// Maps values given for `names` (all columns when empty) onto `columns`, converting each.
std::optional<Result> buildRow(const QList<Column> &columns, const QStringList &names,
                               const QList<QJsonValue> &values, Row *row)
{
    if (values.size() != (names.isEmpty() ? columns.size() : names.size()))
        return failure(kInvalidColumnsNum);
    *row = Row();
    for (qsizetype i = 0; i < columns.size(); ++i)
        row->append(QJsonValue());
    for (qsizetype i = 0; i < values.size(); ++i) {
        const qsizetype index = names.isEmpty() ? i : indexOfColumn(columns, names.at(i));
        if (index < 0)
            return failure(kInvalidColumn, u"Invalid column name: "_s + names.at(i));
        const std::optional<QJsonValue> value = convertValue(columns.at(index), values.at(i));
        if (!value)
            return invalidValue(values.at(i));
        (*row)[index] = *value;
    }
    if (row->at(0).isNull())
        return failure(kSyntaxError, u"syntax error near \"NULL\" (primary timestamp should not be null)"_s);
    return std::nullopt;
}

} // namespace

Result Engine::insert(Cursor &c, const Session &session)
{
    if (!c.acceptWord("into"_L1))
        return syntaxError(c);
    qint64 rows = 0;
    do {
        const Result result = insertInto(c, session, &rows);
        if (!result.ok())
            return result;
    } while (!c.atEnd());
    if (rows > 0)
        changed();
    Result result;
    result.affectedRows = rows;
    return result;
}

// One `[db.]table [using [db.]stable [(tags)] tags (...)] [(columns)] values (...) ...` part.
Result Engine::insertInto(Cursor &c, const Session &session, qint64 *rows)
{
    QString dbName;
    QString name;
    if (!c.takeQualifiedName(&dbName, &name))
        return syntaxError(c);
    Database *db = nullptr;
    if (const std::optional<Result> error = resolveDb(dbName, session, &db))
        return *error;
    if (c.acceptWord("using"_L1)) {
        QString stableDb;
        QString stableName;
        QStringList tagNames;
        QList<QJsonValue> tagValues;
        if (!c.takeQualifiedName(&stableDb, &stableName) ||
            (c.isSymbol("("_L1) && !parseNames(c, &tagNames)) || !c.acceptWord("tags"_L1) ||
            !parseValues(c, &tagValues))
            return syntaxError(c);
        if (!db->stables.contains(stableName))
            return failure(kTableNotExist);
        const Stable stable = db->stables.value(stableName);
        Row tags;
        if (const std::optional<Result> error = buildRowTags(stable, tagNames, tagValues, &tags))
            return *error;
        const Result created = insertChild(*db, name, stable, tags, true);
        if (!created.ok())
            return created;
    }
    if (!db->tables.contains(name))
        return failure(kTableNotExist);
    return writeRows(c, *db, db->tables.value(name), rows);
}

Result Engine::writeRows(Cursor &c, Database &db, const Table &table, qint64 *rows)
{
    const QList<Column> columns =
        table.stable.isEmpty() ? table.columns : db.stables.value(table.stable).columns;
    QStringList names;
    if (c.isSymbol("("_L1) && !parseNames(c, &names))
        return syntaxError(c);
    if (!c.acceptWord("values"_L1) || !c.isSymbol("("_L1))
        return syntaxError(c);
    if (const std::optional<Result> error = vgroupError(table.vgroupId))
        return *error;
    TableRows &stored = m_vgroups[table.vgroupId].rows[table.name];
    while (c.isSymbol("("_L1)) {
        QList<QJsonValue> values;
        if (!parseValues(c, &values))
            return syntaxError(c);
        Row row;
        if (const std::optional<Result> error = buildRow(columns, names, values, &row))
            return *error;
        stored.insert(row.at(0).toInteger(), row);
        ++*rows;
    }
    return Result();
}

std::optional<Result> Engine::buildRowTags(const Stable &stable, const QStringList &names,
                                           const QList<QJsonValue> &values, Row *tags) const
{
    if (values.size() != (names.isEmpty() ? stable.tags.size() : names.size()))
        return failure(kTagsNotMatched);
    *tags = Row();
    for (qsizetype i = 0; i < stable.tags.size(); ++i)
        tags->append(QJsonValue());
    for (qsizetype i = 0; i < values.size(); ++i) {
        const qsizetype index = names.isEmpty() ? i : indexOfColumn(stable.tags, names.at(i));
        if (index < 0)
            return failure(kInvalidColumn, u"Invalid column name: "_s + names.at(i));
        const std::optional<QJsonValue> value = convertValue(stable.tags.at(index), values.at(i));
        if (!value)
            return invalidValue(values.at(i));
        (*tags)[index] = *value;
    }
    return std::nullopt;
}

Result Engine::select(Cursor &c, const Session &session)
{
    Select select;
    if (const std::optional<Result> error = parseSelect(c, c.sql(), &select))
        return *error;
    if (!select.hasFrom) {
        RowSet one;
        one.rows << Row();
        return evaluate(select, one, session.db, runningVersion());
    }
    const QString db = select.db.isEmpty() ? session.db : select.db;
    if (db == u"information_schema" || db == u"performance_schema") {
        const std::optional<RowSet> table = systemTable(db, select.table);
        if (!table)
            return unknownSystemTable();
        if (db == u"information_schema" && select.table == u"ins_tables") {
            if (const std::optional<Result> error = insTablesError(select))
                return *error;
        }
        if (db == u"information_schema" && select.table == u"ins_dnode_variables") {
            if (const std::optional<Result> error = dnodeVariablesError())
                return *error;
        }
        return evaluate(select, *table, session.db, runningVersion());
    }
    return selectFromTable(select, session);
}

// ins_tables is read from the vnodes (sysTableFromVnode in parTranslater.c): from those of one
// database when the WHERE clause is `db_name = 'X' AND ...`, else from every vgroup; one without a
// leader fails the whole read. Real 3.3.6.6 answers 0x000B after about 10 s then, even with a lone
// `db_name = 'X'` condition (observed with a replica-1 vgroup's dnode gone).
std::optional<Result> Engine::insTablesError(const Select &select) const
{
    QString only;
    if (select.where && select.where->kind == Condition::Kind::And) {
        for (const Condition &child : select.where->children) {
            if (child.kind == Condition::Kind::Compare && child.op == u"=" && child.left.isColumn &&
                child.left.column == u"db_name" && !child.right.isColumn)
                only = child.right.value.toString();
        }
    }
    for (auto db = m_databases.cbegin(); db != m_databases.cend(); ++db) {
        if (!only.isEmpty() && db.key() != only)
            continue;
        for (const int vgroupId : db->vgroups) {
            if (m_vgroups[vgroupId].leader == 0)
                return failure(kNetworkUnavailable);
        }
    }
    return std::nullopt;
}

Result Engine::selectFromTable(const Select &select, const Session &session)
{
    Database *db = nullptr;
    if (const std::optional<Result> error = resolveDb(select.db, session, &db))
        return *error;
    if (db->stables.contains(select.table)) {
        for (const int vgroupId : std::as_const(db->vgroups)) {
            if (const std::optional<Result> error = vgroupError(vgroupId))
                return *error;
        }
        return evaluate(select, stableRows(*db, db->stables.value(select.table)), session.db,
                        runningVersion());
    }
    if (!db->tables.contains(select.table))
        return failure(kTableNotExist);
    const Table table = db->tables.value(select.table);
    if (const std::optional<Result> error = vgroupError(table.vgroupId))
        return *error;
    return evaluate(select, tableRows(*db, table), session.db, runningVersion());
}

// A child or normal table: its columns, then (hidden from `*`) its tags and tbname.
RowSet Engine::tableRows(const Database &db, const Table &table) const
{
    RowSet set;
    const Stable stable = db.stables.value(table.stable);
    set.columns = table.stable.isEmpty() ? table.columns : stable.columns;
    set.visible = set.columns.size();
    set.columns << stable.tags << makeColumn(u"tbname"_s, u"VARCHAR"_s, 192);
    const TableRows rows = m_vgroups.value(table.vgroupId).rows.value(table.name);
    for (const Row &row : rows) {
        Row full = row;
        for (const QJsonValue &tag : table.tags)
            full.append(tag);
        full.append(table.name);
        set.rows << full;
    }
    return set;
}

// A super table: columns and tags of every child table (tbname hidden from `*`).
RowSet Engine::stableRows(const Database &db, const Stable &stable) const
{
    RowSet set;
    set.columns = stable.columns;
    set.columns << stable.tags;
    set.visible = set.columns.size();
    set.columns << makeColumn(u"tbname"_s, u"VARCHAR"_s, 192);
    for (const Table &table : db.tables) {
        if (table.stable == stable.name)
            set.rows << tableRows(db, table).rows;
    }
    return set;
}

} // namespace tdkube::sandbox::tdengine
