// The deploy wizard, the object editor and the delete dialog, driven offscreen against an in-process
// sandbox: what a person clicks through, and what the cluster holds afterwards (pods Ready, 3 mnodes
// in TDengine, the objects gone after a delete).
#include "clusterview.h"
#include "deleteclusterdialog.h"
#include "deployprogresspage.h"
#include "deployreviewpage.h"
#include "deploywizard.h"
#include "diffview.h"
#include "kube/exec.h"
#include "kube/explain.h"
#include "kube/objects.h"
#include "objecteditordialog.h"
#include "ops/clusterrecord.h"
#include "ops/journal.h"
#include "sandboxfixture.h"
#include "taos/passwordstore.h"
#include "yamleditor.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace Qt::StringLiterals;
using namespace tdkube::kube;
using namespace tdkube::kube::test;
using tdkube::ui::DeployWizard;

namespace {

constexpr int Slow = 120000; // ms: a whole cluster coming up, in a sanitizer build on a loaded machine

// What `command` printed in `pod`, once it finished.
QString execOutput(KubeClient *client, const QString &ns, const QString &pod, const QStringList &command)
{
    QString output;
    bool done = false;
    auto *session = new ExecSession(client, ns, pod, {}, command);
    QObject::connect(session, &ExecSession::output, session,
                     [&output](const QByteArray &data, bool) { output += QString::fromUtf8(data); });
    QObject::connect(session, &ExecSession::finished, session, [&done] { done = true; });
    session->start();
    if (!QTest::qWaitFor([&done] { return done; }, kWaitMs))
        output += u"(the command did not finish)"_s;
    delete session;
    return output;
}

QList<QJsonObject> items(KubeClient *client, const ResourceKind &kind, const QString &ns,
                         const QString &selector = {})
{
    ListOptions options;
    options.labelSelector = selector;
    const KubeResponse response = await(
        [&](QObject *context, KubeClient::Done done) { client->list(kind, ns, options, context, done); });
    QList<QJsonObject> result;
    for (const QJsonValue &item : response.json().value(u"items").toArray())
        result.append(item.toObject());
    return result;
}

int readyPods(KubeClient *client, const QString &ns, const QString &instance)
{
    int ready = 0;
    for (const QJsonObject &pod :
         items(client, ResourceKind::pods(), ns, u"app.kubernetes.io/instance="_s + instance)) {
        for (const QJsonValue &condition : pod.value(u"status").toObject().value(u"conditions").toArray()) {
            if (condition[u"type"] == u"Ready"_s && condition[u"status"] == u"True"_s)
                ++ready;
        }
    }
    return ready;
}

// Waits until the wizard's Next (or Apply) button can be pressed, then presses it.
bool next(DeployWizard *wizard, int timeoutMs = 30000)
{
    const int before = wizard->currentId();
    QAbstractButton *button = wizard->currentPage()->isCommitPage() ? wizard->button(QWizard::CommitButton)
                                                                    : wizard->button(QWizard::NextButton);
    if (!QTest::qWaitFor([button] { return button->isVisible() && button->isEnabled(); }, timeoutMs))
        return false;
    button->click();
    return QTest::qWaitFor([wizard, before] { return wizard->currentId() != before; }, 5000);
}

template<typename T> T *child(QWidget *parent, const QString &name)
{
    T *found = parent->findChild<T *>(name);
    if (!found)
        qWarning("no %s named %s", T::staticMetaObject.className(), qPrintable(name));
    return found;
}

} // namespace

class TestDeploy final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void wizard_newNamespace_deploysVerifiedHaCluster();
    void wizard_liveCluster_reviewShowsTheDiff();
    void wizard_liveClusterFewerReplicas_refusedPointingToScale();
    void wizard_conflictingManager_namedThenTakenOver();
    void wizard_missingStorageClass_stopsWithTheReason();
    void objectEditor_dryRunDiffThenApply();
    void deleteDialog_claimsOnlyAfterTypedName();
    void guideYamlAppliedWithKubectl_recognisedAndReadBack();

private:
    std::unique_ptr<DeployWizard> makeWizard();
    void grab(QWidget *widget, const QString &name);

    SandboxFixture m_fixture;
    std::unique_ptr<KubeClient> m_client;
    tdkube::taos::PasswordStore *m_passwords = nullptr;
    QString m_ns = u"wizard"_s;
};

