// tdkube-faults: a randomized campaign of faults during real operations (issue 17).
//
// One TDengine cluster in a tdkube-sandbox (real taosd behind the pods with --taosd), replica-1 and
// replica-3 databases with rows, then N runs, each a scale-out or scale-in to a random size within 3..6
// by the real `tdkube` process, with faults injected at random moments while it runs: a pod deleted, a
// container crashed, a node not ready and back, a burst of API 5xx, the watch streams cut, 410 Gone on
// watch, a slow API server, a taosAdapter result cut short that still says code 0, every connection cut
// (port-forwards included), tdkube itself killed (then `tdkube resume`). Each run starts where the one
// before ended, so the start sizes are random too.
//
// After each run the invariants are checked; the first violation stops the campaign with the seed and
// run that reproduce it:
// - no claim was deleted while its pod existed (the sandbox's audit of pods and claims, in
//   resourceVersion order) or while its dnode existed (ins_dnodes, read every 500 ms beside the run: a
//   dnode created before the claim was deleted and listed by a read begun after it);
// - no table holds fewer rows than before the run (nothing here types a replica-1 confirmation);
// - the operation finished with a healthy cluster (the pods and claims of the target size, every dnode
//   ready, every vgroup leader/follower with one leader, the mnodes' quorum), or stopped with a journal
//   that `tdkube resume` finishes (resumed with the faults over), or was refused before changing anything.
//
// The runs' choices and the faults' kinds and moments come from the seed; how the processes interleave
// does not, so a seed reproduces a run's faults, not always its exact timing.
#include "deploy/deploymonitor.h"
#include "kube/kubeconfig.h"
#include "kube/objects.h"
#include "kube/portforward.h"
#include "sandboxfixture.h"
#include "taos/clusterstate.h"
#include "taos/passwordstore.h"
#include "taos/restclient.h"
#include "taos/snapshotpoller.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <random>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::kube::test;

namespace {

const QString kNs = u"faults"_s;
const QString kSet = u"tdengine"_s;
const QString kContext = u"sandbox-admin"_s;
constexpr int kMinSize = 3;
constexpr int kMaxSize = 6;
constexpr int kMaxUserDatabases = 5;
constexpr int kDnodePollMs = 500;
constexpr int kMaxAttempts = 5; // the operation, then resumes

taos::TaosError clientError(const QString &text)
{
    taos::TaosError error;
    error.code = taos::TaosError::kClientError;
    error.desc = text;
    error.valid = true;
    return error;
}

void say(const QString &line)
{
    std::fputs((line + u'\n').toUtf8().constData(), stdout);
    std::fflush(stdout);
}

enum class Fault {
    PodKill,
    ContainerCrash,
    NodeNotReady,
    Api5xx,
    WatchDrop,
    Watch410,
    SlowApi,
    ResultCutShort,
    TdkubeKill,
    ConnectionsCut,
};
constexpr int kFaultKinds = int(Fault::ConnectionsCut) + 1;

QString faultName(Fault fault)
{
    switch (fault) {
    case Fault::PodKill:
        return u"pod-kill"_s;
    case Fault::ContainerCrash:
        return u"container-crash"_s;
    case Fault::NodeNotReady:
        return u"node-not-ready"_s;
    case Fault::Api5xx:
        return u"api-5xx-burst"_s;
    case Fault::WatchDrop:
        return u"watch-dropped"_s;
    case Fault::Watch410:
        return u"watch-410-gone"_s;
    case Fault::SlowApi:
        return u"api-slow"_s;
    case Fault::ResultCutShort:
        return u"result-cut-short"_s;
    case Fault::TdkubeKill:
        return u"tdkube-killed"_s;
    case Fault::ConnectionsCut:
        return u"connections-cut"_s;
    }
    return {};
}

struct Options
{
    int runs = 10;
    quint64 seed = 1;
    QString sandboxPath;
    QString tdkubePath;
    QString taosdDir; // empty: the simulator
    QString keepDir;  // where a violating run's outputs are written
    bool verbose = false;
    QList<Fault> kinds; // the kinds of fault injected (--faults); all when empty
};

struct Outcome
{
    int exitCode = -1;
    bool killed = false; // by the campaign (the tdkube-killed fault)
    qint64 elapsedMs = 0;
    QString out;
    QString err;
    QString story() const
    {
        return u"exit %1%2\n--- stdout\n%3--- stderr\n%4"_s.arg(exitCode).arg(
            killed ? u" (killed)"_s : QString(), out, err);
    }
};

// What tdkube said when it stopped: its last "tdkube: " line, or its first blocking finding.
QString reasonOf(const Outcome &outcome)
{
    const QRegularExpression blocking(u"^  \\[blocking\\] (.+)$"_s, QRegularExpression::MultilineOption);
    if (const QRegularExpressionMatch match = blocking.match(outcome.out); match.hasMatch())
        return match.captured(1).left(160);
    // The last "tdkube: " line but the one that only says how to resume.
    const QStringList lines = outcome.err.split(u'\n', Qt::SkipEmptyParts);
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        if (it->startsWith(u"tdkube: "_s) && !it->startsWith(u"tdkube: Operation "_s))
            return it->mid(8).left(200);
    }
    return lines.isEmpty() ? u"no message"_s : lines.last().left(160);
}

struct DnodeRead
{
    qint64 startedMs = 0;
    QList<taos::Dnode> dnodes;
};

struct Database
{
    QString name;
    int replica = 1;
    qint64 rows = 0; // in its supertable `meters`
};

