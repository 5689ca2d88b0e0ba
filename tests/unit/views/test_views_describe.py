"""`kubectl describe pod|node` goldens, written out line by line (trailing spaces matter)."""

from __future__ import annotations

import copy

from views_samples import NOW, busybox_pod, event, nginx_pod, node, with_state

from k8slab.views.describe import describe_node, describe_pod, pod_qos_class


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


NGINX_EVENTS = [
    event("Scheduled", "Successfully assigned default/nginx to node1", first="2026-11-22T10:00:00Z",
          component="default-scheduler"),
    event("Pulling", 'Pulling image "nginx"', first="2026-11-22T10:00:01Z"),
    event("Pulled", 'Successfully pulled image "nginx" in 2.9s (2.9s including waiting). Image size: '
                    '72955450 bytes.', first="2026-11-22T10:00:04Z"),
    event("Created", "Created container nginx", first="2026-11-22T10:00:04Z"),
    event("Started", "Started container nginx", first="2026-11-22T10:00:05Z"),
]

POD_TAIL = (
    "Conditions:",
    "  Type                        Status",
    "  PodReadyToStartContainers   True ",
    "  Initialized                 True ",
    "  Ready                       True ",
    "  ContainersReady             True ",
    "  PodScheduled                True ",
    "Volumes:                      <none>",
    "QoS Class:                    BestEffort",
    "Node-Selectors:               <none>",
    "Tolerations:                  node.kubernetes.io/not-ready:NoExecute op=Exists for 300s",
    "                              node.kubernetes.io/unreachable:NoExecute op=Exists for 300s",
)


def test_describe_nginx_pod():
    # Events are given out of order on purpose: describe sorts them oldest first.
    scheduled, pulling, pulled, created, started = NGINX_EVENTS
    events = [started, pulled, scheduled, created, pulling]
    assert describe_pod(nginx_pod(), now=NOW, events=events) == lines(
        "Name:             nginx",
        "Namespace:        default",
        "Priority:         0",
        "Service Account:  default",
        "Node:             node1/172.18.0.2",
        "Start Time:       Sun, 22 Nov 2026 10:00:00 +0000",
        "Labels:           run=nginx",
        "Annotations:      <none>",
        "Status:           Running",
        "IP:               10.244.1.2",
        "IPs:",
        "  IP:  10.244.1.2",
        "Containers:",
        "  nginx:",
        "    Container ID:   containerd://4f1e9b7c2d",
        "    Image:          nginx",
        "    Image ID:       docker.io/library/nginx@sha256:0d17b565c37b",
        "    Port:           80/TCP",
        "    Host Port:      0/TCP",
        "    State:          Running",
        "      Started:      Sun, 22 Nov 2026 10:00:05 +0000",
        "    Ready:          True",
        "    Restart Count:  0",
        "    Environment:    <none>",
        "    Mounts:         <none>",
        *POD_TAIL,
        "Events:",
        "  Type    Reason     Age    From               Message",
        "  ----    ------     ----   ----               -------",
        "  Normal  Scheduled  5m     default-scheduler  Successfully assigned default/nginx to node1",
        '  Normal  Pulling    4m59s  kubelet            Pulling image "nginx"',
        '  Normal  Pulled     4m56s  kubelet            Successfully pulled image "nginx" in 2.9s (2.9s '
        "including waiting). Image size: 72955450 bytes.",
        "  Normal  Created    4m56s  kubelet            Created container nginx",
        "  Normal  Started    4m55s  kubelet            Started container nginx",
    )


