// ClusterSpec -> manifests: the templates of manifests/ (compiled in as :/manifests/...) with what
// the spec says substituted, field by field. Never YAML by string concatenation.
#include "deploy/clusterspec.h"

#include "deploy/clusterspec_p.h"
#include "kube/yamljson.h"
#include "kube/yamlwriter.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSaveFile>

#include <cmath>

namespace tdkube::deploy {

using namespace Qt::StringLiterals;
using namespace detail;

namespace detail {

QJsonValue valueAt(const QJsonObject &root, QStringView dottedPath)
{
    QJsonValue current = root;
    for (const QStringView key : dottedPath.split(u'.')) {
        if (!current.isObject())
            return QJsonValue::Undefined;
        current = current.toObject().value(key);
    }
    return current;
}

void setAt(QJsonObject &root, QStringView dottedPath, const QJsonValue &value)
{
    const qsizetype dot = dottedPath.indexOf(u'.');
    if (dot < 0) {
        if (value.isUndefined())
            root.remove(dottedPath);
        else
            root.insert(dottedPath, value);
        return;
    }
    const QStringView key = dottedPath.left(dot);
    QJsonObject child = root.value(key).toObject();
    setAt(child, dottedPath.mid(dot + 1), value);
    root.insert(key, child);
}

} // namespace detail

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ClusterSpec)
};

// The template's single document. The resource is compiled in and tested, so a failure here is a
// build defect; it yields an empty object rather than a crash.
QJsonObject loadTemplate(const QString &file)
{
    QFile resource(u":/manifests/"_s + file);
    QJsonValue json;
    QString error;
    if (!resource.open(QIODevice::ReadOnly) || !kube::yamlToJson(resource.readAll(), &json, &error)) {
        qWarning("manifest template %s unreadable: %s", qPrintable(file), qPrintable(error));
        return {};
    }
    return json.toObject();
}

QJsonObject selectorLabels(const ClusterSpec &spec)
{
    return {{kNameLabel.toString(), u"tdengine"_s}, {kInstanceLabel.toString(), spec.name}};
}

QJsonObject objectLabels(const ClusterSpec &spec, const QString &component)
{
    QJsonObject labels = selectorLabels(spec);
    labels.insert(kComponentLabel, component);
    labels.insert(kManagedByLabel, u"tdkube"_s);
    labels.insert(kVersionLabel, spec.tag);
    for (auto it = spec.labels.cbegin(); it != spec.labels.cend(); ++it)
        labels.insert(it.key(), it.value());
    return labels;
}

void setMetadata(QJsonObject &object, const ClusterSpec &spec, const QString &name, const QString &component)
{
    setAt(object, u"metadata.name", name);
    setAt(object, u"metadata.namespace", spec.ns);
    setAt(object, u"metadata.labels", objectLabels(spec, component));
}

QJsonObject servicePort(const QString &name, int port)
{
    return {{u"name"_s, name}, {u"protocol"_s, u"TCP"_s}, {u"port"_s, port}, {u"targetPort"_s, port}};
}

QString portName(int port)
{
    return u"tcp"_s + QString::number(port);
}

QJsonObject configMap(const ClusterSpec &spec)
{
    QJsonObject object = loadTemplate(u"10-configmap.yaml"_s);
    setMetadata(object, spec, spec.configMapName(), u"config"_s);
    QJsonObject data;
    for (auto it = spec.taosConfig.cbegin(); it != spec.taosConfig.cend(); ++it)
        data.insert(taosEnvName(it.key()), it.value());
    object.insert(u"data"_s, data);
    return object;
}

QJsonObject headlessService(const ClusterSpec &spec)
{
    QJsonObject object = loadTemplate(u"20-service-headless.yaml"_s);
    setMetadata(object, spec, spec.headlessServiceName(), u"taosd"_s);
    setAt(object, u"spec.selector", selectorLabels(spec));
    setAt(object, u"spec.ports",
          QJsonArray{servicePort(portName(spec.serverPort), spec.serverPort),
                     servicePort(portName(spec.adapterPort()), spec.adapterPort())});
    return object;
}

QJsonObject clientService(const ClusterSpec &spec)
{
    QJsonObject object = loadTemplate(u"30-service-client.yaml"_s);
    setMetadata(object, spec, spec.clientServiceName(), u"taosadapter"_s);
    setAt(object, u"spec.selector", selectorLabels(spec));
    setAt(object, u"spec.ports",
          QJsonArray{servicePort(u"http-rest"_s, spec.adapterPort()),
                     servicePort(portName(spec.serverPort), spec.serverPort)});
    return object;
}

