#include "tables.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using tdkube::sandbox::makeTable;
using tdkube::sandbox::TableOptions;

namespace {

// "now" for every test: 2024-05-01T12:00:00Z.
const qint64 kNowMs = QDateTime::fromString(u"2024-05-01T12:00:00Z"_s, Qt::ISODate).toMSecsSinceEpoch();

// An RFC 3339 timestamp `secondsAgo` before kNowMs.
QString ago(qint64 secondsAgo)
{
    return QDateTime::fromMSecsSinceEpoch(kNowMs - secondsAgo * 1000, Qt::UTC).toString(Qt::ISODate);
}

// Parses a JSON literal; %CREATED% etc. are replaced first so fixtures stay readable.
QJsonObject json(QString text)
{
    text.replace(u"%CREATED%"_s, ago(5 * 60 + 3));
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad fixture JSON: %s", qPrintable(error.errorString()));
    return document.object();
}

TableOptions options()
{
    TableOptions result;
    result.nowMs = kNowMs;
    result.resourceVersion = u"123"_s;
    return result;
}

QJsonObject table(const QString &resource, const QJsonObject &object, const TableOptions &opts = options())
{
    return makeTable(resource, {object}, opts);
}

QJsonArray cells(const QString &resource, const QJsonObject &object)
{
    return table(resource, object).value("rows"_L1).toArray().first().toObject().value("cells"_L1).toArray();
}

QStringList columnNames(const QJsonObject &tableObject)
{
    QStringList names;
    const QJsonArray columns = tableObject.value("columnDefinitions"_L1).toArray();
    for (const QJsonValue &column : columns)
        names.append(column.toObject().value("name"_L1).toString());
    return names;
}

QJsonArray strings(const QStringList &values)
{
    return QJsonArray::fromStringList(values);
}

QString cellText(const QJsonArray &row, int index)
{
    return row.at(index).toString();
}

const char *const kRunningPod = R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "tdengine-0", "namespace": "default", "uid": "u-1", "resourceVersion": "42",
               "creationTimestamp": "%CREATED%", "labels": {"app": "tdengine"}},
  "spec": {"nodeName": "sandbox-node-1", "containers": [{"name": "tdengine", "image": "tdengine/tdengine:3.3"}]},
  "status": {"phase": "Running", "podIP": "10.244.1.5", "podIPs": [{"ip": "10.244.1.5"}],
             "conditions": [{"type": "Ready", "status": "True"}, {"type": "Initialized", "status": "True"}],
             "containerStatuses": [{"name": "tdengine", "ready": true, "restartCount": 0,
                                    "state": {"running": {"startedAt": "%CREATED%"}}}]}
})";

} // namespace

class TestTables final : public QObject
{
    Q_OBJECT

private slots:
    // --- table envelope ---------------------------------------------------------------------------

    void makeTable_pods_hasTableEnvelope()
    {
        const QJsonObject result = table(u"pods"_s, json(QString::fromUtf8(kRunningPod)));
        QCOMPARE(result.value("kind"_L1).toString(), u"Table"_s);
        QCOMPARE(result.value("apiVersion"_L1).toString(), u"meta.k8s.io/v1"_s);
        QCOMPARE(result.value("metadata"_L1).toObject(), QJsonObject({{u"resourceVersion"_s, u"123"_s}}));
        QCOMPARE(result.value("rows"_L1).toArray().size(), 1);
    }

    void makeTable_continueToken_isInMetadata()
    {
        TableOptions opts = options();
        opts.continueToken = u"abc"_s;
        const QJsonObject meta = makeTable(u"pods"_s, {}, opts).value("metadata"_L1).toObject();
        QCOMPARE(meta.value("continue"_L1).toString(), u"abc"_s);
        QCOMPARE(meta.value("resourceVersion"_L1).toString(), u"123"_s);
    }

    void makeTable_noObjects_hasEmptyRowsArray()
    {
        const QJsonObject result = makeTable(u"pods"_s, {}, options());
        QVERIFY(result.value("rows"_L1).isArray());
        QVERIFY(result.value("rows"_L1).toArray().isEmpty());
    }

    void makeTable_columnDefinitionsOff_omitsKey()
    {
        TableOptions opts = options();
        opts.includeColumnDefinitions = false;
        const QJsonObject result = table(u"pods"_s, json(QString::fromUtf8(kRunningPod)), opts);
        QVERIFY(!result.contains("columnDefinitions"_L1));
        QCOMPARE(result.value("rows"_L1).toArray().size(), 1);
        QVERIFY(table(u"pods"_s, json(QString::fromUtf8(kRunningPod))).contains("columnDefinitions"_L1));
    }

