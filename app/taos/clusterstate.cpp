#include "taos/clusterstate.h"

#include "kube/objects.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace tdkube::taos {

namespace {

using namespace Qt::StringLiterals;
using Severity = HealthWarning::Severity;

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ClusterState)
};

bool isPodReady(const QJsonObject &pod)
{
    for (const QJsonValue &condition : kube::valueAt(pod, u"status.conditions"_s).toArray()) {
        if (condition.toObject().value(u"type").toString() == u"Ready")
            return condition.toObject().value(u"status").toString() == u"True";
    }
    return false;
}

QString podPhase(const QJsonObject &pod)
{
    return kube::valueAt(pod, u"status.phase"_s).toString();
}

void warnDnodes(const ClusterSnapshot &snapshot, const QHash<QString, QJsonObject> &pods,
                QList<HealthWarning> *warnings)
{
    for (const Dnode &dnode : snapshot.dnodes) {
        const QString pod = podOfEndpoint(dnode.endpoint);
        const bool hasPod = pods.contains(pod);
        if (!hasPod) {
            warnings->append(
                {Severity::Critical, Text::tr("dnode %1 has no pod").arg(dnode.id),
                 Text::tr(
                     "dnode %1 (%2) is still part of the cluster, but pod %3 does not exist: the StatefulSet "
                     "was scaled in without `drop dnode %1`. Its %4 vnode(s) are unavailable. Scale the "
                     "StatefulSet back out so that %3 returns with its data, then scale in safely with "
                     "tdkube (it drops the dnode first). If its claim is gone too, Repair… on this page "
                     "drops the dnode for good (`drop dnode %1 force`, or `unsafe` when it held the only "
                     "copy of some data) and says what data that loses.")
                     .arg(QString::number(dnode.id), dnode.endpoint, pod, QString::number(dnode.vnodes))});
            continue;
        }
        if (dnode.state() == DnodeState::Offline) {
            const QJsonObject &object = pods.value(pod);
            //: a pod's phase when it has none
            const QString phase = podPhase(object).isEmpty() ? Text::tr("unknown") : podPhase(object);
            const QString text =
                isPodReady(object)
                    ? Text::tr(
                          "dnode %1 (%2) does not answer the cluster. Its pod %3 is %4 and Ready. Look at "
                          "the pod's events and logs; the vnodes it holds have lost a replica until it "
                          "returns.")
                    : Text::tr(
                          "dnode %1 (%2) does not answer the cluster. Its pod %3 is %4 and not Ready. Look "
                          "at the pod's events and logs; the vnodes it holds have lost a replica until it "
                          "returns.");
            warnings->append({Severity::Critical, Text::tr("dnode %1 is offline").arg(dnode.id),
                              text.arg(QString::number(dnode.id), dnode.endpoint, pod, phase)});
        } else if (dnode.state() == DnodeState::Dropping) {
            // `dropping*`: offline as well, so TDengine copies its vnodes from their other replicas.
            warnings->append(
                {dnode.isOnline() ? Severity::Info : Severity::Warning,
                 dnode.isOnline() ? Text::tr("dnode %1 is being dropped").arg(dnode.id)
                                  : Text::tr("dnode %1 is being dropped and is offline").arg(dnode.id),
                 (dnode.isOnline()
                      ? Text::tr(
                            "Its vnodes are moving to the other dnodes. Do not delete pod %1 or its volume "
                            "until dnode %2 has left `show dnodes`.")
                      : Text::tr(
                            "Its vnodes are moving to the other dnodes from their other replicas (it does "
                            "not answer: status msg timeout); `show transactions` says whether the drop "
                            "goes on. Do not delete pod %1 or its volume until dnode %2 has left `show "
                            "dnodes`."))
                     .arg(pod, QString::number(dnode.id))});
        }
    }
}

