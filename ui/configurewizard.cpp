#include "configurewizard.h"

#include "kube/objects.h"
#include "operationview.h"
#include "ops/facts.h"
#include "ops/planner.h"
#include "upgradeimagepage.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace tdkube::ui {

using namespace Qt::StringLiterals;
using Severity = ops::Finding::Severity;

namespace {

constexpr int kKeyRole = Qt::UserRole;          // what planConfigure is given: a variable, or the name typed
constexpr int kVariableRole = Qt::UserRole + 1; // the TAOS_* variable, to match rows

QJsonObject configMapData(const ops::ClusterFacts &facts)
{
    const QString name = ops::taosConfigMapOf(facts.statefulSet);
    for (const QJsonObject &object : facts.configMaps) {
        if (kube::nameOf(object) == name)
            return object.value(u"data").toObject();
    }
    return {};
}

QString severityColor(Severity severity)
{
    return severity == Severity::Blocking  ? u"#c62828"_s
           : severity == Severity::Warning ? u"#e65100"_s
                                           : u"#616161"_s;
}

// Findings as the scale wizard shows them, except that each entry's own finding says how it takes effect
// (at once, with a restart, or not at all) in its label and colour, so that the two paths stand apart.
QString findingHtml(const ops::Finding &finding)
{
    QString label = finding.severity == Severity::Blocking  ? ConfigureWizard::tr("Blocking")
                    : finding.severity == Severity::Warning ? ConfigureWizard::tr("Warning")
                                                            : ConfigureWizard::tr("Info");
    QString color = severityColor(finding.severity);
    if (finding.code == u"applied-at-runtime") {
        label = ConfigureWizard::tr("Applied at once");
        color = u"#2e7d32"_s;
    } else if (finding.code == u"needs-restart") {
        label = ConfigureWizard::tr("Needs a restart");
        color = u"#1565c0"_s;
    } else if (finding.code == u"unchanged") {
        label = ConfigureWizard::tr("Unchanged");
    }
    QString html =
        u"<p style='margin-bottom:6px'><b style='color:%1'>%2:</b> <span style='color:%1'>%3</span>"_s.arg(
            color, label.toHtmlEscaped(), finding.reason.toHtmlEscaped());
    if (!finding.fix.isEmpty())
        html += u"<br><b>"_s + ConfigureWizard::tr("Fix:").toHtmlEscaped() + u"</b> "_s +
                finding.fix.toHtmlEscaped();
    return html + u"</p>"_s;
}

const ops::Finding *findingOf(const ops::Plan &plan, const QString &code)
{
    const auto found = std::find_if(plan.findings.begin(), plan.findings.end(),
                                    [&code](const ops::Finding &finding) { return finding.code == code; });
    return found == plan.findings.end() ? nullptr : &*found;
}

QStringList rolledPods(const ops::Plan &plan)
{
    QStringList pods;
    for (const ops::Step &step : plan.steps) {
        if (step.kind == ops::Step::Kind::RollPod)
            pods.append(step.pods);
    }
    return pods;
}

} // namespace

// --- ConfigureWizard ---------------------------------------------------------------------------

ConfigureWizard::ConfigureWizard(Environment environment, QWidget *parent)
    : QWizard(parent)
    , m_environment(std::move(environment))
{
    setWindowTitle(m_environment.upgrade
                       ? tr("Upgrade TDengine cluster %1").arg(m_environment.statefulSet)
                       : tr("Configure TDengine cluster %1").arg(m_environment.statefulSet));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnLastPage);
    setOption(QWizard::NoCancelButtonOnLastPage);
    setButtonText(QWizard::CommitButton, tr("Start"));
    resize(960, 720);
    if (m_environment.upgrade) {
        m_imagePage = new UpgradeImagePage(this);
        setPage(SettingsPage, m_imagePage);
    } else {
        m_settingsPage = new ConfigureSettingsPage(this);
        setPage(SettingsPage, m_settingsPage);
    }
    m_planPage = new ConfigurePlanPage(this);
    m_runPage = new ConfigureRunPage(this);
    setPage(PlanPage, m_planPage);
    setPage(RunPage, m_runPage);
    gather(); // the plan page gathers again: what it shows is never older than the page
}

ConfigureWizard::~ConfigureWizard() = default;

void ConfigureWizard::gather()
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

ops::Plan ConfigureWizard::makePlan() const
{
    ops::Plan plan = m_environment.upgrade ? ops::planUpgrade(m_facts, m_imagePage->image())
                                           : ops::planConfigure(m_facts, m_settingsPage->changes());
    plan.context = m_environment.context;
    return plan;
}

