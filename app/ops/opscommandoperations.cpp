#include "kube/kubeconfig.h"
#include "ops/clusterrecord.h"
#include "ops/opscommand_p.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <utility>

namespace tdkube::ops::opscommand::detail {

using namespace Qt::StringLiterals;

namespace {

QString startedText(const Journal &journal)
{
    return journal.created().toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s);
}

// The journal of `id`, or why there is none to act on.
std::optional<Journal> unfinishedJournal(const QString &id, const QString &command)
{
    for (const Journal &journal : Journal::unfinished()) {
        if (journal.id() == id)
            return journal;
    }
    const QString path = QDir(Journal::directory()).filePath(id + u".json"_s);
    QString error;
    const Journal journal = QFileInfo::exists(path) ? Journal::load(path, &error) : Journal();
    if (journal.isValid())
        //: %2: where it stopped ("finished", "abandoned")
        complain((command == u"resume" ? Text::tr("Operation %1 is %2: there is nothing to resume.")
                                       : Text::tr("Operation %1 is %2: there is nothing to abandon."))
                     .arg(id, journal.whereStopped()));
    else if (error.isEmpty())
        complain(
            Text::tr("There is no operation %1. `tdkube operations` lists the unfinished ones.").arg(id));
    else
        complain(Text::tr("There is no operation %1 (%2). `tdkube operations` lists the unfinished ones.")
                     .arg(id, error));
    return std::nullopt;
}

QString leaseTime(const QDateTime &time)
{
    return time.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s);
}

// `operation`'s record made this workstation's journal, with what happened said; invalid (and said) when
// it could not be written.
Journal followRecord(const RecordedOperation &operation, const QString &context)
{
    const Journal &recorded = operation.journal;
    QString error;
    const Journal adopted = Journal::adopt(recorded, context, &error);
    if (!adopted.isValid()) {
        //: %1: the operation's ID, %2: why
        complain(
            Text::tr("Could not write the cluster's record of operation %1 as this workstation's journal: %2")
                .arg(recorded.id(), error));
        return adopted;
    }
    const QString what = recorded.plan().summary();
    switch (recorded.status()) {
    case Journal::Status::Finished:
        //: %1: the operation's ID, %2: what it does, %3: who (kubeconfig user@host)
        say(Text::tr(
                "Operation %1 (%2) was finished by %3 (recorded in the cluster); this workstation's journal "
                "of it now says so.")
                .arg(recorded.id(), what, operation.runBy));
        break;
    case Journal::Status::Abandoned:
        say(Text::tr(
                "Operation %1 (%2) was abandoned by %3 (recorded in the cluster); this workstation's journal "
                "of it now says so.")
                .arg(recorded.id(), what, operation.runBy));
        break;
    case Journal::Status::Running:
        break;
    }
    return adopted;
}

} // namespace

// This workstation's unfinished operations, and the cluster's records of them: a journal whose record went
// further (another workstation took the operation over, or ended it) is brought up to the record first and
// said so; then the operations the cluster records that this workstation has no journal of.
std::optional<int> Command::listOperations()
{
    QString error;
    if (!openClient(m_parser.value(u"context"_s), &error)) {
        printLocal();
        //: %1: why (no context, a kubeconfig that cannot be used)
        complain(Text::tr("The operations recorded in the cluster could not be read: %1").arg(error));
        return kExitOk;
    }
    ClusterRecord::list(m_client.get(), m_ns, this,
                        [this](const QList<RecordedOperation> &recorded, const QString &listError) {
                            listed(recorded, listError);
                        });
    return std::nullopt;
}

