// The plan of a configuration change (planConfigure): which taos.cfg entries change, which path each
// takes (`alter all dnodes`, or a restart of every pod one at a time), what refuses it, and the steps.
#include "kube/selectors.h"
#include "ops/planner.h"
#include "ops/planner_p.h"
#include "ops/plannerchecks.h"
#include "taos/clusterstate.h"
#include "taos/versions.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QRegularExpression>

namespace tdkube::ops {

namespace {

using namespace Qt::StringLiterals;
using namespace detail;

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Planner)
};

// Entries TDengine changes at run time with `alter dnode` / `alter all dnodes`, in 3.0.5.2 and later
// (mndProcessConfigDnodeReq, mndDnode.c): the log flags and monitor. 3.3 accepts more; these are the
// ones both accept.
const QStringList kRuntimeKeys{u"debugFlag"_s,    u"dDebugFlag"_s,    u"vDebugFlag"_s,    u"mDebugFlag"_s,
                               u"wDebugFlag"_s,   u"sDebugFlag"_s,    u"tsdbDebugFlag"_s, u"tqDebugFlag"_s,
                               u"fsDebugFlag"_s,  u"udfDebugFlag"_s,  u"smaDebugFlag"_s,  u"idxDebugFlag"_s,
                               u"tdbDebugFlag"_s, u"tmrDebugFlag"_s,  u"uDebugFlag"_s,    u"rpcDebugFlag"_s,
                               u"qDebugFlag"_s,   u"metaDebugFlag"_s, u"monitor"_s};
// Every dnode must have the same value, or the mnode keeps the odd one offline with "... not match"
// (mndCheckClusterCfgPara, mndDnode.c; FACTS.md section 4): a rolling change would stall half-way.
const QStringList kClusterWideKeys{u"timezone"_s, u"locale"_s, u"charset"_s, u"statusInterval"_s};
// Built per pod in the StatefulSet's env: the dnode's identity.
const QStringList kPerPodKeys{u"fqdn"_s, u"firstEp"_s, u"secondEp"_s, u"serverPort"_s};
// Where a dnode keeps its data and logs: changed, it would start empty.
const QStringList kPathKeys{u"dataDir"_s, u"logDir"_s, u"tempDir"_s};

const QString kConfigHashAnnotation = u"tdkube.io/taoscfg-hash"_s;

bool containsKey(const QStringList &keys, const QString &name)
{
    return keys.contains(name, Qt::CaseInsensitive);
}

QStringList explicitVariables(const QJsonObject &container)
{
    QStringList names;
    for (const QJsonValue &env : container.value(u"env").toArray())
        names.append(env.toObject().value(u"name").toString());
    return names;
}

// A fingerprint of the ConfigMap's data after the change: the pod template's annotation, so that the
// template changes (and the StatefulSet makes a new revision) exactly when the configuration does.
QString configHash(QJsonObject data)
{
    QStringList lines;
    for (auto it = data.constBegin(); it != data.constEnd(); ++it)
        lines.append(it.key() + u'=' + it.value().toString());
    lines.sort();
    return QString::fromLatin1(
        QCryptographicHash::hash(lines.join(u'\n').toUtf8(), QCryptographicHash::Sha256).toHex().left(16));
}

} // namespace

QJsonObject taosContainerOf(const QJsonObject &statefulSet)
{
    const QJsonArray containers = kube::valueAt(statefulSet, u"spec.template.spec.containers"_s).toArray();
    for (const QJsonValue &container : containers) {
        for (const QJsonValue &from : container.toObject().value(u"envFrom").toArray()) {
            if (from.toObject().contains(u"configMapRef"))
                return container.toObject();
        }
    }
    return containers.isEmpty() ? QJsonObject() : containers.first().toObject();
}

QString taosConfigMapOf(const QJsonObject &statefulSet)
{
    for (const QJsonValue &container :
         kube::valueAt(statefulSet, u"spec.template.spec.containers"_s).toArray()) {
        for (const QJsonValue &from : container.toObject().value(u"envFrom").toArray()) {
            const QString name = from.toObject().value(u"configMapRef").toObject().value(u"name").toString();
            if (!name.isEmpty())
                return name;
        }
    }
    return {};
}

QString taosVariable(const QString &key)
{
    if (key.startsWith(u"TAOS_"))
        return key;
    QString variable = u"TAOS_"_s;
    for (qsizetype i = 0; i < key.size(); ++i) {
        const QChar c = key.at(i);
        if (c.isUpper() && i > 0)
            variable += u'_';
        variable += c.toUpper();
    }
    return variable;
}

QString taosConfigName(const QString &variable)
{
    const QStringList words = variable.mid(5).toLower().split(u'_', Qt::SkipEmptyParts);
    QString name = words.value(0);
    for (qsizetype i = 1; i < words.size(); ++i)
        name += words.at(i).left(1).toUpper() + words.at(i).mid(1);
    return name;
}

