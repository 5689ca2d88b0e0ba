"""The rendered iptables-restore text, compared whole against golden files.

Regenerate the golden files deliberately with `UPDATE_GOLDEN=1 pytest tests/unit/proxy`, then read
the diff: every line should be one real kube-proxy would write.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from proxy_cases import CASES, NODE1, WEB_EPS, web

from k8slab.proxy.model import Endpoint, NodeConfig, ServicePort
from k8slab.proxy.render import probability, render, rendered_service_chains
from k8slab.proxy.topology import categorize

GOLDEN = Path(__file__).parent / "golden"

# Reference 2.3: the example kube-proxy writes for default/web:http (order within each chain).
REFERENCE_EXAMPLE = """\
-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.100.10 --dport 80 -j KUBE-SVC-CDGGSHYLG3RE2FKL
-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.100.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.244.1.5:8080" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-AFGSLHOD2HFNCBX4
-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.244.2.6:8080" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-3OLK2YUW6LHBC4UX
-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.244.3.7:8080" -j KUBE-SEP-DY76ZDMWORDP4GAT
-A KUBE-SEP-AFGSLHOD2HFNCBX4 -m comment --comment default/web:http -s 10.244.1.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-AFGSLHOD2HFNCBX4 -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
"""


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"no golden file {path}: create it with UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text()


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    node, services = CASES[name]
    check_golden(name, render(node, services))


def test_reference_example_lines_appear_verbatim_and_in_order():
    lines = render(NODE1, [web()]).splitlines()
    positions = [lines.index(line) for line in REFERENCE_EXAMPLE.splitlines()]
    assert positions == sorted(positions)
    assert lines[positions[-1] + 1] == "COMMIT"  # the nodeports jump is the last nat rule


def test_restore_text_shape():
    text = render(NODE1, [web()])
    assert text.startswith("*filter\n:KUBE-SERVICES - [0:0]\n:KUBE-EXTERNAL-SERVICES - [0:0]\n")
    assert text.count("COMMIT\n") == 2 and text.endswith("COMMIT\n")
    nat = text[text.index("*nat\n"):]
    assert nat.startswith("*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n"
                          ":KUBE-MARK-MASQ - [0:0]\n")
    assert "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n" in nat
    assert "-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000\n" in nat
    assert ('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" '
            "-j MASQUERADE --random-fully\n") in nat
    assert "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000\n" in nat


def test_every_rule_targets_a_declared_or_builtin_chain():
    builtin = {"ACCEPT", "DROP", "REJECT", "RETURN", "DNAT", "MARK", "MASQUERADE", "KUBE-MARK-MASQ"}
    for name, (node, services) in CASES.items():
        text = render(node, services)
        declared = {line[1:].split()[0] for line in text.splitlines() if line.startswith(":")}
        for line in text.splitlines():
            if " -j " in line:
                target = line.split(" -j ")[1].split()[0]
                assert target in declared | builtin, (name, line)


def test_headless_and_external_name_get_no_rules():
    assert render(NODE1, [web(cluster_ip=None)]) == render(NODE1, [])
    assert "default/web" not in render(NODE1, [web(cluster_ip=None, node_port=30080)])


def test_probabilities_are_kube_proxys_strings():
    assert [probability(n) for n in (1, 2, 3, 4, 7)] == [
        "1.0000000000", "0.5000000000", "0.3333333333", "0.2500000000", "0.1428571429"]
    text = render(NODE1, [web(endpoints=tuple(Endpoint(f"10.244.1.{i}", 80, "node1") for i in range(2, 6)))])
    assert [line.split("--probability ")[1].split()[0] for line in text.splitlines() if "--probability" in line] \
        == ["0.2500000000", "0.3333333333", "0.5000000000"]


def test_endpoints_are_ordered_as_strings_like_the_endpoint_slice_cache():
    eps = (Endpoint("10.244.2.9", 80, "node2"), Endpoint("10.244.10.1", 80, "node1"),
           Endpoint("10.244.2.9", 80, "node2"))
    text = render(NODE1, [web(endpoints=eps)])
    arrows = [line.split("-> ")[1].split('"')[0] for line in text.splitlines()
              if line.startswith("-A KUBE-SVC") and "->" in line]
    assert arrows == ["10.244.10.1:80", "10.244.2.9:80"]  # deduplicated, "10.244.10.1" < "10.244.2.9"


def test_services_are_rendered_in_a_stable_order():
    a = [web(), replace(web(), name="api", cluster_ip="10.96.0.20")]
    assert render(NODE1, a) == render(NODE1, list(reversed(a)))


def test_large_cluster_mode_drops_endpoint_comments_only():
    eps = tuple(Endpoint(f"10.244.{i // 250}.{i % 250 + 1}", 80, "node1") for i in range(1001))
    text = render(NODE1, [web(endpoints=eps)])
    assert '-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP"' in text
    assert "-> 10.244." not in text
    assert "-A KUBE-SEP-" in text and "--comment default/web:http" not in text
    assert "-m statistic --mode random --probability 0.0009990010 -j KUBE-SEP-" in text
    small = render(NODE1, [web(endpoints=eps[:1000])])
    assert "-> 10.244." in small


def test_masquerade_bit_and_options():
    node = NodeConfig("node1", ("172.18.0.2",), cluster_cidr="10.0.0.0/8", masquerade_bit=5)
    text = render(node, [web()], masquerade_all=True, localhost_nodeports=False, random_fully=False)
    assert "-A KUBE-MARK-MASQ -j MARK --or-mark 0x20" in text
    assert "-m mark ! --mark 0x20/0x20 -j RETURN" in text
    assert "-j MASQUERADE\n" in text
    assert '--dport 80 -j KUBE-MARK-MASQ\n' in text and "! -s " not in text  # masquerade-all
    assert "KUBE-FIREWALL" not in text
    assert "-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS" in text


def test_no_cluster_cidr_means_no_local_traffic_detector():
    node = NodeConfig("node1", ("172.18.0.2",), cluster_cidr="")
    text = render(node, [web(node_port=30080, external_local=True)])
    assert "! -s 10." not in text and "pod traffic for" not in text
    assert "route LOCAL traffic for default/web:http external destinations" in text


def test_external_local_ignored_when_not_externally_accessible():
    assert render(NODE1, [web(external_local=True)]) == render(NODE1, [web()])


def test_rendered_service_chains():
    chains = rendered_service_chains(render(NODE1, [web(node_port=30080)]))
    assert chains == {"KUBE-SVC-CDGGSHYLG3RE2FKL", "KUBE-EXT-CDGGSHYLG3RE2FKL", "KUBE-SEP-AFGSLHOD2HFNCBX4",
                      "KUBE-SEP-3OLK2YUW6LHBC4UX", "KUBE-SEP-DY76ZDMWORDP4GAT"}


# -- CategorizeEndpoints ------------------------------------------------------------------------

def _ips(eps):
    return [e.ip for e in eps]


def test_categorize_cluster_uses_ready_endpoints():
    eps = WEB_EPS + (Endpoint("10.244.1.9", 8080, "node1", ready=False, serving=True, terminating=True),)
    c = categorize(web(endpoints=eps), "node1")
    assert _ips(c.cluster) == ["10.244.1.5", "10.244.2.6", "10.244.3.7"] and c.local == () and c.has_any


def test_categorize_falls_back_to_serving_terminating_only_when_nothing_is_ready():
    eps = (Endpoint("10.244.1.9", 8080, "node1", ready=False, serving=True, terminating=True),
           Endpoint("10.244.2.9", 8080, "node2", ready=False, serving=False, terminating=True))
    c = categorize(web(endpoints=eps), "node1")
    assert _ips(c.cluster) == ["10.244.1.9"] and c.has_any
    assert not categorize(web(endpoints=eps[1:]), "node1").has_any


def test_categorize_local_falls_back_separately():
    eps = (Endpoint("10.244.1.9", 8080, "node1", ready=False, serving=True, terminating=True),
           Endpoint("10.244.2.6", 8080, "node2"))
    c = categorize(web(endpoints=eps, node_port=30080, external_local=True), "node1")
    assert _ips(c.cluster) == ["10.244.2.6"]
    assert _ips(c.local) == ["10.244.1.9"]
    assert _ips(c.reachable) == ["10.244.1.9", "10.244.2.6"]  # both get a KUBE-SEP chain


def test_categorize_internal_local_only():
    c = categorize(web(internal_local=True), "node2")
    assert c.cluster == () and _ips(c.local) == ["10.244.2.6"] and _ips(c.reachable) == ["10.244.2.6"]
    none_here = categorize(web(internal_local=True, endpoints=WEB_EPS[:1]), "node2")
    assert none_here.local == () and none_here.has_any


def test_categorize_no_endpoints():
    c = categorize(ServicePort("default", "web", "", "TCP", "10.96.0.5", 80), "node1")
    assert c == categorize(web(endpoints=()), "node1")
    assert not c.has_any and c.reachable == ()
