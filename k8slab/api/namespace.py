"""The Namespace kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Dict, Optional, Tuple

from k8slab.api.codec import json_field
from k8slab.api.kinds import KindInfo, register
from k8slab.api.meta import ObjectMeta


@dataclass(frozen=True)
class NamespaceSpec:
    """v1.NamespaceSpec."""

    finalizers: Tuple[str, ...] = json_field((), go="[]v1.FinalizerName")


@dataclass(frozen=True)
class NamespaceStatus:
    """v1.NamespaceStatus: `Active` or `Terminating`."""

    phase: Optional[str] = None
    conditions: Tuple[Dict[str, Any], ...] = json_field((), go="[]v1.NamespaceCondition")


@dataclass(frozen=True)
class Namespace:
    """v1.Namespace."""

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "Namespace"
    # The namespace strategy never sets metadata.generation, unlike most kinds with a spec.
    tracks_generation: ClassVar[bool] = False

    metadata: ObjectMeta = json_field(factory=ObjectMeta)
    spec: NamespaceSpec = json_field(factory=NamespaceSpec)
    status: NamespaceStatus = json_field(factory=NamespaceStatus)


NAMESPACE = register(
    KindInfo(
        kind="Namespace",
        api_version="v1",
        plural="namespaces",
        singular="namespace",
        short_names=("ns",),
        namespaced=False,
        cls=Namespace,
    )
)
