// DeployMonitor against the in-process sandbox: manifests/ applied into a namespace (as the deploy
// wizard applies them), then followed to a verified cluster; what the cluster holds afterwards is
// read back through a port-forward of our own, as a DBA would check it.
#include "deploy/deploymonitor.h"
#include "kube/portforward.h"
#include "sandboxfixture.h"
#include "taos/clusterconnection.h"
#include "taos/passwordstore.h"
#include "taos/restclient.h"
#include "taos/snapshotpoller.h"

#include <QSettings>
#include <QStandardPaths>
#include <QTcpSocket>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;
using namespace tdkube;
using namespace tdkube::kube::test;
using tdkube::deploy::DeployMonitor;
using tdkube::deploy::DeployTarget;
using tdkube::deploy::PodProgress;

namespace {

constexpr int kDeployMs = 120000;
const QString kSet = u"tdengine"_s;

// What a run showed, as the progress page would have shown it.
struct Recording
{
    QStringList readyOrder; // pods in the order they were first reported Ready
    QList<int> dnodeIds;
    QStringList dnodePods;
    QStringList log;
    QList<DeployMonitor::Stage> stages;
    std::optional<bool> ok;
    QString message;

    void follow(DeployMonitor *monitor)
    {
        QObject::connect(monitor, &DeployMonitor::podChanged, monitor, [this](const PodProgress &pod) {
            if (pod.ready && !readyOrder.contains(pod.name))
                readyOrder.append(pod.name);
        });
        QObject::connect(monitor, &DeployMonitor::dnodeJoined, monitor,
                         [this](int id, const QString &, const QString &pod) {
                             dnodeIds.append(id);
                             dnodePods.append(pod);
                         });
        QObject::connect(monitor, &DeployMonitor::logLine, monitor,
                         [this](const QString &line) { log.append(line); });
        QObject::connect(monitor, &DeployMonitor::stageChanged, monitor, [this](DeployMonitor::Stage stage) {
            if (stages.isEmpty() || stages.last() != stage)
                stages.append(stage);
        });
        QObject::connect(monitor, &DeployMonitor::finished, monitor,
                         [this](bool success, const QString &text) {
                             QVERIFY2(!ok.has_value(), "finished() came twice");
                             ok = success;
                             message = text;
                         });
    }
    bool waitForFinish()
    {
        return QTest::qWaitFor([this] { return ok.has_value(); }, kDeployMs);
    }
    QStringList linesWith(const QString &text) const { return log.filter(text); }
};

} // namespace

class TestDeployMonitor final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void threeReplicas_podsDnodesMnodes_clusterHasLeaderAndTwoFollowers();
    void secondRun_onDeployedCluster_createsNothingAndSucceeds();
    void oneReplica_createsNoMnode_succeeds();
    void missingStorageClass_failsAtOnceNamingTheClassAndTheFix();
    void podsTimeout_failsSayingWhatItWaitedFor();
    void cancel_midway_finishesFalseAndClosesThePortForward();

private:
    // manifests/ into `ns`, the StatefulSet edited by `edit` first.
    void deploy(const QString &ns, const std::function<void(QJsonObject &)> &edit = {});
    std::unique_ptr<DeployMonitor> monitor(const QString &ns, int replicas = 3);
    taos::QueryOutcome sql(const QString &ns, const QString &statement);

    SandboxFixture m_fixture;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<kube::KubeClient> m_client;
    std::unique_ptr<taos::PasswordStore> m_passwords;
};

void TestDeployMonitor::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_settingsDir.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QVERIFY(m_fixture.start());
    m_client = std::make_unique<kube::KubeClient>(m_fixture.admin());
    m_passwords = std::make_unique<taos::PasswordStore>();
    m_passwords->setKeychainEnabled(false);
}