void warnPodsWithoutDnode(const ClusterSnapshot &snapshot, const QHash<QString, QJsonObject> &pods,
                          QList<HealthWarning> *warnings)
{
    QSet<QString> joined;
    for (const Dnode &dnode : snapshot.dnodes)
        joined.insert(podOfEndpoint(dnode.endpoint));
    QStringList names = pods.keys();
    names.sort();
    for (const QString &name : names) {
        if (joined.contains(name) || !isPodReady(pods.value(name)))
            continue;
        warnings->append(
            {Severity::Warning, Text::tr("pod %1 is not a dnode").arg(name),
             Text::tr(
                 "Pod %1 runs, but the cluster has no dnode with its endpoint: it did not join. Its logs "
                 "say why; a volume that still holds an old dnode's identity (a stale claim reused by a "
                 "scale-out) prevents joining.")
                 .arg(name)});
    }
}

void warnMnodes(const ClusterSnapshot &snapshot, QList<HealthWarning> *warnings)
{
    if (snapshot.mnodes.isEmpty())
        return;
    const MnodeHealth health = mnodeHealth(snapshot.mnodes);
    if (!health.quorum) {
        const QString text =
            health.leaderEndpoint.isEmpty()
                ? Text::tr(
                      "%1 of %2 mnode(s) are ready and none is the leader. Without a leader the cluster "
                      "cannot create databases, tables or users, nor move vnodes. Bring the offline mnodes' "
                      "pods back.")
                : Text::tr(
                      "%1 of %2 mnode(s) are ready. Without a quorum the cluster cannot create databases, "
                      "tables or users, nor move vnodes. Bring the offline mnodes' pods back.");
        warnings->append({Severity::Critical, Text::tr("the mnodes have no quorum"),
                          text.arg(QString::number(health.ready), QString::number(snapshot.mnodes.size()))});
    }
    if (snapshot.mnodes.size() < 3 && snapshot.dnodes.size() >= 3) {
        warnings->append(
            {Severity::Warning, Text::tr("only %n mnode(s)", nullptr, int(snapshot.mnodes.size())),
             Text::tr(
                 "With %1 dnodes the cluster should have 3 mnodes, so that it survives losing one. Create "
                 "them on two more dnodes, e.g. `create mnode on dnode 2` and `create mnode on dnode 3`.")
                 .arg(snapshot.dnodes.size())});
    }
}

void warnReplicas(const ClusterSnapshot &snapshot, QList<HealthWarning> *warnings)
{
    const qsizetype ready = std::count_if(snapshot.dnodes.begin(), snapshot.dnodes.end(),
                                          [](const Dnode &dnode) { return dnode.status == u"ready"; });
    for (const Database &database : snapshot.databases) {
        if (isSystemDatabase(database.name))
            continue;
        if (database.replica > ready) {
            warnings->append(
                {Severity::Critical,
                 Text::tr("database %1 needs %2 dnodes")
                     .arg(database.name, QString::number(database.replica)),
                 Text::tr("Database %1 keeps %2 replicas, but only %3 dnode(s) are ready: its vgroups cannot "
                          "reach a majority and writes fail. Bring dnodes back, and never scale in below %2.")
                     .arg(database.name, QString::number(database.replica), QString::number(ready))});
        }
    }
}

void warnLostVnodes(const ClusterSnapshot &snapshot, const QHash<QString, QDateTime> &dataClaimCreated,
                    QList<HealthWarning> *warnings)
{
    for (const LostVnodes &lost : lostVnodes(snapshot, snapshot.takenAt, dataClaimCreated)) {
        warnings->append({Severity::Critical,
                          lost.lostDatabases.isEmpty()
                              ? Text::tr("dnode %1 lost its vnodes").arg(lost.dnode.id)
                              : Text::tr("dnode %1 lost its vnodes and data of %2")
                                    .arg(QString::number(lost.dnode.id), lost.lostDatabases.join(u", ")),
                          lost.describe()});
    }
}

} // namespace

