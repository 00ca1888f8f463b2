// Linked into every test program (tests/CMakeLists.txt). It speaks English, with the plural forms of
// tdkube_en.qm ("1 pod", "2 pods"), whatever the machine's locale or the saved choice. A test of the
// Chinese text installs zh_CN itself.
//
// A program's second CTest run, on real taosd (tdkube_add_real_taosd_run), runs beside the first: it takes
// another application name (and a third, on TDengine 3.0.5.2, another again), so that its Qt Test data and
// settings (~/.qttest/share/NAME, journals among them) are its own.
#include "i18n/translations.h"

#include <QCoreApplication>

namespace {

void startTest()
{
    tdkube::i18n::install(QStringLiteral("en"));
    if (qEnvironmentVariableIntValue("TDKUBE_TEST_ON_REAL_TAOSD") == 1) {
        const bool older = qEnvironmentVariableIntValue("TDKUBE_TEST_ON_TAOSD_3_0") == 1;
        QCoreApplication::setApplicationName(QCoreApplication::applicationName() +
                                             QString::fromLatin1(older ? "_realtaosd_3_0" : "_realtaosd"));
    }
}

} // namespace

Q_COREAPP_STARTUP_FUNCTION(startTest)
