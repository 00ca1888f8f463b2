#include "ops/facts.h"

#include "kube/kubeclient.h"
#include "kube/selectors.h"
#include "taos/clusterconnection.h"
#include "taos/snapshotpoller.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QPointer>
#include <QTimer>

#include <memory>

namespace tdkube::ops {

namespace {

using namespace Qt::StringLiterals;

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Facts)
};

// One gathering in flight. `guard` is the context of every callback: deleting it when done is
// called silences whatever answers later.
struct Gathering
{
    QObject *guard = nullptr;
    int pending = 0;
    ClusterFacts facts;
    QStringList errors;
    std::function<void(const ClusterFacts &, const QString &)> done;

    void finishPart(const QString &error)
    {
        if (!error.isEmpty())
            errors.append(error);
        if (--pending > 0 || !guard)
            return;
        finish();
    }
    void finish()
    {
        QObject *context = guard;
        guard = nullptr;
        context->deleteLater();
        done(facts, errors.join(u'\n'));
    }
};

QList<QJsonObject> itemsOf(const kube::KubeResponse &response)
{
    QList<QJsonObject> items;
    for (const QJsonValue &item : response.json().value(u"items").toArray())
        items.append(item.toObject());
    return items;
}

// Lists `kind` into `*into`; `what` names it in an error ("the volume claims of namespace db").
void listInto(kube::KubeClient *client, const kube::ResourceKind &kind, const QString &ns,
              const kube::ListOptions &options, const QString &what, QList<QJsonObject> *into,
              const std::shared_ptr<Gathering> &state)
{
    client->list(kind, ns, options, state->guard, [state, into, what](const kube::KubeResponse &response) {
        if (response.ok())
            *into = itemsOf(response);
        state->finishPart(response.ok() ? QString()
                                        : Text::tr("Could not list %1: %2").arg(what, response.error));
    });
}

void readStatefulSet(kube::KubeClient *client, const QString &ns, const QString &name,
                     const std::shared_ptr<Gathering> &state)
{
    client->get(kube::ResourceKind::statefulSets(), ns, name, state->guard,
                [client, ns, name, state](const kube::KubeResponse &response) {
                    if (!response.ok()) {
                        state->finishPart(Text::tr("Could not read StatefulSet %1 in namespace %2: %3")
                                              .arg(name, ns, response.error));
                        return;
                    }
                    state->facts.statefulSet = response.json();
                    kube::ListOptions options;
                    options.labelSelector =
                        kube::LabelSelector::fromObject(
                            state->facts.statefulSet.value(u"spec").toObject().value(u"selector").toObject())
                            .toString();
                    // The pods are listed once the selector is known: one more part before this one ends.
                    ++state->pending;
                    listInto(client, kube::ResourceKind::pods(), ns, options,
                             //: Completes "Could not list %1: ..."
                             Text::tr("the pods of StatefulSet %1 in namespace %2").arg(name, ns),
                             &state->facts.pods, state);
                    state->finishPart({});
                });
}

void snapshotThrough(taos::ClusterConnection *connection, const std::shared_ptr<Gathering> &state,
                     int timeoutMs)
{
    const QString where = Text::tr("TDengine (taosAdapter of %1)").arg(connection->statefulSet());
    auto take = [state, where](taos::RestClient *rest) {
        taos::takeSnapshot(
            rest, state->guard, [state, where](const taos::ClusterSnapshot &snapshot, const QString &error) {
                state->facts.snapshot = snapshot;
                state->finishPart(error.isEmpty() ? QString()
                                                  : Text::tr("Could not ask %1 about its dnodes, mnodes, "
                                                             "databases and vgroups: %2")
                                                        .arg(where, error));
            });
    };
    if (connection->rest()) {
        take(connection->rest());
        return;
    }
    // The REST client exists once the port-forward is active and the login was read.
    auto waiting = std::make_shared<QMetaObject::Connection>();
    auto *timer = new QTimer(state->guard);
    timer->setSingleShot(true);
    auto stop = [waiting, timer] {
        QObject::disconnect(*waiting);
        timer->stop();
    };
    *waiting = QObject::connect(
        connection, &taos::ClusterConnection::changed, state->guard, [connection, take, stop, state, where] {
            if (connection->rest()) {
                stop();
                take(connection->rest());
            } else if (connection->forward() &&
                       connection->forward()->state() == kube::PortForward::State::Stopped) {
                stop();
                state->finishPart(
                    Text::tr(
                        "Could not reach %1 through a port-forward: %2 Check that a pod of the StatefulSet "
                        "is Ready.")
                        .arg(where, connection->forward()->stateReason().trimmed()));
            }
        });
    QObject::connect(timer, &QTimer::timeout, state->guard, [stop, state, where, timeoutMs] {
        stop();
        state->finishPart(
            Text::tr(
                "Could not reach %1 within %2 s: the port-forward to port 6041 did not become active. Check "
                "that a pod of the StatefulSet is Ready and taosAdapter runs in it.")
                .arg(where)
                .arg(timeoutMs / 1000));
    });
    timer->start(timeoutMs);
    connection->start();
}

} // namespace

void gatherFacts(kube::KubeClient *client, taos::ClusterConnection *connection, const QString &ns,
                 const QString &statefulSet, QObject *context,
                 std::function<void(const ClusterFacts &facts, const QString &error)> done, int timeoutMs)
{
    auto state = std::make_shared<Gathering>();
    state->guard = new QObject(context);
    state->done = std::move(done);
    state->pending = 6;
    readStatefulSet(client, ns, statefulSet, state);
    // Only a configuration change needs them: a user who may not list them can still resize.
    client->list(kube::ResourceKind::configMaps(), ns, {}, state->guard,
                 [state](const kube::KubeResponse &response) {
                     if (response.ok())
                         state->facts.configMaps = itemsOf(response);
                     else
                         state->facts.configMapsError = response.error;
                     state->finishPart({});
                 });
    listInto(client, kube::ResourceKind::persistentVolumeClaims(), ns, {},
             //: Completes "Could not list %1: ..."
             Text::tr("the volume claims of namespace %1").arg(ns), &state->facts.claims, state);
    listInto(client, kube::ResourceKind::persistentVolumes(), {}, {},
             //: Completes "Could not list %1: ..."
             Text::tr("the persistent volumes"), &state->facts.volumes, state);
    listInto(client, kube::ResourceKind::storageClasses(), {}, {},
             //: Completes "Could not list %1: ..."
             Text::tr("the storage classes"), &state->facts.storageClasses, state);
    if (connection)
        snapshotThrough(connection, state, timeoutMs);
    else
        state->finishPart(Text::tr("Could not ask TDengine about itself: there is no connection to it."));
}

} // namespace tdkube::ops
