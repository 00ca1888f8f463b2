#include "clusterdashboard.h"

#include "kube/humanduration.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <functional>
#include <limits>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

namespace {

// Replaces what `chart` shows with `series` over one bar per category, on a 0..highest scale.
void showBars(QChart *chart, QAbstractBarSeries *series, const QStringList &categories, int highest)
{
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes()) {
        chart->removeAxis(axis); // gives the axis back to us
        delete axis;
    }
    chart->addSeries(series);
    auto *axisX = new QBarCategoryAxis(chart);
    axisX->append(categories);
    auto *axisY = new QValueAxis(chart);
    axisY->setLabelFormat(u"%.0f"_s);
    highest = std::max(1, highest);
    axisY->setRange(0, highest);
    axisY->setTickCount(std::min(highest, 10) + 1);
    chart->addAxis(axisX, Qt::AlignBottom);
    chart->addAxis(axisY, Qt::AlignLeft);
    series->attachAxis(axisX);
    series->attachAxis(axisY);
}

QTableWidget *makeTable(const QStringList &headers, const QString &name, QWidget *parent)
{
    auto *table = new QTableWidget(0, int(headers.size()), parent);
    table->setObjectName(name);
    table->setHorizontalHeaderLabels(headers);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setSortingEnabled(false); // rows follow the snapshot's order (ids ascending)
    table->setWordWrap(false);
    return table;
}

// Sets the number of rows; a new shape gets its columns fitted to their contents once.
void setRows(QTableWidget *table, qsizetype rows, const std::function<void(int)> &fill)
{
    const bool reshaped = table->rowCount() != rows;
    table->setRowCount(int(rows));
    for (int row = 0; row < rows; ++row)
        fill(row);
    if (reshaped)
        table->resizeColumnsToContents();
}

// Sets a row's cells, touching only those that changed; `alert` paints the row.
void setRow(QTableWidget *table, int row, const QStringList &cells, bool alert)
{
    for (int column = 0; column < cells.size(); ++column) {
        QTableWidgetItem *item = table->item(row, column);
        if (!item) {
            item = new QTableWidgetItem;
            table->setItem(row, column, item);
        }
        if (item->text() != cells.at(column))
            item->setText(cells.at(column));
        const QBrush background = alert ? QBrush(QColor(u"#ffebee"_s)) : QBrush();
        if (item->background() != background)
            item->setBackground(background);
    }
}

QString timeText(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s) : QString();
}

QString severityColor(taos::HealthWarning::Severity severity)
{
    switch (severity) {
    case taos::HealthWarning::Severity::Critical:
        return u"#ffebee"_s;
    case taos::HealthWarning::Severity::Warning:
        return u"#fff3e0"_s;
    case taos::HealthWarning::Severity::Info:
        break;
    }
    return u"#e3f2fd"_s;
}

} // namespace

