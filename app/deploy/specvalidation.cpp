// validate(): the checks that need no cluster. Each message says what is wrong and what to do.
#include "deploy/clusterspec.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QTimeZone>

#include <cmath>
#include <utility>

namespace tdkube::deploy {

using namespace Qt::StringLiterals;

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(SpecValidation)
};

constexpr int kMaxLabelLength = 63;

// Why `text` is not a DNS-1123 label (lower-case alphanumerics and '-', starting and ending with
// an alphanumeric, at most 63 characters); empty when it is one. `what` names the field for a
// person, translated ("The cluster name").
QString dnsLabelProblem(const QString &text, const QString &what)
{
    //: %1 names a field, e.g. "The cluster name"
    if (text.isEmpty())
        return Text::tr("%1 is empty. Enter a name such as \"tdengine\".").arg(what);
    //: %1 names a field ("The cluster name"), %2 its value, %3 its length, %4 the limit (63)
    if (text.size() > kMaxLabelLength)
        return Text::tr("%1 \"%2\" has %3 characters; Kubernetes allows at most %4. Shorten it.")
            .arg(what, text, QString::number(text.size()), QString::number(kMaxLabelLength));
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        const bool alnum = (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
        if (alnum || (c == u'-' && i > 0 && i < text.size() - 1))
            continue;
        //: %1 names a field ("The cluster name"), %2 its value, %3 the wrong character, %4 its position
        const QString message =
            c == u'-' ? Text::tr("%1 \"%2\" has '%3' at position %4: it may not start or end with '-'. Use a "
                                 "name such as \"tdengine\".")
            : c.isUpper()
                ? Text::tr(
                      "%1 \"%2\" has '%3' at position %4: upper-case letters are not allowed. Use a name "
                      "such as \"tdengine\".")
                : Text::tr("%1 \"%2\" has '%3' at position %4: only lower-case letters, digits and '-' are "
                           "allowed. Use a name such as \"tdengine\".");
        return message.arg(what, text, QString(c), QString::number(i + 1));
    }
    return {};
}

// The longest name derived from the cluster name, and what it names (translated, for "its %2
// would be ..."). Services are DNS-1035 labels, and the StatefulSet controller labels pods with
// "<name>-<10-character revision hash>".
std::pair<QString, QString> longestDerivedName(const ClusterSpec &spec)
{
    //: the pods' controller-revision-hash label, as in "its revision label would be ..."
    std::pair<QString, QString> longest{Text::tr("revision label"), spec.name + u"-0123456789"_s};
    for (const auto &[what, name] : {std::pair{u"ConfigMap"_s, spec.configMapName()},
                                     //: as in "its headless Service would be ..."
                                     std::pair{Text::tr("headless Service"), spec.headlessServiceName()},
                                     //: as in "its client Service would be ..."
                                     std::pair{Text::tr("client Service"), spec.clientServiceName()}}) {
        if (name.size() > longest.second.size())
            longest = {what, name};
    }
    return longest;
}

void checkNames(const ClusterSpec &spec, QList<SpecProblem> *problems)
{
    const auto [what, longest] = longestDerivedName(spec);
    if (const QString problem = dnsLabelProblem(spec.name, Text::tr("The cluster name")); !problem.isEmpty())
        problems->append({u"name"_s, problem});
    else if (!spec.name.front().isLetter())
        problems->append({u"name"_s, Text::tr("The cluster name \"%1\" must start with a letter: the Service "
                                              "names derived from it must. Use a name such as \"tdengine\".")
                                         .arg(spec.name)});
    else if (longest.size() > kMaxLabelLength)
        //: %2 is what the name is used for ("headless Service"), %3 that name
        problems->append(
            {u"name"_s,
             Text::tr("The cluster name \"%1\" is too long: its %2 would be \"%3\" (%4 characters, "
                      "at most %5). Shorten the name to %6 characters or fewer.")
                 .arg(spec.name, what, longest, QString::number(longest.size()),
                      QString::number(kMaxLabelLength),
                      QString::number(kMaxLabelLength - (longest.size() - spec.name.size())))});
    if (const QString problem = dnsLabelProblem(spec.ns, Text::tr("The namespace")); !problem.isEmpty())
        problems->append({u"ns"_s, problem});
    for (const auto &[field, name] : {std::pair{u"headlessServiceOverride"_s, spec.headlessServiceOverride},
                                      std::pair{u"clientServiceOverride"_s, spec.clientServiceOverride},
                                      std::pair{u"configMapOverride"_s, spec.configMapOverride}}) {
        if (const QString problem = dnsLabelProblem(name, Text::tr("The name"));
            !name.isEmpty() && !problem.isEmpty())
            problems->append({field, problem});
    }
}