    void makeTable_defaultIncludeObject_embedsPartialObjectMetadata()
    {
        const QJsonObject pod = json(QString::fromUtf8(kRunningPod));
        TableOptions opts;
        opts.nowMs = kNowMs;
        const QJsonObject row = table(u"pods"_s, pod, opts).value("rows"_L1).toArray().first().toObject();
        const QJsonObject embedded = row.value("object"_L1).toObject();
        QCOMPARE(embedded.value("kind"_L1).toString(), u"PartialObjectMetadata"_s);
        QCOMPARE(embedded.value("apiVersion"_L1).toString(), u"meta.k8s.io/v1"_s);
        QCOMPARE(embedded.value("metadata"_L1).toObject(), pod.value("metadata"_L1).toObject());
        QVERIFY(!embedded.contains("spec"_L1));
    }

    void makeTable_includeObjectObject_embedsFullObject()
    {
        const QJsonObject pod = json(QString::fromUtf8(kRunningPod));
        TableOptions opts = options();
        opts.includeObject = u"Object"_s;
        const QJsonObject row = table(u"pods"_s, pod, opts).value("rows"_L1).toArray().first().toObject();
        QCOMPARE(row.value("object"_L1).toObject(), pod);
    }

    void makeTable_includeObjectNone_omitsObject()
    {
        TableOptions opts = options();
        opts.includeObject = u"None"_s;
        const QJsonObject row = table(u"pods"_s, json(QString::fromUtf8(kRunningPod)), opts)
                                    .value("rows"_L1)
                                    .toArray()
                                    .first()
                                    .toObject();
        QVERIFY(!row.contains("object"_L1));
        QVERIFY(row.contains("cells"_L1));
    }

    // --- pods -------------------------------------------------------------------------------------

    void pods_columnDefinitions_matchApiServer()
    {
        const QJsonObject result = table(u"pods"_s, json(QString::fromUtf8(kRunningPod)));
        QCOMPARE(columnNames(result),
                 QStringList({u"Name"_s, u"Ready"_s, u"Status"_s, u"Restarts"_s, u"Age"_s, u"IP"_s, u"Node"_s,
                              u"Nominated Node"_s, u"Readiness Gates"_s}));
        const QJsonArray columns = result.value("columnDefinitions"_L1).toArray();
        const QList<int> priorities{0, 0, 0, 0, 0, 1, 1, 1, 1};
        for (int i = 0; i < columns.size(); ++i)
            QCOMPARE(columns.at(i).toObject().value("priority"_L1).toInt(-1), priorities.at(i));
        const QJsonObject name = columns.first().toObject();
        QCOMPARE(name.value("format"_L1).toString(), u"name"_s);
        QCOMPARE(name.value("type"_L1).toString(), u"string"_s);
        QVERIFY(
            name.value("description"_L1).toString().startsWith(u"Name must be unique within a namespace."));
        QCOMPARE(columns.at(3).toObject().value("type"_L1).toString(), u"string"_s);
        QVERIFY(columns.at(1).toObject().contains("format"_L1));
    }

    void pod_runningReady_printsLikeKubectl()
    {
        const QJsonArray expected = strings({u"tdengine-0"_s, u"1/1"_s, u"Running"_s, u"0"_s, u"5m3s"_s,
                                             u"10.244.1.5"_s, u"sandbox-node-1"_s, u"<none>"_s, u"<none>"_s});
        QCOMPARE(cells(u"pods"_s, json(QString::fromUtf8(kRunningPod))), expected);
    }

