#include "tables.h"

#include "kube/printers.h"

#include <QJsonArray>

// The meta.k8s.io/v1 Table around the printers of tdkube_core (kube/printers.h), as the API server
// assembles it for `kubectl get`.

namespace tdkube::sandbox {

namespace {

using namespace Qt::StringLiterals;
using kube::PrintColumn;
using kube::PrintedRow;

QJsonObject columnJson(const PrintColumn &column)
{
    return {{u"name"_s, column.name},
            {u"type"_s, column.type},
            {u"format"_s, column.format},
            {u"description"_s, column.description},
            {u"priority"_s, column.priority}};
}

QJsonValue rowObject(const QJsonObject &object, const QString &includeObject)
{
    if (includeObject == u"None")
        return QJsonValue::Undefined;
    if (includeObject == u"Object")
        return object;
    // "Metadata" (and the empty default): meta.AsPartialObjectMetadata under the Table's group version.
    return QJsonObject{{u"kind"_s, u"PartialObjectMetadata"_s},
                       {u"apiVersion"_s, u"meta.k8s.io/v1"_s},
                       {u"metadata"_s, object.value(u"metadata").toObject()}};
}

QJsonObject rowJson(const QString &resource, const QJsonObject &object, const TableOptions &options)
{
    const PrintedRow row = kube::printRow(resource, object, options.nowMs);
    QJsonObject json{{u"cells"_s, row.cells}};
    if (!row.conditions.isEmpty())
        json.insert(u"conditions"_s, row.conditions);
    const QJsonValue embedded = rowObject(object, options.includeObject);
    if (!embedded.isUndefined())
        json.insert(u"object"_s, embedded);
    return json;
}

QJsonObject listMeta(const TableOptions &options)
{
    QJsonObject meta;
    if (!options.resourceVersion.isEmpty())
        meta.insert(u"resourceVersion"_s, options.resourceVersion);
    if (!options.continueToken.isEmpty())
        meta.insert(u"continue"_s, options.continueToken);
    return meta;
}

} // namespace

QJsonObject makeTable(const QString &resource, const QList<QJsonObject> &objects, const TableOptions &options)
{
    QJsonObject table{
        {u"kind"_s, u"Table"_s}, {u"apiVersion"_s, u"meta.k8s.io/v1"_s}, {u"metadata"_s, listMeta(options)}};
    if (options.includeColumnDefinitions) {
        QJsonArray columns;
        const QList<PrintColumn> definitions = kube::printColumns(resource);
        for (const PrintColumn &column : definitions)
            columns.append(columnJson(column));
        table.insert(u"columnDefinitions"_s, columns);
    }
    QJsonArray rows;
    for (const QJsonObject &object : objects)
        rows.append(rowJson(resource, object, options));
    table.insert(u"rows"_s, rows);
    return table;
}

} // namespace tdkube::sandbox
