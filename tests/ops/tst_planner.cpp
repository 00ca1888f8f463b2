// The planner on facts built in code: every refusal, the exact steps of the seeds' procedures done
// safely, and plans surviving the journal's JSON.
#include "factsbuilder.h"
#include "ops/planner.h"

#include <QJsonDocument>
#include <QTest>

#include <functional>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::ops;
using namespace tdkube::ops::test;

using Edit = std::function<void(ClusterFacts &)>;
Q_DECLARE_METATYPE(Edit)

namespace {

// A step in one line, as a test compares it: "drop-dnode 7 force pods=tdengine-4".
QString describe(const Step &step)
{
    QStringList parts{stepKindName(step.kind)};
    if (step.dnodeId != 0)
        parts.append(QString::number(step.dnodeId));
    if (step.replicas != 0)
        parts.append(u"replicas=%1"_s.arg(step.replicas));
    if (step.force)
        parts.append(u"force"_s);
    if (step.unsafe)
        parts.append(u"unsafe"_s);
    if (!step.pods.isEmpty())
        parts.append(u"pods="_s + step.pods.join(u','));
    if (!step.claims.isEmpty())
        parts.append(u"claims="_s + step.claims.join(u','));
    if (!step.endpoints.isEmpty())
        parts.append(u"endpoints="_s + step.endpoints.join(u','));
    return parts.join(u' ');
}

QStringList describe(const Plan &plan)
{
    QStringList steps;
    for (const Step &step : plan.steps)
        steps.append(describe(step));
    return steps;
}

QStringList codes(const Plan &plan)
{
    QStringList list;
    for (const Finding &finding : plan.findings)
        list.append(severityName(finding.severity) + u':' + finding.code);
    return list;
}

const Finding *findingOf(const Plan &plan, const QString &code)
{
    for (const Finding &finding : plan.findings) {
        if (finding.code == code)
            return &finding;
    }
    return nullptr;
}

// Five pods on dnodes 1, 2, 3, 6, 7 (dnodes 4 and 5 were dropped by an earlier scale-in), with a
// replica-3 database spread over all of them.
ClusterFacts fiveDnodes()
{
    ClusterFacts facts = cluster(5, {1, 2, 3, 6, 7});
    addDatabase(facts, u"power"_s, 3, {{1, 2, 3}, {6, 7, 1}, {2, 3, 6}, {7, 1, 2}});
    return facts;
}

ClusterFacts threeDnodes()
{
    ClusterFacts facts = cluster(3);
    addDatabase(facts, u"power"_s, 3, {{1, 2, 3}, {2, 3, 1}});
    return facts;
}

Plan planFor(const QString &operation, const ClusterFacts &facts, int target)
{
    if (operation == u"scale-in")
        return planScaleIn(facts, target);
    if (operation == u"scale-out")
        return planScaleOut(facts, target);
    return planRepair(facts);
}

} // namespace

class TestPlanner final : public QObject
{
    Q_OBJECT

private slots:
    void dnodeByOrdinal_idsNotInOrdinalOrder_mapsByEndpoint();
    void healthyCluster_anyOperation_hasNoFindings();
    void findings_brokenCluster_refusesWithReasonAndFix_data();
    void findings_brokenCluster_refusesWithReasonAndFix();
    void scaleIn_fiveToThreeFollowerMnodeLeaving_dropsItCreatesOnStayingThenDropsHighestFirst();
    void scaleIn_twoMnodesOneLeaving_createsReplacementBeforeDropping();
    void scaleIn_dropDetail_saysHowManyVnodesMoveOrThatNoneDo();
    void scaleIn_belowDatabaseReplica_refusedAsSeedsSecondFailure();
    void scaleOut_threeToFive_scalesWaitsAndVerifies();
    void scaleOut_oneMnode_topsUpToThreeIncludingANewDnode();
    void scaleOut_staleClaims_blockedThenDeletedFirstWhenAllowed();
    void scaleOut_dnodeScaledInByHand_podReturnsWithItsClaim();
    void repair_dnodeScaledInByHandWithReplica3Data_dropsItForce();
    void repair_dnodeScaledInByHandWithReplica1Data_unsafeUntilConfirmed();
    void repair_dnodeStuckDropping_explainedWithTransactionErrorNothingDropped();
    void plans_json_roundTripExactly();
};

