"""`trace --diagram`: boxes and arrows drawn from the same ConnectionTrace as the text."""

from __future__ import annotations

import re

from k8slab.proxy.explain import percent
from k8slab.proxy.model import Endpoint, NodeConfig, ServicePort
from k8slab.proxy.render import render
from k8slab.proxy.route import NodeInfo, Source, Topology, trace_connection
from k8slab.views.canvas import Look, to_text
from k8slab.views.trace_diagram import trace_diagram

NODES = (NodeInfo("node1", "172.18.0.2", "10.244.1.0/24", "10.244.1.1"),
         NodeInfo("node2", "172.18.0.3", "10.244.2.0/24", "10.244.2.1"),
         NodeInfo("node3", "172.18.0.4", "10.244.3.0/24", "10.244.3.1"))
PODS = {"10.244.1.3": ("default/web-a", "node1"), "10.244.2.2": ("default/web-b", "node2"),
        "10.244.3.2": ("default/web-c", "node3"), "10.244.1.9": ("default/client", "node1")}
EPS = tuple(Endpoint(ip, 8080, node) for ip, (_, node) in PODS.items() if ip != "10.244.1.9")
WEB = ServicePort("default", "web", "http", "TCP", "10.96.100.10", 80, node_port=30080, endpoints=EPS)
EMPTY = ServicePort("default", "empty", "", "TCP", "10.96.100.11", 80)
LOCAL = ServicePort("default", "local", "", "TCP", "10.96.100.12", 80, node_port=30090, endpoints=EPS[1:2],
                    external_local=True)
CLIENT = Source("pod", "client", "10.244.1.9", "node1")
EXT = Source("ext", "ext", "172.18.0.1")


def topo(services=(WEB, EMPTY, LOCAL), pods=PODS) -> Topology:
    rules = {n.name: render(NodeConfig(n.name, (n.ip,)), list(services)) for n in NODES}
    return Topology(NODES, rules, pods, {}, "172.18.0.1", ("1.1.1.1",))


def diagram(src, ip, port, t=None, width=120, color=False, what=""):
    t = t or topo()
    ct = trace_connection(t, src, ip, port)
    return ct, to_text(trace_diagram(ct, t, what=what, width=width), Look(width, color))


def branches(text: str) -> list:
    """(share, SEP chain, DNAT target, the line under it) for each branch of the fan-out."""
    rows = text.splitlines()
    out = []
    for i, line in enumerate(rows):
        m = re.search(r"[├└]─ +(\S+%) ─▶ (KUBE-SEP-\w+) ─▶ DNAT to (\S+)", line)
        if m:
            out.append(m.groups() + (rows[i + 1],))
    return out


def test_ext_to_a_node_port_walks_the_chains_then_fans_out_to_every_endpoint():
    ct, text = diagram(EXT, "172.18.0.3", 30080, what="address of node2")
    assert "\033" not in text
    assert "TCP ─▶ 172.18.0.3:30080  (address of node2)" in text
    assert "ext reaches node2 (172.18.0.3) directly on the lab network." in text
    chains = [m.group(1) for m in re.finditer(r"│ [ ▼] (nat PREROUTING|KUBE-[A-Z0-9-]+)", text)]
    assert chains[:3] == ["nat PREROUTING", "KUBE-SERVICES", "KUBE-NODEPORTS"]
    assert chains[3].startswith("KUBE-EXT-") and chains[4].startswith("KUBE-SVC-")
    assert "port 30080 is the NodePort of default/web:http" in text
    assert "external client: marked for SNAT" in text and "random pick: 1 of 3 endpoints" in text
    drawn = branches(text)
    # The same places, chains and shares as the trace itself.
    assert {(d[1], d[2]) for d in drawn} == {(o.endpoint_chain, o.destination) for o in ct.node_trace.outcomes}
    assert {d[0] for d in drawn} == {percent(o.probability) for o in ct.node_trace.outcomes} == {"33%"}
    below = {d[2]: d[3] for d in drawn}
    assert "node2 ⇢ node1 (lab network) ─▶ pod web-a" in below["10.244.1.3:8080"]
    assert "on node2: pod web-b" in below["10.244.2.2:8080"]
    assert "MASQUERADE: source becomes 172.18.0.3" in below["10.244.3.2:8080"]
    assert "MASQUERADE: source becomes 10.244.2.1" in below["10.244.2.2:8080"]  # a pod of the entry node


