"""Services with real traffic: ClusterIP, NodePort, LoadBalancer, selectorless, affinity, policies."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_k8slab

pytestmark = pytest.mark.integration


def hostname_pods(n: int, app: str, nodes=("node1", "node2", "node3"), port_name: str = "") -> str:
    """n agnhost serve-hostname pods (port 9376) labelled app=APP, pinned round-robin to nodes."""
    docs = []
    for i in range(n):
        named = f"\n      name: {port_name}" if port_name else ""
        docs.append(f"""apiVersion: v1
kind: Pod
metadata:
  name: {app}-{i}
  labels:
    app: {app}
spec:
  nodeName: {nodes[i % len(nodes)]}
  containers:
  - name: app
    image: registry.k8s.io/e2e-test-images/agnhost:2.39
    args: ["serve-hostname"]
    ports:
    - containerPort: 9376{named}
""")
    return "---\n".join(docs)


CLIENT = """apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  nodeName: node1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
"""

SEED_003 = """apiVersion: v1
kind: Service
metadata:
  name: my-service
spec:
  clusterIP: 10.96.100.10
  selector:
    app: myapp
  ports:
    - protocol: TCP
      port: 80
      targetPort: 9376
"""


def until_answered(url: str) -> str:
    """A pod shell line that waits (up to ~4 s) for a Service to answer, then prints one answer.

    kube-proxy programs a Service a few milliseconds after its endpoints become ready; a request in
    between is not rewritten (on a real cluster this window is longer), so scripts wait for it.
    """
    return f"for i in $(seq 20); do curl -s --max-time 1 {url} && break; sleep 0.2; done"


def cluster_ip(out: str, name: str) -> str:
    """The CLUSTER-IP column of `kubectl get svc` for one Service."""
    m = re.search(rf"^{name}\s+\S+\s+(\d+\.\d+\.\d+\.\d+)\s", out, re.M)
    assert m, out
    return m.group(1)


def test_cluster_ip_balances_over_every_ready_backend_and_refuses_without_endpoints(mode):
    script = (f"kubectl apply -f - <<EOF\n{hostname_pods(3, 'myapp')}---\n{CLIENT}---\n{SEED_003}EOF\n"
              "kubectl wait --for=condition=Ready pod --all --timeout=20s\n"
              "kubectl get svc my-service\n"
              f"kubectl exec client -- sh -c '{until_answered('http://10.96.100.10/')}; echo; for i in $(seq 29); do curl -s --max-time 2 http://10.96.100.10/; echo; done'\n"
              # after the requests: Ready pods reach the Endpoints a moment later, as on a real cluster
              "kubectl get endpoints my-service\n"
              "kubectl delete pod myapp-0 myapp-1 myapp-2 --grace-period=1\n"
              "kubectl exec client -- sh -c 'curl -sS --max-time 2 http://10.96.100.10/ 2>&1; true'\n")
    p = run_k8slab(script, mode)
    assert p.returncode == 0, p.stdout + p.stderr
    assert cluster_ip(p.stdout, "my-service") == "10.96.100.10"
    answers = re.findall(r"^myapp-\d$", p.stdout, re.M)
    assert len(answers) == 30 and set(answers) == {"myapp-0", "myapp-1", "myapp-2"}, p.stdout
    assert re.search(r"^my-service\s+10\.244\.\d+\.\d+:9376,10\.244\.\d+\.\d+:9376,10\.244\.\d+\.\d+:9376\s", p.stdout, re.M)
    assert "Connection refused" in p.stdout or "Couldn't connect" in p.stdout


def test_session_affinity_sticks_to_one_backend():
    svc = SEED_003.replace("      targetPort: 9376\n", "      targetPort: 9376\n  sessionAffinity: ClientIP\n"
                           "  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 10800\n")
    p = run_k8slab(f"kubectl apply -f - <<EOF\n{hostname_pods(3, 'myapp')}---\n{CLIENT}---\n{svc}EOF\n"
                   "kubectl wait --for=condition=Ready pod --all --timeout=20s\n"
                   f"kubectl exec client -- sh -c '{until_answered('http://10.96.100.10/')}; echo; for i in $(seq 14); do curl -s http://10.96.100.10/; echo; done'\n")
    answers = re.findall(r"^myapp-\d$", p.stdout, re.M)
    assert len(answers) == 15 and len(set(answers)) == 1, p.stdout


def test_node_port_on_every_node_and_source_ip_with_local_policy():
    pods = hostname_pods(1, "web", nodes=("node2",)).replace("agnhost:2.39\n    args: [\"serve-hostname\"]",
                                                               "agnhost:2.39\n    args: [\"netexec\", \"--http-port=9376\"]")
    svc = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 9376
    nodePort: 30080
"""
    script = (f"kubectl apply -f - <<EOF\n{pods}---\n{svc}EOF\nkubectl wait --for=condition=Ready pod --all\n"
              f"ext sh -c '{until_answered('http://node1:30080/clientip')}; echo'\next sh -c 'curl -s http://node3:30080/clientip; echo'\n"
              "kubectl patch-free-local\n")
    script = script.replace("kubectl patch-free-local\n",
                            f"kubectl apply -f - <<EOF\n{svc.replace('  type: NodePort', '  type: NodePort' + chr(10) + '  externalTrafficPolicy: Local')}EOF\n"
                            # until the Local rules are in: then ext's own address arrives
                            "ext sh -c 'for i in $(seq 20); do r=$(curl -s --max-time 1 http://node2:30080/clientip); "
                            "case $r in 172.18.0.1:*) echo $r; break;; esac; sleep 0.2; done'\n"
                            "ext curl -s --max-time 2 http://node1:30080/clientip || echo no-answer-from-node1\n")
    p = run_k8slab(script)
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    assert any(line.startswith("172.18.0.2:") for line in lines), p.stdout  # via node1: SNAT to node1
    assert any(line.startswith("172.18.0.4:") for line in lines), p.stdout  # via node3: SNAT to node3
    assert any(line.startswith("172.18.0.1:") for line in lines), p.stdout  # Local: ext's own address
    assert "no-answer-from-node1" in p.stdout


