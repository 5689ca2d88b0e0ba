"""A connection's path across nodes, composed over the rendered rules (pure)."""

from __future__ import annotations

from k8slab.proxy.model import Endpoint, NodeConfig, ServicePort
from k8slab.proxy.render import render
from k8slab.proxy.route import NodeInfo, Source, Topology, trace_connection

NODES = (NodeInfo("node1", "172.18.0.2", "10.244.1.0/24", "10.244.1.1"),
         NodeInfo("node2", "172.18.0.3", "10.244.2.0/24", "10.244.2.1"))
WEB = ServicePort("default", "web", "", "TCP", "10.96.100.10", 80, node_port=30080,
                  endpoints=(Endpoint("10.244.2.5", 9376, "node2"),))
EMPTY = ServicePort("default", "empty", "", "TCP", "10.96.100.11", 80)


def topo(services=(WEB, EMPTY), lb=None):
    rules = {n.name: render(NodeConfig(n.name, (n.ip,)), list(services)) for n in NODES}
    return Topology(NODES, rules, {"10.244.2.5": ("default/web-0", "node2"), "10.244.1.7": ("default/client", "node1")},
                    lb or {}, "172.18.0.1", ("1.1.1.1",))


def test_pod_to_cluster_ip_crosses_to_the_endpoint_node_without_snat():
    ct = trace_connection(topo(), Source("pod", "client", "10.244.1.7", "node1"), "10.96.100.10", 80)
    (d,) = ct.deliveries
    assert (ct.entry_node, d.verdict, d.destination, d.seen_source) == ("node1", "DNAT", "10.244.2.5:9376", "10.244.1.7")
    assert "node1 routes 10.244.2.0/24 via node2" in d.hops[0] and "default/web-0" in d.hops[0]


def test_ext_to_node_port_is_masqueraded_to_the_entry_node():
    ct = trace_connection(topo(), Source("ext", "ext", "172.18.0.1"), "172.18.0.2", 30080)
    (d,) = ct.deliveries
    assert (ct.entry_node, d.verdict, d.seen_source) == ("node1", "DNAT", "172.18.0.2")


def test_no_endpoints_is_refused_and_ext_cannot_reach_cluster_ips():
    ct = trace_connection(topo(), Source("pod", "client", "10.244.1.7", "node1"), "10.96.100.11", 80)
    assert [d.verdict for d in ct.deliveries] == ["REJECT"]
    assert "connection refused" in ct.deliveries[0].hops[0]
    ct = trace_connection(topo(), Source("ext", "ext", "172.18.0.1"), "10.96.100.10", 80)
    assert ct.entry_node is None and "no route" in ct.entry_note


def test_hairpin_is_masqueraded_to_the_gateway_and_lb_ip_enters_at_the_announcer():
    hairpin = trace_connection(topo(), Source("pod", "web-0", "10.244.2.5", "node2"), "10.96.100.10", 80)
    assert hairpin.deliveries[0].seen_source == "10.244.2.1"
    lb = ServicePort("default", "web", "", "TCP", "10.96.100.10", 80, node_port=30080,
                     load_balancer_ips=("172.18.255.200",), endpoints=WEB.endpoints)
    ct = trace_connection(topo((lb,), {"172.18.255.200": "node2"}), Source("ext", "ext", "172.18.0.1"), "172.18.255.200", 80)
    assert ct.entry_node == "node2" and "MetalLB" in ct.entry_note
    assert ct.deliveries[0].destination == "10.244.2.5:9376"
