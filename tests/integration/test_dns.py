"""Cluster DNS and service discovery with real dig, nslookup, getent and curl inside pods."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_k8slab
from tests.integration.test_cluster import SEED_BUSYBOX

pytestmark = pytest.mark.integration

WAIT_DNS = "kubectl wait --for=condition=Ready pod -n kube-system -l k8s-app=kube-dns --timeout=20s\n"

SEED_HEADLESS = """apiVersion: v1
kind: Service
metadata:
  name: default-subdomain
spec:
  selector:
    name: busybox
  clusterIP: None  # handless service
  ports:
    - name: foo
      port: 1234
      targetPort: 1234
"""

WEB = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - containerPort: 80
      name: http
---
apiVersion: v1
kind: Service
metadata:
  name: my-service
spec:
  clusterIP: 10.96.100.60
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: http
---
apiVersion: v1
kind: Service
metadata:
  name: database-service
spec:
  type: ExternalName
  externalName: my.database.example.com
  ports:
  - port: 80
"""


def test_seed_headless_service_lists_both_pods_and_their_hostnames(mode):
    script = (f"kubectl apply -f - <<EOF\n{SEED_HEADLESS}---\n{SEED_BUSYBOX}EOF\n" + WAIT_DNS +
              "kubectl wait --for=condition=Ready pod/busybox1 pod/busybox2\n"
              "kubectl get pods -o wide\n"
              "kubectl exec busybox1 -- nslookup default-subdomain.default.svc.cluster.local 10.96.0.10\n"
              "kubectl exec busybox1 -- nslookup default-subdomain\n"
              "kubectl exec busybox2 -- nslookup busybox-1.default-subdomain.default.svc.cluster.local\n")
    p = run_k8slab(script, mode)
    assert p.returncode == 0, p.stdout + p.stderr
    ips = dict(re.findall(r"^(busybox[12])\s+1/1\s+Running\s+\S+\s+\S+\s+(10\.244\.\d+\.\d+)", p.stdout, re.M))
    assert set(ips) == {"busybox1", "busybox2"}, p.stdout
    answers = re.findall(r"^Name:\s+default-subdomain\.default\.svc\.cluster\.local\nAddress: (\S+)", p.stdout, re.M)
    assert sorted(set(answers)) == sorted(ips.values())
    assert re.search(rf"^Name:\s+busybox-1\.default-subdomain\.default\.svc\.cluster\.local\nAddress: {ips['busybox1']}$",
                     p.stdout, re.M)


def test_cluster_ip_names_srv_ptr_externalname_and_nothing_leaks():
    script = (f"kubectl apply -f - <<EOF\n{WEB}EOF\n" + WAIT_DNS + "kubectl wait --for=condition=Ready pod/web\n"
              "kubectl run client --image=busybox --restart=Never -- sleep 600\n"
              "kubectl wait --for=condition=Ready pod/client\n"
              "kubectl exec client -- nslookup my-service.default.svc.cluster.local\n"
              "kubectl exec client -- dig +short +tcp my-service.default.svc.cluster.local\n"
              "kubectl exec client -- dig +short SRV _http._tcp.my-service.default.svc.cluster.local\n"
              "kubectl exec client -- dig +short -x 10.96.100.60\n"
              "kubectl exec client -- dig database-service.default.svc.cluster.local\n"
              "kubectl exec client -- getent hosts my-service\n"
              "kubectl exec client -- sh -c 'curl -s http://my-service/ | grep -o \"Welcome to nginx\" | head -1'\n"
              "kubectl exec client -- sh -c 'curl -s http://my-service.default/ | grep -o \"Served by pod <b>web</b>\"'\n"
              "kubectl exec client -- curl -s http://database-service:5432/\n"
              "kubectl exec client -- sh -c 'dig +short dns-version.cluster.local TXT'\n"
              "kubectl exec client -- sh -c 'dig nope.default.svc.cluster.local | grep status'\n"
              "kubectl exec client -- sh -c 'dig www.google.com | grep status'\n"
              "kubectl get pods -n kube-system\n")
    p = run_k8slab(script)
    assert p.returncode == 0, p.stdout + p.stderr
    out = p.stdout
    assert re.search(r"^Name:\s+my-service\.default\.svc\.cluster\.local\nAddress: 10\.96\.100\.60$", out, re.M)
    assert "\n10.96.100.60\n" in out
    assert "0 100 80 my-service.default.svc.cluster.local." in out
    assert "my-service.default.svc.cluster.local.\n" in out  # PTR
    assert re.search(r"database-service\.default\.svc\.cluster\.local\.\s+\d+\s+IN\s+CNAME\s+my\.database\.example\.com\.", out)
    assert re.search(r"my\.database\.example\.com\.\s+\d+\s+IN\s+A\s+192\.168\.3\.216", out)
    assert re.search(r"^10\.96\.100\.60\s+my-service\.default\.svc\.cluster\.local", out, re.M)
    assert "Welcome to nginx" in out and "Served by pod <b>web</b>" in out
    assert "external host 192.168.3.216 (outside the cluster)" in out
    assert '"1.1.0"' in out
    assert out.count("status: NXDOMAIN") == 2  # a missing Service, and a name outside (never forwarded)
    assert re.search(r"^coredns-[0-9a-f]{10}-\w{5}\s+1/1\s+Running", out, re.M)


