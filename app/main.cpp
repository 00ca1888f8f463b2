#include "i18n/translations.h"
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

QString languageCodes()
{
    QStringList codes;
    for (const tdkube::i18n::Language &language : tdkube::i18n::languages())
        codes.append(language.code + QStringLiteral(" (") + language.nativeName + u')');
    return codes.join(QStringLiteral(", "));
}

// --lang, else the language saved in the settings, else the system's (app/i18n/translations.h). Takes
// --lang out of `arguments`; an unknown language is said on stderr and English spoken.
void installLanguage(QStringList *arguments)
{
    const QString requested = tdkube::i18n::takeLanguageArgument(arguments);
    const QString language = tdkube::i18n::chosenLanguage(requested);
    if (!requested.isEmpty() && language.isEmpty()) {
        QTextStream(stderr) << QCoreApplication::translate("main",
                                                           "tdkube: unknown language '%1' for --lang; "
                                                           "the languages are %2. Using English.")
                                   .arg(requested, languageCodes())
                            << Qt::endl;
    }
    QString error;
    if (!tdkube::i18n::install(language, &error))
        QTextStream(stderr) << "tdkube: " << error << Qt::endl;
}

// `tdkube scale|repair|operations|resume|abandon ...`: no window, so no display is needed.
bool isOperationsCommand(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    tdkube::i18n::takeLanguageArgument(&arguments); // tdkube --lang zh_CN scale ...
    return tdkube::ops::opscommand::isCommand(arguments.mid(0, 2));
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
            QCoreApplication::translate(
                "main", "Deploy, observe, query and safely resize TDengine clusters on Kubernetes.\n\n%1")
                .arg(tdkube::ops::opscommand::helpText()));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOptions(
            {kubeconfig, context, namespaceOption, cluster, smoke, smokeTimeout, screenshot, language});
    }

    QCommandLineParser parser;
    const QCommandLineOption kubeconfig{
        QStringLiteral("kubeconfig"),
        QCoreApplication::translate(
            "main", "Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)."),
        QStringLiteral("file")};
    const QCommandLineOption context{QStringLiteral("context"),
                                     QCoreApplication::translate("main", "The kubeconfig context to use."),
                                     QStringLiteral("name")};
    const QCommandLineOption namespaceOption{QStringList{QStringLiteral("n"), QStringLiteral("namespace")},
                                             QCoreApplication::translate("main", "The namespace to open."),
                                             QStringLiteral("ns")};
    const QCommandLineOption cluster{
        QStringLiteral("cluster"),
        QCoreApplication::translate("main",
                                    "Open the dashboard of this TDengine cluster: its StatefulSet's name, or "
                                    "namespace/name."),
        QStringLiteral("name")};
    const QCommandLineOption smoke{
        QStringLiteral("smoke"),
        QCoreApplication::translate(
            "main", "Check that tdkube starts: exit 0 once the dashboard of the cluster given with "
                    "--cluster shows its first TDengine snapshot, else 1 with what the window showed "
                    "(for scripts; packaging/run.sh --smoke).")};
    const QCommandLineOption smokeTimeout{
        QStringLiteral("smoke-timeout"),
        QCoreApplication::translate("main", "How long --smoke waits (default 120)."),
        QStringLiteral("seconds"), QStringLiteral("120")};
    // Taken out of the arguments before parsing (installLanguage()); here for --help.
    const QCommandLineOption language{
        QStringLiteral("lang"),
        QCoreApplication::translate("main",
                                    "The language to speak: %1 (default: the one chosen in the window, "
                                    "else the system's).")
            .arg(languageCodes()),
        QStringLiteral("code")};
    const QCommandLineOption screenshot{
        QStringLiteral("screenshot"),
        QCoreApplication::translate("main", "With --smoke: save the window as PNG when it ends."),
        QStringLiteral("file")};
};

// --smoke: the window reports through the check, and the process ends with its verdict.
void startSmokeCheck(tdkube::ui::MainWindow *window, int timeoutSeconds, const QString &screenshot)
{
    auto *check = new tdkube::ui::StartupCheck(window, timeoutSeconds * 1000, screenshot, window);
    QObject::connect(
        check, &tdkube::ui::StartupCheck::finished, window, [](bool passed, const QString &report) {
            QTextStream(passed ? stdout : stderr)
                << (passed ? QCoreApplication::translate("main", "tdkube: smoke check passed: %1")
                           : QCoreApplication::translate("main", "tdkube: smoke check failed: %1"))
                       .arg(report)
                << Qt::endl;
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
        QStringList arguments = QCoreApplication::arguments();
        installLanguage(&arguments);
        return tdkube::ops::opscommand::run(arguments);
    }
    // --help and --version print and exit before any window: they need no display either.
    if (asksForHelpOrVersion(argc, argv)) {
        QCoreApplication app(argc, argv);
        setApplicationNames();
        QStringList arguments = QCoreApplication::arguments();
        installLanguage(&arguments);
        GuiOptions options;
        options.parser.process(arguments);
        return 0;
    }
    QApplication app(argc, argv);
    setApplicationNames();
    // The name of the installed .desktop file and AppStream id (packaging/CMakeLists.txt): Wayland
    // matches the window to its menu entry and icon with it.
    QApplication::setDesktopFileName(QStringLiteral(TDKUBE_APP_ID));
    QStringList arguments = QCoreApplication::arguments();
    installLanguage(&arguments);
    GuiOptions options;
    QCommandLineParser &parser = options.parser;
    const QCommandLineOption &kubeconfig = options.kubeconfig;
    const QCommandLineOption &context = options.context;
    const QCommandLineOption &namespaceOption = options.namespaceOption;
    const QCommandLineOption &cluster = options.cluster;
    parser.process(arguments);

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
