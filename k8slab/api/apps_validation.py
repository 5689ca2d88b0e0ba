"""apps/v1 validation (pkg/apis/apps/validation plus the strategies' update checks), messages verbatim.

Non-scalar bad values are quoted the way Go's `%#v` printed them (apiservers up to v1.30), e.g.
`map[string]string{"app":"web"}` and `v1.LabelSelector{MatchLabels:...}`. The order of checks is the
apiserver's, so a manifest with several problems lists them as kubectl would.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from k8slab.api import naming
from k8slab.api.apps import DaemonSet, Deployment, LabelSelector, PodTemplateSpec, ReplicaSet, StatefulSet
from k8slab.api.errors import FieldError, GoValue, go_quote
from k8slab.api.meta_validation import validate_annotations, validate_labels, validate_object_meta
from k8slab.api.pod_validation import validate_pod_spec

Errors = List[FieldError]

SELECTOR_MISMATCH = "`selector` does not match template `labels`"
IMMUTABLE = "field is immutable"
NON_NEGATIVE = "must be greater than or equal to 0"
PERCENT_MSG = naming.regex_error("a valid percent string must be a numeric string followed by an ending '%'",
                                 "[0-9]+%", "1%", "93%")
STATEFUL_SET_UPDATABLE = ("updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                          "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")
_STATEFUL_SET_MUTABLE = ("replicas", "template", "update_strategy", "min_ready_seconds", "ordinals",
                         "persistent_volume_claim_retention_policy")


# --- Go renderings of bad values -------------------------------------------------------------

def go_string_map(labels: Optional[Mapping[str, str]]) -> GoValue:
    """A `map[string]string` as `%#v` prints it (keys sorted)."""
    if not labels:
        return GoValue("map[string]string(nil)")
    return GoValue("map[string]string{" + ", ".join(
        f"{go_quote(k)}:{go_quote(labels[k])}" for k in sorted(labels)) + "}")


def _go_requirement(req: Mapping[str, Any]) -> str:
    values = req.get("values")
    values_text = ("[]string{" + ", ".join(go_quote(str(v)) for v in values) + "}") if values else "[]string(nil)"
    return (f"v1.LabelSelectorRequirement{{Key:{go_quote(str(req.get('key') or ''))}, "
            f"Operator:{go_quote(str(req.get('operator') or ''))}, Values:{values_text}}}")


def go_label_selector(selector: Optional[LabelSelector]) -> GoValue:
    """A `metav1.LabelSelector` as `%#v` prints it (a nil pointer prints `null`)."""
    if selector is None:
        return GoValue("null")
    exprs = selector.match_expressions
    exprs_text = ("[]v1.LabelSelectorRequirement{" + ", ".join(_go_requirement(e) for e in exprs) + "}"
                  if exprs else "[]v1.LabelSelectorRequirement(nil)")
    return GoValue(f"v1.LabelSelector{{MatchLabels:{go_string_map(selector.match_labels).text}, "
                   f"MatchExpressions:{exprs_text}}}")


def go_int_or_string(value: Any) -> GoValue:
    """An `intstr.IntOrString` as `%#v` prints it."""
    if isinstance(value, str):
        return GoValue(f"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{go_quote(value)}}}")
    return GoValue(f"intstr.IntOrString{{Type:0, IntVal:{int(value or 0)}, StrVal:\"\"}}")


def _go_strategy(type_name: str, kind: str, rolling_type: str, rolling: Any) -> GoValue:
    # A non-nil pointer prints as an address, which no two runs share: show the nil form's shape.
    pointer = f"(*apps.{rolling_type})(nil)" if rolling is None else f"(*apps.{rolling_type})(0xc000000000)"
    return GoValue(f"apps.{kind}{{Type:{go_quote(type_name)}, RollingUpdate:{pointer}}}")


# --- selectors -------------------------------------------------------------------------------

def validate_label_selector(selector: Optional[LabelSelector], path: str) -> Errors:
    """ValidateLabelSelector (label values checked strictly, as the apps kinds do)."""
    if selector is None:
        return []
    errs: Errors = []
    for i, req in enumerate(selector.match_expressions):
        p = f"{path}.matchExpressions[{i}]"
        req = req if isinstance(req, dict) else {}
        operator, values = req.get("operator") or "", req.get("values") or []
        if operator in ("In", "NotIn"):
            if not values:
                errs.append(FieldError.required(f"{p}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errs.append(FieldError.forbidden(
                    f"{p}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            errs.append(FieldError.invalid(f"{p}.operator", operator, "not a valid selector operator"))
        key = str(req.get("key") or "")
        errs += [FieldError.invalid(f"{p}.key", key, msg) for msg in naming.is_qualified_name(key)]
        for j, value in enumerate(values):
            errs += [FieldError.invalid(f"{p}.values[{j}]", value, msg)
                     for msg in naming.is_valid_label_value(str(value))]
    errs += validate_labels(selector.match_labels, f"{path}.matchLabels")
    return errs


def _selector_convertible(selector: Optional[LabelSelector]) -> bool:
    """Whether metav1.LabelSelectorAsSelector succeeds (a nil selector converts to "nothing")."""
    if selector is None:
        return True
    for key, value in selector.match_labels.items():
        if naming.is_qualified_name(key) or naming.is_valid_label_value(value):
            return False
    for req in selector.match_expressions:
        req = req if isinstance(req, dict) else {}
        operator, values = req.get("operator"), req.get("values") or []
        if operator in ("In", "NotIn") and not values:
            return False
        if operator in ("Exists", "DoesNotExist") and values:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
        if naming.is_qualified_name(str(req.get("key") or "")):
            return False
    return True


def selector_is_empty(selector: Optional[LabelSelector]) -> bool:
    """An empty (non-nil) selector converts to "everything", which the apps kinds never compare."""
    return selector is not None and not selector.match_labels and not selector.match_expressions


def selector_matches(selector: Optional[LabelSelector], labels: Mapping[str, str]) -> bool:
    """Whether `labels` satisfy a LabelSelector; a nil selector matches nothing."""
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in selector.match_labels.items()):
        return False
    for req in selector.match_expressions:
        key, operator, values = req.get("key"), req.get("operator"), req.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _required_selector(selector: Optional[LabelSelector], path: str, kind: str) -> Errors:
    if selector is None:
        return [FieldError.required(path)]
    errs = validate_label_selector(selector, path)
    if selector_is_empty(selector):
        errs.append(FieldError.invalid(path, go_label_selector(selector), f"empty selector is invalid for {kind}"))
    return errs


def _template_matches(selector: Optional[LabelSelector], template: PodTemplateSpec, path: str) -> Errors:
    labels = template.metadata.labels or {}
    if selector_is_empty(selector) or selector_matches(selector, labels):
        return []
    return [FieldError.invalid(f"{path}.metadata.labels", go_string_map(labels), SELECTOR_MISMATCH)]


# --- shared pieces ---------------------------------------------------------------------------

def _non_negative(path: str, value: Optional[int]) -> Errors:
    if value is not None and value < 0:
        return [FieldError.invalid(path, value, NON_NEGATIVE)]
    return []


def validate_pod_template_spec(template: PodTemplateSpec, path: str) -> Errors:
    """ValidatePodTemplateSpec: labels, annotations (note: at `<path>.labels`), then the pod spec."""
    errs = validate_labels(template.metadata.labels or {}, f"{path}.labels")
    errs += validate_annotations(template.metadata.annotations or {}, f"{path}.annotations")
    return errs + validate_pod_spec(template.spec, f"{path}.spec")


def _restart_policy_always(template: PodTemplateSpec, path: str) -> Errors:
    policy = template.spec.restart_policy
    if policy != "Always":
        return [FieldError.unsupported(f"{path}.spec.restartPolicy", policy or "", ["Always"])]
    return []


def _template_for_replica_set(selector: Optional[LabelSelector], template: PodTemplateSpec, path: str) -> Errors:
    """ValidatePodTemplateSpecForReplicaSet (Deployments use it too)."""
    errs = _template_matches(selector, template, path)
    errs += validate_pod_template_spec(template, path)
    errs += _restart_policy_always(template, path)
    ads = template.spec.active_deadline_seconds
    if ads is not None:
        errs.append(FieldError.invalid(f"{path}.spec.activeDeadlineSeconds", ads,
                                       "activeDeadlineSeconds in ReplicaSet is not Supported"))
    return errs


def _selector_or_invalid(selector: Optional[LabelSelector], path: str, detail: str) -> Optional[Errors]:
    """The error when LabelSelectorAsSelector fails, else None."""
    if _selector_convertible(selector):
        return None
    return [FieldError.invalid(path, go_label_selector(selector), detail)]


def _percent(value: Any) -> Optional[int]:
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return int(value[:-1])
    return None


def _int_or_percent_value(value: Any) -> int:
    """getIntOrPercentValue: the number of a percentage or the int itself (0 when unparsable)."""
    if isinstance(value, str):
        return _percent(value) or 0
    return int(value or 0) if isinstance(value, int) and not isinstance(value, bool) else 0


def validate_positive_int_or_percent(value: Any, path: str) -> Errors:
    """ValidatePositiveIntOrPercent: a `N%` string or a non-negative int."""
    if isinstance(value, str):
        if _percent(value) is None:
            return [FieldError.invalid(path, go_int_or_string(value), PERCENT_MSG)]
        return []
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return [FieldError.invalid(path, value, NON_NEGATIVE)]
    return []


def _not_more_than_100_percent(value: Any, path: str) -> Errors:
    percent = _percent(value)
    if percent is not None and percent > 100:
        return [FieldError.invalid(path, go_int_or_string(value), "must not be greater than 100%")]
    return []


def _selector_immutable(new: Optional[LabelSelector], old: Optional[LabelSelector]) -> Errors:
    """The apps/v1 strategies' ValidateImmutableField on spec.selector."""
    if new != old:
        return [FieldError.invalid("spec.selector", go_label_selector(new), IMMUTABLE)]
    return []


