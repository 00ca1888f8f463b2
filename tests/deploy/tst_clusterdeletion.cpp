// planDeletion (pure: what goes and what that means for the data) and gatherDeletionPlan against the
// sandbox running manifests/. The deletion runs as a recorded operation: tests/ops/tst_deployoperation.cpp
// runs it and looks at what is left.
#include "deploy/clusterdeletion.h"
#include "sandboxfixture.h"

#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube::deploy;
using namespace tdkube::kube;
using namespace tdkube::kube::test;

namespace {

const QString kSts = u"tdengine"_s;

// The objects of manifests/, by kind, in namespace `ns`.
QMap<QString, QList<QJsonObject>> manifestObjects(const QString &ns)
{
    QMap<QString, QList<QJsonObject>> byKind;
    const QDir dir(QStringLiteral(TDKUBE_MANIFESTS_DIR));
    for (const QString &file : dir.entryList({u"*.yaml"_s}, QDir::Files, QDir::Name)) {
        QFile yaml(dir.filePath(file));
        QList<QJsonValue> documents;
        QString error;
        if (!yaml.open(QIODevice::ReadOnly) ||
            !tdkube::kube::yamlDocumentsToJson(yaml.readAll(), &documents, &error))
            qFatal("cannot read %s: %s", qPrintable(file), qPrintable(error));
        for (const QJsonValue &document : std::as_const(documents)) {
            QJsonObject object = document.toObject();
            QJsonObject metadata = object.value(u"metadata").toObject();
            metadata.insert(u"namespace"_s, ns);
            object.insert(u"metadata"_s, metadata);
            byKind[object.value(u"kind").toString()].append(object);
        }
    }
    return byKind;
}

QJsonObject named(const QString &name, const QJsonObject &rest = {})
{
    QJsonObject object = rest;
    object.insert(u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"namespace"_s, u"db"_s}});
    return object;
}

QJsonObject claim(const QString &name, const QString &volume)
{
    return named(name,
                 {{u"spec"_s, volume.isEmpty() ? QJsonObject() : QJsonObject{{u"volumeName"_s, volume}}}});
}

QJsonObject volume(const QString &name, const QString &policy)
{
    QJsonObject pv{{u"spec"_s, QJsonObject{{u"persistentVolumeReclaimPolicy"_s, policy}}}};
    pv.insert(u"metadata"_s, QJsonObject{{u"name"_s, name}});
    return pv;
}

QStringList names(const QList<DeletionItem> &items)
{
    QStringList out;
    for (const DeletionItem &item : items)
        out << item.kind + u'/' + item.name;
    return out;
}

} // namespace

class tst_ClusterDeletion : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void planDeletion_manifests_objectsOfThisClusterOnly();
    void planDeletion_reclaimPolicy_consequenceInPlainWords_data();
    void planDeletion_reclaimPolicy_consequenceInPlainWords();
    void planDeletion_keepOrDeleteClaims_warningsSayWhatHappens();
    void gather_missingStatefulSet_errorNamesIt();

private:
    DeletionPlan gather(const QString &ns, bool deleteClaims, QString *error)
    {
        std::optional<DeletionPlan> plan;
        QObject context;
        gatherDeletionPlan(m_admin.get(), ns, kSts, deleteClaims, &context,
                           [&](const DeletionPlan &p, const QString &e) {
                               plan = p;
                               *error = e;
                           });
        if (!QTest::qWaitFor([&] { return plan.has_value(); }, kWaitMs))
            *error = u"the test gave up waiting for the plan"_s;
        return plan.value_or(DeletionPlan());
    }

    SandboxFixture m_fixture;
    std::unique_ptr<KubeClient> m_admin;
};

void tst_ClusterDeletion::initTestCase()
{
    QVERIFY(m_fixture.start());
    m_admin = std::make_unique<KubeClient>(m_fixture.admin());
}

void tst_ClusterDeletion::planDeletion_manifests_objectsOfThisClusterOnly()
{
    auto objects = manifestObjects(u"db"_s);
    const QJsonObject sts = objects.value(u"StatefulSet"_s).first();
    QList<QJsonObject> services = objects.value(u"Service"_s);
    services << named(u"other"_s,
                      {{u"spec"_s, QJsonObject{{u"selector"_s, QJsonObject{{u"app"_s, u"web"_s}}}}}});
    services << named(u"no-selector"_s, {{u"spec"_s, QJsonObject{{u"ports"_s, QJsonArray()}}}});
    QList<QJsonObject> configMaps = objects.value(u"ConfigMap"_s);
    configMaps << named(u"unrelated"_s);
    const QList<QJsonObject> claims{claim(u"taosdata-tdengine-2"_s, u"pv-2"_s),
                                    claim(u"taosdata-tdengine-0"_s, u"pv-0"_s),
                                    claim(u"taosdata-tdengine-10"_s, u"pv-10"_s), // left by a scale-in
                                    claim(u"taosdata-tdengine-1"_s, u"pv-1"_s),
                                    claim(u"taosdata-tdengine2-0"_s, u"pv-x"_s), // another StatefulSet's
                                    claim(u"taosdata-tdengine-old"_s, u"pv-y"_s)};
    const QList<QJsonObject> volumes{volume(u"pv-0"_s, u"Delete"_s), volume(u"pv-1"_s, u"Delete"_s),
                                     volume(u"pv-2"_s, u"Delete"_s), volume(u"pv-10"_s, u"Delete"_s)};
    const DeletionPlan plan = planDeletion(sts, services, configMaps, claims, volumes, false);
    QCOMPARE(plan.ns, u"db"_s);
    QCOMPARE(plan.statefulSet, kSts);
    QCOMPARE(names(plan.objects), (QStringList{u"StatefulSet/tdengine"_s, u"Service/taosd"_s,
                                               u"Service/taosadapter"_s, u"ConfigMap/tdengine-taoscfg"_s}));
    QCOMPARE(names(plan.claims), (QStringList{u"PersistentVolumeClaim/taosdata-tdengine-0"_s,
                                              u"PersistentVolumeClaim/taosdata-tdengine-1"_s,
                                              u"PersistentVolumeClaim/taosdata-tdengine-2"_s,
                                              u"PersistentVolumeClaim/taosdata-tdengine-10"_s}));
    QVERIFY(plan.objects.at(1).consequence.contains(u"DNS"_s));
    QVERIFY2(plan.objects.at(2).consequence.contains(u"6041"_s), qPrintable(plan.objects.at(2).consequence));
    QVERIFY(!plan.deleteClaims);
}

