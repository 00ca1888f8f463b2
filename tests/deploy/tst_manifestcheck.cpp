// The YAML editor's checker: each broken manifest gets its problem at the line and column a person
// would point at, with a message that says what to do; tdkube's own manifests have no problems.
#include "deploy/manifestcheck.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;
using tdkube::deploy::Diagnostic;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return file.readAll();
}

QStringList manifestFiles()
{
    const QDir dir(QStringLiteral(TDKUBE_MANIFESTS_DIR));
    QStringList files;
    for (const QString &name : dir.entryList({u"*.yaml"_s}, QDir::Files, QDir::Name))
        files.append(dir.filePath(name));
    return files;
}

QString describe(const QList<Diagnostic> &diagnostics)
{
    QStringList lines;
    for (const Diagnostic &d : diagnostics)
        lines.append(u"%1:%2 (%3) %4"_s.arg(d.line).arg(d.column).arg(d.length).arg(d.message));
    return lines.join(u'\n');
}

// A StatefulSet as a person writes one; `spec` lines are inserted after "spec:" (4 lines in).
QByteArray statefulSet(const QByteArray &specLines)
{
    return "apiVersion: apps/v1\n"
           "kind: StatefulSet\n"
           "metadata:\n"
           "  name: tdengine\n"
           "spec:\n" +
           specLines +
           "  serviceName: taosd\n"
           "  selector:\n"
           "    matchLabels:\n"
           "      app: tdengine\n"
           "  template:\n"
           "    metadata:\n"
           "      labels:\n"
           "        app: tdengine\n"
           "    spec:\n"
           "      containers:\n"
           "        - name: tdengine\n"
           "          image: tdengine/tdengine:3.0.7.1\n";
}

const QByteArray kConfigMap = "apiVersion: v1\n"
                              "kind: ConfigMap\n"
                              "metadata:\n"
                              "  name: cfg\n"
                              "data:\n"
                              "  a: \"1\"\n";

} // namespace

class TestManifestCheck final : public QObject
{
    Q_OBJECT

private slots:
    void brokenYaml_reportedAtLineAndColumn_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("fragment");

        QTest::newRow("bad indentation")
            << QByteArray("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n"
                          " labels:\n    a: b\n")
            << 5 << 2 << u"bad indentation"_s;
        QTest::newRow("bad indentation in a list item")
            << statefulSet("  replicas: 3\n").replace("          image:", "         image:") << 18 << 10
            << u"bad indentation in a list"_s;
        QTest::newRow("unclosed double quote")
            << QByteArray("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"cfg\ndata:\n  a: b\n") << 4
            << 9 << u"unclosed quote"_s;
        QTest::newRow("unclosed single quote at the end")
            << QByteArray("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: 'b\n") << 6
            << 6 << u"never ends"_s;
        QTest::newRow("tab") << QByteArray("apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: cfg\n") << 4
                             << 1 << u"tab in indentation"_s;
        QTest::newRow("duplicate key") << kConfigMap + "  b: \"2\"\n  a: \"3\"\n"
                                       << 8 << 3 << u"duplicate key \"a\" (first at line 6)"_s;
        QTest::newRow("missing apiVersion")
            << kConfigMap.mid(kConfigMap.indexOf('\n') + 1) << 1 << 1 << u"missing \"apiVersion\""_s;
        QTest::newRow("missing kind")
            << QByteArray("apiVersion: v1\nmetadata:\n  name: cfg\n") << 1 << 1 << u"missing \"kind\""_s;
        QTest::newRow("metadata.name missing")
            << QByteArray("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    a: b\n") << 3 << 1
            << u"missing \"name\" in metadata"_s;
        QTest::newRow("metadata.name invalid")
            << QByteArray(kConfigMap).replace("name: cfg", "name: TDengine_1") << 4 << 9
            << u"\"TDengine_1\" is not a valid name"_s;
        QTest::newRow("Service name with a dot")
            << QByteArray("apiVersion: v1\nkind: Service\nmetadata:\n  name: td.adapter\n") << 4 << 9
            << u"not a valid Service name"_s;
        QTest::newRow("StatefulSet in v1") << statefulSet("  replicas: 3\n").replace("apps/v1", "v1") << 1
                                           << 13 << u"StatefulSet is served as \"apps/v1\", not \"v1\""_s;
        QTest::newRow("unknown field replica")
            << statefulSet("  replica: 3\n") << 6 << 3
            << u"unknown field \"replica\" in StatefulSet spec; did you mean \"replicas\"?"_s;
        QTest::newRow("unknown field deep in a container")
            << statefulSet("  replicas: 3\n") + "          imagePullPolice: IfNotPresent\n"
            << 19 << 11
            << u"unknown field \"imagePullPolice\" in container; did you mean \"imagePullPolicy\"?"_s;
        QTest::newRow("unknown field without a near name")
            << statefulSet("  replicas: 3\n") + "          flavour: vanilla\n"
            << 19 << 11 << u"unknown field \"flavour\" in container; remove it"_s;
        QTest::newRow("replicas quoted")
            << statefulSet("  replicas: \"3\"\n") << 6 << 13
            << u"\"replicas\" must be an integer, but \"3\" is a string; remove the quotes"_s;
        QTest::newRow("env value a number")
            << statefulSet("  replicas: 3\n") + "          env:\n            - name: TAOS_SERVER_PORT\n"
                                                "              value: 6030\n"
            << 21 << 22 << u"\"value\" must be a string, but 6030 is read as an integer; quote it"_s;
        QTest::newRow("containerPort quoted")
            << statefulSet("  replicas: 3\n") + "          ports:\n            - containerPort: \"6030\"\n"
            << 20 << 30 << u"\"containerPort\" must be an integer"_s;
        QTest::newRow("label value a number")
            << QByteArray(kConfigMap).replace("  name: cfg\n", "  name: cfg\n  labels:\n    version: 3.0\n")
            << 6 << 14 << u"the value of \"version\" in \"labels\" must be a string"_s;
        QTest::newRow("ConfigMap data value a number")
            << QByteArray(kConfigMap).replace("a: \"1\"", "a: 1") << 6 << 6
            << u"the value of \"a\" in \"data\" must be a string"_s;
        QTest::newRow("memory not a quantity")
            << statefulSet("  replicas: 3\n") + "          resources:\n            limits:\n"
                                                "              memory: 4GB\n"
            << 21 << 23 << u"\"4GB\" is not a Kubernetes quantity"_s;
        QTest::newRow("containers a map")
            << statefulSet("  replicas: 3\n")
                   .replace("        - name: tdengine\n", "          name: tdengine\n")
            << 16 << 7 << u"\"containers\" must be a list"_s;
        QTest::newRow("error in the third document")
            << kConfigMap + "---\n" + kConfigMap + "---\n" + statefulSet("  replica: 3\n") << 20 << 3
            << u"unknown field \"replica\""_s;
        QTest::newRow("syntax error in the second of three documents")
            << kConfigMap + "---\n" + kConfigMap + "  b: [1, 2\n---\n" + kConfigMap << 14 << 6
            << u"\"[\" list is not closed"_s;
    }

