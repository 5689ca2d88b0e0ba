"""The agnhost stand-in (serve-hostname, netexec, pause, liveness), run for real on 127.0.0.1."""

from __future__ import annotations

import json
import re
import signal
import socket
import time

import pytest

from runtime_harness import free_port, http, raw_http, server_argv, start, udp  # noqa: F401

HOST = socket.gethostname()
GO_LOG = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ")


def agnhost(*args):
    return server_argv("agnhost.py", *args)


def test_serve_hostname_http_answers_hostname_without_newline(start):
    port = free_port()
    server = start(agnhost("serve-hostname", f"--port={port}"))
    status, headers, body = http(f"http://127.0.0.1:{port}/anything")
    assert (status, body) == (200, HOST)
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    log = server.wait_for("HTTP request from 127.0.0.1:", stream="stderr")
    assert f"Serving on port {port}." in log
    assert all(GO_LOG.match(line) for line in log.splitlines())
    # Like agnhost: SIGTERM is logged, then it waits for the kubelet to kill it.
    server.proc.send_signal(signal.SIGTERM)
    server.wait_for("Awaiting pod deletion.", stream="stderr")
    assert "Shutting down after receiving signal: terminated." in server.stderr()
    time.sleep(0.2)
    assert server.proc.poll() is None
    assert http(f"http://127.0.0.1:{port}/")[2] == HOST  # still serving meanwhile
    assert server.stop(signal.SIGKILL) == -signal.SIGKILL


def test_serve_hostname_udp_and_tcp(start):
    port = free_port(udp_too=True)
    server = start(agnhost("serve-hostname", "--udp", "--tcp", "--http=false", "--port", str(port)))
    reply, local = udp(port, b"anything")
    assert reply == HOST.encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        assert conn.recv(1024) == HOST.encode()
        assert conn.recv(1024) == b""  # raw TCP: hostname, then close
    server.wait_for(f"UDP request from 127.0.0.1:{local[1]}", "TCP request from 127.0.0.1:",
                    stream="stderr")


def test_serve_hostname_refuses_http_with_udp(start):
    server = start(agnhost("serve-hostname", "--udp"), ready=False)
    assert server.wait_exit() == 1
    assert server.stderr().rstrip().endswith(
        "Can't server TCP/UDP mode and HTTP mode at the same time")


def test_agnhost_flag_errors_like_cobra(start):
    server = start(agnhost("netexec", "--bogus=1"), ready=False)
    assert server.wait_exit() == 1
    assert server.stderr().startswith("Error: unknown flag: --bogus\nUsage:\n  agnhost netexec")
    server = start(agnhost("frobnicate"), ready=False)
    assert server.wait_exit() == 1
    assert server.stderr().startswith('Error: unknown command "frobnicate" for "agnhost"')
    server = start(agnhost("porter"), ready=False)
    assert server.wait_exit() == 1
    assert 'k8slab does not emulate "agnhost porter"' in server.stderr()


def test_netexec_http_endpoints(start):
    http_port, udp_port = free_port(), free_port(udp_too=True)
    server = start(agnhost("netexec", f"--http-port={http_port}", "--udp-port", str(udp_port)))
    base = f"http://127.0.0.1:{http_port}"
    status, _, body = http(base + "/")
    assert status == 200
    assert re.fullmatch(r"NOW: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \S+ m=\+\d+\.\d{9}",
                        body), body
    assert http(base + "/whatever")[2].startswith("NOW: ")
    assert http(base + "/hostname")[2] == HOST
    assert http(base + "/hostName")[2] == HOST
    ip, port = http(base + "/clientip")[2].rsplit(":", 1)
    assert ip == "127.0.0.1" and 0 < int(port) < 65536
    assert http(base + "/echo?msg=hello%20there")[2] == "hello there"
    assert http(base + "/echo?msg=nope&code=418")[0::2] == (418, "nope")
    assert http(base + "/echo", method="POST", data=b"msg=posted",
                headers={"Content-Type": "application/x-www-form-urlencoded"})[2] == "posted"
    assert http(base + "/healthz")[0::2] == (200, "")
    assert http(base + "/readyz")[0::2] == (200, "ok")
    assert http(base + "/header?key=X-Lab", headers={"X-Lab": "k8s"})[2] == "k8s"
    headers = json.loads(http(base + "/header", headers={"X-Lab": "k8s"})[2])
    assert headers["X-Lab"] == ["k8s"] and "Host" not in headers
    shell = json.loads(http(base + "/shell?cmd=echo%20hi%3B%20exit%203")[2])
    assert shell == {"output": "hi\n", "error": "exit status 3"}
    answer = raw_http(http_port, b"GET /redirect?location=/there HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 302 Found\r\n") and b"Location: /there\r\n" in answer
    answer = raw_http(http_port, b"HEAD /redirect?location=/x&code=307 HTTP/1.1\r\nHost: a\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 307 Temporary Redirect\r\n")
    assert answer.endswith(b"\r\n\r\n")  # HEAD: no body
    log = server.wait_for("GET /echo?msg=nope&code=418", "GET /hostname", stream="stderr")
    assert f"Started HTTP server on port {http_port}" in log
    assert f"Started UDP server on port  {udp_port}" in log
    assert server.stop(signal.SIGTERM) == 0


