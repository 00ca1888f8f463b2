// ClusterSpec: the manifests it generates (golden files, they are the spec), what validate() says
// to a person, and reading a StatefulSet back (ours, and the ones applied by hand).
#include "deploy/clusterspec.h"
#include "kube/yamljson.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tdkube::deploy;

Q_DECLARE_METATYPE(tdkube::deploy::ClusterSpec)

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QJsonObject yamlObject(const QByteArray &yaml)
{
    QJsonValue json;
    QString error;
    if (!tdkube::kube::yamlToJson(yaml, &json, &error))
        qWarning("%s", qPrintable(error));
    return json.toObject();
}

// A 5-dnode cluster `tsdb` in `prod`: never two dnodes on one node, logs on their own volume, the
// cluster's default storage class, tuned taos.cfg and no resource requests or limits.
ClusterSpec productionSpec()
{
    ClusterSpec spec = ClusterSpec::defaults();
    spec.name = u"tsdb"_s;
    spec.ns = u"prod"_s;
    spec.replicas = 5;
    spec.antiAffinity = AntiAffinity::Required;
    spec.logStorageSize = u"2Gi"_s;
    spec.storageClass.clear();
    spec.storageSize = u"100Gi"_s;
    spec.timezone = u"Asia/Shanghai"_s;
    spec.taosConfig.insert(u"supportVnodes"_s, u"32"_s);
    spec.taosConfig.insert(u"numOfRpcThreads"_s, u"8"_s);
    spec.taosConfig.insert(u"minimalLogDirGB"_s, u"1"_s);
    spec.cpuRequest.clear();
    spec.memoryRequest.clear();
    spec.cpuLimit.clear();
    spec.memoryLimit.clear();
    spec.startupBudgetSeconds = 7200;
    spec.labels.insert(u"team"_s, u"dba"_s);
    return spec;
}

QJsonObject objectOfKind(const QList<QJsonObject> &objects, const QString &kind)
{
    for (const QJsonObject &object : objects) {
        if (object.value(u"kind").toString() == kind)
            return object;
    }
    return {};
}

} // namespace

class tst_ClusterSpec final : public QObject
{
    Q_OBJECT

private slots:
    void buildManifests_spec_matchesGoldenFile_data();
    void buildManifests_spec_matchesGoldenFile();
    void buildManifests_default_namesAndSelectorsFit();
    void buildManifests_otherServerPort_movesAdapterPortToo();
    void defaults_taosConfig_isTheTemplateConfigMap();
    void validate_defaults_noProblems();
    void validate_badInput_namesFieldAndSaysWhy_data();
    void validate_badInput_namesFieldAndSaysWhy();
    void advise_twoReplicas_warnsNoHa();
    void parseQuantity_kubernetesSuffixes_parse_data();
    void parseQuantity_kubernetesSuffixes_parse();
    void taosEnvName_configKey_roundTrips_data();
    void taosEnvName_configKey_roundTrips();
    void specFromStatefulSet_generated_roundTrips_data();
    void specFromStatefulSet_generated_roundTrips();
    void specFromStatefulSet_templateAppliedByHand_keepsItsNames();
    void specFromStatefulSet_guideStatefulSet_mapsWhatItCan();
    void specFromStatefulSet_foreignParts_listedAsUnmapped();
    void exportManifests_folder_oneFilePerObjectInApplyOrder();
};

void tst_ClusterSpec::buildManifests_spec_matchesGoldenFile_data()
{
    QTest::addColumn<ClusterSpec>("spec");
    QTest::newRow("default") << ClusterSpec::defaults();
    QTest::newRow("tsdb-prod-required-logs") << productionSpec();
}

