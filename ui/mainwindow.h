#pragma once

#include <QMainWindow>

class QLabel;

namespace tdkube::ui {

// The main window. For now a frame that says no cluster is connected; the navigator,
// tables and dashboards arrive with the "Connect and observe" work.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Shown in the status bar: which kubeconfig and context tdkube was started with.
    void setConnectionHint(const QString &hint);

private:
    QLabel *m_placeholder = nullptr;
    QLabel *m_connection = nullptr;
};

} // namespace tdkube::ui
