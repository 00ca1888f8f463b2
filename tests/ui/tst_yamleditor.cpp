// The YAML editor as a person uses it: typed mistakes appear underlined at their line and column
// with the message in the status line; find, replace (one undo step) and go-to-line move the
// cursor where asked; the fallback highlighter colours each kind of YAML token.
#include "yamleditor.h"
#include "yamlhighlighter.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>
#include <QToolTip>

using namespace Qt::StringLiterals;
using tdkube::deploy::Diagnostic;
using tdkube::ui::YamlEditor;
using tdkube::ui::YamlHighlighter;
using Token = YamlHighlighter::Token;

namespace {

QString manifest(const QString &name)
{
    QFile file(QStringLiteral(TDKUBE_MANIFESTS_DIR) + u'/' + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(file.fileName()));
    return QString::fromUtf8(file.readAll());
}

// Waits until the editor's check of its current text has finished.
bool settle(YamlEditor &editor)
{
    QSignalSpy spy(&editor, &YamlEditor::diagnosticsChanged);
    return !editor.checkPending() || spy.wait(10000) || !editor.checkPending();
}

QLabel *statusLine(YamlEditor &editor)
{
    return editor.findChild<QLabel *>(u"statusLine"_s);
}

// The line (1-based) whose text contains `needle`.
int lineOf(const QString &text, const QString &needle)
{
    return int(text.left(text.indexOf(needle)).count(u'\n')) + 1;
}

// The highlighter's format at (line, column), both 1-based.
QColor colorAt(QTextDocument &document, int line, int column)
{
    const QTextBlock block = document.findBlockByNumber(line - 1);
    for (const QTextLayout::FormatRange &range : block.layout()->formats()) {
        if (column - 1 >= range.start && column - 1 < range.start + range.length)
            return range.format.foreground().color();
    }
    return QColor();
}

} // namespace

class TestYamlEditor final : public QObject
{
    Q_OBJECT

private slots:
    void typedMistake_underlinedAtLineAndColumn_statusLineSaysWhat()
    {
        YamlEditor editor;
        editor.resize(800, 600);
        editor.show();
        const QString text = manifest(u"40-statefulset.yaml"_s);
        editor.setText(text);
        QVERIFY(settle(editor));
        QVERIFY(editor.diagnostics().isEmpty());
        QCOMPARE(statusLine(editor)->text(), u"No problems"_s);

        // A new line under `imagePullPolicy`: Enter keeps the container's indentation.
        const int line = lineOf(text, u"imagePullPolicy"_s);
        editor.goToLine(line);
        QTest::keyClick(editor.textEdit(), Qt::Key_End);
        QTest::keyClick(editor.textEdit(), Qt::Key_Return);
        QTest::keyClicks(editor.textEdit(), u"imagePullPolice: Always"_s);
        QVERIFY(editor.checkPending());
        QVERIFY(settle(editor));
        QVERIFY(editor.isModified());

        const QList<Diagnostic> diagnostics = editor.diagnostics();
        QCOMPARE(diagnostics.size(), 1);
        QCOMPARE(diagnostics.first().line, line + 1);
        QCOMPARE(diagnostics.first().column, 11);
        const QString expected =
            u"1 problem — line %1, column 11: unknown field \"imagePullPolice\" in container; "
            u"did you mean \"imagePullPolicy\"?"_s.arg(line + 1);
        QCOMPARE(statusLine(editor)->text(), expected);

        // The underline covers exactly the misspelt key, as a red wave.
        QList<QTextEdit::ExtraSelection> underlines;
        for (const QTextEdit::ExtraSelection &selection : editor.textEdit()->extraSelections()) {
            if (selection.format.underlineStyle() == QTextCharFormat::WaveUnderline)
                underlines.append(selection);
        }
        QCOMPARE(underlines.size(), 1);
        QCOMPARE(underlines.first().cursor.selectedText(), u"imagePullPolice"_s);
        QCOMPARE(underlines.first().cursor.blockNumber(), line);
        QCOMPARE(underlines.first().format.toolTip(), diagnostics.first().message);

        // Clicking the status line goes to the problem.
        editor.goToLine(1);
        QTest::mouseClick(statusLine(editor), Qt::LeftButton);
        QCOMPARE(editor.textEdit()->textCursor().blockNumber() + 1, line + 1);
        QCOMPARE(editor.textEdit()->textCursor().positionInBlock() + 1, 11);

        // Removing the line again clears the problem.
        QTest::keyClick(editor.textEdit(), Qt::Key_End);
        QTest::keyClick(editor.textEdit(), Qt::Key_Home, Qt::ShiftModifier);
        QTest::keyClick(editor.textEdit(), Qt::Key_Backspace);
        QTest::keyClick(editor.textEdit(), Qt::Key_Backspace);
        QCOMPARE(editor.text(), text);
        QVERIFY(settle(editor));
        QVERIFY(editor.diagnostics().isEmpty());
        QCOMPARE(statusLine(editor)->text(), u"No problems"_s);
    }

