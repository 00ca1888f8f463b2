// bench_pods: how fast tdkube fills the pods table from a sandbox holding thousands of pods, next to
// kubectl against the same sandbox; how long the GUI thread stalls while pod events stream in; how
// much memory the tdkube side (watch + model) takes. It prints figures and asserts nothing: timing
// assertions on a shared machine only produce flaky failures. See README.md.
#include "kube/kubeclient.h"
#include "kube/kubeconfig.h"
#include "kube/resourcewatch.h"
#include "resourcetablemodel.h"
#include "sandboxprocess.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QProcess>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <time.h>

using namespace Qt::StringLiterals;
using tdkube::bench::SandboxProcess;
using tdkube::kube::ConnectionSettings;
using tdkube::kube::KubeClient;
using tdkube::kube::KubeRequest;
using tdkube::kube::KubeResponse;
using tdkube::kube::ResourceKind;
using tdkube::kube::ResourceWatch;
using tdkube::ui::ResourceTableModel;

namespace {

const QString kNamespace = u"bench"_s;
constexpr int kRuns = 3;
constexpr int kChurnEventsPerSecond = 2000;
constexpr int kChurnSeconds = 10;
constexpr int kLongWaitMs = 600000;

struct Figures
{
    int pods = 0;
    double tdkubeMs = 0;
    double kubectlMs = 0;
    double maxStallMs = 0;
    double p99StallMs = 0;
    double maxBusyMs = 0;
    double eventsPerSecond = 0;
    double rssMb = 0;
    double sandboxRssMb = 0;
};

void progress(const QString &line)
{
    std::fprintf(stderr, "bench_pods: %s\n", qPrintable(line));
}

// CPU time the calling thread has used: a long gap with little of it is the scheduler's doing.
qint64 threadCpuNs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1000000000 + now.tv_nsec;
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

// A field of /proc/PID/status ("VmHWM", "VmRSS") in MB; 0 when unreadable.
double procStatusMb(const QString &pid, const QByteArray &field)
{
    QFile file(u"/proc/"_s + pid + u"/status"_s);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith(QByteArray(field + ':')))
            return line.mid(field.size() + 1).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

// Runs the event loop, as QApplication::exec() would, until `done` or `timeoutMs`.
bool spinUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
    }
    return true;
}

// POST a sandbox control request and wait for its answer (preload of 20,000 pods takes a while).
bool control(KubeClient *client, const QString &action, const QJsonObject &body)
{
    KubeRequest request;
    request.verb = "POST";
    request.path = u"/sandbox/v1/"_s + action;
    request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    request.timeoutMs = kLongWaitMs;
    std::optional<KubeResponse> answer;
    QObject context;
    client->send(request, &context, [&answer](const KubeResponse &response) { answer = response; });
    spinUntil([&answer] { return answer.has_value(); }, kLongWaitMs + 1000);
    if (!answer || !answer->ok()) {
        progress(u"sandbox control %1 failed: %2"_s.arg(action, answer ? answer->error : u"no answer"_s));
        return false;
    }
    return true;
}

std::optional<ConnectionSettings> connectionSettings(const QString &kubeconfig)
{
    const auto config = tdkube::kube::Kubeconfig::load({kubeconfig});
    QString error;
    const auto resolved = config.resolve(u"sandbox-admin"_s, &error);
    ConnectionSettings settings;
    if (!resolved || !tdkube::kube::makeConnectionSettings(*resolved, &settings, &error)) {
        progress(u"cannot use the sandbox's kubeconfig: "_s + error);
        return std::nullopt;
    }
    return settings;
}