void TestPlanner::dnodeByOrdinal_idsNotInOrdinalOrder_mapsByEndpoint()
{
    ClusterFacts facts = cluster(3, {1, 5, 4, 9});
    // A dnode of another StatefulSet's namespace is no ordinal of this one.
    facts.snapshot.dnodes.append(
        {12, u"tdengine-1.taosd.other.svc.cluster.local:6030"_s, 0, 16, u"ready"_s, {}, {}, {}});
    const QMap<int, int> expected{{0, 1}, {1, 5}, {2, 4}, {3, 9}};
    QCOMPARE(dnodeByOrdinal(facts), expected);

    facts.snapshot.dnodes.removeAt(1);
    QCOMPARE(dnodeByOrdinal(facts).value(1), -1);
}

void TestPlanner::healthyCluster_anyOperation_hasNoFindings()
{
    const Plan in = planScaleIn(fiveDnodes(), 3);
    QCOMPARE(codes(in), QStringList());
    QVERIFY(!in.blocked());
    const Plan out = planScaleOut(threeDnodes(), 5);
    QCOMPARE(codes(out), QStringList());
    QVERIFY(!out.blocked());
    const Plan repair = planRepair(threeDnodes());
    QCOMPARE(codes(repair), QStringList{u"info:nothing-to-repair"_s});
    QVERIFY(repair.steps.isEmpty());
}

