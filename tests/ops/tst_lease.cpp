// The operation lease against the in-process sandbox: the annotation on the StatefulSet is what a
// second tdkube (or a person with kubectl) sees.
#include "kube/objects.h"
#include "ops/lease.h"
#include "sandboxfixture.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QStandardPaths>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::kube::test;
using tdkube::ops::Lease;
using tdkube::ops::LeaseRecord;

namespace {

const QString kNs = u"lease"_s;
const QString kSet = u"tdengine"_s;

struct Answer
{
    std::optional<bool> ok;
    QString message;
};

// Runs acquire() or release() and waits for its one answer.
Answer acquire(Lease *lease, int waitMs = kWaitMs)
{
    Answer answer;
    QObject context;
    QObject::connect(lease, &Lease::acquired, &context, [&answer](bool ok, const QString &message) {
        answer.ok = ok;
        answer.message = message;
    });
    lease->acquire();
    (void)QTest::qWaitFor([&answer] { return answer.ok.has_value(); }, waitMs);
    return answer;
}

Answer release(Lease *lease)
{
    Answer answer;
    QObject context;
    QObject::connect(lease, &Lease::released, &context, [&answer](bool ok, const QString &message) {
        answer.ok = ok;
        answer.message = message;
    });
    lease->release();
    (void)QTest::qWaitFor([&answer] { return answer.ok.has_value(); }, kWaitMs);
    return answer;
}

} // namespace

class TestLease final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void acquire_free_annotationNamesHolderAndOperation();
    void acquire_heldByAnother_refusedNamingHolderOperationAndTime();
    void acquire_expired_takenOver();
    void release_removesAnnotation_anotherMayAcquire();
    void acquire_sameOperationInNewProcess_takesItsLeaseBack();
    void acquire_sameOperationOnAnotherWorkstation_waitsForExpiry();
    void blocks_saysWhetherThisWorkstationMustWait();
    void inspect_readsWhatIsHeld();
    void acquire_twoAtOnce_exactlyOneWins();
    void renew_afterTakeover_reportsLost();
    void acquire_apiFailingBriefly_askedAgainAndHeld();
    void acquire_apiFailingOn_givesUpSayingWhy();

private:
    std::unique_ptr<Lease> lease(const QString &operationId, const QString &holder = {});
    LeaseRecord annotation();

    SandboxFixture m_fixture;
    std::unique_ptr<kube::KubeClient> m_client;
};

void TestLease::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_fixture.start());
    m_client = std::make_unique<kube::KubeClient>(m_fixture.admin());
    QVERIFY(createNamespace(m_client.get(), kNs));
    QString error;
    QVERIFY2(applyManifests(m_client.get(), kNs, &error), qPrintable(error));
}

// Every test starts with a free StatefulSet.
void TestLease::cleanup()
{
    const QJsonObject patch{
        {u"metadata"_s,
         QJsonObject{{u"annotations"_s, QJsonObject{{Lease::kAnnotation, QJsonValue::Null}}}}}};
    const kube::KubeResponse response = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->patch(kube::ResourceKind::statefulSets(), kNs, kSet, QJsonDocument(patch).toJson(),
                        "application/merge-patch+json", context, done);
    });
    QVERIFY2(response.ok(), qPrintable(response.error));
}

std::unique_ptr<Lease> TestLease::lease(const QString &operationId, const QString &holder)
{
    auto result = std::make_unique<Lease>(m_client.get(), kNs, kSet, operationId, u"scale-in"_s);
    if (!holder.isEmpty())
        result->setHolder(holder);
    return result;
}

LeaseRecord TestLease::annotation()
{
    const kube::KubeResponse response = await([&](QObject *context, kube::KubeClient::Done done) {
        m_client->get(kube::ResourceKind::statefulSets(), kNs, kSet, context, done);
    });
    const QString text = kube::valueAt(response.json(), u"metadata.annotations"_s)
                             .toObject()
                             .value(Lease::kAnnotation)
                             .toString();
    return LeaseRecord::fromJson(QJsonDocument::fromJson(text.toUtf8()).object());
}

void TestLease::acquire_free_annotationNamesHolderAndOperation()
{
    auto mine = lease(u"op-1"_s);
    const Answer answer = acquire(mine.get());
    QVERIFY2(answer.ok.value_or(false), qPrintable(answer.message));
    QVERIFY(mine->isHeld());

    const LeaseRecord record = annotation();
    QCOMPARE(record.holder, Lease::localHolder(u"op-1"_s));
    QVERIFY(record.holder.contains(u'@') && record.holder.endsWith(u"/op-1"_s));
    QCOMPARE(record.operation, u"scale-in"_s);
    QVERIFY(record.expires > QDateTime::currentDateTimeUtc());
}

