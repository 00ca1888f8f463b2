// The operation journal on disk: what a resume offer at start finds, and that every write leaves a
// whole, readable file.
#include "ops/journal.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tdkube::ops;

namespace {

// A scale-in 5 -> 3 as the planner would write it: 8 steps, step 4 drops the dnode of pod 4.
Plan scaleInPlan()
{
    Plan plan;
    plan.kind = OperationKind::ScaleIn;
    plan.context = u"prod"_s;
    plan.ns = u"tsdb"_s;
    plan.statefulSet = u"tdengine"_s;
    plan.fromReplicas = 5;
    plan.toReplicas = 3;
    plan.findings.append(
        {Finding::Severity::Warning, u"reclaim-delete"_s, u"The volumes are deleted"_s, u"Back up"_s});
    auto step = [&plan](Step::Kind kind, const QString &title) -> Step & {
        Step s;
        s.kind = kind;
        s.title = title;
        plan.steps.append(s);
        return plan.steps.last();
    };
    step(Step::Kind::CreateMnode, u"create mnode on dnode 2"_s).dnodeId = 2;
    step(Step::Kind::DropMnode, u"drop mnode on dnode 4"_s).dnodeId = 4;
    step(Step::Kind::DropDnode, u"drop dnode 4 (pod tdengine-3)"_s).dnodeId = 4;
    Step &drop = step(Step::Kind::DropDnode, u"drop dnode 5 (pod tdengine-4)"_s);
    drop.dnodeId = 5;
    drop.force = true;
    drop.unsafe = true;
    step(Step::Kind::ScaleStatefulSet, u"scale tdengine to 3"_s).replicas = 3;
    step(Step::Kind::WaitPodsGone, u"wait for pods"_s).pods = {u"tdengine-4"_s, u"tdengine-3"_s};
    step(Step::Kind::DeleteClaims, u"delete claims"_s).claims = {u"taosdata-tdengine-4"_s,
                                                                 u"taosdata-tdengine-3"_s};
    Step &verify = step(Step::Kind::Verify, u"verify"_s);
    verify.endpoints = {u"tdengine-0.taosd.tsdb.svc.cluster.local:6030"_s};
    verify.detail = u"rows as before"_s;
    return plan;
}

QJsonObject fileJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

} // namespace

class TestJournal final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void plan_toJsonFromJson_exactRoundTrip();
    void create_newOperation_fileHoldsPlanAndPendingSteps();
    void load_afterEveryChange_sameAsInMemory();
    void unfinished_crashDuringStep_saysWhereItStopped();
    void unfinished_failedStep_saysWhyWithTheMessage();
    void finishAndAbandon_leaveTheResumeOffer();
    void writes_leaveNoTemporaryFileAndUnreadableFilesAreSkipped();
    void write_targetUnwritable_failsSayingWhereAndWhatToDo();
    void discard_removesTheFile();
    void adopt_anotherWorkstationsRecord_becomesThisJournalWithThisContext();
    void adopt_idThatIsNoFileName_refusedAndNothingWritten();
};

void TestJournal::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestJournal::init()
{
    QDir(Journal::directory()).removeRecursively();
}

void TestJournal::plan_toJsonFromJson_exactRoundTrip()
{
    const Plan plan = scaleInPlan();
    const Plan back = Plan::fromJson(plan.toJson());
    QCOMPARE(back.toJson(), plan.toJson());
    QCOMPARE(back.steps, plan.steps);
    QCOMPARE(back.findings.size(), 1);
    QCOMPARE(back.findings.at(0).severity, Finding::Severity::Warning);
    QCOMPARE(back.summary(), u"Scale tdengine in from 5 to 3 dnodes (8 steps)"_s);
    QVERIFY(!back.blocked());
    QCOMPARE(stepKindName(back.steps.at(3).kind), u"drop-dnode"_s);
    QVERIFY(back.steps.at(3).unsafe);
}

void TestJournal::create_newOperation_fileHoldsPlanAndPendingSteps()
{
    QString error;
    const Journal journal = Journal::create(scaleInPlan(), &error);
    QVERIFY2(journal.isValid(), qPrintable(error));
    QVERIFY(journal.path().startsWith(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                                      u"/operations/"_s));
    const QJsonObject json = fileJson(journal.path());
    QCOMPARE(json.value(u"id").toString(), journal.id());
    QCOMPARE(json.value(u"status").toString(), u"running"_s);
    QCOMPARE(json.value(u"plan").toObject().value(u"namespace").toString(), u"tsdb"_s);
    QCOMPARE(json.value(u"plan").toObject().value(u"context").toString(), u"prod"_s);
    QCOMPARE(json.value(u"steps").toArray().size(), 8);
    QCOMPARE(json.value(u"steps").toArray().at(0).toObject().value(u"state").toString(), u"pending"_s);
    QCOMPARE(journal.whereStopped(), u"stopped before step 1 of 8: create mnode on dnode 2"_s);

    // Two operations started at once get two files.
    const Journal other = Journal::create(scaleInPlan());
    QVERIFY(other.id() != journal.id());
}

