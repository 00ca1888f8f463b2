// The real tdkube process killed at step boundaries of a scale-out (3 -> 5, with a balance) and of a
// scale-in (5 -> 3), and at those of moving an mnode off a leaving dnode, then resumed from the command
// line, against an out-of-process tdkube-sandbox: after each kill exactly one operation is unfinished and
// says where it stopped, and no claim is gone while its pod or its dnode is still there; once resumed, the
// cluster holds what the operation promised (pods, ready dnodes, claims) and the same rows.
//
// Two forms. The chained one runs ONE scale-out and ONE scale-in whose every boundary is a kill: `tdkube
// scale` is killed at the first, each `tdkube resume` at the next, and a last resume finishes: 2 operations,
// today 10 and 12 kills. The per-boundary matrix kills a fresh operation at each boundary and resumes it
// whole, scale-outs and scale-ins alternating so that each leaves the cluster ready for the next: about 25
// operations. Both run on the simulator. With TDKUBE_TEST_ON_REAL_TAOSD=1 every pod is a real taosd
// (TDKUBE_REAL_TAOSD): CTest runs the chained form there (tst_crashresume_realtaosd, about 4 minutes on 2
// cores); the matrix takes 25 to 40 minutes there, so it runs only by hand, with
// TDKUBE_CRASHRESUME_EVERY_BOUNDARY=1. The mnode-move crashes run on the simulator only.
#include "deploy/deploymonitor.h"
#include "kube/kubeconfig.h"
#include "kube/objects.h"
#include "kube/portforward.h"
#include "ops/executor.h"
#include "ops/journal.h"
#include "ops/lease.h"
#include "sandboxfixture.h"
#include "taos/clusterstate.h"
#include "taos/passwordstore.h"
#include "taos/restclient.h"
#include "taos/snapshotpoller.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::kube::test;

namespace {

constexpr int kProcessMs = 180000; // a safety net for a hung process, not a measure
constexpr int kCrashExitCode = ops::Executor::kCrashExitCode;
const QString kNs = u"crash"_s;
const QString kSet = u"tdengine"_s;
const QString kContext = u"sandbox-admin"_s;
const QMap<QString, qint64> kRows{{u"r3.meters"_s, 20}, {u"r3.plain"_s, 3}};

struct Outcome
{
    int exitCode = -1;
    QString out;
    QString err;
    QString story() const { return u"exit %1\n--- stdout\n%2--- stderr\n%3"_s.arg(exitCode).arg(out, err); }
};

} // namespace

class TestCrashResume final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void chainedCrashes_everyBoundaryOfOneScaleInAndOneScaleOut_resumedToTheSameEnd();
    void crashAtEveryBoundary_resumed_sameClusterAndRows();
    void mnodeOnALeavingDnode_crashAtItsMoveSteps_resumedWithThreeMnodes();
    void noRightToWriteConfigMaps_scaleFromTheCommandLine_runsAndSaysSoOnStderrOnce();
    void twoWorkstations_killedScaleInTakenOverAfterTheLease_firstLearnsItWasFinished();
    void abandon_refusedElsewhereWhileLeased_thenRecordedAndLeaseReleased();
    void configure_killedMidRoll_resumedToEveryDnodeOnTheNewValue();
    void upgrade_killedMidRoll_resumedToEveryDnodeOnTheNewVersion();
    void configure_writtenToDuringTheRoll_noWriteFailsLongerThanAnElection();

private:
    bool startSandbox();
    Outcome tdkube(const QStringList &arguments, const QString &crashAt = {});
    QStringList scaleArguments(int replicas) const;
    QStringList resumeArguments(const QString &id) const;
    int stepCount(int replicas);
    QStringList stepTitles(int replicas);
    QList<taos::Mnode> mnodes();
    static QStringList everyBoundary(int steps);
    void crashAndResume(int replicas, const QString &crashAt);
    void crashChain(int replicas, const QStringList &boundaries);
    void checkStoppedAt(const QString &crashAt, const QString &when, QString *id);
    void checkSeenElsewhere(const QString &id, const QString &listedHere, const QString &when);
    Outcome elsewhere(const QStringList &arguments);
    Outcome colleague(const QStringList &arguments);
    void expireLeaseIn(int ms);
    void checkNoClaimLostEarly(const QString &when);
    void checkEndState(int replicas, const QString &when);
    taos::QueryOutcome sql(const QString &statement);
    QList<taos::Dnode> dnodes();
    QStringList names(const kube::ResourceKind &kind);

    QTemporaryDir m_dir;
    QProcess m_sandbox;
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
    QProcessEnvironment m_environment;
};

bool TestCrashResume::startSandbox()
{
    m_sandbox.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QString error;
    m_client = startSandboxProcess(&m_sandbox, QStringLiteral(TDKUBE_SANDBOX_PATH), m_dir.path(),
                                   onRealTaosd() ? realTaosdDir() : QString(), kContext, &error);
    if (!m_client)
        qWarning("%s", qPrintable(error));
    return m_client != nullptr;
}

void TestCrashResume::initTestCase()
{
    if (onRealTaosd() && !QFileInfo::exists(realTaosdDir() + u"/bin/taosd"_s))
        QSKIP("the run on real taosd needs a TDengine build: TDKUBE_REAL_TAOSD=DIR, or "
              "TDKUBE_REAL_TAOSD_3_0=DIR "
              "for the run on 3.0 (packaging/test.sh builds both from ../shared/tdengine)");
    QVERIFY(m_dir.isValid());
    QVERIFY(startSandbox());
    m_passwords = std::make_unique<taos::PasswordStore>();
    m_passwords->setKeychainEnabled(false);

    m_environment = tdkubeEnvironment(m_dir.path());

    QVERIFY(createNamespace(m_client.get(), kNs));
    QString error;
    QVERIFY2(applyManifests(m_client.get(), kNs, &error), qPrintable(error));
    deploy::DeployMonitor monitor(m_client.get(), m_passwords.get(),
                                  deploy::DeployTarget{kContext, kNs, kSet, 3, true});
    monitor.setPollInterval(50);
    std::optional<bool> deployed;
    QString message;
    connect(&monitor, &deploy::DeployMonitor::finished, this, [&](bool ok, const QString &text) {
        deployed = ok;
        message = text;
    });
    monitor.start();
    QVERIFY(QTest::qWaitFor([&] { return deployed.has_value(); }, kProcessMs));
    QVERIFY2(*deployed, qPrintable(message));

    for (const QString &statement : {u"create database r3 replica 3 vgroups 4"_s,
                                     u"create stable r3.meters (ts timestamp, v int) tags (loc int)"_s,
                                     u"create table r3.plain (ts timestamp, v int)"_s,
                                     u"insert into r3.plain values (now, 1) (now+1s, 2) (now+2s, 3)"_s}) {
        const taos::QueryOutcome outcome = sql(statement);
        QVERIFY2(outcome.ok(), qPrintable(statement + u": "_s + outcome.error.describe()));
    }
    for (int t = 0; t < 4; ++t) {
        const QString statement = u"insert into r3.d%1 using r3.meters tags (%1) values (now, 1) (now+1s, 2) "
                                  u"(now+2s, 3) (now+3s, 4) (now+4s, 5)"_s.arg(t);
        const taos::QueryOutcome outcome = sql(statement);
        QVERIFY2(outcome.ok(), qPrintable(statement + u": "_s + outcome.error.describe()));
    }
    checkEndState(3, u"after deploying"_s);
}

