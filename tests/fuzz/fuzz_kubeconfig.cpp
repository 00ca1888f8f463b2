// Kubeconfig loading: one file, or a merged list of up to four ($KUBECONFIG), each part of the input
// separated by a NUL byte. Every context is resolved and, when its files are the ones written here,
// turned into connection settings, as connecting to it would.

#include "fuzzing.h"
#include "kube/kubeconfig.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using namespace tdkube;
using namespace Qt::StringLiterals;

namespace {

QTemporaryDir &scratch()
{
    static QTemporaryDir dir;
    return dir;
}

// A resolved context that names a file outside the scratch directory would read the fuzzing
// machine's files (/dev/zero never ends): not the input under test.
bool namesOnlyScratchFiles(const kube::Kubeconfig::Resolved &resolved)
{
    const QString root = scratch().path() + u'/';
    for (const QString &path : {resolved.cluster.certificateAuthority, resolved.user.clientCertificate,
                                resolved.user.clientKey, resolved.user.tokenFile}) {
        if (!path.isEmpty() && !QDir::cleanPath(path).startsWith(root))
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::ensureApplication();
    const QList<QByteArray> texts = fuzz::splitAtNul(fuzz::bytes(data, size), 4);
    QStringList files;
    for (qsizetype i = 0; i < texts.size(); ++i) {
        const QString path = scratch().filePath(u"config-%1"_s.arg(i));
        QFile file(path);
        fuzz::require(file.open(QIODevice::WriteOnly | QIODevice::Truncate), "scratch file writable");
        file.write(texts.at(i));
        file.close();
        files.append(path);
    }

    const kube::Kubeconfig config = kube::Kubeconfig::load(files);
    size_t sum = fuzz::consume(config.currentContext());
    for (const kube::ConfigProblem &problem : config.problems())
        sum += fuzz::consume(problem.toString());
    for (const QString &name : config.contextNames()) {
        fuzz::require(config.context(name).has_value(), "a listed context can be looked up");
        QString error;
        const std::optional<kube::Kubeconfig::Resolved> resolved = config.resolve(name, &error);
        sum += fuzz::consume(error);
        if (!resolved || !namesOnlyScratchFiles(*resolved))
            continue;
        kube::ConnectionSettings settings;
        if (kube::makeConnectionSettings(*resolved, &settings, &error))
            sum += fuzz::consume(settings.server.toString());
        sum += fuzz::consume(error);
    }
    fuzz::sink(sum);
    return 0;
}
