"""CoreDNS's kubernetes plugin as kubeadm configures it, for the names of the zones it serves (pure).

The structure follows CoreDNS (plugin/kubernetes + plugin/backend_lookup.go) so that its quirks come
out the same: parse the name, collect "items" (addresses or targets), then build the records the
query type asks for. A missing name raises _NoName, which becomes NXDOMAIN, SERVFAIL before the
first sync, or a fall-through to the outside world for reverse zones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple

from k8slab.dns import outside
from k8slab.dns.model import DnsConfig, DnsState, EndpointInfo, ServiceInfo, ServicePortInfo
from k8slab.dns.names import (address_from_reverse, dashed, fqdn, is_reverse, is_subdomain, labels,
                              parse_ip, trim_zone, undashed)
from k8slab.dns.rr import RR, Answer

SCHEMA_VERSION = "1.1.0"
SCHEMA_TTL = 28800  # CoreDNS hard-codes the dns-version TXT TTL
REVERSE_ZONES = ("in-addr.arpa.", "ip6.arpa.")  # kubeadm: also served, with fallthrough
NO_PORT = ServicePortInfo("", "", -1)  # CoreDNS's sentinel for an endpoint slice without ports
EMPTY = DnsState(services=(), namespaces=frozenset(), external={})  # what is known before the first sync


class _NoName(Exception):
    """The name does not exist (CoreDNS errNoItems, errNsNotExposed, errInvalidRequest)."""


@dataclass(frozen=True)
class _Item:
    """What CoreDNS calls a msg.Service: an address or a target found for a name."""

    host: str  # an IP address, or a target name (ExternalName)
    owner: str = ""  # the name the item lives at: the SRV target
    port: int = 0
    ttl: int = 0
    text: str = ""


@dataclass(frozen=True)
class _Request:
    """A parsed name: [_port._proto.|endpoint.]service.namespace.(svc|pod).<zone>."""

    kind: str = ""  # "svc", "pod", or "" for the apex, svc.<zone> and pod.<zone>
    namespace: str = ""
    service: str = ""
    endpoint: str = ""
    port: str = ""
    protocol: str = ""


class Index:
    """Lookups over one state, built once per state."""

    def __init__(self, state: DnsState) -> None:
        self.state = state
        self.namespaces = {n.lower() for n in state.namespaces}
        self.by_name = {(s.namespace.lower(), s.name.lower()): s for s in state.services}
        self.by_cluster_ip: dict = {}
        self.by_endpoint_ip: dict = {}
        for svc in state.services:
            ip = parse_ip(svc.cluster_ip or "") if svc.type != "ExternalName" else None
            if ip is not None:
                self.by_cluster_ip.setdefault(str(ip), svc)
            for ep in ready(svc):
                self.by_endpoint_ip.setdefault(_norm(ep.ip), []).append((svc, ep))


_LAST: List[Tuple[DnsState, Index]] = []


def index_of(state: DnsState) -> Index:
    """The index of `state`."""
    # The server asks many questions of one state: keep the index of the latest one.
    if not _LAST or _LAST[0][0] is not state:
        _LAST[:] = [(state, Index(state))]
    return _LAST[0][1]


@dataclass(frozen=True)
class Ctx:
    """What one question is answered against."""

    idx: Index
    config: DnsConfig
    zone: str  # the zone as the question spelled it (CoreDNS keeps the query's case)
    synced: bool
    fallthrough: bool

    @property
    def ttl(self) -> int:
        """The TTL of the plugin's records (`ttl` in the Corefile)."""
        return self.config.ttl


def serve(ctx: Ctx, qname: str, qtype: str) -> Optional[Answer]:
    """CoreDNS's kubernetes ServeDNS; None means fall through to the next plugin (forward)."""
    try:
        records, extra = _dispatch(ctx, qname, qtype)
    except _NoName:
        if ctx.fallthrough:
            return None
        rcode = "NXDOMAIN" if ctx.synced else "SERVFAIL"
        return Answer(rcode, (), (_soa(ctx),), (), True)
    if not records:
        return Answer("NOERROR", (), (_soa(ctx),), (), True)  # NODATA
    return Answer("NOERROR", tuple(records), (), tuple(unique(extra)), True)


