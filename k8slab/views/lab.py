"""What the pictures know about the lab: its nodes and outside hosts, and a Service's endpoints (pure).

The shell fills a `Lab` from the running cluster; unit tests build one by hand. Objects arrive in
their JSON dict form, as for every other view.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


@dataclass(frozen=True)
class LabNode:
    """One node as the pictures show it."""

    name: str
    ip: str
    pod_cidr: str
    ready: bool = True


@dataclass(frozen=True)
class Lab:
    """The lab network: nodes, the learner's laptop (ext) and the outside world."""

    nodes: Tuple[LabNode, ...]
    ext_name: str = "ext"
    ext_ip: str = "172.18.0.1"
    world_name: str = "world"
    world_ip: str = "172.18.0.254"
    outside: Tuple[str, ...] = ()
    network: str = "172.18.0.0/16"
    cluster_cidr: str = "10.244.0.0/16"
    lb_announcers: Dict[str, str] = field(default_factory=dict)  # LoadBalancer IP -> node answering ARP

    def node(self, name: Optional[str]) -> Optional[LabNode]:
        """The node called `name`, if any."""
        return next((n for n in self.nodes if n.name == name), None)

    def place(self, ip: str) -> str:
        """Where an address lives: a node's name (its own IP or a pod of its CIDR), ext, or world."""
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return "?"
        for n in self.nodes:
            if ip == n.ip or addr in ipaddress.ip_network(n.pod_cidr, strict=False):
                return n.name
        if ip == self.ext_ip:
            return self.ext_name
        # Everything else sits past the lab network's router: the emulated outside world.
        return self.world_name


@dataclass(frozen=True)
class EndpointView:
    """One endpoint address of a Service, with its conditions and what it points at."""

    address: str
    ports: Tuple[str, ...]  # "8080/TCP" (named: "http 8080/TCP")
    ready: bool
    serving: bool
    terminating: bool
    pod: Optional[str]  # the Pod of targetRef
    node: Optional[str]
    slice: str

    @property
    def state(self) -> str:
        """A short word for the conditions: ready, not ready, terminating (serving or not)."""
        if self.terminating:
            return "terminating, serving" if self.serving else "terminating"
        return "ready" if self.ready else "not ready"


def slices_of(svc: dict, slices: Sequence[dict]) -> List[dict]:
    """The EndpointSlices that belong to a Service (by the service-name label), by name."""
    meta = svc.get("metadata") or {}
    mine = [s for s in slices if (s.get("metadata") or {}).get("namespace") == meta.get("namespace")
            and ((s.get("metadata") or {}).get("labels") or {}).get(SERVICE_NAME_LABEL) == meta.get("name")]
    return sorted(mine, key=lambda s: s["metadata"].get("name", ""))


def _slice_ports(s: dict) -> Tuple[str, ...]:
    out = []
    for p in s.get("ports") or []:
        text = f"{p.get('port')}/{p.get('protocol') or 'TCP'}" if p.get("port") is not None else "(all ports)"
        out.append(f"{p['name']} {text}" if p.get("name") else text)
    return tuple(out)


def endpoints_of(svc: dict, slices: Sequence[dict]) -> List[EndpointView]:
    """Every endpoint address of a Service across its slices, as kube-proxy reads them."""
    out: List[EndpointView] = []
    for s in slices_of(svc, slices):
        ports = _slice_ports(s)
        for ep in s.get("endpoints") or []:
            cond = ep.get("conditions") or {}
            ready = cond.get("ready") is not False  # nil means ready
            serving = cond.get("serving") if cond.get("serving") is not None else ready
            ref = ep.get("targetRef") or {}
            pod = ref.get("name") if ref.get("kind") == "Pod" else None
            for address in ep.get("addresses") or []:
                out.append(EndpointView(address, ports, ready, bool(serving), bool(cond.get("terminating")),
                                        pod, ep.get("nodeName"), s["metadata"].get("name", "")))
    return sorted(out, key=lambda e: (not e.ready, _ip_key(e.address)))


def _ip_key(ip: str) -> tuple:
    try:
        return (0, int(ipaddress.ip_address(ip)))
    except ValueError:
        return (1, ip)


def port_texts(svc: dict) -> List[str]:
    """One line per Service port: `http 80→8080/TCP` (targetPort shown when it differs)."""
    out = []
    for p in (svc.get("spec") or {}).get("ports") or []:
        target = p.get("targetPort")
        arrow = f"→{target}" if target is not None and str(target) != str(p.get("port")) else ""
        name = f"{p['name']} " if p.get("name") else ""
        out.append(f"{name}{p.get('port')}{arrow}/{p.get('protocol') or 'TCP'}")
    return out


def node_ports(svc: dict) -> List[int]:
    """The Service's NodePorts (none for ClusterIP or when allocation is off)."""
    return [p["nodePort"] for p in (svc.get("spec") or {}).get("ports") or [] if p.get("nodePort")]


def lb_ips(svc: dict) -> List[str]:
    """The LoadBalancer ingress IPs in the Service's status."""
    ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    return [i["ip"] for i in ingress if i.get("ip")]


def pods_by_node(pods: Sequence[dict]) -> Dict[Optional[str], List[dict]]:
    """Pods grouped by `spec.nodeName` (None: not scheduled yet)."""
    out: Dict[Optional[str], List[dict]] = {}
    for p in pods:
        out.setdefault((p.get("spec") or {}).get("nodeName"), []).append(p)
    return out


def pod_ip(pod: dict) -> str:
    """The pod's IP, or "" before it has one."""
    return (pod.get("status") or {}).get("podIP") or ""
