#include "deployprogresspage.h"

#include "deployreviewpage.h"
#include "deploywizard.h"
#include "kube/kubeclient.h"
#include "kube/objects.h"
#include "ops/clusterrecord.h"
#include "ops/planner.h"
#include "taos/clusterconnection.h"

#include <QCollator>
#include <QDateTime>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

namespace {

QString stateWaiting()
{
    return DeployProgressPage::tr("waiting");
}

QString stateRunning()
{
    return DeployProgressPage::tr("in progress");
}

QString stateDone()
{
    return DeployProgressPage::tr("done");
}

QString stateFailed()
{
    return DeployProgressPage::tr("failed");
}

QString stepKeyOf(const QJsonObject &object)
{
    return u"apply:"_s + object.value(u"kind").toString() + u'/' + kube::nameOf(object);
}

} // namespace

DeployProgressPage::DeployProgressPage(DeployWizard *wizard)
    : m_wizard(wizard)
{
    setTitle(tr("Deploying"));
    setSubTitle(tr("Each step is checked against the cluster before the next one starts."));
    auto *layout = new QVBoxLayout(this);
    m_result = new QLabel(this);
    m_result->setObjectName(u"result"_s);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_result);
    m_takeOver = new QPushButton(tr("Apply again, taking over the conflicting fields"), this);
    m_takeOver->setObjectName(u"takeOver"_s);
    m_takeOver->hide();
    layout->addWidget(m_takeOver, 0, Qt::AlignLeft);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    auto *top = new QSplitter(Qt::Horizontal, splitter);
    m_steps = new QTreeWidget(top);
    m_steps->setObjectName(u"steps"_s);
    m_steps->setHeaderLabels({tr("Step"), tr("State"), tr("Detail")});
    m_steps->setRootIsDecorated(false);
    m_steps->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_steps->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_pods = new QTableWidget(0, 3, top);
    m_pods->setObjectName(u"pods"_s);
    m_pods->setHorizontalHeaderLabels({tr("Pod"), tr("Status"), tr("Detail")});
    m_pods->horizontalHeader()->setStretchLastSection(true);
    m_pods->verticalHeader()->hide();
    m_pods->setEditTriggers(QAbstractItemView::NoEditTriggers);
    top->addWidget(m_steps);
    top->addWidget(m_pods);
    m_log = new QPlainTextEdit(splitter);
    m_log->setObjectName(u"log"_s);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    splitter->addWidget(top);
    splitter->addWidget(m_log);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);
    connect(m_takeOver, &QPushButton::clicked, this, [this] {
        m_takeOver->hide();
        m_finished = false;
        emit completeChanged();
        applyObjects(true);
    });
}

DeployProgressPage::~DeployProgressPage() = default;

void DeployProgressPage::initializePage()
{
    m_steps->clear();
    m_stepItems.clear();
    m_pods->setRowCount(0);
    m_log->clear();
    m_finished = m_succeeded = false;
    m_objects = m_wizard->reviewPage()->objects();
    m_statefulSet.clear();
    for (const QJsonObject &object : std::as_const(m_objects)) {
        if (object.value(u"kind").toString() == u"StatefulSet") {
            m_statefulSet = kube::nameOf(object);
            m_replicas = kube::valueAt(object, u"spec.replicas"_s).toInt(1);
        }
    }
    const deploy::ClusterSpec &spec = m_wizard->spec();
    if (m_wizard->createNamespace())
        addStep(u"namespace"_s, tr("Create namespace %1").arg(spec.ns));
    for (const QJsonObject &object : std::as_const(m_objects))
        addStep(stepKeyOf(object),
                tr("Apply %1 %2").arg(object.value(u"kind").toString(), kube::nameOf(object)));
    addStep(u"Pods"_s, tr("Pods Ready"));
    addStep(u"Dnodes"_s, tr("Dnodes ready"));
    if (spec.haMnodes && m_replicas >= 3)
        addStep(u"Mnodes"_s, tr("Mnodes on dnodes 2 and 3"));
    addStep(u"Verify"_s, tr("Verify dnodes and mnodes"));
    m_result->setText(tr("Applying to %1 in context %2…").arg(spec.ns, m_wizard->environment().context));
    m_result->setStyleSheet({});
    if (m_wizard->createNamespace())
        createNamespace();
    else
        chooseRun(m_wizard->reviewPage()->force());
}

