"""Defaulting for the apps/v1 workloads (apps/v1 SetDefaults_Deployment, _ReplicaSet, _StatefulSet, _DaemonSet).

The pod template gets exactly what `SetDefaults_PodSpec` and `SetDefaults_Container` give it, not what
a created Pod ends up with: the ServiceAccount, Priority and DefaultTolerationSeconds admission
plugins (serviceAccountName, priority, preemptionPolicy, the not-ready/unreachable tolerations) and
`SetDefaults_Pod` (enableServiceLinks) only ever run on real Pods. Every function is pure and idempotent.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from k8slab.api.apps import (
    DaemonSet,
    DaemonSetUpdateStrategy,
    Deployment,
    DeploymentStrategy,
    PodTemplateSpec,
    ReplicaSet,
    RollingUpdateDeployment,
    StatefulSet,
    StatefulSetUpdateStrategy,
)
from k8slab.api.apps import DaemonSetStatus, DeploymentStatus, ReplicaSetStatus, StatefulSetStatus
from k8slab.api.defaults import default_pod_spec, register_create_preparer, register_defaulter
from k8slab.api.pod import PodSpec

DEFAULT_REVISION_HISTORY_LIMIT = 10
DEFAULT_PROGRESS_DEADLINE_SECONDS = 600
DEFAULT_MAX_UNAVAILABLE_PERCENT = "25%"
DEFAULT_MAX_SURGE_PERCENT = "25%"

# PodSpec fields that default_pod_spec fills for a Pod but that a template keeps as written.
_POD_ONLY_FIELDS = ("tolerations", "service_account_name", "service_account", "priority",
                    "enable_service_links", "preemption_policy", "termination_grace_period_seconds")


def default_template_pod_spec(spec: PodSpec) -> PodSpec:
    """SetDefaults_PodSpec and the container defaults, without the Pod-only admission defaults."""
    defaulted = default_pod_spec(spec)
    kept = {name: getattr(spec, name) for name in _POD_ONLY_FIELDS}
    if spec.termination_grace_period_seconds is None:
        kept["termination_grace_period_seconds"] = 30  # SetDefaults_PodSpec does set this one
    return replace(defaulted, **kept)


def default_pod_template(template: PodTemplateSpec) -> PodTemplateSpec:
    """A pod template with its spec defaulted as the apiserver stores it."""
    return replace(template, spec=default_template_pod_spec(template.spec))


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def default_deployment(d: Deployment) -> Deployment:
    """replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600."""
    spec = d.spec
    strategy = spec.strategy or DeploymentStrategy()
    if not strategy.type:
        strategy = replace(strategy, type="RollingUpdate")
    if strategy.type == "RollingUpdate":
        rolling = strategy.rolling_update or RollingUpdateDeployment()
        rolling = replace(rolling, max_unavailable=_or(rolling.max_unavailable, DEFAULT_MAX_UNAVAILABLE_PERCENT),
                          max_surge=_or(rolling.max_surge, DEFAULT_MAX_SURGE_PERCENT))
        strategy = replace(strategy, rolling_update=rolling)
    spec = replace(
        spec,
        replicas=_or(spec.replicas, 1),
        strategy=strategy,
        revision_history_limit=_or(spec.revision_history_limit, DEFAULT_REVISION_HISTORY_LIMIT),
        progress_deadline_seconds=_or(spec.progress_deadline_seconds, DEFAULT_PROGRESS_DEADLINE_SECONDS),
        template=default_pod_template(spec.template),
    )
    return replace(d, spec=spec)


def default_replica_set(rs: ReplicaSet) -> ReplicaSet:
    """replicas 1 and the template defaults."""
    spec = replace(rs.spec, replicas=_or(rs.spec.replicas, 1), template=default_pod_template(rs.spec.template))
    return replace(rs, spec=spec)


def default_stateful_set(sts: StatefulSet) -> StatefulSet:
    """OrderedReady, RollingUpdate with partition 0, Retain/Retain, replicas 1, revisionHistoryLimit 10."""
    spec = sts.spec
    strategy = spec.update_strategy or StatefulSetUpdateStrategy()
    if not strategy.type:
        # Only a defaulted type brings an empty rollingUpdate along; an explicit RollingUpdate keeps nil.
        strategy = replace(strategy, type="RollingUpdate",
                           rolling_update=strategy.rolling_update if strategy.rolling_update is not None else {})
    if strategy.type == "RollingUpdate" and strategy.rolling_update is not None:
        if strategy.rolling_update.get("partition") is None:
            strategy = replace(strategy, rolling_update={**strategy.rolling_update, "partition": 0})
    policy = dict(spec.persistent_volume_claim_retention_policy or {})
    policy["whenDeleted"] = policy.get("whenDeleted") or "Retain"
    policy["whenScaled"] = policy.get("whenScaled") or "Retain"
    spec = replace(
        spec,
        pod_management_policy=spec.pod_management_policy or "OrderedReady",
        update_strategy=strategy,
        persistent_volume_claim_retention_policy=policy,
        replicas=_or(spec.replicas, 1),
        revision_history_limit=_or(spec.revision_history_limit, DEFAULT_REVISION_HISTORY_LIMIT),
        template=default_pod_template(spec.template),
    )
    return replace(sts, spec=spec)


def default_daemon_set(ds: DaemonSet) -> DaemonSet:
    """RollingUpdate with maxUnavailable 1 / maxSurge 0, revisionHistoryLimit 10."""
    spec = ds.spec
    strategy = spec.update_strategy or DaemonSetUpdateStrategy()
    if not strategy.type:
        strategy = replace(strategy, type="RollingUpdate")
    if strategy.type == "RollingUpdate":
        rolling = dict(strategy.rolling_update or {})
        if rolling.get("maxUnavailable") is None:
            rolling["maxUnavailable"] = 1
        if rolling.get("maxSurge") is None:
            rolling["maxSurge"] = 0
        strategy = replace(strategy, rolling_update=rolling)
    spec = replace(
        spec,
        update_strategy=strategy,
        revision_history_limit=_or(spec.revision_history_limit, DEFAULT_REVISION_HISTORY_LIMIT),
        template=default_pod_template(spec.template),
    )
    return replace(ds, spec=spec)


register_defaulter(Deployment, default_deployment)
register_defaulter(ReplicaSet, default_replica_set)
register_defaulter(StatefulSet, default_stateful_set)
register_defaulter(DaemonSet, default_daemon_set)

# PrepareForCreate of every apps strategy: a manifest's status is never taken as is.
register_create_preparer(Deployment, lambda d: replace(d, status=DeploymentStatus()))
register_create_preparer(ReplicaSet, lambda rs: replace(rs, status=ReplicaSetStatus()))
register_create_preparer(StatefulSet, lambda sts: replace(sts, status=StatefulSetStatus()))
register_create_preparer(DaemonSet, lambda ds: replace(ds, status=DaemonSetStatus()))
