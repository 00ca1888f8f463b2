#!/usr/bin/env bash
# Runs the libFuzzer targets for long, one after the other, and prints what each found:
#   tests/fuzz/run.sh [--execs N] [--max-time SECONDS] [TARGET...]
# N executions per target (default 10,000,000), or SECONDS per target when that comes first (default:
# no limit). Builds build-fuzz (clang, -DTDKUBE_FUZZ=ON) first if needed. Each target fuzzes a copy of
# its seeds (tests/fuzz/corpus/TARGET) in build-fuzz/fuzz-run/TARGET, with hangs over 1 s and memory
# over 2 GB counted as findings; a finding stops that target (libFuzzer's way) and its input is left in
# build-fuzz/fuzz-run/TARGET/ (crash-*, leak-*, timeout-*, oom-*): fix it, then keep the input in the
# corpus as a regression case. Not part of CTest (that runs each target for 5 s: ctest -L fuzz).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
build="${TDKUBE_FUZZ_BUILD_DIR:-$top/build-fuzz}"

execs=10000000
max_time=0
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
    --execs) execs="$2"; shift 2 ;;
    --max-time) max_time="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    for dir in "$here"/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

export CCACHE_BASEDIR="$top" CCACHE_NOHASHDIR=true
if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$top" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DTDKUBE_FUZZ=ON >/dev/null
fi
cmake --build "$build" --target "${targets[@]}"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

dict_of() {
    case "$1" in
    fuzz_kubeconfig|fuzz_manifests) echo "-dict=$here/yaml.dict" ;;
    fuzz_portforward) echo "-dict=$here/portforward.dict" ;;
    *) echo "-dict=$here/json.dict" ;;
    esac
}

rows=()
for target in "${targets[@]}"; do
    work="$build/fuzz-run/$target"
    rm -rf "$work" && mkdir -p "$work/corpus"
    cp -r "$here/corpus/$target/." "$work/corpus/"
    log="$work/fuzz.log"
    echo "run.sh: $target: $execs executions$([ "$max_time" != 0 ] && echo " or $max_time s"), log in $log"
    set +e
    nice -n "${TDKUBE_FUZZ_NICE:-10}" "$build/tests/fuzz/$target" "$(dict_of "$target")" -runs="$execs" \
        -max_total_time="$max_time" -timeout=1 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/" "$work/corpus" >"$log" 2>&1
    status=$?
    set -e
    ran=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
    count() { find "$work" -maxdepth 1 -name "$1-*" | wc -l; }
    crashes=$(count crash) leaks=$(count leak) timeouts=$(count timeout) ooms=$(count oom)
    rows+=("$(printf '%-22s %12s %9s %7s %8s %6s %9s %5s %5s' "$target" "${ran:-?}" "${speed:-?}" "${cov:-?}" \
        "$crashes" "$leaks" "$timeouts" "$ooms" "$status")")
done

echo
printf '%-22s %12s %9s %7s %8s %6s %9s %5s %5s\n' target executions execs/s cov crashes leaks timeouts ooms exit
for row in "${rows[@]}"; do echo "$row"; done
