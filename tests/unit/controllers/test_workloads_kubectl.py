"""kubectl's workload commands: the generated Deployment and the rollout status messages."""

from __future__ import annotations

from k8slab.api.codec import from_dict
from k8slab.api.apps import Deployment
from k8slab.shell.kubectl.workloads import container_name, deployment_manifest, deployment_rollout_message


def test_create_deployment_builds_what_kubectl_builds():
    m = deployment_manifest("web", ["nginx:1.27"], 3, "80")
    assert m["metadata"] == {"labels": {"app": "web"}, "name": "web"}
    assert m["spec"]["selector"] == {"matchLabels": {"app": "web"}} and m["spec"]["replicas"] == 3
    (c,) = m["spec"]["template"]["spec"]["containers"]
    assert c == {"image": "nginx:1.27", "name": "nginx", "resources": {}, "ports": [{"containerPort": 80}]}
    assert container_name("registry.k8s.io/e2e-test-images/agnhost:2.39") == "agnhost"
    assert container_name("my_app@sha256:abc") == "my-app"
    names = [c["name"] for c in deployment_manifest("x", ["nginx", "nginx:2"], 1, None)["spec"]["template"]["spec"]["containers"]]
    assert names == ["nginx", "nginx-1"]


def _d(generation=2, observed=2, want=3, **status):
    return from_dict(Deployment, {"apiVersion": "apps/v1", "kind": "Deployment",
                                  "metadata": {"name": "web", "generation": generation},
                                  "spec": {"replicas": want},
                                  "status": {"observedGeneration": observed, **status}})


def test_rollout_status_messages_follow_kubectl():
    assert deployment_rollout_message(_d(observed=1)) == ("Waiting for deployment spec update to be observed...", False)
    assert deployment_rollout_message(_d(updatedReplicas=1, replicas=3))[0] == \
        'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...'
    assert deployment_rollout_message(_d(updatedReplicas=3, replicas=4))[0] == \
        'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...'
    assert deployment_rollout_message(_d(updatedReplicas=3, replicas=3, availableReplicas=1))[0] == \
        'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...'
    assert deployment_rollout_message(_d(updatedReplicas=3, replicas=3, availableReplicas=3)) == \
        ('deployment "web" successfully rolled out', True)
