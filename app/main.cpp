#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char *argv[])
{
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
    const QCommandLineOption kubeconfig(QStringLiteral("kubeconfig"),
                                        QStringLiteral("Path to the kubeconfig file to use."),
                                        QStringLiteral("file"));
    const QCommandLineOption context(
        QStringLiteral("context"), QStringLiteral("The kubeconfig context to use."), QStringLiteral("name"));
    const QCommandLineOption namespaceOption(QStringList{QStringLiteral("n"), QStringLiteral("namespace")},
                                             QStringLiteral("The namespace to open."), QStringLiteral("ns"));
    parser.addOptions({kubeconfig, context, namespaceOption});
    parser.process(app);

    tdkube::ui::MainWindow window;
    const QString file =
        parser.isSet(kubeconfig) ? parser.value(kubeconfig) : qEnvironmentVariable("KUBECONFIG");
    if (!file.isEmpty())
        window.setConnectionHint(QObject::tr("kubeconfig: %1").arg(file));
    window.show();
    return app.exec();
}
