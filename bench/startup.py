#!/usr/bin/env python3
"""Time to Kubernetes: the phases of minikube's time-to-k8s benchmark, beside bare Mininet.

How it is measured. Each run spawns a fresh Python process (the "command") and takes the clock from
the moment it was spawned; the process enters a fresh sandbox and does what `k8slab` does:

- API answering: the API (k8slab's store, in the same process) answers a list;
- kubernetes Service: `default/kubernetes` is in the API;
- DNS Service: `kube-system/kube-dns` is in the API;
- cluster ready: `Cluster.start()` returned and cluster DNS answers through its Service in every
  node's rules (`Cluster.wait_ready`, what the shell waits for before its first prompt);
- app running: then, as time-to-k8s does, a Deployment `netcat` (agnhost netexec on 8080) and its
  Service are applied; the phase ends when `nc -z localhost 8080` succeeds inside its pod;
- DNS answering: `nslookup netcat.default` succeeds inside that pod.

The baseline, in the same run, is bare Mininet: a fresh process enters a fresh sandbox, starts the
same five hosts (3 nodes, ext, world) on a Linux bridge with Mininet's stock classes, and the clock
stops when every host's shell answers. A third figure is the real shell: `k8slab` spawned in a
pseudo-terminal (pexpect) until its `k8slab>` prompt is drawn. The published totals of kind,
minikube and k3d (time-to-k8s v1.36.0, from the minikube site) are quoted beside the figures; they
were measured on other machines.

    python3 bench/startup.py [--runs 5] [--quick] [--json FILE]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from common import REPO
from kit import Figures, arguments, machine

PHASES = ("API answering", "kubernetes Service", "DNS Service", "cluster ready", "app running", "DNS answering")
# time-to-k8s v1.36.0 as published on the minikube site (other machines): cluster create, and total.
PUBLISHED_CREATE = "kind 14.2 s, minikube 21.1 s, k3d 12.6 s"
PUBLISHED_TOTAL = "kind 33.0 s, minikube 50.8 s, k3d 19.9 s"

NETCAT = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "netcat"},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "netcat"}},
             "template": {"metadata": {"labels": {"app": "netcat"}},
                          "spec": {"containers": [{"name": "netcat",
                                                   "image": "registry.k8s.io/e2e-test-images/agnhost:2.39",
                                                   "args": ["netexec", "--http-port=8080"],
                                                   "ports": [{"containerPort": 8080}]}]}}}}
NETCAT_SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "netcat"},
                  "spec": {"selector": {"app": "netcat"}, "ports": [{"port": 8080}]}}


def ours(spawned: float) -> dict:
    """The phases of one start of the cluster, in seconds since the command was spawned."""
    from k8slab.api.codec import from_dict
    from k8slab.api.apps import Deployment
    from k8slab.api.service import Service
    from k8slab.cluster import Cluster
    from k8slab.net.addresses import ClusterSpec
    from k8slab.runtime import processes

    at = {}
    cluster = Cluster(ClusterSpec(3))
    store = cluster.store
    store.list("Node")
    at["API answering"] = time.monotonic()
    stop = threading.Event()

    def watch_services() -> None:  # the API's answers while the cluster starts, as a poller sees them
        want = {"kubernetes Service": ("kubernetes", "default"), "DNS Service": ("kube-dns", "kube-system")}
        while want and not stop.is_set():
            for phase, (name, ns) in list(want.items()):
                if store.try_get("Service", name, ns) is not None:
                    at[phase] = time.monotonic()
                    del want[phase]
            time.sleep(0.001)

    watcher = threading.Thread(target=watch_services, daemon=True)
    watcher.start()
    cluster.start()
    try:
        if not cluster.wait_ready(timeout=30):
            raise SystemExit("cluster DNS did not answer within 30 s")
        at["cluster ready"] = time.monotonic()
        stop.set()
        watcher.join()
        store.create(from_dict(Deployment, NETCAT), namespace="default")
        store.create(from_dict(Service, NETCAT_SERVICE), namespace="default")
        target = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pods = [p for p in store.list("Pod", "default") if p.metadata.labels.get("app") == "netcat"]
            if pods and pods[0].spec.node_name and target is None:
                kubelet = cluster.kubelets[pods[0].spec.node_name]
                target = kubelet.exec_target(("default", pods[0].metadata.name))
            if target is not None and "app running" not in at:
                if processes.run_in(target, ["nc", "-z", "-w", "1", "localhost", "8080"], timeout=5).returncode == 0:
                    at["app running"] = time.monotonic()
            if "app running" in at:
                done = processes.run_in(target, ["nslookup", "-timeout=1", "-retry=0", "netcat.default"], timeout=5)
                if done.returncode == 0:
                    at["DNS answering"] = time.monotonic()
                    break
            time.sleep(0.005)
        else:
            raise SystemExit(f"the netcat app did not answer within 60 s (phases reached: {sorted(at)})")
    finally:
        stop.set()
        cluster.stop()
    return {phase: at[phase] - spawned for phase in PHASES}


def bare(spawned: float) -> dict:
    """Bare Mininet starting the same five hosts on a Linux bridge, until every host's shell answers."""
    from mininet.log import setLogLevel
    from mininet.net import Mininet
    from mininet.nodelib import LinuxBridge

    setLogLevel("critical")
    net = Mininet(switch=LinuxBridge, controller=None, autoSetMacs=False, waitConnected=False, build=False)
    switch = net.addSwitch("s1")
    for i, name in enumerate(("node1", "node2", "node3", "ext", "world")):
        net.addLink(net.addHost(name, ip=f"172.18.0.{i + 2}/16"), switch)
    net.build()
    net.start()
    try:
        for host in net.hosts:
            host.cmd("true")
        return {"hosts answering": time.monotonic() - spawned}
    finally:
        net.stop()