void TestJournal::load_afterEveryChange_sameAsInMemory()
{
    Journal journal = Journal::create(scaleInPlan());
    QVERIFY(journal.setRowCounts({{u"db.meters"_s, 9007199254740993LL}, {u"db.t"_s, 2}}));
    QVERIFY(journal.markRunning(0));
    QCOMPARE(Journal::load(journal.path()).toJson(), journal.toJson());
    QVERIFY(journal.markDone(0, u"created"_s));
    QVERIFY(journal.markRunning(1));
    QVERIFY(journal.markFailed(1, u"refused"_s));

    QString error;
    const Journal loaded = Journal::load(journal.path(), &error);
    QVERIFY2(loaded.isValid(), qPrintable(error));
    QCOMPARE(loaded.toJson(), journal.toJson());
    QCOMPARE(loaded.steps(), journal.steps());
    QCOMPARE(loaded.steps().at(0).state, Journal::StepState::Done);
    QVERIFY(loaded.steps().at(0).started.isValid());
    QVERIFY(loaded.steps().at(0).ended >= loaded.steps().at(0).started);
    QCOMPARE(loaded.steps().at(1).message, u"refused"_s);
    // 2^53 + 1: a row count that a JSON double would round.
    QCOMPARE(loaded.rowCounts().value(u"db.meters"_s), 9007199254740993LL);
    QVERIFY(loaded.hasRowCounts());
    QCOMPARE(loaded.resumeIndex(), 1);
    QCOMPARE(loaded.plan().toJson(), scaleInPlan().toJson());
}

void TestJournal::unfinished_crashDuringStep_saysWhereItStopped()
{
    Journal journal = Journal::create(scaleInPlan());
    for (int i = 0; i < 3; ++i) {
        QVERIFY(journal.markRunning(i));
        QVERIFY(journal.markDone(i, u"ok"_s));
    }
    QVERIFY(journal.markRunning(3));
    // tdkube is killed here.

    const QList<Journal> unfinished = Journal::unfinished();
    QCOMPARE(unfinished.size(), 1);
    QCOMPARE(unfinished.at(0).id(), journal.id());
    QCOMPARE(unfinished.at(0).whereStopped(), u"stopped during step 4 of 8: drop dnode 5 (pod tdengine-4)"_s);
    QCOMPARE(unfinished.at(0).resumeIndex(), 3);
}

void TestJournal::unfinished_failedStep_saysWhyWithTheMessage()
{
    Journal journal = Journal::create(scaleInPlan());
    QVERIFY(journal.markRunning(0));
    QVERIFY(journal.markFailed(0, u"TDengine error 0x03A9: too many mnodes"_s));
    const QList<Journal> unfinished = Journal::unfinished();
    QCOMPARE(unfinished.size(), 1);
    QCOMPARE(unfinished.at(0).whereStopped(),
             u"failed at step 1 of 8: create mnode on dnode 2: TDengine error 0x03A9: too many mnodes"_s);
}

void TestJournal::finishAndAbandon_leaveTheResumeOffer()
{
    Journal finished = Journal::create(scaleInPlan());
    Journal abandoned = Journal::create(scaleInPlan());
    Journal open = Journal::create(scaleInPlan());
    QCOMPARE(Journal::unfinished().size(), 3);
    for (int i = 0; i < 8; ++i) {
        QVERIFY(finished.markRunning(i));
        QVERIFY(finished.markDone(i, u"ok"_s));
    }
    QVERIFY(finished.finish());
    QVERIFY(abandoned.abandon());

    const QList<Journal> unfinished = Journal::unfinished();
    QCOMPARE(unfinished.size(), 1);
    QCOMPARE(unfinished.at(0).id(), open.id());
    QCOMPARE(Journal::load(finished.path()).status(), Journal::Status::Finished);
    QCOMPARE(Journal::load(abandoned.path()).status(), Journal::Status::Abandoned);
    QCOMPARE(Journal::load(abandoned.path()).whereStopped(), u"abandoned"_s);
}

