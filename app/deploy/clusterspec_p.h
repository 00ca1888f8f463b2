// Shared by the clusterspec*.cpp files: JSON paths and the label vocabulary.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace tdkube::deploy::detail {

inline constexpr QStringView kNameLabel = u"app.kubernetes.io/name";
inline constexpr QStringView kInstanceLabel = u"app.kubernetes.io/instance";
inline constexpr QStringView kComponentLabel = u"app.kubernetes.io/component";
inline constexpr QStringView kManagedByLabel = u"app.kubernetes.io/managed-by";
inline constexpr QStringView kVersionLabel = u"app.kubernetes.io/version";
inline constexpr int kProbePeriodSeconds = 10;

// The value at a dotted path ("spec.template.spec"); Undefined when any step is missing.
QJsonValue valueAt(const QJsonObject &root, QStringView dottedPath);
// Sets (or, with an Undefined value, removes) the value at a dotted path, creating objects on the way.
void setAt(QJsonObject &root, QStringView dottedPath, const QJsonValue &value);

} // namespace tdkube::deploy::detail
