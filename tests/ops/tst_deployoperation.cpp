// A deploy and a deletion as recorded operations, against the in-process sandbox (and, in its second run,
// on real taosd): the plan of the project's manifests run by the Executor leaves a whole cluster (three
// dnodes ready, three mnodes), its record in the cluster owned by the new StatefulSet, and no lease behind;
// a deploy cut short after its apply is resumed to the same end without applying twice. A deletion leaves
// nothing of the cluster but the claims it was not asked to delete, and its own record, owned by nobody,
// where the cluster's other records went with the StatefulSet; one cut short after the StatefulSet went is
// resumed without a lease, and deletes the claims only after the pods, each volume as its policy says.
#include "deploy/clusterdeletion.h"
#include "deploy/manifestcheck.h"
#include "kube/objects.h"
#include "kube/portforward.h"
#include "ops/clusterrecord.h"
#include "ops/executor.h"
#include "ops/journal.h"
#include "ops/lease.h"
#include "ops/planner.h"
#include "sandboxfixture.h"
#include "taos/clusterstate.h"
#include "taos/passwordstore.h"
#include "taos/restclient.h"
#include "taos/snapshotpoller.h"
#include "taos/systables.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>
#include <QStandardPaths>
#include <QSysInfo>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::kube::test;
using tdkube::ops::Executor;
using tdkube::ops::Journal;
using tdkube::ops::Plan;
using tdkube::ops::Step;

namespace {

constexpr int kRunMs = 240000; // a safety net for a hung test, not a measure
const QString kSet = u"tdengine"_s;

struct Run
{
    QList<int> started;
    QStringList stepMessages;
    QStringList log;
    std::optional<bool> ok;
    QString message;

    void follow(Executor *executor)
    {
        QObject::connect(executor, &Executor::stepStarted, executor,
                         [this](int index) { started.append(index); });
        QObject::connect(executor, &Executor::stepFinished, executor,
                         [this](int, bool, const QString &text) { stepMessages.append(text); });
        QObject::connect(executor, &Executor::logLine, executor,
                         [this](const QString &line) { log.append(line); });
        QObject::connect(executor, &Executor::finished, executor, [this](bool success, const QString &text) {
            ok = success;
            message = text;
        });
    }
    QString story() const { return message + u"\n"_s + log.join(u'\n'); }
};

QList<QJsonObject> manifests()
{
    QList<QJsonObject> objects;
    const QDir dir(QStringLiteral(TDKUBE_MANIFESTS_DIR));
    for (const QString &name : dir.entryList({u"*.yaml"_s}, QDir::Files, QDir::Name)) {
        QFile file(dir.filePath(name));
        QList<deploy::ManifestDocument> documents;
        QString error;
        if (!file.open(QIODevice::ReadOnly) || !deploy::parseManifests(file.readAll(), &documents, &error))
            qFatal("%s: %s", qPrintable(name), qPrintable(error));
        for (const deploy::ManifestDocument &document : std::as_const(documents))
            objects.append(document.object);
    }
    return objects;
}

} // namespace

class TestDeployOperation final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void deploy_manifests_wholeClusterRecordedOwnedNoLeaseLeft();
    void deploy_cutShortAfterTheApply_resumedToTheSameEnd();
    void delete_withoutClaims_recordOwnedByNobody_claimsAndVolumesStay();
    void delete_withClaims_cutShortAfterTheStatefulSet_resumedClaimsAfterPods();

private:
    // A cluster deployed by the executor in new namespace `ns`; the deploy's journal id in `id`.
    void deployed(const QString &ns, QString *id);
    // The deletion of kSet in `ns` as the delete dialog gathers it.
    void deletion(const QString &ns, bool claims, deploy::DeletionPlan *plan);
    QList<QJsonObject> list(const kube::ResourceKind &kind, const QString &ns);
    Plan plan(const QString &ns);
    std::unique_ptr<Executor> executor();
    kube::KubeResponse get(const kube::ResourceKind &kind, const QString &ns, const QString &name);
    taos::QueryOutcome sql(const QString &ns, const QString &statement);
    // What a DBA checks after a deploy: the pods, dnodes and mnodes, the record and the lease.
    void checkWhole(const QString &ns, const Journal &journal);

    SandboxFixture m_fixture;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
};

