"""`kubectl get deployments|replicasets|statefulsets|daemonsets`: kubectl's server-side printer cells.

Ports of `printDeployment`, `printReplicaSet`, `printStatefulSet` and `printDaemonSet` (kubernetes
`pkg/printers/internalversion/printers.go`), registered in the `tables` registry on import. Objects
arrive in their JSON dict form; every cell is the exact string kubectl prints.
"""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Tuple

from k8slab.views.age import age
from k8slab.views.tables import Column, format_labels, register_table

_OPERATORS = {"In": "in", "NotIn": "notin"}


def _requirement_string(key: str, operator: str, values: List[str]) -> str:
    if operator == "Equals":
        return f"{key}={values[0]}"
    if operator in _OPERATORS:
        return f"{key} {_OPERATORS[operator]} ({','.join(sorted(values))})"
    if operator == "Exists":
        return key
    if operator == "DoesNotExist":
        return f"!{key}"
    return ""


def selector_string(selector: Optional[dict]) -> str:
    """`LabelSelectorAsSelector(s).String()`: `app=web,tier in (a,b)`, sorted by key; "" if nil/empty."""
    if not selector:
        return ""
    reqs: List[Tuple[str, str, List[str]]] = [
        (k, "Equals", [v]) for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        reqs.append((expr.get("key", ""), expr.get("operator", ""), [str(v) for v in expr.get("values") or []]))
    reqs.sort(key=lambda r: r[0])
    return ",".join(_requirement_string(*r) for r in reqs)


def format_label_selector(selector: Optional[dict]) -> str:
    """`metav1.FormatLabelSelector`: the selector string, or `<none>` when it is empty."""
    return selector_string(selector) or "<none>"


def container_cells(template: Optional[dict]) -> Tuple[str, str]:
    """`layoutContainerCells`: container names and images, each comma-joined."""
    containers = ((template or {}).get("spec") or {}).get("containers") or []
    return ",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers)


def _parts(obj: dict) -> Tuple[dict, dict, dict]:
    return obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}


def _desired(spec: dict) -> int:
    replicas = spec.get("replicas")
    return 1 if replicas is None else replicas


def _deployment_row(d: dict, now: datetime) -> List[str]:
    meta, spec, status = _parts(d)
    names, images = container_cells(spec.get("template"))
    return [
        meta.get("name", ""),
        f"{status.get('readyReplicas', 0)}/{_desired(spec)}",
        str(status.get("updatedReplicas", 0)),
        str(status.get("availableReplicas", 0)),
        age(meta.get("creationTimestamp"), now),
        names, images, selector_string(spec.get("selector")),
    ]


def _replica_set_row(rs: dict, now: datetime) -> List[str]:
    meta, spec, status = _parts(rs)
    names, images = container_cells(spec.get("template"))
    return [
        meta.get("name", ""),
        str(_desired(spec)),
        str(status.get("replicas", 0)),
        str(status.get("readyReplicas", 0)),
        age(meta.get("creationTimestamp"), now),
        names, images, format_label_selector(spec.get("selector")),
    ]


def _stateful_set_row(sts: dict, now: datetime) -> List[str]:
    meta, spec, status = _parts(sts)
    names, images = container_cells(spec.get("template"))
    return [
        meta.get("name", ""),
        f"{status.get('readyReplicas', 0)}/{_desired(spec)}",
        age(meta.get("creationTimestamp"), now),
        names, images,
    ]


def _daemon_set_row(ds: dict, now: datetime) -> List[str]:
    meta, spec, status = _parts(ds)
    template = spec.get("template") or {}
    names, images = container_cells(template)
    return [
        meta.get("name", ""),
        str(status.get("desiredNumberScheduled", 0)),
        str(status.get("currentNumberScheduled", 0)),
        str(status.get("numberReady", 0)),
        str(status.get("updatedNumberScheduled", 0)),
        str(status.get("numberAvailable", 0)),
        format_labels((template.get("spec") or {}).get("nodeSelector")),
        age(meta.get("creationTimestamp"), now),
        names, images, format_label_selector(spec.get("selector")),
    ]


_WIDE = (Column("Containers", wide=True), Column("Images", wide=True))

register_table(
    "Deployment",
    [Column("Name"), Column("Ready"), Column("Up-to-date"), Column("Available"), Column("Age"),
     *_WIDE, Column("Selector", wide=True)],
    _deployment_row,
)
register_table(
    "ReplicaSet",
    [Column("Name"), Column("Desired"), Column("Current"), Column("Ready"), Column("Age"),
     *_WIDE, Column("Selector", wide=True)],
    _replica_set_row,
)
register_table("StatefulSet", [Column("Name"), Column("Ready"), Column("Age"), *_WIDE], _stateful_set_row)
register_table(
    "DaemonSet",
    [Column("Name"), Column("Desired"), Column("Current"), Column("Ready"), Column("Up-to-date"),
     Column("Available"), Column("Node Selector"), Column("Age"), *_WIDE, Column("Selector", wide=True)],
    _daemon_set_row,
)
