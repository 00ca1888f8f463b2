// A taosd's configuration items as TDengine 3.0.5.2 defines, loads and changes them at run time
// (source/common/src/tglobal.c, source/util/src/tconfig.c), and the mnode's check of `alter dnode`
// (source/dnode/mnode/impl/src/mndDnode.c).
#include "dnodeconfig.h"

#include "query.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QSet>
#include <QTimeZone>

#include <cstdlib>
#include <limits>

using namespace Qt::StringLiterals;

namespace tdkube::sandbox::tdengine {

namespace {

using Type = ConfigItem::Type;

constexpr qint64 kInt32Max = std::numeric_limits<qint32>::max();
constexpr qint64 kInt64Min = std::numeric_limits<qint64>::min();
constexpr qint64 kInt64Max = std::numeric_limits<qint64>::max();

ConfigItem stringItem(const QString &name, const QString &value, Type type = Type::String)
{
    ConfigItem item;
    item.name = name;
    item.type = type;
    item.value = value;
    return item;
}

ConfigItem boolItem(const QString &name, bool value)
{
    return stringItem(name, value ? u"1"_s : u"0"_s, Type::Bool);
}

ConfigItem intItem(Type type, const QString &name, qint64 value, qint64 min, qint64 max)
{
    ConfigItem item = stringItem(name, QString::number(value), type);
    item.min = min;
    item.max = max;
    return item;
}

ConfigItem int32Item(const QString &name, qint64 value, qint64 min, qint64 max)
{
    return intItem(Type::Int32, name, value, min, max);
}

ConfigItem int64Item(const QString &name, qint64 value, qint64 min, qint64 max)
{
    return intItem(Type::Int64, name, value, min, max);
}

QString formatFloat(float value)
{
    return QString::number(double(value), 'f', 6);
}

ConfigItem floatItem(const QString &name, float value, double min, double max)
{
    ConfigItem item = stringItem(name, formatFloat(value), Type::Float);
    item.fmin = min;
    item.fmax = max;
    return item;
}

ConfigItem debugFlagItem(const QString &name, int value)
{
    return int32Item(name, value, 0, 255);
}

// taosInitCfg's order for taosd: taosAddClientCfg, taosAddServerCfg, taosAddClientLogCfg,
// taosAddServerLogCfg, taosAddSystemCfg. Defaults are those of tglobal.c and tlog.c; the ones that
// depend on the machine (threads, memory, SIMD, os) take a pod of 8 cores and 16 GiB, so that
// supportVnodes (2 per core) is Cluster::kDefaultSupportVnodes.
QList<ConfigItem> defaultItems()
{
    return {
        // taosAddClientCfg
        stringItem(u"firstEp"_s, QString()),
        stringItem(u"secondEp"_s, QString()),
        stringItem(u"fqdn"_s, QString()),
        int32Item(u"serverPort"_s, 6030, 1, 65056),
        stringItem(u"tempDir"_s, u"/tmp"_s, Type::Dir),
        floatItem(u"minimalTmpDirGB"_s, 1.0f, 0.001, 10000000),
        int32Item(u"shellActivityTimer"_s, 3, 1, 120),
        int32Item(u"compressMsgSize"_s, -1, -1, 100000000),
        int32Item(u"compressColData"_s, -1, -1, 100000000),
        int32Item(u"queryPolicy"_s, 1, 1, 4),
        boolItem(u"enableQueryHb"_s, false),
        boolItem(u"enableScience"_s, false),
        int32Item(u"querySmaOptimize"_s, 0, 0, 1),
        boolItem(u"queryPlannerTrace"_s, false),
        int32Item(u"queryNodeChunkSize"_s, 32 * 1024, 1024, 128 * 1024),
        boolItem(u"queryUseNodeAllocator"_s, true),
        boolItem(u"keepColumnName"_s, false),
        stringItem(u"smlChildTableName"_s, QString()),
        stringItem(u"smlTagName"_s, u"_tag_null"_s),
        int32Item(u"maxInsertBatchRows"_s, 1000000, 1, kInt32Max),
        int32Item(u"maxRetryWaitTime"_s, 10000, 0, 86400000),
        boolItem(u"useAdapter"_s, false),
        boolItem(u"crashReporting"_s, true),
        int64Item(u"queryMaxConcurrentTables"_s, 200, kInt64Min, kInt64Max),
        int32Item(u"metaCacheMaxSize"_s, -1, -1, kInt32Max),
        int32Item(u"slowLogThreshold"_s, 3, 0, kInt32Max),
        stringItem(u"slowLogScope"_s, QString()),
        int32Item(u"numOfRpcThreads"_s, 4, 1, 1024),
        int32Item(u"numOfRpcSessions"_s, 10000, 1, 100000),
        int32Item(u"timeToGetAvailableConn"_s, 500000, 20, 1000000),
        int32Item(u"numOfTaskQueueThreads"_s, 4, 4, 1024),
        // taosAddServerCfg
        stringItem(u"dataDir"_s, u"/var/lib/taos"_s, Type::Dir),
        floatItem(u"minimalDataDirGB"_s, 2.0f, 0.001, 10000000),
        int32Item(u"supportVnodes"_s, 16, 0, 4096),
        int32Item(u"maxShellConns"_s, 50000, 10, 50000000),
        int32Item(u"statusInterval"_s, 1, 1, 30),
        int32Item(u"minSlidingTime"_s, 1, 1, 1000000),
        int32Item(u"minIntervalTime"_s, 1, 1, 1000000),
        int32Item(u"maxNumOfDistinctRes"_s, 10000000, 100000, 100000000),
        int32Item(u"countAlwaysReturnValue"_s, 1, 0, 1),
        int32Item(u"queryBufferSize"_s, -1, -1, 500000000000),
        boolItem(u"printAuth"_s, false),
        int32Item(u"queryRspPolicy"_s, 0, 0, 1),
        int32Item(u"numOfRpcThreads"_s, 4, 1, 1024),
        int32Item(u"numOfRpcSessions"_s, 10000, 1, 100000),
        // Its default is tsNumOfRpcSessions, a slip in tglobal.c.
        int32Item(u"timeToGetAvailableConn"_s, 10000, 20, 1000000),
        int32Item(u"numOfCommitThreads"_s, 4, 1, 1024),
        int32Item(u"numOfMnodeReadThreads"_s, 1, 1, 1024),
        int32Item(u"numOfVnodeQueryThreads"_s, 16, 4, 1024),
        floatItem(u"ratioOfVnodeStreamThreads"_s, 2.0f, 0.01, 100),
        int32Item(u"numOfVnodeFetchThreads"_s, 4, 4, 1024),
        int32Item(u"numOfVnodeRsmaThreads"_s, 8, 1, 1024),
        int32Item(u"numOfQnodeQueryThreads"_s, 16, 4, 1024),
        int32Item(u"numOfSnodeSharedThreads"_s, 2, 2, 1024),
        int32Item(u"numOfSnodeUniqueThreads"_s, 2, 2, 1024),
        int64Item(u"rpcQueueMemoryAllowed"_s, 1717986918, 10LL * 10 * 1024 * 1024, kInt64Max),
        int32Item(u"syncElectInterval"_s, 25000, 10, 1000 * 60 * 24 * 2),
        int32Item(u"syncHeartbeatInterval"_s, 1000, 10, 1000 * 60 * 24 * 2),
        int32Item(u"syncHeartbeatTimeout"_s, 20000, 10, 1000 * 60 * 24 * 2),
        int64Item(u"vndCommitMaxInterval"_s, 600000, 1000, 1000 * 60 * 60),
        int64Item(u"mndSdbWriteDelta"_s, 200, 20, 10000),
        int64Item(u"mndLogRetention"_s, 2000, 500, 10000),
        boolItem(u"monitor"_s, true),
        int32Item(u"monitorInterval"_s, 30, 1, 200000),
        stringItem(u"monitorFqdn"_s, QString()),
        int32Item(u"monitorPort"_s, 6043, 1, 65056),
        int32Item(u"monitorMaxLogs"_s, 100, 1, 1000000),
        boolItem(u"monitorComp"_s, false),
        boolItem(u"crashReporting"_s, true),
        boolItem(u"telemetryReporting"_s, true),
        int32Item(u"telemetryInterval"_s, 43200, 1, 200000),
        stringItem(u"telemetryServer"_s, u"telemetry.tdengine.com"_s),
        int32Item(u"telemetryPort"_s, 80, 1, 65056),
        int32Item(u"transPullupInterval"_s, 2, 1, 10000),
        int32Item(u"mqRebalanceInterval"_s, 2, 1, 10000),
        int32Item(u"ttlUnit"_s, 86400, 1, 86400 * 365),
        int32Item(u"ttlPushInterval"_s, 3600, 1, 100000),
        int32Item(u"uptimeInterval"_s, 300, 1, 100000),
        int32Item(u"queryRsmaTolerance"_s, 1000, 0, 900000),
        int64Item(u"walFsyncDataSizeLimit"_s, 100 * 1024 * 1024, 100 * 1024 * 1024, kInt64Max),
        boolItem(u"udf"_s, true),
        stringItem(u"udfdResFuncs"_s, QString()),
        stringItem(u"udfdLdLibPath"_s, QString()),
        boolItem(u"disableStream"_s, false),
        int64Item(u"streamBufferSize"_s, 128 * 1024 * 1024, 0, kInt64Max),
        int64Item(u"checkpointInterval"_s, 3 * 60 * 60 * 1000, 0, kInt64Max),
        int32Item(u"cacheLazyLoadThreshold"_s, 500, 0, 100000),
        boolItem(u"filterScalarMode"_s, false),
        int32Item(u"maxStreamBackendCache"_s, 128, 16, 1024),
        // taosAddClientLogCfg
        stringItem(u"configDir"_s, u"/etc/taos"_s, Type::Dir),
        stringItem(u"scriptDir"_s, u"/etc/taos"_s, Type::Dir),
        stringItem(u"logDir"_s, u"/var/log/taos"_s, Type::Dir),
        floatItem(u"minimalLogDirGB"_s, 1.0f, 0.001, 10000000),
        int32Item(u"numOfLogLines"_s, 10000000, 1000, 2000000000),
        boolItem(u"asyncLog"_s, true),
        int32Item(u"logKeepDays"_s, 0, -365000, 365000),
        debugFlagItem(u"debugFlag"_s, 0),
        debugFlagItem(u"simDebugFlag"_s, 143),
        debugFlagItem(u"tmrDebugFlag"_s, 131),
        debugFlagItem(u"uDebugFlag"_s, 131),
        debugFlagItem(u"rpcDebugFlag"_s, 131),
        debugFlagItem(u"jniDebugFlag"_s, 131),
        debugFlagItem(u"qDebugFlag"_s, 131),
        debugFlagItem(u"cDebugFlag"_s, 131),
        // taosAddServerLogCfg
        debugFlagItem(u"dDebugFlag"_s, 131),
        debugFlagItem(u"vDebugFlag"_s, 131),
        debugFlagItem(u"mDebugFlag"_s, 131),
        debugFlagItem(u"wDebugFlag"_s, 131),
        debugFlagItem(u"sDebugFlag"_s, 131),
        debugFlagItem(u"tsdbDebugFlag"_s, 131),
        debugFlagItem(u"tqDebugFlag"_s, 131),
        debugFlagItem(u"fsDebugFlag"_s, 131),
        debugFlagItem(u"udfDebugFlag"_s, 131),
        debugFlagItem(u"smaDebugFlag"_s, 131),
        debugFlagItem(u"idxDebugFlag"_s, 131),
        debugFlagItem(u"tdbDebugFlag"_s, 131),
        debugFlagItem(u"metaDebugFlag"_s, 131),
        // taosAddSystemCfg. The image sets LANG en_US.UTF-8 and has /etc/localtime at Etc/UTC
        // (packaging/docker/Dockerfile; osLocale.c, osTimezone.c format them).
        stringItem(u"timezone"_s, u"Etc/UTC (UTC, +0000)"_s, Type::Timezone),
        stringItem(u"locale"_s, u"en_US.UTF-8"_s),
        stringItem(u"charset"_s, u"UTF-8"_s),
        boolItem(u"assert"_s, true),
        boolItem(u"enableCoreFile"_s, true),
        floatItem(u"numOfCores"_s, 8.0f, 1, 100000),
        boolItem(u"SSE42"_s, true),
        boolItem(u"AVX"_s, true),
        boolItem(u"AVX2"_s, true),
        boolItem(u"FMA"_s, true),
        boolItem(u"SIMD-builtins"_s, false),
        boolItem(u"tagFilterCache"_s, false),
        int64Item(u"openMax"_s, 1048576, 0, kInt64Max),
        int64Item(u"streamMax"_s, 16, 0, kInt64Max),
        int32Item(u"pageSizeKB"_s, 4, 0, kInt64Max),
        int64Item(u"totalMemoryKB"_s, 16 * 1024 * 1024, 0, kInt64Max),
        stringItem(u"os sysname"_s, u"Linux"_s),
        stringItem(u"os nodename"_s, QString()),
        stringItem(u"os release"_s, u"5.15.0-sandbox"_s),
        stringItem(u"os version"_s, u"#1 SMP sandbox"_s),
        stringItem(u"os machine"_s, u"x86_64"_s),
        stringItem(u"version"_s, serverVersion()),
        stringItem(u"compatible_version"_s, u"3.0.0.0"_s),
        stringItem(u"gitinfo"_s, u"sandbox"_s),
        stringItem(u"buildinfo"_s, u"Built at sandbox"_s),
    };
}

// Set with the rest from debugFlag when taos.cfg does not name them: taosCreateLog calls
// taosSetAllDebugFlag(debugFlag, false), which overwrites these process-wide flags, and taosInitCfg
// then takes them as the items' defaults. tmrDebugFlag and simDebugFlag are not among them (set
// through a null pointer or on the not yet created tsCfg).
const QStringList kDebugFlagFollowers{
    u"uDebugFlag"_s,    u"rpcDebugFlag"_s, u"jniDebugFlag"_s, u"qDebugFlag"_s,   u"cDebugFlag"_s,
    u"dDebugFlag"_s,    u"vDebugFlag"_s,   u"mDebugFlag"_s,   u"wDebugFlag"_s,   u"sDebugFlag"_s,
    u"tsdbDebugFlag"_s, u"tqDebugFlag"_s,  u"fsDebugFlag"_s,  u"udfDebugFlag"_s, u"smaDebugFlag"_s,
    u"idxDebugFlag"_s,  u"tdbDebugFlag"_s, u"metaDebugFlag"_s};

// What taosSetAllDebugFlag(flag, true) sets when `alter` changes debugFlag.
const QStringList kAllDebugFlags =
    QStringList{u"debugFlag"_s, u"simDebugFlag"_s, u"tmrDebugFlag"_s} + kDebugFlagFollowers;

// The flags a dnode changes one by one (taosCfgDynamicOptions); jniDebugFlag is here but the mnode
// never sends it.
const QStringList kDnodeModuleFlags{
    u"dDebugFlag"_s,    u"vDebugFlag"_s,    u"mDebugFlag"_s,   u"wDebugFlag"_s,   u"sDebugFlag"_s,
    u"tsdbDebugFlag"_s, u"tqDebugFlag"_s,   u"fsDebugFlag"_s,  u"udfDebugFlag"_s, u"smaDebugFlag"_s,
    u"idxDebugFlag"_s,  u"tdbDebugFlag"_s,  u"tmrDebugFlag"_s, u"uDebugFlag"_s,   u"rpcDebugFlag"_s,
    u"qDebugFlag"_s,    u"metaDebugFlag"_s, u"jniDebugFlag"_s};

// The mnode's list in mndProcessConfigDnodeReq (smaDebugFlag is there twice; once is enough).
const QStringList kMnodeDebugFlags{
    u"debugFlag"_s,    u"dDebugFlag"_s,    u"vDebugFlag"_s,   u"mDebugFlag"_s,   u"wDebugFlag"_s,
    u"sDebugFlag"_s,   u"tsdbDebugFlag"_s, u"tqDebugFlag"_s,  u"fsDebugFlag"_s,  u"udfDebugFlag"_s,
    u"smaDebugFlag"_s, u"idxDebugFlag"_s,  u"tdbDebugFlag"_s, u"tmrDebugFlag"_s, u"uDebugFlag"_s,
    u"rpcDebugFlag"_s, u"qDebugFlag"_s,    u"metaDebugFlag"_s};

// C's strtoll on the leading part of `text` (blanks, a sign, digits; anything else ends it; 0 when
// there is no number), saturating as glibc does.
qint64 cStrtoll(QStringView text)
{
    qsizetype i = 0;
    while (i < text.size() && (text.at(i) == u' ' || (text.at(i) >= u'\t' && text.at(i) <= u'\r')))
        ++i;
    bool negative = false;
    if (i < text.size() && (text.at(i) == u'+' || text.at(i) == u'-'))
        negative = text.at(i++) == u'-';
    quint64 magnitude = 0;
    bool overflow = false;
    for (; i < text.size() && text.at(i) >= u'0' && text.at(i) <= u'9'; ++i) {
        const quint64 digit = quint64(text.at(i).unicode() - u'0');
        if (magnitude > (quint64(kInt64Max) + 1 - digit) / 10)
            overflow = true;
        else
            magnitude = magnitude * 10 + digit;
    }
    if (negative)
        return overflow || magnitude > quint64(kInt64Max) ? kInt64Min : -qint64(magnitude);
    return overflow || magnitude > quint64(kInt64Max) ? kInt64Max : qint64(magnitude);
}

// C's atoi: glibc's (int) strtol, which keeps the low 32 bits of a saturated long.
int cAtoi(QStringView text)
{
    return int(quint32(quint64(cStrtoll(text)) & 0xffffffffu));
}

// "Asia/Shanghai (CST, +0800)", as osSetTimezone formats tsTimezoneStr (hours only).
QString formatTimezone(const QString &name)
{
    const QTimeZone zone(name.toUtf8());
    if (!zone.isValid())
        return name;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    return name + u" ("_s + zone.abbreviation(now) + u", "_s +
           QString::asprintf("%+03d00", zone.offsetFromUtc(now) / 3600) + u')';
}

QString typeName(Type type)
{
    switch (type) {
    case Type::Bool:
        return u"bool"_s;
    case Type::Int32:
        return u"int32"_s;
    case Type::Int64:
        return u"int64"_s;
    case Type::Float:
        return u"float"_s;
    case Type::Dir:
        return u"dir"_s;
    case Type::Timezone:
        return u"timezone"_s;
    case Type::String:
        break;
    }
    return u"string"_s;
}

// cfgSetItem for one item (cfgSetBool, cfgSetInt32, ...): the error text is taosd's log line.
bool setItem(ConfigItem &item, const QString &text, QString *error)
{
    const auto outOfRange = [&](const QString &value, const QString &min, const QString &max) {
        if (error) {
            *error = u"cfg:"_s + item.name + u", type:"_s + typeName(item.type) + u" src:env_var value:"_s +
                     value + u" out of range["_s + min + u", "_s + max + u']';
        }
        return false;
    };
    switch (item.type) {
    case Type::Bool:
        item.value = text.compare(u"true"_s, Qt::CaseInsensitive) == 0 || cAtoi(text) > 0 ? u"1"_s : u"0"_s;
        return true;
    case Type::Int32:
    case Type::Int64: {
        const qint64 value = item.type == Type::Int32 ? cAtoi(text) : cStrtoll(text);
        if (value < item.min || value > item.max)
            return outOfRange(QString::number(value), QString::number(item.min), QString::number(item.max));
        item.value = QString::number(value);
        return true;
    }
    case Type::Float: {
        const float value = float(std::strtod(text.toLatin1().constData(), nullptr));
        if (value < item.fmin || value > item.fmax) {
            return outOfRange(formatFloat(value), QString::number(item.fmin, 'f', 6),
                              QString::number(item.fmax, 'f', 6));
        }
        item.value = formatFloat(value);
        return true;
    }
    case Type::Dir: // cfgCheckAndSetDir resolves it with realpath: no trailing slash
        item.value = text.size() > 1 && text.endsWith(u'/') ? text.chopped(1) : text;
        return true;
    case Type::Timezone:
        item.value = formatTimezone(text);
        return true;
    case Type::String:
        break;
    }
    item.value = text;
    return true;
}

// The mnode reads a flag from the value, or when that is not positive from the config's tail after
// the name ('debugFlag 143').
int requestFlag(const QString &config, qsizetype nameLength, const QString &value)
{
    const int flag = cAtoi(value);
    return flag > 0 ? flag : cAtoi(QStringView(config).mid(qMin(nameLength + 1, config.size())));
}

// The name is the whole config or is followed by a blank.
bool endsName(const QString &config, qsizetype nameLength)
{
    return config.size() == nameLength || config.at(nameLength) == u' ';
}

} // namespace

DnodeConfig DnodeConfig::load(const QMap<QString, QString> &taosCfg, const QString &endpoint,
                              QStringList *errors)
{
    DnodeConfig config;
    config.m_items = defaultItems();
    const QString host = endpoint.section(u':', 0, 0);
    // taosGetFqdn and the hostname: the pod's name under its headless service, and the pod's name.
    config.find(u"fqdn"_s)->value = host;
    config.find(u"os nodename"_s)->value = host.section(u'.', 0, 0);
    if (const QString port = endpoint.section(u':', 1); !port.isEmpty())
        config.find(u"serverPort"_s)->value = port;
    QSet<QString> given;
    for (auto it = taosCfg.cbegin(); it != taosCfg.cend(); ++it) {
        ConfigItem *item = config.find(it.key());
        if (!item) // TSDB_CODE_CFG_NOT_FOUND is not an error
            continue;
        // paGetToken: the value is the first word (dataDir takes a level and a primary flag after it).
        const QString value = it.value().trimmed().section(QRegularExpression(u"\\s+"_s), 0, 0);
        QString error;
        if (setItem(*item, value, &error))
            given.insert(item->name);
        else if (errors)
            errors->append(error);
    }
    if (const int debugFlag = config.value(u"debugFlag"_s).toInt(); debugFlag > 0) {
        for (const QString &name : kDebugFlagFollowers) {
            if (!given.contains(name))
                config.find(name)->value = QString::number(debugFlag);
        }
    }
    return config;
}

QList<DnodeConfig::Variable> DnodeConfig::variables() const
{
    QList<Variable> variables;
    variables.reserve(m_items.size());
    for (const ConfigItem &item : m_items)
        variables.append(Variable{item.name, item.value});
    return variables;
}

QString DnodeConfig::value(const QString &name) const
{
    const ConfigItem *item = find(name);
    return item ? item->value : QString();
}

bool DnodeConfig::set(const QString &name, const QString &value, QString *error)
{
    ConfigItem *item = find(name);
    return item && setItem(*item, value, error);
}

void DnodeConfig::applyDynamic(const QString &option, const QString &value)
{
    const int flag = cAtoi(value);
    const auto setFlag = [this](const QString &name, const QString &text) {
        if (ConfigItem *item = find(name))
            item->value = text;
    };
    if (option.startsWith(u"debugFlag"_s, Qt::CaseInsensitive)) {
        if (flag <= 0) // taosSetAllDebugFlag ignores it
            return;
        for (const QString &name : kAllDebugFlags)
            setFlag(name, QString::number(flag));
        return;
    }
    if (option.compare(u"resetlog"_s, Qt::CaseInsensitive) == 0)
        return;
    if (option.compare(u"monitor"_s, Qt::CaseInsensitive) == 0) {
        setFlag(u"monitor"_s, flag != 0 ? u"1"_s : u"0"_s);
        return;
    }
    for (const QString &name : kDnodeModuleFlags) {
        if (option.startsWith(name, Qt::CaseInsensitive)) {
            setFlag(name, QString::number(flag));
            return;
        }
    }
}

ConfigItem *DnodeConfig::find(const QString &name)
{
    for (ConfigItem &item : m_items) {
        if (item.name.compare(name, Qt::CaseInsensitive) == 0)
            return &item;
    }
    return nullptr;
}

const ConfigItem *DnodeConfig::find(const QString &name) const
{
    for (const ConfigItem &item : m_items) {
        if (item.name.compare(name, Qt::CaseInsensitive) == 0)
            return &item;
    }
    return nullptr;
}

std::optional<ConfigRequest> checkConfigRequest(const QString &config, const QString &value)
{
    if (config.compare(u"resetlog"_s, Qt::CaseInsensitive) == 0)
        return ConfigRequest{u"resetlog"_s, QString()};
    if (config.startsWith(u"monitor"_s, Qt::CaseInsensitive)) {
        if (!endsName(config, 7))
            return std::nullopt;
        const int flag = requestFlag(config, 7, value);
        if (flag < 0 || flag > 2)
            return std::nullopt;
        return ConfigRequest{u"monitor"_s, QString::number(flag)};
    }
    for (const QString &name : kMnodeDebugFlags) {
        if (!config.startsWith(name, Qt::CaseInsensitive))
            continue;
        if (!endsName(config, name.size()))
            return std::nullopt;
        const int flag = requestFlag(config, name.size(), value);
        if (flag < 0 || flag > 255)
            return std::nullopt;
        return ConfigRequest{name, QString::number(flag)};
    }
    return std::nullopt;
}

} // namespace tdkube::sandbox::tdengine
