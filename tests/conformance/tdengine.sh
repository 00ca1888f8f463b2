#!/usr/bin/env bash
# TDengine in the sandbox, driven exactly as the seed documents do it by hand (kubectl exec taos -s,
# kubectl logs, the API server proxy), plus the official Python kubernetes client's port-forward and
# the official @tdengine/rest connector through it. Usage: tdengine.sh SANDBOX_BINARY MANIFESTS_DIR
sandbox_bin=$1
manifests=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
# Slow enough that a drop dnode's vnode moves can be watched from another kubectl exec.
time_scale=0.2

taos() { local pod=$1; shift; k -n td exec "$pod" -- taos -s "$*" 2>&1; }
# count_rows POD SQL: the number in the first cell of a one-row result
first_cell() { taos "$1" "$2" | awk -F'|' '/^ *[0-9-]/ {gsub(/ /, "", $1); print $1; exit}'; }
dnode_status() { taos tdengine-0 "select id, status, note from information_schema.ins_dnodes" | awk -F'|' -v id="$1" '{gsub(/ /, "", $1)} $1 == id {gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $3); print $2 ($3 == "" ? "" : " " $3)}'; }
ready_dnodes() { taos tdengine-0 "show dnodes" | grep -c ' ready '; }
sts_ready() { [ "$(jp -n td get sts tdengine -o jsonpath='{.status.readyReplicas}')" == "$1" ]; }
dnodes_ready_is() { [ "$(ready_dnodes)" == "$1" ]; }

start_sandbox
k create namespace td >/dev/null
k apply -n td -f "$manifests" >/dev/null
wait_until 60 sts_ready 3 && ok "three TDengine pods become Ready (taos-check is the readiness probe)" || bad "three pods Ready"

# --- the seed walk-through --------------------------------------------------------------------
out=$(taos tdengine-1 "show dnodes")
expect_match "kubectl exec ... taos -s \"show dnodes\" prints the taos table" '^ +id +\| +endpoint +\| +vnodes +\| +support_vnodes +\| +status' "$out"
expect_eq "three dnodes are ready" "3" "$(grep -c ' ready ' <<<"$out")"
expect_match "ending with Query OK" 'Query OK, 3 row\(s\) in set \([0-9.]+s\)' "$out"
expect_match "endpoints are the pod FQDNs (truncated as taos does)" 'tdengine-0\.taosd\.td\.svc\.clu\.\.\.' "$out"
expect_match "show mnodes\\G: one leader at first" 'role: leader' "$(taos tdengine-1 'show mnodes\G')"
taos tdengine-0 "create mnode on dnode 2" >/dev/null
taos tdengine-0 "create mnode on dnode 3" >/dev/null
out=$(taos tdengine-1 "show mnodes")
expect_eq "create mnode on dnode 2 and 3: three mnodes" "3" "$(grep -cE ' (leader|follower) ' <<<"$out")"
expect_eq "one leader among them" "1" "$(grep -c ' leader ' <<<"$out")"
out=$(taos tdengine-0 "create mnode on dnode 1")
expect_match "a second mnode on one dnode is refused" 'DB error' "$out"

taos tdengine-0 "create database if not exists test replica 3 vgroups 4" >/dev/null
taos tdengine-0 "create stable test.meters (ts timestamp, current float) tags (location varchar(32))" >/dev/null
for t in 1 2 3 4 5 6; do
    taos tdengine-0 "insert into test.d$t using test.meters tags ('room$t') values (now, $t.5) (now+1s, $t.6) (now+2s, $t.7)" >/dev/null
done
expect_eq "18 rows in test.meters" "18" "$(first_cell tdengine-2 'select count(*) from test.meters')"
expect_eq "the database has replica 3" "3" "$(taos tdengine-0 "select name, replica from information_schema.ins_databases where name = 'test'" | awk -F'|' '/^ *test *\|/ {gsub(/ /, "", $2); print $2}')"
out=$(taos tdengine-0 "show test.vgroups")
expect_eq "four vgroups, each with a leader" "4" "$(grep -c 'leader' <<<"$out")"

k -n td scale sts tdengine --replicas=4 >/dev/null
wait_until 60 sts_ready 4 && ok "scale-out: tdengine-3 Ready" || bad "scale-out: tdengine-3 Ready"
expect_eq "its dnode joined as dnode 4" "ready" "$(dnode_status 4)"
# A database created now places vnodes on dnode 4 too, so dropping it has data to move.
taos tdengine-0 "create database if not exists more replica 3 vgroups 8" >/dev/null
taos tdengine-0 "insert into more.t1 using test.meters tags ('x') values (now, 1.0)" >/dev/null 2>&1
taos tdengine-0 "create table more.t2 (ts timestamp, v int)" >/dev/null
taos tdengine-0 "insert into more.t2 values (now, 1) (now+1s, 2)" >/dev/null
vnodes4=$(taos tdengine-0 "select id, vnodes from information_schema.ins_dnodes" | awk -F'|' '{gsub(/ /, "", $1); gsub(/ /, "", $2)} $1 == "4" {print $2}')
[ "${vnodes4:-0}" -gt 0 ] && ok "dnode 4 holds vnodes ($vnodes4)" || bad "dnode 4 holds vnodes" "$vnodes4"

