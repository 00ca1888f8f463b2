#include "deploy/applyset.h"

#include "deploy/diff.h"
#include "kube/kubeclient.h"
#include "kube/yamlwriter.h"

#include <QJsonDocument>
#include <QRegularExpression>

namespace tdkube::deploy {

using namespace Qt::StringLiterals;
using kube::KubeResponse;
using kube::ResourceKind;

namespace {

QString describeObject(const ObjectResult &r)
{
    //: %1 is a kind (StatefulSet), %2 the object's name, %3 its namespace
    return r.ns.isEmpty() ? u"%1 %2"_s.arg(r.kind, r.name)
                          : ApplySet::tr("%1 %2 in namespace %3").arg(r.kind, r.name, r.ns);
}

// The manager in a cause's message: conflict with "NAME" [with subresource "S"] [using V]. The name
// is Go-quoted (%q), so \" and \\ are unescaped.
QString managerOf(const QString &message)
{
    static const QRegularExpression quoted(uR"re(conflict with "((?:[^"\\]|\\.)*)")re"_s);
    QString name = quoted.match(message).captured(1);
    name.replace(u"\\\""_s, u"\""_s);
    name.replace(u"\\\\"_s, u"\\"_s);
    return name;
}

QString conflictError(const ObjectResult &r, const QString &serverMessage)
{
    QStringList owners;
    for (const FieldConflict &c : r.conflicts)
        //: %1 is a field path (.spec.replicas), %2 the field manager that owns it (kubectl-client-side-apply)
        owners << ApplySet::tr("%1 (owned by %2)").arg(c.field, c.manager.isEmpty() ? c.message : c.manager);
    //: %1: the object ("StatefulSet tdengine in namespace db"), %2 the fields and their owners, %3 the API
    //: server's message (English)
    return ApplySet::tr(
               "Applying %1 failed: other field managers own fields this manifest sets to different "
               "values: %2.\n"
               "The API server said: %3\n"
               "Apply with force to take these fields over (their values are overwritten, and whoever "
               "set them may set them back), or change the manifest to keep the live values.")
        .arg(describeObject(r), owners.join(u", "_s), serverMessage);
}

} // namespace

QList<FieldConflict> conflictsOf(const KubeResponse &response)
{
    QList<FieldConflict> conflicts;
    if (response.httpStatus != 409 || response.status.reason != u"Conflict")
        return conflicts;
    for (const kube::ApiStatus::Cause &cause : response.status.causes) {
        if (cause.reason == u"FieldManagerConflict")
            conflicts.append({cause.field, managerOf(cause.message), cause.message});
    }
    return conflicts;
}

ApplySet::ApplySet(kube::KubeClient *client, QList<QJsonObject> objects, QString defaultNamespace,
                   QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_objects(std::move(objects))
    , m_defaultNamespace(std::move(defaultNamespace))
{
}

ApplySet::~ApplySet() = default;

void ApplySet::preview()
{
    start(true, false);
}

void ApplySet::apply(bool force)
{
    start(false, force);
}

void ApplySet::cancel()
{
    if (!isRunning())
        return;
    // Later, not now: cancel() may be called from a slot that runs inside one of its callbacks.
    m_context->deleteLater();
    m_context = nullptr;
    emit finished(false);
}

void ApplySet::start(bool dryRun, bool force)
{
    if (isRunning())
        return;
    m_dryRun = dryRun;
    m_force = force;
    m_results.clear();
    m_context = new QObject(this);
    // Queued, so that finished() never comes from inside preview()/apply(), even for no objects.
    QMetaObject::invokeMethod(
        m_context,
        [this, run = m_context] {
            if (run == m_context)
                next();
        },
        Qt::QueuedConnection);
}

void ApplySet::next()
{
    const qsizetype index = m_results.size();
    if (index == m_objects.size()) {
        finish();
        return;
    }
    ObjectResult result;
    result.desired = m_objects.at(index);
    result.kind = result.desired.value(u"kind").toString();
    const QJsonObject metadata = result.desired.value(u"metadata").toObject();
    result.name = metadata.value(u"name").toString();
    const ResourceKind kind =
        ResourceKind::fromApiVersionKind(result.desired.value(u"apiVersion").toString(), result.kind);
    if (kind.namespaced)
        result.ns = metadata.value(u"namespace").toString(m_defaultNamespace);
    if (!kind.isValid()) {
        //: %1 is the object's kind (or "(no kind)"), %2 its name, %3 its apiVersion
        result.error =
            tr("%1 %2 cannot be applied: tdkube does not know the kind %1 of apiVersion \"%3\". It manages "
               "Namespaces, ConfigMaps, Services, StatefulSets, PersistentVolumeClaims and the other kinds a "
               "TDengine cluster uses; check apiVersion and kind, or apply this object with kubectl.")
                .arg(result.kind.isEmpty() ? tr("(no kind)") : result.kind, result.name,
                     result.desired.value(u"apiVersion").toString());
    } else if (result.name.isEmpty()) {
        result.error = tr("A %1 without metadata.name cannot be applied: give it a name.").arg(result.kind);
    } else if (kind.namespaced && result.ns.isEmpty()) {
        result.error = tr("%1 %2 has no namespace: set metadata.namespace or choose a namespace.")
                           .arg(result.kind, result.name);
    }
    if (!result.error.isEmpty()) {
        done(result);
        return;
    }
    fetchLive(result);
}

void ApplySet::fetchLive(ObjectResult result)
{
    const ResourceKind kind =
        ResourceKind::fromApiVersionKind(result.desired.value(u"apiVersion").toString(), result.kind);
    m_client->get(kind, result.ns, result.name, m_context,
                  [this, result, run = m_context](const KubeResponse &response) {
                      if (run == m_context) // not cancelled meanwhile
                          gotLive(result, response);
                  });
}

void ApplySet::gotLive(ObjectResult result, const KubeResponse &response)
{
    if (response.ok()) {
        result.existed = true;
        result.live = comparable(response.json());
    } else if (response.httpStatus != 404) {
        //: %1: the object ("StatefulSet tdengine in namespace db")
        result.error = tr("Reading the live %1 failed: %2").arg(describeObject(result), response.error);
        done(result);
        return;
    }
    send(result);
}

void ApplySet::send(ObjectResult result)
{
    const ResourceKind kind =
        ResourceKind::fromApiVersionKind(result.desired.value(u"apiVersion").toString(), result.kind);
    const QByteArray manifest = QJsonDocument(result.desired).toJson(QJsonDocument::Compact);
    m_client->apply(kind, result.ns, result.name, manifest, m_dryRun, m_force, m_context,
                    [this, result, run = m_context](const KubeResponse &response) {
                        if (run == m_context)
                            applied(result, response);
                    });
}

void ApplySet::applied(ObjectResult result, const KubeResponse &response)
{
    if (!response.ok()) {
        result.conflicts = conflictsOf(response);
        if (!result.conflicts.isEmpty()) {
            result.error = conflictError(result, response.status.message);
        } else {
            //: %1: the object ("StatefulSet tdengine in namespace db"), %2 why
            result.error = (m_dryRun ? tr("Previewing %1 failed: %2") : tr("Applying %1 failed: %2"))
                               .arg(describeObject(result), response.error);
        }
        done(result);
        return;
    }
    result.result = comparable(response.json());
    const QString before = result.existed ? kube::toYaml(result.live) : QString();
    const QString where = result.ns.isEmpty() ? result.name : result.ns + u'/' + result.name;
    //: the name of the old side of a diff ("--- live StatefulSet db/tdengine"); %1 kind, %2 namespace/name
    const QString beforeName = tr("live %1 %2").arg(result.kind, where);
    //: the name of the new side of a diff ("+++ preview StatefulSet db/tdengine"); %1 kind, %2 namespace/name
    const QString afterName =
        m_dryRun ? tr("preview %1 %2").arg(result.kind, where)
                 //: the name of the new side of a diff ("+++ applied StatefulSet db/tdengine")
                 : tr("applied %1 %2").arg(result.kind, where);
    result.diff = unifiedDiff(before, kube::toYaml(result.result), beforeName, afterName);
    result.unchanged = result.diff.isEmpty();
    done(result);
}

void ApplySet::done(const ObjectResult &result)
{
    m_results.append(result);
    emit objectDone(int(m_results.size() - 1), result);
    if (!isRunning()) // a slot cancelled
        return;
    if (!result.ok() && !m_dryRun) {
        finish();
        return;
    }
    next();
}

void ApplySet::finish()
{
    bool ok = m_results.size() == m_objects.size();
    for (const ObjectResult &result : std::as_const(m_results))
        ok = ok && result.ok();
    // Deleted later: finish() runs inside one of m_context's callbacks.
    m_context->deleteLater();
    m_context = nullptr;
    emit finished(ok);
}

void createNamespace(kube::KubeClient *client, const QString &name, QObject *context,
                     std::function<void(const QString &error)> done)
{
    const QJsonObject object{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"Namespace"_s},
        {u"metadata"_s,
         QJsonObject{{u"name"_s, name},
                     {u"labels"_s, QJsonObject{{u"app.kubernetes.io/managed-by"_s, u"tdkube"_s}}}}}};
    client->create(ResourceKind::namespaces(), {}, object, context,
                   [name, done = std::move(done)](const KubeResponse &response) {
                       if (response.ok() || response.status.reason == u"AlreadyExists") {
                           done({});
                           return;
                       }
                       done(ApplySet::tr("Creating namespace %1 failed: %2").arg(name, response.error));
                   });
}

} // namespace tdkube::deploy
