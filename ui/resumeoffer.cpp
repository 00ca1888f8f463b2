#include "resumeoffer.h"

#include "kube/kubeclient.h"
#include "operationview.h"
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

// --- OperationDialog ---------------------------------------------------------------------------

OperationDialog::OperationDialog(kube::KubeClient *client, taos::PasswordStore *passwords,
                                 const ops::Journal &journal, int pollIntervalMs, QWidget *parent)
    : QDialog(parent)
    , m_journal(journal)
    , m_executor(new ops::Executor(client, passwords, this))
{
    setWindowTitle(tr("Resuming: %1").arg(journal.plan().summary()));
    resize(900, 640);
    m_executor->setPollInterval(pollIntervalMs);
    auto *layout = new QVBoxLayout(this);
    auto *where = new QLabel(
        tr("Operation %1 %2; it continues from there.").arg(journal.id(), journal.whereStopped()), this);
    where->setWordWrap(true);
    layout->addWidget(where);
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
    for (const Offer &offer : std::as_const(m_offers))
        delete offer.frame;
    m_offers.clear();
    m_client = client;
    m_passwords = passwords;
    m_context = context;
    if (client) {
        for (const ops::Journal &journal : ops::Journal::unfinished()) {
            if (journal.plan().context == context)
                addOffer(journal);
        }
    }
    setVisible(!m_offers.isEmpty());
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
    setVisible(!m_offers.isEmpty());
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
    removeOffer(id);
    return true;
}

} // namespace tdkube::ui
