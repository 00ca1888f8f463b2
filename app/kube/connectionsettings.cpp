#include "kube/credentials.h"
#include "kube/kubeconfig.h"

#include <QCoreApplication>
#include <QFile>

using namespace Qt::StringLiterals;

namespace tdkube::kube {

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ConnectionSettings)
};

// Reads the file a kubeconfig field names; `error` says which field, file, entry and context.
bool readNamedFile(const QString &path, const QString &field, const QString &owner, const QString &context,
                   QByteArray *contents, QString *error)
{
    QFile file(path);
    if (file.open(QIODevice::ReadOnly)) {
        *contents = file.readAll();
        return true;
    }
    if (error)
        //: %1 is a kubeconfig field (client-key, tokenFile), %4 "cluster NAME" or "user NAME"
        *error = Text::tr("cannot read %1 %2: %3 (%4, context %5)")
                     .arg(field, path, file.errorString(), owner, context);
    return false;
}

// `data` when the kubeconfig embeds it, else the file's contents; kubectl prefers the data too.
bool dataOrFile(const QByteArray &data, const QString &path, const QString &field, const QString &owner,
                const QString &context, QByteArray *out, QString *error)
{
    if (!data.isEmpty()) {
        *out = data;
        return true;
    }
    if (path.isEmpty())
        return true;
    return readNamedFile(path, field, owner, context, out, error);
}

bool proxyFrom(const QString &text, const QString &cluster, const QString &context, QUrl *proxy,
               QString *error)
{
    if (text.isEmpty())
        return true;
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (url.isValid() && !url.host().isEmpty() &&
        (scheme == u"http" || scheme == u"https" || scheme == u"socks5")) {
        *proxy = url;
        return true;
    }
    if (error)
        *error =
            Text::tr("proxy-url %1 of cluster %2 (context %3) is not an http://, https:// or socks5:// URL")
                .arg(text, cluster, context);
    return false;
}

} // namespace

bool makeConnectionSettings(const Kubeconfig::Resolved &resolved, ConnectionSettings *settings,
                            QString *error)
{
    const ClusterEntry &cluster = resolved.cluster;
    const UserEntry &user = resolved.user;
    const QString context = resolved.context.name;
    //: the kubeconfig entry a file is named in
    const QString clusterOwner = Text::tr("cluster %1").arg(cluster.name);
    //: the kubeconfig entry a file is named in
    const QString userOwner = Text::tr("user %1").arg(user.name);

    ConnectionSettings out;
    out.contextName = context;
    out.clusterName = cluster.name;
    out.userName = user.name;
    out.defaultNamespace = resolved.namespaceOrDefault();

    out.server = QUrl(cluster.server, QUrl::StrictMode);
    if (!out.server.isValid() || out.server.host().isEmpty() ||
        (out.server.scheme() != u"https" && out.server.scheme() != u"http")) {
        if (error)
            *error = Text::tr("server %1 of cluster %2 (context %3) is not an https:// URL")
                         .arg(cluster.server, cluster.name, context);
        return false;
    }
    if (!dataOrFile(cluster.certificateAuthorityData, cluster.certificateAuthority,
                    u"certificate-authority"_s, clusterOwner, context, &out.certificateAuthorityPem, error))
        return false;
    if (!cluster.certificateAuthorityData.isEmpty())
        out.certificateAuthorityOrigin =
            Text::tr("certificate-authority-data of cluster %1").arg(cluster.name);
    else if (!cluster.certificateAuthority.isEmpty())
        out.certificateAuthorityOrigin = Text::tr("file %1").arg(cluster.certificateAuthority);
    out.insecureSkipTlsVerify = cluster.insecureSkipTlsVerify;
    out.tlsServerName = cluster.tlsServerName;
    if (!proxyFrom(cluster.proxyUrl, cluster.name, context, &out.proxyUrl, error))
        return false;

    if (!dataOrFile(user.clientCertificateData, user.clientCertificate, u"client-certificate"_s, userOwner,
                    context, &out.clientCertificatePem, error) ||
        !dataOrFile(user.clientKeyData, user.clientKey, u"client-key"_s, userOwner, context,
                    &out.clientKeyPem, error))
        return false;
    out.token = user.token;
    out.tokenFile = user.tokenFile;
    if (!out.tokenFile.isEmpty() && out.token.isEmpty()) {
        // Read once now so that a wrong path is reported when connecting; KubeClient re-reads it.
        QByteArray token;
        if (!readNamedFile(out.tokenFile, u"tokenFile"_s, userOwner, context, &token, error))
            return false;
    }
    out.username = user.username;
    out.password = user.password;

    if (user.exec) {
        const ExecClusterInfo info{cluster.server, out.certificateAuthorityPem, cluster.tlsServerName,
                                   cluster.insecureSkipTlsVerify};
        out.credentials = std::make_shared<ExecCredentialSource>(*user.exec, user.name, info);
    } else if (user.authProvider == u"oidc") {
        out.credentials = std::make_shared<OidcCredentialSource>(user.authProviderConfig, user.name);
    } else if (!user.authProvider.isEmpty()) {
        if (error)
            *error =
                Text::tr("user %1 (context %2) uses the auth-provider %3, which tdkube does not support; "
                         "use an exec plugin instead")
                    .arg(user.name, context, user.authProvider);
        return false;
    }
    *settings = std::move(out);
    return true;
}

} // namespace tdkube::kube
