#include "fieldmanager.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tdkube::sandbox;

namespace {

const QString t1 = u"2026-11-21T10:00:00Z"_s;
const QString t2 = u"2026-11-21T11:00:00Z"_s;
const QString t3 = u"2026-11-21T12:00:00Z"_s;

QJsonObject object(const QByteArray &text)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("bad JSON object in test data: %s", text.constData());
    return document.object();
}

QByteArray compact(const QJsonValue &value)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

QJsonArray managedFields(const QJsonObject &object)
{
    return object.value(u"metadata").toObject().value(u"managedFields").toArray();
}

// The entry of `manager` with `operation` (and `subresource`), or an empty object.
QJsonObject entryOf(const QJsonObject &object, const QString &manager, const QString &operation,
                    const QString &subresource = {})
{
    for (const QJsonValue value : managedFields(object)) {
        const QJsonObject entry = value.toObject();
        if (entry.value(u"manager").toString() == manager &&
            entry.value(u"operation").toString() == operation &&
            entry.value(u"subresource").toString() == subresource)
            return entry;
    }
    return {};
}

QByteArray fieldsOf(const QJsonObject &object, const QString &manager, const QString &operation,
                    const QString &subresource = {})
{
    return compact(entryOf(object, manager, operation, subresource).value(u"fieldsV1"));
}

QJsonValue valueAt(const QJsonObject &object, const QStringList &path)
{
    QJsonValue node = object;
    for (const QString &part : path)
        node = node.isArray() ? node.toArray().at(part.toInt()) : node.toObject().value(part);
    return node;
}

// The StatefulSet that `kubectl apply --server-side` sends in these tests.
QJsonObject statefulSet(int replicas = 3, const QString &image = u"tdengine/tdengine:3.3.0.0"_s)
{
    QJsonObject config = object(R"({"apiVersion":"apps/v1","kind":"StatefulSet",
        "metadata":{"name":"tdengine","namespace":"default","labels":{"app":"tdengine"}},
        "spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"tdengine","image":"x",
            "ports":[{"containerPort":6030,"protocol":"TCP"}]}]}}}})");
    QJsonObject spec = config.value(u"spec").toObject();
    spec.insert(u"replicas", replicas);
    QJsonObject templ = spec.value(u"template").toObject();
    QJsonObject podSpec = templ.value(u"spec").toObject();
    QJsonArray containers = podSpec.value(u"containers").toArray();
    QJsonObject container = containers.at(0).toObject();
    container.insert(u"image", image);
    containers.replace(0, container);
    podSpec.insert(u"containers", containers);
    templ.insert(u"spec", podSpec);
    spec.insert(u"template", templ);
    config.insert(u"spec", spec);
    return config;
}

// `config` with its only container's ports set to `port`.
QJsonObject withPort(QJsonObject config, const QJsonObject &port)
{
    QJsonObject spec = config.value(u"spec").toObject();
    QJsonObject templ = spec.value(u"template").toObject();
    QJsonObject podSpec = templ.value(u"spec").toObject();
    QJsonArray containers = podSpec.value(u"containers").toArray();
    QJsonObject container = containers.at(0).toObject();
    container.insert(u"ports", QJsonArray{port});
    containers.replace(0, container);
    podSpec.insert(u"containers", containers);
    templ.insert(u"spec", podSpec);
    spec.insert(u"template", templ);
    config.insert(u"spec", spec);
    return config;
}

// FieldsV1 text with ' for the quotes inside keys (k:{"name":"x"}), which would need escaping.
QJsonObject fieldsJson(QByteArray text)
{
    return object(text.replace('\'', "\\\""));
}

const QByteArray statefulSetFields =
    R"({"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":)"
    R"({"f:containers":{"k:{'name':'tdengine'}":{".":{},"f:image":{},"f:name":{},"f:ports":)"
    R"({"k:{'containerPort':6030,'protocol':'TCP'}":{".":{},"f:containerPort":{},"f:protocol":{}}}}}}}}})";

