#include "logview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QTextBlock>
#include <QToolButton>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

LogView::LogView(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    m_container = new QComboBox(this);
    m_container->setObjectName(u"logContainer"_s);
    m_container->setToolTip(tr("Container"));
    m_follow = new QCheckBox(tr("Follow"), this);
    m_follow->setObjectName(u"logFollow"_s);
    m_follow->setChecked(true);
    m_tail = new QSpinBox(this);
    m_tail->setObjectName(u"logTail"_s);
    m_tail->setRange(0, 1000000);
    m_tail->setValue(500);
    m_tail->setPrefix(tr("Last "));
    m_tail->setSuffix(tr(" lines"));
    m_tail->setSpecialValueText(tr("All lines"));
    m_timestamps = new QCheckBox(tr("Timestamps"), this);
    m_timestamps->setObjectName(u"logTimestamps"_s);
    m_previous = new QCheckBox(tr("Previous run"), this);
    m_previous->setObjectName(u"logPrevious"_s);
    m_previous->setToolTip(tr("The logs of the container's previous run (after a crash)"));
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"logSearch"_s);
    m_search->setPlaceholderText(tr("Search"));
    m_search->setClearButtonEnabled(true);
    auto *save = new QPushButton(tr("Save…"), this);
    save->setObjectName(u"logSave"_s);
    bar->addWidget(m_container);
    bar->addWidget(m_tail);
    bar->addWidget(m_follow);
    bar->addWidget(m_timestamps);
    bar->addWidget(m_previous);
    bar->addWidget(m_search, 1);
    bar->addWidget(save);
    layout->addLayout(bar);

    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(u"logText"_s);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setMaximumBlockCount(200000); // a followed log must not grow without bound
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_text, 1);
    m_status = new QLabel(this);
    m_status->setObjectName(u"logStatus"_s);
    layout->addWidget(m_status);

    connect(m_container, &QComboBox::currentIndexChanged, this, &LogView::restart);
    connect(m_follow, &QCheckBox::toggled, this, &LogView::restart);
    connect(m_tail, &QSpinBox::editingFinished, this, &LogView::restart);
    connect(m_timestamps, &QCheckBox::toggled, this, &LogView::restart);
    connect(m_previous, &QCheckBox::toggled, this, &LogView::restart);
    connect(m_search, &QLineEdit::textChanged, this, &LogView::highlightMatches);
    connect(m_search, &QLineEdit::returnPressed, this, [this] { findNext(); });
    connect(save, &QPushButton::clicked, this, [this] {
        const QString name = m_pod.value(u"metadata").toObject().value(u"name").toString();
        const QString path = QFileDialog::getSaveFileName(this, tr("Save logs"), name + u".log"_s);
        QString error;
        if (!path.isEmpty() && !saveTo(path, &error))
            setStatus(error);
    });
}

LogView::~LogView() = default;

void LogView::setPod(kube::KubeClient *client, const QJsonObject &pod)
{
    m_client = client;
    m_pod = pod;
    const QSignalBlocker blocker(m_container);
    m_container->clear();
    const QJsonObject spec = pod.value(u"spec").toObject();
    for (const auto key : {u"containers", u"initContainers"}) {
        for (const QJsonValue &container : spec.value(key).toArray())
            m_container->addItem(container.toObject().value(u"name").toString());
    }
    restart();
}

void LogView::restart()
{
    delete m_stream; // cancels the request
    m_text->clear();
    m_partial.clear();
    if (!m_client || m_pod.isEmpty()) {
        setStatus(tr("Select a pod to see its logs."));
        return;
    }
    const QJsonObject metadata = m_pod.value(u"metadata").toObject();
    kube::LogOptions options;
    options.container = m_container->currentText();
    options.follow = m_follow->isChecked() && !m_previous->isChecked();
    options.tailLines = m_tail->value() == 0 ? -1 : m_tail->value();
    options.timestamps = m_timestamps->isChecked();
    options.previous = m_previous->isChecked();
    m_stream = m_client->podLogs(metadata.value(u"namespace").toString(), metadata.value(u"name").toString(),
                                 options, this);
    setStatus(tr("Loading logs of %1…").arg(options.container));
    connect(m_stream, &kube::KubeStream::data, this, &LogView::append);
    connect(m_stream, &kube::KubeStream::opened, this, [this, options] {
        setStatus(options.follow ? tr("Following the logs of %1.").arg(options.container)
                                 : tr("Logs of %1.").arg(options.container));
    });
    connect(m_stream, &kube::KubeStream::finished, this, [this](const kube::KubeResponse &response) {
        if (!m_partial.isEmpty())
            append(QByteArrayLiteral("\n"));
        if (response.cancelled)
            return;
        setStatus(response.ok() || (response.httpStatus == 0 && response.error.isEmpty())
                      ? tr("The log stream ended (%n line(s)).", nullptr, m_text->blockCount() - 1)
                      : response.error);
    });
}

void LogView::append(const QByteArray &chunk)
{
    QByteArray data = m_partial + chunk;
    const qsizetype end = data.lastIndexOf('\n');
    if (end < 0) {
        m_partial = data;
        return;
    }
    m_partial = data.mid(end + 1);
    data.truncate(end + 1);
    QScrollBar *scroll = m_text->verticalScrollBar();
    const bool atBottom = scroll->value() == scroll->maximum();
    data.chop(1); // lines are joined with the next chunk's by a newline in front of them
    QTextCursor cursor(m_text->document());
    cursor.movePosition(QTextCursor::End);
    const bool first = m_text->document()->isEmpty();
    cursor.insertText(QString::fromUtf8(first ? data : '\n' + data));
    if (atBottom)
        scroll->setValue(scroll->maximum());
    if (!m_search->text().isEmpty())
        highlightMatches();
}

QString LogView::text() const
{
    return m_text->toPlainText();
}

QString LogView::status() const
{
    return m_status->text();
}

void LogView::setStatus(const QString &text)
{
    m_status->setText(text);
}

bool LogView::findNext(bool backwards)
{
    const QString needle = m_search->text();
    if (needle.isEmpty())
        return false;
    const QTextDocument::FindFlags flags =
        backwards ? QTextDocument::FindBackward : QTextDocument::FindFlags();
    if (m_text->find(needle, flags))
        return true;
    // Wrap around, as every editor's search does.
    QTextCursor cursor = m_text->textCursor();
    cursor.movePosition(backwards ? QTextCursor::End : QTextCursor::Start);
    m_text->setTextCursor(cursor);
    return m_text->find(needle, flags);
}

void LogView::highlightMatches()
{
    QList<QTextEdit::ExtraSelection> selections;
    const QString needle = m_search->text();
    int count = 0;
    if (!needle.isEmpty()) {
        QTextCursor cursor(m_text->document());
        QTextCharFormat format;
        format.setBackground(QColor(255, 230, 120));
        while (!(cursor = m_text->document()->find(needle, cursor)).isNull() && count < 5000) {
            selections.append({cursor, format});
            ++count;
        }
    }
    m_text->setExtraSelections(selections);
    if (!needle.isEmpty())
        setStatus(tr("%n match(es) for \"%1\".", nullptr, count).arg(needle));
}

bool LogView::saveTo(const QString &path, QString *error) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        *error = tr("Could not save the logs to %1: %2. Choose another place.").arg(path, file.errorString());
        return false;
    }
    file.write(m_text->toPlainText().toUtf8() + '\n');
    if (!file.flush()) {
        *error = tr("Could not save the logs to %1: %2.").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace tdkube::ui
