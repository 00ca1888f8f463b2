#include "kube/kubeconfig.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <yaml-cpp/yaml.h>

using namespace Qt::StringLiterals;

namespace tdkube::kube {

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Kubeconfig)
};

// lupdate loses the class of a member function whose return type is qualified with a namespace it
// does not know (YAML::Node), and so the context of the Text::tr() calls in it.
using YamlNode = YAML::Node;

// "cluster NAME", "user NAME", "context NAME": a kubeconfig entry in a sentence.
QString entryLabel(const QString &kind, const QString &name)
{
    if (kind == u"cluster")
        return Text::tr("cluster %1").arg(name);
    if (kind == u"user")
        return Text::tr("user %1").arg(name);
    if (kind == u"context")
        return Text::tr("context %1").arg(name);
    return kind + u' ' + name;
}

// A problem still tied to the entry it was found in, so that after the merge it can name the
// contexts that the broken cluster or user makes unusable.
struct PendingProblem
{
    ConfigProblem problem;
    QString kind; // "cluster", "user", "context" or empty for a file-level problem
    QString name;
};

QString fromYaml(const std::string &text)
{
    return QString::fromStdString(text);
}

QString expandHome(const QString &path)
{
    if (path == u"~")
        return QDir::homePath();
    if (path.startsWith(u"~/"))
        return QDir::homePath() + path.mid(1);
    return path;
}

// Reads one kubeconfig file. yaml-cpp throws on malformed text and on conversions; every throw is
// caught here and becomes a problem, so one bad entry never hides the good entries beside it.
class FileReader
{
public:
    FileReader(const QString &file, QList<PendingProblem> *problems)
        : m_file(file)
        , m_dir(QFileInfo(file).absoluteDir())
        , m_problems(problems)
    {
    }

    QString resolvePath(const QString &path) const
    {
        if (path.isEmpty())
            return path;
        const QString expanded = expandHome(path);
        if (QDir::isAbsolutePath(expanded))
            return QDir::cleanPath(expanded);
        return QDir::cleanPath(m_dir.absoluteFilePath(expanded));
    }

    void problem(const YAML::Mark &mark, const QString &message, const QString &kind = {},
                 const QString &name = {})
    {
        PendingProblem pending;
        pending.problem.file = m_file;
        if (!mark.is_null()) {
            pending.problem.line = mark.line + 1;
            pending.problem.column = mark.column + 1;
        }
        pending.problem.message = message;
        pending.kind = kind;
        pending.name = name;
        if (!kind.isEmpty()) {
            pending.problem.entryKind = kind;
            pending.problem.entryNames = {name};
        }
        m_problems->append(pending);
    }

    // The entry currently read, for the messages and for the problem's `entry`.
    void setEntry(const QString &kind, const QString &name)
    {
        m_kind = kind;
        m_name = name;
        m_entryBroken = false;
    }
    bool entryBroken() const { return m_entryBroken; }

    void entryProblem(const YAML::Node &node, const QString &message)
    {
        m_entryBroken = true;
        problem(node.Mark(), entryLabel(m_kind, m_name) + u": " + message, m_kind, m_name);
    }

    // A scalar field of `map`; a missing or null field is empty, a non-scalar one is a problem.
    QString string(const YAML::Node &map, const char *key)
    {
        const YAML::Node node = map[key];
        if (!node || node.IsNull())
            return {};
        if (!node.IsScalar()) {
            entryProblem(node, Text::tr("%1 must be a string").arg(QLatin1StringView(key)));
            return {};
        }
        return fromYaml(node.Scalar());
    }

    bool boolean(const YAML::Node &map, const char *key)
    {
        const YAML::Node node = map[key];
        if (!node || node.IsNull())
            return false;
        bool value = false;
        if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
            entryProblem(node, Text::tr("%1 must be true or false").arg(QLatin1StringView(key)));
        return value;
    }

    QByteArray base64(const YAML::Node &map, const char *key)
    {
        const QString text = string(map, key);
        if (text.isEmpty())
            return {};
        auto decoded =
            QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            entryProblem(map[key], Text::tr("%1 is not valid base64").arg(QLatin1StringView(key)));
        return decoded.decoded;
    }

    QStringList stringList(const YAML::Node &map, const char *key)
    {
        const YAML::Node node = map[key];
        QStringList result;
        if (!node || node.IsNull())
            return result;
        if (!node.IsSequence()) {
            entryProblem(node, Text::tr("%1 must be a list of strings").arg(QLatin1StringView(key)));
            return result;
        }
        for (const YAML::Node &item : node) {
            if (item.IsScalar())
                result.append(fromYaml(item.Scalar()));
            else
                entryProblem(item, Text::tr("%1 must be a list of strings").arg(QLatin1StringView(key)));
        }
        return result;
    }