void TestPlanner::findings_brokenCluster_refusesWithReasonAndFix_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<int>("target");
    QTest::addColumn<Edit>("edit");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("severity");
    QTest::addColumn<QString>("words"); // in the reason: what a DBA must read

    const Edit none = [](ClusterFacts &) {};
    QTest::newRow("in: target 0") << u"scale-in"_s << 0 << none << u"invalid-target"_s << u"blocking"_s
                                  << u"has 5 dnodes now"_s;
    QTest::newRow("in: target = replicas") << u"scale-in"_s << 5 << none << u"invalid-target"_s
                                           << u"blocking"_s << u"tdengine in to 5 is not possible"_s;
    QTest::newRow("in: below replica") << u"scale-in"_s << 2 << none << u"below-replica"_s << u"blocking"_s
                                       << u"database power has replica 3: it needs 3 dnodes"_s;
    QTest::newRow("in: pod not ready")
        << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) { f.pods[1] = pod(1, false); })
        << u"pod-not-ready"_s << u"blocking"_s << u"Pod tdengine-1 is Pending"_s;
    QTest::newRow("in: pod missing") << u"scale-in"_s << 3
                                     << Edit([](ClusterFacts &f) { f.pods.removeAt(0); })
                                     << u"pod-not-ready"_s << u"blocking"_s
                                     << u"Pod tdengine-0 does not exist"_s;
    QTest::newRow("in: offline dnode")
        << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) {
               f.pods[2] = pod(2, false);
               dnodeWithId(f, 3)->status = u"offline"_s;
           })
        << u"offline-dnode"_s << u"blocking"_s
        << u"dnode 3 (tdengine-2.taosd.db.svc.cluster.local:6030) is offline"_s;
    QTest::newRow("in: dnode without pod") << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) {
        f.snapshot.dnodes.append({8, endpointOf(5), 0, 16, u"offline"_s, {}, {}, {}});
    }) << u"dnode-without-pod"_s << u"blocking"_s
                                           << u"pod tdengine-5 does not exist"_s;
    QTest::newRow("in: dnode dropping")
        << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) { dnodeWithId(f, 2)->status = u"dropping"_s; })
        << u"dnode-dropping"_s << u"blocking"_s << u"is being dropped"_s;
    // Dropping while offline: TDengine marks it `dropping*` (FACTS.md section 1).
    QTest::newRow("in: dnode dropping and offline")
        << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) { dnodeWithId(f, 2)->status = u"dropping*"_s; })
        << u"dnode-dropping"_s << u"blocking"_s << u"is being dropped"_s;
    QTest::newRow("in: transaction") << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) {
        f.snapshot.transactions.append(
            {11, u"redoAction"_s, u"redistribute-vgroup"_s, u"power"_s, {}, 0, {}});
    }) << u"transaction-running"_s << u"blocking"_s
                                     << u"11 (redistribute-vgroup, stage redoAction)"_s;
    // Pod tdengine-2 back on a new claim 10 minutes after its dnode joined: its vnodes are gone, whatever
    // their roles say (taos::lostVnodes); each drop would move vnodes by their other replicas.
    QTest::newRow("in: pod on a claim newer than its dnode")
        << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) {
               const QDateTime joined = QDateTime::fromString(u"2026-12-06T08:00:00Z"_s, Qt::ISODate);
               for (taos::Dnode &dnode : f.snapshot.dnodes)
                   dnode.createTime = joined;
               QJsonObject metadata = f.claims[2].value(u"metadata"_s).toObject();
               metadata.insert(u"creationTimestamp"_s, joined.addSecs(600).toString(Qt::ISODate));
               f.claims[2].insert(u"metadata"_s, metadata);
           })
        << u"vnodes-lost"_s << u"blocking"_s
        << u"dnode 3 (tdengine-2.taosd.db.svc.cluster.local:6030) joined the cluster on "
           u"2026-12-06T08:00:00Z, but pod "
           "tdengine-2 now runs on a volume claim created on 2026-12-06T08:10:00Z"_s;
    QTest::newRow("in: dnode not found")
        << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) { f.snapshot.dnodes.removeLast(); })
        << u"dnode-not-found"_s << u"blocking"_s << u"No dnode has the endpoint of pod tdengine-4"_s;
    QTest::newRow("in: vnode slots") << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) {
        for (taos::Dnode &dnode : f.snapshot.dnodes)
            dnode.supportVnodes = 3;
    }) << u"too-few-vnode-slots"_s << u"blocking"_s
                                     << u"The leaving dnodes hold 4 vnodes"_s;
    // Room enough in all (26 free slots for 4 vnodes), but TDengine places vnode by vnode: after
    // dnode 7's drop, vgroup 3 lies on 6, 2 and 1, and dnode 6's drop must take it to dnode 3, full.
    QTest::newRow("in: placement refused")
        << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) { dnodeWithId(f, 3)->supportVnodes = 2; })
        << u"vgroup-placement-refused"_s << u"blocking"_s
        << u"`drop dnode 6` would be refused: TDengine moves each of its "
           "vnodes to the least loaded dnode that holds no replica of that "
           "vgroup, and for vgroup 3 of database power that is dnode 3, "
           "which is full (2 of 2 vnodes)"_s;
    QTest::newRow("in: no dnode free of the vgroup")
        << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) {
               f = cluster(4);
               addDatabase(f, u"power"_s, 3, {{1, 2, 4}});
               dnodeWithId(f, 3)->supportVnodes = 0;
           })
        << u"vgroup-cannot-move"_s << u"blocking"_s
        << u"vgroup 2 of database power needs a dnode that holds "
           "none of its replicas"_s;
    QTest::newRow("in: mnode cannot move") << u"scale-in"_s << 2 << Edit([](ClusterFacts &f) {
        f = cluster(3);
        setMnodes(f, {1, 2, 3}, 1);
    }) << u"mnode-cannot-move"_s << u"blocking"_s
                                           << u"dnode 3 (pod tdengine-2) holds an mnode"_s;
    QTest::newRow("in: leader mnode leaving") << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) {
        setMnodes(f, {1, 2, 7}, 7);
    }) << u"mnode-leader-leaving"_s << u"blocking"_s
                                              << u"dnode 7 (pod tdengine-4) holds the leader mnode"_s;
    QTest::newRow("in: volume retained")
        << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) { f.volumes[4] = volume(4, u"Retain"_s); })
        << u"volumes-retained"_s << u"warning"_s << u"pv-4 (claim taosdata-tdengine-4)"_s;
    QTest::newRow("in: replica-1 vgroups move") << u"scale-in"_s << 3 << Edit([](ClusterFacts &f) {
        addDatabase(f, u"logs"_s, 1, {{1}, {7}});
    }) << u"replica1-vgroups-move"_s << u"warning"_s
                                                << u"Database(s) logs keep a single replica"_s;
    QTest::newRow("out: target = replicas") << u"scale-out"_s << 5 << none << u"invalid-target"_s
                                            << u"blocking"_s << u"it has 5 dnodes already"_s;
    QTest::newRow("out: stale claim")
        << u"scale-out"_s << 7 << Edit([](ClusterFacts &f) { f.claims.append(claim(6)); }) << u"stale-claim"_s
        << u"blocking"_s << u"Claim(s) taosdata-tdengine-6"_s;
    QTest::newRow("out: storage class")
        << u"scale-out"_s << 7 << Edit([](ClusterFacts &f) { f.storageClasses.clear(); })
        << u"unknown-storage-class"_s << u"blocking"_s << u"storage class standard"_s;
    QTest::newRow("out: pod not ready")
        << u"scale-out"_s << 7 << Edit([](ClusterFacts &f) { f.pods[4] = pod(4, false); })
        << u"pod-not-ready"_s << u"blocking"_s << u"Pod tdengine-4"_s;
    QTest::newRow("repair: data lost") << u"repair"_s << 0 << Edit([](ClusterFacts &f) {
        f.snapshot.dnodes.append({8, endpointOf(5), 0, 16, u"offline"_s, {}, {}, {}});
        addDatabase(f, u"logs"_s, 1, {{8}});
    }) << u"replica1-data-lost"_s << u"blocking"_s
                                       << u"dnode 8 holds the only copy of data of logs"_s;
    QTest::newRow("repair: without pod") << u"repair"_s << 0 << Edit([](ClusterFacts &f) {
        f.snapshot.dnodes.append({8, endpointOf(5), 0, 16, u"offline"_s, {}, {}, {}});
    }) << u"dnode-without-pod"_s << u"warning"_s
                                         << u"its pod tdengine-5 does not exist"_s;
    QTest::newRow("repair: dropping") << u"repair"_s << 0 << Edit([](ClusterFacts &f) {
        dnodeWithId(f, 7)->status = u"dropping"_s;
        f.snapshot.transactions.append({12, u"redoAction"_s, u"drop-dnode"_s, {}, {}, 0, {}});
    }) << u"dnode-dropping"_s << u"warning"_s
                                      << u"a drop-dnode transaction is moving its 2 vnodes"_s;
    QTest::newRow("repair: offline with pod") << u"repair"_s << 0 << Edit([](ClusterFacts &f) {
        f.pods[3] = pod(3, false);
        dnodeWithId(f, 6)->status = u"offline"_s;
    }) << u"offline-dnode"_s << u"warning"_s << u"its pod tdengine-3 exists: it is Pending and not Ready"_s;
    QTest::newRow("repair: below replica") << u"repair"_s << 0 << Edit([](ClusterFacts &f) {
        f = cluster(2, {1, 2, 3});
        addDatabase(f, u"power"_s, 3, {{1, 2, 3}});
    }) << u"below-replica"_s << u"blocking"_s
                                           << u"only 2 dnodes would remain"_s;
}

