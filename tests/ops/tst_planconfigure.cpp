// The configuration change's plan (planConfigure) on facts built in code: which path each taos.cfg entry
// takes, every refusal with its reason, and the steps of a rolling restart, highest ordinal first.
#include "factsbuilder.h"
#include "ops/planner.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::ops;
using namespace tdkube::ops::test;

namespace {

// A 3-dnode cluster whose tdengine container takes ConfigMap tdengine-taoscfg through envFrom (as
// manifests/40-statefulset.yaml), with TAOS_FQDN in its env, a replica-3 database, and that ConfigMap.
ClusterFacts configurable()
{
    ClusterFacts facts = cluster(3);
    QJsonObject spec = facts.statefulSet.value(u"spec").toObject();
    const QJsonObject container{
        {u"name"_s, u"tdengine"_s},
        {u"envFrom"_s,
         QJsonArray{QJsonObject{{u"configMapRef"_s, QJsonObject{{u"name"_s, u"tdengine-taoscfg"_s}}}}}},
        {u"env"_s, QJsonArray{QJsonObject{{u"name"_s, u"TAOS_FQDN"_s}, {u"value"_s, u"x"_s}}}}};
    spec.insert(u"template"_s,
                QJsonObject{{u"spec"_s, QJsonObject{{u"containers"_s, QJsonArray{container}}}}});
    spec.insert(u"selector"_s, QJsonObject{{u"matchLabels"_s, QJsonObject{{u"app"_s, u"tdengine"_s}}}});
    spec.insert(u"updateStrategy"_s, QJsonObject{{u"type"_s, u"RollingUpdate"_s}});
    facts.statefulSet.insert(u"spec"_s, spec);
    facts.configMaps = {QJsonObject{
        {u"metadata"_s, QJsonObject{{u"name"_s, u"tdengine-taoscfg"_s}, {u"namespace"_s, u"db"_s}}},
        {u"data"_s, QJsonObject{{u"TAOS_SUPPORT_VNODES"_s, u"16"_s}, {u"TAOS_DEBUG_FLAG"_s, u"131"_s}}}}};
    addDatabase(facts, u"r3"_s, 3, {{1, 2, 3}, {2, 3, 1}});
    return facts;
}

} // namespace

class TestPlanConfigure final : public QObject
{
    Q_OBJECT

private slots:
    void names_taosCfgAndVariables_roundTrip()
    {
        QCOMPARE(taosVariable(u"supportVnodes"_s), u"TAOS_SUPPORT_VNODES"_s);
        QCOMPARE(taosVariable(u"dDebugFlag"_s), u"TAOS_D_DEBUG_FLAG"_s);
        QCOMPARE(taosVariable(u"TAOS_DEBUG_FLAG"_s), u"TAOS_DEBUG_FLAG"_s);
        for (const QString &name :
             {u"supportVnodes"_s, u"dDebugFlag"_s, u"tsdbDebugFlag"_s, u"numOfMnodeReadThreads"_s})
            QCOMPARE(taosConfigName(taosVariable(name)), name);
    }

    // A setting taosd reads only at start: the ConfigMap, the template held by the partition, then each
    // pod from the highest ordinal, each step naming its pod and dnode; the plan survives the journal.
    void restartSetting_rollsEveryPodHighestFirst()
    {
        // (the simulated cluster says 3.0.7.1; factsbuilder's says nothing, which reads as 3.0)
        const Plan plan = planConfigure(configurable(), {{u"supportVnodes"_s, u"24"_s}});
        QVERIFY2(!plan.blocked(), qPrintable(codesOf(plan, Finding::Severity::Blocking).join(u", ")));
        QCOMPARE(codesOf(plan, Finding::Severity::Info), QStringList{u"needs-restart"_s});
        QCOMPARE(kinds(plan), (QStringList{u"update-configmap"_s, u"hold-rollout"_s, u"roll-pod"_s,
                                           u"roll-pod"_s, u"roll-pod"_s, u"verify"_s}));
        QCOMPARE(plan.steps.at(0).name, u"tdengine-taoscfg"_s);
        QCOMPARE(plan.steps.at(0).settings, (QMap<QString, QString>{{u"TAOS_SUPPORT_VNODES"_s, u"24"_s}}));
        QCOMPARE(plan.steps.at(1).replicas, 3); // the partition holds all three
        QCOMPARE(plan.steps.at(1).settings.keys(), QStringList{u"tdkube.io/taoscfg-hash"_s});
        for (int i = 0; i < 3; ++i) {
            const Step &roll = plan.steps.at(2 + i);
            QCOMPARE(roll.replicas, 2 - i);
            QCOMPARE(roll.pods, QStringList{podName(2 - i)});
            QCOMPARE(roll.dnodeId, 3 - i);
            QCOMPARE(roll.title,
                     u"restart pod %1 (dnode %2) on the new configuration"_s.arg(podName(2 - i)).arg(3 - i));
        }
        QCOMPARE(plan.summary(), u"Change the configuration of tdengine (6 steps)"_s);
        QCOMPARE(Plan::fromJson(plan.toJson()), plan);
        // Another value, another template revision; the same value, the same one.
        const Plan other = planConfigure(configurable(), {{u"TAOS_SUPPORT_VNODES"_s, u"32"_s}});
        QVERIFY(other.steps.at(1).settings != plan.steps.at(1).settings);
        QCOMPARE(planConfigure(configurable(), {{u"TAOS_SUPPORT_VNODES"_s, u"24"_s}}).steps.at(1).settings,
                 plan.steps.at(1).settings);
    }