# --- Deployment ------------------------------------------------------------------------------

def _validate_deployment_strategy(d: Deployment) -> Errors:
    strategy, path = d.spec.strategy, "spec.strategy"
    type_name = strategy.type if strategy is not None else ""
    rolling = strategy.rolling_update if strategy is not None else None
    if type_name == "Recreate":
        if rolling is not None:
            return [FieldError.forbidden(f"{path}.rollingUpdate",
                                         "may not be specified when strategy `type` is 'Recreate'")]
        return []
    if type_name == "RollingUpdate":
        if rolling is None:
            return [FieldError.required(f"{path}.rollingUpdate", "this should be defaulted and never be nil")]
        p = f"{path}.rollingUpdate"
        errs = validate_positive_int_or_percent(rolling.max_unavailable, f"{p}.maxUnavailable")
        errs += validate_positive_int_or_percent(rolling.max_surge, f"{p}.maxSurge")
        if _int_or_percent_value(rolling.max_unavailable) == 0 and _int_or_percent_value(rolling.max_surge) == 0:
            value = rolling.max_unavailable
            shown = go_int_or_string(value) if isinstance(value, str) else int(value or 0)
            errs.append(FieldError.invalid(f"{p}.maxUnavailable", shown, "may not be 0 when `maxSurge` is 0"))
        return errs + _not_more_than_100_percent(rolling.max_unavailable, f"{p}.maxUnavailable")
    return [FieldError.unsupported(path, _go_strategy(type_name or "", "DeploymentStrategy",
                                                      "RollingUpdateDeployment", rolling),
                                   ["Recreate", "RollingUpdate"])]


