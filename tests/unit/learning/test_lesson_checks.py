"""Check verdicts from command output (a fake `run`), and their sentences from messages.yaml."""

from __future__ import annotations

import pytest

from k8slab.learning.checks import SEPARATOR, run_check, run_checks
from k8slab.learning.model import Check
from k8slab.learning.tutor import BUILTIN_LESSONS, load_messages

MESSAGES = load_messages([BUILTIN_LESSONS])


class FakeRun:
    """Answers command lines from a table of (prefix -> (code, output)); records what was run."""

    def __init__(self, answers):
        self.answers, self.ran = answers, []

    def __call__(self, line):
        self.ran.append(line)
        for prefix, answer in self.answers.items():
            if line.startswith(prefix):
                return answer
        return 1, "Error from server (NotFound)"


def test_exists_with_a_field():
    check = Check("exists", "service/web", {"field": "{.spec.type}", "equals": "NodePort"}, why="Change its type.")
    run = FakeRun({"kubectl get service/web -n default -o name": (0, "service/web\n"),
                   "kubectl get service/web -n default -o 'jsonpath=": (0, "ClusterIP")})
    verdict = run_check(check, run, MESSAGES)
    assert not verdict.ok
    assert verdict.message == "Expected service/web to have {.spec.type} NodePort, but it is ClusterIP."
    assert verdict.why == "Change its type."
    run.answers["kubectl get service/web -n default -o 'jsonpath="] = (0, "NodePort\n")
    assert run_check(check, run, MESSAGES).ok


def test_exists_and_absent_of_a_missing_object():
    run = FakeRun({})
    assert run_check(Check("absent", "pod/web"), run, MESSAGES).ok
    verdict = run_check(Check("exists", "pod/web", {"namespace": "dev"}), run, MESSAGES)
    assert verdict.message == "Expected pod/web in namespace dev, but there is none."
    assert run.ran[-1] == "kubectl get pod/web -n dev -o name"


def test_count_ready_pods_with_a_selector():
    check = Check("count", "pods", {"selector": "app=web", "ready": True, "min": 3})
    run = FakeRun({"kubectl get pods -n default -l app=web -o": (0, "web-1 True\nweb-2 False\nweb-3 True\n")})
    verdict = run_check(check, run, MESSAGES)
    assert verdict.message == "Expected at least 3 Ready pods with labels app=web in namespace default, but found 2."
    run.answers["kubectl get pods -n default -l app=web -o"] = (0, "web-1 True\nweb-2 True\nweb-3 True\n")
    assert run_check(check, run, MESSAGES).ok


@pytest.mark.parametrize("options, code, output, ok, says", [
    ({"expect": "Welcome"}, 0, "<h1>Welcome to nginx!</h1>", True, ""),
    ({"expect": "Welcome"}, 0, "something else", False, "to print something matching Welcome, but it printed: something else"),
    ({}, 7, "curl: (7) Failed to connect", False, "to exit with 0, but it exited with 7. It printed: curl: (7)"),
    ({"exit": 1, "reject": "64 bytes"}, 1, "100% packet loss", True, ""),
    ({"reject": "refused"}, 0, "connection refused", False, "not to print anything matching refused"),
])
def test_run(options, code, output, ok, says):
    verdict = run_check(Check("run", "client curl -s web", options), FakeRun({"client": (code, output)}), MESSAGES)
    assert verdict.ok is ok and says in verdict.message


def test_resolves_counts_addresses():
    run = FakeRun({"kubectl exec client": (0, "10.244.1.2\n10.244.2.3\n")})
    assert run_check(Check("resolves", "web-headless", {"from": "client", "addresses": 2}), run, MESSAGES).ok
    verdict = run_check(Check("resolves", "web-headless", {"from": "client", "addresses": 3}), run, MESSAGES)
    assert verdict.message == ("Expected web-headless to resolve (asked from client) to 3 addresses, but it resolved to "
                               "10.244.1.2, 10.244.2.3.")
    cname = FakeRun({"kubectl exec client": (0, "my.database.example.com.\n192.168.3.216\n")})
    assert run_check(Check("resolves", "db", {"from": "client", "matches": r"^my\.database"}), cname, MESSAGES).ok
    assert "dig +search +short" in cname.ran[0]


