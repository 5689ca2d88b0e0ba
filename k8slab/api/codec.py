"""Generic JSON codec for the API dataclasses, driven by their type hints.

Encoding mirrors Go's `encoding/json` with `omitempty`; decoding mirrors the apiserver's strict
decoder (`sigs.k8s.io/json`): unknown fields are collected and reported together, a value of the
wrong type fails with Go's `UnmarshalTypeError` text. Per-field JSON names and emission rules are
declared with `json_field(...)` metadata so the classes stay plain dataclasses.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Optional, Tuple

from k8slab.api.errors import DecodeError

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)

_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def json_field(
    default: Any = None,
    *,
    json: Optional[str] = None,
    always: bool = False,
    omitempty: bool = False,
    go: Optional[str] = None,
    factory: Any = None,
    quantities: bool = False,
) -> Any:
    """Declare a dataclass field with its JSON name and emission rules.

    always: emit even when empty/zero (Go fields without omitempty); omitempty: also omit False/0/""
    (Go non-pointer scalars); go: the Go type named in decode errors; quantities: a map of resource
    quantities, where numbers are accepted and kept as strings.
    """
    meta = {"json": json, "always": always, "omitempty": omitempty, "go": go, "quantities": quantities}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def snake_to_camel(name: str) -> str:
    """`termination_grace_period_seconds` -> `terminationGracePeriodSeconds`."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def format_timestamp(dt: datetime) -> str:
    """RFC3339 in UTC with second precision: `2026-11-22T10:00:00Z`."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> datetime:
    """Parse an RFC3339 timestamp into an aware UTC datetime (ValueError with Go's text)."""
    m = _RFC3339.match(text)
    if not m:
        raise ValueError(f'parsing time "{text}" as "2006-01-02T15:04:05Z07:00": cannot parse "{text}" as "2006"')
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    micro = int((m.group(7) or ".0")[1:7].ljust(6, "0"))
    zone = m.group(8)
    if zone in ("Z", "z"):
        tz = timezone.utc
    else:
        sign = 1 if zone[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    try:
        dt = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError as exc:
        raise ValueError(f'parsing time "{text}": {exc}') from None
    return dt.astimezone(timezone.utc)


@dataclasses.dataclass(frozen=True)
class _Field:
    attr: str
    json: str
    hint: Any
    optional: bool
    always: bool
    omitempty: bool
    go: Optional[str]
    quantities: bool


_FIELDS: Dict[type, Tuple[_Field, ...]] = {}
_BY_JSON: Dict[type, Dict[str, _Field]] = {}


def _strip_optional(hint: Any) -> Tuple[Any, bool]:
    if typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return hint, False


def fields_of(cls: type) -> Tuple[_Field, ...]:
    """The codec's view of a dataclass's fields, computed once per class."""
    cached = _FIELDS.get(cls)
    if cached is not None:
        return cached
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        hint, optional = _strip_optional(hints[f.name])
        md = f.metadata
        out.append(
            _Field(
                attr=f.name,
                json=md.get("json") or snake_to_camel(f.name),
                hint=hint,
                optional=optional,
                always=bool(md.get("always")),
                omitempty=bool(md.get("omitempty")),
                go=md.get("go"),
                quantities=bool(md.get("quantities")),
            )
        )
    result = tuple(out)
    _FIELDS[cls] = result
    _BY_JSON[cls] = {f.json: f for f in result}
    return result


# ---------------------------------------------------------------- encoding


def _copy_json(value: Any) -> Any:
    # Decoded opaque values must not alias the caller's input, which it may mutate later.
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy_json(v) for v in value]
    return value


_SCALARS = frozenset((str, int, float, bool, type(None)))


def _encode(value: Any) -> Any:
    # Always builds new containers: opaque values are shared with the frozen object, and callers
    # may mutate what to_dict returns. The common types are tested first, by exact type: this runs
    # for every field of every object a table lists.
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple or kind is list:
        return [_encode(v) for v in value]
    if kind is dict:
        return {k: _encode(v) for k, v in value.items()}
    if hasattr(kind, "__dataclass_fields__"):
        return to_dict(value)
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def to_dict(obj: Any) -> Dict[str, Any]:
    """Encode a dataclass to its JSON form: camelCase keys, empty values omitted like Go."""
    out: Dict[str, Any] = {}
    api_version = getattr(type(obj), "api_version", None)
    if isinstance(api_version, str):
        out["apiVersion"] = api_version
        out["kind"] = type(obj).kind
    for f in fields_of(type(obj)):
        value = getattr(obj, f.attr)
        if value is None:
            continue
        if f.omitempty and not f.always and value in (False, 0, ""):
            continue
        encoded = _encode(value)
        if not f.always and not f.optional and encoded in ({}, [], ()):
            # Optional fields are Go pointers: a set-but-empty struct (`securityContext: {}`) shows.
            continue
        out[f.json] = encoded
    return out


# ---------------------------------------------------------------- decoding


def json_type(value: Any) -> str:
    """How Go's encoding/json names a decoded JSON value's type in its errors."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return "null"


def go_type(hint: Any, override: Optional[str] = None) -> str:
    """The Go type name a hint stands for, as printed in decode errors."""
    if override:
        return override
    hint, _ = _strip_optional(hint)
    if hint is str:
        return "string"
    if hint is bool:
        return "bool"
    if hint is int:
        return "int32"
    if hint is float:
        return "float64"
    if hint is datetime:
        return "v1.Time"
    if hint is Any:
        return "interface {}"
    origin = typing.get_origin(hint)
    if origin in (tuple, list):
        return "[]" + go_type(typing.get_args(hint)[0])
    if origin is dict:
        return "map[string]" + go_type(typing.get_args(hint)[1])
    if dataclasses.is_dataclass(hint):
        return "v1." + getattr(hint, "go_name", hint.__name__)
    return str(hint)


class _Ctx:
    """Decoding state: unknown fields found so far and where we are in Go's terms."""

    def __init__(self) -> None:
        self.unknown: list = []


def _type_error(value: Any, where: Tuple[str, str], target: str, literal: bool = False) -> DecodeError:
    struct, go_path = where
    what = json_type(value)
    if literal:
        what += f" {value}"
    return DecodeError(f"json: cannot unmarshal {what} into Go struct field {struct}.{go_path} of type {target}")


def _decode(
    hint: Any,
    value: Any,
    path: str,
    where: Tuple[str, str],
    ctx: _Ctx,
    go: Optional[str] = None,
    quantities: bool = False,
) -> Any:
    """Decode one JSON value; `where` is (Go struct name, Go field path) for error messages."""
    hint, _ = _strip_optional(hint)
    if value is None:
        # JSON null leaves the Go field at its zero value; our zero value for everything is "unset".
        return None
    if hint is Any:
        return _copy_json(value)
    if hint is str:
        if not isinstance(value, str):
            raise _type_error(value, where, "string")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise _type_error(value, where, "bool")
        return value
    if hint is int:
        target = go or "int32"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(value, where, target)
        if isinstance(value, float) and not value.is_integer():
            raise _type_error(value, where, target, literal=True)
        low, high = _INT_RANGES.get(target, _INT_RANGES["int64"])
        if not low <= int(value) <= high:
            raise _type_error(value, where, target, literal=True)
        return int(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(value, where, "float64")
        return float(value)
    if hint is datetime:
        if not isinstance(value, str):
            raise DecodeError(f"json: cannot unmarshal {json_type(value)} into Go value of type string")
        try:
            return parse_timestamp(value)
        except ValueError as exc:
            raise DecodeError(str(exc)) from None
    origin = typing.get_origin(hint)
    if origin in (tuple, list):
        if not isinstance(value, list):
            raise _type_error(value, where, go_type(hint, go))
        item_hint = typing.get_args(hint)[0]
        # A declared `[]v1.Volume` names its items `v1.Volume` in errors.
        item_go = go[2:] if go and go.startswith("[]") else None
        return tuple(_decode(item_hint, v, f"{path}[{i}]", where, ctx, item_go) for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise _type_error(value, where, go_type(hint, go))
        value_hint = typing.get_args(hint)[1]
        out = {}
        for k, v in value.items():
            if quantities and isinstance(v, (int, float)) and not isinstance(v, bool):
                v = str(v)  # resource.Quantity accepts JSON numbers
            out[str(k)] = _decode(value_hint, v, f"{path}.{k}", where, ctx)
        return out
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise _type_error(value, where, go_type(hint, go))
        return _decode_struct(hint, value, path, where[1], ctx)
    raise TypeError(f"codec cannot decode into {hint!r}")


def _decode_struct(cls: type, data: Dict[str, Any], path: str, go_path: str, ctx: _Ctx) -> Any:
    fields_of(cls)
    by_json = _BY_JSON[cls]
    ignored = getattr(cls, "json_ignored", ())
    top_level = isinstance(getattr(cls, "api_version", None), str)
    struct = getattr(cls, "go_name", cls.__name__)
    kwargs = {}
    for key, value in data.items():
        key = str(key)
        f = by_json.get(key)
        if f is None:
            if key in ignored or (top_level and key in ("apiVersion", "kind")):
                continue
            ctx.unknown.append(f"{path}.{key}" if path else key)
            continue
        sub_go = f"{go_path}.{key}" if go_path else key
        sub_path = f"{path}.{key}" if path else key
        decoded = _decode(f.hint, value, sub_path, (struct, sub_go), ctx, f.go, f.quantities)
        if decoded is not None:
            kwargs[f.attr] = decoded
    return cls(**kwargs)


def from_dict(cls: type, data: Any, path: str = "") -> Any:
    """Strictly decode JSON-like data into `cls`; DecodeError says what and where, like the apiserver."""
    if not isinstance(data, dict):
        raise DecodeError(
            f"json: cannot unmarshal {json_type(data)} into Go value of type {go_type(cls)}"
        )
    ctx = _Ctx()
    # Go's error context names struct fields only, never list indices.
    obj = _decode_struct(cls, data, path, re.sub(r"\[\d+\]", "", path), ctx)
    if ctx.unknown:
        raise DecodeError(
            "strict decoding error: " + ", ".join(f'unknown field "{p}"' for p in ctx.unknown)
        )
    return obj
