"""The apps/v1 workload kinds: Deployment, ReplicaSet, StatefulSet, DaemonSet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Dict, Optional, Tuple

from k8slab.api.codec import json_field
from k8slab.api.kinds import KindInfo, register
from k8slab.api.meta import ObjectMeta
from k8slab.api.pod import PodSpec

Json = Dict[str, Any]


@dataclass(frozen=True)
class LabelSelector:
    """metav1.LabelSelector."""

    match_labels: Dict[str, str] = json_field(factory=dict)
    match_expressions: Tuple[Json, ...] = json_field((), go="[]v1.LabelSelectorRequirement")


@dataclass(frozen=True)
class PodTemplateSpec:
    """v1.PodTemplateSpec."""

    metadata: ObjectMeta = json_field(factory=ObjectMeta)
    spec: PodSpec = json_field(factory=PodSpec)


@dataclass(frozen=True)
class RollingUpdateDeployment:
    """maxSurge / maxUnavailable: an int or a percentage string."""

    max_unavailable: Any = json_field(go="intstr.IntOrString")
    max_surge: Any = json_field(go="intstr.IntOrString")


@dataclass(frozen=True)
class DeploymentStrategy:
    """apps/v1 DeploymentStrategy."""

    type: Optional[str] = None
    rolling_update: Optional[RollingUpdateDeployment] = None


@dataclass(frozen=True)
class DeploymentSpec:
    """apps/v1 DeploymentSpec."""

    replicas: Optional[int] = None
    selector: Optional[LabelSelector] = None
    template: PodTemplateSpec = json_field(factory=PodTemplateSpec, always=True)
    strategy: Optional[DeploymentStrategy] = None
    min_ready_seconds: Optional[int] = json_field(omitempty=True)
    revision_history_limit: Optional[int] = None
    paused: Optional[bool] = json_field(omitempty=True)
    progress_deadline_seconds: Optional[int] = None


@dataclass(frozen=True)
class DeploymentStatus:
    """apps/v1 DeploymentStatus."""

    observed_generation: Optional[int] = json_field(go="int64", omitempty=True)
    replicas: Optional[int] = json_field(omitempty=True)
    updated_replicas: Optional[int] = json_field(omitempty=True)
    ready_replicas: Optional[int] = json_field(omitempty=True)
    available_replicas: Optional[int] = json_field(omitempty=True)
    unavailable_replicas: Optional[int] = json_field(omitempty=True)
    terminating_replicas: Optional[int] = None
    conditions: Tuple[Json, ...] = json_field((), go="[]v1.DeploymentCondition")
    collision_count: Optional[int] = None


@dataclass(frozen=True)
class Deployment:
    """apps/v1 Deployment."""

    api_version: ClassVar[str] = "apps/v1"
    kind: ClassVar[str] = "Deployment"

    metadata: ObjectMeta = json_field(factory=ObjectMeta)
    spec: DeploymentSpec = json_field(factory=DeploymentSpec)
    status: DeploymentStatus = json_field(factory=DeploymentStatus)


@dataclass(frozen=True)
class ReplicaSetSpec:
    """apps/v1 ReplicaSetSpec."""

    replicas: Optional[int] = None
    min_ready_seconds: Optional[int] = json_field(omitempty=True)
    selector: Optional[LabelSelector] = None
    template: PodTemplateSpec = json_field(factory=PodTemplateSpec)


@dataclass(frozen=True)
class ReplicaSetStatus:
    """apps/v1 ReplicaSetStatus."""

    replicas: int = json_field(0, always=True)
    fully_labeled_replicas: Optional[int] = json_field(omitempty=True)
    ready_replicas: Optional[int] = json_field(omitempty=True)
    available_replicas: Optional[int] = json_field(omitempty=True)
    terminating_replicas: Optional[int] = None
    observed_generation: Optional[int] = json_field(go="int64", omitempty=True)
    conditions: Tuple[Json, ...] = json_field((), go="[]v1.ReplicaSetCondition")


@dataclass(frozen=True)
class ReplicaSet:
    """apps/v1 ReplicaSet."""

    api_version: ClassVar[str] = "apps/v1"
    kind: ClassVar[str] = "ReplicaSet"

    metadata: ObjectMeta = json_field(factory=ObjectMeta)
    spec: ReplicaSetSpec = json_field(factory=ReplicaSetSpec)
    status: ReplicaSetStatus = json_field(factory=ReplicaSetStatus)


@dataclass(frozen=True)
class StatefulSetUpdateStrategy:
    """apps/v1 StatefulSetUpdateStrategy (rollingUpdate kept as JSON)."""

    type: Optional[str] = None
    rolling_update: Optional[Json] = json_field(go="v1.RollingUpdateStatefulSetStrategy")


@dataclass(frozen=True)
class StatefulSetSpec:
    """apps/v1 StatefulSetSpec."""

    replicas: Optional[int] = None
    selector: Optional[LabelSelector] = None
    template: PodTemplateSpec = json_field(factory=PodTemplateSpec, always=True)
    volume_claim_templates: Tuple[Json, ...] = json_field((), go="[]v1.PersistentVolumeClaim")
    service_name: Optional[str] = None
    pod_management_policy: Optional[str] = None
    update_strategy: Optional[StatefulSetUpdateStrategy] = None
    revision_history_limit: Optional[int] = None
    min_ready_seconds: Optional[int] = json_field(omitempty=True)
    persistent_volume_claim_retention_policy: Optional[Json] = json_field(
        go="v1.StatefulSetPersistentVolumeClaimRetentionPolicy")
    ordinals: Optional[Json] = json_field(go="v1.StatefulSetOrdinals")


@dataclass(frozen=True)
class StatefulSetStatus:
    """apps/v1 StatefulSetStatus."""

    observed_generation: Optional[int] = json_field(go="int64", omitempty=True)
    replicas: int = json_field(0, always=True)
    ready_replicas: Optional[int] = json_field(omitempty=True)
    current_replicas: Optional[int] = json_field(omitempty=True)
    updated_replicas: Optional[int] = json_field(omitempty=True)
    current_revision: Optional[str] = None
    update_revision: Optional[str] = None
    collision_count: Optional[int] = None
    conditions: Tuple[Json, ...] = json_field((), go="[]v1.StatefulSetCondition")
    available_replicas: Optional[int] = json_field(0, always=True)


@dataclass(frozen=True)
class StatefulSet:
    """apps/v1 StatefulSet."""

    api_version: ClassVar[str] = "apps/v1"
    kind: ClassVar[str] = "StatefulSet"

    metadata: ObjectMeta = json_field(factory=ObjectMeta)
    spec: StatefulSetSpec = json_field(factory=StatefulSetSpec)
    status: StatefulSetStatus = json_field(factory=StatefulSetStatus)


@dataclass(frozen=True)
class DaemonSetUpdateStrategy:
    """apps/v1 DaemonSetUpdateStrategy (rollingUpdate kept as JSON)."""

    type: Optional[str] = None
    rolling_update: Optional[Json] = json_field(go="v1.RollingUpdateDaemonSet")


@dataclass(frozen=True)
class DaemonSetSpec:
    """apps/v1 DaemonSetSpec."""

    selector: Optional[LabelSelector] = None
    template: PodTemplateSpec = json_field(factory=PodTemplateSpec, always=True)
    update_strategy: Optional[DaemonSetUpdateStrategy] = None
    min_ready_seconds: Optional[int] = json_field(omitempty=True)
    revision_history_limit: Optional[int] = None


@dataclass(frozen=True)
class DaemonSetStatus:
    """apps/v1 DaemonSetStatus (the four counts are always present, as the API returns them)."""

    current_number_scheduled: int = json_field(0, always=True)
    number_misscheduled: int = json_field(0, always=True)
    desired_number_scheduled: int = json_field(0, always=True)
    number_ready: int = json_field(0, always=True)
    observed_generation: Optional[int] = json_field(go="int64", omitempty=True)
    updated_number_scheduled: Optional[int] = json_field(omitempty=True)
    number_available: Optional[int] = json_field(omitempty=True)
    number_unavailable: Optional[int] = json_field(omitempty=True)
    collision_count: Optional[int] = None
    conditions: Tuple[Json, ...] = json_field((), go="[]v1.DaemonSetCondition")


@dataclass(frozen=True)
class DaemonSet:
    """apps/v1 DaemonSet."""

    api_version: ClassVar[str] = "apps/v1"
    kind: ClassVar[str] = "DaemonSet"

    metadata: ObjectMeta = json_field(factory=ObjectMeta)
    spec: DaemonSetSpec = json_field(factory=DaemonSetSpec)
    status: DaemonSetStatus = json_field(factory=DaemonSetStatus)


DEPLOYMENT = register(KindInfo(kind="Deployment", api_version="apps/v1", plural="deployments", singular="deployment",
                               short_names=("deploy",), namespaced=True, cls=Deployment))
REPLICA_SET = register(KindInfo(kind="ReplicaSet", api_version="apps/v1", plural="replicasets", singular="replicaset",
                                short_names=("rs",), namespaced=True, cls=ReplicaSet))
STATEFUL_SET = register(KindInfo(kind="StatefulSet", api_version="apps/v1", plural="statefulsets",
                                 singular="statefulset", short_names=("sts",), namespaced=True, cls=StatefulSet))
DAEMON_SET = register(KindInfo(kind="DaemonSet", api_version="apps/v1", plural="daemonsets", singular="daemonset",
                               short_names=("ds",), namespaced=True, cls=DaemonSet))
