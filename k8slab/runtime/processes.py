"""Container processes: start a program inside a pod's namespaces, stop it, find what is left.

There is no container image, so a container is the process the pod spec asks for, run from the
machine's own filesystem inside the pod's network, mount and UTS namespaces (`nsenter`). Each
container's process group is its own, so stopping a container stops its children too.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Mapping, Sequence

from k8slab.net.network import nsenter_argv
from k8slab.runtime.tty import PtyProcess

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
READY_FD_ENV = "K8SLAB_READY_FD"


class StartError(Exception):
    """The container's process could not be started; the message is what the runtime reports."""


@dataclass
class Started:
    """A running container process, where its output goes, and its readiness pipe (if any)."""

    popen: subprocess.Popen
    log_path: str
    ready_fd: int | None = None
    pty: object = None  # runtime.tty.PtyProcess of a container with `tty: true`


def find_executable(argv0: str, path: str) -> str | None:
    """Resolve argv[0] as execve would with this PATH (the pod shares the machine's filesystem)."""
    if "/" in argv0:
        return argv0 if os.access(argv0, os.X_OK) and not os.path.isdir(argv0) else None
    return shutil.which(argv0, path=path)


def start_process(pid: int, argv: Sequence[str], env: Mapping[str, str], log_path: str, *,
                  workdir: str | None = None, keep_stdin_open: bool = False,
                  ready_pipe: bool = False, tty: bool = False) -> Started:
    """Start `argv` in the namespaces of `pid`, logging stdout and stderr to `log_path`.

    With `ready_pipe`, a built-in server reports on the fd named by $K8SLAB_READY_FD when its
    sockets listen; `Started.ready_fd` is the read end, for `wait_ready`.
    """
    if not argv:
        raise StartError("no command specified")
    env = dict(env)
    env.setdefault("PATH", DEFAULT_PATH)
    if find_executable(argv[0], env["PATH"]) is None:
        # The words real runc uses, so that what learners search for finds real answers.
        raise StartError(f'failed to create containerd task: failed to create shim task: OCI runtime '
                         f'create failed: runc create failed: unable to start container process: '
                         f'exec: "{argv[0]}": executable file not found in $PATH: unknown')
    if workdir and not os.path.isdir(workdir):
        raise StartError(f"failed to create containerd task: ... chdir to cwd (\"{workdir}\") set in "
                         f"config.json failed: no such file or directory: unknown")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    ready_r = ready_w = -1
    pass_fds: tuple[int, ...] = ()
    if ready_pipe:
        ready_r, ready_w = os.pipe()
        env[READY_FD_ENV] = str(ready_w)
        pass_fds = (ready_w,)
    cmd = nsenter_argv(pid, workdir or "/") + list(argv)
    if tty:
        pty = PtyProcess(cmd, env, log_path=log_path, pass_fds=pass_fds)
        if ready_pipe:
            os.close(ready_w)
        return Started(popen=pty.popen, log_path=log_path, ready_fd=ready_r if ready_pipe else None, pty=pty)
    with open(log_path, "ab", buffering=0) as log_file:
        popen = subprocess.Popen(cmd, stdin=subprocess.PIPE if keep_stdin_open else subprocess.DEVNULL,
                                 stdout=log_file, stderr=subprocess.STDOUT, env=env,
                                 pass_fds=pass_fds, start_new_session=True)
    if ready_pipe:
        os.close(ready_w)
        return Started(popen=popen, log_path=log_path, ready_fd=ready_r)
    return Started(popen=popen, log_path=log_path)


def wait_ready(fd: int, popen: subprocess.Popen, timeout: float) -> None:
    """Wait until a server reports readiness on `fd` (or exits, or `timeout` passes); close `fd`."""
    try:
        _wait_fd(fd, popen, timeout)
    finally:
        os.close(fd)


def _wait_fd(fd: int, popen: subprocess.Popen, timeout: float) -> None:
    # EOF or "ready" both end the wait: EOF means the server exited (or closed the fd) and its
    # exit is then seen by the kubelet like any other.
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if select.select([fd], [], [], left)[0]:
            os.read(fd, 64)
            return
        if popen.poll() is not None:
            return


def signal_group(popen: subprocess.Popen, sig: int) -> None:
    """Send `sig` to the container's process group."""
    try:
        os.killpg(popen.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def catches_signal(pid: int, sig: int) -> bool:
    """Has process `pid` installed a handler for `sig` (its SigCgt mask in /proc)?"""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) & (1 << (sig - 1)))
    except (OSError, ValueError):
        pass
    return False


def stop_signal_reaches(pid: int, sig: int = signal.SIGTERM) -> bool:
    """Would `sig` reach this container's main process if it were PID 1 of its container?

    The kernel drops signals sent to a PID 1 that has no handler for them. A container's main
    process is PID 1 of its container, so `sleep 3600` or `sh -c ...` ignore SIGTERM and a pod
    deletion waits out the grace period, as it does on a real cluster.
    """
    return catches_signal(pid, sig)


def processes_in_netns(pid: int) -> list[int]:
    """Every process sharing the network namespace of `pid` (except `pid` itself)."""
    try:
        target = os.stat(f"/proc/{pid}/ns/net").st_ino
    except OSError:
        return []
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == pid:
            continue
        try:
            if os.stat(f"/proc/{entry}/ns/net").st_ino == target:
                found.append(int(entry))
        except OSError:
            continue
    return found


def kill_all(pids: Sequence[int]) -> None:
    """SIGKILL each pid that still exists."""
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def run_in(pid: int, argv: Sequence[str], env: Mapping[str, str] | None = None,
           timeout: float | None = None, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Run a command to completion in the namespaces of `pid`, capturing its output."""
    env = dict(env or {})
    env.setdefault("PATH", DEFAULT_PATH)
    return subprocess.run(nsenter_argv(pid) + list(argv), input=stdin, capture_output=True,
                          env=env, timeout=timeout, start_new_session=True)


def popen_in(pid: int, argv: Sequence[str], env: Mapping[str, str] | None = None,
             stdin_data: str | None = None) -> subprocess.Popen:
    """Start a command in the namespaces of `pid` with its output on a pipe (for streaming)."""
    env = dict(env or {})
    env.setdefault("PATH", DEFAULT_PATH)
    popen = subprocess.Popen(nsenter_argv(pid) + list(argv),
                             stdin=subprocess.DEVNULL if stdin_data is None else subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                             start_new_session=True)
    if stdin_data is not None:
        feed_stdin(popen, stdin_data)
    return popen


def feed_stdin(popen: subprocess.Popen, data: str) -> None:
    """Write `data` to a process's stdin from a thread, then close it.

    A thread, because the process may fill its output pipe before it has read all its input; a
    reader that stops early (`| head -1`) just ends the writing, as in any shell.
    """
    def write() -> None:
        try:
            popen.stdin.write(data.encode())
        except BrokenPipeError:
            pass
        finally:
            try:
                popen.stdin.close()
            except BrokenPipeError:
                pass
    threading.Thread(target=write, daemon=True).start()
