"""A silent node turns NotReady (taints, pods not ready), then its pods are evicted; it recovers."""

from __future__ import annotations

from dataclasses import replace

from k8slab.api.codec import from_dict
from k8slab.api.meta import utc_now
from k8slab.api.pod import Pod
from k8slab.api.store import Store
from k8slab.cluster import node_object
from k8slab.controllers.nodelifecycle import NodeLifecycleController
from k8slab.net.addresses import ClusterSpec


def setup():
    store = Store()
    for plan in ClusterSpec(2).node_plans():
        store.create(node_object(plan, utc_now()))
    pod = store.create(from_dict(Pod, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                       "spec": {"nodeName": "node2", "containers": [{"name": "c", "image": "nginx"}]}}))
    running = from_dict(Pod, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
                              "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}})
    store.update_status(replace(pod, status=running.status))
    alive = {"node1": True, "node2": True}
    return store, alive, NodeLifecycleController(store, lambda n: alive[n], grace=5, eviction=10)


def ready(store, name):
    return next(c.status for c in store.get("Node", name).status.conditions if c.type == "Ready")


def test_grace_then_not_ready_then_eviction_then_recovery():
    store, alive, ctl = setup()
    alive["node2"] = False
    ctl.check(100.0)
    ctl.check(104.0)
    assert ready(store, "node2") == "True"  # still within the grace period
    ctl.check(105.0)
    node = store.get("Node", "node2")
    assert ready(store, "node2") == "Unknown"
    assert {(t.key, t.effect) for t in node.spec.taints} == {("node.kubernetes.io/unreachable", "NoSchedule"),
                                                             ("node.kubernetes.io/unreachable", "NoExecute")}
    pod = store.get("Pod", "p", "default")
    assert next(c.status for c in pod.status.conditions if c.type == "Ready") == "False"
    assert pod.metadata.deletion_timestamp is None
    ctl.check(115.0)
    assert store.get("Pod", "p", "default").metadata.deletion_timestamp is not None  # evicted (Terminating)
    alive["node2"] = True
    ctl.check(116.0)
    assert ready(store, "node2") == "True" and store.get("Node", "node2").spec.taints == ()
    assert ready(store, "node1") == "True"
