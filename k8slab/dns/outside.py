"""The emulated outside world: what the upstream resolver behind `forward .` would answer."""

from __future__ import annotations

from typing import List, Set

from k8slab.dns.model import DnsState
from k8slab.dns.names import address_from_reverse, fqdn, is_subdomain, parse_ip, reverse_name
from k8slab.dns.rr import RR, Answer

MAX_CNAMES = 8  # a longer chain is treated as a loop, as recursive resolvers give up on them


def resolve(state: DnsState, qname: str, qtype: str, ttl: int) -> Answer:
    """A recursive resolver's reply for a name outside the cluster (never authoritative)."""
    qtype = qtype.upper()
    cnames = {_key(k): _key(v) for k, v in state.external_cnames.items()}
    addresses = {_key(k): v for k, v in state.external.items()}
    if qtype in ("AXFR", "IXFR"):
        return Answer("REFUSED")
    owner, name = fqdn(qname), _key(qname)
    answer: List[RR] = []
    seen: Set[str] = set()
    while name in cnames and qtype != "CNAME":
        if name in seen or len(seen) >= MAX_CNAMES:
            return Answer("SERVFAIL")
        seen.add(name)
        answer.append(RR(owner, ttl, "CNAME", fqdn(cnames[name])))
        owner, name = fqdn(cnames[name]), cnames[name]
    if qtype == "CNAME" and name in cnames:
        answer.append(RR(owner, ttl, "CNAME", fqdn(cnames[name])))
    elif qtype in ("A", "AAAA", "ANY"):
        # ANY: upstream resolvers differ (RFC 8482); answering the addresses is the common case.
        rtype = "AAAA" if qtype == "AAAA" else "A"
        answer += [RR(owner, ttl, rtype, str(ip)) for ip in map(parse_ip, addresses.get(name, ()))
                   if ip is not None and ip.version == (6 if rtype == "AAAA" else 4)]
    elif qtype == "PTR":
        answer += [RR(owner, ttl, "PTR", fqdn(n)) for n in _names_of(addresses, name)]
    rcode = "NOERROR" if _exists(name, addresses, cnames) else "NXDOMAIN"
    return Answer(rcode, tuple(answer))


def _key(name: str) -> str:
    return name.lower().rstrip(".")


def _names_of(addresses: dict, reverse: str) -> List[str]:
    """The outside names whose address the reverse name stands for."""
    ip = address_from_reverse(reverse + ".")
    return sorted(n for n, ips in addresses.items() if ip is not None and ip in ips)


def _exists(name: str, addresses: dict, cnames: dict) -> bool:
    """True when the name owns data or has names below it (an empty non-terminal is NODATA)."""
    owned = set(addresses) | set(cnames)
    owned |= {reverse_name(ip).rstrip(".") for ips in addresses.values() for ip in ips if _valid(ip)}
    return any(is_subdomain(name + ".", o + ".") for o in owned)


def _valid(ip: str) -> bool:
    return parse_ip(ip) is not None