void TestPlanner::findings_brokenCluster_refusesWithReasonAndFix()
{
    QFETCH(QString, operation);
    QFETCH(int, target);
    QFETCH(Edit, edit);
    QFETCH(QString, code);
    QFETCH(QString, severity);
    QFETCH(QString, words);

    ClusterFacts facts = fiveDnodes();
    edit(facts);
    const Plan plan = planFor(operation, facts, target);
    const Finding *finding = findingOf(plan, code);
    QVERIFY2(finding, qPrintable(codes(plan).join(u", "_s)));
    QCOMPARE(severityName(finding->severity), severity);
    QVERIFY2(finding->reason.contains(words, Qt::CaseInsensitive), qPrintable(finding->reason));
    QVERIFY(!finding->fix.isEmpty());
    // Nothing runs while anything blocks.
    QCOMPARE(plan.blocked(), severity == u"blocking");
    if (plan.blocked() && plan.confirmation.isEmpty())
        QCOMPARE(describe(plan), QStringList());
}

void TestPlanner::scaleIn_fiveToThreeFollowerMnodeLeaving_dropsItCreatesOnStayingThenDropsHighestFirst()
{
    ClusterFacts facts = fiveDnodes();
    setMnodes(facts, {1, 2, 7}, 1); // a follower runs on tdengine-4
    facts.volumes[3] = volume(3, u"Retain"_s);

    const Plan plan = planScaleIn(facts, 3);
    QCOMPARE(codes(plan), QStringList{u"warning:volumes-retained"_s});
    // TDengine refuses a fourth mnode: the leaving one goes first.
    QCOMPARE(describe(plan),
             (QStringList{u"drop-mnode 7"_s, u"create-mnode 3"_s, u"drop-dnode 7 pods=tdengine-4"_s,
                          u"drop-dnode 6 pods=tdengine-3"_s, u"scale-statefulset replicas=3"_s,
                          u"wait-pods-gone pods=tdengine-4,tdengine-3"_s,
                          u"delete-claims claims=taosdata-tdengine-4,taosdata-tdengine-3"_s,
                          u"verify replicas=3"_s}));
    QCOMPARE(plan.summary(), u"Scale tdengine in from 5 to 3 dnodes (8 steps)"_s);
    QCOMPARE(plan.steps.at(2).title, u"drop dnode 7 (pod tdengine-4)"_s);
    QVERIFY2(plan.steps.at(0).detail.contains(u"TDengine keeps at most 3 mnodes"_s),
             qPrintable(plan.steps.at(0).detail));
    const QString claims = plan.steps.at(6).detail;
    QVERIFY2(
        claims.contains(u"taosdata-tdengine-4: its volume pv-4 is deleted with it (reclaim policy Delete)"_s),
        qPrintable(claims));
    QVERIFY2(claims.contains(u"taosdata-tdengine-3: its volume pv-3 is kept, Released"_s),
             qPrintable(claims));
}

