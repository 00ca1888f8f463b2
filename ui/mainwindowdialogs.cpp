// The wizards and dialogs the main window opens for the current context: deploy, scale and repair,
// configure and upgrade, delete a cluster, edit an object. Each holds the session's client and goes
// when the context changes.
#include "configurewizard.h"
#include "deleteclusterdialog.h"
#include "deploywizard.h"
#include "kube/session.h"
#include "mainwindow.h"
#include "objecteditordialog.h"
#include "scalewizard.h"

namespace tdkube::ui {

using namespace Qt::StringLiterals;

DeployWizard *MainWindow::openDeployWizard()
{
    if (!m_session->client()) {
        showBanner(tr("Open a context first: the deploy wizard needs a cluster to deploy to."));
        return nullptr;
    }
    DeployWizard::Environment environment;
    environment.client = m_session->client();
    environment.context = m_session->context();
    environment.namespaces = m_session->namespaces();
    environment.defaultNamespace = m_session->ns().isEmpty() ? u"tdengine"_s : m_session->ns();
    environment.passwords = m_passwords;
    auto *wizard = new DeployWizard(environment, this);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    // The wizard holds the session's client: it goes when the context does.
    connect(m_session, &kube::Session::contextOpened, wizard, &QWidget::close);
    connect(wizard, &DeployWizard::clusterDeployed, this, [this](const QString &ns, const QString &name) {
        m_pendingCluster = name;
        if (ns != m_session->ns())
            setNamespace(ns);
        else
            refreshClusters();
    });
    wizard->show();
    return wizard;
}

// The environment of an operation wizard on cluster `name`; false without a session or a name.
bool MainWindow::prepareOperation(const QString &name, OperationEnvironment *environment)
{
    if (!m_session->client() || name.isEmpty())
        return false;
    if (!m_clusterConnections.contains(name))
        showCluster(name); // the wizard reads TDengine through the cluster page's connection
    environment->client = m_session->client();
    environment->connection = m_clusterConnections.value(name);
    environment->passwords = m_passwords;
    environment->context = m_session->context();
    environment->ns = m_session->ns();
    environment->statefulSet = name;
    environment->pollIntervalMs = m_operationPollMs;
    return true;
}

// An operation wizard holds the session's client and the cluster's connection: it goes when they do.
void MainWindow::showOperationWizard(QWizard *wizard, const OperationEnvironment &environment)
{
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_session, &kube::Session::contextOpened, wizard, &QWidget::close);
    connect(environment.connection, &QObject::destroyed, wizard, &QWidget::close);
    wizard->show();
}

ScaleWizard *MainWindow::openScaleWizard(const QString &name, bool repair)
{
    ScaleWizard::Environment environment;
    if (!prepareOperation(name, &environment))
        return nullptr;
    auto *wizard =
        new ScaleWizard(environment, repair ? ScaleWizard::Mode::Repair : ScaleWizard::Mode::Scale, this);
    showOperationWizard(wizard, environment);
    return wizard;
}

ConfigureWizard *MainWindow::openConfigureWizard(const QString &name, bool upgrade)
{
    ConfigureWizard::Environment environment;
    if (!prepareOperation(name, &environment))
        return nullptr;
    environment.upgrade = upgrade;
    auto *wizard = new ConfigureWizard(environment, this);
    showOperationWizard(wizard, environment);
    return wizard;
}

DeleteClusterDialog *MainWindow::openDeleteCluster(const QString &name)
{
    if (!m_session->client())
        return nullptr;
    auto *dialog = new DeleteClusterDialog(m_session->client(), m_session->ns(), name, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_session, &kube::Session::contextOpened, dialog, &QWidget::close);
    dialog->show();
    return dialog;
}

ObjectEditorDialog *MainWindow::openObjectEditor(const QJsonObject &object)
{
    if (!m_session->client() || object.isEmpty())
        return nullptr;
    auto *dialog = new ObjectEditorDialog(m_session->client(), object, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_session, &kube::Session::contextOpened, dialog, &QWidget::close);
    dialog->show();
    return dialog;
}

} // namespace tdkube::ui