taos tdengine-0 "drop dnode 4" > "$work/drop.out" &
drop_pid=$!
background_pids+=("$drop_pid")
# Look while it runs (it takes ~300 ms per vnode at this time scale; kubectl exec itself is slow).
wait_until 10 bash -c "kubectl -n td exec tdengine-1 -- taos -s 'show transactions' 2>/dev/null | grep -q drop-dnode"
expect_match "while drop dnode runs, show transactions lists it" 'drop-dnode' "$(taos tdengine-1 'show transactions')"
expect_match "and so does performance_schema.perf_trans" 'drop-dnode' "$(taos tdengine-1 'select oper, stage from performance_schema.perf_trans')"
expect_match "and ins_dnodes says dropping" 'dropping' "$(taos tdengine-1 'select id, status from information_schema.ins_dnodes')"
wait "$drop_pid"
expect_match "drop dnode returns when the vnodes have moved" '(Query|Drop) OK' "$(cat "$work/drop.out")"
expect_eq "dnode 4 is gone" "" "$(dnode_status 4)"
expect_match "there is no information_schema.ins_transactions (FACTS.md section 1)" 'DB error: Fail to get table info, error: Invalid system table name' "$(taos tdengine-0 'select * from information_schema.ins_transactions')"
expect_eq "all rows still there" "18" "$(first_cell tdengine-0 'select count(*) from test.meters')"
expect_eq "and in the other database" "2" "$(first_cell tdengine-0 'select count(*) from more.t2')"
k -n td scale sts tdengine --replicas=3 >/dev/null
k -n td wait --for=delete pod/tdengine-3 --timeout=60s >/dev/null 2>&1
k -n td delete pvc taosdata-tdengine-3 --timeout=60s >/dev/null 2>&1
expect_match "its PVC is deleted" 'NotFound' "$(jp -n td get pvc taosdata-tdengine-3)"
k -n td scale sts tdengine --replicas=4 >/dev/null
wait_until 60 sts_ready 4 && ok "scale-out again on a fresh PVC" || bad "scale-out again on a fresh PVC"
expect_eq "the new dnode gets a new id (5)" "ready" "$(dnode_status 5)"
expect_eq "rows unchanged" "18" "$(first_cell tdengine-3 'select count(*) from test.meters')"

# --- failure story 1: scaling in without drop dnode ------------------------------------------------
k -n td scale sts tdengine --replicas=3 >/dev/null
k -n td wait --for=delete pod/tdengine-3 --timeout=60s >/dev/null 2>&1
wait_until 30 bash -c "[ \"\$(taos tdengine-0 'show dnodes' | grep -c offline)\" -ge 1 ]"
expect_eq "without drop dnode, dnode 5 stays offline" "offline status msg timeout" "$(dnode_status 5)"
k -n td scale sts tdengine --replicas=4 >/dev/null
wait_until 60 sts_ready 4
expect_eq "the pod on the kept PVC rejoins as the same dnode" "ready" "$(dnode_status 5)"
taos tdengine-0 "drop dnode 5" >/dev/null
k -n td scale sts tdengine --replicas=3 >/dev/null
k -n td wait --for=delete pod/tdengine-3 --timeout=60s >/dev/null 2>&1
k -n td scale sts tdengine --replicas=4 >/dev/null
sleep 2
expect_eq "a pod on the PVC of a dropped dnode never becomes Ready" "0/1" \
    "$(k -n td get pod tdengine-3 --no-headers | awk '{print $2}')"
expect_match "and its log says why" 'dropped' "$(k -n td logs tdengine-3)"
k -n td scale sts tdengine --replicas=3 >/dev/null
k -n td wait --for=delete pod/tdengine-3 --timeout=60s >/dev/null 2>&1
k -n td delete pvc taosdata-tdengine-3 --timeout=60s >/dev/null 2>&1

