#!/usr/bin/env bash
# The fault campaign for long (faultcampaign.cpp says what it does and checks):
#   tests/faults/run.sh [--runs N] [--seed S] [--taosd DIR] [--faults KIND,...] [--verbose] [--keep DIR]
# N randomized scale operations (default 10) with faults injected while they run; with --taosd (or
# $TDKUBE_REAL_TAOSD) every pod runs a real taosd from that TDengine build, else the simulator. Prints
# each run, then runs, faults injected by kind, operations finished, resumed, refused and invariant
# violations; exits 1 at the first violation, naming the seed and run that reproduce it. Builds the
# release build (build/, as .ci/run does) first if needed; TDKUBE_FAULTS_BUILD_DIR picks another.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
build="${TDKUBE_FAULTS_BUILD_DIR:-$top/build}"

args=()
taosd="${TDKUBE_REAL_TAOSD:-}"
while [ $# -gt 0 ]; do
    case "$1" in
    --taosd) taosd="$2"; shift 2 ;;
    --simulator) taosd=""; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) args+=("$1"); shift ;;
    esac
done

export CCACHE_BASEDIR="$top" CCACHE_NOHASHDIR=true
if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTDKUBE_WERROR=ON >/dev/null
fi
cmake --build "$build" --target tdkube-faults tdkube tdkube-sandbox

export QT_QPA_PLATFORM=offscreen
if [ -n "$taosd" ]; then
    args+=(--taosd "$taosd")
fi
exec "$build/tests/faults/tdkube-faults" --sandbox "$build/tests/sandbox/tdkube-sandbox" \
    --tdkube "$build/tdkube" "${args[@]}"