void Command::listed(const QList<RecordedOperation> &recorded, const QString &error)
{
    if (!error.isEmpty()) {
        printLocal();
        //: %1: the context, %2: the namespace, %3: the API server's answer
        complain(
            Text::tr("The operations recorded in the cluster (context %1, namespace %2) could not be read: "
                     "%3")
                .arg(m_context, m_ns, QString(error).replace(u'\n', u' ')));
        done(kExitOk);
        return;
    }
    for (const Journal &journal : Journal::unfinished()) {
        if (journal.plan().context != m_context || journal.plan().ns != m_ns)
            continue;
        for (const RecordedOperation &operation : recorded) {
            if (!isAhead(operation.journal, journal))
                continue;
            const Journal adopted = followRecord(operation, journal.plan().context);
            if (adopted.isValid() && adopted.status() == Journal::Status::Running)
                //: %1: the operation's ID, %2: what it does, %3: who (kubeconfig user@host), %4: where it
                //: stopped ("stopped during step 4 of 8: ...")
                say(Text::tr("Operation %1 (%2) was run further by %3 (recorded in the cluster) and %4; this "
                             "workstation's journal of it now follows that record.")
                        .arg(adopted.id(), adopted.plan().summary(), operation.runBy,
                             adopted.whereStopped()));
        }
    }
    printLocal();
    QSet<QString> local;
    const QDir journals(Journal::directory());
    for (const QString &name : journals.entryList({u"*.json"_s}, QDir::Files))
        local.insert(QFileInfo(name).completeBaseName());
    QList<RecordedOperation> others;
    for (const RecordedOperation &operation : recorded) {
        if (!local.contains(operation.journal.id()))
            others.append(operation);
    }
    if (!others.isEmpty())
        say(Text::tr(
                "%n operation(s) recorded in the cluster (context %1, namespace %2) that this workstation "
                "has no journal of; `tdkube resume ID -n NAMESPACE` takes an unfinished one over once "
                "its lease has expired:",
                nullptr, int(others.size()))
                .arg(m_context, m_ns));
    for (const RecordedOperation &operation : std::as_const(others)) {
        const Journal &journal = operation.journal;
        const Plan &plan = journal.plan();
        //: %1: the operation's ID; %2/%3/%4: its context/namespace/StatefulSet; %5: what it does
        say(Text::tr("%1  %2/%3/%4  %5  (from the cluster)")
                .arg(journal.id(), plan.context, plan.ns, plan.statefulSet, plan.summary()));
        if (operation.runBy == operation.startedBy)
            //: %1: when, %2: who (kubeconfig user@host), %3: where it stopped ("finished", "stopped
            //: during step 4 of 8: ...")
            say(u"    "_s + Text::tr("started %1 by %2; %3")
                                .arg(startedText(journal), operation.startedBy, journal.whereStopped()));
        else
            //: %1: when, %2: who started it, %3: who ran it last (kubeconfig user@host), %4: where it stopped
            say(u"    "_s +
                Text::tr("started %1 by %2, last run by %3; %4")
                    .arg(startedText(journal), operation.startedBy, operation.runBy, journal.whereStopped()));
    }
    done(kExitOk);
}

void Command::printLocal() const
{
    const QList<Journal> unfinished = Journal::unfinished();
    if (unfinished.isEmpty()) {
        say(Text::tr("No unfinished operations (journals in %1).")
                .arg(QDir::toNativeSeparators(Journal::directory())));
    } else {
        say(Text::tr("%1 unfinished operation(s); `tdkube resume ID` continues one, `tdkube abandon ID` "
                     "forgets it:")
                .arg(unfinished.size()));
    }
    for (const Journal &journal : unfinished) {
        const Plan &plan = journal.plan();
        say(u"%1  %2/%3/%4  %5"_s.arg(journal.id(), plan.context, plan.ns, plan.statefulSet, plan.summary()));
        //: %1: when the operation started; %2: where it stopped ("stopped during step 4 of 8: ...")
        say(u"    "_s + Text::tr("started %1; %2").arg(startedText(journal), journal.whereStopped()));
    }
}

// `tdkube abandon ID`: this workstation's unfinished journal of ID, or the cluster's record of it (an
// operation whose workstation is gone), marked abandoned in both; refused while another workstation runs
// it (its lease), since abandoning here would not stop it there.
std::optional<int> Command::abandon()
{
    const QString id = m_parser.positionalArguments().at(1);
    const bool here = QFileInfo::exists(QDir(Journal::directory()).filePath(id + u".json"_s));
    std::optional<Journal> local;
    if (here) {
        local = unfinishedJournal(id, u"abandon"_s);
        if (!local)
            return kExitFailed;
    }
    const QString context =
        m_parser.isSet(u"context"_s) || !local ? m_parser.value(u"context"_s) : local->plan().context;
    QString error;
    if (!openClient(context, &error)) {
        if (!local) {
            complain(error);
            return kExitFailed;
        }
        if (!abandonNow(*local))
            return kExitFailed;
        //: %1: the operation's ID, %2: why the cluster could not be reached
        complain(Text::tr("The record of operation %1 in the cluster could not be updated (%2): other "
                          "workstations may still offer to take it over.")
                     .arg(id, error));
        return kExitOk;
    }
    if (local)
        m_ns = local->plan().ns;
    abandonChecked(id, local);
    return std::nullopt;
}