# --- exec, logs, proxy ---------------------------------------------------------------------------
k -n td exec tdengine-0 -- sh -c 'exit 3' >/dev/null 2>&1
expect_eq "kubectl exec passes the exit code through" "3" "$?"
expect_match "env shows TAOS_FQDN expanded from the pod" 'TAOS_FQDN=tdengine-0\.taosd\.td\.svc\.cluster\.local' "$(k -n td exec tdengine-0 -- env)"
expect_match "cat /etc/taos/taos.cfg shows firstEp" 'firstEp +tdengine-0\.taosd\.td\.svc\.cluster\.local:6030' "$(k -n td exec tdengine-0 -- cat /etc/taos/taos.cfg)"
k -n td exec tdengine-1 -- taos-check >/dev/null 2>&1
expect_eq "taos-check succeeds on a serving dnode" "0" "$?"
expect_match "kubectl logs shows the taosd start-up" 'starting taosd' "$(k -n td logs tdengine-0)"
expect_match "--timestamps prefixes RFC 3339 times" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z ' "$(k -n td logs tdengine-0 --timestamps --tail=1)"
k -n td logs -f --tail=1 tdengine-2 > "$work/follow.out" 2>&1 &
follow_pid=$!
background_pids+=("$follow_pid")
sleep 0.5
expect_eq "kubectl logs -f --tail=1 starts with one line" "1" "$(wc -l < "$work/follow.out" | tr -d ' ')"
expect_eq "which is not the stop yet" "0" "$(grep -c SIGTERM "$work/follow.out")"
k create --raw /sandbox/v1/pods/td/tdengine-2/crash -f /dev/null >/dev/null 2>&1
sleep 1
expect_match "kubectl logs -f streams the lines written after it started" 'taosd received SIGTERM' "$(cat "$work/follow.out")"
kill "$follow_pid" 2>/dev/null
expect_match "the ping endpoint answers through the service proxy" '^$' \
    "$(k get --raw /api/v1/namespaces/td/services/taosadapter:6041/proxy/-/ping 2>&1)"
echo "show databases" > "$work/query.sql"
out=$(k create --raw /api/v1/namespaces/td/services/taosadapter:6041/proxy/rest/sql -f "$work/query.sql" 2>&1)
expect_match "kubectl create --raw through the service proxy gets taosAdapter's 401" 'must be logged in' "$out"
# What taosAdapter said: a real API server drops the Authorization header after authenticating the
# caller, so Basic credentials never reach the pod through the proxy.
/usr/bin/python3 - "$KUBECONFIG" "$work" <<'PY'
import base64, sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
user = next(u["user"] for u in config["users"] if u["name"] == "sandbox-admin")
cluster = config["clusters"][0]["cluster"]
for key, name in (("client-certificate-data", "cert.pem"), ("client-key-data", "key.pem")):
    open(f"{sys.argv[2]}/{name}", "wb").write(base64.b64decode(user[key]))
open(f"{sys.argv[2]}/ca.pem", "wb").write(base64.b64decode(cluster["certificate-authority-data"]))
open(f"{sys.argv[2]}/server", "w").write(cluster["server"])
PY
out=$(curl -s --cacert "$work/ca.pem" --cert "$work/cert.pem" --key "$work/key.pem" -u root:taosdata \
    --data-binary @"$work/query.sql" "$(cat "$work/server")/api/v1/namespaces/td/services/taosadapter:6041/proxy/rest/sql")
expect_match "taosAdapter's REST JSON comes back through the proxy (code 4357: no auth info)" '"code":4357' "$out"
out=$(curl -s --cacert "$work/ca.pem" --cert "$work/cert.pem" --key "$work/key.pem" \
    "$(cat "$work/server")/api/v1/namespaces/td/pods/tdengine-0:6999/proxy/")
expect_match "a port nothing listens on is refused through the pod proxy" 'connection refused' "$out"
out=$(curl -s --cacert "$work/ca.pem" --cert "$work/cert.pem" --key "$work/key.pem" \
    "$(cat "$work/server")/api/v1/namespaces/td/pods/tdengine-0:6030/proxy/")
expect_match "taosd's native port hangs up on HTTP through the pod proxy" 'error trying to reach service: EOF' "$out"

