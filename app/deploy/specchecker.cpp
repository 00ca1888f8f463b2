#include "deploy/specchecker.h"

#include "kube/kubeclient.h"

#include <QJsonArray>

#include <algorithm>
#include <iterator>

namespace tdkube::deploy {

using namespace Qt::StringLiterals;
using kube::KubeResponse;
using kube::ResourceKind;

namespace {

StorageClassInfo storageClassInfo(const QJsonObject &object)
{
    const QJsonObject metadata = object.value(u"metadata").toObject();
    StorageClassInfo info;
    info.name = metadata.value(u"name").toString();
    info.provisioner = object.value(u"provisioner").toString();
    info.reclaimPolicy = object.value(u"reclaimPolicy").toString(u"Delete"_s);
    info.volumeBindingMode = object.value(u"volumeBindingMode").toString(u"Immediate"_s);
    const QJsonObject annotations = metadata.value(u"annotations").toObject();
    info.isDefault = annotations.value(u"storageclass.kubernetes.io/is-default-class").toString() == u"true";
    return info;
}

QString classNames(const QList<StorageClassInfo> &classes)
{
    QStringList names;
    for (const StorageClassInfo &info : classes)
        //: a storage class in a list of them; %1 is its name
        names << (info.isDefault ? SpecChecker::tr("%1 (default)").arg(info.name) : info.name);
    //: no storage class, as in "Choose one of: none."
    return names.isEmpty() ? SpecChecker::tr("none") : names.join(u", "_s);
}

} // namespace

SpecChecker::SpecChecker(kube::KubeClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
}

SpecChecker::~SpecChecker() = default;

void SpecChecker::check(const ClusterSpec &spec)
{
    const int generation = ++m_generation;
    m_spec = spec;
    m_result = {};
    // Answers of an older check() are dropped: only the latest generation counts.
    auto current = [this, generation] { return generation == m_generation; };
    const struct
    {
        ResourceKind kind;
        QString name;
    } objects[] = {{ResourceKind::statefulSets(), spec.name},
                   {ResourceKind::services(), spec.headlessServiceName()},
                   {ResourceKind::services(), spec.clientServiceName()},
                   {ResourceKind::configMaps(), spec.configMapName()}};
    m_pending = 2 + int(std::size(objects));
    m_client->list(ResourceKind::storageClasses(), {}, {}, this,
                   [this, current](const KubeResponse &response) {
                       if (current())
                           checkStorageClasses(response);
                   });
    m_client->get(ResourceKind::namespaces(), {}, spec.ns, this,
                  [this, current](const KubeResponse &response) {
                      if (current())
                          checkNamespace(response);
                  });
    for (const auto &object : objects) {
        const QString label = object.kind.kind + u' ' + object.name;
        m_client->get(object.kind, spec.ns, object.name, this,
                      [this, current, label](const KubeResponse &response) {
                          if (current())
                              checkExisting(label, response);
                      });
    }
}

void SpecChecker::checkStorageClasses(const KubeResponse &response)
{
    if (!response.ok()) {
        m_result.problems.append(
            {u"storageClass"_s, tr("Could not list the storage classes: %1").arg(response.error)});
        return answered();
    }
    const QJsonArray items = response.json().value(u"items").toArray();
    for (const QJsonValue &item : items)
        m_result.storageClasses.append(storageClassInfo(item.toObject()));
    const auto &classes = m_result.storageClasses;
    const bool known = std::any_of(classes.cbegin(), classes.cend(), [this](const StorageClassInfo &info) {
        return m_spec.storageClass.isEmpty() ? info.isDefault : info.name == m_spec.storageClass;
    });
    if (!known && m_spec.storageClass.isEmpty())
        m_result.problems.append(
            {u"storageClass"_s, tr("The cluster has no default storage class, so the data volumes would stay "
                                   "Pending. Choose one of: %1.")
                                    .arg(classNames(classes))});
    else if (!known)
        m_result.problems.append(
            {u"storageClass"_s,
             tr("The storage class \"%1\" does not exist in this cluster, so the data volumes "
                "and pods would stay Pending. Choose one of: %2.")
                 .arg(m_spec.storageClass, classNames(classes))});
    answered();
}

void SpecChecker::checkNamespace(const KubeResponse &response)
{
    if (response.httpStatus == 404)
        m_result.namespaceExists = false;
    else if (!response.ok())
        m_result.problems.append(
            {u"ns"_s, tr("Could not read the namespace %1: %2").arg(m_spec.ns, response.error)});
    answered();
}

void SpecChecker::checkExisting(const QString &label, const KubeResponse &response)
{
    if (response.ok())
        m_result.existing.append(label);
    else if (response.httpStatus != 404)
        m_result.problems.append(
            //: %1 is an object ("StatefulSet tdengine")
            {u"name"_s, tr("Could not read %1 in namespace %2: %3").arg(label, m_spec.ns, response.error)});
    answered();
}

void SpecChecker::answered()
{
    if (--m_pending > 0)
        return;
    // The order of `existing` follows the answers; sort it so that a person sees the same list
    // every time for the same cluster.
    m_result.existing.sort();
    emit finished(m_result);
}

} // namespace tdkube::deploy
