#pragma once

// What the files of tdkube's operation commands share (opscommand.cpp: parsing, planning and running;
// opscommandlogin.cpp: the TDengine login; opscommandoperations.cpp: listing, resuming, taking over and
// abandoning operations). Not for use outside them.

#include "kube/kubeclient.h"
#include "ops/executor.h"
#include "ops/facts.h"
#include "ops/journal.h"
#include "ops/lease.h"
#include "ops/opscommand.h"
#include "taos/clusterconnection.h"
#include "taos/passwordstore.h"
#include "taos/restclient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace tdkube::ops {
struct RecordedOperation;
}

namespace tdkube::ops::opscommand::detail {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(OpsCommand)
};

// How long resume waits for a connection to check the login with before it leaves that to the executor.
constexpr int kLoginCheckMs = 30000;
constexpr int kLoginQueryMs = 10000;
constexpr int kRecordFlushMs = 5000;
// How long a takeover waits for another workstation's lease to expire unless --wait says: a lease a
// crashed tdkube left lasts Lease::kDefaultDurationMs at most.
constexpr int kDefaultLeaseWaitS = Lease::kDefaultDurationMs / 1000 + 30;
// How often a takeover reads the lease again while it waits (sooner when it expires sooner).
constexpr int kLeasePollMs = 5000;

// Where the TDengine password of a command came from, for the refusal of a wrong one.
enum class PasswordFrom { Environment, Stdin, Keychain, Default };

void say(const QString &line);
void complain(const QString &line);
QString usageLine(const QString &command);
// A password among the arguments is seen by every user of the machine (ps, /proc) and stays in the
// shell's history: there is no --password, and what follows it is never repeated.
bool passwordArgument(const QStringList &arguments);
// Why TDengine refused `user`, by where the password came from, and what to do.
QString refusedLogin(PasswordFrom from, const QString &user);

// One command line: parses, connects, plans or resumes, runs, and ends the event loop with the
// exit code.
class Command final : public QObject
{
    Q_DISABLE_COPY_MOVE(Command)

public:
    explicit Command(QStringList arguments)
        : m_arguments(std::move(arguments))
    {
    }
    ~Command() override
    {
        // The executor first: it hands its connection and lease back to the event loop, which
        // does not run again; then what they refer to.
        delete m_executor.data();
        m_connection.reset();
        // What was just aborted reaches Qt's HTTP thread through the event loop. A resumed
        // operation that ended at once, with requests in flight, was seen (ASan, tst_crashresume)
        // to double-free in that thread when the client's QNetworkAccessManager went first.
        const QDeadlineTimer settle(200);
        while (!settle.hasExpired())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        m_client.reset();
    }

    // Returns the exit code when the command is over before any event loop is needed.
    std::optional<int> start();

private:
    bool parse(QString *error);
    bool checkOptions(const QStringList &allowed, QString *error) const;
    bool takeLogin(QString *error);
    void watchLogin();
    PasswordFrom passwordFrom() const;
    void askTdengine(std::function<void(const taos::TaosError &refusal)> answered);
    void checkLogin(std::function<void()> accepted);
    std::optional<int> listOperations();
    void listed(const QList<RecordedOperation> &recorded, const QString &error);
    void printLocal() const;
    std::optional<int> abandon();
    void abandonChecked(const QString &id, const std::optional<Journal> &local);
    std::optional<Journal> abandonNow(Journal journal);
    std::optional<int> resume();
    void resumeLocal(const Journal &local);
    void takeOver(const QString &id);
    void startResume(const Journal &journal);
    std::optional<int> plan();
    std::optional<int> deploy(); // opscommanddeploy.cpp
    // Complains of what is wrong unless `error` takes it.
    bool openClient(const QString &context, QString *error = nullptr);
    void planned(const ClusterFacts &facts, const QString &error);
    // Prints the plan, then refuses it, stops (without --yes) or runs it.
    void decide(const Plan &plan);
    void printPlan(const Plan &plan) const;
    void runPlan(const Plan &plan);
    void follow(Executor *executor, int steps);
    void done(int code);

    QStringList m_arguments;
    QCommandLineParser m_parser;
    QString m_command;
    QString m_context;
    QString m_ns;
    QString m_cluster;
    int m_replicas = 0;
    QMap<QString, QString> m_settings; // configure's --set KEY=VALUE
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
    std::unique_ptr<taos::ClusterConnection> m_connection;
    std::optional<PasswordFrom> m_given; // the password came from the command's terms
    bool m_warnedDefault = false;
    QTimer m_loginWait;
    QPointer<Executor> m_executor;
    QDeadlineTimer m_leaseWait;  // a takeover waits for another workstation's lease until then
    QString m_waitingFor;        // the lease last said to be waited for ("holder until expiry")
    bool m_saidRecorded = false; // a takeover said what the record holds
};

} // namespace tdkube::ops::opscommand::detail
