#!/usr/bin/env bash
# Real kubectl against tdkube-sandbox: every check looks at the state the cluster ends up holding,
# not only at exit codes. Usage: kubectl.sh SANDBOX_BINARY MANIFESTS_DIR
sandbox_bin=$1
manifests=$2
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_sandbox
expect_match "sandbox prints where it listens" '^tdkube-sandbox listening on https://127\.0\.0\.1:[0-9]+$' "$(head -1 "$work/sandbox.out")"
expect_eq "kubeconfig has the three contexts" "sandbox-admin sandbox-exec sandbox-viewer" \
    "$(k config get-contexts -o name | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "current context is sandbox-admin" "sandbox-admin" "$(k config current-context)"
expect_match "kubectl version talks to the sandbox" 'Server Version: v1\.32' "$(k version 2>&1)"
expect_eq "three nodes are Ready" "3" "$(k get nodes --no-headers | grep -c ' Ready ')"
expect_match "the default StorageClass is standard" '^standard \(default\)' "$(k get sc --no-headers)"

# --- deploy with client-side apply ---------------------------------------------------------
expect_eq "create namespace (kubectl sends protobuf)" "namespace/td created" "$(k create namespace td 2>&1)"
expect_eq "the namespace is Active and labelled" "Active td" \
    "$(jp get ns td -o jsonpath='{.status.phase} {.metadata.labels.kubernetes\.io/metadata\.name}')"
k -n td create configmap notes --from-literal=owner=dba --from-literal=purpose=test >/dev/null 2>&1
expect_eq "create configmap --from-literal stores the data" "dba test" \
    "$(jp -n td get cm notes -o jsonpath='{.data.owner} {.data.purpose}')"
out=$(k apply -n td -f "$manifests" 2>&1)
expect_match "apply -f manifests/ creates the StatefulSet" 'statefulset.apps/tdengine created' "$out"
k -n td wait --for=jsonpath='{.status.readyReplicas}'=3 sts/tdengine --timeout=60s >/dev/null 2>&1
json=$(k -n td get pods,pvc,sts,svc,cm -o json)
summary=$(/usr/bin/python3 - "$json" <<'PY'
import json, sys
items = json.loads(sys.argv[1])["items"]
kinds = {}
for i in items:
    kinds.setdefault(i["kind"], []).append(i)
pods = sorted(p["metadata"]["name"] for p in kinds.get("Pod", []))
ready = sum(1 for p in kinds.get("Pod", []) for c in p["status"].get("conditions", []) if c["type"] == "Ready" and c["status"] == "True")
nodes = len({p["spec"].get("nodeName") for p in kinds.get("Pod", [])})
pvcs = sorted((c["metadata"]["name"], c["status"]["phase"], c["metadata"]["labels"].get("app.kubernetes.io/instance", "")) for c in kinds.get("PersistentVolumeClaim", []))
sts = kinds["StatefulSet"][0]
svc = {s["metadata"]["name"]: s["spec"].get("clusterIP") for s in kinds.get("Service", [])}
print(" ".join(pods), ready, nodes)
print(" ".join(f"{n}:{p}:{l}" for n, p, l in pvcs))
print(sts["spec"]["replicas"], sts["status"].get("readyReplicas"), sts["status"].get("currentReplicas"))
print(svc.get("taosd"), len(kinds.get("ConfigMap", [])))
PY
)
expect_eq "-o json: three pods, all Ready, spread over three nodes" "tdengine-0 tdengine-1 tdengine-2 3 3" "$(sed -n 1p <<<"$summary")"
expect_eq "-o json: one Bound PVC per ordinal with the template labels" \
    "taosdata-tdengine-0:Bound:tdengine taosdata-tdengine-1:Bound:tdengine taosdata-tdengine-2:Bound:tdengine" "$(sed -n 2p <<<"$summary")"
expect_eq "-o json: StatefulSet status replicas/ready/current" "3 3 3" "$(sed -n 3p <<<"$summary")"
expect_eq "-o json: governing Service is headless, both ConfigMaps present" "None 2" "$(sed -n 4p <<<"$summary")"
table=$(k -n td get pods)
expect_match "default table has kubectl's pod columns" '^NAME +READY +STATUS +RESTARTS +AGE$' "$(head -1 <<<"$table")"
expect_eq "default table shows three 1/1 Running pods" "3" "$(grep -Ec '^tdengine-[0-2] +1/1 +Running +0 ' <<<"$table")"
expect_match "wide table has IP and NODE" 'sandbox-node-' "$(k -n td get pods -o wide)"

