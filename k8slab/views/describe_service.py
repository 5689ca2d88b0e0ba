"""`kubectl describe service|endpoints|endpointslice`, field for field.

Ports of kubectl's `describeService`, `describeEndpoints` and `describeEndpointSliceV1`
(`pkg/describe/describe.go`): same lines, same tabs, so the tabwriter lays them out the same way
(a line without a tab, such as `Ports:` or `Endpoints: <none>`, ends an alignment block). Each
returns the whole text with its trailing newline; pass `events=None` to leave `Events:` out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, List, Optional, Sequence

from k8slab.views.describe_common import PrefixWriter, annotations_multiline, describe_events, labels_multiline
from k8slab.views.tables import format_labels
from k8slab.views.tables_service import MORE_LIMIT, join_host_port, more_string, service_type


def _header(w: PrefixWriter, obj: dict) -> None:
    meta = obj.get("metadata") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))


# --- Service ----------------------------------------------------------------------------------

def _slice_ready(endpoint: dict) -> bool:
    # A nil `ready` means "unknown", which consumers treat as ready.
    return (endpoint.get("conditions") or {}).get("ready") is not False


def format_endpoint_slices(slices: Sequence[dict], port_name: Optional[str] = None) -> str:
    """describe's `Endpoints:` (`formatEndpointSlices`): ready `ip:port`s of `port_name`, max three."""
    if not slices:
        return "<none>"
    listed: List[str] = []
    more, count = False, 0
    for eps in sorted(slices, key=lambda s: (s.get("metadata") or {}).get("name", "")):
        ports = eps.get("ports") or []
        targets = [None] if not ports else [
            p for p in ports if port_name is None or (p.get("name") or "") == port_name]
        for port in targets:
            for endpoint in eps.get("endpoints") or []:
                # kubectl's quirk, kept: "more" is decided before readiness is looked at, so a
                # not-ready endpoint after three ready ones yields "a,b,c + 0 more...".
                if len(listed) == MORE_LIMIT:
                    more = True
                addresses = endpoint.get("addresses") or []
                if not _slice_ready(endpoint) or not addresses:
                    continue
                if not more:
                    # Headless Services without ports list bare first addresses.
                    listed.append(addresses[0] if port is None else
                                  join_host_port(addresses[0], port.get("port", 0)))
                count += 1
    return more_string(listed, more, count)


def _ingress_string(ingress: Sequence[dict]) -> str:
    # buildIngressString: `ip (ipMode)` or hostname, joined by ", ".
    parts = []
    for ing in ingress:
        if ing.get("ip"):
            parts.append(ing["ip"] + (f" ({ing['ipMode']})" if ing.get("ipMode") else ""))
        else:
            parts.append(ing.get("hostname") or "")
    return ", ".join(parts)


def describe_service(svc: dict, *, endpoint_slices: Iterable[dict] = (), events: Optional[Iterable[dict]] = (),
                     now: datetime) -> str:
    """The text of `kubectl describe service`; `endpoint_slices` are the Service's own slices."""
    spec, status = svc.get("spec") or {}, svc.get("status") or {}
    slices = list(endpoint_slices)
    w = PrefixWriter()
    _header(w, svc)
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{service_type(svc)}\n")
    if spec.get("ipFamilyPolicy") is not None:
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP') or ''}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    ingress = (status.get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        w.write(0, f"LoadBalancer Ingress:\t{_ingress_string(ingress)}\n")
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        proto = port.get("protocol") or "TCP"
        w.write(0, f"Port:\t{name}\t{port.get('port', 0)}/{proto}\n")
        # The apiserver defaults targetPort to port; an int and a named port print alike.
        target = port.get("targetPort", port.get("port", 0))
        w.write(0, f"TargetPort:\t{target}/{proto}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{proto}\n")
        w.write(0, f"Endpoints:\t{format_endpoint_slices(slices, port.get('name') or '')}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity') or 'None'}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy") is not None:
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    if spec.get("trafficDistribution"):
        w.write(0, f"Traffic Distribution:\t{spec['trafficDistribution']}\n")
    describe_events(w, events, now)
    return w.getvalue()


# --- Endpoints --------------------------------------------------------------------------------

def _ips(addresses: Optional[Sequence[dict]]) -> str:
    return ",".join(a.get("ip", "") for a in addresses or []) or "<none>"


def describe_endpoints(ep: dict, *, events: Optional[Iterable[dict]] = (), now: datetime) -> str:
    """The text of `kubectl describe endpoints`: one block per subset under `Subsets:`."""
    w = PrefixWriter()
    _header(w, ep)
    w.write(0, "Subsets:\n")
    for subset in ep.get("subsets") or []:
        w.write(1, f"Addresses:\t{_ips(subset.get('addresses'))}\n")
        w.write(1, f"NotReadyAddresses:\t{_ips(subset.get('notReadyAddresses'))}\n")
        ports = subset.get("ports") or []
        if ports:
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for port in ports:
                name = port.get("name") or "<unset>"
                w.write(2, f"{name}\t{port.get('port', 0)}\t{port.get('protocol') or 'TCP'}\n")
        w.write(0, "\n")
    describe_events(w, events, now)
    return w.getvalue()


# --- EndpointSlice ----------------------------------------------------------------------------

def _unset(value: Optional[object]) -> str:
    return "<unset>" if value is None else str(value)


def describe_endpointslice(eps: dict, *, events: Optional[Iterable[dict]] = (), now: datetime) -> str:
    """The text of `kubectl describe endpointslice` (kubectl shows only the Ready condition)."""
    w = PrefixWriter()
    _header(w, eps)
    w.write(0, f"AddressType:\t{eps.get('addressType', '')}\n")
    ports = eps.get("ports") or []
    if not ports:
        w.write(0, "Ports: <unset>\n")
    else:
        w.write(0, "Ports:\n")
        w.write(1, "Name\tPort\tProtocol\n")
        w.write(1, "----\t----\t--------\n")
        for port in ports:
            name, number = port.get("name") or "<unset>", _unset(port.get("port"))
            w.write(1, f"{name}\t{number}\t{port.get('protocol') or 'TCP'}\n")
    endpoints = eps.get("endpoints") or []
    if not endpoints:
        w.write(0, "Endpoints: <none>\n")
    else:
        w.write(0, "Endpoints:\n")
        for endpoint in endpoints:
            w.write(1, f"- Addresses:\t{', '.join(endpoint.get('addresses') or []) or '<none>'}\n")
            w.write(2, "Conditions:\n")
            ready = (endpoint.get("conditions") or {}).get("ready")
            w.write(3, f"Ready:\t{'<unset>' if ready is None else str(bool(ready)).lower()}\n")
            w.write(2, f"Hostname:\t{_unset(endpoint.get('hostname'))}\n")
            ref = endpoint.get("targetRef")
            if ref is not None:
                w.write(2, f"TargetRef:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
            w.write(2, f"NodeName:\t{_unset(endpoint.get('nodeName'))}\n")
            w.write(2, f"Zone:\t{_unset(endpoint.get('zone'))}\n")
    describe_events(w, events, now)
    return w.getvalue()
