"""LoadBalancer Services, the way MetalLB's layer-2 mode serves them on a bare-metal cluster.

An IP from a pool on the lab network goes to `status.loadBalancer.ingress`; one node answers ARP
for it (the "announcing" node). With externalTrafficPolicy: Local only a node with a ready local
endpoint may announce, as MetalLB's speakers do; with none, the IP is withdrawn.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import replace
from typing import Dict, Iterable, List, Optional, Tuple

from k8slab.api.endpointslice import SERVICE_NAME_LABEL, endpoint_ready
from k8slab.api.node import node_is_ready
from k8slab.api.recorder import Source
from k8slab.api.service import LoadBalancerIngress, LoadBalancerStatus, Service
from k8slab.controllers.base import Controller, Key, object_key


class AddressPool:
    """The IPs MetalLB may hand out (an IPAddressPool)."""

    def __init__(self, first: str, last: str):
        lo, hi = int(ipaddress.ip_address(first)), int(ipaddress.ip_address(last))
        self.addresses = [str(ipaddress.ip_address(i)) for i in range(lo, hi + 1)]
        self.range = f"{first}-{last}"

    def contains(self, ip: str) -> bool:
        """Is `ip` in the pool?"""
        return ip in self.addresses


def choose_ip(svc: Service, pool: AddressPool, taken: Dict[str, Key]) -> Tuple[Optional[str], Optional[str]]:
    """(ip, None) for a Service, or (None, why not): the requested IP if allowed, else the first free."""
    key = object_key(svc)
    current = [i.ip for i in svc.status.load_balancer.ingress if i.ip]
    wanted = svc.spec.load_balancer_ip or svc.metadata.annotations.get("metallb.universe.tf/loadBalancerIPs")
    if wanted:
        if not pool.contains(wanted):
            return None, f'"{wanted}" is not allowed in config (pool {pool.range})'
        if taken.get(wanted, key) != key:
            return None, f"can't change sharing key for \"{key[0]}/{key[1]}\", address also in use by {'/'.join(taken[wanted])}"
        return wanted, None
    if current and pool.contains(current[0]) and taken.get(current[0], key) == key:
        return current[0], None
    for ip in pool.addresses:
        if ip not in taken:
            return ip, None
    return None, "no available IPs"


def announcer(svc: Service, nodes: Iterable, local_ready_nodes: Iterable[str]) -> Optional[str]:
    """The node that answers ARP: any ready node by a stable hash, or (eTP Local) one with a local endpoint."""
    ready = sorted(n.metadata.name for n in nodes if node_is_ready(n))
    if svc.spec.external_traffic_policy == "Local":
        ready = [n for n in ready if n in set(local_ready_nodes)]
    if not ready:
        return None
    # MetalLB elects per service by hashing node and service names; any stable choice behaves alike.
    key = f"{svc.metadata.namespace}/{svc.metadata.name}"
    return min(ready, key=lambda n: hashlib.sha256(f"{n}#{key}".encode()).hexdigest())


CONTROLLER = Source("metallb-controller")


class LoadBalancerController(Controller):
    """Assigns LoadBalancer IPs and tells the network which node announces each."""

    name = "metallb-controller"
    kinds = ("Service", "EndpointSlice", "Node")

    def __init__(self, store, pool: AddressPool, network, recorder=None):
        super().__init__(store)
        self.pool = pool
        self.network = network
        self.recorder = recorder  # MetalLB's events on the Service (why it stays <pending>, who announces)
        self.taken: Dict[str, Key] = {}
        self.announced: Dict[str, str] = {}  # ip -> node
        self._failed: Dict[Key, str] = {}  # the reason last reported for a Service left <pending>

    def keys_for(self, event) -> Iterable[Key]:
        obj = event.obj
        if obj.kind == "Service":
            return [object_key(obj)]
        if obj.kind == "EndpointSlice":
            name = obj.metadata.labels.get(SERVICE_NAME_LABEL)
            return [(obj.metadata.namespace, name)] if name else []
        return [object_key(s) for s in self.store.list("Service") if s.spec.type == "LoadBalancer"]

    def sync(self, key: Key) -> None:
        ns, name = key
        svc = self.store.try_get("Service", name, ns)
        if svc is None or svc.spec.type != "LoadBalancer":
            self._release(key)
            if svc is not None and svc.status.load_balancer.ingress:
                self.store.update_status(replace(svc, status=replace(svc.status, load_balancer=LoadBalancerStatus())))
            return
        ip, why = choose_ip(svc, self.pool, self.taken)
        if ip is None:
            self._release(key)
            if self._failed.get(key) != why:  # stays <pending>, as MetalLB leaves it, with an event saying why
                self._failed[key] = why
                self._event(svc, "Warning", "AllocationFailed", f'Failed to allocate IP for "{ns}/{name}": {why}',
                            CONTROLLER)
            return
        self._failed.pop(key, None)
        if self.taken.get(ip) != key:
            self._event(svc, "Normal", "IPAllocated", f'Assigned IP ["{ip}"]', CONTROLLER)
        for other, owner in list(self.taken.items()):
            if owner == key and other != ip:
                self._withdraw(other)
                del self.taken[other]
        self.taken[ip] = key
        node = announcer(svc, self.store.list("Node"), self._local_ready_nodes(svc))
        if self.announced.get(ip) != node:
            self._withdraw(ip)
            if node is not None:
                self.network.announce(node, ip)
                self.announced[ip] = node
                self._event(svc, "Normal", "nodeAssigned", f'announcing from node "{node}" with protocol "layer2"',
                            Source("metallb-speaker", node))
        status = LoadBalancerStatus(ingress=(LoadBalancerIngress(ip=ip, ip_mode="VIP"),))
        if svc.status.load_balancer != status:
            self.store.update_status(replace(svc, status=replace(svc.status, load_balancer=status)))

    def _event(self, svc: Service, type_: str, reason: str, message: str, source) -> None:
        if self.recorder is not None:
            self.recorder.event(svc, type_, reason, message, source)

    def _local_ready_nodes(self, svc: Service) -> List[str]:
        nodes = []
        for s in self.store.list("EndpointSlice", svc.metadata.namespace):
            if s.metadata.labels.get(SERVICE_NAME_LABEL) == svc.metadata.name:
                nodes += [e.node_name for e in s.endpoints if e.node_name and endpoint_ready(e)]
        return nodes

    def _withdraw(self, ip: str) -> None:
        node = self.announced.pop(ip, None)
        if node is not None:
            self.network.withdraw(node, ip)

    def _release(self, key: Key) -> None:
        for ip, owner in list(self.taken.items()):
            if owner == key:
                self._withdraw(ip)
                del self.taken[ip]
