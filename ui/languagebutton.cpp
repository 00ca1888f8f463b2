#include "languagebutton.h"

#include "i18n/translations.h"

#include <QActionGroup>
#include <QCoreApplication>
#include <QMenu>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace tdkube::ui {

LanguageButton::LanguageButton(QWidget *parent)
    : QToolButton(parent)
{
    setObjectName(u"languageButton"_s);
    setPopupMode(QToolButton::InstantPopup);
    setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *menu = new QMenu(this);
    auto *group = new QActionGroup(menu);
    const QString saved = i18n::savedLanguage();
    QAction *system = menu->addAction(tr("Follow the system"));
    system->setObjectName(u"language-system"_s);
    system->setCheckable(true);
    system->setChecked(saved.isEmpty());
    group->addAction(system);
    connect(system, &QAction::triggered, this, [this] { choose(QString()); });
    menu->addSeparator();
    for (const i18n::Language &language : i18n::languages()) {
        QAction *action = menu->addAction(language.nativeName);
        action->setObjectName(u"language-"_s + language.code);
        action->setCheckable(true);
        action->setChecked(saved == language.code);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [this, code = language.code] { choose(code); });
    }
    setMenu(menu);
    setText(i18n::nativeName(i18n::installedLanguage()));
    setToolTip(tr("The language of tdkube (also --lang)"));
}

void LanguageButton::choose(const QString &code)
{
    i18n::saveLanguage(code);
    const QString next = i18n::chosenLanguage();
    if (next == i18n::installedLanguage())
        return;
    QMessageBox box(
        QMessageBox::Question, tr("Language"),
        tr("tdkube will speak %1 from its next start. Restart tdkube now?").arg(i18n::nativeName(next)),
        QMessageBox::NoButton, window());
    box.setObjectName(u"languageRestartBox"_s);
    QPushButton *now = box.addButton(tr("Restart now"), QMessageBox::AcceptRole);
    box.addButton(tr("Later"), QMessageBox::RejectRole);
    box.exec();
    if (box.clickedButton() == now)
        emit restartRequested();
}

bool LanguageButton::restart()
{
    QStringList arguments = QCoreApplication::arguments();
    i18n::takeLanguageArgument(&arguments);
    return QProcess::startDetached(QCoreApplication::applicationFilePath(), arguments.mid(1));
}

} // namespace tdkube::ui
