"""Defaulting for Service, Endpoints and EndpointSlice (v1 SetDefaults_* plus the IP-family init).

Every function here is pure and idempotent, like the rest of `defaults`: the store runs it on create
and on every update, so re-applying an unchanged manifest compares equal to the stored object.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional, Tuple

from k8slab.api import naming
from k8slab.api.endpoints import Endpoints
from k8slab.api.endpointslice import EndpointSlice
from k8slab.api.service import ClientIPConfig, Service, ServicePort, ServiceSpec, SessionAffinityConfig

DEFAULT_AFFINITY_TIMEOUT = 10800  # seconds (3 h); validation allows up to 86400
EXTERNAL_NAME, CLUSTER_IP, NODE_PORT, LOAD_BALANCER = "ExternalName", "ClusterIP", "NodePort", "LoadBalancer"


def externally_accessible(spec: ServiceSpec) -> bool:
    """NodePort and LoadBalancer Services, and ClusterIP ones with externalIPs (ExternallyAccessible)."""
    return spec.type in (NODE_PORT, LOAD_BALANCER) or (spec.type == CLUSTER_IP and bool(spec.external_ips))


def _default_port(port: ServicePort) -> ServicePort:
    target = port.target_port
    # IntOrString's zero values (0 and "") mean "unset", exactly like an absent field.
    if target is None or target == 0 or target == "":
        target = port.port
    return replace(port, protocol=port.protocol or "TCP", target_port=target)


def _default_affinity(spec: ServiceSpec) -> Tuple[str, Optional[SessionAffinityConfig]]:
    affinity = spec.session_affinity or "None"
    config = spec.session_affinity_config
    if affinity == "None":
        return affinity, None
    if affinity == "ClientIP":
        client_ip = config.client_ip if config is not None else None
        if client_ip is None or client_ip.timeout_seconds is None:
            config = SessionAffinityConfig(client_ip=ClientIPConfig(timeout_seconds=DEFAULT_AFFINITY_TIMEOUT))
    return affinity, config


def _sync_cluster_ips(spec: ServiceSpec) -> Tuple[Optional[str], Tuple[str, ...]]:
    # The two fields are one value in two shapes; whichever the user wrote fills the other.
    cluster_ip, cluster_ips = spec.cluster_ip, spec.cluster_ips
    if cluster_ip and not cluster_ips:
        cluster_ips = (cluster_ip,)
    elif cluster_ips and not cluster_ip:
        cluster_ip = cluster_ips[0]
    return cluster_ip, cluster_ips


def _default_families(spec: ServiceSpec) -> Tuple[Optional[str], Tuple[str, ...]]:
    """ipFamilyPolicy and ipFamilies for a single-stack IPv4 cluster (alloc.go initIPFamilyFields)."""
    if spec.type == EXTERNAL_NAME:
        return spec.ip_family_policy, spec.ip_families
    headless = spec.cluster_ip == "None"
    policy = spec.ip_family_policy
    if policy is None:
        # Headless selectorless Services default to dual-stack even on a single-stack cluster.
        policy = "RequireDualStack" if headless and not spec.selector else "SingleStack"
    families = spec.ip_families
    first = spec.cluster_ips[0] if spec.cluster_ips else None
    if not families:
        ip = naming.parse_ip(first) if first and first != "None" else None
        if ip is not None and ip.version == 6:
            return policy, families  # left to the allocator, which says IPv6 is not configured
        families = ("IPv4",)
    if headless and not spec.selector and len(families) == 1 and policy != "SingleStack":
        families = families + ("IPv6" if families[0] == "IPv4" else "IPv4",)
    return policy, families


def default_service_spec(spec: ServiceSpec) -> ServiceSpec:
    """SetDefaults_Service: type, affinity, protocols, targetPorts, traffic policies, IP families."""
    service_type = spec.type or CLUSTER_IP
    spec = replace(spec, type=service_type)
    affinity, config = _default_affinity(spec)
    cluster_ip, cluster_ips = _sync_cluster_ips(spec)
    spec = replace(
        spec,
        session_affinity=affinity,
        session_affinity_config=config,
        ports=tuple(_default_port(p) for p in spec.ports),
        cluster_ip=cluster_ip,
        cluster_ips=cluster_ips,
    )
    if externally_accessible(spec) and not spec.external_traffic_policy:
        spec = replace(spec, external_traffic_policy="Cluster")
    if spec.internal_traffic_policy is None and service_type in (CLUSTER_IP, NODE_PORT, LOAD_BALANCER):
        spec = replace(spec, internal_traffic_policy="Cluster")
    if service_type == LOAD_BALANCER and spec.allocate_load_balancer_node_ports is None:
        spec = replace(spec, allocate_load_balancer_node_ports=True)
    policy, families = _default_families(spec)
    return replace(spec, ip_family_policy=policy, ip_families=families)


def default_service(svc: Service) -> Service:
    """A Service with the apiserver's defaults filled in."""
    return replace(svc, spec=default_service_spec(svc.spec))


def default_endpoints(ep: Endpoints) -> Endpoints:
    """SetDefaults_Endpoints: every port's protocol defaults to TCP."""
    subsets = tuple(
        replace(s, ports=tuple(p if p.protocol else replace(p, protocol="TCP") for p in s.ports))
        for s in ep.subsets
    )
    return replace(ep, subsets=subsets)


def default_endpoint_slice(eps: EndpointSlice) -> EndpointSlice:
    """SetDefaults_EndpointPort: protocol TCP (endpoint conditions are left as written)."""
    return replace(eps, ports=tuple(p if p.protocol else replace(p, protocol="TCP") for p in eps.ports))