void Command::abandonChecked(const QString &id, const std::optional<Journal> &local)
{
    ClusterRecord::fetch(
        m_client.get(), m_ns, id, this,
        [this, id, local](const RecordedOperation &operation, int status, const QString &error) {
            if (!operation.isValid() && !local) {
                complain(
                    status == 404
                        ? Text::tr("There is no operation %1 on this workstation, nor recorded in namespace "
                                   "%2 of context %3. `tdkube operations` lists both.")
                              .arg(id, m_ns, m_context)
                        : Text::tr("Could not read the record of operation %1 in the cluster (context %2, "
                                   "namespace %3): %4. Nothing was changed.")
                              .arg(id, m_context, m_ns, error));
                done(kExitFailed);
                return;
            }
            // The record, when it went further than this workstation's journal (or there is none here):
            // made this workstation's journal only once nothing else runs it.
            const bool adopt = operation.isValid() && (!local || isAhead(operation.journal, *local));
            const QString context = local ? local->plan().context : m_context;
            Journal journal = adopt ? operation.journal : *local;
            if (adopt && local && journal.status() != Journal::Status::Running)
                journal = followRecord(operation, context); // says who ended it; this journal learns it
            if (journal.status() != Journal::Status::Running) {
                complain(Text::tr("Operation %1 is %2: there is nothing to abandon.")
                             .arg(id, journal.whereStopped()));
                done(kExitFailed);
                return;
            }
            const Plan &plan = journal.plan();
            Lease::inspect(
                m_client.get(), plan.ns, plan.statefulSet, this,
                [this, journal, id, operation, adopt, context,
                 here = local.has_value()](const LeaseRecord &lease, const QString &leaseError) mutable {
                    if (!leaseError.isEmpty()) {
                        // The cluster cannot be asked: this workstation forgets it, the record stays as it
                        // is.
                        if (!here || !abandonNow(journal)) {
                            complain(Text::tr("Could not read the operation lease on StatefulSet %1: %2. "
                                              "Nothing was changed.")
                                         .arg(journal.plan().statefulSet, leaseError));
                            done(kExitFailed);
                            return;
                        }
                        complain(
                            Text::tr("The record of operation %1 in the cluster could not be updated (%2): "
                                     "other workstations may still offer to take it over.")
                                .arg(id, leaseError));
                        done(kExitOk);
                        return;
                    }
                    if (lease.operationId() == id && lease.blocks(id, QDateTime::currentDateTimeUtc())) {
                        complain(Text::tr("Operation %1 is running on another workstation (%2 holds "
                                          "its lease until %3): abandoning it here would not stop "
                                          "it there. Nothing was changed.")
                                     .arg(id, lease.holder, leaseTime(lease.expires)));
                        done(kExitFailed);
                        return;
                    }
                    if (adopt) {
                        journal = followRecord(operation, context);
                        if (!journal.isValid()) {
                            done(kExitFailed);
                            return;
                        }
                    }
                    const std::optional<Journal> abandoned = abandonNow(journal);
                    if (!abandoned)
                        return;
                    auto *record = new ClusterRecord(m_client.get(), this);
                    record->save(*abandoned);
                    // This workstation's lease of it (left by a crash) goes too: nothing runs it any more.
                    const Plan &plan = abandoned->plan();
                    auto *held = new Lease(m_client.get(), plan.ns, plan.statefulSet, abandoned->id(),
                                           operationName(plan.kind), this);
                    connect(held, &Lease::released, this, [this, record](bool ok, const QString &message) {
                        if (!ok)
                            complain(message);
                        record->flush(kRecordFlushMs);
                        done(kExitOk);
                    });
                    held->release();
                });
        });
}

// Marks `journal` abandoned here (its record follows when a ClusterRecord saves it) and says so.
std::optional<Journal> Command::abandonNow(Journal journal)
{
    const QString where = journal.whereStopped();
    QString error;
    if (!journal.abandon(&error)) {
        complain(Text::tr("Could not abandon operation %1: %2").arg(journal.id(), error));
        done(kExitFailed);
        return std::nullopt;
    }
    //: %3: where it stopped ("stopped during step 4 of 8: ...")
    say(Text::tr(
            "Abandoned operation %1 (%2), which %3. tdkube will not offer to resume it; the cluster stays as "
            "that step left it: look at it (tdkube, or `show dnodes`) before planning anything else.")
            .arg(journal.id(), journal.plan().summary(), where));
    return journal;
}

