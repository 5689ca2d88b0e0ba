"""The READY, STATUS and RESTARTS cells of `kubectl get pods`, as kubectl's `printPod` computes them.

The order of the checks matters and is kubectl's: phase, then `status.reason`, then init
containers (stopping at the first one not done), then app containers walked in *reverse* so the
first container's state wins, then the deletion overrides (`Terminating`, `Unknown`).
"""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Tuple

from k8slab.views.age import age, parse_timestamp

NODE_UNREACHABLE_REASON = "NodeLost"  # k8s.io/kubernetes/pkg/util/node.NodeUnreachablePodReason


def _restartable(container: Optional[dict]) -> bool:
    return bool(container) and container.get("restartPolicy") == "Always"


def _condition_true(status: dict, kind: str) -> bool:
    for cond in status.get("conditions") or []:
        if cond.get("type") == kind:
            return cond.get("status") == "True"
    return False


def _finished_at(cs: dict) -> Optional[datetime]:
    terminated = (cs.get("lastState") or {}).get("terminated")
    if terminated is None:
        return None
    return parse_timestamp(terminated.get("finishedAt"))


def _later(a: Optional[datetime], b: Optional[datetime]) -> Optional[datetime]:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def pod_summary(pod: dict) -> Tuple[int, int, str, int, Optional[datetime]]:
    """(ready containers, total containers, status, restarts, last restart time) for one pod."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    meta = pod.get("metadata") or {}
    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}
    total = len(spec.get("containers") or []) + sum(1 for c in init_specs.values() if _restartable(c))
    ready = 0
    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    restarts, sidecar_restarts = 0, 0
    last_restart: Optional[datetime] = None
    last_sidecar_restart: Optional[datetime] = None
    initializing = False
    init_statuses: List[dict] = status.get("initContainerStatuses") or []
    for i, cs in enumerate(init_statuses):
        restarts += cs.get("restartCount", 0)
        last_restart = _later(last_restart, _finished_at(cs))
        sidecar = _restartable(init_specs.get(cs.get("name")))
        if sidecar:
            sidecar_restarts += cs.get("restartCount", 0)
            last_sidecar_restart = _later(last_sidecar_restart, _finished_at(cs))
        state = cs.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and terminated.get("exitCode", 0) == 0:
            continue
        if sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            reason = "Init:" + _terminated_reason(terminated)
        elif waiting is not None and waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{i}/{len(spec.get('initContainers') or [])}"
        initializing = True
        break

    if not initializing or _condition_true(status, "Initialized"):
        restarts, last_restart = sidecar_restarts, last_sidecar_restart
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += cs.get("restartCount", 0)
            last_restart = _later(last_restart, _finished_at(cs))
            state = cs.get("state") or {}
            terminated, waiting = state.get("terminated"), state.get("waiting")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = _terminated_reason(terminated)
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        # A finished container next to a running one: the pod is still Running (or NotReady).
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(status, "Ready") else "NotReady"

    if meta.get("deletionTimestamp") and status.get("reason") == NODE_UNREACHABLE_REASON:
        reason = "Unknown"
    elif meta.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return ready, total, reason, restarts, last_restart


def _terminated_reason(terminated: dict) -> str:
    if terminated.get("reason"):
        return terminated["reason"]
    if terminated.get("signal"):
        return f"Signal:{terminated['signal']}"
    return f"ExitCode:{terminated.get('exitCode', 0)}"


def pod_status(pod: dict) -> str:
    """The STATUS cell: `Running`, `ContainerCreating`, `CrashLoopBackOff`, `Init:0/1`..."""
    return pod_summary(pod)[2]


def pod_ready(pod: dict) -> str:
    """The READY cell: `<ready>/<total>`."""
    ready, total, _, _, _ = pod_summary(pod)
    return f"{ready}/{total}"


def pod_restarts(pod: dict, now: datetime) -> str:
    """The RESTARTS cell: `0`, or `3 (41s ago)` from the latest `lastState.terminated.finishedAt`."""
    _, _, _, restarts, last = pod_summary(pod)
    if restarts != 0 and last is not None:
        return f"{restarts} ({age(last, now)} ago)"
    return str(restarts)
