#pragma once

// The planner's view of ClusterFacts: the StatefulSet's names, pods, claims and volumes, and the
// dnodes, mnodes and vnodes by id. Private to app/ops.

#include "kube/objects.h"
#include "ops/plan.h"

#include <QHash>
#include <QJsonArray>

#include <algorithm>

namespace tdkube::ops::detail {

using namespace Qt::StringLiterals;

inline bool isPodReady(const QJsonObject &pod)
{
    for (const QJsonValue &condition : kube::valueAt(pod, u"status.conditions"_s).toArray()) {
        if (condition.toObject().value(u"type").toString() == u"Ready")
            return condition.toObject().value(u"status").toString() == u"True";
    }
    return false;
}

inline Step makeStep(Step::Kind kind, const QString &title, const QString &detail, int dnodeId = 0)
{
    Step step;
    step.kind = kind;
    step.title = title;
    step.detail = detail;
    step.dnodeId = dnodeId;
    return step;
}

inline QString hostOf(const QString &endpoint)
{
    return endpoint.section(u':', 0, 0);
}

// The facts, indexed the ways the planners ask them.
class Cluster
{
public:
    explicit Cluster(const ClusterFacts &facts)
        : m_facts(facts)
    {
        m_name = kube::nameOf(facts.statefulSet);
        m_ns = kube::namespaceOf(facts.statefulSet);
        m_service = kube::valueAt(facts.statefulSet, u"spec.serviceName"_s).toString();
        m_replicas = kube::valueAt(facts.statefulSet, u"spec.replicas"_s).toInt(1);
        for (const QJsonValue &value :
             kube::valueAt(facts.statefulSet, u"spec.volumeClaimTemplates"_s).toArray())
            m_templates.append(value.toObject());
        for (const QJsonObject &pod : facts.pods)
            m_pods.insert(kube::nameOf(pod), pod);
        for (const QJsonObject &claim : facts.claims)
            m_claims.insert(kube::nameOf(claim), claim);
        for (const QJsonObject &volume : facts.volumes)
            m_volumes.insert(kube::nameOf(volume), volume);
        for (const taos::Dnode &dnode : facts.snapshot.dnodes)
            m_dnodes.insert(dnode.id, dnode);
        m_vnodes = taos::vnodesPerDnode(facts.snapshot.vgroups);
        for (const taos::Mnode &mnode : facts.snapshot.mnodes)
            m_mnodes.insert(dnodeOfMnode(mnode), mnode);
    }

    const ClusterFacts &facts() const { return m_facts; }
    const taos::ClusterSnapshot &snapshot() const { return m_facts.snapshot; }
    QString name() const { return m_name; }
    QString ns() const { return m_ns; }
    int replicas() const { return m_replicas; }
    QString pod(int ordinal) const { return m_name + u'-' + QString::number(ordinal); }
    bool hasPod(const QString &name) const { return m_pods.contains(name); }
    QJsonObject podObject(const QString &name) const { return m_pods.value(name); }
    QString host(int ordinal) const
    {
        return u"%1.%2.%3.svc.cluster.local"_s.arg(pod(ordinal), m_service, m_ns);
    }
    // The ordinal whose host the endpoint names; -1 for an endpoint of something else.
    int ordinalOf(const QString &endpoint) const
    {
        const QString prefix = m_name + u'-';
        const QString suffix = u".%1.%2.svc.cluster.local"_s.arg(m_service, m_ns);
        const QString host = hostOf(endpoint);
        if (!host.startsWith(prefix) || !host.endsWith(suffix))
            return -1;
        bool ok = false;
        const int ordinal = host.mid(prefix.size(), host.size() - prefix.size() - suffix.size()).toInt(&ok);
        return ok && ordinal >= 0 ? ordinal : -1;
    }
    // The pod behind a dnode: its ordinal's pod, or for a foreign endpoint the first label of its host.
    QString podOfDnode(const taos::Dnode &dnode) const
    {
        const int ordinal = ordinalOf(dnode.endpoint);
        return ordinal >= 0 ? pod(ordinal) : taos::podOfEndpoint(dnode.endpoint);
    }
    int dnodeOf(int ordinal) const
    {
        for (const taos::Dnode &dnode : snapshot().dnodes) {
            if (hostOf(dnode.endpoint) == host(ordinal))
                return dnode.id;
        }
        return -1;
    }
    const taos::Dnode *dnode(int id) const
    {
        const auto it = m_dnodes.constFind(id);
        return it == m_dnodes.cend() ? nullptr : &*it;
    }
    QString port() const
    {
        for (const taos::Dnode &dnode : snapshot().dnodes) {
            const QString port = dnode.endpoint.section(u':', 1, 1);
            if (!port.isEmpty())
                return port;
        }
        return u"6030"_s;
    }
    int vnodesOn(int dnodeId) const { return m_vnodes.value(dnodeId).total(); }
    bool hasMnode(int dnodeId) const { return m_mnodes.contains(dnodeId); }
    bool isLeaderMnode(int dnodeId) const { return m_mnodes.value(dnodeId).role == u"leader"; }
    int mnodeCount() const { return int(m_mnodes.size()); }

