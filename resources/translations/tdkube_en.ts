<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ClusterDeleter</name>
    <message numerus="yes">
        <source>Deleting the claims destroys the data of %n volume(s) for good; this cannot be undone. Back up the databases first if you may need them.</source>
        <translation>
            <numerusform>Deleting the claims destroys the data of %n volume for good; this cannot be undone. Back up the databases first if you may need them.</numerusform>
            <numerusform>Deleting the claims destroys the data of %n volumes for good; this cannot be undone. Back up the databases first if you may need them.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ClusterState</name>
    <message numerus="yes">
        <source>only %n mnode(s)</source>
        <translation>
            <numerusform>only %n mnode</numerusform>
            <numerusform>only %n mnodes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %2 failed %n times: %3 (%4)</source>
        <translation>
            <numerusform>%1: %2 failed %n times: %3 (%4)</numerusform>
            <numerusform>%1: %2 failed %n times: %3 (%4)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n stale volume claim(s)</source>
        <translation>
            <numerusform>%n stale volume claim</numerusform>
            <numerusform>%n stale volume claims</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OpsCommand</name>
    <message numerus="yes">
        <source>%n operation(s) recorded in the cluster (context %1, namespace %2) that this workstation has no journal of; `tdkube resume ID -n NAMESPACE` takes an unfinished one over once its lease has expired:</source>
        <translation>
            <numerusform>%n operation recorded in the cluster (context %1, namespace %2) that this workstation has no journal of; `tdkube resume ID -n NAMESPACE` takes an unfinished one over once its lease has expired:</numerusform>
            <numerusform>%n operations recorded in the cluster (context %1, namespace %2) that this workstation has no journal of; `tdkube resume ID -n NAMESPACE` takes an unfinished one over once its lease has expired:</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Plan</name>
    <message numerus="yes">
        <source>Scale %1 out from %2 to %3 dnodes (%n step(s)): blocked</source>
        <translation>
            <numerusform>Scale %1 out from %2 to %3 dnodes (%n step): blocked</numerusform>
            <numerusform>Scale %1 out from %2 to %3 dnodes (%n steps): blocked</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Scale %1 out from %2 to %3 dnodes (%n step(s))</source>
        <translation>
            <numerusform>Scale %1 out from %2 to %3 dnodes (%n step)</numerusform>
            <numerusform>Scale %1 out from %2 to %3 dnodes (%n steps)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Scale %1 in from %2 to %3 dnodes (%n step(s)): blocked</source>
        <translation>
            <numerusform>Scale %1 in from %2 to %3 dnodes (%n step): blocked</numerusform>
            <numerusform>Scale %1 in from %2 to %3 dnodes (%n steps): blocked</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Scale %1 in from %2 to %3 dnodes (%n step(s))</source>
        <translation>
            <numerusform>Scale %1 in from %2 to %3 dnodes (%n step)</numerusform>
            <numerusform>Scale %1 in from %2 to %3 dnodes (%n steps)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Repair %1 (%n step(s)): blocked</source>
        <translation>
            <numerusform>Repair %1 (%n step): blocked</numerusform>
            <numerusform>Repair %1 (%n steps): blocked</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Repair %1 (%n step(s))</source>
        <translation>
            <numerusform>Repair %1 (%n step)</numerusform>
            <numerusform>Repair %1 (%n steps)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Change the configuration of %1 (%n step(s)): blocked</source>
        <translation>
            <numerusform>Change the configuration of %1 (%n step): blocked</numerusform>
            <numerusform>Change the configuration of %1 (%n steps): blocked</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Change the configuration of %1 (%n step(s))</source>
        <translation>
            <numerusform>Change the configuration of %1 (%n step)</numerusform>
            <numerusform>Change the configuration of %1 (%n steps)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Upgrade %1 (%n step(s)): blocked</source>
        <translation>
            <numerusform>Upgrade %1 (%n step): blocked</numerusform>
            <numerusform>Upgrade %1 (%n steps): blocked</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Upgrade %1 (%n step(s))</source>
        <translation>
            <numerusform>Upgrade %1 (%n step)</numerusform>
            <numerusform>Upgrade %1 (%n steps)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Deploy %1 with %2 dnodes (%n step(s)): blocked</source>
        <translation>
            <numerusform>Deploy %1 with %2 dnodes (%n step): blocked</numerusform>
            <numerusform>Deploy %1 with %2 dnodes (%n steps): blocked</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Deploy %1 with %2 dnodes (%n step(s))</source>
        <translation>
            <numerusform>Deploy %1 with %2 dnodes (%n step)</numerusform>
            <numerusform>Deploy %1 with %2 dnodes (%n steps)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete cluster %1 (%n step(s)): blocked</source>
        <translation>
            <numerusform>Delete cluster %1 (%n step): blocked</numerusform>
            <numerusform>Delete cluster %1 (%n steps): blocked</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete cluster %1 (%n step(s))</source>
        <translation>
            <numerusform>Delete cluster %1 (%n step)</numerusform>
            <numerusform>Delete cluster %1 (%n steps)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Planner</name>
    <message numerus="yes">
        <source>%n dnode(s)</source>
        <translation>
            <numerusform>%n dnode</numerusform>
            <numerusform>%n dnodes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>TDengine is running %n transaction(s): %1. Dropping a dnode or creating an mnode conflicts with a running transaction, and TDengine would refuse it half-way.</source>
        <translation>
            <numerusform>TDengine is running %n transaction: %1. Dropping a dnode or creating an mnode conflicts with a running transaction, and TDengine would refuse it half-way.</numerusform>
            <numerusform>TDengine is running %n transactions: %1. Dropping a dnode or creating an mnode conflicts with a running transaction, and TDengine would refuse it half-way.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Database %1 has replica %2: it needs %2 dnodes, and the scale-in would leave %n dnode(s). Its vgroups could not keep a majority and every query on it would fail.</source>
        <translation>
            <numerusform>Database %1 has replica %2: it needs %2 dnodes, and the scale-in would leave %n dnode. Its vgroups could not keep a majority and every query on it would fail.</numerusform>
            <numerusform>Database %1 has replica %2: it needs %2 dnodes, and the scale-in would leave %n dnodes. Its vgroups could not keep a majority and every query on it would fail.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The leaving dnodes hold %n vnode(s), but the dnodes that stay have room for only %1 more (support_vnodes minus the vnodes they hold).</source>
        <translation>
            <numerusform>The leaving dnodes hold %n vnode, but the dnodes that stay have room for only %1 more (support_vnodes minus the vnodes they hold).</numerusform>
            <numerusform>The leaving dnodes hold %n vnodes, but the dnodes that stay have room for only %1 more (support_vnodes minus the vnodes they hold).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>dnode %1 (pod %2) holds an mnode, and no dnode that stays is free to take it: TDengine keeps at most one mnode per dnode, and the cluster has %n mnode(s) for %3 staying.</source>
        <extracomment>%3: a number of dnodes, &quot;%n dnode(s)&quot;</extracomment>
        <translation>
            <numerusform>dnode %1 (pod %2) holds an mnode, and no dnode that stays is free to take it: TDengine keeps at most one mnode per dnode, and the cluster has %n mnode for %3 staying.</numerusform>
            <numerusform>dnode %1 (pod %2) holds an mnode, and no dnode that stays is free to take it: TDengine keeps at most one mnode per dnode, and the cluster has %n mnodes for %3 staying.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>`drop dnode %1` moves its %n vnode(s) to the dnodes that stay; tdkube waits until the dnode has left `show dnodes`, showing progress from `show transactions`.</source>
        <translation>
            <numerusform>`drop dnode %1` moves its %n vnode to the dnodes that stay; tdkube waits until the dnode has left `show dnodes`, showing progress from `show transactions`.</numerusform>
            <numerusform>`drop dnode %1` moves its %n vnodes to the dnodes that stay; tdkube waits until the dnode has left `show dnodes`, showing progress from `show transactions`.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>dnode %1 (%2) is dropping: a drop-dnode transaction is moving its %n vnode(s) to the other dnodes. No transaction is running now.</source>
        <translation>
            <numerusform>dnode %1 (%2) is dropping: a drop-dnode transaction is moving its %n vnode to the other dnodes. No transaction is running now.</numerusform>
            <numerusform>dnode %1 (%2) is dropping: a drop-dnode transaction is moving its %n vnodes to the other dnodes. No transaction is running now.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>dnode %1 (%2) is dropping: a drop-dnode transaction is moving its %n vnode(s) to the other dnodes. Running: %3.</source>
        <translation>
            <numerusform>dnode %1 (%2) is dropping: a drop-dnode transaction is moving its %n vnode to the other dnodes. Running: %3.</numerusform>
            <numerusform>dnode %1 (%2) is dropping: a drop-dnode transaction is moving its %n vnodes to the other dnodes. Running: %3.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Scaling %1 in to %2 is not possible: it has %n dnode(s) now, and a scale-in goes to at least 1 and to fewer than it has.</source>
        <translation>
            <numerusform>Scaling %1 in to %2 is not possible: it has %n dnode now, and a scale-in goes to at least 1 and to fewer than it has.</numerusform>
            <numerusform>Scaling %1 in to %2 is not possible: it has %n dnodes now, and a scale-in goes to at least 1 and to fewer than it has.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Scaling %1 out to %2 is not possible: it has %n dnode(s) already.</source>
        <translation>
            <numerusform>Scaling %1 out to %2 is not possible: it has %n dnode already.</numerusform>
            <numerusform>Scaling %1 out to %2 is not possible: it has %n dnodes already.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Database %1 has replica %2, and only %n dnode(s) would remain.</source>
        <translation>
            <numerusform>Database %1 has replica %2, and only %n dnode would remain.</numerusform>
            <numerusform>Database %1 has replica %2, and only %n dnodes would remain.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n dnode(s) ready, mnodes healthy, and no table with fewer rows than before.</source>
        <translation>
            <numerusform>%n dnode ready, mnodes healthy, and no table with fewer rows than before.</numerusform>
            <numerusform>%n dnodes ready, mnodes healthy, and no table with fewer rows than before.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n dnode(s) ready, the cluster answering with TDengine %1, mnodes healthy, and no table with fewer rows than before.</source>
        <translation>
            <numerusform>%n dnode ready, the cluster answering with TDengine %1, mnodes healthy, and no table with fewer rows than before.</numerusform>
            <numerusform>%n dnodes ready, the cluster answering with TDengine %1, mnodes healthy, and no table with fewer rows than before.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n dnode(s) ready and the mnodes healthy.</source>
        <translation>
            <numerusform>%n dnode ready and the mnodes healthy.</numerusform>
            <numerusform>%n dnodes ready and the mnodes healthy.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>apply %n object(s)</source>
        <translation>
            <numerusform>apply %n object</numerusform>
            <numerusform>apply %n objects</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>wait for %n pod(s) Ready</source>
        <translation>
            <numerusform>wait for %n pod Ready</numerusform>
            <numerusform>wait for %n pods Ready</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>wait for %n dnode(s) ready</source>
        <translation>
            <numerusform>wait for %n dnode ready</numerusform>
            <numerusform>wait for %n dnodes ready</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n Service(s)</source>
        <translation>
            <numerusform>%n Service</numerusform>
            <numerusform>%n Services</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ConfigMap(s)</source>
        <translation>
            <numerusform>%n ConfigMap</numerusform>
            <numerusform>%n ConfigMaps</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::deploy::DeployMonitor</name>
    <message numerus="yes">
        <source>%n row(s)</source>
        <translation>
            <numerusform>%n row</numerusform>
            <numerusform>%n rows</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n pod(s) Ready</source>
        <translation>
            <numerusform>%n pod Ready</numerusform>
            <numerusform>%n pods Ready</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::kube::ExecCredentialSource</name>
    <message numerus="yes">
        <source>(%n more lines)</source>
        <translation>
            <numerusform>(%n more lines)</numerusform>
            <numerusform>(%n more lines)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ops::Executor</name>
    <message numerus="yes">
        <source>%n vnode(s) left on dnode %1</source>
        <translation>
            <numerusform>%n vnode left on dnode %1</numerusform>
            <numerusform>%n vnodes left on dnode %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>the API server to apply %n object(s)</source>
        <translation>
            <numerusform>the API server to apply %n object</numerusform>
            <numerusform>the API server to apply %n objects</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) applied.</source>
        <translation>
            <numerusform>%n object applied.</numerusform>
            <numerusform>%n objects applied.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ClusterView</name>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n minute</numerusform>
            <numerusform>%n minutes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ConnectionBar</name>
    <message numerus="yes">
        <source>%n kubeconfig problem(s)</source>
        <translation>
            <numerusform>%n kubeconfig problem</numerusform>
            <numerusform>%n kubeconfig problems</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ui::DeleteClusterDialog</name>
    <message numerus="yes">
        <source>Also delete the %n volume claim(s): the TDengine data</source>
        <translation>
            <numerusform>Also delete the %n volume claim: the TDengine data</numerusform>
            <numerusform>Also delete the %n volume claims: the TDengine data</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ui::DeployProgressPage</name>
    <message numerus="yes">
        <source>all %n pod(s) Ready</source>
        <translation>
            <numerusform>all %n pod Ready</numerusform>
            <numerusform>all %n pods Ready</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n dnode(s) joined</source>
        <translation>
            <numerusform>%n dnode joined</numerusform>
            <numerusform>%n dnodes joined</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ui::DeployReviewPage</name>
    <message numerus="yes">
        <source>Wait for %n dnode(s) to be ready in TDengine</source>
        <translation>
            <numerusform>Wait for %n dnode to be ready in TDengine</numerusform>
            <numerusform>Wait for %n dnodes to be ready in TDengine</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Asking the server for a dry-run of %n object(s)…</source>
        <translation>
            <numerusform>Asking the server for a dry-run of %n object…</numerusform>
            <numerusform>Asking the server for a dry-run of %n objects…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) need attention before Apply.</source>
        <translation>
            <numerusform>%n object needs attention before Apply.</numerusform>
            <numerusform>%n objects need attention before Apply.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ui::FindBar</name>
    <message numerus="yes">
        <source>%n replaced</source>
        <translation>
            <numerusform>%n replaced</numerusform>
            <numerusform>%n replaced</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ui::LogView</name>
    <message numerus="yes">
        <source>The log stream ended (%n line(s)).</source>
        <translation>
            <numerusform>The log stream ended (%n line).</numerusform>
            <numerusform>The log stream ended (%n lines).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n match(es) for &quot;%1&quot;.</source>
        <translation>
            <numerusform>%n match for &quot;%1&quot;.</numerusform>
            <numerusform>%n matches for &quot;%1&quot;.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ObjectEditorDialog</name>
    <message numerus="yes">
        <source>Edit one object here (found %n documents).</source>
        <translation>
            <numerusform>Edit one object here (found %n documents).</numerusform>
            <numerusform>Edit one object here (found %n documents).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ResourceView</name>
    <message numerus="yes">
        <source>%n object(s)</source>
        <translation>
            <numerusform>%n object</numerusform>
            <numerusform>%n objects</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ScaleTargetPage</name>
    <message numerus="yes">
        <source>StatefulSet %1 has %n replica(s) now.</source>
        <translation>
            <numerusform>StatefulSet %1 has %n replica now.</numerusform>
            <numerusform>StatefulSet %1 has %n replicas now.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Scale-out: adds %n pod(s) (%1) and their dnodes.</source>
        <translation>
            <numerusform>Scale-out: adds %n pod (%1) and its dnode.</numerusform>
            <numerusform>Scale-out: adds %n pods (%1) and their dnodes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Safe scale-in: drops the dnodes of %n pod(s) (%1) first, so that their data moves to the others, then removes the pods and their claims.</source>
        <translation>
            <numerusform>Safe scale-in: drops the dnode of %n pod (%1) first, so that its data moves to the others, then removes the pod and its claims.</numerusform>
            <numerusform>Safe scale-in: drops the dnodes of %n pods (%1) first, so that their data moves to the others, then removes the pods and their claims.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ui::SqlConsole</name>
    <message numerus="yes">
        <source>%n row(s) affected in %1 ms, server %2 ms.</source>
        <translation>
            <numerusform>%n row affected in %1 ms, server %2 ms.</numerusform>
            <numerusform>%n rows affected in %1 ms, server %2 ms.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) in %1 ms, server %2 ms.</source>
        <translation>
            <numerusform>%n row in %1 ms, server %2 ms.</numerusform>
            <numerusform>%n rows in %1 ms, server %2 ms.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) affected in %1 ms.</source>
        <translation>
            <numerusform>%n row affected in %1 ms.</numerusform>
            <numerusform>%n rows affected in %1 ms.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) in %1 ms.</source>
        <translation>
            <numerusform>%n row in %1 ms.</numerusform>
            <numerusform>%n rows in %1 ms.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ui::YamlEditor</name>
    <message numerus="yes">
        <source>%n problem(s) — line %1, column %2: %3</source>
        <translation>
            <numerusform>%n problem — line %1, column %2: %3</numerusform>
            <numerusform>%n problems — line %1, column %2: %3</numerusform>
        </translation>
    </message>
</context>
</TS>
