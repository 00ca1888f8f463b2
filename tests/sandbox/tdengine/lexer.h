#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace tdkube::sandbox::tdengine {

struct Token
{
    enum class Kind {
        Word,   // keyword or identifier as written
        Quoted, // `identifier` (text without the backticks)
        String, // 'text' or "text" (unescaped)
        Number, // 12, 1.5, 1e3, and durations such as 10s (digits then letters)
        Symbol, // ( ) , ; . * = != <> < > <= >= + - / %
        End,
    };
    Kind kind = Kind::End;
    QString text;
    qsizetype pos = 0; // offset in the statement
};

// Splits `sql` into tokens; returns false (and the offset) on an unterminated quote or a stray
// character.
bool tokenize(const QString &sql, QList<Token> *tokens, qsizetype *errorPos);

// Splits a script into statements at ';' outside quotes; drops empty ones.
QStringList splitStatements(const QString &script);

// Reads tokens of one statement. Keywords compare case-insensitively.
class Cursor
{
public:
    Cursor(const QString &sql, QList<Token> tokens);

    const Token &peek(int ahead = 0) const;
    Token take();
    bool atEnd() const;
    bool isWord(QLatin1StringView word, int ahead = 0) const;
    bool acceptWord(QLatin1StringView word);
    bool isSymbol(QLatin1StringView symbol, int ahead = 0) const;
    bool acceptSymbol(QLatin1StringView symbol);
    // An identifier (word or `quoted`): unquoted names are lower-cased as TDengine does.
    bool takeName(QString *name);
    // [db.]name
    bool takeQualifiedName(QString *db, QString *name);
    // The statement text from the current token on, for `syntax error near "..."`.
    QString rest() const;
    const QString &sql() const { return m_sql; }

private:
    QString m_sql;
    QList<Token> m_tokens;
    qsizetype m_index = 0;
};

} // namespace tdkube::sandbox::tdengine
