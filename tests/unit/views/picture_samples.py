"""A small lab for picture tests: three nodes, a web Deployment behind a NodePort Service, a pod that
is not ready, a selectorless Service pointing outside and a LoadBalancer (JSON dict form)."""

from __future__ import annotations

import copy

from service_samples import endpoint, endpoint_slice, service, slice_port
from views_samples import pod

from k8slab.views.lab import Lab, LabNode

NODES = (LabNode("node1", "172.18.0.2", "10.244.1.0/24"), LabNode("node2", "172.18.0.3", "10.244.2.0/24"),
         LabNode("node3", "172.18.0.4", "10.244.3.0/24"))
WEB_PODS = (("web-7957885594-tjxcz", "10.244.1.3", "node1"), ("web-7957885594-4vtl2", "10.244.2.2", "node2"),
            ("web-7957885594-x4jm7", "10.244.2.3", "node2"), ("web-7957885594-qtsz5", "10.244.3.2", "node3"))


def lab(**changes) -> Lab:
    """The three-node lab, with its outside world addresses and one announced LoadBalancer IP."""
    base = dict(nodes=NODES, outside=("1.1.1.1", "2.2.2.2", "192.168.3.215", "192.168.3.216"),
                lb_announcers={"172.18.255.200": "node2"})
    base.update(changes)
    return Lab(**base)


def web_pod(name: str, ip: str, node: str, *, ready: bool = True, namespace: str = "default") -> dict:
    """A pod of the web Deployment."""
    p = pod(name, "nginx", ip=ip, node=node)
    p["metadata"]["labels"] = {"app": "web"}
    p["metadata"]["namespace"] = namespace
    if not ready:
        for c in p["status"]["conditions"]:
            if c["type"] in ("Ready", "ContainersReady"):
                c["status"] = "False"
        p["status"]["containerStatuses"][0]["ready"] = False
    return p


def pods() -> list:
    """The web pods, a db pod that is not ready on node3 and a pod still Pending."""
    out = [web_pod(*row) for row in WEB_PODS]
    db = web_pod("db-0", "10.244.3.3", "node3", ready=False)
    db["metadata"]["labels"] = {"app": "db"}
    pending = copy.deepcopy(db)
    pending["metadata"]["name"] = "queue-0"
    pending["spec"].pop("nodeName")
    pending["status"] = {"phase": "Pending", "conditions": []}
    return out + [db, pending]


def services() -> list:
    """web (NodePort 30080), db-ext (selectorless, hand-written Endpoints outside), lb (LoadBalancer)."""
    web = service("web", type_="NodePort", cluster_ip="10.96.100.10",
                  ports=({"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080, "nodePort": 30080},))
    ext = service("db-ext", cluster_ip="10.96.100.20", selector={},
                  ports=({"port": 5432, "protocol": "TCP", "targetPort": 5432},))
    lb = service("lb", type_="LoadBalancer", cluster_ip="10.96.100.30", selector={"app": "web"},
                 ports=({"port": 80, "protocol": "TCP", "targetPort": 8080, "nodePort": 31000},),
                 ingress=[{"ip": "172.18.255.200", "ipMode": "VIP"}])
    return [web, ext, lb]


def slices() -> list:
    """The slices of web and lb (the four web pods) and the mirrored slice of db-ext."""
    eps = [endpoint(ip, name, node=node) for name, ip, node in WEB_PODS]
    web = endpoint_slice("web-x7k2p", "web", eps, [slice_port(8080, "http")])
    lb = endpoint_slice("lb-q9z8v", "lb", eps, [slice_port(8080)])
    outside = {"addresses": ["192.168.3.216"], "conditions": {"ready": True}}
    ext = endpoint_slice("db-ext-m2s4d", "db-ext", [outside], [slice_port(5432)])
    return [web, lb, ext]
