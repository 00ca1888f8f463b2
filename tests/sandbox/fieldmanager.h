#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace tdkube::sandbox {

// Server-side apply and managedFields, as far as the sandbox's clients need them.
//
// Ownership is tracked per leaf field in `metadata.managedFields` using the real FieldsV1 encoding
// (`{"f:spec":{"f:replicas":{}}}`, list items by merge key `k:{"name":"tdengine"}`, primitive-list
// items `v:"x"`, `".":{}` for an owned map/list item itself). List identity comes from listSchema()
// (patch.h); lists without keys, and selectors (atomic in the Go types), are owned and replaced whole.

struct FieldConflict
{
    QString manager;    // the other manager that owns the field
    QString apiVersion; // the apiVersion recorded in that manager's entry
    QString field;      // the field path as Kubernetes prints it, e.g. ".spec.replicas"
    // Set when that manager wrote through a subresource, e.g. "scale". Defaulted so that
    // {manager, apiVersion, field} still initialises a FieldConflict without a warning.
    QString subresource = {};
    // "Apply" or "Update": the API server names an applier without its apiVersion, because an
    // applier's identity does not include it (BuildManagerIdentifier).
    QString operation = {};
};

struct ApplyOutcome
{
    bool ok = false;
    QJsonObject object;             // the merged object, managedFields updated (when ok)
    QList<FieldConflict> conflicts; // non-empty when !ok because of conflicts (HTTP 409)
    QString error;                  // other failures, e.g. a malformed configuration (HTTP 400/422)
};

// Applies `config` (the applied configuration, already parsed from YAML/JSON) for `manager`.
// `live` is the current object, or an empty object when it does not exist yet (create).
// Conflicts: a field in `config` whose value differs from the live value and that is owned by
// another manager fails unless `force`; with `force` ownership moves to `manager`.
// Fields that `manager` applied before but that are missing from `config` are removed from the
// object unless another manager also owns them. The entry for `manager` gets operation "Apply",
// `apiVersion`, `time` = `timestamp` (RFC 3339), fieldsType FieldsV1. metadata.resourceVersion,
// uid, creationTimestamp, generation and status are never taken from `config`.
ApplyOutcome serverSideApply(const QJsonObject &live, const QJsonObject &config, const QString &kind,
                             const QString &manager, bool force, const QString &timestamp);

// Records a non-apply write (create, update, patch) by `manager` with operation "Update":
// the leaf fields that differ between `before` and `after` (all of `after` on create) become owned
// by `manager` (and are removed from other managers' sets). `subresource` is recorded when not
// empty (e.g. "scale", "status"). Returns `after` with its managedFields updated. Entries whose
// field set becomes empty are dropped, as the API server does.
QJsonObject recordUpdate(const QJsonObject &before, const QJsonObject &after, const QString &kind,
                         const QString &manager, const QString &subresource, const QString &timestamp);

// The default field manager for a request without `fieldManager`, derived from the User-Agent as
// the API server does: the part before the first '/' ("kubectl/v1.32.4 (linux/amd64) ..." ->
// "kubectl"), or "unknown" when empty.
QString defaultFieldManager(const QString &userAgent);

} // namespace tdkube::sandbox
