#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

namespace tdkube::taos {
class ClusterConnection;
}

namespace tdkube::ui {

class MainWindow;

// `tdkube --smoke`: does a person who starts tdkube see a TDengine cluster's dashboard with data?
// It looks at the window only (what a person would see), every 200 ms: it passes once the cluster
// page is shown with its first TDengine snapshot, and fails after `timeoutMs` saying what the
// window showed instead (connection, banner, clusters listed, the cluster page's last error).
class StartupCheck final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StartupCheck)

public:
    // `screenshot`: where to save the window as PNG when the check ends (empty: nowhere).
    StartupCheck(MainWindow *window, int timeoutMs, QString screenshot = {}, QObject *parent = nullptr);

signals:
    // Emitted once; `report` is one paragraph for a terminal.
    void finished(bool passed, const QString &report);

private:
    void look();
    void finish(bool passed, const QString &report);
    QString whatIsShown() const;

    MainWindow *m_window = nullptr;
    QPointer<const taos::ClusterConnection> m_watched;
    QString m_screenshot;
    QString m_lastError;
    QTimer m_poll;
    QTimer m_deadline;
    bool m_done = false;
};

} // namespace tdkube::ui
