"""apps/v1 defaulting: what `kubectl get <workload> -o yaml` shows right after creation."""

from __future__ import annotations

from k8slab.api.apps import DaemonSet, Deployment, ReplicaSet, StatefulSet
from k8slab.api.codec import from_dict, to_dict
from k8slab.api.defaults import apply_defaults, prepare_for_create
from k8slab.api.store import Store

TEMPLATE = {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80}]}]}}
DEFAULTED_TEMPLATE_SPEC = {
    "containers": [{
        "name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80, "protocol": "TCP"}],
        "resources": {}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
    }],
    "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
    "securityContext": {}, "schedulerName": "default-scheduler",
}


def manifest(kind: str, **spec) -> dict:
    spec.setdefault("selector", {"matchLabels": {"app": "web"}})
    spec.setdefault("template", TEMPLATE)
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "web", "namespace": "default"}, "spec": spec}


def defaulted_spec(cls, kind: str, **spec) -> dict:
    return to_dict(prepare_for_create(from_dict(cls, manifest(kind, **spec))))["spec"]


def test_deployment_defaults():
    spec = defaulted_spec(Deployment, "Deployment")
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    assert spec["template"]["spec"] == DEFAULTED_TEMPLATE_SPEC


def test_template_gets_no_admission_defaults():
    # Tolerations, serviceAccountName, priority, enableServiceLinks come only to real Pods.
    spec = defaulted_spec(Deployment, "Deployment")["template"]["spec"]
    for key in ("tolerations", "serviceAccountName", "serviceAccount", "priority", "enableServiceLinks",
                "preemptionPolicy"):
        assert key not in spec


def test_deployment_keeps_what_is_written():
    spec = defaulted_spec(Deployment, "Deployment", replicas=0, strategy={"type": "Recreate"},
                          revisionHistoryLimit=0, progressDeadlineSeconds=30)
    assert spec["replicas"] == 0
    assert spec["strategy"] == {"type": "Recreate"}
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (0, 30)
    partial = defaulted_spec(Deployment, "Deployment", strategy={"rollingUpdate": {"maxSurge": 1}})
    assert partial["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 1}}


def test_replica_set_defaults():
    spec = defaulted_spec(ReplicaSet, "ReplicaSet")
    assert spec["replicas"] == 1
    assert spec["template"]["spec"] == DEFAULTED_TEMPLATE_SPEC


def test_stateful_set_defaults():
    spec = defaulted_spec(StatefulSet, "StatefulSet", serviceName="web")
    assert spec["replicas"] == 1
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert spec["template"]["spec"] == DEFAULTED_TEMPLATE_SPEC


def test_stateful_set_explicit_rolling_update_without_body_stays_bare():
    # SetDefaults_StatefulSet only creates rollingUpdate when it defaulted the type itself.
    spec = defaulted_spec(StatefulSet, "StatefulSet", updateStrategy={"type": "RollingUpdate"})
    assert spec["updateStrategy"] == {"type": "RollingUpdate"}
    spec = defaulted_spec(StatefulSet, "StatefulSet", updateStrategy={"type": "OnDelete"})
    assert spec["updateStrategy"] == {"type": "OnDelete"}


def test_daemon_set_defaults():
    spec = defaulted_spec(DaemonSet, "DaemonSet")
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert spec["revisionHistoryLimit"] == 10
    assert "replicas" not in spec
    assert spec["template"]["spec"] == DEFAULTED_TEMPLATE_SPEC


def test_defaults_are_idempotent_and_status_is_reset():
    for cls, kind in ((Deployment, "Deployment"), (ReplicaSet, "ReplicaSet"), (StatefulSet, "StatefulSet"),
                      (DaemonSet, "DaemonSet")):
        data = manifest(kind)
        data["status"] = {"observedGeneration": 7}
        created = prepare_for_create(from_dict(cls, data))
        assert apply_defaults(created) == created
        assert to_dict(created).get("status", {}).get("observedGeneration") is None


def test_store_applies_defaults_on_create():
    store = Store()
    created = store.create(from_dict(Deployment, manifest("Deployment")))
    assert created.spec.replicas == 1
    assert created.spec.template.spec.restart_policy == "Always"
    assert created.spec.template.spec.tolerations == ()
