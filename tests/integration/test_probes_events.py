"""Probes run for real by the node, and the events the kubelet and the scheduler record."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_k8slab

pytestmark = pytest.mark.integration

MANIFESTS = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: web
    image: registry.k8s.io/e2e-test-images/agnhost:2.39
    args: ["netexec", "--http-port=8080"]
    ports:
    - containerPort: 8080
      name: http
    readinessProbe:
      httpGet:
        path: /healthz
        port: 8081
      periodSeconds: 1
      failureThreshold: 1
---
apiVersion: v1
kind: Pod
metadata:
  name: gate
  labels:
    app: gate
spec:
  containers:
  - name: gate
    image: busybox
    command: ["sleep", "3600"]
    readinessProbe:
      exec:
        command: ["cat", "/tmp/k8slab-probe-test-ready"]
      periodSeconds: 1
      failureThreshold: 1
---
apiVersion: v1
kind: Pod
metadata:
  name: good
  labels:
    app: gate
spec:
  containers:
  - name: good
    image: nginx
    ports:
    - containerPort: 80
      name: web
    readinessProbe:
      httpGet:
        path: /
        port: web
      periodSeconds: 1
---
apiVersion: v1
kind: Pod
metadata:
  name: sick
spec:
  containers:
  - name: sick
    image: nginx
    livenessProbe:
      httpGet:
        path: /no-such-page
        port: 80
      periodSeconds: 1
      failureThreshold: 2
      terminationGracePeriodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: gate
spec:
  selector:
    app: gate
  ports:
  - port: 80
"""


def test_readiness_liveness_and_events():
    script = (f"kubectl apply -f - <<EOF\n{MANIFESTS}EOF\n"
              "node1 rm -f /tmp/k8slab-probe-test-ready\n"
              "kubectl wait --for=condition=Ready pod/good --timeout=20s\n"
              "kubectl wait --for=jsonpath={.status.phase}=Running pod/web pod/gate --timeout=20s\n"
              "node1 sleep 3\n"
              "node1 echo ==before\n"
              "kubectl get pods web gate good\n"
              "kubectl get endpoints web gate\n"
              "kubectl describe pod web\n"
              "kubectl exec gate -- touch /tmp/k8slab-probe-test-ready\n"
              "kubectl wait --for=condition=Ready pod/gate --timeout=20s\n"
              "kubectl wait --for=jsonpath={.status.containerStatuses[0].restartCount}=1 pod/sick --timeout=30s\n"
              "node1 echo ==after\n"
              "kubectl get pods gate sick\n"
              "kubectl get endpoints gate\n"
              "kubectl describe pod sick\n"
              "kubectl get events\n"
              "node1 rm -f /tmp/k8slab-probe-test-ready\n")
    p = run_k8slab(script, timeout=180)
    assert p.returncode == 0, p.stdout + p.stderr
    before, after = p.stdout.split("==before", 1)[1].split("==after", 1)
    assert re.search(r"^web\s+0/1\s+Running\s+0\s", before, re.M), before
    assert re.search(r"^gate\s+0/1\s+Running\s+0\s", before, re.M), before
    assert re.search(r"^good\s+1/1\s+Running\s+0\s", before, re.M), before
    # Only a not-ready address: kubectl prints an empty ENDPOINTS cell (`<none>` needs no subsets at all).
    assert re.search(r"^web\s+(<none>\s+)?\d+s$", before, re.M), before
    good_ip = re.search(r"^gate\s+(10\.244\.\d+\.\d+):80\s+\d+s$", before, re.M)
    assert good_ip, before  # only the ready pod `good` backs `gate`
    web_events = before.split("Events:", 1)[1]
    for reason in ("Scheduled", "Pulled", "Created", "Started"):
        assert re.search(rf"Normal\s+{reason}\s", web_events), web_events
    assert re.search(r'Warning\s+Unhealthy\s.*Readiness probe failed: Get "http://10\.244\.\d+\.\d+:8081/healthz": '
                     r"dial tcp 10\.244\.\d+\.\d+:8081: connect: connection refused", web_events), web_events

    assert re.search(r"^gate\s+1/1\s+Running\s+0\s", after, re.M), after
    assert re.search(r"^sick\s+\d/1\s+\S+\s+[1-9]", after, re.M), after
    endpoints = re.search(r"^gate\s+(10\.\S+)\s+\d+s$", after, re.M).group(1)
    assert len(endpoints.split(",")) == 2, after
    sick = after.split("Events:", 1)[1]
    assert "Liveness probe failed: HTTP probe failed with statuscode: 404" in sick, sick
    assert "Container sick failed liveness probe, will be restarted" in sick, sick
    assert re.search(r"^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$", after, re.M), after
    assert re.search(r"^\S+\s+Normal\s+Scheduled\s+pod/web\s+Successfully assigned default/web to node\d$",
                     after, re.M), after
    assert re.search(r"^\S+\s+Warning\s+Unhealthy\s+pod/sick\s+Liveness probe failed", after, re.M), after
    # a built-in server is probed once it listens: no spurious "connection refused" at start-up
    assert not re.search(r"Unhealthy\s+pod/good", after), after
