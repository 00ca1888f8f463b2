#pragma once

// The selectors live in tdkube_core, shared with the app's client-side filters.
#include "kube/selectors.h"

namespace tdkube::sandbox {
using kube::FieldSelector;
using kube::LabelSelector;
} // namespace tdkube::sandbox
