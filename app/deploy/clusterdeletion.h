#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>

namespace tdkube::kube {
class KubeClient;
struct KubeResponse;
} // namespace tdkube::kube

namespace tdkube::deploy {

// One object a deletion removes, and what that means in plain words, e.g. for a PVC: "PV pvc-1234
// (reclaim policy Delete): the volume and its data are destroyed".
struct DeletionItem
{
    QString kind;
    QString name;
    QString consequence;
};

// What "delete this TDengine cluster" removes. `claims` lists the PVCs whether or not they are
// deleted; only with `deleteClaims` are they (the UI asks for a typed confirmation first).
struct DeletionPlan
{
    QString ns, statefulSet;
    QStringList pods;            // the StatefulSet's pods at planning time, to wait for
    QList<DeletionItem> objects; // StatefulSet, Services, ConfigMaps: deleted in this order
    QList<DeletionItem> claims;  // the PVCs of its volumeClaimTemplates, by template then ordinal
    bool deleteClaims = false;
    QStringList warnings; // what a person should know before confirming
};

// From the live objects of the cluster: the StatefulSet; its serviceName Service and the Services
// whose selector matches its pod labels; the ConfigMaps its pod template references (envFrom, env
// valueFrom, volumes); the PVCs `<template>-<sts>-<N>` of every ordinal that exists, with their PVs.
// `pods` are the namespace's pods (those named `<sts>-<N>` are the StatefulSet's). Pure.
DeletionPlan planDeletion(const QJsonObject &statefulSet, const QList<QJsonObject> &services,
                          const QList<QJsonObject> &configMaps, const QList<QJsonObject> &claims,
                          const QList<QJsonObject> &volumes, bool deleteClaims,
                          const QList<QJsonObject> &pods = {});

// Gathers those objects with KubeClient (GET the StatefulSet, list Services, ConfigMaps, PVCs and
// pods of `ns`, and PVs), then calls planDeletion; done(plan, error), error "" on success.
void gatherDeletionPlan(kube::KubeClient *client, const QString &ns, const QString &statefulSet,
                        bool deleteClaims, QObject *context,
                        std::function<void(const DeletionPlan &plan, const QString &error)> done);

// Runs a plan: deletes the StatefulSet (propagation Background) and waits until it and its pods are
// gone, then the Services, then the ConfigMaps, and only when plan.deleteClaims, and only after
// every pod of the StatefulSet is gone, the PVCs. Each object is waited for (GET every 500 ms) until
// the API server no longer has it; something that does not go within the timeout stops the run
// with what to check. An object already gone counts as deleted, so a stopped run can be restarted
// with the same plan. Progress steps read "Deleting StatefulSet tdengine", "Waiting for pods
// tdengine-0, tdengine-1 to go", ...
class ClusterDeleter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterDeleter)

public:
    ClusterDeleter(kube::KubeClient *client, DeletionPlan plan, QObject *parent = nullptr);
    ~ClusterDeleter() override;

    // How long one object (or the pods together) may take to go; 5 minutes by default.
    void setTimeout(int milliseconds) { m_timeoutMs = milliseconds; }
    void start();
    bool isRunning() const { return m_running; }

signals:
    void progress(const QString &step, const QString &detail);
    void itemGone(const QString &kind, const QString &name);
    void finished(bool ok, const QString &error);

private:
    struct Step
    {
        enum Action { Delete, WaitForPods } action;
        DeletionItem item;
    };
    void runStep();
    void deleteItem(const DeletionItem &item);
    void waitGone(const DeletionItem &item);
    void pollPods();
    void stepDone();
    void fail(const QString &error);

    kube::KubeClient *m_client;
    DeletionPlan m_plan;
    QList<Step> m_steps;
    qsizetype m_step = 0;
    QSet<QString> m_podsLeft;
    bool m_podsShown = false; // the pods left were reported since the step began
    QElapsedTimer m_stepTimer;
    int m_timeoutMs = 5 * 60 * 1000;
    bool m_running = false;
};

} // namespace tdkube::deploy
