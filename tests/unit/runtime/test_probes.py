"""Probe decisions (fake clock) and single probe attempts against real local sockets."""

from __future__ import annotations

import http.server
import queue
import socket
import subprocess
import threading
import time

import pytest

from k8slab.api.pod import Probe
from k8slab.runtime.probes import (FAILURE, LIVENESS, READINESS, STARTUP, SUCCESS, UNKNOWN, ContainerProbes,
                                   Prober, ProbeTarget, run_probe)


def probe(**kw) -> Probe:
    base = dict(exec={"command": ["true"]}, period_seconds=10, timeout_seconds=1, success_threshold=1,
                failure_threshold=3)
    base.update(kw)
    return Probe(**base)


# -- decisions -----------------------------------------------------------------------------------

def test_readiness_starts_not_ready_and_one_success_makes_ready():
    cp = ContainerProbes(100.0, readiness=probe(initial_delay_seconds=5))
    assert not cp.ready and cp.started
    assert cp.take_due(104.9) == []
    assert cp.next_due() == 105.0
    assert [k for k, _ in cp.take_due(105.0)] == [READINESS]
    out = cp.record(READINESS, SUCCESS, "", 105.1)
    assert out.ready and out.message == ""
    assert cp.next_due() == 115.0


def test_readiness_needs_failure_threshold_consecutive_failures_to_turn_unready():
    cp = ContainerProbes(0.0, readiness=probe(failure_threshold=3))
    now = 0.0
    cp.take_due(now)
    assert cp.record(READINESS, SUCCESS, "", now).ready
    results = []
    for _ in range(3):
        now = cp.next_due()
        cp.take_due(now)
        out = cp.record(READINESS, FAILURE, "HTTP probe failed with statuscode: 500", now)
        results.append(out.ready)
        assert out.message == "Readiness probe failed: HTTP probe failed with statuscode: 500"
    assert results == [True, True, False]
    # a success in between restarts the count
    now = cp.next_due(); cp.take_due(now); cp.record(READINESS, SUCCESS, "", now)
    now = cp.next_due(); cp.take_due(now); assert cp.record(READINESS, FAILURE, "x", now).ready


def test_success_threshold_counts_consecutive_successes():
    cp = ContainerProbes(0.0, readiness=probe(success_threshold=2, period_seconds=1))
    cp.take_due(0.0)
    assert not cp.record(READINESS, SUCCESS, "", 0.0).ready
    cp.take_due(1.0)
    assert cp.record(READINESS, SUCCESS, "", 1.0).ready


def test_liveness_kills_once_after_failure_threshold_then_holds():
    cp = ContainerProbes(0.0, liveness=probe(failure_threshold=2, period_seconds=1))
    assert cp.ready  # no readiness probe: ready when running
    cp.take_due(0.0)
    assert not cp.record(LIVENESS, FAILURE, "boom", 0.0).kill
    cp.take_due(1.0)
    out = cp.record(LIVENESS, FAILURE, "boom", 1.0)
    assert out.kill and out.message == "Liveness probe failed: boom"
    assert cp.next_due() is None  # on hold until the container restarts (a new ContainerProbes)


def test_errored_probe_changes_nothing():
    cp = ContainerProbes(0.0, liveness=probe(failure_threshold=1))
    cp.take_due(0.0)
    out = cp.record(LIVENESS, UNKNOWN, "gRPC probes are not emulated by k8slab", 0.0)
    assert not out.kill and out.message.startswith("Liveness probe errored: ")


def test_startup_probe_gates_liveness_and_readiness():
    cp = ContainerProbes(0.0, liveness=probe(period_seconds=10), readiness=probe(period_seconds=10),
                         startup=probe(period_seconds=2, failure_threshold=30))
    assert not cp.started and not cp.ready
    assert [k for k, _ in cp.take_due(0.0)] == [STARTUP]
    out = cp.record(STARTUP, FAILURE, "refused", 0.0)
    assert not out.started and not out.kill
    assert cp.next_due() == 2.0  # only the startup probe is scheduled meanwhile
    cp.take_due(2.0)
    out = cp.record(STARTUP, SUCCESS, "", 2.0)
    assert out.started and not out.ready
    assert sorted(k for k, _ in cp.take_due(2.0)) == [LIVENESS, READINESS]
    assert cp.record(READINESS, SUCCESS, "", 2.1).ready
    assert cp.record(LIVENESS, SUCCESS, "", 2.1).started


