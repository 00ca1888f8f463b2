#include "resources.h"
#include "sandboxruntime.h"
#include "store.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <optional>

using namespace tdkube::sandbox;
using namespace Qt::StringLiterals;

namespace {

QJsonObject env(const QString &name, const QString &value)
{
    return QJsonObject{{u"name"_s, name}, {u"value"_s, value}};
}

QJsonObject fieldEnv(const QString &name, const QString &path)
{
    return QJsonObject{{u"name"_s, name},
                       {u"valueFrom"_s, QJsonObject{{u"fieldRef"_s, QJsonObject{{u"fieldPath"_s, path}}}}}};
}

// A pod shaped like the ones the StatefulSet controller makes from manifests/40-statefulset.yaml.
QJsonObject makePod(const QString &image)
{
    const QJsonArray envList{
        fieldEnv(u"POD_NAME"_s, u"metadata.name"_s),
        env(u"SERVICE_NAME"_s, u"taosd"_s),
        fieldEnv(u"STS_NAMESPACE"_s, u"metadata.namespace"_s),
        env(u"TAOS_FQDN"_s, u"$(POD_NAME).$(SERVICE_NAME).$(STS_NAMESPACE).svc.cluster.local"_s),
        env(u"LITERAL"_s, u"$$(POD_NAME) $(UNDEFINED)"_s),
        fieldEnv(u"APP"_s, u"metadata.labels['app']"_s)};
    const QJsonObject container{
        {u"name"_s, u"main"_s},
        {u"image"_s, image},
        {u"env"_s, envList},
        {u"envFrom"_s, QJsonArray{QJsonObject{{u"configMapRef"_s, QJsonObject{{u"name"_s, u"cfg"_s}}}}}}};
    return QJsonObject{{u"metadata"_s, QJsonObject{{u"name"_s, u"app-0"_s},
                                                   {u"namespace"_s, u"ns"_s},
                                                   {u"uid"_s, u"uid-1"_s},
                                                   {u"labels"_s, QJsonObject{{u"app"_s, u"demo"_s}}}}},
                       {u"spec"_s, QJsonObject{{u"containers"_s, QJsonArray{container}}}}};
}

} // namespace

