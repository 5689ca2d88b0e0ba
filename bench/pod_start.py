#!/usr/bin/env python3
"""Pod start: 1, 50 and 200 pods to Ready, beside creating as many bare namespaces with veths.

How it is measured, inside a fresh sandbox with a fresh 3-node cluster per run: N busybox pods
(`sleep 3600`) are created in the store at once, and the clock stops when the last one is Ready (the
kubelet's status, as `kubectl wait` reads it). The baseline, in the same run, creates N network
namespaces (`unshare -n`) each with a veth pair to the host side, addressed and up: the part of a
pod that the kernel does, without the scheduler, the kubelet, the container's process or its probes.

    python3 bench/pod_start.py [--runs 3] [--quick] [--json FILE]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from common import in_sandbox, wait_for
from kit import Figures, arguments, machine

SIZES = (1, 50, 200)


def pods_ready(n: int) -> float:
    from k8slab.api.codec import from_dict
    from k8slab.api.pod import Pod
    from k8slab.cluster import Cluster
    from k8slab.net.addresses import ClusterSpec

    cluster = Cluster(ClusterSpec(3))
    cluster.start()
    try:
        store = cluster.store
        sleeper = {"name": "c", "image": "busybox", "command": ["sleep", "3600"]}
        t0 = time.monotonic()
        for i in range(n):
            store.create(from_dict(Pod, {"metadata": {"name": f"p{i}"},
                                         "spec": {"terminationGracePeriodSeconds": 1, "containers": [sleeper]}}))

        def all_ready() -> bool:
            pods = store.list("Pod", "default")
            return len(pods) == n and all(any(c.type == "Ready" and c.status == "True" for c in p.status.conditions)
                                          for p in pods)

        if not wait_for(all_ready, timeout=300, step=0.01):
            raise SystemExit(f"{n} pods did not become Ready within 300 s")
        return time.monotonic() - t0
    finally:
        cluster.stop()


def bare_namespaces(n: int) -> float:
    """N namespaces with a veth each, addressed and up, one after another (as a kubelet would)."""
    holders = []
    t0 = time.monotonic()
    try:
        for i in range(n):
            holder = subprocess.Popen(["unshare", "-n", "sleep", "300"])
            holders.append(holder)
            pid = holder.pid
            mine = os.readlink("/proc/self/ns/net")
            while True:  # unshare has made the namespace once /proc shows a different one
                try:
                    if os.readlink(f"/proc/{pid}/ns/net") != mine:
                        break
                except OSError:
                    pass
            subprocess.run(["ip", "link", "add", f"bv{i}", "type", "veth", "peer", "name", "eth0", "netns", str(pid)],
                           check=True)
            subprocess.run(["ip", "link", "set", f"bv{i}", "up"], check=True)
            subprocess.run(["nsenter", "-t", str(pid), "-n", "sh", "-c",
                            f"ip addr add 10.250.{i // 250}.{i % 250 + 1}/32 dev eth0 && ip link set eth0 up && "
                            "ip link set lo up"], check=True)
        return time.monotonic() - t0
    finally:
        for holder in holders:
            holder.kill()
        for i in range(n):
            subprocess.run(["ip", "link", "del", f"bv{i}"], capture_output=True)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--single":  # one run, in its own fresh sandbox
        n = int(sys.argv[2])
        in_sandbox(lambda: print(json.dumps([pods_ready(n), bare_namespaces(n)])))
    args = arguments(__doc__.splitlines()[0], runs=3)
    figures = Figures("pods")
    print(f"machine: {machine()}")
    for n in (1, 10) if args.quick else SIZES:
        ours, bare = [], []
        for _ in range(args.runs):
            done = subprocess.run([sys.executable, __file__, "--single", str(n)], capture_output=True, text=True,
                                  timeout=600)
            if done.returncode:
                raise SystemExit(f"a run with {n} pods failed:\n{done.stdout}{done.stderr}")
            one = json.loads(done.stdout.strip().splitlines()[-1])
            ours.append(one[0])
            bare.append(one[1])
        figures.add(f"{n} pod{'s' if n != 1 else ''} created -> all Ready", ours, "s", baseline=bare,
                    baseline_name="bare netns + veth", target="<= 10 s" if n == 200 else "")
    figures.write(args.json)


if __name__ == "__main__":
    main()