void TestDeployMonitor::deploy(const QString &ns, const std::function<void(QJsonObject &)> &edit)
{
    QVERIFY(createNamespace(m_client.get(), ns));
    const QDir manifests(QStringLiteral(TDKUBE_MANIFESTS_DIR));
    for (const QString &file : manifests.entryList({u"*.yaml"_s}, QDir::Files, QDir::Name)) {
        QFile yaml(manifests.filePath(file));
        QVERIFY(yaml.open(QIODevice::ReadOnly));
        QList<QJsonValue> documents;
        QString error;
        QVERIFY2(kube::yamlDocumentsToJson(yaml.readAll(), &documents, &error), qPrintable(error));
        for (const QJsonValue &document : std::as_const(documents)) {
            QJsonObject object = document.toObject();
            const QString kindName = object.value(u"kind").toString();
            if (kindName == u"StatefulSet" && edit)
                edit(object);
            const auto kind =
                kube::ResourceKind::fromApiVersionKind(object.value(u"apiVersion").toString(), kindName);
            const QString name = object.value(u"metadata").toObject().value(u"name").toString();
            const kube::KubeResponse response = await([&](QObject *context, kube::KubeClient::Done done) {
                m_client->apply(kind, ns, name, QJsonDocument(object).toJson(), false, false, context, done);
            });
            QVERIFY2(response.ok(), qPrintable(file + u": "_s + response.error));
        }
    }
}

std::unique_ptr<DeployMonitor> TestDeployMonitor::monitor(const QString &ns, int replicas)
{
    DeployTarget target;
    target.context = m_fixture.admin().contextName;
    target.ns = ns;
    target.statefulSet = kSet;
    target.replicas = replicas;
    auto result = std::make_unique<DeployMonitor>(m_client.get(), m_passwords.get(), target);
    result->setPollInterval(50);
    return result;
}

// One statement through a port-forward and REST client of the test's own, not the monitor's.
taos::QueryOutcome TestDeployMonitor::sql(const QString &ns, const QString &statement)
{
    return sqlThroughForward(m_client.get(), ns, kSet, statement);
}

void TestDeployMonitor::threeReplicas_podsDnodesMnodes_clusterHasLeaderAndTwoFollowers()
{
    const QString ns = u"deploy-three"_s;
    deploy(ns);
    auto run = monitor(ns);
    Recording seen;
    seen.follow(run.get());
    run->start();
    QVERIFY(seen.waitForFinish());

    QVERIFY2(*seen.ok, qPrintable(seen.message + u"\n"_s + seen.log.join(u'\n')));
    QCOMPARE(seen.message, u"3 dnodes ready; mnodes: 1 leader, 2 followers"_s);
    QCOMPARE(seen.readyOrder, (QStringList{u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}));
    QCOMPARE(seen.dnodePods, (QStringList{u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}));
    QCOMPARE(seen.dnodeIds.size(), 3);
    QCOMPARE(seen.stages,
             (QList<DeployMonitor::Stage>{DeployMonitor::Stage::Pods, DeployMonitor::Stage::Dnodes,
                                          DeployMonitor::Stage::Mnodes, DeployMonitor::Stage::Verify,
                                          DeployMonitor::Stage::Done}));
    QCOMPARE(seen.linesWith(u"SQL> create mnode on dnode"_s).size(), 2);
    // Never the password (the claims are named taosdata-..., hence the login's forms).
    QVERIFY(seen.linesWith(u"root:taosdata"_s).isEmpty());
    QVERIFY(seen.linesWith(u"cm9vdDp0YW9zZGF0YQ"_s).isEmpty());
    QCOMPARE(run->stage(), DeployMonitor::Stage::Done);
    QCOMPARE(run->connection(), nullptr);
    const QList<PodProgress> pods = run->pods();
    QCOMPARE(pods.size(), 3);
    for (const PodProgress &pod : pods) {
        QVERIFY(pod.ready);
        QCOMPARE(pod.status, u"Running"_s);
    }

    taos::QueryOutcome mnodes = sql(ns, u"select * from information_schema.ins_mnodes"_s);
    QVERIFY2(mnodes.ok(), qPrintable(mnodes.error.describe()));
    QStringList roles;
    QSet<int> ids;
    for (const taos::Mnode &mnode : taos::mnodesFrom(mnodes.result)) {
        roles.append(mnode.role);
        ids.insert(mnode.id);
        QCOMPARE(mnode.status, u"ready"_s);
    }
    roles.sort();
    QCOMPARE(roles, (QStringList{u"follower"_s, u"follower"_s, u"leader"_s}));
    QCOMPARE(ids, (QSet<int>{seen.dnodeIds.at(0), seen.dnodeIds.at(1), seen.dnodeIds.at(2)}));
}

