"""The cluster's address plan and pod IPAM (pure: no I/O).

Modelled on a kind cluster: nodes sit on a lab network (172.18.0.0/16, as Docker gives kind), the
learner's laptop `ext` is the network's .1 like the Docker host, and node n owns pod CIDR
10.244.n.0/24 as kube-controller-manager's `--allocate-node-cidrs` would give it.
"""

from __future__ import annotations

import ipaddress
import threading
from dataclasses import dataclass

NODE_NETWORK = ipaddress.ip_network("172.18.0.0/16")
CLUSTER_CIDR = ipaddress.ip_network("10.244.0.0/16")
EXT_NAME = "ext"
EXT_IP = "172.18.0.1"
# The emulated outside world: one host, the lab network's router, carrying the addresses that
# lessons and the seeds' selectorless Services point at. Nothing past it exists.
WORLD_NAME = "world"
WORLD_IP = "172.18.0.254"
OUTSIDE_ADDRESSES = ("1.1.1.1", "2.2.2.2", "192.168.3.215", "192.168.3.216")
OUTSIDE_PORTS = (80, 443, 8080, 3306, 5432)
# The outside world's names, answered by the cluster DNS itself (nothing is forwarded anywhere).
OUTSIDE_NAMES = {
    "my.database.example.com": ("192.168.3.216",),
    "example.com": ("1.1.1.1",),
    "www.example.com": ("1.1.1.1",),
    "api.example.com": ("2.2.2.2",),
}
# MetalLB-style pool for LoadBalancer Services, on the lab network as kind's docs suggest.
LB_POOL = ("172.18.255.200", "172.18.255.250")
MAX_NODES = 50


@dataclass(frozen=True)
class NodePlan:
    """Where one node sits: its name, lab-network IP and pod CIDR."""

    name: str
    index: int
    ip: str
    pod_cidr: str

    @property
    def gateway(self) -> str:
        """The pods' default gateway: the node side of every pod veth carries it, as kind's ptp
        plugin does (without an address there, a pod's ARP for its gateway goes unanswered)."""
        return str(ipaddress.ip_network(self.pod_cidr).network_address + 1)


@dataclass(frozen=True)
class ClusterSpec:
    """The shape of a cluster: how many nodes."""

    nodes: int = 3

    def node_plans(self) -> list[NodePlan]:
        """One plan per node, node1..nodeN."""
        return [NodePlan(name=f"node{i}", index=i, ip=str(NODE_NETWORK.network_address + 1 + i),
                         pod_cidr=f"10.244.{i}.0/24") for i in range(1, self.nodes + 1)]


def validate_node_count(n: int) -> None:
    """Raise ValueError unless 1 <= n <= MAX_NODES."""
    if not 1 <= n <= MAX_NODES:
        raise ValueError(f"--nodes must be between 1 and {MAX_NODES}, got {n}")


class PodIPAM:
    """Hands out pod IPs from one node's /24 as CNI's host-local plugin does.

    host-local continues after the last address it handed out and wraps around, so a deleted and
    recreated pod gets a *new* IP: exactly what makes learners need Services.
    """

    def __init__(self, cidr: str):
        net = ipaddress.ip_network(cidr)
        # .0 is the network, .1 the gateway host-local reserves, the last is broadcast.
        self._pool = [str(ip) for ip in list(net.hosts())[1:]]
        self._used: set[str] = set()
        self._last = -1
        self._lock = threading.Lock()

    def allocate(self) -> str:
        """Return a free IP; raise RuntimeError when the range is full."""
        with self._lock:
            n = len(self._pool)
            for step in range(1, n + 1):
                i = (self._last + step) % n
                ip = self._pool[i]
                if ip not in self._used:
                    self._used.add(ip)
                    self._last = i
                    return ip
        raise RuntimeError("no IP addresses available in range set")

    def release(self, ip: str) -> None:
        """Give an IP back to the pool."""
        with self._lock:
            self._used.discard(ip)


def kernel_has_sctp() -> bool:
    """Can this kernel open an SCTP socket? (Without it, SCTP Services cannot be proxied.)"""
    import socket

    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP).close()
        return True
    except OSError:
        return False
