// ApplySet against the in-process sandbox: previews change nothing, applies go in order and stop at
// the first failure, conflicts name the field and its manager, errors carry the server's words.
#include "deploy/applyset.h"
#include "sandboxfixture.h"

#include <QJsonDocument>
#include <QSignalSpy>

using namespace Qt::StringLiterals;
using namespace tdkube::deploy;
using namespace tdkube::kube;
using namespace tdkube::kube::test;

namespace {

QJsonObject statefulSet(const QString &name, int replicas)
{
    const QJsonObject labels{{u"app"_s, name}};
    const QJsonObject container{{u"name"_s, u"app"_s}, {u"image"_s, u"busybox:1.36"_s}};
    return {{u"apiVersion"_s, u"apps/v1"_s},
            {u"kind"_s, u"StatefulSet"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, name}}},
            {u"spec"_s,
             QJsonObject{{u"replicas"_s, replicas},
                         {u"serviceName"_s, name},
                         {u"selector"_s, QJsonObject{{u"matchLabels"_s, labels}}},
                         {u"template"_s,
                          QJsonObject{{u"metadata"_s, QJsonObject{{u"labels"_s, labels}}},
                                      {u"spec"_s, QJsonObject{{u"containers"_s, QJsonArray{container}}}}}}}}};
}

QJsonValue fieldOf(const QJsonObject &object, const QString &dottedPath)
{
    QJsonValue current = object;
    for (const QString &part : dottedPath.split(u'.'))
        current = current.toObject().value(part);
    return current;
}

// Lines of a unified diff that add or remove, without the ---/+++ headers.
QStringList changedLines(const QString &diff)
{
    QStringList out;
    for (const QString &line : diff.split(u'\n')) {
        if ((line.startsWith(u'+') || line.startsWith(u'-')) && !line.startsWith(u"+++") &&
            !line.startsWith(u"---"))
            out << line;
    }
    return out;
}

} // namespace

class tst_ApplySet : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void preview_newObjects_serverDefaultsAndNothingCreated();
    void apply_newObjects_createdInOrder();
    void preview_changedReplicas_diffOfExactlyThatField();
    void apply_fieldOwnedByAnotherManager_conflictUntilForced();
    void apply_fieldAppliedByAnotherApplier_conflictNamesApplierOnly();
    void apply_viewer_forbiddenWithServerMessage();
    void preview_unknownKind_errorForThatObjectOnly();
    void createNamespace_newAndExisting_labelledAndNoError();
    void cancel_beforeAnythingSent_finishedOnceNothingCreated();

private:
    // Runs preview() or apply() and waits for finished(ok).
    bool run(ApplySet *set, bool preview, bool force = false)
    {
        QSignalSpy finished(set, &ApplySet::finished);
        if (preview)
            set->preview();
        else
            set->apply(force);
        if (!finished.wait(kWaitMs) && finished.isEmpty())
            return false;
        return finished.first().first().toBool();
    }
    KubeResponse get(const ResourceKind &kind, const QString &ns, const QString &name)
    {
        return await(
            [&](QObject *context, KubeClient::Done done) { m_admin->get(kind, ns, name, context, done); });
    }

    SandboxFixture m_fixture;
    std::unique_ptr<KubeClient> m_admin;
};

void tst_ApplySet::initTestCase()
{
    QVERIFY(m_fixture.start());
    m_admin = std::make_unique<KubeClient>(m_fixture.admin());
    for (const QString &ns : {u"preview"_s, u"order"_s, u"change"_s, u"conflict"_s, u"unknown"_s})
        QVERIFY(createNamespace(m_admin.get(), ns));
}

