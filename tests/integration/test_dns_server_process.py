"""The DNS server process on port 53 in a real sandbox, queried by the real dig, nslookup and getent.

pytest starts this module as a child process (so that pytest itself never enters the namespaces);
the child runs the server inside a throwaway sandbox (fresh user, net, mount and PID namespaces),
on 127.0.0.1:53 of the sandbox's own network, and prints one JSON report as its last line.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback

import pytest

from tests.conftest import REPO, as_mode

pytestmark = pytest.mark.integration

TOOLS = ("dig", "nslookup", "getent", "ip")


@pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS), reason="needs dig, nslookup, getent and ip")
def test_dns_server_answers_real_resolvers(mode):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = as_mode([sys.executable, "-m", "tests.integration.test_dns_server_process"], mode)
    p = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=str(REPO), env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    report = json.loads(p.stdout.strip().splitlines()[-1])
    print(f"\nDNS server in a sandbox ({mode}), milliseconds:")
    for name, ms in report["timings"].items():
        print(f"  {name:<40} {ms:8.1f}")
    assert report["failures"] == [], "\n".join(report["failures"])
    assert report["checks"] >= 20


# -- everything below runs inside the sandbox ---------------------------------------------------

SOCKET = "/run/k8slab/dns/coredns-test.sock"
WEB = "web.default.svc.cluster.local"
BIG = [f"10.244.1.{i}" for i in range(1, 61)]
RESOLV_CONF = ("search default.svc.cluster.local svc.cluster.local cluster.local\n"
               "nameserver 127.0.0.1\noptions ndots:5\n")


def state_json() -> str:
    from k8slab.dns.model import DnsState, EndpointInfo, ServiceInfo, ServicePortInfo
    http = (ServicePortInfo("http", "TCP", 80),)
    web = ServiceInfo("default", "web", "ClusterIP", "10.96.0.50", None, http,
                      (EndpointInfo("10.244.1.5", None, True, http),))
    big = ServiceInfo("default", "big", "ClusterIP", "None", None, http,
                      tuple(EndpointInfo(ip, None, True, http) for ip in BIG))
    return DnsState(services=(web, big), namespaces=frozenset({"default", "kube-system"}),
                    external={"example.com": ("192.0.2.10",)}).to_json()


class Report:
    def __init__(self):
        self.checks = 0
        self.failures: list = []
        self.timings: dict = {}

    def check(self, name: str, ok: bool, detail: object = "") -> None:
        self.checks += 1
        if not ok:
            self.failures.append(f"{name}: {detail}")


def run(report: Report, name: str, *argv: str) -> str:
    started = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    report.timings[name] = (time.perf_counter() - started) * 1000
    return p.stdout + p.stderr


def control(message: dict) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(SOCKET)
        s.sendall((json.dumps(message) + "\n").encode())
        return json.loads(s.makefile().readline())


def start_server(report: Report):
    ready_r, ready_w = os.pipe()
    env = {**os.environ, "K8SLAB_READY_FD": str(ready_w), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "k8slab.dns.server", "--bind", "127.0.0.1", "--state-socket",
                             SOCKET, "-conf", "/etc/coredns/Corefile"], env=env, pass_fds=(ready_w,),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    os.close(ready_w)
    banner = [proc.stdout.readline().rstrip("\n") for _ in range(4)]
    report.check("banner", banner[0] == ".:53" and banner[2].startswith("CoreDNS-"), banner)
    out = run(report, "dig before the first state", "dig", "@127.0.0.1", "+tries=1", "+time=2", WEB)
    report.check("SERVFAIL before the first state", "status: SERVFAIL" in out, out)
    report.check("not ready before the first state", not select.select([ready_r], [], [], 0.2)[0])
    report.check("state accepted", control({"state": json.loads(state_json())}) == {"ok": True})
    ready = os.read(ready_r, 16) if select.select([ready_r], [], [], 5)[0] else b""
    report.check("ready after the first state", ready == b"ready\n", ready)
    os.close(ready_r)
    return proc


def check_dig(report: Report) -> None:
    for proto, extra in (("udp", ()), ("tcp", ("+tcp",))):
        out = run(report, f"dig A ({proto})", "dig", "@127.0.0.1", *extra, WEB)
        report.check(f"dig {proto}: NOERROR", "status: NOERROR" in out, out)
        report.check(f"dig {proto}: flags", ";; flags: qr aa rd;" in out, out)
        # What learners see with a real cluster DNS: CoreDNS does not offer recursion for its own zone.
        report.check(f"dig {proto}: no recursion", "WARNING: recursion requested but not available" in out, out)
        report.check(f"dig {proto}: the A record", re.search(rf"^{WEB}\.\s+30\s+IN\s+A\s+10\.96\.0\.50$", out, re.M),
                     out)
        report.check(f"dig {proto}: transport", f"(127.0.0.1) ({proto.upper()})" in out, out)
    short = run(report, "dig +short SRV", "dig", "@127.0.0.1", "+short", "SRV", f"_http._tcp.{WEB}")
    report.check("SRV", short.strip() == f"0 100 80 {WEB}.", short)
    ptr = run(report, "dig -x", "dig", "@127.0.0.1", "+short", "-x", "10.96.0.50")
    report.check("PTR", ptr.strip() == f"{WEB}.", ptr)
    nx = run(report, "dig NXDOMAIN", "dig", "@127.0.0.1", "nope.default.svc.cluster.local")
    report.check("NXDOMAIN", "status: NXDOMAIN" in nx, nx)
    report.check("NXDOMAIN: SOA in AUTHORITY", re.search(r"AUTHORITY SECTION:\ncluster\.local\.\s+\d+\s+IN\s+SOA", nx),
                 nx)
    big = run(report, "dig big answer (TC, then TCP)", "dig", "@127.0.0.1", "+noedns", "big.default.svc.cluster.local")
    report.check("big answer: truncated over UDP", ";; Truncated, retrying in TCP mode." in big, big)
    addresses = re.findall(r"^big\.default\.svc\.cluster\.local\.\s+30\s+IN\s+A\s+(\S+)$", big, re.M)
    report.check("big answer: complete over TCP", sorted(addresses) == sorted(BIG), len(addresses))
    edns = run(report, "dig +dnssec", "dig", "@127.0.0.1", "+dnssec", "+bufsize=1232", WEB)
    report.check("EDNS echoed", "; EDNS: version: 0, flags: do; udp: 1232" in edns, edns)
    ext = run(report, "dig outside name", "dig", "@127.0.0.1", "example.com")
    report.check("outside name: recursion available", ";; flags: qr rd ra;" in ext and "192.0.2.10" in ext, ext)


def check_nslookup_and_getent(report: Report, proc) -> None:
    out = run(report, "nslookup", "nslookup", WEB, "127.0.0.1")
    report.check("nslookup", re.search(rf"Name:\s+{WEB}\nAddress: 10\.96\.0\.50", out), out)
    out = run(report, "nslookup -type=srv", "nslookup", "-type=srv", f"_http._tcp.{WEB}", "127.0.0.1")
    report.check("nslookup SRV", f"service = 0 100 80 {WEB}." in out, out)
    from k8slab.sandbox import bind_file
    bind_file(RESOLV_CONF, "/etc/resolv.conf", "resolv.conf")
    report.check("query log on", control({"log": True}) == {"ok": True})
    out = run(report, "getent hosts web (search list)", "getent", "hosts", "web")
    report.check("getent through the search list", out.split()[:2] == ["10.96.0.50", f"{WEB}"], out)
    line = proc.stdout.readline().rstrip("\n")
    report.check("query log line", re.match(r'^\[INFO\] 127\.0\.0\.1:\d+ - \d+ "(A|AAAA) IN '
                                            rf'{WEB}\. udp \d+ false \d+" NOERROR qr,aa,rd \d+ [\d.]+s$', line), line)


def in_sandbox(_info) -> int:
    report = Report()
    proc = None
    try:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        proc = start_server(report)
        check_dig(report)
        check_nslookup_and_getent(report, proc)
        proc.send_signal(signal.SIGTERM)
        report.check("SIGTERM: exit 0", proc.wait(5) == 0)
    except Exception:
        report.failures.append(traceback.format_exc())
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
    print(json.dumps({"checks": report.checks, "failures": report.failures, "timings": report.timings}), flush=True)
    return 0


if __name__ == "__main__":
    from k8slab.sandbox import run_in_sandbox
    sys.exit(run_in_sandbox(in_sandbox))
