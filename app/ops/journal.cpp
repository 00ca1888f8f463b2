#include "ops/journal.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

#include <algorithm>

namespace tdkube::ops {

using namespace Qt::StringLiterals;

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Journal)
};

constexpr int kFormatVersion = 1;

constexpr std::pair<Journal::StepState, const char16_t *> kStateNames[] = {
    {Journal::StepState::Pending, u"pending"},
    {Journal::StepState::Running, u"running"},
    {Journal::StepState::Done, u"done"},
    {Journal::StepState::Failed, u"failed"},
};

constexpr std::pair<Journal::Status, const char16_t *> kStatusNames[] = {
    {Journal::Status::Running, u"running"},
    {Journal::Status::Finished, u"finished"},
    {Journal::Status::Abandoned, u"abandoned"},
};

template<typename Enum, std::size_t N>
QString nameOf(const std::pair<Enum, const char16_t *> (&names)[N], Enum value)
{
    for (const auto &[candidate, name] : names) {
        if (candidate == value)
            return QString::fromUtf16(name);
    }
    return {};
}

template<typename Enum, std::size_t N>
Enum valueOf(const std::pair<Enum, const char16_t *> (&names)[N], const QString &name, Enum fallback)
{
    for (const auto &[candidate, text] : names) {
        if (name == QStringView(text))
            return candidate;
    }
    return fallback;
}

QString timeText(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QDateTime timeFrom(const QJsonValue &value)
{
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

// Time first, so that a directory listing sorts by age; the random part keeps two operations
// started in the same second (by two tdkube instances) apart.
QString newId()
{
    const QString time = QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd'T'HHmmss'Z'"_s);
    return time + u'-' + QString::number(QRandomGenerator::global()->generate(), 16).rightJustified(8, u'0');
}

} // namespace

QString stepStateName(Journal::StepState state)
{
    return nameOf(kStateNames, state);
}

QString Journal::directory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/operations"_s;
}

QString Journal::path() const
{
    return directory() + u'/' + m_id + u".json"_s;
}

Journal Journal::create(const Plan &plan, QString *error)
{
    Journal journal;
    journal.m_id = newId();
    journal.m_plan = plan;
    journal.m_created = QDateTime::currentDateTimeUtc();
    journal.m_steps.resize(plan.steps.size());
    if (!journal.save(error))
        return {};
    return journal;
}

Journal Journal::adopt(const Journal &recorded, const QString &context, QString *error)
{
    // The id becomes a file name here: one written by anybody who may write ConfigMaps must not climb out
    // of the journal folder.
    static const QRegularExpression kId(u"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$"_s);
    if (!kId.match(recorded.id()).hasMatch()) {
        if (error)
            *error =
                Text::tr("The recorded operation's id \"%1\" is not one tdkube writes; it was not taken.")
                    .arg(recorded.id().left(80));
        return {};
    }
    Journal journal = recorded;
    journal.m_observer = {};
    journal.m_plan.context = context;
    if (!journal.save(error))
        return {};
    return journal;
}

Journal Journal::load(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = Text::tr("Could not read the operation journal %1: %2.").arg(path, file.errorString());
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    Journal journal = fromJson(document.object());
    if (!journal.isValid() && error) {
        *error =
            Text::tr("The operation journal %1 is not one tdkube can read (%2). Move it away; the cluster "
                     "itself is unchanged by this.")
                .arg(path, parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                        : Text::tr("no operation id"));
    }
    return journal;
}

QList<Journal> Journal::unfinished()
{
    const QDir dir(directory());
    QList<Journal> journals;
    for (const QString &name : dir.entryList({u"*.json"_s}, QDir::Files, QDir::Name)) {
        Journal journal = load(dir.filePath(name));
        if (journal.isValid() && journal.status() == Status::Running)
            journals.append(std::move(journal));
    }
    std::stable_sort(journals.begin(), journals.end(),
                     [](const Journal &a, const Journal &b) { return a.m_created < b.m_created; });
    return journals;
}

int Journal::resumeIndex() const
{
    for (qsizetype i = 0; i < m_steps.size(); ++i) {
        if (m_steps.at(i).state != StepState::Done)
            return int(i);
    }
    return int(m_steps.size());
}

QString Journal::whereStopped() const
{
    if (m_status == Status::Finished) {
        //: Said of an operation ("Operation %1 is finished")
        return Text::tr("finished");
    }
    if (m_status == Status::Abandoned) {
        //: Said of an operation ("Operation %1 is abandoned")
        return Text::tr("abandoned");
    }
    const int index = resumeIndex();
    const int total = int(m_steps.size());
    if (index >= total)
        return Text::tr("stopped after its last step, before it was marked finished");
    const QString title = m_plan.steps.value(index).title;
    const StepRecord &record = m_steps.at(index);
    switch (record.state) {
    case StepState::Running:
        return Text::tr("stopped during step %1 of %2: %3").arg(index + 1).arg(total).arg(title);
    case StepState::Failed:
        return Text::tr("failed at step %1 of %2: %3: %4")
            .arg(index + 1)
            .arg(total)
            .arg(title, record.message);
    case StepState::Pending:
    case StepState::Done:
        break;
    }
    return Text::tr("stopped before step %1 of %2: %3").arg(index + 1).arg(total).arg(title);
}