bool DeployProgressPage::isComplete() const
{
    return m_finished;
}

QString DeployProgressPage::resultText() const
{
    return m_result->text();
}

QString DeployProgressPage::logText() const
{
    return m_log->toPlainText();
}

void DeployProgressPage::addStep(const QString &key, const QString &title)
{
    auto *item = new QTreeWidgetItem(m_steps, {title, stateWaiting(), {}});
    item->setToolTip(0, title);
    m_stepItems.insert(key, item);
}

void DeployProgressPage::setStep(const QString &key, const QString &state, const QString &detail)
{
    QTreeWidgetItem *item = m_stepItems.value(key);
    if (!item)
        return;
    item->setText(1, state);
    if (!detail.isNull())
        item->setText(2, detail);
    item->setToolTip(2, item->text(2));
    const QColor colour = state == stateFailed() ? QColor(0xb7, 0x1c, 0x1c)
                          : state == stateDone() ? QColor(0x1b, 0x5e, 0x20)
                                                 : palette().color(QPalette::Text);
    item->setForeground(1, colour);
}

void DeployProgressPage::log(const QString &line)
{
    m_log->appendPlainText(QDateTime::currentDateTime().toString(u"HH:mm:ss "_s) + line);
}

void DeployProgressPage::createNamespace()
{
    const QString ns = m_wizard->spec().ns;
    setStep(u"namespace"_s, stateRunning());
    log(tr("Creating namespace %1").arg(ns));
    deploy::createNamespace(m_wizard->environment().client, ns, this, [this, ns](const QString &error) {
        if (!error.isEmpty()) {
            setStep(u"namespace"_s, stateFailed(), error);
            finish(false, tr("Namespace %1 was not created: %2").arg(ns, error));
            return;
        }
        setStep(u"namespace"_s, stateDone());
        log(tr("Namespace %1 created").arg(ns));
        chooseRun(m_wizard->reviewPage()->force());
    });
}

// A StatefulSet that does not exist yet is a new cluster: a recorded operation. One that exists (or
// that cannot be read: the apply then says why), or fields taken over from another manager, is applied.
void DeployProgressPage::chooseRun(bool force)
{
    kube::KubeClient *client = m_wizard->environment().client;
    const QString ns = m_wizard->spec().ns;
    if (force || m_statefulSet.isEmpty() || !client) {
        applyObjects(force);
        return;
    }
    client->get(kube::ResourceKind::statefulSets(), ns, m_statefulSet, this,
                [this, client, ns](const kube::KubeResponse &set) {
                    if (set.httpStatus != 404) {
                        applyObjects(false);
                        return;
                    }
                    client->list(kube::ResourceKind::persistentVolumeClaims(), ns, {}, this,
                                 [this](const kube::KubeResponse &claims) {
                                     QList<QJsonObject> items;
                                     for (const QJsonValue &item : claims.json().value(u"items").toArray())
                                         items.append(item.toObject());
                                     startOperation(items);
                                 });
                });
}