def _dispatch(ctx: Ctx, qname: str, qtype: str) -> Tuple[List[RR], List[RR]]:
    name = qname.lower()
    if qtype in ("A", "AAAA"):
        return _address(ctx, qname, qtype, []), []
    if qtype == "TXT":
        items = _services(ctx, qname, "TXT")
        return [RR(qname, i.ttl, "TXT", f'"{i.text}"') for i in items if i.text], []
    if qtype == "CNAME":
        items = _services(ctx, qname, "CNAME")
        if items and parse_ip(items[0].host) is None:
            return [RR(qname, items[0].ttl, "CNAME", fqdn(items[0].host))], []
        return [], []
    if qtype == "PTR":
        return _ptr(ctx, qname), []
    if qtype == "SRV":
        return _srv(ctx, qname)
    if qtype == "SOA":
        # Below the apex CoreDNS never looks the name up: NODATA even for names that do not exist.
        return ([_soa(ctx)] if name == ctx.zone.lower() else []), []
    if qtype == "NS" and name == ctx.zone.lower():
        return _ns(ctx, qname)
    # Any other type (ANY: kubeadm's Corefile has no `any` plugin; MX; NS below the apex): CoreDNS
    # only looks up A to tell NODATA from NXDOMAIN.
    _services(ctx, qname, "A")
    return [], []


def _soa(ctx: Ctx) -> RR:
    ttl, zone = ctx.ttl, ctx.zone
    serial = ctx.idx.state.serial
    return RR(zone, min(ttl, 300), "SOA", f"ns.dns.{zone} hostmaster.{zone} {serial} 7200 1800 86400 {ttl}")


def _parse(name: str, zone: str) -> _Request:
    """CoreDNS parseRequest: raise _NoName for names that cannot exist."""
    segs = labels(trim_zone(name, zone))
    if segs in ([], ["svc"], ["pod"]):
        return _Request()
    kind = segs.pop()
    if kind not in ("svc", "pod"):
        raise _NoName
    namespace = segs.pop() if segs else ""
    service = segs.pop() if segs else ""
    if not segs:
        return _Request(kind, namespace, service)
    if len(segs) == 1:
        return _Request(kind, namespace, service, endpoint=segs[0])
    if len(segs) == 2:
        # Underscores are optional: "http.tcp.web..." is read as "_http._tcp.web...".
        return _Request(kind, namespace, service, port=_strip(segs[0]), protocol=_strip(segs[1]))
    raise _NoName  # more than two labels left of the service


def _strip(label: str) -> str:
    return label[1:] if label.startswith("_") else label


def _records(ctx: Ctx, name: str) -> List[_Item]:
    """CoreDNS Records: the items a name holds, whatever the query type."""
    r = _parse(name, ctx.zone.lower())
    if not r.kind:
        return []
    if is_reverse(name) or r.namespace not in ctx.idx.namespaces:
        raise _NoName
    return _find_pods(ctx, r) if r.kind == "pod" else _find_services(ctx, r)


def _find_pods(ctx: Ctx, r: _Request) -> List[_Item]:
    # `pods insecure`: any well-formed dashed address in an existing namespace (endpoint and
    # port labels in front are ignored, as CoreDNS ignores them).
    if not r.service:
        return []
    ip = undashed(r.service)
    if ip is None:
        raise _NoName
    return [_Item(str(ip), f"{r.service}.{r.namespace}.pod.{ctx.zone}", ttl=ctx.ttl)]