# --- watch, scale out and in ----------------------------------------------------------------
k -n td get pods -w > "$work/watch.out" 2>&1 &
watch_pid=$!
sleep 1
expect_eq "scale to 4" "statefulset.apps/tdengine scaled" "$(k -n td scale statefulset tdengine --replicas=4)"
k -n td wait --for=jsonpath='{.status.readyReplicas}'=4 sts/tdengine --timeout=60s >/dev/null 2>&1
expect_eq "tdengine-3 is Ready after scale-out" "True" "$(jp -n td get pod tdengine-3 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')"
expect_eq "its PVC taosdata-tdengine-3 is Bound" "Bound" "$(jp -n td get pvc taosdata-tdengine-3 -o jsonpath='{.status.phase}')"
k -n td scale statefulset tdengine --replicas=3 >/dev/null
k -n td wait --for=delete pod/tdengine-3 --timeout=60s >/dev/null 2>&1
expect_match "tdengine-3 is gone after scale-in" 'NotFound' "$(jp -n td get pod tdengine-3)"
expect_eq "scale-in keeps the PVC (whenScaled: Retain)" "Bound" "$(jp -n td get pvc taosdata-tdengine-3 -o jsonpath='{.status.phase}')"
sleep 0.5
kill $watch_pid 2>/dev/null; wait $watch_pid 2>/dev/null
expect_match "get pods -w saw tdengine-3 appear" '^tdengine-3 +0/1 ' "$(cat "$work/watch.out")"
expect_match "get pods -w saw tdengine-3 become Ready" '^tdengine-3 +1/1 +Running' "$(cat "$work/watch.out")"
expect_match "get pods -w saw tdengine-3 terminate" '^tdengine-3 .*Terminating' "$(cat "$work/watch.out")"

pv=$(jp -n td get pvc taosdata-tdengine-3 -o jsonpath='{.spec.volumeName}')
k -n td delete pvc taosdata-tdengine-3 --timeout=30s >/dev/null 2>&1
expect_match "the unused PVC is deleted" 'NotFound' "$(jp -n td get pvc taosdata-tdengine-3)"
expect_match "its PV goes too (reclaimPolicy Delete)" 'NotFound' "$(jp get pv "$pv")"
k -n td scale statefulset tdengine --replicas=4 >/dev/null
k -n td wait --for=jsonpath='{.status.readyReplicas}'=4 sts/tdengine --timeout=60s >/dev/null 2>&1
expect_match "scale-out again makes a new PVC with a new volume" '^pvc-' "$(jp -n td get pvc taosdata-tdengine-3 -o jsonpath='{.spec.volumeName}')"
[ "$(jp -n td get pvc taosdata-tdengine-3 -o jsonpath='{.spec.volumeName}')" != "$pv" ] && ok "the new volume is not the old one" || bad "the new volume is not the old one"
k -n td scale statefulset tdengine --replicas=3 >/dev/null
k -n td wait --for=delete pod/tdengine-3 --timeout=60s >/dev/null 2>&1

out=$(k -n td delete pvc -l app.kubernetes.io/instance=tdengine --wait=false 2>&1)
expect_eq "delete pvc -l deletes all four claims" "4" "$(grep -c 'deleted' <<<"$out")"
sleep 0.5
expect_match "the unused claim is gone at once" 'NotFound' "$(jp -n td get pvc taosdata-tdengine-3)"
expect_eq "claims still mounted stay Terminating (pvc-protection)" "3" \
    "$(k -n td get pvc --no-headers 2>/dev/null | grep -c Terminating)"

# --- server-side apply ----------------------------------------------------------------------
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ssa\n' | k apply --server-side -f - >/dev/null
out=$(k apply --server-side -n ssa -f "$manifests" 2>&1)
expect_match "apply --server-side creates the StatefulSet" 'statefulset.apps/tdengine serverside-applied' "$out"
expect_eq "the applier owns the fields (managedFields)" "kubectl:Apply" \
    "$(jp -n ssa get sts tdengine -o jsonpath='{range .metadata.managedFields[?(@.operation=="Apply")]}{.manager}:{.operation}{end}')"
