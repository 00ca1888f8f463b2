// ResourceWatch against the in-process sandbox while it misbehaves: dropped streams, expired
// resourceVersions, 500 and 429 for a while, slow paging over many objects. After each, the
// watch's copy must equal a fresh list from the server: same keys, same resourceVersions.
#include "kube/resourcewatch.h"
#include "resources.h"
#include "sandboxfixture.h"
#include "store.h"

#include <QJsonArray>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>

using namespace Qt::StringLiterals;
using namespace tdkube::kube;
using namespace tdkube::kube::test;
using State = ResourceWatch::State;

namespace {

QMap<QString, QString> watchVersions(const ResourceWatch &watch)
{
    QMap<QString, QString> versions;
    const auto &objects = watch.objects();
    for (auto it = objects.cbegin(); it != objects.cend(); ++it)
        versions.insert(it.key(),
                        it.value().value(u"metadata").toObject().value(u"resourceVersion").toString());
    return versions;
}

// What a table showing the watch would hold, built only from the signals.
class Mirror : public QObject
{
public:
    explicit Mirror(ResourceWatch *watch)
    {
        const auto key = [](const QJsonObject &object) -> QString {
            const QJsonObject metadata = object.value(u"metadata").toObject();
            return metadata.value(u"namespace").toString() + u'/' + metadata.value(u"name").toString();
        };
        const auto version = [](const QJsonObject &object) -> QString {
            return object.value(u"metadata").toObject().value(u"resourceVersion").toString();
        };
        connect(watch, &ResourceWatch::reset, this, [this, key, version](const QList<QJsonObject> &objects) {
            rows.clear();
            for (const QJsonObject &object : objects)
                rows.insert(key(object), version(object));
        });
        connect(watch, &ResourceWatch::added, this, [this, key, version](const QJsonObject &object) {
            duplicates += rows.contains(key(object));
            rows.insert(key(object), version(object));
        });
        connect(watch, &ResourceWatch::modified, this, [this, key, version](const QJsonObject &object) {
            ghosts += !rows.contains(key(object));
            rows.insert(key(object), version(object));
        });
        connect(watch, &ResourceWatch::deleted, this,
                [this, key](const QJsonObject &object) { ghosts += rows.remove(key(object)) == 0; });
        connect(watch, &ResourceWatch::stateChanged, this,
                [this](State state, const QString &reason) { states << qMakePair(state, reason); });
    }

    QMap<QString, QString> rows;
    QList<QPair<State, QString>> states;
    int duplicates = 0;
    int ghosts = 0;

    bool wentLiveReconnectingLive(const QString &reasonPart) const
    {
        qsizetype i = 0;
        while (i < states.size() && states.at(i).first != State::Live)
            ++i;
        while (i < states.size() && states.at(i).first != State::Reconnecting)
            ++i;
        if (i == states.size() || !states.at(i).second.contains(reasonPart))
            return false;
        return states.last().first == State::Live;
    }
};

} // namespace

class tst_ResourceWatch : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void start_objectsChange_resetThenAddedModifiedDeleted();
    void timeout_streamsEndOnSchedule_rewatchWithoutReconnecting();
    void fault_dropWatchStreams_rewatchesAndMissesNothing();
    void fault_expiredResourceVersion_relistsWithTheDifference();
    void fault_serverErrorsForAWhile_reconnectsWithBackoff_data();
    void fault_serverErrorsForAWhile_reconnectsWithBackoff();
    void network_serverGoneForAWhile_retriesWithBackoff_thenCatchesUp();
    void paging_smallPagesWhileChanging_everyObjectOnce();
    void stop_forbiddenOrNotFound_stoppedWithTheServerMessage();

private:
    std::unique_ptr<ResourceWatch> startWatch(const QString &ns, Mirror **mirror);
    bool createConfigMaps(const QString &ns, int count);
    void changeWhileOffline(const QString &ns);

    SandboxFixture m_fixture;
    std::unique_ptr<KubeClient> m_admin;
    std::vector<std::unique_ptr<Mirror>> m_mirrors;
};

void tst_ResourceWatch::initTestCase()
{
    QVERIFY(m_fixture.start());
    m_admin = std::make_unique<KubeClient>(m_fixture.admin());
}

