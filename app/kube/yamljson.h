#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace tdkube::kube {

// YAML (or JSON) text to JSON, keeping quoted scalars strings and typing plain ones
// (int, float, bool, null) as YAML 1.2 core does. Errors name the line and column.
bool yamlToJson(const QByteArray &yaml, QJsonValue *json, QString *error);
// Every document of a multi-document YAML stream (empty documents skipped).
bool yamlDocumentsToJson(const QByteArray &yaml, QList<QJsonValue> *documents, QString *error);

} // namespace tdkube::kube
