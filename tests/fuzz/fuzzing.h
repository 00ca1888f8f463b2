// What every fuzz target shares.
#pragma once

#include "kube/kubeclient.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QUrl>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace tdkube::fuzz {

// One QCoreApplication for the whole run, for the code that needs one (timers, QStandardPaths,
// QObject parents); created on the first input and never destroyed, as libFuzzer never returns.
inline void ensureApplication()
{
    if (QCoreApplication::instance())
        return;
    static int argc = 1;
    static char name[] = "fuzz";
    static char *argv[] = {name, nullptr};
    new QCoreApplication(argc, argv);
}

// A client of an API server nobody answers: its CA is not a certificate, so every request it makes
// fails at once; what a target feeds in goes through the code under test without the network.
inline kube::KubeClient &unreachableClient()
{
    static kube::KubeClient *client = [] {
        kube::ConnectionSettings settings;
        settings.contextName = QStringLiteral("fuzz");
        settings.server = QUrl(QStringLiteral("https://127.0.0.1:1"));
        settings.certificateAuthorityPem = "not a certificate";
        settings.certificateAuthorityOrigin = QStringLiteral("the fuzz target");
        return new kube::KubeClient(settings);
    }();
    return *client;
}

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

// A property every input must keep; a violation is a finding like a crash (libFuzzer saves the input).
inline void require(bool condition, const char *what)
{
    if (!condition) {
        qFatal("fuzz: property violated: %s", what);
    }
}

// Splits `input` at NUL bytes, into at most `max` parts (the last keeps any further NULs): how the
// targets that read several texts (kubeconfig files, chunk lists) take them from one input.
inline QList<QByteArray> splitAtNul(const QByteArray &input, int max)
{
    QList<QByteArray> parts;
    qsizetype start = 0;
    while (parts.size() < max - 1) {
        const qsizetype end = input.indexOf('\0', start);
        if (end < 0)
            break;
        parts.append(input.mid(start, end - start));
        start = end + 1;
    }
    parts.append(input.mid(start));
    return parts;
}

// Reads every string of a value so that the code that builds it runs, and the sanitizers see it.
inline size_t consume(const QString &text)
{
    size_t sum = 0;
    for (const QChar c : text)
        sum += c.unicode();
    return sum;
}

// Keeps what the target computed from being optimized away.
inline void sink(size_t value)
{
    static volatile size_t kept;
    kept = kept + value;
}

} // namespace tdkube::fuzz
