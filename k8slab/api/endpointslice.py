"""The EndpointSlice kind (discovery.k8s.io/v1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Dict, Optional, Tuple

from k8slab.api.codec import json_field
from k8slab.api.endpoints import ObjectReference
from k8slab.api.kinds import KindInfo, register
from k8slab.api.meta import ObjectMeta

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
SLICE_CONTROLLER = "endpointslice-controller.k8s.io"
MIRRORING_CONTROLLER = "endpointslicemirroring-controller.k8s.io"


@dataclass(frozen=True)
class EndpointConditions:
    """discovery/v1 EndpointConditions: nil `ready` means ready."""

    ready: Optional[bool] = None
    serving: Optional[bool] = None
    terminating: Optional[bool] = None


@dataclass(frozen=True)
class Endpoint:
    """discovery/v1 Endpoint."""

    addresses: Tuple[str, ...] = json_field((), always=True)
    conditions: EndpointConditions = json_field(factory=EndpointConditions, always=True)
    hostname: Optional[str] = None
    target_ref: Optional[ObjectReference] = None
    deprecated_topology: Dict[str, str] = json_field(factory=dict)
    node_name: Optional[str] = None
    zone: Optional[str] = None
    hints: Optional[Dict[str, Any]] = json_field(go="v1.EndpointHints")


@dataclass(frozen=True)
class EndpointSlicePort:
    """discovery/v1 EndpointPort (every field optional)."""

    name: Optional[str] = None
    protocol: Optional[str] = None
    port: Optional[int] = None
    app_protocol: Optional[str] = None


@dataclass(frozen=True)
class EndpointSlice:
    """discovery.k8s.io/v1 EndpointSlice (`endpoints` is emitted even when empty, as the API does)."""

    api_version: ClassVar[str] = "discovery.k8s.io/v1"
    kind: ClassVar[str] = "EndpointSlice"

    metadata: ObjectMeta = json_field(factory=ObjectMeta)
    address_type: str = json_field("", always=True)
    endpoints: Tuple[Endpoint, ...] = json_field((), always=True)
    ports: Tuple[EndpointSlicePort, ...] = json_field((), always=True)


def endpoint_ready(ep: Endpoint) -> bool:
    """Ready unless the condition says otherwise (nil means ready)."""
    return ep.conditions.ready is not False


ENDPOINT_SLICE = register(KindInfo(kind="EndpointSlice", api_version="discovery.k8s.io/v1",
                                   plural="endpointslices", singular="endpointslice", short_names=(),
                                   namespaced=True, cls=EndpointSlice))
