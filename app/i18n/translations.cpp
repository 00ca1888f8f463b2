#include "i18n/translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QPointer>
#include <QSettings>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace tdkube::i18n {

namespace {

const QString kSettingsKey = u"ui/language"_s;

struct Installed
{
    QString code = u"en"_s;
    QList<QPointer<QTranslator>> translators;
};

Installed &installed()
{
    static Installed state;
    return state;
}

// One .qm into the application; false with the reason when it cannot be read.
bool load(const QString &file, const QString &directory, QString *error)
{
    auto *translator = new QTranslator(QCoreApplication::instance());
    if (!translator->load(file, directory)) {
        if (error)
            *error = QCoreApplication::translate("tdkube::i18n", "Could not read the translation %1 in %2.")
                         .arg(file, directory);
        delete translator;
        return false;
    }
    QCoreApplication::installTranslator(translator);
    installed().translators.append(translator);
    return true;
}

} // namespace

QList<Language> languages()
{
    return {{u"en"_s, u"English"_s}, {u"zh_CN"_s, u"简体中文"_s}};
}

QString nativeName(const QString &code)
{
    for (const Language &language : languages()) {
        if (language.code == code)
            return language.nativeName;
    }
    return code;
}

QString resolve(const QString &name)
{
    QString normalized = name.trimmed();
    normalized = normalized.left(normalized.indexOf(u'.') < 0 ? normalized.size() : normalized.indexOf(u'.'));
    normalized.replace(u'-', u'_');
    if (normalized.isEmpty())
        return {};
    if (normalized == "C"_L1 || normalized == "POSIX"_L1)
        return u"en"_s;
    const QLocale locale(normalized);
    if (locale.language() == QLocale::English)
        return u"en"_s;
    // Simplified Chinese: zh, zh_CN, zh_SG, zh_Hans...; tdkube has no Traditional Chinese, and a reader of
    // zh_TW or zh_HK reads Simplified Chinese better than English more often than not.
    if (locale.language() == QLocale::Chinese)
        return u"zh_CN"_s;
    return {};
}

QString systemLanguage()
{
    for (const QString &language : QLocale::system().uiLanguages()) {
        const QString code = resolve(language);
        if (!code.isEmpty())
            return code;
    }
    return u"en"_s;
}

QString savedLanguage()
{
    return resolve(QSettings().value(kSettingsKey).toString());
}

void saveLanguage(const QString &code)
{
    if (code.isEmpty())
        QSettings().remove(kSettingsKey);
    else
        QSettings().setValue(kSettingsKey, code);
}

QString chosenLanguage(const QString &commandLine)
{
    if (!commandLine.isEmpty())
        return resolve(commandLine);
    const QString saved = savedLanguage();
    return saved.isEmpty() ? systemLanguage() : saved;
}

bool install(const QString &code, QString *error)
{
    Installed &state = installed();
    for (const QPointer<QTranslator> &translator : std::as_const(state.translators)) {
        if (translator) {
            QCoreApplication::removeTranslator(translator);
            delete translator;
        }
    }
    state.translators.clear();
    const QString resolved = resolve(code);
    const QString language = resolved.isEmpty() ? u"en"_s : resolved;
    state.code = language;
    QLocale::setDefault(QLocale(language == "en"_L1 ? u"en_US"_s : language));

    bool complete = load(u"tdkube_"_s + language, u":/i18n"_s, error);
    if (language != "en"_L1) {
        // Qt's own strings (standard buttons, file dialogs, context menus), from Qt's translations.
        QString qtError;
        if (!load(u"qtbase_"_s + language, QLibraryInfo::path(QLibraryInfo::TranslationsPath), &qtError)) {
            if (complete && error)
                *error = qtError;
            complete = false;
        }
    }
    return complete;
}

QString installedLanguage()
{
    return installed().code;
}

QString takeLanguageArgument(QStringList *arguments)
{
    for (qsizetype i = 1; i < arguments->size(); ++i) {
        const QString &argument = arguments->at(i);
        if (argument == "--"_L1)
            break;
        if (argument == "--lang"_L1 && i + 1 < arguments->size()) {
            const QString value = arguments->at(i + 1);
            arguments->remove(i, 2);
            return value;
        }
        if (argument.startsWith("--lang="_L1)) {
            const QString value = argument.mid(7);
            arguments->removeAt(i);
            return value;
        }
    }
    return {};
}

} // namespace tdkube::i18n
