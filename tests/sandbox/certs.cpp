#include "certs.h"

#include <memory>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

using namespace Qt::StringLiterals;

namespace tdkube::sandbox {

namespace {

// Every OpenSSL object is owned by a unique_ptr so that error paths cannot leak (LSan runs the tests).
template<auto FreeFunction> struct Deleter
{
    template<typename T> void operator()(T *p) const { FreeFunction(p); }
};

using PKeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PKeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

constexpr long kCaValidDays = 3650;
constexpr long kLeafValidDays = 365;
// Certificates start one hour in the past so that a client whose clock is slightly behind still accepts them.
constexpr long kClockSkewSeconds = 3600;

// OpenSSL's error queue is per thread and shared with Qt's TLS backend, which may take a stale
// entry for its own failure; so every public function leaves it empty, on success too.
struct ErrorQueueGuard
{
    ErrorQueueGuard() = default;
    ErrorQueueGuard(const ErrorQueueGuard &) = delete;
    ErrorQueueGuard &operator=(const ErrorQueueGuard &) = delete;
    ~ErrorQueueGuard() { ERR_clear_error(); }
};

void setError(QString *error, const QString &what)
{
    if (!error)
        return;
    // The OpenSSL queue says why; keep only the most recent reason, it is the most specific one.
    unsigned long code = 0;
    unsigned long last = 0;
    while ((code = ERR_get_error()) != 0)
        last = code;
    if (last == 0) {
        *error = what;
        return;
    }
    char buffer[256] = {};
    ERR_error_string_n(last, buffer, sizeof buffer);
    *error = what + u": "_s + QString::fromLatin1(buffer);
}

PKeyPtr generateP256Key()
{
    PKeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0)
        return {};
    if (EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") <= 0)
        return {};
    EVP_PKEY *key = nullptr;
    if (EVP_PKEY_generate(ctx.get(), &key) <= 0)
        return {};
    return PKeyPtr(key);
}

BioPtr memoryBio(const QByteArray &data)
{
    return BioPtr(BIO_new_mem_buf(data.constData(), int(data.size())));
}

QByteArray drainBio(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? QByteArray(data, qsizetype(size)) : QByteArray();
}

QByteArray certificateToPem(X509 *cert)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
        return {};
    return drainBio(bio.get());
}

// PKCS#8 ("BEGIN PRIVATE KEY"): understood by Go (kubectl), Qt's QSslKey and the openssl CLI alike.
QByteArray keyToPem(EVP_PKEY *key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return {};
    return drainBio(bio.get());
}

X509Ptr certificateFromPem(const QByteArray &pem)
{
    BioPtr bio = memoryBio(pem);
    return X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

PKeyPtr keyFromPem(const QByteArray &pem)
{
    BioPtr bio = memoryBio(pem);
    return PKeyPtr(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

X509Ptr certificateFromDer(const QByteArray &der)
{
    const auto *data = reinterpret_cast<const unsigned char *>(der.constData());
    return X509Ptr(d2i_X509(nullptr, &data, long(der.size())));
}

// A random positive serial of up to 159 bits (RFC 5280 allows 20 octets): unique without bookkeeping.
bool setRandomSerial(X509 *cert)
{
    BignumPtr serial(BN_new());
    if (!serial || BN_rand(serial.get(), 159, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1)
        return false;
    return BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool addNameEntry(X509_NAME *name, const char *field, const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(utf8.constData()),
                                      int(utf8.size()), -1, 0) == 1;
}

bool setSubject(X509 *cert, const QString &commonName, const QStringList &organizations)
{
    X509_NAME *name = X509_get_subject_name(cert);
    // O before CN, the customary order (and the one `openssl req -subj /O=../CN=..` produces).
    for (const QString &organization : organizations) {
        if (!addNameEntry(name, "O", organization))
            return false;
    }
    return addNameEntry(name, "CN", commonName);
}

// A version 3 certificate with serial, validity, subject and public key; issuer and extensions are
// up to the caller.
X509Ptr newCertificate(EVP_PKEY *key, const QString &commonName, const QStringList &organizations,
                       long validDays)
{
    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 || !setRandomSerial(cert.get()))
        return {};
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kClockSkewSeconds))
        return {};
    if (!X509_gmtime_adj(X509_getm_notAfter(cert.get()), validDays * 24 * 3600))
        return {};
    if (!setSubject(cert.get(), commonName, organizations) || X509_set_pubkey(cert.get(), key) != 1)
        return {};
    return cert;
}

// Adds one extension written in openssl.cnf syntax ("critical,CA:TRUE"); `issuer` is needed for
// authorityKeyIdentifier.
bool addExtension(X509 *cert, X509 *issuer, int nid, const QByteArray &value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.constData()));
    return extension && X509_add_ext(cert, extension.get(), -1) == 1;
}

