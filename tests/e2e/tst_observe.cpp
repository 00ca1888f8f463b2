// The real main window, offscreen, against a sandbox started by the test: load the kubeconfig the
// sandbox writes, apply the TDengine manifests, and check what a person would see: three pods
// becoming Ready, rows coming and going on scale, stale claims marked, why a pod is Pending, logs,
// the viewer's Forbidden, a blackholed context that never delays the window.
#include "clusterdashboard.h"
#include "clusterview.h"
#include "deploywizard.h"
#include "detailspane.h"
#include "kube/kubeconfig.h"
#include "kube/yamljson.h"
#include "logview.h"
#include "mainwindow.h"
#include "navigator.h"
#include "objecteditordialog.h"
#include "portforwardpanel.h"
#include "resourcetablemodel.h"
#include "resourceview.h"
#include "resultmodel.h"
#include "sandbox.h"
#include "sqlconsole.h"
#include "yamleditor.h"

#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTextCursor>
#include <QToolButton>
#include <QTreeWidget>

#include <memory>

using namespace Qt::StringLiterals;
namespace kube = tdkube::kube;
using tdkube::ui::MainWindow;
using tdkube::ui::ResourceTableModel;

namespace {

constexpr int Slow = 30000; // ms: generous, for sanitizer builds on a loaded machine

// What the table shows in `column` (by header) for the row named `name`; empty when absent.
QString cell(const MainWindow &window, const QString &plural, const QString &name, const QString &header)
{
    const ResourceTableModel *model = window.view(plural)->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->data(model->index(row, 0)).toString() != name)
            continue;
        for (int column = 0; column < model->columnCount(); ++column) {
            if (model->headerData(column, Qt::Horizontal).toString() == header)
                return model->data(model->index(row, column)).toString();
        }
    }
    return {};
}

QStringList names(const MainWindow &window, const QString &plural)
{
    QStringList result;
    const ResourceTableModel *model = window.view(plural)->model();
    for (int row = 0; row < model->rowCount(); ++row)
        result.append(model->data(model->index(row, 0)).toString());
    result.sort();
    return result;
}

} // namespace

class TestObserve final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void blackholedContext_doesNotDelayTheWindow();
    void applyManifests_threePodsBecomeReady();
    void selectPod_detailsYamlAndLogs();
    void scale_rowsComeAndGo_staleClaimsMarked();
    void clusterDashboard_throughPortForward_warnsOfTheScaleInWithoutDrop();
    void portForwards_serveRestSql_andAreRestoredWhenAsked();
    void pendingPod_explainedInPlainWords();
    void watchDropped_reconnectsAndTableMatchesServer();
    void viewerContext_deleteIsForbiddenWithTheServersMessage();
    void clusterList_otherNamespacesGrouped_viewerToldWhyNot();
    void namespaceSwitch_remembered();
    void filterAndSort_byTextLabelAndColumn();
    void deployActionAndEditButton_openTheirDialogs();

private:
    kube::KubeResponse
    call(const std::function<void(kube::KubeClient *, QObject *, kube::KubeClient::Done)> &request);
    void applyManifests(const QString &ns);
    void grab(const QString &name);

    QTemporaryDir m_dir;
    std::unique_ptr<tdkube::sandbox::Sandbox> m_sandbox;
    QString m_kubeconfig;
    std::unique_ptr<MainWindow> m_window;
    QString m_ns = u"e2e"_s;
};

void TestObserve::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(u"settings"_s));
    tdkube::sandbox::SandboxOptions options;
    options.kubeconfigPath = m_dir.filePath(u"kubeconfig"_s);
    options.dataDir = m_dir.filePath(u"data"_s);
    options.timeScale = 0.1;
    m_sandbox = std::make_unique<tdkube::sandbox::Sandbox>(options);
    QString error;
    QVERIFY2(m_sandbox->start(&error), qPrintable(error));
    m_kubeconfig = options.kubeconfigPath;
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1400, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestObserve::cleanupTestCase()
{
    m_window.reset();
    m_sandbox.reset();
}

kube::KubeResponse
TestObserve::call(const std::function<void(kube::KubeClient *, QObject *, kube::KubeClient::Done)> &request)
{
    std::optional<kube::KubeResponse> result;
    QObject context;
    request(m_window->session()->client(), &context,
            [&result](const kube::KubeResponse &response) { result = response; });
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, Slow))
        qWarning("a request did not finish in time");
    return result.value_or(kube::KubeResponse{});
}

void TestObserve::applyManifests(const QString &ns)
{
    const QDir manifests(QStringLiteral(TDKUBE_MANIFESTS_DIR));
    for (const QString &file : manifests.entryList({u"*.yaml"_s}, QDir::Files, QDir::Name)) {
        QFile yaml(manifests.filePath(file));
        QVERIFY(yaml.open(QIODevice::ReadOnly));
        QList<QJsonValue> documents;
        QString error;
        QVERIFY2(tdkube::kube::yamlDocumentsToJson(yaml.readAll(), &documents, &error), qPrintable(error));
        for (const QJsonValue &document : documents) {
            const QJsonObject object = document.toObject();
            const kube::ResourceKind kind = kube::ResourceKind::fromApiVersionKind(
                object.value(u"apiVersion").toString(), object.value(u"kind").toString());
            QVERIFY2(kind.isValid(), qPrintable(file));
            const QString name = object.value(u"metadata").toObject().value(u"name").toString();
            const kube::KubeResponse response = call([&](kube::KubeClient *client, QObject *context,
                                                         auto done) {
                client->apply(kind, ns, name, QJsonDocument(object).toJson(), false, false, context, done);
            });
            QVERIFY2(response.ok(), qPrintable(file + u": "_s + response.error));
        }
    }
}

