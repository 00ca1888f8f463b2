#pragma once

#include "kube/kubeconfig.h"

#include <QList>
#include <QToolBar>

class QAction;
class QComboBox;
class QLabel;
class QToolButton;

namespace tdkube::ui {

// The main window's toolbar: the context and namespace pickers, the insecure-TLS badge, the
// kubeconfig's problems, "Deploy cluster…", the language and About. It shows what it is told and
// reports choices through signals; the window, which owns the Session, switches context and
// namespace. About and the list of kubeconfig problems are its own dialogs.
class ConnectionBar final : public QToolBar
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionBar)

public:
    explicit ConnectionBar(QWidget *parent = nullptr);

    // Offers the contexts of `config` (an unusable one with a warning icon and why as its tooltip)
    // and, when it has problems, a button that lists them.
    void setKubeconfig(const kube::Kubeconfig &config);
    // Selects `context`; the red badge is shown when its cluster's TLS is not verified.
    void setContext(const QString &context, bool insecure);
    // Offers "All namespaces" (when `names` is not empty) and `names`, with `current` selected (added
    // when not listed; "" is all namespaces). With `error`, the tooltip says why the list is missing
    // and asks for a namespace to be typed.
    void setNamespaces(const QStringList &names, const QString &current, const QString &error);

    QComboBox *contextBox() const { return m_contextBox; }
    QComboBox *namespaceBox() const { return m_namespaceBox; }
    // "Deploy cluster…": the window connects it, and offers it elsewhere too.
    QAction *deployAction() const { return m_deployAction; }
    bool insecureBadgeShown() const;

signals:
    void contextRequested(const QString &context);
    // "" asks for all namespaces.
    void namespaceRequested(const QString &ns);
    // The language button's: the window should close, and when it did, restart tdkube.
    void restartRequested();

private:
    void showProblems();
    void showAbout();

    QComboBox *m_contextBox = nullptr;
    QComboBox *m_namespaceBox = nullptr;
    QToolButton *m_problems = nullptr;
    QAction *m_insecureAction = nullptr;
    QAction *m_problemsAction = nullptr;
    QAction *m_deployAction = nullptr;
    QList<kube::ConfigProblem> m_configProblems;
};

} // namespace tdkube::ui