void TestDeployMonitor::secondRun_onDeployedCluster_createsNothingAndSucceeds()
{
    const QString ns = u"deploy-three"_s; // left deployed by the test before
    auto run = monitor(ns);
    Recording seen;
    seen.follow(run.get());
    run->start();
    QVERIFY(seen.waitForFinish());

    QVERIFY2(*seen.ok, qPrintable(seen.message + u"\n"_s + seen.log.join(u'\n')));
    QCOMPARE(seen.message, u"3 dnodes ready; mnodes: 1 leader, 2 followers"_s);
    QVERIFY2(seen.linesWith(u"create mnode"_s).isEmpty(), qPrintable(seen.log.join(u'\n')));
    QCOMPARE(seen.linesWith(u"already exists"_s).size(), 2);

    const taos::QueryOutcome mnodes = sql(ns, u"select * from information_schema.ins_mnodes"_s);
    QVERIFY2(mnodes.ok(), qPrintable(mnodes.error.describe()));
    QCOMPARE(taos::mnodesFrom(mnodes.result).size(), 3);
}

void TestDeployMonitor::oneReplica_createsNoMnode_succeeds()
{
    const QString ns = u"deploy-one"_s;
    deploy(ns, [](QJsonObject &set) {
        QJsonObject spec = set.value(u"spec").toObject();
        spec.insert(u"replicas"_s, 1);
        set.insert(u"spec"_s, spec);
    });
    auto run = monitor(ns, 1);
    Recording seen;
    seen.follow(run.get());
    run->start();
    QVERIFY(seen.waitForFinish());

    QVERIFY2(*seen.ok, qPrintable(seen.message + u"\n"_s + seen.log.join(u'\n')));
    QCOMPARE(seen.message, u"1 dnodes ready; mnodes: 1 leader, 0 followers"_s);
    QCOMPARE(seen.readyOrder, QStringList{u"tdengine-0"_s});
    QVERIFY(seen.linesWith(u"create mnode"_s).isEmpty());

    const taos::QueryOutcome mnodes = sql(ns, u"select * from information_schema.ins_mnodes"_s);
    QVERIFY2(mnodes.ok(), qPrintable(mnodes.error.describe()));
    const QList<taos::Mnode> list = taos::mnodesFrom(mnodes.result);
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.first().role, u"leader"_s);
}

void TestDeployMonitor::missingStorageClass_failsAtOnceNamingTheClassAndTheFix()
{
    const QString ns = u"deploy-fast"_s;
    deploy(ns, [](QJsonObject &set) {
        QJsonObject spec = set.value(u"spec").toObject();
        QJsonArray templates = spec.value(u"volumeClaimTemplates").toArray();
        QJsonObject claim = templates.first().toObject();
        QJsonObject claimSpec = claim.value(u"spec").toObject();
        claimSpec.insert(u"storageClassName"_s, u"fast"_s);
        claim.insert(u"spec"_s, claimSpec);
        templates.replace(0, claim);
        spec.insert(u"volumeClaimTemplates"_s, templates);
        set.insert(u"spec"_s, spec);
    });
    auto run = monitor(ns);
    Recording seen;
    seen.follow(run.get());
    run->start();
    // The pods' budget is the default 15 minutes: finishing at all within the test's wait means
    // that the monitor did not wait for it.
    QVERIFY(seen.waitForFinish());

    QVERIFY(!*seen.ok);
    QVERIFY2(seen.message.contains(u"StorageClass \"fast\" does not exist"_s), qPrintable(seen.message));
    QVERIFY2(seen.message.contains(u"Pick one of: standard"_s), qPrintable(seen.message));
    QVERIFY2(seen.message.contains(u"Delete the StatefulSet and its claims, then deploy again"_s),
             qPrintable(seen.message));
    QCOMPARE(run->stage(), DeployMonitor::Stage::Failed);
    const QList<PodProgress> pods = run->pods();
    QCOMPARE(pods.size(), 1);
    QCOMPARE(pods.first().name, u"tdengine-0"_s);
    QCOMPARE(pods.first().status, u"Pending"_s);
    QVERIFY2(pods.first().detail.contains(u"fast"_s), qPrintable(pods.first().detail));
}