// Live object as created by `kubectl apply` (client-side): kubectl-client-side-apply owns everything.
QJsonObject createdClientSide(int replicas)
{
    QJsonObject created = statefulSet(replicas, u"tdengine/tdengine:3.2.0.0"_s);
    return recordUpdate(QJsonObject(), created, u"StatefulSet"_s, u"kubectl-client-side-apply"_s, QString(),
                        t1);
}

ApplyOutcome apply(const QJsonObject &live, const QJsonObject &config, const QString &manager = u"kubectl"_s,
                   bool force = false, const QString &time = t2)
{
    return serverSideApply(live, config, u"StatefulSet"_s, manager, force, time);
}

} // namespace

class TestFieldManager final : public QObject
{
    Q_OBJECT

private slots:
    void serverSideApply_create_recordsApplyEntryWithExactFields()
    {
        const ApplyOutcome outcome = apply(QJsonObject(), statefulSet(), u"kubectl"_s, false, t1);
        QVERIFY2(outcome.ok, qPrintable(outcome.error));
        QVERIFY(outcome.conflicts.isEmpty());
        const QJsonArray expected{QJsonObject{{u"manager"_s, u"kubectl"_s},
                                              {u"operation"_s, u"Apply"_s},
                                              {u"apiVersion"_s, u"apps/v1"_s},
                                              {u"time"_s, t1},
                                              {u"fieldsType"_s, u"FieldsV1"_s},
                                              {u"fieldsV1"_s, fieldsJson(statefulSetFields)}}};
        QCOMPARE(compact(managedFields(outcome.object)), compact(expected));
        QCOMPARE(outcome.object.value(u"spec"), statefulSet().value(u"spec"));
        QCOMPARE(valueAt(outcome.object, {u"metadata"_s, u"name"_s}).toString(), u"tdengine"_s);
    }

    void serverSideApply_serverFieldsInConfig_areNotTakenOrTracked()
    {
        const QJsonObject live = apply(QJsonObject(), statefulSet(), u"kubectl"_s, false, t1).object;
        QJsonObject withUid = live;
        QJsonObject metadata = withUid.value(u"metadata").toObject();
        metadata.insert(u"uid", u"live-uid"_s);
        metadata.insert(u"resourceVersion", u"7"_s);
        withUid.insert(u"metadata", metadata);
        withUid.insert(u"status", QJsonObject{{u"replicas"_s, 3}});

        QJsonObject config = statefulSet();
        QJsonObject configMetadata = config.value(u"metadata").toObject();
        configMetadata.insert(u"uid", u"other-uid"_s);
        configMetadata.insert(u"resourceVersion", u"1"_s);
        configMetadata.insert(u"generation", 9);
        configMetadata.insert(u"creationTimestamp", u"2020-01-01T00:00:00Z"_s);
        configMetadata.insert(u"managedFields", QJsonArray{QJsonObject{{u"manager"_s, u"evil"_s}}});
        config.insert(u"metadata", configMetadata);
        config.insert(u"status", QJsonObject{{u"replicas"_s, 99}});

        const ApplyOutcome outcome = apply(withUid, config);
        QVERIFY2(outcome.ok, qPrintable(outcome.error));
        QCOMPARE(valueAt(outcome.object, {u"metadata"_s, u"uid"_s}).toString(), u"live-uid"_s);
        QCOMPARE(valueAt(outcome.object, {u"metadata"_s, u"resourceVersion"_s}).toString(), u"7"_s);
        QVERIFY(valueAt(outcome.object, {u"metadata"_s, u"generation"_s}).isUndefined());
        QCOMPARE(valueAt(outcome.object, {u"status"_s, u"replicas"_s}).toInt(), 3);
        QCOMPARE(managedFields(outcome.object).size(), 1);
        QCOMPARE(fieldsOf(outcome.object, u"kubectl"_s, u"Apply"_s), compact(fieldsJson(statefulSetFields)));
    }