def _find_services(ctx: Ctx, r: _Request) -> List[_Item]:
    if not r.service:
        return []
    svc = ctx.idx.by_name.get((r.namespace, r.service))
    if svc is None:
        raise _NoName
    base = f"{svc.name}.{svc.namespace}.svc.{ctx.zone}"
    if svc.type == "ExternalName":
        target = (svc.external_name or "").rstrip(".")
        # No endpoints, ports or protocols below an ExternalName; an IP is not a CNAME target.
        if r.endpoint or r.port or r.protocol or not target or parse_ip(target) is not None:
            raise _NoName
        return [_Item(svc.external_name or "", base, ttl=ctx.ttl)]
    items: List[_Item] = []
    if svc.headless or r.endpoint:
        for ep in ready(svc):
            host = hostname(ep)
            if r.endpoint and r.endpoint != host.lower():
                continue
            items += [_Item(ep.ip, f"{host}.{base}", p.port, ctx.ttl) for p in ep.ports or (NO_PORT,) if _fits(r, p)]
        if not items:
            raise _NoName  # e.g. a headless Service without ready endpoints
        return items
    ports = [p for p in svc.ports if _fits(r, p)]
    if not ports:
        raise _NoName
    ip = parse_ip(svc.cluster_ip or "")
    return [_Item(str(ip), base, p.port, ctx.ttl) for p in ports] if ip is not None else []


def _fits(r: _Request, p: ServicePortInfo) -> bool:
    return (not r.port or r.port == p.name.lower()) and (not r.protocol or r.protocol == p.protocol.lower())


def ready(svc: ServiceInfo) -> List[EndpointInfo]:
    """The endpoints CoreDNS publishes (conditions.ready, publishNotReadyAddresses folded in)."""
    return [ep for ep in svc.endpoints if ep.ready]


def hostname(ep: EndpointInfo) -> str:
    """An endpoint's DNS label: its hostname, else its dashed address."""
    return ep.hostname or dashed(ep.ip)


def _norm(ip: str) -> str:
    parsed = parse_ip(ip)
    return str(parsed) if parsed is not None else ip


def _services(ctx: Ctx, qname: str, qtype: str) -> List[_Item]:
    """CoreDNS Services: Records, narrowed or replaced for the types Kubernetes answers specially."""
    name = qname.lower()
    if qtype == "TXT":
        if labels(trim_zone(name, ctx.zone)) == ["dns-version"]:
            return [_Item("", qname, ttl=SCHEMA_TTL, text=SCHEMA_VERSION)]
        try:
            found = _records(ctx, name)
        except _NoName:
            found = []
        if found:
            return []  # the name exists with other types: NODATA
        raise _NoName  # also for svc.<zone> and namespaces, which hold no items
    if qtype == "NS":
        return [_Item(ip, owner, ttl=ctx.ttl) for owner, ip in _ns_addrs(ctx)]
    if name == "ns.dns." + ctx.zone.lower():
        version = {"A": 4, "AAAA": 6}.get(qtype)
        return [_Item(ip, qname, ttl=ctx.ttl) for _, ip in _ns_addrs(ctx) if _version(ip) == version]
    items = _records(ctx, name)
    if qtype == "SRV":
        items = [i for i in items if parse_ip(i.host) is not None]  # no SRV for ExternalName
    return items


def _version(ip: str) -> Optional[int]:
    parsed = parse_ip(ip)
    return parsed.version if parsed is not None else None


def _ns_addrs(ctx: Ctx) -> List[Tuple[str, str]]:
    """CoreDNS nsAddrs: the Services in front of the server's own pod, else ns.dns.<zone>."""
    config, idx = ctx.config, ctx.idx
    local = tuple(config.server_ips)
    if not local:
        dns_svc = idx.by_name.get(("kube-system", "kube-dns"))
        local = tuple(ep.ip for ep in ready(dns_svc)) if dns_svc is not None else ()
    found: List[Tuple[str, str]] = []
    fronted = False
    for ip in local:
        for svc, _ in idx.by_endpoint_ip.get(_norm(ip), []):
            fronted = True
            base = f"{svc.name}.{svc.namespace}.svc.{ctx.zone}"
            if svc.headless:
                found += [(f"{hostname(ep)}.{base}", ep.ip) for ep in ready(svc)]
            elif parse_ip(svc.cluster_ip or "") is not None:
                found.append((base, str(parse_ip(svc.cluster_ip or ""))))
    if not fronted:
        found = [(f"ns.dns.{ctx.zone}", ip) for ip in local or (config.fallback_ns_ip,)]
    return found


