#pragma once

#include "kube/connection.h"
#include "kube/kubeconfig.h"

#include <QList>
#include <QMap>
#include <QPointer>
#include <QProcess>
#include <QTimer>

#include <functional>

namespace tdkube::kube {

// The cluster an exec plugin is told about when its config says provideClusterInfo.
struct ExecClusterInfo
{
    QString server;
    QByteArray certificateAuthorityData; // PEM; sent base64-encoded
    QString tlsServerName;
    bool insecureSkipTlsVerify = false;
};

// A client-go credential plugin (users[].user.exec), run as a process without a terminal. The
// credential is cached until shortly before its expirationTimestamp; concurrent requests share one
// run. A command without '/' is looked up on PATH, then on the login shell's PATH (a desktop launch
// lacks what ~/.profile adds), then in the usual install directories.
class ExecCredentialSource final : public CredentialSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExecCredentialSource)

public:
    ExecCredentialSource(const ExecConfig &exec, const QString &userName, const ExecClusterInfo &cluster,
                         QObject *parent = nullptr);
    ~ExecCredentialSource() override;

    void request(Done done) override;
    void invalidate() override;
    QString describe() const override;

    // How long one plugin run may take (default 60 s).
    void setTimeout(int milliseconds) { m_timeoutMs = milliseconds; }
    // The clock that decides expiry; tests replace it.
    void setClock(std::function<QDateTime()> now) { m_now = std::move(now); }

    // The directories searched after PATH and the login shell's PATH.
    static QStringList wellKnownDirectories();

private:
    void start(const QString &program, const QStringList &loginPath);
    void finish(const Credential &credential, const QString &error);
    void onFinished(int exitCode, QProcess::ExitStatus status);
    QString parse(const QByteArray &stdoutData, Credential *credential) const;
    QByteArray execInfo() const;
    QString pluginName() const;
    QString notFoundError(const QString &message) const; // `message`, then the installHint
    QString stderrExcerpt() const;
    bool cacheValid() const;

    ExecConfig m_exec;
    QString m_userName;
    ExecClusterInfo m_cluster;
    int m_timeoutMs = 60000;
    std::function<QDateTime()> m_now;

    QList<Done> m_waiting;
    bool m_running = false;
    QProcess *m_process = nullptr;
    QTimer m_timeout;
    bool m_timedOut = false;
    std::optional<Credential> m_cached;
};

// users[].user.auth-provider with name oidc: the id-token the provider's login tool wrote into the
// kubeconfig. tdkube does not refresh it; an expired token asks the person to log in again.
class OidcCredentialSource final : public CredentialSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OidcCredentialSource)

public:
    OidcCredentialSource(const QMap<QString, QString> &config, const QString &userName,
                         QObject *parent = nullptr);

    void request(Done done) override;
    void invalidate() override {}
    QString describe() const override;

    void setClock(std::function<QDateTime()> now) { m_now = std::move(now); }

private:
    QMap<QString, QString> m_config;
    QString m_userName;
    std::function<QDateTime()> m_now;
};

} // namespace tdkube::kube
