"""PodSpec validation (ValidatePodSpec and ValidatePodUpdate), messages verbatim."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, List, Optional, Set

from k8slab.api import naming
from k8slab.api.errors import FieldError
from k8slab.api.meta_validation import validate_labels
from k8slab.api.pod import Container, PodDNSConfig, PodSpec, Probe

Errors = List[FieldError]

RESTART_POLICIES = ["Always", "OnFailure", "Never"]
DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
PROTOCOLS = ["SCTP", "TCP", "UDP"]
PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
TERMINATION_MESSAGE_POLICIES = ["File", "FallbackToLogsOnError"]
TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
ENV_FIELD_PATHS = sorted(
    [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ]
)
ENV_FIELD_SUBSCRIPTS = ("metadata.labels[", "metadata.annotations[")
ENV_SOURCES = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")
MAX_NAMESERVERS = 3
MAX_SEARCH_PATHS = 32
MAX_SEARCH_CHARS = 2048
MAX_UINT32 = 2**32 - 1

UPDATABLE_FIELDS = ",".join(
    [
        "`spec.containers[*].image`",
        "`spec.initContainers[*].image`",
        "`spec.activeDeadlineSeconds`",
        "`spec.tolerations` (only additions to existing tolerations)",
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    ]
)


def _invalid_each(path: str, value: Any, messages: List[str]) -> Errors:
    return [FieldError.invalid(path, value, msg) for msg in messages]


def _non_negative(path: str, value: Optional[int]) -> Errors:
    if value is not None and value < 0:
        return [FieldError.invalid(path, value, "must be greater than or equal to 0")]
    return []


def _port_num_or_name(path: str, port: Any) -> Errors:
    # IntOrString: a number must be a valid port, a string a valid IANA_SVC_NAME; absent means 0.
    if isinstance(port, str):
        return _invalid_each(path, port, naming.is_valid_port_name(port))
    port = port if isinstance(port, int) and not isinstance(port, bool) else 0
    return _invalid_each(path, port, naming.is_valid_port_num(port))


def _validate_handler(probe: Probe, path: str) -> Errors:
    handlers = [(name, getattr(probe, attr)) for name, attr in
                (("exec", "exec"), ("httpGet", "http_get"), ("tcpSocket", "tcp_socket"), ("grpc", "grpc"))]
    present = [(name, h) for name, h in handlers if h is not None]
    if not present:
        return [FieldError.required(path, "must specify a handler type")]
    errs: Errors = []
    for name, _ in present[1:]:
        errs.append(FieldError.forbidden(f"{path}.{name}", "may not specify more than 1 handler type"))
    name, handler = present[0]
    if name == "exec" and not handler.get("command"):
        errs.append(FieldError.required(f"{path}.exec.command"))
    elif name == "httpGet":
        if not handler.get("path"):
            errs.append(FieldError.required(f"{path}.httpGet.path"))
        errs += _port_num_or_name(f"{path}.httpGet.port", handler.get("port"))
        scheme = handler.get("scheme")
        if scheme not in (None, "HTTP", "HTTPS"):
            errs.append(FieldError.unsupported(f"{path}.httpGet.scheme", scheme, ["HTTP", "HTTPS"]))
    elif name == "tcpSocket":
        errs += _port_num_or_name(f"{path}.tcpSocket.port", handler.get("port"))
    elif name == "grpc":
        port = handler.get("port")
        port = port if isinstance(port, int) and not isinstance(port, bool) else 0
        errs += _invalid_each(f"{path}.grpc.port", port, naming.is_valid_port_num(port))
    return errs


def _validate_probe(probe: Optional[Probe], path: str, kind: str) -> Errors:
    if probe is None:
        return []
    errs = _validate_handler(probe, path)
    for attr, json_name in (
        ("initial_delay_seconds", "initialDelaySeconds"),
        ("timeout_seconds", "timeoutSeconds"),
        ("period_seconds", "periodSeconds"),
        ("success_threshold", "successThreshold"),
        ("failure_threshold", "failureThreshold"),
    ):
        errs += _non_negative(f"{path}.{json_name}", getattr(probe, attr))
    if kind in ("liveness", "startup") and probe.success_threshold not in (None, 1):
        errs.append(FieldError.invalid(f"{path}.successThreshold", probe.success_threshold, "must be 1"))
    grace = probe.termination_grace_period_seconds
    grace_path = f"{path}.terminationGracePeriodSeconds"
    if grace is not None:
        if kind == "readiness":
            errs.append(FieldError.invalid(grace_path, grace, "must not be set for readinessProbes"))
        elif grace <= 0:
            errs.append(FieldError.invalid(grace_path, grace, "must be greater than 0"))
    return errs


def _validate_ports(container: Container, path: str) -> Errors:
    errs: Errors = []
    names: Set[str] = set()
    for i, port in enumerate(container.ports):
        p = f"{path}[{i}]"
        if port.name:
            problems = naming.is_valid_port_name(port.name)
            if problems:
                errs += _invalid_each(f"{p}.name", port.name, problems)
            elif port.name in names:
                errs.append(FieldError.duplicate(f"{p}.name", port.name))
            else:
                names.add(port.name)
        if port.container_port == 0:
            errs.append(FieldError.required(f"{p}.containerPort"))
        else:
            number = port.container_port
            errs += _invalid_each(f"{p}.containerPort", number, naming.is_valid_port_num(number))
        if port.host_port:
            errs += _invalid_each(f"{p}.hostPort", port.host_port, naming.is_valid_port_num(port.host_port))
        if not port.protocol:
            errs.append(FieldError.required(f"{p}.protocol"))
        elif port.protocol not in PROTOCOLS:
            errs.append(FieldError.unsupported(f"{p}.protocol", port.protocol, PROTOCOLS))
    return errs


def _validate_env(container: Container, path: str) -> Errors:
    errs: Errors = []
    for i, env in enumerate(container.env):
        p = f"{path}[{i}]"
        if not env.name:
            errs.append(FieldError.required(f"{p}.name"))
        else:
            errs += _invalid_each(f"{p}.name", env.name, naming.is_env_var_name(env.name))
        if env.value_from is None:
            continue
        sources = [k for k in ENV_SOURCES if env.value_from.get(k)]
        if not sources:
            errs.append(FieldError.invalid(
                f"{p}.valueFrom", "",
                "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
        elif env.value:
            errs.append(FieldError.invalid(f"{p}.valueFrom", "", "may not be specified when `value` is not empty"))
        elif len(sources) > 1:
            detail = "may not have more than one field specified at a time"
            errs.append(FieldError.invalid(f"{p}.valueFrom", "", detail))
        elif sources[0] == "fieldRef":
            field_path = env.value_from["fieldRef"].get("fieldPath") or ""
            fp = f"{p}.valueFrom.fieldRef.fieldPath"
            if not field_path:
                errs.append(FieldError.required(fp))
            elif field_path not in ENV_FIELD_PATHS and not field_path.startswith(ENV_FIELD_SUBSCRIPTS):
                errs.append(FieldError.unsupported(fp, field_path, ENV_FIELD_PATHS))
    return errs


def _validate_container(c: Container, path: str, kind: str) -> Errors:
    errs: Errors = []
    if not c.name:
        errs.append(FieldError.required(f"{path}.name"))
    else:
        errs += _invalid_each(f"{path}.name", c.name, naming.is_dns1123_label(c.name))
    if not c.image:
        errs.append(FieldError.required(f"{path}.image"))
    elif c.image.strip() != c.image:
        errs.append(FieldError.invalid(f"{path}.image", c.image, "must not have leading or trailing whitespace"))
    if kind == "container":
        errs += _validate_probe(c.liveness_probe, f"{path}.livenessProbe", "liveness")
        errs += _validate_probe(c.readiness_probe, f"{path}.readinessProbe", "readiness")
        errs += _validate_probe(c.startup_probe, f"{path}.startupProbe", "startup")
    errs += _validate_ports(c, f"{path}.ports")
    errs += _validate_env(c, f"{path}.env")
    if c.image_pull_policy is None:
        errs.append(FieldError.required(f"{path}.imagePullPolicy"))
    elif c.image_pull_policy not in PULL_POLICIES:
        errs.append(FieldError.unsupported(f"{path}.imagePullPolicy", c.image_pull_policy, PULL_POLICIES))
    policy = c.termination_message_policy
    if policy is not None and policy not in TERMINATION_MESSAGE_POLICIES:
        errs.append(FieldError.unsupported(f"{path}.terminationMessagePolicy", policy, TERMINATION_MESSAGE_POLICIES))
    return errs


def _validate_containers(spec: PodSpec, path: str) -> Errors:
    errs: Errors = []
    names: Set[str] = set()
    for kind, field_name, containers in (
        ("init", "initContainers", spec.init_containers),
        ("container", "containers", spec.containers),
    ):
        if kind == "container" and not containers:
            errs.append(FieldError.required(f"{path}.containers"))
        for i, c in enumerate(containers):
            p = f"{path}.{field_name}[{i}]"
            errs += _validate_container(c, p, kind)
            # Names are unique across init and regular containers: both end up in one pod.
            if c.name and c.name in names:
                errs.append(FieldError.duplicate(f"{p}.name", c.name))
            names.add(c.name)
    return errs


def _validate_dns_config(config: Optional[PodDNSConfig], policy: Optional[str], path: str) -> Errors:
    if policy == "None":
        if config is None:
            return [FieldError.required(path, "must provide `dnsConfig` when `dnsPolicy` is None")]
        if not config.nameservers:
            detail = "must provide at least one DNS nameserver when `dnsPolicy` is None"
            return [FieldError.required(f"{path}.nameservers", detail)]
    if config is None:
        return []
    errs: Errors = []
    if len(config.nameservers) > MAX_NAMESERVERS:
        errs.append(FieldError.invalid(f"{path}.nameservers", list(config.nameservers),
                                       f"must not have more than {MAX_NAMESERVERS} nameservers"))
    for i, server in enumerate(config.nameservers):
        errs += _invalid_each(f"{path}.nameservers[{i}]", server, naming.is_valid_ip(server))
    if len(config.searches) > MAX_SEARCH_PATHS:
        errs.append(FieldError.invalid(f"{path}.searches", list(config.searches),
                                       f"must not have more than {MAX_SEARCH_PATHS} search paths"))
    if len(" ".join(config.searches)) > MAX_SEARCH_CHARS:
        detail = f"must not have more than {MAX_SEARCH_CHARS} characters (including spaces) in the search list"
        errs.append(FieldError.invalid(f"{path}.searches", list(config.searches), detail))
    for i, search in enumerate(config.searches):
        if search == ".":
            continue
        trimmed = search[:-1] if search.endswith(".") else search
        errs += _invalid_each(f"{path}.searches[{i}]", trimmed, naming.is_dns1123_subdomain(trimmed))
    for i, option in enumerate(config.options):
        if not option.name:
            errs.append(FieldError.required(f"{path}.options[{i}]", "Option.Name must not be empty"))
    return errs


def _validate_tolerations(tolerations: Any, path: str) -> Errors:
    errs: Errors = []
    for i, t in enumerate(tolerations):
        p = f"{path}[{i}]"
        t = t if isinstance(t, dict) else {}
        key, operator = str(t.get("key") or ""), str(t.get("operator") or "")
        value, effect = str(t.get("value") or ""), str(t.get("effect") or "")
        if key:
            errs += _invalid_each(f"{p}.key", key, naming.is_qualified_name(key))
        if not key and operator != "Exists":
            errs.append(FieldError.invalid(
                f"{p}.operator", operator,
                'operator must be Exists when `key` is empty, which means "match all values and all keys"'))
        if t.get("tolerationSeconds") is not None and effect != "NoExecute":
            detail = "effect must be 'NoExecute' when `tolerationSeconds` is set"
            errs.append(FieldError.invalid(f"{p}.effect", effect, detail))
        if operator in ("Equal", ""):
            problems = naming.is_valid_label_value(value)
            if problems:
                errs.append(FieldError.invalid(f"{p}.operator", value, ";".join(problems)))
        elif operator == "Exists":
            if value:
                errs.append(FieldError.invalid(f"{p}.operator", t, "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(FieldError.unsupported(f"{p}.operator", operator, ["Equal", "Exists"]))
        if effect and effect not in TAINT_EFFECTS:
            errs.append(FieldError.unsupported(f"{p}.effect", effect, TAINT_EFFECTS))
    return errs


def validate_pod_spec(spec: PodSpec, path: str = "spec") -> Errors:
    """ValidatePodSpec, in the apiserver's order."""
    errs = _validate_containers(spec, path)
    if not spec.restart_policy:
        errs.append(FieldError.required(f"{path}.restartPolicy"))
    elif spec.restart_policy not in RESTART_POLICIES:
        errs.append(FieldError.unsupported(f"{path}.restartPolicy", spec.restart_policy, RESTART_POLICIES))
    if not spec.dns_policy:
        errs.append(FieldError.required(f"{path}.dnsPolicy"))
    elif spec.dns_policy not in DNS_POLICIES:
        errs.append(FieldError.unsupported(f"{path}.dnsPolicy", spec.dns_policy, DNS_POLICIES))
    errs += validate_labels(spec.node_selector, f"{path}.nodeSelector")
    errs += _validate_dns_config(spec.dns_config, spec.dns_policy, f"{path}.dnsConfig")
    if spec.service_account_name:
        errs += _invalid_each(f"{path}.serviceAccountName", spec.service_account_name,
                              naming.is_dns1123_subdomain(spec.service_account_name))
    if spec.node_name:
        errs += _invalid_each(f"{path}.nodeName", spec.node_name, naming.is_dns1123_subdomain(spec.node_name))
    ads = spec.active_deadline_seconds
    if ads is not None and not 1 <= ads <= MAX_UINT32:
        detail = naming.inclusive_range_error(1, MAX_UINT32)
        errs.append(FieldError.invalid(f"{path}.activeDeadlineSeconds", ads, detail))
    if spec.hostname:
        errs += _invalid_each(f"{path}.hostname", spec.hostname, naming.is_dns1123_label(spec.hostname))
    if spec.subdomain:
        errs += _invalid_each(f"{path}.subdomain", spec.subdomain, naming.is_dns1123_label(spec.subdomain))
    errs += _validate_tolerations(spec.tolerations, f"{path}.tolerations")
    for i, alias in enumerate(spec.host_aliases):
        errs += _invalid_each(f"{path}.hostAliases[{i}].ip", alias.ip, naming.is_valid_ip(alias.ip))
        for j, hostname in enumerate(alias.hostnames):
            errs += _invalid_each(f"{path}.hostAliases[{i}].hostnames[{j}]", hostname,
                                  naming.is_dns1123_subdomain(hostname))
    errs += _non_negative(f"{path}.terminationGracePeriodSeconds", spec.termination_grace_period_seconds)
    return errs


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def validate_pod_spec_update(old: PodSpec, new: PodSpec, path: str = "spec") -> Errors:
    """ValidatePodUpdate: only images, activeDeadlineSeconds and added tolerations may change."""
    errs: Errors = []
    for field_name, new_list, old_list in (
        ("initContainers", new.init_containers, old.init_containers),
        ("containers", new.containers, old.containers),
    ):
        if len(new_list) != len(old_list):
            errs.append(FieldError.forbidden(f"{path}.{field_name}", "pod updates may not add or remove containers"))
    if errs:
        return errs
    if old.active_deadline_seconds is not None:
        if new.active_deadline_seconds is None:
            errs.append(FieldError.invalid(f"{path}.activeDeadlineSeconds", None,
                                           "must not update from a positive integer to nil value"))
        elif new.active_deadline_seconds > old.active_deadline_seconds:
            errs.append(FieldError.invalid(f"{path}.activeDeadlineSeconds", new.active_deadline_seconds,
                                           "must be less than or equal to previous value"))
    munged = replace(
        new,
        containers=tuple(replace(n, image=o.image) for n, o in zip(new.containers, old.containers)),
        init_containers=tuple(replace(n, image=o.image) for n, o in zip(new.init_containers, old.init_containers)),
        active_deadline_seconds=old.active_deadline_seconds,
    )
    old_tolerations = {_canonical(t) for t in old.tolerations}
    if old_tolerations <= {_canonical(t) for t in new.tolerations}:
        munged = replace(munged, tolerations=old.tolerations)
    grace_old, grace_new = old.termination_grace_period_seconds, new.termination_grace_period_seconds
    if grace_old is not None and grace_old < 0 and grace_new == 1:
        munged = replace(munged, termination_grace_period_seconds=grace_old)
    # Binding (what the scheduler does through pods/binding) sets nodeName once; allow it here.
    if old.node_name is None and new.node_name:
        munged = replace(munged, node_name=None)
    if munged != old:
        errs.append(FieldError.forbidden(path, f"pod updates may not change fields other than {UPDATABLE_FIELDS}"))
    return errs
