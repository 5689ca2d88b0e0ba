"""kube-proxy's rules in a real kernel: apply, read back, stale chains, real packets, timings.

Everything happens in a throwaway sandbox (fresh user, net, mount and PID namespaces), as root and
rootless; every address is inside it. pytest starts this module as a child process (so that pytest
itself never enters the namespaces); the child runs the checks in the sandbox and prints one JSON
report as its last line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import traceback
from collections import Counter
from dataclasses import replace

import pytest

from tests.conftest import REPO, as_mode

pytestmark = pytest.mark.integration


def test_proxy_rules_in_a_real_kernel(mode):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = as_mode([sys.executable, "-m", "tests.integration.test_proxy_kernel"], mode)
    p = subprocess.run(argv, capture_output=True, text=True, timeout=600, cwd=str(REPO), env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    report = json.loads(p.stdout.strip().splitlines()[-1])
    print(f"\nkube-proxy apply timings ({mode}), milliseconds:")
    for name, ms in report["timings"].items():
        print(f"  {name:<58} {ms:8.1f}")
    assert report["failures"] == [], "\n".join(report["failures"])
    assert report["checks"] >= 20


# -- everything below runs inside the sandbox ---------------------------------------------------

SERVER = """
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080))
s.listen(16)
print("ready", flush=True)
while True:
    c, peer = s.accept()
    c.sendall(peer[0].encode())
    c.close()
"""

CLIENT = """
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
    print(c.recv(100).decode())
except OSError as e:
    print("ERR:" + type(e).__name__)