ClusterDashboard::ClusterDashboard(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel(this);
    m_title->setObjectName(u"dashboardTitle"_s);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    m_title->setFont(titleFont);
    // A long title (cluster id, uptime, version) wraps instead of widening the window's right side,
    // which would squeeze the list of clusters beside it.
    m_title->setWordWrap(true);
    m_summary = new QLabel(tr("Waiting for the first snapshot…"), this);
    m_summary->setObjectName(u"dashboardSummary"_s);
    m_summary->setWordWrap(true);
    m_warningBox = new QWidget(this);
    m_warningLayout = new QVBoxLayout(m_warningBox);
    m_warningLayout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_summary);
    layout->addWidget(m_warningBox);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"dashboardTabs"_s);
    m_dnodes = makeTable({tr("ID"), tr("Endpoint"), tr("Pod"), tr("Vnodes"), tr("Status"), tr("Created"),
                          tr("Rebooted"), tr("Volume claim"), tr("Note")},
                         u"dnodes"_s, this);
    m_mnodes =
        makeTable({tr("ID"), tr("Endpoint"), tr("Role"), tr("Status"), tr("Role since")}, u"mnodes"_s, this);
    m_databases =
        makeTable({tr("Name"), tr("Replica"), tr("Vgroups", "column: how many vgroups a database has"),
                   tr("Tables"), tr("Keep"), tr("Precision")},
                  u"databases"_s, this);
    m_vgroups = makeTable({tr("Database"), tr("Vgroup"), tr("Tables"), tr("Vnodes (dnode: role)")},
                          u"vgroups"_s, this);
    m_tabs->addTab(m_dnodes, tr("Dnodes"));
    m_tabs->addTab(m_mnodes, tr("Mnodes"));
    m_tabs->addTab(m_databases, tr("Databases"));
    m_tabs->addTab(m_vgroups, tr("Vgroups"));

    auto *charts = new QSplitter(Qt::Horizontal, this);
    auto *distribution = new QSplitter(Qt::Vertical, charts);
    m_vnodeChart = new QChartView(distribution);
    m_vnodeChart->setObjectName(u"vnodeChart"_s);
    m_vnodeChart->setRenderHint(QPainter::Antialiasing);
    m_vnodeChart->chart()->setTitle(tr("Vnodes per dnode"));
    m_leaderChart = new QChartView(distribution);
    m_leaderChart->setObjectName(u"leaderChart"_s);
    m_leaderChart->setRenderHint(QPainter::Antialiasing);
    m_leaderChart->chart()->setTitle(tr("Vgroup leaders per dnode"));
    m_leaderChart->chart()->legend()->hide();
    m_historyChart = new QChartView(charts);
    m_historyChart->setObjectName(u"historyChart"_s);
    m_historyChart->setRenderHint(QPainter::Antialiasing);
    QChart *history = m_historyChart->chart();
    history->setTitle(tr("This session: dnodes and vnodes"));
    m_dnodeHistory = new QLineSeries(history);
    m_dnodeHistory->setName(tr("ready dnodes"));
    m_vnodeHistory = new QLineSeries(history);
    m_vnodeHistory->setName(tr("vnodes"));
    history->addSeries(m_dnodeHistory);
    history->addSeries(m_vnodeHistory);
    auto *timeAxis = new QValueAxis(history);
    timeAxis->setTitleText(tr("minutes"));
    timeAxis->setLabelFormat(u"%.0f"_s);
    auto *countAxis = new QValueAxis(history);
    countAxis->setLabelFormat(u"%.0f"_s);
    history->addAxis(timeAxis, Qt::AlignBottom);
    history->addAxis(countAxis, Qt::AlignLeft);
    for (QLineSeries *series : {m_dnodeHistory, m_vnodeHistory}) {
        series->attachAxis(timeAxis);
        series->attachAxis(countAxis);
    }
    m_tabs->addTab(charts, tr("Charts"));
    layout->addWidget(m_tabs, 1);
}

ClusterDashboard::~ClusterDashboard() = default;

void ClusterDashboard::setClusterName(const QString &name)
{
    m_name = name;
    m_title->setText(tr("TDengine cluster %1").arg(name));
}

void ClusterDashboard::setSnapshot(const taos::ClusterSnapshot &snapshot,
                                   const QList<taos::HealthWarning> &warnings)
{
    const qsizetype ready =
        std::count_if(snapshot.dnodes.begin(), snapshot.dnodes.end(),
                      [](const taos::Dnode &dnode) { return dnode.state() == taos::DnodeState::Ready; });
    // The mnodes: how many are ready, which leads, and whether they have the majority they need.
    const taos::MnodeHealth health = taos::mnodeHealth(snapshot.mnodes);
    const QString mnodes = tr("mnodes %1/%2 ready, %3, %4")
                               .arg(health.ready)
                               .arg(snapshot.mnodes.size())
                               .arg(health.leaderEndpoint.isEmpty()
                                        ? tr("no leader")
                                        : tr("leader %1").arg(taos::podOfEndpoint(health.leaderEndpoint)),
                                    health.quorum ? tr("quorum") : tr("no quorum"));
    // The user's databases with their replica, the number a scale-in must never go below.
    QStringList databases;
    qsizetype userDatabases = 0;
    constexpr qsizetype shownDatabases = 4;
    for (const taos::Database &database : snapshot.databases) {
        if (taos::isSystemDatabase(database.name))
            continue;
        if (++userDatabases <= shownDatabases)
            databases.append(tr("%1 (replica %2)").arg(database.name).arg(database.replica));
    }
    const QString databaseText =
        databases.isEmpty() ? tr("no databases")
        : userDatabases > shownDatabases
            ? tr("databases %1 and %2 more")
                  .arg(databases.join(u", "), QString::number(userDatabases - shownDatabases))
            : tr("databases %1").arg(databases.join(u", "));
    m_summary->setText(tr("dnodes %1/%2 ready · %3 · %4 · %5 transaction(s) running · as of %6")
                           .arg(ready)
                           .arg(snapshot.dnodes.size())
                           .arg(mnodes, databaseText)
                           .arg(snapshot.transactions.size())
                           .arg(snapshot.takenAt.toLocalTime().toString(u"HH:mm:ss"_s)));
    if (!snapshot.clusterName.isEmpty()) {
        const QString uptime = kube::humanDuration(snapshot.uptimeSeconds * 1000);
        m_title->setText(
            snapshot.serverVersion.isEmpty()
                ? tr("TDengine cluster %1 — %2 (id %3), up %4")
                      .arg(m_name, snapshot.clusterName, snapshot.clusterId, uptime)
                : tr("TDengine cluster %1 — %2 (id %3), up %4, TDengine %5")
                      .arg(m_name, snapshot.clusterName, snapshot.clusterId, uptime, snapshot.serverVersion));
    }
    m_summary->setStyleSheet({});
    showWarnings(warnings);
    fillDnodes(snapshot);
    fillMnodes(snapshot);
    fillDatabases(snapshot);
    fillVgroups(snapshot);
    fillCharts(snapshot);
}