void tst_ClusterSpec::buildManifests_spec_matchesGoldenFile()
{
    QFETCH(ClusterSpec, spec);
    QVERIFY(validate(spec).isEmpty());
    const QString actual = manifestsYaml(buildManifests(spec));
    const QString golden =
        QStringLiteral(TDKUBE_GOLDEN_DIR) + u'/' + QString::fromLatin1(QTest::currentDataTag()) + u".yaml"_s;
    if (qEnvironmentVariableIntValue("TDKUBE_UPDATE_GOLDEN") == 1) {
        QFile file(golden);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(actual.toUtf8());
        qInfo("rewrote %s", qPrintable(golden));
        return;
    }
    const QByteArray expected = readFile(golden);
    QVERIFY2(!expected.isEmpty(), qPrintable(golden + u" is missing; run with TDKUBE_UPDATE_GOLDEN=1"_s));
    if (actual.toUtf8() != expected) {
        QFile file(golden + u".actual"_s);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(actual.toUtf8());
        QFAIL(qPrintable(u"the manifests differ from the golden file; see: diff -u %1 %1.actual "
                         "(TDKUBE_UPDATE_GOLDEN=1 accepts the new output)"_s.arg(golden)));
    }
    // The golden text must be what the cluster gets: it reads back as the objects themselves.
    QList<QJsonValue> documents;
    QString error;
    QVERIFY2(tdkube::kube::yamlDocumentsToJson(expected, &documents, &error), qPrintable(error));
    const QList<QJsonObject> objects = buildManifests(spec);
    QCOMPARE(documents.size(), objects.size());
    for (int i = 0; i < objects.size(); ++i)
        QCOMPARE(documents.at(i).toObject(), objects.at(i));
}

void tst_ClusterSpec::buildManifests_default_namesAndSelectorsFit()
{
    const ClusterSpec spec = ClusterSpec::defaults();
    const QList<QJsonObject> objects = buildManifests(spec);
    QStringList kinds;
    for (const QJsonObject &object : objects)
        kinds << object.value(u"kind").toString() + u' ' +
                     object.value(u"metadata").toObject().value(u"name").toString();
    QCOMPARE(kinds, QStringList({u"ConfigMap tdengine-taoscfg"_s, u"Service tdengine-taosd"_s,
                                 u"Service tdengine-taosadapter"_s, u"StatefulSet tdengine"_s}));
    const QJsonObject sts = objects.at(3);
    const QJsonObject podLabels = sts[u"spec"][u"template"][u"metadata"][u"labels"].toObject();
    const QJsonObject selector = sts[u"spec"][u"selector"][u"matchLabels"].toObject();
    for (auto it = selector.constBegin(); it != selector.constEnd(); ++it)
        QCOMPARE(podLabels.value(it.key()), it.value());
    QCOMPARE(objects.at(1)[u"spec"][u"selector"].toObject(), selector);
    QCOMPARE(objects.at(2)[u"spec"][u"selector"].toObject(), selector);
    QCOMPARE(sts[u"spec"][u"serviceName"].toString(), u"tdengine-taosd"_s);
    QCOMPARE(objects.at(1)[u"spec"][u"clusterIP"].toString(), u"None"_s);
    QCOMPARE(objects.at(1)[u"spec"][u"publishNotReadyAddresses"].toBool(), true);
    const QJsonObject container = sts[u"spec"][u"template"][u"spec"][u"containers"][0].toObject();
    QCOMPARE(container[u"envFrom"][0][u"configMapRef"][u"name"].toString(), u"tdengine-taoscfg"_s);
    QCOMPARE(container[u"startupProbe"][u"failureThreshold"].toInt() *
                 container[u"startupProbe"][u"periodSeconds"].toInt(),
             3600);
}

void tst_ClusterSpec::buildManifests_otherServerPort_movesAdapterPortToo()
{
    ClusterSpec spec = ClusterSpec::defaults();
    spec.serverPort = 7030;
    const QList<QJsonObject> objects = buildManifests(spec);
    const QJsonArray headlessPorts = objectOfKind(objects, u"Service"_s)[u"spec"][u"ports"].toArray();
    QCOMPARE(headlessPorts.at(0)[u"port"].toInt(), 7030);
    QCOMPARE(headlessPorts.at(1)[u"port"].toInt(), 7041);
    const QJsonArray clientPorts = objects.at(2)[u"spec"][u"ports"].toArray();
    QCOMPARE(clientPorts.at(0)[u"name"].toString(), u"http-rest"_s);
    QCOMPARE(clientPorts.at(0)[u"port"].toInt(), 7041);
    QCOMPARE(clientPorts.at(1)[u"port"].toInt(), 7030);
    const QJsonObject container = objects.at(3)[u"spec"][u"template"][u"spec"][u"containers"][0].toObject();
    QCOMPARE(container[u"ports"][1][u"containerPort"].toInt(), 7041);
    const QJsonArray env = container[u"env"].toArray();
    bool found = false;
    for (const QJsonValue &entry : env) {
        if (entry[u"name"].toString() == u"TAOS_SERVER_PORT") {
            QCOMPARE(entry[u"value"].toString(), u"7030"_s);
            found = true;
        }
    }
    QVERIFY(found);
}

