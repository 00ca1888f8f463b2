// toYaml: kubectl's -o yaml layout, and what it writes reads back as the same JSON (checked with
// kube::yamlToJson, yaml-cpp underneath).
#include "kube/yamljson.h"
#include "kube/yamlwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using tdkube::kube::toYaml;

class TestYamlWriter final : public QObject
{
    Q_OBJECT

private slots:
    void pod_kubectlLayout()
    {
        const QJsonObject pod = QJsonDocument::fromJson(R"({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "tdengine-0", "labels": {"app.kubernetes.io/name": "tdengine"}},
            "spec": {"containers": [{"name": "tdengine", "image": "tdengine/tdengine:3.3.6.0",
                                     "ports": [{"containerPort": 6030}, {"containerPort": 6041}],
                                     "args": ["-c", "/etc/taos"]}],
                     "volumes": []},
            "status": {}})")
                                    .object();
        const QString expected = uR"(apiVersion: v1
kind: Pod
metadata:
  labels:
    app.kubernetes.io/name: tdengine
  name: tdengine-0
spec:
  containers:
  - args:
    - -c
    - /etc/taos
    image: tdengine/tdengine:3.3.6.0
    name: tdengine
    ports:
    - containerPort: 6030
    - containerPort: 6041
  volumes: []
status: {}
)"_s;
        QCOMPARE(toYaml(pod), expected);
    }

    void scalars_quotedWhereYamlWouldRetype_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("yaml");
        QTest::newRow("plain") << u"hello world"_s << u"v: hello world\n"_s;
        QTest::newRow("empty") << QString() << u"v: ''\n"_s;
        QTest::newRow("bool") << u"true"_s << u"v: 'true'\n"_s;
        QTest::newRow("yes") << u"yes"_s << u"v: 'yes'\n"_s;
        QTest::newRow("number") << u"6030"_s << u"v: '6030'\n"_s;
        QTest::newRow("float") << u"1.5"_s << u"v: '1.5'\n"_s;
        QTest::newRow("null") << u"null"_s << u"v: 'null'\n"_s;
        QTest::newRow("colon-space") << u"a: b"_s << u"v: 'a: b'\n"_s;
        QTest::newRow("comment") << u"a #b"_s << u"v: 'a #b'\n"_s;
        QTest::newRow("star") << u"*"_s << u"v: '*'\n"_s;
        QTest::newRow("quote") << u"it's"_s << u"v: it's\n"_s;
        QTest::newRow("leading-quote") << u"'x'"_s << u"v: '''x'''\n"_s;
        QTest::newRow("dash-word") << u"-c"_s << u"v: -c\n"_s;
        QTest::newRow("multiline") << u"line 1\nline 2\n"_s << u"v: |\n  line 1\n  line 2\n"_s;
        QTest::newRow("multiline-no-final-newline") << u"a\nb"_s << u"v: |-\n  a\n  b\n"_s;
        QTest::newRow("trailing-space-line") << u"a \nb"_s << u"v: \"a \\nb\"\n"_s;
    }

    void scalars_quotedWhereYamlWouldRetype()
    {
        QFETCH(QString, text);
        QFETCH(QString, yaml);
        const QJsonObject object{{u"v"_s, text}};
        QCOMPARE(toYaml(object), yaml);
        QJsonValue back;
        QString error;
        QVERIFY2(tdkube::kube::yamlToJson(yaml.toUtf8(), &back, &error), qPrintable(error));
        QCOMPARE(back.toObject(), object);
    }

    void nested_readsBackEqual()
    {
        const QJsonObject object{
            {u"a"_s,
             QJsonArray{QJsonArray{1, 2}, QJsonObject{{u"x"_s, true}, {u"y"_s, QJsonValue::Null}}, 2.5}},
            {u"b"_s, QJsonObject{{u"c"_s, QJsonObject{{u"d"_s, u"multi\nline\n"_s}}}}},
            {u"e"_s, QJsonArray{u"true"_s, u"- x"_s, u"{"_s}},
        };
        QJsonValue back;
        QString error;
        const QString yaml = toYaml(object);
        QVERIFY2(tdkube::kube::yamlToJson(yaml.toUtf8(), &back, &error), qPrintable(error + u'\n' + yaml));
        QCOMPARE(back.toObject(), object);
    }
};

QTEST_GUILESS_MAIN(TestYamlWriter)
#include "tst_yamlwriter.moc"
