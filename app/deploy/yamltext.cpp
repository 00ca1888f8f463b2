#include "deploy/yamltext_p.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <cctype>
#include <unordered_map>

using namespace Qt::StringLiterals;

namespace tdkube::deploy::yamltext {

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(YamlText)
};

bool isMarker(QByteArrayView line, const char *marker)
{
    return line.startsWith(marker) && (line.size() == 3 || line[3] == ' ' || line[3] == '\t');
}

bool isIntegerText(std::string_view s)
{
    if (!s.empty() && (s[0] == '-' || s[0] == '+'))
        s.remove_prefix(1);
    if (s.empty())
        return false;
    auto digits = [](std::string_view rest, auto accept) {
        return !rest.empty() &&
               std::all_of(rest.begin(), rest.end(), [&](char c) { return c == '_' || accept(c); });
    };
    if (s.starts_with("0x"))
        return digits(s.substr(2), [](char c) { return std::isxdigit(uchar(c)) != 0; });
    if (s.starts_with("0b"))
        return digits(s.substr(2), [](char c) { return c == '0' || c == '1'; });
    return std::isdigit(uchar(s[0])) && digits(s, [](char c) { return std::isdigit(uchar(c)) != 0; });
}

bool isFloat(std::string_view s)
{
    static const QRegularExpression pattern(
        u"^[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?$|^[-+]?\\.(inf|Inf|INF)$|^\\.(nan|NaN|NAN)$"_s);
    return pattern.match(QString::fromLatin1(s.data(), qsizetype(s.size()))).hasMatch();
}

ScalarType resolvePlain(const std::string &s)
{
    static const std::unordered_map<std::string, ScalarType> words = [] {
        std::unordered_map<std::string, ScalarType> map;
        for (const char *w : {"", "~", "null", "Null", "NULL"})
            map[w] = ScalarType::Null;
        for (const char *w :
             {"y",    "Y",    "yes",   "Yes",   "YES",   "n",  "N",  "no", "No",  "NO",  "true",
              "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"})
            map[w] = ScalarType::Bool;
        return map;
    }();
    if (const auto it = words.find(s); it != words.end())
        return it->second;
    // go-yaml only tries numbers for text that starts like one; "3.0.7" stays a string.
    if (s.empty() || std::string_view("+-.0123456789").find(s[0]) == std::string_view::npos)
        return ScalarType::String;
    if (isIntegerText(s))
        return ScalarType::Int;
    return isFloat(s) ? ScalarType::Float : ScalarType::String;
}

} // namespace

bool isInteger(std::string_view s)
{
    return isIntegerText(s);
}

std::vector<Chunk> splitDocuments(const Source &source)
{
    std::vector<Chunk> chunks{Chunk{0, 0}};
    for (int i = 0; i < source.lineCount(); ++i) {
        const QByteArrayView line = source.line(i);
        if (isMarker(line, "---") && i > chunks.back().firstLine)
            chunks.push_back(Chunk{i, i});
        chunks.back().endLine = i + 1;
        if (isMarker(line, "..."))
            chunks.push_back(Chunk{i + 1, i + 1});
    }
    return chunks;
}

ScalarType resolve(const YAML::Node &node)
{
    if (node.IsNull())
        return ScalarType::Null;
    const std::string &tag = node.Tag();
    if (tag == "?" || tag.empty())
        return resolvePlain(node.Scalar());
    static const std::unordered_map<std::string, ScalarType> tags{
        {"tag:yaml.org,2002:null", ScalarType::Null},
        {"tag:yaml.org,2002:bool", ScalarType::Bool},
        {"tag:yaml.org,2002:int", ScalarType::Int},
        {"tag:yaml.org,2002:float", ScalarType::Float}};
    const auto it = tags.find(tag);
    return it == tags.end() ? ScalarType::String : it->second; // "!" = quoted or block scalar
}

QString describe(ScalarType type)
{
    // What a YAML value is read as, for "..., but it is %1" in the manifest checker's messages.
    switch (type) {
    case ScalarType::Null:
        //: a YAML value that is empty (null), as in "..., but it is empty"
        return Text::tr("empty");
    case ScalarType::Bool:
        return Text::tr("a boolean");
    case ScalarType::Int:
        return Text::tr("an integer");
    case ScalarType::Float:
        return Text::tr("a number");
    case ScalarType::String:
        return Text::tr("a string");
    }
    return {};
}

QString describe(const YAML::Node &node)
{
    if (node.IsMap())
        //: a YAML mapping ("key: value" lines), as in "..., but it is a map"
        return Text::tr("a map");
    if (node.IsSequence())
        //: a YAML sequence ("- " items), as in "..., but it is a list"
        return Text::tr("a list");
    return describe(resolve(node));
}

QJsonValue toJson(const YAML::Node &node, int depth, int maxDepth)
{
    if (depth > maxDepth)
        return QJsonValue();
    if (node.IsMap()) {
        QJsonObject object;
        for (auto it = node.begin(); it != node.end(); ++it)
            object.insert(QString::fromStdString(it->first.Scalar()),
                          toJson(it->second, depth + 1, maxDepth));
        return object;
    }
    if (node.IsSequence()) {
        QJsonArray array;
        for (const YAML::Node &item : node)
            array.append(toJson(item, depth + 1, maxDepth));
        return array;
    }
    const std::string &text = node.IsScalar() ? node.Scalar() : std::string();
    switch (resolve(node)) {
    case ScalarType::Null:
        return QJsonValue();
    case ScalarType::Bool:
        return QJsonValue(std::string_view("yYtTo").find(text[0]) != std::string_view::npos &&
                          text != "off" && text != "Off" && text != "OFF");
    case ScalarType::Int: {
        QByteArray digits = QByteArray::fromStdString(text).replace('_', "");
        const bool negative = digits.startsWith('-');
        if (negative || digits.startsWith('+'))
            digits.remove(0, 1);
        int base = 10;
        if (digits.startsWith("0x") || digits.startsWith("0b")) {
            base = digits[1] == 'x' ? 16 : 2;
            digits.remove(0, 2);
        } else if (digits.size() > 1 && digits.startsWith('0')) {
            base = 8; // YAML 1.1: 0644 is octal, as in defaultMode
        }
        const qint64 value = digits.toLongLong(nullptr, base);
        return QJsonValue(negative ? -value : value);
    }
    case ScalarType::Float:
        if (text.find("inf") != std::string::npos || text.find("Inf") != std::string::npos ||
            text.find("INF") != std::string::npos)
            return QJsonValue(text[0] == '-' ? -qInf() : qInf());
        return QJsonValue(QByteArray::fromStdString(text).replace('_', "").toDouble());
    case ScalarType::String:
        return QJsonValue(QString::fromStdString(text));
    }
    return QJsonValue();
}

} // namespace tdkube::deploy::yamltext
