"""The Service kind (core/v1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Dict, Optional, Tuple

from k8slab.api.codec import json_field
from k8slab.api.kinds import KindInfo, register
from k8slab.api.meta import ObjectMeta

Json = Dict[str, Any]


@dataclass(frozen=True)
class ServicePort:
    """v1.ServicePort; `target_port` is an IntOrString (int, str or None)."""

    name: Optional[str] = None
    protocol: Optional[str] = None
    app_protocol: Optional[str] = None
    port: int = json_field(0, always=True)
    target_port: Any = json_field(go="intstr.IntOrString")
    node_port: Optional[int] = json_field(omitempty=True)


@dataclass(frozen=True)
class ClientIPConfig:
    """v1.ClientIPConfig."""

    timeout_seconds: Optional[int] = None


@dataclass(frozen=True)
class SessionAffinityConfig:
    """v1.SessionAffinityConfig."""

    client_ip: Optional[ClientIPConfig] = json_field(json="clientIP")


@dataclass(frozen=True)
class ServiceSpec:
    """v1.ServiceSpec."""

    ports: Tuple[ServicePort, ...] = ()
    selector: Dict[str, str] = json_field(factory=dict)
    cluster_ip: Optional[str] = json_field(json="clusterIP")
    cluster_ips: Tuple[str, ...] = json_field((), json="clusterIPs")
    type: Optional[str] = None
    external_ips: Tuple[str, ...] = json_field((), json="externalIPs")
    session_affinity: Optional[str] = None
    load_balancer_ip: Optional[str] = json_field(json="loadBalancerIP")
    load_balancer_source_ranges: Tuple[str, ...] = ()
    external_name: Optional[str] = None
    external_traffic_policy: Optional[str] = None
    health_check_node_port: Optional[int] = json_field(omitempty=True)
    publish_not_ready_addresses: Optional[bool] = json_field(omitempty=True)
    session_affinity_config: Optional[SessionAffinityConfig] = None
    ip_families: Tuple[str, ...] = json_field((), go="[]v1.IPFamily")
    ip_family_policy: Optional[str] = None
    allocate_load_balancer_node_ports: Optional[bool] = None
    load_balancer_class: Optional[str] = None
    internal_traffic_policy: Optional[str] = None
    traffic_distribution: Optional[str] = None


@dataclass(frozen=True)
class LoadBalancerIngress:
    """v1.LoadBalancerIngress."""

    ip: Optional[str] = None
    hostname: Optional[str] = None
    ip_mode: Optional[str] = None
    ports: Tuple[Json, ...] = json_field((), go="[]v1.PortStatus")


@dataclass(frozen=True)
class LoadBalancerStatus:
    """v1.LoadBalancerStatus."""

    ingress: Tuple[LoadBalancerIngress, ...] = ()


@dataclass(frozen=True)
class ServiceStatus:
    """v1.ServiceStatus (`loadBalancer: {}` is always present, as the apiserver returns it)."""

    load_balancer: LoadBalancerStatus = json_field(factory=LoadBalancerStatus, always=True)
    conditions: Tuple[Json, ...] = json_field((), go="[]v1.Condition")


@dataclass(frozen=True)
class Service:
    """v1.Service."""

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "Service"

    metadata: ObjectMeta = json_field(factory=ObjectMeta)
    spec: ServiceSpec = json_field(factory=ServiceSpec)
    status: ServiceStatus = json_field(factory=ServiceStatus)


def is_headless(svc: Service) -> bool:
    """clusterIP: None."""
    return svc.spec.cluster_ip == "None"


SERVICE = register(KindInfo(kind="Service", api_version="v1", plural="services", singular="service",
                            short_names=("svc",), namespaced=True, cls=Service))
