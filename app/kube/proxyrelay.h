#pragma once

#include <QObject>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QUrl>

namespace tdkube::kube {

// An https:// proxy-url: TLS to the proxy itself, which Qt's network stack cannot speak (it talks
// plain HTTP CONNECT to a proxy). The relay listens on 127.0.0.1 and carries each connection made to
// it over TLS to the proxy, so that Qt uses it as a plain HTTP proxy: the CONNECT (with the proxy's
// credentials) and then the end-to-end TLS to the API server travel inside the TLS to the proxy.
//
// The proxy is verified with `tls` (as kubectl does: the TLS settings of the cluster, so a
// kubeconfig CA replaces the system's), against the proxy's host name.
class ProxyRelay final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyRelay)

public:
    ProxyRelay(const QUrl &proxyUrl, const QSslConfiguration &tls, QObject *parent = nullptr);
    ~ProxyRelay() override;

    // False (with error()) when no local port could be opened.
    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    // Why the last connection to the proxy failed (TLS or network), for error messages; empty when
    // none has.
    QString lastError() const { return m_lastError; }

private:
    void relay(class QTcpSocket *local);

    QUrl m_proxy;
    QSslConfiguration m_tls;
    QTcpServer m_server;
    QString m_lastError;
};

} // namespace tdkube::kube
