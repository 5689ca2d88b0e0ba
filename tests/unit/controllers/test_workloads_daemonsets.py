"""DaemonSet controller: node choice (nodeSelector, taints, readiness), following nodes, status."""

from __future__ import annotations

from dataclasses import replace

from k8slab.api.codec import from_dict
from k8slab.api.node import Node
from k8slab.api.store import Store
from k8slab.controllers.workloads.daemonsets import DaemonSetController, node_fit, plan
from tests.unit.controllers.test_workloads_common import converge, manifest, template


def node(name, labels=None, taints=(), ready=True):
    return from_dict(Node, {"apiVersion": "v1", "kind": "Node",
                            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
                            "spec": {"taints": list(taints)},
                            "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}})


def ds(**tspec):
    return manifest("DaemonSet", "agent", {"selector": {"matchLabels": {"app": "agent"}},
                                           "template": template({"app": "agent"}, **tspec)})


def test_node_choice_respects_node_selector_taints_and_tolerations():
    plain = ds()
    assert node_fit(plain, node("n1")) == (True, True)
    assert node_fit(plain, node("n1", ready=False)) == (False, True)
    tainted = node("cp", taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}])
    assert node_fit(plain, tainted) == (False, True)
    tolerant = ds(tolerations=[{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists",
                                "effect": "NoSchedule"}])
    assert node_fit(tolerant, tainted) == (True, True)
    assert node_fit(plain, node("n1", taints=[{"key": "k", "value": "v", "effect": "NoExecute"}])) == (False, False)
    picky = ds(nodeSelector={"disk": "ssd"})
    assert node_fit(picky, node("n1"))[0] is False and node_fit(picky, node("n2", {"disk": "ssd"}))[0] is True
    # A cordoned node still gets its daemon pod: the controller tolerates node.kubernetes.io/unschedulable.
    assert node_fit(plain, node("n1", taints=[{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]))[0]


def test_plan_creates_missing_and_deletes_extra_and_orphaned_pods():
    create, delete = plan(ds(), [node("n1"), node("n2")], [])
    assert create == ["n1", "n2"] and delete == []


def _agents(store):
    return sorted((p.spec.node_name, p.metadata.name.startswith("agent-")) for p in store.list("Pod")
                  if p.metadata.deletion_timestamp is None)


def test_one_pod_per_node_following_nodes_that_come_and_go():
    store = Store()
    for n in ("node1", "node2", "node3"):
        store.create(node(n))
    store.create(ds())
    converge(store)
    assert _agents(store) == [("node1", True), ("node2", True), ("node3", True)]
    pod = store.list("Pod")[0]
    assert pod.metadata.labels["app"] == "agent" and "controller-revision-hash" in pod.metadata.labels
    s = store.get("DaemonSet", "agent", "default").status
    assert (s.desired_number_scheduled, s.current_number_scheduled, s.number_ready, s.number_misscheduled) == (3, 3, 3, 0)
    store.create(node("node4"))
    store.delete("Node", "node2")
    converge(store)
    assert [n for n, _ in _agents(store)] == ["node1", "node3", "node4"]
    n1 = store.get("Node", "node1")
    store.update(replace(n1, metadata=replace(n1.metadata, labels={**n1.metadata.labels, "x": "y"})))
    d = store.get("DaemonSet", "agent", "default")
    store.update(replace(d, spec=replace(d.spec, template=replace(d.spec.template, spec=replace(
        d.spec.template.spec, node_selector={"x": "y"})))))
    converge(store)
    assert [n for n, _ in _agents(store)] == ["node1"]
    assert store.get("DaemonSet", "agent", "default").status.desired_number_scheduled == 1
    assert DaemonSetController.kinds == ("DaemonSet", "Pod", "Node")
