"""The cluster: where the store, the network, the scheduler and the kubelets are put together.

This is the composition root: the only module that knows every part. Commands reach the cluster
through it (`cluster.store`, `cluster.kubelet_for(pod)`, `cluster.network`).
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import time
from typing import Dict, Optional

from k8slab import __version__
from k8slab.api.bootstrap import kube_dns_objects, kubernetes_service_objects
from k8slab.api.errors import ApiError
from k8slab.api.meta import ObjectMeta, utc_now
from k8slab.api.node import Node, NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo
from k8slab.api.pod import Pod
from k8slab.api.recorder import EventRecorder
from k8slab.api.service_strategy import ServiceStrategy
from k8slab.api.store import SYSTEM_NAMESPACES, Store
from k8slab.controllers.endpoints import EndpointsController
from k8slab.controllers.endpointslices import EndpointSliceController, MirroringController
from k8slab.controllers.loadbalancer import AddressPool, LoadBalancerController
from k8slab.controllers.nodelifecycle import NodeLifecycleController
from k8slab.controllers.scheduler import Scheduler
from k8slab.controllers.workloads import workload_controllers
from k8slab.dns.feeder import DnsFeeder
from k8slab.net.addresses import (CLUSTER_CIDR, EXT_IP, EXT_NAME, LB_POOL, OUTSIDE_NAMES, OUTSIDE_PORTS, WORLD_IP,
                                  WORLD_NAME, ClusterSpec, NodePlan, PodIPAM, kernel_has_sctp)
from k8slab.net.network import ClusterNetwork
from k8slab.proxy.kubeproxy import KubeProxy
from k8slab.proxy.model import NodeConfig
from k8slab.runtime import processes
from k8slab.runtime.catalogue import SERVERS_DIR
from k8slab.runtime.kubelet import Kubelet
from k8slab.sandbox import STATE_DIR, SandboxInfo, bind_file

log = logging.getLogger(__name__)

KUBERNETES_VERSION = "v1.34.0"
# The nodes' own resolver: nothing. Nodes do not resolve through the host, and pods with
# dnsPolicy: Default inherit this, as they would inherit a real node's file.
NODE_RESOLV_CONF = "# k8slab: nodes have no upstream resolver; nothing leaves the sandbox\n"


def lab_hosts_file(spec: ClusterSpec) -> str:
    """/etc/hosts of the lab network: nodes and `ext` know each other by name."""
    lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", f"{EXT_IP}\t{EXT_NAME}"]
    lines += [f"{p.ip}\t{p.name}" for p in spec.node_plans()]
    lines.append(f"{WORLD_IP}\t{WORLD_NAME}")
    return "\n".join(lines) + "\n"


def node_object(plan: NodePlan, now) -> Node:
    """The Node object a kubelet registers for `plan`."""
    labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
              "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": plan.name, "kubernetes.io/os": "linux"}
    conditions = tuple(
        NodeCondition(type=t, status="False", last_heartbeat_time=now, last_transition_time=now,
                      reason=r, message=m)
        for t, r, m in (("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                        ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                        ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available")))
    conditions += (NodeCondition(type="Ready", status="True", last_heartbeat_time=now, last_transition_time=now,
                                 reason="KubeletReady", message="kubelet is posting ready status"),)
    capacity = {"cpu": str(os.cpu_count() or 1), "memory": "8Gi", "pods": "110", "ephemeral-storage": "10Gi"}
    info = NodeSystemInfo(kubelet_version=KUBERNETES_VERSION, kube_proxy_version=KUBERNETES_VERSION,
                          os_image=f"k8slab {__version__} (emulated node)", kernel_version=platform.release(),
                          container_runtime_version=f"k8slab://{__version__}", architecture="amd64",
                          operating_system="linux")
    return Node(metadata=ObjectMeta(name=plan.name, labels=labels),
                spec=NodeSpec(pod_cidr=plan.pod_cidr, pod_cidrs=(plan.pod_cidr,)),
                status=NodeStatus(conditions=conditions, capacity=capacity, allocatable=dict(capacity),
                                  addresses=(NodeAddress(type="InternalIP", address=plan.ip),
                                             NodeAddress(type="Hostname", address=plan.name)),
                                  node_info=info))


# What a reset deletes in each namespace it keeps, controllers first.
RESET_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Service", "Endpoints", "EndpointSlice", "Pod",
               "Event")


class Cluster:
    """A running emulated cluster."""

    def __init__(self, spec: ClusterSpec, sandbox: Optional[SandboxInfo] = None):
        self.spec = spec
        self.sandbox = sandbox
        self.store = Store(strategies=[ServiceStrategy(sctp=kernel_has_sctp())])
        self.network = ClusterNetwork(spec)
        self.recorder = EventRecorder(self.store)
        self.scheduler = Scheduler(self.store, self.recorder)
        self.load_balancers = LoadBalancerController(self.store, AddressPool(*LB_POOL), self.network,
                                                     recorder=self.recorder)
        self.node_lifecycle = NodeLifecycleController(
            self.store, lambda n: n in self.kubelets and self.kubelets[n].alive.is_set(),
            grace=float(os.environ.get("K8SLAB_NODE_GRACE", "5")),
            eviction=float(os.environ.get("K8SLAB_EVICTION_DELAY", "10")))
        self.controllers = [self.scheduler, self.node_lifecycle, EndpointsController(self.store), EndpointSliceController(self.store),
                            MirroringController(self.store), self.load_balancers] + workload_controllers(self.store)
        self.kube_proxy: Optional[KubeProxy] = None
        self.dns = DnsFeeder(self.store, STATE_DIR, OUTSIDE_NAMES)
        self.kubelets: Dict[str, Kubelet] = {}
        self.started_at: Optional[float] = None
        self._world = None

    def start(self) -> None:
        """Wire the lab network, register the nodes, start the control loops."""
        bind_file(lab_hosts_file(self.spec), "/etc/hosts", "hosts")
        bind_file(NODE_RESOLV_CONF, "/etc/resolv.conf", "resolv.conf")
        self.network.start()
        for plan in self.spec.node_plans():
            self.kubelets[plan.name] = Kubelet(plan.name, plan.ip, self.store, self.network,
                                               PodIPAM(plan.pod_cidr), STATE_DIR, NODE_RESOLV_CONF,
                                               recorder=self.recorder)
        now = utc_now()
        for plan in self.spec.node_plans():
            self.store.create(node_object(plan, now))
        first = self.spec.node_plans()[0]
        for obj in kubernetes_service_objects(f"{first.ip}"):
            self.store.create(obj, namespace="default")
        for obj in kube_dns_objects():
            self.store.create(obj, namespace="kube-system")
        self.dns.start()
        self._start_outside_world()
        for controller in self.controllers:
            controller.start()
        nodes = [NodeConfig(name=p.name, node_ips=(p.ip,), cluster_cidr=str(CLUSTER_CIDR))
                 for p in self.spec.node_plans()]
        self.kube_proxy = KubeProxy(self.store, nodes, self.network.pid_of)
        self.kube_proxy.start()
        for kubelet in self.kubelets.values():
            kubelet.start()
        self.started_at = time.monotonic()

    def wait_ready(self, timeout: float = 15.0) -> bool:
        """Wait until cluster DNS answers through its Service: CoreDNS Ready, in every node's rules.

        A fresh cluster is ready for a learner's first `nslookup` only then (as `kind create cluster
        --wait` waits for the control plane). False if that takes longer than `timeout`.
        """
        deadline = time.monotonic() + timeout
        while not any(True for s in self.store.list("EndpointSlice", "kube-system")
                      for e in s.endpoints if s.metadata.labels.get("kubernetes.io/service-name") == "kube-dns"
                      and e.conditions.ready is not False):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return self.kube_proxy.wait_current(max(0.0, deadline - time.monotonic()))

    def _start_outside_world(self) -> None:
        """Real servers on the outside world's addresses, for selectorless Services to reach."""
        script = os.path.join(SERVERS_DIR, "outside.py")
        argv = [sys.executable, "-I", "-S", script] + [str(p) for p in OUTSIDE_PORTS]
        log_path = os.path.join(STATE_DIR, "world", "outside.log")
        started = processes.start_process(self.network.pid_of(WORLD_NAME), argv, {"HOSTNAME": WORLD_NAME},
                                          log_path, ready_pipe=True)
        processes.wait_ready(started.ready_fd, started.popen, 3.0)
        self._world = started.popen

    def stop(self) -> None:
        """Stop the control loops and every process (the sandbox's end would too; this is tidier)."""
        if self.kube_proxy is not None:
            self.kube_proxy.stop()
        for controller in self.controllers:
            controller.stop()
        self.dns.stop()
        for kubelet in self.kubelets.values():
            kubelet.stop()
        if self._world is not None:
            processes.signal_group(self._world, 9)
        self.network.stop()

    def stop_node(self, name: str) -> None:
        """A node fails: its processes and pods stop and its link goes down; the control plane notices."""
        self.kubelets[name].halt()
        self.network.set_node_link(name, False)

    def start_node(self, name: str) -> None:
        """The node comes back: link up, kubelet running again."""
        self.network.set_node_link(name, True)
        self.kubelets[name].resume()

    def settle(self, timeout: float = 2.0) -> bool:
        """Wait until kube-proxy's rules and the cluster DNS reflect the store as it is now.

        A lesson's checks run right after a command: without this, a Service created a moment ago
        would not answer yet, and the check would blame the learner for kube-proxy's 50 ms.
        """
        deadline = time.monotonic() + timeout
        time.sleep(0.02)  # let the watchers take in the last command's changes first
        if not self.kube_proxy.wait_current(timeout):
            return False
        return self.dns.wait_pushed(max(0.0, deadline - time.monotonic()))

    def reset(self, timeout: float = 20.0) -> bool:
        """Back to a fresh cluster's state, for a lesson's start: every node up, only the system
        namespaces, and nothing in `default` but the `kubernetes` Service. False on timeout."""
        for name, kubelet in self.kubelets.items():
            if not kubelet.alive.is_set():
                self.start_node(name)
        user_namespaces = [n.metadata.name for n in self.store.list("Namespace")
                           if n.metadata.name not in SYSTEM_NAMESPACES]
        for ns in user_namespaces + ["default"]:
            for kind in RESET_KINDS:  # controllers first, so that nothing recreates what goes next
                for obj in self.store.list(kind, ns):
                    if not (ns == "default" and obj.metadata.name == "kubernetes"):
                        self._forget(kind, obj, grace=0 if kind == "Pod" else None)
        for ns in user_namespaces:
            self._forget("Namespace", self.store.try_get("Namespace", ns))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            leftover = [p for p in self.store.list("Pod") if p.metadata.namespace != "kube-system"]
            namespaces = [n for n in self.store.list("Namespace") if n.metadata.name in user_namespaces]
            if not leftover and not namespaces:
                for event in self.store.list("Event", "default"):  # those the clean-up itself wrote
                    self._forget("Event", event)
                return self.kube_proxy.wait_current(max(0.0, deadline - time.monotonic()))
            for pod in leftover:
                self._forget("Pod", pod, grace=0)
            time.sleep(0.05)
        return False

    def _forget(self, kind: str, obj, grace: Optional[int] = None) -> None:
        if obj is None:
            return
        try:
            self.store.delete(kind, obj.metadata.name, obj.metadata.namespace, grace_period_seconds=grace)
        except ApiError:  # already gone, or already going
            pass

    def add_outside_host(self, name: str, ip: str) -> None:
        """A host outside the cluster (for lessons and labs): its address on the world, its name in DNS.

        The world's servers listen on every address, so the new host answers on the usual ports.
        """
        self.network.add_outside_address(ip)
        self.dns.add_external(name, (ip,))

    def kubelet_for(self, pod: Pod) -> Optional[Kubelet]:
        """The kubelet of the node a pod is bound to."""
        return self.kubelets.get(pod.spec.node_name or "")

    def host_pid(self, name: str) -> Optional[int]:
        """The pid of node or host `name` (for `<host> <command>`), or None."""
        return self.network.pid_of(name) if name in self.network.hosts else None
