// The upgrade's plan (planUpgrade) on facts built in code: the versions read from image tags and from
// TDengine, every refusal with its reason (no version, a downgrade, a jump TDengine cannot roll, a cluster
// not whole, a rollout under way), and the steps of the roll, highest ordinal first, each dnode checked to
// run the new version.
#include "factsbuilder.h"
#include "ops/planner.h"
#include "taos/versions.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::ops;
using namespace tdkube::ops::test;

namespace {

// A 3-dnode cluster on `image` (a sidecar beside the tdengine container), TDengine answering `version`,
// with a replica-3 database.
ClusterFacts upgradable(const QString &image = u"tdengine/tdengine:3.3.6.0"_s,
                        const QString &version = u"3.3.6.0"_s)
{
    ClusterFacts facts = cluster(3);
    QJsonObject spec = facts.statefulSet.value(u"spec").toObject();
    const QJsonArray containers{
        QJsonObject{
            {u"name"_s, u"tdengine"_s},
            {u"image"_s, image},
            {u"envFrom"_s,
             QJsonArray{QJsonObject{{u"configMapRef"_s, QJsonObject{{u"name"_s, u"tdengine-taoscfg"_s}}}}}}},
        QJsonObject{{u"name"_s, u"exporter"_s}, {u"image"_s, u"taos/exporter:1.0"_s}}};
    spec.insert(u"template"_s, QJsonObject{{u"spec"_s, QJsonObject{{u"containers"_s, containers}}}});
    spec.insert(u"updateStrategy"_s, QJsonObject{{u"type"_s, u"RollingUpdate"_s}});
    facts.statefulSet.insert(u"spec"_s, spec);
    facts.snapshot.serverVersion = version;
    addDatabase(facts, u"r3"_s, 3, {{1, 2, 3}, {2, 3, 1}});
    return facts;
}

} // namespace

class TestPlanUpgrade final : public QObject
{
    Q_OBJECT

private slots:
    void imageVersion_fromTheTag_data()
    {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("version");
        QTest::newRow("hub") << u"tdengine/tdengine:3.3.6.6"_s << u"3.3.6.6"_s;
        QTest::newRow("registry with a port") << u"registry.local:5000/td/tdengine:3.0.5.2"_s << u"3.0.5.2"_s;
        QTest::newRow("suffix") << u"tdengine/tdengine:3.3.6.6-arm64"_s << u"3.3.6.6"_s;
        QTest::newRow("ver- prefix") << u"mirror/tdengine:ver-3.3.6.6"_s << u"3.3.6.6"_s;
        QTest::newRow("latest") << u"tdengine/tdengine:latest"_s << QString();
        QTest::newRow("no tag") << u"tdengine/tdengine"_s << QString();
        QTest::newRow("port only") << u"registry.local:5000/tdengine"_s << QString();
        QTest::newRow("digest") << u"tdengine/tdengine@sha256:0123abcd"_s << QString();
        QTest::newRow("tag and digest") << u"tdengine/tdengine:3.3.6.6@sha256:0123abcd"_s << u"3.3.6.6"_s;
    }

    void imageVersion_fromTheTag()
    {
        QFETCH(QString, image);
        QFETCH(QString, version);
        QCOMPARE(taos::imageVersion(image), version);
    }

    void versions_comparedAndRollable()
    {
        QCOMPARE(taos::compareVersions(u"3.0.5.2.alpha"_s, u"3.0.5.2"_s), 0);
        QCOMPARE(taos::compareVersions(u"3.3.6.6"_s, u"3.3.6.10"_s), -1);
        QCOMPARE(taos::compareVersions(u"3.3.0.0"_s, u"3.0.7.1"_s), 1);
        QVERIFY(taos::isRollingUpgrade(u"3.3.6.0"_s, u"3.3.6.6"_s));
        QVERIFY(taos::isRollingUpgrade(u"3.0.5.2.alpha"_s, u"3.0.5.3"_s));
        QString why;
        QVERIFY(!taos::isRollingUpgrade(u"3.0.5.2"_s, u"3.3.6.6"_s, &why));
        QVERIFY2(why.contains(u"3.0.5.x to 3.0.5.y"_s) && why.contains(u"read invalid packet"_s),
                 qPrintable(why));
        QVERIFY(!taos::isRollingUpgrade(u"3.3.5.8"_s, u"3.3.6.0"_s));
    }

