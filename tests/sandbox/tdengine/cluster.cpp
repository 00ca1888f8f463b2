#include "tdengine/cluster.h"

#include "engine.h"

namespace tdkube::sandbox::tdengine {

struct Cluster::State
{
    State(Cluster *cluster, const QString &firstEndpoint, double timeScale)
        : engine(cluster, firstEndpoint, timeScale)
    {
    }
    Engine engine;
};

Cluster::Cluster(const QString &firstEndpoint, double timeScale, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<State>(this, firstEndpoint, timeScale))
{
}

Cluster::~Cluster() = default;

Cluster::Start Cluster::dnodeStarted(const QString &endpoint, const QString &dataId, int supportVnodes,
                                     const QMap<QString, QString> &taosCfg, const QString &version)
{
    return d->engine.dnodeStarted(endpoint, dataId, supportVnodes, taosCfg, version);
}

void Cluster::dnodeStopped(const QString &endpoint)
{
    d->engine.dnodeStopped(endpoint);
}

bool Cluster::isServing(const QString &endpoint) const
{
    return d->engine.isServing(endpoint);
}

int Cluster::dnodeIdOf(const QString &endpoint) const
{
    return d->engine.dnodeIdOf(endpoint);
}

void Cluster::execute(const QString &sql, const QString &database, const QString &via,
                      std::function<void(const Result &)> done)
{
    // Every taosd's taos.cfg points at the same first endpoint, so which pod a client entered through
    // does not change the answer.
    Q_UNUSED(via);
    d->engine.execute(sql, database, std::move(done));
}

void Cluster::setDelayLedger(DelayLedger *ledger)
{
    d->engine.setDelayLedger(ledger);
}

void Cluster::setVnodeMoveMs(int ms)
{
    d->engine.setVnodeMoveMs(ms);
}

bool Cluster::checkPassword(const QString &user, const QString &password) const
{
    return d->engine.checkPassword(user, password);
}

QJsonObject Cluster::save() const
{
    return d->engine.save();
}

bool Cluster::load(const QJsonObject &state, QString *error)
{
    return d->engine.load(state, error);
}

} // namespace tdkube::sandbox::tdengine
