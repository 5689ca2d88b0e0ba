"""A program on a pseudo-terminal of its own: size, input, signals from keys, exit status, logging."""

from __future__ import annotations

import os
import threading
import time

from k8slab.runtime.tty import PtyProcess, window_size

ENV = {"PATH": "/usr/bin:/bin", "TERM": "xterm"}


class Screen:
    """Collects what a PtyProcess shows."""

    def __init__(self):
        self.data = b""
        self.lock = threading.Lock()

    def __call__(self, chunk: bytes) -> None:
        with self.lock:
            self.data += chunk

    def wait_for(self, text: bytes, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if text in self.data:
                    return True
            time.sleep(0.01)
        return False


def test_the_program_has_a_controlling_terminal_of_the_given_size():
    proc = PtyProcess(["sh", "-c", "stty size; tty; ps -o tty= -p $$"], ENV, rows=33, cols=101)
    screen = Screen()
    proc.attach(screen, replay=True)
    assert proc.wait(5) == 0
    proc.drain(2)
    lines = screen.data.decode().split("\r\n")
    assert lines[0] == "33 101"
    assert lines[1].startswith("/dev/pts/")
    assert lines[2].strip() == lines[1].removeprefix("/dev/")  # it is the session's controlling tty


def test_keys_become_input_and_ctrl_c_interrupts_the_foreground_job():
    proc = PtyProcess(["sh", "-c", "read line; echo got:$line; trap 'echo interrupted; exit 7' INT; "
                                   "echo waiting; while :; do sleep 0.05; done"], ENV)
    screen = Screen()
    proc.attach(screen, replay=True)
    proc.write(b"hello\r")
    assert screen.wait_for(b"got:hello")
    assert screen.wait_for(b"waiting")
    proc.write(b"\x03")  # Ctrl-C: the terminal's line discipline sends SIGINT
    assert proc.wait(5) == 7
    proc.drain(2)
    assert b"interrupted" in screen.data


def test_resize_reaches_the_program():
    proc = PtyProcess(["sh", "-c", "trap 'stty size' WINCH; echo ready; while :; do sleep 0.05; done"], ENV)
    screen = Screen()
    proc.attach(screen, replay=True)
    assert screen.wait_for(b"ready")
    proc.resize(50, 160)
    assert screen.wait_for(b"50 160")
    os.killpg(proc.pid, 9)
    assert proc.wait(5) == 137


def test_output_is_logged_and_replayed_to_a_late_viewer(tmp_path):
    log = tmp_path / "0.log"
    proc = PtyProcess(["sh", "-c", "echo early"], ENV, log_path=str(log))
    assert proc.wait(5) == 0
    proc.drain(2)
    assert proc.closed.is_set()
    late = Screen()
    proc.attach(late, replay=True)
    assert late.data == b"early\r\n"
    assert log.read_bytes() == b"early\r\n"
    proc.write(b"ignored once closed")  # no error, nothing written


def test_window_size_of_something_that_is_not_a_terminal(tmp_path):
    with open(tmp_path / "f", "w") as f:
        assert window_size(f.fileno()) == (24, 80)
