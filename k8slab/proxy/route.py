"""A connection's whole path through the cluster: which node's rules it meets, where it goes (pure).

`trace` (in trace.py) walks one node's rendered rules. This module adds what the network does
around that: where the first packet enters, which node forwards it where, and which address the
backend finally sees as the source. The rules walked are the ones kube-proxy applied.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from k8slab.proxy.trace import Outcome, Packet, Trace, trace

SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")


@dataclass(frozen=True)
class NodeInfo:
    """A node as the path needs it."""

    name: str
    ip: str
    pod_cidr: str
    gateway: str


@dataclass(frozen=True)
class Topology:
    """A snapshot of the cluster's addressing and rules."""

    nodes: Tuple[NodeInfo, ...]
    rules: Dict[str, str]  # node -> the rules kube-proxy applied there
    pods: Dict[str, Tuple[str, str]]  # pod IP -> (namespace/name, node)
    lb_announcers: Dict[str, str]  # LoadBalancer IP -> node
    ext_ip: str
    outside: Tuple[str, ...]  # addresses of the emulated outside world
    cluster_cidr: str = "10.244.0.0/16"

    def node(self, name: str) -> NodeInfo:
        """The node called `name`."""
        return next(n for n in self.nodes if n.name == name)

    def node_by_ip(self, ip: str) -> Optional[NodeInfo]:
        """The node that has `ip` as its address."""
        return next((n for n in self.nodes if n.ip == ip), None)

    def node_for_pod_ip(self, ip: str) -> Optional[NodeInfo]:
        """The node whose pod CIDR holds `ip`."""
        addr = ipaddress.ip_address(ip)
        return next((n for n in self.nodes if addr in ipaddress.ip_network(n.pod_cidr)), None)


@dataclass(frozen=True)
class Source:
    """Who opens the connection: a pod, a node, or ext."""

    kind: str  # "pod" | "node" | "ext"
    name: str
    ip: str
    node: Optional[str] = None  # the pod's node, or the node itself


@dataclass
class Delivery:
    """One possible end of the connection."""

    probability: float
    verdict: str  # "DNAT" | "ACCEPT" | "REJECT" | "DROP"
    destination: str  # ip:port finally reached (or refused)
    seen_source: Optional[str]  # the source address the receiver sees
    hops: List[str] = field(default_factory=list)  # plain sentences, in order
    affinity_seconds: Optional[int] = None


@dataclass
class ConnectionTrace:
    """Everything `trace` shows."""

    source: Source
    dst_ip: str
    dst_port: int
    protocol: str
    entry_node: Optional[str]
    entry_note: str
    node_trace: Optional[Trace]
    deliveries: List[Delivery]


def _in(ip: str, cidr: str) -> bool:
    return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr)


def entry_point(topo: Topology, src: Source, dst_ip: str) -> Tuple[Optional[str], str]:
    """The node whose kube-proxy rules the first packet meets, and how it gets there."""
    if src.kind == "pod":
        return src.node, f"{src.name} sends the packet to its default gateway, its node {src.node}."
    if src.kind == "node":
        return src.node, f"{src.name} sends it from its own network stack (the nat OUTPUT chain)."
    node = topo.node_by_ip(dst_ip)
    if node is not None:
        return node.name, f"ext reaches {node.name} ({node.ip}) directly on the lab network."
    if dst_ip in topo.lb_announcers:
        owner = topo.lb_announcers[dst_ip]
        return owner, (f"ext asks who has {dst_ip} (ARP); {owner} answers for it, as MetalLB's layer-2 "
                       "speaker does, so the packet goes to that node.")
    if _in(dst_ip, topo.cluster_cidr) or ipaddress.ip_address(dst_ip) in SERVICE_CIDR:
        return None, (f"ext has no route to {dst_ip}: pod IPs and ClusterIPs exist only inside the cluster. "
                      "From outside, use a node's address and a NodePort, or a LoadBalancer IP.")
    return None, f"ext sends {dst_ip} to its default gateway, the outside world, not to the cluster."


