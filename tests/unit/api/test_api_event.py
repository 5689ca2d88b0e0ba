"""The Event kind, the recorder's naming and aggregation, and how events print."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from k8slab.api import kinds
from k8slab.api.codec import to_dict
from k8slab.api.event import Event
from k8slab.api.meta import ObjectMeta
from k8slab.api.pod import Container, Pod, PodSpec
from k8slab.api.recorder import EventRecorder, Source
from k8slab.api.store import Store
from k8slab.views.describe import describe_pod
from k8slab.views.tables import render_table

T0 = datetime(2026, 1, 1, 10, 0, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


def _setup():
    clock = Clock()
    store = Store(clock=clock)
    pod = store.create(Pod(metadata=ObjectMeta(name="web"), spec=PodSpec(containers=(Container(name="web", image="nginx"),))))
    return clock, store, EventRecorder(store, clock=clock), pod


def test_event_kind_is_served_with_short_name_ev():
    info = kinds.resolve("ev")
    assert info.kind == "Event" and info.plural == "events" and info.namespaced
    assert kinds.resolve("events") is info


def test_recorder_names_and_fills_events_as_the_kubelet_does():
    _, store, rec, pod = _setup()
    ev = rec.normal(pod, "Started", "Started container web", Source("kubelet", "node1"), "spec.containers{web}")
    assert re.fullmatch(r"web\.[0-9a-f]{16}", ev.metadata.name)
    d = to_dict(ev)
    assert d["involvedObject"] == {"kind": "Pod", "namespace": "default", "name": "web", "uid": pod.metadata.uid,
                                   "apiVersion": "v1", "resourceVersion": pod.metadata.resource_version,
                                   "fieldPath": "spec.containers{web}"}
    assert d["source"] == {"component": "kubelet", "host": "node1"}
    assert d["reportingComponent"] == "kubelet" and d["reportingInstance"] == "node1"
    assert d["count"] == 1 and d["type"] == "Normal"
    assert d["firstTimestamp"] == d["lastTimestamp"] == "2026-01-01T10:00:00Z"
    assert store.list("Event") == [ev]


def test_repeats_are_aggregated_into_one_event():
    clock, store, rec, pod = _setup()
    src = Source("kubelet", "node1")
    first = rec.warning(pod, "Unhealthy", "Readiness probe failed: x", src, "spec.containers{web}")
    clock.now = T0 + timedelta(seconds=20)
    again = rec.warning(pod, "Unhealthy", "Readiness probe failed: x", src, "spec.containers{web}")
    assert again.metadata.name == first.metadata.name
    assert again.count == 2 and again.last_timestamp == clock.now and again.first_timestamp == T0
    other = rec.warning(pod, "Unhealthy", "Readiness probe failed: y", src, "spec.containers{web}")
    assert other.metadata.name != first.metadata.name
    assert len(store.list("Event")) == 2


def test_recording_never_raises():
    _, store, rec, pod = _setup()
    ghost = Pod(metadata=ObjectMeta(name="ghost", namespace="nope", uid="u"))
    assert rec.normal(ghost, "Scheduled", "x", Source("default-scheduler")) is None


def test_get_events_table_and_wide():
    clock, store, rec, pod = _setup()
    src = Source("kubelet", "node1")
    rec.normal(pod, "Pulled", 'Container image "nginx" already present on machine', src, "spec.containers{web}")
    for _ in range(3):
        rec.warning(pod, "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", src,
                    "spec.containers{web}")
    clock.now = T0 + timedelta(seconds=30)
    rec.warning(pod, "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", src,
                "spec.containers{web}")
    items = [to_dict(e) for e in store.list("Event")]
    now = T0 + timedelta(seconds=65)
    text = render_table("Event", items, now=now)
    assert text.splitlines() == [
        "LAST SEEN   TYPE      REASON      OBJECT    MESSAGE",
        '65s         Normal    Pulled      pod/web   Container image "nginx" already present on machine',
        "35s         Warning   Unhealthy   pod/web   Liveness probe failed: HTTP probe failed with statuscode: 500",
    ]
    wide = render_table("Event", items, now=now, wide=True).splitlines()
    assert wide[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE",
                               "FIRST", "SEEN", "COUNT", "NAME"]
    assert "spec.containers{web}" in wide[2] and "kubelet, node1" in wide[2] and " 4 " in wide[2]


def test_describe_pod_lists_its_events():
    clock, store, rec, pod = _setup()
    rec.normal(pod, "Scheduled", "Successfully assigned default/web to node1", Source("default-scheduler"))
    rec.normal(pod, "Started", "Started container web", Source("kubelet", "node1"), "spec.containers{web}")
    text = describe_pod(to_dict(pod), now=T0 + timedelta(seconds=5),
                        events=[to_dict(e) for e in store.list("Event")])
    events = text.split("Events:", 1)[1]
    assert re.search(r"Normal\s+Scheduled\s+5s\s+default-scheduler\s+Successfully assigned default/web to node1",
                     events)
    assert re.search(r"Normal\s+Started\s+5s\s+kubelet\s+Started container web", events)


def test_event_round_trips_through_yaml_codec():
    from k8slab.api.codec import from_dict
    _, store, rec, pod = _setup()
    ev = rec.normal(pod, "Created", "Created container: web", Source("kubelet", "node1"))
    assert from_dict(Event, to_dict(ev)) == ev