// `tdkube resume ID`: this workstation's journal of ID, brought up to the cluster's record first when
// another workstation ran it further; without a journal here, the operation is taken over from its record.
std::optional<int> Command::resume()
{
    const QString id = m_parser.positionalArguments().at(1);
    bool seconds = false;
    const int wait =
        m_parser.isSet(u"wait"_s) ? m_parser.value(u"wait"_s).toInt(&seconds) : kDefaultLeaseWaitS;
    if (m_parser.isSet(u"wait"_s) && (!seconds || wait < 0)) {
        complain(
            Text::tr("--wait needs a whole number of seconds (got \"%1\").").arg(m_parser.value(u"wait"_s)) +
            u'\n' + usageLine(m_command));
        return kExitUsage;
    }
    m_leaseWait = QDeadlineTimer(qint64(wait) * 1000);
    if (!QFileInfo::exists(QDir(Journal::directory()).filePath(id + u".json"_s))) {
        if (!openClient(m_parser.value(u"context"_s)))
            return kExitFailed;
        //: %1: the operation's ID, %2: the context, %3: the namespace
        say(Text::tr(
                "Operation %1 has no journal on this workstation: reading its record in the cluster (context "
                "%2, namespace %3).")
                .arg(id, m_context, m_ns));
        takeOver(id);
        return std::nullopt;
    }
    const std::optional<Journal> journal = unfinishedJournal(id, u"resume"_s);
    if (!journal)
        return kExitFailed;
    // The journal names its cluster: by default resume there, not in the kubeconfig's current context.
    const Plan &plan = journal->plan();
    if (!openClient(m_parser.isSet(u"context"_s) ? m_parser.value(u"context"_s) : plan.context))
        return kExitFailed;
    resumeLocal(*journal);
    return std::nullopt;
}

// The record is asked first: another workstation may have taken the operation over since this journal
// was written. A record that cannot be read leaves the journal as it is (the lease still keeps two
// workstations apart).
void Command::resumeLocal(const Journal &local)
{
    ClusterRecord::fetch(m_client.get(), local.plan().ns, local.id(), this,
                         [this, local](const RecordedOperation &operation, int, const QString &) {
                             Journal journal = local;
                             if (isAhead(operation.journal, local)) {
                                 journal = followRecord(operation, local.plan().context);
                                 if (!journal.isValid()) {
                                     done(kExitFailed);
                                     return;
                                 }
                             }
                             if (journal.status() != Journal::Status::Running) {
                                 complain(Text::tr("Operation %1 is %2: there is nothing to resume.")
                                              .arg(journal.id(), journal.whereStopped()));
                                 done(kExitFailed);
                                 return;
                             }
                             startResume(journal);
                         });
}

// Another workstation's operation, from its record: once no other workstation holds the cluster's lease
// (waiting for it to expire, --wait seconds at most), the record becomes this workstation's journal and
// is resumed with the same checks as any resume. The record is read again after each wait: it may have
// been finished meanwhile.
void Command::takeOver(const QString &id)
{
    ClusterRecord::fetch(
        m_client.get(), m_ns, id, this,
        [this, id](const RecordedOperation &operation, int status, const QString &error) {
            if (!operation.isValid()) {
                complain(
                    status == 404
                        ? Text::tr("There is no operation %1 on this workstation, nor recorded in namespace "
                                   "%2 of context %3. `tdkube operations` lists both; -n chooses the "
                                   "namespace.")
                              .arg(id, m_ns, m_context)
                        : Text::tr("Could not read the record of operation %1 in the cluster (context %2, "
                                   "namespace %3): %4. Nothing was changed.")
                              .arg(id, m_context, m_ns, error));
                done(kExitFailed);
                return;
            }
            const Journal &journal = operation.journal;
            if (journal.status() != Journal::Status::Running) {
                //: %2: "finished" or "abandoned"; %3: who ran it last (kubeconfig user@host)
                complain(
                    Text::tr("Operation %1 is %2 (last run by %3, recorded in the cluster): there is nothing "
                             "to resume.")
                        .arg(id, journal.whereStopped(), operation.runBy));
                done(kExitFailed);
                return;
            }
            if (!std::exchange(m_saidRecorded, true))
                //: %2: what it does, %3: who (kubeconfig user@host), %4: where it stopped
                say(Text::tr("Operation %1 (%2) was started by %3 and %4.")
                        .arg(id, journal.plan().summary(), operation.startedBy, journal.whereStopped()));
            const Plan &plan = journal.plan();
            Lease::inspect(
                m_client.get(), plan.ns, plan.statefulSet, this,
                [this, id, operation](const LeaseRecord &lease, const QString &leaseError) {
                    const QString set = operation.journal.plan().statefulSet;
                    if (!leaseError.isEmpty()) {
                        complain(
                            Text::tr("Could not read the operation lease on StatefulSet %1: %2. Nothing was "
                                     "changed.")
                                .arg(set, leaseError));
                        done(kExitFailed);
                        return;
                    }
                    const QDateTime now = QDateTime::currentDateTimeUtc();
                    if (lease.blocks(id, now)) {
                        if (m_leaseWait.hasExpired()) {
                            //: %1: the StatefulSet, %2: the lease's holder, %3: until when, %4: seconds
                            complain(
                                Text::tr("StatefulSet %1's operation lease is held by %2 until %3: it may "
                                         "still be running there. Nothing was changed. Try again once it "
                                         "has expired, or wait longer with --wait SECONDS (the default is "
                                         "%4).")
                                    .arg(set, lease.holder, leaseTime(lease.expires))
                                    .arg(kDefaultLeaseWaitS));
                            done(kExitFailed);
                            return;
                        }
                        const QString waitingFor = lease.holder + leaseTime(lease.expires);
                        if (std::exchange(m_waitingFor, waitingFor) != waitingFor)
                            say(Text::tr(
                                    "Waiting for StatefulSet %1's operation lease, held by %2 until %3, to "
                                    "expire (its workstation may have stopped without releasing it)…")
                                    .arg(set, lease.holder, leaseTime(lease.expires)));
                        const qint64 untilExpiry = now.msecsTo(lease.expires) + 500;
                        const qint64 delay = std::min({untilExpiry, qint64(kLeasePollMs),
                                                       std::max<qint64>(m_leaseWait.remainingTime(), 0) + 1});
                        QTimer::singleShot(std::max<qint64>(delay, 100), this, [this, id] { takeOver(id); });
                        return;
                    }
                    const Journal adopted = followRecord(operation, m_context);
                    if (!adopted.isValid()) {
                        done(kExitFailed);
                        return;
                    }
                    //: %1: the operation's ID, %2: who ran it last (kubeconfig user@host)
                    say(Text::tr("Taking operation %1 over from %2: this workstation's journal now holds it.")
                            .arg(id, operation.runBy));
                    startResume(adopted);
                });
        });
}

