// `tdkube deploy -f FILE...`: a new TDengine cluster from manifest files, planned (planDeploy) and run as
// a recorded operation like the others.
#include "deploy/manifestcheck.h"
#include "kube/objects.h"
#include "ops/opscommand_p.h"
#include "ops/planner.h"

#include <QFile>
#include <QJsonArray>

namespace tdkube::ops::opscommand::detail {

using namespace Qt::StringLiterals;

// Reads and checks every file before anything is asked of the cluster: an error names the file, line and
// column, and nothing is deployed.
std::optional<int> Command::deploy()
{
    const QStringList files = m_parser.values(u"file"_s);
    if (files.isEmpty()) {
        complain(
            Text::tr("tdkube deploy needs -f FILE, the cluster's manifests (repeat -f for more files).") +
            u'\n' + usageLine(m_command));
        return kExitUsage;
    }
    QList<QJsonObject> objects;
    bool failed = false;
    for (const QString &path : files) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            complain(Text::tr("Cannot read %1: %2.").arg(path, file.errorString()));
            failed = true;
            continue;
        }
        const QByteArray yaml = file.readAll();
        bool errors = false;
        for (const deploy::Diagnostic &diagnostic : deploy::checkManifests(yaml)) {
            const QString where = u"%1:%2:%3"_s.arg(path).arg(diagnostic.line).arg(diagnostic.column);
            const bool error = diagnostic.severity == deploy::Diagnostic::Severity::Error;
            errors = errors || error;
            complain(error ? Text::tr("%1: error: %2").arg(where, diagnostic.message)
                           : Text::tr("%1: warning: %2").arg(where, diagnostic.message));
        }
        QList<deploy::ManifestDocument> documents;
        QString error;
        if (!errors && !deploy::parseManifests(yaml, &documents, &error)) {
            complain(u"%1: %2"_s.arg(path, error));
            errors = true;
        }
        failed = failed || errors;
        for (const deploy::ManifestDocument &document : std::as_const(documents))
            objects.append(document.object);
    }
    if (failed) {
        complain(Text::tr("Nothing was deployed: fix the files first."));
        return kExitFailed;
    }
    if (!openClient(m_parser.value(u"context"_s)))
        return kExitFailed;
    DeployFacts facts;
    facts.context = m_context;
    facts.ns = m_ns;
    facts.objects = objects;
    facts.haMnodes = !m_parser.isSet(u"no-ha-mnodes"_s);
    for (const QJsonObject &object : std::as_const(objects)) {
        if (object.value(u"kind").toString() == u"StatefulSet" && m_cluster.isEmpty())
            m_cluster = kube::nameOf(object);
    }
    if (m_cluster.isEmpty()) { // refused by the planner, which says why
        decide(planDeploy(facts));
        return std::nullopt;
    }
    say(Text::tr("Reading namespace %1 (context %2) for StatefulSet %3 and its claims…")
            .arg(m_ns, m_context, m_cluster));
    m_client->get(kube::ResourceKind::statefulSets(), m_ns, m_cluster, this,
                  [this, facts](const kube::KubeResponse &set) mutable {
                      if (!set.ok() && set.httpStatus != 404) {
                          complain(Text::tr("Could not read StatefulSet %1 in namespace %2: %3 Nothing was "
                                            "deployed.")
                                       .arg(m_cluster, m_ns, set.error));
                          done(kExitFailed);
                          return;
                      }
                      if (set.ok())
                          facts.existing = set.json();
                      m_client->list(kube::ResourceKind::persistentVolumeClaims(), m_ns, {}, this,
                                     [this, facts](const kube::KubeResponse &claims) mutable {
                                         if (!claims.ok()) {
                                             complain(Text::tr("Could not list the claims of namespace %1: "
                                                               "%2 Nothing was deployed.")
                                                          .arg(m_ns, claims.error));
                                             done(kExitFailed);
                                             return;
                                         }
                                         for (const QJsonValue &item :
                                              claims.json().value(u"items").toArray())
                                             facts.claims.append(item.toObject());
                                         decide(planDeploy(facts));
                                     });
                  });
    return std::nullopt;
}

} // namespace tdkube::ops::opscommand::detail
