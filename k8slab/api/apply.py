"""`kubectl apply` semantics: create, or merge the manifest into the live object (three-way).

kubectl keeps the last manifest it applied in an annotation. An update sets every field the new
manifest names, removes fields that the previous manifest named and the new one drops, and keeps
what others set (the scheduler's nodeName, defaults, status).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Dict, Optional, Tuple

from k8slab.api import kinds
from k8slab.api.codec import from_dict, to_dict
from k8slab.api.yamlio import decode_manifest

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def applied_configuration(manifest: Dict[str, Any]) -> str:
    """The annotation's value: the manifest as compact JSON with sorted keys, as kubectl writes it."""
    return json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n"


def three_way(last: Optional[Dict[str, Any]], new: Dict[str, Any], live: Dict[str, Any]) -> Dict[str, Any]:
    """Merge `new` into `live`, deleting what `last` had and `new` no longer has (lists replace)."""
    out = dict(live)
    for key in (last or {}):
        if key not in new:
            out.pop(key, None)
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            prev = (last or {}).get(key)
            out[key] = three_way(prev if isinstance(prev, dict) else None, value, out[key])
        else:
            out[key] = value
    return out


def apply_manifest(store, manifest: Dict[str, Any], source: str, namespace: str) -> Tuple[str, Any]:
    """Create or update one object; return ("created" | "configured" | "unchanged", object)."""
    obj = decode_manifest(manifest, source)
    info = kinds.for_object(obj)
    ns = (obj.metadata.namespace or namespace) if info.namespaced else None
    config = applied_configuration(manifest)
    annotations = {**obj.metadata.annotations, LAST_APPLIED: config}
    current = store.try_get(info.kind, obj.metadata.name, ns) if obj.metadata.name else None
    if current is None:
        created = store.create(replace(obj, metadata=replace(obj.metadata, annotations=annotations)),
                               namespace=ns)
        return "created", created
    last_text = current.metadata.annotations.get(LAST_APPLIED)
    last = json.loads(last_text) if last_text else None
    desired = dict(manifest)
    desired["metadata"] = {**(manifest.get("metadata") or {}), "annotations": annotations}
    live = to_dict(current)
    live.pop("status", None)
    merged = three_way(last, desired, live)
    updated_obj = from_dict(info.cls, merged)
    if hasattr(current, "status"):
        updated_obj = replace(updated_obj, status=current.status)
    updated = store.update(updated_obj)
    changed = updated.metadata.resource_version != current.metadata.resource_version
    return ("configured" if changed else "unchanged"), updated


def create_manifest(store, manifest: Dict[str, Any], source: str, namespace: str) -> Any:
    """`kubectl create -f`: create one object (AlreadyExists if it is there)."""
    obj = decode_manifest(manifest, source)
    info = kinds.for_object(obj)
    ns = (obj.metadata.namespace or namespace) if info.namespaced else None
    return store.create(obj, namespace=ns)
