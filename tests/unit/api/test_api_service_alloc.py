"""ClusterIP and NodePort allocation: ranges, bands, exhaustion, release, and its place in the store."""

from __future__ import annotations

import ipaddress
import random

import pytest
from api_service_fixtures import allocator, api_error, kubectl_invalid, new_store, node_ports, service, usage

from k8slab.api.allocator import (
    AlreadyAllocated,
    IPAllocator,
    NotInRange,
    PortAllocator,
    RangeFull,
    ServiceAllocator,
    nth_service_ip,
)
from k8slab.api.bootstrap import kubernetes_service_objects
from k8slab.api.objects import Namespace, new_meta
from k8slab.api.service_strategy import ServiceStrategy
from k8slab.api.store import Store

LOWER_BAND_LAST_IP = ipaddress.ip_address("10.96.1.0")  # 10.96.0.1 + 256 reserved offsets - 1
LOWER_BAND_LAST_PORT = 30085  # 30000 + min(max(16, 2768 // 32), 128) - 1


# ------------------------------------------------------------------ the allocators on their own

def test_ip_allocator_hands_out_neither_network_nor_broadcast():
    ips = IPAllocator("10.96.0.0/29", random.Random(1))
    got = sorted(ips.allocate_next() for _ in range(6))
    assert got == [f"10.96.0.{i}" for i in range(1, 7)]
    with pytest.raises(RangeFull, match="^range is full$"):
        ips.allocate_next()
    for edge in ("10.96.0.0", "10.96.0.7"):
        with pytest.raises(NotInRange):
            ips.allocate(edge)


def test_ip_allocator_errors_read_like_the_apiserver():
    ips = IPAllocator("10.96.0.0/12", random.Random(1))
    ips.allocate("10.96.0.10")
    with pytest.raises(AlreadyAllocated, match="^provided IP is already allocated$"):
        ips.allocate("10.96.0.10")
    with pytest.raises(NotInRange) as info:
        ips.allocate("1.1.1.1")
    assert str(info.value) == ("the provided IP (1.1.1.1) is not in the valid range. "
                               "The range of valid IPs is 10.96.0.0/12")


def test_random_ips_come_from_the_upper_band_first():
    ips = IPAllocator("10.96.0.0/12", random.Random(3))
    got = [ipaddress.ip_address(ips.allocate_next()) for _ in range(200)]
    assert all(ip > LOWER_BAND_LAST_IP for ip in got)
    assert len(set(got)) == 200
    # Random, not sequential: successive addresses are not neighbours.
    assert sorted(got) != got


def test_the_lower_band_is_used_once_the_upper_band_is_full():
    ips = IPAllocator("10.96.0.0/27", random.Random(5))  # 30 usable, 16 reserved for chosen addresses
    upper = [ips.allocate_next() for _ in range(14)]
    assert all(int(ipaddress.ip_address(ip)) - int(ipaddress.ip_address("10.96.0.1")) >= 16 for ip in upper)
    assert int(ipaddress.ip_address(ips.allocate_next()).packed[-1]) <= 16


def test_chosen_ips_may_be_anywhere_in_range():
    ips = IPAllocator("10.96.0.0/12")
    for ip in ("10.96.0.1", "10.96.0.10", "10.100.0.1", "10.111.255.254"):
        ips.allocate(ip)
        assert ips.is_allocated(ip)
    assert ips.used == 4


def test_port_allocator():
    ports = PortAllocator("30000-32767", random.Random(2))
    got = [ports.allocate_next() for _ in range(100)]
    assert all(LOWER_BAND_LAST_PORT < p <= 32767 for p in got)
    ports.allocate(30000)
    with pytest.raises(AlreadyAllocated, match="^provided port is already allocated$"):
        ports.allocate(30000)
    with pytest.raises(NotInRange) as info:
        ports.allocate(80)
    assert str(info.value) == "provided port is not in the valid range. The range of valid ports is 30000-32767"
    ports.release(30000)
    ports.allocate(30000)


def test_same_seed_same_choices():
    first = [ServiceAllocator(rng=random.Random(9)).ips.allocate_next() for _ in range(3)]
    assert len(set(first)) == 1
    one, two = ServiceAllocator(rng=random.Random(1)), ServiceAllocator(rng=random.Random(2))
    assert [one.ips.allocate_next() for _ in range(5)] != [two.ips.allocate_next() for _ in range(5)]


