"""The StatefulSet controller: pods name-0..n-1 with stable names, created and removed in order."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Dict, Iterable, List, Optional, Tuple

from k8slab.api.apps import StatefulSet
from k8slab.api.meta import pod_is_ready
from k8slab.api.pod import Pod
from k8slab.controllers.base import Controller, Key, object_key
from k8slab.controllers.workloads.common import (controller_ref, is_available, is_controlled_by,
                                                 pod_from_template, template_hash)
from k8slab.controllers.workloads.replicasets import replicas_of

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
REVISION_LABEL = "controller-revision-hash"


def ordinal_of(sts: StatefulSet, pod_name: str) -> Optional[int]:
    """The ordinal in `name-N`, or None when the name is not one of this StatefulSet's."""
    prefix = f"{sts.metadata.name}-"
    if not pod_name.startswith(prefix) or not pod_name[len(prefix):].isdigit():
        return None
    return int(pod_name[len(prefix):])


def revision_name(sts: StatefulSet) -> str:
    """The update revision (`<name>-<hash>`), the value of the controller-revision-hash label."""
    return f"{sts.metadata.name}-{template_hash(sts.spec.template, sts.status.collision_count or 0)}"


def is_running_and_ready(pod: Pod) -> bool:
    """isRunningAndReady: phase Running and the Ready condition True."""
    return pod.status.phase == "Running" and pod_is_ready(pod)


def is_parallel(sts: StatefulSet) -> bool:
    """podManagementPolicy: Parallel (OrderedReady is the default)."""
    return sts.spec.pod_management_policy == "Parallel"


def stateful_pod(sts: StatefulSet, ordinal: int, revision: str) -> Pod:
    """newVersionedStatefulSetPod: the pod for one ordinal, with its identity labels and DNS name."""
    name = f"{sts.metadata.name}-{ordinal}"
    labels = {**sts.spec.template.metadata.labels, POD_NAME_LABEL: name, POD_INDEX_LABEL: str(ordinal),
              REVISION_LABEL: revision}
    pod = pod_from_template(sts.spec.template, sts.metadata.namespace, sts, name=name, labels=labels)
    return replace(pod, spec=replace(pod.spec, hostname=name, subdomain=sts.spec.service_name or None))


@dataclass
class Plan:
    """What one sync does: ordinals to create, pod names to delete."""

    create: List[int]
    delete: List[str]


def plan(sts: StatefulSet, pods: Dict[int, Pod], revision: str) -> Plan:
    """The StatefulSet's next step (pure): which ordinals to create and which pods to delete.

    OrderedReady creates ordinal i only when 0..i-1 are Running and Ready, and removes the highest
    ordinal first, one at a time, once every other pod is healthy and no pod is terminating.
    Parallel does everything at once. A failed pod is deleted so that it can be recreated; a pod of
    an old revision is replaced from the highest ordinal down (RollingUpdate).
    """
    want = replicas_of(sts)
    ordered = not is_parallel(sts)
    out = Plan([], [])
    terminating = any(p.metadata.deletion_timestamp is not None for p in pods.values())
    for i in range(want):
        pod = pods.get(i)
        if pod is None:
            out.create.append(i)
            if ordered:
                return out
            continue
        if pod.status.phase == "Failed" and pod.metadata.deletion_timestamp is None:
            out.delete.append(pod.metadata.name)
            if ordered:
                return out
            continue
        if ordered and (pod.metadata.deletion_timestamp is not None or not is_running_and_ready(pod)):
            return out  # wait for this one before touching the next
    condemned = sorted((i for i in pods if i >= want), reverse=True)
    condemned = [i for i in condemned if pods[i].metadata.deletion_timestamp is None]
    if condemned:
        if not ordered:
            out.delete += [pods[i].metadata.name for i in condemned]
            return out
        if terminating or not all(is_running_and_ready(p) for p in pods.values()):
            return out
        out.delete.append(pods[condemned[0]].metadata.name)
        return out
    if sts.spec.update_strategy is not None and sts.spec.update_strategy.type == "OnDelete":
        return out
    # RollingUpdate: replace one old-revision pod at a time, highest ordinal first, when all are healthy.
    if terminating or not all(is_running_and_ready(p) for p in pods.values()):
        return out
    partition = int(((sts.spec.update_strategy.rolling_update or {}) if sts.spec.update_strategy else {})
                    .get("partition", 0) or 0)
    for i in sorted(pods, reverse=True):
        if i >= partition and pods[i].metadata.labels.get(REVISION_LABEL) != revision:
            out.delete.append(pods[i].metadata.name)
            break
    return out


def stateful_set_status(sts: StatefulSet, pods: Iterable[Pod], revision: str):
    """replicas, readyReplicas, currentReplicas, updatedReplicas, availableReplicas, revisions."""
    live = [p for p in pods if p.metadata.deletion_timestamp is None]
    ready = [p for p in live if is_running_and_ready(p)]
    available = [p for p in ready if is_available(p, sts.spec.min_ready_seconds or 0)]
    updated = [p for p in live if p.metadata.labels.get(REVISION_LABEL) == revision]
    current_rev = sts.status.current_revision or revision
    want = replicas_of(sts)
    if len(updated) == want and len(ready) == want and len(live) == want:
        current_rev = revision  # the rollout is complete
    current = [p for p in live if p.metadata.labels.get(REVISION_LABEL) == current_rev]
    return replace(sts.status, observed_generation=sts.metadata.generation, replicas=len(live),
                   ready_replicas=len(ready), available_replicas=len(available), current_replicas=len(current),
                   updated_replicas=len(updated), current_revision=current_rev, update_revision=revision,
                   collision_count=sts.status.collision_count or 0)


class StatefulSetController(Controller):
    """Keeps each StatefulSet's ordinal pods."""

    name = "statefulset-controller"
    kinds = ("StatefulSet", "Pod")

    def keys_for(self, event) -> Iterable[Key]:
        obj = event.obj
        if obj.kind == "StatefulSet":
            return [object_key(obj)]
        ref = controller_ref(obj)
        if ref is not None and ref.get("kind") == "StatefulSet":
            return [(obj.metadata.namespace or "", ref.get("name", ""))]
        return []

    def sync(self, key: Key) -> None:
        ns, name = key
        sts = self.store.try_get("StatefulSet", name, ns)
        if sts is None or sts.metadata.deletion_timestamp is not None:
            return
        revision = revision_name(sts)
        pods = self._pods(sts)
        step = plan(sts, pods, revision)
        for pod_name in step.delete:
            self.store.delete("Pod", pod_name, ns)
        for i in step.create:
            if self.store.try_get("Pod", f"{name}-{i}", ns) is None:  # the old one may still be terminating
                self.store.create(stateful_pod(sts, i, revision), namespace=ns)
        current = self.store.try_get("StatefulSet", name, ns)
        if current is None:
            return
        status = stateful_set_status(current, self._pods(current).values(), revision)
        if status != current.status:
            self.store.update_status(replace(current, status=status))

    def _pods(self, sts: StatefulSet) -> Dict[int, Pod]:
        out: Dict[int, Pod] = {}
        for pod in self.store.list("Pod", sts.metadata.namespace):
            ordinal = ordinal_of(sts, pod.metadata.name or "")
            if ordinal is not None and is_controlled_by(pod, sts):
                out[ordinal] = pod
        return out


__all__: Tuple[str, ...] = ("StatefulSetController", "plan", "stateful_pod")