void TestDeploy::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_fixture.start({}, 0.02));
    m_client = std::make_unique<KubeClient>(m_fixture.admin());
    m_passwords = new tdkube::taos::PasswordStore(m_client.get());
    m_passwords->setKeychainEnabled(false);
}

void TestDeploy::cleanupTestCase()
{
    m_client.reset();
}

std::unique_ptr<DeployWizard> TestDeploy::makeWizard()
{
    DeployWizard::Environment environment;
    environment.client = m_client.get();
    // As the main window fills it: the connection's own context (an operation's journal names it).
    environment.context = m_client->settings().contextName;
    environment.namespaces = {u"default"_s};
    environment.defaultNamespace = m_ns;
    environment.passwords = m_passwords;
    auto wizard = std::make_unique<DeployWizard>(environment);
    wizard->show();
    return wizard;
}

void TestDeploy::grab(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("TDKUBE_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(QDir(dir).filePath(name + u".png"_s));
}

void TestDeploy::wizard_newNamespace_deploysVerifiedHaCluster()
{
    auto wizard = makeWizard();
    QCOMPARE(wizard->currentId(), int(DeployWizard::TargetPage));
    QWidget *target = wizard->currentPage();
    QCOMPARE(child<QComboBox>(target, u"namespace"_s)->currentText(), m_ns);
    QCOMPARE(child<QLineEdit>(target, u"name"_s)->text(), u"tdengine"_s);

    // A bad name is refused with the reason before the cluster is asked anything.
    child<QLineEdit>(target, u"name"_s)->setText(u"TD_engine"_s);
    QVERIFY(QTest::qWaitFor([target] { return child<QLabel>(target, u"problems"_s)->isVisible(); }, 5000));
    QVERIFY(!wizard->button(QWizard::NextButton)->isEnabled());
    child<QLineEdit>(target, u"name"_s)->setText(u"tdengine"_s);

    // The namespace does not exist: the wizard offers to create it, and waits for the yes.
    auto *create = child<QCheckBox>(target, u"createNamespace"_s);
    QVERIFY(QTest::qWaitFor([create] { return create->isVisible(); }, kWaitMs));
    QVERIFY(!wizard->button(QWizard::NextButton)->isEnabled());
    grab(wizard.get(), u"deploy-target"_s);
    create->setChecked(true);
    QVERIFY(next(wizard.get()));

    QCOMPARE(wizard->currentId(), int(DeployWizard::TopologyPage));
    QCOMPARE(child<QSpinBox>(wizard->currentPage(), u"replicas"_s)->value(), 3);
    QVERIFY(child<QCheckBox>(wizard->currentPage(), u"haMnodes"_s)->isChecked());
    QVERIFY(next(wizard.get()));

    QCOMPARE(wizard->currentId(), int(DeployWizard::StoragePage));
    auto *classes = child<QComboBox>(wizard->currentPage(), u"storageClass"_s);
    QVERIFY(QTest::qWaitFor([classes] { return classes->findData(u"standard"_s) >= 0; }, kWaitMs));
    QCOMPARE(classes->currentData().toString(), u"standard"_s);
    grab(wizard.get(), u"deploy-storage"_s);
    QVERIFY(next(wizard.get()));

    QCOMPARE(wizard->currentId(), int(DeployWizard::ImagePage));
    QVERIFY(next(wizard.get()));

    QCOMPARE(wizard->currentId(), int(DeployWizard::ReviewPage));
    tdkube::ui::DeployReviewPage *review = wizard->reviewPage();
    QCOMPARE(review->tabs()->count(), 4);
    // The steps of the operation Apply starts, under the titles its progress shows.
    QVERIFY2(review->planText().contains(u"recorded operation"_s), qPrintable(review->planText()));
    QVERIFY2(review->planText().contains(u"create an mnode on the dnode of pod tdengine-1"_s),
             qPrintable(review->planText()));
    QVERIFY(review->planText().contains(u"Create namespace"_s));
    QVERIFY(review->editor(3)->text().contains(u"kind: StatefulSet"_s));
    QVERIFY(QTest::qWaitFor([review] { return review->isComplete(); }, kWaitMs));
    // Nothing exists before Apply.
    QCOMPARE(items(m_client.get(), ResourceKind::namespaces(), {}).size() > 0, true);
    QVERIFY(
        items(m_client.get(), ResourceKind::statefulSets(), m_ns, u"app.kubernetes.io/instance=tdengine"_s)
            .isEmpty());
    grab(wizard.get(), u"deploy-review"_s);
    // Export writes what Apply would send, as files kubectl accepts, with the person's comments.
    tdkube::ui::YamlEditor *configMap = review->editor(0);
    configMap->setText(u"# tuned for the lab, see ticket 42\n"_s + configMap->text());
    QVERIFY(QTest::qWaitFor([review] { return review->isComplete(); }, kWaitMs));
    QTemporaryDir exported;
    QString exportError;
    QVERIFY2(review->exportTo(exported.path(), &exportError), qPrintable(exportError));
    QCOMPARE(QDir(exported.path()).entryList({u"*.yaml"_s}, QDir::Files),
             (QStringList{u"10-configmap.yaml"_s, u"20-service-headless.yaml"_s, u"30-service-client.yaml"_s,
                          u"40-statefulset.yaml"_s}));
    QFile exportedConfigMap(QDir(exported.path()).filePath(u"10-configmap.yaml"_s));
    QVERIFY(exportedConfigMap.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(exportedConfigMap.readAll()), configMap->text());
    QVERIFY(next(wizard.get()));

    QCOMPARE(wizard->currentId(), int(DeployWizard::ProgressPage));
    tdkube::ui::DeployProgressPage *progress = wizard->progressPage();
    QSignalSpy deployed(wizard.get(), &DeployWizard::clusterDeployed);
    QVERIFY2(QTest::qWaitFor([progress] { return progress->finished(); }, Slow),
             qPrintable(progress->logText()));
    grab(wizard.get(), u"deploy-progress"_s);
    QVERIFY2(progress->succeeded(), qPrintable(progress->resultText() + u"\n"_s + progress->logText()));
    QCOMPARE(deployed.size(), 1);
    QCOMPARE(deployed.first().at(1).toString(), u"tdengine"_s);
    QCOMPARE(progress->pods()->rowCount(), 3);
    QVERIFY(wizard->button(QWizard::FinishButton)->isEnabled());
    // A new cluster is deployed as a recorded operation: its journal finished, its record in the cluster.
    QVERIFY(progress->executor());
    QCOMPARE(progress->executor()->journal().status(), tdkube::ops::Journal::Status::Finished);
    const QList<QJsonObject> records =
        items(m_client.get(), ResourceKind::configMaps(), m_ns, u"tdkube.io/operation=deploy"_s);
    QCOMPARE(records.size(), 1);
    QCOMPARE(tdkube::kube::nameOf(records.first()),
             tdkube::ops::recordName(progress->executor()->journal().id()));

    // What the cluster holds: three Ready pods, and in TDengine one leader and two followers.
    QCOMPARE(readyPods(m_client.get(), m_ns, u"tdengine"_s), 3);
    const QString mnodes =
        execOutput(m_client.get(), m_ns, u"tdengine-0"_s, {u"taos"_s, u"-s"_s, u"show mnodes"_s});
    QCOMPARE(mnodes.count(u"leader"_s), 1);
    QCOMPARE(mnodes.count(u"follower"_s), 2);
}

void TestDeploy::wizard_liveCluster_reviewShowsTheDiff()
{
    auto wizard = makeWizard();
    QVERIFY(next(wizard.get())); // the namespace exists now
    child<QSpinBox>(wizard->currentPage(), u"replicas"_s)->setValue(4);
    QVERIFY(next(wizard.get()));
    QVERIFY(next(wizard.get()));
    QVERIFY(next(wizard.get()));
    tdkube::ui::DeployReviewPage *review = wizard->reviewPage();
    QVERIFY(QTest::qWaitFor([review] { return review->isComplete(); }, kWaitMs));
    // Applied to the live cluster, not deployed: the plan says so once the dry-run found it.
    QVERIFY2(review->planText().contains(u"for the live cluster tdengine"_s), qPrintable(review->planText()));
    const QString diff = review->diffView(3)->diff();
    QVERIFY2(diff.contains(u"-  replicas: 3"_s) && diff.contains(u"+  replicas: 4"_s), qPrintable(diff));
    QVERIFY2(review->diffView(0)->diff().isEmpty(), qPrintable(review->diffView(0)->diff()));
    // Reviewing changed nothing.
    const QJsonObject set = items(m_client.get(), ResourceKind::statefulSets(), m_ns).value(0);
    QCOMPARE(set.value(u"spec").toObject().value(u"replicas").toInt(), 3);
}

// Fewer replicas applied to the live cluster would end pods without `drop dnode`: the review refuses, says
// why and where the safe scale-in is, and nothing changes.
void TestDeploy::wizard_liveClusterFewerReplicas_refusedPointingToScale()
{
    auto wizard = makeWizard();
    QVERIFY(next(wizard.get()));
    child<QSpinBox>(wizard->currentPage(), u"replicas"_s)->setValue(2);
    QVERIFY(next(wizard.get()));
    QVERIFY(next(wizard.get()));
    QVERIFY(next(wizard.get()));
    tdkube::ui::DeployReviewPage *review = wizard->reviewPage();
    QVERIFY(QTest::qWaitFor(
        [review] { return !review->previewRunning() && review->results()->topLevelItemCount() == 4; },
        kWaitMs));
    const QString said = review->results()->topLevelItem(3)->text(1);
    QVERIFY2(
        said.contains(u"StatefulSet tdengine runs 3 replicas: applying 2 would end pods tdengine-2 without "
                      u"`drop dnode`"_s) &&
            said.contains(u"Scale it in with Scale… on the cluster's page"_s),
        qPrintable(said));
    QCOMPARE(child<QLabel>(review, u"reviewStatus"_s)->text(), said);
    QVERIFY(!review->isComplete());
    QVERIFY(!wizard->button(QWizard::CommitButton)->isEnabled());
    grab(wizard.get(), u"deploy-fewer-replicas"_s);
    const QJsonObject set = items(m_client.get(), ResourceKind::statefulSets(), m_ns).value(0);
    QCOMPARE(set.value(u"spec").toObject().value(u"replicas").toInt(), 3);
}

void TestDeploy::wizard_conflictingManager_namedThenTakenOver()
{
    // Someone else owns spec.replicas now (as `kubectl apply --server-side` would).
    KubeRequest request;
    request.verb = "PATCH";
    request.path = ResourceKind::statefulSets().path(m_ns, u"tdengine"_s);
    request.query.addQueryItem(u"fieldManager"_s, u"ops-team"_s);
    request.contentType = "application/apply-patch+yaml";
    request.body =
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: tdengine\nspec:\n  replicas: 3\n";
    QVERIFY(
        await([&](QObject *context, KubeClient::Done done) { m_client->send(request, context, done); }).ok());

    auto wizard = makeWizard();
    QVERIFY(next(wizard.get()));
    child<QSpinBox>(wizard->currentPage(), u"replicas"_s)->setValue(4);
    QVERIFY(next(wizard.get()));
    QVERIFY(next(wizard.get()));
    QVERIFY(next(wizard.get()));
    tdkube::ui::DeployReviewPage *review = wizard->reviewPage();
    auto *force = child<QCheckBox>(review, u"force"_s);
    QVERIFY(QTest::qWaitFor([force] { return force->isVisible(); }, kWaitMs));
    QVERIFY(!review->isComplete());
    const QString result = review->results()->topLevelItem(3)->text(1);
    QVERIFY2(result.contains(u".spec.replicas"_s) && result.contains(u"ops-team"_s), qPrintable(result));
    force->setChecked(true);
    QVERIFY(review->isComplete());
    QVERIFY(next(wizard.get()));
    tdkube::ui::DeployProgressPage *progress = wizard->progressPage();
    QVERIFY2(QTest::qWaitFor([progress] { return progress->finished(); }, Slow),
             qPrintable(progress->logText()));
    QVERIFY2(progress->succeeded(), qPrintable(progress->resultText() + u"\n"_s + progress->logText()));
    QCOMPARE(readyPods(m_client.get(), m_ns, u"tdengine"_s), 4);
}

void TestDeploy::wizard_missingStorageClass_stopsWithTheReason()
{
    auto wizard = makeWizard();
    QWidget *target = wizard->currentPage();
    child<QLineEdit>(target, u"name"_s)->setText(u"nostorage"_s);
    QVERIFY(next(wizard.get()));
    child<QSpinBox>(wizard->currentPage(), u"replicas"_s)->setValue(1);
    QVERIFY(next(wizard.get()));
    QVERIFY(next(wizard.get()));
    QVERIFY(next(wizard.get()));
    tdkube::ui::DeployReviewPage *review = wizard->reviewPage();
    QVERIFY(QTest::qWaitFor([review] { return review->isComplete(); }, kWaitMs));
    // Edited by hand in the review: a class the cluster does not have.
    tdkube::ui::YamlEditor *editor = review->editor(3);
    QString text = editor->text();
    QVERIFY(text.contains(u"storageClassName: standard"_s));
    editor->setText(text.replace(u"storageClassName: standard"_s, u"storageClassName: fast"_s));
    QVERIFY(QTest::qWaitFor([review] { return !review->isComplete(); }, 5000));
    QVERIFY(QTest::qWaitFor([review] { return review->isComplete(); }, kWaitMs));
    QVERIFY(next(wizard.get()));
    tdkube::ui::DeployProgressPage *progress = wizard->progressPage();
    QVERIFY2(QTest::qWaitFor([progress] { return progress->finished(); }, Slow),
             qPrintable(progress->logText()));
    QVERIFY(!progress->succeeded());
    QVERIFY2(progress->resultText().contains(u"fast"_s), qPrintable(progress->resultText()));
    // No resume could finish it (a claim template cannot change): abandoned, not offered.
    QVERIFY2(progress->resultText().contains(u"was abandoned: no resume can finish it."_s),
             qPrintable(progress->resultText()));
    QCOMPARE(tdkube::ops::Journal::load(progress->executor()->journal().path()).status(),
             tdkube::ops::Journal::Status::Abandoned);
    grab(wizard.get(), u"deploy-failed"_s);
}

void TestDeploy::objectEditor_dryRunDiffThenApply()
{
    const QJsonObject live =
        await([&](QObject *context, KubeClient::Done done) {
            m_client->get(ResourceKind::configMaps(), m_ns, u"tdengine-taoscfg"_s, context, done);
        }).json();
    QVERIFY(!live.isEmpty());
    tdkube::ui::ObjectEditorDialog dialog(m_client.get(), live);
    dialog.show();
    tdkube::ui::YamlEditor *editor = dialog.editor();
    QVERIFY(!editor->text().contains(u"managedFields"_s));
    QVERIFY(!dialog.applyButton()->isEnabled()); // no dry-run yet
    QString text = editor->text();
    QVERIFY2(text.contains(u"TAOS_DEBUG_FLAG: '131'"_s), qPrintable(text));
    editor->setText(text.replace(u"TAOS_DEBUG_FLAG: '131'"_s, u"TAOS_DEBUG_FLAG: '135'"_s));
    QVERIFY(QTest::qWaitFor([&dialog] { return dialog.dryRunButton()->isEnabled(); }, 5000));
    dialog.dryRun();
    QVERIFY(QTest::qWaitFor([&dialog] { return dialog.applyButton()->isEnabled(); }, kWaitMs));
    const QString diff = dialog.diffView()->diff();
    QVERIFY2(diff.contains(u"-  TAOS_DEBUG_FLAG: '131'"_s) && diff.contains(u"+  TAOS_DEBUG_FLAG: '135'"_s),
             qPrintable(diff));
    // The dry-run changed nothing.
    auto value = [this] {
        return await([&](QObject *context, KubeClient::Done done) {
                   m_client->get(ResourceKind::configMaps(), m_ns, u"tdengine-taoscfg"_s, context, done);
               })
            .json()
            .value(u"data"_s)
            .toObject()
            .value(u"TAOS_DEBUG_FLAG"_s)
            .toString();
    };
    QCOMPARE(value(), u"131"_s);
    QSignalSpy applied(&dialog, &tdkube::ui::ObjectEditorDialog::applied);
    dialog.applyButton()->click();
    QVERIFY2(applied.wait(kWaitMs), qPrintable(dialog.statusText()));
    QCOMPARE(value(), u"135"_s);
}

void TestDeploy::deleteDialog_claimsOnlyAfterTypedName()
{
    tdkube::ui::DeleteClusterDialog dialog(m_client.get(), m_ns, u"tdengine"_s);
    dialog.show();
    QVERIFY(QTest::qWaitFor([&dialog] { return dialog.planLoaded(); }, kWaitMs));
    QStringList planned;
    for (int i = 0; i < dialog.planView()->topLevelItemCount(); ++i)
        planned.append(dialog.planView()->topLevelItem(i)->text(0));
    QVERIFY2(planned.contains(u"StatefulSet tdengine"_s), qPrintable(planned.join(u", "_s)));
    QVERIFY2(planned.contains(u"PersistentVolumeClaim taosdata-tdengine-0"_s),
             qPrintable(planned.join(u", "_s)));
    QVERIFY(dialog.deleteButton()->isEnabled());
    dialog.claimsBox()->setChecked(true);
    QVERIFY(!dialog.deleteButton()->isEnabled());
    grab(&dialog, u"delete-cluster"_s);
    dialog.confirmation()->setText(u"tdengin"_s);
    QVERIFY(!dialog.deleteButton()->isEnabled());
    dialog.confirmation()->setText(u"tdengine"_s);
    QVERIFY(dialog.deleteButton()->isEnabled());
    dialog.deleteButton()->click();
    QVERIFY2(QTest::qWaitFor([&dialog] { return dialog.finished(); }, Slow), qPrintable(dialog.logText()));
    QVERIFY2(dialog.succeeded(), qPrintable(dialog.statusText() + u"\n"_s + dialog.logText()));
    grab(&dialog, u"delete-cluster-done"_s);
    QVERIFY(
        items(m_client.get(), ResourceKind::statefulSets(), m_ns, u"app.kubernetes.io/instance=tdengine"_s)
            .isEmpty());
    QVERIFY(items(m_client.get(), ResourceKind::pods(), m_ns, u"app.kubernetes.io/instance=tdengine"_s)
                .isEmpty());
    QVERIFY(items(m_client.get(), ResourceKind::persistentVolumeClaims(), m_ns,
                  u"app.kubernetes.io/instance=tdengine"_s)
                .isEmpty());
    QVERIFY(items(m_client.get(), ResourceKind::services(), m_ns, u"app.kubernetes.io/instance=tdengine"_s)
                .isEmpty());
    // A recorded operation: its record outlives the cluster (owned by nobody), finished.
    QTRY_VERIFY_WITH_TIMEOUT(
        !items(m_client.get(), ResourceKind::configMaps(), m_ns,
               u"tdkube.io/operation=delete,tdkube.io/phase=finished,tdkube.io/cluster=tdengine"_s)
             .isEmpty(),
        kWaitMs);
    QVERIFY2(dialog.logText().contains(u"Delete cluster tdengine (5 steps): done."_s),
             qPrintable(dialog.logText()));
}

void TestDeploy::guideYamlAppliedWithKubectl_recognisedAndReadBack()
{
    if (QStandardPaths::findExecutable(u"kubectl"_s).isEmpty())
        QSKIP("kubectl is not on the PATH");
    QVERIFY(createNamespace(m_client.get(), u"guide"_s));
    // The guide's StatefulSet, applied by hand as a DBA did before tdkube.
    QProcess kubectl;
    kubectl.start(u"kubectl"_s, {u"--kubeconfig"_s, m_fixture.path(u"kubeconfig"_s), u"apply"_s, u"-n"_s,
                                 u"guide"_s, u"-f"_s, QStringLiteral(TDKUBE_GUIDE_YAML)});
    // The sandbox answers on this thread: wait with the event loop turning.
    QVERIFY(QTest::qWaitFor([&kubectl] { return kubectl.state() == QProcess::NotRunning; }, 60000));
    QVERIFY2(kubectl.exitCode() == 0, kubectl.readAllStandardError().constData());
    const QJsonObject set =
        await([&](QObject *context, KubeClient::Done done) {
            m_client->get(ResourceKind::statefulSets(), u"guide"_s, u"tdengine"_s, context, done);
        }).json();
    QVERIFY(tdkube::kube::isTdengineStatefulSet(set));
    tdkube::ui::ClusterView view;
    view.setStatefulSet(set);
    view.resize(900, 520);
    view.tabs()->setCurrentIndex(view.tabs()->count() - 1);
    view.show();
    grab(&view, u"cluster-configuration"_s);
    const QString text = view.configurationText();
    QVERIFY2(text.contains(u"Not deployed by tdkube"_s), qPrintable(text));
    QVERIFY2(text.contains(u"tdengine/tdengine:3.0.7.1"_s), qPrintable(text));
    QVERIFY2(text.contains(u"taosd"_s), qPrintable(text));
}

QTEST_MAIN(TestDeploy)
#include "tst_deploy.moc"