QJsonValue affinity(const ClusterSpec &spec)
{
    const QJsonObject term{{u"topologyKey"_s, u"kubernetes.io/hostname"_s},
                           {u"labelSelector"_s, QJsonObject{{u"matchLabels"_s, selectorLabels(spec)}}}};
    switch (spec.antiAffinity) {
    case AntiAffinity::None:
        return QJsonValue::Undefined;
    case AntiAffinity::Preferred:
        return QJsonObject{
            {u"podAntiAffinity"_s,
             QJsonObject{{u"preferredDuringSchedulingIgnoredDuringExecution"_s,
                          QJsonArray{QJsonObject{{u"weight"_s, 100}, {u"podAffinityTerm"_s, term}}}}}}};
    case AntiAffinity::Required:
        return QJsonObject{
            {u"podAntiAffinity"_s,
             QJsonObject{{u"requiredDuringSchedulingIgnoredDuringExecution"_s, QJsonArray{term}}}}};
    }
    return QJsonValue::Undefined;
}

QJsonValue resources(const ClusterSpec &spec)
{
    QJsonObject requests;
    QJsonObject limits;
    auto put = [](QJsonObject &into, const QString &key, const QString &value) {
        if (!value.isEmpty())
            into.insert(key, value);
    };
    put(requests, u"cpu"_s, spec.cpuRequest);
    put(requests, u"memory"_s, spec.memoryRequest);
    put(limits, u"cpu"_s, spec.cpuLimit);
    put(limits, u"memory"_s, spec.memoryLimit);
    QJsonObject result;
    if (!requests.isEmpty())
        result.insert(u"requests"_s, requests);
    if (!limits.isEmpty())
        result.insert(u"limits"_s, limits);
    return result.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(result);
}

// The template's env, in its order, with the values the spec decides.
QJsonArray containerEnv(const QJsonArray &templateEnv, const ClusterSpec &spec)
{
    const QMap<QString, QString> values{{u"SERVICE_NAME"_s, spec.headlessServiceName()},
                                        {u"STS_NAME"_s, spec.name},
                                        {u"TZ"_s, spec.timezone},
                                        {u"TAOS_SERVER_PORT"_s, QString::number(spec.serverPort)}};
    QJsonArray env;
    for (const QJsonValue &entry : templateEnv) {
        QJsonObject variable = entry.toObject();
        const QString name = variable.value(u"name").toString();
        if (values.contains(name))
            variable.insert(u"value"_s, values.value(name));
        env.append(variable);
    }
    return env;
}

QJsonObject claimTemplate(const ClusterSpec &spec, const QString &name, const QString &size)
{
    QJsonObject labels = selectorLabels(spec);
    for (auto it = spec.labels.cbegin(); it != spec.labels.cend(); ++it)
        labels.insert(it.key(), it.value());
    QJsonObject claimSpec{{u"accessModes"_s, QJsonArray{u"ReadWriteOnce"_s}},
                          {u"resources"_s, QJsonObject{{u"requests"_s, QJsonObject{{u"storage"_s, size}}}}}};
    if (!spec.storageClass.isEmpty())
        claimSpec.insert(u"storageClassName"_s, spec.storageClass);
    return {{u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"labels"_s, labels}}}, {u"spec"_s, claimSpec}};
}

QJsonObject container(QJsonObject tdengine, const ClusterSpec &spec)
{
    tdengine.insert(u"image"_s, spec.imageReference());
    tdengine.insert(u"ports"_s, QJsonArray{QJsonObject{{u"name"_s, portName(spec.serverPort)},
                                                       {u"protocol"_s, u"TCP"_s},
                                                       {u"containerPort"_s, spec.serverPort}},
                                           QJsonObject{{u"name"_s, portName(spec.adapterPort())},
                                                       {u"protocol"_s, u"TCP"_s},
                                                       {u"containerPort"_s, spec.adapterPort()}}});
    setAt(tdengine, u"resources", resources(spec));
    tdengine.insert(u"envFrom"_s, QJsonArray{QJsonObject{
                                      {u"configMapRef"_s, QJsonObject{{u"name"_s, spec.configMapName()}}}}});
    tdengine.insert(u"env"_s, containerEnv(tdengine.value(u"env").toArray(), spec));
    QJsonArray mounts{QJsonObject{{u"name"_s, u"taosdata"_s}, {u"mountPath"_s, u"/var/lib/taos"_s}}};
    if (!spec.logStorageSize.isEmpty())
        mounts.append(QJsonObject{{u"name"_s, u"taoslog"_s}, {u"mountPath"_s, u"/var/log/taos"_s}});
    tdengine.insert(u"volumeMounts"_s, mounts);
    const int failures = int(std::ceil(double(spec.startupBudgetSeconds) / kProbePeriodSeconds));
    setAt(tdengine, u"startupProbe.failureThreshold", failures);
    setAt(tdengine, u"startupProbe.periodSeconds", kProbePeriodSeconds);
    return tdengine;
}

