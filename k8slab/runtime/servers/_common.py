"""Plumbing shared by k8slab's built-in servers: logs, readiness, signals and sockets.

The servers run as `python -I -S <script>` inside a pod, so this module imports only cheap stdlib
modules (asyncio or http.server would double the start-up time).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time

BIND_HOST = os.environ.get("K8SLAB_BIND_HOST") or "0.0.0.0"
READY_FD_ENV = "K8SLAB_READY_FD"

MAX_CONNS = 512  # concurrent connections; accept() waits when they are all busy

_out_lock = threading.Lock()


# --- logs ------------------------------------------------------------------------------------


def out(line: str) -> None:
    """Write one line to stdout at once (the kubelet captures it as the container log)."""
    _write(sys.stdout, line)


def err(line: str) -> None:
    """Write one line to stderr at once."""
    _write(sys.stderr, line)


def _write(stream, line: str) -> None:
    # One lock for both streams keeps lines from different threads whole and in order.
    with _out_lock:
        try:
            stream.write(line + "\n")
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed log pipe must not take the server down


def go_log(msg: str) -> None:
    """Log like Go's standard `log` package: local time prefix, to stderr."""
    err(time.strftime("%Y/%m/%d %H:%M:%S ") + msg.rstrip("\n"))


def go_errno(exc: OSError) -> str:
    """Describe an OSError the way Go does ("address already in use")."""
    text = os.strerror(exc.errno) if exc.errno else str(exc)
    return text[:1].lower() + text[1:]


def go_duration(seconds: float) -> str:
    """Format a duration like Go's time.Duration.String (e.g. "41.2µs", "1.5s")."""
    ns = int(seconds * 1e9)
    if ns < 1000:
        return f"{ns}ns"
    for unit, size in (("µs", 1e3), ("ms", 1e6)):
        if ns < size * 1000:
            return _trim(f"{ns / size:.3f}") + unit
    total = ns / 1e9
    if total < 60:
        return _trim(f"{total:.9f}") + "s"
    minutes, secs = divmod(total, 60)
    hours, minutes = divmod(int(minutes), 60)
    head = f"{hours}h{minutes}m" if hours else f"{minutes}m"
    return head + _trim(f"{secs:.9f}") + "s"


def _trim(number: str) -> str:
    return number.rstrip("0").rstrip(".") if "." in number else number


def parse_go_duration(text: str) -> float:
    """Parse a Go duration string ("500ms", "1m30s", "0") into seconds; ValueError if invalid."""
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    body = text.lstrip("+-")
    if body == "0":
        return 0.0
    total, pos = 0.0, 0
    while pos < len(body):  # each pass consumes one "<number><unit>" pair, so it ends
        start = pos
        while pos < len(body) and (body[pos].isdigit() or body[pos] == "."):
            pos += 1
        number = body[start:pos]
        ustart = pos
        while pos < len(body) and not (body[pos].isdigit() or body[pos] == "."):
            pos += 1
        unit = body[ustart:pos]
        if not number or unit not in units:
            raise ValueError(f'time: invalid duration "{text}"')
        total += float(number) * units[unit]
    if not body:
        raise ValueError(f'time: invalid duration "{text}"')
    return -total if text.startswith("-") else total


def http_date(when: float | None = None) -> str:
    """An RFC 7231 date (always English, whatever the locale)."""
    t = time.gmtime(when)
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return (f"{days[t.tm_wday]}, {t.tm_mday:02d} {months[t.tm_mon - 1]} {t.tm_year} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT")


def hostname() -> str:
    """The pod's name: k8slab gives each pod a UTS namespace named after it, as Kubernetes does."""
    return socket.gethostname()


# --- process life ----------------------------------------------------------------------------


