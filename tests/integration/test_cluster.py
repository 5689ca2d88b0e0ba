"""A real cluster in a sandbox: real pods, real processes, real packets."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_k8slab

pytestmark = pytest.mark.integration

SEED_NGINX = """apiVersion: v1
kind: Pod
metadata:
  name: nginx
  labels:
    app.kubernetes.io/name: proxy
spec:
  containers:
  - name: nginx
    image: nginx:stable
    ports:
      - containerPort: 80
        name: http-web-svc
"""

SEED_BUSYBOX = """apiVersion: v1
kind: Pod
metadata:
  name: busybox1
  labels:
    name: busybox
spec:
  hostname: busybox-1
  subdomain: default-subdomain
  containers:
    - image: busybox:1.28
      command:
        - sleep
        - "3600"
      name: busybox
---
apiVersion: v1
kind: Pod
metadata:
  name: busybox2
  labels:
    name: busybox
spec:
  hostname: busybox-2
  subdomain: default-subdomain
  containers:
    - image: busybox:1.28
      command:
        - sleep
        - "3600"
      name: busybox
"""


def test_run_wait_exec_curl_serves_nginx_page_naming_the_pod(mode):
    p = run_k8slab("kubectl run web --image=nginx; kubectl wait --for=condition=Ready pod/web; "
                   "kubectl exec web -- curl -s localhost", mode)
    assert p.returncode == 0, p.stderr
    assert "pod/web created" in p.stdout
    assert "pod/web condition met" in p.stdout
    assert "Welcome to nginx!" in p.stdout
    assert re.search(r"\bweb\b", p.stdout.split("condition met", 1)[1])


def test_seed_pods_apply_unchanged_and_run(mode):
    script = (f"kubectl apply -f - <<EOF\n{SEED_NGINX}---\n{SEED_BUSYBOX}EOF\n"
              "kubectl wait --for=condition=Ready pod --all --timeout=20s\n"
              "kubectl get pods\n"
              "kubectl exec busybox1 -- hostname\n"
              "kubectl exec busybox1 -- cat /etc/hosts\n"
              "kubectl exec busybox1 -- cat /etc/resolv.conf\n"
              "kubectl exec nginx -- wget -qO- http://localhost:80/\n")
    p = run_k8slab(script, mode)
    assert p.returncode == 0, p.stdout + p.stderr
    out = p.stdout
    for name in ("nginx", "busybox1", "busybox2"):
        assert f"pod/{name} created" in out
        assert re.search(rf"^{name}\s+1/1\s+Running\s+0\s+", out, re.M), out
    assert "\nbusybox-1\n" in out
    assert re.search(r"^10\.244\.\d+\.\d+\tbusybox-1\.default-subdomain\.default\.svc\.cluster\.local\tbusybox-1$", out, re.M)
    assert "search default.svc.cluster.local svc.cluster.local cluster.local" in out
    assert "options ndots:5" in out
    assert "Welcome to nginx!" in out


def _pinned_pod(name: str, node: str, image: str, args: str = "") -> str:
    return (f"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  nodeName: {node}\n"
            f"  containers:\n  - name: c\n    image: {image}\n" + (f"    args: {args}\n" if args else ""))


def test_pods_on_different_nodes_reach_each_other_and_ext_does_not(mode):
    pods = (_pinned_pod("client", "node1", "busybox", '["sleep", "600"]') +
            _pinned_pod("server", "node3", "hashicorp/http-echo", '["-text=hello from node3"]'))
    script = (f"kubectl apply -f - <<EOF\n{pods}EOF\n"
              "kubectl wait --for=condition=Ready pod/client pod/server --timeout=20s\n"
              "kubectl get pods -o wide\n"
              "kubectl exec client -- sh -c 'curl -s --max-time 3 http://$(getent hosts server >/dev/null; "
              "echo $SERVER_IP):5678/'\n")
    p = run_k8slab(script.replace("$(getent hosts server >/dev/null; echo $SERVER_IP)", "10.244.3.2") +
                   "ext curl -sS --max-time 2 http://10.244.3.2:5678/ || echo ext-cannot-reach\n", mode)
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"^server\s+1/1\s+Running\s+0\s+\S+\s+10\.244\.3\.2\s+node3\s", p.stdout, re.M), p.stdout
    assert re.search(r"^client\s+1/1\s+Running\s+0\s+\S+\s+10\.244\.1\.\d+\s+node1\s", p.stdout, re.M), p.stdout
    assert "hello from node3" in p.stdout
    assert "ext-cannot-reach" in p.stdout


def test_bad_input_is_one_clear_error_and_changes_nothing():
    bad_yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n spec: [\n"
    p = run_k8slab(f"kubectl apply -f - <<EOF\n{bad_yaml}EOF\nkubectl get pods", args=("--keep-going",))
    assert p.returncode == 1
    assert "error: error parsing STDIN: error converting YAML to JSON: yaml: line" in p.stderr
    assert "column" in p.stderr
    assert "Traceback" not in p.stderr + p.stdout
    assert "No resources found in default namespace." in p.stderr

    missing_image = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: c\n"
    p = run_k8slab(f"kubectl apply -f - <<EOF\n{missing_image}EOF\n")
    assert p.returncode == 1
    assert 'The Pod "x" is invalid: spec.containers[0].image: Required value' in p.stderr

    p = run_k8slab("kubectl get pods nope; kubectl get pods")
    assert p.returncode == 1 and 'Error from server (NotFound): pods "nope" not found' in p.stderr
    p = run_k8slab("frobnicate; kubectl get pods", args=("--keep-going",))
    assert p.returncode == 1 and 'unknown command "frobnicate"' in p.stderr
    assert "No resources found" in p.stderr


def test_restart_policies_logs_and_deletion_frees_the_ip():
    script = ("kubectl run once --image=busybox --restart=Never -- sh -c 'echo hello from once; exit 3'\n"
              "kubectl run ok --image=busybox --restart=OnFailure -- sh -c 'echo fine'\n"
              "kubectl run crash --image=busybox -- sh -c 'echo crashing; exit 1'\n"
              "kubectl run keep --image=busybox -- sleep 3600\n"
              "kubectl wait --for=jsonpath={.status.phase}=Failed pod/once --timeout=20s\n"
              "kubectl wait --for=jsonpath={.status.phase}=Succeeded pod/ok --timeout=20s\n"
              "kubectl wait --for=jsonpath={.status.containerStatuses[0].restartCount}=1 pod/crash --timeout=20s\n"
              "kubectl wait --for=condition=Ready pod/keep\n"
              "kubectl get pods\n"
              "kubectl logs once\n"
              "kubectl get pod keep -o jsonpath='{.status.podIP}{\"\\n\"}{.spec.nodeName}{\"\\n\"}'\n"
              "kubectl delete pod keep --grace-period=1\n"
              "kubectl get pods keep\n")
    p = run_k8slab(script, args=("--keep-going",))
    out = p.stdout
    assert re.search(r"^once\s+0/1\s+Error\s+0\s+", out, re.M), out
    assert re.search(r"^ok\s+0/1\s+Completed\s+0\s+", out, re.M), out
    assert re.search(r"^crash\s+0/1\s+(CrashLoopBackOff|Error|Completed)\s+1\b", out, re.M), out
    assert "hello from once" in out
    assert 'pod "keep" deleted' in out
    assert 'pods "keep" not found' in p.stderr
    ip, node = re.search(r"^(10\.244\.\d+\.\d+)\n(node\d)$", out, re.M).groups()
    p = run_k8slab(f"kubectl run keep --image=busybox -- sleep 3600\nkubectl wait --for=condition=Ready pod/keep\n"
                   f"kubectl delete pod keep --grace-period=1\n{node} ip route\n")
    assert p.returncode == 0, p.stderr
    assert ip not in p.stdout.split("deleted", 1)[1]