def test_pod_to_cluster_ip_keeps_its_source_and_a_colour_terminal_gets_colour():
    _, text = diagram(CLIENT, "10.96.100.10", 80)
    assert "pod client" in text and "on node1" in text
    assert "10.96.100.10:80 is the cluster IP of default/web:http" in text
    assert "KUBE-NODEPORTS" not in text
    assert all("no SNAT: it sees source 10.244.1.9" in d[3] for d in branches(text))
    _, coloured = diagram(CLIENT, "10.96.100.10", 80, color=True)
    assert "\033[" in coloured
    assert re.sub(r"\033\[[0-9;]*m", "", coloured) == text


def test_refused_dropped_and_unreachable_connections():
    _, text = diagram(CLIENT, "10.96.100.11", 80)
    assert "✗ REJECT in filter KUBE-SERVICES: default/empty has no endpoints" in text
    assert "connection refused" in text and "DNAT" not in text
    _, text = diagram(EXT, "172.18.0.2", 30090)  # externalTrafficPolicy Local, no endpoint on node1
    assert "externalTrafficPolicy Local, no endpoint on this node: not DNATed" in text
    assert "✗ DROP" in text and "times out" in text
    _, text = diagram(EXT, "10.96.100.10", 80)
    assert "never reaches the cluster" in text and "ext has no route to 10.96.100.10" in text
    assert "kube-proxy's rules" not in text


def test_external_traffic_policy_local_keeps_the_client_address():
    _, text = diagram(EXT, "172.18.0.3", 30090)
    (branch,) = branches(text)
    assert branch[0] == "100%" and branch[2] == "10.244.2.2:8080"
    assert "this node's endpoints only, client IP kept" in text
    assert "no SNAT: it sees source 172.18.0.1" in branch[3]


def test_many_endpoints_are_summarised():
    eps = tuple(Endpoint(f"10.244.2.{i}", 8080, "node2") for i in range(10, 30))
    big = ServicePort("default", "big", "", "TCP", "10.96.100.20", 80, endpoints=eps)
    ct, text = diagram(CLIENT, "10.96.100.20", 80, t=topo((big,)))
    assert len(branches(text)) == 7
    assert "13 more endpoints:" in text and "65%" in text
    assert len(text.splitlines()) < 40
    assert max(len(line) for line in text.splitlines()) <= 120


def test_a_narrow_terminal_gets_three_lines_per_branch_and_the_wire_beside_them():
    _, text = diagram(Source("node", "node1", "172.18.0.2", "node1"), "10.96.100.10", 80, width=80)
    assert max(len(line) for line in text.splitlines()) <= 80
    rows = text.splitlines()
    first = next(i for i, line in enumerate(rows) if "├─" in line and "DNAT to 10.244.2.2" in line)
    assert rows[first + 1].startswith("  │ ") and rows[first + 2].startswith("  │ ")
    assert "MASQUERADE: source becomes" in rows[first + 2]
    assert "└─" in rows[first + 3]  # the last branch


def test_a_load_balancer_ip_enters_at_its_announcer_and_a_hairpin_is_masqueraded():
    lb = ServicePort("default", "lb", "", "TCP", "10.96.100.30", 80, node_port=31000,
                     load_balancer_ips=("172.18.255.200",), endpoints=EPS[1:2])
    t = Topology(NODES, {n.name: render(NodeConfig(n.name, (n.ip,)), [lb]) for n in NODES}, PODS,
                 {"172.18.255.200": "node3"}, "172.18.0.1", ())
    _, narrow = diagram(EXT, "172.18.255.200", 80, t=t, width=60)
    wire = [line for line in narrow.splitlines() if "MetalLB" in line or "to that node" in line]
    assert len(wire) == 2 and all(line.startswith("  │ ") for line in wire)  # wrapped beside the wire
    _, text = diagram(EXT, "172.18.255.200", 80, t=t)
    assert "node3 172.18.0.4" in text and "172.18.255.200:80 is the loadbalancer IP of default/lb" in text
    ((share, _, target, below),) = branches(text)
    assert (share, target) == ("100%", "10.244.2.2:8080") and "node3 ⇢ node2" in below
    _, text = diagram(Source("pod", "web-b", "10.244.2.2", "node2"), "10.96.100.30", 80, t=t)
    assert "hairpin, MASQUERADE: source becomes 10.244.2.1" in branches(text)[0][3]
