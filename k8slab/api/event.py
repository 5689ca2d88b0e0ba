"""The Event kind (core/v1): what happened to an object, as `kubectl describe` and `get events` show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Dict, Optional, Tuple

from k8slab.api.codec import json_field
from k8slab.api.endpoints import ObjectReference
from k8slab.api.kinds import KindInfo, register
from k8slab.api.meta import ObjectMeta

NORMAL = "Normal"
WARNING = "Warning"


@dataclass(frozen=True)
class EventSource:
    """v1.EventSource: the component (and host) that reported the event."""

    component: Optional[str] = None
    host: Optional[str] = None


@dataclass(frozen=True)
class Event:
    """v1.Event (the core group's form, which `kubectl get events` lists)."""

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "Event"
    tracks_generation: ClassVar[bool] = False

    metadata: ObjectMeta = json_field(factory=ObjectMeta)
    involved_object: ObjectReference = json_field(factory=ObjectReference, always=True)
    reason: Optional[str] = None
    message: Optional[str] = None
    # Go's EventSource is a struct, not a pointer: `source: {}` shows even when empty.
    source: EventSource = json_field(factory=EventSource, always=True)
    first_timestamp: Optional[datetime] = None
    last_timestamp: Optional[datetime] = None
    count: Optional[int] = json_field(omitempty=True)
    type: Optional[str] = None
    event_time: Optional[datetime] = None
    series: Optional[Dict[str, Any]] = json_field(go="v1.EventSeries")
    action: Optional[str] = None
    related: Optional[ObjectReference] = None
    reporting_component: str = json_field("", always=True)
    reporting_instance: str = json_field("", always=True)


EVENT = register(KindInfo(kind="Event", api_version="v1", plural="events", singular="event",
                          short_names=("ev",), namespaced=True, cls=Event))

__all__: Tuple[str, ...] = ("Event", "EventSource", "EVENT", "NORMAL", "WARNING")