void TestObserve::grab(const QString &name)
{
    // Screenshots for people to look at: TDKUBE_SCREENSHOT_DIR=/some/dir ctest -R tst_observe
    const QString dir = qEnvironmentVariable("TDKUBE_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        m_window->grab().save(QDir(dir).filePath(name + u".png"_s));
}

void TestObserve::blackholedContext_doesNotDelayTheWindow()
{
    // A server that accepts TCP connections and never says a word: the TLS handshake hangs.
    QTcpServer blackhole;
    QVERIFY(blackhole.listen(QHostAddress::LocalHost));
    blackhole.pauseAccepting();
    const QString path = m_dir.filePath(u"blackhole"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(
        u"apiVersion: v1\nkind: Config\ncurrent-context: blackhole\n"
        "clusters:\n- name: blackhole\n  cluster:\n    server: https://127.0.0.1:%1\n"
        "    insecure-skip-tls-verify: true\n"
        "users:\n- name: someone\n  user:\n    token: not-a-real-token\n"
        "contexts:\n- name: blackhole\n  context: {cluster: blackhole, user: someone, namespace: db}\n"_s
            .arg(blackhole.serverPort())
            .toUtf8());
    file.close();

    QElapsedTimer timer;
    timer.start();
    m_window->openKubeconfig(kube::Kubeconfig::load({path, m_kubeconfig}), u"blackhole"_s);
    QVERIFY2(timer.elapsed() < 500, qPrintable(u"openKubeconfig took %1 ms"_s.arg(timer.elapsed())));
    // The event loop keeps turning while the connection hangs.
    timer.restart();
    QTest::qWait(200);
    QVERIFY2(timer.elapsed() < 700, qPrintable(u"a 200 ms wait took %1 ms"_s.arg(timer.elapsed())));
    QVERIFY2(m_window->connectionText().contains(u"Connecting"_s), qPrintable(m_window->connectionText()));
    QVERIFY(m_window->insecureBadgeShown()); // insecure-skip-tls-verify is shown, not hidden
    QTRY_VERIFY_WITH_TIMEOUT(m_window->connectionText().contains(u"Context blackhole is unreachable"_s),
                             Slow);
    grab(u"blackholed"_s);

    // Switching away cancels the hanging requests and opens the sandbox at once.
    m_window->openContext(u"sandbox-admin"_s, m_ns);
    QVERIFY(!m_window->insecureBadgeShown());
    QTRY_VERIFY_WITH_TIMEOUT(m_window->connectionText().contains(u"Kubernetes v1.32"_s), Slow);
}

void TestObserve::applyManifests_threePodsBecomeReady()
{
    const kube::KubeResponse created = call([&](kube::KubeClient *client, QObject *context, auto done) {
        client->create(kube::ResourceKind::namespaces(), {},
                       QJsonObject{{u"apiVersion"_s, u"v1"_s},
                                   {u"kind"_s, u"Namespace"_s},
                                   {u"metadata"_s, QJsonObject{{u"name"_s, m_ns}}}},
                       context, done);
    });
    QVERIFY2(created.ok(), qPrintable(created.error));
    applyManifests(m_ns);
    m_window->showView(u"pods"_s);
    QTRY_COMPARE_WITH_TIMEOUT(names(*m_window, u"pods"_s),
                              QStringList({u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}), Slow);
    for (const QString &pod : {u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}) {
        QTRY_COMPARE_WITH_TIMEOUT(cell(*m_window, u"pods"_s, pod, u"READY"_s), u"1/1"_s, Slow);
        QCOMPARE(cell(*m_window, u"pods"_s, pod, u"STATUS"_s), u"Running"_s);
        QVERIFY(!cell(*m_window, u"pods"_s, pod, u"NODE"_s).isEmpty());
    }
    QVERIFY(m_window->view(u"pods"_s)->stateText().contains(u"Live"_s));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->tdengineClusters(), QStringList{u"tdengine"_s}, Slow);
    QTRY_COMPARE_WITH_TIMEOUT(cell(*m_window, u"statefulsets"_s, u"tdengine"_s, u"READY"_s), u"3/3"_s, Slow);
    QTRY_COMPARE_WITH_TIMEOUT(
        cell(*m_window, u"persistentvolumeclaims"_s, u"taosdata-tdengine-0"_s, u"STATUS"_s), u"Bound"_s,
        Slow);
    QTRY_COMPARE_WITH_TIMEOUT(
        cell(*m_window, u"persistentvolumeclaims"_s, u"taosdata-tdengine-0"_s, u"RECLAIM POLICY"_s),
        u"Delete"_s, Slow);
    grab(u"pods"_s);
}

void TestObserve::selectPod_detailsYamlAndLogs()
{
    m_window->showView(u"pods"_s);
    QTableView *table = m_window->view(u"pods"_s)->table();
    m_window->view(u"pods"_s)->textFilter()->setText(u"tdengine-1"_s);
    QTRY_COMPARE(table->model()->rowCount(), 1);
    table->setCurrentIndex(table->model()->index(0, 0));
    QTRY_VERIFY(m_window->details()->overviewText().contains(u"Pod tdengine-1"_s));
    QVERIFY(m_window->details()->overviewText().contains(u"Conditions"_s));
    QVERIFY(m_window->details()->overviewText().contains(u"Containers"_s));
    QVERIFY(m_window->details()->yamlText().contains(u"kind: Pod\n"_s));
    QVERIFY(m_window->details()->yamlText().contains(u"  name: tdengine-1\n"_s));
    m_window->details()->tabs()->setCurrentIndex(2);
    tdkube::ui::LogView *logs = m_window->details()->logView();
    QTRY_VERIFY_WITH_TIMEOUT(logs->text().contains(u"taosd is serving as dnode 2"_s), Slow);
    auto *search = logs->findChild<QLineEdit *>(u"logSearch"_s);
    QVERIFY(search);
    search->setText(u"dnode"_s);
    QVERIFY2(logs->status().contains(u"match"_s), qPrintable(logs->status()));
    QVERIFY(logs->findNext());
    const QString saved = m_dir.filePath(u"tdengine-1.log"_s);
    QString error;
    QVERIFY2(logs->saveTo(saved, &error), qPrintable(error));
    QFile file(saved);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(file.readAll()), logs->text() + u'\n');
    search->clear();
    grab(u"pod-details"_s);
    m_window->view(u"pods"_s)->textFilter()->clear();
    m_window->details()->tabs()->setCurrentIndex(0);
}

