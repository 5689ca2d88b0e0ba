"""Cluster-zone answers, table-driven after CoreDNS's plugin/kubernetes/handler_test.go (own fixtures)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from k8slab.dns.model import DnsConfig, DnsState, EndpointInfo, ServiceInfo, ServicePortInfo
from k8slab.dns.records import RR, Answer, answer

SERIAL = 1700000000
SOA = f"cluster.local. 30 SOA ns.dns.cluster.local. hostmaster.cluster.local. {SERIAL} 7200 1800 86400 30"
HTTP = ServicePortInfo("http", "TCP", 80)


def ep(ip: str, hostname: str = None, ready: bool = True, ports=(HTTP,)) -> EndpointInfo:
    return EndpointInfo(ip=ip, hostname=hostname, ready=ready, ports=tuple(ports))


def svc(ns: str, name: str, cluster_ip, ports=(HTTP,), endpoints=(), type_="ClusterIP", external=None):
    return ServiceInfo(namespace=ns, name=name, type=type_, cluster_ip=cluster_ip, external_name=external,
                       ports=tuple(ports), endpoints=tuple(endpoints))


def external(ns: str, name: str, target: str) -> ServiceInfo:
    return svc(ns, name, None, type_="ExternalName", external=target)


SERVICES = (
    svc("default", "kubernetes", "10.96.0.1", [ServicePortInfo("https", "TCP", 443)],
        [ep("172.18.0.2", ports=[ServicePortInfo("https", "TCP", 6443)])]),
    svc("kube-system", "kube-dns", "10.96.0.10",
        [ServicePortInfo("dns", "UDP", 53), ServicePortInfo("dns-tcp", "TCP", 53), ServicePortInfo("metrics", "TCP", 9153)],
        [ep("10.244.0.2", ports=[ServicePortInfo("dns", "UDP", 53)]), ep("10.244.0.3", ports=[ServicePortInfo("dns", "UDP", 53)])]),
    svc("testns", "svc1", "10.96.1.1", endpoints=[ep("10.244.1.1", "ep1a", ports=[ServicePortInfo("http", "TCP", 8080)])]),
    svc("testns", "svc1-alias", "10.96.1.9", endpoints=[ep("10.244.1.1")]),
    svc("testns", "svcempty", "10.96.1.2"),
    svc("testns", "svc3ports", "10.96.1.3", [HTTP, ServicePortInfo("", "TCP", 8080), ServicePortInfo("https", "TCP", 443)]),
    svc("testns", "hdls1", "None", endpoints=[
        ep("10.244.1.2"), ep("10.244.1.3"), ep("10.244.1.4", "dup-name"), ep("10.244.2.5", "dup-name"),
        ep("10.244.2.6", ready=False)]),
    svc("testns", "hdlsprtls", "None", ports=(), endpoints=[ep("10.244.1.20", ports=())]),
    svc("testns", "hdlsempty", "None", endpoints=[ep("10.244.3.1", ready=False)]),
    external("testns", "external", "ext.interwebs.test"),
    external("testns", "external-to-service", "svc1.testns.svc.cluster.local"),
    external("testns", "external-nowhere", "nowhere.example"),
    external("testns", "external-ip", "192.0.2.1"),
    external("default", "database-service", "my.database.example.com"),
)
STATE = DnsState(services=SERVICES, namespaces=frozenset({"default", "kube-system", "testns"}),
                 external={"ext.interwebs.test": ("198.51.100.7",), "my.database.example.com": ("192.168.1.50",)},
                 serial=SERIAL)


def rr(text: str) -> RR:
    name, ttl, type_, data = text.split(None, 3)
    return RR(name, int(ttl), type_, data)


def rrs(*texts: str) -> tuple:
    return tuple(rr(t) for t in texts)


def nxdomain() -> Answer:
    return Answer("NXDOMAIN", (), rrs(SOA), (), True)


def nodata() -> Answer:
    return Answer("NOERROR", (), rrs(SOA), (), True)


def ok(*answer_rrs: str, extra=()) -> Answer:
    return Answer("NOERROR", rrs(*answer_rrs), (), rrs(*extra), True)


S1 = "svc1.testns.svc.cluster.local."
H1 = "hdls1.testns.svc.cluster.local."
CASES = [
    # ClusterIP Services: A exists even without endpoints; IPv4 only, so AAAA is NODATA.
    ("svc1.testns.svc.cluster.local.", "A", ok(f"{S1} 30 A 10.96.1.1")),
    ("svcempty.testns.svc.cluster.local.", "A", ok("svcempty.testns.svc.cluster.local. 30 A 10.96.1.2")),
    ("svc1.testns.svc.cluster.local.", "AAAA", nodata()),
    ("svc1.testns.svc.cluster.local.", "TXT", nodata()),
    ("svc1.testns.svc.cluster.local.", "SOA", nodata()),
    ("svc1.testns.svc.cluster.local.", "CNAME", nodata()),
    ("svc1.testns.svc.cluster.local.", "PTR", nodata()),
    ("svc1.testns.svc.cluster.local.", "MX", nodata()),
    ("svc1.testns.svc.cluster.local.", "ANY", nodata()),
    ("svc0.testns.svc.cluster.local.", "A", nxdomain()),
    ("svc0.testns.svc.cluster.local.", "AAAA", nxdomain()),
    ("svc0.testns.svc.cluster.local.", "TXT", nxdomain()),
    ("svc0.testns.svc.cluster.local.", "ANY", nxdomain()),
    ("svc0.testns.svc.cluster.local.", "SOA", nodata()),  # CoreDNS only looks SOA up at the apex
    ("svc0.svc-nons.svc.cluster.local.", "A", nxdomain()),
    ("svc1.svc-nons.svc.cluster.local.", "A", nxdomain()),
    # SRV: named ports, or every port on the bare name; ClusterIP target is the Service name.
    ("_http._tcp.svc1.testns.svc.cluster.local.", "SRV",
     ok(f"_http._tcp.{S1} 30 SRV 0 100 80 {S1}", extra=[f"{S1} 30 A 10.96.1.1"])),
    ("http.tcp.svc1.testns.svc.cluster.local.", "SRV",
     ok(f"http.tcp.{S1} 30 SRV 0 100 80 {S1}", extra=[f"{S1} 30 A 10.96.1.1"])),
    ("svc1.testns.svc.cluster.local.", "SRV", ok(f"{S1} 30 SRV 0 100 80 {S1}", extra=[f"{S1} 30 A 10.96.1.1"])),
    ("_http._tcp.svcempty.testns.svc.cluster.local.", "SRV",
     ok("_http._tcp.svcempty.testns.svc.cluster.local. 30 SRV 0 100 80 svcempty.testns.svc.cluster.local.",
        extra=["svcempty.testns.svc.cluster.local. 30 A 10.96.1.2"])),
    ("svc3ports.testns.svc.cluster.local.", "SRV", ok(
        *[f"svc3ports.testns.svc.cluster.local. 30 SRV 0 33 {p} svc3ports.testns.svc.cluster.local." for p in (80, 8080, 443)],
        extra=["svc3ports.testns.svc.cluster.local. 30 A 10.96.1.3"])),
    ("_https._tcp.svc1.testns.svc.cluster.local.", "SRV", nxdomain()),
    ("_http._udp.svc1.testns.svc.cluster.local.", "SRV", nxdomain()),
    ("_http._tcp.svc1.testns.svc.cluster.local.", "A", ok(f"_http._tcp.{S1} 30 A 10.96.1.1")),
    # Headless: one A per ready endpoint; endpoint names are the hostname or the dashed IP.
    ("hdls1.testns.svc.cluster.local.", "A",
     ok(*[f"{H1} 30 A {ip}" for ip in ("10.244.1.2", "10.244.1.3", "10.244.1.4", "10.244.2.5")])),
    ("hdls1.testns.svc.cluster.local.", "AAAA", nodata()),
    ("hdlsprtls.testns.svc.cluster.local.", "A", ok("hdlsprtls.testns.svc.cluster.local. 30 A 10.244.1.20")),
    ("10-244-1-20.hdlsprtls.testns.svc.cluster.local.", "A",
     ok("10-244-1-20.hdlsprtls.testns.svc.cluster.local. 30 A 10.244.1.20")),
    ("hdlsprtls.testns.svc.cluster.local.", "SRV", nodata()),
    ("10-244-1-2.hdls1.testns.svc.cluster.local.", "A", ok(f"10-244-1-2.{H1} 30 A 10.244.1.2")),
    ("dup-name.hdls1.testns.svc.cluster.local.", "A", ok(f"dup-name.{H1} 30 A 10.244.1.4", f"dup-name.{H1} 30 A 10.244.2.5")),
    ("10-244-2-6.hdls1.testns.svc.cluster.local.", "A", nxdomain()),  # not ready
    ("bogusendpoint.hdls1.testns.svc.cluster.local.", "A", nxdomain()),
    ("bogusendpoint.svc0.testns.svc.cluster.local.", "A", nxdomain()),
    ("hdlsempty.testns.svc.cluster.local.", "A", nxdomain()),
    ("hdlsempty.testns.svc.cluster.local.", "SRV", nxdomain()),
    ("_http._tcp.hdls1.testns.svc.cluster.local.", "SRV", ok(
        f"_http._tcp.{H1} 30 SRV 0 25 80 10-244-1-2.{H1}", f"_http._tcp.{H1} 30 SRV 0 25 80 10-244-1-3.{H1}",
        f"_http._tcp.{H1} 30 SRV 0 25 80 dup-name.{H1}",
        extra=[f"10-244-1-2.{H1} 30 A 10.244.1.2", f"10-244-1-3.{H1} 30 A 10.244.1.3",
               f"dup-name.{H1} 30 A 10.244.1.4", f"dup-name.{H1} 30 A 10.244.2.5"])),
    # Endpoint names work for any Service type, with the endpoint's hostname when it has one.
    ("ep1a.svc1.testns.svc.cluster.local.", "A", ok(f"ep1a.{S1} 30 A 10.244.1.1")),
    ("ep1a.svc1.testns.svc.cluster.local.", "SRV", ok(f"ep1a.{S1} 30 SRV 0 100 8080 ep1a.{S1}",
                                                       extra=[f"ep1a.{S1} 30 A 10.244.1.1"])),
    ("10-244-1-1.svc1.testns.svc.cluster.local.", "A", nxdomain()),
    ("10-244-1-1.svc1-alias.testns.svc.cluster.local.", "A",
     ok("10-244-1-1.svc1-alias.testns.svc.cluster.local. 30 A 10.244.1.1")),
    # ExternalName: CNAME, chased to the outside world for address queries.
    ("external.testns.svc.cluster.local.", "CNAME",
     ok("external.testns.svc.cluster.local. 30 CNAME ext.interwebs.test.")),
    ("external.testns.svc.cluster.local.", "A", ok(
        "external.testns.svc.cluster.local. 30 CNAME ext.interwebs.test.", "ext.interwebs.test. 30 A 198.51.100.7")),
    ("external.testns.svc.cluster.local.", "AAAA", ok("external.testns.svc.cluster.local. 30 CNAME ext.interwebs.test.")),
    ("external.testns.svc.cluster.local.", "SRV", nodata()),
    ("external.testns.svc.cluster.local.", "TXT", nodata()),
    ("_http._tcp.external.testns.svc.cluster.local.", "SRV", nxdomain()),
    ("x.external.testns.svc.cluster.local.", "A", nxdomain()),
    ("external-to-service.testns.svc.cluster.local.", "A", ok(
        f"external-to-service.testns.svc.cluster.local. 30 CNAME {S1}", f"{S1} 30 A 10.96.1.1")),
    ("external-nowhere.testns.svc.cluster.local.", "A",
     ok("external-nowhere.testns.svc.cluster.local. 30 CNAME nowhere.example.")),
    ("external-ip.testns.svc.cluster.local.", "A", nxdomain()),
    # The zone's own names (table 1.3).
    ("dns-version.cluster.local.", "TXT", ok('dns-version.cluster.local. 28800 TXT "1.1.0"')),
    ("dns-version.cluster.local.", "A", nxdomain()),
    ("svc.cluster.local.", "A", nodata()),
    ("pod.cluster.local.", "A", nodata()),
    ("testns.svc.cluster.local.", "A", nodata()),
    ("testns.pod.cluster.local.", "A", nodata()),
    ("nons.svc.cluster.local.", "A", nxdomain()),
    ("svc.cluster.local.", "NS", nodata()),
    ("testns.svc.cluster.local.", "NS", nodata()),
    ("foo.cluster.local.", "NS", nxdomain()),
    ("foo.svc.cluster.local.", "NS", nxdomain()),
    ("foo.cluster.local.", "A", nxdomain()),
    ("a.b.c.svc1.testns.svc.cluster.local.", "A", nxdomain()),
    ("cluster.local.", "A", nodata()),
    ("cluster.local.", "SOA", Answer("NOERROR", rrs(SOA), (), (), True)),
    ("cluster.local.", "NS", ok("cluster.local. 30 NS kube-dns.kube-system.svc.cluster.local.",
                                extra=["kube-dns.kube-system.svc.cluster.local. 30 A 10.96.0.10"])),
    ("ns.dns.cluster.local.", "A", ok("ns.dns.cluster.local. 30 A 10.96.0.10")),
    ("cluster.local.", "AXFR", Answer("REFUSED")),
    # Pods (`pods insecure`): any well-formed dashed address in an existing namespace.
    ("10-244-1-5.testns.pod.cluster.local.", "A", ok("10-244-1-5.testns.pod.cluster.local. 30 A 10.244.1.5")),
    ("10-244-1-5.testns.pod.cluster.local.", "AAAA", nodata()),
    ("10-244-1-5.nons.pod.cluster.local.", "A", nxdomain()),
    ("10-244-1-256.testns.pod.cluster.local.", "A", nxdomain()),
    ("010-244-1-5.testns.pod.cluster.local.", "A", nxdomain()),
    ("10-244-1.testns.pod.cluster.local.", "A", nxdomain()),
    ("a-b-c-d.testns.pod.cluster.local.", "A", nxdomain()),
    ("fd00--1.testns.pod.cluster.local.", "AAAA", ok("fd00--1.testns.pod.cluster.local. 30 AAAA fd00::1")),
    ("x.10-244-1-5.testns.pod.cluster.local.", "A", ok("x.10-244-1-5.testns.pod.cluster.local. 30 A 10.244.1.5")),
    ("10-244-1-5.testns.pod.cluster.local.", "SRV", ok(
        "10-244-1-5.testns.pod.cluster.local. 30 SRV 0 100 0 10-244-1-5.testns.pod.cluster.local.",
        extra=["10-244-1-5.testns.pod.cluster.local. 30 A 10.244.1.5"])),
    # PTR: a ClusterIP names its Service; an endpoint IP names itself once per Service.
    ("1.1.96.10.in-addr.arpa.", "PTR", ok(f"1.1.96.10.in-addr.arpa. 30 PTR {S1}")),
    ("2.1.244.10.in-addr.arpa.", "PTR", ok(f"2.1.244.10.in-addr.arpa. 30 PTR 10-244-1-2.{H1}")),
    ("4.1.244.10.in-addr.arpa.", "PTR", ok(f"4.1.244.10.in-addr.arpa. 30 PTR dup-name.{H1}")),
    ("1.1.244.10.in-addr.arpa.", "PTR", ok(f"1.1.244.10.in-addr.arpa. 30 PTR ep1a.{S1}",
                                           "1.1.244.10.in-addr.arpa. 30 PTR 10-244-1-1.svc1-alias.testns.svc.cluster.local.")),
    ("10.0.96.10.in-addr.arpa.", "PTR", ok("10.0.96.10.in-addr.arpa. 30 PTR kube-dns.kube-system.svc.cluster.local.")),
    ("in-addr.arpa.", "SOA", Answer("NOERROR", rrs(
        f"in-addr.arpa. 30 SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. {SERIAL} 7200 1800 86400 30"), (), (), True)),
]


@pytest.mark.parametrize("qname,qtype,expected", CASES, ids=[f"{q} {t}" for q, t, _ in CASES])
def test_cluster_answers(qname, qtype, expected):
    assert answer(STATE, qname, qtype) == expected


@pytest.mark.parametrize("n,weight", [(1, 100), (2, 50), (3, 33), (4, 25), (6, 16), (7, 14)])
def test_srv_weight_is_floor_100_over_n(n, weight):
    eps = [ep(f"10.244.5.{i}") for i in range(1, n + 1)]
    state = replace(STATE, services=(svc("testns", "many", "None", endpoints=eps),))
    got = answer(state, "_http._tcp.many.testns.svc.cluster.local", "SRV")
    assert [r.data.split()[:3] for r in got.answer] == [["0", str(weight), "80"]] * n
    assert [r.data for r in got.additional] == [f"10.244.5.{i}" for i in range(1, n + 1)]


def test_bare_srv_counts_every_port_of_every_endpoint():
    ports = [HTTP, ServicePortInfo("metrics", "TCP", 9090)]
    eps = [ep(f"10.244.5.{i}", ports=ports) for i in (1, 2, 3)]
    state = replace(STATE, services=(svc("testns", "six", "None", ports, eps),))
    got = answer(state, "six.testns.svc.cluster.local", "SRV")
    assert len(got.answer) == 6 and {r.data.split()[1] for r in got.answer} == {"16"}
    assert len(got.additional) == 3  # one address per target, not per port


def test_names_are_case_insensitive_and_echo_the_question():
    got = answer(STATE, "SVC1.TestNS.svc.Cluster.Local.", "A")
    assert got.answer == rrs("SVC1.TestNS.svc.Cluster.Local. 30 A 10.96.1.1")
    srv = answer(STATE, "_HTTP._TCP.svc1.testns.svc.Cluster.Local", "SRV")
    assert srv.answer == rrs("_HTTP._TCP.svc1.testns.svc.Cluster.Local. 30 SRV 0 100 80 svc1.testns.svc.Cluster.Local.")
    missing = answer(STATE, "SVC0.testns.svc.Cluster.Local", "A")
    assert missing.rcode == "NXDOMAIN" and missing.authority[0].name == "Cluster.Local."


def test_question_without_trailing_dot():
    assert answer(STATE, "svc1.testns.svc.cluster.local", "a") == answer(STATE, "svc1.testns.svc.cluster.local.", "A")


def test_servfail_before_the_first_state():
    got = answer(None, "svc1.testns.svc.cluster.local.", "A")
    assert got == Answer("SERVFAIL", (), rrs("cluster.local. 30 SOA ns.dns.cluster.local. hostmaster.cluster.local. 0 7200 1800 86400 30"), (), True)
    # Names the plugin can answer without data are answered, as CoreDNS does before its sync.
    assert answer(None, "dns-version.cluster.local.", "TXT").rcode == "NOERROR"
    assert answer(None, "svc.cluster.local.", "A").rcode == "NOERROR"
    assert answer(None, "10-244-1-5.default.pod.cluster.local.", "A").rcode == "SERVFAIL"


def test_ttl_and_soa_follow_the_config():
    got = answer(STATE, "svc0.testns.svc.cluster.local", "A", DnsConfig(ttl=5))
    assert got.authority == rrs(f"cluster.local. 5 SOA ns.dns.cluster.local. hostmaster.cluster.local. {SERIAL} 7200 1800 86400 5")
    # The SOA's own TTL is capped at 300; its minimum field is the plugin TTL.
    long = answer(STATE, "svc0.testns.svc.cluster.local", "A", DnsConfig(ttl=600))
    assert long.authority[0].ttl == 300 and long.authority[0].data.endswith(" 600")
    assert answer(STATE, "svc1.testns.svc.cluster.local", "A", DnsConfig(ttl=5)).answer[0].ttl == 5


def test_another_cluster_zone():
    config = DnsConfig(zone="k8s.example")
    assert answer(STATE, "svc1.testns.svc.k8s.example", "A", config).answer == rrs("svc1.testns.svc.k8s.example. 30 A 10.96.1.1")
    assert answer(STATE, "1.1.96.10.in-addr.arpa", "PTR", config).answer[0].data == "svc1.testns.svc.k8s.example."
    # cluster.local is then an outside name like any other.
    assert answer(STATE, "svc1.testns.svc.cluster.local", "A", config) == Answer("NXDOMAIN")


def test_ns_names_the_service_in_front_of_the_server():
    behind = DnsConfig(server_ips=("10.244.0.3",))
    assert answer(STATE, "cluster.local", "NS", behind).answer == rrs("cluster.local. 30 NS kube-dns.kube-system.svc.cluster.local.")
    alone = DnsConfig(server_ips=("10.244.9.9",))
    got = answer(STATE, "cluster.local", "NS", alone)
    assert got.answer == rrs("cluster.local. 30 NS ns.dns.cluster.local.")
    assert got.additional == rrs("ns.dns.cluster.local. 30 A 10.244.9.9")
    bare = answer(replace(STATE, services=()), "cluster.local", "NS")
    assert bare.additional == rrs("ns.dns.cluster.local. 30 A 10.96.0.10")


def test_cache_cap_rewrites_every_ttl():
    config = DnsConfig(cache_ttl=30, external_ttl=300)
    assert answer(STATE, "dns-version.cluster.local", "TXT", config).answer[0].ttl == 30
    chased = answer(STATE, "external.testns.svc.cluster.local", "A", config)
    assert [r.ttl for r in chased.answer] == [30, 30]
    assert answer(STATE, "dns-version.cluster.local", "TXT").answer[0].ttl == 28800


def test_external_ttl_applies_to_chased_records():
    got = answer(STATE, "external.testns.svc.cluster.local", "A", DnsConfig(external_ttl=120))
    assert [(r.type, r.ttl) for r in got.answer] == [("CNAME", 30), ("A", 120)]


def test_cname_loop_between_externalname_services_ends():
    loop = (external("testns", "a", "b.testns.svc.cluster.local"), external("testns", "b", "a.testns.svc.cluster.local"))
    got = answer(replace(STATE, services=loop), "a.testns.svc.cluster.local", "A")
    assert got.rcode == "NOERROR" and got.answer == ()
