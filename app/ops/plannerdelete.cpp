// The plan of a cluster's deletion (planDelete): ClusterDeleter's order as a recorded operation like any
// other (journal, record in the cluster, lease while the StatefulSet is there, resume).
#include "deploy/clusterdeletion.h"
#include "ops/planner.h"
#include "ops/planner_p.h"
#include "ops/plannerchecks.h"

#include <QCoreApplication>

#include <algorithm>

namespace tdkube::ops {

namespace {

using namespace Qt::StringLiterals;
using namespace detail;

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Planner)
};

// What a DeleteObjects step keeps of an object: its kind and name, nothing of its content.
QJsonObject stub(const deploy::DeletionItem &item)
{
    return {{u"kind"_s, item.kind}, {u"metadata"_s, QJsonObject{{u"name"_s, item.name}}}};
}

// "Service tdengine: ...\nConfigMap tdengine-taoscfg: ..."
QString consequences(const QList<deploy::DeletionItem> &items)
{
    QStringList lines;
    for (const deploy::DeletionItem &item : items)
        lines.append(item.kind + u' ' + item.name + u": "_s + item.consequence);
    return lines.join(u'\n');
}

} // namespace

Plan planDelete(const QString &context, const deploy::DeletionPlan &deletion)
{
    Plan plan;
    plan.kind = OperationKind::Delete;
    plan.context = context;
    plan.ns = deletion.ns;
    plan.statefulSet = deletion.statefulSet;
    plan.fromReplicas = int(deletion.pods.size());
    plan.toReplicas = 0;
    for (const QString &warning : deletion.warnings)
        warn(&plan, u"deletion"_s, warning, {});
    QList<deploy::DeletionItem> statefulSet;
    QList<deploy::DeletionItem> others;
    for (const deploy::DeletionItem &item : deletion.objects)
        (item.kind == u"StatefulSet" ? statefulSet : others).append(item);
    if (statefulSet.size() != 1) {
        block(&plan, u"no-statefulset"_s,
              Text::tr("StatefulSet %1 was not found in namespace %2: there is no cluster to delete.")
                  .arg(deletion.statefulSet, deletion.ns),
              Text::tr("Refresh the cluster list: it may have been deleted already."));
        return plan;
    }
    Step set =
        makeStep(Step::Kind::DeleteObjects, Text::tr("delete StatefulSet %1").arg(deletion.statefulSet),
                 consequences(statefulSet));
    set.objects = {stub(statefulSet.first())};
    plan.steps.append(set);
    if (!deletion.pods.isEmpty()) {
        Step gone = makeStep(Step::Kind::WaitPodsGone,
                             Text::tr("wait for pods %1 to go").arg(deletion.pods.join(u", "_s)),
                             Text::tr("Kubernetes deletes the StatefulSet's pods after it. Nothing else goes "
                                      "before they are gone."));
        gone.pods = deletion.pods;
        plan.steps.append(gone);
    }
    if (!others.isEmpty()) {
        const auto count = [&others](const QString &kind) {
            return int(
                std::count_if(others.cbegin(), others.cend(),
                              [&kind](const deploy::DeletionItem &item) { return item.kind == kind; }));
        };
        QStringList what;
        if (const int services = count(u"Service"_s))
            what.append(Text::tr("%n Service(s)", nullptr, services));
        if (const int configMaps = count(u"ConfigMap"_s))
            what.append(Text::tr("%n ConfigMap(s)", nullptr, configMaps));
        //: %1: "2 Services and 1 ConfigMap", joined by the translation of " and "
        Step rest = makeStep(Step::Kind::DeleteObjects,
                             Text::tr("delete %1").arg(what.join(Text::tr(" and "))), consequences(others));
        for (const deploy::DeletionItem &item : others)
            rest.objects.append(stub(item));
        plan.steps.append(rest);
    }
    if (deletion.deleteClaims && !deletion.claims.isEmpty()) {
        QStringList claims;
        for (const deploy::DeletionItem &item : deletion.claims)
            claims.append(item.name);
        Step remove =
            makeStep(Step::Kind::DeleteClaims, Text::tr("delete claims %1").arg(claims.join(u", "_s)),
                     consequences(deletion.claims));
        remove.claims = claims;
        plan.steps.append(remove);
    }
    plan.steps.append(
        makeStep(Step::Kind::Verify, Text::tr("verify that nothing of the cluster is left"),
                 deletion.deleteClaims || deletion.claims.isEmpty()
                     ? Text::tr("The StatefulSet, its pods, Services, ConfigMaps and claims are gone.")
                     : Text::tr("The StatefulSet, its pods, Services and ConfigMaps are gone; its "
                                "claims stay, with the data.")));
    return plan;
}

} // namespace tdkube::ops
