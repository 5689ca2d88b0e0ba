"""k8slab's generic server, for images it does not know: answer on every declared port.

TCP ports speak HTTP and say which pod answered which client; UDP ports reply with the pod's name.
Usage: generic.py PORT/TCP|PORT/UDP...
"""

from __future__ import annotations

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as c  # noqa: E402
from _http import Response, serve_http  # noqa: E402


def parse_ports(args: list) -> list:
    """Parse "8080/TCP" style arguments (protocol defaults to TCP) into (port, protocol) pairs."""
    ports = []
    for arg in args:
        number, _, proto = arg.partition("/")
        proto = (proto or "TCP").upper()
        if not number.isdigit() or proto not in ("TCP", "UDP"):
            raise ValueError(f"bad port {arg!r}: expected PORT/TCP or PORT/UDP")
        ports.append((int(number), proto))
    return ports


def http_handler(port: int):
    """An HTTP handler for one port: names the pod, the client and the port."""

    def handle(req) -> Response:
        body = f"pod {c.hostname()} answered {req.client_addr} on port {port}\n"
        return Response(200, body, [("Content-Type", "text/plain; charset=utf-8")])

    return handle


def log_request(req, resp, _sent: int) -> None:
    """One line per request on stdout, so `kubectl logs` shows who called."""
    c.out(f'{req.client_addr} "{req.request_line}" {resp.status}')


def udp_reply(port: int):
    """A datagram handler for one port: reply with the pod's name."""

    def reply(_data: bytes, addr) -> bytes:
        c.out(f"{addr[0]}:{addr[1]} UDP datagram on port {port}")
        return (c.hostname() + "\n").encode()

    return reply


def on_signal(_signum: int) -> None:
    """SIGTERM or SIGINT: stop at once, cleanly."""
    c.exit_now(0)


def main(argv: list) -> None:
    """Bind every port, then serve until a signal."""
    c.setup_streams()
    try:
        ports = parse_ports(argv)
    except ValueError as exc:
        c.err(f"generic: {exc}")
        c.exit_now(2)
    bound = []
    for port, proto in ports:
        try:
            if proto == "TCP":
                bound.append((port, proto, c.listen_tcp(c.BIND_HOST, port)))
            else:
                bound.append((port, proto, c.bind_udp(c.BIND_HOST, port)))
        except OSError as exc:
            c.err(f"generic: cannot listen on {c.BIND_HOST}:{port}/{proto}: {exc.strerror}")
            c.exit_now(1)
    c.on_signals(on_signal, signal.SIGTERM, signal.SIGINT)
    for port, proto, sock in bound:
        if proto == "TCP":
            serve_http(sock, http_handler(port), on_done=log_request)
        else:
            c.serve_udp(sock, udp_reply(port))
    c.signal_ready()
    listening = ", ".join(f"{port}/{proto}" for port, proto, _ in bound) or "no port"
    c.out(f"k8slab generic server in pod {c.hostname()}: listening on {listening}")
    c.wait_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
