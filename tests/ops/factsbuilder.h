// ClusterFacts built in code, as the API server and TDengine would report a healthy cluster: the
// StatefulSet "tdengine" (service "taosd", namespace "db", one claim template "taosdata", storage
// class "standard"), its Ready pods, claims bound to PVs, and one ready dnode per pod. Tests then
// break what they need.
#pragma once

#include "ops/plan.h"

#include <QJsonArray>

namespace tdkube::ops::test {

using namespace Qt::StringLiterals;

inline QString podName(int ordinal)
{
    return u"tdengine-"_s + QString::number(ordinal);
}

inline QString endpointOf(int ordinal)
{
    return u"tdengine-%1.taosd.db.svc.cluster.local:6030"_s.arg(ordinal);
}

inline QString claimName(int ordinal)
{
    return u"taosdata-"_s + podName(ordinal);
}

inline QJsonObject pod(int ordinal, bool ready = true)
{
    const QJsonObject condition{{u"type"_s, u"Ready"_s}, {u"status"_s, ready ? u"True"_s : u"False"_s}};
    return {{u"metadata"_s, QJsonObject{{u"name"_s, podName(ordinal)}, {u"namespace"_s, u"db"_s}}},
            {u"status"_s, QJsonObject{{u"phase"_s, ready ? u"Running"_s : u"Pending"_s},
                                      {u"conditions"_s, QJsonArray{condition}}}}};
}

inline QJsonObject claim(int ordinal)
{
    return {{u"metadata"_s, QJsonObject{{u"name"_s, claimName(ordinal)}, {u"namespace"_s, u"db"_s}}},
            {u"spec"_s, QJsonObject{{u"volumeName"_s, QString(u"pv-"_s + QString::number(ordinal))},
                                    {u"storageClassName"_s, u"standard"_s}}}};
}

inline QJsonObject volume(int ordinal, const QString &policy = u"Delete"_s)
{
    return {{u"metadata"_s, QJsonObject{{u"name"_s, QString(u"pv-"_s + QString::number(ordinal))}}},
            {u"spec"_s, QJsonObject{{u"persistentVolumeReclaimPolicy"_s, policy}}}};
}

inline QJsonObject statefulSet(int replicas)
{
    const QJsonObject claimTemplate{{u"metadata"_s, QJsonObject{{u"name"_s, u"taosdata"_s}}},
                                    {u"spec"_s, QJsonObject{{u"storageClassName"_s, u"standard"_s}}}};
    return {{u"metadata"_s, QJsonObject{{u"name"_s, u"tdengine"_s}, {u"namespace"_s, u"db"_s}}},
            {u"spec"_s, QJsonObject{{u"replicas"_s, replicas},
                                    {u"serviceName"_s, u"taosd"_s},
                                    {u"volumeClaimTemplates"_s, QJsonArray{claimTemplate}}}}};
}

// `replicas` pods with claims and volumes; dnode `ids[i]` for ordinal i (ids 1.. by default), more
// dnodes than pods being offline (their pods are gone); mnodes on the first min(3, dnodes) dnodes,
// the first one leader.
inline ClusterFacts cluster(int replicas, QList<int> ids = {})
{
    if (ids.isEmpty()) {
        for (int ordinal = 0; ordinal < replicas; ++ordinal)
            ids.append(ordinal + 1);
    }
    ClusterFacts facts;
    facts.statefulSet = statefulSet(replicas);
    facts.storageClasses = {QJsonObject{{u"metadata"_s, QJsonObject{{u"name"_s, u"standard"_s}}}}};
    for (int ordinal = 0; ordinal < replicas; ++ordinal) {
        facts.pods.append(pod(ordinal));
        facts.claims.append(claim(ordinal));
        facts.volumes.append(volume(ordinal));
    }
    for (qsizetype ordinal = 0; ordinal < ids.size(); ++ordinal) {
        taos::Dnode dnode;
        dnode.id = ids.at(ordinal);
        dnode.endpoint = endpointOf(int(ordinal));
        dnode.supportVnodes = 16;
        dnode.status = ordinal < replicas ? u"ready"_s : u"offline"_s;
        facts.snapshot.dnodes.append(dnode);
    }
    for (qsizetype i = 0; i < std::min<qsizetype>(3, ids.size()); ++i) {
        facts.snapshot.mnodes.append(
            {ids.at(i), endpointOf(int(i)), i == 0 ? u"leader"_s : u"follower"_s, u"ready"_s, {}});
    }
    return facts;
}

inline taos::Dnode *dnodeWithId(ClusterFacts &facts, int id)
{
    for (taos::Dnode &dnode : facts.snapshot.dnodes) {
        if (dnode.id == id)
            return &dnode;
    }
    return nullptr;
}

// A database whose vgroup i has its vnodes on the dnode ids placement[i] (the first one leader);
// the dnodes' vnode counts follow.
inline void addDatabase(ClusterFacts &facts, const QString &name, int replica,
                        const QList<QList<int>> &placement)
{
    facts.snapshot.databases.append({name, replica, int(placement.size()), 10, u"3650d"_s, u"ms"_s});
    int id = 2 + int(facts.snapshot.vgroups.size());
    for (const QList<int> &dnodes : placement) {
        taos::Vgroup vgroup{id++, name, 10, {}};
        for (int dnodeId : dnodes) {
            vgroup.vnodes.append({dnodeId, vgroup.vnodes.isEmpty() ? u"leader"_s : u"follower"_s});
            if (taos::Dnode *dnode = dnodeWithId(facts, dnodeId))
                ++dnode->vnodes;
        }
        facts.snapshot.vgroups.append(vgroup);
    }
}

// Moves the mnodes: one on each of `dnodeIds`, `leader` leading.
inline void setMnodes(ClusterFacts &facts, const QList<int> &dnodeIds, int leader)
{
    facts.snapshot.mnodes.clear();
    for (int id : dnodeIds) {
        const taos::Dnode *dnode = dnodeWithId(facts, id);
        facts.snapshot.mnodes.append({id,
                                      dnode ? dnode->endpoint : QString(),
                                      id == leader ? u"leader"_s : u"follower"_s,
                                      u"ready"_s,
                                      {}});
    }
}

// The codes of the plan's findings of one severity.
inline QStringList codesOf(const Plan &plan, Finding::Severity severity)
{
    QStringList found;
    for (const Finding &finding : plan.findings) {
        if (finding.severity == severity)
            found.append(finding.code);
    }
    return found;
}

// "reason / fix" of the finding with `code`; empty when there is none.
inline QString reasonOf(const Plan &plan, const QString &code)
{
    for (const Finding &finding : plan.findings) {
        if (finding.code == code)
            return finding.reason + u" / "_s + finding.fix;
    }
    return {};
}

// The plan's step kinds by name, in order.
inline QStringList kinds(const Plan &plan)
{
    QStringList names;
    for (const Step &step : plan.steps)
        names.append(stepKindName(step.kind));
    return names;
}

} // namespace tdkube::ops::test
