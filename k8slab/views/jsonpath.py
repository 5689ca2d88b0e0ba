"""kubectl's JSONPath template language (client-go `util/jsonpath`): `execute(template, data)`.

Results of one `{...}` action are joined by a single space; maps and lists print as compact JSON,
other values as Go's `fmt.Print` would. Missing keys print nothing, as with kubectl's default
`--allow-missing-template-keys=true`. Errors are `JSONPathError` (parsing) and
`JSONPathExecError` (evaluation), worded as client-go words them.
"""

from __future__ import annotations

from typing import Any, List, Union

from k8slab.views.jsonpath_parse import (Action, Array, Field, Filter, Ident, JSONPathError,
                                         JSONPathExecError, Literal, RangeBlock, Recursive, Text,
                                         Union_, Wildcard, parse)
from k8slab.views.yamlout import compact_json, dump_json, go_float

__all__ = ["JSONPathError", "JSONPathExecError", "execute", "find_results", "go_print", "parse"]


# ---------------------------------------------------------------------------------------------
# Evaluator

def find_results(template: Union[str, List[Any]], data: Any, *,
                 allow_missing_keys: bool = True) -> List[List[Any]]:
    """client-go `FindResults`: one list of values per template node, range bodies unrolled."""
    nodes = parse(template) if isinstance(template, str) else template
    ev = _Evaluator(allow_missing_keys)
    found: List[List[Any]] = []

    def run(body: List[Any], cur: Any) -> None:
        for node in body:
            if isinstance(node, RangeBlock):
                for value in ev.action(node.expr, [cur]):
                    run(node.body, value)
            elif isinstance(node, Text):
                found.append([node.text])
            else:
                found.append(ev.action(node, [cur]))

    run(nodes, data)
    return found


def execute(template: Union[str, List[Any]], data: Any, *, allow_missing_keys: bool = True,
            output_json: bool = False) -> str:
    """Run `template` (text or parsed nodes) over `data`; `output_json` is `-o jsonpath-as-json`."""
    out = []
    for results in find_results(template, data, allow_missing_keys=allow_missing_keys):
        if output_json:
            out.append(dump_json(results))
        else:
            out.append(" ".join(_text(r) for r in results))
    return "".join(out)


def _text(value: Any) -> str:
    """client-go PrintResults: maps and lists as compact JSON, the rest as Go's fmt.Print."""
    if isinstance(value, (dict, list)):
        return compact_json(value)
    return go_print(value)


def go_print(value: Any) -> str:
    """Go's `fmt.Sprint` of a JSON value (`<nil>`, `true`, `1e+06`, `map[a:b]`, `[x y]`)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_print(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_print(v) for v in value) + "]"
    return str(value)


def _go_type(value: Any) -> str:
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, bool):
        return "bool"
    return {str: "string", int: "int64", float: "float64"}.get(type(value), "interface {}")


class _Evaluator:
    def __init__(self, allow_missing_keys: bool):
        self.allow_missing_keys = allow_missing_keys

    def action(self, action: Action, values: List[Any]) -> List[Any]:
        for step in action.steps:
            values = self.step(step, values)
        return values

    def step(self, step: Any, values: List[Any]) -> List[Any]:
        if isinstance(step, Text):
            return [step.text]
        if isinstance(step, Literal):
            return [step.value for _ in values]
        if isinstance(step, Field):
            return self.field(step, values)
        if isinstance(step, Array):
            return self.array(step, values)
        if isinstance(step, Wildcard):
            return [child for v in values if v is not None for child in _children(v)]
        if isinstance(step, Recursive):
            return self.recursive(values)
        if isinstance(step, Union_):
            return [r for branch in step.branches for r in self.action(branch, values)]
        if isinstance(step, Filter):
            return self.filter(step, values)
        if isinstance(step, Ident):
            if step.name in ("range", "end"):
                return values
            raise JSONPathExecError(f"unrecognized identifier {step.name}")
        raise JSONPathExecError(f"unexpected Node {step}")

    def field(self, step: Field, values: List[Any]) -> List[Any]:
        if not values:
            return []
        results = [v[step.name] for v in values if isinstance(v, dict) and step.name in v]
        if not results and not self.allow_missing_keys:
            raise JSONPathExecError(f"{step.name} is not found")
        return results

    def array(self, step: Array, values: List[Any]) -> List[Any]:
        results: List[Any] = []
        for value in values:
            if value is None:
                continue
            if not isinstance(value, list):
                raise JSONPathExecError(f"{_go_type(value)} is not array or slice")
            length = len(value)
            start = step.start if step.start is not None else 0
            if start < 0:
                start += length
            end = step.end if step.end is not None else length
            if end < 0 or (end == 0 and step.derived_end):
                end += length
            if end == start:
                return results  # zero elements requested: allowed, and kubectl stops here
            if start >= length or start < 0:
                raise JSONPathExecError(f"array index out of bounds: index {start}, length {length}")
            if end > length or end < 0:
                raise JSONPathExecError(f"array index out of bounds: index {end - 1}, length {length}")
            if start > end:
                raise JSONPathExecError(f"starting index {start} is greater than ending index {end}")
            if step.step is not None and step.step <= 0:
                raise JSONPathExecError("step must be > 0")
            results.extend(value[start:end:step.step or 1])
        return results

    def recursive(self, values: List[Any]) -> List[Any]:
        results: List[Any] = []
        for value in values:
            if value is None:
                continue
            children = _children(value)
            if children:
                results.append(value)
                results.extend(self.recursive([c for c in children if not isinstance(value, str)]))
        return results

    def filter(self, step: Filter, values: List[Any]) -> List[Any]:
        results: List[Any] = []
        for value in values:
            if not isinstance(value, list):
                raise JSONPathExecError(f"{go_print(value)} is not array or slice and cannot be filtered")
            for item in value:
                if step.op == "exists":
                    try:
                        if self.action(step.left, [item]):
                            results.append(item)
                    except JSONPathExecError:
                        pass
                    continue
                lefts = self.action(step.left, [item])
                if not lefts:
                    continue
                if len(lefts) > 1:
                    raise JSONPathExecError("can only compare one element at a time")
                rights = self.action(step.right, [item])
                if not rights:
                    continue
                if len(rights) > 1:
                    raise JSONPathExecError("can only compare one element at a time")
                if _compare(step.op, lefts[0], rights[0]):
                    results.append(item)
        return results


def _children(value: Any) -> List[Any]:
    # Go walks map keys in random order; sorted keys give the same set, deterministically.
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    if isinstance(value, list):
        return list(value)
    if isinstance(value, str):
        return list(value.encode("utf-8"))  # indexing a Go string yields its bytes
    return []


def _basic_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    raise JSONPathExecError("invalid type for comparison")


def _compare(op: str, left: Any, right: Any) -> bool:
    """The forked text/template comparisons: same basic kind only, no ordering of bools."""
    if op not in ("==", "!=", "<", ">", "<=", ">="):
        raise JSONPathExecError(f"unrecognized filter operator {op}")
    k1, k2 = _basic_kind(left), _basic_kind(right)
    if k1 != k2:
        raise JSONPathExecError("incompatible types for comparison")
    if op in ("==", "!="):
        return (left == right) == (op == "==")
    if k1 == "bool":
        raise JSONPathExecError("invalid type for comparison")
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]
