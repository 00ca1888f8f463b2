#include "execterminal.h"

#include "kube/exec.h"

#include <QColor>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextCharFormat>
#include <QTextCursor>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

namespace {

// Reads a "..." word part starting after the opening quote; returns the index of the closing
// quote, or -1 when there is none.
qsizetype readDoubleQuoted(const QString &line, qsizetype i, QString *word)
{
    for (; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (c == u'"')
            return i;
        if (c == u'\\' && i + 1 < line.size() && QStringView(u"\"\\$`\n").contains(line.at(i + 1))) {
            if (line.at(++i) != u'\n') // backslash-newline continues the line
                word->append(line.at(i));
            continue;
        }
        word->append(c);
    }
    return -1;
}

} // namespace

QStringList splitCommandLine(const QString &line, QString *error)
{
    QStringList words;
    QString word;
    bool inWord = false; // a quoted empty string is a word too
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (c.isSpace()) {
            if (inWord)
                words.append(word);
            word.clear();
            inWord = false;
            continue;
        }
        inWord = true;
        if (c == u'\'') {
            const qsizetype end = line.indexOf(u'\'', i + 1);
            if (end < 0) {
                *error = ExecTerminal::tr("The command has an unterminated ' quote.");
                return {};
            }
            word += line.mid(i + 1, end - i - 1);
            i = end;
        } else if (c == u'"') {
            i = readDoubleQuoted(line, i + 1, &word);
            if (i < 0) {
                *error = ExecTerminal::tr("The command has an unterminated \" quote.");
                return {};
            }
        } else if (c == u'\\') {
            if (i + 1 >= line.size()) {
                *error =
                    ExecTerminal::tr("The command ends with a backslash; remove it or escape it as \\\\.");
                return {};
            }
            word += line.at(++i);
        } else {
            word += c;
        }
    }
    if (inWord)
        words.append(word);
    error->clear();
    return words;
}

ExecTerminal::ExecTerminal(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    m_pod = new QComboBox(this);
    m_pod->setObjectName(u"execPod"_s);
    m_pod->setToolTip(tr("The pod to run the command in (its default container)"));
    m_pod->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_command = new QLineEdit(this);
    m_command->setObjectName(u"execCommand"_s);
    m_command->setText(uR"(taos -s "show dnodes")"_s);
    m_command->setPlaceholderText(tr("Command, quoted as in a shell"));
    m_command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_run = new QPushButton(tr("Run"), this);
    m_run->setObjectName(u"execRun"_s);
    m_run->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(u"execCancel"_s);
    bar->addWidget(m_pod);
    bar->addWidget(m_command, 1);
    bar->addWidget(m_run);
    bar->addWidget(m_cancel);
    layout->addLayout(bar);

    m_output = new QPlainTextEdit(this);
    m_output->setObjectName(u"execOutput"_s);
    m_output->setReadOnly(true);
    m_output->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_output->setMaximumBlockCount(200000); // a chatty command must not grow without bound
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_output, 1);
    m_status = new QLabel(this);
    m_status->setObjectName(u"execStatus"_s);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    connect(m_run, &QPushButton::clicked, this, qOverload<>(&ExecTerminal::run));
    connect(m_command, &QLineEdit::returnPressed, this, qOverload<>(&ExecTerminal::run));
    connect(m_cancel, &QPushButton::clicked, this, &ExecTerminal::cancel);
    updateButtons();
}

ExecTerminal::~ExecTerminal()
{
    // The session reports to this widget: silence it before the widget is half gone.
    if (m_session) {
        m_session->disconnect(this);
        delete m_session;
    }
}

void ExecTerminal::setPods(kube::KubeClient *client, const QString &ns, const QStringList &pods)
{
    cancel();
    m_client = client;
    m_ns = ns;
    const QString current = m_pod->currentText();
    m_pod->clear();
    m_pod->addItems(pods);
    if (pods.contains(current))
        m_pod->setCurrentText(current);
    updateButtons();
}

void ExecTerminal::setCurrentPod(const QString &pod)
{
    m_pod->setCurrentText(pod);
}

QString ExecTerminal::currentPod() const
{
    return m_pod->currentText();
}

QString ExecTerminal::command() const
{
    return m_command->text();
}

void ExecTerminal::run(const QString &command)
{
    m_command->setText(command);
    run();
}

void ExecTerminal::run()
{
    if (isRunning() || !m_client || m_pod->currentText().isEmpty())
        return;
    QString error;
    const QStringList argv = splitCommandLine(m_command->text(), &error);
    if (!error.isEmpty() || argv.isEmpty()) {
        setStatus(error.isEmpty() ? tr("Enter a command to run, e.g. taos -s \"show dnodes\".") : error,
                  true);
        return;
    }
    m_output->clear();
    m_stdoutDecoder.resetState();
    m_stderrDecoder.resetState();
    const QString pod = m_pod->currentText();
    m_session = new kube::ExecSession(m_client, m_ns, pod, {}, argv, false, this);
    connect(m_session, &kube::ExecSession::output, this, &ExecTerminal::appendOutput);
    connect(m_session, &kube::ExecSession::finished, this, &ExecTerminal::onFinished);
    connect(m_session, &kube::ExecSession::started, this,
            [this, pod] { setStatus(tr("running in pod %1…").arg(pod), false); });
    setStatus(tr("connecting to pod %1…").arg(pod), false);
    m_session->start();
    updateButtons();
}

void ExecTerminal::cancel()
{
    if (m_session)
        m_session->cancel();
}

bool ExecTerminal::isRunning() const
{
    return m_session && !m_session->isFinished();
}

QString ExecTerminal::outputText() const
{
    return m_output->toPlainText();
}

QString ExecTerminal::statusText() const
{
    return m_status->text();
}

void ExecTerminal::appendOutput(const QByteArray &data, bool isStderr)
{
    const QString text = (isStderr ? m_stderrDecoder : m_stdoutDecoder).decode(data);
    QTextCharFormat format;
    if (isStderr)
        format.setForeground(QColor(0xc0, 0x1c, 0x28));
    QTextCursor cursor(m_output->document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(text, format);
    m_output->ensureCursorVisible();
}

void ExecTerminal::onFinished(int exitCode, const QString &error)
{
    if (m_session)
        m_session->deleteLater();
    m_session = nullptr;
    if (error.isEmpty())
        setStatus(tr("exit status %1").arg(exitCode), exitCode != 0);
    else
        setStatus(error, true);
    updateButtons();
    emit finished(exitCode, error);
}

void ExecTerminal::setStatus(const QString &text, bool isError)
{
    m_status->setText(text);
    m_status->setStyleSheet(isError ? u"color: #c01c28;"_s : QString());
}

void ExecTerminal::updateButtons()
{
    const bool running = isRunning();
    m_run->setEnabled(!running && m_client && m_pod->count() > 0);
    m_cancel->setEnabled(running);
}

} // namespace tdkube::ui