    void hoverOnUnderline_tooltipShowsTheMessage()
    {
        YamlEditor editor;
        editor.resize(800, 400);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setText(u"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: 1\n"_s);
        QVERIFY(settle(editor));
        QCOMPARE(editor.diagnostics().size(), 1);
        QPlainTextEdit *edit = editor.textEdit();
        QTextCursor at(edit->document()->findBlockByNumber(5));
        at.setPosition(at.position() + 5); // on the "1"
        const QPoint pos = edit->cursorRect(at).center() + QPoint(2, 0);
        QHelpEvent hover(QEvent::ToolTip, pos, edit->viewport()->mapToGlobal(pos));
        QApplication::sendEvent(edit->viewport(), &hover);
        QTRY_COMPARE(QToolTip::text(), editor.diagnostics().first().message);
        QVERIFY(QToolTip::text().contains(u"must be a string"_s));
    }

    void outdatedCheck_resultDropped()
    {
        YamlEditor editor;
        QList<int> shown;
        connect(&editor, &YamlEditor::diagnosticsChanged, this,
                [&] { shown.append(int(editor.diagnostics().size())); });
        editor.setText(u"apiVersion: v1\nkind: ConfigMap\nreplica: 3\n"_s); // a check starts at once
        editor.setText(u"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n"_s);
        QVERIFY(settle(editor));
        QTRY_VERIFY(!editor.checkPending());
        QVERIFY(editor.diagnostics().isEmpty());
        QCOMPARE(shown, QList<int>{0}); // the first text's problems were never shown
    }

    void tenThousandLines_checkedWithoutProblems()
    {
        QString text;
        const QString one = manifest(u"40-statefulset.yaml"_s);
        for (int i = 0; text.count(u'\n') < 10000; ++i)
            text +=
                QString(one).replace(u"name: tdengine\n  labels"_s, u"name: tdengine-%1\n  labels"_s.arg(i)) +
                u"---\n"_s;
        YamlEditor editor;
        editor.resize(800, 600);
        editor.show();
        editor.setText(text);
        QVERIFY(settle(editor));
        QVERIFY(editor.diagnostics().isEmpty());
        editor.goToLine(9000);
        QTest::keyClicks(editor.textEdit(), u"x"_s);
        QVERIFY(editor.checkPending());
        QVERIFY(settle(editor));
        QCOMPARE(editor.textEdit()->blockCount(), int(text.count(u'\n')) + 1);
    }

    void syntaxErrorInThirdDocument_reportedAtItsLineInTheFile()
    {
        YamlEditor editor;
        const QString text = manifest(u"10-configmap.yaml"_s) + u"---\n"_s +
                             manifest(u"20-service-headless.yaml"_s) + u"---\n"_s +
                             manifest(u"30-service-client.yaml"_s).replace(u"port: 6041"_s, u"port: [6041"_s);
        editor.setText(text);
        QVERIFY(settle(editor));
        QCOMPARE(editor.diagnostics().size(), 1);
        QCOMPARE(editor.diagnostics().first().line, lineOf(text, u"port: [6041"_s));
        QVERIFY(statusLine(editor)->text().startsWith(u"1 problem — line "_s));
    }