void ConfigureWizard::reject()
{
    if (m_runPage->isRunning() &&
        QMessageBox::question(
            this, m_environment.upgrade ? tr("Stop the upgrade?") : tr("Stop the configuration change?"),
            m_environment.upgrade
                ? tr("The upgrade is still running. Closing stops it where it is: a pod restarting now comes "
                     "back on the new image, the pods not restarted yet stay on the old one. Nothing is "
                     "undone, and tdkube offers to resume it when you open this context again.\n\nClose "
                     "anyway?")
                : tr("The change is still running. Closing stops it where it is: a pod restarting "
                     "now comes back on the new configuration, the pods not restarted yet stay on "
                     "the old one. Nothing is undone, and tdkube offers to resume it when you open "
                     "this context again.\n\nClose anyway?")) != QMessageBox::Yes)
        return;
    QWizard::reject();
}

// --- ConfigureSettingsPage ---------------------------------------------------------------------

ConfigureSettingsPage::ConfigureSettingsPage(ConfigureWizard *wizard)
    : m_wizard(wizard)
{
    setTitle(tr("Settings"));
    setSubTitle(tr("The taos.cfg entries the pods read from their ConfigMap. Type a new value where you want "
                   "a change. Nothing changes before you have read the plan and pressed Start."));
    auto *layout = new QVBoxLayout(this);
    m_summary = new QLabel(tr("Reading the cluster…"), this);
    m_summary->setObjectName(u"settingsSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);

    m_table = new QTableWidget(0, 4, this);
    m_table->setObjectName(u"settings"_s);
    m_table->setHorizontalHeaderLabels(
        {tr("Setting"), tr("Current value"), tr("New value"), tr("Takes effect")});
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::AllEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(NameColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(CurrentColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(NewColumn, QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(NewColumn, 160);
    m_table->setEnabled(false);
    layout->addWidget(m_table, 1);

    auto *addRow = new QHBoxLayout;
    auto *addLabel = new QLabel(tr("Add a setting the ConfigMap does not have:"), this);
    m_addName = new QLineEdit(this);
    m_addName->setObjectName(u"addName"_s);
    m_addName->setPlaceholderText(tr("taos.cfg name, e.g. %1").arg(u"numOfCommitThreads"_s));
    m_addValue = new QLineEdit(this);
    m_addValue->setObjectName(u"addValue"_s);
    m_addValue->setPlaceholderText(tr("value"));
    m_add = new QPushButton(tr("Add"), this);
    m_add->setObjectName(u"addSetting"_s);
    m_add->setEnabled(false);
    addRow->addWidget(addLabel);
    addRow->addWidget(m_addName, 2);
    addRow->addWidget(m_addValue, 1);
    addRow->addWidget(m_add);
    layout->addLayout(addRow);

    connect(wizard, &ConfigureWizard::gathered, this, &ConfigureSettingsPage::showFacts);
    connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (item->column() != NewColumn)
            return;
        m_changed = true;
        showEffect(item->row());
        emit completeChanged();
    });
    const auto typed = [this] {
        m_add->setEnabled(m_usable && !m_addName->text().trimmed().isEmpty() &&
                          !m_addValue->text().trimmed().isEmpty());
    };
    connect(m_addName, &QLineEdit::textChanged, this, typed);
    connect(m_addValue, &QLineEdit::textChanged, this, typed);
    connect(m_add, &QPushButton::clicked, this, &ConfigureSettingsPage::addTyped);
    connect(m_addValue, &QLineEdit::returnPressed, this, &ConfigureSettingsPage::addTyped);
}

ConfigureSettingsPage::~ConfigureSettingsPage() = default;

void ConfigureSettingsPage::initializePage()
{
    showFacts();
}

bool ConfigureSettingsPage::isComplete() const
{
    return m_wizard->hasFacts() && m_usable && !changes().isEmpty();
}

QMap<QString, QString> ConfigureSettingsPage::changes() const
{
    QMap<QString, QString> settings;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QString value = text(row, NewColumn).trimmed();
        if (!value.isEmpty())
            settings.insert(m_table->item(row, NameColumn)->data(kKeyRole).toString(), value);
    }
    return settings;
}

int ConfigureSettingsPage::rowOf(const QString &name) const
{
    const QString variable = ops::taosVariable(name.trimmed());
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QTableWidgetItem *item = m_table->item(row, NameColumn);
        if (item->text() == name.trimmed() || item->data(kVariableRole).toString() == variable)
            return row;
    }
    return -1;
}

