"""apps/v1 validation: every message as kubectl prints it, through Store.create/update."""

from __future__ import annotations

import copy
from typing import List

import pytest

from k8slab.api.apps import DaemonSet, Deployment, ReplicaSet, StatefulSet
from k8slab.api.codec import from_dict
from k8slab.api.errors import ApiError
from k8slab.api.store import Store

CLASSES = {"Deployment": Deployment, "ReplicaSet": ReplicaSet, "StatefulSet": StatefulSet, "DaemonSet": DaemonSet}
RFC1123_SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                     "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
                     "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
RFC1123_LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
                 "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
                 "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
PERCENT = ("a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', "
           "regex used for validation is '[0-9]+%')")
EMPTY_SEL = "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"
MISMATCH = "`selector` does not match template `labels`"


def manifest(kind: str, name: str = "web", labels=None, **spec) -> dict:
    spec.setdefault("selector", {"matchLabels": {"app": "web"}})
    if spec["selector"] is None:
        del spec["selector"]
    container = {"name": "nginx", "image": "nginx:1.25"}
    template = spec.setdefault("template", {"metadata": {"labels": labels or {"app": "web"}},
                                            "spec": {"containers": [container]}})
    template["spec"].update(spec.pop("pod", {}))
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def create_error(kind: str, data: dict) -> str:
    with pytest.raises(ApiError) as info:
        Store().create(from_dict(CLASSES[kind], data))
    return info.value.render()


def kubectl_invalid(kind: str, name: str, causes: List[str]) -> str:
    head = f'The {kind} "{name}" is invalid'
    if len(causes) == 1:
        return f"{head}: {causes[0]}"
    return f"{head}: \n" + "\n".join(f"* {c}" for c in causes)


