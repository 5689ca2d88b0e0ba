"""Completion: what fits at the cursor, matched against a store snapshot, through prompt_toolkit."""

from __future__ import annotations

import os
import random
import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from k8slab.api.apps import Deployment
from k8slab.api.codec import from_dict
from k8slab.api.meta import ObjectMeta
from k8slab.api.objects import Namespace, Pod
from k8slab.api.service import Service
from k8slab.shell.completion import ShellCompleter, suggest
from k8slab.shell.matchers import Candidate, rank
from tests.unit.shell.light_session import light_session


def _pod(name, ns="default", containers=("nginx",), labels=None):
    return from_dict(Pod, {"metadata": {"name": name, "namespace": ns, "labels": labels or {"app": name}},
                           "spec": {"containers": [{"name": c, "image": "nginx"} for c in containers]}})


def _service(name, ns="default"):
    return from_dict(Service, {"metadata": {"name": name, "namespace": ns},
                               "spec": {"selector": {"app": name}, "ports": [{"port": 80}]}})


def fake_session():
    """A light session (a real store, nodes on paper) holding a few pods, Services and a Deployment."""
    session = light_session()
    store = session.cluster.store
    store.create(Namespace(metadata=ObjectMeta(name="dev")))
    store.create(_pod("web", containers=("nginx", "sidecar"), labels={"app": "web", "tier": "front"}))
    store.create(_pod("web2"))
    store.create(_pod("db"))
    store.create(_pod("api", ns="dev"))
    store.create(_service("web"))
    store.create(_service("api", ns="dev"))
    store.create(from_dict(Deployment, {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "shop", "namespace": "default"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "shop"}},
                 "template": {"metadata": {"labels": {"app": "shop"}},
                              "spec": {"containers": [{"name": "front", "image": "nginx"}]}}}}))
    return session


@pytest.fixture(scope="module")
def session():
    return fake_session()


def texts(session, before, after=""):
    return [c.text for c in suggest(session, before, after)[1]]


def metas(session, before):
    return {c.text: c.meta for c in suggest(session, before)[1]}


def complete(session, line):
    """The line after taking the first completion, as prompt_toolkit would apply it."""
    doc = Document(line)
    found = list(ShellCompleter(session).get_completions(doc, CompleteEvent(completion_requested=True)))
    assert found, f"no completion for {line!r}"
    first = found[0]
    return line[:len(line) + first.start_position] + first.text


def test_commands_and_hosts_come_first_on_a_line(session):
    m = metas(session, "")
    assert m["kubectl"] == "run a kubectl command against the cluster"
    assert {"nodes", "trace", "proxy", "dns", "node", "help", "exit"} <= set(m)
    assert m["node1"].startswith("run a shell command on this node") and "host" in m["ext"]
    assert texts(session, "kub") == ["kubectl"]


def test_kubectl_subcommands_carry_their_summaries(session):
    m = metas(session, "kubectl ")
    assert m["get"].startswith("list resources") and m["logs"] == "print a container's output"
    assert texts(session, "k desc") == ["describe"]
    assert complete(session, "kubectl desc") == "kubectl describe"


def test_flags_of_the_command_with_their_help(session):
    m = metas(session, "kubectl get pods -")
    assert m["-n"] == m["--namespace="] == "the namespace for this request"
    assert "-A" in m and "--show-labels" in m and "--image=" not in m
    assert texts(session, "kubectl run web --ima") == ["--image="]  # a value flag comes with its `=`
    assert texts(session, "kubectl logs web --") == ["--container=", "--follow", "--previous", "--tail=",
                                                     "--selector=", "--namespace="]


@pytest.mark.parametrize("short,kind", [("po", "Pod"), ("svc", "Service"), ("ep", "Endpoints"),
                                        ("deploy", "Deployment"), ("rs", "ReplicaSet"), ("sts", "StatefulSet"),
                                        ("ds", "DaemonSet"), ("ns", "Namespace"), ("no", "Node")])
def test_kinds_by_plural_singular_and_short_name(session, short, kind):
    m = metas(session, "kubectl get ")
    assert m[short].startswith(kind)
    assert "all" in m and "pods" in m and "pod" in m and "services" in m