QString ConfigureSettingsPage::text(int row, Column column) const
{
    const QTableWidgetItem *item = m_table->item(row, column);
    return item ? item->text() : QString();
}

QString ConfigureSettingsPage::summaryText() const
{
    return m_summary->text();
}

void ConfigureSettingsPage::setNewValue(const QString &name, const QString &value)
{
    int row = rowOf(name);
    if (row < 0) {
        addRow(name.trimmed(), ops::taosVariable(name.trimmed()), {}, true);
        row = m_table->rowCount() - 1;
    }
    m_table->item(row, NewColumn)->setText(value.trimmed());
    m_table->scrollToItem(m_table->item(row, NewColumn));
}

void ConfigureSettingsPage::addTyped()
{
    if (!m_add->isEnabled())
        return;
    setNewValue(m_addName->text(), m_addValue->text());
    m_addName->clear();
    m_addValue->clear();
}

// One row; `added`: typed by the person, so the planner is given the name as typed (and refuses it
// with its reason when it is no taos.cfg name).
void ConfigureSettingsPage::addRow(const QString &name, const QString &variable, const QString &current,
                                   bool added)
{
    const QSignalBlocker blocker(m_table);
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    auto *nameItem = new QTableWidgetItem(name);
    nameItem->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    nameItem->setData(kKeyRole, added ? name : variable);
    nameItem->setData(kVariableRole, variable);
    nameItem->setToolTip(added ? tr("Added: not in the ConfigMap yet (as %1)").arg(variable)
                               : tr("%1 in the ConfigMap").arg(variable));
    auto *currentItem = new QTableWidgetItem(added ? tr("not set") : current);
    currentItem->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    if (added)
        currentItem->setForeground(QColor(u"#757575"_s));
    auto *newItem = new QTableWidgetItem;
    newItem->setToolTip(tr("Type the new value; leave it empty to keep the current one"));
    QFont bold = newItem->font();
    bold.setBold(true);
    newItem->setFont(bold);
    auto *effectItem = new QTableWidgetItem;
    effectItem->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    m_table->setItem(row, NameColumn, nameItem);
    m_table->setItem(row, CurrentColumn, currentItem);
    m_table->setItem(row, NewColumn, newItem);
    m_table->setItem(row, EffectColumn, effectItem);
}

void ConfigureSettingsPage::showFacts()
{
    m_usable = false;
    m_addName->setEnabled(false);
    m_addValue->setEnabled(false);
    m_add->setEnabled(false);
    if (!m_wizard->hasFacts()) {
        m_summary->setText(m_wizard->isGathering()
                               ? tr("Reading the cluster…")
                               : tr("The cluster could not be read: %1").arg(m_wizard->factsError()));
        m_summary->setStyleSheet(m_wizard->isGathering() ? QString() : u"QLabel { color: #c62828; }"_s);
        m_table->setEnabled(false);
        emit completeChanged();
        return;
    }
    // What refuses any change of this cluster's configuration (no ConfigMap through envFrom, one that
    // cannot be read or does not exist) is what the planner says of an empty change.
    const ops::Plan probe = ops::planConfigure(m_wizard->facts(), {});
    QStringList refusals;
    for (const ops::Finding &finding : probe.findings) {
        if (finding.severity == Severity::Blocking && finding.code != u"nothing-given")
            refusals.append(finding.reason + u"\n"_s + tr("Fix: %1").arg(finding.fix));
    }
    if (!refusals.isEmpty()) {
        m_summary->setText(
            tr("tdkube cannot change the configuration of %1:").arg(m_wizard->environment().statefulSet) +
            u"\n"_s + refusals.join(u"\n"_s));
        m_summary->setStyleSheet(u"QLabel { color: #c62828; }"_s);
        m_table->setEnabled(false);
        emit completeChanged();
        return;
    }
    m_usable = true;
    const QString configMap = ops::taosConfigMapOf(m_wizard->facts().statefulSet);
    m_summary->setText(tr("ConfigMap %1 gives the pods of %2 these taos.cfg entries (its TAOS_* variables, "
                          "through envFrom). An empty new value keeps the current one; an entry cannot be "
                          "removed here.")
                           .arg(configMap, m_wizard->environment().statefulSet));
    m_summary->setStyleSheet({});
    // Read again (Back from the plan): the values now, the rows and what was typed kept.
    const QJsonObject data = configMapData(m_wizard->facts());
    QStringList variables;
    for (auto it = data.constBegin(); it != data.constEnd(); ++it) {
        if (it.key().startsWith(u"TAOS_"))
            variables.append(it.key());
    }
    std::sort(variables.begin(), variables.end(), [](const QString &a, const QString &b) {
        return ops::taosConfigName(a).compare(ops::taosConfigName(b), Qt::CaseInsensitive) < 0;
    });
    for (const QString &variable : std::as_const(variables)) {
        const int row = rowOf(variable);
        if (row < 0) {
            addRow(ops::taosConfigName(variable), variable, data.value(variable).toString(), false);
            continue;
        }
        const QSignalBlocker blocker(m_table);
        QTableWidgetItem *current = m_table->item(row, CurrentColumn);
        current->setText(data.value(variable).toString());
        current->setForeground(QBrush());
    }
    m_table->setEnabled(true);
    m_addName->setEnabled(true);
    m_addValue->setEnabled(true);
    for (int row = 0; row < m_table->rowCount(); ++row)
        showEffect(row);
    m_add->setEnabled(!m_addName->text().trimmed().isEmpty() && !m_addValue->text().trimmed().isEmpty());
    emit completeChanged();
}

