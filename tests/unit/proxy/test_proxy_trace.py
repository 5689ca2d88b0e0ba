"""Walking packets through the rendered rules: DNAT targets, probabilities, masquerade, REJECT/DROP."""

from __future__ import annotations

import pytest
from proxy_cases import CASES, EXT_CLIENT, NODE1, SAVED

from k8slab.proxy.explain import explain, percent
from k8slab.proxy.render import render
from k8slab.proxy.trace import Packet, trace

POD = "10.244.1.20"  # a client pod on node1
HOST = "172.18.0.2"  # node1 itself
THIRD = pytest.approx(1 / 3, abs=1e-9)
ALL_WEB = {"10.244.1.5:8080", "10.244.2.6:8080", "10.244.3.7:8080"}


def walk(case: str, packet: Packet):
    node, services = CASES[case]
    return trace(render(node, services), packet, node.node_ips)


def test_pod_to_cluster_ip_spreads_evenly_without_masquerade():
    t = walk("clusterip", Packet(POD, "10.96.100.10", 80))
    assert t.verdict == "DNAT"
    assert set(t.dnat_targets()) == ALL_WEB
    assert all(p == THIRD for p in t.dnat_targets().values())
    assert t.masquerade_probability == 0
    assert sum(o.probability for o in t.outcomes) == pytest.approx(1)


def test_node_to_cluster_ip_is_masqueraded():
    t = walk("clusterip", Packet(HOST, "10.96.100.10", 80, src_local=True))
    assert set(t.dnat_targets()) == ALL_WEB
    assert t.masquerade_probability == pytest.approx(1)


def test_other_ports_of_the_cluster_ip_are_untouched():
    t = walk("clusterip", Packet(POD, "10.96.100.10", 81))
    assert t.untouched and t.verdict == "ACCEPT" and t.dnat_targets() == {}
    assert "no Service rule matches 10.96.100.10:81/TCP" in explain(t.steps[1])


def test_hairpin_is_masqueraded_only_when_the_pod_reaches_itself():
    t = walk("clusterip", Packet("10.244.1.5", "10.96.100.10", 80))
    by_dest = {o.destination: o for o in t.outcomes}
    assert by_dest["10.244.1.5:8080"].masquerade
    assert not by_dest["10.244.2.6:8080"].masquerade
    assert t.masquerade_probability == THIRD
    hairpin = [s for s in t.steps if s.chain.startswith("KUBE-SEP") and s.verdict == "jump KUBE-MARK-MASQ"]
    assert "hairpin" in explain(hairpin[0])


def test_nodeport_from_outside_is_masqueraded():
    t = walk("nodeport", Packet(EXT_CLIENT, HOST, 30080))
    assert set(t.dnat_targets()) == ALL_WEB and t.masquerade_probability == pytest.approx(1)
    assert walk("nodeport", Packet(EXT_CLIENT, "172.18.0.3", 30080)).untouched  # not this node's address


def test_nodeport_on_localhost_from_the_node():
    t = walk("nodeport", Packet("127.0.0.1", "127.0.0.1", 30080, src_local=True))
    assert set(t.dnat_targets()) == ALL_WEB and t.masquerade_probability == pytest.approx(1)


def test_dst_local_can_be_given():
    t = walk("nodeport", Packet(EXT_CLIENT, "172.18.0.99", 30080, dst_local=True))
    assert set(t.dnat_targets()) == ALL_WEB


@pytest.mark.parametrize("packet, chain", [
    (Packet(POD, "10.96.100.10", 80), "KUBE-SERVICES"),
    (Packet(HOST, "10.96.100.10", 80, src_local=True), "KUBE-SERVICES"),
    (Packet(EXT_CLIENT, HOST, 30080), "KUBE-EXTERNAL-SERVICES"),
    (Packet(POD, "192.168.3.215", 80), "KUBE-EXTERNAL-SERVICES"),
    (Packet(EXT_CLIENT, "172.18.255.200", 80), "KUBE-EXTERNAL-SERVICES"),
])
def test_no_endpoints_rejects(packet, chain):
    t = walk("no_endpoints", packet)
    assert t.verdict == "REJECT" and t.dnat_targets() == {}
    last = t.outcomes[0].steps[-1]
    assert (last.table, last.chain, last.verdict) == ("filter", chain, "REJECT")
    assert "has no endpoints: REJECT" in explain(last) and "connection refused" in explain(last)


def test_etp_local_keeps_the_client_ip_and_uses_local_endpoints():
    t = walk("etp_local", Packet(EXT_CLIENT, HOST, 30080))
    assert t.dnat_targets() == {"10.244.1.5:8080": pytest.approx(1)}
    assert t.masquerade_probability == 0
    lb = walk("etp_local", Packet(EXT_CLIENT, "172.18.255.200", 80))
    assert lb.dnat_targets() == {"10.244.1.5:8080": pytest.approx(1)} and lb.masquerade_probability == 0


def test_etp_local_short_circuits_pods_and_the_host_to_all_endpoints():
    pod = walk("etp_local", Packet(POD, "172.18.255.200", 80))
    assert set(pod.dnat_targets()) == ALL_WEB and pod.masquerade_probability == 0
    assert any("pod traffic for" in (s.rule.comment or "") for s in pod.steps if s.rule)
    host = walk("etp_local", Packet(HOST, "172.18.255.200", 80, src_local=True))
    assert set(host.dnat_targets()) == ALL_WEB and host.masquerade_probability == pytest.approx(1)