void TestObserve::scale_rowsComeAndGo_staleClaimsMarked()
{
    const auto scale = [this](int replicas) {
        return call([&](kube::KubeClient *client, QObject *context, auto done) {
            client->scale(m_ns, u"tdengine"_s, replicas, context, done);
        });
    };
    QVERIFY(scale(4).ok());
    QTRY_COMPARE_WITH_TIMEOUT(cell(*m_window, u"pods"_s, u"tdengine-3"_s, u"READY"_s), u"1/1"_s, Slow);
    QVERIFY(scale(2).ok());
    QTRY_COMPARE_WITH_TIMEOUT(names(*m_window, u"pods"_s), QStringList({u"tdengine-0"_s, u"tdengine-1"_s}),
                              Slow);
    // The claims of tdengine-2 and -3 stay (whenScaled: Retain) and are marked as stale.
    const ResourceTableModel *claims = m_window->view(u"persistentvolumeclaims"_s)->model();
    QTRY_VERIFY_WITH_TIMEOUT(!claims->rowNote(claims->rowOf(m_ns, u"taosdata-tdengine-3"_s)).isEmpty(), Slow);
    QVERIFY(
        claims->rowNote(claims->rowOf(m_ns, u"taosdata-tdengine-2"_s)).contains(u"scale-out to 3 or more"_s));
    QVERIFY(claims->rowNote(claims->rowOf(m_ns, u"taosdata-tdengine-1"_s)).isEmpty());
    m_window->showView(u"persistentvolumeclaims"_s, u"tdengine"_s);
    QCOMPARE(m_window->view(u"persistentvolumeclaims"_s)->proxy()->rowCount(), 4);
    grab(u"stale-claims"_s);
    QVERIFY(scale(3).ok());
    QTRY_COMPARE_WITH_TIMEOUT(cell(*m_window, u"pods"_s, u"tdengine-2"_s, u"READY"_s), u"1/1"_s, Slow);
    QTRY_VERIFY(claims->rowNote(claims->rowOf(m_ns, u"taosdata-tdengine-2"_s)).isEmpty());
}

