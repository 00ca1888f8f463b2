#pragma once

#include "deploy/manifestcheck.h"

#include <QFutureWatcher>
#include <QTimer>
#include <QWidget>

class QPlainTextEdit;
class QSyntaxHighlighter;

namespace tdkube::ui {

class CodeEdit;
class FindBar;
class StatusLine;

// A YAML document editor: line numbers, highlighting, problems underlined at their line and column
// as you type (checked off the GUI thread, 300 ms after the last keystroke; results for an outdated
// text are dropped), find and replace, undo/redo (the QTextDocument's stack), read-only mode.
// It edits text, not a parsed tree: comments and formatting are never touched.
class YamlEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(YamlEditor)

public:
    explicit YamlEditor(QWidget *parent = nullptr);
    ~YamlEditor() override;

    void setText(const QString &text); // resets undo history and the modified flag
    QString text() const;
    void setReadOnly(bool readOnly);
    bool isReadOnly() const;
    bool isModified() const;
    QList<deploy::Diagnostic> diagnostics() const; // of the current text once the check finished
    bool checkPending() const;                     // a check is running or scheduled
    void setShapeChecks(bool on); // off: YAML syntax only (e.g. for a diff or a non-Kubernetes file)
    QPlainTextEdit *textEdit() const;
    static QString highlighterName(); // "KSyntaxHighlighting" or "tdkube"

    void showFind();    // Ctrl+F
    void showReplace(); // Ctrl+H
    // Selects the next match after the cursor (before it, backwards), wrapping around the document.
    bool find(const QString &text, bool backwards = false, bool caseSensitive = false,
              bool wholeWords = false);
    // Replaces every match as one undo step; returns how many were replaced (0 when read-only).
    int replaceAll(const QString &text, const QString &with, bool caseSensitive = false);
    void goToLine(int line, int column = 1); // 1-based; Ctrl+L asks for the line

signals:
    void textChanged();
    void diagnosticsChanged();

private:
    void onContentsChange(int position, int removed, int added);
    void startCheck();
    void checkFinished();
    void showDiagnostics();
    void askForLine();

    CodeEdit *m_edit = nullptr;
    FindBar *m_findBar = nullptr;
    StatusLine *m_status = nullptr;
    QSyntaxHighlighter *m_highlighter = nullptr;
    QTimer m_debounce;
    QFutureWatcher<QList<deploy::Diagnostic>> m_watcher;
    quint64 m_revision = 0;         // bumped on every edit
    quint64 m_checkingRevision = 0; // of the text the running check looks at
    quint64 m_checkedRevision = 0;  // of the text m_diagnostics belong to
    bool m_shapeChecks = true;
    QList<deploy::Diagnostic> m_diagnostics;
};

} // namespace tdkube::ui
