#include "scalewizard.h"

#include "operationview.h"
#include "ops/facts.h"
#include "taos/clusterstate.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace tdkube::ui {

using namespace Qt::StringLiterals;
using Severity = ops::Finding::Severity;

namespace {

QString podRange(const QString &statefulSet, int from, int to)
{
    QStringList pods;
    for (int ordinal = from; ordinal < to; ++ordinal)
        pods.append(statefulSet + u'-' + QString::number(ordinal));
    return pods.join(u", "_s);
}

} // namespace

QString databaseSummary(const taos::ClusterSnapshot &snapshot, int *largestReplica)
{
    QList<taos::Database> databases;
    for (const taos::Database &database : snapshot.databases) {
        if (!taos::isSystemDatabase(database.name))
            databases.append(database);
    }
    std::stable_sort(databases.begin(), databases.end(),
                     [](const taos::Database &a, const taos::Database &b) { return a.replica > b.replica; });
    if (largestReplica)
        *largestReplica = databases.isEmpty() ? 0 : databases.first().replica;
    QStringList parts;
    for (const taos::Database &database : std::as_const(databases))
        parts.append(ScaleWizard::tr("%1 (replica %2)").arg(database.name).arg(database.replica));
    return parts.isEmpty() ? ScaleWizard::tr("no user database") : parts.join(u", "_s);
}

// --- ScaleWizard -------------------------------------------------------------------------------

ScaleWizard::ScaleWizard(Environment environment, Mode mode, QWidget *parent)
    : QWizard(parent)
    , m_environment(std::move(environment))
    , m_mode(mode)
{
    setWindowTitle(mode == Mode::Repair ? tr("Repair TDengine cluster %1").arg(m_environment.statefulSet)
                                        : tr("Scale TDengine cluster %1").arg(m_environment.statefulSet));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnLastPage);
    setOption(QWizard::NoCancelButtonOnLastPage);
    setButtonText(QWizard::CommitButton, tr("Start"));
    resize(960, 720);
    m_targetPage = new ScaleTargetPage(this);
    m_planPage = new ScalePlanPage(this);
    m_runPage = new ScaleRunPage(this);
    setPage(TargetPage, m_targetPage);
    setPage(PlanPage, m_planPage);
    setPage(RunPage, m_runPage);
    setStartId(mode == Mode::Repair ? PlanPage : TargetPage);
    if (mode == Mode::Scale)
        gather(); // the plan page gathers again: what it shows is never older than the page
}

ScaleWizard::~ScaleWizard() = default;

void ScaleWizard::gather()
{
    const int run = ++m_gatherRun;
    m_gathering = true;
    ops::gatherFacts(m_environment.client, m_environment.connection, m_environment.ns,
                     m_environment.statefulSet, this,
                     [this, run](const ops::ClusterFacts &facts, const QString &error) {
                         if (run != m_gatherRun)
                             return; // a newer look at the cluster is on its way
                         m_gathering = false;
                         m_factsError = error;
                         m_hasFacts = error.isEmpty();
                         if (m_hasFacts)
                             m_facts = facts;
                         emit gathered();
                     });
}

int ScaleWizard::currentReplicas() const
{
    return m_facts.statefulSet.value(u"spec").toObject().value(u"replicas").toInt(1);
}

ops::Plan ScaleWizard::makePlan() const
{
    ops::Plan plan;
    if (m_mode == Mode::Repair) {
        plan = ops::planRepair(m_facts);
    } else {
        const int target = m_targetPage->target();
        plan = target > currentReplicas()
                   ? ops::planScaleOut(m_facts, target, m_targetPage->scaleOutOptions())
                   : ops::planScaleIn(m_facts, target);
    }
    plan.context = m_environment.context;
    return plan;
}

void ScaleWizard::reject()
{
    if (m_runPage->isRunning() &&
        QMessageBox::question(this, tr("Stop the operation?"),
                              tr("The operation is still running. Closing stops it where it is (a step "
                                 "already sent to TDengine, such as drop dnode, still finishes in the "
                                 "cluster). Nothing is undone, and tdkube offers to resume it when you open "
                                 "this context again.\n\nClose anyway?")) != QMessageBox::Yes)
        return;
    QWizard::reject();
}

// --- ScaleTargetPage ---------------------------------------------------------------------------

