#pragma once

#include "ops/journal.h"

#include <QDialog>
#include <QFrame>
#include <QList>
#include <QPointer>
#include <QString>
#include <QWidget>

class QLabel;
class QPushButton;
class QVBoxLayout;

namespace tdkube::kube {
class KubeClient;
}
namespace tdkube::taos {
class PasswordStore;
}
namespace tdkube::ops {
class Executor;
struct RecordedOperation;
} // namespace tdkube::ops

namespace tdkube::ui {

class OperationView;

// A resumed operation in its own window: the OperationView over an Executor that this dialog owns
// and that continues the journal where it stopped. Closing it while the operation runs stops it
// where it is (after asking); the journal keeps it for the next offer.
//
// resume() reads the operation's record in the cluster first (ops::ClusterRecord::fetch): when it went
// further than the journal (another workstation ran it since: ops::isAhead), it replaces this
// workstation's journal (ops::Journal::adopt) and the operation continues from there; one the record says
// ended is not run again. No record, or one that cannot be read, changes nothing.
class OperationDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OperationDialog)

public:
    // `client` and `passwords` must outlive the dialog.
    OperationDialog(kube::KubeClient *client, taos::PasswordStore *passwords, const ops::Journal &journal,
                    int pollIntervalMs, QWidget *parent = nullptr);
    ~OperationDialog() override;

    void resume();
    OperationView *view() const { return m_view; }
    ops::Executor *executor() const { return m_executor; }
    const ops::Journal &journal() const { return m_journal; }

protected:
    void reject() override;

private:
    void learned(const ops::RecordedOperation &recorded);

    QPointer<kube::KubeClient> m_client;
    ops::Journal m_journal;
    ops::Executor *m_executor = nullptr;
    QLabel *m_where = nullptr;
    OperationView *m_view = nullptr;
    QPushButton *m_close = nullptr;
};

// The operations of one kube context that did not finish (tdkube was killed, the machine rebooted,
// a step failed), each as a bar across the top of the main window: what it was, where it stopped,
// "Resume" and "Abandon". Non-modal: the rest of the window stays usable. Journals of other contexts
// are not offered here: they are resumed through their own context.
//
// The offers then learn from the cluster (ops::ClusterRecord::list, once per namespace): a journal whose
// record went further (another workstation took the operation over) is replaced by the record
// (ops::Journal::adopt); when the record says it ended, the offer becomes a notice saying who finished
// (or abandoned) it, to be dismissed; else the offer says where the record says it is. Abandoning writes
// the cluster's record too.
class ResumeOffers final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResumeOffers)

public:
    explicit ResumeOffers(QWidget *parent = nullptr);
    ~ResumeOffers() override;

    // Reads the journals again (Journal::unfinished()) and offers those of `context`. With no client
    // (no context open) nothing is offered. `client` and `passwords` must outlive the offers.
    void setScope(kube::KubeClient *client, taos::PasswordStore *passwords, const QString &context);
    void setPollInterval(int ms) { m_pollIntervalMs = ms; }

    // The journals offered now, oldest first.
    QList<ops::Journal> operations() const;
    // The text of the offer of operation `id` ("An operation did not finish: ..."), empty if none.
    QString offerText(const QString &id) const;
    // The notice that replaced the offer of operation `id` ("Operation X (...) was finished on another
    // workstation by ..."), empty if none.
    QString noticeText(const QString &id) const;
    // "Resume": opens the operation's progress and continues it. Null if `id` is not offered.
    OperationDialog *resume(const QString &id);
    // "Abandon": after a confirmation that says nothing is undone (when `confirm`), the journal is
    // marked abandoned and no longer offered. False when not confirmed or not written.
    bool abandon(const QString &id, bool confirm = true);

private:
    struct Offer
    {
        ops::Journal journal;
        QFrame *frame = nullptr;
        QLabel *label = nullptr;
    };
    struct Notice
    {
        QString id;
        QFrame *frame = nullptr;
        QLabel *label = nullptr;
    };
    void addOffer(const ops::Journal &journal);
    void removeOffer(const QString &id);
    int indexOf(const QString &id) const;
    void askCluster();
    void learn(const QList<ops::RecordedOperation> &records);
    void addNotice(const QString &id, const QString &text);
    void removeNotice(const QString &id);
    void showIfAny();

    QPointer<kube::KubeClient> m_client;
    QPointer<taos::PasswordStore> m_passwords;
    QString m_context;
    int m_pollIntervalMs = 1000;
    QVBoxLayout *m_layout = nullptr;
    QList<Offer> m_offers;
    QList<Notice> m_notices;
    int m_scopeGeneration = 0; // bumped by setScope(): answers about an older scope are dropped
};

// "An operation did not finish: Scale tdengine in from 5 to 3 dnodes (6 steps), stopped during step 2
// of 6: drop dnode 5 (pod tdengine-3). Started 2026-11-28 04:28 UTC."
QString resumeOfferText(const ops::Journal &journal);
// "Operation X (Scale tdengine out from 3 to 4 dnodes (4 steps)) was finished on another workstation by
// alice@laptop (recorded in the cluster)." (abandoned likewise) for a journal that ended elsewhere.
QString endedElsewhereText(const ops::Journal &journal, const QString &runBy);

} // namespace tdkube::ui
