#pragma once

#include "deploy/manifestcheck.h"

#include <QHash>
#include <QPlainTextEdit>

namespace tdkube::ui {

// The YAML editor's text area: a gutter with line numbers and problem markers, problems as wavy
// underlines (ExtraSelections: painting only, no re-layout) with their message as a tooltip, the
// current line shaded, two-space tabs and Enter that keeps the indentation.
class CodeEdit final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CodeEdit)

public:
    explicit CodeEdit(QWidget *parent = nullptr);

    void setDiagnostics(const QList<deploy::Diagnostic> &diagnostics);
    // The problems whose underline covers (line, column), both 1-based; column 0: the whole line.
    QList<deploy::Diagnostic> diagnosticsAt(int line, int column) const;
    int gutterWidth() const;
    void paintGutter(QWidget *gutter, QPaintEvent *event);
    bool gutterToolTip(const QPoint &pos);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    bool viewportEvent(QEvent *event) override;

private:
    void layoutGutter();
    void updateSelections();
    void indentSelection(bool outdent);
    void newLine();
    QTextCursor cursorAt(const deploy::Diagnostic &diagnostic) const;

    QWidget *m_gutter = nullptr;
    QList<deploy::Diagnostic> m_diagnostics;
    QHash<int, deploy::Diagnostic::Severity> m_lineSeverity; // the worst per line (1-based)
    QList<QTextEdit::ExtraSelection> m_problemSelections;
};

} // namespace tdkube::ui
