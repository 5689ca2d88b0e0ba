"""Candidates for what fits at the cursor: the second half of completion.

Each matcher turns one Want (fits.py) into candidates from the command tables and the in-memory
store: no process, no network, nothing that can block. `rank` orders them for a typed fragment.
"""

from __future__ import annotations

import functools
import os
import shutil
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from k8slab.shell import fits

MAX_PATHS = 300  # a huge directory still completes at once


@dataclass(frozen=True)
class Candidate:
    """One completion: the text that replaces the fragment, a one-line description, what the menu shows."""

    text: str
    meta: str = ""
    display: str = ""


# Commands worth knowing on a lab host (the machine's own tools), offered after `node1 `.
HOST_COMMANDS = (
    ("ip route", "this host's routing table"),
    ("ip addr", "its interfaces and addresses"),
    ("iptables-save -t nat", "its NAT rules (kube-proxy's, on a node)"),
    ("conntrack -L", "the connections the kernel tracks, with their NAT"),
    ("curl -s", "an HTTP request from this host"),
    ("ping -c 3", "three pings"),
    ("dig", "a DNS query"),
    ("ss -tlnp", "listening TCP sockets"),
)


def _commands(session, want: fits.Commands) -> Iterable[Candidate]:
    for c in session.registry.unique():
        yield Candidate(c.name, c.summary)
    if want.hosts:
        nodes = set(session.cluster.network.plans)
        for h in session.cluster.network.hosts:
            role = "node" if h in nodes else "host"
            yield Candidate(h, f"run a shell command on this {role}, e.g. {h} ip route")


def _host_commands(_session, _want) -> Iterable[Candidate]:
    return [Candidate(text, meta) for text, meta in HOST_COMMANDS if _installed(text.split()[0])]


@functools.lru_cache(maxsize=None)
def _installed(program: str) -> bool:
    from k8slab.runtime.processes import DEFAULT_PATH

    return shutil.which(program, path=DEFAULT_PATH) is not None


def _subcommands(_session, _want) -> Iterable[Candidate]:
    from k8slab.shell.kubectl import KUBECTL

    return [Candidate(c.name, c.summary) for c in KUBECTL.unique()]


def _flags(_session, want: fits.Flags) -> Iterable[Candidate]:
    for f in want.command.flags if want.command else ():
        for name in f.names:
            # A long flag that takes a value comes with its `=`, so the next Tab offers the values.
            text = name + "=" if f.value and name.startswith("--") else name
            yield Candidate(text, f.help, display=name)


def _words(_session, want: fits.Words) -> Iterable[Candidate]:
    return [Candidate(w, meta) for w, meta in want.pairs]


def _kinds(_session, want: fits.Kinds) -> Iterable[Candidate]:
    from k8slab.api import kinds

    yield from (Candidate(w, meta) for w, meta in want.extra)
    for info in sorted(kinds.all_kinds(), key=_kind_order):
        if want.allowed and info.kind not in want.allowed:
            continue
        yield Candidate(info.plural, info.kind)
        yield from (Candidate(s, f"{info.kind} (short for {info.plural})") for s in info.short_names)
        yield Candidate(info.singular, info.kind)


KIND_ORDER = ("Pod", "Service", "Deployment", "Endpoints", "EndpointSlice", "ReplicaSet", "StatefulSet", "DaemonSet",
              "Node", "Namespace", "Event")  # what learners ask for most, first


def _kind_order(info) -> tuple:
    return (KIND_ORDER.index(info.kind) if info.kind in KIND_ORDER else len(KIND_ORDER), info.kind)


def _names(session, want: fits.Names) -> Iterable[Candidate]:
    from k8slab.api import kinds

    info = kinds.try_resolve(want.kind)
    if info is None:
        return
    every = want.all_namespaces or not info.namespaced
    ns = None if every else (want.namespace or session.namespace)
    for obj in session.cluster.store.list(info.kind, ns):
        name, where = obj.metadata.name, obj.metadata.namespace
        if name in want.exclude:
            continue
        text = f"{where}/{name}" if want.qualified else want.prefix + name
        meta = f"{info.kind} in {where}" if info.namespaced else info.kind
        yield Candidate(text, meta + _status(obj))


def _status(obj) -> str:
    """A word on a pod's state, so that the menu tells a Running pod from a crashing one."""
    phase = getattr(getattr(obj, "status", None), "phase", None)
    return f", {phase}" if isinstance(phase, str) and phase else ""


