#include "portforwardpanel.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

namespace {

QString stateName(kube::PortForward::State state)
{
    switch (state) {
    case kube::PortForward::State::Starting:
        return PortForwardModel::tr("Starting");
    case kube::PortForward::State::Active:
        return PortForwardModel::tr("Active");
    case kube::PortForward::State::Reconnecting:
        return PortForwardModel::tr("Reconnecting");
    case kube::PortForward::State::Stopped:
        break;
    }
    return PortForwardModel::tr("Stopped");
}

QString kindName(kube::ForwardTarget::Kind kind)
{
    switch (kind) {
    case kube::ForwardTarget::Kind::Pod:
        return u"pod"_s;
    case kube::ForwardTarget::Kind::StatefulSet:
        return u"statefulset"_s;
    case kube::ForwardTarget::Kind::Service:
        break;
    }
    return u"service"_s;
}

kube::ForwardTarget::Kind kindFromName(const QString &name)
{
    if (name == u"statefulset")
        return kube::ForwardTarget::Kind::StatefulSet;
    if (name == u"service")
        return kube::ForwardTarget::Kind::Service;
    return kube::ForwardTarget::Kind::Pod;
}

QString settingsKey(const QString &scope)
{
    return u"portforwards/"_s + QString::fromLatin1(scope.toUtf8().toBase64(QByteArray::Base64UrlEncoding));
}

} // namespace

PortForwardModel::PortForwardModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

PortForwardModel::~PortForwardModel() = default;

void PortForwardModel::add(std::unique_ptr<kube::PortForward> forward)
{
    kube::PortForward *raw = forward.get();
    const int row = int(m_forwards.size());
    beginInsertRows({}, row, row);
    m_forwards.push_back(std::move(forward));
    endInsertRows();
    connect(raw, &kube::PortForward::stateChanged, this, [this, raw] { changed(raw); });
    connect(raw, &kube::PortForward::bytesChanged, this, [this, raw] { changed(raw); });
}

void PortForwardModel::remove(int row)
{
    if (row < 0 || row >= int(m_forwards.size()))
        return;
    beginRemoveRows({}, row, row);
    m_forwards.erase(m_forwards.begin() + row);
    endRemoveRows();
}

void PortForwardModel::clear()
{
    beginResetModel();
    m_forwards.clear();
    endResetModel();
}

kube::PortForward *PortForwardModel::forwardAt(int row) const
{
    return row >= 0 && row < int(m_forwards.size()) ? m_forwards.at(size_t(row)).get() : nullptr;
}

int PortForwardModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_forwards.size());
}

int PortForwardModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PortForwardModel::data(const QModelIndex &index, int role) const
{
    const kube::PortForward *forward = index.isValid() ? forwardAt(index.row()) : nullptr;
    if (!forward)
        return {};
    if (role == Qt::ToolTipRole && index.column() == State)
        return forward->stateReason();
    if (role == Qt::ForegroundRole && index.column() == State) {
        switch (forward->state()) {
        case kube::PortForward::State::Active:
            return QColor(u"#2e7d32"_s);
        case kube::PortForward::State::Stopped:
            return QColor(u"#c62828"_s);
        default:
            return QColor(u"#ef6c00"_s);
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (index.column()) {
    case Target:
        return forward->target().describe();
    case Remote:
        return forward->remotePort();
    case Local:
        return forward->localPort() ? u"127.0.0.1:%1"_s.arg(forward->localPort()) : QString();
    case State:
        return forward->stateReason().isEmpty()
                   ? stateName(forward->state())
                   : u"%1: %2"_s.arg(stateName(forward->state()), forward->stateReason());
    case Pod:
        return forward->pod();
    case Connections:
        return forward->connectionCount();
    case Bytes:
        return tr("%1 in, %2 out")
            .arg(locale.formattedDataSize(forward->bytesIn()), locale.formattedDataSize(forward->bytesOut()));
    default:
        return {};
    }
}

QVariant PortForwardModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const QStringList headers{tr("Target"),      tr("Port"),        tr("Local address"), tr("State"),
                                     tr("Serving pod"), tr("Connections"), tr("Transferred")};
    return headers.value(section);
}

void PortForwardModel::changed(kube::PortForward *forward)
{
    for (size_t row = 0; row < m_forwards.size(); ++row) {
        if (m_forwards.at(row).get() == forward)
            emit dataChanged(index(int(row), 0), index(int(row), ColumnCount - 1));
    }
}

PortForwardPanel::PortForwardPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new PortForwardModel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *title = new QLabel(tr("Port-forwards"), this);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    title->setFont(titleFont);
    layout->addWidget(title);
    auto *form = new QHBoxLayout;
    m_kind = new QComboBox(this);
    m_kind->setObjectName(u"forwardKind"_s);
    m_kind->addItem(tr("StatefulSet"), u"statefulset"_s);
    m_kind->addItem(tr("Service"), u"service"_s);
    m_kind->addItem(tr("Pod"), u"pod"_s);
    m_name = new QComboBox(this);
    m_name->setObjectName(u"forwardName"_s);
    m_name->setEditable(true);
    m_name->setMinimumContentsLength(20);
    m_remotePort = new QSpinBox(this);
    m_remotePort->setObjectName(u"forwardRemotePort"_s);
    m_remotePort->setRange(1, 65535);
    m_remotePort->setValue(6041);
    m_remotePort->setToolTip(tr("6041: taosAdapter (REST, WebSocket); 6030: taosd (native clients)"));
    m_localPort = new QSpinBox(this);
    m_localPort->setObjectName(u"forwardLocalPort"_s);
    m_localPort->setRange(0, 65535);
    m_localPort->setSpecialValueText(tr("any free port"));
    auto *start = new QPushButton(tr("Start forward"), this);
    start->setObjectName(u"forwardStart"_s);
    form->addWidget(m_kind);
    form->addWidget(m_name, 1);
    form->addWidget(new QLabel(tr("port"), this));
    form->addWidget(m_remotePort);
    form->addWidget(new QLabel(tr("on local port"), this));
    form->addWidget(m_localPort);
    form->addWidget(start);
    layout->addLayout(form);
    m_message = new QLabel(this);
    m_message->setObjectName(u"forwardMessage"_s);
    m_message->setWordWrap(true);
    layout->addWidget(m_message);

    m_table = new QTableView(this);
    m_table->setObjectName(u"forwardTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    for (const auto &[column, width] :
         {std::pair(PortForwardModel::Target, 170), std::pair(PortForwardModel::Remote, 60),
          std::pair(PortForwardModel::Local, 140), std::pair(PortForwardModel::State, 420),
          std::pair(PortForwardModel::Pod, 110), std::pair(PortForwardModel::Connections, 90)})
        m_table->setColumnWidth(column, width);
    layout->addWidget(m_table, 1);

    auto *actions = new QHBoxLayout;
    auto *stop = new QPushButton(tr("Stop and remove"), this);
    stop->setObjectName(u"forwardStop"_s);
    auto *copy = new QPushButton(tr("Copy URL"), this);
    copy->setObjectName(u"forwardCopy"_s);
    m_restore = new QCheckBox(tr("Start these forwards again when tdkube opens this namespace"), this);
    m_restore->setObjectName(u"forwardRestore"_s);
    actions->addWidget(stop);
    actions->addWidget(copy);
    actions->addStretch(1);
    actions->addWidget(m_restore);
    layout->addLayout(actions);

    connect(m_kind, &QComboBox::currentIndexChanged, this, &PortForwardPanel::fillNames);
    connect(start, &QPushButton::clicked, this, &PortForwardPanel::startFromForm);
    connect(stop, &QPushButton::clicked, this, [this] {
        m_model->remove(m_table->currentIndex().row());
        remember();
    });
    connect(copy, &QPushButton::clicked, this, [this] {
        const kube::PortForward *forward = m_model->forwardAt(m_table->currentIndex().row());
        if (forward && forward->localPort())
            QApplication::clipboard()->setText(u"http://127.0.0.1:%1"_s.arg(forward->localPort()));
    });
    connect(m_restore, &QCheckBox::toggled, this, &PortForwardPanel::setRestoreAtStart);
}

PortForwardPanel::~PortForwardPanel() = default;

