"""k8slab's stand-in for hashicorp/http-echo (v1.0): answer every request with -text.

Usage: http_echo.py [-listen=:5678] [-text=TEXT] [-status-code=200] [-version]
"""

from __future__ import annotations

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as c  # noqa: E402
from _http import Response, serve_http  # noqa: E402

NAME, VERSION = "http-echo", "1.0.0"

# name -> (kind, default, usage line) as declared with Go's flag package
FLAGS = {
    "listen": ("string", ":5678", "address and port to listen"),
    "status-code": ("int", 200, "http response code, e.g.: 200"),
    "text": ("string", "", "text to put on the webpage"),
    "version": ("bool", False, "display version information"),
}


class FlagError(Exception):
    """A command line Go's flag package rejects."""


def usage() -> str:
    """Go's flag.PrintDefaults output for http-echo."""
    lines = ["Usage of /http-echo:"]
    for name, (kind, default, text) in sorted(FLAGS.items()):
        lines.append(f"  -{name}" + ("" if kind == "bool" else f" {kind}"))
        shown = f' (default "{default}")' if kind == "string" and default else (
            f" (default {default})" if kind == "int" else "")
        lines.append(f"    \t{text}{shown}")
    return "\n".join(lines)


def parse_go_flags(args: list) -> tuple:
    """Parse like Go's flag package: -name=value, -name value, --name; stop at the first operand."""
    values = {name: spec[1] for name, spec in FLAGS.items()}
    rest = list(args)
    while rest:  # each pass consumes at least one argument
        arg = rest[0]
        if len(arg) < 2 or arg[0] != "-":
            break
        rest.pop(0)
        if arg == "--":
            break
        name = arg[2:] if arg.startswith("--") else arg[1:]
        if not name or name[0] in "-=":
            raise FlagError(f"bad flag syntax: {arg}")
        name, has_value, value = name.partition("=")
        if name in ("h", "help") and name not in FLAGS:
            raise FlagError("")
        if name not in FLAGS:
            raise FlagError(f"flag provided but not defined: -{name}")
        kind = FLAGS[name][0]
        if kind == "bool":
            if has_value and value not in ("1", "t", "T", "true", "TRUE", "True",
                                           "0", "f", "F", "false", "FALSE", "False"):
                raise FlagError(f'invalid boolean value "{value}" for -{name}: parse error')
            values[name] = not has_value or value in ("1", "t", "T", "true", "TRUE", "True")
            continue
        if not has_value:
            if not rest:
                raise FlagError(f"flag needs an argument: -{name}")
            value = rest.pop(0)
        if kind == "int":
            try:
                values[name] = int(value, 0)
            except ValueError:
                raise FlagError(f'invalid value "{value}" for flag -{name}: parse error') from None
        else:
            values[name] = value
    return values, rest


def make_handler(text: str, status: int):
    """The echo handler and the /health handler, both with the app headers."""
    app_headers = [("X-App-Name", NAME), ("X-App-Version", VERSION),
                   ("Content-Type", "text/plain; charset=utf-8")]

    def handle(req) -> Response:
        if req.path == "/health":
            return Response(200, '{"status":"ok"}\n', app_headers)
        return Response(status, text + "\n", app_headers)

    return handle


def access_log(req, resp, _sent: int) -> None:
    """http-echo's request log, on stdout (never for /health)."""
    if req.path == "/health":
        return
    took = c.go_duration(time.monotonic() - req.started)
    agent = req.header("user-agent")
    request = f"{req.method} {req.path} {req.version}"
    c.out(f'{time.strftime("%Y/%m/%d %H:%M:%S")} {req.header("host")} {req.client_addr} '
          f'"{request}" {resp.status} {len(resp.body)} "{agent}" {took}')


def on_signal(_signum: int) -> None:
    """SIGINT or SIGTERM: shut down, and exit 2 as http-echo does."""
    c.go_log("[INFO] received interrupt, shutting down...")
    c.exit_now(2)


def main(argv: list) -> None:
    """Start http-echo."""
    c.setup_streams()
    try:
        flags, operands = parse_go_flags(argv)
    except FlagError as exc:
        if str(exc):
            c.err(str(exc))
        c.err(usage())
        c.exit_now(2 if str(exc) else 0)
    if flags["version"]:
        c.err(f"{NAME} v{VERSION}")
        c.exit_now(0)
    text = flags["text"] or os.environ.get("ECHO_TEXT", "")
    if not text:
        c.err("Missing -text option or ECHO_TEXT env var!")
        c.exit_now(127)
    if operands:
        c.err("Too many arguments!")
        c.exit_now(127)
    listen = flags["listen"]
    c.go_log(f"[INFO] server is listening on {listen}")
    host, colon, port = listen.rpartition(":")
    try:
        if not colon:
            raise ValueError(f"address {listen}: missing port in address")
        if port and not port.isdigit():
            raise ValueError(f"lookup tcp/{port}: unknown port")
        sock = c.listen_tcp(host or c.BIND_HOST, int(port or 80))
    except ValueError as exc:
        c.go_log(f"[ERR] server exited with: listen tcp: {exc}")
        c.exit_now(1)
    except OSError as exc:
        c.go_log(f"[ERR] server exited with: listen tcp {listen}: bind: {c.go_errno(exc)}")
        c.exit_now(1)
    c.on_signals(on_signal, signal.SIGTERM, signal.SIGINT)
    serve_http(sock, make_handler(text, flags["status-code"]), on_done=access_log,
               echo_version=True)
    c.signal_ready()
    c.wait_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