void Command::startResume(const Journal &journal)
{
    const Plan &plan = journal.plan();
    //: %3: where it stopped ("stopped during step 4 of 8: ...")
    say(Text::tr("Resuming operation %1: %2; it %3.")
            .arg(journal.id(), plan.summary(), journal.whereStopped()));
    // A login TDengine refuses is said now, not after the executor's step timeout.
    m_connection = std::make_unique<taos::ClusterConnection>(
        m_client.get(), plan.ns, plan.statefulSet, plan.context + u'/' + plan.ns + u'/' + plan.statefulSet,
        m_passwords.get());
    watchLogin();
    checkLogin([this, journal] {
        m_executor = new Executor(m_client.get(), m_passwords.get(), this);
        follow(m_executor, int(journal.plan().steps.size()));
        m_executor->resume(journal);
    });
}

bool Command::openClient(const QString &requested, QString *failure)
{
    const auto complain = [failure](const QString &line) {
        if (failure)
            *failure = line;
        else
            detail::complain(line);
    };
    const QStringList files = m_parser.isSet(u"kubeconfig"_s) ? QStringList{m_parser.value(u"kubeconfig"_s)}
                                                              : kube::Kubeconfig::defaultFiles();
    const kube::Kubeconfig config = kube::Kubeconfig::load(files);
    QString context = requested.isEmpty() ? config.currentContext() : requested;
    if (context.isEmpty() && config.contextNames().size() == 1)
        context = config.contextNames().first();
    if (context.isEmpty()) {
        if (config.contextNames().isEmpty())
            complain(
                Text::tr("No context: the kubeconfig (%1) sets no current-context. Give one with --context "
                         "NAME.")
                    .arg(files.join(u':')));
        else
            complain(
                Text::tr("No context: the kubeconfig (%1) sets no current-context. Give one with --context "
                         "NAME (one of %2).")
                    .arg(files.join(u':'), config.contextNames().join(u", "_s)));
        return false;
    }
    QString error;
    const std::optional<kube::Kubeconfig::Resolved> resolved = config.resolve(context, &error);
    kube::ConnectionSettings settings;
    if (!resolved || !kube::makeConnectionSettings(*resolved, &settings, &error)) {
        complain(Text::tr("Cannot use context %1: %2. Fix the kubeconfig (%3) or choose another context with "
                          "--context.")
                     .arg(context, error, files.join(u':')));
        return false;
    }
    m_context = context;
    m_ns = m_parser.isSet(u"namespace"_s) ? m_parser.value(u"namespace"_s) : settings.defaultNamespace;
    m_client = std::make_unique<kube::KubeClient>(std::move(settings));
    return true;
}

} // namespace tdkube::ops::opscommand::detail
