#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace tdkube::sandbox::tdengine {

// One item of a taosd's configuration (SConfigItem, source/util/src/tconfig.c): its type, its range and
// its value as cfgDumpItemValue prints it (a bool as 0/1, a float with six decimals).
struct ConfigItem
{
    enum class Type { Bool, Int32, Int64, Float, String, Dir, Timezone };
    QString name;
    Type type = Type::String;
    QString value;
    qint64 min = 0; // Int32, Int64
    qint64 max = 0;
    double fmin = 0; // Float
    double fmax = 0;
};

// The configuration one taosd runs with: tsCfg of TDengine 3.0.5.2 (source/common/src/tglobal.c), every
// item in the order taosInitCfg adds them, which is the order `show dnode N variables` lists them in
// (dmAppendVariablesToBlock, source/dnode/mgmt/mgmt_dnode/src/dmHandle.c). Four names come twice
// (numOfRpcThreads, numOfRpcSessions, timeToGetAvailableConn, crashReporting: the client part and the
// server part both add them) and taos.cfg sets the first of each only, as cfgGetItem finds it.
// Values that depend on the machine are those of a simulated pod with 8 cores and 16 GiB.
class DnodeConfig
{
public:
    struct Variable
    {
        QString name;
        QString value;
    };

    // What a taosd starting with `taosCfg` (key -> value; in the image these come from the pod's TAOS_*
    // variables, FACTS.md section 6) runs with: the defaults, then each entry (names case-insensitive;
    // an unknown name is ignored and a value out of range keeps the default: cfgSetItem, tconfig.c),
    // then the module debug flags that debugFlag overrides (taosCreateLog, tglobal.c). `endpoint`
    // (fqdn:port) gives fqdn and serverPort when taos.cfg does not. Each refused entry is appended to
    // `errors` as taosd logs it. Called again at every start: what `alter` changed is gone.
    static DnodeConfig load(const QMap<QString, QString> &taosCfg, const QString &endpoint,
                            QStringList *errors = nullptr);

    bool isEmpty() const { return m_items.isEmpty(); }
    QList<Variable> variables() const;
    // The value of the first item called `name` (case-insensitive), or a null string.
    QString value(const QString &name) const;
    // Sets an item as taos.cfg would (the range checked); false and `error` when refused.
    bool set(const QString &name, const QString &value, QString *error = nullptr);

    // What a dnode does with a config request the mnode accepted (taosCfgDynamicOptions, tglobal.c):
    // debugFlag N (N > 0) sets all 21 debug flags, a module flag sets itself, monitor sets monitor,
    // resetlog only reopens the log files.
    void applyDynamic(const QString &option, const QString &value);

private:
    ConfigItem *find(const QString &name);
    const ConfigItem *find(const QString &name) const;

    QList<ConfigItem> m_items;
};

// The request the mnode sends to the dnodes for `alter dnode N 'config' ['value']` and `alter all
// dnodes ...`, with the config name as the mnode spells it and the value it computed.
struct ConfigRequest
{
    QString config;
    QString value;
};

// mndProcessConfigDnodeReq (source/dnode/mnode/impl/src/mndDnode.c, 3.0.5.2, community build): only
// resetlog, monitor (0 to 2) and 18 debug flags (0 to 255) may be changed at run time; anything else,
// activeCode and cActiveCode included (they are enterprise-only), is refused with TSDB_CODE_INVALID_CFG,
// signalled by nullopt. The value may also follow the name inside the first string ('debugFlag 135');
// it is read with atoi, so a value that is not a number counts as 0 and a negative one falls back to
// the name's tail.
std::optional<ConfigRequest> checkConfigRequest(const QString &config, const QString &value);

} // namespace tdkube::sandbox::tdengine
