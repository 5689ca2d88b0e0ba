"""Run the DNS server process on loopback for tests: start it, feed it state, query it (no tests here)."""

from __future__ import annotations

import json
import os
import queue
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading

import dns.flags
import dns.message
import dns.query
import dns.rdatatype

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
START_TIMEOUT = 10.0
SERVER_ARGV = [sys.executable, "-m", "k8slab.dns.server"]

from k8slab.dns.model import DnsState, EndpointInfo, ServiceInfo, ServicePortInfo

# The scenario every test uses: a ClusterIP Service with a named port, a headless Service with many
# ready endpoints (its A answer does not fit in 512 bytes), and a headless Service with hostnames.
WEB_IP = "10.96.0.50"
BIG_ENDPOINTS = [f"10.244.1.{i}" for i in range(1, 61)]
SCENARIO = {
    "namespaces": ["default", "kube-system"],
    "services": [
        {"namespace": "default", "name": "web", "cluster_ip": WEB_IP, "ports": [["http", "TCP", 80]],
         "endpoints": ["10.244.1.5", "10.244.2.6"]},
        {"namespace": "default", "name": "big", "cluster_ip": "None", "ports": [["http", "TCP", 80]],
         "endpoints": BIG_ENDPOINTS},
    ],
}


def scenario_state(scenario=SCENARIO) -> str:
    """The scenario as DnsState JSON, what the control plane sends."""
    services = []
    for s in scenario["services"]:
        ports = tuple(ServicePortInfo(n, proto, p) for n, proto, p in s["ports"])
        endpoints = tuple(EndpointInfo(ip=ip, hostname=None, ready=True, ports=ports) for ip in s["endpoints"])
        services.append(ServiceInfo(namespace=s["namespace"], name=s["name"], type="ClusterIP",
                                    cluster_ip=s["cluster_ip"], external_name=None, ports=ports,
                                    endpoints=endpoints))
    return DnsState(services=tuple(services), namespaces=frozenset(scenario["namespaces"]), external={},
                    external_cnames={}).to_json()


def free_port() -> int:
    """A loopback port free for both UDP and TCP."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            with socket.socket() as t:
                try:
                    t.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port")


class DnsServerProcess:
    """The server as a subprocess on 127.0.0.1:<free port>, stdout collected line by line."""

    def __init__(self, extra_args=(), ready_fd: bool = True, socket_path: str = None):
        self.port = free_port()
        self.own_dir = None if socket_path else tempfile.mkdtemp(prefix="k8slab-dns-test-")
        self.socket_path = socket_path or os.path.join(self.own_dir, "coredns.sock")
        argv = SERVER_ARGV + ["--port", str(self.port), "--bind", "127.0.0.1", "--state-socket", self.socket_path,
                       *extra_args]
        env = {**os.environ, "PYTHONPATH": REPO}
        self.ready_r = None
        pass_fds = ()
        if ready_fd:
            self.ready_r, ready_w = os.pipe()
            env["K8SLAB_READY_FD"] = str(ready_w)
            pass_fds = (ready_w,)
        self.proc = subprocess.Popen(argv, env=env, cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, pass_fds=pass_fds)
        if ready_fd:
            os.close(ready_w)
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr.append), daemon=True).start()
        self.banner = [self.next_line(START_TIMEOUT) for _ in range(4)]

    @staticmethod
    def _read(stream, sink) -> None:
        for line in stream:
            sink(line.rstrip("\n"))

    def next_line(self, timeout: float = 5.0) -> str:
        """The next stdout line (AssertionError if none comes)."""
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output from the DNS server; stderr: {self.stderr}") from None

    def ready_written(self, timeout: float) -> bytes:
        """What the server wrote on the readiness pipe within `timeout` (b"" if nothing yet)."""
        if select.select([self.ready_r], [], [], timeout)[0]:
            return os.read(self.ready_r, 64)
        return b""

    def control(self, *messages, sock=None) -> list:
        """Send control messages on one connection and return the server's reply to each."""
        own = sock is None
        sock = sock or self.connect()
        try:
            sock.sendall(b"".join((json.dumps(m) if not isinstance(m, bytes) else m.decode()).encode() + b"\n"
                                  for m in messages))
            replies, buf = [], b""
            sock.settimeout(5)
            while len(replies) < len(messages):
                chunk = sock.recv(65536)
                assert chunk, "control socket closed"
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    replies.append(json.loads(line))
            return replies
        finally:
            if own:
                sock.close()

    def connect(self) -> socket.socket:
        """A fresh connection to the control socket."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.socket_path)
        return s

    def push_state(self, state_json: str = None, as_object: bool = True) -> None:
        """Replace the server's state (the scenario by default)."""
        text = state_json or scenario_state()
        reply = self.control({"state": json.loads(text) if as_object else text})
        assert reply == [{"ok": True}], reply

    def udp(self, qname: str, qtype: str = "A", **kw) -> dns.message.Message:
        """One query over UDP (no automatic TCP retry)."""
        return dns.query.udp(make_query(qname, qtype, **kw), "127.0.0.1", port=self.port, timeout=3,
                             raise_on_truncation=False)

    def tcp(self, qname: str, qtype: str = "A", **kw) -> dns.message.Message:
        """One query over TCP."""
        return dns.query.tcp(make_query(qname, qtype, **kw), "127.0.0.1", port=self.port, timeout=3)

    def raw_udp(self, data: bytes, timeout: float = 1.0) -> bytes:
        """Send bytes, return the reply bytes (b"" if none came)."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            s.sendto(data, ("127.0.0.1", self.port))
            try:
                return s.recv(65535)
            except socket.timeout:
                return b""

    def stop(self, sig=signal.SIGTERM, timeout: float = 5.0) -> int:
        """Signal the server and wait for its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if self.ready_r is not None:
                os.close(self.ready_r)
                self.ready_r = None
            if self.own_dir:
                shutil.rmtree(self.own_dir, ignore_errors=True)


def make_query(qname: str, qtype: str = "A", edns: int = -1, payload: int = 1232, want_dnssec=False,
               options=None, rd: bool = True) -> dns.message.Message:
    """A query as dig builds one (RD set), optionally with EDNS0."""
    q = dns.message.make_query(qname, dns.rdatatype.from_text(qtype), use_edns=edns, payload=payload,
                               want_dnssec=want_dnssec, options=options)
    if not rd:
        q.flags &= ~dns.flags.RD
    return q


def texts(section) -> list:
    """A reply section as sorted presentation-format lines."""
    return sorted(rr for rrset in section for rr in rrset.to_text().splitlines())

