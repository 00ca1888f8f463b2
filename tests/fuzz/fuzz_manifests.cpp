// The manifest checker and the ClusterSpec reader: a YAML text as a person edits it in the deploy
// review or the object editor, checked (syntax, then the Kubernetes shape), parsed into objects, and
// every StatefulSet read back into a ClusterSpec (with the ConfigMap beside it) that is validated
// and, when valid, built into manifests again.

#include "deploy/clusterspec.h"
#include "deploy/manifestcheck.h"
#include "fuzzing.h"

#include <QJsonDocument>

using namespace tdkube;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray yaml = fuzz::bytes(data, size);
    size_t sum = 0;
    const QList<deploy::Diagnostic> diagnostics = deploy::checkManifests(yaml);
    for (const deploy::Diagnostic &diagnostic : diagnostics) {
        fuzz::require(diagnostic.line >= 1 && diagnostic.column >= 1, "positions are 1-based");
        sum += fuzz::consume(diagnostic.message);
    }
    sum += size_t(deploy::checkYamlSyntax(yaml).size());

    QList<deploy::ManifestDocument> documents;
    QString error;
    if (!deploy::parseManifests(yaml, &documents, &error)) {
        fuzz::sink(sum + fuzz::consume(error));
        return 0;
    }
    QJsonObject configMap;
    for (const deploy::ManifestDocument &document : std::as_const(documents)) {
        if (document.object.value(QStringLiteral("kind")).toString() == u"ConfigMap")
            configMap = document.object;
    }
    for (const deploy::ManifestDocument &document : std::as_const(documents)) {
        sum += size_t(QJsonDocument(document.object).toJson().size());
        if (document.object.value(QStringLiteral("kind")).toString() != u"StatefulSet")
            continue;
        QStringList unmapped;
        const deploy::ClusterSpec spec = deploy::specFromStatefulSet(document.object, configMap, &unmapped);
        for (const QString &what : std::as_const(unmapped))
            sum += fuzz::consume(what);
        for (const deploy::SpecProblem &problem : deploy::advise(spec))
            sum += fuzz::consume(problem.message);
        const QList<deploy::SpecProblem> problems = deploy::validate(spec);
        for (const deploy::SpecProblem &problem : problems)
            sum += fuzz::consume(problem.field) + fuzz::consume(problem.message);
        if (problems.isEmpty())
            sum += fuzz::consume(deploy::manifestsYaml(deploy::buildManifests(spec)));
    }
    fuzz::sink(sum);
    return 0;
}
