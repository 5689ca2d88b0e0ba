"""How a kubelet stops things: pod deletion (preStop, SIGTERM, grace period, SIGKILL), sandbox
teardown, and the node itself failing and coming back (`node stop` / `node start`).

A mixin of Kubelet, kept apart so each module stays one responsibility; it uses the kubelet's
state (pods, queue, timers, store, network) directly.
"""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass
from typing import Optional

from k8slab.api.meta import utc_now
from k8slab.api.pod import Pod
from k8slab.runtime import processes
from k8slab.runtime.state import ContainerRun, PodRun


@dataclass(frozen=True)
class _Power:
    """`node stop` / `node start`, handled by the kubelet's own loop."""

    on: bool


class Termination:
    """Kubelet methods for stopping pods and for the node's own failure."""

    def halt(self) -> None:
        """The node fails: every process on it stops, its pods' networks go, it reports nothing."""
        self._queue.put(_Power(False))

    def resume(self) -> None:
        """The node is back: the kubelet re-reads its pods from the store and runs them again."""
        self._queue.put(_Power(True))

    def _power(self, on: bool) -> None:
        if not on:
            self.down = True
            self.alive.clear()
            self._timers.clear()
            for run in list(self.pods.values()):
                self._teardown(run)  # the machine is gone: no SIGTERM, no preStop, no status
            self.pods.clear()
            return
        self.down = False
        self.alive.set()
        for pod in self.store.list("Pod"):
            if pod.spec.node_name == self.node:
                self._queue.put((pod.metadata.namespace, pod.metadata.name))

    def _terminate(self, pod: Pod, run: Optional[PodRun]) -> None:
        key = (pod.metadata.namespace, pod.metadata.name)
        if run is None:
            self.store.remove("Pod", pod.metadata.name, pod.metadata.namespace, uid=pod.metadata.uid)
            return
        if not run.terminating:
            run.terminating = True
            if self.prober is not None:
                self.prober.forget(key)
            deadline = pod.metadata.deletion_timestamp
            for c in run.all_runs():
                if c.popen is None:
                    continue
                self._event(pod, c, "Normal", "Killing", f"Stopping container {c.spec.name}")
                hook = (c.spec.lifecycle or {}).get("preStop")
                if hook:
                    # The hook runs first and counts against the grace period; SIGTERM follows it.
                    threading.Thread(target=self._pre_stop, args=(pod, run, c, hook, deadline),
                                     name=f"prestop-{c.spec.name}", daemon=True).start()
                elif processes.stop_signal_reaches(c.popen.pid):
                    processes.signal_group(c.popen, signal.SIGTERM)
            left = (deadline - utc_now()).total_seconds() if deadline else 0
            self._later(max(0.0, left), key)
            self._report(pod, run)
        alive = [c for c in run.all_runs() if c.popen is not None]
        overdue = pod.metadata.deletion_timestamp is None or utc_now() >= pod.metadata.deletion_timestamp
        if alive and not overdue:
            return
        for c in alive:
            processes.signal_group(c.popen, signal.SIGKILL)
        self._teardown(run)
        self.pods.pop(key, None)
        self.store.remove("Pod", pod.metadata.name, pod.metadata.namespace, uid=pod.metadata.uid)

    def _pre_stop(self, pod: Pod, run: PodRun, c: ContainerRun, hook: dict, deadline) -> None:
        """Run a container's preStop hook (exec, httpGet or sleep), then send it SIGTERM."""
        popen = c.popen
        left = max(0.0, (deadline - utc_now()).total_seconds()) if deadline else 0.0
        try:
            if "exec" in hook:
                p = processes.run_in(self._sandbox_pid(run), hook["exec"].get("command", []), c.env or {},
                                     timeout=left or None)
                if p.returncode != 0:
                    raise RuntimeError(f"command {hook['exec'].get('command')!r} exited with {p.returncode}: "
                                       f"{(p.stdout + p.stderr).decode(errors='replace').strip()}")
            elif "httpGet" in hook:
                get = hook["httpGet"]
                port = get.get("port")
                if isinstance(port, str):
                    port = next((cp.container_port for cp in c.spec.ports if cp.name == port), port)
                url = f"http://{get.get('host') or run.ip}:{port}{get.get('path', '/')}"
                processes.run_in(self.network.pid_of(self.node), ["curl", "-s", "-o", "/dev/null", url],
                                 timeout=left or None)
            elif "sleep" in hook:
                time.sleep(min(float(hook["sleep"].get("seconds", 0)), left))
        except Exception as e:  # a failed hook does not stop the termination
            self._event(pod, c, "Warning", "FailedPreStopHook", f"PreStopHook failed: {e}")
        if popen is not None and popen.poll() is None and processes.stop_signal_reaches(popen.pid):
            processes.signal_group(popen, signal.SIGTERM)

    def _release_sandbox(self, run: PodRun) -> None:
        if run.sandbox_key is None or run.sandbox_gone:
            return
        pid = self._sandbox_pid(run)
        processes.kill_all(processes.processes_in_netns(pid))
        self.network.remove_pod(run.sandbox_key)
        if run.ip:
            self.ipam.release(run.ip)
        run.sandbox_gone = True

    def _teardown(self, run: PodRun) -> None:
        if self.prober is not None:
            self.prober.forget((run.namespace, run.name))
        for c in run.all_runs():
            if c.popen is not None:
                processes.signal_group(c.popen, signal.SIGKILL)
                c.popen = c.pty = None
        self._release_sandbox(run)
