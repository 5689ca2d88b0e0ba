"""The Node kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Dict, Optional, Tuple

from k8slab.api.codec import json_field
from k8slab.api.kinds import KindInfo, register
from k8slab.api.meta import ObjectMeta


@dataclass(frozen=True)
class Taint:
    """v1.Taint."""

    key: str = json_field("", always=True)
    value: Optional[str] = None
    effect: str = json_field("", always=True)
    time_added: Optional[datetime] = None


@dataclass(frozen=True)
class NodeSpec:
    """v1.NodeSpec."""

    pod_cidr: Optional[str] = json_field(json="podCIDR")
    pod_cidrs: Tuple[str, ...] = json_field((), json="podCIDRs")
    provider_id: Optional[str] = json_field(json="providerID")
    unschedulable: Optional[bool] = json_field(omitempty=True)
    taints: Tuple[Taint, ...] = ()
    config_source: Optional[Dict[str, Any]] = json_field(go="v1.NodeConfigSource")
    external_id: Optional[str] = json_field(json="externalID")


@dataclass(frozen=True)
class NodeCondition:
    """v1.NodeCondition."""

    type: str = json_field("", always=True)
    status: str = json_field("", always=True)
    last_heartbeat_time: Optional[datetime] = None
    last_transition_time: Optional[datetime] = None
    reason: Optional[str] = None
    message: Optional[str] = None


@dataclass(frozen=True)
class NodeAddress:
    """v1.NodeAddress: `InternalIP`, `ExternalIP`, `Hostname`."""

    type: str = json_field("", always=True)
    address: str = json_field("", always=True)


@dataclass(frozen=True)
class NodeSystemInfo:
    """v1.NodeSystemInfo (every field is always emitted, as in Go)."""

    machine_id: str = json_field("", json="machineID", always=True)
    system_uuid: str = json_field("", json="systemUUID", always=True)
    boot_id: str = json_field("", json="bootID", always=True)
    kernel_version: str = json_field("", always=True)
    os_image: str = json_field("", always=True)
    container_runtime_version: str = json_field("", always=True)
    kubelet_version: str = json_field("", always=True)
    kube_proxy_version: str = json_field("", always=True)
    operating_system: str = json_field("", always=True)
    architecture: str = json_field("", always=True)
    swap: Optional[Dict[str, Any]] = json_field(go="v1.NodeSwapStatus")


@dataclass(frozen=True)
class NodeStatus:
    """v1.NodeStatus."""

    capacity: Dict[str, str] = json_field(factory=dict, quantities=True, go="v1.ResourceList")
    allocatable: Dict[str, str] = json_field(factory=dict, quantities=True, go="v1.ResourceList")
    phase: Optional[str] = None
    conditions: Tuple[NodeCondition, ...] = ()
    addresses: Tuple[NodeAddress, ...] = ()
    daemon_endpoints: Optional[Dict[str, Any]] = json_field(go="v1.NodeDaemonEndpoints")
    node_info: Optional[NodeSystemInfo] = None
    images: Tuple[Dict[str, Any], ...] = json_field((), go="[]v1.ContainerImage")
    volumes_in_use: Tuple[str, ...] = ()
    volumes_attached: Tuple[Dict[str, Any], ...] = json_field((), go="[]v1.AttachedVolume")
    config: Optional[Dict[str, Any]] = json_field(go="v1.NodeConfigStatus")
    runtime_handlers: Tuple[Dict[str, Any], ...] = json_field((), go="[]v1.NodeRuntimeHandler")
    features: Optional[Dict[str, Any]] = json_field(go="v1.NodeFeatures")


@dataclass(frozen=True)
class Node:
    """v1.Node."""

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "Node"

    metadata: ObjectMeta = json_field(factory=ObjectMeta)
    spec: NodeSpec = json_field(factory=NodeSpec)
    status: NodeStatus = json_field(factory=NodeStatus)


def node_is_ready(node: Node) -> bool:
    """True when the node's Ready condition is True."""
    return any(c.type == "Ready" and c.status == "True" for c in node.status.conditions)


def node_internal_ip(node: Node) -> Optional[str]:
    """The node's first InternalIP address, if any."""
    for address in node.status.addresses:
        if address.type == "InternalIP":
            return address.address
    return None


NODE = register(
    KindInfo(
        kind="Node",
        api_version="v1",
        plural="nodes",
        singular="node",
        short_names=("no",),
        namespaced=False,
        cls=Node,
    )
)