def test_kinds_a_subcommand_takes_and_comma_lists(session):
    assert set(texts(session, "kubectl scale ")) == {"deployments", "deploy", "deployment", "replicasets", "rs",
                                                     "replicaset", "statefulsets", "sts", "statefulset"}
    assert texts(session, "kubectl get pods,se") == ["services", "service"]
    assert complete(session, "kubectl get pods,sv") == "kubectl get pods,svc"


def test_live_names_of_the_kind_in_the_namespace(session):
    assert texts(session, "kubectl get pods ") == ["db", "web", "web2"]
    assert texts(session, "kubectl get pods w") == ["web", "web2"]
    assert texts(session, "kubectl get pods web ") == ["db", "web2"]  # a name already given is not offered again
    assert texts(session, "kubectl describe svc ") == ["kubernetes", "web"]
    assert metas(session, "kubectl get deploy ")["shop"] == "Deployment in default"


@pytest.mark.parametrize("line,after", [
    ("kubectl get pods -n dev ", ""), ("kubectl get pods --namespace=dev ", ""), ("kubectl get -n dev pods ", ""),
    ("kubectl get --namespace dev pods ", ""), ("kubectl get pods ", " -n dev"), ("kubectl logs -n=dev ", ""),
])
def test_the_namespace_flag_anywhere_on_the_line(session, line, after):
    assert texts(session, line, after) == ["api"]


def test_all_namespaces(session):
    m = metas(session, "kubectl get pods -A ")
    assert set(m) == {"api", "db", "web", "web2"} and m["api"] == "Pod in dev, Pending"
    assert texts(session, "kubectl get svc --all-namespaces a") == ["api"]


def test_kind_slash_name(session):
    assert texts(session, "kubectl describe svc/") == ["kubernetes", "web"]
    assert complete(session, "kubectl describe svc/w") == "kubectl describe svc/web"
    assert texts(session, "kubectl get pod/web deploy/") == ["shop"]
    assert texts(session, "kubectl wait --for=condition=Ready pod/w") == ["web", "web2"]
    assert texts(session, "kubectl describe -n dev service/") == ["api"]


def test_pods_and_their_containers_for_exec_and_logs(session):
    assert texts(session, "kubectl exec ") == ["db", "web", "web2"]
    assert complete(session, "kubectl logs d") == "kubectl logs db"
    assert texts(session, "kubectl logs -n dev ") == ["api"]
    assert texts(session, "kubectl logs web -c ") == ["nginx", "sidecar"]
    assert texts(session, "kubectl exec -c s") == []  # no pod named yet
    assert complete(session, "kubectl exec web --container=si") == "kubectl exec web --container=sidecar"
    assert texts(session, "kubectl exec web -- ") == []  # the command inside the pod is not ours to guess


def test_nodes_and_hosts_for_the_shell_commands(session):
    assert texts(session, "node ") == ["stop", "start"]
    assert texts(session, "node stop ") == ["node1", "node2", "node3"]
    assert texts(session, "trace ") == ["db", "web", "web2", "node1", "node2", "node3", "ext"]
    assert texts(session, "trace web ") == ["svc/kubernetes", "svc/web", "pod/db", "pod/web", "pod/web2",
                                            "node1", "node2", "node3"]
    assert texts(session, "trace ext svc/") == ["kubernetes", "web"]
    assert texts(session, "trace ext services/") == []  # trace reads svc/ and service/ only
    assert texts(session, "proxy ") == ["rules"]
    assert texts(session, "proxy rules ") == ["node1", "node2", "node3", "kubernetes", "web"]
    assert texts(session, "proxy rules node2 w") == ["web"]
    assert texts(session, "proxy rules -n dev node2 ") == ["api"]
    assert texts(session, "dns ") == ["records", "log"]
    assert texts(session, "dns log ") == ["on", "off"]
    assert texts(session, "dns records ") == ["kubernetes", "web", "default/kubernetes", "default/web", "dev/api"]
    assert texts(session, "dns records dev/") == ["api"]
    assert texts(session, "help lo") == ["logs"]
    assert texts(session, "topo ") == ["svc/kubernetes", "svc/web"]
    assert texts(session, "topo -n dev svc/") == ["api"]