void tst_ClusterSpec::defaults_taosConfig_isTheTemplateConfigMap()
{
    const QMap<QString, QString> expected{{u"supportVnodes"_s, u"16"_s},
                                          {u"debugFlag"_s, u"131"_s},
                                          {u"logKeepDays"_s, u"7"_s},
                                          {u"telemetryReporting"_s, u"0"_s}};
    QCOMPARE(ClusterSpec::defaults().taosConfig, expected);
}

void tst_ClusterSpec::validate_defaults_noProblems()
{
    const QList<SpecProblem> problems = validate(ClusterSpec::defaults());
    for (const SpecProblem &problem : problems)
        qWarning("%s: %s", qPrintable(problem.field), qPrintable(problem.message));
    QVERIFY(problems.isEmpty());
    QVERIFY(validate(productionSpec()).isEmpty());
}

void tst_ClusterSpec::validate_badInput_namesFieldAndSaysWhy_data()
{
    QTest::addColumn<ClusterSpec>("spec");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("fragment");
    auto row = [](const char *tag, auto change, const QString &field, const QString &fragment) {
        ClusterSpec spec = ClusterSpec::defaults();
        change(spec);
        QTest::newRow(tag) << spec << field << fragment;
    };
    row(
        "name upper case", [](ClusterSpec &s) { s.name = u"TDengine"_s; }, u"name"_s, u"'T' at position 1"_s);
    row(
        "name underscore", [](ClusterSpec &s) { s.name = u"td_engine"_s; }, u"name"_s,
        u"'_' at position 3"_s);
    row(
        "name trailing dash", [](ClusterSpec &s) { s.name = u"tdengine-"_s; }, u"name"_s,
        u"may not start or end"_s);
    row(
        "name empty", [](ClusterSpec &s) { s.name.clear(); }, u"name"_s, u"is empty"_s);
    row(
        "name no room for suffix", [](ClusterSpec &s) { s.name = QString(55, u'a'); }, u"name"_s,
        u"51 characters or fewer"_s);
    row(
        "name starts with digit", [](ClusterSpec &s) { s.name = u"3nodes"_s; }, u"name"_s,
        u"start with a letter"_s);
    row(
        "service override invalid", [](ClusterSpec &s) { s.headlessServiceOverride = u"Taosd"_s; },
        u"headlessServiceOverride"_s, u"'T' at position 1"_s);
    row(
        "namespace dot", [](ClusterSpec &s) { s.ns = u"prod.db"_s; }, u"ns"_s, u"'.' at position 5"_s);
    row(
        "no replicas", [](ClusterSpec &s) { s.replicas = 0; }, u"replicas"_s, u"outside 1..64"_s);
    row(
        "too many replicas", [](ClusterSpec &s) { s.replicas = 65; }, u"replicas"_s, u"outside 1..64"_s);
    row(
        "storage not a quantity", [](ClusterSpec &s) { s.storageSize = u"5GB"_s; }, u"storageSize"_s,
        u"not a Kubernetes quantity"_s);
    row(
        "storage empty", [](ClusterSpec &s) { s.storageSize.clear(); }, u"storageSize"_s, u"is empty"_s);
    row(
        "log storage zero", [](ClusterSpec &s) { s.logStorageSize = u"0"_s; }, u"logStorageSize"_s,
        u"greater than zero"_s);
    row(
        "memory request over limit", [](ClusterSpec &s) { s.memoryRequest = u"8Gi"_s; }, u"memoryLimit"_s,
        u"memory limit 4Gi is below the memory request 8Gi"_s);
    row(
        "cpu request over limit", [](ClusterSpec &s) { s.cpuRequest = u"4500m"_s; }, u"cpuLimit"_s,
        u"CPU limit 4 is below the CPU request 4500m"_s);
    row(
        "cpu garbage", [](ClusterSpec &s) { s.cpuLimit = u"four"_s; }, u"cpuLimit"_s, u"\"four\" is not"_s);
    row(
        "port zero", [](ClusterSpec &s) { s.serverPort = 0; }, u"serverPort"_s, u"outside 1..65535"_s);
    row(
        "port no room for adapter", [](ClusterSpec &s) { s.serverPort = 65530; }, u"serverPort"_s,
        u"65541 > 65535"_s);
    row(
        "timezone unknown", [](ClusterSpec &s) { s.timezone = u"Mars/Olympus"_s; }, u"timezone"_s,
        u"not a time zone name"_s);
    row(
        "image empty", [](ClusterSpec &s) { s.image.clear(); }, u"image"_s, u"not an image name"_s);
    row(
        "image with space", [](ClusterSpec &s) { s.image = u"tdengine /tdengine"_s; }, u"image"_s,
        u"no spaces"_s);
    row(
        "image with tag", [](ClusterSpec &s) { s.image = u"tdengine/tdengine:3.0"_s; }, u"image"_s,
        u"includes a tag"_s);
    row(
        "tag latest", [](ClusterSpec &s) { s.tag = u"latest"_s; }, u"tag"_s, u"same TDengine version"_s);
    row(
        "taos key not identifier", [](ClusterSpec &s) { s.taosConfig.insert(u"support vnodes"_s, u"1"_s); },
        u"taosConfig.support vnodes"_s, u"not a taos.cfg key"_s);
    row(
        "taos key empty", [](ClusterSpec &s) { s.taosConfig.insert(QString(), u"1"_s); }, u"taosConfig."_s,
        u"not a taos.cfg key"_s);
    row(
        "taos key per pod", [](ClusterSpec &s) { s.taosConfig.insert(u"fqdn"_s, u"x"_s); },
        u"taosConfig.fqdn"_s, u"set by tdkube for each pod"_s);
    row(
        "startup budget short", [](ClusterSpec &s) { s.startupBudgetSeconds = 5; }, u"startupBudgetSeconds"_s,
        u"shorter than one probe period"_s);
    row(
        "retention unknown", [](ClusterSpec &s) { s.pvcWhenScaled = u"Keep"_s; }, u"pvcWhenScaled"_s,
        u"not a PVC retention policy"_s);
}