QList<LostVnodes> lostVnodes(const ClusterSnapshot &snapshot, const QDateTime &now,
                             const QHash<QString, QDateTime> &dataClaimCreated)
{
    QList<LostVnodes> found;
    // A vnode being created or moved may be offline meanwhile; a newer claim says what it says anyway.
    const bool offlineTells = snapshot.transactions.isEmpty();
    for (const Dnode &dnode : snapshot.dnodes) {
        LostVnodes lost;
        lost.dnode = dnode;
        const QDateTime claim = dataClaimCreated.value(podOfEndpoint(dnode.endpoint));
        const bool newClaim = claim.isValid() && dnode.createTime.isValid() &&
                              dnode.createTime.secsTo(claim) > kClaimClockSkewSeconds;
        const bool settled = offlineTells && dnode.status == u"ready" && dnode.rebootTime.isValid() &&
                             dnode.rebootTime.secsTo(now) >= kLostVnodeGraceSeconds;
        if (!newClaim && !settled)
            continue;
        if (newClaim)
            lost.claimCreated = claim;
        for (const Vgroup &vgroup : snapshot.vgroups) {
            for (const Vnode &vnode : vgroup.vnodes) {
                if (vnode.dnodeId != dnode.id || (!newClaim && vnode.state() != VnodeRole::Offline))
                    continue;
                lost.vgroups.append(vgroup.id);
                if (!lost.databases.contains(vgroup.database))
                    lost.databases.append(vgroup.database);
                if (vgroup.vnodes.size() == 1 && !lost.lostDatabases.contains(vgroup.database))
                    lost.lostDatabases.append(vgroup.database);
            }
        }
        if (lost.vgroups.isEmpty())
            continue;
        lost.databases.sort();
        lost.lostDatabases.sort();
        found.append(lost);
    }
    return found;
}

QHash<QString, QDateTime> dataClaimsCreated(const QJsonObject &statefulSet, const QList<QJsonObject> &claims)
{
    const QJsonArray templates = kube::valueAt(statefulSet, u"spec.volumeClaimTemplates"_s).toArray();
    if (templates.isEmpty())
        return {};
    QString data = kube::nameOf(templates.first().toObject());
    for (const QJsonValue &container :
         kube::valueAt(statefulSet, u"spec.template.spec.containers"_s).toArray()) {
        for (const QJsonValue &mount : container.toObject().value(u"volumeMounts").toArray()) {
            if (mount.toObject().value(u"mountPath").toString() == u"/var/lib/taos")
                data = mount.toObject().value(u"name").toString();
        }
    }
    const QString set = kube::nameOf(statefulSet);
    const QString prefix = data + u'-' + set + u'-';
    QHash<QString, QDateTime> created;
    for (const QJsonObject &claim : claims) {
        const QString name = kube::nameOf(claim);
        if (!name.startsWith(prefix) || kube::namespaceOf(claim) != kube::namespaceOf(statefulSet))
            continue;
        const QString pod = name.mid(data.size() + 1);
        if (kube::podOrdinal(pod, set) < 0)
            continue;
        created.insert(pod,
                       QDateTime::fromString(kube::valueAt(claim, u"metadata.creationTimestamp"_s).toString(),
                                             Qt::ISODate));
    }
    return created;
}

