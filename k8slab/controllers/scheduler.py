"""The scheduler: binds each unscheduled pod to a node.

Filters as kube-scheduler's default plugins do for what k8slab models (node exists and is Ready, not
cordoned, nodeSelector and required node affinity match the node, NoSchedule taints are tolerated),
then spreads:
the node with the fewest pods wins, ties broken by name.
"""

from __future__ import annotations

import logging
import threading
from typing import Dict, Iterable, List, Optional

from k8slab.api.node import Node, node_is_ready
from dataclasses import replace

from k8slab.api.meta import utc_now
from k8slab.api.pod import Pod, PodCondition
from k8slab.api.recorder import NullRecorder, Source

log = logging.getLogger(__name__)

SCHEDULER_NAME = "default-scheduler"


def tolerates(pod: Pod, taint: dict) -> bool:
    """Does one of the pod's tolerations match this taint?"""
    for t in pod.spec.tolerations:
        if t.get("effect") and t.get("effect") != taint.get("effect"):
            continue
        if t.get("operator") == "Exists" and (not t.get("key") or t.get("key") == taint.get("key")):
            return True
        if t.get("key") == taint.get("key") and t.get("value", "") == taint.get("value", ""):
            return True
    return False


def affinity_allows(pod: Pod, node: Node) -> bool:
    """requiredDuringSchedulingIgnoredDuringExecution: one of the node selector terms matches the node.

    A term matches when all its matchExpressions (on labels) and matchFields (metadata.name) hold; the
    operators are the API's: In, NotIn, Exists, DoesNotExist, Gt, Lt."""
    affinity = pod.spec.affinity if isinstance(pod.spec.affinity, dict) else {}
    required = (affinity.get("nodeAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        return True
    fields = {"metadata.name": node.metadata.name}
    return any(all(_holds(e, node.metadata.labels) for e in term.get("matchExpressions") or ())
               and all(_holds(e, fields) for e in term.get("matchFields") or ())
               and (term.get("matchExpressions") or term.get("matchFields"))
               for term in terms if isinstance(term, dict))


def _holds(expression: dict, labels: Dict[str, str]) -> bool:
    key, op, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
    if op == "In":
        return key in labels and labels[key] in values
    if op == "NotIn":
        return key not in labels or labels[key] not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op in ("Gt", "Lt") and key in labels and values:
        try:
            have, want = int(labels[key]), int(values[0])
        except ValueError:
            return False
        return have > want if op == "Gt" else have < want
    return False


def feasible(pod: Pod, node: Node) -> Optional[str]:
    """None if `pod` may run on `node`, else the scheduler's reason it may not."""
    if not node_is_ready(node):
        return "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"
    if node.spec.unschedulable:
        return "node(s) were unschedulable"
    labels = node.metadata.labels
    if any(labels.get(k) != v for k, v in pod.spec.node_selector.items()) or not affinity_allows(pod, node):
        return "node(s) didn't match Pod's node affinity/selector"
    for taint in node.spec.taints:
        taint_d = taint if isinstance(taint, dict) else {"key": taint.key, "value": taint.value,
                                                          "effect": taint.effect}
        if taint_d.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(pod, taint_d):
            return f"node(s) had untolerated taint {{{taint_d.get('key')}: {taint_d.get('value') or ''}}}"
    return None


def choose_node(pod: Pod, nodes: Iterable[Node], load: Dict[str, int]) -> tuple:
    """(node name, None) for the best feasible node, or (None, the FailedScheduling message)."""
    nodes = list(nodes)
    ok: List[Node] = []
    reasons: Dict[str, int] = {}
    for node in nodes:
        why = feasible(pod, node)
        if why is None:
            ok.append(node)
        else:
            reasons[why] = reasons.get(why, 0) + 1
    if not ok:
        detail = ", ".join(f"{n} {why}" for why, n in sorted(reasons.items()))
        return None, (f"0/{len(nodes)} nodes are available: {detail}. preemption: 0/{len(nodes)} nodes "
                      "are available: " + f"{len(nodes)} Preemption is not helpful for scheduling.")
    best = min(ok, key=lambda n: (load.get(n.metadata.name, 0), n.metadata.name))
    return best.metadata.name, None


class Scheduler:
    """Watches for pods without a node and binds them."""

    def __init__(self, store, recorder=None):
        self.store = store
        self.recorder = recorder or NullRecorder()
        self.source = Source(SCHEDULER_NAME)
        self._watch = None
        self._thread: Optional[threading.Thread] = None

    def start(self) -> None:
        """Begin scheduling in a background thread."""
        self._watch = self.store.watch(["Pod", "Node"], send_initial=True)
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop scheduling."""
        if self._watch is not None:
            self._watch.close()

    def _loop(self) -> None:
        for event in self._watch:
            if event is None:
                return
            obj = event.obj
            # Only a pod waiting for a node, or a change of nodes, can change what to schedule.
            if obj.kind == "Pod" and (event.type == "DELETED" or obj.spec.node_name):
                continue
            try:
                self.schedule_pending()
            except Exception:  # keep scheduling whatever one pod did
                log.exception("scheduler pass failed")

    def schedule_pending(self) -> None:
        """Bind every pending pod that fits somewhere."""
        pods = self.store.list("Pod")
        pending = [p for p in pods if not p.spec.node_name and p.metadata.deletion_timestamp is None
                   and (p.spec.scheduler_name or SCHEDULER_NAME) == SCHEDULER_NAME]
        if not pending:
            return
        nodes = self.store.list("Node")
        load: Dict[str, int] = {}
        for p in pods:
            if p.spec.node_name and p.status.phase not in ("Succeeded", "Failed"):
                load[p.spec.node_name] = load.get(p.spec.node_name, 0) + 1
        for pod in sorted(pending, key=lambda p: p.metadata.creation_timestamp or 0):
            node, why = choose_node(pod, nodes, load)
            if node is None:
                self._mark_unschedulable(pod, why)
                continue
            bound = self.store.bind(pod, node)
            self.recorder.normal(bound, "Scheduled",
                                 f"Successfully assigned {pod.metadata.namespace}/{pod.metadata.name} to {node}",
                                 self.source)
            load[node] = load.get(node, 0) + 1

    def _mark_unschedulable(self, pod: Pod, message: str) -> None:
        """Record why a pod waits, as the PodScheduled=False condition kubectl describe shows."""
        old = next((c for c in pod.status.conditions if c.type == "PodScheduled"), None)
        if old is not None and old.message == message:
            return
        self.recorder.warning(pod, "FailedScheduling", message, self.source)
        cond = PodCondition(type="PodScheduled", status="False", reason="Unschedulable", message=message,
                            last_transition_time=utc_now())
        others = tuple(c for c in pod.status.conditions if c.type != "PodScheduled")
        self.store.update_status(replace(pod, status=replace(pod.status, phase="Pending", conditions=others + (cond,))))
