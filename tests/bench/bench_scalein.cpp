// bench_scalein: how long the real `tdkube scale --replicas 3` takes to scale a 5-dnode TDengine
// cluster in to 3 on the sandbox, next to the time the cluster itself needed for it (the simulated
// delays the sandbox imposed: vnode moves, pod terminations; GET /sandbox/v1/delays), and next to the
// same scale-in done the manual way with kubectl in the same run. With `--taosd DIR` the pods run real
// taosd, and TDengine's own time is what its `drop dnode` statements blocked for (real taosd answers a
// drop once its vnodes have moved). It prints figures and asserts nothing: timing assertions on a shared
// machine only produce flaky failures. See README.md.
#include "controller.h"
#include "deploy/deploymonitor.h"
#include "kube/kubeclient.h"
#include "kube/kubeconfig.h"
#include "sandboxfixture.h"
#include "sandboxprocess.h"
#include "taos/passwordstore.h"
#include "tdengine/cluster.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube;
using tdkube::kube::test::applyManifests;
using tdkube::kube::test::createNamespace;

namespace {

const QString kNs = u"bench"_s;
const QString kSet = u"tdengine"_s;
const QString kContext = u"sandbox-admin"_s;
constexpr double kDefaultTimeScale = 1.0;
// Replica 3 over 8 vgroups: 24 vnodes on 5 dnodes, so each leaving dnode has vnodes to move off.
constexpr int kVgroups = 8;
constexpr int kTables = 8;
constexpr int kRowsPerTable = 5;   // a few rows: a vnode move then takes kVnodeMoveMs (no sync time)
constexpr int kProcessMs = 600000; // a safety net for a hung process, not a measure
constexpr int kIdleWaitMs = 120000;
// How often the kubectl script looks at `show dnodes`, as `sleep 1` in a shell loop would.
constexpr int kScriptPollMs = 1000;

void progress(const QString &line)
{
    std::fprintf(stderr, "bench_scalein: %s\n", qPrintable(line));
}

// What GET /sandbox/v1/delays reports: per kind the summed milliseconds and how many delays.
struct Delays
{
    qint64 busyMs = 0;
    int inProgress = 0;
    QList<std::pair<QString, std::pair<qint64, int>>> kinds;

    static Delays from(const QJsonObject &report)
    {
        Delays delays;
        delays.busyMs = report.value(u"busyMs"_s).toInteger();
        delays.inProgress = report.value(u"inProgress"_s).toInt();
        const QJsonObject kinds = report.value(u"kinds"_s).toObject();
        for (auto it = kinds.begin(); it != kinds.end(); ++it) {
            const QJsonObject kind = it.value().toObject();
            delays.kinds.append(
                {it.key(), {kind.value(u"ms"_s).toInteger(), kind.value(u"count"_s).toInt()}});
        }
        return delays;
    }
    QString describe() const
    {
        QStringList parts;
        for (const auto &[kind, sum] : kinds) {
            if (sum.second > 0)
                parts.append(u"%1 %2 ms in %3"_s.arg(kind).arg(sum.first).arg(sum.second));
        }
        return parts.isEmpty() ? u"none"_s : parts.join(u", "_s);
    }
};

struct Measured
{
    double ms = 0;
    Delays delays;
    double dropMs = 0; // what the `drop dnode` statements blocked for, summed (TDengine's own time)
    // The time the cluster itself needed: the drops (on real taosd) and the sandbox's own delays.
    double referenceMs() const { return dropMs + double(delays.busyMs); }
};

struct Figures
{
    Measured tdkube;
    Measured kubectl;
};

struct Outcome
{
    bool ok = false;
    QString out;
    QString err;
    QString timeline; // the lines of `out`, each after the ms since the start at which it came
    QString story() const { return u"--- stdout\n%1--- stderr\n%2"_s.arg(out, err); }
};

// The sandbox in its own process, a 5-dnode cluster in it, and the two ways to scale it in.
class Bench
{
public:
    Bench(double timeScale, const QString &taosdDir)
        : m_timeScale(timeScale)
        , m_taosdDir(taosdDir)
    {
    }
    Q_DISABLE_COPY_MOVE(Bench)

