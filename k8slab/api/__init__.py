"""The emulated apiserver: object model, YAML I/O, defaults, validation, and the store with watches.

Common names can be imported from the package itself (`from k8slab.api import Store, Pod`); they are
loaded on first use so that importing one submodule does not pull in all the others.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Store": "k8slab.api.store",
    "Watch": "k8slab.api.watch",
    "WatchEvent": "k8slab.api.watch",
    "ApiError": "k8slab.api.errors",
    "FieldError": "k8slab.api.errors",
    "KindInfo": "k8slab.api.kinds",
    "Selector": "k8slab.api.selectors",
    "format_labels": "k8slab.api.selectors",
    "to_dict": "k8slab.api.codec",
    "from_dict": "k8slab.api.codec",
    "load_manifests": "k8slab.api.yamlio",
    "decode_manifest": "k8slab.api.yamlio",
    "utc_now": "k8slab.api.meta",
    "new_meta": "k8slab.api.meta",
    "ObjectMeta": "k8slab.api.meta",
    "pod_is_ready": "k8slab.api.meta",
    "Pod": "k8slab.api.pod",
    "Node": "k8slab.api.node",
    "Namespace": "k8slab.api.namespace",
    "Service": "k8slab.api.service",
    "Endpoints": "k8slab.api.endpoints",
    "EndpointSlice": "k8slab.api.endpointslice",
    "Strategy": "k8slab.api.strategy",
    "ServiceAllocator": "k8slab.api.allocator",
    "ServiceStrategy": "k8slab.api.service_strategy",
    "kubernetes_service_objects": "k8slab.api.bootstrap",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'k8slab.api' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list:
    return sorted(list(globals()) + list(_EXPORTS))
