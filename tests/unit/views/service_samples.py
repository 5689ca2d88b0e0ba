"""Services, Endpoints and EndpointSlices in their JSON dict form, as a v1.33 apiserver returns them."""

from __future__ import annotations

from typing import Optional, Sequence

TRIGGER = {"endpoints.kubernetes.io/last-change-trigger-time": "2026-11-22T10:03:00Z"}


def service(name: str, *, type_: str = "ClusterIP", cluster_ip: Optional[str] = "10.96.100.10",
            ports: Sequence[dict] = ({"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},),
            selector: Optional[dict] = None, created: str = "2026-11-22T10:02:55Z", ingress=None,
            **spec) -> dict:
    """A defaulted Service (`ports=()` for none, `cluster_ip=None` for ExternalName)."""
    body = {"ports": [dict(p) for p in ports], "sessionAffinity": "None", "type": type_}
    if not body["ports"]:
        del body["ports"]
    if selector is None:
        selector = {"app": name}
    if selector:
        body["selector"] = dict(selector)
    if cluster_ip is not None:
        body.update(clusterIP=cluster_ip, clusterIPs=[cluster_ip], ipFamilies=["IPv4"],
                    ipFamilyPolicy="SingleStack", internalTrafficPolicy="Cluster")
    if type_ in ("NodePort", "LoadBalancer"):
        body["externalTrafficPolicy"] = "Cluster"
    body.update(spec)
    status = {"loadBalancer": {"ingress": ingress} if ingress else {}}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"creationTimestamp": created, "labels": {"app": name}, "name": name,
                     "namespace": "default", "resourceVersion": "2001",
                     "uid": "0b7f5e55-2c3d-4c8a-9a43-6c2f1e7d9a01"},
        "spec": body,
        "status": status,
    }


def kubernetes_service() -> dict:
    """The `default/kubernetes` Service of a five-day-old cluster."""
    svc = service("kubernetes", cluster_ip="10.96.0.1", created="2026-11-17T10:05:00Z", selector={},
                  ports=({"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443},))
    svc["metadata"]["labels"] = {"component": "apiserver", "provider": "kubernetes"}
    return svc


def address(ip: str, pod: str, node: str = "node1") -> dict:
    """An EndpointAddress as the endpoints controller writes it."""
    return {"ip": ip, "nodeName": node,
            "targetRef": {"kind": "Pod", "name": pod, "namespace": "default", "uid": f"uid-{pod}"}}


def endpoints(name: str, subsets: Optional[Sequence[dict]], *, created: str = "2026-11-22T10:02:55Z") -> dict:
    """A v1 Endpoints; `subsets=None` leaves the field out, as the API does for an empty list."""
    obj = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"annotations": dict(TRIGGER), "creationTimestamp": created,
                     "labels": {"app": name, "endpoints.kubernetes.io/managed-by": "endpoint-controller"},
                     "name": name, "namespace": "default", "resourceVersion": "2002"},
    }
    if subsets is not None:
        obj["subsets"] = list(subsets)
    return obj


def endpoint(ip: str, pod: str, *, node: str = "node1", ready: Optional[bool] = True,
             terminating: bool = False, **extra) -> dict:
    """A discovery/v1 Endpoint for pod `pod` (`ready=None` leaves the condition unset)."""
    conditions = {"serving": bool(ready), "terminating": terminating}
    if ready is not None:
        conditions["ready"] = ready
    return dict({"addresses": [ip], "conditions": conditions, "nodeName": node,
                 "targetRef": {"kind": "Pod", "name": pod, "namespace": "default", "uid": f"uid-{pod}"}},
                **extra)


def endpoint_slice(name: str, service_name: str, endpoints_: Sequence[dict], ports: Sequence[dict], *,
                   created: str = "2026-11-22T10:03:00Z", address_type: str = "IPv4") -> dict:
    """An EndpointSlice owned by Service `service_name`, as the EndpointSlice controller writes it."""
    return {
        "addressType": address_type,
        "apiVersion": "discovery.k8s.io/v1",
        "endpoints": list(endpoints_),
        "kind": "EndpointSlice",
        "metadata": {
            "annotations": dict(TRIGGER),
            "creationTimestamp": created,
            "generateName": f"{service_name}-",
            "labels": {"app": service_name,
                       "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                       "kubernetes.io/service-name": service_name},
            "name": name,
            "namespace": "default",
            "ownerReferences": [{"apiVersion": "v1", "blockOwnerDeletion": True, "controller": True,
                                 "kind": "Service", "name": service_name, "uid": "0b7f5e55"}],
            "resourceVersion": "2003",
        },
        "ports": list(ports),
    }


def slice_port(port: int, name: str = "", protocol: str = "TCP") -> dict:
    """A discovery/v1 EndpointPort (the controller writes `name: ""` for an unnamed port)."""
    return {"name": name, "port": port, "protocol": protocol}
