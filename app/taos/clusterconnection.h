#pragma once

#include "kube/portforward.h"
#include "taos/passwordstore.h"
#include "taos/restclient.h"
#include "taos/snapshotpoller.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>

#include <memory>

namespace tdkube::kube {
class KubeClient;
}

namespace tdkube::taos {

// How tdkube talks SQL to one TDengine cluster: a port-forward to its StatefulSet's port 6041
// (taosAdapter; the forward follows a Ready pod), a REST client on the forward's local port with
// the cluster's login, and a snapshot poller. The API server's proxy is not used: it strips the
// Authorization header that taosAdapter needs (see RestTarget).
class ClusterConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterConnection)

public:
    // `key` names the cluster for the password store ("context/namespace/statefulset").
    ClusterConnection(kube::KubeClient *client, QString ns, QString statefulSet, QString key,
                      PasswordStore *passwords, QObject *parent = nullptr);
    ~ClusterConnection() override;

    void start();
    // Uses (and stores) another login; the REST client is made anew.
    void setLogin(const QString &user, const QString &password);

    QString statefulSet() const { return m_statefulSet; }
    QString key() const { return m_key; }
    const PasswordStore::Login &login() const { return m_login; }
    kube::PortForward *forward() const { return m_forward.get(); }
    RestClient *rest() const { return m_rest.get(); }
    SnapshotPoller *poller() const { return m_poller.get(); }
    // One line for the UI: "taosAdapter via 127.0.0.1:41234 → pod tdengine-0", or why not.
    QString describe() const;

    // Polling runs only while someone looks (the dashboard is visible).
    void setPolling(bool polling);
    void setPollInterval(int ms);

signals:
    void changed();
    void loginChanged();
    void snapshotTaken(const tdkube::taos::ClusterSnapshot &snapshot);
    void snapshotFailed(const QString &error);

private:
    void makeClient();

    QPointer<kube::KubeClient> m_client;
    QString m_ns;
    QString m_statefulSet;
    QString m_key;
    QPointer<PasswordStore> m_passwords;
    PasswordStore::Login m_login;
    bool m_loginLoaded = false;
    bool m_polling = false;
    int m_pollIntervalMs = 5000;
    std::unique_ptr<kube::PortForward> m_forward;
    // The forward's last connection failure and when: what the API server said (Forbidden...).
    QString m_forwardFailure;
    QDateTime m_forwardFailedAt;
    std::unique_ptr<RestClient> m_rest;
    std::unique_ptr<SnapshotPoller> m_poller;
};

} // namespace tdkube::taos