QString LostVnodes::describe() const
{
    QStringList ids;
    for (const int id : vgroups)
        ids.append(QString::number(id));
    const QString pod = podOfEndpoint(dnode.endpoint);
    QStringList sentences;
    if (claimCreated.isValid()) {
        sentences.append(
            Text::tr(
                "dnode %1 (%2) joined the cluster on %3, but pod %4 now runs on a volume claim created on "
                "%5: its data directory is new, and its vnodes of vgroup(s) %6 (database %7) are gone, "
                "whatever `show vgroups` says (TDengine keeps showing the roles they had when the pod came "
                "back within seconds), and TDengine does not rebuild them by itself. Those vgroups run a "
                "replica short, reads may be sent to the empty dnode and fail, and they stop when one more "
                "replica goes. (Not so if that claim was restored with the dnode's data, from a volume "
                "snapshot say: tdkube cannot tell that from the claim.)")
                .arg(QString::number(dnode.id), dnode.endpoint,
                     dnode.createTime.toUTC().toString(Qt::ISODate), pod,
                     claimCreated.toUTC().toString(Qt::ISODate), ids.join(u", "), databases.join(u", ")));
    } else {
        sentences.append(
            Text::tr(
                "dnode %1 (%2) is ready, but its vnodes of vgroup(s) %3 (database %4) are offline more "
                "than %5 s after it started: its data directory came back empty (pod %6 on a new volume "
                "claim), and TDengine does not rebuild them by itself. Those vgroups run a replica short, "
                "and stop when one more replica goes.")
                .arg(QString::number(dnode.id), dnode.endpoint, ids.join(u", "), databases.join(u", "),
                     QString::number(kLostVnodeGraceSeconds), pod));
    }
    if (!lostDatabases.isEmpty())
        sentences.append(Text::tr("The data of %1 (replica 1) that was on it is gone for good.")
                             .arg(lostDatabases.join(u", ")));
    sentences.append(
        Text::tr(
            "To rebuild them: `drop dnode %1` while another dnode can take its vnodes (with only as many "
            "dnodes as the largest replica, scale out by one first), and TDengine copies them there from "
            "their other replicas; then delete pod %2 and its claim so that it joins again as a new dnode. "
            "Do not delete another pod or claim meanwhile.")
            .arg(QString::number(dnode.id), pod));
    return sentences.join(u' ');
}

DnodeState Dnode::state() const
{
    static const QList<std::pair<QString, DnodeState>> prefixes{{u"ready"_s, DnodeState::Ready},
                                                                {u"offline"_s, DnodeState::Offline},
                                                                {u"dropping"_s, DnodeState::Dropping},
                                                                {u"creating"_s, DnodeState::Creating}};
    for (const auto &[prefix, state] : prefixes) {
        if (status.startsWith(prefix))
            return state;
    }
    return DnodeState::Unknown;
}

bool Dnode::isOnline() const
{
    const DnodeState now = state();
    return now != DnodeState::Offline && now != DnodeState::Unknown && !status.endsWith(u'*');
}

bool Mnode::isServing() const
{
    return status == u"ready" && (role == u"leader" || role == u"follower");
}

VnodeRole vnodeRole(const QString &status)
{
    const QString word = status.trimmed();
    if (word == u"leader")
        return VnodeRole::Leader;
    if (word.startsWith(u"leader"))
        return VnodeRole::LeaderNotRestored;
    static const QHash<QString, VnodeRole> words{
        {u"follower"_s, VnodeRole::Follower}, {u"candidate"_s, VnodeRole::Candidate},
        {u"learner"_s, VnodeRole::Learner},   {u"offline"_s, VnodeRole::Offline},
        {u"dropping"_s, VnodeRole::Dropping}, {u"error"_s, VnodeRole::Error},
        {u"assigned"_s, VnodeRole::Assigned}};
    return words.value(word, VnodeRole::Unknown);
}

bool Vnode::isHealthy() const
{
    const VnodeRole role = state();
    return role == VnodeRole::Leader || role == VnodeRole::Follower;
}