struct Stats
{
    int runs = 0;
    int finished = 0;
    int resumed = 0;
    int refused = 0;
    int killedBeforeJournal = 0;
    int resumeRuns = 0;
    int hung = 0; // tdkube runs killed after processMs()
    QMap<QString, int> faults;
    QStringList violations;
};

class Campaign final : public QObject
{
public:
    explicit Campaign(Options options)
        : m_options(std::move(options))
        , m_rng(m_options.seed)
    {
    }
    ~Campaign() override { stopSandbox(); }

    bool setUp();
    // False at the first invariant violated (written to m_stats.violations).
    bool run(int index);
    void report() const;
    const Stats &stats() const { return m_stats; }

private:
    bool startSandbox();
    void stopSandbox();
    bool deploy();
    bool createDatabase(const QString &name, int replica, int vgroups);
    Outcome runTdkube(const QStringList &arguments, bool withFaults, std::mt19937_64 &rng);
    void scheduleFaults(std::mt19937_64 &rng, QProcess *process, bool *killed, qint64 windowMs);
    void inject(Fault fault, std::mt19937_64 &rng, QProcess *process, bool *killed);
    void later(int ms, const std::function<void()> &what);
    void clearFaults();
    void pollDnodes();
    taos::QueryOutcome sql(const QString &statement, int timeoutMs = 20000);
    taos::QueryOutcome sqlRetrying(const QString &statement, int attempts = 8);
    QStringList names(const kube::ResourceKind &kind, QString *error = nullptr);
    QJsonArray audit();
    QString unfinishedOperation(QString *listing);
    QString settle(int replicas, int timeoutMs);
    QString healthProblem(int replicas);
    QString checkClaims(const QStringList &podsAtStart, const QList<DnodeRead> &reads);
    QString checkRows();
    bool violated(int index, const QString &what, const QList<Outcome> &outcomes);
    QStringList scaleArguments(int replicas, bool balance) const;
    // The StatefulSet's replicas, and the operation lease annotation on it when `lease` is given.
    int currentSize(QString *lease = nullptr);
    qint64 settleMs() const { return m_options.taosdDir.isEmpty() ? 60000 : 300000; }
    qint64 processMs() const { return m_options.taosdDir.isEmpty() ? 300000 : 1200000; }

    Options m_options;
    std::mt19937_64 m_rng;
    QTemporaryDir m_dir;
    QProcess m_sandbox;
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
    std::unique_ptr<kube::PortForward> m_forward;
    std::unique_ptr<taos::RestClient> m_rest;
    QProcessEnvironment m_environment;
    QList<Database> m_databases;
    int m_nextDatabase = 0;
    qint64 m_windowMs = 0; // how long the last operation ran: faults land within it
    // Beside a run: the dnode reads, and whether one is in flight.
    QList<DnodeRead> m_reads;
    bool m_reading = false;
    QTimer m_pollTimer;
    QList<QTimer *> m_faultTimers;
    Stats m_stats;
};

bool Campaign::startSandbox()
{
    m_sandbox.setStandardErrorFile(m_dir.filePath(u"sandbox.log"_s));
    QString error;
    m_client = startSandboxProcess(&m_sandbox, m_options.sandboxPath, m_dir.path(), m_options.taosdDir,
                                   kContext, &error);
    if (!m_client)
        say(error);
    return m_client != nullptr;
}

void Campaign::stopSandbox()
{
    m_rest.reset();
    m_forward.reset();
    m_client.reset();
    if (m_sandbox.state() == QProcess::NotRunning)
        return;
    m_sandbox.terminate();
    if (!m_sandbox.waitForFinished(20000))
        m_sandbox.kill();
    m_sandbox.waitForFinished(5000);
}

bool Campaign::setUp()
{
    if (!m_dir.isValid() || !startSandbox())
        return false;
    m_passwords = std::make_unique<taos::PasswordStore>();
    m_passwords->setKeychainEnabled(false);
    m_environment = tdkubeEnvironment(m_dir.path());
    m_pollTimer.setInterval(kDnodePollMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &Campaign::pollDnodes);
    if (!deploy())
        return false;
    // A replica-3 and a replica-1 database to begin with; runs add more, of either kind.
    if (!createDatabase(u"r3"_s, 3, 4) || !createDatabase(u"r1"_s, 1, 3))
        return false;
    m_windowMs = m_options.taosdDir.isEmpty() ? 5000 : 60000;
    return true;
}

bool Campaign::deploy()
{
    if (!createNamespace(m_client.get(), kNs)) {
        say(u"cannot create the namespace "_s + kNs);
        return false;
    }
    QString error;
    if (!applyManifests(m_client.get(), kNs, &error)) {
        say(u"cannot apply the manifests: "_s + error);
        return false;
    }
    deploy::DeployMonitor monitor(m_client.get(), m_passwords.get(),
                                  deploy::DeployTarget{kContext, kNs, kSet, 3, true});
    monitor.setPollInterval(100);
    std::optional<bool> deployed;
    QString message;
    QObject::connect(&monitor, &deploy::DeployMonitor::finished, this, [&](bool ok, const QString &text) {
        deployed = ok;
        message = text;
    });
    monitor.start();
    if (!QTest::qWaitFor([&] { return deployed.has_value(); }, int(processMs())) || !*deployed) {
        say(u"the cluster did not deploy: "_s + message);
        return false;
    }
    return true;
}

