#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace tdkube::kube {

// What kubectl shows for the built-in resources: ports of the Kubernetes 1.32 API server printers
// (pkg/printers/internalversion/printers.go) and of the generic table convertor, used by tdkube's
// tables and by the sandbox's server-side printing alike. Resources are plural names: pods,
// persistentvolumeclaims, persistentvolumes, statefulsets, services, configmaps, namespaces, nodes,
// storageclasses, events; anything else prints Name and Created At.

// metav1.TableColumnDefinition. Priority 1 columns are the ones `kubectl get -o wide` adds.
struct PrintColumn
{
    PrintColumn(QString name, QString type, QString description, int priority = 0, QString format = {})
        : name(std::move(name))
        , type(std::move(type))
        , description(std::move(description))
        , priority(priority)
        , format(std::move(format))
    {
    }

    QString name;
    QString type;
    QString description;
    int priority;
    QString format;
};

// One row: cells in column order (strings, or numbers for integer columns) and, for a finished
// pod, the Completed row condition.
struct PrintedRow
{
    QJsonArray cells;
    QJsonArray conditions;
};

QList<PrintColumn> printColumns(const QString &resource);
// `nowMs` is "now" for the AGE-like cells, in ms since the epoch.
PrintedRow printRow(const QString &resource, const QJsonObject &object, qint64 nowMs);

} // namespace tdkube::kube
