#include "clusterview.h"

#include "clusterdashboard.h"
#include "clusteroperations.h"
#include "deploy/clusterspec.h"
#include "sqlconsole.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

ClusterView::ClusterView(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setObjectName(u"clusterConnection"_s);
    m_connectionLabel->setWordWrap(true);
    m_loginLabel = new QLabel(this);
    m_loginLabel->setObjectName(u"clusterLogin"_s);
    m_loginLabel->setWordWrap(true);
    m_loginButton = new QPushButton(tr("Log in as…"), this);
    m_loginButton->setObjectName(u"clusterLoginButton"_s);
    bar->addWidget(m_connectionLabel, 3);
    bar->addWidget(m_loginLabel, 2);
    bar->addWidget(m_loginButton);
    m_scaleButton = new QPushButton(tr("Scale…"), this);
    m_scaleButton->setObjectName(u"scaleButton"_s);
    m_scaleButton->setToolTip(tr("Add dnodes, or remove some safely (their data moves first); the plan is "
                                 "shown before anything changes"));
    m_repairButton = new QPushButton(tr("Repair…"), this);
    m_repairButton->setObjectName(u"repairButton"_s);
    m_repairButton->setToolTip(tr("Offline dnodes whose pod is gone (a scale-in done without drop dnode): "
                                  "what can be done and what it costs"));
    m_configureButton = new QPushButton(tr("Configure…"), this);
    m_configureButton->setObjectName(u"configureButton"_s);
    m_configureButton->setToolTip(
        tr("Change taos.cfg entries: those TDengine applies at run time at once, the "
           "others by restarting the pods one at a time; the plan is shown before "
           "anything changes"));
    m_upgradeButton = new QPushButton(tr("Upgrade…"), this);
    m_upgradeButton->setObjectName(u"upgradeButton"_s);
    m_upgradeButton->setToolTip(
        tr("Change TDengine's image (its version): the pods restart one at a time, each "
           "dnode checked to run the new version; a downgrade or a jump TDengine cannot "
           "roll is refused"));
    bar->addWidget(m_scaleButton);
    bar->addWidget(m_repairButton);
    bar->addWidget(m_configureButton);
    bar->addWidget(m_upgradeButton);
    layout->addLayout(bar);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"clusterTabs"_s);
    m_dashboard = new ClusterDashboard(m_tabs);
    m_console = new SqlConsole(m_tabs);
    m_tabs->addTab(m_dashboard, tr("Dashboard"));
    m_tabs->addTab(m_console, tr("SQL console"));
    m_configuration = new QTextBrowser(m_tabs);
    m_configuration->setObjectName(u"configuration"_s);
    m_tabs->addTab(m_configuration, tr("Configuration"));
    m_operations = new ClusterOperations(m_tabs);
    m_operations->setObjectName(u"clusterOperations"_s);
    m_operations->setLive(false); // from when the page is shown
    m_tabs->addTab(m_operations, tr("Operations"));
    layout->addWidget(m_tabs, 1);
    connect(m_operations, &ClusterOperations::unfinishedChanged, this, &ClusterView::showUnfinished);
    connect(m_loginButton, &QPushButton::clicked, this, &ClusterView::askLogin);
    connect(m_scaleButton, &QPushButton::clicked, this, &ClusterView::scaleRequested);
    connect(m_repairButton, &QPushButton::clicked, this, &ClusterView::repairRequested);
    connect(m_configureButton, &QPushButton::clicked, this, &ClusterView::configureRequested);
    connect(m_upgradeButton, &QPushButton::clicked, this, &ClusterView::upgradeRequested);
}

ClusterView::~ClusterView() = default;

void ClusterView::setConnection(taos::ClusterConnection *connection, Assess assess)
{
    if (m_connection)
        disconnect(m_connection, nullptr, this, nullptr);
    m_connection = connection;
    m_assess = std::move(assess);
    if (!connection) {
        m_console->setClient(nullptr, {});
        return;
    }
    m_dashboard->setClusterName(connection->statefulSet());
    connect(connection, &taos::ClusterConnection::changed, this, &ClusterView::showConnection);
    connect(connection, &taos::ClusterConnection::loginChanged, this, &ClusterView::showLogin);
    connect(connection, &taos::ClusterConnection::snapshotTaken, this,
            [this](const taos::ClusterSnapshot &snapshot) {
                m_dashboard->setSnapshot(snapshot,
                                         m_assess ? m_assess(snapshot) : QList<taos::HealthWarning>());
            });
    connect(connection, &taos::ClusterConnection::snapshotFailed, m_dashboard, &ClusterDashboard::setError);
    showConnection();
    showLogin();
    connection->setPolling(isVisible());
}

QString ClusterView::connectionText() const
{
    return m_connectionLabel->text();
}

QString ClusterView::loginText() const
{
    return m_loginLabel->text();
}

void ClusterView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_connection)
        m_connection->setPolling(true);
    m_operations->setLive(true);
}

void ClusterView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    if (m_connection)
        m_connection->setPolling(false);
    m_operations->setLive(false);
}

void ClusterView::showUnfinished(int count)
{
    const int index = m_tabs->indexOf(m_operations);
    m_tabs->setTabText(index, count > 0 ? tr("Operations (%1 unfinished)").arg(count) : tr("Operations"));
    m_tabs->setTabToolTip(index, count > 0 ? tr("Operations on this cluster that did not finish: they can be "
                                                "taken over from here")
                                           : QString());
}

