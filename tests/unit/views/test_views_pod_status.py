"""READY / STATUS / RESTARTS for every case kubectl's printPod distinguishes."""

from __future__ import annotations

import copy

import pytest
from views_samples import NOW, nginx_pod, with_state

from k8slab.views.podstatus import pod_ready, pod_restarts, pod_status

RUNNING = {"running": {"startedAt": "2026-11-22T10:00:05Z"}}


def waiting(reason):
    return {"waiting": {"reason": reason, "message": "..."}}


def terminated(reason="", exit_code=0, signal=0):
    t = {"exitCode": exit_code, "startedAt": "2026-11-22T10:00:05Z", "finishedAt": "2026-11-22T10:04:19Z"}
    if reason:
        t["reason"] = reason
    if signal:
        t["signal"] = signal
    return {"terminated": t}


def pending_unscheduled():
    p = nginx_pod()
    del p["spec"]["nodeName"]
    p["status"] = {"phase": "Pending", "qosClass": "BestEffort", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}
    return p


def scheduling_gated():
    p = pending_unscheduled()
    p["status"]["conditions"][0]["reason"] = "SchedulingGated"
    return p


def deleting(p, reason=None, phase=None):
    p = copy.deepcopy(p)
    p["metadata"]["deletionTimestamp"] = "2026-11-22T10:04:30Z"
    if reason:
        p["status"]["reason"] = reason
    if phase:
        p["status"]["phase"] = phase
    return p


def evicted(container_statuses=True):
    p = with_state(nginx_pod(), terminated("ContainerStatusUnknown", 137), phase="Failed")
    p["status"]["reason"] = "Evicted"
    if not container_statuses:
        del p["status"]["containerStatuses"]
    return p


def two_containers(first_state, second_state, ready_condition="True"):
    p = nginx_pod()
    second = copy.deepcopy(p["status"]["containerStatuses"][0])
    second["name"] = "sidecar"
    p["spec"]["containers"].append(dict(p["spec"]["containers"][0], name="sidecar"))
    p["status"]["containerStatuses"][0].update(state=first_state, ready="running" in first_state)
    second.update(state=second_state, ready="running" in second_state)
    p["status"]["containerStatuses"].append(second)
    for c in p["status"]["conditions"]:
        if c["type"] == "Ready":
            c["status"] = ready_condition
    return p


def with_init(init_states, *, initialized="False", app_state=None, restartable=False, started=False):
    p = nginx_pod()
    p["status"]["phase"] = "Pending"
    p["spec"]["initContainers"] = []
    p["status"]["initContainerStatuses"] = []
    for i, state in enumerate(init_states):
        spec = {"name": f"init{i}", "image": "busybox"}
        if restartable:
            spec["restartPolicy"] = "Always"
        p["spec"]["initContainers"].append(spec)
        p["status"]["initContainerStatuses"].append(
            {"name": f"init{i}", "state": state, "ready": started, "restartCount": 0, "started": started,
             "image": "busybox", "imageID": "", "lastState": {}})
    p["status"]["containerStatuses"][0].update(state=app_state or waiting("PodInitializing"), ready=False)
    for c in p["status"]["conditions"]:
        if c["type"] == "Initialized":
            c["status"] = initialized
    return p


