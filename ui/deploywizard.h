#pragma once

#include "deploy/clusterspec.h"
#include "deploy/specchecker.h"

#include <QPointer>
#include <QStringList>
#include <QWizard>

namespace tdkube::kube {
class KubeClient;
}
namespace tdkube::taos {
class PasswordStore;
}

namespace tdkube::ui {

class DeployProgressPage;
class DeployReviewPage;

// The deploy wizard: target (context, namespace, name), topology (dnodes, mnodes, anti-affinity),
// storage (a class of the cluster, size, what happens to claims), image and taos.cfg, a review of
// the generated objects (editable YAML, the server's dry-run and a diff against live objects of the
// same names), then the apply and the cluster's progress until 3 dnodes and 3 mnodes are verified.
// Nothing is sent to the cluster but reads and dry-runs before the review page's Apply.
class DeployWizard final : public QWizard
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeployWizard)

public:
    enum Page { TargetPage, TopologyPage, StoragePage, ImagePage, ReviewPage, ProgressPage };

    struct Environment
    {
        kube::KubeClient *client = nullptr;
        QString context;
        QStringList namespaces; // known namespaces, for the picker
        QString defaultNamespace;
        taos::PasswordStore *passwords = nullptr;
    };

    explicit DeployWizard(Environment environment, QWidget *parent = nullptr);
    ~DeployWizard() override;

    const Environment &environment() const { return m_environment; }
    deploy::ClusterSpec &spec() { return m_spec; }
    const deploy::ClusterSpec &spec() const { return m_spec; }
    // What the cluster said about the spec; asks again when the spec's namespace, name or storage
    // class changed since the last answer. `checked` is emitted when the answer arrives.
    const deploy::ClusterCheck &clusterCheck() const { return m_check; }
    bool clusterCheckCurrent() const;
    void checkCluster();
    // The namespace does not exist yet and the person agreed to create it.
    bool createNamespace() const { return m_createNamespace; }
    void setCreateNamespace(bool create) { m_createNamespace = create; }

    DeployReviewPage *reviewPage() const { return m_review; }
    DeployProgressPage *progressPage() const { return m_progress; }

signals:
    void checked();
    // The cluster was applied and verified; the main window opens its page.
    void clusterDeployed(const QString &ns, const QString &name);

private:
    QString checkKey() const;

    Environment m_environment;
    deploy::ClusterSpec m_spec;
    deploy::ClusterCheck m_check;
    QString m_checkedKey;
    QString m_pendingKey;
    bool m_createNamespace = false;
    QPointer<deploy::SpecChecker> m_checker;
    DeployReviewPage *m_review = nullptr;
    DeployProgressPage *m_progress = nullptr;
};

// The problems of `spec` that concern one of `fields` (a field or a prefix such as "taosConfig."),
// as lines for a page's problem label.
QStringList problemLines(const QList<deploy::SpecProblem> &problems, const QStringList &fields);

} // namespace tdkube::ui
