"""What the cluster DNS server knows: Services, their endpoints, namespaces and the outside world."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Optional, Tuple


@dataclass(frozen=True)
class ServicePortInfo:
    """One port of a Service or of an EndpointSlice ("" name when unnamed)."""

    name: str
    protocol: str
    port: int


@dataclass(frozen=True)
class EndpointInfo:
    """One endpoint address with the ports its slice resolved."""

    ip: str
    hostname: Optional[str]
    ready: bool
    ports: Tuple[ServicePortInfo, ...]


@dataclass(frozen=True)
class ServiceInfo:
    """One Service as CoreDNS's kubernetes plugin caches it."""

    namespace: str
    name: str
    type: str  # ClusterIP | NodePort | LoadBalancer | ExternalName
    cluster_ip: Optional[str]  # "None" when headless, None for ExternalName
    external_name: Optional[str]
    ports: Tuple[ServicePortInfo, ...]
    endpoints: Tuple[EndpointInfo, ...] = ()

    @property
    def headless(self) -> bool:
        """True for clusterIP: None."""
        return self.cluster_ip == "None"


@dataclass(frozen=True)
class DnsState:
    """Everything one answer depends on; `external` is the emulated outside world."""

    services: Tuple[ServiceInfo, ...]
    namespaces: FrozenSet[str]
    external: Dict[str, Tuple[str, ...]]  # lower-case FQDN without trailing dot -> IPv4 addresses
    external_cnames: Dict[str, str] = field(default_factory=dict)
    serial: int = 0  # SOA serial: CoreDNS uses the unix time of the last change it saw

    def to_json(self) -> str:
        """Serialise for the DNS server's control socket."""
        return json.dumps({
            "services": [_service_dict(s) for s in self.services],
            "namespaces": sorted(self.namespaces),
            "external": {k: list(v) for k, v in sorted(self.external.items())},
            "external_cnames": dict(sorted(self.external_cnames.items())),
            "serial": self.serial,
        }, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "DnsState":
        """Parse what to_json wrote; ValueError on anything else."""
        try:
            raw = json.loads(text)
            return cls(
                services=tuple(_service(s) for s in raw["services"]),
                namespaces=frozenset(str(n) for n in raw["namespaces"]),
                external={str(k): tuple(str(ip) for ip in v) for k, v in raw.get("external", {}).items()},
                external_cnames={str(k): str(v) for k, v in raw.get("external_cnames", {}).items()},
                serial=int(raw.get("serial", 0)),
            )
        except (KeyError, TypeError, AttributeError) as e:
            raise ValueError(f"not a DNS state: {type(e).__name__}: {e}") from e


@dataclass(frozen=True)
class DnsConfig:
    """The Corefile's knobs (kubeadm: `kubernetes cluster.local ... { pods insecure; ttl 30 }`)."""

    zone: str = "cluster.local"
    ttl: int = 30  # kubeadm's Corefile sets ttl 30; the plugin default is 5
    external_ttl: int = 30  # the TTL the outside world's answers carry
    # The DNS pod's own addresses (CoreDNS's localIPs), which decide what NS answers name.
    # Empty: take the ready endpoints of kube-system/kube-dns, as a kubeadm cluster would.
    server_ips: Tuple[str, ...] = ()
    fallback_ns_ip: str = "10.96.0.10"  # ns.dns.<zone> when no address of ours is known at all
    # `cache N` caps every TTL of a reply at N (kubeadm: cache 30); 0 leaves the plugin's TTLs.
    cache_ttl: int = 0


def _port_dict(p: ServicePortInfo) -> Dict[str, Any]:
    return {"name": p.name, "protocol": p.protocol, "port": p.port}


def _service_dict(s: ServiceInfo) -> Dict[str, Any]:
    return {
        "namespace": s.namespace, "name": s.name, "type": s.type, "cluster_ip": s.cluster_ip,
        "external_name": s.external_name, "ports": [_port_dict(p) for p in s.ports],
        "endpoints": [{"ip": e.ip, "hostname": e.hostname, "ready": e.ready,
                       "ports": [_port_dict(p) for p in e.ports]} for e in s.endpoints],
    }


def _port(raw: Dict[str, Any]) -> ServicePortInfo:
    return ServicePortInfo(name=str(raw.get("name") or ""), protocol=str(raw["protocol"]), port=int(raw["port"]))


def _service(raw: Dict[str, Any]) -> ServiceInfo:
    return ServiceInfo(
        namespace=str(raw["namespace"]), name=str(raw["name"]), type=str(raw["type"]),
        cluster_ip=raw.get("cluster_ip"), external_name=raw.get("external_name"),
        ports=tuple(_port(p) for p in raw.get("ports", [])),
        endpoints=tuple(EndpointInfo(ip=str(e["ip"]), hostname=e.get("hostname"), ready=bool(e["ready"]),
                                     ports=tuple(_port(p) for p in e.get("ports", [])))
                        for e in raw.get("endpoints", [])),
    )
