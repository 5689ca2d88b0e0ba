"""Representative Services for the renderer's golden tests and the trace tests.

Cluster shape as k8slab builds it: node1..node3 on 172.18.0.0/16, pod CIDR 10.244.0.0/16 with
10.244.<n>.0/24 per node, rules rendered for node1 unless a case says otherwise.
"""

from __future__ import annotations

from k8slab.proxy.model import Endpoint, NodeConfig, ServicePort

NODE1 = NodeConfig("node1", ("172.18.0.2",))
NODE2 = NodeConfig("node2", ("172.18.0.3",))
EXT_CLIENT = "172.18.0.1"  # the learner's laptop on the lab network

WEB_EPS = (Endpoint("10.244.1.5", 8080, "node1"), Endpoint("10.244.2.6", 8080, "node2"),
           Endpoint("10.244.3.7", 8080, "node3"))


def web(**kw) -> ServicePort:
    """default/web:http, ClusterIP 10.96.100.10:80 → three pods on 8080 (reference 2.3)."""
    args = dict(namespace="default", name="web", port_name="http", protocol="TCP",
                cluster_ip="10.96.100.10", port=80, endpoints=WEB_EPS)
    args.update(kw)
    return ServicePort(**args)


def kube_dns() -> list:
    """kube-system/kube-dns: dns 53/UDP and dns-tcp 53/TCP, one CoreDNS pod on node2."""
    ep = (Endpoint("10.244.2.2", 53, "node2"),)
    return [ServicePort("kube-system", "kube-dns", "dns", "UDP", "10.96.0.10", 53, endpoints=ep),
            ServicePort("kube-system", "kube-dns", "dns-tcp", "TCP", "10.96.0.10", 53, endpoints=ep)]


# name -> (node, services). Each has a golden file tests/unit/proxy/golden/<name>.txt.
CASES = {
    "clusterip": (NODE1, [web()]),
    "nodeport": (NODE1, [web(node_port=30080)]),
    "no_endpoints": (NODE1, [web(node_port=30080, external_ips=("192.168.3.215",),
                                 load_balancer_ips=("172.18.255.200",), endpoints=())]),
    "etp_local": (NODE1, [web(node_port=30080, load_balancer_ips=("172.18.255.200",), external_local=True,
                              health_check_node_port=32000)]),
    "etp_local_no_local_endpoints": (NODE1, [web(node_port=30080, load_balancer_ips=("172.18.255.200",),
                                                 external_local=True, health_check_node_port=32000,
                                                 endpoints=WEB_EPS[1:])]),
    "itp_local": (NODE1, [web(internal_local=True)]),
    "itp_local_no_local_endpoints": (NODE1, [web(internal_local=True, endpoints=WEB_EPS[1:])]),
    "affinity": (NODE1, [web(affinity_timeout=10800)]),
    "headless": (NODE1, [web(cluster_ip=None)]),
    "external_ips": (NODE1, [web(external_ips=("192.168.3.215", "192.168.3.216"))]),
    "loadbalancer": (NODE1, [web(node_port=30080, load_balancer_ips=("172.18.255.200",))]),
    "loadbalancer_source_ranges": (NODE1, [web(node_port=30080, load_balancer_ips=("172.18.255.200",),
                                               load_balancer_source_ranges=("172.18.0.0/24", "192.168.3.0/24"))]),
    "udp": (NODE1, kube_dns()),
    "terminating_fallback": (NODE1, [web(endpoints=(
        Endpoint("10.244.1.5", 8080, "node1", ready=False, serving=True, terminating=True),
        Endpoint("10.244.2.6", 8080, "node2", ready=False, serving=False, terminating=True),
        Endpoint("10.244.3.7", 8080, "node3", ready=False, serving=False, terminating=False)))]),
    "unnamed_port": (NODE1, [web(port_name="", endpoints=WEB_EPS[:1])]),
}
