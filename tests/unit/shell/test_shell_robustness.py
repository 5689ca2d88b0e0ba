"""No input crashes the shell: odd lines, every command with --help, every command with garbage flags.

A UserError becomes a Result with kubectl's kind of message; anything else would be a k8slab bug,
which the session reports as an "internal error" line. These lines must produce neither.
"""

from __future__ import annotations

import random

import pytest

from k8slab.shell.kubectl import KUBECTL
from k8slab.shell.results import Result
from tests.unit.shell.light_session import light_session

ODD_LINES = [
    "'", '"', "kubectl get 'pods", 'kubectl get "pods', "kubectl get pods \\", "|", "||", "| |", "| wc -l",
    "kubectl get pods |", "kubectl get pods | ", "--", "-", "-h", "--help", "-n dev", "''", '""', "' '",
    "kubectl", "k", "?", "kubectl --", "kubectl -- get", "kubectl get --", "kubectl get -- pods",
    "kubectl help", "kubectl help nope", "help help help", "help kubectl nope", "help k", "help ''",
    "kubectl get pods -o jsonpath={", "kubectl get pods -o 'jsonpath={.items['", "kubectl get pods -o",
    "kubectl get pods -l 'app in ('", "kubectl get pods -l '!!'", "kubectl get pods -l =", "kubectl get /",
    "kubectl get pods/", "kubectl get /web", "kubectl get pods,,svc", "kubectl get ,", "kubectl get pods/a/b",
    "kubectl run", "kubectl run x", "kubectl run x --image=", "kubectl run 'bad name' --image=nginx",
    "kubectl delete", "kubectl delete pods", "kubectl create", "kubectl create namespace",
    "kubectl apply", "kubectl apply -f", "kubectl apply -f -", "kubectl apply -f /nonexistent/file.yaml",
    "kubectl apply -f http://example.com/x.yaml", "kubectl exec", "kubectl exec -- ls", "kubectl logs",
    "kubectl label", "kubectl label pods", "kubectl wait", "kubectl scale", "kubectl rollout",
    "kubectl rollout nope", "kubectl set", "kubectl set image", "kubectl expose", "kubectl edit",
    "kubectl describe", "kubectl attach", "node", "node stop", "node start nowhere", "node nope node1",
    "trace", "trace a", "proxy", "proxy nope", "dns", "dns nope", "dns records nowhere/nothing",
    "kubectl get pods -n ñ", "ÿ", "kubectl get 💥", "💥 💥", "kubectl get pods\x00", "\x00", "\t", "\u2028",
    "kubectl get pods " + "a" * 10000, "x" * 100000, "kubectl " + "-" * 5000, "help " + "é" * 3000,
    "kubectl get pods --selector=" + "a=b," * 500,
]
GARBAGE = ["--bogus", "-Z", "--output", "-n", "--namespace=", "=", "-", "--=x", "---", "-o=", "-o=nope",
           "--selector=!!", "--timeout=xyz", "--replicas=-1", "--port=abc", "--grace-period=x", "--for=",
           "--image=", "--tail=ten", "--to-revision=two", "-A", "-w", "--all", "é", "--ñ=1", "''", "pods",
           "pod/", "svc,pods", "nope", "kubernetes"]


@pytest.fixture(scope="module")
def session():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EDITOR", "true")  # `kubectl edit svc kubernetes` opens it and changes nothing
        mp.delenv("KUBE_EDITOR", raising=False)
        yield light_session()


def assert_handled(session, line: str) -> Result:
    r = session.execute(line)
    assert isinstance(r, Result), line
    assert "internal error" not in r.stderr, (line[:200], r.stderr)
    session.exit_requested = False
    return r


@pytest.mark.parametrize("line", ODD_LINES, ids=range(len(ODD_LINES)))
def test_odd_lines(session, line):
    assert_handled(session, line)


def _command_lines(session):
    for cmd in session.registry.unique():
        yield cmd.name
    for cmd in KUBECTL.unique():
        yield f"kubectl {cmd.name}"


def test_every_command_has_help(session):
    for base in _command_lines(session):
        for flag in ("--help", "-h"):
            r = assert_handled(session, f"{base} {flag}")
            assert r.exit_code == 0 and "Usage:" in r.stdout, (base, flag, r.stderr)
        assert "Usage:" in assert_handled(session, f"help {base}").stdout, base


def test_help_stays_out_of_what_a_command_runs(session):
    r = assert_handled(session, "kubectl exec web -- ls --help")
    assert "Usage:" not in r.stdout and 'pods "web" not found' in r.stderr


def test_every_command_with_garbage(session):
    for base in _command_lines(session):
        if base.startswith("dns"):  # `dns log on` would start a follower on the (absent) DNS server
            continue
        for word in GARBAGE:
            assert_handled(session, f"{base} {word}")
            assert_handled(session, f"{base} {word} {word}")


def test_random_lines(session):
    rng = random.Random(6)
    firsts = [n for n in session.registry.commands if n != "dns"] + ["kubectl " + c for c in KUBECTL.commands]
    words = GARBAGE + ["'", '"', "--", "-h", "web", "svc/web", "deploy", "10.96.0.1:443", "--type=NodePort",
                      "-o", "yaml", "json", "wide", "name", "all", "default", "kube-system", "💥", "\\"]
    for _ in range(400):
        line = " ".join([rng.choice(firsts)] + rng.choices(words, k=rng.randint(0, 6)))
        if "--help" in line or "-h" in line.split():
            continue  # covered above; keeps this test about garbage reaching the handlers
        assert_handled(session, line)


class _Printer:
    def __init__(self):
        self.printed = []

    def result(self, result):
        self.printed.append(result)
        for _ in result.stream or ():
            pass

    def chunk(self, text, stream="out"):
        self.printed.append(text)

    def error(self, message):
        self.printed.append(message)


def _raiser(exc):
    def handler(*_args):
        raise exc
    return handler


def test_a_bug_is_one_line_and_ctrl_c_stops_only_the_command():
    from k8slab.shell.registry import Command

    s = light_session()
    s.printer = _Printer()
    s.registry.add(Command("bug", "s", "bug", _raiser(RuntimeError("oops")), program="k8slab"))
    s.registry.add(Command("waiting", "s", "waiting", _raiser(KeyboardInterrupt()), program="k8slab"))
    r = s.execute("bug")
    assert (r.exit_code, r.err) == (70, ["k8slab: internal error: RuntimeError: oops (run with --debug for details)"])
    assert s.run("waiting").exit_code == 130 and s.printer.printed == ["\n"]

    def broken_stream():
        yield "out", "a"
        raise ValueError("mid-stream")

    s.registry.add(Command("streaming", "s", "streaming", lambda *_: Result(stream=broken_stream()), program="k8slab"))
    assert s.run("streaming").exit_code == 70
    assert s.printer.printed[-1].startswith("k8slab: internal error: ValueError: mid-stream")


def test_integer_flags_are_checked_like_cobra(session):
    r = session.execute("kubectl delete pod web --grace-period=soon")
    assert r.stderr == ('error: invalid argument "soon" for "--grace-period" flag: strconv.ParseInt: parsing "soon": '
                        "invalid syntax\nSee 'kubectl delete --help' for usage.\n")


def test_an_empty_kind_is_an_unknown_kind(session):
    assert session.execute("kubectl get ''").stderr == 'error: the server doesn\'t have a resource type ""\n'
    assert session.execute("kubectl get , web").stderr == 'error: the server doesn\'t have a resource type ","\n'