def test_load_balancer_gets_an_ip_reachable_from_ext():
    svc = """apiVersion: v1
kind: Service
metadata:
  name: my-loadbalancer-service
spec:
  type: LoadBalancer
  ports:
    - port: 80
      targetPort: 9376
  selector:
    app: my-app
"""
    script = (f"kubectl apply -f - <<EOF\n{hostname_pods(2, 'my-app')}---\n{svc}EOF\n"
              "kubectl wait --for=condition=Ready pod --all\n"
              "kubectl wait --for=jsonpath='{.status.loadBalancer.ingress[0].ip}' svc/my-loadbalancer-service\n"
              "kubectl get svc my-loadbalancer-service\n"
              f"ext sh -c '{until_answered('http://172.18.255.200/')}; echo'\n")
    p = run_k8slab(script)
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"^my-loadbalancer-service\s+LoadBalancer\s+\S+\s+172\.18\.255\.200\s+80:3\d{4}/TCP", p.stdout, re.M)
    assert re.search(r"^my-app-[01]$", p.stdout, re.M)
    assert "MetalLB" in p.stderr


def test_selectorless_services_reach_the_outside_world_seed_000_and_004():
    seed_000 = """apiVersion: v1
kind: Service
metadata:
  name: external-http-service
spec:
  clusterIP: 10.96.100.20
  ports:
    - name: http
      port: 80
      protocol: TCP
---
apiVersion: v1
kind: Endpoints
metadata:
  name: external-http-service
subsets:
  - addresses:
      - ip: 192.168.3.215
    ports:
      - name: http
        port: 80
        protocol: TCP
"""
    seed_004 = """apiVersion: v1
kind: Service
metadata:
  name: external-service
spec:
  clusterIP: 10.96.100.21
  type: ClusterIP
  ports:
  - protocol: TCP
    port: 80
---
apiVersion: v1
kind: Endpoints
metadata:
  name: external-service
subsets:
- addresses:
  - ip: 1.1.1.1
  - ip: 2.2.2.2
  ports:
  - port: 8080
"""
    p = run_k8slab(f"kubectl apply -f - <<EOF\n{seed_000}---\n{seed_004}---\n{CLIENT}EOF\n"
                   "kubectl wait --for=condition=Ready pod/client\nkubectl get endpointslices\n"
                   f"kubectl exec client -- sh -c '{until_answered('http://10.96.100.20/')}'\n"
                   "kubectl exec client -- sh -c 'for i in $(seq 12); do curl -s http://10.96.100.21/; done'\n")
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"^external-service-\w{5}\s+IPv4\s+8080\s+1\.1\.1\.1,2\.2\.2\.2\s", p.stdout, re.M), p.stdout
    assert "external host 192.168.3.215 (outside the cluster)" in p.stdout
    assert "external host 1.1.1.1" in p.stdout and "external host 2.2.2.2" in p.stdout