// Event-loop latency on the GUI thread: a 1 ms timer notes how late each of its timeouts comes. The
// longest gap minus the interval is the longest stall a user would feel (a frame is 16 ms); the GUI
// thread's CPU time within a gap tells tdkube's own work from waiting for a CPU.
class LoopProbe
{
public:
    LoopProbe()
    {
        m_gapsNs.reserve(30000);
        m_ticker.setTimerType(Qt::PreciseTimer);
        m_ticker.setInterval(1);
        QObject::connect(&m_ticker, &QTimer::timeout, &m_ticker, [this] { tick(); });
        m_clock.start();
        m_ticker.start();
    }
    Q_DISABLE_COPY_MOVE(LoopProbe)

    void stop()
    {
        tick(); // closes the gap in progress: the work that ended the measurement is in it
        m_ticker.stop();
    }
    qint64 elapsedMs() const { return m_clock.elapsed(); }
    double maxStallMs() const { return stallMs(m_longestNs); }
    double maxBusyMs() const { return double(m_maxBusyNs) / 1e6; }
    double p99StallMs() const
    {
        QList<qint64> gaps = m_gapsNs;
        std::sort(gaps.begin(), gaps.end());
        return gaps.isEmpty() ? 0 : stallMs(gaps.at(gaps.size() * 99 / 100));
    }
    QString describeLongest(qint64 sinceMs) const
    {
        return u"longest stall %1 ms (GUI thread busy %2 ms of it), at %3 ms"_s.arg(maxStallMs(), 0, 'f', 1)
            .arg(double(m_longestBusyNs) / 1e6, 0, 'f', 1)
            .arg(m_longestAtMs - sinceMs);
    }

private:
    static double stallMs(qint64 gapNs) { return std::max(0.0, double(gapNs) / 1e6 - 1.0); }
    void tick()
    {
        const qint64 now = m_clock.nsecsElapsed();
        const qint64 cpu = threadCpuNs();
        if (m_last >= 0) {
            m_gapsNs.append(now - m_last);
            m_maxBusyNs = std::max(m_maxBusyNs, cpu - m_lastCpu);
            if (now - m_last > m_longestNs) {
                m_longestNs = now - m_last;
                m_longestBusyNs = cpu - m_lastCpu;
                m_longestAtMs = now / 1000000;
            }
        }
        m_last = now;
        m_lastCpu = cpu;
    }

    QTimer m_ticker;
    QElapsedTimer m_clock;
    QList<qint64> m_gapsNs;
    qint64 m_last = -1;
    qint64 m_lastCpu = 0;
    qint64 m_longestNs = 0;
    qint64 m_longestBusyNs = 0;
    qint64 m_longestAtMs = 0;
    qint64 m_maxBusyNs = 0;
};

// A pods table as the app has it: a client, a watch, and the model the watch feeds.
// Members are destroyed in reverse order: the model, then the watch, then the client.
struct Table
{
    std::unique_ptr<KubeClient> client;
    std::unique_ptr<ResourceWatch> watch;
    std::unique_ptr<ResourceTableModel> model;

    void clear()
    {
        model.reset();
        watch.reset();
        client.reset();
    }
};