Plan planConfigure(const ClusterFacts &facts, const QMap<QString, QString> &settings)
{
    const Cluster cluster(facts);
    Plan plan;
    plan.kind = OperationKind::Configure;
    plan.ns = cluster.ns();
    plan.statefulSet = cluster.name();
    plan.fromReplicas = cluster.replicas();
    plan.toReplicas = cluster.replicas();

    const QJsonObject container = taosContainerOf(facts.statefulSet);
    const QString configMap = taosConfigMapOf(facts.statefulSet);
    QJsonObject data;
    if (configMap.isEmpty()) {
        block(
            &plan, u"no-configmap"_s,
            Text::tr("The pods of StatefulSet %1 take no ConfigMap through envFrom, so there is no taos.cfg "
                     "configuration for tdkube to change.")
                .arg(cluster.name()),
            Text::tr("Deploy with tdkube (its StatefulSet reads ConfigMap %1-taoscfg), or add an envFrom "
                     "configMapRef to the tdengine container.")
                .arg(cluster.name()));
    } else if (!facts.configMapsError.isEmpty()) {
        block(&plan, u"configmap-unreadable"_s,
              Text::tr("ConfigMap %1 could not be read: %2").arg(configMap, facts.configMapsError),
              Text::tr("Ask for the right to read and update ConfigMaps in namespace %1.").arg(cluster.ns()));
    } else {
        const auto found =
            std::find_if(facts.configMaps.begin(), facts.configMaps.end(),
                         [&](const QJsonObject &object) { return kube::nameOf(object) == configMap; });
        if (found == facts.configMaps.end())
            block(&plan, u"configmap-missing"_s,
                  Text::tr("ConfigMap %1, which the pods of %2 read their settings from, does not exist.")
                      .arg(configMap, cluster.name()),
                  Text::tr("Create it (kubectl create configmap %1) or fix the StatefulSet's envFrom.")
                      .arg(configMap));
        else
            data = found->value(u"data").toObject();
    }
    if (settings.isEmpty())
        block(&plan, u"nothing-given"_s, Text::tr("No setting to change was given."),
              Text::tr("Give each as KEY=VALUE, KEY a taos.cfg name (debugFlag) or its variable "
                       "(TAOS_DEBUG_FLAG)."));

    static const QRegularExpression kName(u"^[A-Za-z][A-Za-z0-9]*$"_s);
    static const QRegularExpression kVariable(u"^TAOS_[A-Z0-9]+(_[A-Z0-9]+)*$"_s);
    const QStringList explicitEnv = explicitVariables(container);
    QMap<QString, QString> variables; // TAOS_* -> value, into the ConfigMap
    QMap<QString, QString> runtime;   // taos.cfg name -> value, by `alter all dnodes`
    QStringList restart;              // taos.cfg names that need a restart
    for (auto it = settings.cbegin(); it != settings.cend(); ++it) {
        const QString key = it.key().trimmed();
        if (!kName.match(key).hasMatch() && !kVariable.match(key).hasMatch()) {
            block(&plan, u"bad-setting"_s,
                  Text::tr("\"%1\" is not a taos.cfg name (like supportVnodes) nor its variable (like "
                           "TAOS_SUPPORT_VNODES).")
                      .arg(key),
                  Text::tr("Give the name as taos.cfg spells it."));
            continue;
        }
        const QString variable = taosVariable(key);
        const QString name = taosConfigName(variable);
        const QString value = it.value();
        if (containsKey(kClusterWideKeys, name)) {
            block(&plan, u"cluster-wide-setting"_s,
                  Text::tr(
                      "%1 must be the same on every dnode: the mnode keeps a dnode whose %1 differs offline "
                      "(\"... not match\"), so changing it one pod at a time would stop each restarted "
                      "dnode until all were changed.")
                      .arg(name),
                  Text::tr(
                      "Change it in a maintenance window, with every pod restarted at once (kubectl delete "
                      "pod -l %1 after changing ConfigMap %2); tdkube does not stop a whole cluster.")
                      .arg(kube::LabelSelector::fromObject(
                               kube::valueAt(facts.statefulSet, u"spec.selector"_s).toObject())
                               .toString(),
                           configMap));
            continue;
        }
        if (containsKey(kPerPodKeys, name)) {
            block(
                &plan, u"per-pod-setting"_s,
                Text::tr("%1 is each dnode's identity, built per pod in the StatefulSet: a dnode's endpoint "
                         "is recorded in the cluster and must never change.")
                    .arg(name),
                Text::tr("Leave it as it is."));
            continue;
        }
        if (containsKey(kPathKeys, name)) {
            block(
                &plan, u"path-setting"_s,
                Text::tr("%1 is where each dnode keeps its files: changed, every restarted dnode would start "
                         "without its data.")
                    .arg(name),
                Text::tr("Leave it as it is; the data volume is mounted there."));
            continue;
        }
        if (explicitEnv.contains(variable)) {
            block(&plan, u"set-in-template"_s,
                  Text::tr("%1 is set in the StatefulSet's container env, which wins over ConfigMap %2: "
                           "changing the ConfigMap would change nothing.")
                      .arg(variable, configMap),
                  Text::tr("Remove %1 from the container's env (kubectl edit statefulset %2) so that the "
                           "ConfigMap decides, then plan again.")
                      .arg(variable, cluster.name()));
            continue;
        }
        if (data.contains(variable) && data.value(variable).toString() == value) {
            warn(&plan, u"unchanged"_s, Text::tr("%1 is %2 already.").arg(name, value), {});
            plan.findings.last().severity = Finding::Severity::Info;
            continue;
        }
        variables.insert(variable, value);
        if (containsKey(kRuntimeKeys, name)) {
            runtime.insert(name, value);
            warn(&plan, u"applied-at-runtime"_s,
                 Text::tr(
                     "%1 → %2: applied at once on every dnode with `alter all dnodes`, without a restart, "
                     "and kept in ConfigMap %3 for the next start.")
                     .arg(name, value, configMap),
                 {});
        } else {
            restart.append(name);
            warn(
                &plan, u"needs-restart"_s,
                Text::tr("%1 → %2: taosd reads it only when it starts, so every pod restarts, one at a time, "
                         "highest ordinal first.")
                    .arg(name, value),
                {});
        }
        plan.findings.last().severity = Finding::Severity::Info;
    }

    const QString force = u"TAOS_FORCE_READ_CONFIG"_s;
    if (!restart.isEmpty() && taos::versionFacts(facts.snapshot.serverVersion).keepsLocalConfig &&
        data.value(force).toString() != u"1" && !variables.contains(force)) {
        variables.insert(force, u"1"_s);
        warn(&plan, u"force-read-config"_s,
             Text::tr(
                 "TDengine %1 keeps each dnode's settings in its data directory (dnode/config/local.json) "
                 "and ignores taos.cfg for them at a restart unless forceReadConfig is 1: tdkube sets "
                 "TAOS_FORCE_READ_CONFIG=1 in ConfigMap %2, so that the restarted dnodes take the new "
                 "values (and the ConfigMap stays what decides).")
                 .arg(facts.snapshot.serverVersion, configMap),
             {});
        plan.findings.last().severity = Finding::Severity::Info;
    }
    if (!variables.isEmpty()) {
        checkHealth(cluster, &plan);
        checkTransactions(cluster, &plan);
        if (!restart.isEmpty()) {
            checkWhole(cluster, &plan);
            checkRollout(cluster, &plan);
            warnReplica1Restart(cluster, &plan);
        }
    }
    if (plan.blocked() || variables.isEmpty())
        return plan;

    QStringList changes;
    for (auto it = variables.cbegin(); it != variables.cend(); ++it)
        changes.append(it.key() + u'=' + it.value());
    Step update = makeStep(
        Step::Kind::UpdateConfigMap, Text::tr("set %1 in ConfigMap %2").arg(changes.join(u", "_s), configMap),
        Text::tr("Running pods keep their values until they restart; a pod started later takes the "
                 "new ones."));
    update.name = configMap;
    update.settings = variables;
    plan.steps.append(update);
    if (!runtime.isEmpty()) {
        QStringList names = runtime.keys();
        Step alter =
            makeStep(Step::Kind::AlterDnodes, Text::tr("alter all dnodes: %1").arg(names.join(u", "_s)),
                     Text::tr("TDengine applies these at once on every dnode."));
        alter.settings = runtime;
        plan.steps.append(alter);
    }
    if (!restart.isEmpty()) {
        QJsonObject after = data;
        for (auto it = variables.cbegin(); it != variables.cend(); ++it)
            after.insert(it.key(), it.value());
        Step hold = makeStep(
            Step::Kind::HoldRollout,
            Text::tr("give StatefulSet %1 the new configuration, restarting no pod yet").arg(cluster.name()),
            Text::tr(
                "rollingUpdate.partition %1 holds every pod on the old template; the template is marked with "
                "the configuration's fingerprint, so the StatefulSet makes a new revision.")
                .arg(cluster.replicas()));
        hold.replicas = cluster.replicas();
        hold.settings.insert(kConfigHashAnnotation, configHash(after));
        plan.steps.append(hold);
        for (int ordinal = cluster.replicas() - 1; ordinal >= 0; --ordinal)
            plan.steps.append(rollStep(cluster, ordinal,
                                       Text::tr("restart pod %1 (dnode %2) on the new configuration")
                                           .arg(cluster.pod(ordinal))
                                           .arg(cluster.dnodeOf(ordinal))));
    }
    Step verify =
        makeStep(Step::Kind::Verify, Text::tr("verify the cluster"),
                 Text::tr("%n dnode(s) ready, mnodes healthy, and no table with fewer rows than before.",
                          nullptr, cluster.replicas()));
    verify.replicas = cluster.replicas();
    plan.steps.append(verify);
    return plan;
}

} // namespace tdkube::ops
