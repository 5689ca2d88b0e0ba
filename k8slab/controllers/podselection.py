"""What the Endpoints and EndpointSlice controllers share: which pods back a Service, on which ports."""

from __future__ import annotations

from typing import Iterable, List, Optional

from k8slab.api.endpoints import ObjectReference
from k8slab.api.pod import Pod, pod_is_ready
from k8slab.api.selectors import Selector
from k8slab.api.service import Service, ServicePort


def has_selector(svc: Service) -> bool:
    """Does the Service select pods? (A nil selector means the user manages endpoints.)"""
    return bool(svc.spec.selector) and svc.spec.type != "ExternalName"


def selected_pods(svc: Service, pods: Iterable[Pod]) -> List[Pod]:
    """Pods in the Service's namespace whose labels match its selector."""
    sel = Selector.from_match_labels(svc.spec.selector)
    return [p for p in pods if p.metadata.namespace == svc.metadata.namespace and sel.matches(p.metadata.labels)]


def should_include(pod: Pod, include_terminating: bool) -> bool:
    """ShouldPodBeInEndpoints: not finished, has an IP, not terminating (unless asked)."""
    if pod.status.phase in ("Failed", "Succeeded"):
        return False
    if not pod.status.pod_ip:
        return False
    if pod.metadata.deletion_timestamp is not None and not include_terminating:
        return False
    return True


def find_port(pod: Pod, sp: ServicePort) -> Optional[int]:
    """FindPort: a numeric targetPort as is; a named one from the pod's container ports (same protocol)."""
    target = sp.target_port if sp.target_port not in (None, "", 0) else sp.port
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = sp.protocol or "TCP"
    for container in list(pod.spec.containers) + [c for c in pod.spec.init_containers if c.restart_policy == "Always"]:
        for cp in container.ports:
            if cp.name == target and (cp.protocol or "TCP") == protocol:
                return cp.container_port
    return None


def endpoint_hostname(pod: Pod, svc: Service) -> Optional[str]:
    """ShouldSetHostname: the pod's hostname when its subdomain is this Service's name."""
    if pod.spec.hostname and pod.spec.subdomain == svc.metadata.name and \
            pod.metadata.namespace == svc.metadata.namespace:
        return pod.spec.hostname
    return None


def pod_reference(pod: Pod) -> ObjectReference:
    """targetRef to a pod."""
    return ObjectReference(kind="Pod", namespace=pod.metadata.namespace, name=pod.metadata.name,
                           uid=pod.metadata.uid)


def pod_ready(pod: Pod) -> bool:
    """The pod's Ready condition."""
    return pod_is_ready(pod)
