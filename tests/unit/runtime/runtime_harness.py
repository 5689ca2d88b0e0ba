"""Run k8slab's built-in servers on loopback for tests: start, wait for readiness, talk to them."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from k8slab.runtime.catalogue import SERVERS_DIR

READY_TIMEOUT = 10.0


class Server:
    """A running built-in server with its logs captured to files."""

    def __init__(self, argv, env=None, ready=True):
        self.argv = list(argv)
        self._out = tempfile.TemporaryFile()
        self._err = tempfile.TemporaryFile()
        read_end, write_end = os.pipe()
        full_env = dict(os.environ, K8SLAB_BIND_HOST="127.0.0.1", K8SLAB_READY_FD=str(write_end))
        full_env.update(env or {})
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, env=full_env, pass_fds=(write_end,),
                                     stdin=subprocess.DEVNULL, stdout=self._out, stderr=self._err)
        os.close(write_end)
        self.ready_after = None
        self.ready_message = b""
        try:
            if ready:
                self._wait_ready(read_end)
        finally:
            os.close(read_end)

    def _wait_ready(self, read_end: int) -> None:
        readable, _, _ = select.select([read_end], [], [], READY_TIMEOUT)
        if readable:
            self.ready_message = os.read(read_end, 64)
        self.ready_after = time.perf_counter() - self.started
        if self.ready_message != b"ready\n":
            self.kill()
            pytest.fail(f"{self.argv} never signalled readiness (got {self.ready_message!r}); "
                        f"stderr: {self.stderr()!r}")

    def stdout(self) -> str:
        return _read_all(self._out)

    def stderr(self) -> str:
        return _read_all(self._err)

    def wait_for(self, *texts: str, stream: str = "stdout", timeout: float = 5.0) -> str:
        """Wait until every text appears in a log stream; return the whole stream.

        Servers log a request after answering it, so a log line may trail the answer.
        """
        deadline = time.monotonic() + timeout
        content = ""
        while time.monotonic() < deadline:
            content = self.stdout() if stream == "stdout" else self.stderr()
            if all(text in content for text in texts):
                return content
            time.sleep(0.02)
        pytest.fail(f"{texts!r} never all appeared on {stream}: {content!r}")

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 5.0) -> int:
        """Send a signal and return the exit status (negative: killed by that signal)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"{self.argv} did not exit within {timeout}s of signal {signum}")

    def wait_exit(self, timeout: float = 5.0) -> int:
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def _read_all(handle) -> str:
    handle.flush()
    handle.seek(0)
    return handle.read().decode("utf-8", "replace")


def server_argv(script: str, *args: str) -> list:
    """How the catalogue runs a built-in server."""
    return [sys.executable, "-I", "-S", os.path.join(SERVERS_DIR, script), *args]


@pytest.fixture
def start():
    """Start servers for one test; they are all killed afterwards."""
    started = []

    def run(argv, env=None, ready=True) -> Server:
        server = Server(argv, env, ready)
        started.append(server)
        return server

    yield run
    for server in started:
        server.kill()


def free_port(udp_too: bool = False) -> int:
    """A loopback port free for TCP (and UDP when asked) right now."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if not udp_too:
            return port
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port on 127.0.0.1")


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(url: str, method: str = "GET", data: bytes | None = None, headers=None):
    """Make a real HTTP request with urllib; return (status, headers, body text)."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with _OPENER.open(req, timeout=5) as resp:
            return resp.status, resp.headers, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8", "replace")


def raw_http(port: int, request: bytes) -> bytes:
    """Send raw bytes to 127.0.0.1:port and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(request)
        chunks = []
        for _ in range(1000):
            chunk = conn.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def udp(port: int, payload: bytes, timeout: float = 3.0) -> tuple:
    """Send one datagram to 127.0.0.1:port; return (reply, our local address)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect(("127.0.0.1", port))
        sock.send(payload)
        return sock.recv(65535), sock.getsockname()
