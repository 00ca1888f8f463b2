#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace tdkube::kube {

// A label selector in its string form, as `?labelSelector=` carries it:
// `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated (all must hold).
class LabelSelector
{
public:
    static LabelSelector parse(const QString &text, QString *error);
    // The structured form of a StatefulSet's spec.selector (matchLabels + matchExpressions).
    static LabelSelector fromObject(const QJsonObject &selector);

    bool isEmpty() const { return m_requirements.isEmpty(); }
    bool matches(const QJsonObject &labels) const;
    // "app=tdengine,tier=db" (the form Scale.status.selector carries).
    QString toString() const;

private:
    struct Requirement
    {
        QString key;
        enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist } op = Op::Exists;
        QStringList values;
    };
    QList<Requirement> m_requirements;
};

// `?fieldSelector=`: `path=value`, `path==value`, `path!=value`, comma-separated, where path is a
// dotted JSON path such as metadata.name, metadata.namespace, spec.nodeName, status.phase or
// involvedObject.name (events).
class FieldSelector
{
public:
    static FieldSelector parse(const QString &text, QString *error);
    bool isEmpty() const { return m_terms.isEmpty(); }
    bool matches(const QJsonObject &object) const;
    // The value a `metadata.name=X` term asks for, if any (lets a get-by-watch skip the scan).
    QString nameValue() const;

private:
    struct Term
    {
        QString path;
        QString value;
        bool negated = false;
    };
    QList<Term> m_terms;
};

} // namespace tdkube::kube