    void serverSideApply_sameManagerChangesField_updatesValueAndEntry()
    {
        const QJsonObject live = apply(QJsonObject(), statefulSet(3), u"kubectl"_s, false, t1).object;
        const ApplyOutcome outcome = apply(live, statefulSet(5, u"tdengine/tdengine:3.3.1.0"_s));
        QVERIFY2(outcome.ok, qPrintable(outcome.error));
        QCOMPARE(valueAt(outcome.object, {u"spec"_s, u"replicas"_s}).toInt(), 5);
        QCOMPARE(valueAt(outcome.object,
                         {u"spec"_s, u"template"_s, u"spec"_s, u"containers"_s, u"0"_s, u"image"_s})
                     .toString(),
                 u"tdengine/tdengine:3.3.1.0"_s);
        QCOMPARE(managedFields(outcome.object).size(), 1);
        QCOMPARE(entryOf(outcome.object, u"kubectl"_s, u"Apply"_s).value(u"time").toString(), t2);
        QCOMPARE(fieldsOf(outcome.object, u"kubectl"_s, u"Apply"_s), compact(fieldsJson(statefulSetFields)));
    }

    void serverSideApply_fieldNoLongerApplied_isRemoved()
    {
        QJsonObject first = statefulSet();
        QJsonObject metadata = first.value(u"metadata").toObject();
        metadata.insert(u"labels", QJsonObject{{u"app"_s, u"tdengine"_s}, {u"tier"_s, u"db"_s}});
        first.insert(u"metadata", metadata);
        const QJsonObject live = apply(QJsonObject(), first, u"kubectl"_s, false, t1).object;
        QCOMPARE(valueAt(live, {u"metadata"_s, u"labels"_s, u"tier"_s}).toString(), u"db"_s);

        QJsonObject second = statefulSet();
        QJsonObject spec = second.value(u"spec").toObject();
        spec.remove(u"replicas");
        second.insert(u"spec", spec);
        const ApplyOutcome outcome = apply(live, second);
        QVERIFY2(outcome.ok, qPrintable(outcome.error));
        QVERIFY(valueAt(outcome.object, {u"metadata"_s, u"labels"_s, u"tier"_s}).isUndefined());
        QCOMPARE(valueAt(outcome.object, {u"metadata"_s, u"labels"_s, u"app"_s}).toString(), u"tdengine"_s);
        QVERIFY(valueAt(outcome.object, {u"spec"_s, u"replicas"_s}).isUndefined());
        QVERIFY(!fieldsOf(outcome.object, u"kubectl"_s, u"Apply"_s).contains("f:replicas"));
        QVERIFY(!fieldsOf(outcome.object, u"kubectl"_s, u"Apply"_s).contains("f:tier"));
    }

    void serverSideApply_containerNoLongerApplied_isRemovedWhole()
    {
        QJsonObject first = statefulSet();
        QJsonObject spec = first.value(u"spec").toObject();
        QJsonObject templ = spec.value(u"template").toObject();
        QJsonObject podSpec = templ.value(u"spec").toObject();
        QJsonArray containers = podSpec.value(u"containers").toArray();
        containers.append(QJsonObject{{u"name"_s, u"sidecar"_s}, {u"image"_s, u"busybox"_s}});
        podSpec.insert(u"containers", containers);
        templ.insert(u"spec", podSpec);
        spec.insert(u"template", templ);
        first.insert(u"spec", spec);
        const QJsonObject live = apply(QJsonObject(), first, u"kubectl"_s, false, t1).object;
        QCOMPARE(valueAt(live, {u"spec"_s, u"template"_s, u"spec"_s, u"containers"_s}).toArray().size(), 2);

        const ApplyOutcome outcome = apply(live, statefulSet());
        QVERIFY2(outcome.ok, qPrintable(outcome.error));
        const QJsonArray remaining =
            valueAt(outcome.object, {u"spec"_s, u"template"_s, u"spec"_s, u"containers"_s}).toArray();
        QCOMPARE(remaining.size(), 1);
        QCOMPARE(remaining.at(0).toObject().value(u"name").toString(), u"tdengine"_s);
        QCOMPARE(fieldsOf(outcome.object, u"kubectl"_s, u"Apply"_s), compact(fieldsJson(statefulSetFields)));
    }

