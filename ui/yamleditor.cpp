#include "yamleditor.h"

#include "codeedit.h"
#include "yamlhighlighter.h"

#include <QAction>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QTextBlock>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#ifdef TDKUBE_HAVE_KSYNTAXHIGHLIGHTING
#include <QGuiApplication>
#include <QPalette>

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>
#endif

using namespace Qt::StringLiterals;
using tdkube::deploy::Diagnostic;

namespace tdkube::ui {

namespace {

constexpr int kCheckDelayMs = 300;

QTextDocument::FindFlags findFlags(bool backwards, bool caseSensitive, bool wholeWords)
{
    QTextDocument::FindFlags flags;
    if (backwards)
        flags |= QTextDocument::FindBackward;
    if (caseSensitive)
        flags |= QTextDocument::FindCaseSensitively;
    if (wholeWords)
        flags |= QTextDocument::FindWholeWords;
    return flags;
}

#ifdef TDKUBE_HAVE_KSYNTAXHIGHLIGHTING
// One repository (it reads every syntax definition from disk) for all editors.
Q_GLOBAL_STATIC(KSyntaxHighlighting::Repository, syntaxRepository)
#endif

QSyntaxHighlighter *createHighlighter(QTextDocument *document)
{
#ifdef TDKUBE_HAVE_KSYNTAXHIGHLIGHTING
    auto *highlighter = new KSyntaxHighlighting::SyntaxHighlighter(document);
    const bool dark = QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
    highlighter->setTheme(syntaxRepository->defaultTheme(dark ? KSyntaxHighlighting::Repository::DarkTheme
                                                              : KSyntaxHighlighting::Repository::LightTheme));
    highlighter->setDefinition(syntaxRepository->definitionForName(u"YAML"_s));
    return highlighter;
#else
    return new YamlHighlighter(document);
#endif
}

// A separator above the status line, so it reads as the editor's footer, not as document text.
QString statusStyle(const QString &color)
{
    return u"QLabel { border-top: 1px solid palette(mid); padding: 4px 8px; "_s + color + u" }"_s;
}

} // namespace

// The status line under the editor; a click goes to the first problem.
class StatusLine final : public QLabel
{
    Q_OBJECT

public:
    using QLabel::QLabel;

signals:
    void clicked();

protected:
    void mouseReleaseEvent(QMouseEvent *event) override
    {
        QLabel::mouseReleaseEvent(event);
        if (event->button() == Qt::LeftButton)
            emit clicked();
    }
};

// Find (and replace) above the status line, as in most editors. Esc closes it.
class FindBar final : public QWidget
{
    Q_OBJECT

public:
    explicit FindBar(YamlEditor *editor)
        : QWidget(editor)
        , m_editor(editor)
        , m_find(new QLineEdit(this))
        , m_replace(new QLineEdit(this))
        , m_caseSensitive(new QCheckBox(tr("Match case"), this))
        , m_wholeWords(new QCheckBox(tr("Whole words"), this))
        , m_result(new QLabel(this))
    {
        m_find->setPlaceholderText(tr("Find"));
        m_find->setClearButtonEnabled(true);
        m_replace->setPlaceholderText(tr("Replace with"));
        auto *previous = button(tr("Previous"), [this] { findNext(true); });
        auto *next = button(tr("Next"), [this] { findNext(false); });
        m_replaceOne = button(tr("Replace"), [this] { replaceOne(); });
        m_replaceAll = button(tr("Replace All"), [this] {
            const int count =
                m_editor->replaceAll(m_find->text(), m_replace->text(), m_caseSensitive->isChecked());
            m_result->setText(count == 0 ? tr("No matches") : tr("%n replaced", nullptr, count));
        });
        auto *close = button(u"✕"_s, [this] { closeBar(); });
        close->setToolTip(tr("Close (Esc)"));

        auto *findRow = new QHBoxLayout;
        findRow->addWidget(m_find, 1);
        findRow->addWidget(previous);
        findRow->addWidget(next);
        findRow->addWidget(m_caseSensitive);
        findRow->addWidget(m_wholeWords);
        findRow->addWidget(m_result);
        findRow->addWidget(close);
        m_replaceRow = new QWidget(this);
        auto *replaceRow = new QHBoxLayout(m_replaceRow);
        replaceRow->setContentsMargins(0, 0, 0, 0);
        replaceRow->addWidget(m_replace, 1);
        replaceRow->addWidget(m_replaceOne);
        replaceRow->addWidget(m_replaceAll);
        auto *layout = new QVBoxLayout(this);
        layout->setContentsMargins(4, 4, 4, 4);
        layout->setSpacing(4);
        layout->addLayout(findRow);
        layout->addWidget(m_replaceRow);
        connect(m_find, &QLineEdit::returnPressed, this, [this] { findNext(false); });
        connect(m_replace, &QLineEdit::returnPressed, this, [this] { replaceOne(); });
        connect(m_find, &QLineEdit::textChanged, m_result, &QLabel::clear);
    }