std::unique_ptr<ResourceWatch> tst_ResourceWatch::startWatch(const QString &ns, Mirror **mirror)
{
    auto watch = std::make_unique<ResourceWatch>(m_admin.get(), ResourceKind::configMaps(), ns);
    watch->setBackoff(20, 200);
    m_mirrors.push_back(std::make_unique<Mirror>(watch.get()));
    *mirror = m_mirrors.back().get();
    watch->start();
    return watch;
}

bool tst_ResourceWatch::createConfigMaps(const QString &ns, int count)
{
    if (!createNamespace(m_admin.get(), ns))
        return false;
    for (int i = 0; i < count; ++i) {
        const KubeResponse created = await([&](QObject *context, KubeClient::Done done) {
            m_admin->create(ResourceKind::configMaps(), ns, configMap(u"cm-%1"_s.arg(i), u"v"_s), context,
                            done);
        });
        if (created.httpStatus != 201)
            return false;
    }
    return true;
}

// Changes straight in the store, while every HTTP request fails: one added, one modified, one deleted.
void tst_ResourceWatch::changeWhileOffline(const QString &ns)
{
    using namespace tdkube::sandbox;
    Store *store = m_fixture.sandbox()->store();
    const ResourceType *type = findResource({}, u"v1"_s, u"configmaps"_s);
    QVERIFY(type);
    QJsonObject added = configMap(u"offline-added"_s, u"v"_s);
    QJsonObject metadata = added.value(u"metadata").toObject();
    metadata.insert(u"namespace"_s, ns);
    added.insert(u"metadata"_s, metadata);
    QVERIFY(store->create(*type, added).ok());
    std::optional<QJsonObject> changed = store->get(*type, ns, u"cm-0"_s);
    QVERIFY(changed);
    changed->insert(u"data"_s, QJsonObject{{u"key"_s, u"changed offline"_s}});
    QVERIFY(store->update(*type, *changed).ok());
    QVERIFY(store->remove(*type, ns, u"cm-1"_s, {}).ok());
}

void tst_ResourceWatch::start_objectsChange_resetThenAddedModifiedDeleted()
{
    QVERIFY(createConfigMaps(u"rw-basic"_s, 3));
    Mirror *mirror = nullptr;
    const auto watch = startWatch(u"rw-basic"_s, &mirror);
    QSignalSpy reset(watch.get(), &ResourceWatch::reset);
    QTRY_COMPARE_WITH_TIMEOUT(watch->state(), State::Live, kWaitMs);
    QCOMPARE(reset.size(), 1);
    const auto objects = reset.first().first().value<QList<QJsonObject>>();
    QCOMPARE(objects.size(), 3);
    QCOMPARE(objects.first().value(u"kind").toString(), u"ConfigMap"_s);
    QCOMPARE(objects.first().value(u"apiVersion").toString(), u"v1"_s);
    QCOMPARE(mirror->states.first().first, State::Listing);

    QSignalSpy added(watch.get(), &ResourceWatch::added);
    QSignalSpy modified(watch.get(), &ResourceWatch::modified);
    QSignalSpy deleted(watch.get(), &ResourceWatch::deleted);
    KubeClient *client = m_admin.get();
    const ResourceKind cm = ResourceKind::configMaps();
    QVERIFY(await([&](QObject *context, KubeClient::Done done) {
                client->create(cm, u"rw-basic"_s, configMap(u"new"_s, u"v"_s), context, done);
            }).ok());
    QVERIFY(await([&](QObject *context, KubeClient::Done done) {
                client->patch(cm, u"rw-basic"_s, u"cm-0"_s, R"({"data":{"key":"w"}})",
                              "application/merge-patch+json", context, done);
            }).ok());
    QVERIFY(await([&](QObject *context, KubeClient::Done done) {
                client->remove(cm, u"rw-basic"_s, u"cm-2"_s, {}, context, done);
            }).ok());
    QTRY_COMPARE_WITH_TIMEOUT(deleted.size(), 1, kWaitMs);
    QCOMPARE(added.size(), 1);
    QCOMPARE(modified.size(), 1);
    QCOMPARE(deleted.first().first().toJsonObject().value(u"metadata").toObject().value(u"name").toString(),
             u"cm-2"_s);
    QCOMPARE(watchVersions(*watch), serverVersions(client, cm, u"rw-basic"_s));
    QCOMPARE(mirror->rows, serverVersions(client, cm, u"rw-basic"_s));

    watch->stop();
    QCOMPARE(watch->state(), State::Stopped);
    QCOMPARE(watch->stateReason(), u"stopped"_s);
}

