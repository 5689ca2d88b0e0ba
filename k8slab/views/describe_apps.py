"""`kubectl describe deployment|replicaset|statefulset|daemonset`, field for field.

Ports of kubectl's `describeDeployment`, `describeReplicaSet`, `describeStatefulSet`,
`describeDaemonSet` and `DescribePodTemplate` (`pkg/describe/describe.go`): same lines, same tabs, so
the tabwriter lays them out the same way. Each returns the whole text with its trailing newline; pass
`events=None` to leave `Events:` out. Objects are JSON dicts, as `kubectl get -o json` shows them.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Iterable, List, Optional, Sequence, Tuple

from k8slab.views.age import rfc1123z
from k8slab.views.describe_common import (PrefixWriter, annotations_multiline, controlled_by, describe_events,
                                          labels_multiline, tolerations_multiline)
from k8slab.views.describe_containers import describe_containers, describe_volumes
from k8slab.views.quantity import parse_quantity
from k8slab.views.tables import format_labels
from k8slab.views.tables_apps import format_label_selector, selector_string

POD_TEMPLATE_HASH = "pod-template-hash"


def _parts(obj: dict) -> Tuple[dict, dict, dict]:
    return obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}


def _desired(spec: dict) -> int:
    return 1 if spec.get("replicas") is None else spec["replicas"]


def describe_pod_template(w: PrefixWriter, template: Optional[dict]) -> None:
    """`DescribePodTemplate`: the `Pod Template:` block of every workload."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    labels_multiline(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        annotations_multiline(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], [], None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], [], None, "  ")
    describe_volumes(w, spec.get("volumes") or [], "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "  Tolerations", spec.get("tolerations") or [])


def _conditions(w: PrefixWriter, conditions: Sequence[dict]) -> None:
    if not conditions:
        return
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
    w.write(1, "----\t------\t------\n")
    for c in conditions:
        w.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")


def _matches(selector: Optional[dict], labels: dict) -> bool:
    # Only the selectors the apps kinds accept: matchLabels and the four expression operators.
    if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        return False
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        ok = {"In": key in labels and labels[key] in values,
              "NotIn": not (key in labels and labels[key] in values),
              "Exists": key in labels, "DoesNotExist": key not in labels}.get(op, False)
        if not ok:
            return False
    return True


def _controlled_by_uid(child: dict, uid: Optional[str]) -> bool:
    if not uid:
        return True  # objects built without a uid (tests, dry runs): trust the caller's list
    return any(ref.get("controller") and ref.get("uid") == uid
               for ref in (child.get("metadata") or {}).get("ownerReferences") or [])


def pod_status_counts(obj: dict, pods: Iterable[dict]) -> Tuple[int, int, int, int]:
    """`getPodStatusForController`: (running, waiting, succeeded, failed) of the pods `obj` controls."""
    meta, spec, _ = _parts(obj)
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in pods:
        labels = (pod.get("metadata") or {}).get("labels") or {}
        if not _matches(spec.get("selector"), labels) or not _controlled_by_uid(pod, meta.get("uid")):
            continue
        phase = (pod.get("status") or {}).get("phase")
        if phase in counts:
            counts[phase] += 1
    return counts["Running"], counts["Pending"], counts["Succeeded"], counts["Failed"]


def _pods_status(w: PrefixWriter, obj: dict, pods: Iterable[dict]) -> None:
    running, waiting, succeeded, failed = pod_status_counts(obj, pods)
    w.write(0, f"Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n")


# --- Deployment ------------------------------------------------------------------------------

def _template_without_hash(template: Optional[dict]) -> dict:
    template = copy.deepcopy(template or {})
    labels = (template.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(POD_TEMPLATE_HASH, None)
    return template


def split_replica_sets(d: dict, replica_sets: Iterable[dict]) -> Tuple[List[dict], Optional[dict]]:
    """`GetAllReplicaSets`: (old ones still wanting pods, the new one) among the Deployment's ReplicaSets."""
    meta, spec, _ = _parts(d)
    owned = [rs for rs in replica_sets if _controlled_by_uid(rs, meta.get("uid"))
             and _matches(spec.get("selector"), (rs.get("metadata") or {}).get("labels") or {})]
    owned.sort(key=lambda rs: ((rs.get("metadata") or {}).get("creationTimestamp") or "",
                               (rs.get("metadata") or {}).get("name", "")))
    wanted = _template_without_hash(spec.get("template"))
    new = next((rs for rs in owned
                if _template_without_hash((rs.get("spec") or {}).get("template")) == wanted), None)
    old = [rs for rs in owned if rs is not new and _desired(rs.get("spec") or {}) != 0]
    old.sort(key=lambda rs: (rs.get("metadata") or {}).get("name", ""))
    return old, new


def _replica_sets_text(replica_sets: Sequence[dict]) -> str:
    # printReplicaSetsByLabels: `name (current/desired replicas created)`.
    texts = [f"{(rs.get('metadata') or {}).get('name', '')} ({(rs.get('status') or {}).get('replicas', 0)}/"
             f"{_desired(rs.get('spec') or {})} replicas created)" for rs in replica_sets]
    return ", ".join(texts) or "<none>"


def _int_or_string(value: object) -> str:
    return "0" if value is None else str(value)


def describe_deployment(d: dict, *, replica_sets: Iterable[dict] = (), events: Optional[Iterable[dict]] = (),
                        now: datetime) -> str:
    """The text of `kubectl describe deployment`; `replica_sets` are those in its namespace."""
    meta, spec, status = _parts(d)
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(0, f"Replicas:\t{_desired(spec)} desired | {status.get('updatedReplicas', 0)} updated | "
               f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
               f"{status.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        w.write(0, f"RollingUpdateStrategy:\t{_int_or_string(rolling.get('maxUnavailable'))} max unavailable, "
                   f"{_int_or_string(rolling.get('maxSurge'))} max surge\n")
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status.get("conditions") or [])
    old, new = split_replica_sets(d, replica_sets)
    w.write(0, f"OldReplicaSets:\t{_replica_sets_text(old)}\n")
    w.write(0, f"NewReplicaSet:\t{_replica_sets_text([new] if new is not None else [])}\n")
    describe_events(w, events, now)
    return w.getvalue()


# --- ReplicaSet ------------------------------------------------------------------------------

def describe_replica_set(rs: dict, *, pods: Iterable[dict] = (), events: Optional[Iterable[dict]] = (),
                         now: datetime) -> str:
    """The text of `kubectl describe replicaset`; `pods` are those in its namespace."""
    meta, spec, status = _parts(rs)
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    owner = controlled_by(rs)
    if owner:
        w.write(0, f"Controlled By:\t{owner}\n")
    w.write(0, f"Replicas:\t{status.get('replicas', 0)} current / {_desired(spec)} desired\n")
    _pods_status(w, rs, pods)
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status.get("conditions") or [])
    describe_events(w, events, now)
    return w.getvalue()