// What the new value of `row` would take, planned alone: each entry's own finding says it (the
// entry's refusal is then the plan's last blocking finding: the checks of the whole cluster come only
// with an entry that is not refused).
void ConfigureSettingsPage::showEffect(int row)
{
    QTableWidgetItem *effect = m_table->item(row, EffectColumn);
    const QString value = text(row, NewColumn).trimmed();
    const QSignalBlocker blocker(m_table);
    if (value.isEmpty() || !m_wizard->hasFacts()) {
        effect->setText({});
        effect->setToolTip({});
        return;
    }
    const QString key = m_table->item(row, NameColumn)->data(kKeyRole).toString();
    const ops::Plan plan = ops::planConfigure(m_wizard->facts(), {{key, value}});
    const ops::Finding *runtime = findingOf(plan, u"applied-at-runtime"_s);
    const ops::Finding *restart = findingOf(plan, u"needs-restart"_s);
    const ops::Finding *unchanged = findingOf(plan, u"unchanged"_s);
    const auto blocking =
        std::find_if(plan.findings.rbegin(), plan.findings.rend(),
                     [](const ops::Finding &f) { return f.severity == Severity::Blocking; });
    const ops::Finding *refusal = blocking == plan.findings.rend() ? nullptr : &*blocking;
    const ops::Finding *finding = runtime ? runtime : restart ? restart : unchanged ? unchanged : refusal;
    QString label;
    QString color = u"#c62828"_s;
    if (runtime) {
        label = tr("at once, without a restart");
        color = u"#2e7d32"_s;
    } else if (restart) {
        label = tr("restarts every pod, one at a time");
        color = u"#1565c0"_s;
    } else if (unchanged) {
        label = tr("unchanged");
        color = u"#757575"_s;
    } else if (refusal) {
        label = tr("refused: %1").arg(refusal->reason);
    }
    effect->setText(label);
    effect->setForeground(QColor(color));
    m_table->resizeRowToContents(row); // a refusal's whole reason, wrapped
    effect->setToolTip(!finding ? QString()
                       : finding->fix.isEmpty()
                           ? finding->reason
                           : finding->reason + u"\n"_s + tr("Fix: %1").arg(finding->fix));
}

// --- ConfigurePlanPage -------------------------------------------------------------------------

ConfigurePlanPage::ConfigurePlanPage(ConfigureWizard *wizard)
    : m_wizard(wizard)
{
    setTitle(tr("Plan"));
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
    m_restart = new QLabel(this);
    m_restart->setObjectName(u"restartNote"_s);
    m_restart->setWordWrap(true);
    m_restart->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_restart->setStyleSheet(u"QLabel { background: #e3f2fd; padding: 6px; }"_s);
    layout->addWidget(m_restart);
    m_view = new QTextBrowser(this);
    m_view->setObjectName(u"plan"_s);
    m_view->setOpenLinks(false);
    layout->addWidget(m_view, 1);
    m_read = new QCheckBox(tr("I have read the plan"), this);
    m_read->setObjectName(u"readPlan"_s);
    layout->addWidget(m_read);

    connect(m_refresh, &QPushButton::clicked, this, [this] {
        m_ready = false;
        showPlan();
        m_wizard->gather();
    });
    connect(wizard, &ConfigureWizard::gathered, this, [this] {
        if (m_wizard->currentId() != ConfigureWizard::PlanPage)
            return;
        m_plan = m_wizard->makePlan();
        m_ready = m_wizard->hasFacts();
        m_read->setChecked(false); // a new plan is read anew
        showPlan();
    });
    connect(m_read, &QCheckBox::toggled, this, &ConfigurePlanPage::completeChanged);
}