    bool start();
    bool deploy();
    std::optional<Figures> run();

private:
    QString kubeconfig() const { return m_sandbox.kubeconfig(); }
    Outcome tdkube(const QStringList &arguments);
    bool scaleOutTo5();
    Outcome kubectl(const QStringList &arguments);
    Outcome taos(const QString &pod, const QString &sql);
    std::optional<QJsonObject> delays(bool reset);
    bool waitIdle();
    std::optional<double> scaleInWithTdkube();
    std::optional<double> scaleInWithKubectl();
    std::optional<Measured> measure(const QString &who, std::optional<double> (Bench::*scaleIn)());
    QMap<int, int> dnodesByOrdinal();

    double m_timeScale;
    QString m_taosdDir;              // real taosd in the pods; empty: the simulator
    double m_dropMs = 0;             // of the scale-in that just ran
    bench::SandboxProcess m_sandbox; // first: the client goes before the server it talks to
    std::unique_ptr<kube::KubeClient> m_client;
    QProcessEnvironment m_environment;
};

bool Bench::start()
{
    QString error;
    QStringList arguments{u"--port"_s,       u"0"_s,
                          u"--data-dir"_s,   m_sandbox.path(u"sandbox"_s),
                          u"--time-scale"_s, QString::number(m_timeScale)};
    if (!m_taosdDir.isEmpty())
        arguments << u"--taosd"_s << m_taosdDir;
    if (!m_sandbox.start(arguments, &error)) {
        progress(error);
        return false;
    }
    const auto config = kube::Kubeconfig::load({kubeconfig()});
    const auto resolved = config.resolve(kContext, &error);
    kube::ConnectionSettings settings;
    if (!resolved || !kube::makeConnectionSettings(*resolved, &settings, &error)) {
        progress(u"cannot use the sandbox's kubeconfig: "_s + error);
        return false;
    }
    m_client = std::make_unique<kube::KubeClient>(settings);
    // The tdkube processes keep their journals and settings here and find no keychain (so they use
    // TDengine's default login at once, as on a machine without one).
    m_environment = QProcessEnvironment::systemEnvironment();
    m_environment.insert(u"XDG_DATA_HOME"_s, m_sandbox.path(u"data"_s));
    m_environment.insert(u"XDG_CONFIG_HOME"_s, m_sandbox.path(u"config"_s));
    m_environment.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path="_s + m_sandbox.path(u"no-bus"_s));
    m_environment.insert(u"KUBECONFIG"_s, kubeconfig());
    return true;
}

// As tst_crashresume deploys: the manifests, the deploy monitor (3 pods, 3 mnodes), a replica-3
// database with rows; then tdkube's own scale-out to 5 with a balance, so that every dnode holds vnodes.
bool Bench::deploy()
{
    QString error;
    if (!createNamespace(m_client.get(), kNs) || !applyManifests(m_client.get(), kNs, &error)) {
        progress(u"cannot apply the manifests: "_s + error);
        return false;
    }
    taos::PasswordStore passwords;
    passwords.setKeychainEnabled(false);
    deploy::DeployMonitor monitor(m_client.get(), &passwords,
                                  deploy::DeployTarget{kContext, kNs, kSet, 3, true});
    monitor.setPollInterval(50);
    std::optional<bool> deployed;
    QObject::connect(&monitor, &deploy::DeployMonitor::finished, &monitor, [&](bool ok, const QString &text) {
        deployed = ok;
        error = text;
    });
    monitor.start();
    if (!QTest::qWaitFor([&] { return deployed.has_value(); }, kProcessMs) || !*deployed) {
        progress(u"the deployment failed: "_s + error);
        return false;
    }
    QStringList statements{u"create database r3 replica 3 vgroups %1"_s.arg(kVgroups),
                           u"create stable r3.meters (ts timestamp, v int) tags (loc int)"_s};
    for (int t = 0; t < kTables; ++t) {
        QString values;
        for (int r = 0; r < kRowsPerTable; ++r)
            values += u" (now+%1s, %1)"_s.arg(r);
        statements.append(u"insert into r3.d%1 using r3.meters tags (%1) values%2"_s.arg(t).arg(values));
    }
    for (const QString &sql : std::as_const(statements)) {
        const Outcome outcome = taos(kSet + u"-0"_s, sql);
        if (!outcome.ok || outcome.out.contains(u"DB error"_s)) {
            progress(sql + u": "_s + outcome.story());
            return false;
        }
    }
    return scaleOutTo5();
}

bool Bench::scaleOutTo5()
{
    progress(u"scaling out to 5 dnodes (tdkube scale --replicas 5 --balance)"_s);
    const Outcome outcome =
        tdkube({u"scale"_s, u"--cluster"_s, kSet, u"--replicas"_s, u"5"_s, u"-n"_s, kNs, u"--context"_s,
                kContext, u"--kubeconfig"_s, kubeconfig(), u"--balance"_s, u"--yes"_s});
    if (!outcome.ok)
        progress(u"the scale-out failed:\n"_s + outcome.story());
    return outcome.ok;
}

// Runs a program to its end. Its output lines are also kept with the milliseconds since the start
// at which they arrived: tdkube prints each step as it starts and ends, which shows where time goes.
Outcome runProcess(const QString &program, const QStringList &arguments,
                   const QProcessEnvironment &environment)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    Outcome outcome;
    QElapsedTimer clock;
    QByteArray pending;
    const auto readLines = [&] {
        pending += process.readAllStandardOutput();
        qsizetype end = 0;
        while ((end = pending.indexOf('\n')) >= 0) {
            const QString line = QString::fromUtf8(pending.left(end + 1));
            outcome.out += line;
            outcome.timeline += u"%1 ms  %2"_s.arg(clock.elapsed(), 7).arg(line);
            pending.remove(0, end + 1);
        }
    };
    QObject::connect(&process, &QProcess::readyReadStandardOutput, &process, readLines);
    clock.start();
    process.start(program, arguments);
    if (!process.waitForStarted() || !process.waitForFinished(kProcessMs)) {
        process.kill();
        process.waitForFinished();
        outcome.err = program + u" did not finish: "_s + process.errorString() + u'\n';
    } else {
        outcome.ok = process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    }
    readLines();
    outcome.out += QString::fromUtf8(pending);
    outcome.err += QString::fromUtf8(process.readAllStandardError());
    return outcome;
}