QJsonObject statefulSet(const ClusterSpec &spec)
{
    QJsonObject object = loadTemplate(u"40-statefulset.yaml"_s);
    setMetadata(object, spec, spec.name, u"taosd"_s);
    setAt(object, u"spec.serviceName", spec.headlessServiceName());
    setAt(object, u"spec.replicas", spec.replicas);
    setAt(object, u"spec.persistentVolumeClaimRetentionPolicy",
          QJsonObject{{u"whenDeleted"_s, spec.pvcWhenDeleted}, {u"whenScaled"_s, spec.pvcWhenScaled}});
    setAt(object, u"spec.selector.matchLabels", selectorLabels(spec));
    setAt(object, u"spec.template.metadata.labels", objectLabels(spec, u"taosd"_s));
    setAt(object, u"spec.template.spec.affinity", affinity(spec));
    const QJsonArray containers = valueAt(object, u"spec.template.spec.containers").toArray();
    setAt(object, u"spec.template.spec.containers",
          QJsonArray{container(containers.first().toObject(), spec)});
    QJsonArray claims{claimTemplate(spec, u"taosdata"_s, spec.storageSize)};
    if (!spec.logStorageSize.isEmpty())
        claims.append(claimTemplate(spec, u"taoslog"_s, spec.logStorageSize));
    setAt(object, u"spec.volumeClaimTemplates", claims);
    return object;
}

// What a file and its header comment call an object of buildManifests(). The comment is for the
// person reading the YAML, in their language.
struct ObjectRole
{
    QString file;
    QString comment;
};

ObjectRole roleOf(const QJsonObject &object, int index)
{
    const QString kind = object.value(u"kind").toString();
    const QString name = valueAt(object, u"metadata.name").toString();
    if (kind == u"ConfigMap")
        return {
            u"10-configmap.yaml"_s,
            //: a comment at the top of the ConfigMap's YAML; %1 is its name
            Text::tr("ConfigMap %1: taos.cfg settings shared by every dnode (TAOS_* via envFrom)").arg(name)};
    if (kind == u"StatefulSet")
        return {u"40-statefulset.yaml"_s,
                //: a comment at the top of the StatefulSet's YAML; %1 is its name
                Text::tr("StatefulSet %1: the TDengine cluster, one dnode per pod").arg(name)};
    if (kind == u"Service" && valueAt(object, u"spec.clusterIP").toString() == u"None")
        return {u"20-service-headless.yaml"_s,
                //: a comment at the top of the headless Service's YAML; %1 is its name
                Text::tr("Service %1: headless, governs the StatefulSet; pod DNS names are the dnode FQDNs")
                    .arg(name)};
    if (kind == u"Service")
        return {u"30-service-client.yaml"_s,
                //: a comment at the top of the client Service's YAML; %1 is its name
                Text::tr("Service %1: for clients, taosAdapter REST/WebSocket and native taosd").arg(name)};
    return {u"%1-%2-%3.yaml"_s.arg(index + 50).arg(kind.toLower(), name), kind + u' ' + name};
}

} // namespace

QString ClusterSpec::headlessServiceName() const
{
    return headlessServiceOverride.isEmpty() ? name + u"-taosd"_s : headlessServiceOverride;
}

QString ClusterSpec::clientServiceName() const
{
    return clientServiceOverride.isEmpty() ? name + u"-taosadapter"_s : clientServiceOverride;
}

QString ClusterSpec::configMapName() const
{
    return configMapOverride.isEmpty() ? name + u"-taoscfg"_s : configMapOverride;
}