    // The map `key` of `parent`: undefined when absent, and a problem too when it is not a map.
    YamlNode optionalMap(const YAML::Node &parent, const char *key, const QString &what)
    {
        const YAML::Node node = parent[key];
        if (!node || node.IsNull())
            return YAML::Node(YAML::NodeType::Undefined);
        if (node.IsMap())
            return node;
        entryProblem(node, Text::tr("%1 must be a map").arg(what));
        return YAML::Node(YAML::NodeType::Undefined);
    }

    // The `key` map of a named-list item ({name: x, cluster: {...}}), which must be there.
    YamlNode body(const YAML::Node &item, const char *key)
    {
        const YAML::Node node = item[key];
        if (!node || node.IsNull())
            entryProblem(item, Text::tr("has no %1 section").arg(QLatin1StringView(key)));
        return optionalMap(item, key, QLatin1StringView(key));
    }

    // The common frame of a named-list entry: its name, its file, and its body map given to `fill`.
    template<typename Entry, typename Fill>
    Entry readEntry(const YAML::Node &item, const QString &name, const char *key, Fill fill)
    {
        Entry entry;
        entry.name = name;
        entry.definedIn = m_file;
        const YAML::Node map = body(item, key);
        if (map.IsMap())
            fill(map, entry);
        return entry;
    }

    ClusterEntry readCluster(const YAML::Node &item, const QString &name)
    {
        return readEntry<ClusterEntry>(
            item, name, "cluster", [this](const YAML::Node &map, ClusterEntry &cluster) {
                cluster.server = string(map, "server");
                if (cluster.server.isEmpty() && !m_entryBroken)
                    entryProblem(map, Text::tr("has no server"));
                cluster.certificateAuthority = resolvePath(string(map, "certificate-authority"));
                cluster.certificateAuthorityData = base64(map, "certificate-authority-data");
                cluster.insecureSkipTlsVerify = boolean(map, "insecure-skip-tls-verify");
                cluster.tlsServerName = string(map, "tls-server-name");
                cluster.proxyUrl = string(map, "proxy-url");
            });
    }

    std::optional<ExecConfig> readExec(const YAML::Node &user)
    {
        const YAML::Node map = optionalMap(user, "exec", u"exec"_s);
        if (!map.IsMap())
            return std::nullopt;
        ExecConfig exec;
        exec.apiVersion = string(map, "apiVersion");
        if (exec.apiVersion.isEmpty())
            entryProblem(map, Text::tr("exec has no apiVersion"));
        exec.command = string(map, "command");
        if (exec.command.isEmpty())
            entryProblem(map, Text::tr("exec has no command"));
        else if (exec.command.contains(u'/') || exec.command.startsWith(u'~'))
            exec.command = resolvePath(exec.command);
        exec.args = stringList(map, "args");
        exec.installHint = string(map, "installHint");
        exec.provideClusterInfo = boolean(map, "provideClusterInfo");
        exec.interactiveMode = string(map, "interactiveMode");
        const YAML::Node env = map["env"];
        if (env && !env.IsNull() && !env.IsSequence())
            entryProblem(env, Text::tr("exec env must be a list of name/value pairs"));
        else if (env) {
            for (const YAML::Node &pair : env) {
                if (!pair.IsMap() || !pair["name"] || !pair["name"].IsScalar()) {
                    entryProblem(pair, Text::tr("exec env entries need a name and a value"));
                    continue;
                }
                exec.env.append({fromYaml(pair["name"].Scalar()), string(pair, "value")});
            }
        }
        return exec;
    }

    void readAuthProvider(const YAML::Node &user, UserEntry *entry)
    {
        const YAML::Node map = optionalMap(user, "auth-provider", u"auth-provider"_s);
        if (!map.IsMap())
            return;
        entry->authProvider = string(map, "name");
        const YAML::Node config = optionalMap(map, "config", u"auth-provider config"_s);
        if (!config.IsMap())
            return;
        for (const auto &pair : config) {
            if (pair.first.IsScalar() && pair.second.IsScalar())
                entry->authProviderConfig.insert(fromYaml(pair.first.Scalar()),
                                                 fromYaml(pair.second.Scalar()));
        }
    }

