#include "deploywizard.h"

#include "deployprogresspage.h"
#include "deployreviewpage.h"
#include "kube/kubeclient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimeZone>
#include <QTimer>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

QStringList problemLines(const QList<deploy::SpecProblem> &problems, const QStringList &fields)
{
    QStringList lines;
    for (const deploy::SpecProblem &problem : problems) {
        for (const QString &field : fields) {
            if (problem.field == field || (field.endsWith(u'.') && problem.field.startsWith(field))) {
                lines.append(problem.message);
                break;
            }
        }
    }
    return lines;
}

namespace {

// A red paragraph under a page's fields; hidden when there is nothing to say.
QLabel *problemLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(u"problems"_s);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setStyleSheet(u"QLabel { color: #b71c1c; }"_s);
    label->hide();
    return label;
}

void showLines(QLabel *label, const QStringList &lines)
{
    label->setText(lines.join(u'\n'));
    label->setVisible(!lines.isEmpty());
}

QLabel *hint(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setStyleSheet(u"QLabel { color: palette(mid); }"_s);
    return label;
}

// Where the cluster goes: the context (chosen in the main window), the namespace and the name.
class TargetStepPage final : public QWizardPage
{
public:
    explicit TargetStepPage(DeployWizard *wizard)
        : m_wizard(wizard)
    {
        setTitle(DeployWizard::tr("Where"));
        setSubTitle(
            DeployWizard::tr("The TDengine cluster is a StatefulSet with its Services and ConfigMap in one "
                             "namespace. Its name is also the first part of every dnode's FQDN."));
        auto *form = new QFormLayout;
        m_context = new QLabel(wizard->environment().context, this);
        m_context->setObjectName(u"context"_s);
        form->addRow(DeployWizard::tr("Context:"), m_context);
        m_namespace = new QComboBox(this);
        m_namespace->setObjectName(u"namespace"_s);
        m_namespace->setEditable(true);
        m_namespace->setInsertPolicy(QComboBox::NoInsert);
        m_namespace->addItems(wizard->environment().namespaces);
        form->addRow(DeployWizard::tr("&Namespace:"), m_namespace);
        m_name = new QLineEdit(this);
        m_name->setObjectName(u"name"_s);
        form->addRow(DeployWizard::tr("Cluster &name:"), m_name);
        m_create = new QCheckBox(this);
        m_create->setObjectName(u"createNamespace"_s);
        m_create->hide();
        form->addRow(QString(), m_create);
        auto *layout = new QVBoxLayout(this);
        layout->addLayout(form);
        m_status = hint({}, this);
        m_status->setObjectName(u"clusterStatus"_s);
        layout->addWidget(m_status);
        m_problems = problemLabel(this);
        layout->addWidget(m_problems);
        layout->addStretch(1);

        m_debounce.setSingleShot(true);
        m_debounce.setInterval(400);
        connect(&m_debounce, &QTimer::timeout, m_wizard, &DeployWizard::checkCluster);
        connect(m_namespace, &QComboBox::currentTextChanged, this, [this] { edited(); });
        connect(m_name, &QLineEdit::textChanged, this, [this] { edited(); });
        connect(m_create, &QCheckBox::toggled, this, [this](bool on) {
            m_wizard->setCreateNamespace(on);
            emit completeChanged();
        });
        connect(m_wizard, &DeployWizard::checked, this, [this] { showCheck(); });
    }

    void initializePage() override
    {
        // A copy: filling one field calls edited(), which reads every field into the spec.
        const deploy::ClusterSpec spec = m_wizard->spec();
        m_loading = true;
        m_namespace->setCurrentText(spec.ns);
        m_name->setText(spec.name);
        m_loading = false;
        edited();
    }

    bool isComplete() const override
    {
        const deploy::ClusterSpec &spec = m_wizard->spec();
        if (!problemLines(deploy::validate(spec), {u"name"_s, u"ns"_s, u"namespace"_s}).isEmpty())
            return false;
        if (!m_wizard->clusterCheckCurrent())
            return false;
        const deploy::ClusterCheck &check = m_wizard->clusterCheck();
        if (!problemLines(check.problems, {u"name"_s, u"ns"_s, u"namespace"_s}).isEmpty())
            return false;
        return check.namespaceExists || m_wizard->createNamespace();
    }

private:
    void edited()
    {
        if (m_loading)
            return;
        deploy::ClusterSpec &spec = m_wizard->spec();
        spec.ns = m_namespace->currentText().trimmed();
        spec.name = m_name->text().trimmed();
        showLines(m_problems, problemLines(deploy::validate(spec), {u"name"_s, u"ns"_s, u"namespace"_s}));
        m_status->setText(DeployWizard::tr("Asking the cluster about namespace “%1”…").arg(spec.ns));
        m_create->hide();
        m_debounce.start();
        emit completeChanged();
    }

