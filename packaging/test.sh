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

# Real TDengine for the tests whose truth depends on it (tst_realtaosd, tst_differential): 3.3.6.6,
# the current line, built from the source snapshot in ../shared/tdengine when it is there (cached in
# ~/.cache/tdkube-tdengine across clones). Elsewhere those tests skip, each saying so;
# TDKUBE_REAL_TAOSD=DIR points them at a TDengine build of your own (DIR holding bin/taosd, bin/taos and
# lib/libtaos.so, and lib/libtaosnative.so from 3.3), TDKUBE_REAL_TAOSD_3_0=DIR adds a 3.0 build to the
# differential test.
shared="$top/../shared/tdengine"
if [ -z "${TDKUBE_REAL_TAOSD:-}" ] && [ -f "$shared/build.sh" ]; then
    echo "test: building real TDengine 3.3.6.6 from $shared (cached after the first time)"
    TDKUBE_REAL_TAOSD=$(bash "$shared/build.sh" 3.3.6.6 | tail -n 1)
    export TDKUBE_REAL_TAOSD
fi
if [ -n "${TDKUBE_REAL_TAOSD:-}" ]; then
    echo "test: real TDengine in $TDKUBE_REAL_TAOSD"
else
    echo "test: no real TDengine (no ../shared/tdengine, no TDKUBE_REAL_TAOSD): the tests on real taosd skip"
fi
# 3.0.5.2 is not run here yet: in the sandbox its taosd crashes creating a replica-3 database's vnodes
# (a FATAL in tdbPagerCommit after the create fails; seen in tst_differential, not by hand). Issue 16.

cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTDKUBE_SANITIZE=ON -DTDKUBE_WERROR=ON
cmake --build "$build"
cd "$build"
ctest --output-on-failure --timeout 900 "$@"