sed 's/^  replicas: 3/  replicas: 2/' "$manifests/40-statefulset.yaml" > "$work/sts2.yaml"
out=$(k apply --server-side -n ssa -f "$work/sts2.yaml" 2>&1)
expect_match "a second apply with a changed field succeeds" 'serverside-applied' "$out"
expect_eq "and the cluster holds the new value" "2" "$(jp -n ssa get sts tdengine -o jsonpath='{.spec.replicas}')"
k -n ssa scale sts tdengine --replicas=5 >/dev/null
out=$(k apply --server-side -n ssa -f "$work/sts2.yaml" 2>&1); rc=$?
expect_eq "apply after someone else scaled fails" "1" "$rc"
expect_match "with a conflict naming the scaler and the field" 'conflict with "kubectl" with subresource "scale" using apps/v1: \.spec\.replicas' "$out"
expect_eq "the conflicting apply changed nothing" "5" "$(jp -n ssa get sts tdengine -o jsonpath='{.spec.replicas}')"
k apply --server-side --force-conflicts -n ssa -f "$work/sts2.yaml" >/dev/null 2>&1
expect_eq "--force-conflicts takes the field back" "2" "$(jp -n ssa get sts tdengine -o jsonpath='{.spec.replicas}')"
cm='apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  key: %s\n'
printf "$cm" one | k apply --server-side --field-manager=first -n ssa -f - >/dev/null
out=$(printf "$cm" two | k apply --server-side --field-manager=second -n ssa -f - 2>&1)
expect_match "a conflict with another applier names it without an apiVersion" 'conflict with "first": \.data\.key' "$out"
out=$(k apply --server-side --dry-run=server -n ssa -f "$manifests/40-statefulset.yaml" 2>&1)
expect_match "--dry-run=server is accepted" 'serverside-applied \(server dry run\)' "$out"
expect_eq "and changes nothing" "2" "$(jp -n ssa get sts tdengine -o jsonpath='{.spec.replicas}')"

# --- cascading deletes ------------------------------------------------------------------------
out=$(k -n ssa delete sts tdengine --cascade=foreground --timeout=60s 2>&1)
expect_eq "delete --cascade=foreground waits until the StatefulSet is gone" 'statefulset.apps "tdengine" deleted' "$out"
expect_eq "which went only after its pods" "0" "$(k -n ssa get pods --no-headers 2>/dev/null | wc -l | tr -d ' ')"
k apply --server-side -n ssa -f "$work/sts2.yaml" >/dev/null 2>&1
k -n ssa wait --for=jsonpath='{.status.readyReplicas}'=2 sts/tdengine --timeout=60s >/dev/null 2>&1
out=$(k -n ssa delete sts tdengine --cascade=orphan --timeout=60s 2>&1)
expect_eq "delete --cascade=orphan deletes the StatefulSet" 'statefulset.apps "tdengine" deleted' "$out"
sleep 0.3
expect_eq "and leaves its pods running" "2" "$(k -n ssa get pods --no-headers 2>/dev/null | grep -c Running)"
expect_eq "without an owner" "" "$(jp -n ssa get pod tdengine-0 -o jsonpath='{.metadata.ownerReferences}')"

out=$(k delete namespace ssa --timeout=60s 2>&1)
expect_eq "delete namespace waits until it is gone" 'namespace "ssa" deleted' "$out"
expect_match "its StatefulSet went with it" 'NotFound' "$(jp -n ssa get sts tdengine)"