def test_nth_service_ip():
    assert nth_service_ip() == "10.96.0.1"
    assert nth_service_ip("10.96.0.0/12", 10) == "10.96.0.10"


# ------------------------------------------------------------------ through the store

def test_explicit_cluster_ip_is_reserved_and_refused_twice():
    store = new_store()
    assert store.create(service("a", clusterIP="10.96.0.10")).spec.cluster_ips == ("10.96.0.10",)
    assert allocator(store).ips.is_allocated("10.96.0.10")
    err = api_error(store.create, service("b", clusterIP="10.96.0.10"))
    assert str(err) == kubectl_invalid("b", ['spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to '
                                             "allocate IP 10.96.0.10: provided IP is already allocated"])


def test_random_cluster_ips_and_node_ports_use_the_upper_bands():
    store = new_store(seed=11)
    created = [store.create(service(f"s{i}", type="NodePort")) for i in range(30)]
    assert all(ipaddress.ip_address(s.spec.cluster_ip) > LOWER_BAND_LAST_IP for s in created)
    assert all(s.spec.ports[0].node_port > LOWER_BAND_LAST_PORT for s in created)
    assert len({s.spec.cluster_ip for s in created}) == 30


def test_allocation_is_deterministic_for_a_seed():
    def first_ip(seed):
        return new_store(seed=seed).create(service()).spec.cluster_ip
    assert first_ip(4) == first_ip(4)


def test_exhausted_service_ips_are_an_internal_error():
    store = new_store(cidr="10.96.0.0/29")
    for i in range(6):
        store.create(service(f"s{i}"))
    err = api_error(store.create, service("x"))
    assert err.reason == "InternalError" and err.code == 500
    assert str(err) == ('Error from server (InternalError): Internal error occurred: failed to allocate a '
                        'serviceIP for Service "x": range is full')


def test_exhausted_node_ports_are_an_internal_error():
    store = new_store(ports="30000-30001")
    store.create(service("a", type="NodePort"))
    store.create(service("b", type="NodePort"))
    before = usage(store)
    err = api_error(store.create, service("c", type="NodePort"))
    assert str(err) == ("Error from server (InternalError): Internal error occurred: "
                        "failed to allocate a nodePort: range is full")
    assert usage(store) == before  # the ClusterIP taken before the ports ran out is given back


def test_node_port_already_allocated():
    store = new_store()
    store.create(service("a", type="NodePort", ports=[{"port": 80, "nodePort": 30080}]))
    err = api_error(store.create, service("b", type="NodePort", ports=[{"port": 80, "nodePort": 30080}]))
    assert str(err) == kubectl_invalid("b", ["spec.ports[0].nodePort: Invalid value: 30080: "
                                             "provided port is already allocated"])


def test_delete_releases_everything_for_the_next_create():
    store = new_store()
    spec = dict(type="LoadBalancer", externalTrafficPolicy="Local", clusterIP="10.96.5.5",
                healthCheckNodePort=30999, ports=[{"port": 80, "nodePort": 30080}])
    store.create(service("a", **spec))
    assert usage(store) == (1, 2)
    store.delete("Service", "a")
    assert usage(store) == (0, 0)
    again = store.create(service("b", **spec))
    assert (again.spec.cluster_ip, node_ports(again), again.spec.health_check_node_port) == (
        "10.96.5.5", [30080], 30999)


def test_namespace_deletion_releases_its_services():
    store = new_store()
    store.create(Namespace(metadata=new_meta("team")))
    store.create(service("a", clusterIP="10.96.7.7", type="NodePort"), namespace="team")
    store.delete("Namespace", "team")
    assert usage(store) == (0, 0)