void TestPlanner::scaleIn_dropDetail_saysHowManyVnodesMoveOrThatNoneDo()
{
    // dnode 7 holds vnodes of two vgroups; dnode 6 (a scale-out without balance vgroup) holds none.
    ClusterFacts facts = cluster(5, {1, 2, 3, 6, 7});
    addDatabase(facts, u"power"_s, 3, {{1, 2, 3}, {7, 1, 2}, {2, 3, 7}});

    const Plan plan = planScaleIn(facts, 3);
    QCOMPARE(plan.steps.at(0).title, u"drop dnode 7 (pod tdengine-4)"_s);
    QVERIFY2(
        plan.steps.at(0).detail.startsWith(u"`drop dnode 7` moves its 2 vnodes to the dnodes that stay"_s),
        qPrintable(plan.steps.at(0).detail));
    QCOMPARE(plan.steps.at(1).title, u"drop dnode 6 (pod tdengine-3)"_s);
    QVERIFY2(plan.steps.at(1).detail.startsWith(u"dnode 6 holds no vnode, so `drop dnode 6` moves no data"_s),
             qPrintable(plan.steps.at(1).detail));
}

void TestPlanner::scaleIn_twoMnodesOneLeaving_createsReplacementBeforeDropping()
{
    ClusterFacts facts = fiveDnodes();
    setMnodes(facts, {1, 6}, 1);
    const QStringList steps = describe(planScaleIn(facts, 3));
    QCOMPARE(steps.mid(0, 3),
             (QStringList{u"create-mnode 2"_s, u"drop-mnode 6"_s, u"drop-dnode 7 pods=tdengine-4"_s}));
}