void tst_ClusterDeletion::planDeletion_reclaimPolicy_consequenceInPlainWords_data()
{
    QTest::addColumn<QString>("volumeName");
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QString>("expected");
    QTest::newRow("Delete")
        << u"pvc-1234"_s << u"Delete"_s
        << u"PV pvc-1234 (reclaim policy Delete): the volume and its data are destroyed"_s;
    QTest::newRow("Retain")
        << u"pvc-1234"_s << u"Retain"_s
        << u"PV pvc-1234 (reclaim policy Retain): the volume stays, Released, with the data; "
           u"delete it by hand to free the space"_s;
    QTest::newRow("Recycle")
        << u"pvc-1234"_s << u"Recycle"_s
        << u"PV pvc-1234 (reclaim policy Recycle): the volume is wiped and offered to new "
           u"claims; its data is destroyed"_s;
    QTest::newRow("unbound") << QString() << QString() << u"not bound to a volume: no data is stored in it"_s;
    QTest::newRow("volume not readable")
        << u"pvc-gone"_s << QString()
        << u"PV pvc-gone was not found (it may be gone already, or you may not be allowed to read "
           u"PersistentVolumes): what happens to its data depends on its reclaim policy"_s;
}

void tst_ClusterDeletion::planDeletion_reclaimPolicy_consequenceInPlainWords()
{
    QFETCH(QString, volumeName);
    QFETCH(QString, policy);
    QFETCH(QString, expected);
    const QJsonObject sts = manifestObjects(u"db"_s).value(u"StatefulSet"_s).first();
    const QList<QJsonObject> volumes =
        policy.isEmpty() ? QList<QJsonObject>() : QList<QJsonObject>{volume(volumeName, policy)};
    const DeletionPlan plan =
        planDeletion(sts, {}, {}, {claim(u"taosdata-tdengine-0"_s, volumeName)}, volumes, true);
    QCOMPARE(plan.claims.size(), 1);
    QCOMPARE(plan.claims.first().consequence, expected);
}

void tst_ClusterDeletion::planDeletion_keepOrDeleteClaims_warningsSayWhatHappens()
{
    QJsonObject sts = manifestObjects(u"db"_s).value(u"StatefulSet"_s).first();
    const QList<QJsonObject> claims{claim(u"taosdata-tdengine-0"_s, u"pv-0"_s)};
    const QList<QJsonObject> volumes{volume(u"pv-0"_s, u"Delete"_s)};

    const DeletionPlan kept = planDeletion(sts, {}, {}, claims, volumes, false);
    QCOMPARE(kept.warnings.size(), 1);
    QVERIFY2(kept.warnings.first().contains(u"kept with their data"_s), qPrintable(kept.warnings.first()));

    const DeletionPlan destroyed = planDeletion(sts, {}, {}, claims, volumes, true);
    QVERIFY(destroyed.deleteClaims);
    QCOMPARE(destroyed.warnings.size(), 1);
    QVERIFY2(destroyed.warnings.first().contains(u"destroys the data of 1 volume"_s),
             qPrintable(destroyed.warnings.first()));

    QJsonObject spec = sts.value(u"spec").toObject();
    spec.insert(u"persistentVolumeClaimRetentionPolicy"_s, QJsonObject{{u"whenDeleted"_s, u"Delete"_s}});
    sts.insert(u"spec"_s, spec);
    const DeletionPlan retention = planDeletion(sts, {}, {}, claims, volumes, false);
    QVERIFY2(retention.warnings.first().contains(u"whenDeleted is Delete"_s),
             qPrintable(retention.warnings.first()));
}

void tst_ClusterDeletion::gather_missingStatefulSet_errorNamesIt()
{
    QString error;
    const DeletionPlan plan = gather(u"nowhere"_s, false, &error);
    QVERIFY2(error.contains(u"StatefulSet tdengine in namespace nowhere"_s) && error.contains(u"not found"_s),
             qPrintable(error));
    QVERIFY(plan.objects.isEmpty());
}

QTEST_GUILESS_MAIN(tst_ClusterDeletion)
#include "tst_clusterdeletion.moc"
