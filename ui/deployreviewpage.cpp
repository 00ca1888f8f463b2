#include "deployreviewpage.h"

#include "deploy/clusterspec.h"
#include "deploy/manifestcheck.h"
#include "deploywizard.h"
#include "diffview.h"
#include "kube/objects.h"
#include "kube/yamlwriter.h"
#include "ops/planner.h"
#include "yamleditor.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

namespace {

QString titleOf(const QJsonObject &object)
{
    return object.value(u"kind").toString() + u' ' + kube::nameOf(object);
}

QString describe(const deploy::ObjectResult &result)
{
    if (!result.conflicts.isEmpty()) {
        QStringList fields;
        for (const deploy::FieldConflict &conflict : result.conflicts)
            fields.append(DeployReviewPage::tr("%1 (owned by %2)").arg(conflict.field, conflict.manager));
        return DeployReviewPage::tr("Conflict: %1").arg(fields.join(u", "_s));
    }
    if (!result.error.isEmpty())
        return result.error;
    if (!result.existed)
        return DeployReviewPage::tr("New: will be created");
    if (result.unchanged)
        return DeployReviewPage::tr("Exists, unchanged");
    return DeployReviewPage::tr("Exists: will be changed (see the diff)");
}

} // namespace

DeployReviewPage::DeployReviewPage(DeployWizard *wizard)
    : m_wizard(wizard)
{
    setTitle(tr("Review"));
    setSubTitle(tr("Nothing has changed in the cluster yet. These objects are what Apply sends (server-side "
                   "apply, field manager tdkube); edit them here if you need to."));
    setCommitPage(true);
    auto *layout = new QVBoxLayout(this);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    auto *top = new QWidget(splitter);
    auto *topLayout = new QHBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    m_plan = new QLabel(top);
    m_plan->setObjectName(u"plan"_s);
    m_plan->setWordWrap(true);
    m_plan->setTextFormat(Qt::RichText);
    m_plan->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    topLayout->addWidget(m_plan, 2);
    m_results = new QTreeWidget(top);
    m_results->setObjectName(u"dryRunResults"_s);
    m_results->setHeaderLabels({tr("Object"), tr("Server dry-run")});
    m_results->setRootIsDecorated(false);
    m_results->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    topLayout->addWidget(m_results, 3);
    m_tabs = new QTabWidget(splitter);
    m_tabs->setObjectName(u"objectTabs"_s);
    splitter->addWidget(top);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    // The YAML is what a person reads and edits here: it gets most of the height.
    splitter->setSizes({230, 420});
    layout->addWidget(splitter, 1);

    auto *bottom = new QHBoxLayout;
    m_status = new QLabel(this);
    m_status->setObjectName(u"reviewStatus"_s);
    m_status->setWordWrap(true);
    bottom->addWidget(m_status, 1);
    m_force = new QCheckBox(tr("Take over conflicting fields (force)"), this);
    m_force->setObjectName(u"force"_s);
    m_force->hide();
    bottom->addWidget(m_force);
    m_recheck = new QPushButton(tr("Dry-run again"), this);
    m_recheck->setObjectName(u"dryRunAgain"_s);
    bottom->addWidget(m_recheck);
    auto *exportButton = new QPushButton(tr("Export…"), this);
    exportButton->setObjectName(u"export"_s);
    exportButton->setToolTip(tr("Save the objects as YAML files that kubectl apply -f accepts"));
    bottom->addWidget(exportButton);
    layout->addLayout(bottom);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(800);
    connect(&m_debounce, &QTimer::timeout, this, &DeployReviewPage::runPreview);
    connect(m_recheck, &QPushButton::clicked, this, &DeployReviewPage::runPreview);
    connect(exportButton, &QPushButton::clicked, this, &DeployReviewPage::exportClicked);
    connect(m_force, &QCheckBox::toggled, this, &DeployReviewPage::completeChanged);
}

DeployReviewPage::~DeployReviewPage() = default;

