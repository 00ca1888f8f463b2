#include "upgradeimagepage.h"

#include "configurewizard.h"
#include "ops/planner.h"
#include "taos/versions.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;
using Severity = ops::Finding::Severity;

namespace {

// The finding that says what the typed image would be: a version refusal, else the upgrade itself.
const QStringList kVersionCodes{u"no-image"_s,  u"bad-image"_s,    u"version-unknown"_s,
                                u"downgrade"_s, u"not-rollable"_s, u"cluster-version-unknown"_s,
                                u"unchanged"_s, u"same-version"_s, u"upgrade"_s};

} // namespace

UpgradeImagePage::UpgradeImagePage(ConfigureWizard *wizard)
    : m_wizard(wizard)
{
    setTitle(tr("Image"));
    setSubTitle(
        tr("The TDengine image the pods run now, and the one to upgrade to. Nothing changes before you "
           "have read the plan and pressed Start."));
    auto *layout = new QVBoxLayout(this);
    m_current = new QLabel(tr("Reading the cluster…"), this);
    m_current->setObjectName(u"currentImage"_s);
    m_current->setWordWrap(true);
    m_current->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_current);
    auto *form = new QFormLayout;
    m_image = new QLineEdit(this);
    m_image->setObjectName(u"newImage"_s);
    m_image->setPlaceholderText(tr("repository:version, e.g. %1").arg(u"tdengine/tdengine:3.3.6.6"_s));
    m_image->setEnabled(false);
    form->addRow(tr("New image:"), m_image);
    layout->addLayout(form);
    m_assessment = new QLabel(this);
    m_assessment->setObjectName(u"imageAssessment"_s);
    m_assessment->setWordWrap(true);
    m_assessment->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_assessment);
    auto *rule =
        new QLabel(tr("TDengine upgrades one dnode at a time only between versions whose first three "
                      "numbers are the same (3.3.6.0 to 3.3.6.6). tdkube refuses a downgrade and any "
                      "other jump, and says how to do it instead."),
                   this);
    rule->setWordWrap(true);
    rule->setStyleSheet(u"QLabel { color: #616161; }"_s);
    layout->addWidget(rule);
    layout->addStretch(1);
    connect(wizard, &ConfigureWizard::gathered, this, &UpgradeImagePage::showFacts);
    connect(m_image, &QLineEdit::textChanged, this, [this] {
        assess();
        emit completeChanged();
    });
}

UpgradeImagePage::~UpgradeImagePage() = default;

void UpgradeImagePage::initializePage()
{
    showFacts();
}

bool UpgradeImagePage::isComplete() const
{
    return m_wizard->hasFacts() && !image().isEmpty() && image() != m_currentImage;
}

QString UpgradeImagePage::image() const
{
    return m_image->text().trimmed();
}

QString UpgradeImagePage::currentText() const
{
    return m_current->text();
}

QString UpgradeImagePage::assessmentText() const
{
    return m_assessment->text();
}

void UpgradeImagePage::showFacts()
{
    if (!m_wizard->hasFacts()) {
        m_current->setText(m_wizard->isGathering()
                               ? tr("Reading the cluster…")
                               : tr("The cluster could not be read: %1").arg(m_wizard->factsError()));
        m_current->setStyleSheet(m_wizard->isGathering() ? QString() : u"QLabel { color: #c62828; }"_s);
        m_image->setEnabled(false);
        emit completeChanged();
        return;
    }
    const ops::ClusterFacts &facts = m_wizard->facts();
    // The image of the container an upgrade changes, as the planner picks it.
    m_currentImage = ops::taosContainerOf(facts.statefulSet).value(u"image").toString();
    const QString version = facts.snapshot.serverVersion;
    m_current->setText(version.isEmpty()
                           ? tr("The pods of %1 run %2; TDengine did not say its version.")
                                 .arg(m_wizard->environment().statefulSet, m_currentImage)
                           : tr("The pods of %1 run %2; TDengine answers version %3.")
                                 .arg(m_wizard->environment().statefulSet, m_currentImage, version));
    m_current->setStyleSheet({});
    m_image->setEnabled(true);
    if (m_image->text().isEmpty())
        m_image->setText(m_currentImage);
    assess();
    emit completeChanged();
}

// What the planner says of the typed image, the version part only: the cluster's health is the plan's.
void UpgradeImagePage::assess()
{
    if (!m_wizard->hasFacts() || image().isEmpty() || image() == m_currentImage) {
        m_assessment->clear();
        return;
    }
    const ops::Plan plan = ops::planUpgrade(m_wizard->facts(), image());
    for (const ops::Finding &finding : plan.findings) {
        if (!kVersionCodes.contains(finding.code))
            continue;
        const bool refused = finding.severity == Severity::Blocking;
        m_assessment->setText(refused ? tr("Refused: %1").arg(finding.reason) + u"\n"_s +
                                            tr("Fix: %1").arg(finding.fix)
                                      : finding.reason);
        m_assessment->setStyleSheet(refused ? u"QLabel { color: #c62828; }"_s
                                            : u"QLabel { color: #2e7d32; }"_s);
        return;
    }
    m_assessment->clear();
}

} // namespace tdkube::ui
