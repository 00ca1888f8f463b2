#include "objecteditordialog.h"

#include "deploy/diff.h"
#include "deploy/manifestcheck.h"
#include "diffview.h"
#include "kube/kubeclient.h"
#include "kube/objects.h"
#include "kube/yamlwriter.h"
#include "yamleditor.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

ObjectEditorDialog::ObjectEditorDialog(kube::KubeClient *client, const QJsonObject &live, QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_live(deploy::comparable(live))
    , m_ns(kube::namespaceOf(live))
{
    setObjectName(u"objectEditor"_s);
    setWindowTitle(tr("Edit %1 %2").arg(live.value(u"kind").toString(), kube::nameOf(live)));
    resize(900, 700);
    auto *layout = new QVBoxLayout(this);
    m_tabs = new QTabWidget(this);
    m_editor = new YamlEditor(m_tabs);
    m_editor->setObjectName(u"editor"_s);
    m_editor->setText(kube::toYaml(m_live));
    m_diff = new DiffView(m_tabs);
    m_diff->setObjectName(u"diff"_s);
    m_diff->setDiff({}, tr("Run a dry-run to see what the server would change."));
    m_tabs->addTab(m_editor, tr("YAML"));
    m_tabs->addTab(m_diff, tr("Dry-run diff"));
    layout->addWidget(m_tabs, 1);
    m_status = new QLabel(tr("Edit, then Dry-run to see the change; Apply sends it."), this);
    m_status->setObjectName(u"status"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_dryRun = buttons->addButton(tr("Dry-run"), QDialogButtonBox::ActionRole);
    m_dryRun->setObjectName(u"dryRun"_s);
    m_force = buttons->addButton(tr("Apply, taking over conflicting fields"), QDialogButtonBox::ActionRole);
    m_force->setObjectName(u"force"_s);
    m_force->hide();
    m_apply = buttons->addButton(tr("Apply"), QDialogButtonBox::AcceptRole);
    m_apply->setObjectName(u"apply"_s);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_dryRun, &QPushButton::clicked, this, &ObjectEditorDialog::dryRun);
    // Apply closes the dialog only once the server said yes: `accepted` is left unconnected.
    connect(m_apply, &QPushButton::clicked, this, [this] { apply(false); });
    connect(m_force, &QPushButton::clicked, this, [this] { apply(true); });
    connect(m_editor, &YamlEditor::textChanged, this, &ObjectEditorDialog::updateButtons);
    connect(m_editor, &YamlEditor::diagnosticsChanged, this, &ObjectEditorDialog::updateButtons);
    updateButtons();
}

ObjectEditorDialog::~ObjectEditorDialog() = default;

QString ObjectEditorDialog::statusText() const
{
    return m_status->text();
}

void ObjectEditorDialog::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? u"QLabel { color: #b71c1c; }"_s : QString());
}

bool ObjectEditorDialog::editedObject(QJsonObject *object)
{
    QList<deploy::ManifestDocument> documents;
    QString error;
    if (!deploy::parseManifests(m_editor->text().toUtf8(), &documents, &error)) {
        setStatus(tr("The YAML does not parse: %1").arg(error), true);
        return false;
    }
    if (documents.size() != 1) {
        setStatus(tr("Edit one object here (found %n documents).", nullptr, int(documents.size())), true);
        return false;
    }
    *object = documents.first().object;
    if (object->value(u"kind") != m_live.value(u"kind") || kube::nameOf(*object) != kube::nameOf(m_live)) {
        setStatus(tr("kind and metadata.name must stay %1 %2: this editor changes that object only.")
                      .arg(m_live.value(u"kind").toString(), kube::nameOf(m_live)),
                  true);
        return false;
    }
    return true;
}

void ObjectEditorDialog::updateButtons()
{
    bool errors = m_editor->checkPending();
    for (const deploy::Diagnostic &diagnostic : m_editor->diagnostics())
        errors = errors || diagnostic.severity == deploy::Diagnostic::Severity::Error;
    m_dryRun->setEnabled(!busy() && !errors);
    m_apply->setEnabled(!busy() && !errors && m_dryRunText == m_editor->text());
    if (m_dryRunText != m_editor->text())
        m_force->hide();
}

void ObjectEditorDialog::dryRun()
{
    QJsonObject object;
    if (!m_client || busy() || !editedObject(&object))
        return;
    m_set = new deploy::ApplySet(m_client, {object}, m_ns, this);
    const QString text = m_editor->text();
    setStatus(tr("Asking the server for a dry-run…"), false);
    connect(m_set, &deploy::ApplySet::finished, this, [this, text](bool ok) {
        const deploy::ObjectResult result = m_set->results().value(0);
        m_set->deleteLater();
        m_set = nullptr;
        m_diff->setDiff(result.diff, tr("The server would change nothing."));
        m_tabs->setCurrentWidget(m_diff);
        if (ok) {
            m_dryRunText = text;
            setStatus(result.unchanged ? tr("Dry-run: nothing would change.")
                                       : tr("Dry-run: the server accepts the change shown in the diff."),
                      false);
        } else if (!result.conflicts.isEmpty()) {
            QStringList fields;
            for (const deploy::FieldConflict &conflict : result.conflicts)
                fields.append(tr("%1 (owned by %2)").arg(conflict.field, conflict.manager));
            m_dryRunText = text;
            m_force->show();
            setStatus(
                tr("Conflict: %1. Another tool manages these fields; take them over only if your values "
                   "should win.")
                    .arg(fields.join(u", "_s)),
                true);
        } else {
            setStatus(tr("Dry-run refused: %1").arg(result.error), true);
        }
        updateButtons();
    });
    m_set->preview();
    updateButtons();
}

void ObjectEditorDialog::apply(bool force)
{
    QJsonObject object;
    if (!m_client || busy() || !editedObject(&object))
        return;
    m_set = new deploy::ApplySet(m_client, {object}, m_ns, this);
    setStatus(tr("Applying…"), false);
    connect(m_set, &deploy::ApplySet::finished, this, [this](bool ok) {
        const deploy::ObjectResult result = m_set->results().value(0);
        m_set->deleteLater();
        m_set = nullptr;
        if (ok) {
            setStatus(tr("Applied."), false);
            emit applied();
            accept();
            return;
        }
        QStringList fields;
        for (const deploy::FieldConflict &conflict : result.conflicts)
            fields.append(tr("%1 (owned by %2)").arg(conflict.field, conflict.manager));
        m_force->setVisible(!fields.isEmpty());
        setStatus(fields.isEmpty() ? tr("Not applied: %1").arg(result.error)
                                   : tr("Not applied: conflict on %1.").arg(fields.join(u", "_s)),
                  true);
        updateButtons();
    });
    m_set->apply(force);
    updateButtons();
}

} // namespace tdkube::ui
