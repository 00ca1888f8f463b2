#include "yamlhighlighter.h"

#include <QGuiApplication>
#include <QPalette>

using namespace Qt::StringLiterals;

namespace tdkube::ui {

namespace {

// Block state: -1 (QSyntaxHighlighter's initial state) outside a block scalar; inside one, its
// parent's indentation + 1 (0 for a block scalar right after "---").
constexpr int kNoBlock = -1;

bool isDocumentMarker(const QString &text)
{
    return (text.startsWith(u"---") || text.startsWith(u"...")) && (text.size() == 3 || text[3].isSpace());
}

int skipSpaces(const QString &text, int pos)
{
    while (pos < text.size() && (text[pos] == u' ' || text[pos] == u'\t'))
        ++pos;
    return pos;
}

// A comment starts with # at the start of the line or after whitespace.
bool commentAt(const QString &text, int pos)
{
    return text[pos] == u'#' && (pos == 0 || text[pos - 1].isSpace());
}

// The end of the quoted scalar starting at `pos` (one past its closing quote, or the line's end).
int quotedEnd(const QString &text, int pos)
{
    const QChar quote = text[pos];
    for (int i = pos + 1; i < text.size(); ++i) {
        if (quote == u'"' && text[i] == u'\\') {
            ++i;
        } else if (text[i] == quote) {
            if (quote == u'\'' && i + 1 < text.size() && text[i + 1] == u'\'')
                ++i;
            else
                return i + 1;
        }
    }
    return int(text.size());
}

bool isNumber(QStringView word)
{
    if (word.startsWith(u'-') || word.startsWith(u'+'))
        word = word.mid(1);
    if (word.isEmpty())
        return false;
    const QString lower = word.toString().toLower();
    if (lower == u".inf" || lower == u".nan")
        return true;
    if (lower.startsWith(u"0x") && lower.size() > 2) {
        return std::all_of(lower.begin() + 2, lower.end(),
                           [](QChar c) { return c.isDigit() || (c >= u'a' && c <= u'f') || c == u'_'; });
    }
    bool digit = false, dot = false, exponent = false;
    for (int i = 0; i < lower.size(); ++i) {
        const QChar c = lower[i];
        if (c.isDigit() || (c == u'_' && digit)) {
            digit = true;
        } else if (c == u'.' && !dot && !exponent) {
            dot = true;
        } else if (c == u'e' && digit && !exponent && i + 1 < lower.size()) {
            exponent = true;
            if (lower[i + 1] == u'-' || lower[i + 1] == u'+')
                ++i;
        } else {
            return false;
        }
    }
    return digit;
}

bool isKeyword(QStringView word)
{
    static const QStringList words{u"true"_s, u"false"_s, u"yes"_s,  u"no"_s,
                                   u"on"_s,   u"off"_s,   u"null"_s, u"~"_s};
    const QString lower = word.toString().toLower();
    return words.contains(lower) && (word == lower || word == lower.toUpper() || word[0].isUpper());
}

// The position of the ':' that ends a key starting at `pos`, or -1 when no key starts there.
int keyColon(const QString &text, int pos)
{
    if (pos >= text.size())
        return -1;
    int i = pos;
    if (text[i] == u'"' || text[i] == u'\'') {
        i = skipSpaces(text, quotedEnd(text, i));
        const bool colon =
            i < text.size() && text[i] == u':' && (i + 1 == text.size() || text[i + 1].isSpace());
        return colon ? i : -1;
    }
    if (QStringView(u"[]{}#&*!|>%@`").contains(text[i]))
        return -1;
    for (; i < text.size(); ++i) {
        if (text[i] == u':' && (i + 1 == text.size() || text[i + 1].isSpace()))
            return i;
        if (commentAt(text, i))
            return -1;
    }
    return -1;
}

QTextCharFormat makeFormat(const QColor &color, bool bold = false, bool italic = false)
{
    QTextCharFormat format;
    format.setForeground(color);
    if (bold)
        format.setFontWeight(QFont::Bold);
    format.setFontItalic(italic);
    return format;
}

} // namespace

YamlHighlighter::YamlHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    // GitHub's palettes: readable on light and dark bases alike.
    const bool dark = QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
    auto set = [this](Token token, const QTextCharFormat &format) { m_formats[size_t(token)] = format; };
    set(Token::Key, makeFormat(dark ? QColor(0x79b8ff) : QColor(0x005cc5)));
    set(Token::Comment, makeFormat(dark ? QColor(0x8b949e) : QColor(0x6a737d), false, true));
    set(Token::String, makeFormat(dark ? QColor(0x85e89d) : QColor(0x22863a)));
    set(Token::Number, makeFormat(dark ? QColor(0xffab70) : QColor(0xb35900)));
    set(Token::Keyword, makeFormat(dark ? QColor(0xb392f0) : QColor(0x6f42c1), true));
    set(Token::Anchor, makeFormat(dark ? QColor(0xf97583) : QColor(0xd73a49)));
    set(Token::Marker, makeFormat(dark ? QColor(0x8b949e) : QColor(0x6a737d), true));
    set(Token::BlockScalar, makeFormat(dark ? QColor(0x9ecbff) : QColor(0x032f62)));
    set(Token::Indicator, makeFormat(dark ? QColor(0x959da5) : QColor(0x808080), true));
}