void TestObserve::clusterDashboard_throughPortForward_warnsOfTheScaleInWithoutDrop()
{
    // The scale to 4 and back to 2 (without `drop dnode`) left dnode 4 in the cluster with no pod,
    // and tdengine-3's claim behind: both are what the dashboard must say.
    m_window->passwords()->setKeychainEnabled(false);
    m_window->setClusterPollInterval(300);
    QTreeWidgetItem *clusters = m_window->navigator()->topLevelItem(0);
    QCOMPARE(clusters->childCount(), 1);
    m_window->navigator()->setCurrentItem(clusters->child(0));
    tdkube::ui::ClusterView *view = m_window->clusterView();
    QTRY_VERIFY(view->isVisible());
    tdkube::ui::ClusterDashboard *dashboard = view->dashboard();
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->dnodeTable()->rowCount() == 4, Slow);
    QVERIFY2(view->connectionText().contains(u"through a port-forward, 127.0.0.1:"_s),
             qPrintable(view->connectionText()));
    QVERIFY2(view->loginText().contains(u"default password"_s), qPrintable(view->loginText()));
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->summaryText().startsWith(u"dnodes 3/4 ready"_s), Slow);
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->warningTitles().contains(u"dnode 4 has no pod"_s), Slow);
    QVERIFY2(dashboard->warningTitles().contains(u"1 stale volume claim"_s),
             qPrintable(dashboard->warningTitles().join(u"; ")));
    QCOMPARE(dashboard->dnodeTable()->item(3, 2)->text(), u"tdengine-3"_s);
    QCOMPARE(dashboard->dnodeTable()->item(3, 4)->text(), u"offline"_s);
    QCOMPARE(dashboard->dnodeTable()->item(3, 7)->text(), u"taosdata-tdengine-3"_s);
    QCOMPARE(dashboard->mnodeTable()->rowCount(), 1);
    QVERIFY2(dashboard->findChild<QLabel *>(u"dashboardTitle"_s)
                 ->text()
                 .startsWith(u"TDengine cluster tdengine — "_s),
             qPrintable(dashboard->findChild<QLabel *>(u"dashboardTitle"_s)->text()));
    // The version the cluster says it runs (`select server_version()`, read once per connection).
    QVERIFY2(dashboard->findChild<QLabel *>(u"dashboardTitle"_s)->text().endsWith(u", TDengine 3.0.7.1"_s),
             qPrintable(dashboard->findChild<QLabel *>(u"dashboardTitle"_s)->text()));
    grab(u"cluster-dashboard"_s);

    // A wrong password is said plainly, with TDengine's code and words.
    view->connection()->setLogin(u"root"_s, u"wrong"_s);
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->summaryText().contains(u"could not be read"_s), Slow);
    view->connection()->setLogin(u"root"_s, u"taosdata"_s);
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->summaryText().startsWith(u"dnodes 3/4 ready"_s), Slow);
    QVERIFY(!view->loginText().contains(u"default password"_s));

    // The SQL console: create, insert, select back; bad SQL shows TDengine's code and words.
    view->tabs()->setCurrentIndex(1);
    tdkube::ui::SqlConsole *console = view->console();
    QTRY_VERIFY(console->client() != nullptr);
    const auto runAndWait = [console](const QString &sql) {
        console->editor()->setPlainText(sql);
        console->runCurrent();
        return QTest::qWaitFor([console] { return !console->isRunning(); }, Slow);
    };
    QVERIFY(runAndWait(u"create database e2edb replica 1"_s));
    QVERIFY2(!console->statusText().contains(u"error"_s, Qt::CaseInsensitive),
             qPrintable(console->statusText()));
    QVERIFY(runAndWait(u"create table e2edb.t (ts timestamp, v int, s varchar(16))"_s));
    QVERIFY(
        runAndWait(u"insert into e2edb.t values (now, 1, 'a') (now + 1s, 2, NULL) (now + 2s, 3, 'c,d')"_s));
    QVERIFY2(console->statusText().startsWith(u"3 rows affected"_s), qPrintable(console->statusText()));
    // Two statements in the editor: the one under the cursor runs.
    console->editor()->setPlainText(u"show databases;\nselect v, s from e2edb.t order by v desc;"_s);
    QTextCursor cursor = console->editor()->textCursor();
    cursor.movePosition(QTextCursor::End);
    console->editor()->setTextCursor(cursor);
    QCOMPARE(console->currentStatement(), u"select v, s from e2edb.t order by v desc"_s);
    console->runCurrent();
    QTRY_VERIFY_WITH_TIMEOUT(!console->isRunning(), Slow);
    QVERIFY2(console->statusText().startsWith(u"3 rows in "_s), qPrintable(console->statusText()));
    tdkube::ui::ResultModel *model = console->resultModel();
    QCOMPARE(model->rowCount(), 3);
    QCOMPARE(model->data(model->index(0, 0)).toString(), u"3"_s);
    QCOMPARE(model->data(model->index(1, 1)).toString(), u"NULL"_s);
    model->sort(0, Qt::AscendingOrder);
    QCOMPARE(model->data(model->index(0, 0)).toString(), u"1"_s);
    QCOMPARE(model->toCsv(), u"v,s\r\n1,a\r\n2,\r\n3,\"c,d\"\r\n"_s);
    QVERIFY(runAndWait(u"select * from e2edb.nosuchtable"_s));
    QVERIFY2(console->statusText().startsWith(u"TDengine error 0x2603: Table does not exist"_s),
             qPrintable(console->statusText()));
    QVERIFY(runAndWait(u"alter user root pass 'taosdata'"_s));
    QVERIFY(!console->history().join(u'\n').contains(u"pass"_s)); // a password never reaches the history
    QVERIFY(console->history().contains(u"create database e2edb replica 1"_s));
    grab(u"sql-console"_s);
    view->tabs()->setCurrentIndex(0);

    // Four dnodes, one mnode: said. The other warnings made real: the node under tdengine-2 stops (its
    // dnode goes offline while the pod is still there; a replica-3 database loses a majority of the
    // ready dnodes), and they go when the node comes back.
    QVERIFY2(dashboard->warningTitles().contains(u"only 1 mnode"_s),
             qPrintable(dashboard->warningTitles().join(u"; ")));
    QVERIFY(runAndWait(u"create database e2er3 replica 3"_s));
    QVERIFY2(!console->statusText().contains(u"error"_s, Qt::CaseInsensitive),
             qPrintable(console->statusText()));
    const kube::KubeResponse pod2 = call([&](kube::KubeClient *client, QObject *context, auto done) {
        client->get(kube::ResourceKind::pods(), m_ns, u"tdengine-2"_s, context, done);
    });
    const QString node = pod2.json().value(u"spec"_s).toObject().value(u"nodeName"_s).toString();
    QVERIFY(!node.isEmpty());
    const auto setNodeReady = [&](bool ready) {
        return call([&](kube::KubeClient *client, QObject *context, auto done) {
            kube::KubeRequest request;
            request.verb = "POST";
            request.path = u"/sandbox/v1/nodes/"_s + node + u"/ready"_s;
            request.body = QJsonDocument(QJsonObject{{u"ready"_s, ready}}).toJson(QJsonDocument::Compact);
            client->send(request, context, done);
        });
    };
    QVERIFY(setNodeReady(false).ok());
    QTRY_VERIFY2_WITH_TIMEOUT(dashboard->warningTitles().contains(u"dnode 3 is offline"_s),
                              qPrintable(dashboard->warningTitles().join(u"; ")), Slow);
    QTRY_VERIFY2_WITH_TIMEOUT(dashboard->warningTitles().contains(u"database e2er3 needs 3 dnodes"_s),
                              qPrintable(dashboard->warningTitles().join(u"; ")), Slow);
    QCOMPARE(dashboard->dnodeTable()->item(2, 4)->text(), u"offline"_s);
    grab(u"cluster-dashboard-node-down"_s);
    QVERIFY(setNodeReady(true).ok());
    QTRY_VERIFY2_WITH_TIMEOUT(!dashboard->warningTitles().contains(u"dnode 3 is offline"_s),
                              qPrintable(dashboard->warningTitles().join(u"; ")), Slow);
    QTRY_VERIFY2_WITH_TIMEOUT(!dashboard->warningTitles().contains(u"database e2er3 needs 3 dnodes"_s),
                              qPrintable(dashboard->warningTitles().join(u"; ")), Slow);
    QTRY_COMPARE_WITH_TIMEOUT(cell(*m_window, u"pods"_s, u"tdengine-2"_s, u"READY"_s), u"1/1"_s, Slow);
    m_window->showView(u"pods"_s);
}

