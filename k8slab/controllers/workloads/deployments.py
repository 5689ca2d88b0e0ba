"""The Deployment controller: one ReplicaSet per pod template, rolled over by its strategy."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Dict, Iterable, List, Optional, Tuple

from k8slab.api.apps import Deployment, LabelSelector, ReplicaSet, ReplicaSetSpec
from k8slab.api.errors import ApiError
from k8slab.api.meta import ObjectMeta, format_timestamp, utc_now
from k8slab.controllers.base import Controller, Key, object_key
from k8slab.controllers.workloads.common import (controller_ref, owned, owner_reference,
                                                 set_condition, template_hash, with_label)
from k8slab.controllers.workloads.replicasets import replicas_of

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
CHANGE_CAUSE = "kubernetes.io/change-cause"
# Annotations a Deployment does not pass on to its ReplicaSets (deployment/util skipCopyAnnotation).
_NOT_COPIED = ("kubectl.kubernetes.io/last-applied-configuration", REVISION, "deployment.kubernetes.io/revision-history",
               DESIRED_REPLICAS, MAX_REPLICAS)
DEFAULT_SURGE = DEFAULT_UNAVAILABLE = "25%"
DEFAULT_HISTORY_LIMIT = 10
_CONDITION_ORDER = ("Available", "Progressing", "ReplicaFailure")


# -- arithmetic ----------------------------------------------------------------------------------

def scaled_value(value: Any, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: an int as is, `N%` of total rounded up or down."""
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.endswith("%"):
        exact = int(text[:-1]) * total / 100
        return int(math.ceil(exact) if round_up else math.floor(exact))
    return int(text)


def rolling_params(d: Deployment) -> Tuple[Any, Any]:
    """(maxSurge, maxUnavailable) as given, with the API defaults of 25%."""
    strategy = d.spec.strategy
    ru = strategy.rolling_update if strategy is not None else None
    surge = ru.max_surge if ru is not None and ru.max_surge is not None else DEFAULT_SURGE
    unavailable = ru.max_unavailable if ru is not None and ru.max_unavailable is not None else DEFAULT_UNAVAILABLE
    return surge, unavailable


def is_recreate(d: Deployment) -> bool:
    """True for strategy.type Recreate."""
    return d.spec.strategy is not None and d.spec.strategy.type == "Recreate"


def fenceposts(surge: Any, unavailable: Any, replicas: int) -> Tuple[int, int]:
    """deploymentutil.ResolveFenceposts: surge rounds up, unavailable down, never both zero."""
    s = scaled_value(surge, replicas, True)
    u = scaled_value(unavailable, replicas, False)
    if s == 0 and u == 0:
        u = 1  # otherwise a rollout could never make progress
    return s, u


def max_surge(d: Deployment) -> int:
    """The resolved maxSurge (0 for Recreate)."""
    return 0 if is_recreate(d) else fenceposts(*rolling_params(d), replicas_of(d))[0]


def max_unavailable(d: Deployment) -> int:
    """deploymentutil.MaxUnavailable: resolved and capped at replicas (0 for Recreate or no replicas)."""
    replicas = replicas_of(d)
    if is_recreate(d) or replicas == 0:
        return 0
    return min(fenceposts(*rolling_params(d), replicas)[1], replicas)


def new_rs_replicas(d: Deployment, all_rses: Iterable[ReplicaSet], new_rs: Optional[ReplicaSet]) -> int:
    """deploymentutil.NewRSNewReplicas: how far the new ReplicaSet may scale up under maxSurge."""
    want = replicas_of(d)
    current_new = replicas_of(new_rs) if new_rs is not None else 0
    if is_recreate(d):
        return want
    if current_new >= want:
        return want
    total = sum(replicas_of(rs) for rs in all_rses)
    max_total = want + max_surge(d)
    if total >= max_total:
        return current_new
    return current_new + min(max_total - total, want - current_new)


