"""The node lifecycle controller: a node that stops reporting turns NotReady, then loses its pods.

Real clusters wait 40 s (node-monitor-grace-period) before marking a silent node NotReady, and the
default tolerations keep its pods for 5 more minutes before eviction. A lab does not want to wait
that long, so both delays are settings here (5 s and 10 s by default); everything else follows the
real controller: Ready=Unknown with its reason, the unreachable taints, pods marked not ready (so
they leave Services at once), then deleted (they stay Terminating while their kubelet is away) so
that their controllers replace them on other nodes.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from typing import Callable, Dict, Optional

from k8slab.api.meta import utc_now
from k8slab.api.node import NodeCondition
from k8slab.api.pod import PodCondition

log = logging.getLogger(__name__)

UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY_MESSAGE = "Kubelet stopped posting node status."


def unknown_conditions(conditions, now) -> tuple:
    """Every node condition turns Unknown, as the controller writes it for a silent node."""
    out = []
    for c in conditions:
        reason = "NodeStatusUnknown"
        out.append(replace(c, status="Unknown", reason=reason, message=NOT_READY_MESSAGE,
                           last_transition_time=now if c.status != "Unknown" else c.last_transition_time))
    return tuple(out)


def ready_conditions(conditions, now) -> tuple:
    """A node whose kubelet is back reports itself ready again."""
    out = []
    for c in conditions:
        if c.type == "Ready":
            out.append(NodeCondition(type="Ready", status="True", reason="KubeletReady",
                                     message="kubelet is posting ready status", last_heartbeat_time=now,
                                     last_transition_time=now if c.status != "True" else c.last_transition_time))
        else:
            out.append(replace(c, status="False", last_heartbeat_time=now,
                               last_transition_time=now if c.status != "False" else c.last_transition_time))
    return tuple(out)


class NodeLifecycleController:
    """Watches each node's kubelet and acts when it falls silent or comes back."""

    def __init__(self, store, alive: Callable[[str], bool], grace: float = 5.0, eviction: float = 10.0):
        self.store = store
        self.alive = alive
        self.grace = grace
        self.eviction = eviction
        self._silent_since: Dict[str, float] = {}
        self._not_ready_since: Dict[str, float] = {}
        self._stop = threading.Event()

    def start(self) -> None:
        """Check the nodes twice a second."""
        threading.Thread(target=self._loop, name="node-lifecycle", daemon=True).start()

    def stop(self) -> None:
        """Stop checking."""
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(0.5):
            try:
                self.check(time.monotonic())
            except Exception:  # keep watching the nodes whatever one update did
                log.exception("node lifecycle check failed")

    def check(self, now: float) -> None:
        """One pass: mark, taint and evict silent nodes; restore nodes whose kubelet is back."""
        for node in self.store.list("Node"):
            name = node.metadata.name
            if self.alive(name):
                self._silent_since.pop(name, None)
                self._not_ready_since.pop(name, None)
                if _tainted(node) or _ready(node) != "True":
                    self._restore(node)
                continue
            since = self._silent_since.setdefault(name, now)
            if now - since >= self.grace and name not in self._not_ready_since:
                self._mark_not_ready(node)
                self._not_ready_since[name] = now
            started = self._not_ready_since.get(name)
            if started is not None and now - started >= self.eviction:
                self._evict(name)

    def _mark_not_ready(self, node) -> None:
        now = utc_now()
        taints = tuple(t for t in node.spec.taints if _taint_key(t) != UNREACHABLE) + (
            {"key": UNREACHABLE, "effect": "NoSchedule", "timeAdded": None},
            {"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": None})
        node = self.store.update(replace(node, spec=replace(node.spec, taints=_taints(node, taints))))
        self.store.update_status(replace(node, status=replace(node.status,
                                                              conditions=unknown_conditions(node.status.conditions, now))))
        for pod in self._pods_on(node.metadata.name):
            conds = tuple(_not_ready(c, now) for c in pod.status.conditions)
            self.store.update_status(replace(pod, status=replace(pod.status, conditions=conds)))

    def _evict(self, name: str) -> None:
        for pod in self._pods_on(name):
            if pod.metadata.deletion_timestamp is None and not _tolerates_unreachable(pod):
                self.store.delete("Pod", pod.metadata.name, pod.metadata.namespace)

    def _restore(self, node) -> None:
        taints = tuple(t for t in node.spec.taints if _taint_key(t) != UNREACHABLE)
        if len(taints) != len(node.spec.taints):
            node = self.store.update(replace(node, spec=replace(node.spec, taints=_taints(node, taints))))
        self.store.update_status(replace(node, status=replace(node.status,
                                                              conditions=ready_conditions(node.status.conditions, utc_now()))))

    def _pods_on(self, name: str):
        return [p for p in self.store.list("Pod") if p.spec.node_name == name]


def _ready(node) -> Optional[str]:
    return next((c.status for c in node.status.conditions if c.type == "Ready"), None)


def _taint_key(t) -> str:
    return t.get("key") if isinstance(t, dict) else t.key


def _tainted(node) -> bool:
    return any(_taint_key(t) == UNREACHABLE for t in node.spec.taints)


def _taints(node, taints) -> tuple:
    """Taints in the node spec's own element type (dicts or Taint objects)."""
    from k8slab.api.node import Taint

    out = []
    for t in taints:
        if isinstance(t, dict):
            added = utc_now() if t["effect"] == "NoExecute" else None
            out.append(Taint(key=t["key"], effect=t["effect"], time_added=added))
        else:
            out.append(t)
    return tuple(out)


def _not_ready(c: PodCondition, now) -> PodCondition:
    if c.type in ("Ready", "ContainersReady") and c.status != "False":
        return replace(c, status="False", last_transition_time=now, reason=None, message=None)
    return c


def _tolerates_unreachable(pod) -> bool:
    """DaemonSet pods (and any pod tolerating the taint forever) stay on their node."""
    for t in pod.spec.tolerations:
        if t.get("key") == UNREACHABLE and t.get("effect") in (None, "NoExecute") and t.get("tolerationSeconds") is None:
            return True
    return False
