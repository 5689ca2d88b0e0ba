#!/usr/bin/env python3
"""Cluster DNS: queries per second with dnsperf, and the delay from a Service change to its answer.

How it is measured (in a fresh sandbox, with the real cluster):
1. 100 Services are created; dnsperf runs inside a pod for DURATION seconds against 10.96.0.10
   (through kube-proxy, as pods use it) and against the DNS pod's own IP, with a query file of the
   Services' A names and SRV names, 20 queries in flight. Its QPS and average latency are printed.
2. Change latency: a poller in a pod asks for a new Service's name every 2 ms (dnspython, over
   UDP to 10.96.0.10); the clock starts when the Service is written to the store and stops at the
   first answer carrying its ClusterIP. RUNS runs; p50 and p99 printed (target: within 100 ms).

    .venv/bin/python bench/dns.py [--duration 5] [--runs 20]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time

from common import in_sandbox, pct, wait_for  # noqa: E402 - bench/ is the script directory

POLLER = r"""
import sys, time, dns.message, dns.query
name, want = sys.argv[1], sys.argv[2]
sys.stdin.readline()                       # "go": the Service is being written now
t0 = time.monotonic()
while time.monotonic() - t0 < 5:
    q = dns.message.make_query(name, "A")
    try:
        r = dns.query.udp(q, "10.96.0.10", timeout=0.05)
        if any(want in rr.to_text() for rr in r.answer):
            break
    except Exception:
        pass
    time.sleep(0.002)
print(f"{(time.monotonic() - t0) * 1000:.1f}")
"""






def run(duration: float, runs: int) -> None:
    from k8slab.api.codec import from_dict
    from k8slab.api.pod import Pod
    from k8slab.api.service import Service
    from k8slab.cluster import Cluster
    from k8slab.net.addresses import ClusterSpec
    from k8slab.runtime import processes

    cluster = Cluster(ClusterSpec(3))
    cluster.start()
    store = cluster.store
    store.create(from_dict(Pod, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client"},
                                 "spec": {"nodeName": "node2", "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]}}))
    for i in range(100):
        store.create(from_dict(Service, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc{i}"},
                                         "spec": {"selector": {"app": f"a{i}"}, "ports": [{"name": "http", "port": 80}]}}))

    def ready(pod):
        return pod.status.container_statuses and all(c.ready for c in pod.status.container_statuses)

    assert wait_for(lambda: all(ready(p) for p in store.list("Pod", None)) and len(store.list("Pod", None)) == 2)
    # Measure a settled cluster: every node has the kube-dns endpoint programmed (dnsperf keeps its
    # first queries in flight until they time out, so queries sent before that would stall it).
    assert cluster.kube_proxy.wait_synced(store.resource_version, timeout=30)
    client_pod = store.get("Pod", "client", "default")
    client = cluster.kubelets[client_pod.spec.node_name].exec_target(("default", "client"))
    dns_pod = store.list("Pod", "kube-system")[0]
    queries = "".join(f"svc{i}.default.svc.cluster.local A\n_http._tcp.svc{i}.default.svc.cluster.local SRV\n"
                      for i in range(100))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, dir="/run/k8slab") as f:
        f.write(queries)
    for label, server in (("via the kube-dns ClusterIP 10.96.0.10", "10.96.0.10"),
                          (f"to the DNS pod directly ({dns_pod.status.pod_ip})", dns_pod.status.pod_ip)):
        p = processes.run_in(client, ["dnsperf", "-s", server, "-d", f.name, "-l", str(duration), "-q", "20"],
                             timeout=duration + 30)
        out = p.stdout.decode()
        qps = re.search(r"Queries per second:\s+([\d.]+)", out)
        lat = re.search(r"Average Latency \(s\):\s+([\d.]+)", out)
        lost = re.search(r"Queries lost:\s+(\d+)", out)
        if qps is None:
            print(f"dnsperf {label}: failed: {(out + p.stderr.decode()).strip()[:200]}")
            continue
        print(f"dnsperf {label}: {float(qps.group(1)):.0f} queries/s, average latency "
              f"{float(lat.group(1)) * 1000:.2f} ms, {lost.group(1)} lost ({duration:.0f} s, 20 in flight)")
    delays = []
    for i in range(runs):
        ip = f"10.96.201.{i + 10}"
        name = f"new{i}.default.svc.cluster.local"
        poller = subprocess.Popen(processes.nsenter_argv(client) + [sys.executable, "-c", POLLER, name, ip],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        time.sleep(0.3)  # the poller's imports
        poller.stdin.write("go\n")
        poller.stdin.flush()
        store.create(from_dict(Service, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"new{i}"},
                                         "spec": {"clusterIP": ip, "ports": [{"port": 80}]}}))
        out, _ = poller.communicate(timeout=10)
        delays.append(float(out.strip()))
    print(f"DNS change latency, Service created -> first answer with its ClusterIP: p50 {pct(delays, .5):.0f} ms, "
          f"p99 {pct(delays, .99):.0f} ms ({runs} runs; target <= 100 ms)")
    cluster.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    in_sandbox(lambda: run(args.duration, args.runs))


if __name__ == "__main__":
    main()