ClusterSpec ClusterSpec::defaults()
{
    ClusterSpec spec;
    const QJsonObject data = loadTemplate(u"10-configmap.yaml"_s).value(u"data").toObject();
    for (auto it = data.constBegin(); it != data.constEnd(); ++it)
        spec.taosConfig.insert(taosConfigKey(it.key()), it.value().toString());
    return spec;
}

QList<QJsonObject> buildManifests(const ClusterSpec &spec)
{
    return {configMap(spec), headlessService(spec), clientService(spec), statefulSet(spec)};
}

QString manifestsYaml(const QList<QJsonObject> &objects)
{
    QString yaml;
    for (int i = 0; i < objects.size(); ++i) {
        if (i > 0)
            yaml += u"---\n"_s;
        yaml += u"# "_s + roleOf(objects.at(i), i).comment + u'\n' + kube::toYaml(objects.at(i));
    }
    return yaml;
}

bool exportManifests(const QList<QJsonObject> &objects, const QString &directory, QString *error,
                     const QStringList &texts)
{
    if (!QDir().mkpath(directory)) {
        *error = Text::tr("Could not create the folder %1. Check that its parent exists and is writable, "
                          "or choose another folder.")
                     .arg(QDir::toNativeSeparators(directory));
        return false;
    }
    const QDir dir(directory);
    for (int i = 0; i < objects.size(); ++i) {
        const ObjectRole role = roleOf(objects.at(i), i);
        QSaveFile file(dir.filePath(role.file));
        QString text = texts.value(i);
        if (text.trimmed().isEmpty())
            text = u"# "_s + role.comment + u'\n' + kube::toYaml(objects.at(i));
        else if (!text.endsWith(u'\n'))
            text += u'\n';
        if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit()) {
            *error = Text::tr("Could not write %1: %2. Free some space or choose another folder.")
                         .arg(QDir::toNativeSeparators(file.fileName()), file.errorString());
            return false;
        }
    }
    return true;
}

QString taosEnvName(const QString &configKey)
{
    // A new word starts at an upper-case letter after a lower-case one or a digit; a run of
    // capitals stays one word (minimalLogDirGB -> MINIMAL_LOG_DIR_GB).
    QString env = u"TAOS_"_s;
    for (qsizetype i = 0; i < configKey.size(); ++i) {
        const QChar c = configKey.at(i);
        if (i > 0 && c.isUpper() && !configKey.at(i - 1).isUpper())
            env += u'_';
        env += c.toUpper();
    }
    return env;
}

QString taosConfigKey(const QString &envName)
{
    // As the image's entrypoint does (prefix stripped, camelCased); then the canonical spelling of
    // a known key, because taos.cfg keys are case-insensitive but people search for minimalLogDirGB.
    const QStringList parts = envName.mid(5).toLower().split(u'_', Qt::SkipEmptyParts);
    QString key;
    for (const QString &part : parts)
        key += key.isEmpty() ? part : part.left(1).toUpper() + part.mid(1);
    for (const QString &known : knownTaosConfigKeys()) {
        if (known.compare(key, Qt::CaseInsensitive) == 0)
            return known;
    }
    return key;
}

QStringList knownTaosConfigKeys()
{
    // From TDengine 3.x's taos.cfg reference; fqdn, firstEp and serverPort are left out because
    // tdkube sets them per pod.
    static const QStringList keys = [] {
        QStringList list =
            QString::fromLatin1(
                "asyncLog audit cDebugFlag charset compressMsgSize countAlwaysReturnValue crashReporting "
                "dDebugFlag debugFlag enableCoreFile idxDebugFlag keepColumnName locale logKeepDays "
                "mDebugFlag maxNumOfDistinctRes maxShellConns minimalDataDirGB minimalLogDirGB "
                "minimalTmpDirGB monitor monitorFqdn monitorInterval monitorPort numOfCommitThreads "
                "numOfLogLines numOfMnodeReadThreads numOfRpcThreads numOfVnodeFetchThreads "
                "numOfVnodeQueryThreads qDebugFlag queryPolicy querySmaOptimize rpcDebugFlag sDebugFlag "
                "slowLogThreshold statusInterval supportVnodes telemetryReporting timezone tmrDebugFlag "
                "tsdbDebugFlag uDebugFlag udfDebugFlag vDebugFlag wDebugFlag ")
                .split(u' ', Qt::SkipEmptyParts);
        list.sort(Qt::CaseInsensitive);
        return list;
    }();
    return keys;
}

} // namespace tdkube::deploy
