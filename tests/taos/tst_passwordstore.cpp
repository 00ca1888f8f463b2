// TDengine logins: the default proposed and flagged, a saved one used for the session, and the
// password never written to the settings file. (The system keychain is not touched by tests.)
#include "taos/passwordstore.h"

#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using tdkube::taos::PasswordStore;

class TestPasswordStore final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
        QCoreApplication::setOrganizationName(u"tdkube-test"_s);
        QCoreApplication::setApplicationName(u"tst_passwordstore"_s);
    }

    void nothingStored_proposesTheDefault_andSaysSo()
    {
        PasswordStore store;
        store.setKeychainEnabled(false);
        std::optional<PasswordStore::Login> login;
        store.load(u"ctx/db/tdengine"_s, this,
                   [&login](const PasswordStore::Login &loaded) { login = loaded; });
        QVERIFY(!login); // never called back re-entrantly
        QTRY_VERIFY(login);
        QCOMPARE(login->user, u"root"_s);
        QCOMPARE(login->password, u"taosdata"_s);
        QVERIFY(login->isDefault);
        QVERIFY(login->note.contains(u"ALTER USER root PASS"_s));
    }

    void saved_isUsed_andThePasswordStaysOutOfSettings()
    {
        PasswordStore store;
        store.setKeychainEnabled(false);
        std::optional<QString> saved;
        store.save(u"ctx/db/tdengine"_s, u"admin"_s, u"s3cret-Pa55"_s, this,
                   [&saved](const QString &error) { saved = error; });
        QTRY_VERIFY(saved);
        QCOMPARE(*saved, QString());
        std::optional<PasswordStore::Login> login;
        store.load(u"ctx/db/tdengine"_s, this,
                   [&login](const PasswordStore::Login &loaded) { login = loaded; });
        QTRY_VERIFY(login);
        QCOMPARE(login->user, u"admin"_s);
        QCOMPARE(login->password, u"s3cret-Pa55"_s);
        QVERIFY(!login->isDefault);

        QSettings settings;
        settings.sync();
        QFile file(settings.fileName());
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(settings.fileName()));
        const QByteArray contents = file.readAll();
        QVERIFY(contents.contains("admin"));
        QVERIFY(!contents.contains("s3cret-Pa55"));

        // Another session knows the user but not the password (no keychain here): the default again.
        PasswordStore next;
        next.setKeychainEnabled(false);
        login.reset();
        next.load(u"ctx/db/tdengine"_s, this,
                  [&login](const PasswordStore::Login &loaded) { login = loaded; });
        QTRY_VERIFY(login);
        QCOMPARE(login->user, u"admin"_s);
        QVERIFY(login->isDefault);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestPasswordStore)
#include "tst_passwordstore.moc"
