#include "detailspane.h"

#include "kube/humanduration.h"
#include "kube/yamlwriter.h"
#include "logview.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QJsonArray>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTabWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

namespace {

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QString ago(const QString &timestamp)
{
    const QDateTime time = QDateTime::fromString(timestamp, Qt::ISODateWithMs);
    if (!time.isValid())
        return {};
    return DetailsPane::tr("%1 ago").arg(kube::humanDuration(time.msecsTo(QDateTime::currentDateTimeUtc())));
}

QString table(const QStringList &headers, const QList<QStringList> &rows)
{
    QString html = u"<table cellspacing='0' cellpadding='3' border='0' width='100%'><tr>"_s;
    for (const QString &header : headers)
        html += u"<th align='left' style='background:#eceff1'>"_s + esc(header) + u"</th>"_s;
    html += u"</tr>"_s;
    for (const QStringList &row : rows) {
        html += u"<tr>"_s;
        for (const QString &cell : row)
            html += u"<td valign='top'>"_s + cell + u"</td>"_s;
        html += u"</tr>"_s;
    }
    return html + u"</table>"_s;
}

QString section(const QString &title)
{
    return u"<h3 style='margin-top:12px'>"_s + esc(title) + u"</h3>"_s;
}

QString containerState(const QJsonObject &status)
{
    const QJsonObject state = status.value(u"state").toObject();
    if (state.contains(u"running"))
        return DetailsPane::tr("Running since %1")
            .arg(ago(state.value(u"running").toObject().value(u"startedAt").toString()));
    if (state.contains(u"waiting")) {
        const QJsonObject waiting = state.value(u"waiting").toObject();
        return u"<b>"_s + esc(waiting.value(u"reason").toString(DetailsPane::tr("Waiting"))) + u"</b> "_s +
               esc(waiting.value(u"message").toString());
    }
    if (state.contains(u"terminated")) {
        const QJsonObject terminated = state.value(u"terminated").toObject();
        return DetailsPane::tr("Terminated: %1, exit code %2")
            .arg(esc(terminated.value(u"reason").toString()))
            .arg(terminated.value(u"exitCode").toInt());
    }
    return DetailsPane::tr("Not started");
}

QString conditionsHtml(const QJsonObject &status)
{
    QList<QStringList> rows;
    for (const QJsonValue &value : status.value(u"conditions").toArray()) {
        const QJsonObject condition = value.toObject();
        const bool good = condition.value(u"status").toString() == u"True";
        rows.append({esc(condition.value(u"type").toString()),
                     u"<span style='color:%1'>%2</span>"_s.arg(good ? u"#2e7d32"_s : u"#c62828"_s,
                                                               esc(condition.value(u"status").toString())),
                     esc(condition.value(u"reason").toString()), esc(condition.value(u"message").toString()),
                     esc(ago(condition.value(u"lastTransitionTime").toString()))});
    }
    if (rows.isEmpty())
        return {};
    return section(DetailsPane::tr("Conditions")) +
           table({DetailsPane::tr("Type"), DetailsPane::tr("Status"), DetailsPane::tr("Reason"),
                  DetailsPane::tr("Message"),
                  //: Column header: how long ago the condition last changed ("5m ago").
                  DetailsPane::tr("Changed")},
                 rows);
}

QString containersHtml(const QJsonObject &status)
{
    QList<QStringList> rows;
    for (const auto key : {u"initContainerStatuses", u"containerStatuses"}) {
        for (const QJsonValue &value : status.value(key).toArray()) {
            const QJsonObject container = value.toObject();
            rows.append({esc(container.value(u"name").toString()), esc(container.value(u"image").toString()),
                         containerState(container),
                         container.value(u"ready").toBool() ? DetailsPane::tr("yes") : DetailsPane::tr("no"),
                         QString::number(container.value(u"restartCount").toInt())});
        }
    }
    if (rows.isEmpty())
        return {};
    return section(DetailsPane::tr("Containers")) +
           table({DetailsPane::tr("Name"), DetailsPane::tr("Image"), DetailsPane::tr("State"),
                  DetailsPane::tr("Ready"), DetailsPane::tr("Restarts")},
                 rows);
}

QString eventsHtml(const QJsonObject &object, const QList<QJsonObject> &events)
{
    QList<QStringList> rows;
    for (const QJsonObject &event : kube::eventsFor(object, events)) {
        const bool warning = event.value(u"type").toString() == u"Warning";
        QString last = event.value(u"lastTimestamp").toString();
        if (last.isEmpty())
            last = event.value(u"eventTime").toString();
        rows.append(
            {warning ? u"<span style='color:#c62828'>Warning</span>"_s : esc(event.value(u"type").toString()),
             esc(event.value(u"reason").toString()), esc(ago(last)),
             esc(event.value(u"count").toInt(1) > 1 ? u"%1 (×%2)"_s.arg(event.value(u"message").toString())
                                                          .arg(event.value(u"count").toInt())
                                                    : event.value(u"message").toString())});
    }
    if (rows.isEmpty())
        return section(DetailsPane::tr("Events")) + u"<p style='color:#757575'>"_s +
               DetailsPane::tr("No events.") + u"</p>"_s;
    const QStringList headers{DetailsPane::tr("Type"), DetailsPane::tr("Reason"),
                              //: Column header: how long ago the event happened.
                              DetailsPane::tr("When"), DetailsPane::tr("Message")};
    return section(DetailsPane::tr("Events")) + table(headers, rows);
}

QString callout(const QString &title, const QString &text, const QString &color)
{
    return u"<table width='100%' cellpadding='8' style='background:%1'><tr><td><b>%2</b><br>%3</td></tr></table>"_s
        .arg(color, esc(title), esc(text));
}

} // namespace

