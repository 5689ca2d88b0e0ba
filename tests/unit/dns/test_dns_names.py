"""Name and address helpers: dashed endpoint names, pod labels, reverse names."""

from __future__ import annotations

import pytest

from k8slab.dns.names import (address_from_reverse, dashed, fqdn, is_subdomain, parse_ip, reverse_name,
                              trim_zone, undashed)


@pytest.mark.parametrize("ip,name", [("10.244.1.5", "10-244-1-5"), ("fd00::1", "fd00--1"), ("fd00::", "fd00--0"),
                                     ("5678:abcd::2", "5678-abcd--2")])
def test_dashed_endpoint_names(ip, name):
    assert dashed(ip) == name


@pytest.mark.parametrize("label,ip", [
    ("10-244-1-5", "10.244.1.5"), ("0-0-0-0", "0.0.0.0"), ("fd00--1", "fd00::1"),
    ("10-244-1-256", None), ("010-244-1-5", None), ("10-244-1", None), ("10-244--1-5", "10:244::1:5"), ("10-244-1-5-6", None), ("a-b-c-d", None),
    ("busybox-1", None), ("", None)])
def test_pod_labels(label, ip):
    got = undashed(label)
    assert (str(got) if got is not None else None) == ip


@pytest.mark.parametrize("name,ip", [
    ("5.1.244.10.in-addr.arpa.", "10.244.1.5"), ("5.1.244.10.IN-ADDR.ARPA", "10.244.1.5"),
    ("1.244.10.in-addr.arpa.", None), ("256.1.244.10.in-addr.arpa.", None), ("x.5.1.244.10.in-addr.arpa.", None),
    ("in-addr.arpa.", None), ("web.default.svc.cluster.local.", None),
    ("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", "fd00::1"),
    ("1.0.ip6.arpa.", None)])
def test_address_from_reverse(name, ip):
    assert address_from_reverse(name) == ip


def test_reverse_name_round_trips():
    assert reverse_name("10.96.0.10") == "10.0.96.10.in-addr.arpa."
    assert address_from_reverse(reverse_name("fd00::1")) == "fd00::1"


def test_parse_ip_is_as_strict_as_go():
    assert parse_ip("10.0.0.1") is not None
    assert parse_ip("10.00.0.1") is None and parse_ip("fe80::1%eth0") is None and parse_ip("None") is None


def test_name_helpers():
    assert fqdn("a.b") == "a.b." == fqdn("a.b.") and fqdn("") == "."
    assert is_subdomain("cluster.local.", "WEB.default.svc.Cluster.Local") and is_subdomain("x.", "x")
    assert not is_subdomain("cluster.local.", "notcluster.local.") and is_subdomain(".", "anything.")
    assert trim_zone("a.b.svc.cluster.local.", "cluster.local.") == "a.b.svc" and trim_zone("cluster.local", "cluster.local.") == ""
