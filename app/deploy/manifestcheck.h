#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace tdkube::deploy {

// A problem in a YAML text, where an editor can underline it.
struct Diagnostic
{
    enum class Severity { Error, Warning };
    int line = 0;   // 1-based
    int column = 0; // 1-based, in UTF-16 code units (QString positions)
    int length = 1; // characters to underline (the key or scalar)
    Severity severity = Severity::Error;
    QString message; // what is wrong and what to do
};

// Checks a (multi-document) YAML text: first YAML syntax (yaml-cpp's mark, plus what yaml-cpp lets
// through but kubectl refuses: tabs in indentation, duplicate keys, unclosed quotes), then, per
// document, the Kubernetes shape: apiVersion and kind present and strings, metadata.name present
// and a DNS-1123 name, and for the kinds tdkube knows (v1 ConfigMap, Service, Namespace,
// PersistentVolumeClaim, Pod; apps/v1 StatefulSet) unknown fields anywhere in the tree (with a
// "did you mean" suggestion) and wrong scalar types. A document with a syntax error gets no shape
// checks (its tree is not what the author meant); the other documents still do. Sorted by
// position. Never throws; linear in the size of the text. Thread-safe (runs off the GUI thread).
QList<Diagnostic> checkManifests(const QByteArray &yaml);

// Only the YAML syntax part of checkManifests(), for YAML that is not a Kubernetes manifest.
QList<Diagnostic> checkYamlSyntax(const QByteArray &yaml);

// The documents as JSON objects with the line each starts on (its first key), for the wizard's
// tabs; empty documents are skipped. Scalars are typed as kubectl reads them (YAML 1.1: `yes` is
// true, `0644` is 420, quoted text is a string). False with an error ("line 3, column 7: ...")
// when the YAML does not parse or a document is not a map.
struct ManifestDocument
{
    QJsonObject object;
    int firstLine = 1;
};
bool parseManifests(const QByteArray &yaml, QList<ManifestDocument> *documents, QString *error);

} // namespace tdkube::deploy