void DeployProgressPage::startOperation(const QList<QJsonObject> &claims)
{
    ops::DeployFacts facts;
    facts.context = m_wizard->environment().context;
    facts.ns = m_wizard->spec().ns;
    facts.objects = m_objects;
    facts.claims = claims;
    facts.haMnodes = m_wizard->spec().haMnodes;
    const ops::Plan plan = ops::planDeploy(facts);
    for (const ops::Finding &finding : plan.findings)
        log(tr("%1 (%2): %3 %4")
                .arg(ops::severityName(finding.severity), finding.code, finding.reason, finding.fix));
    if (plan.blocked()) {
        const ops::Finding &first =
            *std::find_if(plan.findings.cbegin(), plan.findings.cend(), [](const ops::Finding &f) {
                return f.severity == ops::Finding::Severity::Blocking;
            });
        finish(false, first.reason + u' ' + first.fix);
        return;
    }
    // The operation's steps replace the objects' and the stages'.
    for (auto it = m_stepItems.begin(); it != m_stepItems.end();) {
        if (it.key() == u"namespace") {
            ++it;
            continue;
        }
        delete it.value();
        it = m_stepItems.erase(it);
    }
    for (qsizetype i = 0; i < plan.steps.size(); ++i)
        addStep(u"step:%1"_s.arg(i), plan.steps.at(i).title);
    delete m_executor;
    m_cannotRun.clear();
    m_executor = new ops::Executor(m_wizard->environment().client, m_wizard->environment().passwords, this);
    connect(m_executor, &ops::Executor::stepStarted, this,
            [this](int index) { setStep(u"step:%1"_s.arg(index), stateRunning()); });
    connect(m_executor, &ops::Executor::stepProgress, this, [this](int index, const QString &text) {
        setStep(u"step:%1"_s.arg(index), stateRunning(), text);
        m_result->setText(tr("Waiting for %1").arg(text));
    });
    connect(m_executor, &ops::Executor::stepFinished, this,
            [this](int index, bool ok, const QString &message) {
                setStep(u"step:%1"_s.arg(index), ok ? stateDone() : stateFailed(), message);
                if (index == 0 && ok)
                    startPodsMonitor(); // the StatefulSet exists now
            });
    // The executor stamps its own lines.
    connect(m_executor, &ops::Executor::logLine, m_log, &QPlainTextEdit::appendPlainText);
    connect(m_executor, &ops::Executor::finished, this, [this](bool ok, const QString &message) {
        if (m_monitor)
            m_monitor->cancel();
        if (!ok && !m_cannotRun.isEmpty()) {
            // The StatefulSet cannot run as applied (its claims ask for what the cluster does not have, and
            // a claim template cannot be changed): no resume can finish this deploy.
            ops::Journal journal = m_executor->journal();
            QString error;
            if (journal.abandon(&error)) {
                m_executor->clusterRecord()->save(journal);
                finish(false, tr("%1 This deploy (operation %2) was abandoned: no resume can finish it.")
                                  .arg(m_cannotRun, journal.id()));
                return;
            }
            log(tr("Could not abandon operation %1: %2").arg(journal.id(), error));
        }
        finish(ok, message, false);
        if (ok)
            emit m_wizard->clusterDeployed(m_wizard->spec().ns, m_statefulSet);
    });
    m_executor->start(plan);
    if (m_executor && m_executor->isRunning())
        m_result->setText(
            tr("Operation %1: %2. If it stops half-way, the cluster's page offers to resume it.")
                .arg(m_executor->journal().id(), plan.summary()));
}

// Beside the operation's steps: each pod as it comes. A pod that cannot be scheduled for a reason that
// will not fix itself ends the operation's wait for the pods, with that reason.
void DeployProgressPage::startPodsMonitor()
{
    deploy::DeployTarget target;
    target.context = m_wizard->environment().context;
    target.ns = m_wizard->spec().ns;
    target.statefulSet = m_statefulSet;
    target.replicas = m_replicas;
    delete m_monitor;
    m_monitor = new deploy::DeployMonitor(m_wizard->environment().client, m_wizard->environment().passwords,
                                          target, this);
    m_monitor->setPodsOnly(true);
    connect(m_monitor, &deploy::DeployMonitor::podChanged, this, &DeployProgressPage::showPod);
    connect(m_monitor, &deploy::DeployMonitor::logLine, m_log, &QPlainTextEdit::appendPlainText);
    connect(m_monitor, &deploy::DeployMonitor::finished, this, [this](bool ok, const QString &message) {
        if (!ok && m_executor && m_executor->failWaitingStep(message))
            m_cannotRun = message;
    });
    m_monitor->start();
}