    // The log flags TDengine changes at run time: `alter all dnodes`, no pod restarted.
    void runtimeSetting_alteredWithoutRestart()
    {
        const Plan plan =
            planConfigure(configurable(), {{u"debugFlag"_s, u"135"_s}, {u"TAOS_M_DEBUG_FLAG"_s, u"143"_s}});
        QVERIFY(!plan.blocked());
        QCOMPARE(kinds(plan), (QStringList{u"update-configmap"_s, u"alter-dnodes"_s, u"verify"_s}));
        QCOMPARE(plan.steps.at(1).settings,
                 (QMap<QString, QString>{{u"debugFlag"_s, u"135"_s}, {u"mDebugFlag"_s, u"143"_s}}));
        QVERIFY(reasonOf(plan, u"applied-at-runtime"_s).contains(u"without a restart"_s));
    }

    // 3.3 reads a dnode's local settings from its data directory, not taos.cfg, unless forceReadConfig:
    // the plan sets it so that the restart takes the new value; 3.0 needs nothing of the kind.
    void taosd33_forceReadConfigSetWithTheChange()
    {
        ClusterFacts facts = configurable();
        facts.snapshot.serverVersion = u"3.3.6.6"_s;
        const Plan plan = planConfigure(facts, {{u"supportVnodes"_s, u"24"_s}});
        QVERIFY(!plan.blocked());
        QCOMPARE(plan.steps.at(0).settings, (QMap<QString, QString>{{u"TAOS_FORCE_READ_CONFIG"_s, u"1"_s},
                                                                    {u"TAOS_SUPPORT_VNODES"_s, u"24"_s}}));
        QVERIFY(reasonOf(plan, u"force-read-config"_s).contains(u"dnode/config/local.json"_s));
        // Not for a change without restart, nor when the ConfigMap has it already, nor on 3.0.
        QVERIFY(!planConfigure(facts, {{u"debugFlag"_s, u"135"_s}})
                     .steps.at(0)
                     .settings.contains(u"TAOS_FORCE_READ_CONFIG"_s));
        facts.snapshot.serverVersion = u"3.0.5.2.alpha"_s;
        QCOMPARE(planConfigure(facts, {{u"supportVnodes"_s, u"24"_s}}).steps.at(0).settings.size(), 1);
    }

    void sameValue_nothingToDo()
    {
        const Plan plan = planConfigure(configurable(), {{u"supportVnodes"_s, u"16"_s}});
        QVERIFY(!plan.blocked());
        QVERIFY(plan.steps.isEmpty());
        QCOMPARE(codesOf(plan, Finding::Severity::Info), QStringList{u"unchanged"_s});
    }