// `what` names the field for a person, translated ("The data volume size").
void checkQuantity(const QString &field, const QString &what, const QString &text, bool required,
                   QList<SpecProblem> *problems)
{
    if (text.isEmpty()) {
        //: %1 names a field, e.g. "The data volume size"
        if (required)
            problems->append({field, Text::tr("%1 is empty. Enter a size such as 5Gi.").arg(what)});
        return;
    }
    double value = 0;
    //: %1 names a field ("The CPU limit"), %2 its value
    if (!parseQuantity(text, &value))
        problems->append({field, Text::tr("%1 \"%2\" is not a Kubernetes quantity. Write a number with an "
                                          "optional suffix: 500m, 2, 1Gi, 512Mi, 10G.")
                                     .arg(what, text)});
    //: %1 names a field ("The CPU limit"), %2 its value
    else if (value <= 0)
        problems->append({field, Text::tr("%1 \"%2\" must be greater than zero.").arg(what, text)});
}

void checkRequestLimit(const QString &request, const QString &limit, const QString &limitField,
                       QList<SpecProblem> *problems)
{
    double requested = 0;
    double limited = 0;
    if (!parseQuantity(request, &requested) || !parseQuantity(limit, &limited) || requested <= limited)
        return;
    const QString message = limitField == u"cpuLimit"
                                ? Text::tr("The CPU limit %1 is below the CPU request %2; Kubernetes rejects "
                                           "such a pod. Raise the limit or lower the request.")
                                : Text::tr("The memory limit %1 is below the memory request %2; Kubernetes "
                                           "rejects such a pod. Raise the limit or lower the request.");
    problems->append({limitField, message.arg(limit, request)});
}

void checkResources(const ClusterSpec &spec, QList<SpecProblem> *problems)
{
    checkQuantity(u"storageSize"_s, Text::tr("The data volume size"), spec.storageSize, true, problems);
    checkQuantity(u"logStorageSize"_s, Text::tr("The log volume size"), spec.logStorageSize, false, problems);
    checkQuantity(u"cpuRequest"_s, Text::tr("The CPU request"), spec.cpuRequest, false, problems);
    checkQuantity(u"memoryRequest"_s, Text::tr("The memory request"), spec.memoryRequest, false, problems);
    checkQuantity(u"cpuLimit"_s, Text::tr("The CPU limit"), spec.cpuLimit, false, problems);
    checkQuantity(u"memoryLimit"_s, Text::tr("The memory limit"), spec.memoryLimit, false, problems);
    checkRequestLimit(spec.memoryRequest, spec.memoryLimit, u"memoryLimit"_s, problems);
    checkRequestLimit(spec.cpuRequest, spec.cpuLimit, u"cpuLimit"_s, problems);
}

void checkImage(const ClusterSpec &spec, QList<SpecProblem> *problems)
{
    const QString lastSegment = spec.image.section(u'/', -1);
    if (spec.image.trimmed().isEmpty() || spec.image.contains(u' '))
        problems->append(
            {u"image"_s, Text::tr("The image \"%1\" is not an image name. Enter a repository such "
                                  "as tdengine/tdengine (no spaces).")
                             .arg(spec.image)});
    else if (lastSegment.contains(u':') || lastSegment.contains(u'@'))
        problems->append(
            {u"image"_s, Text::tr("The image \"%1\" includes a tag or digest. Enter the repository alone "
                                  "(tdengine/tdengine) and the version in the tag field.")
                             .arg(spec.image)});
    static const QRegularExpression tagPattern(u"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$"_s);
    if (spec.tag == u"latest" || spec.tag.isEmpty())
        problems->append(
            {u"tag"_s, Text::tr("The image tag is \"%1\". All dnodes of a cluster must run the same "
                                "TDengine version, and \"latest\" changes under you. Pin a release such as "
                                "3.0.7.1.")
                           .arg(spec.tag)});
    else if (!tagPattern.match(spec.tag).hasMatch())
        problems->append(
            {u"tag"_s, Text::tr("The image tag \"%1\" is not valid: use letters, digits, '.', '_' and '-', "
                                "at most 63 characters, such as 3.0.7.1.")
                           .arg(spec.tag)});
}

void checkPorts(const ClusterSpec &spec, QList<SpecProblem> *problems)
{
    if (spec.serverPort < 1 || spec.serverPort > 65535)
        problems->append(
            {u"serverPort"_s, Text::tr("The server port %1 is outside 1..65535. The usual one is 6030.")
                                  .arg(spec.serverPort)});
    else if (spec.adapterPort() > 65535)
        problems->append(
            {u"serverPort"_s, Text::tr("The server port %1 leaves no room for taosAdapter, which listens on "
                                       "the server port + 11 (%2 > 65535). Choose 65524 or lower; the usual "
                                       "one is 6030.")
                                  .arg(spec.serverPort)
                                  .arg(spec.adapterPort())});
}

