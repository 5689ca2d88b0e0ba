"""Defaulting as the apiserver applies it (v1 SetDefaults_* plus the default admission plugins).

`apply_defaults` is idempotent, so the store runs it on create and on every update; an unchanged
manifest applied twice then compares equal to the stored object.
"""

from __future__ import annotations

from dataclasses import replace
from importlib import import_module
from typing import Any, Callable, Dict, Optional, Tuple

from k8slab.api.endpoints import Endpoints
from k8slab.api.endpointslice import EndpointSlice
from k8slab.api.namespace import Namespace, NamespaceSpec, NamespaceStatus
from k8slab.api.pod import Container, Pod, PodSpec, PodStatus, Probe
from k8slab.api.service import Service, ServiceStatus
from k8slab.api.service_defaults import default_endpoint_slice, default_endpoints, default_service

# Added by the DefaultTolerationSeconds admission plugin so that pods move off failed nodes after 5m.
DEFAULT_TOLERATIONS = (
    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
)

PROBE_DEFAULTS = (("timeout_seconds", 1), ("period_seconds", 10), ("success_threshold", 1), ("failure_threshold", 3))


def image_pull_policy(image: Optional[str]) -> str:
    """Always for `:latest` or untagged images, IfNotPresent for a tag or a digest."""
    image = image or ""
    if "@" in image:
        return "IfNotPresent"
    # A ':' after the last '/' is a tag; one before it is a registry port (`localhost:5000/app`).
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "Always"
    return "Always" if last.rsplit(":", 1)[1] == "latest" else "IfNotPresent"


def _default_probe(probe: Optional[Probe]) -> Optional[Probe]:
    if probe is None:
        return None
    changes: Dict[str, Any] = {}
    for name, value in PROBE_DEFAULTS:
        if not getattr(probe, name):
            changes[name] = value
    if probe.http_get is not None:
        http_get = dict(probe.http_get)
        http_get.setdefault("path", "/")
        http_get.setdefault("scheme", "HTTP")
        if http_get != probe.http_get:
            changes["http_get"] = http_get
    if probe.grpc is not None and "service" not in probe.grpc:
        changes["grpc"] = {**probe.grpc, "service": ""}
    return replace(probe, **changes) if changes else probe


def _default_container(c: Container) -> Container:
    ports = tuple(p if p.protocol else replace(p, protocol="TCP") for p in c.ports)
    return replace(
        c,
        ports=ports,
        resources=c.resources if c.resources is not None else {},
        termination_message_path=c.termination_message_path or "/dev/termination-log",
        termination_message_policy=c.termination_message_policy or "File",
        image_pull_policy=c.image_pull_policy or image_pull_policy(c.image),
        liveness_probe=_default_probe(c.liveness_probe),
        readiness_probe=_default_probe(c.readiness_probe),
        startup_probe=_default_probe(c.startup_probe),
    )


def _default_tolerations(tolerations: Tuple[Dict[str, Any], ...]) -> Tuple[Dict[str, Any], ...]:
    out = list(tolerations)
    for default in DEFAULT_TOLERATIONS:
        # The plugin skips a default when the pod already tolerates that taint key with NoExecute.
        if not any(
            isinstance(t, dict) and t.get("key") == default["key"] and t.get("effect") in (None, "", "NoExecute")
            for t in tolerations
        ):
            out.append(dict(default))
    return tuple(out)


