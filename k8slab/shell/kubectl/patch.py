"""kubectl patch: change fields of one object with a strategic merge, JSON merge or JSON patch.

Strategic merge is kubectl's default. k8slab merges the lists Kubernetes merges by key (containers and
env by name, ports by port or containerPort) and replaces every other list, as the API's patch
strategies say for the fields learners patch; JSON merge patch (RFC 7386) replaces every list, and a
JSON patch (RFC 6902) is a list of add/remove/replace/test operations.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Dict, List

import yaml

from k8slab.api.codec import to_dict
from k8slab.api.mergepatch import apply_merge_patch
from k8slab.api.yamlio import decode_manifest
from k8slab.errors import UserError
from k8slab.shell.kubectl import KUBECTL, NAMESPACE, kind_label, namespace_of, split_targets
from k8slab.shell.registry import Command, Flag
from k8slab.shell.results import Result

# Lists that a strategic merge merges element by element, and the key that matches elements.
MERGE_KEYS = {"containers": ("name",), "initContainers": ("name",), "env": ("name",), "volumes": ("name",),
              "volumeMounts": ("mountPath",), "ports": ("port", "containerPort"), "conditions": ("type",)}


def _patch(session, args, _stdin) -> Result:
    if not args.patch:
        raise UserError("error: must specify -p to patch")
    kind = (args.type or "strategic").lower()
    if kind not in ("strategic", "merge", "json"):
        raise UserError(f'error: --type must be one of [json merge strategic], not "{args.type}"')
    targets = split_targets(args.args) if args.args else []
    if len(targets) != 1 or targets[0][1] is None:
        raise UserError("error: k8slab patches one object at a time: kubectl patch KIND NAME -p PATCH")
    info, name = targets[0]
    try:
        patch = yaml.safe_load(args.patch)
    except yaml.YAMLError as e:
        raise UserError(f'error: unable to parse "{args.patch}": {e}')
    ns = namespace_of(session, args) if info.namespaced else None
    store = session.cluster.store
    live = to_dict(store.get(info.kind, name, ns))
    if kind == "json":
        if not isinstance(patch, list):
            raise UserError("error: a JSON patch is a list of operations: "
                            "'[{\"op\": \"replace\", \"path\": \"/spec/...\", \"value\": ...}]'")
        new = json_patch(live, patch)
    else:
        if not isinstance(patch, dict):
            raise UserError(f'error: unable to parse "{args.patch}": a {kind} patch is a JSON object')
        new = strategic_merge(live, patch) if kind == "strategic" else apply_merge_patch(copy.deepcopy(live), patch)
    label = f"{kind_label(info)}/{name}"
    if new == live:
        return Result().say(f"{label} patched (no change)")
    store.update(decode_manifest(new, "patch"))  # an invalid result: the ApiError is kubectl's message
    return Result().say(f"{label} patched")


def strategic_merge(target: Any, patch: Any, field: str = "") -> Any:
    """A strategic merge patch, for the lists that Kubernetes merges by key (see MERGE_KEYS)."""
    if isinstance(patch, dict) and isinstance(target, dict):
        out = dict(target)
        for key, value in patch.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = strategic_merge(target.get(key), value, key)
        return out
    if isinstance(patch, list) and isinstance(target, list) and field in MERGE_KEYS:
        return _merge_list(target, patch, MERGE_KEYS[field], field)
    return copy.deepcopy(patch)


def _merge_list(target: List[Any], patch: List[Any], keys, field: str) -> List[Any]:
    key = next((k for k in keys if all(isinstance(e, dict) and k in e for e in patch)), None)
    if key is None:
        return copy.deepcopy(patch)
    out = [copy.deepcopy(e) for e in target]
    for element in patch:
        for i, existing in enumerate(out):
            if isinstance(existing, dict) and existing.get(key) == element[key]:
                out[i] = strategic_merge(existing, element, field)
                break
        else:
            out.append(copy.deepcopy(element))
    return out


def json_patch(target: Dict[str, Any], operations: List[Any]) -> Dict[str, Any]:
    """Apply RFC 6902 operations (add, remove, replace, test)."""
    doc = copy.deepcopy(target)
    for op in operations:
        if not isinstance(op, dict) or op.get("op") not in ("add", "remove", "replace", "test") \
                or not isinstance(op.get("path"), str):
            raise UserError(f"error: unsupported JSON patch operation {json.dumps(op)} "
                            "(k8slab knows add, remove, replace and test)")
        parent, last = _walk(doc, op["path"])
        if op["op"] == "test":
            if _get(parent, last, op["path"]) != op.get("value"):
                raise UserError(f"error: testing value {op['path']} failed")
        elif op["op"] == "remove":
            _get(parent, last, op["path"])
            del parent[int(last) if isinstance(parent, list) else last]
        elif op["op"] == "replace":
            _get(parent, last, op["path"])
            parent[int(last) if isinstance(parent, list) else last] = op.get("value")
        elif isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            parent.insert(index, op.get("value"))
        else:
            parent[last] = op.get("value")
    return doc


def _walk(doc: Any, path: str):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]
    if not parts:
        raise UserError(f"error: the JSON patch path {path!r} names no field")
    node = doc
    for part in parts[:-1]:
        node = _get(node, part, path)
    return node, parts[-1]


def _get(node: Any, part: str, path: str) -> Any:
    try:
        if isinstance(node, list):
            return node[int(part)]
        return node[part]
    except (KeyError, IndexError, ValueError, TypeError):
        raise UserError(f"error: the JSON patch path {path} does not exist in the object")


KUBECTL.add(Command(
    "patch", "change fields of a resource: strategic merge (default), JSON merge or JSON patch",
    "kubectl patch KIND NAME -p PATCH [--type strategic|merge|json]", _patch,
    flags=(Flag(("-p", "--patch"), "the patch, as JSON or YAML", value="PATCH"),
           Flag(("--type",), "strategic (default), merge or json", value="TYPE",
                choices=("strategic", "merge", "json")), NAMESPACE),
    positional=("kind", "name"),
    examples=("kubectl patch svc web -p '{\"spec\":{\"selector\":{\"app\":\"web\"}}}'",
              "kubectl patch svc web --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/ports/0/targetPort\","
              "\"value\":8080}]'",
              "kubectl patch deployment web -p '{\"spec\":{\"replicas\":3}}'")))
