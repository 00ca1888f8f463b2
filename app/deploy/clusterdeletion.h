#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>

namespace tdkube::kube {
class KubeClient;
}

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

// The plan runs as a recorded operation: ops::planDelete makes its steps, ops::Executor runs them.

} // namespace tdkube::deploy
