#include "ops/plan.h"

#include <QCoreApplication>
#include <QJsonArray>

#include <algorithm>
#include <array>
#include <utility>

namespace tdkube::ops {

namespace {

using namespace Qt::StringLiterals;

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Plan)
};

// The journal stores names, not numbers, so that a reordered enum never misreads an old journal.
constexpr std::array kStepKinds{
    std::pair{Step::Kind::CreateMnode, u"create-mnode"},
    std::pair{Step::Kind::DropMnode, u"drop-mnode"},
    std::pair{Step::Kind::DropDnode, u"drop-dnode"},
    std::pair{Step::Kind::ScaleStatefulSet, u"scale-statefulset"},
    std::pair{Step::Kind::WaitPodsGone, u"wait-pods-gone"},
    std::pair{Step::Kind::DeleteClaims, u"delete-claims"},
    std::pair{Step::Kind::WaitPodsReady, u"wait-pods-ready"},
    std::pair{Step::Kind::WaitDnodesReady, u"wait-dnodes-ready"},
    std::pair{Step::Kind::BalanceVgroup, u"balance-vgroup"},
    std::pair{Step::Kind::Verify, u"verify"},
    std::pair{Step::Kind::UpdateConfigMap, u"update-configmap"},
    std::pair{Step::Kind::AlterDnodes, u"alter-dnodes"},
    std::pair{Step::Kind::HoldRollout, u"hold-rollout"},
    std::pair{Step::Kind::RollPod, u"roll-pod"},
    std::pair{Step::Kind::ApplyObjects, u"apply-objects"},
    std::pair{Step::Kind::DeleteObjects, u"delete-objects"},
};

constexpr std::array kOperations{
    std::pair{OperationKind::ScaleOut, u"scale-out"}, std::pair{OperationKind::ScaleIn, u"scale-in"},
    std::pair{OperationKind::Repair, u"repair"},      std::pair{OperationKind::Configure, u"configure"},
    std::pair{OperationKind::Upgrade, u"upgrade"},    std::pair{OperationKind::Deploy, u"deploy"},
    std::pair{OperationKind::Delete, u"delete"},
};

constexpr std::array kSeverities{
    std::pair{Finding::Severity::Blocking, u"blocking"},
    std::pair{Finding::Severity::Warning, u"warning"},
    std::pair{Finding::Severity::Info, u"info"},
};

template<typename Enum, std::size_t N>
QString nameIn(const std::array<std::pair<Enum, const char16_t *>, N> &table, Enum value)
{
    for (const auto &[entry, name] : table) {
        if (entry == value)
            return QString::fromUtf16(name);
    }
    return {};
}

template<typename Enum, std::size_t N>
Enum valueIn(const std::array<std::pair<Enum, const char16_t *>, N> &table, const QString &name,
             Enum fallback)
{
    for (const auto &[entry, entryName] : table) {
        if (name == QStringView(entryName))
            return entry;
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
    return {{u"severity"_s, severityName(finding.severity)},
            {u"code"_s, finding.code},
            {u"reason"_s, finding.reason},
            {u"fix"_s, finding.fix}};
}

Finding findingFromJson(const QJsonObject &json)
{
    return {valueIn(kSeverities, json.value(u"severity").toString(), Finding::Severity::Blocking),
            json.value(u"code").toString(), json.value(u"reason").toString(), json.value(u"fix").toString()};
}

// The findings a typed confirmation accepts: data loss the user was told about.
bool coveredByConfirmation(const Finding &finding)
{
    return finding.severity == Finding::Severity::Blocking && finding.code == u"replica1-data-lost";
}

QJsonObject settingsToJson(const QMap<QString, QString> &settings)
{
    QJsonObject json;
    for (auto it = settings.cbegin(); it != settings.cend(); ++it)
        json.insert(it.key(), it.value());
    return json;
}

QJsonArray objectsToJson(const QList<QJsonObject> &objects)
{
    QJsonArray array;
    for (const QJsonObject &object : objects)
        array.append(object);
    return array;
}

} // namespace

QString operationName(OperationKind kind)
{
    return nameIn(kOperations, kind);
}

QString severityName(Finding::Severity severity)
{
    return nameIn(kSeverities, severity);
}

QString stepKindName(Step::Kind kind)
{
    return nameIn(kStepKinds, kind);
}

QJsonObject Step::toJson() const
{
    return {{u"kind"_s, stepKindName(kind)},
            {u"title"_s, title},
            {u"detail"_s, detail},
            {u"dnodeId"_s, dnodeId},
            {u"replicas"_s, replicas},
            {u"force"_s, force},
            {u"unsafe"_s, unsafe},
            {u"pods"_s, toArray(pods)},
            {u"claims"_s, toArray(claims)},
            {u"endpoints"_s, toArray(endpoints)},
            {u"name"_s, name},
            {u"settings"_s, settingsToJson(settings)},
            {u"image"_s, image},
            {u"version"_s, version},
            {u"objects"_s, objectsToJson(objects)}};
}