"""


class Report:
    def __init__(self, rootless: bool):
        self.rootless = rootless
        self.checks = 0
        self.failures: list = []
        self.timings: dict = {}

    def check(self, name: str, ok: bool, detail: object = "") -> None:
        self.checks += 1
        if not ok:
            self.failures.append(f"{name}: {detail}")

    def time(self, name: str, fn):
        t0 = time.perf_counter()
        result = fn()
        self.timings[name] = (time.perf_counter() - t0) * 1000
        return result


def sh(pid: int, *argv: str) -> str:
    p = subprocess.run(["nsenter", "-t", str(pid), "-n", *argv], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise RuntimeError(f"{argv}: {p.stderr.strip()}")
    return p.stdout.strip()


def netns_holder() -> subprocess.Popen:
    """A process in a fresh network namespace: a node (or a pod) for nsenter -t PID -n."""
    proc = subprocess.Popen(["unshare", "-n", "sleep", "600"])
    ours = os.readlink("/proc/self/ns/net")
    deadline = time.monotonic() + 5
    # Until unshare(2) has run, the child is still in our namespace: wait for it.
    while os.readlink(f"/proc/{proc.pid}/ns/net") == ours:
        if time.monotonic() > deadline:
            raise RuntimeError("unshare -n did not create a network namespace")
        time.sleep(0.002)
    return proc


def services():
    """Every kind of rule: NodePort, REJECT, UDP, LB + source ranges + eTP Local + affinity, iTP Local."""
    from k8slab.proxy.model import Endpoint, ServicePort
    here, there = Endpoint("10.244.1.5", 8080, "node1"), Endpoint("10.244.2.6", 8080, "node2")
    dns = (Endpoint("10.244.2.2", 53, "node2"),)
    return [
        ServicePort("default", "web", "http", "TCP", "10.96.100.10", 80, node_port=30080, endpoints=(here,)),
        ServicePort("default", "empty", "", "TCP", "10.96.0.99", 80, node_port=30099,
                    external_ips=("192.168.3.215",)),
        ServicePort("kube-system", "kube-dns", "dns", "UDP", "10.96.0.10", 53, endpoints=dns),
        ServicePort("kube-system", "kube-dns", "dns-tcp", "TCP", "10.96.0.10", 53, endpoints=dns),
        ServicePort("default", "lb", "http", "TCP", "10.96.7.7", 80, node_port=30777,
                    load_balancer_ips=("172.18.255.200",), load_balancer_source_ranges=("172.18.0.0/24",),
                    external_local=True, health_check_node_port=32000, affinity_timeout=60,
                    endpoints=(here, there)),
        ServicePort("default", "only-local", "", "TCP", "10.96.8.8", 80, internal_local=True, endpoints=(there,)),
        ServicePort("default", "ext", "", "TCP", "10.96.9.9", 80, external_ips=("192.168.3.216",),
                    endpoints=(here, there, Endpoint("10.244.3.7", 8080, "node3"))),
    ]


def keys(text: str, chains: set) -> Counter:
    from k8slab.proxy.rules import parse
    return Counter(r.key() for r in parse(text).all_rules() if (r.table, r.chain) in chains)


def check_round_trip(report: Report, name: str, pid: int, text: str) -> None:
    """What iptables-save shows equals what we rendered, chain by chain (kernel spelling aside)."""
    from k8slab.proxy.apply import read_rules
    from k8slab.proxy.rules import parse
    live = read_rules(pid)
    declared = set(parse(text).chains)
    ours, theirs = keys(text, declared), keys(live, declared)
    report.check(f"{name}: rules round-trip", ours == theirs,
                 f"missing {list(ours - theirs)[:3]} extra {list(theirs - ours)[:3]}")
    live_service_chains = {c for (t, c) in parse(live).chains if c.startswith(("KUBE-SVC", "KUBE-SEP", "KUBE-EXT",
                                                                                "KUBE-FW", "KUBE-SVL"))}
    rendered = {c for (t, c) in declared if c.startswith(("KUBE-SVC", "KUBE-SEP", "KUBE-EXT", "KUBE-FW", "KUBE-SVL"))}
    report.check(f"{name}: exactly the rendered service chains exist", live_service_chains == rendered,
                 sorted(live_service_chains ^ rendered)[:5])


def check_rules(report: Report) -> None:
    from k8slab.proxy.apply import ApplyError, apply, read_rules
    from k8slab.proxy.chains import jump_rules, svc_chain
    from k8slab.proxy.model import NodeConfig
    from k8slab.proxy.render import render
    from k8slab.proxy.rules import parse, parse_rule

    node = NodeConfig("node1", ("172.18.0.2",))
    holder = netns_holder()
    try:
        pid = holder.pid
        svcs = services()
        text = render(node, svcs)
        chains = apply(pid, text, None)
        check_round_trip(report, "first apply", pid, text)
        live = parse(read_rules(pid, tables=["filter", "nat"]))
        for table, chain, args in jump_rules():
            quoted = " ".join(f'"{a}"' if " " in a else a for a in args)
            want = parse_rule(table, f"-A {chain} {quoted}").key()
            found = sum(r.key() == want for r in live.rules(table, chain))
            report.check(f"jump {table}/{chain} -> {args[-1]} exists once", found == 1, found)
        canary = read_rules(pid, tables=["mangle"])
        report.check("mangle canary chain", ":KUBE-PROXY-CANARY" in canary, canary)

        # A Service goes away: its chains are flushed and deleted; the partial sync writes little.
        gone = svcs[4]
        text2 = render(node, [s for s in svcs if s is not gone])
        chains = apply(pid, text2, chains)
        check_round_trip(report, "service removed", pid, text2)
        hash16 = svc_chain(gone)[len("KUBE-SVC-"):]
        report.check("removed service's chains are gone", hash16 not in read_rules(pid), hash16)
        report.check("returned chain set", not any(hash16 in c for c in chains), sorted(chains))

        # An endpoint changes: only its chains are rewritten, and the result still round-trips.
        text3 = render(node, [replace(s, endpoints=s.endpoints[:2]) if s.name == "ext" else s
                              for s in svcs if s is not gone])
        chains = apply(pid, text3, chains)
        check_round_trip(report, "endpoint removed", pid, text3)

        # A plain set (no digests) rewrites everything; applying twice changes nothing.
        chains = apply(pid, text, set(chains))
        chains = apply(pid, text, chains)
        check_round_trip(report, "back to the first set", pid, text)

        try:
            apply(pid, "*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -j KUBE-NOPE\nCOMMIT\n", set())
            report.check("bad rules raise ApplyError", False, "no error")
        except ApplyError as e:
            report.check("bad rules raise ApplyError naming the line", e.line_number is not None and e.line, str(e))
    finally:
        holder.kill()


def check_packets(report: Report) -> None:
    """Real connections through the rules: DNAT, REJECT, hairpin masquerade, NodePorts."""
    from k8slab.proxy.apply import apply
    from k8slab.proxy.model import NodeConfig
    from k8slab.proxy.render import render

    node_ns, pod_ns = netns_holder(), netns_holder()
    server = None
    try:
        n, p = node_ns.pid, pod_ns.pid
        # node1 <-veth-> pod 10.244.1.5, routed like k8slab's pods (link-local gateway on the node).
        sh(n, "ip", "link", "add", "vn", "type", "veth", "peer", "name", "vp", "netns", str(p))
        for cmd in (["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", "172.18.0.2/32", "dev", "vn"],
                    ["ip", "addr", "add", "169.254.1.1/32", "dev", "vn"], ["ip", "link", "set", "vn", "up"],
                    ["ip", "route", "add", "10.244.1.5/32", "dev", "vn"],
                    ["ip", "route", "add", "10.96.0.0/12", "dev", "vn"],  # locally sent packets need a route
                    ["sysctl", "-qw", "net.ipv4.ip_forward=1"]):
            sh(n, *cmd)
        for cmd in (["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", "10.244.1.5/32", "dev", "vp"],
                    ["ip", "link", "set", "vp", "up"], ["ip", "route", "add", "169.254.1.1", "dev", "vp"],
                    ["ip", "route", "add", "default", "via", "169.254.1.1", "dev", "vp"]):
            sh(p, *cmd)
        server = subprocess.Popen(["nsenter", "-t", str(p), "-n", sys.executable, "-c", SERVER],
                                  stdout=subprocess.PIPE, text=True)
        report.check("server started", server.stdout.readline().strip() == "ready")
        apply(n, render(NodeConfig("node1", ("172.18.0.2",)), services()), None)

        def connect(pid: int, host: str, port: int) -> str:
            return sh(pid, sys.executable, "-c", CLIENT, host, str(port))

        seen = connect(n, "10.96.100.10", 80)
        report.check("node -> ClusterIP is DNATed to the pod", seen in ("172.18.0.2", "169.254.1.1"), seen)
        seen = connect(n, "10.96.0.99", 80)
        report.check("no endpoints -> connection refused (REJECT)", seen == "ERR:ConnectionRefusedError", seen)
        seen = connect(p, "10.96.100.10", 80)
        report.check("hairpin through the ClusterIP is masqueraded", seen in ("172.18.0.2", "169.254.1.1"), seen)
        seen = connect(p, "172.18.0.2", 30080)
        report.check("pod -> NodePort reaches the pod", seen in ("172.18.0.2", "169.254.1.1"), seen)
        seen = connect(n, "127.0.0.1", 30080)
        report.check("localhost NodePort (route_localnet)", seen in ("172.18.0.2", "169.254.1.1"), seen)
        seen = connect(n, "10.96.100.10", 81)
        report.check("other ports of a ClusterIP are not handled", seen.startswith("ERR:"), seen)
    finally:
        for proc in (server, node_ns, pod_ns):
            if proc is not None:
                proc.kill()


def many(n: int, k: int = 5):
    from k8slab.proxy.model import Endpoint, ServicePort
    out = []
    for i in range(n):
        eps = tuple(Endpoint(f"10.244.{1 + j % 3}.{(i * k + j) % 250 + 2}", 8080, f"node{1 + j % 3}")
                    for j in range(k))
        out.append(ServicePort("bench", f"svc{i}", "http", "TCP", f"10.96.{i // 250}.{i % 250 + 1}", 80,
                               node_port=30000 + i, endpoints=eps))
    return out


def time_applies(report: Report) -> None:
    """Partial and full syncs of 100 services x 5 endpoints for each installed iptables backend (large
    enough to exercise the rootless batching; bench/proxy_sync.py measures 1000 and 5000)."""
    from k8slab.proxy import apply as A

    default = A.IPTABLES
    backends = ["iptables"] + [b for b in ("iptables-legacy",) if shutil.which(f"{b}-restore")]
    try:
        for backend in backends:
            A.IPTABLES = backend
            # "iptables v1.8.9 (nf_tables)" -> "iptables (nf_tables)", the one on PATH.
            label = backend if backend != "iptables" else "iptables " + sh(os.getpid(), "iptables", "-V").split()[-1]
            time_one(report, label, 100)
    finally:
        A.IPTABLES = default


def time_one(report: Report, label: str, n: int) -> None:
    from k8slab.proxy.apply import apply
    from k8slab.proxy.model import NodeConfig
    from k8slab.proxy.render import render

    node = NodeConfig("node1", ("172.18.0.2",))
    holder = netns_holder()
    try:
        pid = holder.pid
        svcs = many(n)
        text = report.time(f"{label}: render {n} svc", lambda: render(node, svcs))
        chains = report.time(f"{label}: first apply, {n} svc (full)", lambda: apply(pid, text, None))
        fewer = list(svcs)
        fewer[7] = replace(fewer[7], endpoints=fewer[7].endpoints[:4])
        t2, t3 = render(node, fewer), render(node, fewer[:-1])
        chains = report.time(f"{label}: {n} svc, one endpoint removed", lambda: apply(pid, t2, chains))
        chains = report.time(f"{label}: {n} svc, one service removed", lambda: apply(pid, t3, chains))
        chains = report.time(f"{label}: {n} svc, nothing changed", lambda: apply(pid, t3, chains))
        report.time(f"{label}: {n} svc, full rewrite", lambda: apply(pid, t3, set(chains)))
        check_round_trip(report, f"{label}: {n} services", pid, t3)
    finally:
        holder.kill()


def in_sandbox(info) -> int:
    report = Report(info.rootless)
    for step in (check_rules, check_packets, time_applies):
        try:
            step(report)
        except Exception:
            report.failures.append(f"{step.__name__}: {traceback.format_exc()}")
    print(json.dumps({"rootless": report.rootless, "checks": report.checks, "failures": report.failures,
                      "timings": report.timings}), flush=True)
    return 0


if __name__ == "__main__":
    from k8slab.sandbox import run_in_sandbox
    sys.exit(run_in_sandbox(in_sandbox))
