#pragma once

#include "apierror.h"

#include <QJsonObject>

namespace tdkube::sandbox {

struct ResourceType;

// What the API server fills in when a client leaves it out (on create and on update), for the kinds
// the sandbox serves: pod and template defaults, Service type/ports, StatefulSet policies, PVC
// volume mode, Namespace phase. `defaultStorageClass` is what a PVC without storageClassName gets
// (the DefaultStorageClass admission plugin); empty when there is none.
void applyDefaults(const ResourceType &type, QJsonObject &object, const QString &defaultStorageClass);

// Validation as the API server does it for these kinds: names, required fields, selector versus
// template labels, immutable fields on update (`old` is null on create). Returns a 422 Invalid
// error listing every cause, or no error.
ApiError validateObject(const ResourceType &type, const QJsonObject &object, const QJsonObject *old);

bool isDnsSubdomain(const QString &name);
bool isDnsLabel(const QString &name);

} // namespace tdkube::sandbox