def test_describe_busybox_pod_with_command():
    # `Command:` has no tab, so it splits the container's fields into two alignment blocks.
    assert describe_pod(busybox_pod(), now=NOW) == lines(
        "Name:             busybox",
        "Namespace:        default",
        "Priority:         0",
        "Service Account:  default",
        "Node:             node2/172.18.0.3",
        "Start Time:       Sun, 22 Nov 2026 10:00:00 +0000",
        "Labels:           run=busybox",
        "Annotations:      <none>",
        "Status:           Running",
        "IP:               10.244.2.3",
        "IPs:",
        "  IP:  10.244.2.3",
        "Containers:",
        "  busybox:",
        "    Container ID:  containerd://4f1e9b7c2d",
        "    Image:         busybox",
        "    Image ID:      docker.io/library/busybox@sha256:0d17b565c37b",
        "    Port:          <none>",
        "    Host Port:     <none>",
        "    Command:",
        "      sleep",
        "      3600",
        "    State:          Running",
        "      Started:      Sun, 22 Nov 2026 10:00:05 +0000",
        "    Ready:          True",
        "    Restart Count:  0",
        "    Environment:    <none>",
        "    Mounts:         <none>",
        *POD_TAIL,
        "Events:                       <none>",
    )


def test_describe_pending_pod_without_node_or_ip():
    p = nginx_pod()
    del p["spec"]["nodeName"]
    p["status"] = {"phase": "Pending", "qosClass": "BestEffort", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
         "message": "0/3 nodes are available: 3 node(s) were unschedulable."}]}
    out = describe_pod(p, now=NOW, events=None)
    assert "\nNode:             <none>\n" in out
    assert "\nIP:               \n" in out  # kubectl pads the empty value
    assert "\nIPs:              <none>\n" in out
    assert "Start Time" not in out and "Container ID" not in out and "State:" not in out
    assert "Events" not in out  # events=None is --show-events=false


def test_describe_crashlooping_container_states():
    p = with_state(nginx_pod(), {"waiting": {"reason": "CrashLoopBackOff"}}, restarts=3,
                   last_state={"terminated": {"exitCode": 1, "reason": "Error",
                                              "startedAt": "2026-11-22T10:04:18Z",
                                              "finishedAt": "2026-11-22T10:04:19Z"}})
    out = describe_pod(p, now=NOW)
    assert lines(
        "    State:          Waiting",
        "      Reason:       CrashLoopBackOff",
        "    Last State:     Terminated",
        "      Reason:       Error",
        "      Exit Code:    1",
        "      Started:      Sun, 22 Nov 2026 10:04:18 +0000",
        "      Finished:     Sun, 22 Nov 2026 10:04:19 +0000",
        "    Ready:          False",
        "    Restart Count:  3",
    ) in out