void TestCrashResume::cleanupTestCase()
{
    m_client.reset();
    m_sandbox.terminate();
    if (!m_sandbox.waitForFinished(10000))
        m_sandbox.kill();
    m_sandbox.waitForFinished(2000);
}

// The tdkube binary, as a person runs it; stdout and stderr are kept for the failure messages.
Outcome TestCrashResume::tdkube(const QStringList &arguments, const QString &crashAt)
{
    QProcess process;
    QProcessEnvironment environment = m_environment;
    if (!crashAt.isEmpty())
        environment.insert(u"TDKUBE_TEST_CRASH_AT"_s, crashAt);
    process.setProcessEnvironment(environment);
    endWithTheTest(&process);
    process.start(QStringLiteral(TDKUBE_PATH), arguments);
    Outcome outcome;
    if (!process.waitForStarted() || !process.waitForFinished(kProcessMs)) {
        process.kill();
        process.waitForFinished();
        outcome.err = u"tdkube did not finish: "_s + process.errorString();
    } else if (process.exitStatus() == QProcess::NormalExit) {
        outcome.exitCode = process.exitCode();
    }
    outcome.out += QString::fromUtf8(process.readAllStandardOutput());
    outcome.err += QString::fromUtf8(process.readAllStandardError());
    return outcome;
}

QStringList TestCrashResume::scaleArguments(int replicas) const
{
    QStringList arguments = scaleCommand(m_dir.filePath(u"kubeconfig"_s), kContext, kNs, kSet, replicas);
    if (replicas == 5)
        arguments.append(u"--balance"_s); // so that the scale-in has vnodes to move off
    return arguments;
}

// The number of steps the plan has, from what `tdkube scale` without --yes prints.
int TestCrashResume::stepCount(int replicas)
{
    return int(stepTitles(replicas).size());
}

// The titles of the plan's steps, in order, as `tdkube scale` without --yes prints them.
QStringList TestCrashResume::stepTitles(int replicas)
{
    const Outcome planned = tdkube(scaleArguments(replicas));
    const QRegularExpressionMatch match =
        QRegularExpression(u"dnodes \\((\\d+) steps\\)"_s).match(planned.out);
    if (planned.exitCode != 0 || !match.hasMatch() || !planned.out.contains(u"Nothing was changed."_s)) {
        qWarning("%s", qPrintable(planned.story()));
        return {};
    }
    QStringList titles;
    const QRegularExpression step(u"^  (\\d+)\\. (.+)$"_s, QRegularExpression::MultilineOption);
    for (auto it = step.globalMatch(planned.out); it.hasNext();)
        titles.append(it.next().captured(2));
    if (titles.size() != match.captured(1).toInt()) {
        qWarning("%lld step lines for %s steps:\n%s", qlonglong(titles.size()), qPrintable(match.captured(1)),
                 qPrintable(planned.out));
        return {};
    }
    return titles;
}

QStringList TestCrashResume::resumeArguments(const QString &id) const
{
    return {u"resume"_s, id, u"--kubeconfig"_s, m_dir.filePath(u"kubeconfig"_s)};
}

// "0:before", "0:after", "1:before", ... up to the last step's "after", in the order a run passes them.
QStringList TestCrashResume::everyBoundary(int steps)
{
    QStringList boundaries;
    for (int i = 0; i < steps; ++i)
        boundaries << u"%1:before"_s.arg(i) << u"%1:after"_s.arg(i);
    return boundaries;
}

// One operation killed once, then resumed to its end.
void TestCrashResume::crashAndResume(int replicas, const QString &crashAt)
{
    crashChain(replicas, {crashAt});
}

// One operation killed at each of `boundaries` in turn: `tdkube scale --yes` at the first, the `tdkube
// resume` of that at the second, and so on; a last resume finishes it. A resume starts at the step the
// journal has not marked done (Executor::resume, Journal::resumeIndex) and runs it from the top: after
// "i:before" it passes "i:before" again (Executor::runStep calls crashHook after markRunning, whether
// or not the step was begun) and then "i:after"; after "i:after" it goes on at "i+1:before". So every
// boundary after the one killed at is reached, in order, by the next run: none needs to be skipped. A
// step that finds its work already done still ends through completeStep, which calls crashHook.
void TestCrashResume::crashChain(int replicas, const QStringList &boundaries)
{
    QVERIFY(!boundaries.isEmpty());
    QString id;
    for (qsizetype k = 0; k < boundaries.size(); ++k) {
        const QString &crashAt = boundaries.at(k);
        const QString what = u"scale to %1, run %2 of %3 (%4) killed at %5"_s.arg(replicas)
                                 .arg(k + 1)
                                 .arg(boundaries.size() + 1)
                                 .arg(id.isEmpty() ? u"scale"_s : u"resume"_s, crashAt);
        const Outcome killed =
            tdkube(id.isEmpty() ? scaleArguments(replicas) << u"--yes"_s : resumeArguments(id), crashAt);
        // Exit code 86 and the hook's own line: the kill asked for happened, where it was asked for.
        QVERIFY2(killed.exitCode == kCrashExitCode &&
                     killed.err.contains(u"TDKUBE_TEST_CRASH_AT=%1: exiting"_s.arg(crashAt)),
                 qPrintable(what + u": "_s + killed.story()));
        QVERIFY2(killed.out.contains(id.isEmpty() ? u"Operation "_s : u"Resuming operation "_s + id),
                 qPrintable(what + u": "_s + killed.story()));
        checkNoClaimLostEarly(what);
        if (QTest::currentTestFailed())
            return;
        QString listed;
        checkStoppedAt(crashAt, what, &listed);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(id.isEmpty() || listed == id,
                 qPrintable(what + u": operation "_s + listed + u", not "_s + id));
        id = listed;
    }

    const QString what = u"scale to %1 killed at %2"_s.arg(replicas).arg(boundaries.join(u", "_s));
    const Outcome resumed = tdkube(resumeArguments(id));
    QVERIFY2(resumed.exitCode == 0, qPrintable(what + u", resumed: "_s + resumed.story()));
    QVERIFY2(resumed.out.contains(u"Resuming operation "_s + id), qPrintable(resumed.story()));
    checkEndState(replicas, what + u", then resumed"_s);
    QCOMPARE(tdkube({u"operations"_s}).out.left(26), u"No unfinished operations ("_s);
    // Another workstation sees it finished, in the cluster.
    const Outcome seen =
        elsewhere({u"operations"_s, u"--kubeconfig"_s, m_dir.filePath(u"kubeconfig"_s), u"-n"_s, kNs});
    QVERIFY2(seen.exitCode == 0 && seen.out.contains(u"No unfinished operations ("_s) &&
                 QRegularExpression(u"^%1  sandbox-admin/crash/tdengine  Scale tdengine .*  \\(from the "
                                    u"cluster\\)\n    started .* by sandbox-admin@%2; finished$"_s.arg(
                                        id, QRegularExpression::escape(QSysInfo::machineHostName())),
                                    QRegularExpression::MultilineOption)
                     .match(seen.out)
                     .hasMatch(),
             qPrintable(what + u": "_s + seen.story()));
}

