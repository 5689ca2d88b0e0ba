"""Reading manifests and printing objects the way kubectl does.

Loading follows what kubectl sends to the apiserver: YAML 1.1 converted to JSON (so timestamps stay
strings and map keys become strings), one object per `---` document, `kind: List` expanded.
"""

from __future__ import annotations

from typing import Any, Dict, List

import yaml

from k8slab.api import kinds
from k8slab.api.codec import from_dict, json_type
from k8slab.api.errors import ApiError, DecodeError, UnknownKindError
from k8slab.errors import UserError

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ManifestLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader without implicit timestamps and with Go-style duplicate key errors."""


# YAML→JSON leaves `2026-11-22T10:00:00Z` a string; PyYAML would make it a datetime.
_ManifestLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


class _DuplicateKey(Exception):
    def __init__(self, line: int, key: str):
        super().__init__(key)
        self.line = line
        self.key = key


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> Dict[str, Any]:
    loader.flatten_mapping(node)
    out: Dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = _json_key(loader.construct_object(key_node, deep=True))
        if key in out:
            raise _DuplicateKey(key_node.start_mark.line + 1, key)
        out[key] = loader.construct_object(value_node, deep=True)
    return out


def _json_key(key: Any) -> str:
    # sigs.k8s.io/yaml turns non-string keys into their JSON text: 80 -> "80", true -> "true".
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


_ManifestLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _parse_error(source: str, detail: str) -> UserError:
    return UserError(f"error: error parsing {source}: {detail}")


def _yaml_error(source: str, exc: yaml.YAMLError) -> UserError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return _parse_error(source, f"error converting YAML to JSON: yaml: {where}{problem}")


def _check_type_fields(doc: Dict[str, Any], source: str) -> None:
    missing = [f"{key} not set" for key in ("apiVersion", "kind") if not doc.get(key)]
    if not missing:
        return
    # utilerrors.NewAggregate: one error is printed bare, several inside [...].
    detail = missing[0] if len(missing) == 1 else "[" + ", ".join(missing) + "]"
    raise UserError(
        f'error: error validating "{source}": error validating data: {detail}; '
        "if you choose to ignore these errors, turn validation off with --validate=false"
    )


def load_manifests(text: str, source: str) -> List[Dict[str, Any]]:
    """Parse a (multi-document) YAML or JSON manifest into object dicts, in file order."""
    try:
        documents = list(yaml.load_all(text, Loader=_ManifestLoader))
    except _DuplicateKey as dup:
        raise _parse_error(
            source,
            f'error converting YAML to JSON: yaml: unmarshal errors:\n  line {dup.line}: key "{dup.key}" already set in map',
        ) from None
    except yaml.YAMLError as exc:
        raise _yaml_error(source, exc) from None
    out: List[Dict[str, Any]] = []
    for doc in documents:
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise _parse_error(
                source,
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
                f"{json_type(doc)} into Go value of type map[string]interface {{}}",
            )
        _check_type_fields(doc, source)
        if doc.get("kind") == "List" or str(doc.get("kind", "")).endswith("List") and "items" in doc:
            items = doc.get("items") or []
            for item in items:
                if isinstance(item, dict):
                    _check_type_fields(item, source)
                    out.append(item)
            continue
        out.append(doc)
    return out


def decode_manifest(d: Dict[str, Any], source: str) -> Any:
    """Turn one manifest dict into its API object; errors carry the apiserver's message."""
    api_version = str(d.get("apiVersion", ""))
    kind = str(d.get("kind", ""))
    try:
        info = kinds.for_manifest(api_version, kind)
    except UnknownKindError as exc:
        meta = d.get("metadata") if isinstance(d.get("metadata"), dict) else {}
        raise UnknownKindError(
            f'error: resource mapping not found for name: "{meta.get("name", "")}" '
            f'namespace: "{meta.get("namespace", "")}" from "{source}": {exc}\n'
            "ensure CRDs are installed first"
        ) from None
    try:
        return from_dict(info.cls, d)
    except DecodeError as exc:
        raise ApiError(
            "BadRequest",
            f'{info.kind} in version "{info.version}" cannot be handled as a {info.kind}: {exc}',
            kind=info.kind,
            name=(d.get("metadata") or {}).get("name") if isinstance(d.get("metadata"), dict) else None,
        ) from None
