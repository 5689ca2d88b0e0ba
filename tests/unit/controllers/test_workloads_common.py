"""Workload controllers' shared parts (hash naming, scale-down ranking), and the helpers the other
test_workloads_* modules use to drive controllers synchronously against an in-memory Store."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from k8slab.api.codec import from_dict
from k8slab.api.meta import utc_now
from k8slab.api.pod import Pod, PodCondition
from k8slab.api.store import Store
from k8slab.controllers.base import object_key
from k8slab.controllers.workloads import workload_controllers
from k8slab.controllers.workloads.common import deletion_order, fnv32a, safe_encode, template_hash

NOW = datetime(2026, 11, 22, 10, 0, 0, tzinfo=timezone.utc)


# -- helpers shared by the test_workloads_* modules ---------------------------------------------

def manifest(kind, name, spec, **meta):
    return from_dict(__import__("k8slab.api.kinds", fromlist=["resolve"]).resolve(kind).cls,
                     {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "default", **meta},
                      "spec": spec})


def template(labels=None, image="nginx", **spec):
    return {"metadata": {"labels": labels or {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": image}], **spec}}


def settle_pods(store, ready=True, node="node1", kill=True):
    """A stand-in kubelet and scheduler: bind, start and make Ready every pod; finish deletions."""
    changed = False
    for pod in store.list("Pod"):
        if pod.metadata.deletion_timestamp is not None:
            if kill:
                store.remove("Pod", pod.metadata.name, pod.metadata.namespace)
                changed = True
            continue
        if not pod.spec.node_name:
            pod = store.bind(pod, node)
            changed = True
        if ready and pod.status.phase != "Running":
            cond = PodCondition(type="Ready", status="True", last_transition_time=utc_now())
            store.update_status(replace(pod, status=replace(pod.status, phase="Running", conditions=(cond,))))
            changed = True
    return changed


def converge(store, controllers=None, *, kubelet=True, ready=True, rounds=200):
    """Sync every controller on every object until nothing changes (level-triggered, so order is free)."""
    controllers = controllers or workload_controllers(store)
    for _ in range(rounds):
        rv = store.resource_version
        for c in controllers:
            if c.name == "garbage-collector":
                uids = {(o.metadata.namespace or "", (r or {}).get("uid", "")) for k in ("Pod", "ReplicaSet")
                        for o in store.list(k) for r in o.metadata.owner_references}
                keys = sorted(uids)
            else:
                keys = sorted(object_key(o) for o in store.list(c.kinds[0]))  # the owner kind
            for key in keys:
                c.sync(key)
        if kubelet:
            settle_pods(store, ready=ready)
        if store.resource_version == rv:
            return store
    raise AssertionError("controllers did not converge")


def pods_of(store, prefix):
    return sorted(p.metadata.name for p in store.list("Pod") if p.metadata.name.startswith(prefix)
                  and p.metadata.deletion_timestamp is None)


# -- tests ---------------------------------------------------------------------------------------

def test_fnv32a_matches_go_hash_fnv():
    assert fnv32a(b"") == 0x811C9DC5
    assert fnv32a(b"a") == 0xE40C292C
    assert fnv32a(b"foobar") == 0xBF9CF968


def test_safe_encode_maps_decimal_digits_into_kube_alphabet():
    assert safe_encode("0123456789") == "456789bcdf"


def test_template_hash_has_kube_shape_and_depends_on_template_and_collisions():
    a = from_dict(__import__("k8slab.api.apps", fromlist=["PodTemplateSpec"]).PodTemplateSpec, template())
    b = from_dict(type(a), template(image="nginx:1.27"))
    h = template_hash(a)
    assert re.fullmatch(r"[456789bcdf]{1,10}", h)
    assert template_hash(a) == h
    assert template_hash(b) != h
    assert template_hash(a, 1) != h


def _pod(name, node="node1", phase="Running", ready=True, created=0, ready_for=100, restarts=0):
    status = {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                              "lastTransitionTime": (NOW - timedelta(seconds=ready_for)).isoformat()}],
              "containerStatuses": [{"name": "c", "restartCount": restarts}]}
    meta = {"name": name, "namespace": "default",
            "creationTimestamp": (NOW + timedelta(seconds=created)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    return from_dict(Pod, {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
                           "spec": {"nodeName": node, "containers": [{"name": "c", "image": "nginx"}]},
                           "status": status})


def test_scale_down_ranking_unscheduled_pending_notready_then_newest():
    pods = [_pod("ready-old", node="n1", created=0), _pod("ready-new", node="n2", created=10),
            _pod("notready", node="n3", ready=False), _pod("pending", node="n4", phase="Pending", ready=False),
            _pod("unscheduled", node=None, phase="Pending", ready=False)]
    order = [p.metadata.name for p in deletion_order(pods)]
    assert order == ["unscheduled", "pending", "notready", "ready-new", "ready-old"]


def test_scale_down_prefers_doubled_up_nodes_then_shorter_ready_then_more_restarts():
    pods = [_pod("alone", node="n1"), _pod("pair-a", node="n2", created=-5), _pod("pair-b", node="n2", created=-6)]
    assert [p.metadata.name for p in deletion_order(pods)][-1] == "alone"
    pods = [_pod("long", node="n1", ready_for=500), _pod("short", node="n2", ready_for=5)]
    assert deletion_order(pods)[0].metadata.name == "short"
    pods = [_pod("calm", node="n1"), _pod("crashy", node="n2", restarts=4)]
    assert deletion_order(pods)[0].metadata.name == "crashy"


def test_garbage_collector_cascades_deployment_deletion_to_replicasets_and_pods():
    store = Store()
    store.create(manifest("Deployment", "web", {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                                                "template": template()}))
    converge(store)
    assert len(pods_of(store, "web-")) == 2
    store.delete("Deployment", "web", "default")
    converge(store)
    assert store.list("ReplicaSet") == [] and pods_of(store, "web-") == []