def test_ports_with_the_same_number_share_one_node_port():
    store = new_store()
    dns = store.create(service("dns", type="NodePort", ports=[
        {"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
        {"name": "metrics", "port": 9153}]))
    udp, tcp, metrics = node_ports(dns)
    assert udp == tcp and metrics != udp
    assert allocator(store).ports.used == 2


def test_a_requested_node_port_is_shared_with_its_twin():
    store = new_store()
    dns = store.create(service("dns", type="NodePort", ports=[
        {"name": "dns", "port": 53, "protocol": "UDP"},
        {"name": "dns-tcp", "port": 53, "protocol": "TCP", "nodePort": 30053}]))
    assert node_ports(dns) == [30053, 30053]


def test_load_balancer_local_gets_a_health_check_node_port():
    store = new_store()
    lb = store.create(service("lb", type="LoadBalancer", externalTrafficPolicy="Local"))
    hc = lb.spec.health_check_node_port
    assert 30000 <= hc <= 32767 and hc != lb.spec.ports[0].node_port
    assert allocator(store).ports.is_allocated(hc)
    assert store.create(service("lb2", type="LoadBalancer")).spec.health_check_node_port is None


def test_requested_health_check_node_port_taken_is_an_internal_error():
    store = new_store()
    store.create(service("a", type="NodePort", ports=[{"port": 80, "nodePort": 30100}]))
    err = api_error(store.create, service("b", type="LoadBalancer", externalTrafficPolicy="Local",
                                          healthCheckNodePort=30100))
    assert str(err) == ("Error from server (InternalError): Internal error occurred: failed to allocate requested "
                        "HealthCheck NodePort 30100: provided port is already allocated")
    assert usage(store) == (1, 1)


def test_load_balancer_may_opt_out_of_node_ports():
    store = new_store()
    lb = store.create(service("lb", type="LoadBalancer", allocateLoadBalancerNodePorts=False,
                              ports=[{"name": "a", "port": 80}, {"name": "b", "port": 81, "nodePort": 30081}]))
    assert node_ports(lb) == [None, 30081]


@pytest.mark.parametrize("spec", [{"clusterIP": "None"}, {"type": "ExternalName", "externalName": "a.example.com"}])
def test_headless_and_external_name_take_no_address(spec):
    store = new_store()
    store.create(service(**spec))
    assert usage(store) == (0, 0)


def test_a_refused_create_leaves_the_allocator_unchanged():
    store = new_store()
    store.create(service("taken"))
    before = usage(store)
    # Allocated, then refused by validation.
    api_error(store.create, service("Bad_Name", clusterIP="10.96.0.50", type="NodePort"))
    assert not allocator(store).ips.is_allocated("10.96.0.50")
    # Allocated, then refused because the name exists.
    assert api_error(store.create, service("taken", type="NodePort")).reason == "AlreadyExists"
    # Allocated, then refused because the namespace does not exist.
    assert api_error(store.create, service("x"), namespace="nowhere").reason == "NotFound"
    # A second port refused after the first was reserved.
    api_error(store.create, service("y", type="NodePort", ports=[{"name": "a", "port": 80, "nodePort": 30001},
                                                                 {"name": "b", "port": 81, "nodePort": 1}]))
    assert usage(store) == before
    assert not allocator(store).ports.is_allocated(30001)


def test_every_store_has_its_own_allocator():
    one, two = new_store(), new_store()
    one.create(service(clusterIP="10.96.0.50", type="NodePort", ports=[{"port": 80, "nodePort": 30080}]))
    two.create(service(clusterIP="10.96.0.50", type="NodePort", ports=[{"port": 80, "nodePort": 30080}]))
    assert Store().strategy("Service").allocator is not Store().strategy("Service").allocator


def test_ranges_are_store_parameters():
    store = Store(strategies=[ServiceStrategy(ServiceAllocator("10.100.0.0/16", "31000-31010", random.Random(0)))])
    svc = store.create(service(type="NodePort"))
    assert svc.spec.cluster_ip.startswith("10.100.") and 31000 <= svc.spec.ports[0].node_port <= 31010
    err = api_error(store.create, service("b", clusterIP="10.96.0.5"))
    assert str(err.causes[0]).endswith("The range of valid IPs is 10.100.0.0/16")
    err = api_error(store.create, service("c", type="NodePort", ports=[{"port": 80, "nodePort": 30000}]))
    assert str(err.causes[0]).endswith("The range of valid ports is 31000-31010")


def test_the_kubernetes_service_reserves_the_first_address():
    store = new_store()
    for obj in kubernetes_service_objects("192.168.56.11"):
        store.create(obj, namespace="default")
    assert store.get("Service", "kubernetes").spec.cluster_ip == "10.96.0.1"
    err = api_error(store.create, service("b", clusterIP="10.96.0.1"))
    assert "provided IP is already allocated" in str(err)