void tst_ClusterSpec::validate_badInput_namesFieldAndSaysWhy()
{
    QFETCH(ClusterSpec, spec);
    QFETCH(QString, field);
    QFETCH(QString, fragment);
    const QList<SpecProblem> problems = validate(spec);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.first().field, field);
    QVERIFY2(problems.first().message.contains(fragment), qPrintable(problems.first().message));
}

void tst_ClusterSpec::advise_twoReplicas_warnsNoHa()
{
    ClusterSpec spec = ClusterSpec::defaults();
    QVERIFY(advise(spec).isEmpty());
    spec.replicas = 2;
    QVERIFY(validate(spec).isEmpty());
    const QList<SpecProblem> advice = advise(spec);
    QVERIFY(!advice.isEmpty());
    QCOMPARE(advice.first().field, u"replicas"_s);
    QVERIFY(advice.first().message.contains(u"no high availability"_s));
}

void tst_ClusterSpec::parseQuantity_kubernetesSuffixes_parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<double>("value");
    QTest::newRow("plain") << u"4"_s << true << 4.0;
    QTest::newRow("milli") << u"500m"_s << true << 0.5;
    QTest::newRow("Gi") << u"5Gi"_s << true << 5.0 * 1024 * 1024 * 1024;
    QTest::newRow("Ki") << u"1Ki"_s << true << 1024.0;
    QTest::newRow("k") << u"2k"_s << true << 2000.0;
    QTest::newRow("G") << u"1.5G"_s << true << 1.5e9;
    QTest::newRow("E is exa") << u"1E"_s << true << 1e18;
    QTest::newRow("exponent") << u"2e3"_s << true << 2000.0;
    QTest::newRow("fraction") << u".5"_s << true << 0.5;
    QTest::newRow("GB") << u"5GB"_s << false << 0.0;
    QTest::newRow("space") << u"5 Gi"_s << false << 0.0;
    QTest::newRow("empty") << QString() << false << 0.0;
    QTest::newRow("Gi lower") << u"5gi"_s << false << 0.0;
}

