#include "kube/humanduration.h"

namespace tdkube::kube {

namespace {

QString twoUnits(qint64 big, char bigUnit, qint64 small, char smallUnit)
{
    if (small == 0)
        return QString::number(big) + QLatin1Char(bigUnit);
    return QString::number(big) + QLatin1Char(bigUnit) + QString::number(small) + QLatin1Char(smallUnit);
}

} // namespace

QString humanDuration(qint64 milliseconds)
{
    const qint64 seconds = milliseconds / 1000;
    if (seconds < -1)
        return QStringLiteral("<invalid>");
    if (seconds < 0)
        return QStringLiteral("0s");
    if (seconds < 60 * 2)
        return QString::number(seconds) + u's';
    const qint64 minutes = seconds / 60;
    if (minutes < 10)
        return twoUnits(minutes, 'm', seconds % 60, 's');
    if (minutes < 60 * 3)
        return QString::number(minutes) + u'm';
    const qint64 hours = minutes / 60;
    if (hours < 8)
        return twoUnits(hours, 'h', minutes % 60, 'm');
    if (hours < 48)
        return QString::number(hours) + u'h';
    if (hours < 24 * 8)
        return twoUnits(hours / 24, 'd', hours % 24, 'h');
    if (hours < 24 * 365 * 2)
        return QString::number(hours / 24) + u'd';
    if (hours < 24 * 365 * 8)
        return twoUnits(hours / 24 / 365, 'y', (hours / 24) % 365, 'd');
    return QString::number(hours / 24 / 365) + u'y';
}

} // namespace tdkube::kube
