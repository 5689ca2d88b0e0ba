"""What kube-proxy needs to know, decoupled from the API objects (an adapter fills these in)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    """One backend of one service port, as an EndpointSlice endpoint plus the resolved port."""

    ip: str
    port: int
    node: str | None
    ready: bool = True
    serving: bool = True
    terminating: bool = False

    def __str__(self) -> str:
        # net.JoinHostPort for IPv4: what kube-proxy hashes into KUBE-SEP names and prints.
        return f"{self.ip}:{self.port}"


@dataclass(frozen=True)
class ServicePort:
    """One port of one Service with everything the proxier uses (pkg/proxy ServicePort)."""

    namespace: str
    name: str
    port_name: str  # "" if unnamed
    protocol: str  # "TCP" | "UDP" | "SCTP"
    cluster_ip: str | None  # None for headless/ExternalName (then no rules at all)
    port: int
    node_port: int | None = None
    external_ips: tuple[str, ...] = ()
    load_balancer_ips: tuple[str, ...] = ()  # from status.loadBalancer.ingress
    load_balancer_source_ranges: tuple[str, ...] = ()
    affinity_timeout: int | None = None  # seconds for ClientIP affinity; None = no affinity
    external_local: bool = False  # externalTrafficPolicy: Local
    internal_local: bool = False  # internalTrafficPolicy: Local
    health_check_node_port: int | None = None
    endpoints: tuple[Endpoint, ...] = ()

    def externally_accessible(self) -> bool:
        """True if any "external" destination (NodePort, externalIP, LB IP) reaches this port."""
        return bool(self.node_port) or bool(self.load_balancer_ips) or bool(self.external_ips)

    def external_policy_local(self) -> bool:
        """externalTrafficPolicy: Local only counts for externally accessible ports."""
        return self.external_local and self.externally_accessible()

    def uses_cluster_endpoints(self) -> bool:
        """Whether a KUBE-SVC (Cluster policy) chain can be needed (types.go UsesClusterEndpoints)."""
        # Even with eTP Local, external traffic from pods/the host short-circuits to Cluster.
        return not self.internal_local or self.externally_accessible()

    def uses_local_endpoints(self) -> bool:
        """Whether a KUBE-SVL (Local policy) chain can be needed (types.go UsesLocalEndpoints)."""
        return self.internal_local or self.external_policy_local()


@dataclass(frozen=True)
class NodeConfig:
    """The node a ruleset is rendered for."""

    name: str
    node_ips: tuple[str, ...]
    cluster_cidr: str = "10.244.0.0/16"
    masquerade_bit: int = 14

    @property
    def masquerade_mark(self) -> str:
        """The SNAT mark, e.g. 0x4000 for bit 14."""
        return hex(1 << self.masquerade_bit)
