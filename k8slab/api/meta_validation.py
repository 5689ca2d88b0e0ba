"""ObjectMeta, label and annotation validation (apimachinery's ValidateObjectMeta and friends)."""

from __future__ import annotations

from typing import Callable, Dict, List

from k8slab.api import naming
from k8slab.api.errors import FieldError
from k8slab.api.meta import ObjectMeta

Errors = List[FieldError]
NameCheck = Callable[[str], List[str]]
_STANDARD_FINALIZERS = ("kubernetes", "orphan", "foregroundDeletion")


def validate_labels(labels: Dict[str, str], path: str) -> Errors:
    """Label keys must be qualified names and values valid label values (sorted by key)."""
    errs: Errors = []
    for key in sorted(labels):
        errs += [FieldError.invalid(path, key, msg) for msg in naming.is_qualified_name(key)]
        value = labels[key]
        errs += [FieldError.invalid(path, value, msg) for msg in naming.is_valid_label_value(value)]
    return errs


def validate_annotations(annotations: Dict[str, str], path: str) -> Errors:
    """Annotation keys must be qualified names (checked lower-cased); the total stays under 256KiB."""
    errs: Errors = []
    total = 0
    for key in sorted(annotations):
        errs += [FieldError.invalid(path, key, msg) for msg in naming.is_qualified_name(key.lower())]
        total += len(key) + len(annotations[key])
    if total > 256 * 1024:
        errs.append(FieldError("Too long", path, detail=f"may not be more than {256 * 1024} bytes"))
    return errs


def _mask_trailing_dash(name: str) -> str:
    # A generateName prefix may end in '-': the random suffix makes the final name valid.
    return name[:-1] + "a" if len(name) > 1 and name.endswith("-") else name


def validate_object_meta(meta: ObjectMeta, namespaced: bool, name_check: NameCheck, path: str = "metadata") -> Errors:
    """ValidateObjectMeta: name or generateName, namespace, labels, annotations, finalizers."""
    errs: Errors = []
    if meta.generate_name:
        errs += [
            FieldError.invalid(f"{path}.generateName", meta.generate_name, msg)
            for msg in name_check(_mask_trailing_dash(meta.generate_name))
        ]
    if not meta.name:
        errs.append(FieldError.required(f"{path}.name", "name or generateName is required"))
    else:
        errs += [FieldError.invalid(f"{path}.name", meta.name, msg) for msg in name_check(meta.name)]
    if namespaced:
        if not meta.namespace:
            errs.append(FieldError.required(f"{path}.namespace"))
        else:
            errs += [
                FieldError.invalid(f"{path}.namespace", meta.namespace, msg)
                for msg in naming.is_dns1123_label(meta.namespace)
            ]
    elif meta.namespace:
        errs.append(FieldError.forbidden(f"{path}.namespace", "not allowed on this type"))
    if meta.generation is not None and meta.generation < 0:
        errs.append(FieldError.invalid(f"{path}.generation", meta.generation, "must be greater than or equal to 0"))
    errs += validate_labels(meta.labels, f"{path}.labels")
    errs += validate_annotations(meta.annotations, f"{path}.annotations")
    for finalizer in meta.finalizers:
        where = f"{path}.finalizers"
        errs += [FieldError.invalid(where, finalizer, msg) for msg in naming.is_qualified_name(finalizer)]
        if "/" not in finalizer and finalizer not in _STANDARD_FINALIZERS:
            detail = "name is neither a standard finalizer name nor is it fully qualified"
            errs.append(FieldError.invalid(where, finalizer, detail))
    return errs