def _containers(session, want: fits.Containers) -> Iterable[Candidate]:
    obj = session.cluster.store.try_get(want.kind, want.name, want.namespace or session.namespace)
    spec = getattr(obj, "spec", None)
    template = getattr(spec, "template", None)
    pod_spec = template.spec if template is not None else spec
    for c in tuple(getattr(pod_spec, "containers", ()) or ()) + tuple(getattr(pod_spec, "init_containers", ()) or ()):
        yield Candidate(c.name + want.suffix, f"container, image {c.image}", display=c.name)


def _namespaces(session, _want) -> Iterable[Candidate]:
    return [Candidate(o.metadata.name, "namespace") for o in session.cluster.store.list("Namespace")]


def _images(_session, _want) -> Iterable[Candidate]:
    from k8slab.runtime.catalogue import known_images

    return [Candidate(image, about) for image, about in known_images()]


def _labels(session, want: fits.Labels) -> Iterable[Candidate]:
    from k8slab.api import kinds

    info = kinds.try_resolve(want.kind)
    if info is None:
        return []
    ns = None if want.all_namespaces or not info.namespaced else (want.namespace or session.namespace)
    seen: Dict[str, int] = {}
    for obj in session.cluster.store.list(info.kind, ns):
        for k, v in obj.metadata.labels.items():
            key = k if want.keys_only else f"{k}={v}"
            seen[key] = seen.get(key, 0) + 1
    return [Candidate(key, f"label on {n} {info.plural if n > 1 else info.singular}")
            for key, n in sorted(seen.items())]


def _paths(_session, want: fits.Paths) -> Iterable[Candidate]:
    fragment = want.fragment
    if fragment == "~":
        return [Candidate("~/", "your home directory")]
    head, slash, base = fragment.rpartition("/")
    prefix = head + slash
    folder = os.path.expanduser(prefix) if prefix else "."
    out = [] if fragment else [Candidate("-", "standard input (a heredoc: kubectl apply -f - <<EOF)")]
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)[:MAX_PATHS]
    except OSError:
        return out
    for e in entries:
        if e.name.startswith(".") and not base.startswith("."):
            continue
        if _is_dir(e):
            out.append(Candidate(_escape(prefix + e.name) + "/", "directory", display=e.name + "/"))
        elif e.name.endswith(want.extensions):
            out.append(Candidate(_escape(prefix + e.name), "manifest", display=e.name))
    return out


def _is_dir(entry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _escape(path: str) -> str:
    """A path as the shell reads it back: spaces and quotes escaped."""
    return "".join("\\" + ch if ch in " '\"\\|" else ch for ch in path)


def _nodes(session, want: fits.Nodes) -> Iterable[Candidate]:
    from k8slab.net.addresses import EXT_NAME

    for plan in session.cluster.network.plans.values():
        yield Candidate(plan.name, f"node, {plan.ip}")
    if want.ext:
        yield Candidate(EXT_NAME, "a host outside the cluster (your laptop)")


MATCHERS: Dict[type, Callable] = {
    fits.Commands: _commands, fits.HostCommands: _host_commands, fits.Subcommands: _subcommands,
    fits.Flags: _flags, fits.Words: _words, fits.Kinds: _kinds, fits.Names: _names,
    fits.Containers: _containers, fits.Namespaces: _namespaces, fits.Images: _images, fits.Labels: _labels,
    fits.Paths: _paths, fits.Nodes: _nodes,
}


def candidates(session, fit: fits.Fit) -> List[Candidate]:
    """Every candidate for a fit, in the matchers' order, each text once."""
    out: Dict[str, Candidate] = {}
    for want in fit.wants:
        for c in MATCHERS[type(want)](session, want):
            out.setdefault(c.text, c)
    return list(out.values())


def rank(fragment: str, cands: List[Candidate]) -> List[Candidate]:
    """Prefix matches (in order); when there are none, substring then fuzzy matches, best first."""
    if not fragment:
        return list(cands)
    low = fragment.lower()
    prefix = [c for c in cands if c.text.lower().startswith(low)]
    if prefix:
        return prefix
    scored: List[Tuple[tuple, int, Candidate]] = []
    for i, c in enumerate(cands):
        score = _score(low, c.text.lower())
        if score is not None:
            scored.append((score, i, c))
    return [c for _, _, c in sorted(scored, key=lambda s: (s[0], s[1]))]


def _score(fragment: str, text: str) -> Optional[tuple]:
    """(0, where) for a substring, (1, span, where) for the tightest fuzzy match, None for no match."""
    at = text.find(fragment)
    if at >= 0:
        return (0, at, 0)
    best = None
    for start, ch in enumerate(text):
        if ch != fragment[0]:
            continue
        k = start
        for want in fragment[1:]:
            k = text.find(want, k + 1)
            if k < 0:
                break
        if k < 0:
            break  # a later start cannot fit the rest either
        span = (1, k - start, start)
        best = span if best is None or span < best else best
    return best
