"""What fits at the cursor (pure over the command tables and a store snapshot)."""

from __future__ import annotations

import shlex
from typing import List, Tuple

Suggestion = Tuple[str, str]  # (text, one-line description)


def _words(text: str) -> Tuple[List[str], bool]:
    """The words before the cursor, and whether the cursor starts a new word."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    return words, text.endswith(" ") or not text


def suggest(session, text: str) -> List[Suggestion]:
    """Candidates for the word at the cursor of `text`."""
    from k8slab.api import kinds
    from k8slab.shell.kubectl import KUBECTL

    words, fresh = _words(text)
    done = words if fresh else words[:-1]
    hosts = list(session.cluster.network.hosts)
    if not done:
        out = [(c.name, c.summary) for c in session.registry.unique()]
        return out + [(h, "run a shell command on this host") for h in hosts]
    if done[0] in hosts:
        return []
    if done[0] not in ("kubectl", "k"):
        return []
    if len(done) == 1:
        return [(c.name, c.summary) for c in KUBECTL.unique()]
    command = KUBECTL.find(done[1])
    if command is None:
        return []
    current = "" if fresh else words[-1]
    if current.startswith("-"):
        return [(n, f.help) for f in command.flags for n in f.names if n.startswith("--") or len(current) < 2]
    prev = done[-1]
    flag = next((f for f in command.flags if prev in f.names and f.value), None)
    if flag is not None:
        if flag.choices:
            return [(c, "") for c in flag.choices]
        if prev in ("-n", "--namespace"):
            return [(o.metadata.name, "namespace") for o in session.cluster.store.list("Namespace")]
        return []
    positional = [w for w in done[2:] if not w.startswith("-")]
    if command.positional[:1] == ("kind",) and not positional:
        return [(i.plural, i.kind) for i in kinds.all_kinds()] + \
               [(s, i.kind) for i in kinds.all_kinds() for s in i.short_names]
    kind = None
    if command.positional[:1] == ("pod",):
        kind = "Pod"
    elif command.positional[:1] == ("kind",) and positional:
        info = kinds.try_resolve(positional[0])
        kind = info.kind if info else None
    if kind is None:
        return []
    info = kinds.resolve(kind)
    ns = session.namespace if info.namespaced else None
    return [(o.metadata.name, kind) for o in session.cluster.store.list(kind, ns)]
