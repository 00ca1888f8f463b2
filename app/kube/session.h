#pragma once

#include "kube/kubeclient.h"
#include "kube/kubeconfig.h"
#include "kube/resourcewatch.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <memory>
#include <optional>

namespace tdkube::kube {

// What the main window observes: one context (its KubeClient) and one namespace (or all), with a
// live watch per kind the window shows. Nothing here waits: connecting probes the server and
// lists namespaces in the background while the watches start; an unreachable server shows up as
// reachability() == Unreachable with the reason, and the watches keep retrying with backoff.
// Switching context deletes the old client, which cancels everything it had in flight.
class Session final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)

public:
    enum class Reachability {
        Unknown,     // no context, or the probe is in flight
        Reachable,   // /version answered
        Unreachable, // the probe failed; reachabilityDetail() says why
        Unusable,    // the kubeconfig entry cannot be used (missing file, bad data); detail says why
    };
    Q_ENUM(Reachability)

    explicit Session(QObject *parent = nullptr);
    ~Session() override;

    void setKubeconfig(const Kubeconfig &config);
    const Kubeconfig &kubeconfig() const { return m_config; }

    // Opens `context` in `ns`, or in the context's own namespace when `ns` is not given. An empty
    // namespace means all namespaces, here and in setNamespace().
    void open(const QString &context, const std::optional<QString> &ns = std::nullopt);
    void setNamespace(const QString &ns);
    void close();

    QString context() const { return m_context; }
    QString ns() const { return m_ns; }
    KubeClient *client() const { return m_client.get(); }
    Reachability reachability() const { return m_reachability; }
    QString reachabilityDetail() const { return m_reachabilityDetail; }
    QString serverVersion() const { return m_serverVersion; }
    bool insecure() const { return m_client && m_client->settings().insecureSkipTlsVerify; }

    // The namespaces the cluster listed, sorted; empty until listed. When listing them is
    // forbidden, namespacesError() carries the server's message and the user types one instead.
    QStringList namespaces() const { return m_namespaces; }
    QString namespacesError() const { return m_namespacesError; }

    // The watch for a kind: pods, persistentvolumeclaims, statefulsets, events (in the namespace),
    // persistentvolumes, storageclasses (cluster-wide). Null when closed. Replaced on every
    // open()/setNamespace(): listen to watchesReplaced().
    ResourceWatch *watch(const QString &plural) const { return m_watches.value(plural); }
    // The key of the watch of every namespace's StatefulSets, there while one namespace is open
    // (with all namespaces open, "statefulsets" is that watch). It stops with the server's message
    // for a user who may not list across namespaces.
    static QString allStatefulSets() { return QStringLiteral("statefulsets@all-namespaces"); }

    // For tests and benchmarks: applied to every watch created afterwards.
    void setWatchBackoff(int initialMs, int maxMs);

signals:
    void contextOpened(const QString &context);
    void watchesReplaced();
    void reachabilityChanged(tdkube::kube::Session::Reachability reachability, const QString &detail);
    void namespacesChanged();

private:
    void startWatches();
    void stopWatches();
    void probe();
    void listNamespaces();
    void setReachability(Reachability reachability, const QString &detail);

    Kubeconfig m_config;
    QString m_context;
    QString m_ns;
    std::unique_ptr<KubeClient> m_client;
    QHash<QString, ResourceWatch *> m_watches;
    Reachability m_reachability = Reachability::Unknown;
    QString m_reachabilityDetail;
    QString m_serverVersion;
    QStringList m_namespaces;
    QString m_namespacesError;
    int m_backoffInitialMs = 500;
    int m_backoffMaxMs = 30000;
};

} // namespace tdkube::kube
