"""From API objects to the DNS server's state: what CoreDNS's kubernetes plugin caches (pure)."""

from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

from k8slab.api.endpointslice import SERVICE_NAME_LABEL, EndpointSlice, endpoint_ready
from k8slab.api.service import Service
from k8slab.dns.model import DnsState, EndpointInfo, ServiceInfo, ServicePortInfo


def _endpoints(slices: Sequence[EndpointSlice], tolerate_unready: bool) -> Tuple[EndpointInfo, ...]:
    """Every endpoint of a Service's slices (CoreDNS reads EndpointSlices), first address only."""
    seen: Dict[str, EndpointInfo] = {}
    for s in slices:
        if s.address_type != "IPv4":
            continue
        ports = tuple(ServicePortInfo(p.name or "", p.protocol or "TCP", p.port) for p in s.ports if p.port)
        for ep in s.endpoints:
            for ip in ep.addresses[:1]:
                ready = tolerate_unready or endpoint_ready(ep)
                seen.setdefault(ip, EndpointInfo(ip=ip, hostname=ep.hostname, ready=ready, ports=ports))
    return tuple(seen[ip] for ip in sorted(seen, key=lambda a: tuple(int(x) for x in a.split("."))))


def dns_state(services: Iterable[Service], slices: Iterable[EndpointSlice], namespaces: Iterable[str],
              external: Mapping[str, Tuple[str, ...]], external_cnames: Mapping[str, str] = ()) -> DnsState:
    """The whole state the DNS server answers from."""
    by_service: Dict[Tuple[str, str], List[EndpointSlice]] = {}
    for s in slices:
        name = s.metadata.labels.get(SERVICE_NAME_LABEL)
        if name:
            by_service.setdefault((s.metadata.namespace, name), []).append(s)
    infos = []
    for svc in services:
        spec = svc.spec
        key = (svc.metadata.namespace, svc.metadata.name)
        infos.append(ServiceInfo(
            namespace=key[0], name=key[1], type=spec.type or "ClusterIP",
            cluster_ip=None if spec.type == "ExternalName" else spec.cluster_ip,
            external_name=spec.external_name.rstrip(".") if spec.external_name else None,
            ports=tuple(ServicePortInfo(p.name or "", p.protocol or "TCP", p.port) for p in spec.ports),
            endpoints=_endpoints(by_service.get(key, []), bool(spec.publish_not_ready_addresses))))
    return DnsState(services=tuple(sorted(infos, key=lambda i: (i.namespace, i.name))),
                    namespaces=frozenset(namespaces), external=dict(external),
                    external_cnames=dict(external_cnames))


def state_from_store(store, external: Mapping[str, Tuple[str, ...]], external_cnames: Mapping[str, str] = ()) -> DnsState:
    """A snapshot of the store as DNS state."""
    return dns_state(store.list("Service"), store.list("EndpointSlice"),
                     [n.metadata.name for n in store.list("Namespace")], external, external_cnames)