// `tdkube` as run on another workstation: no journal of its own (another XDG_DATA_HOME).
Outcome TestCrashResume::elsewhere(const QStringList &arguments)
{
    const QProcessEnvironment here = m_environment;
    m_environment.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(u"elsewhere"_s));
    const Outcome outcome = tdkube(arguments);
    m_environment = here;
    return outcome;
}

// `tdkube operations` of another workstation lists the operation from the cluster, where it stopped as
// this one's journal says (`listedHere`: this workstation's listing), started by the kubeconfig user
// here; this workstation lists it once, from its journal.
void TestCrashResume::checkSeenElsewhere(const QString &id, const QString &listedHere, const QString &when)
{
    const QStringList list{u"operations"_s, u"--kubeconfig"_s, m_dir.filePath(u"kubeconfig"_s), u"-n"_s, kNs};
    const QRegularExpressionMatch local =
        QRegularExpression(u"^    started (.+); (.+)$"_s, QRegularExpression::MultilineOption)
            .match(listedHere);
    QVERIFY2(local.hasMatch(), qPrintable(when + u": "_s + listedHere));
    const Outcome seen = elsewhere(list);
    const QString expected = u"%1  sandbox-admin/crash/tdengine  Scale tdengine"_s.arg(id);
    const QString started = u"    started %1 by sandbox-admin@%2; %3"_s.arg(
        local.captured(1), QSysInfo::machineHostName(), local.captured(2));
    QVERIFY2(seen.exitCode == 0 && seen.out.startsWith(u"No unfinished operations ("_s) &&
                 seen.out.contains(expected) && seen.out.contains(u"(from the cluster)"_s) &&
                 seen.out.contains(started + u'\n'),
             qPrintable(when + u": expected \""_s + started + u"\"\n"_s + seen.story()));
    const Outcome here = tdkube(list);
    QVERIFY2(here.exitCode == 0 && here.out.count(id) == 1 && !here.out.contains(u"(from the cluster)"_s),
             qPrintable(when + u": "_s + here.story()));
}

// `tdkube operations` lists exactly one unfinished operation, the scale, stopped where `crashAt` says;
// its ID goes to `id`.
void TestCrashResume::checkStoppedAt(const QString &crashAt, const QString &when, QString *id)
{
    const Outcome listed = tdkube({u"operations"_s});
    QCOMPARE(listed.exitCode, 0);
    const QRegularExpressionMatch operation =
        QRegularExpression(u"^(\\S+)  sandbox-admin/crash/tdengine  Scale tdengine"_s,
                           QRegularExpression::MultilineOption)
            .match(listed.out);
    QVERIFY2(operation.hasMatch(), qPrintable(when + u": "_s + listed.story()));
    QVERIFY2(listed.out.startsWith(u"1 unfinished operation(s)"_s),
             qPrintable(when + u": "_s + listed.story()));
    const int index = crashAt.section(u':', 0, 0).toInt();
    const QString where = crashAt.endsWith(u"before"_s) ? u"stopped during step %1 of"_s.arg(index + 1)
                                                        : u"stopped before step %1 of"_s.arg(index + 2);
    QVERIFY2(listed.out.contains(where) ||
                 (crashAt.endsWith(u"after"_s) && listed.out.contains(u"stopped after"_s)),
             qPrintable(when + u": expected \""_s + where + u"\"\n"_s + listed.story()));
    *id = operation.captured(1);
    checkSeenElsewhere(*id, listed.out, when);
}

// A claim of a leaving ordinal may be gone only once its pod is gone and its dnode was dropped.
void TestCrashResume::checkNoClaimLostEarly(const QString &when)
{
    // Claims last: with tdkube killed nothing deletes a claim, while the StatefulSet may still be
    // creating pods (each after its claim) that register dnodes. A claim missing at the end was
    // missing when the dnodes and pods were read.
    const QList<taos::Dnode> now = dnodes();
    QVERIFY2(!now.isEmpty(), qPrintable(when + u": ins_dnodes could not be read"_s));
    const QStringList pods = names(kube::ResourceKind::pods());
    const QStringList claims = names(kube::ResourceKind::persistentVolumeClaims());
    for (int ordinal = 0; ordinal < 5; ++ordinal) {
        const QString pod = kSet + u'-' + QString::number(ordinal);
        if (claims.contains(u"taosdata-"_s + pod))
            continue;
        QVERIFY2(!pods.contains(pod),
                 qPrintable(when + u": claim of "_s + pod + u" deleted, the pod exists"_s));
        for (const taos::Dnode &dnode : now)
            QVERIFY2(
                taos::podOfEndpoint(dnode.endpoint) != pod,
                qPrintable(u"%1: claim of %2 deleted while dnode %3 is %4"_s.arg(when, pod).arg(dnode.id).arg(
                    dnode.status)));
    }
}

