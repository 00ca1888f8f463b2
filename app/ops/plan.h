#pragma once

#include "taos/clusterstate.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace tdkube::ops {

// Deploy, scale-out, safe scale-in, repair, configuration changes and upgrades as data: what was found before
// anything changes (findings) and what will be done, in order (steps). Plans are built purely from
// ClusterFacts (planner.h), so every refusal is unit-tested without a cluster; the executor (executor.h) runs
// the steps, writing each to a journal before and after, and resumes after a crash by re-checking the
// cluster.

enum class OperationKind { ScaleOut, ScaleIn, Repair, Configure, Upgrade, Deploy, Delete };

// "scale-out", "scale-in", "repair", "configure", "upgrade", "deploy", "delete"
QString operationName(OperationKind kind);

struct Finding
{
    enum class Severity { Blocking, Warning, Info };
    Severity severity = Severity::Blocking;
    // Stable identifier, for tests and for the UI to pick an icon: "below-replica", "offline-dnode",
    // "transaction-running", "too-few-vnode-slots", "mnode-cannot-move", "stale-claim",
    // "unknown-storage-class", "dnode-without-pod", "dnode-dropping", "replica1-data-lost", ...
    QString code;
    QString reason; // what was found and why it matters, in plain words
    QString fix;    // what to do about it

    bool operator==(const Finding &other) const = default;
};

QString severityName(Finding::Severity severity); // "blocking", "warning", "info"

struct Step
{
    enum class Kind {
        CreateMnode,      // on `dnodeId` (0: the dnode of `endpoints[0]`); waits until a ready follower
        DropMnode,        // on `dnodeId`; waits until it is gone
        DropDnode,        // `dnodeId` (`force`, or `unsafe` sent instead); waits until gone from ins_dnodes
        ScaleStatefulSet, // spec.replicas = `replicas`
        WaitPodsGone,     // `pods` are deleted (terminated) after a scale-in
        DeleteClaims,     // `claims`; only once each one's dnode was dropped and its pod is gone
        WaitPodsReady,    // `replicas` pods Ready
        WaitDnodesReady,  // `replicas` dnodes ready, `endpoints` among them
        BalanceVgroup,    // `balance vgroup`
        Verify,           // dnodes and mnodes healthy, `rowCounts` unchanged
        UpdateConfigMap,  // ConfigMap `name`'s data merged with `settings` (TAOS_* variables)
        AlterDnodes,      // `alter all dnodes 'KEY' 'VALUE'` for each of `settings` (taos.cfg names)
        HoldRollout,      // rollingUpdate.partition = `replicas` (no pod rolls yet), then the pod
                          // template's annotations merged with `settings` and, when `image` is set,
                          // container `name`'s image: the StatefulSet's new revision
        RollPod,          // partition = `replicas` (an ordinal): pod `pods[0]` restarts on the new
                          // revision; waits for it Ready, its dnode (`dnodeId`) ready (with `version`
                          // when set), every vgroup leader/follower and the mnodes' quorum
        ApplyObjects,     // `objects` applied in order (server-side apply, field manager tdkube); the
                          // StatefulSet among them carries the operation's lease from its creation
        DeleteObjects,    // `objects` (kind and metadata.name) deleted in order, each waited for until
                          // the API server no longer has it; a StatefulSet's pods are left to its
                          // garbage collection (a WaitPodsGone follows), and its lease goes with it
    };

    Kind kind = Kind::Verify;
    QString title;  // one line for the progress view: "drop dnode 5 (pod tdengine-4)"
    QString detail; // why, and what it waits for
    int dnodeId = 0;
    int replicas = 0;
    bool force = false;
    bool unsafe = false;
    QStringList pods;
    QStringList claims;
    QStringList endpoints;
    QString name;                    // the object a step changes (UpdateConfigMap: the ConfigMap;
                                     // HoldRollout: the container whose image changes)
    QMap<QString, QString> settings; // what it sets (see Kind)
    QString image;                   // HoldRollout: the container's new image
    QString version;                 // RollPod, Verify: the TDengine version every dnode must run after
    QList<QJsonObject> objects;      // ApplyObjects: what it applies (never a Secret: plans hold no secret);
                                     // DeleteObjects: what it deletes (kind and metadata.name only)

    QJsonObject toJson() const;
    static Step fromJson(const QJsonObject &json);
    bool operator==(const Step &other) const = default;
};

QString stepKindName(Step::Kind kind); // "create-mnode", "drop-dnode", ...

struct Plan
{
    OperationKind kind = OperationKind::ScaleIn;
    QString context;
    QString ns;
    QString statefulSet;
    int fromReplicas = 0;
    int toReplicas = 0;
    QList<Finding> findings;
    QList<Step> steps;
    // Non-empty when the plan may destroy data (`drop dnode N unsafe` on the only vnode of a
    // replica-1 vgroup): the text the user must type, the StatefulSet's name. Until confirm() got it,
    // a Blocking "replica1-data-lost" finding keeps the plan blocked.
    QString confirmation;
    // Databases whose data the plan gives up (replica-1 vgroups on a dnode dropped `unsafe`): they
    // cannot be read before and have fewer rows after, so the executor neither counts nor compares
    // their rows (it says so in the log) instead of waiting on a vgroup nobody can answer for.
    QStringList lostDatabases;

    bool blocked() const; // any Blocking finding: nothing may run
    // With the typed text equal to `confirmation`, the findings that the confirmation covers
    // ("replica1-data-lost") become Warnings, so that the plan may run; false (nothing changes) otherwise.
    bool confirm(const QString &typed);
    QString summary() const; // "Scale tdengine in from 5 to 3 dnodes (8 steps)"
    QJsonObject toJson() const;
    static Plan fromJson(const QJsonObject &json);
    bool operator==(const Plan &other) const = default;
};

// Everything a plan is built from: the StatefulSet and what Kubernetes holds for it, and what
// TDengine says about itself (a snapshot taken through taosAdapter).
struct ClusterFacts
{
    QJsonObject statefulSet;
    QList<QJsonObject> pods;           // the StatefulSet's pods
    QList<QJsonObject> claims;         // PVCs of the namespace
    QList<QJsonObject> volumes;        // PVs
    QList<QJsonObject> storageClasses; // StorageClasses
    QList<QJsonObject> configMaps;     // ConfigMaps of the namespace
    QString configMapsError; // why they could not be listed (only a configuration change needs them)
    taos::ClusterSnapshot snapshot;
};

} // namespace tdkube::ops
