"""k8slab's stand-in for the nginx image: the welcome page, nginx's headers, error pages and logs.

Usage: nginx.py [--listen PORT]... [--entrypoint] [-- NGINX-ARGS...]
"""

from __future__ import annotations

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as c  # noqa: E402
from _http import Response, serve_http, unquote  # noqa: E402

VERSION = "nginx/1.27.3"
LAST_MODIFIED = 1732636500  # the welcome page's date in the nginx:1.27.3 image

WELCOME_HEAD = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

"""
WELCOME_TAIL = """<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""
FIFTY_X = """<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
</body>
</html>
"""
ENTRYPOINT_LINES = (
    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, "
    "will attempt to perform configuration",
    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
    "/docker-entrypoint.sh: Configuration complete; ready for start up",
)


def welcome_page(req) -> bytes:
    """The welcome page, plus one line naming the pod that answered and the client it saw."""
    host = c.hostname().replace("&", "&amp;").replace("<", "&lt;")
    line = (f"<p>Served by pod <b>{host}</b> ({req.local[0]}) "
            f"to {req.client[0]}:{req.client[1]}</p>\n\n")
    return (WELCOME_HEAD + line + WELCOME_TAIL).encode()


def error_page(status: int, reason: str) -> Response:
    """nginx's built-in error page."""
    body = (f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
            f"<center><h1>{status} {reason}</h1></center>\r\n"
            f"<hr><center>{VERSION}</center>\r\n</body>\r\n</html>\r\n")
    return Response(status, body, [("Content-Type", "text/html")], reason)


def static_file(body: bytes) -> Response:
    """A 200 answer with the headers nginx sends for a file."""
    return Response(200, body, [
        ("Content-Type", "text/html"),
        ("Last-Modified", c.http_date(LAST_MODIFIED)),
        ("ETag", f'"{LAST_MODIFIED:x}-{len(body):x}"'),
        ("Accept-Ranges", "bytes"),
    ])


def handle(req) -> Response:
    """Answer like the image's default server block: root /usr/share/nginx/html."""
    if req.version == "HTTP/1.1" and not req.header("host"):
        return error_page(400, "Bad Request")
    path = req.path
    if path.startswith(("http://", "https://")):  # absolute-form request target (proxies)
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    path = unquote(path)
    if path in ("/", "/index.html"):
        page = welcome_page(req)
    elif path == "/50x.html":
        page = FIFTY_X.encode()
    else:
        return error_page(404, "Not Found")
    if req.method not in ("GET", "HEAD"):
        return error_page(405, "Not Allowed")  # nginx's own wording for static files
    return static_file(page)


def access_log(req, resp, sent: int) -> None:
    """The image's access log: nginx's "main" format, on stdout."""
    stamp = time.strftime("%d/%b/%Y:%H:%M:%S %z")
    referer = req.header("referer") or "-"
    agent = req.header("user-agent") or "-"
    forwarded = req.header("x-forwarded-for") or "-"
    c.out(f'{req.client[0]} - - [{stamp}] "{req.request_line}" {resp.status} {sent} '
          f'"{referer}" "{agent}" "{forwarded}"')


def notice(level: str, message: str) -> None:
    """A line of nginx's error log (stderr in the image)."""
    pid = os.getpid()
    c.err(time.strftime("%Y/%m/%d %H:%M:%S ") + f"[{level}] {pid}#{pid}: {message}")


def emerg(message: str) -> None:
    """An [emerg] error as nginx prints it at start-up: in the error log and on stderr."""
    notice("emerg", message)
    c.err(f"nginx: [emerg] {message}")


def handle_options(args: list) -> None:
    """Act on nginx's own command-line options (-v, -t...); exits when nginx would."""
    takes_value = {"-g", "-c", "-p", "-e", "-s"}
    i = 0
    while i < len(args):  # one option per pass
        opt = args[i]
        i += 1
        if opt in ("-v", "-V"):
            c.err(f"nginx version: {VERSION}")
            if opt == "-V":
                c.err("built by gcc 12.2.0 (Debian 12.2.0-14)")
            c.exit_now(0)
        elif opt in ("-t", "-T"):
            c.err("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok")
            c.err("nginx: configuration file /etc/nginx/nginx.conf test is successful")
            c.exit_now(0)
        elif opt in ("-h", "-?"):
            c.err(f"nginx version: {VERSION}\nUsage: nginx [-?hvVtTq] [-s signal] [-p prefix]\n"
                  "             [-e filename] [-c filename] [-g directives]")
            c.exit_now(0)
        elif opt in takes_value:
            if i >= len(args):
                needs = "signal number" if opt == "-s" else "parameter"
                c.err(f'nginx: option "{opt}" requires {needs}')
                c.exit_now(1)
            i += 1
        elif opt != "-q":
            c.err(f'nginx: invalid option: "{opt.lstrip("-")}"')
            c.exit_now(1)


def on_signal(signum: int) -> None:
    """nginx's master process: TERM/INT fast exit, QUIT graceful exit, HUP/USR1 no exit."""
    name = {signal.SIGTERM: "15 (SIGTERM)", signal.SIGINT: "2 (SIGINT)",
            signal.SIGQUIT: "3 (SIGQUIT)", signal.SIGHUP: "1 (SIGHUP)",
            signal.SIGUSR1: "10 (SIGUSR1)"}[signum]
    if signum == signal.SIGHUP:
        notice("notice", f"signal {name} received, reconfiguring")
        notice("notice", "reconfiguring")
    elif signum == signal.SIGUSR1:
        notice("notice", f"signal {name} received, reopening logs")
        notice("notice", "reopening logs")
    elif signum == signal.SIGQUIT:
        notice("notice", f"signal {name} received, shutting down")
        notice("notice", "gracefully shutting down")
        notice("notice", "exit")
        c.exit_now(0)
    else:
        notice("notice", f"signal {name} received, exiting")
        notice("notice", "exit")
        c.exit_now(0)


def main(argv: list) -> None:
    """Start nginx: check options, bind every port, then serve until a signal."""
    c.setup_streams()
    ports, entrypoint, args = c.parse_wrapper_args(argv)
    handle_options(args)
    if entrypoint:
        for line in ENTRYPOINT_LINES:
            c.out(line)
    socks = []
    for port in ports or [80]:
        try:
            socks.append(c.listen_tcp(c.BIND_HOST, port))
        except OSError as exc:
            emerg(f"bind() to {c.BIND_HOST}:{port} failed ({exc.errno}: {os.strerror(exc.errno)})")
            emerg("still could not bind()")
            c.exit_now(1)
    c.on_signals(on_signal, signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP,
                 signal.SIGUSR1)
    for sock in socks:
        serve_http(sock, handle, default_headers=[("Server", VERSION)], on_done=access_log,
                   bad_request=lambda: error_page(400, "Bad Request"))
    notice("notice", 'using the "epoll" event method')
    notice("notice", VERSION)
    notice("notice", "built by gcc 12.2.0 (Debian 12.2.0-14)")
    notice("notice", f"OS: Linux {os.uname().release}")
    notice("notice", "start worker processes")
    c.signal_ready()
    c.wait_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