    void open(bool withReplace, const QString &selected)
    {
        m_replaceRow->setVisible(withReplace);
        if (!selected.isEmpty() && !selected.contains(QChar::ParagraphSeparator))
            m_find->setText(selected);
        show();
        m_find->setFocus();
        m_find->selectAll();
    }

    void setReadOnly(bool readOnly)
    {
        m_replaceOne->setEnabled(!readOnly);
        m_replaceAll->setEnabled(!readOnly);
        m_replace->setEnabled(!readOnly);
    }

protected:
    void keyPressEvent(QKeyEvent *event) override
    {
        if (event->key() == Qt::Key_Escape)
            closeBar();
        else
            QWidget::keyPressEvent(event);
    }

private:
    template<typename Slot> QToolButton *button(const QString &text, Slot slot)
    {
        auto *b = new QToolButton(this);
        b->setText(text);
        b->setAutoRaise(true);
        connect(b, &QToolButton::clicked, this, slot);
        return b;
    }

    void findNext(bool backwards)
    {
        const bool found = m_editor->find(m_find->text(), backwards, m_caseSensitive->isChecked(),
                                          m_wholeWords->isChecked());
        m_result->setText(found || m_find->text().isEmpty() ? QString() : tr("No matches"));
    }

    // Replaces the current match (if the selection is one) and moves on to the next.
    void replaceOne()
    {
        QTextCursor cursor = m_editor->textEdit()->textCursor();
        const Qt::CaseSensitivity cs = m_caseSensitive->isChecked() ? Qt::CaseSensitive : Qt::CaseInsensitive;
        if (cursor.hasSelection() && cursor.selectedText().compare(m_find->text(), cs) == 0)
            cursor.insertText(m_replace->text());
        findNext(false);
    }

    void closeBar()
    {
        hide();
        m_editor->textEdit()->setFocus();
    }

