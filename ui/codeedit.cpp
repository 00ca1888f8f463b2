#include "codeedit.h"

#include <QFontDatabase>
#include <QPainter>
#include <QScrollBar>
#include <QTextBlock>
#include <QToolTip>

using namespace Qt::StringLiterals;
using tdkube::deploy::Diagnostic;

namespace tdkube::ui {

namespace {

constexpr int kIndent = 2; // YAML in Kubernetes is indented by two spaces
constexpr int kMarkerWidth = 14;

QColor severityColor(Diagnostic::Severity severity)
{
    return severity == Diagnostic::Severity::Error ? QColor(0xd7, 0x3a, 0x49) : QColor(0xe3, 0x8a, 0x00);
}

// The gutter only paints; CodeEdit knows the blocks and the problems.
class Gutter final : public QWidget
{
public:
    explicit Gutter(CodeEdit *edit)
        : QWidget(edit)
        , m_edit(edit)
    {
    }

    QSize sizeHint() const override { return QSize(m_edit->gutterWidth(), 0); }

protected:
    void paintEvent(QPaintEvent *event) override { m_edit->paintGutter(this, event); }

    bool event(QEvent *event) override
    {
        if (event->type() == QEvent::ToolTip) {
            if (!m_edit->gutterToolTip(static_cast<QHelpEvent *>(event)->pos()))
                QToolTip::hideText();
            return true;
        }
        return QWidget::event(event);
    }

private:
    CodeEdit *m_edit;
};

QString joinedMessages(const QList<Diagnostic> &diagnostics)
{
    QStringList messages;
    for (const Diagnostic &d : diagnostics)
        messages.append(d.message);
    return messages.join(u'\n');
}

} // namespace

CodeEdit::CodeEdit(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_gutter(new Gutter(this))
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabStopDistance(fontMetrics().horizontalAdvance(QString(kIndent, u' ')));
    setMouseTracking(true);
    // 999 -> 1000 lines widens the gutter.
    connect(this, &QPlainTextEdit::blockCountChanged, this, &CodeEdit::layoutGutter);
    connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect &rect, int dy) {
        if (dy != 0)
            m_gutter->scroll(0, dy);
        else
            m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
    });
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, &CodeEdit::updateSelections);
    layoutGutter();
    updateSelections();
}

int CodeEdit::gutterWidth() const
{
    const int digits = int(QString::number(std::max(1, blockCount())).size());
    return kMarkerWidth + fontMetrics().horizontalAdvance(u'9') * std::max(3, digits) + 8;
}

void CodeEdit::setDiagnostics(const QList<Diagnostic> &diagnostics)
{
    m_diagnostics = diagnostics;
    m_lineSeverity.clear();
    m_problemSelections.clear();
    for (const Diagnostic &d : diagnostics) {
        auto it = m_lineSeverity.find(d.line);
        if (it == m_lineSeverity.end() || d.severity == Diagnostic::Severity::Error)
            m_lineSeverity.insert(d.line, d.severity);
        QTextEdit::ExtraSelection selection;
        selection.cursor = cursorAt(d);
        selection.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        selection.format.setUnderlineColor(severityColor(d.severity));
        // A faint tint too: at small font sizes a wave alone is easy to miss.
        QColor tint = severityColor(d.severity);
        tint.setAlpha(36);
        selection.format.setBackground(tint);
        selection.format.setToolTip(d.message);
        m_problemSelections.append(selection);
    }
    updateSelections();
    m_gutter->update();
}

QTextCursor CodeEdit::cursorAt(const Diagnostic &d) const
{
    const QTextBlock block = document()->findBlockByNumber(d.line - 1);
    if (!block.isValid())
        return QTextCursor();
    QTextCursor cursor(block);
    const int length = int(block.text().size());
    const int start = std::clamp(d.column - 1, 0, length);
    const int end = std::clamp(start + d.length, 0, length);
    // A problem at the end of a line (a missing field) underlines the last character before it.
    cursor.setPosition(block.position() + (end > start ? start : std::max(0, start - 1)));
    cursor.setPosition(block.position() + (end > start ? end : std::min(length, start)),
                       QTextCursor::KeepAnchor);
    return cursor;
}

QList<Diagnostic> CodeEdit::diagnosticsAt(int line, int column) const
{
    QList<Diagnostic> found;
    for (const Diagnostic &d : m_diagnostics) {
        if (d.line == line && (column == 0 || (column >= d.column && column < d.column + d.length)))
            found.append(d);
    }
    return found;
}

void CodeEdit::updateSelections()
{
    QList<QTextEdit::ExtraSelection> selections;
    if (!isReadOnly()) {
        QTextEdit::ExtraSelection current;
        QColor shade = palette().color(QPalette::Highlight);
        shade.setAlpha(22);
        current.format.setBackground(shade);
        current.format.setProperty(QTextFormat::FullWidthSelection, true);
        current.cursor = textCursor();
        current.cursor.clearSelection();
        selections.append(current);
    }
    selections.append(m_problemSelections);
    setExtraSelections(selections);
    m_gutter->update(); // the current line's number is drawn stronger
}