namespace {

struct LastAction
{
    int action = -1; // none when TDengine names no action
    int code = 0;
    QString text;    // TDengine's words for the code
    QString message; // e.g. "alter-confirm"
    QString endpoint;
};

LastAction parseLastAction(const QString &info)
{
    static const QRegularExpression pattern(u"action:(\\d+) code:0x([0-9a-fA-F]+)\\(([^)]*)\\)"_s);
    static const QRegularExpression messagePattern(u"msgType:(\\S+)"_s);
    static const QRegularExpression inUsePattern(u"inUse:(\\d+)"_s);
    static const QRegularExpression endpointPattern(u"ep:(\\d+)-(\\S+)"_s);
    LastAction last;
    const QRegularExpressionMatch match = pattern.match(info);
    if (!match.hasMatch())
        return last;
    last.action = match.captured(1).toInt();
    last.code = match.captured(2).toInt(nullptr, 16) & 0xffff;
    last.text = match.captured(3);
    last.message = messagePattern.match(info).captured(1);
    const QString inUse = inUsePattern.match(info).captured(1);
    for (auto it = endpointPattern.globalMatch(info); it.hasNext();) {
        const QRegularExpressionMatch ep = it.next();
        if (last.endpoint.isEmpty() || ep.captured(1) == inUse)
            last.endpoint = ep.captured(2);
    }
    return last;
}

// Codes a transaction waits through by design (mndTransExecuteActions in mndTrans.c).
bool isWaitingCode(int code)
{
    static const QSet<int> waiting{
        0x0000, // success
        0x0111, // Action in progress (3.0's in-flight action)
        0x03D8, // Wrong transaction execution context (3.3's in-flight action)
        0x0532, // Vnode didn't catch up its leader (a new replica syncing)
        0x090C, // Sync leader is unreachable / not leader
        0x0911, // Sync not ready to propose
        0x0914, // Sync leader is restoring
    };
    return waiting.contains(code);
}

} // namespace

int Transaction::lastActionCode() const
{
    return parseLastAction(lastAction).code;
}

bool Transaction::isFailing() const
{
    return !isWaitingCode(lastActionCode());
}

QString Transaction::describe() const
{
    const LastAction last = parseLastAction(lastAction);
    //: a transaction's operation when TDengine names none
    const QString what = operation.isEmpty() ? Text::tr("unknown operation") : operation;
    const QString text =
        stage.isEmpty() ? Text::tr("transaction %1 (%2)").arg(QString::number(id), what)
                        : Text::tr("transaction %1 (%2, stage %3)").arg(QString::number(id), what, stage);
    if (last.action < 0)
        return lastAction.trimmed().isEmpty() ? text : text + u": "_s + lastAction.trimmed();
    if (last.action == 0 && last.code == 0)
        return text; // no action yet (mndSetTransLastAction with none)
    const QString number = QString::number(last.action);
    QString action;
    if (last.message.isEmpty()) {
        action = Text::tr("action %1").arg(number);
    } else if (last.endpoint.isEmpty()) {
        //: %2 is TDengine's name of the message the action sends (alter-confirm)
        action = Text::tr("action %1 (%2)").arg(number, last.message);
    } else {
        //: %2 is TDengine's name of the message the action sends (alter-confirm), %3 the endpoint it goes to
        action = Text::tr("action %1 (%2 to %3)").arg(number, last.message, last.endpoint);
    }
    const QString code = u"0x"_s + u"%1"_s.arg(last.code, 4, 16, QChar(u'0')).toUpper();
    //: %1 is a transaction, %2 its last action
    if (last.code == 0)
        return Text::tr("%1: %2 done").arg(text, action);
    if (last.code == 0x0111 || last.code == 0x03D8)
        return Text::tr("%1: %2 under way").arg(text, action);
    //: %3 is TDengine's text of the error code %4
    if (!isFailing())
        return Text::tr("%1: %2 waiting: %3 (%4)").arg(text, action, last.text, code);
    if (failedTimes == 1)
        return Text::tr("%1: %2 failed once: %3 (%4)").arg(text, action, last.text, code);
    if (failedTimes > 1)
        return Text::tr("%1: %2 failed %n times: %3 (%4)", nullptr, failedTimes)
            .arg(text, action, last.text, code);
    return Text::tr("%1: %2 failed: %3 (%4)").arg(text, action, last.text, code);
}

