"""ObjectMeta and the small helpers every kind and every controller uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, Optional, Tuple

from k8slab.api.codec import format_timestamp, json_field, parse_timestamp

__all__ = [
    "ObjectMeta",
    "utc_now",
    "format_timestamp",
    "parse_timestamp",
    "new_meta",
    "pod_condition",
    "pod_is_ready",
]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC, truncated to whole seconds like metav1.Time."""
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class ObjectMeta:
    """metav1.ObjectMeta (managedFields and selfLink are accepted and dropped)."""

    # A real apiserver ignores these on write; manifests saved with `kubectl get -o yaml` carry them.
    json_ignored = ("managedFields", "selfLink")

    name: Optional[str] = None
    generate_name: Optional[str] = None
    namespace: Optional[str] = None
    uid: Optional[str] = None
    resource_version: Optional[str] = None
    generation: Optional[int] = json_field(go="int64", omitempty=True)
    creation_timestamp: Optional[datetime] = None
    deletion_timestamp: Optional[datetime] = None
    deletion_grace_period_seconds: Optional[int] = json_field(go="int64")
    labels: Dict[str, str] = json_field(factory=dict)
    annotations: Dict[str, str] = json_field(factory=dict)
    owner_references: Tuple[Dict[str, Any], ...] = json_field((), go="[]v1.OwnerReference")
    finalizers: Tuple[str, ...] = ()


def new_meta(
    name: str,
    namespace: Optional[str] = None,
    labels: Optional[Dict[str, str]] = None,
    annotations: Optional[Dict[str, str]] = None,
) -> ObjectMeta:
    """An ObjectMeta for objects built in code (controllers, fixtures)."""
    return ObjectMeta(
        name=name,
        namespace=namespace,
        labels=dict(labels or {}),
        annotations=dict(annotations or {}),
    )


# Pod helpers live here (duck-typed on `.status.conditions`) so that any module can use them without
# importing the Pod kind; k8slab.api.pod re-exports them.
def pod_condition(pod: Any, type: str) -> Any:
    """The pod's condition of the given type, if any."""
    for condition in pod.status.conditions:
        if condition.type == type:
            return condition
    return None


def pod_is_ready(pod: Any) -> bool:
    """True when the pod's Ready condition is True (what endpoints controllers look at)."""
    condition = pod_condition(pod, "Ready")
    return condition is not None and condition.status == "True"
