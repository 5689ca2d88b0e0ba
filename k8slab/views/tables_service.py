"""`kubectl get services|endpoints|endpointslices`: the cells of kubectl's server-side printers.

Ports of `printService`, `printEndpoints` and `printEndpointSlice` (kubernetes
`pkg/printers/internalversion/printers.go`), registered in the `tables` registry on import.
Objects arrive in their JSON dict form; every cell is the exact string kubectl prints.
"""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Sequence

from k8slab.views.age import age
from k8slab.views.tables import Column, format_labels, register_table

# printers.go `loadBalancerWidth`: without -o wide, LoadBalancer ingress text is clipped to this.
LOAD_BALANCER_WIDTH = 16
MORE_LIMIT = 3  # formatEndpoints & co. list at most three entries, then " + N more..."

ENDPOINTS_DEPRECATION_WARNING = (
    "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice")


def endpoints_deprecation_warning() -> str:
    """The API server's warning for any v1 Endpoints request (kubectl prints it on stderr)."""
    return ENDPOINTS_DEPRECATION_WARNING + "\n"


def join_host_port(host: str, port: object) -> str:
    """Go's `net.JoinHostPort`: `ip:port`, with IPv6 addresses in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def more_string(items: Sequence[str], more: bool, count: int) -> str:
    """`a,b,c + N more...` where N counts everything past the first three."""
    text = ",".join(items)
    return f"{text} + {count - MORE_LIMIT} more..." if more else text


# --- Service ----------------------------------------------------------------------------------

def service_type(svc: dict) -> str:
    """`spec.type` (the apiserver defaults it to ClusterIP)."""
    return (svc.get("spec") or {}).get("type") or "ClusterIP"


def service_cluster_ip(svc: dict) -> str:
    """CLUSTER-IP: `clusterIPs[0]` (`None` when headless), `<none>` when unset (ExternalName)."""
    spec = svc.get("spec") or {}
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return ips[0] if ips else "<none>"


def load_balancer_ips(svc: dict, wide: bool) -> str:
    """`loadBalancerStatusStringer`: sorted unique ingress IPs (or hostnames), clipped unless wide."""
    found = set()
    for ing in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []:
        if ing.get("ip"):
            found.add(ing["ip"])
        elif ing.get("hostname"):
            found.add(ing["hostname"])
    text = ",".join(sorted(found))
    if not wide and len(text) > LOAD_BALANCER_WIDTH:
        text = text[:LOAD_BALANCER_WIDTH - 3] + "..."
    return text


def service_external_ip(svc: dict, wide: bool = False) -> str:
    """EXTERNAL-IP (`getServiceExternalIP`): externalIPs, LB ingress or `<pending>`, externalName."""
    spec = svc.get("spec") or {}
    external = list(spec.get("externalIPs") or [])
    kind = service_type(svc)
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else "<none>"
    if kind == "LoadBalancer":
        lb = load_balancer_ips(svc, wide)
        if external:
            return ",".join((lb.split(",") if lb else []) + external)
        return lb or "<pending>"
    if kind == "ExternalName":
        return spec.get("externalName") or ""
    return "<unknown>"


def service_ports(svc: dict) -> str:
    """PORT(S) (`makePortString`): `80/TCP` or `80:30080/TCP`, comma-joined; `<none>` if none."""
    pieces = []
    for port in (svc.get("spec") or {}).get("ports") or []:
        proto = port.get("protocol") or "TCP"
        node_port = port.get("nodePort") or 0
        if node_port > 0:
            pieces.append(f"{port.get('port', 0)}:{node_port}/{proto}")
        else:
            pieces.append(f"{port.get('port', 0)}/{proto}")
    return ",".join(pieces) or "<none>"


def _service_cells(svc: dict, now: datetime, wide: bool) -> List[str]:
    meta = svc.get("metadata") or {}
    return [
        meta.get("name", ""),
        service_type(svc),
        service_cluster_ip(svc),
        service_external_ip(svc, wide),
        service_ports(svc),
        age(meta.get("creationTimestamp"), now),
        format_labels((svc.get("spec") or {}).get("selector")),
    ]


def _service_row(svc: dict, now: datetime) -> List[str]:
    return _service_cells(svc, now, wide=False)


def _service_row_wide(svc: dict, now: datetime) -> List[str]:
    return _service_cells(svc, now, wide=True)


# --- Endpoints --------------------------------------------------------------------------------

def format_endpoints(endpoints: dict, port_names: Optional[Sequence[str]] = None) -> str:
    """ENDPOINTS (`formatEndpoints`): ready `ip:port`s, subset → port → address, at most three."""
    subsets = endpoints.get("subsets") or []
    if not subsets:
        return "<none>"
    listed: List[str] = []
    more, count = False, 0

    def add(text: str) -> None:
        nonlocal more, count
        if len(listed) == MORE_LIMIT:
            more = True
        if not more:
            listed.append(text)
        count += 1

    for subset in subsets:
        addresses = [a.get("ip", "") for a in subset.get("addresses") or []]
        ports = subset.get("ports") or []
        if not ports:
            # A headless Service without ports: bare IPs, never bracketed.
            for ip in addresses:
                add(ip)
            continue
        for port in ports:
            if port_names is None or (port.get("name") or "") in port_names:
                for ip in addresses:
                    add(join_host_port(ip, port.get("port", 0)))
    return more_string(listed, more, count)


def _endpoints_row(ep: dict, now: datetime) -> List[str]:
    meta = ep.get("metadata") or {}
    return [meta.get("name", ""), format_endpoints(ep), age(meta.get("creationTimestamp"), now)]


# --- EndpointSlice ----------------------------------------------------------------------------

def _unset_or_more(items: List[str], more: bool, count: int) -> str:
    # listWithMoreString: like more_string, but an empty list reads `<unset>`.
    return more_string(items, more, count) or "<unset>"


def format_slice_ports(ports: Sequence[dict]) -> str:
    """PORTS (`formatDiscoveryPorts`): port numbers (or names, or `*`), first three, `<unset>`."""
    listed: List[str] = []
    for port in ports:
        if port.get("port") is not None:
            listed.append(str(port["port"]))
        elif port.get("name") is not None:
            listed.append(port["name"])
        else:
            listed.append("*")
    return _unset_or_more(listed[:MORE_LIMIT], len(listed) > MORE_LIMIT, len(listed))


def format_slice_endpoints(endpoints: Sequence[dict]) -> str:
    """ENDPOINTS (`formatDiscoveryEndpoints`): every address whatever its readiness, first three."""
    addresses = [a for ep in endpoints for a in ep.get("addresses") or []]
    return _unset_or_more(addresses[:MORE_LIMIT], len(addresses) > MORE_LIMIT, len(addresses))


def _endpointslice_row(eps: dict, now: datetime) -> List[str]:
    meta = eps.get("metadata") or {}
    return [
        meta.get("name", ""),
        eps.get("addressType", ""),
        format_slice_ports(eps.get("ports") or []),
        format_slice_endpoints(eps.get("endpoints") or []),
        age(meta.get("creationTimestamp"), now),
    ]


register_table(
    "Service",
    [Column("Name"), Column("Type"), Column("Cluster-IP"), Column("External-IP"), Column("Port(s)"),
     Column("Age"), Column("Selector", wide=True)],
    _service_row,
    wide_row=_service_row_wide,
)
register_table("Endpoints", [Column("Name"), Column("Endpoints"), Column("Age")], _endpoints_row)
register_table(
    "EndpointSlice",
    [Column("Name"), Column("AddressType"), Column("Ports"), Column("Endpoints"), Column("Age")],
    _endpointslice_row,
)
