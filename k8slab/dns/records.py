"""Names to records: the cluster DNS server's answers, as CoreDNS under kubeadm's Corefile gives them (pure).

Names in the zones the kubernetes plugin serves (the cluster zone, in-addr.arpa, ip6.arpa) are
answered by k8slab.dns.kube; reverse-zone misses and every other name go to the emulated outside
world (k8slab.dns.outside), which stands for `forward . /etc/resolv.conf`: nothing leaves the sandbox.
"""

from __future__ import annotations

from dataclasses import replace
from typing import List, Optional

from k8slab.dns import kube, outside
from k8slab.dns.model import DnsConfig, DnsState
from k8slab.dns.names import address_from_reverse, fqdn, is_subdomain, labels, parse_ip, reverse_name
from k8slab.dns.rr import RR, Answer

__all__ = ["RR", "Answer", "answer", "records_for_service", "all_records"]


def answer(state: Optional[DnsState], qname: str, qtype: str, config: DnsConfig = DnsConfig()) -> Answer:
    """The reply the cluster DNS server sends for one question (state None: not synced yet)."""
    qname, qtype = fqdn(qname), qtype.upper()
    zone = _match_zone(qname, config)
    if zone is not None:
        if qtype in ("AXFR", "IXFR"):
            return Answer("REFUSED")
        idx = kube.index_of(state if state is not None else kube.EMPTY)
        # CoreDNS keeps the zone as the question spelled it: it shows in the SOA and SRV targets.
        ctx = kube.Ctx(idx, config, qname[len(qname) - len(zone):], synced=state is not None,
                       fallthrough=zone in kube.REVERSE_ZONES)
        reply = kube.serve(ctx, qname, qtype)
        if reply is not None:
            return _capped(reply, config)
    if state is None:
        return Answer("SERVFAIL")  # the outside world is part of the state we do not have yet
    return _capped(outside.resolve(state, qname, qtype, config.external_ttl), config)


def _match_zone(qname: str, config: DnsConfig) -> Optional[str]:
    zones = [z for z in (fqdn(config.zone.lower()),) + kube.REVERSE_ZONES if is_subdomain(z, qname)]
    return max(zones, key=lambda z: len(labels(z)), default=None)


def _capped(reply: Answer, config: DnsConfig) -> Answer:
    """The cache plugin rewrites every TTL of a reply to min(its smallest TTL, the cap)."""
    rrs = reply.answer + reply.authority + reply.additional
    if config.cache_ttl <= 0 or reply.rcode not in ("NOERROR", "NXDOMAIN") or not rrs:
        return reply
    ttl = min(min(rr.ttl for rr in rrs), config.cache_ttl)
    return replace(reply, answer=tuple(rr._replace(ttl=ttl) for rr in reply.answer),
                   authority=tuple(rr._replace(ttl=ttl) for rr in reply.authority),
                   additional=tuple(rr._replace(ttl=ttl) for rr in reply.additional))


def records_for_service(state: DnsState, namespace: str, name: str, config: DnsConfig = DnsConfig()) -> List[RR]:
    """Every record the server gives for one Service ([] if there is no such Service)."""
    svc = kube.index_of(state).by_name.get((namespace.lower(), name.lower()))
    if svc is None:
        return []
    base = f"{svc.name}.{svc.namespace}.svc.{fqdn(config.zone.lower())}"
    out: List[RR] = []

    def ask(qname: str, qtype: str) -> None:
        out.extend(answer(state, qname, qtype, config).answer)

    if svc.type == "ExternalName":
        ask(base, "CNAME")  # the chased upstream addresses are not the cluster's records
        return out
    ask(base, "A")
    ask(base, "AAAA")
    ports = [(p.name, p.protocol) for p in svc.ports + tuple(q for ep in kube.ready(svc) for q in ep.ports) if p.name]
    for port, proto in kube.unique((p.lower(), q.lower()) for p, q in ports):
        ask(f"_{port}._{proto}.{base}", "SRV")
    for host in kube.unique(kube.hostname(ep) for ep in kube.ready(svc)):
        ask(f"{host}.{base}", "A")
        ask(f"{host}.{base}", "AAAA")
    ips = [svc.cluster_ip] if parse_ip(svc.cluster_ip or "") is not None else []
    for ip in kube.unique(ips + [ep.ip for ep in kube.ready(svc) if parse_ip(ep.ip) is not None]):
        ptrs = answer(state, reverse_name(ip), "PTR", config).answer
        out.extend(rr for rr in ptrs if rr.data == base or rr.data.endswith("." + base))
    return kube.unique(out)


def all_records(state: DnsState, config: DnsConfig = DnsConfig()) -> List[RR]:
    """records_for_service for every Service: names sorted, then PTRs in address order."""
    rrs = {rr for svc in state.services for rr in records_for_service(state, svc.namespace, svc.name, config)}
    return sorted(rrs, key=_listing_order)


def _listing_order(rr: RR) -> tuple:
    ip = parse_ip(address_from_reverse(rr.name) or "") if rr.type == "PTR" else None
    address = (ip.version, int(ip)) if ip is not None else (0, 0)
    return (rr.type == "PTR", address, rr.name.lower(), rr.type, rr.data, rr.ttl)