ConfigurePlanPage::~ConfigurePlanPage() = default;

void ConfigurePlanPage::initializePage()
{
    m_ready = false;
    m_read->setChecked(false);
    showPlan();
    m_wizard->gather();
}

bool ConfigurePlanPage::isComplete() const
{
    return m_ready && !m_plan.blocked() && !m_plan.steps.isEmpty() && m_read->isChecked();
}

QString ConfigurePlanPage::planText() const
{
    return m_view->toPlainText();
}

QString ConfigurePlanPage::statusText() const
{
    return m_status->text();
}

QString ConfigurePlanPage::restartText() const
{
    return m_restart->isVisibleTo(this) ? m_restart->text() : QString();
}

// How the plan restarts the pods, said plainly: one at a time, and what each waits for.
QString ConfigurePlanPage::restartNote() const
{
    if (m_plan.blocked() || m_plan.steps.isEmpty())
        return {};
    const QStringList pods = rolledPods(m_plan);
    if (pods.isEmpty())
        return tr("No pod restarts: TDengine applies these entries at once on every dnode (`alter all "
                  "dnodes`), and the ConfigMap keeps them for the next start.");
    if (m_wizard->environment().upgrade)
        return tr("The pods restart one at a time, never two at once, in this order: %1. Before the next "
                  "pod, "
                  "tdkube waits until the restarted pod is Ready on the new image, its dnode is ready again "
                  "and runs the new version, every vgroup's replicas are leader or follower, and the mnodes "
                  "have their quorum. A pod not restarted yet keeps the old version until its turn.")
            .arg(pods.join(u", "_s));
    return tr("The pods restart one at a time, never two at once, in this order: %1. Before the next pod, "
              "tdkube waits until the restarted pod is Ready on the new configuration, its dnode is ready "
              "again, every vgroup's replicas are leader or follower, and the mnodes have their quorum. A "
              "pod "
              "not restarted yet keeps the old values until its turn.")
        .arg(pods.join(u", "_s));
}

void ConfigurePlanPage::showPlan()
{
    m_refresh->setEnabled(!m_wizard->isGathering());
    if (!m_ready) {
        const QString error = m_wizard->factsError();
        m_status->setText(
            m_wizard->isGathering() || error.isEmpty()
                ? tr("Reading the cluster…")
                : tr("The cluster could not be read: %1 Press Refresh to try again.").arg(error));
        m_status->setStyleSheet(m_wizard->isGathering() ? QString() : u"QLabel { color: #c62828; }"_s);
        m_restart->hide();
        m_view->clear();
        m_read->setEnabled(false);
        emit completeChanged();
        return;
    }
    if (m_plan.blocked()) {
        m_status->setText(tr("tdkube will not run this: the findings in red say why and what to do."));
        m_status->setStyleSheet(u"QLabel { color: #c62828; font-weight: bold; }"_s);
    } else if (m_plan.steps.isEmpty()) {
        m_status->setText(m_wizard->environment().upgrade
                              ? tr("Nothing to do: the pods run this image already.")
                              : tr("Nothing to do: the cluster has these values already."));
        m_status->setStyleSheet({});
    } else {
        m_status->setText(m_plan.summary());
        m_status->setStyleSheet(u"QLabel { font-weight: bold; }"_s);
    }
    const QString note = restartNote();
    m_restart->setText(note);
    m_restart->setVisible(!note.isEmpty());
    m_read->setEnabled(!m_plan.blocked() && !m_plan.steps.isEmpty());

    QString html;
    if (!m_plan.findings.isEmpty()) {
        html += u"<h3>"_s + tr("Findings").toHtmlEscaped() + u"</h3>"_s;
        for (const ops::Finding &finding : std::as_const(m_plan.findings))
            html += findingHtml(finding);
    }
    html += planStepsHtml(m_plan, tr("Steps"));
    m_view->setHtml(html);
    emit completeChanged();
}

// --- ConfigureRunPage --------------------------------------------------------------------------