void TestCrashResume::checkEndState(int replicas, const QString &when)
{
    QStringList expected;
    QStringList expectedClaims;
    for (int ordinal = 0; ordinal < replicas; ++ordinal) {
        expected.append(kSet + u'-' + QString::number(ordinal));
        expectedClaims.append(u"taosdata-"_s + expected.last());
    }
    QCOMPARE(names(kube::ResourceKind::pods()), expected);
    QCOMPARE(names(kube::ResourceKind::persistentVolumeClaims()), expectedClaims);
    const QList<taos::Dnode> now = dnodes();
    QStringList dnodePods;
    for (const taos::Dnode &dnode : now) {
        QVERIFY2(dnode.status == u"ready",
                 qPrintable(u"%1: dnode %2 is %3"_s.arg(when).arg(dnode.id).arg(dnode.status)));
        dnodePods.append(taos::podOfEndpoint(dnode.endpoint));
    }
    dnodePods.sort();
    QCOMPARE(dnodePods, expected);
    for (auto it = kRows.cbegin(); it != kRows.cend(); ++it) {
        const taos::QueryOutcome count = sql(u"select count(*) from "_s + it.key());
        QVERIFY2(count.ok() && count.result.rowCount() == 1,
                 qPrintable(when + u": "_s + count.error.describe()));
        QVERIFY2(count.result.int64(0, 0) == it.value(),
                 qPrintable(u"%1: %2 has %3 rows, not %4"_s.arg(when, it.key())
                                .arg(count.result.int64(0, 0))
                                .arg(it.value())));
    }
}

// One statement through a port-forward and REST client of the test's own.
taos::QueryOutcome TestCrashResume::sql(const QString &statement)
{
    return sqlThroughForward(m_client.get(), kNs, kSet, statement);
}

QList<taos::Dnode> TestCrashResume::dnodes()
{
    const taos::QueryOutcome outcome = sql(u"select * from information_schema.ins_dnodes"_s);
    return outcome.ok() ? taos::dnodesFrom(outcome.result) : QList<taos::Dnode>{};
}

QList<taos::Mnode> TestCrashResume::mnodes()
{
    const taos::QueryOutcome outcome = sql(u"select * from information_schema.ins_mnodes"_s);
    return outcome.ok() ? taos::mnodesFrom(outcome.result) : QList<taos::Mnode>{};
}

QStringList TestCrashResume::names(const kube::ResourceKind &kind)
{
    const kube::KubeResponse response = await(
        [&](QObject *context, kube::KubeClient::Done done) { m_client->list(kind, kNs, {}, context, done); });
    QStringList result;
    for (const QJsonValue &item : response.json().value(u"items").toArray())
        result.append(kube::nameOf(item.toObject()));
    result.sort();
    return result;
}

// A scale-out 3 -> 5 and then a scale-in 5 -> 3, each killed at every one of its step boundaries in a
// row, each resume killed at the next (crashChain): both operations' boundaries once, in 2 operations.
void TestCrashResume::chainedCrashes_everyBoundaryOfOneScaleInAndOneScaleOut_resumedToTheSameEnd()
{
    if (names(kube::ResourceKind::pods()).size() != 3)
        QCOMPARE(tdkube(scaleArguments(3) << u"--yes"_s).exitCode, 0);
    const int outSteps = stepCount(5);
    QVERIFY(outSteps >= 4);
    crashChain(5, everyBoundary(outSteps));
    if (QTest::currentTestFailed())
        return;
    // The scale-in plan is known once there is something to scale in.
    const int inSteps = stepCount(3);
    QVERIFY(inSteps >= 6);
    crashChain(3, everyBoundary(inSteps));
    if (QTest::currentTestFailed())
        return;
    qInfo("a scale-out killed at its %d boundaries and a scale-in at its %d, each kill resumed", 2 * outSteps,
          2 * inSteps);
}

// Every boundary "i:before" and "i:after" of both plans, each in an operation of its own, alternating
// scale-out and scale-in; the shorter list is padded with runs that are not killed.
void TestCrashResume::crashAtEveryBoundary_resumed_sameClusterAndRows()
{
    if (onRealTaosd() && qEnvironmentVariableIntValue("TDKUBE_CRASHRESUME_EVERY_BOUNDARY") != 1)
        QSKIP(
            "on real taosd the chained test covers every boundary in CI; this per-boundary matrix (25 to 40 "
            "minutes) runs by hand with TDKUBE_CRASHRESUME_EVERY_BOUNDARY=1");
    if (names(kube::ResourceKind::pods()).size() != 3)
        QCOMPARE(tdkube(scaleArguments(3) << u"--yes"_s).exitCode, 0);
    const int outSteps = stepCount(5);
    QVERIFY(outSteps >= 4);
    QStringList outBoundaries = everyBoundary(outSteps);
    crashAndResume(5, outBoundaries.takeFirst());
    if (QTest::currentTestFailed())
        return;
    const int inSteps = stepCount(3);
    QVERIFY(inSteps >= 6);
    QStringList inBoundaries = everyBoundary(inSteps);
    if (onRealTaosd())
        outBoundaries.clear(); // the scale-outs between run whole

    while (!inBoundaries.isEmpty() || !outBoundaries.isEmpty()) {
        if (!inBoundaries.isEmpty())
            crashAndResume(3, inBoundaries.takeFirst());
        else
            QCOMPARE(tdkube(scaleArguments(3) << u"--yes"_s).exitCode, 0);
        if (QTest::currentTestFailed())
            return;
        if (!outBoundaries.isEmpty())
            crashAndResume(5, outBoundaries.takeFirst());
        else if (!inBoundaries.isEmpty())
            QCOMPARE(tdkube(scaleArguments(5) << u"--yes"_s).exitCode, 0);
        if (QTest::currentTestFailed())
            return;
    }
    qInfo("%d scale-out and %d scale-in boundaries, each killed and resumed",
          onRealTaosd() ? 1 : 2 * outSteps, 2 * inSteps);
}

