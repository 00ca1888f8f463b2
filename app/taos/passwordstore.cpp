#include "taos/passwordstore.h"

#include <QPointer>
#include <QSettings>
#include <QTimer>
#include <qt6keychain/keychain.h>

namespace tdkube::taos {

using namespace Qt::StringLiterals;

namespace {

const QString kService = u"tdkube"_s;

QString userKey(const QString &cluster)
{
    // QSettings treats '/' as a group separator: keep the cluster name one key.
    return u"taos/users/"_s + QString::fromLatin1(cluster.toUtf8().toBase64(QByteArray::Base64UrlEncoding));
}

// Runs `call` from the event loop if `context` still exists: callers are never called back re-entrantly.
void later(QObject *context, std::function<void()> call)
{
    QTimer::singleShot(0, context, std::move(call));
}

} // namespace

PasswordStore::PasswordStore(QObject *parent)
    : QObject(parent)
{
}

PasswordStore::~PasswordStore() = default;

PasswordStore::Login PasswordStore::defaultLogin(const QString &cluster, const QString &why) const
{
    Login login;
    login.user = QSettings().value(userKey(cluster), defaultUser()).toString();
    login.password = defaultPassword();
    login.isDefault = true;
    login.note = why;
    return login;
}

void PasswordStore::setGiven(const QString &user, const std::optional<QString> &password)
{
    m_givenUser = user;
    m_givenPassword = password;
}

PasswordStore::Login PasswordStore::withGivenUser(Login login) const
{
    if (!m_givenUser.isEmpty())
        login.user = m_givenUser;
    return login;
}

void PasswordStore::load(const QString &cluster, QObject *context, Loaded done)
{
    if (m_givenPassword) {
        const Login given{m_givenUser.isEmpty() ? defaultUser() : m_givenUser, *m_givenPassword, false, {}};
        later(context, [done, given] { done(given); });
        return;
    }
    const auto cached = m_session.constFind(cluster);
    if (cached != m_session.cend()) {
        later(context, [done, login = withGivenUser(*cached)] { done(login); });
        return;
    }
    const QString unset =
        tr("No password is stored for this cluster, so TDengine's default (%1/%2) is used. If the "
           "cluster still has it, change it: ALTER USER %1 PASS '...'.")
            .arg(defaultUser(), defaultPassword());
    if (!m_keychain) {
        later(context, [done, login = withGivenUser(defaultLogin(cluster, unset))] { done(login); });
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(kService, this);
    job->setKey(cluster);
    job->setAutoDelete(true);
    QPointer<QObject> guard(context);
    connect(job, &QKeychain::Job::finished, this,
            [this, cluster, unset, guard, done](QKeychain::Job *finished) {
                if (!guard)
                    return;
                auto *read = static_cast<QKeychain::ReadPasswordJob *>(finished);
                Login login;
                m_keychainError.clear();
                if (read->error() == QKeychain::NoError) {
                    login.user = QSettings().value(userKey(cluster), defaultUser()).toString();
                    login.password = read->textData();
                    m_session.insert(cluster, login);
                } else if (read->error() == QKeychain::EntryNotFound) {
                    login = defaultLogin(cluster, unset);
                } else {
                    m_keychainError = read->errorString();
                    login = defaultLogin(
                        cluster, tr("The system keychain could not be read (%1), so TDengine's default "
                                    "password is tried; a password you enter is kept until tdkube quits.")
                                     .arg(read->errorString()));
                }
                done(withGivenUser(login));
            });
    job->start();
}

void PasswordStore::save(const QString &cluster, const QString &user, const QString &password,
                         QObject *context, Saved done)
{
    m_session.insert(cluster, Login{user, password, false, {}});
    QSettings().setValue(userKey(cluster), user);
    if (!m_keychain) {
        later(context, [done] { done({}); });
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(kService, this);
    job->setKey(cluster);
    job->setTextData(password);
    job->setAutoDelete(true);
    QPointer<QObject> guard(context);
    connect(job, &QKeychain::Job::finished, this, [guard, done](QKeychain::Job *finished) {
        if (!guard)
            return;
        done(finished->error() == QKeychain::NoError
                 ? QString()
                 : tr("The password is kept until tdkube quits, but the system keychain refused it: %1.")
                       .arg(finished->errorString()));
    });
    job->start();
}

} // namespace tdkube::taos
