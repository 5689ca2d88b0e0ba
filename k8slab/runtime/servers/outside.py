"""The emulated outside world's servers: hosts beyond the cluster (1.1.1.1, 192.168.3.215...).

Every TCP port speaks HTTP and says which outside address was reached and who called, so a learner
sees that a selectorless Service or an ExternalName really left the cluster.
Usage: outside.py PORT...
"""

from __future__ import annotations

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as c  # noqa: E402
from _http import Response, serve_http  # noqa: E402


def handler(req) -> Response:
    """Name the outside host (the address the client reached) and the client."""
    ip, port = req.local[0], req.local[1]
    body = f"external host {ip} (outside the cluster) answered {req.client_addr} on port {port}\n"
    return Response(200, body, [("Content-Type", "text/plain; charset=utf-8")])


def log_request(req, resp, _sent: int) -> None:
    """One line per request, for `world` troubleshooting."""
    c.out(f'{req.client_addr} -> {req.local[0]}:{req.local[1]} "{req.request_line}" {resp.status}')


def main(argv: list) -> None:
    """Listen on every port given, then serve until a signal."""
    c.setup_streams()
    socks = []
    for arg in argv:
        try:
            socks.append(c.listen_tcp(c.BIND_HOST, int(arg)))
        except (OSError, ValueError) as exc:
            c.err(f"outside: cannot listen on port {arg}: {exc}")
            c.exit_now(1)
    c.on_signals(lambda _s: c.exit_now(0), signal.SIGTERM, signal.SIGINT)
    for sock in socks:
        serve_http(sock, handler, on_done=log_request)
    c.signal_ready()
    c.wait_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
