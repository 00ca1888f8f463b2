// The watch stream and its events, with the list before it: the input is a list page (the body of
// GET .../pods?limit=500), a NUL byte, the watch stream's bytes, a NUL byte and the chunk lengths
// (one byte each, 0 meaning 256, used in turn) at which the stream's bytes arrive. The page goes
// through ResourceWatch's own parsing (on the thread pool, as in the app); the chunks go to the
// slot that KubeStream::data() feeds, which is private: the target opens the class's private part
// rather than serving each input over HTTP. Requests the watch makes meanwhile (a re-list after an
// ERROR event, the next page, the stream itself) fail at once: the client's CA is not a
// certificate.
//
// After each input, every object the watch holds is filed under its own "namespace/name", which is
// what the tables rely on to update or remove a row.

#include "fuzzing.h"
#include "kube/kubeclient.h"
#include "kube/objects.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

// What is under test is private (see above); the order of these includes matters.
// clang-format off
#include "privatebegin.h"
#include "kube/resourcewatch.h"
#include "privateend.h"
// clang-format on

using namespace tdkube;
using namespace Qt::StringLiterals;

namespace {

// Runs the event loop until the list page is taken in (Live) or refused (Reconnecting).
void listFrom(kube::ResourceWatch *watch, const QByteArray &page)
{
    bool settled = false;
    const QMetaObject::Connection connection = QObject::connect(
        watch, &kube::ResourceWatch::stateChanged, watch, [&settled](kube::ResourceWatch::State state) {
            settled = state == kube::ResourceWatch::State::Live ||
                      state == kube::ResourceWatch::State::Reconnecting;
        });
    watch->setState(kube::ResourceWatch::State::Listing);
    watch->parsePage(page);
    QElapsedTimer waited;
    waited.start();
    while (!settled) {
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 100);
        fuzz::require(waited.elapsed() < 5000, "a list page is taken in or refused");
    }
    QObject::disconnect(connection);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::ensureApplication();
    const QList<QByteArray> parts = fuzz::splitAtNul(fuzz::bytes(data, size), 3);
    const QByteArray stream = parts.value(1);
    QByteArray lengths = parts.value(2);
    if (lengths.isEmpty())
        lengths = QByteArray("\x01\x07\x40", 3);

    size_t sum = 0;
    {
        kube::ResourceWatch watch(&fuzz::unreachableClient(), kube::ResourceKind::pods(), u"tdengine"_s);
        // The retry timer never fires within one input: what a retry would do is the list above.
        watch.setBackoff(3600 * 1000, 3600 * 1000);
        QObject::connect(&watch, &kube::ResourceWatch::added, &watch,
                         [&sum](const QJsonObject &object) { sum += fuzz::consume(kube::nameOf(object)); });
        listFrom(&watch, parts.value(0));
        qsizetype pos = 0;
        for (qsizetype i = 0; pos < stream.size(); ++i) {
            const int length = quint8(lengths.at(i % lengths.size()));
            const QByteArray chunk = stream.mid(pos, length == 0 ? 256 : length);
            pos += chunk.size();
            watch.readStream(chunk);
        }
        for (auto it = watch.objects().cbegin(); it != watch.objects().cend(); ++it) {
            const QJsonObject &object = it.value();
            fuzz::require(it.key() == kube::namespaceOf(object) + u'/' + kube::nameOf(object),
                          "each object is filed under its own namespace/name");
        }
        sum += fuzz::consume(watch.stateReason()) + fuzz::consume(watch.resourceVersion());
    }
    // The requests the watch made fail now; their answers find the watch gone.
    QCoreApplication::processEvents();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    fuzz::sink(sum);
    return 0;
}