void TestObserve::portForwards_serveRestSql_andAreRestoredWhenAsked()
{
    m_window->showView(u"portforwards"_s);
    tdkube::ui::PortForwardPanel *panel = m_window->portForwards();
    QTRY_VERIFY(panel->isVisible());
    kube::PortForward *forward =
        panel->startForward({kube::ForwardTarget::Kind::StatefulSet, m_ns, u"tdengine"_s}, 6041);
    QVERIFY(forward);
    QTRY_COMPARE_WITH_TIMEOUT(forward->state(), kube::PortForward::State::Active, Slow);
    const tdkube::ui::PortForwardModel *model = panel->model();
    QVERIFY(model->data(model->index(0, tdkube::ui::PortForwardModel::State))
                .toString()
                .startsWith(u"Active: forwarding 127.0.0.1:"_s));
    QVERIFY(model->data(model->index(0, tdkube::ui::PortForwardModel::Local))
                .toString()
                .startsWith(u"127.0.0.1:"_s));

    // Any HTTP client can use it: taosAdapter answers through the forward.
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/rest/sql"_s.arg(forward->localPort())));
    request.setRawHeader("Authorization", "Basic " + QByteArray("root:taosdata").toBase64());
    QNetworkReply *reply = network.post(request, QByteArray("show databases"));
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), Slow);
    const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    QCOMPARE(answer.value(u"code"_s).toInt(-1), 0);
    QTRY_VERIFY(forward->bytesIn() > 0);
    QTRY_VERIFY(!model->data(model->index(0, tdkube::ui::PortForwardModel::Bytes))
                     .toString()
                     .startsWith(u"0 bytes in"_s));
    grab(u"port-forwards"_s);

    // Remembered and started again by the next window that opens this namespace, when asked to.
    panel->setRestoreAtStart(true);
    {
        MainWindow next;
        next.passwords()->setKeychainEnabled(false);
        next.openKubeconfig(kube::Kubeconfig::load({m_kubeconfig}), u"sandbox-admin"_s, m_ns);
        QCOMPARE(next.portForwards()->model()->rowCount(), 1);
        QCOMPARE(next.portForwards()->model()->forwardAt(0)->target().name, u"tdengine"_s);
        QTRY_COMPARE_WITH_TIMEOUT(next.portForwards()->model()->forwardAt(0)->state(),
                                  kube::PortForward::State::Active, Slow);
    }
    panel->setRestoreAtStart(false);
    panel->model()->remove(0);
    m_window->showView(u"pods"_s);
}