// A database with a supertable `meters` of vgroups*2 child tables (so every vgroup holds some) and
// a random number of rows in each.
bool Campaign::createDatabase(const QString &name, int replica, int vgroups)
{
    Database database{name, replica, 0};
    QStringList statements{u"create database %1 replica %2 vgroups %3"_s.arg(name).arg(replica).arg(vgroups),
                           u"create stable %1.meters (ts timestamp, v int) tags (loc int)"_s.arg(name)};
    std::uniform_int_distribution<int> rows(1, 12);
    for (int t = 0; t < vgroups * 2; ++t) {
        const int n = rows(m_rng);
        QStringList values;
        for (int r = 0; r < n; ++r)
            values.append(u"(now+%1s, %2)"_s.arg(r).arg(r));
        statements.append(u"insert into %1.d%2 using %1.meters tags (%2) values %3"_s.arg(name).arg(t).arg(
            values.join(u' ')));
        database.rows += n;
    }
    for (const QString &statement : std::as_const(statements)) {
        const taos::QueryOutcome outcome = sqlRetrying(statement);
        if (!outcome.ok()) {
            say(u"%1: %2"_s.arg(statement, outcome.error.describe()));
            return false;
        }
    }
    m_databases.append(database);
    return true;
}

taos::QueryOutcome Campaign::sql(const QString &statement, int timeoutMs)
{
    if (!m_forward || m_forward->state() == kube::PortForward::State::Stopped) {
        m_rest.reset();
        m_forward = std::make_unique<kube::PortForward>(
            m_client.get(), kube::ForwardTarget{kube::ForwardTarget::Kind::StatefulSet, kNs, kSet}, 6041);
        m_forward->start();
    }
    if (!QTest::qWaitFor([this] { return m_forward->state() == kube::PortForward::State::Active; },
                         timeoutMs)) {
        taos::QueryOutcome outcome;
        outcome.error =
            clientError(u"the campaign's port-forward is not active: "_s + m_forward->stateReason());
        m_forward.reset();
        return outcome;
    }
    if (!m_rest) {
        QUrl base(u"http://127.0.0.1"_s);
        base.setPort(m_forward->localPort());
        m_rest = std::make_unique<taos::RestClient>(taos::RestTarget::direct(base, u"root"_s, u"taosdata"_s));
    }
    std::optional<taos::QueryOutcome> outcome;
    QObject context;
    m_rest->query(statement, &context, [&outcome](taos::QueryOutcome &o) { outcome = std::move(o); });
    if (!QTest::qWaitFor([&outcome] { return outcome.has_value(); }, timeoutMs)) {
        taos::QueryOutcome late;
        late.error = clientError(statement + u" did not answer"_s);
        return late;
    }
    if (outcome->httpStatus == 0 && !outcome->ok()) {
        // Not answered by taosAdapter: the forward may be cut; a new one next time.
        m_rest.reset();
        m_forward.reset();
    }
    return *outcome;
}

// Retried while it fails (a leader election, a pod restarting, a cut connection).
taos::QueryOutcome Campaign::sqlRetrying(const QString &statement, int attempts)
{
    taos::QueryOutcome outcome;
    for (int i = 0; i < attempts; ++i) {
        outcome = sql(statement);
        if (outcome.ok())
            return outcome;
        QTest::qWait(1000);
    }
    return outcome;
}

void Campaign::pollDnodes()
{
    if (m_reading)
        return;
    m_reading = true;
    const qint64 started = QDateTime::currentMSecsSinceEpoch();
    const taos::QueryOutcome outcome = sql(u"select * from information_schema.ins_dnodes"_s, 5000);
    if (outcome.ok())
        m_reads.append(DnodeRead{started, taos::dnodesFrom(outcome.result)});
    m_reading = false;
}

QStringList Campaign::names(const kube::ResourceKind &kind, QString *error)
{
    const kube::KubeResponse response = await(
        [&](QObject *context, kube::KubeClient::Done done) { m_client->list(kind, kNs, {}, context, done); });
    if (!response.ok() && error)
        *error = response.error;
    QStringList result;
    for (const QJsonValue &item : response.json().value(u"items").toArray())
        result.append(kube::nameOf(item.toObject()));
    result.sort();
    return result;
}

QJsonArray Campaign::audit()
{
    kube::KubeRequest request;
    request.verb = "GET";
    request.path = u"/sandbox/v1/audit"_s;
    request.query.addQueryItem(u"namespace"_s, kNs);
    const kube::KubeResponse response =
        await([&](QObject *context, kube::KubeClient::Done done) { m_client->send(request, context, done); });
    return response.json().value(u"events").toArray();
}

int Campaign::currentSize(QString *lease)
{
    const kube::KubeResponse response = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->get(kube::ResourceKind::statefulSets(), kNs, kSet, context, done);
    });
    if (lease)
        *lease = kube::valueAt(response.json(), u"metadata.annotations"_s)
                     .toObject()
                     .value(u"tdkube.io/operation-lease"_s)
                     .toString();
    return kube::valueAt(response.json(), u"spec.replicas"_s).toInt(-1);
}

QStringList Campaign::scaleArguments(int replicas, bool balance) const
{
    QStringList arguments = scaleCommand(m_dir.filePath(u"kubeconfig"_s), kContext, kNs, kSet, replicas);
    arguments << u"--yes"_s << u"-v"_s;
    if (balance)
        arguments.append(u"--balance"_s);
    return arguments;
}