// An mnode on a dnode that leaves (seed 001: move it first): the scale-in drops it there and creates
// its replacement on a staying dnode. The process is killed at each boundary of those two steps; once
// resumed, the cluster has 3 mnodes on the staying dnodes, one of them the leader, and the same rows.
void TestCrashResume::mnodeOnALeavingDnode_crashAtItsMoveSteps_resumedWithThreeMnodes()
{
    if (onRealTaosd())
        QSKIP("on real taosd, the mnode move of a scale-in runs uninterrupted in tst_operations_realtaosd");
    if (names(kube::ResourceKind::pods()).size() != 3)
        QCOMPARE(tdkube(scaleArguments(3) << u"--yes"_s).exitCode, 0);
    QStringList boundaries{u"before"_s, u"after"_s};
    for (int move = 0; move < 4; ++move) {
        const Outcome out = tdkube(scaleArguments(5) << u"--yes"_s);
        QVERIFY2(out.exitCode == 0, qPrintable(out.story()));
        // Hand the mnode of tdengine-2 over to tdengine-4, as a person may have done.
        int from = 0;
        int to = 0;
        for (const taos::Dnode &dnode : dnodes()) {
            from = taos::podOfEndpoint(dnode.endpoint) == kSet + u"-2"_s ? dnode.id : from;
            to = taos::podOfEndpoint(dnode.endpoint) == kSet + u"-4"_s ? dnode.id : to;
        }
        QVERIFY(from > 0 && to > 0);
        for (const QString &statement :
             {u"drop mnode on dnode %1"_s.arg(from), u"create mnode on dnode %1"_s.arg(to)}) {
            const taos::QueryOutcome outcome = sql(statement);
            QVERIFY2(outcome.ok(), qPrintable(statement + u": "_s + outcome.error.describe()));
        }
        const QStringList titles = stepTitles(3);
        const qsizetype drop = titles.indexOf(u"drop mnode on dnode %1"_s.arg(to));
        QVERIFY2(drop >= 0 && titles.value(drop + 1).startsWith(u"create mnode on dnode "_s),
                 qPrintable(titles.join(u'\n')));
        // Boundaries 0..3: before and after the drop, then before and after the create.
        const qsizetype step = drop + move / 2;
        crashAndResume(3, u"%1:%2"_s.arg(step).arg(boundaries.at(move % 2)));
        if (QTest::currentTestFailed())
            return;
        const QList<taos::Mnode> now = mnodes();
        QCOMPARE(now.size(), 3);
        int leaders = 0;
        for (const taos::Mnode &mnode : now) {
            QVERIFY2(mnode.status == u"ready", qPrintable(mnode.endpoint + u" is "_s + mnode.status));
            QVERIFY2(taos::podOfEndpoint(mnode.endpoint) != kSet + u"-4"_s, qPrintable(mnode.endpoint));
            leaders += mnode.role == u"leader" ? 1 : 0;
        }
        QCOMPARE(leaders, 1);
    }
}

// A kubeconfig user who may do everything an operation does but not write ConfigMaps (the sandbox's
// sandbox-operator, whose token is in its tokens.json): `tdkube scale --yes` runs to its end and says once,
// on stderr, that other workstations will not see the operation, with the API server's words; the cluster
// holds no record of it.
void TestCrashResume::noRightToWriteConfigMaps_scaleFromTheCommandLine_runsAndSaysSoOnStderrOnce()
{
    if (onRealTaosd())
        QSKIP("what is checked here does not depend on TDengine");
    if (names(kube::ResourceKind::pods()).size() != 3)
        QCOMPARE(tdkube(scaleArguments(3) << u"--yes"_s).exitCode, 0);
    QFile tokens(m_dir.filePath(u"sandbox/tokens.json"_s));
    QVERIFY(tokens.open(QIODevice::ReadOnly));
    const QString token = QJsonDocument::fromJson(tokens.readAll()).object().value(u"operator").toString();
    QVERIFY(!token.isEmpty());
    const auto sandbox = kube::Kubeconfig::load({m_dir.filePath(u"kubeconfig"_s)}).cluster(u"sandbox"_s);
    QVERIFY(sandbox.has_value());
    const QJsonObject cluster{
        {u"server"_s, sandbox->server},
        {u"certificate-authority-data"_s, QString::fromLatin1(sandbox->certificateAuthorityData.toBase64())}};
    const QJsonObject config{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"Config"_s},
        {u"clusters"_s, QJsonArray{QJsonObject{{u"name"_s, u"sandbox"_s}, {u"cluster"_s, cluster}}}},
        {u"users"_s, QJsonArray{QJsonObject{{u"name"_s, u"sandbox-operator"_s},
                                            {u"user"_s, QJsonObject{{u"token"_s, token}}}}}},
        {u"contexts"_s, QJsonArray{QJsonObject{{u"name"_s, u"sandbox-operator"_s},
                                               {u"context"_s, QJsonObject{{u"cluster"_s, u"sandbox"_s},
                                                                          {u"user"_s, u"sandbox-operator"_s},
                                                                          {u"namespace"_s, kNs}}}}}},
        {u"current-context"_s, u"sandbox-operator"_s}};
    const QString kubeconfig = m_dir.filePath(u"operator.kubeconfig"_s);
    QFile file(kubeconfig);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(config).toJson());
    file.close();

    const Outcome run = tdkube(scaleCommand(kubeconfig, u"sandbox-operator"_s, kNs, kSet, 4) << u"--yes"_s);
    QVERIFY2(run.exitCode == 0, qPrintable(run.story()));
    QVERIFY2(run.err.count(u"Other workstations will not see this operation"_s) == 1 &&
                 run.err.contains(u"Forbidden: configmaps is forbidden: User \"sandbox-operator\" cannot "
                                  u"create resource \"configmaps\""_s),
             qPrintable(run.story()));
    const QString id = QRegularExpression(u"Operation (\\S+) started\\."_s).match(run.out).captured(1);
    QVERIFY2(!id.isEmpty(), qPrintable(run.story()));
    const Outcome seen =
        elsewhere({u"operations"_s, u"--kubeconfig"_s, m_dir.filePath(u"kubeconfig"_s), u"-n"_s, kNs});
    QVERIFY2(seen.exitCode == 0 && !seen.out.contains(id), qPrintable(seen.story()));
    QCOMPARE(tdkube(scaleArguments(3) << u"--yes"_s).exitCode, 0);
    checkEndState(3, u"scaled back in by the admin"_s);
}

// `tdkube` of a colleague on another workstation: other journals, another login name (the lease's holder)
// and another kubeconfig, whose user and context are called "colleague" (the same rights as the admin).
Outcome TestCrashResume::colleague(const QStringList &arguments)
{
    const QString kubeconfig = m_dir.filePath(u"colleague.kubeconfig"_s);
    if (!QFileInfo::exists(kubeconfig)) {
        QFile admin(m_dir.filePath(u"kubeconfig"_s));
        QFile copy(kubeconfig);
        if (!admin.open(QIODevice::ReadOnly) || !copy.open(QIODevice::WriteOnly))
            return {-1, {}, u"cannot write "_s + kubeconfig};
        copy.write(QString::fromUtf8(admin.readAll()).replace(kContext, u"colleague"_s).toUtf8());
    }
    QStringList withConfig = arguments;
    withConfig << u"--kubeconfig"_s << kubeconfig << u"-n"_s << kNs;
    const QProcessEnvironment here = m_environment;
    m_environment.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(u"colleague"_s));
    m_environment.insert(u"USER"_s, u"colleague"_s);
    const Outcome outcome = tdkube(withConfig);
    m_environment = here;
    return outcome;
}