CASES = [
    ("running", nginx_pod(), "1/1", "Running"),
    ("pending unscheduled", pending_unscheduled(), "0/1", "Pending"),
    ("scheduling gated", scheduling_gated(), "0/1", "SchedulingGated"),
    ("container creating", with_state(nginx_pod(), waiting("ContainerCreating"), phase="Pending"), "0/1",
     "ContainerCreating"),
    ("err image pull", with_state(nginx_pod(), waiting("ErrImagePull"), phase="Pending"), "0/1", "ErrImagePull"),
    ("image pull backoff", with_state(nginx_pod(), waiting("ImagePullBackOff"), phase="Pending"), "0/1",
     "ImagePullBackOff"),
    ("crash loop", with_state(nginx_pod(), waiting("CrashLoopBackOff"), restarts=3,
                              last_state=terminated("Error", 1)), "0/1", "CrashLoopBackOff"),
    ("completed", with_state(nginx_pod(), terminated("Completed"), phase="Succeeded"), "0/1", "Completed"),
    ("error", with_state(nginx_pod(), terminated("Error", 1), phase="Failed"), "0/1", "Error"),
    ("oom killed", with_state(nginx_pod(), terminated("OOMKilled", 137)), "0/1", "OOMKilled"),
    ("exit code without reason", with_state(nginx_pod(), terminated("", 2)), "0/1", "ExitCode:2"),
    ("signal without reason", with_state(nginx_pod(), terminated("", 137, signal=9)), "0/1", "Signal:9"),
    ("running but not ready", with_state(nginx_pod(), RUNNING, ready=False), "0/1", "Running"),
    ("evicted, no container statuses", evicted(False), "0/1", "Evicted"),
    # A container's terminated reason overrides status.reason, as in kubectl.
    ("evicted, container status unknown", evicted(), "0/1", "ContainerStatusUnknown"),
    ("terminating", deleting(nginx_pod()), "1/1", "Terminating"),
    ("terminating completed pod keeps its status",
     deleting(with_state(nginx_pod(), terminated("Completed"), phase="Succeeded")), "0/1", "Completed"),
    ("node lost and deleted", deleting(nginx_pod(), reason="NodeLost"), "1/1", "Unknown"),
    ("one of two ready", two_containers(RUNNING, waiting("CrashLoopBackOff")), "1/2", "CrashLoopBackOff"),
    ("first container wins", two_containers(waiting("ErrImagePull"), waiting("CrashLoopBackOff")), "0/2",
     "ErrImagePull"),
    ("completed beside running, pod ready", two_containers(terminated("Completed"), RUNNING), "1/2", "Running"),
    ("completed beside running, pod not ready",
     two_containers(terminated("Completed"), RUNNING, ready_condition="False"), "1/2", "NotReady"),
    ("init 0/1", with_init([{"running": {"startedAt": "2026-11-22T10:00:01Z"}}]), "0/1", "Init:0/1"),
    ("init 1/2", with_init([terminated("Completed"), {"running": {}}]), "0/1", "Init:1/2"),
    ("init waiting", with_init([waiting("ImagePullBackOff")]), "0/1", "Init:ImagePullBackOff"),
    ("init crash loop", with_init([waiting("CrashLoopBackOff")]), "0/1", "Init:CrashLoopBackOff"),
    ("init error", with_init([terminated("Error", 1)]), "0/1", "Init:Error"),
    ("init exit code", with_init([terminated("", 3)]), "0/1", "Init:ExitCode:3"),
    ("init signal", with_init([terminated("", 137, signal=9)]), "0/1", "Init:Signal:9"),
    ("init done, app initializing", with_init([terminated("Completed")], initialized="True"), "0/1",
     "PodInitializing"),
    ("sidecar counts as a container",
     with_init([{"running": {}}], restartable=True, started=True, initialized="True", app_state=RUNNING),
     "1/2", "Pending"),
]


@pytest.mark.parametrize("name, pod, ready, status", CASES, ids=[c[0] for c in CASES])
def test_ready_and_status(name, pod, ready, status):
    assert (pod_ready(pod), pod_status(pod)) == (ready, status)


def test_restarts_show_time_since_last_termination():
    p = with_state(nginx_pod(), waiting("CrashLoopBackOff"), restarts=3, last_state=terminated("Error", 1))
    assert pod_restarts(p, NOW) == "3 (41s ago)"  # finished 10:04:19, now 10:05:00


def test_restarts_sum_containers_and_take_latest_finish():
    p = two_containers(RUNNING, RUNNING)
    p["status"]["containerStatuses"][0].update(restartCount=2, lastState=terminated("Error", 1))
    late = terminated("Error", 1)
    late["terminated"]["finishedAt"] = "2026-11-22T10:02:55Z"
    p["status"]["containerStatuses"][1].update(restartCount=1, lastState=late)
    assert pod_restarts(p, NOW) == "3 (41s ago)"


def test_restarts_without_finish_time_or_zero():
    assert pod_restarts(nginx_pod(), NOW) == "0"
    p = with_state(nginx_pod(), RUNNING, ready=True, restarts=2)
    assert pod_restarts(p, NOW) == "2"


def test_restarts_use_human_duration():
    p = with_state(nginx_pod(), RUNNING, ready=True, restarts=1, last_state=terminated("Error", 1))
    p["status"]["containerStatuses"][0]["lastState"]["terminated"]["finishedAt"] = "2026-11-22T09:57:55Z"
    assert pod_restarts(p, NOW) == "1 (7m5s ago)"