def test_host_commands_are_real_programs_and_then_nothing(session):
    from k8slab.shell.matchers import HOST_COMMANDS

    offered = texts(session, "node1 ")
    assert offered and set(offered) <= {text for text, _ in HOST_COMMANDS}
    assert texts(session, "ext ip ") == [] and texts(session, "node1 ip route ") == []


def test_files_and_directories_after_filename(session, tmp_path, monkeypatch):
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "web.yaml").write_text("kind: Pod\n")
    (tmp_path / "pod.yml").write_text("")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / ".hidden.yaml").write_text("")
    (tmp_path / "my dir").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert texts(session, "kubectl apply -f ") == ["-", "manifests/", "my\\ dir/", "pod.yml"]
    assert complete(session, "kubectl apply -f man") == "kubectl apply -f manifests/"
    assert texts(session, "kubectl apply -f manifests/") == ["manifests/web.yaml"]
    assert texts(session, "kubectl delete --filename=p") == ["pod.yml"]
    assert texts(session, "kubectl apply -f ~/ma") == ["~/manifests/"]
    assert texts(session, "kubectl apply -f ~") == ["~/"]
    assert texts(session, f"kubectl apply -f {tmp_path}/po") == [f"{tmp_path}/pod.yml"]
    assert texts(session, "kubectl apply -f nowhere/") == []


@pytest.mark.parametrize("line,expected", [
    ("kubectl get pods -o ", ["wide", "yaml", "json", "name", "jsonpath="]),
    ("kubectl get pods -o=y", ["yaml"]),
    ("kubectl get pods --output=j", ["json", "jsonpath="]),
    ("kubectl expose pod web --type=", ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]),
    ("kubectl expose pod web --type N", ["NodePort"]),
    ("kubectl run x --restart=", ["Always", "OnFailure", "Never"]),
    ("kubectl run x --image=ng", ["nginx"]),
    ("kubectl create deployment x --image b", ["busybox"]),
    ("kubectl wait pod/web --for=c", ["condition=Ready", "condition=Available", "create"]),
    ("kubectl wait pod/web --for=condition=R", ["condition=Ready"]),
    ("kubectl run x --dry-run=", ["client", "server", "none"]),
    ("kubectl delete pod web --wait=", ["true", "false"]),
    ("kubectl get pods -l ", ["app=db", "app=web", "app=web2", "tier=front"]),
    ("kubectl get pods -l app=web,t", ["tier=front"]),
    ("kubectl get pods -L ", ["app", "tier"]),
    ("kubectl get pods -n ", ["default", "dev", "kube-node-lease", "kube-public", "kube-system"]),
    ("kubectl create ", ["namespace", "deployment"]),
    ("kubectl rollout ", ["status", "history", "undo", "restart"]),
    ("kubectl rollout status deploy ", ["shop"]),
    ("kubectl set image deploy/shop ", ["front="]),
    ("kubectl set image deploy shop front=ngi", ["nginx"]),
])
def test_flag_values_and_verbs(session, line, expected):
    assert texts(session, line) == expected


def test_images_are_the_catalogues(session):
    from k8slab.runtime import catalogue

    m = metas(session, "kubectl run x --image=")
    assert "test image" in m["registry.k8s.io/e2e-test-images/agnhost:2.39"] and "web server" in m["nginx"]
    for image, _ in catalogue.known_images():  # every image offered is one the catalogue knows
        assert catalogue._lookup(catalogue.parse_image(image)) is not None


def test_nothing_inside_quotes_after_pipes_or_unknown_commands(session):
    assert texts(session, 'kubectl exec web -- sh -c "ech') == []
    assert texts(session, "kubectl get pods | gr") == []
    assert texts(session, "frobnicate ") == []
    assert texts(session, "kubectl frob ") == []
    assert texts(session, "kubectl run newpod ") == []