void TestObserve::pendingPod_explainedInPlainWords()
{
    const QJsonObject claim = QJsonDocument::fromJson(R"({"apiVersion":"v1","kind":"PersistentVolumeClaim",
        "metadata":{"name":"fast-data"},"spec":{"storageClassName":"fast","accessModes":["ReadWriteOnce"],
        "resources":{"requests":{"storage":"1Gi"}}}})")
                                  .object();
    const QJsonObject pod =
        QJsonDocument::fromJson(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"waiting"},
        "spec":{"containers":[{"name":"main","image":"tdengine/tdengine:3.3.6.0"}],
        "volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"fast-data"}}]}})")
            .object();
    for (const auto &[kind, object] : {std::pair(kube::ResourceKind::persistentVolumeClaims(), claim),
                                       std::pair(kube::ResourceKind::pods(), pod)}) {
        const kube::KubeResponse response = call([&](kube::KubeClient *client, QObject *context, auto done) {
            client->create(kind, m_ns, object, context, done);
        });
        QVERIFY2(response.ok(), qPrintable(response.error));
    }
    m_window->showView(u"pods"_s);
    QTRY_COMPARE_WITH_TIMEOUT(cell(*m_window, u"pods"_s, u"waiting"_s, u"STATUS"_s), u"Pending"_s, Slow);
    QTableView *table = m_window->view(u"pods"_s)->table();
    m_window->view(u"pods"_s)->textFilter()->setText(u"waiting"_s);
    QTRY_COMPARE(table->model()->rowCount(), 1);
    table->setCurrentIndex(table->model()->index(0, 0));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->details()->overviewText().contains(u"Why this pod is not running"_s),
                             Slow);
    const QString overview = m_window->details()->overviewText();
    QVERIFY2(
        overview.contains(u"asks for the storage class \"fast\", which this cluster does not have (it has: "
                          "standard)"_s),
        qPrintable(overview));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->details()->overviewText().contains(u"FailedScheduling"_s), Slow);
    grab(u"pending-pod"_s);
    m_window->view(u"pods"_s)->textFilter()->clear();
}

void TestObserve::watchDropped_reconnectsAndTableMatchesServer()
{
    m_window->session()->setWatchBackoff(20, 200);
    m_window->openContext(u"sandbox-admin"_s, m_ns);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->view(u"pods"_s)->stateText().contains(u"Live"_s), Slow);
    QTRY_COMPARE_WITH_TIMEOUT(names(*m_window, u"pods"_s).size(), 4, Slow);
    const auto inject = [this](const QJsonObject &fault) {
        return call([&](kube::KubeClient *client, QObject *context, auto done) {
            kube::KubeRequest request;
            request.verb = "POST";
            request.path = u"/sandbox/v1/faults"_s;
            request.body = QJsonDocument(fault).toJson(QJsonDocument::Compact);
            client->send(request, context, done);
        });
    };
    // The API server failing for a while: the view says Reconnecting and why, then Live again.
    QVERIFY(inject({{u"failRequests"_s, 100000}, {u"failCode"_s, 500}, {u"dropWatchStreams"_s, true}}).ok());
    QTRY_VERIFY_WITH_TIMEOUT(m_window->view(u"pods"_s)->stateText().startsWith(u"● Reconnecting: "_s), Slow);
    QVERIFY2(m_window->view(u"pods"_s)
                 ->findChild<QLabel *>(u"watchStateReason"_s)
                 ->text()
                 .contains(u"injected fault"_s),
             qPrintable(m_window->view(u"pods"_s)->stateText()));
    grab(u"reconnecting"_s);
    QVERIFY(inject({{u"failRequests"_s, 0}}).ok());
    QTRY_VERIFY_WITH_TIMEOUT(m_window->view(u"pods"_s)->stateText().startsWith(u"● Live"_s), Slow);
    // Drop every watch, and make old resourceVersions expire, while pods change underneath.
    for (const QJsonObject &fault :
         {QJsonObject{{u"dropWatchStreams"_s, true}},
          QJsonObject{{u"expireResourceVersions"_s, true}, {u"dropWatchStreams"_s, true}}}) {
        const kube::KubeResponse deleted = call([&](kube::KubeClient *client, QObject *context, auto done) {
            client->remove(kube::ResourceKind::pods(), m_ns, u"waiting"_s, {}, context, done);
        });
        Q_UNUSED(deleted);
        const kube::KubeResponse response = inject(fault);
        QVERIFY2(response.ok(), qPrintable(response.error));
    }
    QTRY_COMPARE_WITH_TIMEOUT(names(*m_window, u"pods"_s),
                              QStringList({u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}), Slow);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->view(u"pods"_s)->stateText().contains(u"Live"_s), Slow);
    // What the table holds is what the server holds: same names, same resourceVersions.
    const kube::KubeResponse listed = call([&](kube::KubeClient *client, QObject *context, auto done) {
        client->list(kube::ResourceKind::pods(), m_ns, {}, context, done);
    });
    QVERIFY(listed.ok());
    const ResourceTableModel *model = m_window->view(u"pods"_s)->model();
    const QJsonArray items = listed.json().value(u"items").toArray();
    QCOMPARE(model->rowCount(), items.size());
    for (const QJsonValue &item : items) {
        const QJsonObject metadata = item.toObject().value(u"metadata").toObject();
        const int row = model->rowOf(m_ns, metadata.value(u"name").toString());
        QVERIFY(row >= 0);
        QTRY_COMPARE(model->objectAt(row).value(u"metadata").toObject().value(u"resourceVersion").toString(),
                     metadata.value(u"resourceVersion").toString());
    }
}

