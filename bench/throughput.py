#!/usr/bin/env python3
"""TCP throughput through a ClusterIP and a NodePort (iperf3), beside the same pod by its pod IP.

How it is measured, inside a fresh sandbox with a fresh 3-node cluster: a pod on node1 runs `iperf3 -s`
(a busybox pod whose command is the host's iperf3: pods run real programs), and a client pod sits on
node2, so every test crosses two nodes and the lab network. A ClusterIP Service and a NodePort Service
select the server. From the client pod, `iperf3 -c ADDRESS -t 5 -J` (one TCP stream; --quick: 1 s)
runs against:
- the server's pod IP: the baseline, routed pod to pod with no NAT on the path;
- the ClusterIP: DNAT to the pod IP by kube-proxy's rules on node2, then the same path;
- node1's IP and the NodePort (the node the server runs on): the packets leave node2 masqueraded to
  node2's address (the CNI's rule for pod traffic leaving the pod network, as kind's), then node1
  DNATs them to the pod and masquerades them, as kube-proxy does for NodePort traffic;
- node3's IP and the NodePort (a node without the server): the same, with the DNAT and masquerade
  on node3 and one more routed hop from node3 to node1.
The figure is the receiver's bits per second (end.sum_received). The order of the targets rotates from
one run to the next; medians over the runs. On this machine the iperf3 client, the iperf3 server and
the kernel's packet processing for every namespace share the CPU cores, so the figures are the CPU
cost of the path as much as its bandwidth, and they move with whatever else the machine runs.

    python3 bench/throughput.py [--runs 3] [--quick] [--json FILE]
"""

from __future__ import annotations

import json
import sys
import time

from common import in_sandbox, wait_for
from kit import Figures, arguments

PORT = 5201
NODE_PORT = 30521
SECONDS = 5  # each iperf3 test (--quick: 1)


def fail(message: str) -> None:
    """End with `message` (inside the sandbox, SystemExit's message is not printed: print it here)."""
    print(message, file=sys.stderr, flush=True)
    raise SystemExit(1)


def measure(runs: int, seconds: int) -> dict:
    """{target name: [Gbit/s per run]} for pod IP, ClusterIP and the NodePorts."""
    from k8slab.api.codec import from_dict
    from k8slab.api.pod import Pod
    from k8slab.api.service import Service
    from k8slab.cluster import Cluster
    from k8slab.net.addresses import ClusterSpec
    from k8slab.runtime import processes

    cluster = Cluster(ClusterSpec(3))
    cluster.start()
    try:
        store = cluster.store
        for name, node, labels, command in (
                ("server", "node1", {"app": "iperf"}, ["iperf3", "-s", "-p", str(PORT)]),
                ("client", "node2", {}, ["sleep", "3600"])):
            store.create(from_dict(Pod, {"metadata": {"name": name, "labels": labels},
                                         "spec": {"nodeName": node, "terminationGracePeriodSeconds": 1,
                                                  "containers": [{"name": "c", "image": "busybox",
                                                                  "command": command}]}}))
        store.create(from_dict(Service, {"metadata": {"name": "iperf"},
                                         "spec": {"selector": {"app": "iperf"}, "ports": [{"port": PORT}]}}))
        store.create(from_dict(Service, {"metadata": {"name": "iperf-np"},
                                         "spec": {"type": "NodePort", "selector": {"app": "iperf"},
                                                  "ports": [{"port": PORT, "nodePort": NODE_PORT}]}}))

        def ready() -> bool:
            pods = store.list("Pod", "default")
            return len(pods) == 2 and all(any(c.type == "Ready" and c.status == "True" for c in p.status.conditions)
                                          for p in pods)

        if not wait_for(ready, timeout=60):
            fail("the iperf3 pods did not become Ready within 60 s")
        if not cluster.kube_proxy.wait_current(timeout=30):
            fail("kube-proxy did not sync within 30 s")
        client = cluster.kubelets["node2"].exec_target(("default", "client"))
        node_ip = {n.metadata.name: next(a.address for a in n.status.addresses if a.type == "InternalIP")
                   for n in store.list("Node", None)}
        targets = {
            "pod IP": (store.get("Pod", "server", "default").status.pod_ip, PORT),
            "ClusterIP": (store.get("Service", "iperf", "default").spec.cluster_ip, PORT),
            "NodePort on the server's node": (node_ip["node1"], NODE_PORT),
            "NodePort on a third node": (node_ip["node3"], NODE_PORT),
        }

        def iperf(ip: str, port: int, t: int) -> float:
            """Gbit/s received, one TCP stream for t seconds; retried while the server is not up yet."""
            for _ in range(20):
                done = processes.run_in(client, ["iperf3", "-c", ip, "-p", str(port), "-t", str(t), "-J"],
                                        timeout=t + 30)
                try:
                    out = json.loads(done.stdout.decode())
                except ValueError:
                    out = {"error": (done.stdout + done.stderr).decode().strip()[:200]}
                if "error" not in out:
                    return out["end"]["sum_received"]["bits_per_second"] / 1e9
                # The server runs one test at a time and may still be closing the last one.
                time.sleep(0.3)
            fail(f"iperf3 to {ip}:{port} failed: {out['error']}")

        for ip, port in targets.values():  # every path works (and warms up) before the clock
            iperf(ip, port, 1)
        names = list(targets)
        samples = {name: [] for name in names}
        for run in range(runs):
            order = names[run % len(names):] + names[:run % len(names)]
            for name in order:
                samples[name].append(iperf(*targets[name], seconds))
        return samples
    finally:
        cluster.stop()


def main() -> None:
    args = arguments(__doc__.splitlines()[0], runs=3)
    seconds = 1 if args.quick else SECONDS
    figures = Figures("throughput")

    def run() -> None:
        samples = measure(args.runs, seconds)
        base = samples.pop("pod IP")
        for name, values in samples.items():
            figures.add(f"TCP via {name}, client pod on another node (iperf3, 1 stream, {seconds} s)", values,
                        "Gbit/s", baseline=base, baseline_name="by pod IP",
                        target=">= 0.9x pod IP" if name == "ClusterIP" else "")
        figures.write(args.json)

    in_sandbox(run)


if __name__ == "__main__":
    main()