struct ExtensionSpec
{
    int nid;
    QByteArray value;
};

bool addExtensions(X509 *cert, X509 *issuer, const QList<ExtensionSpec> &extensions)
{
    for (const ExtensionSpec &extension : extensions) {
        if (!addExtension(cert, issuer, extension.nid, extension.value))
            return false;
    }
    return true;
}

// "DNS:a,DNS:b,IP:1.2.3.4". A comma inside a name would split it into two, so such names are refused.
bool subjectAltNameValue(const QStringList &dnsNames, const QStringList &ipAddresses, QByteArray *value)
{
    QByteArrayList parts;
    for (const QString &dns : dnsNames)
        parts.append("DNS:" + dns.toUtf8());
    for (const QString &ip : ipAddresses)
        parts.append("IP:" + ip.toLatin1());
    for (const QByteArray &part : std::as_const(parts)) {
        if (part.contains(',') || part.size() <= 4)
            return false;
    }
    *value = parts.join(',');
    return !value->isEmpty();
}

CertificateAuthority::Issued finishLeaf(X509 *cert, EVP_PKEY *key, EVP_PKEY *caKey, QString *error)
{
    if (X509_sign(cert, caKey, EVP_sha256()) <= 0) {
        setError(error, u"cannot sign the certificate"_s);
        return {};
    }
    CertificateAuthority::Issued issued{certificateToPem(cert), keyToPem(key)};
    if (issued.certificatePem.isEmpty() || issued.keyPem.isEmpty()) {
        setError(error, u"cannot encode the certificate"_s);
        return {};
    }
    return issued;
}

QString entryText(const X509_NAME_ENTRY *entry)
{
    unsigned char *utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (length < 0)
        return {};
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(utf8), length);
    OPENSSL_free(utf8);
    return text;
}

QStringList entriesOf(const X509_NAME *name, int nid)
{
    QStringList values;
    for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(name, nid, i))
        values.append(entryText(X509_NAME_get_entry(name, i)));
    return values;
}

// The CA certificate and key as OpenSSL objects, for issuing.
struct CaObjects
{
    X509Ptr certificate;
    PKeyPtr key;
};

CaObjects parseCa(const QByteArray &certificatePem, const QByteArray &keyPem, QString *error)
{
    CaObjects ca{certificateFromPem(certificatePem), keyFromPem(keyPem)};
    if (!ca.certificate || !ca.key) {
        setError(error, u"cannot parse the CA certificate or key"_s);
        return {};
    }
    if (X509_check_private_key(ca.certificate.get(), ca.key.get()) != 1) {
        setError(error, u"the CA key does not belong to the CA certificate"_s);
        return {};
    }
    return ca;
}

// A freshly keyed leaf certificate issued (but not yet signed) by `ca`.
X509Ptr newLeaf(const CaObjects &ca, EVP_PKEY *key, const QString &commonName,
                const QStringList &organizations)
{
    X509Ptr cert = newCertificate(key, commonName, organizations, kLeafValidDays);
    if (!cert || X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.certificate.get())) != 1)
        return {};
    return cert;
}

} // namespace

CertificateAuthority CertificateAuthority::create(const QString &commonName, QString *error)
{
    const ErrorQueueGuard guard;
    PKeyPtr key = generateP256Key();
    if (!key) {
        setError(error, u"cannot generate the CA key"_s);
        return {};
    }
    X509Ptr cert = newCertificate(key.get(), commonName, {}, kCaValidDays);
    if (!cert || X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1) {
        setError(error, u"cannot build the CA certificate"_s);
        return {};
    }
    const QList<ExtensionSpec> extensions{
        {NID_basic_constraints, "critical,CA:TRUE"},
        {NID_key_usage, "critical,keyCertSign,cRLSign"},
        {NID_subject_key_identifier, "hash"},
    };
    if (!addExtensions(cert.get(), cert.get(), extensions) ||
        X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
        setError(error, u"cannot sign the CA certificate"_s);
        return {};
    }
    CertificateAuthority ca;
    ca.m_certificatePem = certificateToPem(cert.get());
    ca.m_keyPem = keyToPem(key.get());
    if (!ca.isValid())
        setError(error, u"cannot encode the CA"_s);
    return ca;
}