void TestLease::acquire_heldByAnother_refusedNamingHolderOperationAndTime()
{
    auto alice = lease(u"op-alice"_s, u"alice@laptop/4242/op-alice"_s);
    QVERIFY(acquire(alice.get()).ok.value_or(false));

    auto mine = lease(u"op-2"_s);
    const Answer answer = acquire(mine.get());
    QVERIFY(answer.ok.has_value());
    QVERIFY(!*answer.ok);
    QVERIFY(!mine->isHeld());
    QVERIFY2(
        answer.message.contains(
            u"Another tdkube (alice@laptop/4242/op-alice) has been running scale-in on this cluster since "_s),
        qPrintable(answer.message));
    QVERIFY2(answer.message.contains(annotation().since.toString(Qt::ISODate)), qPrintable(answer.message));
    QCOMPARE(annotation().holder, u"alice@laptop/4242/op-alice"_s); // untouched
}

void TestLease::acquire_expired_takenOver()
{
    auto crashed = lease(u"op-crashed"_s, u"bob@desk/7/op-crashed"_s);
    crashed->setDuration(-60 * 1000); // as if written a while ago and never renewed
    QVERIFY(acquire(crashed.get()).ok.value_or(false));

    auto mine = lease(u"op-3"_s);
    const Answer answer = acquire(mine.get());
    QVERIFY2(answer.ok.value_or(false), qPrintable(answer.message));
    QCOMPARE(annotation().holder, Lease::localHolder(u"op-3"_s));
}

void TestLease::release_removesAnnotation_anotherMayAcquire()
{
    auto mine = lease(u"op-4"_s);
    QVERIFY(acquire(mine.get()).ok.value_or(false));
    const Answer released = release(mine.get());
    QVERIFY2(released.ok.value_or(false), qPrintable(released.message));
    QVERIFY(!mine->isHeld());
    QVERIFY(!annotation().isValid());

    auto other = lease(u"op-other"_s, u"carol@host/9/op-other"_s);
    QVERIFY(acquire(other.get()).ok.value_or(false));
    // Releasing a lease that is no longer ours leaves the new holder's alone.
    QVERIFY(release(mine.get()).ok.value_or(false));
    QCOMPARE(annotation().holder, u"carol@host/9/op-other"_s);
}

void TestLease::acquire_sameOperationInNewProcess_takesItsLeaseBack()
{
    auto before = lease(u"op-5"_s, u"dba@host/100/op-5"_s);
    QVERIFY(acquire(before.get()).ok.value_or(false));
    const QDateTime since = annotation().since;
    before.reset(); // tdkube was killed: the lease stays

    auto resumed = lease(u"op-5"_s, u"dba@host/200/op-5"_s);
    const Answer answer = acquire(resumed.get());
    QVERIFY2(answer.ok.value_or(false), qPrintable(answer.message));
    QCOMPARE(annotation().holder, u"dba@host/200/op-5"_s);
    QCOMPARE(annotation().since, since); // the same operation, still running since it began
}

// A takeover from the cluster's record: the same operation id, but another workstation may still be
// running it, so its lease is not taken back until it has expired.
void TestLease::acquire_sameOperationOnAnotherWorkstation_waitsForExpiry()
{
    auto colleague = lease(u"op-8"_s, u"colleague@elsewhere/42/op-8"_s);
    QVERIFY(acquire(colleague.get()).ok.value_or(false));

    auto mine = lease(u"op-8"_s);
    const Answer refused = acquire(mine.get());
    QVERIFY(refused.ok.has_value() && !*refused.ok);
    QVERIFY(mine->refused());
    QVERIFY2(refused.message.contains(u"Another tdkube (colleague@elsewhere/42/op-8)"_s),
             qPrintable(refused.message));
    QCOMPARE(annotation().holder, u"colleague@elsewhere/42/op-8"_s);

    colleague->setDuration(-1000); // it stopped renewing: its last write has expired
    QVERIFY(acquire(colleague.get()).ok.value_or(false));
    const Answer taken = acquire(mine.get());
    QVERIFY2(taken.ok.value_or(false), qPrintable(taken.message));
    QCOMPARE(annotation().holder, Lease::localHolder(u"op-8"_s));
}

void TestLease::blocks_saysWhetherThisWorkstationMustWait()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    LeaseRecord record;
    QVERIFY(!record.blocks(u"op"_s, now)); // none
    record.expires = now.addSecs(60);
    record.holder = u"colleague@elsewhere/42/op"_s;
    QCOMPARE(record.workstation(), u"colleague@elsewhere"_s);
    QVERIFY(record.blocks(u"op"_s, now));              // the same operation, elsewhere
    QVERIFY(record.blocks(u"other"_s, now));           // another operation
    QVERIFY(!record.blocks(u"op"_s, now.addSecs(61))); // expired
    record.holder = Lease::localHolder(u"op"_s);       // another process of this workstation
    QVERIFY(!record.blocks(u"op"_s, now));             // this workstation's own: a resume takes it back
    QVERIFY(record.blocks(u"other"_s, now));           // but another operation of this workstation must wait
}

