"""The status bar under the prompt: the cluster at a glance, where you are, what to try."""

from __future__ import annotations

from typing import List, Tuple

from k8slab.api.meta import pod_condition

Fragment = Tuple[str, str]  # (prompt_toolkit style class, text)


def cluster_counts(store, namespace: str) -> dict:
    """Nodes Ready/total, and the namespace's pods Running and Ready/total (not finished ones)."""
    nodes = store.list("Node")
    ready_nodes = sum(1 for n in nodes if _true(pod_condition(n, "Ready")))
    pods = [p for p in store.list("Pod", namespace) if p.status.phase not in ("Succeeded", "Failed")]
    ready_pods = sum(1 for p in pods if _true(pod_condition(p, "Ready")))
    return {"nodes": len(nodes), "nodes_ready": ready_nodes, "pods": len(pods), "pods_ready": ready_pods}


def _true(condition) -> bool:
    return condition is not None and condition.status == "True"


def toolbar(session) -> List[Fragment]:
    """The bar's fragments for the session's cluster and namespace (and lesson, when one runs)."""
    c = cluster_counts(session.cluster.store, session.namespace)
    nodes_style = "class:toolbar.ok" if c["nodes_ready"] == c["nodes"] else "class:toolbar.warn"
    pods_style = "class:toolbar.ok" if c["pods_ready"] == c["pods"] else "class:toolbar.warn"
    parts: List[Fragment] = [
        ("class:toolbar", " nodes "), (nodes_style, f"{c['nodes_ready']}/{c['nodes']} Ready"),
        ("class:toolbar", "  pods "), (pods_style, f"{c['pods_ready']}/{c['pods']} Ready"),
        ("class:toolbar", "  namespace "), ("class:toolbar.value", session.namespace),
    ]
    extras = [text for text in (provider() for provider in session.status_providers) if text]
    for extra in extras:  # a running lesson or lab adds its step here
        parts += [("class:toolbar", "  "), ("class:toolbar.lesson", extra)]
    if getattr(session, "attempt", None) is not None and session.attempt.ended is None:
        hint = "   `lab status` shows the tasks"
    elif extras:
        hint = "   `hint` helps, `check` tells"
    else:
        hint = "   Tab completes, Ctrl-R searches history, `help`"
    parts.append(("class:toolbar.hint", hint))
    return parts