void DeployReviewPage::initializePage()
{
    m_objectTabs.clear();
    while (m_tabs->count() > 0) {
        QWidget *page = m_tabs->widget(0);
        m_tabs->removeTab(0);
        delete page;
    }
    const QList<QJsonObject> objects = deploy::buildManifests(m_wizard->spec());
    for (const QJsonObject &object : objects) {
        auto *inner = new QTabWidget(m_tabs);
        inner->setDocumentMode(true);
        inner->setTabPosition(QTabWidget::South);
        ObjectTab tab;
        tab.editor = new YamlEditor(inner);
        tab.editor->setObjectName(u"editor:"_s + titleOf(object));
        tab.editor->setText(kube::toYaml(object));
        tab.diff = new DiffView(inner);
        tab.diff->setObjectName(u"diff:"_s + titleOf(object));
        inner->addTab(tab.editor, tr("YAML"));
        inner->addTab(tab.diff, tr("Dry-run and diff with the live object"));
        m_tabs->addTab(inner, titleOf(object));
        connect(tab.editor, &YamlEditor::textChanged, this, &DeployReviewPage::editorsChanged);
        connect(tab.editor, &YamlEditor::diagnosticsChanged, this, &DeployReviewPage::completeChanged);
        m_objectTabs.append(tab);
    }
    m_force->setChecked(false);
    m_force->hide();
    m_liveStatefulSet = false;
    showPlan();
    runPreview();
}

void DeployReviewPage::cleanupPage()
{
    m_debounce.stop();
    delete m_preview;
}

YamlEditor *DeployReviewPage::editor(int index) const
{
    return index >= 0 && index < m_objectTabs.size() ? m_objectTabs.at(index).editor : nullptr;
}

DiffView *DeployReviewPage::diffView(int index) const
{
    return index >= 0 && index < m_objectTabs.size() ? m_objectTabs.at(index).diff : nullptr;
}

QList<QJsonObject> DeployReviewPage::objects(QString *error) const
{
    QList<QJsonObject> result;
    for (qsizetype tab = 0; tab < m_objectTabs.size(); ++tab) {
        QList<deploy::ManifestDocument> documents;
        QString problem;
        if (!deploy::parseManifests(m_objectTabs.at(tab).editor->text().toUtf8(), &documents, &problem)) {
            if (error)
                *error = tr("%1: %2").arg(m_tabs->tabText(int(tab)), problem);
            return {};
        }
        for (const deploy::ManifestDocument &document : std::as_const(documents))
            result.append(document.object);
    }
    return result;
}

bool DeployReviewPage::force() const
{
    return m_force->isChecked();
}

QString DeployReviewPage::planText() const
{
    return m_plan->text();
}

// A new cluster: the steps of the operation that Apply starts (ops::planDeploy, as DeployProgressPage
// plans it), under their own titles. A StatefulSet that the dry-run found live: the objects applied to it,
// then followed as they roll.
void DeployReviewPage::showPlan()
{
    const deploy::ClusterSpec &spec = m_wizard->spec();
    const QString context = m_wizard->environment().context;
    QStringList steps;
    if (m_wizard->createNamespace())
        steps.append(tr("Create namespace <b>%1</b>").arg(spec.ns.toHtmlEscaped()));
    QList<QJsonObject> objects = this->objects();
    if (objects.isEmpty())
        objects = deploy::buildManifests(spec);
    QString html;
    if (!m_liveStatefulSet) {
        ops::DeployFacts facts;
        facts.context = context;
        facts.ns = spec.ns;
        facts.objects = objects;
        facts.haMnodes = spec.haMnodes;
        for (const ops::Step &step : ops::planDeploy(facts).steps)
            steps.append(step.title.toHtmlEscaped());
        html = tr("<b>Plan</b> in %1 of context %2, run as a recorded operation (journaled here and in the "
                  "cluster, resumed where it stopped if it is cut short):<ol>")
                   .arg(spec.ns.toHtmlEscaped(), context.toHtmlEscaped());
    } else {
        QStringList names;
        for (const QJsonObject &object : std::as_const(objects))
            names.append(titleOf(object).toHtmlEscaped());
        steps.append(tr("Apply %1").arg(names.join(u", "_s)));
        steps.append(tr("Wait for pods %1-0 … %1-%2 to become Ready, one after the other")
                         .arg(spec.name.toHtmlEscaped())
                         .arg(spec.replicas - 1));
        steps.append(tr("Wait for %n dnode(s) to be ready in TDengine", nullptr, spec.replicas));
        if (spec.haMnodes && spec.replicas >= 3)
            steps.append(tr("Create the mnodes that are missing on the dnodes of pods %1-1 and %1-2")
                             .arg(spec.name.toHtmlEscaped()));
        steps.append(spec.haMnodes && spec.replicas >= 3
                         ? tr("Verify <code>show mnodes</code>: 1 leader, 2 followers")
                         : tr("Verify <code>show mnodes</code>: 1 leader"));
        html = tr("<b>Plan</b> for the live cluster %3 in %1 of context %2:<ol>")
                   .arg(spec.ns.toHtmlEscaped(), context.toHtmlEscaped(), spec.name.toHtmlEscaped());
    }
    for (const QString &step : steps)
        html += u"<li>"_s + step + u"</li>"_s;
    m_plan->setText(html + u"</ol>"_s);
    // Never cut the plan off: it is what the person agrees to with Apply.
    m_plan->setMinimumHeight(m_plan->heightForWidth(std::max(m_plan->width(), 360)));
}

