#pragma once

#include "ops/executor.h"

#include <QString>

namespace tdkube::kube {
class KubeClient;
}
namespace tdkube::taos {
class ClusterConnection;
class PasswordStore;
} // namespace tdkube::taos

namespace tdkube::ui {

// What a wizard that plans and runs an operation on one TDengine cluster works with (ScaleWizard,
// ConfigureWizard): the session's client, the cluster page's connection, where the cluster is.
struct OperationEnvironment
{
    kube::KubeClient *client = nullptr;            // must outlive the wizard
    taos::ClusterConnection *connection = nullptr; // the cluster page's; read-only use
    taos::PasswordStore *passwords = nullptr;      // must outlive the wizard
    QString context;
    QString ns;
    QString statefulSet;
    int pollIntervalMs = ops::Executor::kDefaultPollIntervalMs;
};

} // namespace tdkube::ui
