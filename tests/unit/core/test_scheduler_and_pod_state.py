"""The scheduler's choice and the kubelet's phase/status logic (pure)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from k8slab.api.codec import from_dict
from k8slab.api.pod import Pod
from k8slab.cluster import node_object
from k8slab.controllers.scheduler import choose_node
from k8slab.net.addresses import ClusterSpec
from k8slab.runtime.state import (PodRun, image_name, phase_of, pod_status, runs_for, running_state, should_restart,
                                  terminated_state, waiting_state)

NOW = datetime(2026, 11, 22, 10, 0, 0, tzinfo=timezone.utc)


def pod(spec=None):
    return from_dict(Pod, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default", "uid": "u1"},
                           "spec": {"containers": [{"name": "c", "image": "busybox"}], **(spec or {})}})


NODES = [node_object(p, NOW) for p in ClusterSpec(3).node_plans()]


def test_spreads_to_the_least_loaded_node():
    assert choose_node(pod(), NODES, {"node1": 2, "node2": 1, "node3": 1}) == ("node2", None)


def test_node_selector_filters_and_explains_failure():
    assert choose_node(pod({"nodeSelector": {"kubernetes.io/hostname": "node3"}}), NODES, {})[0] == "node3"
    node, why = choose_node(pod({"nodeSelector": {"disk": "ssd"}}), NODES, {})
    assert node is None
    assert why.startswith("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.")


def required(*terms):
    return {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": list(terms)}}}}


def test_required_node_affinity_filters_nodes():
    not_node2 = {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "NotIn", "values": ["node2"]}]}
    assert choose_node(pod(required(not_node2)), NODES, {"node1": 5, "node2": 0, "node3": 1})[0] == "node3"
    by_name = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node1"]}]}
    assert choose_node(pod(required(by_name)), NODES, {"node1": 9})[0] == "node1"
    either = [{"matchExpressions": [{"key": "disk", "operator": "Exists"}]}, by_name]  # terms are ORed
    assert choose_node(pod(required(*either)), NODES, {})[0] == "node1"
    node, why = choose_node(pod(required({"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]})),
                            NODES, {})
    assert node is None and "didn't match Pod's node affinity/selector" in why
    preferred = {"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}}
    assert choose_node(pod(preferred), NODES, {"node1": 1, "node2": 0, "node3": 1})[0] == "node2"


@pytest.mark.parametrize("policy,code,restart", [("Always", 0, True), ("Always", 1, True), ("OnFailure", 0, False),
                                                 ("OnFailure", 2, True), ("Never", 1, False)])
def test_restart_policy(policy, code, restart):
    assert should_restart(policy, code) is restart


def _run(states):
    p = pod()
    run = PodRun(uid="u1", namespace="default", name="p", ip="10.244.1.2", sandbox_key="k")
    run.init, run.containers = runs_for(p)
    for c, st in zip(run.containers, states):
        c.state = st
    return p, run


@pytest.mark.parametrize("state,policy,phase", [
    (waiting_state("ContainerCreating"), "Always", "Pending"),
    (running_state(NOW), "Always", "Running"),
    (terminated_state(0, NOW, NOW, None), "Never", "Succeeded"),
    (terminated_state(3, NOW, NOW, None), "Never", "Failed"),
    (terminated_state(3, NOW, NOW, None), "OnFailure", "Failed"),
])
def test_phase(state, policy, phase):
    _, run = _run([state])
    assert phase_of(run, policy) == phase


def test_crash_looping_container_keeps_the_pod_running():
    _, run = _run([waiting_state("CrashLoopBackOff")])
    run.containers[0].last_state = terminated_state(1, NOW, NOW, None)
    assert phase_of(run, "Always") == "Running"


def test_status_conditions_and_addresses():
    p, run = _run([running_state(NOW)])
    status = pod_status(p, run, "172.18.0.2", NOW)
    assert (status.phase, status.pod_ip, status.host_ip) == ("Running", "10.244.1.2", "172.18.0.2")
    assert {c.type: c.status for c in status.conditions} == {
        "PodReadyToStartContainers": "True", "Initialized": "True", "Ready": "True", "ContainersReady": "True",
        "PodScheduled": "True"}
    p2, run2 = _run([waiting_state("ContainerCreating")])
    ready = next(c for c in pod_status(p2, run2, "172.18.0.2", NOW).conditions if c.type == "Ready")
    assert (ready.status, ready.reason, ready.message) == ("False", "ContainersNotReady", "containers with unready status: [c]")


@pytest.mark.parametrize("ref,full", [("nginx", "docker.io/library/nginx:latest"), ("busybox:1.28", "docker.io/library/busybox:1.28"),
                                      ("hashicorp/http-echo", "docker.io/hashicorp/http-echo:latest"),
                                      ("registry.k8s.io/e2e-test-images/agnhost:2.39", "registry.k8s.io/e2e-test-images/agnhost:2.39")])
def test_image_names_as_a_runtime_reports_them(ref, full):
    assert image_name(ref) == full


def test_userns_restriction_names_the_fix(monkeypatch):
    from k8slab import sandbox

    files = {"/proc/sys/kernel/apparmor_restrict_unprivileged_userns": "1\n"}

    def fake_open(path, *a, **k):
        if path in files:
            import io
            return io.StringIO(files[path])
        raise OSError("absent")

    monkeypatch.setattr("builtins.open", fake_open)
    msg = sandbox.userns_restriction()
    assert "AppArmor" in msg and "sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0" in msg
    files.clear()
    assert sandbox.userns_restriction() is None