    void pod_runningNotReady_countsOnlyReadyContainers()
    {
        QJsonObject pod = json(QString::fromUtf8(kRunningPod));
        QJsonObject status = pod.value("status"_L1).toObject();
        status.insert(u"containerStatuses"_s,
                      json(uR"({"a":[{"name":"tdengine","ready":false,"restartCount":0,
            "state":{"running":{"startedAt":"%CREATED%"}}}]})"_s)
                          .value("a"_L1));
        pod.insert(u"status"_s, status);
        const QJsonArray row = cells(u"pods"_s, pod);
        QCOMPARE(cellText(row, 1), u"0/1"_s);
        QCOMPARE(cellText(row, 2), u"Running"_s);
    }

    void pod_pendingUnschedulable_showsPending()
    {
        const QJsonObject pod = json(uR"({"metadata":{"name":"tdengine-2","creationTimestamp":"%CREATED%"},
            "spec":{"containers":[{"name":"tdengine","image":"tdengine/tdengine:3.3"}]},
            "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False",
              "reason":"Unschedulable","message":"0/1 nodes are available"}]}})"_s);
        const QJsonArray expected = strings({u"tdengine-2"_s, u"0/1"_s, u"Pending"_s, u"0"_s, u"5m3s"_s,
                                             u"<none>"_s, u"<none>"_s, u"<none>"_s, u"<none>"_s});
        QCOMPARE(cells(u"pods"_s, pod), expected);
    }

    void pod_schedulingGated_showsSchedulingGated()
    {
        const QJsonObject pod = json(uR"({"metadata":{"name":"p","creationTimestamp":"%CREATED%"},
            "spec":{"containers":[{"name":"c"}]},
            "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False",
              "reason":"SchedulingGated"}]}})"_s);
        QCOMPARE(cellText(cells(u"pods"_s, pod), 2), u"SchedulingGated"_s);
    }

    void pod_containerCreating_showsWaitingReason()
    {
        const QJsonObject pod = json(uR"({"metadata":{"name":"tdengine-1","creationTimestamp":"%CREATED%"},
            "spec":{"nodeName":"sandbox-node-2","containers":[{"name":"tdengine"}]},
            "status":{"phase":"Pending","containerStatuses":[{"name":"tdengine","ready":false,"restartCount":0,
              "state":{"waiting":{"reason":"ContainerCreating"}}}]}})"_s);
        const QJsonArray row = cells(u"pods"_s, pod);
        QCOMPARE(cellText(row, 1), u"0/1"_s);
        QCOMPARE(cellText(row, 2), u"ContainerCreating"_s);
        QCOMPARE(cellText(row, 6), u"sandbox-node-2"_s);
    }

    void pod_crashLooping_showsCrashLoopBackOffAndRestartAge()
    {
        const QJsonObject pod = json(uR"({"metadata":{"name":"p","creationTimestamp":"%CREATED%"},
            "spec":{"containers":[{"name":"c"}]},
            "status":{"phase":"Running","containerStatuses":[{"name":"c","ready":false,"restartCount":4,
              "state":{"waiting":{"reason":"CrashLoopBackOff"}},
              "lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"%FINISHED%"}}}]}})"_s
                                         .replace(u"%FINISHED%"_s, ago(6 * 3600 + 26 * 60 + 10)));
        const QJsonArray row = cells(u"pods"_s, pod);
        QCOMPARE(cellText(row, 2), u"CrashLoopBackOff"_s);
        QCOMPARE(cellText(row, 3), u"4 (6h26m ago)"_s);
    }

    void pod_restartsMinutesAgo_showsCountAndLatestTermination()
    {
        // Two containers: the most recent finishedAt (3m ago) wins, counts are summed.
        const QJsonObject pod = json(uR"({"metadata":{"name":"p","creationTimestamp":"%CREATED%"},
            "spec":{"containers":[{"name":"a"},{"name":"b"}]},
            "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[
              {"name":"a","ready":true,"restartCount":2,"state":{"running":{}},
               "lastState":{"terminated":{"exitCode":137,"finishedAt":"%OLD%"}}},
              {"name":"b","ready":true,"restartCount":1,"state":{"running":{}},
               "lastState":{"terminated":{"exitCode":1,"finishedAt":"%NEW%"}}}]}})"_s
                                         .replace(u"%OLD%"_s, ago(3600))
                                         .replace(u"%NEW%"_s, ago(3 * 60)));
        const QJsonArray row = cells(u"pods"_s, pod);
        QCOMPARE(cellText(row, 1), u"2/2"_s);
        QCOMPARE(cellText(row, 2), u"Running"_s);
        QCOMPARE(cellText(row, 3), u"3 (3m ago)"_s);
    }

    void pod_restartsWithoutLastState_showsBareCount()
    {
        const QJsonObject pod = json(uR"({"metadata":{"name":"p","creationTimestamp":"%CREATED%"},
            "spec":{"containers":[{"name":"c"}]},
            "status":{"phase":"Running","containerStatuses":[{"name":"c","ready":true,"restartCount":7,
              "state":{"running":{}}}]}})"_s);
        QCOMPARE(cellText(cells(u"pods"_s, pod), 3), u"7"_s);
    }

    void pod_deletionTimestamp_showsTerminating()
    {
        QJsonObject pod = json(QString::fromUtf8(kRunningPod));
        QJsonObject metadata = pod.value("metadata"_L1).toObject();
        metadata.insert(u"deletionTimestamp"_s, ago(-30));
        pod.insert(u"metadata"_s, metadata);
        const QJsonArray row = cells(u"pods"_s, pod);
        QCOMPARE(cellText(row, 2), u"Terminating"_s);
        QCOMPARE(cellText(row, 1), u"1/1"_s);
    }

    void pod_deletedOnLostNode_showsUnknown()
    {
        const QJsonObject pod = json(uR"({"metadata":{"name":"p","creationTimestamp":"%CREATED%",
              "deletionTimestamp":"%CREATED%"},
            "spec":{"containers":[{"name":"c"}]},
            "status":{"phase":"Running","reason":"NodeLost","containerStatuses":[{"name":"c","ready":true,
              "restartCount":0,"state":{"running":{}}}]}})"_s);
        QCOMPARE(cellText(cells(u"pods"_s, pod), 2), u"Unknown"_s);
    }

    void pod_succeeded_showsCompletedWithRowCondition()
    {
        const QJsonObject pod = json(uR"({"metadata":{"name":"job-x","creationTimestamp":"%CREATED%",
              "deletionTimestamp":"%CREATED%"},
            "spec":{"containers":[{"name":"c"}]},
            "status":{"phase":"Succeeded","containerStatuses":[{"name":"c","ready":false,"restartCount":0,
              "state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}})"_s);
        const QJsonObject row = table(u"pods"_s, pod).value("rows"_L1).toArray().first().toObject();
        // A terminal pod keeps its status even while being deleted.
        QCOMPARE(cellText(row.value("cells"_L1).toArray(), 2), u"Completed"_s);
        QCOMPARE(cellText(row.value("cells"_L1).toArray(), 1), u"0/1"_s);
        const QJsonObject condition = row.value("conditions"_L1).toArray().first().toObject();
        QCOMPARE(condition.value("type"_L1).toString(), u"Completed"_s);
        QCOMPARE(condition.value("reason"_L1).toString(), u"Succeeded"_s);
    }

    void pod_running_hasNoRowConditions()
    {
        const QJsonObject row = table(u"pods"_s, json(QString::fromUtf8(kRunningPod)))
                                    .value("rows"_L1)
                                    .toArray()
                                    .first()
                                    .toObject();
        QVERIFY(!row.contains("conditions"_L1));
    }

    void pod_terminatedWithoutReason_showsExitCodeOrSignal()
    {
        const QJsonObject exitPod = json(uR"({"metadata":{"name":"p","creationTimestamp":"%CREATED%"},
            "spec":{"containers":[{"name":"c"}]},
            "status":{"phase":"Failed","containerStatuses":[{"name":"c","restartCount":0,
              "state":{"terminated":{"exitCode":3}}}]}})"_s);
        QCOMPARE(cellText(cells(u"pods"_s, exitPod), 2), u"ExitCode:3"_s);
        const QJsonObject signalPod = json(uR"({"metadata":{"name":"p","creationTimestamp":"%CREATED%"},
            "spec":{"containers":[{"name":"c"}]},
            "status":{"phase":"Failed","containerStatuses":[{"name":"c","restartCount":0,
              "state":{"terminated":{"exitCode":137,"signal":9}}}]}})"_s);
        QCOMPARE(cellText(cells(u"pods"_s, signalPod), 2), u"Signal:9"_s);
    }

    void pod_completedContainerWithRunningSibling_showsRunningOrNotReady()
    {
        const QString text = uR"({"metadata":{"name":"p","creationTimestamp":"%CREATED%"},
            "spec":{"containers":[{"name":"a"},{"name":"b"}]},
            "status":{"phase":"Running","conditions":[{"type":"Ready","status":"%READY%"}],"containerStatuses":[
              {"name":"a","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
              {"name":"b","ready":true,"restartCount":0,"state":{"running":{}}}]}})"_s;
        QCOMPARE(cellText(cells(u"pods"_s, json(QString(text).replace(u"%READY%"_s, u"True"_s))), 2),
                 u"Running"_s);
        QCOMPARE(cellText(cells(u"pods"_s, json(QString(text).replace(u"%READY%"_s, u"False"_s))), 2),
                 u"NotReady"_s);
    }

    void pod_initContainerPending_showsInitProgress()
    {
        const QJsonObject pod = json(uR"({"metadata":{"name":"p","creationTimestamp":"%CREATED%"},
            "spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"c"}]},
            "status":{"phase":"Pending",
              "initContainerStatuses":[
                {"name":"i1","restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
                {"name":"i2","restartCount":0,"state":{"running":{}}}],
              "containerStatuses":[{"name":"c","restartCount":0,"state":{"waiting":{"reason":"PodInitializing"}}}]}})"_s);
        const QJsonArray row = cells(u"pods"_s, pod);
        QCOMPARE(cellText(row, 2), u"Init:1/2"_s);
        QCOMPARE(cellText(row, 1), u"0/1"_s);
    }

    void pod_initContainerFailing_showsInitReason()
    {
        const QJsonObject crashing = json(uR"({"metadata":{"name":"p","creationTimestamp":"%CREATED%"},
            "spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"c"}]},
            "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","restartCount":3,
              "state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}})"_s);
        const QJsonArray row = cells(u"pods"_s, crashing);
        QCOMPARE(cellText(row, 2), u"Init:CrashLoopBackOff"_s);
        QCOMPARE(cellText(row, 3), u"3"_s);
        const QJsonObject failed = json(uR"({"metadata":{"name":"p","creationTimestamp":"%CREATED%"},
            "spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"c"}]},
            "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","restartCount":0,
              "state":{"terminated":{"exitCode":2}}}]}})"_s);
        QCOMPARE(cellText(cells(u"pods"_s, failed), 2), u"Init:ExitCode:2"_s);
    }

    void pod_sidecarInitContainer_countsAsContainer()
    {
        const QJsonObject pod = json(uR"({"metadata":{"name":"p","creationTimestamp":"%CREATED%"},
            "spec":{"initContainers":[{"name":"proxy","restartPolicy":"Always"}],"containers":[{"name":"c"}]},
            "status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True"}],
              "initContainerStatuses":[{"name":"proxy","started":true,"ready":true,"restartCount":1,
                "state":{"running":{}}}],
              "containerStatuses":[{"name":"c","ready":true,"restartCount":0,"state":{"running":{}}}]}})"_s);
        const QJsonArray row = cells(u"pods"_s, pod);
        QCOMPARE(cellText(row, 1), u"2/2"_s);
        QCOMPARE(cellText(row, 2), u"Running"_s);
        QCOMPARE(cellText(row, 3), u"1"_s);
    }

    void pod_readinessGates_countsTrueConditions()
    {
        const QJsonObject pod = json(uR"({"metadata":{"name":"p","creationTimestamp":"%CREATED%"},
            "spec":{"containers":[{"name":"c"}],"readinessGates":[{"conditionType":"a.io/x"},{"conditionType":"b.io/y"}]},
            "status":{"phase":"Running","nominatedNodeName":"n2","conditions":[
              {"type":"a.io/x","status":"True"},{"type":"b.io/y","status":"False"}]}})"_s);
        const QJsonArray row = cells(u"pods"_s, pod);
        QCOMPARE(cellText(row, 8), u"1/2"_s);
        QCOMPARE(cellText(row, 7), u"n2"_s);
    }

    void pod_missingCreationTimestamp_showsUnknownAge()
    {
        const QJsonObject pod = json(uR"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}})"_s);
        QCOMPARE(cellText(cells(u"pods"_s, pod), 4), u"<unknown>"_s);
    }

    // --- persistent volume claims and volumes ------------------------------------------------------

    void pvc_bound_showsVolumeCapacityAndModes()
    {
        const QJsonObject claim =
            json(uR"({"metadata":{"name":"data-tdengine-0","creationTimestamp":"%CREATED%"},
            "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"10Gi"}},
                    "storageClassName":"standard","volumeName":"pvc-1234","volumeMode":"Filesystem"},
            "status":{"phase":"Bound","accessModes":["ReadWriteOnce"],"capacity":{"storage":"10Gi"}}})"_s);
        const TableResult result = tableResult(u"persistentvolumeclaims"_s, claim);
        QCOMPARE(result.columns,
                 QStringList({u"Name"_s, u"Status"_s, u"Volume"_s, u"Capacity"_s, u"Access Modes"_s,
                              u"StorageClass"_s, u"VolumeAttributesClass"_s, u"Age"_s, u"VolumeMode"_s}));
        QCOMPARE(result.cells, strings({u"data-tdengine-0"_s, u"Bound"_s, u"pvc-1234"_s, u"10Gi"_s, u"RWO"_s,
                                        u"standard"_s, u"<unset>"_s, u"5m3s"_s, u"Filesystem"_s}));
    }

    void pvc_pending_leavesVolumeCapacityAndModesEmpty()
    {
        const QJsonObject claim =
            json(uR"({"metadata":{"name":"data-tdengine-1","creationTimestamp":"%CREATED%"},
            "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"10Gi"}},
                    "storageClassName":"standard"},
            "status":{"phase":"Pending"}})"_s);
        QCOMPARE(cells(u"persistentvolumeclaims"_s, claim),
                 strings({u"data-tdengine-1"_s, u"Pending"_s, QString(), QString(), QString(), u"standard"_s,
                          u"<unset>"_s, u"5m3s"_s, u"Filesystem"_s}));
    }

    void pvc_deleting_showsTerminating()
    {
        const QJsonObject claim = json(uR"({"metadata":{"name":"d","creationTimestamp":"%CREATED%",
            "deletionTimestamp":"%CREATED%","annotations":{"volume.beta.kubernetes.io/storage-class":"old"}},
            "spec":{"storageClassName":"standard"},"status":{"phase":"Bound"}})"_s);
        const QJsonArray row = cells(u"persistentvolumeclaims"_s, claim);
        QCOMPARE(cellText(row, 1), u"Terminating"_s);
        QCOMPARE(cellText(row, 5), u"old"_s);
    }

    void pv_bound_showsClaimAndPolicy()
    {
        const QJsonObject volume = json(uR"({"metadata":{"name":"pvc-1234","creationTimestamp":"%CREATED%"},
            "spec":{"capacity":{"storage":"10Gi"},"accessModes":["ReadWriteMany","ReadWriteOnce"],
                    "persistentVolumeReclaimPolicy":"Delete","storageClassName":"standard",
                    "claimRef":{"namespace":"default","name":"data-tdengine-0"},"volumeMode":"Filesystem"},
            "status":{"phase":"Bound"}})"_s);
        QCOMPARE(cells(u"persistentvolumes"_s, volume),
                 strings({u"pvc-1234"_s, u"10Gi"_s, u"RWO,RWX"_s, u"Delete"_s, u"Bound"_s,
                          u"default/data-tdengine-0"_s, u"standard"_s, u"<unset>"_s, QString(), u"5m3s"_s,
                          u"Filesystem"_s}));
    }

    // --- services ---------------------------------------------------------------------------------

    void service_clusterIp_showsPortsAndNoExternalIp()
    {
        const QJsonObject service = json(uR"({"metadata":{"name":"tdengine","creationTimestamp":"%CREATED%"},
            "spec":{"type":"ClusterIP","clusterIP":"10.96.12.7","clusterIPs":["10.96.12.7"],
                    "selector":{"app":"tdengine","tier":"db"},
                    "ports":[{"name":"native","port":6030,"protocol":"TCP"},{"name":"rest","port":6041}]}})"_s);
        const TableResult result = tableResult(u"services"_s, service);
        QCOMPARE(result.columns, QStringList({u"Name"_s, u"Type"_s, u"Cluster-IP"_s, u"External-IP"_s,
                                              u"Port(s)"_s, u"Age"_s, u"Selector"_s}));
        QCOMPARE(result.cells, strings({u"tdengine"_s, u"ClusterIP"_s, u"10.96.12.7"_s, u"<none>"_s,
                                        u"6030/TCP,6041/TCP"_s, u"5m3s"_s, u"app=tdengine,tier=db"_s}));
    }

    void service_headless_showsNone()
    {
        const QJsonObject service =
            json(uR"({"metadata":{"name":"tdengine-hl","creationTimestamp":"%CREATED%"},
            "spec":{"clusterIP":"None","clusterIPs":["None"],"ports":[{"port":6030,"protocol":"TCP"}]}})"_s);
        const QJsonArray row = cells(u"services"_s, service);
        QCOMPARE(cellText(row, 1), u"ClusterIP"_s);
        QCOMPARE(cellText(row, 2), u"None"_s);
        QCOMPARE(cellText(row, 3), u"<none>"_s);
        QCOMPARE(cellText(row, 6), u"<none>"_s);
    }

    void service_nodePortAndLoadBalancer_showNodePortsAndIngress()
    {
        const QJsonObject nodePort = json(uR"({"metadata":{"name":"np","creationTimestamp":"%CREATED%"},
            "spec":{"type":"NodePort","clusterIPs":["10.96.0.9"],
                    "ports":[{"port":6041,"nodePort":30041,"protocol":"TCP"}]}})"_s);
        QCOMPARE(cellText(cells(u"services"_s, nodePort), 4), u"6041:30041/TCP"_s);
        const QJsonObject pending = json(uR"({"metadata":{"name":"lb","creationTimestamp":"%CREATED%"},
            "spec":{"type":"LoadBalancer","clusterIPs":["10.96.0.10"],"ports":[{"port":80,"protocol":"TCP"}]}})"_s);
        QCOMPARE(cellText(cells(u"services"_s, pending), 3), u"<pending>"_s);
        QJsonObject assigned = pending;
        assigned.insert(u"status"_s, json(uR"({"loadBalancer":{"ingress":[{"ip":"172.18.0.100"}]}})"_s));
        QCOMPARE(cellText(cells(u"services"_s, assigned), 3), u"172.18.0.100"_s);
    }

    // --- statefulsets, configmaps, namespaces ------------------------------------------------------

    void statefulSet_twoOfThreeReady_showsRatio()
    {
        const QJsonObject set = json(uR"({"metadata":{"name":"tdengine","creationTimestamp":"%CREATED%"},
            "spec":{"replicas":3,"template":{"spec":{"containers":[
              {"name":"tdengine","image":"tdengine/tdengine:3.3"},{"name":"exporter","image":"taos/exporter"}]}}},
            "status":{"replicas":3,"readyReplicas":2}})"_s);
        const TableResult result = tableResult(u"statefulsets"_s, set);
        QCOMPARE(result.columns,
                 QStringList({u"Name"_s, u"Ready"_s, u"Age"_s, u"Containers"_s, u"Images"_s}));
        QCOMPARE(result.cells, strings({u"tdengine"_s, u"2/3"_s, u"5m3s"_s, u"tdengine,exporter"_s,
                                        u"tdengine/tdengine:3.3,taos/exporter"_s}));
    }

    void statefulSet_noStatus_showsZeroReady()
    {
        const QJsonObject set = json(uR"({"metadata":{"name":"s","creationTimestamp":"%CREATED%"},
            "spec":{"template":{"spec":{"containers":[]}}}})"_s);
        QCOMPARE(cellText(cells(u"statefulsets"_s, set), 1), u"0/1"_s);
    }

    void configMap_dataAndBinaryData_countedAsNumber()
    {
        const QJsonObject configMap =
            json(uR"({"metadata":{"name":"taos-cfg","creationTimestamp":"%CREATED%"},
            "data":{"taos.cfg":"x","entrypoint.sh":"y"},"binaryData":{"blob":"AAAA"}})"_s);
        const QJsonArray row = cells(u"configmaps"_s, configMap);
        QVERIFY(row.at(1).isDouble());
        QCOMPARE(row.at(1).toInteger(), 3);
        QCOMPARE(cellText(row, 2), u"5m3s"_s);
        const QJsonObject empty = json(uR"({"metadata":{"name":"e","creationTimestamp":"%CREATED%"}})"_s);
        QCOMPARE(cells(u"configmaps"_s, empty).at(1).toInteger(-1), 0);
    }

    void namespace_active_showsStatus()
    {
        const QJsonObject ns = json(uR"({"metadata":{"name":"tdengine","creationTimestamp":"%CREATED%"},
            "status":{"phase":"Active"}})"_s);
        QCOMPARE(cells(u"namespaces"_s, ns), strings({u"tdengine"_s, u"Active"_s, u"5m3s"_s}));
        const QJsonObject deleting = json(uR"({"metadata":{"name":"old","creationTimestamp":"%CREATED%",
            "deletionTimestamp":"%CREATED%"},"status":{"phase":"Terminating"}})"_s);
        QCOMPARE(cellText(cells(u"namespaces"_s, deleting), 1), u"Terminating"_s);
    }

    // --- nodes ------------------------------------------------------------------------------------

    void node_readyControlPlane_showsRolesAndVersion()
    {
        // %RUNTIME% is substituted because moc reads a "//" inside a raw string as a comment.
        const QJsonObject node =
            json(uR"({"metadata":{"name":"sandbox-node-1","creationTimestamp":"%CREATED%",
              "labels":{"node-role.kubernetes.io/control-plane":"","kubernetes.io/role":"db",
                        "kubernetes.io/hostname":"sandbox-node-1"}},
            "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
              "addresses":[{"type":"InternalIP","address":"172.18.0.2"},{"type":"Hostname","address":"n1"}],
              "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Debian GNU/Linux 12",
                          "kernelVersion":"6.1.0","containerRuntimeVersion":"%RUNTIME%"}}})"_s.replace(
                u"%RUNTIME%"_s, u"containerd://1.7.24"_s));
        const TableResult result = tableResult(u"nodes"_s, node);
        QCOMPARE(result.columns,
                 QStringList({u"Name"_s, u"Status"_s, u"Roles"_s, u"Age"_s, u"Version"_s, u"Internal-IP"_s,
                              u"External-IP"_s, u"OS-Image"_s, u"Kernel-Version"_s, u"Container-Runtime"_s}));
        QCOMPARE(result.cells, strings({u"sandbox-node-1"_s, u"Ready"_s, u"control-plane,db"_s, u"5m3s"_s,
                                        u"v1.32.0"_s, u"172.18.0.2"_s, u"<none>"_s, u"Debian GNU/Linux 12"_s,
                                        u"6.1.0"_s, u"containerd://1.7.24"_s}));
    }

    void node_notReadyCordoned_showsNotReadySchedulingDisabled()
    {
        const QJsonObject node = json(uR"({"metadata":{"name":"n2","creationTimestamp":"%CREATED%"},
            "spec":{"unschedulable":true},
            "status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})"_s);
        const QJsonArray row = cells(u"nodes"_s, node);
        QCOMPARE(cellText(row, 1), u"NotReady,SchedulingDisabled"_s);
        QCOMPARE(cellText(row, 2), u"<none>"_s);
        QCOMPARE(cellText(row, 7), u"<unknown>"_s);
        const QJsonObject bare = json(uR"({"metadata":{"name":"n3","creationTimestamp":"%CREATED%"}})"_s);
        QCOMPARE(cellText(cells(u"nodes"_s, bare), 1), u"Unknown"_s);
    }

    // --- storage classes --------------------------------------------------------------------------

    void storageClass_defaultAnnotation_marksNameDefault()
    {
        const QJsonObject storageClass =
            json(uR"({"metadata":{"name":"standard","creationTimestamp":"%CREATED%",
              "annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},
            "provisioner":"rancher.io/local-path","reclaimPolicy":"Delete",
            "volumeBindingMode":"WaitForFirstConsumer"})"_s);
        const TableResult result = tableResult(u"storageclasses"_s, storageClass);
        QCOMPARE(result.columns, QStringList({u"Name"_s, u"Provisioner"_s, u"ReclaimPolicy"_s,
                                              u"VolumeBindingMode"_s, u"AllowVolumeExpansion"_s, u"Age"_s}));
        QCOMPARE(result.cells, QJsonArray({u"standard (default)"_s, u"rancher.io/local-path"_s, u"Delete"_s,
                                           u"WaitForFirstConsumer"_s, false, u"5m3s"_s}));
        const QJsonObject plain = json(uR"({"metadata":{"name":"fast","creationTimestamp":"%CREATED%"},
            "provisioner":"x","allowVolumeExpansion":true})"_s);
        QCOMPARE(cells(u"storageclasses"_s, plain),
                 QJsonArray({u"fast"_s, u"x"_s, u"Delete"_s, u"Immediate"_s, true, u"5m3s"_s}));
    }

    // --- events -----------------------------------------------------------------------------------

    void event_coreV1_printsLastSeenObjectAndCount()
    {
        const QJsonObject event =
            json(uR"({"metadata":{"name":"tdengine-0.17c","creationTimestamp":"%CREATED%"},
            "involvedObject":{"kind":"Pod","name":"tdengine-0","fieldPath":"spec.containers{tdengine}"},
            "reason":"Pulled","message":"Container image already present\n","type":"Normal","count":4,
            "source":{"component":"kubelet","host":"sandbox-node-1"},
            "firstTimestamp":"%FIRST%","lastTimestamp":"%LAST%"})"_s.replace(u"%FIRST%"_s, ago(3600))
                     .replace(u"%LAST%"_s, ago(42)));
        const TableResult result = tableResult(u"events"_s, event);
        QCOMPARE(result.columns,
                 QStringList({u"Last Seen"_s, u"Type"_s, u"Reason"_s, u"Object"_s, u"Subobject"_s,
                              u"Source"_s, u"Message"_s, u"First Seen"_s, u"Count"_s, u"Name"_s}));
        QCOMPARE(result.cells,
                 QJsonArray({u"42s"_s, u"Normal"_s, u"Pulled"_s, u"pod/tdengine-0"_s,
                             u"spec.containers{tdengine}"_s, u"kubelet, sandbox-node-1"_s,
                             u"Container image already present"_s, u"60m"_s, 4, u"tdengine-0.17c"_s}));
    }

    void event_singletonWithEventTimeOnly_countsOne()
    {
        const QJsonObject event = json(uR"({"metadata":{"name":"e","creationTimestamp":"%CREATED%"},
            "involvedObject":{"kind":"StatefulSet","name":"tdengine"},"reason":"SuccessfulCreate",
            "type":"Normal","message":"create Pod tdengine-0","reportingComponent":"",
            "reportingController":"statefulset-controller","eventTime":"%EVENT%"})"_s.replace(u"%EVENT%"_s,
                                                                                              ago(90)));
        const QJsonArray row = cells(u"events"_s, event);
        QCOMPARE(cellText(row, 0), u"90s"_s);
        QCOMPARE(cellText(row, 3), u"statefulset/tdengine"_s);
        QCOMPARE(cellText(row, 5), u"statefulset-controller"_s);
        QCOMPARE(cellText(row, 7), u"90s"_s);
        QCOMPARE(row.at(8).toInteger(), 1);
    }

    // --- everything else --------------------------------------------------------------------------

    void generic_unknownResource_printsNameAndCreatedAt()
    {
        const QJsonObject lease = json(
            uR"({"metadata":{"name":"tdkube-leader","creationTimestamp":"2024-04-30T08:15:00+02:00"}})"_s);
        const TableResult result = tableResult(u"leases"_s, lease);
        QCOMPARE(result.columns, QStringList({u"Name"_s, u"Created At"_s}));
        QCOMPARE(result.cells, strings({u"tdkube-leader"_s, u"2024-04-30T06:15:00Z"_s}));
        const QJsonObject createdAt =
            table(u"leases"_s, lease).value("columnDefinitions"_L1).toArray().at(1).toObject();
        QCOMPARE(createdAt.value("type"_L1).toString(), u"date"_s);
    }

private:
    struct TableResult
    {
        QStringList columns;
        QJsonArray cells;
    };

    static TableResult tableResult(const QString &resource, const QJsonObject &object)
    {
        const QJsonObject result = table(resource, object);
        return {columnNames(result),
                result.value("rows"_L1).toArray().first().toObject().value("cells"_L1).toArray()};
    }
};

QTEST_APPLESS_MAIN(TestTables)
#include "tst_tables.moc"