void tst_ApplySet::preview_newObjects_serverDefaultsAndNothingCreated()
{
    ApplySet set(m_admin.get(), {configMap(u"cfg"_s, u"v"_s), statefulSet(u"db"_s, 3)}, u"preview"_s);
    QSignalSpy objectDone(&set, &ApplySet::objectDone);
    QVERIFY(run(&set, true));
    QCOMPARE(objectDone.size(), 2);
    QCOMPARE(set.results().size(), 2);
    for (const ObjectResult &result : set.results()) {
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QVERIFY(!result.existed);
        QCOMPARE(result.ns, u"preview"_s);
        QVERIFY(!result.unchanged);
        QVERIFY(result.diff.startsWith(u"--- "_s));
    }
    const ObjectResult &sts = set.results().at(1);
    QCOMPARE(sts.kind, u"StatefulSet"_s);
    // Defaults only the server fills in, and none of the fields only the server owns.
    QCOMPARE(fieldOf(sts.result, u"spec.podManagementPolicy"_s).toString(), u"OrderedReady"_s);
    QCOMPARE(fieldOf(sts.result, u"metadata.namespace"_s).toString(), u"preview"_s);
    QVERIFY(!sts.result.value(u"metadata").toObject().contains(u"managedFields"));
    QVERIFY(sts.diff.contains(u"+  podManagementPolicy: OrderedReady\n"_s));

    QCOMPARE(get(ResourceKind::configMaps(), u"preview"_s, u"cfg"_s).httpStatus, 404);
    QCOMPARE(get(ResourceKind::statefulSets(), u"preview"_s, u"db"_s).httpStatus, 404);
}

void tst_ApplySet::apply_newObjects_createdInOrder()
{
    ApplySet set(m_admin.get(), {configMap(u"first"_s, u"1"_s), configMap(u"second"_s, u"2"_s)}, u"order"_s);
    QList<int> order;
    connect(&set, &ApplySet::objectDone, this, [&order](int index, const ObjectResult &) { order << index; });
    QVERIFY(run(&set, false));
    QCOMPARE(order, (QList<int>{0, 1}));
    const KubeResponse first = get(ResourceKind::configMaps(), u"order"_s, u"first"_s);
    const KubeResponse second = get(ResourceKind::configMaps(), u"order"_s, u"second"_s);
    QCOMPARE(first.httpStatus, 200);
    QCOMPARE(second.httpStatus, 200);
    QCOMPARE(fieldOf(second.json(), u"data.key"_s).toString(), u"2"_s);
    // The cluster saw them in that order: resourceVersions grow with every write.
    QVERIFY(fieldOf(first.json(), u"metadata.resourceVersion"_s).toString().toLongLong() <
            fieldOf(second.json(), u"metadata.resourceVersion"_s).toString().toLongLong());
}

void tst_ApplySet::preview_changedReplicas_diffOfExactlyThatField()
{
    ApplySet initial(m_admin.get(), {configMap(u"cfg"_s, u"v"_s), statefulSet(u"db"_s, 3)}, u"change"_s);
    QVERIFY(run(&initial, false));

    ApplySet changed(m_admin.get(), {configMap(u"cfg"_s, u"v"_s), statefulSet(u"db"_s, 4)}, u"change"_s);
    QVERIFY(run(&changed, true));
    const ObjectResult &cm = changed.results().at(0);
    QVERIFY(cm.existed);
    QVERIFY(cm.unchanged);
    QCOMPARE(cm.diff, QString());
    const ObjectResult &sts = changed.results().at(1);
    QVERIFY(sts.existed);
    QVERIFY(!sts.unchanged);
    QCOMPARE(fieldOf(sts.live, u"spec.replicas"_s).toInt(), 3);
    QCOMPARE(changedLines(sts.diff), (QStringList{u"-  replicas: 3"_s, u"+  replicas: 4"_s}));
    QCOMPARE(
        fieldOf(get(ResourceKind::statefulSets(), u"change"_s, u"db"_s).json(), u"spec.replicas"_s).toInt(),
        3);
}

