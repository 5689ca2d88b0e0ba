"""`proxy rules` and `trace`: seeing what kube-proxy programmed, and what it does to a connection."""

from __future__ import annotations

import ipaddress
from typing import Optional, Tuple

from k8slab.errors import UserError
from k8slab.net.addresses import EXT_IP, EXT_NAME, OUTSIDE_ADDRESSES
from k8slab.proxy import apply as iptables
from k8slab.proxy.route import NodeInfo, Source, Topology, trace_connection
from k8slab.shell import pictures
from k8slab.shell.results import Result
from k8slab.views import netviews
from k8slab.views.trace_diagram import trace_diagram

TRACE_SYNTAX = "trace FROM TO[:PORT] [--udp] [--diagram] [--svg FILE]"


def proxy_command(session, words, _stdin) -> Result:
    """proxy rules [NODE] [SERVICE] [--counters] [-n NS]"""
    if not words or words[0] != "rules":
        raise UserError("error: usage: proxy rules [NODE] [SERVICE] [--counters] [-n NAMESPACE]")
    args = [w for w in words[1:] if not w.startswith("-")]
    counters = "--counters" in words or "-c" in words
    ns = session.namespace
    if "-n" in words[1:]:
        i = words.index("-n")
        if i + 1 >= len(words):
            raise UserError("error: flag needs an argument: -n")
        ns = words[i + 1]
        args = [a for a in args if a != ns]
    nodes = list(session.cluster.network.plans)
    node = nodes[0]
    if args and args[0] in nodes:
        node = args.pop(0)
    service = args[0] if args else None
    if service is not None:
        session.cluster.store.get("Service", service.split("/")[-1], ns)  # NotFound, as kubectl says it
    text = iptables.read_rules(session.cluster.network.pid_of(node), counters=counters)
    spn = f"{ns}/{service.split('/')[-1]}" if service else None
    return Result().say(netviews.render_rules(text, node=node, service=spn, color=session.printer.colored))


def _topology(cluster) -> Topology:
    nodes = tuple(NodeInfo(p.name, p.ip, p.pod_cidr, p.gateway) for p in cluster.network.plans.values())
    pods = {p.status.pod_ip: (f"{p.metadata.namespace}/{p.metadata.name}", p.spec.node_name)
            for p in cluster.store.list("Pod") if p.status.pod_ip}
    return Topology(nodes=nodes, rules=dict(cluster.kube_proxy.rendered), pods=pods,
                    lb_announcers=dict(cluster.load_balancers.announced), ext_ip=EXT_IP, outside=OUTSIDE_ADDRESSES)


def resolve_source(session, word: str) -> Source:
    """A pod name (or pod/NAME), a node name, or ext."""
    cluster = session.cluster
    if word == EXT_NAME:
        return Source("ext", EXT_NAME, EXT_IP)
    if word in cluster.network.plans:
        plan = cluster.network.plans[word]
        return Source("node", word, plan.ip, word)
    name = word.split("/", 1)[1] if word.startswith(("pod/", "po/")) else word
    pod = cluster.store.try_get("Pod", name, session.namespace)
    if pod is None:
        raise UserError(f'error: trace from "{word}": not a pod in namespace {session.namespace}, a node '
                        f'({", ".join(cluster.network.plans)}) or ext')
    if not pod.status.pod_ip:
        raise UserError(f"error: pod {name} has no IP yet (it is {pod.status.phase})")
    return Source("pod", name, pod.status.pod_ip, pod.spec.node_name)


def resolve_destination(session, word: str) -> Tuple[str, int, str]:
    """IP[:PORT], NODE[:PORT], svc/NAME[:PORT] or pod/NAME[:PORT] -> (ip, port, why that address)."""
    cluster = session.cluster
    target, _, port_text = word.rpartition(":") if ":" in word else (word, "", "")
    if port_text and not port_text.isdigit():
        raise UserError(f'error: bad port in "{word}"')
    port: Optional[int] = int(port_text) if port_text else None
    if target.startswith(("svc/", "service/")):
        svc = cluster.store.get("Service", target.split("/", 1)[1], session.namespace)
        if not svc.spec.cluster_ip or svc.spec.cluster_ip == "None":
            raise UserError(f"error: service {svc.metadata.name} has no ClusterIP (headless or ExternalName): "
                            "nothing for kube-proxy to trace; clients reach its pods directly")
        first = svc.spec.ports[0].port if svc.spec.ports else 80
        return svc.spec.cluster_ip, port or first, f"ClusterIP of service {svc.metadata.name}"
    if target.startswith(("pod/", "po/")):
        pod = cluster.store.get("Pod", target.split("/", 1)[1], session.namespace)
        return pod.status.pod_ip or "", port or 80, f"IP of pod {pod.metadata.name}"
    if target in cluster.network.plans:
        return cluster.network.plans[target].ip, port or 80, f"address of {target}"
    try:
        ipaddress.ip_address(target)
    except ValueError:
        raise UserError(f'error: trace to "{word}": give IP[:PORT], NODE[:PORT], svc/NAME[:PORT] or pod/NAME[:PORT]')
    return target, port or 80, ""


def trace_command(session, words, _stdin) -> Result:
    """trace FROM TO[:PORT] [--udp] [--diagram] [--svg FILE]"""
    words, svg = pictures.take_svg(words)
    plain = [w for w in words if not w.startswith("-")]
    if len(plain) != 2:
        raise UserError(f"error: usage: {TRACE_SYNTAX}   e.g. trace client svc/web, "
                        "trace ext node2:30080 --diagram")
    src = resolve_source(session, plain[0])
    ip, port, what = resolve_destination(session, plain[1])
    protocol = "UDP" if "--udp" in words else "TCP"
    topo = _topology(session.cluster)
    ct = trace_connection(topo, src, ip, port, protocol)
    if "--diagram" in words or svg:  # an SVG is always of the diagram
        width = pictures.picture_width(session)
        return pictures.show(session, trace_diagram(ct, topo, what=what, width=width), svg=svg,
                             title=f"trace {plain[0]} {plain[1]}", width=width)
    return Result().say(netviews.render_trace(ct, what=what, color=session.printer.colored))