    void shapeChecksOff_onlySyntax()
    {
        YamlEditor editor;
        editor.setShapeChecks(false);
        editor.setText(u"apiVersion: v1\nkind: ConfigMap\nreplica: 3\n"_s);
        QVERIFY(settle(editor));
        QVERIFY(editor.diagnostics().isEmpty());
        editor.setShapeChecks(true);
        QVERIFY(editor.checkPending());
        QVERIFY(settle(editor));
        QVERIFY(!editor.diagnostics().isEmpty());
    }

    void findAndReplaceAll_oneUndoStep()
    {
        YamlEditor editor;
        const QString original = u"a: foo\nb: foo\nc: Foo\n"_s;
        editor.setText(original);
        QVERIFY(!editor.isModified());

        QVERIFY(editor.find(u"foo"_s));
        QCOMPARE(editor.textEdit()->textCursor().blockNumber(), 0);
        QCOMPARE(editor.textEdit()->textCursor().selectedText(), u"foo"_s);
        QVERIFY(editor.find(u"foo"_s));
        QCOMPARE(editor.textEdit()->textCursor().blockNumber(), 1);
        QVERIFY(editor.find(u"foo"_s, false, true)); // case-sensitive: wraps past "Foo"
        QCOMPARE(editor.textEdit()->textCursor().blockNumber(), 0);
        QVERIFY(editor.find(u"foo"_s, true)); // backwards from line 1 wraps to the end
        QCOMPARE(editor.textEdit()->textCursor().blockNumber(), 2);
        QVERIFY(!editor.find(u"nothing"_s));

        QCOMPARE(editor.replaceAll(u"foo"_s, u"bar"_s), 3);
        QCOMPARE(editor.text(), u"a: bar\nb: bar\nc: bar\n"_s);
        QVERIFY(editor.isModified());
        editor.textEdit()->undo();
        QCOMPARE(editor.text(), original);
    }

    void setText_resetsUndoAndModified()
    {
        YamlEditor editor;
        editor.setText(u"a: 1\n"_s);
        editor.textEdit()->moveCursor(QTextCursor::End);
        QTest::keyClicks(editor.textEdit(), u"b: 2"_s);
        QVERIFY(editor.isModified());
        editor.setText(u"c: 3\n"_s);
        QVERIFY(!editor.isModified());
        QVERIFY(!editor.textEdit()->document()->isUndoAvailable());
    }

    void readOnly_noEdits()
    {
        YamlEditor editor;
        editor.setText(u"a: 1\n"_s);
        editor.setReadOnly(true);
        QTest::keyClicks(editor.textEdit(), u"xyz"_s);
        QCOMPARE(editor.replaceAll(u"1"_s, u"2"_s), 0);
        QCOMPARE(editor.text(), u"a: 1\n"_s);
        QVERIFY(!editor.isModified());
    }

    void tabAndEnter_indentByTwoSpaces()
    {
        YamlEditor editor;
        editor.setText(QString());
        QTest::keyClicks(editor.textEdit(), u"spec:"_s);
        QTest::keyClick(editor.textEdit(), Qt::Key_Return);
        QTest::keyClicks(editor.textEdit(), u"replicas: 3"_s);
        QTest::keyClick(editor.textEdit(), Qt::Key_Return);
        QTest::keyClick(editor.textEdit(), Qt::Key_Tab);
        QTest::keyClicks(editor.textEdit(), u"# deeper"_s);
        QCOMPARE(editor.text(), u"spec:\n  replicas: 3\n    # deeper"_s);
    }

    void goToLine_movesTheCursor()
    {
        YamlEditor editor;
        editor.setText(u"a: 1\nb: 2\nccc: 3\n"_s);
        editor.goToLine(3, 4);
        QCOMPARE(editor.textEdit()->textCursor().blockNumber(), 2);
        QCOMPARE(editor.textEdit()->textCursor().positionInBlock(), 3);
        editor.goToLine(99);
        QCOMPARE(editor.textEdit()->textCursor().blockNumber(), editor.textEdit()->blockCount() - 1);
    }