bool Journal::setRowCounts(const QMap<QString, qint64> &counts, QString *error)
{
    m_rowCounts = counts;
    m_rowCountsRecorded = true;
    return save(error);
}

bool Journal::markRunning(int step, QString *error)
{
    return mark(step, StepState::Running, {}, error);
}

bool Journal::markDone(int step, const QString &message, QString *error)
{
    return mark(step, StepState::Done, message, error);
}

bool Journal::markFailed(int step, const QString &message, QString *error)
{
    return mark(step, StepState::Failed, message, error);
}

bool Journal::mark(int step, StepState state, const QString &message, QString *error)
{
    if (step < 0 || step >= m_steps.size()) {
        if (error)
            *error = Text::tr("Step %1 is not in operation %2 (it has %3 steps).")
                         .arg(step + 1)
                         .arg(m_id)
                         .arg(m_steps.size());
        return false;
    }
    StepRecord &record = m_steps[step];
    record.state = state;
    record.message = message;
    if (state == StepState::Running) {
        record.started = QDateTime::currentDateTimeUtc();
        record.ended = {};
    } else {
        record.ended = QDateTime::currentDateTimeUtc();
    }
    return save(error);
}

bool Journal::finish(QString *error)
{
    m_status = Status::Finished;
    return save(error);
}

bool Journal::abandon(QString *error)
{
    m_status = Status::Abandoned;
    return save(error);
}

bool Journal::discard()
{
    const bool removed = QFile::remove(path());
    if (m_observer)
        m_observer(*this, true);
    m_id.clear();
    return removed;
}

bool Journal::save(QString *error) const
{
    if (!QDir().mkpath(directory())) {
        if (error)
            *error =
                Text::tr("Could not create the folder %1 for operation journals. Check that it is writable "
                         "(and the disk not full), then try again.")
                    .arg(directory());
        return false;
    }
    QSaveFile file(path());
    const QByteArray bytes = QJsonDocument(toJson()).toJson(QJsonDocument::Indented);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error =
                Text::tr("Could not write the operation journal %1: %2. Without it, the operation could not "
                         "be resumed after a crash, so it does not go on. Free disk space or fix the "
                         "folder's permissions, then resume it.")
                    .arg(path(), file.errorString());
        return false;
    }
    if (m_observer)
        m_observer(*this, false);
    return true;
}

QJsonObject Journal::toJson() const
{
    QJsonArray steps;
    for (const StepRecord &record : m_steps) {
        steps.append(QJsonObject{{u"state"_s, stepStateName(record.state)},
                                 {u"started"_s, timeText(record.started)},
                                 {u"ended"_s, timeText(record.ended)},
                                 {u"message"_s, record.message}});
    }
    QJsonObject rows;
    for (auto it = m_rowCounts.cbegin(); it != m_rowCounts.cend(); ++it)
        rows.insert(it.key(), QString::number(it.value())); // a string: JSON doubles lose int64s
    QJsonObject json{{u"version"_s, kFormatVersion},
                     {u"id"_s, m_id},
                     {u"status"_s, nameOf(kStatusNames, m_status)},
                     {u"created"_s, timeText(m_created)},
                     {u"plan"_s, m_plan.toJson()},
                     {u"steps"_s, steps}};
    if (m_rowCountsRecorded)
        json.insert(u"rowCounts"_s, rows);
    return json;
}

Journal Journal::fromJson(const QJsonObject &json)
{
    Journal journal;
    journal.m_id = json.value(u"id").toString();
    journal.m_status = valueOf(kStatusNames, json.value(u"status").toString(), Status::Running);
    journal.m_created = timeFrom(json.value(u"created"));
    journal.m_plan = Plan::fromJson(json.value(u"plan").toObject());
    for (const QJsonValue &value : json.value(u"steps").toArray()) {
        const QJsonObject step = value.toObject();
        journal.m_steps.append(
            StepRecord{valueOf(kStateNames, step.value(u"state").toString(), StepState::Pending),
                       timeFrom(step.value(u"started")), timeFrom(step.value(u"ended")),
                       step.value(u"message").toString()});
    }
    // A journal cut short by hand must not run steps it has no record for.
    journal.m_steps.resize(journal.m_plan.steps.size());
    journal.m_rowCountsRecorded = json.contains(u"rowCounts");
    const QJsonObject rows = json.value(u"rowCounts").toObject();
    for (auto it = rows.constBegin(); it != rows.constEnd(); ++it)
        journal.m_rowCounts.insert(it.key(), it.value().toString().toLongLong());
    return journal;
}

} // namespace tdkube::ops
