#include "startupcheck.h"

#include "clusterdashboard.h"
#include "clusterview.h"
#include "mainwindow.h"
#include "taos/clusterconnection.h"

#include <QPixmap>
#include <QTableWidget>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

StartupCheck::StartupCheck(MainWindow *window, int timeoutMs, QString screenshot, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_screenshot(std::move(screenshot))
{
    m_poll.setInterval(200);
    connect(&m_poll, &QTimer::timeout, this, &StartupCheck::look);
    m_deadline.setSingleShot(true);
    m_deadline.setInterval(timeoutMs);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        finish(false, tr("no TDengine cluster's dashboard with data after %1 s. The window shows: %2")
                          .arg(m_deadline.interval() / 1000)
                          .arg(whatIsShown()));
    });
    m_poll.start();
    m_deadline.start();
}

void StartupCheck::look()
{
    const ClusterView *view = m_window->clusterView();
    const taos::ClusterConnection *connection = view->connection();
    if (!connection || !view->isVisible())
        return;
    // The page's own error line is what a person would read when no snapshot comes.
    if (m_watched != connection) {
        m_watched = connection;
        connect(connection, &taos::ClusterConnection::snapshotFailed, this,
                [this](const QString &error) { m_lastError = error; });
    }
    const ClusterDashboard *dashboard = view->dashboard();
    if (dashboard->dnodeTable()->rowCount() == 0 || dashboard->summaryText().isEmpty())
        return;
    finish(true, tr("the dashboard of TDengine cluster %1/%2 shows its first snapshot: %3")
                     .arg(m_window->session()->ns(), connection->statefulSet(), dashboard->summaryText()));
}

QString StartupCheck::whatIsShown() const
{
    QStringList parts{tr("connection: %1").arg(m_window->connectionText())};
    if (!m_window->bannerText().isEmpty())
        parts.append(tr("banner: %1").arg(m_window->bannerText()));
    const QStringList here = m_window->tdengineClusters();
    const QStringList elsewhere = m_window->tdengineClustersElsewhere();
    parts.append(tr("TDengine clusters in namespace %1: %2; elsewhere: %3")
                     .arg(m_window->session()->ns(), here.isEmpty() ? tr("none") : here.join(u", "),
                          elsewhere.isEmpty() ? tr("none") : elsewhere.join(u", ")));
    const ClusterView *view = m_window->clusterView();
    if (view->connection())
        parts.append(tr("cluster page: %1").arg(view->connectionText()));
    else
        parts.append(tr("no cluster page open"));
    if (!m_lastError.isEmpty())
        parts.append(tr("last TDengine error: %1").arg(m_lastError));
    return parts.join(u"; ");
}

void StartupCheck::finish(bool passed, const QString &report)
{
    if (std::exchange(m_done, true))
        return;
    m_poll.stop();
    m_deadline.stop();
    if (!m_screenshot.isEmpty())
        m_window->grab().save(m_screenshot);
    emit finished(passed, report);
}

} // namespace tdkube::ui
