#include "kube/yamlwriter.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringList>

namespace tdkube::kube {

namespace {

using namespace Qt::StringLiterals;

// Plain scalars YAML 1.1 (and so yaml.v2, kubectl's reader) would take for a bool, null or number.
bool looksTyped(const QString &text)
{
    static const QRegularExpression typed(
        uR"(^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[0-9]+(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$)"_s);
    return typed.match(text).hasMatch();
}

bool needsQuotes(const QString &text)
{
    if (text.isEmpty() || looksTyped(text) || text.front().isSpace() || text.back().isSpace())
        return true;
    static const QString indicators = u"-?:,[]{}#&*!|>'\"%@`"_s;
    if (indicators.contains(text.front()) &&
        !(text.size() > 1 && (text.front() == u'-' || text.front() == u'?' || text.front() == u':') &&
          !text.at(1).isSpace()))
        return true;
    return text.contains(u": "_s) || text.contains(u" #"_s) || text.endsWith(u':');
}

QString scalar(const QString &text)
{
    if (!needsQuotes(text))
        return text;
    QString quoted = text;
    quoted.replace(u'\'', u"''"_s);
    return u'\'' + quoted + u'\'';
}

QString doubleQuoted(const QString &text)
{
    QString out = u"\""_s;
    for (const QChar c : text) {
        if (c == u'"' || c == u'\\')
            out += u'\\' + QString(c);
        else if (c == u'\n')
            out += u"\\n"_s;
        else if (c == u'\t')
            out += u"\\t"_s;
        else
            out += c;
    }
    return out + u'"';
}

void write(const QJsonValue &value, int indent, QString *out);

void writeString(const QString &text, int indent, QString *out)
{
    if (!text.contains(u'\n')) {
        *out += scalar(text) + u'\n';
        return;
    }
    // A literal block keeps lines as they are, unless a line ends in spaces (kubectl quotes those).
    const QStringList lines = text.split(u'\n');
    const bool blockable =
        std::none_of(lines.begin(), lines.end(),
                     [](const QString &line) { return !line.isEmpty() && line.back().isSpace(); }) &&
        !text.front().isSpace();
    if (!blockable) {
        *out += doubleQuoted(text) + u'\n';
        return;
    }
    const bool keepLast = text.endsWith(u'\n');
    const QString pad(indent + 2, u' ');
    *out += keepLast ? u"|\n"_s : u"|-\n"_s;
    const qsizetype count = keepLast ? lines.size() - 1 : lines.size();
    for (qsizetype i = 0; i < count; ++i)
        *out += (lines.at(i).isEmpty() ? QString() : pad + lines.at(i)) + u'\n';
}

void writeObject(const QJsonObject &object, int indent, bool continuing, QString *out)
{
    const QString pad(indent, u' ');
    bool first = true;
    for (auto it = object.begin(); it != object.end(); ++it) {
        *out += (first && continuing ? QString() : pad) + scalar(it.key()) + u':';
        first = false;
        const QJsonValue value = it.value();
        if (value.isObject() && !value.toObject().isEmpty()) {
            *out += u'\n';
            writeObject(value.toObject(), indent + 2, false, out);
        } else if (value.isArray() && !value.toArray().isEmpty()) {
            *out += u'\n';
            write(value, indent, out); // kubectl puts a map's sequence at the key's indentation
        } else {
            *out += u' ';
            write(value, indent, out);
        }
    }
}

void writeArray(const QJsonArray &array, int indent, QString *out)
{
    const QString pad(indent, u' ');
    for (const QJsonValue &item : array) {
        *out += pad + u"- "_s;
        if (item.isObject() && !item.toObject().isEmpty())
            writeObject(item.toObject(), indent + 2, true, out);
        else if (item.isArray() && !item.toArray().isEmpty()) {
            *out += u'\n';
            writeArray(item.toArray(), indent + 2, out);
        } else
            write(item, indent + 2, out);
    }
}

void write(const QJsonValue &value, int indent, QString *out)
{
    switch (value.type()) {
    case QJsonValue::Object:
        if (value.toObject().isEmpty())
            *out += u"{}\n"_s;
        else
            writeObject(value.toObject(), indent, false, out);
        break;
    case QJsonValue::Array:
        if (value.toArray().isEmpty())
            *out += u"[]\n"_s;
        else
            writeArray(value.toArray(), indent, out);
        break;
    case QJsonValue::String:
        writeString(value.toString(), indent, out);
        break;
    case QJsonValue::Double: {
        const double number = value.toDouble();
        *out += (number == double(qint64(number)) ? QString::number(qint64(number))
                                                  : QString::number(number, 'g', 17)) +
                u'\n';
        break;
    }
    case QJsonValue::Bool:
        *out += value.toBool() ? u"true\n"_s : u"false\n"_s;
        break;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        *out += u"null\n"_s;
        break;
    }
}

} // namespace

QString toYaml(const QJsonValue &value)
{
    QString out;
    write(value, 0, &out);
    return out;
}

} // namespace tdkube::kube
