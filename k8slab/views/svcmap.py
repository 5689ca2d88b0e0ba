"""`topo svc/NAME`: one Service as a map: the Service and its ways in, its EndpointSlices with each
endpoint's conditions, and the nodes its pods sit on (pure: rich renderables from dicts)."""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from k8slab.views.canvas import ARROW, NOT_READY, READY, mark, plural, pod_state, shorten
from k8slab.views.lab import EndpointView, Lab, endpoints_of, lb_ips, node_ports, pod_ip, slices_of
from k8slab.views.topo import NODE_MIN_WIDTH, pod_line

ENDPOINT_ROWS = 16
PODS_PER_NODE = 8


def service_map(lab: Lab, svc: dict, slices: Sequence[dict], pods: Sequence[dict], *, width: int) -> RenderableType:
    """The map of one Service; `pods` are the namespace's pods (the ones it selects are picked here)."""
    spec = svc.get("spec") or {}
    if spec.get("type") == "ExternalName":
        note = (f"DNS answers {svc['metadata']['name']}'s name with a CNAME to {spec.get('externalName')}:\n"
                "    no ClusterIP, no endpoints, nothing for kube-proxy to do.")
        return Group(_service_panel(lab, svc, slices), _down(note))
    eps = endpoints_of(svc, slices)
    parts: List[RenderableType] = [_ways_in(lab, svc), _down(""), _service_panel(lab, svc, slices),
                                   _down(_choice_note(svc, eps))]
    parts += _endpoint_tables(lab, svc, slices, eps, pods, wide=width >= 100)
    placement = _placement(lab, svc, eps, pods, width)
    if placement is not None:
        parts += [_down("where the endpoints are"), placement]
    return Group(*parts)


def _down(note: str) -> Text:
    return Text.assemble(("  │\n  ▼ ", "blue"), (note, "dim"))


# -- the Service ----------------------------------------------------------------------------------

def _service_panel(lab: Lab, svc: dict, slices: Sequence[dict]) -> Panel:
    meta, spec = svc["metadata"], svc.get("spec") or {}
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    kind = spec.get("type") or "ClusterIP"
    grid.add_row("type", Text(kind, style="bold"))
    if kind != "ExternalName":
        ip = spec.get("clusterIP") or "<none>"
        grid.add_row("ClusterIP", Text.assemble((ip, "bold"), (" (headless: DNS answers with the endpoints' IPs)"
                                                               if ip == "None" else "", "dim")))
    else:
        grid.add_row("externalName", Text(spec.get("externalName") or "", style="bold"))
    grid.add_row("DNS name", f"{meta['name']}.{meta.get('namespace', 'default')}.svc.cluster.local")
    if spec.get("ports"):
        grid.add_row("ports", _port_lines(svc, slices))
    selector = spec.get("selector") or {}
    if kind != "ExternalName":  # a DNS alias: no selector, no proxying
        grid.add_row("selector", ",".join(f"{k}={v}" for k, v in sorted(selector.items())) if selector
                     else Text("none: its Endpoints are written by hand (or mirrored from them)", style="yellow"))
        grid.add_row("sessionAffinity", _affinity(spec))
        grid.add_row("traffic policy", _policies(spec))
    for ip in lb_ips(svc):
        owner = lab.lb_announcers.get(ip)
        grid.add_row("LB IP", Text.assemble((ip, "bold"), (f"  {owner} answers ARP for it (MetalLB layer 2)"
                                                           if owner else "  no node announces it yet", "dim")))
    if kind == "LoadBalancer" and not lb_ips(svc):
        grid.add_row("LB IP", Text("<pending>", style="yellow"))
    for ip in spec.get("externalIPs") or []:
        grid.add_row("external IP", ip)
    title = Text.assemble(("svc/", "dim"), (meta["name"], "bold magenta"), ("  namespace ", "dim"),
                          meta.get("namespace", "default"))
    return Panel(grid, title=title, title_align="left", border_style="magenta", expand=False, padding=(0, 1))