Outcome Bench::tdkube(const QStringList &arguments)
{
    return runProcess(QStringLiteral(TDKUBE_PATH), arguments, m_environment);
}

Outcome Bench::kubectl(const QStringList &arguments)
{
    return runProcess(u"kubectl"_s, QStringList{u"--context"_s, kContext, u"-n"_s, kNs} + arguments,
                      m_environment);
}

// `kubectl exec POD -- taos -s "SQL"`, as the seed documents have a person run it.
Outcome Bench::taos(const QString &pod, const QString &sql)
{
    return kubectl({u"exec"_s, pod, u"--"_s, u"taos"_s, u"-s"_s, sql});
}

// GET /sandbox/v1/delays, or POST {"reset":true} to it.
std::optional<QJsonObject> Bench::delays(bool reset)
{
    kube::KubeRequest request;
    request.verb = reset ? "POST" : "GET";
    request.path = u"/sandbox/v1/delays"_s;
    if (reset)
        request.body = QJsonDocument(QJsonObject{{u"reset"_s, true}}).toJson(QJsonDocument::Compact);
    const kube::KubeResponse response = kube::test::await(
        [&](QObject *context, kube::KubeClient::Done done) { m_client->send(request, context, done); });
    if (!response.ok()) {
        progress(u"/sandbox/v1/delays failed: "_s + response.error);
        return std::nullopt;
    }
    return response.json();
}

// Nothing the set-up started (a balance, a pod starting) may still run when the counters are reset.
bool Bench::waitIdle()
{
    return QTest::qWaitFor(
        [this] {
            const std::optional<QJsonObject> report = delays(false);
            return report && report->value(u"inProgress"_s).toInt() == 0;
        },
        kIdleWaitMs);
}

std::optional<double> Bench::scaleInWithTdkube()
{
    if (!waitIdle() || !delays(true))
        return std::nullopt;
    QElapsedTimer clock;
    clock.start();
    const Outcome outcome =
        tdkube({u"scale"_s, u"--cluster"_s, kSet, u"--replicas"_s, u"3"_s, u"-n"_s, kNs, u"--context"_s,
                kContext, u"--kubeconfig"_s, kubeconfig(), u"--yes"_s, u"--verbose"_s});
    const double ms = double(clock.nsecsElapsed()) / 1e6;
    if (!outcome.ok) {
        progress(u"tdkube scale --replicas 3 failed:\n"_s + outcome.story());
        return std::nullopt;
    }
    // Each `SQL> drop dnode N` of the executor's log, to the answer logged after it ("  → OK").
    m_dropMs = 0;
    const QRegularExpression line(u"^\\s*(\\d+) ms  (.*)$"_s);
    qint64 sentAt = -1;
    for (const QString &text : outcome.timeline.split(u'\n')) {
        const QRegularExpressionMatch match = line.match(text);
        if (!match.hasMatch())
            continue;
        const qint64 at = match.captured(1).toLongLong();
        if (match.captured(2).contains(u"SQL> drop dnode"_s)) {
            sentAt = at;
        } else if (sentAt >= 0 && match.captured(2).contains(u"→"_s)) {
            m_dropMs += double(at - sentAt);
            sentAt = -1;
        }
    }
    QString timeline = outcome.timeline;
    while (timeline.endsWith(u'\n'))
        timeline.chop(1);
    progress(u"tdkube's output, with the ms at which each line came:\n"_s + timeline);
    return ms;
}