// Milliseconds from nothing (no client, no connection) to a model holding `pods` rows; -1 on failure.
double fillTable(const ConnectionSettings &settings, int pods, Table *table)
{
    QElapsedTimer clock;
    clock.start();
    table->client = std::make_unique<KubeClient>(settings);
    table->watch = std::make_unique<ResourceWatch>(table->client.get(), ResourceKind::pods(), kNamespace);
    table->model = std::make_unique<ResourceTableModel>(u"pods"_s);
    ResourceWatch *watch = table->watch.get();
    ResourceTableModel *model = table->model.get();
    QElapsedTimer resetClock;
    qint64 resetNs = 0;
    QObject::connect(watch, &ResourceWatch::reset, model, [&resetClock] { resetClock.start(); });
    QObject::connect(watch, &ResourceWatch::reset, model, &ResourceTableModel::reset);
    QObject::connect(watch, &ResourceWatch::reset, model, [&] { resetNs = resetClock.nsecsElapsed(); });
    QObject::connect(watch, &ResourceWatch::added, model, &ResourceTableModel::added);
    QObject::connect(watch, &ResourceWatch::modified, model, &ResourceTableModel::modified);
    QObject::connect(watch, &ResourceWatch::deleted, model, &ResourceTableModel::deleted);
    LoopProbe probe;
    watch->start();
    const bool filled = spinUntil(
        [&] { return model->rowCount() >= pods || watch->state() == ResourceWatch::State::Stopped; },
        kLongWaitMs);
    const double ms = double(clock.nsecsElapsed()) / 1e6;
    probe.stop();
    progress(u"filling the table: %1 (the model's reset() took %2 ms)"_s.arg(probe.describeLongest(0))
                 .arg(double(resetNs) / 1e6, 0, 'f', 1));
    if (!filled || model->rowCount() != pods) {
        progress(
            u"the model has %1 rows of %2 (%3)"_s.arg(model->rowCount()).arg(pods).arg(watch->stateReason()));
        return -1;
    }
    return ms;
}

double timeKubectl(const QString &kubeconfig)
{
    QProcess kubectl;
    kubectl.setStandardOutputFile(QProcess::nullDevice());
    kubectl.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QElapsedTimer clock;
    clock.start();
    kubectl.start(u"kubectl"_s, {u"--kubeconfig"_s, kubeconfig, u"--context"_s, u"sandbox-admin"_s, u"get"_s,
                                 u"pods"_s, u"-n"_s, kNamespace, u"-o"_s, u"json"_s});
    if (!kubectl.waitForFinished(kLongWaitMs) || kubectl.exitStatus() != QProcess::NormalExit ||
        kubectl.exitCode() != 0) {
        progress(u"kubectl failed: "_s + kubectl.errorString());
        return -1;
    }
    return double(clock.nsecsElapsed()) / 1e6;
}

// Starts the sandbox's churn at kChurnEventsPerSecond and probes the event loop while the table
// follows it.
void measureStall(Table *table, Figures *figures)
{
    qint64 modifiedEvents = 0;
    QObject context;
    QObject::connect(table->watch.get(), &ResourceWatch::modified, &context, [&] { ++modifiedEvents; });
    LoopProbe probe;
    if (!control(table->client.get(), u"churn"_s,
                 {{u"namespace"_s, kNamespace},
                  {u"eventsPerSecond"_s, kChurnEventsPerSecond},
                  {u"seconds"_s, kChurnSeconds}}))
        return;
    const qint64 churnStartedMs = probe.elapsedMs();
    // A second more than the churn lasts, so that a backlog shows as a lower rate, not as lost events.
    spinUntil([&] { return probe.elapsedMs() - churnStartedMs > (kChurnSeconds + 1) * 1000; }, kLongWaitMs);
    probe.stop();
    figures->maxStallMs = probe.maxStallMs();
    figures->p99StallMs = probe.p99StallMs();
    figures->maxBusyMs = probe.maxBusyMs();
    figures->eventsPerSecond = double(modifiedEvents) / kChurnSeconds;
    progress(u"churn: %1 MODIFIED events; %2; rss %3 MB (peak %4 MB)"_s.arg(modifiedEvents)
                 .arg(probe.describeLongest(churnStartedMs))
                 .arg(procStatusMb(u"self"_s, "VmRSS"), 0, 'f', 0)
                 .arg(procStatusMb(u"self"_s, "VmHWM"), 0, 'f', 0));
}

