"""The ReplicaSet controller: keeps spec.replicas pods that the ReplicaSet owns."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, List

from k8slab.api.apps import ReplicaSet
from k8slab.api.meta import pod_is_ready
from k8slab.api.pod import Pod
from k8slab.controllers.base import Controller, Key, object_key
from k8slab.controllers.workloads.common import (controller_ref, deletion_order, is_active, is_available, owned,
                                                 pod_from_template)


def replicas_of(obj) -> int:
    """spec.replicas with the API default of 1."""
    return 1 if obj.spec.replicas is None else obj.spec.replicas


def pods_to_delete(active: List[Pod], want: int, related: Iterable[Pod] = ()) -> List[Pod]:
    """The pods a scale-down removes: the first ones in kube's deletion order."""
    extra = len(active) - want
    return deletion_order(active, related)[:extra] if extra > 0 else []


def replica_set_status(rs: ReplicaSet, pods: List[Pod]):
    """The status the controller reports for the ReplicaSet's active pods."""
    template_labels = rs.spec.template.metadata.labels
    labeled = [p for p in pods if all(p.metadata.labels.get(k) == v for k, v in template_labels.items())]
    ready = [p for p in pods if pod_is_ready(p)]
    available = [p for p in ready if is_available(p, rs.spec.min_ready_seconds or 0)]
    terminating = rs.status.terminating_replicas
    return replace(rs.status, replicas=len(pods), fully_labeled_replicas=len(labeled), ready_replicas=len(ready),
                   available_replicas=len(available), observed_generation=rs.metadata.generation,
                   terminating_replicas=terminating)


class ReplicaSetController(Controller):
    """Creates and deletes pods so that each ReplicaSet has spec.replicas of them."""

    name = "replicaset-controller"
    kinds = ("ReplicaSet", "Pod")

    def keys_for(self, event) -> Iterable[Key]:
        obj = event.obj
        if obj.kind == "ReplicaSet":
            return [object_key(obj)]
        ref = controller_ref(obj)
        if ref is not None and ref.get("kind") == "ReplicaSet":
            return [(obj.metadata.namespace or "", ref.get("name", ""))]
        return []

    def sync(self, key: Key) -> None:
        ns, name = key
        rs = self.store.try_get("ReplicaSet", name, ns)
        if rs is None or rs.metadata.deletion_timestamp is not None:
            return  # the garbage collector removes what a deleted ReplicaSet owned
        mine = owned(self.store, "Pod", rs)
        active = [p for p in mine if is_active(p)]
        want = replicas_of(rs)
        if len(active) < want:
            for _ in range(want - len(active)):
                pod = pod_from_template(rs.spec.template, ns, rs, generate_name=f"{name}-")
                active.append(self.store.create(pod, namespace=ns))
        for pod in pods_to_delete(active, want, mine):
            if self.store.try_get("Pod", pod.metadata.name, ns) is not None:
                self.store.delete("Pod", pod.metadata.name, ns)
            active.remove(pod)
        current = self.store.try_get("ReplicaSet", name, ns)
        if current is None:
            return
        status = replica_set_status(current, active)
        if status != current.status:
            self.store.update_status(replace(current, status=status))