def _where(topo: Topology, node: NodeInfo, ip: str) -> Tuple[str, Optional[NodeInfo]]:
    """Describe where `ip` is, seen from `node`, and the node that finally delivers it."""
    pod = topo.pods.get(ip)
    if _in(ip, node.pod_cidr):
        who = f"pod {pod[0]}" if pod else "a pod address"
        return f"{node.name} delivers it to {who} ({ip}) through that pod's veth.", node
    owner = topo.node_for_pod_ip(ip) if _in(ip, topo.cluster_cidr) else None
    if owner is not None:
        who = f"pod {pod[0]}" if pod else "a pod address"
        return (f"{node.name} routes {owner.pod_cidr} via {owner.name} ({owner.ip}): the packet crosses the lab "
                f"network and {owner.name} hands it to {who} ({ip})."), owner
    target = topo.node_by_ip(ip)
    if target is not None:
        return (f"{target.name} itself ({ip}) receives it." if target is node
                else f"{node.name} sends it across the lab network to {target.name} ({ip})."), target
    if ip in topo.outside:
        return f"{node.name} routes it out of the cluster to the outside world host {ip}.", None
    if ipaddress.ip_address(ip) in SERVICE_CIDR:
        return (f"no rule rewrote {ip}, and nothing owns a ClusterIP: {node.name} sends it to its default "
                "gateway, where it is lost (the client times out)."), None
    return f"{node.name} routes it to its default gateway, the outside world.", None


def _seen_source(topo: Topology, node: NodeInfo, src: Source, packet: Packet, o: Outcome,
                 final_ip: str) -> Tuple[str, Optional[str]]:
    """(sentence, source the receiver sees) after kube-proxy's and the CNI's masquerading."""
    if o.masquerade:
        addr = node.gateway if _in(final_ip, node.pod_cidr) else node.ip
        return (f"KUBE-POSTROUTING masquerades it (mark 0x4000): the source becomes {node.name}'s address "
                f"on the way out, {addr}."), addr
    if _in(packet.src_ip, topo.cluster_cidr) and not _in(final_ip, topo.cluster_cidr):
        return (f"it leaves the pod network, so the CNI's egress masquerade gives it {node.name}'s address "
                f"{node.ip}."), node.ip
    return f"no masquerade: the receiver sees the original source {packet.src_ip}.", packet.src_ip


def trace_connection(topo: Topology, src: Source, dst_ip: str, dst_port: int, protocol: str = "TCP") -> ConnectionTrace:
    """Follow a new connection from `src` to dst_ip:dst_port through the cluster."""
    entry, note = entry_point(topo, src, dst_ip)
    if entry is None:
        return ConnectionTrace(src, dst_ip, dst_port, protocol, None, note, None,
                               [Delivery(1.0, "UNREACHABLE", f"{dst_ip}:{dst_port}", None)])
    node = topo.node(entry)
    packet = Packet(src_ip=src.ip, dst_ip=dst_ip, dst_port=dst_port, protocol=protocol,
                    src_local=src.kind == "node")
    local = (node.ip, node.gateway) + tuple(ip for ip, n in topo.lb_announcers.items() if n == entry)
    t = trace(topo.rules.get(entry, ""), packet, local)
    deliveries = []
    for o in t.outcomes:
        final_ip, _, port = o.destination.rpartition(":")
        d = Delivery(o.probability, o.verdict, o.destination, None, affinity_seconds=o.affinity_seconds)
        if o.verdict == "REJECT":
            d.hops.append(f"{entry} answers with an ICMP port-unreachable: the client gets 'connection refused' at once.")
        elif o.verdict == "DROP":
            d.hops.append(f"{entry} drops it: the client hears nothing and times out.")
        else:
            sentence, seen = _seen_source(topo, node, src, packet, o, final_ip)
            where, _ = _where(topo, node, final_ip)
            d.hops += [where, sentence]
            d.seen_source = seen
        deliveries.append(d)
    return ConnectionTrace(src, dst_ip, dst_port, protocol, entry, note, t, deliveries)
