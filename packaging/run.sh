#!/usr/bin/env bash
# The run command of the README: sets up the machine, builds tdkube and starts it.
# With no cluster given (no --kubeconfig, no $KUBECONFIG, no ~/.kube/config), it starts the local
# sandbox cluster first, connects tdkube to it and opens its demo TDengine cluster's dashboard; the
# sandbox stops when tdkube closes.
#
#   packaging/run.sh [TDKUBE OPTIONS]   e.g. --kubeconfig FILE --context NAME -n NS --cluster NAME
#   packaging/run.sh --smoke            the same set-up and build, then a check that needs no display:
#                                       the sandbox and tdkube (offscreen) start, and it succeeds once
#                                       the window shows the demo cluster's dashboard with its first
#                                       TDengine snapshot (exit 0), else says why (exit 1). Leaves
#                                       nothing running and touches no settings of yours.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${TDKUBE_BUILD_DIR:-$top/build}"

smoke=no
if [ "${1:-}" = "--smoke" ]; then
    smoke=yes
    shift
fi

"$top/packaging/setup-debian.sh"
# ccache (installed by the setup) may reuse objects compiled in another clone of the repository.
export CCACHE_BASEDIR="$top" CCACHE_NOHASHDIR=true
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
# Only what this command runs: the window and the sandbox, not the hundreds of test targets.
cmake --build "$build" --target tdkube tdkube-sandbox

# Starts the sandbox with its state in $1 and waits for its kubeconfig; sets $sandbox to its pid.
start_sandbox() {
    local state=$1
    mkdir -p "$state"
    rm -f "$state/kubeconfig"
    "$build/tests/sandbox/tdkube-sandbox" --port 0 --demo --data-dir "$state" \
        --kubeconfig-out "$state/kubeconfig" > "$state/sandbox.out" 2>&1 &
    sandbox=$!
    for _ in $(seq 300); do
        [ -s "$state/kubeconfig" ] && return 0
        kill -0 "$sandbox" 2>/dev/null || break
        sleep 0.1
    done
    echo "tdkube: the sandbox cluster did not start; its output ($state/sandbox.out):" >&2
    cat "$state/sandbox.out" >&2
    return 1
}

# The demo cluster that the sandbox's --demo deploys (tests/sandbox/sandbox.cpp).
demo_cluster=tdengine-test/tdengine

if [ "$smoke" = yes ]; then
    scratch=$(mktemp -d)
    sandbox=""
    trap '[ -n "$sandbox" ] && kill "$sandbox" 2>/dev/null; wait 2>/dev/null; rm -rf "$scratch"' EXIT
    start_sandbox "$scratch/sandbox"
    # A home of its own: the check must neither read nor change the user's settings and keychain.
    status=0
    HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/.config" XDG_DATA_HOME="$scratch/home/.local/share" \
        QT_QPA_PLATFORM=offscreen timeout 300 "$build/tdkube" --kubeconfig "$scratch/sandbox/kubeconfig" \
        --cluster "$demo_cluster" --smoke --screenshot "${TDKUBE_SMOKE_SCREENSHOT:-$scratch/window.png}" \
        "$@" || status=$?
    [ "$status" = 124 ] && echo "tdkube: smoke check failed: tdkube did not end within 300 s" >&2
    exit "$status"
fi

have_cluster=no
for arg in "$@"; do [ "$arg" = "--kubeconfig" ] && have_cluster=yes; done
[ -n "${KUBECONFIG:-}" ] && have_cluster=yes
[ -f "$HOME/.kube/config" ] && have_cluster=yes

args=("$@")
if [ "$have_cluster" = no ]; then
    state="${XDG_DATA_HOME:-$HOME/.local/share}/tdkube-sandbox"
    sandbox=""
    trap '[ -n "$sandbox" ] && kill "$sandbox" 2>/dev/null || true' EXIT
    start_sandbox "$state"
    echo "tdkube: no cluster configured; started the sandbox cluster (kubeconfig: $state/kubeconfig)"
    # Land on something: the demo cluster's dashboard, unless a cluster or namespace was asked for.
    chose=no
    for arg in "$@"; do case "$arg" in --cluster|-n|--namespace|--namespace=*|-n=*) chose=yes ;; esac; done
    [ "$chose" = no ] && args=(--cluster "$demo_cluster" "${args[@]}")
    args=(--kubeconfig "$state/kubeconfig" "${args[@]}")
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    exec_prefix=(xvfb-run -a)
    echo "tdkube: no display; running under xvfb-run"
else
    exec_prefix=()
fi
"${exec_prefix[@]}" "$build/tdkube" "${args[@]}"
