// Generated manifests against a cluster: the in-process sandbox accepts every spec's objects and
// runs the cluster they describe; real kubectl accepts the exported folder.
#include "deploy/clusterspec.h"
#include "deployfixture.h"

#include <QProcess>
#include <QStandardPaths>

using namespace Qt::StringLiterals;
using namespace tdkube::deploy;
using namespace tdkube::deploy::test;
using tdkube::kube::test::SandboxFixture;

Q_DECLARE_METATYPE(tdkube::deploy::ClusterSpec)

namespace {

// Pods of a test cluster start within seconds at the fixture's time scale; the wait is generous
// because the machine is shared, and it is never what the test asserts.
constexpr int kClusterWaitMs = 180000;

ClusterSpec productionSpec()
{
    ClusterSpec spec = ClusterSpec::defaults();
    spec.name = u"tsdb"_s;
    spec.ns = u"prod"_s;
    spec.replicas = 5;
    spec.antiAffinity = AntiAffinity::Required;
    spec.logStorageSize = u"2Gi"_s;
    spec.storageClass.clear();
    spec.taosConfig.insert(u"supportVnodes"_s, u"32"_s);
    spec.cpuRequest.clear();
    spec.memoryRequest.clear();
    spec.cpuLimit.clear();
    spec.memoryLimit.clear();
    spec.labels.insert(u"team"_s, u"dba"_s);
    return spec;
}

} // namespace

class tst_SpecSandbox final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void apply_generatedManifests_accepted_data();
    void apply_generatedManifests_accepted();
    void apply_defaultSpec_everyDnodeReady();
    void apply_missingStorageClass_firstPodPending();
    void exportManifests_folder_kubectlDryRunAccepts();

private:
    SandboxFixture m_fixture;
    std::unique_ptr<KubeClient> m_client;
};

void tst_SpecSandbox::initTestCase()
{
    QVERIFY(m_fixture.start());
    m_client = std::make_unique<KubeClient>(m_fixture.admin());
}

void tst_SpecSandbox::apply_generatedManifests_accepted_data()
{
    QTest::addColumn<ClusterSpec>("spec");
    QTest::newRow("default") << ClusterSpec::defaults();
    QTest::newRow("production") << productionSpec();
    ClusterSpec edge = ClusterSpec::defaults();
    edge.name = u"edge"_s;
    edge.ns = u"edge"_s;
    edge.replicas = 1;
    edge.antiAffinity = AntiAffinity::None;
    edge.serverPort = 7030;
    edge.pvcWhenScaled = u"Delete"_s;
    QTest::newRow("edge") << edge;
}

void tst_SpecSandbox::apply_generatedManifests_accepted()
{
    QFETCH(ClusterSpec, spec);
    QVERIFY(validate(spec).isEmpty());
    QVERIFY(tdkube::kube::test::createNamespace(m_client.get(), spec.ns));
    QString error;
    QVERIFY2(applyObjects(m_client.get(), buildManifests(spec), &error), qPrintable(error));
    // What the server holds reads back as the spec (server defaults included).
    const KubeResponse sts = await([&](QObject *context, KubeClient::Done done) {
        m_client->get(ResourceKind::statefulSets(), spec.ns, spec.name, context, done);
    });
    QVERIFY2(sts.ok(), qPrintable(sts.error));
    const KubeResponse cm = await([&](QObject *context, KubeClient::Done done) {
        m_client->get(ResourceKind::configMaps(), spec.ns, spec.configMapName(), context, done);
    });
    QVERIFY2(cm.ok(), qPrintable(cm.error));
    QStringList unmapped;
    const ClusterSpec back = specFromStatefulSet(sts.json(), cm.json(), &unmapped);
    QCOMPARE(unmapped, QStringList());
    QVERIFY(back == spec);
}

void tst_SpecSandbox::apply_defaultSpec_everyDnodeReady()
{
    const ClusterSpec spec = ClusterSpec::defaults(); // applied by apply_generatedManifests_accepted
    const bool ready = QTest::qWaitFor(
        [&] { return readyPods(m_client.get(), spec.ns, spec.name) == spec.replicas; }, kClusterWaitMs);
    QVERIFY2(
        ready,
        qPrintable(
            u"%1 of %2 pods ready"_s.arg(readyPods(m_client.get(), spec.ns, spec.name)).arg(spec.replicas)));
    QCOMPARE(clusterPods(m_client.get(), spec.ns, spec.name).size(), spec.replicas);
}

void tst_SpecSandbox::apply_missingStorageClass_firstPodPending()
{
    ClusterSpec lost = ClusterSpec::defaults();
    lost.name = u"lost"_s;
    lost.ns = u"lost"_s;
    lost.storageClass = u"missing"_s;
    ClusterSpec control = ClusterSpec::defaults();
    control.name = u"control"_s;
    control.ns = u"lost"_s;
    control.replicas = 1;
    QVERIFY(tdkube::kube::test::createNamespace(m_client.get(), lost.ns));
    QString error;
    QVERIFY2(applyObjects(m_client.get(), buildManifests(lost), &error), qPrintable(error));
    QVERIFY2(applyObjects(m_client.get(), buildManifests(control), &error), qPrintable(error));
    // The control cluster, applied after it, coming up shows the sandbox had its chance with lost-0.
    QVERIFY(QTest::qWaitFor([&] { return readyPods(m_client.get(), control.ns, control.name) == 1; },
                            kClusterWaitMs));
    const QJsonArray pods = clusterPods(m_client.get(), lost.ns, lost.name);
    QCOMPARE(pods.size(), 1); // OrderedReady: lost-1 waits for lost-0
    QCOMPARE(pods.at(0)[u"metadata"][u"name"].toString(), u"lost-0"_s);
    QCOMPARE(pods.at(0)[u"status"][u"phase"].toString(), u"Pending"_s);
}

void tst_SpecSandbox::exportManifests_folder_kubectlDryRunAccepts()
{
    const QString kubectl = QStandardPaths::findExecutable(u"kubectl"_s);
    if (kubectl.isEmpty())
        QSKIP("kubectl is not on the PATH; install it to check the exported folder with a real client");
    const QString folder = m_fixture.path(u"export"_s);
    QString error;
    ClusterSpec spec = productionSpec(); // under another name: kubectl must find nothing to update
    spec.name = u"exported"_s;
    spec.ns = u"export"_s;
    QVERIFY2(exportManifests(buildManifests(spec), folder, &error), qPrintable(error));
    // The sandbox serves in this thread: run kubectl without blocking the event loop.
    QProcess process;
    process.setProgram(kubectl);
    process.setArguments({u"--kubeconfig"_s, m_fixture.path(u"kubeconfig"_s), u"apply"_s,
                          u"--dry-run=client"_s, u"-f"_s, folder});
    process.start();
    QVERIFY(QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, kClusterWaitMs));
    const QString output = QString::fromUtf8(process.readAllStandardOutput());
    const QString errors = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             qPrintable(output + errors));
    QVERIFY2(output.contains(u"configmap/exported-taoscfg created (dry run)"_s), qPrintable(output));
    QVERIFY2(output.contains(u"statefulset.apps/exported created (dry run)"_s), qPrintable(output));
    QCOMPARE(output.count(u"(dry run)"_s), 4);
}

QTEST_GUILESS_MAIN(tst_SpecSandbox)
#include "tst_specsandbox.moc"
