// The deploy planner on the project's own manifests (manifests/): the steps of a new cluster, each
// refusal, the warning about claims an earlier cluster left, and the plan surviving the journal's JSON.
#include "deploy/manifestcheck.h"
#include "ops/planner.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::ops;

namespace {

const QString kNs = u"tsdb"_s;

QList<QJsonObject> manifests(int replicas = 3)
{
    QList<QJsonObject> objects;
    const QDir dir(QStringLiteral(TDKUBE_MANIFESTS_DIR));
    for (const QString &name : dir.entryList({u"*.yaml"_s}, QDir::Files, QDir::Name)) {
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::ReadOnly))
            qFatal("cannot read %s", qPrintable(file.fileName()));
        QList<deploy::ManifestDocument> documents;
        QString error;
        if (!deploy::parseManifests(file.readAll(), &documents, &error))
            qFatal("%s: %s", qPrintable(name), qPrintable(error));
        for (const deploy::ManifestDocument &document : std::as_const(documents)) {
            QJsonObject object = document.object;
            if (object.value(u"kind").toString() == u"StatefulSet") {
                QJsonObject spec = object.value(u"spec").toObject();
                spec.insert(u"replicas"_s, replicas);
                object.insert(u"spec"_s, spec);
            }
            objects.append(object);
        }
    }
    return objects;
}

DeployFacts facts(int replicas = 3)
{
    DeployFacts facts;
    facts.context = u"prod"_s;
    facts.ns = kNs;
    facts.objects = manifests(replicas);
    return facts;
}

QStringList codes(const Plan &plan)
{
    QStringList list;
    for (const Finding &finding : plan.findings)
        list.append(severityName(finding.severity) + u':' + finding.code);
    return list;
}

QString reasonOf(const Plan &plan, const QString &code)
{
    for (const Finding &finding : plan.findings) {
        if (finding.code == code)
            return finding.reason + u" | "_s + finding.fix;
    }
    return {};
}

QJsonObject claim(const QString &name)
{
    return {{u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"PersistentVolumeClaim"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"namespace"_s, kNs}}}};
}

QString endpoint(int ordinal)
{
    return u"tdengine-%1.taosd.tsdb.svc.cluster.local:6030"_s.arg(ordinal);
}

} // namespace

class TestPlanDeploy final : public QObject
{
    Q_OBJECT

private slots:
    void threeReplicas_applyThenPodsDnodesTwoMnodesVerify()
    {
        const Plan plan = planDeploy(facts());
        QVERIFY2(!plan.blocked(), qPrintable(codes(plan).join(u", ")));
        QVERIFY(plan.findings.isEmpty());
        QCOMPARE(plan.kind, OperationKind::Deploy);
        QCOMPARE(plan.context, u"prod"_s);
        QCOMPARE(plan.ns, kNs);
        QCOMPARE(plan.statefulSet, u"tdengine"_s);
        QCOMPARE(plan.toReplicas, 3);
        QCOMPARE(plan.summary(), u"Deploy tdengine with 3 dnodes (6 steps)"_s);
        QList<Step::Kind> kinds;
        for (const Step &step : plan.steps)
            kinds.append(step.kind);
        QCOMPARE(kinds, (QList<Step::Kind>{Step::Kind::ApplyObjects, Step::Kind::WaitPodsReady,
                                           Step::Kind::WaitDnodesReady, Step::Kind::CreateMnode,
                                           Step::Kind::CreateMnode, Step::Kind::Verify}));
        const Step &apply = plan.steps.at(0);
        QCOMPARE(apply.objects, manifests());
        QCOMPARE(apply.title, u"apply 4 objects"_s);
        QVERIFY2(apply.detail.startsWith(u"ConfigMap tdengine-taoscfg, Service taosd, Service taosadapter, "
                                         u"StatefulSet tdengine: server-side apply, in this order"_s),
                 qPrintable(apply.detail));
        QCOMPARE(plan.steps.at(1).title, u"wait for 3 pods Ready"_s);
        QCOMPARE(plan.steps.at(1).pods, (QStringList{u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}));
        QCOMPARE(plan.steps.at(2).endpoints, (QStringList{endpoint(0), endpoint(1), endpoint(2)}));
        QCOMPARE(plan.steps.at(3).endpoints, QStringList{endpoint(1)});
        QCOMPARE(plan.steps.at(3).title, u"create an mnode on the dnode of pod tdengine-1"_s);
        QCOMPARE(plan.steps.at(4).endpoints, QStringList{endpoint(2)});
        QCOMPARE(plan.steps.at(5).replicas, 3);
    }

    void oneReplicaOrNoHaMnodes_noMnodeSteps()
    {
        Plan plan = planDeploy(facts(1));
        QVERIFY(!plan.blocked());
        QCOMPARE(plan.steps.at(1).title, u"wait for 1 pod Ready"_s);
        QCOMPARE(plan.steps.at(2).title, u"wait for 1 dnode ready"_s);
        QCOMPARE(plan.steps.size(), 4);
        QCOMPARE(plan.steps.at(2).endpoints, QStringList{endpoint(0)});
        DeployFacts single = facts(3);
        single.haMnodes = false;
        plan = planDeploy(single);
        QCOMPARE(plan.steps.size(), 4);
        QCOMPARE(plan.steps.last().kind, Step::Kind::Verify);
    }