void DeployReviewPage::editorsChanged()
{
    m_previewCurrent = false;
    m_status->setText(tr("Edited: the dry-run runs again in a moment."));
    m_debounce.start();
    emit completeChanged();
}

void DeployReviewPage::runPreview()
{
    m_debounce.stop();
    delete m_preview;
    m_previewResults.clear();
    m_previewCurrent = false;
    m_results->clear();
    QString error;
    const QList<QJsonObject> objects = this->objects(&error);
    if (!error.isEmpty()) {
        m_status->setText(tr("Cannot dry-run: %1").arg(error));
        emit completeChanged();
        return;
    }
    if (m_wizard->createNamespace()) {
        // The server can only judge namespaced objects once their namespace exists; creating it
        // now would change the cluster before Apply.
        for (const QJsonObject &object : objects)
            new QTreeWidgetItem(m_results, {titleOf(object), tr("Checked after the namespace is created")});
        m_previewCurrent = true;
        m_status->setText(tr("Namespace %1 does not exist yet: the server checks these objects when they are "
                             "applied, right after it is created.")
                              .arg(m_wizard->spec().ns));
        emit completeChanged();
        emit previewFinished();
        return;
    }
    m_status->setText(tr("Asking the server for a dry-run of %n object(s)…", nullptr, int(objects.size())));
    m_preview = new deploy::ApplySet(m_wizard->environment().client, objects, m_wizard->spec().ns, this);
    connect(m_preview, &deploy::ApplySet::finished, this, &DeployReviewPage::previewDone);
    m_preview->preview();
    emit completeChanged();
}

// Fewer replicas applied to a live StatefulSet end its highest pods without `drop dnode`: the one way
// to lose data that tdkube exists to prevent. Their dnodes stay in the cluster, offline, with the only
// copy of replica-1 data and a replica of everything else. Refused here; Scale… does it safely.
QString DeployReviewPage::scaleInRefusal(const deploy::ObjectResult &result)
{
    if (!result.existed || result.kind != u"StatefulSet")
        return {};
    const int live = kube::valueAt(result.live, u"spec.replicas"_s).toInt(1);
    const int applied = kube::valueAt(result.desired, u"spec.replicas"_s).toInt(1);
    if (applied >= live)
        return {};
    QStringList pods;
    for (int ordinal = applied; ordinal < live; ++ordinal)
        pods.append(result.name + u'-' + QString::number(ordinal));
    return tr("StatefulSet %1 runs %2 replicas: applying %3 would end pods %4 without `drop dnode`, leaving "
              "their dnodes offline in the cluster with the data they hold. Scale it in with Scale… on the "
              "cluster's page (it drops the dnodes first and checks every database's replicas), or keep "
              "replicas at %2 here.")
        .arg(result.name)
        .arg(live)
        .arg(applied)
        .arg(pods.join(u", "_s));
}

