"""`kubectl get -o yaml|json|name|jsonpath=|custom-columns=` and their errors."""

from __future__ import annotations

import json

import pytest
from views_samples import busybox_pod, nginx_pod

from k8slab.errors import UserError
from k8slab.views.output import render_output


def small(name, kind="Pod", api="v1"):
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": "default"}}


def test_yaml_single_object_is_the_object():
    assert render_output([small("web")], "yaml", single=True) == (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: default\n"
    )


def test_yaml_several_objects_are_a_list():
    assert render_output([small("a"), small("b")], "yaml", single=False) == (
        "apiVersion: v1\n"
        "items:\n"
        "- apiVersion: v1\n"
        "  kind: Pod\n"
        "  metadata:\n"
        "    name: a\n"
        "    namespace: default\n"
        "- apiVersion: v1\n"
        "  kind: Pod\n"
        "  metadata:\n"
        "    name: b\n"
        "    namespace: default\n"
        "kind: List\n"
        "metadata:\n"
        '  resourceVersion: ""\n'
    )


def test_empty_list_yaml():
    assert render_output([], "yaml", single=False) == (
        'apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ""\n'
    )


def test_json_list():
    out = render_output([small("a")], "json", single=False)
    assert out.startswith('{\n    "apiVersion": "v1",\n    "items": [\n        {\n')
    assert out.endswith('    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')
    assert json.loads(out)["items"][0]["metadata"]["name"] == "a"


def test_managed_fields_are_hidden():
    obj = small("a")
    obj["metadata"]["managedFields"] = [{"manager": "kubectl"}]
    assert "managedFields" not in render_output([obj], "yaml", single=True)
    assert "managedFields" in obj["metadata"]  # the caller's object is untouched


def test_name():
    objs = [small("web"), small("web", "Service"), small("web", "Deployment", "apps/v1"),
            small("web-abc", "EndpointSlice", "discovery.k8s.io/v1")]
    assert render_output(objs, "name", single=False) == (
        "pod/web\nservice/web\ndeployment.apps/web\nendpointslice.discovery.k8s.io/web-abc\n"
    )


def test_jsonpath_single_and_list():
    pods = [nginx_pod(), busybox_pod()]
    assert render_output(pods[:1], "jsonpath={.status.podIP}", single=True) == "10.244.1.2"
    assert render_output(pods, "jsonpath={.items[*].metadata.name}", single=False) == "nginx busybox"
    assert render_output(pods, 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.nodeName}{"\\n"}{end}',
                         single=False) == "nginx\tnode1\nbusybox\tnode2\n"
    assert render_output(pods, "jsonpath-as-json={.items[*].status.podIP}", single=False) == (
        '[\n    "10.244.1.2",\n    "10.244.2.3"\n]\n'
    )


def test_jsonpath_errors():
    with pytest.raises(UserError) as err:
        render_output([small("a")], "jsonpath={.x", single=True)
    assert str(err.value) == "error: error parsing jsonpath {.x, unclosed action"
    with pytest.raises(UserError) as err:
        render_output([small("a")], "jsonpath", single=True)
    assert str(err.value) == "error: template format specified but no template given"
    with pytest.raises(UserError) as err:
        render_output([], "jsonpath={.items[0].metadata.name}", single=False)
    assert str(err.value).startswith(
        'error: error executing jsonpath "{.items[0].metadata.name}": Error executing template: '
        "array index out of bounds: index 0, length 0. Printing more information for debugging the template:\n"
        "\ttemplate was:\n\t\t{.items[0].metadata.name}\n"
        "\tobject given to jsonpath engine was:\n"
        '\t\tmap[string]interface {}{"apiVersion":"v1", "items":[]interface {}{}, "kind":"List", '
        '"metadata":map[string]interface {}{"resourceVersion":""}}'
    )


def test_custom_columns():
    pods = [nginx_pod(), busybox_pod()]
    spec = "NAME:.metadata.name,IP:{.status.podIP},CONTAINERS:.spec.containers[*].name,PORTS:spec.containers[*].ports[*].containerPort,GONE:.x"
    assert render_output(pods, f"custom-columns={spec}", single=False) == (
        "NAME      IP           CONTAINERS   PORTS    GONE\n"
        "nginx     10.244.1.2   nginx        80       <none>\n"
        "busybox   10.244.2.3   busybox      <none>   <none>\n"
    )
    assert render_output(pods[:1], "custom-columns=L:.metadata.labels", single=True, no_headers=True) == (
        "map[run:nginx]\n"
    )


@pytest.mark.parametrize("fmt, message", [
    ("custom-columns=", "error: custom-columns format specified but no custom columns given"),
    ("custom-columns=NAME", "error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"),
    ("custom-columns=A:{x}{y}", "error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
                                "'{name1.name2}' or '{.name1.name2}'"),
    ("foo", 'error: unable to match a printer suitable for the output format "foo", allowed formats are: '
            "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,"
            "jsonpath-file,name,template,templatefile,wide,yaml"),
    ("jsonpathx={.a}", 'error: unable to match a printer suitable for the output format "jsonpathx={.a}", '
                       "allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,"
                       "jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"),
])
def test_format_errors(fmt, message):
    with pytest.raises(UserError) as err:
        render_output([small("a")], fmt, single=True)
    assert str(err.value) == message


def test_go_templates_are_refused_plainly():
    with pytest.raises(UserError, match="does not support the output format \"go-template\""):
        render_output([small("a")], "go-template={{.metadata.name}}", single=True)
