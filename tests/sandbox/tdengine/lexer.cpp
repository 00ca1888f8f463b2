#include "lexer.h"

using namespace Qt::StringLiterals;

namespace tdkube::sandbox::tdengine {

namespace {

bool isWordStart(QChar c)
{
    return c.isLetter() || c == u'_';
}

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

// Reads a quoted run starting at `i` (the opening quote); a doubled quote or a backslash escapes.
bool readQuoted(const QString &sql, qsizetype *i, QString *text)
{
    const QChar quote = sql.at(*i);
    for (qsizetype j = *i + 1; j < sql.size(); ++j) {
        const QChar c = sql.at(j);
        if (c == u'\\' && quote != u'`' && j + 1 < sql.size()) {
            *text += sql.at(++j);
        } else if (c == quote && j + 1 < sql.size() && sql.at(j + 1) == quote) {
            *text += quote;
            ++j;
        } else if (c == quote) {
            *i = j + 1;
            return true;
        } else {
            *text += c;
        }
    }
    return false;
}

qsizetype readNumber(const QString &sql, qsizetype i)
{
    while (i < sql.size() && (sql.at(i).isDigit() || sql.at(i) == u'.'))
        ++i;
    if (i + 1 < sql.size() && (sql.at(i) == u'e' || sql.at(i) == u'E') &&
        (sql.at(i + 1).isDigit() || sql.at(i + 1) == u'-' || sql.at(i + 1) == u'+'))
        i += 2;
    while (i < sql.size() && isWordChar(sql.at(i)))
        ++i;
    return i;
}

qsizetype symbolLength(const QString &sql, qsizetype i)
{
    static const QStringList twoChar{u"!="_s, u"<>"_s, u"<="_s, u">="_s};
    if (twoChar.contains(sql.mid(i, 2)))
        return 2;
    static const QString single = u"(),;.*=<>+-/%"_s;
    return single.contains(sql.at(i)) ? 1 : 0;
}

} // namespace

bool tokenize(const QString &sql, QList<Token> *tokens, qsizetype *errorPos)
{
    qsizetype i = 0;
    while (i < sql.size()) {
        const QChar c = sql.at(i);
        if (c.isSpace()) {
            ++i;
            continue;
        }
        Token token;
        token.pos = i;
        if (c == u'\'' || c == u'"' || c == u'`') {
            token.kind = c == u'`' ? Token::Kind::Quoted : Token::Kind::String;
            if (!readQuoted(sql, &i, &token.text)) {
                *errorPos = token.pos;
                return false;
            }
        } else if (c.isDigit()) {
            const qsizetype end = readNumber(sql, i);
            token.kind = Token::Kind::Number;
            token.text = sql.mid(i, end - i);
            i = end;
        } else if (isWordStart(c)) {
            qsizetype end = i;
            while (end < sql.size() && isWordChar(sql.at(end)))
                ++end;
            token.kind = Token::Kind::Word;
            token.text = sql.mid(i, end - i);
            i = end;
        } else if (const qsizetype length = symbolLength(sql, i)) {
            token.kind = Token::Kind::Symbol;
            token.text = sql.mid(i, length);
            i += length;
        } else {
            *errorPos = i;
            return false;
        }
        tokens->append(token);
    }
    Token end;
    end.pos = sql.size();
    tokens->append(end);
    return true;
}

QStringList splitStatements(const QString &script)
{
    QStringList statements;
    QString current;
    QChar quote;
    for (const QChar c : script) {
        if (quote.isNull() && (c == u'\'' || c == u'"' || c == u'`'))
            quote = c;
        else if (c == quote)
            quote = QChar();
        if (c == u';' && quote.isNull()) {
            statements << current.trimmed();
            current.clear();
        } else {
            current += c;
        }
    }
    statements << current.trimmed();
    statements.removeAll(QString());
    return statements;
}

Cursor::Cursor(const QString &sql, QList<Token> tokens)
    : m_sql(sql)
    , m_tokens(std::move(tokens))
{
}

const Token &Cursor::peek(int ahead) const
{
    return m_tokens.at(qMin(m_index + ahead, m_tokens.size() - 1));
}

Token Cursor::take()
{
    const Token token = peek();
    if (m_index < m_tokens.size() - 1)
        ++m_index;
    return token;
}

bool Cursor::atEnd() const
{
    return peek().kind == Token::Kind::End;
}

bool Cursor::isWord(QLatin1StringView word, int ahead) const
{
    const Token &token = peek(ahead);
    return token.kind == Token::Kind::Word && token.text.compare(word, Qt::CaseInsensitive) == 0;
}

bool Cursor::acceptWord(QLatin1StringView word)
{
    if (!isWord(word))
        return false;
    take();
    return true;
}

bool Cursor::isSymbol(QLatin1StringView symbol, int ahead) const
{
    const Token &token = peek(ahead);
    return token.kind == Token::Kind::Symbol && token.text == symbol;
}

bool Cursor::acceptSymbol(QLatin1StringView symbol)
{
    if (!isSymbol(symbol))
        return false;
    take();
    return true;
}

bool Cursor::takeName(QString *name)
{
    const Token &token = peek();
    if (token.kind == Token::Kind::Word)
        *name = token.text.toLower();
    else if (token.kind == Token::Kind::Quoted)
        *name = token.text;
    else
        return false;
    take();
    return true;
}

bool Cursor::takeQualifiedName(QString *db, QString *name)
{
    QString first;
    if (!takeName(&first))
        return false;
    if (!acceptSymbol("."_L1)) {
        db->clear();
        *name = first;
        return true;
    }
    *db = first;
    return takeName(name);
}

QString Cursor::rest() const
{
    return m_sql.mid(peek().pos);
}

} // namespace tdkube::sandbox::tdengine
