// The SQL console as a user drives it, against a local HTTP server that answers /rest/sql the way
// taosAdapter does and can hold part of an answer back: the first rows of a large result show while
// the rest is still arriving, Cancel stops a statement that does not answer, the history is kept per
// cluster (never a password) and read back, a selection runs alone, Copy puts the selected rows on
// the clipboard, and the editor colours SQL.
#include "resultmodel.h"
#include "sqlconsole.h"

#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>

using namespace Qt::StringLiterals;
using tdkube::ui::ResultModel;
using tdkube::ui::SqlConsole;
namespace taos = tdkube::taos;

namespace {

constexpr int kSlowMs = 30000;

// A taosAdapter answer of `rows` rows (ts, n, s) with n = 0, 1, ...
QByteArray rowsBody(int rows)
{
    QByteArray body =
        R"({"code":0,"column_meta":[["ts","TIMESTAMP",8],["n","INT",4],["s","VARCHAR",16]],"data":[)";
    for (int i = 0; i < rows; ++i) {
        body += i ? ",[" : "[";
        body += "\"2024-01-01T00:00:00.000Z\"," + QByteArray::number(i) + ",\"row " + QByteArray::number(i) +
                "\"]";
    }
    body += "],\"rows\":" + QByteArray::number(rows) + '}';
    return body;
}

// /rest/sql on 127.0.0.1: each request is answered with `body`, of which only the first `sendFirst`
// bytes go out until release() (all of it when sendFirst < 0; nothing when holdAll is set).
class AdapterStandIn final : public QObject
{
public:
    AdapterStandIn()
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    QUrl url() const { return QUrl(u"http://127.0.0.1:%1"_s.arg(m_server.serverPort())); }
    void release()
    {
        if (m_held)
            m_held->write(body.mid(m_sent));
        m_held.clear();
    }

    QByteArray body;
    qsizetype sendFirst = -1;
    bool holdAll = false;
    QStringList statements;

private:
    void read(QTcpSocket *socket)
    {
        m_pending += socket->readAll();
        const qsizetype end = m_pending.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QByteArray head = m_pending.left(end).toLower();
        const qsizetype at = head.indexOf("content-length:");
        const qsizetype length =
            at < 0 ? 0 : head.mid(at + 15, head.indexOf('\r', at) - at - 15).trimmed().toLongLong();
        if (m_pending.size() < end + 4 + length)
            return;
        statements.append(QString::fromUtf8(m_pending.mid(end + 4, length)));
        m_pending.remove(0, end + 4 + length);
        if (holdAll)
            return;
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                      QByteArray::number(body.size()) + "\r\n\r\n");
        m_sent = sendFirst < 0 ? body.size() : sendFirst;
        socket->write(body.left(m_sent));
        if (m_sent < body.size())
            m_held = socket;
    }

    QTcpServer m_server;
    QByteArray m_pending;
    QPointer<QTcpSocket> m_held;
    qsizetype m_sent = 0;
};

// A console connected to an AdapterStandIn, as the cluster `cluster`.
struct Connected
{
    explicit Connected(const QString &cluster)
        : client(taos::RestTarget::direct(adapter.url(), u"root"_s, u"taosdata"_s))
    {
        console.setClient(&client, cluster);
    }
    AdapterStandIn adapter;
    taos::RestClient client;
    SqlConsole console;
};

// The colour the highlighter gave the character at `position` of the editor's first line.
QColor colourAt(QPlainTextEdit *editor, int position)
{
    const QTextBlock block = editor->document()->firstBlock();
    for (const QTextLayout::FormatRange &range : block.layout()->formats()) {
        if (position >= range.start && position < range.start + range.length)
            return range.format.foreground().color();
    }
    return {};
}

} // namespace