// One tdkube process to its end, with the dnodes read beside it and, when asked, faults injected
// at random moments within the last operation's duration.
Outcome Campaign::runTdkube(const QStringList &arguments, bool withFaults, std::mt19937_64 &rng)
{
    QProcess process;
    process.setProcessEnvironment(m_environment);
    bool killed = false;
    QElapsedTimer clock;
    clock.start();
    process.start(m_options.tdkubePath, arguments);
    Outcome outcome;
    if (!process.waitForStarted()) {
        outcome.err = u"tdkube did not start: "_s + process.errorString();
        return outcome;
    }
    if (withFaults)
        scheduleFaults(rng, &process, &killed, m_windowMs);
    m_pollTimer.start();
    const bool ended =
        QTest::qWaitFor([&process] { return process.state() == QProcess::NotRunning; }, int(processMs()));
    m_pollTimer.stop();
    qDeleteAll(m_faultTimers);
    m_faultTimers.clear();
    if (!ended) {
        process.kill();
        process.waitForFinished();
        outcome.err = u"tdkube did not finish in %1 s\n"_s.arg(processMs() / 1000);
    } else if (process.exitStatus() == QProcess::NormalExit) {
        outcome.exitCode = process.exitCode();
    }
    outcome.killed = killed;
    outcome.elapsedMs = clock.elapsed();
    outcome.out = QString::fromUtf8(process.readAllStandardOutput());
    outcome.err += QString::fromUtf8(process.readAllStandardError());
    if (!ended) {
        // Not an invariant, but a person's terminal would hang: its output is kept to be looked at.
        ++m_stats.hung;
        if (!m_options.keepDir.isEmpty()) {
            QDir().mkpath(m_options.keepDir);
            QFile file(QDir(m_options.keepDir).filePath(u"hung-%1.txt"_s.arg(m_stats.hung)));
            if (file.open(QIODevice::WriteOnly))
                file.write((arguments.join(u' ') + u"\n"_s + outcome.story()).toUtf8());
        }
    }
    return outcome;
}

void Campaign::scheduleFaults(std::mt19937_64 &rng, QProcess *process, bool *killed, qint64 windowMs)
{
    std::uniform_int_distribution<int> count(1, 3);
    QList<Fault> kinds = m_options.kinds;
    if (kinds.isEmpty()) { // every kind (a loop conditioned on isEmpty() once chose pod kills only)
        for (int k = 0; k < kFaultKinds; ++k)
            kinds.append(Fault(k));
    }
    std::uniform_int_distribution<qsizetype> kind(0, kinds.size() - 1);
    std::uniform_int_distribution<qint64> when(0, std::max<qint64>(windowMs, 1000));
    const int faults = count(rng);
    for (int i = 0; i < faults; ++i) {
        const Fault fault = kinds.at(kind(rng));
        const qint64 at = when(rng);
        // Each fault's own random choices are drawn now, so that the seed decides them whatever
        // the timing.
        auto faultRng = std::make_shared<std::mt19937_64>(rng());
        later(int(at), [this, fault, faultRng, process, killed] {
            if (process->state() != QProcess::NotRunning)
                inject(fault, *faultRng, process, killed);
        });
    }
}

// `what` in `ms`, unless the run ends first (its timers go then, and clearFaults() undoes what lasts).
void Campaign::later(int ms, const std::function<void()> &what)
{
    auto *timer = new QTimer;
    timer->setSingleShot(true);
    QObject::connect(timer, &QTimer::timeout, this, what);
    timer->start(ms);
    m_faultTimers.append(timer);
}

void Campaign::inject(Fault fault, std::mt19937_64 &rng, QProcess *process, bool *killed)
{
    ++m_stats.faults[faultName(fault)];
    QString detail;
    switch (fault) {
    case Fault::PodKill:
    case Fault::ContainerCrash: {
        const QStringList pods = names(kube::ResourceKind::pods());
        if (pods.isEmpty())
            break;
        const QString pod = pods.at(std::uniform_int_distribution<qsizetype>(0, pods.size() - 1)(rng));
        detail = pod;
        if (fault == Fault::PodKill) {
            await([&](QObject *context, kube::KubeClient::Done done) {
                m_client->remove(kube::ResourceKind::pods(), kNs, pod, {}, context, done);
            });
        } else {
            control(m_client.get(), u"pods/%1/%2/crash"_s.arg(kNs, pod), {});
        }
        break;
    }
    case Fault::NodeNotReady: {
        const QString node = u"sandbox-node-%1"_s.arg(std::uniform_int_distribution<int>(1, 3)(rng));
        const int backMs = std::uniform_int_distribution<int>(500, 5000)(rng);
        detail = u"%1 for %2 ms"_s.arg(node).arg(backMs);
        control(m_client.get(), u"nodes/%1/ready"_s.arg(node), {{u"ready"_s, false}});
        later(backMs, [this, node] {
            control(m_client.get(), u"nodes/%1/ready"_s.arg(node), {{u"ready"_s, true}});
        });
        break;
    }
    case Fault::Api5xx: {
        const int codes[] = {500, 502, 503, 504};
        const int code = codes[std::uniform_int_distribution<int>(0, 3)(rng)];
        const int requests = std::uniform_int_distribution<int>(2, 12)(rng);
        detail = u"%1 requests answered %2"_s.arg(requests).arg(code);
        control(m_client.get(), u"faults"_s, {{u"failRequests"_s, requests}, {u"failCode"_s, code}});
        break;
    }
    case Fault::WatchDrop:
        control(m_client.get(), u"faults"_s, {{u"dropWatchStreams"_s, true}});
        break;
    case Fault::Watch410:
        control(m_client.get(), u"faults"_s,
                {{u"expireResourceVersions"_s, true}, {u"dropWatchStreams"_s, true}});
        break;
    case Fault::SlowApi: {
        const int delay = std::uniform_int_distribution<int>(200, 1500)(rng);
        const int forMs = std::uniform_int_distribution<int>(1000, 6000)(rng);
        detail = u"%1 ms per request for %2 ms"_s.arg(delay).arg(forMs);
        control(m_client.get(), u"faults"_s, {{u"delayMs"_s, delay}});
        later(forMs, [this] { control(m_client.get(), u"faults"_s, {{u"delayMs"_s, 0}}); });
        break;
    }
    case Fault::ResultCutShort: {
        const QStringList matching{QString(),   u"ins_dnodes"_s, u"ins_vgroups"_s,  u"ins_mnodes"_s,
                                   u"count("_s, u"perf_trans"_s, u"ins_databases"_s};
        const QString match =
            matching.at(std::uniform_int_distribution<qsizetype>(0, matching.size() - 1)(rng));
        const int answers = std::uniform_int_distribution<int>(1, 4)(rng);
        const int keep = std::uniform_int_distribution<int>(0, 2)(rng);
        detail = u"%1 answers to \"%2\" keep %3 rows"_s.arg(answers).arg(match).arg(keep);
        control(m_client.get(), u"faults"_s,
                {{u"cutShortResults"_s, answers}, {u"keepRows"_s, keep}, {u"matching"_s, match}});
        break;
    }
    case Fault::TdkubeKill:
        *killed = true;
        process->kill();
        break;
    case Fault::ConnectionsCut:
        control(m_client.get(), u"faults"_s, {{u"dropConnections"_s, true}});
        break;
    }
    if (m_options.verbose)
        say(u"    fault %1 %2"_s.arg(faultName(fault), detail));
}

