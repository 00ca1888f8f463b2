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
}

namespace tdkube::ui {

class OperationView;

// A resumed operation in its own window: the OperationView over an Executor that this dialog owns
// and that continues the journal where it stopped. Closing it while the operation runs stops it
// where it is (after asking); the journal keeps it for the next offer.
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
    ops::Journal m_journal;
    ops::Executor *m_executor = nullptr;
    OperationView *m_view = nullptr;
    QPushButton *m_close = nullptr;
};

// The operations of one kube context that did not finish (tdkube was killed, the machine rebooted,
// a step failed), each as a bar across the top of the main window: what it was, where it stopped,
// "Resume" and "Abandon". Non-modal: the rest of the window stays usable. Journals of other contexts
// are not offered here: they are resumed through their own context.
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
    void addOffer(const ops::Journal &journal);
    void removeOffer(const QString &id);
    int indexOf(const QString &id) const;

    QPointer<kube::KubeClient> m_client;
    QPointer<taos::PasswordStore> m_passwords;
    QString m_context;
    int m_pollIntervalMs = 1000;
    QVBoxLayout *m_layout = nullptr;
    QList<Offer> m_offers;
};

// "An operation did not finish: Scale tdengine in from 5 to 3 dnodes (6 steps), stopped during step 2
// of 6: drop dnode 5 (pod tdengine-3). Started 2026-11-28 04:28 UTC."
QString resumeOfferText(const ops::Journal &journal);

} // namespace tdkube::ui
