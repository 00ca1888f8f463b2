#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace tdkube::ui {

// What the window shows when the kubeconfig gives it no context (no kubeconfig at all, or one that
// defines none): why, how to connect a real cluster, and the offer to try the sandbox cluster that
// comes with tdkube. The page only asks (trySandboxRequested()); the window starts the sandbox.
class WelcomePage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WelcomePage)

public:
    explicit WelcomePage(QWidget *parent = nullptr);

    // Why there is no context, e.g. which kubeconfig files were looked for.
    void setReason(const QString &text);
    // Where the sandbox keeps its state, said before the button is pressed.
    void setSandboxStateDir(const QString &dir);
    void showStarting();
    void showError(const QString &error);

    QPushButton *trySandboxButton() const { return m_try; }
    QString statusText() const;

signals:
    void trySandboxRequested();

private:
    QLabel *m_reason = nullptr;
    QLabel *m_sandboxNote = nullptr;
    QPushButton *m_try = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace tdkube::ui