    // Hold the new image, then pod 2, 1, 0, each checked to run the new version; only the tdengine
    // container's image changes.
    void patchUpgrade_rollsEveryPodHighestFirst()
    {
        const Plan plan = planUpgrade(upgradable(), u"tdengine/tdengine:3.3.6.6"_s);
        QVERIFY2(!plan.blocked(), qPrintable(codesOf(plan, Finding::Severity::Blocking).join(u", ")));
        QCOMPARE(plan.kind, OperationKind::Upgrade);
        QCOMPARE(codesOf(plan, Finding::Severity::Info), QStringList{u"upgrade"_s});
        QVERIFY(reasonOf(plan, u"upgrade"_s).contains(u"TDengine 3.3.6.0 → 3.3.6.6"_s));
        QCOMPARE(kinds(plan),
                 (QStringList{u"hold-rollout"_s, u"roll-pod"_s, u"roll-pod"_s, u"roll-pod"_s, u"verify"_s}));
        const Step &hold = plan.steps.at(0);
        QCOMPARE(hold.replicas, 3);
        QCOMPARE(hold.name, u"tdengine"_s);
        QCOMPARE(hold.image, u"tdengine/tdengine:3.3.6.6"_s);
        QVERIFY(hold.settings.isEmpty());
        for (int i = 0; i < 3; ++i) {
            const Step &roll = plan.steps.at(1 + i);
            QCOMPARE(roll.replicas, 2 - i);
            QCOMPARE(roll.pods, QStringList{podName(2 - i)});
            QCOMPARE(roll.dnodeId, 3 - i);
            QCOMPARE(roll.version, u"3.3.6.6"_s);
            QCOMPARE(roll.title, u"upgrade pod %1 (dnode %2) to 3.3.6.6"_s.arg(podName(2 - i)).arg(3 - i));
        }
        QCOMPARE(plan.steps.last().version, u"3.3.6.6"_s);
        QCOMPARE(plan.summary(), u"Upgrade tdengine (5 steps)"_s);
        QCOMPARE(Plan::fromJson(plan.toJson()), plan);
    }

    // TDengine's answer decides the version the cluster runs, not the tag.
    void runningVersion_fromTdengineOverTheTag()
    {
        const Plan plan = planUpgrade(upgradable(u"tdengine/tdengine:3.3.6.0"_s, u"3.3.6.2"_s),
                                      u"tdengine/tdengine:3.3.6.1"_s);
        QVERIFY(codesOf(plan, Finding::Severity::Blocking).contains(u"downgrade"_s));
        QVERIFY(codesOf(plan, Finding::Severity::Info).contains(u"image-version-differs"_s));
        QVERIFY2(reasonOf(plan, u"downgrade"_s).contains(u"3.3.6.1 is older than TDengine 3.3.6.2"_s),
                 qPrintable(reasonOf(plan, u"downgrade"_s)));
        // Without an answer from TDengine, the tag says it.
        const Plan fromTag =
            planUpgrade(upgradable(u"tdengine/tdengine:3.3.6.0"_s, {}), u"tdengine/tdengine:3.3.6.6"_s);
        QVERIFY(!fromTag.blocked());
        QVERIFY(reasonOf(fromTag, u"upgrade"_s).contains(u"3.3.6.0 → 3.3.6.6"_s));
    }

    void sameVersion_anotherImage_rolledAsWell()
    {
        const Plan plan = planUpgrade(upgradable(), u"mirror.local/tdengine/tdengine:3.3.6.0"_s);
        QVERIFY(!plan.blocked());
        QCOMPARE(codesOf(plan, Finding::Severity::Info), QStringList{u"same-version"_s});
        QCOMPARE(plan.steps.size(), 5);
    }

    void sameImage_nothingToDo()
    {
        const Plan plan = planUpgrade(upgradable(), u"tdengine/tdengine:3.3.6.0"_s);
        QVERIFY(!plan.blocked());
        QVERIFY(plan.steps.isEmpty());
        QCOMPARE(codesOf(plan, Finding::Severity::Info), QStringList{u"unchanged"_s});
    }

    void refusals_data()
    {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("said");
        QTest::newRow("nothing") << u"  "_s << u"no-image"_s << u"No image was given"_s;
        QTest::newRow("not a reference")
            << u"tdengine tdengine"_s << u"bad-image"_s << u"not an image reference"_s;
        QTest::newRow("latest") << u"tdengine/tdengine:latest"_s << u"version-unknown"_s
                                << u"names no TDengine version"_s;
        QTest::newRow("digest") << u"tdengine/tdengine@sha256:ab12"_s << u"version-unknown"_s
                                << u"by digest"_s;
        QTest::newRow("downgrade") << u"tdengine/tdengine:3.3.5.8"_s << u"downgrade"_s
                                   << u"3.3.5.8 is older than TDengine 3.3.6.0"_s;
        QTest::newRow("jump") << u"tdengine/tdengine:3.3.7.0"_s << u"not-rollable"_s << u"--replicas=0"_s;
        QTest::newRow("major jump") << u"tdengine/tdengine:4.0.0.0"_s << u"not-rollable"_s
                                    << u"first three numbers"_s;
    }

