// The kubectl-style printers given arbitrary objects: the input is a JSON object (anything else
// becomes an empty one, as a list item that is not an object does), printed as each resource tdkube
// shows and as an unknown one.

#include "fuzzing.h"
#include "kube/printers.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace tdkube;
using namespace Qt::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QJsonObject object = QJsonDocument::fromJson(fuzz::bytes(data, size)).object();
    // A fixed "now", so that a finding reproduces.
    const qint64 nowMs = 1767225600000; // 2026-01-01T00:00:00Z
    size_t sum = 0;
    for (const QString &resource :
         {u"pods"_s, u"persistentvolumeclaims"_s, u"persistentvolumes"_s, u"statefulsets"_s, u"services"_s,
          u"configmaps"_s, u"namespaces"_s, u"nodes"_s, u"storageclasses"_s, u"events"_s, u"widgets"_s}) {
        const QList<kube::PrintColumn> columns = kube::printColumns(resource);
        const kube::PrintedRow row = kube::printRow(resource, object, nowMs);
        fuzz::require(row.cells.size() == columns.size(), "one cell per column");
        sum += size_t(QJsonDocument(row.cells).toJson().size() + row.conditions.size());
    }
    fuzz::sink(sum);
    return 0;
}
