"""Which endpoints a service port uses on one node (pkg/proxy/topology.go CategorizeEndpoints)."""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.proxy.model import Endpoint, ServicePort


@dataclass(frozen=True)
class Categorized:
    """The endpoint sets of one service port as seen from one node."""

    cluster: tuple[Endpoint, ...]  # used by KUBE-SVC (Cluster policy)
    local: tuple[Endpoint, ...]  # used by KUBE-SVL (Local policy)
    reachable: tuple[Endpoint, ...]  # every endpoint that gets a KUBE-SEP chain on this node
    has_any: bool  # usable endpoints exist somewhere in the cluster


def ordered_endpoints(endpoints) -> tuple[Endpoint, ...]:
    """Deduplicate by "ip:port" and sort by that string, as the endpoint-slice cache does."""
    seen: dict[str, Endpoint] = {}
    for ep in endpoints:
        seen.setdefault(str(ep), ep)
    return tuple(seen[k] for k in sorted(seen))


def _serving_terminating(ep: Endpoint) -> bool:
    return ep.serving and ep.terminating


def categorize(sp: ServicePort, node_name: str) -> Categorized:
    """Ready endpoints first; if none anywhere, fall back to serving+terminating ones."""
    eps = ordered_endpoints(sp.endpoints)
    cluster: tuple[Endpoint, ...] = ()
    local: tuple[Endpoint, ...] = ()
    has_any = False
    if sp.uses_cluster_endpoints():
        cluster = tuple(ep for ep in eps if ep.ready)
        if not cluster:
            cluster = tuple(ep for ep in eps if _serving_terminating(ep))
        has_any = bool(cluster)
    if not sp.uses_local_endpoints():
        return Categorized(cluster, (), cluster, has_any)

    # The Local set falls back separately: only this node's endpoints count.
    local_ready = False
    local_terminating = False
    for ep in eps:
        if ep.ready or _serving_terminating(ep):
            has_any = True
            if ep.node == node_name:
                local_ready = local_ready or ep.ready
                local_terminating = local_terminating or not ep.ready
    if local_ready:
        local = tuple(ep for ep in eps if ep.node == node_name and ep.ready)
    elif local_terminating:
        local = tuple(ep for ep in eps if ep.node == node_name and _serving_terminating(ep))
    if not sp.uses_cluster_endpoints():
        return Categorized((), local, local, has_any)
    if not local_terminating or local_ready:
        # local holds only ready endpoints, all of which are in cluster already.
        return Categorized(cluster, local, cluster, has_any)
    return Categorized(cluster, local, ordered_endpoints(cluster + local), has_any)
