#pragma once

#include "deploy/clusterspec.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

namespace tdkube::kube {
class KubeClient;
struct KubeResponse;
} // namespace tdkube::kube

namespace tdkube::deploy {

struct StorageClassInfo
{
    QString name;
    QString provisioner;
    QString reclaimPolicy;     // what happens to a PV when its claim is deleted: Delete or Retain
    QString volumeBindingMode; // Immediate or WaitForFirstConsumer
    bool isDefault = false;    // storageclass.kubernetes.io/is-default-class: "true"
};

// What the cluster says about a spec before anything is applied.
struct ClusterCheck
{
    // Unknown storage class (naming the classes that exist), no default class for an empty one,
    // Forbidden and other failed answers in the server's words. Empty: nothing stands in the way.
    QList<SpecProblem> problems;
    bool namespaceExists = true; // false: the wizard offers to create it
    QList<StorageClassInfo> storageClasses;
    // Objects of the spec's names that exist already ("StatefulSet tdengine", "Service
    // tdengine-taosd"): applying will change them.
    QStringList existing;
};

// The checks of a ClusterSpec that need the cluster: storage classes, the namespace, objects of the
// same names. Runs the requests in parallel through `client`; a new check() abandons one still
// running (its answers are ignored). Costs 6 small GETs/LISTs.
class SpecChecker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SpecChecker)

public:
    explicit SpecChecker(kube::KubeClient *client, QObject *parent = nullptr);
    ~SpecChecker() override;

    void check(const ClusterSpec &spec);

signals:
    // Once per check(), after every answer arrived.
    void finished(const tdkube::deploy::ClusterCheck &check);

private:
    void checkStorageClasses(const kube::KubeResponse &response);
    void checkNamespace(const kube::KubeResponse &response);
    void checkExisting(const QString &label, const kube::KubeResponse &response);
    void answered();

    kube::KubeClient *m_client;
    ClusterSpec m_spec;
    ClusterCheck m_result;
    int m_pending = 0;
    int m_generation = 0; // of the latest check(); older answers are ignored
};

} // namespace tdkube::deploy
