#!/usr/bin/env bash
# The run command of the README: sets up the machine, builds tdkube and starts it.
# With no cluster given (no --kubeconfig, no $KUBECONFIG, no ~/.kube/config), it starts the local
# sandbox cluster first and connects tdkube to it; the sandbox stops when tdkube closes.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${TDKUBE_BUILD_DIR:-$top/build}"

"$top/packaging/setup-debian.sh"
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build"

have_cluster=no
for arg in "$@"; do [ "$arg" = "--kubeconfig" ] && have_cluster=yes; done
[ -n "${KUBECONFIG:-}" ] && have_cluster=yes
[ -f "$HOME/.kube/config" ] && have_cluster=yes

args=("$@")
if [ "$have_cluster" = no ]; then
    state="${XDG_DATA_HOME:-$HOME/.local/share}/tdkube-sandbox"
    mkdir -p "$state"
    "$build/tests/sandbox/tdkube-sandbox" --port 0 --demo --data-dir "$state" \
        --kubeconfig-out "$state/kubeconfig" > "$state/sandbox.out" 2>&1 &
    sandbox=$!
    trap 'kill $sandbox 2>/dev/null || true' EXIT
    for _ in $(seq 100); do [ -s "$state/kubeconfig" ] && break; sleep 0.1; done
    echo "tdkube: no cluster configured; started the sandbox cluster (kubeconfig: $state/kubeconfig)"
    args=(--kubeconfig "$state/kubeconfig" "${args[@]}")
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    exec_prefix=(xvfb-run -a)
    echo "tdkube: no display; running under xvfb-run"
else
    exec_prefix=()
fi
"${exec_prefix[@]}" "$build/tdkube" "${args[@]}"
