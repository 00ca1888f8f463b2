// Linked into every test program (tests/CMakeLists.txt): it speaks English, with the plural forms of
// tdkube_en.qm ("1 pod", "2 pods"), whatever the machine's locale or the saved choice. A test of the
// Chinese text installs zh_CN itself.
#include "i18n/translations.h"

#include <QCoreApplication>

namespace {

void installEnglish()
{
    tdkube::i18n::install(QStringLiteral("en"));
}

} // namespace

Q_COREAPP_STARTUP_FUNCTION(installEnglish)
