#include "kube/selectors.h"

#include "kube/objects.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>

namespace tdkube::kube {

using namespace Qt::StringLiterals;

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Selectors)
};

// Splits on commas that are not inside parentheses ("a in (x,y),b" -> "a in (x,y)", "b").
QStringList splitTerms(const QString &text)
{
    QStringList terms;
    int depth = 0;
    QString current;
    for (const QChar c : text) {
        if (c == u'(')
            ++depth;
        else if (c == u')')
            --depth;
        if (c == u',' && depth == 0) {
            terms << current.trimmed();
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.trimmed().isEmpty())
        terms << current.trimmed();
    return terms;
}

QStringList setValues(const QString &text)
{
    QStringList values;
    for (const QString &value : text.split(u',', Qt::SkipEmptyParts))
        values << value.trimmed();
    return values;
}

} // namespace

LabelSelector LabelSelector::parse(const QString &text, QString *error)
{
    static const QRegularExpression setPattern(uR"(^([^\s!=]+)\s+(in|notin)\s*\((.*)\)$)"_s);
    LabelSelector selector;
    for (const QString &term : splitTerms(text)) {
        Requirement requirement;
        const QRegularExpressionMatch set = setPattern.match(term);
        if (set.hasMatch()) {
            requirement.key = set.captured(1);
            requirement.op = set.captured(2) == u"in" ? Requirement::Op::In : Requirement::Op::NotIn;
            requirement.values = setValues(set.captured(3));
        } else if (term.contains(u"!=")) {
            requirement.key = term.section(u"!="_s, 0, 0).trimmed();
            requirement.op = Requirement::Op::NotEquals;
            requirement.values = {term.section(u"!="_s, 1).trimmed()};
        } else if (term.contains(u'=')) {
            const QString separator = term.contains(u"==") ? u"=="_s : u"="_s;
            requirement.key = term.section(separator, 0, 0).trimmed();
            requirement.op = Requirement::Op::Equals;
            requirement.values = {term.section(separator, 1).trimmed()};
        } else if (term.startsWith(u'!')) {
            requirement.key = term.mid(1).trimmed();
            requirement.op = Requirement::Op::DoesNotExist;
        } else {
            requirement.key = term;
        }
        if (requirement.key.isEmpty() || requirement.key.contains(u' ')) {
            *error = Text::tr("unable to parse requirement: \"%1\"").arg(term);
            return {};
        }
        selector.m_requirements.append(requirement);
    }
    return selector;
}

LabelSelector LabelSelector::fromObject(const QJsonObject &object)
{
    LabelSelector selector;
    const QJsonObject matchLabels = object.value(u"matchLabels").toObject();
    for (auto it = matchLabels.begin(); it != matchLabels.end(); ++it)
        selector.m_requirements.append({it.key(), Requirement::Op::Equals, {it.value().toString()}});
    for (const QJsonValue &value : object.value(u"matchExpressions").toArray()) {
        const QJsonObject expression = value.toObject();
        const QString op = expression.value(u"operator").toString();
        Requirement requirement{expression.value(u"key").toString(), Requirement::Op::Exists, {}};
        for (const QJsonValue &v : expression.value(u"values").toArray())
            requirement.values << v.toString();
        if (op == u"In")
            requirement.op = Requirement::Op::In;
        else if (op == u"NotIn")
            requirement.op = Requirement::Op::NotIn;
        else if (op == u"DoesNotExist")
            requirement.op = Requirement::Op::DoesNotExist;
        selector.m_requirements.append(requirement);
    }
    return selector;
}

bool LabelSelector::matches(const QJsonObject &labels) const
{
    for (const Requirement &r : m_requirements) {
        const bool has = labels.contains(r.key);
        const QString value = labels.value(r.key).toString();
        switch (r.op) {
        case Requirement::Op::Equals:
        case Requirement::Op::In:
            if (!has || !r.values.contains(value))
                return false;
            break;
        case Requirement::Op::NotEquals:
        case Requirement::Op::NotIn:
            if (has && r.values.contains(value))
                return false;
            break;
        case Requirement::Op::Exists:
            if (!has)
                return false;
            break;
        case Requirement::Op::DoesNotExist:
            if (has)
                return false;
            break;
        }
    }
    return true;
}

QString LabelSelector::toString() const
{
    QStringList parts;
    for (const Requirement &r : m_requirements) {
        switch (r.op) {
        case Requirement::Op::Equals:
            parts << r.key + u'=' + r.values.value(0);
            break;
        case Requirement::Op::NotEquals:
            parts << r.key + u"!="_s + r.values.value(0);
            break;
        case Requirement::Op::In:
            parts << r.key + u" in ("_s + r.values.join(u',') + u')';
            break;
        case Requirement::Op::NotIn:
            parts << r.key + u" notin ("_s + r.values.join(u',') + u')';
            break;
        case Requirement::Op::Exists:
            parts << r.key;
            break;
        case Requirement::Op::DoesNotExist:
            parts << u'!' + r.key;
            break;
        }
    }
    return parts.join(u',');
}

FieldSelector FieldSelector::parse(const QString &text, QString *error)
{
    FieldSelector selector;
    for (const QString &term : splitTerms(text)) {
        Term parsed;
        QString separator = u"="_s;
        if (term.contains(u"!=")) {
            separator = u"!="_s;
            parsed.negated = true;
        } else if (term.contains(u"==")) {
            separator = u"=="_s;
        }
        if (!term.contains(separator)) {
            *error = Text::tr("invalid selector: '%1'; can't understand '%2'").arg(text, term);
            return {};
        }
        parsed.path = term.section(separator, 0, 0).trimmed();
        parsed.value = term.section(separator, 1).trimmed();
        selector.m_terms.append(parsed);
    }
    return selector;
}

bool FieldSelector::matches(const QJsonObject &object) const
{
    for (const Term &term : m_terms) {
        const QJsonValue value = valueAt(object, term.path);
        const QString text = value.isDouble() ? QString::number(value.toInteger()) : value.toString();
        if ((text == term.value) == term.negated)
            return false;
    }
    return true;
}

QString FieldSelector::nameValue() const
{
    for (const Term &term : m_terms) {
        if (term.path == u"metadata.name" && !term.negated)
            return term.value;
    }
    return {};
}

} // namespace tdkube::kube
