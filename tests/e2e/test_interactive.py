"""Interactive work at a real terminal: shells in pods and on nodes, multi-line manifests."""

from __future__ import annotations

import re
import time

import pexpect
import pytest

from tests.e2e.test_repl import PROMPT, send, spawn

pytestmark = pytest.mark.e2e
POD_PROMPT = "root@web:/# "


def drawn(text: str) -> str:
    """A pattern for text as the prompt draws it: colour codes may come between any two characters."""
    return "(\x1b\\[[0-9;]*m)*".join(re.escape(ch) for ch in text)


def test_exec_it_gives_a_real_terminal_inside_the_pod(mode):
    child = spawn(mode)
    try:
        send(child, "kubectl run web --image=nginx", "pod/web created")
        send(child, "kubectl wait --for=condition=Ready pod/web", "condition met")
        child.sendline("kubectl exec -it web -- sh")
        child.expect_exact(POD_PROMPT)
        # A terminal of the pinned size, which is the session's controlling terminal.
        child.sendline("hostname; stty size; tty")
        child.expect(r"web\r\n40 120\r\n/dev/pts/\d+")
        child.expect_exact(POD_PROMPT)
        child.setwinsize(30, 100)  # the window changes: the program inside sees it
        child.sendline("stty size")
        child.expect(r"30 100")
        child.expect_exact(POD_PROMPT)
        # Ctrl-C reaches the pod's foreground job, not k8slab; Ctrl-Z and fg are job control.
        child.sendline("sleep 30")
        child.sendintr()
        child.expect_exact(POD_PROMPT)
        child.sendline("cat")
        child.sendline("echoed")
        child.expect(r"echoed\r\necho")
        child.sendcontrol("z")
        child.expect(r"Stopped\s+cat")
        child.expect_exact(POD_PROMPT)
        child.sendline("kill -KILL %1")
        child.expect_exact(POD_PROMPT)
        child.sendline("jobs")  # the shell reaps it: "Killed"
        child.expect("Killed")
        child.expect_exact(POD_PROMPT)
        child.sendline("exit 3")
        child.expect("command terminated with exit code 3")
        child.expect_exact(PROMPT)
        send(child, "kubectl get pod web", r"web\s+1/1\s+Running")  # back at k8slab, pod untouched
    finally:
        child.close(force=True)


def test_run_it_rm_and_a_shell_on_a_node():
    child = spawn("root")
    try:
        child.sendline("kubectl run -it --rm box --image=busybox --restart=Never -- sh")
        child.expect("If you don't see a command prompt, try pressing enter.")
        child.sendline("hostname")
        child.expect(r"\r\nbox\r\n")
        child.sendline("exit")
        child.expect('pod "box" deleted')
        child.expect_exact(PROMPT)
        send(child, "kubectl get pods", "No resources found")
        child.sendline("node1 sh")
        child.expect_exact("node1:/# ")
        child.sendline("ip -br addr show node1-eth0")
        child.expect(r"172\.18\.0\.2/16")
        child.sendcontrol("d")
        child.expect_exact(PROMPT)
        # A node command at the terminal gets Ctrl-C the way it would on that machine: ping
        # prints its summary.
        child.sendline("node1 ping 172.18.0.3")
        child.expect("bytes from 172.18.0.3")
        child.sendintr()
        child.expect("packets transmitted")
        child.expect_exact(PROMPT)
        # kubectl logs -f follows until Ctrl-C, and the shell carries on.
        send(child, "kubectl run ticker --image=busybox -- sh -c 'while :; do echo tick; sleep 0.2; done'",
             "pod/ticker created")
        send(child, "kubectl wait --for=condition=Ready pod/ticker", "condition met")
        child.sendline("kubectl logs -f ticker")
        child.expect("\r\ntick\r\n")  # the log's lines, not the echo of "ticker" as it is typed
        child.expect("tick\r\n")
        child.sendintr()
        child.expect_exact(PROMPT)
        send(child, "nodes", "node3")
    finally:
        child.close(force=True)


def test_multi_line_manifests_at_the_prompt():
    child = spawn("root")
    try:
        # A heredoc typed line by line: continuation prompts until the terminator.
        # (prompt_toolkit draws the "> " prompt as ">" and a cursor move, so the test types ahead.)
        child.sendline("kubectl apply -f - <<EOF")
        for line in ("apiVersion: v1", "kind: Pod", "metadata:", "  name: typed", "spec:", "  containers:",
                     "  - name: c", "    image: nginx", "EOF"):
            child.sendline(line)
        child.expect("pod/typed created")
        child.expect_exact(PROMPT)
        # `-f -` alone reads what follows up to Ctrl-D, as kubectl does from a shell.
        child.sendline("kubectl create -f -")
        child.expect("Ctrl-D")
        for line in ("apiVersion: v1", "kind: Service", "metadata: {name: typed}",
                     "spec: {selector: {app: x}, ports: [{port: 80}]}"):
            child.sendline(line)
        time.sleep(0.5)  # Ctrl-D ends the input only on an empty line, once the last line is taken
        child.sendcontrol("d")
        child.expect("service/typed created")
        child.expect_exact(PROMPT)
        # A pasted block (bracketed paste): several commands and a heredoc, run in order.
        child.send("\x1b[200~kubectl get pod typed\nkubectl apply -f - <<END\napiVersion: v1\nkind: Pod\n"
                   "metadata: {name: pasted}\nspec: {containers: [{name: c, image: nginx}]}\nEND\n\x1b[201~")
        child.sendline("")
        child.expect(r"typed\s+\d/1")
        child.expect("pod/pasted created")
        child.expect_exact(PROMPT)
        # Pasting a manifest without a command says how to apply it.
        child.send("\x1b[200~apiVersion: v1\nkind: Pod\n\x1b[201~")
        child.sendline("")
        child.expect("kubectl apply -f -")
        child.expect_exact(PROMPT)
    finally:
        child.close(force=True)


def test_history_survives_the_session_and_ctrl_r_searches_it(tmp_path):
    child = spawn("root")
    try:
        send(child, "kubectl get namespaces", "kube-system")
        child.sendcontrol("d")
        child.expect(pexpect.EOF, timeout=20)
    finally:
        child.close(force=True)
    child = spawn("root")  # a new session, the same history file
    try:
        child.sendcontrol("r")
        child.expect_exact("reverse-i-search")
        child.send("namesp")
        child.expect(drawn("kubectl get namespaces"))  # only the old session's history holds it
        child.sendline("")  # Enter runs what was found, as in bash
        child.expect("kube-system")
        child.expect_exact(PROMPT)
    finally:
        child.close(force=True)
