"""The cluster DNS server process: CoreDNS's place in the kube-system pod, answering real queries.

    python -m k8slab.dns.server [--port 53] [--bind 0.0.0.0] [--state-socket PATH] [-conf FILE]

One thread and one selector serve UDP and TCP on the DNS port, and a Unix stream socket on which the
control plane sends newline-delimited JSON objects with any of the keys "state" (DnsState JSON, as an
object or a string: replaces the whole state), "log" (bool: CoreDNS's `log` plugin), "config" (an
object of DnsConfig fields) and "loadbalance" (bool: shuffle A/AAAA, on by default). Each line gets a
reply line, {"ok": true} or {"ok": false, "error": "..."}, which senders may ignore. Until the first
state arrives cluster names are SERVFAIL, as CoreDNS's are before its kubernetes plugin has synced.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import hashlib
import json
import os
import platform
import selectors
import signal
import socket
import stat
import struct
import sys
import time
from typing import Callable, Dict, Optional

from k8slab.dns import records, wire
from k8slab.dns.model import DnsConfig, DnsState

READY_FD_ENV = "K8SLAB_READY_FD"
STATE_SOCKET_ENV = "K8SLAB_DNS_STATE_SOCKET"
DEFAULT_SOCKET_DIR = "/run/k8slab/dns"  # where the control plane's DnsFeeder looks for *.sock
VERSION = "CoreDNS-1.11.3"
BUILD = "go1.21.11, a6338e9"
TCP_IDLE = 8.0  # seconds: miekg/dns's default idle timeout for TCP connections
MAX_TCP_CONNS = 512
MAX_PENDING = 1 << 20  # bytes of replies a TCP client may leave unread before we hang up on it
MAX_CONTROL_LINE = 256 << 20  # a whole cluster's state is one line
MAX_CONTROL_REPLIES = 64 << 10
UDP_BATCH = 64  # datagrams read per wake-up: fewer select() calls under load


def out(line: str, stream=None) -> None:
    """Write one line and flush it: stdout is the container log, read while we run."""
    stream = stream or sys.stdout
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass  # a closed log pipe must not take DNS down


class _Conn:
    """A stream connection (DNS over TCP, or the control socket) with its buffers."""

    def __init__(self, sock: socket.socket, peer) -> None:
        self.sock, self.peer = sock, peer
        self.inbuf = bytearray()
        self.outbuf = bytearray()
        self.last = time.monotonic()


class DnsServer:
    """UDP, TCP and the control socket in one selector loop."""

    def __init__(self, bind: str, port: int, state_path: str, ready_fd: Optional[int] = None,
                 idle_timeout: float = TCP_IDLE) -> None:
        self.bind, self.port, self.state_path, self.ready_fd = bind, port, state_path, ready_fd
        self.idle_timeout = idle_timeout
        self.state: Optional[DnsState] = None
        self.config = DnsConfig()
        self.loadbalance = True
        self.replies = self._replies()
        self.log_queries = False
        self.stopping: Optional[str] = None
        self.sel = selectors.DefaultSelector()
        self._tcp: Dict[int, _Conn] = {}
        self._control: Dict[int, _Conn] = {}
        self._state_inode: Optional[int] = None
        self.binding = ""

    # --- setting up --------------------------------------------------------------------------

    def open(self) -> None:
        """Bind the DNS ports and the control socket (OSError if one is taken)."""
        family = socket.AF_INET6 if ":" in self.bind else socket.AF_INET
        self.binding = "udp"
        self.udp = socket.socket(family, socket.SOCK_DGRAM)
        self.udp.bind((self.bind, self.port))
        self.binding = "tcp"
        self.tcp = socket.socket(family, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((self.bind, self.port))
        self.tcp.listen(128)
        self.binding = "unix"
        self.unix = _listen_unix(self.state_path)
        self._state_inode = os.stat(self.state_path).st_ino
        for sock, handler in ((self.udp, self._on_udp), (self.tcp, self._on_tcp_accept),
                              (self.unix, self._on_control_accept)):
            sock.setblocking(False)
            self.sel.register(sock, selectors.EVENT_READ, handler)
        self._wake_r, self._wake_w = socket.socketpair()
        for s in (self._wake_r, self._wake_w):
            s.setblocking(False)
        self.sel.register(self._wake_r, selectors.EVENT_READ, self._on_wake)

    def install_signals(self) -> None:
        """SIGTERM and SIGINT stop the loop at once (the wake-up socket interrupts select)."""
        signal.set_wakeup_fd(self._wake_w.fileno())
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, _frame) -> None:
        self.stopping = signal.Signals(signum).name

    def _on_wake(self, _mask) -> None:
        try:
            while self._wake_r.recv(512):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    # --- the loop ----------------------------------------------------------------------------

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT; return the exit status."""
        sweep_every = min(1.0, self.idle_timeout)
        next_sweep = time.monotonic() + sweep_every
        while self.stopping is None:
            timeout = max(0.0, next_sweep - time.monotonic()) if self._tcp else None
            for key, mask in self.sel.select(timeout):
                key.data(mask)
                if self.stopping:
                    break
            if self._tcp and time.monotonic() >= next_sweep:
                self._sweep_idle()
                next_sweep = time.monotonic() + sweep_every
        out(f"[INFO] {self.stopping}: Shutting down servers then terminating")
        return 0

    def close(self) -> None:
        """Close every socket and remove our control socket file."""
        for conn in list(self._tcp.values()) + list(self._control.values()):
            conn.sock.close()
        for sock in (getattr(self, name, None) for name in ("udp", "tcp", "unix", "_wake_r", "_wake_w")):
            if sock is not None:
                sock.close()
        try:
            # Remove the path only if it is still ours: a replacement server may already own it.
            if os.stat(self.state_path).st_ino == self._state_inode:
                os.unlink(self.state_path)
        except OSError:
            pass

    # --- DNS -----------------------------------------------------------------------------------

    def _serve(self, data: bytes, peer, proto: str, send: Callable[[bytes], None]) -> None:
        start = time.perf_counter()
        ex = self.replies.exchange(data, proto)
        if ex is None:
            return
        send(ex.reply)
        if self.log_queries and ex.logged:
            out(wire.log_line(peer, proto, ex, time.perf_counter() - start))

    def _on_udp(self, _mask) -> None:
        udp, replies = self.udp, self.replies
        for _ in range(UDP_BATCH):
            try:
                data, peer = udp.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                continue  # e.g. an ICMP error queued on the socket
            if self.log_queries:
                self._serve(data, peer, "udp", lambda reply, peer=peer: self._sendto(reply, peer))
                continue
            # The hot path (no query log): a cached reply is two slices, with no timing or copying.
            reply = replies.reply(data, "udp")
            if reply is not None:
                self._sendto(reply, peer)

    def _sendto(self, reply: bytes, peer) -> None:
        try:
            self.udp.sendto(reply, peer)
        except OSError:
            pass  # a full socket buffer drops the reply, as the kernel would drop the datagram

    def _on_tcp_accept(self, _mask) -> None:
        try:
            sock, peer = self.tcp.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        if len(self._tcp) >= MAX_TCP_CONNS:
            sock.close()
            return
        sock.setblocking(False)
        conn = _Conn(sock, peer)
        self._tcp[sock.fileno()] = conn
        self.sel.register(sock, selectors.EVENT_READ, lambda mask, c=conn: self._on_tcp(c, mask))

    def _on_tcp(self, conn: _Conn, mask: int) -> None:
        if mask & selectors.EVENT_WRITE:
            self._flush(conn, self._tcp)
        if not mask & selectors.EVENT_READ or not self._receive(conn, self._tcp):
            return
        # RFC 7766: several length-prefixed messages may arrive, and be answered, on one connection.
        while len(conn.inbuf) >= 2:
            size = struct.unpack("!H", conn.inbuf[:2])[0]
            if len(conn.inbuf) < 2 + size:
                break
            data = bytes(conn.inbuf[2:2 + size])
            del conn.inbuf[:2 + size]
            self._serve(data, conn.peer, "tcp",
                        lambda reply: conn.outbuf.extend(struct.pack("!H", len(reply)) + reply))
        self._flush(conn, self._tcp)

    def _sweep_idle(self) -> None:
        now = time.monotonic()
        for conn in [c for c in self._tcp.values() if now - c.last > self.idle_timeout]:
            self._drop(conn, self._tcp)

    # --- stream plumbing ------------------------------------------------------------------------

    def _receive(self, conn: _Conn, table: Dict[int, _Conn]) -> bool:
        """Read what is there into conn.inbuf; False if the connection is gone."""
        if conn.sock.fileno() < 0:
            return False  # dropped while flushing
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            data = b""
        if not data:
            self._drop(conn, table)
            return False
        conn.inbuf += data
        conn.last = time.monotonic()
        return True

    def _flush(self, conn: _Conn, table: Dict[int, _Conn]) -> None:
        """Send what the peer will take now; wait for writability for the rest."""
        if conn.outbuf:
            try:
                sent = conn.sock.send(conn.outbuf)
                del conn.outbuf[:sent]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                self._drop(conn, table)
                return
        if len(conn.outbuf) > MAX_PENDING:
            self._drop(conn, table)
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.outbuf else 0)
        key = self.sel.get_key(conn.sock)
        if key.events != events:
            self.sel.modify(conn.sock, events, key.data)

    def _drop(self, conn: _Conn, table: Dict[int, _Conn]) -> None:
        if table.pop(conn.sock.fileno(), None) is not None:
            self.sel.unregister(conn.sock)
            conn.sock.close()

    # --- the control socket ----------------------------------------------------------------------

    def _on_control_accept(self, _mask) -> None:
        try:
            sock, _ = self.unix.accept()
        except (BlockingIOError, InterruptedError):
            return
        sock.setblocking(False)
        conn = _Conn(sock, "control")
        self._control[sock.fileno()] = conn
        self.sel.register(sock, selectors.EVENT_READ, lambda mask, c=conn: self._on_control(c, mask))

    def _on_control(self, conn: _Conn, mask: int) -> None:
        if mask & selectors.EVENT_WRITE:
            self._flush(conn, self._control)
        if not mask & selectors.EVENT_READ or not self._receive(conn, self._control):
            return
        while b"\n" in conn.inbuf:
            line, _, rest = bytes(conn.inbuf).partition(b"\n")
            conn.inbuf = bytearray(rest)
            reply = (json.dumps(self._control_line(line)) + "\n").encode() if line.strip() else b""
            # Replies are a courtesy: a control plane that never reads them must not fill our memory.
            if len(conn.outbuf) < MAX_CONTROL_REPLIES:
                conn.outbuf += reply
        if len(conn.inbuf) > MAX_CONTROL_LINE:
            self._drop(conn, self._control)
            return
        self._flush(conn, self._control)

    def _control_line(self, line: bytes) -> dict:
        try:
            self.apply(json.loads(line))
        except Exception as e:  # noqa: BLE001 - reported to the sender; the old state stays
            out(f"[ERROR] plugin/kubernetes: bad control message: {type(e).__name__}: {e}", sys.stderr)
            return {"ok": False, "error": f"{type(e).__name__}: {e}"}
        return {"ok": True}

    def apply(self, message) -> None:
        """Apply one control message; nothing changes if any part of it is invalid."""
        if not isinstance(message, dict):
            raise ValueError("a control message is a JSON object")
        config = self.config
        if "config" in message:
            if not isinstance(message["config"], dict):
                raise ValueError('"config" must be an object')
            # JSON has no tuples; the frozen config keeps its fields hashable.
            fields = {k: tuple(v) if isinstance(v, list) else v for k, v in message["config"].items()}
            config = dataclasses.replace(config, **fields)
        state = self.state
        if "state" in message:
            raw = message["state"]
            state = DnsState.from_json(raw if isinstance(raw, str) else json.dumps(raw))
        for flag in ("log", "loadbalance"):
            if flag in message and not isinstance(message[flag], bool):
                raise ValueError(f'"{flag}" must be true or false')
        self.state, self.config = state, config
        self.loadbalance = message.get("loadbalance", self.loadbalance)
        self.replies = self._replies()
        self.log_queries = message.get("log", self.log_queries)
        if state is not None:
            self._report_ready()

    def _replies(self) -> wire.Replies:
        """Fresh caches answering from the current state and config."""
        state, config = self.state, self.config
        return wire.Replies(lambda qname, qtype: records.answer(state, qname, qtype, config), self.loadbalance,
                            lambda qname, qtype, e: out(f"[ERROR] plugin/errors: 2 {qname} {qtype}: "
                                                        f"{type(e).__name__}: {e}"))

    def _report_ready(self) -> None:
        # Ready = ports bound and the first state in, as CoreDNS's ready plugin waits for the
        # kubernetes plugin's first sync.
        if self.ready_fd is None:
            return
        fd, self.ready_fd = self.ready_fd, None
        try:
            os.write(fd, b"ready\n")
        except OSError:
            pass
        finally:
            os.close(fd)