void tst_ApplySet::apply_fieldOwnedByAnotherManager_conflictUntilForced()
{
    ApplySet initial(m_admin.get(), {statefulSet(u"db"_s, 3)}, u"conflict"_s);
    QVERIFY(run(&initial, false));

    // Someone edits replicas as `kubectl edit` would: a merge patch recorded for another manager.
    KubeRequest edit;
    edit.verb = "PATCH";
    edit.path = ResourceKind::statefulSets().path(u"conflict"_s, u"db"_s);
    edit.contentType = "application/merge-patch+json";
    edit.body = R"({"spec":{"replicas":5}})";
    edit.query.addQueryItem(u"fieldManager"_s, u"kubectl-edit"_s);
    QVERIFY(await([&](QObject *context, KubeClient::Done done) { m_admin->send(edit, context, done); }).ok());

    // Ours first, so that the conflict stops the run before the ConfigMap is sent.
    const QList<QJsonObject> objects{statefulSet(u"db"_s, 4), configMap(u"later"_s, u"v"_s)};
    ApplySet ours(m_admin.get(), objects, u"conflict"_s);
    QVERIFY(!run(&ours, false));
    QCOMPARE(ours.results().size(), 1);
    const ObjectResult &refused = ours.results().first();
    QCOMPARE(refused.conflicts.size(), 1);
    QCOMPARE(refused.conflicts.first().field, u".spec.replicas"_s);
    QCOMPARE(refused.conflicts.first().manager, u"kubectl-edit"_s);
    QCOMPARE(refused.conflicts.first().message, u"conflict with \"kubectl-edit\" using apps/v1"_s);
    QVERIFY2(refused.error.contains(u"Apply failed with 1 conflict"_s) && refused.error.contains(u"force"_s),
             qPrintable(refused.error));
    QCOMPARE(
        fieldOf(get(ResourceKind::statefulSets(), u"conflict"_s, u"db"_s).json(), u"spec.replicas"_s).toInt(),
        5);
    QCOMPARE(get(ResourceKind::configMaps(), u"conflict"_s, u"later"_s).httpStatus, 404);

    ApplySet forced(m_admin.get(), objects, u"conflict"_s);
    QVERIFY(run(&forced, false, true));
    QCOMPARE(
        fieldOf(get(ResourceKind::statefulSets(), u"conflict"_s, u"db"_s).json(), u"spec.replicas"_s).toInt(),
        4);
    QCOMPARE(get(ResourceKind::configMaps(), u"conflict"_s, u"later"_s).httpStatus, 200);
    QCOMPARE(changedLines(forced.results().first().diff),
             (QStringList{u"-  replicas: 5"_s, u"+  replicas: 4"_s}));
}

void tst_ApplySet::apply_fieldAppliedByAnotherApplier_conflictNamesApplierOnly()
{
    // Another server-side applier (as `kubectl apply --server-side` or helm would be) owns data.key.
    KubeRequest theirs;
    theirs.verb = "PATCH";
    theirs.path = ResourceKind::configMaps().path(u"conflict"_s, u"shared"_s);
    theirs.contentType = "application/apply-patch+yaml";
    theirs.body = QJsonDocument(configMap(u"shared"_s, u"theirs"_s)).toJson();
    theirs.query.addQueryItem(u"fieldManager"_s, u"helm"_s);
    QVERIFY(
        await([&](QObject *context, KubeClient::Done done) { m_admin->send(theirs, context, done); }).ok());

    ApplySet ours(m_admin.get(), {configMap(u"shared"_s, u"ours"_s)}, u"conflict"_s);
    QVERIFY(!run(&ours, true)); // a dry run meets the same conflict
    const ObjectResult &refused = ours.results().first();
    QCOMPARE(refused.conflicts.size(), 1);
    QCOMPARE(refused.conflicts.first().field, u".data.key"_s);
    QCOMPARE(refused.conflicts.first().manager, u"helm"_s);
    // An applier is named without an apiVersion, as the API server's printManager does.
    QCOMPARE(refused.conflicts.first().message, u"conflict with \"helm\""_s);
    QVERIFY2(refused.error.contains(u".data.key (owned by helm)"_s), qPrintable(refused.error));
}

