#pragma once

#include "podruntime.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>

#include <functional>

class QProcess;

namespace tdkube::sandbox {

// SIGKILL to `process` and to whatever it started (its process group: the runtime starts each
// child as a group leader).
void killProcessGroup(QProcess *process);

// taosAdapter of one pod that runs a real taosd (realtaosd.h): its REST API as taosadapter's
// controller/rest answers it (the Authorization check, /rest/sql[/DB][?tz=ZONE]; FACTS.md section
// 5) in front of a tdkube-taosbridge child that runs each statement on libtaos (taosbridge.cpp).
// The runtime configures the process (environment, process group, death with the sandbox); this
// class starts it, speaks its protocol (a JSON line each way) and kills it on stop().
class TaosAdapter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaosAdapter)

public:
    // Takes `process` (not started yet) as its child.
    explicit TaosAdapter(QProcess *process, QObject *parent = nullptr);
    ~TaosAdapter() override;

    // The bridge program: built next to tdkube-sandbox.
    static QString program();
    void start(const QString &libtaos, const QString &configDir);
    bool isRunning() const { return m_running; }

    // One request to port 6041, answered as taosAdapter does; 502 when the bridge went away.
    void serve(const HttpRequest &request, PodRuntime::HttpDone done);
    // SIGKILL; requests in flight are answered 502 unless `quietly` (the sandbox is going away).
    void stop(bool quietly = false);

signals:
    // A line for the container log (the bridge's stderr, its exit).
    void logLine(const QString &text);

private:
    using Done = std::function<void(int status, const QByteArray &body)>;
    void call(const QJsonObject &request, Done done);
    void readAnswers();
    void failCalls();

    QProcess *m_process;
    QByteArray m_buffer;
    qint64 m_nextCall = 1;
    QHash<qint64, Done> m_calls;
    bool m_running = false;
};

} // namespace tdkube::sandbox