def prompt(spawned: float) -> float:
    """The real shell: `k8slab` in a pseudo-terminal until its prompt is drawn, in seconds."""
    import pexpect

    env = {**os.environ, "PYTHONPATH": REPO, "TERM": "dumb", "PROMPT_TOOLKIT_NO_CPR": "1",
           "XDG_STATE_HOME": tempfile.mkdtemp(prefix="k8slab-bench-"), "XDG_CONFIG_HOME": tempfile.mkdtemp()}
    child = pexpect.spawn(sys.executable, ["-m", "k8slab"], env=env, encoding="utf-8", timeout=60,
                          dimensions=(40, 160), cwd=REPO)
    child.expect_exact("k8slab>")
    took = time.monotonic() - spawned
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    return took


def single(which: str, spawned: float) -> None:
    """One run in this fresh process: its figures as JSON on the last line of stdout."""
    from k8slab.sandbox import run_in_sandbox

    measure = ours if which == "ours" else bare

    def inside(_info) -> int:
        print(json.dumps(measure(spawned)), flush=True)
        return 0

    sys.exit(run_in_sandbox(inside))


def spawn(which: str) -> dict:
    """Spawn a fresh process for one run and read its figures."""
    spawned = time.monotonic()  # CLOCK_MONOTONIC is one clock for every process of the machine
    done = subprocess.run([sys.executable, __file__, "--single", which, repr(spawned)], capture_output=True,
                          text=True, timeout=180, env={**os.environ, "PYTHONPATH": REPO})
    if done.returncode:
        raise SystemExit(f"a {which} run failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--single":
        single(sys.argv[2], float(sys.argv[3]))
    args = arguments(__doc__.splitlines()[0], runs=5)
    figures = Figures("time-to-k8s")
    print(f"machine: {machine()}")
    runs, bases, prompts = [], [], []
    for _ in range(args.runs):
        bases.append(spawn("bare")["hosts answering"])
        runs.append(spawn("ours"))
        prompts.append(prompt(time.monotonic()))
    base_name = "bare Mininet, same 5 hosts"
    for phase in PHASES:
        samples = [r[phase] for r in runs]
        if phase == "cluster ready":
            figures.add(f"command -> {phase}", samples, "s", baseline=bases, baseline_name=base_name,
                        target=f"<= 1.5 s (published cluster create: {PUBLISHED_CREATE})")
        elif phase == "DNS answering":
            figures.add(f"command -> {phase} (total)", samples, "s", target=f"published totals: {PUBLISHED_TOTAL}")
        else:
            figures.add(f"command -> {phase}", samples, "s")
    figures.add("k8slab -> k8slab> prompt (real shell, pexpect)", prompts, "s", baseline=bases,
                baseline_name=base_name, target="<= 1.5 s")
    figures.write(args.json)


if __name__ == "__main__":
    main()
