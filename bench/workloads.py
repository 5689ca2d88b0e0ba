#!/usr/bin/env python3
"""Workloads: a 100-replica Deployment to Ready and back to 0; requests lost during a rolling update.

How it is measured (in a fresh sandbox, with the real cluster):
1. A Deployment of REPLICAS busybox pods (`sleep`) is created; the clock stops when its status reports
   every replica ready. It is then scaled to 0 (grace period 1 s: `sleep` ignores SIGTERM as PID 1
   would); the clock stops when no pod is left.
2. Soak: a 3-replica agnhost netexec Deployment with a readiness probe and a 2 s preStop sleep sits
   behind a ClusterIP. A client pod sends REQUESTS sequential HTTP requests (curl, 2 s timeout each)
   while the Deployment rolls out a new template; failed requests are counted.

    .venv/bin/python bench/workloads.py [--replicas 100] [--requests 600]
"""

from __future__ import annotations

import argparse
import subprocess
import time

from common import in_sandbox, wait_for  # noqa: E402 - bench/ is the script directory




def deployment(name, replicas, container, labels=None, grace=None):
    spec = {"containers": [container]}
    if grace is not None:
        spec["terminationGracePeriodSeconds"] = grace
    labels = labels or {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": spec}}}


def run(replicas: int, requests: int) -> None:
    from dataclasses import replace

    from k8slab.api.apps import Deployment
    from k8slab.api.codec import from_dict
    from k8slab.api.pod import Pod
    from k8slab.api.service import Service
    from k8slab.cluster import Cluster
    from k8slab.net.addresses import ClusterSpec
    from k8slab.runtime import processes

    cluster = Cluster(ClusterSpec(3))
    cluster.start()
    store = cluster.store
    t0 = time.monotonic()
    store.create(from_dict(Deployment, deployment("big", replicas, {"name": "c", "image": "busybox",
                                                                    "command": ["sleep", "3600"]}, grace=1)))
    ok = wait_for(lambda: (store.get("Deployment", "big", "default").status.ready_replicas or 0) == replicas)
    up = time.monotonic() - t0
    d = store.get("Deployment", "big", "default")
    t0 = time.monotonic()
    store.update(replace(d, spec=replace(d.spec, replicas=0)))
    gone = wait_for(lambda: not [p for p in store.list("Pod", "default") if p.metadata.labels.get("app") == "big"])
    down = time.monotonic() - t0
    print(f"Deployment of {replicas} busybox pods -> all ready: {up:.2f} s{'' if ok else ' (timed out)'}; "
          f"scaled to 0 -> no pod left: {down:.2f} s{'' if gone else ' (timed out)'}")

    probe = {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 1}
    web = deployment("web", 3, {"name": "web", "image": "registry.k8s.io/e2e-test-images/agnhost:2.39",
                                "args": ["netexec", "--http-port=8080"], "ports": [{"containerPort": 8080}],
                                "readinessProbe": probe,
                                "lifecycle": {"preStop": {"sleep": {"seconds": 2}}}})
    store.create(from_dict(Deployment, web))
    store.create(from_dict(Service, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                                     "spec": {"clusterIP": "10.96.150.1", "selector": {"app": "web"},
                                              "ports": [{"port": 80, "targetPort": 8080}]}}))
    store.create(from_dict(Pod, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client"},
                                 "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]}}))
    wait_for(lambda: (store.get("Deployment", "web", "default").status.ready_replicas or 0) == 3
             and store.get("Pod", "client", "default").status.phase == "Running")
    client_pod = store.get("Pod", "client", "default")
    client = cluster.kubelets[client_pod.spec.node_name].exec_target(("default", "client"))
    loop = (f"ok=0; bad=0; for i in $(seq {requests}); do if curl -s -o /dev/null --max-time 2 http://10.96.150.1/hostname; "
            "then ok=$((ok+1)); else bad=$((bad+1)); fi; done; echo $ok $bad")
    soak = subprocess.Popen(processes.nsenter_argv(client) + ["sh", "-c", loop], stdout=subprocess.PIPE, text=True)
    time.sleep(1.0)
    d = store.get("Deployment", "web", "default")
    template = d.spec.template
    ann = {**template.metadata.annotations, "kubectl.kubernetes.io/restartedAt": "bench"}
    t0 = time.monotonic()
    old_pods = {p.metadata.name for p in store.list("Pod", "default") if p.metadata.labels.get("app") == "web"}
    updated = store.update(replace(d, spec=replace(d.spec, template=replace(
        template, metadata=replace(template.metadata, annotations=ann)))))

    def rolled_out() -> bool:
        s = store.get("Deployment", "web", "default").status
        pods = {p.metadata.name for p in store.list("Pod", "default") if p.metadata.labels.get("app") == "web"}
        return ((s.observed_generation or 0) >= (updated.metadata.generation or 0) and s.updated_replicas == 3
                and s.ready_replicas == 3 and s.replicas == 3 and not pods & old_pods)

    rolled = wait_for(rolled_out)
    rollout = time.monotonic() - t0
    out, _ = soak.communicate(timeout=requests * 3)
    good, bad = (int(x) for x in out.split())
    print(f"rolling update of 3 replicas (readiness probe, 2 s preStop): {rollout:.1f} s"
          f"{'' if rolled else ' (did not finish)'}; {good + bad} sequential requests during it: {bad} failed")
    cluster.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicas", type=int, default=100)
    ap.add_argument("--requests", type=int, default=600)
    args = ap.parse_args()
    in_sandbox(lambda: run(args.replicas, args.requests))


if __name__ == "__main__":
    main()