def test_cluster_ip_does_not_answer_ping_and_hairpin_works():
    pod = hostname_pods(1, "solo", nodes=("node1",)).replace("serve-hostname", "netexec")
    svc = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: solo\nspec:\n  clusterIP: 10.96.100.30\n"
           "  selector:\n    app: solo\n  ports:\n  - port: 80\n    targetPort: 8080\n")
    p = run_k8slab(f"kubectl apply -f - <<EOF\n{pod}---\n{svc}EOF\nkubectl wait --for=condition=Ready pod --all\n"
                   f"kubectl exec solo-0 -- sh -c '{until_answered('http://10.96.100.30/clientip')}; echo'\n"
                   "kubectl exec solo-0 -- sh -c 'ping -c1 -W1 10.96.100.30 >/dev/null && echo pong || echo no-pong'\n")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "10.244.1.1:" in p.stdout  # hairpin: masqueraded to the node's gateway address
    assert "no-pong" in p.stdout


def test_udp_service_expose_and_the_seeing_commands():
    udp_pod = """apiVersion: v1
kind: Pod
metadata:
  name: echo
  labels:
    app: echo
spec:
  nodeName: node2
  containers:
  - name: echo
    image: registry.k8s.io/e2e-test-images/agnhost:2.39
    args: ["netexec", "--http-port=8080", "--udp-port=8081"]
    ports:
    - containerPort: 8080
      name: http
    - containerPort: 8081
      name: udp
      protocol: UDP
"""
    svc = """apiVersion: v1
kind: Service
metadata:
  name: echo
spec:
  clusterIP: 10.96.100.40
  selector:
    app: echo
  ports:
  - name: http
    port: 80
    targetPort: http
  - name: udp
    port: 53
    protocol: UDP
    targetPort: udp
"""
    script = (f"kubectl apply -f - <<EOF\n{udp_pod}---\n{svc}---\n{CLIENT}EOF\n"
              "kubectl wait --for=condition=Ready pod --all\n"
              f"kubectl exec client -- sh -c '{until_answered('http://10.96.100.40/hostname')}; echo'\n"
              "kubectl exec client -- sh -c 'echo hostname | nc -u -w1 10.96.100.40 53; echo'\n"
              "kubectl expose pod echo --port=8000 --target-port=8080 --name=echo-np --cluster-ip=10.96.100.41 --type=NodePort\n"
              "kubectl get all\n"
              "kubectl describe svc echo\n"
              "proxy rules node1 echo\n"
              "trace client svc/echo\n"
              "trace ext node3:30999\n")
    p = run_k8slab(script)
    assert p.returncode == 0, p.stdout + p.stderr
    out = p.stdout
    assert "condition met\necho\necho\n" in out  # HTTP and UDP both answered by the pod
    assert "service/echo-np exposed" in out
    assert re.search(r"^pod/echo\s+1/1\s+Running", out, re.M) and re.search(r"^service/echo\s+ClusterIP\s+10\.96\.100\.40", out, re.M)
    assert re.search(r"^Endpoints:\s+10\.244\.2\.\d+:8080$", out, re.M)
    assert "-p udp" in out and "--dport 53" in out and "DNAT --to-destination 10.244.2." in out
    assert "KUBE-SVC-" in out and "100%  10.244.2." in out
    assert "no Service rule matches 172.18.0.4:30999/TCP" in out


