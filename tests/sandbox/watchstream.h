#pragma once

#include "selectors.h"
#include "tables.h"

#include <QObject>
#include <QPointer>

namespace tdkube::sandbox {

class HttpExchange;
class Store;
struct ResourceType;
struct StoreEvent;

// Starts a watch stream on `exchange`: replays the store's history from `resourceVersion` (or
// every current object when it is empty or "0"), then follows the store, filtered by namespace and
// selectors, as JSON events or Table rows, with bookmarks and the request's timeoutSeconds. An
// unknown (compacted) resourceVersion gets one ERROR event with a 410 Expired Status. The stream
// lives as long as the exchange; endWatch() ends it early (a fault tests inject).
QObject *startWatch(HttpExchange *exchange, Store *store, const ResourceType *type, const QString &ns,
                    LabelSelector labels, FieldSelector fields, double timeScale, bool table,
                    const TableOptions &tableOptions, const QString &resourceVersion);
void endWatch(QObject *stream);

} // namespace tdkube::sandbox