// Dnode ids by pod ordinal, from `show dnodes` (endpoints are the pods' FQDNs, truncated by taos).
QMap<int, int> Bench::dnodesByOrdinal()
{
    QMap<int, int> ids;
    const Outcome outcome = taos(kSet + u"-0"_s, u"select id, endpoint from information_schema.ins_dnodes"_s);
    const QRegularExpression row(u"^\\s*(\\d+)\\s*\\|\\s*"_s + kSet + u"-(\\d+)\\."_s,
                                 QRegularExpression::MultilineOption);
    for (auto it = row.globalMatch(outcome.out); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        ids.insert(match.captured(2).toInt(), match.captured(1).toInt());
    }
    return ids;
}

// The manual scale-in, as a person scripts it with kubectl: `drop dnode` for each leaving dnode,
// highest ordinal first (it answers once its vnodes have moved), `show dnodes` until it is gone, one
// scale to 3, a wait for the pods to be deleted, then their claims deleted.
std::optional<double> Bench::scaleInWithKubectl()
{
    if (!waitIdle() || !delays(true))
        return std::nullopt;
    QElapsedTimer clock;
    clock.start();
    m_dropMs = 0;
    const QMap<int, int> ids = dnodesByOrdinal();
    QStringList pods;
    QStringList claims;
    for (int ordinal = 4; ordinal >= 3; --ordinal) {
        const int id = ids.value(ordinal);
        if (id == 0) {
            progress(u"no dnode for %1-%2 in ins_dnodes"_s.arg(kSet).arg(ordinal));
            return std::nullopt;
        }
        QElapsedTimer dropClock;
        dropClock.start();
        const Outcome dropped = taos(kSet + u"-0"_s, u"drop dnode %1"_s.arg(id));
        m_dropMs += double(dropClock.nsecsElapsed()) / 1e6;
        if (!dropped.ok || dropped.out.contains(u"DB error"_s)) {
            progress(u"drop dnode %1 failed: "_s.arg(id) + dropped.story());
            return std::nullopt;
        }
        while (dnodesByOrdinal().contains(ordinal))
            QTest::qWait(kScriptPollMs);
        pods.append(u"pod/%1-%2"_s.arg(kSet).arg(ordinal));
        claims.append(u"taosdata-%1-%2"_s.arg(kSet).arg(ordinal));
    }
    const QList<Outcome> steps{
        kubectl({u"scale"_s, u"sts"_s, kSet, u"--replicas=3"_s}),
        kubectl(QStringList{u"wait"_s, u"--for=delete"_s, u"--timeout=300s"_s} + pods),
        kubectl(QStringList{u"delete"_s, u"pvc"_s} + claims),
    };
    const double ms = double(clock.nsecsElapsed()) / 1e6;
    for (const Outcome &step : steps) {
        if (!step.ok) {
            progress(u"the kubectl script failed: "_s + step.story());
            return std::nullopt;
        }
    }
    return ms;
}

// One scale-in (`scaleIn` returns its wall time), then the delays the sandbox imposed meanwhile.
std::optional<Measured> Bench::measure(const QString &who, std::optional<double> (Bench::*scaleIn)())
{
    progress(who + u": scaling in to 3"_s);
    const std::optional<double> ms = (this->*scaleIn)();
    const std::optional<QJsonObject> report = delays(false);
    if (!ms || !report)
        return std::nullopt;
    // On the simulator the drops' time is in the sandbox's delays already (its vnode moves).
    const Measured measured{*ms, Delays::from(*report), m_taosdDir.isEmpty() ? 0.0 : m_dropMs};
    progress(u"%1: %2 ms; drop dnode blocked %3 ms; the sandbox's delays: busy %4 ms (%5)"_s.arg(who)
                 .arg(measured.ms, 0, 'f', 0)
                 .arg(m_dropMs, 0, 'f', 0)
                 .arg(measured.delays.busyMs)
                 .arg(measured.delays.describe()));
    return measured;
}

