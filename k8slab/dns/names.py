"""Domain-name and address helpers shared by the answer logic (pure, no DNS library)."""

from __future__ import annotations

import ipaddress
from typing import Optional, Union

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IP4_ARPA = "in-addr.arpa."
IP6_ARPA = "ip6.arpa."


def fqdn(name: str) -> str:
    """`name` with exactly one trailing dot ("." for the root)."""
    return name.rstrip(".") + "."


def labels(name: str) -> list:
    """The labels of an absolute or relative name, root excluded."""
    return [label for label in name.rstrip(".").split(".") if label] if name.strip(".") else []


def is_subdomain(parent: str, child: str) -> bool:
    """True when `child` equals `parent` or lies under it (case-insensitive)."""
    p, c = labels(parent.lower()), labels(child.lower())
    return len(c) >= len(p) and (not p or c[-len(p):] == p)


def trim_zone(name: str, zone: str) -> str:
    """The part of `name` left of `zone`, without the joining dot ("" for the apex)."""
    kept = labels(name)[:len(labels(name)) - len(labels(zone))]
    return ".".join(kept)


def parse_ip(text: str) -> Optional[IPAddress]:
    """An address as Go's net.ParseIP accepts it (no leading zeros, no zone), else None."""
    if not text or "%" in text:
        return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if ip.version == 4 and any(len(p) > 1 and p[0] == "0" for p in text.split(".")):
        return None  # Python < 3.9.5 took "010.0.0.1"; Go (and Kubernetes) never did
    return ip


def dashed(ip: str) -> str:
    """The name CoreDNS gives an address without hostname: 10.244.1.5 -> 10-244-1-5."""
    if "." in ip:
        return ip.replace(".", "-")
    name = ip.replace(":", "-")
    # A label may not end in "-": CoreDNS turns "fd00::" into "fd00--0".
    return name + "0" if name.endswith("-") else name


def undashed(label: str) -> Optional[IPAddress]:
    """The address a pod-style label stands for (CoreDNS findPods), or None."""
    if label.count("-") == 3 and "--" not in label:
        return parse_ip(label.replace("-", "."))
    return parse_ip(label.replace("-", ":"))


def reverse_name(ip: str) -> str:
    """The PTR owner name of an address."""
    return ipaddress.ip_address(ip).reverse_pointer + "."


def address_from_reverse(name: str) -> Optional[str]:
    """The address a full in-addr.arpa / ip6.arpa name stands for (dnsutil.ExtractAddressFromReverse)."""
    name = fqdn(name.lower())
    if name.endswith("." + IP4_ARPA):
        parts = list(reversed(labels(name[:-len(IP4_ARPA)])))
        ip = parse_ip(".".join(parts)) if len(parts) == 4 else None
    elif name.endswith("." + IP6_ARPA):
        nibbles = list(reversed(labels(name[:-len(IP6_ARPA)])))
        if len(nibbles) != 32 or any(len(n) != 1 for n in nibbles):
            return None
        ip = parse_ip(":".join("".join(nibbles[i:i + 4]) for i in range(0, 32, 4)))
    else:
        return None
    return str(ip) if ip is not None else None


def is_reverse(name: str) -> bool:
    """True for names under in-addr.arpa or ip6.arpa."""
    return is_subdomain(IP4_ARPA, name) or is_subdomain(IP6_ARPA, name)