void TestObserve::viewerContext_deleteIsForbiddenWithTheServersMessage()
{
    // The viewer may not list namespaces: the box says so and takes a typed one.
    m_window->openContext(u"sandbox-viewer"_s, u"default"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->namespaceBox()->toolTip().contains(u"could not be listed"_s), Slow);
    QVERIFY2(m_window->namespaceBox()->toolTip().contains(u"cannot list resource \"namespaces\""_s),
             qPrintable(m_window->namespaceBox()->toolTip()));
    QCOMPARE(m_window->namespaceBox()->findData(QString()), -1); // no "All namespaces" to offer
    QVERIFY(m_window->namespaceBox()->isEditable());
    m_window->namespaceBox()->setFocus();
    m_window->namespaceBox()->lineEdit()->selectAll();
    QTest::keyClicks(m_window->namespaceBox()->lineEdit(), m_ns);
    QTest::keyClick(m_window->namespaceBox()->lineEdit(), Qt::Key_Return);
    QTRY_COMPARE(m_window->session()->ns(), m_ns);
    // Reading inside the namespace is allowed: the tables fill.
    QTRY_COMPARE_WITH_TIMEOUT(names(*m_window, u"pods"_s).size(), 3, Slow);
    const ResourceTableModel *model = m_window->view(u"pods"_s)->model();
    m_window->deletePod(model->objectAt(model->rowOf(m_ns, u"tdengine-0"_s)), false);
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->bannerText().isEmpty(), Slow);
    const QString banner = m_window->bannerText();
    QVERIFY2(banner.contains(u"Could not delete pod tdengine-0"_s), qPrintable(banner));
    QVERIFY2(banner.contains(u"User \"sandbox-viewer\" cannot delete resource \"pods\""_s),
             qPrintable(banner));
    grab(u"viewer-forbidden"_s);
    QTest::qWait(300);
    QCOMPARE(names(*m_window, u"pods"_s).size(), 3); // nothing was deleted
}

void TestObserve::clusterList_otherNamespacesGrouped_viewerToldWhyNot()
{
    // Namespace default has no cluster: the list says so and offers the one of namespace e2e.
    m_window->openContext(u"sandbox-admin"_s, u"default"_s);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->tdengineClustersElsewhere(), QStringList{m_ns + u"/tdengine"_s},
                              Slow);
    QCOMPARE(m_window->tdengineClusters(), QStringList());
    QTreeWidgetItem *clusters = m_window->navigator()->topLevelItem(0);
    QCOMPARE(clusters->text(0), u"TDengine clusters"_s);
    QCOMPARE(clusters->child(0)->text(0), u"none in namespace default"_s);
    QCOMPARE(clusters->child(1)->text(0), u"in namespace e2e"_s);
    QTRY_COMPARE(clusters->child(1)->child(0)->text(0), u"tdengine (3/3 ready)"_s);
    grab(u"clusters-elsewhere"_s);
    // Choosing it opens its dashboard in its namespace.
    m_window->navigator()->setCurrentItem(clusters->child(1)->child(0));
    QTRY_COMPARE(m_window->session()->ns(), m_ns);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->clusterView()->isVisible(), Slow);
    QVERIFY(m_window->clusterView()->connection());
    QCOMPARE(m_window->clusterView()->connection()->statefulSet(), u"tdengine"_s);
    QCOMPARE(m_window->tdengineClusters(), QStringList{u"tdengine"_s});

    // The viewer may read inside a namespace only: its clusters are listed, and a note says why
    // the others are not, with the server's words.
    m_window->openContext(u"sandbox-viewer"_s, m_ns);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->tdengineClusters(), QStringList{u"tdengine"_s}, Slow);
    auto *navigator = qobject_cast<tdkube::ui::Navigator *>(m_window->navigator());
    QVERIFY(navigator);
    QTRY_VERIFY_WITH_TIMEOUT(!navigator->elsewhereNote().isEmpty(), Slow);
    QVERIFY2(navigator->elsewhereNote().contains(
                 u"cannot be listed: statefulsets.apps is forbidden: User \"sandbox-viewer\" cannot list"_s),
             qPrintable(navigator->elsewhereNote()));
    QCOMPARE(m_window->tdengineClustersElsewhere(), QStringList());
    clusters = m_window->navigator()->topLevelItem(0);
    QCOMPARE(clusters->child(clusters->childCount() - 1)->text(0), u"Other namespaces not listed"_s);
    grab(u"clusters-viewer"_s);
}

