// Exec-plugin ExecCredential output and the oidc id-token: the input, up to its first NUL byte, is
// what a plugin printed on stdout, read as an apiVersion v1 and a v1beta1 plugin reads it; after
// the NUL comes the id-token a kubeconfig's oidc auth-provider holds.
//
// The plugin's stdout is parsed by ExecCredentialSource::parse(), which the class reaches only after
// running a process; the target calls it directly (at a few thousand processes a second fuzzing
// would learn little), and so opens the class's private part.

#include "fuzzing.h"
#include "kube/connection.h"
#include "kube/kubeconfig.h"

#include <QDateTime>
#include <QEventLoop>
#include <QMap>
#include <QPointer>
#include <QProcess>
#include <QTimer>

#include <functional>
#include <optional>

// What is under test is private (see above); the order of these includes matters.
// clang-format off
#include "privatebegin.h"
#include "kube/credentials.h"
#include "privateend.h"
// clang-format on

using namespace tdkube;
using namespace Qt::StringLiterals;

namespace {

QDateTime fixedNow()
{
    return QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);
}

size_t readExecCredential(const QByteArray &stdoutData, const QString &apiVersion)
{
    kube::ExecConfig config;
    config.apiVersion = apiVersion;
    config.command = u"fuzz-plugin"_s;
    kube::ExecCredentialSource source(config, u"fuzz-user"_s, {});
    source.setClock(fixedNow);
    kube::Credential credential;
    const QString error = source.parse(stdoutData, &credential);
    return fuzz::consume(error) + fuzz::consume(credential.expiry.toString(Qt::ISODate));
}

size_t readIdToken(const QByteArray &idToken)
{
    kube::OidcCredentialSource source({{u"id-token"_s, QString::fromUtf8(idToken)}}, u"fuzz-user"_s);
    source.setClock(fixedNow);
    size_t sum = 0;
    bool answered = false;
    source.request([&](const kube::Credential &credential, const QString &error) {
        answered = true;
        sum += fuzz::consume(error) + fuzz::consume(credential.expiry.toString(Qt::ISODate));
    });
    QCoreApplication::processEvents();
    fuzz::require(answered, "the oidc source answers on the next event-loop turn");
    return sum;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::ensureApplication();
    const QList<QByteArray> parts = fuzz::splitAtNul(fuzz::bytes(data, size), 2);
    size_t sum = readExecCredential(parts.at(0), u"client.authentication.k8s.io/v1"_s) +
                 readExecCredential(parts.at(0), u"client.authentication.k8s.io/v1beta1"_s);
    if (parts.size() > 1)
        sum += readIdToken(parts.at(1));
    fuzz::sink(sum);
    return 0;
}
