#pragma once

#include <QString>

namespace tdkube::kube {

// kubectl's AGE format (apimachinery's duration.HumanDuration): about two significant
// figures, e.g. "45s", "5m3s", "6h26m", "3d4h", "2y10d". Negative ages beyond the 2 s
// clock-skew tolerance print "<invalid>".
QString humanDuration(qint64 milliseconds);

} // namespace tdkube::kube
