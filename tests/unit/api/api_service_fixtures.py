"""Shared builders for the Service tests: manifests, stores with deterministic allocators, errors."""

from __future__ import annotations

import random
from typing import Any, Dict, List, Optional

import pytest
import yaml

from k8slab.api.allocator import ServiceAllocator
from k8slab.api.codec import from_dict
from k8slab.api.errors import ApiError
from k8slab.api.service import Service
from k8slab.api.service_strategy import ServiceStrategy
from k8slab.api.store import Store


def manifest(name: str = "web", **spec: Any) -> Dict[str, Any]:
    """A Service manifest; `spec` keys are the JSON names (ports default to one 80/TCP port)."""
    spec.setdefault("ports", [{"port": 80}])
    if spec["ports"] is None:
        del spec["ports"]
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}


def service(name: str = "web", **spec: Any) -> Service:
    """A decoded Service (not defaulted)."""
    return from_dict(Service, manifest(name, **spec))


def from_yaml(text: str) -> Any:
    """Decode one YAML manifest into its API object."""
    from k8slab.api.yamlio import decode_manifest

    return decode_manifest(yaml.safe_load(text), "test.yaml")


def new_store(cidr: str = "10.96.0.0/12", ports: str = "30000-32767", seed: int = 7) -> Store:
    """A Store whose Service allocator is seeded (same seed, same addresses)."""
    allocator = ServiceAllocator(cidr, ports, rng=random.Random(seed))
    return Store(strategies=[ServiceStrategy(allocator)])


def allocator(store: Store) -> ServiceAllocator:
    """The store's Service allocator."""
    return store.strategy("Service").allocator


def usage(store: Store) -> tuple:
    """(ClusterIPs in use, ports in use): what a failed write must leave unchanged."""
    alloc = allocator(store)
    return alloc.ips.used, alloc.ports.used


def api_error(fn, *args, **kwargs) -> ApiError:
    """The ApiError `fn` raises."""
    with pytest.raises(ApiError) as info:
        fn(*args, **kwargs)
    return info.value


def kubectl_invalid(name: str, causes: List[str], kind: str = "Service") -> str:
    """What kubectl prints for an Invalid error with these causes."""
    head = f'The {kind} "{name}" is invalid'
    if len(causes) == 1:
        return f"{head}: {causes[0]}"
    return f"{head}: \n" + "\n".join(f"* {c}" for c in causes)


def node_ports(obj: Service) -> List[Optional[int]]:
    """The nodePort of every port, in order."""
    return [p.node_port for p in obj.spec.ports]
