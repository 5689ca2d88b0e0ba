#!/usr/bin/env python3
"""kube-proxy full sync at 100, 1000 and 5000 Services x 5 endpoints, beside `iptables-restore` alone.

How it is measured, inside a fresh sandbox: for each size, k8slab's kube-proxy renders the rules of one
node (pure Python) and applies them into a fresh network namespace (one `iptables-restore`, as on its
first sync). The baseline is the raw `iptables-restore --noflush` of exactly the same text into another
fresh namespace, run right after, so that both see the same machine. Medians of RUNS runs.

    python3 bench/proxy_sync.py [--runs 5] [--quick] [--json FILE]
"""

from __future__ import annotations

import shutil
import subprocess
import time

from common import in_sandbox
from kit import Figures, arguments

SIZES = (100, 1000, 5000)


def services(n: int):
    from k8slab.proxy.model import Endpoint, ServicePort

    return [ServicePort("default", f"svc{i}", "http", "TCP", f"10.{96 + i // 65000}.{i // 250 % 256}.{i % 250 + 1}", 80,
                        endpoints=tuple(Endpoint(f"10.244.{1 + j}.{i % 250 + 2}", 8080, f"node{1 + j % 3}")
                                        for j in range(5)))
            for i in range(n)]


def fresh_netns() -> subprocess.Popen:
    holder = subprocess.Popen(["unshare", "-n", "sleep", "300"])
    time.sleep(0.05)
    return holder


def one_run(n: int, backend: str) -> tuple:
    """(k8slab's render + apply, raw restore) in seconds, for n Services, with this iptables backend."""
    from k8slab.proxy import apply as iptables
    from k8slab.proxy.model import NodeConfig
    from k8slab.proxy.render import render

    ports = services(n)
    node = NodeConfig("node1", ("172.18.0.2",))
    holder = fresh_netns()
    iptables.IPTABLES = backend
    try:
        t0 = time.monotonic()
        text = render(node, ports)
        iptables.apply(holder.pid, text, None)
        ours = time.monotonic() - t0
    finally:
        iptables.IPTABLES = "iptables"
        holder.kill()
    raw_holder = fresh_netns()
    t0 = time.monotonic()
    done = subprocess.run(iptables.in_netns(raw_holder.pid, [f"{backend}-restore", "--noflush"]), input=text,
                          text=True, capture_output=True)
    raw = time.monotonic() - t0
    raw_holder.kill()
    if done.returncode:
        raise SystemExit(f"raw {backend}-restore failed: {done.stderr.strip()[:200]}")
    return ours, raw


def main() -> None:
    args = arguments(__doc__.splitlines()[0], runs=5)
    figures = Figures("kube-proxy")

    def measure() -> None:
        from k8slab.proxy.apply import ApplyError

        for n in SIZES[:1] if args.quick else SIZES:
            backend = "iptables" if n < 5000 else "iptables-legacy"
            name = f"full sync, {n} Services x 5 endpoints" + (f", {backend}" if n >= 5000 else "") + " (render + apply)"
            if not shutil.which(f"{backend}-restore"):
                figures.fail(name, f"{backend}-restore is not installed")
                continue
            try:
                runs = [one_run(n, backend) for _ in range(args.runs)]
            except (ApplyError, subprocess.TimeoutExpired) as e:
                figures.fail(name, str(e)[:200])
                continue
            figures.add(name, [r[0] * 1000 for r in runs], "ms", baseline=[r[1] * 1000 for r in runs],
                        baseline_name=f"{backend}-restore alone",
                        target="<= 2x iptables-restore" if n == 1000 else "")
        figures.write(args.json)

    in_sandbox(measure)


if __name__ == "__main__":
    main()
