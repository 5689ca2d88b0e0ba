"""`trace --diagram`: the path of a new connection as boxes and arrows (pure).

Drawn from the same ConnectionTrace that `trace` prints as text: the source, the node whose
kube-proxy rules the packet meets and the chains it walks there, then one branch per place the
connection can end up, with its probability, the endpoint chain, the DNAT and any SNAT.
"""

from __future__ import annotations

import ipaddress
import textwrap
from dataclasses import dataclass, field
from typing import List

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from k8slab.proxy.chains import EXT_PREFIX, FW_PREFIX, KUBE_MARK_MASQ, KUBE_NODEPORTS, SEP_PREFIX, SVL_PREFIX
from k8slab.proxy.explain import percent
from k8slab.proxy.route import SERVICE_CIDR, ConnectionTrace, Delivery, Topology
from k8slab.proxy.trace import Outcome, Step
from k8slab.views.canvas import ARROW, shorten

BRANCHES_SHOWN = 8
_HOOKS = ("PREROUTING", "OUTPUT")
_STYLE = {"svc": "cyan", "sep": "green", "ext": "magenta", "dnat": "yellow", "masq": "blue", "bad": "red"}


@dataclass
class Station:
    """One chain the packet walks on the entry node, with why it goes on from there."""

    chain: str
    notes: List[str] = field(default_factory=list)


def trace_diagram(ct: ConnectionTrace, topo: Topology, *, what: str = "", width: int = 120) -> RenderableType:
    """The diagram of one traced connection."""
    parts: List[RenderableType] = [_source_box(ct), _wire(ct, what, width)]
    if ct.node_trace is None:
        parts.append(Panel(Text(ct.entry_note), title=Text("✗ never reaches the cluster", style="bold red"),
                           title_align="left", border_style="red", expand=False))
        return Group(*parts)
    parts.append(_node_box(ct, topo))
    parts.append(_branches(ct, topo, width))
    return Group(*parts)


# -- source and entry -----------------------------------------------------------------------------

def _source_box(ct: ConnectionTrace) -> Panel:
    src = ct.source
    body = Text.assemble((src.ip, "bold"))
    if src.kind == "pod":
        body.append(f"\non {src.node}", style="dim")
    elif src.kind == "ext":
        body.append("\nyour laptop, outside the cluster", style="dim")
    title = Text.assemble((f"{src.kind} " if src.kind != src.name else "", "dim"), (src.name, "bold cyan"))
    return Panel(body, title=title, title_align="left", expand=False, border_style="cyan", padding=(0, 1))


def _wire(ct: ConnectionTrace, what: str, width: int) -> Text:
    text = Text.assemble(("  │ ", "blue"))
    text.append(f"{ct.protocol} {ARROW} {ct.dst_ip}:{ct.dst_port}", style="bold")
    if what:
        text.append(f"  ({what})", style="dim")
    if ct.node_trace is not None:  # otherwise the box below says why it goes nowhere
        for line in textwrap.wrap(ct.entry_note, max(20, width - 4)):  # the wire stays beside every line
            text.append("\n  │ ", style="blue")
            text.append(line, style="dim")
    text.append("\n  ▼", style="blue")
    return text


# -- the entry node and its chains ----------------------------------------------------------------

def stations(steps: tuple) -> List[Station]:
    """The nat chains a packet walks before its endpoint is chosen, each with short notes."""
    out: List[Station] = []
    for s in steps:
        if s.table != "nat" or s.chain in ("POSTROUTING", "KUBE-POSTROUTING", KUBE_MARK_MASQ):
            continue  # SNAT belongs to each branch; the mark's own chain is a detail of the one that jumps
        if s.chain.startswith(SEP_PREFIX):
            break
        target = s.verdict[5:] if s.verdict.startswith("jump ") else ""
        if s.chain in _HOOKS:
            out.append(Station(f"nat {s.chain}"))
            if target:
                out.append(Station(target))
            continue
        here = next((st for st in reversed(out) if st.chain == s.chain), None)
        if here is None:
            here = Station(s.chain)
            out.append(here)
        note = _note(s, target)
        if note:
            here.notes.append(note)
        if s.choice is not None or target.startswith(SEP_PREFIX):
            break
        if target and target != KUBE_MARK_MASQ:
            out.append(Station(target))
    return out


