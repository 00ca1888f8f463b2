#pragma once

#include "kube/resourcewatch.h"
#include "operationrecordmodel.h"
#include "ops/clusterrecord.h"
#include "ops/lease.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QWidget>

class QHBoxLayout;
class QLabel;
class QPushButton;
class QSpinBox;
class QSplitter;
class QTableView;
class QTableWidget;

namespace tdkube::kube {
class KubeClient;
}
namespace tdkube::taos {
class PasswordStore;
}

namespace tdkube::ui {

class OperationDialog;

// The cluster page's "Operations" tab: what the cluster records of every operation run on it, from any
// workstation (ops::ClusterRecord), kept live by a watch of those records while the page is shown. A line
// says how many did not finish and who ran them last; unfinished rows stand out. Below, the selected
// operation's steps with their times and messages. "Take over…" continues an unfinished one here: it
// waits while another workstation's lease on the StatefulSet has not expired (that workstation may still
// be running it), asks, writes the record as this workstation's journal (ops::Journal::adopt) and resumes
// it in an OperationDialog. The history kept in the cluster (ops::ClusterRecord::historyLimit()) is set
// here too. Nothing here writes to the cluster: the executor does, once the person agreed.
class ClusterOperations final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterOperations)

public:
    explicit ClusterOperations(QWidget *parent = nullptr);
    ~ClusterOperations() override;

    // The records of StatefulSet `statefulSet` in `ns`, read with `client` (null: none; the watch stops);
    // `context` is this kubeconfig's name of the cluster, given to a journal taken over. `client` and
    // `passwords` must outlive the watch: call again with null before they go.
    void setCluster(kube::KubeClient *client, taos::PasswordStore *passwords, const QString &context,
                    const QString &ns, const QString &statefulSet);
    // Whether the records are watched now (the cluster page is shown); on by default.
    void setLive(bool live);
    void setPollInterval(int ms) { m_pollIntervalMs = ms; }

    QString statefulSet() const { return m_statefulSet; }
    OperationRecordModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QTableWidget *steps() const { return m_steps; }
    QSpinBox *historyBox() const { return m_history; }
    QPushButton *takeOverButton() const { return m_takeOver; }
    QPushButton *cancelTakeOverButton() const { return m_cancelTakeOver; }
    QString summaryText() const;
    // Why the records cannot be shown (the watch stopped or is reconnecting); empty while all is well.
    QString problemText() const;
    QString takeOverText() const;
    QString selectedId() const;
    void selectOperation(const QString &operationId);

    // "Take over…" on operation `operationId`: reads the lease, waits while it blocks, then asks.
    void takeOver(const QString &operationId);
    void cancelTakeOver();

signals:
    void unfinishedChanged(int count);
    // A taken-over operation runs in `dialog` (deleted when closed).
    void operationOpened(tdkube::ui::OperationDialog *dialog);

private:
    QHBoxLayout *buildSummaryRow();
    QSplitter *buildTables();
    QHBoxLayout *buildActions();
    void recordsChanged();
    void startWatch();
    void stopWatch();
    void showWatchState(kube::ResourceWatch::State state, const QString &reason);
    void showSummary();
    void showSteps();
    void updateButtons();
    const ops::RecordedOperation *takeOverRecord();
    void readLease();
    void leaseRead(const ops::LeaseRecord &lease, const QString &error);
    void tick();
    void confirmTakeOver();
    void proceed();
    void endTakeOver(const QString &text, bool error);

    QPointer<kube::KubeClient> m_client;
    QPointer<taos::PasswordStore> m_passwords;
    QString m_context;
    QString m_ns;
    QString m_statefulSet;
    bool m_live = true;
    int m_pollIntervalMs = 1000;
    kube::ResourceWatch *m_watch = nullptr;
    OperationRecordModel *m_model = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_problem = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_stepsTitle = nullptr;
    QTableWidget *m_steps = nullptr;
    QString m_shownId; // the operation whose steps are shown, as they were
    QList<ops::Journal::StepRecord> m_shownRecords;
    QSpinBox *m_history = nullptr;
    QPushButton *m_takeOver = nullptr;
    QLabel *m_takeOverStatus = nullptr;
    QPushButton *m_cancelTakeOver = nullptr;

    // The take-over under way: its operation, the lease that keeps it waiting, a tick per second.
    QString m_takingOver;
    ops::LeaseRecord m_blockingLease;
    QTimer m_countdown;
    int m_takeOverGeneration = 0; // bumped by each take-over and cancel: stale answers are dropped
};

} // namespace tdkube::ui
