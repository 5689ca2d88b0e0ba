"""kubectl commands and batch modes against a real cluster."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import REPO, k8slab_argv, run_k8slab

pytestmark = pytest.mark.integration


def test_labels_selectors_and_output_formats():
    script = ("kubectl run web --image=nginx --labels=app=web,tier=front\n"
              "kubectl run db --image=busybox --labels=app=db -- sleep 600\n"
              "kubectl create namespace dev\n"
              "kubectl run other --image=busybox -n dev -- sleep 600\n"
              "kubectl wait --for=condition=Ready pod --all\n"
              "kubectl get pods -l app=web -o name\n"
              "kubectl get pods -l 'app in (web,db)' --show-labels\n"
              "kubectl label pod db tier=back\n"
              "kubectl label pod db tier=other\n")
    p = run_k8slab(script)
    assert p.returncode == 1  # the last label needs --overwrite
    assert "pod/web\n" in p.stdout
    assert re.search(r"^db\s+1/1\s+Running\s+0\s+\S+\s+app=db$", p.stdout, re.M), p.stdout
    assert re.search(r"^web\s+1/1\s+Running\s+0\s+\S+\s+app=web,tier=front$", p.stdout, re.M)
    assert "pod/db labeled" in p.stdout
    assert "error: 'tier' already has a value (back), and --overwrite is false" in p.stderr
    p = run_k8slab(script.rsplit("kubectl label pod db tier=other", 1)[0] +
                   "kubectl get pods -A -o wide\nkubectl get pod web -o json\nkubectl get nodes\n"
                   "kubectl describe node node2\nkubectl delete pods -l app=db --grace-period=1\nkubectl get pods\n")
    assert p.returncode == 0, p.stderr
    assert re.search(r"^NAMESPACE\s+NAME\s+READY", p.stdout, re.M)
    assert re.search(r"^dev\s+other\s+1/1\s+Running", p.stdout, re.M)
    assert '"kind": "Pod"' in p.stdout and '"podIP": "10.244.' in p.stdout
    assert re.search(r"^node1\s+Ready\s+<none>\s+\S+\s+v1\.\d+\.\d+$", p.stdout, re.M)
    assert "Name:               node2" in p.stdout and "PodCIDR:                      10.244.2.0/24" in p.stdout
    assert 'pod "db" deleted' in p.stdout
    assert not re.search(r"^db\s", p.stdout.rsplit('pod "db" deleted', 1)[1], re.M)


def test_logs_follow_until_the_container_ends_and_unknown_image_notice():
    script = ("kubectl run counter --image=busybox --restart=Never -- sh -c 'for i in 1 2 3; do echo tick $i; sleep 0.3; done'\n"
              "kubectl wait --for=condition=Ready pod/counter\n"
              "kubectl logs -f counter\n"
              "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n"
              "  - name: app\n    image: example.com/team/app:1.0\n    ports:\n    - containerPort: 8080\nEOF\n"
              "kubectl wait --for=condition=Ready pod/app\n"
              "kubectl exec counter -- true\n")
    p = run_k8slab(script, args=("--keep-going",))
    assert "tick 1\ntick 2\ntick 3\n" in p.stdout
    assert 'note: image "example.com/team/app:1.0" is not in k8slab\'s catalogue' in p.stderr
    assert "cannot exec into a container in a completed pod; current phase is Succeeded" in p.stderr


def test_batch_from_a_file_and_from_standard_input(tmp_path):
    script = tmp_path / "script.k8s"
    script.write_text("# a lab script\nkubectl get nodes -o name\nkubectl get pods nope\nkubectl get ns default -o name\n")
    os.chmod(tmp_path, 0o755)
    os.chmod(script, 0o644)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    p = subprocess.run(k8slab_argv() + ["-f", str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 1
    assert p.stdout == "node/node1\nnode/node2\nnode/node3\n"
    p = subprocess.run(k8slab_argv() + ["--keep-going"], input=script.read_text(), capture_output=True, text=True,
                       env=env, timeout=60)
    assert p.returncode == 1
    assert p.stdout.endswith("namespace/default\n")


def test_two_sessions_side_by_side_do_not_interfere():
    script = ("kubectl run web --image=nginx; kubectl wait --for=condition=Ready pod/web; "
              "kubectl get pod web -o jsonpath='{.status.podIP}'; node1 sleep 2; kubectl exec web -- curl -s localhost")
    results = [None, None]

    def run(i):
        results[i] = run_k8slab(script)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ips = []
    for p in results:
        assert p.returncode == 0, p.stderr
        assert p.stdout.count("<h1>Welcome to nginx!</h1>") == 1
        ips.append(re.search(r"^(10\.244\.\d+\.\d+)$", p.stdout, re.M).group(1))
    assert ips[0] == ips[1]  # each cluster has its own address space: the same IP, no clash


def test_sigterm_ends_the_session_and_its_processes():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    p = subprocess.Popen(k8slab_argv() + ["-c", "kubectl run web --image=nginx; node1 sleep 60"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    inner = [int(x) for x in open(f"/proc/{p.pid}/task/{p.pid}/children").read().split()]
    assert inner, "the sandbox's PID 1 should be running"
    ns = os.stat(f"/proc/{inner[0]}/ns/pid").st_ino
    p.terminate()
    p.wait(timeout=15)
    deadline = time.monotonic() + 10
    alive = True
    while alive and time.monotonic() < deadline:
        alive = False
        for e in os.listdir("/proc"):
            if e.isdigit():
                try:
                    alive = alive or os.stat(f"/proc/{e}/ns/pid").st_ino == ns
                except OSError:
                    pass
        time.sleep(0.1)
    assert not alive


def test_pipes_to_the_machines_tools():
    p = run_k8slab("kubectl get nodes -o name | grep -c node; kubectl get nodes | head -1; "
                   "kubectl get pods nope | wc -l")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[:2] == ["3", "NAME    STATUS   ROLES    AGE   VERSION"]
    assert 'pods "nope" not found' in p.stderr


def test_run_attached_without_a_terminal_streams_output_and_removes_the_pod(mode):
    script = ("kubectl run -i --rm lookup --image=busybox --restart=Never -- nslookup kubernetes.default\n"
              "kubectl get pods\n"
              "kubectl config set-context --current --namespace=kube-system\n"
              "kubectl get pods -l k8s-app=kube-dns -o name\n"
              "kubectl run -i echo --image=busybox --restart=Never -n default -- sh -c 'cat; exit 4' <<EOF\n"
              "hello from stdin\nEOF\n"
              "nodes\n")
    p = run_k8slab(script, mode)
    # The first command's output arrives as the pod runs (the cluster's DNS is up before the first
    # command), then --rm deletes the pod; the last run's exit code ends the script, as in a shell.
    assert "Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1" in p.stdout, p.stdout + p.stderr
    assert 'pod "lookup" deleted' in p.stdout
    assert "No resources found in default namespace." in p.stderr
    assert 'Context "k8slab" modified.' in p.stdout and "pod/coredns-" in p.stdout
    assert "hello from stdin" in p.stdout
    assert p.returncode == 4 and "NAME" not in p.stdout.split("hello from stdin")[1]


FIXTURE_LESSONS = str(REPO / "tests" / "fixtures" / "lessons")


def test_a_lesson_is_saved_resumed_in_a_new_cluster_and_plays(tmp_path):
    env = {"XDG_STATE_HOME": str(tmp_path)}
    args = ["--lessons", FIXTURE_LESSONS]
    p = run_k8slab("lesson start demo\ncheck\nlesson next\n", args=args + ["--keep-going"], env=env)
    assert "Not yet: step 1 of 2" in p.stdout and "Expected 1 Ready pods with labels run=web" in p.stdout
    assert "Step 1 of 2 passed" in p.stdout and "step 2 of 2: A Service" in p.stdout
    # A new k8slab (a new, empty cluster) rebuilds the state of step 2 from the reference solutions.
    p = run_k8slab("lesson resume\nkubectl get pods\ncheck\n", args=args, env=env)
    assert "Rebuilding the cluster as it was at step 2" in p.stderr
    assert re.search(r"^web\s+1/1\s+Running", p.stdout, re.M), p.stdout
    assert "Expected service/web in namespace default, but there is none." in p.stdout
    assert p.returncode == 1  # `check` fails until the step is done
    p = run_k8slab("lesson play demo\n", args=args, env=env)
    assert p.returncode == 0 and "demo: 2/2 steps ok" in p.stdout, p.stdout + p.stderr
