// SpecChecker against the in-process sandbox: what it tells a person about a spec before applying.
#include "deploy/specchecker.h"
#include "deployfixture.h"

#include <optional>

using namespace Qt::StringLiterals;
using namespace tdkube::deploy;
using namespace tdkube::deploy::test;
using tdkube::kube::test::SandboxFixture;

class tst_SpecChecker final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void check_unknownStorageClass_namesExistingOnes();
    void check_missingNamespace_reported();
    void check_deployedCluster_listsExistingObjects();
    void check_calledTwice_reportsLatestOnly();

private:
    ClusterCheck run(const ClusterSpec &spec);

    SandboxFixture m_fixture;
    std::unique_ptr<KubeClient> m_client;
};

void tst_SpecChecker::initTestCase()
{
    QVERIFY(m_fixture.start());
    m_client = std::make_unique<KubeClient>(m_fixture.admin());
}

ClusterCheck tst_SpecChecker::run(const ClusterSpec &spec)
{
    SpecChecker checker(m_client.get());
    std::optional<ClusterCheck> result;
    connect(&checker, &SpecChecker::finished, this, [&result](const ClusterCheck &check) { result = check; });
    checker.check(spec);
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, tdkube::kube::test::kWaitMs))
        qWarning("the SpecChecker never finished");
    return result.value_or(ClusterCheck{{{u"test"_s, u"no answer"_s}}, false, {}, {}});
}

void tst_SpecChecker::check_unknownStorageClass_namesExistingOnes()
{
    ClusterSpec spec = ClusterSpec::defaults();
    spec.storageClass = u"fast-ssd"_s;
    const ClusterCheck check = run(spec);
    QCOMPARE(check.problems.size(), 1);
    QCOMPARE(check.problems.first().field, u"storageClass"_s);
    QVERIFY2(check.problems.first().message.contains(u"\"fast-ssd\" does not exist"_s),
             qPrintable(check.problems.first().message));
    QVERIFY2(check.problems.first().message.contains(u"Choose one of: standard (default)."_s),
             qPrintable(check.problems.first().message));
    QCOMPARE(check.storageClasses.size(), 1);
    const StorageClassInfo standard = check.storageClasses.first();
    QCOMPARE(standard.name, u"standard"_s);
    QVERIFY(standard.isDefault);
    QCOMPARE(standard.provisioner, u"sandbox.tdkube.io/hostpath"_s);
    QCOMPARE(standard.reclaimPolicy, u"Delete"_s);
    QCOMPARE(standard.volumeBindingMode, u"Immediate"_s);

    spec.storageClass.clear(); // the default class exists: nothing to say
    QVERIFY(run(spec).problems.isEmpty());
}

void tst_SpecChecker::check_missingNamespace_reported()
{
    ClusterSpec spec = ClusterSpec::defaults();
    spec.ns = u"nowhere"_s;
    const ClusterCheck check = run(spec);
    QVERIFY(!check.namespaceExists);
    QVERIFY(check.problems.isEmpty());
    QVERIFY(check.existing.isEmpty());
}

void tst_SpecChecker::check_deployedCluster_listsExistingObjects()
{
    ClusterSpec spec = ClusterSpec::defaults();
    spec.ns = u"deployed"_s;
    QVERIFY(tdkube::kube::test::createNamespace(m_client.get(), spec.ns));
    QCOMPARE(run(spec).existing, QStringList());
    QString error;
    QVERIFY2(applyObjects(m_client.get(), buildManifests(spec), &error), qPrintable(error));
    const ClusterCheck check = run(spec);
    QVERIFY(check.namespaceExists);
    QVERIFY(check.problems.isEmpty());
    QCOMPARE(check.existing, QStringList({u"ConfigMap tdengine-taoscfg"_s, u"Service tdengine-taosadapter"_s,
                                          u"Service tdengine-taosd"_s, u"StatefulSet tdengine"_s}));

    spec.name = u"other"_s; // same namespace, other names: nothing would be changed
    QCOMPARE(run(spec).existing, QStringList());
}

void tst_SpecChecker::check_calledTwice_reportsLatestOnly()
{
    SpecChecker checker(m_client.get());
    QList<ClusterCheck> results;
    connect(&checker, &SpecChecker::finished, this,
            [&results](const ClusterCheck &check) { results << check; });
    ClusterSpec first = ClusterSpec::defaults();
    first.storageClass = u"first"_s;
    ClusterSpec second = ClusterSpec::defaults();
    second.storageClass = u"second"_s;
    checker.check(first);
    checker.check(second);
    QVERIFY(QTest::qWaitFor([&results] { return !results.isEmpty(); }, tdkube::kube::test::kWaitMs));
    QTest::qWait(200); // let any stray answer of the first check arrive: it must not be reported
    QCOMPARE(results.size(), 1);
    QVERIFY(results.first().problems.first().message.contains(u"\"second\""_s));
}

QTEST_GUILESS_MAIN(tst_SpecChecker)
#include "tst_specchecker.moc"