void tst_ResourceWatch::timeout_streamsEndOnSchedule_rewatchWithoutReconnecting()
{
    QVERIFY(createConfigMaps(u"rw-timeout"_s, 2));
    auto watch = std::make_unique<ResourceWatch>(m_admin.get(), ResourceKind::configMaps(), u"rw-timeout"_s);
    watch->setWatchTimeoutSeconds(1);
    Mirror mirror(watch.get());
    watch->start();
    QTRY_COMPARE_WITH_TIMEOUT(watch->state(), State::Live, kWaitMs);
    QTest::qWait(2500); // two streams ended by the server, bookmarks in between
    QVERIFY(await([&](QObject *context, KubeClient::Done done) {
                m_admin->create(ResourceKind::configMaps(), u"rw-timeout"_s, configMap(u"late"_s, u"v"_s),
                                context, done);
            }).ok());
    const auto expected = serverVersions(m_admin.get(), ResourceKind::configMaps(), u"rw-timeout"_s);
    QTRY_COMPARE_WITH_TIMEOUT(watchVersions(*watch), expected, kWaitMs);
    QCOMPARE(mirror.rows, expected);
    QCOMPARE(mirror.states.size(), 2); // Listing, Live: a scheduled end is not an outage
}

void tst_ResourceWatch::fault_dropWatchStreams_rewatchesAndMissesNothing()
{
    QVERIFY(createConfigMaps(u"rw-drop"_s, 3));
    Mirror *mirror = nullptr;
    const auto watch = startWatch(u"rw-drop"_s, &mirror);
    QTRY_COMPARE_WITH_TIMEOUT(watch->state(), State::Live, kWaitMs);
    for (int round = 0; round < 3; ++round) {
        QVERIFY(control(m_admin.get(), u"faults"_s, {{u"dropWatchStreams"_s, true}}).ok());
        QVERIFY(await([&](QObject *context, KubeClient::Done done) {
                    m_admin->create(ResourceKind::configMaps(), u"rw-drop"_s,
                                    configMap(u"after-drop-%1"_s.arg(round), u"v"_s), context, done);
                }).ok());
    }
    const auto expected = serverVersions(m_admin.get(), ResourceKind::configMaps(), u"rw-drop"_s);
    QCOMPARE(expected.size(), 6);
    QTRY_COMPARE_WITH_TIMEOUT(watchVersions(*watch), expected, kWaitMs);
    QCOMPARE(mirror->rows, expected);
    QCOMPARE(mirror->ghosts + mirror->duplicates, 0);
    QCOMPARE(watch->state(), State::Live);
}

