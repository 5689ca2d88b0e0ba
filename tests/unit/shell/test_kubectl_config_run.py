"""kubectl config (the namespace in use) and kubectl run's attach flags, without a network."""

from __future__ import annotations

import pytest

from tests.unit.shell.light_session import light_session


def test_set_context_switches_the_namespace_commands_use():
    session = light_session()
    assert session.execute("kubectl config current-context").stdout == "k8slab\n"
    r = session.execute("kubectl config set-context --current --namespace=kube-system")
    assert r.stdout == 'Context "k8slab" modified.\n' and r.exit_code == 0
    assert session.namespace == "kube-system"
    assert "kube-system" in session.execute("kubectl config get-contexts").stdout.splitlines()[1]
    r = session.execute("kubectl config set-context --current --namespace=nope")
    assert r.exit_code == 0 and 'namespace "nope" does not exist yet' in r.stderr
    assert session.execute("kubectl config set-context --namespace=x").exit_code == 1


@pytest.mark.parametrize("line, message", [
    ("kubectl run box --image=busybox -t -- sh", "-i/--stdin is required for containers with -t/--tty=true"),
    ("kubectl run box --image=busybox --rm -- sh", "--rm should only be used for attached containers"),
    ("kubectl config rename-context a b", "set-context --current"),
])
def test_kubectl_s_errors(line, message):
    r = light_session().execute(line)
    assert r.exit_code == 1 and message in r.stderr


def test_run_it_without_a_terminal_drops_the_tty_as_kubectl_does():
    session = light_session()
    r = session.execute("kubectl run box --image=busybox -it --dry-run=client -o yaml -- sh")
    assert "Unable to use a TTY - input is not a terminal" in r.stderr
    assert "stdin: true" in r.stdout and "stdinOnce: true" in r.stdout and "tty" not in r.stdout


def test_create_deployment_takes_its_command_after_dashdash():
    r = light_session().execute("kubectl create deployment web --image=registry.k8s.io/e2e-test-images/agnhost:2.39 "
                                "--dry-run=client -o yaml -- /agnhost serve-hostname")
    assert "command:\n        - /agnhost\n        - serve-hostname\n" in r.stdout
    r = light_session().execute("kubectl create deployment web --image=nginx --image=busybox -- date")
    assert "cannot specify multiple --image options and command" in r.stderr


def test_type_name_for_exec_and_logs_picks_one_of_the_pods():
    from k8slab.shell.kubectl.pods import pod_for

    session = light_session()
    for line in ("kubectl run web-b --image=nginx -l app=web", "kubectl run web-a --image=nginx -l app=web",
                 "kubectl expose pod web-a --port=80 --name=web --selector=app=web"):
        assert session.execute(line).exit_code == 0, line
    assert pod_for(session, "default", "web-b") == ("web-b", 1)
    assert pod_for(session, "default", "pod/web-b") == ("web-b", 1)
    assert pod_for(session, "default", "svc/web") == ("web-a", 2)
    with pytest.raises(Exception, match='services "nope" not found'):
        pod_for(session, "default", "service/nope")
    with pytest.raises(Exception, match="not implemented"):
        pod_for(session, "default", "namespace/default")


def test_get_all_lists_workloads_too():
    session = light_session()
    session.execute("kubectl create deployment web --image=nginx")
    out = session.execute("kubectl get all").stdout
    assert "service/kubernetes" in out and "deployment.apps/web" in out
    assert out.index("service/kubernetes") < out.index("deployment.apps/web")


def test_wait_on_a_pod_that_does_not_exist_fails_at_once():
    import time

    from tests.unit.shell.light_session import light_session

    session = light_session()
    t0 = time.monotonic()
    out = session.execute("kubectl wait --for=condition=Ready pod/nope --timeout=30s")
    assert out.exit_code == 1 and out.stderr.strip() == 'Error from server (NotFound): pods "nope" not found'
    assert time.monotonic() - t0 < 5
    created = session.execute("kubectl wait --for=create pod/nope --timeout=0.2s")
    assert created.stderr.strip() == "error: timed out waiting for the condition on pods/nope"
    session.execute("kubectl run nope --image=nginx")
    assert session.execute("kubectl wait --for=create pod/nope").stdout.strip() == "pod/nope condition met"