std::optional<Figures> Bench::run()
{
    const std::optional<Measured> tdkube = measure(u"tdkube"_s, &Bench::scaleInWithTdkube);
    if (!tdkube || !scaleOutTo5())
        return std::nullopt;
    const std::optional<Measured> kubectl = measure(u"kubectl script"_s, &Bench::scaleInWithKubectl);
    // Back to 5 dnodes for the next run.
    if (!kubectl || !scaleOutTo5())
        return std::nullopt;
    return Figures{*tdkube, *kubectl};
}

double ratio(const Measured &measured)
{
    return measured.referenceMs() > 0 ? measured.ms / measured.referenceMs() : 0.0;
}

void printTable(const QList<Figures> &rows, double timeScale, bool realTaosd)
{
    std::printf("%-4s %10s %13s %16s %6s %18s %14s %17s %14s\n", "run", "tdkube_ms", "taosd_drop_ms",
                "sandbox_busy_ms", "ratio", "kubectl_script_ms", "kubectl_drop_ms", "kubectl_busy_ms",
                "kubectl_ratio");
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const Figures &row = rows.at(i);
        std::printf("%-4lld %10.0f %13.0f %16lld %6.3f %18.0f %14.0f %17lld %14.3f\n",
                    static_cast<long long>(i + 1), row.tdkube.ms, row.tdkube.dropMs,
                    static_cast<long long>(row.tdkube.delays.busyMs), ratio(row.tdkube), row.kubectl.ms,
                    row.kubectl.dropMs, static_cast<long long>(row.kubectl.delays.busyMs),
                    ratio(row.kubectl));
    }
    for (qsizetype i = 0; i < rows.size(); ++i) {
        std::printf("run %lld delays (ms in count): tdkube: %s; kubectl: %s\n", static_cast<long long>(i + 1),
                    qPrintable(rows.at(i).tdkube.delays.describe()),
                    qPrintable(rows.at(i).kubectl.delays.describe()));
    }
    if (realTaosd) {
        std::printf(
            "real taosd: the drops' time is what `drop dnode` blocked for (taosd_drop_ms: from tdkube's "
            "log; kubectl_drop_ms: the `kubectl exec -- taos -s` calls); ratio = ms / (drop_ms + "
            "busy_ms); time scale %g: a pod terminates in %g ms\n",
            timeScale, sandbox::Controller::kTerminationMs * timeScale);
    } else {
        std::printf(
            "time scale %g: a vnode move takes %g ms, a pod terminates in %g ms; ratio = ms / busy_ms\n",
            timeScale, sandbox::tdengine::Cluster::kVnodeMoveMs * timeScale,
            sandbox::Controller::kTerminationMs * timeScale);
    }
    std::printf("target: ratio <= 1.05\n");
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // One debug line per request would be measured too; the app's users do not see them either.
    QLoggingCategory::setFilterRules(u"tdkube.*.debug=false"_s);
    QStringList arguments = QCoreApplication::arguments().mid(1);
    QString taosdDir;
    if (const qsizetype at = arguments.indexOf(u"--taosd"_s); at >= 0) {
        taosdDir = arguments.value(at + 1);
        arguments.remove(at, std::min<qsizetype>(2, arguments.size() - at));
    }
    bool ok = true;
    const int runs = arguments.value(0, u"1"_s).toInt(&ok);
    const double timeScale = arguments.size() > 1 ? arguments.at(1).toDouble(&ok) : kDefaultTimeScale;
    if (!ok || runs <= 0 || timeScale <= 0 || (taosdDir.isEmpty() && arguments.contains(u"--taosd"_s))) {
        std::fprintf(
            stderr,
            "usage: bench_scalein [RUNS [TIME_SCALE]] [--taosd DIR]   (default: 1 %g, the simulator)\n",
            kDefaultTimeScale);
        return 2;
    }
    progress(u"time scale %1: a vnode move takes %2 ms"_s.arg(timeScale).arg(
        sandbox::tdengine::Cluster::kVnodeMoveMs * timeScale));
    Bench bench(timeScale, taosdDir);
    if (!bench.start() || !bench.deploy())
        return 1;
    QList<Figures> rows;
    for (int i = 0; i < runs; ++i) {
        const std::optional<Figures> figures = bench.run();
        if (!figures)
            return 1;
        rows.append(*figures);
    }
    printTable(rows, timeScale, !taosdDir.isEmpty());
    return 0;
}