// The StatefulSet's operation lease made to expire `ms` from now, as the lease of a tdkube killed that
// long before its two minutes were up: time passing, not a change of who holds it.
void TestCrashResume::expireLeaseIn(int ms)
{
    const kube::KubeResponse read = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->get(kube::ResourceKind::statefulSets(), kNs, kSet, context, done);
    });
    QVERIFY2(read.ok(), qPrintable(read.error));
    const QString text = kube::valueAt(read.json(), u"metadata.annotations"_s)
                             .toObject()
                             .value(ops::Lease::kAnnotation)
                             .toString();
    ops::LeaseRecord lease = ops::LeaseRecord::fromJson(QJsonDocument::fromJson(text.toUtf8()).object());
    QVERIFY2(lease.isValid(), qPrintable(text));
    lease.expires = QDateTime::currentDateTimeUtc().addMSecs(ms);
    const QJsonObject patch{
        {u"metadata"_s,
         QJsonObject{{u"annotations"_s,
                      QJsonObject{{ops::Lease::kAnnotation,
                                   QString::fromUtf8(
                                       QJsonDocument(lease.toJson()).toJson(QJsonDocument::Compact))}}}}}};
    const kube::KubeResponse written = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->patch(kube::ResourceKind::statefulSets(), kNs, kSet, QJsonDocument(patch).toJson(),
                        "application/merge-patch+json", context, done);
    });
    QVERIFY2(written.ok(), qPrintable(written.error));
}

// Issue 19's two workstations: the admin's tdkube (A) is killed half-way through a scale-in; a colleague's
// (B) lists it from the cluster, is refused while A's lease lasts (nothing changed, no journal written),
// waits for it to expire, takes the operation over and finishes it. A's next `tdkube operations` learns
// from the cluster that B finished it, and A's journal says so.
void TestCrashResume::twoWorkstations_killedScaleInTakenOverAfterTheLease_firstLearnsItWasFinished()
{
    if (names(kube::ResourceKind::pods()).size() != 5) {
        const Outcome out = tdkube(scaleArguments(5) << u"--yes"_s);
        QVERIFY2(out.exitCode == 0, qPrintable(out.story()));
    }
    const QString crashAt = u"2:after"_s;
    const Outcome killed = tdkube(scaleArguments(3) << u"--yes"_s, crashAt);
    QVERIFY2(killed.exitCode == kCrashExitCode, qPrintable(killed.story()));
    QString id;
    checkStoppedAt(crashAt, u"A killed"_s, &id);
    if (QTest::currentTestFailed())
        return;
    const QString admin = u"sandbox-admin@"_s + QSysInfo::machineHostName();
    const QString journalOfB = m_dir.filePath(u"colleague/tdkube/tdkube/operations/%1.json"_s.arg(id));

    const Outcome listed = colleague({u"operations"_s});
    QVERIFY2(listed.exitCode == 0 && listed.out.startsWith(u"No unfinished operations ("_s) &&
                 listed.out.contains(u"%1  sandbox-admin/crash/tdengine  Scale tdengine in"_s.arg(id)) &&
                 listed.out.contains(u"(from the cluster)\n    started "_s) &&
                 listed.out.contains(u" by %1; stopped before step 4 of "_s.arg(admin)),
             qPrintable(listed.story()));

    // A's lease lasts two minutes after the kill: B does not wait that long here, and changes nothing.
    const QStringList podsBefore = names(kube::ResourceKind::pods());
    const Outcome early = colleague({u"resume"_s, id, u"--wait"_s, u"1"_s});
    QVERIFY2(early.exitCode == 1 && early.err.contains(u"operation lease is held by "_s) &&
                 early.err.contains(u"/%1 until "_s.arg(id)) && early.err.contains(u"Nothing was changed."_s),
             qPrintable(early.story()));
    QVERIFY(!QFileInfo::exists(journalOfB));
    QCOMPARE(names(kube::ResourceKind::pods()), podsBefore);

    expireLeaseIn(3000);
    const Outcome resumed = colleague({u"resume"_s, id});
    QVERIFY2(resumed.exitCode == 0 &&
                 resumed.out.contains(u"Waiting for StatefulSet tdengine's operation lease, held by "_s) &&
                 resumed.out.contains(u"Taking operation %1 over from %2"_s.arg(id, admin)) &&
                 resumed.out.contains(u"Resuming operation %1"_s.arg(id)),
             qPrintable(resumed.story()));
    checkEndState(3, u"taken over by B"_s);
    QCOMPARE(ops::Journal::load(journalOfB).status(), ops::Journal::Status::Finished);
    QCOMPARE(ops::Journal::load(journalOfB).plan().context, u"colleague"_s);

    // A learns it from the cluster: its journal is brought up to the record, nothing is left to resume.
    const QString colleagueAt = u"colleague@"_s + QSysInfo::machineHostName();
    const Outcome learned =
        tdkube({u"operations"_s, u"--kubeconfig"_s, m_dir.filePath(u"kubeconfig"_s), u"-n"_s, kNs});
    QVERIFY2(learned.exitCode == 0 && learned.out.contains(u"Operation %1 (Scale tdengine in"_s.arg(id)) &&
                 learned.out.contains(
                     u") was finished by %1 (recorded in the cluster); this workstation's journal "
                     u"of it now says so."_s.arg(colleagueAt)) &&
                 learned.out.contains(u"No unfinished operations ("_s),
             qPrintable(learned.story()));
    const Outcome again = tdkube(resumeArguments(id));
    QVERIFY2(again.exitCode == 1 &&
                 again.err.contains(u"Operation %1 is finished: there is nothing to resume."_s.arg(id)),
             qPrintable(again.story()));
}