def validate_deployment_spec(d: Deployment) -> Errors:
    """ValidateDeploymentSpec."""
    spec = d.spec
    errs = _non_negative("spec.replicas", spec.replicas)
    errs += _required_selector(spec.selector, "spec.selector", "deployment")
    bad = _selector_or_invalid(spec.selector, "spec.selector", "invalid label selector")
    errs += bad if bad is not None else _template_for_replica_set(spec.selector, spec.template, "spec.template")
    errs += _validate_deployment_strategy(d)
    errs += _non_negative("spec.minReadySeconds", spec.min_ready_seconds)
    errs += _non_negative("spec.revisionHistoryLimit", spec.revision_history_limit)
    deadline = spec.progress_deadline_seconds
    if deadline is not None:
        errs += _non_negative("spec.progressDeadlineSeconds", deadline)
        if deadline <= (spec.min_ready_seconds or 0):
            errs.append(FieldError.invalid("spec.progressDeadlineSeconds", deadline,
                                           "must be greater than minReadySeconds"))
    return errs


def validate_deployment(d: Deployment) -> Errors:
    """ValidateDeployment: metadata (DNS-1123 subdomain name), then the spec."""
    return validate_object_meta(d.metadata, True, naming.is_dns1123_subdomain) + validate_deployment_spec(d)


def validate_deployment_update(old: Deployment, new: Deployment) -> Errors:
    """ValidateDeploymentUpdate, then apps/v1's selector immutability."""
    return validate_deployment(new) + _selector_immutable(new.spec.selector, old.spec.selector)


# --- ReplicaSet ------------------------------------------------------------------------------

def validate_replica_set(rs: ReplicaSet) -> Errors:
    """ValidateReplicaSet (its empty-selector message really does say "deployment")."""
    spec = rs.spec
    errs = validate_object_meta(rs.metadata, True, naming.is_dns1123_subdomain)
    errs += _non_negative("spec.replicas", spec.replicas)
    errs += _non_negative("spec.minReadySeconds", spec.min_ready_seconds)
    errs += _required_selector(spec.selector, "spec.selector", "deployment")
    bad = _selector_or_invalid(spec.selector, "spec.selector", "invalid label selector")
    errs += bad if bad is not None else _template_for_replica_set(spec.selector, spec.template, "spec.template")
    return errs


