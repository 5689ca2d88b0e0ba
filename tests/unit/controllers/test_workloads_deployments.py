"""Deployment controller: surge/unavailable arithmetic, naming, rollouts, Recreate, history, status."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from k8slab.api.store import Store
from k8slab.controllers.workloads.deployments import (REVISION, fenceposts, history_to_delete, max_surge,
                                                      max_unavailable, new_rs_replicas, scaled_value)
from tests.unit.controllers.test_workloads_common import converge, manifest, pods_of, settle_pods, template


def deployment(replicas=3, image="nginx", strategy=None, **spec):
    body = {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}}, "template": template(image=image),
            **spec}
    if strategy is not None:
        body["strategy"] = strategy
    return manifest("Deployment", "web", body)


@pytest.mark.parametrize("surge,unavailable,replicas,want", [
    ("25%", "25%", 3, (1, 0)), ("25%", "25%", 4, (1, 1)), ("25%", "25%", 10, (3, 2)),
    (0, 0, 3, (0, 1)), ("0%", "0%", 5, (0, 1)), (2, "50%", 5, (2, 2)), ("10%", 1, 1, (1, 1)),
])
def test_fenceposts_round_surge_up_and_unavailable_down(surge, unavailable, replicas, want):
    assert fenceposts(surge, unavailable, replicas) == want


def test_defaults_and_recreate():
    d = deployment(replicas=4)
    assert (max_surge(d), max_unavailable(d)) == (1, 1)
    r = deployment(replicas=4, strategy={"type": "Recreate"})
    assert (max_surge(r), max_unavailable(r)) == (0, 0)
    assert scaled_value("33%", 10, True) == 4 and scaled_value("33%", 10, False) == 3


def test_new_replica_set_scale_up_is_bounded_by_surge():
    store = Store()
    d = store.create(deployment(replicas=4))
    converge(store)
    rses = store.list("ReplicaSet")
    assert new_rs_replicas(d, rses, None) == 1  # 4 running + 1 surge
    assert new_rs_replicas(replace(d, spec=replace(d.spec, replicas=6)), rses, rses[0]) == 6


def test_replica_set_and_pod_names_carry_the_template_hash():
    store = Store()
    store.create(deployment())
    converge(store)
    (rs,) = store.list("ReplicaSet")
    h = rs.metadata.labels["pod-template-hash"]
    assert rs.metadata.name == f"web-{h}" and re.fullmatch(r"[bcdfghjklmnpqrstvwxz2456789]{1,10}", h)
    assert rs.spec.selector.match_labels == {"app": "web", "pod-template-hash": h}
    assert rs.metadata.annotations[REVISION] == "1"
    assert rs.metadata.owner_references[0]["kind"] == "Deployment" and rs.metadata.owner_references[0]["controller"]
    names = pods_of(store, "web-")
    assert len(names) == 3 and all(re.fullmatch(rf"web-{h}-[bcdfghjklmnpqrstvwxz2456789]{{5}}", n) for n in names)
    d = store.get("Deployment", "web", "default")
    s = d.status
    assert (s.replicas, s.updated_replicas, s.ready_replicas, s.available_replicas) == (3, 3, 3, 3)
    assert s.observed_generation == d.metadata.generation and not s.unavailable_replicas
    conds = {c["type"]: c for c in s.conditions}
    assert [c["type"] for c in s.conditions] == ["Available", "Progressing"]
    assert conds["Available"]["reason"] == "MinimumReplicasAvailable"
    assert conds["Progressing"]["message"] == f'ReplicaSet "web-{h}" has successfully progressed.'
    assert d.metadata.annotations[REVISION] == "1"


def test_rolling_update_never_exceeds_surge_or_unavailable():
    store = Store()
    store.create(deployment(replicas=4))
    converge(store)
    d = store.get("Deployment", "web", "default")
    store.update(replace(d, spec=replace(d.spec, template=replace(
        d.spec.template, spec=replace(d.spec.template.spec, containers=(replace(
            d.spec.template.spec.containers[0], image="nginx:1.27"),))))))
    from k8slab.controllers.workloads import workload_controllers
    controllers = workload_controllers(store)
    seen_new = set()
    for _ in range(60):  # step by step: check the bounds after every controller pass
        converge(store, controllers, kubelet=False, rounds=50)
        pods = [p for p in store.list("Pod") if p.metadata.deletion_timestamp is None]
        ready = [p for p in pods if p.status.phase == "Running"]
        assert len(pods) <= 4 + 1
        assert len(ready) >= 4 - 1
        seen_new |= {p.metadata.labels["pod-template-hash"] for p in pods}
        if not settle_pods(store):
            break
    rses = sorted(store.list("ReplicaSet"), key=lambda r: r.metadata.annotations[REVISION])
    assert [r.spec.replicas for r in rses] == [0, 4]
    assert rses[1].metadata.annotations[REVISION] == "2"
    assert all(p.metadata.labels["pod-template-hash"] == rses[1].metadata.labels["pod-template-hash"]
               for p in store.list("Pod"))
    assert store.get("Deployment", "web", "default").status.updated_replicas == 4


def test_recreate_removes_old_pods_before_creating_new_ones():
    store = Store()
    store.create(deployment(replicas=2, strategy={"type": "Recreate"}))
    converge(store)
    d = store.get("Deployment", "web", "default")
    store.update(replace(d, spec=replace(d.spec, template=replace(d.spec.template, metadata=replace(
        d.spec.template.metadata, annotations={"x": "1"})))))
    converge(store, kubelet=False, rounds=50)
    rses = store.list("ReplicaSet")
    assert len(rses) == 1  # the new ReplicaSet waits for the old pods to be gone
    assert all(p.metadata.deletion_timestamp is not None for p in store.list("Pod"))
    converge(store)
    assert len(store.list("ReplicaSet")) == 2 and len(pods_of(store, "web-")) == 2


def test_scaling_and_rollback_reuse_the_old_replica_set_as_a_new_revision():
    store = Store()
    store.create(deployment())
    converge(store)
    d = store.get("Deployment", "web", "default")
    first = store.list("ReplicaSet")[0]
    changed = replace(d.spec.template.spec, containers=(replace(d.spec.template.spec.containers[0], image="nginx:2"),))
    store.update(replace(d, spec=replace(d.spec, template=replace(d.spec.template, spec=changed))))
    converge(store)
    d = store.get("Deployment", "web", "default")
    store.update(replace(d, spec=replace(d.spec, replicas=1, template=first.spec.template)))
    converge(store)
    rs = store.get("ReplicaSet", first.metadata.name, "default")
    assert rs.metadata.annotations[REVISION] == "3" and rs.spec.replicas == 1
    assert len(store.list("ReplicaSet")) == 2 and len(pods_of(store, "web-")) == 1


def test_revision_history_limit_keeps_only_that_many_old_replica_sets():
    store = Store()
    store.create(deployment(replicas=1, revisionHistoryLimit=1))
    for image in ("nginx:1", "nginx:2", "nginx:3"):
        converge(store)
        d = store.get("Deployment", "web", "default")
        c = replace(d.spec.template.spec.containers[0], image=image)
        store.update(replace(d, spec=replace(d.spec, template=replace(
            d.spec.template, spec=replace(d.spec.template.spec, containers=(c,))))))
    converge(store)
    revisions = sorted(int(r.metadata.annotations[REVISION]) for r in store.list("ReplicaSet"))
    assert revisions == [3, 4]
    assert history_to_delete(store.get("Deployment", "web", "default"), []) == []