void PortForwardPanel::setScope(kube::KubeClient *client, const QString &context, const QString &ns)
{
    m_model->clear();
    m_client = client;
    m_scopeKey = context + u'/' + ns;
    m_message->clear();
    const QSettings settings;
    const QJsonObject saved =
        QJsonDocument::fromJson(settings.value(settingsKey(m_scopeKey)).toByteArray()).object();
    const QSignalBlocker blocker(m_restore);
    m_restore->setChecked(saved.value(u"restore").toBool());
    if (!client || !m_restore->isChecked())
        return;
    for (const QJsonValue &value : saved.value(u"forwards").toArray()) {
        const QJsonObject forward = value.toObject();
        startForward({kindFromName(forward.value(u"kind").toString()), ns, forward.value(u"name").toString()},
                     quint16(forward.value(u"remotePort").toInt()),
                     quint16(forward.value(u"localPort").toInt()));
    }
}

void PortForwardPanel::setTargets(const QStringList &pods, const QStringList &statefulSets,
                                  const QStringList &services)
{
    if (pods == m_pods && statefulSets == m_statefulSets && services == m_services)
        return; // do not disturb a name being typed
    m_pods = pods;
    m_statefulSets = statefulSets;
    m_services = services;
    fillNames();
}

void PortForwardPanel::fillNames()
{
    const QString kind = m_kind->currentData().toString();
    const QStringList names = kind == u"pod" ? m_pods : kind == u"service" ? m_services : m_statefulSets;
    const QString typed = m_name->currentText();
    const QSignalBlocker blocker(m_name);
    m_name->clear();
    m_name->addItems(names);
    m_name->setCurrentText(names.contains(typed) || names.isEmpty() ? typed : names.first());
}

kube::PortForward *PortForwardPanel::startForward(const kube::ForwardTarget &target, quint16 remotePort,
                                                  quint16 localPort)
{
    if (!m_client) {
        m_message->setText(tr("Not connected to a cluster."));
        return nullptr;
    }
    auto forward = std::make_unique<kube::PortForward>(m_client.data(), target, remotePort, localPort);
    kube::PortForward *raw = forward.get();
    m_requestedPorts.insert(raw, localPort);
    connect(raw, &QObject::destroyed, this, [this, raw] { m_requestedPorts.remove(raw); });
    connect(raw, &kube::PortForward::connectionFailed, this, [this, raw](const QString &message) {
        m_message->setText(tr("A connection through %1 failed: %2").arg(raw->target().describe(), message));
    });
    m_model->add(std::move(forward));
    raw->start();
    remember();
    return raw;
}

void PortForwardPanel::startFromForm()
{
    const QString name = m_name->currentText().trimmed();
    if (name.isEmpty()) {
        m_message->setText(tr("Choose what to forward to."));
        return;
    }
    const QString ns = m_scopeKey.section(u'/', -1);
    startForward({kindFromName(m_kind->currentData().toString()), ns, name}, quint16(m_remotePort->value()),
                 quint16(m_localPort->value()));
}

bool PortForwardPanel::restoreAtStart() const
{
    return m_restore->isChecked();
}

void PortForwardPanel::setRestoreAtStart(bool restore)
{
    const QSignalBlocker blocker(m_restore);
    m_restore->setChecked(restore);
    remember();
}

void PortForwardPanel::remember()
{
    if (m_scopeKey.isEmpty())
        return;
    QJsonArray forwards;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const kube::PortForward *forward = m_model->forwardAt(row);
        // A chosen local port is kept; "any free port" stays "any" (0), so a restart cannot collide.
        forwards.append(QJsonObject{{u"kind"_s, kindName(forward->target().kind)},
                                    {u"name"_s, forward->target().name},
                                    {u"remotePort"_s, forward->remotePort()},
                                    {u"localPort"_s, m_requestedPorts.value(forward)}});
    }
    QSettings().setValue(
        settingsKey(m_scopeKey),
        QJsonDocument(QJsonObject{{u"restore"_s, m_restore->isChecked()}, {u"forwards"_s, forwards}})
            .toJson(QJsonDocument::Compact));
}

} // namespace tdkube::ui