    // Each refusal names what and why, and nothing is planned.
    void refusals_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("said");
        QTest::newRow("timezone") << u"timezone"_s << u"cluster-wide-setting"_s
                                  << u"must be the same on every dnode"_s;
        QTest::newRow("charset") << u"TAOS_CHARSET"_s << u"cluster-wide-setting"_s << u"not match"_s;
        QTest::newRow("statusInterval")
            << u"statusInterval"_s << u"cluster-wide-setting"_s << u"kubectl delete pod -l app=tdengine"_s;
        QTest::newRow("fqdn") << u"fqdn"_s << u"per-pod-setting"_s << u"identity"_s;
        QTest::newRow("dataDir") << u"dataDir"_s << u"path-setting"_s << u"without its data"_s;
        QTest::newRow("bad name") << u"support vnodes"_s << u"bad-setting"_s << u"not a taos.cfg name"_s;
    }
    void refusals()
    {
        QFETCH(QString, key);
        QFETCH(QString, code);
        QFETCH(QString, said);
        const Plan plan = planConfigure(configurable(), {{key, u"x"_s}, {u"supportVnodes"_s, u"24"_s}});
        QVERIFY(plan.blocked());
        QVERIFY(plan.steps.isEmpty());
        QCOMPARE(codesOf(plan, Finding::Severity::Blocking), QStringList{code});
        QVERIFY2(reasonOf(plan, code).contains(said), qPrintable(reasonOf(plan, code)));
    }

    void variableSetInTheContainer_configMapWouldChangeNothing()
    {
        ClusterFacts facts = configurable();
        QJsonObject spec = facts.statefulSet.value(u"spec").toObject();
        QJsonObject templ = spec.value(u"template").toObject();
        QJsonObject podSpec = templ.value(u"spec").toObject();
        QJsonObject container = podSpec.value(u"containers").toArray().first().toObject();
        container.insert(
            u"env"_s, QJsonArray{QJsonObject{{u"name"_s, u"TAOS_SUPPORT_VNODES"_s}, {u"value"_s, u"8"_s}}});
        podSpec.insert(u"containers"_s, QJsonArray{container});
        templ.insert(u"spec"_s, podSpec);
        spec.insert(u"template"_s, templ);
        facts.statefulSet.insert(u"spec"_s, spec);
        const Plan plan = planConfigure(facts, {{u"supportVnodes"_s, u"24"_s}});
        QCOMPARE(codesOf(plan, Finding::Severity::Blocking), QStringList{u"set-in-template"_s});
        QVERIFY(reasonOf(plan, u"set-in-template"_s).contains(u"wins over ConfigMap tdengine-taoscfg"_s));
    }

    // A cluster not whole, or a StatefulSet mid-rollout, is not restarted.
    void unhealthyCluster_refusedBeforeAnyRestart()
    {
        ClusterFacts offline = configurable();
        dnodeWithId(offline, 2)->status = u"offline"_s;
        QVERIFY(codesOf(planConfigure(offline, {{u"supportVnodes"_s, u"24"_s}}), Finding::Severity::Blocking)
                    .contains(u"offline-dnode"_s));

        ClusterFacts follower = configurable();
        follower.snapshot.vgroups[0].vnodes[1].role = u"candidate"_s;
        const Plan candidate = planConfigure(follower, {{u"supportVnodes"_s, u"24"_s}});
        QVERIFY(codesOf(candidate, Finding::Severity::Blocking).contains(u"vgroup-not-healthy"_s));
        QVERIFY(
            reasonOf(candidate, u"vgroup-not-healthy"_s).contains(u"vgroup 2 of r3 (dnode 2 candidate)"_s));

        ClusterFacts rolling = configurable();
        QJsonObject status{{u"currentRevision"_s, u"tdengine-a"_s}, {u"updateRevision"_s, u"tdengine-b"_s}};
        rolling.statefulSet.insert(u"status"_s, status);
        QVERIFY(codesOf(planConfigure(rolling, {{u"supportVnodes"_s, u"24"_s}}), Finding::Severity::Blocking)
                    .contains(u"rollout-in-progress"_s));

        ClusterFacts noQuorum = configurable();
        setMnodes(noQuorum, {1, 2, 3}, 1);
        noQuorum.snapshot.mnodes[1].role = u"offline"_s;
        noQuorum.snapshot.mnodes[1].status = u"offline"_s;
        noQuorum.snapshot.mnodes[2].role = u"offline"_s;
        noQuorum.snapshot.mnodes[2].status = u"offline"_s;
        QVERIFY(codesOf(planConfigure(noQuorum, {{u"supportVnodes"_s, u"24"_s}}), Finding::Severity::Blocking)
                    .contains(u"mnode-no-quorum"_s));
        // A runtime change restarts nothing: the vgroups need not be whole for it.
        QVERIFY(!planConfigure(follower, {{u"debugFlag"_s, u"135"_s}}).blocked());
    }

    void noConfigMap_refusedSayingHowToGetOne()
    {
        ClusterFacts facts = cluster(3);
        const Plan plan = planConfigure(facts, {{u"supportVnodes"_s, u"24"_s}});
        QVERIFY(codesOf(plan, Finding::Severity::Blocking).contains(u"no-configmap"_s));
        ClusterFacts missing = configurable();
        missing.configMaps.clear();
        QVERIFY(codesOf(planConfigure(missing, {{u"supportVnodes"_s, u"24"_s}}), Finding::Severity::Blocking)
                    .contains(u"configmap-missing"_s));
        ClusterFacts forbidden = configurable();
        forbidden.configMapsError = u"Forbidden: configmaps is forbidden"_s;
        QVERIFY(reasonOf(planConfigure(forbidden, {{u"supportVnodes"_s, u"24"_s}}), u"configmap-unreadable"_s)
                    .contains(u"Forbidden"_s));
    }

    void replicaOneDatabase_warnedOfItsPause()
    {
        ClusterFacts facts = configurable();
        addDatabase(facts, u"r1"_s, 1, {{1}, {2}});
        const Plan plan = planConfigure(facts, {{u"supportVnodes"_s, u"24"_s}});
        QVERIFY(!plan.blocked());
        QVERIFY(codesOf(plan, Finding::Severity::Warning).contains(u"replica1-restart"_s));
        QVERIFY(reasonOf(plan, u"replica1-restart"_s).startsWith(u"r1 have one replica"_s));
    }
};

QTEST_GUILESS_MAIN(TestPlanConfigure)
#include "tst_planconfigure.moc"
