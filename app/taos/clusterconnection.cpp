#include "taos/clusterconnection.h"

#include "kube/kubeclient.h"

namespace tdkube::taos {

using namespace Qt::StringLiterals;

ClusterConnection::ClusterConnection(kube::KubeClient *client, QString ns, QString statefulSet, QString key,
                                     PasswordStore *passwords, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_ns(std::move(ns))
    , m_statefulSet(std::move(statefulSet))
    , m_key(std::move(key))
    , m_passwords(passwords)
{
}

ClusterConnection::~ClusterConnection()
{
    // The poller and the REST client go before the forward they talk through.
    m_poller.reset();
    m_rest.reset();
    m_forward.reset();
}

void ClusterConnection::start()
{
    if (!m_client || m_forward)
        return;
    m_forward = std::make_unique<kube::PortForward>(
        m_client.data(), kube::ForwardTarget{kube::ForwardTarget::Kind::StatefulSet, m_ns, m_statefulSet},
        6041);
    connect(m_forward.get(), &kube::PortForward::stateChanged, this, [this] {
        if (m_forward->state() == kube::PortForward::State::Active && !m_rest && m_loginLoaded)
            makeClient();
        emit changed();
    });
    connect(m_forward.get(), &kube::PortForward::connectionFailed, this, [this](const QString &message) {
        m_forwardFailure = message;
        m_forwardFailedAt = QDateTime::currentDateTimeUtc();
    });
    m_forward->start();
    m_passwords->load(m_key, this, [this](const PasswordStore::Login &login) {
        m_login = login;
        m_loginLoaded = true;
        emit loginChanged();
        if (m_forward->state() == kube::PortForward::State::Active && !m_rest)
            makeClient();
    });
}

void ClusterConnection::setLogin(const QString &user, const QString &password)
{
    m_login = PasswordStore::Login{user, password, false, {}};
    m_loginLoaded = true;
    m_passwords->save(m_key, user, password, this, [this](const QString &error) {
        m_login.note = error;
        emit loginChanged();
    });
    emit loginChanged();
    m_poller.reset();
    m_rest.reset();
    if (m_forward && m_forward->localPort() != 0)
        makeClient();
}

void ClusterConnection::makeClient()
{
    QUrl base;
    base.setScheme(u"http"_s);
    base.setHost(u"127.0.0.1"_s);
    base.setPort(m_forward->localPort());
    RestTarget target = RestTarget::direct(base, m_login.user, m_login.password);
    // A query whose local connection was closed learns why from the forward, if it failed lately.
    target.transportProblem = [connection = QPointer<ClusterConnection>(this)] {
        constexpr int kRecentSeconds = 30;
        if (!connection || !connection->m_forwardFailedAt.isValid() ||
            connection->m_forwardFailedAt.secsTo(QDateTime::currentDateTimeUtc()) > kRecentSeconds)
            return QString();
        return connection->m_forwardFailure;
    };
    m_rest = std::make_unique<RestClient>(target);
    m_poller = std::make_unique<SnapshotPoller>(m_rest.get());
    m_poller->setInterval(m_pollIntervalMs);
    connect(m_poller.get(), &SnapshotPoller::snapshotTaken, this, &ClusterConnection::snapshotTaken);
    connect(m_poller.get(), &SnapshotPoller::failed, this, &ClusterConnection::snapshotFailed);
    if (m_polling)
        m_poller->start();
    emit changed();
}

QString ClusterConnection::describe() const
{
    if (!m_forward)
        return tr("Not connected.");
    const QString where = tr("taosAdapter of %1 through a port-forward, 127.0.0.1:%2")
                              .arg(m_statefulSet)
                              .arg(m_forward->localPort());
    switch (m_forward->state()) {
    case kube::PortForward::State::Starting:
        return tr("Connecting to %1…").arg(where);
    case kube::PortForward::State::Active:
        return tr("%1 → pod %2").arg(where, m_forward->pod());
    case kube::PortForward::State::Reconnecting:
        return tr("%1: reconnecting (%2)").arg(where, m_forward->stateReason());
    case kube::PortForward::State::Stopped:
        break;
    }
    return tr("%1: stopped (%2)").arg(where, m_forward->stateReason());
}

void ClusterConnection::setPolling(bool polling)
{
    m_polling = polling;
    if (!m_poller)
        return;
    if (polling)
        m_poller->start();
    else
        m_poller->stop();
}

void ClusterConnection::setPollInterval(int ms)
{
    m_pollIntervalMs = ms;
    if (m_poller)
        m_poller->setInterval(ms);
}

} // namespace tdkube::taos
