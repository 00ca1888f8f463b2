#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>

namespace tdkube::kube {

// A credential obtained at run time (an exec plugin's ExecCredential status, an oidc id-token).
struct Credential
{
    QString token;
    QByteArray clientCertificatePem;
    QByteArray clientKeyPem;
    QDateTime expiry; // invalid: does not expire
};

// Where a KubeClient gets credentials that are not fixed in the kubeconfig. Implementations run
// their work asynchronously (an exec plugin is a process) and cache the result until it expires.
class CredentialSource : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CredentialSource)

public:
    using Done = std::function<void(const Credential &credential, const QString &error)>;

    explicit CredentialSource(QObject *parent = nullptr)
        : QObject(parent)
    {
    }
    ~CredentialSource() override = default;

    // Calls `done` (always later, from the event loop, never re-entrantly) with a valid credential,
    // or with an empty one and an error a person can act on ("gke-gcloud-auth-plugin was not
    // found on PATH (...): install it with ..."). Concurrent requests share one plugin run.
    virtual void request(Done done) = 0;
    // Forgets the cached credential, so the next request() fetches a fresh one (after a 401).
    virtual void invalidate() = 0;
    // A one-line description for the UI ("exec plugin aws", "oidc id-token"); never the secret.
    virtual QString describe() const = 0;
};

// Everything a KubeClient needs to reach one context's API server, already read from the files
// the kubeconfig names (see kube/kubeconfig.h, connectionSettings()).
struct ConnectionSettings
{
    QString contextName;
    QString clusterName;
    QString userName;
    QString defaultNamespace = QStringLiteral("default");

    QUrl server;
    QByteArray certificateAuthorityPem; // empty: the system's CAs
    QString certificateAuthorityOrigin; // "file /home/u/.kube/ca.crt" or "certificate-authority-data of
                                        // cluster X"
    bool insecureSkipTlsVerify = false;
    QString tlsServerName;
    QUrl proxyUrl; // http, https or socks5; empty: no proxy (kubectl ignores the system proxy settings too)

    QByteArray clientCertificatePem;
    QByteArray clientKeyPem;
    QString token;     // static bearer token
    QString tokenFile; // re-read on every request (it rotates)
    QString username;  // basic auth
    QString password;
    std::shared_ptr<CredentialSource> credentials; // exec plugin or oidc; may be null
};

} // namespace tdkube::kube
