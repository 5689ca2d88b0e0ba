"""YAML/JSON text as kubectl (go-yaml v2 / encoding/json) writes it."""

from __future__ import annotations

import pytest
import yaml

from k8slab.views.yamlout import compact_json, dump_json, dump_yaml, go_float


def test_pod_yaml_layout():
    pod = {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {"name": "busybox", "namespace": "default", "creationTimestamp": "2026-11-22T10:00:00Z",
                     "labels": {"run": "busybox"}, "resourceVersion": "1234"},
        "spec": {"containers": [{"name": "busybox", "image": "busybox", "command": ["sleep", "3600"],
                                 "resources": {}, "ports": []}],
                 "enableServiceLinks": True, "priority": 0},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": None}]},
    }
    assert dump_yaml(pod) == (
        "apiVersion: v1\n"
        "kind: Pod\n"
        "metadata:\n"
        '  creationTimestamp: "2026-11-22T10:00:00Z"\n'
        "  labels:\n"
        "    run: busybox\n"
        "  name: busybox\n"
        "  namespace: default\n"
        '  resourceVersion: "1234"\n'
        "spec:\n"
        "  containers:\n"
        "  - command:\n"
        "    - sleep\n"
        '    - "3600"\n'
        "    image: busybox\n"
        "    name: busybox\n"
        "    ports: []\n"
        "    resources: {}\n"
        "  enableServiceLinks: true\n"
        "  priority: 0\n"
        "status:\n"
        "  conditions:\n"
        "  - lastProbeTime: null\n"
        '    status: "True"\n'
        "    type: Ready\n"
        "  phase: Running\n"
    )


@pytest.mark.parametrize("value, text", [
    ("nginx", "nginx"),
    ("", '""'),
    ("80", '"80"'),
    ("0x1F", '"0x1F"'),
    ("1.5", '"1.5"'),
    ("1e3", '"1e3"'),
    (".5", '".5"'),
    ("true", '"true"'),
    ("True", '"True"'),
    ("yes", '"yes"'),
    ("y", '"y"'),          # YAML 1.1 booleans that go-yaml v2 still resolves
    ("n", '"n"'),
    ("off", '"off"'),
    ("null", '"null"'),
    ("~", '"~"'),
    ("2026-11-22", '"2026-11-22"'),
    ("2026-11-22T10:00:00Z", '"2026-11-22T10:00:00Z"'),
    ("1:20", '"1:20"'),    # base-60 float, quoted for old parsers
    ("10.244.1.2", "10.244.1.2"),
    ("1.2.3", "1.2.3"),
    ("NaN", "NaN"),
    ("a: b", "'a: b'"),    # not plain-safe but not special: libyaml picks single quotes
    ("*", "'*'"),
    ("- x", "'- x'"),
    (" lead", "' lead'"),
    ("it's", "it's"),
    ("echo hi # there", "'echo hi # there'"),
])
def test_string_quoting_follows_go_yaml(value, text):
    assert dump_yaml({"k": value}) == f"k: {text}\n"
    assert yaml.safe_load(dump_yaml({"k": value}))["k"] == value  # and it reads back as the string


def test_multiline_strings_are_literal_blocks():
    assert dump_yaml({"script": "echo one\necho two\n"}) == "script: |\n  echo one\n  echo two\n"
    assert dump_yaml({"script": "a\nb"}) == "script: |-\n  a\n  b\n"


def test_long_plain_strings_fold_at_80_columns_like_go_yaml_v2():
    message = "containers with unready status: [nginx] and a long explanation that keeps going on"
    assert dump_yaml({"message": message}) == (
        "message: 'containers with unready status: [nginx] and a long explanation that keeps\n"
        "  going on'\n"
    )


def test_keys_sort_naturally_like_go_yaml():
    assert dump_yaml({"a10": 1, "a2": 2, "B": 3, "a": 4, "a-b": 5, "ab": 6}) == (
        "B: 3\na: 4\na-b: 5\na2: 2\na10: 1\nab: 6\n"
    )


def test_numbers_bools_and_null():
    assert dump_yaml({"i": 3, "f": 0.5, "whole": 2.0, "big": 1e6, "t": True, "n": None}) == (
        'big: 1000000\nf: 0.5\ni: 3\n"n": null\nt: true\nwhole: 2\n'
    )


def test_json_is_sorted_four_space_indented_and_html_escaped():
    obj = {"b": [], "a": {"x": "<b>&</b>"}, "c": {}, "d": [1, "two", None, True]}
    assert dump_json(obj) == (
        "{\n"
        '    "a": {\n'
        '        "x": "\\u003cb\\u003e\\u0026\\u003c/b\\u003e"\n'
        "    },\n"
        '    "b": [],\n'
        '    "c": {},\n'
        '    "d": [\n'
        "        1,\n"
        '        "two",\n'
        "        null,\n"
        "        true\n"
        "    ]\n"
        "}\n"
    )


def test_compact_json_and_unicode():
    assert compact_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


@pytest.mark.parametrize("value, text", [
    (1.5, "1.5"), (2.0, "2"), (1e6, "1e+06"), (123456.0, "123456"), (1e-5, "1e-05"), (0.0001, "0.0001"),
    (-0.25, "-0.25"), (1.23456789e8, "1.23456789e+08"),
])
def test_go_float(value, text):
    assert go_float(value) == text