    void showCheck()
    {
        const deploy::ClusterSpec &spec = m_wizard->spec();
        const deploy::ClusterCheck &check = m_wizard->clusterCheck();
        QStringList lines = problemLines(deploy::validate(spec), {u"name"_s, u"ns"_s, u"namespace"_s});
        lines += problemLines(check.problems, {u"name"_s, u"ns"_s, u"namespace"_s});
        showLines(m_problems, lines);
        m_create->setText(DeployWizard::tr("Create namespace “%1” (it does not exist yet)").arg(spec.ns));
        m_create->setVisible(!check.namespaceExists);
        if (check.namespaceExists)
            m_wizard->setCreateNamespace(false);
        m_create->setChecked(m_wizard->createNamespace());
        if (!check.existing.isEmpty()) {
            m_status->setText(DeployWizard::tr("Already in %1: %2. Applying changes them; the review page "
                                               "shows each change first.")
                                  .arg(spec.ns, check.existing.join(u", "_s)));
        } else if (check.namespaceExists) {
            m_status->setText(
                DeployWizard::tr("Namespace “%1” exists and holds nothing of that name.").arg(spec.ns));
        } else {
            m_status->setText(DeployWizard::tr("Namespace “%1” does not exist.").arg(spec.ns));
        }
        emit completeChanged();
    }

    DeployWizard *m_wizard;
    QLabel *m_context = nullptr;
    QComboBox *m_namespace = nullptr;
    QLineEdit *m_name = nullptr;
    QCheckBox *m_create = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_problems = nullptr;
    QTimer m_debounce;
    bool m_loading = false;
};

// How many dnodes, whether mnodes are made highly available, and how pods spread over nodes.
class TopologyStepPage final : public QWizardPage
{
public:
    explicit TopologyStepPage(DeployWizard *wizard)
        : m_wizard(wizard)
    {
        setTitle(DeployWizard::tr("Topology"));
        setSubTitle(DeployWizard::tr("One dnode per pod. With 3 or more dnodes, 3 mnodes and databases with "
                                     "replica 3 keep the cluster writable when one dnode is lost."));
        auto *form = new QFormLayout;
        m_replicas = new QSpinBox(this);
        m_replicas->setObjectName(u"replicas"_s);
        m_replicas->setRange(1, 64);
        form->addRow(DeployWizard::tr("&Dnodes (pods):"), m_replicas);
        m_ha = new QCheckBox(
            DeployWizard::tr("Create mnodes on dnodes 2 and 3 (3 mnodes: 1 leader, 2 followers)"), this);
        m_ha->setObjectName(u"haMnodes"_s);
        form->addRow(DeployWizard::tr("Mnodes:"), m_ha);
        m_affinity = new QComboBox(this);
        m_affinity->setObjectName(u"antiAffinity"_s);
        m_affinity->addItem(DeployWizard::tr("Preferred: spread over nodes when possible"),
                            int(deploy::AntiAffinity::Preferred));
        m_affinity->addItem(DeployWizard::tr("Required: never two dnodes on one node"),
                            int(deploy::AntiAffinity::Required));
        m_affinity->addItem(DeployWizard::tr("None"), int(deploy::AntiAffinity::None));
        form->addRow(DeployWizard::tr("&Anti-affinity:"), m_affinity);
        auto *layout = new QVBoxLayout(this);
        layout->addLayout(form);
        m_summary = hint({}, this);
        m_summary->setObjectName(u"summary"_s);
        layout->addWidget(m_summary);
        m_advice = problemLabel(this);
        m_advice->setObjectName(u"advice"_s);
        m_advice->setStyleSheet(u"QLabel { color: #e65100; }"_s);
        layout->addWidget(m_advice);
        m_problems = problemLabel(this);
        layout->addWidget(m_problems);
        layout->addStretch(1);
        connect(m_replicas, &QSpinBox::valueChanged, this, [this] { edited(); });
        connect(m_ha, &QCheckBox::toggled, this, [this] { edited(); });
        connect(m_affinity, &QComboBox::currentIndexChanged, this, [this] { edited(); });
    }

