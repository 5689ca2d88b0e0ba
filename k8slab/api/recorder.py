"""The event recorder: components report what happened; it writes (and aggregates) core/v1 Events.

Like client-go's recorder, an event repeated for the same object, reason and message is not written
again: the existing Event's `count` goes up and its `lastTimestamp` moves. Recording never raises
(a namespace being deleted refuses new events; the component carries on regardless).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Callable, Dict, Optional, Tuple

from k8slab.api.endpoints import ObjectReference
from k8slab.api.event import NORMAL, WARNING, Event, EventSource
from k8slab.api.meta import ObjectMeta, utc_now

log = logging.getLogger(__name__)

__all__ = ["EventRecorder", "NullRecorder", "Source", "NORMAL", "WARNING", "object_reference", "event_name"]


@dataclass(frozen=True)
class Source:
    """Who reports: `kubelet` on `node1`, or `default-scheduler`."""

    component: str
    host: str = ""


def object_reference(obj: Any, field_path: Optional[str] = None) -> ObjectReference:
    """The involvedObject of an event about `obj` (a stored API object)."""
    meta = obj.metadata
    return ObjectReference(kind=type(obj).kind, namespace=meta.namespace, name=meta.name, uid=meta.uid,
                           api_version=type(obj).api_version, resource_version=meta.resource_version,
                           field_path=field_path)


def event_name(object_name: str, nanos: int) -> str:
    """`<object>.<hex nanoseconds>`, as client-go names events (16 hex digits today)."""
    return f"{object_name}.{nanos:x}"


class EventRecorder:
    """Writes Events into `store`; one instance can serve every component."""

    def __init__(self, store, clock: Callable[[], datetime] = utc_now,
                 nanos: Callable[[], int] = time.time_ns):
        self.store = store
        self._clock = clock
        self._nanos = nanos
        self._lock = threading.Lock()
        self._last_nanos = 0
        # aggregation key -> (namespace, event name) of the event that counts the repeats
        self._seen: Dict[Tuple, Tuple[str, str]] = {}

    def event(self, obj: Any, type_: str, reason: str, message: str, source: Source,
              field_path: Optional[str] = None) -> Optional[Event]:
        """Record one occurrence; returns the stored Event (None if it could not be written)."""
        try:
            return self._record(object_reference(obj, field_path), type_, reason, message, source)
        except Exception:  # an event is never worth failing the component for
            log.debug("event %s for %s not recorded", reason, getattr(obj.metadata, "name", "?"), exc_info=True)
            return None

    def normal(self, obj: Any, reason: str, message: str, source: Source,
               field_path: Optional[str] = None) -> Optional[Event]:
        """Record a Normal event."""
        return self.event(obj, NORMAL, reason, message, source, field_path)

    def warning(self, obj: Any, reason: str, message: str, source: Source,
                field_path: Optional[str] = None) -> Optional[Event]:
        """Record a Warning event."""
        return self.event(obj, WARNING, reason, message, source, field_path)

    def _record(self, ref: ObjectReference, type_: str, reason: str, message: str,
                source: Source) -> Optional[Event]:
        # Events about cluster-scoped objects (nodes) live in the default namespace.
        ns = ref.namespace or "default"
        key = (ref.kind, ns, ref.name, ref.uid, ref.field_path, type_, reason, message, source)
        with self._lock:
            now = self._clock()
            known = self._seen.get(key)
            if known is not None:
                current = self.store.try_get("Event", known[1], known[0])
                if current is not None:
                    updated = replace(current, count=(current.count or 1) + 1, last_timestamp=now)
                    return self.store.update(updated)
            name = event_name(ref.name or "", self._unique_nanos())
            event = Event(
                metadata=ObjectMeta(name=name, namespace=ns),
                involved_object=replace(ref, namespace=ref.namespace),
                reason=reason, message=message,
                source=EventSource(component=source.component, host=source.host or None),
                first_timestamp=now, last_timestamp=now, count=1, type=type_,
                reporting_component=source.component, reporting_instance=source.host)
            stored = self.store.create(event)
            self._seen[key] = (ns, stored.metadata.name)
            return stored

    def _unique_nanos(self) -> int:
        n = self._nanos()
        if n <= self._last_nanos:
            n = self._last_nanos + 1
        self._last_nanos = n
        return n


class NullRecorder:
    """A recorder that records nothing (for components built without one, e.g. in tests)."""

    def event(self, *args, **kwargs) -> None:
        """Do nothing."""

    normal = warning = event
