"""`agnhost netexec`: HTTP endpoints and a UDP command server, answered as agnhost's source does."""

from __future__ import annotations

import signal
import threading
import time

import _common as c
from _http import REASONS, Response, go_error, go_response, serve_http

STATE = {"udp_ready": False, "sigterm": False}
STARTED = time.monotonic()


def go_now() -> str:
    """time.Now() printed with %v: "2026-11-22 10:00:00.123456789 +0000 UTC m=+1.000000001"."""
    now_ns = time.time_ns()
    local = time.localtime(now_ns // 1_000_000_000)
    frac = f"{now_ns % 1_000_000_000:09d}".rstrip("0")
    mono = time.monotonic() - STARTED
    return (time.strftime("%Y-%m-%d %H:%M:%S", local) + (f".{frac}" if frac else "")
            + time.strftime(" %z %Z", local) + f" m=+{mono:.9f}")


def go_json(value) -> str:
    """json.Marshal output: compact, sorted keys, <>& escaped."""
    import json  # imported on first use: most pods never call /dial, /shell or /header

    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def canonical(name: str) -> str:
    """Go's canonical MIME header key: "user-agent" -> "User-Agent"."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def root(req):
    """/ and every unrouted path: the time, as Go prints it."""
    c.go_log("GET /")
    return go_response(200, f"NOW: {go_now()}")


def clientip(req):
    """/clientip: the client's ip:port as the pod sees it."""
    c.go_log("GET /clientip")
    return go_response(200, req.client_addr)


def hostname(req):
    """/hostname and /hostName: the pod's name."""
    c.go_log("GET /hostname" if req.path == "/hostname" else "GET /hostName")
    return go_response(200, c.hostname())


def echo(req):
    """/echo?msg=...&code=...: the message, with an optional status."""
    msg, code = req.param("msg"), req.param("code")
    c.go_log(f"GET /echo?msg={msg}&code={code}")
    if not code:
        return go_response(200, msg)
    try:
        return go_response(int(code), msg)
    except ValueError:
        return go_response(200, f'argument \'code\' must be an integer or empty, got "{code}"\n')


def header(req):
    """/header?key=...: one request header, or all of them as JSON."""
    key = req.param("key")
    if key:
        c.go_log(f"GET /header?key={key}")
        return go_response(200, req.header(key))
    c.go_log("GET /header")
    merged: dict = {}
    for name, value in req.headers:
        if name.lower() != "host":  # Go moves Host out of r.Header
            merged.setdefault(canonical(name), []).append(value)
    return go_response(200, go_json(merged))


def healthz(req):
    """/healthz: 200 once the UDP server runs, else 412 (as agnhost)."""
    c.go_log("GET /healthz")
    return go_response(200 if STATE["udp_ready"] else 412)


def readyz(req):
    """/readyz: like /healthz, but 503 once SIGTERM arrived."""
    c.go_log("GET /readyz")
    if STATE["sigterm"]:
        return go_response(503, "shutting down")
    return go_response(200, "ok") if STATE["udp_ready"] else go_response(412)


def shutdown(req):
    """/shutdown: exit 0 at once."""
    c.go_log("GET /shutdown")
    c.exit_now(0)


def exit_(req):
    """/exit?code=&timeout=&wait=: exit with a code, gracefully if a timeout is given."""
    wait_s, timeout_s, code_s = req.param("wait"), req.param("timeout"), req.param("code")
    c.go_log(f"GET /exit?code={code_s}&timeout={timeout_s}&wait={wait_s}")
    try:
        timeout = c.parse_go_duration(timeout_s) if timeout_s else 0.0
    except ValueError:
        return go_response(200, f"argument 'timeout' must be a valid golang duration or empty, "
                                f'got "{timeout_s}"\n')
    try:
        wait = c.parse_go_duration(wait_s) if wait_s else 0.0
    except ValueError:
        return go_response(200, f"argument 'wait' must be a valid golang duration or empty, "
                                f'got "{wait_s}"\n')
    try:
        code = int(code_s) if code_s else 0
    except ValueError:
        return go_response(200, f"argument 'code' must be an integer [0-127] or empty, "
                                f'got "{code_s}"\n')
    c.go_log(f"Will begin shutdown in {c.go_duration(wait) if wait else '0s'}, allowing "
             f"{c.go_duration(timeout) if timeout else '0s'} for connections to close, "
             f"then will exit with {code}")
    time.sleep(min(wait, 3600))
    if timeout == 0:
        c.exit_now(code & 0xFF)  # like os.Exit: the request is never answered

    def finish():
        time.sleep(min(timeout, 0.2))  # the graceful shutdown lets this answer go out first
        c.go_log("Graceful shutdown completed with: <nil>")
        c.exit_now(code & 0xFF)

    threading.Thread(target=finish, daemon=True).start()
    return go_response(200)


def redirect(req):
    """/redirect?location=&code=: an HTTP redirect."""
    location, code_s = req.param("location"), req.param("code")
    c.go_log(f"{req.method} /redirect?msg={location}&code={code_s}")
    try:
        code = int(code_s) if code_s else 302
    except ValueError:
        return go_response(200, f'argument \'code\' must be an integer or empty, got "{code_s}"\n')
    body = f'<a href="{location}">{REASONS.get(code, "")}</a>.\n\n' if req.method in (
        "GET", "HEAD") else ""
    return go_response(code, body, [("Location", location),
                                    ("Content-Type", "text/html; charset=utf-8")])


def shell(req):
    """/shell?cmd=...: run a shell command, answer its output as JSON."""
    import subprocess

    cmd = req.param("shellCommand") or req.param("cmd")
    c.go_log(f"GET /shell?cmd={cmd}")
    proc = subprocess.run(["/bin/sh", "-c", cmd], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False)
    output = {}
    if proc.stdout:
        output["output"] = proc.stdout.decode("utf-8", "replace")
    if proc.returncode:
        output["error"] = (f"exit status {proc.returncode}" if proc.returncode > 0
                           else f"signal: {signal.Signals(-proc.returncode).name}")
    c.go_log("Output: map[" + " ".join(f"{k}:{v}" for k, v in sorted(output.items())) + "]")
    return go_response(200, go_json(output))


def upload(req):
    """/upload: not emulated; answers agnhost's failure JSON."""
    c.go_log("GET /upload")
    c.go_log("Unable to upload file: k8slab does not emulate /upload")
    return go_response(200, go_json({"error": "Unable to upload file."}))


def dial(req):
    """/dial: make requests to another host and report the answers as JSON."""
    host, port, request = req.param("host"), req.param("port"), req.param("request")
    protocol, tries_s = req.param("protocol"), req.param("tries")
    c.go_log(f"GET /dial?host={host}&protocol={protocol}&port={port}&request={request}"
             f"&tries={tries_s}")
    try:
        tries = int(tries_s) if tries_s else 1
    except ValueError:
        return go_error(400, f'tries parameter is invalid. strconv.Atoi: parsing "{tries_s}": '
                             "invalid syntax")
    if not request:
        return go_error(400, "request parameter not specified. <nil>")
    dialer = {"": dial_http, "http": dial_http, "udp": dial_udp}.get(protocol.lower())
    if dialer is None:
        return go_error(400, f"unsupported protocol. {protocol}")
    if not port.isdigit():
        return go_error(400, f"host and/or port param are invalid. address {host}:{port}: "
                             "invalid port")
    responses, errors, last = [], [], ""
    for _ in range(max(0, min(tries, 1000))):
        try:
            last = dialer(request, host, int(port))
            responses.append(last)
        except OSError as exc:
            last = ""
            errors.append(str(exc))
    output = {}
    if last:
        output["responses"] = responses
    if errors:
        output["errors"] = errors
    return go_response(200, go_json(output))


def dial_http(request: str, host: str, port: int) -> str:
    """GET http://host:port/request with a 5 s timeout, like netexec's HTTP client."""
    import http.client

    url = f"http://{host}:{port}/{request}"
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request("GET", "/" + request, headers={"User-Agent": "Go-http-client/1.1"})
        return conn.getresponse().read().decode("utf-8", "replace")
    except OSError as exc:
        reason = c.go_errno(exc) if exc.errno else "context deadline exceeded"
        raise OSError(f'Get "{url}": dial tcp {host}:{port}: connect: {reason}') from None
    except http.client.HTTPException as exc:
        raise OSError(f'Get "{url}": {exc}') from None
    finally:
        conn.close()


def dial_udp(request: str, host: str, port: int) -> str:
    """Send `request` in one datagram and wait 5 s for the answer."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        try:
            sock.connect((host, port))
            sock.send(request.encode())
            data = sock.recv(2048)
        except socket.timeout:
            raise OSError("reading from udp connection failed. "
                          "err:'read udp: i/o timeout'") from None
        except OSError as exc:
            raise OSError(f"reading from udp connection failed. err:'read udp: "
                          f"{c.go_errno(exc)}'") from None
    if not data:
        raise OSError("reading from udp connection failed. err:'<nil>'")
    return data.decode("utf-8", "replace")


ROUTES = {
    "/clientip": clientip, "/dial": dial, "/echo": echo, "/exit": exit_, "/header": header,
    "/healthz": healthz, "/readyz": readyz, "/hostname": hostname, "/hostName": hostname,
    "/redirect": redirect, "/shell": shell, "/shutdown": shutdown, "/upload": upload,
}


def make_handler(override: str):
    """Route by exact path ("/" catches everything else, as with Go's ServeMux)."""

    def handle(req) -> Response:
        if override:  # --http-override: every request is served as GET <override>
            req.method, req.target = "GET", override
            req.path, _, req.query_string = override.partition("?")
            req._form = None
        return ROUTES.get(req.path, root)(req)

    return handle


def udp_command(data: bytes, addr):
    """Answer netexec's UDP commands: "hostname", "echo <msg>" (lower-cased), "clientip"."""
    text = data.decode("utf-8", "replace").strip().lower()
    client = f"{addr[0]}:{addr[1]}"
    if text == "hostname":
        c.go_log("Sending udp hostName response")
        return c.hostname().encode()
    if text.startswith("echo "):
        msg = text.split(" ", 1)[1]
        c.go_log(f"Echoing {msg} to UDP client {client}")
        return msg.encode()
    if text == "clientip":
        c.go_log(f"Sending clientip back to UDP client {client}")
        return client.encode()
    if text:
        c.go_log(f"Unknown UDP command received from {client}: {text}")
    return None


def run(flags: dict) -> None:
    """Start netexec: the UDP servers, then HTTP; SIGTERM exits 0 after --delay-shutdown."""
    if flags["tls-cert-file"]:
        c.go_log("k8slab does not emulate netexec over HTTPS (--tls-cert-file)")
        c.exit_now(1)
    if flags["sctp-port"] != -1:
        c.go_log(f"Error occurred: failed to create listener for SCTP address :{flags['sctp-port']}"
                 ":protocol not supported")
        c.exit_now(1)
    udp_port, http_port = flags["udp-port"], flags["http-port"]
    udp_socks = []
    if udp_port != -1:
        addresses = [a for a in flags["udp-listen-addresses"].split(",") if a] or [""]
        for address in sorted(set(addresses)):
            try:
                udp_socks.append((address, c.bind_udp(address or c.BIND_HOST, udp_port)))
            except OSError as exc:
                c.go_log(f"Error occurred: failed to create listener for UDP address "
                         f"{address}:{udp_port}:listen udp {address}:{udp_port}: bind: "
                         f"{c.go_errno(exc)}")
                c.exit_now(1)
    c.go_log(f"Started HTTP server on port {http_port}")
    try:
        http_sock = c.listen_tcp(c.BIND_HOST, http_port)
    except (OSError, OverflowError) as exc:
        if isinstance(exc, OSError):
            c.go_log(f"listen tcp :{http_port}: bind: {c.go_errno(exc)}")
        else:
            c.go_log(f"listen tcp: address {http_port}: invalid port")
        c.exit_now(1)
    for address, sock in udp_socks:
        c.go_log(f"Started UDP server on port {address} {udp_port}")
        c.serve_udp(sock, udp_command)
    STATE["udp_ready"] = bool(udp_socks)

    def on_term(_signum):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        STATE["sigterm"] = True  # /readyz now answers 503
        if flags["delay-shutdown"] > 0:
            c.go_log(f"Sleeping {flags['delay-shutdown']} seconds before terminating...")
            time.sleep(flags["delay-shutdown"])
        c.exit_now(0)

    c.on_signals(on_term, signal.SIGTERM)
    serve_http(http_sock, make_handler(flags["http-override"]), echo_version=True)
    c.signal_ready()
    c.wait_forever()
