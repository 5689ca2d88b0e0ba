"""What kubectl reaches in a pod the kubelet runs: its logs, its namespaces for exec, its terminal.

A mixin of the Kubelet (it reads `self.pods`, `_pod_dir` and `_sandbox_pid`), kept apart from the
kubelet's control loop because none of it changes what the kubelet runs.
"""

from __future__ import annotations

import os
from typing import Optional, Tuple

from k8slab.runtime import processes
from k8slab.runtime.state import ContainerRun

Key = Tuple[str, str]  # (namespace, name)


class PodAccess:
    """kubectl logs, exec and attach, as the kubelet serves them."""

    def _container(self, key: Key, container: str) -> Optional[ContainerRun]:
        run = self.pods.get(key)
        return run.find(container) if run else None

    def log_path(self, key: Key, container: str, previous: bool = False) -> Optional[str]:
        """The log of a container's latest run (or the one before it); None if there is none."""
        c = self._container(key, container)
        if c is None or not c.generation:
            return None
        n = c.restart_count - (1 if previous else 0)
        path = os.path.join(self._pod_dir(self.pods[key]), container, f"{n}.log")
        return path if n >= 0 and os.path.exists(path) else None

    def exec_env(self, key: Key, container: str) -> Optional[dict]:
        """The environment a container was started with, which `kubectl exec` processes get too."""
        c = self._container(key, container)
        return dict(c.env) if c is not None and c.env is not None else None

    def exec_target(self, key: Key) -> Optional[int]:
        """The pid whose namespaces `kubectl exec` enters for this pod, if it is running here."""
        run = self.pods.get(key)
        if run is None or run.sandbox_key is None or run.sandbox_gone:
            return None
        return self._sandbox_pid(run)

    def attach_target(self, key: Key, container: str):
        """The terminal of a running `tty: true` container (`kubectl attach -it`), or None."""
        c = self._container(key, container)
        return c.pty if c is not None and c.running else None

    def feed_stdin(self, key: Key, container: str, data: str) -> bool:
        """Write to a running container's standard input, then end it (stdinOnce); False if it has none."""
        c = self._container(key, container)
        if c is None or c.popen is None or not c.spec.stdin:
            return False
        if c.pty is not None:
            c.pty.write(data.replace("\n", "\r").encode() + b"\x04")  # typed lines, then Ctrl-D
        elif c.popen.stdin is not None:
            processes.feed_stdin(c.popen, data)
        return True