def signal_ready() -> None:
    """Tell the kubelet every socket is listening: write "ready" to $K8SLAB_READY_FD, close it."""
    value = os.environ.pop(READY_FD_ENV, None)  # children (e.g. netexec /shell) must not reuse it
    if not value:
        return
    try:
        fd = int(value)
        os.write(fd, b"ready\n")
        os.close(fd)
    except (ValueError, OSError):
        pass


def exit_now(code: int) -> None:
    """Flush the logs and leave at once, without waiting for connection threads."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def on_signals(handler, *signums: int) -> None:
    """Run `handler(signum)` in the main thread when one of `signums` arrives."""
    for signum in signums:
        signal.signal(signum, lambda num, _frame: handler(num))


def wait_forever() -> None:
    """Park the main thread; signal handlers decide when the process ends."""
    while True:
        signal.pause()


def setup_streams() -> None:
    """Line-buffer stdout/stderr: logs are a pipe to the kubelet, not a terminal."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True, errors="backslashreplace")
        except (AttributeError, ValueError):
            pass
    # Python turns SIGINT into KeyboardInterrupt; the real programs exit on it instead.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# --- sockets ---------------------------------------------------------------------------------


def listen_tcp(host: str, port: int) -> socket.socket:
    """A listening TCP socket; raises OSError as bind() would."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Like nginx and Go: a restarted container can rebind while old connections sit in TIME_WAIT.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(511)
    except OSError:
        sock.close()
        raise
    return sock


def bind_udp(host: str, port: int) -> socket.socket:
    """A bound UDP socket; raises OSError as bind() would."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def start_thread(target, *args) -> None:
    """Run `target(*args)` in a daemon thread (the process ends when the main thread decides)."""
    threading.Thread(target=target, args=args, daemon=True).start()


def serve_tcp(sock: socket.socket, on_connection) -> None:
    """Accept connections forever in a thread; each one runs `on_connection(conn, addr)`."""
    start_thread(_accept_loop, sock, on_connection)


def _accept_loop(sock: socket.socket, on_connection) -> None:
    slots = threading.BoundedSemaphore(MAX_CONNS)

    def run(conn, addr):
        try:
            on_connection(conn, addr)
        except Exception as exc:  # a broken client must not end the server
            err(f"k8slab: connection from {addr[0]}:{addr[1]} failed: {exc!r}")
        finally:
            conn.close()
            slots.release()

    while True:
        slots.acquire()
        try:
            conn, addr = sock.accept()
        except OSError:
            slots.release()
            time.sleep(0.05)  # EMFILE or an aborted handshake: retry without spinning
            continue
        start_thread(run, conn, addr)


def serve_udp(sock: socket.socket, on_datagram) -> None:
    """Answer datagrams forever in a thread: `on_datagram(data, addr)` returns bytes or None."""

    def loop():
        while True:
            try:
                data, addr = sock.recvfrom(65535)
                reply = on_datagram(data, addr)
                if reply is not None:
                    sock.sendto(reply, addr)
            except OSError:
                time.sleep(0.05)  # e.g. ICMP port unreachable from an earlier reply: go on
            except Exception as exc:  # a bad datagram must not end the server
                err(f"k8slab: UDP datagram failed: {exc!r}")

    start_thread(loop)


def parse_wrapper_args(argv: list) -> tuple:
    """Split k8slab's own options from the emulated program's arguments.

    Used by the web servers: `--listen PORT` (repeatable), `--entrypoint` (the image's entrypoint
    script ran first), then `--` and the program's own argv (e.g. `-g "daemon off;"`).
    """
    ports, entrypoint, rest = [], False, list(argv)
    while rest and rest[0] != "--":  # consumes one option per pass
        opt = rest.pop(0)
        if opt == "--entrypoint":
            entrypoint = True
        elif opt == "--listen" and rest:
            ports.append(int(rest.pop(0)))
        elif opt.startswith("--listen="):
            ports.append(int(opt.split("=", 1)[1]))
        else:
            rest.insert(0, opt)
            break
    if rest and rest[0] == "--":
        rest.pop(0)
    return ports, entrypoint, rest
