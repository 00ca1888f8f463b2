#pragma once

#include "httpserver.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>

namespace tdkube::sandbox {

// What runs inside the sandbox's pods: the commands `exec` runs, the HTTP servers behind the
// pods' ports (reached through pods/proxy, services/proxy and portforward), and the container
// logs. The API server asks it; the TDengine simulator implements it for pods running a TDengine
// image, a plain shell for everything else.
//
// `pod` is always the pod object as the store holds it (metadata, spec with env, status).
class PodRuntime : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PodRuntime)

public:
    using QObject::QObject;
    ~PodRuntime() override = default;

    struct ExecResult
    {
        QByteArray stdoutData;
        QByteArray stderrData;
        int exitCode = 0;
    };
    using ExecDone = std::function<void(const ExecResult &)>;
    // Runs `argv` (as the client sent it, e.g. {"taos","-s","show dnodes"} or {"sh","-c","exit 3"})
    // in `container` of `pod`. `done` is called exactly once, possibly much later (drop dnode takes
    // simulated time); exit code 126/127 and a message on stderr when the command cannot run.
    virtual void exec(const QJsonObject &pod, const QString &container, const QStringList &argv,
                      const QByteArray &stdinData, ExecDone done) = 0;

    struct HttpReply
    {
        int status = 200;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QByteArray body;
    };
    using HttpDone = std::function<void(const HttpReply &)>;
    // Whether something listens on `port` of `pod` (a closed port refuses connections).
    virtual bool listens(const QJsonObject &pod, int port) const = 0;
    // Whether what listens there speaks HTTP (else a port-forward's bytes are taken and never
    // answered, as a server of another protocol does with a client that says nothing it knows).
    virtual bool speaksHttp(const QJsonObject &pod, int port) const
    {
        Q_UNUSED(pod);
        Q_UNUSED(port);
        return true;
    }
    // Where something really listens for `port` of `pod` on this machine ("127.0.0.5:6030"), for a
    // port-forward to carry its bytes there; empty when the port is served by http() or not at all.
    virtual QString tcpEndpoint(const QJsonObject &pod, int port) const
    {
        Q_UNUSED(pod);
        Q_UNUSED(port);
        return {};
    }
    // One HTTP request to `port` of `pod`; `request.path` is the path as the pod sees it
    // ("/rest/sql"), after any proxy prefix was removed. `done` is called exactly once.
    virtual void http(const QJsonObject &pod, int port, const HttpRequest &request, HttpDone done) = 0;

    struct LogLine
    {
        QDateTime time;
        QString text;
    };
    // The log of `container` of `pod` so far, oldest first (`previous`: of the container's last run).
    virtual QList<LogLine> log(const QJsonObject &pod, const QString &container, bool previous) const = 0;

    // Container lifecycle, from the simulated kubelet: the container of `pod` started (its claims
    // are bound and mounted; also after an in-place restart), or stopped (pod deleted, container
    // crashed, node lost).
    virtual void containerStarted(const QJsonObject &pod) { Q_UNUSED(pod); }
    virtual void containerStopped(const QJsonObject &pod) { Q_UNUSED(pod); }
    // The readiness probe: the kubelet marks a running pod Ready only while this holds.
    virtual bool probeReady(const QJsonObject &pod) const
    {
        Q_UNUSED(pod);
        return true;
    }

signals:
    // The answer of probeReady() for that pod may have changed.
    void readinessChanged(const QString &ns, const QString &pod);
    // A new log line (for `kubectl logs -f`).
    void logAppended(const QString &ns, const QString &pod, const QString &container,
                     const tdkube::sandbox::PodRuntime::LogLine &line);
};

} // namespace tdkube::sandbox
