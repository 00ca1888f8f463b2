#include "kube/yamljson.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

namespace tdkube::kube {

using namespace Qt::StringLiterals;

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(YamlJson)
};

QJsonValue yamlScalar(const YAML::Node &node)
{
    const QString text = QString::fromStdString(node.Scalar());
    if (node.Tag() == "!")
        return text; // quoted: always a string
    static const QRegularExpression intPattern(u"^[-+]?[0-9]+$"_s);
    static const QRegularExpression floatPattern(
        u"^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$"_s);
    if (text.isEmpty() || text == u"~" || text == u"null" || text == u"Null" || text == u"NULL")
        return QJsonValue::Null;
    if (text == u"true" || text == u"True" || text == u"TRUE")
        return true;
    if (text == u"false" || text == u"False" || text == u"FALSE")
        return false;
    if (intPattern.match(text).hasMatch())
        return text.toLongLong();
    if (text.startsWith(u"0x"))
        return text.mid(2).toLongLong(nullptr, 16);
    if (text.startsWith(u"0o"))
        return text.mid(2).toLongLong(nullptr, 8);
    if (floatPattern.match(text).hasMatch())
        return text.toDouble();
    return text;
}

QJsonValue yamlToValue(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Null:
        return QJsonValue::Null;
    case YAML::NodeType::Scalar:
        return yamlScalar(node);
    case YAML::NodeType::Sequence: {
        QJsonArray array;
        for (const YAML::Node &item : node)
            array.append(yamlToValue(item));
        return array;
    }
    case YAML::NodeType::Map: {
        QJsonObject object;
        for (const auto &item : node)
            object.insert(QString::fromStdString(item.first.Scalar()), yamlToValue(item.second));
        return object;
    }
    case YAML::NodeType::Undefined:
        break;
    }
    return QJsonValue::Undefined;
}

} // namespace

bool yamlDocumentsToJson(const QByteArray &yaml, QList<QJsonValue> *documents, QString *error)
{
    try {
        for (const YAML::Node &node : YAML::LoadAll(yaml.toStdString())) {
            if (!node.IsNull())
                documents->append(yamlToValue(node));
        }
        return true;
    } catch (const YAML::Exception &e) {
        *error = Text::tr("yaml: line %1, column %2: %3")
                     .arg(QString::number(e.mark.line + 1), QString::number(e.mark.column + 1),
                          QString::fromStdString(e.msg));
        return false;
    }
}

bool yamlToJson(const QByteArray &yaml, QJsonValue *json, QString *error)
{
    try {
        *json = yamlToValue(YAML::Load(yaml.toStdString()));
        return true;
    } catch (const YAML::Exception &e) {
        *error = Text::tr("error converting YAML to JSON: yaml: line %1, column %2: %3")
                     .arg(QString::number(e.mark.line + 1), QString::number(e.mark.column + 1),
                          QString::fromStdString(e.msg));
        return false;
    }
}

} // namespace tdkube::kube
