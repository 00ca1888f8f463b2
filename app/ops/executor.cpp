#include "ops/executor.h"

#include "kube/humanduration.h"
#include "kube/kubeclient.h"
#include "kube/objects.h"
#include "kube/portforward.h"
#include "kube/resourcewatch.h"
#include "ops/clusterrecord.h"
#include "ops/lease.h"
#include "ops/planner_p.h"
#include "taos/clusterconnection.h"
#include "taos/clusterstate.h"
#include "taos/restclient.h"
#include "taos/systables.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>

#include <algorithm>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcExecutor, "tdkube.ops.executor", QtWarningMsg)

namespace tdkube::ops {

using namespace Qt::StringLiterals;

Executor::Executor(kube::KubeClient *client, taos::PasswordStore *passwords, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_passwords(passwords)
    , m_record(new ClusterRecord(client, this))
{
    connect(m_record, &ClusterRecord::unavailable, this, &Executor::log);
    m_stepTimer.setSingleShot(true);
    connect(&m_stepTimer, &QTimer::timeout, this, &Executor::stepTimedOut);
    m_pollTimer.setSingleShot(true);
    m_pollTimer.setInterval(kDefaultPollIntervalMs);
    connect(&m_pollTimer, &QTimer::timeout, this, [this] {
        if (m_tick)
            m_tick();
    });
}

// As a crash would: the journal keeps the step that was running, the lease expires by itself.
Executor::~Executor()
{
    m_running = false;
    ++m_run;
    teardown();
}

void Executor::setLeaseTimes(int durationMs, int renewIntervalMs)
{
    m_leaseDurationMs = durationMs;
    m_leaseRenewMs = renewIntervalMs;
}

void Executor::start(const Plan &plan)
{
    if (m_running)
        return;
    if (plan.blocked() || plan.steps.isEmpty()) {
        m_running = true;
        finish(false, plan.blocked() ? tr("The plan has blocking findings, so nothing was run. Resolve them "
                                          "and plan again.")
                                     : tr("The plan has no steps: there is nothing to run."));
        return;
    }
    QString error;
    m_journal = Journal::create(plan, &error);
    if (!m_journal.isValid()) {
        m_running = true;
        finish(false, error);
        return;
    }
    m_newOperation = true;
    begin();
}

void Executor::resume(const Journal &journal)
{
    if (m_running)
        return;
    m_journal = journal;
    m_newOperation = false;
    begin();
}

void Executor::requestCancel()
{
    if (!m_running || m_cancelRequested)
        return;
    m_cancelRequested = true;
    const Step *step = m_step >= 0 ? &m_journal.plan().steps.at(m_step) : nullptr;
    if (step && step->kind == Step::Kind::DropDnode)
        log(tr("Cancel requested. `drop dnode` cannot be interrupted safely (TDengine goes on moving the "
               "vnodes whatever tdkube does), so tdkube stops once it has finished."));
    else
        log(tr("Cancel requested: tdkube stops at the next safe point, once the current step has finished."));
}

bool Executor::failWaitingStep(const QString &reason)
{
    if (!m_running || m_finishing || m_step < 0)
        return false;
    const Step::Kind kind = m_journal.plan().steps.at(m_step).kind;
    if (kind != Step::Kind::WaitPodsReady && kind != Step::Kind::WaitPodsGone)
        return false;
    completeStep(false, reason);
    return true;
}

void Executor::begin()
{
    ++m_run;
    m_running = true;
    m_cancelRequested = false;
    m_finishing = false;
    m_pollNow = false;
    m_awaitingConnection = false;
    m_leaseLost.clear();
    m_step = -1;
    const Plan &plan = m_journal.plan();
    log(tr("%1 (operation %2, journal %3)").arg(plan.summary(), m_journal.id(), m_journal.path()));
    if (!m_client) {
        finish(false,
               tr("There is no connection to the Kubernetes cluster. Connect, then resume the operation."));
        return;
    }
    // The journal names the cluster; a resume through another context would act on another one.
    const QString context = m_client->settings().contextName;
    if (!plan.context.isEmpty() && context != plan.context) {
        finish(false, tr("Operation %1 runs on context %2, but tdkube is connected to context %3. Switch to "
                         "context %2, then resume it.")
                          .arg(m_journal.id(), plan.context, context));
        return;
    }
    m_leaseDeferred = false;
    if (plan.kind != OperationKind::Deploy && plan.kind != OperationKind::Delete) {
        takeLease();
        return;
    }
    // A new cluster has no StatefulSet to hold the lease yet: it comes with it, in the apply step. A
    // deletion resumed after its StatefulSet went has none left to hold it.
    const int run = m_run;
    m_client->get(kube::ResourceKind::statefulSets(), plan.ns, plan.statefulSet, this,
                  [this, run](const kube::KubeResponse &response) {
                      if (run != m_run)
                          return;
                      if (response.httpStatus != 404) { // there (a resume after the apply), or unreadable:
                          takeLease();                  // the lease says which
                          return;
                      }
                      const QString set = m_journal.plan().statefulSet;
                      if (m_journal.plan().kind == OperationKind::Delete) {
                          log(tr("StatefulSet %1 is gone already: there is no lease to take, and the steps "
                                 "left delete only what is still there.")
                                  .arg(set));
                          m_record->follow(m_journal);
                      } else {
                          m_leaseDeferred = true;
                          log(tr("StatefulSet %1 does not exist yet: the operation's lease comes with it, "
                                 "when it is applied.")
                                  .arg(set));
                      }
                      prepare();
                  });
}

void Executor::takeLease()
{
    makeLease([this](bool ok, const QString &message) { leaseAcquired(ok, message); });
    m_lease->acquire();
}

void Executor::makeLease(const std::function<void(bool ok, const QString &message)> &onAcquired)
{
    const Plan &plan = m_journal.plan();
    if (m_lease)
        m_lease->deleteLater();
    m_lease =
        new Lease(m_client.data(), plan.ns, plan.statefulSet, m_journal.id(), operationName(plan.kind), this);
    if (!m_leaseHolder.isEmpty())
        m_lease->setHolder(m_leaseHolder);
    if (m_leaseDurationMs > 0)
        m_lease->setDuration(m_leaseDurationMs);
    if (m_leaseRenewMs > 0)
        m_lease->setRenewInterval(m_leaseRenewMs);
    const int run = m_run;
    connect(m_lease.data(), &Lease::acquired, this, [this, run, onAcquired](bool ok, const QString &message) {
        if (run == m_run)
            onAcquired(ok, message);
    });
    connect(m_lease.data(), &Lease::lost, this, [this, run](const QString &message) {
        if (run != m_run)
            return;
        m_leaseLost = message;
        log(tr("The operation lease was lost: %1 tdkube stops at the next safe point.").arg(message));
    });
}

void Executor::leaseAcquired(bool ok, const QString &message)
{
    log(message);
    if (!ok) {
        // Nothing ran: a new operation leaves no journal to resume.
        if (m_newOperation) {
            m_journal.discard();
            if (!m_lease || !m_lease->refused()) { // a refusal says so already
                finish(false, tr("%1 Nothing was changed: start the operation again.").arg(message));
                return;
            }
        }
        finish(false, message);
        return;
    }
    // Only an operation that holds the cluster is shown to other workstations.
    m_record->follow(m_journal);
    prepare();
}

// The SQL connection, then the row counts (once per operation: a resume compares with the counts
// taken before its first step, not with what a half-done operation left).
void Executor::prepare()
{
    const Plan &plan = m_journal.plan();
    // A deploy connects once its StatefulSet exists (applied()): a port-forward to a StatefulSet that
    // does not exist stops for good.
    // A deletion asks nothing of TDengine: its data stays on the claims, or goes with them.
    if (!m_leaseDeferred && plan.kind != OperationKind::Delete)
        connectSql();
    m_stepTimer.start(m_stepTimeoutMs);
    if ((plan.kind == OperationKind::Deploy || plan.kind == OperationKind::Delete) &&
        !m_journal.hasRowCounts()) {
        QString error;
        if (!m_journal.setRowCounts({}, &error)) { // a new cluster, or none after: no rows to compare
            fail(error);
            return;
        }
    }
    if (m_journal.hasRowCounts()) {
        runStep(m_journal.resumeIndex());
        return;
    }
    recordRowCounts();
}

void Executor::connectSql()
{
    const Plan &plan = m_journal.plan();
    const QString key = plan.context + u'/' + plan.ns + u'/' + plan.statefulSet;
    m_connection = new taos::ClusterConnection(m_client.data(), plan.ns, plan.statefulSet, key,
                                               m_passwords.data(), this);
    connect(m_connection.data(), &taos::ClusterConnection::changed, this, [this] {
        qCDebug(lcExecutor).noquote() << m_connection->describe();
        if (m_awaitingConnection && m_connection->rest()) {
            m_awaitingConnection = false;
            pollNow();
        }
    });
    m_connection->start();
}

void Executor::runStep(int index)
{
    if (!m_running)
        return;
    m_stepTimer.stop();
    m_pollTimer.stop();
    m_tick = nullptr;
    m_pollNow = false;
    stopWatchingPods();
    m_issued = false;
    m_catchUpTargets.clear();
    m_resolvedDnode = 0;
    m_rollBaseline = {};
    m_lastProgress.clear();
    m_seenProgress.clear();
    m_incomplete.clear();
    const int total = int(m_journal.plan().steps.size());
    if (!m_leaseLost.isEmpty()) {
        fail(tr("Stopped before step %1 of %2: %3 Resume the operation once the other one has finished.")
                 .arg(index + 1)
                 .arg(total)
                 .arg(m_leaseLost));
        return;
    }
    if (index >= total) {
        QString error;
        if (!m_journal.finish(&error)) {
            fail(error);
            return;
        }
        finish(true, tr("%1: done.").arg(m_journal.plan().summary()));
        return;
    }
    if (m_cancelRequested) {
        finish(false,
               tr("Cancelled before step %1 of %2 (%3). The cluster is in a consistent state; resume the "
                  "operation to go on, or abandon it.")
                   .arg(index + 1)
                   .arg(total)
                   .arg(m_journal.plan().steps.at(index).title));
        return;
    }
    m_step = index;
    QString error;
    if (!m_journal.markRunning(index, &error)) {
        fail(error);
        return;
    }
    crashHook(index, "before");
    const Step &step = m_journal.plan().steps.at(index);
    log(tr("Step %1 of %2: %3").arg(index + 1).arg(total).arg(step.title));
    m_stepTimer.start(m_stepTimeoutMs);
    const QPointer<Executor> self(this);
    emit stepStarted(index);
    if (!self || !m_running || m_step != index)
        return;
    dispatch(step);
}

void Executor::dispatch(const Step &step)
{
    switch (step.kind) {
    case Step::Kind::CreateMnode:
        return createMnode(step);
    case Step::Kind::DropMnode:
        return dropMnode(step);
    case Step::Kind::DropDnode:
        return dropDnode(step);
    case Step::Kind::ScaleStatefulSet:
        return scaleStatefulSet(step);
    case Step::Kind::WaitPodsGone:
        return waitPodsGone(step);
    case Step::Kind::DeleteClaims:
        return deleteClaims(step);
    case Step::Kind::WaitPodsReady:
        return waitPodsReady(step);
    case Step::Kind::WaitDnodesReady:
        return waitDnodesReady(step);
    case Step::Kind::BalanceVgroup:
        return balanceVgroup(step);
    case Step::Kind::Verify:
        return verify(step);
    case Step::Kind::UpdateConfigMap:
        return updateConfigMap(step);
    case Step::Kind::AlterDnodes:
        return alterDnodes(step);
    case Step::Kind::HoldRollout:
        return holdRollout(step);
    case Step::Kind::RollPod:
        return rollPod(step);
    case Step::Kind::ApplyObjects:
        return applyObjects(step);
    case Step::Kind::DeleteObjects:
        return deleteObjects(step);
    }
}

void Executor::completeStep(bool ok, const QString &message)
{
    if (!m_running || m_step < 0)
        return;
    const int index = m_step;
    m_stepTimer.stop();
    m_pollTimer.stop();
    m_tick = nullptr;
    stopWatchingPods();
    QString error;
    const bool written =
        ok ? m_journal.markDone(index, message, &error) : m_journal.markFailed(index, message, &error);
    if (written)
        crashHook(index, "after");
    log((ok ? u"  ✓ "_s : u"  ✗ "_s) + message);
    const QPointer<Executor> self(this);
    emit stepFinished(index, ok, message);
    if (!self || !m_running)
        return;
    if (!written) {
        fail(error);
        return;
    }
    if (!ok) {
        fail(tr("Step %1 of %2 (%3) failed: %4 Nothing after it was run. Fix the cause, then resume the "
                "operation; "
                "steps already done are not repeated.")
                 .arg(index + 1)
                 .arg(m_journal.plan().steps.size())
                 .arg(m_journal.plan().steps.at(index).title, message));
        return;
    }
    runStep(index + 1);
}

bool Executor::crashHook(int index, const char *boundary)
{
    static const QString crashAt = qEnvironmentVariable("TDKUBE_TEST_CRASH_AT");
    if (crashAt.isEmpty() || crashAt != u"%1:%2"_s.arg(index).arg(QLatin1StringView(boundary)))
        return false;
    qCWarning(lcExecutor, "TDKUBE_TEST_CRASH_AT=%s: exiting as a crash would", qPrintable(crashAt));
    // The cluster's record is let catch up first (nothing of the operation runs meanwhile), so that it
    // stops at the journal's boundary too; a real crash may leave it a write behind the journal.
    m_running = false;
    ++m_run;
    teardown();
    m_record->flush(5000);
    ::_exit(kCrashExitCode);
}

// Shared -------------------------------------------------------------------------------------------

void Executor::poll(std::function<void()> tick)
{
    m_tick = std::move(tick);
    m_tick();
}

void Executor::again()
{
    if (m_running && m_tick && !m_pollNow)
        m_pollTimer.start();
}

// Looks again at once rather than at the next poll. A look already under way goes on; both end in
// again() or in completeStep(), and an answer from a step that has ended is dropped (sql(), listPods()).
void Executor::pollNow()
{
    if (!m_running || !m_tick || m_pollNow)
        return;
    m_pollNow = true;
    const int run = m_run;
    const int step = m_step;
    QTimer::singleShot(0, this, [this, run, step] {
        if (run != m_run || step != m_step) // runStep() and begin() cleared m_pollNow
            return;
        m_pollNow = false;
        if (!m_running || !m_tick)
            return;
        m_pollTimer.stop();
        m_tick();
    });
}

// While a step waits for pods, every change to a pod of the namespace is a reason to look again.
void Executor::watchPods()
{
    stopWatchingPods();
    m_podWatch =
        new kube::ResourceWatch(m_client.data(), kube::ResourceKind::pods(), m_journal.plan().ns, {}, this);
    for (const auto signal :
         {&kube::ResourceWatch::added, &kube::ResourceWatch::modified, &kube::ResourceWatch::deleted})
        connect(m_podWatch.data(), signal, this, [this] { pollNow(); });
    m_podWatch->start();
}

void Executor::stopWatchingPods()
{
    if (kube::ResourceWatch *watch = m_podWatch.data()) {
        m_podWatch = nullptr;
        watch->disconnect(this);
        watch->stop();
        watch->deleteLater();
    }
}

// New progress starts the step's timeout again: it measures time without progress. Only a state the
// step has not been in before is progress: a tick that passes through two waits (a claim checked, then
// an answer found incomplete) would otherwise keep the timeout from ever ending a wait that never
// moves.
void Executor::waiting(const QString &what)
{
    m_waitingFor = what;
    if (m_step < 0 || what == m_lastProgress) // polls repeat themselves: tell only what changed
        return;
    m_lastProgress = what;
    if (!m_seenProgress.contains(what)) {
        m_seenProgress.insert(what);
        m_stepTimer.start(m_stepTimeoutMs);
    }
    emit stepProgress(m_step, what);
}

// A statement that fails is retried by polls (`failed` empty: the answer is awaited again at the
// next tick, as the forward may be moving); a change hands TDengine's error to `failed`, and is
// logged with its answer.
void Executor::sql(const QString &statement, Answered answered, Failed failed)
{
    const bool logged = bool(failed);
    send(statement, std::move(answered), std::move(failed), logged);
}

// The rows, then their count(*): `answered` gets the rows only when both agree (taos::incompleteRead);
// otherwise the step says why and reads both again at the next poll. Only inside a poll()ed tick.
void Executor::readComplete(const QString &select, Answered answered)
{
    sql(select, [this, select, answered](const taos::Result &rows) {
        sql(taos::countStatement(select), [this, select, rows, answered](const taos::Result &count) {
            const QString incomplete = taos::incompleteRead(select, rows, count);
            if (!incomplete.isEmpty()) {
                m_incomplete = tr("a complete answer from TDengine: %1").arg(incomplete);
                waiting(m_incomplete);
                again();
                return;
            }
            m_incomplete.clear();
            answered(rows);
        });
    });
}

void Executor::send(const QString &statement, Answered answered, Failed failed, bool logged, int timeoutMs)
{
    taos::RestClient *rest = m_connection ? m_connection->rest() : nullptr;
    if (!rest) {
        m_waitingFor = m_connection ? m_connection->describe() : tr("a connection to taosAdapter");
        if (!m_tick) // a step's tick starts over from its first statement
            m_tick = [this, statement, answered, failed, logged, timeoutMs] {
                send(statement, answered, failed, logged, timeoutMs);
            };
        m_awaitingConnection = true;
        m_pollTimer.start();
        return;
    }
    if (logged)
        log(u"SQL> "_s + statement);
    const int run = m_run;
    const int step = m_step;
    taos::QueryOptions options;
    options.timeoutMs = timeoutMs;
    rest->query(
        statement, this,
        [this, run, step, statement, answered, failed, logged](taos::QueryOutcome &outcome) {
            if (run != m_run || step != m_step || outcome.cancelled)
                return;
            if (logged)
                log(u"  → "_s + (outcome.ok() ? u"OK"_s : outcome.error.describe()));
            if (outcome.ok()) {
                answered(outcome.result);
                return;
            }
            // A change whose answer was lost may have run: the step's next look at the cluster finds out,
            // and sends it again only if it did not.
            if (outcome.mayHaveRun && m_tick) {
                m_waitingFor = tr("a look at whether `%1` ran (its answer was lost: the connection closed)")
                                   .arg(statement);
                again();
                return;
            }
            if (failed) {
                failed(outcome.error);
                return;
            }
            m_waitingFor = tr("an answer to `%1` (last: %2)").arg(statement, outcome.error.describe());
            if (!m_tick)
                m_tick = [this, statement, answered] { sql(statement, answered); };
            m_pollTimer.start();
        },
        options);
}

// An API server that fails for a while (a restart, an overloaded control plane, a load balancer
// failing over) does not end a step: a transient answer is looked at again at the next poll, until the
// step's timeout says there was no progress (naming what it waited for and the last answer). False for
// an answer that will not change by waiting (Forbidden, NotFound, Invalid...): the step decides.
bool Executor::retryApi(const kube::KubeResponse &response, const QString &waitingFor)
{
    if (!response.isTransient() || !m_tick)
        return false;
    //: %1: what the step waits for, %2: the API server's answer
    const QString now = tr("%1 (the API server answered: %2)").arg(waitingFor, response.error);
    if (now != std::exchange(m_waitingFor, now)) // said once, not at every poll
        log(tr("The API server failed (%1); asking again at the next look.").arg(response.error));
    again();
    return true;
}

void Executor::listPods(const std::function<void(const QList<QJsonObject> &pods)> &done)
{
    const Plan &plan = m_journal.plan();
    const int run = m_run;
    const int step = m_step;
    m_client->list(kube::ResourceKind::pods(), plan.ns, {}, this,
                   [this, run, step, done, set = plan.statefulSet](const kube::KubeResponse &response) {
                       if (run != m_run || step != m_step)
                           return;
                       if (!response.ok()) {
                           m_waitingFor = tr("the pods to be listed (last: %1)").arg(response.error);
                           again();
                           return;
                       }
                       QList<QJsonObject> pods;
                       for (const QJsonValue &item : response.json().value(u"items").toArray()) {
                           const QJsonObject pod = item.toObject();
                           if (kube::podOrdinal(kube::nameOf(pod), set) >= 0)
                               pods.append(pod);
                       }
                       done(pods);
                   });
}

void Executor::stepTimedOut()
{
    const QString budget = kube::humanDuration(m_stepTimeoutMs);
    if (m_step < 0) {
        fail(tr("tdkube could not prepare the operation within %1: waiting for %2. Check the cluster's "
                "taosAdapter and the port-forward, then resume the operation.")
                 .arg(budget, m_waitingFor));
        return;
    }
    const Step &step = m_journal.plan().steps.at(m_step);
    // A wait may pass through several states in one look; an incomplete answer is the one that matters.
    const QString waitingFor = m_incomplete.isEmpty() || m_waitingFor == m_incomplete
                                   ? m_waitingFor
                                   : tr("%1, and %2").arg(m_waitingFor, m_incomplete);
    completeStep(
        false,
        tr("No progress for %1: still waiting for %2. %3").arg(budget, waitingFor, timeoutAdvice(step)));
}

// Where to look when a step stopped making progress.
QString Executor::timeoutAdvice(const Step &step) const
{
    const QString pods = step.pods.join(u' ');
    switch (step.kind) {
    case Step::Kind::CreateMnode:
    case Step::Kind::DropMnode:
        return tr("Look at `show mnodes` and `show transactions`: an mnode needs its dnode ready and no "
                  "other transaction running.");
    case Step::Kind::DropDnode:
        return m_issued ? tr("TDengine may still be moving the vnodes: `show transactions` shows the "
                             "progress and, if it is stuck, the error (often a dnode it needs is offline).")
                        : tr("Look at `show dnodes` and `show transactions`.");
    case Step::Kind::ScaleStatefulSet:
    case Step::Kind::DeleteClaims:
        return tr("Check the connection to the Kubernetes API server and your permissions on the "
                  "StatefulSet and its claims.");
    case Step::Kind::WaitPodsGone:
        return tr("Look at the pods' events and finalizers (kubectl describe pod %1).").arg(pods);
    case Step::Kind::WaitPodsReady:
        return tr("Look at the pods' events (kubectl describe pod %1): an image that cannot be pulled, a "
                  "claim left Pending or a failing probe keeps a pod from Ready.")
            .arg(pods);
    case Step::Kind::WaitDnodesReady:
        return tr("Look at the new pods' logs (kubectl logs %1): a dnode that does not join usually cannot "
                  "reach its first endpoint (TAOS_FIRST_EP) or found data of another cluster on its claim.")
            .arg(pods);
    case Step::Kind::BalanceVgroup:
        return tr("`show transactions` shows whether TDengine is still moving vnodes, and its error.");
    case Step::Kind::Verify:
        return tr("Look at `show dnodes`, `show mnodes` and the vgroups of the databases (`show "
                  "<db>.vgroups`).");
    case Step::Kind::UpdateConfigMap:
    case Step::Kind::HoldRollout:
        return tr("Check the connection to the Kubernetes API server and your permissions on the "
                  "StatefulSet and its ConfigMap.");
    case Step::Kind::ApplyObjects:
        return tr("Check the connection to the Kubernetes API server and your permissions on the objects "
                  "(kubectl auth can-i create statefulsets,services,configmaps).");
    case Step::Kind::DeleteObjects:
        return tr("Look at the object's finalizers (kubectl get -o yaml): what added one must remove it; and "
                  "check your permissions (kubectl auth can-i delete statefulsets,services,configmaps).");
    case Step::Kind::AlterDnodes:
        return tr("Look at `show dnodes`: every dnode must be ready to take the change.");
    case Step::Kind::RollPod:
        return tr("Look at pod %1 (kubectl describe pod %1, kubectl logs %1) and at `show dnodes`: a "
                  "dnode that stays offline after a restart often has a setting the others do not (its note "
                  "says which). The pods not restarted yet stay on the old template: resuming continues "
                  "with this one.")
            .arg(pods);
    }
    return {};
}

void Executor::log(const QString &line)
{
    qCDebug(lcExecutor).noquote() << line;
    emit logLine(QDateTime::currentDateTime().toString(u"HH:mm:ss"_s) + u' ' + line);
}

void Executor::fail(const QString &message)
{
    finish(false, message);
}

// The lease is released before finished() is emitted, so that whoever reacts to finished() (the
// next operation, a test) finds the cluster free.
void Executor::finish(bool ok, const QString &message)
{
    if (!m_running || m_finishing)
        return;
    m_finishing = true;
    const int run = ++m_run;
    m_stepTimer.stop();
    m_pollTimer.stop();
    m_tick = nullptr;
    log(message);
    auto done = [this, run, ok, message] {
        if (run != m_run)
            return;
        m_running = false;
        m_finishing = false;
        teardown();
        emit finished(ok, message);
    };
    if (!m_lease || !m_lease->isHeld()) {
        done();
        return;
    }
    connect(m_lease.data(), &Lease::released, this, [this, done](bool released, const QString &text) {
        log(text);
        if (!released)
            log(tr("The lease was not released; it expires by itself."));
        done();
    });
    m_lease->release();
}

void Executor::teardown()
{
    m_stepTimer.stop();
    m_pollTimer.stop();
    m_tick = nullptr;
    stopWatchingPods();
    // Out of the children and deleted later: this may run inside one of their callbacks (a query's
    // answer, the lease's), even from the destructor when a handler deletes the executor.
    if (taos::ClusterConnection *connection = m_connection.data()) {
        m_connection = nullptr;
        connection->setPolling(false);
        connection->disconnect(this); // stopping the forward signals `changed`
        if (connection->forward())
            connection->forward()->stop(tr("The operation finished."));
        connection->setParent(nullptr);
        connection->deleteLater();
    }
    if (Lease *lease = m_lease.data()) {
        m_lease = nullptr;
        lease->disconnect(this);
        lease->setParent(nullptr);
        lease->deleteLater();
    }
}

} // namespace tdkube::ops
