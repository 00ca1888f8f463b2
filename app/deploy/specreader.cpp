// specFromStatefulSet(): a live StatefulSet (ours, or one applied by hand from the guide) read back
// into a ClusterSpec, naming whatever a spec cannot hold.
#include "deploy/clusterspec.h"
#include "deploy/clusterspec_p.h"

#include <QCoreApplication>
#include <QSet>

namespace tdkube::deploy {

using namespace Qt::StringLiterals;
using namespace detail;

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(SpecReader)
};

// The env entries buildManifests() writes itself; anything else in `env` is the user's.
const QSet<QString> &generatedEnv()
{
    static const QSet<QString> names{u"POD_NAME"_s,      u"SERVICE_NAME"_s, u"STS_NAME"_s,
                                     u"STS_NAMESPACE"_s, u"TZ"_s,           u"TAOS_SERVER_PORT"_s,
                                     u"TAOS_FIRST_EP"_s, u"TAOS_FQDN"_s};
    return names;
}

class Reader
{
public:
    Reader(const QJsonObject &statefulSet, QStringList *unmapped)
        : m_sts(statefulSet)
        , m_unmapped(unmapped)
    {
    }

    ClusterSpec read(const QJsonObject &configMap)
    {
        readMetadata();
        readSpec();
        const QJsonObject podSpec = valueAt(m_sts, u"spec.template.spec").toObject();
        readPod(podSpec);
        const QJsonArray containers = podSpec.value(u"containers").toArray();
        for (const QJsonValue &container : containers) {
            if (container.toObject().value(u"name").toString() == u"tdengine" || containers.size() == 1)
                readContainer(container.toObject(), configMap);
            else
                note(Text::tr("a sidecar container %1").arg(container.toObject().value(u"name").toString()));
        }
        readClaims(valueAt(m_sts, u"spec.volumeClaimTemplates").toArray());
        return m_spec;
    }

private:
    void note(const QString &what)
    {
        if (m_unmapped)
            m_unmapped->append(what);
    }

    void readMetadata()
    {
        m_spec.name = valueAt(m_sts, u"metadata.name").toString();
        const QString ns = valueAt(m_sts, u"metadata.namespace").toString();
        if (!ns.isEmpty())
            m_spec.ns = ns;
        const QJsonObject labels = valueAt(m_sts, u"metadata.labels").toObject();
        static const QSet<QString> standard{kNameLabel.toString(), kInstanceLabel.toString(),
                                            kComponentLabel.toString(), kManagedByLabel.toString(),
                                            kVersionLabel.toString()};
        for (auto it = labels.constBegin(); it != labels.constEnd(); ++it) {
            if (!standard.contains(it.key()))
                m_spec.labels.insert(it.key(), it.value().toString());
        }
    }

    void readSpec()
    {
        const QJsonObject spec = m_sts.value(u"spec").toObject();
        m_spec.replicas = spec.value(u"replicas").toInt(1);
        const QString service = spec.value(u"serviceName").toString();
        if (service != m_spec.headlessServiceName())
            m_spec.headlessServiceOverride = service;
        const QJsonObject retention = spec.value(u"persistentVolumeClaimRetentionPolicy").toObject();
        m_spec.pvcWhenScaled = retention.value(u"whenScaled").toString(u"Retain"_s);
        m_spec.pvcWhenDeleted = retention.value(u"whenDeleted").toString(u"Retain"_s);
    }

    void readPod(const QJsonObject &podSpec)
    {
        const QJsonObject antiAffinity = valueAt(podSpec, u"affinity.podAntiAffinity").toObject();
        if (antiAffinity.contains(u"requiredDuringSchedulingIgnoredDuringExecution"))
            m_spec.antiAffinity = AntiAffinity::Required;
        else if (antiAffinity.contains(u"preferredDuringSchedulingIgnoredDuringExecution"))
            m_spec.antiAffinity = AntiAffinity::Preferred;
        else
            m_spec.antiAffinity = AntiAffinity::None;
        const QJsonObject affinity = podSpec.value(u"affinity").toObject();
        for (auto it = affinity.constBegin(); it != affinity.constEnd(); ++it) {
            if (it.key() != u"podAntiAffinity")
                note(Text::tr("an affinity rule %1").arg(it.key()));
        }
        static const QStringList known{u"affinity"_s, u"containers"_s, u"terminationGracePeriodSeconds"_s};
        for (auto it = podSpec.constBegin(); it != podSpec.constEnd(); ++it) {
            if (it.key() == u"initContainers") {
                for (const QJsonValue &init : it.value().toArray())
                    note(Text::tr("an init container %1").arg(init.toObject().value(u"name").toString()));
            } else if (it.key() == u"volumes") {
                for (const QJsonValue &volume : it.value().toArray())
                    note(Text::tr("a volume %1").arg(volume.toObject().value(u"name").toString()));
            } else if (!known.contains(it.key()) && !isServerDefault(it.key())) {
                note(Text::tr("the pod setting %1").arg(it.key()));
            }
        }
    }

