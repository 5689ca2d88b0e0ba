"""MetalLB-style IP choice and announcement, and the API-to-proxy adapter (pure)."""

from __future__ import annotations

from datetime import datetime, timezone

from k8slab.api.codec import from_dict
from k8slab.api.endpointslice import EndpointSlice
from k8slab.api.service import Service
from k8slab.cluster import node_object
from k8slab.controllers.loadbalancer import AddressPool, announcer, choose_ip
from k8slab.net.addresses import ClusterSpec
from k8slab.proxy.model import Endpoint
from k8slab.proxy.sources import service_ports

NOW = datetime(2026, 11, 22, 10, 0, 0, tzinfo=timezone.utc)
NODES = [node_object(p, NOW) for p in ClusterSpec(3).node_plans()]
POOL = AddressPool("172.18.255.200", "172.18.255.202")


def lb(name="web", **spec):
    return from_dict(Service, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
                               "spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.50", "selector": {"app": name},
                                        "ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080, "protocol": "TCP"}],
                                        **spec}})


def test_first_free_ip_then_requested_ones():
    assert choose_ip(lb(), POOL, {}) == ("172.18.255.200", None)
    assert choose_ip(lb(), POOL, {"172.18.255.200": ("default", "other")}) == ("172.18.255.201", None)
    assert choose_ip(lb(loadBalancerIP="172.18.255.202"), POOL, {}) == ("172.18.255.202", None)
    ip, why = choose_ip(lb(loadBalancerIP="10.0.0.1"), POOL, {})
    assert ip is None and "not allowed in config" in why
    full = {ip: ("default", f"s{i}") for i, ip in enumerate(POOL.addresses)}
    assert choose_ip(lb(), POOL, full) == (None, "no available IPs")


def test_announcer_is_stable_and_follows_local_endpoints_for_etp_local():
    first = announcer(lb(), NODES, [])
    assert first in ("node1", "node2", "node3") and announcer(lb(), NODES, []) == first
    assert announcer(lb(externalTrafficPolicy="Local"), NODES, ["node3"]) == "node3"
    assert announcer(lb(externalTrafficPolicy="Local"), NODES, []) is None


def _slice(name, endpoints, ports):
    return from_dict(EndpointSlice, {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                                     "metadata": {"name": name, "namespace": "default",
                                                  "labels": {"kubernetes.io/service-name": "web"}},
                                     "addressType": "IPv4", "endpoints": endpoints, "ports": ports})


def test_service_ports_union_slices_match_port_names_and_read_conditions():
    svc = from_dict(Service, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
                              "spec": {"type": "NodePort", "clusterIP": "10.96.0.50", "sessionAffinity": "ClientIP",
                                       "externalTrafficPolicy": "Local",
                                       "ports": [{"name": "http", "port": 80, "nodePort": 30080, "protocol": "TCP"},
                                                 {"name": "dns", "port": 53, "protocol": "UDP"}]}})
    slices = [_slice("web-a", [{"addresses": ["10.244.2.5"], "conditions": {"ready": True}, "nodeName": "node2"}],
                     [{"name": "http", "port": 8080, "protocol": "TCP"}]),
              _slice("web-b", [{"addresses": ["10.244.1.5"], "conditions": {"ready": False, "serving": True, "terminating": True},
                                "nodeName": "node1"}], [{"name": "http", "port": 8080, "protocol": "TCP"}])]
    http, dns = service_ports([svc], slices)
    assert (http.port_name, http.node_port, http.affinity_timeout, http.external_local) == ("http", 30080, 10800, True)
    assert http.endpoints == (Endpoint("10.244.1.5", 8080, "node1", ready=False, serving=True, terminating=True),
                              Endpoint("10.244.2.5", 8080, "node2"))
    assert dns.endpoints == () and dns.protocol == "UDP"


def test_headless_externalname_and_labelled_services_get_no_rules():
    def s(**spec):
        return from_dict(Service, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x", "namespace": "default"},
                                   "spec": {"ports": [{"port": 80}], **spec}})
    assert service_ports([s(clusterIP="None"), s(type="ExternalName", externalName="a.example.com")], []) == []
    labelled = from_dict(Service, {"apiVersion": "v1", "kind": "Service",
                                   "metadata": {"name": "x", "namespace": "default",
                                                "labels": {"service.kubernetes.io/service-proxy-name": "other"}},
                                   "spec": {"clusterIP": "10.96.0.9", "ports": [{"port": 80}]}})
    assert service_ports([labelled], []) == []


class _Recorder:
    def __init__(self):
        self.events = []

    def event(self, obj, type_, reason, message, source):
        self.events.append((obj.metadata.name, type_, reason, message, source.component))


class _Network:
    def __init__(self):
        self.announced = []

    def announce(self, node, ip):
        self.announced.append((node, ip))

    def withdraw(self, node, ip):
        pass


def test_the_controller_says_why_a_service_stays_pending_and_who_announces():
    from dataclasses import replace

    from k8slab.api.service_strategy import ServiceStrategy
    from k8slab.api.store import Store
    from k8slab.controllers.loadbalancer import LoadBalancerController

    store = Store(strategies=[ServiceStrategy(sctp=False)])
    for node in NODES:
        created = store.create(node)
        store.update_status(replace(created, status=node.status))
    recorder, network = _Recorder(), _Network()
    controller = LoadBalancerController(store, POOL, network, recorder=recorder)
    store.create(lb("bad", loadBalancerIP="10.0.0.1", clusterIP="10.96.0.51",
                    ports=[{"port": 80, "nodePort": 30081}]), namespace="default")
    store.create(lb("web"), namespace="default")
    for name in ("bad", "bad", "web", "web"):  # a second sync repeats nothing
        controller.sync(("default", name))
    assert [e[:3] for e in recorder.events] == [("bad", "Warning", "AllocationFailed"), ("web", "Normal", "IPAllocated"),
                                                ("web", "Normal", "nodeAssigned")]
    assert 'Failed to allocate IP for "default/bad": "10.0.0.1" is not allowed in config' in recorder.events[0][3]
    assert recorder.events[1][3] == 'Assigned IP ["172.18.255.200"]' and recorder.events[2][4] == "metallb-speaker"
    assert network.announced == [(recorder.events[2][3].split('"')[1], "172.18.255.200")]
