#pragma once

#include <QByteArray>
#include <QString>

namespace tdkube::sandbox {

// What the sandbox tells its users: where it listens and who may log in.
struct KubeconfigSpec
{
    QString server;          // "https://127.0.0.1:PORT"
    QByteArray caPem;        // the sandbox CA (certificate-authority-data)
    QByteArray adminCertPem; // client certificate of sandbox-admin (client-certificate-data)
    QByteArray adminKeyPem;  // its key (client-key-data)
    QString viewerToken;     // bearer token of the read-only user sandbox-viewer
    QString execPluginPath;  // absolute path of the exec credential plugin script
    QString defaultNamespace = QStringLiteral("default");
};

// Writes a kubeconfig (YAML, mode 0600) with clusters/users/contexts:
//   context sandbox-admin  (current-context): cluster sandbox, user sandbox-admin (client certificate)
//   context sandbox-viewer: cluster sandbox, user sandbox-viewer (token)
//   context sandbox-exec:   cluster sandbox, user sandbox-exec (exec plugin, client.authentication.k8s.io/v1,
//                           interactiveMode Never, installHint set)
// All contexts use `defaultNamespace`. Returns false and sets *error when the file cannot be written.
bool writeKubeconfig(const QString &path, const KubeconfigSpec &spec, QString *error);

// Writes an executable /bin/sh exec credential plugin at `path` (mode 0700) that prints
// {"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
//  "status":{"token":TOKEN,"expirationTimestamp":NOW+validSeconds (RFC 3339, UTC)}}
// and appends one line per invocation to `<path>.calls` (so tests can count how often kubectl ran it).
bool writeExecPlugin(const QString &path, const QString &token, int validSeconds, QString *error);

} // namespace tdkube::sandbox