CertificateAuthority CertificateAuthority::load(const QByteArray &certificatePem, const QByteArray &keyPem,
                                                QString *error)
{
    const ErrorQueueGuard guard;
    const CaObjects objects = parseCa(certificatePem, keyPem, error);
    if (!objects.certificate)
        return {};
    if (X509_check_ca(objects.certificate.get()) == 0) {
        setError(error, u"the certificate is not a CA certificate"_s);
        return {};
    }
    CertificateAuthority ca;
    ca.m_certificatePem = certificatePem;
    ca.m_keyPem = keyPem;
    return ca;
}

CertificateAuthority::Issued CertificateAuthority::issueServer(const QString &commonName,
                                                               const QStringList &dnsNames,
                                                               const QStringList &ipAddresses,
                                                               QString *error) const
{
    const ErrorQueueGuard guard;
    QByteArray altNames;
    if (!subjectAltNameValue(dnsNames, ipAddresses, &altNames)) {
        setError(error, u"invalid or missing subjectAltNames"_s);
        return {};
    }
    const CaObjects ca = parseCa(m_certificatePem, m_keyPem, error);
    if (!ca.certificate)
        return {};
    PKeyPtr key = generateP256Key();
    if (!key) {
        setError(error, u"cannot generate the server key"_s);
        return {};
    }
    X509Ptr cert = newLeaf(ca, key.get(), commonName, {});
    const QList<ExtensionSpec> extensions{
        {NID_basic_constraints, "CA:FALSE"},  {NID_key_usage, "digitalSignature,keyEncipherment"},
        {NID_ext_key_usage, "serverAuth"},    {NID_subject_alt_name, altNames},
        {NID_subject_key_identifier, "hash"}, {NID_authority_key_identifier, "keyid:always"},
    };
    if (!cert || !addExtensions(cert.get(), ca.certificate.get(), extensions)) {
        setError(error, u"cannot build the server certificate"_s);
        return {};
    }
    return finishLeaf(cert.get(), key.get(), ca.key.get(), error);
}

CertificateAuthority::Issued CertificateAuthority::issueClient(const QString &commonName,
                                                               const QStringList &organizations,
                                                               QString *error) const
{
    const ErrorQueueGuard guard;
    const CaObjects ca = parseCa(m_certificatePem, m_keyPem, error);
    if (!ca.certificate)
        return {};
    PKeyPtr key = generateP256Key();
    if (!key) {
        setError(error, u"cannot generate the client key"_s);
        return {};
    }
    X509Ptr cert = newLeaf(ca, key.get(), commonName, organizations);
    const QList<ExtensionSpec> extensions{
        {NID_basic_constraints, "CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature"},
        {NID_ext_key_usage, "clientAuth"},
        {NID_authority_key_identifier, "keyid:always"},
    };
    if (!cert || !addExtensions(cert.get(), ca.certificate.get(), extensions)) {
        setError(error, u"cannot build the client certificate"_s);
        return {};
    }
    return finishLeaf(cert.get(), key.get(), ca.key.get(), error);
}

bool CertificateAuthority::verify(const QByteArray &certificateDer) const
{
    const ErrorQueueGuard guard;
    const X509Ptr ca = certificateFromPem(m_certificatePem);
    const X509Ptr cert = certificateFromDer(certificateDer);
    if (!ca || !cert)
        return false;
    // The signature proves it; the issuer name check is what chain building would do first anyway.
    const bool signedByUs =
        X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(ca.get())) == 0 &&
        X509_verify(cert.get(), X509_get0_pubkey(ca.get())) == 1;
    const bool current = X509_cmp_current_time(X509_get0_notBefore(cert.get())) < 0 &&
                         X509_cmp_current_time(X509_get0_notAfter(cert.get())) > 0;
    return signedByUs && current;
}

CertificateSubject subjectOf(const QByteArray &certificateDer)
{
    const ErrorQueueGuard guard;
    const X509Ptr cert = certificateFromDer(certificateDer);
    if (!cert)
        return {};
    const X509_NAME *name = X509_get_subject_name(cert.get());
    const QStringList commonNames = entriesOf(name, NID_commonName);
    return {commonNames.value(0), entriesOf(name, NID_organizationName)};
}

} // namespace tdkube::sandbox