def _port_lines(svc: dict, slices: Sequence[dict]) -> Text:
    numbers = _named_target_ports(svc, slices)
    text = Text()
    for i, p in enumerate(svc["spec"]["ports"]):
        target = p.get("targetPort", p.get("port"))
        resolved = numbers.get(p.get("name") or "")
        if isinstance(target, str) and resolved:
            target = f"{target} ({resolved} in the pods)"
        name = f"{p['name']}: " if p.get("name") else ""
        text.append("\n" if i else "")
        text.append(f"{name}port {p.get('port')}/{p.get('protocol') or 'TCP'} {ARROW} targetPort {target}")
        if p.get("nodePort"):
            text.append(f"   nodePort {p['nodePort']} on every node", style="bold")
    return text


def _named_target_ports(svc: dict, slices: Sequence[dict]) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for s in slices_of(svc, slices):
        for p in s.get("ports") or []:
            if p.get("port") is not None:
                out.setdefault(p.get("name") or "", p["port"])
    return out


def _affinity(spec: dict) -> str:
    affinity = spec.get("sessionAffinity") or "None"
    if affinity == "ClientIP":
        seconds = ((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get("timeoutSeconds", 10800)
        return f"ClientIP: a client keeps its endpoint for {seconds} s"
    return f"{affinity}: each new connection picks an endpoint"


def _policies(spec: dict) -> str:
    parts = [f"internal {spec.get('internalTrafficPolicy') or 'Cluster'}"]
    if spec.get("type") in ("NodePort", "LoadBalancer"):
        parts.insert(0, f"external {spec.get('externalTrafficPolicy') or 'Cluster'}")
    return " · ".join(parts)


def _ways_in(lab: Lab, svc: dict) -> Text:
    spec = svc.get("spec") or {}
    ports = [p.get("port") for p in spec.get("ports") or []]
    first = ports[0] if ports else None
    lines = Text.assemble(("ways in", "bold"))
    ip = spec.get("clusterIP")
    if ip and ip != "None" and first:
        lines.append(f"\n  from pods and nodes  {ARROW} {ip}:{first}")
        lines.append(f"   or {svc['metadata']['name']}:{first} by DNS", style="dim")
    elif ip == "None":
        lines.append(f"\n  from pods  {ARROW} {svc['metadata']['name']}: DNS gives the pod IPs, no proxying")
    for node_port in node_ports(svc):
        example = f", e.g. {lab.nodes[0].ip}:{node_port}" if lab.nodes else ""
        lines.append(f"\n  from {lab.ext_name} (outside)   {ARROW} any node's IP:{node_port}{example}")
    for lb in lb_ips(svc):
        lines.append(f"\n  from {lab.ext_name} (outside)   {ARROW} {lb}:{first} (LoadBalancer)")
    for external in spec.get("externalIPs") or []:
        lines.append(f"\n  to an external IP    {ARROW} {external}:{first}")
    return lines


def _choice_note(svc: dict, eps: List[EndpointView]) -> str:
    ready = sum(1 for e in eps if e.ready)
    if not eps:
        return "no endpoints: kube-proxy rejects new connections (connection refused)"
    if (svc.get("spec") or {}).get("clusterIP") == "None":
        return f"DNS answers with the {ready} ready address{'' if ready == 1 else 'es'}"
    if ready == 0:
        return "no ready endpoint: kube-proxy rejects new connections (connection refused)"
    if ready == 1:
        return "kube-proxy sends every new connection to its only ready endpoint"
    return f"kube-proxy picks one of {ready} ready endpoints for each new connection"


# -- the endpoints ----------------------------------------------------------------------------------

def _endpoint_tables(lab: Lab, svc: dict, slices: Sequence[dict], eps: List[EndpointView],
                     pods: Sequence[dict], wide: bool) -> List[RenderableType]:
    mine = slices_of(svc, slices)
    if not mine:
        why = ("no pod matches its selector yet" if (svc.get("spec") or {}).get("selector")
               else "no selector, and no Endpoints object of the same name")
        return [Text(f"no EndpointSlice: {why}", style="yellow")]
    by_ip = {pod_ip(p): p for p in pods if pod_ip(p)}
    out: List[RenderableType] = []
    for s in mine:
        here = [e for e in eps if e.slice == s["metadata"]["name"]]
        title = Text.assemble(("EndpointSlice ", "dim"), (s["metadata"]["name"], "bold"),
                              (f"  {s.get('addressType', '')}, ports {', '.join(_slice_port_texts(s)) or 'none'}",
                               "dim"))
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold", title=title,
                      title_justify="left")
        # Narrow terminals get the three conditions in one column, and nodes without their IPs.
        conditions = ("READY", "SERVING", "TERMINATING") if wide else ("CONDITIONS",)
        for name in ("ENDPOINT",) + conditions + ("POD", "NODE"):
            table.add_column(name, no_wrap=True, overflow="ellipsis")
        for e in here[:ENDPOINT_ROWS]:
            table.add_row(*_endpoint_row(lab, e, by_ip, wide))
        if len(here) > ENDPOINT_ROWS:
            rest = here[ENDPOINT_ROWS:]
            table.add_row(Text(f"+{len(rest)} more ({sum(1 for e in rest if e.ready)} ready)", style="italic"))
        if not here:
            table.add_row(Text("(no endpoints)", style="dim"))
        out.append(table)
    return out


def _slice_port_texts(s: dict) -> List[str]:
    out = []
    for p in s.get("ports") or []:
        name = f"{p['name']} " if p.get("name") else ""
        out.append(f"{name}{p.get('port')}/{p.get('protocol') or 'TCP'}")
    return out


def _flag(value: bool, good: bool = True) -> Text:
    return Text(str(value).lower(), style="green" if value == good else "red")


def _endpoint_row(lab: Lab, e: EndpointView, by_ip: Dict[str, dict], wide: bool) -> list:
    style = "green" if e.ready else ("magenta" if e.terminating else "yellow")
    pod = e.pod or ((by_ip.get(e.address) or {}).get("metadata") or {}).get("name")
    place = e.node or lab.place(e.address)
    node = lab.node(place)
    where = place
    if wide:
        where = f"{place} {node.ip}" if node else (f"{place} (outside the cluster)" if place == lab.world_name
                                                   else place)
    port = e.ports[0].split()[-1].split("/")[0] if len(e.ports) == 1 else ""
    target = f"{e.address}:{port}" if port.isdigit() else e.address
    if wide:
        flags = [_flag(e.ready), _flag(e.serving), _flag(e.terminating, good=False)]
    else:
        words = [w for w, on in (("ready", e.ready), ("serving", e.serving), ("terminating", e.terminating)) if on]
        flags = [Text(" ".join(words) or "not ready", style=style)]
    return [Text.assemble((ARROW, style), " ", (target, "bold"))] + flags + [
        Text(shorten(pod, 34) if pod else "-"), Text(where)]


# -- where they are -------------------------------------------------------------------------------

def _selected(svc: dict, pods: Sequence[dict]) -> List[dict]:
    selector = (svc.get("spec") or {}).get("selector") or {}
    if not selector:
        return []
    return [p for p in pods if all(((p.get("metadata") or {}).get("labels") or {}).get(k) == v
                                   for k, v in selector.items())]


def _placement(lab: Lab, svc: dict, eps: List[EndpointView], pods: Sequence[dict],
               width: int) -> Optional[RenderableType]:
    by_ip = {pod_ip(p): p for p in pods if pod_ip(p)}
    members: Dict[str, List[dict]] = {}
    for p in _selected(svc, pods) + [by_ip[e.address] for e in eps if e.address in by_ip]:
        node = (p.get("spec") or {}).get("nodeName") or ""
        if all(q["metadata"]["name"] != p["metadata"]["name"] for q in members.get(node, [])):
            members.setdefault(node, []).append(p)
    outside = [e for e in eps if e.address not in by_ip and lab.node(e.node or lab.place(e.address)) is None]
    on_nodes = bool(members) or (svc.get("spec") or {}).get("selector") or len(outside) < len(eps)
    boxes = [_node_box(lab, svc, n.name, members.get(n.name, []), eps) for n in lab.nodes] if on_nodes else []
    if outside:
        boxes.append(_outside_box(lab, outside))
    if not boxes:
        return None
    cols = max(1, min(max(len(boxes), len(lab.nodes)), width // NODE_MIN_WIDTH))
    inner = (width - 2 * (cols - 1)) // cols - 4
    rows = Table.grid(expand=True, padding=(0, 1))
    for _ in range(cols):
        rows.add_column(ratio=1)
    for start in range(0, len(boxes), cols):
        cells = [b(inner) for b in boxes[start:start + cols]]
        rows.add_row(*cells, *[""] * (cols - len(cells)))
    waiting = members.get("", [])
    if waiting:
        rows.add_row(Text(f"◌ selected but not on a node yet: {', '.join(p['metadata']['name'] for p in waiting)}",
                          style="yellow"))
    return rows


def _node_box(lab: Lab, svc: dict, name: str, pods: List[dict], eps: List[EndpointView]):
    node = lab.node(name)

    def draw(inner: int) -> Panel:
        body = Text.assemble((f"pods {node.pod_cidr}", "dim"))
        for p in sorted(pods, key=lambda p: p["metadata"]["name"])[:PODS_PER_NODE]:
            body.append("\n")
            body.append_text(pod_line(p, inner))
        if len(pods) > PODS_PER_NODE:
            rest = pods[PODS_PER_NODE:]
            body.append(f"\n+{len(rest)} more ({sum(1 for p in rest if pod_state(p)[0] == READY)} ready)",
                        style="italic")
        if not pods:
            body.append("\n(none of its pods here)", style="dim")
        note = _node_note(lab, svc, name, eps)
        if note is not None:
            body.append("\n")
            body.append_text(note)
        title = Text.assemble((name, "bold cyan"), " ", node.ip)
        if not node.ready:
            title.append(" NotReady", style="bold red")
        return Panel(body, title=title, title_align="left", padding=(0, 1),
                     border_style="cyan" if pods else "dim")
    return draw


def _node_note(lab: Lab, svc: dict, name: str, eps: List[EndpointView]) -> Optional[Text]:
    spec = svc.get("spec") or {}
    lines: List[Text] = []
    announced = [ip for ip, owner in lab.lb_announcers.items() if owner == name and ip in lb_ips(svc)]
    if announced:
        lines.append(Text(f"answers ARP for {', '.join(announced)}", style="bold"))
    if spec.get("type") in ("NodePort", "LoadBalancer") and node_ports(svc):
        local = [e for e in eps if e.ready and (e.node or lab.place(e.address)) == name]
        if spec.get("externalTrafficPolicy") == "Local":
            lines.append(Text("externalTrafficPolicy Local:", style="dim"))
            lines.append(Text(f"{plural(len(local), 'endpoint')} here: answers", style="green") if local
                         else Text("no endpoint here: drops outsiders", style="red"))
        else:
            lines.append(Text("nodePort: forwards to any endpoint", style="dim"))
    return Text("\n").join(lines) if lines else None


def _outside_box(lab: Lab, eps: List[EndpointView]):
    def draw(inner: int) -> Panel:
        body = Text.assemble((f"{lab.world_ip} (router)", "dim"))
        for e in eps:
            body.append("\n")
            body.append_text(mark(READY if e.ready else NOT_READY))
            body.append(f" {e.address}", style="bold")
            ports = ", ".join(p.split()[-1] for p in e.ports)
            if ports:
                body.append(f"  {ports}", style="dim")
            place = lab.place(e.address)
            if place != lab.world_name:  # e.g. ext: outside the cluster, but not the world host
                body.append(f"  @{place}", style="cyan")
        return Panel(body, title=Text.assemble((lab.world_name, "bold cyan"), " outside the cluster"),
                     title_align="left", padding=(0, 1), border_style="cyan")
    return draw
