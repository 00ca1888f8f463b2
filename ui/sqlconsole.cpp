#include "sqlconsole.h"

#include "resultmodel.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QSyntaxHighlighter>
#include <QTableView>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

namespace {

constexpr int HistoryLimit = 200;

// SQL keywords, strings, numbers and comments, in the colours most editors use.
class SqlHighlighter final : public QSyntaxHighlighter
{
public:
    explicit SqlHighlighter(QTextDocument *document)
        : QSyntaxHighlighter(document)
    {
        m_keyword.setForeground(QColor(u"#0d47a1"_s));
        m_keyword.setFontWeight(QFont::Bold);
        m_string.setForeground(QColor(u"#2e7d32"_s));
        m_number.setForeground(QColor(u"#6a1b9a"_s));
        m_comment.setForeground(QColor(u"#757575"_s));
        m_comment.setFontItalic(true);
    }

protected:
    void highlightBlock(const QString &text) override
    {
        static const QRegularExpression keywords(
            uR"(\b(select|from|where|and|or|not|in|is|null|insert|into|values|create|drop|alter|database|databases|table|tables|stable|stables|using|tags|show|describe|use|limit|offset|order|by|group|partition|interval|fill|asc|desc|as|if|exists|replica|keep|dnode|dnodes|mnode|mnodes|vgroup|vgroups|balance|redistribute|user|users|pass|precision|delete|count|avg|sum|min|max|last|first|now|timestamp|int|bigint|float|double|binary|varchar|nchar|bool|tinyint|smallint|json)\b)"_s,
            QRegularExpression::CaseInsensitiveOption);
        static const QRegularExpression strings(uR"('(?:[^'\\]|\\.)*'?)"_s);
        static const QRegularExpression numbers(uR"(\b\d+(\.\d+)?\b)"_s);
        static const QRegularExpression comment(uR"(--.*$)"_s);
        for (const auto &[expression, format] :
             {std::pair(&keywords, &m_keyword), std::pair(&numbers, &m_number),
              std::pair(&strings, &m_string), std::pair(&comment, &m_comment)}) {
            for (auto it = expression->globalMatch(text); it.hasNext();) {
                const QRegularExpressionMatch match = it.next();
                setFormat(int(match.capturedStart()), int(match.capturedLength()), *format);
            }
        }
    }

private:
    QTextCharFormat m_keyword;
    QTextCharFormat m_string;
    QTextCharFormat m_number;
    QTextCharFormat m_comment;
};

QString historyKey(const QString &cluster)
{
    return u"sql/history/"_s + QString::fromLatin1(cluster.toUtf8().toBase64(QByteArray::Base64UrlEncoding));
}

// Statements that carry a password never reach the history file.
bool carriesSecret(const QString &sql)
{
    static const QRegularExpression secret(uR"(\bpass\b|password)"_s,
                                           QRegularExpression::CaseInsensitiveOption);
    return secret.match(sql).hasMatch();
}

} // namespace

SqlConsole::SqlConsole(QWidget *parent)
    : QWidget(parent)
    , m_model(new ResultModel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    m_runButton = new QPushButton(tr("Run"), this);
    m_runButton->setObjectName(u"sqlRun"_s);
    m_runButton->setToolTip(tr("Run the selection, or the statement under the cursor (Ctrl+Enter)"));
    m_runButton->setEnabled(false); // until setClient() gives it a cluster
    m_cancelButton = new QPushButton(tr("Cancel"), this);
    m_cancelButton->setObjectName(u"sqlCancel"_s);
    m_cancelButton->setEnabled(false);
    m_historyBox = new QComboBox(this);
    m_historyBox->setObjectName(u"sqlHistory"_s);
    m_historyBox->setPlaceholderText(tr("History"));
    m_historyBox->setMinimumContentsLength(40);
    m_historyBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    auto *copy = new QPushButton(tr("Copy"), this);
    copy->setObjectName(u"sqlCopy"_s);
    auto *exportButton = new QPushButton(tr("Export CSV…"), this);
    exportButton->setObjectName(u"sqlExport"_s);
    bar->addWidget(m_runButton);
    bar->addWidget(m_cancelButton);
    bar->addWidget(m_historyBox, 1);
    bar->addWidget(copy);
    bar->addWidget(exportButton);
    layout->addLayout(bar);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_editor = new QPlainTextEdit(split);
    m_editor->setObjectName(u"sqlEditor"_s);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setPlaceholderText(tr("show databases;"));
    new SqlHighlighter(m_editor->document());
    m_grid = new QTableView(split);
    m_grid->setObjectName(u"sqlGrid"_s);
    m_grid->setModel(m_model);
    m_grid->setSortingEnabled(true);
    m_grid->horizontalHeader()->setSortIndicatorShown(false);
    m_grid->setWordWrap(false);
    m_grid->verticalHeader()->setDefaultSectionSize(m_grid->fontMetrics().height() + 6);
    m_grid->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    split->addWidget(m_editor);
    split->addWidget(m_grid);
    split->setStretchFactor(1, 3);
    layout->addWidget(split, 1);
    m_status = new QLabel(this);
    m_status->setObjectName(u"sqlStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    connect(m_runButton, &QPushButton::clicked, this, &SqlConsole::runCurrent);
    connect(m_cancelButton, &QPushButton::clicked, this, &SqlConsole::cancel);
    auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), m_editor);
    connect(shortcut, &QShortcut::activated, this, &SqlConsole::runCurrent);
    connect(m_historyBox, &QComboBox::activated, this,
            [this](int index) { m_editor->setPlainText(m_historyBox->itemText(index)); });
    connect(copy, &QPushButton::clicked, this, [this] {
        QList<int> rows;
        for (const QModelIndex &index : m_grid->selectionModel()->selectedRows())
            rows.append(index.row());
        std::sort(rows.begin(), rows.end());
        QApplication::clipboard()->setText(m_model->toCsv(rows));
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the result"), u"result.csv"_s);
        QString error;
        if (!path.isEmpty() && !exportCsv(path, &error))
            setStatus(error, true);
    });
    setStatus(tr("Not connected."));
}

