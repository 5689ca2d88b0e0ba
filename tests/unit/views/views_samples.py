"""Realistic API objects (JSON dict form, as `kubectl get -o json` shows them) for view tests."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

NOW = datetime(2026, 11, 22, 10, 5, 0, tzinfo=timezone.utc)

DEFAULT_TOLERATIONS = [
    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
     "tolerationSeconds": 300},
    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
     "tolerationSeconds": 300},
]


def _conditions(ready: str = "True") -> list:
    return [
        {"lastProbeTime": None, "lastTransitionTime": "2026-11-22T10:00:05Z", "status": "True",
         "type": "PodReadyToStartContainers"},
        {"lastProbeTime": None, "lastTransitionTime": "2026-11-22T10:00:00Z", "status": "True",
         "type": "Initialized"},
        {"lastProbeTime": None, "lastTransitionTime": "2026-11-22T10:00:05Z", "status": ready,
         "type": "Ready"},
        {"lastProbeTime": None, "lastTransitionTime": "2026-11-22T10:00:05Z", "status": ready,
         "type": "ContainersReady"},
        {"lastProbeTime": None, "lastTransitionTime": "2026-11-22T10:00:00Z", "status": "True",
         "type": "PodScheduled"},
    ]


def pod(name: str, image: str, *, ip: str = "10.244.1.2", node: str = "node1", **container) -> dict:
    """A running single-container pod scheduled on `node`."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "creationTimestamp": "2026-11-22T10:00:00Z",
            "labels": {"run": name},
            "name": name,
            "namespace": "default",
            "resourceVersion": "1234",
            "uid": "6f1c2a52-5b7e-4d0c-9a53-2f1d8f0c9e11",
        },
        "spec": {
            "containers": [dict({
                "image": image,
                "imagePullPolicy": "Always",
                "name": name,
                "resources": {},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
            }, **container)],
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": True,
            "nodeName": node,
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "serviceAccount": "default",
            "serviceAccountName": "default",
            "terminationGracePeriodSeconds": 30,
            "tolerations": copy.deepcopy(DEFAULT_TOLERATIONS),
        },
        "status": {
            "conditions": _conditions(),
            "containerStatuses": [{
                "containerID": "containerd://4f1e9b7c2d",
                "image": f"docker.io/library/{image}:latest",
                "imageID": f"docker.io/library/{image}@sha256:0d17b565c37b",
                "lastState": {},
                "name": name,
                "ready": True,
                "restartCount": 0,
                "started": True,
                "state": {"running": {"startedAt": "2026-11-22T10:00:05Z"}},
            }],
            "hostIP": "172.18.0.2",
            "hostIPs": [{"ip": "172.18.0.2"}],
            "phase": "Running",
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "qosClass": "BestEffort",
            "startTime": "2026-11-22T10:00:00Z",
        },
    }


def nginx_pod() -> dict:
    """`kubectl run nginx --image=nginx --port=80`, running on node1 with IP 10.244.1.2."""
    return pod("nginx", "nginx", ports=[{"containerPort": 80, "protocol": "TCP"}])


def busybox_pod() -> dict:
    """A busybox pod running `sleep 3600` on node2."""
    p = pod("busybox", "busybox", ip="10.244.2.3", node="node2", command=["sleep", "3600"])
    p["status"]["hostIP"] = "172.18.0.3"
    p["status"]["hostIPs"] = [{"ip": "172.18.0.3"}]
    return p


def with_state(p: dict, state: dict, *, ready: bool = False, restarts: int = 0,
               last_state: dict = None, phase: str = None) -> dict:
    """A copy of pod `p` whose (only) container is in `state`."""
    p = copy.deepcopy(p)
    cs = p["status"]["containerStatuses"][0]
    cs.update(state=state, ready=ready, restartCount=restarts, lastState=last_state or {})
    if phase:
        p["status"]["phase"] = phase
    return p


def event(reason: str, message: str, *, first: str, last: str = None, count: int = 1,
          type_: str = "Normal", component: str = "kubelet") -> dict:
    """A core/v1 Event as the kubelet or scheduler records it."""
    return {
        "apiVersion": "v1",
        "count": count,
        "firstTimestamp": first,
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": "nginx", "namespace": "default"},
        "kind": "Event",
        "lastTimestamp": last or first,
        "message": message,
        "metadata": {"name": f"nginx.{reason.lower()}", "namespace": "default"},
        "reason": reason,
        "source": {"component": component, **({"host": "node1"} if component == "kubelet" else {})},
        "type": type_,
    }


def node(name: str, ip: str, *, ready: str = "True", roles=(), created: str = "2026-11-22T09:00:00Z",
         unschedulable: bool = False, taints=None) -> dict:
    """A kind-like node with the kubelet's usual labels, conditions and capacity."""
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    }
    labels.update({f"node-role.kubernetes.io/{r}": "" for r in roles})
    heartbeat = "2026-11-22T10:04:30Z"
    conditions = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", ready, "KubeletReady" if ready == "True" else "KubeletNotReady",
         "kubelet is posting ready status" if ready == "True" else "container runtime network not ready"),
    ]
    spec = {"podCIDR": f"10.244.{name[-1]}.0/24", "podCIDRs": [f"10.244.{name[-1]}.0/24"]}
    if unschedulable:
        spec["unschedulable"] = True
    if taints:
        spec["taints"] = taints
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                            "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
            "creationTimestamp": created,
            "labels": labels,
            "name": name,
            "resourceVersion": "500",
            "uid": "2c4e6a8b-0000-4000-8000-00000000000" + name[-1],
        },
        "spec": spec,
        "status": {
            "addresses": [{"address": ip, "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
            "allocatable": {"cpu": "2", "ephemeral-storage": "61202244Ki", "hugepages-2Mi": "0",
                            "memory": "4020184Ki", "pods": "110"},
            "capacity": {"cpu": "2", "ephemeral-storage": "61202244Ki", "hugepages-2Mi": "0",
                         "memory": "4020184Ki", "pods": "110"},
            "conditions": [
                {"lastHeartbeatTime": heartbeat, "lastTransitionTime": created, "message": msg,
                 "reason": reason, "status": status, "type": type_}
                for type_, status, reason, msg in conditions
            ],
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": "9a1f0c3e-1111-2222-3333-444455556666",
                "containerRuntimeVersion": "containerd://1.7.18",
                "kernelVersion": "6.18.0",
                "kubeProxyVersion": "",
                "kubeletVersion": "v1.31.0",
                "machineID": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            },
        },
    }