void TestJournal::writes_leaveNoTemporaryFileAndUnreadableFilesAreSkipped()
{
    Journal journal = Journal::create(scaleInPlan());
    for (int i = 0; i < 8; ++i) {
        QVERIFY(journal.markRunning(i));
        QVERIFY(journal.markDone(i, u"ok"_s));
    }
    QFile broken(Journal::directory() + u"/20260101T000000Z-deadbeef.json"_s);
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("{\"id\": \"20260101T000000Z-dead");
    broken.close();

    QCOMPARE(QDir(Journal::directory()).entryList(QDir::Files | QDir::Hidden).size(), 2);
    QCOMPARE(Journal::unfinished().size(), 1); // the readable one
    QString error;
    QVERIFY(!Journal::load(broken.fileName(), &error).isValid());
    QVERIFY2(error.contains(broken.fileName()) && error.contains(u"Move it away"_s), qPrintable(error));
}

void TestJournal::write_targetUnwritable_failsSayingWhereAndWhatToDo()
{
    Journal journal = Journal::create(scaleInPlan());
    QVERIFY(journal.markRunning(0));
    // A folder where the file should be: the rename that commits a QSaveFile fails, even for root
    // (whom permissions would not stop).
    QVERIFY(QFile::remove(journal.path()));
    QVERIFY(QDir().mkpath(journal.path()));
    QString error;
    QVERIFY(!journal.markDone(0, u"ok"_s, &error));
    QVERIFY2(error.contains(journal.path()) && error.contains(u"resume it"_s), qPrintable(error));
    QVERIFY(QDir().rmdir(journal.path()));
    // No stray temporary file is left beside it.
    QCOMPARE(QDir(Journal::directory()).entryList(QDir::Files | QDir::Hidden), QStringList());
}

void TestJournal::discard_removesTheFile()
{
    Journal journal = Journal::create(scaleInPlan());
    const QString path = journal.path();
    QVERIFY(QFile::exists(path));
    QVERIFY(journal.discard());
    QVERIFY(!QFile::exists(path));
    QVERIFY(!journal.isValid());
    QVERIFY(Journal::unfinished().isEmpty());
}

// A takeover: the journal another workstation wrote (as its record in the cluster holds it) becomes this
// workstation's journal of the same operation, under this kubeconfig's name for the cluster.
void TestJournal::adopt_anotherWorkstationsRecord_becomesThisJournalWithThisContext()
{
    Journal theirs = Journal::create(scaleInPlan());
    QVERIFY(theirs.setRowCounts({{u"r3.meters"_s, 42}}));
    QVERIFY(theirs.markRunning(0));
    QVERIFY(theirs.markDone(0, u"mnode created"_s));
    QVERIFY(theirs.markRunning(1));
    const Journal recorded = Journal::fromJson(theirs.toJson());
    QVERIFY(QFile::remove(theirs.path())); // this workstation never had it

    QString error;
    const Journal adopted = Journal::adopt(recorded, u"colleague-context"_s, &error);
    QVERIFY2(adopted.isValid(), qPrintable(error));
    const Journal loaded = Journal::load(adopted.path());
    QCOMPARE(loaded.id(), recorded.id());
    QCOMPARE(loaded.plan().context, u"colleague-context"_s);
    QCOMPARE(loaded.plan().statefulSet, u"tdengine"_s);
    QCOMPARE(loaded.steps(), recorded.steps());
    QCOMPARE(loaded.rowCounts().value(u"r3.meters"_s), 42);
    QCOMPARE(loaded.whereStopped(), u"stopped during step 2 of 8: drop mnode on dnode 4"_s);
    QCOMPARE(Journal::unfinished().size(), 1);
}

// A record is written by anybody who may write ConfigMaps: its id must not name a file outside the folder.
void TestJournal::adopt_idThatIsNoFileName_refusedAndNothingWritten()
{
    QJsonObject json = Journal::create(scaleInPlan()).toJson();
    QVERIFY(QDir(Journal::directory()).removeRecursively());
    for (const QString &id : {u"../../outside"_s, u"a/b"_s, u".hidden"_s, QString(70, u'a')}) {
        json.insert(u"id"_s, id);
        QString error;
        QVERIFY(!Journal::adopt(Journal::fromJson(json), u"ctx"_s, &error).isValid());
        QVERIFY2(error.contains(u"not one tdkube writes"_s), qPrintable(error));
    }
    QVERIFY(!QDir(Journal::directory()).exists() || QDir(Journal::directory()).isEmpty());
    QVERIFY(!QFile::exists(QDir(Journal::directory()).filePath(u"../../outside.json"_s)));
}

QTEST_GUILESS_MAIN(TestJournal)
#include "tst_journal.moc"
