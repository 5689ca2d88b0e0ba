"""`kubectl get -o ...` for the non-table formats: yaml, json, name, jsonpath, custom-columns.

Objects arrive in their JSON dict form. One named object (`single=True`) prints as itself; any
other result prints as a `v1 List`, which is what jsonpath and yaml/json see too. Every function
returns exactly what kubectl writes to stdout; kubectl's errors are raised as `UserError` with
kubectl's wording (`error: ...`).
"""

from __future__ import annotations

import re
from typing import Any, List, Sequence

from k8slab.errors import UserError
from k8slab.views.jsonpath import JSONPathError, JSONPathExecError, execute, find_results, go_print, parse
from k8slab.views.tabwriter import tabify
from k8slab.views.yamlout import dump_json, dump_yaml

ALLOWED_FORMATS = ("custom-columns", "custom-columns-file", "go-template", "go-template-file", "json",
                   "jsonpath", "jsonpath-as-json", "jsonpath-file", "name", "template", "templatefile",
                   "wide", "yaml")
# Formats kubectl has but k8slab does not: they need Go templates or reading files.
_UNSUPPORTED = ("custom-columns-file", "go-template", "go-template-file", "jsonpath-file", "template",
                "templatefile")
_RELAXED = re.compile(r"^\{\.?([^{}]+)\}$|^\.?([^{}]+)$")


def as_list(items: Sequence[dict]) -> dict:
    """The `v1 List` kubectl wraps several objects in."""
    return {"apiVersion": "v1", "items": list(items), "kind": "List", "metadata": {"resourceVersion": ""}}


def render_output(items: Sequence[dict], fmt: str, *, single: bool, no_headers: bool = False) -> str:
    """Print `items` in output format `fmt` (`yaml`, `json`, `name`, `jsonpath=...`, ...)."""
    items = [_without_managed_fields(i) for i in items]
    obj: dict = items[0] if single and items else as_list(items)
    name, sep, arg = fmt.partition("=")
    if fmt == "yaml":
        return dump_yaml(obj)
    if fmt == "json":
        return dump_json(obj)
    if fmt == "name":
        return "".join(f"{resource_name(i)}\n" for i in items)
    if name in ("jsonpath", "jsonpath-as-json") and (sep or fmt == name):
        return _jsonpath(arg, obj, as_json=name == "jsonpath-as-json")
    if name == "custom-columns" and (sep or fmt == name):
        return custom_columns(arg, items, no_headers=no_headers)
    if fmt == "wide":
        raise ValueError("-o wide is a table: use tables.render_table(..., wide=True)")
    if name in _UNSUPPORTED:
        raise UserError(f'error: k8slab does not support the output format "{name}"; '
                        "use -o jsonpath=... or -o custom-columns=... instead")
    raise UserError(f"error: unable to match a printer suitable for the output format {_go_quote(fmt)}, "
                    f"allowed formats are: {','.join(ALLOWED_FORMATS)}")


def resource_name(item: dict) -> str:
    """`-o name`: `pod/web`, `deployment.apps/web` (kind lower-cased, group if not core)."""
    group = (item.get("apiVersion") or "").rpartition("/")[0]
    kind = (item.get("kind") or "").lower()
    name = (item.get("metadata") or {}).get("name", "")
    return f"{kind}.{group}/{name}" if group else f"{kind}/{name}"


def _without_managed_fields(item: dict) -> dict:
    # kubectl hides metadata.managedFields unless --show-managed-fields is given.
    meta = item.get("metadata")
    if not isinstance(meta, dict) or "managedFields" not in meta:
        return item
    return {**item, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}


def _jsonpath(template: str, obj: dict, *, as_json: bool) -> str:
    if not template:
        raise UserError("error: template format specified but no template given")
    try:
        nodes = parse(template)
    except JSONPathExecError as err:
        raise UserError(_exec_error(template, err, obj)) from None
    except JSONPathError as err:
        raise UserError(f"error: error parsing jsonpath {template}, {err}") from None
    try:
        return execute(nodes, obj, output_json=as_json)
    except JSONPathExecError as err:
        raise UserError(_exec_error(template, err, obj)) from None


def _exec_error(template: str, err: Exception, obj: Any) -> str:
    return (f"error: error executing jsonpath {_go_quote(template)}: Error executing template: {err}. "
            "Printing more information for debugging the template:\n"
            f"\ttemplate was:\n\t\t{template}\n"
            f"\tobject given to jsonpath engine was:\n\t\t{go_sharp_v(obj)}")


def custom_columns(spec: str, items: Sequence[dict], *, no_headers: bool = False) -> str:
    """`-o custom-columns=HEADER:.path,...`: one row per item, `<none>` where nothing matches."""
    if not spec:
        raise UserError("error: custom-columns format specified but no custom columns given")
    headers: List[str] = []
    templates: List[List[Any]] = []
    for part in spec.split(","):
        header, sep, path = part.partition(":")
        if not sep:
            raise UserError(f"error: unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")
        headers.append(header)
        try:
            templates.append(parse(_relaxed_path(path)))
        except JSONPathError as err:
            raise UserError(f"error: {err}") from None
    lines = [] if no_headers else ["\t".join(headers)]
    for item in items:
        cells = []
        for nodes in templates:
            try:
                found = find_results(nodes, item)
            except JSONPathExecError as err:
                raise UserError(f"error: {err}") from None
            values = [go_print(v) for results in found for v in results]
            empty = not found or not found[0]
            cells.append(",".join((["<none>"] if empty else []) + values).replace("\x1b", "^["))
        lines.append("\t".join(cells))
    return tabify("".join(line + "\n" for line in lines))


def _relaxed_path(path: str) -> str:
    """kubectl's `RelaxedJSONPathExpression`: `.a.b`, `a.b`, `{a.b}` and `{.a.b}` all mean `{.a.b}`."""
    if not path:
        return path
    m = _RELAXED.match(path)
    if not m:
        raise UserError("error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
                        "'{name1.name2}' or '{.name1.name2}'")
    return "{." + (m.group(1) or m.group(2)) + "}"


def _go_quote(text: str) -> str:
    """Go's `%q` for the characters that occur in practice."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def go_sharp_v(value: Any) -> str:
    """Go's `%#v` of an unstructured JSON value (kubectl dumps the object this way on errors)."""
    if isinstance(value, dict):
        inner = ", ".join(f"{_go_quote(str(k))}:{go_sharp_v(value[k])}" for k in sorted(value))
        return "map[string]interface {}{" + inner + "}"
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(go_sharp_v(v) for v in value) + "}"
    if isinstance(value, str):
        return _go_quote(value)
    if value is None:
        return "interface {}(nil)"
    return go_print(value)
