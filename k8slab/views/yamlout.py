"""YAML and JSON exactly as `kubectl get -o yaml|json` prints them.

kubectl marshals objects to JSON and converts that to YAML with go-yaml v2 (`sigs.k8s.io/yaml`).
go-yaml's emitter is a port of libyaml, like PyYAML's, so PyYAML lays the text out the same way
(2-space indent, sequences not indented under their key, 80-column folding, `|` blocks). What
differs is *when a string needs quotes*: go-yaml double-quotes any string that would read back
as something else (`"80"`, `"true"`, `"y"`, `""`, RFC3339 timestamps) and sorts keys with its
own "natural" order. The Dumper below makes those two decisions the Go way.
"""

from __future__ import annotations

import functools
import json
import math
import re
from decimal import Decimal
from typing import Any

import yaml

_STR, _INT, _FLOAT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))

# go-yaml v2 resolve.go: plain scalars that resolve to something other than a string.
_SPECIAL = {
    **{w: _BOOL for w in "y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF".split()},
    **{w: _NULL for w in ("", "~", "null", "Null", "NULL")},
    **{w: _FLOAT for w in ".nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF".split()},
    "<<": "tag:yaml.org,2002:merge",
}
_GO_INT = re.compile(r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$")
_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_DOT_FLOAT = re.compile(r"^\.[0-9]+([eE][-+]?[0-9]+)?$")
_BASE60_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_TIMESTAMP = re.compile(
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:[Zz]|[-+][0-9]{2}:[0-9]{2}))"
    r"|(?: [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?))?$"
)


def go_yaml_tag(value: str) -> str:
    """The tag go-yaml v2 would give `value` written as a plain scalar."""
    if value in _SPECIAL:
        return _SPECIAL[value]
    hint = value[:1]
    if hint == ".":
        return _FLOAT if _DOT_FLOAT.match(value) else _STR
    if hint in "+-" or hint.isdigit():
        if _TIMESTAMP.match(value):
            return "tag:yaml.org,2002:timestamp"
        plain = value.replace("_", "")
        if _GO_INT.match(plain):
            return _INT
        if _YAML_FLOAT.match(plain):
            return _FLOAT
        if re.match(r"^-?0b[01]+$", plain):
            return _INT
    return _STR


def _natural_less(a: str, b: str) -> bool:
    # go-yaml v2 keyList.Less: letters compare by rune, runs of digits compare as numbers, and a
    # letter sorts after a non-letter.
    ar, br = a, b
    for i in range(min(len(ar), len(br))):
        if ar[i] == br[i]:
            continue
        al, bl = ar[i].isalpha(), br[i].isalpha()
        if al and bl:
            return ar[i] < br[i]
        if al or bl:
            return bl
        an = bn = 0
        if ar[i] == "0" or br[i] == "0":
            j = i - 1
            while j >= 0 and ar[j].isdigit():
                if ar[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(ar) and ar[ai].isdigit():
            an = an * 10 + int(ar[ai])
            ai += 1
        bi = i
        while bi < len(br) and br[bi].isdigit():
            bn = bn * 10 + int(br[bi])
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ar[i] < br[i]
    return len(ar) < len(br)


_KEY_ORDER = functools.cmp_to_key(lambda a, b: -1 if _natural_less(a, b) else (1 if _natural_less(b, a) else 0))


def go_float(value: float) -> str:
    """Go's `strconv.FormatFloat(f, 'g', -1, 64)`, which is also what `fmt.Print` shows."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1, value) < 0 else ""
    if value == 0:
        return sign + "0"
    # repr() gives the shortest digits that round-trip, the same digits Go's shortest mode picks.
    _, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    point = len(digit_tuple) + exponent  # value = 0.<digits> * 10**point
    exp = point - 1
    # With shortest precision Go switches to %e below 1e-4 and from 1e+06 up (eprec = 6).
    if exp < -4 or exp >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


class _GoDumper(yaml.SafeDumper):
    """A PyYAML Dumper whose quoting and key order follow go-yaml v2."""

    def resolve(self, kind, value, implicit):  # noqa: D102 - PyYAML hook
        if kind is yaml.ScalarNode and implicit[0]:
            return go_yaml_tag(value)
        return super().resolve(kind, value, implicit)

    def ignore_aliases(self, data):  # noqa: D102 - PyYAML hook; Go never emits anchors
        return True


def _represent_str(dumper: _GoDumper, data: str) -> yaml.Node:
    if "\n" in data:
        style = "|"
    elif go_yaml_tag(data) != _STR or _BASE60_FLOAT.match(data):
        style = '"'
    else:
        style = None  # plain if the emitter allows it, else single-quoted, like libyaml
    return dumper.represent_scalar(_STR, data, style=style)


def _represent_dict(dumper: _GoDumper, data: dict) -> yaml.Node:
    items = sorted(((str(k), v) for k, v in data.items()), key=lambda kv: _KEY_ORDER(kv[0]))
    return dumper.represent_mapping("tag:yaml.org,2002:map", items, flow_style=False)


def _represent_list(dumper: _GoDumper, data: list) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=False)


def _represent_float(dumper: _GoDumper, data: float) -> yaml.Node:
    text = {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(go_float(data), go_float(data))
    return dumper.represent_scalar(_FLOAT, text)


_GoDumper.add_representer(str, _represent_str)
_GoDumper.add_representer(dict, _represent_dict)
_GoDumper.add_representer(list, _represent_list)
_GoDumper.add_representer(tuple, _represent_list)
_GoDumper.add_representer(float, _represent_float)
_GoDumper.add_representer(bool, lambda d, v: d.represent_scalar(_BOOL, "true" if v else "false"))
_GoDumper.add_representer(int, lambda d, v: d.represent_scalar(_INT, str(v)))
_GoDumper.add_representer(type(None), lambda d, v: d.represent_scalar(_NULL, "null"))


def dump_yaml(obj: Any) -> str:
    """`kubectl get -o yaml` text for one JSON-shaped object (ends with a newline)."""
    return yaml.dump(_jsonable(obj), Dumper=_GoDumper, allow_unicode=True, default_flow_style=False,
                     sort_keys=False, width=80, indent=2)


def dump_json(obj: Any, *, indent: int = 4) -> str:
    """`kubectl get -o json` text: sorted keys, 4-space indent, Go's HTML-safe escapes, newline."""
    return _go_json(obj, indent) + "\n"


def compact_json(obj: Any) -> str:
    """Go's `json.Marshal`: compact, sorted keys, `<>&` escaped (what jsonpath prints for maps)."""
    return _go_json(obj, None)


def _go_json(obj: Any, indent: "int | None") -> str:
    separators = (",", ": ") if indent is not None else (",", ":")
    text = json.dumps(_jsonable(obj), indent=indent, sort_keys=True, ensure_ascii=False,
                      separators=separators)
    # encoding/json escapes these even though JSON does not require it; they can only occur
    # inside strings, so replacing them in the whole text is safe.
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _jsonable(obj: Any) -> Any:
    """A copy with JSON types only; whole floats become ints, as a JSON round trip in Go gives."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float) and obj.is_integer() and abs(obj) < 1e21:
        return int(obj)
    return obj
