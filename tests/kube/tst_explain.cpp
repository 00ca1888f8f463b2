// Plain-words readings: why a pod is not running, which claims a scale-in left behind, which
// StatefulSets run TDengine.
#include "kube/explain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
namespace kube = tdkube::kube;

namespace {

QJsonObject json(const char *text)
{
    QJsonParseError error;
    const QJsonObject object = QJsonDocument::fromJson(QByteArray(text), &error).object();
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", qPrintable(error.errorString()));
    return object;
}

QJsonObject pendingPod()
{
    return json(R"({"kind":"Pod","metadata":{"name":"tdengine-0","namespace":"db","uid":"p1"},
        "spec":{"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"taosdata-tdengine-0"}}]},
        "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable",
        "message":"0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."}]}})");
}

QJsonObject claim(const QString &name, const QString &phase, const QString &storageClass)
{
    QJsonObject spec;
    if (!storageClass.isNull())
        spec.insert(u"storageClassName"_s, storageClass);
    return QJsonObject{
        {u"kind"_s, u"PersistentVolumeClaim"_s},
        {u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"namespace"_s, u"db"_s}, {u"uid"_s, name}}},
        {u"spec"_s, spec},
        {u"status"_s, QJsonObject{{u"phase"_s, phase}}}};
}

QJsonObject storageClass(const QString &name, bool isDefault)
{
    QJsonObject metadata{{u"name"_s, name}};
    if (isDefault)
        metadata.insert(u"annotations"_s,
                        QJsonObject{{u"storageclass.kubernetes.io/is-default-class"_s, u"true"_s}});
    return QJsonObject{{u"metadata"_s, metadata}};
}

QJsonObject statefulSet(int replicas)
{
    QJsonObject set = json(R"({"kind":"StatefulSet","metadata":{"name":"tdengine","namespace":"db"},
        "spec":{"volumeClaimTemplates":[{"metadata":{"name":"taosdata"}}],
        "template":{"spec":{"containers":[{"name":"tdengine","image":"tdengine/tdengine:3.3.6.0"}]}}}})");
    QJsonObject spec = set.value(u"spec").toObject();
    spec.insert(u"replicas"_s, replicas);
    set.insert(u"spec"_s, spec);
    return set;
}

} // namespace

class TestExplain final : public QObject
{
    Q_OBJECT

private slots:
    void pending_missingStorageClass_namesTheClassAndTheFix()
    {
        kube::PodSurroundings around;
        around.claims.insert(u"db/taosdata-tdengine-0"_s,
                             claim(u"taosdata-tdengine-0"_s, u"Pending"_s, u"fast"_s));
        around.storageClasses.insert(u"standard"_s, storageClass(u"standard"_s, true));
        around.storageClassesKnown = true;
        const QString why = kube::explainPod(pendingPod(), around);
        QVERIFY2(
            why.contains(u"storage class \"fast\", which this cluster does not have (it has: standard)"_s),
            qPrintable(why));
        QVERIFY(why.contains(u"volumeClaimTemplates"_s));
    }

    void pending_noDefaultClass_saysSo()
    {
        kube::PodSurroundings around;
        around.claims.insert(u"db/taosdata-tdengine-0"_s,
                             claim(u"taosdata-tdengine-0"_s, u"Pending"_s, QString()));
        around.storageClasses.insert(u"standard"_s, storageClass(u"standard"_s, false));
        around.storageClassesKnown = true;
        const QString why = kube::explainPod(pendingPod(), around);
        QVERIFY2(why.contains(u"no default storage class"_s), qPrintable(why));
    }

    void pending_unboundClaim_quotesTheProvisioner()
    {
        kube::PodSurroundings around;
        around.claims.insert(u"db/taosdata-tdengine-0"_s,
                             claim(u"taosdata-tdengine-0"_s, u"Pending"_s, u"standard"_s));
        around.storageClasses.insert(u"standard"_s, storageClass(u"standard"_s, true));
        around.storageClassesKnown = true;
        around.events.append(
            json(R"({"type":"Warning","reason":"ProvisioningFailed","message":"quota exceeded",
            "involvedObject":{"kind":"PersistentVolumeClaim","name":"taosdata-tdengine-0","namespace":"db",
            "uid":"taosdata-tdengine-0"},"lastTimestamp":"2026-11-01T10:00:00Z"})"));
        const QString why = kube::explainPod(pendingPod(), around);
        QCOMPARE(why, u"Its volume claim taosdata-tdengine-0 is not bound yet: quota exceeded"_s);
    }

    void pending_missingClaim_saysItDoesNotExist()
    {
        const QString why = kube::explainPod(pendingPod(), {});
        QVERIFY2(why.contains(u"taosdata-tdengine-0, which does not exist"_s), qPrintable(why));
    }