def test_describe_container_details():
    p = nginx_pod()
    c = p["spec"]["containers"][0]
    c["ports"].append({"containerPort": 443, "protocol": "TCP", "hostPort": 8443})
    c["args"] = ["-g", "daemon off;"]
    c["env"] = [
        {"name": "MODE", "value": "demo"},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
        {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
    ]
    c["resources"] = {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "0.25", "memory": "64Mi"}}
    c["readinessProbe"] = {"httpGet": {"path": "/", "port": 80, "scheme": "HTTP"}, "timeoutSeconds": 1,
                           "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
    c["livenessProbe"] = {"exec": {"command": ["cat", "/tmp/healthy"]}, "initialDelaySeconds": 5,
                          "timeoutSeconds": 1, "periodSeconds": 5, "successThreshold": 1, "failureThreshold": 3}
    c["volumeMounts"] = [{"name": "html", "mountPath": "/usr/share/nginx/html", "readOnly": True}]
    p["spec"]["volumes"] = [{"name": "html", "emptyDir": {}}]
    del p["status"]["qosClass"]
    out = describe_pod(p, now=NOW)
    # `Args:` ends the block the ports belong to, so they align with `Container ID:`.
    assert lines(
        "    Container ID:  containerd://4f1e9b7c2d",
        "    Image:         nginx",
        "    Image ID:      docker.io/library/nginx@sha256:0d17b565c37b",
        "    Ports:         80/TCP, 443/TCP",
        "    Host Ports:    0/TCP, 8443/TCP",
        "    Args:",
        "      -g",
        "      daemon off;",
        "    State:          Running",
        "      Started:      Sun, 22 Nov 2026 10:00:05 +0000",
        "    Ready:          True",
        "    Restart Count:  0",
        "    Limits:",
        "      cpu:     500m",
        "      memory:  128Mi",
        "    Requests:",
        "      cpu:      250m",
        "      memory:   64Mi",
        "    Liveness:   exec [cat /tmp/healthy] delay=5s timeout=1s period=5s #success=1 #failure=3",
        "    Readiness:  http-get http://:80/ delay=0s timeout=1s period=10s #success=1 #failure=3",
        "    Environment:",
        "      MODE:      demo",
        "      POD_IP:    10.244.1.2 (v1:status.podIP)",
        "      PASSWORD:  <set to the key 'password' in secret 'db'>  Optional: false",
        "    Mounts:",
        "      /usr/share/nginx/html from html (ro)",
        "Conditions:",
    ) in out
    assert lines(
        "Volumes:",
        "  html:",
        "    Type:        EmptyDir (a temporary directory that shares a pod's lifetime)",
        "    Medium:      ",
        "    SizeLimit:   <unset>",
        "QoS Class:       Burstable",
    ) in out


def test_describe_terminating_pod_and_owner():
    p = copy.deepcopy(nginx_pod())
    p["metadata"].update(deletionTimestamp="2026-11-22T10:04:50Z", deletionGracePeriodSeconds=30,
                         annotations={"kubectl.kubernetes.io/last-applied-configuration": "{}",
                                      "note": "hello"},
                         ownerReferences=[{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d4b9c8f5",
                                           "controller": True, "uid": "x"}])
    out = describe_pod(p, now=NOW)
    assert lines(
        "Annotations:               note: hello",
        "Status:                    Terminating (lasts 10s)",
        "Termination Grace Period:  30s",
    ) in out
    # `IPs:` has no tab, so `Controlled By:` aligns with the indented `IP:` line, as in kubectl.
    assert lines(
        "IPs:",
        "  IP:           10.244.1.2",
        "Controlled By:  ReplicaSet/web-7d4b9c8f5",
        "Containers:",
    ) in out


def test_event_series_and_repeats():
    events = [event("BackOff", "Back-off restarting failed container nginx in pod nginx_default(x)",
                    first="2026-11-22T10:00:10Z", last="2026-11-22T10:04:50Z", count=7, type_="Warning")]
    out = describe_pod(nginx_pod(), now=NOW, events=events)
    # Age column: "10s (x7 over 4m50s)" is 19 wide, plus 2 of padding.
    assert out.endswith(lines(
        "Events:",
        "  Type     Reason   Age" + " " * 18 + "From     Message",
        "  ----     ------   ----" + " " * 17 + "----     -------",
        "  Warning  BackOff  10s (x7 over 4m50s)  kubelet  Back-off restarting failed container nginx in pod "
        "nginx_default(x)",
    ))


def test_qos_classes():
    p = nginx_pod()
    assert pod_qos_class(p) == "BestEffort"
    p["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1", "memory": "1Gi"},
                                               "requests": {"cpu": "1000m", "memory": "1024Mi"}}
    assert pod_qos_class(p) == "Guaranteed"
    p["spec"]["containers"][0]["resources"] = {"requests": {"memory": "64Mi"}}
    assert pod_qos_class(p) == "Burstable"


