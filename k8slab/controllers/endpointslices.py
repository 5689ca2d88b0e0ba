"""The EndpointSlice controller (selector Services) and the mirroring controller (selectorless ones)."""

from __future__ import annotations

import ipaddress
from typing import Dict, Iterable, List, Optional, Tuple

from k8slab.api.endpointslice import (MIRRORING_CONTROLLER, SLICE_CONTROLLER, Endpoint, EndpointConditions,
                                      EndpointSlicePort)
from k8slab.api.endpoints import Endpoints
from k8slab.api.pod import Pod
from k8slab.api.service import Service, is_headless
from k8slab.controllers import slices
from k8slab.controllers.base import Controller, Key, object_key
from k8slab.controllers.endpoints import HEADLESS_LABEL, services_for_pod
from k8slab.controllers.podselection import (endpoint_hostname, find_port, has_selector, pod_ready, pod_reference,
                                             selected_pods, should_include)

ZONE_LABEL = "topology.kubernetes.io/zone"
SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror"


def pod_endpoint(svc: Service, pod: Pod, zone: Optional[str]) -> Endpoint:
    """One pod as an EndpointSlice endpoint, with the controller's conditions."""
    serving = pod_ready(pod)
    terminating = pod.metadata.deletion_timestamp is not None
    ready = bool(svc.spec.publish_not_ready_addresses) or (serving and not terminating)
    return Endpoint(addresses=(pod.status.pod_ip,),
                    conditions=EndpointConditions(ready=ready, serving=serving, terminating=terminating),
                    hostname=endpoint_hostname(pod, svc), target_ref=pod_reference(pod),
                    node_name=pod.spec.node_name, zone=zone)


def desired_groups(svc: Service, pods: Iterable[Pod], node_zones: Dict[str, Optional[str]]) -> List[slices.Group]:
    """Endpoints grouped by their resolved port lists (pods exposing different ports go apart)."""
    groups: Dict[Tuple[EndpointSlicePort, ...], List[Endpoint]] = {}
    for pod in selected_pods(svc, pods):
        if not should_include(pod, include_terminating=True):
            continue
        if pod.spec.node_name not in node_zones and not svc.spec.publish_not_ready_addresses:
            continue  # a pod on a node that does not exist is left out
        ports = []
        for sp in svc.spec.ports:
            number = find_port(pod, sp)
            if number is not None:
                ports.append(EndpointSlicePort(name=sp.name or "", protocol=sp.protocol or "TCP", port=number,
                                               app_protocol=sp.app_protocol))
        groups.setdefault(tuple(ports), []).append(pod_endpoint(svc, pod, node_zones.get(pod.spec.node_name)))
    for eps in groups.values():
        eps.sort(key=lambda e: ipaddress.ip_address(e.addresses[0]))
    if not groups:
        return [((), [])]  # the placeholder slice: no endpoints, no ports
    return [(ports, eps) for ports, eps in sorted(groups.items(), key=lambda kv: [(p.name, p.port) for p in kv[0]])]


class EndpointSliceController(Controller):
    """Keeps each selector Service's EndpointSlices in step with its pods."""

    name = "endpointslice-controller"
    kinds = ("Service", "Pod", "Node")

    def keys_for(self, event) -> Iterable[Key]:
        obj = event.obj
        if obj.kind == "Service":
            return [object_key(obj)]
        if obj.kind == "Node":
            return [object_key(s) for s in self.store.list("Service") if has_selector(s)]
        return services_for_pod(self.store, obj, event.old)

    def sync(self, key: Key) -> None:
        ns, name = key
        svc = self.store.try_get("Service", name, ns)
        if svc is None:
            slices.delete_all(self.store, ns, name, SLICE_CONTROLLER)  # what the garbage collector does
            return
        if not has_selector(svc):
            return  # as the real controller: slices it made earlier stay (kubernetes/kubernetes#118376)
        zones = {n.metadata.name: n.metadata.labels.get(ZONE_LABEL) for n in self.store.list("Node")}
        groups = desired_groups(svc, self.store.list("Pod", ns), zones)
        extra = {HEADLESS_LABEL: ""} if is_headless(svc) else {}
        labels = slices.slice_labels(svc.metadata.labels, name, SLICE_CONTROLLER, extra)
        slices.reconcile(self.store, ns, name, SLICE_CONTROLLER, groups, labels,
                         slices.owner_reference(svc, "Service"))


def mirrored_groups(ep: Endpoints) -> List[slices.Group]:
    """One group per Endpoints subset: ready addresses and not-ready ones, with the subset's ports."""
    groups = []
    for subset in ep.subsets:
        ports = tuple(EndpointSlicePort(name=p.name or "", protocol=p.protocol or "TCP", port=p.port,
                                        app_protocol=p.app_protocol) for p in subset.ports)
        endpoints = []
        for addresses, ready in ((subset.addresses, True), (subset.not_ready_addresses, False)):
            for a in addresses:
                endpoints.append(Endpoint(addresses=(a.ip,), conditions=EndpointConditions(ready=ready),
                                          hostname=a.hostname, target_ref=a.target_ref, node_name=a.node_name))
        groups.append((ports, endpoints))
    return groups


def should_mirror(svc: Optional[Service], ep: Optional[Endpoints]) -> bool:
    """Mirror hand-written Endpoints of an existing selectorless Service (unless told to skip)."""
    if svc is None or ep is None or has_selector(svc) or svc.spec.type == "ExternalName":
        return False
    return ep.metadata.labels.get(SKIP_MIRROR_LABEL) != "true"


class MirroringController(Controller):
    """Mirrors Endpoints written by hand into EndpointSlices, which is what kube-proxy reads."""

    name = "endpointslicemirroring-controller"
    kinds = ("Service", "Endpoints")

    def keys_for(self, event) -> Iterable[Key]:
        return [object_key(event.obj)]

    def sync(self, key: Key) -> None:
        ns, name = key
        svc = self.store.try_get("Service", name, ns)
        ep = self.store.try_get("Endpoints", name, ns)
        if not should_mirror(svc, ep):
            slices.delete_all(self.store, ns, name, MIRRORING_CONTROLLER)
            return
        labels = slices.slice_labels(ep.metadata.labels, name, MIRRORING_CONTROLLER)
        groups = mirrored_groups(ep)
        families = {ipaddress.ip_address(e.addresses[0]).version for _, eps in groups for e in eps}
        address_type = "IPv6" if families == {6} else "IPv4"
        groups = [(ports, eps) for ports, eps in groups if eps] or []
        if not groups:
            slices.delete_all(self.store, ns, name, MIRRORING_CONTROLLER)
            return
        slices.reconcile(self.store, ns, name, MIRRORING_CONTROLLER, groups, labels,
                         slices.owner_reference(ep, "Endpoints"), address_type)