ScaleTargetPage::ScaleTargetPage(ScaleWizard *wizard)
    : m_wizard(wizard)
{
    setTitle(tr("Target"));
    setSubTitle(tr("How many dnodes (pods) the cluster should have. Nothing changes before you have "
                   "read the plan and pressed Start."));
    auto *layout = new QVBoxLayout(this);
    m_summary = new QLabel(tr("Reading the cluster…"), this);
    m_summary->setObjectName(u"summary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    auto *form = new QFormLayout;
    m_target = new QSpinBox(this);
    m_target->setObjectName(u"target"_s);
    m_target->setRange(1, 99);
    m_target->setEnabled(false);
    form->addRow(tr("Target dnodes"), m_target);
    m_direction = new QLabel(this);
    m_direction->setObjectName(u"direction"_s);
    m_direction->setWordWrap(true);
    form->addRow(QString(), m_direction);
    layout->addLayout(form);

    m_options = new QGroupBox(tr("Scale-out options"), this);
    auto *options = new QVBoxLayout(m_options);
    m_deleteStale = new QCheckBox(tr("Delete stale claims of the new pods (data left by an earlier scale-in; "
                                     "a pod with them cannot join)"),
                                  m_options);
    m_deleteStale->setObjectName(u"deleteStaleClaims"_s);
    m_balance = new QCheckBox(tr("Balance vgroups afterwards (`balance vgroup`: moves vnodes onto the new "
                                 "dnodes)"),
                              m_options);
    m_balance->setObjectName(u"balanceVgroups"_s);
    m_topUp = new QCheckBox(tr("Top mnodes up to 3 (for a highly available metadata service)"), m_options);
    m_topUp->setObjectName(u"topUpMnodes"_s);
    m_topUp->setChecked(true);
    options->addWidget(m_deleteStale);
    options->addWidget(m_balance);
    options->addWidget(m_topUp);
    layout->addWidget(m_options);
    layout->addStretch(1);

    connect(wizard, &ScaleWizard::gathered, this, &ScaleTargetPage::showFacts);
    connect(m_target, &QSpinBox::valueChanged, this, [this] {
        m_targetChosen = true;
        showDirection();
        emit completeChanged();
    });
}

ScaleTargetPage::~ScaleTargetPage() = default;

void ScaleTargetPage::initializePage()
{
    showFacts();
}

bool ScaleTargetPage::isComplete() const
{
    return m_wizard->hasFacts() && target() != m_wizard->currentReplicas();
}

int ScaleTargetPage::target() const
{
    return m_target->value();
}

void ScaleTargetPage::setTarget(int target)
{
    m_target->setValue(target);
}

ops::ScaleOutOptions ScaleTargetPage::scaleOutOptions() const
{
    ops::ScaleOutOptions options;
    options.deleteStaleClaims = m_deleteStale->isChecked();
    options.balanceVgroups = m_balance->isChecked();
    options.topUpMnodes = m_topUp->isChecked();
    return options;
}

QString ScaleTargetPage::summaryText() const
{
    return m_summary->text();
}

QString ScaleTargetPage::directionText() const
{
    return m_direction->text();
}

void ScaleTargetPage::showFacts()
{
    if (!m_wizard->hasFacts()) {
        m_summary->setText(m_wizard->isGathering()
                               ? tr("Reading the cluster…")
                               : tr("The cluster could not be read: %1").arg(m_wizard->factsError()));
        m_summary->setStyleSheet(m_wizard->isGathering() ? QString() : u"QLabel { color: #c62828; }"_s);
        emit completeChanged();
        return;
    }
    const taos::ClusterSnapshot &snapshot = m_wizard->facts().snapshot;
    const int replicas = m_wizard->currentReplicas();
    const int ready = int(std::count_if(snapshot.dnodes.begin(), snapshot.dnodes.end(),
                                        [](const taos::Dnode &dnode) { return dnode.status == u"ready"; }));
    int largest = 0;
    const QString databases = databaseSummary(snapshot, &largest);
    QString text = tr("StatefulSet %1 has %n replica(s) now.", nullptr, replicas)
                       .arg(m_wizard->environment().statefulSet) +
                   u' ' +
                   tr("TDengine: %1 dnode(s), %2 ready; %3 mnode(s).")
                       .arg(snapshot.dnodes.size())
                       .arg(ready)
                       .arg(snapshot.mnodes.size()) +
                   u"\n"_s + tr("Databases: %1.").arg(databases);
    if (largest > 0)
        text += u' ' + tr("The largest replica is %1: a scale-in cannot go below %1 dnodes.").arg(largest);
    m_summary->setText(text);
    m_summary->setStyleSheet({});
    m_target->setEnabled(true);
    if (!m_targetChosen) {
        const QSignalBlocker blocker(m_target);
        m_target->setValue(replicas + 2); // the common request: two more, a safe margin for replica 3
    }
    showDirection();
    emit completeChanged();
}

void ScaleTargetPage::showDirection()
{
    if (!m_wizard->hasFacts())
        return;
    const QString set = m_wizard->environment().statefulSet;
    const int replicas = m_wizard->currentReplicas();
    const int wanted = target();
    m_options->setEnabled(wanted > replicas);
    if (wanted > replicas) {
        m_direction->setText(
            tr("Scale-out: adds %n pod(s) (%1) and their dnodes.", nullptr, wanted - replicas)
                .arg(podRange(set, replicas, wanted)));
    } else if (wanted < replicas) {
        m_direction->setText(tr("Safe scale-in: drops the dnodes of %n pod(s) (%1) first, so that their data "
                                "moves to the others, then removes the pods and their claims.",
                                nullptr, replicas - wanted)
                                 .arg(podRange(set, wanted, replicas)));
    } else {
        m_direction->setText(tr("The cluster has %1 already: choose another number.").arg(replicas));
    }
}

// --- ScalePlanPage -----------------------------------------------------------------------------

ScalePlanPage::ScalePlanPage(ScaleWizard *wizard)
    : m_wizard(wizard)
{
    setTitle(wizard->mode() == ScaleWizard::Mode::Repair ? tr("Repair plan") : tr("Plan"));
    setSubTitle(tr("What tdkube found and what it will do, in order. Nothing has been changed yet."));
    setCommitPage(true);
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_status = new QLabel(this);
    m_status->setObjectName(u"planStatus"_s);
    m_status->setWordWrap(true);
    m_refresh = new QPushButton(tr("Refresh"), this);
    m_refresh->setObjectName(u"refreshPlan"_s);
    m_refresh->setToolTip(tr("Read the cluster again and plan anew"));
    top->addWidget(m_status, 1);
    top->addWidget(m_refresh, 0, Qt::AlignTop);
    layout->addLayout(top);
    m_view = new QTextBrowser(this);
    m_view->setObjectName(u"plan"_s);
    m_view->setOpenLinks(false);
    layout->addWidget(m_view, 1);
    auto *typedRow = new QHBoxLayout;
    m_typedLabel = new QLabel(this);
    m_typedLabel->setWordWrap(true);
    m_typed = new QLineEdit(this);
    m_typed->setObjectName(u"typedConfirmation"_s);
    typedRow->addWidget(m_typedLabel, 1);
    typedRow->addWidget(m_typed);
    layout->addLayout(typedRow);
    m_read = new QCheckBox(tr("I have read the plan"), this);
    m_read->setObjectName(u"readPlan"_s);
    layout->addWidget(m_read);

    connect(m_refresh, &QPushButton::clicked, this, [this] {
        m_ready = false;
        showPlan();
        m_wizard->gather();
    });
    connect(wizard, &ScaleWizard::gathered, this, [this] {
        if (m_wizard->currentId() != ScaleWizard::PlanPage)
            return;
        m_plan = m_wizard->makePlan();
        m_ready = m_wizard->hasFacts();
        m_read->setChecked(false); // a new plan is read anew
        m_typed->clear();
        applyConfirmation();
    });
    connect(m_typed, &QLineEdit::textChanged, this, &ScalePlanPage::applyConfirmation);
    connect(m_read, &QCheckBox::toggled, this, &ScalePlanPage::completeChanged);
}

ScalePlanPage::~ScalePlanPage() = default;

void ScalePlanPage::initializePage()
{
    m_ready = false;
    m_read->setChecked(false);
    m_typed->clear();
    showPlan();
    m_wizard->gather();
}

bool ScalePlanPage::isComplete() const
{
    return m_ready && !m_confirmed.blocked() && !m_confirmed.steps.isEmpty() && m_read->isChecked();
}

QString ScalePlanPage::planText() const
{
    return m_view->toPlainText();
}

QString ScalePlanPage::confirmationText() const
{
    return m_typedLabel->text();
}

void ScalePlanPage::applyConfirmation()
{
    m_confirmed = m_plan;
    if (!m_confirmed.confirmation.isEmpty())
        m_confirmed.confirm(m_typed->text().trimmed());
    showPlan();
}

void ScalePlanPage::showPlan()
{
    m_refresh->setEnabled(!m_wizard->isGathering());
    const bool needsTyping = m_ready && !m_plan.confirmation.isEmpty();
    m_typedLabel->setVisible(needsTyping);
    m_typed->setVisible(needsTyping);
    const bool confirmed = needsTyping && !m_confirmed.blocked();
    m_typedLabel->setText(
        (m_plan.lostDatabases.isEmpty()
             ? tr("This plan loses data for good.")
             : tr("This plan loses, for good, the data of %1 that exists only on the dropped dnode.")
                   .arg(m_plan.lostDatabases.join(u", "_s))) +
        u' ' + tr("To run it anyway, type the cluster name %1:").arg(m_plan.confirmation));
    m_typedLabel->setStyleSheet(confirmed ? u"QLabel { color: #e65100; }"_s
                                          : u"QLabel { color: #c62828; font-weight: bold; }"_s);
    if (!m_ready) {
        const QString error = m_wizard->factsError();
        m_status->setText(
            m_wizard->isGathering() || error.isEmpty()
                ? tr("Reading the cluster…")
                : tr("The cluster could not be read: %1 Press Refresh to try again.").arg(error));
        m_status->setStyleSheet(m_wizard->isGathering() ? QString() : u"QLabel { color: #c62828; }"_s);
        m_view->clear();
        m_read->setEnabled(false);
        emit completeChanged();
        return;
    }
    const ops::Plan &plan = m_confirmed;
    ops::Plan typed = m_plan;
    const bool onlyTypingMissing = typed.confirm(typed.confirmation) && !typed.blocked();
    if (plan.blocked() && onlyTypingMissing) {
        m_status->setText(tr("tdkube runs this only once you have typed the cluster name below: it loses "
                             "data for good."));
        m_status->setStyleSheet(u"QLabel { color: #c62828; font-weight: bold; }"_s);
    } else if (plan.blocked()) {
        m_status->setText(tr("tdkube will not run this: the findings in red say why and what to do."));
        m_status->setStyleSheet(u"QLabel { color: #c62828; font-weight: bold; }"_s);
    } else if (plan.steps.isEmpty()) {
        m_status->setText(tr("Nothing to do."));
        m_status->setStyleSheet({});
    } else {
        m_status->setText(plan.summary());
        m_status->setStyleSheet(u"QLabel { font-weight: bold; }"_s);
    }
    m_read->setEnabled(!plan.blocked() && !plan.steps.isEmpty());

    QString html;
    if (!plan.findings.isEmpty()) {
        html += u"<h3>"_s + tr("Findings").toHtmlEscaped() + u"</h3>"_s;
        for (const ops::Finding &finding : plan.findings) {
            const QString color = finding.severity == Severity::Blocking  ? u"#c62828"_s
                                  : finding.severity == Severity::Warning ? u"#e65100"_s
                                                                          : u"#616161"_s;
            const QString label = finding.severity == Severity::Blocking  ? tr("Blocking")
                                  : finding.severity == Severity::Warning ? tr("Warning")
                                                                          : tr("Info");
            html +=
                u"<p style='margin-bottom:6px'><b style='color:%1'>%2:</b> <span style='color:%1'>%3</span>"_s
                    .arg(color, label.toHtmlEscaped(), finding.reason.toHtmlEscaped());
            if (!finding.fix.isEmpty())
                html += u"<br><b>"_s + tr("Fix:").toHtmlEscaped() + u"</b> "_s + finding.fix.toHtmlEscaped();
            html += u"</p>"_s;
        }
    } else {
        html +=
            u"<p style='color:#2e7d32'>"_s + tr("Preflight found no problem.").toHtmlEscaped() + u"</p>"_s;
    }
    html += planStepsHtml(plan, tr("Steps"));
    m_view->setHtml(html);
    emit completeChanged();
}

// --- ScaleRunPage ------------------------------------------------------------------------------

ScaleRunPage::ScaleRunPage(ScaleWizard *wizard)
    : m_wizard(wizard)
{
    setTitle(tr("Running"));
    setSubTitle(tr("Each step is recorded before and after it runs: if tdkube stops, it offers to resume "
                   "where it stopped."));
    setFinalPage(true);
    auto *layout = new QVBoxLayout(this);
    m_view = new OperationView(this);
    m_view->setObjectName(u"operationView"_s);
    layout->addWidget(m_view);
    connect(m_view, &OperationView::finished, this, [this](bool ok) {
        const bool cancelled = !ok && m_view->wasCancelled();
        setTitle(ok ? tr("Done") : cancelled ? tr("Cancelled") : tr("Stopped"));
        setSubTitle(
            ok ? tr("Every step ran and the cluster was verified. The log below says what was done.")
            : cancelled
                ? tr("The operation stopped, as asked, after the last step marked done; nothing after it "
                     "ran. Resume it, or abandon it, where the main window lists unfinished "
                     "operations.")
                : tr("The operation stopped at the step marked below; the log says why. Nothing after "
                     "it ran. Fix the cause, then press Resume where the main window lists "
                     "unfinished operations."));
        emit completeChanged();
        emit m_wizard->operationFinished(ok);
    });
}

ScaleRunPage::~ScaleRunPage() = default;

void ScaleRunPage::initializePage()
{
    if (m_executor)
        return; // a commit page is passed once: the operation runs once
    const ScaleWizard::Environment &environment = m_wizard->environment();
    m_executor = new ops::Executor(environment.client, environment.passwords, this);
    m_executor->setPollInterval(environment.pollIntervalMs);
    const ops::Plan plan = m_wizard->planPage()->plan();
    m_view->follow(m_executor, plan);
    m_executor->start(plan);
}

bool ScaleRunPage::isComplete() const
{
    return m_view->isFinished();
}

bool ScaleRunPage::isRunning() const
{
    return m_executor && m_executor->isRunning();
}

} // namespace tdkube::ui
