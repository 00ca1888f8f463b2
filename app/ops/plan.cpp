#include "ops/plan.h"

#include <QJsonArray>

#include <algorithm>

namespace tdkube::ops {

using namespace Qt::StringLiterals;

namespace {

// Names as they are written to journals: changing one makes older journals unreadable.
constexpr std::pair<Step::Kind, const char16_t *> kStepNames[] = {
    {Step::Kind::CreateMnode, u"create-mnode"},      {Step::Kind::DropMnode, u"drop-mnode"},
    {Step::Kind::DropDnode, u"drop-dnode"},          {Step::Kind::ScaleStatefulSet, u"scale-statefulset"},
    {Step::Kind::WaitPodsGone, u"wait-pods-gone"},   {Step::Kind::DeleteClaims, u"delete-claims"},
    {Step::Kind::WaitPodsReady, u"wait-pods-ready"}, {Step::Kind::WaitDnodesReady, u"wait-dnodes-ready"},
    {Step::Kind::BalanceVgroup, u"balance-vgroup"},  {Step::Kind::Verify, u"verify"},
};

constexpr std::pair<Finding::Severity, const char16_t *> kSeverityNames[] = {
    {Finding::Severity::Blocking, u"blocking"},
    {Finding::Severity::Warning, u"warning"},
    {Finding::Severity::Info, u"info"},
};

constexpr std::pair<OperationKind, const char16_t *> kOperationNames[] = {
    {OperationKind::ScaleOut, u"scale-out"},
    {OperationKind::ScaleIn, u"scale-in"},
    {OperationKind::Repair, u"repair"},
};

template<typename Enum, std::size_t N>
QString nameOf(const std::pair<Enum, const char16_t *> (&names)[N], Enum value)
{
    for (const auto &[candidate, name] : names) {
        if (candidate == value)
            return QString::fromUtf16(name);
    }
    return {};
}

template<typename Enum, std::size_t N>
Enum valueOf(const std::pair<Enum, const char16_t *> (&names)[N], const QString &name, Enum fallback)
{
    for (const auto &[candidate, text] : names) {
        if (name == QStringView(text))
            return candidate;
    }
    return fallback;
}

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QStringList toStringList(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &item : value.toArray())
        list.append(item.toString());
    return list;
}

QJsonObject findingToJson(const Finding &finding)
{
    return {{u"severity"_s, nameOf(kSeverityNames, finding.severity)},
            {u"code"_s, finding.code},
            {u"reason"_s, finding.reason},
            {u"fix"_s, finding.fix}};
}

Finding findingFromJson(const QJsonObject &json)
{
    Finding finding;
    finding.severity =
        valueOf(kSeverityNames, json.value(u"severity").toString(), Finding::Severity::Blocking);
    finding.code = json.value(u"code").toString();
    finding.reason = json.value(u"reason").toString();
    finding.fix = json.value(u"fix").toString();
    return finding;
}

} // namespace

QString operationName(OperationKind kind)
{
    return nameOf(kOperationNames, kind);
}

QString stepKindName(Step::Kind kind)
{
    return nameOf(kStepNames, kind);
}

QJsonObject Step::toJson() const
{
    return {{u"kind"_s, stepKindName(kind)}, {u"title"_s, title},
            {u"detail"_s, detail},           {u"dnodeId"_s, dnodeId},
            {u"replicas"_s, replicas},       {u"force"_s, force},
            {u"unsafe"_s, unsafe},           {u"pods"_s, toArray(pods)},
            {u"claims"_s, toArray(claims)},  {u"endpoints"_s, toArray(endpoints)}};
}

Step Step::fromJson(const QJsonObject &json)
{
    Step step;
    step.kind = valueOf(kStepNames, json.value(u"kind").toString(), Step::Kind::Verify);
    step.title = json.value(u"title").toString();
    step.detail = json.value(u"detail").toString();
    step.dnodeId = json.value(u"dnodeId").toInt();
    step.replicas = json.value(u"replicas").toInt();
    step.force = json.value(u"force").toBool();
    step.unsafe = json.value(u"unsafe").toBool();
    step.pods = toStringList(json.value(u"pods"));
    step.claims = toStringList(json.value(u"claims"));
    step.endpoints = toStringList(json.value(u"endpoints"));
    return step;
}

bool Plan::blocked() const
{
    return std::any_of(findings.cbegin(), findings.cend(),
                       [](const Finding &f) { return f.severity == Finding::Severity::Blocking; });
}

QString Plan::summary() const
{
    const QString steps = this->steps.size() == 1 ? u"1 step"_s : u"%1 steps"_s.arg(this->steps.size());
    switch (kind) {
    case OperationKind::ScaleOut:
        return u"Scale %1 out from %2 to %3 dnodes (%4)"_s.arg(statefulSet)
            .arg(fromReplicas)
            .arg(toReplicas)
            .arg(steps);
    case OperationKind::ScaleIn:
        return u"Scale %1 in from %2 to %3 dnodes (%4)"_s.arg(statefulSet)
            .arg(fromReplicas)
            .arg(toReplicas)
            .arg(steps);
    case OperationKind::Repair:
        break;
    }
    return u"Repair %1 (%2)"_s.arg(statefulSet, steps);
}

QJsonObject Plan::toJson() const
{
    QJsonArray findingArray;
    for (const Finding &finding : findings)
        findingArray.append(findingToJson(finding));
    QJsonArray stepArray;
    for (const Step &step : steps)
        stepArray.append(step.toJson());
    return {{u"kind"_s, operationName(kind)},
            {u"context"_s, context},
            {u"namespace"_s, ns},
            {u"statefulSet"_s, statefulSet},
            {u"fromReplicas"_s, fromReplicas},
            {u"toReplicas"_s, toReplicas},
            {u"findings"_s, findingArray},
            {u"steps"_s, stepArray}};
}

Plan Plan::fromJson(const QJsonObject &json)
{
    Plan plan;
    plan.kind = valueOf(kOperationNames, json.value(u"kind").toString(), OperationKind::ScaleIn);
    plan.context = json.value(u"context").toString();
    plan.ns = json.value(u"namespace").toString();
    plan.statefulSet = json.value(u"statefulSet").toString();
    plan.fromReplicas = json.value(u"fromReplicas").toInt();
    plan.toReplicas = json.value(u"toReplicas").toInt();
    for (const QJsonValue &finding : json.value(u"findings").toArray())
        plan.findings.append(findingFromJson(finding.toObject()));
    for (const QJsonValue &step : json.value(u"steps").toArray())
        plan.steps.append(Step::fromJson(step.toObject()));
    return plan;
}

} // namespace tdkube::ops
