// The plan of an upgrade (planUpgrade): a new image for the TDengine container, checked against the
// version the cluster runs (no downgrade, no jump TDengine cannot make one dnode at a time), then the
// pods restarted one at a time onto it, each waited for until its dnode runs the new version and the
// cluster is whole again.
#include "kube/objects.h"
#include "ops/planner.h"
#include "ops/planner_p.h"
#include "ops/plannerchecks.h"
#include "taos/versions.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace tdkube::ops {

namespace {

using namespace Qt::StringLiterals;
using namespace detail;

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Planner)
};

// The version the cluster runs: what TDengine answers (server_version()), else what the image's tag says.
QString runningVersion(const ClusterFacts &facts, const QString &image)
{
    const QList<int> numbers = taos::versionNumbers(facts.snapshot.serverVersion);
    if (!numbers.isEmpty()) {
        QStringList parts;
        for (int number : numbers)
            parts.append(QString::number(number));
        return parts.join(u'.');
    }
    return taos::imageVersion(image);
}

// Checks the versions; false when the plan cannot go on (the findings say why).
bool checkVersions(const Cluster &cluster, const QString &current, const QString &target, Plan *plan)
{
    const QString from = runningVersion(cluster.facts(), current);
    const QString to = taos::imageVersion(target);
    if (to.isEmpty()) {
        block(plan, u"version-unknown"_s,
              Text::tr("The tag of %1 names no TDengine version, so tdkube cannot tell an upgrade from a "
                       "downgrade, or from a jump TDengine cannot make one dnode at a time.")
                  .arg(target),
              Text::tr("Give the image by its version tag, e.g. %1; an image by digest or \"latest\" cannot "
                       "be checked.")
                  .arg(u"tdengine/tdengine:3.3.6.6"_s));
        return false;
    }
    if (from.isEmpty()) {
        block(plan, u"cluster-version-unknown"_s,
              Text::tr("tdkube could not learn which TDengine version the cluster runs: `select "
                       "server_version()` did not answer and the image %1 names no version.")
                  .arg(current),
              Text::tr("Check that tdkube reaches taosAdapter (the cluster page's TDengine tab), then plan "
                       "again."));
        return false;
    }
    const QString imageSays = taos::imageVersion(current);
    if (!imageSays.isEmpty() && taos::compareVersions(imageSays, from) != 0) {
        warn(plan, u"image-version-differs"_s,
             Text::tr("The pods' image %1 names version %2, but TDengine answers %3: tdkube goes by what "
                      "TDengine answers.")
                 .arg(current, imageSays, from),
             {});
        plan->findings.last().severity = Finding::Severity::Info;
    }
    const int order = taos::compareVersions(to, from);
    if (order < 0) {
        block(plan, u"downgrade"_s,
              Text::tr("%1 is older than TDengine %2, which the cluster runs: a dnode does not read what a "
                       "newer version wrote to its data directory, so a downgraded dnode may not start, or "
                       "start without its data.")
                  .arg(to, from),
              Text::tr("Stay on %1. To go back to %2, restore a backup made on %2 into a new cluster.")
                  .arg(from, to));
        return false;
    }
    QString why;
    if (!taos::isRollingUpgrade(from, to, &why)) {
        block(plan, u"not-rollable"_s, why,
              Text::tr("Upgrade %1 in a maintenance window with every pod stopped at once: `kubectl scale "
                       "statefulset %1 --replicas=0`, change the image, scale back to %2 (each dnode "
                       "converts its files at its first start on %3). Back up first.")
                  .arg(cluster.name())
                  .arg(cluster.replicas())
                  .arg(to));
        return false;
    }
    warn(plan, order == 0 ? u"same-version"_s : u"upgrade"_s,
         order == 0 ? Text::tr("%1 runs the same TDengine version, %2 (another build or registry): the pods "
                               "restart onto it one at a time.")
                          .arg(target, to)
                    : Text::tr("TDengine %1 → %2: the pods restart onto %3 one at a time, highest ordinal "
                               "first, each dnode checked to run %2 before the next pod goes.")
                          .arg(from, to, target),
         {});
    plan->findings.last().severity = Finding::Severity::Info;
    return true;
}

} // namespace

Plan planUpgrade(const ClusterFacts &facts, const QString &image)
{
    const Cluster cluster(facts);
    Plan plan;
    plan.kind = OperationKind::Upgrade;
    plan.ns = cluster.ns();
    plan.statefulSet = cluster.name();
    plan.fromReplicas = cluster.replicas();
    plan.toReplicas = cluster.replicas();

    const QJsonObject container = taosContainerOf(facts.statefulSet);
    const QString containerName = container.value(u"name").toString();
    const QString current = container.value(u"image").toString();
    const QString target = image.trimmed();
    static const QRegularExpression kReference(u"^[a-z0-9][a-z0-9._/:@-]*$"_s,
                                               QRegularExpression::CaseInsensitiveOption);
    if (target.isEmpty()) {
        block(&plan, u"no-image"_s, Text::tr("No image was given."),
              Text::tr("Give the new image with its version tag, e.g. %1.")
                  .arg(u"tdengine/tdengine:3.3.6.6"_s));
        return plan;
    }
    if (!kReference.match(target).hasMatch()) {
        block(&plan, u"bad-image"_s, Text::tr("\"%1\" is not an image reference.").arg(target),
              Text::tr("Write it as REPOSITORY:TAG, e.g. %1.").arg(u"tdengine/tdengine:3.3.6.6"_s));
        return plan;
    }
    if (target == current) {
        warn(&plan, u"unchanged"_s, Text::tr("The pods of %1 run %2 already.").arg(cluster.name(), target),
             {});
        plan.findings.last().severity = Finding::Severity::Info;
        return plan;
    }
    const bool versionsOk = checkVersions(cluster, current, target, &plan);
    checkHealth(cluster, &plan);
    checkTransactions(cluster, &plan);
    checkWhole(cluster, &plan);
    checkRollout(cluster, &plan);
    warnReplica1Restart(cluster, &plan);
    if (!versionsOk || plan.blocked())
        return plan;

    const QString version = taos::imageVersion(target);
    Step hold = makeStep(
        Step::Kind::HoldRollout,
        Text::tr("give StatefulSet %1 the image %2, restarting no pod yet").arg(cluster.name(), target),
        Text::tr("rollingUpdate.partition %1 holds every pod on the old template while the "
                 "StatefulSet makes the new revision.")
            .arg(cluster.replicas()));
    hold.replicas = cluster.replicas();
    hold.name = containerName;
    hold.image = target;
    plan.steps.append(hold);
    for (int ordinal = cluster.replicas() - 1; ordinal >= 0; --ordinal)
        plan.steps.append(rollStep(cluster, ordinal,
                                   Text::tr("upgrade pod %1 (dnode %2) to %3")
                                       .arg(cluster.pod(ordinal))
                                       .arg(cluster.dnodeOf(ordinal))
                                       .arg(version),
                                   version));
    Step verify =
        makeStep(Step::Kind::Verify, Text::tr("verify the cluster"),
                 Text::tr("%n dnode(s) ready, the cluster answering with TDengine %1, mnodes healthy, "
                          "and no table with fewer rows than before.",
                          nullptr, cluster.replicas())
                     .arg(version));
    verify.replicas = cluster.replicas();
    verify.version = version;
    plan.steps.append(verify);
    return plan;
}

} // namespace tdkube::ops
