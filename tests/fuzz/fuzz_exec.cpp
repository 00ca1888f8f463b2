// Exec's WebSocket frames (v4/v5.channel.k8s.io): the input is the messages the API server sends
// once the command started, each one length byte (0 meaning 256) then that many bytes (the channel
// byte, then the payload), followed by the server closing the connection. Checks that stdout and
// stderr come out as sent and that finished() comes exactly once, with an exit code a person can read.
//
// The messages reach ExecSession through its private slots, which a QWebSocket calls: the target
// opens the class's private part rather than serving each input over a WebSocket.

#include "fuzzing.h"
#include "kube/kubeclient.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QWebSocket>

// What is under test is private (see above); the order of these includes matters.
// clang-format off
#include "privatebegin.h"
#include "kube/exec.h"
#include "privateend.h"
// clang-format on

using namespace tdkube;
using namespace Qt::StringLiterals;

namespace {

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::ensureApplication();
    const QByteArray input = fuzz::bytes(data, size);
    kube::ExecSession session(&fuzz::unreachableClient(), u"tdengine"_s, u"tdengine-0"_s, {},
                              {u"taos"_s, u"-s"_s, u"show dnodes"_s});
    QByteArray stdoutSeen, stderrSeen, stdoutSent, stderrSent;
    int finishedCount = 0;
    int exitCode = 0;
    QString error;
    QObject::connect(
        &session, &kube::ExecSession::output, &session,
        [&](const QByteArray &bytes, bool isStderr) { (isStderr ? stderrSeen : stdoutSeen) += bytes; });
    QObject::connect(&session, &kube::ExecSession::finished, &session, [&](int code, const QString &text) {
        ++finishedCount;
        exitCode = code;
        error = text;
    });
    session.m_started = true;
    for (qsizetype pos = 0; pos < input.size();) {
        const int length = quint8(input.at(pos)) == 0 ? 256 : quint8(input.at(pos));
        const QByteArray message = input.mid(pos + 1, length);
        pos += 1 + length;
        if (message.size() > 1 && quint8(message.at(0)) == 1)
            stdoutSent += message.mid(1);
        else if (message.size() > 1 && quint8(message.at(0)) == 2)
            stderrSent += message.mid(1);
        session.onMessage(message);
    }
    session.onDisconnected();
    session.onDisconnected(); // a second close signal must not report twice
    fuzz::require(stdoutSeen == stdoutSent && stderrSeen == stderrSent, "stdout and stderr as sent");
    fuzz::require(finishedCount == 1, "finished() exactly once");
    fuzz::require(exitCode >= -1, "an exit code, or -1 with an error");
    fuzz::require((exitCode == -1) == !error.isEmpty(), "an error exactly when the command did not run");
    fuzz::sink(fuzz::consume(error));
    return 0;
}