def test_netexec_dial_reaches_other_servers(start):
    target = free_port()
    start(agnhost("serve-hostname", f"--port={target}"))
    http_port = free_port()
    start(agnhost("netexec", f"--http-port={http_port}", "--udp-port=-1"))
    base = f"http://127.0.0.1:{http_port}"
    answer = json.loads(http(base + f"/dial?request=hostname&protocol=http&host=127.0.0.1"
                                    f"&port={target}&tries=3")[2])
    assert answer == {"responses": [HOST, HOST, HOST]}
    closed = free_port()
    answer = json.loads(http(base + f"/dial?request=x&host=127.0.0.1&port={closed}")[2])
    assert "connection refused" in answer["errors"][0] and "responses" not in answer
    status, _, body = http(base + "/dial?host=127.0.0.1&port=1")
    assert status == 400 and body.startswith("request parameter not specified")
    # Without a UDP server, agnhost's /healthz is 412 (it reports the UDP server's state).
    assert http(base + "/healthz")[0] == 412


def test_netexec_udp_commands(start):
    http_port, udp_port = free_port(), free_port(udp_too=True)
    server = start(agnhost("netexec", f"--http-port={http_port}", f"--udp-port={udp_port}"))
    assert udp(udp_port, b"hostname\n")[0] == HOST.encode()
    assert udp(udp_port, b"echo Hello K8s")[0] == b"hello k8s"  # agnhost lower-cases commands
    reply, local = udp(udp_port, b"clientip")
    assert reply == f"127.0.0.1:{local[1]}".encode()
    udp_answer = json.loads(http(f"http://127.0.0.1:{http_port}/dial?request=hostname"
                                 f"&protocol=udp&host=127.0.0.1&port={udp_port}")[2])
    assert udp_answer == {"responses": [HOST]}
    server.wait_for(f"Sending clientip back to UDP client 127.0.0.1:{local[1]}", stream="stderr")


def test_netexec_exit_endpoint_sets_exit_code(start):
    http_port = free_port()
    server = start(agnhost("netexec", f"--http-port={http_port}", "--udp-port=-1"))
    try:
        http(f"http://127.0.0.1:{http_port}/exit?code=7")
    except OSError:
        pass  # agnhost exits before answering when no timeout is given
    assert server.wait_exit() == 7
    assert "GET /exit?code=7&timeout=&wait=" in server.stderr()


def test_netexec_exit_with_timeout_answers_first(start):
    http_port = free_port()
    server = start(agnhost("netexec", f"--http-port={http_port}", "--udp-port=-1"))
    assert http(f"http://127.0.0.1:{http_port}/exit?code=3&timeout=1s")[0] == 200
    assert server.wait_exit() == 3


def test_netexec_delay_shutdown_fails_readyz(start):
    http_port, udp_port = free_port(), free_port(udp_too=True)
    server = start(agnhost("netexec", f"--http-port={http_port}", f"--udp-port={udp_port}",
                           "--delay-shutdown=1"))
    server.proc.send_signal(signal.SIGTERM)
    server.wait_for("Sleeping 1 seconds before terminating...", stream="stderr")
    assert http(f"http://127.0.0.1:{http_port}/readyz")[0::2] == (503, "shutting down")
    assert server.wait_exit() == 0


def test_netexec_port_in_use(start):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = start(agnhost("netexec", f"--http-port={port}", "--udp-port=-1"), ready=False)
        assert server.wait_exit() == 1
    assert f"listen tcp :{port}: bind: address already in use" in server.stderr()


def test_agnhost_pause_exit_codes(start):
    server = start(agnhost("pause"))
    server.wait_for("Paused")
    assert server.stop(signal.SIGTERM) == 2
    assert server.stdout() == "Paused\nexiting 2\n"
    server = start(agnhost("pause"))
    assert server.stop(signal.SIGINT) == 1


def test_agnhost_liveness_is_healthy_at_first(start):
    # liveness always binds 8080, as agnhost does; skip when this machine uses it.
    try:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            probe.bind(("127.0.0.1", 8080))
    except OSError:
        pytest.skip("127.0.0.1:8080 is in use")
    server = start(agnhost("liveness"))
    assert http("http://127.0.0.1:8080/healthz")[0::2] == (200, "ok")
    assert http("http://127.0.0.1:8080/nope")[0::2] == (404, "404 page not found\n")
    assert server.stop(signal.SIGTERM) == -signal.SIGTERM  # no handler, like the Go program