std::optional<Figures> benchmark(int pods)
{
    Figures figures;
    figures.pods = pods;
    SandboxProcess sandbox;
    QString error;
    if (!sandbox.start({}, &error)) {
        progress(error);
        return std::nullopt;
    }
    const std::optional<ConnectionSettings> settings = connectionSettings(sandbox.kubeconfig());
    if (!settings)
        return std::nullopt;
    {
        KubeClient client(*settings);
        progress(u"preloading %1 pods"_s.arg(pods));
        if (!control(&client, u"preload"_s, {{u"pods"_s, pods}, {u"namespace"_s, kNamespace}}))
            return std::nullopt;
    }

    QList<double> tdkubeMs;
    QList<double> kubectlMs;
    Table table;
    for (int run = 0; run < kRuns; ++run) {
        table.clear();
        const double tdkube = fillTable(*settings, pods, &table);
        const double kubectl = timeKubectl(sandbox.kubeconfig());
        if (tdkube < 0 || kubectl < 0)
            return std::nullopt;
        progress(u"%1 pods, run %2: tdkube %3 ms, kubectl %4 ms, rss %5 MB (peak %6 MB)"_s.arg(pods)
                     .arg(run + 1)
                     .arg(tdkube, 0, 'f', 0)
                     .arg(kubectl, 0, 'f', 0)
                     .arg(procStatusMb(u"self"_s, "VmRSS"), 0, 'f', 0)
                     .arg(procStatusMb(u"self"_s, "VmHWM"), 0, 'f', 0));
        tdkubeMs.append(tdkube);
        kubectlMs.append(kubectl);
    }
    figures.tdkubeMs = median(tdkubeMs);
    figures.kubectlMs = median(kubectlMs);

    progress(
        u"%1 pods: churn at %2 events/s for %3 s"_s.arg(pods).arg(kChurnEventsPerSecond).arg(kChurnSeconds));
    measureStall(&table, &figures);
    figures.rssMb = procStatusMb(u"self"_s, "VmHWM");
    figures.sandboxRssMb = procStatusMb(sandbox.pid(), "VmRSS");
    return figures;
}

void printTable(const QList<Figures> &rows)
{
    std::printf("%-6s %10s %11s %6s %13s %13s %12s %9s %7s %15s\n", "pods", "tdkube_ms", "kubectl_ms",
                "ratio", "max_stall_ms", "p99_stall_ms", "max_busy_ms", "events/s", "rss_mb",
                "sandbox_rss_mb");
    for (const Figures &row : rows) {
        std::printf("%-6d %10.0f %11.0f %6.2f %13.1f %13.1f %12.1f %9.0f %7.0f %15.0f\n", row.pods,
                    row.tdkubeMs, row.kubectlMs, row.kubectlMs > 0 ? row.tdkubeMs / row.kubectlMs : 0.0,
                    row.maxStallMs, row.p99StallMs, row.maxBusyMs, row.eventsPerSecond, row.rssMb,
                    row.sandboxRssMb);
    }
    std::printf("targets: ratio <= 0.5, stall <= 16 ms, rss < 150 MB at 20000\n"
                "max_busy_ms: the longest the GUI thread itself worked between two 1 ms ticks (a stall "
                "well above it is time spent waiting for a CPU); rss_mb: peak (VmHWM) of this process "
                "so far\n");
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
#ifdef __GLIBC__
    mallopt(M_ARENA_MAX, 1); // as app/main.cpp does
#endif
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    // One debug line per request would be measured too; the app's users do not see them either.
    QLoggingCategory::setFilterRules(u"tdkube.*.debug=false"_s);
    QList<int> sizes;
    for (const QString &argument : QCoreApplication::arguments().mid(1)) {
        bool ok = false;
        const int pods = argument.toInt(&ok);
        if (!ok || pods <= 0) {
            std::fprintf(stderr, "usage: bench_pods [PODS...]   (default: 5000 20000)\n");
            return 2;
        }
        sizes.append(pods);
    }
    if (sizes.isEmpty())
        sizes = {5000, 20000};

    QList<Figures> rows;
    for (int pods : std::as_const(sizes)) {
        const std::optional<Figures> figures = benchmark(pods);
        if (!figures)
            return 1;
        rows.append(*figures);
    }
    printTable(rows);
    return 0;
}
