"""What the kubelet knows of its pods, and the PodStatus it reports from that (pure)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import List, Optional, Tuple

from k8slab.api.pod import (Container, ContainerState, ContainerStateRunning, ContainerStateTerminated,
                            ContainerStateWaiting, ContainerStatus, HostIP, Pod, PodCondition, PodIP,
                            PodStatus)

BACKOFF_START = 10.0  # seconds; the kubelet's crash-loop back-off doubles up to five minutes
BACKOFF_MAX = 300.0


@dataclass
class ContainerRun:
    """One container of a pod on this node: its process and its history."""

    spec: Container
    state: ContainerState = field(default_factory=lambda: ContainerState(
        waiting=ContainerStateWaiting(reason="ContainerCreating")))
    last_state: ContainerState = field(default_factory=ContainerState)
    restart_count: int = 0
    container_id: Optional[str] = None
    popen: object = None  # subprocess.Popen of the running process
    pty: object = None  # runtime.tty.PtyProcess of a running `tty: true` container (for attach)
    started_at: Optional[datetime] = None
    backoff: float = 0.0
    restart_at: Optional[float] = None  # monotonic time of the next start attempt
    generation: int = 0  # bumped on every start, so a stale exit report is ignored
    env: Optional[dict] = None  # the environment of the latest start (`kubectl exec` gets the same)
    started_ok: bool = True  # the startup probe passed (or there is none): the `started` field
    ready_ok: bool = True  # the readiness probe passes (or there is none)
    kill_at: Optional[float] = None  # monotonic time to SIGKILL a container the kubelet is stopping
    pending_probes: object = None  # (ContainerProbes, ProbeTarget) until the container counts as running

    @property
    def running(self) -> bool:
        """True while the container's process runs."""
        return self.state.running is not None

    @property
    def started(self) -> bool:
        """Running, and past its startup probe if it has one."""
        return self.running and self.started_ok

    @property
    def ready(self) -> bool:
        """Running, started, and passing its readiness probe if it has one."""
        return self.started and self.ready_ok

    def reset_probes(self) -> None:
        """A new run starts not started/not ready when probes say so (the kubelet's initial results)."""
        self.started_ok = self.spec.startup_probe is None
        self.ready_ok = self.spec.readiness_probe is None
        self.kill_at = None
        self.pending_probes = None

    def new_id(self) -> str:
        """A fresh container ID, in containerd's form."""
        self.container_id = "containerd://" + secrets.token_hex(32)
        return self.container_id


@dataclass
class PodRun:
    """A pod as this node runs it."""

    uid: str
    namespace: str
    name: str
    ip: Optional[str] = None
    sandbox_key: Optional[str] = None
    init: List[ContainerRun] = field(default_factory=list)
    containers: List[ContainerRun] = field(default_factory=list)
    start_time: Optional[datetime] = None
    terminating: bool = False
    sandbox_gone: bool = False

    def all_runs(self) -> List[ContainerRun]:
        """Init containers then app containers."""
        return self.init + self.containers

    def find(self, name: str) -> Optional[ContainerRun]:
        """The container run called `name`."""
        return next((c for c in self.all_runs() if c.spec.name == name), None)

    @property
    def initialized(self) -> bool:
        """Every init container has completed successfully."""
        return all(c.state.terminated is not None and c.state.terminated.exit_code == 0 for c in self.init)


def terminated_state(exit_code: int, started: Optional[datetime], finished: datetime,
                     container_id: Optional[str], reason: Optional[str] = None,
                     message: Optional[str] = None) -> ContainerState:
    """A terminated ContainerState as containerd reports it (signals as 128+N, reason Error)."""
    if reason is None:
        reason = "Completed" if exit_code == 0 else "Error"
    return ContainerState(terminated=ContainerStateTerminated(
        exit_code=exit_code, reason=reason, message=message, started_at=started, finished_at=finished,
        container_id=container_id))


def should_restart(policy: str, exit_code: int) -> bool:
    """Does restartPolicy ask for another run after this exit?"""
    return policy == "Always" or (policy == "OnFailure" and exit_code != 0)