def old_scale_downs(d: Deployment, new_rs: Optional[ReplicaSet], old_rses: List[ReplicaSet]) -> Dict[str, int]:
    """reconcileOldReplicaSets: new spec.replicas for old ReplicaSets, keeping maxUnavailable."""
    old_rses = sorted(old_rses, key=lambda rs: (rs.metadata.creation_timestamp or 0, rs.metadata.name))
    if sum(replicas_of(rs) for rs in old_rses) == 0:
        return {}
    all_rses = old_rses + ([new_rs] if new_rs is not None else [])
    all_pods = sum(replicas_of(rs) for rs in all_rses)
    min_available = replicas_of(d) - max_unavailable(d)
    new_unavailable = (replicas_of(new_rs) - (new_rs.status.available_replicas or 0)) if new_rs is not None else 0
    max_scaled_down = all_pods - min_available - new_unavailable
    if max_scaled_down <= 0:
        return {}
    out: Dict[str, int] = {}
    # First drop old pods that are not available anyway (cleanupUnhealthyReplicas).
    budget = max_scaled_down
    for rs in old_rses:
        if budget <= 0:
            break
        count = replicas_of(rs)
        unhealthy = count - (rs.status.available_replicas or 0)
        if count == 0 or unhealthy <= 0:
            continue
        cut = min(budget, unhealthy)
        out[rs.metadata.name] = count - cut
        budget -= cut
    # Then scale old ReplicaSets down as far as availability allows (the cleanup removed no available pod).
    total_down = sum(rs.status.available_replicas or 0 for rs in all_rses) - min_available
    for rs in old_rses:
        if total_down <= 0:
            break
        count = out.get(rs.metadata.name, replicas_of(rs))
        if count == 0:
            continue
        cut = min(count, total_down)
        out[rs.metadata.name] = count - cut
        total_down -= cut
    return out


# -- ReplicaSets ---------------------------------------------------------------------------------

def revision_of(obj: Any) -> int:
    """The deployment.kubernetes.io/revision annotation as a number (0 when missing)."""
    try:
        return int(obj.metadata.annotations.get(REVISION, "0"))
    except ValueError:
        return 0


def strip_hash(template: Any) -> Any:
    """A pod template without the pod-template-hash label (EqualIgnoreHash)."""
    labels = {k: v for k, v in template.metadata.labels.items() if k != HASH_LABEL}
    return replace(template, metadata=replace(template.metadata, labels=labels))


def find_new_rs(d: Deployment, rses: List[ReplicaSet], hash_: str) -> Optional[ReplicaSet]:
    """The ReplicaSet running d's current template (the oldest one if several)."""
    for rs in sorted(rses, key=lambda r: (r.metadata.creation_timestamp or 0, r.metadata.name)):
        if strip_hash(rs.spec.template) == strip_hash(d.spec.template) or \
                rs.spec.template.metadata.labels.get(HASH_LABEL) == hash_:
            return rs
    return None


def build_rs(d: Deployment, hash_: str, replicas: int, revision: int) -> ReplicaSet:
    """The ReplicaSet a Deployment creates for its template."""
    template = with_label(d.spec.template, HASH_LABEL, hash_)
    sel = d.spec.selector or LabelSelector()
    selector = replace(sel, match_labels={**sel.match_labels, HASH_LABEL: hash_})
    annotations = {k: v for k, v in d.metadata.annotations.items() if k not in _NOT_COPIED}
    annotations.update(rs_annotations(d, revision))
    meta = ObjectMeta(name=f"{d.metadata.name}-{hash_}", namespace=d.metadata.namespace,
                      labels=dict(template.metadata.labels), annotations=annotations,
                      owner_references=(owner_reference(d),))
    return ReplicaSet(metadata=meta, spec=ReplicaSetSpec(replicas=replicas, min_ready_seconds=d.spec.min_ready_seconds,
                                                         selector=selector, template=template))


def rs_annotations(d: Deployment, revision: int) -> Dict[str, str]:
    """The annotations the controller keeps on its ReplicaSets."""
    return {DESIRED_REPLICAS: str(replicas_of(d)), MAX_REPLICAS: str(replicas_of(d) + max_surge(d)),
            REVISION: str(revision)}


def history_to_delete(d: Deployment, old_rses: List[ReplicaSet]) -> List[ReplicaSet]:
    """cleanupDeployment: the oldest scaled-down ReplicaSets beyond revisionHistoryLimit."""
    limit = DEFAULT_HISTORY_LIMIT if d.spec.revision_history_limit is None else d.spec.revision_history_limit
    idle = [rs for rs in old_rses if replicas_of(rs) == 0 and rs.status.replicas == 0
            and rs.metadata.deletion_timestamp is None]
    idle.sort(key=lambda rs: (revision_of(rs), rs.metadata.creation_timestamp or 0))
    return idle[:max(len(idle) - limit, 0)]


# -- status --------------------------------------------------------------------------------------

