#include "deleteclusterdialog.h"

#include "kube/kubeclient.h"
#include "ops/clusterrecord.h"
#include "ops/executor.h"
#include "ops/planner.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

DeleteClusterDialog::DeleteClusterDialog(kube::KubeClient *client, QString ns, QString statefulSet,
                                         QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_ns(std::move(ns))
    , m_statefulSet(std::move(statefulSet))
{
    setObjectName(u"deleteClusterDialog"_s);
    setWindowTitle(tr("Delete TDengine cluster %1").arg(m_statefulSet));
    resize(980, 600);
    auto *layout = new QVBoxLayout(this);
    auto *intro =
        new QLabel(tr("Deleting <b>%1</b> in namespace <b>%2</b> removes these objects. Its pods stop; "
                      "clients lose the cluster.")
                       .arg(m_statefulSet.toHtmlEscaped(), m_ns.toHtmlEscaped()),
                   this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_plan = new QTreeWidget(this);
    m_plan->setObjectName(u"plan"_s);
    m_plan->setHeaderLabels({tr("Object"), tr("What happens")});
    m_plan->setRootIsDecorated(false);
    m_plan->setWordWrap(true);
    m_plan->setTextElideMode(Qt::ElideNone);
    m_plan->setUniformRowHeights(false);
    m_plan->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    layout->addWidget(m_plan, 2);
    m_claims = new QCheckBox(tr("Also delete the volume claims: the TDengine data"), this);
    m_claims->setObjectName(u"deleteClaims"_s);
    layout->addWidget(m_claims);
    m_confirmLabel = new QLabel(tr("The data cannot be brought back. Type the cluster's name, <b>%1</b>, to "
                                   "delete its claims:")
                                    .arg(m_statefulSet.toHtmlEscaped()),
                                this);
    m_confirmLabel->setWordWrap(true);
    layout->addWidget(m_confirmLabel);
    m_confirm = new QLineEdit(this);
    m_confirm->setObjectName(u"confirmName"_s);
    m_confirm->setPlaceholderText(m_statefulSet);
    layout->addWidget(m_confirm);
    m_status = new QLabel(tr("Reading the cluster's objects…"), this);
    m_status->setObjectName(u"status"_s);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(u"log"_s);
    m_log->setReadOnly(true);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->hide();
    layout->addWidget(m_log, 1);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_delete = m_buttons->addButton(tr("Delete"), QDialogButtonBox::DestructiveRole);
    m_delete->setObjectName(u"delete"_s);
    m_delete->setEnabled(false);
    layout->addWidget(m_buttons);

    connect(m_claims, &QCheckBox::toggled, this, [this] { showPlan(); });
    connect(m_confirm, &QLineEdit::textChanged, this, &DeleteClusterDialog::updateButton);
    connect(m_delete, &QPushButton::clicked, this, &DeleteClusterDialog::start);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    loadPlan();
    showPlan();
}

DeleteClusterDialog::~DeleteClusterDialog() = default;

QString DeleteClusterDialog::statusText() const
{
    return m_status->text();
}

QString DeleteClusterDialog::logText() const
{
    return m_log->toPlainText();
}

void DeleteClusterDialog::loadPlan()
{
    if (!m_client)
        return;
    // One plan with the claims; without them, the claims are simply not deleted.
    deploy::gatherDeletionPlan(m_client, m_ns, m_statefulSet, true, this,
                               [this](const deploy::DeletionPlan &plan, const QString &error) {
                                   if (!error.isEmpty()) {
                                       m_status->setText(
                                           tr("The cluster's objects could not be read: %1").arg(error));
                                       return;
                                   }
                                   m_planWithClaims = plan;
                                   m_loaded = true;
                                   m_status->setText(plan.warnings.join(u'\n'));
                                   showPlan();
                               });
}

void DeleteClusterDialog::showPlan()
{
    m_plan->clear();
    const bool claims = m_claims->isChecked();
    m_confirmLabel->setVisible(claims);
    m_confirm->setVisible(claims);
    for (const deploy::DeletionItem &item : std::as_const(m_planWithClaims.objects)) {
        auto *row = new QTreeWidgetItem(m_plan, {item.kind + u' ' + item.name, item.consequence});
        row->setToolTip(1, item.consequence);
    }
    for (const deploy::DeletionItem &item : std::as_const(m_planWithClaims.claims)) {
        const QString what = claims ? item.consequence : tr("Kept, with its data (not selected)");
        auto *row = new QTreeWidgetItem(m_plan, {item.kind + u' ' + item.name, what});
        row->setToolTip(1, what);
        if (claims)
            row->setForeground(1, QColor(0xb7, 0x1c, 0x1c));
    }
    m_claims->setText(tr("Also delete the %n volume claim(s): the TDengine data", nullptr,
                         int(m_planWithClaims.claims.size())));
    m_claims->setEnabled(!m_planWithClaims.claims.isEmpty() && !m_running);
    updateButton();
}

void DeleteClusterDialog::updateButton()
{
    const bool confirmed = !m_claims->isChecked() || m_confirm->text().trimmed() == m_statefulSet;
    m_delete->setEnabled(m_loaded && !m_running && !m_finished && confirmed);
}

// The deletion runs as a recorded operation (ops::planDelete, ops::Executor): journaled here, recorded
// in the cluster for the other workstations, resumable from the operations view if it is cut short.
void DeleteClusterDialog::start()
{
    deploy::DeletionPlan deletion = m_planWithClaims;
    deletion.deleteClaims = m_claims->isChecked() && m_confirm->text().trimmed() == m_statefulSet;
    if (!deletion.deleteClaims)
        deletion.claims.clear();
    const ops::Plan plan = ops::planDelete(m_client->settings().contextName, deletion);
    if (plan.blocked()) {
        QStringList reasons;
        for (const ops::Finding &finding : plan.findings) {
            if (finding.severity == ops::Finding::Severity::Blocking)
                reasons.append(finding.reason + u' ' + finding.fix);
        }
        m_status->setText(reasons.join(u'\n'));
        return;
    }
    m_running = true;
    m_claims->setEnabled(false);
    m_confirm->setEnabled(false);
    updateButton();
    m_log->show();
    m_executor = new ops::Executor(m_client, nullptr, this);
    connect(m_executor, &ops::Executor::stepStarted, this, [this, plan](int index) {
        //: %1: the step's number, %2: how many steps, %3: its title ("delete StatefulSet tdengine")
        m_status->setText(
            tr("Step %1 of %2: %3").arg(index + 1).arg(plan.steps.size()).arg(plan.steps.at(index).title));
    });
    connect(m_executor, &ops::Executor::logLine, this,
            [this](const QString &line) { m_log->appendPlainText(line); });
    connect(m_executor->clusterRecord(), &ops::ClusterRecord::unavailable, this,
            [this](const QString &message) {
                m_log->appendPlainText(tr("Other workstations will not see this deletion: %1").arg(message));
            });
    connect(m_executor, &ops::Executor::finished, this, [this](bool ok, const QString &message) {
        m_running = false;
        m_finished = true;
        m_succeeded = ok;
        m_status->setText(ok ? tr("Cluster %1 is deleted.").arg(m_statefulSet)
                             : tr("Deletion stopped: %1 Once the cause is fixed, resume it: tdkube offers "
                                  "it when it connects, and `tdkube resume` runs it.")
                                   .arg(message));
        m_status->setStyleSheet(ok ? u"QLabel { color: #1b5e20; font-weight: bold; }"_s
                                   : u"QLabel { color: #b71c1c; font-weight: bold; }"_s);
        m_buttons->setStandardButtons(QDialogButtonBox::Close);
        updateButton();
    });
    m_executor->start(plan);
}

} // namespace tdkube::ui
