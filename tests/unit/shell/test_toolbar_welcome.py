"""The status bar's counts and the welcome text."""

from __future__ import annotations

from dataclasses import replace

from k8slab.api.codec import from_dict
from k8slab.api.namespace import Namespace
from k8slab.api.node import Node
from k8slab.api.pod import Pod
from k8slab.shell.toolbar import cluster_counts, toolbar
from k8slab.views.welcome import welcome
from tests.unit.shell.light_session import light_session


def _node(name: str, ready: str):
    return from_dict(Node, {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
                            "status": {"conditions": [{"type": "Ready", "status": ready}]}})


def _pod(name: str, phase: str, ready: str):
    return from_dict(Pod, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                           "spec": {"containers": [{"name": "c", "image": "nginx"}]},
                           "status": {"phase": phase, "conditions": [{"type": "Ready", "status": ready}]}})


def test_counts_ready_nodes_and_the_namespace_s_unfinished_pods():
    session = light_session()
    store = session.cluster.store

    def add(obj, namespace=None):  # as the kubelets would: create, then report status
        created = store.create(obj, namespace=namespace)
        store.update_status(replace(created, status=obj.status))

    add(_node("node1", "True"))
    add(_node("node2", "Unknown"))
    add(_pod("a", "Running", "True"), "default")
    add(_pod("b", "Running", "False"), "default")
    add(_pod("done", "Succeeded", "False"), "default")
    store.create(from_dict(Namespace, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}}))
    add(_pod("elsewhere", "Running", "True"), "other")
    assert cluster_counts(store, "default") == {"nodes": 2, "nodes_ready": 1, "pods": 2, "pods_ready": 1}
    text = "".join(t for _, t in toolbar(session))
    assert "nodes 1/2 Ready" in text and "pods 1/2 Ready" in text and "namespace default" in text
    styles = dict((t, s) for s, t in toolbar(session))
    assert styles["1/2 Ready"] == "class:toolbar.warn"


def test_a_lesson_adds_its_step_to_the_bar():
    session = light_session()
    session.status_providers.append(lambda: "lesson 2, step 3/7")
    assert "lesson 2, step 3/7" in "".join(t for _, t in toolbar(session))


def test_welcome_says_what_to_type_first_and_has_no_colour_unless_asked():
    session = light_session()
    plain = welcome(session.cluster, 1.04)
    assert "3-node Kubernetes cluster is ready (1.0 s" in plain
    assert "kubectl run web --image=nginx" in plain and "help" in plain
    assert "\x1b[" not in plain
    assert len(plain.splitlines()) <= 7 and max(len(line) for line in plain.splitlines()) <= 100
    assert "\x1b[" in welcome(session.cluster, 1.0, color=True)
