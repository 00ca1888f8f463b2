// planDeletion (pure: what goes and what that means for the data) and ClusterDeleter against the
// sandbox running manifests/: what is left on the cluster afterwards, and claims only after pods.
#include "deploy/clusterdeletion.h"
#include "sandboxfixture.h"

#include <QSignalSpy>

using namespace Qt::StringLiterals;
using namespace tdkube::deploy;
using namespace tdkube::kube;
using namespace tdkube::kube::test;

namespace {

constexpr int kReadyMs = 120000;
const QString kSts = u"tdengine"_s;

QJsonValue fieldOf(const QJsonObject &object, const QString &dottedPath)
{
    QJsonValue current = object;
    for (const QString &part : dottedPath.split(u'.'))
        current = current.toObject().value(part);
    return current;
}

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
    void delete_withoutClaims_claimsAndVolumesStay();
    void delete_withClaims_claimsGoOnlyAfterPodsAndVolumesPerPolicy();
    void gather_missingStatefulSet_errorNamesIt();

private:
    QList<QJsonObject> list(const ResourceKind &kind, const QString &ns)
    {
        const KubeResponse response = await(
            [&](QObject *context, KubeClient::Done done) { m_admin->list(kind, ns, {}, context, done); });
        QList<QJsonObject> items;
        for (const QJsonValue &item : response.json().value(u"items").toArray())
            items.append(item.toObject());
        return items;
    }
    int status(const ResourceKind &kind, const QString &ns, const QString &name)
    {
        return await([&](QObject *context, KubeClient::Done done) {
                   m_admin->get(kind, ns, name, context, done);
               })
            .httpStatus;
    }
    int readyPods(const QString &ns)
    {
        int ready = 0;
        for (const QJsonObject &pod : list(ResourceKind::pods(), ns)) {
            for (const QJsonValue &c : fieldOf(pod, u"status.conditions"_s).toArray())
                ready += c[u"type"].toString() == u"Ready" && c[u"status"].toString() == u"True";
        }
        return ready;
    }
    void deploy(const QString &ns)
    {
        QVERIFY(createNamespace(m_admin.get(), ns));
        QString error;
        QVERIFY2(applyManifests(m_admin.get(), ns, &error), qPrintable(error));
        QVERIFY2(QTest::qWaitFor([&] { return readyPods(ns) == 3; }, kReadyMs), "the 3 pods are not Ready");
    }
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

void tst_ClusterDeletion::delete_withoutClaims_claimsAndVolumesStay()
{
    const QString ns = u"keep"_s;
    deploy(ns);
    QString error;
    const DeletionPlan plan = gather(ns, false, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(plan.pods, (QStringList{u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}));
    QCOMPARE(plan.claims.size(), 3);
    const QList<QJsonObject> volumesBefore = list(ResourceKind::persistentVolumes(), {});

    ClusterDeleter deleter(m_admin.get(), plan);
    QSignalSpy finished(&deleter, &ClusterDeleter::finished);
    QSignalSpy gone(&deleter, &ClusterDeleter::itemGone);
    deleter.start();
    QVERIFY(finished.wait(kReadyMs) || !finished.isEmpty());
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));

    QCOMPARE(status(ResourceKind::statefulSets(), ns, kSts), 404);
    QCOMPARE(status(ResourceKind::services(), ns, u"taosd"_s), 404);
    QCOMPARE(status(ResourceKind::services(), ns, u"taosadapter"_s), 404);
    QCOMPARE(status(ResourceKind::configMaps(), ns, u"tdengine-taoscfg"_s), 404);
    QVERIFY(list(ResourceKind::pods(), ns).isEmpty());
    const QList<QJsonObject> claims = list(ResourceKind::persistentVolumeClaims(), ns);
    QCOMPARE(claims.size(), 3);
    for (const QJsonObject &c : claims) {
        const QString pv = fieldOf(c, u"spec.volumeName"_s).toString();
        QCOMPARE(status(ResourceKind::persistentVolumes(), {}, pv), 200);
    }
    QCOMPARE(list(ResourceKind::persistentVolumes(), {}).size(), volumesBefore.size());
    QStringList goneNames;
    for (const QList<QVariant> &signal : std::as_const(gone))
        goneNames << signal.at(0).toString() + u'/' + signal.at(1).toString();
    for (const QString &expected : {u"StatefulSet/tdengine"_s, u"Pod/tdengine-0"_s, u"Service/taosd"_s,
                                    u"ConfigMap/tdengine-taoscfg"_s})
        QVERIFY2(goneNames.contains(expected), qPrintable(goneNames.join(u", "_s)));
    QVERIFY(!goneNames.join(u' ').contains(u"PersistentVolumeClaim"_s));
}

void tst_ClusterDeletion::delete_withClaims_claimsGoOnlyAfterPodsAndVolumesPerPolicy()
{
    const QString ns = u"purge"_s;
    deploy(ns);
    // One volume keeps its data (Retain), the others go with their claims (the class says Delete).
    const QString retained =
        fieldOf(list(ResourceKind::persistentVolumeClaims(), ns).first(), u"spec.volumeName"_s).toString();
    QVERIFY(await([&](QObject *context, KubeClient::Done done) {
                m_admin->patch(ResourceKind::persistentVolumes(), {}, retained,
                               R"({"spec":{"persistentVolumeReclaimPolicy":"Retain"}})",
                               "application/merge-patch+json", context, done);
            }).ok());
    QString error;
    const DeletionPlan plan = gather(ns, true, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(plan.claims.size(), 3);
    int retainConsequences = 0;
    for (const DeletionItem &item : plan.claims)
        retainConsequences +=
            item.consequence.startsWith(u"PV "_s + retained + u" (reclaim policy Retain)"_s);
    QCOMPARE(retainConsequences, 1);

    ClusterDeleter deleter(m_admin.get(), plan);
    QStringList steps;
    QList<int> podsWhenClaimDeleted;
    connect(&deleter, &ClusterDeleter::progress, this, [&](const QString &step, const QString &) {
        steps << step;
        if (step.startsWith(u"Deleting PersistentVolumeClaim"_s))
            podsWhenClaimDeleted << int(list(ResourceKind::pods(), ns).size()); // what the cluster holds now
    });
    QSignalSpy finished(&deleter, &ClusterDeleter::finished);
    deleter.start();
    QVERIFY(finished.wait(kReadyMs) || !finished.isEmpty());
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));

    QCOMPARE(podsWhenClaimDeleted, (QList<int>{0, 0, 0}));
    const qsizetype waited = steps.indexOf(QRegularExpression(u"Waiting for pods .*tdengine-\\d.* to go"_s));
    const qsizetype firstClaim = steps.indexOf(QRegularExpression(u"Deleting PersistentVolumeClaim .*"_s));
    QVERIFY2(waited >= 0 && firstClaim > waited, qPrintable(steps.join(u"\n"_s)));
    QCOMPARE(steps.first(), u"Deleting StatefulSet tdengine"_s);

    QVERIFY(list(ResourceKind::persistentVolumeClaims(), ns).isEmpty());
    // The Retain volume stays Released with its data; the Delete ones are gone.
    QTRY_COMPARE_WITH_TIMEOUT(
        [&] {
            QStringList left;
            for (const QJsonObject &pv : list(ResourceKind::persistentVolumes(), {})) {
                if (fieldOf(pv, u"spec.claimRef.namespace"_s).toString() == ns)
                    left << fieldOf(pv, u"metadata.name"_s).toString() + u' ' +
                                fieldOf(pv, u"status.phase"_s).toString();
            }
            return left;
        }(),
        QStringList{retained + u" Released"_s}, kWaitMs);
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