ConfigureRunPage::ConfigureRunPage(ConfigureWizard *wizard)
    : m_wizard(wizard)
{
    setTitle(tr("Running"));
    setSubTitle(tr("Each step is recorded before and after it runs: if tdkube stops, it offers to resume "
                   "where it stopped."));
    setFinalPage(true);
    auto *layout = new QVBoxLayout(this);
    m_cancelNote = new QLabel(this);
    m_cancelNote->setObjectName(u"cancelNote"_s);
    m_cancelNote->setWordWrap(true);
    layout->addWidget(m_cancelNote);
    m_view = new OperationView(this);
    m_view->setObjectName(u"operationView"_s);
    layout->addWidget(m_view, 1);
    connect(m_view, &OperationView::finished, this, &ConfigureRunPage::finished);
}

ConfigureRunPage::~ConfigureRunPage() = default;

void ConfigureRunPage::initializePage()
{
    if (m_executor)
        return; // a commit page is passed once: the operation runs once
    const ConfigureWizard::Environment &environment = m_wizard->environment();
    const ops::Plan plan = m_wizard->planPage()->plan();
    m_rolls = !rolledPods(plan).isEmpty();
    const bool upgrade = environment.upgrade;
    m_cancelNote->setText(
        upgrade ? tr("Cancel stops after the pod restarting now, never in the middle of one. The pods not "
                     "restarted yet stay on the old image, and the cluster stays consistent: the StatefulSet "
                     "holds them there with its partition. Resume continues with the next pod.")
        : m_rolls
            ? tr("Cancel stops after the pod restarting now, never in the middle of one. The pods not "
                 "restarted yet stay on the old configuration, and the cluster stays consistent: the "
                 "StatefulSet holds them there with its partition. Resume continues with the next pod.")
            : tr("Cancel stops between two steps; nothing is undone, and Resume continues from there."));
    m_executor = new ops::Executor(environment.client, environment.passwords, this);
    m_executor->setPollInterval(environment.pollIntervalMs);
    m_view->follow(m_executor, plan);
    m_executor->start(plan);
}

bool ConfigureRunPage::isComplete() const
{
    return m_view->isFinished();
}

bool ConfigureRunPage::isRunning() const
{
    return m_executor && m_executor->isRunning();
}

QString ConfigureRunPage::cancelText() const
{
    return m_cancelNote->text();
}

void ConfigureRunPage::finished(bool ok)
{
    const bool cancelled = !ok && m_view->wasCancelled();
    setTitle(ok ? tr("Done") : cancelled ? tr("Cancelled") : tr("Stopped"));
    const bool upgrade = m_wizard->environment().upgrade;
    if (ok && upgrade) {
        setSubTitle(tr("Every pod was restarted on the new image, one at a time, each dnode runs the new "
                       "version, and the cluster was verified. The log below says what was done."));
    } else if (cancelled && upgrade) {
        setSubTitle(
            tr("Stopped, as asked, after the last step marked done. The pods not restarted yet still run "
               "the old image, held there by the StatefulSet's partition: the cluster is consistent. "
               "To upgrade them too, resume the operation where the main window lists unfinished "
               "operations."));
    } else if (ok) {
        setSubTitle(m_rolls ? tr("Every pod was restarted on the new configuration, one at a time, and the "
                                 "cluster was verified. The log below says what was done.")
                            : tr("TDengine applied the new values on every dnode, the ConfigMap keeps them "
                                 "for the next start, and the cluster was verified. The log below says what "
                                 "was done."));
    } else if (cancelled) {
        setSubTitle(m_rolls ? tr("Stopped, as asked, after the last step marked done. The pods not restarted "
                                 "yet still run the old configuration, held there by the StatefulSet's "
                                 "partition: the cluster is consistent. To restart them too, resume the "
                                 "operation where the main window lists unfinished operations.")
                            : tr("The operation stopped, as asked, after the last step marked done; nothing "
                                 "after it ran. Resume it, or abandon it, where the main window lists "
                                 "unfinished operations."));
    } else {
        setSubTitle(
            upgrade ? tr("The operation stopped at the step marked below; the log says why. Nothing after "
                         "it ran: the pods not restarted yet keep the old image. Fix the cause, then "
                         "press Resume where the main window lists unfinished operations.")
                    : tr("The operation stopped at the step marked below; the log says why. Nothing after "
                         "it ran: the pods not restarted yet keep the old configuration. Fix the cause, "
                         "then press Resume where the main window lists unfinished operations."));
    }
    m_cancelNote->hide();
    emit completeChanged();
    emit m_wizard->operationFinished(ok);
}

} // namespace tdkube::ui