void DeployReviewPage::previewDone()
{
    m_previewResults = m_preview->results();
    m_preview->deleteLater();
    m_previewCurrent = true;
    const bool live = std::any_of(m_previewResults.cbegin(), m_previewResults.cend(), [](const auto &result) {
        return result.existed && result.kind == u"StatefulSet";
    });
    if (live != std::exchange(m_liveStatefulSet, live))
        showPlan();
    int problems = 0;
    bool conflicts = false;
    QStringList refusals;
    for (deploy::ObjectResult &result : m_previewResults) {
        const QString refusal = scaleInRefusal(result);
        if (!refusal.isEmpty())
            refusals.append(result.error = refusal);
    }
    for (qsizetype i = 0; i < m_previewResults.size(); ++i) {
        const deploy::ObjectResult &result = m_previewResults.at(i);
        auto *item = new QTreeWidgetItem(m_results, {result.kind + u' ' + result.name, describe(result)});
        item->setToolTip(1, describe(result));
        const bool failed = !result.error.isEmpty() || !result.conflicts.isEmpty();
        if (failed) {
            item->setForeground(1, QColor(0xb7, 0x1c, 0x1c));
            ++problems;
        }
        conflicts = conflicts || !result.conflicts.isEmpty();
        if (i < m_objectTabs.size()) {
            QString empty = result.existed ? tr("The live object is already exactly like this.")
                                           : tr("No live object of this name: it will be created.");
            if (!result.error.isEmpty())
                empty = result.error;
            m_objectTabs.at(i).diff->setDiff(result.diff, empty);
        }
    }
    m_force->setVisible(conflicts);
    m_status->setText(problems == 0 ? tr("The server accepts every object (dry-run). Apply sends them.")
                                    : tr("%n object(s) need attention before Apply.", nullptr, problems));
    if (!refusals.isEmpty()) // whole, not elided in the list
        m_status->setText(refusals.join(u'\n'));
    emit completeChanged();
    emit previewFinished();
}

bool DeployReviewPage::isComplete() const
{
    if (!m_previewCurrent || m_objectTabs.isEmpty())
        return false;
    for (const ObjectTab &tab : m_objectTabs) {
        if (tab.editor->checkPending())
            return false;
        for (const deploy::Diagnostic &diagnostic : tab.editor->diagnostics()) {
            if (diagnostic.severity == deploy::Diagnostic::Severity::Error)
                return false;
        }
    }
    for (const deploy::ObjectResult &result : m_previewResults) {
        if (!scaleInRefusal(result).isEmpty()) // taking fields over does not make it safe
            return false;
        if (!result.error.isEmpty() && result.conflicts.isEmpty())
            return false;
        if (!result.conflicts.isEmpty() && !m_force->isChecked())
            return false;
    }
    return true;
}

bool DeployReviewPage::exportTo(const QString &directory, QString *error) const
{
    // Each tab's text as it stands, comments and all, in a file named after its object; a tab whose
    // text holds more than one document is written anew from what it parses to.
    QList<QJsonObject> objects;
    QStringList texts;
    for (qsizetype tab = 0; tab < m_objectTabs.size(); ++tab) {
        const QString text = m_objectTabs.at(tab).editor->text();
        QList<deploy::ManifestDocument> documents;
        QString problem;
        if (!deploy::parseManifests(text.toUtf8(), &documents, &problem)) {
            if (error)
                *error = tr("%1: %2").arg(m_tabs->tabText(int(tab)), problem);
            return false;
        }
        for (const deploy::ManifestDocument &document : std::as_const(documents)) {
            objects.append(document.object);
            texts.append(documents.size() == 1 ? text : QString());
        }
    }
    return !objects.isEmpty() && deploy::exportManifests(objects, directory, error, texts);
}

void DeployReviewPage::exportClicked()
{
    const QString directory = QFileDialog::getExistingDirectory(this, tr("Export the manifests to"));
    if (directory.isEmpty())
        return;
    QString error;
    if (!exportTo(directory, &error)) {
        QMessageBox::warning(this, tr("Export failed"), tr("The manifests were not written: %1").arg(error));
        return;
    }
    m_status->setText(tr("Exported to %1: kubectl apply -f %1 creates the same objects.").arg(directory));
}

} // namespace tdkube::ui
