#pragma once

#include "ops/plan.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include <functional>

namespace tdkube::ops {

// The record of one operation on disk, so that it survives tdkube being killed half-way: one JSON
// file per operation in <AppDataLocation>/operations/<id>.json holding the plan (which names the
// context, namespace and StatefulSet), each step's state with its timestamps and last message, the
// row counts taken before the first step, and the operation's status. Every change is written at
// once and atomically (QSaveFile: a crash leaves the old file or the new one, never half of one),
// and before the change takes effect in the cluster: a step is recorded `running` before it starts.
// Nothing secret is written (no password, token or key: plans hold none).
//
// A value type: copies refer to the same file, and the last write wins. Writes return false with
// `error` set (what, where and why) when the file cannot be written.
class Journal
{
public:
    enum class StepState { Pending, Running, Done, Failed };
    // Running: not finished (a failed step leaves it Running, so that it can be resumed once the
    // cause is fixed). Finished: every step done. Abandoned: a person chose not to resume it.
    enum class Status { Running, Finished, Abandoned };

    struct StepRecord
    {
        StepState state = StepState::Pending;
        QDateTime started;
        QDateTime ended;
        QString message;
        bool operator==(const StepRecord &other) const = default;
    };

    Journal() = default;

    // A new operation for `plan`, written at once. Invalid (with `error` set) if it could not be.
    static Journal create(const Plan &plan, QString *error = nullptr);
    static Journal load(const QString &path, QString *error = nullptr);
    // `recorded` (another workstation's journal, as the cluster holds it: ClusterRecord) written here as
    // this workstation's journal of the same operation, replacing any older copy, with `context` (this
    // kubeconfig's name for the cluster) as its plan's context: how an operation is taken over, and how a
    // journal learns that another workstation finished it. Invalid (with `error` set) if not written.
    static Journal adopt(const Journal &recorded, const QString &context, QString *error = nullptr);
    // Operations neither finished nor abandoned, oldest first: what tdkube offers to resume at start.
    static QList<Journal> unfinished();
    // <AppDataLocation>/operations
    static QString directory();

    bool isValid() const { return !m_id.isEmpty(); }
    QString id() const { return m_id; } // "20261128T042851Z-3f9a1c2d"
    QString path() const;
    const Plan &plan() const { return m_plan; }
    Status status() const { return m_status; }
    QDateTime created() const { return m_created; }
    const QList<StepRecord> &steps() const { return m_steps; }
    // The first step that is not done: where a resume continues (steps().size() when all are).
    int resumeIndex() const;
    // For the resume offer: "stopped during step 4 of 8: drop dnode 5 (pod tdengine-4)", or
    // "failed at step 4 of 8: ...: <message>", "stopped before step 1 of 8: ...", "finished", "abandoned".
    QString whereStopped() const;

    // "database.table" -> rows, taken before the first step; empty until recorded.
    const QMap<QString, qint64> &rowCounts() const { return m_rowCounts; }
    bool hasRowCounts() const { return m_rowCountsRecorded; }
    bool setRowCounts(const QMap<QString, qint64> &counts, QString *error = nullptr);

    bool markRunning(int step, QString *error = nullptr);
    bool markDone(int step, const QString &message, QString *error = nullptr);
    bool markFailed(int step, const QString &message, QString *error = nullptr);
    bool finish(QString *error = nullptr);
    bool abandon(QString *error = nullptr);
    // Removes the file: for an operation that never ran a step (its lease was refused).
    bool discard();

    QJsonObject toJson() const;
    static Journal fromJson(const QJsonObject &json);

    // Called after every write that succeeded, and after discard() with `removed` true (the journal as
    // it was): how a copy of the journal kept elsewhere follows it (ClusterRecord). Copies share it;
    // load() and fromJson() give a journal none.
    using Observer = std::function<void(const Journal &journal, bool removed)>;
    void setObserver(Observer observer) { m_observer = std::move(observer); }

private:
    bool mark(int step, StepState state, const QString &message, QString *error);
    bool save(QString *error) const;

    QString m_id;
    Plan m_plan;
    Status m_status = Status::Running;
    QDateTime m_created;
    QList<StepRecord> m_steps;
    QMap<QString, qint64> m_rowCounts;
    bool m_rowCountsRecorded = false;
    Observer m_observer;
};

QString stepStateName(Journal::StepState state); // "pending", "running", "done", "failed"

} // namespace tdkube::ops
