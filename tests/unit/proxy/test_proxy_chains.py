"""Chain names: kube-proxy's sha256/base32 hashes, checked against the reference's vectors."""

from __future__ import annotations

import pytest

from k8slab.proxy.chains import (ext_chain, fw_chain, is_service_chain, jump_rules, port_proto_hash, sep_chain,
                                 service_port_name, svc_chain, svl_chain)
from k8slab.proxy.model import Endpoint, ServicePort


def port(ns, name, port_name, protocol="TCP"):
    return ServicePort(ns, name, port_name, protocol, "10.96.0.1", 80)


@pytest.mark.parametrize("sp, chain", [
    (port("ns1", "svc1", "p80"), "KUBE-SVC-XPGD46QRK7WJZT7O"),
    (port("default", "kubernetes", "https"), "KUBE-SVC-NPX46M4PTMTKRN6Y"),
    (port("kube-system", "kube-dns", "dns", "UDP"), "KUBE-SVC-TCOU7JCQXEZGVUNU"),
    (port("kube-system", "kube-dns", "dns-tcp"), "KUBE-SVC-ERIFXISQEP7F7OF4"),
    (port("default", "web", "http"), "KUBE-SVC-CDGGSHYLG3RE2FKL"),
    (port("default", "web", ""), "KUBE-SVC-LOLE4ISW44XBNF3G"),
])
def test_svc_chain_matches_reference_vectors(sp, chain):
    assert svc_chain(sp) == chain


def test_sep_chain_matches_reference_vector():
    sp = port("ns1", "svc1", "p80")
    assert sep_chain(sp, Endpoint("10.180.0.1", 80, None)) == "KUBE-SEP-SXIVWICOYRO3J4NJ"
    assert sep_chain(sp, "10.180.0.1:80") == "KUBE-SEP-SXIVWICOYRO3J4NJ"


@pytest.mark.parametrize("ep, chain", [
    ("10.244.1.5:8080", "KUBE-SEP-AFGSLHOD2HFNCBX4"),
    ("10.244.2.6:8080", "KUBE-SEP-3OLK2YUW6LHBC4UX"),
    ("10.244.3.7:8080", "KUBE-SEP-DY76ZDMWORDP4GAT"),
])
def test_sep_chains_of_the_reference_example(ep, chain):
    assert sep_chain(port("default", "web", "http"), ep) == chain


def test_svl_ext_fw_share_the_svc_hash():
    sp = port("default", "web", "http")
    assert svl_chain(sp) == "KUBE-SVL-CDGGSHYLG3RE2FKL"
    assert ext_chain(sp) == "KUBE-EXT-CDGGSHYLG3RE2FKL"
    assert fw_chain(sp) == "KUBE-FW-CDGGSHYLG3RE2FKL"
    assert all(len(c) <= 28 for c in (svc_chain(sp), svl_chain(sp), ext_chain(sp), fw_chain(sp)))


def test_protocol_is_hashed_lower_case():
    assert port_proto_hash("default/web:http", "TCP") == port_proto_hash("default/web:http", "tcp")
    assert svc_chain(port("default", "web", "http", "UDP")) != svc_chain(port("default", "web", "http"))


def test_service_port_name():
    assert service_port_name(port("default", "web", "http")) == "default/web:http"
    assert service_port_name(port("default", "web", "")) == "default/web"


def test_only_per_service_chains_count_as_ours_to_delete():
    assert all(is_service_chain(c) for c in ("KUBE-SVC-X", "KUBE-SVL-X", "KUBE-EXT-X", "KUBE-FW-X", "KUBE-SEP-X"))
    assert not any(is_service_chain(c) for c in ("KUBE-SERVICES", "KUBE-MARK-MASQ", "KUBE-FORWARD", "DOCKER"))


def test_jump_rules_follow_kube_proxy():
    rules = jump_rules()
    assert ("nat", "PREROUTING", ("-m", "comment", "--comment", "kubernetes service portals",
                                  "-j", "KUBE-SERVICES")) in rules
    assert ("nat", "OUTPUT", ("-m", "comment", "--comment", "kubernetes service portals",
                              "-j", "KUBE-SERVICES")) in rules
    assert ("nat", "POSTROUTING", ("-m", "comment", "--comment", "kubernetes postrouting rules",
                                   "-j", "KUBE-POSTROUTING")) in rules
    assert ("filter", "FORWARD", ("-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment",
                                  "kubernetes service portals", "-j", "KUBE-SERVICES")) in rules
    assert ("filter", "FORWARD", ("-m", "comment", "--comment", "kubernetes forwarding rules",
                                  "-j", "KUBE-FORWARD")) in rules
    assert ("filter", "INPUT", ("-j", "KUBE-FIREWALL")) in rules
    assert len(rules) == 14