DetailsPane::DetailsPane(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"detailsTabs"_s);
    m_overview = new QTextBrowser(this);
    m_overview->setObjectName(u"overview"_s);
    m_overview->setOpenLinks(false);
    m_yaml = new QPlainTextEdit(this);
    m_yaml->setObjectName(u"yaml"_s);
    m_yaml->setReadOnly(true);
    m_yaml->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_yaml->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_logs = new LogView(this);
    m_tabs->addTab(m_overview, tr("Overview"));
    m_tabs->addTab(m_yaml, tr("YAML"));
    m_tabs->addTab(m_logs, tr("Logs"));
    m_edit = new QToolButton(this);
    m_edit->setObjectName(u"editObject"_s);
    m_edit->setText(tr("Edit…"));
    m_edit->setToolTip(tr("Edit this object as YAML, with a dry-run and a diff before it is applied"));
    m_edit->setAutoRaise(true);
    m_tabs->setCornerWidget(m_edit, Qt::TopRightCorner);
    connect(m_edit, &QToolButton::clicked, this, [this] {
        if (!m_object.isEmpty())
            emit editRequested(m_object);
    });
    layout->addWidget(m_tabs);
    clear();
}

DetailsPane::~DetailsPane() = default;

void DetailsPane::showObject(kube::KubeClient *client, const QJsonObject &object,
                             const kube::PodSurroundings &around, const QString &note)
{
    m_object = object;
    // Events are the cluster's record of what happened: not something to edit.
    m_edit->setEnabled(object.value(u"kind").toString() != u"Event");
    m_overview->setHtml(overviewHtml(object, around, note));
    const int scroll = m_yaml->verticalScrollBar()->value();
    m_yaml->setPlainText(kube::toYaml(object));
    m_yaml->verticalScrollBar()->setValue(scroll);
    const bool pod = object.value(u"kind").toString() == u"Pod";
    m_tabs->setTabEnabled(2, pod);
    const QString uid = object.value(u"metadata").toObject().value(u"uid").toString();
    if (pod && uid != m_logsFor) {
        m_logsFor = uid;
        m_logs->setPod(client, object);
    } else if (!pod && !m_logsFor.isEmpty()) {
        m_logsFor.clear();
        m_logs->setPod(nullptr, {});
    }
}

void DetailsPane::clear()
{
    m_object = {};
    m_edit->setEnabled(false);
    m_overview->setHtml(u"<p style='color:#757575'>"_s + tr("Select an object to see its details.") +
                        u"</p>"_s);
    m_yaml->clear();
    m_logsFor.clear();
    m_logs->setPod(nullptr, {});
    m_tabs->setTabEnabled(2, false);
}

QString DetailsPane::overviewText() const
{
    return m_overview->toPlainText();
}

QString DetailsPane::yamlText() const
{
    return m_yaml->toPlainText();
}

QString DetailsPane::overviewHtml(const QJsonObject &object, const kube::PodSurroundings &around,
                                  const QString &note)
{
    const QJsonObject metadata = object.value(u"metadata").toObject();
    const QString ns = metadata.value(u"namespace").toString();
    QString html = u"<h2 style='margin-bottom:2px'>"_s + esc(object.value(u"kind").toString()) + u" "_s +
                   esc(metadata.value(u"name").toString()) + u"</h2>"_s;
    const QString created = esc(ago(metadata.value(u"creationTimestamp").toString()));
    html += u"<p style='color:#616161'>"_s +
            (ns.isEmpty() ? tr("created %1").arg(created)
                          : tr("Namespace %1 · created %2").arg(esc(ns), created)) +
            u"</p>"_s;
    if (!note.isEmpty())
        html += callout(tr("Attention"), note, u"#fff3e0"_s);
    if (object.value(u"kind").toString() == u"Pod") {
        const QString why = kube::explainPod(object, around);
        if (!why.isEmpty())
            html += callout(tr("Why this pod is not running"), why, u"#ffebee"_s);
    }
    const QJsonObject status = object.value(u"status").toObject();
    html += conditionsHtml(status);
    html += containersHtml(status);
    html += eventsHtml(object, around.events);
    return html;
}

} // namespace tdkube::ui
