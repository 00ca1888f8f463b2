// tdkube-sandbox: a local Kubernetes API server with a StatefulSet controller, for tests and for
// trying tdkube without a cluster. See `tdkube-sandbox --help`.
#include "sandbox.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>

#include <cstdio>

using namespace Qt::StringLiterals;

// The manifests --demo deploys: the package's copy (/usr/share/tdkube/manifests beside /usr/bin), else
// the source tree's.
static QString defaultManifestsDir()
{
    const QString installed = QCoreApplication::applicationDirPath() + u"/../share/tdkube/manifests"_s;
    if (QDir(installed).exists())
        return QDir::cleanPath(installed);
    return QStringLiteral(TDKUBE_MANIFESTS_DIR);
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"tdkube-sandbox"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(TDKUBE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"A local Kubernetes API server (HTTPS on loopback) with a StatefulSet controller, for tdkube's "
        u"tests "
        u"and for trying tdkube without a cluster. Prints the URL it listens on and writes a kubeconfig with "
        u"the "
        u"contexts sandbox-admin (client certificate), sandbox-viewer (read-only token, namespace-scoped) "
        u"and sandbox-exec "
        u"(exec credential plugin)."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption port(u"port"_s, u"TCP port to listen on; 0 picks a free one (default 0)."_s,
                                  u"port"_s, u"0"_s);
    const QCommandLineOption kubeconfig(u"kubeconfig-out"_s, u"Where to write the kubeconfig (required)."_s,
                                        u"file"_s);
    const QCommandLineOption dataDir(
        u"data-dir"_s, u"Keep the cluster's state, CA and tokens here across restarts."_s, u"dir"_s);
    const QCommandLineOption timeScale(
        u"time-scale"_s,
        u"Multiply simulated delays (pod start-up, termination) by this factor; "
        u"tests use 0.05 (default 1)."_s,
        u"factor"_s, u"1"_s);
    const QCommandLineOption accessLog(
        u"access-log"_s,
        u"Append one line per request: time, method, path with query, status, user, "
        u"User-Agent."_s,
        u"file"_s);
    const QCommandLineOption demo(u"demo"_s,
                                  u"Start with namespace tdengine-test holding a TDengine cluster deployed "
                                  u"from the manifests (when the namespace does not exist yet)."_s);
    const QCommandLineOption manifests(u"manifests"_s, u"Directory of the manifests --demo deploys."_s,
                                       u"dir"_s, defaultManifestsDir());
    const QCommandLineOption taosd(
        u"taosd"_s,
        u"Run a real taosd in every pod of a tdengine/tdengine image, from this TDengine build (the folder "
        u"../shared/tdengine/build.sh prints: bin/taosd, bin/taos, lib/libtaos.so); default $TDKUBE_TAOSD. "
        u"Without it, TDengine is simulated."_s,
        u"dir"_s, qEnvironmentVariable("TDKUBE_TAOSD"));
    parser.addOptions({port, kubeconfig, dataDir, timeScale, accessLog, demo, manifests, taosd});
    parser.process(app);

    if (!parser.isSet(kubeconfig)) {
        std::fprintf(stderr,
                     "tdkube-sandbox: --kubeconfig-out FILE is required: that is how clients find the "
                     "sandbox.\n");
        return 2;
    }
    tdkube::sandbox::SandboxOptions options;
    options.port = quint16(parser.value(port).toUInt());
    options.kubeconfigPath = parser.value(kubeconfig);
    options.dataDir = parser.value(dataDir);
    options.timeScale = parser.value(timeScale).toDouble();
    options.accessLogPath = parser.value(accessLog);
    options.demo = parser.isSet(demo);
    options.manifestsDir = parser.value(manifests);
    options.taosdDir = parser.value(taosd);
    if (options.timeScale <= 0) {
        std::fprintf(stderr, "tdkube-sandbox: --time-scale must be a positive number.\n");
        return 2;
    }

    tdkube::sandbox::Sandbox sandbox(options);
    QString error;
    if (!sandbox.start(&error)) {
        std::fprintf(stderr, "tdkube-sandbox: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("tdkube-sandbox listening on %s\nkubeconfig: %s\n", qPrintable(sandbox.serverUrl()),
                qPrintable(options.kubeconfigPath));
    std::fflush(stdout);
    return app.exec();
}
