"""The Service strategy: ClusterIP/NodePort allocation hooked into the store (service REST storage).

On update the order is the apiserver's: copy back allocated values the client left out
(patchAllocatedValues, so re-applying the original YAML is a no-op), keep clusterIP and clusterIPs
in step, allocate or release for the type change, then drop fields the new type no longer uses
(dropTypeDependentFields) when the client did not touch them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, Optional

from k8slab.api.allocator import ServiceAllocator
from k8slab.api.service import LoadBalancerStatus, Service, ServiceSpec
from k8slab.api.service_alloc import allocate_create, allocate_update, needs_cluster_ip, needs_node_ports, release_all
from k8slab.api.service_defaults import externally_accessible
from k8slab.api.service_validation import needs_health_check
from k8slab.api.errors import FieldError, invalid
from k8slab.api.strategy import Strategy, Transaction, register_strategy


def patch_allocated_values(new: ServiceSpec, old: ServiceSpec) -> ServiceSpec:
    """Fill clusterIP(s), nodePorts and healthCheckNodePort the client omitted from the old object."""
    if needs_cluster_ip(old) and needs_cluster_ip(new):
        if not new.cluster_ip:
            new = replace(new, cluster_ip=old.cluster_ip)
        if not new.cluster_ips and old.cluster_ips:
            new = replace(new, cluster_ips=old.cluster_ips)
    if needs_node_ports(old) and needs_node_ports(new):
        # A value the new object already uses elsewhere cannot be patched in a second time.
        used = {p.node_port for p in old.ports if p.node_port} & {p.node_port for p in new.ports if p.node_port}
        by_name: Dict[Optional[str], Optional[int]] = {p.name or "": p.node_port for p in old.ports}
        ports = []
        for p in new.ports:
            previous = by_name.get(p.name or "")
            if not p.node_port and previous and previous not in used:
                p = replace(p, node_port=previous)
            ports.append(p)
        new = replace(new, ports=tuple(ports))
    if needs_health_check(old) and needs_health_check(new) and not new.health_check_node_port:
        new = replace(new, health_check_node_port=old.health_check_node_port)
    return new


def normalize_cluster_ips(new: ServiceSpec, old: ServiceSpec) -> ServiceSpec:
    """A changed clusterIP with untouched clusterIPs rewrites clusterIPs[0] (then validation objects)."""
    if old.cluster_ip and new.cluster_ip and new.cluster_ip != old.cluster_ip:
        if old.cluster_ips and new.cluster_ips == old.cluster_ips:
            return replace(new, cluster_ips=(new.cluster_ip,) + tuple(new.cluster_ips[1:]))
    return new


def drop_type_dependent_fields(new: ServiceSpec, old: ServiceSpec) -> ServiceSpec:
    """Clear what the new type does not use, unless the client set a new value (validation says no then)."""
    if needs_cluster_ip(old) and not needs_cluster_ip(new):
        if new.cluster_ips == old.cluster_ips:
            new = replace(new, cluster_ip=None, cluster_ips=())
        if new.ip_families == old.ip_families:
            new = replace(new, ip_families=())
        if new.ip_family_policy == old.ip_family_policy:
            new = replace(new, ip_family_policy=None)
    if needs_node_ports(old) and not needs_node_ports(new):
        old_ports = {p.node_port for p in old.ports if p.node_port}
        if {p.node_port for p in new.ports if p.node_port} <= old_ports:
            new = replace(new, ports=tuple(replace(p, node_port=None) for p in new.ports))
    if needs_health_check(old) and not needs_health_check(new):
        if new.health_check_node_port == old.health_check_node_port:
            new = replace(new, health_check_node_port=None)
    if old.type == "LoadBalancer" and new.type != "LoadBalancer":
        if new.allocate_load_balancer_node_ports == old.allocate_load_balancer_node_ports:
            new = replace(new, allocate_load_balancer_node_ports=None)
        if new.load_balancer_class == old.load_balancer_class:
            new = replace(new, load_balancer_class=None)
    if externally_accessible(old) and not externally_accessible(new):
        if new.external_traffic_policy == old.external_traffic_policy:
            new = replace(new, external_traffic_policy=None)
    return new


class ServiceStrategy(Strategy):
    """Allocates ClusterIPs and NodePorts from one ServiceAllocator (one per Store)."""

    kind = "Service"

    def __init__(self, allocator: Optional[ServiceAllocator] = None, sctp: bool = True):
        self.allocator = allocator or ServiceAllocator()
        self.sctp = sctp  # False where the kernel has no SCTP: kube-proxy could not program it

    def _check_protocols(self, svc: Service) -> None:
        if self.sctp:
            return
        causes = [FieldError.forbidden(f"spec.ports[{i}].protocol", "SCTP is not available: this machine's kernel "
                                       "has no SCTP support, so kube-proxy could not program this port")
                  for i, p in enumerate(svc.spec.ports) if p.protocol == "SCTP"]
        if causes:
            raise invalid("Service", svc.metadata.name or "", causes)

    def before_create(self, obj: Service, txn: Transaction) -> Service:
        """Allocate everything the new Service needs; errors come before any field validation."""
        self._check_protocols(obj)
        return allocate_create(obj, self.allocator, txn)

    def before_update(self, old: Service, new: Service, txn: Transaction) -> Service:
        """Keep what was allocated, allocate or release for a type change, drop unused fields."""
        self._check_protocols(new)
        new = replace(new, spec=normalize_cluster_ips(patch_allocated_values(new.spec, old.spec), old.spec))
        new = allocate_update(new, old, self.allocator, txn)
        new = replace(new, spec=drop_type_dependent_fields(new.spec, old.spec))
        if new.spec.type != "LoadBalancer" and new.status.load_balancer != LoadBalancerStatus():
            # Cloud load-balancer teardown is asynchronous, but users never see a stale ingress.
            new = replace(new, status=replace(new.status, load_balancer=LoadBalancerStatus()))
        return new

    def after_delete(self, obj: Service) -> None:
        """A deleted Service's ClusterIP and ports are free for the next create at once."""
        release_all(obj, self.allocator)


register_strategy("Service", ServiceStrategy)