def test_environment_variables_only_for_services_that_existed_first_and_the_query_log():
    script = ("kubectl run early --image=busybox -- sleep 600\nkubectl wait --for=condition=Ready pod/early\n"
              f"kubectl apply -f - <<EOF\n{WEB}EOF\n" + WAIT_DNS +
              "kubectl run late --image=busybox -- sleep 600\nkubectl wait --for=condition=Ready pod/late\n"
              "kubectl exec early -- sh -c 'env | grep MY_SERVICE || echo early-has-none'\n"
              "kubectl exec late -- sh -c 'env | grep ^MY_SERVICE_SERVICE_HOST'\n"
              "dns log on\n"
              "kubectl exec late -- getent hosts my-service\n"
              "node1 sleep 0.3\n"
              "dns log off\n"
              "dns records default/my-service\n")
    p = run_k8slab(script)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "early-has-none" in p.stdout
    assert "MY_SERVICE_SERVICE_HOST=10.96.100.60" in p.stdout
    # ndots:5: the short name is tried with the first search domain first
    assert re.search(r'dns: 10\.244\.\d+\.\d+:\d+ - \d+ "A IN my-service\.default\.svc\.cluster\.local\. udp', p.stderr), p.stderr
    assert re.search(r"^my-service\.default\.svc\.cluster\.local\.\s+30\s+IN\s+A\s+10\.96\.100\.60$", p.stdout, re.M)
    assert re.search(r"^_http\._tcp\.my-service\.default\.svc\.cluster\.local\.\s+30\s+IN\s+SRV\s+0 100 80 ", p.stdout, re.M)


OUTSIDE_HOST_SCRIPT = r"""
import json, sys, time
from k8slab.sandbox import run_in_sandbox

def inside(_info):
    from k8slab.cluster import Cluster
    from k8slab.net.addresses import ClusterSpec
    from k8slab.runtime import processes

    cluster = Cluster(ClusterSpec(2))
    cluster.start()
    try:
        cluster.add_outside_host("db.lab.example", "203.0.113.7")
        deadline, dns_ip = time.monotonic() + 15, None
        while time.monotonic() < deadline and not dns_ip:
            ready = [p for p in cluster.store.list("Pod", "kube-system")
                     if p.status.container_statuses and p.status.container_statuses[0].ready]
            dns_ip = ready[0].status.pod_ip if ready else None
            time.sleep(0.1)
        node = cluster.network.pid_of("node1")
        http = processes.run_in(node, ["curl", "-s", "--max-time", "3", "http://203.0.113.7:5432/"]).stdout.decode()
        name = processes.run_in(node, ["dig", "+short", f"@{dns_ip}", "db.lab.example"]).stdout.decode()
        print(json.dumps({"http": http, "dns": name}), flush=True)
    finally:
        cluster.stop()
    return 0

sys.exit(run_in_sandbox(inside))
"""


def test_lessons_can_add_outside_hosts_with_names():
    """Cluster.add_outside_host: a new address on the outside world, answering, with its name in DNS."""
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    # In a child process: entering the sandbox moves the calling process into new namespaces.
    p = subprocess.run([sys.executable, "-c", OUTSIDE_HOST_SCRIPT], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    got = json.loads(p.stdout.strip().splitlines()[-1]) if p.stdout.strip() else {}
    assert "external host 203.0.113.7 (outside the cluster)" in got.get("http", ""), p.stdout + p.stderr
    assert got.get("dns", "").strip() == "203.0.113.7"


def test_publish_not_ready_addresses_keeps_unready_peers_in_dns():
    """The seeds' ZooKeeper scenario: peers must find each other before they are ready."""
    pod = """apiVersion: v1
kind: Pod
metadata:
  name: zk-0
  labels:
    app: zk
spec:
  hostname: zk-0
  subdomain: zk-hs
  containers:
  - name: zk
    image: nginx
    readinessProbe:
      httpGet:
        path: /
        port: 2181
      periodSeconds: 1
"""
    svcs = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: zk-hs\nspec:\n  clusterIP: None\n"
            "  publishNotReadyAddresses: true\n  selector:\n    app: zk\n  ports:\n  - name: client\n    port: 2181\n"
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: zk-strict\nspec:\n  clusterIP: None\n"
            "  selector:\n    app: zk\n  ports:\n  - name: client\n    port: 2181\n")
    script = (f"kubectl apply -f - <<EOF\n{pod}---\n{svcs}EOF\n" + WAIT_DNS +
              "kubectl run client --image=busybox -- sleep 600\nkubectl wait --for=condition=Ready pod/client\n"
              "node1 sleep 2\n"
              "kubectl get pod zk-0 -o wide\n"
              "kubectl exec client -- sh -c 'dig +short zk-0.zk-hs.default.svc.cluster.local; "
              "dig +short zk-strict.default.svc.cluster.local | wc -l'\n")
    p = run_k8slab(script)
    assert p.returncode == 0, p.stdout + p.stderr
    ip = re.search(r"^zk-0\s+0/1\s+Running\s+0\s+\S+\s+(10\.244\.\d+\.\d+)", p.stdout, re.M).group(1)
    assert f"\n{ip}\n0\n" in p.stdout  # in DNS through the tolerant Service, absent through the strict one