SqlConsole::~SqlConsole()
{
    m_running.cancel();
}

void SqlConsole::setClient(taos::RestClient *client, const QString &cluster)
{
    m_client = client;
    if (cluster != m_cluster) {
        m_cluster = cluster;
        m_history = QSettings().value(historyKey(cluster)).toStringList();
        m_historyBox->clear();
        m_historyBox->addItems(m_history);
        m_historyBox->setCurrentIndex(-1);
    }
    m_runButton->setEnabled(client != nullptr);
    setStatus(client ? tr("Connected: %1.").arg(client->target().describe()) : tr("Not connected."));
}

QString SqlConsole::statusText() const
{
    return m_status->text();
}

void SqlConsole::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? u"QLabel { color: #b71c1c; }"_s : QString());
}

QString SqlConsole::currentStatement() const
{
    const QTextCursor cursor = m_editor->textCursor();
    if (cursor.hasSelection())
        return cursor.selectedText().replace(QChar::ParagraphSeparator, u'\n').trimmed();
    const QString text = m_editor->toPlainText();
    const int position = cursor.position();
    // The statement around the cursor: from the ';' before it to the ';' after it (a cursor right
    // after a ';' means the statement it ends).
    int start = int(
        text.lastIndexOf(u';', position > 0 && text.at(position - 1) == u';' ? position - 2 : position - 1));
    int end = int(text.indexOf(u';', start + 1));
    if (end < 0)
        end = int(text.size());
    return text.mid(start + 1, end - start - 1).trimmed();
}

void SqlConsole::run(const QString &sql)
{
    if (sql.trimmed().isEmpty())
        return;
    if (!m_client) {
        setStatus(tr("Not connected to the cluster yet."), true);
        return;
    }
    m_running.cancel();
    remember(sql);
    m_cancelButton->setEnabled(true);
    setStatus(tr("Running…"));
    m_model->clear(); // a million-row result goes before the next one arrives
    // A large result shows its first rows while the rest is still arriving and being decoded.
    taos::QueryOptions options;
    options.firstRowCount = ResultModel::BatchSize;
    options.firstRows = [this](const taos::Result &head) {
        m_model->setResult(std::make_shared<const taos::Result>(head));
        setStatus(
            tr("Showing the first %1 rows; reading the rest…").arg(QLocale().toString(head.rowCount())));
    };
    m_running = m_client->query(
        sql, this,
        [this](taos::QueryOutcome &outcome) {
            m_cancelButton->setEnabled(false);
            if (outcome.cancelled) {
                setStatus(tr("Cancelled. TDengine may still finish the statement."));
                return;
            }
            if (!outcome.ok()) {
                setStatus(outcome.error.describe(), true);
                return;
            }
            const auto result = std::make_shared<const taos::Result>(std::move(outcome.result));
            m_model->completeResult(result);
            const qint64 affected = result->affectedRows();
            const bool timed = result->timingNs() >= 0;
            const int rows = affected >= 0 ? int(affected) : int(result->rowCount());
            QString status;
            if (timed) {
                status = (affected >= 0 ? tr("%n row(s) affected in %1 ms, server %2 ms.", nullptr, rows)
                                        : tr("%n row(s) in %1 ms, server %2 ms.", nullptr, rows))
                             .arg(outcome.elapsedMs)
                             .arg(double(result->timingNs()) / 1e6, 0, 'f', 1);
            } else {
                status = (affected >= 0 ? tr("%n row(s) affected in %1 ms.", nullptr, rows)
                                        : tr("%n row(s) in %1 ms.", nullptr, rows))
                             .arg(outcome.elapsedMs);
            }
            setStatus(status);
        },
        options);
}

void SqlConsole::cancel()
{
    m_running.cancel();
}

void SqlConsole::remember(const QString &sql)
{
    if (carriesSecret(sql))
        return;
    m_history.removeAll(sql);
    m_history.prepend(sql);
    while (m_history.size() > HistoryLimit)
        m_history.removeLast();
    QSettings().setValue(historyKey(m_cluster), m_history);
    m_historyBox->clear();
    m_historyBox->addItems(m_history);
    m_historyBox->setCurrentIndex(-1);
}

bool SqlConsole::exportCsv(const QString &path, QString *error) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *error = tr("Could not write %1: %2. Choose another place.").arg(path, file.errorString());
        return false;
    }
    file.write(m_model->toCsv().toUtf8());
    if (!file.flush()) {
        *error = tr("Could not write %1: %2.").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace tdkube::ui