    void refusals()
    {
        QFETCH(QString, image);
        QFETCH(QString, code);
        QFETCH(QString, said);
        const Plan plan = planUpgrade(upgradable(), image);
        QVERIFY(plan.blocked());
        QVERIFY(plan.steps.isEmpty());
        QVERIFY2(codesOf(plan, Finding::Severity::Blocking).contains(code),
                 qPrintable(codesOf(plan, Finding::Severity::Blocking).join(u", ")));
        QVERIFY2(reasonOf(plan, code).contains(said), qPrintable(reasonOf(plan, code)));
    }

    // 3.0 to 3.3, as observed on real taosd: refused with what a stop-all upgrade takes instead.
    void from30To33_refusedWithTheStopAllWay()
    {
        const Plan plan = planUpgrade(upgradable(u"tdengine/tdengine:3.0.5.2"_s, u"3.0.5.2.alpha"_s),
                                      u"tdengine/tdengine:3.3.6.6"_s);
        QCOMPARE(codesOf(plan, Finding::Severity::Blocking), QStringList{u"not-rollable"_s});
        const QString said = reasonOf(plan, u"not-rollable"_s);
        QVERIFY2(said.contains(u"3.0.5.2 to 3.3.6.6"_s), qPrintable(said));
        QVERIFY2(said.contains(u"kubectl scale statefulset tdengine --replicas=0"_s), qPrintable(said));
        QVERIFY2(said.contains(u"scale back to 3"_s), qPrintable(said));
    }

    // A cluster not whole, a transaction, or a StatefulSet mid-rollout: no pod is restarted.
    void unhealthyCluster_refusedBeforeAnyRestart()
    {
        const QString image = u"tdengine/tdengine:3.3.6.6"_s;
        ClusterFacts offline = upgradable();
        dnodeWithId(offline, 2)->status = u"offline"_s;
        QVERIFY(
            codesOf(planUpgrade(offline, image), Finding::Severity::Blocking).contains(u"offline-dnode"_s));

        ClusterFacts candidate = upgradable();
        candidate.snapshot.vgroups[0].vnodes[1].role = u"candidate"_s;
        QVERIFY(codesOf(planUpgrade(candidate, image), Finding::Severity::Blocking)
                    .contains(u"vgroup-not-healthy"_s));

        ClusterFacts rolling = upgradable();
        rolling.statefulSet.insert(u"status"_s, QJsonObject{{u"currentRevision"_s, u"tdengine-a"_s},
                                                            {u"updateRevision"_s, u"tdengine-b"_s}});
        QVERIFY(codesOf(planUpgrade(rolling, image), Finding::Severity::Blocking)
                    .contains(u"rollout-in-progress"_s));

        ClusterFacts onDelete = upgradable();
        QJsonObject spec = onDelete.statefulSet.value(u"spec").toObject();
        spec.insert(u"updateStrategy"_s, QJsonObject{{u"type"_s, u"OnDelete"_s}});
        onDelete.statefulSet.insert(u"spec"_s, spec);
        QVERIFY(codesOf(planUpgrade(onDelete, image), Finding::Severity::Blocking)
                    .contains(u"on-delete-strategy"_s));

        ClusterFacts busy = upgradable();
        taos::Transaction transaction;
        transaction.id = 7;
        transaction.stage = u"redoAction"_s;
        busy.snapshot.transactions.append(transaction);
        QVERIFY(codesOf(planUpgrade(busy, image), Finding::Severity::Blocking)
                    .contains(u"transaction-running"_s));
    }

    void replicaOneDatabase_warnedOfItsPause()
    {
        ClusterFacts facts = upgradable();
        addDatabase(facts, u"single"_s, 1, {{2}});
        const Plan plan = planUpgrade(facts, u"tdengine/tdengine:3.3.6.6"_s);
        QVERIFY(!plan.blocked());
        QVERIFY(codesOf(plan, Finding::Severity::Warning).contains(u"replica1-restart"_s));
        QVERIFY(reasonOf(plan, u"replica1-restart"_s).contains(u"single"_s));
    }
};

QTEST_GUILESS_MAIN(TestPlanUpgrade)
#include "tst_planupgrade.moc"
