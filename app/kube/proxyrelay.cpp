#include "kube/proxyrelay.h"

#include <QPointer>
#include <QSslSocket>
#include <QTcpSocket>

namespace tdkube::kube {

using namespace Qt::StringLiterals;

ProxyRelay::ProxyRelay(const QUrl &proxyUrl, const QSslConfiguration &tls, QObject *parent)
    : QObject(parent)
    , m_proxy(proxyUrl)
    , m_tls(tls)
{
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *local = m_server.nextPendingConnection())
            relay(local);
    });
}

ProxyRelay::~ProxyRelay() = default;

bool ProxyRelay::listen()
{
    if (m_server.listen(QHostAddress::LocalHost))
        return true;
    m_lastError = tr("no local port for the relay to the proxy: %1").arg(m_server.errorString());
    return false;
}

void ProxyRelay::relay(QTcpSocket *local)
{
    // The remote socket is the local one's child: whichever side ends takes both down.
    auto *remote = new QSslSocket(local);
    remote->setSslConfiguration(m_tls);
    remote->setPeerVerifyName(m_proxy.host());
    connect(local, &QTcpSocket::disconnected, local, &QObject::deleteLater);
    const QPointer<ProxyRelay> self = this;
    connect(remote, &QSslSocket::encrypted, local, [self, local, remote] {
        if (self)
            self->m_lastError.clear();
        if (local->bytesAvailable() > 0)
            remote->write(local->readAll());
    });
    connect(local, &QTcpSocket::readyRead, remote, [local, remote] {
        if (remote->isEncrypted())
            remote->write(local->readAll());
    });
    connect(remote, &QSslSocket::readyRead, local, [local, remote] { local->write(remote->readAll()); });
    connect(remote, &QSslSocket::disconnected, local, [local] { local->disconnectFromHost(); });
    connect(local, &QTcpSocket::disconnected, remote, [remote] { remote->disconnectFromHost(); });
    connect(remote, &QSslSocket::sslErrors, local, [self, local, remote](const QList<QSslError> &errors) {
        if (self) {
            QStringList reasons;
            for (const QSslError &error : errors)
                reasons.append(error.errorString());
            self->m_lastError = tr("the proxy's certificate was refused: %1").arg(reasons.join(u"; "));
        }
        remote->abort();
        local->abort();
    });
    connect(remote, &QSslSocket::errorOccurred, local,
            [self, local, remote](QAbstractSocket::SocketError error) {
                if (error == QAbstractSocket::RemoteHostClosedError && remote->isEncrypted())
                    return; // the end of a relayed connection
                if (self && error != QAbstractSocket::SslHandshakeFailedError)
                    self->m_lastError = remote->errorString();
                else if (self && self->m_lastError.isEmpty())
                    self->m_lastError =
                        tr("the TLS handshake with the proxy failed: %1").arg(remote->errorString());
                local->abort();
            });
    remote->connectToHostEncrypted(m_proxy.host(), quint16(m_proxy.port(443)));
}

} // namespace tdkube::kube
