#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace tdkube::taos {

// The TDengine user and password of each cluster. The password lives in the system keychain
// (QtKeychain: Secret Service, KWallet, macOS Keychain) and in memory for the session; never in
// QSettings or a log. The user name is not secret and is remembered in QSettings. Nothing stored
// yet: TDengine's default root/taosdata is proposed, marked as the default so that the UI warns.
class PasswordStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PasswordStore)

public:
    struct Login
    {
        QString user;
        QString password;
        bool isDefault = false; // root/taosdata proposed because nothing was stored
        QString note;           // for the UI: why it is the default, or that no keychain is available
    };
    using Loaded = std::function<void(const Login &login)>;
    using Saved = std::function<void(const QString &error)>;

    explicit PasswordStore(QObject *parent = nullptr);
    ~PasswordStore() override;

    // Off: only this session's memory is used (tests, and machines without a keychain).
    void setKeychainEnabled(bool enabled) { m_keychain = enabled; }
    // The commands' login (--user, TDKUBE_TDENGINE_PASSWORD, --password-stdin), for every cluster:
    // `user`, unless empty, replaces the user name remembered for the cluster; `password`, when given,
    // replaces the keychain's, which is then not read, and its user is `user`, else root. Held in this
    // object's memory only: neither is written to the keychain or the settings.
    void setGiven(const QString &user, const std::optional<QString> &password);

    // `cluster` names the cluster uniquely: "context/namespace/statefulset".
    void load(const QString &cluster, QObject *context, Loaded done);
    void save(const QString &cluster, const QString &user, const QString &password, QObject *context,
              Saved done);

    // Why the keychain could not be read the last time load() asked it, else empty.
    QString keychainError() const { return m_keychainError; }

    static QString defaultUser() { return QStringLiteral("root"); }
    static QString defaultPassword() { return QStringLiteral("taosdata"); }

private:
    Login defaultLogin(const QString &cluster, const QString &why) const;
    Login withGivenUser(Login login) const;

    bool m_keychain = true;
    QString m_givenUser;
    std::optional<QString> m_givenPassword;
    QString m_keychainError;
    QHash<QString, Login> m_session;
};

} // namespace tdkube::taos
