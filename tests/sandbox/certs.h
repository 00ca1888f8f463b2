#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace tdkube::sandbox {

// A small certificate authority for the sandbox, built on OpenSSL (libcrypto): it makes the CA,
// the API server's serving certificate and the client certificates of the kubeconfig users.
// Keys are ECDSA P-256 so generation takes milliseconds. Everything is PEM.
class CertificateAuthority
{
public:
    // A new self-signed CA (basicConstraints CA:TRUE, keyCertSign), valid 10 years.
    static CertificateAuthority create(const QString &commonName, QString *error);
    // Loads a CA saved before (certificatePem/keyPem of an earlier one); invalid on failure.
    static CertificateAuthority load(const QByteArray &certificatePem, const QByteArray &keyPem,
                                     QString *error);

    bool isValid() const { return !m_certificatePem.isEmpty() && !m_keyPem.isEmpty(); }
    QByteArray certificatePem() const { return m_certificatePem; }
    QByteArray keyPem() const { return m_keyPem; }

    struct Issued
    {
        QByteArray certificatePem;
        QByteArray keyPem;
    };

    // Issues a server certificate (serverAuth) with the given DNS and IP subjectAltNames.
    Issued issueServer(const QString &commonName, const QStringList &dnsNames, const QStringList &ipAddresses,
                       QString *error) const;
    // Issues a client certificate (clientAuth) with subject CN=commonName, O=each organization,
    // as Kubernetes maps them to user name and groups.
    Issued issueClient(const QString &commonName, const QStringList &organizations, QString *error) const;

    // True when `certificateDer` (one DER certificate, as QSslCertificate::toDer() gives it) was
    // signed by this CA and is within its validity period.
    bool verify(const QByteArray &certificateDer) const;

private:
    QByteArray m_certificatePem;
    QByteArray m_keyPem;
};

// The Kubernetes identity in a client certificate: CN is the user, each O a group.
struct CertificateSubject
{
    QString commonName;
    QStringList organizations;
};
CertificateSubject subjectOf(const QByteArray &certificateDer);

} // namespace tdkube::sandbox