void TestObserve::namespaceSwitch_remembered()
{
    m_window->openContext(u"sandbox-admin"_s, m_ns);
    QTRY_COMPARE_WITH_TIMEOUT(names(*m_window, u"pods"_s).size(), 3, Slow);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->namespaceBox()->findData(u"kube-system"_s) >= 0, Slow);
    m_window->setNamespace(u"kube-system"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->view(u"pods"_s)->stateText().contains(u"Live"_s), Slow);
    QCOMPARE(names(*m_window, u"pods"_s), QStringList());
    m_window->setNamespace(QString()); // all namespaces
    QTRY_VERIFY_WITH_TIMEOUT(names(*m_window, u"pods"_s).size() >= 3, Slow);
    m_window->setNamespace(m_ns);
    // A new window opens the context and namespace used last.
    MainWindow second;
    second.passwords()->setKeychainEnabled(false);
    second.openKubeconfig(kube::Kubeconfig::load({m_kubeconfig}), {}, std::nullopt, u"tdengine"_s);
    QCOMPARE(second.session()->context(), u"sandbox-admin"_s);
    QCOMPARE(second.session()->ns(), m_ns);
    // --cluster tdengine: that cluster's dashboard opens once its StatefulSet is seen.
    QTRY_VERIFY_WITH_TIMEOUT(second.clusterView()->connection() != nullptr, Slow);
    QCOMPARE(second.clusterView()->connection()->statefulSet(), u"tdengine"_s);
    QCOMPARE(second.currentView(), nullptr);
}

void TestObserve::filterAndSort_byTextLabelAndColumn()
{
    m_window->showView(u"pods"_s);
    tdkube::ui::ResourceView *view = m_window->view(u"pods"_s);
    QTRY_COMPARE_WITH_TIMEOUT(view->proxy()->rowCount(), 3, Slow);
    const auto shown = [view] {
        QStringList names;
        for (int row = 0; row < view->proxy()->rowCount(); ++row)
            names.append(view->proxy()->index(row, 0).data().toString());
        return names;
    };
    view->table()->sortByColumn(0, Qt::DescendingOrder);
    QCOMPARE(shown(), QStringList({u"tdengine-2"_s, u"tdengine-1"_s, u"tdengine-0"_s}));
    view->table()->sortByColumn(0, Qt::AscendingOrder);
    QCOMPARE(shown(), QStringList({u"tdengine-0"_s, u"tdengine-1"_s, u"tdengine-2"_s}));
    view->labelFilter()->setText(
        u"app.kubernetes.io/name=tdengine,statefulset.kubernetes.io/pod-name in (tdengine-1)"_s);
    QCOMPARE(shown(), QStringList{u"tdengine-1"_s});
    view->labelFilter()->setText(u"app.kubernetes.io/name=nginx"_s);
    QCOMPARE(shown(), QStringList());
    view->labelFilter()->setText(u"in in in ("_s); // does not parse: said so, filter unchanged
    QVERIFY(view->labelFilter()->styleSheet().contains(u"#c62828"_s)); // a red border, the error as tooltip
    QVERIFY(!view->labelFilter()->toolTip().startsWith(u"Shows only"_s));
    QCOMPARE(shown(), QStringList());
    view->labelFilter()->clear();
    view->textFilter()->setText(u"SANDBOX-NODE-"_s); // any cell, any case
    QCOMPARE(shown().size(), 3);
    view->textFilter()->clear();
}

void TestObserve::deployActionAndEditButton_openTheirDialogs()
{
    m_window->openContext(u"sandbox-admin"_s, m_ns);
    QTRY_COMPARE_WITH_TIMEOUT(names(*m_window, u"pods"_s).size(), 3, Slow);
    // The toolbar's "Deploy cluster…" opens the wizard for this context and namespace.
    auto *deploy = m_window->findChild<QAction *>(u"deployAction"_s);
    QVERIFY(deploy);
    deploy->trigger();
    auto *wizard = m_window->findChild<tdkube::ui::DeployWizard *>();
    QVERIFY(wizard);
    QCOMPARE(wizard->environment().context, u"sandbox-admin"_s);
    QCOMPARE(wizard->spec().ns, m_ns);
    wizard->close(); // deletes itself
    QTRY_VERIFY(!m_window->findChild<tdkube::ui::DeployWizard *>());

    // "Edit…" in the details pane opens the selected object in the YAML editor.
    m_window->showView(u"statefulsets"_s);
    QTableView *table = m_window->view(u"statefulsets"_s)->table();
    QTRY_VERIFY(table->model()->rowCount() >= 1);
    table->setCurrentIndex(table->model()->index(0, 0));
    auto *edit = m_window->details()->findChild<QToolButton *>(u"editObject"_s);
    QVERIFY(edit);
    QTRY_VERIFY(edit->isEnabled());
    edit->click();
    auto *editor = m_window->findChild<tdkube::ui::ObjectEditorDialog *>();
    QVERIFY(editor);
    QVERIFY(editor->editor()->text().contains(u"kind: StatefulSet"_s));
    QVERIFY(!editor->editor()->text().contains(u"managedFields"_s));
    editor->close();
}

QTEST_MAIN(TestObserve)
#include "tst_observe.moc"