    // Pod fields the API server fills in on every StatefulSet: not the user's choice.
    static bool isServerDefault(const QString &key)
    {
        static const QSet<QString> defaults{u"restartPolicy"_s,      u"dnsPolicy"_s,
                                            u"schedulerName"_s,      u"securityContext"_s,
                                            u"serviceAccountName"_s, u"serviceAccount"_s};
        return defaults.contains(key);
    }

    void readContainer(const QJsonObject &container, const QJsonObject &configMap)
    {
        readImage(container.value(u"image").toString());
        const QJsonObject resources = container.value(u"resources").toObject();
        m_spec.cpuRequest = valueAt(resources, u"requests.cpu").toString();
        m_spec.memoryRequest = valueAt(resources, u"requests.memory").toString();
        m_spec.cpuLimit = valueAt(resources, u"limits.cpu").toString();
        m_spec.memoryLimit = valueAt(resources, u"limits.memory").toString();
        const QJsonObject startup = container.value(u"startupProbe").toObject();
        if (!startup.isEmpty())
            m_spec.startupBudgetSeconds = startup.value(u"failureThreshold").toInt(3) *
                                          startup.value(u"periodSeconds").toInt(kProbePeriodSeconds);
        readEnvFrom(container.value(u"envFrom").toArray(), configMap);
        readEnv(container.value(u"env").toArray());
        for (const QJsonValue &mount : container.value(u"volumeMounts").toArray()) {
            const QString name = mount.toObject().value(u"name").toString();
            if (name != u"taosdata" && name != u"taoslog")
                note(Text::tr("a volume mount %1 at %2")
                         .arg(name, mount.toObject().value(u"mountPath").toString()));
        }
    }

    void readImage(const QString &reference)
    {
        // The tag follows the last ':' of the last path segment (a registry may have a port).
        const qsizetype slash = reference.lastIndexOf(u'/');
        const qsizetype colon = reference.lastIndexOf(u':');
        if (colon > slash) {
            m_spec.image = reference.left(colon);
            m_spec.tag = reference.mid(colon + 1);
        } else {
            m_spec.image = reference;
            m_spec.tag = u"latest"_s; // what Kubernetes pulls without a tag; validate() flags it
        }
    }

    void readEnvFrom(const QJsonArray &envFrom, const QJsonObject &configMap)
    {
        for (const QJsonValue &source : envFrom) {
            const QString name = valueAt(source.toObject(), u"configMapRef.name").toString();
            if (name.isEmpty()) {
                note(Text::tr("an envFrom source that is not a ConfigMap"));
                continue;
            }
            if (name != m_spec.configMapName())
                m_spec.configMapOverride = name;
        }
        m_spec.taosConfig.clear();
        const QJsonObject data = configMap.value(u"data").toObject();
        for (auto it = data.constBegin(); it != data.constEnd(); ++it) {
            if (it.key().startsWith(u"TAOS_"))
                m_spec.taosConfig.insert(taosConfigKey(it.key()), it.value().toString());
            else
                note(Text::tr("a ConfigMap key %1").arg(it.key()));
        }
    }

    void readEnv(const QJsonArray &env)
    {
        for (const QJsonValue &entry : env) {
            const QJsonObject variable = entry.toObject();
            const QString name = variable.value(u"name").toString();
            const QString value = variable.value(u"value").toString();
            if (name == u"TZ")
                m_spec.timezone = value;
            else if (name == u"TAOS_SERVER_PORT")
                m_spec.serverPort = value.toInt();
            else if (generatedEnv().contains(name))
                continue;
            else if (name.startsWith(u"TAOS_") && variable.contains(u"value"))
                m_spec.taosConfig.insert(taosConfigKey(name), value); // env wins over envFrom, as in the pod
            else
                note(Text::tr("an env var %1").arg(name));
        }
    }

    void readClaims(const QJsonArray &claims)
    {
        for (const QJsonValue &claim : claims) {
            const QJsonObject object = claim.toObject();
            const QString name = valueAt(object, u"metadata.name").toString();
            const QString size = valueAt(object, u"spec.resources.requests.storage").toString();
            if (name == u"taosdata") {
                m_spec.storageSize = size;
                m_spec.storageClass = valueAt(object, u"spec.storageClassName").toString();
            } else if (name == u"taoslog") {
                m_spec.logStorageSize = size;
            } else {
                note(Text::tr("a volume claim template %1").arg(name));
            }
        }
    }

    const QJsonObject &m_sts;
    QStringList *m_unmapped;
    ClusterSpec m_spec;
};

} // namespace

ClusterSpec specFromStatefulSet(const QJsonObject &statefulSet, const QJsonObject &configMap,
                                QStringList *unmapped)
{
    return Reader(statefulSet, unmapped).read(configMap);
}

} // namespace tdkube::deploy
