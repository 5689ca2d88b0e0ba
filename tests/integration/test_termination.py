"""Graceful termination: preStop hooks run before SIGTERM and count against the grace period."""

from __future__ import annotations

import re
import time

import pytest

from tests.conftest import run_k8slab

pytestmark = pytest.mark.integration

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: web
    image: nginx
    lifecycle:
      preStop:
        exec:
          command: ["sh", "-c", "echo prestop-ran >> /run/k8slab/prestop.log; sleep 1"]
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
"""


def test_pre_stop_runs_first_and_the_pod_leaves_endpoints_while_terminating():
    script = (f"kubectl apply -f - <<EOF\n{POD}EOF\nkubectl wait --for=condition=Ready pod/web\n"
              "kubectl get endpointslices -l kubernetes.io/service-name=web\n"
              "kubectl delete pod web --wait=false\n"
              "node1 sleep 0.3\n"
              "kubectl get pods\n"
              "kubectl get endpoints web\n"
              "kubectl wait --for=delete pod/web --timeout=20s\n"
              "node1 cat /run/k8slab/prestop.log\n"
              "kubectl get events\n")
    t0 = time.monotonic()
    p = run_k8slab(script)
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"^web\s+[01]/1\s+Terminating\s", p.stdout, re.M), p.stdout  # kubectl shows 1/1 while it stops
    assert re.search(r"^web\s+<none>\s", p.stdout, re.M) or re.search(r"^web\s{3,}\S+$", p.stdout, re.M)
    assert "prestop-ran" in p.stdout
    assert "Stopping container web" in p.stdout
    assert time.monotonic() - t0 > 1.0  # the hook's sleep held the deletion