// Every lasting fault undone: nodes ready, no delay, no failing requests, no results cut short.
void Campaign::clearFaults()
{
    qDeleteAll(m_faultTimers);
    m_faultTimers.clear();
    for (int node = 1; node <= 3; ++node)
        control(m_client.get(), u"nodes/sandbox-node-%1/ready"_s.arg(node), {{u"ready"_s, true}});
    control(m_client.get(), u"faults"_s,
            {{u"delayMs"_s, 0}, {u"failRequests"_s, 0}, {u"cutShortResults"_s, 0}});
}

// The ID of the unfinished operation on this cluster `tdkube operations` lists, or empty.
QString Campaign::unfinishedOperation(QString *listing)
{
    std::mt19937_64 unused;
    const Outcome listed = runTdkube({u"operations"_s}, false, unused);
    *listing = listed.story();
    const QRegularExpressionMatch operation =
        QRegularExpression(u"^(\\S+)  sandbox-admin/%1/%2  "_s.arg(kNs, kSet),
                           QRegularExpression::MultilineOption)
            .match(listed.out);
    return operation.hasMatch() ? operation.captured(1) : QString();
}

// Empty when the cluster is whole at `replicas`: the pods and claims of ordinals 0..replicas-1 and no
// other, each pod Ready, every dnode ready and one per pod, every vgroup's replicas leader or follower
// with one leader, the mnodes all serving with a quorum. Otherwise what is not.
QString Campaign::healthProblem(int replicas)
{
    QStringList expectedPods;
    QStringList expectedClaims;
    for (int ordinal = 0; ordinal < replicas; ++ordinal) {
        expectedPods.append(kSet + u'-' + QString::number(ordinal));
        expectedClaims.append(u"taosdata-"_s + expectedPods.last());
    }
    QString error;
    const QStringList pods = names(kube::ResourceKind::pods(), &error);
    if (pods != expectedPods)
        return u"pods %1, not %2 %3"_s.arg(pods.join(u','), expectedPods.join(u','), error);
    const QStringList claims = names(kube::ResourceKind::persistentVolumeClaims(), &error);
    if (claims != expectedClaims)
        return u"claims %1, not %2 %3"_s.arg(claims.join(u','), expectedClaims.join(u','), error);
    const kube::KubeResponse podList = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->list(kube::ResourceKind::pods(), kNs, {}, context, done);
    });
    for (const QJsonValue &item : podList.json().value(u"items").toArray()) {
        bool ready = false;
        for (const QJsonValue &condition : kube::valueAt(item.toObject(), u"status.conditions"_s).toArray()) {
            if (condition[u"type"].toString() == u"Ready")
                ready = condition[u"status"].toString() == u"True";
        }
        if (!ready)
            return u"pod %1 is not Ready"_s.arg(kube::nameOf(item.toObject()));
    }
    const taos::QueryOutcome dnodeRows = sql(u"select * from information_schema.ins_dnodes"_s);
    if (!dnodeRows.ok())
        return u"ins_dnodes: "_s + dnodeRows.error.describe();
    QStringList dnodePods;
    for (const taos::Dnode &dnode : taos::dnodesFrom(dnodeRows.result)) {
        if (dnode.status != u"ready")
            return u"dnode %1 (%2) is %3"_s.arg(dnode.id).arg(dnode.endpoint, dnode.status);
        dnodePods.append(taos::podOfEndpoint(dnode.endpoint));
    }
    dnodePods.sort();
    if (dnodePods != expectedPods)
        return u"dnodes of pods %1, not %2"_s.arg(dnodePods.join(u','), expectedPods.join(u','));
    const taos::QueryOutcome vgroupRows = sql(u"select * from information_schema.ins_vgroups"_s);
    if (!vgroupRows.ok())
        return u"ins_vgroups: "_s + vgroupRows.error.describe();
    for (const taos::Vgroup &vgroup : taos::vgroupsFrom(vgroupRows.result)) {
        int leaders = 0;
        for (const taos::Vnode &vnode : vgroup.vnodes) {
            if (!vnode.isHealthy())
                return u"vgroup %1 of %2: the replica on dnode %3 is %4"_s.arg(vgroup.id)
                    .arg(vgroup.database)
                    .arg(vnode.dnodeId)
                    .arg(vnode.role);
            leaders += vnode.state() == taos::VnodeRole::Leader ? 1 : 0;
        }
        if (leaders != 1)
            return u"vgroup %1 of %2 has %3 leaders"_s.arg(vgroup.id).arg(vgroup.database).arg(leaders);
    }
    const taos::QueryOutcome mnodeRows = sql(u"select * from information_schema.ins_mnodes"_s);
    if (!mnodeRows.ok())
        return u"ins_mnodes: "_s + mnodeRows.error.describe();
    const QList<taos::Mnode> mnodes = taos::mnodesFrom(mnodeRows.result);
    const taos::MnodeHealth health = taos::mnodeHealth(mnodes);
    if (!health.quorum || health.ready != mnodes.size())
        return u"%1 of %2 mnodes serving%3"_s.arg(health.ready)
            .arg(mnodes.size())
            .arg(health.quorum ? QString() : u", no quorum"_s);
    return {};
}

