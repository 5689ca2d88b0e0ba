"""`$(kubectl ...)` substitution in command lines."""

from __future__ import annotations

import pytest

from k8slab.errors import UserError
from k8slab.shell.substitution import expand
from tests.unit.shell.light_session import light_session


def fake(answers):
    def run(line):
        if line in answers:
            return 0, answers[line] + "\n", ""
        return 1, "", f'Error from server (NotFound): "{line}"'
    return run


IP = "kubectl get pod web -o jsonpath='{.status.podIP}'"


@pytest.mark.parametrize("line, expanded", [
    (f"kubectl exec client -- curl -s http://$({IP})", "kubectl exec client -- curl -s http://10.244.2.2"),
    (f'ext curl "http://$({IP}):80/"', 'ext curl "http://10.244.2.2:80/"'),
    (f"node1 sh -c 'echo $({IP})'", f"node1 sh -c 'echo $({IP})'"),  # single quotes: untouched
    ("node1 echo $(hostname)", "node1 echo $(hostname)"),  # not kubectl: the node's shell expands it
    ("kubectl get pods -o jsonpath='{.items[?(@.metadata.name==\"x\")]}'", "kubectl get pods -o jsonpath='{.items[?(@.metadata.name==\"x\")]}'"),
    ("$(k get svc web -o name) ", "service/web "),
    ("echo $(kubectl get", "echo $(kubectl get"),  # unclosed: left as typed
])
def test_expand(line, expanded):
    run = fake({IP: "10.244.2.2", "k get svc web -o name": "service/web"})
    assert expand(line, run) == expanded


def test_a_failing_substitution_is_the_command_s_error():
    with pytest.raises(UserError, match="NotFound"):
        expand("kubectl describe $(kubectl get svc nope -o name)", fake({}))


def test_the_session_substitutes_kubectl_output():
    session = light_session()
    r = session.execute("kubectl get $(kubectl get svc kubernetes -o name) -o jsonpath='{.spec.clusterIP}'")
    assert r.exit_code == 0 and r.stdout.strip() == "10.96.0.1"
    r = session.execute("kubectl get $(kubectl get svc nope -o name)")
    assert r.exit_code == 1 and 'services "nope" not found' in r.stderr
