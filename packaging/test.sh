#!/usr/bin/env bash
# The test command of the README: sets up a fresh Debian 12 machine, builds tdkube, the sandbox and
# every test with AddressSanitizer/UndefinedBehaviorSanitizer and warnings as errors, and runs all
# tests (unit, conformance with real clients, e2e) with CTest.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${TDKUBE_TEST_BUILD_DIR:-$top/build-test}"

"$top/packaging/setup-debian.sh"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export QT_QPA_PLATFORM=offscreen
# ccache (installed by the setup) may reuse objects compiled in another clone of the repository.
export CCACHE_BASEDIR="$top" CCACHE_NOHASHDIR=true

cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTDKUBE_SANITIZE=ON -DTDKUBE_WERROR=ON
cmake --build "$build"
cd "$build"
ctest --output-on-failure --timeout 900 "$@"
