<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ApiStatus</name>
    <message>
        <source>Check the credentials of this context in your kubeconfig (token, client certificate or exec plugin); they may have expired.</source>
        <translation>请检查 kubeconfig 中此上下文的凭据（令牌、客户端证书或 exec 插件），它们可能已过期。</translation>
    </message>
    <message>
        <source>Your user lacks the permission; ask the cluster administrator for a role that allows it, or switch to a context that has it.</source>
        <translation>当前用户缺少该权限；请向集群管理员申请允许此操作的角色，或切换到具有该权限的上下文。</translation>
    </message>
    <message>
        <source>It may have been deleted meanwhile; refresh and check the namespace.</source>
        <translation>它可能已在此期间被删除；请刷新并检查命名空间。</translation>
    </message>
    <message>
        <source>Choose another name, or update the existing object instead.</source>
        <translation>请换一个名称，或改为更新现有对象。</translation>
    </message>
    <message>
        <source>Someone else changed it meanwhile; reload the live object and try again.</source>
        <translation>其他人已在此期间修改了它；请重新加载实时对象后重试。</translation>
    </message>
    <message>
        <source>Correct the fields named above and try again.</source>
        <translation>请更正上面指出的字段后重试。</translation>
    </message>
    <message>
        <source>The API server is busy or failing; tdkube retries watches by itself, other actions can be retried in a moment.</source>
        <translation>API 服务器繁忙或出现故障；tdkube 会自动重试监视（watch），其他操作可稍后重试。</translation>
    </message>
    <message>
        <source>the server answered HTTP %1 without an explanation</source>
        <translation>服务器返回了 HTTP %1，但未给出说明</translation>
    </message>
    <message>
        <source>The API server refused the request</source>
        <translation>API 服务器拒绝了该请求</translation>
    </message>
</context>
<context>
    <name>ClusterDeleter</name>
    <message>
        <source>the governing Service: the pods' DNS names (&lt;pod&gt;.%1) stop resolving</source>
        <translation>管控 Service：Pod 的 DNS 名称（&lt;pod&gt;.%1）将无法再解析</translation>
    </message>
    <message>
        <source>clients that reach TDengine through this Service (port %1) lose access</source>
        <extracomment>%1 is one port or a list of ports ("6041, 6030")</extracomment>
        <translation>经由此 Service（端口 %1）访问 TDengine 的客户端将失去连接</translation>
    </message>
    <message>
        <source>not bound to a volume: no data is stored in it</source>
        <translation>未绑定到存储卷：其中没有存储数据</translation>
    </message>
    <message>
        <source>PV %1 was not found (it may be gone already, or you may not be allowed to read PersistentVolumes): what happens to its data depends on its reclaim policy</source>
        <translation>未找到 PV %1（它可能已被删除，或你无权读取 PersistentVolume）：其数据会怎样取决于它的回收策略</translation>
    </message>
    <message>
        <source>PV %1 (reclaim policy Delete): the volume and its data are destroyed</source>
        <translation>PV %1（回收策略 Delete）：存储卷及其数据将被销毁</translation>
    </message>
    <message>
        <source>PV %1 (reclaim policy Retain): the volume stays, Released, with the data; delete it by hand to free the space</source>
        <translation>PV %1（回收策略 Retain）：存储卷连同数据保留，处于 Released 状态；需手动删除以释放空间</translation>
    </message>
    <message>
        <source>PV %1 (reclaim policy Recycle): the volume is wiped and offered to new claims; its data is destroyed</source>
        <translation>PV %1（回收策略 Recycle）：存储卷被清空后提供给新的存储卷声明；其数据将被销毁</translation>
    </message>
    <message>
        <source>PV %1 (reclaim policy %2): what happens to the data depends on the storage provider</source>
        <translation>PV %1（回收策略 %2）：数据会怎样取决于存储提供方</translation>
    </message>
    <message>
        <source>The StatefulSet's persistentVolumeClaimRetentionPolicy.whenDeleted is Delete: Kubernetes deletes its claims (%1) with it even though you keep them here.</source>
        <translation>该 StatefulSet 的 persistentVolumeClaimRetentionPolicy.whenDeleted 为 Delete：即使你在此选择保留，Kubernetes 也会随它一起删除其存储卷声明（%1）。</translation>
    </message>
    <message>
        <source>The claims %1 are kept with their data. A new cluster named %2 in namespace %3 would start on this old data; delete them when you no longer need it.</source>
        <translation>存储卷声明 %1 及其数据将被保留。在命名空间 %3 中新建名为 %2 的集群会基于这些旧数据启动；不再需要这些数据时请删除它们。</translation>
    </message>
    <message numerus="yes">
        <source>Deleting the claims destroys the data of %n volume(s) for good; this cannot be undone. Back up the databases first if you may need them.</source>
        <translation>
            <numerusform>删除存储卷声明会永久销毁 %n 个存储卷的数据，且无法撤销。如果以后可能还需要这些数据库，请先备份。</numerusform>
        </translation>
    </message>
    <message>
        <source>its %1 pod(s) stop and TDengine on them shuts down</source>
        <translation>其 %1 个 Pod 将停止，上面的 TDengine 随之关闭</translation>
    </message>
    <message>
        <source>the TDengine settings in it are lost; keep a copy (kubectl get configmap %1 -o yaml) if you may recreate the cluster</source>
        <translation>其中的 TDengine 设置将丢失；如果以后可能重建集群，请先保存一份（kubectl get configmap %1 -o yaml）</translation>
    </message>
    <message>
        <source>Listing the %1 of namespace %2 failed: %3</source>
        <extracomment>%1 is a resource as the API names it: services, configmaps, pods, ...</extracomment>
        <translation>列出命名空间 %2 中的 %1 失败：%3</translation>
    </message>
    <message>
        <source>Reading StatefulSet %1 in namespace %2 failed: %3</source>
        <translation>读取命名空间 %2 中的 StatefulSet %1 失败：%3</translation>
    </message>
</context>
<context>
    <name>ClusterSpec</name>
    <message>
        <source>ConfigMap %1: taos.cfg settings shared by every dnode (TAOS_* via envFrom)</source>
        <extracomment>a comment at the top of the ConfigMap's YAML; %1 is its name</extracomment>
        <translation>ConfigMap %1：所有 dnode 共享的 taos.cfg 设置（通过 envFrom 以 TAOS_* 传入）</translation>
    </message>
    <message>
        <source>StatefulSet %1: the TDengine cluster, one dnode per pod</source>
        <extracomment>a comment at the top of the StatefulSet's YAML; %1 is its name</extracomment>
        <translation>StatefulSet %1：TDengine 集群，每个 Pod 一个 dnode</translation>
    </message>
    <message>
        <source>Service %1: headless, governs the StatefulSet; pod DNS names are the dnode FQDNs</source>
        <extracomment>a comment at the top of the headless Service's YAML; %1 is its name</extracomment>
        <translation>Service %1：无头 Service，管控该 StatefulSet；Pod 的 DNS 名称即 dnode 的 FQDN</translation>
    </message>
    <message>
        <source>Service %1: for clients, taosAdapter REST/WebSocket and native taosd</source>
        <extracomment>a comment at the top of the client Service's YAML; %1 is its name</extracomment>
        <translation>Service %1：供客户端使用，提供 taosAdapter REST/WebSocket 和原生 taosd 连接</translation>
    </message>
    <message>
        <source>Could not create the folder %1. Check that its parent exists and is writable, or choose another folder.</source>
        <translation>无法创建文件夹 %1。请检查其上级目录是否存在且可写，或选择其他文件夹。</translation>
    </message>
    <message>
        <source>Could not write %1: %2. Free some space or choose another folder.</source>
        <translation>无法写入 %1：%2。请释放一些空间，或选择其他文件夹。</translation>
    </message>
</context>
<context>
    <name>ClusterState</name>
    <message>
        <source>dnode %1 has no pod</source>
        <translation>dnode %1 没有对应的 Pod</translation>
    </message>
    <message>
        <source>dnode %1 (%2) is still part of the cluster, but pod %3 does not exist: the StatefulSet was scaled in without `drop dnode %1`. Its %4 vnode(s) are unavailable. Scale the StatefulSet back out so that %3 returns with its data, then scale in safely with tdkube (it drops the dnode first). If its claim is gone too, Repair… on this page drops the dnode for good (`drop dnode %1 force`, or `unsafe` when it held the only copy of some data) and says what data that loses.</source>
        <translation>dnode %1（%2）仍属于集群，但 Pod %3 不存在：StatefulSet 在未执行 `drop dnode %1` 的情况下被缩容了。它的 %4 个 vnode 不可用。请将 StatefulSet 重新扩容，使 %3 带着原有数据恢复，然后用 tdkube 安全缩容（它会先删除该 dnode）。如果它的存储卷声明也已不存在，本页的“修复…”会永久删除该 dnode（`drop dnode %1 force`；当它持有某些数据的唯一副本时使用 `unsafe`），并说明这会丢失哪些数据。</translation>
    </message>
    <message>
        <source>unknown</source>
        <extracomment>a pod's phase when it has none</extracomment>
        <translation>未知</translation>
    </message>
    <message>
        <source>dnode %1 (%2) does not answer the cluster. Its pod %3 is %4 and Ready. Look at the pod's events and logs; the vnodes it holds have lost a replica until it returns.</source>
        <translation>dnode %1（%2）不响应集群。它的 Pod %3 处于 %4 状态且已就绪。请查看该 Pod 的事件和日志；在它恢复之前，它所承载的 vnode 都少了一个副本。</translation>
    </message>
    <message>
        <source>dnode %1 (%2) does not answer the cluster. Its pod %3 is %4 and not Ready. Look at the pod's events and logs; the vnodes it holds have lost a replica until it returns.</source>
        <translation>dnode %1（%2）不响应集群。它的 Pod %3 处于 %4 状态且未就绪。请查看该 Pod 的事件和日志；在它恢复之前，它所承载的 vnode 都少了一个副本。</translation>
    </message>
    <message>
        <source>dnode %1 is offline</source>
        <translation>dnode %1 离线</translation>
    </message>
    <message>
        <source>dnode %1 is being dropped</source>
        <translation>dnode %1 正在删除</translation>
    </message>
    <message>
        <source>dnode %1 is being dropped and is offline</source>
        <translation>dnode %1 正在删除且已离线</translation>
    </message>
    <message>
        <source>Its vnodes are moving to the other dnodes. Do not delete pod %1 or its volume until dnode %2 has left `show dnodes`.</source>
        <translation>它的 vnode 正在迁移到其他 dnode。在 dnode %2 从 `show dnodes` 中消失之前，不要删除 Pod %1 或其存储卷。</translation>
    </message>
    <message>
        <source>Its vnodes are moving to the other dnodes from their other replicas (it does not answer: status msg timeout); `show transactions` says whether the drop goes on. Do not delete pod %1 or its volume until dnode %2 has left `show dnodes`.</source>
        <translation>它的 vnode 正在由其他副本复制到其他 dnode（它不响应：status msg timeout）；`show transactions` 可显示删除是否仍在进行。在 dnode %2 从 `show dnodes` 中消失之前，不要删除 Pod %1 或其存储卷。</translation>
    </message>
    <message>
        <source>pod %1 is not a dnode</source>
        <translation>Pod %1 不是 dnode</translation>
    </message>
    <message>
        <source>Pod %1 runs, but the cluster has no dnode with its endpoint: it did not join. Its logs say why; a volume that still holds an old dnode's identity (a stale claim reused by a scale-out) prevents joining.</source>
        <translation>Pod %1 在运行，但集群中没有使用其端点的 dnode：它没有加入集群。原因见它的日志；如果存储卷中仍保留着旧 dnode 的身份（扩容时重用了残留的存储卷声明），它就无法加入。</translation>
    </message>
    <message>
        <source>%1 of %2 mnode(s) are ready and none is the leader. Without a leader the cluster cannot create databases, tables or users, nor move vnodes. Bring the offline mnodes' pods back.</source>
        <translation>%2 个 mnode 中有 %1 个就绪，且没有 leader。没有 leader，集群就无法创建数据库、表或用户，也无法迁移 vnode。请恢复离线 mnode 的 Pod。</translation>
    </message>
    <message>
        <source>%1 of %2 mnode(s) are ready. Without a quorum the cluster cannot create databases, tables or users, nor move vnodes. Bring the offline mnodes' pods back.</source>
        <translation>%2 个 mnode 中有 %1 个就绪。没有多数派，集群就无法创建数据库、表或用户，也无法迁移 vnode。请恢复离线 mnode 的 Pod。</translation>
    </message>
    <message>
        <source>the mnodes have no quorum</source>
        <translation>mnode 没有多数派</translation>
    </message>
    <message numerus="yes">
        <source>only %n mnode(s)</source>
        <translation>
            <numerusform>只有 %n 个 mnode</numerusform>
        </translation>
    </message>
    <message>
        <source>With %1 dnodes the cluster should have 3 mnodes, so that it survives losing one. Create them on two more dnodes, e.g. `create mnode on dnode 2` and `create mnode on dnode 3`.</source>
        <translation>集群有 %1 个 dnode 时应当有 3 个 mnode，这样失去其中一个时仍能工作。请在另外两个 dnode 上创建 mnode，例如 `create mnode on dnode 2` 和 `create mnode on dnode 3`。</translation>
    </message>
    <message>
        <source>database %1 needs %2 dnodes</source>
        <translation>数据库 %1 需要 %2 个 dnode</translation>
    </message>
    <message>
        <source>Database %1 keeps %2 replicas, but only %3 dnode(s) are ready: its vgroups cannot reach a majority and writes fail. Bring dnodes back, and never scale in below %2.</source>
        <translation>数据库 %1 为 %2 副本，但只有 %3 个 dnode 就绪：它的 vgroup 无法达到多数派，写入会失败。请恢复 dnode，并且切勿缩容到少于 %2 个 dnode。</translation>
    </message>
    <message>
        <source>dnode %1 lost its vnodes</source>
        <translation>dnode %1 丢失了它的 vnode</translation>
    </message>
    <message>
        <source>dnode %1 lost its vnodes and data of %2</source>
        <translation>dnode %1 丢失了它的 vnode 以及 %2 的数据</translation>
    </message>
    <message>
        <source>dnode %1 (%2) joined the cluster on %3, but pod %4 now runs on a volume claim created on %5: its data directory is new, and its vnodes of vgroup(s) %6 (database %7) are gone, whatever `show vgroups` says (TDengine keeps showing the roles they had when the pod came back within seconds), and TDengine does not rebuild them by itself. Those vgroups run a replica short, reads may be sent to the empty dnode and fail, and they stop when one more replica goes. (Not so if that claim was restored with the dnode's data, from a volume snapshot say: tdkube cannot tell that from the claim.)</source>
        <translation>dnode %1（%2）于 %3 加入集群，但 Pod %4 现在运行在创建于 %5 的存储卷声明上：它的数据目录是新的，它在 vgroup %6（数据库 %7）中的 vnode 已经丢失，无论 `show vgroups` 显示什么（如果 Pod 在几秒内恢复，TDengine 会继续显示这些 vnode 原来的角色），而且 TDengine 不会自行重建它们。这些 vgroup 少一个副本在运行，读请求可能被发往这个空的 dnode 而失败，再失去一个副本时它们就会停止工作。（如果该存储卷声明是连同该 dnode 的数据一起恢复的，例如从存储卷快照恢复，则不是这样：tdkube 无法从存储卷声明上判断这一点。）</translation>
    </message>
    <message>
        <source>dnode %1 (%2) is ready, but its vnodes of vgroup(s) %3 (database %4) are offline more than %5 s after it started: its data directory came back empty (pod %6 on a new volume claim), and TDengine does not rebuild them by itself. Those vgroups run a replica short, and stop when one more replica goes.</source>
        <translation>dnode %1（%2）已就绪，但在它启动超过 %5 s 之后，它在 vgroup %3（数据库 %4）中的 vnode 仍然离线：它的数据目录恢复后是空的（Pod %6 使用了新的存储卷声明），而且 TDengine 不会自行重建它们。这些 vgroup 少一个副本在运行，再失去一个副本时就会停止工作。</translation>
    </message>
    <message>
        <source>The data of %1 (replica 1) that was on it is gone for good.</source>
        <translation>它上面 %1（1 副本）的数据已永久丢失。</translation>
    </message>
    <message>
        <source>To rebuild them: `drop dnode %1` while another dnode can take its vnodes (with only as many dnodes as the largest replica, scale out by one first), and TDengine copies them there from their other replicas; then delete pod %2 and its claim so that it joins again as a new dnode. Do not delete another pod or claim meanwhile.</source>
        <translation>重建方法：在有其他 dnode 可以接收其 vnode 时执行 `drop dnode %1`（如果 dnode 数量只等于最大副本数，请先扩容一个），TDengine 会从其他副本把这些 vnode 复制过去；然后删除 Pod %2 及其存储卷声明，使它作为新的 dnode 重新加入。在此期间不要删除其他 Pod 或存储卷声明。</translation>
    </message>
    <message>
        <source>unknown operation</source>
        <extracomment>a transaction's operation when TDengine names none</extracomment>
        <translation>未知操作</translation>
    </message>
    <message>
        <source>transaction %1 (%2)</source>
        <translation>事务 %1（%2）</translation>
    </message>
    <message>
        <source>transaction %1 (%2, stage %3)</source>
        <translation>事务 %1（%2，阶段 %3）</translation>
    </message>
    <message>
        <source>action %1</source>
        <translation>动作 %1</translation>
    </message>
    <message>
        <source>action %1 (%2)</source>
        <extracomment>%2 is TDengine's name of the message the action sends (alter-confirm)</extracomment>
        <translation>动作 %1（%2）</translation>
    </message>
    <message>
        <source>action %1 (%2 to %3)</source>
        <extracomment>%2 is TDengine's name of the message the action sends (alter-confirm), %3 the endpoint it goes to</extracomment>
        <translation>动作 %1（%2，发往 %3）</translation>
    </message>
    <message>
        <source>%1: %2 done</source>
        <extracomment>%1 is a transaction, %2 its last action</extracomment>
        <translation>%1：%2 已完成</translation>
    </message>
    <message>
        <source>%1: %2 under way</source>
        <translation>%1：%2 进行中</translation>
    </message>
    <message>
        <source>%1: %2 waiting: %3 (%4)</source>
        <extracomment>%3 is TDengine's text of the error code %4</extracomment>
        <translation>%1：%2 等待中：%3（%4）</translation>
    </message>
    <message>
        <source>%1: %2 failed once: %3 (%4)</source>
        <translation>%1：%2 已失败一次：%3（%4）</translation>
    </message>
    <message numerus="yes">
        <source>%1: %2 failed %n times: %3 (%4)</source>
        <translation>
            <numerusform>%1：%2 已失败 %n 次：%3（%4）</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2 failed: %3 (%4)</source>
        <translation>%1：%2 失败：%3（%4）</translation>
    </message>
    <message>
        <source>TDengine retries it until what it needs is back (often a dnode that is offline: bring its pod back); `show transactions` shows how it goes. Only if that cannot come back, `kill transaction %1` ends it (on 3.3 where `show transactions` says it is killable): TDengine then counts its remaining actions as done without doing them, so its metadata may say vnodes moved that did not; read the vgroups afterwards.</source>
        <translation>TDengine 会一直重试，直到它所需的条件恢复（通常是某个离线的 dnode：请恢复其 Pod）；`show transactions` 可查看进展。只有在无法恢复时，才用 `kill transaction %1` 结束它（在 3.3 上，且 `show transactions` 显示它可被终止时）：之后 TDengine 会把其余动作视为已完成而不实际执行，因此其元数据可能显示某些 vnode 已迁移而实际并未迁移；之后请检查 vgroup。</translation>
    </message>
    <message numerus="yes">
        <source>%n stale volume claim(s)</source>
        <translation>
            <numerusform>%n 个残留的存储卷声明</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: left behind by a scale-in. A later scale-out would give the new pods these claims back, with the old dnodes' data and identity. Delete them once their dnodes are dropped.</source>
        <translation>%1：缩容后遗留。以后扩容时，新的 Pod 会重新用上这些存储卷声明，带着旧 dnode 的数据和身份。请在对应的 dnode 删除之后删除它们。</translation>
    </message>
    <message>
        <source>transaction %1 (%2) is stuck</source>
        <translation>事务 %1（%2）卡住了</translation>
    </message>
    <message>
        <source>transaction %1 is running: %2</source>
        <translation>事务 %1 正在运行：%2</translation>
    </message>
</context>
<context>
    <name>ConnectionSettings</name>
    <message>
        <source>cannot read %1 %2: %3 (%4, context %5)</source>
        <extracomment>%1 is a kubeconfig field (client-key, tokenFile), %4 "cluster NAME" or "user NAME"</extracomment>
        <translation>无法读取 %1 %2：%3（%4，上下文 %5）</translation>
    </message>
    <message>
        <source>proxy-url %1 of cluster %2 (context %3) is not an http://, https:// or socks5:// URL</source>
        <translation>集群 %2（上下文 %3）的 proxy-url %1 不是 http://、https:// 或 socks5:// URL</translation>
    </message>
    <message>
        <source>cluster %1</source>
        <extracomment>the kubeconfig entry a file is named in</extracomment>
        <translation>集群 %1</translation>
    </message>
    <message>
        <source>user %1</source>
        <extracomment>the kubeconfig entry a file is named in</extracomment>
        <translation>用户 %1</translation>
    </message>
    <message>
        <source>server %1 of cluster %2 (context %3) is not an https:// URL</source>
        <translation>集群 %2（上下文 %3）的 server %1 不是 https:// URL</translation>
    </message>
    <message>
        <source>certificate-authority-data of cluster %1</source>
        <translation>集群 %1 的 certificate-authority-data</translation>
    </message>
    <message>
        <source>file %1</source>
        <translation>文件 %1</translation>
    </message>
    <message>
        <source>user %1 (context %2) uses the auth-provider %3, which tdkube does not support; use an exec plugin instead</source>
        <translation>用户 %1（上下文 %2）使用了 tdkube 不支持的 auth-provider %3；请改用 exec 插件</translation>
    </message>
</context>
<context>
    <name>Explain</name>
    <message>
        <source>Its volume claim %1 names no storage class, and the cluster has no default storage class. Mark a class as the default (annotation storageclass.kubernetes.io/is-default-class: "true"), or set storageClassName in the StatefulSet's volumeClaimTemplates.</source>
        <translation>它的存储卷声明 %1 未指定存储类，而集群没有默认存储类。请将某个存储类标记为默认（注解 storageclass.kubernetes.io/is-default-class: "true"），或在 StatefulSet 的 volumeClaimTemplates 中设置 storageClassName。</translation>
    </message>
    <message>
        <source>none</source>
        <extracomment>the storage classes a cluster has, when it has none</extracomment>
        <translation>无</translation>
    </message>
    <message>
        <source>Its volume claim %1 asks for the storage class "%2", which this cluster does not have (it has: %3). Create that class, or delete the claim and set an existing class in the StatefulSet's volumeClaimTemplates (a claim's class cannot be changed).</source>
        <translation>它的存储卷声明 %1 请求的存储类 "%2" 在此集群中不存在（现有：%3）。请创建该存储类，或删除该存储卷声明并在 StatefulSet 的 volumeClaimTemplates 中设置一个现有的存储类（存储卷声明的存储类无法更改）。</translation>
    </message>
    <message>
        <source>Its volume claim %1 is not bound yet: %2</source>
        <translation>它的存储卷声明 %1 尚未绑定：%2</translation>
    </message>
    <message>
        <source>Its volume claim %1 is waiting for a volume (storage class "%2"); the provisioner has not reported a failure yet.</source>
        <translation>它的存储卷声明 %1 正在等待存储卷（存储类 "%2"）；制备器尚未报告失败。</translation>
    </message>
    <message>
        <source>It waits for its volume claim %1, which does not exist. A StatefulSet's controller creates it from volumeClaimTemplates; a claim made by hand must be created before the pod.</source>
        <translation>它在等待存储卷声明 %1，但该声明不存在。StatefulSet 的控制器会根据 volumeClaimTemplates 创建它；手动创建的存储卷声明必须在 Pod 之前创建。</translation>
    </message>
    <message>
        <source>It waits for the scheduler to pick a node.</source>
        <translation>它在等待调度器选择节点。</translation>
    </message>
    <message>
        <source>No node can take it. The scheduler says: %1 Free resources or add a node, or relax the pod's requirements (resource requests, affinity, node selector, tolerations).</source>
        <translation>没有节点能容纳它。调度器报告：%1 请释放资源或增加节点，或放宽该 Pod 的要求（资源请求、亲和性、节点选择器、容忍度）。</translation>
    </message>
    <message>
        <source>The image %1 of container %2 cannot be pulled (%3). Check the image name and tag, and that the nodes can reach the registry (imagePullSecrets for a private one).</source>
        <translation>无法拉取容器 %2 的镜像 %1（%3）。请检查镜像名称和标签，以及节点能否访问镜像仓库（私有仓库需配置 imagePullSecrets）。</translation>
    </message>
    <message>
        <source>The image %1 of container %2 cannot be pulled (%3: %4). Check the image name and tag, and that the nodes can reach the registry (imagePullSecrets for a private one).</source>
        <translation>无法拉取容器 %2 的镜像 %1（%3：%4）。请检查镜像名称和标签，以及节点能否访问镜像仓库（私有仓库需配置 imagePullSecrets）。</translation>
    </message>
    <message>
        <source>Container %1 keeps crashing: %2 restarts, last exit code %3 (%4). Its previous logs say why.</source>
        <translation>容器 %1 反复崩溃：已重启 %2 次，上次退出码为 %3（%4）。原因见其上一次运行的日志。</translation>
    </message>
    <message>
        <source>Container %1 cannot be created: %2 A ConfigMap or Secret it refers to may be missing.</source>
        <translation>无法创建容器 %1：%2 它引用的 ConfigMap 或 Secret 可能不存在。</translation>
    </message>
    <message>
        <source>Container %1 waits for its volumes: %2</source>
        <translation>容器 %1 正在等待其存储卷：%2</translation>
    </message>
    <message>
        <source>Container %1 is waiting: %2</source>
        <translation>容器 %1 正在等待：%2</translation>
    </message>
    <message>
        <source>Container %1 is waiting: %2: %3</source>
        <translation>容器 %1 正在等待：%2：%3</translation>
    </message>
    <message>
        <source>Container %1 runs but is not ready yet.</source>
        <translation>容器 %1 正在运行，但尚未就绪。</translation>
    </message>
    <message>
        <source>Container %1 runs but is not ready yet: %2</source>
        <translation>容器 %1 正在运行，但尚未就绪：%2</translation>
    </message>
    <message>
        <source>The pod is being deleted; its containers get %1 s to shut down before they are killed.</source>
        <translation>该 Pod 正在被删除；其容器有 %1 s 的时间关闭，之后会被强制终止。</translation>
    </message>
    <message>
        <source>The pod failed: %1 %2</source>
        <translation>该 Pod 已失败：%1 %2</translation>
    </message>
    <message>
        <source>Stale: left behind by a scale-in. StatefulSet %1 has %2 replicas, and this claim belongs to ordinal %3 (pod %1-%3), which no longer exists. A later scale-out to %4 or more would give the new pod %1-%3 this claim back, with the old data and the old dnode's identity in it. Delete the claim once that dnode has been dropped.</source>
        <translation>残留：缩容后遗留。StatefulSet %1 有 %2 个副本，而此存储卷声明属于序号 %3（Pod %1-%3），该 Pod 已不存在。以后扩容到 %4 个或更多副本时，新的 Pod %1-%3 会重新用上此存储卷声明，其中带有旧数据和旧 dnode 的身份。请在该 dnode 删除之后删除此存储卷声明。</translation>
    </message>
</context>
<context>
    <name>Facts</name>
    <message>
        <source>Could not list %1: %2</source>
        <translation>无法列出 %1：%2</translation>
    </message>
    <message>
        <source>Could not read StatefulSet %1 in namespace %2: %3</source>
        <translation>无法读取命名空间 %2 中的 StatefulSet %1：%3</translation>
    </message>
    <message>
        <source>the pods of StatefulSet %1 in namespace %2</source>
        <extracomment>Completes "Could not list %1: ..."</extracomment>
        <translation>命名空间 %2 中 StatefulSet %1 的 Pod</translation>
    </message>
    <message>
        <source>TDengine (taosAdapter of %1)</source>
        <translation>TDengine（%1 的 taosAdapter）</translation>
    </message>
    <message>
        <source>Could not ask %1 about its dnodes, mnodes, databases and vgroups: %2</source>
        <translation>无法向 %1 查询其 dnode、mnode、数据库和 vgroup：%2</translation>
    </message>
    <message>
        <source>Could not reach %1 through a port-forward: %2 Check that a pod of the StatefulSet is Ready.</source>
        <translation>无法通过端口转发连接 %1：%2 请检查该 StatefulSet 是否有 Pod 处于 Ready 状态。</translation>
    </message>
    <message>
        <source>Could not reach %1 within %2 s: the port-forward to port 6041 did not become active. Check that a pod of the StatefulSet is Ready and taosAdapter runs in it.</source>
        <translation>无法在 %2 s 内连接 %1：到端口 6041 的端口转发未能生效。请检查该 StatefulSet 是否有 Pod 处于 Ready 状态，并且其中运行着 taosAdapter。</translation>
    </message>
    <message>
        <source>the volume claims of namespace %1</source>
        <extracomment>Completes "Could not list %1: ..."</extracomment>
        <translation>命名空间 %1 的存储卷声明</translation>
    </message>
    <message>
        <source>the persistent volumes</source>
        <extracomment>Completes "Could not list %1: ..."</extracomment>
        <translation>持久卷</translation>
    </message>
    <message>
        <source>the storage classes</source>
        <extracomment>Completes "Could not list %1: ..."</extracomment>
        <translation>存储类</translation>
    </message>
    <message>
        <source>Could not ask TDengine about itself: there is no connection to it.</source>
        <translation>无法向 TDengine 查询其自身信息：没有与它的连接。</translation>
    </message>
</context>
<context>
    <name>Journal</name>
    <message>
        <source>Could not read the operation journal %1: %2.</source>
        <translation>无法读取操作记录 %1：%2。</translation>
    </message>
    <message>
        <source>The operation journal %1 is not one tdkube can read (%2). Move it away; the cluster itself is unchanged by this.</source>
        <translation>操作记录 %1 不是 tdkube 能读取的格式（%2）。请将其移走；集群本身不受此影响。</translation>
    </message>
    <message>
        <source>no operation id</source>
        <translation>没有操作 ID</translation>
    </message>
    <message>
        <source>finished</source>
        <extracomment>Said of an operation ("Operation %1 is finished")</extracomment>
        <translation>已完成</translation>
    </message>
    <message>
        <source>abandoned</source>
        <extracomment>Said of an operation ("Operation %1 is abandoned")</extracomment>
        <translation>已放弃</translation>
    </message>
    <message>
        <source>stopped after its last step, before it was marked finished</source>
        <translation>在最后一步之后、标记为完成之前停止</translation>
    </message>
    <message>
        <source>stopped during step %1 of %2: %3</source>
        <translation>在第 %1 步（共 %2 步）期间停止：%3</translation>
    </message>
    <message>
        <source>failed at step %1 of %2: %3: %4</source>
        <translation>在第 %1 步（共 %2 步）失败：%3：%4</translation>
    </message>
    <message>
        <source>stopped before step %1 of %2: %3</source>
        <translation>在第 %1 步（共 %2 步）之前停止：%3</translation>
    </message>
    <message>
        <source>Step %1 is not in operation %2 (it has %3 steps).</source>
        <translation>操作 %2 中没有第 %1 步（它共有 %3 步）。</translation>
    </message>
    <message>
        <source>Could not create the folder %1 for operation journals. Check that it is writable (and the disk not full), then try again.</source>
        <translation>无法创建存放操作记录的文件夹 %1。请检查它是否可写（以及磁盘是否已满），然后重试。</translation>
    </message>
    <message>
        <source>Could not write the operation journal %1: %2. Without it, the operation could not be resumed after a crash, so it does not go on. Free disk space or fix the folder's permissions, then resume it.</source>
        <translation>无法写入操作记录 %1：%2。没有操作记录，操作在崩溃后将无法继续执行，因此操作不再进行。请释放磁盘空间或修正该文件夹的权限，然后继续执行该操作。</translation>
    </message>
    <message>
        <source>The recorded operation's id "%1" is not one tdkube writes; it was not taken.</source>
        <translation>记录中的操作 ID "%1" 不是 tdkube 会写入的格式，未予接管。</translation>
    </message>
</context>
<context>
    <name>Kubeconfig</name>
    <message>
        <source>cluster %1</source>
        <translation>集群 %1</translation>
    </message>
    <message>
        <source>user %1</source>
        <translation>用户 %1</translation>
    </message>
    <message>
        <source>context %1</source>
        <translation>上下文 %1</translation>
    </message>
    <message>
        <source>%1 must be a string</source>
        <translation>%1 必须是字符串</translation>
    </message>
    <message>
        <source>%1 must be true or false</source>
        <translation>%1 必须是 true 或 false</translation>
    </message>
    <message>
        <source>%1 is not valid base64</source>
        <translation>%1 不是有效的 base64</translation>
    </message>
    <message>
        <source>%1 must be a list of strings</source>
        <translation>%1 必须是字符串列表</translation>
    </message>
    <message>
        <source>%1 must be a map</source>
        <translation>%1 必须是映射</translation>
    </message>
    <message>
        <source>has no %1 section</source>
        <translation>缺少 %1 部分</translation>
    </message>
    <message>
        <source>has no server</source>
        <translation>缺少 server</translation>
    </message>
    <message>
        <source>exec has no apiVersion</source>
        <translation>exec 缺少 apiVersion</translation>
    </message>
    <message>
        <source>exec has no command</source>
        <translation>exec 缺少 command</translation>
    </message>
    <message>
        <source>exec env must be a list of name/value pairs</source>
        <translation>exec 的 env 必须是 name/value 对的列表</translation>
    </message>
    <message>
        <source>exec env entries need a name and a value</source>
        <translation>exec 的 env 条目需要 name 和 value</translation>
    </message>
    <message>
        <source>%1 must be a list</source>
        <translation>%1 必须是列表</translation>
    </message>
    <message>
        <source>an entry of %1 has no name</source>
        <translation>%1 中有一个条目缺少 name</translation>
    </message>
    <message>
        <source>%1 is defined twice; the first one is used</source>
        <translation>%1 被定义了两次；使用第一个定义</translation>
    </message>
    <message>
        <source>cannot read the file: %1</source>
        <translation>无法读取文件：%1</translation>
    </message>
    <message>
        <source>not valid YAML: %1</source>
        <translation>不是有效的 YAML：%1</translation>
    </message>
    <message>
        <source>a kubeconfig file must be a map</source>
        <translation>kubeconfig 文件必须是映射</translation>
    </message>
    <message>
        <source>current-context must be a string</source>
        <translation>current-context 必须是字符串</translation>
    </message>
    <message>
        <source>cannot read: %1</source>
        <translation>无法读取：%1</translation>
    </message>
    <message>
        <source>context %1 refers to %2, which is unusable: %3</source>
        <translation>上下文 %1 引用的 %2 不可用：%3</translation>
    </message>
    <message>
        <source>context %1 refers to %2, which no kubeconfig file defines</source>
        <translation>上下文 %1 引用的 %2 未在任何 kubeconfig 文件中定义</translation>
    </message>
    <message>
        <source>%1 (context %2 is unusable)</source>
        <translation>%1（上下文 %2 不可用）</translation>
    </message>
    <message>
        <source>%1 (contexts %2 are unusable)</source>
        <translation>%1（上下文 %2 不可用）</translation>
    </message>
    <message>
        <source>%1 (cluster %2 is unusable)</source>
        <translation>%1（集群 %2 不可用）</translation>
    </message>
    <message>
        <source>%1 (user %2 is unusable)</source>
        <translation>%1（用户 %2 不可用）</translation>
    </message>
    <message>
        <source>current-context %1 is not defined in any kubeconfig file</source>
        <translation>current-context %1 未在任何 kubeconfig 文件中定义</translation>
    </message>
    <message>
        <source>no context is selected: none of %1 sets current-context; pick a context</source>
        <translation>未选择上下文：%1 均未设置 current-context；请选择一个上下文</translation>
    </message>
    <message>
        <source>context %1 is unusable: %2</source>
        <translation>上下文 %1 不可用：%2</translation>
    </message>
    <message>
        <source>context %1 is not defined in any kubeconfig file (%2)</source>
        <translation>上下文 %1 未在任何 kubeconfig 文件（%2）中定义</translation>
    </message>
    <message>
        <source>context %1 names no cluster</source>
        <translation>上下文 %1 未指定集群</translation>
    </message>
</context>
<context>
    <name>ManifestCheck</name>
    <message>
        <source>this document could not be read as YAML (%1)</source>
        <translation>无法将此文档作为 YAML 读取（%1）</translation>
    </message>
    <message>
        <source>tab in indentation: YAML indents with spaces only; replace the tab with spaces</source>
        <translation>缩进中有制表符：YAML 只能用空格缩进；请将制表符替换为空格</translation>
    </message>
    <message>
        <source>bad indentation: this line does not line up with the keys above it; indent it exactly like the other keys of its map</source>
        <translation>缩进错误：此行与上方的键没有对齐；请使其缩进与所在映射中的其他键完全相同</translation>
    </message>
    <message>
        <source>bad indentation in a list: this line does not line up with the list item above it; indent it like the other fields of the item</source>
        <translation>列表中的缩进错误：此行与上方的列表项没有对齐；请使其缩进与该列表项的其他字段相同</translation>
    </message>
    <message>
        <source>unexpected ":" here: a key cannot follow a value on the same line; check the indentation, or quote a value that contains ": "</source>
        <translation>此处不应出现 ":"：同一行中的值后面不能再跟键；请检查缩进，或为包含 ": " 的值加上引号</translation>
    </message>
    <message>
        <source>a "[" list is not closed; add the missing "]"</source>
        <translation>"[" 列表没有闭合；请补上缺少的 "]"</translation>
    </message>
    <message>
        <source>a "{" map is not closed; add the missing "}"</source>
        <translation>"{" 映射没有闭合；请补上缺少的 "}"</translation>
    </message>
    <message>
        <source>unclosed quote; add the closing quote</source>
        <translation>引号未闭合；请补上结束引号</translation>
    </message>
    <message>
        <source>an alias (*name) refers to an anchor (&amp;name) that is not defined above it; define the anchor first</source>
        <translation>别名（*name）引用了一个在其上方未定义的锚点（&amp;name）；请先定义该锚点</translation>
    </message>
    <message>
        <source>YAML syntax error: %1; fix the YAML here</source>
        <extracomment>%1 is yaml-cpp's own message, in English</extracomment>
        <translation>YAML 语法错误：%1；请修正此处的 YAML</translation>
    </message>
    <message>
        <source>duplicate key %1 (first at line %2); remove one of them</source>
        <translation>重复的键 %1（首次出现在第 %2 行）；请删除其中一个</translation>
    </message>
    <message>
        <source>unclosed quote: the string that starts here runs on into line %1; add the closing %2</source>
        <extracomment>%2 is the quote character, ' or "</extracomment>
        <translation>引号未闭合：从此处开始的字符串一直延续到第 %1 行；请补上结束的 %2</translation>
    </message>
    <message>
        <source>unclosed quote: the string that starts here never ends; add the closing %1</source>
        <extracomment>%1 is the quote character, ' or "</extracomment>
        <translation>引号未闭合：从此处开始的字符串始终没有结束；请补上结束的 %1</translation>
    </message>
    <message>
        <source>a Kubernetes manifest is a map of fields (apiVersion, kind, metadata, ...), but this document is %1; write it as "key: value" lines</source>
        <extracomment>%1: what the document is instead, e.g. "a list"</extracomment>
        <translation>Kubernetes 清单是由字段（apiVersion、kind、metadata 等）组成的映射，但此文档是%1；请写成 "key: value" 形式的行</translation>
    </message>
    <message>
        <source>missing "apiVersion": every manifest needs one; add e.g. "apiVersion: %1"</source>
        <translation>缺少 "apiVersion"：每个清单都需要它；请添加，例如 "apiVersion: %1"</translation>
    </message>
    <message>
        <source>"apiVersion" must be a string such as "apps/v1", but it is %1</source>
        <translation>"apiVersion" 必须是字符串（例如 "apps/v1"），但实际为%1</translation>
    </message>
    <message>
        <source>%1 is served as %2, not %3; change apiVersion to %4</source>
        <extracomment>%1 is a kind (StatefulSet), %2 and %3 quoted apiVersions, %4 the right apiVersion unquoted</extracomment>
        <translation>%1 的 API 版本是 %2，而不是 %3；请将 apiVersion 改为 %4</translation>
    </message>
    <message>
        <source>missing "kind": every manifest needs one; add e.g. "kind: StatefulSet"</source>
        <translation>缺少 "kind"：每个清单都需要它；请添加，例如 "kind: StatefulSet"</translation>
    </message>
    <message>
        <source>"kind" must be a string such as "StatefulSet", but it is %1</source>
        <translation>"kind" 必须是字符串（例如 "StatefulSet"），但实际为%1</translation>
    </message>
    <message>
        <source>missing "metadata" with a "name": every object needs a name; add "metadata:" and "  name: ..."</source>
        <translation>缺少带 "name" 的 "metadata"：每个对象都需要名称；请添加 "metadata:" 和 "  name: ..."</translation>
    </message>
    <message>
        <source>"metadata" must be a map (name, namespace, labels, ...), but it is %1</source>
        <translation>"metadata" 必须是映射（name、namespace、labels 等），但实际为%1</translation>
    </message>
    <message>
        <source>missing "name" in metadata: every object needs a name; add "name: ..." (lowercase letters, digits and "-")</source>
        <translation>metadata 中缺少 "name"：每个对象都需要名称；请添加 "name: ..."（由小写字母、数字和 "-" 组成）</translation>
    </message>
    <message>
        <source>metadata.name must be a string, but it is %1; quote it</source>
        <translation>metadata.name 必须是字符串，但实际为%1；请为它加上引号</translation>
    </message>
    <message>
        <source>"%1" is not a valid Service name: use at most 63 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit</source>
        <translation>"%1" 不是有效的 Service 名称：最多使用 63 个小写字母、数字和 "-"，以字母开头，以字母或数字结尾</translation>
    </message>
    <message>
        <source>"%1" is not a valid Namespace name: use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit</source>
        <translation>"%1" 不是有效的 Namespace 名称：最多使用 63 个小写字母、数字和 "-"，以字母或数字开头和结尾</translation>
    </message>
    <message>
        <source>"%1" is not a valid name: use lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (DNS-1123)</source>
        <translation>"%1" 不是有效的名称：请使用小写字母、数字、"-" 和 "."，以字母或数字开头和结尾（DNS-1123）</translation>
    </message>
    <message>
        <source>%1 is not a valid namespace: use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit</source>
        <translation>%1 不是有效的命名空间：最多使用 63 个小写字母、数字和 "-"，以字母或数字开头和结尾</translation>
    </message>
    <message>
        <source>a field name must be plain text, but this key is %1</source>
        <translation>字段名必须是普通文本，但此键实际为%1</translation>
    </message>
    <message>
        <source>"serviceAccount" is deprecated and may be ignored; use "serviceAccountName"</source>
        <translation>"serviceAccount" 已弃用，可能会被忽略；请使用 "serviceAccountName"</translation>
    </message>
    <message>
        <source>unknown field %1 in %2; remove it, or check its spelling and indentation</source>
        <extracomment>%1 is a quoted field name, %2 what holds it ("Pod spec", "container")</extracomment>
        <translation>%2中有未知字段 %1；请删除它，或检查其拼写和缩进</translation>
    </message>
    <message>
        <source>unknown field %1 in %2; did you mean %3?</source>
        <extracomment>%1 is a quoted field name, %2 what holds it ("Pod spec", "container"), %3 the field meant</extracomment>
        <translation>%2中有未知字段 %1；是否应为 %3？</translation>
    </message>
    <message>
        <source>%1 must be a list (one "- " item per entry), but it is %2</source>
        <translation>%1 必须是列表（每个条目一个 "- " 项），但实际为%2</translation>
    </message>
    <message>
        <source>items of %1</source>
        <extracomment>the subject of a message such as "%1 must be a map ...": %1 is a quoted field name ("ports")</extracomment>
        <translation>%1 的列表项</translation>
    </message>
    <message>
        <source>%1 must be a map (%2), but this one is %3</source>
        <extracomment>%1: the items of a field, %2 what they are ("container"), %3 what this item is instead</extracomment>
        <translation>%1 必须是映射（%2），但这一项实际为%3</translation>
    </message>
    <message>
        <source>%1 must be a map (%2), but it is %3</source>
        <extracomment>%1: a quoted field name, %2 what it is ("Pod spec"), %3 what it is instead ("a list")</extracomment>
        <translation>%1 必须是映射（%2），但实际为%3</translation>
    </message>
    <message>
        <source>%1 must be a map of "key: value" lines, but it is %2</source>
        <translation>%1 必须是由 "key: value" 行组成的映射，但实际为%2</translation>
    </message>
    <message>
        <source>the value of %1 in %2</source>
        <extracomment>the subject of a message such as "%1 must be a string ...": a quoted key in a quoted map field ("labels")</extracomment>
        <translation>%2 中 %1 的值</translation>
    </message>
    <message>
        <source>a string</source>
        <translation>字符串</translation>
    </message>
    <message>
        <source>an integer</source>
        <translation>整数</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>数字</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true 或 false</translation>
    </message>
    <message>
        <source>an integer or a name</source>
        <translation>整数或名称</translation>
    </message>
    <message>
        <source>a quantity such as 500m or 1Gi</source>
        <translation>数量值（例如 500m 或 1Gi）</translation>
    </message>
    <message>
        <source>%1 must be %2, but it is %3</source>
        <extracomment>%1: a quoted field name, %2 what its value must be ("an integer"), %3 what it is ("a map")</extracomment>
        <translation>%1 必须是%2，但实际为%3</translation>
    </message>
    <message>
        <source>%1 must be a string, but %2 is read as %3; quote it: "%2"</source>
        <extracomment>%1: a quoted field name, %2 its value as written, %3 what YAML reads it as ("a boolean")</extracomment>
        <translation>%1 必须是字符串，但 %2 会被解读为%3；请加上引号："%2"</translation>
    </message>
    <message>
        <source>%1 must be an integer, but "%2" is a string; remove the quotes</source>
        <translation>%1 必须是整数，但 "%2" 是字符串；请去掉引号</translation>
    </message>
    <message>
        <source>%1 must be an integer, but %2 is %3; write a whole number</source>
        <translation>%1 必须是整数，但 %2 是%3；请写成整数</translation>
    </message>
    <message>
        <source>%1 must be a number, but %2 is %3; remove any quotes</source>
        <translation>%1 必须是数字，但 %2 是%3；请去掉所有引号</translation>
    </message>
    <message>
        <source>%1 must be true or false, but %2 is %3; remove the quotes</source>
        <translation>%1 必须是 true 或 false，但 %2 是%3；请去掉引号</translation>
    </message>
    <message>
        <source>%1 must be true or false, but %2 is %3</source>
        <translation>%1 必须是 true 或 false，但 %2 是%3</translation>
    </message>
    <message>
        <source>%1 must be a port number or a port name, but %2 is %3</source>
        <translation>%1 必须是端口号或端口名称，但 %2 是%3</translation>
    </message>
    <message>
        <source>%1: %2 is not a Kubernetes quantity; write e.g. 500m or 2 (CPU), 512Mi or 4Gi (memory, storage)</source>
        <translation>%1：%2 不是 Kubernetes 数量值；请写成例如 500m 或 2（CPU）、512Mi 或 4Gi（内存、存储）</translation>
    </message>
    <message>
        <source>this document could not be checked (%1); the YAML itself is fine</source>
        <translation>无法检查此文档（%1）；YAML 本身没有问题</translation>
    </message>
    <message>
        <source>line %1, column %2: %3</source>
        <translation>第 %1 行，第 %2 列：%3</translation>
    </message>
    <message>
        <source>line %1: this document is %2, not a map of fields (apiVersion, kind, ...); write it as "key: value" lines</source>
        <translation>第 %1 行：此文档是%2，而不是由字段（apiVersion、kind 等）组成的映射；请写成 "key: value" 形式的行</translation>
    </message>
    <message>
        <source>line %1: the document could not be converted (%2)</source>
        <translation>第 %1 行：无法转换此文档（%2）</translation>
    </message>
</context>
<context>
    <name>ManifestSchema</name>
    <message>
        <source>owner reference</source>
        <translation>属主引用</translation>
    </message>
    <message>
        <source>label selector</source>
        <translation>标签选择算符</translation>
    </message>
    <message>
        <source>selector expression</source>
        <translation>选择算符表达式</translation>
    </message>
    <message>
        <source>Service spec</source>
        <translation>Service 规约</translation>
    </message>
    <message>
        <source>Service port</source>
        <translation>Service 端口</translation>
    </message>
    <message>
        <source>session affinity config</source>
        <translation>会话亲和性配置</translation>
    </message>
    <message>
        <source>client IP config</source>
        <translation>客户端 IP 配置</translation>
    </message>
    <message>
        <source>Namespace spec</source>
        <translation>Namespace 规约</translation>
    </message>
    <message>
        <source>StatefulSet spec</source>
        <translation>StatefulSet 规约</translation>
    </message>
    <message>
        <source>update strategy</source>
        <translation>更新策略</translation>
    </message>
    <message>
        <source>rolling update</source>
        <translation>滚动更新</translation>
    </message>
    <message>
        <source>PVC retention policy</source>
        <translation>PVC 保留策略</translation>
    </message>
    <message>
        <source>volume claim template</source>
        <translation>存储卷声明模板</translation>
    </message>
    <message>
        <source>PersistentVolumeClaim spec</source>
        <translation>PersistentVolumeClaim 规约</translation>
    </message>
    <message>
        <source>volume resources</source>
        <translation>存储卷资源</translation>
    </message>
    <message>
        <source>object reference</source>
        <translation>对象引用</translation>
    </message>
    <message>
        <source>Pod template</source>
        <translation>Pod 模板</translation>
    </message>
    <message>
        <source>Pod spec</source>
        <translation>Pod 规约</translation>
    </message>
    <message>
        <source>container</source>
        <translation>容器</translation>
    </message>
    <message>
        <source>container port</source>
        <translation>容器端口</translation>
    </message>
    <message>
        <source>env entry</source>
        <translation>env 条目</translation>
    </message>
    <message>
        <source>key reference</source>
        <translation>键引用</translation>
    </message>
    <message>
        <source>envFrom entry</source>
        <translation>envFrom 条目</translation>
    </message>
    <message>
        <source>envFrom reference</source>
        <translation>envFrom 引用</translation>
    </message>
    <message>
        <source>volume mount</source>
        <translation>存储卷挂载</translation>
    </message>
    <message>
        <source>volume device</source>
        <translation>存储卷设备</translation>
    </message>
    <message>
        <source>probe</source>
        <translation>探针</translation>
    </message>
    <message>
        <source>exec action</source>
        <translation>exec 动作</translation>
    </message>
    <message>
        <source>httpGet action</source>
        <translation>httpGet 动作</translation>
    </message>
    <message>
        <source>HTTP header</source>
        <translation>HTTP 头</translation>
    </message>
    <message>
        <source>tcpSocket action</source>
        <translation>tcpSocket 动作</translation>
    </message>
    <message>
        <source>grpc action</source>
        <translation>grpc 动作</translation>
    </message>
    <message>
        <source>lifecycle handler</source>
        <translation>生命周期处理程序</translation>
    </message>
    <message>
        <source>sleep action</source>
        <translation>sleep 动作</translation>
    </message>
    <message>
        <source>container securityContext</source>
        <translation>容器 securityContext</translation>
    </message>
    <message>
        <source>Pod securityContext</source>
        <translation>Pod securityContext</translation>
    </message>
    <message>
        <source>profile</source>
        <translation>配置文件</translation>
    </message>
    <message>
        <source>sysctl</source>
        <translation>sysctl</translation>
    </message>
    <message>
        <source>node affinity</source>
        <translation>节点亲和性</translation>
    </message>
    <message>
        <source>node selector</source>
        <translation>节点选择算符</translation>
    </message>
    <message>
        <source>node selector term</source>
        <translation>节点选择算符条件</translation>
    </message>
    <message>
        <source>node selector expression</source>
        <translation>节点选择算符表达式</translation>
    </message>
    <message>
        <source>preferred scheduling term</source>
        <translation>首选调度条件</translation>
    </message>
    <message>
        <source>pod (anti-)affinity</source>
        <translation>Pod（反）亲和性</translation>
    </message>
    <message>
        <source>pod affinity term</source>
        <translation>Pod 亲和性条件</translation>
    </message>
    <message>
        <source>weighted pod affinity term</source>
        <translation>带权重的 Pod 亲和性条件</translation>
    </message>
    <message>
        <source>toleration</source>
        <translation>容忍度</translation>
    </message>
    <message>
        <source>topology spread constraint</source>
        <translation>拓扑分布约束</translation>
    </message>
    <message>
        <source>volume</source>
        <translation>存储卷</translation>
    </message>
    <message>
        <source>configMap volume</source>
        <translation>configMap 存储卷</translation>
    </message>
    <message>
        <source>secret volume</source>
        <translation>secret 存储卷</translation>
    </message>
    <message>
        <source>item</source>
        <translation>条目</translation>
    </message>
    <message>
        <source>emptyDir volume</source>
        <translation>emptyDir 存储卷</translation>
    </message>
    <message>
        <source>persistentVolumeClaim volume</source>
        <translation>persistentVolumeClaim 存储卷</translation>
    </message>
    <message>
        <source>hostPath volume</source>
        <translation>hostPath 存储卷</translation>
    </message>
    <message>
        <source>reference</source>
        <translation>引用</translation>
    </message>
    <message>
        <source>host alias</source>
        <translation>主机别名</translation>
    </message>
    <message>
        <source>dnsConfig option</source>
        <translation>dnsConfig 选项</translation>
    </message>
    <message>
        <source>readiness gate</source>
        <translation>就绪门控</translation>
    </message>
</context>
<context>
    <name>OpsCommand</name>
    <message>
        <source>Usage: %1</source>
        <translation>用法：%1</translation>
    </message>
    <message>
        <source>[blocking]</source>
        <extracomment>A finding's severity, before its code: "[blocking] below-replica: ..."</extracomment>
        <translation>[阻止]</translation>
    </message>
    <message>
        <source>[warning]</source>
        <extracomment>A finding's severity, before its code: "[warning] volumes-retained: ..."</extracomment>
        <translation>[警告]</translation>
    </message>
    <message>
        <source>[info]</source>
        <extracomment>A finding's severity, before its code: "[info] dnode-returns: ..."</extracomment>
        <translation>[信息]</translation>
    </message>
    <message>
        <source>The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).</source>
        <translation>kubeconfig 文件（默认：$KUBECONFIG，否则为 ~/.kube/config）。</translation>
    </message>
    <message>
        <source>The kubeconfig context (default: its current-context).</source>
        <translation>kubeconfig 上下文（默认：其 current-context）。</translation>
    </message>
    <message>
        <source>The namespace (default: the context's).</source>
        <translation>命名空间（默认：上下文的命名空间）。</translation>
    </message>
    <message>
        <source>The TDengine cluster: its StatefulSet's name.</source>
        <translation>TDengine 集群：其 StatefulSet 的名称。</translation>
    </message>
    <message>
        <source>The number of dnodes (pods) to scale to.</source>
        <translation>扩缩容的目标 dnode（Pod）数。</translation>
    </message>
    <message>
        <source>Run the plan (without it, only print it).</source>
        <translation>执行计划（不加此选项时只打印计划）。</translation>
    </message>
    <message>
        <source>Scale-out: delete the new pods' claims left by an earlier scale-in.</source>
        <translation>扩容：删除之前缩容遗留的、属于新 Pod 的存储卷声明。</translation>
    </message>
    <message>
        <source>Scale-out: `balance vgroup` once the new dnodes are ready.</source>
        <translation>扩容：新 dnode 就绪后执行 `balance vgroup`。</translation>
    </message>
    <message>
        <source>Repair: the text the plan asks to be typed (the StatefulSet's name).</source>
        <translation>修复：计划要求输入的文本（StatefulSet 的名称）。</translation>
    </message>
    <message>
        <source>Print the executor's log too (every statement and change).</source>
        <translation>同时打印执行器的日志（每条语句和每项变更）。</translation>
    </message>
    <message>
        <source>Show this help.</source>
        <translation>显示此帮助。</translation>
    </message>
    <message>
        <source>tdkube %1 takes no --%2.</source>
        <translation>tdkube %1 不接受 --%2 选项。</translation>
    </message>
    <message>
        <source>tdkube %1 needs one operation ID (`tdkube operations` lists them).</source>
        <translation>tdkube %1 需要一个操作 ID（`tdkube operations` 会列出它们）。</translation>
    </message>
    <message>
        <source>Unexpected argument %1.</source>
        <translation>意外的参数 %1。</translation>
    </message>
    <message>
        <source>tdkube %1 needs --cluster NAME, the StatefulSet of the TDengine cluster.</source>
        <translation>tdkube %1 需要 --cluster NAME，即 TDengine 集群的 StatefulSet。</translation>
    </message>
    <message>
        <source>tdkube scale needs --replicas N, a whole number of dnodes of at least 1 (got "%1").</source>
        <translation>tdkube scale 需要 --replicas N，即 dnode 的数量，须为不小于 1 的整数（收到的是“%1”）。</translation>
    </message>
    <message>
        <source>No unfinished operations (journals in %1).</source>
        <translation>没有未完成的操作（操作记录位于 %1）。</translation>
    </message>
    <message>
        <source>%1 unfinished operation(s); `tdkube resume ID` continues one, `tdkube abandon ID` forgets it:</source>
        <translation>%1 个未完成的操作；`tdkube resume ID` 继续执行其中一个，`tdkube abandon ID` 忘记它：</translation>
    </message>
    <message>
        <source>started %1; %2</source>
        <extracomment>%1: when the operation started; %2: where it stopped ("stopped during step 4 of 8: ...")</extracomment>
        <translation>开始于 %1；%2</translation>
    </message>
    <message>
        <source>Operation %1 is %2: there is nothing to resume.</source>
        <extracomment>%2: where it stopped ("finished", "abandoned")</extracomment>
        <translation>操作 %1 %2：没有可继续执行的内容。</translation>
    </message>
    <message>
        <source>Operation %1 is %2: there is nothing to abandon.</source>
        <translation>操作 %1 %2：没有可放弃的内容。</translation>
    </message>
    <message>
        <source>There is no operation %1. `tdkube operations` lists the unfinished ones.</source>
        <translation>不存在操作 %1。`tdkube operations` 会列出未完成的操作。</translation>
    </message>
    <message>
        <source>There is no operation %1 (%2). `tdkube operations` lists the unfinished ones.</source>
        <translation>不存在操作 %1（%2）。`tdkube operations` 会列出未完成的操作。</translation>
    </message>
    <message>
        <source>Could not abandon operation %1: %2</source>
        <translation>无法放弃操作 %1：%2</translation>
    </message>
    <message>
        <source>Abandoned operation %1 (%2), which %3. tdkube will not offer to resume it; the cluster stays as that step left it: look at it (tdkube, or `show dnodes`) before planning anything else.</source>
        <extracomment>%3: where it stopped ("stopped during step 4 of 8: ...")</extracomment>
        <translation>已放弃操作 %1（%2），该操作%3。tdkube 不会再提示继续执行它；集群保持那一步留下的状态：在计划其他任何操作之前，请先查看集群（用 tdkube 或 `show dnodes`）。</translation>
    </message>
    <message>
        <source>Resuming operation %1: %2; it %3.</source>
        <extracomment>%3: where it stopped ("stopped during step 4 of 8: ...")</extracomment>
        <translation>正在继续执行操作 %1：%2；该操作%3。</translation>
    </message>
    <message>
        <source>No context: the kubeconfig (%1) sets no current-context. Give one with --context NAME.</source>
        <translation>没有上下文：kubeconfig（%1）未设置 current-context。请用 --context NAME 指定一个。</translation>
    </message>
    <message>
        <source>No context: the kubeconfig (%1) sets no current-context. Give one with --context NAME (one of %2).</source>
        <translation>没有上下文：kubeconfig（%1）未设置 current-context。请用 --context NAME 指定一个（%2 之一）。</translation>
    </message>
    <message>
        <source>Cannot use context %1: %2. Fix the kubeconfig (%3) or choose another context with --context.</source>
        <translation>无法使用上下文 %1：%2。请修正 kubeconfig（%3），或用 --context 选择其他上下文。</translation>
    </message>
    <message>
        <source>Reading TDengine cluster %1 in namespace %2 (context %3)…</source>
        <translation>正在读取命名空间 %2 中的 TDengine 集群 %1（上下文 %3）…</translation>
    </message>
    <message>
        <source>The cluster was read.</source>
        <translation>已读取集群。</translation>
    </message>
    <message>
        <source>Could not read cluster %1: %2 Nothing was changed.</source>
        <translation>无法读取集群 %1：%2 未做任何更改。</translation>
    </message>
    <message>
        <source>StatefulSet %1 already has %2 replicas: nothing to do.</source>
        <translation>StatefulSet %1 已有 %2 个副本：无需操作。</translation>
    </message>
    <message>
        <source>The confirmation "%1" does not match: type the StatefulSet's name exactly, --confirm %2.</source>
        <translation>确认文本“%1”不匹配：请准确输入 StatefulSet 的名称：--confirm %2。</translation>
    </message>
    <message>
        <source>Refused: the blocking findings above must be resolved first; nothing was changed.</source>
        <translation>已拒绝：必须先解决上面的阻止性检查项；未做任何更改。</translation>
    </message>
    <message>
        <source>Refused until confirmed: this repair destroys data (above). If that is accepted, run it again with --confirm %1; nothing was changed.</source>
        <translation>在确认之前拒绝执行：此修复会销毁数据（见上文）。如果可以接受，请加上 --confirm %1 重新运行；未做任何更改。</translation>
    </message>
    <message>
        <source>Nothing to do.</source>
        <translation>无需操作。</translation>
    </message>
    <message>
        <source>Nothing was changed. Run the same command with --yes to run these steps.</source>
        <translation>未做任何更改。要执行这些步骤，请加上 --yes 运行同一命令。</translation>
    </message>
    <message>
        <source>Findings:</source>
        <translation>检查项：</translation>
    </message>
    <message>
        <source>fix: %1</source>
        <translation>解决办法：%1</translation>
    </message>
    <message>
        <source>Confirmation: this plan may destroy data; it runs only with --confirm %1.</source>
        <translation>确认：此计划可能销毁数据；只有加上 --confirm %1 才会执行。</translation>
    </message>
    <message>
        <source>Steps:</source>
        <translation>步骤：</translation>
    </message>
    <message>
        <source>Operation %1 started. If it stops half-way, `tdkube resume %1` continues it.</source>
        <translation>操作 %1 已开始。如果它中途停止，可用 `tdkube resume %1` 继续执行。</translation>
    </message>
    <message>
        <source>waiting for %1</source>
        <extracomment>%1: what the step waits for ("dnode 5 to be dropped: ...")</extracomment>
        <translation>等待 %1</translation>
    </message>
    <message>
        <source>done: %1</source>
        <translation>完成：%1</translation>
    </message>
    <message>
        <source>FAILED: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>log %1</source>
        <extracomment>A line of the executor's log, printed with --verbose</extracomment>
        <translation>日志 %1</translation>
    </message>
    <message>
        <source>Operation %1 is unfinished: `tdkube resume %1` continues it once the cause is fixed; `tdkube abandon %1` forgets it.</source>
        <translation>操作 %1 未完成：排除原因后，可用 `tdkube resume %1` 继续执行；`tdkube abandon %1` 会忘记它。</translation>
    </message>
    <message>
        <source>Password of TDengine user %1: </source>
        <translation>TDengine 用户 %1 的密码： </translation>
    </message>
    <message>
        <source>TDengine refused user %1 with the password from the environment variable TDKUBE_TDENGINE_PASSWORD: set it to that user's password, or name the user it belongs to with --user.</source>
        <translation>TDengine 拒绝了用户 %1 使用来自环境变量 TDKUBE_TDENGINE_PASSWORD 的密码登录：请将该变量设为此用户的密码，或用 --user 指定该密码所属的用户。</translation>
    </message>
    <message>
        <source>TDengine refused user %1 with the password read from stdin (--password-stdin): give that user's password, or name the user it belongs to with --user.</source>
        <translation>TDengine 拒绝了用户 %1 使用从标准输入读取的密码（--password-stdin）登录：请提供此用户的密码，或用 --user 指定该密码所属的用户。</translation>
    </message>
    <message>
        <source>TDengine refused user %1 with the password stored in the system keychain for this cluster: give the right one in TDKUBE_TDENGINE_PASSWORD or with --password-stdin, or log in again in tdkube's window (Log in as… on the cluster's page), which stores it in the keychain.</source>
        <translation>TDengine 拒绝了用户 %1 使用系统钥匙串中为此集群保存的密码登录：请通过 TDKUBE_TDENGINE_PASSWORD 或 --password-stdin 提供正确的密码，或在 tdkube 窗口中重新登录（集群页面上的“登录为…”），新密码会保存到钥匙串中。</translation>
    </message>
    <message>
        <source>TDengine refused user %1 with TDengine's default password (no password was given, and none came from the keychain): give the password in TDKUBE_TDENGINE_PASSWORD or with --password-stdin.</source>
        <translation>TDengine 拒绝了用户 %1 使用 TDengine 默认密码登录（未提供密码，钥匙串中也没有）：请通过 TDKUBE_TDENGINE_PASSWORD 或 --password-stdin 提供密码。</translation>
    </message>
    <message>
        <source>The TDengine user (default: root; with the keychain's password, the user stored with it).</source>
        <translation>TDengine 用户（默认：root；使用钥匙串中的密码时，为与其一同保存的用户）。</translation>
    </message>
    <message>
        <source>Read the TDengine password from the first line of stdin (it wins over TDKUBE_TDENGINE_PASSWORD).</source>
        <translation>从标准输入的第一行读取 TDengine 密码（优先于 TDKUBE_TDENGINE_PASSWORD）。</translation>
    </message>
    <message>
        <source>tdkube %1 takes no --password: a password among the arguments is seen by every user of this machine (ps) and kept in the shell's history. Give it in the environment variable TDKUBE_TDENGINE_PASSWORD, or on stdin with --password-stdin.</source>
        <translation>tdkube %1 不接受 --password 选项：命令行参数中的密码对本机的每个用户都可见（ps），并会留在 shell 的历史记录中。请通过环境变量 TDKUBE_TDENGINE_PASSWORD 提供密码，或加上 --password-stdin 从标准输入提供。</translation>
    </message>
    <message>
        <source>--user needs the name of a TDengine user.</source>
        <translation>--user 需要一个 TDengine 用户名。</translation>
    </message>
    <message>
        <source>--password-stdin read no password: stdin ended before a line with one. Pipe the password in, for example `tdkube %1 ... --password-stdin &lt; FILE`.</source>
        <translation>--password-stdin 未读到密码：标准输入在出现含密码的一行之前就结束了。请通过管道或重定向提供密码，例如 `tdkube %1 ... --password-stdin &lt; FILE`。</translation>
    </message>
    <message>
        <source>Warning: no TDengine password was given (TDKUBE_TDENGINE_PASSWORD or --password-stdin) and the keychain holds none for this cluster, so TDengine's default password is tried for user %1. If the cluster still has it, change it: ALTER USER %1 PASS '...'.</source>
        <translation>警告：未提供 TDengine 密码（TDKUBE_TDENGINE_PASSWORD 或 --password-stdin），钥匙串中也没有此集群的密码，因此为用户 %1 尝试 TDengine 的默认密码。如果集群仍在使用默认密码，请修改它：ALTER USER %1 PASS '...'。</translation>
    </message>
    <message>
        <source>Warning: no TDengine password was given (TDKUBE_TDENGINE_PASSWORD or --password-stdin) and the system keychain could not be read (%2), so TDengine's default password is tried for user %1.</source>
        <translation>警告：未提供 TDengine 密码（TDKUBE_TDENGINE_PASSWORD 或 --password-stdin），且无法读取系统钥匙串（%2），因此为用户 %1 尝试 TDengine 的默认密码。</translation>
    </message>
    <message>
        <source>Operation %1 was not resumed (it stays unfinished): TDengine refused the login. %2</source>
        <translation>未继续执行操作 %1（它仍未完成）：TDengine 拒绝了登录。%2</translation>
    </message>
    <message>
        <source>The TDengine login was checked.</source>
        <translation>已检查 TDengine 登录。</translation>
    </message>
    <message>
        <source>The operations recorded in the cluster could not be read: %1</source>
        <extracomment>%1: why (no context, a kubeconfig that cannot be used)</extracomment>
        <translation>无法读取集群中记录的操作：%1</translation>
    </message>
    <message>
        <source>The operations recorded in the cluster (context %1, namespace %2) could not be read: %3</source>
        <extracomment>%1: the context, %2: the namespace, %3: the API server's answer</extracomment>
        <translation>无法读取集群（上下文 %1，命名空间 %2）中记录的操作：%3</translation>
    </message>
    <message>
        <source>%1  %2/%3/%4  %5  (from the cluster)</source>
        <extracomment>%1: the operation's ID; %2/%3/%4: its context/namespace/StatefulSet; %5: what it does</extracomment>
        <translation>%1  %2/%3/%4  %5  （来自集群）</translation>
    </message>
    <message>
        <source>started %1 by %2; %3</source>
        <extracomment>%1: when, %2: who (kubeconfig user@host), %3: where it stopped ("finished", "stopped during step 4 of 8: ...")</extracomment>
        <translation>由 %2 开始于 %1；%3</translation>
    </message>
    <message>
        <source>Resume of another workstation's operation: how long to wait for its lease on the cluster to expire (default: %1).</source>
        <translation>继续执行其他工作站的操作时，等待其在集群上的租约过期的最长时间（默认：%1）。</translation>
    </message>
    <message>
        <source>Could not write the cluster's record of operation %1 as this workstation's journal: %2</source>
        <extracomment>%1: the operation's ID, %2: why</extracomment>
        <translation>无法把集群中操作 %1 的记录写为本工作站的操作记录：%2</translation>
    </message>
    <message>
        <source>Operation %1 (%2) was finished by %3 (recorded in the cluster); this workstation's journal of it now says so.</source>
        <extracomment>%1: the operation's ID, %2: what it does, %3: who (kubeconfig user@host)</extracomment>
        <translation>操作 %1（%2）已由 %3 完成（记录在集群中）；本工作站的操作记录已随之更新。</translation>
    </message>
    <message>
        <source>Operation %1 (%2) was abandoned by %3 (recorded in the cluster); this workstation's journal of it now says so.</source>
        <translation>操作 %1（%2）已被 %3 放弃（记录在集群中）；本工作站的操作记录已随之更新。</translation>
    </message>
    <message>
        <source>Operation %1 (%2) was run further by %3 (recorded in the cluster) and %4; this workstation's journal of it now follows that record.</source>
        <extracomment>%1: the operation's ID, %2: what it does, %3: who (kubeconfig user@host), %4: where it stopped ("stopped during step 4 of 8: ...")</extracomment>
        <translation>操作 %1（%2）已由 %3 继续执行（记录在集群中），现在%4；本工作站的操作记录已改为与该记录一致。</translation>
    </message>
    <message numerus="yes">
        <source>%n operation(s) recorded in the cluster (context %1, namespace %2) that this workstation has no journal of; `tdkube resume ID -n NAMESPACE` takes an unfinished one over once its lease has expired:</source>
        <translation>
            <numerusform>集群（上下文 %1，命名空间 %2）中记录了 %n 个本工作站没有操作记录的操作；租约过期后，`tdkube resume ID -n NAMESPACE` 可接管其中未完成的操作：</numerusform>
        </translation>
    </message>
    <message>
        <source>started %1 by %2, last run by %3; %4</source>
        <extracomment>%1: when, %2: who started it, %3: who ran it last (kubeconfig user@host), %4: where it stopped</extracomment>
        <translation>由 %2 开始于 %1，最后由 %3 执行；%4</translation>
    </message>
    <message>
        <source>The record of operation %1 in the cluster could not be updated (%2): other workstations may still offer to take it over.</source>
        <extracomment>%1: the operation's ID, %2: why the cluster could not be reached</extracomment>
        <translation>无法更新集群中操作 %1 的记录（%2）：其他工作站可能仍会提示接管它。</translation>
    </message>
    <message>
        <source>There is no operation %1 on this workstation, nor recorded in namespace %2 of context %3. `tdkube operations` lists both.</source>
        <translation>本工作站上没有操作 %1，上下文 %3 的命名空间 %2 中也没有它的记录。`tdkube operations` 会列出两者。</translation>
    </message>
    <message>
        <source>Could not read the record of operation %1 in the cluster (context %2, namespace %3): %4. Nothing was changed.</source>
        <translation>无法读取集群（上下文 %2，命名空间 %3）中操作 %1 的记录：%4。未做任何更改。</translation>
    </message>
    <message>
        <source>Could not read the operation lease on StatefulSet %1: %2. Nothing was changed.</source>
        <translation>无法读取 StatefulSet %1 上的操作租约：%2。未做任何更改。</translation>
    </message>
    <message>
        <source>Operation %1 is running on another workstation (%2 holds its lease until %3): abandoning it here would not stop it there. Nothing was changed.</source>
        <translation>操作 %1 正在另一个工作站上运行（%2 持有其租约，直到 %3）：在这里放弃并不能让它在那里停止。未做任何更改。</translation>
    </message>
    <message>
        <source>--wait needs a whole number of seconds (got "%1").</source>
        <translation>--wait 需要一个整数秒数（收到的是 "%1"）。</translation>
    </message>
    <message>
        <source>Operation %1 has no journal on this workstation: reading its record in the cluster (context %2, namespace %3).</source>
        <extracomment>%1: the operation's ID, %2: the context, %3: the namespace</extracomment>
        <translation>本工作站上没有操作 %1 的操作记录：正在读取它在集群（上下文 %2，命名空间 %3）中的记录。</translation>
    </message>
    <message>
        <source>There is no operation %1 on this workstation, nor recorded in namespace %2 of context %3. `tdkube operations` lists both; -n chooses the namespace.</source>
        <translation>本工作站上没有操作 %1，上下文 %3 的命名空间 %2 中也没有它的记录。`tdkube operations` 会列出两者；-n 选择命名空间。</translation>
    </message>
    <message>
        <source>Operation %1 is %2 (last run by %3, recorded in the cluster): there is nothing to resume.</source>
        <extracomment>%2: "finished" or "abandoned"; %3: who ran it last (kubeconfig user@host)</extracomment>
        <translation>操作 %1 %2（最后由 %3 执行，记录在集群中）：没有可继续执行的内容。</translation>
    </message>
    <message>
        <source>Operation %1 (%2) was started by %3 and %4.</source>
        <translation>操作 %1（%2）由 %3 开始，%4。</translation>
    </message>
    <message>
        <source>StatefulSet %1's operation lease is held by %2 until %3: it may still be running there. Nothing was changed. Try again once it has expired, or wait longer with --wait SECONDS (the default is %4).</source>
        <extracomment>%1: the StatefulSet, %2: the lease's holder, %3: until when, %4: seconds</extracomment>
        <translation>StatefulSet %1 的操作租约由 %2 持有，直到 %3：该操作可能仍在那里运行。未做任何更改。请在租约过期后重试，或用 --wait SECONDS 等待更长时间（默认 %4）。</translation>
    </message>
    <message>
        <source>Waiting for StatefulSet %1's operation lease, held by %2 until %3, to expire (its workstation may have stopped without releasing it)…</source>
        <translation>正在等待 StatefulSet %1 的操作租约过期（由 %2 持有，直到 %3；其工作站可能已停止而未释放它）…</translation>
    </message>
    <message>
        <source>Taking operation %1 over from %2: this workstation's journal now holds it.</source>
        <extracomment>%1: the operation's ID, %2: who ran it last (kubeconfig user@host)</extracomment>
        <translation>正在从 %2 接管操作 %1：本工作站的操作记录现在保存着它。</translation>
    </message>
    <message>
        <source>Configure: a taos.cfg entry and its new value, KEY=VALUE (KEY as taos.cfg spells it, or its TAOS_* variable); repeat for more.</source>
        <translation>修改配置：一个 taos.cfg 配置项及其新值，KEY=VALUE（KEY 按 taos.cfg 中的写法，或用其 TAOS_* 变量名）；可重复使用以设置多项。</translation>
    </message>
    <message>
        <source>--set needs KEY=VALUE (got "%1").</source>
        <translation>--set 需要 KEY=VALUE（收到的是 "%1"）。</translation>
    </message>
    <message>
        <source>tdkube configure needs at least one --set KEY=VALUE.</source>
        <translation>tdkube configure 至少需要一个 --set KEY=VALUE。</translation>
    </message>
    <message>
        <source>Upgrade: the new image of the TDengine container, with its version tag (tdengine/tdengine:3.3.6.6).</source>
        <translation>升级：TDengine 容器的新镜像，带版本标签（tdengine/tdengine:3.3.6.6）。</translation>
    </message>
    <message>
        <source>tdkube upgrade needs --image IMAGE, the new image with its version tag.</source>
        <translation>tdkube upgrade 需要 --image IMAGE，即带版本标签的新镜像。</translation>
    </message>
    <message>
        <source>The TDengine login of scale, repair, configure, upgrade and resume (never a password
argument: the command line is seen by every user of the machine):
  --user NAME       The TDengine user (default: root; with the keychain's password, the
                    user stored with it).
  TDKUBE_TDENGINE_PASSWORD=...  The password, from this environment variable.
  --password-stdin  The password, the first line read from stdin (it wins over
                    TDKUBE_TDENGINE_PASSWORD).
  Without either: the password stored in the system keychain by the window, else
  TDengine's default, with a warning.</source>
        <translation>scale、repair、configure、upgrade 和 resume 的 TDengine 登录（密码绝不作为命令行
参数：命令行对本机的每个用户都可见）：
  --user NAME       TDengine 用户（默认：root；使用钥匙串中的密码时，为与其一同
                    保存的用户）。
  TDKUBE_TDENGINE_PASSWORD=...  密码，取自此环境变量。
  --password-stdin  密码，取自从标准输入读取的第一行（优先于
                    TDKUBE_TDENGINE_PASSWORD）。
  两者都没有时：使用窗口保存在系统钥匙串中的密码，否则使用 TDengine 的默认密码，
  并给出警告。</translation>
    </message>
    <message>
        <source>Deploy: a file of manifests (YAML, several documents allowed); repeat for more.</source>
        <translation>部署：一个清单文件（YAML，可含多个文档）；可重复指定多个。</translation>
    </message>
    <message>
        <source>Deploy: one mnode only (without it, a cluster of 3 or more dnodes gets three).</source>
        <translation>部署：只用一个 mnode（不加此项时，3 个及以上 dnode 的集群会有三个 mnode）。</translation>
    </message>
    <message>
        <source>Commands (no window; for scripts and terminals):
  tdkube deploy -f FILE [-f FILE...] [--yes] [--no-ha-mnodes]
      Plan a new cluster from manifest files (checked first, with file, line and column):
      apply them, wait for the pods and the dnodes, create the mnodes of pods -1 and -2,
      verify. Recorded and resumable as every operation; no Secret in the files.
  tdkube scale --cluster NAME --replicas N [--yes] [--delete-stale-claims] [--balance]
      Plan a scale-out or a safe scale-in: print the findings (with reason and fix) and the
      steps; with --yes and no blocking finding, run them, printing each step's progress.
  tdkube repair --cluster NAME [--yes] [--confirm TEXT]
      Plan the repair of offline dnodes with no pod behind them (drop dnode N force);
      one that destroys data runs only with --confirm and the StatefulSet's name.
  tdkube configure --cluster NAME --set KEY=VALUE [--set KEY=VALUE...] [--yes]
      Plan a change of taos.cfg entries: log flags at once with `alter all dnodes`, the
      others by restarting the pods one at a time, each waited for until its dnode is
      back and every vgroup has its leader.
  tdkube upgrade --cluster NAME --image IMAGE [--yes]
      Plan an upgrade to a new TDengine image: refused for a downgrade or a version jump
      TDengine cannot make one dnode at a time; the pods restart one at a time, each
      waited for until its dnode runs the new version and every vgroup has its leader.
  tdkube operations          List the unfinished operations: where each stopped; then the
                             operations the cluster records (in the namespace) that this
                             workstation has no journal of, other workstations' included.
  tdkube resume ID [--wait SECONDS]
      Continue an unfinished operation where it stopped. Another workstation's operation
      (recorded in the cluster, -n its namespace) is taken over once its lease on the
      cluster has expired, waiting for that SECONDS at most (default: %1).
  tdkube abandon ID          Forget an unfinished operation (the cluster is left as it is);
                             its record in the cluster says so too.
  Each takes [--kubeconfig FILE] [--context NAME] [-n NAMESPACE] like the window, and -v
  for the executor's log. Finished operations stay recorded in the cluster, the last %2 of
  each (the window's Operations tab changes that). Exit codes: 0 done (or only planned),
  1 refused or failed, 2 bad usage.</source>
        <translation>命令（无窗口；用于脚本和终端）：
  tdkube deploy -f FILE [-f FILE...] [--yes] [--no-ha-mnodes]
      根据清单文件计划一个新集群（先检查文件，错误带文件、行和列）：
      应用这些对象，等待 Pod 和 dnode，在 Pod -1 和 -2 上创建 mnode，
      然后验证。像其他操作一样被记录、可续做；文件中不能有 Secret。
  tdkube scale --cluster NAME --replicas N [--yes] [--delete-stale-claims] [--balance]
      计划扩容或安全缩容：打印检查项（含原因和解决办法）及步骤；加上 --yes 且没有
      阻止性检查项时，执行这些步骤并打印每一步的进度。
  tdkube repair --cluster NAME [--yes] [--confirm TEXT]
      计划修复背后已没有 Pod 的离线 dnode（drop dnode N force）；
      会销毁数据的修复只有加上 --confirm 和 StatefulSet 的名称才会执行。
  tdkube configure --cluster NAME --set KEY=VALUE [--set KEY=VALUE...] [--yes]
      计划修改 taos.cfg 配置项：日志开关用 `alter all dnodes` 立即生效，
      其余配置项通过逐个重启 Pod 生效，每重启一个都等到其 dnode 恢复、
      且每个 vgroup 都有 leader。
  tdkube upgrade --cluster NAME --image IMAGE [--yes]
      计划升级到新的 TDengine 镜像：降级，以及 TDengine 无法逐个 dnode 完成的
      版本跨越会被拒绝；Pod 逐个重启，每重启一个都等到其 dnode 运行新版本、
      且每个 vgroup 都有 leader。
  tdkube operations          列出未完成的操作及各自的停止位置；
                             然后列出集群（该命名空间）中记录、而本工作站没有操作记录的
                             操作，包括其他工作站的。
  tdkube resume ID [--wait SECONDS]
      从停止处继续执行一个未完成的操作。
      其他工作站的操作（记录在集群中，用 -n 指定其命名空间）会在其集群租约过期后
      被接管，最多等待 SECONDS 秒（默认：%1）。
  tdkube abandon ID          忘记一个未完成的操作（集群保持现状）；
                             集群中的记录也会注明。
  每个命令都像窗口一样接受 [--kubeconfig FILE] [--context NAME] [-n NAMESPACE]，
  并接受 -v 以打印执行器的日志。已完成的操作会保留在集群的记录中，每个集群保留最近
  %2 个（可在窗口的“操作”标签页中修改）。退出码：0 完成（或仅做了计划），1 被拒绝或
  失败，2 用法错误。</translation>
    </message>
    <message>
        <source>tdkube deploy needs -f FILE, the cluster's manifests (repeat -f for more files).</source>
        <translation>tdkube deploy 需要 -f FILE，即集群的清单（多个文件重复 -f）。</translation>
    </message>
    <message>
        <source>Cannot read %1: %2.</source>
        <translation>无法读取 %1：%2。</translation>
    </message>
    <message>
        <source>%1: error: %2</source>
        <translation>%1：错误：%2</translation>
    </message>
    <message>
        <source>%1: warning: %2</source>
        <translation>%1：警告：%2</translation>
    </message>
    <message>
        <source>Nothing was deployed: fix the files first.</source>
        <translation>没有部署任何东西：请先修正这些文件。</translation>
    </message>
    <message>
        <source>Reading namespace %1 (context %2) for StatefulSet %3 and its claims…</source>
        <translation>正在读取命名空间 %1（上下文 %2）中的 StatefulSet %3 及其存储卷声明…</translation>
    </message>
    <message>
        <source>Could not read StatefulSet %1 in namespace %2: %3 Nothing was deployed.</source>
        <translation>无法读取命名空间 %2 中的 StatefulSet %1：%3 没有部署任何东西。</translation>
    </message>
    <message>
        <source>Could not list the claims of namespace %1: %2 Nothing was deployed.</source>
        <translation>无法列出命名空间 %1 的存储卷声明：%2 没有部署任何东西。</translation>
    </message>
</context>
<context>
    <name>Plan</name>
    <message numerus="yes">
        <source>Scale %1 out from %2 to %3 dnodes (%n step(s)): blocked</source>
        <translation>
            <numerusform>将 %1 从 %2 个 dnode 扩容到 %3 个（%n 个步骤）：已被阻止</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Scale %1 out from %2 to %3 dnodes (%n step(s))</source>
        <translation>
            <numerusform>将 %1 从 %2 个 dnode 扩容到 %3 个（%n 个步骤）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Scale %1 in from %2 to %3 dnodes (%n step(s)): blocked</source>
        <translation>
            <numerusform>将 %1 从 %2 个 dnode 缩容到 %3 个（%n 个步骤）：已被阻止</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Scale %1 in from %2 to %3 dnodes (%n step(s))</source>
        <translation>
            <numerusform>将 %1 从 %2 个 dnode 缩容到 %3 个（%n 个步骤）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Repair %1 (%n step(s)): blocked</source>
        <translation>
            <numerusform>修复 %1（%n 个步骤）：已被阻止</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Repair %1 (%n step(s))</source>
        <translation>
            <numerusform>修复 %1（%n 个步骤）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Change the configuration of %1 (%n step(s)): blocked</source>
        <translation>
            <numerusform>修改 %1 的配置（%n 个步骤）：已被阻止</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Change the configuration of %1 (%n step(s))</source>
        <translation>
            <numerusform>修改 %1 的配置（%n 个步骤）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Upgrade %1 (%n step(s)): blocked</source>
        <translation>
            <numerusform>升级 %1（%n 个步骤）：已被阻止</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Upgrade %1 (%n step(s))</source>
        <translation>
            <numerusform>升级 %1（%n 个步骤）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Deploy %1 with %2 dnodes (%n step(s)): blocked</source>
        <translation>
            <numerusform>部署 %1，%2 个 dnode（%n 步）：已阻止</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Deploy %1 with %2 dnodes (%n step(s))</source>
        <translation>
            <numerusform>部署 %1，%2 个 dnode（%n 步）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete cluster %1 (%n step(s)): blocked</source>
        <translation>
            <numerusform>删除集群 %1（%n 步）：已阻止</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete cluster %1 (%n step(s))</source>
        <translation>
            <numerusform>删除集群 %1（%n 步）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Planner</name>
    <message numerus="yes">
        <source>%n dnode(s)</source>
        <translation>
            <numerusform>%n 个 dnode</numerusform>
        </translation>
    </message>
    <message>
        <source>in an unknown phase and Ready</source>
        <translation>阶段未知且已就绪</translation>
    </message>
    <message>
        <source>in an unknown phase and not Ready</source>
        <translation>阶段未知且未就绪</translation>
    </message>
    <message>
        <source>%1 and Ready</source>
        <extracomment>A pod's state; %1: its phase as Kubernetes names it (Pending, Running, ...)</extracomment>
        <translation>%1 且已就绪</translation>
    </message>
    <message>
        <source>%1 and not Ready</source>
        <extracomment>A pod's state; %1: its phase as Kubernetes names it (Pending, Running, ...)</extracomment>
        <translation>%1 且未就绪</translation>
    </message>
    <message>
        <source>Pod %1 does not exist, although StatefulSet %2 has %3 replicas.</source>
        <translation>Pod %1 不存在，但 StatefulSet %2 为 %3 副本。</translation>
    </message>
    <message>
        <source>Wait until the StatefulSet has created it and it is Ready; if it is not created, look at the StatefulSet's events (kubectl describe statefulset %1).</source>
        <translation>请等待 StatefulSet 创建该 Pod 并使其就绪；如果 Pod 没有被创建，请查看 StatefulSet 的事件（kubectl describe statefulset %1）。</translation>
    </message>
    <message>
        <source>Pod %1 is %2: its dnode cannot take part in moving data.</source>
        <extracomment>%2: the pod's state, e.g. "Running and not Ready"</extracomment>
        <translation>Pod %1 的状态为 %2：其 dnode 无法参与数据迁移。</translation>
    </message>
    <message>
        <source>Look at the pod's events and logs (kubectl describe pod %1; kubectl logs %1) and try again once it is Ready.</source>
        <translation>请查看该 Pod 的事件和日志（kubectl describe pod %1; kubectl logs %1），待其就绪后重试。</translation>
    </message>
    <message>
        <source>dnode %1 (%2) is still a member of the cluster, but its pod %3 does not exist: the StatefulSet was scaled in without `drop dnode`. Its vnodes are unavailable.</source>
        <translation>dnode %1（%2）仍是集群成员，但其 Pod %3 不存在：StatefulSet 在未执行 `drop dnode` 的情况下被缩容了。其 vnode 不可用。</translation>
    </message>
    <message>
        <source>Repair the cluster first (tdkube's Repair drops the dnode with `drop dnode %1 force` and says what that costs), or scale the StatefulSet back out so that %2 returns with its data.</source>
        <translation>请先修复集群（tdkube 的修复功能会用 `drop dnode %1 force` 删除该 dnode，并说明这样做的代价），或将 StatefulSet 扩容回去，使 %2 带着其数据重新出现。</translation>
    </message>
    <message>
        <source>dnode %1 (%2) is offline; its pod %3 is %4.</source>
        <translation>dnode %1（%2）离线；其 Pod %3 的状态为 %4。</translation>
    </message>
    <message>
        <source>Bring it back first: look at the pod's events and logs (kubectl describe pod %1; kubectl logs %1), then try again.</source>
        <translation>请先让它恢复：查看该 Pod 的事件和日志（kubectl describe pod %1; kubectl logs %1），然后重试。</translation>
    </message>
    <message>
        <source>dnode %1 (%2) is being dropped: its vnodes are still moving.</source>
        <translation>dnode %1（%2）正在被删除：其 vnode 仍在迁移中。</translation>
    </message>
    <message>
        <source>Wait until it has left `show dnodes` (its transaction is in `show transactions`), then try again.</source>
        <translation>请等到它从 `show dnodes` 中消失（其事务见 `show transactions`），然后重试。</translation>
    </message>
    <message numerus="yes">
        <source>TDengine is running %n transaction(s): %1. Dropping a dnode or creating an mnode conflicts with a running transaction, and TDengine would refuse it half-way.</source>
        <translation>
            <numerusform>TDengine 正在运行 %n 个事务：%1。删除 dnode 或创建 mnode 会与正在运行的事务冲突，TDengine 会在中途拒绝该操作。</numerusform>
        </translation>
    </message>
    <message>
        <source>Wait until `show transactions` is empty, then plan again. A transaction that never ends names its error in `show transactions`.</source>
        <translation>请等到 `show transactions` 为空后重新制定计划。一直无法结束的事务会在 `show transactions` 中给出其错误。</translation>
    </message>
    <message>
        <source>Wait until `show transactions` is empty, then plan again. %1</source>
        <translation>请等到 `show transactions` 为空后重新制定计划。%1</translation>
    </message>
    <message>
        <source>No dnode has the endpoint of pod %1 (%2): tdkube cannot tell which dnode to drop.</source>
        <translation>没有 dnode 使用 Pod %1 的端点（%2）：tdkube 无法确定要删除哪个 dnode。</translation>
    </message>
    <message>
        <source>Check `show dnodes`: the pod may not have joined (see its logs), or its TAOS_FQDN differs from the StatefulSet's serviceName. Repair that before scaling in.</source>
        <translation>请检查 `show dnodes`：该 Pod 可能尚未加入集群（查看其日志），或其 TAOS_FQDN 与 StatefulSet 的 serviceName 不一致。请在缩容前先修正该问题。</translation>
    </message>
    <message numerus="yes">
        <source>Database %1 has replica %2: it needs %2 dnodes, and the scale-in would leave %n dnode(s). Its vgroups could not keep a majority and every query on it would fail.</source>
        <translation>
            <numerusform>数据库 %1 为 %2 副本：它需要 %2 个 dnode，而缩容后只剩 %n 个 dnode。其 vgroup 将无法保持多数派，对它的所有查询都会失败。</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose a target of %1 or more dnodes.</source>
        <translation>请选择 %1 个或更多 dnode 作为目标。</translation>
    </message>
    <message numerus="yes">
        <source>The leaving dnodes hold %n vnode(s), but the dnodes that stay have room for only %1 more (support_vnodes minus the vnodes they hold).</source>
        <translation>
            <numerusform>将移除的 dnode 上有 %n 个 vnode，但保留的 dnode 只能再容纳 %1 个（support_vnodes 减去其已有的 vnode 数）。</numerusform>
        </translation>
    </message>
    <message>
        <source>Keep more dnodes, raise supportVnodes in taos.cfg, or drop databases you no longer need.</source>
        <translation>请保留更多 dnode、调大 taos.cfg 中的 supportVnodes，或删除不再需要的数据库。</translation>
    </message>
    <message>
        <source>dnode %1 (pod %2) holds the leader mnode: TDengine refuses to drop the leader mnode, and to drop its dnode.</source>
        <translation>dnode %1（Pod %2）上有 leader mnode：TDengine 拒绝删除 leader mnode，也拒绝删除其所在的 dnode。</translation>
    </message>
    <message>
        <source>Move the leadership first: restart pod %1 (kubectl delete pod %1); while it restarts the other mnodes elect a new leader, and it comes back as a follower. Then plan again.</source>
        <translation>请先转移 leader 角色：重启 Pod %1（kubectl delete pod %1）；在其重启期间，其他 mnode 会选出新的 leader，它恢复后将成为 follower。然后重新制定计划。</translation>
    </message>
    <message numerus="yes">
        <source>dnode %1 (pod %2) holds an mnode, and no dnode that stays is free to take it: TDengine keeps at most one mnode per dnode, and the cluster has %n mnode(s) for %3 staying.</source>
        <extracomment>%3: a number of dnodes, "%n dnode(s)"</extracomment>
        <translation>
            <numerusform>dnode %1（Pod %2）上有一个 mnode，而保留的 dnode 中没有空闲的 dnode 可以接收它：TDengine 每个 dnode 最多只有一个 mnode，而集群有 %n 个 mnode，保留的却只有 %3。</numerusform>
        </translation>
    </message>
    <message>
        <source>Keep at least %1 dnodes, so that every mnode has a dnode of its own, or drop an mnode by hand first if you accept fewer mnodes (fewer than 3 cannot survive losing one).</source>
        <translation>请至少保留 %1 个 dnode，使每个 mnode 都有自己的 dnode；如果可以接受更少的 mnode，也可以先手动删除一个 mnode（少于 3 个 mnode 时，集群无法承受失去其中一个）。</translation>
    </message>
    <message>
        <source>%1 (claim %2)</source>
        <translation>%1（存储卷声明 %2）</translation>
    </message>
    <message>
        <source>The reclaim policy of %1 is Retain: deleting their claims leaves the volumes Released, with the old data, and the disk space stays in use.</source>
        <translation>%1 的回收策略为 Retain：删除其存储卷声明后，这些存储卷会处于 Released 状态并保留旧数据，磁盘空间仍被占用。</translation>
    </message>
    <message>
        <source>Delete those PersistentVolumes (and their disks) yourself once you no longer need the data.</source>
        <translation>不再需要这些数据时，请自行删除这些 PersistentVolume（及其磁盘）。</translation>
    </message>
    <message>
        <source>Database(s) %1 keep a single replica, and some of their vgroups are on leaving dnodes: `drop dnode` copies them to the dnodes that stay. That is safe, but it takes as long as copying the data, and writes to those vgroups wait meanwhile.</source>
        <translation>数据库 %1 为单副本，且其部分 vgroup 位于将移除的 dnode 上：`drop dnode` 会将它们复制到保留的 dnode。这是安全的，但耗时与复制这些数据相当，且在此期间对这些 vgroup 的写入会等待。</translation>
    </message>
    <message>
        <source>Run the scale-in at a quiet time.</source>
        <translation>请在业务空闲时执行缩容。</translation>
    </message>
    <message>
        <source>dnode %1 holds no vnode, so `drop dnode %1` moves no data; tdkube waits until the dnode has left `show dnodes`.</source>
        <translation>dnode %1 上没有 vnode，因此 `drop dnode %1` 不会迁移数据；tdkube 会等到该 dnode 从 `show dnodes` 中消失。</translation>
    </message>
    <message numerus="yes">
        <source>`drop dnode %1` moves its %n vnode(s) to the dnodes that stay; tdkube waits until the dnode has left `show dnodes`, showing progress from `show transactions`.</source>
        <translation>
            <numerusform>`drop dnode %1` 会将其 %n 个 vnode 迁移到保留的 dnode；tdkube 会等到该 dnode 从 `show dnodes` 中消失，并根据 `show transactions` 显示进度。</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: its volume %2 is deleted with it (reclaim policy Delete), and the data is gone.</source>
        <translation>%1：其存储卷 %2 会随之删除（回收策略 Delete），数据将不复存在。</translation>
    </message>
    <message>
        <source>%1: its volume %2 is kept, Released, with the data (reclaim policy Retain); delete it yourself when you no longer need it.</source>
        <translation>%1：其存储卷 %2 连同数据会保留下来，处于 Released 状态（回收策略 Retain）；不再需要时请自行删除。</translation>
    </message>
    <message>
        <source>%1: what happens to its volume depends on the PersistentVolume's reclaim policy, which tdkube could not read.</source>
        <translation>%1：其存储卷如何处理取决于该 PersistentVolume 的回收策略，而 tdkube 无法读取该策略。</translation>
    </message>
    <message>
        <source>Only once each dnode was dropped and its pod is gone. %1</source>
        <extracomment>%1: one sentence per claim</extracomment>
        <translation>仅在每个 dnode 都已删除且其 Pod 已不存在之后执行。%1</translation>
    </message>
    <message>
        <source>create mnode on dnode %1</source>
        <extracomment>A step's title, worded as the statement it sends</extracomment>
        <translation>create mnode on dnode %1</translation>
    </message>
    <message>
        <source>Replaces the mnode of dnode %1, which leaves, on dnode %2, which stays; tdkube waits until it is a ready follower.</source>
        <translation>在保留的 dnode %2 上替代将移除的 dnode %1 的 mnode；tdkube 会等到它成为就绪的 follower。</translation>
    </message>
    <message>
        <source>drop mnode on dnode %1</source>
        <extracomment>A step's title, worded as the statement it sends</extracomment>
        <translation>drop mnode on dnode %1</translation>
    </message>
    <message>
        <source>dnode %1 leaves and holds an mnode (a follower). TDengine keeps at most 3 mnodes, so it goes before its replacement on dnode %2 is created; until then the cluster runs on 2.</source>
        <translation>dnode %1 将被移除，且其上有一个 mnode（follower）。TDengine 最多保留 3 个 mnode，因此要在 dnode %2 上创建替代 mnode 之前先删除它；在此之前集群以 2 个 mnode 运行。</translation>
    </message>
    <message>
        <source>dnode %1 leaves and holds an mnode (a follower): it goes once its replacement on dnode %2 is ready.</source>
        <translation>dnode %1 将被移除，且其上有一个 mnode（follower）：待 dnode %2 上的替代 mnode 就绪后再删除它。</translation>
    </message>
    <message>
        <source>drop dnode %1 (pod %2)</source>
        <extracomment>A step's title, worded as the statement it sends</extracomment>
        <translation>drop dnode %1（Pod %2）</translation>
    </message>
    <message>
        <source>scale StatefulSet %1 to %2 replicas</source>
        <translation>将 StatefulSet %1 扩缩容到 %2 副本</translation>
    </message>
    <message>
        <source>The dnodes of the leaving pods are gone, so their pods may stop.</source>
        <translation>将移除的 Pod 的 dnode 已删除，因此这些 Pod 可以停止。</translation>
    </message>
    <message>
        <source>wait for pods %1 to terminate</source>
        <translation>等待 Pod %1 终止</translation>
    </message>
    <message>
        <source>Their claims are deleted only once no pod uses them.</source>
        <translation>仅当没有 Pod 使用其存储卷声明时，才会删除这些存储卷声明。</translation>
    </message>
    <message>
        <source>delete claims %1</source>
        <translation>删除存储卷声明 %1</translation>
    </message>
    <message>
        <source>verify the cluster</source>
        <translation>验证集群</translation>
    </message>
    <message>
        <source>dnode %1 (%2) is offline since pod %3 went without `drop dnode`; pod %3 returns with claim %4 and the data in it, and the dnode comes back online.</source>
        <translation>dnode %1（%2）离线，因为 Pod %3 在未执行 `drop dnode` 的情况下被移除；Pod %3 会带着存储卷声明 %4 及其中的数据重新出现，该 dnode 将恢复在线。</translation>
    </message>
    <message>
        <source>Nothing: its claim is kept. Scale in with tdkube later if you want fewer dnodes.</source>
        <translation>无需处理：其存储卷声明会保留。如果需要减少 dnode，请稍后使用 tdkube 缩容。</translation>
    </message>
    <message>
        <source>Claim(s) %1 exist for the new pods: an earlier scale-in left them. A pod that gets one back starts with the old dnode's data and identity and cannot join the cluster.</source>
        <translation>新 Pod 对应的存储卷声明 %1 已存在：它们是之前的缩容留下的。重新获得这类存储卷声明的 Pod 启动时会带有旧 dnode 的数据和身份，因而无法加入集群。</translation>
    </message>
    <message>
        <source>%1 They are deleted first, as you asked.</source>
        <extracomment>%1: the sentences above, about the stale claims</extracomment>
        <translation>%1 按您的要求，将首先删除它们。</translation>
    </message>
    <message>
        <source>Nothing: the plan deletes them before it scales.</source>
        <translation>无需处理：计划会在扩缩容之前删除它们。</translation>
    </message>
    <message>
        <source>Let tdkube delete them first (the option "delete stale claims"), or delete them yourself (kubectl delete pvc %1) if you are sure their dnodes were dropped.</source>
        <translation>请让 tdkube 先删除它们（选项“删除残留的存储卷声明”），或在确认其 dnode 已删除的情况下自行删除（kubectl delete pvc %1）。</translation>
    </message>
    <message>
        <source>The StatefulSet's claims ask for storage class %1, which the cluster does not have: the new pods would stay Pending.</source>
        <translation>StatefulSet 的存储卷声明请求存储类 %1，但集群中没有该存储类：新 Pod 将一直处于 Pending 状态。</translation>
    </message>
    <message>
        <source>Create storage class %1, or change the StatefulSet's volumeClaimTemplates (kubectl get storageclass lists the ones there are).</source>
        <translation>请创建存储类 %1，或修改 StatefulSet 的 volumeClaimTemplates（kubectl get storageclass 可列出现有的存储类）。</translation>
    </message>
    <message>
        <source>Up to 3 mnodes, so that the cluster survives losing one.</source>
        <translation>mnode 最多补足到 3 个，使集群在失去其中一个时仍能存活。</translation>
    </message>
    <message>
        <source>create mnode on the dnode of pod %1</source>
        <translation>在 Pod %1 的 dnode 上创建 mnode</translation>
    </message>
    <message>
        <source>delete stale claims %1</source>
        <translation>删除残留的存储卷声明 %1</translation>
    </message>
    <message>
        <source>The StatefulSet creates the new pods one at a time, each with a new claim.</source>
        <translation>StatefulSet 会逐个创建新 Pod，每个 Pod 都使用新的存储卷声明。</translation>
    </message>
    <message>
        <source>wait for %1 pods Ready</source>
        <translation>等待 %1 个 Pod 就绪</translation>
    </message>
    <message>
        <source>New pods: %1.</source>
        <translation>新 Pod：%1。</translation>
    </message>
    <message>
        <source>wait for %1 dnodes ready</source>
        <translation>等待 %1 个 dnode 就绪</translation>
    </message>
    <message>
        <source>Each new pod registers its dnode; tdkube waits until `show dnodes` lists it ready.</source>
        <translation>每个新 Pod 都会注册其 dnode；tdkube 会等到 `show dnodes` 显示其为就绪。</translation>
    </message>
    <message>
        <source>balance vgroup</source>
        <extracomment>A step's title: the statement it sends</extracomment>
        <translation>balance vgroup</translation>
    </message>
    <message>
        <source>Moves vnodes onto the new dnodes; until then they hold none and serve no data.</source>
        <translation>将 vnode 迁移到新的 dnode 上；在此之前，新 dnode 上没有 vnode，也不提供任何数据服务。</translation>
    </message>
    <message>
        <source>dnode %1 (%2) is offline and its pod %3 does not exist: the StatefulSet was scaled in without `drop dnode`. TDengine keeps waiting for it, and a later scale-out cannot reuse the ordinal.</source>
        <translation>dnode %1（%2）离线且其 Pod %3 不存在：StatefulSet 在未执行 `drop dnode` 的情况下被缩容了。TDengine 会一直等待它，之后的扩容也无法复用该序号。</translation>
    </message>
    <message>
        <source>Drop it with `%1` (this plan).</source>
        <translation>用 `%1` 删除它（即本计划）。</translation>
    </message>
    <message>
        <source>Either scale the StatefulSet back out, so that %1 returns with its claim and the dnode comes back online (nothing is lost), or drop it with `%2` (this plan).</source>
        <translation>可以将 StatefulSet 扩容回去，使 %1 带着其存储卷声明重新出现，dnode 恢复在线（不会丢失任何数据）；或用 `%2` 删除它（即本计划）。</translation>
    </message>
    <message>
        <source>The vnodes of %1 are rebuilt from their other replicas.</source>
        <translation>%1 的 vnode 将从其余副本重建。</translation>
    </message>
    <message>
        <source>%1 (pod %2 is gone)</source>
        <extracomment>A step's title; %1: the statement it sends (drop dnode N force)</extracomment>
        <translation>%1（Pod %2 已不存在）</translation>
    </message>
    <message>
        <source>Database(s) %1 keep a single replica, and this dnode holds the only copy of some of their vgroups: that data is lost (`%2`).</source>
        <translation>数据库 %1 为单副本，且该 dnode 持有其部分 vgroup 的唯一副本：这些数据将丢失（`%2`）。</translation>
    </message>
    <message>
        <source>dnode %1 holds the only copy of data of %2 (replica 1). Dropping it loses that data for good.</source>
        <translation>dnode %1 持有 %2 的数据的唯一副本（1 副本）。删除它将永久丢失这些数据。</translation>
    </message>
    <message>
        <source>If claim(s) of pod %1 still exist, scale the StatefulSet back out so that %1 returns with the data, then scale in with tdkube. To drop it anyway, type the cluster name %2 to confirm.</source>
        <translation>如果 Pod %1 的存储卷声明仍然存在，请将 StatefulSet 扩容回去，使 %1 带着数据重新出现，然后使用 tdkube 缩容。如果仍要删除它，请输入集群名称 %2 进行确认。</translation>
    </message>
    <message>
        <source>It holds no vnodes: nothing is moved or lost.</source>
        <translation>它上面没有 vnode：不会迁移或丢失任何数据。</translation>
    </message>
    <message numerus="yes">
        <source>dnode %1 (%2) is dropping: a drop-dnode transaction is moving its %n vnode(s) to the other dnodes. No transaction is running now.</source>
        <translation>
            <numerusform>dnode %1（%2）正在删除：一个 drop-dnode 事务正在将其 %n 个 vnode 迁移到其他 dnode。当前没有正在运行的事务。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>dnode %1 (%2) is dropping: a drop-dnode transaction is moving its %n vnode(s) to the other dnodes. Running: %3.</source>
        <translation>
            <numerusform>dnode %1（%2）正在删除：一个 drop-dnode 事务正在将其 %n 个 vnode 迁移到其他 dnode。正在运行：%3。</numerusform>
        </translation>
    </message>
    <message>
        <source>Leave its pod and its claim alone until the dnode has left `show dnodes`. `show transactions` shows the progress and, if it is stuck, the error (often a dnode it needs is offline: bring that one back).</source>
        <translation>在该 dnode 从 `show dnodes` 中消失之前，请不要改动其 Pod 和存储卷声明。`show transactions` 会显示进度；如果事务卡住，还会显示错误（常见原因是它所需的某个 dnode 离线：请让该 dnode 恢复）。</translation>
    </message>
    <message>
        <source>Leave its pod and its claim alone until the dnode has left `show dnodes`. %1</source>
        <translation>在该 dnode 从 `show dnodes` 中消失之前，请不要改动其 Pod 和存储卷声明。%1</translation>
    </message>
    <message>
        <source>`drop dnode %1` would be refused with "Out of dnodes" (0x0334): vgroup %2 of database %3 needs a dnode that holds none of its replicas, and every online dnode that stays holds one.</source>
        <translation>`drop dnode %1` 将被拒绝并返回 “Out of dnodes”（0x0334）：数据库 %3 的 vgroup %2 需要一个不持有其任何副本的 dnode，而保留的每个在线 dnode 都持有其一个副本。</translation>
    </message>
    <message>
        <source>Keep more dnodes, or bring the offline ones back online, then plan again.</source>
        <translation>请保留更多 dnode，或让离线的 dnode 恢复在线，然后重新制定计划。</translation>
    </message>
    <message>
        <source>`drop dnode %1` would be refused: TDengine moves each of its vnodes to the least loaded dnode that holds no replica of that vgroup, and for vgroup %2 of database %3 that is dnode %4, which is full (%5 of %6 vnodes). TDengine does not try another dnode: it answers "Out of dnodes" (0x0334; "Vnodes exhausted", 0x03BA, from 3.3).</source>
        <translation>`drop dnode %1` 将被拒绝：TDengine 会把其每个 vnode 迁移到不持有该 vgroup 副本且负载最低的 dnode，而对于数据库 %3 的 vgroup %2，该 dnode 是 dnode %4，它已满（%5/%6 个 vnode）。TDengine 不会尝试其他 dnode：它会返回 “Out of dnodes”（0x0334；从 3.3 起为 “Vnodes exhausted”，0x03BA）。</translation>
    </message>
    <message>
        <source>Raise supportVnodes (TAOS_SUPPORT_VNODES) so that dnode %1 has room, keep more dnodes, or move vgroup %2 off the leaving dnodes first with `redistribute vgroup`.</source>
        <translation>请调大 supportVnodes（TAOS_SUPPORT_VNODES）使 dnode %1 有空间、保留更多 dnode，或先用 `redistribute vgroup` 将 vgroup %2 从将移除的 dnode 上迁走。</translation>
    </message>
    <message>
        <source>Rebuild dnode %1's vnodes as said, then plan the scale-in again.</source>
        <translation>请按上述说明重建 dnode %1 的 vnode，然后重新制定缩容计划。</translation>
    </message>
    <message numerus="yes">
        <source>Scaling %1 in to %2 is not possible: it has %n dnode(s) now, and a scale-in goes to at least 1 and to fewer than it has.</source>
        <translation>
            <numerusform>无法将 %1 缩容到 %2：它当前有 %n 个 dnode，缩容的目标至少为 1，且须少于当前数量。</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose a target between 1 and %1.</source>
        <translation>请选择 1 到 %1 之间的目标。</translation>
    </message>
    <message numerus="yes">
        <source>Scaling %1 out to %2 is not possible: it has %n dnode(s) already.</source>
        <translation>
            <numerusform>无法将 %1 扩容到 %2：它已有 %n 个 dnode。</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose a target above %1, or scale in instead.</source>
        <translation>请选择大于 %1 的目标，或改为缩容。</translation>
    </message>
    <message>
        <source>dnode %1 (%2) is offline, but its pod %3 exists: it is %4.</source>
        <translation>dnode %1（%2）离线，但其 Pod %3 存在：状态为 %4。</translation>
    </message>
    <message>
        <source>dnode %1 (%2) is offline and its pod %3 is missing; StatefulSet %4 should recreate it.</source>
        <translation>dnode %1（%2）离线且其 Pod %3 不存在；StatefulSet %4 应会重新创建该 Pod。</translation>
    </message>
    <message>
        <source>This is not repaired by dropping the dnode: its pod is (or will be) there. Look at the pod's events and logs (kubectl describe pod %1; kubectl logs %1); once the pod is Ready the dnode comes back online by itself.</source>
        <translation>删除该 dnode 无法修复此问题：其 Pod 存在（或即将存在）。请查看该 Pod 的事件和日志（kubectl describe pod %1; kubectl logs %1）；Pod 就绪后，该 dnode 会自行恢复在线。</translation>
    </message>
    <message>
        <source>No dnode is offline without a pod: there is nothing to drop.</source>
        <translation>没有缺少 Pod 的离线 dnode：无需删除任何 dnode。</translation>
    </message>
    <message numerus="yes">
        <source>Database %1 has replica %2, and only %n dnode(s) would remain.</source>
        <translation>
            <numerusform>数据库 %1 为 %2 副本，而只会剩下 %n 个 dnode。</numerusform>
        </translation>
    </message>
    <message>
        <source>Scale the StatefulSet out first so that %1 dnodes remain, then repair.</source>
        <translation>请先对 StatefulSet 扩容，使剩余 dnode 达到 %1 个，然后再修复。</translation>
    </message>
    <message>
        <source>vgroup %1 of %2 (dnode %3 %4)</source>
        <translation>%2 的 vgroup %1（dnode %3 %4）</translation>
    </message>
    <message>
        <source>Not every vgroup's replicas are leader or follower: %1. Restarting a pod now could leave a vgroup without a leader, and its database unwritable.</source>
        <translation>并非每个 vgroup 的副本都是 leader 或 follower：%1。此时重启 Pod 可能使某个 vgroup 失去 leader，导致其数据库无法写入。</translation>
    </message>
    <message>
        <source>Wait until `show &lt;db&gt;.vgroups` shows only leaders and followers (a dnode that was restarted catches up by itself), then plan again.</source>
        <translation>请等到 `show &lt;db&gt;.vgroups` 只显示 leader 和 follower（重启过的 dnode 会自行追上），然后重新制定计划。</translation>
    </message>
    <message>
        <source>The mnodes have no leader or no quorum (%1 of %2 serving): restarting a pod could stop the cluster's management.</source>
        <translation>mnode 没有 leader 或未达到多数派（%2 个中有 %1 个在服务）：重启 Pod 可能导致集群的管理功能停止。</translation>
    </message>
    <message>
        <source>Look at `show mnodes` and bring the offline ones back first.</source>
        <translation>请查看 `show mnodes`，并先让离线的 mnode 恢复。</translation>
    </message>
    <message>
        <source>StatefulSet %1 updates its pods OnDelete: tdkube restarts pods one at a time through the RollingUpdate strategy's partition, which OnDelete does not have.</source>
        <translation>StatefulSet %1 以 OnDelete 方式更新其 Pod：tdkube 通过 RollingUpdate 策略的 partition 逐个重启 Pod，而 OnDelete 没有 partition。</translation>
    </message>
    <message>
        <source>Set spec.updateStrategy.type to RollingUpdate (kubectl edit statefulset %1), then plan again.</source>
        <translation>请将 spec.updateStrategy.type 设为 RollingUpdate（kubectl edit statefulset %1），然后重新制定计划。</translation>
    </message>
    <message>
        <source>StatefulSet %1 is in the middle of a rollout (partition %2, revision %3 → %4): some pods run another template than the others.</source>
        <translation>StatefulSet %1 正处于滚动更新中（partition %2，修订版本 %3 → %4）：部分 Pod 运行的模板与其他 Pod 不同。</translation>
    </message>
    <message>
        <source>Finish or undo it first: an unfinished tdkube operation is resumed from its offer or with `tdkube resume`; a rollout started by hand, with kubectl rollout status / undo statefulset %1.</source>
        <translation>请先完成或撤销它：未完成的 tdkube 操作可在 tdkube 提示继续执行时继续，或用 `tdkube resume` 继续；手动发起的滚动更新，请用 kubectl rollout status / undo statefulset %1。</translation>
    </message>
    <message>
        <source>The pods of StatefulSet %1 take no ConfigMap through envFrom, so there is no taos.cfg configuration for tdkube to change.</source>
        <translation>StatefulSet %1 的 Pod 没有通过 envFrom 引用任何 ConfigMap，因此没有可供 tdkube 修改的 taos.cfg 配置。</translation>
    </message>
    <message>
        <source>Deploy with tdkube (its StatefulSet reads ConfigMap %1-taoscfg), or add an envFrom configMapRef to the tdengine container.</source>
        <translation>请用 tdkube 部署（其 StatefulSet 读取 ConfigMap %1-taoscfg），或为 tdengine 容器添加一个 envFrom configMapRef。</translation>
    </message>
    <message>
        <source>ConfigMap %1 could not be read: %2</source>
        <translation>无法读取 ConfigMap %1：%2</translation>
    </message>
    <message>
        <source>Ask for the right to read and update ConfigMaps in namespace %1.</source>
        <translation>请申请在命名空间 %1 中读取和更新 ConfigMap 的权限。</translation>
    </message>
    <message>
        <source>ConfigMap %1, which the pods of %2 read their settings from, does not exist.</source>
        <translation>%2 的 Pod 从中读取设置的 ConfigMap %1 不存在。</translation>
    </message>
    <message>
        <source>Create it (kubectl create configmap %1) or fix the StatefulSet's envFrom.</source>
        <translation>请创建它（kubectl create configmap %1），或修正 StatefulSet 的 envFrom。</translation>
    </message>
    <message>
        <source>No setting to change was given.</source>
        <translation>未指定要修改的设置。</translation>
    </message>
    <message>
        <source>Give each as KEY=VALUE, KEY a taos.cfg name (debugFlag) or its variable (TAOS_DEBUG_FLAG).</source>
        <translation>请以 KEY=VALUE 的形式给出每一项，KEY 为 taos.cfg 参数名（debugFlag）或其变量名（TAOS_DEBUG_FLAG）。</translation>
    </message>
    <message>
        <source>"%1" is not a taos.cfg name (like supportVnodes) nor its variable (like TAOS_SUPPORT_VNODES).</source>
        <translation>"%1" 既不是 taos.cfg 参数名（如 supportVnodes），也不是其变量名（如 TAOS_SUPPORT_VNODES）。</translation>
    </message>
    <message>
        <source>Give the name as taos.cfg spells it.</source>
        <translation>请按 taos.cfg 中的写法给出参数名。</translation>
    </message>
    <message>
        <source>%1 must be the same on every dnode: the mnode keeps a dnode whose %1 differs offline ("... not match"), so changing it one pod at a time would stop each restarted dnode until all were changed.</source>
        <translation>%1 在每个 dnode 上必须相同：mnode 会让 %1 不同的 dnode 保持离线（"... not match"），因此逐个 Pod 修改它会使每个重启后的 dnode 都无法工作，直到全部修改完毕。</translation>
    </message>
    <message>
        <source>Change it in a maintenance window, with every pod restarted at once (kubectl delete pod -l %1 after changing ConfigMap %2); tdkube does not stop a whole cluster.</source>
        <translation>请在维护窗口内修改，并同时重启所有 Pod（修改 ConfigMap %2 后执行 kubectl delete pod -l %1）；tdkube 不会停止整个集群。</translation>
    </message>
    <message>
        <source>%1 is each dnode's identity, built per pod in the StatefulSet: a dnode's endpoint is recorded in the cluster and must never change.</source>
        <translation>%1 是每个 dnode 的身份，由 StatefulSet 为每个 Pod 分别生成：dnode 的端点记录在集群中，绝不能改变。</translation>
    </message>
    <message>
        <source>Leave it as it is.</source>
        <translation>请保持原样。</translation>
    </message>
    <message>
        <source>%1 is where each dnode keeps its files: changed, every restarted dnode would start without its data.</source>
        <translation>%1 是每个 dnode 存放其文件的位置：一旦修改，每个重启后的 dnode 启动时都将没有其数据。</translation>
    </message>
    <message>
        <source>Leave it as it is; the data volume is mounted there.</source>
        <translation>请保持原样；数据存储卷就挂载在那里。</translation>
    </message>
    <message>
        <source>%1 is set in the StatefulSet's container env, which wins over ConfigMap %2: changing the ConfigMap would change nothing.</source>
        <translation>%1 设置在 StatefulSet 容器的 env 中，其优先级高于 ConfigMap %2：修改该 ConfigMap 不会产生任何效果。</translation>
    </message>
    <message>
        <source>Remove %1 from the container's env (kubectl edit statefulset %2) so that the ConfigMap decides, then plan again.</source>
        <translation>请从容器的 env 中移除 %1（kubectl edit statefulset %2），由 ConfigMap 决定其值，然后重新制定计划。</translation>
    </message>
    <message>
        <source>%1 is %2 already.</source>
        <translation>%1 已经是 %2。</translation>
    </message>
    <message>
        <source>%1 → %2: applied at once on every dnode with `alter all dnodes`, without a restart, and kept in ConfigMap %3 for the next start.</source>
        <translation>%1 → %2：通过 `alter all dnodes` 在每个 dnode 上立即生效，无需重启，并保存在 ConfigMap %3 中供下次启动使用。</translation>
    </message>
    <message>
        <source>%1 → %2: taosd reads it only when it starts, so every pod restarts, one at a time, highest ordinal first.</source>
        <translation>%1 → %2：taosd 只在启动时读取它，因此每个 Pod 都要逐个重启，序号最大的最先重启。</translation>
    </message>
    <message>
        <source>%1 have one replica: each of their vgroups cannot be read or written while the pod that holds it restarts (about as long as a taosd start).</source>
        <translation>数据库 %1 为单副本：它们的每个 vgroup 在其所在 Pod 重启期间（约为一次 taosd 启动的时长）都无法读写。</translation>
    </message>
    <message>
        <source>Choose a quiet moment, or keep the data in replica-3 databases.</source>
        <translation>请选择业务空闲的时候执行，或将数据保存在 3 副本的数据库中。</translation>
    </message>
    <message>
        <source>set %1 in ConfigMap %2</source>
        <translation>在 ConfigMap %2 中设置 %1</translation>
    </message>
    <message>
        <source>Running pods keep their values until they restart; a pod started later takes the new ones.</source>
        <translation>运行中的 Pod 在重启之前保持原值；之后启动的 Pod 会采用新值。</translation>
    </message>
    <message>
        <source>alter all dnodes: %1</source>
        <translation>alter all dnodes：%1</translation>
    </message>
    <message>
        <source>TDengine applies these at once on every dnode.</source>
        <translation>TDengine 会在每个 dnode 上立即应用这些设置。</translation>
    </message>
    <message>
        <source>give StatefulSet %1 the new configuration, restarting no pod yet</source>
        <translation>为 StatefulSet %1 应用新配置，暂不重启任何 Pod</translation>
    </message>
    <message>
        <source>rollingUpdate.partition %1 holds every pod on the old template; the template is marked with the configuration's fingerprint, so the StatefulSet makes a new revision.</source>
        <translation>rollingUpdate.partition %1 使所有 Pod 保持在旧模板上；模板中标记了配置的指纹，因此 StatefulSet 会生成新的修订版本。</translation>
    </message>
    <message>
        <source>restart pod %1 (dnode %2) on the new configuration</source>
        <translation>以新配置重启 Pod %1（dnode %2）</translation>
    </message>
    <message>
        <source>Lowers rollingUpdate.partition to %1; waits until the pod is Ready on the new template, dnode %2 is ready, every vgroup's replicas are leader or follower and the mnodes have their quorum.</source>
        <translation>将 rollingUpdate.partition 降为 %1；等到该 Pod 以新模板就绪、dnode %2 就绪、每个 vgroup 的副本都是 leader 或 follower，且 mnode 达到多数派。</translation>
    </message>
    <message>
        <source>TDengine %1 keeps each dnode's settings in its data directory (dnode/config/local.json) and ignores taos.cfg for them at a restart unless forceReadConfig is 1: tdkube sets TAOS_FORCE_READ_CONFIG=1 in ConfigMap %2, so that the restarted dnodes take the new values (and the ConfigMap stays what decides).</source>
        <translation>TDengine %1 把每个 dnode 的配置保存在其数据目录（dnode/config/local.json）中，重启时除非 forceReadConfig 为 1，否则不会从 taos.cfg 读取这些配置：tdkube 会在 ConfigMap %2 中设置 TAOS_FORCE_READ_CONFIG=1，使重启后的 dnode 采用新值（并始终以 ConfigMap 为准）。</translation>
    </message>
    <message>
        <source>Lowers rollingUpdate.partition to %1; waits until the pod is Ready on the new template, dnode %2 is ready and runs TDengine %3, every vgroup's replicas are leader or follower and the mnodes have their quorum.</source>
        <translation>将 rollingUpdate.partition 降为 %1；等到该 Pod 以新模板就绪、dnode %2 就绪并运行 TDengine %3、每个 vgroup 的副本都是 leader 或 follower，且 mnode 达到多数派。</translation>
    </message>
    <message>
        <source>The tag of %1 names no TDengine version, so tdkube cannot tell an upgrade from a downgrade, or from a jump TDengine cannot make one dnode at a time.</source>
        <translation>%1 的标签中没有 TDengine 版本号，因此 tdkube 无法判断这是升级、降级，还是 TDengine 无法逐个 dnode 完成的版本跨越。</translation>
    </message>
    <message>
        <source>Give the image by its version tag, e.g. %1; an image by digest or "latest" cannot be checked.</source>
        <translation>请用带版本标签的镜像，例如 %1；以摘要（digest）或 "latest" 指定的镜像无法检查。</translation>
    </message>
    <message>
        <source>tdkube could not learn which TDengine version the cluster runs: `select server_version()` did not answer and the image %1 names no version.</source>
        <translation>tdkube 无法得知集群运行的 TDengine 版本：`select server_version()` 没有应答，且镜像 %1 中没有版本号。</translation>
    </message>
    <message>
        <source>Check that tdkube reaches taosAdapter (the cluster page's TDengine tab), then plan again.</source>
        <translation>请检查 tdkube 能否连接到 taosAdapter（集群页面的 TDengine 标签页），然后重新制定计划。</translation>
    </message>
    <message>
        <source>The pods' image %1 names version %2, but TDengine answers %3: tdkube goes by what TDengine answers.</source>
        <translation>Pod 的镜像 %1 标明的版本为 %2，但 TDengine 返回的是 %3：tdkube 以 TDengine 返回的版本为准。</translation>
    </message>
    <message>
        <source>%1 is older than TDengine %2, which the cluster runs: a dnode does not read what a newer version wrote to its data directory, so a downgraded dnode may not start, or start without its data.</source>
        <translation>%1 比集群正在运行的 TDengine %2 旧：dnode 无法读取较新版本写入其数据目录的内容，因此降级后的 dnode 可能无法启动，或启动后没有其数据。</translation>
    </message>
    <message>
        <source>Stay on %1. To go back to %2, restore a backup made on %2 into a new cluster.</source>
        <translation>请继续使用 %1。如要回到 %2，请将在 %2 上做的备份恢复到一个新集群中。</translation>
    </message>
    <message>
        <source>Upgrade %1 in a maintenance window with every pod stopped at once: `kubectl scale statefulset %1 --replicas=0`, change the image, scale back to %2 (each dnode converts its files at its first start on %3). Back up first.</source>
        <translation>请在维护窗口内升级 %1，同时停止所有 Pod：`kubectl scale statefulset %1 --replicas=0`，修改镜像，再将副本数恢复为 %2（每个 dnode 在首次以 %3 启动时转换其文件）。请先备份。</translation>
    </message>
    <message>
        <source>%1 runs the same TDengine version, %2 (another build or registry): the pods restart onto it one at a time.</source>
        <translation>镜像 %1 的 TDengine 版本同为 %2（只是构建或镜像仓库不同）：Pod 将逐个重启到该镜像上。</translation>
    </message>
    <message>
        <source>TDengine %1 → %2: the pods restart onto %3 one at a time, highest ordinal first, each dnode checked to run %2 before the next pod goes.</source>
        <translation>TDengine %1 → %2：Pod 逐个重启到 %3 上，序号最大的最先重启，每个 dnode 都确认运行 %2 之后才重启下一个 Pod。</translation>
    </message>
    <message>
        <source>No image was given.</source>
        <translation>未指定镜像。</translation>
    </message>
    <message>
        <source>Give the new image with its version tag, e.g. %1.</source>
        <translation>请给出带版本标签的新镜像，例如 %1。</translation>
    </message>
    <message>
        <source>"%1" is not an image reference.</source>
        <translation>“%1” 不是镜像引用。</translation>
    </message>
    <message>
        <source>Write it as REPOSITORY:TAG, e.g. %1.</source>
        <translation>请写成 REPOSITORY:TAG 的形式，例如 %1。</translation>
    </message>
    <message>
        <source>The pods of %1 run %2 already.</source>
        <translation>%1 的 Pod 已经在运行 %2。</translation>
    </message>
    <message>
        <source>give StatefulSet %1 the image %2, restarting no pod yet</source>
        <translation>为 StatefulSet %1 设置镜像 %2，暂不重启任何 Pod</translation>
    </message>
    <message>
        <source>rollingUpdate.partition %1 holds every pod on the old template while the StatefulSet makes the new revision.</source>
        <translation>rollingUpdate.partition %1 使所有 Pod 保持在旧模板上，同时 StatefulSet 生成新的修订版本。</translation>
    </message>
    <message>
        <source>upgrade pod %1 (dnode %2) to %3</source>
        <translation>将 Pod %1（dnode %2）升级到 %3</translation>
    </message>
    <message numerus="yes">
        <source>%n dnode(s) ready, mnodes healthy, and no table with fewer rows than before.</source>
        <translation>
            <numerusform>%n 个 dnode 就绪，mnode 健康，且没有任何表的行数少于操作前。</numerusform>
        </translation>
    </message>
    <message>
        <source>Every dnode in `show dnodes` ready, mnodes healthy, and no table with fewer rows than before.</source>
        <translation>`show dnodes` 中的每个 dnode 都就绪，mnode 健康，且没有任何表的行数少于操作前。</translation>
    </message>
    <message>
        <source>Every dnode in `show dnodes` ready, mnodes healthy, and no table of the other databases with fewer rows than before. %1 is not counted before nor compared after: it cannot be read now and will have fewer rows.</source>
        <extracomment>%1: one database</extracomment>
        <translation>`show dnodes` 中的每个 dnode 都就绪，mnode 健康，且其他数据库中没有任何表的行数少于操作前。%1 在操作前不统计、操作后也不比较：它现在无法读取，行数将会减少。</translation>
    </message>
    <message>
        <source>Every dnode in `show dnodes` ready, mnodes healthy, and no table of the other databases with fewer rows than before. %1 are not counted before nor compared after: they cannot be read now and will have fewer rows.</source>
        <extracomment>%1: several databases</extracomment>
        <translation>`show dnodes` 中的每个 dnode 都就绪，mnode 健康，且其他数据库中没有任何表的行数少于操作前。%1 在操作前不统计、操作后也不比较：它们现在无法读取，行数将会减少。</translation>
    </message>
    <message numerus="yes">
        <source>%n dnode(s) ready, the cluster answering with TDengine %1, mnodes healthy, and no table with fewer rows than before.</source>
        <translation>
            <numerusform>%n 个 dnode 就绪，集群以 TDengine %1 应答，mnode 健康，且没有任何表的行数少于操作前。</numerusform>
        </translation>
    </message>
    <message>
        <source>The manifests hold no StatefulSet: there is no TDengine cluster to deploy.</source>
        <translation>清单中没有 StatefulSet：没有可部署的 TDengine 集群。</translation>
    </message>
    <message>
        <source>Add the cluster's StatefulSet (see manifests/40-statefulset.yaml).</source>
        <translation>加入集群的 StatefulSet（参见 manifests/40-statefulset.yaml）。</translation>
    </message>
    <message>
        <source>The manifests hold %1 StatefulSets (%2): one deploy makes one TDengine cluster.</source>
        <translation>清单中有 %1 个 StatefulSet（%2）：一次部署只创建一个 TDengine 集群。</translation>
    </message>
    <message>
        <source>Deploy each cluster on its own, with its own manifests.</source>
        <translation>用各自的清单分别部署每个集群。</translation>
    </message>
    <message>
        <source>%1 is a Secret. A plan is kept in the journal and in the cluster's record of the operation, where no secret may be.</source>
        <translation>%1 是一个 Secret。计划会保存在操作日志和集群中的操作记录里，那里不能有任何机密。</translation>
    </message>
    <message>
        <source>Apply the Secret on its own first (kubectl apply, or tdkube's editor), then deploy the other objects.</source>
        <translation>先单独应用该 Secret（kubectl apply 或 tdkube 的编辑器），再部署其他对象。</translation>
    </message>
    <message>
        <source>%1 is for namespace %2, but the cluster is deployed in %3.</source>
        <translation>%1 属于命名空间 %2，但集群部署在 %3 中。</translation>
    </message>
    <message>
        <source>Deploy in namespace %1 (-n %1), or remove metadata.namespace from the manifests.</source>
        <translation>部署到命名空间 %1（-n %1），或从清单中删除 metadata.namespace。</translation>
    </message>
    <message>
        <source>Claims %1 exist already, from an earlier cluster named %2. Its pods start on them: on the dnodes, mnodes and data that cluster left, not on empty disks.</source>
        <translation>存储卷声明 %1 已经存在，来自之前一个名为 %2 的集群。新 Pod 会在它们上启动：使用那个集群留下的 dnode、mnode 和数据，而不是空盘。</translation>
    </message>
    <message>
        <source>To bring that cluster back, deploy it with the replicas and settings it had. To start empty, delete the claims first (`kubectl delete pvc %1 -n %2`), once you are sure nobody needs their data.</source>
        <translation>要恢复那个集群，请按它原来的副本数和配置部署。要从空盘开始，请在确认没有人需要其中的数据后先删除这些声明（`kubectl delete pvc %1 -n %2`）。</translation>
    </message>
    <message>
        <source>The StatefulSet creates the pods one at a time, each with a new claim: %1.</source>
        <translation>StatefulSet 逐个创建 Pod，每个都有新的存储卷声明：%1。</translation>
    </message>
    <message>
        <source>Each pod registers its dnode through %1; tdkube waits until `show dnodes` lists every one ready.</source>
        <translation>每个 Pod 通过 %1 注册其 dnode；tdkube 等到 `show dnodes` 列出全部为 ready。</translation>
    </message>
    <message>
        <source>create an mnode on the dnode of pod %1</source>
        <extracomment>A step's title; %1: a pod</extracomment>
        <translation>在 Pod %1 的 dnode 上创建 mnode</translation>
    </message>
    <message>
        <source>Three mnodes keep the cluster's metadata available when one dnode is down.</source>
        <translation>三个 mnode 使一个 dnode 宕机时集群元数据仍然可用。</translation>
    </message>
    <message numerus="yes">
        <source>%n dnode(s) ready and the mnodes healthy.</source>
        <translation>
            <numerusform>%n 个 dnode 就绪，mnode 健康。</numerusform>
        </translation>
    </message>
    <message>
        <source>StatefulSet %1 exists already in namespace %2: a deploy makes a new cluster.</source>
        <translation>StatefulSet %1 已存在于命名空间 %2 中：部署用于创建新集群。</translation>
    </message>
    <message>
        <source>Change it with tdkube's scale, configure or upgrade, or with the editor; or delete it first, or deploy under another name.</source>
        <translation>请用 tdkube 的扩缩容、配置或升级，或用编辑器修改它；或先删除它，或用另一个名称部署。</translation>
    </message>
    <message>
        <source>StatefulSet %1 asks for %2 replicas: a cluster needs at least one dnode.</source>
        <translation>StatefulSet %1 要求 %2 个副本：集群至少需要一个 dnode。</translation>
    </message>
    <message>
        <source>Set spec.replicas to 1 or more (3 for a cluster that survives a dnode down).</source>
        <translation>将 spec.replicas 设为 1 或更多（要能承受一个 dnode 宕机则设为 3）。</translation>
    </message>
    <message numerus="yes">
        <source>apply %n object(s)</source>
        <translation>
            <numerusform>应用 %n 个对象</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: server-side apply, in this order (field manager tdkube). The StatefulSet carries this operation's lease from its creation: no other tdkube runs an operation on the cluster meanwhile.</source>
        <extracomment>%1: "ConfigMap a, Service b, StatefulSet c"</extracomment>
        <translation>%1：按此顺序服务端应用（字段管理器 tdkube）。StatefulSet 从创建起就带着本操作的租约：期间其他 tdkube 不能在该集群上执行操作。</translation>
    </message>
    <message numerus="yes">
        <source>wait for %n pod(s) Ready</source>
        <translation>
            <numerusform>等待 %n 个 Pod 就绪</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>wait for %n dnode(s) ready</source>
        <translation>
            <numerusform>等待 %n 个 dnode 就绪</numerusform>
        </translation>
    </message>
    <message>
        <source>StatefulSet %1 was not found in namespace %2: there is no cluster to delete.</source>
        <translation>在命名空间 %2 中找不到 StatefulSet %1：没有可删除的集群。</translation>
    </message>
    <message>
        <source>Refresh the cluster list: it may have been deleted already.</source>
        <translation>请刷新集群列表：它可能已被删除。</translation>
    </message>
    <message>
        <source>delete StatefulSet %1</source>
        <translation>删除 StatefulSet %1</translation>
    </message>
    <message>
        <source>wait for pods %1 to go</source>
        <translation>等待 Pod %1 消失</translation>
    </message>
    <message>
        <source>Kubernetes deletes the StatefulSet's pods after it. Nothing else goes before they are gone.</source>
        <translation>Kubernetes 会在 StatefulSet 之后删除它的 Pod。在它们消失之前，不会删除其他任何对象。</translation>
    </message>
    <message numerus="yes">
        <source>%n Service(s)</source>
        <translation>
            <numerusform>%n 个 Service</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ConfigMap(s)</source>
        <translation>
            <numerusform>%n 个 ConfigMap</numerusform>
        </translation>
    </message>
    <message>
        <source>delete %1</source>
        <extracomment>%1: "2 Services and 1 ConfigMap", joined by the translation of " and "</extracomment>
        <translation>删除 %1</translation>
    </message>
    <message>
        <source> and </source>
        <translation> 和 </translation>
    </message>
    <message>
        <source>verify that nothing of the cluster is left</source>
        <translation>确认集群已无任何残留</translation>
    </message>
    <message>
        <source>The StatefulSet, its pods, Services, ConfigMaps and claims are gone.</source>
        <translation>StatefulSet 及其 Pod、Service、ConfigMap 和存储卷声明均已删除。</translation>
    </message>
    <message>
        <source>The StatefulSet, its pods, Services and ConfigMaps are gone; its claims stay, with the data.</source>
        <translation>StatefulSet 及其 Pod、Service 和 ConfigMap 均已删除；存储卷声明连同数据保留。</translation>
    </message>
</context>
<context>
    <name>ResultDecoder</name>
    <message>
        <source>the response is empty</source>
        <translation>响应为空</translation>
    </message>
    <message>
        <source>the response ended early</source>
        <translation>响应提前结束</translation>
    </message>
    <message>
        <source>the response is not a taosAdapter result</source>
        <translation>响应不是 taosAdapter 的结果</translation>
    </message>
    <message>
        <source>Could not read taosAdapter's answer: %1</source>
        <translation>无法读取 taosAdapter 的响应：%1</translation>
    </message>
    <message>
        <source>Check that port 6041 of the target is taosAdapter.</source>
        <translation>请确认目标的 6041 端口是 taosAdapter。</translation>
    </message>
    <message>
        <source>it is not JSON: %1</source>
        <translation>它不是 JSON：%1</translation>
    </message>
    <message>
        <source>text after the end of the response</source>
        <translation>响应结束后还有多余的文本</translation>
    </message>
    <message>
        <source>a member name was expected</source>
        <translation>此处应为成员名</translation>
    </message>
    <message>
        <source>':' was expected after "%1"</source>
        <translation>"%1" 之后应为 ':'</translation>
    </message>
    <message>
        <source>data is not an array</source>
        <translation>data 不是数组</translation>
    </message>
    <message>
        <source>data came before column_meta</source>
        <translation>data 出现在 column_meta 之前</translation>
    </message>
    <message>
        <source>a malformed value for "%1"</source>
        <translation>"%1" 的值格式错误</translation>
    </message>
    <message>
        <source>column_meta came after data</source>
        <translation>column_meta 出现在 data 之后</translation>
    </message>
    <message>
        <source>a row is not an array</source>
        <translation>某一行不是数组</translation>
    </message>
    <message>
        <source>a row has more values than there are columns</source>
        <translation>某一行的值多于列数</translation>
    </message>
    <message>
        <source>a malformed value in row %1</source>
        <translation>第 %1 行中有格式错误的值</translation>
    </message>
    <message>
        <source>row %1 has %2 values for %3 columns</source>
        <translation>第 %1 行有 %2 个值，但共有 %3 列</translation>
    </message>
    <message>
        <source>row %1: "%2" is not a %3</source>
        <translation>第 %1 行："%2" 不是 %3 类型</translation>
    </message>
</context>
<context>
    <name>Selectors</name>
    <message>
        <source>unable to parse requirement: "%1"</source>
        <translation>无法解析条件："%1"</translation>
    </message>
    <message>
        <source>invalid selector: '%1'; can't understand '%2'</source>
        <translation>无效的选择算符：'%1'；无法理解 '%2'</translation>
    </message>
</context>
<context>
    <name>SpecReader</name>
    <message>
        <source>a sidecar container %1</source>
        <translation>边车容器 %1</translation>
    </message>
    <message>
        <source>an affinity rule %1</source>
        <translation>亲和性规则 %1</translation>
    </message>
    <message>
        <source>an init container %1</source>
        <translation>Init 容器 %1</translation>
    </message>
    <message>
        <source>a volume %1</source>
        <translation>存储卷 %1</translation>
    </message>
    <message>
        <source>the pod setting %1</source>
        <translation>Pod 设置 %1</translation>
    </message>
    <message>
        <source>a volume mount %1 at %2</source>
        <translation>存储卷挂载 %1（位于 %2）</translation>
    </message>
    <message>
        <source>an envFrom source that is not a ConfigMap</source>
        <translation>不是 ConfigMap 的 envFrom 来源</translation>
    </message>
    <message>
        <source>a ConfigMap key %1</source>
        <translation>ConfigMap 键 %1</translation>
    </message>
    <message>
        <source>an env var %1</source>
        <translation>环境变量 %1</translation>
    </message>
    <message>
        <source>a volume claim template %1</source>
        <translation>存储卷声明模板 %1</translation>
    </message>
</context>
<context>
    <name>SpecValidation</name>
    <message>
        <source>%1 is empty. Enter a name such as "tdengine".</source>
        <extracomment>%1 names a field, e.g. "The cluster name"</extracomment>
        <translation>%1为空。请输入名称，例如 "tdengine"。</translation>
    </message>
    <message>
        <source>%1 "%2" has %3 characters; Kubernetes allows at most %4. Shorten it.</source>
        <extracomment>%1 names a field ("The cluster name"), %2 its value, %3 its length, %4 the limit (63)</extracomment>
        <translation>%1 "%2" 有 %3 个字符；Kubernetes 最多允许 %4 个。请缩短。</translation>
    </message>
    <message>
        <source>%1 "%2" has '%3' at position %4: it may not start or end with '-'. Use a name such as "tdengine".</source>
        <extracomment>%1 names a field ("The cluster name"), %2 its value, %3 the wrong character, %4 its position</extracomment>
        <translation>%1 "%2" 的第 %4 个字符是 '%3'：名称不能以 '-' 开头或结尾。请使用类似 "tdengine" 的名称。</translation>
    </message>
    <message>
        <source>%1 "%2" has '%3' at position %4: upper-case letters are not allowed. Use a name such as "tdengine".</source>
        <translation>%1 "%2" 的第 %4 个字符是 '%3'：不允许使用大写字母。请使用类似 "tdengine" 的名称。</translation>
    </message>
    <message>
        <source>%1 "%2" has '%3' at position %4: only lower-case letters, digits and '-' are allowed. Use a name such as "tdengine".</source>
        <translation>%1 "%2" 的第 %4 个字符是 '%3'：只允许使用小写字母、数字和 '-'。请使用类似 "tdengine" 的名称。</translation>
    </message>
    <message>
        <source>revision label</source>
        <extracomment>the pods' controller-revision-hash label, as in "its revision label would be ..."</extracomment>
        <translation>修订版本标签</translation>
    </message>
    <message>
        <source>headless Service</source>
        <extracomment>as in "its headless Service would be ..."</extracomment>
        <translation>无头 Service</translation>
    </message>
    <message>
        <source>client Service</source>
        <extracomment>as in "its client Service would be ..."</extracomment>
        <translation>客户端 Service</translation>
    </message>
    <message>
        <source>The cluster name</source>
        <translation>集群名称</translation>
    </message>
    <message>
        <source>The cluster name "%1" must start with a letter: the Service names derived from it must. Use a name such as "tdengine".</source>
        <translation>集群名称 "%1" 必须以字母开头：由它派生的 Service 名称必须如此。请使用类似 "tdengine" 的名称。</translation>
    </message>
    <message>
        <source>The cluster name "%1" is too long: its %2 would be "%3" (%4 characters, at most %5). Shorten the name to %6 characters or fewer.</source>
        <extracomment>%2 is what the name is used for ("headless Service"), %3 that name</extracomment>
        <translation>集群名称 "%1" 过长：它的%2将是 "%3"（%4 个字符，最多 %5 个）。请将名称缩短到 %6 个字符或更少。</translation>
    </message>
    <message>
        <source>The namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>The name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>%1 is empty. Enter a size such as 5Gi.</source>
        <extracomment>%1 names a field, e.g. "The data volume size"</extracomment>
        <translation>%1为空。请输入大小，例如 5Gi。</translation>
    </message>
    <message>
        <source>%1 "%2" is not a Kubernetes quantity. Write a number with an optional suffix: 500m, 2, 1Gi, 512Mi, 10G.</source>
        <extracomment>%1 names a field ("The CPU limit"), %2 its value</extracomment>
        <translation>%1 "%2" 不是 Kubernetes 数量值（quantity）。请写一个数字，可带后缀：500m、2、1Gi、512Mi、10G。</translation>
    </message>
    <message>
        <source>%1 "%2" must be greater than zero.</source>
        <extracomment>%1 names a field ("The CPU limit"), %2 its value</extracomment>
        <translation>%1 "%2" 必须大于零。</translation>
    </message>
    <message>
        <source>The CPU limit %1 is below the CPU request %2; Kubernetes rejects such a pod. Raise the limit or lower the request.</source>
        <translation>CPU 限制 %1 低于 CPU 请求 %2；Kubernetes 会拒绝这样的 Pod。请提高限制或降低请求。</translation>
    </message>
    <message>
        <source>The memory limit %1 is below the memory request %2; Kubernetes rejects such a pod. Raise the limit or lower the request.</source>
        <translation>内存限制 %1 低于内存请求 %2；Kubernetes 会拒绝这样的 Pod。请提高限制或降低请求。</translation>
    </message>
    <message>
        <source>The data volume size</source>
        <translation>数据存储卷大小</translation>
    </message>
    <message>
        <source>The log volume size</source>
        <translation>日志存储卷大小</translation>
    </message>
    <message>
        <source>The CPU request</source>
        <translation>CPU 请求</translation>
    </message>
    <message>
        <source>The memory request</source>
        <translation>内存请求</translation>
    </message>
    <message>
        <source>The CPU limit</source>
        <translation>CPU 限制</translation>
    </message>
    <message>
        <source>The memory limit</source>
        <translation>内存限制</translation>
    </message>
    <message>
        <source>The image "%1" is not an image name. Enter a repository such as tdengine/tdengine (no spaces).</source>
        <translation>镜像 "%1" 不是镜像名称。请输入仓库，例如 tdengine/tdengine（不含空格）。</translation>
    </message>
    <message>
        <source>The image "%1" includes a tag or digest. Enter the repository alone (tdengine/tdengine) and the version in the tag field.</source>
        <translation>镜像 "%1" 包含标签或摘要（digest）。请只输入仓库（tdengine/tdengine），并在标签字段中填写版本。</translation>
    </message>
    <message>
        <source>The image tag is "%1". All dnodes of a cluster must run the same TDengine version, and "latest" changes under you. Pin a release such as 3.0.7.1.</source>
        <translation>镜像标签为 "%1"。集群中所有 dnode 必须运行相同的 TDengine 版本，而 "latest" 会在你不知情时改变。请固定一个发行版本，例如 3.0.7.1。</translation>
    </message>
    <message>
        <source>The image tag "%1" is not valid: use letters, digits, '.', '_' and '-', at most 63 characters, such as 3.0.7.1.</source>
        <translation>镜像标签 "%1" 无效：只能使用字母、数字、'.'、'_' 和 '-'，最多 63 个字符，例如 3.0.7.1。</translation>
    </message>
    <message>
        <source>The server port %1 is outside 1..65535. The usual one is 6030.</source>
        <translation>服务端口 %1 超出 1..65535 的范围。通常使用 6030。</translation>
    </message>
    <message>
        <source>The server port %1 leaves no room for taosAdapter, which listens on the server port + 11 (%2 &gt; 65535). Choose 65524 or lower; the usual one is 6030.</source>
        <translation>服务端口 %1 没有给 taosAdapter 留出余地：taosAdapter 监听服务端口 + 11（%2 &gt; 65535）。请选择 65524 或更小的端口；通常使用 6030。</translation>
    </message>
    <message>
        <source>"%1" is not a taos.cfg key: keys are letters and digits starting with a letter, such as supportVnodes.</source>
        <translation>"%1" 不是 taos.cfg 参数名：参数名由字母和数字组成，以字母开头，例如 supportVnodes。</translation>
    </message>
    <message>
        <source>%1 is set by tdkube for each pod (from the pod's DNS name and the server port). Remove it here; change the server port field instead.</source>
        <translation>%1 由 tdkube 为每个 Pod 设置（根据 Pod 的 DNS 名称和服务端口）。请在此删除它；如需修改，请改服务端口字段。</translation>
    </message>
    <message>
        <source>%1 dnodes: the number is outside 1..64. Use 3 or more for high availability.</source>
        <translation>dnode 数量 %1 超出 1..64 的范围。为实现高可用，请使用 3 个或更多。</translation>
    </message>
    <message>
        <source>"%1" is not a time zone name. Use an IANA name such as UTC or Asia/Shanghai.</source>
        <translation>"%1" 不是时区名称。请使用 IANA 名称，例如 UTC 或 Asia/Shanghai。</translation>
    </message>
    <message>
        <source>A startup budget of %1 s is shorter than one probe period (10 s). A restarted dnode can need many minutes to catch up; keep the default of 3600 s unless you know better.</source>
        <translation>启动时限 %1 s 短于一个探测周期（10 s）。重启的 dnode 可能需要许多分钟才能追上数据；除非你有充分把握，否则请保留默认值 3600 s。</translation>
    </message>
    <message>
        <source>"%1" is not a PVC retention policy: use Retain (keep the data) or Delete.</source>
        <translation>"%1" 不是 PVC 保留策略：请使用 Retain（保留数据）或 Delete。</translation>
    </message>
    <message>
        <source>2 dnodes give no high availability: with replica-3 databases and 3 mnodes TDengine survives one lost dnode only from 3 dnodes on. Use 3 or more, or 1 for a test.</source>
        <translation>2 个 dnode 无法实现高可用：使用 3 副本数据库和 3 个 mnode 时，TDengine 只有在 3 个及以上 dnode 时才能承受一个 dnode 丢失。请使用 3 个或更多，测试时可用 1 个。</translation>
    </message>
    <message>
        <source>3 mnodes need at least 3 dnodes; with %1 the cluster keeps one mnode.</source>
        <translation>3 个 mnode 至少需要 3 个 dnode；只有 %1 个 dnode 时，集群只保留一个 mnode。</translation>
    </message>
    <message>
        <source>Without anti-affinity several dnodes may share a node, and losing that node loses several replicas. Choose Preferred.</source>
        <translation>不设置反亲和性时，多个 dnode 可能位于同一节点上，该节点一旦丢失就会丢失多个副本。请选择 Preferred（优先）。</translation>
    </message>
</context>
<context>
    <name>SystemTables</name>
    <message>
        <source>count(*) of %1 answered without its row (taosAdapter ends a result early when a fetch fails, and still says code 0)</source>
        <translation>%1 的 count(*) 返回时没有结果行（taosAdapter 在 fetch 失败时会提前结束结果，却仍返回 code 0）</translation>
    </message>
    <message>
        <source>%1 answered without rows (taosAdapter ends a result early when a fetch fails, and still says code 0)</source>
        <translation>%1 返回时没有任何行（taosAdapter 在 fetch 失败时会提前结束结果，却仍返回 code 0）</translation>
    </message>
    <message>
        <source>%1 answered %2 rows where count(*) says %3: cut short (taosAdapter ends a result early when a fetch fails, and still says code 0), or the table changed between the two reads</source>
        <translation>%1 返回了 %2 行，而 count(*) 为 %3：结果被截断（taosAdapter 在 fetch 失败时会提前结束结果，却仍返回 code 0），或者该表在两次读取之间发生了变化</translation>
    </message>
</context>
<context>
    <name>TaosError</name>
    <message>
        <source>Check the TDengine user name and password.</source>
        <translation>请检查 TDengine 用户名和密码。</translation>
    </message>
    <message>
        <source>Send the user and password (Basic auth); a path that strips the Authorization header, such as the API server proxy, cannot be used.</source>
        <translation>请发送用户名和密码（Basic 认证）；会去掉 Authorization 头的途径（例如 API 服务器代理）无法使用。</translation>
    </message>
    <message>
        <source>A dnode is unreachable: check that all TDengine pods are Running and Ready.</source>
        <translation>有 dnode 无法访问：请检查所有 TDengine Pod 是否都处于 Running 状态且已就绪。</translation>
    </message>
    <message>
        <source>Create the database first, or name an existing one (information_schema.ins_databases).</source>
        <translation>请先创建该数据库，或指定一个已有的数据库（information_schema.ins_databases）。</translation>
    </message>
    <message>
        <source>Check the table name, or create the table first.</source>
        <translation>请检查表名，或先创建该表。</translation>
    </message>
    <message>
        <source>Fix the statement and run it again.</source>
        <translation>请修正语句后重新执行。</translation>
    </message>
    <message>
        <source>Another transaction is running (show transactions): wait for it and try again.</source>
        <translation>另一个事务正在运行（show transactions）：请等待它结束后重试。</translation>
    </message>
    <message>
        <source>Add dnodes (scale the StatefulSet) or lower the replica.</source>
        <translation>请增加 dnode（扩容 StatefulSet）或降低副本数。</translation>
    </message>
    <message>
        <source>Check the statement and the cluster's state, then try again.</source>
        <translation>请检查语句和集群状态，然后重试。</translation>
    </message>
    <message>
        <source>TDengine error 0x%1: %2</source>
        <translation>TDengine 错误 0x%1：%2</translation>
    </message>
</context>
<context>
    <name>YamlJson</name>
    <message>
        <source>yaml: line %1, column %2: %3</source>
        <translation>yaml: 第 %1 行，第 %2 列：%3</translation>
    </message>
    <message>
        <source>error converting YAML to JSON: yaml: line %1, column %2: %3</source>
        <translation>将 YAML 转换为 JSON 时出错：yaml: 第 %1 行，第 %2 列：%3</translation>
    </message>
</context>
<context>
    <name>YamlText</name>
    <message>
        <source>empty</source>
        <extracomment>a YAML value that is empty (null), as in "..., but it is empty"</extracomment>
        <translation>空值</translation>
    </message>
    <message>
        <source>a boolean</source>
        <translation>布尔值</translation>
    </message>
    <message>
        <source>an integer</source>
        <translation>整数</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>数字</translation>
    </message>
    <message>
        <source>a string</source>
        <translation>字符串</translation>
    </message>
    <message>
        <source>a map</source>
        <extracomment>a YAML mapping ("key: value" lines), as in "..., but it is a map"</extracomment>
        <translation>映射</translation>
    </message>
    <message>
        <source>a list</source>
        <extracomment>a YAML sequence ("- " items), as in "..., but it is a list"</extracomment>
        <translation>列表</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>tdkube: unknown language '%1' for --lang; the languages are %2. Using English.</source>
        <translation>tdkube: --lang 的语言 '%1' 未知；可用的语言为 %2。将使用英语。</translation>
    </message>
    <message>
        <source>Deploy, observe, query and safely resize TDengine clusters on Kubernetes.

%1</source>
        <translation>在 Kubernetes 上部署、观测、查询并安全地扩缩容 TDengine 集群。

%1</translation>
    </message>
    <message>
        <source>Path to the kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config).</source>
        <translation>要使用的 kubeconfig 文件路径（默认：$KUBECONFIG，否则为 ~/.kube/config）。</translation>
    </message>
    <message>
        <source>The kubeconfig context to use.</source>
        <translation>要使用的 kubeconfig 上下文。</translation>
    </message>
    <message>
        <source>The namespace to open.</source>
        <translation>要打开的命名空间。</translation>
    </message>
    <message>
        <source>Open the dashboard of this TDengine cluster: its StatefulSet's name, or namespace/name.</source>
        <translation>打开此 TDengine 集群的仪表盘：其 StatefulSet 的名称，或“命名空间/名称”。</translation>
    </message>
    <message>
        <source>Check that tdkube starts: exit 0 once the dashboard of the cluster given with --cluster shows its first TDengine snapshot, else 1 with what the window showed (for scripts; packaging/run.sh --smoke).</source>
        <translation>检查 tdkube 能否启动：--cluster 指定的集群的仪表盘显示出首个 TDengine 快照时以 0 退出，否则以 1 退出并输出窗口所显示的内容（供脚本使用；packaging/run.sh --smoke）。</translation>
    </message>
    <message>
        <source>How long --smoke waits (default 120).</source>
        <translation>--smoke 的等待时长（默认 120）。</translation>
    </message>
    <message>
        <source>The language to speak: %1 (default: the one chosen in the window, else the system's).</source>
        <translation>使用的语言：%1（默认：窗口中选择的语言，否则为系统语言）。</translation>
    </message>
    <message>
        <source>With --smoke: save the window as PNG when it ends.</source>
        <translation>与 --smoke 一起使用：结束时将窗口保存为 PNG。</translation>
    </message>
    <message>
        <source>tdkube: smoke check passed: %1</source>
        <translation>tdkube: 冒烟检查通过：%1</translation>
    </message>
    <message>
        <source>tdkube: smoke check failed: %1</source>
        <translation>tdkube: 冒烟检查失败：%1</translation>
    </message>
</context>
<context>
    <name>tdkube::deploy::ApplySet</name>
    <message>
        <source>%1 %2 in namespace %3</source>
        <extracomment>%1 is a kind (StatefulSet), %2 the object's name, %3 its namespace</extracomment>
        <translation>命名空间 %3 中的 %1 %2</translation>
    </message>
    <message>
        <source>%1 (owned by %2)</source>
        <extracomment>%1 is a field path (.spec.replicas), %2 the field manager that owns it (kubectl-client-side-apply)</extracomment>
        <translation>%1（归 %2 所有）</translation>
    </message>
    <message>
        <source>Applying %1 failed: other field managers own fields this manifest sets to different values: %2.
The API server said: %3
Apply with force to take these fields over (their values are overwritten, and whoever set them may set them back), or change the manifest to keep the live values.</source>
        <extracomment>%1: the object ("StatefulSet tdengine in namespace db"), %2 the fields and their owners, %3 the API server's message (English)</extracomment>
        <translation>应用 %1 失败：其他字段管理器拥有此清单要设为不同值的字段：%2。
API 服务器返回：%3
使用强制（force）应用可接管这些字段（它们的值会被覆盖，而原先设置它们的一方可能会再改回去），或者修改清单以保留现有值。</translation>
    </message>
    <message>
        <source>%1 %2 cannot be applied: tdkube does not know the kind %1 of apiVersion "%3". It manages Namespaces, ConfigMaps, Services, StatefulSets, PersistentVolumeClaims and the other kinds a TDengine cluster uses; check apiVersion and kind, or apply this object with kubectl.</source>
        <extracomment>%1 is the object's kind (or "(no kind)"), %2 its name, %3 its apiVersion</extracomment>
        <translation>%1 %2 无法应用：tdkube 不认识 apiVersion "%3" 的 kind %1。它管理 Namespace、ConfigMap、Service、StatefulSet、PersistentVolumeClaim 以及 TDengine 集群用到的其他 kind；请检查 apiVersion 和 kind，或用 kubectl 应用此对象。</translation>
    </message>
    <message>
        <source>(no kind)</source>
        <translation>（无 kind）</translation>
    </message>
    <message>
        <source>A %1 without metadata.name cannot be applied: give it a name.</source>
        <translation>缺少 metadata.name 的 %1 无法应用：请为它指定名称。</translation>
    </message>
    <message>
        <source>%1 %2 has no namespace: set metadata.namespace or choose a namespace.</source>
        <translation>%1 %2 没有命名空间：请设置 metadata.namespace 或选择一个命名空间。</translation>
    </message>
    <message>
        <source>Reading the live %1 failed: %2</source>
        <extracomment>%1: the object ("StatefulSet tdengine in namespace db")</extracomment>
        <translation>读取现有的 %1 失败：%2</translation>
    </message>
    <message>
        <source>Previewing %1 failed: %2</source>
        <extracomment>%1: the object ("StatefulSet tdengine in namespace db"), %2 why</extracomment>
        <translation>预览 %1 失败：%2</translation>
    </message>
    <message>
        <source>Applying %1 failed: %2</source>
        <translation>应用 %1 失败：%2</translation>
    </message>
    <message>
        <source>live %1 %2</source>
        <extracomment>the name of the old side of a diff ("--- live StatefulSet db/tdengine"); %1 kind, %2 namespace/name</extracomment>
        <translation>现有 %1 %2</translation>
    </message>
    <message>
        <source>preview %1 %2</source>
        <extracomment>the name of the new side of a diff ("+++ preview StatefulSet db/tdengine"); %1 kind, %2 namespace/name</extracomment>
        <translation>预览 %1 %2</translation>
    </message>
    <message>
        <source>applied %1 %2</source>
        <extracomment>the name of the new side of a diff ("+++ applied StatefulSet db/tdengine")</extracomment>
        <translation>已应用 %1 %2</translation>
    </message>
    <message>
        <source>Creating namespace %1 failed: %2</source>
        <translation>创建命名空间 %1 失败：%2</translation>
    </message>
</context>
<context>
    <name>tdkube::deploy::DeployMonitor</name>
    <message>
        <source>Reading StatefulSet %1</source>
        <translation>正在读取 StatefulSet %1</translation>
    </message>
    <message>
        <source>StatefulSet %1 to be read</source>
        <translation>读取 StatefulSet %1</translation>
    </message>
    <message>
        <source>Cancelled while: %1. Nothing was undone: what was applied stays in the cluster. Follow the deploy again to continue, or delete the cluster.</source>
        <translation>已在以下阶段取消：%1。未撤销任何更改：已应用的内容仍保留在集群中。要继续，请重新跟踪部署；或者删除该集群。</translation>
    </message>
    <message>
        <source>There is no connection to the Kubernetes cluster. Connect, then follow the deploy again.</source>
        <translation>没有与 Kubernetes 集群的连接。请先连接，然后重新跟踪部署。</translation>
    </message>
    <message>
        <source>StatefulSet %1 does not exist in namespace %2, so there is nothing to follow. Apply the cluster's manifests first, then follow the deploy again.</source>
        <translation>命名空间 %2 中不存在 StatefulSet %1，因此没有可跟踪的内容。请先应用集群的清单，然后重新跟踪部署。</translation>
    </message>
    <message>
        <source>Could not read StatefulSet %1: %2</source>
        <translation>无法读取 StatefulSet %1：%2</translation>
    </message>
    <message>
        <source>Following StatefulSet %1 in namespace %2 (pods %3), %4 replica(s)</source>
        <translation>正在跟踪命名空间 %2 中的 StatefulSet %1（Pod：%3），%4 个副本</translation>
    </message>
    <message>
        <source>Waiting for pods (0 of %1 ready)</source>
        <translation>正在等待 Pod（%1 个中 0 个已就绪）</translation>
    </message>
    <message>
        <source>the first list of pods, events, volume claims and storage classes</source>
        <translation>首次获取 Pod、事件、存储卷声明和存储类的列表</translation>
    </message>
    <message>
        <source>Could not watch the pods of %1: %2</source>
        <translation>无法监视 %1 的 Pod：%2</translation>
    </message>
    <message>
        <source>Not watching %1: %2</source>
        <translation>未监视 %1：%2</translation>
    </message>
    <message>
        <source>Waiting for pods (%1 of %2 ready)</source>
        <translation>正在等待 Pod（%2 个中 %1 个已就绪）</translation>
    </message>
    <message>
        <source>%1 of %2 pods ready</source>
        <translation>%2 个 Pod 中 %1 个已就绪</translation>
    </message>
    <message>
        <source>on node %1, IP %2</source>
        <translation>位于节点 %1，IP %2</translation>
    </message>
    <message>
        <source>Pod %1 cannot start: StorageClass "%3" does not exist (its volume claim %2 asks for it). Pick one of: %4. Delete the StatefulSet and its claims, then deploy again (a claim's storage class cannot be changed).</source>
        <translation>Pod %1 无法启动：StorageClass "%3" 不存在（其存储卷声明 %2 请求了该存储类）。请从以下存储类中选择：%4。请删除 StatefulSet 及其存储卷声明，然后重新部署（存储卷声明的存储类无法更改）。</translation>
    </message>
    <message>
        <source>none (create a StorageClass first)</source>
        <translation>无（请先创建 StorageClass）</translation>
    </message>
    <message>
        <source>Waiting for %1 dnodes to join (0 ready)</source>
        <translation>正在等待 %1 个 dnode 加入（0 个已就绪）</translation>
    </message>
    <message>
        <source>the port-forward to taosAdapter</source>
        <translation>taosAdapter 的端口转发</translation>
    </message>
    <message>
        <source>dnode %1 (%2) is %3</source>
        <translation>dnode %1（%2）状态为 %3</translation>
    </message>
    <message>
        <source>dnode %1 joined: %2 (pod %3)</source>
        <translation>dnode %1 已加入：%2（Pod %3）</translation>
    </message>
    <message>
        <source>Waiting for %1 dnodes to join (%2 ready)</source>
        <translation>正在等待 %1 个 dnode 加入（%2 个已就绪）</translation>
    </message>
    <message>
        <source>%1 of %2 dnodes ready</source>
        <translation>%2 个 dnode 中 %1 个已就绪</translation>
    </message>
    <message>
        <source>No more mnodes: they need 3 dnodes, and this cluster has %1.</source>
        <translation>不再创建更多 mnode：这需要 3 个 dnode，而此集群有 %1 个。</translation>
    </message>
    <message>
        <source>No more mnodes: high-availability mnodes were not asked for.</source>
        <translation>不再创建更多 mnode：未要求高可用 mnode。</translation>
    </message>
    <message>
        <source>No dnode has the endpoint of pod %1, so its mnode cannot be placed. Look at `show dnodes` in the SQL console and at the pod's TAOS_FQDN, then follow the deploy again.</source>
        <translation>没有任何 dnode 的端点属于 Pod %1，因此无法放置其 mnode。请在 SQL 控制台中查看 `show dnodes`，并检查该 Pod 的 TAOS_FQDN，然后重新跟踪部署。</translation>
    </message>
    <message>
        <source>Creating mnodes on dnodes %1 and %2</source>
        <translation>正在 dnode %1 和 %2 上创建 mnode</translation>
    </message>
    <message>
        <source>the mnode created on dnode %1 to appear in ins_mnodes</source>
        <translation>dnode %1 上新创建的 mnode 出现在 ins_mnodes 中</translation>
    </message>
    <message>
        <source>the mnode on dnode %1 to be ready (it is %2, %3)</source>
        <translation>dnode %1 上的 mnode 就绪（当前为 %2，%3）</translation>
    </message>
    <message>
        <source>mnode on dnode %1 is ready (%2)</source>
        <translation>dnode %1 上的 mnode 已就绪（%2）</translation>
    </message>
    <message>
        <source>mnode on dnode %1 already exists (%2): not created again</source>
        <translation>dnode %1 上的 mnode 已存在（%2）：不再重复创建</translation>
    </message>
    <message>
        <source>Creating an mnode on dnode %1 (pod %2)</source>
        <translation>正在 dnode %1（Pod %2）上创建 mnode</translation>
    </message>
    <message>
        <source>`create mnode on dnode %1` to answer</source>
        <translation>`create mnode on dnode %1` 返回结果</translation>
    </message>
    <message>
        <source>Verifying the mnodes and dnodes</source>
        <translation>正在验证 mnode 和 dnode</translation>
    </message>
    <message>
        <source>the mnode on dnode %1 is %2, %3</source>
        <translation>dnode %1 上的 mnode 为 %2，%3</translation>
    </message>
    <message>
        <source>%1 mnode leaders instead of 1</source>
        <translation>有 %1 个 mnode leader，而不是 1 个</translation>
    </message>
    <message>
        <source>%1 mnode followers instead of %2</source>
        <translation>有 %1 个 mnode follower，而不是 %2 个</translation>
    </message>
    <message>
        <source>%1 dnodes ready; mnodes: 1 leader, %2 followers</source>
        <translation>%1 个 dnode 已就绪；mnode：1 个 leader，%2 个 follower</translation>
    </message>
    <message>
        <source>an answer to `%1` (last: %2)</source>
        <translation>`%1` 的应答（上次：%2）</translation>
    </message>
    <message>
        <source>`%1` failed: %2 The cluster runs, with fewer mnodes than asked for: fix the cause, then follow the deploy again (mnodes already there are kept).</source>
        <translation>`%1` 失败：%2 集群仍在运行，但 mnode 少于要求的数量：请排除原因，然后重新跟踪部署（已有的 mnode 会保留）。</translation>
    </message>
    <message>
        <source>The pods of %1 were not all Ready within %2: %3. Look at the pods' events and logs, fix the cause, then follow the deploy again (or give TDengine a longer startup budget).</source>
        <translation>%1 的 Pod 未能在 %2 内全部就绪：%3。请查看这些 Pod 的事件和日志，排除原因，然后重新跟踪部署（或者为 TDengine 设置更长的启动时限）。</translation>
    </message>
    <message>
        <source>TDengine did not report %1 ready dnodes within %2: waiting for %3. Look at the logs of the pods whose dnode is missing (each joins through %4-0), then follow the deploy again.</source>
        <translation>TDengine 未在 %2 内报告 %1 个就绪的 dnode，仍在等待：%3。请查看缺少 dnode 的 Pod 的日志（每个 dnode 都通过 %4-0 加入），然后重新跟踪部署。</translation>
    </message>
    <message>
        <source>The mnodes were not ready within %1: waiting for %2. Look at `show mnodes` in the SQL console, then follow the deploy again.</source>
        <translation>mnode 未在 %1 内就绪，仍在等待：%2。请在 SQL 控制台中查看 `show mnodes`，然后重新跟踪部署。</translation>
    </message>
    <message>
        <source>The cluster did not pass its checks within %1: %2. Look at its dashboard, then follow the deploy again.</source>
        <translation>集群未在 %1 内通过检查：%2。请查看其仪表盘，然后重新跟踪部署。</translation>
    </message>
    <message>
        <source>The deploy monitor finished.</source>
        <translation>部署监视器已结束。</translation>
    </message>
    <message>
        <source>OK</source>
        <extracomment>the answer to a statement that returns no rows (create mnode), in the deploy log</extracomment>
        <translation>成功</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s)</source>
        <translation>
            <numerusform>%n 行</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n pod(s) Ready</source>
        <translation>
            <numerusform>%n 个 Pod 已就绪</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::deploy::SpecChecker</name>
    <message>
        <source>%1 (default)</source>
        <extracomment>a storage class in a list of them; %1 is its name</extracomment>
        <translation>%1（默认）</translation>
    </message>
    <message>
        <source>none</source>
        <extracomment>no storage class, as in "Choose one of: none."</extracomment>
        <translation>无</translation>
    </message>
    <message>
        <source>Could not list the storage classes: %1</source>
        <translation>无法列出存储类：%1</translation>
    </message>
    <message>
        <source>The cluster has no default storage class, so the data volumes would stay Pending. Choose one of: %1.</source>
        <translation>集群没有默认存储类，因此数据存储卷会一直处于 Pending 状态。请从以下存储类中选择一个：%1。</translation>
    </message>
    <message>
        <source>The storage class "%1" does not exist in this cluster, so the data volumes and pods would stay Pending. Choose one of: %2.</source>
        <translation>此集群中不存在存储类 "%1"，因此数据存储卷和 Pod 会一直处于 Pending 状态。请从以下存储类中选择一个：%2。</translation>
    </message>
    <message>
        <source>Could not read the namespace %1: %2</source>
        <translation>无法读取命名空间 %1：%2</translation>
    </message>
    <message>
        <source>Could not read %1 in namespace %2: %3</source>
        <extracomment>%1 is an object ("StatefulSet tdengine")</extracomment>
        <translation>无法读取命名空间 %2 中的 %1：%3</translation>
    </message>
</context>
<context>
    <name>tdkube::i18n</name>
    <message>
        <source>Could not read the translation %1 in %2.</source>
        <translation>无法读取 %2 中的翻译文件 %1。</translation>
    </message>
</context>
<context>
    <name>tdkube::kube::ExecCredentialSource</name>
    <message>
        <source>exec plugin %1 (user %2)</source>
        <translation>exec 插件 %1（用户 %2）</translation>
    </message>
    <message>
        <source>exec plugin %1</source>
        <translation>exec 插件 %1</translation>
    </message>
    <message>
        <source>%1 needs a terminal (interactiveMode: Always); run a kubectl command for this context in a terminal first, or set interactiveMode to IfAvailable</source>
        <translation>%1 需要终端（interactiveMode: Always）；请先在终端中针对此上下文运行一条 kubectl 命令，或将 interactiveMode 设为 IfAvailable</translation>
    </message>
    <message>
        <source>%1 was not found: %2 does not exist or is not executable</source>
        <translation>找不到 %1：%2 不存在或不可执行</translation>
    </message>
    <message>
        <source>%1 was not found on PATH (%2)</source>
        <translation>在 PATH（%2）中找不到 %1</translation>
    </message>
    <message>
        <source>%1. %2</source>
        <extracomment>%1 says that a credential plugin was not found, %2 is the installHint its kubeconfig gives</extracomment>
        <translation>%1。%2</translation>
    </message>
    <message>
        <source>%1 could not be started: %2</source>
        <translation>无法启动 %1：%2</translation>
    </message>
    <message numerus="yes">
        <source>(%n more lines)</source>
        <translation>
            <numerusform>（还有 %n 行）</numerusform>
        </translation>
    </message>
    <message>
        <source>%1:
%2</source>
        <extracomment>%1 is an error of a credential plugin, %2 the lines the plugin wrote to stderr</extracomment>
        <translation>%1：
%2</translation>
    </message>
    <message>
        <source>%1 did not finish within %2 s; it may be waiting for a login in a terminal</source>
        <translation>%1 未在 %2 s 内结束；它可能在等待终端中的登录</translation>
    </message>
    <message>
        <source>%1 crashed</source>
        <translation>%1 崩溃了</translation>
    </message>
    <message>
        <source>%1 failed with exit code %2</source>
        <translation>%1 失败，退出码为 %2</translation>
    </message>
    <message>
        <source>%1 did not print an ExecCredential as JSON (%2)</source>
        <translation>%1 未以 JSON 格式输出 ExecCredential（%2）</translation>
    </message>
    <message>
        <source>not a JSON object</source>
        <translation>不是 JSON 对象</translation>
    </message>
    <message>
        <source>%1 printed kind "%2" instead of ExecCredential</source>
        <translation>%1 输出的 kind 是 "%2"，而不是 ExecCredential</translation>
    </message>
    <message>
        <source>%1 printed an ExecCredential of apiVersion "%2", but the kubeconfig asks for %3</source>
        <translation>%1 输出的 ExecCredential 的 apiVersion 是 "%2"，但 kubeconfig 要求的是 %3</translation>
    </message>
    <message>
        <source>%1 printed a client certificate without its key, or a key without its certificate</source>
        <translation>%1 输出了客户端证书却没有对应的私钥，或输出了私钥却没有对应的证书</translation>
    </message>
    <message>
        <source>%1 printed an ExecCredential with neither a token nor a client certificate</source>
        <translation>%1 输出的 ExecCredential 既没有令牌也没有客户端证书</translation>
    </message>
    <message>
        <source>%1 printed an expirationTimestamp that is not RFC 3339: %2</source>
        <translation>%1 输出的 expirationTimestamp 不符合 RFC 3339：%2</translation>
    </message>
</context>
<context>
    <name>tdkube::kube::ExecSession</name>
    <message>
        <source>`%1` in pod %2</source>
        <translation>Pod %2 中的 `%1`</translation>
    </message>
    <message>
        <source>`%1` in container %2 of pod %3</source>
        <translation>Pod %3 的容器 %2 中的 `%1`</translation>
    </message>
    <message>
        <source>Nothing to run in pod %1: the command is empty. Enter a command such as taos -s "show dnodes".</source>
        <translation>没有要在 Pod %1 中运行的内容：命令为空。请输入命令，例如 taos -s "show dnodes"。</translation>
    </message>
    <message>
        <source>Could not run %1: %2</source>
        <translation>无法运行 %1：%2</translation>
    </message>
    <message>
        <source>Cancelled: %1 was stopped before it finished.</source>
        <translation>已取消：%1 在完成之前被停止。</translation>
    </message>
    <message>
        <source>closed</source>
        <extracomment>why the connection closed, when the socket does not say</extracomment>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>%1 ended without an exit status: the connection to the API server closed (%2). Run it again; if it keeps happening, check the pod's events.</source>
        <translation>%1 结束时没有退出状态：与 API 服务器的连接已关闭（%2）。请重新运行；如果反复出现，请检查该 Pod 的事件。</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 失败：%2</translation>
    </message>
</context>
<context>
    <name>tdkube::kube::KubeClient</name>
    <message>
        <source>the server's certificate</source>
        <translation>服务器的证书</translation>
    </message>
    <message>
        <source>the certificate "CN=%1" issued by "CN=%2"</source>
        <translation>由 "CN=%2" 签发的证书 "CN=%1"</translation>
    </message>
    <message>
        <source>The certificate authority (%1) holds no PEM certificate. Check the kubeconfig's certificate-authority entry for this cluster.</source>
        <translation>证书颁发机构（%1）中没有 PEM 证书。请检查 kubeconfig 中此集群的 certificate-authority 条目。</translation>
    </message>
    <message>
        <source>The client certificate or key of user %1 could not be read (PEM RSA or EC expected). Check client-certificate and client-key in the kubeconfig.</source>
        <translation>无法读取用户 %1 的客户端证书或私钥（应为 PEM 格式的 RSA 或 EC 密钥）。请检查 kubeconfig 中的 client-certificate 和 client-key。</translation>
    </message>
    <message>
        <source>The proxy-url %1 cannot be used: %2.</source>
        <translation>无法使用 proxy-url %1：%2。</translation>
    </message>
    <message>
        <source>The proxy-url %1 has an unsupported scheme: use http, https or socks5.</source>
        <translation>proxy-url %1 的协议不受支持：请使用 http、https 或 socks5。</translation>
    </message>
    <message>
        <source>The request was cancelled.</source>
        <translation>请求已取消。</translation>
    </message>
    <message>
        <source>%1 returned neither a token nor a client certificate.</source>
        <translation>%1 既未返回令牌，也未返回客户端证书。</translation>
    </message>
    <message>
        <source>Cannot read the token file %1 of user %2: %3. Check the tokenFile entry in the kubeconfig and the file's permissions.</source>
        <translation>无法读取用户 %2 的令牌文件 %1：%3。请检查 kubeconfig 中的 tokenFile 条目以及该文件的权限。</translation>
    </message>
    <message>
        <source>Cannot connect to the API server at %1: the connection was refused. Check that the cluster is running and that the kubeconfig's server address and port are right.</source>
        <translation>无法连接到 %1 的 API 服务器：连接被拒绝。请检查集群是否在运行，以及 kubeconfig 中的服务器地址和端口是否正确。</translation>
    </message>
    <message>
        <source>Cannot connect to the API server at %1: the host name %2 was not found. Check the server address in the kubeconfig, your network and your VPN.</source>
        <translation>无法连接到 %1 的 API 服务器：找不到主机名 %2。请检查 kubeconfig 中的服务器地址、网络和 VPN。</translation>
    </message>
    <message>
        <source>The API server at %1 did not answer within %2 seconds. Check your network or VPN; the server may be overloaded or unreachable.</source>
        <translation>%1 的 API 服务器未在 %2 秒内响应。请检查网络或 VPN；服务器可能过载或无法访问。</translation>
    </message>
    <message>
        <source>Cannot reach the API server at %1 through the proxy %2: %3. Check the kubeconfig's proxy-url.</source>
        <translation>无法通过代理 %2 访问 %1 的 API 服务器：%3。请检查 kubeconfig 中的 proxy-url。</translation>
    </message>
    <message>
        <source>The proxy %2 refused to carry the request to the API server at %1: it wants a user name and password. Put them in the kubeconfig's proxy-url (http://USER:PASSWORD@host:port).</source>
        <translation>代理 %2 拒绝转发发往 %1 的 API 服务器的请求：它要求提供用户名和密码。请将它们写入 kubeconfig 的 proxy-url（http://USER:PASSWORD@host:port）。</translation>
    </message>
    <message>
        <source>The proxy %2 refused to carry the request to the API server at %1: it wants a user name and password, and not the ones given. Put them in the kubeconfig's proxy-url (http://USER:PASSWORD@host:port).</source>
        <translation>代理 %2 拒绝转发发往 %1 的 API 服务器的请求：它要求提供用户名和密码，而所给的用户名和密码不被接受。请将它们写入 kubeconfig 的 proxy-url（http://USER:PASSWORD@host:port）。</translation>
    </message>
    <message>
        <source>The request to the API server at %1 failed: %2. Check your network and that the cluster is running.</source>
        <translation>发往 %1 的 API 服务器的请求失败：%2。请检查网络以及集群是否在运行。</translation>
    </message>
    <message>
        <source>the system's certificate authorities</source>
        <translation>系统的证书颁发机构</translation>
    </message>
    <message>
        <source>the kubeconfig's certificate authority</source>
        <translation>kubeconfig 中的证书颁发机构</translation>
    </message>
    <message>
        <source>The API server at %1 could not be verified: %2. It was verified against %3. Check that this certificate authority belongs to the cluster (a re-created cluster has a new one) and that the server address is the one its certificate names; tdkube only skips verification when the kubeconfig sets insecure-skip-tls-verify.</source>
        <translation>无法验证 %1 的 API 服务器：%2。验证所依据的是 %3。请检查该证书颁发机构是否属于此集群（重新创建的集群会有新的证书颁发机构），以及服务器地址是否为其证书中写明的地址；只有当 kubeconfig 设置了 insecure-skip-tls-verify 时，tdkube 才会跳过验证。</translation>
    </message>
</context>
<context>
    <name>tdkube::kube::OidcCredentialSource</name>
    <message>
        <source>oidc id-token</source>
        <translation>oidc id-token</translation>
    </message>
    <message>
        <source>oidc id-token from %1</source>
        <translation>来自 %1 的 oidc id-token</translation>
    </message>
    <message>
        <source>user %1 has an oidc auth-provider without an id-token; log in again with your identity provider's tool (for example kubectl oidc-login or your company's login command), which writes a fresh id-token into the kubeconfig</source>
        <translation>用户 %1 的 oidc auth-provider 没有 id-token；请使用身份提供商的工具（例如 kubectl oidc-login 或公司的登录命令）重新登录，它会把新的 id-token 写入 kubeconfig</translation>
    </message>
    <message>
        <source>the oidc id-token of user %1 expired at %2; log in again with your identity provider's tool (for example kubectl oidc-login or your company's login command), which writes a fresh id-token into the kubeconfig</source>
        <translation>用户 %1 的 oidc id-token 已于 %2 过期；请使用身份提供商的工具（例如 kubectl oidc-login 或公司的登录命令）重新登录，它会把新的 id-token 写入 kubeconfig</translation>
    </message>
</context>
<context>
    <name>tdkube::kube::PortForward</name>
    <message>
        <source>it is terminating</source>
        <translation>它正在终止</translation>
    </message>
    <message>
        <source>unknown</source>
        <extracomment>a pod's phase when it has none</extracomment>
        <translation>未知</translation>
    </message>
    <message>
        <source>its phase is %1</source>
        <translation>其阶段为 %1</translation>
    </message>
    <message>
        <source>container %1 is not ready</source>
        <translation>容器 %1 未就绪</translation>
    </message>
    <message>
        <source>its Ready condition is %1</source>
        <translation>其 Ready 条件为 %1</translation>
    </message>
    <message>
        <source>not Ready: %1</source>
        <translation>未就绪：%1</translation>
    </message>
    <message>
        <source>it has no Ready condition yet</source>
        <translation>它还没有 Ready 条件</translation>
    </message>
    <message>
        <source>pod %1</source>
        <translation>Pod %1</translation>
    </message>
    <message>
        <source>statefulset %1</source>
        <translation>StatefulSet %1</translation>
    </message>
    <message>
        <source>service %1</source>
        <translation>Service %1</translation>
    </message>
    <message>
        <source>No ready pod of %1 within %2 s (%3); the local connection was closed. Try again when the forward is Active.</source>
        <translation>%2 s 内 %1 没有就绪的 Pod（%3）；本地连接已关闭。请在端口转发处于“活动”（Active）状态时重试。</translation>
    </message>
    <message>
        <source>Port-forward to pod %1 port %2 failed: %3</source>
        <translation>到 Pod %1 端口 %2 的端口转发失败：%3</translation>
    </message>
    <message>
        <source>Could not open a port-forward to pod %1 port %2: %3</source>
        <translation>无法打开到 Pod %1 端口 %2 的端口转发：%3</translation>
    </message>
    <message>
        <source>waiting for %1</source>
        <translation>正在等待 %1</translation>
    </message>
    <message>
        <source>Cannot listen on 127.0.0.1:%1: %2. Choose another local port, or 0 for a free one.</source>
        <translation>无法监听 127.0.0.1:%1：%2。请选择其他本地端口，或填 0 以使用空闲端口。</translation>
    </message>
    <message>
        <source>stopped</source>
        <extracomment>the state of a port-forward that was stopped</extracomment>
        <translation>已停止</translation>
    </message>
    <message>
        <source>%1 has no pod selector, so there is no pod to forward to. Forward to a pod instead.</source>
        <translation>%1 没有 Pod 选择算符，因此没有可转发的 Pod。请改为转发到某个 Pod。</translation>
    </message>
    <message>
        <source>none</source>
        <extracomment>the ports of a Service that has none</extracomment>
        <translation>无</translation>
    </message>
    <message>
        <source>%1 has no port %2 (its ports: %3). Forward one of those.</source>
        <translation>%1 没有端口 %2（它的端口：%3）。请转发其中一个端口。</translation>
    </message>
    <message>
        <source>Cannot watch the pods of %1: %2</source>
        <translation>无法监视 %1 的 Pod：%2</translation>
    </message>
    <message>
        <source>waiting for %1: %2</source>
        <translation>正在等待 %1：%2</translation>
    </message>
    <message>
        <source>%1 has no pods</source>
        <translation>%1 没有 Pod</translation>
    </message>
    <message>
        <source>none of the %1 pods of %2 is ready</source>
        <translation>%2 的 %1 个 Pod 均未就绪</translation>
    </message>
    <message>
        <source>pod %1 was not found in namespace %2</source>
        <translation>在命名空间 %2 中找不到 Pod %1</translation>
    </message>
    <message>
        <source>pod %1 was deleted</source>
        <translation>Pod %1 已被删除</translation>
    </message>
    <message>
        <source>pod %1 is not ready: %2</source>
        <translation>Pod %1 未就绪：%2</translation>
    </message>
    <message>
        <source>forwarding 127.0.0.1:%1 to pod %2 port %3</source>
        <translation>正在将 127.0.0.1:%1 转发到 Pod %2 的端口 %3</translation>
    </message>
    <message>
        <source>%1; waiting for a ready pod</source>
        <extracomment>%1 says why no pod can serve</extracomment>
        <translation>%1；正在等待就绪的 Pod</translation>
    </message>
    <message>
        <source>%1; %2; waiting for a ready pod</source>
        <extracomment>%1 says why the pod served last is gone, %2 why no other pod can serve</extracomment>
        <translation>%1；%2；正在等待就绪的 Pod</translation>
    </message>
    <message>
        <source>forwarding 127.0.0.1:%1 to pod %2 port %3 (%4)</source>
        <extracomment>%4 says why the pod served before is gone</extracomment>
        <translation>正在将 127.0.0.1:%1 转发到 Pod %2 的端口 %3（%4）</translation>
    </message>
</context>
<context>
    <name>tdkube::kube::ProxyRelay</name>
    <message>
        <source>no local port for the relay to the proxy: %1</source>
        <translation>无法为到代理的中继分配本地端口：%1</translation>
    </message>
    <message>
        <source>the proxy's certificate was refused: %1</source>
        <translation>代理的证书被拒绝：%1</translation>
    </message>
    <message>
        <source>the TLS handshake with the proxy failed: %1</source>
        <translation>与代理的 TLS 握手失败：%1</translation>
    </message>
</context>
<context>
    <name>tdkube::kube::ResourceWatch</name>
    <message>
        <source>The API server sent a list of %1 objects that is not valid JSON (%2).</source>
        <translation>API 服务器发送的 %1 对象列表不是有效的 JSON（%2）。</translation>
    </message>
    <message>
        <source>stopped</source>
        <extracomment>the state of a watch that was stopped</extracomment>
        <translation>已停止</translation>
    </message>
</context>
<context>
    <name>tdkube::kube::SandboxLauncher</name>
    <message>
        <source>tdkube-sandbox was not found beside tdkube (%1) nor in /usr/bin. Install the tdkube package, or set TDKUBE_SANDBOX to the sandbox program.</source>
        <translation>在 tdkube 所在目录（%1）和 /usr/bin 中都找不到 tdkube-sandbox。请安装 tdkube 软件包，或将 TDKUBE_SANDBOX 设置为沙箱程序。</translation>
    </message>
    <message>
        <source>TDKUBE_SANDBOX names %1, which is not an executable file.</source>
        <translation>TDKUBE_SANDBOX 指定的 %1 不是可执行文件。</translation>
    </message>
    <message>
        <source>Could not create the sandbox's folder %1: check that it is writable.</source>
        <translation>无法创建沙箱的文件夹 %1：请检查它是否可写。</translation>
    </message>
    <message>
        <source>Could not start %1: %2.</source>
        <translation>无法启动 %1：%2。</translation>
    </message>
    <message>
        <source>The sandbox cluster ended before it was ready (%1). It said:
%2</source>
        <translation>沙箱集群在就绪之前就结束了（%1）。其输出：
%2</translation>
    </message>
    <message>
        <source>it crashed</source>
        <translation>它崩溃了</translation>
    </message>
    <message>
        <source>exit code %1</source>
        <translation>退出码 %1</translation>
    </message>
    <message>
        <source>The sandbox cluster did not start within %1 s. It said:
%2</source>
        <translation>沙箱集群未在 %1 s 内启动。其输出：
%2</translation>
    </message>
</context>
<context>
    <name>tdkube::kube::Session</name>
    <message>
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message>
        <source>Kubernetes %1 at %2</source>
        <translation>位于 %2 的 Kubernetes %1</translation>
    </message>
</context>
<context>
    <name>tdkube::ops::ClusterRecord</name>
    <message>
        <source>Other workstations will not see this operation: the API server refused to record it in namespace %1 (ConfigMap %2): %3. It runs anyway, recorded in this workstation's journal only. To share operations, ask for the right to create and update ConfigMaps there.</source>
        <translation>其他工作站将看不到此操作：API 服务器拒绝在命名空间 %1 中记录它（ConfigMap %2）：%3。操作仍会运行，但只记录在本工作站的操作记录中。如需共享操作，请申请在该命名空间中创建和更新 ConfigMap 的权限。</translation>
    </message>
    <message>
        <source>ConfigMap %1 is not a record of operation %2 that tdkube can read.</source>
        <translation>ConfigMap %1 不是 tdkube 能读取的操作 %2 的记录。</translation>
    </message>
</context>
<context>
    <name>tdkube::ops::Executor</name>
    <message>
        <source>The plan has blocking findings, so nothing was run. Resolve them and plan again.</source>
        <translation>计划中有阻塞性检查项，因此未执行任何操作。请解决这些问题后重新制定计划。</translation>
    </message>
    <message>
        <source>The plan has no steps: there is nothing to run.</source>
        <translation>计划中没有步骤：无可执行的内容。</translation>
    </message>
    <message>
        <source>Cancel requested. `drop dnode` cannot be interrupted safely (TDengine goes on moving the vnodes whatever tdkube does), so tdkube stops once it has finished.</source>
        <translation>已请求取消。`drop dnode` 无法被安全中断（无论 tdkube 做什么，TDengine 都会继续迁移 vnode），因此 tdkube 会在它完成后停止。</translation>
    </message>
    <message>
        <source>Cancel requested: tdkube stops at the next safe point, once the current step has finished.</source>
        <translation>已请求取消：tdkube 将在下一个安全点停止，即当前步骤完成之后。</translation>
    </message>
    <message>
        <source>%1 (operation %2, journal %3)</source>
        <translation>%1（操作 %2，操作记录 %3）</translation>
    </message>
    <message>
        <source>There is no connection to the Kubernetes cluster. Connect, then resume the operation.</source>
        <translation>未连接到 Kubernetes 集群。请先连接，然后继续执行该操作。</translation>
    </message>
    <message>
        <source>Operation %1 runs on context %2, but tdkube is connected to context %3. Switch to context %2, then resume it.</source>
        <translation>操作 %1 在上下文 %2 上运行，但 tdkube 当前连接的是上下文 %3。请切换到上下文 %2，然后继续执行该操作。</translation>
    </message>
    <message>
        <source>The operation lease was lost: %1 tdkube stops at the next safe point.</source>
        <translation>操作租约已丢失：%1 tdkube 将在下一个安全点停止。</translation>
    </message>
    <message>
        <source>%1 Nothing was changed: start the operation again.</source>
        <translation>%1 未做任何更改：请重新开始该操作。</translation>
    </message>
    <message>
        <source>the tables of every database to be listed, to count their rows</source>
        <translation>列出每个数据库的表，以统计其行数</translation>
    </message>
    <message>
        <source>Not counted: database(s) %1, whose only copy on the dropped dnode this operation gives up; they cannot be read now and will have fewer rows.</source>
        <translation>不统计：数据库 %1，其唯一副本位于被删除的 dnode 上，本操作放弃这些数据；这些数据库现在无法读取，行数将会减少。</translation>
    </message>
    <message>
        <source>the rows of %1</source>
        <translation>%1 的行数</translation>
    </message>
    <message>
        <source>the tables of %1 to be listed (last: %2)</source>
        <translation>列出 %1 的表（上次：%2）</translation>
    </message>
    <message>
        <source>the rows of %1 (listing its tables failed)</source>
        <translation>%1 的行数（列出其表失败）</translation>
    </message>
    <message>
        <source>Recorded the row counts of %1 table(s): %2 rows in all</source>
        <translation>已记录 %1 张表的行数：共 %2 行</translation>
    </message>
    <message>
        <source>Could not count %1: %2 (tried for %3). tdkube counts every table's rows before it changes anything, to show afterwards that no data was lost; nothing was changed. If a vgroup of database %4 has no leader (`show %4.vgroups`), bring its dnodes back first; if its only copy is on a dnode whose pod is gone, Repair gives that data up knowingly and does not count it.</source>
        <translation>无法统计 %1：%2（已尝试 %3）。tdkube 在做任何更改之前会统计每张表的行数，以便事后证明没有数据丢失；未做任何更改。如果数据库 %4 的某个 vgroup 没有 leader（`show %4.vgroups`），请先让其 dnode 恢复；如果其唯一副本位于 Pod 已不存在的 dnode 上，修复操作会有意放弃这些数据，并且不统计它们。</translation>
    </message>
    <message>
        <source>an answer to `%1` (last: %2)</source>
        <translation>`%1` 的应答（上次：%2）</translation>
    </message>
    <message>
        <source>it answered without its row, so the answer was cut short (taosAdapter ends a result early when a fetch fails, and still says code 0)</source>
        <translation>应答中缺少结果行，说明应答被截断了（fetch 失败时 taosAdapter 会提前结束结果，但仍返回 code 0）</translation>
    </message>
    <message>
        <source>Stopped before step %1 of %2: %3 Resume the operation once the other one has finished.</source>
        <translation>已在步骤 %1/%2 之前停止：%3 请在另一个操作完成后继续执行本操作。</translation>
    </message>
    <message>
        <source>%1: done.</source>
        <translation>%1：已完成。</translation>
    </message>
    <message>
        <source>Cancelled before step %1 of %2 (%3). The cluster is in a consistent state; resume the operation to go on, or abandon it.</source>
        <translation>已在步骤 %1/%2（%3）之前取消。集群处于一致状态；可以继续执行该操作，或放弃它。</translation>
    </message>
    <message>
        <source>Step %1 of %2: %3</source>
        <translation>步骤 %1/%2：%3</translation>
    </message>
    <message>
        <source>Step %1 of %2 (%3) failed: %4 Nothing after it was run. Fix the cause, then resume the operation; steps already done are not repeated.</source>
        <translation>步骤 %1/%2（%3）失败：%4 其后的步骤均未执行。请排除原因后继续执行该操作；已完成的步骤不会重复执行。</translation>
    </message>
    <message>
        <source>a complete answer from TDengine: %1</source>
        <translation>TDengine 的完整应答：%1</translation>
    </message>
    <message>
        <source>a connection to taosAdapter</source>
        <translation>与 taosAdapter 的连接</translation>
    </message>
    <message>
        <source>the pods to be listed (last: %1)</source>
        <translation>列出 Pod（上次：%1）</translation>
    </message>
    <message>
        <source>tdkube could not prepare the operation within %1: waiting for %2. Check the cluster's taosAdapter and the port-forward, then resume the operation.</source>
        <translation>tdkube 未能在 %1 内完成操作的准备：仍在等待 %2。请检查集群的 taosAdapter 和端口转发，然后继续执行该操作。</translation>
    </message>
    <message>
        <source>%1, and %2</source>
        <translation>%1，以及 %2</translation>
    </message>
    <message>
        <source>No progress for %1: still waiting for %2. %3</source>
        <translation>%1 内没有进展：仍在等待 %2。%3</translation>
    </message>
    <message>
        <source>Look at `show mnodes` and `show transactions`: an mnode needs its dnode ready and no other transaction running.</source>
        <translation>请查看 `show mnodes` 和 `show transactions`：mnode 需要其 dnode 就绪，且没有其他事务在运行。</translation>
    </message>
    <message>
        <source>TDengine may still be moving the vnodes: `show transactions` shows the progress and, if it is stuck, the error (often a dnode it needs is offline).</source>
        <translation>TDengine 可能仍在迁移 vnode：`show transactions` 会显示进度；如果事务卡住，还会显示错误（常见原因是它所需的某个 dnode 离线）。</translation>
    </message>
    <message>
        <source>Look at `show dnodes` and `show transactions`.</source>
        <translation>请查看 `show dnodes` 和 `show transactions`。</translation>
    </message>
    <message>
        <source>Check the connection to the Kubernetes API server and your permissions on the StatefulSet and its claims.</source>
        <translation>请检查与 Kubernetes API 服务器的连接，以及您对该 StatefulSet 及其存储卷声明的权限。</translation>
    </message>
    <message>
        <source>Look at the pods' events and finalizers (kubectl describe pod %1).</source>
        <translation>请查看这些 Pod 的事件和 finalizers（kubectl describe pod %1）。</translation>
    </message>
    <message>
        <source>Look at the pods' events (kubectl describe pod %1): an image that cannot be pulled, a claim left Pending or a failing probe keeps a pod from Ready.</source>
        <translation>请查看这些 Pod 的事件（kubectl describe pod %1）：无法拉取的镜像、一直处于 Pending 的存储卷声明或失败的探针都会使 Pod 无法就绪。</translation>
    </message>
    <message>
        <source>Look at the new pods' logs (kubectl logs %1): a dnode that does not join usually cannot reach its first endpoint (TAOS_FIRST_EP) or found data of another cluster on its claim.</source>
        <translation>请查看新 Pod 的日志（kubectl logs %1）：未能加入集群的 dnode 通常是无法连接其首个端点（TAOS_FIRST_EP），或在其存储卷声明上发现了另一个集群的数据。</translation>
    </message>
    <message>
        <source>`show transactions` shows whether TDengine is still moving vnodes, and its error.</source>
        <translation>`show transactions` 会显示 TDengine 是否仍在迁移 vnode，以及相应的错误。</translation>
    </message>
    <message>
        <source>Look at `show dnodes`, `show mnodes` and the vgroups of the databases (`show &lt;db&gt;.vgroups`).</source>
        <translation>请查看 `show dnodes`、`show mnodes` 以及各数据库的 vgroup（`show &lt;db&gt;.vgroups`）。</translation>
    </message>
    <message>
        <source>The lease was not released; it expires by itself.</source>
        <translation>租约未能释放；它会自行过期。</translation>
    </message>
    <message>
        <source>The operation finished.</source>
        <translation>操作已结束。</translation>
    </message>
    <message>
        <source>the dnode of %1 to appear in ins_dnodes, to create an mnode on it</source>
        <translation>%1 的 dnode 出现在 ins_dnodes 中，以便在其上创建 mnode</translation>
    </message>
    <message>
        <source>The dnode of %1 is dnode %2: the mnode goes there.</source>
        <translation>%1 的 dnode 是 dnode %2：mnode 将创建在该 dnode 上。</translation>
    </message>
    <message>
        <source>The mnode on dnode %1 is ready (%2).</source>
        <translation>dnode %1 上的 mnode 已就绪（%2）。</translation>
    </message>
    <message>
        <source>The mnode on dnode %1 already exists (%2): not created again.</source>
        <translation>dnode %1 上的 mnode 已存在（%2）：不再重复创建。</translation>
    </message>
    <message>
        <source>the mnode on dnode %1 to be ready (it is %2, %3)</source>
        <translation>dnode %1 上的 mnode 就绪（当前为 %2，%3）</translation>
    </message>
    <message>
        <source>the mnode created on dnode %1 to appear in ins_mnodes</source>
        <translation>在 dnode %1 上创建的 mnode 出现在 ins_mnodes 中</translation>
    </message>
    <message>
        <source>`create mnode on dnode %1` failed: %2</source>
        <translation>`create mnode on dnode %1` 失败：%2</translation>
    </message>
    <message>
        <source>The mnode on dnode %1 was dropped.</source>
        <translation>dnode %1 上的 mnode 已删除。</translation>
    </message>
    <message>
        <source>There is no mnode on dnode %1: nothing to drop.</source>
        <translation>dnode %1 上没有 mnode：无需删除。</translation>
    </message>
    <message>
        <source>the mnode on dnode %1 to leave ins_mnodes</source>
        <translation>dnode %1 上的 mnode 从 ins_mnodes 中移除</translation>
    </message>
    <message>
        <source>`drop mnode on dnode %1` failed: %2</source>
        <translation>`drop mnode on dnode %1` 失败：%2</translation>
    </message>
    <message>
        <source>`drop dnode %1` answered: its vnodes have moved.</source>
        <translation>`drop dnode %1` 已返回：其 vnode 已迁移完毕。</translation>
    </message>
    <message>
        <source>`%1` was refused: %2</source>
        <translation>`%1` 被拒绝：%2</translation>
    </message>
    <message>
        <source>dnode %1 to be dropped: %2</source>
        <translation>删除 dnode %1：%2</translation>
    </message>
    <message>
        <source>StatefulSet %1 to be read</source>
        <translation>读取 StatefulSet %1</translation>
    </message>
    <message>
        <source>Could not read the StatefulSet: %1</source>
        <translation>无法读取 StatefulSet：%1</translation>
    </message>
    <message>
        <source>The StatefulSet already has %1 replicas: not scaled again.</source>
        <translation>StatefulSet 已是 %1 副本：不再重复扩缩容。</translation>
    </message>
    <message>
        <source>Refused to scale StatefulSet %1 in to %2 replicas: dnode %3 (%4) of pod %5 is still in the cluster (%6), so the pod may hold the only copy of its data. Drop the dnode first (`drop dnode %3`).</source>
        <translation>拒绝将 StatefulSet %1 缩容到 %2 副本：Pod %5 的 dnode %3（%4）仍在集群中（%6），因此该 Pod 可能持有其数据的唯一副本。请先删除该 dnode（`drop dnode %3`）。</translation>
    </message>
    <message>
        <source>Scaling StatefulSet %1 from %2 to %3 replicas</source>
        <translation>正在将 StatefulSet %1 从 %2 副本扩缩容到 %3 副本</translation>
    </message>
    <message>
        <source>StatefulSet scaled from %1 to %2 replicas.</source>
        <translation>StatefulSet 已从 %1 副本扩缩容到 %2 副本。</translation>
    </message>
    <message>
        <source>Could not scale the StatefulSet: %1</source>
        <translation>无法对 StatefulSet 扩缩容：%1</translation>
    </message>
    <message>
        <source>Pods %1 are gone.</source>
        <translation>Pod %1 已不存在。</translation>
    </message>
    <message>
        <source>pods %1 to terminate</source>
        <translation>Pod %1 终止</translation>
    </message>
    <message>
        <source>%1 pods are Ready.</source>
        <translation>%1 个 Pod 已就绪。</translation>
    </message>
    <message>
        <source>dnode %1 (%2) is %3</source>
        <translation>dnode %1（%2）的状态为 %3</translation>
    </message>
    <message>
        <source>%1 is not a ready dnode yet</source>
        <translation>%1 尚不是就绪的 dnode</translation>
    </message>
    <message>
        <source>%1 dnodes are ready.</source>
        <translation>%1 个 dnode 已就绪。</translation>
    </message>
    <message>
        <source>`balance vgroup` to finish moving vnodes</source>
        <translation>`balance vgroup` 完成 vnode 迁移</translation>
    </message>
    <message>
        <source>The vgroups are balanced.</source>
        <translation>vgroup 已均衡。</translation>
    </message>
    <message>
        <source>`balance vgroup` failed: %1</source>
        <translation>`balance vgroup` 失败：%1</translation>
    </message>
    <message>
        <source>The vgroups are balanced (it finished in the background).</source>
        <translation>vgroup 已均衡（在后台完成）。</translation>
    </message>
    <message>
        <source>dnode %1: %2</source>
        <translation>dnode %1：%2</translation>
    </message>
    <message>
        <source>vnodes per dnode: %1</source>
        <translation>各 dnode 的 vnode 数：%1</translation>
    </message>
    <message>
        <source>`balance vgroup` to finish moving vnodes: %1</source>
        <translation>`balance vgroup` 完成 vnode 迁移：%1</translation>
    </message>
    <message>
        <source>TDengine answered %1, but its %2 transaction goes on in the background (%3): tdkube waits for it. %4</source>
        <translation>TDengine 返回了 %1，但其 %2 事务仍在后台继续（%3）：tdkube 会等待它完成。%4</translation>
    </message>
    <message>
        <source>Claim %1 does not belong to a pod of StatefulSet %2, so tdkube does not delete it.</source>
        <translation>存储卷声明 %1 不属于 StatefulSet %2 的任何 Pod，因此 tdkube 不会删除它。</translation>
    </message>
    <message>
        <source>claim %1 to be checked: its pod %2 gone and its dnode dropped</source>
        <translation>检查存储卷声明 %1：其 Pod %2 已不存在，且其 dnode 已删除</translation>
    </message>
    <message>
        <source>Refused to delete claim %1: pod %2 still exists, so its data may still be in use. Scale the StatefulSet in and wait for the pod to terminate first.</source>
        <translation>拒绝删除存储卷声明 %1：Pod %2 仍然存在，因此其数据可能仍在使用中。请先对 StatefulSet 缩容，并等待该 Pod 终止。</translation>
    </message>
    <message>
        <source>Could not check pod %1 before deleting claim %2: %3</source>
        <translation>删除存储卷声明 %2 之前无法检查 Pod %1：%3</translation>
    </message>
    <message>
        <source>Refused to delete claim %1: dnode %2 (%3) of pod %4 is still in the cluster (%5), so the claim may hold the only copy of its data. Drop the dnode first (`drop dnode %2`).</source>
        <translation>拒绝删除存储卷声明 %1：Pod %4 的 dnode %2（%3）仍在集群中（%5），因此该存储卷声明可能持有其数据的唯一副本。请先删除该 dnode（`drop dnode %2`）。</translation>
    </message>
    <message>
        <source>Claims %1 are gone.</source>
        <translation>存储卷声明 %1 已不存在。</translation>
    </message>
    <message>
        <source>claim %1 to be deleted: %2</source>
        <translation>删除存储卷声明 %1：%2</translation>
    </message>
    <message>
        <source>Deleting claim %1: %2</source>
        <translation>正在删除存储卷声明 %1：%2</translation>
    </message>
    <message>
        <source>Claim %1 is gone already.</source>
        <translation>存储卷声明 %1 已不存在。</translation>
    </message>
    <message>
        <source>Could not delete claim %1: %2</source>
        <translation>无法删除存储卷声明 %1：%2</translation>
    </message>
    <message>
        <source>Deleted claim %1.</source>
        <translation>已删除存储卷声明 %1。</translation>
    </message>
    <message>
        <source>it is gone already.</source>
        <translation>它已不存在。</translation>
    </message>
    <message>
        <source>it is bound to no volume, so no data goes with it.</source>
        <translation>它未绑定任何存储卷，因此不会有数据随之删除。</translation>
    </message>
    <message>
        <source>its volume could not be read (%1); what happens to the data depends on the volume's reclaim policy.</source>
        <translation>无法读取其存储卷（%1）；数据如何处理取决于该存储卷的回收策略。</translation>
    </message>
    <message>
        <source>volume %1 could not be read (%2); what happens to its data depends on its reclaim policy.</source>
        <translation>无法读取存储卷 %1（%2）；其数据如何处理取决于其回收策略。</translation>
    </message>
    <message>
        <source>no reclaim policy</source>
        <translation>没有回收策略</translation>
    </message>
    <message>
        <source>its volume %1 has reclaim policy Delete: the volume and its data are destroyed.</source>
        <translation>其存储卷 %1 的回收策略为 Delete：该存储卷及其数据将被销毁。</translation>
    </message>
    <message>
        <source>its volume %1 has reclaim policy Retain: the volume stays, Released, with the data (delete it by hand once it is no longer needed).</source>
        <translation>其存储卷 %1 的回收策略为 Retain：该存储卷连同数据会保留下来，处于 Released 状态（不再需要时请手动删除）。</translation>
    </message>
    <message>
        <source>its volume %1 has reclaim policy %2: the volume is recycled and its data erased.</source>
        <translation>其存储卷 %1 的回收策略为 %2：该存储卷将被回收，其数据将被擦除。</translation>
    </message>
    <message>
        <source>%1 dnodes are ready instead of %2</source>
        <translation>就绪的 dnode 为 %1 个，而不是 %2 个</translation>
    </message>
    <message>
        <source>the mnode on dnode %1 is %2, %3</source>
        <translation>dnode %1 上的 mnode 为 %2，%3</translation>
    </message>
    <message>
        <source>%1 mnode leaders instead of 1</source>
        <translation>mnode leader 有 %1 个，而不是 1 个</translation>
    </message>
    <message>
        <source>a healthy cluster: %1</source>
        <translation>集群恢复健康：%1</translation>
    </message>
    <message>
        <source>the StatefulSet to be read (last: %1)</source>
        <translation>读取 StatefulSet（上次：%1）</translation>
    </message>
    <message>
        <source>the volume claims to be listed (last: %1)</source>
        <translation>列出存储卷声明（上次：%1）</translation>
    </message>
    <message>
        <source>Data at risk: %1</source>
        <translation>数据面临风险：%1</translation>
    </message>
    <message>
        <source>Could not count the rows of %1 to compare them with before: %2 (tried for %3). Look at `show %4.vgroups`: a vgroup without a leader cannot be read until enough of its dnodes are back.</source>
        <translation>无法统计 %1 的行数以与操作前比较：%2（已尝试 %3）。请查看 `show %4.vgroups`：没有 leader 的 vgroup 在其足够多的 dnode 恢复之前无法读取。</translation>
    </message>
    <message>
        <source>%1 has %2 rows, %3 before</source>
        <translation>%1 现有 %2 行，之前为 %3 行</translation>
    </message>
    <message>
        <source>%1 dnodes ready, 1 mnode leader; %2 rows in %3 table(s), as before.</source>
        <translation>%1 个 dnode 就绪，1 个 mnode leader；%3 张表共 %2 行，与操作前相同。</translation>
    </message>
    <message>
        <source>dnode %1 %2</source>
        <translation>dnode %1 %2</translation>
    </message>
    <message>
        <source>dnode %1 %2 catching up (applied %3 of %4)</source>
        <translation>dnode %1 %2 正在追赶（已应用 %3/%4）</translation>
    </message>
    <message>
        <source>vgroup %1 (%2): %3</source>
        <translation>vgroup %1（%2）：%3</translation>
    </message>
    <message>
        <source>every vgroup's replicas to be leader or follower; not yet: %1</source>
        <translation>每个 vgroup 的副本都成为 leader 或 follower；尚未满足：%1</translation>
    </message>
    <message>
        <source>The mnode on dnode %1 is ready (%2). (the dnode of %3)</source>
        <translation>dnode %1 上的 mnode 已就绪（%2）。（%3 的 dnode）</translation>
    </message>
    <message>
        <source>The mnode on dnode %1 already exists (%2): not created again. (the dnode of %3)</source>
        <translation>dnode %1 上的 mnode 已存在（%2）：不再重复创建。（%3 的 dnode）</translation>
    </message>
    <message>
        <source>dnode %1 was dropped: it has left the cluster. Every vgroup's replicas are leader or follower.</source>
        <translation>dnode %1 已删除：它已离开集群。每个 vgroup 的副本均为 leader 或 follower。</translation>
    </message>
    <message>
        <source>dnode %1 is not in the cluster: nothing to drop. Every vgroup's replicas are leader or follower.</source>
        <translation>dnode %1 不在集群中：无需删除。每个 vgroup 的副本均为 leader 或 follower。</translation>
    </message>
    <message numerus="yes">
        <source>%n vnode(s) left on dnode %1</source>
        <translation>
            <numerusform>dnode %1 上还剩 %n 个 vnode</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 pods Ready (%2 are)</source>
        <translation>%1 个 Pod 就绪（当前 %2 个）</translation>
    </message>
    <message>
        <source>%1 pods Ready (%2 are); not yet: %3</source>
        <translation>%1 个 Pod 就绪（当前 %2 个）；尚未就绪：%3</translation>
    </message>
    <message>
        <source>%1 dnodes ready (%2 are)</source>
        <translation>%1 个 dnode 就绪（当前 %2 个）</translation>
    </message>
    <message>
        <source>%1 dnodes ready (%2 are); %3</source>
        <translation>%1 个 dnode 就绪（当前 %2 个）；%3</translation>
    </message>
    <message>
        <source>%1 No claim was deleted.</source>
        <extracomment>%1: why the claim may not be deleted, ending with a full stop</extracomment>
        <translation>%1 未删除任何存储卷声明。</translation>
    </message>
    <message>
        <source>%1 (the API server answered: %2)</source>
        <extracomment>%1: what the step waits for, %2: the API server's answer</extracomment>
        <translation>%1（API 服务器的回答：%2）</translation>
    </message>
    <message>
        <source>The API server failed (%1); asking again at the next look.</source>
        <translation>API 服务器出错（%1）；下次查看时再试。</translation>
    </message>
    <message>
        <source>StatefulSet %1 to be scaled from %2 to %3 replicas</source>
        <translation>将 StatefulSet %1 从 %2 个副本扩缩到 %3 个</translation>
    </message>
    <message>
        <source>pod %1 to be read, to check claim %2</source>
        <translation>读取 Pod %1，以检查存储卷声明 %2</translation>
    </message>
    <message>
        <source>claim %1 to be deleted</source>
        <translation>删除存储卷声明 %1</translation>
    </message>
    <message>
        <source>Check the connection to the Kubernetes API server and your permissions on the StatefulSet and its ConfigMap.</source>
        <translation>请检查与 Kubernetes API 服务器的连接，以及您对该 StatefulSet 及其 ConfigMap 的权限。</translation>
    </message>
    <message>
        <source>Look at `show dnodes`: every dnode must be ready to take the change.</source>
        <translation>请查看 `show dnodes`：每个 dnode 都必须就绪才能接受此更改。</translation>
    </message>
    <message>
        <source>Look at pod %1 (kubectl describe pod %1, kubectl logs %1) and at `show dnodes`: a dnode that stays offline after a restart often has a setting the others do not (its note says which). The pods not restarted yet stay on the old template: resuming continues with this one.</source>
        <translation>请查看 Pod %1（kubectl describe pod %1，kubectl logs %1）和 `show dnodes`：重启后一直离线的 dnode 通常有一项与其他 dnode 不同的设置（其 note 会指出是哪一项）。尚未重启的 Pod 仍在旧模板上：继续执行时将从这个 Pod 接着进行。</translation>
    </message>
    <message>
        <source>ConfigMap %1 to be read</source>
        <translation>读取 ConfigMap %1</translation>
    </message>
    <message>
        <source>Could not read ConfigMap %1: %2</source>
        <translation>无法读取 ConfigMap %1：%2</translation>
    </message>
    <message>
        <source>%1 %2 → %3</source>
        <translation>%1 %2 → %3</translation>
    </message>
    <message>
        <source>%1 (not set) → %2</source>
        <translation>%1（未设置）→ %2</translation>
    </message>
    <message>
        <source>ConfigMap %1 already holds the new values.</source>
        <translation>ConfigMap %1 中已经是新值。</translation>
    </message>
    <message>
        <source>Changing ConfigMap %1: %2</source>
        <translation>正在修改 ConfigMap %1：%2</translation>
    </message>
    <message>
        <source>ConfigMap %1 to be changed</source>
        <translation>修改 ConfigMap %1</translation>
    </message>
    <message>
        <source>ConfigMap %1: %2.</source>
        <translation>ConfigMap %1：%2。</translation>
    </message>
    <message>
        <source>Could not change ConfigMap %1: %2</source>
        <translation>无法修改 ConfigMap %1：%2</translation>
    </message>
    <message>
        <source>Applied on every dnode without a restart: %1.</source>
        <translation>已在每个 dnode 上生效，无需重启：%1。</translation>
    </message>
    <message>
        <source>`%1` to be answered</source>
        <translation>`%1` 返回应答</translation>
    </message>
    <message>
        <source>TDengine refused `%1`: %2</source>
        <translation>TDengine 拒绝了 `%1`：%2</translation>
    </message>
    <message>
        <source>StatefulSet %1 to take the new pod template, holding every pod on the old one</source>
        <translation>StatefulSet %1 采用新的 Pod 模板，同时让所有 Pod 保持在旧模板上</translation>
    </message>
    <message>
        <source>StatefulSet %1 to be changed</source>
        <translation>修改 StatefulSet %1</translation>
    </message>
    <message>
        <source>The pod template is changed; rollingUpdate.partition is %1, so no pod restarts until tdkube lets it.</source>
        <translation>Pod 模板已修改；rollingUpdate.partition 为 %1，因此在 tdkube 放行之前不会有 Pod 重启。</translation>
    </message>
    <message>
        <source>Could not change StatefulSet %1: %2</source>
        <translation>无法修改 StatefulSet %1：%2</translation>
    </message>
    <message>
        <source>the StatefulSet controller to take the new pod template</source>
        <translation>StatefulSet 控制器采用新的 Pod 模板</translation>
    </message>
    <message>
        <source>Letting pod %1-%2 restart: rollingUpdate.partition %3 → %2</source>
        <translation>正在放行 Pod %1-%2 重启：rollingUpdate.partition %3 → %2</translation>
    </message>
    <message>
        <source>pod %1 to be read</source>
        <translation>读取 Pod %1</translation>
    </message>
    <message>
        <source>Could not read pod %1: %2</source>
        <translation>无法读取 Pod %1：%2</translation>
    </message>
    <message>
        <source>pod %1 to restart on the new pod template (it is stopping)</source>
        <translation>Pod %1 以新的 Pod 模板重启（它正在停止）</translation>
    </message>
    <message>
        <source>pod %1 to restart on the new pod template</source>
        <translation>Pod %1 以新的 Pod 模板重启</translation>
    </message>
    <message>
        <source>pod %1 (restarted) to be Ready</source>
        <translation>Pod %1（已重启）就绪</translation>
    </message>
    <message>
        <source>dnode %1 of pod %2 to report its restart (its reboot time is still %3)</source>
        <translation>Pod %2 的 dnode %1 报告其已重启（其重启时间仍为 %3）</translation>
    </message>
    <message>
        <source>dnode %1 of pod %2 to be back in `show dnodes`</source>
        <translation>Pod %2 的 dnode %1 重新出现在 `show dnodes` 中</translation>
    </message>
    <message>
        <source>dnode %1 of pod %2 to be ready (it is %3%4)</source>
        <translation>Pod %2 的 dnode %1 就绪（当前为 %3%4）</translation>
    </message>
    <message>
        <source>mnode %1 %2</source>
        <translation>mnode %1 %2</translation>
    </message>
    <message>
        <source>the mnodes to have a leader and their quorum</source>
        <translation>mnode 有 leader 并达到多数派</translation>
    </message>
    <message>
        <source>every mnode to be leader or follower; not yet: %1</source>
        <translation>每个 mnode 都成为 leader 或 follower；尚未满足：%1</translation>
    </message>
    <message>
        <source>Pod %1 restarted on the new template; dnode %2 is ready, every vgroup's replicas are leader or follower and the mnodes have their quorum.</source>
        <translation>Pod %1 已以新模板重启；dnode %2 已就绪，每个 vgroup 的副本均为 leader 或 follower，且 mnode 已达到多数派。</translation>
    </message>
    <message>
        <source>dnode %1 to say which TDengine version it runs (`show dnode %1 variables` has no version yet)</source>
        <translation>dnode %1 报告其运行的 TDengine 版本（`show dnode %1 variables` 中还没有版本）</translation>
    </message>
    <message>
        <source>dnode %1 to run TDengine %2 (it runs %3)</source>
        <translation>dnode %1 运行 TDengine %2（当前运行的是 %3）</translation>
    </message>
    <message>
        <source>Pod %1 restarted on the new template; dnode %2 is ready and runs TDengine %3, every vgroup's replicas are leader or follower and the mnodes have their quorum.</source>
        <translation>Pod %1 已以新模板重启；dnode %2 已就绪并运行 TDengine %3，每个 vgroup 的副本均为 leader 或 follower，且 mnode 已达到多数派。</translation>
    </message>
    <message>
        <source>the cluster to answer with TDengine %1 (`select server_version()` says %2)</source>
        <translation>集群以 TDengine %1 应答（`select server_version()` 返回 %2）</translation>
    </message>
    <message>
        <source>The cluster runs TDengine %1.</source>
        <translation>集群运行的是 TDengine %1。</translation>
    </message>
    <message>
        <source>%1 +%2</source>
        <translation>%1 +%2</translation>
    </message>
    <message>
        <source>Fewer rows than before the operation: %1. If nothing deleted from these tables meanwhile (and no data expired by the database's keep), data was lost: look at `show vgroups` of the databases before changing anything else.</source>
        <translation>行数少于操作之前：%1。如果期间没有人从这些表中删除数据（也没有数据因数据库的 keep 而过期），则说明数据已丢失：在做任何其他更改之前，请先查看这些数据库的 `show vgroups`。</translation>
    </message>
    <message>
        <source>%1 dnodes ready, 1 mnode leader; %2 rows in %3 table(s): none fewer than before, rows written meanwhile in %4.</source>
        <translation>%1 个 dnode 就绪，1 个 mnode leader；%3 张表共 %2 行：没有一张表的行数少于之前，期间有新写入的行：%4。</translation>
    </message>
    <message>
        <source>StatefulSet %1 does not exist yet: the operation's lease comes with it, when it is applied.</source>
        <translation>StatefulSet %1 尚不存在：操作租约会在应用它时随之创建。</translation>
    </message>
    <message>
        <source>Check the connection to the Kubernetes API server and your permissions on the objects (kubectl auth can-i create statefulsets,services,configmaps).</source>
        <translation>检查与 Kubernetes API 服务器的连接以及您对这些对象的权限（kubectl auth can-i create statefulsets,services,configmaps）。</translation>
    </message>
    <message numerus="yes">
        <source>the API server to apply %n object(s)</source>
        <translation>
            <numerusform>API 服务器应用 %n 个对象</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1 is as the manifests say: unchanged.</source>
        <translation>%1 与清单一致：未改变。</translation>
    </message>
    <message>
        <source>%1 configured.</source>
        <translation>%1 已配置。</translation>
    </message>
    <message>
        <source>%1 created.</source>
        <translation>%1 已创建。</translation>
    </message>
    <message>
        <source>%1 (owned by %2)</source>
        <translation>%1（属于 %2）</translation>
    </message>
    <message>
        <source>%1 %2 could not be applied: %3</source>
        <translation>无法应用 %1 %2：%3</translation>
    </message>
    <message>
        <source>%1 %2 could not be applied: other field managers own %3. Apply it with tdkube's editor, taking the fields over if the manifests are right, then resume.</source>
        <translation>无法应用 %1 %2：%3 属于其他字段管理器。若清单正确，请用 tdkube 的编辑器应用并接管这些字段，然后续做。</translation>
    </message>
    <message>
        <source>The objects could not be applied.</source>
        <translation>无法应用这些对象。</translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) applied.</source>
        <translation>
            <numerusform>已应用 %n 个对象。</numerusform>
        </translation>
    </message>
    <message>
        <source>the operation lease on StatefulSet %1</source>
        <translation>StatefulSet %1 上的操作租约</translation>
    </message>
    <message>
        <source>%1 dnodes ready, 1 mnode leader.</source>
        <translation>%1 个 dnode 就绪，1 个 mnode leader。</translation>
    </message>
    <message>
        <source>StatefulSet %1 is gone already: there is no lease to take, and the steps left delete only what is still there.</source>
        <translation>StatefulSet %1 已不存在：没有可获取的租约，剩余步骤只删除仍然存在的对象。</translation>
    </message>
    <message>
        <source>Look at the object's finalizers (kubectl get -o yaml): what added one must remove it; and check your permissions (kubectl auth can-i delete statefulsets,services,configmaps).</source>
        <translation>请查看该对象的 finalizer（kubectl get -o yaml）：添加 finalizer 的组件必须将其移除；并检查你的权限（kubectl auth can-i delete statefulsets,services,configmaps）。</translation>
    </message>
    <message>
        <source>%1: gone.</source>
        <translation>%1：已删除。</translation>
    </message>
    <message>
        <source>tdkube does not delete a %1 (%2): it is not part of a TDengine cluster it manages. Nothing else was deleted by this step.</source>
        <translation>tdkube 不删除 %1（%2）：它不属于 tdkube 管理的 TDengine 集群。此步骤没有删除其他任何对象。</translation>
    </message>
    <message>
        <source>%1 to be read</source>
        <translation>读取 %1</translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>%1 to go</source>
        <translation>%1 消失</translation>
    </message>
    <message>
        <source>%1 to go (its finalizers: %2)</source>
        <translation>%1 消失（它的 finalizer：%2）</translation>
    </message>
    <message>
        <source>%1 to be deleted</source>
        <translation>删除 %1</translation>
    </message>
    <message>
        <source>Deleting %1.</source>
        <translation>正在删除 %1。</translation>
    </message>
    <message>
        <source>Could not delete %1: %2</source>
        <translation>无法删除 %1：%2</translation>
    </message>
    <message>
        <source>Deleted %1.</source>
        <translation>已删除 %1。</translation>
    </message>
    <message>
        <source>The operation lease went with StatefulSet %1.</source>
        <translation>操作租约随 StatefulSet %1 一起删除了。</translation>
    </message>
    <message>
        <source>%1 came back after it was deleted: something recreates it (a GitOps tool or an operator; its managedFields name it). Stop that, then delete it again (resume this operation).</source>
        <translation>%1 在删除后又出现了：有组件在重新创建它（GitOps 工具或 operator；其 managedFields 会指明是谁）。先停止该组件，然后再次删除（恢复此操作）。</translation>
    </message>
    <message>
        <source>Nothing of cluster %1 is left but its claims, with the data.</source>
        <translation>集群 %1 除了存储卷声明（连同数据）外已无任何残留。</translation>
    </message>
    <message>
        <source>Nothing of cluster %1 is left.</source>
        <translation>集群 %1 已无任何残留。</translation>
    </message>
    <message>
        <source>%1 %2 to be looked at</source>
        <translation>检查 %1 %2</translation>
    </message>
    <message>
        <source>%1 %2 to be read</source>
        <translation>读取 %1 %2</translation>
    </message>
    <message>
        <source>Could not read %1 %2: %3</source>
        <translation>无法读取 %1 %2：%3</translation>
    </message>
    <message>
        <source>StatefulSet %1 to be read, to check claim %2</source>
        <translation>读取 StatefulSet %1，以检查存储卷声明 %2</translation>
    </message>
    <message>
        <source>Refused to delete claim %1: StatefulSet %2 still exists and would start its pod again on it. Delete the StatefulSet first.</source>
        <translation>拒绝删除存储卷声明 %1：StatefulSet %2 仍然存在，会在其上重新启动它的 Pod。请先删除该 StatefulSet。</translation>
    </message>
    <message>
        <source>Could not check StatefulSet %1 before deleting claim %2: %3</source>
        <translation>删除存储卷声明 %2 之前无法检查 StatefulSet %1：%3</translation>
    </message>
    <message>
        <source>a look at whether `%1` ran (its answer was lost: the connection closed)</source>
        <translation>确认 `%1` 是否已执行（连接已关闭，应答丢失）</translation>
    </message>
</context>
<context>
    <name>tdkube::ops::Lease</name>
    <message>
        <source>Could not read %1 for its operation lease: %2</source>
        <translation>无法读取 %1 以获取其操作租约：%2</translation>
    </message>
    <message>
        <source>The operation lease on %1 was no longer ours: left alone.</source>
        <translation>%1 上的操作租约已不再属于本 tdkube：未做改动。</translation>
    </message>
    <message>
        <source>Could not write the operation lease on %1: %2</source>
        <translation>无法写入 %1 上的操作租约：%2</translation>
    </message>
    <message>
        <source>Lease on %1 held by %2 until %3</source>
        <translation>%1 上的租约由 %2 持有，直到 %3</translation>
    </message>
    <message>
        <source>Lease on %1 released</source>
        <translation>已释放 %1 上的租约</translation>
    </message>
    <message>
        <source>Another tdkube (%1) has been running %2 on this cluster since %3, so nothing was changed. Wait until it finishes (its lease on %4 expires at %5 unless it is renewed), then try again.</source>
        <translation>另一个 tdkube（%1）自 %3 起正在此集群上执行 %2，因此未做任何更改。请等待它完成（它在 %4 上的租约如未续期，将于 %5 到期），然后重试。</translation>
    </message>
    <message>
        <source>an operation</source>
        <translation>一个操作</translation>
    </message>
    <message>
        <source>StatefulSet %1 in namespace %2</source>
        <translation>命名空间 %2 中的 StatefulSet %1</translation>
    </message>
    <message>
        <source>There is no connection to the Kubernetes cluster, so the operation lease on %1 could not be released. Connect, then try again.</source>
        <translation>没有与 Kubernetes 集群的连接，因此无法释放 %1 上的操作租约。请连接后重试。</translation>
    </message>
    <message>
        <source>There is no connection to the Kubernetes cluster, so the operation lease on %1 could not be taken. Connect, then try again.</source>
        <translation>没有与 Kubernetes 集群的连接，因此无法获取 %1 上的操作租约。请连接后重试。</translation>
    </message>
</context>
<context>
    <name>tdkube::taos::ClusterConnection</name>
    <message>
        <source>Not connected.</source>
        <translation>未连接。</translation>
    </message>
    <message>
        <source>taosAdapter of %1 through a port-forward, 127.0.0.1:%2</source>
        <translation>经端口转发 127.0.0.1:%2 连接的 %1 的 taosAdapter</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message>
        <source>%1 → pod %2</source>
        <translation>%1 → Pod %2</translation>
    </message>
    <message>
        <source>%1: reconnecting (%2)</source>
        <translation>%1：正在重新连接（%2）</translation>
    </message>
    <message>
        <source>%1: stopped (%2)</source>
        <translation>%1：已停止（%2）</translation>
    </message>
</context>
<context>
    <name>tdkube::taos::PasswordStore</name>
    <message>
        <source>No password is stored for this cluster, so TDengine's default (%1/%2) is used. If the cluster still has it, change it: ALTER USER %1 PASS '...'.</source>
        <translation>此集群没有保存密码，因此使用 TDengine 的默认用户名和密码（%1/%2）。如果集群仍在使用它，请修改：ALTER USER %1 PASS '...'。</translation>
    </message>
    <message>
        <source>The system keychain could not be read (%1), so TDengine's default password is tried; a password you enter is kept until tdkube quits.</source>
        <translation>无法读取系统钥匙串（%1），因此尝试使用 TDengine 的默认密码；您输入的密码会保留到 tdkube 退出为止。</translation>
    </message>
    <message>
        <source>The password is kept until tdkube quits, but the system keychain refused it: %1.</source>
        <translation>密码会保留到 tdkube 退出为止，但系统钥匙串拒绝保存它：%1。</translation>
    </message>
</context>
<context>
    <name>tdkube::taos::RestClient</name>
    <message>
        <source>Cannot send SQL through the API server proxy (%1): taosAdapter needs Basic auth, which the API server proxy strips</source>
        <translation>无法通过 API 服务器代理（%1）发送 SQL：taosAdapter 需要 Basic 认证，而 API 服务器代理会去掉它</translation>
    </message>
    <message>
        <source>Use a port-forward to port 6041 of a TDengine pod or of the taosAdapter service, and connect through its local port.</source>
        <translation>请建立到 TDengine Pod 或 taosAdapter Service 的 6041 端口的端口转发，并通过其本地端口连接。</translation>
    </message>
    <message>
        <source>Could not reach taosAdapter at %1: %2</source>
        <translation>无法访问 %1 上的 taosAdapter：%2</translation>
    </message>
    <message>
        <source>Could not reach taosAdapter at %1: %2. The port-forward said: %3</source>
        <translation>无法访问 %1 上的 taosAdapter：%2。端口转发报告：%3</translation>
    </message>
    <message>
        <source>Check that the port-forward is active and that the TDengine pod is Running.</source>
        <translation>请检查端口转发是否处于活动状态，以及 TDengine Pod 是否处于 Running 状态。</translation>
    </message>
    <message>
        <source>taosAdapter at %1 answered HTTP %2: %3</source>
        <translation>%1 上的 taosAdapter 返回了 HTTP %2：%3</translation>
    </message>
    <message>
        <source>Check that the target is taosAdapter's port 6041.</source>
        <translation>请确认目标是 taosAdapter 的 6041 端口。</translation>
    </message>
    <message>
        <source>The statement did not finish within %1 s</source>
        <translation>语句未在 %1 s 内执行完毕</translation>
    </message>
    <message>
        <source>The server may still be running it: check show transactions, then run it with a longer timeout.</source>
        <translation>服务器可能仍在执行该语句：请查看 show transactions，然后用更长的超时时间重新执行。</translation>
    </message>
    <message>
        <source>The connection to taosAdapter at %1 closed after the statement was sent and before any answer (a restarting pod closes it): the statement may have run, or not. tdkube does not send it again, so that it never runs twice.</source>
        <translation>到 %1 上 taosAdapter 的连接在语句发出之后、收到任何应答之前关闭了（重启中的 Pod 会关闭连接）：该语句可能已执行，也可能没有。tdkube 不会再次发送它，以免它执行两次。</translation>
    </message>
    <message>
        <source>Look whether it took effect (select the rows it writes, show what it creates) before running it again.</source>
        <translation>再次运行之前，请先确认它是否已生效（查询它写入的行，查看它创建的对象）。</translation>
    </message>
</context>
<context>
    <name>tdkube::taos::SnapshotPoller</name>
    <message>
        <source>There is no connection to taosAdapter.</source>
        <translation>没有到 taosAdapter 的连接。</translation>
    </message>
    <message>
        <source>TDengine's answer was incomplete: %1. The next look reads it again.</source>
        <translation>TDengine 的响应不完整：%1。下次查看时会重新读取。</translation>
    </message>
</context>
<context>
    <name>tdkube::taos::Versions</name>
    <message>
        <source>TDengine upgrades one dnode at a time only between versions whose first three numbers are the same (%1.x to %1.y); %2 to %3 changes them. Dnodes of the two versions do not understand each other (seen with 3.0.5.2 and 3.3.6.6: "read invalid packet"): the first pod restarted would stay offline, and writes would stop when the second went.</source>
        <translation>TDengine 只有在前三位版本号相同的版本之间（%1.x 到 %1.y）才能逐个 dnode 升级；%2 到 %3 改变了前三位。两个版本的 dnode 无法互相通信（在 3.0.5.2 与 3.3.6.6 之间出现过："read invalid packet"）：第一个重启的 Pod 会一直离线，而第二个 Pod 重启时写入就会停止。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ClusterDashboard</name>
    <message>
        <source>Waiting for the first snapshot…</source>
        <translation>正在等待首个快照…</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Pod</source>
        <translation>Pod</translation>
    </message>
    <message>
        <source>Vnodes</source>
        <translation>vnode 数</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Rebooted</source>
        <translation>重启时间</translation>
    </message>
    <message>
        <source>Volume claim</source>
        <translation>存储卷声明</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Role since</source>
        <translation>角色开始时间</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Replica</source>
        <translation>副本数</translation>
    </message>
    <message>
        <source>Vgroups</source>
        <translation>vgroup</translation>
    </message>
    <message>
        <source>Tables</source>
        <translation>表数</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>保留时长</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>时间精度</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>Vgroup</source>
        <translation>vgroup</translation>
    </message>
    <message>
        <source>Vnodes (dnode: role)</source>
        <translation>vnode（dnode: 角色）</translation>
    </message>
    <message>
        <source>Dnodes</source>
        <translation>dnode</translation>
    </message>
    <message>
        <source>Mnodes</source>
        <translation>mnode</translation>
    </message>
    <message>
        <source>Databases</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>Vnodes per dnode</source>
        <translation>每个 dnode 的 vnode 数</translation>
    </message>
    <message>
        <source>Vgroup leaders per dnode</source>
        <translation>每个 dnode 的 vgroup leader 数</translation>
    </message>
    <message>
        <source>This session: dnodes and vnodes</source>
        <translation>本次会话：dnode 与 vnode</translation>
    </message>
    <message>
        <source>ready dnodes</source>
        <translation>就绪 dnode</translation>
    </message>
    <message>
        <source>vnodes</source>
        <translation>vnode</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>Charts</source>
        <translation>图表</translation>
    </message>
    <message>
        <source>TDengine cluster %1</source>
        <translation>TDengine 集群 %1</translation>
    </message>
    <message>
        <source>mnodes %1/%2 ready, %3, %4</source>
        <translation>mnode %1/%2 就绪，%3，%4</translation>
    </message>
    <message>
        <source>no leader</source>
        <translation>无 leader</translation>
    </message>
    <message>
        <source>leader %1</source>
        <translation>leader %1</translation>
    </message>
    <message>
        <source>quorum</source>
        <translation>有多数派</translation>
    </message>
    <message>
        <source>no quorum</source>
        <translation>无多数派</translation>
    </message>
    <message>
        <source>%1 (replica %2)</source>
        <translation>%1（%2 副本）</translation>
    </message>
    <message>
        <source>no databases</source>
        <translation>无数据库</translation>
    </message>
    <message>
        <source>dnodes %1/%2 ready · %3 · %4 · %5 transaction(s) running · as of %6</source>
        <translation>dnode %1/%2 就绪 · %3 · %4 · %5 个事务运行中 · 截至 %6</translation>
    </message>
    <message>
        <source>The cluster's state could not be read: %1</source>
        <translation>无法读取集群状态：%1</translation>
    </message>
    <message>
        <source>leaders</source>
        <translation>leader</translation>
    </message>
    <message>
        <source>Vgroup leaders per dnode: uneven (%1 to %2); `balance vgroup leader` evens them out</source>
        <translation>各 dnode 的 vgroup leader 数不均衡（%1 到 %2）；`balance vgroup leader` 可使其均衡</translation>
    </message>
    <message>
        <source>followers</source>
        <translation>follower</translation>
    </message>
    <message>
        <source>dnode %1</source>
        <translation>dnode %1</translation>
    </message>
    <message>
        <source>databases %1 and %2 more</source>
        <translation>数据库 %1 及另外 %2 个</translation>
    </message>
    <message>
        <source>databases %1</source>
        <translation>数据库 %1</translation>
    </message>
    <message>
        <source>TDengine cluster %1 — %2 (id %3), up %4</source>
        <translation>TDengine 集群 %1 — %2（ID %3），已运行 %4</translation>
    </message>
    <message>
        <source>TDengine cluster %1 — %2 (id %3), up %4, TDengine %5</source>
        <translation>TDengine 集群 %1 — %2（ID %3），已运行 %4，TDengine %5</translation>
    </message>
    <message>
        <source>Vgroups</source>
        <comment>column: how many vgroups a database has</comment>
        <translation>vgroup 数</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ClusterOperations</name>
    <message>
        <source>Keep the last %1 finished operations in the cluster</source>
        <translation>在集群中保留最近 %1 个已结束的操作</translation>
    </message>
    <message>
        <source>When an operation ends, the finished and abandoned operations of its cluster beyond this number are deleted from the cluster, oldest first. A setting of this workstation.</source>
        <translation>每当一个操作结束时，该集群中超出此数量的已完成和已放弃的操作会从集群中删除，最早的先删除。这是本工作站的设置。</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>结束时间</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Take over…</source>
        <translation>接管…</translation>
    </message>
    <message>
        <source>Continue the selected unfinished operation on this workstation, once no other workstation holds it</source>
        <translation>在没有其他工作站持有所选的未完成操作后，在本工作站上继续执行它</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The operations recorded in the cluster cannot be shown: %1
tdkube reads them from the ConfigMaps labelled %2 in namespace %3: the user of this context needs the right to list and watch ConfigMaps there.</source>
        <translation>无法显示集群中记录的操作：%1
tdkube 从命名空间 %3 中带有标签 %2 的 ConfigMap 读取它们：此上下文的用户需要在该命名空间中列出（list）和监视（watch）ConfigMap 的权限。</translation>
    </message>
    <message>
        <source>The operations shown may be out of date: %1. tdkube keeps trying.</source>
        <translation>显示的操作可能不是最新的：%1。tdkube 会继续重试。</translation>
    </message>
    <message>
        <source>No cluster is open.</source>
        <translation>未打开任何集群。</translation>
    </message>
    <message>
        <source>Reading the operations recorded in the cluster…</source>
        <translation>正在读取集群中记录的操作…</translation>
    </message>
    <message>
        <source>No operation on %1 is recorded in the cluster yet. Scale-outs, scale-ins and repairs started from any workstation appear here while they run.</source>
        <translation>集群中尚未记录 %1 上的任何操作。从任何工作站发起的扩容、缩容和修复在运行时都会显示在这里。</translation>
    </message>
    <message>
        <source>Operations on %1 recorded in the cluster: %2. None is unfinished.</source>
        <translation>集群中记录的 %1 上的操作：%2 个。没有未完成的操作。</translation>
    </message>
    <message>
        <source>Operations on %1 recorded in the cluster: %2. Unfinished: %3, last run by %4.</source>
        <translation>集群中记录的 %1 上的操作：%2 个。未完成：%3 个，最后由 %4 运行。</translation>
    </message>
    <message>
        <source>Select an operation to see its steps.</source>
        <translation>选择一个操作以查看其步骤。</translation>
    </message>
    <message>
        <source>Steps of operation %1: %2</source>
        <translation>操作 %1 的步骤：%2</translation>
    </message>
    <message>
        <source>Reading the lease on StatefulSet %1…</source>
        <translation>正在读取 StatefulSet %1 上的租约…</translation>
    </message>
    <message>
        <source>Operation %1 is no longer recorded in the cluster; nothing was taken over.</source>
        <translation>集群中已不再记录操作 %1；未接管任何操作。</translation>
    </message>
    <message>
        <source>Could not read the lease on StatefulSet %1: %2. Nothing was changed; try again.</source>
        <translation>无法读取 StatefulSet %1 上的租约：%2。未做任何更改；请重试。</translation>
    </message>
    <message>
        <source>The lease on StatefulSet %1 has expired; reading it again…</source>
        <translation>StatefulSet %1 上的租约已过期；正在重新读取…</translation>
    </message>
    <message>
        <source>Operation %1 is held by %2 until %3; it may still be running there. tdkube takes it over when the lease expires, in %4 s, unless it is renewed.</source>
        <translation>操作 %1 由 %2 持有，直到 %3；它可能仍在那里运行。租约到期后（%4 秒后），除非租约被续期，tdkube 将接管它。</translation>
    </message>
    <message>
        <source>Operation %1 is %2 now: there is nothing to take over.</source>
        <translation>操作 %1 现在的状态为%2：没有可接管的内容。</translation>
    </message>
    <message>
        <source>No other workstation holds operation %1 now.</source>
        <translation>现在没有其他工作站持有操作 %1。</translation>
    </message>
    <message>
        <source>Take over the operation?</source>
        <translation>接管此操作？</translation>
    </message>
    <message>
        <source>%1

The cluster's record says it is %2 (last run by %3): %4.

Taking it over makes it this workstation's operation: tdkube continues from where the record says, and every step first checks the cluster, so what was done already is not done again.

Take it over?</source>
        <translation>%1

集群中的记录显示其状态为%2（最后由 %3 运行）：%4。

接管后，它将成为本工作站的操作：tdkube 从记录所示的位置继续执行，每个步骤都会先检查集群，因此已经完成的内容不会再做一次。

确定接管吗？</translation>
    </message>
    <message>
        <source>Not taken over; nothing was changed.</source>
        <translation>未接管；未做任何更改。</translation>
    </message>
    <message>
        <source>This workstation's journal says operation %1 is %2; the cluster's record has not caught up yet. Nothing was taken over.</source>
        <translation>本工作站的操作记录显示操作 %1 %2；集群中的记录尚未同步。未接管任何操作。</translation>
    </message>
    <message>
        <source>Operation %1 could not be taken over: %2</source>
        <translation>无法接管操作 %1：%2</translation>
    </message>
    <message>
        <source>Operation %1 was taken over: it continues in its own window.</source>
        <translation>已接管操作 %1：它将在单独的窗口中继续执行。</translation>
    </message>
    <message>
        <source>Take-over cancelled; nothing was changed.</source>
        <translation>已取消接管；未做任何更改。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ClusterView</name>
    <message>
        <source>Log in as…</source>
        <translation>登录为…</translation>
    </message>
    <message>
        <source>Scale…</source>
        <translation>扩缩容…</translation>
    </message>
    <message>
        <source>Add dnodes, or remove some safely (their data moves first); the plan is shown before anything changes</source>
        <translation>添加 dnode，或安全地移除部分 dnode（先迁移其数据）；任何更改之前都会先显示计划</translation>
    </message>
    <message>
        <source>Repair…</source>
        <translation>修复…</translation>
    </message>
    <message>
        <source>Offline dnodes whose pod is gone (a scale-in done without drop dnode): what can be done and what it costs</source>
        <translation>Pod 已不存在的离线 dnode（未执行 drop dnode 就缩容所致）：可以采取的措施及其代价</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>仪表盘</translation>
    </message>
    <message>
        <source>SQL console</source>
        <translation>SQL 控制台</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>⚠ User %1 with TDengine's default password</source>
        <translation>⚠ 用户 %1 使用的是 TDengine 默认密码</translation>
    </message>
    <message>
        <source>User %1</source>
        <translation>用户 %1</translation>
    </message>
    <message>
        <source>Log in to TDengine cluster %1</source>
        <translation>登录 TDengine 集群 %1</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>The password is kept in the system keychain, never in tdkube's settings.</source>
        <translation>密码保存在系统密钥环中，绝不会保存在 tdkube 的设置里。</translation>
    </message>
    <message>
        <source>Deployed by tdkube.</source>
        <translation>由 tdkube 部署。</translation>
    </message>
    <message>
        <source>Not deployed by tdkube (it has no app.kubernetes.io/managed-by label): read as far as it maps.</source>
        <translation>非 tdkube 部署（没有 app.kubernetes.io/managed-by 标签）：以下为能够对应上的设置。</translation>
    </message>
    <message>
        <source>Managed by %1, not by tdkube: read as far as it maps.</source>
        <translation>由 %1 管理，而非 tdkube：以下为能够对应上的设置。</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <source>required</source>
        <translation>必需</translation>
    </message>
    <message>
        <source>preferred</source>
        <translation>优先</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Dnodes (replicas)</source>
        <translation>dnode 数（副本数）</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>镜像</translation>
    </message>
    <message>
        <source>Governing Service</source>
        <translation>管理 Service</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>存储</translation>
    </message>
    <message>
        <source>the default class</source>
        <translation>默认存储类</translation>
    </message>
    <message>
        <source>Log volume</source>
        <translation>日志存储卷</translation>
    </message>
    <message>
        <source>Claims after scale-in / delete</source>
        <translation>缩容 / 删除后的存储卷声明</translation>
    </message>
    <message>
        <source>Anti-affinity</source>
        <translation>反亲和性</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <source>taosd port</source>
        <translation>taosd 端口</translation>
    </message>
    <message>
        <source>CPU request / limit</source>
        <translation>CPU 请求 / 限制</translation>
    </message>
    <message>
        <source>Memory request / limit</source>
        <translation>内存请求 / 限制</translation>
    </message>
    <message>
        <source>Startup budget</source>
        <translation>启动时限</translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n 分钟</numerusform>
        </translation>
    </message>
    <message>
        <source>Kept as they are, outside what the deploy settings describe:</source>
        <translation>以下内容保持原样，不在部署设置的描述范围内：</translation>
    </message>
    <message>
        <source>Operations</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Operations (%1 unfinished)</source>
        <translation>操作（%1 个未完成）</translation>
    </message>
    <message>
        <source>Operations on this cluster that did not finish: they can be taken over from here</source>
        <translation>此集群上未完成的操作：可以在这里接管它们</translation>
    </message>
    <message>
        <source>Configure…</source>
        <translation>修改配置…</translation>
    </message>
    <message>
        <source>Change taos.cfg entries: those TDengine applies at run time at once, the others by restarting the pods one at a time; the plan is shown before anything changes</source>
        <translation>修改 taos.cfg 配置项：TDengine 可在运行时应用的立即生效，其余的通过逐个重启 Pod 生效；任何更改之前都会先显示计划</translation>
    </message>
    <message>
        <source>Upgrade…</source>
        <translation>升级…</translation>
    </message>
    <message>
        <source>Change TDengine's image (its version): the pods restart one at a time, each dnode checked to run the new version; a downgrade or a jump TDengine cannot roll is refused</source>
        <translation>更换 TDengine 的镜像（即其版本）：Pod 逐个重启，并检查每个 dnode 都运行新版本；降级或 TDengine 无法滚动完成的版本跨越会被拒绝</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ConfigurePlanPage</name>
    <message>
        <source>Plan</source>
        <translation>计划</translation>
    </message>
    <message>
        <source>What tdkube found and what it will do, in order. Nothing has been changed yet.</source>
        <translation>tdkube 的检查结果，以及它将依次执行的操作。尚未做任何更改。</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the cluster again and plan anew</source>
        <translation>重新读取集群并重新计划</translation>
    </message>
    <message>
        <source>I have read the plan</source>
        <translation>我已阅读此计划</translation>
    </message>
    <message>
        <source>No pod restarts: TDengine applies these entries at once on every dnode (`alter all dnodes`), and the ConfigMap keeps them for the next start.</source>
        <translation>不会重启任何 Pod：TDengine 会在每个 dnode 上立即应用这些配置项（`alter all dnodes`），ConfigMap 会保存它们供下次启动使用。</translation>
    </message>
    <message>
        <source>The pods restart one at a time, never two at once, in this order: %1. Before the next pod, tdkube waits until the restarted pod is Ready on the new configuration, its dnode is ready again, every vgroup's replicas are leader or follower, and the mnodes have their quorum. A pod not restarted yet keeps the old values until its turn.</source>
        <translation>Pod 逐个重启，绝不会同时重启两个，顺序为：%1。在重启下一个 Pod 之前，tdkube 会等到刚重启的 Pod 以新配置就绪、其 dnode 重新就绪、每个 vgroup 的副本都是 leader 或 follower，且 mnode 达到多数派。尚未重启的 Pod 在轮到它之前保持原值。</translation>
    </message>
    <message>
        <source>Reading the cluster…</source>
        <translation>正在读取集群…</translation>
    </message>
    <message>
        <source>The cluster could not be read: %1 Press Refresh to try again.</source>
        <translation>无法读取集群：%1 请按“刷新”重试。</translation>
    </message>
    <message>
        <source>tdkube will not run this: the findings in red say why and what to do.</source>
        <translation>tdkube 不会执行此计划：红色的检查项说明了原因和处理方法。</translation>
    </message>
    <message>
        <source>Nothing to do: the cluster has these values already.</source>
        <translation>无需操作：集群已经是这些值。</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>检查项</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>The pods restart one at a time, never two at once, in this order: %1. Before the next pod, tdkube waits until the restarted pod is Ready on the new image, its dnode is ready again and runs the new version, every vgroup's replicas are leader or follower, and the mnodes have their quorum. A pod not restarted yet keeps the old version until its turn.</source>
        <translation>Pod 逐个重启，绝不会同时重启两个，顺序为：%1。在重启下一个 Pod 之前，tdkube 会等到刚重启的 Pod 以新镜像就绪、其 dnode 重新就绪并运行新版本、每个 vgroup 的副本都是 leader 或 follower，且 mnode 达到多数派。尚未重启的 Pod 在轮到它之前保持旧版本。</translation>
    </message>
    <message>
        <source>Nothing to do: the pods run this image already.</source>
        <translation>无需操作：Pod 已经在运行此镜像。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ConfigureRunPage</name>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Each step is recorded before and after it runs: if tdkube stops, it offers to resume where it stopped.</source>
        <translation>每个步骤在执行前后都会被记录：如果 tdkube 中途停止，它会提示从停止处继续执行。</translation>
    </message>
    <message>
        <source>Cancel stops after the pod restarting now, never in the middle of one. The pods not restarted yet stay on the old configuration, and the cluster stays consistent: the StatefulSet holds them there with its partition. Resume continues with the next pod.</source>
        <translation>取消会在当前正在重启的 Pod 完成后停止，绝不会在重启中途停止。尚未重启的 Pod 保持旧配置，集群保持一致：StatefulSet 通过其 partition 让它们停留在旧配置上。继续执行时将从下一个 Pod 接着进行。</translation>
    </message>
    <message>
        <source>Cancel stops between two steps; nothing is undone, and Resume continues from there.</source>
        <translation>取消会在两个步骤之间停止；不会撤销任何内容，继续执行时将从该处接着进行。</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Every pod was restarted on the new configuration, one at a time, and the cluster was verified. The log below says what was done.</source>
        <translation>所有 Pod 均已逐个以新配置重启，集群已通过验证。下方日志记录了所做的操作。</translation>
    </message>
    <message>
        <source>TDengine applied the new values on every dnode, the ConfigMap keeps them for the next start, and the cluster was verified. The log below says what was done.</source>
        <translation>TDengine 已在每个 dnode 上应用新值，ConfigMap 会保存它们供下次启动使用，集群已通过验证。下方日志记录了所做的操作。</translation>
    </message>
    <message>
        <source>Stopped, as asked, after the last step marked done. The pods not restarted yet still run the old configuration, held there by the StatefulSet's partition: the cluster is consistent. To restart them too, resume the operation where the main window lists unfinished operations.</source>
        <translation>已按要求在最后一个标记为完成的步骤之后停止。尚未重启的 Pod 仍以旧配置运行，由 StatefulSet 的 partition 保持在旧配置上：集群处于一致状态。如要同样重启它们，请在主窗口列出未完成操作的地方继续执行此操作。</translation>
    </message>
    <message>
        <source>The operation stopped, as asked, after the last step marked done; nothing after it ran. Resume it, or abandon it, where the main window lists unfinished operations.</source>
        <translation>操作已按要求在最后一个标记为完成的步骤之后停止；其后的步骤均未执行。请在主窗口列出未完成操作的地方继续执行或放弃它。</translation>
    </message>
    <message>
        <source>The operation stopped at the step marked below; the log says why. Nothing after it ran: the pods not restarted yet keep the old configuration. Fix the cause, then press Resume where the main window lists unfinished operations.</source>
        <translation>操作停在了下方标记的步骤上；原因见日志。其后的步骤均未执行：尚未重启的 Pod 保持旧配置。请排除原因，然后在主窗口列出未完成操作的地方按“继续执行”。</translation>
    </message>
    <message>
        <source>Cancel stops after the pod restarting now, never in the middle of one. The pods not restarted yet stay on the old image, and the cluster stays consistent: the StatefulSet holds them there with its partition. Resume continues with the next pod.</source>
        <translation>取消会在当前正在重启的 Pod 完成后停止，绝不会在重启中途停止。尚未重启的 Pod 保持旧镜像，集群保持一致：StatefulSet 通过其 partition 让它们停留在旧镜像上。继续执行时将从下一个 Pod 接着进行。</translation>
    </message>
    <message>
        <source>Every pod was restarted on the new image, one at a time, each dnode runs the new version, and the cluster was verified. The log below says what was done.</source>
        <translation>所有 Pod 均已逐个以新镜像重启，每个 dnode 都运行新版本，集群已通过验证。下方日志记录了所做的操作。</translation>
    </message>
    <message>
        <source>Stopped, as asked, after the last step marked done. The pods not restarted yet still run the old image, held there by the StatefulSet's partition: the cluster is consistent. To upgrade them too, resume the operation where the main window lists unfinished operations.</source>
        <translation>已按要求在最后一个标记为完成的步骤之后停止。尚未重启的 Pod 仍运行旧镜像，由 StatefulSet 的 partition 保持在旧镜像上：集群处于一致状态。如要同样升级它们，请在主窗口列出未完成操作的地方继续执行此操作。</translation>
    </message>
    <message>
        <source>The operation stopped at the step marked below; the log says why. Nothing after it ran: the pods not restarted yet keep the old image. Fix the cause, then press Resume where the main window lists unfinished operations.</source>
        <translation>操作停在了下方标记的步骤上；原因见日志。其后的步骤均未执行：尚未重启的 Pod 保持旧镜像。请排除原因，然后在主窗口列出未完成操作的地方按“继续执行”。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ConfigureSettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>配置项</translation>
    </message>
    <message>
        <source>The taos.cfg entries the pods read from their ConfigMap. Type a new value where you want a change. Nothing changes before you have read the plan and pressed Start.</source>
        <translation>Pod 从其 ConfigMap 读取的 taos.cfg 配置项。请在需要修改的地方输入新值。在您阅读计划并按下“开始”之前，不会做任何更改。</translation>
    </message>
    <message>
        <source>Reading the cluster…</source>
        <translation>正在读取集群…</translation>
    </message>
    <message>
        <source>Setting</source>
        <translation>配置项</translation>
    </message>
    <message>
        <source>Current value</source>
        <translation>当前值</translation>
    </message>
    <message>
        <source>New value</source>
        <translation>新值</translation>
    </message>
    <message>
        <source>Takes effect</source>
        <translation>生效方式</translation>
    </message>
    <message>
        <source>Add a setting the ConfigMap does not have:</source>
        <translation>添加 ConfigMap 中没有的配置项：</translation>
    </message>
    <message>
        <source>taos.cfg name, e.g. %1</source>
        <translation>taos.cfg 参数名，例如 %1</translation>
    </message>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Added: not in the ConfigMap yet (as %1)</source>
        <translation>新添加：ConfigMap 中尚无此项（将作为 %1）</translation>
    </message>
    <message>
        <source>%1 in the ConfigMap</source>
        <translation>ConfigMap 中的 %1</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <source>Type the new value; leave it empty to keep the current one</source>
        <translation>输入新值；留空则保持当前值</translation>
    </message>
    <message>
        <source>The cluster could not be read: %1</source>
        <translation>无法读取集群：%1</translation>
    </message>
    <message>
        <source>Fix: %1</source>
        <translation>解决办法：%1</translation>
    </message>
    <message>
        <source>tdkube cannot change the configuration of %1:</source>
        <translation>tdkube 无法修改 %1 的配置：</translation>
    </message>
    <message>
        <source>ConfigMap %1 gives the pods of %2 these taos.cfg entries (its TAOS_* variables, through envFrom). An empty new value keeps the current one; an entry cannot be removed here.</source>
        <translation>ConfigMap %1 通过 envFrom 为 %2 的 Pod 提供以下 taos.cfg 配置项（即其中的 TAOS_* 变量）。新值留空则保持当前值；此处不能删除配置项。</translation>
    </message>
    <message>
        <source>at once, without a restart</source>
        <translation>立即生效，无需重启</translation>
    </message>
    <message>
        <source>restarts every pod, one at a time</source>
        <translation>逐个重启所有 Pod</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>未变更</translation>
    </message>
    <message>
        <source>refused: %1</source>
        <translation>被拒绝：%1</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ConfigureWizard</name>
    <message>
        <source>Blocking</source>
        <translation>阻止</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Applied at once</source>
        <translation>立即生效</translation>
    </message>
    <message>
        <source>Needs a restart</source>
        <translation>需要重启</translation>
    </message>
    <message>
        <source>Unchanged</source>
        <translation>未变更</translation>
    </message>
    <message>
        <source>Fix:</source>
        <translation>解决办法：</translation>
    </message>
    <message>
        <source>Configure TDengine cluster %1</source>
        <translation>修改 TDengine 集群 %1 的配置</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Stop the configuration change?</source>
        <translation>停止修改配置？</translation>
    </message>
    <message>
        <source>The change is still running. Closing stops it where it is: a pod restarting now comes back on the new configuration, the pods not restarted yet stay on the old one. Nothing is undone, and tdkube offers to resume it when you open this context again.

Close anyway?</source>
        <translation>配置修改仍在运行。关闭会使其停在当前位置：正在重启的 Pod 会以新配置恢复，尚未重启的 Pod 保持旧配置。不会撤销任何内容，再次打开此上下文时，tdkube 会提示继续执行它。

仍要关闭吗？</translation>
    </message>
    <message>
        <source>Upgrade TDengine cluster %1</source>
        <translation>升级 TDengine 集群 %1</translation>
    </message>
    <message>
        <source>Stop the upgrade?</source>
        <translation>停止升级？</translation>
    </message>
    <message>
        <source>The upgrade is still running. Closing stops it where it is: a pod restarting now comes back on the new image, the pods not restarted yet stay on the old one. Nothing is undone, and tdkube offers to resume it when you open this context again.

Close anyway?</source>
        <translation>升级仍在运行。关闭会使其停在当前位置：正在重启的 Pod 会以新镜像恢复，尚未重启的 Pod 保持旧镜像。不会撤销任何内容，再次打开此上下文时，tdkube 会提示继续执行它。

仍要关闭吗？</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ConnectionBar</name>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source> Context </source>
        <translation> 上下文 </translation>
    </message>
    <message>
        <source>  Namespace </source>
        <translation>  命名空间 </translation>
    </message>
    <message>
        <source> ⚠ TLS NOT VERIFIED </source>
        <translation> ⚠ TLS 未验证 </translation>
    </message>
    <message>
        <source>The kubeconfig sets insecure-skip-tls-verify for this cluster: tdkube cannot tell whether it talks to the real API server.</source>
        <translation>kubeconfig 为此集群设置了 insecure-skip-tls-verify：tdkube 无法确认它连接的是否为真正的 API 服务器。</translation>
    </message>
    <message>
        <source>Deploy cluster…</source>
        <translation>部署集群…</translation>
    </message>
    <message>
        <source>Deploy a new TDengine cluster in this context, with a review of every object before anything is applied</source>
        <translation>在此上下文中部署一个新的 TDengine 集群，应用之前会逐一审阅每个对象</translation>
    </message>
    <message>
        <source>About</source>
        <translation>关于</translation>
    </message>
    <message>
        <source>All namespaces</source>
        <translation>所有命名空间</translation>
    </message>
    <message numerus="yes">
        <source>%n kubeconfig problem(s)</source>
        <translation>
            <numerusform>%n 个 kubeconfig 问题</numerusform>
        </translation>
    </message>
    <message>
        <source>The namespace to show</source>
        <translation>要显示的命名空间</translation>
    </message>
    <message>
        <source>The namespaces could not be listed: %1
Type the namespace you want and press Enter.</source>
        <translation>无法列出命名空间：%1
请输入所需的命名空间并按回车键。</translation>
    </message>
    <message>
        <source>Problems in the kubeconfig</source>
        <translation>kubeconfig 中的问题</translation>
    </message>
    <message>
        <source>These entries could not be read; the other contexts still work.

%1</source>
        <translation>以下条目无法读取；其他上下文仍可使用。

%1</translation>
    </message>
    <message>
        <source>About tdkube</source>
        <translation>关于 tdkube</translation>
    </message>
    <message>
        <source>&lt;h3&gt;tdkube %1&lt;/h3&gt;&lt;p&gt;Deploy, observe, query and safely resize TDengine clusters on Kubernetes.&lt;/p&gt;&lt;p&gt;Built with Qt %2; running on Qt %3.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;tdkube %1&lt;/h3&gt;&lt;p&gt;在 Kubernetes 上部署、观测、查询并安全地扩缩容 TDengine 集群。&lt;/p&gt;&lt;p&gt;构建于 Qt %2；运行于 Qt %3。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::DeleteClusterDialog</name>
    <message>
        <source>Delete TDengine cluster %1</source>
        <translation>删除 TDengine 集群 %1</translation>
    </message>
    <message>
        <source>Deleting &lt;b&gt;%1&lt;/b&gt; in namespace &lt;b&gt;%2&lt;/b&gt; removes these objects. Its pods stop; clients lose the cluster.</source>
        <translation>删除命名空间 &lt;b&gt;%2&lt;/b&gt; 中的 &lt;b&gt;%1&lt;/b&gt; 会移除以下对象。其 Pod 将停止；客户端将无法再访问该集群。</translation>
    </message>
    <message>
        <source>Object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>What happens</source>
        <translation>影响</translation>
    </message>
    <message>
        <source>Also delete the volume claims: the TDengine data</source>
        <translation>同时删除存储卷声明：即 TDengine 的数据</translation>
    </message>
    <message>
        <source>The data cannot be brought back. Type the cluster's name, &lt;b&gt;%1&lt;/b&gt;, to delete its claims:</source>
        <translation>数据无法恢复。请输入集群名称 &lt;b&gt;%1&lt;/b&gt; 以删除其存储卷声明：</translation>
    </message>
    <message>
        <source>Reading the cluster's objects…</source>
        <translation>正在读取集群的对象…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>The cluster's objects could not be read: %1</source>
        <translation>无法读取集群的对象：%1</translation>
    </message>
    <message>
        <source>Kept, with its data (not selected)</source>
        <translation>保留，连同其数据（未勾选）</translation>
    </message>
    <message numerus="yes">
        <source>Also delete the %n volume claim(s): the TDengine data</source>
        <translation>
            <numerusform>同时删除 %n 个存储卷声明：即 TDengine 的数据</numerusform>
        </translation>
    </message>
    <message>
        <source>Cluster %1 is deleted.</source>
        <translation>集群 %1 已删除。</translation>
    </message>
    <message>
        <source>Step %1 of %2: %3</source>
        <extracomment>%1: the step's number, %2: how many steps, %3: its title ("delete StatefulSet tdengine")</extracomment>
        <translation>第 %1 步，共 %2 步：%3</translation>
    </message>
    <message>
        <source>Other workstations will not see this deletion: %1</source>
        <translation>其他工作站将看不到此次删除：%1</translation>
    </message>
    <message>
        <source>Deletion stopped: %1 Once the cause is fixed, resume it: tdkube offers it when it connects, and `tdkube resume` runs it.</source>
        <translation>删除已停止：%1 排除原因后请恢复它：tdkube 连接时会提示恢复，`tdkube resume` 也可以运行它。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::DeployProgressPage</name>
    <message>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Deploying</source>
        <translation>正在部署</translation>
    </message>
    <message>
        <source>Each step is checked against the cluster before the next one starts.</source>
        <translation>每个步骤完成后都会对照集群进行检查，然后才开始下一步。</translation>
    </message>
    <message>
        <source>Apply again, taking over the conflicting fields</source>
        <translation>重新应用，并接管冲突的字段</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Pod</source>
        <translation>Pod</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Create namespace %1</source>
        <translation>创建命名空间 %1</translation>
    </message>
    <message>
        <source>Apply %1 %2</source>
        <translation>应用 %1 %2</translation>
    </message>
    <message>
        <source>Pods Ready</source>
        <translation>Pod 就绪</translation>
    </message>
    <message>
        <source>Dnodes ready</source>
        <translation>dnode 就绪</translation>
    </message>
    <message>
        <source>Mnodes on dnodes 2 and 3</source>
        <translation>dnode 2 和 3 上的 mnode</translation>
    </message>
    <message>
        <source>Verify dnodes and mnodes</source>
        <translation>验证 dnode 和 mnode</translation>
    </message>
    <message>
        <source>Applying to %1 in context %2…</source>
        <translation>正在应用到上下文 %2 中的 %1…</translation>
    </message>
    <message>
        <source>Creating namespace %1</source>
        <translation>正在创建命名空间 %1</translation>
    </message>
    <message>
        <source>Namespace %1 was not created: %2</source>
        <translation>未能创建命名空间 %1：%2</translation>
    </message>
    <message>
        <source>Namespace %1 created</source>
        <translation>已创建命名空间 %1</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>未变更</translation>
    </message>
    <message>
        <source>changed</source>
        <translation>已变更</translation>
    </message>
    <message>
        <source>created</source>
        <translation>已创建</translation>
    </message>
    <message>
        <source>Applied %1 %2</source>
        <translation>已应用 %1 %2</translation>
    </message>
    <message>
        <source>%1 is owned by %2</source>
        <translation>%1 归 %2 所有</translation>
    </message>
    <message>
        <source>%1 %2 was not applied: %3</source>
        <translation>%1 %2 未应用：%3</translation>
    </message>
    <message>
        <source>Another field manager owns fields tdkube wants to set (see the steps). Take them over only if the values tdkube applies are the ones you want.</source>
        <translation>另一个字段管理器拥有 tdkube 要设置的字段（见各步骤）。只有当 tdkube 应用的值正是你想要的值时，才接管这些字段。</translation>
    </message>
    <message>
        <source>Apply stopped: %1. The objects before it were applied; fix the problem and deploy again (applying is idempotent).</source>
        <translation>应用已停止：%1。它之前的对象已应用；请修复问题后重新部署（应用是幂等的）。</translation>
    </message>
    <message>
        <source>Applied. There is no StatefulSet among the objects, so there is nothing to follow.</source>
        <translation>已应用。对象中没有 StatefulSet，因此没有需要跟踪的内容。</translation>
    </message>
    <message>
        <source>dnode %1 joined: %2 (pod %3)</source>
        <translation>dnode %1 已加入：%2（Pod %3）</translation>
    </message>
    <message numerus="yes">
        <source>all %n pod(s) Ready</source>
        <translation>
            <numerusform>全部 %n 个 Pod 已就绪</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n dnode(s) joined</source>
        <translation>
            <numerusform>%n 个 dnode 已加入</numerusform>
        </translation>
    </message>
    <message>
        <source>mnodes created on dnodes 2 and 3</source>
        <translation>已在 dnode 2 和 3 上创建 mnode</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>✔ %1</source>
        <translation>✔ %1</translation>
    </message>
    <message>
        <source>✘ %1</source>
        <translation>✘ %1</translation>
    </message>
    <message>
        <source>%1 (%2): %3 %4</source>
        <translation>%1（%2）：%3 %4</translation>
    </message>
    <message>
        <source>Waiting for %1</source>
        <translation>正在等待%1</translation>
    </message>
    <message>
        <source>%1 This deploy (operation %2) was abandoned: no resume can finish it.</source>
        <translation>%1 此次部署（操作 %2）已放弃：续做也无法完成它。</translation>
    </message>
    <message>
        <source>Could not abandon operation %1: %2</source>
        <translation>无法放弃操作 %1：%2</translation>
    </message>
    <message>
        <source>Operation %1: %2. If it stops half-way, the cluster's page offers to resume it.</source>
        <translation>操作 %1：%2。如果中途停止，集群页面会提供续做。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::DeployReviewPage</name>
    <message>
        <source>%1 (owned by %2)</source>
        <translation>%1（归 %2 所有）</translation>
    </message>
    <message>
        <source>Conflict: %1</source>
        <translation>冲突：%1</translation>
    </message>
    <message>
        <source>New: will be created</source>
        <translation>新对象：将被创建</translation>
    </message>
    <message>
        <source>Exists, unchanged</source>
        <translation>已存在，无变更</translation>
    </message>
    <message>
        <source>Exists: will be changed (see the diff)</source>
        <translation>已存在：将被修改（见差异）</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>审阅</translation>
    </message>
    <message>
        <source>Nothing has changed in the cluster yet. These objects are what Apply sends (server-side apply, field manager tdkube); edit them here if you need to.</source>
        <translation>集群中尚未做任何更改。以下对象就是“应用”将发送的内容（服务器端应用，字段管理器 tdkube）；如有需要，可在此编辑。</translation>
    </message>
    <message>
        <source>Object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Server dry-run</source>
        <translation>服务器端试运行</translation>
    </message>
    <message>
        <source>Take over conflicting fields (force)</source>
        <translation>接管冲突的字段（强制）</translation>
    </message>
    <message>
        <source>Dry-run again</source>
        <translation>重新试运行</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Save the objects as YAML files that kubectl apply -f accepts</source>
        <translation>将对象保存为 kubectl apply -f 可接受的 YAML 文件</translation>
    </message>
    <message>
        <source>YAML</source>
        <translation>YAML</translation>
    </message>
    <message>
        <source>Dry-run and diff with the live object</source>
        <translation>试运行及与现有对象的差异</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Create namespace &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>创建命名空间 &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Apply %1</source>
        <translation>应用 %1</translation>
    </message>
    <message>
        <source>Wait for pods %1-0 … %1-%2 to become Ready, one after the other</source>
        <translation>等待 Pod %1-0 … %1-%2 依次变为就绪</translation>
    </message>
    <message numerus="yes">
        <source>Wait for %n dnode(s) to be ready in TDengine</source>
        <translation>
            <numerusform>等待 %n 个 dnode 在 TDengine 中就绪</numerusform>
        </translation>
    </message>
    <message>
        <source>Verify &lt;code&gt;show mnodes&lt;/code&gt;: 1 leader, 2 followers</source>
        <translation>验证 &lt;code&gt;show mnodes&lt;/code&gt;：1 个 leader，2 个 follower</translation>
    </message>
    <message>
        <source>Verify &lt;code&gt;show mnodes&lt;/code&gt;: 1 leader</source>
        <translation>验证 &lt;code&gt;show mnodes&lt;/code&gt;：1 个 leader</translation>
    </message>
    <message>
        <source>Edited: the dry-run runs again in a moment.</source>
        <translation>已编辑：稍后将重新试运行。</translation>
    </message>
    <message>
        <source>Cannot dry-run: %1</source>
        <translation>无法试运行：%1</translation>
    </message>
    <message>
        <source>Checked after the namespace is created</source>
        <translation>将在命名空间创建后检查</translation>
    </message>
    <message>
        <source>Namespace %1 does not exist yet: the server checks these objects when they are applied, right after it is created.</source>
        <translation>命名空间 %1 尚不存在：服务器会在应用这些对象时（即命名空间刚创建之后）检查它们。</translation>
    </message>
    <message numerus="yes">
        <source>Asking the server for a dry-run of %n object(s)…</source>
        <translation>
            <numerusform>正在请求服务器对 %n 个对象进行试运行…</numerusform>
        </translation>
    </message>
    <message>
        <source>The live object is already exactly like this.</source>
        <translation>现有对象已与此完全一致。</translation>
    </message>
    <message>
        <source>No live object of this name: it will be created.</source>
        <translation>不存在同名的现有对象：将创建该对象。</translation>
    </message>
    <message>
        <source>The server accepts every object (dry-run). Apply sends them.</source>
        <translation>服务器接受所有对象（试运行）。“应用”将发送它们。</translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) need attention before Apply.</source>
        <translation>
            <numerusform>%n 个对象在应用前需要处理。</numerusform>
        </translation>
    </message>
    <message>
        <source>Export the manifests to</source>
        <translation>将清单导出到</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>The manifests were not written: %1</source>
        <translation>清单未写入：%1</translation>
    </message>
    <message>
        <source>Exported to %1: kubectl apply -f %1 creates the same objects.</source>
        <translation>已导出到 %1：kubectl apply -f %1 会创建相同的对象。</translation>
    </message>
    <message>
        <source>StatefulSet %1 runs %2 replicas: applying %3 would end pods %4 without `drop dnode`, leaving their dnodes offline in the cluster with the data they hold. Scale it in with Scale… on the cluster's page (it drops the dnodes first and checks every database's replicas), or keep replicas at %2 here.</source>
        <translation>StatefulSet %1 运行着 %2 个副本：应用 %3 会在没有 `drop dnode` 的情况下结束 Pod %4，使它们的 dnode 带着所存数据离线留在集群中。请用集群页面上的“扩缩容…”缩容（它先删除 dnode，并检查每个数据库的副本数），或在这里保持 %2 个副本。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Plan&lt;/b&gt; in %1 of context %2, run as a recorded operation (journaled here and in the cluster, resumed where it stopped if it is cut short):&lt;ol&gt;</source>
        <translation>上下文 %2 的命名空间 %1 中的&lt;b&gt;计划&lt;/b&gt;，作为有记录的操作运行（在本机和集群中记录日志，中断后从停止处恢复）：&lt;ol&gt;</translation>
    </message>
    <message>
        <source>Create the mnodes that are missing on the dnodes of pods %1-1 and %1-2</source>
        <translation>在 Pod %1-1 和 %1-2 的 dnode 上创建缺少的 mnode</translation>
    </message>
    <message>
        <source>&lt;b&gt;Plan&lt;/b&gt; for the live cluster %3 in %1 of context %2:&lt;ol&gt;</source>
        <translation>上下文 %2 的命名空间 %1 中运行中集群 %3 的&lt;b&gt;计划&lt;/b&gt;：&lt;ol&gt;</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::DeployWizard</name>
    <message>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>The TDengine cluster is a StatefulSet with its Services and ConfigMap in one namespace. Its name is also the first part of every dnode's FQDN.</source>
        <translation>TDengine 集群是一个 StatefulSet，连同它的 Service 和 ConfigMap 位于同一个命名空间中。集群名称也是每个 dnode 的 FQDN 的第一部分。</translation>
    </message>
    <message>
        <source>Context:</source>
        <translation>上下文：</translation>
    </message>
    <message>
        <source>&amp;Namespace:</source>
        <translation>命名空间(&amp;N)：</translation>
    </message>
    <message>
        <source>Cluster &amp;name:</source>
        <translation>集群名称(&amp;N)：</translation>
    </message>
    <message>
        <source>Asking the cluster about namespace “%1”…</source>
        <translation>正在向集群查询命名空间“%1”…</translation>
    </message>
    <message>
        <source>Create namespace “%1” (it does not exist yet)</source>
        <translation>创建命名空间“%1”（该命名空间尚不存在）</translation>
    </message>
    <message>
        <source>Already in %1: %2. Applying changes them; the review page shows each change first.</source>
        <translation>%1 中已存在：%2。应用将修改这些对象；审阅页面会先列出每一处更改。</translation>
    </message>
    <message>
        <source>Namespace “%1” exists and holds nothing of that name.</source>
        <translation>命名空间“%1”已存在，其中没有使用该名称的对象。</translation>
    </message>
    <message>
        <source>Namespace “%1” does not exist.</source>
        <translation>命名空间“%1”不存在。</translation>
    </message>
    <message>
        <source>Topology</source>
        <translation>拓扑</translation>
    </message>
    <message>
        <source>One dnode per pod. With 3 or more dnodes, 3 mnodes and databases with replica 3 keep the cluster writable when one dnode is lost.</source>
        <translation>每个 Pod 一个 dnode。当有 3 个或更多 dnode 时，3 个 mnode 加上 3 副本的数据库可以在丢失一个 dnode 时保持集群可写。</translation>
    </message>
    <message>
        <source>&amp;Dnodes (pods):</source>
        <translation>dnode 数（Pod）(&amp;D)：</translation>
    </message>
    <message>
        <source>Create mnodes on dnodes 2 and 3 (3 mnodes: 1 leader, 2 followers)</source>
        <translation>在 dnode 2 和 3 上创建 mnode（3 个 mnode：1 个 leader，2 个 follower）</translation>
    </message>
    <message>
        <source>Mnodes:</source>
        <translation>mnode：</translation>
    </message>
    <message>
        <source>Preferred: spread over nodes when possible</source>
        <translation>首选：尽可能分散到不同节点</translation>
    </message>
    <message>
        <source>Required: never two dnodes on one node</source>
        <translation>必需：同一节点上绝不放置两个 dnode</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>&amp;Anti-affinity:</source>
        <translation>反亲和性(&amp;A)：</translation>
    </message>
    <message>
        <source>%1 dnodes, 3 mnodes: the cluster stays available when one dnode is lost, for databases created with replica 3.</source>
        <translation>%1 个 dnode，3 个 mnode：对于以 3 副本创建的数据库，丢失一个 dnode 时集群仍然可用。</translation>
    </message>
    <message>
        <source>%1 dnodes, 1 mnode: losing the dnode of the mnode stops the whole cluster.</source>
        <translation>%1 个 dnode，1 个 mnode：一旦丢失 mnode 所在的 dnode，整个集群都将停止工作。</translation>
    </message>
    <message>
        <source>2 dnodes, 1 mnode.</source>
        <translation>2 个 dnode，1 个 mnode。</translation>
    </message>
    <message>
        <source>1 dnode: fine for trying TDengine out, not for production.</source>
        <translation>1 个 dnode：适合试用 TDengine，不适合生产环境。</translation>
    </message>
    <message>
        <source>Required anti-affinity needs at least %1 schedulable nodes; pods beyond that stay Pending.</source>
        <translation>必需的反亲和性要求至少有 %1 个可调度的节点；超出部分的 Pod 会一直处于等待调度（Pending）状态。</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>存储</translation>
    </message>
    <message>
        <source>Each dnode gets its own PersistentVolumeClaim from the StatefulSet's claim template, kept across restarts and rescheduling.</source>
        <translation>每个 dnode 都通过 StatefulSet 的存储卷声明模板获得自己的 PersistentVolumeClaim，重启和重新调度后依然保留。</translation>
    </message>
    <message>
        <source>Storage &amp;class:</source>
        <translation>存储类(&amp;C)：</translation>
    </message>
    <message>
        <source>Data volume &amp;size:</source>
        <translation>数据存储卷大小(&amp;S)：</translation>
    </message>
    <message>
        <source>Separate log volume</source>
        <translation>单独的日志存储卷</translation>
    </message>
    <message>
        <source>Logs:</source>
        <translation>日志：</translation>
    </message>
    <message>
        <source>Claims after a scale-in:</source>
        <translation>缩容后的存储卷声明：</translation>
    </message>
    <message>
        <source>Claims after deleting the StatefulSet:</source>
        <translation>删除 StatefulSet 后的存储卷声明：</translation>
    </message>
    <message>
        <source>Retain (keep the data; tdkube deletes a claim only after drop dnode)</source>
        <translation>Retain（保留数据；tdkube 只在 drop dnode 之后才删除存储卷声明）</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>(the cluster's default)</source>
        <translation>（集群的默认值）</translation>
    </message>
    <message>
        <source>Volumes of class %1 are destroyed with their data when their claim is deleted (reclaim policy Delete).</source>
        <translation>删除存储卷声明时，存储类 %1 的存储卷会连同其数据一起被销毁（回收策略 Delete）。</translation>
    </message>
    <message>
        <source>Volumes of class %1 outlive their claims (reclaim policy %2): deleting a claim leaves the volume and its data.</source>
        <translation>存储类 %1 的存储卷在其存储卷声明删除后依然存在（回收策略 %2）：删除存储卷声明后，存储卷及其数据仍会保留。</translation>
    </message>
    <message>
        <source>Volumes are bound when a pod needs them (WaitForFirstConsumer): claims stay Pending until then.</source>
        <translation>存储卷在 Pod 需要时才绑定（WaitForFirstConsumer）：在此之前，存储卷声明会一直处于 Pending 状态。</translation>
    </message>
    <message>
        <source>whenScaled: Delete removes a dnode's data as soon as its pod goes in a scale-in, even one done by hand without drop dnode.</source>
        <translation>whenScaled: Delete 会在缩容移除 dnode 的 Pod 时立即删除该 dnode 的数据，即使是未执行 drop dnode 的手动缩容也是如此。</translation>
    </message>
    <message>
        <source>Image and configuration</source>
        <translation>镜像和配置</translation>
    </message>
    <message>
        <source>Every dnode runs the same pinned TDengine version. taos.cfg entries reach taosd as TAOS_* variables from the cluster's ConfigMap.</source>
        <translation>每个 dnode 都运行同一个固定的 TDengine 版本。taos.cfg 配置项以 TAOS_* 变量的形式从集群的 ConfigMap 传给 taosd。</translation>
    </message>
    <message>
        <source>&amp;Image:</source>
        <translation>镜像(&amp;I)：</translation>
    </message>
    <message>
        <source>&amp;Tag:</source>
        <translation>标签(&amp;T)：</translation>
    </message>
    <message>
        <source>Time &amp;zone:</source>
        <translation>时区(&amp;Z)：</translation>
    </message>
    <message>
        <source>CPU request</source>
        <translation>CPU 请求</translation>
    </message>
    <message>
        <source>limit</source>
        <translation>限制</translation>
    </message>
    <message>
        <source>Memory request</source>
        <translation>内存请求</translation>
    </message>
    <message>
        <source>Resources:</source>
        <translation>资源：</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>How long a dnode may take to start (replaying its WAL, catching up its vnodes) before Kubernetes restarts it.</source>
        <translation>dnode 启动（重放其 WAL、追上其 vnode 的进度）可用的最长时间，超过后 Kubernetes 会重启它。</translation>
    </message>
    <message>
        <source>&amp;Startup budget:</source>
        <translation>启动时限(&amp;S)：</translation>
    </message>
    <message>
        <source>taos.cfg entries:</source>
        <translation>taos.cfg 配置项：</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Deploy a TDengine cluster</source>
        <translation>部署 TDengine 集群</translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation>应用(&amp;A)</translation>
    </message>
    <message>
        <source>%1 (default) — %2, reclaim %3</source>
        <translation>%1（默认）— %2，回收策略 %3</translation>
    </message>
    <message>
        <source>%1 — %2, reclaim %3</source>
        <translation>%1 — %2，回收策略 %3</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::DetailsPane</name>
    <message>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <source>YAML</source>
        <translation>YAML</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Edit this object as YAML, with a dry-run and a diff before it is applied</source>
        <translation>以 YAML 编辑此对象，应用前先试运行并显示差异</translation>
    </message>
    <message>
        <source>Select an object to see its details.</source>
        <translation>选择一个对象以查看其详情。</translation>
    </message>
    <message>
        <source>created %1</source>
        <translation>创建于 %1</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意</translation>
    </message>
    <message>
        <source>Why this pod is not running</source>
        <translation>此 Pod 为何未运行</translation>
    </message>
    <message>
        <source>%1 ago</source>
        <translation>%1 前</translation>
    </message>
    <message>
        <source>Running since %1</source>
        <translation>运行中，启动于 %1</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>Terminated: %1, exit code %2</source>
        <translation>已终止：%1，退出码 %2</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>未启动</translation>
    </message>
    <message>
        <source>Conditions</source>
        <translation>状况</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Changed</source>
        <extracomment>Column header: how long ago the condition last changed ("5m ago").</extracomment>
        <translation>变更时间</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Containers</source>
        <translation>容器</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>镜像</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Restarts</source>
        <translation>重启次数</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>No events.</source>
        <translation>没有事件。</translation>
    </message>
    <message>
        <source>When</source>
        <extracomment>Column header: how long ago the event happened.</extracomment>
        <translation>时间</translation>
    </message>
    <message>
        <source>Namespace %1 · created %2</source>
        <translation>命名空间 %1 · 创建于 %2</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ExecTerminal</name>
    <message>
        <source>The pod to run the command in (its default container)</source>
        <translation>运行命令的 Pod（使用其默认容器）</translation>
    </message>
    <message>
        <source>Command, quoted as in a shell</source>
        <translation>命令，按 shell 的方式加引号</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Enter a command to run, e.g. taos -s "show dnodes".</source>
        <translation>输入要运行的命令，例如 taos -s "show dnodes"。</translation>
    </message>
    <message>
        <source>running in pod %1…</source>
        <translation>正在 Pod %1 中运行…</translation>
    </message>
    <message>
        <source>connecting to pod %1…</source>
        <translation>正在连接 Pod %1…</translation>
    </message>
    <message>
        <source>exit status %1</source>
        <translation>退出状态 %1</translation>
    </message>
    <message>
        <source>The command has an unterminated ' quote.</source>
        <translation>命令中有未闭合的 ' 引号。</translation>
    </message>
    <message>
        <source>The command has an unterminated " quote.</source>
        <translation>命令中有未闭合的 " 引号。</translation>
    </message>
    <message>
        <source>The command ends with a backslash; remove it or escape it as \\.</source>
        <translation>命令以反斜杠结尾；请删除它，或将其转义为 \\。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::FindBar</name>
    <message>
        <source>Match case</source>
        <translation>区分大小写</translation>
    </message>
    <message>
        <source>Whole words</source>
        <translation>全词匹配</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>Replace with</source>
        <translation>替换为</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>上一个</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <source>Replace All</source>
        <translation>全部替换</translation>
    </message>
    <message>
        <source>No matches</source>
        <translation>无匹配</translation>
    </message>
    <message numerus="yes">
        <source>%n replaced</source>
        <translation>
            <numerusform>已替换 %n 处</numerusform>
        </translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭（Esc）</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::LanguageButton</name>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>The language of tdkube (also --lang)</source>
        <translation>tdkube 的界面语言（也可用 --lang 指定）</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>tdkube will speak %1 from its next start. Restart tdkube now?</source>
        <translation>tdkube 将从下次启动起使用 %1。现在重启 tdkube 吗？</translation>
    </message>
    <message>
        <source>Restart now</source>
        <translation>立即重启</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>稍后</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::LogView</name>
    <message>
        <source>Container</source>
        <translation>容器</translation>
    </message>
    <message>
        <source>Follow</source>
        <translation>跟踪</translation>
    </message>
    <message>
        <source>Last </source>
        <translation>最后 </translation>
    </message>
    <message>
        <source> lines</source>
        <translation> 行</translation>
    </message>
    <message>
        <source>All lines</source>
        <translation>全部行</translation>
    </message>
    <message>
        <source>Timestamps</source>
        <translation>时间戳</translation>
    </message>
    <message>
        <source>Previous run</source>
        <translation>上次运行</translation>
    </message>
    <message>
        <source>The logs of the container's previous run (after a crash)</source>
        <translation>容器上次运行的日志（崩溃后查看）</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>Save logs</source>
        <translation>保存日志</translation>
    </message>
    <message>
        <source>Select a pod to see its logs.</source>
        <translation>选择一个 Pod 以查看其日志。</translation>
    </message>
    <message>
        <source>Loading logs of %1…</source>
        <translation>正在加载 %1 的日志…</translation>
    </message>
    <message>
        <source>Following the logs of %1.</source>
        <translation>正在跟踪 %1 的日志。</translation>
    </message>
    <message>
        <source>Logs of %1.</source>
        <translation>%1 的日志。</translation>
    </message>
    <message numerus="yes">
        <source>The log stream ended (%n line(s)).</source>
        <translation>
            <numerusform>日志流已结束（%n 行）。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n match(es) for "%1".</source>
        <translation>
            <numerusform>“%1”共有 %n 处匹配。</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not save the logs to %1: %2. Choose another place.</source>
        <translation>无法将日志保存到 %1：%2。请另选位置。</translation>
    </message>
    <message>
        <source>Could not save the logs to %1: %2.</source>
        <translation>无法将日志保存到 %1：%2。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::MainWindow</name>
    <message>
        <source>Pods</source>
        <translation>Pod</translation>
    </message>
    <message>
        <source>Persistent volume claims</source>
        <translation>存储卷声明</translation>
    </message>
    <message>
        <source>StatefulSets</source>
        <translation>StatefulSet</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>RECLAIM POLICY</source>
        <translation>回收策略</translation>
    </message>
    <message>
        <source>The bound volume's persistentVolumeReclaimPolicy</source>
        <translation>所绑定持久卷的 persistentVolumeReclaimPolicy</translation>
    </message>
    <message>
        <source>Delete pod (its StatefulSet starts it again)…</source>
        <translation>删除 Pod（其 StatefulSet 会重新启动它）…</translation>
    </message>
    <message>
        <source>No context</source>
        <translation>无上下文</translation>
    </message>
    <message>
        <source>There is no kubeconfig: tdkube looked for %1.</source>
        <translation>没有 kubeconfig：tdkube 查找了 %1。</translation>
    </message>
    <message>
        <source>The kubeconfig (%1) defines no context.</source>
        <translation>kubeconfig（%1）未定义任何上下文。</translation>
    </message>
    <message>
        <source>The kubeconfig (%1) could not be used: see its problems above.</source>
        <translation>无法使用 kubeconfig（%1）：请查看上方列出的问题。</translation>
    </message>
    <message>
        <source>No context. %1 Start tdkube with --kubeconfig FILE, or set KUBECONFIG.</source>
        <translation>没有上下文。%1 请用 --kubeconfig FILE 启动 tdkube，或设置 KUBECONFIG。</translation>
    </message>
    <message>
        <source>The namespaces could not be listed (%1). Type one in the Namespace box.</source>
        <translation>无法列出命名空间（%1）。请在“命名空间”框中输入一个。</translation>
    </message>
    <message>
        <source>all namespaces</source>
        <translation>所有命名空间</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>● Context %1 is unreachable: %2</source>
        <translation>● 上下文 %1 无法访问：%2</translation>
    </message>
    <message>
        <source>● Context %1 cannot be used: %2</source>
        <translation>● 上下文 %1 无法使用：%2</translation>
    </message>
    <message>
        <source>The TDengine clusters of other namespaces cannot be listed: %1
Only namespace %2 is shown; type another namespace in the Namespace box to look there.</source>
        <translation>无法列出其他命名空间中的 TDengine 集群：%1
仅显示命名空间 %2；如需查看其他命名空间，请在“命名空间”框中输入。</translation>
    </message>
    <message>
        <source>TDengine cluster %1 — %2</source>
        <translation>TDengine 集群 %1 — %2</translation>
    </message>
    <message>
        <source>Delete pod %1?</source>
        <translation>删除 Pod %1？</translation>
    </message>
    <message>
        <source>Pod %1 in namespace %2 will be stopped (its containers get their grace period) and its controller will start it again. Its volumes are kept.</source>
        <translation>命名空间 %2 中的 Pod %1 将被停止（其容器享有优雅终止期限），随后由其控制器重新启动。其存储卷会保留。</translation>
    </message>
    <message>
        <source>Could not delete pod %1. %2</source>
        <translation>无法删除 Pod %1。%2</translation>
    </message>
    <message>
        <source>Pod %1 is being deleted.</source>
        <translation>正在删除 Pod %1。</translation>
    </message>
    <message>
        <source>Open a context first: the deploy wizard needs a cluster to deploy to.</source>
        <translation>请先打开一个上下文：部署向导需要一个部署目标集群。</translation>
    </message>
    <message>
        <source>Click to dismiss</source>
        <translation>点击关闭</translation>
    </message>
    <message>
        <source>tdkube — %1 / %2</source>
        <translation>tdkube — %1 / %2</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::Navigator</name>
    <message>
        <source>TDengine clusters</source>
        <translation>TDengine 集群</translation>
    </message>
    <message>
        <source>Kubernetes</source>
        <translation>Kubernetes</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>Port-forwards</source>
        <translation>端口转发</translation>
    </message>
    <message>
        <source>none in namespace %1</source>
        <translation>命名空间 %1 中没有</translation>
    </message>
    <message>
        <source>Namespace %1 has no TDengine cluster. Pick one of another namespace below, choose another namespace above, or deploy one with "Deploy cluster…".</source>
        <translation>命名空间 %1 中没有 TDengine 集群。请在下方选择其他命名空间中的集群，或在上方选择其他命名空间，或通过“部署集群…”部署一个。</translation>
    </message>
    <message>
        <source>Other namespaces not listed</source>
        <translation>未列出其他命名空间</translation>
    </message>
    <message>
        <source>TDengine clusters (none here)</source>
        <translation>TDengine 集群（此处没有）</translation>
    </message>
    <message>
        <source>%1 (%2/%3 ready)</source>
        <translation>%1（%2/%3 就绪）</translation>
    </message>
    <message>
        <source>in namespace %1</source>
        <translation>位于命名空间 %1</translation>
    </message>
    <message>
        <source>TDengine cluster %1 in namespace %2: opens its dashboard there</source>
        <translation>命名空间 %2 中的 TDengine 集群 %1：在该命名空间中打开其仪表盘</translation>
    </message>
    <message>
        <source>Pods</source>
        <translation>Pod</translation>
    </message>
    <message>
        <source>Volume claims</source>
        <translation>存储卷声明</translation>
    </message>
    <message>
        <source>Delete cluster %1…</source>
        <translation>删除集群 %1…</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ObjectEditorDialog</name>
    <message>
        <source>Edit %1 %2</source>
        <translation>编辑 %1 %2</translation>
    </message>
    <message>
        <source>Run a dry-run to see what the server would change.</source>
        <translation>执行试运行，查看服务器将做出的更改。</translation>
    </message>
    <message>
        <source>YAML</source>
        <translation>YAML</translation>
    </message>
    <message>
        <source>Dry-run diff</source>
        <translation>试运行差异</translation>
    </message>
    <message>
        <source>Edit, then Dry-run to see the change; Apply sends it.</source>
        <translation>编辑后点击“试运行”查看更改；点击“应用”提交更改。</translation>
    </message>
    <message>
        <source>Dry-run</source>
        <translation>试运行</translation>
    </message>
    <message>
        <source>Apply, taking over conflicting fields</source>
        <translation>应用并接管冲突字段</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>The YAML does not parse: %1</source>
        <translation>YAML 无法解析：%1</translation>
    </message>
    <message numerus="yes">
        <source>Edit one object here (found %n documents).</source>
        <translation>
            <numerusform>此处只能编辑一个对象（发现 %n 个文档）。</numerusform>
        </translation>
    </message>
    <message>
        <source>kind and metadata.name must stay %1 %2: this editor changes that object only.</source>
        <translation>kind 和 metadata.name 必须保持为 %1 %2：此编辑器只修改该对象。</translation>
    </message>
    <message>
        <source>Asking the server for a dry-run…</source>
        <translation>正在请求服务器试运行…</translation>
    </message>
    <message>
        <source>The server would change nothing.</source>
        <translation>服务器不会做任何更改。</translation>
    </message>
    <message>
        <source>Dry-run: nothing would change.</source>
        <translation>试运行：不会有任何更改。</translation>
    </message>
    <message>
        <source>Dry-run: the server accepts the change shown in the diff.</source>
        <translation>试运行：服务器接受差异中所示的更改。</translation>
    </message>
    <message>
        <source>%1 (owned by %2)</source>
        <translation>%1（归 %2 所有）</translation>
    </message>
    <message>
        <source>Conflict: %1. Another tool manages these fields; take them over only if your values should win.</source>
        <translation>冲突：%1。这些字段由另一个工具管理；仅当应以你的值为准时才接管它们。</translation>
    </message>
    <message>
        <source>Dry-run refused: %1</source>
        <translation>试运行被拒绝：%1</translation>
    </message>
    <message>
        <source>Applying…</source>
        <translation>正在应用…</translation>
    </message>
    <message>
        <source>Applied.</source>
        <translation>已应用。</translation>
    </message>
    <message>
        <source>Not applied: %1</source>
        <translation>未应用：%1</translation>
    </message>
    <message>
        <source>Not applied: conflict on %1.</source>
        <translation>未应用：%1 存在冲突。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::OperationDialog</name>
    <message>
        <source>Resuming: %1</source>
        <translation>正在继续执行：%1</translation>
    </message>
    <message>
        <source>Operation %1 %2; it continues from there.</source>
        <translation>操作 %1 %2；将从该处继续执行。</translation>
    </message>
    <message>
        <source>Stop the operation?</source>
        <translation>停止操作？</translation>
    </message>
    <message>
        <source>The operation is still running. Closing stops it where it is (a step already sent to TDengine, such as drop dnode, still finishes in the cluster). Nothing is undone, and tdkube offers to resume it again.

Close anyway?</source>
        <translation>操作仍在运行。关闭会使其停在当前位置（已发送给 TDengine 的步骤，如 drop dnode，仍会在集群中完成）。不会撤销任何内容，tdkube 会再次提示继续执行它。

仍要关闭吗？</translation>
    </message>
    <message>
        <source>Nothing is left to do here.</source>
        <translation>这里已无需再做任何事。</translation>
    </message>
    <message>
        <source>Operation %1 %2, as the cluster's record says (%3 ran it further than this workstation's journal); it continues from there.</source>
        <translation>按集群中的记录，操作 %1 %2（%3 运行到了比本工作站的操作记录更靠后的位置）；将从那里继续执行。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::OperationRecordModel</name>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>abandoned</source>
        <translation>已放弃</translation>
    </message>
    <message>
        <source>at step %1 of %2: %3</source>
        <translation>正在第 %1 步（共 %2 步）：%3</translation>
    </message>
    <message>
        <source>Operation %1: %2</source>
        <translation>操作 %1：%2</translation>
    </message>
    <message>
        <source>The workstation that started the operation: its kubeconfig user and host (user@host)</source>
        <translation>发起此操作的工作站：其 kubeconfig 用户和主机（user@host）</translation>
    </message>
    <message>
        <source>The workstation that ran it last: another one than the one that started it when it was taken over</source>
        <translation>最后运行此操作的工作站：如果操作被接管过，它与发起操作的工作站不同</translation>
    </message>
    <message>
        <source>Where the operation is, as the cluster's record says</source>
        <translation>集群中的记录所示的操作进度</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Operation</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Phase</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Started by</source>
        <translation>发起者</translation>
    </message>
    <message>
        <source>Last run by</source>
        <translation>最后运行者</translation>
    </message>
    <message>
        <source>Where it is</source>
        <translation>进度</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::OperationView</name>
    <message>
        <source>pending</source>
        <translation>待执行</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Not started.</source>
        <translation>尚未开始。</translation>
    </message>
    <message>
        <source>Cancel at the next safe point</source>
        <translation>在下一个安全点取消</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Progress / result</source>
        <translation>进度 / 结果</translation>
    </message>
    <message>
        <source>%1: starting…</source>
        <translation>%1：正在开始…</translation>
    </message>
    <message>
        <source>started</source>
        <translation>已开始</translation>
    </message>
    <message>
        <source>Step %1 of %2: %3</source>
        <translation>第 %1 步（共 %2 步）：%3</translation>
    </message>
    <message>
        <source>Cancelling at the next safe point…</source>
        <translation>将在下一个安全点取消…</translation>
    </message>
    <message>
        <source>The operation stops before its next step; the journal keeps it so that it can be resumed.</source>
        <translation>操作将在下一步之前停止；操作记录会保留它，以便之后继续执行。</translation>
    </message>
    <message>
        <source>Cancel after this drop dnode (it cannot be interrupted)</source>
        <translation>在此次 drop dnode 完成后取消（它无法中断）</translation>
    </message>
    <message>
        <source>TDengine finishes `drop dnode` once it started, moving the dnode's vnodes to the others; tdkube can only stop after it.</source>
        <translation>`drop dnode` 一旦开始，TDengine 就会将其完成，把该 dnode 的 vnode 迁移到其他 dnode；tdkube 只能在它之后停止。</translation>
    </message>
    <message>
        <source>Stops between two steps; nothing is undone, and the operation can be resumed later.</source>
        <translation>在两个步骤之间停止；不会撤销任何内容，之后可以继续执行该操作。</translation>
    </message>
    <message>
        <source>Nothing is running.</source>
        <translation>没有正在运行的操作。</translation>
    </message>
    <message>
        <source>Cancel after this pod</source>
        <translation>在这个 Pod 之后取消</translation>
    </message>
    <message>
        <source>The pod restarting now comes back on the new configuration first; the pods not restarted yet stay on the old one, held there by the StatefulSet.</source>
        <translation>正在重启的 Pod 会先以新配置恢复；尚未重启的 Pod 保持旧配置，由 StatefulSet 保持在那里。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::PortForwardModel</name>
    <message>
        <source>Starting</source>
        <translation>启动中</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>活动</translation>
    </message>
    <message>
        <source>Reconnecting</source>
        <translation>重新连接中</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>%1 in, %2 out</source>
        <translation>入 %1，出 %2</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Local address</source>
        <translation>本地地址</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Serving pod</source>
        <translation>服务端 Pod</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>连接数</translation>
    </message>
    <message>
        <source>Transferred</source>
        <translation>已传输</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::PortForwardPanel</name>
    <message>
        <source>Port-forwards</source>
        <translation>端口转发</translation>
    </message>
    <message>
        <source>StatefulSet</source>
        <translation>StatefulSet</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>Pod</source>
        <translation>Pod</translation>
    </message>
    <message>
        <source>6041: taosAdapter (REST, WebSocket); 6030: taosd (native clients)</source>
        <translation>6041：taosAdapter（REST、WebSocket）；6030：taosd（原生客户端）</translation>
    </message>
    <message>
        <source>any free port</source>
        <translation>任意空闲端口</translation>
    </message>
    <message>
        <source>Start forward</source>
        <translation>开始转发</translation>
    </message>
    <message>
        <source>port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>on local port</source>
        <translation>到本地端口</translation>
    </message>
    <message>
        <source>Stop and remove</source>
        <translation>停止并移除</translation>
    </message>
    <message>
        <source>Copy URL</source>
        <translation>复制 URL</translation>
    </message>
    <message>
        <source>Start these forwards again when tdkube opens this namespace</source>
        <translation>tdkube 打开此命名空间时重新启动这些转发</translation>
    </message>
    <message>
        <source>Not connected to a cluster.</source>
        <translation>未连接到集群。</translation>
    </message>
    <message>
        <source>A connection through %1 failed: %2</source>
        <translation>经由 %1 的一个连接失败：%2</translation>
    </message>
    <message>
        <source>Choose what to forward to.</source>
        <translation>请选择转发目标。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ResourceView</name>
    <message>
        <source>Filter by text</source>
        <translation>按文本筛选</translation>
    </message>
    <message>
        <source>Label selector, e.g. app.kubernetes.io/name=tdengine</source>
        <translation>标签选择器，例如 app.kubernetes.io/name=tdengine</translation>
    </message>
    <message>
        <source>Shows only objects whose labels match</source>
        <translation>只显示标签匹配的对象</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>● Not connected</source>
        <translation>● 未连接</translation>
    </message>
    <message>
        <source>● Loading…</source>
        <translation>● 加载中…</translation>
    </message>
    <message>
        <source>● Live</source>
        <translation>● 实时</translation>
    </message>
    <message>
        <source>● Reconnecting</source>
        <extracomment>Keep the leading "● ": the reason line under the bar shows this text without it.</extracomment>
        <translation>● 重新连接中</translation>
    </message>
    <message>
        <source>● Stopped</source>
        <extracomment>Keep the leading "● ": the reason line under the bar shows this text without it.</extracomment>
        <translation>● 已停止</translation>
    </message>
    <message numerus="yes">
        <source>%n object(s)</source>
        <translation>
            <numerusform>%n 个对象</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ResumeOffers</name>
    <message>
        <source>An operation did not finish: %1 in namespace %2, %3. Started %4.</source>
        <translation>有一个操作未完成：命名空间 %2 中的 %1，%3。开始于 %4。</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续执行</translation>
    </message>
    <message>
        <source>Continue from where it stopped; each step first checks the cluster</source>
        <translation>从停止处继续；每个步骤都会先检查集群</translation>
    </message>
    <message>
        <source>Abandon…</source>
        <translation>放弃…</translation>
    </message>
    <message>
        <source>Operation %1 cannot be resumed: its journal could not be read (%2). Abandon it, or look at the file.</source>
        <translation>操作 %1 无法继续执行：无法读取其操作记录（%2）。请放弃它，或查看该文件。</translation>
    </message>
    <message>
        <source>Abandon the operation?</source>
        <translation>放弃此操作？</translation>
    </message>
    <message>
        <source>%1

Abandoning undoes nothing: the cluster stays as the operation left it (%2), and tdkube will no longer offer to resume it. Look at the cluster page before you do anything else: a half-done scale-in may have dropped dnodes whose pods still run.

Abandon it?</source>
        <translation>%1

放弃不会撤销任何内容：集群将保持该操作留下的状态（%2），tdkube 也不会再提示继续执行它。在做其他任何事之前，请先查看集群页面：执行了一半的缩容可能已删除了某些 dnode，而它们的 Pod 仍在运行。

确定放弃吗？</translation>
    </message>
    <message>
        <source>Could not abandon operation %1: %2</source>
        <translation>无法放弃操作 %1：%2</translation>
    </message>
    <message>
        <source>Operation %1 (%2) was abandoned on another workstation by %3 (recorded in the cluster).</source>
        <translation>操作 %1（%2）已在另一个工作站上由 %3 放弃（记录在集群中）。</translation>
    </message>
    <message>
        <source>Operation %1 (%2) was finished on another workstation by %3 (recorded in the cluster).</source>
        <translation>操作 %1（%2）已在另一个工作站上由 %3 完成（记录在集群中）。</translation>
    </message>
    <message>
        <source>The cluster's record of it went further, but could not be written here: %1</source>
        <translation>集群中该操作的记录进度更靠后，但无法写入本工作站：%1</translation>
    </message>
    <message>
        <source>Another workstation (%1) ran it further since: this is where the cluster's record says it is.</source>
        <translation>此后另一个工作站（%1）将它继续运行了一段：以上是集群中的记录所示的进度。</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ScalePlanPage</name>
    <message>
        <source>Repair plan</source>
        <translation>修复计划</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>计划</translation>
    </message>
    <message>
        <source>What tdkube found and what it will do, in order. Nothing has been changed yet.</source>
        <translation>tdkube 的检查结果，以及它将依次执行的操作。尚未做任何更改。</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the cluster again and plan anew</source>
        <translation>重新读取集群并重新计划</translation>
    </message>
    <message>
        <source>I have read the plan</source>
        <translation>我已阅读此计划</translation>
    </message>
    <message>
        <source>This plan loses data for good.</source>
        <translation>此计划会永久丢失数据。</translation>
    </message>
    <message>
        <source>This plan loses, for good, the data of %1 that exists only on the dropped dnode.</source>
        <translation>此计划会永久丢失 %1 中仅存在于被删除 dnode 上的数据。</translation>
    </message>
    <message>
        <source>To run it anyway, type the cluster name %1:</source>
        <translation>如仍要执行，请输入集群名称 %1：</translation>
    </message>
    <message>
        <source>Reading the cluster…</source>
        <translation>正在读取集群…</translation>
    </message>
    <message>
        <source>The cluster could not be read: %1 Press Refresh to try again.</source>
        <translation>无法读取集群：%1 请按“刷新”重试。</translation>
    </message>
    <message>
        <source>tdkube runs this only once you have typed the cluster name below: it loses data for good.</source>
        <translation>只有在您于下方输入集群名称后，tdkube 才会执行此计划：它会永久丢失数据。</translation>
    </message>
    <message>
        <source>tdkube will not run this: the findings in red say why and what to do.</source>
        <translation>tdkube 不会执行此计划：红色的检查项说明了原因和处理方法。</translation>
    </message>
    <message>
        <source>Nothing to do.</source>
        <translation>无需操作。</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>检查项</translation>
    </message>
    <message>
        <source>Blocking</source>
        <translation>阻止</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Fix:</source>
        <translation>解决办法：</translation>
    </message>
    <message>
        <source>Preflight found no problem.</source>
        <translation>预检未发现问题。</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步骤</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ScaleRunPage</name>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Each step is recorded before and after it runs: if tdkube stops, it offers to resume where it stopped.</source>
        <translation>每个步骤在执行前后都会被记录：如果 tdkube 中途停止，它会提示从停止处继续执行。</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Every step ran and the cluster was verified. The log below says what was done.</source>
        <translation>所有步骤均已执行，集群已通过验证。下方日志记录了所做的操作。</translation>
    </message>
    <message>
        <source>The operation stopped, as asked, after the last step marked done; nothing after it ran. Resume it, or abandon it, where the main window lists unfinished operations.</source>
        <translation>操作已按要求在最后一个标记为完成的步骤之后停止；其后的步骤均未执行。请在主窗口列出未完成操作的地方继续执行或放弃它。</translation>
    </message>
    <message>
        <source>The operation stopped at the step marked below; the log says why. Nothing after it ran. Fix the cause, then press Resume where the main window lists unfinished operations.</source>
        <translation>操作停在了下方标记的步骤上；原因见日志。其后的步骤均未执行。请排除原因，然后在主窗口列出未完成操作的地方按“继续执行”。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ScaleTargetPage</name>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>How many dnodes (pods) the cluster should have. Nothing changes before you have read the plan and pressed Start.</source>
        <translation>集群应有多少个 dnode（Pod）。在您阅读计划并按下“开始”之前，不会做任何更改。</translation>
    </message>
    <message>
        <source>Reading the cluster…</source>
        <translation>正在读取集群…</translation>
    </message>
    <message>
        <source>Target dnodes</source>
        <translation>目标 dnode 数</translation>
    </message>
    <message>
        <source>Scale-out options</source>
        <translation>扩容选项</translation>
    </message>
    <message>
        <source>Delete stale claims of the new pods (data left by an earlier scale-in; a pod with them cannot join)</source>
        <translation>删除新 Pod 残留的存储卷声明（之前缩容遗留的数据；带有这些声明的 Pod 无法加入集群）</translation>
    </message>
    <message>
        <source>Balance vgroups afterwards (`balance vgroup`: moves vnodes onto the new dnodes)</source>
        <translation>之后均衡 vgroup（`balance vgroup`：将 vnode 迁移到新 dnode 上）</translation>
    </message>
    <message>
        <source>Top mnodes up to 3 (for a highly available metadata service)</source>
        <translation>将 mnode 补足到 3 个（实现高可用的元数据服务）</translation>
    </message>
    <message>
        <source>The cluster could not be read: %1</source>
        <translation>无法读取集群：%1</translation>
    </message>
    <message numerus="yes">
        <source>StatefulSet %1 has %n replica(s) now.</source>
        <translation>
            <numerusform>StatefulSet %1 当前有 %n 个副本。</numerusform>
        </translation>
    </message>
    <message>
        <source>TDengine: %1 dnode(s), %2 ready; %3 mnode(s).</source>
        <translation>TDengine：%1 个 dnode，%2 个就绪；%3 个 mnode。</translation>
    </message>
    <message>
        <source>Databases: %1.</source>
        <translation>数据库：%1。</translation>
    </message>
    <message>
        <source>The largest replica is %1: a scale-in cannot go below %1 dnodes.</source>
        <translation>最大副本数为 %1：缩容后不能少于 %1 个 dnode。</translation>
    </message>
    <message numerus="yes">
        <source>Scale-out: adds %n pod(s) (%1) and their dnodes.</source>
        <translation>
            <numerusform>扩容：增加 %n 个 Pod（%1）及其 dnode。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Safe scale-in: drops the dnodes of %n pod(s) (%1) first, so that their data moves to the others, then removes the pods and their claims.</source>
        <translation>
            <numerusform>安全缩容：先删除 %n 个 Pod（%1）的 dnode，使其数据迁移到其他 dnode，然后删除这些 Pod 及其存储卷声明。</numerusform>
        </translation>
    </message>
    <message>
        <source>The cluster has %1 already: choose another number.</source>
        <translation>集群已是 %1 个 dnode：请选择其他数量。</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::ScaleWizard</name>
    <message>
        <source>%1 (replica %2)</source>
        <translation>%1（%2 副本）</translation>
    </message>
    <message>
        <source>no user database</source>
        <translation>没有用户数据库</translation>
    </message>
    <message>
        <source>Repair TDengine cluster %1</source>
        <translation>修复 TDengine 集群 %1</translation>
    </message>
    <message>
        <source>Scale TDengine cluster %1</source>
        <translation>扩缩容 TDengine 集群 %1</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Stop the operation?</source>
        <translation>停止操作？</translation>
    </message>
    <message>
        <source>The operation is still running. Closing stops it where it is (a step already sent to TDengine, such as drop dnode, still finishes in the cluster). Nothing is undone, and tdkube offers to resume it when you open this context again.

Close anyway?</source>
        <translation>操作仍在运行。关闭会使其停在当前位置（已发送给 TDengine 的步骤，如 drop dnode，仍会在集群中完成）。不会撤销任何内容，再次打开此上下文时，tdkube 会提示继续执行它。

仍要关闭吗？</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::SqlConsole</name>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Run the selection, or the statement under the cursor (Ctrl+Enter)</source>
        <translation>运行选中的内容，或光标所在的语句（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>show databases;</source>
        <translation>show databases;</translation>
    </message>
    <message>
        <source>Export the result</source>
        <translation>导出结果</translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation>未连接。</translation>
    </message>
    <message>
        <source>Connected: %1.</source>
        <translation>已连接：%1。</translation>
    </message>
    <message>
        <source>Not connected to the cluster yet.</source>
        <translation>尚未连接到集群。</translation>
    </message>
    <message>
        <source>Running…</source>
        <translation>正在运行…</translation>
    </message>
    <message>
        <source>Showing the first %1 rows; reading the rest…</source>
        <translation>正在显示前 %1 行；正在读取其余部分…</translation>
    </message>
    <message>
        <source>Cancelled. TDengine may still finish the statement.</source>
        <translation>已取消。TDengine 可能仍会执行完该语句。</translation>
    </message>
    <message>
        <source>Could not write %1: %2. Choose another place.</source>
        <translation>无法写入 %1：%2。请另选位置。</translation>
    </message>
    <message>
        <source>Could not write %1: %2.</source>
        <translation>无法写入 %1：%2。</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) affected in %1 ms, server %2 ms.</source>
        <translation>
            <numerusform>%n 行受影响，耗时 %1 ms，服务器 %2 ms。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) in %1 ms, server %2 ms.</source>
        <translation>
            <numerusform>%n 行，耗时 %1 ms，服务器 %2 ms。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) affected in %1 ms.</source>
        <translation>
            <numerusform>%n 行受影响，耗时 %1 ms。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) in %1 ms.</source>
        <translation>
            <numerusform>%n 行，耗时 %1 ms。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>tdkube::ui::StartupCheck</name>
    <message>
        <source>no TDengine cluster's dashboard with data after %1 s. The window shows: %2</source>
        <translation>%1 s 后仍没有显示出数据的 TDengine 集群仪表盘。窗口显示：%2</translation>
    </message>
    <message>
        <source>the dashboard of TDengine cluster %1/%2 shows its first snapshot: %3</source>
        <translation>TDengine 集群 %1/%2 的仪表盘已显示首个快照：%3</translation>
    </message>
    <message>
        <source>connection: %1</source>
        <translation>连接：%1</translation>
    </message>
    <message>
        <source>banner: %1</source>
        <translation>横幅：%1</translation>
    </message>
    <message>
        <source>TDengine clusters in namespace %1: %2; elsewhere: %3</source>
        <translation>命名空间 %1 中的 TDengine 集群：%2；其他位置：%3</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>cluster page: %1</source>
        <translation>集群页面：%1</translation>
    </message>
    <message>
        <source>no cluster page open</source>
        <translation>未打开集群页面</translation>
    </message>
    <message>
        <source>last TDengine error: %1</source>
        <translation>最近一次 TDengine 错误：%1</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::UpgradeImagePage</name>
    <message>
        <source>Image</source>
        <translation>镜像</translation>
    </message>
    <message>
        <source>The TDengine image the pods run now, and the one to upgrade to. Nothing changes before you have read the plan and pressed Start.</source>
        <translation>Pod 当前运行的 TDengine 镜像，以及要升级到的镜像。在您阅读计划并按下“开始”之前，不会做任何更改。</translation>
    </message>
    <message>
        <source>Reading the cluster…</source>
        <translation>正在读取集群…</translation>
    </message>
    <message>
        <source>repository:version, e.g. %1</source>
        <translation>仓库:版本号，例如 %1</translation>
    </message>
    <message>
        <source>New image:</source>
        <translation>新镜像：</translation>
    </message>
    <message>
        <source>TDengine upgrades one dnode at a time only between versions whose first three numbers are the same (3.3.6.0 to 3.3.6.6). tdkube refuses a downgrade and any other jump, and says how to do it instead.</source>
        <translation>TDengine 只有在前三位版本号相同的版本之间（如 3.3.6.0 到 3.3.6.6）才能逐个 dnode 升级。tdkube 会拒绝降级及其他任何版本跨越，并说明应如何进行。</translation>
    </message>
    <message>
        <source>The cluster could not be read: %1</source>
        <translation>无法读取集群：%1</translation>
    </message>
    <message>
        <source>The pods of %1 run %2; TDengine did not say its version.</source>
        <translation>%1 的 Pod 运行 %2；TDengine 未报告其版本。</translation>
    </message>
    <message>
        <source>The pods of %1 run %2; TDengine answers version %3.</source>
        <translation>%1 的 Pod 运行 %2；TDengine 返回的版本为 %3。</translation>
    </message>
    <message>
        <source>Refused: %1</source>
        <translation>已拒绝：%1</translation>
    </message>
    <message>
        <source>Fix: %1</source>
        <translation>解决办法：%1</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::WelcomePage</name>
    <message>
        <source>No Kubernetes cluster to connect to yet</source>
        <translation>尚无可连接的 Kubernetes 集群</translation>
    </message>
    <message>
        <source>&lt;b&gt;Try tdkube now&lt;/b&gt; on the sandbox cluster that comes with it: a small Kubernetes API server on this computer with a three-dnode TDengine cluster (simulated) already deployed. Look around, query it, scale it in and out: nothing leaves this computer.</source>
        <translation>&lt;b&gt;立即试用 tdkube&lt;/b&gt;，使用它自带的沙箱集群：本机上的一个小型 Kubernetes API 服务器，其中已部署一个含三个 dnode 的 TDengine 集群（模拟）。可以随意浏览、查询、扩容和缩容：一切都不会离开本机。</translation>
    </message>
    <message>
        <source>Try the built-in sandbox cluster</source>
        <translation>试用内置沙箱集群</translation>
    </message>
    <message>
        <source>&lt;b&gt;Connect to your own cluster&lt;/b&gt; the way kubectl does: tdkube reads &lt;code&gt;~/.kube/config&lt;/code&gt;, or the files listed in &lt;code&gt;KUBECONFIG&lt;/code&gt;, or the file given with &lt;code&gt;tdkube --kubeconfig FILE&lt;/code&gt;. Every context there appears in the Context list above; exec plugins (cloud log-ins) work as in kubectl.</source>
        <translation>&lt;b&gt;连接到你自己的集群&lt;/b&gt;，方式与 kubectl 相同：tdkube 读取 &lt;code&gt;~/.kube/config&lt;/code&gt;，或 &lt;code&gt;KUBECONFIG&lt;/code&gt; 中列出的文件，或通过 &lt;code&gt;tdkube --kubeconfig FILE&lt;/code&gt; 指定的文件。其中的每个上下文都会出现在上方的“上下文”列表中；exec 插件（云平台登录）的用法与 kubectl 中相同。</translation>
    </message>
    <message>
        <source>Its state is kept in %1, so it is the same cluster next time; it stops when tdkube closes.</source>
        <translation>其状态保存在 %1 中，因此下次仍是同一个集群；tdkube 关闭时它会停止。</translation>
    </message>
    <message>
        <source>Starting the sandbox cluster…</source>
        <translation>正在启动沙箱集群…</translation>
    </message>
</context>
<context>
    <name>tdkube::ui::YamlEditor</name>
    <message>
        <source>No problems</source>
        <translation>没有问题</translation>
    </message>
    <message>
        <source>Find…</source>
        <translation>查找…</translation>
    </message>
    <message>
        <source>Replace…</source>
        <translation>替换…</translation>
    </message>
    <message>
        <source>Go to Line…</source>
        <translation>转到行…</translation>
    </message>
    <message>
        <source>Click to go to the first problem</source>
        <translation>点击转到第一个问题</translation>
    </message>
    <message>
        <source>Go to Line</source>
        <translation>转到行</translation>
    </message>
    <message>
        <source>Line (1–%1):</source>
        <translation>行（1–%1）：</translation>
    </message>
    <message numerus="yes">
        <source>%n problem(s) — line %1, column %2: %3</source>
        <translation>
            <numerusform>%n 个问题 — 第 %1 行，第 %2 列：%3</numerusform>
        </translation>
    </message>
</context>
</TS>