def phase_of(run: PodRun, policy: str) -> str:
    """The pod phase, as the kubelet's getPhase computes it."""
    if not run.initialized:
        failed_init = any(c.state.terminated and c.state.terminated.exit_code != 0 and c.restart_at is None
                          for c in run.init)
        return "Failed" if failed_init and policy == "Never" else "Pending"
    running = waiting = succeeded = failed = 0
    for c in run.containers:
        if c.running:
            running += 1
        elif c.state.terminated is not None:
            if c.state.terminated.exit_code == 0:
                succeeded += 1
            else:
                failed += 1
        elif c.last_state.terminated is not None:
            running += 1  # waiting to restart after a crash: still Running
        else:
            waiting += 1
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if policy == "Always":
        return "Running"
    return "Failed" if failed else "Succeeded"


def _condition(old: Tuple[PodCondition, ...], type_: str, ok: bool, now: datetime,
               reason: Optional[str] = None, message: Optional[str] = None) -> PodCondition:
    status = "True" if ok else "False"
    prev = next((c for c in old if c.type == type_), None)
    since = prev.last_transition_time if prev is not None and prev.status == status else now
    return PodCondition(type=type_, status=status, last_transition_time=since,
                        reason=None if ok else reason, message=None if ok else message)


def _container_status(c: ContainerRun, image: str) -> ContainerStatus:
    return ContainerStatus(
        name=c.spec.name, state=c.state, last_state=c.last_state, ready=c.ready,
        restart_count=c.restart_count, image=image_name(c.spec.image or ""),
        image_id=image_id(c.spec.image or "") if c.container_id else "",
        container_id=c.container_id, started=c.started)


def pod_status(pod: Pod, run: PodRun, host_ip: str, now: datetime) -> PodStatus:
    """The status this node reports for `pod`."""
    old = pod.status.conditions
    policy = pod.spec.restart_policy or "Always"
    not_ready = [c.spec.name for c in run.containers if not c.ready]
    ready = run.initialized and not not_ready and not run.terminating
    msg = f"containers with unready status: [{' '.join(not_ready)}]" if not_ready else None
    pending_init = [c.spec.name for c in run.init if not (c.state.terminated and c.state.terminated.exit_code == 0)]
    conditions = (
        _condition(old, "PodReadyToStartContainers", run.sandbox_key is not None and not run.sandbox_gone, now),
        _condition(old, "Initialized", run.initialized, now, "ContainersNotInitialized",
                   f"containers with incomplete status: [{' '.join(pending_init)}]"),
        _condition(old, "Ready", ready, now, "ContainersNotReady" if not_ready else "PodCompleted", msg),
        _condition(old, "ContainersReady", ready, now, "ContainersNotReady" if not_ready else "PodCompleted", msg),
        _condition(old, "PodScheduled", True, now),
    )
    return replace(
        pod.status, phase=phase_of(run, policy), conditions=conditions, host_ip=host_ip,
        host_ips=(HostIP(ip=host_ip),), pod_ip=run.ip, pod_ips=(PodIP(ip=run.ip),) if run.ip else (),
        start_time=run.start_time,
        init_container_statuses=tuple(_container_status(c, c.spec.image or "") for c in run.init),
        container_statuses=tuple(_container_status(c, c.spec.image or "") for c in run.containers),
        qos_class=pod.status.qos_class or "BestEffort")


def image_name(ref: str) -> str:
    """The fully qualified image name a runtime reports (`nginx` -> `docker.io/library/nginx:latest`)."""
    name, tag = ref, "latest"
    if "@" in name:
        return name
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = name.rsplit(":", 1)
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    return f"{name}:{tag}"


def image_id(ref: str) -> str:
    """A stable digest-form image ID for an image reference (nothing is pulled, so it is derived)."""
    import hashlib

    full = image_name(ref)
    repo = full.split("@")[0].rsplit(":", 1)[0]
    return f"{repo}@sha256:{hashlib.sha256(full.encode()).hexdigest()}"


def running_state(started: datetime) -> ContainerState:
    """A running ContainerState."""
    return ContainerState(running=ContainerStateRunning(started_at=started))


def waiting_state(reason: str, message: Optional[str] = None) -> ContainerState:
    """A waiting ContainerState."""
    return ContainerState(waiting=ContainerStateWaiting(reason=reason, message=message))


def runs_for(pod: Pod) -> Tuple[List[ContainerRun], List[ContainerRun]]:
    """Fresh container runs for a pod's init and app containers."""
    init = [ContainerRun(spec=c, state=waiting_state("PodInitializing")) for c in pod.spec.init_containers]
    apps = [ContainerRun(spec=c, state=waiting_state("PodInitializing" if init else "ContainerCreating"))
            for c in pod.spec.containers]
    return init, apps