void TestPlanner::scaleIn_belowDatabaseReplica_refusedAsSeedsSecondFailure()
{
    // Seed 000, "error two": a replica-2 database, then the StatefulSet scaled to one pod.
    ClusterFacts facts = cluster(2);
    addDatabase(facts, u"test"_s, 2, {{1, 2}, {2, 1}});
    const Plan plan = planScaleIn(facts, 1);
    QVERIFY(plan.blocked());
    QVERIFY(plan.steps.isEmpty());
    const Finding *finding = findingOf(plan, u"below-replica"_s);
    QVERIFY(finding);
    QVERIFY2(
        finding->reason.startsWith(u"Database test has replica 2: it needs 2 dnodes, and the scale-in would "
                                   "leave 1 dnode."_s),
        qPrintable(finding->reason));
    QCOMPARE(finding->fix, u"Choose a target of 2 or more dnodes."_s);
    QCOMPARE(plan.summary(), u"Scale tdengine in from 2 to 1 dnodes (0 steps): blocked"_s);
}

void TestPlanner::scaleOut_threeToFive_scalesWaitsAndVerifies()
{
    const Plan plan = planScaleOut(threeDnodes(), 5);
    QCOMPARE(describe(plan),
             (QStringList{u"scale-statefulset replicas=5"_s,
                          u"wait-pods-ready replicas=5 pods=tdengine-3,tdengine-4"_s,
                          u"wait-dnodes-ready replicas=5 endpoints="_s + endpointOf(3) + u',' + endpointOf(4),
                          u"verify replicas=5"_s}));

    ScaleOutOptions balance;
    balance.balanceVgroups = true;
    QCOMPARE(describe(planScaleOut(threeDnodes(), 5, balance)).at(3), u"balance-vgroup"_s);
}

void TestPlanner::scaleOut_oneMnode_topsUpToThreeIncludingANewDnode()
{
    ClusterFacts facts = cluster(2);
    setMnodes(facts, {1}, 1);
    QCOMPARE(describe(planScaleOut(facts, 4)),
             (QStringList{u"scale-statefulset replicas=4"_s,
                          u"wait-pods-ready replicas=4 pods=tdengine-2,tdengine-3"_s,
                          u"wait-dnodes-ready replicas=4 endpoints="_s + endpointOf(2) + u',' + endpointOf(3),
                          u"create-mnode 2"_s, u"create-mnode endpoints="_s + endpointOf(2),
                          u"verify replicas=4"_s}));
    ScaleOutOptions keep;
    keep.topUpMnodes = false;
    QVERIFY(!describe(planScaleOut(facts, 4, keep)).join(u' ').contains(u"create-mnode"_s));
}

void TestPlanner::scaleOut_staleClaims_blockedThenDeletedFirstWhenAllowed()
{
    // Seed 001's warning: a scale-in left the claims of tdengine-3 and tdengine-4 behind.
    ClusterFacts facts = threeDnodes();
    facts.claims += {claim(3), claim(4)};
    facts.volumes += {volume(3), volume(4)};

    const Plan refused = planScaleOut(facts, 5);
    QVERIFY(refused.blocked());
    QCOMPARE(codes(refused), QStringList{u"blocking:stale-claim"_s});
    QVERIFY(refused.steps.isEmpty());
    QVERIFY(findingOf(refused, u"stale-claim"_s)->reason.contains(u"cannot join the cluster"_s));

    ScaleOutOptions options;
    options.deleteStaleClaims = true;
    const Plan allowed = planScaleOut(facts, 5, options);
    QVERIFY(!allowed.blocked());
    QCOMPARE(codes(allowed), QStringList{u"warning:stale-claim"_s});
    QCOMPARE(describe(allowed).first(), u"delete-claims claims=taosdata-tdengine-3,taosdata-tdengine-4"_s);
    QCOMPARE(describe(allowed).at(1), u"scale-statefulset replicas=5"_s);
    QVERIFY(allowed.steps.first().detail.contains(u"pv-3 is deleted with it"_s));
}