    void refusals_eachWithReasonAndFix()
    {
        DeployFacts none = facts();
        none.objects.removeIf(
            [](const QJsonObject &o) { return o.value(u"kind").toString() == u"StatefulSet"; });
        Plan plan = planDeploy(none);
        QCOMPARE(codes(plan), QStringList{u"blocking:no-statefulset"_s});
        QVERIFY(plan.steps.isEmpty());

        DeployFacts two = facts();
        QJsonObject other = two.objects.last();
        QJsonObject metadata = other.value(u"metadata").toObject();
        metadata.insert(u"name"_s, u"tdengine2"_s);
        other.insert(u"metadata"_s, metadata);
        two.objects.append(other);
        plan = planDeploy(two);
        QCOMPARE(codes(plan), QStringList{u"blocking:several-statefulsets"_s});
        QVERIFY2(reasonOf(plan, u"several-statefulsets"_s)
                     .contains(u"StatefulSet tdengine, StatefulSet tdengine2"_s),
                 qPrintable(reasonOf(plan, u"several-statefulsets"_s)));

        // A plan is kept in the journal and in the cluster: a Secret would put the password there.
        DeployFacts secret = facts();
        secret.objects.prepend(QJsonObject{{u"apiVersion"_s, u"v1"_s},
                                           {u"kind"_s, u"Secret"_s},
                                           {u"metadata"_s, QJsonObject{{u"name"_s, u"taos-root"_s}}},
                                           {u"stringData"_s, QJsonObject{{u"password"_s, u"S3cret!"_s}}}});
        plan = planDeploy(secret);
        QCOMPARE(codes(plan), QStringList{u"blocking:secret-in-plan"_s});
        QVERIFY(plan.steps.isEmpty());
        QVERIFY(!QJsonDocument(plan.toJson()).toJson().contains("S3cret!"));

        DeployFacts elsewhere = facts();
        QJsonObject map = elsewhere.objects.first();
        metadata = map.value(u"metadata").toObject();
        metadata.insert(u"namespace"_s, u"default"_s);
        map.insert(u"metadata"_s, metadata);
        elsewhere.objects.first() = map;
        plan = planDeploy(elsewhere);
        QCOMPARE(codes(plan), QStringList{u"blocking:other-namespace"_s});
        QVERIFY2(reasonOf(plan, u"other-namespace"_s)
                     .startsWith(u"ConfigMap tdengine-taoscfg is for namespace default, but the cluster is "
                                 u"deployed in tsdb."_s),
                 qPrintable(reasonOf(plan, u"other-namespace"_s)));

        DeployFacts exists = facts();
        exists.existing = exists.objects.last();
        plan = planDeploy(exists);
        QCOMPARE(codes(plan), QStringList{u"blocking:cluster-exists"_s});
        QVERIFY(plan.steps.isEmpty());

        plan = planDeploy(facts(0));
        QCOMPARE(codes(plan), QStringList{u"blocking:invalid-target"_s});
    }

    // Claims of the ordinals that will run: the pods start on what an earlier cluster left. Said, not
    // refused (deploying again is how that cluster comes back); other claims are not this plan's concern.
    void earlierClaims_warnedNamingThemAndHowToStartEmpty()
    {
        DeployFacts earlier = facts();
        earlier.claims = {claim(u"taosdata-tdengine-0"_s), claim(u"taosdata-tdengine-4"_s),
                          claim(u"other-claim"_s)};
        const Plan plan = planDeploy(earlier);
        QCOMPARE(codes(plan), QStringList{u"warning:earlier-claims"_s});
        QVERIFY(!plan.blocked());
        QCOMPARE(plan.steps.size(), 6);
        const QString said = reasonOf(plan, u"earlier-claims"_s);
        QVERIFY2(said.startsWith(u"Claims taosdata-tdengine-0 exist already, from an earlier cluster named "
                                 u"tdengine."_s) &&
                     said.contains(u"kubectl delete pvc taosdata-tdengine-0 -n tsdb"_s) &&
                     !said.contains(u"tdengine-4"_s),
                 qPrintable(said));
    }

    void journalJson_roundTripsTheObjects()
    {
        const Plan plan = planDeploy(facts());
        const Plan back =
            Plan::fromJson(QJsonDocument::fromJson(QJsonDocument(plan.toJson()).toJson()).object());
        QCOMPARE(back, plan);
        QCOMPARE(back.steps.first().objects.size(), manifests().size());
        QCOMPARE(operationName(back.kind), u"deploy"_s);
        QCOMPARE(stepKindName(back.steps.first().kind), u"apply-objects"_s);
    }
};

QTEST_GUILESS_MAIN(TestPlanDeploy)
#include "tst_plandeploy.moc"
