#include "kubeconfigwriter.h"

#include <QFileDevice>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace tdkube::sandbox {

namespace {

// C0/C1 controls and the Unicode line separators: not printable in YAML, and some end a line.
bool needsEscape(QChar c)
{
    const char16_t u = c.unicode();
    return u < 0x20 || (u >= 0x7f && u <= 0x9f) || u == 0x2028 || u == 0x2029;
}

// A YAML double-quoted scalar. JSON string escaping is a subset of YAML's double-quoted style, so
// quotes, backslashes and control characters cannot break out of the value or the line.
QString quoted(const QString &value)
{
    QString out = u"\""_s;
    for (const QChar c : value) {
        if (c == u'"' || c == u'\\')
            out += u'\\' + QString(c);
        else if (c == u'\n')
            out += u"\\n"_s;
        else if (c == u'\t')
            out += u"\\t"_s;
        else if (needsEscape(c))
            out += u"\\u"_s + QString::number(c.unicode(), 16).rightJustified(4, u'0');
        else
            out += c;
    }
    return out + u'"';
}

// *-data fields hold base64 of the PEM (as `kubectl config set-credentials --embed-certs` writes them).
QString base64(const QByteArray &pem)
{
    return QString::fromLatin1(pem.toBase64());
}

// Each section is a list of lines so that the YAML indentation stays visible in the source.
QStringList clustersYaml(const KubeconfigSpec &spec)
{
    return {
        u"clusters:"_s,
        u"  - name: sandbox"_s,
        u"    cluster:"_s,
        u"      server: "_s + quoted(spec.server),
        u"      certificate-authority-data: "_s + base64(spec.caPem),
    };
}

QStringList usersYaml(const KubeconfigSpec &spec)
{
    return {
        u"users:"_s,
        u"  - name: sandbox-admin"_s,
        u"    user:"_s,
        u"      client-certificate-data: "_s + base64(spec.adminCertPem),
        u"      client-key-data: "_s + base64(spec.adminKeyPem),
        u"  - name: sandbox-viewer"_s,
        u"    user:"_s,
        u"      token: "_s + quoted(spec.viewerToken),
        u"  - name: sandbox-exec"_s,
        u"    user:"_s,
        u"      exec:"_s,
        u"        apiVersion: client.authentication.k8s.io/v1"_s,
        u"        command: "_s + quoted(spec.execPluginPath),
        u"        args: []"_s,
        // Never: kubectl must not wait for a terminal that tests and tdkube do not have.
        u"        interactiveMode: Never"_s,
        u"        provideClusterInfo: false"_s,
        u"        installHint: "_s +
            quoted(u"The sandbox exec plugin is missing: restart tdkube-sandbox to write it again."_s),
    };
}

QStringList contextYaml(const QString &name, const QString &ns)
{
    return {
        u"  - name: "_s + name,
        u"    context:"_s,
        u"      cluster: sandbox"_s,
        u"      user: "_s + name,
        u"      namespace: "_s + quoted(ns),
    };
}

QString kubeconfigYaml(const KubeconfigSpec &spec)
{
    QStringList lines{
        u"# Written by tdkube-sandbox: a throwaway kubeconfig for the local fake API server."_s,
        u"apiVersion: v1"_s,
        u"kind: Config"_s,
    };
    lines += clustersYaml(spec);
    lines += usersYaml(spec);
    lines += u"contexts:"_s;
    for (const QString &name : {u"sandbox-admin"_s, u"sandbox-viewer"_s, u"sandbox-exec"_s})
        lines += contextYaml(name, spec.defaultNamespace);
    lines += u"current-context: sandbox-admin"_s;
    lines += u"preferences: {}"_s;
    return lines.join(u'\n') + u'\n';
}

// POSIX sh single quoting: nothing inside '...' is special except the quote itself.
QString shellQuoted(const QString &value)
{
    QString escaped = value;
    escaped.replace(u'\'', u"'\\''"_s);
    return u'\'' + escaped + u'\'';
}

QString execPluginScript(const QString &callsPath, const QString &token, int validSeconds)
{
    const QString timeFormat = u"+%Y-%m-%dT%H:%M:%SZ"_s;
    const QStringList lines{
        u"#!/bin/sh"_s,
        u"# Exec credential plugin written by tdkube-sandbox (client.authentication.k8s.io/v1)."_s,
        u"# kubectl runs it whenever it needs a token; each run appends a line to the .calls file so"_s,
        u"# tests can tell how often kubectl asked (it caches the token until expirationTimestamp)."_s,
        u"set -eu"_s,
        u"now=$(date -u "_s + timeFormat + u")"_s,
        u"expiry=$(date -u -d \"@$(( $(date +%s) + "_s + QString::number(validSeconds) + u" ))\" "_s +
            timeFormat + u")"_s,
        u"printf '%s pid=%s\\n' \"$now\" \"$$\" >> "_s + shellQuoted(callsPath),
        // The token is a printf argument, not part of the format, and already JSON-quoted: '%' and
        // '\' in it stay literal.
        u"printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","_s +
            u"\"status\":{\"token\":%s,\"expirationTimestamp\":\"%s\"}}\\n' "_s + shellQuoted(quoted(token)) +
            u" \"$expiry\""_s,
    };
    return lines.join(u'\n') + u'\n';
}

// Writes atomically with `permissions` applied to the temporary file before any content goes in,
// so secrets are never readable by others, not even briefly.
bool writePrivateFile(const QString &path, const QByteArray &content, QFileDevice::Permissions permissions,
                      QString *error)
{
    QSaveFile file(path);
    const bool ok = file.open(QIODevice::WriteOnly) && file.setPermissions(permissions) &&
                    file.write(content) == content.size() && file.commit();
    if (!ok && error)
        *error = u"cannot write "_s + path + u": "_s + file.errorString();
    return ok;
}

} // namespace

bool writeKubeconfig(const QString &path, const KubeconfigSpec &spec, QString *error)
{
    return writePrivateFile(path, kubeconfigYaml(spec).toUtf8(),
                            QFileDevice::ReadOwner | QFileDevice::WriteOwner, error);
}

bool writeExecPlugin(const QString &path, const QString &token, int validSeconds, QString *error)
{
    const QString script = execPluginScript(path + u".calls"_s, token, validSeconds);
    return writePrivateFile(path, script.toUtf8(),
                            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner, error);
}

} // namespace tdkube::sandbox
