#include "diffview.h"

#include <QFontDatabase>
#include <QSyntaxHighlighter>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

namespace {

class DiffHighlighter final : public QSyntaxHighlighter
{
public:
    using QSyntaxHighlighter::QSyntaxHighlighter;

protected:
    void highlightBlock(const QString &text) override
    {
        QTextCharFormat format;
        if (text.startsWith(u"+++") || text.startsWith(u"---")) {
            format.setFontWeight(QFont::Bold);
        } else if (text.startsWith(u'+')) {
            format.setForeground(QColor(0x1b, 0x5e, 0x20));
            format.setBackground(QColor(0xe8, 0xf5, 0xe9));
        } else if (text.startsWith(u'-')) {
            format.setForeground(QColor(0xb7, 0x1c, 0x1c));
            format.setBackground(QColor(0xff, 0xeb, 0xee));
        } else if (text.startsWith(u"@@")) {
            format.setForeground(QColor(0x15, 0x65, 0xc0));
        } else {
            return;
        }
        setFormat(0, int(text.size()), format);
    }
};

} // namespace

DiffView::DiffView(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    new DiffHighlighter(document());
}

DiffView::~DiffView() = default;

void DiffView::setDiff(const QString &diff, const QString &emptyText)
{
    m_diff = diff;
    setPlainText(diff.isEmpty() ? emptyText : diff);
}

} // namespace tdkube::ui