void checkTaosConfig(const ClusterSpec &spec, QList<SpecProblem> *problems)
{
    static const QRegularExpression identifier(u"^[A-Za-z][A-Za-z0-9]*$"_s);
    static const QStringList perPod{u"fqdn"_s, u"firstEp"_s, u"secondEp"_s, u"serverPort"_s};
    for (auto it = spec.taosConfig.cbegin(); it != spec.taosConfig.cend(); ++it) {
        const QString field = u"taosConfig."_s + it.key();
        if (!identifier.match(it.key()).hasMatch())
            problems->append(
                {field, Text::tr("\"%1\" is not a taos.cfg key: keys are letters and digits starting with a "
                                 "letter, such as supportVnodes.")
                            .arg(it.key())});
        else if (perPod.contains(it.key(), Qt::CaseInsensitive))
            problems->append(
                {field, Text::tr("%1 is set by tdkube for each pod (from the pod's DNS name and the server "
                                 "port). Remove it here; change the server port field instead.")
                            .arg(it.key())});
    }
}

void checkBehaviour(const ClusterSpec &spec, QList<SpecProblem> *problems)
{
    if (spec.replicas < 1 || spec.replicas > 64)
        problems->append(
            {u"replicas"_s,
             Text::tr("%1 dnodes: the number is outside 1..64. Use 3 or more for high availability.")
                 .arg(spec.replicas)});
    const QByteArray zone = spec.timezone.toUtf8();
    if (spec.timezone != u"UTC" && !QTimeZone::isTimeZoneIdAvailable(zone))
        problems->append({u"timezone"_s, Text::tr("\"%1\" is not a time zone name. Use an IANA name such as "
                                                  "UTC or Asia/Shanghai.")
                                             .arg(spec.timezone)});
    if (spec.startupBudgetSeconds < 10)
        problems->append(
            {u"startupBudgetSeconds"_s,
             Text::tr("A startup budget of %1 s is shorter than one probe period (10 s). A restarted dnode "
                      "can need many minutes to catch up; keep the default of 3600 s unless you know "
                      "better.")
                 .arg(spec.startupBudgetSeconds)});
    for (const auto &[field, value] : {std::pair{u"pvcWhenScaled"_s, spec.pvcWhenScaled},
                                       std::pair{u"pvcWhenDeleted"_s, spec.pvcWhenDeleted}}) {
        if (value != u"Retain" && value != u"Delete")
            problems->append(
                {field, Text::tr("\"%1\" is not a PVC retention policy: use Retain (keep the data) "
                                 "or Delete.")
                            .arg(value)});
    }
}

} // namespace

bool parseQuantity(const QString &text, double *value)
{
    // The grammar of k8s.io/apimachinery resource.Quantity: sign, digits with an optional fraction,
    // then a binary suffix, a decimal suffix or a decimal exponent.
    static const QRegularExpression pattern(
        u"^([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$"_s);
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return false;
    static const QMap<QString, double> factors{{u""_s, 1},
                                               {u"m"_s, 1e-3},
                                               {u"k"_s, 1e3},
                                               {u"M"_s, 1e6},
                                               {u"G"_s, 1e9},
                                               {u"T"_s, 1e12},
                                               {u"P"_s, 1e15},
                                               {u"E"_s, 1e18},
                                               {u"Ki"_s, 1024.0},
                                               {u"Mi"_s, std::pow(1024.0, 2)},
                                               {u"Gi"_s, std::pow(1024.0, 3)},
                                               {u"Ti"_s, std::pow(1024.0, 4)},
                                               {u"Pi"_s, std::pow(1024.0, 5)},
                                               {u"Ei"_s, std::pow(1024.0, 6)}};
    const QString suffix = match.captured(2);
    const double number = match.captured(1).toDouble();
    if (suffix.size() > 1 && (suffix.startsWith(u'e') || suffix.startsWith(u'E')))
        *value = number * std::pow(10.0, suffix.mid(1).toInt());
    else
        *value = number * factors.value(suffix);
    return true;
}

QList<SpecProblem> advise(const ClusterSpec &spec)
{
    QList<SpecProblem> advice;
    if (spec.replicas == 2)
        advice.append({u"replicas"_s,
                       Text::tr("2 dnodes give no high availability: with replica-3 databases and 3 mnodes "
                                "TDengine survives one lost dnode only from 3 dnodes on. Use 3 or more, or 1 "
                                "for a test.")});
    if (spec.haMnodes && spec.replicas < 3)
        advice.append(
            {u"haMnodes"_s, Text::tr("3 mnodes need at least 3 dnodes; with %1 the cluster keeps one mnode.")
                                .arg(spec.replicas)});
    if (spec.antiAffinity == AntiAffinity::None && spec.replicas >= 3)
        advice.append({u"antiAffinity"_s,
                       Text::tr("Without anti-affinity several dnodes may share a node, and losing that "
                                "node loses several replicas. Choose Preferred.")});
    return advice;
}

QList<SpecProblem> validate(const ClusterSpec &spec)
{
    QList<SpecProblem> problems;
    checkNames(spec, &problems);
    checkBehaviour(spec, &problems);
    checkImage(spec, &problems);
    checkPorts(spec, &problems);
    checkResources(spec, &problems);
    checkTaosConfig(spec, &problems);
    return problems;
}

} // namespace tdkube::deploy
