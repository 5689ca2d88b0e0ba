"""`topo`: the cluster as a picture: ext and the world on the lab network, the nodes and their pods,
and the Services with arrows to their endpoints (pure: rich renderables from dicts)."""

from __future__ import annotations

from typing import Dict, List, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from k8slab.views.canvas import ARROW, READY, mark, pod_state, shorten, state_style
from k8slab.views.lab import EndpointView, Lab, LabNode, endpoints_of, lb_ips, node_ports, pod_ip, pods_by_node, port_texts

NODE_MIN_WIDTH = 38  # a pod name, its IP and a mark fit
SERVICES_SHOWN = 20
ENDPOINTS_SHOWN = 5
_MEASURE = Console(width=1000, color_system=None)  # only measures boxes, never prints


def cluster_picture(lab: Lab, pods: Sequence[dict], services: Sequence[dict], slices: Sequence[dict], *,
                    scope: str, width: int, all_namespaces: bool = False) -> RenderableType:
    """The whole picture for `topo`: outside hosts, lab network, nodes with pods, Services."""
    parts: List[RenderableType] = [_outside(lab, width)]
    parts += _nodes(lab, pods, width, all_namespaces)
    parts.append(Text(""))
    parts.append(_services(lab, services, slices, pods, scope, all_namespaces, width))
    return Group(*parts)


# -- the lab network and what is on it ------------------------------------------------------------

def _outside(lab: Lab, width: int) -> RenderableType:
    ext = Panel(Text.assemble((lab.ext_ip, "bold"), " your laptop\noutside the cluster", justify="left"),
                title=Text(lab.ext_name, style="bold cyan"), title_align="left", expand=False)
    far = " ".join(lab.outside) if lab.outside else "nothing else"
    world = Panel(Text.assemble((lab.world_ip, "bold"), " the outside world\n", far, justify="left"),
                  title=Text(lab.world_name, style="bold cyan"), title_align="left", expand=False)
    ext_w = min(_panel_width(ext), width)
    world_w = min(_panel_width(world), width)
    if ext_w + world_w + 2 > width:  # too narrow for both side by side: one above the other
        return Group(ext, world, _bus(lab))
    row = Table.grid(expand=True)
    row.add_column(width=ext_w)
    row.add_column(ratio=1)
    row.add_column(width=world_w)
    row.add_row(ext, "", world)
    # Each host's cable to the lab network, under the middle of its box.
    left, right = ext_w // 2, width - world_w + world_w // 2
    cables = Text(" " * left + "│" + " " * (right - left - 1) + "│", style="blue")
    return Group(row, cables, _bus(lab))


def _bus(lab: Lab) -> Rule:
    return Rule(Text(f" lab network {lab.network} ", style="bold"), characters="━", style="blue")


def _panel_width(panel: Panel) -> int:
    return Measurement.get(_MEASURE, _MEASURE.options, panel).maximum


