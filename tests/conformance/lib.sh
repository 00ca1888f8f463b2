# Shared by the conformance scripts: a sandbox in a temporary directory, kubectl with its
# kubeconfig, and checks that count passes and failures. Source it, then call start_sandbox.
set -u
work=$(mktemp -d)
export HOME="$work/home" KUBECONFIG="$work/kubeconfig"
mkdir -p "$HOME"
passed=0
failed=0
sandbox_pid=
background_pids=()

cleanup() {
    for pid in "${background_pids[@]}"; do kill "$pid" 2>/dev/null; done
    [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "PASS: $1"; }
bad() { failed=$((failed + 1)); echo "FAIL: $1"; [ $# -gt 1 ] && printf '      %s\n' "$2"; }
# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() { if [ "$2" == "$3" ]; then ok "$1"; else bad "$1" "expected [$2], got [$3]"; fi; }
# expect_match DESCRIPTION REGEX TEXT
expect_match() { if grep -Eq -- "$2" <<<"$3"; then ok "$1"; else bad "$1" "no match for /$2/ in: $(head -c 800 <<<"$3")"; fi; }
k() { kubectl --request-timeout=60s "$@"; }
jp() { k "$@" 2>&1; }

# start_sandbox [extra options]: starts tdkube-sandbox (path in $sandbox_bin) on the work dir.
start_sandbox() {
    : > "$work/sandbox.out"
    "$sandbox_bin" --port 0 --kubeconfig-out "$KUBECONFIG" --data-dir "$work/data" --time-scale "${time_scale:-0.05}" \
        --access-log "$work/access.log" "$@" > "$work/sandbox.out" 2>&1 &
    sandbox_pid=$!
    for _ in $(seq 100); do grep -q "listening on" "$work/sandbox.out" && return 0; sleep 0.1; done
    echo "sandbox did not start:"; cat "$work/sandbox.out"; exit 1
}

stop_sandbox() {
    kill "$sandbox_pid"; wait "$sandbox_pid" 2>/dev/null; sandbox_pid=
}

# wait_until SECONDS COMMAND...: retries COMMAND until it succeeds.
wait_until() {
    local limit=$1; shift
    local end=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.2
    done
}

finish() {
    echo
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
