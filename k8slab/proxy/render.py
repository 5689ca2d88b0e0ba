"""The whole iptables-restore input for one node, as kube-proxy's syncProxyRules writes it (pure)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Sequence

from k8slab.proxy import chains as C
from k8slab.proxy.chains import jump_rules, service_port_name
from k8slab.proxy.model import Endpoint, NodeConfig, ServicePort
from k8slab.proxy.topology import Categorized, categorize

__all__ = ["render", "jump_rules", "probability", "chain_line", "rendered_service_chains"]

# Above this many endpoints kube-proxy drops the per-endpoint comments to keep the ruleset small.
LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000

_FILTER_CHAINS = (C.KUBE_SERVICES, C.KUBE_EXTERNAL_SERVICES, C.KUBE_FORWARD, C.KUBE_NODEPORTS,
                  C.KUBE_PROXY_FIREWALL)
_NAT_CHAINS = (C.KUBE_SERVICES, C.KUBE_NODEPORTS, C.KUBE_POSTROUTING, C.KUBE_MARK_MASQ)


def probability(n: int) -> str:
    """kube-proxy's computeProbability: fmt.Sprintf("%0.10f", 1.0/float64(n))."""
    return "%0.10f" % (1.0 / n)


def chain_line(chain: str) -> str:
    """A chain declaration; with --noflush it creates the chain or flushes it."""
    return f":{chain} - [0:0]"


@dataclass
class _Buffers:
    filter_chains: list = field(default_factory=list)
    filter_rules: list = field(default_factory=list)
    nat_chains: list = field(default_factory=list)
    nat_rules: list = field(default_factory=list)


@dataclass(frozen=True)
class _Options:
    node: NodeConfig
    mark: str
    large: bool
    masquerade_all: bool


def _q(text: str) -> str:
    # kube-proxy writes multi-word comments pre-quoted and the bare service port name unquoted.
    return f'"{text}"'


