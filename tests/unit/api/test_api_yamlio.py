"""Manifest loading and kubectl-style dumping."""

import json

import pytest

from k8slab.api.errors import ApiError, UnknownKindError
from k8slab.api.objects import Pod
from k8slab.api.yamlio import decode_manifest, load_manifests
from k8slab.errors import UserError

MULTI = """
---
# only a comment
---
apiVersion: v1
kind: Pod
metadata:
  name: a
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: b}
- apiVersion: v1
  kind: Namespace
  metadata: {name: c}
---
null
---
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "d"}}
"""


def test_multi_document_order_lists_and_empty_documents():
    docs = load_manifests(MULTI, "all.yaml")
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("Pod", "a"), ("Pod", "b"), ("Namespace", "c"), ("Pod", "d"),
    ]


def test_yaml_to_json_keeps_timestamps_as_strings_and_stringifies_keys():
    doc = load_manifests("apiVersion: v1\nkind: Pod\nmetadata:\n  creationTimestamp: 2026-11-22T10:00:00Z\n"
                         "  annotations:\n    80: on\n", "p.yaml")[0]
    assert doc["metadata"]["creationTimestamp"] == "2026-11-22T10:00:00Z"
    assert doc["metadata"]["annotations"] == {"80": True}  # YAML 1.1 `on`, as in sigs.k8s.io/yaml


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: app: web\n",
            "error: error parsing pod.yaml: error converting YAML to JSON: yaml: line 5, column 14: ",
        ),
        (
            "apiVersion: v1\nkind: Pod\nspec:\n  containers: [a, b\n",
            "error: error parsing pod.yaml: error converting YAML to JSON: yaml: line 5, column 1: ",
        ),
    ],
)
def test_malformed_yaml_reports_line_and_column(text, message):
    with pytest.raises(UserError) as err:
        load_manifests(text, "pod.yaml")
    assert str(err.value).startswith(message)


def test_mapping_values_error_text():
    with pytest.raises(UserError, match="mapping values are not allowed"):
        load_manifests("a: b: c\n", "pod.yaml")


def test_duplicate_keys_are_rejected_like_sigs_yaml():
    with pytest.raises(UserError) as err:
        load_manifests("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n", "pod.yaml")
    assert str(err.value) == (
        "error: error parsing pod.yaml: error converting YAML to JSON: yaml: unmarshal errors:\n"
        '  line 5: key "name" already set in map'
    )


def test_document_that_is_not_a_mapping():
    with pytest.raises(UserError) as err:
        load_manifests("just a string\n", "pod.yaml")
    assert str(err.value) == (
        "error: error parsing pod.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
        "string into Go value of type map[string]interface {}"
    )


@pytest.mark.parametrize(
    "text, detail",
    [
        ("metadata: {name: x}\n", "[apiVersion not set, kind not set]"),
        ("kind: Pod\n", "apiVersion not set"),
        ("apiVersion: v1\n", "kind not set"),
    ],
)
def test_missing_type_fields(text, detail):
    with pytest.raises(UserError) as err:
        load_manifests(text, "pod.yaml")
    assert str(err.value) == (
        f'error: error validating "pod.yaml": error validating data: {detail}; '
        "if you choose to ignore these errors, turn validation off with --validate=false"
    )


def test_decode_manifest_builds_the_object():
    pod = decode_manifest(load_manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n", "p.yaml")[0], "p.yaml")
    assert isinstance(pod, Pod) and pod.metadata.name == "a"


def test_decode_manifest_unknown_field_is_a_bad_request():
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"},
           "spec": {"containers": [{"name": "a", "imagee": "nginx"}]}}
    with pytest.raises(ApiError) as err:
        decode_manifest(doc, "pod.yaml")
    assert err.value.reason == "BadRequest"
    assert err.value.render('error when creating "pod.yaml"') == (
        'Error from server (BadRequest): error when creating "pod.yaml": Pod in version "v1" cannot be handled '
        'as a Pod: strict decoding error: unknown field "spec.containers[0].imagee"'
    )


@pytest.mark.parametrize("api_version, kind", [("v1", "Foo"), ("apps/v1", "Pod")])
def test_decode_manifest_unknown_kind(api_version, kind):
    with pytest.raises(UnknownKindError) as err:
        decode_manifest({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}, "x.yaml")
    assert str(err.value) == (
        f'error: resource mapping not found for name: "x" namespace: "" from "x.yaml": '
        f'no matches for kind "{kind}" in version "{api_version}"\nensure CRDs are installed first'
    )


