// The YAML editor with a 10,000-line file (the manifests' StatefulSet repeated), next to a plain
// QPlainTextEdit holding the same text in the same run: time to open and paint, time until the
// problems are known, what a keystroke costs (key event handled and the view repainted), and the
// longest GUI-thread stall while the editor checks the text after a keystroke.
//
//   bench_editor [lines]      (default 10000)
#include "yamleditor.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QKeyEvent>
#include <QPlainTextEdit>
#include <QTextBlock>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

double msSince(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

long rssMb()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLong() / 1024;
    }
    return -1;
}

QString bigText(int lines)
{
    QFile file(QStringLiteral(TDKUBE_MANIFESTS_DIR "/40-statefulset.yaml"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read the StatefulSet manifest");
    const QString one = QString::fromUtf8(file.readAll());
    QString text;
    for (int i = 0; text.count(u'\n') < lines; ++i)
        text += QString(one).replace(u"name: tdengine\n  labels"_s, u"name: tdengine-%1\n  labels"_s.arg(i)) +
                u"---\n"_s;
    return text;
}

// Notes the longest gap between the ticks of a 1 ms timer on the GUI thread while it runs.
class StallMeter
{
public:
    StallMeter()
    {
        m_ticker.setTimerType(Qt::PreciseTimer);
        m_ticker.setInterval(1);
        QObject::connect(&m_ticker, &QTimer::timeout, [this] {
            const double now = msSince(m_clock);
            m_longest = std::max(m_longest, now - m_last - 1.0);
            m_last = now;
        });
    }
    void start()
    {
        m_longest = 0;
        m_clock.start();
        m_last = 0;
        m_ticker.start();
    }
    double stop()
    {
        m_ticker.stop();
        return std::max(0.0, m_longest);
    }

private:
    QTimer m_ticker;
    QElapsedTimer m_clock;
    double m_last = 0;
    double m_longest = 0;
};

struct Figures
{
    double openMs = 0;
    double checkMs = -1;
    QList<double> keys;
    double stallMs = -1;
};

double percentile(QList<double> values, double p)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(qsizetype(p * double(values.size() - 1)));
}

// 200 keystrokes spread over the file: each one handled and painted before the next.
void typeAcross(QPlainTextEdit *edit, QList<double> *costs)
{
    const int blocks = edit->blockCount();
    for (int i = 0; i < 200; ++i) {
        QTextCursor cursor(edit->document()->findBlockByNumber((i * 7919) % blocks));
        cursor.movePosition(QTextCursor::EndOfBlock);
        edit->setTextCursor(cursor);
        edit->ensureCursorVisible();
        QCoreApplication::processEvents();
        QElapsedTimer timer;
        timer.start();
        QKeyEvent press(QEvent::KeyPress, Qt::Key_X, Qt::NoModifier, u"x"_s);
        QCoreApplication::sendEvent(edit, &press);
        edit->viewport()->repaint();
        costs->append(msSince(timer));
    }
}

Figures measurePlain(const QString &text)
{
    Figures figures;
    QPlainTextEdit edit;
    edit.resize(1000, 700);
    edit.show();
    QElapsedTimer timer;
    timer.start();
    edit.setPlainText(text);
    edit.viewport()->repaint();
    figures.openMs = msSince(timer);
    typeAcross(&edit, &figures.keys);
    return figures;
}

Figures measureEditor(const QString &text)
{
    Figures figures;
    tdkube::ui::YamlEditor editor;
    editor.resize(1000, 700);
    editor.show();
    QElapsedTimer timer;
    timer.start();
    editor.setText(text);
    editor.textEdit()->viewport()->repaint();
    figures.openMs = msSince(timer);
    while (editor.checkPending())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    figures.checkMs = msSince(timer);
    if (!editor.diagnostics().isEmpty())
        std::fprintf(stderr, "bench_editor: the text has %lld problem(s)\n",
                     qlonglong(editor.diagnostics().size()));
    typeAcross(editor.textEdit(), &figures.keys);
    // One more keystroke, then the GUI thread's longest stall until the new check is done.
    StallMeter meter;
    meter.start();
    QKeyEvent press(QEvent::KeyPress, Qt::Key_Y, Qt::NoModifier, u"y"_s);
    QCoreApplication::sendEvent(editor.textEdit(), &press);
    while (editor.checkPending())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    figures.stallMs = meter.stop();
    return figures;
}

void print(const char *name, int lines, const Figures &f)
{
    std::printf("%-16s %6d %8.1f %9s %8.2f %8.2f %8.2f %10s %7ld\n", name, lines, f.openMs,
                f.checkMs < 0 ? "-" : qPrintable(QString::number(f.checkMs, 'f', 1)), percentile(f.keys, 0.5),
                percentile(f.keys, 0.99), percentile(f.keys, 1.0),
                f.stallMs < 0 ? "-" : qPrintable(QString::number(f.stallMs, 'f', 1)), rssMb());
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int lines = argc > 1 ? QByteArray(argv[1]).toInt() : 10000;
    const QString text = bigText(lines);
    std::printf("%-16s %6s %8s %9s %8s %8s %8s %10s %7s\n", "editor", "lines", "open_ms", "check_ms",
                "key_p50", "key_p99", "key_max", "stall_ms", "rss_mb");
    print("QPlainTextEdit", int(text.count(u'\n')), measurePlain(text));
    print("tdkube YAML", int(text.count(u'\n')), measureEditor(text));
    std::printf("highlighter: %s; key_*: ms from the key event to the view repainted; stall_ms: the longest "
                "GUI-thread gap while the editor re-checks the text after a keystroke\n",
                qPrintable(tdkube::ui::YamlEditor::highlighterName()));
    return 0;
}