    YamlEditor *m_editor;
    QLineEdit *m_find;
    QLineEdit *m_replace;
    QCheckBox *m_caseSensitive;
    QCheckBox *m_wholeWords;
    QLabel *m_result;
    QWidget *m_replaceRow = nullptr;
    QToolButton *m_replaceOne = nullptr;
    QToolButton *m_replaceAll = nullptr;
};

YamlEditor::YamlEditor(QWidget *parent)
    : QWidget(parent)
    , m_edit(new CodeEdit(this))
    , m_findBar(new FindBar(this))
    , m_status(new StatusLine(this))
{
    m_highlighter = createHighlighter(m_edit->document());
    m_findBar->hide();
    m_status->setObjectName(u"statusLine"_s);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setStyleSheet(statusStyle(QString()));
    m_status->setCursor(Qt::PointingHandCursor);
    m_status->setText(tr("No problems"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_findBar);
    layout->addWidget(m_status);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kCheckDelayMs);
    connect(&m_debounce, &QTimer::timeout, this, &YamlEditor::startCheck);
    connect(&m_watcher, &QFutureWatcher<QList<Diagnostic>>::finished, this, &YamlEditor::checkFinished);
    connect(m_edit->document(), &QTextDocument::contentsChange, this, &YamlEditor::onContentsChange);
    connect(m_status, &StatusLine::clicked, this, [this] {
        if (!m_diagnostics.isEmpty())
            goToLine(m_diagnostics.first().line, m_diagnostics.first().column);
    });

    auto addAction = [this](const QString &text, const QKeySequence &keys, auto slot) {
        auto *action = new QAction(text, this);
        action->setShortcut(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        QWidget::addAction(action);
    };
    addAction(tr("Find…"), QKeySequence::Find, [this] { showFind(); });
    addAction(tr("Replace…"), QKeySequence(Qt::CTRL | Qt::Key_H), [this] { showReplace(); });
    addAction(tr("Go to Line…"), QKeySequence(Qt::CTRL | Qt::Key_L), [this] { askForLine(); });
}

YamlEditor::~YamlEditor()
{
    // The worker only holds copies, but must not outlive the objects its result goes to.
    m_watcher.disconnect(this);
    m_watcher.waitForFinished();
}

QString YamlEditor::highlighterName()
{
#ifdef TDKUBE_HAVE_KSYNTAXHIGHLIGHTING
    return u"KSyntaxHighlighting"_s;
#else
    return u"tdkube"_s;
#endif
}

void YamlEditor::setText(const QString &text)
{
    m_edit->setPlainText(text); // also clears the undo/redo history
    m_edit->document()->setModified(false);
    m_debounce.stop();
    startCheck();
}

QString YamlEditor::text() const
{
    return m_edit->toPlainText();
}

void YamlEditor::setReadOnly(bool readOnly)
{
    m_edit->setReadOnly(readOnly);
    m_findBar->setReadOnly(readOnly);
}

bool YamlEditor::isReadOnly() const
{
    return m_edit->isReadOnly();
}

bool YamlEditor::isModified() const
{
    return m_edit->document()->isModified();
}

QList<Diagnostic> YamlEditor::diagnostics() const
{
    return m_diagnostics;
}

bool YamlEditor::checkPending() const
{
    return m_checkedRevision != m_revision;
}

void YamlEditor::setShapeChecks(bool on)
{
    if (m_shapeChecks == on)
        return;
    m_shapeChecks = on;
    ++m_revision; // the current results answer the other question
    m_debounce.stop();
    startCheck();
}

QPlainTextEdit *YamlEditor::textEdit() const
{
    return m_edit;
}

void YamlEditor::onContentsChange(int, int removed, int added)
{
    // The highlighter reports re-formatting as a change of nothing: not an edit.
    if (removed == 0 && added == 0)
        return;
    ++m_revision;
    m_debounce.start();
    emit textChanged();
}

void YamlEditor::startCheck()
{
    if (m_watcher.isRunning())
        return; // checkFinished() starts the next one
    m_checkingRevision = m_revision;
    const QByteArray text = m_edit->toPlainText().toUtf8();
    const bool shape = m_shapeChecks;
    m_watcher.setFuture(QtConcurrent::run(
        [text, shape] { return shape ? deploy::checkManifests(text) : deploy::checkYamlSyntax(text); }));
}

void YamlEditor::checkFinished()
{
    if (m_checkingRevision != m_revision) {
        // Typed on meanwhile: drop the outdated result; the debounce timer (or this) checks again.
        if (!m_debounce.isActive())
            startCheck();
        return;
    }
    m_diagnostics = m_watcher.result();
    m_checkedRevision = m_checkingRevision;
    showDiagnostics();
    emit diagnosticsChanged();
}

void YamlEditor::showDiagnostics()
{
    m_edit->setDiagnostics(m_diagnostics);
    if (m_diagnostics.isEmpty()) {
        m_status->setText(tr("No problems"));
        m_status->setToolTip(QString());
        m_status->setStyleSheet(statusStyle(QString()));
        return;
    }
    const Diagnostic &first = m_diagnostics.first();
    const bool errors = std::any_of(m_diagnostics.begin(), m_diagnostics.end(), [](const Diagnostic &d) {
        return d.severity == Diagnostic::Severity::Error;
    });
    const int count = int(m_diagnostics.size());
    m_status->setText(tr("%n problem(s) — line %1, column %2: %3", nullptr, count)
                          .arg(first.line)
                          .arg(first.column)
                          .arg(first.message));
    m_status->setToolTip(tr("Click to go to the first problem"));
    m_status->setStyleSheet(statusStyle(errors ? u"color: #b31d28;"_s : u"color: #9a5b00;"_s));
}

void YamlEditor::showFind()
{
    m_findBar->open(false, m_edit->textCursor().selectedText());
}

void YamlEditor::showReplace()
{
    m_findBar->open(!isReadOnly(), m_edit->textCursor().selectedText());
}

bool YamlEditor::find(const QString &text, bool backwards, bool caseSensitive, bool wholeWords)
{
    if (text.isEmpty())
        return false;
    const QTextDocument::FindFlags flags = findFlags(backwards, caseSensitive, wholeWords);
    QTextDocument *document = m_edit->document();
    QTextCursor match = document->find(text, m_edit->textCursor(), flags);
    if (match.isNull()) {
        QTextCursor wrap(document);
        if (backwards)
            wrap.movePosition(QTextCursor::End);
        match = document->find(text, wrap, flags);
    }
    if (match.isNull())
        return false;
    m_edit->setTextCursor(match);
    m_edit->centerCursor();
    return true;
}

int YamlEditor::replaceAll(const QString &text, const QString &with, bool caseSensitive)
{
    if (text.isEmpty() || isReadOnly())
        return 0;
    const QTextDocument::FindFlags flags = findFlags(false, caseSensitive, false);
    QTextDocument *document = m_edit->document();
    QTextCursor edit(document);
    int count = 0;
    edit.beginEditBlock(); // one undo step for all of them
    for (QTextCursor match = document->find(text, 0, flags); !match.isNull();
         match = document->find(text, match, flags)) {
        match.insertText(with);
        ++count;
    }
    edit.endEditBlock();
    return count;
}

void YamlEditor::goToLine(int line, int column)
{
    const QTextBlock block =
        m_edit->document()->findBlockByNumber(std::clamp(line, 1, m_edit->blockCount()) - 1);
    QTextCursor cursor(block);
    cursor.setPosition(block.position() + std::clamp(column - 1, 0, int(block.text().size())));
    m_edit->setTextCursor(cursor);
    m_edit->centerCursor();
    m_edit->setFocus();
}

void YamlEditor::askForLine()
{
    bool ok = false;
    const int line =
        QInputDialog::getInt(this, tr("Go to Line"), tr("Line (1–%1):").arg(m_edit->blockCount()),
                             m_edit->textCursor().blockNumber() + 1, 1, m_edit->blockCount(), 1, &ok);
    if (ok)
        goToLine(line);
}

} // namespace tdkube::ui

#include "yamleditor.moc"
