"""JSON merge patches: the difference kubectl edit sends, applied to the live object."""

from __future__ import annotations

from k8slab.api.mergepatch import apply_merge_patch, create_merge_patch

ORIGINAL = {"metadata": {"name": "web", "resourceVersion": "7", "labels": {"app": "web", "tier": "front"}},
            "spec": {"ports": [{"port": 80}], "type": "ClusterIP", "replicas": 1}}


def test_only_what_changed_is_in_the_patch():
    edited = {"metadata": {"name": "web", "resourceVersion": "7", "labels": {"app": "web"}},
              "spec": {"ports": [{"port": 8080}], "type": "ClusterIP", "replicas": 1, "sessionAffinity": "ClientIP"}}
    assert create_merge_patch(ORIGINAL, edited) == {
        "metadata": {"labels": {"tier": None}},
        "spec": {"ports": [{"port": 8080}], "sessionAffinity": "ClientIP"}}
    assert create_merge_patch(ORIGINAL, ORIGINAL) == {}


def test_types_count_as_changes():
    assert create_merge_patch({"a": 1}, {"a": True}) == {"a": True}
    assert create_merge_patch({"a": 1}, {"a": "1"}) == {"a": "1"}
    assert create_merge_patch({"a": {"b": 1}}, {"a": [1]}) == {"a": [1]}


def test_the_patch_keeps_what_others_changed_meanwhile():
    live = {**ORIGINAL, "metadata": {**ORIGINAL["metadata"], "resourceVersion": "9"},
            "spec": {**ORIGINAL["spec"], "nodeName": "node2"}, "status": {"phase": "Running"}}
    patch = {"metadata": {"labels": {"tier": None}}, "spec": {"replicas": 3}}
    out = apply_merge_patch(live, patch)
    assert out["metadata"] == {"name": "web", "resourceVersion": "9", "labels": {"app": "web"}}
    assert out["spec"] == {"ports": [{"port": 80}], "type": "ClusterIP", "replicas": 3, "nodeName": "node2"}
    assert out["status"] == {"phase": "Running"}
    assert live["spec"]["replicas"] == 1  # the inputs are left alone


def test_round_trip():
    edited = {"metadata": {"name": "web"}, "spec": {"type": "NodePort", "ports": []}, "extra": {"x": {"y": 1}}}
    assert apply_merge_patch(ORIGINAL, create_merge_patch(ORIGINAL, edited)) == edited