// Waits for the cluster to be whole at `replicas`; empty once it is, else the last problem seen.
QString Campaign::settle(int replicas, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    QString problem;
    do {
        problem = healthProblem(replicas);
        if (problem.isEmpty())
            return {};
        QTest::qWait(1000);
    } while (clock.elapsed() < timeoutMs);
    return problem;
}

// No claim deleted while its pod existed, or while its dnode did.
QString Campaign::checkClaims(const QStringList &podsAtStart, const QList<DnodeRead> &reads)
{
    QSet<QString> pods(podsAtStart.cbegin(), podsAtStart.cend());
    QJsonArray events = audit();
    QList<QJsonObject> ordered;
    for (const QJsonValue &event : std::as_const(events))
        ordered.append(event.toObject());
    std::sort(ordered.begin(), ordered.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return a[u"resourceVersion"].toString().toLongLong() < b[u"resourceVersion"].toString().toLongLong();
    });
    for (const QJsonObject &event : std::as_const(ordered)) {
        const QString type = event[u"type"].toString();
        const QString name = event[u"name"].toString();
        if (event[u"kind"].toString() == u"Pod") {
            if (type == u"ADDED")
                pods.insert(name);
            else if (type == u"DELETED")
                pods.remove(name);
            continue;
        }
        if (type != u"DELETED")
            continue;
        const QString pod = name.mid(QStringLiteral("taosdata-").size());
        if (pods.contains(pod))
            return u"claim %1 deleted (resourceVersion %2) while pod %3 existed"_s.arg(
                name, event[u"resourceVersion"].toString(), pod);
        const qint64 deletedMs = qint64(event[u"ms"].toDouble());
        for (const DnodeRead &read : reads) {
            if (read.startedMs <= deletedMs)
                continue;
            for (const taos::Dnode &dnode : read.dnodes) {
                if (taos::podOfEndpoint(dnode.endpoint) == pod && dnode.createTime.isValid() &&
                    dnode.createTime.toMSecsSinceEpoch() < deletedMs)
                    return u"claim %1 deleted at %2 while dnode %3 (%4, created %5) existed: listed %6 ms "
                           "later"_s
                               .arg(name,
                                    QDateTime::fromMSecsSinceEpoch(deletedMs).toString(Qt::ISODateWithMs))
                               .arg(dnode.id)
                               .arg(dnode.status, dnode.createTime.toString(Qt::ISODateWithMs))
                               .arg(read.startedMs - deletedMs);
            }
        }
    }
    return {};
}

// Every database's rows still there.
QString Campaign::checkRows()
{
    for (const Database &database : std::as_const(m_databases)) {
        const QString statement = u"select count(*) from %1.meters"_s.arg(database.name);
        qint64 counted = -1;
        QString error;
        for (int attempt = 0; attempt < 3; ++attempt) {
            const taos::QueryOutcome outcome = sqlRetrying(statement);
            if (!outcome.ok() || outcome.result.rowCount() != 1) {
                error = outcome.ok() ? u"%1 rows"_s.arg(outcome.result.rowCount()) : outcome.error.describe();
                continue;
            }
            counted = outcome.result.int64(0, 0);
            if (counted >= database.rows)
                break;
            QTest::qWait(3000); // read again: a lower count must last to count
        }
        if (counted < 0)
            return u"%1: %2"_s.arg(statement, error);
        if (counted < database.rows)
            return u"%1 (replica %2) has %3 rows, had %4"_s.arg(database.name)
                .arg(database.replica)
                .arg(counted)
                .arg(database.rows);
    }
    return {};
}

