"""kube-proxy deletes UDP conntrack entries when a UDP Service's backends change (pure part)."""

from __future__ import annotations

from k8slab.proxy.kubeproxy import KubeProxy
from k8slab.proxy.model import Endpoint, ServicePort


def sp(eps, protocol="UDP", node_port=None):
    return ServicePort("kube-system", "kube-dns", "dns", protocol, "10.96.0.10", 53, node_port=node_port,
                       endpoints=tuple(Endpoint(ip, 53, "node1") for ip in eps))


def test_stale_udp_destinations_follow_backend_changes_only():
    proxy = KubeProxy(store=None, nodes=[], pid_of=lambda n: 0)
    assert proxy._stale_udp([sp([])]) == [("10.96.0.10", 53)]  # new Service
    assert proxy._stale_udp([sp([])]) == []  # nothing changed
    assert proxy._stale_udp([sp(["10.244.1.2"], node_port=30053)]) == [("10.96.0.10", 53), (None, 30053)]
    assert proxy._stale_udp([sp(["10.244.1.2"], node_port=30053)]) == []
    assert proxy._stale_udp([sp(["10.244.1.2"], protocol="TCP")]) == []  # TCP needs none of this
