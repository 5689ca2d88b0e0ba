"""A small HTTP/1.x server for k8slab's built-in servers.

Every connection is answered once and closed (`Connection: close`), which curl, wget and urllib all
handle, and which makes each request a new connection, so kube-proxy's load balancing shows in
every answer. urllib.parse and http.server are avoided: importing them costs more than the rest.
"""

from __future__ import annotations

import socket
import time

from _common import http_date, serve_tcp

MAX_HEAD = 64 * 1024  # a request line plus headers larger than this is refused (like nginx's 400)
MAX_BODY = 1024 * 1024  # bodies are read up to this size; the servers only look at small forms
CONN_TIMEOUT = 30.0  # an idle client must not pin a thread forever

REASONS = {
    200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently", 302: "Found",
    303: "See Other", 304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    408: "Request Timeout", 411: "Length Required", 412: "Precondition Failed",
    413: "Payload Too Large", 417: "Expectation Failed", 418: "I'm a teapot",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
}


class Request:
    """One parsed HTTP request."""

    def __init__(self, method, target, version, headers, body, client, local):
        self.method, self.target, self.version = method, target, version
        self.headers = headers  # list of (name, value) as received
        self.body = body
        self.client = client  # (ip, port) of the peer: the source address the pod sees
        self.local = local  # (ip, port) the client reached: the pod's address after any DNAT
        self.path, _, self.query_string = target.partition("?")
        self._form = None
        self.started = time.monotonic()  # for servers that log how long a request took

    @property
    def request_line(self) -> str:
        """The request line as received: "GET / HTTP/1.1"."""
        return f"{self.method} {self.target} {self.version}"

    @property
    def client_addr(self) -> str:
        """The client as "ip:port"."""
        return f"{self.client[0]}:{self.client[1]}"

    def header(self, name: str, default: str = "") -> str:
        """The first value of a header (case-insensitive)."""
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return default

    def param(self, name: str) -> str:
        """First value of a query or urlencoded-form parameter, "" if absent (Go's FormValue)."""
        if self._form is None:
            self._form = parse_query(self.query_string)
            if "application/x-www-form-urlencoded" in self.header("content-type"):
                for key, values in parse_query(self.body.decode("latin-1")).items():
                    self._form.setdefault(key, []).extend(values)
        values = self._form.get(name)
        return values[0] if values else ""


class Response:
    """What a handler answers; body is bytes, headers a list of (name, value)."""

    def __init__(self, status=200, body=b"", headers=(), reason=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.headers = list(headers)
        self.reason = reason or REASONS.get(status, "Unknown")


def unquote(text: str, plus: bool = False) -> str:
    """Percent-decode a URL part; `plus` also turns "+" into a space (forms)."""
    raw = (text.replace("+", " ") if plus else text).encode("utf-8")
    out_bytes = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == 0x25 and _is_hex(raw[i + 1:i + 3]):
            out_bytes.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            out_bytes.append(raw[i])
            i += 1
    return out_bytes.decode("utf-8", "replace")


def _is_hex(pair: bytes) -> bool:
    return len(pair) == 2 and all(c in b"0123456789abcdefABCDEF" for c in pair)


def parse_query(qs: str) -> dict:
    """Parse "a=1&b=2" into {"a": ["1"], "b": ["2"]}."""
    result: dict = {}
    for part in qs.replace(";", "&").split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        result.setdefault(unquote(key, True), []).append(unquote(value, True))
    return result


def serve_http(sock, handler, *, default_headers=(), on_done=None, bad_request=None,
               echo_version=False) -> None:
    """Serve HTTP on a listening socket in threads.

    `handler(req)` returns a Response, or None to drop the connection unanswered. `on_done(req,
    resp, sent)` runs after each answer (access logs); `bad_request()` gives the 400 Response for
    malformed requests. With `echo_version`, HTTP/1.0 requests get an HTTP/1.0 status line (Go).
    """

    def on_connection(conn, addr):
        conn.settimeout(CONN_TIMEOUT)
        req = _read_request(conn, addr)
        if req is None:
            return
        if req == "bad":
            resp, req = (bad_request() if bad_request else Response(400, "400 Bad Request")), None
        else:
            resp = handler(req)
            if resp is None:
                return
        version = "HTTP/1.0" if echo_version and req and req.version == "HTTP/1.0" else "HTTP/1.1"
        sent = _send(conn, req, resp, version, default_headers)
        if on_done and req is not None:
            on_done(req, resp, sent)
        _linger_close(conn)

    serve_tcp(sock, on_connection)


def _read_request(conn, addr):
    buf = b""
    while b"\r\n\r\n" not in buf and b"\n\n" not in buf:
        if len(buf) > MAX_HEAD:
            return "bad"
        try:
            chunk = conn.recv(65536)
        except OSError:
            return None
        if not chunk:
            return None  # the client went away (or a TCP health check): nothing to answer
        buf += chunk
    sep = b"\r\n\r\n" if b"\r\n\r\n" in buf else b"\n\n"
    head, _, rest = buf.partition(sep)
    lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not parts[1]:
        return "bad"
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            return "bad"
        headers.append((name.strip(), value.strip()))
    req = Request(parts[0], parts[1], parts[2], headers, b"", addr, conn.getsockname())
    try:
        length = min(int(req.header("content-length", "0") or 0), MAX_BODY)
    except ValueError:
        return "bad"
    body = rest
    if length > len(body) and req.header("expect").lower() == "100-continue":
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")  # curl waits a second for this otherwise
    while len(body) < length:  # bounded by MAX_BODY and the socket timeout
        try:
            chunk = conn.recv(65536)
        except OSError:
            break
        if not chunk:
            break
        body += chunk
    req.body = body[:length]
    return req


def _send(conn, req, resp, version, default_headers) -> int:
    names = {name.lower() for name, _ in resp.headers}
    lines = [f"{version} {resp.status} {resp.reason}"]
    for name, value in default_headers:
        if name.lower() not in names:
            lines.append(f"{name}: {value}")
    if "date" not in names:
        lines.append(f"Date: {http_date()}")
    lines.extend(f"{name}: {value}" for name, value in resp.headers)
    lines.append(f"Content-Length: {len(resp.body)}")
    if "connection" not in names:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
    body = b"" if req is not None and req.method == "HEAD" else resp.body
    try:
        conn.sendall(head + body)
    except OSError:
        return 0
    return len(body)


def _linger_close(conn) -> None:
    # Half-close, then read what the client still sends, so the kernel does not answer unread
    # bytes with an RST that could destroy the response before the client has read it.
    try:
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(1.0)
        for _ in range(16):
            if not conn.recv(65536):
                break
    except OSError:
        pass


def go_response(status: int = 200, body: str = "", headers=()) -> Response:
    """A response as Go's net/http sends it: text/plain sniffed for a non-empty text body."""
    extra = list(headers)
    if body and not any(name.lower() == "content-type" for name, _ in extra):
        extra.append(("Content-Type", "text/plain; charset=utf-8"))
    return Response(status, body, extra)


def go_error(status: int, message: str) -> Response:
    """Go's http.Error(): the message and a newline, with nosniff."""
    return go_response(status, message + "\n", [("Content-Type", "text/plain; charset=utf-8"),
                                                ("X-Content-Type-Options", "nosniff")])
