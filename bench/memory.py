#!/usr/bin/env python3
"""Memory: the whole sandbox's total PSS with a 3-node cluster and 0, 100 and 500 pods.

How it is measured: each run is a fresh sandbox (a child process, `--single N`) in which a 3-node
cluster starts and N busybox pods (`sleep 3600`) are created at once; once all are Ready and
kube-proxy has synced, it settles for a second and says so. This script then sums the proportional
set size (/proc/PID/smaps_rollup: shared pages divided among the processes sharing them) of every
process of the sandbox: the process that entered it, its init, the k8slab process (store, controllers,
kubelets, kube-proxy), the Mininet shells of nodes and pods, the pods' processes, the DNS server, and
anything else running at that moment. It is read from outside the sandbox, as the descendants of
the `--single` process. Medians of RUNS runs; the processes counted, and where the memory goes by
kind of process, are printed beside the figures.

    python3 bench/memory.py [--runs 2] [--quick] [--json FILE]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
import time

from common import in_sandbox, pss, tree_pids, wait_for
from kit import Figures, arguments, machine

SIZES = (0, 100, 500)
MiB = 2**20


def fail(message: str) -> None:
    """End with `message` (inside the sandbox, SystemExit's message is not printed: print it here)."""
    print(message, file=sys.stderr, flush=True)
    raise SystemExit(1)


def hold(n: int) -> None:
    """Inside the sandbox: a cluster with n pods, Ready and settled; then wait for the measurement."""
    from k8slab.api.codec import from_dict
    from k8slab.api.pod import Pod
    from k8slab.cluster import Cluster
    from k8slab.net.addresses import ClusterSpec

    cluster = Cluster(ClusterSpec(3))
    cluster.start()
    try:
        store = cluster.store
        sleeper = {"name": "c", "image": "busybox", "command": ["sleep", "3600"]}
        for i in range(n):
            store.create(from_dict(Pod, {"metadata": {"name": f"p{i}"},
                                         "spec": {"terminationGracePeriodSeconds": 1, "containers": [sleeper]}}))

        def all_ready() -> bool:
            pods = store.list("Pod", "default")
            return len(pods) == n and all(any(c.type == "Ready" and c.status == "True" for c in p.status.conditions)
                                          for p in pods)

        if not wait_for(all_ready, timeout=600, step=0.1):
            fail(f"{n} pods did not become Ready within 600 s")
        if not cluster.kube_proxy.wait_current(timeout=60):
            fail("kube-proxy did not sync within 60 s")
        time.sleep(1)
        print("ready", flush=True)
        sys.stdin.readline()  # measured (or the measuring script is gone)
    finally:
        cluster.stop()


def kind(cmdline: list) -> str:
    """What a process of the sandbox is, in a few words (for the breakdown)."""
    text = " ".join(cmdline)
    if not cmdline:
        return "other"
    if "k8slab.dns.server" in text:
        return "DNS server"
    if "memory.py --single" in text:
        return "k8slab (Python: outer, init, cluster)"
    if "mininet:p-" in text:
        return "pod shells (Mininet hosts)"
    if "mininet:" in text:
        return "node shells (Mininet hosts)"
    program = cmdline[0].rsplit("/", 1)[-1]
    if program == "sleep":
        return "pod processes (sleep)"
    script = next((a for a in cmdline[1:] if "/servers/" in a), None)
    if script:
        return f"built-in server {script.rsplit('/', 1)[-1]}"
    return program


def kernel_bytes() -> int:
    """The machine's kernel memory that processes and namespaces hold: unreclaimable slab (network
    namespaces, devices, conntrack...), page tables and kernel stacks."""
    fields = {}
    with open("/proc/meminfo") as f:
        for line in f:
            name, value = line.split(":", 1)
            fields[name] = int(value.split()[0]) * 1024
    return sum(fields.get(k, 0) for k in ("SUnreclaim", "PageTables", "KernelStack"))


def one_run(n: int) -> dict:
    """Start a sandbox with n pods, measure all its processes, end it."""
    errors = tempfile.TemporaryFile("w+")
    kernel_before = kernel_bytes()
    child = subprocess.Popen([sys.executable, __file__, "--single", str(n)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=errors, text=True)
    watchdog = threading.Timer(900, child.kill)  # a run that hangs ends, with its whole sandbox
    watchdog.start()
    try:
        for line in child.stdout:
            if line.strip() == "ready":
                break
        else:
            child.wait()
            errors.seek(0)
            fail(f"a run with {n} pods failed:\n{errors.read()[-3000:]}")
        kernel = kernel_bytes() - kernel_before
        total, by_kind = 0, {}
        pids = tree_pids(child.pid)
        for pid in pids:
            try:
                size = pss(pid)
                with open(f"/proc/{pid}/cmdline") as f:
                    cmdline = f.read().split("\0")[:-1]
            except OSError:
                continue  # gone meanwhile
            total += size
            k = by_kind.setdefault(kind(cmdline), [0, 0])
            k[0] += size
            k[1] += 1
        child.stdin.write("done\n")
        child.stdin.close()
        child.wait(timeout=120)
        return {"total": total, "processes": sum(c for _, c in by_kind.values()), "by_kind": by_kind,
                "kernel": kernel}
    finally:
        watchdog.cancel()
        if child.poll() is None:
            child.kill()
            child.wait()
        errors.close()


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--single":  # one run, in its own fresh sandbox
        n = int(sys.argv[2])
        in_sandbox(lambda: hold(n))
    args = arguments(__doc__.splitlines()[0], runs=2)
    figures = Figures("memory")
    print(f"machine: {machine()}")
    per_size = {}
    for n in (0, 10) if args.quick else SIZES:
        runs = [one_run(n) for _ in range(args.runs)]
        procs = int(statistics.median(r["processes"] for r in runs))
        total = statistics.median(r["total"] for r in runs) / MiB
        per_size[n] = total
        figures.add(f"sandbox total PSS, 3 nodes and {n} pods ({procs} processes)",
                    [r["total"] / MiB for r in runs], "MiB")
        last = runs[-1]["by_kind"]
        print("  where it goes (last run): " + ", ".join(
            f"{name} {size / MiB:.1f} MiB/{count}" for name, (size, count) in
            sorted(last.items(), key=lambda kv: -kv[1][0])), flush=True)
        kernel = statistics.median(r["kernel"] for r in runs) / MiB
        print(f"  not in PSS: kernel memory, {kernel:.0f} MiB more than before the sandbox (unreclaimable slab, page "
              f"tables, kernel stacks; the whole machine's, so other processes move it too)", flush=True)
        if n and 0 in per_size:
            print(f"  per pod over 0 pods: {(total - per_size[0]) / n:.2f} MiB (PSS), "
                  f"{(kernel - per_size[0, 'kernel']) / n:.2f} MiB (kernel)", flush=True)
        per_size[n, "kernel"] = kernel
    figures.write(args.json)


if __name__ == "__main__":
    main()
