// tdkube-sandbox in its own process for the benchmarks, so that serving the API (and simulating the
// cluster) shares neither a thread nor a CPU quota with what is measured.
#pragma once

#include <QDir>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

namespace tdkube::bench {

class SandboxProcess
{
public:
    SandboxProcess() = default;
    ~SandboxProcess()
    {
        m_process.terminate();
        if (!m_process.waitForFinished(10000))
            m_process.kill();
        m_process.waitForFinished(2000);
    }
    Q_DISABLE_COPY_MOVE(SandboxProcess)

    // Starts it with `arguments` besides --kubeconfig-out and waits until it serves; false with
    // `error` set when it does not start within 30 s.
    bool start(const QStringList &arguments, QString *error)
    {
        m_process.setProgram(QStringLiteral(TDKUBE_SANDBOX_PATH));
        m_process.setArguments(QStringList{QStringLiteral("--kubeconfig-out"), kubeconfig()} + arguments);
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start();
        if (!m_process.waitForStarted()) {
            *error = QStringLiteral("cannot start %1: %2").arg(m_process.program(), m_process.errorString());
            return false;
        }
        // main() prints "kubeconfig: FILE" once it listens and the file is written.
        QByteArray output;
        while (!output.contains("kubeconfig:")) {
            if (!m_process.waitForReadyRead(30000)) {
                *error = QStringLiteral("the sandbox did not start: ") + QString::fromUtf8(output);
                return false;
            }
            output += m_process.readAllStandardOutput();
        }
        return true;
    }
    QString kubeconfig() const { return m_dir.filePath(QStringLiteral("kubeconfig")); }
    // A scratch directory that lives as long as the sandbox (its data, the clients' settings).
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString pid() const { return QString::number(m_process.processId()); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
};

} // namespace tdkube::bench