void tst_ResourceWatch::fault_expiredResourceVersion_relistsWithTheDifference()
{
    const QString ns = u"rw-expire"_s;
    QVERIFY(createConfigMaps(ns, 3));
    Mirror *mirror = nullptr;
    const auto watch = startWatch(ns, &mirror);
    QTRY_COMPARE_WITH_TIMEOUT(watch->state(), State::Live, kWaitMs);
    QSignalSpy deleted(watch.get(), &ResourceWatch::deleted);

    // Offline while the cluster changes and forgets its history: the watch can only resume with 410.
    QVERIFY(control(m_admin.get(), u"faults"_s,
                    {{u"failRequests"_s, 100000}, {u"failCode"_s, 500}, {u"dropWatchStreams"_s, true}})
                .ok());
    QTRY_COMPARE_WITH_TIMEOUT(watch->state(), State::Reconnecting, kWaitMs);
    changeWhileOffline(ns);
    QVERIFY(control(m_admin.get(), u"faults"_s, {{u"failRequests"_s, 0}, {u"expireResourceVersions"_s, true}})
                .ok());

    const auto expected = serverVersions(m_admin.get(), ResourceKind::configMaps(), ns);
    QCOMPARE(expected.size(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(watchVersions(*watch), expected, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(watch->state(), State::Live, kWaitMs);
    QCOMPARE(mirror->rows, expected);
    QCOMPARE(mirror->ghosts + mirror->duplicates, 0);
    QCOMPARE(deleted.size(), 1);
    QVERIFY2(mirror->wentLiveReconnectingLive(u"injected fault"_s), qPrintable(watch->stateReason()));
    // The 410 itself was seen and reported, not papered over by a fresh watch from zero.
    const bool sawExpired =
        std::any_of(mirror->states.cbegin(), mirror->states.cend(),
                    [](const auto &state) { return state.second.contains(u"too old resource version"_s); });
    QVERIFY(sawExpired);
}

void tst_ResourceWatch::fault_serverErrorsForAWhile_reconnectsWithBackoff_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    QTest::newRow("500") << 500 << u"injected fault"_s;
    QTest::newRow("429") << 429 << u"too many requests"_s;
}

void tst_ResourceWatch::fault_serverErrorsForAWhile_reconnectsWithBackoff()
{
    QFETCH(int, code);
    QFETCH(QString, message);
    const QString ns = u"rw-fail-%1"_s.arg(code);
    QVERIFY(createConfigMaps(ns, 3));
    Mirror *mirror = nullptr;
    const auto watch = startWatch(ns, &mirror);
    QTRY_COMPARE_WITH_TIMEOUT(watch->state(), State::Live, kWaitMs);

    QVERIFY(control(m_admin.get(), u"faults"_s,
                    {{u"failRequests"_s, 100000}, {u"failCode"_s, code}, {u"dropWatchStreams"_s, true}})
                .ok());
    QTRY_COMPARE_WITH_TIMEOUT(watch->state(), State::Reconnecting, kWaitMs);
    changeWhileOffline(ns);
    QTest::qWait(400); // several attempts, each refused
    QCOMPARE(watch->state(), State::Reconnecting);
    QVERIFY2(watch->stateReason().contains(message), qPrintable(watch->stateReason()));
    QVERIFY(control(m_admin.get(), u"faults"_s, {{u"failRequests"_s, 0}}).ok());

    QTRY_COMPARE_WITH_TIMEOUT(watch->state(), State::Live, kWaitMs);
    const auto expected = serverVersions(m_admin.get(), ResourceKind::configMaps(), ns);
    QTRY_COMPARE_WITH_TIMEOUT(watchVersions(*watch), expected, kWaitMs);
    QCOMPARE(mirror->rows, expected);
    QCOMPARE(mirror->ghosts + mirror->duplicates, 0);
    QVERIFY(mirror->wentLiveReconnectingLive(message));
    // stateChanged only on change: one Reconnecting, however many attempts failed.
    const auto reconnecting =
        std::count_if(mirror->states.cbegin(), mirror->states.cend(),
                      [](const auto &state) { return state.first == State::Reconnecting; });
    QCOMPARE(reconnecting, 1);
}

// The network goes: connections fail at once. The watch says Reconnecting with the reason, tries again
// less and less often (not in a tight loop), and when the network is back it catches up.
void tst_ResourceWatch::network_serverGoneForAWhile_retriesWithBackoff_thenCatchesUp()
{
    const QString ns = u"rw-network"_s;
    QVERIFY(createConfigMaps(ns, 3));
    Cable cable(quint16(m_fixture.admin().server.port()));
    KubeClient client(m_fixture.adminThrough(cable));
    auto watch = std::make_unique<ResourceWatch>(&client, ResourceKind::configMaps(), ns);
    watch->setBackoff(20, 200);
    Mirror mirror(watch.get());
    watch->start();
    QTRY_COMPARE_WITH_TIMEOUT(watch->state(), State::Live, kWaitMs);

    cable.cut();
    QTRY_COMPARE_WITH_TIMEOUT(watch->state(), State::Reconnecting, kWaitMs);
    changeWhileOffline(ns);
    QTest::qWait(1500);
    QCOMPARE(watch->state(), State::Reconnecting);
    QVERIFY2(watch->stateReason().contains(u"closed"_s, Qt::CaseInsensitive) ||
                 watch->stateReason().contains(u"refused"_s, Qt::CaseInsensitive),
             qPrintable(watch->stateReason()));
    // Backing off from 20 ms to at most 200 ms: about 10 tries in 1.5 s, not hundreds.
    QVERIFY2(cable.refused >= 3 && cable.refused <= 25, qPrintable(QString::number(cable.refused)));

    cable.connected = true;
    QTRY_COMPARE_WITH_TIMEOUT(watch->state(), State::Live, kWaitMs);
    const auto expected = serverVersions(m_admin.get(), ResourceKind::configMaps(), ns);
    QTRY_COMPARE_WITH_TIMEOUT(watchVersions(*watch), expected, kWaitMs);
    QCOMPARE(mirror.rows, expected);
    QCOMPARE(mirror.ghosts + mirror.duplicates, 0);
}

void tst_ResourceWatch::paging_smallPagesWhileChanging_everyObjectOnce()
{
    QVERIFY(control(m_admin.get(), u"preload"_s, {{u"pods"_s, 300}, {u"namespace"_s, u"bench"_s}}).ok());
    QVERIFY(control(m_admin.get(), u"faults"_s, {{u"delayMs"_s, 10}}).ok());
    ResourceWatch watch(m_admin.get(), ResourceKind::pods(), u"bench"_s);
    watch.setBackoff(20, 200);
    watch.setPageSize(7);
    Mirror mirror(&watch);
    watch.start();

    // Change pods while the pages are read: some before the cursor, some after.
    using namespace tdkube::sandbox;
    Store *store = m_fixture.sandbox()->store();
    QTest::qWait(150);
    QCOMPARE(watch.state(), State::Listing);
    for (const QString &name : {u"bench-000001"_s, u"bench-000299"_s})
        store->erase(podsType(), u"bench"_s, name); // now, not after a grace period
    std::optional<QJsonObject> pod = store->get(podsType(), u"bench"_s, u"bench-000200"_s);
    QVERIFY(pod);
    pod->insert(u"status"_s, QJsonObject{{u"phase"_s, u"Failed"_s}});
    QVERIFY(store->update(podsType(), *pod).ok());

    QTRY_COMPARE_WITH_TIMEOUT(watch.state(), State::Live, kWaitMs);
    QVERIFY(control(m_admin.get(), u"faults"_s, {{u"delayMs"_s, 0}}).ok());
    const auto expected = serverVersions(m_admin.get(), ResourceKind::pods(), u"bench"_s);
    QCOMPARE(expected.size(), 298);
    QTRY_COMPARE_WITH_TIMEOUT(watchVersions(watch), expected, kWaitMs);
    QCOMPARE(mirror.rows, expected);
    QCOMPARE(mirror.ghosts + mirror.duplicates, 0);
}

void tst_ResourceWatch::stop_forbiddenOrNotFound_stoppedWithTheServerMessage()
{
    QVERIFY(control(m_admin.get(), u"faults"_s, {{u"failRequests"_s, 1}, {u"failCode"_s, 403}}).ok());
    ResourceWatch forbidden(m_admin.get(), ResourceKind::pods(), u"bench"_s);
    forbidden.start();
    QTRY_COMPARE_WITH_TIMEOUT(forbidden.state(), State::Stopped, kWaitMs);
    QVERIFY2(forbidden.stateReason().contains(u"access denied"_s), qPrintable(forbidden.stateReason()));

    ResourceKind unknown = ResourceKind::configMaps();
    unknown.plural = u"nosuchthings"_s;
    ResourceWatch missing(m_admin.get(), unknown, u"bench"_s);
    missing.start();
    QTRY_COMPARE_WITH_TIMEOUT(missing.state(), State::Stopped, kWaitMs);
    QVERIFY2(missing.stateReason().contains(u"could not find the requested resource"_s),
             qPrintable(missing.stateReason()));

    KubeClient anonymous(m_fixture.anonymous());
    ResourceWatch unauthorized(&anonymous, ResourceKind::pods(), u"bench"_s);
    unauthorized.start();
    QTRY_COMPARE_WITH_TIMEOUT(unauthorized.state(), State::Stopped, kWaitMs);
    QVERIFY(!unauthorized.stateReason().isEmpty());
}

QTEST_GUILESS_MAIN(tst_ResourceWatch)
#include "tst_resourcewatch.moc"
