"""What the workload controllers share: owner references, template hashing, pod ranking, counting."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Dict, Iterable, List, Optional, Tuple

from k8slab.api.codec import to_dict
from k8slab.api.meta import ObjectMeta, pod_condition, pod_is_ready, utc_now
from k8slab.api.pod import Pod
from k8slab.api.selectors import EQUALS, EXISTS, DOES_NOT_EXIST, IN, NOT_IN, Requirement, Selector

# rand.SafeEncodeString's alphabet: no vowels (no words), no look-alikes (0/o, 1/l).
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_FNV_OFFSET, _FNV_PRIME = 0x811C9DC5, 0x01000193
_EXPRESSION_OPERATORS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}


def fnv32a(data: bytes, h: int = _FNV_OFFSET) -> int:
    """32-bit FNV-1a, the hash Go's hash/fnv.New32a computes."""
    for byte in data:
        h = ((h ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return h


def safe_encode(text: str) -> str:
    """rand.SafeEncodeString: each byte mapped into the safe alphabet."""
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in text.encode())


def template_hash(template: Any, collision_count: Optional[int] = None) -> str:
    """controller.ComputeHash: FNV-32a of the pod template (+ collision count), safe-encoded decimal.

    kube hashes the Go struct's deep print; k8slab hashes the template's canonical JSON, so the value
    has kube's shape (`5d78c9869d`) without being byte-for-byte the one a real cluster would pick.
    """
    data = json.dumps(to_dict(template), sort_keys=True, separators=(",", ":"), default=str).encode()
    h = fnv32a(data)
    if collision_count is not None:
        h = fnv32a(str(collision_count).encode(), h)
    return safe_encode(str(h))


def selector_of(label_selector: Any) -> Selector:
    """metav1.LabelSelectorAsSelector: matchLabels AND matchExpressions."""
    if label_selector is None:
        return Selector([Requirement("k8slab.invalid/no-selector", EXISTS)])  # a nil selector matches nothing
    reqs = [Requirement(k, EQUALS, (v,)) for k, v in label_selector.match_labels.items()]
    for expr in label_selector.match_expressions:
        op = _EXPRESSION_OPERATORS.get(expr.get("operator", ""), IN)
        reqs.append(Requirement(expr.get("key", ""), op, tuple(expr.get("values") or ())))
    return Selector(reqs)


def owner_reference(owner: Any) -> Dict[str, Any]:
    """The controller ownerReference a controller puts on what it creates."""
    return {"apiVersion": owner.api_version, "kind": owner.kind, "name": owner.metadata.name,
            "uid": owner.metadata.uid, "controller": True, "blockOwnerDeletion": True}


def controller_ref(obj: Any) -> Optional[Dict[str, Any]]:
    """The ownerReference with controller: true, if any."""
    return next((r for r in obj.metadata.owner_references if r.get("controller")), None)


def is_controlled_by(obj: Any, owner: Any) -> bool:
    """True when `owner` is obj's controller."""
    ref = controller_ref(obj)
    return ref is not None and ref.get("uid") == owner.metadata.uid


def owned(store, kind: str, owner: Any) -> List[Any]:
    """Objects of `kind` in the owner's namespace that it controls."""
    return [o for o in store.list(kind, owner.metadata.namespace) if is_controlled_by(o, owner)]


def is_active(pod: Pod) -> bool:
    """controller.IsPodActive: not finished and not being deleted."""
    return pod.status.phase not in ("Succeeded", "Failed") and pod.metadata.deletion_timestamp is None


def is_available(pod: Pod, min_ready_seconds: int, now: Optional[datetime] = None) -> bool:
    """podutil.IsPodAvailable: Ready for at least minReadySeconds."""
    if not pod_is_ready(pod):
        return False
    if not min_ready_seconds:
        return True
    since = pod_condition(pod, "Ready").last_transition_time
    return since is not None and since + timedelta(seconds=min_ready_seconds) <= (now or utc_now())


def pod_from_template(template: Any, namespace: str, owner: Any, *, name: Optional[str] = None,
                      generate_name: Optional[str] = None, labels: Optional[Dict[str, str]] = None) -> Pod:
    """A pod as controller.GetPodFromTemplate builds it: template labels/annotations, owner reference."""
    meta = ObjectMeta(name=name, generate_name=generate_name, namespace=namespace,
                      labels=dict(labels if labels is not None else template.metadata.labels),
                      annotations=dict(template.metadata.annotations),
                      finalizers=tuple(template.metadata.finalizers),
                      owner_references=(owner_reference(owner),))
    return Pod(metadata=meta, spec=template.spec)


def with_label(template: Any, key: str, value: str) -> Any:
    """A copy of a pod template with one more label."""
    return replace(template, metadata=replace(template.metadata, labels={**template.metadata.labels, key: value}))


def _ready_since(pod: Pod) -> Optional[datetime]:
    cond = pod_condition(pod, "Ready")
    return cond.last_transition_time if cond is not None else None


_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def deletion_order(pods: Iterable[Pod], related: Iterable[Pod] = ()) -> List[Pod]:
    """Pods in the order a ReplicaSet deletes them when scaling down (controller.ActivePodsWithRanks).

    Unscheduled before scheduled, Pending before Unknown before Running, not ready before ready,
    pods doubled up on a node before lone ones, ready for less time first, more restarts first,
    newer first.
    """
    pods = list(pods)
    per_node: Dict[str, int] = {}
    for p in list(related) or pods:
        if p.spec.node_name and is_active(p):
            per_node[p.spec.node_name] = per_node.get(p.spec.node_name, 0) + 1

    def key(p: Pod) -> Tuple:
        ready = pod_is_ready(p)
        since = _ready_since(p) if ready else None
        restarts = sum(s.restart_count for s in p.status.container_statuses)
        created = p.metadata.creation_timestamp
        return (
            1 if p.spec.node_name else 0,
            _PHASE_RANK.get(p.status.phase or "Pending", 0),
            1 if ready else 0,
            -per_node.get(p.spec.node_name or "", 0),
            # Ready more recently goes first: negate the time so that later sorts earlier.
            -(since.timestamp()) if since is not None else 0,
            -restarts,
            -(created.timestamp()) if created is not None else 0,
            p.metadata.name or "",
        )

    return sorted(pods, key=key)


def set_condition(conditions: Tuple[Dict[str, Any], ...], cond: Dict[str, Any], now: str,
                  order: Tuple[str, ...] = ()) -> Tuple[Dict[str, Any], ...]:
    """Conditions with `cond` set, keeping lastTransitionTime when the status did not change."""
    old = next((c for c in conditions if c.get("type") == cond["type"]), None)
    new = dict(cond)
    if old is not None and old.get("status") == cond["status"]:
        new["lastTransitionTime"] = old.get("lastTransitionTime", now)
        same = old.get("reason") == cond.get("reason") and old.get("message") == cond.get("message")
        if "lastUpdateTime" in cond and same:
            new["lastUpdateTime"] = old.get("lastUpdateTime", now)
    out = [c for c in conditions if c.get("type") != cond["type"]] + [new]
    if order:
        out.sort(key=lambda c: order.index(c["type"]) if c.get("type") in order else len(order))
    return tuple(out)