bool Campaign::violated(int index, const QString &what, const QList<Outcome> &outcomes)
{
    m_stats.violations.append(u"run %1: %2"_s.arg(index + 1).arg(what));
    say(u"INVARIANT VIOLATED in run %1 (seed %2): %3"_s.arg(index + 1).arg(m_options.seed).arg(what));
    say(u"reproduce: tests/faults/run.sh --seed %1 --runs %2%3"_s.arg(m_options.seed)
            .arg(index + 1)
            .arg(m_options.taosdDir.isEmpty() ? QString() : u" --taosd DIR"_s));
    QString text;
    for (qsizetype i = 0; i < outcomes.size(); ++i)
        text += u"=== tdkube run %1\n%2\n"_s.arg(i + 1).arg(outcomes.at(i).story());
    if (!m_options.keepDir.isEmpty()) {
        QDir().mkpath(m_options.keepDir);
        QFile file(QDir(m_options.keepDir).filePath(u"run-%1.txt"_s.arg(index + 1)));
        if (file.open(QIODevice::WriteOnly))
            file.write(text.toUtf8());
        QFile::copy(m_dir.filePath(u"sandbox.log"_s), QDir(m_options.keepDir).filePath(u"sandbox.log"_s));
        say(u"the tdkube outputs are in "_s + file.fileName());
    } else {
        say(text);
    }
    return false;
}

bool Campaign::run(int index)
{
    ++m_stats.runs;
    // Each run's choices from the seed and its index alone.
    std::mt19937_64 rng(m_options.seed * 1000003ULL + quint64(index));
    const int from = currentSize();
    std::uniform_int_distribution<int> sizes(kMinSize, kMaxSize);
    int to = sizes(rng);
    while (to == from)
        to = sizes(rng);
    const bool balance = to > from && std::bernoulli_distribution(0.5)(rng);
    if (m_databases.size() < 2 + kMaxUserDatabases && std::bernoulli_distribution(0.3)(rng)) {
        const int replica = std::bernoulli_distribution(0.5)(rng) ? 3 : 1;
        const QString name = u"db%1r%2"_s.arg(m_nextDatabase++).arg(replica);
        if (!createDatabase(name, replica, std::uniform_int_distribution<int>(1, 3)(rng)))
            return violated(index, u"could not create database "_s + name + u" before the run"_s, {});
    }

    // Reset the audit and read the pods it starts from.
    control(m_client.get(), u"audit"_s, {{u"reset"_s, true}});
    const QStringList podsAtStart = names(kube::ResourceKind::pods());
    m_reads.clear();

    say(u"run %1/%2: scale %3 -> %4%5"_s.arg(index + 1)
            .arg(m_options.runs)
            .arg(from)
            .arg(to)
            .arg(balance ? u" (balance)"_s : QString()));
    QList<Outcome> outcomes;
    outcomes.append(runTdkube(scaleArguments(to, balance), true, rng));
    QString result;
    QString id;
    for (int attempt = 1;; ++attempt) {
        const Outcome &last = outcomes.last();
        if (last.exitCode == 0 && !last.killed) {
            if (attempt == 1) {
                ++m_stats.finished;
                m_windowMs = std::max<qint64>(last.elapsedMs, 1000);
            } else {
                ++m_stats.resumed;
            }
            result = attempt == 1 ? u"finished"_s : u"finished by resume %1"_s.arg(attempt - 1);
            break;
        }
        clearFaults();
        if (m_options.verbose)
            say(u"    tdkube %1"_s.arg(last.killed ? u"killed"_s : u"stopped: "_s + reasonOf(last)));
        QString listing;
        const QString unfinished = unfinishedOperation(&listing);
        if (unfinished.isEmpty()) {
            if (attempt > 1)
                return violated(index,
                                u"the operation %1 is no longer listed, yet its resume failed"_s.arg(id),
                                outcomes);
            if (last.killed) {
                ++m_stats.killedBeforeJournal;
                result = u"killed before its journal was written"_s;
            } else if (QString(last.out + last.err).contains(u"nothing was changed"_s, Qt::CaseInsensitive)) {
                ++m_stats.refused;
                result = u"refused before any change (%1)"_s.arg(reasonOf(last));
            } else {
                return violated(index, u"tdkube failed and left no operation to resume:\n"_s + listing,
                                outcomes);
            }
            break;
        }
        id = unfinished;
        if (attempt >= kMaxAttempts)
            return violated(index,
                            u"operation %1 still unfinished after %2 resumes"_s.arg(id).arg(kMaxAttempts - 1),
                            outcomes);
        // The cluster settles (pods back, the node ready) before a resume; a resume may meet faults too.
        QTest::qWait(m_options.taosdDir.isEmpty() ? 1000 : 10000);
        ++m_stats.resumeRuns;
        const bool faultsAgain = attempt == 1 && std::bernoulli_distribution(0.3)(rng);
        if (m_options.verbose)
            say(u"    resume %1 of %2%3"_s.arg(attempt).arg(id,
                                                            faultsAgain ? u" (with faults)"_s : QString()));
        outcomes.append(
            runTdkube({u"resume"_s, id, u"--kubeconfig"_s, m_dir.filePath(u"kubeconfig"_s), u"-v"_s},
                      faultsAgain, rng));
    }
    clearFaults();

    // The dnodes at the end are one more read for the claims' check.
    m_reads.append(
        DnodeRead{QDateTime::currentMSecsSinceEpoch(),
                  taos::dnodesFrom(sqlRetrying(u"select * from information_schema.ins_dnodes"_s).result)});
    if (const QString claims = checkClaims(podsAtStart, m_reads); !claims.isEmpty())
        return violated(index, claims, outcomes);
    QString lease;
    const int size = currentSize(&lease);
    // A finished operation gives its lease back: one left behind refuses every other operation on
    // the cluster until it expires (found on real taosd: a 5xx burst while releasing it).
    if (result.startsWith(u"finished"_s) && !lease.isEmpty())
        return violated(index, u"tdkube finished and left its operation lease on the StatefulSet: "_s + lease,
                        outcomes);
    if (result.startsWith(u"finished"_s) && size != to)
        return violated(
            index, u"tdkube said it finished, the StatefulSet has %1 replicas, not %2"_s.arg(size).arg(to),
            outcomes);
    if (const QString problem = settle(size, int(settleMs())); !problem.isEmpty())
        return violated(index,
                        u"%1, and at %2 replicas the cluster is not whole after %3 s: %4"_s.arg(result)
                            .arg(size)
                            .arg(settleMs() / 1000)
                            .arg(problem),
                        outcomes);
    if (const QString rows = checkRows(); !rows.isEmpty())
        return violated(index, rows, outcomes);
    say(u"    %1 (%2 tdkube run(s), %3 dnode reads), %4 dnodes, invariants hold"_s.arg(result)
            .arg(outcomes.size())
            .arg(m_reads.size())
            .arg(size));
    return true;
}

