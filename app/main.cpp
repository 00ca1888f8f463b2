#include "kube/kubeconfig.h"
#include "mainwindow.h"
#include "ops/opscommand.h"
#include "startupcheck.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace {

void setApplicationNames()
{
    // The same names for the window and the commands: they share the journals and the settings.
    QCoreApplication::setApplicationName(QStringLiteral("tdkube"));
    QCoreApplication::setOrganizationName(QStringLiteral("tdkube"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TDKUBE_VERSION));
}

// `tdkube scale|repair|operations|resume|abandon ...`: no window, so no display is needed.
bool isOperationsCommand(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc && i < 2; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    return tdkube::ops::opscommand::isCommand(arguments);
}

bool asksForHelpOrVersion(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray argument(argv[i]);
        if (argument == "-h" || argument == "--help" || argument == "--help-all" || argument == "-v" ||
            argument == "--version")
            return true;
    }
    return false;
}

// The window's command line: like kubectl, plus the cluster to open.
struct GuiOptions
{
    GuiOptions()
    {
        parser.setApplicationDescription(
            QStringLiteral("Deploy, observe, query and safely resize TDengine clusters on Kubernetes.\n\n") +
            tdkube::ops::opscommand::helpText());
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOptions({kubeconfig, context, namespaceOption, cluster, smoke, smokeTimeout, screenshot});
    }

    QCommandLineParser parser;
    const QCommandLineOption kubeconfig{
        QStringLiteral("kubeconfig"),
        QStringLiteral("Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)."),
        QStringLiteral("file")};
    const QCommandLineOption context{
        QStringLiteral("context"), QStringLiteral("The kubeconfig context to use."), QStringLiteral("name")};
    const QCommandLineOption namespaceOption{QStringList{QStringLiteral("n"), QStringLiteral("namespace")},
                                             QStringLiteral("The namespace to open."), QStringLiteral("ns")};
    const QCommandLineOption cluster{
        QStringLiteral("cluster"),
        QStringLiteral("Open the dashboard of this TDengine cluster: its StatefulSet's name, or "
                       "namespace/name."),
        QStringLiteral("name")};
    const QCommandLineOption smoke{
        QStringLiteral("smoke"),
        QStringLiteral("Check that tdkube starts: exit 0 once the dashboard of the cluster given with "
                       "--cluster shows its first TDengine snapshot, else 1 with what the window showed "
                       "(for scripts; packaging/run.sh --smoke).")};
    const QCommandLineOption smokeTimeout{QStringLiteral("smoke-timeout"),
                                          QStringLiteral("How long --smoke waits (default 120)."),
                                          QStringLiteral("seconds"), QStringLiteral("120")};
    const QCommandLineOption screenshot{QStringLiteral("screenshot"),
                                        QStringLiteral("With --smoke: save the window as PNG when it ends."),
                                        QStringLiteral("file")};
};

// --smoke: the window reports through the check, and the process ends with its verdict.
void startSmokeCheck(tdkube::ui::MainWindow *window, int timeoutSeconds, const QString &screenshot)
{
    auto *check = new tdkube::ui::StartupCheck(window, timeoutSeconds * 1000, screenshot, window);
    QObject::connect(check, &tdkube::ui::StartupCheck::finished, window,
                     [](bool passed, const QString &report) {
                         QTextStream(passed ? stdout : stderr)
                             << (passed ? "tdkube: smoke check passed: " : "tdkube: smoke check failed: ")
                             << report << Qt::endl;
                         QCoreApplication::exit(passed ? 0 : 1);
                     });
}

} // namespace

// Like kubectl: tdkube [--kubeconfig F] [--context C] [-n NS] [--cluster NAME], or one of the
// headless operation commands (app/ops/opscommand.h).
int main(int argc, char *argv[])
{
#ifdef __GLIBC__
    // Watches parse list pages on worker threads, so most objects are born in glibc's per-thread
    // arenas; once watch events replace them, that memory is free but stays resident while the new
    // objects fill the main arena. With 20,000 pods that was 230 MB instead of 140 (tests/bench).
    mallopt(M_ARENA_MAX, 1);
#endif
    if (isOperationsCommand(argc, argv)) {
        QCoreApplication app(argc, argv);
        setApplicationNames();
        return tdkube::ops::opscommand::run(QCoreApplication::arguments());
    }
    // --help and --version print and exit before any window: they need no display either.
    if (asksForHelpOrVersion(argc, argv)) {
        QCoreApplication app(argc, argv);
        setApplicationNames();
        GuiOptions options;
        options.parser.process(app);
        return 0;
    }
    QApplication app(argc, argv);
    setApplicationNames();
    // The name of the installed .desktop file and AppStream id (packaging/CMakeLists.txt): Wayland
    // matches the window to its menu entry and icon with it.
    QApplication::setDesktopFileName(QStringLiteral(TDKUBE_APP_ID));
    GuiOptions options;
    QCommandLineParser &parser = options.parser;
    const QCommandLineOption &kubeconfig = options.kubeconfig;
    const QCommandLineOption &context = options.context;
    const QCommandLineOption &namespaceOption = options.namespaceOption;
    const QCommandLineOption &cluster = options.cluster;
    parser.process(app);

    const QStringList files = parser.isSet(kubeconfig) ? QStringList{parser.value(kubeconfig)}
                                                       : tdkube::kube::Kubeconfig::defaultFiles();
    tdkube::ui::MainWindow window;
    window.openKubeconfig(
        tdkube::kube::Kubeconfig::load(files), parser.value(context),
        parser.isSet(namespaceOption) ? std::optional<QString>(parser.value(namespaceOption)) : std::nullopt,
        parser.value(cluster));
    window.show();
    if (parser.isSet(options.smoke))
        startSmokeCheck(&window, qMax(1, parser.value(options.smokeTimeout).toInt()),
                        parser.value(options.screenshot));
    return app.exec();
}
