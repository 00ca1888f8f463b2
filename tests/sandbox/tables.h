#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace tdkube::sandbox {

// Server-side printing: the `meta.k8s.io/v1` Table that `kubectl get` asks for
// (Accept: application/json;as=Table;v=v1;g=meta.k8s.io). Columns and cell formats follow the
// real API server's printers for each resource (pods, persistentvolumeclaims, persistentvolumes,
// statefulsets, services, configmaps, namespaces, nodes, storageclasses, events), and
// NAME + "Created At" for anything else.
struct TableOptions
{
    bool includeColumnDefinitions = true;               // false for watch events after the first
    QString includeObject = QStringLiteral("Metadata"); // None | Metadata | Object
    qint64 nowMs = 0;                                   // "now" for AGE columns, ms since the epoch
    QString resourceVersion;                            // the list's metadata.resourceVersion
    QString continueToken;                              // the list's metadata.continue
};

QJsonObject makeTable(const QString &resource, const QList<QJsonObject> &objects,
                      const TableOptions &options);

} // namespace tdkube::sandbox
