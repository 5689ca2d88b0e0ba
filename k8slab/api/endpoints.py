"""The Endpoints kind (core/v1): a Service's addresses, as the endpoints controller or a learner writes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Optional, Tuple

from k8slab.api.codec import json_field
from k8slab.api.kinds import KindInfo, register
from k8slab.api.meta import ObjectMeta


@dataclass(frozen=True)
class ObjectReference:
    """v1.ObjectReference (as used in targetRef)."""

    kind: Optional[str] = None
    namespace: Optional[str] = None
    name: Optional[str] = None
    uid: Optional[str] = None
    api_version: Optional[str] = None
    resource_version: Optional[str] = None
    field_path: Optional[str] = None


@dataclass(frozen=True)
class EndpointAddress:
    """v1.EndpointAddress."""

    ip: str = json_field("", always=True)
    hostname: Optional[str] = None
    node_name: Optional[str] = None
    target_ref: Optional[ObjectReference] = None


@dataclass(frozen=True)
class EndpointPort:
    """v1.EndpointPort (core)."""

    name: Optional[str] = None
    port: int = json_field(0, always=True)
    protocol: Optional[str] = None
    app_protocol: Optional[str] = None


@dataclass(frozen=True)
class EndpointSubset:
    """v1.EndpointSubset."""

    addresses: Tuple[EndpointAddress, ...] = ()
    not_ready_addresses: Tuple[EndpointAddress, ...] = ()
    ports: Tuple[EndpointPort, ...] = ()


@dataclass(frozen=True)
class Endpoints:
    """v1.Endpoints."""

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "Endpoints"

    metadata: ObjectMeta = json_field(factory=ObjectMeta)
    subsets: Tuple[EndpointSubset, ...] = ()


ENDPOINTS = register(KindInfo(kind="Endpoints", api_version="v1", plural="endpoints", singular="endpoints",
                              short_names=("ep",), namespaced=True, cls=Endpoints))
