"""Object validation as the apiserver does it (pkg/apis/core/validation), messages verbatim.

Every function returns a list of FieldError in the apiserver's order; the store turns a non-empty
list into one Invalid error so the learner sees every problem at once.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

from k8slab.api import naming
from k8slab.api.apps_validation import UPDATE_VALIDATORS as APPS_UPDATE_VALIDATORS
from k8slab.api.apps_validation import VALIDATORS as APPS_VALIDATORS
from k8slab.api.endpoints import Endpoints
from k8slab.api.endpoints_validation import (
    validate_endpoint_slice,
    validate_endpoint_slice_update,
    validate_endpoints,
)
from k8slab.api.endpointslice import EndpointSlice
from k8slab.api.errors import FieldError
from k8slab.api.meta_validation import validate_annotations, validate_labels, validate_object_meta
from k8slab.api.namespace import Namespace
from k8slab.api.node import Node
from k8slab.api.pod import Pod
from k8slab.api.pod_validation import validate_pod_spec, validate_pod_spec_update
from k8slab.api.service import Service
from k8slab.api.service_validation import validate_service, validate_service_update

Errors = List[FieldError]

__all__ = [
    "validate", "validate_update", "validate_pod", "validate_namespace", "validate_node",
    "validate_object_meta", "validate_labels", "validate_annotations", "validate_pod_spec",
    "register_validator", "register_update_validator", "validate_for_update", "validate_service",
    "validate_endpoints", "validate_endpoint_slice",
]


def validate_pod(pod: Pod) -> Errors:
    """ValidatePodCreate: metadata (DNS-1123 subdomain name) then the spec."""
    errs = validate_object_meta(pod.metadata, True, naming.is_dns1123_subdomain)
    return errs + validate_pod_spec(pod.spec, "spec")


def validate_namespace(ns: Namespace) -> Errors:
    """A Namespace name is a DNS-1123 label; its spec finalizers are qualified names."""
    errs = validate_object_meta(ns.metadata, False, naming.is_dns1123_label)
    for i, finalizer in enumerate(ns.spec.finalizers):
        errs += [
            FieldError.invalid(f"spec.finalizers[{i}]", finalizer, msg) for msg in naming.is_qualified_name(finalizer)
        ]
    return errs


def validate_node(node: Node) -> Errors:
    """A Node name is a DNS-1123 subdomain; taints need a key and a known effect."""
    errs = validate_object_meta(node.metadata, False, naming.is_dns1123_subdomain)
    for i, taint in enumerate(node.spec.taints):
        path = f"spec.taints[{i}]"
        if not taint.key:
            errs.append(FieldError.required(f"{path}.key"))
        else:
            errs += [FieldError.invalid(f"{path}.key", taint.key, msg) for msg in naming.is_qualified_name(taint.key)]
        if not taint.effect:
            errs.append(FieldError.required(f"{path}.effect"))
        elif taint.effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            errs.append(
                FieldError.unsupported(f"{path}.effect", taint.effect, ["NoSchedule", "PreferNoSchedule", "NoExecute"])
            )
    return errs


_VALIDATORS: Dict[type, Callable[[Any], Errors]] = {
    Pod: validate_pod,
    Namespace: validate_namespace,
    Node: validate_node,
    Service: validate_service,
    Endpoints: validate_endpoints,
    EndpointSlice: validate_endpoint_slice,
    **APPS_VALIDATORS,
}

# Kinds whose update validation is one function of (old, new) with its own order of checks.
_UPDATE_VALIDATORS: Dict[type, Callable[[Any, Any], Errors]] = {
    Service: validate_service_update,
    EndpointSlice: validate_endpoint_slice_update,
    **APPS_UPDATE_VALIDATORS,
}


def register_validator(cls: type, validator: Callable[[Any], Errors]) -> None:
    """Let a later kind module plug in its create validation."""
    _VALIDATORS[cls] = validator


def register_update_validator(cls: type, validator: Callable[[Any, Any], Errors]) -> None:
    """Let a kind module plug in its whole update validation (old, new)."""
    _UPDATE_VALIDATORS[cls] = validator


def validate(obj: Any) -> Errors:
    """Create-time validation of any known kind (kinds without a validator pass)."""
    validator = _VALIDATORS.get(type(obj))
    return validator(obj) if validator is not None else []


def validate_update(old: Any, new: Any) -> Errors:
    """Update-only rules: for Pods, which spec fields may change at all."""
    if isinstance(old, Pod) and isinstance(new, Pod):
        return validate_pod_spec_update(old.spec, new.spec)
    return []


def validate_for_update(old: Any, new: Any) -> Errors:
    """Everything an update is checked against, in the apiserver's order for that kind."""
    validator = _UPDATE_VALIDATORS.get(type(new))
    if validator is not None:
        return validator(old, new)
    return validate(new) + validate_update(old, new)
