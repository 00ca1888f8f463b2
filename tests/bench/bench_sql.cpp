// bench_sql: a 1,000,000-row `select` (ts, int, double, varchar) decoded and shown by tdkube, next to
// the official @tdengine/rest connector parsing the same response in the same run. The response is
// what taosAdapter sends, served by a stand-in on a thread of its own (the sandbox's simulated
// TDengine is not meant to hold a million rows). Prints figures; asserts nothing. See README.md.
#include "resultmodel.h"
#include "taos/restclient.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>

#ifdef __GLIBC__
#include <malloc.h>
#endif

using namespace Qt::StringLiterals;
namespace taos = tdkube::taos;

namespace {

constexpr int kRuns = 3;

std::atomic<qint64> g_responseStartNs{0};

qint64 nowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// taosAdapter 3.x's answer to `select ts, v, d, s from t` with `rows` rows.
QByteArray makeBody(int rows)
{
    QByteArray out =
        R"({"code":0,"column_meta":[["ts","TIMESTAMP",8],["v","INT",4],["d","DOUBLE",8],["s","VARCHAR",16]],"data":[)";
    out.reserve(qsizetype(rows) * 72);
    const QDateTime start = QDateTime::fromString(u"2024-01-01T00:00:00.000Z"_s, Qt::ISODateWithMs);
    for (int i = 0; i < rows; ++i) {
        if (i > 0)
            out += ',';
        out += "[\"";
        out += start.addMSecs(i).toOffsetFromUtc(8 * 3600).toString(Qt::ISODateWithMs).toLatin1();
        out += "\",";
        out += QByteArray::number(i);
        out += ',';
        out += QByteArray::number(i * 0.25, 'g', 17);
        out += ",\"device-";
        out += QByteArray::number(i % 1000);
        out += "\"]";
    }
    out += "],\"rows\":" + QByteArray::number(rows) + '}';
    return out;
}

// Answers every POST with the body, in 64 KiB writes, on its own thread.
class StandIn final : public QThread
{
public:
    explicit StandIn(QByteArray body)
        : m_body(std::move(body))
    {
    }
    quint16 port() const { return m_port.load(); }

protected:
    void run() override
    {
        QTcpServer server;
        server.listen(QHostAddress::LocalHost);
        m_port = server.serverPort();
        while (!isInterruptionRequested()) {
            if (!server.waitForNewConnection(100))
                continue;
            std::unique_ptr<QTcpSocket> socket(server.nextPendingConnection());
            QByteArray request;
            while (!request.contains("\r\n\r\n") && socket->waitForReadyRead(5000))
                request += socket->readAll();
            const qsizetype headerEnd = request.indexOf("\r\n\r\n") + 4;
            const qsizetype lengthAt = request.toLower().indexOf("content-length:");
            const qsizetype length =
                lengthAt < 0 ? 0
                             : request.mid(lengthAt + 15, request.indexOf('\r', lengthAt) - lengthAt - 15)
                                   .trimmed()
                                   .toLongLong();
            while (request.size() - headerEnd < length && socket->waitForReadyRead(5000))
                request += socket->readAll();
            g_responseStartNs = nowNs();
            socket->write(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
                QByteArray::number(m_body.size()) + "\r\nConnection: close\r\n\r\n");
            for (qsizetype at = 0; at < m_body.size(); at += 65536) {
                socket->write(m_body.constData() + at, std::min<qsizetype>(65536, m_body.size() - at));
                while (socket->bytesToWrite() > 1 << 20)
                    socket->waitForBytesWritten(5000);
            }
            while (socket->bytesToWrite() > 0 && socket->waitForBytesWritten(5000)) {
            }
            socket->disconnectFromHost();
        }
    }

private:
    QByteArray m_body;
    std::atomic<quint16> m_port{0};
};

double procStatusMb(const char *field)
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qstrlen(field) + 1).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

struct Run
{
    double firstRowsMs = -1; // from the first byte of the response to the grid showing rows
    double completeMs = 0;   // from sending to every row decoded and in the model
    qsizetype rows = 0;
};

Run runTdkube(quint16 port, QTableView *view, tdkube::ui::ResultModel *model)
{
    QUrl base;
    base.setScheme(u"http"_s);
    base.setHost(u"127.0.0.1"_s);
    base.setPort(port);
    taos::RestClient client(taos::RestTarget::direct(base, u"root"_s, u"taosdata"_s));
    Run run;
    bool done = false;
    taos::QueryOptions options;
    options.firstRowCount = 1000;
    options.firstRows = [&](const taos::Result &head) {
        model->setResult(std::make_shared<const taos::Result>(head));
        view->viewport()->repaint();
        run.firstRowsMs = double(nowNs() - g_responseStartNs.load()) / 1e6;
    };
    QElapsedTimer timer;
    g_responseStartNs = 0;
    timer.start();
    QObject context;
    client.query(
        u"select ts, v, d, s from bench.t"_s, &context,
        [&](taos::QueryOutcome &outcome) {
            if (!outcome.ok())
                std::fprintf(stderr, "bench_sql: %s\n", qPrintable(outcome.error.describe()));
            run.rows = outcome.result.rowCount();
            model->setResult(std::make_shared<const taos::Result>(std::move(outcome.result)));
            view->viewport()->repaint();
            run.completeMs = double(timer.nsecsElapsed()) / 1e6;
            if (run.firstRowsMs < 0)
                run.firstRowsMs = double(nowNs() - g_responseStartNs.load()) / 1e6;
            done = true;
        },
        options);
    while (!done)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    return run;
}