    void initializePage() override
    {
        const deploy::ClusterSpec spec = m_wizard->spec();
        m_replicas->setValue(spec.replicas);
        m_ha->setChecked(spec.haMnodes);
        m_affinity->setCurrentIndex(m_affinity->findData(int(spec.antiAffinity)));
        edited();
    }

    bool isComplete() const override
    {
        return problemLines(deploy::validate(m_wizard->spec()), {u"replicas"_s, u"antiAffinity"_s}).isEmpty();
    }

private:
    void edited()
    {
        deploy::ClusterSpec &spec = m_wizard->spec();
        spec.replicas = m_replicas->value();
        spec.haMnodes = m_ha->isChecked();
        spec.antiAffinity = deploy::AntiAffinity(m_affinity->currentData().toInt());
        m_ha->setEnabled(spec.replicas >= 3);
        QString summary;
        if (spec.replicas >= 3 && spec.haMnodes) {
            summary =
                DeployWizard::tr("%1 dnodes, 3 mnodes: the cluster stays available when one dnode is lost, "
                                 "for databases created with replica 3.")
                    .arg(spec.replicas);
        } else if (spec.replicas >= 3) {
            summary =
                DeployWizard::tr("%1 dnodes, 1 mnode: losing the dnode of the mnode stops the whole cluster.")
                    .arg(spec.replicas);
        } else if (spec.replicas == 2) {
            summary = DeployWizard::tr("2 dnodes, 1 mnode.");
        } else {
            summary = DeployWizard::tr("1 dnode: fine for trying TDengine out, not for production.");
        }
        if (spec.antiAffinity == deploy::AntiAffinity::Required)
            summary += u' ' + DeployWizard::tr("Required anti-affinity needs at least %1 schedulable nodes; "
                                               "pods beyond that stay Pending.")
                                  .arg(spec.replicas);
        m_summary->setText(summary);
        showLines(m_advice,
                  problemLines(deploy::advise(spec), {u"replicas"_s, u"haMnodes"_s, u"antiAffinity"_s}));
        showLines(m_problems, problemLines(deploy::validate(spec), {u"replicas"_s, u"antiAffinity"_s}));
        emit completeChanged();
    }

    DeployWizard *m_wizard;
    QSpinBox *m_replicas = nullptr;
    QCheckBox *m_ha = nullptr;
    QComboBox *m_affinity = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_advice = nullptr;
    QLabel *m_problems = nullptr;
};

QString describeClass(const deploy::StorageClassInfo &info)
{
    return (info.isDefault ? DeployWizard::tr("%1 (default) — %2, reclaim %3")
                           : DeployWizard::tr("%1 — %2, reclaim %3"))
        .arg(info.name, info.provisioner, info.reclaimPolicy);
}

// The data volumes: a StorageClass of the cluster, their size, and what happens to the claims.
class StorageStepPage final : public QWizardPage
{
public:
    explicit StorageStepPage(DeployWizard *wizard)
        : m_wizard(wizard)
    {
        setTitle(DeployWizard::tr("Storage"));
        setSubTitle(
            DeployWizard::tr("Each dnode gets its own PersistentVolumeClaim from the StatefulSet's claim "
                             "template, kept across restarts and rescheduling."));
        auto *form = new QFormLayout;
        m_class = new QComboBox(this);
        m_class->setObjectName(u"storageClass"_s);
        form->addRow(DeployWizard::tr("Storage &class:"), m_class);
        m_size = new QLineEdit(this);
        m_size->setObjectName(u"storageSize"_s);
        m_size->setPlaceholderText(u"5Gi"_s);
        form->addRow(DeployWizard::tr("Data volume &size:"), m_size);
        auto *logRow = new QHBoxLayout;
        m_logVolume = new QCheckBox(DeployWizard::tr("Separate log volume"), this);
        m_logVolume->setObjectName(u"logVolume"_s);
        m_logSize = new QLineEdit(this);
        m_logSize->setObjectName(u"logStorageSize"_s);
        m_logSize->setPlaceholderText(u"1Gi"_s);
        logRow->addWidget(m_logVolume);
        logRow->addWidget(m_logSize, 1);
        form->addRow(DeployWizard::tr("Logs:"), logRow);
        m_whenScaled = retentionBox(u"whenScaled"_s);
        form->addRow(DeployWizard::tr("Claims after a scale-in:"), m_whenScaled);
        m_whenDeleted = retentionBox(u"whenDeleted"_s);
        form->addRow(DeployWizard::tr("Claims after deleting the StatefulSet:"), m_whenDeleted);
        auto *layout = new QVBoxLayout(this);
        layout->addLayout(form);
        m_consequence = hint({}, this);
        m_consequence->setObjectName(u"consequence"_s);
        layout->addWidget(m_consequence);
        m_problems = problemLabel(this);
        layout->addWidget(m_problems);
        layout->addStretch(1);
        connect(m_class, &QComboBox::currentIndexChanged, this, [this] { edited(); });
        connect(m_size, &QLineEdit::textChanged, this, [this] { edited(); });
        connect(m_logVolume, &QCheckBox::toggled, this, [this] { edited(); });
        connect(m_logSize, &QLineEdit::textChanged, this, [this] { edited(); });
        connect(m_whenScaled, &QComboBox::currentIndexChanged, this, [this] { edited(); });
        connect(m_whenDeleted, &QComboBox::currentIndexChanged, this, [this] { edited(); });
        connect(m_wizard, &DeployWizard::checked, this, [this] { fillClasses(); });
    }

