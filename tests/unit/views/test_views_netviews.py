"""`proxy rules` filtering and the `trace` text."""

from __future__ import annotations

from k8slab.proxy.model import Endpoint, NodeConfig, ServicePort
from k8slab.proxy.render import render
from k8slab.proxy.route import NodeInfo, Source, Topology, trace_connection
from k8slab.views.netviews import render_rules, render_trace, service_lines

WEB = ServicePort("default", "web", "http", "TCP", "10.96.100.10", 80, endpoints=(Endpoint("10.244.1.5", 8080, "node1"),))
DB = ServicePort("default", "db", "", "TCP", "10.96.100.11", 5432, endpoints=(Endpoint("10.244.1.6", 5432, "node1"),))
TEXT = render(NodeConfig("node1", ("172.18.0.2",)), [WEB, DB])


def test_service_lines_keep_only_that_services_chains_and_rules():
    out = service_lines(TEXT, "default/web")
    assert "default/web:http cluster IP" in out and "DNAT --to-destination 10.244.1.5:8080" in out
    assert "default/db" not in out and "10.244.1.6" not in out
    assert out.startswith("*nat") and out.endswith("COMMIT")
    assert "*filter" not in out  # a table with nothing of the service is left out


def test_render_rules_plain_and_coloured():
    plain = render_rules(TEXT, node="node1", service="default/web")
    assert plain.splitlines()[0] == "# node1: kube-proxy's rules as the kernel holds them (iptables-save), service default/web"
    assert "\033[" not in plain
    assert "\033[33m-j DNAT" in render_rules(TEXT, node="node1", service="default/web", color=True)
    assert "no rules for default/none" in render_rules(TEXT, node="node1", service="default/none")


def test_trace_text_names_entry_steps_and_outcome():
    topo = Topology((NodeInfo("node1", "172.18.0.2", "10.244.1.0/24", "10.244.1.1"),), {"node1": TEXT},
                    {"10.244.1.5": ("default/web-0", "node1")}, {}, "172.18.0.1", ())
    text = render_trace(trace_connection(topo, Source("node", "node1", "172.18.0.2", "node1"), "10.96.100.10", 80),
                        what="ClusterIP of service web")
    lines = text.splitlines()
    assert lines[0] == "node node1 (172.18.0.2) -> 10.96.100.10:80/TCP (ClusterIP of service web)"
    assert "  1. node1 sends it from its own network stack (the nat OUTPUT chain)." in lines
    assert any(line.strip().startswith("100%  10.244.1.5:8080") for line in lines)
    assert any("masquerades it" in line and "10.244.1.1" in line for line in lines)  # off-cluster source -> SNAT
