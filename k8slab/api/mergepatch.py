"""JSON merge patches (RFC 7386): what changed between two versions of an object, applied to a third.

`kubectl edit` sends the difference between the object it showed and the one the learner saved, not
the whole saved object: fields nobody touched (resourceVersion, status, a nodeName the scheduler set
meanwhile) keep their live values. Lists are replaced whole, as in a JSON merge patch.
"""

from __future__ import annotations

import copy
from typing import Any, Dict


def create_merge_patch(original: Dict[str, Any], modified: Dict[str, Any]) -> Dict[str, Any]:
    """The patch that turns `original` into `modified` (removed keys map to None)."""
    patch: Dict[str, Any] = {}
    for key in original:
        if key not in modified:
            patch[key] = None
    for key, value in modified.items():
        old = original.get(key, _MISSING)
        if isinstance(value, dict) and isinstance(old, dict):
            inner = create_merge_patch(old, value)
            if inner:
                patch[key] = inner
        elif old is _MISSING or old != value or type(old) is not type(value):
            patch[key] = copy.deepcopy(value)
    return patch


def apply_merge_patch(target: Dict[str, Any], patch: Dict[str, Any]) -> Dict[str, Any]:
    """`target` with `patch` merged in (a new dict; neither argument changes)."""
    out = copy.deepcopy(target)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict):
            base = out.get(key)
            out[key] = apply_merge_patch(base if isinstance(base, dict) else {}, value)
        else:
            out[key] = copy.deepcopy(value)
    return out


_MISSING = object()