    void initializePage() override
    {
        const deploy::ClusterSpec spec = m_wizard->spec();
        m_loading = true;
        m_size->setText(spec.storageSize);
        m_logVolume->setChecked(!spec.logStorageSize.isEmpty());
        m_logSize->setText(spec.logStorageSize.isEmpty() ? u"1Gi"_s : spec.logStorageSize);
        m_whenScaled->setCurrentIndex(m_whenScaled->findData(spec.pvcWhenScaled));
        m_whenDeleted->setCurrentIndex(m_whenDeleted->findData(spec.pvcWhenDeleted));
        m_loading = false;
        m_initialized = true;
        fillClasses();
        if (!m_wizard->clusterCheckCurrent())
            m_wizard->checkCluster();
    }

    bool isComplete() const override
    {
        if (!m_wizard->clusterCheckCurrent())
            return false;
        const QStringList fields{u"storageClass"_s, u"storageSize"_s, u"logStorageSize"_s, u"pvcWhenScaled"_s,
                                 u"pvcWhenDeleted"_s};
        return problemLines(deploy::validate(m_wizard->spec()), fields).isEmpty() &&
               problemLines(m_wizard->clusterCheck().problems, fields).isEmpty();
    }

private:
    QComboBox *retentionBox(const QString &name)
    {
        auto *box = new QComboBox(this);
        box->setObjectName(name);
        box->addItem(DeployWizard::tr("Retain (keep the data; tdkube deletes a claim only after drop dnode)"),
                     u"Retain"_s);
        box->addItem(DeployWizard::tr("Delete"), u"Delete"_s);
        return box;
    }

    void fillClasses()
    {
        // The wizard asks the cluster while earlier pages are shown; the fields are filled later.
        if (!m_initialized)
            return;
        const QString wanted = m_wizard->spec().storageClass;
        m_loading = true;
        m_class->clear();
        for (const deploy::StorageClassInfo &info : m_wizard->clusterCheck().storageClasses)
            m_class->addItem(describeClass(info), info.name);
        if (m_class->count() == 0)
            m_class->addItem(wanted.isEmpty() ? DeployWizard::tr("(the cluster's default)") : wanted, wanted);
        int index = m_class->findData(wanted);
        if (index < 0) {
            for (const deploy::StorageClassInfo &info : m_wizard->clusterCheck().storageClasses)
                index = info.isDefault ? m_class->findData(info.name) : index;
        }
        m_class->setCurrentIndex(std::max(index, 0));
        m_loading = false;
        edited();
    }