void CodeEdit::paintGutter(QWidget *gutter, QPaintEvent *event)
{
    QPainter painter(gutter);
    painter.fillRect(event->rect(), palette().color(QPalette::Window));
    painter.setPen(palette().color(QPalette::Midlight));
    painter.drawLine(gutter->width() - 1, event->rect().top(), gutter->width() - 1, event->rect().bottom());
    painter.setRenderHint(QPainter::Antialiasing);
    const int current = textCursor().blockNumber();
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    const int lineHeight = fontMetrics().height();
    while (block.isValid() && top <= event->rect().bottom()) {
        const int bottom = top + qRound(blockBoundingRect(block).height());
        if (block.isVisible() && bottom >= event->rect().top()) {
            const int line = block.blockNumber() + 1;
            if (const auto it = m_lineSeverity.constFind(line); it != m_lineSeverity.constEnd()) {
                painter.setPen(Qt::NoPen);
                painter.setBrush(severityColor(*it));
                const int size = std::min(8, lineHeight - 4);
                painter.drawEllipse(
                    QRectF((kMarkerWidth - size) / 2.0 + 1, top + (lineHeight - size) / 2.0, size, size));
            }
            QColor color = palette().color(QPalette::PlaceholderText);
            if (block.blockNumber() == current)
                color = palette().color(QPalette::Text);
            painter.setPen(color);
            painter.drawText(kMarkerWidth, top, gutter->width() - kMarkerWidth - 6, lineHeight,
                             Qt::AlignRight, QString::number(line));
        }
        block = block.next();
        top = bottom;
    }
}

bool CodeEdit::gutterToolTip(const QPoint &pos)
{
    const QTextBlock block = cursorForPosition(QPoint(0, pos.y())).block();
    const QList<Diagnostic> found = diagnosticsAt(block.blockNumber() + 1, 0);
    if (found.isEmpty())
        return false;
    QToolTip::showText(m_gutter->mapToGlobal(pos), joinedMessages(found), m_gutter);
    return true;
}

bool CodeEdit::viewportEvent(QEvent *event)
{
    if (event->type() != QEvent::ToolTip)
        return QPlainTextEdit::viewportEvent(event);
    // The underline's message where the mouse rests; Qt does not show an ExtraSelection's tooltip.
    const auto *help = static_cast<QHelpEvent *>(event);
    const QTextCursor cursor = cursorForPosition(help->pos());
    const bool onText = help->pos().x() <= cursorRect(cursor).right() + fontMetrics().horizontalAdvance(u'x');
    const int line = cursor.blockNumber() + 1;
    // cursorForPosition() rounds to the nearest gap between characters: look at both sides of it.
    QList<Diagnostic> found =
        onText ? diagnosticsAt(line, cursor.positionInBlock() + 1) : QList<Diagnostic>();
    if (onText && found.isEmpty() && cursor.positionInBlock() > 0)
        found = diagnosticsAt(line, cursor.positionInBlock());
    if (found.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(help->globalPos(), joinedMessages(found), viewport());
    return true;
}

void CodeEdit::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    layoutGutter();
}

void CodeEdit::layoutGutter()
{
    const int width = gutterWidth();
    setViewportMargins(width, 0, 0, 0);
    const QRect area = contentsRect();
    m_gutter->setGeometry(QRect(area.left(), area.top(), width, area.height()));
}

void CodeEdit::keyPressEvent(QKeyEvent *event)
{
    if (isReadOnly())
        return QPlainTextEdit::keyPressEvent(event);
    const bool plain = !(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier));
    if (event->key() == Qt::Key_Tab && plain) {
        if (textCursor().hasSelection() && textCursor().selectedText().contains(QChar::ParagraphSeparator))
            indentSelection(false);
        else
            insertPlainText(QString(kIndent, u' '));
        return;
    }
    if (event->key() == Qt::Key_Backtab) {
        indentSelection(true);
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && plain) {
        newLine();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

// Enter keeps the line's indentation, and indents by two more after "key:".
void CodeEdit::newLine()
{
    QTextCursor cursor = textCursor();
    const QString before = cursor.block().text().left(cursor.positionInBlock());
    int indent = 0;
    while (indent < before.size() && before[indent] == u' ')
        ++indent;
    if (QStringView(before).trimmed().endsWith(u':'))
        indent += kIndent;
    cursor.beginEditBlock();
    cursor.insertText(u'\n' + QString(indent, u' '));
    cursor.endEditBlock();
    setTextCursor(cursor);
    ensureCursorVisible();
}

// Tab on a multi-line selection indents its lines; Shift+Tab removes up to two leading spaces.
void CodeEdit::indentSelection(bool outdent)
{
    QTextCursor cursor = textCursor();
    const QTextBlock first = document()->findBlock(cursor.selectionStart());
    const QTextBlock last =
        document()->findBlock(std::max(cursor.selectionStart(), cursor.selectionEnd() - 1));
    cursor.beginEditBlock();
    for (QTextBlock block = first; block.isValid(); block = block.next()) {
        QTextCursor line(block);
        if (!outdent) {
            line.insertText(QString(kIndent, u' '));
        } else {
            int spaces = 0;
            while (spaces < kIndent && spaces < block.text().size() && block.text()[spaces] == u' ')
                ++spaces;
            line.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor, spaces);
            line.removeSelectedText();
        }
        if (block == last)
            break;
    }
    cursor.endEditBlock();
}

} // namespace tdkube::ui
