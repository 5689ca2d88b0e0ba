"""Names outside the cluster: the emulated outside world stands in for `forward . /etc/resolv.conf`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from k8slab.dns.model import DnsConfig, DnsState
from k8slab.dns.records import Answer, answer
from test_dns_records import STATE, external, rrs

WORLD = DnsState(
    services=(external("default", "web-alias", "www.example.com"),), namespaces=frozenset({"default"}),
    external={"my.database.example.com": ("192.168.1.50",), "v6.test": ("2001:db8::5", "not-an-ip"), "web.example.net": ("203.0.113.10", "203.0.113.11"),
              "db.corp.test": ("192.168.1.50",)},
    external_cnames={"www.example.com": "web.example.net", "loop1.test": "loop2.test", "loop2.test": "loop1.test",
                     "dangling.test": "gone.test"})

CASES = [
    ("my.database.example.com.", "A", Answer("NOERROR", rrs("my.database.example.com. 30 A 192.168.1.50"))),
    ("My.Database.Example.COM", "A", Answer("NOERROR", rrs("My.Database.Example.COM. 30 A 192.168.1.50"))),
    ("my.database.example.com.", "AAAA", Answer("NOERROR")),
    ("my.database.example.com.", "TXT", Answer("NOERROR")),
    ("example.com.", "A", Answer("NOERROR")),  # an empty non-terminal exists
    ("nothing.example.", "A", Answer("NXDOMAIN")),
    ("www.example.com.", "A", Answer("NOERROR", rrs(
        "www.example.com. 30 CNAME web.example.net.", "web.example.net. 30 A 203.0.113.10", "web.example.net. 30 A 203.0.113.11"))),
    ("www.example.com.", "CNAME", Answer("NOERROR", rrs("www.example.com. 30 CNAME web.example.net."))),
    ("www.example.com.", "AAAA", Answer("NOERROR", rrs("www.example.com. 30 CNAME web.example.net."))),
    ("dangling.test.", "A", Answer("NXDOMAIN", rrs("dangling.test. 30 CNAME gone.test."))),
    ("loop1.test.", "A", Answer("SERVFAIL")),
    ("50.1.168.192.in-addr.arpa.", "PTR", Answer("NOERROR", rrs(
        "50.1.168.192.in-addr.arpa. 30 PTR db.corp.test.", "50.1.168.192.in-addr.arpa. 30 PTR my.database.example.com."))),
    ("99.1.168.192.in-addr.arpa.", "PTR", Answer("NXDOMAIN")),
    ("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", "PTR", Answer("NXDOMAIN")),
    ("example.com.", "AXFR", Answer("REFUSED")),
    ("v6.test.", "AAAA", Answer("NOERROR", rrs("v6.test. 30 AAAA 2001:db8::5"))),
    ("v6.test.", "A", Answer("NOERROR")),
    (".", "NS", Answer("NOERROR")),
]


@pytest.mark.parametrize("qname,qtype,expected", CASES, ids=[f"{q} {t}" for q, t, _ in CASES])
def test_outside_answers(qname, qtype, expected):
    assert answer(WORLD, qname, qtype) == expected


def test_externalname_chases_outside_cnames():
    got = answer(WORLD, "web-alias.default.svc.cluster.local", "A")
    assert got.authoritative and got.answer == rrs(
        "web-alias.default.svc.cluster.local. 30 CNAME www.example.com.", "www.example.com. 30 CNAME web.example.net.",
        "web.example.net. 30 A 203.0.113.10", "web.example.net. 30 A 203.0.113.11")


def test_outside_answers_carry_the_external_ttl():
    got = answer(WORLD, "web.example.net", "A", DnsConfig(external_ttl=300))
    assert {r.ttl for r in got.answer} == {300}


def test_reverse_misses_fall_through_to_the_outside_world():
    # A not-ready endpoint has no PTR in the cluster; the outside world does not know it either.
    assert answer(STATE, "6.2.244.10.in-addr.arpa.", "PTR") == Answer("NXDOMAIN")
    # Not a full address: the plugin has no such name, the outside world neither.
    assert answer(STATE, "10.in-addr.arpa.", "PTR") == Answer("NXDOMAIN")
    assert answer(STATE, "1.1.96.10.in-addr.arpa.", "A") == Answer("NXDOMAIN")


def test_no_state_means_no_outside_world():
    assert answer(None, "my.database.example.com", "A") == Answer("SERVFAIL")
    assert answer(None, "1.1.96.10.in-addr.arpa", "PTR") == Answer("SERVFAIL")


def test_cluster_names_are_never_taken_from_the_outside_world():
    shadow = replace(WORLD, external={"svc1.testns.svc.cluster.local": ("1.2.3.4",)})
    assert answer(shadow, "svc1.testns.svc.cluster.local", "A").rcode == "NXDOMAIN"