    void edited()
    {
        if (m_loading)
            return;
        deploy::ClusterSpec &spec = m_wizard->spec();
        spec.storageClass = m_class->currentData().toString();
        spec.storageSize = m_size->text().trimmed();
        m_logSize->setEnabled(m_logVolume->isChecked());
        spec.logStorageSize = m_logVolume->isChecked() ? m_logSize->text().trimmed() : QString();
        spec.pvcWhenScaled = m_whenScaled->currentData().toString();
        spec.pvcWhenDeleted = m_whenDeleted->currentData().toString();
        QStringList consequences;
        for (const deploy::StorageClassInfo &info : m_wizard->clusterCheck().storageClasses) {
            if (info.name != spec.storageClass)
                continue;
            consequences.append(
                info.reclaimPolicy == u"Delete"
                    ? DeployWizard::tr("Volumes of class %1 are destroyed with their data when "
                                       "their claim is deleted (reclaim policy Delete).")
                          .arg(info.name)
                    : DeployWizard::tr("Volumes of class %1 outlive their claims (reclaim policy "
                                       "%2): deleting a claim leaves the volume and its data.")
                          .arg(info.name, info.reclaimPolicy));
            if (info.volumeBindingMode == u"WaitForFirstConsumer")
                consequences.append(
                    DeployWizard::tr("Volumes are bound when a pod needs them "
                                     "(WaitForFirstConsumer): claims stay Pending until then."));
        }
        if (spec.pvcWhenScaled == u"Delete")
            consequences.append(
                DeployWizard::tr("whenScaled: Delete removes a dnode's data as soon as its pod goes "
                                 "in a scale-in, even one done by hand without drop dnode."));
        m_consequence->setText(consequences.join(u' '));
        const QStringList fields{u"storageClass"_s, u"storageSize"_s, u"logStorageSize"_s, u"pvcWhenScaled"_s,
                                 u"pvcWhenDeleted"_s};
        showLines(m_problems, problemLines(deploy::validate(spec), fields) +
                                  problemLines(m_wizard->clusterCheck().problems, fields));
        emit completeChanged();
    }

    DeployWizard *m_wizard;
    QComboBox *m_class = nullptr;
    QLineEdit *m_size = nullptr;
    QCheckBox *m_logVolume = nullptr;
    QLineEdit *m_logSize = nullptr;
    QComboBox *m_whenScaled = nullptr;
    QComboBox *m_whenDeleted = nullptr;
    QLabel *m_consequence = nullptr;
    QLabel *m_problems = nullptr;
    bool m_loading = false;
    bool m_initialized = false;
};