def validate_replica_set_update(old: ReplicaSet, new: ReplicaSet) -> Errors:
    """ValidateReplicaSetUpdate, then apps/v1's selector immutability."""
    return validate_replica_set(new) + _selector_immutable(new.spec.selector, old.spec.selector)


# --- StatefulSet -----------------------------------------------------------------------------

def _validate_stateful_set_strategy(sts: StatefulSet) -> Errors:
    strategy, path = sts.spec.update_strategy, "spec.updateStrategy"
    type_name = strategy.type if strategy is not None else ""
    rolling = strategy.rolling_update if strategy is not None else None
    if not type_name:
        return [FieldError.required(path)]
    if type_name == "OnDelete":
        if rolling is not None:
            value = GoValue(f"apps.RollingUpdateStatefulSetStrategy{{Partition:{int(rolling.get('partition') or 0)}, "
                            "MaxUnavailable:(*intstr.IntOrString)(nil)}")
            return [FieldError.invalid(f"{path}.rollingUpdate", value, "only allowed for updateStrategy 'RollingUpdate'")]
        return []
    if type_name == "RollingUpdate":
        if rolling is None:
            return []
        p = f"{path}.rollingUpdate"
        errs = _non_negative(f"{p}.partition", rolling.get("partition"))
        max_unavailable = rolling.get("maxUnavailable")
        if max_unavailable is not None:
            errs += validate_positive_int_or_percent(max_unavailable, f"{p}.maxUnavailable")
            if _int_or_percent_value(max_unavailable) == 0:
                errs.append(FieldError.invalid(f"{p}.maxUnavailable", go_int_or_string(max_unavailable), "cannot be 0"))
            errs += _not_more_than_100_percent(max_unavailable, f"{p}.maxUnavailable")
        return errs
    value = _go_strategy(type_name, "StatefulSetUpdateStrategy", "RollingUpdateStatefulSetStrategy", rolling)
    return [FieldError.invalid(path, value, "must be 'RollingUpdate' or 'OnDelete'")]


