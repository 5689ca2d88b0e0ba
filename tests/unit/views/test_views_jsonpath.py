"""kubectl JSONPath: the examples of the kubectl JSONPath reference page, and client-go's errors."""

from __future__ import annotations

import pytest

from k8slab.views.jsonpath import JSONPathError, JSONPathExecError, execute, find_results, parse

# The input document of https://kubernetes.io/docs/reference/kubectl/jsonpath/
DOC = {
    "kind": "List",
    "items": [
        {"kind": "None", "metadata": {"name": "127.0.0.1", "labels": {"kubernetes.io/hostname": "127.0.0.1"}},
         "status": {"capacity": {"cpu": "4"},
                    "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.1"}]}},
        {"kind": "None", "metadata": {"name": "127.0.0.2"},
         "status": {"capacity": {"cpu": "8"},
                    "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.2"},
                                  {"type": "another", "address": "127.0.0.3"}]}},
    ],
    "users": [
        {"name": "myself", "user": {}},
        {"name": "e2e", "user": {"username": "admin", "password": "secret"}},
    ],
}


@pytest.mark.parametrize("template, expected", [
    ("kind is {.kind}", "kind is List"),
    ("{.kind}", "List"),
    ("{['kind']}", "List"),
    ("{$.kind}", "List"),
    ("{..name}", "127.0.0.1 127.0.0.2 myself e2e"),
    ("{.items[*].metadata.name}", "127.0.0.1 127.0.0.2"),
    ("{.users[0].name}", "myself"),
    ("{.users[-1].name}", "e2e"),
    ("{.users[0:1].name}", "myself"),
    ("{.users[:2].name}", "myself e2e"),
    ("{.users[1:].name}", "e2e"),
    ("{.users[0:2:2].name}", "myself"),
    ("{.users[0:0].name}", ""),
    ("{.items[*]['metadata.name', 'status.capacity']}", '127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}'),
    ('{.users[?(@.name=="e2e")].user.password}', "secret"),
    ("{.users[?(@.name!='e2e')].name}", "myself"),
    ("{.users[?(@.user.password)].name}", "e2e"),
    ("{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}",
     '[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] '),
    ("{range .items[*]}{.metadata.name}{'\\t'}{end}", "127.0.0.1\t127.0.0.2\t"),
    ('{range .users[*]}{.name}{"\\n"}{end}', "myself\ne2e\n"),
    ("{range .items[*]}{range .status.addresses[*]}{.address} {end}|{end}", "127.0.0.1 |127.0.0.2 127.0.0.3 |"),
    ("{.items[0].metadata.labels.kubernetes\\.io/hostname}", "127.0.0.1"),
    ("{.items[0].metadata.labels['kubernetes\\.io/hostname']}", "127.0.0.1"),
    ("{.items[*].status.addresses[?(@.type==\"another\")].address}", "127.0.0.3"),
    ("{.users[1].user}", '{"password":"secret","username":"admin"}'),
    ("{.users[*].name}{\"\\n\"}", "myself e2e\n"),
    ("{.missing}", ""),
    ("{.items[*].missing.deeper}", ""),
    ("{.users[*].user.*}", "secret admin"),
    ("literal only", "literal only"),
    ("no\\nescape", "no\\nescape"),  # outside {} text is copied, backslashes and all
])
def test_templates(template, expected):
    assert execute(template, DOC) == expected


@pytest.mark.parametrize("data, template, expected", [
    ({"a": [{"n": 1, "v": "x"}, {"n": 5, "v": "y"}, {"n": 9, "v": "z"}]}, "{.a[?(@.n>4)].v}", "y z"),
    ({"a": [{"n": 1, "v": "x"}, {"n": 5, "v": "y"}]}, "{.a[?(@.n<=1)].v}", "x"),
    ({"a": [{"n": 1, "v": "x"}, {"n": 5, "v": "y"}]}, "{.a[?(@.n>=5)].v}", "y"),
    ({"a": [{"n": 1, "v": "x"}, {"n": 5, "v": "y"}]}, "{.a[?(@.n<5)].v}", "x"),
    ({"a": [{"ok": True, "v": "x"}, {"ok": False, "v": "y"}]}, "{.a[?(@.ok==true)].v}", "x"),
    ({"x": None, "b": False, "f": 1.5, "big": 1e6, "i": 80}, "{.x} {.b} {.f} {.big} {.i}", "<nil> false 1.5 1e+06 80"),
    ({"items": []}, "{range .items[*]}{.name}{end}done", "done"),
    ({"items": [{"name": "a"}]}, "{@}", '{"items":[{"name":"a"}]}'),
    ({"s": "<a&b>"}, "{.s} {}", '<a&b> {"s":"\\u003ca\\u0026b\\u003e"}'),
])
def test_values_and_comparisons(data, template, expected):
    assert execute(template, data) == expected


def test_pod_conditions_example():
    pod = {"status": {"conditions": [{"type": "Initialized", "status": "True"},
                                     {"type": "Ready", "status": "False"}]}}
    assert execute('{.status.conditions[?(@.type=="Ready")].status}', pod) == "False"


def test_jsonpath_as_json():
    assert execute("{.users[*].name}", DOC, output_json=True) == '[\n    "myself",\n    "e2e"\n]\n'


def test_find_results_groups_by_template_node():
    assert find_results("a{.kind}{.users[*].name}", DOC) == [["a"], ["List"], ["myself", "e2e"]]


@pytest.mark.parametrize("template, message", [
    ("{.kind", "unclosed action"),
    ("{.items[0}", "unterminated array"),
    ("{.items[?(@.a=='x']}", "unterminated filter"),
    ("{.items[?(@.a=='x')}", "unclosed array expect ]"),
    ('{"abc}', "unterminated quoted string"),
    ("{.items[x]}", "invalid array index x"),
    ("{.items[-]}", "array index - is not a number"),
    ("{#}", "unrecognized character in action: U+0023 '#'"),
    ("{....a}", "invalid multiple recursive descent"),
])
def test_parse_errors(template, message):
    with pytest.raises(JSONPathError) as err:
        parse(template)
    assert str(err.value) == message
    assert not isinstance(err.value, JSONPathExecError)


@pytest.mark.parametrize("data, template, message", [
    ({"items": []}, "{.items[0]}", "array index out of bounds: index 0, length 0"),
    ({"items": [1, 2]}, "{.items[1:5]}", "array index out of bounds: index 4, length 2"),
    ({"items": [1, 2]}, "{.items[1:0]}", "starting index 1 is greater than ending index 0"),
    ({"items": [1, 2]}, "{.items[0:2:0]}", "step must be > 0"),
    ({"items": {"a": 1}}, "{.items[0]}", "map[string]interface {} is not array or slice"),
    ({"a": [{"n": 1}]}, '{.a[?(@.n=="1")]}', "incompatible types for comparison"),
    ({"a": [{"n": True}]}, "{.a[?(@.n<true)]}", "invalid type for comparison"),
    ({"a": [{"n": [1]}]}, "{.a[?(@.n==1)]}", "invalid type for comparison"),
    ({}, "{end}", "not in range, nothing to end"),
    ({}, "{foo}", "unrecognized identifier foo"),
])
def test_execution_errors(data, template, message):
    with pytest.raises(JSONPathExecError) as err:
        execute(template, data)
    assert str(err.value) == message


def test_missing_keys_can_be_errors():
    with pytest.raises(JSONPathExecError, match="missing is not found"):
        execute("{.missing}", DOC, allow_missing_keys=False)
