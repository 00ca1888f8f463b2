#pragma once

#include "ops/plan.h"

#include <QJsonObject>
#include <QList>
#include <QMap>

namespace tdkube::deploy {
struct DeletionPlan;
}

namespace tdkube::ops {

// Plans for resizing and repairing a TDengine StatefulSet, built purely from ClusterFacts: no I/O,
// so every refusal is a unit test. A plan with a Blocking finding still lists what was found (all
// of it, not only the first problem) but has no steps unless the problem is one the user may accept
// (Plan::confirmation).
//
// Endpoints: the dnode of ordinal N is the one whose endpoint's host is
// "<sts>-N.<spec.serviceName>.<namespace>.svc.cluster.local" (TAOS_FQDN in the pod template); the
// port is not compared.

struct ScaleOutOptions
{
    bool deleteStaleClaims = false; // delete the new ordinals' claims left by an earlier scale-in
    bool balanceVgroups = false;    // `balance vgroup` once the new dnodes are ready
    bool topUpMnodes = true;        // create mnodes until there are 3
};

// Removes the highest ordinals down to `target`: mnodes are moved off the leaving dnodes, each
// leaving dnode is dropped (its vnodes move), then the StatefulSet shrinks, its pods go, and their
// claims are deleted.
Plan planScaleIn(const ClusterFacts &facts, int target);
// Adds ordinals up to `target`: pods, then dnodes ready, then mnodes up to 3, optionally a balance.
Plan planScaleOut(const ClusterFacts &facts, int target, const ScaleOutOptions &options = {});
// Offline dnodes with no pod behind them (`drop dnode N force`), dnodes stuck dropping and offline
// dnodes whose pod is there (explained, nothing dropped).
Plan planRepair(const ClusterFacts &facts);

// A new cluster: what a deploy applies (the deploy wizard's objects, or manifest files), and what the
// namespace holds already.
struct DeployFacts
{
    QString context;
    QString ns;                 // where it goes (objects without metadata.namespace too)
    QList<QJsonObject> objects; // applied in this order
    QJsonObject existing;       // the live StatefulSet of that name; empty when there is none
    QList<QJsonObject> claims;  // PVCs of the namespace
    bool haMnodes = true;       // with 3 or more replicas: mnodes on the dnodes of pods -1 and -2 too
};

// Applies the objects, then waits for the pods Ready and the dnodes ready, creates the mnodes of pods -1
// and -2 (found by endpoint), and verifies the cluster. Refused (with reason and fix): no StatefulSet or
// several, a Secret among the objects (the plan is kept in the journal and in the cluster), an object for
// another namespace, a StatefulSet of that name that exists already. Claims left by an earlier cluster of
// that name are a warning: the pods start on their data.
Plan planDeploy(const DeployFacts &facts);
// The deletion of a cluster as `deletion` (deploy::gatherDeletionPlan) has it: the StatefulSet, then its
// pods waited for, then its Services and ConfigMaps, then its claims when the deletion includes them,
// then a look that nothing is left. Its warnings are the plan's. Refused when it has no StatefulSet.
Plan planDelete(const QString &context, const deploy::DeletionPlan &deletion);
// A change of taos.cfg entries: `settings` maps a taos.cfg name (supportVnodes) or its variable
// (TAOS_SUPPORT_VNODES) to the new value. The values go into the ConfigMap the pods take through envFrom;
// the entries TDengine changes at run time (log flags, monitor) are applied with `alter all dnodes`; the
// others restart every pod, one at a time from the highest ordinal, through rollingUpdate.partition, each
// waited for until its dnode is back and the cluster whole. Refused (with reason and fix): settings that
// must match on every dnode (timezone, locale, charset, statusInterval), per-pod and path settings, a
// variable the container's env overrides, an unhealthy cluster, a rollout under way.
Plan planConfigure(const ClusterFacts &facts, const QMap<QString, QString> &settings);
// A new image for the TDengine container (`image`, e.g. tdengine/tdengine:3.3.6.6): its tag's version
// against the one the cluster runs (server_version()), then every pod restarted onto it one at a time from
// the highest ordinal through rollingUpdate.partition, each waited for until its dnode runs the new version
// and the cluster is whole. Refused (with reason and fix): no version in the tag, a downgrade, a change of
// the first three version numbers (TDengine cannot run a mix of those), an unhealthy cluster, a rollout
// under way.
Plan planUpgrade(const ClusterFacts &facts, const QString &image);
// The ConfigMap the StatefulSet's pods take their TAOS_* variables from (the first envFrom configMapRef of
// its containers); empty when there is none.
QString taosConfigMapOf(const QJsonObject &statefulSet);
// The TDengine container of the StatefulSet's pod template, the one a configuration change or an upgrade
// changes: the one that takes a ConfigMap through envFrom, else the first; empty when there is none.
QJsonObject taosContainerOf(const QJsonObject &statefulSet);
// "supportVnodes" -> "TAOS_SUPPORT_VNODES"; a TAOS_* name is returned as it is.
QString taosVariable(const QString &key);
// "TAOS_SUPPORT_VNODES" -> "supportVnodes", as the image's env-to-cfg turns variables into taos.cfg.
QString taosConfigName(const QString &variable);

// The dnode id of each ordinal 0..replicas-1 (-1 when none), and of any higher ordinal that still
// has a dnode (a scale-in done without `drop dnode`).
QMap<int, int> dnodeByOrdinal(const ClusterFacts &facts);
// "<sts>-N.<svc>.<ns>.svc.cluster.local", the host part of ordinal N's dnode endpoint.
QString endpointHostOf(const ClusterFacts &facts, int ordinal);

} // namespace tdkube::ops