    UserEntry readUser(const YAML::Node &item, const QString &name)
    {
        return readEntry<UserEntry>(item, name, "user", [this](const YAML::Node &map, UserEntry &user) {
            user.clientCertificate = resolvePath(string(map, "client-certificate"));
            user.clientCertificateData = base64(map, "client-certificate-data");
            user.clientKey = resolvePath(string(map, "client-key"));
            user.clientKeyData = base64(map, "client-key-data");
            user.token = string(map, "token");
            user.tokenFile = resolvePath(string(map, "tokenFile"));
            user.username = string(map, "username");
            user.password = string(map, "password");
            user.exec = readExec(map);
            readAuthProvider(map, &user);
        });
    }

    ContextEntry readContext(const YAML::Node &item, const QString &name)
    {
        return readEntry<ContextEntry>(item, name, "context",
                                       [this](const YAML::Node &map, ContextEntry &context) {
                                           context.cluster = string(map, "cluster");
                                           context.user = string(map, "user");
                                           context.ns = string(map, "namespace");
                                       });
    }

    // Calls `read(item, name)` for every well-formed item of the named list `key`.
    template<typename Read>
    void forEachNamed(const YAML::Node &root, const char *key, const QString &kind, Read read)
    {
        const YAML::Node list = root[key];
        if (!list || list.IsNull())
            return;
        if (!list.IsSequence()) {
            problem(list.Mark(), Text::tr("%1 must be a list").arg(QLatin1StringView(key)));
            return;
        }
        QSet<QString> seen;
        for (const YAML::Node &item : list) {
            const YAML::Node nameNode = item.IsMap() ? item["name"] : YAML::Node();
            if (!nameNode || !nameNode.IsScalar() || nameNode.Scalar().empty()) {
                problem(item.Mark(), Text::tr("an entry of %1 has no name").arg(QLatin1StringView(key)));
                continue;
            }
            const QString name = fromYaml(nameNode.Scalar());
            if (seen.contains(name)) {
                problem(item.Mark(),
                        Text::tr("%1 is defined twice; the first one is used").arg(entryLabel(kind, name)));
                continue;
            }
            seen.insert(name);
            setEntry(kind, name);
            read(item, name);
        }
    }

private:
    QString m_file;
    QDir m_dir;
    QList<PendingProblem> *m_problems;
    QString m_kind;
    QString m_name;
    bool m_entryBroken = false;
};

// The merged state while files are read; first definition of a name wins.
struct Merge
{
    QString currentContext;
    YAML::Mark currentContextMark;
    QString currentContextFile;
    QMap<QString, ClusterEntry> clusters;
    QMap<QString, UserEntry> users;
    QMap<QString, ContextEntry> contexts;
    QMap<QString, QMap<QString, YAML::Mark>> referenceMarks; // context -> "cluster"/"user" -> where named
    QMap<QString, QString> broken;                           // "cluster/NAME" -> why it is unusable
    QSet<QString> claimed;                                   // "cluster/NAME": names a file already defined
    QList<PendingProblem> problems;
};

// Reads the named list `list` into `entries`, skipping names an earlier file owns. kubectl lets the
// first file own a name even when that entry is broken; so do we, and remember why, so that
// resolve() can explain it instead of saying the entry does not exist.
template<typename Entry, typename Read>
void readNamed(FileReader &reader, Merge *merge, const YAML::Node &root, const char *list,
               const QString &kind, QMap<QString, Entry> *entries, Read read)
{
    reader.forEachNamed(root, list, kind, [&](const YAML::Node &item, const QString &name) {
        const QString key = kind + u'/' + name;
        if (merge->claimed.contains(key))
            return;
        const Entry entry = read(item, name);
        merge->claimed.insert(key);
        if (reader.entryBroken())
            merge->broken.insert(key, merge->problems.constLast().problem.message);
        else
            entries->insert(name, entry);
    });
}

