"""The Endpoints controller: one core/v1 Endpoints per Service with a selector."""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from typing import Dict, Iterable, List, Optional, Tuple

from k8slab.api.endpoints import EndpointAddress, EndpointPort, Endpoints, EndpointSubset
from k8slab.api.meta import ObjectMeta, format_timestamp, utc_now
from k8slab.api.pod import Pod
from k8slab.api.selectors import Selector
from k8slab.api.service import Service, is_headless
from k8slab.controllers.base import Controller, Key, object_key
from k8slab.controllers.podselection import (endpoint_hostname, find_port, has_selector, pod_ready, pod_reference,
                                             selected_pods, should_include)

HEADLESS_LABEL = "service.kubernetes.io/headless"
MANAGED_BY = "endpoints.kubernetes.io/managed-by"
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"
MAX_ADDRESSES = 1000


def _ip_key(addr: EndpointAddress) -> Tuple:
    try:
        return (0, ipaddress.ip_address(addr.ip), addr.target_ref.uid if addr.target_ref else "")
    except ValueError:
        return (1, addr.ip, "")


def desired_subsets(svc: Service, pods: Iterable[Pod]) -> Tuple[EndpointSubset, ...]:
    """The subsets the controller computes: addresses grouped by their port sets (RepackSubsets)."""
    return _cap(_all_subsets(svc, pods))


def _all_subsets(svc: Service, pods: Iterable[Pod]) -> Tuple[EndpointSubset, ...]:
    tolerate = bool(svc.spec.publish_not_ready_addresses)
    groups: Dict[Tuple[EndpointPort, ...], Tuple[List[EndpointAddress], List[EndpointAddress]]] = {}
    for pod in selected_pods(svc, pods):
        if not should_include(pod, include_terminating=tolerate):
            continue
        addr = EndpointAddress(ip=pod.status.pod_ip, hostname=endpoint_hostname(pod, svc),
                               node_name=pod.spec.node_name, target_ref=pod_reference(pod))
        ports = []
        for sp in svc.spec.ports:
            number = find_port(pod, sp)
            if number is not None:
                ports.append(EndpointPort(name=sp.name, port=number, protocol=sp.protocol or "TCP",
                                          app_protocol=sp.app_protocol))
        if svc.spec.ports and not ports:
            continue  # the pod exposes none of the Service's ports
        ready, not_ready = groups.setdefault(tuple(ports), ([], []))
        (ready if tolerate or pod_ready(pod) else not_ready).append(addr)
    subsets = []
    for ports, (ready, not_ready) in groups.items():
        subsets.append(EndpointSubset(addresses=tuple(sorted(ready, key=_ip_key)),
                                      not_ready_addresses=tuple(sorted(not_ready, key=_ip_key)),
                                      ports=tuple(sorted(ports, key=lambda p: (p.name or "", p.port)))))
    subsets.sort(key=lambda s: [(p.name or "", p.port) for p in s.ports])
    return tuple(subsets)


def _cap(subsets: Tuple[EndpointSubset, ...]) -> Tuple[EndpointSubset, ...]:
    total = sum(len(s.addresses) + len(s.not_ready_addresses) for s in subsets)
    if total <= MAX_ADDRESSES:
        return subsets
    left, out = MAX_ADDRESSES, []
    for s in subsets:  # ready addresses first, as the controller truncates
        ready = s.addresses[:left]
        left -= len(ready)
        out.append(replace(s, addresses=ready))
    for i, s in enumerate(subsets):
        not_ready = s.not_ready_addresses[:max(left, 0)]
        left -= len(not_ready)
        out[i] = replace(out[i], not_ready_addresses=not_ready)
    return tuple(s for s in out if s.addresses or s.not_ready_addresses)


def desired_endpoints(svc: Service, pods: Iterable[Pod], current: Optional[Endpoints] = None) -> Endpoints:
    """The Endpoints object for a Service with a selector."""
    everything = _all_subsets(svc, pods)
    subsets = _cap(everything)
    labels = dict(svc.metadata.labels)
    if is_headless(svc):
        labels[HEADLESS_LABEL] = ""
    labels[MANAGED_BY] = "endpoint-controller"
    annotations = dict(current.metadata.annotations) if current else {}
    if subsets != everything:
        annotations[OVER_CAPACITY] = "truncated"
    else:
        annotations.pop(OVER_CAPACITY, None)
    meta = current.metadata if current else ObjectMeta(name=svc.metadata.name, namespace=svc.metadata.namespace)
    return Endpoints(metadata=replace(meta, labels=labels, annotations=annotations), subsets=subsets)


def same_endpoints(a: Endpoints, b: Endpoints) -> bool:
    """Equal for the controller's purposes (ignoring the trigger-time annotation)."""
    strip = lambda e: {k: v for k, v in e.metadata.annotations.items() if k != TRIGGER_TIME}  # noqa: E731
    return a.subsets == b.subsets and a.metadata.labels == b.metadata.labels and strip(a) == strip(b)


class EndpointsController(Controller):
    """Keeps each selector Service's Endpoints in step with its pods."""

    name = "endpoints-controller"
    kinds = ("Service", "Pod")

    def keys_for(self, event) -> Iterable[Key]:
        obj = event.obj
        if obj.kind == "Service":
            return [object_key(obj)]
        return services_for_pod(self.store, obj, event.old)

    def sync(self, key: Key) -> None:
        ns, name = key
        svc = self.store.try_get("Service", name, ns)
        current = self.store.try_get("Endpoints", name, ns)
        if svc is None:
            if current is not None:  # as the real controller: a deleted Service takes its Endpoints along
                self.store.delete("Endpoints", name, ns)
            return
        if not has_selector(svc):
            return  # the user manages this Service's endpoints (a real controller leaves old ones as they are)
        desired = desired_endpoints(svc, self.store.list("Pod", ns), current)
        if current is not None and same_endpoints(current, desired):
            return
        stamp = {**desired.metadata.annotations, TRIGGER_TIME: format_timestamp(utc_now())}
        desired = replace(desired, metadata=replace(desired.metadata, annotations=stamp))
        if current is None:
            self.store.create(desired, namespace=ns)
        else:
            self.store.update(desired)


def services_for_pod(store, pod: Pod, old: Optional[Pod]) -> List[Key]:
    """Services whose selector matches the pod now or matched it before the change."""
    ns = pod.metadata.namespace
    keys = []
    for svc in store.list("Service", ns):
        if not has_selector(svc):
            continue
        sel = Selector.from_match_labels(svc.spec.selector)
        if sel.matches(pod.metadata.labels) or (old is not None and sel.matches(old.metadata.labels)):
            keys.append(object_key(svc))
    return keys

