#pragma once

#include <QList>
#include <QString>

// The language tdkube speaks: English (the source text, with its plural forms from tdkube_en.qm) or
// Simplified Chinese (tdkube_zh_CN.qm, and Qt's own qtbase_zh_CN.qm for standard dialogs and buttons).
// The choice: --lang, else the one saved in the settings (the window's Language menu), else the
// system's (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, as QLocale reads them).
namespace tdkube::i18n {

struct Language
{
    QString code;       // "en", "zh_CN": the suffix of the .qm files, the value of --lang
    QString nativeName; // as the language names itself: "English", "简体中文"
};

// The languages tdkube has, English first.
QList<Language> languages();

// How the language of `code` names itself ("简体中文"); `code` itself when tdkube does not have it.
QString nativeName(const QString &code);

// The code of the language `name` names ("zh", "zh_CN", "zh-Hans-CN", "en_US.UTF-8", ...), or an empty
// string when tdkube does not have it.
QString resolve(const QString &name);

// The system's language if tdkube has it, else English.
QString systemLanguage();

// The language saved in the settings ("" = follow the system).
QString savedLanguage();
void saveLanguage(const QString &code);

// What to speak: `commandLine` (--lang) when set, else the saved language, else the system's.
QString chosenLanguage(const QString &commandLine = QString());

// Loads `code`'s translations into the application, replacing those loaded before, and sets the
// default QLocale to match (numbers, dates). False with a reason in `error` when a file is missing;
// what could be loaded stays loaded. Needs a QCoreApplication.
bool install(const QString &code, QString *error = nullptr);

// The language installed last ("en" before any).
QString installedLanguage();

// --lang VALUE or --lang=VALUE in `arguments` (the first is the program): the value, removed from
// `arguments`; an empty string when absent.
QString takeLanguageArgument(QStringList *arguments);

} // namespace tdkube::i18n
