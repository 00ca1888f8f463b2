// The journal reader: an operation journal file as tdkube finds it on disk at start (possibly
// edited, truncated or from another version), loaded and described as the resume offer does, and
// written back as JSON.

#include "fuzzing.h"
#include "ops/journal.h"

#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace tdkube;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("operation.json"));
    {
        QFile file(path);
        fuzz::require(file.open(QIODevice::WriteOnly | QIODevice::Truncate), "scratch file writable");
        file.write(fuzz::bytes(data, size));
    }

    QString error;
    const ops::Journal journal = ops::Journal::load(path, &error);
    size_t sum = fuzz::consume(error);
    if (journal.isValid()) {
        fuzz::require(journal.resumeIndex() >= 0 && journal.resumeIndex() <= journal.steps().size(),
                      "resume index within the steps");
        sum += fuzz::consume(journal.whereStopped()) + fuzz::consume(journal.id());
        for (const ops::Journal::StepRecord &step : journal.steps())
            sum += fuzz::consume(step.message) + fuzz::consume(ops::stepStateName(step.state));
        // What tdkube writes back when it marks a step must read again as the same journal.
        const QJsonObject written = journal.toJson();
        const ops::Journal again = ops::Journal::fromJson(written);
        fuzz::require(again.isValid() && again.toJson() == written, "a journal written back reads the same");
    }
    fuzz::sink(sum);
    return 0;
}
