#include "kube/session.h"

#include <QJsonArray>
#include <QLoggingCategory>

#include <algorithm>

Q_LOGGING_CATEGORY(lcSession, "tdkube.kube.session", QtWarningMsg)

namespace tdkube::kube {

using namespace Qt::StringLiterals;

namespace {

struct WatchedKind
{
    QString plural;
    ResourceKind kind;
    bool clusterWide;
};

QList<WatchedKind> watchedKinds()
{
    return {
        {u"pods"_s, ResourceKind::pods(), false},
        {u"persistentvolumeclaims"_s, ResourceKind::persistentVolumeClaims(), false},
        {u"statefulsets"_s, ResourceKind::statefulSets(), false},
        {u"events"_s, ResourceKind::events(), false},
        {u"persistentvolumes"_s, ResourceKind::persistentVolumes(), true},
        {u"storageclasses"_s, ResourceKind::storageClasses(), true},
    };
}

} // namespace

Session::Session(QObject *parent)
    : QObject(parent)
{
}

Session::~Session()
{
    close();
}

void Session::setKubeconfig(const Kubeconfig &config)
{
    close();
    m_config = config;
}

void Session::open(const QString &context, const std::optional<QString> &ns)
{
    close();
    m_context = context;
    QString error;
    const std::optional<Kubeconfig::Resolved> resolved = m_config.resolve(context, &error);
    ConnectionSettings settings;
    if (!resolved || !makeConnectionSettings(*resolved, &settings, &error)) {
        m_ns = ns.value_or(u"default"_s);
        emit contextOpened(context);
        setReachability(Reachability::Unusable, error);
        emit watchesReplaced();
        return;
    }
    m_ns = ns.value_or(settings.defaultNamespace);
    m_client = std::make_unique<KubeClient>(std::move(settings));
    emit contextOpened(context);
    setReachability(Reachability::Unknown,
                    tr("Connecting to %1…").arg(m_client->settings().server.toDisplayString()));
    probe();
    listNamespaces();
    startWatches();
}

void Session::setNamespace(const QString &ns)
{
    if (ns == m_ns)
        return;
    m_ns = ns;
    if (!m_client)
        return;
    stopWatches();
    startWatches();
}

void Session::close()
{
    stopWatches();
    // Deleting the client aborts its requests; their callbacks are bound to `this` and see nothing.
    m_client.reset();
    m_namespaces.clear();
    m_namespacesError.clear();
    m_serverVersion.clear();
    m_reachability = Reachability::Unknown;
    m_reachabilityDetail.clear();
}

void Session::setWatchBackoff(int initialMs, int maxMs)
{
    m_backoffInitialMs = initialMs;
    m_backoffMaxMs = maxMs;
}

void Session::startWatches()
{
    for (const WatchedKind &watched : watchedKinds()) {
        auto *watch =
            new ResourceWatch(m_client.get(), watched.kind, watched.clusterWide ? QString() : m_ns, {}, this);
        watch->setBackoff(m_backoffInitialMs, m_backoffMaxMs);
        // A slow server can answer a watch after the probe gave up: then it is reachable after all.
        connect(watch, &ResourceWatch::stateChanged, this, [this](ResourceWatch::State state) {
            if (state == ResourceWatch::State::Live && m_reachability == Reachability::Unreachable)
                probe();
        });
        m_watches.insert(watched.plural, watch);
    }
    // The TDengine clusters of the other namespaces, so that a namespace without one is no dead end.
    // With all namespaces open, "statefulsets" already holds them. A user whose Role is scoped to
    // namespaces gets 403 here: the watch stops with the server's message and the window says so.
    if (!m_ns.isEmpty()) {
        auto *watch = new ResourceWatch(m_client.get(), ResourceKind::statefulSets(), QString(), {}, this);
        watch->setBackoff(m_backoffInitialMs, m_backoffMaxMs);
        m_watches.insert(allStatefulSets(), watch);
    }
    // Announce before starting, so that listeners connect before the first reset() arrives.
    emit watchesReplaced();
    for (ResourceWatch *watch : std::as_const(m_watches))
        watch->start();
}

void Session::stopWatches()
{
    const QHash<QString, ResourceWatch *> watches = std::exchange(m_watches, {});
    for (ResourceWatch *watch : watches) {
        watch->stop();
        watch->deleteLater();
    }
}

void Session::probe()
{
    m_client->probe(this, [this](const KubeResponse &response) {
        if (response.cancelled)
            return;
        if (!response.ok()) {
            qCInfo(lcSession) << "context" << m_context << "is unreachable:" << response.error;
            setReachability(Reachability::Unreachable, response.error);
            return;
        }
        m_serverVersion = response.json().value(u"gitVersion").toString();
        setReachability(
            Reachability::Reachable,
            tr("Kubernetes %1 at %2").arg(m_serverVersion, m_client->settings().server.toDisplayString()));
    });
}

void Session::listNamespaces()
{
    m_client->list(ResourceKind::namespaces(), {}, {}, this, [this](const KubeResponse &response) {
        if (response.cancelled)
            return;
        if (!response.ok()) {
            m_namespacesError = response.error;
            emit namespacesChanged();
            return;
        }
        QStringList names;
        for (const QJsonValue &item : response.json().value(u"items").toArray())
            names.append(item.toObject().value(u"metadata").toObject().value(u"name").toString());
        names.sort();
        m_namespaces = names;
        m_namespacesError.clear();
        emit namespacesChanged();
    });
}

void Session::setReachability(Reachability reachability, const QString &detail)
{
    if (reachability == m_reachability && detail == m_reachabilityDetail)
        return;
    m_reachability = reachability;
    m_reachabilityDetail = detail;
    emit reachabilityChanged(reachability, detail);
}

} // namespace tdkube::kube