std::optional<QJsonObject> runNode(quint16 port)
{
    QProcess node;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"NODE_PATH"_s, QStringLiteral(TDKUBE_SOURCE_DIR "/tests/conformance/node_modules"));
    node.setProcessEnvironment(environment);
    node.start(u"node"_s, {QStringLiteral(TDKUBE_SOURCE_DIR "/tests/bench/rest_parse.js"),
                           QString::number(port), u"select ts, v, d, s from bench.t"_s});
    if (!node.waitForFinished(600000) || node.exitCode() != 0) {
        std::fprintf(stderr, "bench_sql: node failed: %s\n", node.readAllStandardError().constData());
        return std::nullopt;
    }
    return QJsonDocument::fromJson(node.readAllStandardOutput()).object();
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

} // namespace

int main(int argc, char *argv[])
{
#ifdef __GLIBC__
    mallopt(M_ARENA_MAX, 1); // as tdkube does (app/main.cpp)
#endif
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int rows = argc > 1 ? QByteArray(argv[1]).toInt() : 1000000;

    QByteArray body = makeBody(rows);
    const double bodyMb = double(body.size()) / 1048576.0;
    StandIn standIn(std::move(body));
    standIn.start();
    while (standIn.port() == 0)
        QThread::msleep(10);
    // Building the body had its own peak: reset the high-water mark (Linux: 5 > clear_refs) so that
    // VmHWM measures tdkube's decoding and display only.
    QFile clearRefs(u"/proc/self/clear_refs"_s);
    if (clearRefs.open(QIODevice::WriteOnly))
        clearRefs.write("5");
    clearRefs.close();
    const double baselineMb = procStatusMb("VmRSS");

    tdkube::ui::ResultModel model;
    QTableView view;
    view.setModel(&model);
    view.resize(1000, 700);
    view.show();

    QList<double> first;
    QList<double> complete;
    double firstPeakMb = 0; // the first query's peak: later ones start from a heap the earlier ones left
    qsizetype decoded = 0;
    for (int i = 0; i < kRuns; ++i) {
        model.clear(); // as the console does: the last result goes before the next one arrives
        const Run run = runTdkube(standIn.port(), &view, &model);
        first.append(run.firstRowsMs);
        complete.append(run.completeMs);
        decoded = run.rows;
        if (i == 0)
            firstPeakMb = procStatusMb("VmHWM");
        std::fprintf(
            stderr,
            "bench_sql: tdkube run %d: first rows %.0f ms, complete %.0f ms, %lld rows; rss %.0f MB, "
            "peak %.0f MB (baseline %.0f MB)\n",
            i + 1, run.firstRowsMs, run.completeMs, qlonglong(run.rows), procStatusMb("VmRSS"),
            procStatusMb("VmHWM"), baselineMb);
    }
    model.clear();

    QList<double> nodeMs;
    double nodeRss = 0;
    for (int i = 0; i < kRuns; ++i) {
        const std::optional<QJsonObject> result = runNode(standIn.port());
        if (!result)
            break;
        nodeMs.append(result->value(u"ms"_s).toDouble());
        nodeRss = std::max(nodeRss, result->value(u"rssMb"_s).toDouble());
        std::fprintf(stderr, "bench_sql: @tdengine/rest run %d: %.0f ms, %d rows\n", i + 1,
                     result->value(u"ms"_s).toDouble(), result->value(u"rows"_s).toInt());
    }
    standIn.requestInterruption();
    standIn.wait();

    const double ratio = nodeMs.isEmpty() ? 0 : median(nodeMs) / median(complete);
    std::printf(
        "rows     body_mb  first_rows_ms  tdkube_ms  rest_js_ms  speedup  tdkube_extra_mb  rest_js_rss_mb\n");
    std::printf("%-8lld %7.1f  %13.0f  %9.0f  %10.0f  %6.1fx  %15.0f  %14.0f\n", qlonglong(decoded), bodyMb,
                median(first), median(complete), median(nodeMs), ratio, firstPeakMb - baselineMb, nodeRss);
    std::printf(
        "targets: first rows < 200 ms after the response starts, speedup >= 3x, extra memory < 2x body "
        "(%.0f MB)\n",
        2 * bodyMb);
    return 0;
}