void TestPlanner::scaleOut_dnodeScaledInByHand_podReturnsWithItsClaim()
{
    // Seed 000, "error one", undone: tdengine-3 went without `drop dnode`, its claim is still there.
    ClusterFacts facts = cluster(3, {1, 2, 3, 4});
    setMnodes(facts, {1}, 1);
    facts.claims.append(claim(3));
    facts.volumes.append(volume(3));
    ScaleOutOptions options;
    options.deleteStaleClaims = true; // even so, never the claim of a dnode that is still a member

    const Plan plan = planScaleOut(facts, 5, options);
    QCOMPARE(codes(plan), QStringList{u"info:dnode-returns"_s});
    QVERIFY(findingOf(plan, u"dnode-returns"_s)
                ->reason.contains(u"pod tdengine-3 returns with claim taosdata-tdengine-3"_s));
    QCOMPARE(describe(plan),
             (QStringList{u"scale-statefulset replicas=5"_s,
                          u"wait-pods-ready replicas=5 pods=tdengine-3,tdengine-4"_s,
                          u"wait-dnodes-ready replicas=5 endpoints="_s + endpointOf(3) + u',' + endpointOf(4),
                          u"create-mnode 2"_s, u"create-mnode 3"_s, u"verify replicas=5"_s}));

    // Repair offers the same way back before the force drop.
    const Plan repair = planRepair(facts);
    QVERIFY(findingOf(repair, u"dnode-without-pod"_s)
                ->fix.startsWith(u"Either scale the StatefulSet back out"_s));
}

void TestPlanner::repair_dnodeScaledInByHandWithReplica3Data_dropsItForce()
{
    // Seed 000, "error one": the StatefulSet scaled to 3 by hand; dnode 4 stays, offline.
    ClusterFacts facts = cluster(3, {1, 2, 3, 4});
    addDatabase(facts, u"power"_s, 3, {{1, 2, 4}, {4, 3, 1}, {2, 3, 1}});

    const Plan plan = planRepair(facts);
    QVERIFY(!plan.blocked());
    QCOMPARE(codes(plan), QStringList{u"warning:dnode-without-pod"_s});
    QCOMPARE(describe(plan), (QStringList{u"drop-dnode 4 force pods=tdengine-3"_s, u"verify replicas=3"_s}));
    QCOMPARE(plan.steps.first().detail, u"The vnodes of power are rebuilt from their other replicas."_s);
    QVERIFY(plan.confirmation.isEmpty());
    QCOMPARE(plan.summary(), u"Repair tdengine (2 steps)"_s);
}

void TestPlanner::repair_dnodeScaledInByHandWithReplica1Data_unsafeUntilConfirmed()
{
    ClusterFacts facts = cluster(3, {1, 2, 3, 4});
    addDatabase(facts, u"power"_s, 3, {{1, 2, 4}});
    addDatabase(facts, u"logs"_s, 1, {{4}, {1}});

    Plan plan = planRepair(facts);
    QCOMPARE(describe(plan),
             (QStringList{u"drop-dnode 4 force unsafe pods=tdengine-3"_s, u"verify replicas=3"_s}));
    QVERIFY(plan.blocked());
    QCOMPARE(plan.confirmation, u"tdengine"_s);
    const Finding *lost = findingOf(plan, u"replica1-data-lost"_s);
    QVERIFY(lost);
    QVERIFY(lost->fix.contains(u"type the cluster name tdengine to confirm"_s));
    QVERIFY(plan.steps.first().detail.contains(u"logs keep a single replica"_s));
    QVERIFY(plan.steps.first().detail.contains(u"The vnodes of power are rebuilt"_s));
    // TDengine takes `unsafe` alone (it implies force); `force unsafe` is a syntax error.
    QCOMPARE(plan.steps.first().title, u"drop dnode 4 unsafe (pod tdengine-3 is gone)"_s);
    QVERIFY(plan.steps.first().detail.contains(u"that data is lost (`drop dnode 4 unsafe`)"_s));
    // Its rows cannot be counted before, and will be fewer after: the executor skips them.
    QCOMPARE(plan.lostDatabases, QStringList{u"logs"_s});
    QVERIFY2(plan.steps.last().detail.contains(u"logs is not counted before nor compared after"_s),
             qPrintable(plan.steps.last().detail));

    QVERIFY(!plan.confirm(u"tdengin"_s));
    QVERIFY(plan.blocked());
    QVERIFY(plan.confirm(u"tdengine"_s));
    QVERIFY(!plan.blocked());
    QCOMPARE(severityName(findingOf(plan, u"replica1-data-lost"_s)->severity), u"warning"_s);
}