void TestDeployMonitor::podsTimeout_failsSayingWhatItWaitedFor()
{
    // tdengine-0 asks to join a first endpoint that does not exist: it runs, but never becomes Ready,
    // and nothing says that this will not fix itself. Only the pods' budget ends the wait.
    const QString ns = u"deploy-nofirstep"_s;
    deploy(ns, [](QJsonObject &set) {
        QJsonObject spec = set.value(u"spec").toObject();
        QJsonObject podTemplate = spec.value(u"template").toObject();
        QJsonObject podSpec = podTemplate.value(u"spec").toObject();
        QJsonArray containers = podSpec.value(u"containers").toArray();
        QJsonObject container = containers.first().toObject();
        QJsonArray env = container.value(u"env").toArray();
        for (qsizetype i = 0; i < env.size(); ++i) {
            if (env.at(i).toObject().value(u"name").toString() == u"TAOS_FIRST_EP")
                env.replace(i, QJsonObject{{u"name"_s, u"TAOS_FIRST_EP"_s}, {u"value"_s, u"nowhere:6030"_s}});
        }
        container.insert(u"env"_s, env);
        containers.replace(0, container);
        podSpec.insert(u"containers"_s, containers);
        podTemplate.insert(u"spec"_s, podSpec);
        spec.insert(u"template"_s, podTemplate);
        set.insert(u"spec"_s, spec);
    });
    auto run = monitor(ns);
    run->setTimeouts(8000, 60000, 60000);
    Recording seen;
    seen.follow(run.get());
    run->start();
    QVERIFY(seen.waitForFinish());

    QVERIFY(!*seen.ok);
    QVERIFY2(seen.message.startsWith(u"The pods of tdengine were not all Ready within 8s: 0 of 3 pods ready; "
                                     "tdengine-0: Running"_s),
             qPrintable(seen.message));
    QCOMPARE(run->stage(), DeployMonitor::Stage::Failed);
    QCOMPARE(run->pods().size(), 1);
    QVERIFY(!run->pods().first().ready);
}

void TestDeployMonitor::cancel_midway_finishesFalseAndClosesThePortForward()
{
    const QString ns = u"deploy-cancel"_s;
    deploy(ns);
    auto run = monitor(ns);
    run->setPollInterval(600000); // no dnode poll: the run stays in the Dnodes stage until cancelled
    Recording seen;
    seen.follow(run.get());
    run->start();
    QVERIFY(QTest::qWaitFor(
        [&run] {
            return run->connection() && run->connection()->forward() &&
                   run->connection()->forward()->state() == kube::PortForward::State::Active;
        },
        kDeployMs));
    QCOMPARE(run->stage(), DeployMonitor::Stage::Dnodes);
    const quint16 port = run->connection()->forward()->localPort();
    QVERIFY(port != 0);

    run->cancel();
    QVERIFY(seen.ok.has_value()); // at once, not after some later event
    QVERIFY(!*seen.ok);
    QVERIFY2(seen.message.startsWith(u"Cancelled"_s), qPrintable(seen.message));
    QCOMPARE(run->stage(), DeployMonitor::Stage::Failed);
    QCOMPARE(run->connection(), nullptr);

    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(
        QTest::qWaitFor([&socket] { return socket.state() == QAbstractSocket::UnconnectedState; }, kWaitMs));
    QCOMPARE(socket.error(), QAbstractSocket::ConnectionRefusedError);
    run->cancel(); // harmless once finished
    QCOMPARE(seen.stages.last(), DeployMonitor::Stage::Failed);
}

QTEST_GUILESS_MAIN(TestDeployMonitor)
#include "tst_deploymonitor.moc"