    void pending_noNodeFits_quotesTheScheduler()
    {
        QJsonObject pod = json(R"({"kind":"Pod","metadata":{"name":"x","namespace":"db"},"spec":{},
            "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False",
            "message":"0/3 nodes are available: 3 Insufficient memory."}]}})");
        const QString why = kube::explainPod(pod, {});
        QVERIFY2(
            why.startsWith(
                u"No node can take it. The scheduler says: 0/3 nodes are available: 3 Insufficient memory."_s),
            qPrintable(why));
    }

    void running_crashLoop_countsRestartsAndExitCode()
    {
        const QJsonObject pod = json(R"({"kind":"Pod","metadata":{"name":"x","namespace":"db"},
            "spec":{"nodeName":"node-1"},"status":{"phase":"Running","containerStatuses":[{"name":"tdengine",
            "ready":false,"restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}},
            "lastState":{"terminated":{"exitCode":137,"reason":"OOMKilled"}}}]}})");
        QCOMPARE(
            kube::explainPod(pod, {}),
            u"Container tdengine keeps crashing: 4 restarts, last exit code 137 (OOMKilled). Its previous logs say why."_s);
    }

    void running_ready_explainsNothing()
    {
        const QJsonObject pod = json(R"({"kind":"Pod","metadata":{"name":"x","namespace":"db"},
            "spec":{"nodeName":"node-1"},"status":{"phase":"Running","containerStatuses":[{"name":"tdengine",
            "ready":true,"state":{"running":{}}}]}})");
        QCOMPARE(kube::explainPod(pod, {}), QString());
    }

    void eventsFor_matchesUidOrName_newestFirst()
    {
        const QList<QJsonObject> events{
            json(R"({"message":"old","involvedObject":{"uid":"p1"},"lastTimestamp":"2026-11-01T10:00:00Z"})"),
            json(
                R"({"message":"other","involvedObject":{"uid":"p2"},"lastTimestamp":"2026-11-01T11:00:00Z"})"),
            json(R"({"message":"new","involvedObject":{"uid":"p1"},"lastTimestamp":"2026-11-01T12:00:00Z"})"),
        };
        const QList<QJsonObject> mine = kube::eventsFor(pendingPod(), events);
        QCOMPARE(mine.size(), 2);
        QCOMPARE(mine.at(0).value(u"message").toString(), u"new"_s);
        QCOMPARE(mine.at(1).value(u"message").toString(), u"old"_s);
    }

    void staleClaims_ordinalAtOrAboveReplicas()
    {
        const QList<QJsonObject> claims{claim(u"taosdata-tdengine-0"_s, u"Bound"_s, u"standard"_s),
                                        claim(u"taosdata-tdengine-2"_s, u"Bound"_s, u"standard"_s),
                                        claim(u"taosdata-tdengine-3"_s, u"Bound"_s, u"standard"_s),
                                        claim(u"taosdata-other-5"_s, u"Bound"_s, u"standard"_s),
                                        claim(u"taosdata-tdengine-x"_s, u"Bound"_s, u"standard"_s)};
        const QHash<QString, QString> stale = kube::staleClaims({statefulSet(2)}, claims);
        QCOMPARE(stale.keys().size(), 2);
        QVERIFY(stale.contains(u"db/taosdata-tdengine-2"_s));
        QVERIFY(stale.contains(u"db/taosdata-tdengine-3"_s));
        QVERIFY(stale.value(u"db/taosdata-tdengine-2"_s).contains(u"scale-out to 3 or more"_s));
    }

    void isTdengine_byImageOrLabel_data()
    {
        QTest::addColumn<QString>("image");
        QTest::addColumn<bool>("expected");
        QTest::newRow("hub") << u"tdengine/tdengine:3.3.6.0"_s << true;
        QTest::newRow("untagged") << u"tdengine/tdengine"_s << true;
        QTest::newRow("registry-port") << u"registry.local:5000/tdengine/tdengine:3.0"_s << true;
        QTest::newRow("digest") << u"docker.io/tdengine/tdengine@sha256:abc"_s << true;
        QTest::newRow("other") << u"nginx:1.27"_s << false;
        QTest::newRow("lookalike") << u"tdengine/tdengine-exporter:1"_s << false;
    }

    void isTdengine_byImageOrLabel()
    {
        QFETCH(QString, image);
        QFETCH(bool, expected);
        const QJsonObject container{{u"image"_s, image}};
        const QJsonObject podSpec{{u"containers"_s, QJsonArray{container}}};
        const QJsonObject spec{{u"template"_s, QJsonObject{{u"spec"_s, podSpec}}}};
        QJsonObject set{{u"metadata"_s, QJsonObject{{u"name"_s, u"s"_s}}}, {u"spec"_s, spec}};
        QCOMPARE(kube::isTdengineStatefulSet(set), expected);
        set.insert(u"metadata"_s,
                   QJsonObject{{u"name"_s, u"s"_s},
                               {u"labels"_s, QJsonObject{{u"app.kubernetes.io/name"_s, u"tdengine"_s}}}});
        QVERIFY(kube::isTdengineStatefulSet(set));
    }
};

QTEST_GUILESS_MAIN(TestExplain)
#include "tst_explain.moc"
