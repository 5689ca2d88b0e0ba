#!/usr/bin/env python3
"""Cluster DNS: queries per second and p99 latency with dnsperf, beside dnsmasq serving the same names.

How it is measured, inside a fresh sandbox with a fresh 3-node cluster per run: 100 Services are
created, and the query file holds each one's A name and its named port's SRV name (200 questions,
asked round and round). dnsmasq, the baseline, runs in a pod of its own on the DNS pod's node (a
busybox pod whose command is the host's dnsmasq: pods run real programs), with no upstream server
(`--no-resolv`: nothing leaves the sandbox) and the same records, from `--host-record` and
`--srv-host`, with the same TTL; a Service of its own puts it behind a ClusterIP too. Before
measuring, both servers are asked every question once and must give the same rcode, answer and
additional records. Then, from a client pod on another node, dnsperf (UDP, 20 queries in flight,
DURATION seconds, `-v` for each query's latency) asks the kube-dns ClusterIP and dnsmasq's ClusterIP
(the headline: what pods use, through kube-proxy's DNAT on the client's node), then the DNS pod's IP
and dnsmasq's pod IP; a dnspython loop in the client pod asks both ClusterIPs SAMPLES questions one at
a time (a pod's resolver waits for each answer; dnsperf cannot do this: with `-q 1` its own waits
hold it at about 50 queries/s); and dnsperf runs inside each server's own pod against 127.0.0.1,
which leaves out the emulated network and shows the servers' own cost. Within each pair, ours goes
first in even runs and dnsmasq in odd ones. Queries/s is dnsperf's; each p99 is the nearest-rank 99th
percentile of one run's per-query latencies, and the figure is the median over runs.

dnsmasq is single-threaded C; k8slab's DNS server (k8slab/dns/server.py) is one Python thread,
which answers a repeated question from a cache of whole replies. dnsperf, both servers, the kernel's
packet path and the cluster share this machine's cores: the figures are CPU cost as much as speed,
and through the emulated network each query's path through veths, bridge and iptables costs more
CPU than either server's answer.

Change latency: a poller in the client pod asks for a new Service's name every 2 ms (dnspython, UDP,
10.96.0.10); the clock starts just before the Service is written to the store and stops at the first
answer carrying its ClusterIP (CLOCK_MONOTONIC is the same in every namespace). CHANGES per run.

Each run is a fresh sandbox (`--single`); --quick: one run, 1 s per dnsperf, 300 one-at-a-time
queries and 3 changes.

    python3 bench/dns.py [--runs 3] [--quick] [--json FILE]
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

from common import in_sandbox, pct, wait_for
from kit import Figures, arguments, machine

# This file's directory comes first on sys.path, where it would shadow dnspython's `dns` package for
# anything imported from now on: take it out once common and kit are in.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

SERVICES = 100
IN_FLIGHT = 20
DURATION = 4  # seconds per dnsperf run (--quick: 1)
SAMPLES = 2000  # one-at-a-time queries per server and run, for that p99 (--quick: 300)
CHANGES = 10  # new Services per run for the change latency (--quick: 3)
DNSMASQ = "/usr/sbin/dnsmasq"
TTL = 30  # the cluster DNS's TTL for Service records (kubeadm's Corefile: `ttl 30`)

# Asks the server argv[1] every question of the file argv[2] ("NAME TYPE" lines) once; prints one
# JSON object of rcode, sorted answer and additional records (TTLs included) per question.
ANSWERS = r"""
import json, sys, dns.message, dns.query
out = {}
for line in open(sys.argv[2]):
    if line.strip():
        r = dns.query.udp(dns.message.make_query(*line.split()), sys.argv[1], timeout=2)
        out[line.strip()] = [r.rcode(), *(sorted(rr.lower() for rrset in section for rr in rrset.to_text().splitlines())
                                          for section in (r.answer, r.additional))]
print(json.dumps(out))
"""

# Asks the server argv[1] the questions of the file argv[2] one at a time, round and round, argv[3]
# times, over one UDP socket; prints the JSON list of each answer's latency in ms.
SAMPLER = r"""
import json, socket, sys, time, dns.message, dns.query
server, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
questions = [dns.message.make_query(*line.split()) for line in open(path) if line.strip()]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
out = []
for i in range(n):
    q = questions[i % len(questions)]
    t0 = time.perf_counter()
    dns.query.udp(q, server, timeout=2, sock=sock)
    out.append((time.perf_counter() - t0) * 1000)
