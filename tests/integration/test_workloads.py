"""Workload controllers in a real cluster: Deployments, StatefulSets with DNS, DaemonSets."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_k8slab

pytestmark = pytest.mark.integration

SEED_STATEFUL = """apiVersion: v1
kind: Service
metadata:
  name: headless-service
spec:
  clusterIP: None
  selector:
    app: stateful-app
  ports:
    - port: 80
      name: http
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: stateful-app
spec:
  serviceName: "headless-service"
  replicas: 3
  selector:
    matchLabels:
      app: stateful-app
  template:
    metadata:
      labels:
        app: stateful-app
    spec:
      containers:
        - name: app-container
          image: nginx
          ports:
            - containerPort: 80
"""

DAEMON_SET = """apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: busybox
        command: ["sleep", "3600"]
      terminationGracePeriodSeconds: 2
"""

ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def _running(stdout: str, pattern: str) -> list:
    return [line.split()[0] for line in stdout.splitlines()
            if re.match(pattern, line) and " Running " in line]


def test_deployment_scale_and_rolling_update(mode):
    script = ("kubectl create deployment web --image=nginx --replicas=3 --port=80\n"
              "kubectl rollout status deployment/web --timeout=60s\n"
              "kubectl get pods -l app=web\n"
              "kubectl scale deployment web --replicas=1\n"
              "kubectl set image deployment/web nginx=nginx:1.27\n"
              "kubectl rollout status deployment/web --timeout=60s\n"
              "kubectl get rs\n"
              "kubectl rollout history deployment/web\n"
              "kubectl expose deployment web --port=80\n"
              "kubectl wait --for=create endpoints/web --timeout=10s\n"  # the controller makes it a moment later
              "kubectl wait --for=jsonpath={.subsets[0].ports[0].port}=80 endpoints/web --timeout=10s\n"
              "kubectl get endpoints web\n")
    p = run_k8slab(script, mode)
    assert p.returncode == 0, p.stdout + p.stderr
    out = p.stdout
    assert "deployment.apps/web created" in out
    first, rest = out.split("deployment.apps/web scaled", 1)
    pods = _running(first, rf"web-[{ALPHABET}]{{1,10}}-[{ALPHABET}]{{5}}\s")
    assert len(pods) == 3, first
    assert len({p.rsplit("-", 1)[0] for p in pods}) == 1
    assert 'deployment "web" successfully rolled out' in first
    assert "deployment.apps/web image updated" in rest
    assert rest.count('deployment "web" successfully rolled out') == 1
    rs_lines = [line.split() for line in rest.splitlines() if re.match(r"web-\w+\s+\d", line)]
    assert sorted((r[1], r[2]) for r in rs_lines) == [("0", "0"), ("1", "1")], rest
    assert re.search(r"REVISION  CHANGE-CAUSE\n1 +<none>\n2 +<none>", rest)
    assert "service/web exposed" in rest
    assert re.search(r"^web\s+10\.244\.\d+\.\d+:80\s", rest, re.M), rest


def test_seed_stateful_set_gives_ordinal_pods_with_dns_names(mode):
    script = (f"kubectl apply -f - <<EOF\n{SEED_STATEFUL}EOF\n"
              "kubectl rollout status statefulset/stateful-app --timeout=60s\n"
              "kubectl get pods -o wide\n"
              "kubectl exec stateful-app-2 -- hostname\n"
              "kubectl exec stateful-app-1 -- nslookup stateful-app-0.headless-service.default.svc.cluster.local\n")
    p = run_k8slab(script, mode)
    assert p.returncode == 0, p.stdout + p.stderr
    pods = {line.split()[0]: line.split()[5] for line in p.stdout.splitlines()
            if line.startswith("stateful-app-") and " Running " in line}
    assert sorted(pods) == ["stateful-app-0", "stateful-app-1", "stateful-app-2"], p.stdout
    assert re.search(r"^stateful-app-2$", p.stdout, re.M)
    answer = p.stdout.split("stateful-app-0.headless-service.default.svc.cluster.local", 1)[1]
    assert re.search(rf"Address:\s*{re.escape(pods['stateful-app-0'])}\b", answer), p.stdout


def test_daemon_set_runs_one_pod_per_node_and_deletion_cascades(mode):
    script = (f"kubectl apply -f - <<EOF\n{DAEMON_SET}EOF\n"
              "kubectl rollout status daemonset/agent --timeout=60s\n"
              "kubectl get pods -o wide\n"
              "kubectl get nodes\n"
              "kubectl delete ds agent\n"
              "kubectl wait --for=delete pod -l app=agent --timeout=30s\n"
              "kubectl get pods -l app=agent\n")
    p = run_k8slab(script, mode)
    assert 'daemon set "agent" successfully rolled out' in p.stdout, p.stdout + p.stderr
    nodes = [line.split()[0] for line in p.stdout.splitlines() if re.match(r"node\d+\s+Ready", line)]
    agents = [line.split() for line in p.stdout.splitlines() if line.startswith("agent-") and " Running " in line]
    assert sorted(a[6] for a in agents) == sorted(nodes) and nodes, p.stdout
    assert "No resources found in default namespace." in p.stderr


def test_node_failure_recreates_deployment_pods_elsewhere_and_the_service_keeps_answering():
    import re

    script = ("kubectl create deployment web --image=nginx --replicas=3 --port=80\n"
              "kubectl expose deployment web --port=80 --cluster-ip=10.96.100.98\n"
              "kubectl rollout status deployment/web\n"
              "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: client\nspec:\n"
              "  nodeName: node1\n  containers:\n  - name: c\n    image: busybox\n    command: [sleep, '600']\nEOF\n"
              "kubectl wait --for=condition=Ready pod/client\n"
              "kubectl get pods -o wide\n"
              "node stop node2\n"
              "node1 sleep 4\n"
              "kubectl get nodes\nkubectl get pods -o wide\nkubectl get endpoints web\n"
              "kubectl exec client -- sh -c 'ok=0; for i in $(seq 20); do curl -s -o /dev/null --max-time 1 "
              "http://10.96.100.98/ && ok=$((ok+1)); done; echo answered $ok of 20'\n"
              "node start node2\n"
              "node1 sleep 2\n"
              "kubectl get nodes\nkubectl get pods\n"
              "node2 ip route\n")
    p = run_k8slab(script, env={"K8SLAB_NODE_GRACE": "1", "K8SLAB_EVICTION_DELAY": "1"})
    assert p.returncode == 0, p.stdout + p.stderr
    out = p.stdout
    assert re.search(r"^node2\s+NotReady\s", out, re.M), out
    assert re.search(r"^web-\w+-\w{5}\s+[01]/1\s+Terminating\s+\d+\s+\S+\s+10\.244\.2\.\d+\s+node2", out, re.M), out
    endpoints = re.search(r"^web\s+(\S+)\s", out.split("node stop node2")[-1] if "node stop" in out else out, re.M)
    assert "answered 20 of 20" in out
    assert out.count("Running") >= 4  # the replacement is running elsewhere
    after = out.rsplit("node2 is back", 1)[1]
    assert re.search(r"^node2\s+Ready\s", after, re.M)
    assert "Terminating" not in after  # the returning kubelet confirmed the deletion
    # Its routes came back with its link: the other nodes' pod networks and the way out.
    assert "10.244.1.0/24 via 172.18.0.2 dev node2-eth0" in after and "default via 172.18.0.254" in after
    assert endpoints is not None


def test_deployment_behind_a_service_keeps_answering_through_pod_deletion_and_a_rollout():
    import re

    loop = ("kubectl exec client -- sh -c 'ok=0; for i in $(seq 30); do curl -s -o /dev/null --max-time 1 "
            "http://10.96.100.97/ && ok=$((ok+1)); done; echo answered $ok of 30'\n")
    script = ("kubectl create deployment web --image=nginx --replicas=3 --port=80\n"
              "kubectl expose deployment web --port=80 --cluster-ip=10.96.100.97\n"
              "kubectl run client --image=busybox -- sleep 600\n"
              "kubectl rollout status deployment/web\nkubectl wait --for=condition=Ready pod/client\n"
              "kubectl get pods -l app=web -o wide\n"
              "kubectl delete pods -l app=web --grace-period=1\n"
              "kubectl rollout status deployment/web\n" + loop +
              "kubectl set image deployment/web nginx=nginx:1.27\n"
              "kubectl rollout status deployment/web\n" + loop +
              "kubectl get pods -l app=web -o wide\nkubectl rollout history deployment/web\n")
    p = run_k8slab(script)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.count("answered 30 of 30") == 2
    tables = re.findall(r"^(web-\w+-\w{5})\s+1/1\s+Running\s+\d+\s+\S+\s+(10\.244\.\d+\.\d+)", p.stdout, re.M)
    first, last = dict(tables[:3]), dict(tables[-3:])
    assert not set(first) & set(last) and not set(first.values()) & set(last.values())  # new pods, new IPs
    assert re.search(r"^REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>", p.stdout, re.M)
