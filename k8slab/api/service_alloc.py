"""Service ClusterIP/NodePort allocation on create, update and delete (the apiserver's alloc.go).

Functions take the Service (frozen, so they return the changed copy), the store's ServiceAllocator
and the write's Transaction. Reservations happen at once and are undone on rollback; releases of
what the old object held are deferred to commit. Failures raise the ApiError kubectl would show,
and come before field validation: an allocation error is always reported alone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import List, Set

from k8slab.api import naming
from k8slab.api.allocator import AllocationError, RangeFull, ServiceAllocator
from k8slab.api.errors import ApiError, FieldError, go_strings, internal_error, invalid
from k8slab.api.service import Service, ServiceSpec
from k8slab.api.service_validation import is_headless, needs_health_check, validate_cluster_ips_related
from k8slab.api.strategy import Transaction

CONFIGURED_FAMILIES = ("IPv4",)  # the emulated cluster is single-stack


def needs_cluster_ip(spec: ServiceSpec) -> bool:
    """Every type but ExternalName has (or is headless instead of having) a ClusterIP."""
    return spec.type != "ExternalName"


def needs_node_ports(spec: ServiceSpec) -> bool:
    """NodePort and LoadBalancer Services carry nodePorts."""
    return spec.type in ("NodePort", "LoadBalancer")


def should_allocate_node_ports(spec: ServiceSpec) -> bool:
    """Whether unset nodePorts get one (a LoadBalancer may opt out with allocateLoadBalancerNodePorts)."""
    if spec.type == "NodePort":
        return True
    return spec.type == "LoadBalancer" and spec.allocate_load_balancer_node_ports is not False


def node_ports_of(spec: ServiceSpec) -> List[int]:
    """The nodePorts a Service holds (without its healthCheckNodePort)."""
    return [p.node_port for p in spec.ports if p.node_port]


def _invalid(svc: Service, errors: List[FieldError]) -> ApiError:
    return invalid("Service", svc.metadata.name or "", errors)


def init_ip_families(svc: Service) -> None:
    """The family pre-checks of initIPFamilyFields; errors are returned before any allocation."""
    spec = svc.spec
    if spec.type == "ExternalName":
        return
    errs = validate_cluster_ips_related(spec)
    if errs:
        raise _invalid(svc, errs)
    if spec.ip_family_policy == "SingleStack":
        for count, what in ((len(spec.cluster_ips), "cluster IPs"), (len(spec.ip_families), "IP families")):
            if count == 2:
                detail = f"must be 'RequireDualStack' or 'PreferDualStack' when multiple {what} are specified"
                errs.append(FieldError.invalid("spec.ipFamilyPolicy", spec.ip_family_policy, detail))
    for i, ip in enumerate(spec.cluster_ips):
        if ip == "None":
            break
        family = "IPv6" if naming.parse_ip(ip).version == 6 else "IPv4"  # type: ignore[union-attr]
        if i >= len(spec.ip_families) and family not in CONFIGURED_FAMILIES:
            errs.append(FieldError.invalid(f"spec.clusterIPs[{i}]", go_strings(spec.cluster_ips),
                                           f"{family} is not configured on this cluster"))
    if errs:
        raise _invalid(svc, errs)
    if is_headless(spec) and not spec.selector:
        return  # headless selectorless Services may name both families even on a single-stack cluster
    if spec.ip_family_policy == "RequireDualStack":
        errs.append(FieldError.invalid("spec.ipFamilyPolicy", spec.ip_family_policy,
                                       "this cluster is not configured for dual-stack services"))
    for i, family in enumerate(spec.ip_families):
        if family not in CONFIGURED_FAMILIES:
            errs.append(FieldError.invalid(f"spec.ipFamilies[{i}]", family, "not configured on this cluster"))
    if errs:
        raise _invalid(svc, errs)


def alloc_cluster_ip(svc: Service, alloc: ServiceAllocator, txn: Transaction) -> Service:
    """Reserve the requested ClusterIP or a random one (nothing for ExternalName or headless)."""
    spec = svc.spec
    if spec.type == "ExternalName" or is_headless(spec):
        return svc
    requested = spec.cluster_ips[0] if spec.cluster_ips else ""
    if requested:
        try:
            alloc.ips.allocate(requested)
        except AllocationError as exc:
            raise _invalid(svc, [FieldError.invalid("spec.clusterIPs", go_strings(spec.cluster_ips),
                                                    f"failed to allocate IP {requested}: {exc}")]) from None
        ip = requested
    else:
        try:
            ip = alloc.ips.allocate_next()
        except RangeFull as exc:
            name = svc.metadata.name or ""
            raise internal_error(f'failed to allocate a serviceIP for Service "{name}": {exc}') from None
    txn.on_rollback(lambda: alloc.ips.release(ip))
    return replace(svc, spec=replace(spec, cluster_ip=ip, cluster_ips=(ip,) + tuple(spec.cluster_ips[1:])))


def _reserve_port(svc: Service, alloc: ServiceAllocator, txn: Transaction, index: int, port: int) -> None:
    try:
        alloc.ports.allocate(port)
    except AllocationError as exc:
        raise _invalid(svc, [FieldError.invalid(f"spec.ports[{index}].nodePort", port, str(exc))]) from None
    txn.on_rollback(lambda: alloc.ports.release(port))


def _next_port(alloc: ServiceAllocator, txn: Transaction) -> int:
    try:
        port = alloc.ports.allocate_next()
    except RangeFull as exc:
        raise internal_error(f"failed to allocate a nodePort: {exc}") from None
    txn.on_rollback(lambda: alloc.ports.release(port))
    return port


def init_node_ports(svc: Service, alloc: ServiceAllocator, txn: Transaction) -> Service:
    """initNodePorts: requested ports are reserved; ports with the same `port` number share one."""
    spec = svc.spec
    by_port = {}
    ports = list(spec.ports)
    for i, sp in enumerate(ports):
        if not sp.node_port and not should_allocate_node_ports(spec):
            continue  # honour explicit requests only
        shared = by_port.get(sp.port)
        if shared is None:
            requested = next((p.node_port for p in spec.ports if p.port == sp.port and p.node_port), 0)
            if requested:
                _reserve_port(svc, alloc, txn, i, requested)
                number = requested
            else:
                number = _next_port(alloc, txn)
            ports[i] = replace(sp, node_port=number)
            by_port[sp.port] = number
        elif sp.node_port != shared:
            if not sp.node_port:
                ports[i] = replace(sp, node_port=shared)
            else:
                _reserve_port(svc, alloc, txn, i, sp.node_port)
    return replace(svc, spec=replace(spec, ports=tuple(ports)))


def alloc_health_check_port(svc: Service, alloc: ServiceAllocator, txn: Transaction) -> Service:
    """Reserve the requested healthCheckNodePort or a random one (errors are InternalErrors)."""
    requested = svc.spec.health_check_node_port or 0
    if requested:
        try:
            alloc.ports.allocate(requested)
        except AllocationError as exc:
            raise internal_error(f"failed to allocate requested HealthCheck NodePort {requested}: {exc}") from None
        port = requested
    else:
        try:
            port = alloc.ports.allocate_next()
        except RangeFull as exc:
            raise internal_error(f"failed to allocate a HealthCheck NodePort 0: {exc}") from None
    txn.on_rollback(lambda: alloc.ports.release(port))
    return replace(svc, spec=replace(svc.spec, health_check_node_port=port))


def allocate_create(svc: Service, alloc: ServiceAllocator, txn: Transaction) -> Service:
    """allocateCreate: IP families checked, then the ClusterIP, nodePorts and healthCheckNodePort."""
    init_ip_families(svc)
    svc = alloc_cluster_ip(svc, alloc, txn)
    if needs_node_ports(svc.spec):
        svc = init_node_ports(svc, alloc, txn)
    if needs_health_check(svc.spec):
        svc = alloc_health_check_port(svc, alloc, txn)
    return svc


def _release_later(txn: Transaction, release, value) -> None:
    txn.on_commit(lambda: release(value))


def update_cluster_ips(new: Service, old: Service, alloc: ServiceAllocator, txn: Transaction) -> Service:
    """Only a change to or from ExternalName allocates or releases; a headless Service stays as it is."""
    if old.spec.type == "ExternalName" and new.spec.type != "ExternalName":
        return alloc_cluster_ip(new, alloc, txn)
    if is_headless(old.spec):
        return new
    if old.spec.type != "ExternalName" and new.spec.type == "ExternalName":
        for ip in old.spec.cluster_ips:
            _release_later(txn, alloc.ips.release, ip)
    return new


def update_node_ports(new: Service, old: Service, alloc: ServiceAllocator, txn: Transaction) -> Service:
    """updateNodePorts: new requests reserved, unset ones allocated, dropped ones released on commit."""
    if needs_node_ports(old.spec) and new.spec.type in ("ExternalName", "ClusterIP"):
        for port in node_ports_of(old.spec):
            _release_later(txn, alloc.ports.release, port)
    if not needs_node_ports(new.spec):
        return new
    old_numbers = node_ports_of(old.spec)
    reserved: Set[int] = set()
    seen: Set[tuple] = set()
    ports = list(new.spec.ports)
    for i, sp in enumerate(ports):
        if not sp.node_port and not should_allocate_node_ports(new.spec):
            continue
        number = sp.node_port
        if number:
            if number not in old_numbers and number not in reserved:
                _reserve_port(new, alloc, txn, i, number)
                reserved.add(number)
        else:
            number = _next_port(alloc, txn)
            ports[i] = replace(sp, node_port=number)
        key = (sp.protocol, number)
        if key in seen:
            # Not a field error upstream either: the apiserver answers 500 with Go's struct text.
            raise internal_error(f"duplicate nodePort: {{{sp.protocol} {number}}}")
        seen.add(key)
    new = replace(new, spec=replace(new.spec, ports=tuple(ports)))
    kept = set(node_ports_of(new.spec))
    for number in old_numbers:
        if number not in kept:
            _release_later(txn, alloc.ports.release, number)
    return new


def update_health_check_port(new: Service, old: Service, alloc: ServiceAllocator, txn: Transaction) -> Service:
    """Allocate on becoming LoadBalancer+Local, release on ceasing to be; a change is a validation error."""
    needed, needs = needs_health_check(old.spec), needs_health_check(new.spec)
    if needs and not needed:
        return alloc_health_check_port(new, alloc, txn)
    if needed and not needs and old.spec.health_check_node_port:
        _release_later(txn, alloc.ports.release, old.spec.health_check_node_port)
    return new


def allocate_update(new: Service, old: Service, alloc: ServiceAllocator, txn: Transaction) -> Service:
    """allocateUpdate: IP families checked, then ClusterIPs, nodePorts and healthCheckNodePort."""
    init_ip_families(new)
    new = update_cluster_ips(new, old, alloc, txn)
    new = update_node_ports(new, old, alloc, txn)
    return update_health_check_port(new, old, alloc, txn)


def release_all(svc: Service, alloc: ServiceAllocator) -> None:
    """releaseAllocatedResources: everything a deleted Service held, at once."""
    spec = svc.spec
    if spec.type != "ExternalName" and not is_headless(spec):
        for ip in spec.cluster_ips:
            alloc.ips.release(ip)
    for port in node_ports_of(spec):
        alloc.ports.release(port)
    if needs_health_check(spec) and spec.health_check_node_port:
        alloc.ports.release(spec.health_check_node_port)