void tst_ApplySet::apply_viewer_forbiddenWithServerMessage()
{
    KubeClient viewer(m_fixture.viewer());
    ApplySet set(&viewer, {configMap(u"nope"_s, u"v"_s)}, u"order"_s);
    QVERIFY(!run(&set, false));
    const QString error = set.results().first().error;
    QVERIFY2(error.contains(u"cannot patch resource \"configmaps\""_s) && error.contains(u"Forbidden"_s) &&
                 error.contains(u"nope"_s),
             qPrintable(error));
    QCOMPARE(get(ResourceKind::configMaps(), u"order"_s, u"nope"_s).httpStatus, 404);
}

void tst_ApplySet::preview_unknownKind_errorForThatObjectOnly()
{
    const QJsonObject deployment{{u"apiVersion"_s, u"apps/v1"_s},
                                 {u"kind"_s, u"Deployment"_s},
                                 {u"metadata"_s, QJsonObject{{u"name"_s, u"web"_s}}}};
    QJsonObject elsewhere = configMap(u"there"_s, u"v"_s);
    elsewhere.insert(u"metadata"_s, QJsonObject{{u"name"_s, u"there"_s}, {u"namespace"_s, u"order"_s}});
    ApplySet set(m_admin.get(), {deployment, elsewhere}, u"unknown"_s);
    QVERIFY(!run(&set, true));
    QCOMPARE(set.results().size(), 2); // a preview goes on after an error
    QVERIFY2(set.results().at(0).error.contains(u"Deployment"_s), qPrintable(set.results().at(0).error));
    QVERIFY(set.results().at(0).error.contains(u"kubectl"_s));
    QVERIFY2(set.results().at(1).error.isEmpty(), qPrintable(set.results().at(1).error));
    QCOMPARE(set.results().at(1).ns, u"order"_s); // metadata.namespace wins over the default
}

void tst_ApplySet::createNamespace_newAndExisting_labelledAndNoError()
{
    const auto create = [this](const QString &name) {
        std::optional<QString> error;
        QObject context;
        tdkube::deploy::createNamespace(m_admin.get(), name, &context,
                                        [&error](const QString &e) { error = e; });
        return QTest::qWaitFor([&error] { return error.has_value(); }, kWaitMs) ? *error : u"timed out"_s;
    };
    QCOMPARE(create(u"fresh"_s), QString());
    const KubeResponse ns = get(ResourceKind::namespaces(), {}, u"fresh"_s);
    QCOMPARE(
        fieldOf(ns.json(), u"metadata.labels"_s).toObject().value(u"app.kubernetes.io/managed-by").toString(),
        u"tdkube"_s);
    QCOMPARE(create(u"fresh"_s), QString());
    const QString invalid = create(u"Not_Valid"_s);
    QVERIFY2(invalid.contains(u"Not_Valid"_s) && invalid.contains(u"Creating namespace"_s),
             qPrintable(invalid));
}

void tst_ApplySet::cancel_beforeAnythingSent_finishedOnceNothingCreated()
{
    ApplySet set(m_admin.get(), {configMap(u"cancelled"_s, u"v"_s)}, u"order"_s);
    QSignalSpy finished(&set, &ApplySet::finished);
    set.apply();
    QVERIFY(set.isRunning());
    set.cancel();
    QVERIFY(!set.isRunning());
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().toBool(), false);
    QTest::qWait(200); // anything still queued would have run by now
    QCOMPARE(finished.size(), 1);
    QVERIFY(set.results().isEmpty());
    QCOMPARE(get(ResourceKind::configMaps(), u"order"_s, u"cancelled"_s).httpStatus, 404);
}

QTEST_GUILESS_MAIN(tst_ApplySet)
#include "tst_applyset.moc"