QString Transaction::advice() const
{
    return Text::tr(
               "TDengine retries it until what it needs is back (often a dnode that is offline: bring its "
               "pod back); `show transactions` shows how it goes. Only if that cannot come back, `kill "
               "transaction %1` ends it (on 3.3 where `show transactions` says it is killable): TDengine "
               "then counts its remaining actions as done without doing them, so its metadata may say "
               "vnodes moved that did not; read the vgroups afterwards.")
        .arg(id);
}

QString podOfEndpoint(const QString &endpoint)
{
    const QString host = endpoint.section(u':', 0, 0);
    return host.section(u'.', 0, 0);
}

MnodeHealth mnodeHealth(const QList<Mnode> &mnodes)
{
    MnodeHealth health;
    for (const Mnode &mnode : mnodes) {
        if (mnode.role == u"leader" && mnode.status == u"ready")
            health.leaderEndpoint = mnode.endpoint;
        health.ready += mnode.isServing() ? 1 : 0;
    }
    health.quorum = !health.leaderEndpoint.isEmpty() && health.ready * 2 > mnodes.size();
    return health;
}

QHash<int, VnodeCount> vnodesPerDnode(const QList<Vgroup> &vgroups)
{
    QHash<int, VnodeCount> counts;
    for (const Vgroup &vgroup : vgroups) {
        for (const Vnode &vnode : vgroup.vnodes) {
            VnodeCount &count = counts[vnode.dnodeId];
            if (vnode.state() == VnodeRole::Leader)
                ++count.leaders;
            else if (vnode.state() == VnodeRole::Follower)
                ++count.followers;
            else
                ++count.others;
        }
    }
    return counts;
}

QList<HealthWarning> assessHealth(const ClusterSnapshot &snapshot, const QJsonObject &statefulSet,
                                  const QList<QJsonObject> &pods, const QHash<QString, QString> &staleClaims,
                                  const QHash<QString, QDateTime> &dataClaimCreated)
{
    QList<HealthWarning> warnings;
    QHash<QString, QJsonObject> byName;
    for (const QJsonObject &pod : pods)
        byName.insert(kube::nameOf(pod), pod);
    warnDnodes(snapshot, byName, &warnings);
    warnPodsWithoutDnode(snapshot, byName, &warnings);
    warnMnodes(snapshot, &warnings);
    warnReplicas(snapshot, &warnings);
    warnLostVnodes(snapshot, dataClaimCreated, &warnings);
    const QString ns = kube::namespaceOf(statefulSet);
    QStringList stale;
    for (auto it = staleClaims.begin(); it != staleClaims.end(); ++it) {
        if (it.key().startsWith(ns + u'/'))
            stale.append(it.key().section(u'/', 1));
    }
    stale.sort();
    if (!stale.isEmpty()) {
        warnings.append(
            {Severity::Warning, Text::tr("%n stale volume claim(s)", nullptr, int(stale.size())),
             Text::tr(
                 "%1: left behind by a scale-in. A later scale-out would give the new pods these claims "
                 "back, with the old dnodes' data and identity. Delete them once their dnodes are dropped.")
                 .arg(stale.join(u", "))});
    }
    for (const Transaction &transaction : snapshot.transactions) {
        if (transaction.isStuck()) {
            warnings.append({Severity::Warning,
                             Text::tr("transaction %1 (%2) is stuck")
                                 .arg(QString::number(transaction.id), transaction.operation),
                             transaction.describe() + u". "_s + transaction.advice()});
            continue;
        }
        warnings.append({Severity::Info,
                         Text::tr("transaction %1 is running: %2")
                             .arg(QString::number(transaction.id), transaction.operation),
                         transaction.describe() + u'.'});
    }
    std::stable_sort(warnings.begin(), warnings.end(), [](const HealthWarning &a, const HealthWarning &b) {
        return int(a.severity) > int(b.severity);
    });
    return warnings;
}

} // namespace tdkube::taos
