"""A shell Session in front of a light cluster: a real store, nodes on paper, no network or processes."""

from __future__ import annotations

from types import SimpleNamespace

from k8slab.api.bootstrap import kubernetes_service_objects
from k8slab.api.service_strategy import ServiceStrategy
from k8slab.api.store import Store
from k8slab.net.addresses import EXT_NAME, WORLD_NAME, ClusterSpec
from k8slab.shell.session import Session


class LightNetwork:
    """The lab network as the shell reads it, without Mininet: plans and names, no hosts to enter."""

    def __init__(self, spec: ClusterSpec):
        self.plans = {p.name: p for p in spec.node_plans()}
        self.hosts = {name: None for name in list(self.plans) + [EXT_NAME, WORLD_NAME]}
        self.pods = {}

    def host_names(self) -> list:
        return list(self.hosts)

    def links(self) -> list:
        return [(name, "s1") for name in self.hosts]

    def pid_of(self, name: str) -> int:
        raise AssertionError(f"a light session has no host processes ({name})")


class LightCluster:
    """What the shell's commands reach through `session.cluster`, minus the running parts."""

    def __init__(self, nodes: int = 3):
        self.spec = ClusterSpec(nodes=nodes)
        self.store = Store(strategies=[ServiceStrategy(sctp=False)])
        self.network = LightNetwork(self.spec)
        self.kubelets = {}
        self.kube_proxy = None
        self.node_lifecycle = SimpleNamespace(grace=5.0, eviction=10.0)
        self.load_balancers = SimpleNamespace(announced={})
        self.sandbox = None
        for obj in kubernetes_service_objects("172.18.0.2"):
            self.store.create(obj, namespace="default")

    def kubelet_for(self, pod):
        return None

    def host_pid(self, name: str):
        return None


def light_session(nodes: int = 3) -> Session:
    """A Session over a LightCluster, not interactive (as in batch mode)."""
    return Session(LightCluster(nodes))