void TestDeployOperation::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QDir(Journal::directory()).removeRecursively();
    QVERIFY(m_settingsDir.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QString taosd;
    if (onRealTaosd()) {
        taosd = realTaosdDir();
        if (!QFileInfo::exists(taosd + u"/bin/taosd"_s))
            QSKIP("the run on real taosd needs a TDengine build: TDKUBE_REAL_TAOSD=DIR");
    }
    QVERIFY(m_fixture.start({}, 0.02, taosd));
    m_client = std::make_unique<kube::KubeClient>(m_fixture.admin());
    m_passwords = std::make_unique<taos::PasswordStore>();
    m_passwords->setKeychainEnabled(false);
}

void TestDeployOperation::init()
{
    for (Journal journal : Journal::unfinished())
        QVERIFY(journal.abandon());
}

Plan TestDeployOperation::plan(const QString &ns)
{
    ops::DeployFacts facts;
    facts.context = m_fixture.admin().contextName;
    facts.ns = ns;
    facts.objects = manifests();
    return ops::planDeploy(facts);
}

std::unique_ptr<Executor> TestDeployOperation::executor()
{
    auto result = std::make_unique<Executor>(m_client.get(), m_passwords.get());
    result->setPollInterval(50);
    result->setStepTimeout(kRunMs / 2);
    return result;
}

kube::KubeResponse TestDeployOperation::get(const kube::ResourceKind &kind, const QString &ns,
                                            const QString &name)
{
    return await(
        [&](QObject *context, kube::KubeClient::Done done) { m_client->get(kind, ns, name, context, done); });
}

taos::QueryOutcome TestDeployOperation::sql(const QString &ns, const QString &statement)
{
    return sqlThroughForward(m_client.get(), ns, kSet, statement);
}

void TestDeployOperation::checkWhole(const QString &ns, const Journal &journal)
{
    QList<taos::Dnode> dnodes;
    for (const taos::Dnode &dnode : taos::dnodesFrom(sql(ns, taos::kSelectDnodes).result)) {
        if (dnode.status == u"ready")
            dnodes.append(dnode);
    }
    QCOMPARE(dnodes.size(), 3);
    int leaders = 0;
    int followers = 0;
    for (const taos::Mnode &mnode : taos::mnodesFrom(sql(ns, taos::kSelectMnodes).result)) {
        leaders += mnode.role == u"leader" ? 1 : 0;
        followers += mnode.role == u"follower" ? 1 : 0;
    }
    QCOMPARE(leaders, 1);
    QCOMPARE(followers, 2);

    // The lease came with the StatefulSet and went at the end.
    const kube::KubeResponse set = get(kube::ResourceKind::statefulSets(), ns, kSet);
    QVERIFY2(set.ok(), qPrintable(set.error));
    QVERIFY2(
        !kube::valueAt(set.json(), u"metadata.annotations"_s).toObject().contains(ops::Lease::kAnnotation),
        QJsonDocument(kube::metadataOf(set.json())).toJson().constData());

    // The record: the whole journal, finished, owned by the StatefulSet it deployed.
    const auto recorded = [&] {
        return ops::RecordedOperation::fromConfigMap(
            get(kube::ResourceKind::configMaps(), ns, ops::recordName(journal.id())).json());
    };
    QVERIFY(QTest::qWaitFor([&] { return recorded().phase == u"finished"; }, kWaitMs));
    const ops::RecordedOperation operation = recorded();
    QCOMPARE(operation.journal.toJson(), journal.toJson());
    QCOMPARE(operation.startedBy, u"sandbox-admin@"_s + QSysInfo::machineHostName());
    const QJsonObject configMap =
        get(kube::ResourceKind::configMaps(), ns, ops::recordName(journal.id())).json();
    QCOMPARE(
        kube::valueAt(configMap, u"metadata.labels"_s).toObject().value(u"tdkube.io/operation"_s).toString(),
        u"deploy"_s);
    const QJsonArray owners = kube::valueAt(configMap, u"metadata.ownerReferences"_s).toArray();
    QCOMPARE(owners.size(), 1);
    QCOMPARE(owners.first().toObject().value(u"uid"_s).toString(), kube::uidOf(set.json()));
}

