"""All API object classes in one import: `from k8slab.api.objects import Pod, Node, Namespace`."""

from __future__ import annotations

from k8slab.api.meta import ObjectMeta, new_meta
from k8slab.api.namespace import Namespace, NamespaceSpec, NamespaceStatus
from k8slab.api.node import (
    Node,
    NodeAddress,
    NodeCondition,
    NodeSpec,
    NodeStatus,
    NodeSystemInfo,
    Taint,
    node_internal_ip,
    node_is_ready,
)
from k8slab.api.pod import (
    Container,
    ContainerPort,
    ContainerState,
    ContainerStateRunning,
    ContainerStateTerminated,
    ContainerStateWaiting,
    ContainerStatus,
    EnvVar,
    HostAlias,
    HostIP,
    Pod,
    PodCondition,
    PodDNSConfig,
    PodDNSConfigOption,
    PodIP,
    PodSpec,
    PodStatus,
    Probe,
    pod_condition,
    pod_is_ready,
    pod_is_terminal,
)

__all__ = [
    "ObjectMeta", "new_meta",
    "Namespace", "NamespaceSpec", "NamespaceStatus",
    "Node", "NodeAddress", "NodeCondition", "NodeSpec", "NodeStatus", "NodeSystemInfo", "Taint",
    "node_internal_ip", "node_is_ready",
    "Container", "ContainerPort", "ContainerState", "ContainerStateRunning",
    "ContainerStateTerminated", "ContainerStateWaiting", "ContainerStatus", "EnvVar", "HostAlias",
    "HostIP", "Pod", "PodCondition", "PodDNSConfig", "PodDNSConfigOption", "PodIP", "PodSpec",
    "PodStatus", "Probe", "pod_condition", "pod_is_ready", "pod_is_terminal",
]