print(json.dumps(out))
"""

# One line "NAME IP" in: poll NAME (A) at 10.96.0.10 every 2 ms, say "polling" once started, and
# print the CLOCK_MONOTONIC time of the first answer with IP (or "timeout" after 5 s). Then the next.
POLLER = r"""
import sys, time, dns.message, dns.query
for line in sys.stdin:
    name, want = line.split()
    print("polling", flush=True)
    t0 = time.monotonic()
    seen = None
    while seen is None and time.monotonic() - t0 < 5:
        try:
            r = dns.query.udp(dns.message.make_query(name, "A"), "10.96.0.10", timeout=0.05)
            if any(want in rr.to_text() for rr in r.answer):
                seen = time.monotonic()
        except Exception:
            pass
        if seen is None:
            time.sleep(0.002)
    print(seen if seen is not None else "timeout", flush=True)
"""


def dnsmasq_args(services) -> list:
    """dnsmasq serving exactly the cluster DNS's A and SRV records of these Services, nothing else."""
    args = [DNSMASQ, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
            "--user=root", "--pid-file=", "--log-facility=-", "--port=53", f"--local-ttl={TTL}",
            "--local=/cluster.local/"]  # never forward a cluster name (there is no upstream anyway)
    for name, ip in services:
        host = f"{name}.default.svc.cluster.local"
        args += [f"--host-record={host},{ip}", f"--srv-host=_http._tcp.{host},{host},80,0,100"]
    return args


def parse_dnsperf(out: str) -> dict:
    """Queries/s, lost queries and the p99 of the per-query latencies (ms) from `dnsperf -v`."""
    qps = re.search(r"Queries per second:\s+([\d.]+)", out)
    lost = re.search(r"Queries lost:\s+(\d+)", out)
    latencies = [float(m.group(1)) * 1000 for m in re.finditer(r"^> NOERROR \S+ \S+ ([\d.]+)$", out, re.M)]
    if qps is None or not latencies:
        raise RuntimeError(f"dnsperf gave no figures: {out.strip()[-300:]}")
    return {"qps": float(qps.group(1)), "lost": int(lost.group(1)) if lost else 0, "p99": pct(latencies, 0.99),
            "answered": len(latencies)}


