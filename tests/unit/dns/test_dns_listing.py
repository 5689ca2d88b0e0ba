"""records_for_service and all_records: what `dns records ns/svc` shows, for the seeds' examples."""

from __future__ import annotations

from k8slab.dns.model import DnsConfig, DnsState, EndpointInfo, ServiceInfo, ServicePortInfo
from k8slab.dns.records import all_records, answer, records_for_service
from test_dns_records import STATE, rrs

FOO = ServicePortInfo("foo", "TCP", 1234)
# The seed's headless Service and its two busybox pods (hostname busybox-N, subdomain default-subdomain).
SUBDOMAIN = ServiceInfo("default", "default-subdomain", "ClusterIP", "None", None, (FOO,), (
    EndpointInfo("10.244.1.7", "busybox-1", True, (FOO,)), EndpointInfo("10.244.2.8", "busybox-2", True, (FOO,))))
DATABASE = ServiceInfo("default", "database-service", "ExternalName", None, "my.database.example.com",
                       (ServicePortInfo("", "TCP", 80),))
WEB = ServiceInfo("default", "web", "ClusterIP", "10.96.0.50", None,
                  (ServicePortInfo("http", "TCP", 80), ServicePortInfo("", "TCP", 8080)), (
                      EndpointInfo("10.244.1.9", None, True, (ServicePortInfo("http", "TCP", 8080),)),
                      EndpointInfo("10.244.2.9", None, False, (ServicePortInfo("http", "TCP", 8080),))))
SEEDS = DnsState(services=(SUBDOMAIN, DATABASE, WEB), namespaces=frozenset({"default"}),
                 external={"my.database.example.com": ("192.168.1.50",)})
SUB = "default-subdomain.default.svc.cluster.local."


def test_headless_seed_service():
    assert records_for_service(SEEDS, "default", "default-subdomain") == list(rrs(
        f"{SUB} 30 A 10.244.1.7",
        f"{SUB} 30 A 10.244.2.8",
        f"_foo._tcp.{SUB} 30 SRV 0 50 1234 busybox-1.{SUB}",
        f"_foo._tcp.{SUB} 30 SRV 0 50 1234 busybox-2.{SUB}",
        f"busybox-1.{SUB} 30 A 10.244.1.7",
        f"busybox-2.{SUB} 30 A 10.244.2.8",
        f"7.1.244.10.in-addr.arpa. 30 PTR busybox-1.{SUB}",
        f"8.2.244.10.in-addr.arpa. 30 PTR busybox-2.{SUB}",
    ))


def test_externalname_seed_service_is_its_cname_alone():
    assert records_for_service(SEEDS, "default", "database-service") == list(rrs(
        "database-service.default.svc.cluster.local. 30 CNAME my.database.example.com."))


def test_clusterip_service_lists_named_ports_ready_endpoints_and_ptrs():
    assert records_for_service(SEEDS, "default", "web") == list(rrs(
        "web.default.svc.cluster.local. 30 A 10.96.0.50",
        "_http._tcp.web.default.svc.cluster.local. 30 SRV 0 100 80 web.default.svc.cluster.local.",
        "10-244-1-9.web.default.svc.cluster.local. 30 A 10.244.1.9",
        "50.0.96.10.in-addr.arpa. 30 PTR web.default.svc.cluster.local.",
        "9.1.244.10.in-addr.arpa. 30 PTR 10-244-1-9.web.default.svc.cluster.local.",
    ))


def test_every_listed_record_is_what_the_server_answers():
    for rr in all_records(STATE):
        got = answer(STATE, rr.name, rr.type)
        assert rr in got.answer, rr


def test_unknown_service_has_no_records():
    assert records_for_service(SEEDS, "default", "nope") == []
    assert records_for_service(SEEDS, "other", "web") == []


def test_lookup_is_case_insensitive_and_follows_the_config():
    got = records_for_service(SEEDS, "Default", "WEB", DnsConfig(zone="k8s.example", ttl=5))
    assert got[0] == rrs("web.default.svc.k8s.example. 5 A 10.96.0.50")[0]


def test_all_records_sorted_names_first_then_ptrs_by_address():
    listed = all_records(SEEDS)
    assert len(listed) == len(set(listed)) == 14
    names = [r for r in listed if r.type != "PTR"]
    assert names == sorted(names, key=lambda r: (r.name, r.type, r.data))
    assert [r.name for r in listed if r.type == "PTR"] == [
        "50.0.96.10.in-addr.arpa.", "7.1.244.10.in-addr.arpa.", "9.1.244.10.in-addr.arpa.", "8.2.244.10.in-addr.arpa."]
    assert listed[-4:] == [r for r in listed if r.type == "PTR"]
