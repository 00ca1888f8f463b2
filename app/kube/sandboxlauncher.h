#pragma once

#include <QObject>
#include <QString>

class QProcess;

namespace tdkube::kube {

// Starts the local sandbox cluster (`tdkube-sandbox --demo`, installed beside tdkube) for someone who
// has no cluster yet, and stops it with this object. Its state (cluster objects, CA, tokens, the
// kubeconfig) is kept in stateDir(), so the demo cluster is the same one at the next start.
// Asynchronous: start() returns at once; started() carries the kubeconfig the sandbox wrote, failed()
// says what went wrong and what to do.
class SandboxLauncher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxLauncher)

public:
    explicit SandboxLauncher(QObject *parent = nullptr);
    ~SandboxLauncher() override;

    // $TDKUBE_SANDBOX, else tdkube-sandbox beside this program (an installed tdkube, or a build
    // tree's tests/sandbox), else /usr/bin/tdkube-sandbox. Empty when none exists.
    static QString program();
    // <AppDataLocation>/sandbox.
    static QString stateDir();
    // The TDengine cluster --demo deploys, as namespace/name (tests/sandbox/sandbox.cpp).
    static QString demoCluster() { return QStringLiteral("tdengine-test/tdengine"); }

    void start();
    // Ends the sandbox (SIGTERM, then SIGKILL after `graceMs`); also done by the destructor.
    void stop(int graceMs = 3000);
    bool isRunning() const;
    qint64 processId() const;
    QString kubeconfigPath() const;

signals:
    void started(const QString &kubeconfig);
    void failed(const QString &error);

private:
    void readOutput();
    void fail(const QString &why);

    QProcess *m_process = nullptr;
    QByteArray m_output;
    bool m_started = false;
};

} // namespace tdkube::kube
