"""The nginx and httpd stand-ins, started for real on 127.0.0.1 and queried with urllib."""

from __future__ import annotations

import re
import signal
import socket

from runtime_harness import free_port, http, raw_http, server_argv, start  # noqa: F401

HOST = socket.gethostname()
NGINX_LOG = re.compile(
    r'^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] '
    r'"(?P<line>[^"]*)" (?P<status>\d{3}) (?P<bytes>\d+) "(?P<ref>[^"]*)" "(?P<ua>[^"]*)" "-"$')


def test_nginx_welcome_page_names_pod_and_client(start):
    port = free_port()
    server = start(server_argv("nginx.py", f"--listen={port}", "--entrypoint", "--",
                               "-g", "daemon off;"))
    status, headers, body = http(f"http://127.0.0.1:{port}/", headers={"User-Agent": "curl/7.88.1"})
    assert status == 200
    assert headers["Server"] == "nginx/1.27.3"
    assert headers["Content-Type"] == "text/html"
    assert headers["Connection"] == "close"
    assert int(headers["Content-Length"]) == len(body.encode())
    assert "<title>Welcome to nginx!</title>" in body
    assert "<h1>Welcome to nginx!</h1>" in body
    match = re.search(r"<p>Served by pod <b>(.+)</b> \((.+)\) to 127\.0\.0\.1:(\d+)</p>", body)
    assert match and match.group(1) == HOST and match.group(2) == "127.0.0.1"
    log = server.wait_for('"GET / HTTP/1.1" 200')
    lines = log.splitlines()
    assert "/docker-entrypoint.sh: Configuration complete; ready for start up" in lines
    entry = NGINX_LOG.match(lines[-1])
    assert entry, lines[-1]
    assert entry["ua"] == "curl/7.88.1" and int(entry["bytes"]) == len(body.encode())
    assert "[notice]" in server.stderr() and "nginx/1.27.3" in server.stderr()
    assert server.stop(signal.SIGTERM) == 0
    assert "signal 15 (SIGTERM) received, exiting" in server.stderr()


def test_nginx_errors_head_and_http10(start):
    port = free_port()
    server = start(server_argv("nginx.py", f"--listen={port}"))
    status, headers, body = http(f"http://127.0.0.1:{port}/missing")
    assert status == 404
    assert "<center><h1>404 Not Found</h1></center>" in body
    assert "<hr><center>nginx/1.27.3</center>" in body
    status, _, body = http(f"http://127.0.0.1:{port}/", method="POST", data=b"x=1")
    assert status == 405 and "405 Not Allowed" in body
    status, headers, body = http(f"http://127.0.0.1:{port}/index.html", method="HEAD")
    assert status == 200 and body == "" and int(headers["Content-Length"]) > 600
    answer = raw_http(port, b"GET / HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and b"Welcome to nginx!" in answer
    answer = raw_http(port, b"GET / HTTP/1.1\r\n\r\n")  # HTTP/1.1 needs Host
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    answer = raw_http(port, b"garbage\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    log = server.wait_for('"HEAD /index.html HTTP/1.1" 200 0 ', '"GET /missing HTTP/1.1" 404')
    assert "Configuration complete" not in log
    assert server.stop(signal.SIGQUIT) == 0
    assert "signal 3 (SIGQUIT) received, shutting down" in server.stderr()


def test_nginx_serves_every_declared_port_and_survives_hup(start):
    first, second = free_port(), free_port()
    server = start(server_argv("nginx.py", f"--listen={first}", f"--listen={second}"))
    for port in (first, second):
        assert http(f"http://127.0.0.1:{port}/")[0] == 200
    server.proc.send_signal(signal.SIGHUP)
    server.wait_for("reconfiguring", stream="stderr")
    assert http(f"http://127.0.0.1:{first}/")[0] == 200
    assert server.stop(signal.SIGINT) == 0


def test_nginx_bind_failure_is_reported_like_nginx(start):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = start(server_argv("nginx.py", f"--listen={port}"), ready=False)
        assert server.wait_exit() == 1
    assert (f"nginx: [emerg] bind() to 127.0.0.1:{port} failed (98: Address already in use)"
            in server.stderr().splitlines())


def test_nginx_version_option(start):
    server = start(server_argv("nginx.py", "--listen=1", "--", "-v"), ready=False)
    assert server.wait_exit() == 0
    assert server.stderr() == "nginx version: nginx/1.27.3\n"


def test_nginx_serves_concurrent_clients(start):
    port = free_port()
    start(server_argv("nginx.py", f"--listen={port}"))
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(5)]
    try:  # idle half-open clients must not block the others
        for _ in range(10):
            assert http(f"http://127.0.0.1:{port}/")[0] == 200
    finally:
        for conn in idle:
            conn.close()


def test_httpd_it_works_and_common_log(start):
    port = free_port()
    server = start(server_argv("httpd.py", f"--listen={port}", "--"))
    status, headers, body = http(f"http://127.0.0.1:{port}/")
    assert status == 200
    assert headers["Server"] == "Apache/2.4.62 (Unix)"
    assert body.startswith("<html><body><h1>It works!</h1>")
    assert f"<p>Served by pod <b>{HOST}</b> (127.0.0.1) to 127.0.0.1:" in body
    status, _, body = http(f"http://127.0.0.1:{port}/nope")
    assert status == 404 and "<h1>Not Found</h1>" in body
    log = server.wait_for('"GET /nope HTTP/1.1" 404', '"GET / HTTP/1.1" 200')
    assert re.search(r'^127\.0\.0\.1 - - \[[^]]+\] "GET / HTTP/1\.1" 200 \d+$', log, re.M)
    assert "AH00558" in server.stderr() and "AH00094: Command line: 'httpd -D FOREGROUND'" in (
        server.stderr())
    assert server.stop(signal.SIGTERM) == 0
    assert "AH00491: caught SIGTERM, shutting down" in server.stderr()


def test_httpd_bind_failure(start):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = start(server_argv("httpd.py", f"--listen={port}"), ready=False)
        assert server.wait_exit() == 1
    assert (f"(98)Address already in use: AH00072: make_sock: could not bind to address "
            f"127.0.0.1:{port}") in server.stderr()