void YamlHighlighter::highlight(const QString &, int from, int to, Token token)
{
    if (to > from)
        setFormat(from, to - from, m_formats[size_t(token)]);
}

void YamlHighlighter::highlightBlock(const QString &text)
{
    const int indent = skipSpaces(text, 0);
    const int state = previousBlockState();
    // Inside a block scalar: blank lines and lines indented past its parent belong to it.
    if (state != kNoBlock && (indent == text.size() || indent > state - 1) && !isDocumentMarker(text)) {
        highlight(text, 0, int(text.size()), Token::BlockScalar);
        setCurrentBlockState(state);
        return;
    }
    setCurrentBlockState(kNoBlock);
    if (isDocumentMarker(text)) {
        highlight(text, 0, 3, Token::Marker);
        value(text, 3, kNoBlock);
        return;
    }
    int pos = indent;
    int parent = indent;
    // List dashes, possibly several on a line ("- - a").
    while (pos < text.size() && text[pos] == u'-' && (pos + 1 == text.size() || text[pos + 1].isSpace())) {
        highlight(text, pos, pos + 1, Token::Indicator);
        parent = pos;
        pos = skipSpaces(text, pos + 1);
    }
    if (const int colon = keyColon(text, pos); colon >= 0) {
        highlight(text, pos, colon, Token::Key);
        parent = pos;
        pos = colon + 1;
    }
    value(text, pos, parent);
}

// A value after a key, a dash or a document marker, up to the end of the line. Returns the end.
int YamlHighlighter::value(const QString &text, int pos, int parentIndent)
{
    while ((pos = skipSpaces(text, pos)) < text.size()) {
        const QChar c = text[pos];
        if (commentAt(text, pos)) {
            highlight(text, pos, int(text.size()), Token::Comment);
            return int(text.size());
        }
        if (c == u'&' || c == u'*' || c == u'!') {
            int end = pos;
            while (end < text.size() && !text[end].isSpace())
                ++end;
            highlight(text, pos, end, Token::Anchor);
            pos = end;
        } else if (c == u'|' || c == u'>') {
            int end = pos + 1;
            while (end < text.size() && (text[end] == u'-' || text[end] == u'+' || text[end].isDigit()))
                ++end;
            highlight(text, pos, end, Token::BlockScalar);
            setCurrentBlockState(parentIndent + 1);
            pos = end;
        } else if (c == u'"' || c == u'\'') {
            const int end = quotedEnd(text, pos);
            highlight(text, pos, end, Token::String);
            pos = end;
        } else if (c == u'[' || c == u'{') {
            return flow(text, pos);
        } else {
            pos = scalar(text, pos, false);
        }
    }
    return pos;
}

// A flow collection ([a, b] or {k: v}) from `pos` to the end of the line.
int YamlHighlighter::flow(const QString &text, int pos)
{
    while ((pos = skipSpaces(text, pos)) < text.size()) {
        const QChar c = text[pos];
        if (commentAt(text, pos)) {
            highlight(text, pos, int(text.size()), Token::Comment);
            return int(text.size());
        }
        if (QStringView(u"[]{},:").contains(c)) {
            highlight(text, pos, pos + 1, Token::Indicator);
            ++pos;
        } else if (c == u'"' || c == u'\'') {
            const int end = quotedEnd(text, pos);
            const int after = skipSpaces(text, end);
            highlight(text, pos, end,
                      after < text.size() && text[after] == u':' ? Token::Key : Token::String);
            pos = end;
        } else {
            pos = scalar(text, pos, true);
        }
    }
    return pos;
}

// A plain scalar: a key inside a flow map, a number, a keyword, or text (left unformatted).
int YamlHighlighter::scalar(const QString &text, int pos, bool inFlow)
{
    int end = pos;
    while (end < text.size() && !commentAt(text, end)) {
        const QChar c = text[end];
        if (inFlow && (QStringView(u",[]{}").contains(c) ||
                       (c == u':' && (end + 1 == text.size() || text[end + 1].isSpace()))))
            break;
        ++end;
    }
    int wordEnd = end;
    while (wordEnd > pos && text[wordEnd - 1].isSpace())
        --wordEnd;
    const QStringView word = QStringView(text).mid(pos, wordEnd - pos);
    if (inFlow && end < text.size() && text[end] == u':')
        highlight(text, pos, wordEnd, Token::Key);
    else if (isNumber(word))
        highlight(text, pos, wordEnd, Token::Number);
    else if (isKeyword(word))
        highlight(text, pos, wordEnd, Token::Keyword);
    return std::max(end, pos + 1);
}

} // namespace tdkube::ui
