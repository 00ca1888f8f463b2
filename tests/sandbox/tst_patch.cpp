#include "patch.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tdkube::sandbox;

namespace {

// Any JSON text, scalars included (QJsonDocument only parses containers, so wrap it in an array).
QJsonValue json(const QByteArray &text)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson("[" + text + "]", &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in test data: %s", text.constData());
    return document.array().at(0);
}

QJsonObject object(const QByteArray &text)
{
    return json(text).toObject();
}

QByteArray compact(const QJsonValue &value)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

// Directive keys ($patch, $setElementOrder/..., ...) must never reach a stored object.
bool hasDirectiveKey(const QJsonValue &value)
{
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        return std::any_of(array.begin(), array.end(),
                           [](const QJsonValue &item) { return hasDirectiveKey(item); });
    }
    const QJsonObject map = value.toObject();
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (it.key().startsWith(u'$') || hasDirectiveKey(it.value()))
            return true;
    }
    return false;
}

} // namespace

class TestPatch final : public QObject
{
    Q_OBJECT

private slots:
    void mergePatch_rfc7386Examples_matchAppendixA_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("patch");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("replace member")
            << QByteArray(R"({"a":"b"})") << QByteArray(R"({"a":"c"})") << QByteArray(R"({"a":"c"})");
        QTest::newRow("add member") << QByteArray(R"({"a":"b"})") << QByteArray(R"({"b":"c"})")
                                    << QByteArray(R"({"a":"b","b":"c"})");
        QTest::newRow("null deletes")
            << QByteArray(R"({"a":"b"})") << QByteArray(R"({"a":null})") << QByteArray(R"({})");
        QTest::newRow("null deletes one of two") << QByteArray(R"({"a":"b","b":"c"})")
                                                 << QByteArray(R"({"a":null})") << QByteArray(R"({"b":"c"})");
        QTest::newRow("scalar replaces array")
            << QByteArray(R"({"a":["b"]})") << QByteArray(R"({"a":"c"})") << QByteArray(R"({"a":"c"})");
        QTest::newRow("array replaces scalar")
            << QByteArray(R"({"a":"c"})") << QByteArray(R"({"a":["b"]})") << QByteArray(R"({"a":["b"]})");
        QTest::newRow("nested merge and delete")
            << QByteArray(R"({"a":{"b":"c"}})") << QByteArray(R"({"a":{"b":"d","c":null}})")
            << QByteArray(R"({"a":{"b":"d"}})");
        QTest::newRow("arrays replace")
            << QByteArray(R"({"a":[{"b":"c"}]})") << QByteArray(R"({"a":[1]})") << QByteArray(R"({"a":[1]})");
        QTest::newRow("array document")
            << QByteArray(R"(["a","b"])") << QByteArray(R"(["c","d"])") << QByteArray(R"(["c","d"])");
        QTest::newRow("array replaces object")
            << QByteArray(R"({"a":"b"})") << QByteArray(R"(["c"])") << QByteArray(R"(["c"])");
        QTest::newRow("null document")
            << QByteArray(R"({"a":"foo"})") << QByteArray("null") << QByteArray("null");
        QTest::newRow("string document")
            << QByteArray(R"({"a":"foo"})") << QByteArray(R"("bar")") << QByteArray(R"("bar")");
        QTest::newRow("target null kept")
            << QByteArray(R"({"e":null})") << QByteArray(R"({"a":1})") << QByteArray(R"({"a":1,"e":null})");
        QTest::newRow("object replaces array")
            << QByteArray("[1,2]") << QByteArray(R"({"a":"b","c":null})") << QByteArray(R"({"a":"b"})");
        QTest::newRow("nulls in new objects dropped")
            << QByteArray("{}") << QByteArray(R"({"a":{"bb":{"ccc":null}}})")
            << QByteArray(R"({"a":{"bb":{}}})");
    }

    void mergePatch_rfc7386Examples_matchAppendixA()
    {
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, patch);
        QFETCH(QByteArray, expected);
        QCOMPARE(compact(mergePatch(json(target), json(patch))), compact(json(expected)));
    }

    void jsonPatch_validOperations_applyInOrder_data()
    {
        QTest::addColumn<QByteArray>("document");
        QTest::addColumn<QByteArray>("operations");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("add member") << QByteArray(R"({"a":1})")
                                    << QByteArray(R"([{"op":"add","path":"/b","value":2}])")
                                    << QByteArray(R"({"a":1,"b":2})");
        QTest::newRow("add replaces member")
            << QByteArray(R"({"a":1})") << QByteArray(R"([{"op":"add","path":"/a","value":[3]}])")
            << QByteArray(R"({"a":[3]})");
        QTest::newRow("add inserts at index")
            << QByteArray(R"({"a":[1,3]})") << QByteArray(R"([{"op":"add","path":"/a/1","value":2}])")
            << QByteArray(R"({"a":[1,2,3]})");
        QTest::newRow("add at end index")
            << QByteArray(R"({"a":[1]})") << QByteArray(R"([{"op":"add","path":"/a/1","value":2}])")
            << QByteArray(R"({"a":[1,2]})");
        QTest::newRow("add appends with dash")
            << QByteArray(R"({"a":[1]})") << QByteArray(R"([{"op":"add","path":"/a/-","value":{"x":1}}])")
            << QByteArray(R"({"a":[1,{"x":1}]})");
        QTest::newRow("add whole document")
            << QByteArray(R"({"a":1})") << QByteArray(R"([{"op":"add","path":"","value":[1]}])")
            << QByteArray("[1]");
        QTest::newRow("remove member") << QByteArray(R"({"metadata":{"labels":{"app":"x","tier":"y"}}})")
                                       << QByteArray(R"([{"op":"remove","path":"/metadata/labels/tier"}])")
                                       << QByteArray(R"({"metadata":{"labels":{"app":"x"}}})");
        QTest::newRow("remove array item")
            << QByteArray(R"({"a":[1,2,3]})") << QByteArray(R"([{"op":"remove","path":"/a/0"}])")
            << QByteArray(R"({"a":[2,3]})");
        QTest::newRow("replace") << QByteArray(R"({"spec":{"replicas":3}})")
                                 << QByteArray(R"([{"op":"replace","path":"/spec/replicas","value":5}])")
                                 << QByteArray(R"({"spec":{"replicas":5}})");
        QTest::newRow("replace array item")
            << QByteArray(R"({"a":[1,2]})") << QByteArray(R"([{"op":"replace","path":"/a/1","value":9}])")
            << QByteArray(R"({"a":[1,9]})");
        QTest::newRow("move") << QByteArray(R"({"a":{"b":1},"c":[]})")
                              << QByteArray(R"([{"op":"move","from":"/a/b","path":"/c/0"}])")
                              << QByteArray(R"({"a":{},"c":[1]})");
        QTest::newRow("move within array")
            << QByteArray(R"({"a":[1,2,3]})") << QByteArray(R"([{"op":"move","from":"/a/0","path":"/a/-"}])")
            << QByteArray(R"({"a":[2,3,1]})");
        QTest::newRow("copy") << QByteArray(R"({"a":{"b":[1]}})")
                              << QByteArray(R"([{"op":"copy","from":"/a/b","path":"/c"}])")
                              << QByteArray(R"({"a":{"b":[1]},"c":[1]})");
        QTest::newRow("test then replace") << QByteArray(R"({"a":{"b":"x"}})")
                                           << QByteArray(R"([{"op":"test","path":"/a","value":{"b":"x"}},)"
                                                         R"({"op":"replace","path":"/a/b","value":"y"}])")
                                           << QByteArray(R"({"a":{"b":"y"}})");
        QTest::newRow("escaped tokens")
            << QByteArray(R"({"metadata":{"annotations":{"a/b":"1","c~d":"2"}}})")
            << QByteArray(R"([{"op":"remove","path":"/metadata/annotations/a~1b"},)"
                          R"({"op":"replace","path":"/metadata/annotations/c~0d","value":"3"}])")
            << QByteArray(R"({"metadata":{"annotations":{"c~d":"3"}}})");
        QTest::newRow("tilde zero one is literal")
            << QByteArray(R"({"~1":1})") << QByteArray(R"([{"op":"remove","path":"/~01"}])")
            << QByteArray("{}");
        QTest::newRow("no operations")
            << QByteArray(R"({"a":1})") << QByteArray("[]") << QByteArray(R"({"a":1})");
    }

    void jsonPatch_validOperations_applyInOrder()
    {
        QFETCH(QByteArray, document);
        QFETCH(QByteArray, operations);
        QFETCH(QByteArray, expected);
        QJsonValue doc = json(document);
        QString error;
        QVERIFY2(jsonPatch(doc, json(operations).toArray(), &error), qPrintable(error));
        QCOMPARE(compact(doc), compact(json(expected)));
    }

    void jsonPatch_failingOperation_leavesDocumentUnchanged_data()
    {
        QTest::addColumn<QByteArray>("operations");
        QTest::addColumn<QString>("errorPart");
        QTest::newRow("test differs after add")
            << QByteArray(R"([{"op":"add","path":"/b","value":1},)"
                          R"({"op":"test","path":"/metadata/labels/app","value":"other"}])")
            << u"test failed at /metadata/labels/app"_s;
        QTest::newRow("test missing path")
            << QByteArray(R"([{"op":"test","path":"/nope","value":1}])") << u"test failed at /nope"_s;
        QTest::newRow("remove missing") << QByteArray(R"([{"op":"remove","path":"/metadata/name"}])")
                                        << u"remove failed at /metadata/name"_s;
        QTest::newRow("replace missing") << QByteArray(R"([{"op":"replace","path":"/spec/x","value":1}])")
                                         << u"replace failed at /spec/x"_s;
        QTest::newRow("add index out of range")
            << QByteArray(R"([{"op":"add","path":"/spec/list/3","value":1}])") << u"out of range"_s;
        QTest::newRow("add into missing parent")
            << QByteArray(R"([{"op":"add","path":"/spec/missing/x","value":1}])") << u"add failed at"_s;
        QTest::newRow("leading zero index")
            << QByteArray(R"([{"op":"remove","path":"/spec/list/01"}])") << u"not an array index"_s;
        QTest::newRow("dash is not readable")
            << QByteArray(R"([{"op":"remove","path":"/spec/list/-"}])") << u"remove failed at /spec/list/-"_s;
        QTest::newRow("descend into scalar")
            << QByteArray(R"([{"op":"add","path":"/spec/replicas/x","value":1}])") << u"scalar"_s;
        QTest::newRow("move into own child")
            << QByteArray(R"([{"op":"move","from":"/spec","path":"/spec/inner"}])") << u"own children"_s;
        QTest::newRow("bad escape") << QByteArray(R"([{"op":"remove","path":"/a~2b"}])")
                                    << u"invalid escape"_s;
        QTest::newRow("pointer without slash")
            << QByteArray(R"([{"op":"remove","path":"spec"}])") << u"must be empty or start with '/'"_s;
        QTest::newRow("unknown op") << QByteArray(R"([{"op":"merge","path":"/a"}])")
                                    << u"unknown op \"merge\""_s;
        QTest::newRow("missing value")
            << QByteArray(R"([{"op":"add","path":"/a"}])") << u"missing \"value\""_s;
        QTest::newRow("missing from")
            << QByteArray(R"([{"op":"copy","path":"/a"}])") << u"missing \"from\""_s;
        QTest::newRow("missing path") << QByteArray(R"([{"op":"remove"}])") << u"no \"path\""_s;
        QTest::newRow("remove document")
            << QByteArray(R"([{"op":"remove","path":""}])") << u"whole document"_s;
    }

    void jsonPatch_failingOperation_leavesDocumentUnchanged()
    {
        QFETCH(QByteArray, operations);
        QFETCH(QString, errorPart);
        const QJsonValue original =
            json(R"({"metadata":{"labels":{"app":"tdengine"}},"spec":{"replicas":3,"list":[1,2]}})");
        QJsonValue doc = original;
        QString error;
        QVERIFY(!jsonPatch(doc, json(operations).toArray(), &error));
        QCOMPARE(compact(doc), compact(original));
        QVERIFY2(error.contains(errorPart), qPrintable(error));
    }

    void strategicMergePatch_builtinKinds_mergeByKeyOrReplace_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("patch");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("env merges by name")
            << u"StatefulSet"_s
            << QByteArray(R"({"spec":{"template":{"spec":{"containers":[{"name":"tdengine","image":"a",)"
                          R"("env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}}})")
            << QByteArray(R"({"spec":{"template":{"spec":{"containers":[{"name":"tdengine",)"
                          R"("env":[{"name":"B","value":"20"},{"name":"C","value":"3"}]}]}}}})")
            << QByteArray(
                   R"({"spec":{"template":{"spec":{"containers":[{"name":"tdengine","image":"a",)"
                   R"("env":[{"name":"A","value":"1"},{"name":"B","value":"20"},{"name":"C","value":"3"}]}]}}}})");
        QTest::newRow("image change keeps other containers")
            << u"Pod"_s
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"b","image":"b:2"}]}})")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"}]}})");
        QTest::newRow("new container appended")
            << u"Pod"_s << QByteArray(R"({"spec":{"containers":[{"name":"a"}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"b","image":"b:1"}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"a"},{"name":"b","image":"b:1"}]}})");
        QTest::newRow("$patch delete removes container")
            << u"StatefulSet"_s
            << QByteArray(R"({"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}}})")
            << QByteArray(R"({"spec":{"template":{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}}})")
            << QByteArray(R"({"spec":{"template":{"spec":{"containers":[{"name":"b"}]}}}})");
        QTest::newRow("$setElementOrder orders, server-only items last")
            << u"Pod"_s << QByteArray(R"({"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}})")
            << QByteArray(R"({"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],)"
                          R"("containers":[{"name":"a","image":"a:2"}]}})")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"b"},{"name":"a","image":"a:2"},{"name":"c"}]}})");
        QTest::newRow("$setElementOrder on primitive list")
            << u"Pod"_s << QByteArray(R"({"metadata":{"finalizers":["a","b"]}})")
            << QByteArray(R"({"metadata":{"$setElementOrder/finalizers":["b","a"]}})")
            << QByteArray(R"({"metadata":{"finalizers":["b","a"]}})");
        QTest::newRow("$retainKeys clears other keys")
            << u"StatefulSet"_s
            << QByteArray(
                   R"({"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}})")
            << QByteArray(R"({"spec":{"updateStrategy":{"$retainKeys":["type"],"type":"OnDelete"}}})")
            << QByteArray(R"({"spec":{"updateStrategy":{"type":"OnDelete"}}})");
        QTest::newRow("service ports merge by port")
            << u"Service"_s
            << QByteArray(
                   R"({"spec":{"ports":[{"name":"rest","port":6041,"targetPort":6041},{"name":"native","port":6030}]}})")
            << QByteArray(
                   R"({"spec":{"ports":[{"port":6041,"targetPort":16041},{"name":"new","port":7000}]}})")
            << QByteArray(R"({"spec":{"ports":[{"name":"rest","port":6041,"targetPort":16041},)"
                          R"({"name":"native","port":6030},{"name":"new","port":7000}]}})");
        QTest::newRow("container ports merge by containerPort")
            << u"Pod"_s
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"a","ports":[{"containerPort":6030},{"containerPort":6041}]}]}})")
            << QByteArray(
                   R"({"spec":{"containers":[{"name":"a","ports":[{"containerPort":6041,"name":"rest"}]}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"a","ports":[{"containerPort":6030},)"
                          R"({"containerPort":6041,"name":"rest"}]}]}})");
        QTest::newRow("volumeMounts merge by mountPath")
            << u"StatefulSet"_s
            << QByteArray(
                   R"({"spec":{"template":{"spec":{"containers":[{"name":"a","volumeMounts":[)"
                   R"({"name":"data","mountPath":"/var/lib/taos"},{"name":"log","mountPath":"/var/log/taos"}]}]}}}})")
            << QByteArray(R"({"spec":{"template":{"spec":{"containers":[{"name":"a","volumeMounts":[)"
                          R"({"name":"logs","mountPath":"/var/log/taos"}]}]}}}})")
            << QByteArray(
                   R"({"spec":{"template":{"spec":{"containers":[{"name":"a","volumeMounts":[)"
                   R"({"name":"data","mountPath":"/var/lib/taos"},{"name":"logs","mountPath":"/var/log/taos"}]}]}}}})");
        QTest::newRow("volumes merge by name")
            << u"Pod"_s << QByteArray(R"({"spec":{"volumes":[{"name":"a","emptyDir":{}}]}})")
            << QByteArray(R"({"spec":{"volumes":[{"name":"b","emptyDir":{}}]}})")
            << QByteArray(R"({"spec":{"volumes":[{"name":"a","emptyDir":{}},{"name":"b","emptyDir":{}}]}})");
        QTest::newRow("args are atomic")
            << u"StatefulSet"_s
            << QByteArray(R"({"spec":{"template":{"spec":{"containers":[{"name":"a","args":["x","y"]}]}}}})")
            << QByteArray(R"({"spec":{"template":{"spec":{"containers":[{"name":"a","args":["z"]}]}}}})")
            << QByteArray(R"({"spec":{"template":{"spec":{"containers":[{"name":"a","args":["z"]}]}}}})");
        QTest::newRow("tolerations are atomic")
            << u"Pod"_s << QByteArray(R"({"spec":{"tolerations":[{"key":"a"},{"key":"b"}]}})")
            << QByteArray(R"({"spec":{"tolerations":[{"key":"c"}]}})")
            << QByteArray(R"({"spec":{"tolerations":[{"key":"c"}]}})");
        QTest::newRow("finalizers union")
            << u"StatefulSet"_s << QByteArray(R"({"metadata":{"finalizers":["a","b"]}})")
            << QByteArray(R"({"metadata":{"finalizers":["b","c"]}})")
            << QByteArray(R"({"metadata":{"finalizers":["a","b","c"]}})");
        QTest::newRow("$deleteFromPrimitiveList")
            << u"Pod"_s << QByteArray(R"({"metadata":{"finalizers":["a","b","c"]}})")
            << QByteArray(R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}})")
            << QByteArray(R"({"metadata":{"finalizers":["a","c"]}})");
        QTest::newRow("ownerReferences merge by uid")
            << u"Pod"_s << QByteArray(R"({"metadata":{"ownerReferences":[{"uid":"1","name":"x"}]}})")
            << QByteArray(R"({"metadata":{"ownerReferences":[{"uid":"2","name":"y"}]}})")
            << QByteArray(
                   R"({"metadata":{"ownerReferences":[{"uid":"1","name":"x"},{"uid":"2","name":"y"}]}})");
        QTest::newRow("pod conditions merge by type")
            << u"Pod"_s
            << QByteArray(
                   R"({"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Initialized","status":"True"}]}})")
            << QByteArray(R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})")
            << QByteArray(
                   R"({"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Initialized","status":"True"}]}})");
        QTest::newRow("null deletes keys")
            << u"Service"_s << QByteArray(R"({"metadata":{"labels":{"app":"x","tier":"y"}}})")
            << QByteArray(R"({"metadata":{"labels":{"tier":null}}})")
            << QByteArray(R"({"metadata":{"labels":{"app":"x"}}})");
        QTest::newRow("$patch replace on a map")
            << u"Pod"_s << QByteArray(R"({"spec":{"nodeSelector":{"a":"1","b":"2"}}})")
            << QByteArray(R"({"spec":{"nodeSelector":{"$patch":"replace","c":"3"}}})")
            << QByteArray(R"({"spec":{"nodeSelector":{"c":"3"}}})");
        QTest::newRow("$patch replace item replaces the list")
            << u"Pod"_s << QByteArray(R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"c","image":"c"},{"$patch":"replace"}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"c","image":"c"}]}})");
        QTest::newRow("$patch delete on a map")
            << u"Pod"_s << QByteArray(R"({"spec":{"affinity":{"x":1},"hostname":"h"}})")
            << QByteArray(R"({"spec":{"affinity":{"$patch":"delete"}}})")
            << QByteArray(R"({"spec":{"hostname":"h"}})");
        QTest::newRow("directives in new items are dropped")
            << u"Pod"_s << QByteArray(R"({"spec":{}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"a","$setElementOrder/env":[{"name":"X"}],)"
                          R"("env":[{"name":"X","value":"1"}]}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"}]}]}})");
        QTest::newRow("unknown kind: lists replace")
            << u"TDengineCluster"_s
            << QByteArray(R"({"spec":{"containers":[{"name":"a","image":"1"},{"name":"b"}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"a","image":"2"}]}})")
            << QByteArray(R"({"spec":{"containers":[{"name":"a","image":"2"}]}})");
    }

    void strategicMergePatch_builtinKinds_mergeByKeyOrReplace()
    {
        QFETCH(QString, kind);
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, patch);
        QFETCH(QByteArray, expected);
        QJsonObject result = object(target);
        QString error;
        QVERIFY2(strategicMergePatch(result, object(patch), kind, &error), qPrintable(error));
        QCOMPARE(compact(result), compact(json(expected)));
        QVERIFY(!hasDirectiveKey(result));
    }

    void strategicMergePatch_kubectlClientSideApplyPatch_changesOnlyWhatItSays()
    {
        const QJsonObject live = object(R"({"apiVersion":"apps/v1","kind":"StatefulSet",
            "metadata":{"name":"tdengine","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"old"},
                        "labels":{"app":"tdengine"}},
            "spec":{"replicas":3,"serviceName":"tdengine","template":{"spec":{"containers":[
                {"name":"tdengine","image":"tdengine/tdengine:3.2.0.0","ports":[{"containerPort":6030,"protocol":"TCP"}]}]}}}})");
        const QJsonObject patch = object(
            R"({"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"..."}},"spec":{"replicas":4,)"
            R"("template":{"spec":{"$setElementOrder/containers":[{"name":"tdengine"}],)"
            R"("containers":[{"image":"tdengine/tdengine:3.3.0.0","name":"tdengine"}]}}}})");
        QJsonObject result = live;
        QString error;
        QVERIFY2(strategicMergePatch(result, patch, u"StatefulSet"_s, &error), qPrintable(error));
        const QJsonObject expected = object(R"({"apiVersion":"apps/v1","kind":"StatefulSet",
            "metadata":{"name":"tdengine","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"..."},
                        "labels":{"app":"tdengine"}},
            "spec":{"replicas":4,"serviceName":"tdengine","template":{"spec":{"containers":[
                {"name":"tdengine","image":"tdengine/tdengine:3.3.0.0","ports":[{"containerPort":6030,"protocol":"TCP"}]}]}}}})");
        QCOMPARE(compact(result), compact(expected));
    }

    void strategicMergePatch_malformedPatch_failsAndLeavesTarget_data()
    {
        QTest::addColumn<QByteArray>("patch");
        QTest::addColumn<QString>("errorPart");
        QTest::newRow("item without merge key")
            << QByteArray(R"({"spec":{"containers":[{"image":"x"}]}})") << u"merge key: name"_s;
        QTest::newRow("scalar item in keyed list")
            << QByteArray(R"({"spec":{"containers":["x"]}})") << u"maps"_s;
        QTest::newRow("unknown patch type")
            << QByteArray(R"({"spec":{"nodeSelector":{"$patch":"explode"}}})") << u"unknown patch type"_s;
        QTest::newRow("unknown directive")
            << QByteArray(R"({"spec":{"$frobnicate":1}})") << u"unknown directive"_s;
        QTest::newRow("order is not a list")
            << QByteArray(R"({"spec":{"$setElementOrder/containers":{"name":"a"}}})") << u"must be a list"_s;
        QTest::newRow("late failure after a merged field")
            << QByteArray(R"({"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"image":"x"}]}})")
            << u"merge key"_s;
    }

    void strategicMergePatch_malformedPatch_failsAndLeavesTarget()
    {
        QFETCH(QByteArray, patch);
        QFETCH(QString, errorPart);
        const QJsonObject original =
            object(R"({"spec":{"containers":[{"name":"a"}],"nodeSelector":{"x":"y"}}})");
        QJsonObject target = original;
        QString error;
        QVERIFY(!strategicMergePatch(target, object(patch), u"Pod"_s, &error));
        QCOMPARE(target, original);
        QVERIFY2(error.contains(errorPart), qPrintable(error));
    }

    void listMergeKey_listPaths_returnKeyOrEmpty_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("key");
        QTest::newRow("sts containers")
            << u"StatefulSet"_s << u"spec.template.spec.containers"_s << u"name"_s;
        QTest::newRow("sts initContainers")
            << u"StatefulSet"_s << u"spec.template.spec.initContainers"_s << u"name"_s;
        QTest::newRow("sts env") << u"StatefulSet"_s << u"spec.template.spec.containers.env"_s << u"name"_s;
        QTest::newRow("sts volumeMounts")
            << u"StatefulSet"_s << u"spec.template.spec.containers.volumeMounts"_s << u"mountPath"_s;
        QTest::newRow("sts init volumeDevices")
            << u"StatefulSet"_s << u"spec.template.spec.initContainers.volumeDevices"_s << u"devicePath"_s;
        QTest::newRow("pod ports") << u"Pod"_s << u"spec.containers.ports"_s << u"containerPort"_s;
        QTest::newRow("pod ephemeral") << u"Pod"_s << u"spec.ephemeralContainers"_s << u"name"_s;
        QTest::newRow("pod volumes") << u"Pod"_s << u"spec.volumes"_s << u"name"_s;
        QTest::newRow("pod imagePullSecrets") << u"Pod"_s << u"spec.imagePullSecrets"_s << u"name"_s;
        QTest::newRow("pod hostAliases") << u"Pod"_s << u"spec.hostAliases"_s << u"ip"_s;
        QTest::newRow("pod topologySpread")
            << u"Pod"_s << u"spec.topologySpreadConstraints"_s << u"topologyKey"_s;
        QTest::newRow("pod conditions") << u"Pod"_s << u"status.conditions"_s << u"type"_s;
        QTest::newRow("ownerReferences") << u"Service"_s << u"metadata.ownerReferences"_s << u"uid"_s;
        QTest::newRow("service ports") << u"Service"_s << u"spec.ports"_s << u"port"_s;
        QTest::newRow("tolerations atomic")
            << u"StatefulSet"_s << u"spec.template.spec.tolerations"_s << QString();
        QTest::newRow("args atomic") << u"StatefulSet"_s << u"spec.template.spec.containers.args"_s
                                     << QString();
        QTest::newRow("envFrom atomic") << u"Pod"_s << u"spec.containers.envFrom"_s << QString();
        QTest::newRow("volumeClaimTemplates atomic")
            << u"StatefulSet"_s << u"spec.volumeClaimTemplates"_s << QString();
        QTest::newRow("pod has no template") << u"Pod"_s << u"spec.template.spec.containers"_s << QString();
        QTest::newRow("sts has no spec.containers") << u"StatefulSet"_s << u"spec.containers"_s << QString();
        QTest::newRow("finalizers have no key") << u"Pod"_s << u"metadata.finalizers"_s << QString();
        QTest::newRow("unknown kind") << u"TDengineCluster"_s << u"spec.ports"_s << QString();
    }

    void listMergeKey_listPaths_returnKeyOrEmpty()
    {
        QFETCH(QString, kind);
        QFETCH(QString, path);
        QFETCH(QString, key);
        QCOMPARE(listMergeKey(kind, path), key);
    }

    void listSchema_applyKeys_includeProtocolWithTcpDefault()
    {
        const ListSchema containerPorts =
            listSchema(u"StatefulSet"_s, u"spec.template.spec.containers.ports"_s);
        QCOMPARE(containerPorts.type, ListType::Map);
        QCOMPARE(containerPorts.keys, QStringList({u"containerPort"_s, u"protocol"_s}));
        QCOMPARE(containerPorts.keyDefaults.value(u"protocol").toString(), u"TCP"_s);
        const ListSchema servicePorts = listSchema(u"Service"_s, u"spec.ports"_s);
        QCOMPARE(servicePorts.keys, QStringList({u"port"_s, u"protocol"_s}));
        QCOMPARE(listSchema(u"Pod"_s, u"metadata.finalizers"_s).type, ListType::Set);
        QCOMPARE(listSchema(u"Pod"_s, u"spec.tolerations"_s).type, ListType::Atomic);
    }
};

QTEST_APPLESS_MAIN(TestPatch)
#include "tst_patch.moc"