void tst_ClusterSpec::parseQuantity_kubernetesSuffixes_parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(double, value);
    double parsed = 0;
    QCOMPARE(parseQuantity(text, &parsed), valid);
    if (valid)
        QCOMPARE(parsed, value);
}

void tst_ClusterSpec::taosEnvName_configKey_roundTrips_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("env");
    QTest::newRow("supportVnodes") << u"supportVnodes"_s << u"TAOS_SUPPORT_VNODES"_s;
    QTest::newRow("debugFlag") << u"debugFlag"_s << u"TAOS_DEBUG_FLAG"_s;
    QTest::newRow("charset") << u"charset"_s << u"TAOS_CHARSET"_s;
    QTest::newRow("GB suffix") << u"minimalLogDirGB"_s << u"TAOS_MINIMAL_LOG_DIR_GB"_s;
    QTest::newRow("one-letter module") << u"mDebugFlag"_s << u"TAOS_M_DEBUG_FLAG"_s;
    QTest::newRow("numOfRpcThreads") << u"numOfRpcThreads"_s << u"TAOS_NUM_OF_RPC_THREADS"_s;
}

void tst_ClusterSpec::taosEnvName_configKey_roundTrips()
{
    QFETCH(QString, key);
    QFETCH(QString, env);
    QCOMPARE(taosEnvName(key), env);
    QCOMPARE(taosConfigKey(env), key);
    QVERIFY(knownTaosConfigKeys().contains(key));
}

void tst_ClusterSpec::specFromStatefulSet_generated_roundTrips_data()
{
    QTest::addColumn<ClusterSpec>("spec");
    QTest::newRow("default") << ClusterSpec::defaults();
    QTest::newRow("production") << productionSpec();
    ClusterSpec small = ClusterSpec::defaults();
    small.name = u"edge"_s;
    small.replicas = 1;
    small.antiAffinity = AntiAffinity::None;
    small.pvcWhenScaled = u"Delete"_s;
    small.serverPort = 7030;
    small.cpuLimit.clear();
    small.memoryRequest.clear();
    small.startupBudgetSeconds = 600;
    small.taosConfig.clear();
    QTest::newRow("small") << small;
    ClusterSpec renamed = ClusterSpec::defaults();
    renamed.headlessServiceOverride = u"taosd"_s;
    renamed.configMapOverride = u"taoscfg"_s;
    renamed.image = u"registry.local:5000/tdengine/tdengine"_s;
    QTest::newRow("own service names, registry port") << renamed;
}

void tst_ClusterSpec::specFromStatefulSet_generated_roundTrips()
{
    QFETCH(ClusterSpec, spec);
    const QList<QJsonObject> objects = buildManifests(spec);
    QStringList unmapped;
    const ClusterSpec back = specFromStatefulSet(objects.at(3), objects.at(0), &unmapped);
    QCOMPARE(unmapped, QStringList());
    QCOMPARE(back.name, spec.name);
    QCOMPARE(back.taosConfig, spec.taosConfig);
    QCOMPARE(back.labels, spec.labels);
    QVERIFY(back == spec);
}

void tst_ClusterSpec::specFromStatefulSet_templateAppliedByHand_keepsItsNames()
{
    const QJsonObject sts = yamlObject(readFile(u":/manifests/40-statefulset.yaml"_s));
    const QJsonObject cm = yamlObject(readFile(u":/manifests/10-configmap.yaml"_s));
    QStringList unmapped;
    const ClusterSpec spec = specFromStatefulSet(sts, cm, &unmapped);
    QCOMPARE(unmapped, QStringList());
    QCOMPARE(spec.name, u"tdengine"_s);
    QCOMPARE(spec.headlessServiceName(), u"taosd"_s);
    QCOMPARE(spec.configMapName(), u"tdengine-taoscfg"_s);
    QCOMPARE(spec.replicas, 3);
    QCOMPARE(spec.timezone, u"Asia/Shanghai"_s);
    QCOMPARE(spec.tag, u"3.0.7.1"_s);
    QCOMPARE(spec.antiAffinity, AntiAffinity::Preferred);
    QCOMPARE(spec.storageClass, u"standard"_s);
    QCOMPARE(spec.storageSize, u"5Gi"_s);
    QCOMPARE(spec.startupBudgetSeconds, 3600);
    QCOMPARE(spec.taosConfig, ClusterSpec::defaults().taosConfig);
    QVERIFY(validate(spec).isEmpty());
    // Applying it again regenerates the same pod FQDNs: the StatefulSet still names Service taosd.
    const QJsonObject regenerated = buildManifests(spec).at(3);
    QCOMPARE(regenerated[u"spec"][u"serviceName"].toString(), u"taosd"_s);
}

