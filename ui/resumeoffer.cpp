#include "resumeoffer.h"

#include "kube/kubeclient.h"
#include "operationview.h"
#include "ops/clusterrecord.h"
#include "ops/executor.h"
#include "taos/passwordstore.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

QString resumeOfferText(const ops::Journal &journal)
{
    const ops::Plan &plan = journal.plan();
    return ResumeOffers::tr("An operation did not finish: %1 in namespace %2, %3. Started %4.")
        .arg(plan.summary(), plan.ns, journal.whereStopped(),
             journal.created().toUTC().toString(u"yyyy-MM-dd HH:mm 'UTC'"_s));
}

QString endedElsewhereText(const ops::Journal &journal, const QString &runBy)
{
    const QString text =
        journal.status() == ops::Journal::Status::Abandoned
            ? ResumeOffers::tr(
                  "Operation %1 (%2) was abandoned on another workstation by %3 (recorded in the "
                  "cluster).")
            : ResumeOffers::tr("Operation %1 (%2) was finished on another workstation by %3 (recorded in the "
                               "cluster).");
    return text.arg(journal.id(), journal.plan().summary(), runBy);
}

// --- OperationDialog ---------------------------------------------------------------------------

OperationDialog::OperationDialog(kube::KubeClient *client, taos::PasswordStore *passwords,
                                 const ops::Journal &journal, int pollIntervalMs, QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_journal(journal)
    , m_executor(new ops::Executor(client, passwords, this))
{
    setWindowTitle(tr("Resuming: %1").arg(journal.plan().summary()));
    resize(900, 640);
    m_executor->setPollInterval(pollIntervalMs);
    auto *layout = new QVBoxLayout(this);
    m_where = new QLabel(
        tr("Operation %1 %2; it continues from there.").arg(journal.id(), journal.whereStopped()), this);
    m_where->setObjectName(u"operationWhere"_s);
    m_where->setWordWrap(true);
    layout->addWidget(m_where);
    m_view = new OperationView(this);
    m_view->setObjectName(u"operationView"_s);
    layout->addWidget(m_view, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_close = buttons->button(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &OperationDialog::reject);
}

OperationDialog::~OperationDialog() = default;

void OperationDialog::resume()
{
    m_view->follow(m_executor, m_journal.plan(), m_journal.steps());
    if (!m_client) {
        m_executor->resume(m_journal);
        return;
    }
    ops::ClusterRecord::fetch(
        m_client, m_journal.plan().ns, m_journal.id(), this,
        [this](const ops::RecordedOperation &recorded, int, const QString &) { learned(recorded); });
}

void OperationDialog::learned(const ops::RecordedOperation &recorded)
{
    if (recorded.isValid() && ops::isAhead(recorded.journal, m_journal)) {
        QString error;
        const ops::Journal adopted = ops::Journal::adopt(recorded.journal, m_journal.plan().context, &error);
        if (adopted.isValid() && adopted.status() != ops::Journal::Status::Running) {
            m_journal = adopted;
            m_where->setText(endedElsewhereText(adopted, recorded.runBy) + u' ' +
                             tr("Nothing is left to do here."));
            m_view->hide();
            return;
        }
        if (adopted.isValid()) {
            m_journal = adopted;
            m_where->setText(tr("Operation %1 %2, as the cluster's record says (%3 ran it further than this "
                                "workstation's journal); it continues from there.")
                                 .arg(adopted.id(), adopted.whereStopped(), recorded.runBy));
            m_view->follow(m_executor, m_journal.plan(), m_journal.steps());
        }
        // A journal that could not be written here resumes as it was: every step checks the cluster first.
    }
    m_executor->resume(m_journal);
}

void OperationDialog::reject()
{
    if (m_executor->isRunning() &&
        QMessageBox::question(this, tr("Stop the operation?"),
                              tr("The operation is still running. Closing stops it where it is (a step "
                                 "already sent to TDengine, such as drop dnode, still finishes in the "
                                 "cluster). Nothing is undone, and tdkube offers to resume it again.\n\n"
                                 "Close anyway?")) != QMessageBox::Yes)
        return;
    QDialog::reject();
}

// --- ResumeOffers ------------------------------------------------------------------------------

ResumeOffers::ResumeOffers(QWidget *parent)
    : QWidget(parent)
{
    m_layout = new QVBoxLayout(this);
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(2);
    hide();
}

ResumeOffers::~ResumeOffers() = default;

void ResumeOffers::setScope(kube::KubeClient *client, taos::PasswordStore *passwords, const QString &context)
{
    ++m_scopeGeneration;
    for (const Offer &offer : std::as_const(m_offers))
        delete offer.frame;
    m_offers.clear();
    for (const Notice &notice : std::as_const(m_notices))
        delete notice.frame;
    m_notices.clear();
    m_client = client;
    m_passwords = passwords;
    m_context = context;
    if (client) {
        for (const ops::Journal &journal : ops::Journal::unfinished()) {
            if (journal.plan().context == context)
                addOffer(journal);
        }
        askCluster();
    }
    showIfAny();
}

void ResumeOffers::showIfAny()
{
    setVisible(!m_offers.isEmpty() || !m_notices.isEmpty());
}

// What the cluster records of the offered operations, once per namespace they ran in.
void ResumeOffers::askCluster()
{
    QStringList namespaces;
    for (const Offer &offer : std::as_const(m_offers)) {
        if (!namespaces.contains(offer.journal.plan().ns))
            namespaces.append(offer.journal.plan().ns);
    }
    const int generation = m_scopeGeneration;
    for (const QString &ns : std::as_const(namespaces)) {
        // Unreadable records leave the offers as this workstation knows them.
        ops::ClusterRecord::list(
            m_client, ns, this,
            [this, generation](const QList<ops::RecordedOperation> &records, const QString &error) {
                if (generation == m_scopeGeneration && error.isEmpty())
                    learn(records);
            });
    }
}

void ResumeOffers::learn(const QList<ops::RecordedOperation> &records)
{
    for (const ops::RecordedOperation &record : records) {
        const int index = indexOf(record.journal.id());
        if (index < 0 || !ops::isAhead(record.journal, m_offers.at(index).journal))
            continue;
        const ops::Journal local = m_offers.at(index).journal;
        QString error;
        const ops::Journal adopted = ops::Journal::adopt(record.journal, local.plan().context, &error);
        if (!adopted.isValid()) {
            m_offers[index].label->setText(
                resumeOfferText(local) + u' ' +
                tr("The cluster's record of it went further, but could not be written here: %1").arg(error));
            continue;
        }
        if (adopted.status() != ops::Journal::Status::Running) {
            removeOffer(adopted.id());
            addNotice(adopted.id(), endedElsewhereText(adopted, record.runBy));
            continue;
        }
        m_offers[index].journal = adopted;
        m_offers[index].label->setText(resumeOfferText(adopted) + u' ' +
                                       tr("Another workstation (%1) ran it further since: this is where the "
                                          "cluster's record says it is.")
                                           .arg(record.runBy));
    }
    showIfAny();
}

void ResumeOffers::addNotice(const QString &id, const QString &text)
{
    Notice notice;
    notice.id = id;
    notice.frame = new QFrame(this);
    notice.frame->setObjectName(u"operationNotice"_s);
    notice.frame->setStyleSheet(
        u"QFrame#operationNotice { background:#e3f2fd; border:1px solid #90caf9; }"_s);
    auto *row = new QHBoxLayout(notice.frame);
    notice.label = new QLabel(text, notice.frame);
    notice.label->setObjectName(u"operationNoticeText"_s);
    notice.label->setWordWrap(true);
    notice.label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *dismiss = new QPushButton(tr("Dismiss"), notice.frame);
    dismiss->setObjectName(u"dismissNotice"_s);
    row->addWidget(notice.label, 1);
    row->addWidget(dismiss);
    m_layout->addWidget(notice.frame);
    connect(dismiss, &QPushButton::clicked, this, [this, id] { removeNotice(id); });
    m_notices.append(notice);
}

void ResumeOffers::removeNotice(const QString &id)
{
    for (int i = 0; i < m_notices.size(); ++i) {
        if (m_notices.at(i).id == id) {
            m_notices.at(i).frame->deleteLater(); // its button is the sender
            m_notices.removeAt(i);
            break;
        }
    }
    showIfAny();
}

QString ResumeOffers::noticeText(const QString &id) const
{
    for (const Notice &notice : m_notices) {
        if (notice.id == id)
            return notice.label->text();
    }
    return {};
}

QList<ops::Journal> ResumeOffers::operations() const
{
    QList<ops::Journal> journals;
    for (const Offer &offer : m_offers)
        journals.append(offer.journal);
    return journals;
}

QString ResumeOffers::offerText(const QString &id) const
{
    const int index = indexOf(id);
    return index < 0 ? QString() : m_offers.at(index).label->text();
}

void ResumeOffers::addOffer(const ops::Journal &journal)
{
    Offer offer;
    offer.journal = journal;
    offer.frame = new QFrame(this);
    offer.frame->setObjectName(u"resumeOffer"_s);
    offer.frame->setStyleSheet(u"QFrame#resumeOffer { background:#fff8e1; border:1px solid #ffca28; }"_s);
    auto *row = new QHBoxLayout(offer.frame);
    offer.label = new QLabel(resumeOfferText(journal), offer.frame);
    offer.label->setObjectName(u"resumeOfferText"_s);
    offer.label->setWordWrap(true);
    offer.label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *resumeButton = new QPushButton(tr("Resume"), offer.frame);
    resumeButton->setObjectName(u"resumeOperation"_s);
    resumeButton->setToolTip(tr("Continue from where it stopped; each step first checks the cluster"));
    auto *abandonButton = new QPushButton(tr("Abandon…"), offer.frame);
    abandonButton->setObjectName(u"abandonOperation"_s);
    row->addWidget(offer.label, 1);
    row->addWidget(resumeButton);
    row->addWidget(abandonButton);
    m_layout->addWidget(offer.frame);
    const QString id = journal.id();
    connect(resumeButton, &QPushButton::clicked, this, [this, id] { resume(id); });
    connect(abandonButton, &QPushButton::clicked, this, [this, id] { abandon(id); });
    m_offers.append(offer);
}

void ResumeOffers::removeOffer(const QString &id)
{
    const int index = indexOf(id);
    if (index < 0)
        return;
    m_offers.at(index).frame->deleteLater(); // its button may be the sender
    m_offers.removeAt(index);
    showIfAny();
}

int ResumeOffers::indexOf(const QString &id) const
{
    for (int i = 0; i < m_offers.size(); ++i) {
        if (m_offers.at(i).journal.id() == id)
            return i;
    }
    return -1;
}

OperationDialog *ResumeOffers::resume(const QString &id)
{
    const int index = indexOf(id);
    if (index < 0 || !m_client)
        return nullptr;
    // Read again: the file is the truth (another tdkube may have moved it on since the offer).
    QString error;
    const ops::Journal journal = ops::Journal::load(m_offers.at(index).journal.path(), &error);
    if (!journal.isValid()) {
        m_offers[index].label->setText(
            tr("Operation %1 cannot be resumed: its journal could not be read (%2). Abandon it, or look at "
               "the file.")
                .arg(id, error));
        return nullptr;
    }
    removeOffer(id);
    auto *dialog = new OperationDialog(m_client, m_passwords, journal, m_pollIntervalMs, window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    dialog->resume();
    return dialog;
}

bool ResumeOffers::abandon(const QString &id, bool confirm)
{
    const int index = indexOf(id);
    if (index < 0)
        return false;
    ops::Journal journal = m_offers.at(index).journal;
    if (confirm &&
        QMessageBox::question(
            this, tr("Abandon the operation?"),
            tr("%1\n\nAbandoning undoes nothing: the cluster stays as the operation left it (%2), and tdkube "
               "will no longer offer to resume it. Look at the cluster page before you do anything else: a "
               "half-done scale-in may have dropped dnodes whose pods still run.\n\nAbandon it?")
                .arg(journal.plan().summary(), journal.whereStopped())) != QMessageBox::Yes)
        return false;
    QString error;
    if (!journal.abandon(&error)) {
        m_offers[index].label->setText(tr("Could not abandon operation %1: %2").arg(id, error));
        return false;
    }
    // So that other workstations no longer offer to take it over; a write that fails changes nothing here.
    if (m_client) {
        auto *record = new ops::ClusterRecord(m_client, this);
        connect(record, &ops::ClusterRecord::idle, record, &QObject::deleteLater);
        record->save(journal);
    }
    removeOffer(id);
    return true;
}

} // namespace tdkube::ui
