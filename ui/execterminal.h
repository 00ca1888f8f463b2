#pragma once

#include "kube/kubeclient.h"

#include <QPointer>
#include <QString>
#include <QStringDecoder>
#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace tdkube::kube {
class ExecSession;
}

namespace tdkube::ui {

// A command line split into argv as a POSIX shell splits words, without expanding anything:
// blanks separate words, '...' is literal, "..." keeps blanks and takes \ before " \ $ ` and a
// newline, and elsewhere \ takes the next character as is. "" and '' make an empty word.
// An unterminated quote or a trailing backslash gives an empty list and says so in `error`.
QStringList splitCommandLine(const QString &line, QString *error);

// Runs one command at a time in a pod's container (`kubectl exec POD -- ARGV`, no terminal):
// a pod chooser, the command line, Run and Cancel, the output as it arrives (stderr in red) and
// the outcome: "exit status N" or why the command could not run. Running again clears the output.
class ExecTerminal final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExecTerminal)

public:
    explicit ExecTerminal(QWidget *parent = nullptr);
    ~ExecTerminal() override;

    // The pods to choose from in `ns`, through `client` (null: nothing can run). Cancels a run.
    void setPods(kube::KubeClient *client, const QString &ns, const QStringList &pods);
    void setCurrentPod(const QString &pod);
    QString currentPod() const;

    QString command() const;
    // Sets the command line and runs it, as pressing Run does.
    void run(const QString &command);
    void run();
    void cancel();
    bool isRunning() const;

    QString outputText() const;
    QString statusText() const;

signals:
    void finished(int exitCode, const QString &error);

private:
    void appendOutput(const QByteArray &data, bool isStderr);
    void onFinished(int exitCode, const QString &error);
    void setStatus(const QString &text, bool isError);
    void updateButtons();

    QPointer<kube::KubeClient> m_client;
    QString m_ns;
    QComboBox *m_pod = nullptr;
    QLineEdit *m_command = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_cancel = nullptr;
    QPlainTextEdit *m_output = nullptr;
    QLabel *m_status = nullptr;
    QPointer<kube::ExecSession> m_session;
    // Output arrives in arbitrary pieces: a UTF-8 sequence may be cut between two of them.
    QStringDecoder m_stdoutDecoder{QStringDecoder::Utf8};
    QStringDecoder m_stderrDecoder{QStringDecoder::Utf8};
};

} // namespace tdkube::ui