def _listen_unix(path: str) -> socket.socket:
    """Listen on `path`, replacing a stale socket left by an earlier server (never another file)."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    try:
        if not stat.S_ISSOCK(os.lstat(path).st_mode):
            raise OSError(errno.EEXIST, f"{path} exists and is not a socket")
        os.unlink(path)
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(8)
    return sock


def banner(port: int, corefile: Optional[str]) -> list:
    """CoreDNS's start-up lines."""
    text = "kubeadm's default Corefile"  # a pod without the coredns ConfigMap volume
    if corefile:
        try:
            with open(corefile) as f:
                text = f.read()
        except OSError:
            pass
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    return [f".:{port}", "[INFO] plugin/reload: Running configuration SHA512 = "
            + hashlib.sha512(text.encode()).hexdigest(), VERSION, f"linux/{arch}, {BUILD}"]


def default_state_socket() -> str:
    """$K8SLAB_DNS_STATE_SOCKET, else one path per pod where the control plane looks."""
    name = os.environ.get("HOSTNAME") or socket.gethostname() or f"dns-{os.getpid()}"
    return os.environ.get(STATE_SOCKET_ENV) or os.path.join(DEFAULT_SOCKET_DIR, f"{name}.sock")


def parse_args(argv) -> argparse.Namespace:
    """Our options, plus CoreDNS's own single-dash flags so real manifests' args work."""
    p = argparse.ArgumentParser(prog="coredns", allow_abbrev=False,
                                description="k8slab's cluster DNS server (CoreDNS's role)")
    p.add_argument("--port", "-dns.port", dest="port", type=int, default=53)
    p.add_argument("--bind", default="0.0.0.0")
    p.add_argument("--state-socket", default=None, help="Unix socket the control plane writes state to")
    p.add_argument("--idle-timeout", type=float, default=TCP_IDLE, help=argparse.SUPPRESS)
    p.add_argument("-conf", dest="conf", default=None, help="Corefile (hashed for the banner, else ignored)")
    p.add_argument("-quiet", dest="quiet", action="store_true", help="no start-up lines")
    p.add_argument("-version", dest="version", action="store_true")
    return p.parse_args(argv)


def main(argv=None) -> int:
    """Entry point: bind, announce, serve until signalled."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.version:
        out(f"{VERSION}\nlinux/amd64, {BUILD}")
        return 0
    fd_text = os.environ.pop(READY_FD_ENV, None)  # children must not inherit the duty
    ready_fd = int(fd_text) if fd_text and fd_text.isdigit() else None
    server = DnsServer(args.bind, args.port, args.state_socket or default_state_socket(), ready_fd,
                       args.idle_timeout)
    try:
        server.open()
        server.install_signals()
        if not args.quiet:
            for line in banner(args.port, args.conf):
                out(line)
        return server.run()
    except OSError as e:
        where = f"{'' if args.bind in ('0.0.0.0', '::') else args.bind}:{args.port}"
        reason = (e.strerror or str(e)).lower()
        out(f"Listen: listen {server.binding} {where}: bind: {reason}" if server.binding != "unix"
            else f"[ERROR] {e}", sys.stderr)
        return 1
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