def _columns(count: int, width: int) -> int:
    return max(1, min(count, width // NODE_MIN_WIDTH))


def _nodes(lab: Lab, pods: Sequence[dict], width: int, all_namespaces: bool) -> List[RenderableType]:
    by_node = pods_by_node(pods)
    cols = _columns(len(lab.nodes), width)
    inner = (width - 2 * (cols - 1)) // cols - 4  # two spaces between panels, border and padding in each
    # Several rows of nodes leave less room for each: keep the whole picture about a screen high.
    cap = 12 if len(lab.nodes) <= cols else 6
    out: List[RenderableType] = []
    for start in range(0, len(lab.nodes), cols):
        row_nodes = lab.nodes[start:start + cols]
        grid = Table.grid(expand=True, padding=(0, 1))
        for _ in range(cols):
            grid.add_column(ratio=1)
        if start == 0:  # each node's cable to the lab network
            grid.add_row(*[Text("│", justify="center", style="blue") for _ in row_nodes])
        grid.add_row(*[_node_panel(n, by_node.get(n.name, []), inner, cap, all_namespaces) for n in row_nodes])
        out.append(grid)
    unscheduled = by_node.get(None, [])
    if unscheduled:
        names = ", ".join(p["metadata"]["name"] for p in unscheduled[:8])
        more = f" and {len(unscheduled) - 8} more" if len(unscheduled) > 8 else ""
        out.append(Text.assemble(("◌ ", "yellow"), f"not on a node yet (Pending): {names}{more}"))
    return out


def _node_panel(node: LabNode, pods: List[dict], inner: int, cap: int, all_namespaces: bool) -> Panel:
    title = Text.assemble((node.name, "bold cyan"), " ", node.ip)
    if not node.ready:
        title.append(" NotReady", style="bold red")
    body = Text.assemble((f"pods {node.pod_cidr}", "dim"))
    ordered = sorted(pods, key=lambda p: (pod_state(p)[0] == READY, _pod_key(p, all_namespaces)))
    shown = ordered if len(ordered) <= cap else ordered[:cap - 1]
    namespace = None
    for p in sorted(shown, key=lambda p: _pod_key(p, all_namespaces)):
        ns = p["metadata"].get("namespace", "")
        if all_namespaces and ns != namespace:
            body.append(f"\n{ns}", style="italic dim")
            namespace = ns
        body.append("\n")
        body.append_text(pod_line(p, inner))
    if len(ordered) > len(shown):
        body.append("\n")
        body.append_text(_more(ordered[len(shown):]))
    if not pods:
        body.append("\n(no pods here)", style="dim")
    ready = sum(1 for p in pods if pod_state(p)[0] == READY)
    sub = Text(f"{ready}/{len(pods)} ready", style="dim") if pods else None
    return Panel(body, title=title, title_align="left", subtitle=sub, subtitle_align="right",
                 box=box.ROUNDED, border_style="red" if not node.ready else "cyan", padding=(0, 1))


def _pod_key(p: dict, all_namespaces: bool) -> tuple:
    meta = p["metadata"]
    return (meta.get("namespace", "") if all_namespaces else "", meta.get("name", ""))


def pod_line(p: dict, width: int) -> Text:
    """`● name  10.244.1.3` in `width` columns; the name is cut in the middle, the state said in words."""
    state, word = pod_state(p)
    ip = pod_ip(p) or "no IP yet"
    note = f" {word}" if word else ""
    room = max(6, width - 2 - len(ip) - 1 - len(note))
    name = shorten(p["metadata"]["name"], room)
    line = Text.assemble(mark(state), " ", name, (note, state_style(state)))
    line.append(" " * max(1, width - len(line.plain) - len(ip)))
    line.append(ip, style="bold" if state == READY else "dim")
    return line


def _more(rest: List[dict]) -> Text:
    ready = sum(1 for p in rest if pod_state(p)[0] == READY)
    other = len(rest) - ready
    detail = f"{ready} ready" + (f", {other} not" if other else "")
    return Text(f"+{len(rest)} more ({detail})", style="italic")


# -- Services -------------------------------------------------------------------------------------

def _services(lab: Lab, services: Sequence[dict], slices: Sequence[dict], pods: Sequence[dict], scope: str,
              all_namespaces: bool, width: int) -> RenderableType:
    if not services:
        return Text(f"No Services in {scope}.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False,
                  title=Text(f"Services in {scope}", style="bold"), title_justify="left", header_style="bold")
    table.add_column("SERVICE", no_wrap=True)
    table.add_column("ADDRESS AND PORTS", no_wrap=True)
    table.add_column("ENDPOINTS", overflow="fold", min_width=30)
    by_ip = {pod_ip(p): p for p in pods if pod_ip(p)}
    ordered = sorted(services, key=lambda s: (s["metadata"].get("namespace", ""), s["metadata"]["name"]))
    shown = ordered[:SERVICES_SHOWN]
    heads = [(_service_name(svc, all_namespaces), _addresses(lab, svc)) for svc in shown]
    # What is left of the width goes to the arrows; pod names are cut to fit it, not wrapped.
    used = sum(max([_width(cell) for cell in column] + [len(title)]) for column, title in
               zip(zip(*heads), ("SERVICE", "ADDRESS AND PORTS"))) if heads else 0
    room = max(20, width - used - 6)  # three spaces between columns
    for i, (svc, (name, addresses)) in enumerate(zip(shown, heads)):
        table.add_row(name, addresses, _endpoints(lab, svc, slices, by_ip, room), end_section=i < len(shown) - 1)
    if len(ordered) > SERVICES_SHOWN:
        table.caption = f"+{len(ordered) - SERVICES_SHOWN} more Services: kubectl get svc lists them all"
    return table


def _service_name(svc: dict, all_namespaces: bool) -> Text:
    name = Text.assemble((svc["metadata"]["name"], "bold magenta"))
    if all_namespaces:
        name = Text.assemble((svc["metadata"].get("namespace", "") + "/", "dim"), name)
    name.append(f"\n{_type(svc)}")
    return name


def _width(text: Text) -> int:
    return max((len(line) for line in text.plain.splitlines()), default=0)


def _type(svc: dict) -> str:
    spec = svc.get("spec") or {}
    kind = spec.get("type") or "ClusterIP"
    if spec.get("clusterIP") == "None":
        return f"{kind}\nheadless"
    if not spec.get("selector") and kind != "ExternalName":
        return f"{kind}\nno selector"
    return kind


def _addresses(lab: Lab, svc: dict) -> Text:
    spec = svc.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return Text(f"CNAME {spec.get('externalName')}")
    text = Text.assemble((spec.get("clusterIP") or "<none>", "bold"))
    for line in port_texts(svc):
        text.append(f"\n{line}")
    ports = node_ports(svc)
    if ports:
        text.append("\nnodePort " + ",".join(str(p) for p in ports))
    for ip in spec.get("externalIPs") or []:
        text.append(f"\nexternal IP {ip}")
    for ip in lb_ips(svc):
        owner = lab.lb_announcers.get(ip)
        text.append(f"\nLB {ip}", style="bold")
        if owner:
            text.append(f" ({owner})", style="dim")
    if spec.get("type") == "LoadBalancer" and not lb_ips(svc):
        text.append("\nLB <pending>", style="yellow")
    return text


def _endpoints(lab: Lab, svc: dict, slices: Sequence[dict], by_ip: Dict[str, dict], width: int) -> Text:
    spec = svc.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return Text.assemble((ARROW, "blue"), f" {spec.get('externalName')} (DNS alias, no proxying)")
    eps = endpoints_of(svc, slices)
    if not eps:
        why = "no pod matches the selector" if spec.get("selector") else "no selector: write its Endpoints"
        return Text(f"(none: {why})", style="yellow")
    text = Text()
    shown = eps[:ENDPOINTS_SHOWN] if len(eps) <= ENDPOINTS_SHOWN + 1 else eps[:ENDPOINTS_SHOWN - 1]
    for i, ep in enumerate(shown):
        text.append("\n" if i else "")
        text.append_text(endpoint_arrow(lab, ep, by_ip, width))
    rest = eps[len(shown):]
    if rest:
        ready = sum(1 for e in rest if e.ready)
        text.append(f"\n+{len(rest)} more ({ready} ready)", style="italic")
    return text


def endpoint_arrow(lab: Lab, ep: EndpointView, by_ip: Dict[str, dict], width: int = 80) -> Text:
    """`─▶ 10.244.2.2:80 web-…-4vtl2 @node2`, or an outside address and where it is."""
    port = ep.ports[0].split()[-1].split("/")[0] if len(ep.ports) == 1 else ""
    target = f"{ep.address}:{port}" if port and port.isdigit() else ep.address
    style = "green" if ep.ready else ("magenta" if ep.terminating else "yellow")
    text = Text.assemble((ARROW, style), " ", (target, "bold"))
    pod = ep.pod or (by_ip.get(ep.address) or {}).get("metadata", {}).get("name")
    place = ep.node or lab.place(ep.address)
    state = f"  {ep.state}" if not ep.ready else ""
    room = width - len(text.plain) - 2 - len(place) - 2 - len(state)
    if pod and room >= 8:
        text.append(f"  {shorten(pod, room)} @{place}")
    elif pod:  # too narrow for the name: the node panels above show it with its IP
        text.append(f" @{place}")
    elif place == lab.world_name:
        text.append(f"  @{place}", style="cyan")
        if room >= len(" outside the cluster"):
            text.append(" outside the cluster", style="dim")
    else:
        text.append(f"  {place} (host network)")
    text.append(state, style=style)
    return text