void DeployProgressPage::applyObjects(bool force)
{
    delete m_apply;
    m_apply = new deploy::ApplySet(m_wizard->environment().client, m_objects, m_wizard->spec().ns, this);
    for (const QJsonObject &object : std::as_const(m_objects))
        setStep(stepKeyOf(object), stateWaiting(), QString());
    if (!m_objects.isEmpty())
        setStep(stepKeyOf(m_objects.first()), stateRunning());
    connect(m_apply, &deploy::ApplySet::objectDone, this,
            [this](int index, const deploy::ObjectResult &result) {
                const QString key = stepKeyOf(m_objects.value(index));
                if (result.error.isEmpty() && result.conflicts.isEmpty()) {
                    setStep(key, stateDone(),
                            result.existed ? (result.unchanged ? tr("unchanged") : tr("changed"))
                                           : tr("created"));
                    log(tr("Applied %1 %2").arg(result.kind, result.name));
                    if (index + 1 < m_objects.size())
                        setStep(stepKeyOf(m_objects.at(index + 1)), stateRunning());
                    return;
                }
                QStringList lines;
                for (const deploy::FieldConflict &conflict : result.conflicts)
                    lines.append(tr("%1 is owned by %2").arg(conflict.field, conflict.manager));
                setStep(key, stateFailed(), lines.isEmpty() ? result.error : lines.join(u"; "_s));
                log(tr("%1 %2 was not applied: %3")
                        .arg(result.kind, result.name, lines.isEmpty() ? result.error : lines.join(u"; "_s)));
            });
    connect(m_apply, &deploy::ApplySet::finished, this, [this](bool ok) {
        if (ok) {
            startMonitor();
            return;
        }
        bool conflicts = false;
        QString error;
        for (const deploy::ObjectResult &result : m_apply->results()) {
            conflicts = conflicts || !result.conflicts.isEmpty();
            if (error.isEmpty() && !result.error.isEmpty())
                error = result.kind + u' ' + result.name + u": "_s + result.error;
        }
        m_takeOver->setVisible(conflicts);
        finish(false, conflicts
                          ? tr("Another field manager owns fields tdkube wants to set (see the steps). "
                               "Take them over only if the values tdkube applies are the ones you want.")
                          : tr("Apply stopped: %1. The objects before it were applied; fix the problem "
                               "and deploy again (applying is idempotent).")
                                .arg(error));
    });
    m_apply->apply(force);
}