def render(node: NodeConfig, services: Sequence[ServicePort], *, masquerade_all: bool = False,
           localhost_nodeports: bool = True, random_fully: bool = True) -> str:
    """The complete iptables-restore input (*filter then *nat) for `node`."""
    mark = node.masquerade_mark
    proxied = sorted((sp for sp in services if sp.cluster_ip),
                     key=lambda sp: (sp.namespace, sp.name, sp.port_name, sp.protocol))
    total = sum(len(sp.endpoints) for sp in proxied)
    opts = _Options(node, mark, total > LARGE_CLUSTER_ENDPOINTS_THRESHOLD, masquerade_all)
    buf = _Buffers()
    buf.filter_chains += [chain_line(c) for c in _FILTER_CHAINS]
    buf.nat_chains += [chain_line(c) for c in _NAT_CHAINS]
    buf.nat_rules += [
        f"-A {C.KUBE_POSTROUTING} -m mark ! --mark {mark}/{mark} -j RETURN",
        # Clear the mark so a packet that re-traverses the stack is not masqueraded twice.
        f"-A {C.KUBE_POSTROUTING} -j MARK --xor-mark {mark}",
        f"-A {C.KUBE_POSTROUTING} -m comment --comment {_q('kubernetes service traffic requiring SNAT')}"
        f" -j MASQUERADE" + (" --random-fully" if random_fully else ""),
        f"-A {C.KUBE_MARK_MASQ} -j MARK --or-mark {mark}",
    ]
    if localhost_nodeports:
        # NodePorts on 127.0.0.1 need route_localnet=1, which lets martian packets in; this rule
        # (a copy of kubelet's) closes that hole for everything but DNATed connections.
        buf.filter_chains.append(chain_line(C.KUBE_FIREWALL))
        buf.filter_rules.append(
            f"-A {C.KUBE_FIREWALL} -m comment --comment {_q('block incoming localnet connections')}"
            " -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP")
    for sp in proxied:
        _render_service(buf, opts, sp)
    nodeports_dst = "-m addrtype --dst-type LOCAL" + ("" if localhost_nodeports else " ! -d 127.0.0.0/8")
    buf.nat_rules.append(
        f"-A {C.KUBE_SERVICES} -m comment --comment "
        f"{_q('kubernetes service nodeports; NOTE: this must be the last rule in this chain')} "
        f"{nodeports_dst} -j {C.KUBE_NODEPORTS}")
    buf.filter_rules += [
        # Out-of-window packets are INVALID; dropping them avoids spurious RSTs (k8s #74839).
        f"-A {C.KUBE_FORWARD} -m conntrack --ctstate INVALID -j DROP",
        f"-A {C.KUBE_FORWARD} -m comment --comment {_q('kubernetes forwarding rules')}"
        f" -m mark --mark {mark}/{mark} -j ACCEPT",
        f"-A {C.KUBE_FORWARD} -m comment --comment {_q('kubernetes forwarding conntrack rule')}"
        " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    ]
    lines = (["*filter"] + buf.filter_chains + buf.filter_rules + ["COMMIT", "*nat"]
             + buf.nat_chains + buf.nat_rules + ["COMMIT"])
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class _Plan:
    """What kube-proxy decides for one service port before writing any rule."""

    sp: ServicePort
    spn: str
    match: str  # "-m tcp -p tcp"
    cat: Categorized
    svc: str
    svl: str
    ext: str
    fw: str
    internal_chain: str  # where ClusterIP traffic goes (SVC, or SVL with iTP Local)
    has_internal: bool
    external_policy_chain: str  # where EXT sends external traffic (SVC, or SVL with eTP Local)
    has_external: bool
    uses_ext: bool
    uses_fw: bool
    filter_target: str  # REJECT (no endpoints at all) or DROP (none on this node)
    filter_comment: str


def _plan(sp: ServicePort, node: NodeConfig) -> _Plan:
    spn = service_port_name(sp)
    proto = sp.protocol.lower()
    cat = categorize(sp, node.name)
    svc, svl = C.svc_chain(sp), C.svl_chain(sp)
    has_any = cat.has_any
    internal = (svl, has_any and bool(cat.local)) if sp.internal_local else (svc, has_any)
    external = (svl, has_any and bool(cat.local)) if sp.external_policy_local() else (svc, has_any)
    return _Plan(
        sp=sp, spn=spn, match=f"-m {proto} -p {proto}", cat=cat, svc=svc, svl=svl, ext=C.ext_chain(sp),
        fw=C.fw_chain(sp), internal_chain=internal[0], has_internal=internal[1],
        external_policy_chain=external[0], has_external=external[1],
        # The EXT chain exists whenever there are endpoints anywhere: even with eTP Local and no
        # local endpoint, pods and the host on this node must still short-circuit to KUBE-SVC.
        uses_ext=has_any and sp.externally_accessible(),
        uses_fw=has_any and bool(sp.load_balancer_ips) and bool(sp.load_balancer_source_ranges),
        filter_target="DROP" if has_any else "REJECT",
        filter_comment=_q(f"{spn} has no local endpoints" if has_any else f"{spn} has no endpoints"))


def _render_service(buf: _Buffers, opts: _Options, sp: ServicePort) -> None:
    """Append one service port's filter and nat rules, in kube-proxy's order."""
    p = _plan(sp, opts.node)
    _render_captures(buf, p)
    nat = buf.nat_rules
    cidr = opts.node.cluster_cidr
    if p.has_internal:
        head = (f"-A {p.internal_chain} -m comment --comment {_q(p.spn + ' cluster IP')} {p.match}"
                f" -d {sp.cluster_ip} --dport {sp.port}")
        if opts.masquerade_all:
            nat.append(f"{head} -j {C.KUBE_MARK_MASQ}")
        elif cidr:
            # Off-cluster sources (incl. the node itself) reaching a ClusterIP are masqueraded so
            # replies come back through this node if the endpoint is elsewhere.
            nat.append(f"{head} ! -s {cidr} -j {C.KUBE_MARK_MASQ}")
    if p.uses_ext:
        buf.nat_chains.append(chain_line(p.ext))
        _render_ext(nat, p, cidr)
    if p.uses_fw:
        buf.nat_chains.append(chain_line(p.fw))
        _render_fw(nat, p, opts.node)
    if p.cat.cluster and sp.uses_cluster_endpoints():
        buf.nat_chains.append(chain_line(p.svc))
        _render_balancer(nat, opts, p, p.svc, p.cat.cluster)
    if p.cat.local and sp.uses_local_endpoints():
        buf.nat_chains.append(chain_line(p.svl))
        _render_balancer(nat, opts, p, p.svl, p.cat.local)
    for ep in p.cat.reachable:
        _render_endpoint(buf, opts, p, ep)


def _render_captures(buf: _Buffers, p: _Plan) -> None:
    """The rules that catch the service's destinations (nat), or refuse them (filter)."""
    sp, spn, match, nat, filt = p.sp, p.spn, p.match, buf.nat_rules, buf.filter_rules
    has_any = p.cat.has_any
    port = f"--dport {sp.port}"
    refuse = f"-m comment --comment {p.filter_comment}"
    if p.has_internal:
        nat.append(f"-A {C.KUBE_SERVICES} -m comment --comment {_q(spn + ' cluster IP')} {match}"
                   f" -d {sp.cluster_ip} {port} -j {p.internal_chain}")
    else:
        filt.append(f"-A {C.KUBE_SERVICES} {refuse} {match} -d {sp.cluster_ip} {port} -j {p.filter_target}")
    for ip in sp.external_ips:
        if has_any:
            nat.append(f"-A {C.KUBE_SERVICES} -m comment --comment {_q(spn + ' external IP')} {match}"
                       f" -d {ip} {port} -j {p.ext}")
        if not p.has_external:
            filt.append(f"-A {C.KUBE_EXTERNAL_SERVICES} {refuse} {match} -d {ip} {port} -j {p.filter_target}")
    for ip in sp.load_balancer_ips:
        if has_any:
            nat.append(f"-A {C.KUBE_SERVICES} -m comment --comment {_q(spn + ' loadbalancer IP')} {match}"
                       f" -d {ip} {port} -j {p.fw if p.uses_fw else p.ext}")
        if p.uses_fw:
            filt.append(f"-A {C.KUBE_PROXY_FIREWALL} -m comment --comment "
                        f"{_q(f'{spn} traffic not accepted by {p.fw}')} {match} -d {ip} {port} -j DROP")
    if not p.has_external:
        for ip in sp.load_balancer_ips:
            filt.append(f"-A {C.KUBE_EXTERNAL_SERVICES} {refuse} {match} -d {ip} {port} -j {p.filter_target}")
    if sp.node_port:
        if has_any:
            # NodePorts are not subject to loadBalancerSourceRanges (they skip KUBE-FW).
            nat.append(f"-A {C.KUBE_NODEPORTS} -m comment --comment {spn} {match}"
                       f" --dport {sp.node_port} -j {p.ext}")
        if not p.has_external:
            filt.append(f"-A {C.KUBE_EXTERNAL_SERVICES} {refuse} -m addrtype --dst-type LOCAL {match}"
                        f" --dport {sp.node_port} -j {p.filter_target}")
    if sp.health_check_node_port:
        filt.append(f"-A {C.KUBE_NODEPORTS} -m comment --comment {_q(spn + ' health check node port')}"
                    f" -m tcp -p tcp --dport {sp.health_check_node_port} -j ACCEPT")


def _render_ext(nat: list, p: _Plan, cidr: str) -> None:
    """KUBE-EXT-*: masquerade (Cluster) or keep the client IP (Local), then the policy chain."""
    sp, spn, ext, svc = p.sp, p.spn, p.ext, p.svc
    if not sp.external_policy_local():
        # Endpoints may be on another node: masquerade so replies return through this one.
        nat.append(f"-A {ext} -m comment --comment {_q(f'masquerade traffic for {spn} external destinations')}"
                   f" -j {C.KUBE_MARK_MASQ}")
    else:
        if cidr:
            # Pods reaching an external destination behave as if they went out to a load balancer
            # and back in: Cluster policy, no masquerade.
            nat.append(f"-A {ext} -m comment --comment {_q(f'pod traffic for {spn} external destinations')}"
                       f" -s {cidr} -j {svc}")
        # The host's own traffic would carry a local source address (maybe the LB IP): masquerade.
        nat.append(f"-A {ext} -m comment --comment "
                   f"{_q(f'masquerade LOCAL traffic for {spn} external destinations')}"
                   f" -m addrtype --src-type LOCAL -j {C.KUBE_MARK_MASQ}")
        nat.append(f"-A {ext} -m comment --comment {_q(f'route LOCAL traffic for {spn} external destinations')}"
                   f" -m addrtype --src-type LOCAL -j {svc}")
    if p.has_external:
        nat.append(f"-A {ext} -j {p.external_policy_chain}")


def _render_fw(nat: list, p: _Plan, node: NodeConfig) -> None:
    """KUBE-FW-*: allowed source ranges go on to EXT; the rest fall off to KUBE-PROXY-FIREWALL."""
    sp, spn, fw, ext = p.sp, p.spn, p.fw, p.ext
    head = f"-A {fw} -m comment --comment {_q(spn + ' loadbalancer IP')}"
    allow_from_node = False
    node_ip = ipaddress.ip_address(node.node_ips[0]) if node.node_ips else None
    for cidr in sp.load_balancer_source_ranges:
        nat.append(f"{head} -s {cidr} -j {ext}")
        if node_ip is not None and node_ip in ipaddress.ip_network(cidr, strict=False):
            allow_from_node = True
    if allow_from_node:
        # A node reaching a VIP-like LB IP assigned locally loops back with the LB IP as source.
        for ip in sp.load_balancer_ips:
            nat.append(f"{head} -s {ip} -j {ext}")
    nat.append(f"-A {fw} -m comment --comment "
               f"{_q(f'other traffic to {spn} will be dropped by KUBE-PROXY-FIREWALL')}")


def _ep_comment(opts: _Options, text: str) -> str:
    return "" if opts.large else f" -m comment --comment {text}"


def _render_balancer(nat: list, opts: _Options, p: _Plan, chain: str, endpoints: Sequence[Endpoint]) -> None:
    """writeServiceToEndpointRules: affinity checks first, then 1/(n-i) random choices."""
    sp, spn = p.sp, p.spn
    if sp.affinity_timeout is not None:
        for ep in endpoints:
            sep = C.sep_chain(sp, ep)
            nat.append(f"-A {chain}{_ep_comment(opts, _q(f'{spn} -> {ep}'))} -m recent --name {sep}"
                       f" --rcheck --seconds {sp.affinity_timeout} --reap -j {sep}")
    n = len(endpoints)
    for i, ep in enumerate(endpoints):
        stat = f" -m statistic --mode random --probability {probability(n - i)}" if i < n - 1 else ""
        nat.append(f"-A {chain}{_ep_comment(opts, _q(f'{spn} -> {ep}'))}{stat} -j {C.sep_chain(sp, ep)}")


def _render_endpoint(buf: _Buffers, opts: _Options, p: _Plan, ep: Endpoint) -> None:
    """KUBE-SEP-*: hairpin masquerade, then DNAT (recording the client for affinity)."""
    sp, spn = p.sp, p.spn
    sep = C.sep_chain(sp, ep)
    proto = sp.protocol.lower()
    buf.nat_chains.append(chain_line(sep))
    head = f"-A {sep}{_ep_comment(opts, spn)}"
    # A pod reaching itself through its Service would get the reply straight from itself, not
    # from the ClusterIP; masquerading makes the reply come back through the node.
    buf.nat_rules.append(f"{head} -s {ep.ip} -j {C.KUBE_MARK_MASQ}")
    recent = f" -m recent --name {sep} --set" if sp.affinity_timeout is not None else ""
    buf.nat_rules.append(f"{head}{recent} -m {proto} -p {proto} -j DNAT --to-destination {ep}")


def rendered_service_chains(text: str) -> set[str]:
    """The per-service nat chains (SVC/SVL/EXT/FW/SEP) that `text` declares."""
    out: set[str] = set()
    table = ""
    for line in text.splitlines():
        if line.startswith("*"):
            table = line[1:]
        elif table == "nat" and line.startswith(":KUBE-"):
            name = line[1:].split(" ", 1)[0]
            if C.is_service_chain(name):
                out.add(name)
    return out