def test_describe_node():
    n = node("node1", "172.18.0.2", taints=[{"key": "dedicated", "value": "lab", "effect": "NoSchedule"}])
    web = nginx_pod()
    web["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "100m", "memory": "128Mi"},
                                                 "limits": {"cpu": "500m", "memory": "256Mi"}}
    other_node = busybox_pod()
    done = copy.deepcopy(nginx_pod())
    done["metadata"]["name"] = "job-done"
    done["status"]["phase"] = "Succeeded"
    events = [event("Starting", "Starting kubelet.", first="2026-11-22T09:00:00Z")]
    out = describe_node(n, pods=[web, other_node, done], events=events, now=NOW)
    assert out == lines(
        "Name:               node1",
        "Roles:              <none>",
        "Labels:             beta.kubernetes.io/arch=amd64",
        "                    beta.kubernetes.io/os=linux",
        "                    kubernetes.io/arch=amd64",
        "                    kubernetes.io/hostname=node1",
        "                    kubernetes.io/os=linux",
        "Annotations:        node.alpha.kubernetes.io/ttl: 0",
        "                    volumes.kubernetes.io/controller-managed-attach-detach: true",
        "CreationTimestamp:  Sun, 22 Nov 2026 09:00:00 +0000",
        "Taints:             dedicated=lab:NoSchedule",
        "Unschedulable:      false",
        "Lease:",
        "  HolderIdentity:  node1",
        "  AcquireTime:     <unset>",
        "  RenewTime:       Sun, 22 Nov 2026 10:05:00 +0000",
        "Conditions:",
        "  Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason  "
        "                     Message",
        "  ----             ------  -----------------                 ------------------                ------  "
        "                     -------",
        "  MemoryPressure   False   Sun, 22 Nov 2026 10:04:30 +0000   Sun, 22 Nov 2026 09:00:00 +0000   "
        "KubeletHasSufficientMemory   kubelet has sufficient memory available",
        "  DiskPressure     False   Sun, 22 Nov 2026 10:04:30 +0000   Sun, 22 Nov 2026 09:00:00 +0000   "
        "KubeletHasNoDiskPressure     kubelet has no disk pressure",
        "  PIDPressure      False   Sun, 22 Nov 2026 10:04:30 +0000   Sun, 22 Nov 2026 09:00:00 +0000   "
        "KubeletHasSufficientPID      kubelet has sufficient PID available",
        "  Ready            True    Sun, 22 Nov 2026 10:04:30 +0000   Sun, 22 Nov 2026 09:00:00 +0000   "
        "KubeletReady                 kubelet is posting ready status",
        "Addresses:",
        "  InternalIP:  172.18.0.2",
        "  Hostname:    node1",
        "Capacity:",
        "  cpu:                2",
        "  ephemeral-storage:  61202244Ki",
        "  hugepages-2Mi:      0",
        "  memory:             4020184Ki",
        "  pods:               110",
        "Allocatable:",
        "  cpu:                2",
        "  ephemeral-storage:  61202244Ki",
        "  hugepages-2Mi:      0",
        "  memory:             4020184Ki",
        "  pods:               110",
        "System Info:",
        "  Machine ID:                 0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "  System UUID:                0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "  Boot ID:                    9a1f0c3e-1111-2222-3333-444455556666",
        "  Kernel Version:             6.18.0",
        "  OS Image:                   Debian GNU/Linux 12 (bookworm)",
        "  Operating System:           linux",
        "  Architecture:               amd64",
        "  Container Runtime Version:  containerd://1.7.18",
        "  Kubelet Version:            v1.31.0",
        "  Kube-Proxy Version:         ",
        "PodCIDR:                      10.244.1.0/24",
        "PodCIDRs:                     10.244.1.0/24",
        "Non-terminated Pods:          (1 in total)",
        "  Namespace                   Name     CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age",
        "  ---------                   ----     ------------  ----------  ---------------  -------------  ---",
        "  default                     nginx    100m (5%)     500m (25%)  128Mi (3%)       256Mi (6%)     5m",
        "Allocated resources:",
        "  (Total limits may be over 100 percent, i.e., overcommitted.)",
        "  Resource           Requests    Limits",
        "  --------           --------    ------",
        "  cpu                100m (5%)   500m (25%)",
        "  memory             128Mi (3%)  256Mi (6%)",
        "  ephemeral-storage  0 (0%)      0 (0%)",
        "  hugepages-2Mi      0 (0%)      0 (0%)",
        "Events:",
        "  Type    Reason    Age   From     Message",
        "  ----    ------    ----  ----     -------",
        "  Normal  Starting  65m   kubelet  Starting kubelet.",
    )


def test_describe_node_roles_unschedulable_and_given_lease():
    n = node("node2", "172.18.0.3", roles=["control-plane"], unschedulable=True)
    lease = {"spec": {"holderIdentity": "node2", "renewTime": "2026-11-22T10:04:58.123456Z"}}
    out = describe_node(n, now=NOW, lease=lease, events=None)
    assert "\nRoles:              control-plane\n" in out
    assert "\nUnschedulable:      true\n" in out
    assert "\n  RenewTime:       Sun, 22 Nov 2026 10:04:58 +0000\n" in out
    assert "Non-terminated Pods:          (0 in total)\n" in out
    assert not out.rstrip().endswith("<none>")
