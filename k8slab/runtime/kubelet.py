"""The kubelet: one per node. Runs the pods bound to its node and reports their status.

Level-triggered like the real one: watch events, container exits and timers only enqueue a pod key;
`_sync` re-reads the pod from the store, compares it with what runs here, and takes the next step.
"""

from __future__ import annotations

import heapq
import logging
import os
import queue
import signal
import sys
import threading
import time
from dataclasses import replace
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from k8slab.api.meta import utc_now
from k8slab.api.pod import Pod
from k8slab.api.recorder import NullRecorder, Source
from k8slab.net.addresses import PodIPAM
from k8slab.net.network import ClusterNetwork
from k8slab.runtime import processes
from k8slab.runtime.catalogue import plan_container
from k8slab.runtime.env import ConfigError, container_env, expand_argv, service_env
from k8slab.runtime.podfiles import pod_hosts_file, pod_resolv_conf
from k8slab.runtime.probes import LIVENESS, SUCCESS, ProbeReport, Prober, ProbeTarget, named_ports, probes_for
from k8slab.runtime.access import PodAccess
from k8slab.runtime.termination import Termination, _Power
from k8slab.runtime.state import (BACKOFF_MAX, BACKOFF_START, ContainerRun, PodRun, pod_status, running_state,
                                  runs_for, should_restart, terminated_state, waiting_state)

log = logging.getLogger(__name__)

Key = Tuple[str, str]  # (namespace, name)
READY_WAIT = 3.0  # seconds a built-in server may take to bind its ports


