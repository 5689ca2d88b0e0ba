"""`kubectl get events`: the cells of kubectl's `printEvent`, registered in the `tables` registry on import.

Rows come in the apiserver's order (by name, so by object and then by time); kubectl get does not
sort events itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import List

from k8slab.views.age import age
from k8slab.views.tables import Column, register_table


def event_source(event: dict) -> str:
    """`formatEventSource`: `component, host`, falling back to the reporting controller and instance."""
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingComponent") or ""
    instance = source.get("host") or event.get("reportingInstance") or ""
    return f"{component}, {instance}" if instance else component


def event_object(event: dict) -> str:
    """OBJECT: `pod/web` (just the kind, lower-cased, when the event names no object)."""
    ref = event.get("involvedObject") or {}
    kind = (ref.get("kind") or "").lower()
    return f"{kind}/{ref['name']}" if ref.get("name") else kind


def _event_row(event: dict, now: datetime) -> List[str]:
    first = age(event.get("firstTimestamp"), now)
    if not event.get("firstTimestamp"):
        first = age(event.get("eventTime"), now)
    last = age(event.get("lastTimestamp"), now) if event.get("lastTimestamp") else first
    count = event.get("count") or 0
    series = event.get("series")
    if series:
        last = age(series.get("lastObservedTime"), now)
        count = series.get("count") or 0
    elif count == 0:
        count = 1  # singleton events of the new API carry no count
    ref = event.get("involvedObject") or {}
    return [last, event.get("type") or "", event.get("reason") or "", event_object(event),
            ref.get("fieldPath") or "", event_source(event), (event.get("message") or "").strip(),
            first, str(count), (event.get("metadata") or {}).get("name", "")]


register_table(
    "Event",
    [Column("Last Seen"), Column("Type"), Column("Reason"), Column("Object"), Column("Subobject", wide=True),
     Column("Source", wide=True), Column("Message"), Column("First Seen", wide=True), Column("Count", wide=True),
     Column("Name", wide=True)],
    _event_row,
)