def validate_stateful_set_spec(sts: StatefulSet) -> Errors:
    """ValidateStatefulSetSpec (the apiserver checks only the template's labels and annotations)."""
    spec = sts.spec
    errs: Errors = []
    policy = spec.pod_management_policy
    if not policy:
        errs.append(FieldError.required("spec.podManagementPolicy"))
    elif policy not in ("OrderedReady", "Parallel"):
        errs.append(FieldError.invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"))
    errs += _validate_stateful_set_strategy(sts)
    retention = spec.persistent_volume_claim_retention_policy
    if retention is not None:
        for key in ("whenDeleted", "whenScaled"):
            value = retention.get(key) or ""
            if value not in ("Retain", "Delete"):
                errs.append(FieldError.unsupported(f"spec.persistentVolumeClaimRetentionPolicy.{key}", value,
                                                   ["Retain", "Delete"]))
    errs += _non_negative("spec.replicas", spec.replicas)
    errs += _non_negative("spec.minReadySeconds", spec.min_ready_seconds)
    if spec.ordinals is not None:
        errs += _non_negative("spec.ordinals.start", spec.ordinals.get("start") or 0)
    errs += _required_selector(spec.selector, "spec.selector", "statefulset")
    bad = _selector_or_invalid(spec.selector, "spec.selector", "")
    if bad is not None:
        errs += bad
    else:
        errs += _template_matches(spec.selector, spec.template, "spec.template")
        errs += validate_labels(spec.template.metadata.labels or {}, "spec.template.labels")
        errs += validate_annotations(spec.template.metadata.annotations or {}, "spec.template.annotations")
    errs += _restart_policy_always(spec.template, "spec.template")
    if spec.template.spec.active_deadline_seconds is not None:
        errs.append(FieldError.forbidden("spec.template.spec.activeDeadlineSeconds",
                                         "activeDeadlineSeconds in StatefulSet is not Supported"))
    return errs


def validate_stateful_set(sts: StatefulSet) -> Errors:
    """ValidateStatefulSet: a StatefulSet's name is a DNS-1123 label (its pods are named after it)."""
    return validate_object_meta(sts.metadata, True, naming.is_dns1123_label) + validate_stateful_set_spec(sts)


def validate_stateful_set_update(old: StatefulSet, new: StatefulSet) -> Errors:
    """ValidateStatefulSetUpdate (name not rechecked), the frozen-fields rule, selector immutability."""
    errs = validate_object_meta(new.metadata, True, lambda name: []) + validate_stateful_set_spec(new)
    frozen_new = {k: v for k, v in vars(new.spec).items() if k not in _STATEFUL_SET_MUTABLE}
    frozen_old = {k: v for k, v in vars(old.spec).items() if k not in _STATEFUL_SET_MUTABLE}
    if frozen_new != frozen_old:
        errs.append(FieldError.forbidden("spec", STATEFUL_SET_UPDATABLE))
    return errs + _selector_immutable(new.spec.selector, old.spec.selector)


# --- DaemonSet -------------------------------------------------------------------------------

def _validate_daemon_set_strategy(ds: DaemonSet) -> Errors:
    strategy, path = ds.spec.update_strategy, "spec.updateStrategy"
    type_name = strategy.type if strategy is not None else ""
    rolling = strategy.rolling_update if strategy is not None else None
    if type_name == "OnDelete":
        return []
    if type_name == "RollingUpdate":
        p = f"{path}.rollingUpdate"
        if rolling is None:
            return [FieldError.required(p)]
        max_unavailable, max_surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
        errs = validate_positive_int_or_percent(max_unavailable, f"{p}.maxUnavailable")
        errs += validate_positive_int_or_percent(max_surge, f"{p}.maxSurge")
        errs += _not_more_than_100_percent(max_unavailable, f"{p}.maxUnavailable")
        errs += _not_more_than_100_percent(max_surge, f"{p}.maxSurge")
        has_unavailable = _int_or_percent_value(max_unavailable) != 0
        has_surge = _int_or_percent_value(max_surge) != 0
        if has_unavailable and has_surge:
            errs.append(FieldError.invalid(f"{p}.maxSurge", go_int_or_string(max_surge),
                                           "may not be set when maxUnavailable is non-zero"))
        elif not has_unavailable and not has_surge:
            errs.append(FieldError.required(f"{p}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
        return errs
    value = _go_strategy(type_name or "", "DaemonSetUpdateStrategy", "RollingUpdateDaemonSet", rolling)
    return [FieldError.unsupported(path, value, ["RollingUpdate", "OnDelete"])]


def validate_daemon_set_spec(ds: DaemonSet) -> Errors:
    """ValidateDaemonSetSpec: no Required error for a missing selector, only the mismatch."""
    spec = ds.spec
    errs = validate_label_selector(spec.selector, "spec.selector")
    if _selector_convertible(spec.selector):
        errs += _template_matches(spec.selector, spec.template, "spec.template")
    if selector_is_empty(spec.selector):
        errs.append(FieldError.invalid("spec.selector", go_label_selector(spec.selector),
                                       "empty selector is invalid for daemonset"))
    errs += validate_pod_template_spec(spec.template, "spec.template")
    errs += _restart_policy_always(spec.template, "spec.template")
    ads = spec.template.spec.active_deadline_seconds
    if ads is not None:
        errs.append(FieldError.invalid("spec.template.spec.activeDeadlineSeconds", ads,
                                       "activeDeadlineSeconds in DaemonSet is not Supported"))
    errs += _non_negative("spec.minReadySeconds", spec.min_ready_seconds)
    errs += _validate_daemon_set_strategy(ds)
    errs += _non_negative("spec.revisionHistoryLimit", spec.revision_history_limit)
    return errs


def validate_daemon_set(ds: DaemonSet) -> Errors:
    """ValidateDaemonSet: metadata (DNS-1123 subdomain name), then the spec."""
    return validate_object_meta(ds.metadata, True, naming.is_dns1123_subdomain) + validate_daemon_set_spec(ds)


def validate_daemon_set_update(old: DaemonSet, new: DaemonSet) -> Errors:
    """ValidateDaemonSetUpdate, then apps/v1's selector immutability."""
    return validate_daemon_set(new) + _selector_immutable(new.spec.selector, old.spec.selector)


VALIDATORS: Dict[type, Any] = {
    Deployment: validate_deployment,
    ReplicaSet: validate_replica_set,
    StatefulSet: validate_stateful_set,
    DaemonSet: validate_daemon_set,
}
UPDATE_VALIDATORS: Dict[type, Any] = {
    Deployment: validate_deployment_update,
    ReplicaSet: validate_replica_set_update,
    StatefulSet: validate_stateful_set_update,
    DaemonSet: validate_daemon_set_update,
}
