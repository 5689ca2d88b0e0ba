"""Chain names: the fixed KUBE-* chains, per-service hashed names, and the jumps into them."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Union

from k8slab.proxy.model import Endpoint, ServicePort

KUBE_SERVICES = "KUBE-SERVICES"
KUBE_EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES"
KUBE_NODEPORTS = "KUBE-NODEPORTS"
KUBE_POSTROUTING = "KUBE-POSTROUTING"
KUBE_MARK_MASQ = "KUBE-MARK-MASQ"
KUBE_FORWARD = "KUBE-FORWARD"
KUBE_PROXY_FIREWALL = "KUBE-PROXY-FIREWALL"
KUBE_PROXY_CANARY = "KUBE-PROXY-CANARY"
KUBE_FIREWALL = "KUBE-FIREWALL"  # kubelet's chain; kube-proxy keeps a copy of its one rule

SVC_PREFIX, SVL_PREFIX, EXT_PREFIX, FW_PREFIX, SEP_PREFIX = (
    "KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-", "KUBE-SEP-")
SERVICE_CHAIN_PREFIXES = (SVC_PREFIX, SVL_PREFIX, EXT_PREFIX, FW_PREFIX, SEP_PREFIX)

# Jumps from built-in chains, in kube-proxy's order (iptablesJumpChains, then the kubelet copies):
# (table, built-in chain, extra match args, comment, target chain).
_JUMPS = (
    ("filter", "INPUT", ("-m", "conntrack", "--ctstate", "NEW"),
     "kubernetes externally-visible service portals", KUBE_EXTERNAL_SERVICES),
    ("filter", "FORWARD", ("-m", "conntrack", "--ctstate", "NEW"),
     "kubernetes externally-visible service portals", KUBE_EXTERNAL_SERVICES),
    ("filter", "INPUT", (), "kubernetes health check service ports", KUBE_NODEPORTS),
    ("filter", "FORWARD", ("-m", "conntrack", "--ctstate", "NEW"), "kubernetes service portals", KUBE_SERVICES),
    ("filter", "OUTPUT", ("-m", "conntrack", "--ctstate", "NEW"), "kubernetes service portals", KUBE_SERVICES),
    ("filter", "FORWARD", (), "kubernetes forwarding rules", KUBE_FORWARD),
    ("filter", "INPUT", ("-m", "conntrack", "--ctstate", "NEW"),
     "kubernetes load balancer firewall", KUBE_PROXY_FIREWALL),
    ("filter", "OUTPUT", ("-m", "conntrack", "--ctstate", "NEW"),
     "kubernetes load balancer firewall", KUBE_PROXY_FIREWALL),
    ("filter", "FORWARD", ("-m", "conntrack", "--ctstate", "NEW"),
     "kubernetes load balancer firewall", KUBE_PROXY_FIREWALL),
    ("nat", "OUTPUT", (), "kubernetes service portals", KUBE_SERVICES),
    ("nat", "PREROUTING", (), "kubernetes service portals", KUBE_SERVICES),
    ("nat", "POSTROUTING", (), "kubernetes postrouting rules", KUBE_POSTROUTING),
    ("filter", "INPUT", (), "", KUBE_FIREWALL),
    ("filter", "OUTPUT", (), "", KUBE_FIREWALL),
)


def jump_rules() -> list[tuple[str, str, tuple[str, ...]]]:
    """(table, built-in chain, rule args) for each jump kube-proxy ensures with -C, then -I."""
    rules = []
    for table, chain, extra, comment, target in _JUMPS:
        args = extra + (("-m", "comment", "--comment", comment) if comment else ()) + ("-j", target)
        rules.append((table, chain, args))
    return rules


def service_port_name(sp: ServicePort) -> str:
    """ServicePortName.String(): "ns/name:portname", or "ns/name" for an unnamed port."""
    base = f"{sp.namespace}/{sp.name}"
    return f"{base}:{sp.port_name}" if sp.port_name else base


@lru_cache(maxsize=1 << 16)
def _hash16(text: str) -> str:
    # 16 base32 characters are exactly the first 10 bytes of the digest (80 bits): encoding only
    # those gives the same prefix as encoding the whole digest and is much faster.
    return base64.b32encode(hashlib.sha256(text.encode()).digest()[:10]).decode()


def port_proto_hash(spn: str, protocol: str) -> str:
    """First 16 base32 characters of sha256(spn + protocol): chain names must be <= 28 chars."""
    return _hash16(spn + protocol.lower())


def _chain(prefix: str, sp: ServicePort) -> str:
    return prefix + port_proto_hash(service_port_name(sp), sp.protocol)


def svc_chain(sp: ServicePort) -> str:
    """KUBE-SVC-*: chooses among all usable endpoints (Cluster policy)."""
    return _chain(SVC_PREFIX, sp)


def svl_chain(sp: ServicePort) -> str:
    """KUBE-SVL-*: chooses among this node's endpoints (Local policy)."""
    return _chain(SVL_PREFIX, sp)


def ext_chain(sp: ServicePort) -> str:
    """KUBE-EXT-*: handles NodePort, externalIP and LoadBalancer traffic."""
    return _chain(EXT_PREFIX, sp)


def fw_chain(sp: ServicePort) -> str:
    """KUBE-FW-*: loadBalancerSourceRanges filter."""
    return _chain(FW_PREFIX, sp)


def sep_chain(sp: ServicePort, endpoint: Union[Endpoint, str]) -> str:
    """KUBE-SEP-*: one endpoint; the hash covers spn + protocol + "ip:port"."""
    return SEP_PREFIX + _hash16(service_port_name(sp) + sp.protocol.lower() + str(endpoint))


def is_service_chain(name: str) -> bool:
    """True for per-service chains (SVC/SVL/EXT/FW/SEP), the only ones deleted when stale."""
    return name.startswith(SERVICE_CHAIN_PREFIXES)
