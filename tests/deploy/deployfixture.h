// For the tests of app/deploy that need a cluster: apply generated objects to the in-process sandbox
// (tests/kube/sandboxfixture.h) and look at what it made of them.
#pragma once

#include "sandboxfixture.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace tdkube::deploy::test {

using namespace Qt::StringLiterals;
using kube::KubeClient;
using kube::KubeResponse;
using kube::ResourceKind;
using kube::test::await;

// Server-side applies each object in order, as tdkube's deploy does. False with `error` set on the
// first refusal.
inline bool applyObjects(KubeClient *client, const QList<QJsonObject> &objects, QString *error)
{
    for (const QJsonObject &object : objects) {
        const auto kind = ResourceKind::fromApiVersionKind(object.value(u"apiVersion").toString(),
                                                           object.value(u"kind").toString());
        const QJsonObject metadata = object.value(u"metadata").toObject();
        const KubeResponse response = await([&](QObject *context, KubeClient::Done done) {
            client->apply(kind, metadata.value(u"namespace").toString(), metadata.value(u"name").toString(),
                          QJsonDocument(object).toJson(), false, false, context, done);
        });
        if (!response.ok()) {
            *error = object.value(u"kind").toString() + u' ' + metadata.value(u"name").toString() + u": "_s +
                     response.error;
            return false;
        }
    }
    return true;
}

// The pods of cluster `instance` in `ns`, as the server lists them now.
inline QJsonArray clusterPods(KubeClient *client, const QString &ns, const QString &instance)
{
    kube::ListOptions options;
    options.labelSelector = u"app.kubernetes.io/instance="_s + instance;
    const KubeResponse response = await([&](QObject *context, KubeClient::Done done) {
        client->list(ResourceKind::pods(), ns, options, context, done);
    });
    return response.json().value(u"items").toArray();
}

inline bool isPodReady(const QJsonObject &pod)
{
    const QJsonArray conditions = pod[u"status"][u"conditions"].toArray();
    return std::any_of(conditions.begin(), conditions.end(), [](const QJsonValue &condition) {
        return condition[u"type"].toString() == u"Ready" && condition[u"status"].toString() == u"True";
    });
}

inline int readyPods(KubeClient *client, const QString &ns, const QString &instance)
{
    const QJsonArray pods = clusterPods(client, ns, instance);
    return int(std::count_if(pods.begin(), pods.end(),
                             [](const QJsonValue &pod) { return isPodReady(pod.toObject()); }));
}

} // namespace tdkube::deploy::test