// `tdkube abandon` of a killed scale-out: a colleague cannot abandon it while the lease of the killed
// tdkube lasts (it may be running there); the workstation that ran it can, and then the cluster's record
// says abandoned, its lease is gone, and the next operation runs at once.
void TestCrashResume::abandon_refusedElsewhereWhileLeased_thenRecordedAndLeaseReleased()
{
    if (onRealTaosd())
        QSKIP("what is checked here does not depend on TDengine");
    if (names(kube::ResourceKind::pods()).size() != 3)
        QCOMPARE(tdkube(scaleArguments(3) << u"--yes"_s).exitCode, 0);
    const QString crashAt = u"0:after"_s;
    const Outcome killed = tdkube(scaleArguments(4) << u"--yes"_s, crashAt);
    QVERIFY2(killed.exitCode == kCrashExitCode, qPrintable(killed.story()));
    QString id;
    checkStoppedAt(crashAt, u"killed"_s, &id);
    if (QTest::currentTestFailed())
        return;

    const Outcome refused = colleague({u"abandon"_s, id});
    QVERIFY2(refused.exitCode == 1 &&
                 refused.err.contains(u"Operation %1 is running on another workstation ("_s.arg(id)) &&
                 refused.err.contains(u"abandoning it here would not stop it there. Nothing was changed."_s),
             qPrintable(refused.story()));
    QVERIFY(!QFileInfo::exists(m_dir.filePath(u"colleague/tdkube/tdkube/operations/%1.json"_s.arg(id))));

    const Outcome abandoned = tdkube({u"abandon"_s, id, u"--kubeconfig"_s, m_dir.filePath(u"kubeconfig"_s)});
    QVERIFY2(abandoned.exitCode == 0 && abandoned.out.contains(u"Abandoned operation %1"_s.arg(id)) &&
                 abandoned.err.isEmpty(),
             qPrintable(abandoned.story()));
    const Outcome seen = colleague({u"operations"_s});
    QVERIFY2(seen.out.contains(u"%1  sandbox-admin/crash/tdengine  Scale tdengine out"_s.arg(id)) &&
                 QRegularExpression(u"by sandbox-admin@\\S+; abandoned\n"_s).match(seen.out).hasMatch(),
             qPrintable(seen.story()));
    const Outcome colleagueAgain = colleague({u"resume"_s, id});
    QVERIFY2(
        colleagueAgain.exitCode == 1 &&
            colleagueAgain.err.contains(u"Operation %1 is abandoned (last run by sandbox-admin@"_s.arg(id)),
        qPrintable(colleagueAgain.story()));
    // No lease is left: the next operation starts at once (it would be refused for two minutes).
    const Outcome next = tdkube(scaleArguments(3) << u"--yes"_s);
    QVERIFY2(next.exitCode == 0, qPrintable(next.story()));
    checkEndState(3, u"scaled back after the abandon"_s);
}

// `tdkube configure` of a setting taosd reads at start, killed as the second pod's restart begins: the
// StatefulSet holds the pods not restarted yet on the old template, and `tdkube resume` finishes the roll;
// every dnode then runs with the new value (on real taosd: taos.cfg written from the pod's TAOS_*).
void TestCrashResume::configure_killedMidRoll_resumedToEveryDnodeOnTheNewValue()
{
    if (names(kube::ResourceKind::pods()).size() != 3)
        QCOMPARE(tdkube(scaleArguments(3) << u"--yes"_s).exitCode, 0);
    const QStringList configure{u"configure"_s,
                                u"--cluster"_s,
                                kSet,
                                u"--set"_s,
                                u"supportVnodes=21"_s,
                                u"--kubeconfig"_s,
                                m_dir.filePath(u"kubeconfig"_s),
                                u"-n"_s,
                                kNs,
                                u"--yes"_s};
    const QString crashAt = u"3:before"_s; // the step that restarts tdengine-1
    const Outcome killed = tdkube(configure, crashAt);
    QVERIFY2(killed.exitCode == kCrashExitCode, qPrintable(killed.story()));
    // Killed right after the journal marked step 4 running: tdengine-2 restarted, tdengine-1 not yet.
    QVERIFY2(killed.out.contains(u"done: Pod tdengine-2 restarted on the new template"_s),
             qPrintable(killed.story()));
    const QString id = QRegularExpression(u"Operation (\\S+) started\\."_s).match(killed.out).captured(1);
    QVERIFY2(!id.isEmpty(), qPrintable(killed.story()));

    const Outcome resumed = tdkube(resumeArguments(id));
    QVERIFY2(resumed.exitCode == 0 &&
                 resumed.out.contains(u"Change the configuration of tdengine (6 steps): done."_s),
             qPrintable(resumed.story()));
    const QList<taos::Dnode> now = dnodes();
    QCOMPARE(now.size(), 3);
    for (const taos::Dnode &dnode : now) {
        QVERIFY2(dnode.status == u"ready" && dnode.supportVnodes == 21,
                 qPrintable(u"dnode %1: %2, support_vnodes %3"_s.arg(dnode.id)
                                .arg(dnode.status)
                                .arg(dnode.supportVnodes)));
    }
    checkEndState(3, u"configured after a kill mid-roll"_s);
}

// `tdkube upgrade` to a new image, killed as the second pod's restart begins, then `tdkube resume`: every
// pod on the new image and every dnode saying (its `version` variable) that it runs the new version. The
// simulator runs the version its image's tag names: 3.0.7.1 -> 3.0.7.3. Real taosd runs one build whatever
// the tag: there the new image names the version it runs (another image of the same version), so that
// the per-dnode check reads real TDengine's own `version`.
void TestCrashResume::upgrade_killedMidRoll_resumedToEveryDnodeOnTheNewVersion()
{
    if (names(kube::ResourceKind::pods()).size() != 3)
        QCOMPARE(tdkube(scaleArguments(3) << u"--yes"_s).exitCode, 0);
    QString version = u"3.0.7.3"_s;
    if (onRealTaosd()) {
        const taos::QueryOutcome running = sql(u"select server_version()"_s);
        QVERIFY2(running.ok() && running.result.rowCount() == 1, qPrintable(running.error.describe()));
        version = running.result.text(0, 0).section(u'.', 0, 3);
    }
    const QString image = u"mirror.local/tdengine/tdengine:"_s + version;
    const QStringList upgrade{u"upgrade"_s,
                              u"--cluster"_s,
                              kSet,
                              u"--image"_s,
                              image,
                              u"--kubeconfig"_s,
                              m_dir.filePath(u"kubeconfig"_s),
                              u"-n"_s,
                              kNs,
                              u"--yes"_s};
    const Outcome killed = tdkube(upgrade, u"2:before"_s); // the step that restarts tdengine-1
    QVERIFY2(killed.exitCode == kCrashExitCode, qPrintable(killed.story()));
    QVERIFY2(
        killed.out.contains(u"done: Pod tdengine-2 restarted on the new template; dnode 3 is ready and runs "
                            u"TDengine %1"_s.arg(version)),
        qPrintable(killed.story()));
    const QString id = QRegularExpression(u"Operation (\\S+) started\\."_s).match(killed.out).captured(1);
    QVERIFY2(!id.isEmpty(), qPrintable(killed.story()));

    const Outcome resumed = tdkube(resumeArguments(id));
    QVERIFY2(resumed.exitCode == 0 && resumed.out.contains(u"Upgrade tdengine (5 steps): done."_s),
             qPrintable(resumed.story()));
    const QJsonObject set = await([&](QObject *context, kube::KubeClient::Done done) {
                                m_client->get(kube::ResourceKind::statefulSets(), kNs, kSet, context, done);
                            }).json();
    QCOMPARE(
        kube::valueAt(set, u"spec.template.spec.containers"_s).toArray().at(0).toObject().value(u"image"),
        QJsonValue(image));
    for (const taos::Dnode &dnode : dnodes()) {
        const taos::QueryOutcome shown = sql(u"show dnode %1 variables"_s.arg(dnode.id));
        QVERIFY2(shown.ok(), qPrintable(shown.error.describe()));
        QString running;
        for (qsizetype row = 0; row < shown.result.rowCount(); ++row) {
            if (shown.result.text(row, 1) == u"version") // dnode_id, name, value, ...
                running = shown.result.text(row, 2);
        }
        QVERIFY2(running.startsWith(version), qPrintable(u"dnode %1 runs %2"_s.arg(dnode.id).arg(running)));
    }
    checkEndState(3, u"upgraded after a kill mid-roll"_s);
}

