"""ReplicaSet controller: creation from the template, scale up/down, status, ownership."""

from __future__ import annotations

import re
from dataclasses import replace

from k8slab.api.store import Store
from k8slab.controllers.workloads.replicasets import ReplicaSetController
from tests.unit.controllers.test_workloads_common import converge, manifest, pods_of, template


def rs(replicas=3):
    return manifest("ReplicaSet", "front", {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                                            "template": template()})


def test_creates_owned_pods_from_the_template_and_reports_status():
    store = Store()
    store.create(rs())
    converge(store)
    names = pods_of(store, "front-")
    assert len(names) == 3 and all(re.fullmatch(r"front-[bcdfghjklmnpqrstvwxz2456789]{5}", n) for n in names)
    pod = store.get("Pod", names[0], "default")
    ref = pod.metadata.owner_references[0]
    assert (ref["kind"], ref["name"], ref["controller"]) == ("ReplicaSet", "front", True)
    assert pod.metadata.labels == {"app": "web"}
    s = store.get("ReplicaSet", "front", "default").status
    assert (s.replicas, s.ready_replicas, s.available_replicas, s.fully_labeled_replicas, s.observed_generation) == \
        (3, 3, 3, 3, 1)


def test_default_replicas_is_one_and_scale_down_deletes_newest_first():
    store = Store()
    store.create(manifest("ReplicaSet", "front", {"selector": {"matchLabels": {"app": "web"}}, "template": template()}))
    converge(store)
    assert len(pods_of(store, "front-")) == 1
    r = store.get("ReplicaSet", "front", "default")
    store.update(replace(r, spec=replace(r.spec, replicas=3)))
    converge(store)
    assert len(pods_of(store, "front-")) == 3
    # Make one pod not ready: it is the first to go.
    victim = store.get("Pod", pods_of(store, "front-")[1], "default")
    store.update_status(replace(victim, status=replace(victim.status, conditions=())))
    r = store.get("ReplicaSet", "front", "default")
    store.update(replace(r, spec=replace(r.spec, replicas=2)))
    ReplicaSetController(store).sync(("default", "front"))
    assert store.get("Pod", victim.metadata.name, "default").metadata.deletion_timestamp is not None


def test_deleted_pod_is_replaced_and_unowned_pods_are_left_alone():
    store = Store()
    store.create(rs(2))
    converge(store)
    store.delete("Pod", pods_of(store, "front-")[0], "default")
    converge(store)
    assert len(pods_of(store, "front-")) == 2
    store.delete("ReplicaSet", "front", "default")
    converge(store)
    assert pods_of(store, "front-") == []
