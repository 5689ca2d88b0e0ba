"""The Pod kind: spec fields real manifests use, and the status the kubelet reports.

Fields k8slab does not act on (volumes, affinity, resources...) are kept as opaque JSON so that real
manifests still apply unchanged and show up again in `get -o yaml`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Dict, Optional, Tuple

from k8slab.api.codec import json_field
from k8slab.api.kinds import KindInfo, register
from k8slab.api.meta import ObjectMeta, pod_condition, pod_is_ready  # noqa: F401 (re-exported)

Json = Dict[str, Any]


@dataclass(frozen=True)
class ContainerPort:
    """v1.ContainerPort."""

    name: Optional[str] = None
    host_port: Optional[int] = json_field(omitempty=True)
    container_port: int = json_field(0, always=True)
    protocol: Optional[str] = None
    host_ip: Optional[str] = json_field(json="hostIP")


@dataclass(frozen=True)
class EnvVar:
    """v1.EnvVar (valueFrom kept opaque)."""

    name: str = json_field("", always=True)
    value: Optional[str] = json_field(omitempty=True)
    value_from: Optional[Json] = json_field(go="v1.EnvVarSource")


@dataclass(frozen=True)
class Probe:
    """v1.Probe with its handler inlined, as in the JSON form."""

    exec: Optional[Json] = json_field(go="v1.ExecAction")
    http_get: Optional[Json] = json_field(json="httpGet", go="v1.HTTPGetAction")
    tcp_socket: Optional[Json] = json_field(json="tcpSocket", go="v1.TCPSocketAction")
    grpc: Optional[Json] = json_field(go="v1.GRPCAction")
    initial_delay_seconds: Optional[int] = json_field(omitempty=True)
    timeout_seconds: Optional[int] = json_field(omitempty=True)
    period_seconds: Optional[int] = json_field(omitempty=True)
    success_threshold: Optional[int] = json_field(omitempty=True)
    failure_threshold: Optional[int] = json_field(omitempty=True)
    termination_grace_period_seconds: Optional[int] = json_field(go="int64")


@dataclass(frozen=True)
class Container:
    """v1.Container (also used for init containers)."""

    name: str = json_field("", always=True)
    image: Optional[str] = None
    command: Tuple[str, ...] = ()
    args: Tuple[str, ...] = ()
    working_dir: Optional[str] = None
    ports: Tuple[ContainerPort, ...] = ()
    env_from: Tuple[Json, ...] = json_field((), go="[]v1.EnvFromSource")
    env: Tuple[EnvVar, ...] = ()
    resources: Optional[Json] = json_field(go="v1.ResourceRequirements")
    resize_policy: Tuple[Json, ...] = json_field((), go="[]v1.ContainerResizePolicy")
    restart_policy: Optional[str] = None
    volume_mounts: Tuple[Json, ...] = json_field((), go="[]v1.VolumeMount")
    volume_devices: Tuple[Json, ...] = json_field((), go="[]v1.VolumeDevice")
    liveness_probe: Optional[Probe] = None
    readiness_probe: Optional[Probe] = None
    startup_probe: Optional[Probe] = None
    lifecycle: Optional[Json] = json_field(go="v1.Lifecycle")
    termination_message_path: Optional[str] = None
    termination_message_policy: Optional[str] = None
    image_pull_policy: Optional[str] = None
    security_context: Optional[Json] = json_field(go="v1.SecurityContext")
    stdin: Optional[bool] = json_field(omitempty=True)
    stdin_once: Optional[bool] = json_field(omitempty=True)
    tty: Optional[bool] = json_field(omitempty=True)


@dataclass(frozen=True)
class PodDNSConfigOption:
    """v1.PodDNSConfigOption."""

    name: Optional[str] = None
    value: Optional[str] = None


@dataclass(frozen=True)
class PodDNSConfig:
    """v1.PodDNSConfig."""

    nameservers: Tuple[str, ...] = ()
    searches: Tuple[str, ...] = ()
    options: Tuple[PodDNSConfigOption, ...] = ()


@dataclass(frozen=True)
class HostAlias:
    """v1.HostAlias: extra /etc/hosts lines."""

    ip: str = json_field("", always=True)
    hostnames: Tuple[str, ...] = ()


@dataclass(frozen=True)
class PodSpec:
    """v1.PodSpec."""

    volumes: Tuple[Json, ...] = json_field((), go="[]v1.Volume")
    init_containers: Tuple[Container, ...] = ()
    containers: Tuple[Container, ...] = ()
    ephemeral_containers: Tuple[Json, ...] = json_field((), go="[]v1.EphemeralContainer")
    restart_policy: Optional[str] = None
    termination_grace_period_seconds: Optional[int] = json_field(go="int64")
    active_deadline_seconds: Optional[int] = json_field(go="int64")
    dns_policy: Optional[str] = None
    node_selector: Dict[str, str] = json_field(factory=dict)
    service_account_name: Optional[str] = None
    service_account: Optional[str] = None
    automount_service_account_token: Optional[bool] = None
    node_name: Optional[str] = None
    host_network: Optional[bool] = json_field(omitempty=True)
    host_pid: Optional[bool] = json_field(json="hostPID", omitempty=True)
    host_ipc: Optional[bool] = json_field(json="hostIPC", omitempty=True)
    share_process_namespace: Optional[bool] = None
    security_context: Optional[Json] = json_field(go="v1.PodSecurityContext")
    image_pull_secrets: Tuple[Json, ...] = json_field((), go="[]v1.LocalObjectReference")
    hostname: Optional[str] = None
    subdomain: Optional[str] = None
    affinity: Optional[Json] = json_field(go="v1.Affinity")
    scheduler_name: Optional[str] = None
    tolerations: Tuple[Json, ...] = json_field((), go="[]v1.Toleration")
    host_aliases: Tuple[HostAlias, ...] = ()
    priority_class_name: Optional[str] = None
    priority: Optional[int] = None
    dns_config: Optional[PodDNSConfig] = None
    readiness_gates: Tuple[Json, ...] = json_field((), go="[]v1.PodReadinessGate")
    runtime_class_name: Optional[str] = None
    enable_service_links: Optional[bool] = None
    preemption_policy: Optional[str] = None
    overhead: Dict[str, str] = json_field(factory=dict, quantities=True, go="v1.ResourceList")
    topology_spread_constraints: Tuple[Json, ...] = json_field((), go="[]v1.TopologySpreadConstraint")
    set_hostname_as_fqdn: Optional[bool] = json_field(json="setHostnameAsFQDN")
    os: Optional[Json] = json_field(go="v1.PodOS")
    host_users: Optional[bool] = None
    scheduling_gates: Tuple[Json, ...] = json_field((), go="[]v1.PodSchedulingGate")
    resource_claims: Tuple[Json, ...] = json_field((), go="[]v1.PodResourceClaim")
    resources: Optional[Json] = json_field(go="v1.ResourceRequirements")


@dataclass(frozen=True)
class PodCondition:
    """v1.PodCondition: PodScheduled, Initialized, ContainersReady, Ready..."""

    type: str = json_field("", always=True)
    status: str = json_field("", always=True)
    last_probe_time: Optional[datetime] = None
    last_transition_time: Optional[datetime] = None
    reason: Optional[str] = None
    message: Optional[str] = None


@dataclass(frozen=True)
class HostIP:
    """v1.HostIP."""

    ip: str = json_field("", always=True)


@dataclass(frozen=True)
class PodIP:
    """v1.PodIP."""

    ip: str = json_field("", always=True)


@dataclass(frozen=True)
class ContainerStateWaiting:
    """v1.ContainerStateWaiting: ContainerCreating, CrashLoopBackOff, ErrImagePull..."""

    reason: Optional[str] = None
    message: Optional[str] = None


@dataclass(frozen=True)
class ContainerStateRunning:
    """v1.ContainerStateRunning."""

    started_at: Optional[datetime] = None


@dataclass(frozen=True)
class ContainerStateTerminated:
    """v1.ContainerStateTerminated."""

    exit_code: int = json_field(0, always=True)
    signal: Optional[int] = json_field(omitempty=True)
    reason: Optional[str] = None
    message: Optional[str] = None
    started_at: Optional[datetime] = None
    finished_at: Optional[datetime] = None
    container_id: Optional[str] = json_field(json="containerID")


@dataclass(frozen=True)
class ContainerState:
    """v1.ContainerState: at most one of waiting/running/terminated is set."""

    waiting: Optional[ContainerStateWaiting] = None
    running: Optional[ContainerStateRunning] = None
    terminated: Optional[ContainerStateTerminated] = None


@dataclass(frozen=True)
class ContainerStatus:
    """v1.ContainerStatus."""

    name: str = json_field("", always=True)
    state: ContainerState = json_field(factory=ContainerState, always=True)
    last_state: ContainerState = json_field(factory=ContainerState, always=True)
    ready: bool = json_field(False, always=True)
    restart_count: int = json_field(0, always=True)
    image: str = json_field("", always=True)
    image_id: str = json_field("", json="imageID", always=True)
    container_id: Optional[str] = json_field(json="containerID")
    started: Optional[bool] = None


@dataclass(frozen=True)
class PodStatus:
    """v1.PodStatus."""

    phase: Optional[str] = None
    conditions: Tuple[PodCondition, ...] = ()
    message: Optional[str] = None
    reason: Optional[str] = None
    nominated_node_name: Optional[str] = None
    host_ip: Optional[str] = json_field(json="hostIP")
    host_ips: Tuple[HostIP, ...] = json_field((), json="hostIPs")
    pod_ip: Optional[str] = json_field(json="podIP")
    pod_ips: Tuple[PodIP, ...] = json_field((), json="podIPs")
    start_time: Optional[datetime] = None
    init_container_statuses: Tuple[ContainerStatus, ...] = ()
    container_statuses: Tuple[ContainerStatus, ...] = ()
    qos_class: Optional[str] = None
    ephemeral_container_statuses: Tuple[Json, ...] = json_field((), go="[]v1.ContainerStatus")


@dataclass(frozen=True)
class Pod:
    """v1.Pod."""

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "Pod"

    metadata: ObjectMeta = json_field(factory=ObjectMeta)
    spec: PodSpec = json_field(factory=PodSpec)
    status: PodStatus = json_field(factory=PodStatus)


def pod_is_terminal(pod: Pod) -> bool:
    """True when the pod has Succeeded or Failed and will never run again."""
    return pod.status.phase in ("Succeeded", "Failed")


POD = register(
    KindInfo(
        kind="Pod",
        api_version="v1",
        plural="pods",
        singular="pod",
        short_names=("po",),
        namespaced=True,
        cls=Pod,
    )
)