    int replicaOf(const QString &database) const
    {
        for (const taos::Database &db : snapshot().databases) {
            if (db.name == database)
                return db.replica;
        }
        return 1;
    }
    // The claims of `ordinal` that exist, one per volumeClaimTemplate.
    QStringList claimsOf(int ordinal) const
    {
        QStringList names;
        for (const QJsonObject &claimTemplate : m_templates) {
            const QString name = kube::nameOf(claimTemplate) + u'-' + pod(ordinal);
            if (m_claims.contains(name))
                names.append(name);
        }
        return names;
    }
    QStringList storageClassesOfTemplates() const
    {
        QStringList classes;
        for (const QJsonObject &claimTemplate : m_templates) {
            const QString name = kube::valueAt(claimTemplate, u"spec.storageClassName"_s).toString();
            if (!name.isEmpty() && !classes.contains(name))
                classes.append(name);
        }
        return classes;
    }
    bool hasStorageClass(const QString &name) const
    {
        return std::any_of(m_facts.storageClasses.begin(), m_facts.storageClasses.end(),
                           [&name](const QJsonObject &object) { return kube::nameOf(object) == name; });
    }
    // What deleting the claim does to its volume, by the PV's reclaim policy: "Delete", "Retain", or
    // empty when the claim is not bound or its PV is not known.
    QString reclaimPolicyOf(const QString &claim) const
    {
        const QString volume = kube::valueAt(m_claims.value(claim), u"spec.volumeName"_s).toString();
        if (volume.isEmpty() || !m_volumes.contains(volume))
            return {};
        return kube::valueAt(m_volumes.value(volume), u"spec.persistentVolumeReclaimPolicy"_s).toString();
    }
    QString volumeOf(const QString &claim) const
    {
        return kube::valueAt(m_claims.value(claim), u"spec.volumeName"_s).toString();
    }

private:
    int dnodeOfMnode(const taos::Mnode &mnode) const
    {
        for (const taos::Dnode &dnode : m_facts.snapshot.dnodes) {
            if (!mnode.endpoint.isEmpty() && hostOf(dnode.endpoint) == hostOf(mnode.endpoint))
                return dnode.id;
        }
        return mnode.id; // TDengine numbers an mnode as the dnode it runs on
    }

    const ClusterFacts &m_facts;
    QString m_name;
    QString m_ns;
    QString m_service;
    int m_replicas = 1;
    QList<QJsonObject> m_templates;
    QHash<QString, QJsonObject> m_pods;
    QHash<QString, QJsonObject> m_claims;
    QHash<QString, QJsonObject> m_volumes;
    QHash<int, taos::Dnode> m_dnodes;
    QHash<int, taos::VnodeCount> m_vnodes;
    QHash<int, taos::Mnode> m_mnodes;
};

} // namespace tdkube::ops::detail
