"""Writing a Service's EndpointSlices: shared by the EndpointSlice and the mirroring controllers.

Both compute *groups* (a port list and its endpoints) and hand them here; this module packs them
into slices of at most 100 endpoints, reusing the slices that exist (stable names), creating the
rest with `generateName: <name>-` and deleting what is left over.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Sequence, Tuple

from k8slab.api.endpointslice import (MANAGED_BY_LABEL, SERVICE_NAME_LABEL, Endpoint, EndpointSlice,
                                      EndpointSlicePort)
from k8slab.api.meta import ObjectMeta

MAX_ENDPOINTS_PER_SLICE = 100

Group = Tuple[Tuple[EndpointSlicePort, ...], List[Endpoint]]


def chunks(endpoints: Sequence[Endpoint], size: int = MAX_ENDPOINTS_PER_SLICE) -> List[Tuple[Endpoint, ...]]:
    """Split endpoints into slices of at most `size` (an empty list still gives one empty slice)."""
    if not endpoints:
        return [()]
    return [tuple(endpoints[i:i + size]) for i in range(0, len(endpoints), size)]


def owned_slices(store, namespace: str, service: str, managed_by: str) -> List[EndpointSlice]:
    """The slices one controller manages for one Service, oldest first."""
    out = [s for s in store.list("EndpointSlice", namespace)
           if s.metadata.labels.get(SERVICE_NAME_LABEL) == service
           and s.metadata.labels.get(MANAGED_BY_LABEL) == managed_by]
    return sorted(out, key=lambda s: (s.metadata.creation_timestamp or 0, s.metadata.name))


def reconcile(store, namespace: str, service: str, managed_by: str, groups: Sequence[Group],
              labels: Dict[str, str], owner: dict, address_type: str = "IPv4") -> None:
    """Make the controller's slices for `service` hold exactly `groups`."""
    existing = owned_slices(store, namespace, service, managed_by)
    by_ports: Dict[Tuple, List[EndpointSlice]] = {}
    for s in existing:
        by_ports.setdefault(s.ports, []).append(s)
    keep = set()
    for ports, endpoints in groups:
        reusable = by_ports.get(tuple(ports), [])
        for i, chunk in enumerate(chunks(endpoints)):
            if i < len(reusable):
                current = reusable[i]
                keep.add(current.metadata.name)
                desired = replace(current, address_type=address_type, endpoints=chunk, ports=tuple(ports),
                                  metadata=replace(current.metadata, labels=labels,
                                                   owner_references=(owner,)))
                if desired != current:
                    store.update(desired)
                continue
            created = store.create(EndpointSlice(
                metadata=ObjectMeta(generate_name=f"{service}-", namespace=namespace, labels=labels,
                                    owner_references=(owner,)),
                address_type=address_type, endpoints=chunk, ports=tuple(ports)), namespace=namespace)
            keep.add(created.metadata.name)
    for s in existing:
        if s.metadata.name not in keep:
            store.delete("EndpointSlice", s.metadata.name, namespace)


def delete_all(store, namespace: str, service: str, managed_by: str) -> None:
    """Remove every slice one controller manages for a Service."""
    for s in owned_slices(store, namespace, service, managed_by):
        store.delete("EndpointSlice", s.metadata.name, namespace)


def owner_reference(obj, kind: str) -> dict:
    """A controller ownerReference to `obj`, as the controllers set it."""
    return {"apiVersion": "v1", "kind": kind, "name": obj.metadata.name, "uid": obj.metadata.uid,
            "controller": True, "blockOwnerDeletion": True}


def slice_labels(source_labels: Dict[str, str], service: str, managed_by: str, extra: Dict[str, str] = ()) -> Dict[str, str]:
    """The source's labels (minus the reserved ones) plus the standard slice labels."""
    labels = {k: v for k, v in source_labels.items() if k not in (SERVICE_NAME_LABEL, MANAGED_BY_LABEL)}
    labels.update(dict(extra))
    labels[SERVICE_NAME_LABEL] = service
    labels[MANAGED_BY_LABEL] = managed_by
    return labels
