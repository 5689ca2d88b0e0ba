"""The DNS server process's life: readiness, signals, stale sockets, busy ports, and the real feeder."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from types import SimpleNamespace

import dns.flags
import dns.rcode
import pytest

from test_dns_server_harness import REPO, SERVER_ARGV, DnsServerProcess

WEB = "web.default.svc.cluster.local."


def flags_of(msg) -> set:
    return set(dns.flags.to_text(msg.flags).lower().split())


# --- life cycle --------------------------------------------------------------------------------


def test_servfail_and_not_ready_until_the_first_state():
    srv = DnsServerProcess(extra_args=["-conf", "/etc/coredns/Corefile"])
    try:
        reply = srv.udp(WEB, "A")
        assert reply.rcode() == dns.rcode.SERVFAIL
        assert "ra" not in flags_of(reply)
        assert srv.tcp(WEB, "A").rcode() == dns.rcode.SERVFAIL
        assert srv.ready_written(0.3) == b""
        srv.push_state()
        assert srv.ready_written(3) == b"ready\n"
        assert srv.udp(WEB, "A").rcode() == dns.rcode.NOERROR
    finally:
        assert srv.stop() == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_zero_promptly_and_removes_the_socket(sig):
    srv = DnsServerProcess()
    srv.push_state()
    open_tcp = socket.create_connection(("127.0.0.1", srv.port))
    try:
        assert srv.stop(sig, timeout=5) == 0  # an open, idle client must not hold the exit up
        assert not os.path.exists(srv.socket_path)
        assert srv.next_line().endswith(f"{sig.name}: Shutting down servers then terminating")
    finally:
        open_tcp.close()


def test_stale_socket_is_replaced():
    first = DnsServerProcess()
    path = first.socket_path
    first.proc.kill()  # SIGKILL: the socket file stays behind
    first.proc.wait()
    assert os.path.exists(path)
    second = DnsServerProcess(socket_path=path)
    try:
        second.push_state()
        assert second.udp(WEB).rcode() == dns.rcode.NOERROR
    finally:
        assert second.stop() == 0
        first.stop()


def test_port_in_use_is_reported_like_coredns():
    busy = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    busy.bind(("127.0.0.1", 0))
    port = busy.getsockname()[1]
    try:
        p = subprocess.run(SERVER_ARGV + ["--port", str(port), "--bind", "127.0.0.1", "--state-socket",
                                   f"/tmp/k8slab-dns-busy-{os.getpid()}.sock"], capture_output=True, text=True,
                           timeout=10, cwd=REPO, env={**os.environ, "PYTHONPATH": REPO})
    finally:
        busy.close()
    assert p.returncode == 1
    assert f"Listen: listen udp 127.0.0.1:{port}: bind: address already in use" in p.stderr


def test_idle_tcp_connections_are_closed():
    srv = DnsServerProcess(extra_args=["--idle-timeout", "0.3"])  # 8 s by default, as miekg/dns
    try:
        srv.push_state()
        idle = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        started = time.monotonic()
        assert idle.recv(10) == b""  # closed by the server
        assert time.monotonic() - started > 0.2  # closed for idleness, not at once
        idle.close()
        assert srv.udp(WEB).rcode() == dns.rcode.NOERROR
    finally:
        assert srv.stop() == 0


# --- with the control plane's feeder ---------------------------------------------------------------


class _FakeStore:
    """Just what DnsFeeder reads: no Services, two namespaces, a watch that never fires."""

    resource_version = 1

    def list(self, kind):
        names = ["default", "kube-system"] if kind == "Namespace" else []
        return [SimpleNamespace(metadata=SimpleNamespace(name=n)) for n in names]

    def watch(self, kinds):
        return _IdleWatch()


class _IdleWatch:
    def __init__(self):
        self.closed = threading.Event()

    def __iter__(self):
        self.closed.wait()
        yield None

    def close(self):
        self.closed.set()


def test_the_feeder_finds_and_feeds_the_server():
    from k8slab.dns.feeder import DnsFeeder, socket_dir
    state_dir = tempfile.mkdtemp(prefix="k8slab-dns-feeder-")
    srv = DnsServerProcess(socket_path=os.path.join(socket_dir(state_dir), "coredns-5d78c9869d-abcde.sock"))
    feeder = DnsFeeder(_FakeStore(), state_dir, {"example.com": ("192.0.2.10",)})
    try:
        feeder.start()
        assert srv.ready_written(5) == b"ready\n"
        assert srv.udp("example.com.").answer[0][0].address == "192.0.2.10"
        feeder.set_logging(True)
        assert wait_for_log(srv, "dns-version.cluster.local.")
    finally:
        feeder.stop()
        assert srv.stop() == 0
        shutil.rmtree(state_dir, ignore_errors=True)


def wait_for_log(srv, name: str) -> bool:
    """Query `name` until the query log shows it (the feeder's message travels asynchronously)."""
    for _ in range(50):
        srv.udp(name, "TXT")
        try:
            if f" {name} " in srv.next_line(timeout=0.1):
                return True
        except AssertionError:
            continue
    return False


def test_default_state_socket_and_coredns_arguments(monkeypatch):
    from k8slab.dns import server as dns_server
    monkeypatch.delenv("K8SLAB_DNS_STATE_SOCKET", raising=False)
    monkeypatch.setenv("HOSTNAME", "coredns-5d78c9869d-abcde")
    assert dns_server.default_state_socket() == "/run/k8slab/dns/coredns-5d78c9869d-abcde.sock"
    monkeypatch.setenv("K8SLAB_DNS_STATE_SOCKET", "/tmp/x.sock")
    assert dns_server.default_state_socket() == "/tmp/x.sock"
    args = dns_server.parse_args(["-conf", "/etc/coredns/Corefile"])
    assert (args.conf, args.port, args.bind, args.state_socket) == ("/etc/coredns/Corefile", 53, "0.0.0.0", None)