def deployment_status(d: Deployment, new_rs: Optional[ReplicaSet], rses: List[ReplicaSet], created: bool = False,
                      now: Optional[str] = None):
    """calculateStatus + syncRolloutStatus: counts and the Available/Progressing conditions."""
    now = now or format_timestamp(utc_now())
    want = replicas_of(d)
    replicas = sum(rs.status.replicas for rs in rses)
    updated = new_rs.status.replicas if new_rs is not None else 0
    ready = sum(rs.status.ready_replicas or 0 for rs in rses)
    available = sum(rs.status.available_replicas or 0 for rs in rses)
    status = replace(d.status, observed_generation=d.metadata.generation, replicas=replicas, updated_replicas=updated,
                     ready_replicas=ready, available_replicas=available,
                     unavailable_replicas=max(want - available, 0))
    conditions = d.status.conditions
    if available >= want - max_unavailable(d):
        avail = {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                 "message": "Deployment has minimum availability."}
    else:
        avail = {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
                 "message": "Deployment does not have minimum availability."}
    conditions = set_condition(conditions, {**avail, "lastUpdateTime": now, "lastTransitionTime": now}, now,
                               _CONDITION_ORDER)
    if new_rs is not None:
        rs_name = new_rs.metadata.name
        has_progressing = any(c.get("type") == "Progressing" for c in conditions)
        prog = None
        if updated == want and replicas == want and available == want:
            prog = ("NewReplicaSetAvailable", f'ReplicaSet "{rs_name}" has successfully progressed.')
        elif created:
            prog = ("NewReplicaSetCreated", f'Created new replica set "{rs_name}"')
        elif is_progressing(d.status, status) or not has_progressing:
            prog = ("ReplicaSetUpdated", f'ReplicaSet "{rs_name}" is progressing.')
        if prog is not None:
            conditions = set_condition(conditions, {"type": "Progressing", "status": "True", "reason": prog[0],
                                                    "message": prog[1], "lastUpdateTime": now,
                                                    "lastTransitionTime": now}, now, _CONDITION_ORDER)
    return replace(status, conditions=conditions)


def is_progressing(old, new) -> bool:
    """deploymentutil.DeploymentProgressing: more updated/ready/available pods, or fewer old ones."""
    old_old = (old.replicas or 0) - (old.updated_replicas or 0)
    new_old = (new.replicas or 0) - (new.updated_replicas or 0)
    return ((new.updated_replicas or 0) > (old.updated_replicas or 0) or new_old < old_old
            or (new.ready_replicas or 0) > (old.ready_replicas or 0)
            or (new.available_replicas or 0) > (old.available_replicas or 0))


def is_complete(d: Deployment) -> bool:
    """deploymentutil.DeploymentComplete on the stored status."""
    s, want = d.status, replicas_of(d)
    return (s.updated_replicas or 0) == want and (s.replicas or 0) == want and (s.available_replicas or 0) == want \
        and (s.observed_generation or 0) >= (d.metadata.generation or 0)


# -- the controller ------------------------------------------------------------------------------

