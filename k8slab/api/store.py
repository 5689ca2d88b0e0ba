"""The in-memory apiserver: objects by kind, a global resourceVersion, and watches.

Objects are frozen, so the store hands out the stored instances themselves; every change builds a
new instance with `dataclasses.replace`. All mutations happen under one lock and emit their event
to every matching watch's queue before the lock is released, so watchers see changes in
resourceVersion order and never run inside the lock.
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from k8slab.api import kinds as kind_registry
from k8slab.api.defaults import apply_defaults, prepare_for_create
from k8slab.api.errors import (
    already_exists,
    bad_request,
    conflict,
    forbidden,
    invalid,
    namespace_not_found,
    not_found,
)
from k8slab.api.kinds import KindInfo
from k8slab.api.meta import ObjectMeta, utc_now
from k8slab.api.namespace import Namespace
from k8slab.api.pod import Pod
from k8slab.api.selectors import Selector
from k8slab.api.strategy import Strategy, default_strategies, transaction
from k8slab.api.validation import validate, validate_for_update
from k8slab.api.watch import ADDED, DELETED, MODIFIED, Watch, WatchEvent

SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
PROTECTED_NAMESPACES = frozenset(SYSTEM_NAMESPACES)
# The apiserver's generateName alphabet: no vowels (no words) and no look-alikes (0/o, 1/l).
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_NS_TERMINATING = (
    "The system is ensuring all content is removed from this namespace.  "
    "Upon completion, this namespace will automatically be purged by the system."
)

Key = Tuple[str, str]  # (namespace or "", name)
_NO_HOOKS = Strategy()


class Store:
    """Thread-safe object store with the apiserver's create/update/delete semantics.

    `strategies` replace the registered per-kind hooks (e.g. a ServiceStrategy with its own ranges).
    """

    def __init__(self, clock: Callable[[], datetime] = utc_now, *, strategies: Iterable[Strategy] = ()):
        self._clock = clock
        self._strategies = default_strategies()
        self._strategies.update((s.kind, s) for s in strategies)
        self._lock = threading.RLock()
        self._objects: Dict[str, Dict[Key, Any]] = {}
        self._rv = 0
        self._watches: List[Watch] = []
        self._random = random.Random()
        for name in SYSTEM_NAMESPACES:
            self.create(Namespace(metadata=ObjectMeta(name=name)))

    # ------------------------------------------------------------------ reads

    @property
    def resource_version(self) -> int:
        """The resourceVersion of the latest change."""
        return self._rv

    def get(self, kind: str, name: str, namespace: Optional[str] = None) -> Any:
        """The object, or ApiError NotFound (`pods "x" not found`)."""
        info = kind_registry.lookup(kind)
        obj = self._table(info).get(self._key(info, name, namespace))
        if obj is None:
            raise not_found(info, name)
        return obj

    def try_get(self, kind: str, name: str, namespace: Optional[str] = None) -> Any:
        """The object, or None."""
        info = kind_registry.lookup(kind)
        return self._table(info).get(self._key(info, name, namespace))

    def list(self, kind: str, namespace: Optional[str] = None, selector: Optional[Selector] = None) -> List[Any]:
        """Objects of a kind sorted by (namespace, name); namespace None means all namespaces."""
        info = kind_registry.lookup(kind)
        if isinstance(selector, str):
            selector = Selector.parse(selector)
        with self._lock:
            items = sorted(self._table(info).items())
        out = []
        for (ns, _), obj in items:
            if namespace is not None and info.namespaced and ns != namespace:
                continue
            if selector is not None and not selector.matches(obj.metadata.labels):
                continue
            out.append(obj)
        return out

    # ------------------------------------------------------------------ writes

    def create(self, obj: Any, *, namespace: Optional[str] = None) -> Any:
        """Create an object as `kubectl create` does; returns the stored object."""
        info = kind_registry.for_object(obj)
        meta = obj.metadata
        if info.namespaced:
            if meta.namespace and namespace and meta.namespace != namespace:
                raise bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            ns = meta.namespace or namespace or "default"
        else:
            ns = None  # cluster-scoped kinds silently drop a namespace, as the apiserver does
        if meta.resource_version:
            raise bad_request("resourceVersion should not be set on objects to be created")
        with self._lock, transaction() as txn:
            name = meta.name
            if not name and meta.generate_name:
                name = self._generate_name(info, ns, meta.generate_name)
            meta = replace(
                meta, name=name, namespace=ns, uid=None, generation=None, creation_timestamp=None,
                deletion_timestamp=None, deletion_grace_period_seconds=None,
            )
            obj = prepare_for_create(replace(obj, metadata=meta))
            obj = self.strategy(info).before_create(obj, txn)  # allocation comes before validation
            errors = validate(obj)
            if errors:
                raise invalid(info.kind, name or "", errors)
            if info.namespaced:
                self._check_namespace_open(info, ns or "", name or "")
            key = self._key(info, name or "", ns)
            table = self._table(info)
            if key in table:
                raise already_exists(info, name or "")
            meta = replace(
                obj.metadata,
                uid=str(uuid.uuid4()),
                resource_version=self._next_rv(),
                creation_timestamp=self._now(),
                generation=1 if getattr(type(obj), "tracks_generation", hasattr(obj, "spec")) else None,
            )
            obj = replace(obj, metadata=meta)
            table[key] = obj
            self._emit(ADDED, info, obj, None)
            return obj

    def update(self, obj: Any) -> Any:
        """Replace metadata and spec (status is kept); a no-op update changes nothing."""
        info = kind_registry.for_object(obj)
        with self._lock, transaction() as txn:
            old = self._current_for_write(info, obj)
            om = old.metadata
            meta = replace(
                obj.metadata,
                name=om.name, namespace=om.namespace, uid=om.uid, resource_version=om.resource_version,
                generation=om.generation, creation_timestamp=om.creation_timestamp,
                deletion_timestamp=om.deletion_timestamp,
                deletion_grace_period_seconds=om.deletion_grace_period_seconds,
                generate_name=obj.metadata.generate_name or om.generate_name,
            )
            status = {"status": old.status} if hasattr(old, "status") else {}  # Endpoints have none
            new = apply_defaults(replace(obj, metadata=meta, **status))
            new = self.strategy(info).before_update(old, new, txn)
            errors = validate_for_update(old, new)
            if errors:
                raise invalid(info.kind, om.name or "", errors)
            if new == old:
                return old
            if hasattr(new, "spec") and new.spec != old.spec and om.generation:
                new = replace(new, metadata=replace(new.metadata, generation=om.generation + 1))
            return self._replace(info, old, new)

    def bind(self, pod: Any, node_name: str) -> Any:
        """The pods/binding subresource: set an unscheduled pod's nodeName (the scheduler's write)."""
        info = kind_registry.for_object(pod)
        with self._lock:
            old = self._current_for_write(info, replace(pod, metadata=replace(pod.metadata, resource_version=None)))
            if old.spec.node_name:
                raise conflict(info, old.metadata.name or "", f"pod {old.metadata.name} is already assigned to node \"{old.spec.node_name}\"")
            return self._replace(info, old, replace(old, spec=replace(old.spec, node_name=node_name)))

    def update_status(self, obj: Any) -> Any:
        """Replace only the status (the kubelet's and controllers' write path)."""
        info = kind_registry.for_object(obj)
        with self._lock:
            old = self._current_for_write(info, obj)
            new = replace(old, status=obj.status)
            if new == old:
                return old
            return self._replace(info, old, new)

    def delete(
        self, kind: str, name: str, namespace: Optional[str] = None, *, grace_period_seconds: Optional[int] = None
    ) -> Any:
        """Delete as the apiserver does: pods on a node gracefully, namespaces with their contents."""
        info = kind_registry.lookup(kind)
        with self._lock:
            obj = self._table(info).get(self._key(info, name, namespace))
            if obj is None:
                raise not_found(info, name)
            if info.cls is Namespace:
                return self._delete_namespace(info, obj)
            return self._delete(info, obj, grace_period_seconds)

    def remove(self, kind: str, name: str, namespace: Optional[str] = None, *, uid: Optional[str] = None) -> None:
        """Final removal after graceful deletion (the kubelet's last word); no-op if gone or uid differs."""
        info = kind_registry.lookup(kind)
        with self._lock:
            obj = self._table(info).get(self._key(info, name, namespace))
            if obj is None or (uid is not None and obj.metadata.uid != uid):
                return
            if obj.metadata.finalizers:
                # Finalizers hold the object; it goes once an update clears them.
                self._mark_deleted(info, obj, 0)
                return
            self._remove(info, obj)

    def watch(
        self, kinds: Optional[Iterable[str]] = None, *, namespace: Optional[str] = None, send_initial: bool = False
    ) -> Watch:
        """Open a watch on some kinds (all when None); send_initial first replays ADDED for what exists."""
        if isinstance(kinds, (str, type, KindInfo)):
            kinds = [kinds]
        kind_set = None if kinds is None else frozenset(kind_registry.lookup(k).kind for k in kinds)
        w = Watch(kind_set, namespace, self._unregister)
        with self._lock:
            if send_initial:
                for info in kind_registry.all_kinds():
                    for key, obj in sorted(self._table(info).items()):
                        if w.matches(info.kind, info.namespaced, key[0]):
                            w.offer(WatchEvent(ADDED, obj, None))
            self._watches.append(w)
        return w

    def strategy(self, kind: Any) -> Strategy:
        """This store's hooks for a kind (e.g. `store.strategy("Service").allocator`)."""
        return self._strategies.get(kind_registry.lookup(kind).kind, _NO_HOOKS)

    # ------------------------------------------------------------------ internals

    def _table(self, info: KindInfo) -> Dict[Key, Any]:
        return self._objects.setdefault(info.kind, {})

    @staticmethod
    def _key(info: KindInfo, name: str, namespace: Optional[str]) -> Key:
        return ((namespace or "default") if info.namespaced else "", name)

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        return now.astimezone(timezone.utc).replace(microsecond=0)

    def _next_rv(self) -> str:
        self._rv += 1
        return str(self._rv)

    def _generate_name(self, info: KindInfo, ns: Optional[str], prefix: str) -> str:
        # The apiserver truncates the prefix so the result stays within 63 characters.
        prefix = prefix[: 63 - 5]
        table = self._table(info)
        while True:
            name = prefix + "".join(self._random.choice(_NAME_ALPHABET) for _ in range(5))
            if self._key(info, name, ns) not in table:
                return name

    def _check_namespace_open(self, info: KindInfo, ns: str, name: str) -> None:
        namespace = self._table(kind_registry.resolve("Namespace")).get(("", ns))
        if namespace is None:
            raise namespace_not_found(ns)
        if namespace.status.phase == "Terminating" or namespace.metadata.deletion_timestamp is not None:
            raise forbidden(
                info, name, f"unable to create new content in namespace {ns} because it is being terminated"
            )

    def _current_for_write(self, info: KindInfo, obj: Any) -> Any:
        name = obj.metadata.name or ""
        old = self._table(info).get(self._key(info, name, obj.metadata.namespace))
        if old is None:
            raise not_found(info, name)
        rv = obj.metadata.resource_version
        if rv and rv != old.metadata.resource_version:
            raise conflict(info, name)
        return old

    def _emit(self, event_type: str, info: KindInfo, obj: Any, old: Any) -> None:
        event = WatchEvent(event_type, obj, old)
        for w in self._watches:
            if w.matches(info.kind, info.namespaced, obj.metadata.namespace):
                w.offer(event)

    def _unregister(self, w: Watch) -> None:
        with self._lock:
            if w in self._watches:
                self._watches.remove(w)

    def _replace(self, info: KindInfo, old: Any, new: Any) -> Any:
        new = replace(new, metadata=replace(new.metadata, resource_version=self._next_rv()))
        self._table(info)[self._key(info, new.metadata.name, new.metadata.namespace)] = new
        self._emit(MODIFIED, info, new, old)
        meta = new.metadata
        # An object whose deletion only waited for finalizers goes as soon as they are cleared.
        if meta.deletion_timestamp is not None and not meta.finalizers:
            if info.cls is not Pod or not meta.deletion_grace_period_seconds:
                if info.cls is not Namespace:
                    return self._remove(info, new)
        return new

    def _mark_deleted(self, info: KindInfo, obj: Any, grace: int) -> Any:
        meta = obj.metadata
        if meta.deletion_timestamp is not None and meta.deletion_grace_period_seconds is not None:
            # Only a shorter grace period moves the deadline, counted from the original request.
            if grace >= meta.deletion_grace_period_seconds:
                return obj
            start = meta.deletion_timestamp - timedelta(seconds=meta.deletion_grace_period_seconds)
            meta = replace(
                meta, deletion_timestamp=start + timedelta(seconds=grace), deletion_grace_period_seconds=grace
            )
        else:
            meta = replace(
                meta,
                deletion_timestamp=self._now() + timedelta(seconds=grace),
                deletion_grace_period_seconds=grace,
                generation=meta.generation + 1 if meta.generation else meta.generation,
            )
        new = replace(obj, metadata=replace(meta, resource_version=self._next_rv()))
        self._table(info)[self._key(info, meta.name, meta.namespace)] = new
        self._emit(MODIFIED, info, new, obj)
        return new

    def _pod_grace(self, pod: Pod, requested: Optional[int]) -> int:
        grace = requested if requested is not None else (pod.spec.termination_grace_period_seconds or 0)
        # Unscheduled or finished pods have no kubelet to wait for: they go at once.
        if not pod.spec.node_name or pod.status.phase in ("Succeeded", "Failed"):
            return 0
        return max(grace, 0)

    def _delete(self, info: KindInfo, obj: Any, grace_period_seconds: Optional[int]) -> Any:
        grace = self._pod_grace(obj, grace_period_seconds) if info.cls is Pod else 0
        meta = obj.metadata
        if meta.deletion_timestamp is not None:
            # Deletion is already pending: only an explicit, shorter grace period changes anything.
            if info.cls is not Pod or grace_period_seconds is None:
                return obj
            if grace == 0 and not meta.finalizers:
                return self._remove(info, obj)
            return self._mark_deleted(info, obj, grace)
        if meta.finalizers or grace > 0:
            return self._mark_deleted(info, obj, grace)
        return self._remove(info, obj)

    def _remove(self, info: KindInfo, obj: Any) -> Any:
        meta = obj.metadata
        self._table(info).pop(self._key(info, meta.name, meta.namespace), None)
        self.strategy(info).after_delete(obj)
        final = replace(obj, metadata=replace(meta, resource_version=self._next_rv()))
        self._emit(DELETED, info, final, obj)
        if info.namespaced:
            self._finish_namespace_if_empty(meta.namespace)
        return final

    def _delete_namespace(self, info: KindInfo, ns: Namespace) -> Any:
        name = ns.metadata.name
        if name in PROTECTED_NAMESPACES:
            raise forbidden(info, name, "this namespace may not be deleted")
        if ns.status.phase == "Terminating":
            raise conflict(info, name, _NS_TERMINATING)
        terminating = replace(
            ns,
            metadata=replace(ns.metadata, deletion_timestamp=self._now(), deletion_grace_period_seconds=0),
            status=replace(ns.status, phase="Terminating"),
        )
        current = self._replace(info, ns, terminating)
        # The namespace controller deletes every namespaced object in it; pods go gracefully.
        for kind_info in kind_registry.all_kinds():
            if not kind_info.namespaced:
                continue
            for (obj_ns, _), obj in sorted(self._table(kind_info).items()):
                if obj_ns == name and obj.metadata.deletion_timestamp is None:
                    self._delete(kind_info, obj, None)
        return self._finish_namespace_if_empty(name) or self._table(info).get(("", name), current)

    def _finish_namespace_if_empty(self, ns_name: Optional[str]) -> Any:
        ns_info = kind_registry.resolve("Namespace")
        ns = self._table(ns_info).get(("", ns_name or ""))
        if ns is None or ns.status.phase != "Terminating":
            return None
        for kind_info in kind_registry.all_kinds():
            if kind_info.namespaced and any(k[0] == ns_name for k in self._table(kind_info)):
                return None
        return self._remove(ns_info, ns)
