"""Kind registry: kubectl names, manifests' apiVersion/kind."""

import pytest

from k8slab.api import kinds
from k8slab.api.errors import UnknownKindError
from k8slab.api.objects import Namespace, Node, Pod


@pytest.mark.parametrize(
    "name, kind",
    [
        ("po", "Pod"), ("pod", "Pod"), ("pods", "Pod"), ("Pod", "Pod"), ("PODS", "Pod"), ("pods.v1", "Pod"),
        ("no", "Node"), ("nodes", "Node"), ("node", "Node"),
        ("ns", "Namespace"), ("namespaces", "Namespace"), ("Namespace", "Namespace"),
    ],
)
def test_resolve(name, kind):
    assert kinds.resolve(name).kind == kind


def test_resolve_unknown():
    with pytest.raises(UnknownKindError) as err:
        kinds.resolve("foo")
    assert str(err.value) == 'error: the server doesn\'t have a resource type "foo"'


def test_kind_info_fields():
    info = kinds.resolve("po")
    assert (info.api_version, info.plural, info.singular, info.short_names, info.namespaced, info.cls) == (
        "v1", "pods", "pod", ("po",), True, Pod)
    assert info.resource == "pods" and info.group == "" and info.version == "v1"
    assert not kinds.resolve("no").namespaced and kinds.resolve("no").cls is Node


@pytest.mark.parametrize("api_version, kind", [("v1", "Foo"), ("apps/v1", "Pod"), ("v1", "pod")])
def test_for_manifest_unknown(api_version, kind):
    with pytest.raises(UnknownKindError) as err:
        kinds.for_manifest(api_version, kind)
    assert str(err.value) == f'no matches for kind "{kind}" in version "{api_version}"'


def test_for_manifest_and_for_object():
    assert kinds.for_manifest("v1", "Namespace").cls is Namespace
    assert kinds.for_object(Pod()).kind == "Pod"
    assert {"Namespace", "Node", "Pod"} <= {i.kind for i in kinds.all_kinds()}