// The image, the server's time zone, resources, the startup budget and taos.cfg entries.
class ImageStepPage final : public QWizardPage
{
public:
    explicit ImageStepPage(DeployWizard *wizard)
        : m_wizard(wizard)
    {
        setTitle(DeployWizard::tr("Image and configuration"));
        setSubTitle(
            DeployWizard::tr("Every dnode runs the same pinned TDengine version. taos.cfg entries reach "
                             "taosd as TAOS_* variables from the cluster's ConfigMap."));
        auto *form = new QFormLayout;
        m_image = new QLineEdit(this);
        m_image->setObjectName(u"image"_s);
        form->addRow(DeployWizard::tr("&Image:"), m_image);
        m_tag = new QLineEdit(this);
        m_tag->setObjectName(u"tag"_s);
        form->addRow(DeployWizard::tr("&Tag:"), m_tag);
        m_timezone = new QComboBox(this);
        m_timezone->setObjectName(u"timezone"_s);
        m_timezone->setEditable(true);
        m_timezone->setInsertPolicy(QComboBox::NoInsert);
        for (const QByteArray &id : QTimeZone::availableTimeZoneIds())
            m_timezone->addItem(QString::fromUtf8(id));
        m_timezone->completer()->setFilterMode(Qt::MatchContains);
        m_timezone->completer()->setCompletionMode(QCompleter::PopupCompletion);
        form->addRow(DeployWizard::tr("Time &zone:"), m_timezone);
        auto *resources = new QHBoxLayout;
        m_cpuRequest = resourceEdit(u"cpuRequest"_s, u"500m"_s, resources, DeployWizard::tr("CPU request"));
        m_cpuLimit = resourceEdit(u"cpuLimit"_s, u"4"_s, resources, DeployWizard::tr("limit"));
        m_memoryRequest =
            resourceEdit(u"memoryRequest"_s, u"1Gi"_s, resources, DeployWizard::tr("Memory request"));
        m_memoryLimit = resourceEdit(u"memoryLimit"_s, u"4Gi"_s, resources, DeployWizard::tr("limit"));
        form->addRow(DeployWizard::tr("Resources:"), resources);
        m_startup = new QSpinBox(this);
        m_startup->setObjectName(u"startupBudget"_s);
        m_startup->setRange(1, 24 * 60);
        m_startup->setSuffix(DeployWizard::tr(" min"));
        m_startup->setToolTip(
            DeployWizard::tr("How long a dnode may take to start (replaying its WAL, catching up "
                             "its vnodes) before Kubernetes restarts it."));
        form->addRow(DeployWizard::tr("&Startup budget:"), m_startup);
        auto *layout = new QVBoxLayout(this);
        layout->addLayout(form);
        layout->addWidget(new QLabel(DeployWizard::tr("taos.cfg entries:"), this));
        m_config = new QTableWidget(0, 2, this);
        m_config->setObjectName(u"taosConfig"_s);
        m_config->setHorizontalHeaderLabels({DeployWizard::tr("Key"), DeployWizard::tr("Value")});
        m_config->horizontalHeader()->setStretchLastSection(true);
        m_config->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
        m_config->verticalHeader()->hide();
        layout->addWidget(m_config, 1);
        auto *buttons = new QHBoxLayout;
        m_key = new QComboBox(this);
        m_key->setObjectName(u"newKey"_s);
        m_key->setEditable(true);
        m_key->addItems(deploy::knownTaosConfigKeys());
        m_key->setCurrentText({});
        auto *add = new QPushButton(DeployWizard::tr("Add"), this);
        add->setObjectName(u"addKey"_s);
        auto *remove = new QPushButton(DeployWizard::tr("Remove"), this);
        remove->setObjectName(u"removeKey"_s);
        buttons->addWidget(m_key, 1);
        buttons->addWidget(add);
        buttons->addWidget(remove);
        layout->addLayout(buttons);
        m_problems = problemLabel(this);
        layout->addWidget(m_problems);

        for (QLineEdit *edit : {m_image, m_tag, m_cpuRequest, m_cpuLimit, m_memoryRequest, m_memoryLimit})
            connect(edit, &QLineEdit::textChanged, this, [this] { edited(); });
        connect(m_timezone, &QComboBox::currentTextChanged, this, [this] { edited(); });
        connect(m_startup, &QSpinBox::valueChanged, this, [this] { edited(); });
        connect(m_config, &QTableWidget::itemChanged, this, [this] { edited(); });
        connect(add, &QPushButton::clicked, this, [this] { addEntry(m_key->currentText().trimmed(), {}); });
        connect(remove, &QPushButton::clicked, this, [this] {
            if (m_config->currentRow() >= 0)
                m_config->removeRow(m_config->currentRow());
            edited();
        });
    }

    void initializePage() override
    {
        const deploy::ClusterSpec spec = m_wizard->spec();
        m_loading = true;
        m_image->setText(spec.image);
        m_tag->setText(spec.tag);
        m_timezone->setCurrentText(spec.timezone);
        m_cpuRequest->setText(spec.cpuRequest);
        m_cpuLimit->setText(spec.cpuLimit);
        m_memoryRequest->setText(spec.memoryRequest);
        m_memoryLimit->setText(spec.memoryLimit);
        m_startup->setValue(std::max(1, spec.startupBudgetSeconds / 60));
        m_config->setRowCount(0);
        for (auto it = spec.taosConfig.begin(); it != spec.taosConfig.end(); ++it)
            addEntry(it.key(), it.value());
        m_loading = false;
        edited();
    }

    bool isComplete() const override { return m_lines.isEmpty(); }

private:
    QLineEdit *resourceEdit(const QString &name, const QString &placeholder, QHBoxLayout *row,
                            const QString &label)
    {
        row->addWidget(new QLabel(label, this));
        auto *edit = new QLineEdit(this);
        edit->setObjectName(name);
        edit->setPlaceholderText(placeholder);
        edit->setMaximumWidth(90);
        row->addWidget(edit);
        return edit;
    }

    void addEntry(const QString &key, const QString &value)
    {
        if (key.isEmpty())
            return;
        const bool loading = std::exchange(m_loading, true);
        int row = 0;
        while (row < m_config->rowCount() && m_config->item(row, 0)->text() != key)
            ++row;
        if (row == m_config->rowCount()) {
            m_config->insertRow(row);
            m_config->setItem(row, 0, new QTableWidgetItem(key));
            m_config->setItem(row, 1, new QTableWidgetItem(value));
        }
        m_loading = loading;
        m_config->setCurrentCell(row, 1);
        if (!loading) {
            m_config->editItem(m_config->item(row, 1));
            edited();
        }
    }

