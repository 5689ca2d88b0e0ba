"""`topo`: the cluster, or one Service, as a picture; and how every picture leaves the shell: as
terminal text (colour only where the terminal takes it) or, with --svg FILE, as an SVG for slides."""

from __future__ import annotations

import os
import shutil
from typing import List, Optional, Sequence, Tuple

from k8slab.api.codec import to_dict
from k8slab.api.node import node_is_ready
from k8slab.errors import UserError
from k8slab.net.addresses import (CLUSTER_CIDR, EXT_IP, EXT_NAME, NODE_NETWORK, OUTSIDE_ADDRESSES, WORLD_IP,
                                  WORLD_NAME)
from k8slab.shell.registry import Command, Flag
from k8slab.shell.results import Result
from k8slab.views import canvas
from k8slab.views.lab import Lab, LabNode
from k8slab.views.svcmap import service_map
from k8slab.views.topo import cluster_picture

TOPO_FLAGS = (
    Flag(("-n", "--namespace"), "the namespace to draw (default: the current one)", value="NAMESPACE"),
    Flag(("-A", "--all-namespaces"), "draw the pods and Services of every namespace"),
    Flag(("--svg",), "write the picture to FILE as SVG (for slides) instead of printing it", value="FILE"),
)
TOPO_SYNTAX = "topo [svc/NAME] [-n NAMESPACE | -A] [--svg FILE]"
_PARSER = Command("topo", "", TOPO_SYNTAX, lambda *_: None, flags=TOPO_FLAGS, program="k8slab")
_SERVICE_WORDS = ("svc", "service", "services")


def topo_command(session, words, _stdin) -> Result:
    """topo [svc/NAME | service NAME] [-n NAMESPACE | -A] [--svg FILE]"""
    args = _PARSER.parse(words)
    name = _service_name(args.args)
    ns = args.namespace or session.namespace
    store = session.cluster.store
    if name is not None and args.all_namespaces:
        raise UserError("error: a Service map shows one Service: give its namespace with -n, not -A")
    width = picture_width(session)
    lab = lab_of(session.cluster)
    if name is not None:
        svc = to_dict(store.get("Service", name, ns))  # NotFound, as kubectl says it
        picture = service_map(lab, svc, _dicts(store, "EndpointSlice", ns), _dicts(store, "Pod", ns), width=width)
        return show(session, picture, svg=args.svg, title=f"svc/{name} ({ns})", width=width)
    scope = "all namespaces" if args.all_namespaces else f"namespace {ns}"
    where = None if args.all_namespaces else ns
    picture = cluster_picture(lab, _dicts(store, "Pod", where), _dicts(store, "Service", where),
                              _dicts(store, "EndpointSlice", where), scope=scope, width=width,
                              all_namespaces=args.all_namespaces)
    return show(session, picture, svg=args.svg, title=f"k8slab cluster, {scope}", width=width)


def _service_name(positional: Sequence[str]) -> Optional[str]:
    """svc/NAME, service/NAME, `svc NAME` or `service NAME` (as kubectl spells them); None for none."""
    if not positional:
        return None
    first = positional[0]
    if "/" in first and first.split("/", 1)[0] in _SERVICE_WORDS and len(positional) == 1:
        return first.split("/", 1)[1]
    if first in _SERVICE_WORDS and len(positional) == 2:
        return positional[1]
    raise UserError(f"error: topo draws the whole cluster, or one Service: {TOPO_SYNTAX}  "
                    "e.g. topo, topo -A, topo svc/web")


def _dicts(store, kind: str, namespace: Optional[str]) -> List[dict]:
    return [to_dict(o) for o in store.list(kind, namespace)]


def lab_of(cluster) -> Lab:
    """The lab as the pictures draw it: node plans with their readiness, ext, the world, LB announcers."""
    ready = {n.metadata.name: node_is_ready(n) for n in cluster.store.list("Node")}
    nodes = tuple(LabNode(p.name, p.ip, p.pod_cidr, ready.get(p.name, False)) for p in cluster.network.plans.values())
    return Lab(nodes=nodes, ext_name=EXT_NAME, ext_ip=EXT_IP, world_name=WORLD_NAME, world_ip=WORLD_IP,
               outside=OUTSIDE_ADDRESSES, network=str(NODE_NETWORK), cluster_cidr=str(CLUSTER_CIDR),
               lb_announcers=dict(cluster.load_balancers.announced))


def picture_width(session) -> int:
    """The terminal's width in the REPL; a fixed 120 columns in batch mode (logs, pipes, tests)."""
    if session.interactive:
        return shutil.get_terminal_size((canvas.DEFAULT_WIDTH, 24)).columns
    return canvas.DEFAULT_WIDTH


def take_svg(words: Sequence[str]) -> Tuple[List[str], Optional[str]]:
    """Split `--svg FILE` (or `--svg=FILE`) off a command's words: (other words, FILE or None)."""
    rest: List[str] = []
    svg: Optional[str] = None
    it = iter(words)
    for w in it:
        if w == "--svg":
            svg = next(it, None)
            if svg is None:
                raise UserError("error: flag needs an argument: --svg")
        elif w.startswith("--svg="):
            svg = w.split("=", 1)[1]
        else:
            rest.append(w)
    return rest, svg


def show(session, picture, *, svg: Optional[str], title: str, width: Optional[int] = None) -> Result:
    """The picture as the command's output, or written to an SVG file with one line saying where."""
    look = canvas.Look(width or picture_width(session), _colored(session))
    if not svg:
        return Result().say(canvas.to_text(picture, look))
    path = os.path.abspath(os.path.expanduser(svg))
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(canvas.to_svg(picture, look, title))
    except OSError as e:
        raise UserError(f"error: cannot write {svg}: {e.strerror}")
    return Result().say(f"wrote {path} (SVG, {look.width} columns)")


def _colored(session) -> bool:
    printer = getattr(session, "printer", None)
    return bool(printer is not None and printer.colored)