class TestSandboxRuntime final : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_store = std::make_unique<Store>();
        const QJsonObject cm{{u"metadata"_s, QJsonObject{{u"name"_s, u"cfg"_s}, {u"namespace"_s, u"ns"_s}}},
                             {u"data"_s, QJsonObject{{u"TAOS_SUPPORT_VNODES"_s, u"16"_s}}}};
        m_store->create(*findResource({}, u"v1"_s, u"configmaps"_s), cm);
        m_runtime = std::make_unique<SandboxRuntime>(m_store.get(), 0.01);
        m_pod = makePod(u"busybox:1.36"_s);
        m_runtime->containerStarted(m_pod);
    }

    void environment_expandsReferencesFieldRefsAndConfigMaps()
    {
        const QHash<QString, QString> e = m_runtime->environment(m_pod);
        QCOMPARE(e.value(u"TAOS_FQDN"_s), u"app-0.taosd.ns.svc.cluster.local"_s);
        QCOMPARE(e.value(u"LITERAL"_s), u"$(POD_NAME) $(UNDEFINED)"_s);
        QCOMPARE(e.value(u"APP"_s), u"demo"_s);
        QCOMPARE(e.value(u"TAOS_SUPPORT_VNODES"_s), u"16"_s);
        QCOMPARE(e.value(u"HOSTNAME"_s), u"app-0"_s);
    }

    void shell_data()
    {
        QTest::addColumn<QStringList>("argv");
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("err");
        QTest::addColumn<int>("code");
        const QString sh = u"sh"_s;
        const QString c = u"-c"_s;
        QTest::newRow("exit code") << QStringList{sh, c, u"exit 3"_s} << QString() << QString() << 3;
        QTest::newRow("and-or") << QStringList{sh, c, u"false && echo no || echo yes"_s} << u"yes\n"_s
                                << QString() << 0;
        QTest::newRow("sequence keeps last status")
            << QStringList{sh, c, u"echo a; false"_s} << u"a\n"_s << QString() << 1;
        QTest::newRow("quotes and variables") << QStringList{sh, c, u"echo \"$HOSTNAME x\" '$HOSTNAME'"_s}
                                              << u"app-0 x $HOSTNAME\n"_s << QString() << 0;
        QTest::newRow("status variable")
            << QStringList{sh, c, u"false; echo $?"_s} << u"1\n"_s << QString() << 0;
        QTest::newRow("stderr redirect")
            << QStringList{sh, c, u"echo oops >&2"_s} << QString() << u"oops\n"_s << 0;
        QTest::newRow("missing file") << QStringList{u"cat"_s, u"/nope"_s} << QString()
                                      << u"cat: /nope: No such file or directory\n"_s << 1;
        QTest::newRow("hostname file")
            << QStringList{u"cat"_s, u"/etc/hostname"_s} << u"app-0\n"_s << QString() << 0;
        QTest::newRow("unterminated quote") << QStringList{sh, c, u"echo 'x"_s} << QString()
                                            << u"sh: 1: Syntax error: Unterminated quoted string\n"_s << 2;
        QTest::newRow("unknown program")
            << QStringList{u"nosuch"_s} << QString()
            << u"exec: \"nosuch\": executable file not found in $PATH\n"_s << 127;
        QTest::newRow("no taosd in a plain container")
            << QStringList{u"taos-check"_s} << QString() << QString() << 0;
    }

    void shell()
    {
        QFETCH(QStringList, argv);
        QFETCH(QString, out);
        QFETCH(QString, err);
        QFETCH(int, code);
        PodRuntime::ExecResult result;
        bool done = false;
        m_runtime->exec(m_pod, u"main"_s, argv, {}, [&](const PodRuntime::ExecResult &r) {
            result = r;
            done = true;
        });
        QTRY_VERIFY(done);
        QCOMPARE(QString::fromUtf8(result.stdoutData), out);
        QCOMPARE(QString::fromUtf8(result.stderrData), err);
        QCOMPARE(result.exitCode, code);
    }

    void stoppedContainer_refusesExec()
    {
        m_runtime->containerStopped(m_pod);
        int code = -1;
        m_runtime->exec(m_pod, u"main"_s, {u"echo"_s}, {},
                        [&](const PodRuntime::ExecResult &r) { code = r.exitCode; });
        QCOMPARE(code, 126);
    }

    void log_keepsThePreviousRunAfterARestart()
    {
        m_runtime->containerStopped(m_pod);
        m_runtime->containerStarted(m_pod);
        QCOMPARE(m_runtime->log(m_pod, u"main"_s, false).size(), 1);
        QCOMPARE(m_runtime->log(m_pod, u"main"_s, true).size(), 1);
    }

    // TAOS_SUPPORT_VNODES (from the ConfigMap) is the dnode's supportVnodes, as the image's entrypoint
    // writes it to taos.cfg; a value taosd would reject is said in the log and the default used.
    void tdenginePod_supportVnodesFromItsConfigMap_data()
    {
        QTest::addColumn<QString>("configured");
        QTest::addColumn<QString>("shown");
        QTest::addColumn<QString>("logged");
        QTest::newRow("5") << u"5"_s << u"5"_s << u"supportVnodes: 5"_s;
        QTest::newRow("0: no vnodes") << u"0"_s << u"0"_s << u"supportVnodes: 0"_s;
        QTest::newRow("not a number")
            << u"lots"_s << u"16"_s
            << u"WARN  invalid supportVnodes lots in taos.cfg (0 to 4096), using 16"_s;
    }

    void tdenginePod_supportVnodesFromItsConfigMap()
    {
        QFETCH(QString, configured);
        QFETCH(QString, shown);
        QFETCH(QString, logged);
        const ResourceType configMaps = *findResource({}, u"v1"_s, u"configmaps"_s);
        QJsonObject cm = *m_store->get(configMaps, u"ns"_s, u"cfg"_s);
        cm.insert(u"data"_s, QJsonObject{{u"TAOS_SUPPORT_VNODES"_s, configured}});
        QVERIFY(m_store->update(configMaps, cm).ok());
        QJsonObject pod = makePod(u"tdengine/tdengine:3.3.6.0"_s);
        QJsonObject metadata = pod.value(u"metadata"_s).toObject();
        metadata.insert(u"name"_s, u"td-0"_s);
        metadata.insert(u"uid"_s, u"uid-td"_s);
        pod.insert(u"metadata"_s, metadata);
        m_runtime->containerStarted(pod);
        QStringList lines;
        for (const PodRuntime::LogLine &line : m_runtime->log(pod, u"main"_s, false))
            lines.append(line.text);
        QVERIFY2(lines.contains(logged), qPrintable(lines.join(u'\n')));
        PodRuntime::ExecResult result;
        bool done = false;
        m_runtime->exec(pod, u"main"_s, {u"taos"_s, u"-s"_s, u"show dnodes"_s}, {},
                        [&](const PodRuntime::ExecResult &r) {
                            result = r;
                            done = true;
                        });
        QTRY_VERIFY(done);
        const QString out = QString::fromUtf8(result.stdoutData);
        QVERIFY2(out.contains(QRegularExpression(u"\\|\\s+0\\s+\\|\\s+"_s + shown + u"\\s+\\|\\s+ready"_s)),
                 qPrintable(out));
        m_runtime->containerStopped(pod);
    }

    // The ConfigMap's TAOS_* variables are what the simulated taosd runs with; `alter` changes the
    // running value, and a restart after the ConfigMap changed takes the new one.
    void tdenginePod_variablesFromItsConfigMap_andAgainAtRestart()
    {
        const ResourceType configMaps = *findResource({}, u"v1"_s, u"configmaps"_s);
        QJsonObject cm = *m_store->get(configMaps, u"ns"_s, u"cfg"_s);
        cm.insert(u"data"_s, QJsonObject{{u"TAOS_D_DEBUG_FLAG"_s, u"135"_s}});
        QVERIFY(m_store->update(configMaps, cm).ok());
        QJsonObject pod = makePod(u"tdengine/tdengine:3.0.5.2"_s);
        QJsonObject metadata = pod.value(u"metadata"_s).toObject();
        metadata.insert(u"name"_s, u"td-0"_s);
        metadata.insert(u"uid"_s, u"uid-td"_s);
        pod.insert(u"metadata"_s, metadata);
        const auto taos = [&](const QString &sql) {
            QString out;
            bool done = false;
            m_runtime->exec(pod, u"main"_s, {u"taos"_s, u"-s"_s, sql}, {},
                            [&](const PodRuntime::ExecResult &r) {
                                out = QString::fromUtf8(r.stdoutData);
                                done = true;
                            });
            return QTest::qWaitFor([&] { return done; }) ? out : QString();
        };
        const QRegularExpression row(u"\\|\\s+dDebugFlag\\s+\\|\\s+(\\d+)"_s);
        const QString show = u"show dnode 1 variables like 'dDebugFlag'"_s;
        m_runtime->containerStarted(pod);
        QCOMPARE(row.match(taos(show)).captured(1), u"135"_s);
        QVERIFY(taos(u"alter all dnodes 'dDebugFlag' '143'"_s).contains(u"Query OK"_s));
        QCOMPARE(row.match(taos(show)).captured(1), u"143"_s);
        cm = *m_store->get(configMaps, u"ns"_s, u"cfg"_s);
        cm.insert(u"data"_s, QJsonObject{{u"TAOS_D_DEBUG_FLAG"_s, u"199"_s}});
        QVERIFY(m_store->update(configMaps, cm).ok());
        m_runtime->containerStopped(pod);
        m_runtime->containerStarted(pod);
        QCOMPARE(row.match(taos(show)).captured(1), u"199"_s);
        m_runtime->containerStopped(pod);
    }

    // FACTS.md section 5: taosAdapter can end a result early and still say code 0. The fault keeps the
    // first rows of the next matching answers; "rows" says how many were sent, as the adapter's does.
    void tdenginePod_cutShortFault_codeZeroWithFewerRows()
    {
        QJsonObject pod = makePod(u"tdengine/tdengine:3.0.7.1"_s);
        QJsonObject metadata = pod.value(u"metadata"_s).toObject();
        metadata.insert(u"name"_s, u"td-0"_s);
        metadata.insert(u"uid"_s, u"uid-td"_s);
        pod.insert(u"metadata"_s, metadata);
        m_runtime->containerStarted(pod);
        const auto rest = [&](const QString &sql) {
            HttpRequest request;
            request.method = "POST";
            request.path = u"/rest/sql"_s;
            request.headers.insert("authorization", "Basic " + QByteArray("root:taosdata").toBase64());
            request.body = sql.toUtf8();
            std::optional<PodRuntime::HttpReply> reply;
            m_runtime->http(pod, 6041, request, [&reply](const PodRuntime::HttpReply &r) { reply = r; });
            if (!QTest::qWaitFor([&reply] { return reply.has_value(); }, 5000))
                return QJsonObject();
            return QJsonDocument::fromJson(reply->body).object();
        };
        const QString dnodes = u"select * from information_schema.ins_dnodes"_s;
        QTRY_COMPARE(rest(dnodes).value(u"rows"_s).toInt(), 1);

        m_runtime->cutShortResults(2, 0, u"INS_DNODES"_s);
        const QJsonObject other = rest(u"select * from information_schema.ins_mnodes"_s);
        QCOMPARE(other.value(u"rows"_s).toInt(), 1);
        for (int i = 0; i < 2; ++i) {
            const QJsonObject cut = rest(dnodes);
            QCOMPARE(cut.value(u"code"_s).toInt(), 0);
            QCOMPARE(cut.value(u"column_meta"_s).toArray().size(), 10);
            QCOMPARE(cut.value(u"data"_s).toArray(), QJsonArray());
            QCOMPARE(cut.value(u"rows"_s).toInt(), 0);
        }
        QCOMPARE(rest(dnodes).value(u"rows"_s).toInt(), 1);

        m_runtime->cutShortResults(1000, 0, {});
        m_runtime->cutShortResults(0, 0, {});
        QCOMPARE(rest(dnodes).value(u"rows"_s).toInt(), 1);
        m_runtime->containerStopped(pod);
    }

    void plainContainer_listensNowhere()
    {
        QVERIFY(!m_runtime->listens(m_pod, 6041));
        QVERIFY(m_runtime->probeReady(m_pod));
    }

private:
    std::unique_ptr<Store> m_store;
    std::unique_ptr<SandboxRuntime> m_runtime;
    QJsonObject m_pod;
};

QTEST_GUILESS_MAIN(TestSandboxRuntime)
#include "tst_sandboxruntime.moc"