void readFile(const QString &file, Merge *merge)
{
    QFile in(file);
    if (!in.exists())
        return; // kubectl silently skips missing $KUBECONFIG entries
    FileReader reader(file, &merge->problems);
    if (!in.open(QIODevice::ReadOnly)) {
        reader.problem(YAML::Mark::null_mark(), Text::tr("cannot read the file: %1").arg(in.errorString()));
        return;
    }
    YAML::Node root;
    try {
        root = YAML::Load(in.readAll().toStdString());
    } catch (const YAML::Exception &e) {
        reader.problem(e.mark, Text::tr("not valid YAML: %1").arg(fromYaml(e.msg)));
        return;
    }
    if (!root || root.IsNull())
        return;
    if (!root.IsMap()) {
        reader.problem(root.Mark(), Text::tr("a kubeconfig file must be a map"));
        return;
    }
    try {
        readNamed(
            reader, merge, root, "clusters", u"cluster"_s, &merge->clusters,
            [&](const YAML::Node &item, const QString &name) { return reader.readCluster(item, name); });
        readNamed(reader, merge, root, "users", u"user"_s, &merge->users,
                  [&](const YAML::Node &item, const QString &name) { return reader.readUser(item, name); });
        readNamed(reader, merge, root, "contexts", u"context"_s, &merge->contexts,
                  [&](const YAML::Node &item, const QString &name) {
                      // Where the context names its cluster and user, for problems found after the merge.
                      const YAML::Node body = item["context"];
                      for (const char *kind : {"cluster", "user"}) {
                          if (body.IsMap() && body[kind])
                              merge->referenceMarks[name][QLatin1StringView(kind)] = body[kind].Mark();
                      }
                      return reader.readContext(item, name);
                  });
        const YAML::Node current = root["current-context"];
        if (current && !current.IsNull() && !current.IsScalar()) {
            reader.problem(current.Mark(), Text::tr("current-context must be a string"));
        } else if (current && merge->currentContext.isEmpty() && !current.Scalar().empty()) {
            merge->currentContext = fromYaml(current.Scalar());
            merge->currentContextMark = current.Mark();
            merge->currentContextFile = file;
        }
    } catch (const YAML::Exception &e) {
        // The checks above should leave nothing for yaml-cpp to throw; should one slip through, the
        // file's remaining entries are lost but the other files are not.
        reader.problem(e.mark, Text::tr("cannot read: %1").arg(fromYaml(e.msg)));
    }
}

// A context naming a cluster or user that no file defines, or that is broken.
std::optional<QString> referenceError(const Merge &merge, const ContextEntry &context, const QString &kind,
                                      const QString &name)
{
    if (name.isEmpty())
        return std::nullopt;
    const QString key = kind + u'/' + name;
    if (merge.broken.contains(key))
        return Text::tr("context %1 refers to %2, which is unusable: %3")
            .arg(context.name, entryLabel(kind, name), merge.broken.value(key));
    if (!merge.claimed.contains(key))
        return Text::tr("context %1 refers to %2, which no kubeconfig file defines")
            .arg(context.name, entryLabel(kind, name));
    return std::nullopt;
}

} // namespace

QString ConfigProblem::toString() const
{
    QString text = file;
    if (line > 0)
        text += u':' + QString::number(line) + u':' + QString::number(column);
    text += u": " + message;
    if (entryNames.isEmpty())
        return text;
    if (entryKind == u"context")
        return entryNames.size() == 1
                   ? Text::tr("%1 (context %2 is unusable)").arg(text, entryNames.first())
                   : Text::tr("%1 (contexts %2 are unusable)").arg(text, entryNames.join(u", "));
    if (entryKind == u"cluster")
        return Text::tr("%1 (cluster %2 is unusable)").arg(text, entryNames.join(u", "));
    if (entryKind == u"user")
        return Text::tr("%1 (user %2 is unusable)").arg(text, entryNames.join(u", "));
    return text + u" (" + entryKind + u' ' + entryNames.join(u", ") + u" is unusable)";
}

