#pragma once

#include <QJsonObject>
#include <QString>

namespace tdkube::sandbox {

// The documents clients read before they talk to resources: /version, legacy discovery
// (/api, /api/v1, /apis, /apis/{group}/{version}) and /openapi/v3 (the index and one document per
// group version). The OpenAPI documents describe each kind's paths with the PATCH content types
// and the query parameters (fieldValidation, dryRun, fieldManager, force) that kubectl checks
// before it relies on server-side field validation.
QJsonObject versionInfo();
QJsonObject coreApiVersions(const QString &serverAddress);
QJsonObject apiGroupList();
// An APIResourceList, or an empty object when the group version is not served.
QJsonObject apiResourceList(const QString &group, const QString &version);
QJsonObject apiGroup(const QString &group);
QJsonObject openApiV3Index();
// `groupVersionPath` as in the index: "api/v1", "apis/apps/v1". Empty when unknown.
QJsonObject openApiV3Document(const QString &groupVersionPath);

} // namespace tdkube::sandbox
