#include "kube/kubeconfig.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>

#ifdef __GLIBC__
#include <malloc.h>
#endif

// Like kubectl: tdkube [--kubeconfig F] [--context C] [-n NS] [--cluster NAME].
int main(int argc, char *argv[])
{
#ifdef __GLIBC__
    // Watches parse list pages on worker threads, so most objects are born in glibc's per-thread
    // arenas; once watch events replace them, that memory is free but stays resident while the new
    // objects fill the main arena. With 20,000 pods that was 230 MB instead of 140 (tests/bench).
    mallopt(M_ARENA_MAX, 1);
#endif
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("tdkube"));
    QApplication::setOrganizationName(QStringLiteral("tdkube"));
    QApplication::setApplicationVersion(QStringLiteral(TDKUBE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("tdkube"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Deploy, observe, query and safely resize TDengine clusters on Kubernetes."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption kubeconfig(
        QStringLiteral("kubeconfig"),
        QStringLiteral("Path to the kubeconfig file to use (default: $KUBECONFIG, "
                       "else ~/.kube/config)."),
        QStringLiteral("file"));
    const QCommandLineOption context(
        QStringLiteral("context"), QStringLiteral("The kubeconfig context to use."), QStringLiteral("name"));
    const QCommandLineOption namespaceOption(QStringList{QStringLiteral("n"), QStringLiteral("namespace")},
                                             QStringLiteral("The namespace to open."), QStringLiteral("ns"));
    const QCommandLineOption cluster(
        QStringLiteral("cluster"),
        QStringLiteral("Open the view of this TDengine cluster (its StatefulSet name)."),
        QStringLiteral("name"));
    parser.addOptions({kubeconfig, context, namespaceOption, cluster});
    parser.process(app);

    const QStringList files = parser.isSet(kubeconfig) ? QStringList{parser.value(kubeconfig)}
                                                       : tdkube::kube::Kubeconfig::defaultFiles();
    tdkube::ui::MainWindow window;
    window.openKubeconfig(
        tdkube::kube::Kubeconfig::load(files), parser.value(context),
        parser.isSet(namespaceOption) ? std::optional<QString>(parser.value(namespaceOption)) : std::nullopt,
        parser.value(cluster));
    window.show();
    return app.exec();
}