def default_pod_spec(spec: PodSpec) -> PodSpec:
    """Fill a PodSpec the way `kubectl get pod -o yaml` shows it after creation."""
    grace = spec.termination_grace_period_seconds
    if grace is None:
        grace = 30
    elif grace < 0:
        grace = 1  # the pod strategy turns a negative grace period into the minimum, 1s
    service_account = spec.service_account_name or spec.service_account or "default"
    return replace(
        spec,
        containers=tuple(_default_container(c) for c in spec.containers),
        init_containers=tuple(_default_container(c) for c in spec.init_containers),
        restart_policy=spec.restart_policy or "Always",
        termination_grace_period_seconds=grace,
        dns_policy=spec.dns_policy or "ClusterFirst",
        service_account_name=service_account,
        service_account=spec.service_account or service_account,
        security_context=spec.security_context if spec.security_context is not None else {},
        scheduler_name=spec.scheduler_name or "default-scheduler",
        tolerations=_default_tolerations(spec.tolerations),
        priority=spec.priority if spec.priority is not None else 0,
        enable_service_links=spec.enable_service_links if spec.enable_service_links is not None else True,
        preemption_policy=spec.preemption_policy or "PreemptLowerPriority",
    )


def qos_class(spec: PodSpec) -> str:
    """BestEffort, Burstable or Guaranteed, from the containers' requests and limits."""
    containers = spec.containers + spec.init_containers
    requests_seen = False
    guaranteed = True
    for c in containers:
        resources = c.resources or {}
        requests = resources.get("requests") or {}
        limits = resources.get("limits") or {}
        if requests or limits:
            requests_seen = True
        for resource in ("cpu", "memory"):
            limit = limits.get(resource)
            # A request left unset defaults to the limit.
            if limit is None or str(requests.get(resource, limit)) != str(limit):
                guaranteed = False
    if not requests_seen:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


# Later kind modules (apps) plug in their defaulting and create-time status reset here.
_DEFAULTERS: Dict[type, Callable[[Any], Any]] = {}
_CREATE_PREPARERS: Dict[type, Callable[[Any], Any]] = {}


def register_defaulter(cls: type, defaulter: Callable[[Any], Any]) -> None:
    """Let a kind module plug in its SetDefaults (pure and idempotent)."""
    _DEFAULTERS[cls] = defaulter


def register_create_preparer(cls: type, preparer: Callable[[Any], Any]) -> None:
    """Let a kind module plug in what its strategy's PrepareForCreate does after defaulting."""
    _CREATE_PREPARERS[cls] = preparer


def apply_defaults(obj: Any) -> Any:
    """Return `obj` with the apiserver's defaults filled in (unknown kinds are returned as is)."""
    defaulter = _DEFAULTERS.get(type(obj))
    if defaulter is not None:
        return defaulter(obj)
    if isinstance(obj, Pod):
        return replace(obj, spec=default_pod_spec(obj.spec))
    if isinstance(obj, Namespace):
        name = obj.metadata.name or ""
        labels = dict(obj.metadata.labels)
        labels["kubernetes.io/metadata.name"] = name
        spec = obj.spec if obj.spec.finalizers else NamespaceSpec(finalizers=("kubernetes",))
        return replace(obj, metadata=replace(obj.metadata, labels=labels), spec=spec)
    if isinstance(obj, Service):
        return default_service(obj)
    if isinstance(obj, Endpoints):
        return default_endpoints(obj)
    if isinstance(obj, EndpointSlice):
        return default_endpoint_slice(obj)
    return obj


def prepare_for_create(obj: Any) -> Any:
    """Defaults plus the status reset the Pod, Namespace and Service strategies do on create."""
    obj = apply_defaults(obj)
    preparer = _CREATE_PREPARERS.get(type(obj))
    if preparer is not None:
        return preparer(obj)
    if isinstance(obj, Pod):
        return replace(obj, status=PodStatus(phase="Pending", qos_class=qos_class(obj.spec)))
    if isinstance(obj, Namespace):
        return replace(obj, status=NamespaceStatus(phase="Active"))
    if isinstance(obj, Service):
        # A manifest's status (e.g. a load balancer ingress copied from a cloud) is never taken as is.
        return replace(obj, status=ServiceStatus())
    return obj


# The apps kinds register their defaulting on import; they build on this module, hence at the end.
import_module("k8slab.api.apps_defaults")