// The "a dnode stuck `dropping` is explained": its transaction and last error are named, and
// nothing is dropped or forced while TDengine is still at it.
void TestPlanner::repair_dnodeStuckDropping_explainedWithTransactionErrorNothingDropped()
{
    ClusterFacts facts = fiveDnodes();
    dnodeWithId(facts, 7)->status = u"dropping"_s;
    dnodeWithId(facts, 6)->status = u"offline"_s;
    facts.pods[3] = pod(3, false);
    // Stuck: its create-vnode on tdengine-3 (offline) failed 9 times (3.0.5.2's last_action_info).
    facts.snapshot.transactions.append(
        {14,
         u"redoAction"_s,
         u"drop-dnode"_s,
         {},
         {},
         9,
         u"action:3 code:0xb(Unable to establish connection) msgType:create-vnode numOfEps:1 inUse:0 "
         "ep:0-tdengine-3.taosd:6030 "_s});

    const Plan plan = planRepair(facts);
    QCOMPARE(codes(plan), (QStringList{u"warning:offline-dnode"_s, u"warning:dnode-dropping"_s,
                                       u"info:nothing-to-repair"_s}));
    QVERIFY(plan.steps.isEmpty());
    QVERIFY(!plan.blocked());
    const Finding *dropping = findingOf(plan, u"dnode-dropping"_s);
    QCOMPARE(
        dropping->reason,
        u"dnode 7 (%1) is dropping: a drop-dnode transaction is moving its 2 vnodes to the other dnodes. "
        "Running: transaction 14 (drop-dnode, stage redoAction): action 3 (create-vnode to "
        "tdengine-3.taosd:6030) failed 9 times: Unable to establish connection (0x000B)."_s.arg(
            endpointOf(4)));
    QVERIFY2(
        dropping->fix.contains(u"Leave its pod and its claim alone until the dnode has left `show dnodes`"_s),
        qPrintable(dropping->fix));
    QVERIFY2(dropping->fix.contains(u"often a dnode that is offline: bring its pod back"_s),
             qPrintable(dropping->fix));
    QVERIFY2(dropping->fix.contains(u"`kill transaction 14` ends it"_s), qPrintable(dropping->fix));
    QVERIFY2(dropping->fix.contains(u"counts its remaining actions as done without doing them"_s),
             qPrintable(dropping->fix));

    // A scale-in waits for it too.
    facts.pods[3] = pod(3, true);
    dnodeWithId(facts, 6)->status = u"ready"_s;
    const Plan scaleIn = planScaleIn(facts, 3);
    QVERIFY(scaleIn.blocked());
    QVERIFY(findingOf(scaleIn, u"dnode-dropping"_s));
    QVERIFY(scaleIn.steps.isEmpty());
}

void TestPlanner::plans_json_roundTripExactly()
{
    ClusterFacts lost = cluster(3, {1, 2, 3, 4});
    addDatabase(lost, u"logs"_s, 1, {{4}});
    ClusterFacts stale = threeDnodes();
    stale.claims.append(claim(3));
    ScaleOutOptions options;
    options.deleteStaleClaims = true;
    options.balanceVgroups = true;
    QList<Plan> plans{planScaleIn(fiveDnodes(), 3), planScaleOut(stale, 5, options), planRepair(lost),
                      planScaleIn(fiveDnodes(), 1)};
    plans[0].context = u"sandbox"_s;
    for (const Plan &plan : std::as_const(plans)) {
        QVERIFY(!plan.steps.isEmpty() || plan.blocked());
        const QByteArray text = QJsonDocument(plan.toJson()).toJson();
        const Plan read = Plan::fromJson(QJsonDocument::fromJson(text).object());
        QVERIFY2(read == plan, text.constData());
        QCOMPARE(read.toJson(), plan.toJson());
    }
    QCOMPARE(operationName(Plan::fromJson(plans[2].toJson()).kind), u"repair"_s);
}

QTEST_GUILESS_MAIN(TestPlanner)
#include "tst_planner.moc"
