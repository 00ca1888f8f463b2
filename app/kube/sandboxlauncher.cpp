#include "kube/sandboxlauncher.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTimer>

#include <csignal>

#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

namespace tdkube::kube {

using namespace Qt::StringLiterals;

namespace {

// The sandbox prints this once it listens and its kubeconfig is written (tests/sandbox/main.cpp).
constexpr QByteArrayView kKubeconfigLine = "kubeconfig: ";
// Its start takes well under a second; a minute means something is wrong, not slow.
constexpr int kStartTimeoutMs = 60000;

bool isExecutable(const QString &path)
{
    const QFileInfo info(path);
    return info.isFile() && info.isExecutable();
}

} // namespace

SandboxLauncher::SandboxLauncher(QObject *parent)
    : QObject(parent)
{
}

SandboxLauncher::~SandboxLauncher()
{
    stop();
}

QString SandboxLauncher::program()
{
    const QString fromEnvironment = qEnvironmentVariable("TDKUBE_SANDBOX");
    if (!fromEnvironment.isEmpty())
        return isExecutable(fromEnvironment) ? fromEnvironment : QString();
    const QString here = QCoreApplication::applicationDirPath();
    const QStringList candidates{here + u"/tdkube-sandbox"_s, here + u"/tests/sandbox/tdkube-sandbox"_s,
                                 u"/usr/bin/tdkube-sandbox"_s};
    for (const QString &candidate : candidates) {
        if (isExecutable(candidate))
            return candidate;
    }
    return {};
}

QString SandboxLauncher::stateDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/sandbox"_s;
}

QString SandboxLauncher::kubeconfigPath() const
{
    return stateDir() + u"/kubeconfig"_s;
}

bool SandboxLauncher::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

qint64 SandboxLauncher::processId() const
{
    return m_process ? m_process->processId() : 0;
}

void SandboxLauncher::start()
{
    if (isRunning())
        return;
    const QString sandbox = program();
    if (sandbox.isEmpty()) {
        const QString asked = qEnvironmentVariable("TDKUBE_SANDBOX");
        fail(asked.isEmpty()
                 ? tr("tdkube-sandbox was not found beside tdkube (%1) nor in /usr/bin. Install the tdkube "
                      "package, or set TDKUBE_SANDBOX to the sandbox program.")
                       .arg(QCoreApplication::applicationDirPath())
                 : tr("TDKUBE_SANDBOX names %1, which is not an executable file.").arg(asked));
        return;
    }
    if (!QDir().mkpath(stateDir())) {
        fail(tr("Could not create the sandbox's folder %1: check that it is writable.").arg(stateDir()));
        return;
    }
    delete m_process;
    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_started = false;
    m_output.clear();
#ifdef Q_OS_LINUX
    // Ends with tdkube even when tdkube is killed: a sandbox left behind would hold its port and state.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
    connect(m_process, &QProcess::readyRead, this, &SandboxLauncher::readOutput);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            fail(tr("Could not start %1: %2.").arg(m_process->program(), m_process->errorString()));
    });
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        if (m_started)
            return;
        fail(tr("The sandbox cluster ended before it was ready (%1). It said:\n%2")
                 .arg(status == QProcess::CrashExit ? tr("it crashed") : tr("exit code %1").arg(code),
                      QString::fromLocal8Bit(m_output).trimmed()));
    });
    // A sandbox that neither starts nor ends within a minute is stopped (the process is the timer's
    // context: a later start() does not inherit it).
    QTimer::singleShot(kStartTimeoutMs, m_process, [this] {
        if (!m_started)
            fail(tr("The sandbox cluster did not start within %1 s. It said:\n%2")
                     .arg(kStartTimeoutMs / 1000)
                     .arg(QString::fromLocal8Bit(m_output).trimmed()));
    });
    m_process->start(sandbox, {u"--port"_s, u"0"_s, u"--demo"_s, u"--data-dir"_s, stateDir(),
                               u"--kubeconfig-out"_s, kubeconfigPath()});
}

void SandboxLauncher::readOutput()
{
    m_output += m_process->readAll();
    if (m_started || !m_output.contains(kKubeconfigLine))
        return;
    m_started = true;
    emit started(kubeconfigPath());
}

void SandboxLauncher::fail(const QString &why)
{
    m_started = true; // one verdict per start
    stop(0);
    emit failed(why);
}

void SandboxLauncher::stop(int graceMs)
{
    if (!isRunning())
        return;
    m_process->disconnect(this);
    m_process->terminate();
    if (!m_process->waitForFinished(graceMs)) {
        m_process->kill();
        m_process->waitForFinished(graceMs + 1000);
    }
}

} // namespace tdkube::kube