def _address(ctx: Ctx, qname: str, qtype: str, previous: List[RR]) -> List[RR]:
    """plugin.A / plugin.AAAA: addresses, following ExternalName CNAMEs."""
    out: List[RR] = []
    seen = set()
    want = 4 if qtype == "A" else 6
    for item in _services(ctx, qname, qtype):
        ip = parse_ip(item.host)
        if ip is None:
            out += _chase(ctx, qname, item, qtype, previous)
        elif ip.version == want and item.host not in seen:
            seen.add(item.host)
            out.append(RR(qname, item.ttl, qtype, str(ip)))
    return out


def _chase(ctx: Ctx, qname: str, item: _Item, qtype: str, previous: List[RR]) -> List[RR]:
    target = fqdn(item.host)
    if is_subdomain(qname, target):
        return []  # x CNAME x (or below x) would loop
    cname = RR(qname, item.ttl, "CNAME", target)
    if len(previous) > 7 or any(p.data.lower() == target.lower() for p in previous):
        return []
    if is_subdomain(ctx.zone, target):
        # A target inside the cluster is resolved here; without addresses the CNAME is dropped.
        try:
            found = _address(ctx, target, qtype, previous + [cname])
        except _NoName:
            return []
        return [cname] + found if found else []
    # Outside targets go upstream; the CNAME stays even when upstream has nothing.
    upstream = outside.resolve(ctx.idx.state, target, qtype, ctx.config.external_ttl)
    return [cname] + list(upstream.answer)


def _srv(ctx: Ctx, qname: str) -> Tuple[List[RR], List[RR]]:
    """plugin.SRV: priority 0, weight floor(100/n) over all n items, targets' addresses as extra."""
    items = _services(ctx, qname, "SRV")
    # The same float arithmetic as CoreDNS, so that 3 targets give 33 and 6 give 16.
    weight = max(1, math.floor(100.0 / (100 * len(items)) * 100)) if items else 0
    records: List[RR] = []
    extra: List[RR] = []
    seen = set()
    for item in items:
        if item.port == -1:
            continue  # a portless endpoint counts towards n but gets no SRV
        ip = parse_ip(item.host)
        target = fqdn(item.owner)
        if (target, item.port) not in seen:
            seen.add((target, item.port))
            records.append(RR(qname, item.ttl, "SRV", f"0 {weight} {item.port} {target}"))
        if (target, item.host) not in seen and ip is not None:
            seen.add((target, item.host))
            extra.append(RR(target, item.ttl, "A" if ip.version == 4 else "AAAA", str(ip)))
    return records, extra


def _ptr(ctx: Ctx, qname: str) -> List[RR]:
    """plugin.PTR: a ClusterIP names its Service; else each endpoint names itself per Service."""
    ip = address_from_reverse(qname)
    if ip is None:
        _records(ctx, qname.lower())
        return []
    # PTR targets use the configured zone, not the spelling of the question (primaryZone).
    zone = fqdn(ctx.config.zone.lower())
    svc = ctx.idx.by_cluster_ip.get(ip)
    if svc is not None:
        targets = [f"{svc.name}.{svc.namespace}.svc.{zone}"]
    else:
        targets = [f"{hostname(ep)}.{s.name}.{s.namespace}.svc.{zone}" for s, ep in ctx.idx.by_endpoint_ip.get(ip, [])]
    if not targets:
        raise _NoName
    return [RR(qname, ctx.ttl, "PTR", t) for t in unique(targets)]


def _ns(ctx: Ctx, qname: str) -> Tuple[List[RR], List[RR]]:
    records: List[RR] = []
    extra: List[RR] = []
    for item in _services(ctx, qname, "NS"):
        ip = parse_ip(item.host)
        if ip is None:
            continue
        extra.append(RR(item.owner, item.ttl, "A" if ip.version == 4 else "AAAA", str(ip)))
        ns = RR(qname, item.ttl, "NS", item.owner)
        if ns not in records:
            records.append(ns)
    return records, extra


def unique(items: Iterable) -> list:
    """`items` without repeats, in first-seen order."""
    out: list = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