void Campaign::report() const
{
    int injected = 0;
    for (const int n : m_stats.faults)
        injected += n;
    say(u"\nfault campaign, seed %1, on %2"_s.arg(m_options.seed)
            .arg(m_options.taosdDir.isEmpty() ? u"the simulator"_s
                                              : u"real taosd ("_s + m_options.taosdDir + u')'));
    const auto row = [](const QString &name, int value) { say(u"  %1 %2"_s.arg(name, -34).arg(value, 6)); };
    row(u"runs"_s, m_stats.runs);
    row(u"operations finished"_s, m_stats.finished);
    row(u"operations stopped, then resumed"_s, m_stats.resumed);
    row(u"refused before any change"_s, m_stats.refused);
    row(u"killed before their journal"_s, m_stats.killedBeforeJournal);
    row(u"tdkube resume runs"_s, m_stats.resumeRuns);
    row(u"tdkube runs that hung (killed)"_s, m_stats.hung);
    row(u"faults injected"_s, injected);
    for (int kind = 0; kind < kFaultKinds; ++kind)
        row(u"  "_s + faultName(Fault(kind)), m_stats.faults.value(faultName(Fault(kind))));
    row(u"invariant violations"_s, int(m_stats.violations.size()));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"A randomized campaign of faults during tdkube's scale operations."_s);
    parser.addHelpOption();
    parser.addOptions({
        {u"runs"_s, u"Operations to run (default 10)."_s, u"n"_s, u"10"_s},
        {u"seed"_s, u"The seed of the runs' choices (default 1)."_s, u"s"_s, u"1"_s},
        {u"sandbox"_s, u"The tdkube-sandbox binary."_s, u"path"_s},
        {u"tdkube"_s, u"The tdkube binary."_s, u"path"_s},
        {u"taosd"_s, u"A TDengine build: every pod runs a real taosd (default: the simulator)."_s, u"dir"_s},
        {u"keep"_s, u"Where a violating run's outputs are written."_s, u"dir"_s},
        {u"verbose"_s, u"Print each fault as it is injected."_s},
        {u"faults"_s, u"Only these kinds of fault, comma-separated (default: every kind)."_s, u"kinds"_s},
    });
    parser.process(app);
    Options options;
    bool ok = true;
    options.runs = parser.value(u"runs"_s).toInt(&ok);
    if (!ok || options.runs < 1) {
        say(u"--runs takes a positive number"_s);
        return 2;
    }
    options.seed = parser.value(u"seed"_s).toULongLong(&ok);
    if (!ok) {
        say(u"--seed takes a number"_s);
        return 2;
    }
    options.sandboxPath = parser.value(u"sandbox"_s);
    options.tdkubePath = parser.value(u"tdkube"_s);
    options.taosdDir = parser.value(u"taosd"_s);
    options.keepDir = parser.value(u"keep"_s);
    options.verbose = parser.isSet(u"verbose"_s);
    for (const QString &name : parser.value(u"faults"_s).split(u',', Qt::SkipEmptyParts)) {
        int kind = 0;
        while (kind < kFaultKinds && faultName(Fault(kind)) != name.trimmed())
            ++kind;
        if (kind == kFaultKinds) {
            QStringList all;
            for (int k = 0; k < kFaultKinds; ++k)
                all.append(faultName(Fault(k)));
            say(u"--faults: no kind %1 (kinds: %2)"_s.arg(name, all.join(u", "_s)));
            return 2;
        }
        options.kinds.append(Fault(kind));
    }
    if (!QFileInfo(options.sandboxPath).isExecutable() || !QFileInfo(options.tdkubePath).isExecutable()) {
        say(u"--sandbox and --tdkube must name the tdkube-sandbox and tdkube binaries"_s);
        return 2;
    }
    if (!options.taosdDir.isEmpty() && !QFileInfo::exists(options.taosdDir + u"/bin/taosd"_s)) {
        say(u"--taosd: no bin/taosd in "_s + options.taosdDir);
        return 2;
    }

    Campaign campaign(options);
    if (!campaign.setUp()) {
        say(u"the campaign could not set its cluster up"_s);
        return 3;
    }
    for (int index = 0; index < options.runs; ++index) {
        if (!campaign.run(index))
            break;
    }
    campaign.report();
    // The campaign checks itself: with every kind allowed, ten faults or more of a single kind mean its
    // choice is broken (the chance is below 1e-9), as it once was.
    int injected = 0;
    for (const int n : campaign.stats().faults)
        injected += n;
    if (options.kinds.isEmpty() && injected >= 10 && campaign.stats().faults.size() < 2) {
        say(u"the campaign injected %1 faults, all of one kind: its choice of faults is broken"_s.arg(
            injected));
        return 4;
    }
    return campaign.stats().violations.isEmpty() ? 0 : 1;
}