void ClusterView::showConnection()
{
    m_connectionLabel->setText(m_connection ? m_connection->describe() : QString());
    // A new login or a new forward makes a new REST client: the console follows it.
    if (m_connection && m_console->client() != m_connection->rest())
        m_console->setClient(m_connection->rest(), m_connection->key());
}

void ClusterView::showLogin()
{
    if (!m_connection)
        return;
    const taos::PasswordStore::Login &login = m_connection->login();
    if (login.isDefault) {
        m_loginLabel->setText(tr("⚠ User %1 with TDengine's default password").arg(login.user));
        m_loginLabel->setToolTip(login.note);
        m_loginLabel->setStyleSheet(u"QLabel { color: #b71c1c; font-weight: bold; }"_s);
    } else {
        m_loginLabel->setText(tr("User %1").arg(login.user) + (login.note.isEmpty() ? QString() : u" ⚠"_s));
        m_loginLabel->setToolTip(login.note);
        m_loginLabel->setStyleSheet({});
    }
}

void ClusterView::askLogin()
{
    if (!m_connection)
        return;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Log in to TDengine cluster %1").arg(m_connection->statefulSet()));
    auto *form = new QFormLayout(&dialog);
    auto *user = new QLineEdit(m_connection->login().user, &dialog);
    auto *password = new QLineEdit(&dialog);
    password->setEchoMode(QLineEdit::Password);
    form->addRow(tr("User"), user);
    form->addRow(tr("Password"), password);
    form->addRow(
        new QLabel(tr("The password is kept in the system keychain, never in tdkube's settings."), &dialog));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() == QDialog::Accepted && !user->text().isEmpty())
        m_connection->setLogin(user->text(), password->text());
}

void ClusterView::setStatefulSet(const QJsonObject &statefulSet)
{
    QStringList unmapped;
    const deploy::ClusterSpec spec = deploy::specFromStatefulSet(statefulSet, {}, &unmapped);
    const auto row = [](const QString &label, const QString &value) -> QString {
        return u"<tr><td style='color:#616161;padding-right:12px'>"_s + label.toHtmlEscaped() +
               u"</td><td>"_s + value.toHtmlEscaped() + u"</td></tr>"_s;
    };
    const QString managedBy = statefulSet.value(u"metadata")
                                  .toObject()
                                  .value(u"labels")
                                  .toObject()
                                  .value(u"app.kubernetes.io/managed-by")
                                  .toString();
    QString origin = tr("Deployed by tdkube.");
    if (managedBy.isEmpty())
        origin = tr(
            "Not deployed by tdkube (it has no app.kubernetes.io/managed-by label): read as far as it maps.");
    else if (managedBy != u"tdkube")
        origin = tr("Managed by %1, not by tdkube: read as far as it maps.").arg(managedBy);
    QString html = u"<p>"_s + origin.toHtmlEscaped() + u"</p><table>"_s;
    const auto pair = [this](const QString &first, const QString &second) -> QString {
        if (first.isEmpty() && second.isEmpty())
            return tr("not set");
        return (first.isEmpty() ? tr("not set") : first) + u" / "_s +
               (second.isEmpty() ? tr("not set") : second);
    };
    const QString antiAffinity = spec.antiAffinity == deploy::AntiAffinity::Required    ? tr("required")
                                 : spec.antiAffinity == deploy::AntiAffinity::Preferred ? tr("preferred")
                                                                                        : tr("none");
    html += row(tr("Dnodes (replicas)"), QString::number(spec.replicas));
    html += row(tr("Image"), spec.imageReference());
    html += row(tr("Governing Service"), spec.headlessServiceName());
    html += row(tr("Storage"), (spec.storageClass.isEmpty() ? tr("the default class") : spec.storageClass) +
                                   u", "_s + spec.storageSize);
    if (!spec.logStorageSize.isEmpty())
        html += row(tr("Log volume"), spec.logStorageSize);
    html += row(tr("Claims after scale-in / delete"), spec.pvcWhenScaled + u" / "_s + spec.pvcWhenDeleted);
    html += row(tr("Anti-affinity"), antiAffinity);
    html += row(tr("Time zone"), spec.timezone);
    html += row(tr("taosd port"), QString::number(spec.serverPort));
    html += row(tr("CPU request / limit"), pair(spec.cpuRequest, spec.cpuLimit));
    html += row(tr("Memory request / limit"), pair(spec.memoryRequest, spec.memoryLimit));
    html += row(tr("Startup budget"), tr("%n minute(s)", nullptr, spec.startupBudgetSeconds / 60));
    html += u"</table>"_s;
    if (!unmapped.isEmpty()) {
        html += u"<p>"_s +
                tr("Kept as they are, outside what the deploy settings describe:").toHtmlEscaped() +
                u"</p><ul>"_s;
        for (const QString &item : std::as_const(unmapped))
            html += u"<li>"_s + item.toHtmlEscaped() + u"</li>"_s;
        html += u"</ul>"_s;
    }
    m_configuration->setHtml(html);
}

QString ClusterView::configurationText() const
{
    return m_configuration->toPlainText();
}

} // namespace tdkube::ui
