#pragma once

#include "ops/plan.h"

#include <QObject>
#include <QString>

#include <functional>

namespace tdkube::kube {
class KubeClient;
}

namespace tdkube::taos {
class ClusterConnection;
}

namespace tdkube::ops {

// Gathers what a plan is built from: GET the StatefulSet, list its pods (by its selector), the
// namespace's PVCs and ConfigMaps (a failure there is kept in configMapsError, not an error), the PVs and
// the StorageClasses with `client`, and take one TDengine snapshot
// through `connection` (started if it is not; its REST client appears once the port-forward is
// active). All requests run at once; done(facts, error) is called once, never after `context` was
// destroyed, with `error` empty on success or, in plain words, what could not be read and why.
// Waiting for the port-forward gives up after `timeoutMs`.
void gatherFacts(kube::KubeClient *client, taos::ClusterConnection *connection, const QString &ns,
                 const QString &statefulSet, QObject *context,
                 std::function<void(const ClusterFacts &facts, const QString &error)> done,
                 int timeoutMs = 30000);

} // namespace tdkube::ops