def test_startup_failure_threshold_kills():
    cp = ContainerProbes(0.0, startup=probe(period_seconds=1, failure_threshold=2))
    cp.take_due(0.0); cp.record(STARTUP, FAILURE, "x", 0.0)
    cp.take_due(1.0)
    out = cp.record(STARTUP, FAILURE, "x", 1.0)
    assert out.kill and out.message == "Startup probe failed: x"


def test_a_probe_in_flight_is_not_started_again():
    cp = ContainerProbes(0.0, readiness=probe(period_seconds=1))
    assert cp.take_due(0.0)
    assert cp.take_due(5.0) == []
    cp.record(READINESS, SUCCESS, "", 5.0)
    assert cp.next_due() == 5.0  # late: due again at once, not in the past


# -- attempts --------------------------------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        code = {"/ok": 200, "/redirect": 302, "/fail": 500}.get(self.path, 404)
        if self.path == "/header":
            code = 200 if self.headers.get("X-Probe") == "yes" and "kube-probe/" in self.headers["User-Agent"] \
                else 400
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"body")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1]
    srv.shutdown()


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_http_probe_success_and_status_failure(server):
    target = ProbeTarget(pod_ip="127.0.0.1", ports={"http": server})
    assert run_probe(probe(exec=None, http_get={"path": "/ok", "port": server}), target)[0] == SUCCESS
    assert run_probe(probe(exec=None, http_get={"path": "/redirect", "port": "http"}), target)[0] == SUCCESS
    assert run_probe(probe(exec=None, http_get={"path": "/fail", "port": server}), target) == \
        (FAILURE, "HTTP probe failed with statuscode: 500")
    assert run_probe(probe(exec=None, http_get={"path": "/header", "port": server,
                                                "httpHeaders": [{"name": "X-Probe", "value": "yes"}]}),
                     target)[0] == SUCCESS


def test_http_probe_connection_refused_reads_like_the_kubelet():
    port = _closed_port()
    result = run_probe(probe(exec=None, http_get={"path": "/healthz", "port": port}), ProbeTarget("127.0.0.1"))
    assert result == (FAILURE, f'Get "http://127.0.0.1:{port}/healthz": dial tcp 127.0.0.1:{port}: '
                               "connect: connection refused")


def test_http_probe_unknown_named_port_errors():
    result, text = run_probe(probe(exec=None, http_get={"path": "/", "port": "web"}), ProbeTarget("127.0.0.1"))
    assert result == UNKNOWN and "web" in text


def test_tcp_probe(server):
    assert run_probe(probe(exec=None, tcp_socket={"port": server}), ProbeTarget("127.0.0.1"))[0] == SUCCESS
    port = _closed_port()
    assert run_probe(probe(exec=None, tcp_socket={"port": port}), ProbeTarget("127.0.0.1")) == \
        (FAILURE, f"dial tcp 127.0.0.1:{port}: connect: connection refused")


def _local_runner(pid, argv, env=None, timeout=None):
    return subprocess.run(list(argv), capture_output=True, env=dict(env or {}, PATH="/usr/bin:/bin"),
                          timeout=timeout)


def test_exec_probe_exit_code_output_env_and_timeout():
    target = ProbeTarget("127.0.0.1", env={"WORD": "hello"})
    ok = probe(exec={"command": ["sh", "-c", "echo $WORD"]})
    assert run_probe(ok, target, _local_runner) == (SUCCESS, "hello\n")
    bad = probe(exec={"command": ["sh", "-c", "echo not yet; exit 1"]})
    assert run_probe(bad, target, _local_runner) == (FAILURE, "not yet\n")
    slow = probe(exec={"command": ["sleep", "5"]}, timeout_seconds=1)
    assert run_probe(slow, target, _local_runner) == (FAILURE, 'command "sleep 5" timed out')


def test_prober_reports_outcomes_through_the_callback():
    reports: "queue.Queue" = queue.Queue()
    prober = Prober(reports.put, runner=_local_runner)
    try:
        cp = ContainerProbes(time.monotonic(), readiness=probe(exec={"command": ["true"]}, period_seconds=1),
                             liveness=probe(exec={"command": ["false"]}, period_seconds=1, failure_threshold=1))
        prober.watch(("default", "web"), "uid-1", "web", 1, cp, ProbeTarget("127.0.0.1"))
        got = {}
        deadline = time.monotonic() + 5
        while len(got) < 2 and time.monotonic() < deadline:
            r = reports.get(timeout=5)
            got[r.outcome.kind] = r
        assert got[READINESS].outcome.ready and got[READINESS].generation == 1
        assert got[LIVENESS].outcome.kill and got[LIVENESS].key == ("default", "web")
        prober.forget(("default", "web"))
    finally:
        prober.stop()