// A replica-3 database written to (a row every 200 ms or so, each through a port-forward of its own to a
// Ready pod, as a client behind the cluster's Service reconnects) while `tdkube configure` restarts the
// three pods one at a time: no write fails for longer than TDengine takes to elect a leader
// (syncElectInterval, read from the cluster, plus the few seconds a client takes to reconnect), and every
// write TDengine acknowledged is there at the end.
void TestCrashResume::configure_writtenToDuringTheRoll_noWriteFailsLongerThanAnElection()
{
    if (names(kube::ResourceKind::pods()).size() != 3)
        QCOMPARE(tdkube(scaleArguments(3) << u"--yes"_s).exitCode, 0);
    for (const QString &statement : {u"create database if not exists w3 replica 3 vgroups 2"_s,
                                     u"create table if not exists w3.t (ts timestamp, v int)"_s}) {
        const taos::QueryOutcome outcome = sql(statement);
        QVERIFY2(outcome.ok(), qPrintable(statement + u": "_s + outcome.error.describe()));
    }
    const taos::QueryOutcome elect = sql(u"show dnode 1 variables like 'syncElectInterval'"_s);
    QVERIFY2(elect.ok() && elect.result.rowCount() == 1, qPrintable(elect.error.describe()));
    const qint64 electMs = elect.result.text(0, 2).toLongLong();
    QVERIFY(electMs > 0);
    const qint64 reconnectMs = 5000;
    const taos::QueryOutcome before = sql(u"select count(*) from w3.t"_s);
    QVERIFY(before.ok());
    const qint64 rowsBefore = before.result.int64(0, 0);

    QProcess process;
    process.setProcessEnvironment(m_environment);
    process.start(QStringLiteral(TDKUBE_PATH),
                  {u"configure"_s, u"--cluster"_s, kSet, u"--set"_s, u"numOfCommitThreads"_s + u"=3"_s,
                   u"--kubeconfig"_s, m_dir.filePath(u"kubeconfig"_s), u"-n"_s, kNs, u"--yes"_s});
    QVERIFY(process.waitForStarted());
    QElapsedTimer clock;
    clock.start();
    int attempted = 0;
    int acknowledged = 0;
    qint64 failingSince = -1;
    qint64 longestOutageMs = 0;
    QString lastError;
    while (process.state() != QProcess::NotRunning && clock.elapsed() < kProcessMs) {
        ++attempted;
        const taos::QueryOutcome written = sql(u"insert into w3.t values (now, %1)"_s.arg(attempted));
        const qint64 now = clock.elapsed();
        if (written.ok()) {
            ++acknowledged;
            if (failingSince >= 0)
                longestOutageMs = std::max(longestOutageMs, now - failingSince);
            failingSince = -1;
        } else {
            lastError = written.error.describe();
            if (failingSince < 0)
                failingSince = now;
        }
        QTest::qWait(200);
    }
    QVERIFY2(process.state() == QProcess::NotRunning || process.waitForFinished(kProcessMs),
             "tdkube configure did not finish");
    const QString out = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             qPrintable(out + QString::fromUtf8(process.readAllStandardError())));
    QVERIFY2(out.contains(u"Change the configuration of tdengine (6 steps): done."_s), qPrintable(out));
    if (failingSince >= 0)
        longestOutageMs = std::max(longestOutageMs, clock.elapsed() - failingSince);
    qInfo("%d writes during the roll, %d acknowledged; the longest run of failing writes lasted %lld ms "
          "(syncElectInterval %lld ms); last error: %s",
          attempted, acknowledged, longestOutageMs, electMs, qPrintable(lastError));
    QVERIFY(acknowledged > 0);
    QVERIFY2(
        longestOutageMs <= electMs + reconnectMs,
        qPrintable(u"writes failed for %1 ms in a row (last: %2)"_s.arg(longestOutageMs).arg(lastError)));
    // Every acknowledged write is there; one that failed on the client's side may have committed too.
    // Each write carries its attempt's number (v): a statement delivered twice (an HTTP client may send a
    // request again on a new connection when the old one closed before any answer, as a restarting pod's
    // does) adds a second row with the same v, so the attempts are counted by distinct v.
    const taos::QueryOutcome after = sql(u"select v from w3.t"_s);
    QVERIFY(after.ok());
    const qint64 rows = after.result.rowCount();
    QSet<qint64> distinct;
    for (qsizetype row = 0; row < after.result.rowCount(); ++row)
        distinct.insert(after.result.int64(row, 0));
    const qint64 writes = distinct.size();
    qInfo("%lld rows from %lld distinct writes", rows, writes);
    QVERIFY2(writes >= rowsBefore + acknowledged && writes <= rowsBefore + attempted,
             qPrintable(u"%1 distinct writes (%2 rows), %3 before, %4 acknowledged of %5"_s.arg(writes)
                            .arg(rows)
                            .arg(rowsBefore)
                            .arg(acknowledged)
                            .arg(attempted)));
    checkEndState(3, u"configured while written to"_s);
}

QTEST_GUILESS_MAIN(TestCrashResume)
#include "tst_crashresume.moc"
