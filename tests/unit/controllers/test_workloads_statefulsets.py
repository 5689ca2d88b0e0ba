"""StatefulSet controller: ordinal names, OrderedReady vs Parallel, identity, recreation, status."""

from __future__ import annotations

from dataclasses import replace

from k8slab.api.store import Store
from k8slab.controllers.workloads.statefulsets import (POD_INDEX_LABEL, POD_NAME_LABEL, REVISION_LABEL,
                                                       StatefulSetController, plan, revision_name)
from tests.unit.controllers.test_workloads_common import converge, manifest, pods_of, settle_pods, template


def sts(replicas=3, **spec):
    return manifest("StatefulSet", "stateful-app", {
        "serviceName": "headless-service", "replicas": replicas,
        "selector": {"matchLabels": {"app": "stateful-app"}}, "template": template({"app": "stateful-app"}), **spec})


def step(store, ctl):
    ctl.sync(("default", "stateful-app"))
    return pods_of(store, "stateful-app-")


def test_ordered_ready_creates_one_ordinal_at_a_time_after_the_previous_is_ready():
    store = Store()
    store.create(sts())
    ctl = StatefulSetController(store)
    assert step(store, ctl) == ["stateful-app-0"]
    assert step(store, ctl) == ["stateful-app-0"]  # -0 is not Running and Ready yet
    settle_pods(store)
    assert step(store, ctl) == ["stateful-app-0", "stateful-app-1"]
    settle_pods(store)
    assert step(store, ctl) == ["stateful-app-0", "stateful-app-1", "stateful-app-2"]
    settle_pods(store)
    ctl.sync(("default", "stateful-app"))
    s = store.get("StatefulSet", "stateful-app", "default").status
    assert (s.replicas, s.ready_replicas, s.current_replicas, s.updated_replicas, s.available_replicas) == (3, 3, 3, 3, 3)
    assert s.current_revision == s.update_revision


def test_pods_have_stable_identity():
    store = Store()
    store.create(sts())
    converge(store)
    pod = store.get("Pod", "stateful-app-1", "default")
    assert pod.spec.hostname == "stateful-app-1" and pod.spec.subdomain == "headless-service"
    labels = pod.metadata.labels
    assert labels[POD_NAME_LABEL] == "stateful-app-1" and labels[POD_INDEX_LABEL] == "1"
    assert labels["app"] == "stateful-app"
    assert labels[REVISION_LABEL] == revision_name(store.get("StatefulSet", "stateful-app", "default"))
    assert labels[REVISION_LABEL].startswith("stateful-app-")
    assert pod.metadata.owner_references[0]["kind"] == "StatefulSet"


def test_parallel_creates_all_at_once():
    store = Store()
    store.create(sts(podManagementPolicy="Parallel"))
    assert step(store, StatefulSetController(store)) == [f"stateful-app-{i}" for i in range(3)]


def test_ordered_scale_down_removes_highest_ordinal_first_one_at_a_time():
    store = Store()
    store.create(sts())
    converge(store)
    s = store.get("StatefulSet", "stateful-app", "default")
    store.update(replace(s, spec=replace(s.spec, replicas=1)))
    ctl = StatefulSetController(store)
    ctl.sync(("default", "stateful-app"))
    assert pods_of(store, "stateful-app-") == ["stateful-app-0", "stateful-app-1"]  # -2 is terminating
    ctl.sync(("default", "stateful-app"))
    assert store.get("Pod", "stateful-app-1", "default").metadata.deletion_timestamp is None  # waits for -2
    settle_pods(store)
    assert step(store, ctl) == ["stateful-app-0"]


def test_deleted_pod_is_recreated_with_the_same_name():
    store = Store()
    store.create(sts())
    converge(store)
    old_uid = store.get("Pod", "stateful-app-1", "default").metadata.uid
    store.delete("Pod", "stateful-app-1", "default")
    converge(store)
    pod = store.get("Pod", "stateful-app-1", "default")
    assert pod.metadata.uid != old_uid and len(pods_of(store, "stateful-app-")) == 3


def test_plan_waits_on_unready_pod_in_ordered_mode_and_rolls_updates_from_the_top():
    store = Store()
    store.create(sts())
    converge(store)
    s = store.get("StatefulSet", "stateful-app", "default")
    c = replace(s.spec.template.spec.containers[0], image="nginx:1.27")
    store.update(replace(s, spec=replace(s.spec, template=replace(s.spec.template, spec=replace(
        s.spec.template.spec, containers=(c,))))))
    s = store.get("StatefulSet", "stateful-app", "default")
    pods = {i: store.get("Pod", f"stateful-app-{i}", "default") for i in range(3)}
    assert plan(s, pods, revision_name(s)).delete == ["stateful-app-2"]
    converge(store)
    assert {store.get("Pod", f"stateful-app-{i}", "default").spec.containers[0].image for i in range(3)} == {"nginx:1.27"}
