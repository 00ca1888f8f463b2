#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace tdkube::deploy {

// How the dnode pods are spread over Kubernetes nodes (podAntiAffinity on kubernetes.io/hostname).
enum class AntiAffinity {
    None,      // no affinity section: pods may share a node
    Preferred, // the scheduler spreads them when it can; a single-node cluster still runs them all
    Required,  // never two dnodes on one node: replicas > nodes leaves pods Pending
};

// The TDengine cluster a user wants. buildManifests() turns it into the objects to apply;
// specFromStatefulSet() reads one back from a live StatefulSet. Plain data: copy freely.
struct ClusterSpec
{
    QString name = QStringLiteral("tdengine"); // StatefulSet name, also app.kubernetes.io/instance
    QString ns = QStringLiteral("tdengine");   // namespace of every object
    int replicas = 3;                          // dnodes, one per pod
    // 3 mnodes when replicas >= 3. Read by the deploy progress (it runs `create mnode`), not in YAML,
    // so specFromStatefulSet() leaves it at its default.
    bool haMnodes = true;
    AntiAffinity antiAffinity = AntiAffinity::Preferred;
    QString image = QStringLiteral("tdengine/tdengine"); // repository, without the tag
    QString tag = QStringLiteral("3.0.7.1");             // pinned: every dnode must run the same version
    QString storageClass =
        QStringLiteral("standard"); // empty: the cluster's default class (storageClassName omitted)
    QString storageSize = QStringLiteral("5Gi"); // the taosdata claim of each pod, mounted at /var/lib/taos
    // Empty: logs on the data volume. Else a second claim template "taoslog" of this size (same
    // storage class) mounted at /var/log/taos.
    QString logStorageSize;
    QString timezone = QStringLiteral("UTC"); // the TZ env of taosd
    // TAOS_SERVER_PORT; taosAdapter listens on serverPort + 11 (6041 for 6030), as taosd derives it.
    int serverPort = 6030;
    // taos.cfg keys as TDengine names them (supportVnodes -> "16"), rendered into the ConfigMap as
    // TAOS_SUPPORT_VNODES; the image writes them to taos.cfg at start.
    QMap<QString, QString> taosConfig;
    // Kubernetes quantities; an empty one is omitted from `resources`.
    QString cpuRequest = QStringLiteral("500m");
    QString memoryRequest = QStringLiteral("1Gi");
    QString cpuLimit = QStringLiteral("4");
    QString memoryLimit = QStringLiteral("4Gi");
    // How long a dnode may take to come up (WAL replay, vnode sync) before liveness checks begin:
    // startupProbe failureThreshold = ceil(budget / 10) with periodSeconds 10.
    int startupBudgetSeconds = 3600;
    QString pvcWhenScaled =
        QStringLiteral("Retain"); // persistentVolumeClaimRetentionPolicy: Retain or Delete
    QString pvcWhenDeleted = QStringLiteral("Retain");
    QMap<QString, QString> labels; // extra labels on every object, the pod template and the claims

    // Names of the objects the StatefulSet refers to. Empty: the pattern (name + "-taosd", ...).
    // Set when a cluster applied by hand uses other names (the guide's "taosd"), so that reading it
    // back and applying again keeps its Services and pod FQDNs.
    QString headlessServiceOverride;
    QString clientServiceOverride;
    QString configMapOverride;

    QString headlessServiceName() const; // name + "-taosd" unless overridden
    QString clientServiceName() const;   // name + "-taosadapter" unless overridden
    QString configMapName() const;       // name + "-taoscfg" unless overridden
    int adapterPort() const { return serverPort + 11; }
    QString imageReference() const { return image + u':' + tag; }

    // The defaults above, with taosConfig = the template ConfigMap's entries (supportVnodes 16,
    // debugFlag 131, logKeepDays 7, telemetryReporting 0).
    static ClusterSpec defaults();

    bool operator==(const ClusterSpec &other) const = default;
};

// One thing wrong with a spec. `field` names the ClusterSpec member ("name", "replicas",
// "storageSize", "timezone", "taosConfig.<key>", ...) so that a form can mark it; `message` says
// what is wrong and what to do.
struct SpecProblem
{
    QString field;
    QString message;
};

// Local checks only (no cluster needed; see SpecChecker for those). Empty: the spec can be built.
QList<SpecProblem> validate(const ClusterSpec &spec);
// Choices that build a working cluster but weaken it (2 dnodes: no HA; no anti-affinity), for a
// wizard to show as warnings. Never blocks anything.
QList<SpecProblem> advise(const ClusterSpec &spec);

// Parses a Kubernetes quantity ("5Gi", "500m", "1.5", "2e3", "1k") into its value in base units
// (bytes, cores). False for anything the API server would reject.
bool parseQuantity(const QString &text, double *value);

// The objects to apply, in apply order: ConfigMap, headless Service (clusterIP None,
// publishNotReadyAddresses true), client Service (taosAdapter and native port), StatefulSet.
// Built from the templates in manifests/ (compiled in); assumes validate(spec) is empty.
QList<QJsonObject> buildManifests(const ClusterSpec &spec);

// One "---"-separated YAML stream, each object in kubectl's -o yaml layout after a one-line
// comment saying what it is.
QString manifestsYaml(const QList<QJsonObject> &objects);

// Writes one file per object into `directory` (created if missing): 10-configmap.yaml,
// 20-service-headless.yaml, 30-service-client.yaml, 40-statefulset.yaml, so that
// `kubectl apply -f DIRECTORY` applies them in order. False with `error` set (what, why, what to do).
// With `texts` (one per object, as edited: comments and layout kept), each file holds its text rather
// than the object written anew.
bool exportManifests(const QList<QJsonObject> &objects, const QString &directory, QString *error,
                     const QStringList &texts = {});

// A TDengine StatefulSet (ours, or one applied by hand from the guide) as far as a ClusterSpec can
// say it. `configMap` (optional) supplies taosConfig from its TAOS_* keys; TAOS_* env entries of the
// container win over it, as in the pod. Whatever cannot be represented is listed in `unmapped` as
// a person would name it ("a sidecar container log-shipper", "an env var FOO"); applying the
// result would drop those. The client Service is not referenced by a StatefulSet, so its name
// stays the pattern unless the caller sets clientServiceOverride.
ClusterSpec specFromStatefulSet(const QJsonObject &statefulSet, const QJsonObject &configMap = {},
                                QStringList *unmapped = nullptr);

QString taosEnvName(const QString &configKey); // supportVnodes -> TAOS_SUPPORT_VNODES
QString taosConfigKey(const QString &envName); // TAOS_SUPPORT_VNODES -> supportVnodes
// Real TDengine 3.x taos.cfg keys, for suggestions in an editor (sorted).
QStringList knownTaosConfigKeys();

} // namespace tdkube::deploy