void TestDeployOperation::deploy_manifests_wholeClusterRecordedOwnedNoLeaseLeft()
{
    const QString ns = u"fresh"_s;
    QVERIFY(createNamespace(m_client.get(), ns));
    const Plan planned = plan(ns);
    QVERIFY2(!planned.blocked() && planned.steps.size() == 6, qPrintable(planned.summary()));
    const auto run = executor();
    Run seen;
    seen.follow(run.get());
    run->start(planned);
    QVERIFY(QTest::qWaitFor([&] { return seen.ok.has_value(); }, kRunMs));
    QVERIFY2(*seen.ok, qPrintable(seen.story()));
    QCOMPARE(seen.started, (QList<int>{0, 1, 2, 3, 4, 5}));
    QVERIFY2(seen.log.join(u'\n').contains(u"StatefulSet tdengine does not exist yet: the operation's lease "
                                           u"comes with it, when it is applied."_s),
             qPrintable(seen.story()));
    QVERIFY2(seen.log.join(u'\n').contains(u"StatefulSet tdengine created."_s), qPrintable(seen.story()));
    QCOMPARE(seen.stepMessages.first(), u"4 objects applied."_s);
    QCOMPARE(seen.stepMessages.last(), u"3 dnodes ready, 1 mnode leader."_s);
    QCOMPARE(seen.message, u"Deploy tdengine with 3 dnodes (6 steps): done."_s);
    QCOMPARE(run->journal().status(), Journal::Status::Finished);
    checkWhole(ns, run->journal());

    // The same plan again: the cluster exists now, and the planner says so.
    ops::DeployFacts again;
    again.ns = ns;
    again.objects = manifests();
    again.existing = get(kube::ResourceKind::statefulSets(), ns, kSet).json();
    QCOMPARE(ops::planDeploy(again).findings.first().code, u"cluster-exists"_s);
}

// tdkube stops (its executor destroyed, as a crash would) once the objects are applied and the pods are
// awaited; a new executor resumes the journal: it takes back its own lease from the StatefulSet, does not
// apply again, and ends where an uninterrupted deploy ends.
void TestDeployOperation::deploy_cutShortAfterTheApply_resumedToTheSameEnd()
{
    const QString ns = u"resumed"_s;
    QVERIFY(createNamespace(m_client.get(), ns));
    QString id;
    {
        auto first = executor();
        Run seen;
        seen.follow(first.get());
        first->start(plan(ns));
        QVERIFY(QTest::qWaitFor([&] { return seen.started.contains(1) || seen.ok.has_value(); }, kRunMs));
        QVERIFY2(!seen.ok.has_value(), qPrintable(seen.story()));
        id = first->journal().id();
    }
    const kube::KubeResponse set = get(kube::ResourceKind::statefulSets(), ns, kSet);
    QVERIFY2(set.ok(), qPrintable(set.error));
    const QString lease = kube::valueAt(set.json(), u"metadata.annotations"_s)
                              .toObject()
                              .value(ops::Lease::kAnnotation)
                              .toString();
    QVERIFY2(lease.contains(id), qPrintable(lease));

    const QList<Journal> unfinished = Journal::unfinished();
    QCOMPARE(unfinished.size(), 1);
    QCOMPARE(unfinished.first().id(), id);
    QCOMPARE(unfinished.first().resumeIndex(), 1);
    auto second = executor();
    Run seen;
    seen.follow(second.get());
    second->resume(unfinished.first());
    QVERIFY(QTest::qWaitFor([&] { return seen.ok.has_value(); }, kRunMs));
    QVERIFY2(*seen.ok, qPrintable(seen.story()));
    QCOMPARE(seen.started.first(), 1);
    QVERIFY2(!seen.log.join(u'\n').contains(u"created."_s), qPrintable(seen.story()));
    checkWhole(ns, second->journal());
}

void TestDeployOperation::deployed(const QString &ns, QString *id)
{
    QVERIFY(createNamespace(m_client.get(), ns));
    const auto run = executor();
    Run seen;
    seen.follow(run.get());
    run->start(plan(ns));
    QVERIFY(QTest::qWaitFor([&] { return seen.ok.has_value(); }, kRunMs));
    QVERIFY2(*seen.ok, qPrintable(seen.story()));
    *id = run->journal().id();
}

void TestDeployOperation::deletion(const QString &ns, bool claims, deploy::DeletionPlan *plan)
{
    std::optional<QString> error;
    QObject context;
    deploy::gatherDeletionPlan(m_client.get(), ns, kSet, claims, &context,
                               [&](const deploy::DeletionPlan &gathered, const QString &why) {
                                   *plan = gathered;
                                   error = why;
                               });
    QVERIFY(QTest::qWaitFor([&] { return error.has_value(); }, kWaitMs));
    QVERIFY2(error->isEmpty(), qPrintable(*error));
}

