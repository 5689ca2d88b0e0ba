"""Entering the sandbox: k8slab's own user, network, mount, UTS and PID namespaces.

Process tree (pids as seen from inside):

    k8slab (outer, in the host's PID namespace)  waits; forwards SIGTERM/SIGHUP; ignores Ctrl-C
     └─ init (PID 1)   mounts /proc, /run, /etc/hosts...; reaps orphans; forwards signals
         └─ app (PID 2)  the cluster and the shell

The outer process unshares the namespaces itself (no helper binary), so it *is* the process the user
started: killing it with SIGKILL kills PID 1 through PR_SET_PDEATHSIG, and the kernel then kills every
process in the PID namespace; the network namespace and every interface in it disappear with the
last process. Nothing is left behind, however k8slab ends.

Rootless (an ordinary user) uses a user namespace; real root does not need one and uses the others
only. Either way nothing of the host's network, mounts or firewall is touched.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import sys
import traceback
from dataclasses import dataclass
from typing import Callable

from k8slab.errors import UserError

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x2, 0x4, 0x8
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
PR_SET_PDEATHSIG = 1

# Where the sandbox keeps its state: a tmpfs mounted over /run inside the sandbox, so it is private
# to this session and vanishes with it.
STATE_DIR = "/run/k8slab"

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True)
class SandboxInfo:
    """How the sandbox was entered, for `doctor` and the banner."""

    rootless: bool
    host_uid: int


def _unshare(flags: int) -> None:
    if _libc.unshare(flags) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def mount(source: str | None, target: str, fstype: str | None, flags: int = 0, data: str | None = None) -> None:
    """mount(2), raising OSError."""
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    if _libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def userns_restriction() -> str | None:
    """Explain why this system refuses unprivileged user namespaces, or None if nothing says so."""
    checks = [
        ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1",
         "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1)",
         "sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0"),
        ("/proc/sys/kernel/unprivileged_userns_clone", "0",
         "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)",
         "sudo sysctl kernel.unprivileged_userns_clone=1"),
        ("/proc/sys/user/max_user_namespaces", "0",
         "user namespaces are disabled (user.max_user_namespaces = 0)",
         "sudo sysctl user.max_user_namespaces=15000"),
    ]
    for path, bad, why, fix in checks:
        try:
            with open(path) as f:
                if f.read().strip() == bad:
                    return f"{why}; allow them with `{fix}`, or run k8slab as root"
        except OSError:
            continue
    return None


def _enter_namespaces() -> SandboxInfo:
    """Unshare this process into fresh namespaces; the next fork()ed child becomes PID 1."""
    uid, gid = os.getuid(), os.getgid()
    base = CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID
    if uid == 0:
        try:
            _unshare(base)
            return SandboxInfo(rootless=False, host_uid=0)
        except OSError as e:
            raise UserError(f"error: cannot create namespaces as root: {e.strerror}. "
                            "k8slab needs network, mount and PID namespaces (run `k8slab doctor`).")
    try:
        _unshare(base | CLONE_NEWUSER)
    except OSError as e:
        why = userns_restriction() or f"the kernel refused ({e.strerror})"
        raise UserError(f"error: k8slab cannot create its sandbox as an ordinary user: {why}. "
                        "Run `k8slab doctor` for details.")
    # An unprivileged process may map exactly its own ids, and only after denying setgroups.
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"0 {gid} 1")
    return SandboxInfo(rootless=True, host_uid=uid)


def _prepare_filesystem() -> None:
    """Make the sandbox's mounts private and give it its own /proc and /run."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755")
    os.makedirs(STATE_DIR, exist_ok=True)


def bind_file(content: str, target: str, name: str) -> str:
    """Show `content` at `target` (e.g. /etc/hosts) inside this mount namespace only."""
    src = os.path.join(STATE_DIR, name)
    with open(src, "w") as f:
        f.write(content)
    real = os.path.realpath(target)
    if not os.path.exists(real):
        # e.g. /etc/resolv.conf -> /run/systemd/resolve/stub-resolv.conf, which our fresh /run lacks:
        # create the link's target in our tmpfs instead of mounting over the link.
        os.makedirs(os.path.dirname(real), exist_ok=True)
        with open(real, "w") as f:
            f.write(content)
        return real
    mount(src, real, None, MS_BIND)
    return real


def _forward(pid: int) -> Callable[[int, object], None]:
    def handler(signum: int, _frame: object) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass
    return handler


def _exit_status(status: int) -> int:
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    return 128 + os.WTERMSIG(status)


def _wait_for(pid: int) -> int:
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            return _exit_status(status)
        except InterruptedError:
            continue


def _init(app: Callable[[SandboxInfo], int], info: SandboxInfo, parent_alive_fd: int) -> int:
    """PID 1 of the sandbox: set up the filesystem, run the app as PID 2, reap orphans."""
    # If the outer k8slab is killed, the kernel sends us SIGKILL, and with PID 1 gone every process
    # in the namespace dies too. Check the pipe afterwards: the parent may have died before prctl.
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if select.select([parent_alive_fd], [], [], 0)[0]:
        os._exit(1)
    _prepare_filesystem()
    pid = os.fork()
    if pid == 0:
        os.close(parent_alive_fd)
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C -> KeyboardInterrupt
        code = 1
        try:
            code = app(info)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException:  # only reached with --debug: the app handles everything else
            traceback.print_exc()
            code = 70
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _forward(pid))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the app, in the foreground, handles Ctrl-C
    # Reap every child (orphaned daemons are reparented to us) until the app itself exits.
    while True:
        try:
            child, status = os.waitpid(-1, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            return 1
        if child == pid:
            return _exit_status(status)


def run_in_sandbox(app: Callable[[SandboxInfo], int]) -> int:
    """Run `app` as PID 2 of a fresh sandbox and return its exit status.

    Must be called before any thread is started (it forks).
    """
    info = _enter_namespaces()
    alive_r, alive_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(alive_w)
        code = 1
        try:
            code = _init(app, info, alive_r)
        except BaseException as e:  # PID 1 must never leave a traceback half-printed
            print(f"k8slab: sandbox init failed: {e}", file=sys.stderr)
        finally:
            os._exit(code)
    os.close(alive_r)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _forward(pid))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return _wait_for(pid)
    finally:
        os.close(alive_w)


def probe() -> str | None:
    """Try to create the sandbox's namespaces in a throwaway child; None if it works, else why not."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        msg = b""
        try:
            _enter_namespaces()
        except UserError as e:
            msg = str(e).encode()
        except BaseException as e:  # noqa: BLE001 - reported to the parent, which decides
            msg = repr(e).encode()
        os.write(w, msg)
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        out = f.read().decode()
    os.waitpid(pid, 0)
    return out or None