# --- the official Python client's port-forward and @tdengine/rest through it ----------------------
out=$(/usr/bin/python3 "$here/portforward.py" "$KUBECONFIG" td tdengine-0 6041 request POST /rest/sql "select count(*) from test.meters" 2>&1)
expect_match "Python client portforward: HTTP 200 from taosAdapter" '^HTTP/1.1 200' "$out"
expect_match "with the REST JSON and the row count" '"data":\[\[18\]\]' "$out"
# The fault tests inject: an answer cut short that still says code 0 (FACTS.md section 5).
k create --raw /sandbox/v1/faults -f - <<<'{"cutShortResults":1,"keepRows":0,"matching":"ins_dnodes"}' >/dev/null
out=$(/usr/bin/python3 "$here/portforward.py" "$KUBECONFIG" td tdengine-0 6041 request POST /rest/sql "select * from information_schema.ins_dnodes" 2>&1)
expect_match "the cutShortResults fault: ins_dnodes with code 0 and no rows" '"code":0,"column_meta":\[.*\],"data":\[\],"rows":0' "$out"
out=$(/usr/bin/python3 "$here/portforward.py" "$KUBECONFIG" td tdengine-0 6041 request POST /rest/sql "select * from information_schema.ins_dnodes" 2>&1)
expect_match "and the next answer whole again" '"rows":3' "$out"
/usr/bin/python3 "$here/portforward.py" "$KUBECONFIG" td tdengine-0 6041 listen > "$work/pf.out" 2>&1 &
background_pids+=("$!")
wait_until 20 grep -q '^port ' "$work/pf.out"
port=$(awk '/^port / {print $2}' "$work/pf.out")
if [ -d "$here/node_modules/@tdengine/rest" ]; then
    out=$(cd "$here" && node tdengine_rest.js "$port" "select count(*) from test.meters" "show databases" 2>&1)
    expect_match "@tdengine/rest through the local port-forward counts the rows" '"data":\[\[18\]\]' "$out"
    expect_match "and lists the databases" '"test"' "$out"
    out=$(cd "$here" && node tdengine_rest.js "$port" "select * from information_schema.ins_transactions" 2>&1)
    expect_match "information_schema.ins_transactions does not exist: code 0x2662 (9826) as in TDengine 3.0" '"code":9826' "$out"
    expect_match "with TDengine's words" 'Fail to get table info, error: Invalid system table name' "$out"
else
    bad "@tdengine/rest is installed" "run packaging/setup-debian.sh"
fi

# --- failure story 2: scaling below the replica count ---------------------------------------------
k -n td scale sts tdengine --replicas=1 >/dev/null
k -n td wait --for=delete pod/tdengine-1 --timeout=60s >/dev/null 2>&1
wait_until 30 bash -c "[ \"\$(taos tdengine-0 'show dnodes' | grep -c offline)\" -ge 2 ]"
out=$(taos tdengine-0 "select count(*) from test.meters")
expect_match "with 2 of 3 dnodes gone a replica-3 database cannot be read" 'DB error' "$out"
k -n td scale sts tdengine --replicas=3 >/dev/null
wait_until 90 sts_ready 3
wait_until 30 dnodes_ready_is 3
expect_eq "when the pods come back on their PVCs the data is there again" "18" "$(first_cell tdengine-0 'select count(*) from test.meters')"

# --- a node stops reporting ------------------------------------------------------------------------
node=$(jp -n td get pod tdengine-2 -o jsonpath='{.spec.nodeName}')
echo '{"ready":false}' | k create --raw "/sandbox/v1/nodes/$node/ready" -f - >/dev/null
expect_eq "a NotReady node shows in kubectl get nodes" "NotReady" "$(k get node "$node" --no-headers | awk '{print $2}')"
expect_eq "its pod's Ready condition turns Unknown" "Unknown" \
    "$(jp -n td get pod tdengine-2 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')"
wait_until 30 bash -c "[ \"\$(taos tdengine-0 'show dnodes' | grep -c offline)\" -ge 1 ]"
expect_eq "and its dnode goes offline" "offline status msg timeout" "$(dnode_status 3)"
echo '{"ready":true}' | k create --raw "/sandbox/v1/nodes/$node/ready" -f - >/dev/null
wait_until 30 dnodes_ready_is 3 && ok "when the node is back the dnode is ready again" || bad "dnode ready after the node returns"

# --- persistence ------------------------------------------------------------------------------------
stop_sandbox
start_sandbox
wait_until 90 sts_ready 3
wait_until 30 dnodes_ready_is 3
expect_eq "after a sandbox restart the rows are still there" "18" "$(first_cell tdengine-0 'select count(*) from test.meters')"

# --- the demo cluster a new user starts with ---------------------------------------------------------
stop_sandbox
rm -rf "$work/data"
start_sandbox --demo
wait_until 60 bash -c "[ \"\$(kubectl -n tdengine-test get sts tdengine -o jsonpath='{.status.readyReplicas}' 2>/dev/null)\" == 3 ]"
demo_taos() { k -n tdengine-test exec tdengine-0 -- taos -s "$1" 2>&1; }
wait_until 30 bash -c "kubectl -n tdengine-test exec tdengine-0 -- taos -s 'show mnodes' 2>/dev/null | grep -q 'Query OK, 3 row'"
expect_eq "--demo: three mnodes" "3" "$(demo_taos 'show mnodes' | grep -cE ' (leader|follower) ')"
wait_until 30 bash -c "kubectl -n tdengine-test exec tdengine-0 -- taos -s 'select count(*) from test.meters' 2>/dev/null | grep -q ' 8 |'"
expect_match "--demo: database test with rows" ' 8 \|' "$(demo_taos 'select count(*) from test.meters')"
expect_eq "--demo: replica 3" "3" "$(demo_taos "select name, replica from information_schema.ins_databases where name = 'test'" | awk -F'|' '/^ *test *\|/ {gsub(/ /, "", $2); print $2}')"

finish