class Kubelet(Termination, PodAccess):
    """The node agent for `node`."""

    def __init__(self, node: str, host_ip: str, store, network: ClusterNetwork, ipam: PodIPAM,
                 state_dir: str, node_resolv: str = "", recorder=None):
        self.node = node
        self.host_ip = host_ip
        self.store = store
        self.network = network
        self.ipam = ipam
        self.state_dir = state_dir
        self.node_resolv = node_resolv
        self.pods: Dict[Key, PodRun] = {}
        self._queue: "queue.Queue" = queue.Queue()  # pod keys, _Exit reports, None to stop
        self._timers: list = []  # heap of (monotonic time, key)
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._watch = None
        self.recorder = recorder or NullRecorder()
        self.source = Source("kubelet", node)
        self.prober: Optional[Prober] = None
        self.down = False
        self.alive = threading.Event()  # set while the node runs (node stop clears it)
        self.alive.set()

    # -- loop ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Start watching pods and running them."""
        self._watch = self.store.watch(["Pod"], send_initial=True)
        self.prober = Prober(self._queue.put, lambda: self.network.pid_of(self.node))
        threading.Thread(target=self._pump, name=f"kubelet-watch-{self.node}", daemon=True).start()
        self._thread = threading.Thread(target=self._loop, name=f"kubelet-{self.node}", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        for event in self._watch:
            if event is None:
                break
            pod = event.obj
            if pod.spec.node_name == self.node or (pod.metadata.namespace, pod.metadata.name) in self.pods:
                self._queue.put((pod.metadata.namespace, pod.metadata.name))

    def _loop(self) -> None:
        while not self._stop.is_set():
            timeout = None
            if self._timers:
                timeout = max(0.0, self._timers[0][0] - time.monotonic())
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                item = None
            key = item
            if isinstance(item, _Power):
                self._power(item.on)
                continue
            if self.down:
                continue  # a stopped node does nothing; it catches up from the store when it starts
            if isinstance(item, _Exit):
                self._on_exit(item)
                key = item.key
            elif isinstance(item, _Listening):
                self._on_listening(item)
                key = item.key
            elif isinstance(item, ProbeReport):
                self._on_probe(item)
                key = item.key
            due = []
            while self._timers and self._timers[0][0] <= time.monotonic():
                due.append(heapq.heappop(self._timers)[1])
            for k in ([key] if key else []) + due:
                try:
                    self._sync(k)
                except Exception:  # a bug must not stop the node: log it and carry on
                    if self._stop.is_set():
                        return  # shutting down: the network may already be gone
                    log.exception("kubelet %s: sync of %s/%s failed", self.node, *k)

    def _later(self, delay: float, key: Key) -> None:
        heapq.heappush(self._timers, (time.monotonic() + delay, key))

    def stop(self) -> None:
        """Stop the loop and kill every container this node runs."""
        self._stop.set()
        self._queue.put(None)
        if self.prober is not None:
            self.prober.stop()
        if self._watch is not None:
            self._watch.close()
        for run in list(self.pods.values()):
            for c in run.all_runs():
                if c.popen is not None:
                    processes.signal_group(c.popen, signal.SIGKILL)

    # -- sync ----------------------------------------------------------------------------------

    def _sync(self, key: Key) -> None:
        ns, name = key
        pod: Optional[Pod] = self.store.try_get("Pod", name, ns)
        run = self.pods.get(key)
        if run is not None and (pod is None or pod.metadata.uid != run.uid):
            self._teardown(run)  # deleted (or replaced by a new pod of the same name)
            del self.pods[key]
            run = None
        if pod is None or pod.spec.node_name != self.node:
            return
        if pod.metadata.deletion_timestamp is not None:
            self._terminate(pod, run)
            return
        if run is None:
            if pod.status.phase in ("Succeeded", "Failed"):
                return
            run = self._create_sandbox(pod)
            if run is None:
                return
        if not run.sandbox_gone:
            self._kill_overdue(run)
            self._start_due_containers(pod, run)
        self._report(pod, run)
        if pod.status.phase not in ("Succeeded", "Failed"):
            status = self._current_phase(key)
            if status in ("Succeeded", "Failed") and not run.sandbox_gone:
                self._release_sandbox(run)  # a finished pod keeps its status but frees its network
                self._report(self.store.try_get("Pod", name, ns) or pod, run)

    def _current_phase(self, key: Key) -> Optional[str]:
        pod = self.store.try_get("Pod", key[1], key[0])
        return pod.status.phase if pod else None

    def _create_sandbox(self, pod: Pod) -> Optional[PodRun]:
        meta = pod.metadata
        run = PodRun(uid=meta.uid, namespace=meta.namespace, name=meta.name, start_time=utc_now())
        run.init, run.containers = runs_for(pod)
        self.pods[(meta.namespace, meta.name)] = run
        self._report(pod, run)  # Pending / ContainerCreating while the network is wired
        ip = self.ipam.allocate()
        hostname = pod.spec.hostname or meta.name
        pod_dir = self._pod_dir(run)
        os.makedirs(pod_dir, exist_ok=True)
        hosts = os.path.join(pod_dir, "hosts")
        resolv = os.path.join(pod_dir, "resolv.conf")
        aliases = [(a.ip, a.hostnames) for a in pod.spec.host_aliases]
        with open(hosts, "w") as f:
            f.write(pod_hosts_file(ip, hostname, meta.namespace, pod.spec.subdomain, aliases))
        dns = pod.spec.dns_config
        with open(resolv, "w") as f:
            f.write(pod_resolv_conf(pod.spec.dns_policy or "ClusterFirst", meta.namespace, self.node_resolv,
                                    dns.nameservers if dns else (), dns.searches if dns else (),
                                    [(o.name or "", o.value) for o in dns.options] if dns else ()))
        key = meta.uid.replace("-", "")[:12]
        try:
            self.network.add_pod(key, self.node, ip, hostname[:63], hosts, resolv)
        except Exception:
            self.ipam.release(ip)
            raise
        run.ip, run.sandbox_key = ip, key
        return run

    def _pod_dir(self, run: PodRun) -> str:
        return os.path.join(self.state_dir, "pods", f"{run.namespace}_{run.name}_{run.uid}")

    def _start_due_containers(self, pod: Pod, run: PodRun) -> None:
        now = time.monotonic()
        for group in (run.init, run.containers):
            for c in group:
                if c.running or c.popen is not None:
                    continue
                if c.state.terminated is not None:
                    continue  # finished for good (no restart due)
                if c.restart_at is not None and c.restart_at > now:
                    continue
                self._start(pod, run, c)
            if group is run.init and not run.initialized:
                # Init containers run one at a time, in order; app containers wait for all of them.
                return

    def _start(self, pod: Pod, run: PodRun, c: ContainerRun) -> None:
        if run.init and c in run.init:
            previous = run.init[:run.init.index(c)]
            if not all(p.state.terminated and p.state.terminated.exit_code == 0 for p in previous):
                return
        spec = c.spec
        ports = [(p.container_port, p.protocol or "TCP") for p in spec.ports]
        try:
            links = service_env(self.store.list("Service"), pod.metadata.namespace,
                                pod.spec.enable_service_links is not False)
            env = container_env(pod, spec, links)
        except ConfigError as e:
            if not (c.state.waiting and c.state.waiting.reason == "CreateContainerConfigError"):
                self._event(pod, c, "Warning", "Failed", f"Error: {e}")
            c.state = waiting_state("CreateContainerConfigError", str(e))
            self._later(2.0, (run.namespace, run.name))
            return
        plan = plan_container(spec.image or "", expand_argv(spec.command, env), expand_argv(spec.args, env),
                              ports, python=sys.executable)
        c.env = env
        if c.generation:
            c.restart_count += 1
        c.generation += 1
        c.new_id()
        c.reset_probes()
        started = utc_now()
        self._event(pod, c, "Normal", "Pulled", f'Container image "{spec.image or ""}" already present on machine')
        self._event(pod, c, "Normal", "Created", f"Created container: {spec.name}")
        log_path = os.path.join(self._pod_dir(run), spec.name, f"{c.restart_count}.log")
        try:
            proc = processes.start_process(
                self._sandbox_pid(run), plan.argv, env, log_path, workdir=spec.working_dir,
                keep_stdin_open=bool(spec.stdin), ready_pipe=bool(plan.listens), tty=bool(spec.tty))
        except processes.StartError as e:
            self._event(pod, c, "Warning", "Failed", f"Error: {e}")
            self._exited(run, c, 128, started, reason="StartError", message=str(e))
            return
        c.popen, c.pty, c.started_at = proc.popen, proc.pty, started
        c.restart_at = None
        key = (run.namespace, run.name)
        self._event(pod, c, "Normal", "Started", f"Started container {spec.name}")
        probes = probes_for(spec, time.monotonic())  # delays count from the start, not from listening
        if probes is not None and c not in run.init:
            target = ProbeTarget(pod_ip=run.ip or "", ports=named_ports(spec),
                                 sandbox_pid=self._sandbox_pid(run), env=dict(env))
            c.pending_probes = (probes, target)
        if proc.ready_fd is None:
            c.state = running_state(started)
            self._watch_probes(run, c)
        else:
            # A built-in server counts as running once it listens, so that Ready means "answers".
            # Wait for that off the loop: other pods on this node start meanwhile.
            threading.Thread(target=self._wait_listening, args=(key, run.uid, c, c.generation, proc),
                             name=f"ready-{spec.name}", daemon=True).start()
        threading.Thread(target=self._wait_exit, args=(key, run.uid, c, c.generation),
                         name=f"wait-{spec.name}", daemon=True).start()

    def _sandbox_pid(self, run: PodRun) -> int:
        return self.network.pods[run.sandbox_key].pid

    def _wait_exit(self, key: Key, uid: str, c: ContainerRun, generation: int) -> None:
        code = c.popen.wait()
        self._queue.put(_Exit(key, uid, c, generation, code))

    def _wait_listening(self, key: Key, uid: str, c: ContainerRun, generation: int, proc) -> None:
        processes.wait_ready(proc.ready_fd, proc.popen, READY_WAIT)
        self._queue.put(_Listening(key, uid, c, generation))

    def _on_listening(self, report: "_Listening") -> None:
        run = self.pods.get(report.key)
        c = report.container
        if run is None or run.uid != report.uid or c.generation != report.generation or c.popen is None:
            return
        c.state = running_state(c.started_at)
        # Probing a built-in server starts once it listens: its start-up is k8slab's, not the image's.
        self._watch_probes(run, c)

    def _watch_probes(self, run: PodRun, c: ContainerRun) -> None:
        if c.pending_probes is None or self.prober is None:
            return
        probes, target = c.pending_probes
        c.pending_probes = None
        self.prober.watch((run.namespace, run.name), run.uid, c.spec.name, c.generation, probes, target)

    def _on_probe(self, report: ProbeReport) -> None:
        run = self.pods.get(report.key)
        c = run.find(report.container) if run is not None and run.uid == report.uid else None
        if c is None or c.generation != report.generation or c.popen is None or run.terminating:
            return  # about a run that has since ended or been replaced
        out = report.outcome
        c.ready_ok, c.started_ok = out.ready, out.started
        pod = self.store.try_get("Pod", run.name, run.namespace)
        if pod is None:
            return
        if out.result != SUCCESS:
            self._event(pod, c, "Warning", "Unhealthy", out.message)
        if out.kill and c.kill_at is None:
            which = "liveness" if out.kind == LIVENESS else "startup"
            self._event(pod, c, "Normal", "Killing",
                        f"Container {c.spec.name} failed {which} probe, will be restarted")
            probe = c.spec.liveness_probe if out.kind == LIVENESS else c.spec.startup_probe
            grace = probe.termination_grace_period_seconds if probe else None
            if grace is None:
                grace = pod.spec.termination_grace_period_seconds
            self._stop_container(run, c, float(30 if grace is None else grace))

    def _stop_container(self, run: PodRun, c: ContainerRun, grace: float) -> None:
        """SIGTERM now (if it can reach the process), SIGKILL once the grace period is over."""
        if processes.stop_signal_reaches(c.popen.pid):
            processes.signal_group(c.popen, signal.SIGTERM)
        c.kill_at = time.monotonic() + grace
        self._later(grace, (run.namespace, run.name))

    def _kill_overdue(self, run: PodRun) -> None:
        now = time.monotonic()
        for c in run.all_runs():
            if c.popen is not None and c.kill_at is not None and c.kill_at <= now:
                processes.signal_group(c.popen, signal.SIGKILL)

    def _event(self, pod: Optional[Pod], c: ContainerRun, type_: str, reason: str, message: str) -> None:
        if pod is None:
            return
        run = self.pods.get((pod.metadata.namespace, pod.metadata.name))
        field = "initContainers" if run is not None and c in run.init else "containers"
        self.recorder.event(pod, type_, reason, message, self.source, f"spec.{field}{{{c.spec.name}}}")

    def _on_exit(self, report: "_Exit") -> None:
        run = self.pods.get(report.key)
        if run is None or run.uid != report.uid or report.container.generation != report.generation:
            return  # a report about a run that has since been replaced
        self._exited(run, report.container, report.code, report.container.started_at)

    def _exited(self, run: PodRun, c: ContainerRun, code: int, started, reason=None, message=None) -> None:
        finished = utc_now()
        if code < 0:  # killed by a signal: runtimes report 128 + the signal number
            code = 128 - code
        state = terminated_state(code, started, finished, c.container_id, reason, message)
        c.popen = c.pty = None
        c.kill_at = None
        if self.prober is not None:
            self.prober.forget((run.namespace, run.name), c.spec.name)
        pod = self.store.try_get("Pod", run.name, run.namespace)
        if pod is not None and pod.metadata.uid != run.uid:
            pod = None
        policy = (pod.spec.restart_policy if pod else None) or "Always"
        if c in run.init:
            policy = "Never" if policy == "Never" else "OnFailure"  # init containers rerun until success
        if not run.terminating and should_restart(policy, code):
            # The first restart is immediate; then the back-off doubles from 10 s to 5 min.
            c.last_state = state
            delay, c.backoff = c.backoff, (min(c.backoff * 2, BACKOFF_MAX) if c.backoff else BACKOFF_START)
            c.state = waiting_state("CrashLoopBackOff", f"back-off {int(delay)}s restarting failed "
                                    f"container={c.spec.name} pod={run.name}_{run.namespace}({run.uid})") \
                if delay else waiting_state("ContainerCreating")
            c.restart_at = time.monotonic() + delay
            self._later(delay, (run.namespace, run.name))
            if delay:
                self._event(pod, c, "Warning", "BackOff", f"Back-off restarting failed container {c.spec.name} "
                            f"in pod {run.name}_{run.namespace}({run.uid})")
        else:
            c.state = state

    # -- status --------------------------------------------------------------------------------

    def _report(self, pod: Pod, run: PodRun) -> None:
        status = pod_status(pod, run, self.host_ip, utc_now())
        if status == pod.status:
            return
        for _ in range(3):
            try:
                self.store.update_status(replace(pod, status=status))
                return
            except Exception as e:  # Conflict or NotFound: re-read and retry with the fresh object
                fresh = self.store.try_get("Pod", run.name, run.namespace)
                if fresh is None or fresh.metadata.uid != run.uid:
                    return
                pod = fresh
                status = pod_status(pod, run, self.host_ip, utc_now())
                log.debug("status update of %s retried: %s", run.name, e)

    # -- deletion ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Exit:
    """A container process ended (reported by its waiter thread to the kubelet's loop)."""

    key: Key
    uid: str
    container: ContainerRun
    generation: int
    code: int


@dataclass(frozen=True)
class _Listening:
    """A built-in server's sockets are bound (or it gave up trying)."""

    key: Key
    uid: str
    container: ContainerRun
    generation: int