def _spn(comment: str) -> str:
    for tail in (" cluster IP", " external IP", " loadbalancer IP"):
        if comment.endswith(tail):
            return comment[: -len(tail)]
    return comment.split(" -> ")[0]


def _note(s: Step, target: str) -> str:
    comment = (s.rule.comment if s.rule else "") or ""
    dst_ip = s.dst.rsplit(":", 1)[0]
    if s.verdict == "no match":
        return f"no Service matches {s.dst}: not rewritten"
    if s.verdict == "return" and s.chain.startswith(EXT_PREFIX):
        return "externalTrafficPolicy Local, no endpoint on this node: not DNATed"
    if s.verdict == "affinity":
        return f"ClientIP affinity: a new client gets a random pick, then keeps it {s.rule.recent.seconds} s"
    if s.choice is not None:
        i, n = s.choice
        return "the only endpoint" if n == 1 else f"random pick: 1 of {n} endpoints"
    if target.startswith(SEP_PREFIX):
        return "this client is pinned to an endpoint (session affinity)"
    if target == KUBE_MARK_MASQ:
        return _masq_note(s, comment)
    if target == KUBE_NODEPORTS:
        return f"{dst_ip} is this node's own address: look up NodePorts"
    if s.chain == KUBE_NODEPORTS:
        return f"port {s.dst.rsplit(':', 1)[1]} is the NodePort of {comment}"
    if comment.endswith((" cluster IP", " external IP", " loadbalancer IP")):
        return f"{s.dst} is the {comment[len(_spn(comment)) + 1:]} of {_spn(comment)}"
    if target.startswith(SVL_PREFIX):
        return "externalTrafficPolicy Local: this node's endpoints only, client IP kept"
    if s.chain.startswith(FW_PREFIX):
        return "the source is allowed by loadBalancerSourceRanges"
    return ""


def _masq_note(s: Step, comment: str) -> str:
    if s.chain.startswith(EXT_PREFIX):
        return "external client: marked for SNAT (externalTrafficPolicy Cluster)"
    if s.rule is not None and s.rule.src and s.rule.src[0]:
        return f"source {s.src} is outside the pod network: marked for SNAT"
    if comment.startswith("masquerade LOCAL"):
        return "sent by the node itself: marked for SNAT"
    return "marked for SNAT"


def _shared(paths: List[List[Station]]) -> List[Station]:
    """The chains every outcome walks (in practice all of them up to the endpoint choice), with the
    notes of every outcome: the branches below show where they part."""
    out: List[Station] = []
    for column in zip(*paths):
        if len({st.chain for st in column}) != 1:
            break
        out.append(Station(column[0].chain, [n for st in column for n in st.notes]))
    return out


def _chain_style(chain: str) -> str:
    if chain.startswith(("KUBE-SVC-", SVL_PREFIX)):
        return _STYLE["svc"]
    if chain.startswith((EXT_PREFIX, FW_PREFIX)):
        return _STYLE["ext"]
    return "bold" if chain.startswith("nat ") else ""


def _node_box(ct: ConnectionTrace, topo: Topology) -> Panel:
    shared = _shared([stations(o.steps) for o in ct.node_trace.outcomes])
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for i, st in enumerate(shared):
        notes = Text(" · ".join(dict.fromkeys(st.notes)), style="dim")
        grid.add_row(Text(("▼ " if i else "  ") + st.chain, style=_chain_style(st.chain)), notes)
    node = topo.node(ct.entry_node)
    title = Text.assemble((ct.entry_node, "bold cyan"), f" {node.ip}", ("  kube-proxy's rules (iptables)", "dim"))
    return Panel(grid, title=title, title_align="left", border_style="cyan", expand=False, padding=(0, 1))


# -- where the connection ends up -----------------------------------------------------------------

def _branches(ct: ConnectionTrace, topo: Topology, width: int) -> RenderableType:
    pairs = list(zip(ct.node_trace.outcomes, ct.deliveries))
    shown = pairs if len(pairs) <= BRANCHES_SHOWN else pairs[:BRANCHES_SHOWN - 1]
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, justify="right")
    grid.add_column()
    grid.add_row(Text("  │", style="blue"))
    room = width - 12  # the wire, the share and the spaces between them
    for i, (o, d) in enumerate(shown):
        last = i == len(shown) - 1 and len(shown) == len(pairs)
        lines = _branch(ct, topo, o, d, room)
        # The wire goes on down beside every line of a branch but the last one's.
        wire = "\n".join(["  └─" if last else "  ├─"] + ["    " if last else "  │ "] * (len(lines) - 1))
        grid.add_row(Text(wire, style="blue"), Text(percent(d.probability), style="bold"), Text("\n").join(lines))
    rest = pairs[len(shown):]
    if rest:
        share = percent(sum(d.probability for _, d in rest))
        grid.add_row(Text("  └─", style="blue"), Text(share, style="bold"),
                     Text(f"{ARROW} {len(rest)} more endpoints: {_ips(rest)}", style="italic"))
    return grid