def _answers(*bodies):
    return "".join(f"{b}\n{SEPARATOR}\n" for b in bodies)


def test_reaches_counts_distinct_servers_from_pods_and_hosts():
    spread = FakeRun({"kubectl exec client": (0, _answers("web-a", "web-b", "web-a", "web-c"))})
    assert run_check(Check("reaches", "http://web", {"from": "client", "tries": 4, "backends": 3}), spread, MESSAGES).ok
    pinned = Check("reaches", "http://web", {"from": "client", "tries": 4, "backends_max": 1})
    verdict = run_check(pinned, spread, MESSAGES)
    assert verdict.message.endswith("to reach at most 1 server(s), but they reached: web-a, web-b, web-c.")
    nginx = FakeRun({"ext sh -c": (0, _answers(*["<p>Served by pod <b>web</b> to 1.2.3.4</p>"] * 3))})
    assert run_check(Check("reaches", "http://172.18.0.3:30080", {"from": "ext", "tries": 3}), nginx, MESSAGES).ok
    failing = FakeRun({"kubectl exec client": (0, _answers("web-a", "request failed"))})
    verdict = run_check(Check("reaches", "http://web", {"from": "client", "tries": 2}), failing, MESSAGES)
    assert verdict.message.startswith("Expected 2 requests from client to http://web to succeed, but 1 failed")


def test_rule_and_stopping_at_the_first_failure():
    run = FakeRun({"proxy rules node2": (0, "-A KUBE-SVC-ABC -m statistic --probability 0.5 -j KUBE-SEP-1\n")})
    checks = [Check("rule", r"--probability 0\.5", {"node": "node2"}), Check("rule", "KUBE-EXT-"),
              Check("absent", "pod/x")]
    verdicts = run_checks(checks, run, MESSAGES)
    assert [v.ok for v in verdicts] == [True, False]
    assert verdicts[1].message == "Expected kube-proxy's rules on node1 to have a line matching KUBE-EXT-, but none does."


def test_within_retries_a_check_until_it_passes_or_time_is_up():
    calls = []

    def run(line):
        calls.append(line)
        return (0, "service/web\n") if len(calls) >= 3 else (1, "NotFound")

    assert run_check(Check("exists", "service/web", {"within": 5}), run, MESSAGES).ok
    assert len(calls) == 3
    calls.clear()
    verdict = run_check(Check("exists", "service/nope", {"within": 0.3}), lambda line: (1, "NotFound"), MESSAGES)
    assert not verdict.ok


def test_any_passes_when_one_alternative_does():
    either = Check("any", "", {}, why="Either will do.", alternatives=(
        Check("exists", "service/web"), Check("exists", "service/web-svc")))
    assert run_check(either, FakeRun({"kubectl get service/web-svc": (0, "service/web-svc")}), MESSAGES).ok
    verdict = run_check(either, FakeRun({}), MESSAGES)
    assert verdict.message == ("Expected one of these to hold, but none does: Expected service/web in namespace "
                               "default, but there is none. / Expected service/web-svc in namespace default, but there "
                               "is none.")
    assert verdict.why == "Either will do."


def test_a_name_that_must_not_resolve():
    gone = Check("resolves", "web.shop", {"from": "client", "addresses": 0})
    assert run_check(gone, FakeRun({"kubectl exec client": (0, "")}), MESSAGES).ok  # NXDOMAIN: dig prints nothing
    assert not run_check(gone, FakeRun({"kubectl exec client": (0, "10.96.5.5\n")}), MESSAGES).ok
    no_pod = run_check(gone, FakeRun({}), MESSAGES)  # the exec itself failed: that proves nothing
    assert not no_pod.ok
