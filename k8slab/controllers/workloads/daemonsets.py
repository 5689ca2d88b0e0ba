"""The DaemonSet controller: one pod on every node the pod template fits."""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, Iterable, List, Tuple

from k8slab.api.apps import DaemonSet
from k8slab.api.meta import pod_is_ready
from k8slab.api.node import Node, node_is_ready
from k8slab.api.pod import Pod
from k8slab.controllers.base import Controller, Key, object_key
from k8slab.controllers.scheduler import tolerates
from k8slab.controllers.workloads.common import (controller_ref, is_active, is_available, owned, pod_from_template,
                                                 template_hash)

REVISION_LABEL = "controller-revision-hash"
GENERATION_LABEL = "pod-template-generation"
# The tolerations the DaemonSet controller adds to every daemon pod (util.AddOrUpdateDaemonPodTolerations).
DAEMON_TOLERATIONS = (
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
)


def _taints(node: Node) -> List[dict]:
    return [t if isinstance(t, dict) else {"key": t.key, "value": t.value, "effect": t.effect}
            for t in node.spec.taints]


def daemon_pod(ds: DaemonSet, node_name: str) -> Pod:
    """The pod the DaemonSet puts on one node (nodeName set directly rather than by node affinity)."""
    labels = {**ds.spec.template.metadata.labels, REVISION_LABEL: template_hash(ds.spec.template),
              GENERATION_LABEL: str(ds.metadata.generation or 1)}
    pod = pod_from_template(ds.spec.template, ds.metadata.namespace, ds, generate_name=f"{ds.metadata.name}-",
                            labels=labels)
    tolerations = tuple(pod.spec.tolerations) + tuple(
        t for t in DAEMON_TOLERATIONS
        if not any(o.get("key") == t["key"] and o.get("effect") == t["effect"] for o in pod.spec.tolerations))
    return replace(pod, spec=replace(pod.spec, node_name=node_name, tolerations=tolerations))


def node_fit(ds: DaemonSet, node: Node) -> Tuple[bool, bool]:
    """NodeShouldRunDaemonPod: (should schedule a new pod, should keep a running one)."""
    pod = daemon_pod(ds, node.metadata.name)
    labels = node.metadata.labels
    if any(labels.get(k) != v for k, v in ds.spec.template.spec.node_selector.items()):
        return False, False
    schedule = keep = True
    for taint in _taints(node):
        if tolerates(pod, taint):
            continue
        if taint.get("effect") == "NoExecute":
            return False, False
        if taint.get("effect") == "NoSchedule":
            schedule = False
    # k8slab starts pods only on Ready nodes; an existing pod stays when its node goes NotReady.
    return schedule and node_is_ready(node), keep


def plan(ds: DaemonSet, nodes: Iterable[Node], pods: Iterable[Pod]) -> Tuple[List[str], List[str]]:
    """(node names needing a pod, names of pods to delete): the pure part of the DaemonSet's sync."""
    by_node: Dict[str, List[Pod]] = {}
    for p in pods:
        if is_active(p):
            by_node.setdefault(p.spec.node_name or "", []).append(p)
    create, delete = [], []
    known = set()
    for node in nodes:
        name = node.metadata.name
        known.add(name)
        schedule, keep = node_fit(ds, node)
        here = sorted(by_node.get(name, []), key=lambda p: (p.metadata.creation_timestamp or 0, p.metadata.name))
        if not here and schedule:
            create.append(name)
        elif here and not keep:
            delete += [p.metadata.name for p in here]
        elif len(here) > 1:
            delete += [p.metadata.name for p in here[1:]]  # keep the oldest
    for name, here in by_node.items():
        if name not in known:
            delete += [p.metadata.name for p in here]  # the node is gone (the pod GC's job in kube)
    if not create and not delete:
        delete += _rolling_update_victim(ds, by_node, known)
    return create, delete


def _rolling_update_victim(ds: DaemonSet, by_node: Dict[str, List[Pod]], nodes: set) -> List[str]:
    """RollingUpdate with maxUnavailable 1: delete one old pod when every daemon pod is ready."""
    if ds.spec.update_strategy is not None and ds.spec.update_strategy.type == "OnDelete":
        return []
    current = template_hash(ds.spec.template)
    pods = [p for n, ps in by_node.items() if n in nodes for p in ps]
    if not all(pod_is_ready(p) for p in pods):
        return []
    old = sorted((p for p in pods if p.metadata.labels.get(REVISION_LABEL) != current),
                 key=lambda p: p.spec.node_name or "")
    return [old[0].metadata.name] if old else []


def daemon_set_status(ds: DaemonSet, nodes: Iterable[Node], pods: Iterable[Pod]):
    """The four counts and the updated/available/unavailable numbers."""
    by_node: Dict[str, List[Pod]] = {}
    for p in pods:
        if p.metadata.deletion_timestamp is None:
            by_node.setdefault(p.spec.node_name or "", []).append(p)
    desired = scheduled = misscheduled = ready = available = updated = 0
    current = template_hash(ds.spec.template)
    for node in nodes:
        schedule, keep = node_fit(ds, node)
        here = by_node.get(node.metadata.name, [])
        wanted = schedule or (keep and bool(here))
        if wanted:
            desired += 1
            if here:
                scheduled += 1
                pod = here[0]
                if pod_is_ready(pod):
                    ready += 1
                    if is_available(pod, ds.spec.min_ready_seconds or 0):
                        available += 1
                if pod.metadata.labels.get(REVISION_LABEL) == current:
                    updated += 1
        elif here:
            misscheduled += 1
    return replace(ds.status, desired_number_scheduled=desired, current_number_scheduled=scheduled,
                   number_misscheduled=misscheduled, number_ready=ready, number_available=available or None,
                   number_unavailable=(desired - available) or None, updated_number_scheduled=updated or None,
                   observed_generation=ds.metadata.generation)


class DaemonSetController(Controller):
    """Keeps one pod of each DaemonSet on every fitting node, following nodes as they come and go."""

    name = "daemonset-controller"
    kinds = ("DaemonSet", "Pod", "Node")

    def keys_for(self, event) -> Iterable[Key]:
        obj = event.obj
        if obj.kind == "DaemonSet":
            return [object_key(obj)]
        if obj.kind == "Node":
            return [object_key(ds) for ds in self.store.list("DaemonSet")]
        ref = controller_ref(obj)
        if ref is not None and ref.get("kind") == "DaemonSet":
            return [(obj.metadata.namespace or "", ref.get("name", ""))]
        return []

    def sync(self, key: Key) -> None:
        ns, name = key
        ds = self.store.try_get("DaemonSet", name, ns)
        if ds is None or ds.metadata.deletion_timestamp is not None:
            return
        nodes = self.store.list("Node")
        create, delete = plan(ds, nodes, owned(self.store, "Pod", ds))
        for pod_name in delete:
            if self.store.try_get("Pod", pod_name, ns) is not None:
                self.store.delete("Pod", pod_name, ns)
        for node_name in create:
            self.store.create(daemon_pod(ds, node_name), namespace=ns)
        current = self.store.try_get("DaemonSet", name, ns)
        if current is None:
            return
        status = daemon_set_status(current, nodes, owned(self.store, "Pod", current))
        if status != current.status:
            self.store.update_status(replace(current, status=status))