Kubeconfig Kubeconfig::load(const QStringList &files)
{
    Merge merge;
    for (const QString &file : files)
        readFile(file, &merge);

    Kubeconfig config;
    config.m_files = files;
    config.m_currentContext = merge.currentContext;
    config.m_clusters = merge.clusters;
    config.m_users = merge.users;
    config.m_contexts = merge.contexts;

    // Contexts whose cluster or user is broken or missing: the problem names the context, because
    // the context is what a person picks and what stops working.
    QMap<QString, QStringList> contextsUsing; // "cluster/NAME" -> contexts
    for (const ContextEntry &context : std::as_const(merge.contexts)) {
        contextsUsing[u"cluster/" + context.cluster].append(context.name);
        contextsUsing[u"user/" + context.user].append(context.name);
        for (const QString &kind : {QStringLiteral("cluster"), QStringLiteral("user")}) {
            const QString name = kind == u"cluster" ? context.cluster : context.user;
            const QString key = kind + u'/' + name;
            if (name.isEmpty() || merge.claimed.contains(key))
                continue;
            const YAML::Mark mark =
                merge.referenceMarks.value(context.name).value(kind, YAML::Mark::null_mark());
            merge.problems.append(PendingProblem{{context.definedIn,
                                                  mark.line + 1,
                                                  mark.column + 1,
                                                  *referenceError(merge, context, kind, name),
                                                  u"context"_s,
                                                  {context.name}},
                                                 QStringLiteral("context"),
                                                 context.name});
        }
    }
    for (PendingProblem &pending : merge.problems) {
        if (pending.kind == u"context" || pending.kind.isEmpty())
            continue;
        const QStringList users = contextsUsing.value(pending.kind + u'/' + pending.name);
        if (!users.isEmpty()) {
            pending.problem.entryKind = u"context"_s;
            pending.problem.entryNames = users;
        } else {
            pending.problem.entryKind = pending.kind;
            pending.problem.entryNames = {pending.name};
        }
    }
    if (!merge.currentContext.isEmpty() && !merge.claimed.contains(u"context/" + merge.currentContext)) {
        ConfigProblem problem{
            merge.currentContextFile,
            merge.currentContextMark.line + 1,
            merge.currentContextMark.column + 1,
            Text::tr("current-context %1 is not defined in any kubeconfig file").arg(merge.currentContext),
            {},
            {}};
        merge.problems.append(PendingProblem{problem, {}, {}});
    }
    for (const PendingProblem &pending : std::as_const(merge.problems))
        config.m_problems.append(pending.problem);
    config.m_broken = merge.broken;
    return config;
}

QStringList Kubeconfig::defaultFiles()
{
    const QString list = qEnvironmentVariable("KUBECONFIG");
    if (list.isEmpty())
        return {QDir::homePath() + u"/.kube/config"};
    QStringList files;
    for (const QString &file : list.split(QDir::listSeparator(), Qt::SkipEmptyParts)) {
        if (!files.contains(file))
            files.append(file);
    }
    return files;
}

QStringList Kubeconfig::contextNames() const
{
    return m_contexts.keys(); // QMap keeps them sorted
}

std::optional<ContextEntry> Kubeconfig::context(const QString &name) const
{
    const auto it = m_contexts.constFind(name);
    return it == m_contexts.cend() ? std::nullopt : std::optional(*it);
}

std::optional<ClusterEntry> Kubeconfig::cluster(const QString &name) const
{
    const auto it = m_clusters.constFind(name);
    return it == m_clusters.cend() ? std::nullopt : std::optional(*it);
}

std::optional<UserEntry> Kubeconfig::user(const QString &name) const
{
    const auto it = m_users.constFind(name);
    return it == m_users.cend() ? std::nullopt : std::optional(*it);
}

std::optional<Kubeconfig::Resolved> Kubeconfig::resolve(const QString &contextName, QString *error) const
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (contextName.isEmpty())
        return fail(Text::tr("no context is selected: none of %1 sets current-context; pick a context")
                        .arg(m_files.join(u", ")));
    const auto why = [this](const QString &kind, const QString &name) {
        return m_broken.value(kind + u'/' + name);
    };
    if (!why(QStringLiteral("context"), contextName).isEmpty())
        return fail(Text::tr("context %1 is unusable: %2").arg(contextName, why(u"context"_s, contextName)));
    const auto context = this->context(contextName);
    if (!context)
        return fail(Text::tr("context %1 is not defined in any kubeconfig file (%2)")
                        .arg(contextName, m_files.join(u", ")));
    Resolved resolved;
    resolved.context = *context;
    if (context->cluster.isEmpty())
        return fail(Text::tr("context %1 names no cluster").arg(contextName));
    for (const QString &kind : {QStringLiteral("cluster"), QStringLiteral("user")}) {
        const QString name = kind == u"cluster" ? context->cluster : context->user;
        if (name.isEmpty())
            continue; // a context without a user connects anonymously, as kubectl does
        if (!why(kind, name).isEmpty())
            return fail(Text::tr("context %1 refers to %2, which is unusable: %3")
                            .arg(contextName, entryLabel(kind, name), why(kind, name)));
        const bool defined = kind == u"cluster" ? m_clusters.contains(name) : m_users.contains(name);
        if (!defined)
            return fail(Text::tr("context %1 refers to %2, which no kubeconfig file defines")
                            .arg(contextName, entryLabel(kind, name)));
    }
    resolved.cluster = m_clusters.value(context->cluster);
    resolved.user = m_users.value(context->user);
    return resolved;
}

} // namespace tdkube::kube
