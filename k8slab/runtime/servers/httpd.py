"""k8slab's stand-in for the httpd (Apache) image: "It works!", Apache's headers, errors and logs.

Usage: httpd.py [--listen PORT]... [-- HTTPD-ARGS...]
"""

from __future__ import annotations

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as c  # noqa: E402
from _http import Response, serve_http, unquote  # noqa: E402

VERSION = "Apache/2.4.62 (Unix)"
RESUMING = f"AH00489: {VERSION} configured -- resuming normal operations"
LAST_MODIFIED = 1182180437  # htdocs/index.html in the official image dates from 2007

ERROR_PAGES = {
    400: ("Bad Request",
          "<p>Your browser sent a request that this server could not understand.<br />\n</p>"),
    404: ("Not Found", "<p>The requested URL was not found on this server.</p>"),
}


def it_works(req) -> bytes:
    """The image's index.html, plus one line naming the pod that answered and the client it saw."""
    host = c.hostname().replace("&", "&amp;").replace("<", "&lt;")
    return (f"<html><body><h1>It works!</h1>\n<p>Served by pod <b>{host}</b> ({req.local[0]}) "
            f"to {req.client[0]}:{req.client[1]}</p>\n</body></html>\n").encode()


def error_page(status: int, reason: str, text: str) -> Response:
    """Apache's built-in error document."""
    body = ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
            f"<title>{status} {reason}</title>\n</head><body>\n<h1>{reason}</h1>\n{text}\n"
            "</body></html>\n")
    return Response(status, body, [("Content-Type", "text/html; charset=iso-8859-1")], reason)


def bad_request() -> Response:
    """Apache's 400 page."""
    return error_page(400, *ERROR_PAGES[400])


def handle(req) -> Response:
    """Answer like the image's default configuration: DocumentRoot /usr/local/apache2/htdocs."""
    if req.version == "HTTP/1.1" and not req.header("host"):
        return bad_request()
    path = unquote(req.path)
    if path not in ("/", "/index.html"):
        return error_page(404, *ERROR_PAGES[404])
    if req.method not in ("GET", "HEAD", "POST"):
        text = f"<p>The requested method {req.method} is not allowed for this URL.</p>"
        return error_page(405, "Method Not Allowed", text)
    body = it_works(req)
    return Response(200, body, [
        ("Last-Modified", c.http_date(LAST_MODIFIED)),
        ("ETag", f'"{len(body):x}-{LAST_MODIFIED * 1000000:x}"'),
        ("Accept-Ranges", "bytes"),
        ("Content-Type", "text/html"),
    ])


def access_log(req, resp, sent: int) -> None:
    """The image's access log: Apache's "common" format, on stdout."""
    stamp = time.strftime("%d/%b/%Y:%H:%M:%S %z")
    c.out(f'{req.client[0]} - - [{stamp}] "{req.request_line}" {resp.status} {sent or "-"}')


def error_log(module: str, message: str) -> None:
    """A line of Apache's error log (stderr in the image)."""
    now = time.time()
    stamp = time.strftime("%a %b %d %H:%M:%S", time.localtime(now))
    micros = int((now % 1) * 1e6)
    year = time.localtime(now).tm_year
    pid = os.getpid()
    c.err(f"[{stamp}.{micros:06d} {year}] [{module}] [pid {pid}:tid {pid}] {message}")


def own_address() -> str:
    """The address Apache would guess for ServerName: the pod's name in /etc/hosts."""
    name = c.hostname()
    try:
        with open("/etc/hosts", encoding="utf-8", errors="replace") as hosts:
            for line in hosts:
                fields = line.split("#", 1)[0].split()
                if len(fields) > 1 and name in fields[1:] and ":" not in fields[0]:
                    return fields[0]
    except OSError:
        pass
    return "127.0.0.1"


def handle_options(args: list) -> None:
    """Act on httpd's own command-line options (-v, -t...); exits when httpd would."""
    for opt in args:
        if opt in ("-v", "-V"):
            c.out(f"Server version: {VERSION}")
            c.out("Server built:   Jul 17 2024 18:29:55")
            c.exit_now(0)
        if opt in ("-t", "-S"):
            c.err("Syntax OK")
            c.exit_now(0)


def on_signal(signum: int) -> None:
    """httpd's parent process: TERM/INT stop, WINCH graceful stop, HUP/USR1 restart."""
    if signum == signal.SIGWINCH:
        error_log("mpm_event:notice", "AH00492: caught SIGWINCH, shutting down gracefully")
        c.exit_now(0)
    elif signum in (signal.SIGHUP, signal.SIGUSR1):
        what = ("SIGHUP received.  Attempting to restart" if signum == signal.SIGHUP
                else "SIGUSR1 received.  Doing graceful restart")
        error_log("mpm_event:notice", f"AH00493: {what}")
        error_log("mpm_event:notice", RESUMING)
    else:
        error_log("mpm_event:notice", "AH00491: caught SIGTERM, shutting down")
        c.exit_now(0)


def main(argv: list) -> None:
    """Start httpd: bind every port, then serve until a signal."""
    c.setup_streams()
    ports, _entrypoint, args = c.parse_wrapper_args(argv)
    handle_options(args)
    socks = []
    for port in ports or [80]:
        try:
            socks.append(c.listen_tcp(c.BIND_HOST, port))
        except OSError as exc:
            c.err(f"({exc.errno}){os.strerror(exc.errno)}: AH00072: make_sock: could not bind to "
                  f"address {c.BIND_HOST}:{port}")
            c.err("no listening sockets available, shutting down")
            c.err("AH00015: Unable to open logs")
            c.exit_now(1)
    c.on_signals(on_signal, signal.SIGTERM, signal.SIGINT, signal.SIGWINCH, signal.SIGHUP,
                 signal.SIGUSR1)
    for sock in socks:
        serve_http(sock, handle, default_headers=[("Server", VERSION)], on_done=access_log,
                   bad_request=bad_request)
    c.signal_ready()
    guess = (f"AH00558: httpd: Could not reliably determine the server's fully qualified domain "
             f"name, using {own_address()}. Set the 'ServerName' directive globally to suppress "
             "this message")
    c.err(guess)
    c.err(guess)  # the real image prints it twice: once for the config test, once for the start
    error_log("mpm_event:notice", RESUMING)
    error_log("core:notice", "AH00094: Command line: 'httpd -D FOREGROUND'")
    c.wait_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