    void serverSideApply_droppedFieldOwnedByAnotherApplier_isKept()
    {
        const QJsonObject live = apply(QJsonObject(), statefulSet(3), u"kubectl"_s, false, t1).object;
        // A second applier sets the same replicas: no conflict, both own it.
        const ApplyOutcome shared = apply(live, object(R"({"apiVersion":"apps/v1","kind":"StatefulSet",
            "metadata":{"name":"tdengine"},"spec":{"replicas":3}})"),
                                          u"autoscaler"_s);
        QVERIFY2(shared.ok, qPrintable(shared.error));
        QCOMPARE(fieldsOf(shared.object, u"autoscaler"_s, u"Apply"_s),
                 QByteArray(R"({"f:spec":{"f:replicas":{}}})"));
        QVERIFY(fieldsOf(shared.object, u"kubectl"_s, u"Apply"_s).contains("f:replicas"));

        QJsonObject withoutReplicas = statefulSet();
        QJsonObject spec = withoutReplicas.value(u"spec").toObject();
        spec.remove(u"replicas");
        withoutReplicas.insert(u"spec", spec);
        const ApplyOutcome outcome = apply(shared.object, withoutReplicas, u"kubectl"_s, false, t3);
        QVERIFY2(outcome.ok, qPrintable(outcome.error));
        QCOMPARE(valueAt(outcome.object, {u"spec"_s, u"replicas"_s}).toInt(), 3);
        QVERIFY(!fieldsOf(outcome.object, u"kubectl"_s, u"Apply"_s).contains("f:replicas"));
        QCOMPARE(fieldsOf(outcome.object, u"autoscaler"_s, u"Apply"_s),
                 QByteArray(R"({"f:spec":{"f:replicas":{}}})"));
    }

    void serverSideApply_fieldOwnedByOtherWithDifferentValue_conflicts()
    {
        const QJsonObject live = createdClientSide(3);
        const ApplyOutcome outcome = apply(live, statefulSet(4, u"tdengine/tdengine:3.3.0.0"_s));
        QVERIFY(!outcome.ok);
        QVERIFY(outcome.error.isEmpty());
        QCOMPARE(outcome.conflicts.size(), 2);
        QCOMPARE(outcome.conflicts.at(0).manager, u"kubectl-client-side-apply"_s);
        QCOMPARE(outcome.conflicts.at(0).apiVersion, u"apps/v1"_s);
        QCOMPARE(outcome.conflicts.at(0).field, u".spec.replicas"_s);
        QCOMPARE(outcome.conflicts.at(0).subresource, QString());
        QCOMPARE(outcome.conflicts.at(1).field, u".spec.template.spec.containers[name=\"tdengine\"].image"_s);
    }

    void serverSideApply_keyedPortField_printsKeysInConflictPath()
    {
        const QJsonObject live = recordUpdate(QJsonObject(),
                                              withPort(statefulSet(), QJsonObject{{u"containerPort"_s, 6030},
                                                                                  {u"protocol"_s, u"TCP"_s},
                                                                                  {u"name"_s, u"native"_s}}),
                                              u"StatefulSet"_s, u"kubectl-create"_s, {}, t1);
        // The applied port omits protocol: the TCP default makes it the same item as the live one.
        const QJsonObject config =
            withPort(statefulSet(), QJsonObject{{u"containerPort"_s, 6030}, {u"name"_s, u"taosc"_s}});
        const ApplyOutcome outcome = apply(live, config);
        QVERIFY(!outcome.ok);
        QCOMPARE(outcome.conflicts.size(), 1);
        QCOMPARE(outcome.conflicts.at(0).manager, u"kubectl-create"_s);
        QCOMPARE(
            outcome.conflicts.at(0).field,
            u".spec.template.spec.containers[name=\"tdengine\"].ports[containerPort=6030,protocol=\"TCP\"].name"_s);

        const ApplyOutcome forced = apply(live, config, u"kubectl"_s, true);
        QVERIFY2(forced.ok, qPrintable(forced.error));
        const QJsonArray ports =
            valueAt(forced.object, {u"spec"_s, u"template"_s, u"spec"_s, u"containers"_s, u"0"_s, u"ports"_s})
                .toArray();
        QCOMPARE(ports.size(), 1);
        QCOMPARE(ports.at(0).toObject().value(u"name").toString(), u"taosc"_s);
        QCOMPARE(ports.at(0).toObject().value(u"protocol").toString(), u"TCP"_s);
    }

    void serverSideApply_sameValueAsOtherOwner_sharesOwnership()
    {
        const QJsonObject live = createdClientSide(3);
        const ApplyOutcome outcome = apply(live, statefulSet(3, u"tdengine/tdengine:3.2.0.0"_s));
        QVERIFY2(outcome.ok, qPrintable(outcome.error));
        QVERIFY(outcome.conflicts.isEmpty());
        QVERIFY(fieldsOf(outcome.object, u"kubectl-client-side-apply"_s, u"Update"_s).contains("f:replicas"));
        QCOMPARE(fieldsOf(outcome.object, u"kubectl"_s, u"Apply"_s), compact(fieldsJson(statefulSetFields)));
        // Apply entries come first, as the API server sorts them.
        QCOMPARE(managedFields(outcome.object).at(0).toObject().value(u"operation").toString(), u"Apply"_s);
    }

    void serverSideApply_force_movesOwnershipOfConflictsOnly()
    {
        const QJsonObject live = createdClientSide(3);
        const ApplyOutcome outcome =
            apply(live, statefulSet(4, u"tdengine/tdengine:3.2.0.0"_s), u"kubectl"_s, true);
        QVERIFY2(outcome.ok, qPrintable(outcome.error));
        QCOMPARE(valueAt(outcome.object, {u"spec"_s, u"replicas"_s}).toInt(), 4);
        const QByteArray theirs = fieldsOf(outcome.object, u"kubectl-client-side-apply"_s, u"Update"_s);
        QVERIFY(!theirs.contains("f:replicas"));
        QVERIFY(theirs.contains("f:image")); // same value: still shared
        QVERIFY(fieldsOf(outcome.object, u"kubectl"_s, u"Apply"_s).contains("f:replicas"));

        // Now kubectl alone owns replicas, so it can change it again without force.
        const ApplyOutcome again = apply(outcome.object, statefulSet(6, u"tdengine/tdengine:3.2.0.0"_s));
        QVERIFY2(again.ok, qPrintable(again.error));
        QCOMPARE(valueAt(again.object, {u"spec"_s, u"replicas"_s}).toInt(), 6);
    }

    void serverSideApply_afterScale_replicasConflictWithScaleManager()
    {
        const QJsonObject applied = apply(QJsonObject(), statefulSet(3), u"kubectl"_s, false, t1).object;
        QJsonObject scaled = applied;
        QJsonObject spec = scaled.value(u"spec").toObject();
        spec.insert(u"replicas", 5);
        scaled.insert(u"spec", spec);
        const QJsonObject live =
            recordUpdate(applied, scaled, u"StatefulSet"_s, u"kubectl"_s, u"scale"_s, t2);

        const QJsonObject scaleEntry = entryOf(live, u"kubectl"_s, u"Update"_s, u"scale"_s);
        QCOMPARE(compact(scaleEntry.value(u"fieldsV1")), QByteArray(R"({"f:spec":{"f:replicas":{}}})"));
        QCOMPARE(scaleEntry.value(u"subresource").toString(), u"scale"_s);
        QCOMPARE(scaleEntry.value(u"apiVersion").toString(), u"apps/v1"_s);
        QCOMPARE(scaleEntry.value(u"time").toString(), t2);
        QVERIFY(!fieldsOf(live, u"kubectl"_s, u"Apply"_s).contains("f:replicas"));

        const ApplyOutcome conflicting = apply(live, statefulSet(3), u"kubectl"_s, false, t3);
        QVERIFY(!conflicting.ok);
        QCOMPARE(conflicting.conflicts.size(), 1);
        QCOMPARE(conflicting.conflicts.at(0).manager, u"kubectl"_s);
        QCOMPARE(conflicting.conflicts.at(0).subresource, u"scale"_s);
        QCOMPARE(conflicting.conflicts.at(0).field, u".spec.replicas"_s);

        const ApplyOutcome agreeing = apply(live, statefulSet(5), u"kubectl"_s, false, t3);
        QVERIFY2(agreeing.ok, qPrintable(agreeing.error));
    }

    void serverSideApply_itemWithoutKey_failsWithError()
    {
        QJsonObject config = object(R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"x"},
            "spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}})");
        const ApplyOutcome outcome = apply(QJsonObject(), config);
        QVERIFY(!outcome.ok);
        QVERIFY(outcome.conflicts.isEmpty());
        QVERIFY2(outcome.error.contains(u"omits key field \"name\""), qPrintable(outcome.error));
    }

    void serverSideApply_serviceAndFinalizers_useDefaultsAndSetEncoding()
    {
        const QJsonObject config = object(R"({"apiVersion":"v1","kind":"Service",
            "metadata":{"name":"tdengine","finalizers":["example.com/keep"]},
            "spec":{"selector":{"app":"tdengine"},"ports":[{"name":"native","port":6030}]}})");
        const ApplyOutcome outcome =
            serverSideApply(QJsonObject(), config, u"Service"_s, u"kubectl"_s, false, t1);
        QVERIFY2(outcome.ok, qPrintable(outcome.error));
        const QByteArray expected = R"({"f:metadata":{"f:finalizers":{"v:'example.com/keep'":{}}},)"
                                    R"("f:spec":{"f:ports":{"k:{'port':6030,'protocol':'TCP'}":)"
                                    R"({".":{},"f:name":{},"f:port":{}}},"f:selector":{}}})";
        QCOMPARE(fieldsOf(outcome.object, u"kubectl"_s, u"Apply"_s), compact(fieldsJson(expected)));
        QCOMPARE(compact(entryOf(outcome.object, u"kubectl"_s, u"Apply"_s).value(u"apiVersion")),
                 QByteArray("\"v1\""));
    }

    void serverSideApply_selector_isOwnedAndReplacedWhole()
    {
        QJsonObject config = statefulSet();
        QJsonObject spec = config.value(u"spec").toObject();
        spec.insert(u"selector", object(R"({"matchLabels":{"app":"tdengine"}})"));
        config.insert(u"spec", spec);
        const QJsonObject live =
            recordUpdate(QJsonObject(), config, u"StatefulSet"_s, u"kubectl-create"_s, {}, t1);
        QVERIFY(fieldsOf(live, u"kubectl-create"_s, u"Update"_s).contains(R"("f:selector":{})"));

        spec.insert(u"selector", object(R"({"matchLabels":{"app":"other"}})"));
        config.insert(u"spec", spec);
        const ApplyOutcome conflicting = apply(live, config);
        QVERIFY(!conflicting.ok);
        QCOMPARE(conflicting.conflicts.size(), 1);
        QCOMPARE(conflicting.conflicts.at(0).field, u".spec.selector"_s);

        // Forced, the applied selector replaces the live one rather than merging into it.
        QJsonObject live2 = live;
        QJsonObject liveSpec = live2.value(u"spec").toObject();
        liveSpec.insert(u"selector", object(R"({"matchLabels":{"app":"tdengine","extra":"x"}})"));
        live2.insert(u"spec", liveSpec);
        const ApplyOutcome forced = apply(live2, config, u"kubectl"_s, true);
        QVERIFY2(forced.ok, qPrintable(forced.error));
        QCOMPARE(compact(valueAt(forced.object, {u"spec"_s, u"selector"_s})),
                 QByteArray(R"({"matchLabels":{"app":"other"}})"));
    }

    void recordUpdate_create_ownsEveryLeafButServerFields()
    {
        QJsonObject created = statefulSet();
        created.insert(u"status", QJsonObject{{u"replicas"_s, 0}});
        QJsonObject metadata = created.value(u"metadata").toObject();
        metadata.insert(u"uid", u"u1"_s);
        metadata.insert(u"resourceVersion", u"1"_s);
        created.insert(u"metadata", metadata);
        const QJsonObject result =
            recordUpdate(QJsonObject(), created, u"StatefulSet"_s, u"kubectl-create"_s, {}, t1);
        const QJsonArray expected{QJsonObject{{u"manager"_s, u"kubectl-create"_s},
                                              {u"operation"_s, u"Update"_s},
                                              {u"apiVersion"_s, u"apps/v1"_s},
                                              {u"time"_s, t1},
                                              {u"fieldsType"_s, u"FieldsV1"_s},
                                              {u"fieldsV1"_s, fieldsJson(statefulSetFields)}}};
        QCOMPARE(compact(managedFields(result)), compact(expected));
        QCOMPARE(result.value(u"status"), created.value(u"status"));
    }

    void recordUpdate_sameManagerTwice_mergesIntoOneEntry()
    {
        const QJsonObject created =
            recordUpdate(QJsonObject(), statefulSet(), u"StatefulSet"_s, u"editor"_s, {}, t1);
        QJsonObject labelled = created;
        QJsonObject metadata = labelled.value(u"metadata").toObject();
        QJsonObject labels = metadata.value(u"labels").toObject();
        labels.insert(u"tier", u"db"_s);
        metadata.insert(u"labels", labels);
        labelled.insert(u"metadata", metadata);
        const QJsonObject result = recordUpdate(created, labelled, u"StatefulSet"_s, u"editor"_s, {}, t2);
        QCOMPARE(managedFields(result).size(), 1);
        const QJsonObject entry = entryOf(result, u"editor"_s, u"Update"_s);
        QCOMPARE(entry.value(u"time").toString(), t2);
        QCOMPARE(compact(entry.value(u"fieldsV1").toObject().value(u"f:metadata")),
                 QByteArray(R"({"f:labels":{".":{},"f:app":{},"f:tier":{}}})"));
    }

    void recordUpdate_noChange_keepsEntryTime()
    {
        const QJsonObject created =
            recordUpdate(QJsonObject(), statefulSet(), u"StatefulSet"_s, u"editor"_s, {}, t1);
        const QJsonObject result = recordUpdate(created, created, u"StatefulSet"_s, u"editor"_s, {}, t2);
        QCOMPARE(entryOf(result, u"editor"_s, u"Update"_s).value(u"time").toString(), t1);
    }

    void recordUpdate_otherManagerTakesAllFields_dropsEmptyEntry()
    {
        const QJsonObject live =
            apply(QJsonObject(),
                  object(R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"tdengine"},
                                                  "spec":{"replicas":3}})"),
                  u"kubectl"_s, false, t1)
                .object;
        QJsonObject after = live;
        QJsonObject spec = after.value(u"spec").toObject();
        spec.insert(u"replicas", 7);
        after.insert(u"spec", spec);
        const QJsonObject result = recordUpdate(live, after, u"StatefulSet"_s, u"hpa"_s, {}, t2);
        QCOMPARE(managedFields(result).size(), 1);
        QCOMPARE(entryOf(result, u"hpa"_s, u"Update"_s).value(u"manager").toString(), u"hpa"_s);
        QVERIFY(entryOf(result, u"kubectl"_s, u"Apply"_s).isEmpty());
    }

    void recordUpdate_removedField_isOwnedByNobody()
    {
        QJsonObject withTier = statefulSet();
        QJsonObject metadata = withTier.value(u"metadata").toObject();
        metadata.insert(u"labels", QJsonObject{{u"app"_s, u"tdengine"_s}, {u"tier"_s, u"db"_s}});
        withTier.insert(u"metadata", metadata);
        const QJsonObject created =
            recordUpdate(QJsonObject(), withTier, u"StatefulSet"_s, u"creator"_s, {}, t1);
        QJsonObject after = created;
        metadata = after.value(u"metadata").toObject();
        metadata.insert(u"labels", QJsonObject{{u"app"_s, u"tdengine"_s}});
        after.insert(u"metadata", metadata);
        const QJsonObject result = recordUpdate(created, after, u"StatefulSet"_s, u"editor"_s, {}, t2);
        QVERIFY(!fieldsOf(result, u"creator"_s, u"Update"_s).contains("f:tier"));
        QVERIFY(fieldsOf(result, u"creator"_s, u"Update"_s).contains("f:app"));
        QVERIFY(entryOf(result, u"editor"_s, u"Update"_s).isEmpty()); // removing owns nothing
    }

    void recordUpdate_status_trackedOnlyForStatusSubresource_data()
    {
        QTest::addColumn<QString>("subresource");
        QTest::addColumn<bool>("tracked");
        QTest::newRow("main resource") << QString() << false;
        QTest::newRow("status subresource") << u"status"_s << true;
    }

    void recordUpdate_status_trackedOnlyForStatusSubresource()
    {
        QFETCH(QString, subresource);
        QFETCH(bool, tracked);
        const QJsonObject before =
            recordUpdate(QJsonObject(), statefulSet(), u"StatefulSet"_s, u"creator"_s, {}, t1);
        QJsonObject after = before;
        after.insert(u"status", QJsonObject{{u"readyReplicas"_s, 3}});
        const QJsonObject result =
            recordUpdate(before, after, u"StatefulSet"_s, u"controller"_s, subresource, t2);
        const QJsonObject entry = entryOf(result, u"controller"_s, u"Update"_s, subresource);
        QCOMPARE(!entry.isEmpty(), tracked);
        if (tracked) {
            QCOMPARE(compact(entry.value(u"fieldsV1")), QByteArray(R"({"f:status":{"f:readyReplicas":{}}})"));
            QCOMPARE(entry.value(u"subresource").toString(), u"status"_s);
        }
    }

    void recordUpdate_managedFieldsSentByClient_areUsed()
    {
        const QJsonObject before =
            recordUpdate(QJsonObject(), statefulSet(), u"StatefulSet"_s, u"creator"_s, {}, t1);
        QJsonObject after = before;
        QJsonObject metadata = after.value(u"metadata").toObject();
        // The client hands the whole object over to "owner" by rewriting managedFields.
        metadata.insert(u"managedFields",
                        QJsonArray{QJsonObject{{u"manager"_s, u"owner"_s},
                                               {u"operation"_s, u"Update"_s},
                                               {u"apiVersion"_s, u"apps/v1"_s},
                                               {u"fieldsType"_s, u"FieldsV1"_s},
                                               {u"fieldsV1"_s, fieldsJson(statefulSetFields)}}});
        after.insert(u"metadata", metadata);
        const QJsonObject result = recordUpdate(before, after, u"StatefulSet"_s, u"editor"_s, {}, t2);
        QCOMPARE(managedFields(result).size(), 1);
        QCOMPARE(fieldsOf(result, u"owner"_s, u"Update"_s), compact(fieldsJson(statefulSetFields)));
    }

    void defaultFieldManager_userAgent_prefixBeforeSlash_data()
    {
        QTest::addColumn<QString>("userAgent");
        QTest::addColumn<QString>("manager");
        QTest::newRow("kubectl") << u"kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd"_s << u"kubectl"_s;
        QTest::newRow("tdkube") << u"tdkube/0.1.0"_s << u"tdkube"_s;
        QTest::newRow("no slash") << u"curl"_s << u"curl"_s;
        QTest::newRow("empty") << QString() << u"unknown"_s;
        QTest::newRow("slash first") << u"/v1"_s << u"unknown"_s;
    }

    void defaultFieldManager_userAgent_prefixBeforeSlash()
    {
        QFETCH(QString, userAgent);
        QFETCH(QString, manager);
        QCOMPARE(defaultFieldManager(userAgent), manager);
    }
};

QTEST_APPLESS_MAIN(TestFieldManager)
#include "tst_fieldmanager.moc"