void ClusterDashboard::setError(const QString &error)
{
    m_summary->setText(tr("The cluster's state could not be read: %1").arg(error));
    m_summary->setStyleSheet(u"QLabel { color: #b71c1c; }"_s);
}

QString ClusterDashboard::summaryText() const
{
    return m_summary->text();
}

QStringList ClusterDashboard::warningTitles() const
{
    return m_warningTitles;
}

QList<std::pair<int, int>> ClusterDashboard::chartedVnodes() const
{
    return m_charted;
}

void ClusterDashboard::showWarnings(const QList<taos::HealthWarning> &warnings)
{
    QStringList titles;
    for (const taos::HealthWarning &warning : warnings)
        titles.append(warning.title);
    if (titles == m_warningTitles)
        return; // the same warnings: leave the labels (and any text the user selected) alone
    m_warningTitles = titles;
    while (QLayoutItem *item = m_warningLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (const taos::HealthWarning &warning : warnings) {
        auto *label =
            new QLabel(u"<b>%1</b><br>%2"_s.arg(warning.title.toHtmlEscaped(), warning.text.toHtmlEscaped()),
                       m_warningBox);
        label->setObjectName(u"healthWarning"_s);
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setStyleSheet(
            u"QLabel { background:%1; padding:6px; }"_s.arg(severityColor(warning.severity)));
        m_warningLayout->addWidget(label);
    }
}

void ClusterDashboard::fillDnodes(const taos::ClusterSnapshot &snapshot)
{
    setRows(m_dnodes, snapshot.dnodes.size(), [&](int row) {
        const taos::Dnode &dnode = snapshot.dnodes.at(row);
        const QString pod = taos::podOfEndpoint(dnode.endpoint);
        QStringList claims;
        for (const QString &claimTemplate : m_claimTemplates)
            claims.append(claimTemplate + u'-' + pod);
        setRow(m_dnodes, row,
               {QString::number(dnode.id), dnode.endpoint, pod,
                u"%1/%2"_s.arg(dnode.vnodes).arg(dnode.supportVnodes), dnode.status,
                timeText(dnode.createTime), timeText(dnode.rebootTime), claims.join(u", "), dnode.note},
               dnode.status != u"ready");
    });
}

void ClusterDashboard::fillMnodes(const taos::ClusterSnapshot &snapshot)
{
    setRows(m_mnodes, snapshot.mnodes.size(), [&](int row) {
        const taos::Mnode &mnode = snapshot.mnodes.at(row);
        setRow(
            m_mnodes, row,
            {QString::number(mnode.id), mnode.endpoint, mnode.role, mnode.status, timeText(mnode.roleTime)},
            !mnode.isServing());
    });
}

void ClusterDashboard::fillDatabases(const taos::ClusterSnapshot &snapshot)
{
    setRows(m_databases, snapshot.databases.size(), [&](int row) {
        const taos::Database &database = snapshot.databases.at(row);
        setRow(m_databases, row,
               {database.name, QString::number(database.replica), QString::number(database.vgroups),
                QString::number(database.tables), database.keep, database.precision},
               false);
    });
}

void ClusterDashboard::fillVgroups(const taos::ClusterSnapshot &snapshot)
{
    setRows(m_vgroups, snapshot.vgroups.size(), [&](int row) {
        const taos::Vgroup &vgroup = snapshot.vgroups.at(row);
        QStringList vnodes;
        bool degraded = false;
        for (const taos::Vnode &vnode : vgroup.vnodes) {
            vnodes.append(u"%1: %2"_s.arg(vnode.dnodeId).arg(vnode.role));
            degraded = degraded || !vnode.isHealthy();
        }
        setRow(
            m_vgroups, row,
            {vgroup.database, QString::number(vgroup.id), QString::number(vgroup.tables), vnodes.join(u", ")},
            degraded);
    });
}

// Leaders alone: the writes of a vgroup go to its leader, so a dnode leading much more than the others
// carries more of the load (`balance vgroup leader` evens them out).
void ClusterDashboard::fillLeaderChart(const QStringList &categories)
{
    auto *leaders = new QBarSet(tr("leaders"));
    leaders->setColor(QColor(u"#1565c0"_s));
    int lowest = std::numeric_limits<int>::max();
    int highest = 0;
    for (const auto &[leading, following] : std::as_const(m_charted)) {
        *leaders << leading;
        lowest = std::min(lowest, leading);
        highest = std::max(highest, leading);
    }
    const bool uneven = !m_charted.isEmpty() && highest - lowest > 1;
    QChart *chart = m_leaderChart->chart();
    chart->setTitle(uneven ? tr("Vgroup leaders per dnode: uneven (%1 to %2); `balance vgroup leader` evens "
                                "them out")
                                 .arg(lowest)
                                 .arg(highest)
                           : tr("Vgroup leaders per dnode"));
    auto *series = new QBarSeries(chart);
    series->append(leaders);
    showBars(chart, series, categories, highest);
}

QList<int> ClusterDashboard::chartedLeaders() const
{
    QList<int> values;
    for (QAbstractSeries *series : m_leaderChart->chart()->series()) {
        if (auto *bars = qobject_cast<QBarSeries *>(series)) {
            for (QBarSet *set : bars->barSets()) {
                for (int i = 0; i < set->count(); ++i)
                    values.append(int(set->at(i)));
            }
        }
    }
    return values;
}

QString ClusterDashboard::leaderChartTitle() const
{
    return m_leaderChart->chart()->title();
}

void ClusterDashboard::fillCharts(const taos::ClusterSnapshot &snapshot)
{
    const QHash<int, taos::VnodeCount> counts = taos::vnodesPerDnode(snapshot.vgroups);
    QList<std::pair<int, int>> charted;
    QStringList categories;
    auto *leaders = new QBarSet(tr("leaders"));
    auto *followers = new QBarSet(tr("followers"));
    int total = 0;
    for (const taos::Dnode &dnode : snapshot.dnodes) {
        const taos::VnodeCount count = counts.value(dnode.id);
        categories.append(tr("dnode %1").arg(dnode.id));
        *leaders << count.leaders;
        *followers << count.followers + count.others;
        charted.append({count.leaders, count.followers + count.others});
        total += count.total();
    }
    if (charted != m_charted) {
        m_charted = charted;
        QChart *chart = m_vnodeChart->chart();
        auto *series = new QStackedBarSeries(chart);
        series->append(leaders);
        series->append(followers);
        int highest = 1;
        for (const auto &[leading, following] : charted)
            highest = std::max(highest, leading + following);
        showBars(chart, series, categories, highest);
        fillLeaderChart(categories);
    } else {
        delete leaders;
        delete followers;
    }

    const qint64 now = snapshot.takenAt.isValid() ? snapshot.takenAt.toMSecsSinceEpoch()
                                                  : QDateTime::currentMSecsSinceEpoch();
    if (m_historyStartMs == 0)
        m_historyStartMs = now;
    const double minutes = double(now - m_historyStartMs) / 60000.0;
    const qsizetype ready = std::count_if(snapshot.dnodes.begin(), snapshot.dnodes.end(),
                                          [](const taos::Dnode &dnode) { return dnode.status == u"ready"; });
    m_dnodeHistory->append(minutes, double(ready));
    m_vnodeHistory->append(minutes, double(total));
    const auto axes = m_historyChart->chart()->axes();
    for (QAbstractAxis *axis : axes) {
        auto *value = qobject_cast<QValueAxis *>(axis);
        if (!value)
            continue;
        if (axis->alignment() == Qt::AlignBottom) {
            // Tenths of a minute while the session is short, so that no two ticks read the same.
            value->setRange(0, std::max(1.0, minutes));
            value->setLabelFormat(minutes < 4 ? u"%.1f"_s : u"%.0f"_s);
        } else {
            const int top = std::max(4, std::max(total, int(ready)) + 1);
            value->setRange(0, top);
            value->setTickCount(std::min(top, 10) + 1);
        }
    }
}

} // namespace tdkube::ui