def test_health_check_node_port_is_accepted():
    t = walk("etp_local", Packet(EXT_CLIENT, HOST, 32000))
    assert t.verdict == "ACCEPT"
    assert any(s.chain == "KUBE-NODEPORTS" and s.verdict == "ACCEPT" for s in t.steps)


def test_etp_local_without_local_endpoints_drops_external_traffic_only():
    t = walk("etp_local_no_local_endpoints", Packet(EXT_CLIENT, HOST, 30080))
    assert t.verdict == "DROP"
    assert "has no local endpoints: DROP" in explain(t.outcomes[0].steps[-1])
    assert any("no endpoint on this node" in explain(s) for s in t.steps if s.chain.startswith("KUBE-EXT-"))
    lb = walk("etp_local_no_local_endpoints", Packet(EXT_CLIENT, "172.18.255.200", 80))
    assert lb.verdict == "DROP"
    pod = walk("etp_local_no_local_endpoints", Packet(POD, HOST, 30080))
    assert pod.dnat_targets() == {"10.244.2.6:8080": pytest.approx(0.5), "10.244.3.7:8080": pytest.approx(0.5)}


def test_itp_local():
    t = walk("itp_local", Packet(POD, "10.96.100.10", 80))
    assert t.dnat_targets() == {"10.244.1.5:8080": pytest.approx(1)}
    none = walk("itp_local_no_local_endpoints", Packet(POD, "10.96.100.10", 80))
    assert none.verdict == "DROP" and "waits until it times out" in explain(none.outcomes[0].steps[-1])


def test_affinity_is_reported():
    t = walk("affinity", Packet(POD, "10.96.100.10", 80))
    assert set(t.dnat_targets()) == ALL_WEB
    assert {o.affinity_seconds for o in t.outcomes} == {10800}
    affinity = [s for s in t.steps if s.verdict == "affinity"]
    assert len(affinity) == 1 and "10800 s" in explain(affinity[0])
    dnat = [s for s in t.steps if s.verdict.startswith("DNAT")]
    assert "session affinity" in explain(dnat[0])


def test_external_ip_and_load_balancer_ip():
    for case, ip in (("external_ips", "192.168.3.216"), ("loadbalancer", "172.18.255.200")):
        t = walk(case, Packet(EXT_CLIENT, ip, 80))
        assert set(t.dnat_targets()) == ALL_WEB and t.masquerade_probability == pytest.approx(1), case


@pytest.mark.parametrize("client, allowed", [(EXT_CLIENT, True), ("192.168.3.7", True), ("10.1.2.3", False)])
def test_load_balancer_source_ranges(client, allowed):
    t = walk("loadbalancer_source_ranges", Packet(client, "172.18.255.200", 80))
    if allowed:
        assert set(t.dnat_targets()) == ALL_WEB
    else:
        assert t.verdict == "DROP"
        steps = t.outcomes[0].steps
        assert steps[-1].chain == "KUBE-PROXY-FIREWALL"
        assert any(s.chain.startswith("KUBE-FW-") and s.verdict == "count" for s in steps)


def test_nodeports_skip_the_source_ranges():
    t = walk("loadbalancer_source_ranges", Packet("10.1.2.3", HOST, 30080))
    assert set(t.dnat_targets()) == ALL_WEB


def test_udp_and_protocol_matching():
    dns = walk("udp", Packet(POD, "10.96.0.10", 53, "UDP"))
    assert dns.dnat_targets() == {"10.244.2.2:53": pytest.approx(1)}
    assert walk("udp", Packet(POD, "10.96.0.10", 53, "TCP")).dnat_targets() == {"10.244.2.2:53": pytest.approx(1)}
    assert walk("udp", Packet(POD, "10.96.0.10", 53, "SCTP")).untouched


def test_terminating_fallback_uses_the_serving_endpoint():
    t = walk("terminating_fallback", Packet(POD, "10.96.100.10", 80))
    assert t.dnat_targets() == {"10.244.1.5:8080": pytest.approx(1)}


def test_explanations():
    t = walk("clusterip", Packet(POD, "10.96.100.10", 80))
    texts = [explain(s) for s in t.steps]
    assert "KUBE-SERVICES: 10.96.100.10:80/TCP is the cluster IP of default/web:http; " \
           "go to KUBE-SVC-CDGGSHYLG3RE2FKL." in texts
    assert "KUBE-SVC-CDGGSHYLG3RE2FKL: 10.244.1.5:8080 chosen at random as 1 of 3 endpoints (33%)." in texts
    assert ("KUBE-SEP-AFGSLHOD2HFNCBX4: destination rewritten from 10.96.100.10:80 to 10.244.1.5:8080 "
            "(DNAT).") in texts
    assert all(text.endswith(".") and "\n" not in text for text in texts)
    single = walk("itp_local", Packet(POD, "10.96.100.10", 80))
    assert any("the only endpoint, 10.244.1.5:8080, is chosen" in explain(s) for s in single.steps)


def test_percent():
    assert [percent(p) for p in (1 / 3, 0.5, 1, 0.125, 0.001)] == ["33%", "50%", "100%", "12%", "0.1%"]


def test_trace_reads_iptables_save_output_too():
    t = trace(SAVED, Packet(HOST, "10.96.100.10", 80, src_local=False), NODE1.node_ips)
    assert t.dnat_targets() == {"10.244.1.5:8080": pytest.approx(0.5), "10.244.2.6:8080": pytest.approx(0.5)}
    assert t.masquerade_probability == pytest.approx(1)  # the node's address is outside the pod CIDR
    assert t.outcomes[0].steps[0].rule.counters == (3, 180)
