#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace tdkube::kube {
class KubeClient;
struct KubeResponse;
} // namespace tdkube::kube

namespace tdkube::deploy {

// One field another manager owns, from a 409's Status details.causes (reason FieldManagerConflict).
struct FieldConflict
{
    QString field;   // as the API server prints it: ".spec.replicas"
    QString manager; // "kubectl-client-side-apply", from the cause's message
    QString message; // the cause's message: conflict with "kubectl-client-side-apply" using apps/v1
};

struct ObjectResult
{
    QJsonObject desired; // what we asked for
    QString kind, name, ns;
    bool existed = false; // a live object of that name was there
    QJsonObject live;     // comparable(live) when it existed
    QJsonObject result;   // what the server answered (dry-run or real), comparable()
    QString diff;         // unifiedDiff(toYaml(live) or "", toYaml(result)); "" when unchanged
    bool unchanged = false;
    QString error;                  // what failed, the API server's Status.message, what to do ("" when fine)
    QList<FieldConflict> conflicts; // non-empty for a 409 conflict: which fields, which managers own them

    bool ok() const { return error.isEmpty(); }
};

// The conflicts of a server-side apply's 409 (Status reason Conflict, details.causes of reason
// FieldManagerConflict); empty for any other answer.
QList<FieldConflict> conflictsOf(const kube::KubeResponse &response);

// Applies objects in order with server-side apply (fieldManager tdkube). preview(): GET each live
// object, then apply with dryRun=All; every object is tried (errors do not stop a preview), nothing
// changes on the cluster. apply(): for real, in order, stopping at the first failure (later objects
// are not sent, and have no result); `force` re-applies taking ownership of conflicting fields.
// A namespaced object without metadata.namespace goes to `defaultNamespace`. An object of a kind
// KubeClient does not know, or without a name, is an error for that object.
// One run at a time: preview() or apply() while running is ignored. cancel() drops what is in
// flight (the server may still complete a request already sent) and finishes with ok = false.
class ApplySet final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApplySet)

public:
    ApplySet(kube::KubeClient *client, QList<QJsonObject> objects, QString defaultNamespace,
             QObject *parent = nullptr);
    ~ApplySet() override;

    void preview();
    void apply(bool force = false);
    void cancel();
    // One per object handled so far, in the order of the objects.
    const QList<ObjectResult> &results() const { return m_results; }
    bool isRunning() const { return m_context != nullptr; }

signals:
    void objectDone(int index, const tdkube::deploy::ObjectResult &result);
    void finished(bool ok); // ok: every object succeeded

private:
    void start(bool dryRun, bool force);
    void next();
    void fetchLive(ObjectResult result);
    void gotLive(ObjectResult result, const kube::KubeResponse &response);
    void send(ObjectResult result);
    void applied(ObjectResult result, const kube::KubeResponse &response);
    void done(const ObjectResult &result);
    void finish();

    kube::KubeClient *m_client;
    QList<QJsonObject> m_objects;
    QString m_defaultNamespace;
    QList<ObjectResult> m_results;
    QObject *m_context = nullptr; // parent of the callbacks of one run: deleting it drops them
    bool m_dryRun = true;
    bool m_force = false;
};

// Creates the namespace (a v1 Namespace labelled app.kubernetes.io/managed-by=tdkube); done(error)
// with "" on success. One that exists already is fine (done("")), so a deploy can be re-run.
void createNamespace(kube::KubeClient *client, const QString &name, QObject *context,
                     std::function<void(const QString &error)> done);

} // namespace tdkube::deploy
