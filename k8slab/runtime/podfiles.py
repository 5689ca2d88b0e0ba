"""The files the kubelet writes for a pod: /etc/hosts and /etc/resolv.conf (pure: text only)."""

from __future__ import annotations

from typing import Iterable, Sequence

CLUSTER_DOMAIN = "cluster.local"
CLUSTER_DNS = "10.96.0.10"

_HOSTS_HEADER = """# Kubernetes-managed hosts file.
127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
fe00::0\tip6-mcastprefix
fe00::1\tip6-allnodes
fe00::2\tip6-allrouters
"""


def pod_hosts_file(pod_ip: str, hostname: str, namespace: str, subdomain: str | None = None,
                   host_aliases: Iterable[tuple[str, Sequence[str]]] = ()) -> str:
    """The kubelet's /etc/hosts: localhost entries, the pod itself (FQDN first with a subdomain), aliases."""
    text = _HOSTS_HEADER
    if subdomain:
        fqdn = f"{hostname}.{subdomain}.{namespace}.svc.{CLUSTER_DOMAIN}"
        text += f"{pod_ip}\t{fqdn}\t{hostname}\n"
    else:
        text += f"{pod_ip}\t{hostname}\n"
    aliases = list(host_aliases)
    if aliases:
        text += "\n# Entries added by HostAliases.\n"
        for ip, names in aliases:
            text += f"{ip}\t" + "\t".join(names) + "\n"
    return text


def pod_resolv_conf(dns_policy: str, namespace: str, node_resolv: str,
                    nameservers: Sequence[str] = (), searches: Sequence[str] = (),
                    options: Sequence[tuple[str, str | None]] = ()) -> str:
    """/etc/resolv.conf for a pod per its dnsPolicy and dnsConfig, as the kubelet builds it."""
    if dns_policy == "Default":
        return node_resolv
    if dns_policy == "None":
        base_ns: list[str] = []
        base_search: list[str] = []
        base_opts: list[tuple[str, str | None]] = []
    else:  # ClusterFirst (and ClusterFirstWithHostNet, for pods that are not host-network)
        base_ns = [CLUSTER_DNS]
        base_search = [f"{namespace}.svc.{CLUSTER_DOMAIN}", f"svc.{CLUSTER_DOMAIN}", CLUSTER_DOMAIN]
        base_opts = [("ndots", "5")]
    servers = _unique(base_ns + list(nameservers))
    search = _unique(base_search + list(searches))
    opts = dict(base_opts)
    for name, value in options:  # dnsConfig options override same-named defaults
        opts[name] = value
    lines = []
    if search:
        lines.append("search " + " ".join(search))
    lines += [f"nameserver {s}" for s in servers]
    if opts:
        lines.append("options " + " ".join(k if v is None else f"{k}:{v}" for k, v in opts.items()))
    return "\n".join(lines) + "\n"


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for i in items:
        seen.setdefault(i, None)
    return list(seen)