Step Step::fromJson(const QJsonObject &json)
{
    Step step;
    step.kind = valueIn(kStepKinds, json.value(u"kind").toString(), Step::Kind::Verify);
    step.title = json.value(u"title").toString();
    step.detail = json.value(u"detail").toString();
    step.dnodeId = json.value(u"dnodeId").toInt();
    step.replicas = json.value(u"replicas").toInt();
    step.force = json.value(u"force").toBool();
    step.unsafe = json.value(u"unsafe").toBool();
    step.pods = toStringList(json.value(u"pods"));
    step.claims = toStringList(json.value(u"claims"));
    step.endpoints = toStringList(json.value(u"endpoints"));
    step.name = json.value(u"name").toString();
    const QJsonObject settings = json.value(u"settings").toObject();
    for (auto it = settings.constBegin(); it != settings.constEnd(); ++it)
        step.settings.insert(it.key(), it.value().toString());
    step.image = json.value(u"image").toString();
    step.version = json.value(u"version").toString();
    for (const QJsonValue &object : json.value(u"objects").toArray())
        step.objects.append(object.toObject());
    return step;
}

bool Plan::blocked() const
{
    return std::any_of(findings.begin(), findings.end(), [](const Finding &finding) {
        return finding.severity == Finding::Severity::Blocking;
    });
}

bool Plan::confirm(const QString &typed)
{
    if (confirmation.isEmpty() || typed != confirmation)
        return false;
    for (Finding &finding : findings) {
        if (coveredByConfirmation(finding))
            finding.severity = Finding::Severity::Warning;
    }
    return true;
}

QString Plan::summary() const
{
    const int count = int(steps.size());
    const bool isBlocked = blocked();
    switch (kind) {
    case OperationKind::ScaleOut:
        return (isBlocked
                    ? Text::tr("Scale %1 out from %2 to %3 dnodes (%n step(s)): blocked", nullptr, count)
                    : Text::tr("Scale %1 out from %2 to %3 dnodes (%n step(s))", nullptr, count))
            .arg(statefulSet)
            .arg(fromReplicas)
            .arg(toReplicas);
    case OperationKind::ScaleIn:
        return (isBlocked ? Text::tr("Scale %1 in from %2 to %3 dnodes (%n step(s)): blocked", nullptr, count)
                          : Text::tr("Scale %1 in from %2 to %3 dnodes (%n step(s))", nullptr, count))
            .arg(statefulSet)
            .arg(fromReplicas)
            .arg(toReplicas);
    case OperationKind::Repair:
        return (isBlocked ? Text::tr("Repair %1 (%n step(s)): blocked", nullptr, count)
                          : Text::tr("Repair %1 (%n step(s))", nullptr, count))
            .arg(statefulSet);
    case OperationKind::Configure:
        return (isBlocked ? Text::tr("Change the configuration of %1 (%n step(s)): blocked", nullptr, count)
                          : Text::tr("Change the configuration of %1 (%n step(s))", nullptr, count))
            .arg(statefulSet);
    case OperationKind::Upgrade:
        return (isBlocked ? Text::tr("Upgrade %1 (%n step(s)): blocked", nullptr, count)
                          : Text::tr("Upgrade %1 (%n step(s))", nullptr, count))
            .arg(statefulSet);
    case OperationKind::Deploy:
        return (isBlocked ? Text::tr("Deploy %1 with %2 dnodes (%n step(s)): blocked", nullptr, count)
                          : Text::tr("Deploy %1 with %2 dnodes (%n step(s))", nullptr, count))
            .arg(statefulSet)
            .arg(toReplicas);
    case OperationKind::Delete:
        return (isBlocked ? Text::tr("Delete cluster %1 (%n step(s)): blocked", nullptr, count)
                          : Text::tr("Delete cluster %1 (%n step(s))", nullptr, count))
            .arg(statefulSet);
    }
    return {};
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
            {u"steps"_s, stepArray},
            {u"confirmation"_s, confirmation},
            {u"lostDatabases"_s, toArray(lostDatabases)}};
}

Plan Plan::fromJson(const QJsonObject &json)
{
    Plan plan;
    plan.kind = valueIn(kOperations, json.value(u"kind").toString(), OperationKind::ScaleIn);
    plan.context = json.value(u"context").toString();
    plan.ns = json.value(u"namespace").toString();
    plan.statefulSet = json.value(u"statefulSet").toString();
    plan.fromReplicas = json.value(u"fromReplicas").toInt();
    plan.toReplicas = json.value(u"toReplicas").toInt();
    for (const QJsonValue &finding : json.value(u"findings").toArray())
        plan.findings.append(findingFromJson(finding.toObject()));
    for (const QJsonValue &step : json.value(u"steps").toArray())
        plan.steps.append(Step::fromJson(step.toObject()));
    plan.confirmation = json.value(u"confirmation").toString();
    plan.lostDatabases = toStringList(json.value(u"lostDatabases"));
    return plan;
}

} // namespace tdkube::ops