QList<QJsonObject> TestDeployOperation::list(const kube::ResourceKind &kind, const QString &ns)
{
    const kube::KubeResponse response = await(
        [&](QObject *context, kube::KubeClient::Done done) { m_client->list(kind, ns, {}, context, done); });
    QList<QJsonObject> items;
    for (const QJsonValue &item : response.json().value(u"items").toArray())
        items.append(item.toObject());
    return items;
}

// The delete dialog's deletion without the claims: the StatefulSet, its pods, Services and ConfigMap go;
// the claims and their volumes stay. The deletion's record has no owner and stays; the deploy's record,
// owned by the StatefulSet, went with it.
void TestDeployOperation::delete_withoutClaims_recordOwnedByNobody_claimsAndVolumesStay()
{
    const QString ns = u"deleted"_s;
    QString deployId;
    deployed(ns, &deployId);
    QVERIFY(!QTest::currentTestFailed());
    deploy::DeletionPlan gathered;
    deletion(ns, false, &gathered);
    QVERIFY(!QTest::currentTestFailed());
    const Plan planned = ops::planDelete(m_fixture.admin().contextName, gathered);
    QVERIFY2(!planned.blocked(), qPrintable(planned.summary()));
    QList<Step::Kind> kinds;
    for (const Step &step : planned.steps)
        kinds.append(step.kind);
    QCOMPARE(kinds, (QList<Step::Kind>{Step::Kind::DeleteObjects, Step::Kind::WaitPodsGone,
                                       Step::Kind::DeleteObjects, Step::Kind::Verify}));
    const qsizetype volumesBefore = list(kube::ResourceKind::persistentVolumes(), {}).size();

    const auto run = executor();
    Run seen;
    seen.follow(run.get());
    run->start(planned);
    QVERIFY(QTest::qWaitFor([&] { return seen.ok.has_value(); }, kRunMs));
    QVERIFY2(*seen.ok, qPrintable(seen.story()));
    QCOMPARE(seen.message, u"Delete cluster tdengine (4 steps): done."_s);
    QCOMPARE(seen.stepMessages.last(),
             u"Nothing of cluster tdengine is left but its claims, with the data."_s);
    QVERIFY2(seen.log.join(u'\n').contains(u"The operation lease went with StatefulSet tdengine."_s),
             qPrintable(seen.story()));

    QCOMPARE(get(kube::ResourceKind::statefulSets(), ns, kSet).httpStatus, 404);
    QCOMPARE(get(kube::ResourceKind::services(), ns, u"taosd"_s).httpStatus, 404);
    QCOMPARE(get(kube::ResourceKind::services(), ns, u"taosadapter"_s).httpStatus, 404);
    QCOMPARE(get(kube::ResourceKind::configMaps(), ns, u"tdengine-taoscfg"_s).httpStatus, 404);
    QVERIFY(list(kube::ResourceKind::pods(), ns).isEmpty());
    const QList<QJsonObject> claims = list(kube::ResourceKind::persistentVolumeClaims(), ns);
    QCOMPARE(claims.size(), 3);
    for (const QJsonObject &claim : claims)
        QCOMPARE(get(kube::ResourceKind::persistentVolumes(), {},
                     kube::valueAt(claim, u"spec.volumeName"_s).toString())
                     .httpStatus,
                 200);
    QCOMPARE(list(kube::ResourceKind::persistentVolumes(), {}).size(), volumesBefore);

    // The record of the deletion: the whole journal, finished, labelled with the cluster, owned by nobody.
    const QString name = ops::recordName(run->journal().id());
    QVERIFY(QTest::qWaitFor(
        [&] {
            return ops::RecordedOperation::fromConfigMap(
                       get(kube::ResourceKind::configMaps(), ns, name).json())
                       .phase == u"finished";
        },
        kWaitMs));
    const QJsonObject configMap = get(kube::ResourceKind::configMaps(), ns, name).json();
    QCOMPARE(ops::RecordedOperation::fromConfigMap(configMap).journal.toJson(), run->journal().toJson());
    const QJsonObject labels = kube::valueAt(configMap, u"metadata.labels"_s).toObject();
    QCOMPARE(labels.value(u"tdkube.io/operation"_s).toString(), u"delete"_s);
    QCOMPARE(labels.value(u"tdkube.io/cluster"_s).toString(), kSet);
    QVERIFY(!kube::metadataOf(configMap).contains(u"ownerReferences"_s));
    // The deploy's record was the StatefulSet's: the garbage collector took it with it.
    QTRY_COMPARE_WITH_TIMEOUT(get(kube::ResourceKind::configMaps(), ns, ops::recordName(deployId)).httpStatus,
                              404, kWaitMs);
}