CREATE_CASES = [
    ("deploy-no-selector", "Deployment", {"selector": None, "labels": {"app": "x"}}, [
        "spec.selector: Required value",
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: ' + MISMATCH]),
    ("deploy-mismatch", "Deployment", {"labels": {"app": "other"}}, [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: ' + MISMATCH]),
    ("deploy-no-template-labels", "Deployment", {"template": {"spec": {"containers": [
        {"name": "nginx", "image": "nginx"}]}}}, [
        "spec.template.metadata.labels: Invalid value: map[string]string(nil): " + MISMATCH]),
    ("deploy-empty-selector", "Deployment", {"selector": {}}, [
        f"spec.selector: Invalid value: {EMPTY_SEL}: empty selector is invalid for deployment"]),
    ("deploy-negative-replicas", "Deployment", {"replicas": -1}, [
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0"]),
    ("deploy-restart-never", "Deployment", {"pod": {"restartPolicy": "Never"}}, [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']),
    ("deploy-bad-name", "Deployment", {"name": "Web_1"}, [
        f'metadata.name: Invalid value: "Web_1": {RFC1123_SUBDOMAIN}']),
    ("deploy-pod-rules", "Deployment", {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {
        "containers": [{"name": "Nginx", "image": ""}]}}}, [
        f'spec.template.spec.containers[0].name: Invalid value: "Nginx": {RFC1123_LABEL}',
        "spec.template.spec.containers[0].image: Required value"]),
    ("deploy-no-containers", "Deployment", {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {}}}, [
        "spec.template.spec.containers: Required value"]),
    ("deploy-bad-strategy", "Deployment", {"strategy": {"type": "Blue"}}, [
        'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"Blue", '
        'RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"']),
    ("deploy-recreate-with-rolling", "Deployment", {"strategy": {"type": "Recreate", "rollingUpdate": {}}}, [
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]),
    ("deploy-both-zero", "Deployment", {"strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}}, [
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"]),
    ("deploy-bad-percent", "Deployment", {"strategy": {"rollingUpdate": {"maxSurge": "half"}}}, [
        'spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"half"}: '
        + PERCENT]),
    ("deploy-over-100", "Deployment", {"strategy": {"rollingUpdate": {"maxUnavailable": "150%"}}}, [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, '
        'StrVal:"150%"}: must not be greater than 100%']),
    ("deploy-deadline", "Deployment", {"minReadySeconds": 10, "progressDeadlineSeconds": 10}, [
        "spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds"]),
    ("deploy-bad-operator", "Deployment", {"selector": {"matchExpressions": [
        {"key": "app", "operator": "Is", "values": ["web"]}]}}, [
        'spec.selector.matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator',
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), '
        'MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Is", '
        'Values:[]string{"web"}}}}: invalid label selector']),
    ("deploy-in-without-values", "Deployment", {"selector": {"matchExpressions": [
        {"key": "app", "operator": "In"}]}}, [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or "
        "'NotIn'",
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), '
        'MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", '
        'Values:[]string(nil)}}}: invalid label selector']),
    ("deploy-expression-match", "Deployment", {"selector": {"matchExpressions": [
        {"key": "app", "operator": "In", "values": ["web", "api"]}]}}, []),
    ("rs-empty-selector-says-deployment", "ReplicaSet", {"selector": {}}, [
        f"spec.selector: Invalid value: {EMPTY_SEL}: empty selector is invalid for deployment"]),
    ("rs-no-selector", "ReplicaSet", {"selector": None}, [
        "spec.selector: Required value",
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: ' + MISMATCH]),
    ("rs-negative", "ReplicaSet", {"replicas": -2, "minReadySeconds": -1}, [
        "spec.replicas: Invalid value: -2: must be greater than or equal to 0",
        "spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0"]),
    ("rs-active-deadline", "ReplicaSet", {"pod": {"activeDeadlineSeconds": 5}}, [
        "spec.template.spec.activeDeadlineSeconds: Invalid value: 5: activeDeadlineSeconds in ReplicaSet is not "
        "Supported"]),
    ("sts-policy", "StatefulSet", {"podManagementPolicy": "Fast"}, [
        'spec.podManagementPolicy: Invalid value: "Fast": must be \'OrderedReady\' or \'Parallel\'']),
    ("sts-strategy", "StatefulSet", {"updateStrategy": {"type": "Blue"}}, [
        'spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:"Blue", '
        "RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be 'RollingUpdate' or 'OnDelete'"]),
    ("sts-ondelete-rolling", "StatefulSet", {"updateStrategy": {"type": "OnDelete", "rollingUpdate": {"partition": 2}}}, [
        "spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:2, "
        "MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'"]),
    ("sts-partition", "StatefulSet", {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": -1}}}, [
        "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0"]),
    ("sts-retention", "StatefulSet", {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Keep"}}, [
        'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: '
        '"Retain", "Delete"']),
    ("sts-dns-label-name", "StatefulSet", {"name": "web.v1"}, [
        f'metadata.name: Invalid value: "web.v1": {RFC1123_LABEL}']),
    ("sts-no-selector", "StatefulSet", {"selector": None}, [
        "spec.selector: Required value",
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: ' + MISMATCH]),
    ("sts-empty-selector", "StatefulSet", {"selector": {}}, [
        f"spec.selector: Invalid value: {EMPTY_SEL}: empty selector is invalid for statefulset"]),
    ("sts-restart-and-deadline", "StatefulSet", {"pod": {"restartPolicy": "OnFailure", "activeDeadlineSeconds": 3}}, [
        'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
        "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported"]),
    ("sts-serviceName-optional", "StatefulSet", {}, []),
    ("ds-no-selector", "DaemonSet", {"selector": None}, [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: ' + MISMATCH]),
    ("ds-empty-selector", "DaemonSet", {"selector": {}}, [
        f"spec.selector: Invalid value: {EMPTY_SEL}: empty selector is invalid for daemonset"]),
    ("ds-restart", "DaemonSet", {"pod": {"restartPolicy": "Never"}}, [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']),
    ("ds-strategy", "DaemonSet", {"updateStrategy": {"type": "Blue"}}, [
        'spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Blue", '
        'RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"']),
    ("ds-both-set", "DaemonSet", {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 1, "maxSurge": "10%"}}}, [
        'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, '
        'StrVal:"10%"}: may not be set when maxUnavailable is non-zero']),
    ("ds-both-zero", "DaemonSet", {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 0}}}, [
        "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"]),
    ("ds-pod-rules", "DaemonSet", {"pod": {"dnsPolicy": "Sometimes"}}, [
        'spec.template.spec.dnsPolicy: Unsupported value: "Sometimes": supported values: '
        '"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"']),
]


@pytest.mark.parametrize("kind,spec,causes", [c[1:] for c in CREATE_CASES], ids=[c[0] for c in CREATE_CASES])
def test_create_validation(kind, spec, causes):
    spec = copy.deepcopy(spec)
    name = spec.pop("name", "web")
    data = manifest(kind, name, spec.pop("labels", None), **spec)
    if not causes:
        assert Store().create(from_dict(CLASSES[kind], data)).metadata.name == name
        return
    assert create_error(kind, data) == kubectl_invalid(kind, name, causes)


def test_template_labels_are_validated_at_template_labels_path():
    # ValidatePodTemplateSpec checks labels under `<template>.labels` (no `metadata`), as upstream does.
    data = manifest("Deployment", labels={"app": "web", "tier": "we b"})
    text = create_error("Deployment", data)
    assert text.startswith('The Deployment "web" is invalid: spec.template.labels: Invalid value: "we b": ')
    # A selector that cannot be converted stops the template checks (LabelSelectorAsSelector fails).
    data = manifest("Deployment", selector={"matchLabels": {"app": "we b"}}, labels={"app": "we b"})
    text = create_error("Deployment", data)
    assert 'spec.selector.matchLabels: Invalid value: "we b"' in text
    assert "invalid label selector" in text and "spec.template" not in text


@pytest.mark.parametrize("kind", sorted(CLASSES))
def test_selector_is_immutable(kind):
    store = Store()
    store.create(from_dict(CLASSES[kind], manifest(kind)))
    changed = manifest(kind, selector={"matchLabels": {"app": "api"}}, labels={"app": "api"})
    with pytest.raises(ApiError) as info:
        store.update(from_dict(CLASSES[kind], changed))
    immutable = ('spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"api"}, '
                 "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable")
    causes = [immutable]
    if kind == "StatefulSet":
        causes.insert(0, "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', "
                         "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                         "'minReadySeconds' are forbidden")
    assert info.value.render() == kubectl_invalid(kind, "web", causes)


def test_updates_that_keep_the_selector_pass():
    store = Store()
    store.create(from_dict(Deployment, manifest("Deployment")))
    updated = store.update(from_dict(Deployment, manifest("Deployment", replicas=5)))
    assert updated.spec.replicas == 5
    sts = Store()
    sts.create(from_dict(StatefulSet, manifest("StatefulSet", serviceName="web")))
    assert sts.update(from_dict(StatefulSet, manifest("StatefulSet", serviceName="web", replicas=3))).spec.replicas == 3
    with pytest.raises(ApiError) as info:
        sts.update(from_dict(StatefulSet, manifest("StatefulSet", serviceName="other")))
    assert "spec: Forbidden: updates to statefulset spec" in info.value.render()

