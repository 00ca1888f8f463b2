#pragma once

#include <QSyntaxHighlighter>
#include <QTextCharFormat>

#include <array>

namespace tdkube::ui {

// tdkube's own YAML highlighter, used when KSyntaxHighlighting is not available (Debian 12). Each
// block (line) is highlighted on its own in time linear in its length; the only state carried to
// the next line is "inside a block scalar (| or >) whose parent is indented N", so editing one line
// re-highlights the following lines only while that state changes.
class YamlHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(YamlHighlighter)

public:
    enum class Token {
        Key,
        Comment,
        String, // quoted scalars
        Number,
        Keyword,     // true/false/yes/no/on/off/null/~
        Anchor,      // &anchor, *alias, !tag
        Marker,      // --- and ...
        BlockScalar, // the | or > header and the lines that belong to it
        Indicator,   // list dashes, flow brackets, ? and :
    };

    explicit YamlHighlighter(QTextDocument *document);

    // The format used for `token`, for the editor's legend and for tests.
    QTextCharFormat format(Token token) const { return m_formats[size_t(token)]; }

protected:
    void highlightBlock(const QString &text) override;

private:
    void highlight(const QString &text, int from, int to, Token token);
    int value(const QString &text, int pos, int parentIndent);
    int flow(const QString &text, int pos);
    int scalar(const QString &text, int pos, bool inFlow);

    std::array<QTextCharFormat, 9> m_formats;
};

} // namespace tdkube::ui
