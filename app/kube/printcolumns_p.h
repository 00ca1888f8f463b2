#pragma once

#include "kube/printers.h"

// Internal to the printers: the column definitions per resource (printcolumns.cpp).
namespace tdkube::kube::columns {

QList<PrintColumn> podColumns();
QList<PrintColumn> persistentVolumeClaimColumns();
QList<PrintColumn> persistentVolumeColumns();
QList<PrintColumn> statefulSetColumns();
QList<PrintColumn> serviceColumns();
QList<PrintColumn> configMapColumns();
QList<PrintColumn> namespaceColumns();
QList<PrintColumn> nodeColumns();
QList<PrintColumn> storageClassColumns();
QList<PrintColumn> eventColumns();
QList<PrintColumn> genericColumns();

} // namespace tdkube::kube::columns
