"""From API objects to the renderer's input: what kube-proxy's Service and EndpointSlice caches hold.

Pure: give it the Services and EndpointSlices (a store snapshot), get `ServicePort`s back.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Tuple

from k8slab.api.endpointslice import SERVICE_NAME_LABEL, EndpointSlice, endpoint_ready
from k8slab.api.service import Service
from k8slab.proxy.model import Endpoint, ServicePort

# kube-proxy's informers skip objects with these labels (cmd/kube-proxy/app/server.go).
IGNORED_LABELS = ("service.kubernetes.io/service-proxy-name", "service.kubernetes.io/headless")


def proxied(svc: Service) -> bool:
    """Does kube-proxy program rules for this Service at all?"""
    if any(label in svc.metadata.labels for label in IGNORED_LABELS):
        return False
    if svc.spec.type == "ExternalName":
        return False
    return bool(svc.spec.cluster_ip) and svc.spec.cluster_ip != "None"


def slices_by_service(slices: Iterable[EndpointSlice]) -> Dict[Tuple[str, str], List[EndpointSlice]]:
    """EndpointSlices grouped by (namespace, service name); kube-proxy unions them."""
    out: Dict[Tuple[str, str], List[EndpointSlice]] = {}
    for s in slices:
        if any(label in s.metadata.labels for label in IGNORED_LABELS[:1]):
            continue
        name = s.metadata.labels.get(SERVICE_NAME_LABEL)
        if name and s.address_type == "IPv4":
            out.setdefault((s.metadata.namespace, name), []).append(s)
    return out


def endpoints_for_port(slices: Iterable[EndpointSlice], port_name: str, protocol: str) -> Tuple[Endpoint, ...]:
    """The endpoints of one Service port: slice ports with the same name and protocol."""
    seen = {}
    for s in slices:
        number = next((p.port for p in s.ports if (p.name or "") == port_name and (p.protocol or "TCP") == protocol
                       and p.port), None)
        if number is None:
            continue
        for ep in s.endpoints:
            ready = endpoint_ready(ep)
            serving = ep.conditions.serving if ep.conditions.serving is not None else ready
            terminating = bool(ep.conditions.terminating)
            for ip in ep.addresses[:1]:  # kube-proxy uses the first address of an endpoint
                seen.setdefault((ip, number), Endpoint(ip=ip, port=number, node=ep.node_name, ready=ready,
                                                       serving=serving, terminating=terminating))
    return tuple(seen[k] for k in sorted(seen, key=lambda k: (tuple(int(x) for x in k[0].split(".")), k[1])))


def service_ports(services: Iterable[Service], slices: Iterable[EndpointSlice]) -> List[ServicePort]:
    """Every proxied Service port with its endpoints."""
    by_service = slices_by_service(slices)
    out = []
    for svc in services:
        if not proxied(svc):
            continue
        spec = svc.spec
        svc_slices = by_service.get((svc.metadata.namespace, svc.metadata.name), [])
        affinity = None
        if spec.session_affinity == "ClientIP":
            cfg = spec.session_affinity_config
            affinity = (cfg.client_ip.timeout_seconds if cfg and cfg.client_ip and cfg.client_ip.timeout_seconds
                        else 10800)
        external = spec.type in ("NodePort", "LoadBalancer")
        lb_ips = tuple(i.ip for i in svc.status.load_balancer.ingress if i.ip) if spec.type == "LoadBalancer" else ()
        for p in spec.ports:
            protocol = p.protocol or "TCP"
            out.append(ServicePort(
                namespace=svc.metadata.namespace, name=svc.metadata.name, port_name=p.name or "",
                protocol=protocol, cluster_ip=spec.cluster_ip, port=p.port,
                node_port=p.node_port if external and p.node_port else None,
                external_ips=tuple(spec.external_ips), load_balancer_ips=lb_ips,
                load_balancer_source_ranges=tuple(spec.load_balancer_source_ranges) if lb_ips else (),
                affinity_timeout=affinity,
                external_local=external and spec.external_traffic_policy == "Local",
                internal_local=spec.internal_traffic_policy == "Local",
                health_check_node_port=spec.health_check_node_port or None,
                endpoints=endpoints_for_port(svc_slices, p.name or "", protocol)))
    return out