class DeploymentController(Controller):
    """Rolls each Deployment's pods over to its current template, one ReplicaSet per template."""

    name = "deployment-controller"
    kinds = ("Deployment", "ReplicaSet", "Pod")

    def keys_for(self, event) -> Iterable[Key]:
        obj = event.obj
        if obj.kind == "Deployment":
            return [object_key(obj)]
        ns = obj.metadata.namespace or ""
        ref = controller_ref(obj)
        if obj.kind == "ReplicaSet":
            return [(ns, ref["name"])] if ref is not None and ref.get("kind") == "Deployment" else []
        # Pods matter only to Recreate, which waits for old pods to be gone.
        if event.type != "DELETED" or ref is None or ref.get("kind") != "ReplicaSet":
            return []
        rs = self.store.try_get("ReplicaSet", ref.get("name", ""), ns)
        rs_ref = controller_ref(rs) if rs is not None else None
        return [(ns, rs_ref["name"])] if rs_ref is not None and rs_ref.get("kind") == "Deployment" else []

    def sync(self, key: Key) -> None:
        ns, name = key
        d = self.store.try_get("Deployment", name, ns)
        if d is None or d.metadata.deletion_timestamp is not None:
            return
        rses = [rs for rs in owned(self.store, "ReplicaSet", d) if rs.metadata.deletion_timestamp is None]
        hash_, new_rs = self._current_hash(d, rses)
        old_rses = [rs for rs in rses if new_rs is None or rs.metadata.uid != new_rs.metadata.uid]
        created = False
        if not d.spec.paused:
            if is_recreate(d):
                new_rs, created = self._recreate(d, new_rs, old_rses, hash_)
            else:
                new_rs, created = self._rolling(d, new_rs, old_rses, hash_)
        for rs in history_to_delete(d, old_rses):
            self.store.delete("ReplicaSet", rs.metadata.name, ns)
        self._sync_status(d, new_rs, created)

    def _current_hash(self, d: Deployment, rses: List[ReplicaSet]) -> Tuple[str, Optional[ReplicaSet]]:
        """The template hash (with collisionCount) and the ReplicaSet running the template, if any."""
        hash_ = template_hash(d.spec.template, d.status.collision_count)
        return hash_, find_new_rs(d, rses, hash_)

    def _ensure_new_rs(self, d: Deployment, new_rs: Optional[ReplicaSet], old_rses: List[ReplicaSet], hash_: str,
                       replicas: int) -> Tuple[Optional[ReplicaSet], bool]:
        revision = max([revision_of(rs) for rs in old_rses] + [0]) + 1
        ns = d.metadata.namespace
        if new_rs is None:
            try:
                new_rs = self.store.create(build_rs(d, hash_, replicas, revision), namespace=ns)
            except ApiError as e:
                if e.reason != "AlreadyExists":
                    raise
                # Another template already took this name: count a collision and hash again next sync.
                count = (d.status.collision_count or 0) + 1
                self.store.update_status(replace(d, status=replace(d.status, collision_count=count)))
                return None, False
            self._set_deployment_revision(d, revision)
            return new_rs, True
        wanted = {**new_rs.metadata.annotations, **rs_annotations(d, max(revision_of(new_rs), 0))}
        if revision_of(new_rs) < revision:
            wanted[REVISION] = str(revision)  # a rollback makes an old template the newest revision
        if new_rs.metadata.annotations != wanted or replicas_of(new_rs) != replicas:
            new_rs = self.store.update(replace(new_rs, metadata=replace(new_rs.metadata, annotations=wanted),
                                               spec=replace(new_rs.spec, replicas=replicas)))
        self._set_deployment_revision(d, revision_of(new_rs))
        return new_rs, False

    def _set_deployment_revision(self, d: Deployment, revision: int) -> None:
        current = self.store.try_get("Deployment", d.metadata.name, d.metadata.namespace)
        if current is None or current.metadata.annotations.get(REVISION) == str(revision):
            return
        annotations = {**current.metadata.annotations, REVISION: str(revision)}
        self.store.update(replace(current, metadata=replace(current.metadata, annotations=annotations)))

    def _scale(self, rs: ReplicaSet, replicas: int, d: Deployment) -> None:
        annotations = {**rs.metadata.annotations, **rs_annotations(d, revision_of(rs))}
        self.store.update(replace(rs, metadata=replace(rs.metadata, annotations=annotations),
                                  spec=replace(rs.spec, replicas=replicas)))

    def _rolling(self, d, new_rs, old_rses, hash_):
        target = new_rs_replicas(d, old_rses + ([new_rs] if new_rs else []), new_rs)
        before = replicas_of(new_rs) if new_rs is not None else None
        new_rs, created = self._ensure_new_rs(d, new_rs, old_rses, hash_, target)
        if new_rs is None or created or before != target:
            return new_rs, created  # kube returns after scaling up and waits for the next event
        plan = old_scale_downs(d, new_rs, old_rses)
        for rs in old_rses:
            count = plan.get(rs.metadata.name)
            if count is not None and count != replicas_of(rs):
                self._scale(rs, count, d)
        return new_rs, created

    def _recreate(self, d, new_rs, old_rses, hash_):
        for rs in old_rses:
            if replicas_of(rs) != 0:
                self._scale(rs, 0, d)
        old_uids = {rs.metadata.uid for rs in old_rses}
        old_pods = [p for p in self.store.list("Pod", d.metadata.namespace)
                    if (controller_ref(p) or {}).get("uid") in old_uids
                    and p.status.phase not in ("Succeeded", "Failed")]
        if old_pods:
            # Recreate waits until every old pod is gone before starting new ones.
            return new_rs, False
        return self._ensure_new_rs(d, new_rs, old_rses, hash_, replicas_of(d))

    def _sync_status(self, d: Deployment, new_rs: Optional[ReplicaSet], created: bool) -> None:
        ns = d.metadata.namespace
        current = self.store.try_get("Deployment", d.metadata.name, ns)
        if current is None:
            return
        rses = [rs for rs in owned(self.store, "ReplicaSet", current)]
        new_rs = next((rs for rs in rses if new_rs is not None and rs.metadata.uid == new_rs.metadata.uid), None)
        status = deployment_status(current, new_rs, rses, created)
        if _comparable(status) != _comparable(current.status):
            self.store.update_status(replace(current, status=status))


def _comparable(status) -> Any:
    """A status without condition timestamps, so that a sync with nothing new writes nothing."""
    conds = tuple(tuple(sorted((k, v) for k, v in c.items() if not k.startswith("last"))) for c in status.conditions)
    return replace(status, conditions=conds)

