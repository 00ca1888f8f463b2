#include "deleteclusterdialog.h"

#include "kube/kubeclient.h"

#include <QCheckBox>
#include <QDateTime>
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

void DeleteClusterDialog::start()
{
    deploy::DeletionPlan plan = m_planWithClaims;
    plan.deleteClaims = m_claims->isChecked() && m_confirm->text().trimmed() == m_statefulSet;
    if (!plan.deleteClaims)
        plan.claims.clear();
    m_running = true;
    m_claims->setEnabled(false);
    m_confirm->setEnabled(false);
    updateButton();
    m_log->show();
    m_deleter = new deploy::ClusterDeleter(m_client, plan, this);
    connect(m_deleter, &deploy::ClusterDeleter::progress, this,
            [this](const QString &step, const QString &detail) {
                m_status->setText(step);
                m_log->appendPlainText(QDateTime::currentDateTime().toString(u"HH:mm:ss "_s) + step +
                                       (detail.isEmpty() ? QString() : u": "_s + detail));
            });
    connect(m_deleter, &deploy::ClusterDeleter::itemGone, this,
            [this](const QString &kind, const QString &name) {
                m_log->appendPlainText(QDateTime::currentDateTime().toString(u"HH:mm:ss "_s) +
                                       tr("%1 %2 is gone").arg(kind, name));
            });
    connect(m_deleter, &deploy::ClusterDeleter::finished, this, [this](bool ok, const QString &error) {
        m_running = false;
        m_finished = true;
        m_succeeded = ok;
        m_status->setText(ok ? tr("Cluster %1 is deleted.").arg(m_statefulSet)
                             : tr("Deletion stopped: %1").arg(error));
        m_status->setStyleSheet(ok ? u"QLabel { color: #1b5e20; font-weight: bold; }"_s
                                   : u"QLabel { color: #b71c1c; font-weight: bold; }"_s);
        m_buttons->setStandardButtons(QDialogButtonBox::Close);
        updateButton();
    });
    m_deleter->start();
}

} // namespace tdkube::ui
