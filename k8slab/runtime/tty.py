"""Processes with a terminal: a pseudo-terminal whose far end is a program in a pod or on a node.

`kubectl exec -it`, `kubectl run -it` and `node1 sh` give the learner a real terminal inside the
cluster, as a container runtime does: the program runs in a session of its own with the pty's
slave as its controlling terminal, so job control, Ctrl-C and Ctrl-Z work inside as in any
terminal, and nothing the program does to its terminal touches k8slab's. One thread pumps what
the program writes to the attached viewers (and to the container's log); what the viewer types is
written to the master.
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct
import subprocess
import termios
import threading
from typing import Callable, List, Mapping, Optional, Sequence

Sink = Callable[[bytes], None]
REPLAY_LIMIT = 64 * 1024  # what a late viewer is shown of the output so far


class PtyProcess:
    """A program started on a new pseudo-terminal, and the pump that copies its output."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], *, rows: int = 24, cols: int = 80,
                 log_path: Optional[str] = None, pass_fds: Sequence[int] = ()):
        master, slave = os.openpty()
        set_window_size(slave, rows, cols)
        try:
            # `setsid --ctty` makes the slave (its stdin) the controlling terminal of a new session.
            self.popen = subprocess.Popen(["setsid", "--ctty"] + list(argv), stdin=slave, stdout=slave,
                                          stderr=slave, env=dict(env), pass_fds=tuple(pass_fds))
        except OSError:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self.master = master
        self._log = open(log_path, "ab", buffering=0) if log_path else None
        self._sinks: List[Sink] = []
        self._seen = bytearray()  # the output so far (its tail), for a viewer who attaches late
        self._lock = threading.Lock()  # guards the sinks and the replay buffer
        self._fd_lock = threading.Lock()  # the master is closed only while no one writes to it
        self.closed = threading.Event()  # set when the output has ended (every writer is gone)
        threading.Thread(target=self._pump, name=f"pty-{self.popen.pid}", daemon=True).start()

    @property
    def pid(self) -> int:
        """The program's process id (the leader of its session and process group)."""
        return self.popen.pid

    def attach(self, sink: Sink, replay: bool = False) -> None:
        """Send the program's output to `sink` from now on (with `replay`, the output so far first)."""
        with self._lock:
            if replay and self._seen:
                sink(bytes(self._seen))
            self._sinks.append(sink)

    def detach(self, sink: Sink) -> None:
        """Stop sending output to `sink`."""
        with self._lock:
            if sink in self._sinks:
                self._sinks.remove(sink)

    def write(self, data: bytes) -> None:
        """Type `data` at the program's terminal."""
        with self._fd_lock:
            while data and not self.closed.is_set():
                try:
                    n = os.write(self.master, data)
                except OSError as e:
                    if e.errno == errno.EIO:  # the program has gone
                        return
                    raise
                data = data[n:]

    def resize(self, rows: int, cols: int) -> None:
        """Tell the terminal its new size (the program gets SIGWINCH)."""
        with self._fd_lock:
            if not self.closed.is_set():
                try:
                    set_window_size(self.master, rows, cols)
                except OSError:
                    pass

    def wait(self, timeout: Optional[float] = None) -> int:
        """Wait for the program to exit; its exit status (128+N for signal N, as a shell reports)."""
        code = self.popen.wait(timeout)
        return code if code >= 0 else 128 - code

    def drain(self, timeout: float = 0.5) -> None:
        """After the program exits, wait briefly for the rest of its output to reach the viewers."""
        self.closed.wait(timeout)

    def _pump(self) -> None:
        try:
            while True:
                try:
                    data = os.read(self.master, 65536)
                except OSError:  # EIO: the last process holding the slave has gone
                    break
                if not data:
                    break
                with self._lock:
                    self._seen += data
                    del self._seen[:-REPLAY_LIMIT]
                    sinks = list(self._sinks)
                if self._log is not None:
                    self._log.write(data)
                for sink in sinks:
                    try:
                        sink(data)
                    except OSError:
                        self.detach(sink)
        finally:
            if self._log is not None:
                self._log.close()
            with self._fd_lock:
                self.closed.set()
                os.close(self.master)


def set_window_size(fd: int, rows: int, cols: int) -> None:
    """Set a terminal's size in characters."""
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def window_size(fd: int) -> tuple:
    """A terminal's size as (rows, cols); (24, 80) when `fd` is not a terminal."""
    try:
        rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
        if rows and cols:
            return rows, cols
    except OSError:
        pass
    return 24, 80
