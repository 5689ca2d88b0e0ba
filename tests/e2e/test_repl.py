"""pexpect drives the real k8slab REPL the way a person at a terminal would."""

from __future__ import annotations

import os
import re
import signal
import time

import pexpect
import pytest

from tests.conftest import REPO, as_mode, k8slab_argv

pytestmark = pytest.mark.e2e
PROMPT = "k8slab>"


def spawn(mode: str = "root") -> pexpect.spawn:
    """Start the REPL in a pinned 120x40 terminal."""
    if os.getuid() != 0:
        mode = "rootless"
    argv = as_mode(k8slab_argv(), mode)
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1",
           "XDG_STATE_HOME": f"/tmp/k8slab-e2e-state-{mode}", "XDG_CONFIG_HOME": f"/tmp/k8slab-e2e-config-{mode}", "PAGER": "cat",
           "COLUMNS": "120", "LINES": "40"}
    child = pexpect.spawn(argv[0], argv[1:], env=env, encoding="utf-8", timeout=30, dimensions=(40, 120),
                          cwd=str(REPO))
    child.expect("cluster is ready")
    child.expect_exact(PROMPT)
    return child


def send(child: pexpect.spawn, line: str, expect: str, timeout: float = 30) -> str:
    """Type a line, wait for `expect` and then the next prompt; return what was printed."""
    child.sendline(line)
    child.expect(expect, timeout=timeout)
    seen = child.before + child.after
    child.expect_exact(PROMPT, timeout=timeout)
    return seen + child.before


def test_a_learner_session(mode):
    child = spawn(mode)
    try:
        send(child, "kubectl run web --image=nginx", "pod/web created")
        send(child, "kubectl wait --for=condition=Ready pod/web", "condition met")
        out = send(child, "kubectl exec web -- curl -s localhost", "Welcome to nginx!")
        assert "web" in out
        out = send(child, "k get pods", r"web\s+1/1\s+Running")
        # A mistake is one line, and the shell carries on.
        out = send(child, "kubectl get pod nope", "not found")
        assert "Traceback" not in out
        # Completion of commands: Tab turns "desc" into "describe", and the completed line runs.
        child.send("kubectl desc\t")
        child.sendline(" pod web")
        child.expect(r"Name:\s+web")
        child.expect_exact(PROMPT)
        # Ctrl-C stops a long-running command, not the shell.
        child.sendline("node1 ping 172.18.0.3")
        child.expect("bytes from 172.18.0.3")
        child.sendintr()
        child.expect_exact(PROMPT)
        send(child, "nodes", "node3")
        child.sendcontrol("d")
        child.expect(pexpect.EOF, timeout=20)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def _ns_inode(pid: int, ns: str) -> int:
    return os.stat(f"/proc/{pid}/ns/{ns}").st_ino


def _pids_in_ns(ns: str, inode: int) -> list:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}/ns/{ns}").st_ino == inode:
                    found.append(int(entry))
            except OSError:
                pass
    return found


def test_kill_9_leaves_nothing_behind(mode):
    links_before = os.popen("ip -o link").read()
    mounts_before = open("/proc/self/mountinfo").read()
    child = spawn(mode)
    try:
        send(child, "kubectl run web --image=nginx", "pod/web created")
        send(child, "kubectl wait --for=condition=Ready pod/web", "condition met")
        inner = int(open(f"/proc/{child.pid}/task/{child.pid}/children").read().split()[0])
        pid_ns, net_ns = _ns_inode(inner, "pid"), _ns_inode(inner, "net")
        assert len(_pids_in_ns("pid", pid_ns)) >= 8  # PID 1, the app, 4 host shells, a pod, nginx
        os.kill(child.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (_pids_in_ns("pid", pid_ns) or _pids_in_ns("net", net_ns)):
            time.sleep(0.1)
        assert _pids_in_ns("pid", pid_ns) == []
        assert _pids_in_ns("net", net_ns) == []
    finally:
        child.close(force=True)
    assert os.popen("ip -o link").read() == links_before
    assert open("/proc/self/mountinfo").read() == mounts_before


def test_get_watch_streams_changes_until_ctrl_c():
    child = spawn("root")
    try:
        send(child, "kubectl run flaky --image=busybox -- sh -c 'sleep 1; exit 1'", "pod/flaky created")
        child.sendline("kubectl get pods -w")
        child.expect(r"NAME\s+READY\s+STATUS")
        child.expect(r"flaky\s+0/1\s+(Error|CrashLoopBackOff)", timeout=20)  # a change arrives by itself
        child.sendintr()
        child.expect_exact(PROMPT)
        send(child, "nodes", "node3")  # the shell is still there
    finally:
        child.close(force=True)


GAP = r"(?:\s|\x1b\[[0-9;?]*[A-Za-z])*"  # spaces and the terminal codes between a menu's columns


def test_tab_completes_names_from_the_live_cluster():
    child = spawn("root")
    try:
        send(child, "kubectl run web --image=nginx", "pod/web created")
        send(child, "kubectl expose pod web --port=80", "service/web exposed")
        # The menu opens while typing, with what each name is; Tab takes it.
        child.send("kubectl get pod w")
        child.expect("web" + GAP + "Pod in default")
        child.sendline("\t")
        child.expect(r"web\s+\d/1\s+")  # the row of pod web, not `pods "w" not found`
        child.expect_exact(PROMPT)
        child.send("kubectl describe svc/")
        child.expect("kubernetes" + GAP + "Service in default")
        child.expect("web" + GAP + "Service in default")
        child.sendline("w\t")  # typed at once: Tab is not lost to the completion that typing started
        child.expect(r"Name:\s+web")
        child.expect(r"Selector:\s+run=web")
        child.expect_exact(PROMPT)
    finally:
        child.close(force=True)
