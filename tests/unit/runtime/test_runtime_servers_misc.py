"""http-echo, the generic server, pause, and plans from the catalogue run end to end."""

from __future__ import annotations

import re
import signal
import socket
import sys

import pytest

from k8slab.runtime.catalogue import plan_container
from runtime_harness import free_port, http, server_argv, start, udp  # noqa: F401

HOST = socket.gethostname()


def test_http_echo_answers_text_and_logs(start):
    port = free_port()
    server = start(server_argv("http_echo.py", f"-listen=:{port}", "-text=hello world"))
    status, headers, body = http(f"http://127.0.0.1:{port}/some/path",
                                 headers={"User-Agent": "curl/7.88.1"})
    assert (status, body) == (200, "hello world\n")
    assert headers["X-App-Name"] == "http-echo" and headers["X-App-Version"] == "1.0.0"
    assert http(f"http://127.0.0.1:{port}/health")[2] == '{"status":"ok"}\n'
    log = server.wait_for('"GET /some/path HTTP/1.1" 200 12 "curl/7.88.1"')
    assert re.search(rf'^\d{{4}}/\d\d/\d\d \d\d:\d\d:\d\d 127\.0\.0\.1:{port} 127\.0\.0\.1:\d+ '
                     r'"GET /some/path HTTP/1\.1" 200 12 "curl/7\.88\.1" \d+(\.\d+)?(ns|µs|ms|s)$',
                     log, re.M), log
    assert "/health" not in log
    assert f"[INFO] server is listening on :{port}" in server.stderr()
    assert server.stop(signal.SIGTERM) == 2  # http-echo exits 2 after an interrupt
    assert "[INFO] received interrupt, shutting down..." in server.stderr()


def test_http_echo_status_code_and_go_flag_spellings(start):
    port = free_port()
    start(server_argv("http_echo.py", "--listen", f":{port}", "-text", "teapot",
                      "-status-code=418"))
    assert http(f"http://127.0.0.1:{port}/")[0::2] == (418, "teapot\n")


@pytest.mark.parametrize("args, env, code, message", [
    ((), {}, 127, "Missing -text option or ECHO_TEXT env var!"),
    (("-text=a", "extra"), {}, 127, "Too many arguments!"),
    (("-bogus",), {}, 2, "flag provided but not defined: -bogus"),
    (("-status-code=abc", "-text=a"), {}, 2, 'invalid value "abc" for flag -status-code'),
    (("-version",), {}, 0, "http-echo v1.0.0"),
])
def test_http_echo_command_line_errors(start, args, env, code, message):
    server = start(server_argv("http_echo.py", *args), env=env, ready=False)
    assert server.wait_exit() == code
    assert server.stderr().startswith(message)


def test_http_echo_text_from_environment(start):
    port = free_port()
    start(server_argv("http_echo.py", f"-listen=:{port}"), env={"ECHO_TEXT": "from env"})
    assert http(f"http://127.0.0.1:{port}/")[2] == "from env\n"


def test_generic_server_tcp_and_udp(start):
    port = free_port(udp_too=True)
    other = free_port()
    server = start(server_argv("generic.py", f"{port}/TCP", f"{port}/UDP", f"{other}/TCP"))
    status, _, body = http(f"http://127.0.0.1:{port}/")
    assert status == 200
    match = re.fullmatch(rf"pod {re.escape(HOST)} answered 127\.0\.0\.1:(\d+) on port {port}\n",
                         body)
    assert match, body
    assert http(f"http://127.0.0.1:{other}/x")[2].endswith(f"on port {other}\n")
    reply, local = udp(port, b"ping")
    assert reply == (HOST + "\n").encode()
    server.wait_for(f"127.0.0.1:{local[1]} UDP datagram on port {port}",
                    f'127.0.0.1:{match.group(1)} "GET / HTTP/1.1" 200')
    assert server.stop(signal.SIGTERM) == 0


def test_pause_sleeps_until_signalled(start):
    server = start(server_argv("pause.py"))
    assert server.proc.poll() is None
    assert server.stop(signal.SIGTERM) == 0
    assert server.stderr() == "Shutting down, got signal: Terminated\n"
    server = start(server_argv("pause.py"))
    assert server.stop(signal.SIGINT) == 0


@pytest.mark.parametrize("image, args, ports", [
    ("nginx:stable", (), "TCP"),
    ("httpd", (), "TCP"),
    ("registry.k8s.io/e2e-test-images/agnhost:2.39", ("serve-hostname", "--port={tcp}"), None),
    ("hashicorp/http-echo", ("-text=hi", "-listen=:{tcp}"), None),
    ("example.com/unknown/app", (), "TCP"),
])
def test_plans_run_and_listen_where_they_say(start, image, args, ports):
    tcp = free_port()
    declared = [(tcp, "TCP")] if ports else []
    plan = plan_container(image, (), [a.format(tcp=tcp) for a in args], declared,
                          python=sys.executable)
    assert plan.listens == ((tcp, "TCP"),)
    start(list(plan.argv))
    assert http(f"http://127.0.0.1:{tcp}/")[0] == 200


def test_ready_fd_is_not_inherited_by_children(start):
    port = free_port()
    start(server_argv("agnhost.py", "netexec", f"--http-port={port}", "--udp-port=-1"))
    answer = http(f"http://127.0.0.1:{port}/shell?cmd=echo%20${{K8SLAB_READY_FD:-unset}}")[2]
    assert '"output":"unset\\n"' in answer


def test_startup_time_is_printed(start, capsys):
    """Measure spawn-to-ready for each server (printed, never asserted)."""
    cases = {
        "nginx": ("nginx.py", "--listen={p}"),
        "httpd": ("httpd.py", "--listen={p}"),
        "agnhost netexec": ("agnhost.py", "netexec", "--http-port={p}", "--udp-port=-1"),
        "agnhost serve-hostname": ("agnhost.py", "serve-hostname", "--port={p}"),
        "http-echo": ("http_echo.py", "-listen=:{p}", "-text=x"),
        "generic": ("generic.py", "{p}/TCP"),
        "pause": ("pause.py",),
    }
    lines = []
    for name, (script, *args) in cases.items():
        best = None
        for _ in range(3):
            port = free_port()
            server = start(server_argv(script, *(a.format(p=port) for a in args)))
            best = server.ready_after if best is None else min(best, server.ready_after)
            server.kill()
        lines.append(f"  {name:24s} {best * 1000:6.1f} ms")
    with capsys.disabled():
        print("\nbuilt-in server start-up (spawn to readiness fd, best of 3):")
        print("\n".join(lines))
