#pragma once

#include "kube/kubeclient.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

class QWebSocket;

namespace tdkube::kube {

// `kubectl exec` without a terminal: one WebSocket GET .../pods/POD/exec with every argv element
// as its own `command` parameter, stdout and stderr (and stdin when asked), offering the
// v5.channel.k8s.io subprotocol first and v4.channel.k8s.io second. Output arrives as it comes;
// the exit status is the Status the server sends on channel 3 before it closes.
//
// finished() comes exactly once: exit code 0 and no error on Success; the command's exit code
// and no error when it ran and failed (NonZeroExitCode); -1 and a sentence for a person when the
// command could not run (Forbidden, no such pod or container, the connection broke, cancelled).
// A refused upgrade carries only an HTTP code, so the request is asked again without upgrading
// to get the API server's Status message, as for port-forward.
//
// Stdin has an end only with v5 (closeStdin() sends the close signal for channel 0); an older
// server is told nothing, and decides by itself when input is over. No TTY, no resize.
class ExecSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExecSession)

public:
    // `container` empty: the pod's only container (the server refuses when there are several).
    // `client` must outlive the session.
    ExecSession(KubeClient *client, QString ns, QString pod, QString container, QStringList command,
                bool withStdin = false, QObject *parent = nullptr);
    ~ExecSession() override;

    // Starts `command` in the pod's default container, without stdin, and deletes the session
    // once it has finished.
    static ExecSession *run(KubeClient *client, const QString &ns, const QString &pod,
                            const QStringList &command, QObject *parent = nullptr);

    void start();
    // Queued until the connection is up; ignored without stdin or after closeStdin().
    void writeStdin(const QByteArray &data);
    void closeStdin();
    // Stops waiting: the socket is closed and finished() reports the cancellation.
    void cancel();

    bool isRunning() const { return m_started && !m_done; }
    bool isFinished() const { return m_done; }
    // The subprotocol the server chose, once started(): "v5.channel.k8s.io" or "v4.channel.k8s.io".
    QString protocol() const;
    QString describe() const; // "`taos -s show dnodes` in pod tdengine-0"

    // The exec query as sent (tests).
    QUrlQuery query() const;

signals:
    // The server accepted the upgrade: the command is starting.
    void started();
    void output(const QByteArray &data, bool isStderr);
    void finished(int exitCode, const QString &error);

private:
    QString path() const;
    void connectSocket(const QNetworkRequest &request);
    void onMessage(const QByteArray &message);
    void flushStdin();
    void onDisconnected();
    void socketError();
    void diagnose();
    void reportStatus();
    void finish(int exitCode, const QString &error);

    KubeClient *m_client;
    QString m_ns;
    QString m_pod;
    QString m_container;
    QStringList m_command;
    bool m_withStdin;
    QPointer<QWebSocket> m_socket;
    QByteArray m_pendingStdin;
    QByteArray m_status; // channel 3, until the server closes
    QString m_tlsError;
    bool m_requested = false;
    bool m_started = false;
    bool m_stdinClosed = false;
    bool m_stdinCloseSent = false;
    bool m_diagnosing = false;
    bool m_retriedAuthorization = false; // after a 401, once, with a fresh credential
    bool m_done = false;
};

} // namespace tdkube::kube
