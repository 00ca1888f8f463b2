#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace tdkube::kube {

// One problem found while reading kubeconfig files. `line`/`column` are 1-based (0 when unknown).
// `entryKind` and `entryNames` name the cluster, the user or the contexts the problem makes unusable,
// when it makes entries unusable.
struct ConfigProblem
{
    QString file;
    int line = 0;
    int column = 0;
    QString message;
    QString entryKind;      // "cluster", "user" or "context"
    QStringList entryNames; // one name, or the contexts that use a broken cluster or user

    QString toString() const; // "FILE:LINE:COLUMN: MESSAGE (context X is unusable)"
};

// users[].user.exec: a client-go credential plugin.
struct ExecConfig
{
    QString apiVersion; // client.authentication.k8s.io/v1 or v1beta1
    QString command;    // as written; relative commands resolve against the defining file's directory
    QStringList args;
    QList<std::pair<QString, QString>> env;
    QString installHint;
    bool provideClusterInfo = false;
    QString interactiveMode; // Never, IfAvailable, Always
};

struct ClusterEntry
{
    QString name;
    QString server;
    QString certificateAuthority;        // absolute path (resolved against the defining file)
    QByteArray certificateAuthorityData; // decoded PEM
    bool insecureSkipTlsVerify = false;
    QString tlsServerName;
    QString proxyUrl;
    QString definedIn; // the file this entry came from
};

struct UserEntry
{
    QString name;
    QString clientCertificate; // absolute path
    QByteArray clientCertificateData;
    QString clientKey; // absolute path
    QByteArray clientKeyData;
    QString token;
    QString tokenFile; // absolute path; re-read on use
    QString username;
    QString password;
    std::optional<ExecConfig> exec;
    QString authProvider;                      // e.g. "oidc"
    QMap<QString, QString> authProviderConfig; // e.g. id-token, idp-issuer-url
    QString definedIn;
};

struct ContextEntry
{
    QString name;
    QString cluster;
    QString user;
    QString ns; // empty in the file means "default"
    QString definedIn;
};

// The kubeconfig files merged as kubectl merges them: the first file that defines a named cluster,
// user or context wins; the first non-empty current-context wins; relative paths resolve against
// the file that defines them. A malformed or unreadable file never aborts the load: its problems
// are listed (with YAML line and column) and the usable entries of every file remain.
class Kubeconfig
{
public:
    // `files` in precedence order (the $KUBECONFIG list, or the single --kubeconfig file).
    static Kubeconfig load(const QStringList &files);
    // $KUBECONFIG split on ':' (empty entries and repeats dropped), or ~/.kube/config when unset.
    static QStringList defaultFiles();

    QStringList files() const { return m_files; }
    QString currentContext() const { return m_currentContext; }
    QStringList contextNames() const; // sorted
    std::optional<ContextEntry> context(const QString &name) const;
    std::optional<ClusterEntry> cluster(const QString &name) const;
    std::optional<UserEntry> user(const QString &name) const;
    QList<ConfigProblem> problems() const { return m_problems; }

    // A context with its cluster and user looked up; `error` says what is missing when not usable
    // ("context prod refers to cluster prod-eu, which no kubeconfig file defines").
    struct Resolved
    {
        ContextEntry context;
        ClusterEntry cluster;
        UserEntry user;
        QString namespaceOrDefault() const
        {
            return context.ns.isEmpty() ? QStringLiteral("default") : context.ns;
        }
    };
    std::optional<Resolved> resolve(const QString &contextName, QString *error) const;

private:
    QStringList m_files;
    QString m_currentContext;
    QMap<QString, ClusterEntry> m_clusters;
    QMap<QString, UserEntry> m_users;
    QMap<QString, ContextEntry> m_contexts;
    QList<ConfigProblem> m_problems;
    // "cluster/NAME": why the entry that owns the name is unusable.
    QMap<QString, QString> m_broken;
};

} // namespace tdkube::kube

#include "kube/connection.h"

namespace tdkube::kube {

// Reads the files a resolved context names (CA, client certificate and key) and makes the settings
// a KubeClient needs; an exec or oidc user gets a CredentialSource (kube/credentials.h). Returns
// false with `error` naming the file and why ("cannot read client-key /home/u/.kube/k.pem: No such
// file (user kind-admin, context kind-dev)").
bool makeConnectionSettings(const Kubeconfig::Resolved &resolved, ConnectionSettings *settings,
                            QString *error);

} // namespace tdkube::kube