# --- errors, identities ---------------------------------------------------------------------
out=$(k --context sandbox-viewer -n td get pods --no-headers 2>&1)
expect_eq "the viewer can list pods" "3" "$(grep -c Running <<<"$out")"
out=$(k --context sandbox-viewer -n td scale sts tdengine --replicas=5 2>&1); rc=$?
expect_eq "the viewer cannot scale" "1" "$rc"
expect_match "and is told why" 'Error from server \(Forbidden\): statefulsets.apps "tdengine" is forbidden: User "sandbox-viewer" cannot patch resource "statefulsets/scale" in API group "apps" in the namespace "td"' "$out"
expect_eq "nothing changed" "3" "$(jp -n td get sts tdengine -o jsonpath='{.spec.replicas}')"
out=$(k --context sandbox-exec -n td get pods --no-headers 2>&1)
expect_eq "the exec-plugin context lists pods" "3" "$(grep -c Running <<<"$out")"
[ -s "$KUBECONFIG.exec-plugin.sh.calls" ] && ok "kubectl ran the exec plugin" || bad "kubectl ran the exec plugin"
expect_match "a missing object is NotFound" 'Error from server \(NotFound\): pods "nope" not found' "$(jp -n td get pod nope)"
out=$(printf 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: broken\nspec:\n  serviceName: x\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      containers: [{name: c, image: i}]\n' | k -n td apply -f - 2>&1)
expect_match "an invalid StatefulSet is refused with the field" 'is invalid: spec.selector: Required value' "$out"
server=$(k config view --minify -o jsonpath='{.clusters[0].cluster.server}')
out=$(curl -sk "$server/api/v1/pods")
expect_match "no credentials: 401 with a Status" '"kind":"Status"' "$out"
expect_match "whose reason is Unauthorized" '"reason":"Unauthorized"' "$out"

# --- Pending for a missing StorageClass, injected crash ---------------------------------------
sed -e 's/^  name: tdengine$/  name: nosc/' -e 's/storageClassName: standard$/storageClassName: fast/' \
    "$manifests/40-statefulset.yaml" > "$work/nosc.yaml"
out=$(k -n td apply -f "$work/nosc.yaml" 2>&1)
expect_match "a StatefulSet asking for a missing storage class is accepted" 'statefulset.apps/nosc created' "$out"
sleep 1
expect_match "its pod stays Pending" '^nosc-0 +0/1 +Pending' "$(jp -n td get pod nosc-0 --no-headers)"
expect_match "its claim stays Pending" '^taosdata-nosc-0 +Pending' "$(jp -n td get pvc taosdata-nosc-0 --no-headers)"
events=$(k -n td get events 2>&1)
expect_match "with a FailedScheduling event" 'FailedScheduling' "$events"
expect_match "and ProvisioningFailed naming the class" 'storageclass.storage.k8s.io "fast" not found' "$events"
k create --raw /sandbox/v1/pods/td/tdengine-1/crash -f /dev/null >/dev/null 2>&1
sleep 0.3
expect_eq "a crashed container restarts in place" "1" "$(jp -n td get pod tdengine-1 -o jsonpath='{.status.containerStatuses[0].restartCount}')"
expect_match "and RESTARTS says when" '^tdengine-1 +[01]/1 +Running +1 \([0-9]+s ago\)' "$(k -n td get pod tdengine-1 --no-headers)"

uid_old=$(jp -n td get pod tdengine-2 -o jsonpath='{.metadata.uid}')
k -n td delete pod tdengine-2 --timeout=60s >/dev/null 2>&1
k -n td wait --for=condition=Ready pod/tdengine-2 --timeout=60s >/dev/null 2>&1
uid_new=$(jp -n td get pod tdengine-2 -o jsonpath='{.metadata.uid}')
[ -n "$uid_new" ] && [ "$uid_new" != "$uid_old" ] && ok "a deleted pod is re-created under the same name" || bad "a deleted pod is re-created under the same name" "$uid_old -> $uid_new"
expect_eq "the new pod starts with restartCount 0 on the same claim" "0 taosdata-tdengine-2" \
    "$(jp -n td get pod tdengine-2 -o jsonpath='{.status.containerStatuses[0].restartCount} {.spec.volumes[?(@.name=="taosdata")].persistentVolumeClaim.claimName}')"

echo '{"pods":200,"namespace":"bench"}' | k create --raw /sandbox/v1/preload -f - >/dev/null
expect_eq "preload adds pods for benchmarks" "200" "$(k -n bench get pods --no-headers | wc -l | tr -d ' ')"
expect_eq "and their claims" "200" "$(k -n bench get pvc --no-headers | wc -l | tr -d ' ')"
expect_eq "listed in pages with --chunk-size" "200" "$(k -n bench get pods --chunk-size=50 -o name | wc -l | tr -d ' ')"

# --- persistence and the access log -----------------------------------------------------------
rv_before=$(k get --raw /api/v1/namespaces/td/pods | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])')
uid_before=$(jp -n td get sts tdengine -o jsonpath='{.metadata.uid}')
stop_sandbox
start_sandbox
expect_eq "state survives a restart (same StatefulSet uid)" "$uid_before" "$(jp -n td get sts tdengine -o jsonpath='{.metadata.uid}')"
k -n td annotate sts tdengine tdkube.io/touched=yes >/dev/null
rv_after=$(jp -n td get sts tdengine -o jsonpath='{.metadata.resourceVersion}')
[ "$rv_after" -gt "$rv_before" ] && ok "resourceVersions keep increasing across restarts ($rv_before -> $rv_after)" || bad "resourceVersions keep increasing" "$rv_before -> $rv_after"
expect_match "the access log names method, path, status, user and agent" \
    'PATCH /apis/apps/v1/namespaces/td/statefulsets/tdengine/scale(\?[^ ]*)? 200 sandbox-admin "kubectl/v1' "$(cat "$work/access.log")"
expect_match "and the viewer's refusal" ' 403 sandbox-viewer ' "$(cat "$work/access.log")"

finish
