#pragma once

#include <QToolButton>

namespace tdkube::ui {

// The toolbar's language choice: follow the system, English or 简体中文, remembered in the settings
// (i18n::saveLanguage) and spoken from the next start; it offers to restart tdkube at once. The button
// names the language in use in that language, so that a reader of neither finds the way back.
class LanguageButton final : public QToolButton
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LanguageButton)

public:
    explicit LanguageButton(QWidget *parent = nullptr);

signals:
    // The user chose another language and agreed to restart now: the window should close, and when it
    // did, call restart().
    void restartRequested();

public:
    // Starts tdkube again with the same arguments (without --lang); false when it could not start.
    static bool restart();

private:
    void choose(const QString &code);
};

} // namespace tdkube::ui