def test_ranking_prefix_first_then_substring_then_fuzzy():
    cands = [Candidate(t) for t in ("deployments", "pods", "endpoints", "podtemplates", "replicasets")]
    assert [c.text for c in rank("po", cands)] == ["pods", "podtemplates"]  # prefix: nothing else mixed in
    # substrings (earliest first), then letters in order
    assert [c.text for c in rank("ts", cands)] == ["endpoints", "deployments", "replicasets", "podtemplates"]
    assert [c.text for c in rank("dpl", cands)] == ["deployments", "podtemplates"]  # fuzzy: tightest first
    assert [c.text for c in rank("PO", cands)] == ["pods", "podtemplates"]
    assert rank("zzz", cands) == []
    tight = [Candidate("xa-b-c"), Candidate("zabc"), Candidate("xab-c"), Candidate("a-x-a-b-c")]
    assert [c.text for c in rank("abc", tight)] == ["zabc", "xab-c", "xa-b-c", "a-x-a-b-c"]


def test_fuzzy_finds_a_name_without_its_prefix(session):
    assert texts(session, "kubectl logs eb2") == ["web2"]
    assert complete(session, "kubectl logs eb2") == "kubectl logs web2"


def test_completer_waits_for_tab_on_an_empty_line_and_stays_quiet_on_a_finished_word(session):
    completer = ShellCompleter(session)
    typing, tab = CompleteEvent(text_inserted=True), CompleteEvent(completion_requested=True)
    assert list(completer.get_completions(Document(" "), typing)) == []
    assert len(list(completer.get_completions(Document(""), tab))) > 5
    assert list(completer.get_completions(Document("kubectl"), typing)) == []  # only repeats the word
    menu = list(completer.get_completions(Document("kubectl get pods w"), typing))
    assert [(c.text, c.start_position, c.display_meta_text) for c in menu] == [
        ("web", -1, "Pod in default, Pending"), ("web2", -1, "Pod in default, Pending")]


def test_the_cursor_in_the_middle_of_a_line(session):
    doc = Document("kubectl get  -n dev", cursor_position=len("kubectl get "))
    found = list(ShellCompleter(session).get_completions(doc, CompleteEvent(completion_requested=True)))
    assert "pods" in [c.text for c in found]
    doc = Document("kubectl logs  -n dev", cursor_position=len("kubectl logs "))
    assert [c.text for c in ShellCompleter(session).get_completions(doc, CompleteEvent())] == ["api"]


ODD = ['"', "'", "\\", "|", "-", "--", "=", "/", ",", " ", "\t", "~", "é", "$(", "`", "-n", "-A", "-f", "-c", "--for=",
       "kubectl", "k", "get", "pods", "svc/", "logs", "exec", "node", "trace", "proxy", "rules", "dns", "records",
       "node1", "ext", "help", "set", "image", "rollout", "status", "create", "web", "dev/", "-o", "=x", "\x00"]


def odd_lines(count, seed=6):
    """Random lines of shell words, quotes, pipes, flags and stray characters."""
    rng = random.Random(seed)
    for _ in range(count):
        words = [rng.choice(ODD) for _ in range(rng.randint(0, 8))]
        line = rng.choice(["", " "]).join(words) if rng.random() < 0.3 else " ".join(words)
        if rng.random() < 0.2:
            line += "".join(chr(rng.randint(1, 0x2FF)) for _ in range(rng.randint(1, 6)))
        yield line, rng.randint(0, len(line))


def test_no_input_makes_completion_fail(session):
    completer = ShellCompleter(session)
    for line, cursor in odd_lines(3000):
        for event in (CompleteEvent(text_inserted=True), CompleteEvent(completion_requested=True)):
            for c in completer.get_completions(Document(line, cursor), event):
                assert -c.start_position <= cursor


def test_completion_reads_nothing_slow(session, monkeypatch):
    """Completion never starts a process or enters a namespace: the store and the tables are enough."""
    import subprocess

    def refuse(*_a, **_k):
        raise AssertionError("completion started a process")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "fork", refuse)
    for line in ("", "kubectl logs ", "node1 ", "trace web ", "kubectl get pods -l ", "kubectl run x --image="):
        suggest(session, line)


def test_lesson_and_lab_verbs_complete():
    from tests.unit.shell.light_session import light_session

    s = light_session()
    assert texts(s, "lab s") == ["start", "status", "submit", "stop"]
    assert texts(s, "lesson r") == ["reset", "resume"]
