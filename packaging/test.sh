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

# Real TDengine for the tests whose truth depends on it (tst_realtaosd, tst_differential): 3.3.6.6, the
# current line, and 3.0.5.2 for the differential test, built from the source snapshots in
# ../shared/tdengine when they are there (cached in ~/.cache/tdkube-tdengine across clones). Elsewhere
# those tests skip, each saying so; TDKUBE_REAL_TAOSD=DIR (3.3) and TDKUBE_REAL_TAOSD_3_0=DIR point them at
# TDengine builds of your own (DIR holding bin/taosd, bin/taos and lib/libtaos.so, and lib/libtaosnative.so
# from 3.3).
shared="$top/../shared/tdengine"
if [ -z "${TDKUBE_REAL_TAOSD:-}" ] && [ -f "$shared/build.sh" ]; then
    echo "test: building real TDengine 3.3.6.6 and 3.0.5.2 from $shared (cached after the first time)"
    TDKUBE_REAL_TAOSD=$(bash "$shared/build.sh" 3.3.6.6 | tail -n 1)
    TDKUBE_REAL_TAOSD_3_0=$(bash "$shared/build.sh" 3.0.5.2 | tail -n 1)
    export TDKUBE_REAL_TAOSD TDKUBE_REAL_TAOSD_3_0
fi
if [ -n "${TDKUBE_REAL_TAOSD:-}${TDKUBE_REAL_TAOSD_3_0:-}" ]; then
    echo "test: real TDengine in ${TDKUBE_REAL_TAOSD:-} ${TDKUBE_REAL_TAOSD_3_0:-}"
else
    echo "test: no real TDengine (no ../shared/tdengine, no TDKUBE_REAL_TAOSD): the tests on real taosd skip"
fi

cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTDKUBE_SANITIZE=ON -DTDKUBE_WERROR=ON \
    -DTDKUBE_SHARED_LIBS=ON
cmake --build "$build"
# Two tests at a time (TDKUBE_TEST_JOBS): most of a test's time is spent waiting for the sandbox's pods
# and TDengine, and the tests on real taosd, the longest, take a lock and run one after the other beside
# the rest (tests/CMakeLists.txt). CTest's -j N after this script's arguments overrides it.
(cd "$build" && ctest --output-on-failure --timeout 900 -j "${TDKUBE_TEST_JOBS:-2}" "$@")

# The fuzz targets (tests/fuzz) in a clang build of their own: each runs its seeds and 5 s of
# fuzzing, so that they keep building and starting (tests/fuzz/run.sh fuzzes for long).
# TDKUBE_TEST_FUZZ=0 skips this.
if [ "${TDKUBE_TEST_FUZZ:-1}" != 0 ]; then
    fuzz_build="${TDKUBE_FUZZ_BUILD_DIR:-$top/build-fuzz}"
    cmake -S "$top" -B "$fuzz_build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DTDKUBE_FUZZ=ON
    cmake --build "$fuzz_build"
    (cd "$fuzz_build" && ctest --output-on-failure -L fuzz)
fi

# The .deb, from the release build: built, checked with lintian, installed on this machine, run
# (the installed sandbox and tdkube offscreen) and purged (packaging/test-deb.sh). Only as root
# with apt-get; elsewhere it says it skipped. TDKUBE_TEST_DEB=0 skips it too.
if [ "${TDKUBE_TEST_DEB:-1}" != 0 ]; then
    "$top/packaging/test-deb.sh"
fi