def _ips(rest: list) -> str:
    ips = [d.destination for _, d in rest]
    return ", ".join(ips[:3]) + (", …" if len(ips) > 3 else "")


def _branch(ct: ConnectionTrace, topo: Topology, o: Outcome, d: Delivery, room: int) -> List[Text]:
    """What the rules do (endpoint chain, DNAT), then where it lands and which source it seems to come from."""
    if d.verdict in ("REJECT", "DROP"):
        why = _last_comment(o)
        then = ("the client gets 'connection refused' at once" if d.verdict == "REJECT"
                else "the client hears nothing and times out")
        where = f" in {o.steps[-1].table} {o.steps[-1].chain}" if o.steps else ""
        return [Text.assemble((f"✗ {d.verdict}", "bold " + _STYLE["bad"]), where, (f": {why}" if why else "")),
                Text(then, style="dim")]
    final_ip = d.destination.rsplit(":", 1)[0]
    if d.verdict == "DNAT":
        rules = Text.assemble((ARROW + " ", "blue"), (o.endpoint_chain or "", _STYLE["sep"]), (f" {ARROW} ", "blue"),
                              ("DNAT to ", _STYLE["dnat"]), (d.destination, "bold"))
    else:
        rules = Text.assemble((ARROW + " ", "blue"), ("not rewritten: ", "dim"), (d.destination, "bold"))
    landing, source = _landing(ct, topo, final_ip), _source_seen(ct, o, d)
    if len(landing) + 4 + len(source) <= room:
        return [rules, Text.assemble(landing, "  · ", source)]
    return [rules, landing, Text.assemble("   ", source)]


def _last_comment(o: Outcome) -> str:
    step = o.steps[-1] if o.steps else None
    return (step.rule.comment or "") if step is not None and step.rule is not None else ""


def _landing(ct: ConnectionTrace, topo: Topology, ip: str) -> Text:
    """Where the packet lands: a pod and its node (and the hop across the lab network), a node, outside."""
    text = Text.assemble((ARROW + " ", "blue"))
    pod = topo.pods.get(ip)
    owner = topo.node_for_pod_ip(ip) if ipaddress.ip_address(ip) in ipaddress.ip_network(topo.cluster_cidr) else None
    node = owner.name if owner else (pod[1] if pod else None)
    if pod or owner:
        if node and node != ct.entry_node:
            text.append(f"{ct.entry_node} ⇢ {node} (lab network) {ARROW} ", style="cyan")
        else:
            text.append(f"on {node}: ", style="cyan")
        name = pod[0].split("/", 1)[-1] if pod else ip
        text.append(f"pod {shorten(name, 30)}" if pod else f"a pod address {ip}")
        return text
    target = topo.node_by_ip(ip)
    if target is not None:
        return text.append(f"{target.name} itself" if target.name == ct.entry_node else f"node {target.name}")
    if ip in topo.outside:
        return text.append("the outside world", style="cyan")
    if ipaddress.ip_address(ip) in SERVICE_CIDR:
        return text.append("nothing owns a ClusterIP: lost, the client times out", style=_STYLE["bad"])
    return text.append("the default gateway, out of the cluster", style="dim")


def _source_seen(ct: ConnectionTrace, o: Outcome, d: Delivery) -> Text:
    if o.masquerade:
        hairpin = "hairpin, " if d.destination.rsplit(":", 1)[0] == ct.source.ip else ""
        return Text(f"{hairpin}MASQUERADE: source becomes {d.seen_source}", style=_STYLE["masq"])
    if d.seen_source and d.seen_source != ct.source.ip:
        return Text(f"egress masquerade: source becomes {d.seen_source}", style=_STYLE["masq"])
    return Text(f"no SNAT: it sees source {ct.source.ip}", style="dim")