    void brokenYaml_reportedAtLineAndColumn()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, fragment);
        const QList<Diagnostic> diagnostics = tdkube::deploy::checkManifests(yaml);
        QVERIFY2(diagnostics.size() == 1, qPrintable(describe(diagnostics)));
        const Diagnostic &d = diagnostics.first();
        QVERIFY2(d.message.contains(fragment), qPrintable(describe(diagnostics)));
        QCOMPARE(d.line, line);
        QCOMPARE(d.column, column);
        QCOMPARE(d.severity, Diagnostic::Severity::Error);
    }

    void unknownField_underlinesTheKey()
    {
        const QList<Diagnostic> diagnostics = tdkube::deploy::checkManifests(statefulSet("  replica: 3\n"));
        QCOMPARE(diagnostics.size(), 1);
        QCOMPARE(diagnostics.first().length, int(qstrlen("replica")));
    }

    void deprecatedField_warning()
    {
        const QList<Diagnostic> diagnostics = tdkube::deploy::checkManifests(
            statefulSet("  replicas: 3\n").replace("    spec:\n", "    spec:\n      serviceAccount: taos\n"));
        QVERIFY2(diagnostics.size() == 1, qPrintable(describe(diagnostics)));
        QCOMPARE(diagnostics.first().severity, Diagnostic::Severity::Warning);
        QCOMPARE(diagnostics.first().line, 16);
        QVERIFY(diagnostics.first().message.contains(u"use \"serviceAccountName\""_s));
    }

    void kubectlListOutput_noNameNeeded()
    {
        const QList<Diagnostic> diagnostics = tdkube::deploy::checkManifests(
            "apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: \"\"\nitems: []\n");
        QVERIFY2(diagnostics.isEmpty(), qPrintable(describe(diagnostics)));
    }

    void nonAsciiBeforeTheProblem_columnCountsCharacters()
    {
        // "é" is two bytes in UTF-8 but one character in the editor.
        const QByteArray yaml =
            QByteArray(kConfigMap).replace("  name: cfg\n", "  name: cfg\n  labels: {\xc3\xa9: x, v: 1}\n");
        const QList<Diagnostic> diagnostics = tdkube::deploy::checkManifests(yaml);
        QVERIFY2(diagnostics.size() == 1, qPrintable(describe(diagnostics)));
        QCOMPARE(diagnostics.first().line, 5);
        QCOMPARE(diagnostics.first().column, 21);
    }

    void validYaml_noProblems_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        for (const QString &file : manifestFiles())
            QTest::newRow(qPrintable(QFileInfo(file).fileName())) << readFile(file);
        QByteArray all;
        for (const QString &file : manifestFiles())
            all += readFile(file) + "---\n";
        QTest::newRow("all manifests in one file") << all;
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("only comments") << QByteArray("# nothing yet\n---\n# still nothing\n");
        QTest::newRow("unknown kind: only the basics") << QByteArray(
            "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  anything: 1\n");
        QTest::newRow("status is ignored")
            << QByteArray(kConfigMap)
                   .replace("kind: ConfigMap", "kind: Namespace")
                   .replace("data:\n  a: \"1\"\n", "status:\n  phase: Active\n");
        QTest::newRow("tabs inside a block scalar")
            << kConfigMap + "  run.sh: |\n    if true; then\n    \techo yes\n    fi\n";
        QTest::newRow("multi-line quoted string") << kConfigMap + "  b: \"one\n    two\"\n";
        QTest::newRow("anchors and aliases")
            << statefulSet("  replicas: 3\n") + "          env:\n            - &tz {name: TZ, value: UTC}\n"
                                                "            - *tz\n";
        QTest::newRow("octal defaultMode, quantities and int-or-string")
            << statefulSet("  replicas: 3\n") +
                   "          resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: 4}}\n"
                   "          readinessProbe: {httpGet: {port: http, path: /}}\n"
                   "      volumes:\n"
                   "        - name: cfg\n"
                   "          configMap: {name: cfg, defaultMode: 0644}\n";
    }

    void validYaml_noProblems()
    {
        QFETCH(QByteArray, yaml);
        const QList<Diagnostic> diagnostics = tdkube::deploy::checkManifests(yaml);
        QVERIFY2(diagnostics.isEmpty(), qPrintable(describe(diagnostics)));
    }

    void syntaxOnly_skipsShapeChecks()
    {
        QVERIFY(tdkube::deploy::checkYamlSyntax(statefulSet("  replica: 3\n")).isEmpty());
        QCOMPARE(tdkube::deploy::checkYamlSyntax("a: [1\n").size(), 1);
    }

    void tenThousandLines_noProblems()
    {
        QByteArray yaml;
        int lines = 0;
        for (int i = 0; lines < 10000; ++i) {
            QByteArray document =
                statefulSet("  replicas: 3\n")
                    .replace("name: tdengine\nspec",
                             QByteArray("name: tdengine-" + QByteArray::number(i) + "\nspec"));
            yaml += document + "---\n";
            lines += int(document.count('\n')) + 1;
        }
        const QList<Diagnostic> diagnostics = tdkube::deploy::checkManifests(yaml);
        QVERIFY2(diagnostics.isEmpty(), qPrintable(describe(diagnostics.mid(0, 5))));
        QVERIFY(yaml.count('\n') >= 10000);
    }

    void parseManifests_documentsWithTypesAndFirstLines()
    {
        QByteArray all;
        for (const QString &file : manifestFiles())
            all += readFile(file) + "---\n";
        QList<tdkube::deploy::ManifestDocument> documents;
        QString error;
        QVERIFY2(tdkube::deploy::parseManifests(all, &documents, &error), qPrintable(error));
        QCOMPARE(documents.size(), 4);
        QCOMPARE(documents[0].object[u"kind"_s].toString(), u"ConfigMap"_s);
        // A quoted number stays a string (kubectl reads it so); an unquoted one is a number.
        QCOMPARE(documents[0].object[u"data"_s][u"TAOS_SUPPORT_VNODES"_s], QJsonValue(u"16"_s));
        QCOMPARE(documents[3].object[u"spec"_s][u"replicas"_s], QJsonValue(3));
        QCOMPARE(documents[1].object[u"spec"_s][u"publishNotReadyAddresses"_s], QJsonValue(true));
        // Each document starts on the line of its first key, past the leading comments.
        const QList<QByteArray> lines = all.split('\n');
        for (const auto &document : documents)
            QVERIFY2(lines[document.firstLine - 1].startsWith("apiVersion:"),
                     qPrintable(QString::number(document.firstLine)));
    }

    void parseManifests_brokenYaml_falseWithLineAndColumn()
    {
        QList<tdkube::deploy::ManifestDocument> documents;
        QString error;
        QVERIFY(!tdkube::deploy::parseManifests(kConfigMap + "---\na: [1\n", &documents, &error));
        QVERIFY(documents.isEmpty());
        QVERIFY2(error.startsWith(u"line 8, column 4: "_s), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestManifestCheck)
#include "tst_manifestcheck.moc"
