"""Defaults as a real apiserver fills them in."""

import pytest

from k8slab.api.codec import from_dict, to_dict
from k8slab.api.defaults import apply_defaults, image_pull_policy, prepare_for_create, qos_class
from k8slab.api.objects import Namespace, Pod, new_meta


def defaulted(spec):
    return apply_defaults(from_dict(Pod, {"metadata": {"name": "web"}, "spec": spec}))


def test_kubectl_run_pod_spec_defaults():
    spec = to_dict(defaulted({"containers": [{"name": "web", "image": "nginx"}]}))["spec"]
    assert spec == {
        "containers": [
            {
                "name": "web",
                "image": "nginx",
                "resources": {},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
                "imagePullPolicy": "Always",
            }
        ],
        "restartPolicy": "Always",
        "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst",
        "serviceAccountName": "default",
        "serviceAccount": "default",
        "securityContext": {},
        "schedulerName": "default-scheduler",
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
        ],
        "priority": 0,
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
    }


@pytest.mark.parametrize(
    "image, policy",
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        ("localhost:5000/app", "Always"),
        ("localhost:5000/app:v1", "IfNotPresent"),
        ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
        ("busybox:1.28", "IfNotPresent"),
    ],
)
def test_image_pull_policy(image, policy):
    assert image_pull_policy(image) == policy


def test_user_values_are_kept_and_defaults_are_idempotent():
    pod = defaulted({
        "containers": [{"name": "a", "image": "nginx", "imagePullPolicy": "Never", "ports": [{"containerPort": 53, "protocol": "UDP"}, {"containerPort": 80}]}],
        "restartPolicy": "Never",
        "terminationGracePeriodSeconds": 0,
        "enableServiceLinks": False,
        "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}],
    })
    c = pod.spec.containers[0]
    assert c.image_pull_policy == "Never"
    assert [p.protocol for p in c.ports] == ["UDP", "TCP"]
    assert pod.spec.restart_policy == "Never" and pod.spec.termination_grace_period_seconds == 0
    assert pod.spec.enable_service_links is False
    assert [t["key"] for t in pod.spec.tolerations] == ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
    assert apply_defaults(pod) == pod


def test_negative_grace_period_becomes_one():
    assert defaulted({"containers": [], "terminationGracePeriodSeconds": -5}).spec.termination_grace_period_seconds == 1


def test_probe_defaults():
    probe = defaulted({"containers": [{"name": "a", "image": "x", "readinessProbe": {"httpGet": {"port": 80}, "periodSeconds": 3}}]}).spec.containers[0].readiness_probe
    assert (probe.timeout_seconds, probe.period_seconds, probe.success_threshold, probe.failure_threshold) == (1, 3, 1, 3)
    assert probe.http_get == {"port": 80, "path": "/", "scheme": "HTTP"}


def test_service_account_alias():
    assert defaulted({"containers": [], "serviceAccount": "builder"}).spec.service_account_name == "builder"


def test_create_resets_pod_status():
    pod = from_dict(Pod, {"metadata": {"name": "x"}, "spec": {"containers": [{"name": "a", "image": "x"}]}, "status": {"phase": "Running", "podIP": "1.2.3.4"}})
    status = prepare_for_create(pod).status
    assert (status.phase, status.pod_ip, status.qos_class) == ("Pending", None, "BestEffort")


@pytest.mark.parametrize(
    "resources, qos",
    [
        ([{}], "BestEffort"),
        ([{"requests": {"cpu": "100m"}}], "Burstable"),
        ([{"limits": {"cpu": "1", "memory": "1Gi"}}], "Guaranteed"),
        ([{"limits": {"cpu": "1", "memory": "1Gi"}}, {}], "Burstable"),
        ([{"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}}], "Burstable"),
    ],
)
def test_qos_class(resources, qos):
    spec = {"containers": [{"name": f"c{i}", "image": "x", "resources": r} for i, r in enumerate(resources)]}
    assert qos_class(defaulted(spec).spec) == qos


def test_namespace_defaults():
    ns = prepare_for_create(Namespace(metadata=new_meta("demo")))
    assert ns.spec.finalizers == ("kubernetes",)
    assert ns.status.phase == "Active"
    assert ns.metadata.labels == {"kubernetes.io/metadata.name": "demo"}