# --- StatefulSet -----------------------------------------------------------------------------

def _claim_templates(w: PrefixWriter, templates: Sequence[dict]) -> None:
    # describeVolumeClaimTemplates
    if not templates:
        w.write(0, "Volume Claims:\t<none>\n")
        return
    w.write(0, "Volume Claims:\n")
    for pvc in templates:
        meta, spec = pvc.get("metadata") or {}, pvc.get("spec") or {}
        storage_class = spec.get("storageClassName")
        if storage_class is None:
            storage_class = (meta.get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class", "")
        w.write(1, f"Name:\t{meta.get('name', '')}\n")
        w.write(1, f"StorageClass:\t{storage_class}\n")
        labels_multiline(w, "Labels", meta.get("labels"), initial_indent="  ")
        labels_multiline(w, "Annotations", meta.get("annotations"), initial_indent="  ")
        capacity = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
        w.write(1, f"Capacity:\t{parse_quantity(capacity) if capacity is not None else '<default>'}\n")
        w.write(1, f"Access Modes:\t[{' '.join(spec.get('accessModes') or [])}]\n")


def describe_stateful_set(sts: dict, *, pods: Iterable[dict] = (), events: Optional[Iterable[dict]] = (),
                          now: datetime) -> str:
    """The text of `kubectl describe statefulset`; `pods` are those in its namespace."""
    meta, spec, status = _parts(sts)
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Replicas:\t{_desired(spec)} desired | {status.get('replicas', 0)} total\n")
    strategy = spec.get("updateStrategy") or {}
    w.write(0, f"Update Strategy:\t{strategy.get('type', '')}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None and rolling.get("partition") is not None:
        w.write(1, f"Partition:\t{rolling['partition']}\n")
        if rolling.get("maxUnavailable") is not None:
            w.write(1, f"MaxUnavailable:\t{rolling['maxUnavailable']}\n")
    _pods_status(w, sts, pods)
    describe_pod_template(w, spec.get("template"))
    _claim_templates(w, spec.get("volumeClaimTemplates") or [])
    describe_events(w, events, now)
    return w.getvalue()


# --- DaemonSet -------------------------------------------------------------------------------

def describe_daemon_set(ds: dict, *, pods: Iterable[dict] = (), events: Optional[Iterable[dict]] = (),
                        now: datetime) -> str:
    """The text of `kubectl describe daemonset` (kubectl prints no Namespace line for it)."""
    meta, spec, status = _parts(ds)
    template = spec.get("template") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(0, f"Node-Selector:\t{format_labels((template.get('spec') or {}).get('nodeSelector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Desired Number of Nodes Scheduled: {status.get('desiredNumberScheduled', 0)}\n")
    w.write(0, f"Current Number of Nodes Scheduled: {status.get('currentNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Up-to-date Pods: {status.get('updatedNumberScheduled', 0)}\n")
    w.write(0, f"Number of Nodes Scheduled with Available Pods: {status.get('numberAvailable', 0)}\n")
    w.write(0, f"Number of Nodes Misscheduled: {status.get('numberMisscheduled', 0)}\n")
    _pods_status(w, ds, pods)
    describe_pod_template(w, spec.get("template"))
    describe_events(w, events, now)
    return w.getvalue()