void DeployProgressPage::startMonitor()
{
    if (m_statefulSet.isEmpty()) {
        finish(true,
               tr("Applied. There is no StatefulSet among the objects, so there is nothing to follow."));
        return;
    }
    deploy::DeployTarget target;
    target.context = m_wizard->environment().context;
    target.ns = m_wizard->spec().ns;
    target.statefulSet = m_statefulSet;
    target.replicas = m_replicas;
    target.haMnodes = m_wizard->spec().haMnodes;
    delete m_monitor;
    m_monitor = new deploy::DeployMonitor(m_wizard->environment().client, m_wizard->environment().passwords,
                                          target, this);
    setStep(u"Pods"_s, stateRunning());
    connect(m_monitor, &deploy::DeployMonitor::stageChanged, this,
            [this](deploy::DeployMonitor::Stage stage, const QString &text) {
                const QStringList order{u"Pods"_s, u"Dnodes"_s, u"Mnodes"_s, u"Verify"_s};
                const int reached = stage == deploy::DeployMonitor::Stage::Pods     ? 0
                                    : stage == deploy::DeployMonitor::Stage::Dnodes ? 1
                                    : stage == deploy::DeployMonitor::Stage::Mnodes ? 2
                                    : stage == deploy::DeployMonitor::Stage::Verify ? 3
                                                                                    : -1;
                if (reached < 0)
                    return;
                for (int i = 0; i < reached; ++i) {
                    if (m_stepItems.contains(order.at(i)) &&
                        m_stepItems.value(order.at(i))->text(1) != stateDone())
                        setStep(order.at(i), stateDone(), doneText(order.at(i)));
                }
                setStep(order.at(reached), stateRunning(), text);
                m_result->setText(text);
            });
    connect(m_monitor, &deploy::DeployMonitor::podChanged, this, &DeployProgressPage::showPod);
    connect(m_monitor, &deploy::DeployMonitor::dnodeJoined, this,
            [this](int id, const QString &endpoint, const QString &pod) {
                log(tr("dnode %1 joined: %2 (pod %3)").arg(id).arg(endpoint, pod));
            });
    // The monitor stamps its own lines.
    connect(m_monitor, &deploy::DeployMonitor::logLine, m_log, &QPlainTextEdit::appendPlainText);
    connect(m_monitor, &deploy::DeployMonitor::finished, this, [this](bool ok, const QString &message) {
        if (ok) {
            for (const QString &key : {u"Pods"_s, u"Dnodes"_s, u"Mnodes"_s}) {
                if (m_stepItems.contains(key) && m_stepItems.value(key)->text(1) != stateDone())
                    setStep(key, stateDone(), doneText(key));
            }
            setStep(u"Verify"_s, stateDone(), message);
        } else {
            for (auto it = m_stepItems.cbegin(); it != m_stepItems.cend(); ++it) {
                if (it.value()->text(1) == stateRunning())
                    setStep(it.key(), stateFailed(), message);
            }
        }
        finish(ok, message, false);
        if (ok)
            emit m_wizard->clusterDeployed(m_wizard->spec().ns, m_statefulSet);
    });
    m_monitor->start();
}

QString DeployProgressPage::doneText(const QString &stage) const
{
    if (stage == u"Pods")
        return tr("all %n pod(s) Ready", nullptr, m_replicas);
    if (stage == u"Dnodes")
        return tr("%n dnode(s) joined", nullptr, m_replicas);
    if (stage == u"Mnodes")
        return tr("mnodes created on dnodes 2 and 3");
    return {};
}

void DeployProgressPage::showPod(const deploy::PodProgress &pod)
{
    int row = 0;
    while (row < m_pods->rowCount() && m_pods->item(row, 0)->text() != pod.name)
        ++row;
    if (row == m_pods->rowCount()) {
        // In ordinal order, as kubectl lists them: tdengine-2 before tdengine-10.
        QCollator collator;
        collator.setNumericMode(true);
        row = 0;
        while (row < m_pods->rowCount() && collator.compare(m_pods->item(row, 0)->text(), pod.name) < 0)
            ++row;
        m_pods->insertRow(row);
        for (int column = 0; column < 3; ++column)
            m_pods->setItem(row, column, new QTableWidgetItem);
        m_pods->item(row, 0)->setText(pod.name);
    }
    m_pods->item(row, 1)->setText(pod.ready ? tr("Ready") : pod.status);
    m_pods->item(row, 1)->setForeground(pod.ready ? QColor(0x1b, 0x5e, 0x20)
                                                  : palette().color(QPalette::Text));
    m_pods->item(row, 2)->setText(pod.detail);
    m_pods->item(row, 2)->setToolTip(pod.detail);
    m_pods->resizeColumnToContents(0);
    m_pods->resizeColumnToContents(1);
}

void DeployProgressPage::finish(bool ok, const QString &message, bool logIt)
{
    m_finished = true;
    m_succeeded = ok;
    m_result->setText(ok ? tr("✔ %1").arg(message) : tr("✘ %1").arg(message));
    m_result->setStyleSheet(ok ? u"QLabel { color: #1b5e20; font-weight: bold; }"_s
                               : u"QLabel { color: #b71c1c; font-weight: bold; }"_s);
    if (logIt)
        log(message);
    emit completeChanged();
    emit done(ok);
}

} // namespace tdkube::ui