def server_pid(pod_pid: int, marker: str, processes) -> int:
    """The process in a pod's network namespace whose command line contains `marker`."""
    for pid in processes.processes_in_netns(pod_pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    return pid
        except OSError:
            continue
    raise SystemExit(f"no {marker} process in the pod")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(run: int, duration: float, samples: int, changes: int) -> dict:
    """One fresh cluster: dnsperf against ours and dnsmasq, then the change latency."""
    from k8slab.api.codec import from_dict
    from k8slab.api.pod import Pod
    from k8slab.api.service import Service
    from k8slab.cluster import Cluster
    from k8slab.net.addresses import ClusterSpec
    from k8slab.runtime import processes

    def ready(pod) -> bool:
        return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions)

    def pod(name: str, node: str, command: list, labels=None) -> None:
        store.create(from_dict(Pod, {"metadata": {"name": name, "labels": labels or {}},
                                     "spec": {"nodeName": node, "terminationGracePeriodSeconds": 1,
                                              "containers": [{"name": "c", "image": "busybox", "command": command}]}}))

    cluster = Cluster(ClusterSpec(3))
    cluster.start()
    try:
        store = cluster.store
        for i in range(SERVICES):
            store.create(from_dict(Service, {"metadata": {"name": f"svc{i}"},
                                             "spec": {"selector": {"app": f"a{i}"},
                                                      "ports": [{"name": "http", "port": 80}]}}))
        if not wait_for(lambda: any(ready(p) for p in store.list("Pod", "kube-system")), timeout=60):
            raise SystemExit("the cluster DNS pod did not become Ready within 60 s")
        dns_pod = next(p for p in store.list("Pod", "kube-system") if ready(p))
        services = [(f"svc{i}", store.get("Service", f"svc{i}", "default").spec.cluster_ip) for i in range(SERVICES)]
        # dnsmasq on the DNS pod's node, the client on another one: both paths cross the lab network.
        client_node = next(f"node{n}" for n in (2, 3, 1) if f"node{n}" != dns_pod.spec.node_name)
        pod("dnsmasq", dns_pod.spec.node_name, dnsmasq_args(services), {"app": "bench-dnsmasq"})
        pod("client", client_node, ["sleep", "3600"])
        store.create(from_dict(Service, {"metadata": {"name": "bench-dnsmasq"},
                                         "spec": {"selector": {"app": "bench-dnsmasq"},
                                                  "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}]}}))
        if not wait_for(lambda: all(ready(p) for p in store.list("Pod", "default"))
                        and len(store.list("Pod", "default")) == 2, timeout=60):
            raise SystemExit("the dnsmasq and client pods did not become Ready within 60 s")
        # A settled cluster: every node has both DNS Services' endpoints programmed (dnsperf keeps
        # queries sent before that in flight until they time out, which would stall it).
        if not wait_for(lambda: any(s.addresses for s in getattr(store.try_get("Endpoints", "bench-dnsmasq", "default"),
                                                                 "subsets", ())), timeout=30):
            raise SystemExit("dnsmasq's Service got no endpoint within 30 s")
        if not cluster.kube_proxy.wait_synced(store.resource_version, timeout=60):
            raise SystemExit("kube-proxy did not sync within 60 s")
        client = cluster.kubelets[client_node].exec_target(("default", "client"))
        servers = {"ours via ClusterIP": "10.96.0.10",
                   "dnsmasq via ClusterIP": store.get("Service", "bench-dnsmasq", "default").spec.cluster_ip,
                   "ours via pod IP": dns_pod.status.pod_ip,
                   "dnsmasq via pod IP": store.get("Pod", "dnsmasq", "default").status.pod_ip}

        queries = "".join(f"{name}.default.svc.cluster.local A\n_http._tcp.{name}.default.svc.cluster.local SRV\n"
                          for name, _ in services)
        with open("/run/k8slab/bench-dns-queries.txt", "w") as f:
            f.write(queries)

        def answers(server: str) -> dict:
            done = processes.run_in(client, [sys.executable, "-c", ANSWERS, server, f.name], timeout=60)
            if done.returncode:
                raise RuntimeError(done.stderr.decode()[-300:])
            return json.loads(done.stdout)

        def dnsmasq_answers() -> bool:  # it may still be binding its port
            try:
                return bool(answers(servers["dnsmasq via pod IP"]))
            except (RuntimeError, ValueError, subprocess.TimeoutExpired):
                return False

        if not wait_for(dnsmasq_answers, timeout=20, step=0.2):
            raise SystemExit("dnsmasq did not answer within 20 s")
        ours, theirs = answers(servers["ours via ClusterIP"]), answers(servers["dnsmasq via ClusterIP"])
        if ours != theirs:
            differ = next(q for q in ours if ours[q] != theirs.get(q))
            raise SystemExit(f"dnsmasq and the cluster DNS answer {differ} differently: "
                             f"{ours[differ]} vs {theirs.get(differ)}")

        def dnsperf(where: int, server: str, in_flight: int, seconds: float) -> dict:
            done = processes.run_in(where, ["dnsperf", "-s", server, "-d", f.name, "-l", str(seconds),
                                            "-q", str(in_flight), "-v"], timeout=seconds + 30)
            return parse_dnsperf(done.stdout.decode() + done.stderr.decode())

        def pairs(labels: list) -> list:  # each pair in turn, ours first in even runs, dnsmasq first in odd ones
            return [x for ours, theirs in zip(labels[::2], labels[1::2])
                    for x in ((ours, theirs) if run % 2 == 0 else (theirs, ours))]

        result = {label: dnsperf(client, servers[label], IN_FLIGHT, duration) for label in pairs(list(servers))}
        for label in pairs(["ours via ClusterIP", "dnsmasq via ClusterIP"]):
            done = processes.run_in(client, [sys.executable, "-c", SAMPLER, servers[label], f.name, str(samples)],
                                    timeout=120)
            if done.returncode:
                raise SystemExit(f"the one-at-a-time sampler failed against {label}: {done.stderr.decode()[-300:]}")
            result[label + ", one at a time"] = {"p99": pct(json.loads(done.stdout), 0.99)}
        # Each server on its own pod's loopback: its own cost, without the emulated network's.
        kubelet = cluster.kubelets[dns_pod.spec.node_name]
        inside = {"ours on loopback": kubelet.exec_target(("kube-system", dns_pod.metadata.name)),
                  "dnsmasq on loopback": kubelet.exec_target(("default", "dnsmasq"))}
        pids = {"ours on loopback": server_pid(inside["ours on loopback"], "k8slab.dns.server", processes),
                "dnsmasq on loopback": server_pid(inside["dnsmasq on loopback"], DNSMASQ, processes)}
        for label in pairs(list(inside)):
            cpu = cpu_seconds(pids[label])
            result[label] = dnsperf(inside[label], "127.0.0.1", IN_FLIGHT, duration)
            # The server's own CPU time per answer: what the machine's load does not change much.
            result[label]["cpu_us"] = (cpu_seconds(pids[label]) - cpu) / (result[label]["answered"] or 1) * 1e6
        result["changes"] = change_latency(store, client, changes, processes, from_dict, Service)
        return result
    finally:
        cluster.stop()


def change_latency(store, client: int, changes: int, processes, from_dict, Service) -> list:
    """Milliseconds from writing a new Service to the first DNS answer with its ClusterIP (None: no answer)."""
    poller = subprocess.Popen(processes.nsenter_argv(client) + [sys.executable, "-c", POLLER],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    delays = []
    try:
        for i in range(changes):
            ip = f"10.96.201.{i + 10}"
            poller.stdin.write(f"new{i}.default.svc.cluster.local {ip}\n")
            poller.stdin.flush()
            if poller.stdout.readline().strip() != "polling":
                raise SystemExit("the DNS change poller failed")
            t0 = time.monotonic()
            store.create(from_dict(Service, {"metadata": {"name": f"new{i}"},
                                             "spec": {"clusterIP": ip, "ports": [{"port": 80}]}}))
            seen = poller.stdout.readline().strip()
            delays.append(None if seen in ("timeout", "") else (float(seen) - t0) * 1000)
    finally:
        poller.stdin.close()
        try:
            poller.wait(timeout=10)
        except subprocess.TimeoutExpired:
            poller.kill()
            poller.wait()
    return delays


def single(run: int, duration: float, samples: int, changes: int) -> None:
    """One run; its figures as JSON on the last line of stdout (the sandbox swallows SystemExit's text)."""
    try:
        print(json.dumps(one_run(run, duration, samples, changes)))
    except SystemExit as e:
        if not isinstance(e.code, int):
            print(e.code, file=sys.stderr, flush=True)
        raise


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--single":  # one run, in its own fresh sandbox
        run, duration, samples, changes = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        in_sandbox(lambda: single(run, duration, samples, changes))
    args = arguments(__doc__.splitlines()[0], runs=3)
    figures = Figures("DNS")
    print(f"machine: {machine()}")
    duration, samples, changes = (1, 300, 3) if args.quick else (DURATION, SAMPLES, CHANGES)
    runs = []
    for run in range(args.runs):
        argv = [sys.executable, __file__, "--single", str(run), str(duration), str(samples), str(changes)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        if done.returncode:
            raise SystemExit(f"a DNS run failed (exit status {done.returncode}):\n{done.stdout}{done.stderr}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))

    def series(label: str, key: str) -> list:
        return [r[label][key] for r in runs]

    flight = f"dnsperf, {IN_FLIGHT} in flight"
    figures.add(f"queries/s via the kube-dns ClusterIP ({flight})", series("ours via ClusterIP", "qps"), "q/s",
                baseline=series("dnsmasq via ClusterIP", "qps"), baseline_name="dnsmasq via its ClusterIP",
                target=">= 0.5x dnsmasq")
    figures.add(f"queries/s to the DNS pod's IP ({flight})", series("ours via pod IP", "qps"), "q/s",
                baseline=series("dnsmasq via pod IP", "qps"), baseline_name="dnsmasq via its pod IP")
    figures.add(f"queries/s on the DNS pod's loopback, server cost alone ({flight})", series("ours on loopback", "qps"),
                "q/s", baseline=series("dnsmasq on loopback", "qps"), baseline_name="dnsmasq on its pod's loopback")
    figures.add("server CPU time per answer, on the pod's loopback", series("ours on loopback", "cpu_us"), "us",
                baseline=series("dnsmasq on loopback", "cpu_us"), baseline_name="dnsmasq")
    figures.add(f"p99 latency via the ClusterIP ({flight})", series("ours via ClusterIP", "p99"), "ms",
                baseline=series("dnsmasq via ClusterIP", "p99"), baseline_name="dnsmasq via its ClusterIP")
    figures.add(f"p99 latency via the ClusterIP, one query at a time ({samples} dnspython queries)",
                series("ours via ClusterIP, one at a time", "p99"), "ms",
                baseline=series("dnsmasq via ClusterIP, one at a time", "p99"),
                baseline_name="dnsmasq via its ClusterIP")
    delays = [d for r in runs for d in r["changes"]]
    name = f"Service created -> first DNS answer with its ClusterIP ({changes} Services per run)"
    if all(d is not None for d in delays):
        figures.add(name, delays, "ms", p99=True, target="<= 100 ms")
    else:
        figures.fail(name,
                     f"{delays.count(None)} of {len(delays)} new Services got no answer within 5 s")
    figures.write(args.json)


if __name__ == "__main__":
    main()