    void fallbackHighlighter_formatsEachToken()
    {
        // The editor uses KSyntaxHighlighting when the build found it, else this highlighter (Debian 12
        // packages no KF6, so CI tests the fallback in the editor too).
#ifdef TDKUBE_HAVE_KSYNTAXHIGHLIGHTING
        QCOMPARE(YamlEditor::highlighterName(), u"KSyntaxHighlighting"_s);
#else
        QCOMPARE(YamlEditor::highlighterName(), u"tdkube"_s);
#endif
        QTextDocument document;
        YamlHighlighter highlighter(&document);
        document.setPlainText(u"# a comment\n"                 // 1
                              u"name: \"quoted\" # trailing\n" // 2
                              u"replicas: 42\n"                // 3
                              u"enabled: true\n"               // 4
                              u"script: |\n"                   // 5
                              u"  echo: not a key\n"           // 6
                              u"\n"                            // 7
                              u"  still: the script\n"         // 8
                              u"after: 'single'\n"             // 9
                              u"---\n"                         // 10
                              u"- &anchor item\n"              // 11
                              u"- *anchor\n"_s);               // 12
        highlighter.rehighlight();
        auto color = [&](Token token) { return highlighter.format(token).foreground().color(); };
        QCOMPARE(colorAt(document, 1, 3), color(Token::Comment));
        QCOMPARE(colorAt(document, 2, 1), color(Token::Key));
        QCOMPARE(colorAt(document, 2, 7), color(Token::String));
        QCOMPARE(colorAt(document, 2, 18), color(Token::Comment));
        QCOMPARE(colorAt(document, 3, 11), color(Token::Number));
        QCOMPARE(colorAt(document, 4, 10), color(Token::Keyword));
        QCOMPARE(colorAt(document, 5, 9), color(Token::BlockScalar));
        QCOMPARE(colorAt(document, 6, 3), color(Token::BlockScalar)); // not a key: part of the script
        QCOMPARE(colorAt(document, 8, 3), color(Token::BlockScalar)); // past a blank line
        QCOMPARE(colorAt(document, 9, 1), color(Token::Key));         // the block scalar has ended
        QCOMPARE(colorAt(document, 9, 8), color(Token::String));
        QCOMPARE(colorAt(document, 10, 1), color(Token::Marker));
        QCOMPARE(colorAt(document, 11, 1), color(Token::Indicator));
        QCOMPARE(colorAt(document, 11, 3), color(Token::Anchor));
        QCOMPARE(colorAt(document, 12, 3), color(Token::Anchor));
        QVERIFY(colorAt(document, 11, 11) != color(Token::Key)); // "item" is plain text
        QVERIFY(color(Token::Key) != color(Token::String));

        // The editor's own document is highlighted, by this highlighter when KF6 is not there.
        YamlEditor editor;
        editor.setText(u"# a comment\nname: \"quoted\"\n"_s);
        QTextDocument *shown = editor.textEdit()->document();
        QVERIFY(colorAt(*shown, 1, 3).isValid());
        QVERIFY(colorAt(*shown, 2, 1) != colorAt(*shown, 2, 7));
#ifndef TDKUBE_HAVE_KSYNTAXHIGHLIGHTING
        QCOMPARE(colorAt(*shown, 1, 3), color(Token::Comment));
        QCOMPARE(colorAt(*shown, 2, 1), color(Token::Key));
        QCOMPARE(colorAt(*shown, 2, 7), color(Token::String));
#endif
    }

    void screenshot_manifestWithOneError()
    {
        YamlEditor editor;
        editor.resize(980, 640);
        editor.show();
        QString text = manifest(u"40-statefulset.yaml"_s);
        text.replace(u"  replicas: 3"_s, u"  replica: 3"_s);
        editor.setText(text);
        QVERIFY(settle(editor));
        QCOMPARE(editor.diagnostics().size(), 1);
        editor.goToLine(editor.diagnostics().first().line - 12);
        editor.goToLine(editor.diagnostics().first().line, editor.diagnostics().first().column);
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        // Saved only when asked, like the e2e tests' screenshots.
        const QString dir = qEnvironmentVariable("TDKUBE_SCREENSHOT_DIR");
        if (!dir.isEmpty())
            QVERIFY(editor.grab().save(QDir(dir).filePath(u"yaml-editor.png"_s)));
    }
};

QTEST_MAIN(TestYamlEditor)
#include "tst_yamleditor.moc"