void TestLease::inspect_readsWhatIsHeld()
{
    const auto inspect = [this] {
        std::optional<std::pair<LeaseRecord, QString>> seen;
        QObject context;
        Lease::inspect(m_client.get(), kNs, kSet, &context,
                       [&seen](const LeaseRecord &record, const QString &error) {
                           seen = std::make_pair(record, error);
                       });
        if (!QTest::qWaitFor([&] { return seen.has_value(); }, kWaitMs))
            return std::make_pair(LeaseRecord(), u"no answer"_s);
        return *seen;
    };
    QVERIFY(!inspect().first.isValid());
    QVERIFY(inspect().second.isEmpty());
    auto held = lease(u"op-9"_s, u"erin@desk/5/op-9"_s);
    QVERIFY(acquire(held.get()).ok.value_or(false));
    const auto [record, error] = inspect();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(record.holder, u"erin@desk/5/op-9"_s);
    QCOMPARE(record.operationId(), u"op-9"_s);
    QVERIFY(record.expires > QDateTime::currentDateTimeUtc());
}

void TestLease::acquire_twoAtOnce_exactlyOneWins()
{
    auto first = lease(u"op-a"_s, u"a@h/1/op-a"_s);
    auto second = lease(u"op-b"_s, u"b@h/2/op-b"_s);
    Answer a;
    Answer b;
    QObject context;
    connect(first.get(), &Lease::acquired, &context, [&a](bool ok, const QString &m) { a = {ok, m}; });
    connect(second.get(), &Lease::acquired, &context, [&b](bool ok, const QString &m) { b = {ok, m}; });
    // Both read the StatefulSet at the same resourceVersion before either writes.
    first->acquire();
    second->acquire();
    QVERIFY(QTest::qWaitFor([&] { return a.ok.has_value() && b.ok.has_value(); }, kWaitMs));

    QVERIFY2(*a.ok != *b.ok, qPrintable(a.message + u" / "_s + b.message));
    const Answer &loser = *a.ok ? b : a;
    const QString winner = *a.ok ? u"a@h/1/op-a"_s : u"b@h/2/op-b"_s;
    QVERIFY2(loser.message.contains(u"Another tdkube ("_s + winner + u')'), qPrintable(loser.message));
    QCOMPARE(annotation().holder, winner);
}

void TestLease::renew_afterTakeover_reportsLost()
{
    auto mine = lease(u"op-6"_s);
    mine->setDuration(-60 * 1000); // every write of it is expired at once, so that another may take over
    mine->setRenewInterval(10);
    std::optional<QString> lost;
    connect(mine.get(), &Lease::lost, this, [&lost](const QString &message) { lost = message; });
    QVERIFY(acquire(mine.get()).ok.value_or(false));
    auto other = lease(u"op-7"_s, u"dave@host/3/op-7"_s);
    QVERIFY(acquire(other.get()).ok.value_or(false));

    QVERIFY(QTest::qWaitFor([&] { return lost.has_value(); }, kWaitMs));
    QVERIFY2(lost->contains(u"Another tdkube (dave@host/3/op-7)"_s), qPrintable(*lost));
    QVERIFY(!mine->isHeld());
    QCOMPARE(annotation().holder, u"dave@host/3/op-7"_s);
}

// A burst of 5xx (an API server restarting, a load balancer failing over) is waited out: the lease is
// asked for again after 0.5, 1, 2 s, and held (found by tests/faults: the operation used to end at once).
void TestLease::acquire_apiFailingBriefly_askedAgainAndHeld()
{
    QVERIFY(control(m_client.get(), u"faults"_s, {{u"failRequests"_s, 3}, {u"failCode"_s, 503}}).ok());
    auto mine = lease(u"op-burst"_s);
    const Answer answer = acquire(mine.get());
    QVERIFY2(answer.ok.value_or(false), qPrintable(answer.message));
    QCOMPARE(annotation().holder, Lease::localHolder(u"op-burst"_s));
}

// An API server that keeps failing: after 5 more tries (15.5 s) the answer says what failed.
void TestLease::acquire_apiFailingOn_givesUpSayingWhy()
{
    QVERIFY(control(m_client.get(), u"faults"_s, {{u"failRequests"_s, 1000}, {u"failCode"_s, 500}}).ok());
    auto mine = lease(u"op-down"_s);
    QElapsedTimer clock;
    clock.start();
    const Answer answer = acquire(mine.get(), 30000);
    const qint64 elapsed = clock.elapsed();
    QVERIFY(control(m_client.get(), u"faults"_s, {{u"failRequests"_s, 0}}).ok());
    QVERIFY(answer.ok.has_value());
    QVERIFY(!*answer.ok);
    QVERIFY(!mine->isHeld());
    QVERIFY2(
        answer.message.startsWith(u"Could not read StatefulSet tdengine in namespace lease for its operation "
                                  u"lease: Internal error occurred"_s),
        qPrintable(answer.message));
    QVERIFY2(elapsed >= 15000, qPrintable(QString::number(elapsed)));
    QVERIFY(!annotation().isValid());
}

QTEST_GUILESS_MAIN(TestLease)
#include "tst_lease.moc"
