"""Lending the learner's terminal to a program inside the cluster, and taking it back.

While attached, the learner's terminal is in raw mode: every key (Ctrl-C, Ctrl-Z, arrows) goes to
the program's own pseudo-terminal, whose line discipline turns them into signals for the program's
foreground job, exactly as in a terminal on that machine. Window size changes follow along. When
the program exits, the terminal is restored and the `k8slab>` prompt comes back.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import termios
import tty as ttymod
from typing import Optional

from k8slab.runtime.tty import PtyProcess, window_size


def terminal_fds() -> Optional[tuple]:
    """(stdin, stdout) file descriptors when both are a terminal; else None."""
    try:
        fd_in, fd_out = sys.__stdin__.fileno(), sys.__stdout__.fileno()
    except (AttributeError, ValueError, OSError):
        return None
    return (fd_in, fd_out) if os.isatty(fd_in) and os.isatty(fd_out) else None


def terminal_size() -> tuple:
    """The learner's terminal size as (rows, cols)."""
    fds = terminal_fds()
    return window_size(fds[1]) if fds else (24, 80)


def relay(proc: PtyProcess, replay: bool = False) -> int:
    """Connect the terminal to `proc` until its output ends; return its exit status."""
    fds = terminal_fds()
    if fds is None:
        raise RuntimeError("relay needs a terminal")
    fd_in, fd_out = fds
    saved = termios.tcgetattr(fd_in)

    last = [b"\n"]

    def show(data: bytes) -> None:
        if data:
            last[0] = data[-1:]
        while data:
            data = data[os.write(fd_out, data):]

    def resized(_sig, _frame) -> None:
        proc.resize(*window_size(fd_out))

    old_winch = _set_handler(signal.SIGWINCH, resized)
    proc.resize(*window_size(fd_out))
    try:
        ttymod.setraw(fd_in, termios.TCSANOW)
        proc.attach(show, replay=replay)
        while not proc.closed.is_set():
            if proc.popen.poll() is not None:
                proc.drain()
                break
            ready, _, _ = select.select([fd_in], [], [], 0.1)
            if ready:
                data = os.read(fd_in, 4096)
                if not data:
                    break
                proc.write(data)
    finally:
        proc.detach(show)
        termios.tcsetattr(fd_in, termios.TCSADRAIN, saved)
        _set_handler(signal.SIGWINCH, old_winch)
    if last[0] not in (b"\n", b""):  # the program left the cursor mid-line: the prompt gets its own
        show(b"\r\n")
    return proc.wait()


def _set_handler(sig, handler):
    """Install a signal handler when we can (only the main thread may); the previous one."""
    try:
        return signal.signal(sig, handler)
    except (ValueError, TypeError):
        return None