void tst_ClusterSpec::specFromStatefulSet_guideStatefulSet_mapsWhatItCan()
{
    // The StatefulSet of the TDengine guide (seed 001) as a DBA applied it: no ConfigMap, no
    // resources, an `app` label and no retention policy.
    const QJsonObject sts =
        yamlObject(readFile(QStringLiteral(TDKUBE_INPUT_DIR) + u"/guide-statefulset.yaml"_s));
    QStringList unmapped;
    const ClusterSpec spec = specFromStatefulSet(sts, {}, &unmapped);
    QCOMPARE(unmapped, QStringList());
    QCOMPARE(spec.name, u"tdengine"_s);
    QCOMPARE(spec.headlessServiceName(), u"taosd"_s);
    QCOMPARE(spec.labels, (QMap<QString, QString>{{u"app"_s, u"tdengine"_s}}));
    QCOMPARE(spec.antiAffinity, AntiAffinity::None);
    QCOMPARE(spec.cpuRequest, QString());
    QCOMPARE(spec.memoryLimit, QString());
    QCOMPARE(spec.pvcWhenScaled, u"Retain"_s);
    QCOMPARE(spec.taosConfig, (QMap<QString, QString>()));
    QVERIFY(validate(spec).isEmpty());
}

void tst_ClusterSpec::specFromStatefulSet_foreignParts_listedAsUnmapped()
{
    QJsonObject sts = buildManifests(ClusterSpec::defaults()).at(3);
    QJsonObject podSpec = sts[u"spec"][u"template"][u"spec"].toObject();
    QJsonArray containers = podSpec[u"containers"].toArray();
    QJsonObject tdengine = containers.at(0).toObject();
    QJsonArray env = tdengine[u"env"].toArray();
    env.append(QJsonObject{{u"name"_s, u"FOO"_s}, {u"value"_s, u"bar"_s}});
    tdengine.insert(u"env"_s, env);
    containers.replace(0, tdengine);
    containers.append(QJsonObject{{u"name"_s, u"log-shipper"_s}, {u"image"_s, u"fluent-bit:3"_s}});
    podSpec.insert(u"containers"_s, containers);
    podSpec.insert(u"nodeSelector"_s, QJsonObject{{u"disk"_s, u"ssd"_s}});
    QJsonObject spec = sts[u"spec"].toObject();
    QJsonObject podTemplate = spec[u"template"].toObject();
    podTemplate.insert(u"spec"_s, podSpec);
    spec.insert(u"template"_s, podTemplate);
    sts.insert(u"spec"_s, spec);
    QStringList unmapped;
    specFromStatefulSet(sts, {}, &unmapped);
    QCOMPARE(unmapped, QStringList({u"the pod setting nodeSelector"_s, u"an env var FOO"_s,
                                    u"a sidecar container log-shipper"_s}));
}

void tst_ClusterSpec::exportManifests_folder_oneFilePerObjectInApplyOrder()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString target = dir.filePath(u"out/tdengine"_s);
    const QList<QJsonObject> objects = buildManifests(ClusterSpec::defaults());
    QString error;
    QVERIFY2(exportManifests(objects, target, &error), qPrintable(error));
    const QStringList files = QDir(target).entryList(QDir::Files, QDir::Name);
    QCOMPARE(files, QStringList({u"10-configmap.yaml"_s, u"20-service-headless.yaml"_s,
                                 u"30-service-client.yaml"_s, u"40-statefulset.yaml"_s}));
    for (int i = 0; i < files.size(); ++i)
        QCOMPARE(yamlObject(readFile(QDir(target).filePath(files.at(i)))), objects.at(i));

    QFile blocker(dir.filePath(u"file"_s));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    QVERIFY(!exportManifests(objects, dir.filePath(u"file/sub"_s), &error));
    QVERIFY2(error.contains(u"Could not create the folder"_s), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_ClusterSpec)
#include "tst_clusterspec.moc"