    void edited()
    {
        if (m_loading)
            return;
        deploy::ClusterSpec &spec = m_wizard->spec();
        spec.image = m_image->text().trimmed();
        spec.tag = m_tag->text().trimmed();
        spec.timezone = m_timezone->currentText().trimmed();
        spec.cpuRequest = m_cpuRequest->text().trimmed();
        spec.cpuLimit = m_cpuLimit->text().trimmed();
        spec.memoryRequest = m_memoryRequest->text().trimmed();
        spec.memoryLimit = m_memoryLimit->text().trimmed();
        spec.startupBudgetSeconds = m_startup->value() * 60;
        spec.taosConfig.clear();
        for (int row = 0; row < m_config->rowCount(); ++row) {
            const QString key = m_config->item(row, 0) ? m_config->item(row, 0)->text().trimmed() : QString();
            const QString value =
                m_config->item(row, 1) ? m_config->item(row, 1)->text().trimmed() : QString();
            spec.taosConfig.insert(key, value);
        }
        m_lines = problemLines(deploy::validate(spec),
                               {u"image"_s, u"tag"_s, u"timezone"_s, u"cpuRequest"_s, u"cpuLimit"_s,
                                u"memoryRequest"_s, u"memoryLimit"_s, u"startupBudgetSeconds"_s,
                                u"taosConfig."_s, u"taosConfig"_s, u"resources"_s});
        showLines(m_problems, m_lines);
        emit completeChanged();
    }

    DeployWizard *m_wizard;
    QLineEdit *m_image = nullptr;
    QLineEdit *m_tag = nullptr;
    QComboBox *m_timezone = nullptr;
    QLineEdit *m_cpuRequest = nullptr;
    QLineEdit *m_cpuLimit = nullptr;
    QLineEdit *m_memoryRequest = nullptr;
    QLineEdit *m_memoryLimit = nullptr;
    QSpinBox *m_startup = nullptr;
    QTableWidget *m_config = nullptr;
    QComboBox *m_key = nullptr;
    QLabel *m_problems = nullptr;
    QStringList m_lines;
    bool m_loading = false;
};

} // namespace

DeployWizard::DeployWizard(Environment environment, QWidget *parent)
    : QWizard(parent)
    , m_environment(std::move(environment))
    , m_spec(deploy::ClusterSpec::defaults())
{
    setObjectName(u"deployWizard"_s);
    setWindowTitle(tr("Deploy a TDengine cluster"));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnLastPage);
    setOption(QWizard::NoCancelButtonOnLastPage);
    setButtonText(QWizard::CommitButton, tr("&Apply"));
    if (!m_environment.defaultNamespace.isEmpty())
        m_spec.ns = m_environment.defaultNamespace;
    setPage(TargetPage, new TargetStepPage(this));
    setPage(TopologyPage, new TopologyStepPage(this));
    setPage(StoragePage, new StorageStepPage(this));
    setPage(ImagePage, new ImageStepPage(this));
    m_review = new DeployReviewPage(this);
    setPage(ReviewPage, m_review);
    m_progress = new DeployProgressPage(this);
    setPage(ProgressPage, m_progress);
    resize(980, 720);
}

DeployWizard::~DeployWizard() = default;

QString DeployWizard::checkKey() const
{
    return m_spec.ns + u'\n' + m_spec.name + u'\n' + m_spec.storageClass;
}

bool DeployWizard::clusterCheckCurrent() const
{
    return !m_checkedKey.isEmpty() && m_checkedKey == checkKey();
}

void DeployWizard::checkCluster()
{
    if (!m_environment.client || clusterCheckCurrent() || m_pendingKey == checkKey())
        return;
    // Only the newest question matters: an answer about a name typed before is dropped with its checker.
    delete m_checker;
    m_checker = new deploy::SpecChecker(m_environment.client, this);
    m_pendingKey = checkKey();
    connect(m_checker, &deploy::SpecChecker::finished, this,
            [this, checker = m_checker.data(), key = m_pendingKey](const deploy::ClusterCheck &check) {
                checker->deleteLater();
                m_pendingKey.clear();
                m_check = check;
                m_checkedKey = key;
                emit checked();
                if (!clusterCheckCurrent())
                    checkCluster();
            });
    m_checker->check(m_spec);
}

} // namespace tdkube::ui
