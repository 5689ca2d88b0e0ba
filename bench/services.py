#!/usr/bin/env python3
"""Service programming latency and kube-proxy full-sync time.

How it is measured (inside a fresh sandbox, with the real cluster code):
1. Programming latency: with 3 ready agnhost pods, create a Service (explicit ClusterIP) and time
   (a) until every node's kernel holds its rules (kube-proxy reports the store revision applied),
   (b) until the first `curl` from a pod through the ClusterIP succeeds (curl retried every 5 ms).
   Repeated RUNS times; p50 and p99 printed. The target is p99 <= 100 ms.
2. Full sync: render and apply N Services x 5 endpoints to one node's netns with `iptables-restore`
   (the first sync writes everything), for N = 100 and 1000; the raw `iptables-restore` of the same
   text into a fresh netns is the baseline.

    .venv/bin/python bench/services.py [--runs 20]
"""

from __future__ import annotations

import argparse
import subprocess
import time

from common import in_sandbox, pct, wait_for  # noqa: E402 - bench/ is the script directory




def programming_latency(runs: int) -> None:
    from k8slab.api.codec import from_dict
    from k8slab.api.pod import Pod
    from k8slab.api.service import Service
    from k8slab.cluster import Cluster
    from k8slab.net.addresses import ClusterSpec
    from k8slab.runtime import processes

    cluster = Cluster(ClusterSpec(3))
    cluster.start()
    store = cluster.store
    for i in range(3):
        store.create(from_dict(Pod, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"app-{i}", "labels": {"app": "app"}},
                                     "spec": {"nodeName": f"node{i + 1}", "containers": [{"name": "c", "image": "registry.k8s.io/e2e-test-images/agnhost:2.39",
                                                                                          "args": ["serve-hostname"], "ports": [{"containerPort": 9376}]}]}}))
    store.create(from_dict(Pod, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client"},
                                 "spec": {"nodeName": "node1", "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]}}))
    wait_for(lambda: all(p.status.phase == "Running" and all(c.ready for c in p.status.container_statuses)
                         for p in store.list("Pod")), timeout=20)
    client = cluster.kubelets["node1"].exec_target(("default", "client"))
    programmed, reachable = [], []
    for i in range(runs):
        ip = f"10.96.200.{i + 10}"
        t0 = time.monotonic()
        svc = store.create(from_dict(Service, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"s{i}"},
                                               "spec": {"clusterIP": ip, "selector": {"app": "app"}, "ports": [{"port": 80, "targetPort": 9376}]}}))
        # the EndpointSlice for the new Service is written by its controller: wait for the slice, then rules
        rv = None
        while time.monotonic() - t0 < 5:
            slices = [s for s in store.list("EndpointSlice") if s.metadata.labels.get("kubernetes.io/service-name") == f"s{i}"]
            if slices and len(slices[0].endpoints) == 3:
                rv = store.resource_version
                break
            time.sleep(0.001)
        cluster.kube_proxy.wait_synced(rv, timeout=5)
        programmed.append((time.monotonic() - t0) * 1000)
        script = f"until curl -s -o /dev/null --max-time 0.2 http://{ip}/; do sleep 0.005; done"
        processes.run_in(client, ["sh", "-c", script], timeout=10)
        reachable.append((time.monotonic() - t0) * 1000)
        store.delete("Service", svc.metadata.name, "default")
        time.sleep(0.05)
    cluster.stop()
    print(f"service programming, create -> rules in every node's kernel: p50 {pct(programmed, .5):.0f} ms, "
          f"p99 {pct(programmed, .99):.0f} ms ({runs} runs; target p99 <= 100 ms)")
    print(f"service programming, create -> first successful curl from a pod: p50 {pct(reachable, .5):.0f} ms, "
          f"p99 {pct(reachable, .99):.0f} ms (includes starting curl in the pod)")


def full_sync(counts) -> None:
    from k8slab.proxy import apply as iptables
    from k8slab.proxy.model import Endpoint, NodeConfig, ServicePort
    from k8slab.proxy.render import render

    node = NodeConfig("node1", ("172.18.0.2",))
    for n in counts:
        ports = [ServicePort("default", f"svc{i}", "http", "TCP", f"10.{96 + i // 65000}.{i // 250 % 256}.{i % 250 + 1}", 80,
                             endpoints=tuple(Endpoint(f"10.244.{1 + j}.{i % 250 + 2}", 8080, f"node{1 + j % 3}") for j in range(5)))
                 for i in range(n)]
        t0 = time.monotonic()
        text = render(node, ports)
        t_render = time.monotonic() - t0
        holder = subprocess.Popen(["unshare", "-n", "sleep", "300"])
        time.sleep(0.05)
        t0 = time.monotonic()
        iptables.apply(holder.pid, text, None)
        t_apply = time.monotonic() - t0
        holder.kill()
        raw_holder = subprocess.Popen(["unshare", "-n", "sleep", "300"])
        time.sleep(0.05)
        t0 = time.monotonic()
        p = subprocess.run(iptables.in_netns(raw_holder.pid, ["iptables-restore", "--noflush"]), input=text, text=True,
                           capture_output=True)
        t_raw = time.monotonic() - t0
        raw_holder.kill()
        raw = f"{t_raw * 1000:.0f} ms" if p.returncode == 0 else f"failed ({p.stderr.strip()[:60]})"
        print(f"kube-proxy full sync, {n} Services x 5 endpoints: render {t_render * 1000:.0f} ms + apply "
              f"{t_apply * 1000:.0f} ms; raw iptables-restore of the same rules: {raw}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    version = subprocess.run(["iptables", "--version"], capture_output=True, text=True).stdout.strip()
    in_sandbox(lambda: (programming_latency(args.runs), full_sync((100, 1000))), version)


if __name__ == "__main__":
    main()
