"""The garbage collector's cascade: objects whose controller owner is gone are deleted."""

from __future__ import annotations

from typing import Iterable

from k8slab.api.errors import ApiError
from k8slab.controllers.base import Controller, Key
from k8slab.controllers.workloads.common import controller_ref

OWNER_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")
DEPENDENT_KINDS = ("ReplicaSet", "Pod")


class GarbageCollector(Controller):
    """Background cascading deletion for the workload kinds (keys are (namespace, owner uid))."""

    name = "garbage-collector"
    kinds = tuple(sorted(set(OWNER_KINDS + DEPENDENT_KINDS)))

    def keys_for(self, event) -> Iterable[Key]:
        obj = event.obj
        ns = obj.metadata.namespace or ""
        if event.type == "DELETED" and obj.kind in OWNER_KINDS:
            return [(ns, obj.metadata.uid or "")]
        if event.type == "ADDED" and obj.kind in DEPENDENT_KINDS:
            ref = controller_ref(obj)
            if ref is not None and ref.get("kind") in OWNER_KINDS:
                return [(ns, ref.get("uid", ""))]  # an object created after its owner went (or at start-up)
        return []

    def sync(self, key: Key) -> None:
        ns, uid = key
        if not uid or self._owner_exists(ns, uid):
            return
        for kind in DEPENDENT_KINDS:
            for obj in self.store.list(kind, ns):
                ref = controller_ref(obj)
                if ref is not None and ref.get("uid") == uid and obj.metadata.deletion_timestamp is None:
                    try:
                        self.store.delete(kind, obj.metadata.name, ns)
                    except ApiError:  # gone meanwhile (a reset, a kubectl delete): nothing left to collect
                        pass

    def _owner_exists(self, ns: str, uid: str) -> bool:
        return any(o.metadata.uid == uid for kind in OWNER_KINDS for o in self.store.list(kind, ns))