def test_sctp_is_refused_clearly_when_the_kernel_lacks_it():
    from k8slab.net.addresses import kernel_has_sctp

    svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 7777\n    protocol: SCTP\n"
    p = run_k8slab(f"kubectl apply -f - <<EOF\n{svc}EOF\n")
    if kernel_has_sctp():
        assert p.returncode == 0 and "service/s created" in p.stdout
    else:
        assert p.returncode == 1
        assert 'The Service "s" is invalid: spec.ports[0].protocol: Forbidden: SCTP is not available' in p.stderr


SEED_000_SERVICES = """apiVersion: v1
kind: Service
metadata:
  name: multi-port-service
spec:
  selector:
    app: my-app
  ports:
    - name: http
      protocol: TCP
      port: 80
      targetPort: 8080
    - name: https
      protocol: TCP
      port: 443
      targetPort: 8443
      nodePort: 30443
  type: NodePort
---
apiVersion: v1
kind: Service
metadata:
  name: my-nodeport-service
spec:
  type: NodePort
  ports:
    - port: 80
      targetPort: 80
      nodePort: 30080
  selector:
    app: my-app
---
apiVersion: v1
kind: Service
metadata:
  name: my-loadbalancer-service
spec:
  type: LoadBalancer
  ports:
    - port: 80
      targetPort: 80
  selector:
    app: my-app
"""

MY_APP = """apiVersion: v1
kind: Pod
metadata:
  name: my-app
  labels:
    app: my-app
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - containerPort: 80
    - containerPort: 8080
    - containerPort: 8443
"""


def test_seed_000_exposure_services_apply_unchanged_and_answer_from_ext():
    script = (f"kubectl apply -f - <<EOF\n{SEED_000_SERVICES}---\n{MY_APP}EOF\n"
              "kubectl wait --for=condition=Ready pod/my-app\n"
              "kubectl wait --for=jsonpath='{.status.loadBalancer.ingress[0].ip}' svc/my-loadbalancer-service\n"
              "kubectl get svc\n"
              f"ext sh -c '{until_answered('http://node1:30080/')} | grep -o \"Welcome to nginx\" | head -1'\n"
              "ext sh -c 'curl -s http://node2:30443/ | grep -o \"Served by pod <b>my-app</b>\"'\n"
              "ext sh -c 'curl -s http://172.18.255.200/ | grep -o \"Served by pod <b>my-app</b>\"'\n")
    p = run_k8slab(script)
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"^multi-port-service\s+NodePort\s+\S+\s+<none>\s+80:3\d{4}/TCP,443:30443/TCP\s", p.stdout, re.M)
    assert re.search(r"^my-nodeport-service\s+NodePort\s+\S+\s+<none>\s+80:30080/TCP\s", p.stdout, re.M)
    assert p.stdout.count("Served by pod <b>my-app</b>") == 2


def test_internal_traffic_policy_local_and_rule_counters():
    pods = hostname_pods(1, "loc", nodes=("node2",))
    clients = "".join(f"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {n}\nspec:\n  nodeName: {node}\n"
                      f"  containers:\n  - name: c\n    image: busybox\n    command: [sleep, '3600']\n"
                      for n, node in (("near", "node2"), ("far", "node1")))
    svc = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: loc\nspec:\n  clusterIP: 10.96.100.50\n"
           "  internalTrafficPolicy: Local\n  selector:\n    app: loc\n  ports:\n  - port: 80\n    targetPort: 9376\n")
    p = run_k8slab(f"kubectl apply -f - <<EOF\n{pods}{clients}---\n{svc}EOF\nkubectl wait --for=condition=Ready pod --all\n"
                   f"kubectl exec near -- sh -c '{until_answered('http://10.96.100.50/')}; echo'\n"
                   "kubectl exec far -- sh -c 'curl -s --max-time 2 http://10.96.100.50/ || echo far-gets-nothing'\n"
                   "proxy rules node1 loc --counters\n")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "\nloc-0\n" in p.stdout and "far-gets-nothing" in p.stdout
    # node1 has no local endpoint: its filter table DROPs, and the counters show the dropped SYNs
    assert re.search(r"^\[[1-9]\d*:\d+\] -A KUBE-SERVICES .*default/loc has no local endpoints.* -j DROP", p.stdout, re.M), p.stdout