// A deletion with the claims, one volume of which is Retain: tdkube stops (its executor destroyed, as a
// crash would) once the StatefulSet is gone; a new executor resumes it with no lease to take (it went with
// the StatefulSet), and deletes the claims only once the pods are gone; the Retain volume stays, Released.
void TestDeployOperation::delete_withClaims_cutShortAfterTheStatefulSet_resumedClaimsAfterPods()
{
    const QString ns = u"purged"_s;
    QString deployId;
    deployed(ns, &deployId);
    QVERIFY(!QTest::currentTestFailed());
    const QString retained =
        kube::valueAt(list(kube::ResourceKind::persistentVolumeClaims(), ns).first(), u"spec.volumeName"_s)
            .toString();
    QVERIFY(await([&](QObject *context, kube::KubeClient::Done done) {
                m_client->patch(kube::ResourceKind::persistentVolumes(), {}, retained,
                                R"({"spec":{"persistentVolumeReclaimPolicy":"Retain"}})",
                                "application/merge-patch+json", context, done);
            }).ok());
    deploy::DeletionPlan gathered;
    deletion(ns, true, &gathered);
    QVERIFY(!QTest::currentTestFailed());
    QCOMPARE(gathered.claims.size(), 3);
    const Plan planned = ops::planDelete(m_fixture.admin().contextName, gathered);
    QCOMPARE(planned.steps.size(), 5);
    QCOMPARE(planned.steps.at(3).kind, Step::Kind::DeleteClaims);
    {
        auto first = executor();
        Run seen;
        seen.follow(first.get());
        first->start(planned);
        QVERIFY(QTest::qWaitFor([&] { return seen.started.contains(1) || seen.ok.has_value(); }, kRunMs));
        QVERIFY2(!seen.ok.has_value(), qPrintable(seen.story()));
    }
    QCOMPARE(get(kube::ResourceKind::statefulSets(), ns, kSet).httpStatus, 404);
    QCOMPARE(list(kube::ResourceKind::persistentVolumeClaims(), ns).size(), 3);

    const QList<Journal> unfinished = Journal::unfinished();
    QCOMPARE(unfinished.size(), 1);
    QCOMPARE(unfinished.first().resumeIndex(), 1);
    auto second = executor();
    Run seen;
    seen.follow(second.get());
    QList<int> podsWhenClaimsWent;
    QObject::connect(second.get(), &Executor::stepStarted, second.get(), [&](int index) {
        if (index == 3)
            podsWhenClaimsWent.append(int(list(kube::ResourceKind::pods(), ns).size()));
    });
    second->resume(unfinished.first());
    QVERIFY(QTest::qWaitFor([&] { return seen.ok.has_value(); }, kRunMs));
    QVERIFY2(*seen.ok, qPrintable(seen.story()));
    QCOMPARE(seen.started.first(), 1);
    const QString story = seen.log.join(u'\n');
    QVERIFY2(story.contains(u"StatefulSet tdengine is gone already: there is no lease to take"_s),
             qPrintable(story));
    QVERIFY2(!story.contains(u"Deleting StatefulSet"_s), qPrintable(story));
    QCOMPARE(podsWhenClaimsWent, QList<int>{0});
    QVERIFY2(story.contains(u"reclaim policy Retain: the volume stays, Released"_s), qPrintable(story));
    QCOMPARE(seen.stepMessages.last(), u"Nothing of cluster tdengine is left."_s);
    QVERIFY(list(kube::ResourceKind::persistentVolumeClaims(), ns).isEmpty());
    // The Retain volume stays Released with its data; the Delete ones are gone.
    QTRY_COMPARE_WITH_TIMEOUT(
        [&] {
            QStringList left;
            for (const QJsonObject &volume : list(kube::ResourceKind::persistentVolumes(), {})) {
                if (kube::valueAt(volume, u"spec.claimRef.namespace"_s).toString() == ns)
                    left.append(kube::nameOf(volume) + u' ' +
                                kube::valueAt(volume, u"status.phase"_s).toString());
            }
            return left;
        }(),
        QStringList{retained + u" Released"_s}, kWaitMs);
    QCOMPARE(second->journal().status(), Journal::Status::Finished);
}

QTEST_GUILESS_MAIN(TestDeployOperation)
#include "tst_deployoperation.moc"