class TestSqlConsole final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"tdkube-tests"_s);
        QCoreApplication::setApplicationName(u"tst_sqlconsole"_s);
        QSettings().clear();
    }

    void largeResult_firstRowsShowWhileTheRestArrives()
    {
        const int rows = 5000;
        Connected connected(u"first-rows"_s);
        AdapterStandIn &adapter = connected.adapter;
        SqlConsole &console = connected.console;
        adapter.body = rowsBody(rows);
        adapter.sendFirst = adapter.body.size() * 6 / 10; // 3,000 rows, then nothing until release()
        console.resize(900, 600);
        console.show();
        console.editor()->setPlainText(u"select * from big"_s);
        console.runCurrent();
        ResultModel *model = console.resultModel();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), ResultModel::BatchSize, kSlowMs);
        QVERIFY(console.isRunning());
        QCOMPARE(console.statusText(), u"Showing the first 1,000 rows; reading the rest…"_s);
        QCOMPARE(model->data(model->index(999, 1)).toString(), u"999"_s);
        QCOMPARE(model->data(model->index(999, 2)).toString(), u"row 999"_s);
        // The user sorts what is there; the sort holds for the whole result once it is in.
        model->sort(1, Qt::DescendingOrder);
        QCOMPARE(model->data(model->index(0, 1)).toString(), u"999"_s);

        adapter.release();
        QTRY_VERIFY_WITH_TIMEOUT(!console.isRunning(), kSlowMs);
        QVERIFY2(console.statusText().startsWith(u"5000 rows in "_s), qPrintable(console.statusText()));
        QCOMPARE(model->totalRows(), rows);
        QCOMPARE(model->rowCount(), ResultModel::BatchSize); // the view still asks for more as it scrolls
        QCOMPARE(model->data(model->index(0, 1)).toString(), u"4999"_s);
        while (model->canFetchMore({}))
            model->fetchMore({});
        QCOMPARE(model->rowCount(), rows);
        QCOMPARE(model->data(model->index(rows - 1, 1)).toString(), u"0"_s);
        QCOMPARE(adapter.statements, QStringList{u"select * from big"_s});
    }

    void smallResult_shownWhole_noFirstRowsStep()
    {
        Connected connected(u"small"_s);
        AdapterStandIn &adapter = connected.adapter;
        SqlConsole &console = connected.console;
        adapter.body = rowsBody(3);
        console.run(u"select * from small"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!console.isRunning(), kSlowMs);
        QVERIFY2(console.statusText().startsWith(u"3 rows in "_s), qPrintable(console.statusText()));
        QCOMPARE(console.resultModel()->rowCount(), 3);

        // Copy: the selected rows, as CSV with the header, on the clipboard.
        console.grid()->selectRow(0);
        console.grid()->selectionModel()->select(console.resultModel()->index(2, 0),
                                                 QItemSelectionModel::Select | QItemSelectionModel::Rows);
        console.findChild<QPushButton *>(u"sqlCopy"_s)->click();
        QCOMPARE(QGuiApplication::clipboard()->text(),
                 u"ts,n,s\r\n2024-01-01T00:00:00.000Z,0,row 0\r\n2024-01-01T00:00:00.000Z,2,row 2\r\n"_s);
    }

    void cancel_stopsWaitingForAStatementThatDoesNotAnswer()
    {
        Connected connected(u"cancel"_s);
        AdapterStandIn &adapter = connected.adapter;
        SqlConsole &console = connected.console;
        adapter.holdAll = true;
        console.run(u"select * from slow"_s);
        QVERIFY(console.isRunning());
        QPushButton *cancel = console.findChild<QPushButton *>(u"sqlCancel"_s);
        QVERIFY(cancel->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(adapter.statements.size(), 1, kSlowMs);
        cancel->click();
        QTRY_VERIFY(!console.isRunning());
        QCOMPARE(console.statusText(), u"Cancelled. TDengine may still finish the statement."_s);
        QVERIFY(!cancel->isEnabled());
    }

    void history_keptPerCluster_readBack_neverAPassword()
    {
        AdapterStandIn adapter;
        adapter.body = R"({"code":0,"column_meta":[["affected_rows","INT",4]],"data":[[0]],"rows":1})";
        taos::RestClient client(taos::RestTarget::direct(adapter.url(), u"root"_s, u"taosdata"_s));
        {
            SqlConsole console;
            console.setClient(&client, u"history-a"_s);
            for (const QString &sql :
                 {u"show databases"_s, u"alter user root pass 'secret'"_s, u"show dnodes"_s}) {
                console.run(sql);
                QTRY_VERIFY_WITH_TIMEOUT(!console.isRunning(), kSlowMs);
            }
            QCOMPARE(console.history(), (QStringList{u"show dnodes"_s, u"show databases"_s}));
            console.run(u"show databases"_s); // run again: it moves to the top, once
            QTRY_VERIFY_WITH_TIMEOUT(!console.isRunning(), kSlowMs);
            QCOMPARE(console.history(), (QStringList{u"show databases"_s, u"show dnodes"_s}));
        }
        SqlConsole next;
        next.setClient(&client, u"history-a"_s);
        QCOMPARE(next.history(), (QStringList{u"show databases"_s, u"show dnodes"_s}));
        QComboBox *box = next.findChild<QComboBox *>(u"sqlHistory"_s);
        QCOMPARE(box->count(), 2);
        emit box->activated(1);
        QCOMPARE(next.editor()->toPlainText(), u"show dnodes"_s);
        next.setClient(&client, u"history-b"_s);
        QVERIFY(next.history().isEmpty());
        QSettings settings;
        for (const QString &key : settings.allKeys())
            QVERIFY2(!settings.value(key).toString().contains(u"secret"_s), qPrintable(key));
    }

    void selection_runsAlone_elseTheStatementUnderTheCursor()
    {
        Connected connected(u"selection"_s);
        AdapterStandIn &adapter = connected.adapter;
        SqlConsole &console = connected.console;
        adapter.body = rowsBody(1);
        console.editor()->setPlainText(u"show databases;\nselect n\n  from t where n > 1;\nshow dnodes"_s);
        QTextCursor cursor = console.editor()->textCursor();
        cursor.setPosition(int(console.editor()->toPlainText().indexOf(u"from")));
        console.editor()->setTextCursor(cursor);
        QCOMPARE(console.currentStatement(), u"select n\n  from t where n > 1"_s);
        cursor.setPosition(0);
        cursor.setPosition(4, QTextCursor::KeepAnchor);
        console.editor()->setTextCursor(cursor);
        QCOMPARE(console.currentStatement(), u"show"_s);
        console.findChild<QPushButton *>(u"sqlRun"_s)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!console.isRunning(), kSlowMs);
        QCOMPARE(adapter.statements, QStringList{u"show"_s});
        cursor.movePosition(QTextCursor::End);
        console.editor()->setTextCursor(cursor);
        QCOMPARE(console.currentStatement(), u"show dnodes"_s);
    }

    void notConnected_saysSo_andRunsNothing()
    {
        SqlConsole console;
        QCOMPARE(console.statusText(), u"Not connected."_s);
        QVERIFY(!console.findChild<QPushButton *>(u"sqlRun"_s)->isEnabled());
        console.run(u"show databases"_s);
        QCOMPARE(console.statusText(), u"Not connected to the cluster yet."_s);
        QVERIFY(console.history().isEmpty());
    }

    void editor_coloursKeywordsStringsNumbersAndComments()
    {
        SqlConsole console;
        const QString sql = u"select 'text', 42 from t -- why"_s;
        console.editor()->setPlainText(sql);
        QCOMPARE(colourAt(console.editor(), 0), QColor(u"#0d47a1"_s));                           // select
        QCOMPARE(colourAt(console.editor(), int(sql.indexOf(u"'text'"))), QColor(u"#2e7d32"_s)); // string
        QCOMPARE(colourAt(console.editor(), int(sql.indexOf(u"42"))), QColor(u"#6a1b9a"_s));     // number
        QCOMPARE(colourAt(console.editor(), int(sql.indexOf(u"from"))), QColor(u"#0d47a1"_s));   // keyword
        QCOMPARE(colourAt(console.editor(), int(sql.indexOf(u"-- why"))), QColor(u"#757575"_s)); // comment
        QVERIFY(!colourAt(console.editor(), int(sql.indexOf(u" t ")) + 1).isValid());            // a name
    }
};

QTEST_MAIN(TestSqlConsole)
#include "tst_sqlconsole.moc"
